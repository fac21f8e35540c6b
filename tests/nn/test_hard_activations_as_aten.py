"""hardswish and hardsigmoid as single nodes with ATen's derivatives (they were composed of
ops: 38% / 20% of float32 gradients 1 ulp off PyTorch's)."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


def test_derivatives_at_the_kinks_and_inside_are_atens_by_hand():
    x = ag.tensor([-4.0, -3.0, 0.0, 1.5, 3.0, 4.0], dtype=ag.float64, requires_grad=True)
    F.hardswish(x).sum().backward()
    # 0 at and below -3, x / 3 + 0.5 inside, 1 at and above 3
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.5, 1.0, 1.0, 1.0])
    x.grad = None
    F.hardsigmoid(x).sum().backward()  # 1/6 rounded to float32 strictly inside (ATen's)
    s = float(np.float32(1 / 6))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, s, s, 0.0, 0.0])
    n = ag.tensor([float("nan")], requires_grad=True)  # NaN fails every comparison: ATen's
    F.hardswish(n).backward(ag.tensor([2.0]))  # last branch, the incoming gradient
    assert n.grad.item() == 2.0


def test_float32_gradient_is_one_rounding_of_atens_formula():
    x = np.linspace(-2.9, 2.9, 1001, dtype=np.float32)
    g = np.cos(np.arange(1001, dtype=np.float32))
    t = ag.tensor(x, requires_grad=True)
    F.hardswish(t).backward(ag.tensor(g))
    np.testing.assert_array_equal(t.grad.numpy(), g * (x / np.float32(3) + np.float32(0.5)))


def test_second_derivative_of_hardswish_is_a_third_on_the_open_interval():
    x = ag.tensor([-3.0, -1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad(F.hardswish(x).sum(), x, create_graph=True)
    (gg,) = ag.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [0.0, 1 / 3, 1 / 3, 0.0], rtol=1e-15)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["hardswish", "hardsigmoid"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_values_and_gradients_bit_equal_torch(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = np.concatenate([[-4, -3, 0, 3, 4], rng.uniform(-5, 5, 20000)]).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    ours, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yt = getattr(F, name)(ours), getattr(torch.nn.functional, name)(theirs)
    ya.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy())
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    assert ya.grad_fn.name() == yt.grad_fn.name()


@pytest.mark.parametrize("inplace", [False, True])
def test_second_derivative_of_hardsigmoid_raises_as_atens(inplace):
    # PyTorch's hardsigmoid_backward has no derivative: a second gradient raises, in x and in
    # the incoming gradient (it was a silent 0)
    x = ag.tensor([-1.0, 0.5, 4.0], dtype=ag.float64, requires_grad=True)
    v = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    y = F.hardsigmoid(x * 1, inplace=True) if inplace else F.hardsigmoid(x)
    (g,) = ag.autograd.grad(y, x, v, create_graph=True)
    s = float(np.float32(1 / 6))
    np.testing.assert_array_equal(g.detach().numpy(), [s, 2 * s, 0.0])  # first one unchanged
    assert g.requires_grad and (inplace or g.grad_fn.name() == "NotImplemented")
    for wrt in (x, v):
        with pytest.raises(RuntimeError,
                           match="derivative for aten::hardsigmoid_backward is not implemented"):
            ag.autograd.grad(g.sum(), wrt, retain_graph=True)


def test_forward_mode_derivative_of_hardsigmoid_still_works():
    # PyTorch's forward AD has hardsigmoid's own formula; here it is the first gradient's
    # derivative in the incoming gradient, which the refusal above must leave alone
    x = ag.tensor([-4.0, -1.0, 0.5, 4.0], dtype=ag.float64)
    v = ag.tensor([1.0, 2.0, 3.0, 4.0], dtype=ag.float64)
    s = float(np.float32(1 / 6))
    _, t = ag.func.jvp(F.hardsigmoid, (x,), (v,))
    np.testing.assert_array_equal(t.numpy(), [0.0, 2 * s, 3 * s, 0.0])
    import autograd_core.autograd.forward_ad as fwAD
    with fwAD.dual_level():
        y = F.hardsigmoid(fwAD.make_dual(x, v))
        np.testing.assert_array_equal(fwAD.unpack_dual(y).tangent.numpy(), t.numpy())
