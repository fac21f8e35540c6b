"""Special functions elementwise in float64: Numba loops over libm's ``erf`` and ``erfc``, with
numpy twins (``math``'s scalar functions vectorised, the specification), for
``autograd_core.erf``/``erfc``/``erfinv``.

    erf(x), erfc(x)   float64 array of any shape -> float64 array of its shape

Python's ``math.erf``/``math.erfc`` and Numba's are the same libm functions, so the loops give
the twins' numbers bit for bit (a test holds them equal) at a fraction of the cost of a Python
call per element. (``lgamma`` is not here: Python's ``math.lgamma`` is its own Lanczos code,
whose last bits differ from libm's.) ``TAPEGRAD_KERNELS=numpy`` runs the twins. Serial below
:data:`PARALLEL_MIN_SIZE` elements. Importing this module does not import numba.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_core.kernels import _jit

__all__ = ["erf", "erfc", "erf_numpy", "erfc_numpy", "PARALLEL_MIN_SIZE"]

#: From this many elements on the loops run on several threads. Measured on the shared 2-core
#: machine under load (load average ~5, 2 Numba threads): the parallel build gained nothing
#: from 1e3 to 2^20 elements (serial 4.5 ms at 2^18, 10x faster than the twin), so it is kept
#: for larger arrays only.
PARALLEL_MIN_SIZE = _jit.parallel_threshold(default=1 << 21)

erf_numpy = np.vectorize(math.erf, otypes=[np.float64])
erfc_numpy = np.vectorize(math.erfc, otypes=[np.float64])


def _erf_loop(x, out):
    for i in _range(x.size):
        out[i] = math.erf(x[i])


def _erfc_loop(x, out):
    for i in _range(x.size):
        out[i] = math.erfc(x[i])


_range = range
_BUILDS: dict = {}


def _loop(name, parallel):
    """The serial or parallel Numba build of ``_<name>_loop``: separate copies of its code
    (Numba's cache ignores compile options), the parallel one with ``_range`` bound to
    ``numba.prange``."""
    key = (name, parallel)
    fn = _BUILDS.get(key)
    if fn is None:
        import types

        glb = dict(globals(), _range=_jit.numba_module().prange if parallel else range)
        label = f"_{name}_{'parallel' if parallel else 'serial'}"
        copy = types.FunctionType(globals()[f"_{name}_loop"].__code__, glb, label)
        copy.__qualname__ = label
        fn = _BUILDS[key] = _jit.jit(copy, parallel=parallel)
    return fn


def _run(name, twin, x):
    arr = np.asarray(x)
    if arr.dtype != np.float64:
        raise ValueError(f"{name}: x must be a float64 array, got {arr.dtype}")
    if not _jit.use_numba():
        return twin(arr)
    flat = np.ascontiguousarray(arr).reshape(-1)
    out = np.empty_like(flat)
    parallel = flat.size >= PARALLEL_MIN_SIZE and _jit.parallel_enabled()
    _loop(name, parallel)(flat, out)
    return out.reshape(arr.shape)


def erf(x):
    """The error function of each element of the float64 array ``x``."""
    return _run("erf", erf_numpy, x)


def erfc(x):
    """The complementary error function ``1 - erf(x)`` of each element of ``x`` (float64)."""
    return _run("erfc", erfc_numpy, x)
