"""Every layer and loss against PyTorch: against the saved reference always, and live when
torch is importable. float64: rtol 1e-9; float32: rtol 1e-5 (plus a tiny absolute floor
relative to the array's scale for entries that are ~0)."""

import os

import numpy as np
import pytest

import nn_reference_cases as RC

HERE = os.path.dirname(os.path.abspath(__file__))
REF_PATH = os.path.join(HERE, "data", "torch_reference.npz")

TOL = {"float64": (1e-9, 1e-12), "float32": (1e-5, 1e-6)}


def _assert_matches(ours, ref, dt, label):
    rtol, atol = TOL[dt]
    assert set(ours) == set(ref), f"{label}: keys differ: {set(ours) ^ set(ref)}"
    for k in ours:
        o, r = ours[k], ref[k]
        assert o.shape == r.shape, f"{label}/{k}: shape {o.shape} vs torch {r.shape}"
        scale = max(1.0, float(np.max(np.abs(r)))) if r.size else 1.0
        np.testing.assert_allclose(o.astype(np.float64), r.astype(np.float64), rtol=rtol,
                                   atol=atol * scale, err_msg=f"{label}/{k}")


@pytest.fixture(scope="module")
def reference():
    with np.load(REF_PATH) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(scope="module")
def ours():
    return RC.OursBackend()


CASE_IDS = [(n, dt) for n in RC.CASES for dt in RC.DTYPES]


@pytest.mark.parametrize("name,dt", CASE_IDS, ids=[f"{n}-{d}" for n, d in CASE_IDS])
def test_against_saved_reference(reference, ours, name, dt):
    prefix = f"{name}/{dt}/"
    ref = {k[len(prefix):]: v for k, v in reference.items() if k.startswith(prefix)}
    assert ref, f"no reference for {name}/{dt}: rerun make_nn_torch_reference.py"
    _assert_matches(RC.run_case(ours, name, dt), ref, dt, f"{name}/{dt}")


def test_reference_file_is_small():
    assert os.path.getsize(REF_PATH) < 1_000_000


@pytest.mark.torch_parity
def test_against_live_torch(ours):
    """Every case against a live PyTorch (optional: ``pip install torch==2.13.0``); the saved
    reference above covers the same cases without it. One test, so a run without torch shows
    one skip, not one per case."""
    pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    for name, dt in CASE_IDS:
        _assert_matches(RC.run_case(ours, name, dt), RC.run_case(RC.TorchBackend(), name, dt), dt,
                 f"live {name}/{dt}")
