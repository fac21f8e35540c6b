"""``jacobian(strategy="forward-mode")`` and ``hessian(outer_jacobian_strategy="forward-mode")``
with PyTorch's conditions: it raised NotImplementedError for every call (grad2nd9 found it).
The Jacobians are worked by hand; the refusals are PyTorch's."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd.functional import hessian, jacobian


def test_forward_mode_jacobian_by_hand():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64)
    j = jacobian(lambda t: t ** 2, x, vectorize=True, strategy="forward-mode")
    assert j.tolist() == [[2.0, 0.0], [0.0, 4.0]]
    a, b = ag.tensor([3.0]), ag.tensor([5.0])
    ((ja, jb),) = jacobian(lambda u, v: (u * v,), (a, b), vectorize=True,
                           strategy="forward-mode")
    assert ja.tolist() == [[5.0]] and jb.tolist() == [[3.0]]


def test_forward_mode_jacobian_takes_the_outputs_dtype():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64)
    j = jacobian(lambda t: (t * 3).float(), x, vectorize=True, strategy="forward-mode")
    assert j.dtype == ag.float32 and j.tolist() == [[3.0, 0.0], [0.0, 3.0]]


def test_forward_mode_hessian_by_hand():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64)
    h = hessian(lambda t: (t ** 3).sum(), x, vectorize=True,
                outer_jacobian_strategy="forward-mode")
    np.testing.assert_array_equal(h.numpy(), [[6.0, 0.0], [0.0, 12.0]])


def test_forward_mode_refusals_are_pytorchs():
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        jacobian(lambda t: t * 2, x, strategy="forward-mode")
    with pytest.raises(NotImplementedError, match="`create_graph=True` and"):
        jacobian(lambda t: t * 2, x, create_graph=True, vectorize=True, strategy="forward-mode")
    with pytest.raises(RuntimeError, match="`strict=True` and"):
        jacobian(lambda t: t * 2, x, strict=True, vectorize=True, strategy="forward-mode")


@pytest.mark.torch_parity
def test_forward_mode_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(s) for s in ((3,), (2, 2))]

    def f(lib, a, b):
        return (lib.tanh(a).sum() * b, (a[:2] * b[0]).exp())

    ours = jacobian(lambda a, b: f(ag, a, b), tuple(ag.tensor(x) for x in xs), vectorize=True,
                    strategy="forward-mode")
    theirs = torch.autograd.functional.jacobian(
        lambda a, b: f(torch, a, b), tuple(torch.tensor(x) for x in xs), vectorize=True,
        strategy="forward-mode")
    for o_row, t_row in zip(ours, theirs):
        for o, t in zip(o_row, t_row):
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12, atol=1e-14)
            assert o.shape == tuple(t.shape)
    for strict, cg, vec in ((False, False, False), (False, True, True), (True, False, True)):
        errs = []
        for call in (lambda: jacobian(lambda t: t * 2, ag.tensor([1.0]), create_graph=cg,
                                      strict=strict, vectorize=vec, strategy="forward-mode"),
                     lambda: torch.autograd.functional.jacobian(
                         lambda t: t * 2, torch.tensor([1.0]), create_graph=cg, strict=strict,
                         vectorize=vec, strategy="forward-mode")):
            with pytest.raises((RuntimeError, NotImplementedError)) as e:
                call()
            errs.append((type(e.value), str(e.value).replace(" ", "")))
        assert errs[0] == errs[1]


@pytest.mark.torch_parity
def test_forward_mode_jacobian_stays_connected_to_inputs_that_require_grad():
    """PyTorch's forward mode runs the function on the inputs themselves: the Jacobian of an
    output computed from an input requiring grad is differentiable in it (ours was detached),
    and an output no such input reaches gives constant blocks."""
    torch = pytest.importorskip("torch")
    TF = torch.autograd.functional
    x0, c0 = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    results = []
    for lib, jac in ((ag, jacobian), (torch, TF.jacobian)):
        x = lib.tensor(x0, requires_grad=True)
        c = lib.tensor(c0)
        (ja, jc), (ka, kc) = jac(lambda a, b: (a * b * b, b * b), (x, c), vectorize=True,
                                 strategy="forward-mode")
        flags = [t.requires_grad for t in (ja, jc, ka, kc)]
        (jc.sum() + (ja ** 2).sum()).backward()
        results.append((flags, x.grad.numpy().copy()))
    assert results[0][0] == results[1][0] == [True, True, False, False]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], 2 * c0 + 0 * x0, rtol=1e-12)  # d/dx sum(2xc)


@pytest.mark.torch_parity
def test_forward_mode_hessian_stays_connected():
    torch = pytest.importorskip("torch")
    grads = []
    for lib, hess in ((ag, hessian), (torch, torch.autograd.functional.hessian)):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        h = hess(lambda t: (t ** 4).sum(), x, vectorize=True,
                 outer_jacobian_strategy="forward-mode")
        assert h.requires_grad
        h.sum().backward()
        grads.append(x.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], [24.0, 48.0], rtol=1e-12)  # d/dx 12 x^2
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
