"""Which outputs of the linear-algebra ops come out of the graph, as PyTorch's: ``slogdet``'s
``sign`` and ``qr(mode='r')``'s empty ``Q`` require grad with the input (they were plain
tensors, so code testing ``requires_grad`` or chaining them diverged from PyTorch)."""

import numpy as np
import pytest

import autograd_core as ag

QR_R = "The derivative of linalg.qr depends on Q, which is not computed when mode='r'"


@pytest.mark.parametrize("fn", [ag.linalg.slogdet, ag.slogdet])
def test_slogdet_sign_requires_grad(fn):
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    sign, logabsdet = fn(x)
    assert sign.requires_grad and logabsdet.requires_grad
    assert sign.grad_fn is logabsdet.grad_fn
    assert sign.grad_fn.name() == "LinalgSlogdetBackward0"
    assert sign.item() == -1.0  # det = -2
    # a real sign is piecewise constant: a pass reaching only it leaves no gradient
    sign.backward(retain_graph=True)
    assert x.grad is None
    # the product's gradient is sign * d logabsdet = sign * A^-T (the inverse, transposed)
    (sign * logabsdet).backward()
    np.testing.assert_allclose(x.grad.numpy(), -np.linalg.inv([[1.0, 2.0], [3.0, 4.0]]).T,
                               rtol=1e-6)


def test_slogdet_without_grad_and_logdet_unchanged():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    sign, logabsdet = ag.linalg.slogdet(ag.tensor(a))
    assert not sign.requires_grad and sign.grad_fn is None
    assert (sign.item(), logabsdet.item()) == pytest.approx((1.0, np.log(5.0)), rel=1e-15)
    x = ag.tensor(a, requires_grad=True)
    ag.logdet(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), np.linalg.inv(a).T, rtol=1e-14)
    assert np.isnan(ag.logdet(ag.tensor([[0.0, 1.0], [1.0, 0.0]])).item())


def test_slogdet_double_backward():
    a = np.array([[2.0, 0.5], [0.3, 1.0]])
    x = ag.tensor(a, requires_grad=True)
    _, logabsdet = ag.linalg.slogdet(x)
    (g,) = ag.autograd.grad(logabsdet, x, create_graph=True)
    (g[0, 0]).backward()
    # d/dA of (A^-T)_00 = (A^-1)_00: -(A^-1)_{0i} (A^-1)_{j0}, transposed: -B[j, 0] B[0, i]
    b = np.linalg.inv(a)
    np.testing.assert_allclose(x.grad.numpy(), -np.outer(b[:, 0], b[0, :]).T, rtol=1e-12)


def test_qr_mode_r_empty_q_requires_grad():
    x = ag.tensor([[3.0, 1.0], [4.0, 2.0]], requires_grad=True)
    q, r = ag.linalg.qr(x, mode="r")
    assert tuple(q.shape) == (0,) and q.requires_grad and r.requires_grad
    for t in (q, r):
        with pytest.raises(RuntimeError, match=QR_R):
            t.sum().backward()
    q0, _ = ag.linalg.qr(ag.tensor([[3.0, 1.0], [4.0, 2.0]]), mode="r")
    assert not q0.requires_grad


@pytest.mark.torch_parity
def test_flags_as_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((2, 3, 3))
    flags = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        s, l = lib.linalg.slogdet(x)
        q, r = lib.linalg.qr(x, mode="r")
        flags.append((s.requires_grad, l.requires_grad, q.requires_grad, r.requires_grad,
                      tuple(q.shape)))
        (s * l).sum().backward()
        flags.append(x.grad.numpy().round(12).tolist())
    assert flags[0] == flags[2] and flags[1] == flags[3]


@pytest.mark.parametrize("shape,driver", [((3, 3), "gelsy"), ((2, 4), "gelsd"),
                                          ((4, 3), "gelsy"), ((2, 3, 3), "gelss")])
def test_lstsq_empty_residuals_require_grad(shape, driver):
    rng = np.random.default_rng(1)
    a = ag.tensor(rng.standard_normal(shape), requires_grad=True)
    b = ag.tensor(rng.standard_normal(shape[:-1] + (2,)))
    sol, residuals, _, _ = ag.linalg.lstsq(a, b, driver=driver)
    assert tuple(residuals.shape) == (0,) and residuals.requires_grad
    # the empty residuals add nothing: the gradient is the solution's alone
    (sol.sum() + residuals.sum()).backward()
    a2 = ag.tensor(a.detach().numpy(), requires_grad=True)
    ag.linalg.lstsq(a2, b, driver=driver).solution.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), a2.grad.numpy(), rtol=1e-15, atol=1e-15)
    assert not ag.linalg.lstsq(a.detach(), b, driver=driver).residuals.requires_grad
