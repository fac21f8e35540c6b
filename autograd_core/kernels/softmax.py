"""Softmax and log-softmax over the rows of a C-contiguous ``(R, L)`` float32/float64 array:
Numba loops with numpy twins (the specification, and the backend under
``TAPEGRAD_KERNELS=numpy``), as PyTorch's last-dim CPU kernels compute them::

    softmax_rows(x, safe, causal)  y = e * (1 / sum(e)),  e = exp(x - max)  (causal: row r
                                 sees columns 0 .. r % causal, the rest 0)
    log_softmax_rows(x)          y = (x - max) - log(sum(exp(x - max)))   (max: 0 if -inf)
    softmax_backward_rows(g, y, scale)  gx = y * (g - sum(g * y))  (times scale: the
                                 gradient of softmax(x * scale); softmax_rows takes it too)
    log_softmax_backward_rows(g, y)  gx = g - exp(y) * sum(g)
    logsumexp_rows(x)            (m, ls): log_softmax = (x - m) - ls, without the (R, L) array
                                 (but for a row holding +inf: log_softmax is NaN there)
    nll_backward_rows(x, ls, c, t)  gx = exp((x - m) - ls) * c, minus c at column t
                                 (cross-entropy's gradient: log_softmax's of a one-hot -c;
                                 m recomputed: a cheap pass, nothing more kept)

Sums are accumulated in float64 (eight partial sums, so the loop pipelines without
reassociation licence: ``_exp_f32``'s rounding trick must not be reassociated) and rounded
once. float32 ``exp`` is ``activations._exp_f32`` (vectorised; it agrees with PyTorch's SLEEF
``expf`` on ~95% of inputs, numpy's on ~67%), float64 ``exp`` libm's. ``safe=True`` is PyTorch's
``_safe_softmax`` (attention): a row whose every entry is ``-inf`` gives zeros, not NaN. A NaN
in a row gives a NaN row (through its sum). Arguments are checked (``ValueError`` naming the kernel) before any
loop runs. Serial below :data:`PARALLEL_MIN_SIZE` elements, rows split across threads above.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_core.kernels import _jit
from autograd_core.kernels.activations import _exp_f32

__all__ = ["rows", "softmax_rows", "log_softmax_rows", "softmax_backward_rows",
           "log_softmax_backward_rows", "logsumexp_rows", "nll_backward_rows",
           "logsumexp_rows_numpy", "nll_backward_rows_numpy", "softmax_rows_numpy", "log_softmax_rows_numpy",
           "softmax_backward_rows_numpy", "log_softmax_backward_rows_numpy",
           "PARALLEL_MIN_SIZE"]

PARALLEL_MIN_SIZE = _jit.parallel_threshold(default=1 << 17)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def rows(x, dim):
    """``x`` as the kernels' ``(R, L)`` rows when ``dim`` is its last axis and it is a
    non-empty float32/float64 array, else None (the caller's numpy path)."""
    if x.ndim == 0 or dim % x.ndim != x.ndim - 1 or x.dtype not in _FLOATS or not x.size:
        return None
    return np.ascontiguousarray(x).reshape(-1, x.shape[-1])


# ---- numpy twins ----------------------------------------------------------------------------
def _row_max(x, finite_only):
    m = x.max(axis=1, keepdims=True)
    bad = ~np.isfinite(m) if finite_only else (m == -np.inf)
    return np.where(bad, 0, m).astype(x.dtype)


def _causal_masked(x, causal):
    """``x`` with ``-inf`` right of the diagonal of each block of ``causal`` rows (row ``r``
    keeps columns ``0 .. r % causal``), a copy; ``x`` itself when ``causal`` is 0."""
    if not causal:
        return x
    q = np.arange(x.shape[0]) % causal
    return np.where(np.arange(x.shape[1]) <= q[:, None], x, -np.inf).astype(x.dtype)


def softmax_rows_numpy(x, safe=False, causal=0, scale=None):
    if scale is not None:
        x = x * x.dtype.type(scale)
    x = _causal_masked(x, causal)
    m = _row_max(x, False) if safe else x.max(axis=1, keepdims=True)
    e = np.exp(x - m)
    s = e.sum(axis=1, keepdims=True, dtype=np.float64)
    with np.errstate(divide="ignore"):
        inv = (1.0 / s).astype(x.dtype)
    if safe:
        inv[s == 0] = 0
    return e * inv


def log_softmax_rows_numpy(x):
    y = x - _row_max(x, False)  # (a +inf max: the row is NaN, as PyTorch's)
    with np.errstate(divide="ignore"):
        return y - np.log(np.exp(y).sum(axis=1, keepdims=True, dtype=np.float64)).astype(x.dtype)


def softmax_backward_rows_numpy(g, y, scale=None):
    s = (g * y).sum(axis=1, keepdims=True, dtype=np.float64).astype(y.dtype)
    gx = y * (g - s)
    return gx if scale is None else gx * y.dtype.type(scale)


def log_softmax_backward_rows_numpy(g, y):
    return g - np.exp(y) * g.sum(axis=1, keepdims=True, dtype=np.float64).astype(y.dtype)


def logsumexp_rows_numpy(x):
    m = _row_max(x, True)
    with np.errstate(divide="ignore"):
        ls = np.log(np.exp(x - m).sum(axis=1, keepdims=True, dtype=np.float64)).astype(x.dtype)
    return m[:, 0], ls[:, 0]


def nll_backward_rows_numpy(x, ls, c, t):
    gx = np.exp((x - _row_max(x, True)) - ls[:, None]) * c[:, None]
    gx[np.arange(x.shape[0]), t] -= c
    return gx


# ---- Numba loops --------------------------------------------------------------------------
@_jit.jitable
def _exp_f64(x):
    return math.exp(x)


_LOW = np.float32(-104.0)  # exp below it rounds to 0 in float32 (2**-150 = exp(-103.97))
_ZERO = np.float32(0.0)


@_jit.jitable
def _exp0_f32(x):
    """``_exp_f32``, 0 below ``_LOW`` without computing it: the underflowing products there
    (-inf entries of a causal mask) cost a microcode assist each, 10x the whole softmax."""
    small = x < _LOW  # (False for NaN: NaN passes through)
    e = _exp_f32(_ZERO if small else x)
    return _ZERO if small else e


_exp = _jit.by_dtype(_exp0_f32, _exp_f64)
_cast = _jit.cast


@_jit.jitable(inline="always")
def _sum(a, n):
    """``sum(a[:n])`` in float64: eight partial sums, then pairs."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    i = 0
    while i + 8 <= n:
        s0 += a[i]
        s1 += a[i + 1]
        s2 += a[i + 2]
        s3 += a[i + 3]
        s4 += a[i + 4]
        s5 += a[i + 5]
        s6 += a[i + 6]
        s7 += a[i + 7]
        i += 8
    while i < n:
        s0 += a[i]
        i += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@_jit.jitable(fastmath={"reassoc"})
def _sum_any_order(a, n):
    """``sum(a[:n])`` in float64, in whatever order LLVM vectorises it best (the flag applies to
    this loop only: the callers' ``_exp_f32`` keeps its rounding trick)."""
    s = 0.0
    for i in range(n):
        s += a[i]
    return s


def _rowsum_f32(first, a, n):
    return _sum_any_order(a, n)


def _rowsum_f64(first, a, n):
    return _sum(a, n)


#: ``sum(a[:n])`` in float64 (``_rowsum(a[0], a, n)``: the first argument picks the dtype's
#: build). float32 rows: in any order (2.6x faster than ``_sum``'s eight chains). A float64
#: sum of float32 values rounds to the same float32 in practice (3 elements in 2x10^8 moved by
#: 1 ulp, all closer to PyTorch); through a log (log-softmax, logsumexp) its last bits reach
#: ~1 float32 row in 10^4 of large logits, as often closer to PyTorch's as farther (the
#: count of elements off PyTorch's on 3 samples of 6-12 million: +8, -4, -1). float64 rows
#: keep ``_sum``'s order, so their bits.
_rowsum = _jit.by_dtype(_rowsum_f32, _rowsum_f64)


@_jit.jitable(inline="always")
def _max(a, n):
    """``max(a[:n])`` (n >= 1) over eight partial maxima. NaNs are passed over (unless
    ``a[0]`` is one): a NaN makes its row's sum, so the whole row, NaN anyway."""
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = a[0]
    i = 0
    while i + 8 <= n:
        m0 = a[i] if a[i] > m0 else m0
        m1 = a[i + 1] if a[i + 1] > m1 else m1
        m2 = a[i + 2] if a[i + 2] > m2 else m2
        m3 = a[i + 3] if a[i + 3] > m3 else m3
        m4 = a[i + 4] if a[i + 4] > m4 else m4
        m5 = a[i + 5] if a[i + 5] > m5 else m5
        m6 = a[i + 6] if a[i + 6] > m6 else m6
        m7 = a[i + 7] if a[i + 7] > m7 else m7
        i += 8
    while i < n:
        m0 = a[i] if a[i] > m0 else m0
        i += 1
    m0 = m1 if m1 > m0 else m0
    m2 = m3 if m3 > m2 else m2
    m4 = m5 if m5 > m4 else m4
    m6 = m7 if m7 > m6 else m6
    m0 = m2 if m2 > m0 else m0
    m4 = m6 if m6 > m4 else m4
    return m4 if m4 > m0 else m0


def _softmax(x, safe, y, mx):
    R, L = x.shape
    for r in _range(R):  # (the maxima first: after the max loop, LLVM left the exp scalar)
        mx[r] = _max(x[r], L)
    for r in _range(R):
        xr, yr, m = x[r], y[r], mx[r]
        if safe and m == -math.inf:
            m = _cast(0.0, m)
        for i in range(L):
            yr[i] = _exp(xr[i] - m)
        s = _rowsum(yr[0], yr, L)
        inv = _cast(0.0 if safe and s == 0.0 else 1.0 / s, m)
        for i in range(L):
            yr[i] = yr[i] * inv


def _softmax_causal(x, causal, y, mx):
    """``_softmax(x, True, ...)`` of ``x`` with ``-inf`` added right of the diagonal of each
    block of ``causal`` rows: row ``r`` sees its first ``n = r % causal + 1`` columns."""
    R, L = x.shape
    for r in _range(R):
        mx[r] = _max(x[r], min(r % causal + 1, L))
    for r in _range(R):
        xr, yr, m = x[r], y[r], mx[r]
        n = min(r % causal + 1, L)
        if m == -math.inf:
            m = _cast(0.0, m)
        # exp to n rounded up to whole 16-lane vectors (the values past n are overwritten:
        # a loop to n itself ran its ragged ends scalar, slower than the unmasked softmax)
        for i in range(min(L, (n + 15) // 16 * 16)):
            yr[i] = _exp(xr[i] - m)
        for i in range(n, L):  # exp(-inf - m): the added mask's 0, so the sum keeps its order
            yr[i] = 0.0
        s = _rowsum(yr[0], yr, L)
        inv = _cast(0.0 if s == 0.0 else 1.0 / s, m)
        for i in range(L):
            yr[i] = yr[i] * inv


def _softmax_scaled(x, scale, causal, y, mx):
    """``_softmax_causal`` (``causal`` 0: every column) of ``x * scale``: the scaled row is
    written to ``y`` first (its own loop: the product is rounded, as the separate multiply
    was, never fused into the subtraction that follows), then exponentiated in place."""
    R, L = x.shape
    for r in _range(R):
        xr, yr = x[r], y[r]
        for i in range(L):
            yr[i] = xr[i] * scale
        mx[r] = _max(yr, min(r % causal + 1, L) if causal else L)
    for r in _range(R):
        yr, m = y[r], mx[r]
        n = min(r % causal + 1, L) if causal else L
        if m == -math.inf:
            m = _cast(0.0, m)
        for i in range(min(L, (n + 15) // 16 * 16)):
            yr[i] = _exp(yr[i] - m)
        for i in range(n, L):
            yr[i] = 0.0
        s = _rowsum(yr[0], yr, L)
        inv = _cast(0.0 if s == 0.0 else 1.0 / s, m)
        for i in range(L):
            yr[i] = yr[i] * inv


def _log_softmax(x, y, mx):
    R, L = x.shape
    for r in _range(R):
        mx[r] = _max(x[r], L)
    for r in _range(R):
        xr, yr, m = x[r], y[r], mx[r]
        if m == -math.inf:  # (a +inf max makes the row NaN, as PyTorch's)
            m = _cast(0.0, m)
        for i in range(L):
            yr[i] = _exp(xr[i] - m)
        ls = _cast(math.log(_rowsum(yr[0], yr, L)), m)
        for i in range(L):
            yr[i] = (xr[i] - m) - ls


def _logsumexp(x, mx, lse, buf):
    R, L = x.shape
    for r in range(R):  # (the maxima first, as in _softmax)
        mx[r] = _max(x[r], L)
    for r in range(R):  # serial: one scratch row
        xr, m = x[r], mx[r]
        if not abs(m) < math.inf:
            m = _cast(0.0, m)
        for i in range(L):
            buf[i] = _exp(xr[i] - m)
        mx[r] = m
        lse[r] = math.log(_rowsum(buf[0], buf, L))  # (rounded to x's dtype)


def _nll_backward(x, ls, c, t, gx, mx):
    R, L = x.shape
    for r in _range(R):
        mx[r] = _max(x[r], L)
    for r in _range(R):
        xr, out, m_, l_, c_ = x[r], gx[r], mx[r], ls[r], c[r]
        if not abs(m_) < math.inf:
            m_ = _cast(0.0, m_)
        for i in range(L):
            out[i] = _exp((xr[i] - m_) - l_) * c_
        k = t[r]
        gx[r, k] = gx[r, k] - c_


def _softmax_backward(g, y, scale, gx):
    """``y * (g - sum(g * y))`` per row, times ``scale`` (the gradient of
    ``softmax(x * scale)``), each product rounded as the separate steps are (1: exact)."""
    R, L = y.shape
    for r in _range(R):
        gr, yr, out = g[r], y[r], gx[r]
        for i in range(L):
            out[i] = gr[i] * yr[i]
        s = _cast(_rowsum(out[0], out, L), yr[0])
        for i in range(L):
            out[i] = (yr[i] * (gr[i] - s)) * scale


def _log_softmax_backward(g, y, gx):
    R, L = y.shape
    for r in _range(R):
        gr, yr, out = g[r], y[r], gx[r]
        s = _cast(_rowsum(gr[0], gr, L), yr[0])
        for i in range(L):
            out[i] = gr[i] - _exp(yr[i]) * s


_range = range
_BUILDS: dict = {}


def _builds(name):
    """(serial, parallel) Numba builds of loop ``name`` (two copies of its source, the parallel
    one with ``_range`` bound to ``numba.prange``: Numba's cache ignores compile options)."""
    pair = _BUILDS.get(name)
    if pair is None:
        pair = _BUILDS[name] = _jit.serial_parallel(globals()[name], fastmath={"contract"})
    return pair


def _check(kernel, x, other=None):
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.dtype not in _FLOATS \
            or not x.flags.c_contiguous:
        raise ValueError(f"{kernel}: expects a C-contiguous 2-D float32/float64 array, got "
                         f"{getattr(x, 'dtype', type(x))} of shape {getattr(x, 'shape', None)}")
    if other is not None and (not isinstance(other, np.ndarray) or other.shape != x.shape
                              or other.dtype != x.dtype or not other.flags.c_contiguous):
        raise ValueError(f"{kernel}: g must be a C-contiguous {x.dtype} array of shape "
                         f"{x.shape}, got {getattr(other, 'dtype', type(other))} "
                         f"{getattr(other, 'shape', None)}")


def _quiet():  # the twins on inf/NaN rows: quiet, as the loops are
    return np.errstate(invalid="ignore", over="ignore", divide="ignore")


def _new(like, shape):
    """``(out, rows)``: a new array of ``shape`` (default ``like``'s) that owns its memory, and
    its ``(R, L)`` view the loop writes (returning ``out``, not a reshaped view of the rows,
    spares the caller a copy: autograd copies a view handed to it as a leaf's gradient)."""
    out = np.empty(like.shape if shape is None else shape, like.dtype)
    return out, out.reshape(like.shape)


def _shaped(a, shape):
    """A twin's (new) result in ``shape``, owning its memory as ``_new``'s."""
    return a if shape is None or a.shape == tuple(shape) else a.reshape(shape).copy()


def _run(name, *args):
    serial, parallel = _builds(name)
    big = args[0].size >= PARALLEL_MIN_SIZE and _jit.parallel_enabled()
    (parallel if big else serial)(*args)


def softmax_rows(x, safe=False, causal=0, scale=None, shape=None):
    """Softmax of each row of ``x`` (R, L); ``safe``: all ``-inf`` rows give zeros.
    ``causal`` (an int > 0): the rows are blocks of ``causal`` queries and row ``r`` sees
    columns ``0 .. r % causal`` only, as if ``-inf`` were added right of the diagonal
    (attention's ``is_causal``; the same bits, without the mask's array and pass).
    ``scale`` (a number): the softmax of ``x * scale`` (the product rounded in ``x``'s dtype,
    as attention's separate multiply), ``safe`` only. ``shape``: the result's shape (``x``'s
    size; default ``x.shape``), a new array."""
    _check("softmax_rows", x)
    causal = int(causal)
    if causal < 0:
        raise ValueError(f"softmax_rows: causal must be a block size >= 0, got {causal}")
    if (causal or scale is not None) and not safe:
        raise ValueError("softmax_rows: causal or scaled rows are taken with safe=True only")
    if not _jit.use_numba() or x.shape[1] == 0:
        with _quiet():
            return _shaped(softmax_rows_numpy(x, safe, causal, scale), shape)
    out, y = _new(x, shape)
    if scale is not None:
        _run("_softmax_scaled", x, x.dtype.type(scale), causal, y,
             np.empty(x.shape[0], x.dtype))
    elif causal:
        _run("_softmax_causal", x, causal, y, np.empty(x.shape[0], x.dtype))
    else:
        _run("_softmax", x, bool(safe), y, np.empty(x.shape[0], x.dtype))
    return out


def log_softmax_rows(x, shape=None):
    """Log-softmax of each row of ``x`` (R, L) (``shape``: as ``softmax_rows``')."""
    _check("log_softmax_rows", x)
    if not _jit.use_numba() or x.shape[1] == 0:
        with _quiet():
            return _shaped(log_softmax_rows_numpy(x), shape)
    out, y = _new(x, shape)
    _run("_log_softmax", x, y, np.empty(x.shape[0], x.dtype))
    return out


def softmax_backward_rows(g, y, scale=None, shape=None):
    """The gradient of the rows' softmax ``y`` for the output gradient ``g`` (times
    ``scale``, rounded after, when given: the gradient of ``softmax(x * scale)`` in ``x``)."""
    _check("softmax_backward_rows", y, g)
    if not _jit.use_numba() or y.shape[1] == 0:
        with _quiet():
            return _shaped(softmax_backward_rows_numpy(g, y, scale), shape)
    out, gx = _new(y, shape)
    _run("_softmax_backward", g, y, y.dtype.type(1.0 if scale is None else scale), gx)
    return out


def log_softmax_backward_rows(g, y, shape=None):
    """The gradient of the rows' log-softmax ``y`` for the output gradient ``g`` (``shape``:
    as ``softmax_rows``')."""
    _check("log_softmax_backward_rows", y, g)
    if not _jit.use_numba() or y.shape[1] == 0:
        with _quiet():
            return _shaped(log_softmax_backward_rows_numpy(g, y), shape)
    out, gx = _new(y, shape)
    _run("_log_softmax_backward", g, y, gx)
    return out


def logsumexp_rows(x):
    """``(m, ls)`` per row of ``x`` (R, L), in x's dtype: the row max (0 where not finite) and
    ``log(sum(exp(x - m)))``, so that ``log_softmax_rows(x) == (x - m) - ls``."""
    _check("logsumexp_rows", x)
    if not _jit.use_numba() or x.shape[1] == 0:
        with _quiet():
            return logsumexp_rows_numpy(x)
    R, L = x.shape
    m, ls = np.empty(R, x.dtype), np.empty(R, x.dtype)
    _builds("_logsumexp")[0](x, m, ls, np.empty(L, x.dtype))  # (serial)
    return m, ls


def nll_backward_rows(x, ls, c, t):
    """``exp((x - m) - ls) * c`` per row (``m``, ``ls`` as ``logsumexp_rows``'), minus ``c``
    at each row's column ``t`` (int64, in range: the caller checked the targets)."""
    _check("nll_backward_rows", x)
    R = x.shape[0]
    if any(a.shape != (R,) or a.dtype != x.dtype for a in (ls, c)) or t.shape != (R,) \
            or t.dtype != np.int64:
        raise ValueError(f"nll_backward_rows: ls, c must be ({R},) {x.dtype} arrays and t "
                         f"({R},) int64")
    if not _jit.use_numba() or x.shape[1] == 0:
        with _quiet():
            return nll_backward_rows_numpy(x, ls, c, t)
    gx = np.empty_like(x)
    _run("_nll_backward", x, np.ascontiguousarray(ls), np.ascontiguousarray(c),
         np.ascontiguousarray(t), gx, np.empty(R, x.dtype))
    return gx
