"""Hyperparameters changed between replays of a compiled step: the optimizer reuses what it
derives from them (Adam's eps pair, the coefficients memo, the step plan) only while they are
the same objects, so every change gives the numbers of a fresh optimizer (nothing reused) bit
for bit, with no re-trace."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from optimizers import lr_scheduler as S

# each change: (step index, group -> None), applied before that step in both runs
CHANGES = {
    "eps": [(3, lambda g: g.update(eps=1e-3)), (5, lambda g: g.update(eps=0.25))],
    "eps_equal_new_object": [(3, lambda g: g.update(eps=float("1e-8")))],
    "eps_int_zero": [(3, lambda g: g.update(eps=0))],
    "eps_inside_sqrt": [(3, lambda g: g.update(eps_inside_sqrt=True, eps=1e-2)),
                        (5, lambda g: g.update(eps_inside_sqrt=False))],
    "betas": [(3, lambda g: g.update(betas=(0.5, 0.75))), (5, lambda g: g.update(betas=(0.9, 0.9)))],
    "weight_decay": [(3, lambda g: g.update(weight_decay=0.5)),
                     (5, lambda g: g.update(decoupled_weight_decay=True))],
    "lr": [(2, lambda g: g.update(lr=0.25)), (4, lambda g: g.update(lr=1e-4))],
    "maximize": [(4, lambda g: g.update(maximize=True))],
    # switches accepted for PyTorch compatibility: no coefficient depends on them
    "switches": [(3, lambda g: g.update(foreach=True)), (4, lambda g: g.update(fused=True))],
}


def _fresh(opt):
    """A new optimizer with ``opt``'s parameters, state and hyperparameters: nothing derived
    from them is carried over (the reference)."""
    new = optimizers.Adam(opt.param_groups[0]["params"])
    new.load_state_dict(opt.state_dict())
    new.param_groups[0].update({k: v for k, v in opt.param_groups[0].items() if k != "params"})
    return new


def _run(mode, change, dtype, sched=None):
    """``mode``: "compiled", "eager", or "fresh" (eager with a new optimizer every step)."""
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
    if dtype == np.float64:
        model = model.double()
    opt = optimizers.Adam(model.parameters(), lr=0.05)
    scheduler = sched(opt) if sched else None
    crit = nn.CrossEntropyLoss()
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((16, 3)).astype(dtype))
    y = ag.tensor(rng.integers(0, 2, 16))

    def step():
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        return loss

    fn = ag.compile(step) if mode == "compiled" else step
    out = []
    for i in range(7):
        for at, apply in change:
            if at == i:
                apply(opt.param_groups[0])
        if mode == "fresh":
            opt = _fresh(opt)
        out.append(fn()._data.tobytes())
        out += [p._data.tobytes() for p in model.parameters()]
        out += [v.tobytes() for st in opt.state.values() for v in st.values()
                if isinstance(v, np.ndarray)]
    return out, getattr(fn, "traces", None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(CHANGES))
def test_adam_hyperparameter_changed_between_replays(name, dtype):
    fresh, _ = _run("fresh", CHANGES[name], dtype)
    assert _run("eager", CHANGES[name], dtype)[0] == fresh
    compiled, traces = _run("compiled", CHANGES[name], dtype)
    assert compiled == fresh
    assert traces == 1  # read at replay, never baked into the trace


@pytest.mark.parametrize("make", [
    lambda o: S.CyclicLR(o, 1e-3, 0.1, step_size_up=2),  # lr and betas[0] change every step
    lambda o: S.OneCycleLR(o, 0.1, total_steps=10),
])
def test_adam_scheduler_changes_between_replays(make):
    eager, _ = _run("eager", [], np.float32, make)
    compiled, traces = _run("compiled", [], np.float32, make)
    assert compiled == eager and traces == 1
