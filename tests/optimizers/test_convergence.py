"""Every algorithm makes progress on the ill-conditioned quadratic, and on the classic test
problems through the autograd engine (gradients from backward())."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import optimizers as optim
from optimizers import test_functions as TF

QUAD = TF.ill_conditioned_quadratic(dim=10, condition=100.0)

# (class, kwargs, steps, required reduction of the distance to the minimiser)
SETTINGS = {
    "SGD": (optim.SGD, dict(lr=0.015), 600, 1e-1),
    "SGD momentum": (optim.SGD, dict(lr=0.004, momentum=0.9), 300, 1e-3),
    "SGD nesterov": (optim.SGD, dict(lr=0.004, momentum=0.9, nesterov=True), 300, 1e-3),
    "Adagrad": (optim.Adagrad, dict(lr=0.5), 300, 1e-2),
    "RMSprop": (optim.RMSprop, dict(lr=0.01), 400, 1e-1),
    "Adadelta": (optim.Adadelta, dict(lr=10.0), 400, 2e-1),
    "Adam": (optim.Adam, dict(lr=0.05), 400, 1e-2),
    "AdamW": (optim.AdamW, dict(lr=0.05, weight_decay=0.0), 400, 1e-2),
    "AMSGrad": (optim.Adam, dict(lr=0.05, amsgrad=True), 400, 1e-2),
    "Adamax": (optim.Adamax, dict(lr=0.05), 400, 1e-2),
    "NAdam": (optim.NAdam, dict(lr=0.05), 400, 1e-2),
    "RAdam": (optim.RAdam, dict(lr=0.05), 400, 1e-2),
    "Rprop": (optim.Rprop, dict(lr=0.01), 200, 1e-3),
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_converges_on_ill_conditioned_quadratic(name):
    cls, kwargs, steps, factor = SETTINGS[name]
    x = ag.tensor(QUAD.start.copy(), requires_grad=True)
    opt = cls([x], **kwargs)
    d0 = QUAD.distance_to_minimum(x.data)
    for _ in range(steps):
        opt.zero_grad()
        QUAD(x).backward()
        opt.step()
    assert QUAD.distance_to_minimum(x.data) < factor * d0


def test_momentum_beats_plain_sgd_on_ill_conditioning():
    def final(kwargs, steps=150):
        x = ag.tensor(QUAD.start.copy(), requires_grad=True)
        opt = optim.SGD([x], **kwargs)
        for _ in range(steps):
            opt.zero_grad()
            QUAD(x).backward()
            opt.step()
        return float(QUAD(x.data))

    assert final(dict(lr=0.004, momentum=0.9)) < 1e-3 * final(dict(lr=0.015))


@pytest.mark.parametrize("problem,cls,kwargs,steps,tol", [
    (TF.ROSENBROCK, optim.Adam, dict(lr=0.02), 3000, 0.05),
    (TF.BEALE, optim.Adam, dict(lr=0.01), 3000, 0.05),
    (TF.SADDLE, optim.SGD, dict(lr=0.05, momentum=0.5), 400, 1e-3),
])
def test_closure_driven_runs_on_test_problems(problem, cls, kwargs, steps, tol):
    x = ag.tensor(problem.start.copy(), requires_grad=True)
    opt = cls([x], **kwargs)

    def closure():
        opt.zero_grad()
        loss = problem(x)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    assert problem.distance_to_minimum(x.data) < tol
    assert abs(float(problem(x.data)) - problem.f_min) < 10 * tol


def test_gradient_descent_stalls_at_the_saddle_from_the_x_axis():
    x = ag.tensor(np.array([1.0, 0.0]), requires_grad=True)
    opt = optim.SGD([x], lr=0.1)
    for _ in range(200):
        opt.zero_grad()
        TF.SADDLE(x).backward()
        opt.step()
    assert np.linalg.norm(x.data) < 1e-6  # converged to the saddle point, not a minimum


@pytest.mark.parametrize("problem", list(TF.PROBLEMS.values()), ids=list(TF.PROBLEMS))
def test_engine_gradients_match_analytic(problem):
    x0 = problem.start + 0.37
    x = ag.tensor(x0.copy(), requires_grad=True)
    problem(x).backward()
    np.testing.assert_allclose(x.grad.data, problem.grad(x0), rtol=1e-10, atol=1e-12)
    for m in problem.minima:
        np.testing.assert_allclose(float(problem(m)), problem.f_min, atol=1e-12)
        np.testing.assert_allclose(problem.grad(m), 0.0, atol=1e-12)
