"""The data module's edges (issue 11 items 5 and 9): DataLoader, random_split and
TensorDataset refuse bad and contradictory arguments with PyTorch's errors; default_collate
types a batch of numbers as PyTorch's does (floats kept when the first sample is an int);
batches of a requires-grad TensorDataset keep the graph."""

import itertools
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor
from nn.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


def _ds(n=5):
    return TensorDataset(ag.arange(2.0 * n).reshape(n, 2), ag.arange(n))


EMPTY = "EMPTY"
# (keyword arguments, exception type, message text; PyTorch's wording where it has one)
BAD_LOADER = [
    ({"batch_size": 0}, ValueError,
     "batch_size should be a positive integer value, but got batch_size=0"),
    ({"batch_size": -1}, ValueError, "but got batch_size=-1"),
    ({"batch_size": 2.0}, ValueError, "but got batch_size=2.0"),
    ({"batch_size": True}, ValueError, "but got batch_size=True"),
    ({"batch_size": "2"}, ValueError, "but got batch_size=2"),
    ({"shufle": True}, TypeError, "unexpected keyword argument 'shufle'"),
    ({"persistent_workers": True}, ValueError, "persistent_workers option needs num_workers > 0"),
    ({"prefetch_factor": 2}, ValueError,
     "prefetch_factor option could only be specified in multiprocessing"),
    ({"num_workers": -1}, ValueError, "num_workers option should be non-negative"),
    ({"num_workers": 1.5}, TypeError, "num_workers option should be an int, got float"),
    ({"sampler": [0, 1], "shuffle": True}, ValueError,
     "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0, 1]], "batch_size": 2}, ValueError,
     ("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
      "drop_last")),
    ({"batch_sampler": [[0, 1]], "drop_last": True}, ValueError,
     "batch_sampler option is mutually exclusive"),
    ({"batch_sampler": [[0, 1]], "shuffle": True}, ValueError,
     "batch_sampler option is mutually exclusive"),
    ({"batch_size": None, "drop_last": True}, ValueError,
     "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
    ({"timeout": -1}, ValueError, "timeout option should be non-negative"),
    ({"num_workers": 2, "prefetch_factor": -1}, ValueError,
     "prefetch_factor option should be non-negative"),
    ({"num_workers": 2, "prefetch_factor": 0}, ValueError,
     "prefetch_factor option should be positive"),
    ({"multiprocessing_context": "fork"}, ValueError,
     "multiprocessing_context can only be used with multi-process loading"),
    ({"num_workers": 1, "multiprocessing_context": "bogus"}, ValueError,
     "multiprocessing_context option should specify a valid start method"),
    ({"collate_fn": 3}, TypeError, "collate_fn must be callable"),
    ({"num_workers": 1, "worker_init_fn": 3}, TypeError, "worker_init_fn must be callable"),
    ({"generator": "seed"}, TypeError, "generator must be a numpy.random.Generator"),
    ({"sampler": 3}, TypeError, "sampler must be an iterable of indices"),
    ({EMPTY: True, "shuffle": True}, ValueError,
     "num_samples should be a positive integer value, but got num_samples=0"),
]


def _loader(lib_loader, lib_ds, kwargs):
    kwargs = dict(kwargs)
    ds = lib_ds(0) if kwargs.pop(EMPTY, False) else lib_ds(5)
    return lib_loader(ds, **kwargs)


@pytest.mark.parametrize("kwargs,exc,text", BAD_LOADER, ids=[str(k) for k, _, _ in BAD_LOADER])
def test_bad_loader_arguments(kwargs, exc, text):
    with pytest.raises(exc) as info:
        _loader(DataLoader, _ds, kwargs)
    assert text in str(info.value)


@pytest.mark.torch_parity
def test_loader_errors_match_pytorch():
    """Where PyTorch 2.13 refuses the same call, the exception type is the same, and so is
    the message when ours follows its wording."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TDL
    from torch.utils.data import TensorDataset as TTD

    def tds(n):
        return TTD(torch.arange(2.0 * n).reshape(n, 2), torch.arange(n))

    compared = 0
    for kwargs, exc, text in BAD_LOADER:
        try:
            _loader(TDL, tds, kwargs)
        except Exception as texc:  # noqa: BLE001 - compared below
            assert isinstance(texc, exc), f"{kwargs}: torch raises {type(texc).__name__}"
            if "option" in text or "batch_size should" in text or "num_samples" in text:
                assert text in str(texc), f"{kwargs}: torch says {texc}"
            compared += 1
    assert compared >= 17


def test_loader_settings_are_frozen_after_construction():
    loader = DataLoader(_ds(), batch_size=2)
    for name, value in [("batch_size", 3), ("drop_last", True), ("sampler", None)]:
        with pytest.raises(ValueError, match=f"{name} attribute should not be set after "
                                             "DataLoader is initialized"):
            setattr(loader, name, value)
    assert loader.batch_size == 2


def test_unshuffled_empty_dataset_gives_no_batches():
    assert list(DataLoader(_ds(0), batch_size=2)) == []
    assert len(DataLoader(_ds(0), batch_size=2)) == 0


def test_sampler_is_consumed_lazily():
    """An endless sampler works (PyTorch's samplers may be infinite): only what the consumed
    batches need is drawn."""
    pulled = []

    def endless():
        for i in itertools.count():
            if i >= 100:
                raise AssertionError("the sampler was drained eagerly")
            pulled.append(i)
            yield i % 5

    loader = DataLoader(_ds(), batch_size=2, sampler=endless())
    batches = list(itertools.islice(iter(loader), 3))
    assert [b[1].data.tolist() for b in batches] == [[0, 1], [2, 3], [4, 0]]
    assert len(pulled) <= 8


# ---- random_split ------------------------------------------------------------------------
@pytest.mark.parametrize("lengths,exc,text", [
    ([-1, 6], ValueError, "lengths[0] is negative (-1)"),
    ([6, -1], ValueError, "lengths[1] is negative (-1)"),
    ([2, 2], ValueError, "Sum of input lengths does not equal the length of the input dataset!"),
    ([], ValueError, "Sum of input lengths does not equal"),
    ([0.3, 0.3], ValueError, "Sum of input lengths does not equal"),
    ([0.5, 0.6, -0.1], ValueError, "Fraction at index 2 is not between 0 and 1"),
    ([1.5, -0.5], ValueError, "Fraction at index 0 is not between 0 and 1"),
    ([2.0, 3], TypeError, "lengths[0] is 2.0; lengths must be ints"),
    ([True, 4], TypeError, "lengths[0] must be an int or a fraction, got bool"),
    (["2", 3], TypeError, "lengths[0] must be an int or a fraction, got str"),
    (5, TypeError, "lengths must be a sequence of ints or of fractions, got int"),
])
def test_random_split_bad_lengths(lengths, exc, text):
    with pytest.raises(exc) as info:
        random_split(_ds(5), lengths, generator=0)
    assert text in str(info.value)


def test_random_split_fractions_round_as_pytorch():
    # floor each, then one more to the first splits until the sum is right (hand-worked)
    assert [len(s) for s in random_split(range(5), [0.34, 0.33, 0.33], generator=0)] == [2, 2, 1]
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        assert [len(s) for s in random_split(range(5), [0.1, 0.1, 0.8], generator=0)] == \
            [1, 0, 4]
    parts = random_split(range(10), [np.int64(3), 7], generator=0)
    assert sorted(np.concatenate([p.indices for p in parts]).tolist()) == list(range(10))


@pytest.mark.torch_parity
def test_random_split_lengths_match_pytorch():
    torch = pytest.importorskip("torch")
    trs = torch.utils.data.random_split

    for n, fr in [(5, [0.34, 0.33, 0.33]), (7, [0.5, 0.5]), (10, [0.7, 0.2, 0.1]),
                  (3, [0.25, 0.25, 0.25, 0.25])]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = [len(s) for s in random_split(range(n), fr, generator=0)]
            theirs = [len(s) for s in trs(range(n), fr, generator=torch.Generator())]
        assert ours == theirs, (n, fr)


# ---- TensorDataset -----------------------------------------------------------------------
def test_tensor_dataset_size_mismatch():
    with pytest.raises(ValueError, match=r"Size mismatch between tensors.*\[\(3,\), \(4,\)\]"):
        TensorDataset(ag.zeros(3), ag.zeros(4))
    with pytest.raises(AssertionError):  # PyTorch's exception type is caught too
        TensorDataset(ag.zeros(3), ag.zeros(4))
    with pytest.raises(ValueError, match="tensor 1 is 0-d"):
        TensorDataset(ag.zeros(3), ag.tensor(1.0))


# ---- collate -------------------------------------------------------------------------------
COLLATE = [  # (batch, expected dtype, expected values) as PyTorch 2.13 gives them
    ([1, 2.5], np.float32, [1.0, 2.5]),
    ([1.5, 2], np.float64, [1.5, 2.0]),
    ([1, 2], np.int64, [1, 2]),
    ([True, 1], np.int64, [1, 1]),
    ([True, False], np.bool_, [True, False]),
    ([np.int32(1), np.int32(2)], np.int32, [1, 2]),
    ([np.int32(1), 2.5], np.float32, [1.0, 2.5]),
    ([np.float16(1), 2.5], np.float32, [1.0, 2.5]),
    ([np.float32(1), np.float64(2)], np.float64, [1.0, 2.0]),
    ([np.uint8(3), 300], np.int64, [3, 300]),
    ([np.int64(1), 2.5], np.float32, [1.0, 2.5]),
    ([np.array(1, np.int32), np.array(2.5, np.float32)], np.float32, [1.0, 2.5]),
    ([np.array([1, 2]), np.array([1.5, 2.0])], np.float64, [[1, 2], [1.5, 2.0]]),
]


@pytest.mark.parametrize("batch,dtype,values", COLLATE, ids=[repr(c[0]) for c in COLLATE])
def test_collate_types_numbers_as_pytorch(batch, dtype, values):
    out = default_collate(batch)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.data, np.array(values, dtype=dtype))


def test_collate_tensors_promote_and_fields_keep_their_kind():
    out = default_collate([ag.tensor(1), ag.tensor(2.5)])
    assert out.dtype == np.float32 and out.data.tolist() == [1.0, 2.5]
    ys = default_collate([(1, 2.0), (2, 3)])
    assert ys[0].dtype == np.int64 and ys[1].dtype == np.float64
    d = default_collate([{"a": 1}, {"a": 2.5}])
    assert d["a"].dtype == np.float32 and d["a"].data.tolist() == [1.0, 2.5]


def test_collate_errors():
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but "
                                           r"got \[2\] at entry 0 and \[3\] at entry 1"):
        default_collate([ag.zeros(2), ag.zeros(3)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found NoneType"):
        default_collate([None])
    with pytest.raises(TypeError, match="found <U1"):
        default_collate([np.array(["a"])])
    with pytest.raises(TypeError, match="a batch of numbers also holds a str"):
        default_collate([1, "a"])
    with pytest.raises(ValueError, match="does not fit in int64"):
        default_collate([2 ** 70])
    with pytest.raises(IndexError, match="empty"):
        default_collate([])


@pytest.mark.torch_parity
def test_collate_matches_pytorch():
    torch = pytest.importorskip("torch")
    tcollate = torch.utils.data.default_collate

    for batch, _, _ in COLLATE:
        ours = default_collate(batch)
        theirs = tcollate(batch)
        assert str(theirs.dtype) == f"torch.{np.dtype(ours.dtype).name}", batch
        np.testing.assert_array_equal(ours.data, theirs.numpy())


class _Pairs(Dataset):
    """A map-style dataset (not a TensorDataset) whose samples are tensors on a graph."""

    def __init__(self, x):
        self.x = x

    def __len__(self):
        return self.x.shape[0]

    def __getitem__(self, i):
        return self.x[i] * 2.0, i


@pytest.mark.parametrize("make", ["tensor_dataset", "subset", "collate"])
def test_batches_of_a_requires_grad_dataset_keep_the_graph(make):
    x = Tensor._wrap(np.arange(12.0).reshape(6, 2), requires_grad=True)
    if make == "tensor_dataset":
        loader, rows, scale = DataLoader(TensorDataset(x, ag.arange(6)), batch_size=4), \
            [0, 1, 2, 3], 1.0
    elif make == "subset":
        loader, rows, scale = DataLoader(Subset(TensorDataset(x), [5, 1, 3]), batch_size=2), \
            [5, 1], 1.0
    else:
        loader, rows, scale = DataLoader(_Pairs(x), batch_size=3), [0, 1, 2], 2.0
    xb = next(iter(loader))[0]
    assert xb.requires_grad
    (xb * 3.0).sum().backward()
    expected = np.zeros((6, 2))
    expected[rows] = 3.0 * scale  # d(sum(3 * scale * x[rows])) / dx, hand-worked
    np.testing.assert_array_equal(x.grad.data if isinstance(x.grad, Tensor) else x.grad,
                                  expected)


def test_single_samples_of_a_requires_grad_dataset_keep_the_graph():
    x = Tensor._wrap(np.ones((3, 2)), requires_grad=True)
    sample = TensorDataset(x)[1][0]
    sample.sum().backward()
    g = x.grad.data if isinstance(x.grad, Tensor) else x.grad
    np.testing.assert_array_equal(g, [[0, 0], [1, 1], [0, 0]])


@pytest.mark.torch_parity
def test_signatures_match_pytorch():
    """Keyword names, order, kinds and defaults of the data API equal PyTorch's (an unknown
    keyword is therefore a TypeError in both)."""
    import inspect

    torch = pytest.importorskip("torch")
    tdata = torch.utils.data

    def params(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    assert params(DataLoader.__init__) == params(tdata.DataLoader.__init__)
    assert [p[:2] for p in params(random_split)] == [p[:2] for p in params(tdata.random_split)]
    assert params(default_collate) == params(tdata.default_collate)
    assert params(TensorDataset.__init__) == params(tdata.TensorDataset.__init__)
