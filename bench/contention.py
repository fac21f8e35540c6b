"""contention suite: which thread count to use, on a quiet machine and on a busy one.

Workloads (tapegrad training steps: forward, loss, backward, Adam; float32, synthetic data of
the real shapes), each timed in a worker process of its own with the thread count set as users
set it (``ag.set_num_threads``, plus the environment pinned before numpy is imported):

* ``example step``: ``examples/train_mnist.py``'s step: the 784-500-300-10 ReLU MLP,
  ``nn.CrossEntropyLoss``, ``optimizers.Adam(lr=1e-3)``, batch 64;
* ``train step``: the train suite's MLP steps, batch 32 and 128.

Thread counts: 1, every available core, and ``ag.get_num_threads()``'s default if different.
Scenarios: ``quiet`` (nothing started by the suite; the load average is recorded, as other
users of the machine are out of its control) and ``busy`` (two CPU-bound background processes
started by the suite, each bounded by a deadline and killed when the scenario ends). Thread
counts alternate in order between rounds (``--rounds``).

For every workload and scenario the summary names the fastest setting and the settings within
1.3x of it; the recommended default is a setting within 1.3x of the best everywhere (the one
with the smallest worst-case ratio). ``autograd_core.threads.DEFAULT_NUM_THREADS`` was chosen
from this suite's result (README, "Threads").
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench import machine, timing
from bench.report import make_row
from bench.train import MLP

SUITE = "contention"
TOLERANCE = 1.3
BUSY_PROCESSES = 2
# A busy process spins until this many seconds have passed, even if the suite is killed.
BUSY_DEADLINE = {"quick": 60, "full": 900}
_BUSY = ("import sys, time\n"
         "end = time.monotonic() + float(sys.argv[1])\n"
         "while time.monotonic() < end:\n"
         "    pass\n")


def workloads() -> list[dict]:
    mlp = "-".join(map(str, MLP))
    return [{"case": f"example step {mlp}", "sizes": MLP, "batch": 64, "loss": "ce"},
            {"case": f"train step {mlp}", "sizes": MLP, "batch": 32, "loss": "ce"},
            {"case": f"train step {mlp}", "sizes": MLP, "batch": 128, "loss": "ce"}]


def thread_counts() -> list[int]:
    """1, every available core, and tapegrad's default (whatever ``--threads`` says)."""
    from autograd_core.threads import default_num_threads

    cores = machine.available_cores()
    return sorted({1, cores, min(default_num_threads(), cores)})


class Busy:
    """``n`` CPU-bound processes for the duration of a ``with`` block (bounded, then killed)."""

    def __init__(self, n: int, deadline: float):
        self.n, self.deadline, self.procs = n, deadline, []

    def __enter__(self):
        for _ in range(self.n):
            self.procs.append(subprocess.Popen(
                [sys.executable, "-c", _BUSY, str(self.deadline)], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        time.sleep(0.2)  # let them get onto the CPUs
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            p.wait()
        return False

    def alive(self) -> int:
        return sum(p.poll() is None for p in self.procs)


def _load():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def measure(cfg, counts, rounds):
    """``{(scenario, threads, key): [Stats per round]}`` and notes about each scenario."""
    from bench import worker as workers

    cases = workloads()
    results, notes = {}, {}
    for scenario in ("quiet", "busy"):
        busy = BUSY_PROCESSES if scenario == "busy" else 0
        deadline = BUSY_DEADLINE["quick" if cfg.quick else "full"]
        with Busy(busy, deadline) as procs:
            notes[scenario] = {"load_before": _load(), "background_processes": busy}
            for r in range(rounds):
                order = counts if r % 2 == 0 else counts[::-1]
                for n in order:
                    cfg.progress(SUITE, f"{scenario}: round {r + 1}/{rounds}, {n} thread(s)")
                    res = workers.run("train", {"impl": "tapegrad", "configs": cases,
                                                "timing": cfg.timing}, n)
                    for key, part in res["results"].items():
                        results.setdefault((scenario, n, key), []).append(
                            timing.Stats.from_dict(part["stats"]))
            notes[scenario]["load_after"] = _load()
            notes[scenario]["background_alive_at_end"] = procs.alive()
    return results, notes


def summarise(rows_by_case) -> dict:
    """Best setting and settings within TOLERANCE per (workload, scenario); the default."""
    verdicts, worst = [], {}
    for (case, batch, scenario), per_threads in rows_by_case.items():
        best_n = min(per_threads, key=lambda n: per_threads[n])
        best = per_threads[best_n]
        within = sorted(n for n, t in per_threads.items() if t <= TOLERANCE * best)
        verdicts.append({"case": case, "batch": batch, "scenario": scenario, "best": best_n,
                         "within_1.3x": within,
                         "ratios": {str(n): t / best for n, t in sorted(per_threads.items())}})
        for n, t in per_threads.items():
            worst[n] = max(worst.get(n, 0.0), t / best)
    good = [n for n, w in worst.items() if w <= TOLERANCE]
    default = min(good, key=lambda n: (worst[n], n)) if good else min(worst, key=worst.get)
    return {"verdicts": verdicts, "worst_ratio": {str(n): w for n, w in sorted(worst.items())},
            "recommended_default": default,
            "default_within_1.3x_everywhere": bool(good)}


def run(cfg, context) -> dict:
    counts = thread_counts()
    rounds = 1 if cfg.quick else max(1, cfg.rounds)
    results, notes = measure(cfg, counts, rounds)
    rows, by_case = [], {}
    for (scenario, n, key), parts in results.items():
        case, batch = key.split("|")
        st = timing.Stats.combine(parts)
        by_case.setdefault((case, int(batch), scenario), {})[n] = st.median
        rows.append((case, int(batch), scenario, n, st))
    summary = summarise(by_case)
    out = []
    for case, batch, scenario, n, st in sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3])):
        best = min(by_case[(case, batch, scenario)].values())
        out.append(make_row(SUITE, case, {"batch": batch, "scenario": scenario, "threads": n},
                            {"tapegrad": st}, {"vs_best": st.median / best},
                            {"steps_per_s": 1.0 / st.median}))
    summary.update({
        "thread_counts": counts,
        "scenarios": notes,
        "rounds": f"{rounds} worker process(es) per thread count and scenario, order alternated",
        "tolerance": TOLERANCE,
    })
    return {"rows": out, "summary": summary}
