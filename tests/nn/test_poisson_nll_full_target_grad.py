"""``poisson_nll_loss(full=True)``: Stirling's term ``t log t - t + log(2 pi t) / 2`` (where the
target ``t`` > 1) is differentiated in the target, as PyTorch's. It was added as a constant:
the loss's value was right and its target gradient silently wrong."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

X = np.array([0.5, 1.2, 2.0, 0.3, 0.7])
T = np.array([0.5, 2.5, 1.5, 4.0, 3.0])


@pytest.mark.parametrize("log_input", [False, True])
def test_gradcheck_in_input_and_target(log_input):
    x = ag.tensor(X, dtype=ag.float64, requires_grad=True)
    t = ag.tensor(T, dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(
        lambda a, b: F.poisson_nll_loss(a, b, log_input=log_input, full=True), (x, t))


def test_target_gradient_by_hand():
    # log_input=False, mean over 5: d/dt = (-log(x + eps) + [t > 1] (log t + 1 / (2 t))) / 5
    x = ag.tensor(X, dtype=ag.float64)
    t = ag.tensor(T, dtype=ag.float64, requires_grad=True)
    F.poisson_nll_loss(x, t, log_input=False, full=True).backward()
    want = (-np.log(X + 1e-8) + np.where(T > 1, np.log(T) + 0.5 / T, 0.0)) / 5
    np.testing.assert_allclose(t.grad.numpy(), want, rtol=1e-12)


def test_target_zero_gives_a_finite_gradient():
    t = ag.tensor([0.0, 1.0, 2.0], dtype=ag.float64, requires_grad=True)
    F.poisson_nll_loss(ag.tensor([0.5, 0.5, 0.5], dtype=ag.float64), t, full=True).backward()
    assert np.isfinite(t.grad.numpy()).all()  # PyTorch's is NaN at 0 (DIFFERENCES.md)


@pytest.mark.torch_parity
@pytest.mark.parametrize("log_input", [False, True])
def test_equals_torch(log_input):
    torch = pytest.importorskip("torch")
    out = []
    for lib, fn in ((ag, F.poisson_nll_loss), (torch, torch.nn.functional.poisson_nll_loss)):
        x, t = lib.tensor(X, requires_grad=True), lib.tensor(T, requires_grad=True)
        loss = fn(x, t, log_input=log_input, full=True, reduction="none")
        out.append([loss.detach().numpy(), *[g.numpy() for g in lib.autograd.grad(
            loss, (x, t), lib.ones_like(loss))]])
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-12)
