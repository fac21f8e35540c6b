"""ag.compile on whole training steps: replay equals eager bit for bit for every optimizer and
scheduler, the tiny MLP and the MNIST example's MLP over 50 steps, dropout with a seed; the
optimizer's state, the gradients and the hyperparameters stay live between replays."""

import os
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
import optimizers
from optimizers import lr_scheduler as S
from optimizers.registry import ALGORITHMS

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "optimizers"))
import optim_reference_cases as RC  # noqa: E402

MNIST_HIDDEN = (500, 300)  # examples/train_mnist.py's HIDDEN


def _mlp(sizes, seed, dropout=0.0, dtype=np.float32):
    ag.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
            if dropout:
                layers.append(nn.Dropout(dropout))
    model = nn.Sequential(*layers)
    if dtype == np.float64:
        model = model.double()
    return model


def _batches(sizes, batch, n, loss, dtype, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = ag.tensor(rng.standard_normal((batch, sizes[0])).astype(dtype))
        if loss == "ce":
            y = ag.tensor(rng.integers(0, sizes[-1], batch))
        else:
            y = ag.tensor((rng.random((batch, sizes[-1])) < 0.5).astype(dtype))
        out.append((x, y))
    return out


def _setup(make_opt, sizes=(3, 8, 8, 2), loss="ce", dtype=np.float64, dropout=0.0,
           make_sched=None):
    model = _mlp(sizes, 0, dropout, dtype)
    opt = make_opt(model.parameters())
    sched = make_sched(opt) if make_sched else None
    crit = nn.CrossEntropyLoss() if loss == "ce" else nn.BCEWithLogitsLoss()

    def step(x, y):
        opt.zero_grad()
        out = crit(model(x), y)
        out.backward()
        opt.step()
        if sched is not None:
            if isinstance(sched, S.ReduceLROnPlateau):
                sched.step(out.item())
            else:
                sched.step()
        return out

    return model, opt, step


def _check_same_training(make_opt, n=12, expect_warning=None, seed_each=None, **kw):
    """Two identical setups, one eager and one compiled, trained on the same batches: losses,
    parameters, gradients and optimizer state equal byte for byte after every step."""
    sizes, loss, dtype = kw.get("sizes", (3, 8, 8, 2)), kw.get("loss", "ce"), kw.get(
        "dtype", np.float64)
    batches = _batches(sizes, 16, n, loss, dtype)
    m1, o1, eager = _setup(make_opt, **kw)
    m2, o2, step = _setup(make_opt, **kw)
    compiled = ag.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, (x, y) in enumerate(batches):
            if seed_each is not None:
                ag.manual_seed(seed_each + i)
            a = eager(x, y)
            if seed_each is not None:
                ag.manual_seed(seed_each + i)
            b = compiled(x, y)
            assert a._data.tobytes() == b._data.tobytes(), f"loss differs at step {i}"
            for p, q in zip(m1.parameters(), m2.parameters()):
                assert p._data.tobytes() == q._data.tobytes(), f"parameters differ at step {i}"
                assert p.grad._data.tobytes() == q.grad._data.tobytes()
    messages = [str(w.message) for w in caught if "ag.compile" in str(w.message)]
    if expect_warning is None:
        assert messages == [] and compiled.traces == 1
    else:
        assert len(messages) == 1 and expect_warning in messages[0]
    for p, q in zip(m1.parameters(), m2.parameters()):
        for key, v in o1.state[p].items():
            w = o2.state[q][key]  # Tensors, as PyTorch's
            assert v._data.tobytes() == w._data.tobytes() and v._data.dtype == w._data.dtype
    assert o1.param_groups[0]["lr"] == o2.param_groups[0]["lr"]
    return m2, o2, compiled


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_every_optimizer(name):
    spec = ALGORITHMS[name]
    _check_same_training(lambda params: spec.cls(params, **spec.kwargs))


@pytest.mark.parametrize("case", RC.SCHED_CASES, ids=lambda c: c[0])
def test_every_scheduler(case):
    name, algo, make, _ = case
    spec = ALGORITHMS[algo]

    def make_opt(params):
        params = list(params)  # two groups, as schedulers with per-group lists need
        return spec.cls([{"params": params[:2]}, {"params": params[2:]}], **spec.kwargs)

    plateau = name.startswith("plateau")
    _check_same_training(make_opt, make_sched=lambda o: make(S, o),
                         expect_warning="item" if plateau else None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_asgd_with_a_scheduler(dtype):
    """ASGD's eta and mu are state updated after each step from that step's lr (as PyTorch):
    the replay keeps them, averaging from step 3 on, with an lr falling every step."""
    _check_same_training(lambda params: optimizers.ASGD(params, lr=0.1, lambd=0.05, t0=3),
                         make_sched=lambda o: S.ExponentialLR(o, gamma=0.8), dtype=dtype)


def test_tiny_mlp_adam_50_steps():
    _check_same_training(lambda p: optimizers.Adam(p, lr=1e-3), n=50, sizes=(2, 16, 16, 1),
                         loss="bce", dtype=np.float32)


def test_mnist_mlp_50_steps():
    _check_same_training(lambda p: optimizers.Adam(p, lr=1e-3), n=50,
                         sizes=(784, *MNIST_HIDDEN, 10), loss="ce", dtype=np.float32)


def test_dropout_draws_fresh_numbers_as_eager():
    model, _, compiled = _check_same_training(lambda p: optimizers.SGD(p, lr=0.1), n=8,
                                              dropout=0.5, seed_each=100)
    # the masks differ between steps: two replays with one seed and batch agree, two seeds not
    x, y = _batches((3, 8, 8, 2), 16, 1, "ce", np.float64, seed=9)[0]
    outs = []
    for seed in (7, 7, 8):
        with ag.no_grad():
            params = [p._data.copy() for p in model.parameters()]
        ag.manual_seed(seed)
        outs.append(compiled(x, y)._data.tobytes())
        for p, a in zip(model.parameters(), params):
            p._data[...] = a
    assert outs[0] == outs[1] != outs[2]


def test_state_and_grads_stay_live_between_replays():
    model, opt, compiled = _check_same_training(lambda p: optimizers.Adam(p, lr=1e-2), n=4)
    p = next(iter(model.parameters()))
    exp_avg = opt.state[p]["exp_avg"]
    x, y = _batches((3, 8, 8, 2), 16, 1, "ce", np.float64, seed=3)[0]
    before = exp_avg.numpy().copy()
    compiled(x, y)
    assert opt.state[p]["exp_avg"] is exp_avg and not np.array_equal(before, exp_avg.numpy())
    assert opt.state[p]["step"].item() == 5.0
    saved = opt.state_dict()
    assert np.array_equal(saved["state"][0]["exp_avg"].numpy(), exp_avg.numpy())


def test_learning_rate_is_read_at_every_replay():
    batches = _batches((3, 8, 8, 2), 16, 6, "ce", np.float64)
    runs = []
    for use_compile in (False, True):
        model, opt, step = _setup(lambda p: optimizers.SGD(p, lr=0.1, momentum=0.9))
        fn = ag.compile(step) if use_compile else step
        for i, (x, y) in enumerate(batches):
            if i == 3:
                opt.param_groups[0]["lr"] = 0.01
            fn(x, y)
        runs.append(b"".join(p._data.tobytes() for p in model.parameters()))
        if use_compile:
            assert fn.traces == 1
    assert runs[0] == runs[1]


def test_returned_loss_is_fresh():
    _, _, compiled = _check_same_training(lambda p: optimizers.SGD(p, lr=0.1), n=3)
    first, second = _batches((3, 8, 8, 2), 16, 2, "ce", np.float64, seed=5)
    a = compiled(*first)
    value = a._data.copy()
    b = compiled(*second)
    assert np.array_equal(a._data, value) and not np.array_equal(b._data, value)
    assert a.grad_fn is None and not a.requires_grad


@pytest.mark.parametrize("clip", ["norm", "value"])
def test_gradient_clipping_inside_the_step(clip):
    """nn.utils.clip_grad_norm_/clip_grad_value_ (numpy on the gradients) replay as calls."""
    batches = _batches((3, 8, 8, 2), 16, 6, "ce", np.float64)
    runs = []
    for use_compile in (False, True):
        model = _mlp((3, 8, 8, 2), 0, dtype=np.float64)
        opt = optimizers.Adam(model.parameters(), lr=1e-2)
        crit = nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            if clip == "norm":
                nn.utils.clip_grad_norm_(model.parameters(), 0.05)
            else:
                nn.utils.clip_grad_value_(model.parameters(), 0.01)
            opt.step()
            return loss

        fn = ag.compile(step) if use_compile else step
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for x, y in batches:
                fn(x, y)
        runs.append(b"".join(p._data.tobytes() for p in model.parameters()))
    assert runs[0] == runs[1]


def _norm_model_runs(norm, use_compile):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), norm(8), nn.Tanh(), nn.Dropout(0.2), nn.Linear(8, 3))
    opt = optimizers.AdamW(model.parameters(), lr=1e-2)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    fn = ag.compile(step) if use_compile else step
    rng = np.random.default_rng(0)
    ag.manual_seed(1)
    for _ in range(6):
        fn(ag.tensor(rng.standard_normal((16, 4)).astype(np.float32)),
           ag.tensor(rng.integers(0, 3, 16)))
    return [t._data.tobytes() for t in (*model.parameters(), *model.buffers())]


def test_layer_norm_model_replays():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = _norm_model_runs(nn.LayerNorm, True)
    assert compiled == _norm_model_runs(nn.LayerNorm, False)


def test_batch_norm_training_replays():
    """BatchNorm in training mode is captured: the op updates the running statistics it gets by
    keyword in place and num_batches_tracked is counted by an in-place op, so replays equal
    eager, buffers included (it fell back to eager before)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = _norm_model_runs(nn.BatchNorm1d, True)
    assert compiled == _norm_model_runs(nn.BatchNorm1d, False)


def _bn_runs(use_compile, change=None, momentum=0.1):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4, momentum=momentum), nn.ReLU(),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
    opt = optimizers.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    fn = ag.compile(step) if use_compile else step
    rng = np.random.default_rng(0)
    bn = model[1]
    for i in range(8):
        if i == 5 and change == "running_mean_array":
            bn.running_mean._data = bn.running_mean._data.copy()  # the op's kwarg is stale now
        elif i == 5 and change == "eval":
            model.eval()
        fn(ag.tensor(rng.standard_normal((6, 2, 6, 6)).astype(np.float32)),
           ag.tensor(rng.integers(0, 3, 6)))
    return [t._data.tobytes() for t in (*model.parameters(), *model.buffers())], fn


@pytest.mark.parametrize("change", [None, "running_mean_array", "eval"])
def test_batch_norm_2d_training_replays_as_eager(change):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, fn = _bn_runs(True, change)
    want, _ = _bn_runs(False, change)
    assert got == want
    # traced twice (first call + the checking second), once more after the change
    assert fn.traces == (1 if change is None else 2)


def test_batch_norm_cumulative_average_falls_back():
    """momentum=None reads num_batches_tracked in Python for the averaging factor: the traces
    differ, the step runs eagerly, with eager's numbers."""
    with pytest.warns(RuntimeWarning, match="differs between the first two calls"):
        got, _ = _bn_runs(True, momentum=None)
    assert got == _bn_runs(False, momentum=None)[0]


@pytest.mark.parametrize("change", ["load_state_dict", "add_param_group", "frozen", "rebind"])
def test_optimizer_changes_between_replays(change):
    """The captured optimizer step re-reads the optimizer: a loaded state dict, a new group,
    a parameter without gradient or with a new array give the eager numbers."""
    batches = _batches((3, 8, 8, 2), 16, 8, "ce", np.float64)
    runs = []
    for use_compile in (False, True):
        model = _mlp((3, 8, 8, 2), 0, dtype=np.float64)
        params = list(model.parameters())
        opt = optimizers.Adam(params[:4], lr=1e-2)
        crit = nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            opt.step()
            return loss

        fn = ag.compile(step) if use_compile else step
        for i, (x, y) in enumerate(batches):
            if i == 4:
                if change == "load_state_dict":
                    saved = opt.state_dict()
                    for st in saved["state"].values():
                        st["exp_avg"] *= 0.5
                    opt.load_state_dict(saved)
                elif change == "add_param_group":
                    opt.add_param_group({"params": params[4:], "lr": 3e-3})
                elif change == "frozen":  # no gradient from now on (a guard: re-traced)
                    params[0].requires_grad_(False)
                    params[0].grad = None
                else:
                    params[1]._data = params[1]._data.copy()
            fn(x, y)
        runs.append(b"".join(p._data.tobytes() for p in params)
                    + b"".join(v.tobytes() for st in opt.state.values() for v in st.values()
                               if isinstance(v, np.ndarray)))
    assert runs[0] == runs[1]


def test_the_interpreted_replay_equals_eager_too(monkeypatch):
    """``_Program.run_interpreted`` (a loop over the events) is the reference the generated
    replay function is written from: it replays the same numbers."""
    import autograd_core.replay as replay

    calls = []

    def interpreted(self, inputs):
        calls.append(1)
        return self.run_interpreted(inputs)

    monkeypatch.setattr(replay._Program, "run", interpreted)
    _check_same_training(lambda p: optimizers.Adam(p, lr=1e-3), n=8, dropout=0.3, seed_each=5)
    assert len(calls) == 6


@given(widths=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       batch=st.integers(1, 9), double=st.booleans(),
       algo=st.sampled_from(["sgd_momentum", "adam", "rmsprop", "adagrad"]))
def test_random_mlps_replay_as_eager(widths, batch, double, algo):
    dtype = np.float64 if double else np.float32
    spec = ALGORITHMS[algo]
    sizes = tuple(widths) + (3,)
    rng = np.random.default_rng(len(widths) * 100 + batch)
    data = [(ag.tensor(rng.standard_normal((batch, sizes[0])).astype(dtype)),
             ag.tensor(rng.integers(0, 3, batch))) for _ in range(5)]
    runs = []
    for use_compile in (False, True):
        model, _, step = _setup(lambda p: spec.cls(p, **spec.kwargs), sizes=sizes, dtype=dtype)
        fn = ag.compile(step) if use_compile else step
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no fallback
            losses = [fn(x, y)._data.tobytes() for x, y in data]
        runs.append((losses, [p._data.tobytes() for p in model.parameters()]))
    assert runs[0] == runs[1]


def test_leaves_fed_one_gradient_array_get_grads_of_their_own():
    # add's backward passes one array to both inputs: the replay, as the engine, hands it to
    # one leaf and a copy to the other (a write into one grad must not change the other)
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    c = ag.tensor([5.0, 6.0], requires_grad=True)

    def step():
        a.grad = b.grad = c.grad = None
        loss = (a + b).sum() + (c * 2).sum()
        loss.backward()
        return loss

    compiled = ag.compile(step)
    for _ in range(4):
        compiled()
    assert compiled.traces == 1
    grads = [t.grad._data for t in (a, b, c)]
    assert not any(np.shares_memory(x, y) for i, x in enumerate(grads) for y in grads[i + 1:])
    a.grad._data[0] = 99.0
    assert b.grad.tolist() == [1.0, 1.0] and c.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("algo", ["sgd", "adam"])
def test_optimizer_passed_as_an_argument_replays(algo):
    """``train_step(model, opt, x, y)``: the optimizer's attributes were guarded as values the
    step reads, and its step fills ``opt.state``, so every such step ran eagerly ("the step
    changes 'state'"). Its step runs at every replay (param_groups and state read afresh): it
    now replays, as eager bit for bit, following a learning rate and a weight decay changed
    between calls and a parameter group added."""
    results = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 2))
        extra = nn.Parameter(ag.zeros(2))
        params = list(model.parameters())
        opt = (optimizers.SGD(params, lr=0.1, momentum=0.9) if algo == "sgd"
               else optimizers.Adam(params, lr=0.05))
        crit = nn.CrossEntropyLoss()

        def step(model, opt, x, y):
            opt.zero_grad()
            loss = crit(model(x) + extra, y)
            loss.backward()
            opt.step()
            return loss

        fn = ag.compile(step) if compiled else step
        rng = np.random.default_rng(3)
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no fallback
            for i in range(8):
                if i == 3:
                    opt.param_groups[0].update(lr=0.01, weight_decay=0.1)
                if i == 5:
                    opt.add_param_group({"params": [extra], "lr": 0.5})
                x = ag.tensor(rng.standard_normal((5, 3)).astype(np.float32))
                y = ag.tensor(rng.integers(0, 2, 5))
                out.append(fn(model, opt, x, y)._data.tobytes())
                out += [p._data.tobytes() for p in (*params, extra)]
        results.append(out)
        if compiled:
            assert fn.traces == 1
    assert results[0] == results[1]


@pytest.mark.parametrize("passed", ["closure", "argument"])
def test_an_attribute_set_on_the_optimizer_is_guarded(passed):
    """A number the user keeps on the optimizer and the step reads (``loss * opt.scale``) was
    a constant of the trace: changed between calls, replays kept the traced value (eager's
    loss doubles at step 3, the replay's did not). It is guarded by value now."""
    results = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Linear(4, 3)
        opt = optimizers.SGD(model.parameters(), lr=0.1)
        crit = nn.CrossEntropyLoss()

        def step(model, opt, x, y):
            opt.zero_grad()
            loss = crit(model(x), y) * opt.scale
            loss.backward()
            opt.step()
            return loss

        def closure_step(x, y):
            return step(model, opt, x, y)

        fn = closure_step if passed == "closure" else step
        fn = ag.compile(fn) if compiled else fn
        x = ag.tensor(np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32))
        y = ag.tensor(np.zeros(6, dtype=np.int64))
        out = []
        for i in range(6):
            opt.scale = 1.0 if i < 3 else 2.0
            loss = fn(x, y) if passed == "closure" else fn(model, opt, x, y)
            out += [loss._data.tobytes()] + [p._data.tobytes() for p in model.parameters()]
        results.append(out)
    assert results[0] == results[1]


@pytest.mark.parametrize("where", ["outside", "inside"])
def test_a_schedulers_epoch_read_in_python_runs_eagerly(where):
    """``if sched.last_epoch < 3: loss = loss * 0.5`` inside the step: the branch was taken
    at the trace and kept by every replay (a silently different loss from step 3 on). Reading
    it in the step now runs the step eagerly, with a warning naming it; the scheduler's own
    step, inside the step or not, still reads it."""
    results = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Linear(4, 3)
        opt = optimizers.SGD(model.parameters(), lr=0.1)
        sched = S.StepLR(opt, 3)
        crit = nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            loss = crit(model(x), y)
            if sched.last_epoch < 3:
                loss = loss * 0.5
            loss.backward()
            opt.step()
            if where == "inside":
                sched.step()
            return loss

        fn = ag.compile(step) if compiled else step
        x = ag.tensor(np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32))
        y = ag.tensor(np.zeros(6, dtype=np.int64))
        out = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(6):
                out.append(fn(x, y)._data.tobytes())
                if where == "outside":
                    sched.step()
        results.append(out)
        if compiled:
            assert any("StepLR.last_epoch" in str(w.message) for w in caught)
    assert results[0] == results[1]


def test_a_gradient_read_as_none_before_backward_is_guarded():
    """An accumulation step that branches on ``p.grad is None`` before its backward (the first
    micro-batch of a window): when the first calls all saw None (a zero_grad after each), every
    replay kept that branch once the loop started accumulating (eager halves the loss, the
    replay did not). Whether such a gradient is None is guarded now; reading gradients after
    the backward (hand clipping) still replays."""
    results = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Linear(4, 3)
        opt = optimizers.SGD(model.parameters(), lr=0.1)
        crit = nn.CrossEntropyLoss()

        def step(x, y):
            loss = crit(model(x), y)
            if model.weight.grad is None:
                loss = loss * 2.0
            loss.backward()
            return loss

        fn = ag.compile(step) if compiled else step
        x = ag.tensor(np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32))
        y = ag.tensor(np.zeros(6, dtype=np.int64))
        out = []
        for i in range(8):
            out.append(fn(x, y)._data.tobytes())
            if i < 4 or i % 2 == 1:  # one micro-batch a step, then two
                opt.step()
                opt.zero_grad()
        results.append(out)
    assert results[0] == results[1]


def test_gradients_read_after_backward_replay():
    """Hand clipping reads every ``p.grad`` after the backward: no guard on it (the step's own
    backward makes it), so the step replays as eager, bit for bit."""
    results = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
        opt = optimizers.SGD(model.parameters(), lr=0.1, momentum=0.9)
        crit = nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            with ag.no_grad():
                for p in model.parameters():
                    if p.grad is not None:
                        p.grad.mul_(0.5)
            opt.step()
            return loss

        fn = ag.compile(step) if compiled else step
        rng = np.random.default_rng(1)
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(6):
                x = ag.tensor(rng.standard_normal((6, 4)).astype(np.float32))
                y = ag.tensor(rng.integers(0, 3, 6))
                out.append(fn(x, y)._data.tobytes())
                out += [p._data.tobytes() for p in model.parameters()]
        results.append(out)
        if compiled:
            assert fn.traces == 1
    assert results[0] == results[1]
