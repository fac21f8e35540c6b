"""Grad mode is per thread (PyTorch's rule), and threads training their own models do not
disturb each other."""

import threading

import numpy as np

import autograd_core as ag
import nn
import optimizers as optim


def _in_thread(fn):
    out = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # surface the thread's failure in the test
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=60)
    assert not t.is_alive(), "thread did not finish"
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_no_grad_in_one_thread_leaves_another_recording():
    entered, release = threading.Event(), threading.Event()

    def hold_no_grad():
        with ag.no_grad():
            entered.set()
            release.wait(30)

    t = threading.Thread(target=hold_no_grad)
    t.start()
    try:
        assert entered.wait(30)
        x = ag.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()  # recorded here although the other thread is inside no_grad
        assert ag.is_grad_enabled()
        assert y.requires_grad
    finally:
        release.set()
        t.join(30)


def test_new_thread_starts_with_grad_enabled():
    with ag.no_grad():
        assert _in_thread(ag.is_grad_enabled) is True
        assert not ag.is_grad_enabled()


def test_set_grad_enabled_in_a_thread_does_not_leak_out():
    def off():
        ag.set_grad_enabled(False).__enter__()  # left switched off in that thread
        return ag.is_grad_enabled()

    assert _in_thread(off) is False
    assert ag.is_grad_enabled()


def _setup(seed):
    ag.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = ag.tensor(rng.standard_normal((32, 4)), dtype=ag.float64)
    y = ag.tensor(rng.standard_normal((32, 1)), dtype=ag.float64)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    return x, y, model


def _train(x, y, model, steps):
    opt = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        with ag.no_grad():  # toggled often: a flag shared between threads would be seen
            losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


def test_two_threads_training_equal_sequential_runs():
    steps = 200
    expected = [_train(*_setup(seed), steps) for seed in (1, 2)]
    setups = {seed: _setup(seed) for seed in (1, 2)}  # same initial weights as above
    results = {}

    def worker(seed):
        results[seed] = _train(*setups[seed], steps)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for seed, (losses, params) in zip((1, 2), expected):
        got_losses, got_params = results[seed]
        assert got_losses == losses  # bit for bit
        for a, b in zip(got_params, params):
            np.testing.assert_array_equal(a, b)
