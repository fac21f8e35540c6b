"""The multi-tensor steady state: the step plan's one kernel call per run of small parameters
(``FusedKernel.call_many`` / the multi-tensor build) and the reused coefficients
(``Optimizer.stepwise``) must give, bit for bit, what the per-parameter path with coefficients
computed at every step gives (the path every optimizer took before them), for every optimizer
of the generic table; and a plan must notice what it no longer matches."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd_core as ag
import optimizers
from autograd_core.kernels import optim as K
from optimizers.lr_scheduler import LambdaLR
from optimizers.registry import ALGORITHMS

NAMES = sorted(ALGORITHMS)
# group 0: a multi-tensor run, a large parameter, a single small one; group 1: another run.
# Each run is 4 long, the width the other plan tests use too: a build is compiled for each
# width (0.5-1 s each), and every width runs the same generated code.
SHAPES = [(3, 4), (4,), (2, 5), (1,), (K.PARALLEL_MIN_SIZE + 7,), (2,)] + [(k,) for k in
                                                                         range(3, 7)]
KERNELS = sorted({spec.cls.update for spec in ALGORITHMS.values()}, key=lambda k: k.name)


def _snap(v):
    """A state entry as comparable data: a Tensor's (or array's) bytes, else its type and
    value."""
    v = getattr(v, "_data", v)
    return v.tobytes() if isinstance(v, np.ndarray) else (type(v), v)


def _reference(cls):
    """``cls`` as it stepped before the plan's multi-tensor path and the coefficient reuse: the
    checked per-parameter loop, ``coefficients`` called for every group, dtype and step."""
    return type(f"{cls.__name__}Reference", (cls,), {
        "_run_plan": lambda self, *a: False,
        "_coefficients": lambda self, group, t, scalars, fresh: tuple(
            self.coefficients(group, t, scalars, fresh))})


def _variants(spec):
    """The table's kwargs, and with maximize / weight decay where the algorithm has them."""
    accepted = inspect.signature(spec.cls).parameters
    extra = {k: v for k, v in dict(maximize=True, weight_decay=0.1).items() if k in accepted}
    return [spec.kwargs, dict(spec.kwargs, **extra)]


def _params(dtype, shapes=SHAPES, seed=0):
    rng = np.random.default_rng(seed)
    return [ag.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]


def _grads(params, k, skip=None):
    for i, p in enumerate(params):
        if i == skip:
            p.grad = None
            continue
        x = p._data
        p.grad = ag.tensor((np.sin(3 * x + k) + 0.3 * x - 0.1).astype(x.dtype))


def _trajectory(cls, kwargs, dtype, steps=6, skip_at=None):
    """Parameters and state after each step; two groups (the second at half the rate), a
    scheduler changing the rate at every step, a grad None for one parameter at one step."""
    params = _params(dtype)
    lr = kwargs.get("lr", 1e-3)
    opt = cls([{"params": params[:6]}, {"params": params[6:], "lr": lr / 2}], **kwargs)
    sched = LambdaLR(opt, lambda epoch: 1.0 / (1 + epoch) if epoch % 3 else 1.0)
    out = []
    for k in range(steps):
        _grads(params, k, skip=1 if k == skip_at else None)
        opt.step()
        sched.step()
        out.append([p._data.tobytes() for p in params])
        out.append([(n, _snap(v))
                    for p in params for n, v in sorted(opt.state[p].items())])
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_multi_tensor_steps_equal_the_per_parameter_path(name, dtype):
    spec = ALGORITHMS[name]
    for kwargs in _variants(spec):
        for skip_at in (None, 2):
            got = _trajectory(spec.cls, kwargs, dtype, skip_at=skip_at)
            want = _trajectory(_reference(spec.cls), kwargs, dtype, skip_at=skip_at)
            assert got == want, (name, kwargs, skip_at)


@pytest.mark.parametrize("name", NAMES)
def test_the_multi_tensor_build_runs_in_the_steady_state(name, monkeypatch):
    """Every algorithm's steady state goes through the multi-tensor call (else the test above
    compares one path with itself)."""
    calls = []
    original = K.FusedKernel.multi_implementation

    def counting(self, width, used=None):
        run = original(self, width, used)

        def wrapped(*args):
            calls.append(width)
            return run(*args)

        return wrapped

    monkeypatch.setattr(K.FusedKernel, "multi_implementation", counting)
    spec = ALGORITHMS[name]
    params = _params(np.float32, [(3, 4), (4,), (2, 2), (5,)])
    opt = spec.cls(params, **spec.kwargs)
    for k in range(3):
        _grads(params, k)
        opt.step()
    assert calls == [4, 4]  # steps 2 and 3, one call for the 4; the first makes the state


@pytest.mark.parametrize("kern", KERNELS, ids=[k.name for k in KERNELS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_call_many_equals_single_calls_and_the_twin(kern, dtype, monkeypatch):
    """``call_many`` (multi-tensor build, chunks of MULTI_WIDTH, a large parameter by the
    parallel build) equals one call per parameter, and the numpy twin, bit for bit."""
    spec = next(ALGORITHMS[n] for n in NAMES if ALGORITHMS[n].cls.update is kern)
    opt = spec.cls(_params(dtype, [(2,)]), **spec.kwargs)
    scalars = {k: (3.0 if k == "step" else v) for k, v in opt.scalars.items()}
    co = opt.coefficients(opt.param_groups[0], np.dtype(dtype).type, scalars, False)
    sizes = [3, 1, 17, K.PARALLEL_MIN_SIZE + 1, 5] + list(range(2, 13))  # ..., 8 + 4
    rng = np.random.default_rng(1)
    base = [[np.abs(rng.standard_normal(n)).astype(dtype) + 0.1 for _ in kern.arrays]
            for n in sizes]
    results = []
    for how in ("single", "numba", "numpy"):
        arrays = [[a.copy() for a in row] for row in base]
        if how == "single":
            for row in arrays:
                kern(*row, *co)
        else:
            monkeypatch.setenv("TAPEGRAD_KERNELS", how)
            kern.call_many(arrays, co)
            monkeypatch.delenv("TAPEGRAD_KERNELS")
        results.append([a.tobytes() for row in arrays for a in row])
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize("backend_name", ["numba", "numpy"])
def test_call_many_checks_every_array_before_running(backend_name, monkeypatch):
    monkeypatch.setenv("TAPEGRAD_KERNELS", backend_name)
    kern = ALGORITHMS["sgd_momentum"].cls.update
    co = tuple(np.float64(0.5) if f != "use_momentum" else True
               for f in kern.Coefficients._fields)
    good = [np.ones(4), np.ones(4), np.ones(4)]
    short = [np.ones(4), np.ones(3), np.ones(4)]
    before = [a.copy() for a in good]
    with pytest.raises(ValueError, match="kernel sgd: grad is an array of shape"):
        kern.call_many([good, short], co)
    assert all(np.array_equal(a, b) for a, b in zip(good, before))  # nothing ran
    with pytest.raises(ValueError, match="one dtype"):
        kern.call_many([good, [a.astype(np.float32) for a in good]], co)


def test_multi_runs_split_in_order():
    w, m = K.MULTI_WIDTH, K.MULTI_MIN
    assert K.multi_runs([False] * m) == [(0, m)]
    assert K.multi_runs([False] * (m - 1)) == list(range(m - 1))  # too few: one by one
    assert K.multi_runs([False, True] + [False] * m) == [0, 1, (2, m + 2)]
    assert K.multi_runs([True, True]) == [0, 1]
    assert K.multi_runs([False] * (w + 1)) == [(0, w), w]
    assert K.multi_runs([False] * (w + m)) == [(0, w), (w, w + m)]


# -- stale plans ------------------------------------------------------------------------------

def _steady(cls, **kwargs):
    params = _params(np.float32, [(3, 4), (4,), (2, 2)], seed=3)
    opt = cls(params, **kwargs)
    for k in range(3):
        _grads(params, k)
        opt.step()
    return params, opt


def _changed_runs(change, cls, kwargs):
    out = []
    for c in (cls, _reference(cls)):
        params, opt = _steady(c, **kwargs)
        change(opt, params)
        for k in range(3, 6):
            _grads(params, k)
            opt.step()
        out.append(([p._data.tobytes() for p in params],
                    [(n, _snap(v))
                     for p in params for n, v in sorted(opt.state[p].items())]))
    return out


def _swap_param_data(opt, params):
    params[1]._data = params[1]._data + 1  # same shape and dtype: another array


def _load_state(opt, params):
    saved = opt.state_dict()
    for st in saved["state"].values():
        for k, v in st.items():
            if v.ndim:
                v += 0.25
    opt.load_state_dict(saved)


def _steps_differ(opt, params):
    st = opt.state[params[0]]
    if "step" in st:
        st["step"] = st["step"] + 2.0


def _step_equal_value_other_object(opt, params):
    for p in params:
        st = opt.state[p]
        if "step" in st:
            st["step"] = st["step"] + 0.0  # a new float object


def _equal_hyperparameter_of_another_type(opt, params):
    group = opt.param_groups[0]
    group["weight_decay"] = float(group["weight_decay"]) if type(group["weight_decay"]) is int \
        else int(group["weight_decay"]) if group["weight_decay"] == 0 else 0.0


CHANGES = [_swap_param_data, _load_state, _steps_differ, _step_equal_value_other_object,
           _equal_hyperparameter_of_another_type]
CLASSES = [("sgd_momentum", {}), ("adam", {}), ("nadam", {}), ("adagrad", dict(lr_decay=0.1)),
           ("rmsprop_centered_momentum", {})]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("name,kwargs", CLASSES, ids=[c[0] for c in CLASSES])
def test_a_stale_plan_is_noticed(change, name, kwargs):
    spec = ALGORITHMS[name]
    got, want = _changed_runs(change, spec.cls, dict(spec.kwargs, **kwargs))
    assert got == want


def test_a_swapped_parameter_array_is_the_one_updated():
    params, opt = _steady(optimizers.Adam, lr=0.1)
    old = params[1]._data
    new = old.copy()
    params[1]._data = new
    kept = old.copy()
    _grads(params, 9)
    opt.step()
    assert np.array_equal(old, kept) and not np.array_equal(new, kept)


# -- reused coefficients ----------------------------------------------------------------------

class _Recording(dict):
    def __init__(self, group):
        super().__init__(group)
        self.read: set = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


STEPWISE = [n for n in NAMES if ALGORITHMS[n].cls.stepwise is not None]


@pytest.mark.parametrize("name", STEPWISE)
def test_declared_coefficients_depend_only_on_what_the_memo_keys(name):
    """An algorithm declaring ``stepwise`` reads only its hyperparameters (the keys of
    ``defaults``, and ``extras``, read with their defaults when unset) in ``coefficients``,
    and ``step_coefficients`` gives exactly its stepwise
    fields, at every step."""
    spec = ALGORITHMS[name]
    opt = spec.cls(_params(np.float32, [(3,)]), **spec.kwargs)
    for t in (np.float32, np.float64):
        for step in (1.0, 2.0, 7.0, 1000.0):
            group = _Recording(opt.param_groups[0])
            scalars = {k: (step if k == "step" else v) for k, v in opt.scalars.items()}
            co = opt.coefficients(group, t, dict(scalars), False)
            keyed = set(opt.defaults) | set(opt.extras)
            assert group.read <= keyed, group.read - keyed
            if spec.cls.stepwise:
                part = opt.step_coefficients(group, t, dict(scalars))
                assert [getattr(co, f) for f in spec.cls.stepwise] == list(part)
                assert [type(getattr(co, f)) for f in spec.cls.stepwise] == \
                    [type(v) for v in part]


@pytest.mark.parametrize("value", [0.5, 1, np.float32(0.5), np.float64(0.5)])
def test_coefficients_follow_a_hyperparameter_of_another_type(value):
    """Equal values of other types (NEP 50: a float32 scalar keeps float32 arithmetic) are not
    taken for the memo's; the results match coefficients computed at every step."""
    got, want = [], []
    for cls, out in ((optimizers.Adam, got), (_reference(optimizers.Adam), want)):
        params, opt = _steady(cls, lr=0.5, weight_decay=0.5)
        opt.param_groups[0]["lr"] = value
        opt.param_groups[0]["betas"] = (np.float32(0.5), 0.999) if value == 1 else (0.5, 0.999)
        for k in range(3):
            _grads(params, k)
            opt.step()
        out.extend(p._data.tobytes() for p in params)
    assert got == want


def test_a_hyperparameter_in_an_array_is_read_at_every_step():
    """A mutable hyperparameter (an array lr changed in place) is never memoised."""
    got, want = [], []
    for cls, out in ((optimizers.SGD, got), (_reference(optimizers.SGD), want)):
        params, opt = _steady(cls, lr=0.1, momentum=0.9)
        lr = np.array(0.1)
        opt.param_groups[0]["lr"] = lr
        for k in range(3):
            lr[...] = 0.1 * (k + 2)
            _grads(params, k)
            opt.step()
        out.extend(p._data.tobytes() for p in params)
    assert got == want


@pytest.mark.parametrize("name", NAMES)
def test_the_plan_under_the_numpy_backend(name, monkeypatch):
    """``TAPEGRAD_KERNELS=numpy``: the plan's multi-tensor path runs the twin per parameter and
    equals the reference path, and the Numba run, bit for bit."""
    spec = ALGORITHMS[name]
    runs = []
    for backend_name, cls in (("numpy", spec.cls), ("numpy", _reference(spec.cls)),
                              ("numba", spec.cls)):
        monkeypatch.setenv("TAPEGRAD_KERNELS", backend_name)
        runs.append(_trajectory(cls, spec.kwargs, np.float32, steps=4))
    assert runs[0] == runs[1] == runs[2]


def test_a_plan_that_holds_is_kept_through_a_step_it_does_not_fit():
    """A grad None (NAdam: two scalars, so no per-parameter loop) sends one step to the checked
    path; the plan is kept, not rebuilt, and the steps after it equal the reference."""
    made = []

    def counting(cls):
        def make(self, *a):
            made.append(1)
            return cls._make_plan(self, *a)
        return type(cls.__name__, (cls,), {"_make_plan": make})

    got, want = [], []
    for cls, out in ((counting(optimizers.NAdam), got), (_reference(optimizers.NAdam), want)):
        params = _params(np.float32, [(3, 4), (4,), (2, 2), (5,)], seed=4)
        opt = cls(params, lr=0.01)
        for k in range(6):
            _grads(params, k, skip=2 if k == 2 else None)
            opt.step()
            out.append([p._data.tobytes() for p in params])
    assert got == want
    assert len(made) == 1


def test_the_multi_tensor_build_is_loaded_from_its_cache_in_a_new_process():
    """Its name (which carries a hash of the loop's code) is the same in every process, so a
    second process loads it from Numba's cache instead of compiling it."""
    import os
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import numpy as np
        from optimizers.registry import ALGORITHMS
        k = ALGORITHMS["adam"].cls.update
        co = k.Coefficients(*([np.float64(0.5)] * 11), 0, False, False)
        k.call_many([[np.ones(3) for _ in k.arrays] for _ in range(4)], co)
        m = k.multi_implementation(4)
        print(m.py_func.__qualname__, sum(m.stats.cache_hits.values()))
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("TAPEGRAD_KERNELS", None)
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                           check=True).stdout.split() for _ in range(2)]
    assert runs[0][0] == runs[1][0] and runs[0][0].startswith("adam_multi_")
    m = ALGORITHMS["adam"].cls.update.multi_implementation(4)
    if not hasattr(m, "_cache") or not hasattr(m._cache, "_cache_path"):
        pytest.skip("no writable Numba cache here (compiled without one)")
    assert runs[1][1] == "1"
