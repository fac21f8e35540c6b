"""The leftovers of errs27's sweep (left28), each checked against torch 2.13: a Python float
meeting a float16 tensor rounded through float32 as ATen's casts round it (and float16
``arange`` as ATen's kernel computes it), batch_norm's weight and bias of any shape with C
elements, an integer tensor filled with a grad-requiring value (a kept difference), and a
node-class frontend honouring an error marked to come before the shapes. Torch-free tests
hold hand-worked bit patterns and wording; the ``torch_parity`` ones run the same calls in
both libraries."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.node import Node
from autograd_core.ops import registry


def _bits(t):
    return np.ascontiguousarray(t.detach().numpy()).tobytes()


# ---- 4. a node class's frontend honours before_shapes, as the shared wrapper does -------------

class _RefusesFirst(Node):
    """A stand-in elementwise op whose forward refuses its dtype ahead of the shapes."""

    def forward(self, a, b):
        raise registry.before_shapes(NotImplementedError("the dtype first"))


class _RefusesAfter(Node):
    def forward(self, a, b):
        raise NotImplementedError("the dtype after the shapes")


def test_node_class_frontend_honours_before_shapes():
    a, b = ag.ones(2), ag.ones(3)
    with pytest.raises(NotImplementedError, match="the dtype first"):  # was the shapes' error
        registry._frontend(_RefusesFirst, "refuses_first", elementwise=True)(a, b)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match"):
        registry._frontend(_RefusesAfter, "refuses_after", elementwise=True)(a, b)
    with pytest.raises(NotImplementedError, match="the dtype first"):  # the shared wrapper
        registry._broadcast_checked(lambda x, y: _RefusesFirst.apply(x, y), "first")(a, b)


# ---- 2. batch_norm reads a weight and bias of any shape with C elements, as PyTorch's ---------

def _batch_norm_outcomes(L, F):
    """Each case's forward values and its backward's gradients, or the error's type and words."""
    out = []
    shapes = [((3,), (3, 1)), ((3, 1), (3,)), ((1, 3), (1, 3)), (None, (1, 3, 1)),
              ((3, 1, 1), None), ((3,), (1, 3)), ((2, 2), (3,)), ((3,), (4,))]
    for training in (True, False):
        for ws, bs in shapes:
            for grads in ("x", "w", "b", "wb"):
                x = L.tensor(np.arange(60.0).reshape(4, 3, 5) % 7, requires_grad="x" in grads)
                w = None if ws is None else L.tensor(
                    np.linspace(0.5, 2, 3).reshape(ws) if np.prod(ws) == 3 else np.ones(ws),
                    requires_grad="w" in grads)
                b = None if bs is None else L.tensor(
                    np.linspace(-1, 1, int(np.prod(bs))).reshape(bs), requires_grad="b" in grads)
                try:
                    y = F.batch_norm(x, L.tensor([0.5, 1.0, 1.5]), L.tensor([1.0, 2.0, 0.5]),
                                     w, b, training=training)
                    row = [y.detach().numpy()]
                    if y.requires_grad:
                        (y * L.tensor(np.arange(60.0).reshape(4, 3, 5))).sum().backward()
                        row += [None if t is None or t.grad is None else t.grad.numpy()
                                for t in (x, w, b)]
                except RuntimeError as e:
                    row = [str(e)]
                out.append(row)
    return out


def test_batch_norm_weight_and_bias_of_another_shape():
    import nn.functional as F

    x = ag.tensor([[0.0, 1.0, 2.0], [2.0, 5.0, 4.0]])
    w = ag.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    b = ag.tensor([[0.5, 0.25, 0.0]], requires_grad=True)
    y = F.batch_norm(x, None, None, w, b, training=True, eps=0.0)
    assert y.tolist() == [[-0.5, -1.75, -3.0], [1.5, 2.25, 3.0]]  # was refused
    with pytest.raises(RuntimeError, match="^TensorAccessor expected 1 dims but tensor has 2$"):
        y.sum().backward()  # PyTorch's backward reads the weight as a vector
    y = F.batch_norm(x, None, None, None, b, training=True, eps=0.0)
    y.backward(ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert b.grad.shape == (1, 3) and b.grad.tolist() == [[5.0, 7.0, 9.0]]
    with pytest.raises(RuntimeError, match=r"invalid gradient at index 2 - got \[3\] but "
                                           r"expected shape compatible with \[3, 1\]"):
        F.batch_norm(x, None, None, None, w, training=True).sum().backward()
    with pytest.raises(RuntimeError, match="^Number of dimensions of repeat dims can not be "):
        F.instance_norm(ag.ones(2, 3, 4), weight=ag.ones(1, 3))


@pytest.mark.torch_parity
def test_batch_norm_parameter_shapes_are_pytorchs():
    torch = pytest.importorskip("torch")
    import nn.functional as F

    theirs, ours = _batch_norm_outcomes(torch, torch.nn.functional), _batch_norm_outcomes(ag, F)
    for k, (p, q) in enumerate(zip(theirs, ours)):
        assert len(p) == len(q), (k, p, q)
        for a, c in zip(p, q):
            if isinstance(a, str) or a is None:
                assert a == c, (k, a, c)
            else:
                np.testing.assert_allclose(c, a, rtol=1e-12, atol=1e-12, err_msg=str(k))
    for shape in ((3, 1), (1, 3), (2, 2)):
        for arg in ("weight", "bias", "running_mean", "running_var"):
            errs = []
            for L, G in ((torch, torch.nn.functional), (ag, F)):
                kw = {"weight": L.ones(3), "bias": L.zeros(3), "running_mean": L.zeros(3),
                      "running_var": L.ones(3), arg: L.ones(shape)}
                with pytest.raises(RuntimeError) as e:
                    G.instance_norm(L.ones(2, 3, 4), **kw)
                errs.append(str(e.value))
            assert errs[0] == errs[1], (shape, arg)


# ---- 3. a fill of an integer tensor with a grad-requiring value records nothing (DIFFERENCES) --

def _integer_fills(L):
    return {"masked_fill_": lambda x, v: x.masked_fill_(L.tensor([True, False, True]), v),
            "index_fill_": lambda x, v: x.index_fill_(0, L.tensor([1]), v),
            "fill_": lambda x, v: x.fill_(v)}


@pytest.mark.parametrize("name", ["masked_fill_", "index_fill_", "fill_"])
def test_integer_fill_with_a_grad_value_records_nothing(name):
    x, v = ag.tensor([1, 2, 3]), ag.tensor(2.5, requires_grad=True)
    _integer_fills(ag)[name](x, v)
    assert not x.requires_grad and x.grad_fn is None and x.dtype == ag.int64
    assert (x + 1).tolist() == {"masked_fill_": [3, 3, 3], "index_fill_": [2, 3, 4],
                                "fill_": [3, 3, 3]}[name]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["masked_fill_", "index_fill_", "fill_"])
def test_integer_fill_with_a_grad_value_still_poisons_the_tensor_in_torch(name):
    """The difference the test above keeps: if PyTorch stops recording the write (or lets the
    tensor be used), take the DIFFERENCES.md entry out."""
    torch = pytest.importorskip("torch")
    x, v = torch.tensor([1, 2, 3]), torch.tensor(2.5, requires_grad=True)
    _integer_fills(torch)[name](x, v)
    assert x.requires_grad and x.grad_fn is not None
    with pytest.raises(RuntimeError, match="Autograd not support dtype: Long"):
        x + 1


# ---- 1. a Python float meeting a float16 tensor: through float32, as PyTorch's casts ----------

NEAR_TIE = 21.0546875 - 2.0 ** -30  # just below the float16 midpoint of 21.046875 and 21.0625
# float32 rounds it onto the midpoint, which rounds to even: 21.0625 (numpy's one rounding of
# the double gave 21.046875); mul/div read it as the float32 21.0546875 itself


def test_a_float_meeting_float16_rounds_through_float32():
    import nn
    import nn.functional as F

    h = ag.float16
    low, high = 21.046875, 21.0625  # the two float16 values around NEAR_TIE
    z = ag.zeros(2, dtype=h)
    for y in (ag.full((2,), NEAR_TIE, dtype=h), ag.full_like(z, NEAR_TIE), z + NEAR_TIE,
              NEAR_TIE + z, NEAR_TIE - z, z.new_full((2,), NEAR_TIE), ag.where(z > 0, z, NEAR_TIE),
              ag.add(z, ag.ones(2, dtype=h), alpha=NEAR_TIE), ag.add(z, NEAR_TIE, alpha=1),
              z.scatter(0, ag.tensor([0, 1]), NEAR_TIE), nn.init.constant_(z.clone(), NEAR_TIE),
              ag.nan_to_num(ag.tensor([float("nan")] * 2, dtype=h), NEAR_TIE)):
        assert y.dtype == h and y.tolist() == [high, high]
    assert F.pad(z, (1, 0), value=NEAR_TIE).tolist() == [high, 0.0, 0.0]
    x = ag.tensor([low, high], dtype=h, requires_grad=True)
    assert (x == NEAR_TIE).tolist() == [False, True] and (x < NEAR_TIE).tolist() == [True, False]
    y = ag.clamp(x, min=NEAR_TIE)
    y.backward(ag.ones(2, dtype=h))
    assert y.tolist() == [high, high] and x.grad.tolist() == [0.0, 1.0]  # the mask: high only
    x.grad = None
    y = F.hardtanh(x, -30.0, NEAR_TIE)  # its backward compares in float32: high is outside
    y.backward(ag.ones(2, dtype=h))
    assert y.tolist() == [low, high] and x.grad.tolist() == [1.0, 0.0]
    assert F.threshold(x, NEAR_TIE, -1.0).tolist() == [-1.0, high]  # float32 too
    assert (x * NEAR_TIE).dtype == h  # (mul: the float32 number, unchanged)


def test_float32_compared_with_a_float64_0d_tensor_in_float32():
    v = 0.1 + 2.0 ** -40  # float32(v) == float32(0.1), below v in float64
    x = ag.tensor([np.float32(v)], requires_grad=True)
    b = ag.tensor(v, dtype=ag.float64, requires_grad=True)
    assert (x == b).tolist() == [True] and (b == x).tolist() == [True]  # was False (float64)
    assert (x < b).tolist() == [False] and (x == np.float64(v)).tolist() == [True]
    y = ag.clamp(x, min=b)  # the bound made float32 ties x: x keeps the gradient
    y.backward()
    assert y.dtype == ag.float32 and x.grad.tolist() == [1.0] and b.grad.item() == 0.0


def test_number_bounds_and_fills_refused_beyond_the_dtype_as_pytorch():
    import nn
    import nn.functional as F

    for call in (lambda: ag.ones(2, dtype=ag.float16) ** 70000,
                 lambda: F.pad(ag.ones(2, dtype=ag.float16), (1, 0), value=1e5),
                 lambda: F.pad(ag.ones(2), (1, 0), value=1e40),
                 lambda: nn.init.constant_(ag.ones(2, dtype=ag.float16), 1e5)):
        with pytest.raises(RuntimeError, match="value cannot be converted to type .* without "
                                               "overflow"):
            call()
    assert F.pad(ag.ones(2, dtype=ag.uint8), (1, 0), value=-1).tolist() == [255, 1, 1]


def _near_ties(n, seed=28):
    """float16 pairs ``(h, next h)`` and a double just off their midpoint (above or below):
    the double rounds to one of them through float32 and may round to the other directly."""
    rs = np.random.RandomState(seed)
    h = (rs.randn(n) * 4).astype(np.float16)
    h = np.abs(h[np.abs(h) > 0.01])
    up = np.nextafter(h, np.float16(np.inf))
    mid = (h.astype(np.float64) + up.astype(np.float64)) / 2
    return h, up, mid + np.where(rs.rand(len(h)) < 0.5, -1, 1) * mid * 2.0 ** -30


def _number_ops(L, F):
    return {
        "full": lambda x, v: L.full((2,), v, dtype=L.float16),
        "full_like": lambda x, v: L.full_like(x, v), "new_full": lambda x, v: x.new_full((2,), v),
        "where": lambda x, v: L.where(x > 0, x, v), "where_first": lambda x, v: L.where(x > 0, v, x),
        "clamp": lambda x, v: L.clamp(x, min=-v, max=v), "clamp_min": lambda x, v: L.clamp_min(x, v),
        "clamp_": lambda x, v: x.clone().clamp_(max=v), "add": lambda x, v: x + v,
        "clamp_0d": lambda x, v: L.clamp(x, min=L.tensor(v)),  # a float64 0-d bound
        "maximum_0d": lambda x, v: L.maximum(x, L.tensor(v)),
        "radd": lambda x, v: v + x, "sub": lambda x, v: x - v, "rsub": lambda x, v: v - x,
        "add_": lambda x, v: x.clone().add_(v), "add_alpha": lambda x, v: L.add(x, x.flip(0), alpha=v),
        "sub_alpha": lambda x, v: L.sub(x, v, alpha=3), "mul": lambda x, v: x * v,
        "div": lambda x, v: x / v, "rdiv": lambda x, v: v / x, "pow": lambda x, v: x ** v,
        "rpow": lambda x, v: v ** x, "pow_": lambda x, v: x.clone().pow_(v),
        "fmod": lambda x, v: L.fmod(x, v), "remainder": lambda x, v: L.remainder(x, v),
        "floor_divide": lambda x, v: L.floor_divide(x.detach(), v),
        "eq": lambda x, v: x == v, "ne": lambda x, v: x != v, "lt": lambda x, v: x < v,
        "le": lambda x, v: x <= v, "gt": lambda x, v: x > v, "ge": lambda x, v: x >= v,
        "eq_0d": lambda x, v: x == L.tensor(v), "fill_": lambda x, v: x.clone().fill_(v),
        "masked_fill": lambda x, v: x.masked_fill(x > 0, v),
        "index_fill": lambda x, v: x.index_fill(0, L.tensor([0, 2]), v),
        "setitem": lambda x, v: (lambda z: (z.__setitem__(slice(0, 2), v), z)[1])(x.clone()),
        "scatter": lambda x, v: x.scatter(0, L.tensor([1, 3]), v),
        "constant_": lambda x, v: L.nn.init.constant_(x.detach().clone(), v),
        "pad": lambda x, v: F.pad(x, (1, 1), value=v),
        "nan_to_num": lambda x, v: L.nan_to_num(x / x.sign().mul(x).sub(x.abs()), v, v, -v),
        "hardtanh": lambda x, v: F.hardtanh(x, -v, v), "threshold": lambda x, v: F.threshold(x, v, -v),
        "hardshrink": lambda x, v: F.hardshrink(x, v), "softshrink": lambda x, v: F.softshrink(x, v),
        "xlogy": lambda x, v: L.xlogy(x, v), "copysign": lambda x, v: L.copysign(x, -v),
        "addcmul": lambda x, v: L.addcmul(x, x, x, value=v),
        "addcdiv": lambda x, v: L.addcdiv(x, x, x.abs() + 10, value=v),
        "lerp": lambda x, v: L.lerp(x, x.flip(0), v), "sum_add": lambda x, v: x.sum() + v,
        "0d_rsub": lambda x, v: v - x[0],
    }


@pytest.mark.torch_parity
def test_float16_with_a_near_tie_number_is_bit_equal_to_torch():
    torch = pytest.importorskip("torch")
    import nn.functional as F

    h, up, vs = _near_ties(160)
    ours, theirs = _number_ops(ag, F), _number_ops(torch, torch.nn.functional)
    for name in ours:
        for i in range(len(vs)):
            got = []
            for L, ops in ((ag, ours), (torch, theirs)):
                x = L.tensor(np.array([h[i], up[i], -h[i], -up[i], 0.5, -3.0], np.float16),
                             requires_grad=True)
                y = ops[name](x, float(vs[i]))
                out = np.ascontiguousarray(y.detach().numpy())
                if name == "softshrink":  # (its zeros' signs: a listed difference)
                    out = out + np.float16(0)
                row = [str(y.dtype).split(".")[-1], out.tobytes()]
                if y.requires_grad:
                    y.backward(L.ones_like(y))
                    row.append(_bits(x.grad))
                got.append(row)
            assert got[0] == got[1], (name, float(vs[i]))


# ---- float16 arange as ATen's CPU kernel computes it (found by the creation sweep) ------------

def test_float16_arange_rounds_each_vector_base_to_float16():
    # the first 32 values are two vectors of 16, each from a float16 base: -3.3 is the float16
    # -3.30078125, and -3.30078125 + 0.37 (float32) = -2.9307812... rounds to -2.931640625;
    # the float64 value -2.93 rounded once gave -2.9296875. Value 32 on are each one
    # fma(0.37, i, -3.3) in float32, rounded to float16 (32 * 0.37 - 3.3 = 8.54 -> 8.5390625)
    y = ag.arange(-3.3, 40 * 0.37 - 3.3, 0.37, dtype=ag.float16)
    assert y.dtype == ag.float16 and y.shape == (40,)
    assert y.tolist()[:2] == [-3.30078125, -2.931640625] and y.tolist()[32] == 8.5390625


@pytest.mark.torch_parity
def test_float16_arange_is_bit_equal_to_torch():
    torch = pytest.importorskip("torch")
    rs = np.random.RandomState(7)
    cases = [(0, n, 1) for n in (1, 15, 16, 31, 32, 33, 64, 100, 1000)]
    for _ in range(300):
        step = float(abs(rs.randn()) + 0.01) * (1 if rs.rand() < 0.8 else -1)
        start = -step * rs.randint(1, 100) + float(rs.randn() * 1e-3) if rs.rand() < 0.5 else \
            float(rs.randn() * 5)
        cases.append((start, start + step * rs.randint(1, 200) + step * 0.5, step))
    for start, end, step in cases:
        ours = ag.arange(start, end, step, dtype=ag.float16)
        theirs = torch.arange(start, end, step, dtype=torch.float16)
        assert _bits(ours) == _bits(theirs), (start, end, step)
