"""Timing: warm-up excluded, repeated measurements, medians with min and max.

Implementations that are compared run *interleaved*: each repeat times every implementation
once, in rotating order, so a burst of load from other processes hits all of them alike and
the ratios between them stay fair even when the absolute numbers move.

Standard library only: the torch worker process imports this module and must not import numpy.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from dataclasses import asdict, dataclass
from typing import Callable

_clock = time.perf_counter


@dataclass(frozen=True)
class Stats:
    """Seconds per call: median, min and max over ``repeats`` timings of ``number`` calls each."""

    median: float
    min: float
    max: float
    repeats: int
    number: int = 1

    @classmethod
    def from_samples(cls, samples, number=1):
        """Stats of per-call times ``samples`` (seconds)."""
        samples = list(samples)
        return cls(statistics.median(samples), min(samples), max(samples), len(samples), number)

    @classmethod
    def combine(cls, parts):
        """One Stats from several (e.g. one per worker process): median of the medians, the
        smallest min and the largest max."""
        parts = list(parts)
        return cls(statistics.median(p.median for p in parts), min(p.min for p in parts),
                   max(p.max for p in parts), sum(p.repeats for p in parts),
                   max(p.number for p in parts))

    @classmethod
    def from_dict(cls, d):
        return cls(d["median"], d["min"], d["max"], d["repeats"], d.get("number", 1))

    def as_dict(self):
        return asdict(self)

    def scaled(self, factor):
        """The same Stats per ``1/factor`` of a call (e.g. per op of a chain of ``factor`` ops)."""
        return Stats(self.median / factor, self.min / factor, self.max / factor, self.repeats,
                     self.number)


def _time_calls(fn, number):
    start = _clock()
    for _ in range(number):
        fn()
    return (_clock() - start) / number


def calibrate(fn, min_time, max_number=1_000_000):
    """How many calls of ``fn`` (already warm) take at least ``min_time`` seconds."""
    number = 1
    while True:
        t = _time_calls(fn, number)
        if t * number >= min_time / 4 or number >= max_number:
            break
        number *= 10
    return max(1, min(max_number, math.ceil(min_time / max(t, 1e-9))))


def measure(fns: dict[str, Callable[[], object]], *, repeats=5, warmup=1, min_time=0.01,
            max_number=1_000_000, gc_generation=2) -> dict[str, Stats]:
    """Time each zero-argument callable in ``fns``; returns ``{name: Stats}`` (seconds/call).

    ``warmup`` calls each (compilation, caches, lazy allocation) are run and discarded; each
    repeat times a loop of ``number`` calls, chosen so that one repeat lasts about ``min_time``.
    Repeats run the callables interleaved, rotating which goes first. Before the timed repeats
    ``gc.collect(gc_generation)`` runs: a full collection (2, the default) so that no
    collection of earlier garbage lands inside them. With Numba loaded a full collection costs
    ~0.1 s (0.3 s on a busy machine), so ``--quick`` (``Config.quick_defaults``) collects only
    the youngest generation (0).
    """
    names = list(fns)
    for name in names:
        for _ in range(max(1, warmup)):
            fns[name]()
    numbers = {name: calibrate(fns[name], min_time, max_number) for name in names}
    samples = {name: [] for name in names}
    gc.collect(gc_generation)
    for r in range(max(1, repeats)):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            samples[name].append(_time_calls(fns[name], numbers[name]))
    return {name: Stats.from_samples(samples[name], numbers[name]) for name in names}


def measure_pairs(cases: dict[str, tuple[Callable, Callable]], *, repeats=3,
                  gc_generation=2) -> dict[str, dict]:
    """Time a ``(prepare, run)`` pair per name, where ``run(prepare())`` is timed but not
    ``prepare()`` (e.g. building a long graph, then its backward). Interleaved like
    :func:`measure`. Returns ``{name: {"prepare": Stats, "run": Stats, "total": Stats}}``
    (``total``: prepare + run of the same repeat); the first round is a warm-up and is
    discarded. ``gc.collect(gc_generation)`` runs before each prepare (see :func:`measure`)."""
    names = list(cases)
    samples = {name: ([], [], []) for name in names}
    for r in range(max(1, repeats) + 1):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            prepare, run = cases[name]
            gc.collect(gc_generation)
            t0 = _clock()
            state = prepare()
            t1 = _clock()
            run(state)
            t2 = _clock()
            del state
            if r:
                samples[name][0].append(t1 - t0)
                samples[name][1].append(t2 - t1)
                samples[name][2].append(t2 - t0)
    return {name: {k: Stats.from_samples(v) for k, v in zip(("prepare", "run", "total"),
                                                             samples[name])} for name in names}
