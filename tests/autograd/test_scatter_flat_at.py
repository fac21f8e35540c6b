"""scatter/gather's accumulations (``ufunc.at`` on ``_along``'s broadcast index) run through
one flat index: the same elements in the same order, so the same bits as numpy's tuple form."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.ops import scatter as S


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shape=st.lists(st.integers(1, 6), min_size=1,
                                                      max_size=4),
       data=st.data(), ufunc=st.sampled_from([np.add, np.multiply, np.maximum, np.minimum]),
       dtype=st.sampled_from([np.float32, np.float64, np.int64]), fortran=st.booleans())
def test_flat_at_equals_numpy_tuple_at(seed, shape, data, ufunc, dtype, fortran):
    rng = np.random.default_rng(seed)
    dim = data.draw(st.integers(0, len(shape) - 1))
    ishape = [data.draw(st.integers(1, s)) for s in shape]
    ishape[dim] = data.draw(st.integers(1, 8))  # repeats: more entries than positions
    index = rng.integers(0, shape[dim], ishape)
    out = (rng.standard_normal(shape) * 3).astype(dtype)
    if fortran:
        out = np.asfortranarray(out)
    values = (rng.standard_normal(ishape) * 3).astype(dtype)
    want = out.copy(order="K")
    ufunc.at(want, S._along(index, dim), values)
    S._at(ufunc, out, index, dim, values)
    assert np.array_equal(np.ascontiguousarray(out).view(np.uint8),
                          np.ascontiguousarray(want).view(np.uint8))


def test_out_of_range_positions_keep_numpy_errors():
    out = np.zeros((3, 2))
    with pytest.raises(IndexError):
        S._at(np.add, out, np.array([[0, 3]]), 1, np.ones((1, 2)))
    with pytest.raises(IndexError):
        S._at(np.add, out, np.array([[0], [1], [2], [0]]), 1, np.ones((4, 1)))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_add_and_gather_grad_match_torch(dim):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x, src = rng.standard_normal((2, 40, 30)).astype(np.float32)
    index = rng.integers(0, x.shape[dim], (40, 30))
    ours = ag.tensor(x).scatter_add(dim, ag.tensor(index), ag.tensor(src))
    theirs = torch.tensor(x).scatter_add(dim, torch.tensor(index), torch.tensor(src))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a.gather(dim, ag.tensor(index)).backward(ag.tensor(src))
    t.gather(dim, torch.tensor(index)).backward(torch.tensor(src))
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-6)
