"""The backward of ``x[:, ..., index]`` (index_select on a later dim, roll) adds each
selected slice with the rows kernel along that dim: the same bits as ``np.add.at``."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.ops.index import _add_along


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shape=st.lists(st.integers(1, 5), min_size=1,
                                                      max_size=4),
       m=st.integers(0, 9), dtype=st.sampled_from([np.float32, np.float64, np.int64,
                                                   np.complex64]), data=st.data())
def test_add_along_equals_add_at(seed, shape, m, dtype, data):
    rng = np.random.default_rng(seed)
    d = data.draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    index = rng.integers(-n, n, m)  # repeats and negative positions
    gshape = list(shape)
    gshape[d] = m
    g = (rng.standard_normal(gshape) * 10).astype(dtype)
    want = np.zeros(shape, dtype)
    np.add.at(want, (slice(None),) * d + (index,), g)
    got = _add_along(g, index, d, tuple(shape))
    assert got.flags.c_contiguous and got.dtype == want.dtype
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8))


def test_out_of_range_keeps_numpy_error():
    with pytest.raises(IndexError):
        _add_along(np.ones((2, 2)), np.array([0, 5]), 1, (2, 3))


@pytest.mark.torch_parity
def test_roll_and_index_select_grads_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 7, 5))
    g = rng.standard_normal((6, 7, 5))
    idx = np.array([4, 0, 4, 2, 6, 6])
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (a.roll(3, 1) * ag.tensor(g)).sum().backward()
    (t.roll(3, 1) * torch.tensor(g)).sum().backward()
    assert np.array_equal(a.grad.numpy(), t.grad.numpy())
    a.grad = None
    t.grad = None
    a.index_select(1, ag.tensor(idx)).sum().backward()
    t.index_select(1, torch.tensor(idx)).sum().backward()
    assert np.array_equal(a.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "complex64", "bool"])
def test_full_slices_then_an_integer_array_take_the_same_values(dtype):
    """``x[:, ..., idx]`` (np.take) gives numpy's fancy indexing's values, a row-major copy,
    from any layout; negative and repeated positions; an empty index; the error in range."""
    base = (np.random.default_rng(0).standard_normal((4, 5, 6)) * 3).astype(dtype)
    for arr in (base, base.transpose(2, 0, 1)):
        x = ag.tensor(arr)
        for d in (1, 2):
            for idx in ([0, -1, 2, 2], []):
                index = (slice(None),) * d + (np.array(idx, np.int64),)
                got = x[(slice(None),) * d + (ag.tensor(np.array(idx, np.int64)),)]
                want = arr[index]
                assert got.dtype == want.dtype and got.shape == want.shape
                np.testing.assert_array_equal(got._data, want)
                assert got._data.flags.c_contiguous
    with pytest.raises(IndexError, match="out of bounds for dimension 1 with size 5"):
        ag.tensor(base)[:, ag.tensor([0, 7])]
