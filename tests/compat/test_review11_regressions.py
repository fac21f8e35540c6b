"""Defects found reviewing this session's distributions/linalg/func merges (review11): each
test failed before its fix."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import distributions as D


def test_value_event_shape_must_match_not_broadcast():
    # PyTorch's _validate_sample: the value's right-most sizes must equal event_shape. A (1,)
    # value on a 3-category Dirichlet sums to 1, so it passed the simplex check and broadcast
    # to a silent log-density of the point (1, 1, 1).
    d = D.Dirichlet(ag.ones(2, 3))
    for bad in (ag.ones(1), ag.ones(()), ag.full((2, 2), 0.5)):
        with pytest.raises(ValueError, match="The right-most size of value must match "
                                             "event_shape: .* vs .*3"):
            d.log_prob(bad)
    np.testing.assert_allclose(d.log_prob(ag.ones(3) / 3).numpy(), [np.log(2.0)] * 2, rtol=1e-6)
    with pytest.raises(ValueError, match="right-most size of value must match"):
        D.OneHotCategorical(ag.tensor([0.5, 0.5])).log_prob(ag.ones(1))
    # the batch part still broadcasts, and an event-less family takes any value shape
    assert D.Dirichlet(ag.ones(3)).log_prob(ag.full((4, 3), 1 / 3)).shape == (4,)
    assert D.Normal(ag.zeros(2), 1.0).log_prob(ag.zeros(5, 1)).shape == (5, 2)


def test_eigvals_gradient_at_a_repeated_eigenvalue():
    # eigvals' backward got a zero gradient for the unused eigenvectors and divided it by
    # L_j - L_i = 0: NaN. sum(eigvals) is the trace, whose gradient is the identity wherever
    # the eigenvalues coincide; PyTorch (undefined gV) gives it.
    for a0 in (2.0 * np.eye(3), np.array([[1.0, 5.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0]])):
        a = ag.tensor(a0, requires_grad=True)
        ag.linalg.eigvals(a).real.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), np.eye(3), atol=1e-12)
        a = ag.tensor(a0, requires_grad=True)
        ag.linalg.eig(a).eigenvalues.real.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), np.eye(3), atol=1e-12)


@pytest.mark.torch_parity
def test_eigvals_weighted_gradient_at_a_repeated_eigenvalue_vs_torch():
    torch = pytest.importorskip("torch")
    w = np.array([1.0, 2.0, 3.0])
    a = ag.tensor(2.0 * np.eye(3), requires_grad=True)
    (ag.linalg.eigvals(a).real * ag.tensor(w)).sum().backward()
    t = torch.tensor(2.0 * np.eye(3), requires_grad=True)
    (torch.linalg.eigvals(t).real * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), atol=1e-12)


def test_lu_and_ldl_solve_refuse_out_of_range_pivots():
    # A 0 pivot became perm[-1] (numpy/Python negative indexing): a silently wrong X from
    # lu_solve and ldl_solve; PyTorch checks the range first, in these words.
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    a = a + a.T + np.diag([-4.0, 3.0, 5.0])
    b = ag.tensor(rng.standard_normal((3, 2)))
    lu, _ = ag.linalg.lu_factor(ag.tensor(a))
    ld, piv = ag.linalg.ldl_factor(ag.tensor(a))
    for bad, word in (([0, 2, 3], "greater or equal to 1"), ([1, 4, 3], "smaller or equal to LU")):
        with pytest.raises(RuntimeError, match=f"Pivots given to lu_solve must all be {word}"):
            ag.linalg.lu_solve(lu, ag.tensor(bad, dtype=ag.int32), b)
    for bad, word in (([0, 2, 3], r"\|pivot\| >= 1"), ([1, -4, 3], r"\|pivot\| <= LD")):
        with pytest.raises(RuntimeError, match=f"Pivots given to ldl_solve must all satisfy {word}"):
            ag.linalg.ldl_solve(ld, ag.tensor(bad, dtype=ag.int32), b)
    with pytest.raises(RuntimeError, match="pivots should be a Tensor of scalar type torch.int32"):
        ag.linalg.lu_solve(lu, ag.tensor([1, 2, 3]), b)
    # ldl_solve takes any integer pivots, as PyTorch's: A X = B
    x = ag.linalg.ldl_solve(ld, piv.long(), b)
    np.testing.assert_allclose(a @ x.numpy(), b.numpy(), atol=1e-10)


def test_gammainc_and_gamma_cdf_of_scalars():
    # 0-d inputs crashed ("'numpy.float64' object does not support item assignment"), so a
    # scalar Gamma(2., 1.).cdf(tensor(1.)) failed. Closed forms: P(1, x) = 1 - e**-x,
    # P(2, 1) = 1 - 2/e, Q = 1 - P.
    x = ag.tensor(0.7, dtype=ag.float64)
    p = ag.special.gammainc(ag.tensor(1.0, dtype=ag.float64), x)
    assert p.shape == () and abs(p.item() - (1 - np.exp(-0.7))) < 1e-15
    q = ag.special.gammaincc(ag.tensor(1.0, dtype=ag.float64), x)
    assert q.shape == () and abs(q.item() - np.exp(-0.7)) < 1e-15
    c = D.Gamma(2.0, 1.0).cdf(ag.tensor(1.0))
    assert c.shape == () and abs(c.item() - (1 - 2 / np.e)) < 1e-6
    assert abs(D.Chi2(2.0).cdf(ag.tensor(2.0)).item() - (1 - np.exp(-1.0))) < 1e-6


@pytest.mark.parametrize("call, words", [
    (lambda: ag.vdot(ag.ones(2), ag.ones(2, dtype=ag.float64)),
     "dot : expected both vectors to have same dtype, but found Float and Double"),
    (lambda: ag.dot(ag.ones(2, dtype=ag.int32), ag.ones(2, dtype=ag.int64)),
     "dot : expected both vectors to have same dtype, but found Int and Long"),
    (lambda: ag.vdot(ag.ones(2, 2), ag.ones(2, 2)), "1D tensors expected, but got 2D and 2D tensors"),
    (lambda: ag.linalg.vecdot(ag.ones(2, dtype=ag.int64), ag.ones(2, dtype=ag.int64)),
     "linalg.vecdot: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: ag.addbmm(ag.ones(2, 2, dtype=ag.float64), ag.ones(1, 2, 3), ag.ones(1, 3, 2)),
     "self and mat2 must have the same dtype, but got Double and Float"),
    (lambda: ag.addbmm(ag.ones(2, 2), ag.ones(1, 2, 3, dtype=ag.float64), ag.ones(1, 3, 2)),
     "mat1 and mat2 must have the same dtype, but got Double and Float"),
    (lambda: ag.addmm(ag.ones(2, 2, dtype=ag.int64), ag.ones(2, 3), ag.ones(3, 2)),
     "self and mat2 must have the same dtype, but got Long and Float"),
    (lambda: ag.triangular_solve(ag.ones(2, 2, dtype=ag.float64), ag.eye(2)),
     "Expected b and A to have the same dtype, but found b of type Double and A of type Float"),
    (lambda: ag.linalg.lu_solve(*ag.linalg.lu_factor(ag.eye(2)), ag.ones(2, 2, dtype=ag.float64)),
     "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type Float and "
     "B of type Double"),
])
def test_products_and_solves_refuse_mixed_dtypes_as_pytorch(call, words):
    # each was accepted with a promoted (or integer) result, or crashed (triangular_solve's
    # AttributeError); PyTorch refuses them before any work, in these words
    with pytest.raises(RuntimeError, match=words.replace("(", r"\(").replace(")", r"\)")):
        call()


@pytest.mark.parametrize("fn, name", [
    (ag.fft.hfftn, "hfftn"), (ag.fft.hfft2, "hfftn"), (ag.fft.irfftn, "irfftn"),
    (ag.fft.ihfftn, "ihfftn"), (ag.fft.rfftn, "rfftn"), (ag.fft.ihfft2, "ihfftn"),
])
def test_half_spectrum_transforms_over_no_dimension_are_refused(fn, name):
    # dim=() returned the input (hfftn/irfftn: its real part, the imaginary part silently
    # dropped); PyTorch refuses: a half spectrum needs an axis
    x = ag.tensor([[1 + 2j, 3 - 1j]]) if name in ("hfftn", "irfftn") else ag.ones(1, 2)
    with pytest.raises(RuntimeError, match=f"^{name} must transform at least one axis$"):
        fn(x, dim=())


def test_func_grad_stays_connected_to_a_parameter_reached_through_a_reduction():
    # The walk looking for outer tensors kept the ids of next_functions' AccumulateGrad
    # stand-ins, made afresh on each access: a freed one's id was reused, W's leaf was taken
    # as seen, and grad(lambda x: (W.sum() * x).sum())(x) came back detached (PyTorch keeps it
    # connected): a loss built on it silently gave W no gradient.
    W = ag.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)
    g = ag.func.grad(lambda x: (W.sum() * x).sum())(x)  # = W.sum() * ones(3)
    np.testing.assert_allclose(g.detach().numpy(), [36.0] * 3)
    (gW,) = ag.autograd.grad(g.sum(), [W])  # d(3 * W.sum()) / dW
    np.testing.assert_allclose(gW.numpy(), np.full((3, 3), 3.0))
    g2 = ag.func.grad(lambda x: ((W * 2) @ x).sum())(x)  # = 2 * W.sum(0)
    (gW2,) = ag.autograd.grad(g2.sum(), [W])
    np.testing.assert_allclose(gW2.numpy(), np.full((3, 3), 2.0))
