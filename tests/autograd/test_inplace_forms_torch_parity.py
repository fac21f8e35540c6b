"""The in-place forms of PyTorch's elementwise, matrix and cumulative methods (``x.addcmul_``,
``x.lerp_``, ``x.floor_``, ``x.eq_``, ...): the same values and dtype as torch's, written into
the tensor itself. Hand-written optimizers and older tutorials use them
(``exp_avg_sq.mul_(b2).addcmul_(g, g, value=1 - b2)``, ``p.addcdiv_(m, denom, value=-lr)``)."""

import numpy as np
import pytest

import autograd_core as ag

X = np.array([[0.25, 0.75], [0.5, 0.125]])  # in (0, 1): every function is defined there
Y = np.array([[0.5, 0.25], [0.75, 0.5]])
INTS = np.array([[3, 12], [7, 10]])

# name -> (input, other arguments (arrays become tensors), keywords)
CASES = {n: (X, (), {}) for n in (
    "acos", "arccos", "asin", "arcsin", "atan", "arctan", "cosh", "sinh", "ceil", "floor",
    "round", "trunc", "fix", "frac", "erf", "erfc", "erfinv", "exp2", "expm1", "log10",
    "log2", "lgamma", "digamma", "logit", "reciprocal", "sgn", "sinc", "i0", "deg2rad", "rad2deg",
    "nan_to_num", "negative", "tril", "triu", "logical_not", "conj_physical")}
CASES.update({n: (X, (Y,), {}) for n in (
    "atan2", "arctan2", "hypot", "copysign", "fmod", "remainder", "floor_divide", "xlogy",
    "heaviside", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
    "divide", "true_divide", "multiply", "subtract", "igamma", "igammac")})
CASES.update({n: (INTS, (INTS[::-1].copy(),), {}) for n in (
    "bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm")})
CASES.update({
    "bitwise_not": (INTS, (), {}),
    "round": (X * 10, (), {"decimals": 1}),
    "lerp": (X, (Y, 0.3), {}),
    "addcmul": (X, (Y, X), {"value": -0.5}),
    "addcdiv": (X, (Y, X), {"value": 0.5}),
    "addmm": (X, (Y, X), {"beta": 0.5, "alpha": 2.0}),
    "addmv": (X[0].copy(), (Y, X[1].copy()), {}),
    "baddbmm": (X[None], (Y[None], X[None]), {}),
    "cumsum": (X, (1,), {}),
    "cumprod": (X, (0,), {}),
    "mvlgamma": (X + 2, (2,), {}),
    "subtract": (X, (Y,), {"alpha": 2.0}),
})


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(CASES))
def test_in_place_form_writes_what_torch_writes(name):
    torch = pytest.importorskip("torch")
    x, args, kwargs = CASES[name]
    ours = ag.tensor(x.copy())
    theirs = torch.tensor(x.copy())
    out = getattr(ours, name + "_")(*(ag.tensor(a) if isinstance(a, np.ndarray) else a
                                      for a in args), **kwargs)
    ref = getattr(theirs, name + "_")(*(torch.tensor(a) if isinstance(a, np.ndarray) else a
                                        for a in args), **kwargs)
    assert out is ours
    assert str(ours.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12, atol=1e-15, err_msg=name)


def test_hand_written_adam_step_with_in_place_forms():
    # one Adam step as hand-written optimizers write it, against the closed form
    p = ag.tensor([1.0, -2.0], dtype=ag.float64)
    g = ag.tensor([0.5, 0.25], dtype=ag.float64)
    m, v = ag.zeros(2, dtype=ag.float64), ag.zeros(2, dtype=ag.float64)
    b1, b2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    m.mul_(b1).add_(g, alpha=1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    denom = (v / (1 - b2)).sqrt().add_(eps)
    p.addcdiv_(m, denom, value=-lr / (1 - b1))
    gn = np.array([0.5, 0.25])
    np.testing.assert_allclose(p.numpy(), np.array([1.0, -2.0]) - lr * gn / (np.abs(gn) + eps),
                               rtol=1e-12)
    m2 = ag.zeros(2, dtype=ag.float64)
    assert m2.lerp_(g, 1 - b1) is m2
    np.testing.assert_allclose(m2.numpy(), (1 - b1) * gn, rtol=1e-15)


def test_in_place_form_keeps_autograd_rules():
    w = ag.tensor([0.5, 0.25], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.addcmul_(w, w)
    h = w * 2
    y = h.exp()  # saves its output
    y.floor_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    a = w * 1
    a.lerp_(w * 3, 0.5)  # a = w + 0.5 (3w - w) = 2w
    a.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2.0, 2.0])
