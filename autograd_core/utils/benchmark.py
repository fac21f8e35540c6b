"""``autograd_core.utils.benchmark``, as ``torch.utils.benchmark``: ``Timer`` times a Python
statement and returns a ``Measurement``, printed in PyTorch's layout.

Only ``Timer.timeit`` and ``Timer.blocked_autorange`` and Python statements (PyTorch also
times C++ snippets and collects Callgrind counts); see DIFFERENCES.md.
"""

from __future__ import annotations

import contextlib
import statistics
import timeit as _timeit
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

from autograd_core import threads as _threads

__all__ = ["Timer", "Measurement"]

_UNITS = ((1e-9, "ns"), (1e-6, "us"), (1e-3, "ms"), (1.0, "s"))


def _unit(seconds: float) -> tuple[float, str]:
    scale, unit = _UNITS[0]
    for s, u in _UNITS:
        if seconds >= s:
            scale, unit = s, u
    return scale, unit


class Measurement:
    """The result of ``Timer.timeit`` / ``Timer.blocked_autorange``: ``raw_times`` (seconds per
    block of ``number_per_run`` runs) and the per-run ``times``, ``mean`` and ``median``.

    Args:
        number_per_run (int): how many times the statement ran in each timed block.
        raw_times (list of float): the seconds each block took.
        task_spec (Any): what was timed (``stmt``, ``setup``, ``label``, ...).
        metadata (dict, optional): anything the caller attaches. Default: ``None``.

    Example::

        >>> from autograd_core.utils.benchmark import Measurement
        >>> m = Measurement(10, [0.5, 0.25, 0.75], task_spec=None)
        >>> m.times, m.median
        ([0.05, 0.025, 0.075], 0.05)
    """

    def __init__(self, number_per_run: int, raw_times: list[float], task_spec: Any,
                 metadata: dict[Any, Any] | None = None) -> None:
        self.number_per_run = int(number_per_run)
        self.raw_times = list(raw_times)
        self.task_spec = task_spec
        self.metadata = metadata

    @property
    def times(self) -> list[float]:
        """Seconds per run, one entry per timed block.

        Example::

            >>> from autograd_core.utils.benchmark import Measurement
            >>> Measurement(4, [2.0], task_spec=None).times
            [0.5]
        """
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def mean(self) -> float:
        """The mean of ``times``.

        Example::

            >>> from autograd_core.utils.benchmark import Measurement
            >>> Measurement(1, [1.0, 3.0], task_spec=None).mean
            2.0
        """
        return statistics.mean(self.times)

    @property
    def median(self) -> float:
        """The median of ``times``.

        Example::

            >>> from autograd_core.utils.benchmark import Measurement
            >>> Measurement(1, [1.0, 2.0, 9.0], task_spec=None).median
            2.0
        """
        return statistics.median(self.times)

    def __repr__(self) -> str:
        spec = self.task_spec
        lines = [f"<{type(self).__module__}.Measurement object at {hex(id(self))}>"]
        if spec is not None:
            if spec.label:
                lines.append(spec.label + (f": {spec.sub_label}" if spec.sub_label else ""))
            else:
                lines.append(spec.stmt + (f": {spec.sub_label}" if spec.sub_label else ""))
            if spec.description:
                lines.append(spec.description)
            if spec.setup != "pass":
                lines.append(f"setup: {spec.setup}")
        n = len(self.raw_times)
        threads = spec.num_threads if spec is not None else 1
        plural = "s" if threads != 1 else ""
        scale, unit = _unit(self.median)
        lines.append(f"  {'Median: ' if n > 1 else ''}{self.median / scale:.2f} {unit}")
        if n >= 4:
            p25, p75 = (float(q) / scale for q in np.percentile(self.times, [25, 75]))
            lines.append(f"  IQR:    {p75 - p25:.2f} {unit} ({p25:.2f} to {p75:.2f})")
        if n == 1:
            lines.append(f"  1 measurement, {self.number_per_run} runs , {threads} thread{plural}")
        else:
            lines.append(f"  {n} measurements, {self.number_per_run} runs per measurement, "
                         f"{threads} thread{plural}")
        return "\n".join(lines)


class Timer:
    """Times the Python statement ``stmt`` after running ``setup`` once, as
    ``torch.utils.benchmark.Timer``, with ``num_threads`` kernel threads while timing.

    Args:
        stmt (str): the statement to time. Default: ``"pass"``.
        setup (str): run once before timing. Default: ``"pass"``.
        global_setup (str): C++ only in PyTorch; must be empty here. Default: ``""``.
        timer (Callable): the clock. Default: ``timeit.default_timer``.
        globals (dict, optional): the names ``stmt`` and ``setup`` see (copied).
        label, sub_label, description (str, optional): shown in the Measurement's repr.
        env (str, optional): a tag kept in the task spec.
        num_threads (int): kernel threads while timing. Default: 1.
        language (str): ``"python"`` (``"py"``); C++ is not supported. Default: ``"python"``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.utils.benchmark import Timer
        >>> m = Timer("x * 2", globals={"x": ag.ones(3)}).timeit(10)
        >>> m.number_per_run, len(m.times), m.times[0] > 0
        (10, 1, True)
    """

    def __init__(self, stmt: str = "pass", setup: str = "pass", global_setup: str = "",
                 timer: Callable[[], float] = _timeit.default_timer,
                 globals: dict[str, Any] | None = None, label: str | None = None,
                 sub_label: str | None = None, description: str | None = None,
                 env: str | None = None, num_threads: int = 1, language: Any = "python") -> None:
        lang = str(getattr(language, "name", language)).lower()
        if lang not in ("python", "py"):
            raise ValueError(f"Timer: only Python statements can be timed here, got "
                             f"language={language!r}")
        if global_setup:
            raise ValueError("global_setup is C++ only (Python statements use setup)")
        if not isinstance(num_threads, int) or num_threads < 1:
            raise ValueError(f"num_threads must be a positive integer, got {num_threads!r}")
        self._globals = dict(globals or {})
        self._timer = _timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = SimpleNamespace(stmt=stmt, setup=setup, label=label,
                                          sub_label=sub_label, description=description,
                                          env=env, num_threads=num_threads)

    @contextlib.contextmanager
    def _threads_set(self) -> Iterator[None]:
        """``num_threads`` for a whole measurement, the caller's count back after it (as
        PyTorch's Timer). Per block it was 2-10 ms of thread-pool calls around blocks of
        ~0.1 ms: ``blocked_autorange(min_run_time=0.2)`` ran for seconds."""
        before = _threads.get_num_threads()
        _threads.set_num_threads(self._task_spec.num_threads)
        try:
            yield
        finally:
            _threads.set_num_threads(before)

    def timeit(self, number: int = 1000000) -> Measurement:
        """Run ``stmt`` ``number`` times (after a short warm-up of ``max(number // 100, 2)``
        runs) and return the Measurement of that one block.

        Args:
            number (int): how many times to run the statement. Default: 1000000.

        Example::

            >>> from autograd_core.utils.benchmark import Timer
            >>> calls = []
            >>> m = Timer("calls.append(1)", globals={"calls": calls}).timeit(10)
            >>> len(calls), m.number_per_run
            (12, 10)
        """
        with self._threads_set():
            self._timer.timeit(max(int(number // 100), 2))
            took = self._timer.timeit(number)
        return Measurement(number, [took], task_spec=self._task_spec)

    def blocked_autorange(self, callback: Callable[[int, float], None] | None = None,
                          min_run_time: float = 0.2) -> Measurement:
        """Time blocks of runs until ``min_run_time`` seconds have been measured; the block
        size grows by tens until one block takes at least ``min_run_time / 1000``.

        Args:
            callback (Callable, optional): ``callback(number, seconds)`` after each block.
            min_run_time (float): seconds of measurement to collect. Default: 0.2.

        Example::

            >>> from autograd_core.utils.benchmark import Timer
            >>> m = Timer("sum(range(10))").blocked_autorange(min_run_time=0.01)
            >>> len(m.times) >= 1 and m.median > 0
            True
        """
        number = 1
        raw: list[float] = []
        with self._threads_set():
            while True:  # the block size: the first power of ten whose block is long enough
                took = self._timer.timeit(number)
                if took >= min_run_time / 1000 or number >= 10**9:
                    break
                number *= 10
            total = 0.0
            while total < min_run_time:
                took = self._timer.timeit(number)
                raw.append(took)
                total += took
                if callback is not None:
                    callback(number, took)
        return Measurement(number, raw, task_spec=self._task_spec)
