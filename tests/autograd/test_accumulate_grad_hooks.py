"""Hooks on a leaf's ``AccumulateGrad`` (``y.grad_fn.next_functions[0][0]``), as PyTorch allows
them: data-parallel code (DeepSpeed, Megatron) takes ``p.expand_as(p).grad_fn.next_functions
[0][0]`` and registers a hook that reduces ``p.grad`` once it is accumulated. The stand-in had
no ``register_hook`` (AttributeError) and ``p.expand_as(p)`` returned ``p`` itself (no
``grad_fn``). Also PyTorch's checks of what a node hook returns."""

import numpy as np
import pytest

import autograd_core as ag

X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)


def _log_and_grads(lib):
    """Pre- and post-hooks on x's AccumulateGrad over two backward passes (the stand-in
    itself dropped at once, as in a one-line registration)."""
    x = lib.tensor(X, requires_grad=True)
    log = []
    y = x * 2 + x.exp()  # two edges into x: the hooks see their sum, once
    acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad"
    acc.register_prehook(lambda go: (go[0] * 10,))
    acc.register_hook(lambda gi, go: log.append((gi, go[0].detach().numpy().copy(),
                                                 x.grad.detach().numpy().copy())))
    del acc
    y.sum().backward()
    (x * 3).sum().backward()
    return log, x.grad.detach().numpy()


@pytest.mark.torch_parity
def test_accumulate_grad_hooks_run_as_pytorchs():
    torch = pytest.importorskip("torch")
    (ours, ours_grad), (theirs, theirs_grad) = _log_and_grads(ag), _log_and_grads(torch)
    assert len(ours) == len(theirs) == 2
    for (gi, go, acc), (tgi, tgo, tacc) in zip(ours, theirs):
        assert gi == tgi == ()
        np.testing.assert_allclose(go, tgo, rtol=1e-6)  # after the pre-hook
        np.testing.assert_allclose(acc, tacc, rtol=1e-6)  # .grad already accumulated
    np.testing.assert_allclose(ours_grad, theirs_grad, rtol=1e-6)
    np.testing.assert_allclose(ours_grad, 10 * (2 + np.exp(X)) + 30, rtol=1e-6)


def test_grad_runs_no_accumulate_grad_hook_and_handles_remove():
    x = ag.tensor(X, requires_grad=True)
    acc = (x * 1).grad_fn.next_functions[0][0]
    seen = []
    acc.register_prehook(lambda go: (go[0] * 100,))
    acc.register_hook(lambda gi, go: seen.append(1))
    (g,) = ag.autograd.grad((x * 3).sum(), x)  # PyTorch: AccumulateGrad does not run
    np.testing.assert_array_equal(g.numpy(), np.full(X.shape, 3.0))
    assert seen == [] and x.grad is None
    x2 = ag.tensor(X, requires_grad=True)
    acc2 = (x2 * 1).grad_fn.next_functions[0][0]
    handles = [acc2.register_prehook(lambda go: (go[0] * 100,)),
               acc2.register_hook(lambda gi, go: seen.append(1))]
    for h in handles:
        h.remove()
    (x2 * 3).sum().backward()
    np.testing.assert_array_equal(x2.grad.numpy(), np.full(X.shape, 3.0))
    assert seen == []


def test_accumulate_grad_hook_results_are_checked():
    x = ag.tensor(X, requires_grad=True)
    (x * 1).grad_fn.next_functions[0][0].register_prehook(lambda go: go[0])
    with pytest.raises(TypeError, match="expected tuple, but hook returned 'Tensor'"):
        (x * 3).sum().backward()
    x = ag.tensor(X, requires_grad=True)
    (x * 1).grad_fn.next_functions[0][0].register_hook(lambda gi, go: go)
    with pytest.raises(RuntimeError, match=r"incorrect number of values \(got 1, but expected 0"):
        (x * 3).sum().backward()


@pytest.mark.torch_parity
def test_expand_as_itself_is_a_view_with_a_node_as_pytorchs():
    torch = pytest.importorskip("torch")
    runs = []
    for lib in (ag, torch):
        w = lib.tensor(X, requires_grad=True)
        e = w.expand_as(w)
        assert e is not w and e.grad_fn.name() == "ExpandBackward0"
        ready = []
        acc = e.grad_fn.next_functions[0][0]  # kept, as DeepSpeed keeps it
        acc.register_hook(lambda *_: ready.append(w.grad.detach().numpy().copy()))
        for _ in range(2):
            (w * w).sum().backward()
        plain = lib.tensor(X)
        v = plain.expand(3, 2)
        v.add_(1)  # a writable view of the same memory, as PyTorch's
        runs.append((ready, plain.numpy().copy()))
    (ours, ours_plain), (theirs, theirs_plain) = runs
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)
    np.testing.assert_array_equal(ours_plain, theirs_plain)


@pytest.mark.torch_parity
@pytest.mark.parametrize("kind", ["tensor", "list", "replace_none"])
def test_node_hook_results_are_refused_as_pytorchs(kind):
    torch = pytest.importorskip("torch")
    errors = []
    for lib in (ag, torch):
        x = lib.tensor(X, requires_grad=True)
        y = x * 2  # MulBackward0 of (x, 2): no gradient for the 2
        hook = {"tensor": lambda gi, go: gi[0], "list": lambda gi, go: [gi[0], gi[1]],
                "replace_none": lambda gi, go: (gi[0], gi[0])}[kind]
        y.grad_fn.register_hook(hook)
        with pytest.raises((TypeError, RuntimeError)) as info:
            y.sum().backward()
        errors.append((info.type, str(info.value)))
    assert errors[0] == errors[1]
