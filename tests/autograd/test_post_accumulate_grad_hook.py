"""Tensor.register_post_accumulate_grad_hook: PyTorch's semantics (runs after .grad is
accumulated, after register_hook's hooks, not under grad(), refusals), and the engine finishing
such a leaf as soon as its last gradient arrives (what DistributedDataParallel overlaps with)."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.tensor import _PostAccumulateHooks


def test_runs_after_accumulation_and_after_tensor_hooks():
    w = ag.tensor([1.0, 2.0], requires_grad=True, dtype=ag.float64)
    w.grad = ag.tensor([100.0, 100.0], dtype=ag.float64)  # accumulated into, as PyTorch
    seen = []
    w.register_hook(lambda g: g * 10)
    w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (w * w).sum().backward()  # d/dw = 2w = [2, 4]; hook x10 -> [20, 40]; + 100
    assert seen == [[120.0, 140.0]]
    assert w.grad.tolist() == [120.0, 140.0]


def test_hook_may_change_grad_in_place_and_is_removable():
    w = ag.tensor([3.0], requires_grad=True)
    def halve(t):
        t.grad.data *= 0.5

    h = w.register_post_accumulate_grad_hook(halve)
    (w * 4).sum().backward()
    assert w.grad.tolist() == [2.0]
    h.remove()
    w.grad = None
    (w * 4).sum().backward()
    assert w.grad.tolist() == [4.0]


def test_leaf_finished_as_soon_as_its_gradients_are_complete():
    # b is used only by the last op, a by the first and the last: b's hook must run while
    # backward is still to reach a's first use, and a's exactly once with the full sum.
    a = ag.tensor([1.0, 1.0], requires_grad=True, dtype=ag.float64)
    b = ag.tensor([2.0, 2.0], requires_grad=True, dtype=ag.float64)
    events = []
    a.register_post_accumulate_grad_hook(lambda t: events.append(("a", t.grad.tolist())))
    b.register_post_accumulate_grad_hook(lambda t: events.append(("b", t.grad.tolist())))
    h = a * a  # oldest node: runs last
    marker = h.exp()
    marker.register_hook(lambda g: events.append(("exp reached", None)))
    z = (marker * 0 + a * 3 * b).sum()
    z.backward()
    names = [e[0] for e in events]
    assert names.index("b") < names.index("exp reached") < names.index("a")
    assert events[names.index("b")][1] == [3.0, 3.0]
    # dz/da = 3b + 0 * exp(a^2) * 2a = 6
    assert events[names.index("a")][1] == [6.0, 6.0]
    assert names.count("a") == 1 and names.count("b") == 1


def test_leaf_reached_by_no_gradient_still_gets_hook_once():
    # a second output of split receives no gradient: its edge delivers None
    w = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True, dtype=ag.float64)
    calls = []
    w.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.tolist()))
    first, _second = w.split(2)
    (first * 5).sum().backward()
    assert calls == [[5.0, 5.0, 0.0, 0.0]]


def test_not_run_by_grad_and_live_count_restored():
    before = _PostAccumulateHooks.LIVE
    w = ag.tensor([1.0], requires_grad=True)
    calls = []
    h = w.register_post_accumulate_grad_hook(lambda t: calls.append(1))
    assert _PostAccumulateHooks.LIVE == before + 1
    ag.grad((w * 2).sum(), w)
    assert calls == [] and w.grad is None
    h.remove()
    assert _PostAccumulateHooks.LIVE == before


def test_refusals():
    w = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (w * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ag.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)
    w.register_post_accumulate_grad_hook(lambda t: 5)
    with pytest.raises(TypeError, match="returned 'int'"):
        (w * 2).sum().backward()


@pytest.mark.torch_parity
def test_same_calls_as_torch():
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    x0 = np.array([0.5, -1.5, 2.0])

    def run(lib, tensor):
        a = tensor(x0, requires_grad=True)
        b = tensor(x0[::-1].copy(), requires_grad=True)
        seen = []
        for name, t in (("a", a), ("b", b)):
            t.register_post_accumulate_grad_hook(
                lambda t, name=name: seen.append((name, np.asarray(t.grad.detach()).tolist())))
        ((a * b).sin().sum() + (a * a).sum()).backward()
        ((a * 2).sum()).backward()
        return sorted(seen)  # torch gives no order between independent leaves

    ours = run(ag, lambda v, **k: ag.tensor(v, dtype=ag.float64, **k))
    theirs = run(torch, lambda v, **k: torch.tensor(v, dtype=torch.float64, **k))
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    np.testing.assert_allclose([g for _, g in ours], [g for _, g in theirs], rtol=1e-12)


@pytest.mark.parametrize("how", ["requires_grad_", "detach_"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_a_leaf_that_stopped_requiring_grad_gets_no_grad_but_its_hooks_run(how, create_graph):
    """fuzz24: after ``a.requires_grad_(False)`` or ``a.detach_()`` between the forward and
    backward, PyTorch's AccumulateGrad leaves ``a.grad`` as it is; its tensor hooks and
    post-accumulate hooks still run (torch 2.13). We wrote the gradient into ``.grad``."""
    a = ag.tensor([1.0, -2.0], requires_grad=True)
    seen = []
    a.register_hook(lambda g: seen.append(("hook", g.tolist())))
    a.register_post_accumulate_grad_hook(lambda t: seen.append(("post", t.grad)))
    plain = ag.tensor([3.0, 4.0], requires_grad=True)  # a leaf without hooks, stopped too
    y = (a * a).sum() + (plain * 2).sum()
    getattr(a, how)() if how == "detach_" else a.requires_grad_(False)
    plain.requires_grad_(False)
    y.backward(create_graph=create_graph)
    assert a.grad is None and plain.grad is None
    assert seen == [("hook", [2.0, -4.0]), ("post", None)]


@pytest.mark.torch_parity
def test_a_leaf_that_stopped_requiring_grad_as_torch():
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")

    def run(lib):
        a = lib.tensor([1.0, -2.0], requires_grad=True)
        seen = []
        a.register_hook(lambda g: seen.append("hook"))
        a.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad is None))
        y = (a * a).sum()
        a.requires_grad_(False)
        y.backward()
        return seen, a.grad

    assert run(ag) == run(torch) == (["hook", True], None)
