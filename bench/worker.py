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

from bench import machine

TASKS = {
    "kernels_torch": "bench.kernels:torch_worker",
    "optim_torch": "bench.optim:torch_worker",
    "train": "bench.train:worker",
    "overhead": "bench.overhead:worker",
}


class WorkerError(RuntimeError):
    pass


def run(task: str, payload: dict, threads: int, timeout: float = 1800) -> dict:
    """Run ``task`` in a fresh interpreter with ``threads`` pinned; its result dict."""
    if task not in TASKS:
        raise KeyError(f"unknown worker task {task!r}")
    proc = subprocess.run([sys.executable, "-m", "bench.worker", task],
                          input=json.dumps(dict(payload, threads=threads)),
                          check=False, capture_output=True, text=True, timeout=timeout,
                          env=machine.worker_env(threads), cwd=str(machine.REPO_ROOT))
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise WorkerError(f"worker {task!r} failed (exit {proc.returncode}):\n"
                          f"{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> int:
    task = sys.argv[1]
    payload = json.loads(sys.stdin.read())
    module, fn = TASKS[task].split(":")
    result = getattr(importlib.import_module(module), fn)(payload)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
