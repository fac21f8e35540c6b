"""The convolution / pooling kernels: Numba loops equal their numpy twins (serial and parallel
builds, float32 and float64, random windows), the twins equal closed forms worked by hand,
im2col and col2im are adjoint, and bad arguments are refused before any loop runs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_core.kernels import _conv_numba as NB
from autograd_core.kernels import conv as K


@st.composite
def windows(draw, pool=False):
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dh, dw = (1, 1) if pool == "avg" else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    H = draw(st.integers((kh - 1) * dh + 1, 7))
    W = draw(st.integers((kw - 1) * dw + 1, 7))
    ceil = draw(st.booleans()) if pool else False
    oh = (H + 2 * ph - dh * (kh - 1) - 1 + (sh - 1 if ceil else 0)) // sh + 1
    ow = (W + 2 * pw - dw * (kw - 1) - 1 + (sw - 1 if ceil else 0)) // sw + 1
    if ceil:
        oh -= (oh - 1) * sh >= H + ph
        ow -= (ow - 1) * sw >= W + pw
    return (N, C, H, W), K.Window(kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


def _builds(name):
    return [getattr(NB, f"{name}_serial"), getattr(NB, f"{name}_parallel")]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=windows(), seed=st.integers(0, 2**16))
def test_im2col_col2im_match_twins_and_are_adjoint(dtype, case, seed):
    shape, win = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    cols_ref = K.im2col_numpy(x, win)
    # the loops read (im2col) and write (col2im) a zero-padded input; the unit-step builds take
    # stride and dilation 1 and no step arguments
    xp = np.pad(x, ((0, 0), (0, 0), (win.ph, win.ph), (win.pw, win.pw)))
    steps = (win.sh, win.sw, win.dh, win.dw)
    builds = [("", (win.kh, win.kw) + steps + (win.oh, win.ow))]
    if steps == (1, 1, 1, 1):
        builds.append(("_unit", (win.kh, win.kw, win.oh, win.ow)))
    for suffix, args in builds:
        for loop in _builds("im2col" + suffix):
            out = np.full(cols_ref.shape, np.nan, dtype)
            loop(xp, out, *args)
            np.testing.assert_array_equal(out, cols_ref)
    np.testing.assert_array_equal(K.im2col(x, win), cols_ref)
    c = rng.standard_normal(cols_ref.shape).astype(dtype)
    back_ref = K.col2im_numpy(c, shape, win)
    crop = np.s_[:, :, win.ph:win.ph + shape[2], win.pw:win.pw + shape[3]]
    for suffix, args in builds:
        for loop in _builds("col2im" + suffix):
            out = np.full(xp.shape, np.nan, dtype)
            loop(c, out, *args)
            np.testing.assert_allclose(out[crop], back_ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(K.col2im(c, shape, win), back_ref, rtol=1e-6, atol=1e-6)
    # <im2col(x), c> == <x, col2im(c)>
    lhs = float((cols_ref.astype(np.float64) * c).sum())
    rhs = float((x.astype(np.float64) * back_ref).sum())
    assert lhs == pytest.approx(rhs, rel=1e-4, abs=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=windows(pool="max"), seed=st.integers(0, 2**16), ties=st.booleans())
def test_max_pool_matches_twin(dtype, case, seed, ties):
    shape, win = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    x = (np.round(x) if ties else x).astype(dtype)  # ties: the first maximum wins
    out_ref, idx_ref = K.max_pool2d_forward_numpy(x, win)
    g = rng.standard_normal(out_ref.shape).astype(dtype)
    gx_ref = K.max_pool2d_backward_numpy(g, idx_ref, shape)
    for fwd, bwd in zip(_builds("max_pool"), _builds("max_pool_backward")):
        out = np.empty_like(out_ref)
        idx = np.empty(out_ref.shape, np.int64)
        fwd(x, out, idx, *win)
        np.testing.assert_array_equal(out, out_ref)
        np.testing.assert_array_equal(idx, idx_ref)
        gx = np.full(shape, np.nan, dtype)
        planes = shape[0] * shape[1]  # the loop works on flat (N*C, H*W) planes
        bwd(g.reshape(planes, -1), idx.reshape(planes, -1), gx.reshape(planes, -1))
        np.testing.assert_allclose(gx, gx_ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=windows(pool="avg"), seed=st.integers(0, 2**16), cip=st.booleans(),
       div=st.sampled_from([None, 3]))
def test_avg_pool_matches_twin(dtype, case, seed, cip, div):
    shape, win = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    ref = K.avg_pool2d_forward_numpy(x, win, cip, div)
    g = rng.standard_normal(ref.shape).astype(dtype)
    gref = K.avg_pool2d_backward_numpy(g, shape, win, cip, div)
    d = 0 if div is None else div
    for fwd, bwd in zip(_builds("avg_pool"), _builds("avg_pool_backward")):
        out = np.empty_like(ref)
        fwd(x, out, *win, cip, d)
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)
        gx = np.full(shape, np.nan, dtype)
        bwd(g, gx, *win, cip, d)
        np.testing.assert_allclose(gx, gref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(rows=st.integers(1, 9), out_rows=st.integers(1, 9), width=st.integers(1, 3),
       offs=st.lists(st.integers(-6, 6), min_size=1, max_size=4), seed=st.integers(0, 2**16))
def test_shift_add_matches_twin_and_definition(dtype, rows, out_rows, width, offs, seed):
    rng = np.random.default_rng(seed)
    offs = np.array(offs, np.int64)
    t = rng.standard_normal((rows, width * offs.size)).astype(dtype)
    start = rng.standard_normal((out_rows, width)).astype(dtype)
    expected = start.astype(np.float64)
    for m in range(rows):  # the definition, element by element
        for k, off in enumerate(offs):
            if 0 <= m + off < out_rows:
                expected[m + off] += t[m, k * width:(k + 1) * width]
    got = K.shift_add(t, offs, start.copy())
    twin = start.copy()
    K.shift_add_numpy(t, offs, twin)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(twin, got, rtol=1e-6, atol=1e-6)


def test_public_kernels_agree_with_twins_by_backend(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 6, 5))
    win = K.Window(3, 2, 2, 1, 1, 1, 1, 2, 3, 5)
    flat = win._replace(dw=1)

    def run():
        return K.im2col(x, win), K.max_pool2d_forward(x, win)[1], K.avg_pool2d_forward(x, flat)

    numba_out = run()
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    numpy_out = run()
    for a, b in zip(numba_out, numpy_out):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_closed_forms_by_hand():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    # 2x2 windows, stride 2: one row per tap (i, j), one column per window (F.unfold's layout)
    cols = K.im2col(x, K.Window(2, 2, 2, 2, 0, 0, 1, 1, 2, 2))
    np.testing.assert_array_equal(cols, [[[0, 2, 8, 10], [1, 3, 9, 11], [4, 6, 12, 14],
                                          [5, 7, 13, 15]]])
    out, idx = K.max_pool2d_forward(x, K.Window(2, 2, 2, 2, 0, 0, 1, 1, 2, 2))
    np.testing.assert_array_equal(out[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(idx[0, 0], [[5, 7], [13, 15]])
    # 3x3 mean with padding 1 at the corner: 4 real values; divisor 9 or 4
    win = K.Window(3, 3, 3, 3, 1, 1, 1, 1, 1, 1)
    corner = (0 + 1 + 4 + 5)
    assert K.avg_pool2d_forward(x, win, True)[0, 0, 0, 0] == pytest.approx(corner / 9)
    assert K.avg_pool2d_forward(x, win, False)[0, 0, 0, 0] == pytest.approx(corner / 4)
    assert K.avg_pool2d_forward(x, win, True, 2)[0, 0, 0, 0] == pytest.approx(corner / 2)


def test_max_pool_nan_wins_and_last_nan_is_indexed():
    x = np.array([[[[1.0, np.nan, 3.0, np.nan]]]])
    win = K.Window(1, 4, 1, 1, 0, 0, 1, 1, 1, 1)
    for out, idx in (K.max_pool2d_forward(x, win), K.max_pool2d_forward_numpy(x, win)):
        assert np.isnan(out[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 3


def test_bad_arguments_are_refused_before_any_loop():
    win = K.Window(2, 2, 1, 1, 0, 0, 1, 1, 2, 2)
    with pytest.raises(ValueError, match="im2col: x must be a float32/float64 array of 4 dims"):
        K.im2col(np.zeros((3, 3)), win)
    with pytest.raises(ValueError, match="im2col: x must be"):
        K.im2col(np.zeros((1, 1, 3, 3), np.int64), win)
    with pytest.raises(ValueError, match="col2im: cols must be .* of shape \\(1, 4, 4\\)"):
        K.col2im(np.zeros((1, 4, 5)), (1, 1, 3, 3), win)
    big = win._replace(oh=3)  # a third row of windows would read/write past the padded input
    with pytest.raises(ValueError, match="im2col: window .* reaches beyond the padded input"):
        K.im2col(np.zeros((1, 1, 3, 3)), big)
    with pytest.raises(ValueError, match="col2im: window .* reaches beyond the padded input"):
        K.col2im(np.zeros((1, 4, 6)), (1, 1, 3, 3), big)
    with pytest.raises(ValueError, match="invalid window"):
        K.im2col(np.zeros((1, 1, 3, 3)), win._replace(sh=0))
    g = np.zeros((1, 1, 2, 2))
    with pytest.raises(ValueError, match="indices must lie in"):
        K.max_pool2d_backward(g, np.full((1, 1, 2, 2), 9, np.int64), (1, 1, 3, 3))
    with pytest.raises(ValueError, match="indices must be int64"):
        K.max_pool2d_backward(g, np.zeros((1, 1, 2, 2), np.int32), (1, 1, 3, 3))
    with pytest.raises(ValueError, match="g must have shape"):
        K.avg_pool2d_backward(g, (1, 1, 3, 3), win._replace(oh=3))
    x = np.ones((1, 1, 3, 3))
    with pytest.raises(ValueError, match="im2col: out must be a C-contiguous float64 array of "
                                         "shape \\(1, 4, 4\\)"):
        K.im2col(x, win, out=np.empty((1, 4, 4), np.float32))
    out = np.full((1, 4, 4), np.nan)
    assert K.im2col(x, win, out=out) is out and np.array_equal(out, K.im2col_numpy(x, win))
    with pytest.raises(ValueError, match="t must have 2 blocks of 3 columns, got 5"):
        K.shift_add(np.zeros((4, 5)), np.array([0, 1]), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="offs 1-D int64"):
        K.shift_add(np.zeros((4, 6)), np.array([0, 1], np.int32), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="out must be a C-contiguous"):
        K.shift_add(np.zeros((4, 6)), np.array([0, 1]), np.zeros((3, 4)).T)
    with pytest.raises(ValueError, match="average pooling has no dilation"):
        K.avg_pool2d_forward(np.zeros((1, 1, 3, 3)), win._replace(dh=2))
    with pytest.raises(ValueError, match="divisor must be not zero"):
        K.avg_pool2d_forward(np.zeros((1, 1, 3, 3)), win, True, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("H, W, kh, kw, ceil", [(8, 8, 2, 2, False), (9, 7, 2, 2, False),
                                                (10, 11, 3, 2, False), (9, 7, 2, 2, True),
                                                (5, 6, 1, 1, False), (7, 9, 4, 3, True)])
@pytest.mark.parametrize("cip, div", [(True, None), (False, None), (True, 3)])
def test_avg_pool_backward_tiled_windows_match_twin(dtype, H, W, kh, kw, ceil, cip, div):
    """Windows that tile the plane (kernel = stride, no padding) take the row-by-row loop;
    positions past the last window get 0; a ceil_mode window past the edge takes the general
    loop. Each position holds one share: the twin's bits exactly."""
    oh, ow = ((s - k + (k - 1 if ceil else 0)) // k + 1 for s, k in ((H, kh), (W, kw)))
    win = K.Window(kh, kw, kh, kw, 0, 0, 1, 1, oh, ow)
    g = np.random.default_rng(H * W + kh).standard_normal((2, 3, oh, ow)).astype(dtype)
    gref = K.avg_pool2d_backward_numpy(g, (2, 3, H, W), win, cip, div)
    for bwd in _builds("avg_pool_backward"):
        gx = np.full((2, 3, H, W), np.nan, dtype)
        bwd(g, gx, *win, cip, 0 if div is None else div)
        np.testing.assert_array_equal(gx, gref)
