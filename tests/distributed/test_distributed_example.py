"""examples/train_mnist.py under ``mpiexec -n 2``: it joins the job by itself, only rank 0
prints and writes, the checkpoint holds the plain model (no ``module.`` prefix) and resumes in
one process."""

import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".")]  # no temporaries
