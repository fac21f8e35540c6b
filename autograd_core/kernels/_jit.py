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
* Kernel modules are plain Python until their first compile, so they do not import numba either:
  the Numba-only declarations they use (``jitable``, ``by_dtype``, ``cast``, ``fma``) record what
  to register and return a plain function; :func:`bind`, run by the first build, registers them
  all with Numba. A loop iterates with ``prange`` (bound to ``range`` in the module): its
  ``jit(parallel=True)`` build compiles it with ``prange`` bound to ``numba.prange``.
"""

from __future__ import annotations

import importlib
import inspect
import os
import threading
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

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


def _env_lookup(name):
    """``(get, key)`` with ``get(key) is None`` exactly when the environment variable ``name``
    is unset: a call of a C method, for the checks the hottest kernels make at every call
    (``_env_reader``'s reader is a Python call more)."""
    data = getattr(os.environ, "_data", None)
    if os.name == "posix" and isinstance(data, dict):
        return data.get, os.fsencode(name)
    return os.environ.get, name  # pragma: no cover - other platforms


backend_env_get, BACKEND_ENV_KEY = _env_lookup(BACKEND_ENV)
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


# --- Numba-only declarations, registered lazily ---------------------------------------------

#: What loops iterate with: ``range`` in Python and in serial builds, ``numba.prange`` in the
#: loop's ``jit(parallel=True)`` build (its serial twin must be a separate function that uses
#: ``range``: Numba's cache ignores compile options).
prange = range

_pending: list = []  # registrations waiting for numba, run by bind()
_bound = False
_bind_lock = threading.RLock()


def _on_bind(register: Callable[[Any], object]) -> None:
    """Run ``register(numba)`` when numba is bound (now if it already is)."""
    with _bind_lock:
        if _bound:
            register(numba_module())
        else:
            _pending.append(register)


def bind() -> None:
    """Import numba and register every pending declaration with it (idempotent; the first
    ``jit`` build calls it, before it compiles anything)."""
    global _bound
    if _bound:
        return
    with _bind_lock:
        if _bound:
            return
        numba = numba_module()
        importlib.import_module("numba.extending")  # the registration API, numba.extending

        while _pending:
            _pending.pop(0)(numba)
        _bound = True


def jitable(fn: Callable | None = None, *, inline: str = "never", **options: Any) -> Any:
    """Decorator: ``fn`` callable from jitted code (``numba.extending.register_jitable``, with
    ``inline="always"`` inlined at Numba IR level), registered at :func:`bind`; returns ``fn``.
    ``options``: Numba's for ``fn``'s own compile (e.g. ``fastmath={"reassoc"}``, which then
    applies to ``fn``'s instructions only, not to its callers', when it is not inlined)."""

    def decorate(f):
        _on_bind(lambda numba: numba.extending.register_jitable(inline=inline, **options)(f))
        return f

    return decorate(fn) if fn is not None else decorate


def by_dtype(f32_impl, f64_impl):
    """A scalar function for jitted code: ``f32_impl`` for float32 arguments, else ``f64_impl``
    (in Python: by the first argument's type).

    Both implementations must have the same parameters (Numba checks the names).
    """
    sig = inspect.signature(f64_impl)
    if inspect.signature(f32_impl) != sig:
        raise TypeError(f"{f32_impl.__name__} and {f64_impl.__name__} differ in parameters")

    def stub(*args):
        return (f32_impl if isinstance(args[0], np.float32) else f64_impl)(*args)

    def register(numba):
        def select(*args):
            return f32_impl if args[0] == numba.types.float32 else f64_impl

        select.__signature__ = sig
        numba.extending.overload(stub, inline="always")(select)

    stub.__signature__ = sig
    stub.__name__ = f64_impl.__name__.replace("_f64", "")
    _on_bind(register)
    return stub


def cast(value, like):
    """``value`` converted to the float type of ``like`` (typed constants in generic code)."""
    return type(like)(value)


def _register_cast(numba):
    def cast_overload(value, like):
        target = np.float32 if like == numba.types.float32 else np.float64

        def impl(value, like):
            return target(value)

        return impl

    numba.extending.overload(cast, inline="always")(cast_overload)


def fma(a, b, c):
    """``a*b + c`` with a single rounding in jitted code (``llvm.fma``), all three of one float
    type. (In Python: two roundings.)"""
    return a * b + c


def _register_fma(numba):
    from llvmlite import ir
    from numba.core import cgutils

    @numba.extending.intrinsic
    def fma_intrinsic(typingctx, a, b, c):
        if not (isinstance(a, numba.types.Float) and a == b == c):
            return None

        def codegen(context, builder, signature, args):
            ty = args[0].type
            fnty = ir.FunctionType(ty, [ty, ty, ty])
            fn = cgutils.get_or_insert_function(builder.module, fnty, f"llvm.fma.{ty}")
            return builder.call(fn, args)

        return a(a, b, c), codegen

    @numba.extending.overload(fma, inline="always")
    def fma_overload(a, b, c):
        if isinstance(a, numba.types.Float) and a == b == c:
            return lambda a, b, c: fma_intrinsic(a, b, c)
        return None


_on_bind(_register_cast)
_on_bind(_register_fma)


def _bind_prange(pyfn):
    """A copy of ``pyfn`` whose ``prange`` is ``numba.prange`` (same code: same cache entry)."""
    if pyfn.__globals__.get("prange") is not range:
        return pyfn
    glb = dict(pyfn.__globals__, prange=numba_module().prange)
    copy = types.FunctionType(pyfn.__code__, glb, pyfn.__name__, pyfn.__defaults__,
                              pyfn.__closure__)
    copy.__qualname__, copy.__module__ = pyfn.__qualname__, pyfn.__module__
    return copy


def serial_parallel(fn, glb=None, **options):
    """``(serial, parallel)`` lazy builds of the loop ``fn``: two copies of its source (Numba's
    cache ignores compile options), named ``<name>_serial`` / ``<name>_parallel``, the parallel
    one with the global ``_range`` bound to ``numba.prange``. ``glb``: the globals the copies
    see (default: ``fn``'s module's); ``options``: Numba's, for both."""
    pair = []
    for parallel in (False, True):
        g = dict(fn.__globals__ if glb is None else glb)
        g["_range"] = numba_module().prange if parallel else range
        name = f"{fn.__name__}_{'parallel' if parallel else 'serial'}"
        copy = types.FunctionType(fn.__code__, g, name)
        copy.__qualname__ = name
        pair.append(jit(copy, parallel=parallel, **options))
    return tuple(pair)


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
            bind()
            if parallel:
                start_threads()
            opts = dict(BASE_OPTIONS)
            opts.update(options)
            opts["parallel"] = parallel
            fn = _bind_prange(pyfn) if parallel else pyfn
            try:
                dispatcher = numba.njit(cache=True, **opts)(fn)
            except RuntimeError as exc:  # "cannot cache function ...: no locator available"
                warnings.warn(
                    f"tapegrad: no writable Numba cache for {pyfn.__name__} ({exc}); "
                    "compiling without a cache (set NUMBA_CACHE_DIR to a writable folder)",
                    RuntimeWarning,
                    stacklevel=3,
                )
                dispatcher = numba.njit(cache=False, **opts)(fn)
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


def dispatchers(builds):
    """``loop(name)``: the Numba dispatcher of the ``jit`` build ``builds[name]`` (built, or
    loaded from Numba's cache, on first use), or None under ``TAPEGRAD_KERNELS=numpy``. Its
    ``table`` holds the dispatchers made so far (tests put spies there)."""
    table: dict = {}

    def loop(name):
        if backend_env_get(BACKEND_ENV_KEY) is not None and not use_numba():  # (set: rare)
            return None
        d = table.get(name)
        if d is None:
            d = table[name] = builds[name].dispatcher()
        return d

    loop.table = table  # type: ignore[attr-defined]
    return loop

