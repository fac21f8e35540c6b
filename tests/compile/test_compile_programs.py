"""ag.compile on training programs as users write them: each step compiled and run next to an
identical eager copy (same seed, same batches, the same changes between calls), comparing bit
for bit after every call the returned values, every parameter and ``.grad``, the buffers, the
optimizer state and hyperparameters and the random generator's state. Changes between calls
(hyperparameters edited, schedulers, checkpoints loaded, layers frozen, ``.data`` rebound, grads
set by hand, seeds, train/eval), what steps do inside (micro-batches, ``detach``, ``no_grad``,
in-place ops, label smoothing, ``ignore_index``, embeddings, tied weights, unused parameters,
several returned tensors), alternating batch sizes, fallbacks, and memory over many calls."""

import gc
import random
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from autograd_core.random import default_generator
from optimizers import lr_scheduler as S

CE = nn.CrossEntropyLoss()


# ---- the harness -----------------------------------------------------------------------------

def _everything(model, opt):
    """Every number a step can change, as bytes: parameters and gradients, buffers, optimizer
    state and hyperparameters, the random generator."""
    out = []
    for name, p in model.named_parameters():
        out.append((name, p._data.tobytes(), None if p.grad is None else p.grad._data.tobytes()))
    out += [(name, b._data.tobytes()) for name, b in model.named_buffers()]
    for st in opt.state.values():
        out += [(k, v._data.tobytes() if isinstance(v, ag.Tensor) else
                 v.tobytes() if isinstance(v, np.ndarray) else v)
                for k, v in sorted(st.items())]
    out += [repr(sorted((k, v) for k, v in g.items() if k != "params"))
            for g in opt.param_groups]
    out.append(repr(default_generator._rng.bit_generator.state))
    return out


def _flat(r):
    if isinstance(r, ag.Tensor):
        return r._data.dtype, r._data.shape, r._data.tobytes()
    if isinstance(r, (tuple, list)):
        return type(r), tuple(_flat(x) for x in r)
    return r


def _assert_like_eager(build, batches, between=None, fallback=None):
    """``build() -> (model, opt, step)`` twice; the step run eagerly on one copy and compiled
    on the other over ``batches`` (``between(i, model, opt)`` before call ``i``, on both).
    Equal after every call; ``fallback``: the one expected warning (None: no warning).
    Returns the compiled step."""
    logs = []
    for use_compile in (False, True):
        model, opt, step = build()
        fn = ag.compile(step) if use_compile else step
        log = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i, batch in enumerate(batches):
                if between is not None:
                    between(i, model, opt)
                log.append((_flat(fn(*batch)), _everything(model, opt)))
        logs.append(log)
    for i, (want, got) in enumerate(zip(*logs)):
        assert got[0] == want[0], f"the step's result differs at call {i}"
        for w, g in zip(want[1], got[1]):
            assert g == w, f"{w[0] if isinstance(w, tuple) else w[:40]} differs at call {i}"
    messages = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    if fallback is None:
        assert messages == []
    else:
        assert len(messages) == 1 and fallback in messages[0], messages
    return fn


def _batches(n=7, batch=8, features=4, classes=3, seed=0, sizes=None):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        b = batch if sizes is None else sizes[i % len(sizes)]
        out.append((ag.tensor(rng.standard_normal((b, features)).astype(np.float32)),
                    ag.tensor(rng.integers(0, classes, b))))
    return out


def _mlp(*middle):
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), *middle, nn.ReLU(), nn.Linear(8, 3))


def _train(make_opt=lambda p: optimizers.SGD(p, lr=0.1), middle=(), sched=None, body=None,
           model=None):
    """A builder: the classic step (zero_grad, forward, loss, backward, step, scheduler) or
    ``body(model, opt, *batch)``. ``middle``: layer classes and arguments, made per copy."""
    def build():
        m = model() if model else _mlp(*(cls(*a) for cls, *a in middle))
        opt = make_opt(m.parameters())
        sc = sched(opt) if sched else None

        def step(*batch):
            if body is not None:
                return body(m, opt, *batch)
            opt.zero_grad()
            loss = CE(m(batch[0]), batch[1])
            loss.backward()
            opt.step()
            if sc is not None:
                sc.step()
            return loss

        return m, opt, step
    return build


# ---- changes between calls -------------------------------------------------------------------

def _set(i, at, fn):
    if i == at:
        fn()


@pytest.mark.parametrize("key, value, make_opt", [
    ("weight_decay", 0.1, lambda p: optimizers.SGD(p, lr=0.1)),
    ("momentum", 0.5, lambda p: optimizers.SGD(p, lr=0.05, momentum=0.9)),
    ("betas", (0.5, 0.9), lambda p: optimizers.Adam(p, lr=1e-2)),
    ("weight_decay", 0.1, lambda p: optimizers.AdamW(p, lr=1e-2)),
    ("alpha", 0.5, lambda p: optimizers.RMSprop(p, lr=1e-2)),
])
def test_hyperparameters_edited_between_calls(key, value, make_opt):
    def between(i, model, opt):
        _set(i, 4, lambda: opt.param_groups[0].__setitem__(key, value))
    fn = _assert_like_eager(_train(make_opt), _batches(), between)
    assert fn.traces == 1


@pytest.mark.parametrize("sched", [
    lambda o: S.StepLR(o, 2, 0.5),
    lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=20),
], ids=["steplr", "onecycle"])
def test_schedulers_stepped_inside(sched):
    _assert_like_eager(_train(lambda p: optimizers.SGD(p, lr=0.01, momentum=0.9), sched=sched),
             _batches())


def test_reduce_lr_on_plateau_fed_the_returned_loss():
    scheds = []

    def make_opt(p):
        opt = optimizers.SGD(p, lr=0.1)
        scheds.append(S.ReduceLROnPlateau(opt, patience=0, factor=0.5))
        return opt

    def between(i, model, opt):
        if i:
            scheds[-1].step(last[0])

    last = [None]
    batches = _batches(8)
    runs = []
    for use_compile in (False, True):  # the scheduler is fed outside the step
        model, opt, step = _train(make_opt)()
        fn = ag.compile(step) if use_compile else step
        lrs = []
        for i, b in enumerate(batches):
            between(i, model, opt)
            last[0] = fn(*b)
            lrs.append(opt.param_groups[0]["lr"])
        runs.append((lrs, _everything(model, opt)))
    assert runs[0] == runs[1]
    want = runs[0][0]
    assert len(set(want)) > 1


def test_checkpoints_loaded_between_calls():
    """model.load_state_dict and opt.load_state_dict of a checkpoint taken earlier (batch
    norm's buffers and Adam's state restored)."""
    saved = {}

    def between(i, model, opt):
        if i == 2:
            saved[id(model)] = model.state_dict(), opt.state_dict()
        if i == 5:
            m, o = saved[id(model)]
            model.load_state_dict(m)
            opt.load_state_dict(o)

    _assert_like_eager(_train(lambda p: optimizers.Adam(p, lr=1e-2), middle=[(nn.BatchNorm1d, 8)]),
             _batches(8), between)


def test_parameter_values_written_between_calls():
    """``p.data = ...``, ``p.data.copy_(...)``, an in-place op under no_grad outside the step."""
    def between(i, model, opt):
        w, v = model[0].weight, model[2].weight
        _set(i, 3, lambda: setattr(w, "data", ag.tensor(np.ones((8, 4), np.float32))))
        _set(i, 4, lambda: w.data.copy_(ag.tensor(np.full((8, 4), 0.5, np.float32))))
        if i == 5:
            with ag.no_grad():
                v.mul_(0.5)

    _assert_like_eager(_train(lambda p: optimizers.Adam(p, lr=1e-2)), _batches(8), between)


def test_freezing_and_unfreezing_a_layer():
    def between(i, model, opt):
        _set(i, 3, lambda: model[0].weight.requires_grad_(False))
        _set(i, 6, lambda: model[0].weight.requires_grad_(True))

    fn = _assert_like_eager(_train(lambda p: optimizers.Adam(p, lr=1e-2)), _batches(9), between)
    assert fn.traces == 3


def test_gradients_accumulated_across_calls_and_set_by_hand():
    """The step has no zero_grad: gradients add up over calls; between calls one is dropped
    (``= None``) and one set by hand."""
    def body(model, opt, x, y):
        loss = CE(model(x), y)
        loss.backward()
        return loss

    def between(i, model, opt):
        w = model[0].weight
        _set(i, 3, lambda: setattr(w, "grad", None))
        _set(i, 5, lambda: setattr(w, "grad", ag.tensor(np.ones((8, 4), np.float32))))

    _assert_like_eager(_train(body=body), _batches(), between)


def test_seeds_set_between_calls_with_dropout():
    """``ag.manual_seed(k)`` between calls: the same masks as eager and the generator left in
    the same state (the masks repeat with the seed, they are not the traced ones)."""
    def between(i, model, opt):
        ag.manual_seed(i % 3)

    _assert_like_eager(_train(middle=[(nn.Dropout, 0.5)]), _batches(), between)


def test_train_and_eval_alternating_with_dropout_and_batch_norm():
    def between(i, model, opt):
        model.train(i not in (3, 5))

    _assert_like_eager(_train(middle=[(nn.BatchNorm1d, 8), (nn.Dropout, 0.3)]), _batches(8), between)


# ---- what steps do inside --------------------------------------------------------------------

def _micro_batches(model, opt, x, y):
    opt.zero_grad()
    first = CE(model(x[:4]), y[:4]) / 2
    first.backward()
    second = CE(model(x[4:]), y[4:]) / 2
    second.backward()
    opt.step()
    return first + second


def _detach_and_no_grad(model, opt, x, y):
    opt.zero_grad()
    h = model[0](x)
    target = h.detach() * 2
    with ag.no_grad():
        soft = model(x).softmax(1)
    out = model[2](model[1](h))
    loss = CE(out, y) + ((h - target) ** 2).mean() + (soft * out).mean()
    loss.backward()
    opt.step()
    return loss, target


def _in_place_on_plain_tensors(model, opt, x, y):
    opt.zero_grad()
    x2 = x * 1.0
    x2.add_(1.0)
    x2.mul_(0.5)
    loss = CE(model(x2), y)
    loss.backward()
    opt.step()
    return loss


def _several_results(model, opt, x, y):
    opt.zero_grad()
    out = model(x)
    loss = CE(out, y)
    loss.backward()
    opt.step()
    return loss, out.detach(), (out.argmax(1) == y).float().mean(), [loss * 2]


def _label_smoothing_and_ignore_index(model, opt, x, y):
    opt.zero_grad()
    loss = nn.CrossEntropyLoss(label_smoothing=0.2, ignore_index=1)(model(x), y)
    loss.backward()
    opt.step()
    return loss


@pytest.mark.parametrize("body", [_micro_batches, _detach_and_no_grad,
                                  _in_place_on_plain_tensors, _several_results,
                                  _label_smoothing_and_ignore_index],
                         ids=lambda f: f.__name__[1:])
def test_steps_as_users_write_them(body):
    fn = _assert_like_eager(_train(lambda p: optimizers.Adam(p, lr=1e-2), body=body), _batches())
    assert fn.traces == 1


def test_ignored_targets_change_after_identical_first_calls():
    """The first two calls get the same batch (a full-batch or overfit-one-batch start), later
    calls other targets with ``ignore_index`` at other places: the count of targets kept is
    recomputed, never the traced one."""
    rng = np.random.default_rng(3)
    batches = _batches(7)
    ys = [ag.tensor(np.where(rng.random(8) < 0.4, -100, rng.integers(0, 3, 8)))
          for _ in range(6)]
    batches = [(batches[0][0], ys[0]), *((x, y) for (x, _), y in zip(batches, ys))]

    def body(model, opt, x, y):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss(label_smoothing=0.1)(model(x), y)  # ignore_index=-100
        loss.backward()
        opt.step()
        return loss

    fn = _assert_like_eager(_train(body=body), batches)
    assert fn.traces == 1


class _TiedLM(nn.Module):
    """An embedding whose weight the output layer reuses, and a layer the loss never uses."""

    def __init__(self):
        super().__init__()
        ag.manual_seed(0)
        self.emb = nn.Embedding(10, 4, padding_idx=0)
        self.out = nn.Linear(4, 10, bias=False)
        self.out.weight = self.emb.weight
        self.unused = nn.Linear(3, 3)

    def forward(self, idx):
        return self.out(self.emb(idx).mean(1))


def test_tied_weights_embedding_and_an_unused_parameter():
    rng = np.random.default_rng(1)
    batches = [(ag.tensor(rng.integers(0, 10, (8, 3))), ag.tensor(rng.integers(0, 10, 8)))
               for _ in range(6)]
    batches.insert(1, batches[0])
    fn = _assert_like_eager(_train(lambda p: optimizers.AdamW(p, lr=1e-2), model=_TiedLM), batches)
    assert fn.traces == 1


@pytest.mark.parametrize("make_opt", [
    lambda p: optimizers.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
    lambda p: optimizers.SGD(p, lr=0.1, momentum=0.9, maximize=True, foreach=True),
    lambda p: optimizers.Adam(p, lr=1e-2, amsgrad=True, weight_decay=1e-2),
    lambda p: optimizers.Adam(p, lr=1e-2, maximize=True, foreach=True),
    lambda p: optimizers.AdamW(p, lr=1e-2, amsgrad=True),
    lambda p: optimizers.RMSprop(p, lr=1e-2, centered=True, momentum=0.9),
    lambda p: optimizers.RMSprop(p, lr=1e-2, foreach=True, maximize=True),
], ids=["sgd-nesterov-wd", "sgd-maximize-foreach", "adam-amsgrad-wd", "adam-maximize-foreach",
        "adamw-amsgrad", "rmsprop-centered-momentum", "rmsprop-foreach-maximize"])
def test_optimizer_variants(make_opt):
    _assert_like_eager(_train(make_opt), _batches())


def test_batch_sizes_alternating_with_batch_norm_and_dropout():
    """A last short batch every third call: two programs, each replayed for its size."""
    fn = _assert_like_eager(_train(lambda p: optimizers.Adam(p, lr=1e-2),
                         middle=[(nn.BatchNorm1d, 8), (nn.Dropout, 0.2)]),
                  _batches(12, sizes=(5, 8, 8)))
    assert fn.traces == 2


def test_every_call_a_new_batch_size_reaches_the_cache_limit():
    fn = _assert_like_eager(_train(), _batches(11, sizes=tuple(range(2, 13))), fallback="cache_limit")
    assert fn.traces == 8


# ---- fallbacks -------------------------------------------------------------------------------

def _float_of_loss(model, opt, x, y):
    opt.zero_grad()
    loss = CE(model(x), y)
    loss.backward()
    opt.step()
    return loss, float(loss)


def _returns_a_dict(model, opt, x, y):
    opt.zero_grad()
    loss = CE(model(x), y)
    loss.backward()
    opt.step()
    return {"loss": loss}


def _in_place_relu_on_a_graph(model, opt, x, y):
    opt.zero_grad()
    loss = CE(model[2](model[0](x).relu_()), y)
    loss.backward()
    opt.step()
    return loss


@pytest.mark.parametrize("body, reason", [
    (_float_of_loss, "__float__ on a tensor"),
    (_returns_a_dict, "returns a dict"),
    (_in_place_relu_on_a_graph, "in-place op on a tensor that requires grad"),
], ids=["float", "dict", "relu_"])
def test_fallbacks_give_eagers_numbers(body, reason):
    _assert_like_eager(_train(body=body), _batches(), fallback=reason)


def test_a_returned_graph_used_after_the_step_is_refused():
    """A compiled forward whose result the caller backpropagates (alone or with another loss):
    a replay's result is detached, so the parameters' gradients silently stayed None (or
    missed the step's part) from the third call on. The trace is refused: eager's numbers."""
    extra = ag.tensor(np.ones(3, np.float32), requires_grad=True)

    def between(i, model, opt):
        for p in model.parameters():
            p.grad = None

    def body(model, opt, x):
        return model(x)

    runs = []
    for use_compile in (False, True):
        model, opt, step = _train(body=body)()
        fn = ag.compile(step) if use_compile else step
        grads = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i, (x, y) in enumerate(_batches(5)):
                between(i, model, opt)
                (CE(fn(x), y) + extra.sum()).backward()
                grads.append(model[0].weight.grad._data.tobytes())
        runs.append(grads)
    assert runs[0] == runs[1]
    [message] = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    assert "no backward inside the step went through" in message
    model = _mlp()
    strict = ag.compile(lambda x: model(x), strict=True)
    with pytest.raises(ag.CompileFallback, match="reaches a leaf"):
        strict(_batches(1)[0][0])


def test_a_result_built_on_a_backpropagated_loss_is_still_captured():
    """``loss * 2`` after ``loss.backward()``: its graph reaches the parameters only through
    the loss's, which the step's backward ran: captured (eager's second backward through it
    fails as the graph was freed)."""
    def body(model, opt, x, y):
        opt.zero_grad()
        loss = CE(model(x), y)
        loss.backward()
        opt.step()
        return loss * 2 + (loss * 0).detach()

    fn = _assert_like_eager(_train(body=body), _batches())
    assert fn.traces == 1


# ---- memory ----------------------------------------------------------------------------------

def test_many_calls_do_not_grow_memory_and_deleting_frees_the_program():
    model, opt, step = _train(lambda p: optimizers.Adam(p, lr=1e-3),
                              middle=[(nn.BatchNorm1d, 8), (nn.Dropout, 0.1)])()
    fn = ag.compile(step)
    batches = _batches(2)
    for i in range(50):
        fn(*batches[i % 2])
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(500):
            fn(*batches[i % 2])
        gc.collect()
        first, _ = tracemalloc.get_traced_memory()
        for i in range(500):
            fn(*batches[i % 2])
        gc.collect()
        second, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert second - first < 20_000, f"grew {second - first} bytes over 500 calls"
    assert fn.traces == 1
    (program, _), = fn._cache.values()
    refs = [weakref.ref(fn), weakref.ref(program)]
    del fn, program
    gc.disable()  # freed by reference counting alone: the guards hold no cycle
    try:
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


# ---- Python values the step reads ------------------------------------------------------------

_KL_WEIGHT = 0.0  # a module global the step reads, annealed between calls by the loop


def test_a_global_loss_weight_changed_after_the_trace_retraces():
    """The weight is 0 for the first calls (traced, verified), then annealed: the trace had
    baked the first value in and replays kept using it (silently wrong losses and updates)."""
    global _KL_WEIGHT

    def between(i, model, opt):
        global _KL_WEIGHT
        _KL_WEIGHT = 0.0 if i < 4 else 0.5 if i < 6 else 0.75

    def build():
        model = _mlp()
        opt = optimizers.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            out = model(x)
            loss = CE(out, y) + _KL_WEIGHT * (out ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    try:
        fn = _assert_like_eager(build, _batches(9), between)
    finally:
        _KL_WEIGHT = 0.0
    assert fn.traces == 3


@pytest.mark.parametrize("kind", ["nonlocal", "list"])
def test_a_counter_deciding_the_optimizer_step_is_not_replayed_stale(kind):
    """Gradient accumulation by a counter inside the step: ``opt.step()`` every fourth call.
    The first two calls agree (no step), so the replay never stepped; the counter (a closure
    number or a one-item list) is guarded, and the step changes it, which no replay would: the
    first trace gives up with that reason, and the step runs eagerly with eager's numbers."""
    def build():
        model = _mlp()
        opt = optimizers.SGD(model.parameters(), lr=0.1)
        count = 0
        box = [0]

        def step(x, y):
            nonlocal count
            loss = CE(model(x), y) / 4
            loss.backward()
            if kind == "nonlocal":
                count += 1
                due = count % 4 == 0
            else:
                box[0] += 1
                due = box[0] % 4 == 0
            if due:
                opt.step()
                opt.zero_grad()
            return loss

        return model, opt, step

    _assert_like_eager(build, _batches(12), fallback="the step changes")


def test_a_loop_variable_named_like_a_method_the_step_calls_is_not_guarded():
    """Only globals the step reads are guarded, not every name in its code: a notebook's
    ``for step in range(n)`` changes the global ``step`` while the step calls ``opt.step()``."""
    model, opt, _ = _train()()
    scope = {"model": model, "opt": opt, "CE": CE}
    exec("def train(x, y):\n"  # a notebook cell: its globals are the notebook's
         "    opt.zero_grad()\n"
         "    loss = CE(model(x), y)\n"
         "    loss.backward()\n"
         "    opt.step()\n"
         "    return loss\n", scope)
    fn = ag.compile(scope["train"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for step, batch in enumerate(_batches(6)):
            scope["step"] = step
            fn(*batch)
    assert fn.traces == 1


class _Trainer:
    """A training loop's object: the step is a compiled method reading ``self``'s numbers."""

    def __init__(self):
        self.model = _mlp()
        self.opt = optimizers.SGD(self.model.parameters(), lr=0.1)
        self.kl_weight = 0.0
        self.global_step = 0

    def step(self, x, y):
        self.opt.zero_grad()
        out = self.model(x)
        loss = CE(out, y) + self.kl_weight * (out ** 2).mean()
        loss.backward()
        self.opt.step()
        return loss


class _CountingTrainer(_Trainer):
    def step(self, x, y):
        self.global_step += 1
        return super().step(x, y)


@pytest.mark.parametrize("cls", [_Trainer, _CountingTrainer])
def test_a_compiled_methods_attributes_are_guarded(cls):
    """``self.kl_weight`` changed by the loop after the trace (it was baked in), and a
    ``self.global_step`` the step increments (replays skipped the increment: it stayed at 2)."""
    compiled = ag.compile(cls.step)
    runs = []
    for step in (cls.step, compiled):
        trainer = cls()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            losses = []
            for i, (x, y) in enumerate(_batches(12)):
                trainer.kl_weight = 0.0 if i < 5 else 0.5
                losses.append(step(trainer, x, y)._data.tobytes())
        runs.append((losses, trainer.global_step, _everything(trainer.model, trainer.opt)))
    assert runs[0] == runs[1]
    messages = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    if cls is _Trainer:
        assert messages == [] and compiled.traces == 2
    else:
        assert len(messages) == 1 and "the step changes 'global_step'" in messages[0]


_NOTEBOOK_STEP = """
def train(x, y):
    opt.zero_grad()
    loss = crit(model(x), y)
    loss.backward()
    opt.step()
    return loss
"""


def test_rebinding_the_optimizer_loss_or_model_between_calls_retraces():
    """A notebook's loop makes a new optimizer (after unfreezing), a new loss function, a new
    model: the replay had kept calling the old optimizer's step, the old loss's constants and
    the old model's parameters (traces stayed 1, the losses differed)."""
    runs = []
    for use_compile in (False, True):
        scope = {"model": _mlp(), "crit": CE}
        scope["opt"] = optimizers.SGD(scope["model"].parameters(), lr=0.1)
        exec(_NOTEBOOK_STEP, scope)
        fn = ag.compile(scope["train"]) if use_compile else scope["train"]
        log = []
        for i, batch in enumerate(_batches(10)):
            if i == 4:
                scope["opt"] = optimizers.Adam(scope["model"].parameters(), lr=1e-2)
            elif i == 6:
                scope["crit"] = nn.CrossEntropyLoss(label_smoothing=0.3)
            elif i == 8:
                ag.manual_seed(1)
                scope["model"] = nn.Sequential(nn.Linear(4, 3))
                scope["opt"] = optimizers.SGD(scope["model"].parameters(), lr=0.1)
            log.append((fn(*batch)._data.tobytes(),
                        _everything(scope["model"], scope["opt"])))
        runs.append(log)
    assert runs[0] == runs[1]
    assert fn.traces == 4


def test_a_compiled_methods_new_optimizer_retraces():
    compiled = ag.compile(_Trainer.step)
    runs = []
    for step in (_Trainer.step, compiled):
        trainer = _Trainer()
        log = []
        for i, (x, y) in enumerate(_batches(7)):
            if i == 4:
                trainer.opt = optimizers.Adam(trainer.model.parameters(), lr=1e-2)
            log.append((step(trainer, x, y)._data.tobytes(),
                        _everything(trainer.model, trainer.opt)))
        runs.append(log)
    assert runs[0] == runs[1] and compiled.traces == 2


_AUGMENT_RNG = np.random.default_rng(3)


@pytest.mark.parametrize("draw", ["random", "numpy.random", "Generator"])
def test_a_random_flip_drawn_in_python_runs_eagerly(draw):
    """Augmentation inside the step with Python's, numpy's or the user's own generator: the
    first two calls agree (no flip twice, then a flip: seeds chosen so), so the replay froze
    the trace's choice (never flipped). Such a trace now falls back, with eager's numbers."""
    rand, seed = {"random": (random.random, 0), "numpy.random": (np.random.rand, 3),
                  "Generator": (_AUGMENT_RNG.random, 1)}[draw]

    def build():
        random.seed(seed)
        np.random.seed(seed)
        _AUGMENT_RNG.bit_generator.state = np.random.default_rng(seed).bit_generator.state
        model = _mlp()
        opt = optimizers.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            if rand() < 0.5:
                x = x.flip(1)
            opt.zero_grad()
            loss = CE(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    build()
    assert [rand() < 0.5 for _ in range(3)] == [False, False, True]
    _assert_like_eager(build, _batches(10), fallback="random numbers drawn in Python")


def test_a_layer_replaced_between_calls_retraces():
    """Fine-tuning resets the head (``model[2] = nn.Linear(...)``) and gives it to the
    optimizer: the module guard saw only the container's own parameters and buffers, so the
    replay kept reading the old head's parameters."""
    def between(i, model, opt):
        if i == 4:
            ag.manual_seed(5)
            model[2] = nn.Linear(8, 3)
            opt.add_param_group({"params": list(model[2].parameters()), "lr": 0.05})

    fn = _assert_like_eager(_train(), _batches(8), between)
    assert fn.traces == 2


def test_a_number_argument_of_the_other_sign_of_zero_is_another_signature():
    """0.0 == -0.0 (one cache key before), but a step scaling by it gives zeros of the other
    sign; a NaN argument is never equal to the traced one either (re-traced, not replayed)."""
    compiled = ag.compile(lambda x, s: x * s)
    x = ag.tensor([1.0, -2.0])
    for s in (0.0, 0.0, 0.0, -0.0, float("nan"), 2.5):
        assert compiled(x, s)._data.tobytes() == (x * s)._data.tobytes()
    assert compiled.traces == 4


def test_a_small_cnn_with_clipping():
    """Conv2d, BatchNorm2d, MaxPool2d, Dropout2d, GroupNorm, GELU, adaptive pooling, gradient
    clipping and AdamW in one step (no existing compile test has Dropout2d or GroupNorm)."""
    rng = np.random.default_rng(0)
    batches = [(ag.tensor(rng.standard_normal((4, 1, 8, 8)).astype(np.float32)),
                ag.tensor(rng.integers(0, 3, 4))) for _ in range(6)]

    def model():
        ag.manual_seed(0)
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Dropout2d(0.2), nn.Conv2d(4, 4, 3),
                             nn.GroupNorm(2, 4), nn.GELU(), nn.AdaptiveAvgPool2d(1),
                             nn.Flatten(), nn.Linear(4, 3))

    def body(m, opt, x, y):
        opt.zero_grad()
        loss = CE(m(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        return loss

    fn = _assert_like_eager(_train(lambda p: optimizers.AdamW(p, lr=1e-2), body=body, model=model),
                  batches)
    assert fn.traces == 1


_BETA = 0.0


def _vae_like_loss(out, y):
    """A loss helper reading a global weight (the step calls it: its globals are seen)."""
    return CE(out, y) + _BETA * (out ** 2).mean()


def test_a_global_read_by_a_helper_the_step_calls_is_guarded():
    global _BETA

    def build():
        model = _mlp()
        opt = optimizers.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = _vae_like_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    def between(i, model, opt):
        global _BETA
        _BETA = 0.0 if i < 4 else 0.5

    try:
        fn = _assert_like_eager(build, _batches(7), between)
    finally:
        _BETA = 0.0
    assert fn.traces == 2


class _Tempered(nn.Module):
    """A custom module with a temperature the loop anneals."""

    def __init__(self):
        super().__init__()
        ag.manual_seed(0)
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))
        self.tau = 1.0

    def forward(self, x):
        return self.body(x) / self.tau


@pytest.mark.parametrize("change", ["tau", "dropout p", "label_smoothing"])
def test_a_modules_number_changed_between_calls_retraces(change):
    """A module's forward passes its numbers to the ops as constants: a custom temperature,
    a dropout's p, a loss's label_smoothing changed by the loop kept their traced values."""
    crits = []

    def build():
        model = _Tempered()
        opt = optimizers.SGD(model.parameters(), lr=0.1)
        crit = nn.CrossEntropyLoss()
        crits.append(crit)

        def step(x, y):
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    def between(i, model, opt):
        ag.manual_seed(i)
        if i == 4:
            if change == "tau":
                model.tau = 0.5
            elif change == "dropout p":
                model.body[2].p = 0.1
            else:
                crits[-1].label_smoothing = 0.2

    fn = _assert_like_eager(build, _batches(7), between)
    assert fn.traces == 2


@pytest.mark.parametrize("replay", ["generated", "interpreted"])
def test_the_clipped_gradients_total_norm_returned_and_used(replay, monkeypatch):
    """``norm = clip_grad_norm_(...)`` returned for logging (and used in an op): the step ran
    eagerly ("returned different things": the trace's norm tensor was the result). The norm
    is the clip call's result at each replay now, fresh."""
    if replay == "interpreted":
        import autograd_core.replay as R

        monkeypatch.setattr(R._Program, "run", R._Program.run_interpreted)

    def body(model, opt, x, y):
        opt.zero_grad()
        loss = CE(model(x), y)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        nn.utils.clip_grad_value_(model.parameters(), 0.05)
        opt.step()
        return loss, norm, norm * 2.0 + loss.detach()

    fn = _assert_like_eager(_train(lambda p: optimizers.Adam(p, lr=1e-2), body=body), _batches())
    assert fn.traces == 1
    x, y = _batches(1, seed=4)[0]
    first, second = fn(x, y)[1], fn(x, y)[1]
    assert first is not second and first._data is not second._data


# ---- recurrent layers ------------------------------------------------------------------------

class _SeqModel(nn.Module):
    """A recurrent layer over (batch, 5, 4) inputs, the last step's output to 3 classes."""

    def __init__(self, layer):
        super().__init__()
        self.rnn, self.head = layer, nn.Linear(16 if layer.bidirectional else 8, 3)

    def forward(self, x):
        out, _ = self.rnn(x.reshape(x.shape[0], 5, 4))
        return self.head(out[:, -1])


def _seq_batches(n=5, batch=6, seed=3):
    rng = np.random.default_rng(seed)
    return [(ag.tensor(rng.standard_normal((batch, 20)).astype(np.float32)),
             ag.tensor(rng.integers(0, 3, batch))) for _ in range(n)]


@pytest.mark.parametrize("make", [
    lambda: nn.LSTM(4, 8, batch_first=True),
    lambda: nn.GRU(4, 8, batch_first=True, num_layers=2),
    lambda: nn.RNN(4, 8, batch_first=True, nonlinearity="relu"),
    lambda: nn.LSTM(4, 8, batch_first=True, bidirectional=True),
], ids=["lstm", "gru_2layers", "rnn_relu", "lstm_bidirectional"])
def test_recurrent_layers_replay_like_eager(make):
    """RNN/LSTM/GRU steps are captured and replayed (their layer-direction node was a user
    autograd.Function, which capture refuses: every step ran eagerly with a warning)."""
    def model():
        ag.manual_seed(0)
        return _SeqModel(make())

    fn = _assert_like_eager(_train(lambda p: optimizers.Adam(p, lr=1e-2), model=model),
                            _seq_batches())
    assert fn.traces == 1  # (and no fallback warning: the harness checks)
