"""Complex products rounded as ATen's CPU ``mul`` kernel rounds them (its AVX2 build).

ATen multiplies complex numbers ``(a + bi)(c + di)`` in two ways, both different from numpy's
(whose SIMD loop fuses the products into ``fmaddsub``: 44% of complex64 products differ from
PyTorch's in the last bit):

* its vector code (``Vectorized<c10::complex<T>>::operator*``: two products, an add-sub of
  them) rounds every product: ``re = a*c - b*d``, ``im = a*d + b*c``;
* its scalar code (the tail of each row past the last block of two vectors, and every row it
  cannot vectorise) is compiled into fused multiply-adds, ``re = fma(a, c, -(b*d))``,
  ``im = fma(a, d, b*c)``: for complex128 every element; for complex64 two elements at a
  time, the odd last element of a run as the vector code, and the tail of a vectorised row
  with a broadcast (stride 0) operand as the vector code too (measured against torch 2.13's
  AVX2 build; ``ops/_loops.py`` finds the rows).

``cmul_rows_(out, a, b, inner, cut, end)`` computes ``out = a * b`` over flat C-contiguous
complex64/complex128 arrays (``a`` or ``b`` may hold one element, broadcast) in rows of
``inner`` elements, fusing the elements at positions ``cut <= i % inner < end`` of each row.
``cmul_numpy(a, b, fused)`` is its twin (the specification, run under
``TAPEGRAD_KERNELS=numpy`` and for layouts whose rows are not in C order), with a bool mask
``fused``; its fused multiply-add is ``optim.numpy_fma`` (equal to the loop's ``llvm.fma``
but for a double rounding at exact float32 ties). The arrays are checked before the loop runs
(ValueError). The loop is serial at every size: measured on the 2-core machine, its parallel
build took 1.37 ms for 10**6 complex64 products where the serial one took 0.60 ms (numpy's
fused loop: 0.28-0.47 ms). Importing this module does not import numba.
"""

from __future__ import annotations

import numpy as np

from autograd_core.kernels import _jit
from autograd_core.kernels._jit import fma

__all__ = ["cmul_rows_", "cmul_numpy", "fused_positions"]

_COMPLEX = (np.dtype(np.complex64), np.dtype(np.complex128))


def fused_positions(n, inner, cut, end):
    """A bool array of ``n`` elements: True at positions ``cut <= i % inner < end``."""
    pos = np.arange(n) % inner
    return (pos >= cut) & (pos < end)


def cmul_numpy(a, b, fused):
    """``a * b`` of two complex arrays of one dtype (broadcast), fused where ``fused`` (a bool
    array of the result's shape, or False) is True: the specification of ``cmul_rows_``."""
    from autograd_core.kernels.optim import numpy_fma  # (optim imports more than it needs)
    ar, ai, br, bi = a.real, a.imag, b.real, b.imag
    re, im = ar * br - ai * bi, ar * bi + ai * br
    if np.any(fused):
        re = np.where(fused, numpy_fma(*np.broadcast_arrays(ar, br), -(ai * bi)), re)
        im = np.where(fused, numpy_fma(*np.broadcast_arrays(ar, bi), ai * br), im)
    out = np.empty(re.shape, np.result_type(a, b))
    out.real, out.imag = re, im
    return out


def _cmul_rows(out, a, b, inner, cut, end):
    """``out``, ``a``, ``b``: float views (re, im pairs) of the complex arrays; ``a`` or ``b``
    of one pair is broadcast; positions ``cut <= i % inner < end`` fused. Two passes: every
    element unfused (flat loops, which LLVM vectorises), then the fused positions."""
    n = out.size // 2
    if a.size == 2 or b.size == 2:  # one operand broadcast (its products commute exactly)
        x, s = (b, a) if a.size == 2 else (a, b)
        sr, si = s[0], s[1]
        for i in range(n):
            xr, xi = x[2 * i], x[2 * i + 1]
            out[2 * i] = xr * sr - xi * si
            out[2 * i + 1] = xr * si + xi * sr
    else:
        for i in range(n):
            ar, ai, br, bi = a[2 * i], a[2 * i + 1], b[2 * i], b[2 * i + 1]
            out[2 * i] = ar * br - ai * bi
            out[2 * i + 1] = ar * bi + ai * br
    sa, sb = (0 if a.size == 2 else 2), (0 if b.size == 2 else 2)
    for r in range(n // inner if end > cut else 0):
        for i in range(r * inner + cut, r * inner + end):
            ar, ai, br, bi = a[sa * i], a[sa * i + 1], b[sb * i], b[sb * i + 1]
            out[2 * i] = fma(ar, br, -(ai * bi))
            out[2 * i + 1] = fma(ar, bi, ai * br)


_loop = _jit.dispatchers({"_cmul_rows": _jit.jit(_cmul_rows)})


def cmul_rows_(out, a, b, inner, cut, end):
    """``out[...] = a * b`` in ATen's roundings (see the module's docstring); returns ``out``.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import complex_mul
        >>> a = np.array([1 + 2j, 3 - 1j], np.complex64)
        >>> complex_mul.cmul_rows_(np.empty(2, np.complex64), a, a, 2, 2, 2)
        array([-3.+4.j,  8.-6.j], dtype=complex64)
    """
    d = out.dtype
    n = out.size
    if d not in _COMPLEX or a.dtype != d or b.dtype != d:
        raise ValueError(f"cmul_rows_: out, a and b must be of one complex dtype, got "
                         f"{out.dtype}, {a.dtype}, {b.dtype}")
    if out.ndim != 1 or a.ndim != 1 or b.ndim != 1 or a.size not in (1, n) or \
            b.size not in (1, n) or not (out.flags.c_contiguous and a.flags.c_contiguous
                                         and b.flags.c_contiguous):
        raise ValueError("cmul_rows_: out, a and b must be 1-D C-contiguous, a and b of "
                         "out's length or one element")
    if not (0 < inner and 0 <= cut <= end <= inner) or (n and n % inner):
        raise ValueError(f"cmul_rows_: bad rows (inner={inner}, cut={cut}, end={end}) for "
                         f"{n} elements")
    loop = _loop("_cmul_rows")
    if loop is None or n == 0:
        out[...] = cmul_numpy(a, b, fused_positions(n, inner, cut, end))
        return out
    real = np.float32 if d == _COMPLEX[0] else np.float64
    loop(out.view(real), a.view(real), b.view(real), inner, cut, end)
    return out
