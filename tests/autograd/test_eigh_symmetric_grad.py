"""The gradient of ``linalg.eigh``'s eigenvectors is symmetric, as PyTorch's: the input is
read as the symmetric matrix one triangle stands for, so only symmetric perturbations exist.
The rule used ``V^T g`` where PyTorch projects it to its antisymmetric part: its gradient had
an extra antisymmetric part (the same symmetric part), so a matrix parameter that is not kept
symmetric moved differently from PyTorch's."""

import numpy as np
import pytest

import autograd_core as ag


def _loss(a, g):
    w, v = ag.linalg.eigh(a)
    return (v.abs() * ag.tensor(g)).sum() + (w * w).sum()  # sign-gauge invariant


def _case(seed, n=4):
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((n, n))
    a = m @ m.T + n * np.eye(n) + 0.3 * rng.standard_normal((n, n))  # triangle-read input
    return a, rng.standard_normal((n, n))


@pytest.mark.parametrize("seed", range(5))
def test_eigh_gradient_is_symmetric(seed):
    a, g = _case(seed)
    x = ag.tensor(a, requires_grad=True)
    _loss(x, g).backward()
    np.testing.assert_allclose(x.grad.numpy(), x.grad.numpy().T, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_eigh_gradient_matches_symmetric_finite_differences(seed):
    # <grad, E> for a symmetric direction E = (f(A + hE) - f(A - hE)) / 2h, A read as its
    # lower triangle's symmetric matrix
    a, g = _case(seed)
    rng = np.random.default_rng(100 + seed)
    x = ag.tensor(a, requires_grad=True)
    _loss(x, g).backward()
    for _ in range(3):
        e = rng.standard_normal(a.shape)
        e = e + e.T
        h = 1e-6
        up = _loss(ag.tensor(a + h * e), g).item()
        down = _loss(ag.tensor(a - h * e), g).item()
        assert abs((x.grad.numpy() * e).sum() - (up - down) / (2 * h)) < 1e-6


@pytest.mark.torch_parity
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_gradient_as_torch(uplo):
    torch = pytest.importorskip("torch")
    for seed in range(10):
        a, g = _case(seed, n=1 + seed % 4)
        gw = np.random.default_rng(seed).standard_normal(a.shape[0])
        grads = []
        for lib in (ag, torch):
            x = lib.tensor(a, requires_grad=True)
            w, v = lib.linalg.eigh(x, UPLO=uplo)
            lib.autograd.backward([w, v.abs()], [lib.tensor(gw), lib.tensor(g)])
            grads.append(x.grad.numpy())
        np.testing.assert_allclose(grads[0], grads[1], rtol=1e-9, atol=1e-11)
