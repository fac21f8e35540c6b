"""Dataset / TensorDataset / DataLoader (batching, shuffling with a seedable generator,
drop_last), random_split, and the shipped MNIST digits split reproducibly."""


import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import Tensor
from nn.data import DataLoader, Dataset, Subset, TensorDataset, random_split


class Squares(Dataset):
    """A map-style dataset that is not a TensorDataset (goes through default_collate)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i


def _tds(n):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    return TensorDataset(Tensor._wrap(X), Tensor._wrap(np.arange(n)))


def test_tensor_dataset_indexing_and_length():
    ds = _tds(5)
    assert len(ds) == 5
    x, y = ds[3]
    np.testing.assert_array_equal(x._data, [6, 7])
    assert int(y._data) == 3
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(Tensor._wrap(np.zeros((3, 2))), Tensor._wrap(np.zeros(4)))


@given(n=st.integers(0, 23), bs=st.integers(1, 7), drop_last=st.booleans(),
       generic=st.booleans())
def test_batches_cover_the_data_in_order(n, bs, drop_last, generic):
    ds = Squares(n) if generic else _tds(n)
    loader = DataLoader(ds, batch_size=bs, drop_last=drop_last)
    batches = list(loader)
    full, rest = divmod(n, bs)
    n_batches = full if drop_last or rest == 0 else full + 1
    assert len(batches) == n_batches == len(loader)
    sizes = [b[1].shape[0] for b in batches]
    assert sizes == [bs] * full + ([] if drop_last or rest == 0 else [rest])
    labels = np.concatenate([b[1]._data for b in batches]) if batches else np.array([])
    np.testing.assert_array_equal(labels, np.arange(sum(sizes)))
    for xb, yb in batches:
        assert yb.dtype == np.int64
        if generic:
            np.testing.assert_array_equal(xb._data[:, 1], yb._data.astype(np.float32) ** 2)
        else:
            np.testing.assert_array_equal(xb._data[:, 0], 2 * yb._data)


def _epoch_labels(loader):
    return np.concatenate([b[1]._data for b in loader])


def test_shuffle_is_a_permutation_reproducible_from_a_seed():
    ds = _tds(50)
    a = _epoch_labels(DataLoader(ds, batch_size=8, shuffle=True, generator=123))
    b = _epoch_labels(DataLoader(ds, batch_size=8, shuffle=True, generator=123))
    np.testing.assert_array_equal(a, b)
    assert sorted(a) == list(range(50)) and not np.array_equal(a, np.arange(50))
    c = _epoch_labels(DataLoader(ds, batch_size=8, shuffle=True, generator=124))
    assert not np.array_equal(a, c)
    # a new permutation every epoch, and the epoch sequence itself is reproducible
    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=np.random.default_rng(9))
    e1, e2 = _epoch_labels(loader), _epoch_labels(loader)
    assert not np.array_equal(e1, e2)
    loader2 = DataLoader(ds, batch_size=8, shuffle=True, generator=np.random.default_rng(9))
    np.testing.assert_array_equal(_epoch_labels(loader2), e1)
    np.testing.assert_array_equal(_epoch_labels(loader2), e2)
    # the project's generator is the default: ag.manual_seed makes the order reproducible
    ag.manual_seed(3)
    d1 = _epoch_labels(DataLoader(Squares(30), batch_size=4, shuffle=True))
    ag.manual_seed(3)
    d2 = _epoch_labels(DataLoader(Squares(30), batch_size=4, shuffle=True))
    np.testing.assert_array_equal(d1, d2)


def test_shuffle_with_drop_last_drops_a_different_remainder():
    ds = _tds(10)
    loader = DataLoader(ds, batch_size=4, shuffle=True, drop_last=True, generator=0)
    seen = [np.concatenate([b[1]._data for b in loader]) for _ in range(5)]
    assert all(len(s) == 8 and len(set(s)) == 8 for s in seen)
    assert len({tuple(sorted(s)) for s in seen}) > 1


def test_loader_argument_errors():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_tds(3), batch_size=0)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(_tds(3), num_workers=-1)  # workers are supported since; negative is not


def test_random_split_is_a_reproducible_partition():
    ds = _tds(20)
    parts = random_split(ds, [14, 6], generator=np.random.default_rng(0))
    again = random_split(ds, [14, 6], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [14, 6]
    idx = np.concatenate([p.indices for p in parts])
    assert sorted(idx) == list(range(20))
    for p, q in zip(parts, again):
        np.testing.assert_array_equal(p.indices, q.indices)
    assert isinstance(parts[0], Subset)
    assert int(parts[1][0][1]._data) == parts[1].indices[0]
    fr = random_split(ds, [0.7, 0.3], generator=1)
    assert [len(p) for p in fr] == [14, 6]
    # a subset of a TensorDataset batches through the loader with the right rows
    xb, yb = next(iter(DataLoader(parts[1], batch_size=6)))
    np.testing.assert_array_equal(yb._data, parts[1].indices)
    np.testing.assert_array_equal(xb._data[:, 0], 2 * np.asarray(parts[1].indices))
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [10, 5])


# ---- MNIST -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mnist():
    from nn.data import load_mnist_digits  # the digits ship with the package

    return load_mnist_digits


def test_mnist_digits_split_is_reproducible_and_stratified(mnist):
    a = mnist(test_fraction=0.2, seed=0)
    b = mnist(test_fraction=0.2, seed=0)
    c = mnist(test_fraction=0.2, seed=1)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u._data, v._data)
    assert not np.array_equal(a.y_test._data, c.y_test._data)
    assert a.X_train.shape == (4000, 784) and a.X_test.shape == (1000, 784)
    assert a.X_train.dtype == np.float32 and a.y_train.dtype == np.int64
    assert 0.0 <= a.X_train._data.min() and a.X_train._data.max() <= 1.0
    # 500 digits per class in the file; a stratified 20% split takes 100 of each
    np.testing.assert_array_equal(np.bincount(a.y_test._data, minlength=10), [100] * 10)
    np.testing.assert_array_equal(np.bincount(a.y_train._data, minlength=10), [400] * 10)
    # train and test are disjoint: no image appears in both (compare exact bytes)
    train = {r.tobytes() for r in a.X_train._data}
    assert not any(r.tobytes() in train for r in a.X_test._data)
    assert len(train) + len({r.tobytes() for r in a.X_test._data}) > 4990  # ~no duplicates
