"""``linalg.solve``'s backward solves with ``A^T`` (as PyTorch's) rather than forming the
inverse: the gradients agree with PyTorch's in float64, batched and broadcast too."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.torch_parity
@pytest.mark.parametrize("a_shape, b_shape", [((5, 5), (5, 3)), ((4, 6, 6), (4, 6, 2)),
                                              ((6, 6), (3, 6, 2)), ((7, 7), (7,))])
def test_solve_grads_match_torch(a_shape, b_shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a = rng.standard_normal(a_shape) + 3 * np.eye(a_shape[-1])
    b = rng.standard_normal(b_shape)
    ta, tb = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    x = ag.linalg.solve(ta, tb)
    g = rng.standard_normal(tuple(x.shape))
    x.backward(ag.tensor(g))
    qa, qb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    torch.linalg.solve(qa, qb).backward(torch.tensor(g))
    np.testing.assert_allclose(ta.grad.numpy(), qa.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), qb.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_solve_grad_of_b_solves_the_transposed_system():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((30, 30)) + 5 * np.eye(30)
    g = rng.standard_normal((30, 4))
    tb = ag.tensor(rng.standard_normal((30, 4)), requires_grad=True)
    ag.linalg.solve(ag.tensor(a), tb).backward(ag.tensor(g))
    np.testing.assert_allclose(a.T @ tb.grad.numpy(), g, rtol=0, atol=1e-12)


def test_solve_second_order_still_recorded():
    a = ag.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([[1.0], [2.0]], dtype=ag.float64, requires_grad=True)
    assert ag.gradgradcheck(lambda a, b: ag.linalg.solve(a, b), (a, b))
