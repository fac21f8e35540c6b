"""``autograd.graph.register_multi_grad_hook``: "all" waits for every gradient the pass
computes (None for tensors outside it), "any" takes the first; per pass, removable. The
engine's ``GraphTask`` tells which tensors a pass reaches. Hand-worked expectations, and the
same programs under torch."""

import pytest

import autograd_core as ag
from autograd_core import engine
from autograd_core.autograd.graph import register_multi_grad_hook


def _program(lib, reg, with_grad=True):
    """Record, for a few passes, what the hooks receive: None or the gradient's values.
    (``with_grad``: torch 2.13 refuses ``autograd.grad`` with such a hook on a leaf; ours
    treats it as ``backward(inputs=)``.)"""
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 5.0], requires_grad=True)
    c, d = a * b, a * b
    seen = []

    def all_fn(grads):
        seen.append(("all", [None if g is None else g.tolist() for g in grads]))

    def any_fn(grad):
        seen.append(("any", grad.tolist()))

    h1 = reg((a, b, c, d), all_fn)
    h2 = reg((c, a), any_fn, mode="any")
    c.sum().backward(retain_graph=True)
    (c * 2).sum().backward(inputs=(a,), retain_graph=True)
    if with_grad:
        lib.autograd.grad((c + d).sum(), [b], retain_graph=True)
    else:
        (c + d).sum().backward(inputs=[b], retain_graph=True)
    h2.remove()
    (c.sum() + d.sum()).backward(retain_graph=True)
    h1.remove()
    c.sum().backward()
    return seen


def _assert_program(seen):
    assert seen == [
        ("any", [1.0, 1.0]), ("all", [[3.0, 5.0], [1.0, 2.0], [1.0, 1.0], None]),
        ("any", [2.0, 2.0]), ("all", [[6.0, 10.0], None, [2.0, 2.0], None]),
        ("any", [1.0, 1.0]), ("all", [None, [2.0, 4.0], [1.0, 1.0], [1.0, 1.0]]),
        ("all", [[6.0, 10.0], [2.0, 4.0], [1.0, 1.0], [1.0, 1.0]]),
    ]


def test_multi_grad_hook_hand_worked():
    _assert_program(_program(ag, register_multi_grad_hook))
    assert engine.TASK_HOOKS[0] == 0  # both removed: passes record no task


@pytest.mark.torch_parity
def test_multi_grad_hook_as_torch():
    torch = pytest.importorskip("torch")
    _assert_program(_program(torch, torch.autograd.graph.register_multi_grad_hook, False))
    _assert_program(_program(ag, register_multi_grad_hook, False))


def test_multi_grad_hook_unreached_tensor_does_not_block():
    # w is not in the graph of the loss: "all" fires without waiting for it
    x = ag.tensor([2.0], requires_grad=True)
    w = ag.tensor([1.0], requires_grad=True)
    got = []
    with register_multi_grad_hook((x, w), lambda gs: got.append(gs)):
        (x * x).sum().backward()
    assert len(got) == 1 and got[0][1] is None and got[0][0].tolist() == [4.0]
    (x * x).sum().backward()  # removed by the context
    assert len(got) == 1


def test_multi_grad_hook_expected_but_none_still_calls():
    # a rule that hands None to an input it reaches: fn still runs at the pass's end
    class Half(ag.autograd.Function):
        @staticmethod
        def forward(ctx, u, v):
            return u * v.detach()

        @staticmethod
        def backward(ctx, g):
            return g, None

    u = ag.tensor([1.0], requires_grad=True)
    v = ag.tensor([3.0], requires_grad=True)
    got = []
    h = register_multi_grad_hook((u, v), lambda gs: got.append(gs))
    Half.apply(u, v).sum().backward()
    h.remove()
    assert len(got) == 1 and got[0][0].tolist() == [1.0] and got[0][1] is None


def test_multi_grad_hook_refusals():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="mode to be one of"):
        register_multi_grad_hook((x,), print, mode="some")
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        register_multi_grad_hook((x, ag.tensor([1.0])), print)
    assert x.grad_fn is None and not x._hooks  # nothing registered by the failed call
    assert engine.TASK_HOOKS[0] == 0


def _removed_mid_pass(lib):
    graph = lib.autograd.graph
    calls = []
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0], requires_grad=True)
    c = a * b
    handles = []
    c.register_hook(lambda g: handles[0].remove())  # runs before the group's hook on c
    handles.append(graph.register_multi_grad_hook((c, a), calls.append))
    (c * 2).sum().backward()
    return calls


def test_removed_during_the_pass_calls_nothing():
    # the handle removed by a hook that runs before the group's: fn is not called, neither by
    # the remaining tensors nor at the pass's end (it was called with [grad of c, None])
    assert _removed_mid_pass(ag) == []


@pytest.mark.torch_parity
def test_removed_during_the_pass_as_torch():
    torch = pytest.importorskip("torch")
    assert _removed_mid_pass(ag) == _removed_mid_pass(torch) == []


def test_empty_group_handle_releases_the_pass_recording():
    before = engine.TASK_HOOKS[0]
    h = register_multi_grad_hook((), lambda gs: None)
    assert engine.TASK_HOOKS[0] == before + 1
    h.remove()
    h.remove()
    assert engine.TASK_HOOKS[0] == before
