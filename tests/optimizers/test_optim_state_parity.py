"""Optimizer state kept as PyTorch keeps it, where it changes the numbers: ASGD's ``eta`` and
``mu`` (updated after each step from the ``lr`` of that step, so a scheduler acts one step later
than a recomputation from ``step`` would), and NAdam's ``mu_product``."""

from __future__ import annotations

import numpy as np
import optim_reference_cases as RC
import pytest

import optimizers
from optimizers import lr_scheduler

SHAPES = [(3, 4), (5,)]
ASGD_KW = dict(lr=0.2, lambd=0.05, alpha=0.75, t0=4, weight_decay=0.01)


def _grad(i, x):
    return (np.sin(3 * x + i) + 0.3 * x - 0.1).astype(x.dtype)


def _initial(dtype):
    rng = np.random.default_rng(7)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _sched(mod, opt, kind):
    if kind == "step":
        return mod.StepLR(opt, step_size=3, gamma=0.5)
    return mod.ExponentialLR(opt, gamma=0.9)


def _run_ours(cls, kwargs, dtype, n, sched=None, params=None, opt=None):
    params = params or [RC.make_param(a) for a in _initial(dtype)]
    opt = opt or cls(params, **kwargs)
    s = None if sched is None else _sched(lr_scheduler, opt, sched)
    out = []
    for _ in range(n):
        for i, p in enumerate(params):
            RC.set_grad(p, _grad(i, p._data.copy()))
        opt.step()
        if s is not None:
            s.step()
        out.append(np.concatenate([p._data.ravel().copy() for p in params]))
    return np.array(out), opt, params


def _run_torch(torch, name, kwargs, dtype, n, sched=None):
    params = [torch.tensor(a, requires_grad=True) for a in _initial(dtype)]
    opt = getattr(torch.optim, name)(params, **kwargs)
    s = None if sched is None else _sched(torch.optim.lr_scheduler, opt, sched)
    out = []
    for _ in range(n):
        for i, p in enumerate(params):
            p.grad = torch.from_numpy(_grad(i, p.detach().numpy().copy()))
        opt.step()
        if s is not None:
            s.step()
        out.append(np.concatenate([p.detach().numpy().ravel().copy() for p in params]))
    return np.array(out), opt


@pytest.mark.torch_parity
@pytest.mark.parametrize("sched", ["step", "exponential"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("foreach", [None, False])
def test_asgd_with_a_scheduler_matches_torch(sched, dtype, foreach):
    """The trajectories agree to rounding (PyTorch's CPU ``add_(g, alpha=-eta)`` is a fused
    multiply-add, the kernel's is not: an ulp here and there; eta one step off, as before eta was
    kept, is ~0.1 off by step 24), and eta and mu exactly."""
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    kwargs = dict(ASGD_KW, foreach=foreach)
    ours, opt, _ = _run_ours(optimizers.ASGD, kwargs, dtype, 24, sched)
    theirs, topt = _run_torch(torch, "ASGD", kwargs, dtype, 24, sched)
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    for st, tst in zip(opt.state_dict()["state"].values(), topt.state_dict()["state"].values()):
        assert sorted(st) == sorted(tst) == ["ax", "eta", "mu", "step"]
        for key in ("step", "eta", "mu"):  # 0-d tensors of PyTorch's dtype and value
            assert st[key].shape == () and str(st[key].dtype).split(".")[-1] == \
                str(tst[key].dtype).split(".")[-1], key
            assert st[key].item() == tst[key].item(), key
            assert tst[key].dtype == torch.float32
        np.testing.assert_allclose(st["ax"], tst["ax"].numpy(), rtol=tol, atol=tol)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_asgd_foreach_with_a_scheduler_matches_torch(dtype):
    """PyTorch's foreach path computes eta in float32 tensor arithmetic (from the float32
    ``step``) and the step as p - eta (g + lambd p): the same numbers to ~1e-6 relative; ours
    keeps the single-tensor path's (DIFFERENCES.md). eta one step off would be ~0.1 off."""
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    kwargs = dict(ASGD_KW, foreach=True)
    ours, _, _ = _run_ours(optimizers.ASGD, kwargs, dtype, 24, "exponential")
    theirs, _ = _run_torch(torch, "ASGD", kwargs, dtype, 24, "exponential")
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_asgd_eta_follows_the_lr_one_step_later():
    """Worked by hand: lr 1, lambd 0, alpha 1 makes eta the lr of the previous step (the first
    step: the lr when the state was made). Halving lr after step 1 changes step 3's size,
    not step 2's."""
    p = RC.make_param(np.array([0.0]))
    opt = optimizers.ASGD([p], lr=1.0, lambd=0.0, alpha=1.0)
    sizes = []
    for k in range(3):
        RC.set_grad(p, np.array([-1.0]))  # each step adds eta to p
        before = float(p._data[0])
        opt.step()
        sizes.append(float(p._data[0]) - before)
        if k == 0:
            opt.param_groups[0]["lr"] = 0.5
    assert sizes == [1.0, 1.0, 0.5]
    assert opt.state[p]["eta"] == 0.5 and opt.state[p]["mu"] == 1.0


def test_asgd_state_before_eta_and_mu_loads_and_resumes():
    """A checkpoint of this project from before eta/mu were kept (step and ax only) loads; the
    run resumes on the uninterrupted trajectory (constant lr, where both agree)."""
    kwargs = dict(ASGD_KW, t0=2)
    _, opt, params = _run_ours(optimizers.ASGD, kwargs, np.float64, 5)
    saved = opt.state_dict()
    full = opt.state_dict()
    for st in saved["state"].values():
        del st["eta"], st["mu"]
    start = [p._data.copy() for p in params]
    tail, _, _ = _run_ours(optimizers.ASGD, kwargs, np.float64, 5, params=params, opt=opt)
    params2 = [RC.make_param(a) for a in start]
    opt2 = optimizers.ASGD(params2, **kwargs)
    opt2.load_state_dict(saved)
    assert opt2.state_dict()["state"][0]["eta"] == full["state"][0]["eta"]
    assert opt2.state_dict()["state"][1]["mu"] == full["state"][1]["mu"]
    tail2, _, _ = _run_ours(optimizers.ASGD, kwargs, np.float64, 5, params=params2, opt=opt2)
    np.testing.assert_array_equal(tail2, tail)


@pytest.mark.torch_parity
def test_asgd_eta_in_float64_under_a_float64_default_dtype():
    """PyTorch keeps eta and mu in its default scalar dtype: float64 under a float64 default
    (the lr's exact value; float32 rounding would be ~1e-9 off)."""
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    import autograd_core as ag

    old, told = ag.get_default_dtype(), torch.get_default_dtype()
    ag.set_default_dtype(np.float64)
    torch.set_default_dtype(torch.float64)
    try:
        kwargs = dict(ASGD_KW, lr=0.1)
        ours, opt, _ = _run_ours(optimizers.ASGD, kwargs, np.float64, 8, "exponential")
        theirs, topt = _run_torch(torch, "ASGD", kwargs, np.float64, 8, "exponential")
    finally:
        ag.set_default_dtype(old)
        torch.set_default_dtype(told)
    np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=1e-14)
    st, tst = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    assert tst["eta"].dtype == torch.float64 and st["eta"] == tst["eta"].item()
    assert st["eta"] != float(np.float32(st["eta"]))  # not a float32 value
