"""A gradient hook that returns another dtype is refused, as PyTorch refuses it ("hook
'<lambda>' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)").
Before, ``x.register_hook(lambda g: g.double())`` on a float32 leaf left ``x.grad`` float64
(found by progs29), and a node hook's float64 gradient was cast back silently. Same dtype and
shape: taken, as before."""

import pytest

import autograd_core as ag

MESSAGE = (r"hook '<lambda>' has changed the type of value \(was autograd_core.FloatTensor "
           r"got autograd_core.DoubleTensor\)")


def _leaf():
    return ag.ones(2, requires_grad=True)


def test_a_tensor_hook_on_a_leaf():
    x = _leaf()
    x.register_hook(lambda g: g.double())
    with pytest.raises(RuntimeError, match=MESSAGE):
        (x * 2).sum().backward()
    assert x.grad is None


def test_a_tensor_hook_inside_the_graph_also_with_create_graph():
    for create_graph in (False, True):
        x = _leaf()
        y = x * 2
        y.register_hook(lambda g: g.double())
        with pytest.raises(RuntimeError, match=MESSAGE):
            ag.autograd.grad(y.sum(), x, create_graph=create_graph)


def test_node_pre_and_post_hooks():
    x = _leaf()
    y = x * 2
    y.grad_fn.register_prehook(lambda gs: (gs[0].double(),))
    with pytest.raises(RuntimeError, match=MESSAGE):
        y.sum().backward()
    x = _leaf()
    y = x * ag.ones(2)
    y.grad_fn.register_hook(lambda gi, go: (gi[0].double(), gi[1]))
    with pytest.raises(RuntimeError, match=MESSAGE):
        y.sum().backward()


def test_a_hook_keeping_the_dtype_is_taken():
    x = _leaf()
    x.register_hook(lambda g: g * 3)
    (x * 2).sum().backward()
    assert x.grad.dtype == ag.float32 and x.grad.tolist() == [6.0, 6.0]
    x = ag.ones(2, dtype=ag.float64, requires_grad=True)
    y = x * 2
    y.grad_fn.register_prehook(lambda gs: (gs[0] + 1,))
    y.sum().backward()
    assert x.grad.dtype == ag.float64 and x.grad.tolist() == [4.0, 4.0]
