"""The softmax row kernels (autograd_core.kernels.softmax): each Numba loop agrees with its numpy
twin (float32 exp differs from numpy's by an ulp at most), the special rows (all -inf, NaN,
+inf, one column) come out as PyTorch's, the parallel build equals the serial one, and bad
arguments are refused before any loop."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from autograd_core.kernels import _jit
from autograd_core.kernels import softmax as SK

TOL = {np.float32: 4e-7 * 8, np.float64: 1e-15 * 8}


def _all(x, g):
    y, ly = SK.softmax_rows(x), SK.log_softmax_rows(x)
    return {"softmax": (y, SK.softmax_rows_numpy(x)),
            "safe": (SK.softmax_rows(x, safe=True), SK.softmax_rows_numpy(x, safe=True)),
            "log_softmax": (ly, SK.log_softmax_rows_numpy(x)),
            "softmax_backward": (SK.softmax_backward_rows(g, y),
                                 SK.softmax_backward_rows_numpy(g, y)),
            "log_softmax_backward": (SK.log_softmax_backward_rows(g, ly),
                                     SK.log_softmax_backward_rows_numpy(g, ly))}


@given(shape=st.tuples(st.integers(1, 5), st.integers(1, 70)),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 100))
def test_kernels_equal_their_twins(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 5).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    for name, (got, want) in _all(x, g).items():
        assert got.dtype == dtype and got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=TOL[dtype],
                                   atol=TOL[dtype] * max(1.0, np.abs(want).max()), err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_rows(dtype):
    inf, nan = np.inf, np.nan  # (PyTorch's results for these rows: see its softmax)
    x = np.array([[-inf, -inf, -inf], [0.0, nan, 1.0], [inf, 0.0, 1.0], [-inf, 0.0, -inf],
                  [2.0, 2.0, 2.0]], dtype)
    y = SK.softmax_rows(x)
    assert np.isnan(y[0]).all() and np.isnan(y[1]).all()  # as PyTorch's softmax
    assert np.isnan(y[2]).all()  # inf - inf: NaN, as PyTorch's
    np.testing.assert_array_equal(y[3], [0.0, 1.0, 0.0])
    np.testing.assert_allclose(y[4], [1 / 3] * 3, rtol=1e-7)
    safe = SK.softmax_rows(x, safe=True)
    np.testing.assert_array_equal(safe[0], [0.0, 0.0, 0.0])  # a query that attends to nothing
    np.testing.assert_array_equal(safe[3], y[3])
    assert np.isnan(safe[1]).all() and np.isnan(safe[2]).all()
    ly = SK.log_softmax_rows(x)
    assert np.isnan(ly[:2]).all()  # as PyTorch's
    # a +inf entry: inf - inf is NaN, so the whole row, as PyTorch's (it gave [nan, -inf, -inf])
    assert np.isnan(ly[2]).all() and np.isnan(SK.log_softmax_rows_numpy(x)[2]).all()
    np.testing.assert_array_equal(ly[3], [-inf, 0.0, -inf])
    np.testing.assert_array_equal(SK.softmax_rows(np.ones((2, 1), dtype)), np.ones((2, 1)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parallel_build_equals_serial(dtype, monkeypatch):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((300, 37)) * 4).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    serial = _all(x, g)
    causal = SK.softmax_rows(x, safe=True, causal=30)
    monkeypatch.setattr(SK, "PARALLEL_MIN_SIZE", 64)
    for name, (got, _) in _all(x, g).items():
        np.testing.assert_array_equal(got, serial[name][0], err_msg=name)
    np.testing.assert_array_equal(SK.softmax_rows(x, safe=True, causal=30), causal)


def test_refusals():
    with pytest.raises(ValueError, match="softmax_rows: expects a C-contiguous 2-D"):
        SK.softmax_rows(np.ones((3, 4), np.float32).T)
    with pytest.raises(ValueError, match="log_softmax_rows: expects"):
        SK.log_softmax_rows(np.ones((3, 4), np.int64))
    with pytest.raises(ValueError, match="softmax_backward_rows: g must be"):
        SK.softmax_backward_rows(np.ones((3, 4)), np.ones((3, 4), np.float32))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ops_within_an_ulp_of_torch_on_average(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((64, 8, 40)) * 3).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    for name in ("softmax", "log_softmax"):
        tx = torch.tensor(x, requires_grad=True)
        ty = getattr(torch, name)(tx, -1)
        ty.backward(torch.from_numpy(g))
        ax = ag.tensor(x, requires_grad=True)
        ay = getattr(F, name)(ax, -1)
        ay.backward(ag.from_numpy(g))
        for got, want, ulps in ((ay.detach().numpy(), ty.detach().numpy(), 1.0),
                                (ax.grad.numpy(), tx.grad.numpy(), 8.0)):  # (cancellation)
            ulp = np.spacing(np.abs(want).astype(dtype)).astype(np.float64)
            err = np.abs(got.astype(np.float64) - want) / ulp
            assert err.mean() < ulps, (name, err.mean())
            np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == "float32" else 1e-12,
                                       atol=1e-6 if dtype == "float32" else 1e-14)


def test_gradgradcheck_through_the_fused_nodes():
    rng = np.random.default_rng(3)
    x = ag.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    for f in (lambda t: F.softmax(t, -1), lambda t: F.log_softmax(t, -1),
              lambda t: F.scaled_dot_product_attention(t[None], t[None], t[None])):
        assert ag.gradcheck(f, (x,))
        assert ag.gradgradcheck(f, (x,))


@given(shape=st.tuples(st.integers(1, 6), st.integers(1, 50)),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 100))
def test_cross_entropy_kernels_equal_their_twins(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 5).astype(dtype)
    c = rng.standard_normal(shape[0]).astype(dtype)
    t = rng.integers(0, shape[1], shape[0])
    m, ls = SK.logsumexp_rows(x)
    wm, wls = SK.logsumexp_rows_numpy(x)
    np.testing.assert_array_equal(m, wm)  # the max is exact
    np.testing.assert_allclose(ls, wls, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_allclose((x - m[:, None]) - ls[:, None], SK.log_softmax_rows(x),
                               rtol=0, atol=0)  # the same numbers as log_softmax_rows
    got, want = SK.nll_backward_rows(x, ls, c, t), SK.nll_backward_rows_numpy(x, ls, c, t)
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_gradient_mostly_torch_bits(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((64, 300)) * 3).astype(dtype)
    y = rng.integers(0, 300, 64)
    y[0] = -100
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.cross_entropy(tx, torch.from_numpy(y)).backward()
    ax = ag.tensor(x, requires_grad=True)
    F.cross_entropy(ax, ag.from_numpy(y)).backward()
    got, want = ax.grad.numpy(), tx.grad.numpy()
    np.testing.assert_array_equal(got[0], 0.0)  # the ignored sample
    np.testing.assert_allclose(got, want, rtol=0, atol=4 * np.finfo(dtype).eps * abs(want).max())
    if _jit.use_numba():  # (the twins, under TAPEGRAD_KERNELS=numpy, take numpy's exp)
        assert (got == want).mean() > 0.8  # numpy's exp gave torch's bits on ~56% (float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_underflowing_entries_are_exact_zeros(dtype):
    # a causal mask's -inf and logits far below the max: exp rounds to 0 (the float32 kernel
    # skips computing it there), the rest of the row is untouched, NaN still propagates
    x = np.array([[0.0, -np.inf, -200.0, -102.0, 1.0], [np.nan, -np.inf, 0.0, 0.0, 0.0]], dtype)
    y = SK.softmax_rows(x)
    assert y[0, 1] == 0.0 and y[0, 3] > 0.0  # exp(-103) ~ 1.8e-45: a float32 subnormal
    assert (y[0, 2] == 0.0) == (dtype == np.float32)  # exp(-201): 0 in float32 only
    np.testing.assert_allclose(y[0], SK.softmax_rows_numpy(x)[0], rtol=1e-6, atol=0)
    assert np.isnan(y[1]).all()
    g = SK.log_softmax_backward_rows(np.ones_like(x[:1]), SK.log_softmax_rows(x[:1]))
    np.testing.assert_allclose(g, SK.log_softmax_backward_rows_numpy(
        np.ones_like(x[:1]), SK.log_softmax_rows_numpy(x[:1])), rtol=1e-6, atol=1e-7)


@pytest.mark.torch_parity
def test_logsumexp_float32_last_dim_on_the_kernel_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((300, 200)) * 3).astype(np.float32)
    x[0, 5], x[1, :] = np.inf, -np.inf  # +inf row: inf; all -inf row: -inf (as torch)
    want = torch.logsumexp(torch.from_numpy(x), 1).numpy()
    for dim in (1, -1, (1,)):
        got = ag.logsumexp(ag.from_numpy(x), dim).numpy()
        assert got[0] == np.inf and got[1] == -np.inf
        np.testing.assert_allclose(got[2:], want[2:], rtol=2 * np.finfo(np.float32).eps)
    kept = ag.logsumexp(ag.from_numpy(x), -1, keepdim=True).numpy()
    assert kept.shape == (300, 1)
    if _jit.use_numba():
        assert (got[2:] == want[2:]).mean() > 0.9


@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_a_positive_infinite_logit_makes_its_row_nan(dtype, smoothing):
    # PyTorch: log_softmax subtracts the row max, inf - inf = NaN, and the NaN reaches the
    # row's log-sum; cross_entropy (log_softmax, then nll) is NaN for that sample, whichever
    # the target. It was [nan, -inf] and a loss of +inf for a finite target's logit
    x = ag.tensor([[float("inf"), 1.0], [0.0, 1.0]], dtype=dtype, requires_grad=True)
    ly = F.log_softmax(x, dim=-1)
    assert np.isnan(ly[0].detach().numpy()).all()
    assert np.isnan(F.log_softmax(x.detach().t(), dim=0).numpy()[:, 0]).all()  # other dims too
    np.testing.assert_allclose(ly[1].detach().numpy(), [-np.log1p(np.e), -np.log1p(np.exp(-1))],
                               rtol=1e-6)
    loss = F.cross_entropy(x, ag.tensor([1, 1]), reduction="none", label_smoothing=smoothing)
    assert np.isnan(loss[0].item()) and np.isfinite(loss[1].item())
    loss.sum().backward()
    assert np.isnan(x.grad.numpy()[0]).all() and np.isfinite(x.grad.numpy()[1]).all()
    # logsumexp keeps its +inf (PyTorch's logsumexp treats an infinite max apart)
    assert ag.logsumexp(x.detach(), dim=-1)[0].item() == np.inf


@given(blocks=st.integers(1, 3), causal=st.integers(1, 40), cols=st.integers(1, 70),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 100))
def test_causal_rows_equal_the_added_mask(blocks, causal, cols, dtype, seed):
    """``causal=`` is the safe softmax of the rows with ``-inf`` added right of each block's
    diagonal, bit for bit (the kernel skips those columns; values there are never read), and
    the numpy twin says the same."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((blocks * causal, cols)) * 5).astype(dtype)
    x[rng.random(x.shape) < 0.1] = -np.inf
    bias = np.where(np.tri(causal, cols, dtype=bool), 0.0, -np.inf).astype(dtype)
    want = SK.softmax_rows(np.ascontiguousarray((x.reshape(blocks, causal, cols) + bias)
                                                .reshape(x.shape)), safe=True)
    x[~np.tile(np.tri(causal, cols, dtype=bool), (blocks, 1))] = np.nan  # never read
    got = SK.softmax_rows(x, safe=True, causal=causal)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(SK.softmax_rows_numpy(x, safe=True, causal=causal), want,
                               rtol=TOL[dtype], atol=TOL[dtype])


@given(rows=st.integers(1, 9), cols=st.integers(1, 70), causal=st.sampled_from([0, 3]),
       scale=st.sampled_from([0.125, 0.3, 1.7]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 100))
def test_scaled_rows_equal_the_separate_multiply(rows, cols, causal, scale, dtype, seed):
    """``scale=`` is the softmax of ``x * scale`` rounded in ``x``'s dtype, forward and
    backward (``softmax_backward_rows(...) * scale``), bit for bit; the twins agree."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((rows * max(causal, 1), cols)) * 5).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    s = dtype(scale)
    y = SK.softmax_rows(x, safe=True, causal=causal, scale=scale)
    np.testing.assert_array_equal(y, SK.softmax_rows(x * s, safe=True, causal=causal))
    np.testing.assert_array_equal(SK.softmax_backward_rows(g, y, scale),
                                  SK.softmax_backward_rows(g, y) * s)
    np.testing.assert_allclose(SK.softmax_rows_numpy(x, True, causal, scale), y,
                               rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_allclose(SK.softmax_backward_rows_numpy(g, y, scale),
                               SK.softmax_backward_rows(g, y, scale), rtol=TOL[dtype],
                               atol=TOL[dtype] * max(1.0, np.abs(g).max()))


def test_causal_rows_refusals():
    x = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="causal"):
        SK.softmax_rows(x, safe=True, causal=-1)
    with pytest.raises(ValueError, match="safe=True"):
        SK.softmax_rows(x, causal=2)
    with pytest.raises(ValueError, match="safe=True"):
        SK.softmax_rows(x, scale=0.5)



@pytest.mark.parametrize("cols", [1, 7, 33, 1000, 4097])
def test_float32_row_sums_are_the_exactly_rounded_sums(cols):
    # the float32 rows' float64 sums are taken in any order (vectorised): rounded to float32,
    # they must still be the exact sum rounded, as the fixed-order sums were
    rng = np.random.default_rng(cols)
    g = rng.standard_normal((300, cols)).astype(np.float32)
    y = SK.softmax_rows((rng.standard_normal((300, cols)) * 4).astype(np.float32))
    s = np.float32([math.fsum(row) for row in (g * y).astype(np.float64)])[:, None]
    np.testing.assert_array_equal(SK.softmax_backward_rows(g, y), y * (g - s))


def test_shape_gives_a_new_array_of_that_shape():
    # (a reshaped view handed to autograd as a leaf's gradient would be copied there)
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    g = np.random.default_rng(1).standard_normal((6, 5)).astype(np.float32)
    y, ly = SK.softmax_rows(x), SK.log_softmax_rows(x)
    for got, want in ((SK.softmax_rows(x, shape=(2, 3, 5)), y),
                      (SK.log_softmax_rows(x, shape=(2, 3, 5)), ly),
                      (SK.softmax_backward_rows(g, y, shape=(2, 3, 5)),
                       SK.softmax_backward_rows(g, y)),
                      (SK.log_softmax_backward_rows(g, ly, shape=(2, 3, 5)),
                       SK.log_softmax_backward_rows(g, ly))):
        assert got.shape == (2, 3, 5) and got.base is None
        np.testing.assert_array_equal(got.reshape(6, 5), want)
    with pytest.raises(ValueError):
        SK.softmax_rows(x, shape=(2, 3))
