"""How many threads tapegrad's work may use: ``set_num_threads`` / ``get_num_threads``.

One number governs the two thread pools tapegrad's arithmetic runs on, at run time (no
environment variable needs to be set before import):

* **Numba's kernels** (activations, optimizer steps): with ``n == 1`` every kernel runs its
  serial build (the parallel builds' thread dispatch costs more than it saves on one thread);
  with ``n > 1`` the parallel builds run on ``min(n, NUMBA_NUM_THREADS)`` threads. Numba is not
  imported by this module: a count set before Numba is imported is applied when the first
  parallel kernel starts Numba's pool.
* **The BLAS behind numpy** (matmul, i.e. every ``nn.Linear``): limited to ``n`` threads with
  threadpoolctl, for the whole process.

On a machine whose cores are busy with other work a parallel loop waits for its slowest thread,
so fewer threads are often faster there: measure with ``tapegrad-bench contention``.

Numba keeps its thread count per Python thread: a thread started after ``set_num_threads``
runs parallel kernels on Numba's full pool unless it calls ``set_num_threads`` itself (with
``n == 1`` the serial builds are chosen for every thread). ``n == 1`` works by setting
``TAPEGRAD_PARALLEL=0`` in this process's environment (the switch the kernels read at every
call), so subprocesses started afterwards inherit it; ``n > 1`` restores the variable as it
was.

Default (when ``set_num_threads`` was never called): ``TAPEGRAD_NUM_THREADS`` if set, else
``OMP_NUM_THREADS`` if set, else :data:`DEFAULT_NUM_THREADS` (1; capped at the cores this
process may use), applied when this module is imported (a ``TAPEGRAD_PARALLEL`` the user set
is then left alone).
"""

from __future__ import annotations

import operator
import os
import sys
import threading
from typing import Any

__all__ = ["DEFAULT_NUM_THREADS", "default_num_threads", "get_num_interop_threads", "get_num_threads",
           "set_num_interop_threads", "set_num_threads"]

# Chosen from ``tapegrad-bench contention`` (README, "Threads"): on the 2-core development
# machine, shared with other work, one thread was within 1.3x of the best for the example's and
# the train suite's steps, quiet or with two busy processes, while every core was 4-55x
# slower whenever another process wanted a core. None would mean every available core.
DEFAULT_NUM_THREADS: int | None = 1

_PARALLEL_ENV = "TAPEGRAD_PARALLEL"
_UNSET = object()

_lock = threading.RLock()
_num_threads: int | None = None  # the count in force (None: not resolved yet)
_saved_parallel_env: object = _UNSET  # TAPEGRAD_PARALLEL as it was before n == 1 overrode it
_hooked = False


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _env_count(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    return None


def default_num_threads() -> int:
    """Return the thread count in force when ``set_num_threads`` is never called.

    ``TAPEGRAD_NUM_THREADS``, else ``OMP_NUM_THREADS``, else 1 (measured fastest on a shared
    2-core machine; PyTorch's default is the number of cores).

    Example::

        >>> from autograd_core.threads import default_num_threads
        >>> default_num_threads() >= 1
        True
    """
    return _default()


def _default() -> int:
    for name in ("TAPEGRAD_NUM_THREADS", "OMP_NUM_THREADS"):
        n = _env_count(name)
        if n is not None:
            return n
    cores = _available_cores()
    return cores if DEFAULT_NUM_THREADS is None else max(1, min(DEFAULT_NUM_THREADS, cores))


def _check(n: int, fname: str = "set_num_threads") -> int:
    """``n`` as an int, with PyTorch's errors (RuntimeError for both, as torch raises)."""
    if isinstance(n, bool) or not hasattr(n, "__index__"):
        raise RuntimeError(f"{fname} expects an int, but got {type(n).__name__}")
    n = operator.index(n)
    if n <= 0:
        raise RuntimeError(f"{fname} expects a positive integer")
    return n


def _set_parallel_env(serial: bool) -> None:
    global _saved_parallel_env
    if serial:
        if _saved_parallel_env is _UNSET:
            _saved_parallel_env = os.environ.get(_PARALLEL_ENV)
        os.environ[_PARALLEL_ENV] = "0"
    elif _saved_parallel_env is not _UNSET:
        if _saved_parallel_env is None:
            os.environ.pop(_PARALLEL_ENV, None)
        else:
            os.environ[_PARALLEL_ENV] = str(_saved_parallel_env)
        _saved_parallel_env = _UNSET


def _set_blas(n: int) -> None:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # a runtime dependency, but do not break import over it
        return
    # a fresh controller each time: it lists the BLAS libraries loaded by now (~1 ms)
    ThreadpoolController().limit(limits=n, user_api="blas")


def _set_numba(n: int) -> None:
    """Apply ``n`` to Numba's pool now if Numba is imported (starting the pool under tapegrad's
    threading policy if needed); else when the first parallel kernel starts it."""
    from autograd_core.kernels import _jit

    if _jit._threads_started or "numba" in sys.modules:
        _jit.start_threads()
        import numba

        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    else:
        _hook_pool_start(_jit)


def _hook_pool_start(_jit: Any) -> None:
    """Wrap ``_jit.start_threads`` (run before the first parallel kernel is built, in the thread
    that builds it) so that the count in force is applied as soon as Numba's pool exists."""
    global _hooked
    if _hooked:
        return
    original = _jit.start_threads

    def start_threads() -> None:
        started = _jit._threads_started
        original()
        if not started:
            _numba_set_running_pool(get_num_threads())

    start_threads.__doc__ = original.__doc__
    _jit.start_threads = start_threads
    _hooked = True


def _numba_set_running_pool(n: int) -> None:
    """``numba.set_num_threads`` for a pool ``_jit.start_threads`` has just launched, without
    launching it a second time (the public call re-enters the launch, which is idempotent but
    observable by tests that record launches); the public call when that is not possible."""
    import numba
    from numba.np.ufunc import parallel

    n = min(n, numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    raw = getattr(parallel, "_set_num_threads", None)
    if getattr(parallel, "_is_initialized", False) and callable(raw):
        raw(n)
    else:
        numba.set_num_threads(n)


def _apply(n: int, parallel_env: bool = True) -> None:
    global _num_threads
    with _lock:
        if parallel_env:
            _set_parallel_env(serial=(n == 1))
        _set_blas(n)
        _num_threads = n
        _set_numba(n)


def set_num_threads(n: int) -> None:
    """Set the number of threads tapegrad's kernels and the BLAS behind numpy may use.

    Like ``torch.set_num_threads``: ``n`` must be a positive int (else ``RuntimeError``).
    ``n == 1`` makes every Numba kernel run its serial build; ``n > 1`` lets the parallel
    builds use up to ``n`` threads (at most ``NUMBA_NUM_THREADS``, Numba's pool size) and the
    BLAS up to ``n``. Takes effect at once, for the whole process (see the module docstring for
    Numba's per-thread count).

    Example::

        >>> import autograd_core as ag
        >>> ag.set_num_threads(1)      # e.g. on a machine busy with other work
        >>> ag.get_num_threads()
        1
    """
    _apply(_check(n))


def get_num_threads() -> int:
    """The number of threads set by :func:`set_num_threads` (or the default in force).

    Example::

        >>> import autograd_core as ag
        >>> ag.get_num_threads() >= 1
        True
    """
    n = _num_threads
    return _default() if n is None else n


_interop: list[int] = []  # set_num_interop_threads' number, once


def set_num_interop_threads(n: int) -> None:
    """Set the number of inter-op threads, once, as ``torch.set_num_interop_threads`` (a second
    call raises PyTorch's error). tapegrad runs ops one after another (no inter-op pool): the
    number is only recorded, for :func:`get_num_interop_threads`.

    Example::

        >>> import autograd_core as ag
        >>> ag.get_num_interop_threads() >= 1
        True
    """
    n = _check(n, "set_num_interop_threads")
    if _interop:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has "
                           "started or set_num_interop_threads called")
    _interop.append(n)


def get_num_interop_threads() -> int:
    """The number given to :func:`set_num_interop_threads`, else the cores this process may
    use (PyTorch's default).

    Example::

        >>> import autograd_core as ag
        >>> ag.get_num_interop_threads() >= 1
        True
    """
    return _interop[0] if _interop else _available_cores()


def _apply_default_at_import() -> None:
    """Apply the default when it limits anything (the pools already default to every core).
    A ``TAPEGRAD_PARALLEL`` the user set is left as it is (only ``set_num_threads`` overrides
    it)."""
    n = _default()
    explicit = any(_env_count(v) for v in ("TAPEGRAD_NUM_THREADS", "OMP_NUM_THREADS"))
    if n < _available_cores() or explicit:
        _apply(n, parallel_env=_PARALLEL_ENV not in os.environ)


_apply_default_at_import()


_deterministic = [False, False]  # use_deterministic_algorithms: mode, warn_only


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms only (PyTorch's ``torch.use_deterministic_algorithms``).

    tapegrad has nothing to switch: every op and kernel gives the same result for the same
    inputs and thread count (parallel kernels split their work the same way each run). The
    setting is kept, so ``are_deterministic_algorithms_enabled()`` reports it.

    Args:
        mode (bool): whether to ask for deterministic algorithms.
        warn_only (bool): PyTorch warns instead of raising on a nondeterministic op.
            Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> ag.use_deterministic_algorithms(True)
        >>> ag.are_deterministic_algorithms_enabled()
        True
        >>> ag.use_deterministic_algorithms(False)
    """
    for name, value in (("'mode' (position 1)", mode), ("'warn_only'", warn_only)):
        if not isinstance(value, bool):
            raise TypeError(f"_set_deterministic_algorithms(): argument {name} must be bool, "
                            f"not {type(value).__name__}")
    _deterministic[:] = [mode, warn_only]


_DEBUG_MODES = ("default", "warn", "error")


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """PyTorch's other spelling of :func:`use_deterministic_algorithms`: ``"default"`` (0)
    off, ``"warn"`` (1) on with ``warn_only``, ``"error"`` (2) on.

    Example::

        >>> import autograd_core as ag
        >>> ag.set_deterministic_debug_mode("warn")
        >>> ag.get_deterministic_debug_mode(), ag.is_deterministic_algorithms_warn_only_enabled()
        (1, True)
        >>> ag.set_deterministic_debug_mode(0)
    """
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif isinstance(debug_mode, bool) or not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode).__name__}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """The mode :func:`set_deterministic_debug_mode` reads: 0 off, 1 warn, 2 error.

    Example::

        >>> import autograd_core as ag
        >>> ag.get_deterministic_debug_mode()
        0
    """
    mode, warn_only = _deterministic
    return 0 if not mode else 1 if warn_only else 2


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in force (PyTorch's function).

    Example::

        >>> import autograd_core as ag
        >>> ag.are_deterministic_algorithms_enabled()
        False
    """
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True, warn_only=True)`` is in force.

    Example::

        >>> import autograd_core as ag
        >>> ag.is_deterministic_algorithms_warn_only_enabled()
        False
    """
    return _deterministic[1]


_MATMUL_PRECISION = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """Set the internal precision of float32 matrix products: ``"highest"``, ``"high"`` or
    ``"medium"``. Recorded and returned by ``get_float32_matmul_precision``; the CPU products
    here (numpy's BLAS) always compute in full float32, which is what PyTorch's CPU does too.
    Another value warns and changes nothing, as PyTorch.

    Args:
        precision (str): ``"highest"``, ``"high"`` or ``"medium"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.set_float32_matmul_precision("high")
        >>> ag.get_float32_matmul_precision()
        'high'
        >>> ag.set_float32_matmul_precision("highest")
    """
    if precision not in ("highest", "high", "medium"):
        import warnings

        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision() -> str:
    """Return the float32 matrix-product precision set by ``set_float32_matmul_precision``
    (``"highest"`` by default).

    Example::

        >>> import autograd_core as ag
        >>> ag.get_float32_matmul_precision()
        'highest'
    """
    return _MATMUL_PRECISION[0]
