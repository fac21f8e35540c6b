"""Numba loops of ``autograd_core.kernels.conv`` (imported on first use; that module checks
every argument first and holds the numpy twins). Each loop runs over the ``N*C`` planes; the
serial and parallel builds are separate functions (Numba's cache ignores compile options)."""

from __future__ import annotations

import math

from numba import prange
from numba.extending import register_jitable

from autograd_core.kernels._jit import jit


@register_jitable
def _im2col_plane(x, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    n, c = p // C, p % C
    for i in range(kh):
        for j in range(kw):
            row = (c * kh + i) * kw + j
            for oy in range(oh):
                iy = oy * sh - ph + i * dh
                base = (n * oh + oy) * ow
                if iy < 0 or iy >= H:
                    for ox in range(ow):
                        out[row, base + ox] = 0
                    continue
                for ox in range(ow):
                    ix = ox * sw - pw + j * dw
                    out[row, base + ox] = x[n, c, iy, ix] if 0 <= ix < W else 0


@register_jitable
def _col2im_plane(cols, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    C, H, W = out.shape[1], out.shape[2], out.shape[3]
    n, c = p // C, p % C
    out[n, c] = 0
    for i in range(kh):
        for j in range(kw):
            row = (c * kh + i) * kw + j
            for oy in range(oh):
                iy = oy * sh - ph + i * dh
                if iy < 0 or iy >= H:
                    continue
                base = (n * oh + oy) * ow
                for ox in range(ow):
                    ix = ox * sw - pw + j * dw
                    if 0 <= ix < W:
                        out[n, c, iy, ix] += cols[row, base + ox]


@register_jitable
def _max_pool_plane(x, out, idx, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    n, c = p // C, p % C
    for oy in range(oh):
        for ox in range(ow):
            m = -math.inf
            mi = -1
            for i in range(kh):
                iy = oy * sh - ph + i * dh
                if iy < 0 or iy >= H:
                    continue
                for j in range(kw):
                    ix = ox * sw - pw + j * dw
                    if ix < 0 or ix >= W:
                        continue
                    v = x[n, c, iy, ix]
                    # PyTorch's rule: the first maximum, the last NaN; the first element
                    # when every value is -inf
                    if v > m or v != v or mi < 0:
                        m = v
                        mi = iy * W + ix
            out[n, c, oy, ox] = m
            idx[n, c, oy, ox] = mi


@register_jitable
def _max_pool_bwd_plane(g, idx, out, p):
    C, W = out.shape[1], out.shape[3]
    n, c = p // C, p % C
    out[n, c] = 0
    for oy in range(g.shape[2]):
        for ox in range(g.shape[3]):
            k = idx[n, c, oy, ox]
            if k >= 0:
                out[n, c, k // W, k % W] += g[n, c, oy, ox]


@register_jitable
def _avg_extent(o, s, p, k, size, count_include_pad):
    start = o * s - p
    end = min(start + k, size + p)
    full = end - start
    lo, hi = max(start, 0), min(end, size)
    return lo, hi, (full if count_include_pad else hi - lo)


@register_jitable
def _avg_pool_plane(x, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div):
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    n, c = p // C, p % C
    for oy in range(oh):
        y0, y1, ny = _avg_extent(oy, sh, ph, kh, H, cip)
        for ox in range(ow):
            x0, x1, nx = _avg_extent(ox, sw, pw, kw, W, cip)
            s = 0.0
            for iy in range(y0, y1):
                for ix in range(x0, x1):
                    s += x[n, c, iy, ix]
            d = div if div != 0 else ny * nx
            out[n, c, oy, ox] = s / d


@register_jitable
def _avg_pool_bwd_plane(g, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div):
    C, H, W = out.shape[1], out.shape[2], out.shape[3]
    n, c = p // C, p % C
    out[n, c] = 0
    for oy in range(oh):
        y0, y1, ny = _avg_extent(oy, sh, ph, kh, H, cip)
        for ox in range(ow):
            x0, x1, nx = _avg_extent(ox, sw, pw, kw, W, cip)
            d = div if div != 0 else ny * nx
            v = g[n, c, oy, ox] / d
            for iy in range(y0, y1):
                for ix in range(x0, x1):
                    out[n, c, iy, ix] += v


# ---- the loops: serial and parallel builds ----------------------------------------------------
@jit
def im2col_serial(x, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for p in range(x.shape[0] * x.shape[1]):
        _im2col_plane(x, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@jit(parallel=True)
def im2col_parallel(x, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for p in prange(x.shape[0] * x.shape[1]):
        _im2col_plane(x, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@jit
def col2im_serial(cols, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for p in range(out.shape[0] * out.shape[1]):
        _col2im_plane(cols, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@jit(parallel=True)
def col2im_parallel(cols, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for p in prange(out.shape[0] * out.shape[1]):
        _col2im_plane(cols, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@jit
def max_pool_serial(x, out, idx, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for p in range(x.shape[0] * x.shape[1]):
        _max_pool_plane(x, out, idx, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@jit(parallel=True)
def max_pool_parallel(x, out, idx, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow):
    for p in prange(x.shape[0] * x.shape[1]):
        _max_pool_plane(x, out, idx, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)


@jit
def max_pool_backward_serial(g, idx, out):
    for p in range(out.shape[0] * out.shape[1]):
        _max_pool_bwd_plane(g, idx, out, p)


@jit(parallel=True)
def max_pool_backward_parallel(g, idx, out):
    for p in prange(out.shape[0] * out.shape[1]):
        _max_pool_bwd_plane(g, idx, out, p)


@jit
def avg_pool_serial(x, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div):
    for p in range(x.shape[0] * x.shape[1]):
        _avg_pool_plane(x, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div)


@jit(parallel=True)
def avg_pool_parallel(x, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div):
    for p in prange(x.shape[0] * x.shape[1]):
        _avg_pool_plane(x, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div)


@jit
def avg_pool_backward_serial(g, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div):
    for p in range(out.shape[0] * out.shape[1]):
        _avg_pool_bwd_plane(g, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div)


@jit(parallel=True)
def avg_pool_backward_parallel(g, out, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div):
    for p in prange(out.shape[0] * out.shape[1]):
        _avg_pool_bwd_plane(g, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div)
