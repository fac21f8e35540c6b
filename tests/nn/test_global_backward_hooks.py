"""nn.modules.module.register_module_full_backward_hook / _pre_hook: every Module's backward
runs them, before its own hooks, as PyTorch's (they did not exist)."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn import module as M


def _run(lib, mod):
    log = []
    handles = [
        mod.register_module_full_backward_pre_hook(
            lambda m, go: log.append(("global pre", type(m).__name__))),
        mod.register_module_full_backward_hook(
            lambda m, gi, go: log.append(("global", type(m).__name__,
                                          [None if g is None else tuple(g.shape) for g in gi],
                                          [tuple(g.shape) for g in go])))]
    net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU())
    net[0].register_full_backward_hook(lambda m, gi, go: log.append(("own", "Linear")))
    net[0].register_full_backward_pre_hook(lambda m, go: log.append(("own pre", "Linear")))
    x = lib.ones(1, 2, requires_grad=True)
    net(x).sum().backward()
    for h in handles:
        h.remove()
    net(x).sum().backward()  # removed: only the module's own hooks
    return log


def test_global_hooks_run_for_every_module_before_its_own_ones():
    log = _run(ag, M)
    assert log == [("global pre", "Sequential"), ("global pre", "ReLU"),
                   ("global", "ReLU", [(1, 3)], [(1, 3)]), ("global pre", "Linear"),
                   ("own pre", "Linear"), ("global", "Linear", [(1, 2)], [(1, 3)]),
                   ("own", "Linear"), ("global", "Sequential", [(1, 2)], [(1, 3)]),
                   ("own pre", "Linear"), ("own", "Linear")]


def test_results_replace_the_gradients():
    x = ag.tensor([[1.0, -2.0]], requires_grad=True)
    lin = nn.Linear(2, 1)
    w = lin.weight.detach().numpy().copy()
    h = M.register_module_full_backward_hook(lambda m, gi, go: (gi[0] * 2,))
    lin(x).sum().backward()
    h.remove()
    np.testing.assert_allclose(x.grad.numpy(), 2 * w, rtol=1e-6)
    np.testing.assert_allclose(lin.weight.grad.numpy(), [[1.0, -2.0]])  # not an input
    x.grad = None
    h = M.register_module_full_backward_pre_hook(lambda m, go: (go[0] * 3,))
    lin(x).sum().backward()
    h.remove()
    np.testing.assert_allclose(x.grad.numpy(), 3 * w, rtol=1e-6)


def test_hooks_are_taken_when_the_module_is_called():
    seen = []
    lin = nn.Linear(2, 1)
    h = M.register_module_full_backward_hook(lambda m, gi, go: seen.append(1))
    out = lin(ag.ones(1, 2, requires_grad=True))
    h.remove()  # after the call: PyTorch's call already took it
    out.sum().backward()
    assert seen == [1]
    out = lin(ag.ones(1, 2, requires_grad=True))
    out.sum().backward()
    assert seen == [1]


def test_without_inputs_requiring_grad_they_get_none_and_warn():
    seen = []
    h = M.register_module_full_backward_hook(lambda m, gi, go: seen.append(gi))
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are "
                                         "computed with respect to module outputs"):
        nn.Linear(2, 1)(ag.ones(1, 2)).sum().backward()
    h.remove()
    assert seen == [(None,)]


@pytest.mark.torch_parity
def test_same_calls_as_torch():
    torch = pytest.importorskip("torch")
    from torch.nn.modules import module as torch_module
    assert _run(ag, M) == _run(torch, torch_module)
