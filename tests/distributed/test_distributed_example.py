"""examples/train_mnist.py under ``mpiexec -n 2``: it joins the job by itself, only rank 0
prints and writes, the checkpoint holds the plain model (no ``module.`` prefix) and resumes in
one process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import nn

ROOT = Path(__file__).resolve().parents[2]
MPIEXEC = Path(sys.executable).parent / "mpiexec"


def test_example_runs_with_two_ranks_and_rank_zero_writes(tmp_path):
    ckpt, hist = tmp_path / "mnist.npz", tmp_path / "history.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [str(MPIEXEC), "-n", "2", sys.executable, str(ROOT / "examples" / "train_mnist.py"),
           "--epochs", "2", "--limit", "256", "--batch-size", "64", "--no-progress",
           "--checkpoint", str(ckpt), "--history", str(hist)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env,
                         cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    assert out.count("epoch   2/2") == 1 and out.count("test accuracy") == 1, out  # rank 0 only
    assert "in each of 2 processes (32 digits each per batch)" in out
    records = [json.loads(line) for line in hist.read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2]
    # 256 digits, 32 per process per batch: 4 steps an epoch
    assert [r["step"] for r in records] == [4, 8]
    saved = nn.load(ckpt)
    assert saved["epoch"] == 2 and list(saved["model"])[0] == "0.weight"
    # the two ranks' shards of each step are one process's batch: one process with the same
    # arguments trains the same model (float32: only the averaging's additions differ; 231
    # training digits, so the last step's shards hold 20 and 19: weighted to one mean)
    alone = cmd[3:-4] + ["--checkpoint", str(tmp_path / "one.npz")]  # python script args...
    one = subprocess.run(alone, capture_output=True, text=True, timeout=120, env=env,
                         cwd=tmp_path)
    assert one.returncode == 0, one.stdout + one.stderr
    single = nn.load(tmp_path / "one.npz")["model"]
    for k, v in saved["model"].items():
        np.testing.assert_allclose(np.asarray(v), np.asarray(single[k]), rtol=0, atol=1e-5,
                                   err_msg=k)
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".")]  # no temporaries
