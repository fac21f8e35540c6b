"""Property-based tests over the whole op table (hypothesis): random shapes including 0-d,
empty and broadcast ones, float32 and float64, contiguous, transposed and negative-stride
inputs. For every op and draw:

* forward does not depend on the memory layout of its inputs (to rounding: numpy's vectorised
  loops for contiguous data and its pairwise sums round differently from strided ones);
* float32 forward agrees with float64 forward to float32 rounding;
* gradients agree with float64 central differences (gradcheck);
* an in-place change to an input after forward never gives a silently wrong gradient: backward
  either refuses (PyTorch's in-place error) or returns the gradient of the unchanged graph.

The example budget is the hypothesis profile's (conftest.py: "ci" by default, "thorough" with
HYPOTHESIS_PROFILE=thorough)."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.ops.registry import OPS

# ops whose samples index or concatenate along a fixed axis need at least one element there
NONEMPTY = {"getitem_slice", "getitem_int_array", "cat", "transpose", "repeat", "max",
            "max_dim", "min", "min_dim", "amax", "amin", "var", "std", "norm_inf",
            "clamp_tensor_bounds", "median", "median_dim", "kthvalue", "aminmax", "quantile",
            "quantile_dim", "nanquantile", "mode"}


def _values(shape, domain, rng, k=0):
    n = int(np.prod(shape))
    if domain == "positive":
        v = rng.uniform(0.2, 2.0, n)
    elif domain in ("away_from_zero",):
        v = rng.uniform(0.2, 1.5, n) * rng.choice([-1.0, 1.0], n)
    elif domain == "away_from_clamp":
        v = rng.choice([-1.0, 0.0, 1.0], n) + rng.uniform(-0.3, 0.3, n)
    elif domain == "distinct":
        v = rng.permutation(n) * 0.37 - n * 0.15 + 0.05 + 0.11 * k
    else:
        v = rng.standard_normal(n)
    return v.reshape(shape)


def _layout(arr, kind):
    """The same values in another memory layout (a view: strides change, values do not)."""
    if kind == "transposed" and arr.ndim >= 2:
        return np.ascontiguousarray(np.swapaxes(arr, -1, -2)).swapaxes(-1, -2)
    if kind == "reversed" and arr.ndim >= 1:
        return np.ascontiguousarray(arr[::-1])[::-1]
    return arr


@st.composite
def draws(draw, op):
    if op.shapes is not None:
        # fixed shapes (convolutions, pools, ...): only the layout and the values vary, so
        # two value seeds per layout exhaust the draws (six examples; a 3-d convolution's
        # gradcheck takes 0.6 s each)
        layout = draw(st.sampled_from(["contiguous", "transposed", "reversed"]))
        return list(op.shapes), layout, draw(st.sampled_from([0, 40961]))
    nd = draw(st.integers(max(op.min_ndim, 0), 3))
    min_side = 1 if op.name in NONEMPTY or op.domain == "min2" else 0
    shape = tuple(draw(st.integers(min_side, 3)) for _ in range(nd))
    if op.domain == "min2" and (not shape or shape[-1] < 2):
        shape = shape[:-1] + (2,) if shape else (2,)
    if op.broadcasts and op.n_inputs == 2:
        other = tuple(s if draw(st.booleans()) else 1 for s in shape)
        other = other[draw(st.integers(0, len(other))):]
        shapes = [shape, other] if draw(st.booleans()) else [other, shape]
    else:
        shapes = [shape] * op.n_inputs
    layout = draw(st.sampled_from(["contiguous", "transposed", "reversed"]))
    seed = draw(st.integers(0, 2**16))
    return shapes, layout, seed


def _inputs(op, shapes, seed, dtype, layout="contiguous"):
    rng = np.random.default_rng(seed)
    arrays = [_layout(_values(s, op.domain, rng, k).astype(dtype), layout)
              for k, s in enumerate(shapes)]
    return [ag.from_numpy(a).requires_grad_() for a in arrays]


def _run(op, tensors):
    with np.errstate(all="ignore"):
        return op.fn(*tensors)


UNARY_AND_BINARY = [op for op in OPS if op.n_inputs in (1, 2)]


@pytest.mark.parametrize("op", UNARY_AND_BINARY, ids=lambda o: o.name)
@given(data=st.data())
def test_forward_layout_invariant_and_dtype_consistent(op, data):
    shapes, layout, seed = data.draw(draws(op))
    base = _run(op, _inputs(op, shapes, seed, np.float64))
    moved = _run(op, _inputs(op, shapes, seed, np.float64, layout))
    m, b = moved.detach().numpy(), base.detach().numpy()
    assert m.shape == b.shape and m.dtype == b.dtype
    # a reduction's rounding error scales with the number and size of its terms
    sizes = [float(np.abs(x.data).max()) for x in _inputs(op, shapes, seed, np.float64)
             if x.numel()]
    scale = max([1.0] + sizes) * max([1] + [int(np.prod(s)) for s in shapes])
    np.testing.assert_allclose(m, b, rtol=1e-13, atol=1e-15 * scale, equal_nan=True)
    low = _run(op, _inputs(op, shapes, seed, np.float32))
    assert low.dtype == np.float32
    np.testing.assert_allclose(low.detach().numpy(), base.detach().numpy(), rtol=2e-5,
                               atol=2e-5)


@pytest.mark.parametrize("op", UNARY_AND_BINARY, ids=lambda o: o.name)
@given(data=st.data())
def test_gradients_match_finite_differences(op, data):
    shapes, layout, seed = data.draw(draws(op))
    tensors = _inputs(op, shapes, seed, np.float64, layout)
    assume(all(t.numel() for t in tensors))  # gradcheck needs an element to perturb
    assert ag.gradcheck(op.fn, tensors)


@pytest.mark.parametrize("op", UNARY_AND_BINARY, ids=lambda o: o.name)
@given(data=st.data())
def test_inplace_change_after_forward_is_never_silently_wrong(op, data):
    shapes, _, seed = data.draw(draws(op))
    which = data.draw(st.integers(0, op.n_inputs - 1))
    tensors = _inputs(op, shapes, seed, np.float64)
    out = _run(op, tensors)
    if not out.requires_grad:
        return
    g = np.random.default_rng(seed).standard_normal(out.shape)
    want = ag.grad(out, tensors, grad_outputs=[ag.tensor(g)], allow_unused=True,
                   retain_graph=True)
    with ag.no_grad():
        tensors[which].add_(0.25)  # after forward: whatever saved it must notice
    try:
        got = ag.grad(out, tensors, grad_outputs=[ag.tensor(g)], allow_unused=True)
    except RuntimeError as exc:
        assert "modified by an inplace operation" in str(exc)
        return
    for w, h in zip(want, got):
        if w is None:
            assert h is None
        else:
            np.testing.assert_array_equal(h.numpy(), w.numpy())
