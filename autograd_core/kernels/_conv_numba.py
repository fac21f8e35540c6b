"""Numba loops of ``autograd_core.kernels.conv`` (imported on first use; that module checks
every argument first and holds the numpy twins). im2col (from a zero-padded copy of the
input) and col2im run over samples, pooling over the ``N*C`` planes: each iteration writes its
own part of the output, so the parallel builds need no synchronisation. The serial and parallel builds are separate
functions (Numba's cache ignores compile options)."""

from __future__ import annotations

import math

import numpy as np

from numba import prange
from numba.extending import register_jitable

from autograd_core.kernels._jit import fma, jit


@register_jitable
def _valid(off, s, size, o):
    """The ``[lo, hi)`` range of output positions ``k`` with ``0 <= k * s + off < size``."""
    lo = 0 if off >= 0 else (s - 1 - off) // s
    hi = (size - 1 - off) // s + 1 if size - 1 - off >= 0 else 0
    hi = min(hi, o)
    return min(lo, hi), hi


@register_jitable
def _im2col_sample(xp, out, n, kh, kw, sh, sw, dh, dw, oh, ow):
    """``out[n]``, ``(C*kh*kw, oh*ow)``, from the zero-padded input ``xp``: row ``(c, i, j)``
    holds that tap's value at every output position (no bounds tests: the padding holds the
    zeros)."""
    C = xp.shape[1]
    row = 0
    for c in range(C):
        for i in range(kh):
            for j in range(kw):
                for oy in range(oh):
                    iy, base = oy * sh + i * dh, oy * ow
                    for ox in range(ow):
                        out[n, row, base + ox] = xp[n, c, iy, ox * sw + j * dw]
                row += 1


@register_jitable
def _im2col_sample_unit(xp, out, n, kh, kw, oh, ow):
    """``_im2col_sample`` for stride and dilation 1: each output row a contiguous copy of an
    input row (LLVM vectorises it)."""
    C = xp.shape[1]
    row = 0
    for c in range(C):
        for i in range(kh):
            for j in range(kw):
                for oy in range(oh):
                    base = oy * ow
                    for ox in range(ow):
                        out[n, row, base + ox] = xp[n, c, oy + i, ox + j]
                row += 1


@register_jitable
def _col2im_sample(cols, xp, n, kh, kw, sh, sw, dh, dw, oh, ow):
    """Sample ``n`` of the zero-padded result ``xp``: each tap's row added back at its
    positions (the adjoint of ``_im2col_sample``; the caller crops the padding)."""
    C = xp.shape[1]
    xp[n] = 0
    row = 0
    for c in range(C):
        for i in range(kh):
            for j in range(kw):
                for oy in range(oh):
                    iy, base = oy * sh + i * dh, oy * ow
                    for ox in range(ow):
                        xp[n, c, iy, ox * sw + j * dw] += cols[n, row, base + ox]
                row += 1


@register_jitable
def _col2im_sample_unit(cols, xp, n, kh, kw, oh, ow):
    """``_col2im_sample`` for stride and dilation 1 (vectorised row loop)."""
    C = xp.shape[1]
    xp[n] = 0
    row = 0
    for c in range(C):
        for i in range(kh):
            for j in range(kw):
                for oy in range(oh):
                    base = oy * ow
                    for ox in range(ow):
                        xp[n, c, oy + i, ox + j] += cols[n, row, base + ox]
                row += 1


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
    """Plane ``p`` of the ``(N*C, H*W)`` output from the ``(N*C, oh*ow)`` gradient and indices
    (flat: no division per element)."""
    out[p] = 0
    for q in range(g.shape[1]):
        k = idx[p, q]
        if k >= 0:
            out[p, k] += g[p, q]


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
def _avg_pool_bwd_tiled(g, out, n, c, kh, kw, oh, ow, d):
    """``_avg_pool_bwd_plane`` when the windows tile the plane (kernel = stride, no padding,
    every window inside): each input position takes at most one share, written row by row
    (the same value the scattered ``0 + g / d`` rounded to; positions past the last window
    0). 1.5x faster on (32, 32, 32, 32) with 2x2 windows."""
    H, W = out.shape[2], out.shape[3]
    for oy in range(oh):
        for i in range(kh):
            y = oy * kh + i
            for ox in range(ow):
                v = g[n, c, oy, ox] / d
                for j in range(kw):
                    out[n, c, y, ox * kw + j] = v
            for x in range(ow * kw, W):
                out[n, c, y, x] = 0
    for y in range(oh * kh, H):
        for x in range(W):
            out[n, c, y, x] = 0


@register_jitable
def _avg_pool_bwd_plane(g, out, p, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cip, div):
    C, H, W = out.shape[1], out.shape[2], out.shape[3]
    n, c = p // C, p % C
    if kh == sh and kw == sw and ph == 0 and pw == 0 and oh * sh <= H and ow * sw <= W:
        _avg_pool_bwd_tiled(g, out, n, c, kh, kw, oh, ow, div if div != 0 else kh * kw)
        return
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
def im2col_serial(xp, out, kh, kw, sh, sw, dh, dw, oh, ow):
    for n in range(xp.shape[0]):
        _im2col_sample(xp, out, n, kh, kw, sh, sw, dh, dw, oh, ow)


@jit(parallel=True)
def im2col_parallel(xp, out, kh, kw, sh, sw, dh, dw, oh, ow):
    for n in prange(xp.shape[0]):
        _im2col_sample(xp, out, n, kh, kw, sh, sw, dh, dw, oh, ow)


@jit
def im2col_unit_serial(xp, out, kh, kw, oh, ow):
    for n in range(xp.shape[0]):
        _im2col_sample_unit(xp, out, n, kh, kw, oh, ow)


@jit(parallel=True)
def im2col_unit_parallel(xp, out, kh, kw, oh, ow):
    for n in prange(xp.shape[0]):
        _im2col_sample_unit(xp, out, n, kh, kw, oh, ow)


@jit
def col2im_serial(cols, xp, kh, kw, sh, sw, dh, dw, oh, ow):
    for n in range(xp.shape[0]):
        _col2im_sample(cols, xp, n, kh, kw, sh, sw, dh, dw, oh, ow)


@jit(parallel=True)
def col2im_parallel(cols, xp, kh, kw, sh, sw, dh, dw, oh, ow):
    for n in prange(xp.shape[0]):
        _col2im_sample(cols, xp, n, kh, kw, sh, sw, dh, dw, oh, ow)


@jit
def col2im_unit_serial(cols, xp, kh, kw, oh, ow):
    for n in range(xp.shape[0]):
        _col2im_sample_unit(cols, xp, n, kh, kw, oh, ow)


@jit(parallel=True)
def col2im_unit_parallel(cols, xp, kh, kw, oh, ow):
    for n in prange(xp.shape[0]):
        _col2im_sample_unit(cols, xp, n, kh, kw, oh, ow)


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
    for p in range(out.shape[0]):
        _max_pool_bwd_plane(g, idx, out, p)


@jit(parallel=True)
def max_pool_backward_parallel(g, idx, out):
    for p in prange(out.shape[0]):
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


# ---- shifted-product accumulation (the channels-last grid path of conv2d) ---------------------
@jit
def shift_add_serial(t, offs, out):
    """``out[m + offs[k]] += t[m, k-th block]`` where that row exists. Reads ``t`` row by row;
    rows ``m`` and ``m' = m + offs[k] - offs[k']`` write the same output row, so there is no
    parallel build."""
    C, R = out.shape[1], out.shape[0]
    for m in range(t.shape[0]):
        for k in range(offs.shape[0]):
            r = m + offs[k]
            if r < 0 or r >= R:
                continue
            base = k * C
            for c in range(C):
                out[r, c] += t[m, base + c]


# ---- depthwise convolution (groups == input channels; MobileNet's layers) --------------------
@register_jitable
def _dw_forward_plane(xp, w, bias, out, p, m, sh, sw, dh, dw):
    """Plane ``p = (n, o)`` of the output from the zero-padded input: each output row the sum
    of the taps in (i, j) order (im2col's row order), then the bias."""
    O, oh, ow = out.shape[1], out.shape[2], out.shape[3]
    kh, kw = w.shape[2], w.shape[3]
    n, o = p // O, p % O
    c = o // m
    for oy in range(oh):
        orow = out[n, o, oy]
        orow[:] = 0
        for i in range(kh):
            xrow = xp[n, c, oy * sh + i * dh]
            for j in range(kw):
                wv = w[o, 0, i, j]
                x0 = j * dw
                if sw == 1:  # a contiguous slice: the loop vectorises
                    xs = xrow[x0:x0 + ow]
                    for ox in range(ow):
                        orow[ox] = fma(wv, xs[ox], orow[ox])
                else:
                    for ox in range(ow):
                        orow[ox] = fma(wv, xrow[x0 + ox * sw], orow[ox])
        if bias.shape[0]:
            bv = bias[o]
            for ox in range(ow):
                orow[ox] += bv


@register_jitable
def _dw_input_grad_plane(g, w, gxp, p, m, sh, sw, dh, dw):
    """Plane ``p = (n, c)`` of the zero-padded input gradient: per tap (i, j) the sum over the
    channel's ``m`` outputs of ``w * g`` (the columns' adjoint row), added at its positions."""
    C = gxp.shape[1]
    oh, ow = g.shape[2], g.shape[3]
    kh, kw = w.shape[2], w.shape[3]
    n, c = p // C, p % C
    gxp[n, c] = 0
    for i in range(kh):
        for j in range(kw):
            x0 = j * dw
            for oy in range(oh):
                xrow = gxp[n, c, oy * sh + i * dh]
                if m == 1 and sw == 1:  # contiguous slices: the loop vectorises
                    wv = w[c, 0, i, j]
                    xs, grow = xrow[x0:x0 + ow], g[n, c, oy]
                    for ox in range(ow):
                        xs[ox] += wv * grow[ox]
                    continue
                for ox in range(ow):
                    v = w[c * m, 0, i, j] * g[n, c * m, oy, ox]
                    for k in range(1, m):
                        v = fma(w[c * m + k, 0, i, j], g[n, c * m + k, oy, ox], v)
                    xrow[x0 + ox * sw] += v


@register_jitable
def _dw_weight_grad_channel(xp, g, gw, o, m, sh, sw, dh, dw):
    """``gw[o]``: per sample and tap the sum over positions of ``g * x`` in float64 (one
    accumulator per output column, a vector loop; the columns summed at the end), rounded to
    the dtype and added over the samples in order (as the per-sample products did)."""
    N, oh, ow = g.shape[0], g.shape[2], g.shape[3]
    kh, kw = gw.shape[2], gw.shape[3]
    c = o // m
    acc = np.empty((kh, kw, ow))
    one = np.empty((kh, kw), gw.dtype)
    tot = np.zeros((kh, kw), gw.dtype)
    for n in range(N):
        acc[:] = 0
        for oy in range(oh):
            grow = g[n, o, oy]
            for i in range(kh):
                xrow = xp[n, c, oy * sh + i * dh]
                for j in range(kw):
                    a = acc[i, j]
                    x0 = j * dw
                    if sw == 1:  # a contiguous slice: the loop vectorises
                        xs = xrow[x0:x0 + ow]
                        for ox in range(ow):
                            a[ox] += np.float64(grow[ox]) * np.float64(xs[ox])
                    else:
                        for ox in range(ow):
                            a[ox] += np.float64(grow[ox]) * np.float64(xrow[x0 + ox * sw])
        for i in range(kh):
            for j in range(kw):
                one[i, j] = acc[i, j].sum()
                tot[i, j] += one[i, j]
    for i in range(kh):  # a loop, not ``gw[o, 0] = tot``: Numba compiles a slice copy's shape
        for j in range(kw):  # check's message in ~3 s
            gw[o, 0, i, j] = tot[i, j]


@jit
def dw_forward_serial(xp, w, bias, out, m, sh, sw, dh, dw):
    for p in range(out.shape[0] * out.shape[1]):
        _dw_forward_plane(xp, w, bias, out, p, m, sh, sw, dh, dw)


@jit(parallel=True)
def dw_forward_parallel(xp, w, bias, out, m, sh, sw, dh, dw):
    for p in prange(out.shape[0] * out.shape[1]):
        _dw_forward_plane(xp, w, bias, out, p, m, sh, sw, dh, dw)


@jit
def dw_input_grad_serial(g, w, gxp, m, sh, sw, dh, dw):
    for p in range(gxp.shape[0] * gxp.shape[1]):
        _dw_input_grad_plane(g, w, gxp, p, m, sh, sw, dh, dw)


@jit(parallel=True)
def dw_input_grad_parallel(g, w, gxp, m, sh, sw, dh, dw):
    for p in prange(gxp.shape[0] * gxp.shape[1]):
        _dw_input_grad_plane(g, w, gxp, p, m, sh, sw, dh, dw)


@jit
def dw_weight_grad_serial(xp, g, gw, m, sh, sw, dh, dw):
    for o in range(gw.shape[0]):
        _dw_weight_grad_channel(xp, g, gw, o, m, sh, sw, dh, dw)


@jit(parallel=True)
def dw_weight_grad_parallel(xp, g, gw, m, sh, sw, dh, dw):
    for o in prange(gw.shape[0]):
        _dw_weight_grad_channel(xp, g, gw, o, m, sh, sw, dh, dw)


# ---- reflection / replication padding's backward ----------------------------------------------
@register_jitable
def _pad_backward_plane(g, md, mh, mw, out, p):
    """Plane ``p``: each gradient element added at its source, in the gradient's row-major
    order (PyTorch's kernels' order, so repeated sources sum as there)."""
    out[p] = 0
    for a in range(g.shape[1]):
        ia = md[a]
        for b in range(g.shape[2]):
            row, grow = out[p, ia, mh[b]], g[p, a, b]
            for c in range(g.shape[3]):
                row[mw[c]] += grow[c]


@jit
def pad_backward_serial(g, md, mh, mw, out):
    for p in range(out.shape[0]):
        _pad_backward_plane(g, md, mh, mw, out, p)


@jit(parallel=True)
def pad_backward_parallel(g, md, mh, mw, out):
    for p in prange(out.shape[0]):
        _pad_backward_plane(g, md, mh, mw, out, p)


# ---- adaptive max pooling's maxima ----------------------------------------------------------
@register_jitable
def _adaptive_max_plane(x, idx, p):
    """Plane ``p``: the flat position of each adaptive window's maximum (windows
    ``[floor(i*H/oh), ceil((i+1)*H/oh))``; max pooling's rule: the first maximum, the last
    NaN)."""
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    oh, ow = idx.shape[2], idx.shape[3]
    n, c = p // C, p % C
    for oy in range(oh):
        y0, y1 = (oy * H) // oh, -((-(oy + 1) * H) // oh)
        for ox in range(ow):
            x0, x1 = (ox * W) // ow, -((-(ox + 1) * W) // ow)
            m = x[n, c, y0, x0]
            mi = y0 * W + x0
            for iy in range(y0, y1):
                for ix in range(x0, x1):
                    v = x[n, c, iy, ix]
                    if v > m or v != v:
                        m = v
                        mi = iy * W + ix
            idx[n, c, oy, ox] = mi


@jit
def adaptive_max_index_serial(x, idx):
    for p in range(x.shape[0] * x.shape[1]):
        _adaptive_max_plane(x, idx, p)


@jit(parallel=True)
def adaptive_max_index_parallel(x, idx):
    for p in prange(x.shape[0] * x.shape[1]):
        _adaptive_max_plane(x, idx, p)
