"""``autograd_core.profiler``: PyTorch's ``torch.profiler`` API for programs that time their own
code regions: ``profile`` (with ``schedule``, ``on_trace_ready``, ``step()``), ``record_function``,
``key_averages().table(...)``, ``export_chrome_trace`` and ``tensorboard_trace_handler``.

Differs from PyTorch: only ``record_function`` ranges (and the ``ProfilerStep#N`` range of each
scheduled step) are recorded, timed with the wall clock; ops are not (PyTorch lists every
``aten::`` op as well), there are no device, memory, shape, FLOP or stack measurements (those
columns read 0 or empty) and ``profile``'s options for them are accepted and ignored.
"""

from __future__ import annotations

import enum
import functools
import json
import os
import socket
import time
import warnings
from typing import Any, Callable, Iterable

__all__ = ["ProfilerActivity", "ProfilerAction", "profile", "record_function", "schedule",
           "tensorboard_trace_handler", "EventList", "FunctionEventAvg"]


class ProfilerActivity(enum.Enum):
    """The activities PyTorch can trace; only ``CPU`` time is measured here.

    Example::

        >>> import autograd_core as ag
        >>> ag.profiler.ProfilerActivity.CPU
        <ProfilerActivity.CPU: 0>
    """

    CPU = 0  # PyTorch's numbers
    XPU = 1
    MTIA = 4
    CUDA = 2
    HPU = 3
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What a ``schedule`` asks for at a step (PyTorch's values).

    Example::

        >>> import autograd_core as ag
        >>> ag.profiler.ProfilerAction.RECORD_AND_SAVE.value
        3
    """

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """PyTorch's profiling schedule: after ``skip_first`` steps, cycles of ``wait`` idle,
    ``warmup`` and ``active`` recorded steps (the last one saves: ``on_trace_ready`` runs),
    ``repeat`` times (0: forever).

    Example::

        >>> import autograd_core as ag
        >>> s = ag.profiler.schedule(wait=1, warmup=1, active=2, repeat=1)
        >>> [s(i).name for i in range(5)]
        ['NONE', 'WARMUP', 'RECORD', 'RECORD_AND_SAVE', 'NONE']
    """
    if not (wait >= 0 and warmup >= 0 and active > 0 and repeat >= 0 and skip_first >= 0):
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
            f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      UserWarning, stacklevel=2)

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Invalid step: {step}")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod_step < num_steps - 1 else ProfilerAction.RECORD_AND_SAVE
    return schedule_fn


def _always_record(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


_ACTIVE: list[profile] = []  # the recording profilers (innermost last)


class _Event:
    """One timed range: name, start and end (microseconds), and its enclosing range."""

    def __init__(self, name: str, start: float, parent: _Event | None) -> None:
        self.name, self.start, self.end, self.parent = name, start, start, parent
        self.children: list[_Event] = []


def _now_us() -> float:
    return time.perf_counter_ns() / 1000.0


class record_function:  # noqa: N801 - PyTorch's name
    """Time the enclosed code as a range named ``name`` in every recording :class:`profile`
    (a context manager or a decorator, as PyTorch's).

    Example::

        >>> import autograd_core as ag
        >>> with ag.profiler.profile() as prof:
        ...     with ag.profiler.record_function("forward"):
        ...         y = ag.ones(3) * 2
        >>> [(e.key, e.count) for e in prof.key_averages()]
        [('forward', 1)]
    """

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name, self.args = name, args
        self._opened: list[tuple[profile, _Event]] = []

    def __enter__(self) -> record_function:
        self._opened = [(p, p._open(self.name)) for p in _ACTIVE]
        return self

    def __exit__(self, *exc: Any) -> None:
        for p, event in self._opened:
            p._close(event)
        self._opened = []

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)
        return wrapped


class FunctionEventAvg:
    """The totals of the ranges of one name (PyTorch's ``FunctionEventAvg``); times in
    microseconds. Device, memory and FLOP fields are 0 here."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.input_shapes = ""
        self.stack: list[str] = []
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.device_memory_usage = self.self_device_memory_usage = 0
        self.device_time_total = self.self_device_time_total = 0.0
        self.flops = 0
        self.is_user_annotation = True

    @property
    def cpu_time(self) -> float:
        """The mean time of one range (microseconds)."""
        return self.cpu_time_total / max(self.count, 1)

    # PyTorch's old names for the device fields
    cuda_time_total = property(lambda self: self.device_time_total)
    self_cuda_time_total = property(lambda self: self.self_device_time_total)
    cuda_memory_usage = property(lambda self: self.device_memory_usage)
    self_cuda_memory_usage = property(lambda self: self.self_device_memory_usage)

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_fmt(self.self_cpu_time_total)} "
                f"cpu_time={_fmt(self.cpu_time)} count={self.count}>")


def _fmt(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):
    """A list of :class:`FunctionEventAvg` (what ``key_averages()`` returns) with PyTorch's
    ``table``."""

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = 55,
              max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False) -> str:
        """The ranges as PyTorch's table (Name, Self CPU %, Self CPU, CPU total %, CPU total,
        CPU time avg, # of Calls), sorted by the attribute ``sort_by`` (largest first),
        ``row_limit`` rows at most (``-1``: all).

        Example::

            >>> import autograd_core as ag
            >>> with ag.profiler.profile() as prof:
            ...     with ag.profiler.record_function("step"):
            ...         pass
            >>> print(prof.key_averages().table(row_limit=5).splitlines()[1].split())
            ['Name', 'Self', 'CPU', '%', 'Self', 'CPU', 'CPU', 'total', '%', 'CPU', 'total', 'CPU', 'time', 'avg', '#', 'of', 'Calls']
        """
        rows = list(self)
        if sort_by is not None:
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit is not None and row_limit >= 0:
            rows = rows[:row_limit]
        total = sum(e.self_cpu_time_total for e in self) or 1.0
        name_w = min(max([len(e.key) for e in rows] + [4]) + 4, max_name_column_width)
        heads = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                 "# of Calls"]
        line = "-" * name_w + "  " + "  ".join("-" * 12 for _ in heads) + "  "
        out = [line, f"{'Name':>{name_w}}  " + "".join(f"{h:>12}  " for h in heads), line]
        if header is not None:
            out.insert(0, header)
        for e in rows:
            name = e.key if len(e.key) <= name_w - 4 else e.key[:name_w - 7] + "..."
            cells = [f"{100 * e.self_cpu_time_total / total:.2f}%", _fmt(e.self_cpu_time_total),
                     f"{100 * e.cpu_time_total / total:.2f}%", _fmt(e.cpu_time_total),
                     _fmt(e.cpu_time), str(e.count)]
            out.append(f"{name:>{name_w}}  " + "".join(f"{c:>12}  " for c in cells))
        out += [line, f"Self CPU time total: {_fmt(sum(e.self_cpu_time_total for e in self))}", ""]
        return "\n".join(out)


class profile:  # noqa: N801 - PyTorch's name
    """Record the :class:`record_function` ranges run inside it (PyTorch's
    ``torch.profiler.profile``; see the module docstring for what is measured). With a
    ``schedule``, call ``step()`` at the end of each step: only ``RECORD`` steps are kept, each
    inside a ``ProfilerStep#N`` range, and ``on_trace_ready(prof)`` runs after each
    ``RECORD_AND_SAVE`` step; without one everything is kept and ``on_trace_ready`` runs at
    exit.

    Example::

        >>> import autograd_core as ag
        >>> seen = []
        >>> sched = ag.profiler.schedule(wait=0, warmup=1, active=1, repeat=1)
        >>> with ag.profiler.profile(schedule=sched,
        ...                          on_trace_ready=lambda p: seen.append(p.step_num)) as p:
        ...     for _ in range(3):
        ...         p.step()
        >>> seen, [e.key for e in p.key_averages()]
        ([2], ['ProfilerStep*'])
    """

    def __init__(self, *, activities: Iterable[Any] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[..., Any] | None = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, experimental_config: Any = None,
                 execution_trace_observer: Any = None, acc_events: bool = False,
                 use_cuda: bool | None = None, custom_trace_id_callback: Any = None,
                 post_processing_timeout_s: float | None = None) -> None:
        self.activities = set(activities) if activities is not None else {ProfilerActivity.CPU}
        if not self.activities:
            raise AssertionError("No valid profiler activities found")
        self.schedule = schedule if schedule is not None else _always_record
        self._scheduled = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.record_shapes, self.profile_memory, self.with_stack = record_shapes, profile_memory, with_stack
        self.step_num = 0
        self._events: list[_Event] = []
        self._stack: list[_Event] = []
        self._step_range: _Event | None = None
        self._action = ProfilerAction.NONE

    # ---- recording --------------------------------------------------------------------------
    def _open(self, name: str) -> _Event:
        event = _Event(name, _now_us(), self._stack[-1] if self._stack else None)
        (event.parent.children if event.parent else self._events).append(event)
        self._stack.append(event)
        return event

    def _close(self, event: _Event) -> None:
        event.end = _now_us()
        if event in self._stack:
            del self._stack[self._stack.index(event):]

    def _recording(self) -> bool:
        return self._action in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)

    def _enter_step(self) -> None:
        self._action = self.schedule(self.step_num)
        if self._recording():
            if self not in _ACTIVE:
                _ACTIVE.append(self)
            if self._scheduled:
                self._step_range = self._open(f"ProfilerStep#{self.step_num}")
        elif self in _ACTIVE:
            _ACTIVE.remove(self)

    def _leave_step(self) -> None:
        if self._step_range is not None:
            self._close(self._step_range)
            self._step_range = None

    def start(self) -> None:
        """Start profiling (``__enter__``): only the CPU is profiled (PyTorch's warning for a
        CUDA or XPU activity, its error when no activity is left)."""
        for device in (ProfilerActivity.CUDA, ProfilerActivity.XPU):
            if device in self.activities:
                warnings.warn(f"{device.name} is not available, disabling {device.name} "
                              "profiling", UserWarning, stacklevel=2)
        if ProfilerActivity.CPU not in self.activities:
            raise AssertionError("No activities specified for the profiler")
        self._enter_step()

    def stop(self) -> None:
        """Stop profiling (``__exit__``); runs ``on_trace_ready`` if the last step recorded."""
        self._leave_step()
        was_recording = self._recording()
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        self._action = ProfilerAction.NONE
        if was_recording and self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def step(self) -> None:
        """End the current step and begin the next (with a ``schedule``)."""
        self._leave_step()
        previous = self._action
        self.step_num += 1
        if previous == ProfilerAction.RECORD_AND_SAVE:
            if self in _ACTIVE:
                _ACTIVE.remove(self)
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)
        next_action = self.schedule(self.step_num)
        if previous in (ProfilerAction.NONE, ProfilerAction.WARMUP,
                        ProfilerAction.RECORD_AND_SAVE) and next_action in (
                ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._events = []  # a new recording window
        self._enter_step()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- results ----------------------------------------------------------------------------
    def _all_events(self) -> list[_Event]:
        out, todo = [], list(self._events)
        while todo:
            e = todo.pop(0)
            out.append(e)
            todo[:0] = e.children
        return out

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """The recorded ranges totalled by name, in order of first appearance (the steps'
        ``ProfilerStep#N`` ranges together as ``ProfilerStep*``, as PyTorch's)."""
        avgs: dict[str, FunctionEventAvg] = {}
        for e in self._all_events():
            key = "ProfilerStep*" if e.name.startswith("ProfilerStep#") else e.name
            a = avgs.setdefault(key, FunctionEventAvg(key))
            a.count += 1
            a.cpu_time_total += e.end - e.start
            a.self_cpu_time_total += (e.end - e.start) - sum(c.end - c.start for c in e.children)
        return EventList(avgs.values())

    def events(self) -> list[_Event]:
        """The recorded ranges (name, start and end in microseconds), outer before inner."""
        return self._all_events()

    def export_chrome_trace(self, path: str) -> None:
        """Write the ranges as a Chrome trace (``chrome://tracing``, Perfetto) JSON file."""
        trace = {"traceEvents": [
            {"name": e.name, "ph": "X", "ts": e.start, "dur": e.end - e.start, "pid": os.getpid(),
             "tid": 0, "cat": "user_annotation"} for e in self._all_events()]}
        with open(path, "w") as f:
            json.dump(trace, f)


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False) -> Callable[[profile], None]:
    """An ``on_trace_ready`` handler writing each trace to ``dir_name`` as
    ``{worker}.{time}.pt.trace.json`` (PyTorch's file names; ``use_gzip`` is ignored).

    Example::

        >>> import os, tempfile
        >>> import autograd_core as ag
        >>> d = tempfile.mkdtemp()
        >>> with ag.profiler.profile(on_trace_ready=ag.profiler.tensorboard_trace_handler(d)):
        ...     pass
        >>> [f.endswith(".pt.trace.json") for f in os.listdir(d)]
        [True]
    """
    def handler(prof: profile) -> None:
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        prof.export_chrome_trace(os.path.join(
            dir_name, f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json"))
    return handler
