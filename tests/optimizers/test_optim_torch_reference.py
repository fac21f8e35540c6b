"""Number-for-number parity with torch.optim: trajectories saved by make_optim_torch_reference.py
(always run, no torch needed), and the same cases live against torch when it is importable."""

from __future__ import annotations

import os

import numpy as np
import pytest

import make_optim_torch_reference as MR
import optimizers
import optim_reference_cases as RC
from optimizers import lr_scheduler

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "torch_reference.npz")
REF = np.load(DATA)
RTOL64 = 1e-9


def _assert_close(a, b, rtol, atol=0.0):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name,algo,kwargs", RC.OPT_CASES, ids=[c[0] for c in RC.OPT_CASES])
def test_trajectory_matches_saved_torch(name, algo, kwargs, backend):
    traj, state = RC.run_ours(algo, kwargs)
    _assert_close(traj, REF[f"opt/{name}/traj"], RTOL64, 1e-300)
    prefix = f"opt/{name}/state/"
    keys = [k for k in REF.files if k.startswith(prefix)]
    assert bool(keys) == bool(state)  # same state entries (SGD without momentum: none)
    for k in keys:
        i, key = k[len(prefix):].split("/")
        _assert_close(np.asarray(state[(int(i), key)], dtype=np.float64), REF[k], RTOL64, 1e-300)


@pytest.mark.parametrize("name,algo,kwargs,group2", RC.GROUP_CASES,
                         ids=[c[0] for c in RC.GROUP_CASES])
def test_param_groups_match_saved_torch(name, algo, kwargs, group2):
    traj, _ = RC.run_ours(algo, kwargs, group2=group2)
    _assert_close(traj, REF[f"opt/{name}/traj"], RTOL64)


def _our_schedule(case):
    name, kind, factory, n = case
    opt, ps = MR.make_sched_optimizer(kind, optimizers, lambda: RC.make_param(np.zeros(2)))

    def set_grads():
        for p in ps:
            RC.set_grad(p, np.zeros(2))

    sched = factory(lr_scheduler, opt)
    metrics = RC.PLATEAU_METRICS if name.startswith("plateau") else None
    return MR.record_schedule(opt, sched, n, metrics, set_grads)


@pytest.mark.parametrize("case", RC.SCHED_CASES, ids=[c[0] for c in RC.SCHED_CASES])
def test_schedule_matches_saved_torch(case):
    lrs, moms = _our_schedule(case)
    _assert_close(lrs, REF[f"sched/{case[0]}/lr"], RTOL64, 1e-15)
    _assert_close(moms, REF[f"sched/{case[0]}/momentum"], RTOL64, 1e-15)


def test_reference_file_is_small():
    assert os.path.getsize(DATA) < 1_000_000


# ---- live comparison (skipped without torch) -------------------------------------------------

LIVE = [c for c in RC.OPT_CASES if not c[0].endswith("_default")]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-9), ("float32", 1e-5)])
def test_live_against_torch(dtype, rtol):
    pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    for name, algo, kwargs in LIVE:
        theirs, _ = MR.run_torch_optimizer(algo, kwargs, dtype=dtype)
        ours, _ = RC.run_ours(algo, kwargs, dtype=dtype)
        scale = np.abs(theirs).max()
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * scale, err_msg=name)


@pytest.mark.torch_parity
def test_live_schedules_against_torch():
    pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    for case in RC.SCHED_CASES:
        tl, tm = MR.run_torch_schedule(case)
        ol, om = _our_schedule(case)
        np.testing.assert_allclose(ol, tl, rtol=1e-12, atol=1e-15, err_msg=case[0])
        np.testing.assert_allclose(om, tm, rtol=1e-12, atol=1e-15, err_msg=case[0])
