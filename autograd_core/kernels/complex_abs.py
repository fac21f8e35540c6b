"""``|z|`` of complex64 arrays as ATen's CPU ``abs`` (a hypot of the parts, rounded once).

numpy's complex64 ``abs`` is 1 ulp from the correctly rounded ``hypot(re, im)`` in about 35% of
elements; ATen's (Sleef's vectorised ``hypotf``, libm's ``hypotf`` in its scalar tails) is
correctly rounded there. ``cabs64(z)`` computes ``sqrt(re**2 + im**2)`` in float64 (the squares
and their sum exact or rounded far below float32's last bit), rounded once to float32; an
infinite part gives ``inf`` (even with a NaN one, as ``hypot``). ``cabs64_numpy`` is its twin
(the specification, run under ``TAPEGRAD_KERNELS=numpy`` and for non-contiguous ``z``). The
loop is serial. Importing this module does not import numba.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_core.kernels import _jit

__all__ = ["cabs64", "cabs64_numpy"]

_C64 = np.dtype(np.complex64)


def cabs64_numpy(z):
    """The specification of ``cabs64``."""
    re, im = z.real.astype(np.float64), z.imag.astype(np.float64)
    r = np.where(np.isinf(re) | np.isinf(im), np.inf, np.sqrt(re * re + im * im))
    with np.errstate(over="ignore"):  # beyond float32's range: inf, as hypotf's
        return r.astype(np.float32)


def _cabs64(z, out):
    """``z``: the float32 view (re, im pairs) of a contiguous complex64 array."""
    for i in range(out.size):
        re, im = np.float64(z[2 * i]), np.float64(z[2 * i + 1])
        r = math.sqrt(re * re + im * im)
        inf = (abs(re) == math.inf) | (abs(im) == math.inf)  # (no branch: the loop vectorises)
        out[i] = math.inf if inf else r


_loop = _jit.dispatchers({"_cabs64": _jit.jit(_cabs64)})


def cabs64(z):
    """``|z|`` of a complex64 array as float32, as ATen's (see the module's docstring).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import complex_abs
        >>> complex_abs.cabs64(np.array([3 + 4j, 1j], np.complex64))
        array([5., 1.], dtype=float32)
    """
    if z.dtype != _C64:
        raise ValueError(f"cabs64: z must be complex64, got {z.dtype}")
    loop = _loop("_cabs64")
    if loop is None or not z.flags.c_contiguous or not z.size:
        return cabs64_numpy(z)
    out = np.empty(z.shape, np.float32)
    loop(z.reshape(-1).view(np.float32), out.reshape(-1))
    return out
