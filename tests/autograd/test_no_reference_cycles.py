"""Memory is freed by reference counting alone (no reference cycle) after backward, with
retain_grad, hooks and create_graph: checked with weak references while the cyclic collector
is off, so a cycle would keep the arrays alive."""

import gc
import weakref

import numpy as np

import autograd_core as ag


def _freed_without_gc(make):
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        refs = make()
        return [r() is None for r in refs]
    finally:
        if was:
            gc.enable()


def test_retain_grad_makes_no_cycle():
    def run():
        x = ag.tensor(np.ones(1000), requires_grad=True)
        h = x * 2.0
        h.retain_grad()
        (h * h).sum().backward()
        assert h.grad is not None
        return [weakref.ref(h), weakref.ref(h.grad_fn)]

    assert all(_freed_without_gc(run))


def test_hooks_and_create_graph_make_no_cycle():
    def run():
        x = ag.tensor(np.ones(100), requires_grad=True)
        h = x.sin() * 3.0
        h.register_hook(lambda g: g * 1.0)
        (g,) = ag.grad((h * h).sum(), x, create_graph=True)
        g.sum().backward()
        return [weakref.ref(h), weakref.ref(g), weakref.ref(h.grad_fn)]

    assert all(_freed_without_gc(run))


def test_many_retain_grad_iterations_do_not_grow_memory():
    # the case: retain_grad on a 10 MB tensor in a loop (once 1.6 GB after 200 steps)
    def run():
        alive = []
        x = ag.tensor(np.ones(1_250_000), requires_grad=True)  # 10 MB
        for _ in range(50):
            h = x * 2.0
            h.retain_grad()
            h.sum().backward()
            alive.append(weakref.ref(h))
            x.grad = None
        del h
        return alive

    assert all(_freed_without_gc(run))


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * __import__("os").sysconf("SC_PAGE_SIZE")


def test_rss_does_not_grow_over_a_long_training_run():
    import nn
    import optimizers as optim

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = ag.randn(128, 64)
    y = ag.tensor(np.arange(128) % 10)
    loss_fn = nn.CrossEntropyLoss()

    def steps(n):
        for _ in range(n):
            opt.zero_grad()
            h = model[0](x)
            h.retain_grad()  # the case that once leaked
            loss = loss_fn(model[2](model[1](h)), y)
            loss.backward()
            opt.step()

    steps(50)  # warm: kernels compiled, allocator pools filled
    before = _rss_bytes()
    steps(400)
    grown = _rss_bytes() - before
    # 400 leaked graphs would hold 400 x ~0.4 MB of activations; allow allocator noise
    assert grown < 40e6, f"RSS grew by {grown / 1e6:.1f} MB over 400 steps"


def test_a_recorded_graph_keeps_few_objects_for_the_cyclic_collector():
    # Every container a graph keeps is scanned by each collection while the graph lives: in a
    # chain of tiny ops that scanning was a sixth of the time per op. An edge is its target
    # itself, not a tuple (target, index, shape, dtype): 4 tracked objects per op remain
    # (the node, its edges, the output Tensor; a mul's saved references and versions).
    x = ag.tensor(np.full(1, 0.5, np.float32), requires_grad=True)
    c = ag.tensor(np.full(1, 1.0, np.float32), requires_grad=True)
    d = ag.tensor(np.full(1, 1e-3, np.float32), requires_grad=True)
    gc.collect()
    before = len(gc.get_objects())
    z = x
    for _ in range(500):
        z = z * c + d
    gc.collect()
    per_op = (len(gc.get_objects()) - before) / 1000
    assert per_op <= 4.1, per_op
    z.sum().backward()  # and the graph still backpropagates
    np.testing.assert_allclose(d.grad._data, [500.0])
