"""ag.compile and the Python state a step reads or writes in less direct ways than
test_compile_python_state.py covers: ``getattr``/``setattr`` with a name, ``cfg["w"]`` through a
user ``__getitem__``, properties, class attributes, a constant of the user's own Python module,
numpy arrays changed in place, layers appended to containers, printing, seeding inside the
step. Each program is run eagerly and compiled over six calls with a change before the fourth:
the compiled one must give eager's numbers bit for bit, re-tracing (or running eagerly with one
warning naming the reason) instead of replaying a stale trace."""

import contextlib
import functools
import io
import logging
import sys
import types
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers

CFG = types.SimpleNamespace(w=1.0)
MASK = np.array([1.0, 0.0, 1.0])
HIST = np.zeros(4)
LOG = types.SimpleNamespace()

# a Python module of the user's (``import config`` in a training script): the step reads its
# constant directly and through one of its functions
CONFIG = types.ModuleType("compfuzz_user_config")
exec("W = 1.0\ndef weight():\n    return W\n", CONFIG.__dict__)
sys.modules[CONFIG.__name__] = CONFIG


class _Table:
    """A configuration read as ``table["w"]``."""

    def __init__(self):
        self._values = {"w": 1.0}

    def __getitem__(self, key):
        return self._values[key]


class _Schedule:
    """A configuration whose ``temperature`` is computed from two attributes."""

    def __init__(self):
        self.base, self.decay = 1.0, 1.0

    @property
    def temperature(self):
        return self.base * self.decay


class _Tempered(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 1)
        self._t = 1.0

    @property
    def temperature(self):
        return self._t * 2.0

    def forward(self, x):
        return self.lin(x) / self.temperature


class _ClassScaled(nn.Module):
    SCALE = 1.0

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 1)

    def forward(self, x):
        return self.lin(x) * self.SCALE


class _ClassWeightedLoss:
    WEIGHT = 1.0

    def __call__(self, out, y):
        return ((out - y) ** 2).mean() * self.WEIGHT


class _Masked(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 1)
        self.mask = np.array([1.0, 0.0, 1.0])

    def forward(self, x):
        return self.lin(x * ag.tensor(self.mask))


TEMPERATURE = 1.0


def _scaled_tanh(x):
    return ag.tanh(x) * TEMPERATURE


class _Activated(nn.Module):
    """A module given its activation function (the user's, reading a global)."""

    def __init__(self, activation):
        super().__init__()
        self.lin = nn.Linear(3, 1)
        self.activation = activation

    def forward(self, x):
        return self.activation(self.lin(x))


class _Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(3, 3)])
        self.heads = nn.ModuleDict({"a": nn.Linear(3, 1)})
        self.scales = nn.ParameterList([nn.Parameter(ag.ones(1))])

    def forward(self, x):
        for layer in self.layers:
            x = ag.tanh(layer(x))
        out = sum(head(x) for head in self.heads.values())
        for s in self.scales:
            out = out * s
        return out


class _Trainer:
    """A training object whose bound method is compiled (``ag.compile(trainer.step)``)."""

    def __init__(self):
        self.model = nn.Linear(3, 1).double()
        self.opt = optimizers.SGD(self.model.parameters(), lr=0.1)
        self.weight = 1.0
        self.cfg = types.SimpleNamespace(loss=types.SimpleNamespace(beta=1.0))
        self.history = [ag.tensor(1.0, dtype=ag.float64)]

    def step(self, x, y):
        self.opt.zero_grad()
        loss = _mse(self.model(x), y) * self.weight * self.cfg.loss.beta * self.history[-1]
        loss.backward()
        self.opt.step()
        return loss


def _trainer():
    trainer = _Trainer()
    rng = np.random.default_rng(0)
    return types.SimpleNamespace(model=trainer.model, step=trainer.step, trainer=trainer,
                                 x=ag.tensor(rng.standard_normal((8, 3))),
                                 y=ag.tensor(rng.standard_normal((8, 1))))


def _train_step(trainer, x, y):
    return trainer.step(x, y)


def _partial_trainer():
    env = _trainer()
    env.step = functools.partial(_train_step, env.trainer)
    return env


def _mse(out, y):
    return ((out - y) ** 2).mean()


def _mae(out, y):
    return (out - y).abs().mean()


LOSSES = [_mse]


def _setup(model, loss_fn=_mse, extra=lambda: 1.0, after=lambda loss: None):
    """A step training ``model`` (float64) with ``loss_fn(out, y) * extra()`` and SGD, calling
    ``after(loss)`` at its end."""
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
        after(loss)
        return loss

    return types.SimpleNamespace(model=model, opt=opt, step=step, x=x, y=y)


def _reset():
    CFG.w = 1.0
    MASK[:] = [1.0, 0.0, 1.0]
    HIST[:] = 0.0
    vars(LOG).clear()
    CONFIG.W = 1.0
    _ClassScaled.SCALE = 1.0
    _ClassWeightedLoss.WEIGHT = 1.0
    LOSSES[:] = [_mse]
    globals()["TEMPERATURE"] = 1.0


def _run(build, change, state=lambda env: None, steps=6, change_at=3):
    """Eager then compiled: (losses, parameters, ``state(env)``) of each, the compiled step's
    traces, and its ag.compile warnings (``env.between()``, if any, runs after each call). Before each compiled call, the generated guards and
    the interpreted ones agree."""
    runs = []
    for compiled in (False, True):
        _reset()
        ag.manual_seed(0)
        env = build()
        step = ag.compile(env.step) if compiled else env.step
        losses = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i in range(steps):
                if i == change_at:
                    change(env)
                for entry in getattr(step, "_cache", {}).values():
                    if isinstance(entry, tuple):
                        program = entry[0]
                        assert program.guards_hold() is program.guards_hold_interpreted()
                losses.append(step(env.x, env.y)._data.tobytes())
                getattr(env, "between", lambda: None)()  # what the loop does after a step
        runs.append((losses, [p._data.tobytes() for p in env.model.parameters()], state(env)))
    _reset()
    messages = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    return runs[0], runs[1], step.traces, messages


def _set(obj, name, value):
    return lambda env: setattr(obj, name, value)


def _forward_called():
    """The model run as ``model.forward(x)`` (not ``model(x)``)."""
    return _without_calling(nn.Sequential(nn.Linear(3, 1)), lambda m, x: m.forward(x))


def _functional():
    """A layer's parameters used by a function, the layer never called."""
    return _without_calling(nn.Linear(3, 1),
                            lambda m, x: nn.functional.linear(x, m.weight, m.bias))


def _without_calling(model, forward):
    env = _setup(model)
    model, opt = env.model, env.opt

    def step(x, y):
        opt.zero_grad()
        loss = _mse(forward(model, x), y)
        loss.backward()
        opt.step()
        return loss

    env.step = step
    return env


def _new_weight(env):
    env.model.weight = nn.Parameter(ag.full((1, 3), 0.3, dtype=ag.float64))
    env.opt.add_param_group({"params": [env.model.weight]})


def _retrace_scenarios():
    table, schedule, loss = _Table(), _Schedule(), _ClassWeightedLoss()

    def build_table():
        table._values["w"] = 1.0
        return _setup(nn.Linear(3, 1), extra=lambda: table["w"])

    def build_schedule():
        schedule.decay = 1.0
        return _setup(nn.Linear(3, 1), extra=lambda: schedule.temperature)

    def append(attr, item):
        return lambda env: getattr(env.model, attr).append(item())

    def add_head(env):
        env.model.heads["b"] = nn.Linear(3, 1).double()

    return {
        "getattr with the attribute's name": (
            lambda: _setup(nn.Linear(3, 1), extra=lambda: getattr(CFG, "w")),
            _set(CFG, "w", 3.0)),
        "an item read through the user's __getitem__": (
            build_table, lambda env: table._values.__setitem__("w", 3.0)),
        "a property of a configuration object": (
            build_schedule, _set(schedule, "decay", 0.5)),
        "a property of a module reading a private attribute": (
            lambda: _setup(_Tempered()), lambda env: setattr(env.model, "_t", 3.0)),
        "a class attribute of a module, changed on the class": (
            lambda: _setup(_ClassScaled()), _set(_ClassScaled, "SCALE", 2.0)),
        "a class attribute of a module, shadowed on the instance": (
            lambda: _setup(_ClassScaled()), lambda env: setattr(env.model, "SCALE", 2.0)),
        "a class attribute of a loss object": (
            lambda: _setup(nn.Linear(3, 1), loss), _set(_ClassWeightedLoss, "WEIGHT", 2.0)),
        "a constant of the user's Python module": (
            lambda: _setup(nn.Linear(3, 1), extra=lambda: CONFIG.W), _set(CONFIG, "W", 2.0)),
        "a constant of the user's Python module, read by its function": (
            lambda: _setup(nn.Linear(3, 1), extra=lambda: CONFIG.weight()),
            _set(CONFIG, "W", 2.0)),
        "a global numpy array changed in place": (
            lambda: _setup(nn.Linear(3, 1), extra=lambda: (ag.tensor(MASK) * 2.0).sum()),
            lambda env: MASK.__setitem__(1, 1.0)),
        "a module's numpy array changed in place": (
            lambda: _setup(_Masked()), lambda env: env.model.mask.__setitem__(1, 1.0)),
        "a layer appended to a ModuleList": (
            lambda: _setup(_Stack()), append("layers", lambda: nn.Linear(3, 3).double())),
        "a layer added to a ModuleDict": (lambda: _setup(_Stack()), add_head),
        "a parameter appended to a ParameterList": (
            lambda: _setup(_Stack()),
            append("scales", lambda: nn.Parameter(ag.full((1,), 2.0, dtype=ag.float64)))),
        "an attribute of a compiled bound method's self": (
            _trainer, lambda env: setattr(env.trainer, "weight", 2.0)),
        "an attribute two objects down from a compiled bound method's self": (
            _trainer, lambda env: setattr(env.trainer.cfg.loss, "beta", 2.0)),
        "an attribute two objects down from an argument bound by functools.partial": (
            _partial_trainer, lambda env: setattr(env.trainer.cfg.loss, "beta", 2.0)),
        "a tensor appended to a short list the step reads the last item of": (
            _trainer, lambda env: env.trainer.history.append(ag.tensor(2.0, dtype=ag.float64))),
        "a function replaced in a short list": (
            lambda: _setup(nn.Linear(3, 1), loss_fn=lambda out, y: LOSSES[0](out, y)),
            lambda env: LOSSES.__setitem__(0, _mae)),
        "a layer appended to a Sequential whose forward the step calls": (
            _forward_called, lambda env: env.model.append(nn.Tanh())),
        "a parameter replaced on a layer the step never calls (F.linear(x, m.weight))": (
            _functional, _new_weight),
        "a global read by the user's function kept as a module's attribute": (
            lambda: _setup(_Activated(_scaled_tanh)),
            lambda env: globals().__setitem__("TEMPERATURE", 2.0)),
        "a layer appended to a Sequential": (
            lambda: _setup(nn.Sequential(nn.Linear(3, 1))),
            lambda env: env.model.append(nn.Tanh())),
    }


@pytest.mark.parametrize("name", sorted(_retrace_scenarios()))
def test_a_change_between_calls_retraces_and_matches_eager(name):
    build, change = _retrace_scenarios()[name]
    eager, compiled, traces, messages = _run(build, change)
    assert compiled == eager
    assert traces == 2 and messages == []


def test_the_retrace_scenarios_change_what_the_step_computes():
    """Not vacuous: in each scenario the change alters the loss of the next eager call."""
    for name, (build, change) in _retrace_scenarios().items():
        _reset()
        ag.manual_seed(0)
        env = build()
        params = [p._data.copy() for p in env.model.parameters()]
        before = env.step(env.x, env.y)._data.tobytes()
        for p, a in zip(env.model.parameters(), params):
            p._data[...] = a
        change(env)
        assert env.step(env.x, env.y)._data.tobytes() != before, name
    _reset()


def _seeded_dropout():
    env = _setup(nn.Sequential(nn.Dropout(0.5), nn.Linear(3, 1)))
    step = env.step

    def reseeding(x, y):
        ag.manual_seed(1)  # the same dropout mask at every call
        return step(x, y)

    env.step = reseeding
    return env


LAST = None


def _keeping_last():
    env = _setup(nn.Linear(3, 1))
    step = env.step

    def keeping(x, y):
        global LAST
        loss = step(x, y)
        LAST = loss.detach()  # set, never read
        return loss

    env.step = keeping
    return env


def _optimizer_in_backward():
    """PyTorch's recipe fusing the optimizer step into backward: one optimizer a parameter,
    stepped by a post-accumulate-grad hook; the step only runs backward."""
    env = _setup(nn.Linear(3, 1))
    opts = {p: optimizers.SGD([p], lr=0.1) for p in env.model.parameters()}

    def hook(p):
        opts[p].step()
        opts[p].zero_grad()

    for p in env.model.parameters():
        p.register_post_accumulate_grad_hook(hook)

    def step(x, y):
        loss = _mse(env.model(x), y)
        loss.backward()
        return loss

    env.step = step
    return env


class _Records(logging.Handler):
    def __init__(self, records):
        super().__init__()
        self.records = records

    def emit(self, record):
        self.records.append(record)


def _logging():
    """A step logging a line through the logging module (its records kept)."""
    logger = logging.getLogger("compfuzz")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.handlers[:] = []
    records: list = []
    logger.addHandler(_Records(records))
    env = _setup(nn.Linear(3, 1), after=lambda loss: logger.info("a step"))
    env.records = records
    return env


def _kept_for_plot():
    """A step keeping the first layer's output on the layer, to plot it after the step."""
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    return _setup(model, after=lambda loss: setattr(model[0], "out", model[0](_PLOT_X)))


_PLOT_X = ag.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3))


def _kept_before_call():
    """A step keeping the first layer's weight before the update on the layer, before it
    runs the model."""
    env = _setup(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)))
    model, step = env.model, env.step

    def keeping(x, y):
        with ag.no_grad():
            model[0].before = model[0].weight * 1.0
        return step(x, y)

    env.step = keeping
    return env


def _kept_by_optimizer():
    """A step keeping its loss on the optimizer."""
    env = _setup(nn.Linear(3, 1))
    opt = env.opt
    step = env.step

    def keeping(x, y):
        loss = step(x, y)
        opt.last_loss = loss.detach()
        return loss

    env.step = keeping
    return env


def _warmed_up():
    """A step that sets the learning rate itself (a warmup written by hand), whose optimizer a
    scheduler outside the step also changes."""
    env = _setup(nn.Linear(3, 1))
    step = env.step
    sched = optimizers.lr_scheduler.StepLR(env.opt, step_size=1, gamma=0.5)

    group = env.opt.param_groups[0]  # held by the step

    def warmed_up(x, y):
        group["lr"] = 0.05
        return step(x, y)

    env.step, env.between = warmed_up, sched.step
    return env


def _lr_scaled(lr):
    """A step whose penalty is scaled by the current learning rate, read in Python; a
    scheduler outside the step halves the learning rate after each call."""
    env = _setup(nn.Linear(3, 1), extra=lambda: 1.0 + lr(env))
    env.sched = optimizers.lr_scheduler.StepLR(env.opt, step_size=1, gamma=0.5)
    env.between = env.sched.step
    return env


def _doubled_saved(out, y):
    with ag.autograd.graph.saved_tensors_hooks(lambda t: t * 2.0, lambda t: t):
        return (ag.tanh(out - y) ** 2).mean()


def _fallback_scenarios():
    out = io.StringIO()

    def printing(loss):
        with contextlib.redirect_stdout(out):
            print("step done")

    def build_printing():
        out.seek(0)
        out.truncate()
        return _setup(nn.Linear(3, 1), after=printing)

    def history(loss):
        HIST[1:] = HIST[:-1].copy()
        HIST[0] = loss._data

    return {
        "setattr with the attribute's name": (
            lambda: _setup(nn.Linear(3, 1),
                           after=lambda loss: setattr(LOG, "last", loss.detach())),
            lambda env: LOG.last._data.tobytes(), "the step changes 'last'"),
        "printing": (build_printing, lambda env: out.getvalue(),
                     "printing inside the step (print)"),
        "logging": (
            _logging, lambda env: [r.getMessage() for r in env.records],
            "logging inside the step (compfuzz: 'a step')"),
        "writing into a numpy array it reads": (
            lambda: _setup(nn.Linear(3, 1), after=history), lambda env: HIST.tobytes(),
            "the step changes 'HIST'"),
        "an attribute of a layer set for a plot": (
            _kept_for_plot, lambda env: env.model[0].out._data.tobytes(),
            "the step changes 'out' of a Linear"),
        "an attribute of a layer set before the model is called": (
            _kept_before_call, lambda env: env.model[0].before._data.tobytes(),
            "the step changes 'before' of a Linear"),
        "an attribute of the optimizer set": (
            _kept_by_optimizer, lambda env: env.opt.last_loss._data.tobytes(),
            "the step changes 'last_loss' of a SGD"),
        "a global the step sets (global last)": (
            _keeping_last, lambda env: LAST._data.tobytes(), "the step changes 'LAST'"),
        "the optimizer stepped in backward (post-accumulate-grad hooks)": (
            _optimizer_in_backward, lambda env: None, "a hook on a leaf tensor"),
        "saved_tensors_hooks inside the step": (
            lambda: _setup(nn.Linear(3, 1), loss_fn=_doubled_saved), lambda env: None,
            "saved_tensors_hooks inside the step"),
        "setting the learning rate in Python (then a scheduler outside the step)": (
            _warmed_up, lambda env: env.opt.param_groups[0]["lr"],
            "the step sets a hyperparameter of SGD's param_groups in Python"),
        "reading the learning rate from param_groups (a scheduler outside the step)": (
            lambda: _lr_scaled(lambda env: env.opt.param_groups[0]["lr"]), lambda env: None,
            "the step uses SGD.param_groups in Python"),
        "reading the learning rate with get_last_lr (a scheduler outside the step)": (
            lambda: _lr_scaled(lambda env: env.sched.get_last_lr()[0]), lambda env: None,
            "reading the learning rate in Python inside the step (get_last_lr)"),
        "seeding the default generator before a dropout": (
            _seeded_dropout, lambda env: None, "manual_seed of the default random generator"),
    }


@pytest.mark.parametrize("name", sorted(_fallback_scenarios()))
def test_a_step_with_a_python_side_effect_runs_eagerly(name):
    """The step does something in Python that a replay would skip: it runs eagerly, with one
    warning naming what, and gives eager's numbers and side effects."""
    build, state, reason = _fallback_scenarios()[name]
    eager, compiled, traces, messages = _run(build, lambda env: None, state)
    assert compiled == eager
    assert len(messages) == 1 and reason in messages[0] and "eagerly" in messages[0]
    assert traces == 1


def test_printing_into_a_buffer_is_not_printing():
    """Text formatted with ``print(..., file=buffer)`` during the step (Numba does it when it
    compiles a kernel at its first call) is no reason to run eagerly."""
    buffer = io.StringIO()
    env = _setup(nn.Linear(3, 1), after=lambda loss: print("annotation", file=buffer))
    compiled = ag.compile(env.step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):
            compiled(env.x, env.y)
    assert compiled.traces == 1


def test_a_call_under_saved_tensors_hooks_runs_eagerly():
    """Hooks around a call of a captured step (a replay saves no tensors through them): the
    call runs eagerly, as under anomaly mode, and the gradients are eager's."""
    runs = []
    for compiled in (False, True):
        ag.manual_seed(0)
        env = _setup(nn.Linear(3, 1), loss_fn=lambda out, y: (ag.tanh(out - y) ** 2).mean())
        step = ag.compile(env.step) if compiled else env.step
        losses = []
        for i in range(6):
            if i < 3:
                losses.append(step(env.x, env.y)._data.tobytes())
                continue
            with ag.autograd.graph.saved_tensors_hooks(lambda t: t * 2.0, lambda t: t):
                losses.append(step(env.x, env.y)._data.tobytes())
        runs.append((losses, [p._data.tobytes() for p in env.model.parameters()]))
    assert runs[0] == runs[1]
    assert step.traces == 1


def test_a_post_accumulate_grad_hook_added_after_capture_is_seen():
    def zero(p):
        p.grad.mul_(0.0)

    def add_hooks(env):
        for p in env.model.parameters():
            p.register_post_accumulate_grad_hook(zero)

    eager, compiled, traces, messages = _run(lambda: _setup(nn.Linear(3, 1)), add_hooks)
    assert compiled == eager
    assert traces == 2
    assert len(messages) == 1 and "a hook on a leaf tensor" in messages[0]


def test_a_hook_registered_on_an_input_between_calls_is_seen():
    def build():
        env = _setup(nn.Linear(3, 1))
        env.x.requires_grad_(True)
        step = env.step

        def with_input_grad(x, y):
            x.grad = None
            return step(x, y)

        env.step = with_input_grad
        return env

    def hook(env):
        env.x.register_hook(lambda g: g * 2.0)

    eager, compiled, traces, messages = _run(build, hook, lambda env: env.x.grad._data.tobytes())
    assert compiled == eager
    assert traces == 2
    assert len(messages) == 1 and "a hook on a leaf tensor" in messages[0]
