"""``grad_fn._saved_<name>``, as PyTorch's (the saved-tensors-hooks and autograd-mechanics
tutorials print them; progs9 found them missing): the input Tensor itself, the output as a
Tensor of the node, a number as a 0-d Tensor, PyTorch's error once backward freed them."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.node import FREED_MESSAGE


def test_saved_inputs_are_the_inputs():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    c = ag.tensor([2.0, 3.0])
    y = x * c  # c needs no gradient, so x is not saved (PyTorch's None too)
    assert y.grad_fn._saved_other is c and y.grad_fn._saved_self is None
    w = ag.tensor([2.0, 3.0], requires_grad=True)
    y = x * w
    assert y.grad_fn._saved_self is x and y.grad_fn._saved_other is w
    y = x.pow(2)
    assert y.grad_fn._saved_self is x and y.grad_fn._saved_exponent == 2
    assert x.log().grad_fn._saved_self is x
    assert (x / c).grad_fn._saved_other is c


def test_saved_output_and_numbers():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    r = y.grad_fn._saved_result
    assert r is not y and r.grad_fn is y.grad_fn and r.tolist() == y.tolist()
    three = (x * 3).grad_fn._saved_other
    assert isinstance(three, ag.Tensor) and three.shape == () and three.item() == 3
    z = x ** ag.tensor([2.0, 0.5], requires_grad=True)
    assert z.grad_fn._saved_result.tolist() == z.tolist()


def test_saved_values_are_freed_by_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn._saved_result
    assert "second time" in FREED_MESSAGE


@pytest.mark.torch_parity
def test_saved_attributes_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([0.5, 2.0])
    for make in (lambda m, t: t * 3, lambda m, t: t.exp(), lambda m, t: t.tanh(),
                 lambda m, t: t.sqrt(), lambda m, t: t.pow(3), lambda m, t: t.sin(),
                 lambda m, t: t / 4, lambda m, t: t ** m.tensor([2.0, 1.0], dtype=t.dtype)):
        ours = make(ag, ag.tensor(a, requires_grad=True)).grad_fn
        theirs = make(torch, torch.tensor(a, requires_grad=True)).grad_fn
        names = sorted(n for n in dir(theirs) if n.startswith("_saved_")
                       and not n.endswith(("sym_sizes", "_raw")))
        assert names, make
        for n in names:
            o, t = getattr(ours, n), getattr(theirs, n)
            if isinstance(t, torch.Tensor):
                np.testing.assert_allclose(np.asarray(o.detach().numpy(), float),
                                           t.detach().numpy().astype(float), rtol=1e-15)
            else:
                assert o == t, n
