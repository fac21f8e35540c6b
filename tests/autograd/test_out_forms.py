"""The out= forms every op declaration gives (``Node.forward_out``/``backward_out``, what a
captured step will replay into preallocated arrays) equal the ordinary forward and backward bit
for bit, for every op in the table, generically: a new op is covered without a test edit."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.node import Node, edges_of, sum_to_shape
from autograd_core.ops.binary import Add, Div, Mul, Sub
from autograd_core.tensor import Tensor
from autograd_core.ops.registry import OPS


def _inputs(sample, dtype, rng):
    out = []
    shapes = sample.shapes or [(3, 4)] * sample.n_inputs
    for k, shape in enumerate(shapes):
        n = int(np.prod(shape))
        if sample.domain == "positive":
            v = rng.uniform(0.2, 2.0, shape)
        elif sample.domain in ("away_from_zero", "away_from_clamp"):
            v = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
        elif sample.domain == "distinct":
            v = rng.permutation(n).reshape(shape) * 0.37 - 1.7 + 0.11 * k
        else:
            v = rng.standard_normal(shape)
        out.append(ag.tensor(v.astype(dtype), requires_grad=True))
    return out


def _node_classes(cls=Node):
    for sub in cls.__subclasses__():
        yield sub
        yield from _node_classes(sub)


@pytest.fixture
def recorded(monkeypatch):
    """Every node's forward call while a sample runs: (node, arrays, params, forward's result)."""
    calls = []
    for cls in set(_node_classes()):
        if "forward" not in cls.__dict__:
            continue

        def tracing(self, *arrays, _forward=cls.__dict__["forward"], **params):
            result = _forward(self, *arrays, **params)
            calls.append((self, arrays, params, result))
            return result

        monkeypatch.setattr(cls, "forward", tracing)
    # x + y and friends record without calling forward (node.operator): here through apply
    for name, cls in (("__add__", Add), ("__sub__", Sub), ("__mul__", Mul), ("__truediv__", Div)):
        monkeypatch.setattr(Tensor, name, lambda self, other, _apply=cls.apply: _apply(self, other))
    return calls


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sample", OPS, ids=lambda s: s.name)
def test_out_forms_equal_the_ordinary_forms(sample, dtype, recorded):
    rng = np.random.default_rng(11)
    inputs = _inputs(sample, dtype, rng)
    output = sample.fn(*inputs)
    checked = 0
    for node, arrays, kwargs, result in recorded:
        cls = type(node)
        if cls.n_outputs != 1 or not hasattr(node, "next"):
            continue  # multi-output, or not recorded (nothing required grad): nothing to replay
        result = np.asarray(result)
        fresh = object.__new__(cls)
        fresh.needs_input_grad = node.needs_input_grad
        buf = np.full(result.shape, np.nan, result.dtype)
        assert fresh.forward_out(*arrays, out=buf, **kwargs) is buf
        np.testing.assert_array_equal(buf, result, err_msg=f"{cls.__name__} forward_out")

        fresh._saved = fresh._to_save  # plain backward reads the arrays it saved
        g = rng.standard_normal(result.shape).astype(result.dtype)
        edges = edges_of(node)
        outs = [None if e is None else np.full(e[2], np.nan, e[3]) for e in edges]
        fresh.backward_out([g], outs)
        want = node.plain_backward(g)
        for o, w, e in zip(outs, want, edges):
            if o is None or w is None:
                continue
            w = sum_to_shape(np.asarray(w), e[2]).astype(e[3], copy=False)  # as the engine
            # casts a rule's gradient to its input's dtype (Var of float32 gives float64)
            np.testing.assert_array_equal(o, w, err_msg=f"{cls.__name__} backward_out")
        checked += 1
    # no node at all only where the op returned its input unchanged (squeeze of no size-1 dim)
    assert checked or any(output is t for t in inputs), f"{sample.name}: nothing replayed"
