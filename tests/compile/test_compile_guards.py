"""ag.compile's guards (each changed thing re-traces, never replays wrongly), its fallbacks
(one warning naming the reason, eager results; strict=True raises), its cache limit and its
memory (everything it captured is freed with the compiled step)."""

import gc
import itertools
import warnings
import weakref

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from autograd_core import CompileFallback


def _model(seed=0, dropout=False):
    ag.manual_seed(seed)
    layers = [nn.Linear(3, 4), nn.ReLU()] + ([nn.Dropout(0.5)] if dropout else []) + [
        nn.Linear(4, 1)]
    return nn.Sequential(*layers).double()


def _x(n=5, seed=0, dtype=np.float64):
    return ag.tensor(np.random.default_rng(seed).standard_normal((n, 3)).astype(dtype))


def _train_step(model, opt):
    def step(x):
        opt.zero_grad()
        loss = (model(x.to(model[0].weight.dtype)) ** 2).mean()  # the model's dtype
        loss.backward()
        opt.step()
        return loss
    return step


def _warmed(model, x, **kw):
    """A compiled training step called three times on ``x`` (trace, check, replay)."""
    opt = optimizers.SGD(model.parameters(), lr=0.1)
    compiled = ag.compile(_train_step(model, opt), **kw)
    for _ in range(3):
        compiled(x)
    assert compiled.traces == 1
    return compiled, opt


def _same_as_eager(make_call, change):
    """Run ``change`` then the call on a compiled setup and on an eager twin: equal results."""
    results = []
    for use_compile in (True, False):
        model = _model()
        opt = optimizers.SGD(model.parameters(), lr=0.1)
        step = _train_step(model, opt)
        fn = ag.compile(step) if use_compile else step
        for _ in range(3):
            fn(_x())
        change(model, opt)
        out = make_call(fn)
        results.append((out._data.tobytes(), [p._data.tobytes() for p in model.parameters()]))
        if use_compile:
            traces = fn.traces
    assert results[0] == results[1]
    return traces


# ---- guards ---------------------------------------------------------------------------------

@pytest.mark.parametrize("changed", ["shape", "dtype", "strides", "requires_grad"])
def test_an_input_change_retraces(changed):
    other = {
        "shape": lambda: _x(n=7),
        "dtype": lambda: _x(dtype=np.float32),
        "strides": lambda: ag.tensor(np.asfortranarray(np.ones((5, 3)))),
        "requires_grad": lambda: _x().requires_grad_(True),
    }[changed]
    if changed == "strides":
        x = other()
        assert x._data.strides != _x()._data.strides
    assert _same_as_eager(lambda fn: fn(other()), lambda m, o: None) == 2


def test_grad_mode_is_guarded():
    model = _model()
    forward = ag.compile(lambda x: model(x).detach())
    for _ in range(3):
        forward(_x())
    with ag.no_grad():
        out = forward(_x())
    assert forward.traces == 2 and out.grad_fn is None


def test_a_replaced_parameter_retraces():
    def change(model, opt):
        new = nn.Parameter(ag.tensor(np.full((1, 4), 0.5)))
        model[-1].weight = new
        opt.param_groups[0]["params"][-2] = new
    assert _same_as_eager(lambda fn: fn(_x()), change) == 2


@pytest.mark.parametrize("how", ["registry", "instance dict", "module registry"])
def test_a_parameter_or_layer_written_behind_setattr_retraces(how):
    """A registry written directly (meta-learning code's ``module._parameters[name] = w``), or
    the instance dict: the guards check each entry once, in the instance dict, which the
    registries keep in step."""
    def change(model, opt):
        new = nn.Parameter(ag.tensor(np.full((1, 4), 0.5)))
        if how == "registry":
            model[-1]._parameters["weight"] = new
        elif how == "instance dict":
            model[-1].__dict__["weight"] = new
        else:
            layer = nn.Linear(4, 1).double()
            model._modules[str(len(model) - 1)] = layer
            new = layer.weight
        opt.param_groups[0]["params"][-2] = new
    assert _same_as_eager(lambda fn: fn(_x()), change) == 2


def test_a_rebound_parameter_array_of_another_dtype_retraces():
    def change(model, opt):  # every parameter (products refuse two dtypes, as PyTorch's)
        for p in model.parameters():
            p._data = p._data.astype(np.float32)
        opt.state.clear()
    assert _same_as_eager(lambda fn: fn(_x()), change) == 2


def test_train_eval_is_guarded():
    model = _model(dropout=True)
    forward = ag.compile(lambda x: model(x).detach())
    for _ in range(3):
        forward(_x())
    model.eval()
    a, b = forward(_x()), forward(_x())
    assert forward.traces == 2 and np.array_equal(a._data, b._data)
    with ag.no_grad():
        assert np.array_equal(a._data, model(_x())._data)


def test_which_parameters_require_grad_is_guarded():
    def change(model, opt):
        model[0].weight.requires_grad_(False)
        model[0].weight.grad = None
    assert _same_as_eager(lambda fn: fn(_x()), change) == 2


def test_cache_limit_warns_once_then_runs_eagerly():
    model = _model()
    compiled, _ = _warmed(model, _x())
    limited = ag.compile(compiled.eager, cache_limit=2)
    with pytest.warns(RuntimeWarning, match="cache_limit"):
        for n in (2, 3, 4, 5):
            limited(_x(n))
    assert limited.traces == 2


_ANNEALED = [0.0]  # a global the step below reads, changed by the loop at every call


def test_cache_limit_warning_names_the_last_failing_guard():
    model = _model()
    opt = optimizers.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (model(x) ** 2).mean() * (1.0 + _ANNEALED[0])
        loss.backward()
        opt.step()
        return loss

    limited = ag.compile(step, cache_limit=2)
    try:
        with pytest.warns(RuntimeWarning, match=r"cache_limit \(2\).*the last failing guard: "
                                                r"the step reads '_ANNEALED', which is no "
                                                r"longer the traced \(1\.0,\)"):
            for i in range(4):
                _ANNEALED[0] = i * 0.5 if i > 1 else 0.0
                limited(_x())
    finally:
        _ANNEALED[0] = 0.0
    assert limited.traces == 2


# ---- fallbacks --------------------------------------------------------------------------------

class _Double(ag.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


def _fallback_steps():
    model = _model()
    opt = optimizers.SGD(model.parameters(), lr=0.1)

    def loss_of(x):
        return (model(x) ** 2).mean()

    def with_tensor_hook(x):
        h = model(x)
        h.register_hook(lambda g: g * 1.0)
        (h ** 2).mean().backward()
        return h

    def with_retain_graph(x):
        loss = loss_of(x)
        loss.backward(retain_graph=True)
        return loss

    def with_create_graph(x):
        loss = loss_of(x)
        loss.backward(create_graph=True)
        return loss

    def with_grad(x):
        loss = loss_of(x)
        return ag.autograd.grad(loss, list(model.parameters()))[0]

    def with_function(x):
        loss = _Double.apply(loss_of(x))
        loss.backward()
        return loss

    def with_item(x):
        loss = loss_of(x)
        if loss.item() > 1e9:
            return loss * 0
        return loss

    def with_bool(x):
        loss = loss_of(x)
        return loss if bool(loss > 0) else -loss

    def with_numpy(x):
        loss = loss_of(x)
        return loss * float(np.asarray(loss) > 1.0)

    def with_print(x):
        loss = loss_of(x)
        print(loss)
        return loss

    def with_random(x):
        return loss_of(x + ag.randn(3).double())

    def with_mask(x):
        return (x[x._data > 0].sum() + model(x).sum()).detach()  # data-dependent shape

    def with_inplace(x):
        h = model(x)
        h.mul_(2)
        return h.sum()

    def with_closure(x):
        return opt.step(lambda: loss_of(x))

    def with_numpy_update(x):
        loss = loss_of(x)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        for p in model.parameters():
            p._data -= 0.1 * p.grad._data  # numpy: not an op
        return loss

    def with_numpy_clip(x):
        opt.zero_grad()
        loss = loss_of(x)
        loss.backward()
        for p in model.parameters():
            np.clip(p.grad._data, -0.01, 0.01, out=p.grad._data)
        opt.step()
        return loss

    return {
        "a tensor hook": with_tensor_hook,
        "retain_graph=True": with_retain_graph,
        "create_graph=True": with_create_graph,
        "autograd.grad": with_grad,
        "a user autograd.Function (_Double)": with_function,
        "item on a tensor": with_item,
        "__bool__ on a tensor": with_bool,
        "printing": with_print,
        "__array__ on a tensor": with_numpy,
        "random numbers drawn outside an op": with_random,
        "the first two calls": with_mask,
        "an in-place op": with_inplace,
        "SGD.step with a closure": with_closure,
        "changed outside the captured ops before the end of the step": with_numpy_update,
        "changed outside the captured ops before SGD.step": with_numpy_clip,
    }


@pytest.mark.parametrize("reason", sorted(_fallback_steps()))
def test_fallback_warns_once_and_runs_eagerly(reason, capsys):
    step = _fallback_steps()[reason]
    compiled = ag.compile(step)
    with pytest.warns(RuntimeWarning) as caught:
        outs = [compiled(_x(seed=s)) for s in range(4)]
    messages = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    assert len(messages) == 1 and reason in messages[0] and "eagerly" in messages[0]
    # eager results, every call (the function recomputes on the model's current state)
    assert all(isinstance(o, ag.Tensor) for o in outs)


@pytest.mark.parametrize("reason", sorted(_fallback_steps()))
def test_strict_raises(reason, capsys):
    compiled = ag.compile(_fallback_steps()[reason], strict=True)
    with pytest.raises(CompileFallback, match="cannot capture"):
        for s in range(3):
            compiled(_x(seed=s))


def test_masks_made_by_comparisons_are_replayed():
    """Comparisons, argmax/argmin and integer conversions are ops (they refused the trace
    before): a mask made from the step's input by ``>``, used through ``where``,
    ``masked_fill`` and a conversion, an accuracy from ``argmax`` and a truncation by
    ``.long()`` are recomputed at every replay; results equal eager for new inputs."""
    def make():
        model = _model()

        def step(x):
            h = model(x)
            m = x > 0
            loss = (ag.where(h > 0.1, h, h * 0.5) ** 2).mean() + m.double().mean()
            loss = loss + h.masked_fill(h < 0, 0.0).sum() * 1e-3
            loss.backward()
            acc = (h.argmax(1) == h.argmin(1)).float().mean() + (x * 3).long().double().sum()
            return loss + acc

        return model, step

    model_a, step = make()
    compiled = ag.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = [compiled(_x(seed=s)).item() for s in range(5)]
    model_b, step_b = make()
    want = [step_b(_x(seed=s)).item() for s in range(5)]
    assert compiled.traces == 1 and got == want
    for p, q in zip(model_a.parameters(), model_b.parameters()):
        assert p.grad._data.tobytes() == q.grad._data.tobytes()


def test_a_hook_added_on_a_parameter_after_capture_is_seen():
    model = _model()
    compiled, _ = _warmed(model, _x())
    seen = []
    model[0].weight.register_hook(lambda g: seen.append(1))
    with pytest.warns(RuntimeWarning, match="hook on a leaf"):
        compiled(_x())
    assert seen == [1] and compiled.traces == 2


def test_eager_runs_the_original():
    model = _model()
    compiled, _ = _warmed(model, _x())
    ticks = itertools.count()  # (a list the step appended to would make it run eagerly)
    spy = ag.compile(lambda x: next(ticks) < 0 or model(x).detach())
    for _ in range(4):
        spy(_x())
    assert next(ticks) == 2  # two traces, then replays
    spy.eager(_x())
    assert next(ticks) == 4


def test_decorator_forms():
    @ag.compile
    def f(x):
        return x * 2

    @ag.compile(strict=True, cache_limit=3)
    def g(x):
        return x * 3

    assert f.__name__ == "f" and g.strict and g.cache_limit == 3
    for _ in range(3):
        assert np.array_equal(f(_x())._data, _x()._data * 2)
        assert np.array_equal(g(_x())._data, _x()._data * 3)
    with pytest.raises(ValueError, match="cache_limit"):
        ag.compile(f, cache_limit=0)


# ---- memory -----------------------------------------------------------------------------------

def test_captured_buffers_are_freed_with_the_step():
    model = _model()
    compiled, _ = _warmed(model, _x())
    (program, verified), = compiled._cache.values()
    assert verified
    refs = [weakref.ref(compiled), weakref.ref(program)]
    consts = [s[1] for ev in program.events if ev[0] == "backward" for *_, s in ev[1][0]]
    refs += [weakref.ref(c) for c in consts if isinstance(c, np.ndarray)]
    assert len(refs) > 2
    del compiled, program, consts
    gc.disable()  # freed by reference counting alone: no cycle holds them
    try:
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_a_compiled_step_inside_a_traced_one_is_recorded_by_it():
    model = _model()
    opt = optimizers.SGD(model.parameters(), lr=0.1)
    inner = ag.compile(_train_step(model, opt))
    for _ in range(3):
        inner(_x())  # inner has its own program now

    twin = _model()
    twin_opt = optimizers.SGD(twin.parameters(), lr=0.1)
    twin_step = _train_step(twin, twin_opt)
    for _ in range(3):
        twin_step(_x())

    outer = ag.compile(lambda x: inner(x) * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback
        for s in range(5):  # the outer traces see the inner step's ops: replays do them too
            a, b = outer(_x(seed=s)), twin_step(_x(seed=s)) * 2
            assert a._data.tobytes() == b._data.tobytes()
    assert all(p._data.tobytes() == q._data.tobytes()
               for p, q in zip(model.parameters(), twin.parameters()))
    assert outer.traces == 1


def test_another_thread_reading_values_does_not_disturb_a_trace():
    import threading

    model = _model()
    stop = threading.Event()

    def reader():
        t = ag.tensor([1.0, 2.0])
        while not stop.is_set():
            t.sum().item()
            print(t, end="")

    worker = threading.Thread(target=reader)
    worker.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no fallback
            compiled, _ = _warmed(model, _x())
    finally:
        stop.set()
        worker.join()
    assert compiled.traces == 1


def test_the_same_tensor_passed_twice_is_another_signature():
    compiled = ag.compile(lambda a, b: a * 2 + b)
    x, y = _x(seed=1), _x(seed=2)
    for _ in range(3):
        compiled(x, x)
    got = compiled(x, y)
    assert compiled.traces == 2
    assert np.array_equal(got._data, x._data * 2 + y._data)


def test_constants_made_inside_the_step_replay():
    """Tensors made from Python values inside the step (ag.zeros, ag.tensor, ag.arange) are
    constants of the program: no fallback, eager's numbers."""
    def step(x):
        offset = ag.tensor([0.5, -0.5, 1.0], dtype=ag.float64) + ag.zeros(3, dtype=ag.float64)
        return (x + offset) * ag.arange(3, dtype=ag.float64)

    compiled = ag.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for s in range(4):
            assert np.array_equal(compiled(_x(seed=s))._data, step(_x(seed=s))._data)
    assert compiled.traces == 1


def test_anomaly_mode_runs_the_step_eagerly():
    model = _model()
    compiled, _ = _warmed(model, _x())
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        compiled(_x())
    with pytest.raises(RuntimeError, match="detect_anomaly"), np.errstate(over="ignore"):
        with ag.detect_anomaly():
            # an op of the step makes inf from finite values: the eager check names it
            compiled(ag.tensor(np.full((5, 3), 1e308)))
    assert compiled.traces == 1


def test_a_compiled_method_and_object_arguments():
    class Trainer:
        def __init__(self):
            self.model = _model()
            self.opt = optimizers.SGD(self.model.parameters(), lr=0.1)

        @ag.compile
        def step(self, x):
            self.opt.zero_grad()
            loss = (self.model(x) ** 2).mean()
            loss.backward()
            self.opt.step()
            return loss

    a, b = Trainer(), Trainer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback
        for s in range(4):
            la, lb = a.step(_x(seed=s)), Trainer.step.eager(b, _x(seed=s))
            assert la._data.tobytes() == lb._data.tobytes()
        c = Trainer()  # another object: another signature, its own parameters
        lc = c.step(_x(seed=9))
    assert Trainer.step.traces == 2
    assert lc._data.tobytes() != la._data.tobytes()
    assert [p._data.tobytes() for p in a.model.parameters()] == [
        p._data.tobytes() for p in b.model.parameters()]


def test_keyword_arguments_run_eagerly_with_a_warning():
    compiled = ag.compile(lambda x, scale=2.0: x * scale)
    with pytest.warns(RuntimeWarning, match="keyword arguments"):
        out = compiled(_x(), scale=3.0)
    assert np.array_equal(out._data, _x()._data * 3.0)


def test_replay_drops_intermediates_as_eager_does():
    """A replay frees each array after its last reader, as eager frees it (it held every
    intermediate to the end of the step: 20 arrays alive instead of 2, and large steps ran
    1.7x slower than eager)."""
    import tracemalloc

    n = 1 << 17  # 1 MiB of float64 per array

    def step(x):
        y = x
        with ag.no_grad():
            for _ in range(20):
                y = y.exp() * 0.1  # exp does not fuse: every op makes an array
        return y.sum()

    compiled = ag.compile(step, strict=True)
    x = ag.tensor(np.zeros(n))
    for _ in range(3):
        compiled(x)
    peaks = []
    for fn in (step, compiled):
        tracemalloc.start()
        try:
            fn(x)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    eager, replay = peaks
    assert eager < 4 * 8 * n
    assert replay < 4 * 8 * n, f"replay peak {replay} bytes, eager {eager}"


_SCALE = [2.0]  # a global the step below reads (guarded by value)
_WEIGHTS = {"w": 1.0}  # a global dict the step below reads (guarded by its items)


def _guard_changes():
    """Changes between calls, each undone by its second element (None: not undone)."""
    def setattr_(obj, name, value):
        old = getattr(obj, name)
        return lambda: setattr(obj, name, value), lambda: setattr(obj, name, old)

    def new_array(t, make):
        old = t._data
        return lambda: setattr(t, "_data", make(old)), lambda: setattr(t, "_data", old)

    return {
        "weight replaced by an equal array": lambda m, opt: new_array(m[0].weight, np.copy),
        "weight in Fortran order": lambda m, opt: new_array(m[0].weight, np.asfortranarray),
        "weight float32": lambda m, opt: new_array(m[0].weight,
                                                   lambda a: a.astype(np.float32)),
        "weight of another shape": lambda m, opt: new_array(m[0].weight, lambda a: a[:, :2]),
        "requires_grad off": lambda m, opt: setattr_(m[0].weight, "_requires_grad", False),
        "a tensor hook": lambda m, opt: (lambda: m[0].weight.register_hook(lambda g: g),
                                         lambda: m[0].weight._hooks.clear()),
        "a forward hook": lambda m, opt: (lambda: m[1].register_forward_hook(
            lambda *a: None), lambda: m[1]._forward_hooks.clear()),
        "a backward hook": lambda m, opt: _hook_change(lambda: m[1].register_full_backward_hook(
            lambda *a: None)),
        "a backward pre hook": lambda m, opt: _hook_change(
            lambda: m[3].register_full_backward_pre_hook(lambda *a: None)),
        # (not undone: registering it adds its registry to the module's attributes, whose
        # number is guarded, so the guards keep failing after its removal: a re-trace)
        "a non-full backward hook": lambda m, opt: (
            lambda: m[3].register_backward_hook(lambda *a: None), None),
        "a global forward hook": lambda m, opt: _hook_change(
            lambda: nn.modules.module.register_module_forward_hook(lambda *a: None)),
        "a global forward pre hook": lambda m, opt: _hook_change(
            lambda: nn.modules.module.register_module_forward_pre_hook(lambda *a: None)),
        "forward patched on the instance": lambda m, opt: (
            lambda: setattr(m[2], "forward", lambda x: x),
            lambda: m[2].__dict__.pop("forward")),
        "eval mode": lambda m, opt: (m.eval, m.train),
        "an attribute to an equal new float": lambda m, opt: setattr_(
            m[2], "scale", float("0.5")),
        "an attribute changed": lambda m, opt: setattr_(m[2], "scale", 0.25),
        "an attribute to -0.0": lambda m, opt: setattr_(m[2], "tiny", -0.0),
        "an attribute deleted": lambda m, opt: (lambda: delattr(m[2], "scale"),
                                                lambda: setattr(m[2], "scale", 0.5)),
        "a submodule replaced": lambda m, opt: (
            lambda: m._modules.__setitem__("1", nn.ReLU()), None),
        "a global number changed": lambda m, opt: (lambda: _SCALE.__setitem__(0, 3.0),
                                                   lambda: _SCALE.__setitem__(0, 2.0)),
        "a global dict's item changed": lambda m, opt: (
            lambda: _WEIGHTS.__setitem__("w", 0.5), lambda: _WEIGHTS.__setitem__("w", 1.0)),
    }


def _hook_change(register):
    """(do, undo) for a hook: ``register`` returns its handle."""
    handles = []
    return lambda: handles.append(register()), lambda: handles.pop().remove()


class _Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = 0.5
        self.tiny = 0.0

    def forward(self, x):
        return x * self.scale + self.tiny


@pytest.mark.parametrize("change", sorted(_guard_changes()))
def test_generated_guards_equal_the_interpreted_ones(change):
    """guards_hold is a generated function: after each change (and after undoing it) it
    answers as the loops over the guards do, and a changed step re-traces."""
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), _Scaled(), nn.Linear(4, 1)).double()
    opt = optimizers.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (model(x) * _SCALE[0] * _WEIGHTS["w"]).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    compiled = ag.compile(step)
    for _ in range(3):
        compiled(_x())
    (program, _), = compiled._cache.values()
    assert program.guards_hold() is True and program.guards_hold_interpreted() is True
    do, undo = _guard_changes()[change](model, opt)
    do()
    held = program.guards_hold()
    assert held is program.guards_hold_interpreted()
    # the warnings' words for it: None exactly when the guards hold
    why = program.failed_guard()
    assert (why is None) is held and (held or len(why) > 10)
    # an equal new float is the same constant, and a parameter's new array of the same
    # shape, dtype and strides is read at every replay; everything else fails the guards
    assert held is (change in ("an attribute to an equal new float",
                               "weight replaced by an equal array"))
    if undo is not None:
        undo()
        assert program.guards_hold() is program.guards_hold_interpreted() is True


def _double_grad_input(m, grad_input, grad_output):
    return tuple(None if g is None else g * 2 for g in grad_input)


# hooks a trace does not record (a backward hook's work, a global hook that every module call
# runs): each registered (and the global ones removed) between replays, as a training loop may
_LATE_HOOKS = {
    "full backward hook": lambda m: m[2].register_full_backward_hook(_double_grad_input),
    "full backward pre hook": lambda m: m[2].register_full_backward_pre_hook(
        lambda mod, grad_output: (grad_output[0] * 2,)),
    "non-full backward hook": lambda m: m[2].register_backward_hook(_double_grad_input),
    "global forward hook": lambda m: nn.modules.module.register_module_forward_hook(
        lambda mod, args, out: out * 2 if isinstance(mod, nn.Linear) else None),
    "global forward pre hook": lambda m: nn.modules.module.register_module_forward_pre_hook(
        lambda mod, args: (args[0] * 0.5,) if isinstance(mod, nn.Linear) else None),
}


@pytest.mark.parametrize("hook", sorted(_LATE_HOOKS))
@pytest.mark.parametrize("registered_at", [0, 3])
def test_module_hooks_registered_or_removed_between_replays(hook, registered_at):
    """A module's backward hooks and the global forward hooks were not guarded: registered
    after the trace, the replay silently skipped them (and a global hook seen by the trace
    was replayed after its removal). Now a step meeting one runs eagerly with a warning, a
    replay's guards fail once one is added, and the numbers are eager's at every step."""
    results = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
        opt = optimizers.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def step(x):
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
            return loss

        fn = ag.compile(step) if compiled else step
        out, handle = [], None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                for i in range(8):
                    if i == registered_at:
                        handle = _LATE_HOOKS[hook](model)
                    if i == 6:
                        handle.remove()
                    out.append(fn(_x())._data.tobytes())
                    out += [p._data.tobytes() for p in model.parameters()]
            finally:
                handle.remove()  # (a global hook outlives the test otherwise)
        results.append(out)
        if compiled:
            assert any("hook" in str(w.message) for w in caught)
    assert results[0] == results[1]


@pytest.mark.parametrize("target", ["model", "layer"])
def test_forward_patched_on_the_instance_between_replays(target):
    """``model.forward = wrapper`` (a quick instrumentation, or a wrapper scaling the output)
    set after the trace was never looked at: replays kept the traced forward (eager's loss
    quadruples at step 3, the replay's did not). A module's attribute count is guarded now."""
    results = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
        opt = optimizers.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
            return loss

        fn = ag.compile(step) if compiled else step
        out = []
        for i in range(6):
            if i == 3:
                m = model if target == "model" else model[0]
                original = m.forward
                m.forward = lambda x, original=original: original(x) * 2
            out.append(fn(_x())._data.tobytes())
            out += [p._data.tobytes() for p in model.parameters()]
        results.append(out)
    assert results[0] == results[1]


class _OptionalScale(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(3, 2)

    def forward(self, x):
        out = self.body(x)
        if hasattr(self, "scale"):  # a parameter registered later, when present
            out = out * self.scale
        return out


def test_a_parameter_registered_after_the_trace():
    """``model.scale = nn.Parameter(...)`` after the capture, used by a forward that checks
    ``hasattr``: the replay kept the traced forward without it (eager's outputs doubled, the
    replay's did not). The attribute count of the module fails the guards now."""
    results = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = _OptionalScale().double()
        opt = optimizers.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
            return loss

        fn = ag.compile(step) if compiled else step
        out = []
        for i in range(6):
            if i == 3:
                model.scale = nn.Parameter(ag.full((2,), 2.0, dtype=ag.float64))
            out.append(fn(_x())._data.tobytes())
            out += [p._data.tobytes() for p in model.parameters()]
        results.append(out)
    assert results[0] == results[1]
