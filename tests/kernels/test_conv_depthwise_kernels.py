"""The depthwise convolution kernels (``groups`` equal to the input channels): the Numba loops
(serial and parallel builds, float32 and float64, random windows and channel multipliers) equal
their numpy twins, the twins equal the sums written out by their definition (float64), the
input gradient is the forward's adjoint, and bad arguments are refused before any loop runs.
At the op level: ``F.conv2d``/``conv1d`` with ``groups == C`` against PyTorch, gradcheck and
gradgradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from autograd_core.kernels import _conv_numba as NB
from autograd_core.kernels import conv as K


@st.composite
def windows(draw):
    N, C, m = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, (kh - 1) * dh + 1 - 2 * ph), 8))
    W = draw(st.integers(max(1, (kw - 1) * dw + 1 - 2 * pw), 8))
    oh = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    return (N, C, H, W), m, K.Window(kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


def _definition(x, w, b, win):
    """Every output element the sum over its taps, in float64, by the definition."""
    N, C, H, W = x.shape
    O = w.shape[0]
    m = O // C
    out = np.zeros((N, O, win.oh, win.ow))
    for o in range(O):
        for y in range(win.oh):
            for x_ in range(win.ow):
                for i in range(win.kh):
                    for j in range(win.kw):
                        iy = y * win.sh + i * win.dh - win.ph
                        ix = x_ * win.sw + j * win.dw - win.pw
                        if 0 <= iy < H and 0 <= ix < W:
                            out[:, o, y, x_] += float(w[o, 0, i, j]) * x[:, o // m, iy, ix]
    return out + (0 if b is None else b.reshape(1, O, 1, 1))


def _builds(name, *args):
    outs = []
    for build in (getattr(NB, f"{name}_serial"), getattr(NB, f"{name}_parallel")):
        outs.append(build(*args))
    return outs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=30, deadline=None)
@given(case=windows(), seed=st.integers(0, 2**16), bias=st.booleans())
def test_loops_match_twins_and_definition(dtype, case, seed, bias):
    (N, C, H, W), m, win = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((C * m, 1, win.kh, win.kw)).astype(dtype)
    b = rng.standard_normal(C * m).astype(dtype) if bias else None
    g = rng.standard_normal((N, C * m, win.oh, win.ow)).astype(dtype)
    xp = K.depthwise_padded(x, win)
    args = (m, win.sh, win.sw, win.dh, win.dw)
    # forward: both builds equal the twin exactly (same taps in the same order, one rounding
    # per multiply-add), and the definition to rounding
    twin = K.depthwise_forward_numpy(xp, w, b, win)
    for build in (NB.dw_forward_serial, NB.dw_forward_parallel):
        out = np.empty_like(twin)
        build(xp, w, np.zeros(0, dtype) if b is None else b, out, *args)
        np.testing.assert_array_equal(out, twin)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(twin, _definition(x.astype(np.float64), w, b, win), rtol=tol,
                               atol=tol)
    # input gradient: equal to the twin, and the adjoint of the (bias-free) forward
    twin_gx = K.depthwise_input_grad_numpy(g, w, x.shape, win)
    for build in (NB.dw_input_grad_serial, NB.dw_input_grad_parallel):
        gxp = np.empty((N, C, H + 2 * win.ph, W + 2 * win.pw), dtype)
        build(g, w, gxp, *args)
        np.testing.assert_array_equal(gxp[:, :, win.ph:win.ph + H, win.pw:win.pw + W], twin_gx)
    lhs = float((_definition(x.astype(np.float64), w, None, win) * g).sum())
    assert np.isclose(lhs, float((x.astype(np.float64) * twin_gx).sum()), rtol=tol, atol=tol)
    # weight gradient: each tap's float64 sum per sample (order may differ: to rounding)
    twin_gw = K.depthwise_weight_grad_numpy(xp, g, win)
    for build in (NB.dw_weight_grad_serial, NB.dw_weight_grad_parallel):
        gw = np.empty_like(twin_gw)
        build(xp, g, gw, *args)
        np.testing.assert_allclose(gw, twin_gw, rtol=tol, atol=tol)
    exact = np.zeros(w.shape)
    for o in range(C * m):
        for i in range(win.kh):
            for j in range(win.kw):
                e = np.zeros_like(w, dtype=np.float64)
                e[o, 0, i, j] = 1
                exact[o, 0, i, j] = (_definition(x.astype(np.float64), e, None, win) * g).sum()
    np.testing.assert_allclose(twin_gw, exact, rtol=tol, atol=tol)


def test_closed_form_by_hand():
    # one channel 3x3, kernel 2x2 of ones except w[0,0,1,1] = 2, no padding:
    # out[y, x] = x[y,x] + x[y,x+1] + x[y+1,x] + 2*x[y+1,x+1]
    x = np.arange(9, dtype=np.float64).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 1.0], [1.0, 2.0]]]])
    win = K.Window(2, 2, 1, 1, 0, 0, 1, 1, 2, 2)
    np.testing.assert_array_equal(K.depthwise_forward(x, w, None, win)[0, 0],
                                  [[0 + 1 + 3 + 8, 1 + 2 + 4 + 10], [3 + 4 + 6 + 14, 4 + 5 + 7 + 16]])
    g = np.ones((1, 1, 2, 2))
    # each input element gets the weights of the taps that read it
    np.testing.assert_array_equal(K.depthwise_input_grad(g, w, x.shape, win)[0, 0],
                                  [[1, 2, 1], [2, 5, 3], [1, 3, 2]])
    # each tap: the sum of the 2x2 block it reads
    np.testing.assert_array_equal(K.depthwise_weight_grad(x, g, win)[0, 0],
                                  [[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]])


def test_public_kernels_agree_with_twins_by_backend(monkeypatch):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 7, 6))
    w = rng.standard_normal((6, 1, 3, 2))
    b = rng.standard_normal(6)
    win = K.Window(3, 2, 2, 1, 1, 1, 1, 2, 4, 6)
    g = rng.standard_normal((2, 6, 4, 6))
    calls = [lambda: K.depthwise_forward(x, w, b, win),
             lambda: K.depthwise_input_grad(g, w, x.shape, win),
             lambda: K.depthwise_weight_grad(x, g, win)]
    fast = [c() for c in calls]
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    for c, f in zip(calls, fast):
        np.testing.assert_allclose(c(), f, rtol=1e-12, atol=1e-12)


def test_bad_arguments_are_refused_before_any_loop():
    x = np.zeros((1, 2, 4, 4), np.float32)
    w = np.zeros((4, 1, 3, 3), np.float32)
    win = K.Window(3, 3, 1, 1, 0, 0, 1, 1, 2, 2)
    with pytest.raises(ValueError, match="depthwise_forward: weight must be"):
        K.depthwise_forward(x, w[:3], None, win)
    with pytest.raises(ValueError, match="depthwise_forward: weight must be"):
        K.depthwise_forward(x, w.astype(np.float64), None, win)
    with pytest.raises(ValueError, match="depthwise_forward: bias must be"):
        K.depthwise_forward(x, w, np.zeros(3, np.float32), win)
    with pytest.raises(ValueError, match="reaches beyond the padded input"):
        K.depthwise_forward(x, w, None, win._replace(oh=3))
    with pytest.raises(ValueError, match="padded must be depthwise_padded"):
        K.depthwise_forward(x, w, None, win, padded=np.zeros((1, 2, 5, 5), np.float32))
    with pytest.raises(ValueError, match="depthwise_input_grad: g must have shape"):
        K.depthwise_input_grad(np.zeros((1, 4, 3, 2), np.float32), w, x.shape, win)
    with pytest.raises(ValueError, match="depthwise_weight_grad: g must be"):
        K.depthwise_weight_grad(x, np.zeros((1, 3, 2, 2), np.float32), win)
    with pytest.raises(ValueError, match="depthwise_padded: x must be"):
        K.depthwise_padded(x.astype(np.int64), win)


def _t(a, grad=False):
    return ag.tensor(a, requires_grad=grad)


@pytest.mark.parametrize("dims", [1, 2])
def test_depthwise_op_gradcheck_and_gradgradcheck(dims):
    rng = np.random.default_rng(5)
    shape = (2, 3, 7) if dims == 1 else (2, 3, 6, 5)
    k = (3,) if dims == 1 else (3, 2)
    x = _t(rng.standard_normal(shape), True)
    w = _t(rng.standard_normal((6, 1) + k), True)
    b = _t(rng.standard_normal(6), True)
    conv = F.conv1d if dims == 1 else F.conv2d

    def fn(x, w, b):
        return conv(x, w, b, stride=2, padding=1, dilation=1, groups=3)

    assert ag.autograd.gradcheck(fn, (x, w, b))
    assert ag.autograd.gradgradcheck(fn, (x, w, b))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("m,stride,padding,dilation", [(1, 1, 1, 1), (2, 2, 0, 1), (1, 1, 2, 2),
                                                       (3, (2, 1), (1, 0), (1, 2))])
def test_depthwise_conv2d_matches_torch(dtype, m, stride, padding, dilation):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    C = 8
    x = rng.standard_normal((4, C, 12, 11)).astype(dtype)
    w = rng.standard_normal((C * m, 1, 3, 3)).astype(dtype)
    b = rng.standard_normal(C * m).astype(dtype)
    xs, ws, bs = _t(x, True), _t(w, True), _t(b, True)
    y = F.conv2d(xs, ws, bs, stride, padding, dilation, C)
    gy = rng.standard_normal(tuple(y.shape)).astype(dtype)
    y.backward(_t(gy))
    X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    Y = torch.nn.functional.conv2d(X, W, B, stride, padding, dilation, C)
    Y.backward(torch.tensor(gy))
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    for ours, theirs in [(y, Y), (xs.grad, X.grad), (ws.grad, W.grad), (bs.grad, B.grad)]:
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **tol)
