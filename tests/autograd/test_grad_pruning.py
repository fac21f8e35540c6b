"""``autograd.grad`` runs only the part of the graph between its outputs and its inputs, as
PyTorch does: nodes outside it keep their saved values (issue 12 item 8). Expected outcomes
were checked with torch 2.13 (the torch_parity test repeats them against torch)."""

import numpy as np
import pytest

import autograd_core as ag

SECOND_TIME = "Trying to backward through the graph a second time"


def _pair(mod):
    return (mod.tensor([0.5, -1.0, 2.0], dtype=mod.float64, requires_grad=True),
            mod.tensor([1.5, 0.25, -0.5], dtype=mod.float64, requires_grad=True))


def _scenarios(mod):
    """(name, callable) pairs; each returns the gradient values it computed."""

    def nonleaf_input_keeps_lower_nodes():
        a, _ = _pair(mod)
        h = a.exp()
        (g,) = mod.autograd.grad((h * 2).sum(), h)
        h.sum().backward()  # ExpBackward was not run by grad: its saved output is still there
        return [g, a.grad]

    def other_branch_untouched():
        a, b = _pair(mod)
        z = (a.exp() + b.exp()).sum()
        (ga,) = mod.autograd.grad(z, a)
        (gb,) = mod.autograd.grad(z, b)  # b's branch was pruned from the first call
        return [ga, gb]

    def nothing_saved_twice():
        a, b = _pair(mod)
        z = (a + b).sum()
        g1 = mod.autograd.grad(z, a)[0]
        g2 = mod.autograd.grad(z, a)[0]
        return [g1, g2]

    return [nonleaf_input_keeps_lower_nodes, other_branch_untouched, nothing_saved_twice]


def _refused(mod):
    """Calls PyTorch refuses: the second pass needs a node that the first one ran."""

    def same_branch_twice():
        a, b = _pair(mod)
        z = (a.exp() + b.exp()).sum()
        mod.autograd.grad(z, a)
        mod.autograd.grad(z, a)

    def mul_then_other_input():
        a, b = _pair(mod)
        z = (a * b).sum()
        mod.autograd.grad(z, a)
        mod.autograd.grad(z, b)

    return [same_branch_twice, mul_then_other_input]


def test_pruned_scenarios_values():
    a = np.array([0.5, -1.0, 2.0])
    b = np.array([1.5, 0.25, -0.5])
    r = [[x.data for x in f()] for f in _scenarios(ag)]
    np.testing.assert_allclose(r[0][0], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(r[0][1], np.exp(a))
    np.testing.assert_allclose(r[1][0], np.exp(a))
    np.testing.assert_allclose(r[1][1], np.exp(b))
    np.testing.assert_allclose(r[2][0], np.ones(3))
    np.testing.assert_allclose(r[2][1], np.ones(3))


@pytest.mark.parametrize("k", range(2))
def test_second_pass_through_a_run_node_is_refused(k):
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        _refused(ag)[k]()


def test_pruned_nodes_are_not_run():
    calls = []
    a, b = _pair(ag)
    hb = b.exp()
    hb.register_hook(lambda g: calls.append("b"))
    z = (a * 3 + hb).sum()
    (g,) = ag.autograd.grad(z, a)
    np.testing.assert_allclose(g.data, [3.0, 3.0, 3.0])
    assert calls == []  # the hook on the pruned branch did not run


def test_backward_after_grad_on_part_of_a_shared_graph():
    a, b = _pair(ag)
    h = a * b
    y = h.exp().sum()
    (gh,) = ag.autograd.grad(y, h, retain_graph=False)
    np.testing.assert_allclose(gh.data, np.exp(a.data * b.data))
    (h * h).sum().backward()  # MulBackward of h was not run by grad: it still has a and b
    np.testing.assert_allclose(a.grad.data, 2 * a.data * b.data ** 2)


@pytest.mark.torch_parity
def test_pruning_matches_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(_scenarios(ag), _scenarios(torch)):
        for x, y in zip(ours(), theirs()):
            np.testing.assert_allclose(x.data, y.detach().numpy(), rtol=1e-12)
    for f in _refused(torch):
        with pytest.raises(RuntimeError, match=SECOND_TIME):
            f()
