"""gradcheck and gradgradcheck (float64 central differences) for every op in the registry,
over hypothesis-drawn shapes: 0-d, size-1 dims, broadcasting pairs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.ops.registry import OPS, BY_NAME


def _make_inputs(op, shapes, seed):
    rng = np.random.default_rng(seed)
    out = []
    for k, shape in enumerate(shapes):
        out.append(ag.tensor(op.draw(shape, rng, k), dtype=np.float64, requires_grad=True))
    return out


shape_st = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)

UNARY = [op for op in OPS if op.n_inputs == 1]
BINARY_BCAST = [op for op in OPS if op.n_inputs == 2 and op.broadcasts]
BINARY_SAME = [op for op in OPS if op.n_inputs == 2 and not op.broadcasts and op.name != "matmul"]


def _shape_ok(op, shape):
    if len(shape) < op.min_ndim:
        return False
    if op.domain == "min2" and (not shape or shape[-1] < 2):
        return False
    return True


@pytest.mark.parametrize("op", UNARY, ids=lambda o: o.name)
@given(shape=shape_st, seed=st.integers(0, 2**16))
def test_unary_gradcheck(op, shape, seed):
    if not _shape_ok(op, shape):
        shape = (2,) * max(op.min_ndim, 1)
    (x,) = _make_inputs(op, [shape], seed)
    assert ag.gradcheck(op.fn, (x,))
    if op.twice:
        assert ag.gradgradcheck(op.fn, (x,))


@pytest.mark.parametrize("op", BINARY_BCAST, ids=lambda o: o.name)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                max_side=3), seed=st.integers(0, 2**16))
def test_binary_broadcast_gradcheck(op, shapes, seed):
    a, b = _make_inputs(op, shapes.input_shapes, seed)
    assert ag.gradcheck(op.fn, (a, b))
    assert ag.gradgradcheck(op.fn, (a, b))
    # the gradient of each operand has the operand's shape (broadcasting undone)
    op.fn(a, b).sum().backward()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


@pytest.mark.parametrize("op", BINARY_SAME, ids=lambda o: o.name)
@given(shape=shape_st, seed=st.integers(0, 2**16))
def test_binary_same_shape_gradcheck(op, shape, seed):
    if not _shape_ok(op, shape):
        shape = (2,)
    a, b = _make_inputs(op, [shape, shape], seed)
    assert ag.gradcheck(op.fn, (a, b))
    assert ag.gradgradcheck(op.fn, (a, b))


@st.composite
def matmul_shapes(draw):
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    kind = draw(st.sampled_from(["mm", "mv", "vm", "vv", "batched", "broadcast"]))
    if kind == "mm":
        return (m, k), (k, n)
    if kind == "mv":
        return (m, k), (k,)
    if kind == "vm":
        return (k,), (k, n)
    if kind == "vv":
        return (k,), (k,)
    b = draw(st.integers(1, 3))
    if kind == "batched":
        return (b, m, k), (b, k, n)
    return (b, 1, m, k), (2, k, n)


@given(shapes=matmul_shapes(), seed=st.integers(0, 2**16))
def test_matmul_gradcheck(shapes, seed):
    op = BY_NAME["matmul"]
    a, b = _make_inputs(op, shapes, seed)
    assert ag.gradcheck(op.fn, (a, b))
    assert ag.gradgradcheck(op.fn, (a, b))
    assert np.allclose((a @ b).data, np.matmul(a.data, b.data))


def test_registry_covers_the_public_contract():
    """Every differentiable op that shared/API.md lists for autograd_core is in the registry
    (and therefore gradchecked above)."""
    contract = ["+", "-", "*", "/", "**", "@", "unary -", "exp", "log", "sqrt", "abs", "sin",
                "cos", "tanh", "sigmoid", "relu", "clamp", "maximum", "minimum", "where", "sum",
                "mean", "var", "std", "max", "min", "logsumexp", "softmax", "log_softmax",
                "reshape", "view", "flatten", "transpose", "permute", "T", "unsqueeze",
                "squeeze", "expand", "cat", "stack", "matmul", "getitem_int_array",
                "getitem_mask", "getitem_slice"]
    names = set(BY_NAME) | {a for op in OPS for a in op.aliases}
    missing = [c for c in contract if c not in names]
    assert not missing, missing


def test_gradcheck_detects_a_wrong_gradient():
    """gradcheck must be able to fail: a Function with a deliberately wrong backward."""

    class WrongSquare(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x * 3.0  # should be 2x

    x = ag.tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    with pytest.raises(ag.GradcheckError) as info:
        ag.gradcheck(WrongSquare.apply, (x,))
    msg = str(info.value)
    assert "input 0" in msg and "element (0,)" in msg and "analytical" in msg
    assert not ag.gradcheck(WrongSquare.apply, (x,), raise_exception=False)


def test_gradgradcheck_detects_a_wrong_second_derivative():
    """A Function whose first derivative is right but is not differentiable correctly."""

    class Cube(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * (3.0 * x.data ** 2)  # right values, but cut from the graph (.data)

    x = ag.tensor(np.array([0.5, -1.5]), requires_grad=True)
    assert ag.gradcheck(Cube.apply, (x,))
    with pytest.raises(ag.GradcheckError):
        ag.gradgradcheck(Cube.apply, (x,))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", [o for o in OPS if o.name != "matmul"], ids=lambda o: o.name)
def test_plain_and_create_graph_backward_agree(op, dtype):
    """Plain backward runs the fused/raw rules; create_graph runs the composite ones. Both must
    give the same first derivative (float32 within rounding)."""
    shape = (3, 4)
    inputs = _make_inputs(op, [shape] * op.n_inputs, seed=7)
    inputs = [ag.tensor(t.detach().numpy().astype(dtype), requires_grad=True) for t in inputs]
    rng = np.random.default_rng(1)
    out = op.fn(*inputs)
    v = rng.standard_normal(out.shape).astype(dtype)
    plain = ag.grad(out, inputs, grad_outputs=[v], retain_graph=True)
    composite = ag.grad(out, inputs, grad_outputs=[v], create_graph=True)
    for p, c in zip(plain, composite):
        assert p.dtype == dtype and c.dtype == dtype
        tol = 1e-12 if dtype == np.float64 else 2e-6
        np.testing.assert_allclose(p.data, c.data, rtol=tol, atol=tol)
