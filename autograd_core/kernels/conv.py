"""Data-movement kernels of convolution and pooling (2-D; 1-D callers add a unit height).

Every public function takes float32/float64 arrays of shape ``(N, C, H, W)`` (``cols``:
``(N, C*kh*kw, oh*ow)``, ``F.unfold``'s layout: per sample one row per kernel tap, one column
per output position, so that a convolution is ``W @ cols[n]`` straight into ``(N, O, oh*ow)``
and the kernels copy whole contiguous rows; ``indices``: int64 ``(N, C, oh, ow)``) and a
:class:`Window` (kernel, stride, padding, dilation and the output size), checks shapes and
dtypes *before* any loop runs (ValueError naming the kernel and the array), and returns a new
array. Padding is implicit: positions outside the input read as 0 (-inf for max pooling) and
gradients landing there are dropped; only im2col makes a zero-padded copy of its input (small
next to the columns), which keeps its loop free of bounds tests.

    im2col(x, win)                     -> cols (N, C*kh*kw, oh*ow), rows (c, i, j), columns
                                          (oy, ox)
    col2im(cols, shape, win)           -> the adjoint of im2col: (N, C, H, W) sums
    shift_add(t, offs, out)            out[m + offs[k]] += t[m, k-th block of out's width]
                                          where that row exists (in place, 2-D; conv2d's
                                          shifted products, offsets of either sign)
    max_pool2d_forward(x, win)         -> (out, indices): first maximum of each window, NaN wins,
                                          indices flat in H*W (PyTorch's convention)
    max_pool2d_backward(g, idx, shape) -> g added at the indices
    avg_pool2d_forward(x, win, count_include_pad, divisor_override)   PyTorch's divisors
    avg_pool2d_backward(g, shape, win, count_include_pad, divisor_override)

The direct convolution (``_conv_direct``: no columns, channels-last, for channel counts that
fill 64-byte vectors; ``direct_supported(dtype, channels)``):

    nhwc_padded(x, top, left[, bottom, right])  -> (N, Hp, Wp, C) channels-last zero-padded copy
    conv2d_forward(x, weight, bias, win)        -> (N, O, oh, ow), channels-last memory
    conv2d_input_grad(g, weight, shape, win)    -> (N, C, H, W), channels-last memory
    conv2d_weight_grad(x, g, win)               -> (O, C, kh, kw)

The depthwise convolution (``groups`` equal to the input channels, ``m = O / C`` outputs per
channel; loops over the ``(n, o)`` / ``(n, c)`` planes and the output channels):

    depthwise_padded(x, win)                       -> x zero-padded by the window's padding
    depthwise_forward(x, weight, bias, win[, padded])   -> (N, O, oh, ow)
    depthwise_input_grad(g, weight, shape, win)    -> (N, C, H, W)
    depthwise_weight_grad(x, g, win[, padded])     -> (O, 1, kh, kw), float64 sums

Reflection / replication padding (index maps: the source of each output index, per dim):

    adaptive_max_index(x, oh, ow)   -> int64 (N, C, oh, ow): the flat position in H*W of each
                                       adaptive window's maximum (the first; the last NaN)
    pad_backward(g, shape, maps)    -> (P, D, H, W): g (P, oD, oH, oW) added at the sources, in
                                       g's row-major order (PyTorch's)

Each has a numpy twin (``*_numpy``, below), the specification the Numba loops
(``_conv_numba``, imported on first use) are tested against; ``TAPEGRAD_KERNELS=numpy`` selects
the twins. Loops run over the ``N*C`` planes, in parallel from :data:`PARALLEL_MIN_SIZE`
touched elements on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd_core.kernels import _jit

__all__ = ["Window", "im2col", "col2im", "shift_add", "max_pool2d_forward", "max_pool2d_backward",
           "avg_pool2d_forward", "avg_pool2d_backward", "direct_supported", "nhwc_padded",
           "conv2d_forward", "conv2d_input_grad", "conv2d_weight_grad", "depthwise_padded",
           "depthwise_forward", "depthwise_input_grad", "depthwise_weight_grad",
           "pad_backward", "adaptive_max_index", "PARALLEL_MIN_SIZE"]

#: touched elements from which the parallel builds run (below it, a thread hand-off costs more
#: than the second core gains; measured with ``tapegrad-bench conv``).
PARALLEL_MIN_SIZE = _jit.parallel_threshold(default=1 << 18)
#: multiply-adds from which the direct convolution's parallel builds run: a parallel launch
#: cost ~10 us here, under 10% of the serial loop's time from 2^23 multiply-adds on (the
#: shared machine was too busy to show a crossover: both cores were taken)
DIRECT_PARALLEL_MIN_MACS = 1 << 23

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


class Window(NamedTuple):
    """A 2-D sliding window: kernel ``(kh, kw)``, stride, padding, dilation, output size."""

    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    dh: int
    dw: int
    oh: int
    ow: int


def _float4(name, arg, a, copy=True):
    """``a`` checked (float32/float64, 4 dims) and C-contiguous (or as it is, ``copy=False``:
    for callers that read any strides)."""
    if not isinstance(a, np.ndarray) or a.dtype not in _FLOATS or a.ndim != 4:
        raise ValueError(f"{name}: {arg} must be a float32/float64 array of 4 dims, got "
                         f"{getattr(a, 'dtype', type(a).__name__)} {np.shape(a)}")
    return np.ascontiguousarray(a) if copy else a


def _check_window(name, win):
    if min(win.kh, win.kw, win.sh, win.sw, win.dh, win.dw) < 1 or min(
            win.ph, win.pw, win.oh, win.ow) < 0:
        raise ValueError(f"{name}: invalid window {win}")


def _nb():
    from autograd_core.kernels import _conv_numba

    return _conv_numba


def _parallel(size):
    return size >= PARALLEL_MIN_SIZE and _jit.parallel_enabled()


def _direct_parallel(macs):
    return macs >= DIRECT_PARALLEL_MIN_MACS and _jit.parallel_enabled()


def _run(loop, size, *args):
    getattr(_nb(), loop + ("_parallel" if _parallel(size) else "_serial"))(*args)


# ---- public kernels ---------------------------------------------------------------------------
def im2col(x: np.ndarray, win: Window, out: np.ndarray | None = None) -> np.ndarray:
    """``out=``: a C-contiguous array of the result's shape and dtype to write into."""
    x = _float4("im2col", "x", x)
    _check_window("im2col", win)
    _check_fits("im2col", x.shape, win)
    N, C = x.shape[:2]
    want = (N, C * win.kh * win.kw, win.oh * win.ow)
    if out is not None and (not isinstance(out, np.ndarray) or out.shape != want
                            or out.dtype != x.dtype or not out.flags.c_contiguous):
        raise ValueError(f"im2col: out must be a C-contiguous {x.dtype} array of shape {want}, "
                         f"got {getattr(out, 'dtype', None)} {np.shape(out)}")
    if not _jit.use_numba():
        if out is None:
            return im2col_numpy(x, win)
        out[...] = im2col_numpy(x, win)
        return out
    if out is None:
        out = np.empty(want, x.dtype)
    xp = x
    if win.ph or win.pw:  # a padded copy (small next to the columns) keeps the loop branch-free
        H, W = x.shape[2:]
        xp = np.zeros((N, C, H + 2 * win.ph, W + 2 * win.pw), x.dtype)
        xp[:, :, win.ph:win.ph + H, win.pw:win.pw + W] = x
    _run_window("im2col", out.size, xp, out, win)
    return out


def _check_fits(name, shape, win):
    """The loops read/write the padded input without bounds tests: every window must fit."""
    H, W = shape[2:]
    if ((win.oh - 1) * win.sh + (win.kh - 1) * win.dh >= H + 2 * win.ph
            or (win.ow - 1) * win.sw + (win.kw - 1) * win.dw >= W + 2 * win.pw):
        raise ValueError(f"{name}: window {win} reaches beyond the padded input {tuple(shape)}")


def _run_window(loop, size, a, b, win):
    """im2col/col2im's loop over ``a`` and ``b``: the unit-step build for stride and dilation 1."""
    if win.sh == win.sw == win.dh == win.dw == 1:
        _run(loop + "_unit", size, a, b, win.kh, win.kw, win.oh, win.ow)
    else:
        _run(loop, size, a, b, win.kh, win.kw, win.sh, win.sw, win.dh, win.dw, win.oh, win.ow)


def col2im(cols: np.ndarray, shape: tuple[int, ...], win: Window) -> np.ndarray:
    _check_window("col2im", win)
    N, C, H, W = (int(s) for s in shape)
    want = (N, C * win.kh * win.kw, win.oh * win.ow)
    if not isinstance(cols, np.ndarray) or cols.dtype not in _FLOATS or cols.shape != want:
        raise ValueError(f"col2im: cols must be a float32/float64 array of shape {want}, got "
                         f"{getattr(cols, 'dtype', type(cols).__name__)} {np.shape(cols)}")
    _check_fits("col2im", (N, C, H, W), win)
    cols = np.ascontiguousarray(cols)
    if not _jit.use_numba():
        return col2im_numpy(cols, (N, C, H, W), win)
    xp = np.empty((N, C, H + 2 * win.ph, W + 2 * win.pw), cols.dtype)
    _run_window("col2im", cols.size, cols, xp, win)
    if win.ph or win.pw:
        return np.ascontiguousarray(xp[:, :, win.ph:win.ph + H, win.pw:win.pw + W])
    return xp


def shift_add(t, offs, out):
    """``out[m + offs[k], :] += t[m, k*C:(k+1)*C]`` (``C = out.shape[1]``) for every row ``m``
    of ``t`` and every ``k`` with ``0 <= m + offs[k] < len(out)``; in place, returns ``out``."""
    if (not isinstance(out, np.ndarray) or out.ndim != 2 or out.dtype not in _FLOATS
            or not out.flags.c_contiguous):
        raise ValueError(f"shift_add: out must be a C-contiguous 2-D float32/float64 array, got "
                         f"{getattr(out, 'dtype', None)} {np.shape(out)}")
    if (not isinstance(t, np.ndarray) or t.ndim != 2 or t.dtype != out.dtype
            or not isinstance(offs, np.ndarray) or offs.dtype != np.int64 or offs.ndim != 1):
        raise ValueError(f"shift_add: t must be a 2-D {out.dtype} array and offs 1-D int64, got "
                         f"{getattr(t, 'dtype', None)} {np.shape(t)}, "
                         f"{getattr(offs, 'dtype', None)} {np.shape(offs)}")
    if t.shape[1] != offs.size * out.shape[1]:
        raise ValueError(f"shift_add: t must have {offs.size} blocks of {out.shape[1]} columns, "
                         f"got {t.shape[1]}")
    t = np.ascontiguousarray(t)
    if not _jit.use_numba():
        shift_add_numpy(t, offs, out)
    else:
        _nb().shift_add_serial(t, offs, out)
    return out


def max_pool2d_forward(x: np.ndarray, win: Window) -> tuple[np.ndarray, np.ndarray]:
    x = _float4("max_pool2d_forward", "x", x)
    _check_window("max_pool2d_forward", win)
    if not _jit.use_numba():
        return max_pool2d_forward_numpy(x, win)
    N, C = x.shape[:2]
    out = np.empty((N, C, win.oh, win.ow), x.dtype)
    idx = np.empty((N, C, win.oh, win.ow), np.int64)
    _run("max_pool", out.size * win.kh * win.kw, x, out, idx, *win)
    return out, idx


def max_pool2d_backward(g, indices, shape):
    g = _float4("max_pool2d_backward", "g", g)
    N, C, H, W = (int(s) for s in shape)
    if (not isinstance(indices, np.ndarray) or indices.dtype != np.int64
            or indices.shape != g.shape or g.shape[:2] != (N, C)):
        raise ValueError(f"max_pool2d_backward: indices must be int64 of g's shape {g.shape} "
                         f"(input {tuple(shape)}), got {getattr(indices, 'dtype', None)} "
                         f"{np.shape(indices)}")
    if indices.size and (indices.min() < 0 or indices.max() >= H * W):
        raise ValueError(f"max_pool2d_backward: indices must lie in [0, {H * W})")
    indices = np.ascontiguousarray(indices)
    if g.size == 0:  # nothing to add (and an empty batch has no -1 to infer)
        return np.zeros((N, C, H, W), g.dtype)
    if not _jit.use_numba():
        return max_pool2d_backward_numpy(g, indices, (N, C, H, W))
    out = np.empty((N, C, H, W), g.dtype)
    _run("max_pool_backward", out.size, g.reshape(N * C, -1), indices.reshape(N * C, -1),
         out.reshape(N * C, H * W))
    return out


def _no_dilation(name, win):
    if win.dh != 1 or win.dw != 1:
        raise ValueError(f"{name}: average pooling has no dilation, got {win}")


def _divisor(divisor_override):
    if divisor_override is None:
        return 0
    if int(divisor_override) == 0:
        raise ValueError("avg_pool2d: divisor must be not zero")
    return int(divisor_override)


def avg_pool2d_forward(x: np.ndarray, win: Window, count_include_pad: bool = True,
                       divisor_override: int | None = None) -> np.ndarray:
    x = _float4("avg_pool2d_forward", "x", x)
    _check_window("avg_pool2d_forward", win)
    _no_dilation("avg_pool2d_forward", win)
    div = _divisor(divisor_override)
    if not _jit.use_numba():
        return avg_pool2d_forward_numpy(x, win, count_include_pad, divisor_override)
    N, C = x.shape[:2]
    out = np.empty((N, C, win.oh, win.ow), x.dtype)
    _run("avg_pool", out.size * win.kh * win.kw, x, out, *win, bool(count_include_pad), div)
    return out


def avg_pool2d_backward(g: np.ndarray, shape: tuple[int, ...], win: Window,
                        count_include_pad: bool = True,
                        divisor_override: int | None = None) -> np.ndarray:
    g = _float4("avg_pool2d_backward", "g", g)
    _check_window("avg_pool2d_backward", win)
    _no_dilation("avg_pool2d_backward", win)
    N, C, H, W = (int(s) for s in shape)
    if g.shape != (N, C, win.oh, win.ow):
        raise ValueError(f"avg_pool2d_backward: g must have shape {(N, C, win.oh, win.ow)}, got "
                         f"{g.shape}")
    div = _divisor(divisor_override)
    if not _jit.use_numba():
        return avg_pool2d_backward_numpy(g, (N, C, H, W), win, count_include_pad,
                                         divisor_override)
    out = np.empty((N, C, H, W), g.dtype)
    _run("avg_pool_backward", g.size * win.kh * win.kw, g, out, *win, bool(count_include_pad),
         div)
    return out


# ---- direct convolution (no columns) --------------------------------------------------------
def _lanes(dtype):
    from autograd_core.kernels._conv_direct import VECTOR_BYTES

    return VECTOR_BYTES // np.dtype(dtype).itemsize


def _vb(lanes, channels):
    return next(v for v in (4, 2, 1) if channels % (lanes * v) == 0)


def direct_supported(dtype: np.dtype, channels: int) -> bool:
    """Whether the direct loops take ``channels`` output channels of ``dtype``: a multiple of
    one 64-byte vector (16 float32, 8 float64)."""
    dtype = np.dtype(dtype)
    return dtype in _FLOATS and channels > 0 and channels % _lanes(dtype) == 0


def _check_direct(name, x, w, win):
    x = _float4(name, "x", x, copy=False)
    if not isinstance(w, np.ndarray) or w.ndim != 4 or w.dtype != x.dtype or \
            w.shape[1:] != (x.shape[1], win.kh, win.kw):
        raise ValueError(f"{name}: weight must be a {x.dtype} array (O, {x.shape[1]}, {win.kh}, "
                         f"{win.kw}), got {getattr(w, 'dtype', None)} {np.shape(w)}")
    _check_window(name, win)
    _check_fits(name, x.shape, win)
    if not direct_supported(x.dtype, w.shape[0]):
        raise ValueError(f"{name}: {w.shape[0]} output channels of {x.dtype} are not a multiple "
                         f"of {_lanes(x.dtype)}")
    return x, w


def nhwc_padded(x: np.ndarray, top: int, left: int, bottom: int | None = None,
                right: int | None = None, out: np.ndarray | None = None) -> np.ndarray:
    """``x`` (N, C, H, W), any strides, channels-last and zero-padded: a C-contiguous
    ``(N, top + H + bottom, left + W + right, C)`` (bottom/right default to top/left; into
    ``out`` if given, an array of that shape and dtype). From a channels-last ``x`` (what the
    direct loops return) it is a plain copy of rows. numpy only (no loop of its own)."""
    x = _float4("nhwc_padded", "x", x, copy=False)
    N, C, H, W = x.shape
    bottom = top if bottom is None else bottom
    right = left if right is None else right
    if min(top, left, bottom, right) < 0:
        raise ValueError(f"nhwc_padded: negative padding {(top, left, bottom, right)}")
    want = (N, top + H + bottom, left + W + right, C)
    if out is None:
        out = np.empty(want, x.dtype)
    elif (not isinstance(out, np.ndarray) or out.shape != want or out.dtype != x.dtype
          or not out.flags.c_contiguous):
        raise ValueError(f"nhwc_padded: out must be a C-contiguous {x.dtype} array of shape "
                         f"{want}, got {getattr(out, 'dtype', None)} {np.shape(out)}")
    # numpy's copies: 3x faster than a Numba loop over positions for a channels-last x (a
    # plain copy of rows), 1.3x for (N, C, H, W) (ResNet-8's 16x32x32 inputs)
    for border in (out[:, :top], out[:, top + H:], out[:, top:top + H, :left],
                   out[:, top:top + H, left + W:]):
        border.fill(0)
    out[:, top:top + H, left:left + W] = x.transpose(0, 2, 3, 1)
    return out


def _runs(taps):
    """The taps ``[(dy, dx), ...]`` as runs ``(dy, dx, count, first)`` of neighbours
    ``(dy, dx), (dy, dx + 1), ...`` (int64 ``(R, 4)``), the loops' unit of contiguous input."""
    runs: list[list[int]] = []
    for t, (dy, dx) in enumerate(taps):
        last = runs[-1] if runs else None
        if last and last[0] == dy and last[1] + last[2] == dx:
            last[2] += 1
        else:
            runs.append([dy, dx, 1, t])
    return np.array(runs, np.int64).reshape(-1, 4)


def _direct(xp, wt, taps, bias, out, oh, ow, sh, sw, oy0=0, ox0=0, osh=1, osw=1):
    from autograd_core.kernels import _conv_direct as D

    lanes = _lanes(xp.dtype)
    taps = _runs(taps)
    par = _direct_parallel(oh * ow * xp.shape[0] * wt.size) and xp.shape[0] > 1
    D.build("forward", lanes, _vb(lanes, wt.shape[2]), par)(
        xp, wt, taps, bias, out, oh, ow, sh, sw, oy0, ox0, osh, osw)


def _check_padded(name, padded, x, win):
    want = (x.shape[0], x.shape[2] + 2 * win.ph, x.shape[3] + 2 * win.pw, x.shape[1])
    if padded is not None and (not isinstance(padded, np.ndarray) or padded.shape != want
                               or padded.dtype != x.dtype or not padded.flags.c_contiguous):
        raise ValueError(f"{name}: padded must be nhwc_padded(x, {win.ph}, {win.pw}): a "
                         f"C-contiguous {x.dtype} array of shape {want}, got "
                         f"{getattr(padded, 'dtype', None)} {np.shape(padded)}")
    return nhwc_padded(x, win.ph, win.pw) if padded is None else padded


def conv2d_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                   win: Window, padded: np.ndarray | None = None) -> np.ndarray:
    """``(N, O, oh, ow)``: the cross-correlation of ``x`` (N, C, H, W) with ``weight``
    (O, C, kh, kw) plus ``bias`` (O,), zero padding, ``groups == 1``, ``O`` a multiple of
    :func:`direct_supported`'s vector. Numba: the direct loops (no columns) on ``padded``
    (``nhwc_padded(x, ph, pw)``, made here if not given), the result in channels-last memory
    (a transposed view of a C-contiguous ``(N, oh, ow, O)``)."""
    x, w = _check_direct("conv2d_forward", x, weight, win)
    O = w.shape[0]
    if bias is not None and (not isinstance(bias, np.ndarray) or bias.dtype != x.dtype
                             or bias.shape != (O,)):
        raise ValueError(f"conv2d_forward: bias must be a {x.dtype} array ({O},), got "
                         f"{getattr(bias, 'dtype', None)} {np.shape(bias)}")
    if not _jit.use_numba():
        if padded is not None:  # (the twin does not read it; a wrong one is refused all the same)
            _check_padded("conv2d_forward", padded, x, win)
        return conv2d_forward_numpy(x, w, bias, win)
    taps = [(i * win.dh, j * win.dw) for i in range(win.kh) for j in range(win.kw)]
    wt = np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(-1, w.shape[1], O)
    out = np.empty((x.shape[0], win.oh, win.ow, O), x.dtype)
    b = np.zeros(O, x.dtype) if bias is None else np.ascontiguousarray(bias)
    xp = _check_padded("conv2d_forward", padded, x, win)
    _direct(xp, wt, taps, b, out, win.oh, win.ow, win.sh, win.sw)
    return out.transpose(0, 3, 1, 2)


def _phase_taps(size, k, s, p, d, o):
    """For each phase ``a < s`` of the input positions ``y = a + s*t`` (``t < count``): the taps
    ``i`` with ``y = oy*s + i*d - p`` for an integer ``oy = t + e``, as ``(count, [(i, e)])``."""
    return [(-(-(size - a) // s), [(i, (a + p - i * d) // s) for i in range(k)
                                   if (a + p - i * d) % s == 0]) for a in range(s)]


def conv2d_input_grad(g: np.ndarray, weight: np.ndarray, shape: tuple[int, ...],
                      win: Window,
                      work: Callable[[tuple[int, ...], np.dtype], np.ndarray] | None = None
                      ) -> np.ndarray:
    """The gradient ``(N, C, H, W)`` = ``shape`` of :func:`conv2d_forward`'s input for the
    output gradient ``g`` (N, O, oh, ow); ``C`` a multiple of :func:`direct_supported`'s
    vector. Numba: per phase ``(y % sh, x % sw)`` of the input positions, the forward loops
    over the taps that reach it (the kernel transposed), channels-last like the forward.
    ``work(shape, dtype)``: where the padded copy of ``g`` goes (default: a new array)."""
    N, C, H, W = (int(s) for s in shape)
    g = _float4("conv2d_input_grad", "g", g, copy=False)
    _check_window("conv2d_input_grad", win)
    _check_fits("conv2d_input_grad", (N, C, H, W), win)
    if (not isinstance(weight, np.ndarray) or weight.dtype != g.dtype or g.shape[0] != N
            or weight.shape != (g.shape[1], C, win.kh, win.kw)
            or g.shape[2:] != (win.oh, win.ow)):
        raise ValueError(f"conv2d_input_grad: g {g.dtype} {g.shape} and weight "
                         f"{getattr(weight, 'dtype', None)} {np.shape(weight)} do not fit the "
                         f"input {tuple(shape)} and {win}")
    if not direct_supported(g.dtype, C):
        raise ValueError(f"conv2d_input_grad: {C} input channels of {g.dtype} are not a "
                         f"multiple of {_lanes(g.dtype)}")
    if not _jit.use_numba():
        return conv2d_input_grad_numpy(g, weight, (N, C, H, W), win)
    rows = _phase_taps(H, win.kh, win.sh, win.ph, win.dh, win.oh)
    cols = _phase_taps(W, win.kw, win.sw, win.pw, win.dw, win.ow)
    es_h = [e for _, taps in rows for _, e in taps] or [0]
    es_w = [e for _, taps in cols for _, e in taps] or [0]
    top, left = max(0, -min(es_h)), max(0, -min(es_w))
    bottom = max(0, max(n - 1 + e for n, taps in rows for _, e in taps or [(0, 0)]) - win.oh + 1)
    right = max(0, max(n - 1 + e for n, taps in cols for _, e in taps or [(0, 0)]) - win.ow + 1)
    gp = nhwc_padded(g, top, left, bottom, right, out=None if work is None else work(
        (N, top + win.oh + bottom, left + win.ow + right, g.shape[1]), g.dtype))
    w = np.ascontiguousarray(weight.transpose(2, 3, 0, 1))  # (kh, kw, O, C)
    out = np.empty((N, H, W, C), g.dtype)
    zero = np.zeros(C, g.dtype)
    for a, (nh, th) in enumerate(rows):
        for b, (nw, tw) in enumerate(cols):
            if not (nh and nw):
                continue
            taps = [(e + top, f + left) for _, e in th for _, f in tw]
            wt = np.ascontiguousarray(
                w[[i for i, _ in th for _ in tw], [j for _ in th for j, _ in tw]]
            ).reshape(len(taps), w.shape[2], C)
            _direct(gp, wt, taps, zero, out, nh, nw, 1, 1, a, b, win.sh, win.sw)
    return out.transpose(0, 3, 1, 2)


def conv2d_weight_grad(x: np.ndarray, g: np.ndarray, win: Window,
                       padded: np.ndarray | None = None) -> np.ndarray:
    """The gradient ``(O, C, kh, kw)`` of :func:`conv2d_forward`'s weight for the output
    gradient ``g`` (N, O, oh, ow) and input ``x`` (N, C, H, W); ``O`` a multiple of
    :func:`direct_supported`'s vector; ``padded`` as :func:`conv2d_forward`'s."""
    x = _float4("conv2d_weight_grad", "x", x, copy=False)
    g = _float4("conv2d_weight_grad", "g", g, copy=False)
    _check_window("conv2d_weight_grad", win)
    _check_fits("conv2d_weight_grad", x.shape, win)
    N, C = x.shape[:2]
    O = g.shape[1]
    if g.dtype != x.dtype or g.shape != (N, O, win.oh, win.ow):
        raise ValueError(f"conv2d_weight_grad: g must be a {x.dtype} array ({N}, O, {win.oh}, "
                         f"{win.ow}), got {g.dtype} {g.shape}")
    if not direct_supported(g.dtype, O):
        raise ValueError(f"conv2d_weight_grad: {O} output channels of {g.dtype} are not a "
                         f"multiple of {_lanes(g.dtype)}")
    if not _jit.use_numba():
        return conv2d_weight_grad_numpy(x, g, win)
    from autograd_core.kernels import _conv_direct as D

    lanes = _lanes(x.dtype)
    # the parallel build sums runs of samples into one partial gradient per thread
    par = _direct_parallel(g.size * C * win.kh * win.kw) and N > 1
    parts = min(N, _nb_threads()) if par else 1
    gw = np.zeros((parts, win.kh * win.kw * C, O), x.dtype)
    D.build("weight_grad", lanes, _vb(lanes, O), par)(
        _check_padded("conv2d_weight_grad", padded, x, win),
        np.ascontiguousarray(g.transpose(0, 2, 3, 1)), gw,
        win.kh, win.kw, win.sh, win.sw, win.dh, win.dw)
    total = gw[0] if parts == 1 else gw.sum(axis=0)
    return np.ascontiguousarray(total.reshape(win.kh, win.kw, C, O).transpose(3, 2, 0, 1))


def _check_depthwise(name, a, arg, w, win, channels=None):
    """``a`` (float32/float64, 4 dims, as it is) and the depthwise ``w`` (O, 1, kh, kw) of its
    dtype, ``O`` a multiple of ``channels`` (``a``'s second dim when not given)."""
    a = _float4(name, arg, a, copy=False)
    C = a.shape[1] if channels is None else channels
    if (not isinstance(w, np.ndarray) or w.ndim != 4 or w.dtype != a.dtype or C < 1
            or w.shape[0] % C or w.shape[1:] != (1, win.kh, win.kw)):
        raise ValueError(f"{name}: weight must be a {a.dtype} array (m*{C}, 1, {win.kh}, "
                         f"{win.kw}), got {getattr(w, 'dtype', None)} {np.shape(w)}")
    _check_window(name, win)
    return a, np.ascontiguousarray(w)


def depthwise_padded(x: np.ndarray, win: Window) -> np.ndarray:
    """``x`` (N, C, H, W) zero-padded by the window's padding, C-contiguous (the depthwise
    loops' input, kept by the caller for the weight gradient)."""
    x = _float4("depthwise_padded", "x", x, copy=False)
    _check_window("depthwise_padded", win)
    N, C, H, W = x.shape
    if not (win.ph or win.pw):
        return np.ascontiguousarray(x)
    xp = np.zeros((N, C, H + 2 * win.ph, W + 2 * win.pw), x.dtype)
    xp[:, :, win.ph:win.ph + H, win.pw:win.pw + W] = x
    return xp


def _dw_padded(name, x, win, padded):
    want = (x.shape[0], x.shape[1], x.shape[2] + 2 * win.ph, x.shape[3] + 2 * win.pw)
    if padded is None:
        return depthwise_padded(x, win)
    if (not isinstance(padded, np.ndarray) or padded.shape != want or padded.dtype != x.dtype
            or not padded.flags.c_contiguous):
        raise ValueError(f"{name}: padded must be depthwise_padded(x, win): a C-contiguous "
                         f"{x.dtype} array of shape {want}, got "
                         f"{getattr(padded, 'dtype', None)} {np.shape(padded)}")
    return padded


def depthwise_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, win: Window,
                      padded: np.ndarray | None = None) -> np.ndarray:
    """``(N, O, oh, ow)``: the cross-correlation of ``x`` (N, C, H, W) with ``weight``
    (O, 1, kh, kw), ``groups == C`` (output ``o`` reads channel ``o // (O / C)``), plus
    ``bias`` (O,); each output the sum of its taps in (i, j) order, then the bias."""
    x, w = _check_depthwise("depthwise_forward", x, "x", weight, win)
    _check_fits("depthwise_forward", x.shape, win)
    O = w.shape[0]
    if bias is not None and (not isinstance(bias, np.ndarray) or bias.dtype != x.dtype
                             or bias.shape != (O,)):
        raise ValueError(f"depthwise_forward: bias must be a {x.dtype} array ({O},), got "
                         f"{getattr(bias, 'dtype', None)} {np.shape(bias)}")
    xp = _dw_padded("depthwise_forward", x, win, padded)
    if not _jit.use_numba():
        return depthwise_forward_numpy(xp, w, bias, win)
    out = np.empty((x.shape[0], O, win.oh, win.ow), x.dtype)
    b = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias)
    _run("dw_forward", out.size * win.kh * win.kw, xp, w, b, out, O // x.shape[1],
         win.sh, win.sw, win.dh, win.dw)
    return out


def depthwise_input_grad(g: np.ndarray, weight: np.ndarray, shape: tuple[int, ...],
                         win: Window) -> np.ndarray:
    """``(N, C, H, W)``: the adjoint of :func:`depthwise_forward` in ``x`` (per tap the sum over
    the channel's outputs of ``w * g``, added at its positions, taps in (i, j) order)."""
    N, C, H, W = (int(s) for s in shape)
    g, w = _check_depthwise("depthwise_input_grad", g, "g", weight, win, C)
    if g.shape != (N, w.shape[0], win.oh, win.ow):
        raise ValueError(f"depthwise_input_grad: g must have shape "
                         f"{(N, w.shape[0], win.oh, win.ow)}, got {g.shape}")
    _check_fits("depthwise_input_grad", (N, C, H, W), win)
    g = np.ascontiguousarray(g)
    if not _jit.use_numba():
        return depthwise_input_grad_numpy(g, w, (N, C, H, W), win)
    gxp = np.empty((N, C, H + 2 * win.ph, W + 2 * win.pw), g.dtype)
    _run("dw_input_grad", g.size * win.kh * win.kw, g, w, gxp, w.shape[0] // C,
         win.sh, win.sw, win.dh, win.dw)
    if win.ph or win.pw:
        return np.ascontiguousarray(gxp[:, :, win.ph:win.ph + H, win.pw:win.pw + W])
    return gxp


def depthwise_weight_grad(x: np.ndarray, g: np.ndarray, win: Window,
                          padded: np.ndarray | None = None) -> np.ndarray:
    """``(O, 1, kh, kw)`` in ``x``'s dtype: the weight gradient of :func:`depthwise_forward`,
    each tap's sum over samples and positions taken in float64."""
    x = _float4("depthwise_weight_grad", "x", x, copy=False)
    g = _float4("depthwise_weight_grad", "g", g, copy=False)
    _check_window("depthwise_weight_grad", win)
    N, C = x.shape[:2]
    if (g.dtype != x.dtype or g.shape[0] != N or g.shape[1] % max(C, 1) or C < 1
            or g.shape[2:] != (win.oh, win.ow)):
        raise ValueError(f"depthwise_weight_grad: g must be a {x.dtype} array (N={N}, m*{C}, "
                         f"{win.oh}, {win.ow}), got {g.dtype} {g.shape}")
    _check_fits("depthwise_weight_grad", x.shape, win)
    xp = _dw_padded("depthwise_weight_grad", x, win, padded)
    g = np.ascontiguousarray(g)
    if not _jit.use_numba():
        return depthwise_weight_grad_numpy(xp, g, win)
    gw = np.empty((g.shape[1], 1, win.kh, win.kw), x.dtype)
    _run("dw_weight_grad", g.size * win.kh * win.kw, xp, g, gw, g.shape[1] // C,
         win.sh, win.sw, win.dh, win.dw)
    return gw


def pad_backward(g: np.ndarray, shape: tuple[int, ...],
                 maps: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """``(P, D, H, W)`` zeros with ``g[p, a, b, c]`` added at ``[p, maps[0][a], maps[1][b],
    maps[2][c]]`` for every element of ``g`` (4 dims, float32/float64) in row-major order."""
    g = _float4("pad_backward", "g", g)
    P, D, H, W = (int(s) for s in shape)
    if P != g.shape[0] or len(maps) != 3 or any(
            not isinstance(m, np.ndarray) or m.dtype != np.int64 or m.shape != (k,)
            or (k and (m.min() < 0 or m.max() >= n))
            for m, k, n in zip(maps, g.shape[1:], (D, H, W))):
        raise ValueError(f"pad_backward: maps must be int64 (oD,), (oH,), (oW,) of g's "
                         f"{g.shape[1:]} into {(D, H, W)}, and g's planes {P}")
    if not _jit.use_numba():
        return pad_backward_numpy(g, (P, D, H, W), maps)
    out = np.empty((P, D, H, W), g.dtype)
    _run("pad_backward", g.size, g, *maps, out)
    return out


def adaptive_max_index(x: np.ndarray, oh: int, ow: int) -> np.ndarray:
    """``(N, C, oh, ow)`` int64: for each adaptive window of ``x`` (N, C, H, W), rows
    ``[floor(i*H/oh), ceil((i+1)*H/oh))`` and columns alike, the flat position in ``H*W`` of
    its first maximum, or of its last NaN (PyTorch's rule)."""
    x = _float4("adaptive_max_index", "x", x)
    N, C, H, W = x.shape
    if oh < 1 or ow < 1 or H < 1 or W < 1:
        raise ValueError(f"adaptive_max_index: output {(oh, ow)} and input {(H, W)} must be "
                         f"non-empty")
    if not _jit.use_numba():
        return adaptive_max_index_numpy(x, oh, ow)
    idx = np.empty((N, C, oh, ow), np.int64)
    _run("adaptive_max_index", x.size, x, idx)
    return idx


def _nb_threads():
    return _jit.numba_module().get_num_threads()


# ---- numpy twins ------------------------------------------------------------------------------
def _windows(xp, win):
    """A read-only strided view ``(N, C, kh, kw, oh, ow)`` of the padded input ``xp``."""
    n, c, h, w = xp.strides
    shape = xp.shape[:2] + (win.kh, win.kw, win.oh, win.ow)
    return as_strided(xp, shape, (n, c, h * win.dh, w * win.dw, h * win.sh, w * win.sw),
                      writeable=False)


def _padded(x, win, value):
    """``x`` padded by the window's padding and, on the far sides, by whatever the last window
    reaches beyond it (ceil_mode), with ``value``."""
    N, C, H, W = x.shape
    need_h = (win.oh - 1) * win.sh + (win.kh - 1) * win.dh + 1
    need_w = (win.ow - 1) * win.sw + (win.kw - 1) * win.dw + 1
    xp = np.full((N, C, max(need_h, H + 2 * win.ph), max(need_w, W + 2 * win.pw)), value,
                 x.dtype)
    xp[:, :, win.ph:win.ph + H, win.pw:win.pw + W] = x
    return xp


def im2col_numpy(x, win):
    N, C = x.shape[:2]
    cols = _windows(_padded(x, win, 0), win)
    return np.ascontiguousarray(cols).reshape(N, C * win.kh * win.kw, win.oh * win.ow)


def _scatter_windows(cols6, shape, win):
    """The adjoint of ``_windows`` on a padded buffer, cropped to ``shape``."""
    N, C, H, W = shape
    xp = np.zeros(_padded(np.zeros((N, C, H, W), cols6.dtype), win, 0).shape, cols6.dtype)
    for i in range(win.kh):
        for j in range(win.kw):
            y0, x0 = i * win.dh, j * win.dw
            xp[:, :, y0:y0 + (win.oh - 1) * win.sh + 1:win.sh,
               x0:x0 + (win.ow - 1) * win.sw + 1:win.sw] += cols6[:, :, i, j]
    return np.ascontiguousarray(xp[:, :, win.ph:win.ph + H, win.pw:win.pw + W])


def col2im_numpy(cols, shape, win):
    N, C = shape[:2]
    return _scatter_windows(cols.reshape(N, C, win.kh, win.kw, win.oh, win.ow), shape, win)


def max_pool2d_forward_numpy(x, win):
    N, C, H, W = x.shape
    k = win.kh * win.kw
    v = _windows(_padded(x, win, -np.inf), win).reshape(N, C, k, win.oh, win.ow)
    inside = _windows(_padded(np.ones((1, 1, H, W)), win, 0), win).reshape(1, 1, k, win.oh,
                                                                             win.ow)
    arg = np.argmax(v, axis=2)  # the first maximum
    out = np.take_along_axis(v, arg[:, :, None], axis=2)[:, :, 0]
    nan = np.isnan(v)
    last_nan = k - 1 - np.argmax(nan[:, :, ::-1], axis=2)
    arg = np.where(nan.any(axis=2), last_nan, arg)  # PyTorch: the last NaN wins
    first_inside = np.broadcast_to(np.argmax(inside, axis=2), arg.shape)
    arg = np.where(out == -np.inf, first_inside, arg)  # all -inf: the first element
    i, j = np.divmod(arg, win.kw)
    iy = np.arange(win.oh)[:, None] * win.sh - win.ph + i * win.dh
    ix = np.arange(win.ow)[None, :] * win.sw - win.pw + j * win.dw
    return np.ascontiguousarray(out), (iy * W + ix).astype(np.int64)


def max_pool2d_backward_numpy(g, indices, shape):
    N, C, H, W = shape
    out = np.zeros((N * C, H * W), g.dtype)
    rows = np.repeat(np.arange(N * C), g[0, 0].size)
    np.add.at(out, (rows, indices.reshape(-1)), g.reshape(-1))
    return out.reshape(shape)


def _avg_divisors(shape, win, count_include_pad, divisor_override):
    """PyTorch's divisor of each output position, ``(oh, ow)``."""
    H, W = shape[2:]
    if divisor_override is not None:
        return np.full((win.oh, win.ow), float(divisor_override))

    def extent(o, s, p, k, size):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)
        full = end - start
        inside = np.minimum(end, size) - np.maximum(start, 0)
        return full if count_include_pad else inside

    return np.outer(extent(win.oh, win.sh, win.ph, win.kh, H),
                    extent(win.ow, win.sw, win.pw, win.kw, W)).astype(np.float64)


def avg_pool2d_forward_numpy(x, win, count_include_pad=True, divisor_override=None):
    s = _windows(_padded(x, win, 0), win).sum(axis=(2, 3))
    div = _avg_divisors(x.shape, win, count_include_pad, divisor_override)
    return (s / div.astype(x.dtype)).astype(x.dtype)


def avg_pool2d_backward_numpy(g, shape, win, count_include_pad=True, divisor_override=None):
    div = _avg_divisors(shape, win, count_include_pad, divisor_override).astype(g.dtype)
    gd = g / div
    cols6 = np.broadcast_to(gd[:, :, None, None], g.shape[:2] + (win.kh, win.kw) + g.shape[2:])
    return _scatter_windows(cols6, shape, win)


def conv2d_forward_numpy(x, w, bias, win):
    N, O = x.shape[0], w.shape[0]
    out = np.matmul(w.reshape(O, -1), im2col_numpy(x, win)).reshape(N, O, win.oh, win.ow)
    return out if bias is None else out + bias.reshape(1, O, 1, 1)


def conv2d_input_grad_numpy(g, w, shape, win):
    N, O = g.shape[:2]
    gcols = np.matmul(w.reshape(O, -1).T, g.reshape(N, O, -1))
    return col2im_numpy(np.ascontiguousarray(gcols), shape, win)


def conv2d_weight_grad_numpy(x, g, win):
    N, O = g.shape[:2]
    cols = im2col_numpy(x, win)
    gw = np.einsum("nol,nkl->ok", g.reshape(N, O, -1), cols)
    return gw.reshape(O, x.shape[1], win.kh, win.kw).astype(x.dtype)


def shift_add_numpy(t, offs, out):
    R, C = out.shape
    for k, off in enumerate(int(o) for o in offs):
        lo, hi = max(0, -off), min(t.shape[0], R - off)
        if lo < hi:
            out[lo + off:hi + off] += t[lo:hi, k * C:(k + 1) * C]


def _dw_windows(xp, win, O):
    """The padded input's windows ``(N, O, kh, kw, oh, ow)``, channel ``o // (O / C)`` for
    output ``o``."""
    return _windows(xp, win)[:, np.arange(O) // (O // xp.shape[1])]


def _fma_numpy(a, b, c):
    """``a*b + c`` rounded once, as the loops' ``fma`` (float32 through float64: the product
    is exact there; float64 through the shared twin)."""
    if c.dtype == np.float32:
        return (a.astype(np.float64) * b + c).astype(np.float32)
    from autograd_core.random import _fma64_numpy

    a, b, c = np.broadcast_arrays(a, b, c)
    return _fma64_numpy(a, b, c)


def depthwise_forward_numpy(xp, w, bias, win):
    xw = _dw_windows(xp, win, w.shape[0])
    out = np.zeros(xw.shape[:2] + xw.shape[4:], xp.dtype)
    for i in range(win.kh):
        for j in range(win.kw):
            out = _fma_numpy(w[None, :, 0, i, j, None, None], xw[:, :, i, j], out)
    return out if bias is None else out + bias[None, :, None, None]


def depthwise_input_grad_numpy(g, w, shape, win):
    N, C = shape[:2]
    m = w.shape[0] // C
    gm = g.reshape(N, C, m, win.oh, win.ow)
    wm = w.reshape(C, m, win.kh, win.kw)
    cols6 = np.empty((N, C, win.kh, win.kw, win.oh, win.ow), g.dtype)
    for i in range(win.kh):
        for j in range(win.kw):
            v = wm[None, :, 0, i, j, None, None] * gm[:, :, 0]
            for k in range(1, m):
                v = _fma_numpy(wm[None, :, k, i, j, None, None], gm[:, :, k], v)
            cols6[:, :, i, j] = v
    return _scatter_windows(cols6, shape, win)


def depthwise_weight_grad_numpy(xp, g, win):
    xw = _dw_windows(xp, win, g.shape[1])
    per = np.einsum("noyx,noijyx->noij", g.astype(np.float64), xw.astype(np.float64))
    per = per.astype(xp.dtype)
    tot = np.zeros(per.shape[1:], xp.dtype)
    for n in range(per.shape[0]):
        tot += per[n]
    return tot[:, None]


def pad_backward_numpy(g, shape, maps):
    out = np.zeros(shape, g.dtype)
    P = shape[0]
    md, mh, mw = np.meshgrid(*maps, indexing="ij")
    src = ((md * shape[2] + mh) * shape[3] + mw).reshape(-1)
    rows = np.repeat(np.arange(P), src.size)
    # np.add.at adds in the order given: g's row-major order, as the loops
    np.add.at(out.reshape(P, -1), (rows, np.tile(src, P)), g.reshape(-1))
    return out


def adaptive_max_index_numpy(x, oh, ow):
    N, C, H, W = x.shape
    idx = np.empty((N, C, oh, ow), np.int64)
    for i in range(oh):
        y0, y1 = (i * H) // oh, -((-(i + 1) * H) // oh)
        for j in range(ow):
            x0, x1 = (j * W) // ow, -((-(j + 1) * W) // ow)
            v = x[:, :, y0:y1, x0:x1].reshape(N, C, -1)
            nan = np.isnan(v)
            last_nan = v.shape[2] - 1 - np.argmax(nan[:, :, ::-1], axis=2)
            arg = np.where(nan.any(axis=2), last_nan, np.argmax(v, axis=2))
            idx[:, :, i, j] = (y0 + arg // (x1 - x0)) * W + x0 + arg % (x1 - x0)
    return idx
