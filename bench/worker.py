"""Worker processes: measurements that must not share a process with the others.

numpy's BLAS, Numba's and PyTorch's thread pools slow each other down (up to ~10x, and far
worse on a loaded machine) when they alternate in one process: their idle threads spin on the
cores the others need. So PyTorch is always measured in a worker process of its own, and so is
every implementation of a (matrix-heavy) training step. Workers get the same pinned thread
counts as the parent (``machine.worker_env``).

Protocol: ``python -m bench.worker TASK`` reads a JSON payload on stdin and writes its JSON
result as the last line of stdout. ``TASKS`` maps task names to ``module:function``; the
function takes the payload and returns a JSON-serialisable dict.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import threading
from concurrent.futures import Future

from bench import machine

TASKS = {
    "kernels_torch": "bench.kernels:torch_worker",
    "optim_torch": "bench.optim:torch_worker",
    "train": "bench.train:worker",
    "conv": "bench.conv:worker",
    "layers": "bench.layers:worker",
    "overhead": "bench.overhead:worker",
    "batch": "bench.worker:batch",
}


class WorkerError(RuntimeError):
    pass


def _run_now(task: str, payload: dict, threads: int, timeout: float) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.worker", task],
                          input=json.dumps(dict(payload, threads=threads)),
                          check=False, capture_output=True, text=True, timeout=timeout,
                          env=machine.worker_env(threads), cwd=str(machine.REPO_ROOT))
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise WorkerError(f"worker {task!r} failed (exit {proc.returncode}):\n"
                          f"{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def run(task: str, payload: dict, threads: int, timeout: float = 1800) -> dict:
    """Run ``task`` in a fresh interpreter with ``threads`` pinned; its result dict (the
    result of an identical ``prefetch`` if there was one)."""
    if task not in TASKS:
        raise KeyError(f"unknown worker task {task!r}")
    pending = _pending.pop(_key(task, payload, threads), None)
    if pending is not None:
        return pending.result()
    return _run_now(task, payload, threads, timeout)


def library_impls(cfg) -> list:
    """tapegrad, and torch where it is importable and not turned off (``--no-torch``)."""
    return ["tapegrad"] + (["torch"] if cfg.use_torch and machine.torch_available() else [])


def library_payloads(cfg, suite: str) -> list:
    """The worker tasks of a per-library suite (what ``prefetch_suites`` starts early)."""
    return [(suite, {"impl": impl, "quick": cfg.quick, "timing": cfg.timing})
            for impl in library_impls(cfg)]


def pin_library(payload) -> None:
    """In a per-library worker: import the library's thread pools and pin them."""
    if payload["impl"] == "torch":
        machine.import_torch(payload["threads"])
    else:
        import numba  # noqa: F401  (imported first, so that its pool is pinned too)
    machine.pin_runtime(payload["threads"])


def measure_each(fns: dict, payload) -> dict:
    """Each ``{key: fn}`` timed on its own (its own measurement), as result dicts, with the
    worker's thread report."""
    from bench import timing

    out = {key: timing.measure({key: fn}, **payload["timing"])[key].as_dict()
           for key, fn in fns.items()}
    return {"results": out, "threads": machine.threads_report()}


def library_result(cfg, suite: str, summary: dict) -> dict:
    """A per-library suite's result: its rows (``library_rows``) and ``summary`` with what the
    ratio and the rounds are."""
    rounds = max(1, cfg.rounds)
    return {"rows": library_rows(cfg, suite, library_impls(cfg)), "summary": dict(
        summary,
        ratio="tapegrad/torch: median time of tapegrad over median time of PyTorch eager",
        rounds=f"{rounds} worker process(es) per library, order alternated")}


def library_rows(cfg, suite: str, impls) -> list:
    """Run ``suite``'s worker task once per library in ``impls``, ``cfg.rounds`` times with the
    order alternated, and make one row per measurement key (``"case|what"``): each library's
    times combined over its workers, the ratio tapegrad / torch where torch ran."""
    from bench import timing
    from bench.report import make_row, time_ratios

    results = {impl: [] for impl in impls}
    rounds = max(1, cfg.rounds)
    for r in range(rounds):
        for impl in impls[r % len(impls):] + impls[:r % len(impls)]:
            cfg.progress(suite, f"round {r + 1}/{rounds}: {impl} worker")
            res = run(suite, {"impl": impl, "quick": cfg.quick, "timing": cfg.timing},
                      cfg.threads)
            results[impl].append(res["results"])
    rows = []
    for key in results[impls[0]][0]:
        case, what = key.split("|")
        times = {impl: timing.Stats.combine(timing.Stats.from_dict(p[key]) for p in parts)
                 for impl, parts in results.items()}
        ratios = time_ratios(times, "torch") if "torch" in times else {}
        rows.append(make_row(suite, case, {"what": what}, times, ratios))
    return rows


# --quick only: a smoke run's numbers are not the point, so the worker tasks of every suite run
# up front in one background process per library family (torch's tasks share one import of
# torch), while the main process measures its own part. A full run never does this: processes
# measured at the same time slow each other down, and each task gets a fresh interpreter.
_pending = {}  # key -> Future of that task's result


def _key(task, payload, threads) -> str:
    return json.dumps([task, payload, threads], sort_keys=True)


_BATCH_MARK = "@bench-batch-result "


def batch(payload) -> dict:
    """Worker task: run ``payload["tasks"]`` (``[(task, payload)]``) one after the other,
    printing each result on its own marked line as soon as it is ready."""
    for i, (task, sub) in enumerate(payload["tasks"]):
        module, fn = TASKS[task].split(":")
        result = getattr(importlib.import_module(module), fn)(dict(sub, threads=payload["threads"]))
        sys.stdout.write("\n" + _BATCH_MARK + json.dumps([i, result]) + "\n")
        sys.stdout.flush()
    return {"done": len(payload["tasks"])}


def _stream_batch(tasks, futures, threads, timeout):
    """In a thread: run ``batch`` in a worker process and resolve each task's future from its
    result line; any failure fails the futures still open."""
    try:
        proc = subprocess.Popen([sys.executable, "-m", "bench.worker", "batch"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env=machine.worker_env(threads), cwd=str(machine.REPO_ROOT))
        proc.stdin.write(json.dumps({"tasks": tasks, "threads": threads}))
        proc.stdin.close()
        for line in proc.stdout:
            if line.startswith(_BATCH_MARK):
                i, result = json.loads(line[len(_BATCH_MARK):])
                futures[i].set_result(result)
        err = proc.stderr.read()
        code = proc.wait(timeout=timeout)
        failure = WorkerError(f"worker 'batch' failed (exit {code}):\n{err[-3000:]}")
    except Exception as exc:  # noqa: BLE001 - handed to whoever waits for a result
        failure = exc
    for f in futures:
        if not f.done():
            f.set_exception(failure)


def prefetch(tasks, threads: int, timeout: float = 1800) -> None:
    """Start the worker tasks ``[(task, payload)]`` in one background process; ``run`` with the
    same task, payload and threads then waits for that result instead of starting a process."""
    tasks = [(t, p) for t, p in tasks if _key(t, p, threads) not in _pending]
    for task, _ in tasks:
        if task not in TASKS:
            raise KeyError(f"unknown worker task {task!r}")
    if not tasks:
        return
    futures = [Future() for _ in tasks]
    for (task, payload), future in zip(tasks, futures):
        _pending[_key(task, payload, threads)] = future
    threading.Thread(target=_stream_batch, args=(tasks, futures, threads, timeout),
                     name="bench-prefetch", daemon=True).start()


def prefetch_suites(cfg, suites) -> None:
    """Prefetch the worker tasks of ``suites`` (each suite's ``worker_payloads(cfg)``): the
    torch tasks in one process, the others in another."""
    groups = {}
    for name in suites:
        module = importlib.import_module(f"bench.{name}")
        for task, payload in getattr(module, "worker_payloads", lambda cfg: [])(cfg):
            uses_torch = task.endswith("_torch") or payload.get("impl") == "torch" or (
                "torch" in payload.get("impls", ()))
            groups.setdefault(uses_torch, []).append((task, payload))
    for uses_torch in sorted(groups, reverse=True):
        prefetch(groups[uses_torch], cfg.threads)


def main() -> int:
    task = sys.argv[1]
    payload = json.loads(sys.stdin.read())
    module, fn = TASKS[task].split(":")
    result = getattr(importlib.import_module(module), fn)(payload)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
