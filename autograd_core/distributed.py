"""``autograd_core.distributed``, as ``torch.distributed``: collectives between processes over
MPI (the ``mpi`` backend; ``pip install 'tapegrad[mpi]'`` brings mpi4py and MPICH).

Run a program under ``mpiexec -n N python train.py``; every process calls
``init_process_group()`` (rank and world size come from MPI), then the collectives. They work
in place on a Tensor's numpy array, as PyTorch's do. Every collective is started non-blocking
and waited for with the process group's ``timeout`` (PyTorch's default, 30 minutes): a rank
that never arrives makes the others raise ``RuntimeError`` instead of hanging. An exception
that escapes any rank's program after ``init_process_group`` aborts every rank
(``MPI_Abort``), after the traceback is printed, so one failing rank cannot leave the others
waiting forever.

Differences from PyTorch, on purpose: one backend (``"mpi"``; ``None`` means it); the group
is always the whole world (``group=`` accepts only ``None`` or ``group.WORLD``);
``ReduceOp.AVG`` is supported (a sum divided by the world size; floating tensors only).

Example (a single process: rank 0 of a world of 1; under ``mpiexec -n N`` the sum is over N)::

    >>> import autograd_core as ag
    >>> import autograd_core.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> t = ag.tensor([1.0, 2.0])
    >>> dist.all_reduce(t, op=dist.ReduceOp.SUM)
    >>> t.tolist(), dist.get_rank(), dist.get_world_size()
    ([1.0, 2.0], 0, 1)
    >>> dist.destroy_process_group()
"""

from __future__ import annotations

import datetime
import enum
import sys
import time
from collections.abc import Callable
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING

import numpy as np

from autograd_core.tensor import Tensor

if TYPE_CHECKING:  # mpi4py is optional at run time (the mpi extra); its stubs type the comm
    from mpi4py import MPI

__all__ = ["Backend", "ReduceOp", "Work", "all_gather", "all_reduce", "barrier", "broadcast",
           "destroy_process_group", "get_backend", "get_rank", "get_world_size", "group",
           "init_process_group", "is_available", "is_initialized", "is_mpi_available"]

_MISSING = ("autograd_core.distributed needs mpi4py and an MPI library: "
            "pip install 'tapegrad[mpi]' (mpi4py and mpich)")
_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")
default_pg_timeout = datetime.timedelta(minutes=30)  # PyTorch's default for its CPU backends


def _mpi() -> ModuleType:
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError(_MISSING) from exc
    return MPI


def is_available() -> bool:
    """Whether collectives can run here (mpi4py is importable).

    >>> isinstance(is_available(), bool)
    True
    """
    try:
        _mpi()
    except RuntimeError:
        return False
    return True


is_mpi_available = is_available


class Backend(str):
    """Backend names, as ``torch.distributed.Backend``; only ``Backend.MPI`` exists here.

    >>> Backend("MPI"), Backend.MPI
    ('mpi', 'mpi')
    """

    MPI = "mpi"

    def __new__(cls, name: str) -> Backend:
        if not isinstance(name, str):
            raise ValueError(f"Backend name must be a string, but got: {name}")
        value = name.lower()
        if value != "mpi":
            raise ValueError(f"Invalid backend: '{name}'; autograd_core.distributed has only "
                             "the 'mpi' backend (pip install 'tapegrad[mpi]')")
        return str.__new__(cls, value)


class RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7


class ReduceOp:
    """Reductions of ``all_reduce``, as ``torch.distributed.ReduceOp``.

    >>> ReduceOp.SUM
    <RedOpType.SUM: 0>
    """

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


class group:  # noqa: N801 - torch.distributed.group
    """``group.WORLD``: every process (the only group here).

    >>> group.WORLD
    'WORLD'
    """

    WORLD = "WORLD"


class _Group:
    """The default process group: MPI's world communicator and the collectives' timeout."""

    def __init__(self, comm: MPI.Intracomm, timeout: datetime.timedelta) -> None:
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.timeout = timeout


_PG: _Group | None = None


def _default(group_arg: str | None = None) -> _Group:
    if _PG is None:
        raise ValueError(_NOT_INIT)
    if group_arg is not None and group_arg is not group.WORLD:
        raise ValueError("autograd_core.distributed has only the default group (group=None or "
                         "group.WORLD)")
    return _PG


_previous_excepthook: Callable[..., object] | None = None


def _abort_on_uncaught(exc_type: type[BaseException], exc: BaseException,
                       tb: TracebackType | None) -> None:
    """An exception escaping a rank's program: print it, then end every rank (the others
    would wait forever in their next collective)."""
    (_previous_excepthook or sys.__excepthook__)(exc_type, exc, tb)
    pg = _PG
    if pg is not None and pg.size > 1 and not issubclass(exc_type, KeyboardInterrupt):
        sys.stderr.write(f"autograd_core.distributed: rank {pg.rank} of {pg.size} raised "
                         f"{exc_type.__name__}; aborting every rank (MPI_Abort)\n")
        sys.stdout.flush()
        sys.stderr.flush()
        # MPI_Abort ends the job at once, and mpiexec forwards each rank's output on its own
        # time: without a moment here a loaded machine could lose the traceback (seen once)
        time.sleep(1.0)
        pg.comm.Abort(1)


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: datetime.timedelta | None = None, world_size: int = -1,
                       rank: int = -1, store: object = None, group_name: str = "",
                       pg_options: object = None, device_id: object = None) -> None:
    """Join the default process group: every process started by ``mpiexec`` (MPI gives the
    rank and world size; ``world_size``/``rank``, if given, must agree with it). ``timeout``
    (a ``datetime.timedelta``, default 30 minutes) bounds every collective's wait.
    ``init_method``, ``store``, ``group_name``, ``pg_options`` and ``device_id`` are accepted
    for PyTorch's signature; MPI needs none of them.

    Example::

        >>> import autograd_core.distributed as dist
        >>> dist.init_process_group(backend="mpi")
        >>> dist.is_initialized(), dist.get_backend()
        (True, 'mpi')
        >>> dist.destroy_process_group()
    """
    global _PG, _previous_excepthook
    name = Backend(backend if backend is not None else "mpi")
    if _PG is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if timeout is None:
        timeout = default_pg_timeout
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got "
                        f"{type(timeout).__name__}")
    MPI = _mpi()
    if not MPI.Is_initialized():  # mpi4py initialises at import unless told not to
        MPI.Init()
    comm = MPI.COMM_WORLD
    pg = _Group(comm, timeout)
    for arg, value, actual in (("world_size", world_size, pg.size), ("rank", rank, pg.rank)):
        if value not in (-1, None) and value != actual:
            raise ValueError(f"init_process_group(backend='{name}'): {arg}={value} disagrees "
                             f"with MPI's {arg} {actual} (leave it -1 under mpiexec)")
    _PG = pg
    if sys.excepthook is not _abort_on_uncaught:
        _previous_excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught


def destroy_process_group(group: str | None = None) -> None:
    """Leave the default process group (MPI itself stays initialised until the process
    ends; a later ``init_process_group`` joins again).

    >>> init_process_group()
    >>> destroy_process_group()
    >>> is_initialized()
    False
    """
    global _PG
    _default(group)
    _PG = None


def is_initialized() -> bool:
    """Whether ``init_process_group`` has been called (and not destroyed).

    >>> is_initialized()
    False
    """
    return _PG is not None


def get_rank(group: str | None = None) -> int:
    """This process's rank, ``0 .. get_world_size() - 1``.

    >>> init_process_group()
    >>> get_rank()  # a process started without mpiexec is rank 0 of 1
    0
    >>> destroy_process_group()
    """
    return _default(group).rank


def get_world_size(group: str | None = None) -> int:
    """The number of processes in the group.

    >>> init_process_group()
    >>> get_world_size()  # without mpiexec: 1
    1
    >>> destroy_process_group()
    """
    return _default(group).size


def get_backend(group: str | None = None) -> str:
    """The group's backend: ``'mpi'``.

    >>> init_process_group()
    >>> get_backend()
    'mpi'
    >>> destroy_process_group()
    """
    _default(group)
    return Backend.MPI


class Work:
    """A started collective (``async_op=True``), as PyTorch's ``Work``: ``wait()`` blocks
    until it has finished (and writes the result into the tensor), ``is_completed()`` asks.

    >>> import autograd_core as ag
    >>> init_process_group()
    >>> t = ag.tensor([2.0])
    >>> work = all_reduce(t, async_op=True)
    >>> work.wait(), t.tolist()
    (True, [2.0])
    >>> destroy_process_group()
    """

    def __init__(self, pg: _Group, request: MPI.Request, what: str,
                 finish: Callable[[], None] | None = None) -> None:
        self._pg, self._request, self._what, self._finish = pg, request, what, finish
        self._done = False

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def wait(self, timeout: datetime.timedelta | None = None) -> bool:
        if self._done:
            return True
        limit = (timeout or self._pg.timeout).total_seconds()
        deadline = time.monotonic() + limit
        request, spins = self._request, 0
        while not request.Test():
            spins += 1
            if spins > 1000:  # after a busy start (short messages), let other ranks run
                time.sleep(20e-6)
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self._what} timed out after {limit:g} s on rank {self._pg.rank} of "
                    f"{self._pg.size}: another rank did not reach the same collective (it may "
                    "have failed, or the ranks called collectives in different orders)")
        self._complete()
        return True

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()
            self._finish = None


_MPI_OPS = {RedOpType.SUM: "SUM", RedOpType.AVG: "SUM", RedOpType.PRODUCT: "PROD",
            RedOpType.MIN: "MIN", RedOpType.MAX: "MAX", RedOpType.BAND: "BAND",
            RedOpType.BOR: "BOR", RedOpType.BXOR: "BXOR"}


def _buffer(tensor: Tensor, fn: str) -> tuple[np.ndarray, Callable[[], None] | None]:
    """The tensor's array as a contiguous, MPI-typed buffer, plus the step that writes it back
    (a copy is made only for a non-contiguous view)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}(): expected a Tensor, got {type(tensor).__name__}")
    arr = tensor._data
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{fn}(): MPI has no type for dtype {arr.dtype} (tensor of shape "
                        f"{tuple(arr.shape)})")
    if arr.flags.c_contiguous and arr.flags.writeable:
        return arr, None
    if not arr.flags.writeable:
        raise RuntimeError(f"{fn}(): the tensor's memory is read-only (shape "
                           f"{tuple(arr.shape)}); collectives write in place")
    buf = np.ascontiguousarray(arr)
    return buf, lambda: np.copyto(arr, buf)


def _run(pg: _Group, request: MPI.Request, what: str, async_op: bool,
         finish: Callable[[], None] | None = None) -> Work | None:
    work = Work(pg, request, what, finish)
    if async_op:
        return work
    work.wait()
    return None


def all_reduce(tensor: Tensor, op: RedOpType = ReduceOp.SUM, group: str | None = None,
               async_op: bool = False) -> Work | None:
    """Reduce ``tensor`` over every rank, in place: afterwards every rank holds the sum (or
    ``op``'s reduction) of all ranks' tensors. Returns a ``Work`` if ``async_op``, else None.

    >>> import autograd_core as ag
    >>> init_process_group()
    >>> t = ag.tensor([3.0, -1.0])
    >>> all_reduce(t, op=ReduceOp.MAX); t.tolist()  # one rank: unchanged
    [3.0, -1.0]
    >>> destroy_process_group()
    """
    pg = _default(group)
    try:
        op = RedOpType(op)
    except (ValueError, TypeError):
        raise ValueError(f"all_reduce(): op must be a ReduceOp (SUM, AVG, PRODUCT, MIN, MAX, "
                         f"BAND, BOR, BXOR), got {op!r}") from None
    buf, back = _buffer(tensor, "all_reduce")
    if op is RedOpType.AVG and buf.dtype.kind not in "fc":
        raise TypeError(f"all_reduce(): ReduceOp.AVG needs a floating tensor, got {buf.dtype}")
    if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR) and buf.dtype.kind not in "iub":
        raise TypeError(f"all_reduce(): ReduceOp.{op.name} needs an integer or bool tensor, "
                        f"got {buf.dtype}")
    MPI = _mpi()
    request = pg.comm.Iallreduce(MPI.IN_PLACE, buf, op=getattr(MPI, _MPI_OPS[op]))

    def finish() -> None:
        if op is RedOpType.AVG:
            np.divide(buf, pg.size, out=buf)
        if back is not None:
            back()
        tensor._bump_version()

    return _run(pg, request, f"all_reduce(op={op.name}) of shape {tuple(buf.shape)}",
                async_op, finish)


def broadcast(tensor: Tensor, src: int | None = None, group: str | None = None,
              async_op: bool = False, group_src: int | None = None) -> Work | None:
    """Copy rank ``src``'s tensor into every other rank's ``tensor``, in place (shapes and
    dtypes must agree across ranks).

    >>> import autograd_core as ag
    >>> init_process_group()
    >>> t = ag.tensor([float(get_rank())] * 2)
    >>> broadcast(t, src=0); t.tolist()  # every rank now holds rank 0's values
    [0.0, 0.0]
    >>> destroy_process_group()
    """
    pg = _default(group)
    if src is None:
        src = group_src
    if src is None:
        raise ValueError("broadcast(): src must be given (the rank to copy from)")
    if not 0 <= src < pg.size:
        raise ValueError(f"broadcast(): src={src} is not a rank of a world of {pg.size}")
    buf, back = _buffer(tensor, "broadcast")
    request = pg.comm.Ibcast(buf, root=src)

    def finish() -> None:
        if back is not None:
            back()
        tensor._bump_version()

    return _run(pg, request, f"broadcast(src={src}) of shape {tuple(buf.shape)}", async_op,
                finish)


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: str | None = None,
               async_op: bool = False) -> Work | None:
    """Fill ``tensor_list[r]`` with rank ``r``'s ``tensor``, on every rank. ``tensor_list``
    holds ``get_world_size()`` tensors of ``tensor``'s shape and dtype.

    >>> import autograd_core as ag
    >>> init_process_group()
    >>> parts = [ag.zeros(2) for _ in range(get_world_size())]
    >>> all_gather(parts, ag.tensor([1.0, float(get_rank())]))
    >>> [p.tolist() for p in parts]  # one rank: its own tensor
    [[1.0, 0.0]]
    >>> destroy_process_group()
    """
    pg = _default(group)
    if not isinstance(tensor_list, (list, tuple)) or len(tensor_list) != pg.size:
        raise ValueError(f"all_gather(): tensor_list must hold world_size={pg.size} tensors, "
                         f"got {len(tensor_list) if isinstance(tensor_list, (list, tuple)) else type(tensor_list).__name__}")
    send, _ = _buffer(tensor, "all_gather")
    for i, t in enumerate(tensor_list):
        if not isinstance(t, Tensor) or t._data.shape != send.shape or t._data.dtype != send.dtype:
            raise ValueError(f"all_gather(): tensor_list[{i}] must be a Tensor of shape "
                             f"{tuple(send.shape)} and dtype {send.dtype} (the input's)")
    recv = np.empty((pg.size,) + send.shape, send.dtype)
    request = pg.comm.Iallgather(send, recv)

    def finish() -> None:
        for t, part in zip(tensor_list, recv):
            np.copyto(t._data, part)
            t._bump_version()

    return _run(pg, request, f"all_gather of shape {tuple(send.shape)}", async_op, finish)


def barrier(group: str | None = None, async_op: bool = False,
            device_ids: list[int] | None = None,
            timeout: datetime.timedelta | None = None) -> Work | None:
    """Wait until every rank has called ``barrier``.

    >>> init_process_group()
    >>> barrier()
    >>> destroy_process_group()
    """
    pg = _default(group)
    work = Work(pg, pg.comm.Ibarrier(), "barrier")
    if async_op:
        return work
    work.wait(timeout)
    return None
