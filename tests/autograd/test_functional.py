"""``autograd.functional``: jacobian, hessian, vjp, jvp, hvp, vhp under PyTorch's names and
signatures, checked against closed forms and (torch_parity) torch 2.13 on the same program."""

import inspect

import numpy as np
import pytest

import autograd_core as ag

X = np.array([0.5, -1.0, 2.0])
Y = np.array([1.5, 0.25])


def _program(mod):
    F = mod.autograd.functional
    x = mod.tensor(X, dtype=mod.float64)
    y = mod.tensor(Y, dtype=mod.float64)
    v3 = mod.tensor([1.0, 2.0, 3.0], dtype=mod.float64)
    v2 = mod.tensor([1.0, -1.0], dtype=mod.float64)
    A = mod.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], dtype=mod.float64)

    def f(x):  # R^3 -> R^2
        return A @ x.exp() + x[:2] * x[1:]

    def scalar(x):
        return (x ** 3).sum() + x[0] * x[2]

    def two(x, y):  # (R^3, R^2) -> R^2
        return x[:2] * y.sin() + y

    r = {}
    r["jac"] = F.jacobian(f, x)
    r["jac_tuple"] = F.jacobian(two, (x, y))
    r["hess"] = F.hessian(scalar, x)
    r["hess_tuple"] = F.hessian(lambda x, y: (x[:2] * y * y).sum(), (x, y))
    r["vjp"] = F.vjp(f, x, v2)
    r["jvp"] = F.jvp(f, x, v3)
    r["hvp"] = F.hvp(scalar, x, v3)
    r["vhp"] = F.vhp(scalar, x, v3)
    r["vjp_scalar"] = F.vjp(scalar, x)
    r["jac_unused"] = F.jacobian(lambda x, y: x * 2, (x, y))
    return r


def _flat(v):
    if isinstance(v, (tuple, list)):
        return [a for item in v for a in _flat(item)]
    return [v]


def test_closed_forms():
    r = _program(ag)
    A = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    jac = A * np.exp(X)
    jac[0, 0] += X[1]
    jac[0, 1] += X[0]
    jac[1, 1] += X[2]
    jac[1, 2] += X[1]
    np.testing.assert_allclose(r["jac"].data, jac)
    hess = np.diag(6 * X)
    hess[0, 2] = hess[2, 0] = 1.0
    np.testing.assert_allclose(r["hess"].data, hess)
    v3, v2 = np.array([1.0, 2.0, 3.0]), np.array([1.0, -1.0])
    out, vjp = r["vjp"]
    np.testing.assert_allclose(vjp.data, v2 @ jac)
    np.testing.assert_allclose(out.data, A @ np.exp(X) + X[:2] * X[1:])
    np.testing.assert_allclose(r["jvp"][1].data, jac @ v3)
    np.testing.assert_allclose(r["hvp"][1].data, hess @ v3)
    np.testing.assert_allclose(r["vhp"][1].data, v3 @ hess)
    np.testing.assert_allclose(r["vjp_scalar"][1].data, 3 * X ** 2 + [X[2], 0, X[0]])
    jx, jy = r["jac_tuple"]
    np.testing.assert_allclose(jx.data, np.hstack([np.diag(np.sin(Y)), np.zeros((2, 1))]))
    np.testing.assert_allclose(jy.data, np.diag(X[:2] * np.cos(Y) + 1))
    (hxx, hxy), (hyx, hyy) = r["hess_tuple"]
    np.testing.assert_allclose(hxx.data, np.zeros((3, 3)))
    np.testing.assert_allclose(hxy.data, np.vstack([np.diag(2 * Y), np.zeros((1, 2))]))
    np.testing.assert_allclose(hyx.data, hxy.data.T)
    np.testing.assert_allclose(hyy.data, np.diag(2 * X[:2]))
    np.testing.assert_allclose(r["jac_unused"][1].data, np.zeros((3, 2)))
    for v in _flat(list(r.values())):
        assert not v.requires_grad  # create_graph=False: results are detached


def test_strict_refuses_an_independent_input():
    x, y = ag.ones(3, dtype=ag.float64), ag.ones(2, dtype=ag.float64)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        ag.autograd.functional.vjp(lambda x, y: (x * 2).sum(), (x, y), strict=True)


def test_create_graph_results_can_be_differentiated():
    x = ag.tensor(X, dtype=ag.float64, requires_grad=True)
    _, g = ag.autograd.functional.vjp(lambda x: (x ** 3).sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * X)


def test_v_shape_is_checked():
    # PyTorch's words (torch.Size there)
    with pytest.raises(RuntimeError, match=r"^v has invalid size: should be autograd_core\.Size"
                                           r"\(\[3\]\) but got autograd_core\.Size\(\[2\]\)\.$"):
        ag.autograd.functional.jvp(lambda x: x * 2, ag.ones(3), ag.ones(2))


@pytest.mark.torch_parity
def test_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _program(ag), _program(torch)
    for k in ours:
        a, b = _flat(ours[k]), _flat(theirs[k])
        assert len(a) == len(b), k
        for p, q in zip(a, b):
            assert tuple(p.shape) == tuple(q.shape), k
            np.testing.assert_allclose(p.data, q.numpy(), rtol=1e-12, atol=1e-15, err_msg=k)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_signatures_match_torch(name):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(ag.autograd.functional, name)).parameters
    theirs = inspect.signature(getattr(torch.autograd.functional, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()]
