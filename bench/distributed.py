"""distributed suite: data-parallel training over MPI (``autograd_core.distributed``,
``nn.parallel.DistributedDataParallel``), each measurement in an MPI job of its own started
with the environment's ``mpiexec`` (the ``mpi`` extra), jobs alternated over ``--rounds``.

* ``allreduce``: ``dist.all_reduce`` of a float32 tensor against the limit, mpi4py's
  ``Allreduce`` on the same raw numpy buffer, across message sizes, alternated call for call
  in one 2-rank job; bandwidth as NCCL-tests' "bus bandwidth", ``2 (N-1)/N * bytes / time``.
* ``step``: one training step (forward, cross-entropy, backward, SGD) of the 784-500-300-10
  ReLU MLP, float32, batch 128 per rank, at 1 rank (no DDP) and 2 ranks (DDP). At 2 ranks:
  ``compute`` is the same step under ``no_sync()`` (no communication), ``comm alone`` the
  all-reduce of DDP's own gradient buckets on their own; ``exposed`` = step - compute is the
  communication backward did not hide, and ``hidden`` = 1 - exposed / comm alone.

Rank 0's timings are reported (the ranks wait for each other at every step). On a machine
shared with other work the ranks compete for cores with it: read the load average too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import timing
from bench.report import make_row

SUITE = "distributed"
MLP = (784, 500, 300, 10)
BATCH_PER_RANK = 128


def _mpiexec() -> Path:
    path = Path(sys.executable).parent / "mpiexec"
    if not path.exists():
        raise RuntimeError(f"the distributed suite needs mpiexec next to {sys.executable}: "
                           "pip install 'tapegrad[mpi]' (mpi4py and mpich)")
    return path


def _job(ranks: int, task: dict, cfg) -> dict:
    """Run this module as an MPI job of ``ranks`` processes; rank 0's JSON result."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(root)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    threads = str(cfg.threads or 1)
    env.update(OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
               NUMBA_NUM_THREADS=threads, TAPEGRAD_NUM_THREADS=threads)
    res = subprocess.run([str(_mpiexec()), "-n", str(ranks), sys.executable, "-m",
                          "bench.distributed", json.dumps(task)], capture_output=True,
                         text=True, timeout=600, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"MPI job ({ranks} ranks, {task['kind']}) failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(cfg, context=None) -> dict:
    sizes = [1 << 12, 1 << 16, 1 << 20] if cfg.quick else \
        [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24]
    repeats = 3 if cfg.quick else max(5, cfg.repeats)
    steps = 5 if cfg.quick else 40
    rows = []
    cfg.progress(SUITE, "allreduce sweep, 2 ranks")
    sweep = [_job(2, {"kind": "allreduce", "sizes": sizes, "repeats": repeats}, cfg)
             for _ in range(cfg.rounds)]
    for size in sizes:
        key = str(size)
        times = {impl: timing.Stats.combine(timing.Stats.from_dict(r[key][impl]) for r in sweep)
                 for impl in ("tapegrad", "mpi4py")}
        nbytes = size * 4
        bus = lambda t, n=nbytes: 2 * (2 - 1) / 2 * n / t / 1e9  # noqa: E731
        rows.append(make_row(SUITE, "allreduce float32", {"ranks": 2, "bytes": nbytes}, times,
                             {"tapegrad/mpi4py": times["tapegrad"].median
                              / times["mpi4py"].median},
                             {"busbw_GBps": bus(times["tapegrad"].median),
                              "mpi4py_busbw_GBps": bus(times["mpi4py"].median)}))
    step_results = {1: [], 2: []}
    for _ in range(cfg.rounds):  # alternate the jobs: 1 rank, 2 ranks, 1, 2, ...
        for ranks in (1, 2):
            cfg.progress(SUITE, f"training step, {ranks} rank(s)")
            step_results[ranks].append(_job(ranks, {"kind": "step", "steps": steps}, cfg))
    mlp = "-".join(map(str, MLP))
    summary = {}
    for ranks, results in step_results.items():
        times = {k: timing.Stats.combine(timing.Stats.from_dict(r[k]) for r in results)
                 for k in results[0] if isinstance(results[0][k], dict)}
        metrics = {"grad_bytes": results[0]["grad_bytes"], "buckets": results[0]["buckets"]}
        if ranks > 1:
            exposed = max(0.0, times["step"].median - times["compute"].median)
            comm = times["comm alone"].median
            metrics.update(exposed_s=exposed, hidden_frac=max(0.0, 1 - exposed / comm))
            summary.update(step_2_ranks_s=times["step"].median, comm_s=comm,
                           exposed_s=exposed, hidden_frac=metrics["hidden_frac"])
        else:
            summary["step_1_rank_s"] = times["step"].median
        rows.append(make_row(SUITE, f"train step {mlp}", {"ranks": ranks,
                                                          "batch_per_rank": BATCH_PER_RANK},
                             times, metrics=metrics))
    big = [r for r in rows if r["case"].startswith("allreduce")][-1]
    summary["busbw_GBps_largest"] = big["metrics"]["busbw_GBps"]
    return {"rows": rows, "summary": summary}


# ---- inside the MPI job ---------------------------------------------------------------------


def _timed(fn, repeats, number, barrier):
    samples = []
    for _ in range(repeats):
        barrier()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return timing.Stats.from_samples(samples, number).as_dict()


def _allreduce_task(task):
    import numpy as np
    from mpi4py import MPI

    import autograd_core as ag
    import autograd_core.distributed as dist

    comm = MPI.COMM_WORLD
    out = {}
    for size in task["sizes"]:
        t = ag.ones(size)
        raw = np.ones(size, np.float32)
        number = max(1, min(200, (1 << 22) // size))
        fns = {"tapegrad": lambda: dist.all_reduce(t),
               "mpi4py": lambda: comm.Allreduce(MPI.IN_PLACE, raw, op=MPI.SUM)}
        for fn in fns.values():  # warm-up
            fn()
        parts = {k: [] for k in fns}
        for _ in range(task["repeats"]):  # alternate the two, repeat by repeat
            for k, fn in fns.items():
                parts[k].append(timing.Stats.from_dict(_timed(fn, 1, number, comm.Barrier)))
        out[str(size)] = {k: timing.Stats.combine(v).as_dict() for k, v in parts.items()}
    return out


def _step_task(task):
    import numpy as np
    from mpi4py import MPI

    import autograd_core as ag
    import autograd_core.distributed as dist
    import nn
    import optimizers as optim

    comm = MPI.COMM_WORLD
    ag.manual_seed(0)
    layers = []
    for a, b in zip(MLP[:-1], MLP[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    net = nn.Sequential(*layers[:-1])
    world = dist.get_world_size()
    model = nn.parallel.DistributedDataParallel(
        net, bucket_cap_mb=task.get("bucket_cap_mb")) if world > 1 else net
    opt = optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(dist.get_rank())
    x = ag.tensor(rng.standard_normal((BATCH_PER_RANK, MLP[0])).astype(np.float32))
    y = ag.tensor(rng.integers(0, MLP[-1], BATCH_PER_RANK))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    def local_step():
        with model.no_sync():
            step()

    for _ in range(3):
        step()
    n, repeats = task["steps"], 5
    out = {"step": _timed(step, repeats, n, comm.Barrier),
           "grad_bytes": sum(p._data.nbytes for p in net.parameters()), "buckets": 1}
    if world > 1:
        buckets = model._reducer.buckets
        flats = [b.flat for b in buckets]

        def comm_alone():
            for f in flats:
                dist.Work(dist._default(), comm.Iallreduce(MPI.IN_PLACE, f, op=MPI.SUM),
                          "comm").wait()

        parts = {"step": [], "compute": [], "comm alone": []}
        for _ in range(repeats):  # alternate, repeat by repeat
            for k, fn in (("step", step), ("compute", local_step), ("comm alone", comm_alone)):
                parts[k].append(timing.Stats.from_dict(_timed(fn, 1, n, comm.Barrier)))
        out.update({k: timing.Stats.combine(v).as_dict() for k, v in parts.items()})
        out["buckets"] = len(buckets)
    return out


def _worker(task: dict) -> None:
    import autograd_core.distributed as dist

    dist.init_process_group("mpi")
    result = _allreduce_task(task) if task["kind"] == "allreduce" else _step_task(task)
    if dist.get_rank() == 0:
        print(json.dumps(result), flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    _worker(json.loads(sys.argv[1]))
