"""Shared Numba plumbing for every kernel module.

* Numba is imported lazily, on the first kernel call, so ``import autograd_core`` stays cheap.
* ``TAPEGRAD_KERNELS=numpy`` selects the pure-numpy twin of every kernel (debugging, coverage,
  and the reference the tests compare the Numba kernels against).
* Every jitted function is compiled with ``cache=True``; when no cache location is writable
  (a read-only install with no writable user cache) it falls back to an uncached compile.
* Serial and parallel builds of one kernel must be *separate Python functions*: Numba's cache
  ignores compile options, so one function compiled both ways would load the wrong build.
* Threading policy (``start_threads``, run before the first parallel kernel is built): Numba's
  thread pool is started with ``OMP_WAIT_POLICY=passive``, so its idle threads sleep instead of
  spinning. With libgomp's default spinning, a parallel kernel alternating with a numpy matmul
  (OpenBLAS, whose threads spin too) ran ~9x slower on 2 cores; passive brings the pair back to
  the sum of its parts (``tapegrad-bench kernels``, contention table). libgomp
  reads the variable once, when it is loaded, so it is set only around the call that loads it
  and restored afterwards: libraries loaded later (torch's own libgomp) and subprocesses keep
  the user's environment. It is left alone when the user set ``OMP_WAIT_POLICY`` or
  ``GOMP_SPINCOUNT``, or with ``TAPEGRAD_THREADING=off``. It has no effect when libgomp was
  already loaded by another library, or when Numba picks the tbb/workqueue layer.
  ``TAPEGRAD_PARALLEL=0`` makes every kernel use its serial build (e.g. on a busy machine, where
  a parallel loop waits for its slowest thread).
"""

from __future__ import annotations

import os
import threading
import warnings

BACKEND_ENV = "TAPEGRAD_KERNELS"


def _env_reader(name):
    """A cheap reader of one environment variable, for settings read at every kernel call
    (so tests and users can change them at run time). ``os.environ.get`` costs ~1 us per call
    (it encodes the key and decodes the value); on POSIX the mapping's own bytes dict, which
    ``os.environ`` keeps in step with every change, answers in ~50 ns."""
    data = getattr(os.environ, "_data", None)
    if os.name == "posix" and isinstance(data, dict):
        key = os.fsencode(name)

        def read():
            value = data.get(key)
            return None if value is None else os.fsdecode(value)
    else:  # pragma: no cover - other platforms

        def read():
            return os.environ.get(name)

    return read


_read_backend = _env_reader(BACKEND_ENV)
_read_parallel = _env_reader("TAPEGRAD_PARALLEL")


def backend() -> str:
    """The active kernel backend: ``"numba"`` (default) or ``"numpy"``."""
    value = _read_backend()
    if value is None:
        return "numba"
    value = value.strip().lower()
    if value not in ("numba", "numpy"):
        raise ValueError(f"{BACKEND_ENV} must be 'numba' or 'numpy', got {value!r}")
    return value


def use_numba() -> bool:
    return _read_backend() is None or backend() == "numba"


def parallel_threshold(default: int) -> int:
    """Element count from which kernels use their parallel build (env TAPEGRAD_PARALLEL_THRESHOLD)."""
    value = os.environ.get("TAPEGRAD_PARALLEL_THRESHOLD")
    return int(value) if value else default


def parallel_enabled() -> bool:
    """False when TAPEGRAD_PARALLEL=0: every kernel then runs its serial build."""
    value = _read_parallel()
    return value is None or value.strip().lower() not in ("0", "false", "no", "off")


THREADING_ENV = "TAPEGRAD_THREADING"


def threading_policy() -> str:
    """``"passive"`` (default: start Numba's pool with sleeping idle threads) or ``"off"``."""
    value = os.environ.get(THREADING_ENV, "passive").strip().lower()
    if value not in ("passive", "off"):
        raise ValueError(f"{THREADING_ENV} must be 'passive' or 'off', got {value!r}")
    return value


_threads_started = False
_threads_lock = threading.Lock()


def start_threads() -> None:
    """Start Numba's thread pool under the threading policy (idempotent, cheap after the first).

    Must run before anything else launches Numba's pool: ``jit(parallel=True)`` calls it when it
    builds a kernel. The lock keeps two threads building kernels at once from interleaving the
    set/restore of the environment variable.
    """
    global _threads_started
    if _threads_started:
        return
    with _threads_lock:
        if _threads_started:
            return
        numba_module()
        from numba.np.ufunc import parallel as _parallel

        user_set = any(k in os.environ for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT"))
        if threading_policy() == "off" or user_set:
            _parallel._launch_threads()
        else:
            os.environ["OMP_WAIT_POLICY"] = "passive"
            try:
                _parallel._launch_threads()  # loads libgomp, which reads its environment now
            finally:
                del os.environ["OMP_WAIT_POLICY"]
        _threads_started = True


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
            if parallel:
                start_threads()
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
