"""ag.compile and the Python state a step reads beyond its own code: a global read by a
module's forward, an attribute of a configuration object or of a loss object, a module's
private attribute, a list or dict changed in place, the default dtype. A trace bakes each of
these in as a constant; changing one must re-trace (the results stay eager's, bit for bit),
and state the step does not read must not."""

import collections
import types
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from autograd_core.replay import _python_value_holds

SCALE = 1.0  # read by _GlobalScaled.forward (through a helper method)
CONFIG = types.SimpleNamespace(weight=1.0, unused=0)
TABLE = {"weight": 1.0}
NESTED = types.SimpleNamespace(optim=types.SimpleNamespace(beta=1.0))


class _GlobalScaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 1)

    def forward(self, x):
        return self._scaled(self.lin(x))

    def _scaled(self, h):
        return h * SCALE


class _Private(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 1)
        self._scale = 1.0
        self.factors = [1.0, 2.0]
        self.options = {"shift": 0.0}

    def forward(self, x):
        return self.lin(x) * self._scale * self.factors[0] + self.options["shift"]


class _WeightedLoss:
    def __init__(self):
        self.weight = 1.0

    def __call__(self, out, y):
        return ((out - y) ** 2).mean() * self.weight


def _mse(out, y):
    return ((out - y) ** 2).mean()


def _setup(model, loss_fn, extra=lambda: 1.0):
    """A step training ``model`` (float64) with ``loss_fn(out, y) * extra()`` and SGD."""
    model = model.double()
    opt = optimizers.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((8, 3)))
    y = ag.tensor(rng.standard_normal((8, 1)))

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y) * extra()
        loss.backward()
        opt.step()
        return loss

    return types.SimpleNamespace(model=model, step=step, x=x, y=y)


def _squares_step(model, opt):
    """A step minimizing the mean square of ``model(x)`` with ``opt``."""
    def step(x):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
        return loss
    return step


def _run(build, change, undo, steps=6, change_at=3):
    """Losses and final parameters (bytes) of ``steps`` eager and compiled steps, ``change``
    applied before step ``change_at``; and the compiled step's number of traces."""
    out = {}
    for mode in ("eager", "compiled"):
        undo()
        ag.manual_seed(0)
        env = build()
        step = ag.compile(env.step) if mode == "compiled" else env.step
        losses = []
        for i in range(steps):
            if i == change_at:
                change(env)
            losses.append(step(env.x, env.y)._data.tobytes())
        out[mode] = (losses, [p._data.tobytes() for p in env.model.parameters()])
        traces = getattr(step, "traces", None)
    undo()
    return out["eager"], out["compiled"], traces


def _global(name, value):
    return lambda env: globals().__setitem__(name, value)


def _undo_all():
    globals()["SCALE"] = 1.0
    CONFIG.weight, CONFIG.unused = 1.0, 0
    TABLE["weight"] = 1.0
    NESTED.optim.beta = 1.0
    ag.set_default_dtype(ag.float32)


def _scenarios():
    def private(attr, value):
        def change(env):
            setattr(env.model, attr, value)
        return change

    def in_place(attr, key, value):
        def change(env):
            getattr(env.model, attr)[key] = value
        return change

    loss_object = _WeightedLoss()

    def loss_weight(env):
        loss_object.weight = 4.0

    def build_loss_object():
        loss_object.weight = 1.0
        return _setup(nn.Linear(3, 1), loss_object)

    return {
        "a global read by a module's forward (through a method)": (
            lambda: _setup(_GlobalScaled(), _mse), _global("SCALE", 3.0)),
        "an attribute of a configuration object the step reads": (
            lambda: _setup(nn.Linear(3, 1), _mse, lambda: CONFIG.weight),
            lambda env: setattr(CONFIG, "weight", 5.0)),
        "an attribute of a loss object, read by its __call__": (
            build_loss_object, loss_weight),
        "a module's private attribute": (
            lambda: _setup(_Private(), _mse), private("_scale", 2.0)),
        "a module's list changed in place": (
            lambda: _setup(_Private(), _mse), in_place("factors", 0, 3.0)),
        "a module's dict changed in place": (
            lambda: _setup(_Private(), _mse), in_place("options", "shift", 0.5)),
        "an attribute of a configuration object's attribute (cfg.optim.beta)": (
            lambda: _setup(nn.Linear(3, 1), _mse, lambda: NESTED.optim.beta),
            lambda env: setattr(NESTED.optim, "beta", 0.5)),
        "an item of a global dict the step reads": (
            lambda: _setup(nn.Linear(3, 1), _mse, lambda: TABLE["weight"]),
            lambda env: TABLE.__setitem__("weight", 3.0)),
        "the default dtype (a factory inside the step)": (
            lambda: _setup(nn.Linear(3, 1), _mse, lambda: ag.ones(1).sum().double()),
            lambda env: ag.set_default_dtype(ag.float16)),
    }


@pytest.mark.parametrize("name", sorted(_scenarios()))
def test_changed_python_state_retraces_and_matches_eager(name):
    build, change = _scenarios()[name]
    eager, compiled, traces = _run(build, change, _undo_all)
    assert compiled == eager
    assert traces == 2  # the first trace, then the one the change forced


def test_the_default_dtype_changes_what_the_step_computes():
    """The default-dtype scenario is not vacuous: a float16 factory changes the loss."""
    build, change = _scenarios()["the default dtype (a factory inside the step)"]
    env = build()
    before = env.step(env.x, env.y)._data
    change(env)
    try:
        assert ag.ones(1).dtype == ag.float16
        assert env.step(env.x, env.y)._data.tobytes() != before.tobytes()
    finally:
        _undo_all()


class _Trainer:
    """A training object with state the step does not read: a counter and a log that change
    at every step, touched only by ``log``."""

    def __init__(self):
        self.model = nn.Linear(3, 1).double()
        self.opt = optimizers.SGD(self.model.parameters(), lr=0.1)
        self.count = 0
        self.history = [0.0]

    def train_step(self, x, y):
        self.opt.zero_grad()
        loss = _mse(self.model(x), y) * CONFIG.weight
        loss.backward()
        self.opt.step()
        return loss

    def log(self, loss):
        self.count += 1
        self.history.append(loss.item())  # (float() warns once per process about requires_grad)


def test_state_the_step_does_not_read_does_not_retrace():
    trainer = _Trainer()
    rng = np.random.default_rng(1)
    x, y = ag.tensor(rng.standard_normal((8, 3))), ag.tensor(rng.standard_normal((8, 1)))

    def step(x, y):
        return trainer.train_step(x, y)

    compiled = ag.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no cache-limit warning either
        for _ in range(12):
            trainer.log(compiled(x, y))
            CONFIG.unused += 1  # an attribute of a guarded object that no code reads
    _undo_all()
    assert compiled.traces == 1
    assert trainer.count == 12


@pytest.mark.parametrize("now, then, holds", [
    ({"a": 1.0}, {"a": 1.0}, True),
    ({"a": 2.0}, {"a": 1.0}, False),
    ({"a": -0.0}, {"a": 0.0}, False),  # another constant: -0.0 * x keeps signs
    ({"a": 1}, {"a": 1.0}, False),
    ({"a": 1.0, "b": 2.0}, {"a": 1.0}, False),
    ([1.0], {"a": 1.0}, False),
])
def test_a_dict_guard_compares_items_as_constants(now, then, holds):
    holder = {"d": now}
    assert _python_value_holds((holder, "d", tuple(then.items()), 3)) is holds


class _BatchNorm1d:
    """A batch norm written as in a lecture (a plain class, not a Module): it rebinds its
    running statistics, and keeps its output for plots, at every call."""

    def __init__(self, dim, momentum=0.1):
        self.momentum = momentum
        self.gamma = ag.ones(dim, dtype=ag.float64, requires_grad=True)
        self.beta = ag.zeros(dim, dtype=ag.float64, requires_grad=True)
        self.running_mean = ag.zeros(dim, dtype=ag.float64)

    def __call__(self, x):
        mean = x.mean(0, keepdim=True)
        xhat = (x - mean) / (x.var(0, keepdim=True) + 1e-5).sqrt()
        with ag.no_grad():
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
        return self.gamma * xhat + self.beta


class _RebindsBuffer(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 4)
        self.register_buffer("avg", ag.zeros(4))

    def forward(self, x):
        h = self.lin(x)
        with ag.no_grad():
            self.avg = 0.9 * self.avg + 0.1 * h.mean(0)
        return h - self.avg


@pytest.mark.parametrize("kind", ["plain class", "module"])
def test_a_step_rebinding_what_it_reads_runs_eagerly_at_once(kind):
    """The step rebinds an attribute it reads (running statistics): a replay, which runs no
    Python, would leave it stale. The first trace sees the change and gives up, naming it."""
    runs = []
    for use_compile in (False, True):
        ag.manual_seed(0)
        if kind == "plain class":
            lin, bn = nn.Linear(3, 4).double(), _BatchNorm1d(4)
            params = [*lin.parameters(), bn.gamma, bn.beta]

            def model(x):
                return bn(lin(x))

            def stats():
                return bn.running_mean._data.tobytes()
        else:
            module = _RebindsBuffer().double()
            params = list(module.parameters())
            model = module

            def stats():
                return module.avg._data.tobytes()
        opt = optimizers.SGD(params, lr=0.1)
        x = ag.tensor(np.random.default_rng(2).standard_normal((8, 3)))

        step = _squares_step(model, opt)
        fn = ag.compile(step) if use_compile else step
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            losses = [fn(x)._data.tobytes() for _ in range(5)]
        runs.append((losses, stats()))
    assert runs[0] == runs[1]
    messages = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    name = "running_mean" if kind == "plain class" else "avg"
    assert len(messages) == 1 and f"the step changes '{name}'" in messages[0]
    assert fn.traces == 1


LOG: list = []


class _Logger:
    def __init__(self):
        self.losses = {}

    def record(self, loss):
        self.losses[len(self.losses)] = loss


@pytest.mark.parametrize("kind", ["a global list", "a logger object's dict", "a deque"])
def test_a_step_writing_to_a_python_log_runs_eagerly(kind):
    """A step that appends its loss to a Python list (or dict, deque): a replay would append
    nothing (the log kept the two traced entries); it runs eagerly, with a warning naming the
    log, and the log gets every entry."""
    LOG.clear()
    logger = _Logger()
    queue: collections.deque = collections.deque()
    model = nn.Linear(3, 1).double()
    opt = optimizers.SGD(model.parameters(), lr=0.1)
    x = ag.tensor(np.random.default_rng(3).standard_normal((8, 3)))

    def step(x):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
        if kind == "a global list":
            LOG.append(loss.detach())
        elif kind == "a deque":
            queue.append(loss.detach())
        else:
            logger.record(loss.detach())
        return loss

    compiled = ag.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(5):
            compiled(x)
    log = {"a global list": LOG, "a deque": queue, "a logger object's dict": logger.losses}[kind]
    assert len(log) == 5
    name = {"a global list": "LOG", "a deque": "a variable of its closure",
            "a logger object's dict": "losses"}[kind]
    messages = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    assert len(messages) == 1 and f"the step changes {name}" in messages[0].replace("'", "")
    LOG.clear()


class _AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(3, 2)
        self.dec = nn.Linear(2, 3)

    def encode(self, x):
        return ag.tanh(self.enc(x))

    def forward(self, x):
        return self.dec(self.encode(x))


def test_a_submodule_replaced_under_a_method_other_than_forward_retraces():
    """The step calls ``model.encode`` (not ``model(...)``, so the model itself is not among
    the modules the trace called); replacing ``model.enc`` between calls kept replaying the old
    layer's parameters."""
    runs = []
    for use_compile in (False, True):
        ag.manual_seed(0)
        model = _AutoEncoder().double()
        opt = optimizers.SGD(model.parameters(), lr=0.1)
        x = ag.tensor(np.random.default_rng(4).standard_normal((4, 3)))

        def step(x):
            opt.zero_grad()
            loss = (model.encode(x) ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        fn = ag.compile(step) if use_compile else step
        losses = []
        for i in range(6):
            if i == 3:
                ag.manual_seed(5)
                model.enc = nn.Linear(3, 2).double()
                opt.add_param_group({"params": model.enc.parameters()})
            losses.append(fn(x)._data.tobytes())
        runs.append(losses)
    assert runs[0] == runs[1]
    assert fn.traces == 2


class _RecordingBlock(nn.Module):
    """A block keeping its activations for plots (a lecture's habit)."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)
        self.acts: list = []

    def forward(self, x):
        h = ag.tanh(self.lin(x))
        self.acts.append(h.detach())
        return h


def test_blocks_inside_a_sequential_that_record_activations_run_eagerly():
    """The blocks sit in a library container the step calls; their appends were lost at
    every replay (two recorded activations after five steps)."""
    model = nn.Sequential(_RecordingBlock(), _RecordingBlock()).double()
    opt = optimizers.SGD(model.parameters(), lr=0.1)
    x = ag.tensor(np.random.default_rng(5).standard_normal((4, 3)))

    step = _squares_step(model, opt)
    compiled = ag.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(5):
            compiled(x)
    assert [len(block.acts) for block in model] == [5, 5]
    messages = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    assert len(messages) == 1 and "the step changes 'acts'" in messages[0]
