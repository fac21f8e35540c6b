"""The leftovers of errs27's sweep (left28), each checked against torch 2.13: a Python float
meeting a float16 tensor rounded through float32 as ATen's casts round it, batch_norm's
weight and bias of any shape with C elements, and a node-class frontend honouring an error
marked to come before the shapes. Torch-free tests hold hand-worked bit patterns and wording;
the ``torch_parity`` ones run the same calls in both libraries."""

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
