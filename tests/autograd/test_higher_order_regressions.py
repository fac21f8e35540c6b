"""Higher-order gradients: which first gradients require grad under ``create_graph``, and the
second gradients they give (zeros, not None or an error), as PyTorch's; ``strict`` checks of
``autograd.functional`` in PyTorch's words; ``func.hessian`` of a function with several
outputs. Expected values are hand-worked (a rule that reads its input only through a mask has
a zero second derivative)."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from autograd_core.autograd import functional as AF

X = np.array([[-1.5, 0.5, 2.0, -0.25], [0.75, -2.0, 1.25, 3.0]])


def _x(a=X):
    return ag.tensor(a, requires_grad=True)


def _second(fn, *arrays):
    """``g`` = the first gradient of ``fn(*xs).sum()`` in ``xs[0]`` under create_graph, and the
    gradients of ``g.sum()`` in every input."""
    xs = [_x(a) for a in arrays]
    (g,) = ag.grad(fn(*xs).sum(), xs[0], create_graph=True)
    assert g.requires_grad, "the first gradient must record its dependence on the input"
    return g, ag.grad(g.sum(), xs, allow_unused=True)


PIECEWISE = {
    "relu": lambda x: ag.relu(x),
    "relu_method": lambda x: x.relu() * 3.0,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
    "abs": lambda x: x.abs(),
    "norm_p1": lambda x: ag.linalg.vector_norm(x, 1, dim=1),
    "norm_inf": lambda x: ag.linalg.vector_norm(x, math.inf),
    "norm_neg_inf": lambda x: ag.linalg.vector_norm(x, -math.inf, dim=0),
    "l1_loss": lambda x: F.l1_loss(x, ag.zeros(2, 4)),
    "max_pool2d": lambda x: F.max_pool2d(x.reshape(1, 1, 2, 4), 2),
    "max_pool1d": lambda x: F.max_pool1d(x.reshape(1, 2, 4), 2),
    "avg_pool2d": lambda x: F.avg_pool2d(x.reshape(1, 1, 2, 4), (1, 2)),
    "adaptive_avg_pool2d": lambda x: F.adaptive_avg_pool2d(x.reshape(1, 1, 2, 4), (1, 3)),
    "adaptive_max_pool1d": lambda x: F.adaptive_max_pool1d(x.reshape(1, 2, 4), 3),
    "nll_loss": lambda x: F.nll_loss(x, ag.tensor([1, 3])),
    "copysign": lambda x: ag.copysign(x, ag.tensor([[1.0], [-1.0]])),
    # composites here, one kernel reading x in PyTorch
    "hardtanh": lambda x: F.hardtanh(x, -1.0, 1.0),
    "relu6": lambda x: F.relu6(x * 4),
    "hardshrink": lambda x: F.hardshrink(x, 0.6),
    "softshrink": lambda x: F.softshrink(x, 0.6),
    "threshold": lambda x: F.threshold(x, 0.6, -3.0),
    "rrelu_eval": lambda x: F.rrelu(x, training=False),
    "pad_reflect": lambda x: F.pad(x.reshape(1, 2, 4), (2, 1), mode="reflect"),
    "pad_replicate": lambda x: F.pad(x.reshape(1, 1, 2, 4), (1, 2, 1, 0), mode="replicate"),
}


@pytest.mark.parametrize("name", sorted(PIECEWISE))
def test_piecewise_linear_first_gradient_requires_grad_and_second_is_zero(name):
    # before: g did not require grad, and grad(g.sum(), x) raised
    g, (h,) = _second(PIECEWISE[name], X)
    np.testing.assert_array_equal(h.numpy(), np.zeros_like(X))


def test_relu_first_gradient_values_unchanged():
    g, _ = _second(ag.relu, X)
    np.testing.assert_array_equal(g.detach().numpy(), (X > 0).astype(float))


def test_composite_values_and_first_gradients_unchanged():
    x = _x()
    y = F.hardtanh(x, -1.0, 1.0)
    np.testing.assert_array_equal(y.detach().numpy(), np.clip(X, -1.0, 1.0))
    assert y.grad_fn.name() == "HardtanhBackward0"  # PyTorch's name
    (g,) = ag.grad(y.sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), (np.abs(X) < 1.0).astype(float))
    p = F.pad(x.reshape(1, 2, 4), (2, 1), mode="reflect")
    np.testing.assert_array_equal(p.detach().numpy()[0], np.pad(X, ((0, 0), (2, 1)), "reflect"))
    assert p.grad_fn.name() == "ReflectionPad1DBackward0"
    (g,) = ag.grad(p.sum(), x)  # reflected columns count twice
    np.testing.assert_array_equal(g.numpy(), np.array([[1.0, 2.0, 3.0, 1.0]] * 2))


def test_an_adaptive_average_to_one_is_a_mean_whose_gradient_reads_no_input():
    # PyTorch computes an output of ones as a mean: its first gradient does not require grad
    x = _x()
    (g,) = ag.grad(F.adaptive_avg_pool2d(x.reshape(1, 1, 2, 4), 1).sum(), x,
                   create_graph=True)
    assert not g.requires_grad
    np.testing.assert_allclose(g.numpy(), np.full_like(X, 1 / 8))


def test_prelu_cross_second_derivatives_are_zeros_not_none():
    x, w = _x(), ag.tensor([0.25], requires_grad=True)
    gx, gw = ag.grad(F.prelu(x, w).sum(), [x, w], create_graph=True)
    hxx, hxw = ag.grad(gx.sum(), [x, w], allow_unused=True)
    hwx, hww = ag.grad(gw.sum(), [x, w], allow_unused=True)
    neg = (X < 0).astype(float)
    np.testing.assert_array_equal(hxx.numpy(), np.zeros_like(X))  # before: None
    np.testing.assert_array_equal(hxw.numpy(), [neg.sum()])  # d/dw sum(w g where x < 0)
    np.testing.assert_array_equal(hwx.numpy(), neg)
    np.testing.assert_array_equal(hww.numpy(), [0.0])  # before: None


def test_copysign_gradient_in_other_is_zeros_even_at_an_infinite_gradient():
    a, b = _x(), _x(-X)
    (gb,) = ag.grad(ag.copysign(a, b), b, ag.full((2, 4), math.inf))
    np.testing.assert_array_equal(gb.numpy(), np.zeros_like(X))  # before: inf * 0 = NaN


def test_abs_of_bool_is_refused_as_pytorch_does():
    # abs saved sign(x) in forward, which numpy refused for bools; it now saves x
    with pytest.raises(NotImplementedError, match="\"abs_cpu\" not implemented for 'Bool'"):
        ag.abs(ag.tensor([True, False]))


def test_norm_zero_has_no_gradient():
    x = _x()
    ag.linalg.vector_norm(x, 0).backward()
    assert x.grad is None  # before: zeros (PyTorch's gradient is undefined)
    (g,) = ag.grad(ag.linalg.vector_norm(_x(), 0), _x(), allow_unused=True)
    assert g is None


def test_the_derivative_of_a_masked_gradient_in_its_incoming_gradient_reads_the_input():
    # H[x][y] of sum(relu(x) * y) is diag(x > 0), a function of x (PyTorch's
    # threshold_backward(gg, x)): it requires grad, and its derivative in x is zero
    x, y = _x(), _x(X + 1)
    (gx,) = ag.grad((ag.relu(x) * y).sum(), x, create_graph=True)
    (hxy,) = ag.grad(gx, y, ag.ones(2, 4), create_graph=True)
    np.testing.assert_array_equal(hxy.detach().numpy(), (X > 0).astype(float))
    assert hxy.requires_grad  # before: False
    (third,) = ag.grad(hxy.sum(), x)
    np.testing.assert_array_equal(third.numpy(), np.zeros_like(X))


def test_hessian_of_a_relu_network_in_its_input_is_zeros():
    w = ag.tensor([[1.0, -2.0, 0.5, 1.5], [0.25, 1.0, -1.0, 2.0]])

    def f(x):
        return ag.relu(x @ w.T).sum()

    h = AF.hessian(f, ag.tensor([0.5, -0.25, 1.0, 2.0]), strict=True)  # before: raised
    np.testing.assert_array_equal(h.numpy(), np.zeros((4, 4)))


def test_materialized_zeros_require_grad_under_create_graph():
    x, y = _x(), _x()
    gx, gy = ag.grad((x * x).sum(), [x, y], materialize_grads=True, create_graph=True)
    assert gx.requires_grad and gy.requires_grad  # PyTorch's; gy was a constant
    np.testing.assert_array_equal(gy.detach().numpy(), np.zeros_like(X))
    _, gy = ag.grad((x * x).sum(), [x, y], materialize_grads=True)
    assert not gy.requires_grad


# ---- autograd.functional's strict checks, in PyTorch's words --------------------------------
def _raises(match, fn, *args, **kwargs):
    with pytest.raises(RuntimeError) as info:
        fn(*args, **kwargs)
    assert str(info.value) == match


def test_strict_output_that_does_not_require_grad():
    _raises("Output 0 of the user-provided function does not require gradients. The outputs "
            "must be computed in a differentiable manner from the input when running in strict "
            "mode.", AF.jacobian, lambda x: ag.ones(3), ag.ones(3), strict=True)


def test_strict_linear_function_hessian():
    _raises("While computing the hessian, found that the jacobian of the user-provided "
            "function with respect to input 0 is independent of the input. This is not allowed "
            "in strict mode. You should ensure that your function is twice differentiable and "
            "that the jacobian depends on the inputs (this would be violated by a linear "
            "function for example).", AF.hessian, lambda x: (x * 3).sum(), ag.ones(3),
            strict=True)


def test_strict_create_graph_jacobian_of_a_linear_function():
    # before: returned, though the Jacobian cannot be differentiated
    _raises("The jacobian of the user-provided function is independent of input 0. This is "
            "not allowed in strict mode when create_graph=True.", AF.vjp,
            lambda x: (x * 3).sum(), ag.ones(3), strict=True, create_graph=True)


def test_strict_hvp_of_a_piecewise_linear_function():
    # PyTorch's double-backward trick finds the Hessian independent of the grad_jacobian
    _raises("The hessian of the user-provided function is independent of entry 0 in the "
            "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
            "double backward trick to replace forward mode AD.", AF.hvp,
            lambda x: ag.relu(x).sum(), ag.tensor([1.0, -2.0]), ag.ones(2), strict=True)


def test_strict_unused_input_and_v_size():
    _raises("The output of the user-provided function is independent of input 1. This is not "
            "allowed in strict mode.", AF.vjp, lambda x, y: x * 2, (ag.ones(2), ag.ones(2)),
            ag.ones(2), strict=True)
    _raises("Entry 1 in v has invalid size: should be autograd_core.Size([2]) but got "
            "autograd_core.Size([3]).", AF.jvp, lambda x, y: x * y, (ag.ones(2), ag.ones(2)),
            (ag.ones(2), ag.ones(3)))


def test_hvp_create_graph_of_a_piecewise_linear_function_does_not_require_grad():
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    _, hv = AF.hvp(lambda t: ag.relu(t).sum(), x, ag.ones(2), create_graph=True)
    assert not hv.requires_grad  # PyTorch's: zeros with no graph
    np.testing.assert_array_equal(hv.numpy(), [0.0, 0.0])


def test_vectorize_with_strict_is_refused():
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True` are not "):
        AF.jacobian(lambda x: x * x, ag.ones(2), strict=True, vectorize=True)


def test_a_list_of_inputs_is_refused_as_pytorch_does():
    with pytest.raises(TypeError, match="given inputs has type <class 'list'>"):
        AF.jacobian(lambda x: x * x, [ag.ones(2)])


# ---- func ------------------------------------------------------------------------------------
def test_func_hessian_of_a_function_with_two_outputs():
    # before: TypeError (jacrev's nested output reached jacobian as a tuple of tuples)
    def f(x):
        return (x ** 3).sum(), (x * x).sum()

    x = ag.tensor([1.0, 2.0])
    h = ag.func.hessian(f, argnums=(0,))(x)
    assert isinstance(h, tuple) and len(h) == 2
    np.testing.assert_array_equal(h[0][0][0].numpy(), np.diag([6.0, 12.0]))
    np.testing.assert_array_equal(h[1][0][0].numpy(), np.diag([2.0, 2.0]))


def test_the_derivative_in_the_incoming_gradient_reads_the_input_only_for_elementwise_rules():
    # jvp by double backward differentiates a first gradient in its incoming gradient:
    # relu's (threshold_backward(gg, x)) reads x, max pooling's (a gather at the indices)
    # and nll_loss's do not, as in PyTorch
    x = ag.tensor(X)
    _, jv = AF.jvp(ag.relu, x, ag.ones(2, 4), create_graph=True)
    assert jv.requires_grad
    x4 = ag.tensor(X.reshape(1, 1, 2, 4))
    _, jv = AF.jvp(lambda t: F.max_pool2d(t, 2), x4, ag.ones(1, 1, 2, 4), create_graph=True)
    assert not jv.requires_grad  # before: True
    np.testing.assert_array_equal(jv.numpy(), [[[[1.0, 1.0]]]])
    _, jv = AF.jvp(lambda t: F.pad(t, (1, 1, 1, 1), mode="reflect"), x4, ag.ones(1, 1, 2, 4),
                   create_graph=True)
    assert not jv.requires_grad


@pytest.mark.parametrize("power, expected", [
    # d^k/dx^k of sum(x ** p) at x = [1, 2], summed, as (value, requires_grad) per order;
    # PyTorch's grad * (p * x.pow(p - 1)) keeps every order in the graph until p - k = 0
    (1, [(2.0, True), (0.0, False)]),
    (2, [(6.0, True), (4.0, True), (0.0, False)]),
    (3, [(15.0, True), (18.0, True), (12.0, True), (0.0, False)]),
])
def test_a_power_s_derivatives_stay_in_the_graph_until_the_exponent_is_spent(power, expected):
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    g = (x ** power).sum()
    got = []
    for _ in expected:
        g = ag.grad(g, x, create_graph=True)[0].sum()
        got.append((float(g.detach()), g.requires_grad))
    assert got == expected
