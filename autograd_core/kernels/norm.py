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

``TAPEGRAD_KERNELS=numpy`` runs the twins (``*_numpy``). Arguments are checked (``ValueError``
naming the kernel and the array) before any loop runs, so a mismatch can never read or write out
of bounds. Serial below :data:`PARALLEL_MIN_SIZE` elements, channels split across threads above.
Importing this module does not import numba.
"""

from __future__ import annotations

import types

import numpy as np

from autograd_core.kernels import _jit

__all__ = ["channel_stats", "channel_grad_sums", "channel_scale_shift", "channel_backward",
           "channel_stats_numpy", "channel_grad_sums_numpy", "channel_scale_shift_numpy",
           "channel_backward_numpy", "PARALLEL_MIN_SIZE"]

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


_range = range
_BUILDS: dict = {}
# The sums may be reassociated (so LLVM vectorises them: ~4x faster on (32, 16, 1024) float32);
# only the order of the float64 additions changes, no other fast-math licence is taken.
_OPTIONS = {"_stats": {"fastmath": {"reassoc"}}, "_grad_sums": {"fastmath": {"reassoc"}}}


def _builds(name):
    """(serial, parallel) Numba builds of loop ``name``: two copies of its source, the parallel
    one with ``_range`` bound to ``numba.prange``."""
    pair = _BUILDS.get(name)
    if pair is None:
        fn = globals()[name]
        pair = []
        for parallel in (False, True):
            glb = dict(globals())
            glb["_range"] = _jit.numba_module().prange if parallel else range
            copy = types.FunctionType(fn.__code__, glb,
                                      f"{name}_{'parallel' if parallel else 'serial'}")
            copy.__qualname__ = copy.__name__
            pair.append(_jit.jit(copy, parallel=parallel, **_OPTIONS.get(name, {})))
        _BUILDS[name] = pair = tuple(pair)
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
