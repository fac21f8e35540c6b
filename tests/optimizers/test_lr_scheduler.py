"""Schedulers against their closed forms (optimizers.schedules), the schedules PyTorch lacks,
state_dict round trips and argument errors. (PyTorch parity: test_torch_reference.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

import optimizers as optim
import optim_reference_cases as RC
from optimizers import lr_scheduler as L
from optimizers import schedules as S

N = 40


def make_opt(lrs=(0.1, 0.05), cls=optim.SGD, **kw):
    groups = [{"params": [RC.make_param(np.zeros(2))], "lr": lr} for lr in lrs]
    return cls(groups, lr=lrs[0], **kw)


def sequence(sched, n=N):
    out = [list(sched.get_last_lr())]
    for _ in range(n):
        sched.optimizer.step()
        sched.step()
        out.append(list(sched.get_last_lr()))
    return np.array(out)


def closed(fn, lrs=(0.1, 0.05), n=N):
    return np.array([[fn(t, b) for b in lrs] for t in range(n + 1)])


CLOSED = [
    ("step", lambda o: L.StepLR(o, 5, 0.5), lambda t, b: S.step_lr(t, b, 5, 0.5)),
    ("multistep", lambda o: L.MultiStepLR(o, [3, 8, 8, 20], 0.3),
     lambda t, b: S.multistep_lr(t, b, [3, 8, 8, 20], 0.3)),
    ("constant", lambda o: L.ConstantLR(o, 0.3, 7), lambda t, b: S.constant_lr(t, b, 0.3, 7)),
    ("linear", lambda o: L.LinearLR(o, 0.2, 0.8, 9), lambda t, b: S.linear_lr(t, b, 0.2, 0.8, 9)),
    ("exponential", lambda o: L.ExponentialLR(o, 0.93), lambda t, b: S.exponential_lr(t, b, 0.93)),
    ("polynomial", lambda o: L.PolynomialLR(o, 15, 2.0),
     lambda t, b: S.polynomial_lr(t, b, 15, 2.0)),
    ("cosine", lambda o: L.CosineAnnealingLR(o, 9, 0.001),
     lambda t, b: S.cosine_annealing_lr(t, b, 9, 0.001)),
    ("warm", lambda o: L.CosineAnnealingWarmRestarts(o, 3, 2, 0.001),
     lambda t, b: S.cosine_annealing_warm_restarts(t, b, 3, 2, 0.001)),
    ("cyclic", lambda o: L.CyclicLR(o, 0.01, 0.1, 4, 3, mode="triangular2"),
     lambda t, b: S.cyclic_lr(t, 0.01, 0.1, 4, 3, "triangular2")),
    ("onecycle", lambda o: L.OneCycleLR(o, 0.5, total_steps=N),
     lambda t, b: S.one_cycle_lr(t, 0.5, N)),
    ("inverse_time", lambda o: L.InverseTimeLR(o, 0.5), lambda t, b: b / (1 + 0.5 * t)),
    ("inverse_time_stair", lambda o: L.InverseTimeLR(o, 0.5, 4, staircase=True),
     lambda t, b: b / (1 + 0.5 * (t // 4))),
    ("inverse_sqrt", lambda o: L.InverseSqrtLR(o, 4),
     lambda t, b: b * ((t + 1) / 4 if t + 1 <= 4 else math.sqrt(4 / (t + 1)))),
    ("inverse_sqrt_nowarm", lambda o: L.InverseSqrtLR(o), lambda t, b: b / math.sqrt(t + 1)),
    ("harmonic", lambda o: L.HarmonicLR(o), lambda t, b: b / (t + 1)),
    ("harmonic_t0", lambda o: L.HarmonicLR(o, t0=10), lambda t, b: b * 10 / (10 + t)),
]


@pytest.mark.parametrize("name,make,fn", CLOSED, ids=[c[0] for c in CLOSED])
def test_scheduler_matches_closed_form(name, make, fn):
    np.testing.assert_allclose(sequence(make(make_opt())), closed(fn), rtol=1e-12, atol=1e-15)


def test_step_with_epoch_uses_closed_form():
    opt = make_opt()
    sched = L.StepLR(opt, 3, 0.5)
    with pytest.warns(UserWarning):
        sched.step(7)
    assert sched.get_last_lr() == [0.1 * 0.25, 0.05 * 0.25]


def test_harmonic_sums_diverge_but_squares_converge():
    lr = [S.harmonic_lr(t, 1.0) for t in range(100000)]
    assert sum(lr) > 12 and sum(x * x for x in lr) < math.pi**2 / 6


def test_inverse_sqrt_peaks_at_end_of_warmup():
    lrs = [S.inverse_sqrt_lr(t, 1.0, 10) for t in range(40)]
    assert int(np.argmax(lrs)) == 9 and lrs[9] == 1.0


def test_chained_composes_multiplicatively():
    o = make_opt()
    sched = L.ChainedScheduler([L.ExponentialLR(o, 0.9), L.StepLR(o, 2, 0.5)])
    got = sequence(sched, 6)
    expect = closed(lambda t, b: b * 0.9**t * 0.5 ** (t // 2), n=6)
    np.testing.assert_allclose(got, expect, rtol=1e-12)


def test_scheduler_writes_group_lr_used_by_the_optimizer():
    p = RC.make_param(np.zeros(1))
    opt = optim.SGD([p], lr=1.0)
    sched = L.LambdaLR(opt, lambda t: 0.5**t)
    moves = []
    for _ in range(3):
        RC.set_grad(p, np.ones(1))
        x0 = p._data.copy()
        opt.step()
        moves.append(float(x0[0] - p._data[0]))
        sched.step()
    np.testing.assert_allclose(moves, [1.0, 0.5, 0.25])


@pytest.mark.parametrize("make", [
    lambda o: L.StepLR(o, 3, 0.5), lambda o: L.MultiStepLR(o, [2, 5]),
    lambda o: L.CosineAnnealingLR(o, 5), lambda o: L.CosineAnnealingWarmRestarts(o, 2, 2),
    lambda o: L.CyclicLR(o, 0.01, 0.1, 3), lambda o: L.OneCycleLR(o, 0.5, total_steps=30),
    lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=3), L.ExponentialLR(o, 0.9)],
                             [4]),
    lambda o: L.InverseSqrtLR(o, 3), lambda o: L.LambdaLR(o, lambda t: 1 / (t + 1)),
])
def test_scheduler_state_dict_resume(make):
    o1 = make_opt()
    s1 = make(o1)
    sequence(s1, 6)
    sd, osd = s1.state_dict(), o1.state_dict()
    assert "optimizer" not in sd
    tail = sequence(s1, 6)[1:]
    o2 = make_opt()
    s2 = make(o2)
    o2.load_state_dict(osd)
    s2.load_state_dict(sd)
    np.testing.assert_allclose(sequence(s2, 6)[1:], tail, rtol=1e-15)


def test_plateau_reduces_after_patience_and_respects_min_lr():
    o = make_opt()
    s = L.ReduceLROnPlateau(o, factor=0.5, patience=1, min_lr=0.03)
    lrs = []
    for m in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        s.step(m)
        lrs.append(s.get_last_lr())
    assert lrs[0] == [0.1, 0.05] and lrs[2] == [0.05, 0.03] and lrs[-1] == [0.03, 0.03]


@pytest.mark.parametrize("make,err", [
    (lambda o: L.ConstantLR(o, factor=1.5), ValueError),
    (lambda o: L.LinearLR(o, start_factor=0), ValueError),
    (lambda o: L.CosineAnnealingWarmRestarts(o, T_0=0), ValueError),
    (lambda o: L.CyclicLR(o, 0.1, 1.0, mode="zigzag"), ValueError),
    (lambda o: L.OneCycleLR(o, 0.1), ValueError),
    (lambda o: L.OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5), ValueError),
    (lambda o: L.ReduceLROnPlateau(o, factor=1.0), ValueError),
    (lambda o: L.ReduceLROnPlateau(o, mode="up"), ValueError),
    (lambda o: L.LambdaLR(o, [lambda t: 1.0]), ValueError),
    (lambda o: L.SequentialLR(o, [L.StepLR(o, 2)], milestones=[3]), ValueError),
    (lambda o: L.InverseTimeLR(o, decay_rate=-1), ValueError),
    (lambda o: L.StepLR(object(), 2), TypeError),
])
def test_invalid_scheduler_arguments(make, err):
    with pytest.raises(err):
        make(make_opt())


def test_onecycle_refuses_to_run_past_total_steps():
    s = L.OneCycleLR(make_opt(), 0.5, total_steps=3)
    for _ in range(3):
        s.step()
    with pytest.raises(ValueError, match="total steps"):
        s.step()


def test_cyclic_momentum_cycles_beta1_for_adam():
    o = make_opt(cls=optim.Adam)
    s = L.CyclicLR(o, 0.01, 0.1, step_size_up=2)
    betas = [o.param_groups[0]["betas"][0]]
    for _ in range(4):
        s.step()
        betas.append(o.param_groups[0]["betas"][0])
    np.testing.assert_allclose(betas, [0.9, 0.85, 0.8, 0.85, 0.9])
