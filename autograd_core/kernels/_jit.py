"""Shared Numba plumbing for every kernel module.

* Numba is imported lazily, on the first kernel call, so ``import autograd_core`` stays cheap.
* ``TAPEGRAD_KERNELS=numpy`` selects the pure-numpy twin of every kernel (debugging, coverage,
  and the reference the tests compare the Numba kernels against).
* Every jitted function is compiled with ``cache=True``; when no cache location is writable
  (a read-only install with no writable user cache) it falls back to an uncached compile.
* Serial and parallel builds of one kernel must be *separate Python functions*: Numba's cache
  ignores compile options, so one function compiled both ways would load the wrong build.
"""

from __future__ import annotations

import os
import warnings

BACKEND_ENV = "TAPEGRAD_KERNELS"


def backend() -> str:
    """The active kernel backend: ``"numba"`` (default) or ``"numpy"``."""
    value = os.environ.get(BACKEND_ENV, "numba").strip().lower()
    if value not in ("numba", "numpy"):
        raise ValueError(f"{BACKEND_ENV} must be 'numba' or 'numpy', got {value!r}")
    return value


def use_numba() -> bool:
    return backend() == "numba"


def parallel_threshold(default: int) -> int:
    """Element count from which kernels use their parallel build (env TAPEGRAD_PARALLEL_THRESHOLD)."""
    value = os.environ.get("TAPEGRAD_PARALLEL_THRESHOLD")
    return int(value) if value else default


def parallel_enabled() -> bool:
    """False when TAPEGRAD_PARALLEL=0: every kernel then runs its serial build."""
    return os.environ.get("TAPEGRAD_PARALLEL", "1").strip() not in ("0", "false", "no", "off")


_numba = None


def numba_module():
    """Import numba once, on first use."""
    global _numba
    if _numba is None:
        import numba

        _numba = numba
    return _numba


# Options shared by every kernel. error_model="numpy" lets loops with a division vectorise
# (the default "python" model adds a zero check per element, 5-8x slower); fastmath stays off.
BASE_OPTIONS = dict(nogil=True, error_model="numpy", boundscheck=False)


def jit(fn=None, *, parallel=False, **options):
    """Decorator: ``njit(cache=True, ...)`` compiled lazily on first call.

    Returns a wrapper that builds the Numba dispatcher the first time it is called, so importing
    a kernel module does not import numba.
    """

    def decorate(pyfn):
        state = {}

        def build():
            numba = numba_module()
            opts = dict(BASE_OPTIONS)
            opts.update(options)
            opts["parallel"] = parallel
            try:
                dispatcher = numba.njit(cache=True, **opts)(pyfn)
            except RuntimeError as exc:  # "cannot cache function ...: no locator available"
                warnings.warn(
                    f"tapegrad: no writable Numba cache for {pyfn.__name__} ({exc}); "
                    "compiling without a cache (set NUMBA_CACHE_DIR to a writable folder)",
                    RuntimeWarning,
                    stacklevel=3,
                )
                dispatcher = numba.njit(cache=False, **opts)(pyfn)
            state["d"] = dispatcher
            return dispatcher

        def call(*args):
            d = state.get("d")
            if d is None:
                d = build()
            return d(*args)

        call.__name__ = pyfn.__name__
        call.__qualname__ = pyfn.__qualname__
        call.__doc__ = pyfn.__doc__
        call.py_func = pyfn
        call.dispatcher = lambda: state.get("d") or build()
        return call

    if fn is not None:
        return decorate(fn)
    return decorate
