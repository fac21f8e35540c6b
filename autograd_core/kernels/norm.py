"""Per-channel normalisation kernels (batch / instance norm), Numba loops with numpy twins.

Every kernel works on a C-contiguous float32/float64 array viewed as ``(A, K, S)``: statistics
are taken per channel ``k`` over the ``A`` and ``S`` axes (batch norm: ``(N, C, H*W)``; instance
norm: ``(1, N*C, H*W)``). Per-channel arrays are 1-D of length ``K``; sums are accumulated in
float64, elementwise results are in the input's dtype. With ``S == 1`` (batch norm of (N, C))
the sums run along rows, all channels at once, serially::

    channel_stats(x)                 -> mean, var (biased), float64          (two passes)
    channel_grad_sums(g, x, m)       -> sum(g), sum(g * (x - m)), float64
    channel_scale_shift(x, m, a, c)  -> (x - m) * a + c
    channel_backward(g, x, m, a, b, c) -> a * g + b * (x - m) + c

Layer and group norm take statistics per row of a C-contiguous ``(R, L)`` array instead, with
parameters ``w``, ``b`` of shape ``(G, L)`` that row ``r`` takes row ``r % G`` of (layer norm:
``G = 1``; group norm of ``(N, C, S)`` in ``G`` groups: each channel's value repeated over its
``S`` positions). Means and variances are summed in float64; ``m``, ``r`` come back both in
float64 and in the input's dtype (what the elementwise arithmetic uses)::

    row_forward(x, w, b, eps, form)  -> y, m, r (r = 1/sqrt(var + eps)), with PyTorch's roundings:
                                        form 0 (layer norm): y = fma((x - m) * r, w, b)
                                        form 1 (group norm's affine): s = r * w,
                                        y = fma(x, s, fma(-s, m, b))
    row_backward(g, x, m, r, w)      -> gx, sum over rows of g * xhat and of g (float64, (G, L))
                                        with xhat = (x - m) * r, gh = g * w, PyTorch's form
                                        gx = r * gh + b * x + c (b, c per row, from sum(gh * x)
                                        and sum(gh) in float64)

``TAPEGRAD_KERNELS=numpy`` runs the twins (``*_numpy``). Arguments are checked (``ValueError``
naming the kernel and the array) before any loop runs, so a mismatch can never read or write out
of bounds. Serial below :data:`PARALLEL_MIN_SIZE` elements, channels split across threads above.
Importing this module does not import numba.
"""

from __future__ import annotations


import numpy as np

from autograd_core.kernels import _jit

__all__ = ["channel_stats", "channel_grad_sums", "channel_scale_shift", "channel_backward",
           "channel_stats_numpy", "channel_grad_sums_numpy", "channel_scale_shift_numpy",
           "channel_backward_numpy", "row_forward", "row_backward", "row_forward_numpy",
           "row_backward_numpy", "PARALLEL_MIN_SIZE"]

#: From this many elements on the parallel builds run (BatchNorm2d on (32, 16, 32, 32) float32,
#: 2 cores: the parallel stats+apply pass gained ~1.6x over serial there; at 2^15 elements the
#: dispatch cost ate the gain).
PARALLEL_MIN_SIZE = _jit.parallel_threshold(default=1 << 17)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


# ---- numpy twins (the specification) ------------------------------------------------------
def channel_stats_numpy(x):
    mean = x.mean(axis=(0, 2), dtype=np.float64)
    var = np.square(x - mean[:, None], dtype=np.float64).mean(axis=(0, 2))
    return mean, var


def channel_grad_sums_numpy(g, x, m):
    xc = x - m[:, None].astype(x.dtype)
    return g.sum(axis=(0, 2), dtype=np.float64), (g * xc).sum(axis=(0, 2), dtype=np.float64)


def channel_scale_shift_numpy(x, m, a, c):
    m, a, c = (v[:, None].astype(x.dtype) for v in (m, a, c))
    return (x - m) * a + c


def channel_backward_numpy(g, x, m, a, b, c):
    m, a, b, c = (v[:, None].astype(x.dtype) for v in (m, a, b, c))
    return a * g + b * (x - m) + c


def _row_params(p, R):
    """``(G, L)`` parameters as the ``(R, L)`` rows that use them."""
    return np.tile(p, (R // p.shape[0], 1))


def row_forward_numpy(x, w, b, eps, form=0):
    R = x.shape[0]
    mean = x.mean(axis=1, dtype=np.float64)
    var = np.square(x - mean[:, None], dtype=np.float64).mean(axis=1)
    inv = 1.0 / np.sqrt(var + eps)
    mt, rt = mean.astype(x.dtype), inv.astype(x.dtype)
    from autograd_core.kernels.optim import numpy_fma  # (optim imports creation: not at load)
    m, r, w, b = mt[:, None], rt[:, None], _row_params(w, R), _row_params(b, R)
    if form == 0:
        y = numpy_fma(w, (x - m) * r, b)
    else:
        s = r * w
        y = numpy_fma(s, x, numpy_fma(-s, m, b))
    return y, mean, inv, mt, rt


def _row_grad_coefs(ds, db, mean, inv, L, dtype):
    """PyTorch's ``dx = r * g * w + b * x + c`` per row: ``b``, ``c`` from the row sums."""
    b = (db * mean - ds) * inv ** 3 / L
    return b.astype(dtype), (-b * mean - db * inv / L).astype(dtype)


def row_backward_numpy(g, x, mean, inv, w):
    R, L = x.shape
    m, r = mean.astype(x.dtype)[:, None], inv.astype(x.dtype)[:, None]
    gh = g * _row_params(w, R)
    b, c = _row_grad_coefs((gh * x).sum(axis=1, dtype=np.float64),
                           gh.sum(axis=1, dtype=np.float64), mean, inv, L, x.dtype)
    gx = r * gh + b[:, None] * x + c[:, None]
    G = w.shape[0]
    sgw = (g * ((x - m) * r)).astype(np.float64).reshape(-1, G, L).sum(axis=0)
    sgb = g.astype(np.float64).reshape(-1, G, L).sum(axis=0)
    return gx, sgw, sgb


# ---- Numba loops (serial and parallel builds are separate functions: see _jit) --------------
def _stats(x, mean, var):
    A, K, S = x.shape
    n = A * S
    if S == 1:  # (N, C): sum along rows, every channel at once (contiguous, vectorised)
        mean[:] = 0.0
        var[:] = 0.0
        for a in range(A):
            for k in range(K):
                mean[k] += x[a, k, 0]
        mean /= n
        for a in range(A):
            for k in range(K):
                d = x[a, k, 0] - mean[k]
                var[k] += d * d
        var /= n
        return
    for k in _range(K):
        s = 0.0
        for a in range(A):
            for i in range(S):
                s += x[a, k, i]
        mu = s / n
        q = 0.0
        for a in range(A):
            for i in range(S):
                d = x[a, k, i] - mu
                q += d * d
        mean[k] = mu
        var[k] = q / n


def _grad_sums(g, x, m, sg, sgx):
    A, K, S = x.shape
    if S == 1:
        sg[:] = 0.0
        sgx[:] = 0.0
        for a in range(A):
            for k in range(K):
                gi = g[a, k, 0]
                sg[k] += gi
                sgx[k] += gi * (x[a, k, 0] - m[k])
        return
    for k in _range(K):
        s = 0.0
        t = 0.0
        mk = m[k]
        for a in range(A):
            for i in range(S):
                gi = g[a, k, i]
                s += gi
                t += gi * (x[a, k, i] - mk)
        sg[k] = s
        sgx[k] = t


def _scale_shift(x, m, a_, c, out):
    A, K, S = x.shape
    if S == 1:
        for a in range(A):
            for k in range(K):
                out[a, k, 0] = (x[a, k, 0] - m[k]) * a_[k] + c[k]
        return
    for ak in _range(A * K):  # rows in memory order
        a, k = ak // K, ak % K
        mk, ak_, ck = m[k], a_[k], c[k]
        for i in range(S):
            out[a, k, i] = (x[a, k, i] - mk) * ak_ + ck


def _backward(g, x, m, a_, b, c, out):
    A, K, S = x.shape
    if S == 1:
        for a in range(A):
            for k in range(K):
                out[a, k, 0] = a_[k] * g[a, k, 0] + b[k] * (x[a, k, 0] - m[k]) + c[k]
        return
    for ak in _range(A * K):
        a, k = ak // K, ak % K
        mk, ak_, bk, ck = m[k], a_[k], b[k], c[k]
        for i in range(S):
            out[a, k, i] = ak_ * g[a, k, i] + bk * (x[a, k, i] - mk) + ck


@_jit.jitable(fastmath={"reassoc"})
def _sum_any_order(a, n):
    """``sum(a[:n])`` in float64, reassociated so LLVM vectorises it (the flag covers this
    loop only, not the elementwise arithmetic of the loops that call it)."""
    s = 0.0
    for i in range(n):
        s += a[i]
    return s


@_jit.jitable(fastmath={"reassoc"})
def _sq_dev_any_order(a, n, mu):
    """``sum((a[:n] - mu) ** 2)`` in float64, reassociated as ``_sum_any_order``."""
    q = 0.0
    for i in range(n):
        d = a[i] - mu
        q += d * d
    return q


def _row_norm(x, eps, w, b, form, y, mean, inv, mt, rt):
    """Each row's statistics, then its normalised values while the row is in cache."""
    R, L = x.shape
    G = w.shape[0]
    for r in _range(R):
        xr, wr, br, out = x[r], w[r % G], b[r % G], y[r]
        mu = _sum_any_order(xr, L) / L
        mean[r] = mu
        inv[r] = 1.0 / np.sqrt(_sq_dev_any_order(xr, L, mu) / L + eps)
        mt[r] = mean[r]  # (rounded to x's dtype)
        rt[r] = inv[r]
        m_, r_ = mt[r], rt[r]
        if form == 0:
            for i in range(L):
                out[i] = _fma((xr[i] - m_) * r_, wr[i], br[i])
        else:
            for i in range(L):
                s = r_ * wr[i]
                out[i] = _fma(xr[i], s, _fma(-s, m_, br[i]))


@_jit.jitable(fastmath={"reassoc"})
def _gh_sums_any_order(g, x, w, n):
    """``(sum(gh), sum(gh * x))`` in float64 with ``gh = g * w`` (in g's dtype), reassociated
    as ``_sum_any_order``."""
    a = 0.0
    c = 0.0
    for i in range(n):
        gh = g[i] * w[i]
        a += gh
        c += gh * x[i]
    return a, c


def _row_grad(g, x, mean, inv, inv3, w, gx, sgw, sgb):
    """Per row: its sums, ``_row_grad_coefs``' ``b``, ``c`` (the same float64 operations),
    then its gradient and its share of the column sums while the row is in cache."""
    R, L = x.shape
    G = w.shape[0]
    for r in range(R):  # serial: every row adds to the column sums
        xr, gr, wr, out, sw, sb = x[r], g[r], w[r % G], gx[r], sgw[r % G], sgb[r % G]
        db, ds = _gh_sums_any_order(gr, xr, wr, L)
        b = (db * mean[r] - ds) * inv3[r] / L
        c = -b * mean[r] - db * inv[r] / L
        m_, i_ = _cast(mean[r], xr[0]), _cast(inv[r], xr[0])
        b_, c_ = _cast(b, xr[0]), _cast(c, xr[0])
        for i in range(L):  # (three loops on the cached row: each vectorises on its own,
            out[i] = i_ * (gr[i] * wr[i]) + b_ * xr[i] + c_  # 10% faster than one)
        for i in range(L):
            sw[i] += gr[i] * ((xr[i] - m_) * i_)
        for i in range(L):
            sb[i] += gr[i]


_range = range
_fma = _jit.fma
_cast = _jit.cast
_BUILDS: dict = {}
# The sums may be reassociated (so LLVM vectorises them: ~4x faster on (32, 16, 1024) float32);
# only the order of the float64 additions changes, no other fast-math licence is taken.
_OPTIONS = {"_stats": {"fastmath": {"reassoc"}}, "_grad_sums": {"fastmath": {"reassoc"}}}


def _builds(name):
    """(serial, parallel) Numba builds of loop ``name``: two copies of its source, the parallel
    one with ``_range`` bound to ``numba.prange``."""
    pair = _BUILDS.get(name)
    if pair is None:
        pair = _BUILDS[name] = _jit.serial_parallel(globals()[name], **_OPTIONS.get(name, {}))
    return pair


def _check(kernel, x, *others, chans=()):
    if not isinstance(x, np.ndarray) or x.ndim != 3 or x.dtype not in _FLOATS:
        raise ValueError(f"{kernel}: x must be a 3-D float32/float64 array (A, K, S), got "
                         f"{getattr(x, 'dtype', type(x))} of shape {getattr(x, 'shape', None)}")
    if not x.flags.c_contiguous:
        raise ValueError(f"{kernel}: x must be C-contiguous")
    for name, arr in others:
        if arr.shape != x.shape or arr.dtype != x.dtype or not arr.flags.c_contiguous:
            raise ValueError(f"{kernel}: {name} must be a C-contiguous {x.dtype} array of shape "
                             f"{x.shape}, got {arr.dtype} {arr.shape}")
    K = x.shape[1]
    for name, arr in chans:
        if arr.shape != (K,):
            raise ValueError(f"{kernel}: {name} must have shape ({K},), got {arr.shape}")


def _run(name, *args):
    serial, parallel = _builds(name)
    big = args[0].size >= PARALLEL_MIN_SIZE and _jit.parallel_enabled()
    (parallel if big else serial)(*args)


def _chan(v):
    return np.ascontiguousarray(v, dtype=np.float64)


def channel_stats(x):
    """Per-channel mean and biased variance of ``x`` (A, K, S), in float64."""
    _check("channel_stats", x)
    if not _jit.use_numba():
        return channel_stats_numpy(x)
    K = x.shape[1]
    mean, var = np.empty(K), np.empty(K)
    _run("_stats", x, mean, var)
    return mean, var


def channel_grad_sums(g, x, m):
    """Per-channel ``sum(g)`` and ``sum(g * (x - m))``, in float64."""
    m = _chan(m)
    _check("channel_grad_sums", x, ("g", g), chans=(("m", m),))
    if not _jit.use_numba():
        return channel_grad_sums_numpy(g, x, m)
    K = x.shape[1]
    sg, sgx = np.empty(K), np.empty(K)
    _run("_grad_sums", g, x, m.astype(x.dtype), sg, sgx)
    return sg, sgx


def channel_scale_shift(x, m, a, c):
    """``(x - m) * a + c`` with per-channel ``m``, ``a``, ``c``."""
    m, a, c = _chan(m), _chan(a), _chan(c)
    _check("channel_scale_shift", x, chans=(("m", m), ("a", a), ("c", c)))
    if not _jit.use_numba():
        return channel_scale_shift_numpy(x, m, a, c)
    out = np.empty_like(x)
    t = x.dtype.type
    _run("_scale_shift", x, m.astype(t), a.astype(t), c.astype(t), out)
    return out


def channel_backward(g, x, m, a, b, c):
    """``a * g + b * (x - m) + c`` with per-channel ``m``, ``a``, ``b``, ``c``."""
    m, a, b, c = _chan(m), _chan(a), _chan(b), _chan(c)
    _check("channel_backward", x, ("g", g), chans=(("m", m), ("a", a), ("b", b), ("c", c)))
    if not _jit.use_numba():
        return channel_backward_numpy(g, x, m, a, b, c)
    out = np.empty_like(x)
    t = x.dtype.type
    _run("_backward", g, x, m.astype(t), a.astype(t), b.astype(t), c.astype(t), out)
    return out


def _check_rows(kernel, x, others=(), params=()):
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.dtype not in _FLOATS \
            or not x.flags.c_contiguous:
        raise ValueError(f"{kernel}: x must be a C-contiguous 2-D float32/float64 array (R, L), "
                         f"got {getattr(x, 'dtype', type(x))} of shape {getattr(x, 'shape', None)}")
    for name, arr, shape in others:
        if arr.shape != shape or arr.dtype != x.dtype or not arr.flags.c_contiguous:
            raise ValueError(f"{kernel}: {name} must be a C-contiguous {x.dtype} array of shape "
                             f"{shape}, got {arr.dtype} {arr.shape}")
    for name, arr in params:
        if (arr.ndim != 2 or arr.shape[1] != x.shape[1] or arr.shape[0] < 1
                or x.shape[0] % arr.shape[0] or arr.dtype != x.dtype
                or not arr.flags.c_contiguous):
            raise ValueError(f"{kernel}: {name} must be a C-contiguous {x.dtype} array (G, "
                             f"{x.shape[1]}) with G dividing {x.shape[0]}, got {arr.dtype} "
                             f"{arr.shape}")


def _shaped(a, shape):
    """A twin's (new) result in ``shape``, owning its memory as the loops' results do."""
    return a if shape is None or a.shape == tuple(shape) else a.reshape(shape).copy()


def row_forward(x, w, b, eps, form=0, shape=None):
    """Per-row normalisation of ``x`` (R, L) with ``(G, L)`` parameters: ``(y, mean, inv, mean
    in x's dtype, inv in x's dtype)``, the statistics in float64 (see the module docstring);
    ``form`` 0 or 1 picks PyTorch's layer or (affine) group norm rounding. ``shape``: ``y``'s
    (of ``x``'s size; default ``x.shape``), a new array that owns its memory."""
    _check_rows("row_forward", x, params=(("w", w), ("b", b)))
    if w.shape != b.shape:
        raise ValueError(f"row_forward: w and b differ in shape: {w.shape}, {b.shape}")
    if not _jit.use_numba() or x.shape[1] == 0:
        y, *stats = row_forward_numpy(x, w, b, eps, form)
        return (_shaped(y, shape), *stats)
    R = x.shape[0]
    out = np.empty(x.shape if shape is None else shape, x.dtype)
    y = out.reshape(x.shape)
    mean, inv = np.empty(R), np.empty(R)
    mt, rt = np.empty(R, x.dtype), np.empty(R, x.dtype)
    _run("_row_norm", x, float(eps), w, b, int(form), y, mean, inv, mt, rt)
    return out, mean, inv, mt, rt


def row_backward(g, x, mean, inv, w, shape=None):
    """``(gx, sum of g * xhat over rows, sum of g over rows)`` for ``row_forward``'s ``y`` and
    float64 ``mean``, ``inv`` (see the module docstring); the sums in float64, ``(G, L)``.
    ``shape``: ``gx``'s, as ``row_forward``'s."""
    R, L = x.shape
    _check_rows("row_backward", x, others=(("g", g, x.shape),), params=(("w", w),))
    if mean.shape != (R,) or inv.shape != (R,):
        raise ValueError(f"row_backward: mean and inv must have shape ({R},), got "
                         f"{mean.shape}, {inv.shape}")
    if not _jit.use_numba() or L == 0:
        gx, *sums = row_backward_numpy(g, x, mean, inv, w)
        return (_shaped(gx, shape), *sums)
    out = np.empty(x.shape if shape is None else shape, x.dtype)
    sgw, sgb = np.zeros(w.shape), np.zeros(w.shape)
    _builds("_row_grad")[0](g, x, mean, inv, inv ** 3, w, out.reshape(x.shape), sgw,
                            sgb)  # (serial; inv ** 3 by numpy, as _row_grad_coefs takes it)
    return out, sgw, sgb
