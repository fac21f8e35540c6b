"""Gradients through the LU decomposition (``linalg.lu_factor``, ``lu_factor_ex``,
``linalg.lu``, ``lu_unpack``, ``lu_solve`` on the factors), square, wide and tall: float64
finite differences to second order, a hand-worked 2x2, and PyTorch's numbers (backward raised
"not implemented" before)."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.gradcheck import gradcheck, gradgradcheck

SHAPES = [(3, 3), (2, 4), (4, 2), (2, 3, 3), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES)
def test_lu_factor_gradcheck(shape):
    x = ag.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda t: ag.linalg.lu_factor(t)[0], (x,))
    assert gradgradcheck(lambda t: ag.linalg.lu_factor(t)[0], (x,))


@pytest.mark.parametrize("shape", SHAPES)
def test_lu_gradcheck(shape):
    x = ag.tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True)

    def f(t):
        P, L, U = ag.linalg.lu(t)
        return (L * 1.3).sum() + (U ** 2).sum()

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_lu_2x2_hand_worked():
    # A = [[a, b], [c, d]] with |a| > |c| (no swap): L = [[1, 0], [c/a, 1]],
    # U = [[a, b], [0, d - b c / a]]; d U11 / d(a, b, c, d) = (b c / a^2, -c / a, -b / a, 1)
    a, b, c, d = 3.0, 2.0, 1.0, 5.0
    x = ag.tensor([[a, b], [c, d]], dtype=ag.float64, requires_grad=True)
    P, L, U = ag.linalg.lu(x)
    assert P.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    U[1, 1].backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), [[b * c / a ** 2, -c / a], [-b / a, 1.0]],
                               rtol=1e-15)
    x.grad = None
    L[1, 0].backward()  # c / a
    np.testing.assert_allclose(x.grad.numpy(), [[-c / a ** 2, 0.0], [1 / a, 0.0]], rtol=1e-15)


def test_lu_solve_through_factors_matches_solve():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((4, 4)), rng.standard_normal((4, 2))
    x1, x2 = ag.tensor(a, requires_grad=True), ag.tensor(a, requires_grad=True)
    LU, piv = ag.linalg.lu_factor(x1)
    (ag.linalg.lu_solve(LU, piv, ag.tensor(b)) ** 2).sum().backward()
    (ag.linalg.solve(x2, ag.tensor(b)) ** 2).sum().backward()
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch_parity
def test_lu_gradients_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for _ in range(30):
        m, n = (int(v) for v in rng.integers(1, 6, 2))
        batch = tuple(int(v) for v in rng.integers(1, 3, int(rng.integers(0, 2))))
        a, k = rng.standard_normal(batch + (m, n)), min(m, n)
        gl, gu = rng.standard_normal(batch + (m, k)), rng.standard_normal(batch + (k, n))
        glu = rng.standard_normal(batch + (m, n))
        grads = []
        for lib in (ag, torch):
            x, y = lib.tensor(a, requires_grad=True), lib.tensor(a, requires_grad=True)
            _, L, U = lib.linalg.lu(x)
            lib.autograd.backward([L, U], [lib.tensor(gl), lib.tensor(gu)])
            lib.linalg.lu_factor(y)[0].backward(lib.tensor(glu))
            grads.append((x.grad.numpy(), y.grad.numpy()))
        for ours, ref in zip(*grads):
            np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-11)
    x = ag.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    assert ag.linalg.lu_factor(x)[0].grad_fn.name() == torch.linalg.lu_factor(
        torch.tensor(x.detach().numpy(), requires_grad=True))[0].grad_fn.name()


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0), (2, 0, 0), (2, 3, 0), (0, 2, 2)])
def test_lu_empty_matrices(shape):
    # PyTorch returns empty factors (P the identity of the row count, no pivots) and an empty
    # gradient; ours crashed in numpy's reshape(-1, 0) of the factorisation and the pivots
    x = ag.zeros(shape, dtype=ag.float64, requires_grad=True)
    m, n = shape[-2:]
    batch, k = shape[:-2], min(m, n)
    LU, piv = ag.linalg.lu_factor(x)
    assert tuple(LU.shape) == shape and tuple(piv.shape) == batch + (k,)
    assert piv.dtype == ag.int32
    P, L, U = ag.linalg.lu(x)
    assert (tuple(P.shape), tuple(L.shape), tuple(U.shape)) == (
        batch + (m, m), batch + (m, k), batch + (k, n))
    np.testing.assert_array_equal(P.numpy(), np.broadcast_to(np.eye(m), batch + (m, m)))
    assert tuple(ag.linalg.lu_factor_ex(x)[2].shape) == batch
    (LU.sum() + L.sum() + U.sum()).backward()
    assert tuple(x.grad.shape) == shape
