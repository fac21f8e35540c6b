"""The direct convolution kernels (``conv2d_forward``, ``conv2d_input_grad``,
``conv2d_weight_grad``) and ``nhwc_padded``: the Numba loops (serial and parallel builds, every
vector-block width, float32 and float64, random windows) equal their numpy twins, the twins
equal sums written out by hand, and bad arguments are refused before any loop runs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import _conv_direct as D
from autograd_core.kernels import conv as K


def _direct_sum(x, w, b, win):
    """The cross-correlation by its definition: every output element a sum over (c, i, j)."""
    N, C, H, W = x.shape
    O = w.shape[0]
    out = np.zeros((N, O, win.oh, win.ow))
    for y in range(win.oh):
        for x_ in range(win.ow):
            for i in range(win.kh):
                for j in range(win.kw):
                    iy = y * win.sh + i * win.dh - win.ph
                    ix = x_ * win.sw + j * win.dw - win.pw
                    if 0 <= iy < H and 0 <= ix < W:
                        out[:, :, y, x_] += x[:, :, iy, ix] @ w[:, :, i, j].T
    return out + (0 if b is None else b.reshape(1, O, 1, 1))


@st.composite
def windows(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, (kh - 1) * dh + 1 - 2 * ph), 9))
    W = draw(st.integers(max(1, (kw - 1) * dw + 1 - 2 * pw), 9))
    oh = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    return (draw(st.integers(1, 3)), H, W), K.Window(kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


def _lanes(dtype):
    return D.VECTOR_BYTES // np.dtype(dtype).itemsize


def _both_builds(fn):
    """``fn()`` with the serial and with the parallel builds of the loops."""
    out = []
    for threshold in (1 << 62, 0):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(K, "DIRECT_PARALLEL_MIN_MACS", threshold)
            mp.delenv("TAPEGRAD_PARALLEL", raising=False)
            out.append(fn())
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
# vector blocks of 1, 2 and 4 vectors, several blocks of one vector (3 = 3 x 1), of 4 (8 = 2 x 4)
@pytest.mark.parametrize("out_vectors", [1, 2, 3, 4, 8])
@settings(max_examples=12, deadline=None)
@given(case=windows(), cin=st.integers(1, 5), bias=st.booleans(), seed=st.integers(0, 2**16))
def test_forward_and_weight_grad_match_twins(dtype, out_vectors, case, cin, bias, seed):
    (N, H, W), win = case
    O = out_vectors * _lanes(dtype)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, cin, H, W)).astype(dtype)
    w = rng.standard_normal((O, cin, win.kh, win.kw)).astype(dtype)
    b = rng.standard_normal(O).astype(dtype) if bias else None
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    ref = K.conv2d_forward_numpy(x, w, b, win)
    np.testing.assert_allclose(ref, _direct_sum(x, w, b, win), **tol)
    for out in _both_builds(lambda: K.conv2d_forward(x, w, b, win)):
        assert out.shape == ref.shape and out.dtype == dtype
        np.testing.assert_allclose(out, ref, **tol)
    g = rng.standard_normal(out.shape).astype(dtype)
    gw_ref = K.conv2d_weight_grad_numpy(x, g, win)
    # <conv(x, w), g> is linear in w: its gradient is gw, checked on one random direction
    v = rng.standard_normal(w.shape)
    lhs = (K.conv2d_forward_numpy(x.astype(np.float64), v, None, win) * g).sum()
    assert (gw_ref * v).sum() == pytest.approx(lhs, rel=1e-4 if dtype == np.float32 else 1e-10,
                                               abs=1e-3)
    for gw in _both_builds(lambda: K.conv2d_weight_grad(x, g, win)):
        assert gw.shape == w.shape and gw.dtype == dtype
        np.testing.assert_allclose(gw, gw_ref, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("in_vectors", [1, 2, 4])
@settings(max_examples=12, deadline=None)
@given(case=windows(), cout=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_input_grad_matches_twin_and_is_the_adjoint(dtype, in_vectors, case, cout, seed):
    (N, H, W), win = case
    C = in_vectors * _lanes(dtype)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((cout, C, win.kh, win.kw)).astype(dtype)
    g = rng.standard_normal((N, cout, win.oh, win.ow)).astype(dtype)
    ref = K.conv2d_input_grad_numpy(g, w, x.shape, win)
    # <conv(x), g> == <x, conv^T(g)>
    lhs = (_direct_sum(x.astype(np.float64), w.astype(np.float64), None, win) * g).sum()
    assert (x * ref.astype(np.float64)).sum() == pytest.approx(
        lhs, rel=1e-4 if dtype == np.float32 else 1e-10, abs=1e-3)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    for gx in _both_builds(lambda: K.conv2d_input_grad(g, w, x.shape, win)):
        assert gx.shape == x.shape and gx.dtype == dtype
        np.testing.assert_allclose(gx, ref, **tol)


def test_forward_builds_agree_on_partial_position_blocks():
    # 7 output columns: one full block of 4 positions and a partial one; 48 channels: three
    # one-vector blocks
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 6, 9)).astype(np.float32)
    w = rng.standard_normal((48, 5, 2, 3)).astype(np.float32)
    win = K.Window(2, 3, 1, 1, 0, 0, 1, 1, 5, 7)
    for out in _both_builds(lambda: K.conv2d_forward(x, w, None, win)):
        np.testing.assert_allclose(out, _direct_sum(x, w, None, win), rtol=1e-5, atol=1e-5)


def test_results_are_channels_last_and_inputs_may_be_any_layout(monkeypatch):
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)  # the loops' layout, on any backend
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 5, 6)).astype(np.float64)
    w = rng.standard_normal((8, 4, 3, 3))
    win = K.Window(3, 3, 1, 1, 1, 1, 1, 1, 5, 6)
    out = K.conv2d_forward(x, w, None, win)
    assert out.transpose(0, 2, 3, 1).flags.c_contiguous
    # a channels-last input (what the forward returns) and a sliced one give the same numbers
    for xv in (np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2),
               np.concatenate([x, x], axis=3)[:, :, :, ::2][:, :, :, :6]):
        np.testing.assert_allclose(K.conv2d_forward(np.ascontiguousarray(xv), w, None, win),
                                   K.conv2d_forward(xv, w, None, win), rtol=0, atol=0)
    out = np.full((2, 6, 11, 4), np.nan)  # every element written, the borders zero
    xp = K.nhwc_padded(x, 1, 2, 0, 3, out=out)
    assert xp is out and xp.shape == (2, 6, 11, 4)
    np.testing.assert_array_equal(xp, np.pad(x.transpose(0, 2, 3, 1),
                                             ((0, 0), (1, 0), (2, 3), (0, 0))))


def test_closed_forms_by_hand():
    # one channel of ones, a 2x2 kernel of ones, padding 1: each output counts the input
    # elements its window covers; the weight gradient for g = 1 counts every (tap, position)
    lanes = _lanes(np.float64)
    x = np.ones((1, 1, 2, 2))
    w = np.ones((lanes, 1, 2, 2))
    win = K.Window(2, 2, 1, 1, 1, 1, 1, 1, 3, 3)
    out = K.conv2d_forward(x, w, np.arange(lanes, dtype=np.float64), win)
    np.testing.assert_array_equal(out[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(out[0, 1], [[2, 3, 2], [3, 5, 3], [2, 3, 2]])
    gw = K.conv2d_weight_grad(x, np.ones((1, lanes, 3, 3)), win)
    np.testing.assert_array_equal(gw, np.full((lanes, 1, 2, 2), 4.0))
    # the input gradient of a stride-2 1x1 convolution lands on the even positions only
    x4 = np.zeros((1, lanes, 4, 4))
    g = np.arange(4.0).reshape(1, 1, 2, 2)
    gx = K.conv2d_input_grad(g, np.full((1, lanes, 1, 1), 2.0), x4.shape,
                             K.Window(1, 1, 2, 2, 0, 0, 1, 1, 2, 2))
    expect = np.zeros((4, 4))
    expect[::2, ::2] = 2 * np.arange(4.0).reshape(2, 2)
    for c in range(lanes):
        np.testing.assert_array_equal(gx[0, c], expect)


def test_bad_arguments_are_refused_before_any_loop():
    lanes = _lanes(np.float32)
    x = np.zeros((1, 2, 4, 4), np.float32)
    w = np.zeros((lanes, 2, 3, 3), np.float32)
    win = K.Window(3, 3, 1, 1, 0, 0, 1, 1, 2, 2)
    with pytest.raises(ValueError, match="conv2d_forward: .* output channels of float32"):
        K.conv2d_forward(x, w[:lanes - 1], None, win)
    with pytest.raises(ValueError, match="conv2d_forward: weight must be"):
        K.conv2d_forward(x, w.astype(np.float64), None, win)
    with pytest.raises(ValueError, match="conv2d_forward: bias must be"):
        K.conv2d_forward(x, w, np.zeros(3, np.float32), win)
    with pytest.raises(ValueError, match="reaches beyond the padded input"):
        K.conv2d_forward(x, w, None, win._replace(oh=3))
    with pytest.raises(ValueError, match="padded must be nhwc_padded"):
        K.conv2d_forward(x, w, None, win, padded=np.zeros((1, 4, 4, 3), np.float32))
    with pytest.raises(ValueError, match="conv2d_input_grad: 2 input channels"):
        K.conv2d_input_grad(np.zeros((1, lanes, 2, 2), np.float32), w, x.shape, win)
    with pytest.raises(ValueError, match="conv2d_input_grad: g .* do not fit"):
        K.conv2d_input_grad(np.zeros((1, lanes, 3, 2), np.float32), w, x.shape, win)
    with pytest.raises(ValueError, match="conv2d_weight_grad: g must be"):
        K.conv2d_weight_grad(x, np.zeros((1, lanes, 2, 3), np.float32), win)
    with pytest.raises(ValueError, match="conv2d_weight_grad: 3 output channels"):
        K.conv2d_weight_grad(x, np.zeros((1, 3, 2, 2), np.float32), win)
    with pytest.raises(ValueError, match="nhwc_padded: out must be"):
        K.nhwc_padded(x, 1, 1, out=np.zeros((1, 6, 6, 2)))
    assert K.direct_supported(np.float32, 2 * lanes) and not K.direct_supported(np.int64, 16)


def test_public_kernels_agree_with_twins_by_backend(monkeypatch):
    rng = np.random.default_rng(3)
    lanes = _lanes(np.float64)
    x = rng.standard_normal((2, lanes, 5, 5))
    w = rng.standard_normal((lanes, lanes, 3, 3))
    win = K.Window(3, 3, 2, 1, 1, 0, 1, 2, 3, 1)
    g = rng.standard_normal((2, lanes, 3, 1))
    calls = [lambda: K.conv2d_forward(x, w, None, win),
             lambda: K.conv2d_input_grad(g, w, x.shape, win),
             lambda: K.conv2d_weight_grad(x, g, win)]
    fast = [c() for c in calls]
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    for c, f in zip(calls, fast):
        np.testing.assert_allclose(c(), f, rtol=1e-12, atol=1e-12)
