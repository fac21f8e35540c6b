"""``xlogy``'s gradient is ``xlogy(g, y)``: its derivative in the incoming gradient ``g`` is
``log(y)`` (``log1p`` for ``special.xlog1py``), at ``g == 0`` too. The rule once zeroed its
result where ``g == 0`` by a mask, so a Hessian-vector product or a Jacobian-vector product by
the double-vjp trick got 0 there, silently."""

import math

import numpy as np
import pytest

import autograd_core as ag

X = [0.0, 0.0, 1.5, -2.0, 0.5, 2.0, 1.0]
Y = [0.5, 0.0, 2.0, 0.3, 1.0, -1.0, 4.0]
V = [0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.5]


def _grad_and_its_derivative(lib, fn, x0, y0, v0):
    x, y, v = (lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in (x0, y0, v0))
    gx, _ = lib.autograd.grad(fn(lib)(x, y), (x, y), v, create_graph=True)
    (dv,) = lib.autograd.grad(gx.sum(), v)
    return gx.detach().numpy(), dv.numpy()


FNS = {"xlogy": (lambda lib: lib.xlogy, np.log),
       "xlog1py": (lambda lib: lib.special.xlog1py, np.log1p)}  # (math.log1p: 1 ulp off)


@pytest.mark.parametrize("name", sorted(FNS))
def test_derivative_in_the_gradient_is_the_log_at_zero_gradient(name):
    fn, log = FNS[name]
    gx, dv = _grad_and_its_derivative(ag, fn, X, Y, V)
    pole = 0.0 if name == "xlogy" else -1.0
    for y, v, g, d in zip(Y, V, gx, dv):
        if y > pole:
            assert d == log(y)  # closed form: d/dv (v * log(y))
            assert g == v * log(y) and not (v == 0 and math.copysign(1, g) < 0)  # +0 at v == 0
        else:  # log(y) infinite or NaN: xlogy(0, y) is 0 by PyTorch's mask, and so its slope
            assert d == 0.0 and (v != 0 or g == 0.0)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(FNS))
def test_double_backward_equals_torch(name):
    torch = pytest.importorskip("torch")
    fn, _ = FNS[name]
    ours = _grad_and_its_derivative(ag, fn, X, Y, V)
    theirs = _grad_and_its_derivative(torch, fn, X, Y, V)
    for a, b in zip(ours, theirs):  # torch's scalar log1p is 1 ulp from its tensor log1p
        np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


# y = inf: log(y) is inf, so the gradient's derivative in v is inf, at v == 0 too (a mask
# once made it 0 there); x == 0 and x != 0, v == 0 and v != 0
X_INF = [0.0, 1.0, 2.0, 0.0, -1.0]
Y_INF = [math.inf] * 5
V_INF = [0.0, 0.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize("name", sorted(FNS))
def test_derivative_in_the_gradient_is_inf_at_y_inf(name):
    fn, _ = FNS[name]
    gx, dv = _grad_and_its_derivative(ag, fn, X_INF, Y_INF, V_INF)
    assert np.array_equal(gx, [0.0, 0.0, math.inf, math.inf, 0.0])  # xlogy(v, inf)
    assert np.array_equal(dv, [math.inf] * 5)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(FNS))
def test_double_backward_at_y_inf_equals_torch(name):
    torch = pytest.importorskip("torch")
    fn, _ = FNS[name]
    ours = _grad_and_its_derivative(ag, fn, X_INF, Y_INF, V_INF)
    theirs = _grad_and_its_derivative(torch, fn, X_INF, Y_INF, V_INF)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
