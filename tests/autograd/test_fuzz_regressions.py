"""Differences from PyTorch 2.13 found by differential fuzzing (random chains of ops run in both
libraries), each minimized to a few lines. Expected values were checked by hand and against
torch 2.13; the torch_parity tests recompute them with live torch."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

NAN, INF = math.nan, math.inf


def _grad(fn, x, gradient=None):
    x = ag.tensor(np.array(x, dtype=np.float64), requires_grad=True)
    y = fn(x)
    if gradient is None:
        y.sum().backward()
    else:
        y.backward(ag.tensor(np.array(gradient, dtype=np.float64)))
    return x.grad.numpy()


# hardtanh's gradient is zero where x <= min_val or x >= max_val (PyTorch's
# hardtanh_backward); it was clamp's, which passes the gradient at the ends. relu6 and
# hardswish are built on it: hardswish's gradient is 0 at x = -3 and 1 at x = 3 in PyTorch.
ENDS = [
    ("hardtanh", lambda x: F.hardtanh(x), [-1.0, 1.0, 0.0, -2.0, 2.0, NAN],
     [0.0, 0.0, 1.0, 0.0, 0.0, 1.0]),
    ("hardtanh_range", lambda x: F.hardtanh(x, -3.0, 3.0), [-3.0, 3.0, 2.5], [0.0, 0.0, 1.0]),
    ("relu6", F.relu6, [0.0, 6.0, 3.0, -1.0, 7.0], [0.0, 0.0, 1.0, 0.0, 0.0]),
    ("hardswish", F.hardswish, [-3.0, 3.0, 0.0], [0.0, 1.0, 0.5]),
]


@pytest.mark.parametrize("name,fn,x,expected", ENDS, ids=[c[0] for c in ENDS])
def test_hardtanh_family_gradient_at_the_ends(name, fn, x, expected):
    np.testing.assert_array_equal(_grad(fn, x), expected)


def test_hardtanh_values_unchanged():
    x = ag.tensor([-2.0, -1.0, 0.25, 1.0, 5.0], requires_grad=True)
    np.testing.assert_array_equal(F.hardtanh(x).detach().numpy(), [-1.0, -1.0, 0.25, 1.0, 1.0])
    np.testing.assert_array_equal(F.relu6(x * 2).detach().numpy(), [0.0, 0.0, 0.5, 2.0, 6.0])


# A piecewise-constant op's gradient is zeros, whatever comes in: `floor(x).log1p()` at
# floor(x) = -1 sends -inf... inf back, and `g * 0` made NaN of it (PyTorch: 0).
ZERO_GRAD = [
    ("floor", ag.floor), ("ceil", ag.ceil), ("trunc", ag.trunc), ("round", ag.round),
    ("pow0", lambda x: x.pow(0)),
]


@pytest.mark.parametrize("name,fn", ZERO_GRAD, ids=[c[0] for c in ZERO_GRAD])
def test_zero_gradient_under_an_infinite_incoming_gradient(name, fn):
    x = [-0.5, 0.0, 1.5]
    gradient = [INF, -INF, NAN]
    np.testing.assert_array_equal(_grad(fn, x, gradient), [0.0, 0.0, 0.0])


def test_floor_then_log1p_backward_is_zero():
    x = ag.tensor([-0.5, -2.0, 1.5], requires_grad=True)
    x.floor().log1p().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", ENDS + [(n, f, [-0.5, 0.0, 1.5], None) for n, f in ZERO_GRAD],
                         ids=[c[0] for c in ENDS + ZERO_GRAD])
def test_fuzz_regressions_match_torch(case):
    torch = pytest.importorskip("torch")
    name, fn, x, _ = case
    tf = torch.nn.functional
    theirs = {
        "hardtanh": lambda t: tf.hardtanh(t), "hardtanh_range": lambda t: tf.hardtanh(t, -3.0, 3.0),
        "relu6": tf.relu6, "hardswish": tf.hardswish, "floor": torch.floor, "ceil": torch.ceil,
        "trunc": torch.trunc, "round": torch.round, "pow0": lambda t: t.pow(0),
    }[name]
    gradient = [INF, -INF, NAN] if name in dict(ZERO_GRAD) else None
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = theirs(t)
    if gradient is None:
        y.sum().backward()
    else:
        y.backward(torch.tensor(gradient, dtype=torch.float64))
    np.testing.assert_array_equal(_grad(fn, x, gradient), t.grad.numpy())


# A view taken before an in-place change of its base read the new values but kept its old
# grad_fn, through the base's old graph: a silently wrong gradient. PyTorch re-records the
# view from the base's new graph.
def _stale_view_program(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = x * 1
    v = b[1:]
    w = b.view(3)
    u = w.t()[::2]
    b.mul_(2)
    (v.sum() + w.sum() + 3 * u.sum()).backward()
    return x.grad


def test_view_of_a_base_changed_in_place_follows_the_new_graph():
    # d/dx of sum(2x[1:]) + sum(2x) + 3 * (2x[0] + 2x[2]) = [2 + 6, 2 + 2, 2 + 2 + 6]
    np.testing.assert_array_equal(_stale_view_program(ag).numpy(), [8.0, 4.0, 10.0])


def test_view_of_a_constant_base_gets_a_gradient_after_copy():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.zeros(2, 3)
    v = b.t()
    b.copy_(x.expand(2, 3))
    assert v.requires_grad
    (v * ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0 + 2.0, 3.0 + 4.0, 5.0 + 6.0])


def test_fill_of_a_base_cuts_its_views_gradient():
    x = ag.tensor([[1.0], [2.0]], requires_grad=True)
    b = x.expand(2, 3) * 1
    v = b[-1, ...]
    b.fill_(2.0)
    v.sum().backward()
    np.testing.assert_array_equal(v.detach().numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0], [0.0]])


def test_deep_copied_base_leaves_the_original_views_alone():
    import copy

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    d = ag.tensor([5.0, 6.0])
    v = d[1:]
    e = copy.deepcopy(d)
    e.mul_(x)
    assert not v.requires_grad and v.grad_fn is None


@pytest.mark.torch_parity
def test_stale_view_matches_torch():
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(_stale_view_program(ag).numpy(),
                                  _stale_view_program(torch).numpy())


# An integer for every dim gave numpy's scalar (a copy): `x[0].zero_()`, or a 1-d tensor's
# `unbind(0)[i].mul_(...)`, silently left x unchanged, and the result did not follow later
# in-place changes of x. PyTorch's is a 0-d view.
def test_full_integer_index_is_a_view():
    x = ag.tensor([2, 1])
    x[0].zero_()
    np.testing.assert_array_equal(x.numpy(), [0, 1])
    y = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    e = y[1, -1]
    u = y.view(-1).unbind(0)[1]
    y.mul_(10.0)
    assert e.item() == 40.0 and u.item() == 20.0
    u.add_(1.0)
    np.testing.assert_array_equal(y.numpy(), [[10.0, 21.0], [30.0, 40.0]])


def test_full_integer_index_of_a_parameter_under_no_grad():
    w = ag.zeros(3, requires_grad=True)
    with ag.no_grad():
        w[1].fill_(5.0)
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 5.0, 0.0])
    (w[1] * 2.0).backward()
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 2.0, 0.0])


# Integer and bool inputs of PyTorch's floating unary ops give float32: ours gave float64
# (int64) or float16 (bool: numpy's smallest float), and sigmoid/tanh refused them.
FLOAT_UNARY = ["exp", "log", "log1p", "sqrt", "sin", "cos", "rsqrt", "sigmoid", "tanh"]


def _np_ref(name, a):
    x = a.astype(np.float64)
    with np.errstate(divide="ignore"):
        return {"rsqrt": lambda: 1 / np.sqrt(x), "sigmoid": lambda: 1 / (1 + np.exp(-x))}.get(
            name, lambda: getattr(np, name)(x))()


@pytest.mark.parametrize("name", FLOAT_UNARY)
@pytest.mark.parametrize("dtype", [np.int64, np.bool_])
def test_integer_input_of_a_floating_unary_op_gives_float32(name, dtype):
    a = np.array([[1, 0], [3, 1]]).astype(dtype)
    for y in (getattr(ag, name)(ag.tensor(a)), getattr(ag.tensor(a), name)()):
        assert y.dtype == ag.float32
        np.testing.assert_allclose(y.numpy(), _np_ref(name, a), rtol=1e-6)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", FLOAT_UNARY)
@pytest.mark.parametrize("dtype", [np.int64, np.bool_])
def test_integer_input_of_a_floating_unary_op_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    a = np.array([[1, 0], [3, 1]]).astype(dtype)
    ours, theirs = getattr(ag, name)(ag.tensor(a)), getattr(torch, name)(torch.tensor(a))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# retain_grad() then an in-place change: PyTorch's .grad is that of the tensor's last value
# (the retention moves to the new grad_fn); ours stayed on the old node.
def _retained_after_inplace(m):
    x = m.tensor([-1.5, 2.5, -2.0], dtype=m.float64, requires_grad=True)
    y = m.msort(x)
    y.retain_grad()
    y.clamp_max_(2.0)
    y.log_()
    (y * m.tensor([0.25, 1.0, -1.5], dtype=m.float64)).sum().backward()
    return y.grad


def test_retained_grad_follows_in_place_changes():
    np.testing.assert_array_equal(_retained_after_inplace(ag).numpy(), [0.25, 1.0, -1.5])


def test_retain_grad_refused_without_requires_grad():
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has "
                                           "requires_grad=False"):
        ag.tensor([1.0]).retain_grad()


@pytest.mark.torch_parity
def test_retained_grad_after_inplace_matches_torch():
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(_retained_after_inplace(ag).numpy(),
                                  _retained_after_inplace(torch).numpy())
    with pytest.raises(RuntimeError) as theirs:
        torch.tensor([1.0]).retain_grad()
    with pytest.raises(RuntimeError) as ours:
        ag.tensor([1.0]).retain_grad()
    assert str(ours.value) == str(theirs.value)


# 0-d inputs: index_fill_ with an empty index filled anyway (a 0-d tensor's position tuple
# is (), the whole tensor), and index_copy wrote src + input * 0, NaN at a NaN or inf input.
def test_index_fill_of_a_0d_tensor_with_an_empty_index_changes_nothing():
    a = ag.tensor(False)
    a.index_fill_(0, ag.tensor(np.array([], dtype=np.int64)), True)
    assert a.item() is False
    b = ag.tensor(0.5)
    b.index_fill_(0, ag.tensor([0]), 1.0)
    assert b.item() == 1.0


@pytest.mark.parametrize("start", [NAN, INF, 0.5])
def test_index_copy_into_a_0d_tensor(start):
    a = ag.tensor(start, requires_grad=True)
    s = ag.tensor(-2.5, requires_grad=True)
    b = a.index_copy(0, ag.tensor([0]), s)
    b.backward()
    assert b.item() == -2.5 and a.grad.item() == 0.0 and s.grad.item() == 1.0


# An integer or bool tensor with a Python float: where(), clamp() and ** gave float64 (numpy's
# promotion); PyTorch's is the default float32. bool ** True stays bool (numpy: int8).
PROMOTION = [
    ("where", lambda m, x, b: m.where(x > 0, x, 3.25), "float32", [1.0, 3.25, 3.0]),
    ("where_first", lambda m, x, b: m.where(b, 2.5, x), "float32", [2.5, -2.0, 2.5]),
    ("where_int", lambda m, x, b: m.where(b, x, 2), "int64", [1, 2, 3]),
    ("clamp", lambda m, x, b: m.clamp(x, 0.5), "float32", [1.0, 0.5, 3.0]),
    ("clamp_max", lambda m, x, b: m.clamp(x, max=0.5), "float32", [0.5, -2.0, 0.5]),
    ("clamp_int", lambda m, x, b: m.clamp(x, 1), "int64", [1, 1, 3]),
    ("pow_float", lambda m, x, b: x ** 2.0, "float32", [1.0, 4.0, 9.0]),
    ("pow_bool_float", lambda m, x, b: b ** 2.0, "float32", [1.0, 0.0, 1.0]),
    ("pow_bool_bool", lambda m, x, b: b ** True, "bool", [True, False, True]),
    ("pow_int", lambda m, x, b: x ** 2, "int64", [1, 4, 9]),
]


def _promotion_inputs(m):
    return m.tensor(np.array([1, -2, 3])), m.tensor(np.array([True, False, True]))


@pytest.mark.parametrize("name,fn,dtype,values", PROMOTION, ids=[c[0] for c in PROMOTION])
def test_integer_tensor_and_python_float_promote_to_float32(name, fn, dtype, values):
    y = fn(ag, *_promotion_inputs(ag))
    assert str(y.dtype).split(".")[-1] == dtype
    np.testing.assert_array_equal(y.numpy(), values)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,fn,dtype,values", PROMOTION, ids=[c[0] for c in PROMOTION])
def test_integer_tensor_and_python_float_promotion_matches_torch(name, fn, dtype, values):
    torch = pytest.importorskip("torch")
    ours, theirs = fn(ag, *_promotion_inputs(ag)), fn(torch, *_promotion_inputs(torch))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# 0-d inputs: sort/msort/mode/cummax/gather of a 0-d bool gave int64 (they returned
# input * 1); cumprod/prod of a 0-d integer tensor raised IndexError.
ZERO_D = [
    ("sort", lambda m, b: m.sort(b, 0)[0], "bool", True),
    ("msort", lambda m, b: m.msort(b), "bool", True),
    ("mode", lambda m, b: m.mode(b, 0)[0], "bool", True),
    ("cummax", lambda m, b: m.cummax(b, 0)[0], "bool", True),
    ("gather", lambda m, b: m.gather(b, 0, m.tensor(0)), "bool", True),
    ("cumprod_int", lambda m, b: m.cumprod(b.long(), 0), "int64", 1),
    ("prod_int", lambda m, b: m.prod(b.long() * 3, 0), "int64", 3),
]


@pytest.mark.parametrize("name,fn,dtype,value", ZERO_D, ids=[c[0] for c in ZERO_D])
def test_0d_bool_and_int_inputs_keep_their_dtype(name, fn, dtype, value):
    y = fn(ag, ag.tensor(True))
    assert str(y.dtype).split(".")[-1] == dtype and y.shape == () and y.item() == value


def test_0d_sort_still_passes_the_gradient():
    x = ag.tensor(2.0, requires_grad=True)
    (ag.sort(x, 0)[0] * 3.0).backward()
    assert x.grad.item() == 3.0


def test_aminmax_over_a_dim_of_a_tensor_with_another_empty_dim():
    # PyTorch: (2, 0) reduced over dim 0 (size 2) gives empty (0,) results; only a reduction
    # over everything of an empty tensor has no identity
    mn, mx = ag.aminmax(ag.zeros(2, 0), dim=0)
    assert mn.shape == (0,) and mx.shape == (0,)
    with pytest.raises(RuntimeError, match="no identity"):
        ag.aminmax(ag.zeros(2, 0))


# Python's operators //, %, ^ and the reflected &, |, ^ were missing (TypeError), & and | ran
# numpy on the raw data (no dtype or shape checks), and ~ refused integer tensors.
OPERATORS = [
    ("floordiv", lambda m, x, b: x // 2, [0, -1, 1]),
    ("rfloordiv", lambda m, x, b: 7 // x, [7, -4, 2]),
    ("mod", lambda m, x, b: x % 2, [1, 0, 1]),
    ("rmod", lambda m, x, b: 7 % x, [0, -1, 1]),
    ("rmod_float", lambda m, x, b: 2.5 % x, [0.5, -1.5, 2.5]),
    ("xor", lambda m, x, b: x ^ 1, [0, -1, 2]),
    ("rxor_bool", lambda m, x, b: True ^ b, [False, True, False]),
    ("rand", lambda m, x, b: 3 & x, [1, 2, 3]),
    ("ror", lambda m, x, b: False | b, [True, False, True]),
    ("invert_int", lambda m, x, b: ~x, [-2, 1, -4]),
    ("invert_bool", lambda m, x, b: ~b, [False, True, False]),
]


@pytest.mark.parametrize("name,fn,expected", OPERATORS, ids=[c[0] for c in OPERATORS])
def test_python_operators(name, fn, expected):
    y = fn(ag, *_promotion_inputs(ag))
    np.testing.assert_array_equal(y.numpy(), expected)


def test_and_checks_shapes():
    with pytest.raises(RuntimeError, match="must match"):
        ag.tensor([True, False, True]) & ag.tensor([True, False])


def test_mod_is_differentiable():
    x = ag.tensor([5.0, -3.0], requires_grad=True)
    (x % 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,fn,expected", OPERATORS, ids=[c[0] for c in OPERATORS])
def test_python_operators_match_torch(name, fn, expected):
    torch = pytest.importorskip("torch")
    ours, theirs = fn(ag, *_promotion_inputs(ag)), fn(torch, *_promotion_inputs(torch))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# An integer tensor to a negative integer tensor: PyTorch computes it (1 and -1 keep their
# powers, any other base gives 0); ours raised a misleading broadcast error. A negative
# Python integer exponent is refused, with PyTorch's RuntimeError.
def test_integer_tensor_to_negative_integer_tensor_powers():
    a = ag.tensor([-3, -1, 0, 1, 2]).repeat_interleave(2)
    b = ag.tensor([-1, -2]).repeat(5)
    np.testing.assert_array_equal((a ** b).numpy(), [0, 0, -1, 1, 0, 0, 1, 1, 0, 0])
    np.testing.assert_array_equal((2 ** ag.tensor([-1, 2])).numpy(), [0, 4])
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        ag.tensor([1, 2]) ** -1


# flatten with start_dim == end_dim returns the input itself, as PyTorch's (its .grad is the
# leaf's); ours returned a view.
def test_flatten_of_one_dim_is_the_input():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert x.flatten() is x and ag.flatten(x, 0) is x
    y = ag.zeros(2, 3)
    assert y.flatten(1, 1) is y and y.flatten().shape == (6,)


# logsigmoid's gradient at x = 0 was 1 (clamp(x, max=0) passes all of it at the tie); the
# derivative there is sigmoid(0) = 0.5, as PyTorch's.
def test_logsigmoid_gradient_at_zero():
    np.testing.assert_allclose(_grad(F.logsigmoid, [0.0, -0.0, 2.0]),
                               [0.5, 0.5, 1.0 / (1.0 + math.exp(2.0))], rtol=1e-12)


@pytest.mark.torch_parity
def test_logsigmoid_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    x = [-20.0, -1.0, -0.0, 0.0, 1e-9, 0.5, 40.0]
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.logsigmoid(t).sum().backward()
    np.testing.assert_allclose(_grad(F.logsigmoid, x), t.grad.numpy(), rtol=1e-12)


def test_logsumexp_of_integers_and_bool_is_float32():
    # float64 (int64) and a numpy error (bool) before; PyTorch gives float32
    for x in (ag.tensor([1, 2]), ag.tensor([True, False])):
        y = ag.logsumexp(x, 0)
        assert y.dtype == ag.float32
        np.testing.assert_allclose(y.item(), np.log(np.exp(x.numpy().astype(float)).sum()),
                                   rtol=1e-6)


def test_softshrink_gradient_is_zero_inside_whatever_comes_in():
    # x - clamp(x) made inf - inf = NaN inside [-lambd, lambd] under an infinite gradient
    # (reached by softshrink -> tan -> digamma at 0); PyTorch's is 0 there
    x = [-3.0, -0.5, 0.0, 0.3, 0.5, 1.0]
    np.testing.assert_array_equal(_grad(lambda t: F.softshrink(t, 0.5), x, [INF] * 6),
                                  [INF, 0.0, 0.0, 0.0, 0.0, INF])
    np.testing.assert_array_equal(_grad(lambda t: F.softshrink(t, 0.5), x),
                                  [1.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    y = F.softshrink(ag.tensor([-3.0, 0.25, 1.0]), 0.5)
    np.testing.assert_array_equal(y.numpy(), [-2.5, 0.0, 0.5])


# rsqrt was x ** -0.5, which saved its input: an in-place change of the input after rsqrt made
# backward refuse where PyTorch's (saving the output) works; and rsqrt(-0.0) was +inf.
def test_rsqrt_saves_its_output():
    x = ag.tensor([0.5, 2.0], dtype=ag.float64, requires_grad=True)
    y = x * 1
    z = y.rsqrt()
    y.fill_(3.0)
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -0.5 * np.array([0.5, 2.0]) ** -1.5, rtol=1e-14)
    assert ag.gradcheck(ag.rsqrt, (ag.tensor([0.5, 2.0], dtype=ag.float64, requires_grad=True),))
    assert ag.rsqrt(ag.tensor(-0.0)).item() == -INF


# An in-place op whose result cannot be cast to the tensor's dtype leaked numpy's TypeError;
# PyTorch raises a RuntimeError before writing anything.
CAST_REFUSED = [
    ("exp_int", lambda m: m.tensor([1, 2]).exp_(), "Float", "Long"),
    ("add_bool", lambda m: m.tensor([True]).add_(1), "Long", "Bool"),
    ("add_float_to_int", lambda m: m.tensor([1]).add_(0.5), "Float", "Long"),
    ("mul_tensor", lambda m: m.tensor([1]).mul_(m.tensor([1.5])), "Float", "Long"),
]


@pytest.mark.parametrize("name,fn,res,out", CAST_REFUSED, ids=[c[0] for c in CAST_REFUSED])
def test_in_place_result_that_cannot_be_cast(name, fn, res, out):
    with pytest.raises(RuntimeError, match=f"result type {res} can't be cast to the desired "
                                           f"output type {out}"):
        fn(ag)


def test_in_place_cast_refusal_leaves_the_tensor_alone():
    x = ag.tensor([1, 2])
    with pytest.raises(RuntimeError):
        x.mul_(1.5)
    np.testing.assert_array_equal(x.numpy(), [1, 2])
    assert x._version == 0


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,fn,res,out", CAST_REFUSED, ids=[c[0] for c in CAST_REFUSED])
def test_in_place_cast_refusal_matches_torch(name, fn, res, out):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        fn(torch)
    with pytest.raises(RuntimeError) as ours:
        fn(ag)
    assert str(ours.value) == str(theirs.value)


# cat/stack promoted with numpy's rules (int64 with float32 gave float64); PyTorch's give
# float32.
@pytest.mark.parametrize("op", ["cat", "stack"])
@pytest.mark.parametrize("a,b,want", [(np.int64, np.float32, "float32"),
                                      (np.bool_, np.int64, "int64"),
                                      (np.float32, np.float64, "float64"),
                                      (np.uint8, np.int8, "int16")])
def test_cat_and_stack_promote_as_pytorch(op, a, b, want):
    y = getattr(ag, op)([ag.tensor(np.array([1, 0], dtype=a)), ag.tensor(np.array([2, 3],
                                                                                  dtype=b))])
    assert str(y.dtype).split(".")[-1] == want
    np.testing.assert_array_equal(y.numpy().ravel(), [1, 0, 2, 3])


# PyTorch's error types and words: mean of an integer tensor, clamp without bounds
@pytest.mark.parametrize("fn,match", [
    (lambda: ag.tensor([1]).mean(), "mean\\(\\): could not infer output dtype. Input dtype must "
                                    "be either a floating point or complex dtype. Got: Long"),
    (lambda: ag.mean(ag.tensor([True]), 0), "Got: Bool"),
    (lambda: ag.clamp(ag.tensor([1.0])), "torch.clamp: At least one of 'min' or 'max' must "
                                         "not be None"),
])
def test_error_types_as_pytorch(fn, match):
    with pytest.raises(RuntimeError, match=match):
        fn()


# var/std (and var_mean/std_mean) and norm of integer or bool tensors: PyTorch refuses them;
# ours silently computed in float64.
@pytest.mark.parametrize("fn,match", [
    (lambda: ag.tensor([1, 2]).var(), "std and var only support floating point and complex"),
    (lambda: ag.std(ag.tensor([True, False]), 0), "std and var only support floating point"),
    (lambda: ag.var_mean(ag.tensor([1, 2])), "var_mean only support floating point"),
    (lambda: ag.std_mean(ag.tensor([1, 2])), "std_mean only support floating point"),
    (lambda: ag.tensor([1, 2]).norm(), "linalg.vector_norm: Expected a floating point or complex "
                                       "tensor as input. Got Long"),
    (lambda: ag.norm(ag.tensor([True]), p=1), "Got Bool"),
])
def test_integer_inputs_refused_as_pytorch(fn, match):
    with pytest.raises(RuntimeError, match=match):
        fn()


# Subtracting or negating bool tensors: PyTorch refuses; ours computed ints/floats silently
# (bool - 1, 1.5 - mask) or leaked numpy's TypeError (mask - mask, -mask).
BOOL_SUB = [
    ("two_bools", lambda m: m.tensor([True]) - m.tensor([True])),
    ("bool_minus_int", lambda m: m.tensor([True]) - 1),
    ("int_minus_bool", lambda m: 1 - m.tensor([True])),
    ("float_minus_bool", lambda m: m.tensor([1.5]) - m.tensor([True])),
    ("float_minus_python_bool", lambda m: m.tensor([1.5]) - True),
    ("negate", lambda m: -m.tensor([True])),
]


@pytest.mark.parametrize("name,fn", BOOL_SUB, ids=[c[0] for c in BOOL_SUB])
def test_bool_subtraction_and_negation_refused(name, fn):
    with pytest.raises(RuntimeError, match="the `-` operator, (with|on) (a bool|two bool)"):
        fn(ag)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,fn", BOOL_SUB, ids=[c[0] for c in BOOL_SUB])
def test_bool_subtraction_and_negation_match_torch(name, fn):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        fn(torch)
    with pytest.raises(RuntimeError) as ours:
        fn(ag)
    assert str(ours.value) == str(theirs.value)
