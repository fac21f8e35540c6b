"""Sums of squares of contiguous rows in the order of ATen's 2-norm over the last dimension.

ATen's CPU ``norm`` (``linalg.vector_norm``, ``Tensor.norm``, ``F.normalize``, the per-tensor
norms of ``clip_grad_norm_``, ``embedding_renorm_``) reduces a float32/float64 row that is
contiguous in memory (``is_reduce_lastdim``) with one vector accumulator, 8 float32 or 4
float64 lanes (AVX2): lane ``j`` adds ``x[k + j] ** 2`` over the row's blocks (each square
rounded, then the sum), the lanes are added left to right, then the rest of the row (fewer
than one vector) is added to that sum by scalar code compiled into fused multiply-adds, but
for the first four of a float32 rest when it has four or more (their squares rounded first;
measured against torch 2.13's AVX2 build). The norm is the square root of that sum.

``sumsq_rows(x)``: that sum for each row of a C-contiguous 2-D float32/float64 array ``x``
(checked: ValueError otherwise), by a serial Numba loop; ``sumsq_rows_numpy`` is its twin (the
specification, run under ``TAPEGRAD_KERNELS=numpy``), whose fused multiply-add is
``optim.numpy_fma`` (equal to the loop's ``llvm.fma`` but for a double rounding at exact
float32 ties). Importing this module does not import numba.
"""

from __future__ import annotations

import types

import numpy as np

from autograd_core.kernels import _jit
from autograd_core.kernels._jit import fma

__all__ = ["row_norms", "sumsq_rows", "sumsq_rows_numpy"]

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _plan(x):
    """(lanes, end of the vector blocks, end of the unfused rest) of ``x``'s rows."""
    lanes = 8 if x.dtype.itemsize == 4 else 4
    n = x.shape[1]
    m = n - n % lanes
    return lanes, m, m + ((n - m) // 4 * 4 if lanes == 8 else 0)


def sumsq_rows_numpy(x):
    """The specification of ``sumsq_rows``."""
    from autograd_core.kernels.optim import numpy_fma  # (optim imports more than it needs)
    lanes, m, plain = _plan(x)
    acc = np.zeros((x.shape[0], lanes), x.dtype)
    for k in range(0, m, lanes):
        block = x[:, k:k + lanes]
        acc += block * block
    s = acc[:, 0].copy()
    for j in range(1, lanes):
        s += acc[:, j]
    for d in range(m, x.shape[1]):
        v = x[:, d]
        s = s + v * v if d < plain else numpy_fma(v, v, s)
    return s


def _sumsq_rows(x, out, m, plain):
    """The loop; ``LANES`` is a constant of each build (8 for float32, 4 for float64): the lanes
    are scalar accumulators, independent chains the CPU overlaps (an accumulator array, or a
    run-time lane count, ran 2-3x slower)."""
    zero = np.zeros(1, x.dtype)[0]
    for r in range(x.shape[0]):
        row = x[r]
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = zero
        for k in range(0, m, LANES):  # noqa: F821 - bound by _build
            v = row[k:k + LANES]  # noqa: F821
            a0 += v[0] * v[0]
            a1 += v[1] * v[1]
            a2 += v[2] * v[2]
            a3 += v[3] * v[3]
            if LANES == 8:  # noqa: F821
                a4 += v[4] * v[4]
                a5 += v[5] * v[5]
                a6 += v[6] * v[6]
                a7 += v[7] * v[7]
        s = ((a0 + a1) + a2) + a3
        if LANES == 8:  # noqa: F821
            s = (((s + a4) + a5) + a6) + a7
        for d in range(m, plain):
            s += row[d] * row[d]
        for d in range(plain, x.shape[1]):
            s = fma(row[d], row[d], s)
        out[r] = s


def _build(lanes):
    """A build of ``_sumsq_rows`` with ``LANES = lanes`` (a copy of its own name: Numba's cache
    keys builds by name)."""
    name = f"_sumsq_rows{lanes}"
    fn = types.FunctionType(_sumsq_rows.__code__, dict(_sumsq_rows.__globals__, LANES=lanes),
                            name)
    fn.__qualname__ = name
    return _jit.jit(fn)


_loop = _jit.dispatchers({8: _build(8), 4: _build(4)})


def sumsq_rows(x):
    """The sum of squares of each row of ``x`` in ATen's order (see the module's docstring).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import sumsq
        >>> sumsq.sumsq_rows(np.array([[3.0, 4.0], [1.0, 1.0]], np.float32))
        array([25.,  2.], dtype=float32)
    """
    d = x.dtype
    if (d is not _F32 and d is not _F64) or x.ndim != 2 or not x.flags.c_contiguous:
        raise ValueError(f"sumsq_rows: x must be a C-contiguous 2-D float32/float64 array, "
                         f"got {x.dtype} of shape {x.shape}")
    lanes, m, plain = _plan(x)
    loop = _loop(lanes)
    if loop is None or x.size == 0:
        return sumsq_rows_numpy(x)
    out = np.empty(x.shape[0], x.dtype)
    loop(x, out, m, plain)
    return out


def row_norms(x):
    """ATen's 2-norm of each row of a 2-D float32/float64 array (made C-contiguous first), in
    ``x``'s dtype: ``embedding_renorm_``'s rows, ``clip_grad_norm_``'s flattened tensors."""
    return np.sqrt(sumsq_rows(np.ascontiguousarray(x)))
