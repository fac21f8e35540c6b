"""topk, kthvalue and median select with a partition from rows of ``SELECT_MIN`` elements:
the same values and indices as the full stable sort they replace (ties in index order, NaN
by PyTorch's rule), and PyTorch's on distinct values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.ops import sorting as S


def _full_head(x, d, k, descending):
    return np.take(S._order(x, d, descending), np.arange(k), axis=d).astype(np.int64)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(60, 300), other=st.integers(0, 4),
       dim=st.integers(0, 1), values=st.sampled_from(["float32", "float64", "few", "int64",
                                                      "zeros", "nan", "uint8"]),
       descending=st.booleans(), data=st.data())
def test_partition_selection_equals_the_full_sort(seed, n, other, dim, values, descending,
                                                  data):
    rng = np.random.default_rng(seed)
    shape = (n, other) if dim == 0 else (other, n)
    if values in ("float32", "float64"):
        x = rng.standard_normal(shape).astype(values)
    elif values == "few":  # many ties, signed zeros
        x = rng.choice(np.array([-1.0, -0.0, 0.0, 2.0, np.inf, -np.inf]), shape)
    elif values == "zeros":
        x = np.zeros(shape, np.float32)
    elif values == "nan":
        x = rng.standard_normal(shape)
        x[rng.random(shape) < 0.05] = np.nan
    else:
        x = rng.integers(0, 7 if values == "uint8" else 1000, shape).astype(values)
    k = data.draw(st.integers(0, n // 4))
    assert np.array_equal(S._order_head(x, dim, k, descending),
                          _full_head(x, dim, k, descending))
    j = data.draw(st.integers(0, n - 1))
    want = np.take(S._order(x, dim, False), [j], axis=dim).astype(np.int64)
    assert np.array_equal(S._order_at(x, dim, j), want)


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape, dim", [((50, 1000), 1), ((1000, 30), 0), ((4, 5, 200), -1)])
def test_topk_kthvalue_median_match_torch(shape, dim):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(7).permutation(np.prod(shape)).reshape(shape) / 7.0  # distinct
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for largest in (True, False):
        got, want = a.topk(10, dim, largest), t.topk(10, dim, largest)
        assert np.array_equal(got.values.detach().numpy(), want.values.detach().numpy())
        assert np.array_equal(got.indices.numpy(), want.indices.numpy())
    for ours, theirs in ((a.kthvalue(17, dim), t.kthvalue(17, dim)),
                         (a.median(dim), t.median(dim))):
        assert np.array_equal(ours.values.detach().numpy(), theirs.values.detach().numpy())
        assert np.array_equal(ours.indices.numpy(), theirs.indices.numpy())
    (a.topk(3, dim).values.sum() + a.median(dim).values.sum()).backward()
    (t.topk(3, dim).values.sum() + t.median(dim).values.sum()).backward()
    assert np.array_equal(a.grad.numpy(), t.grad.numpy())
