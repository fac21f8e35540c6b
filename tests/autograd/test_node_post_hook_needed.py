"""A node's post-hook (``grad_fn.register_hook(fn(grad_inputs, grad_outputs))``) under
``autograd.grad(out, x)`` or ``backward(inputs=[x])`` gets None for the inputs that call does
not need, as PyTorch's (it got every input's gradient)."""

import pytest

import autograd_core as ag


def _program(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0], requires_grad=True)
    c = a * b
    seen = []
    c.grad_fn.register_hook(
        lambda gi, go: seen.append([None if g is None else g.tolist() for g in gi]))
    lib.autograd.grad(c.sum(), [a], retain_graph=True)
    c.sum().backward(inputs=[b], retain_graph=True)
    c.sum().backward()
    return seen


def _assert_seen(seen):
    assert seen == [[[3.0, 4.0], None], [None, [1.0, 2.0]], [[3.0, 4.0], [1.0, 2.0]]]


def test_post_hook_sees_none_for_unneeded_inputs():
    _assert_seen(_program(ag))


def test_needed_through_a_chain():
    x = ag.tensor([2.0], requires_grad=True)
    w = ag.tensor([5.0], requires_grad=True)
    h = x * w  # both needed for x? only x's side
    seen = []
    h.grad_fn.register_hook(lambda gi, go: seen.append([g is None for g in gi]))
    (g,) = ag.autograd.grad((h * h).sum(), [x])
    assert seen == [[False, True]] and g.tolist() == [2 * 10.0 * 5.0]


@pytest.mark.torch_parity
def test_as_torch():
    torch = pytest.importorskip("torch")
    _assert_seen(_program(torch))
