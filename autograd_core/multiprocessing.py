"""``autograd_core.multiprocessing``, as ``torch.multiprocessing``: Python's ``multiprocessing``
(every name of it, ``Process``, ``Queue``, ``set_start_method``, ...) plus PyTorch's ``spawn`` /
``start_processes`` and tensors whose memory processes share (Hogwild training).

``Module.share_memory()`` (and ``_share_memory_`` for one tensor) moves a tensor's values into a
``multiprocessing.shared_memory`` segment. A process started with ``fork`` maps the same
segment; one started with ``spawn`` or ``forkserver`` receives the tensor by the segment's name
(the array is sent as name, offset, shape, dtype and strides, never its values) and maps it too,
so an in-place update in any process (an optimizer's step) is seen by all. Nothing here loads a
pickle: ``multiprocessing`` itself pickles what a ``Process`` or ``Queue`` sends, as it does
for PyTorch. Differences from PyTorch (see DIFFERENCES.md): a tensor sent to another process
without ``share_memory`` first is copied, not moved to shared memory; the segments live until
the process that made them exits.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import tempfile
import time
import traceback
import warnings
from multiprocessing import *  # noqa: F403  (torch.multiprocessing re-exports them all)
from multiprocessing import shared_memory
from multiprocessing.reduction import ForkingPickler
from typing import Any, cast

import numpy as np

__all__ = ["get_all_sharing_strategies", "get_sharing_strategy", "set_sharing_strategy",
           "spawn", "start_processes", "ProcessContext", "ProcessException",
           "ProcessExitedException", "ProcessRaisedException", *multiprocessing.__all__]

# ---- shared segments ---------------------------------------------------------------------------

#: every segment this process mapped: [start address, size, SharedMemory, id of the process that
#: made it here (None: mapped from another process's)]
_SEGMENTS: list[list[Any]] = []


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _segment_of(a: np.ndarray) -> tuple[Any, int] | None:
    """The segment holding all of ``a`` and ``a``'s offset in it, or None."""
    start = _address(a)
    lo, hi = np.lib.array_utils.byte_bounds(a)
    for seg_start, size, shm, _ in _SEGMENTS:
        if seg_start <= lo and hi <= seg_start + size:
            return shm, start - seg_start
    return None


def _add_segment(shm: shared_memory.SharedMemory, made_here: bool) -> None:
    """Remember ``shm``; arrays in it now travel to other processes by its name."""
    start = _address(np.frombuffer(cast(memoryview, shm.buf), np.uint8))
    _SEGMENTS.append([start, shm.size, shm, os.getpid() if made_here else None])
    ForkingPickler.register(np.ndarray, _reduce_array)  # (again: the same entry)


def _reduce_array(a: np.ndarray) -> Any:
    found = _segment_of(a) if _SEGMENTS else None
    if found is None:
        return a.__reduce__()
    shm, offset = found
    return _attach, (shm.name, offset, a.shape, a.dtype.str, a.strides)


def _attach(name: str, offset: int, shape: tuple, dtype: str, strides: tuple) -> np.ndarray:
    """The array ``_reduce_array`` described, mapped from its segment (mapped once per process)."""
    for _, _, shm, _ in _SEGMENTS:
        if shm.name == name:
            break
    else:
        shm = shared_memory.SharedMemory(name=name)
        _add_segment(shm, False)
    return np.ndarray(shape, np.dtype(dtype), buffer=shm.buf, offset=offset, strides=strides)


def _release() -> None:
    """At exit, the segments this process made are removed (their memory is freed when no
    process maps them any more); a forked child that exits normally leaves its parent's."""
    for _, _, shm, maker in _SEGMENTS:
        if maker == os.getpid():
            try:
                shm.unlink()
            except FileNotFoundError:
                pass


atexit.register(_release)


def _owner(a: np.ndarray) -> np.ndarray:
    """The array owning the memory ``a`` views (``a`` itself if it owns it)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _share_memory_(tensor: Any) -> Any:
    """Move ``tensor``'s values into shared memory (``Tensor.share_memory_``); return it.

    Already shared values stay where they are. As PyTorch moves the whole storage, the whole
    array that ``tensor`` views is moved, layout and all, and ``tensor`` and the tensor it is a
    view of (``_base``) both read the moved memory; other tensors viewing the old array (made
    before this call) keep the old memory: share a tensor before taking views of it.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.multiprocessing import _share_memory_
        >>> t = _share_memory_(ag.tensor([1.0, 2.0]))
        >>> t.is_shared(), t
        (True, tensor([1., 2.]))
    """
    arr = tensor._data
    if _segment_of(arr) is not None:
        return tensor
    owner = _owner(arr)
    lo, hi = np.lib.array_utils.byte_bounds(owner)
    shm = shared_memory.SharedMemory(create=True, size=max(hi - lo, 1))
    _add_segment(shm, True)
    start = _address(owner) - lo  # the owner's first element, in the segment
    np.ndarray(owner.shape, owner.dtype, buffer=shm.buf, offset=start,
               strides=owner.strides)[...] = owner
    base = tensor._base
    same = base is not None and _owner(base._data) is owner
    for t in (tensor, base) if same else (tensor,):
        a = t._data
        t.data = np.ndarray(a.shape, a.dtype, buffer=shm.buf,
                            offset=start + _address(a) - _address(owner), strides=a.strides)
    return tensor


# ---- sharing strategies (one here: named segments) ---------------------------------------------

_STRATEGIES = {"file_descriptor", "file_system"}
_strategy = ["file_descriptor"]


def get_all_sharing_strategies() -> set[str]:
    """PyTorch's strategy names; both share by named segments here."""
    return set(_STRATEGIES)


def get_sharing_strategy() -> str:
    """The strategy last set (``"file_descriptor"`` at first)."""
    return _strategy[0]


def set_sharing_strategy(new_strategy: str) -> None:
    """Record ``new_strategy`` (one of ``get_all_sharing_strategies()``)."""
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"unknown sharing strategy {new_strategy!r}; expected one of "
                             f"{sorted(_STRATEGIES)}")
    _strategy[0] = new_strategy


# ---- spawn ---------------------------------------------------------------------------------------


class ProcessException(Exception):
    """A process started by ``spawn`` / ``start_processes`` failed."""

    def __init__(self, msg: str, error_index: int, error_pid: int):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.error_pid = error_pid

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """A process failed with an exception raised by its function (its traceback in ``msg``)."""


class ProcessExitedException(ProcessException):
    """A process exited with a non-zero code or was killed by a signal."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int,
                 signal_name: str | None = None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.error_pid, self.exit_code,
                            self.signal_name)


def _wrap(fn: Any, i: int, args: tuple, error_file: str) -> None:
    """A child's entry: ``fn(i, *args)``; an exception's traceback goes to ``error_file`` (text)."""
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # the parent stopped the processes
    except Exception:
        with open(error_file, "w", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    """The processes ``start_processes(join=False)`` started; ``join`` waits for them."""

    def __init__(self, processes: list, error_files: list[str]):
        self.error_files = error_files
        self.processes = processes
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self) -> list[int]:
        """The processes' ids."""
        return [int(p.pid) for p in self.processes]

    def _join_procs_with_timeout(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        for p in self.processes:
            p.join(max(0.0, end - time.monotonic()))

    def join(self, timeout: float | None = None, grace_period: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for processes to finish; True once all have.

        When one failed, the others are terminated (after ``grace_period`` seconds, if given)
        and ``ProcessRaisedException`` (its traceback) or ``ProcessExitedException`` (its exit
        code or signal) is raised, as PyTorch's.
        """
        if not self.sentinels:
            return True
        failed = None
        for sentinel in multiprocessing.connection.wait(list(self.sentinels), timeout=timeout):
            index = self.sentinels.pop(sentinel)
            self.processes[index].join()
            if self.processes[index].exitcode != 0:
                failed = index
                break
        if failed is None:
            return not self.sentinels
        if grace_period is not None:
            self._join_procs_with_timeout(grace_period)
        for p in self.processes:
            if p.is_alive():
                p.terminate()
        self._join_procs_with_timeout(30 if grace_period is None else grace_period)
        for p in self.processes:
            if p.is_alive():
                p.kill()
            p.join()
        process = self.processes[failed]
        if not os.access(self.error_files[failed], os.R_OK):
            code = process.exitcode
            if code < 0:
                try:
                    name = signal.Signals(-code).name
                except ValueError:
                    name = f"<Unknown signal {-code}>"
                raise ProcessExitedException(f"process {failed:d} terminated with signal {name}",
                                             failed, process.pid, code, name)
            raise ProcessExitedException(f"process {failed:d} terminated with exit code "
                                         f"{code:d}", failed, process.pid, code)
        with open(self.error_files[failed], encoding="utf-8") as fh:
            trace = fh.read()
        raise ProcessRaisedException(
            f"\n\n-- Process {failed:d} terminated with the following error:\n{trace}", failed,
            process.pid)


def start_processes(fn: Any, args: tuple = (), nprocs: int = 1, join: bool = True,
                    daemon: bool = False, start_method: str = "spawn") -> ProcessContext | None:
    """Start ``nprocs`` processes running ``fn(i, *args)`` (``i`` the process's index) with
    ``start_method``; with ``join``, wait for all and return None, else return their
    ``ProcessContext``. A failure in one process is raised in this one (see
    ``ProcessContext.join``)."""
    ctx: Any = multiprocessing.get_context(start_method)
    processes, error_files = [], []
    for i in range(nprocs):
        fd, error_file = tempfile.mkstemp(prefix="tapegrad-errorfile-", suffix=".txt")
        os.close(fd)
        os.unlink(error_file)  # the child writes it only if fn raises
        process = ctx.Process(target=_wrap, args=(fn, i, args, error_file), daemon=daemon)
        process.start()
        processes.append(process)
        error_files.append(error_file)
    context = ProcessContext(processes, error_files)
    if not join:
        return context
    while not context.join():
        pass
    return None


def spawn(fn: Any, args: tuple = (), nprocs: int = 1, join: bool = True, daemon: bool = False,
          start_method: str = "spawn") -> ProcessContext | None:
    """``start_processes`` with the ``spawn`` start method (another ``start_method`` is
    deprecated there and ignored, with PyTorch's FutureWarning).

    Args:
        fn (callable): a module-level function, called as ``fn(i, *args)`` in process ``i``.
        args (tuple): passed on to ``fn``.
        nprocs (int): how many processes.
        join (bool): wait for them (else return their ``ProcessContext``).
        daemon (bool): the processes' daemon flag.
        start_method (str): deprecated; always ``"spawn"``.
    """
    if start_method != "spawn":
        warnings.warn(f"This method only supports start_method=spawn (got: {start_method}).\n"
                      "To use a different start_method use:\n\t\t"
                      " torch.multiprocessing.start_processes(...)", FutureWarning, stacklevel=2)
    return start_processes(fn, args, nprocs, join, daemon, start_method="spawn")
