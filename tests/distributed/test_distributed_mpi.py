"""autograd_core.distributed, DistributedDataParallel, DistributedSampler and checkpoints,
in real MPI jobs: ranks_script.py under ``mpiexec -n 2`` and ``-n 3`` (the checks are in the
script; each rank asserts), and jobs where a rank fails or never arrives, which must end with a
clear message instead of hanging."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MPIEXEC = Path(sys.executable).parent / "mpiexec"
LIMIT = 90  # seconds; a job normally takes a few


def _run(n, script, *args, tmp_path):
    assert MPIEXEC.exists(), (f"{MPIEXEC} missing: the multi-process tests need the 'mpi' "
                              "extra (pip install -e '.[mpi]', in 'dev')")
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
               NUMBA_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.run([str(MPIEXEC), "-n", str(n), sys.executable, str(script), *args],
                          capture_output=True, text=True, timeout=LIMIT, env=env,
                          cwd=tmp_path)


@pytest.mark.parametrize("ranks", [2, 3])
def test_collectives_ddp_sampler_and_checkpoints(ranks, tmp_path):
    res = _run(ranks, HERE / "ranks_script.py", str(tmp_path), tmp_path=tmp_path)
    assert res.returncode == 0 and "ALL OK" in res.stdout, res.stdout + res.stderr
    for name in ("collectives", "ddp sgd bn=True float64", "ddp adam bn=True float64",
                 "ddp adam SyncBatchNorm float64",
                 "ddp no_sync accumulation", "resume from a rank-0 checkpoint",
                 "concurrent saves", "sampler"):
        assert f"CHECKED {name}\n" in res.stdout


FAILING = """
import datetime, sys, time
import autograd_core.distributed as dist
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=float(sys.argv[2])))
if dist.get_rank() == 1:
    if sys.argv[1] == "raise":
        raise ValueError("boom on purpose")
    time.sleep(60)  # never reaches the barrier
dist.barrier()
print("rank", dist.get_rank(), "passed the barrier")
"""


@pytest.mark.parametrize("mode", ["raise", "absent"])
def test_a_failing_rank_ends_the_job(mode, tmp_path):
    script = tmp_path / "failing.py"
    script.write_text(FAILING)
    # "raise": rank 0 waits with the default-sized timeout; the exception aborts the job.
    # "absent": rank 1 sleeps; rank 0's barrier times out after 2 s and aborts the job.
    res = _run(2, script, mode, "600" if mode == "raise" else "2", tmp_path=tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    assert "passed the barrier" not in out
    if mode == "raise":
        assert "ValueError: boom on purpose" in out
        assert "rank 1 of 2 raised ValueError; aborting every rank" in out
    else:
        assert "barrier timed out after 2 s on rank 0 of 2" in out
        assert "rank 0 of 2 raised RuntimeError; aborting every rank" in out
