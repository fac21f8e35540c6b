"""The step plan's guards (``optimizers.optimizer._plan_runner``) for every optimizer of the
generic table, float32 and float64: each case changes one thing between steps (a grad of another
layout, dtype or shape, a state array, the learning rate, hyperparameters edited in the group)
and the plan's result must equal, bit for bit, the per-parameter numpy twin path (no plan,
coefficients computed at every step, ``TAPEGRAD_KERNELS=numpy``), or raise what it raises."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from optimizers.registry import ALGORITHMS

NAMES = sorted(ALGORITHMS)
SHAPES = [(3, 4), (4,), (2, 2), (5,)]  # one multi-tensor call in the steady state


def _snap(v):
    """A state entry as comparable data: a Tensor's (or array's) bytes, else its type and
    value."""
    v = getattr(v, "_data", v)
    return v.tobytes() if isinstance(v, np.ndarray) else (type(v), v)


def _reference(cls):
    return type(f"{cls.__name__}Reference", (cls,), {
        "_run_plan": lambda self, *a: False,
        "_coefficients": lambda self, group, t, scalars, fresh: tuple(
            self.coefficients(group, t, scalars, fresh))})


def _set_grads(params, k):
    for i, p in enumerate(params):
        x = p._data
        p.grad = ag.tensor((np.sin(3 * x + k + i) + 0.3 * x - 0.1).astype(x.dtype))


def _fortran_grad(opt, params):
    g = params[0].grad._data
    params[0].grad._data = np.asfortranarray(g)
    assert not params[0].grad._data.flags.c_contiguous


def _strided_grad(opt, params):
    g = params[2].grad._data
    wide = np.zeros((g.shape[0], 2 * g.shape[1]), g.dtype)
    wide[:, ::2] = g
    params[2].grad._data = wide[:, ::2]


def _other_dtype_grad(opt, params):
    g = params[1].grad._data
    other = np.float64 if g.dtype == np.float32 else np.float32
    # through .data (PyTorch's way too: assigning .grad another dtype is refused)
    params[1].grad.data = ag.tensor(g.astype(other) * (1 + 2.0**-30))  # float64: not float32 values


def _grad_of_another_shape(opt, params):
    params[3].grad._data = np.ones(4, params[3]._data.dtype)  # behind the setter's back


def _grad_none(opt, params):
    params[2].grad = None


def _shorter_state_array(opt, params):
    st = opt.state[params[1]]
    for name in [k for k, v in st.items() if v.ndim and v.numel()][:1]:
        st[name] = st[name][:-1].clone()  # (plain SGD has no state array)


def _lr_changed(opt, params):
    opt.param_groups[0]["lr"] = opt.param_groups[0]["lr"] * 0.5


def _hyperparameters_edited(opt, params):
    """Every positive float hyperparameter but lr halved (tuples elementwise), ``maximize``
    switched: all of them in place in the group dict."""
    group = opt.param_groups[0]
    for k, v in list(group.items()):
        if k == "maximize":
            group[k] = not v
        elif type(v) is float and v > 0 and k != "lr":
            group[k] = v * 0.5
        elif type(v) is tuple and v and all(type(x) is float for x in v):
            group[k] = tuple(x * 0.5 for x in v)


CHANGES = [_fortran_grad, _strided_grad, _other_dtype_grad, _grad_of_another_shape, _grad_none,
           _shorter_state_array, _lr_changed, _hyperparameters_edited]


def _run(cls, kwargs, dtype, change):
    rng = np.random.default_rng(0)
    params = [ag.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
              for s in SHAPES]
    opt = cls(params, **kwargs)
    error = None
    for k in range(6):
        _set_grads(params, k)
        if k == 3:
            change(opt, params)
        try:
            opt.step()
        except (RuntimeError, ValueError) as exc:
            error = (type(exc), str(exc).replace("Reference", ""))
            break
    return error, [p._data.tobytes() for p in params], [
        (n, _snap(v))
        for p in params for n, v in sorted(opt.state[p].items())]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_a_change_between_steps_gives_the_twin_path_result(name, dtype, change, monkeypatch):
    spec = ALGORITHMS[name]
    got = _run(spec.cls, spec.kwargs, dtype, change)
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    want = _run(_reference(spec.cls), spec.kwargs, dtype, change)
    assert got == want
    if change is _grad_of_another_shape or (change is _shorter_state_array
                                            and spec.state_arrays):
        assert got[0] is not None and got[0][0] is RuntimeError  # refused, never reinterpreted
    else:
        assert got[0] is None


def test_cached_coefficients_follow_the_learning_rate_at_every_step():
    """The lr changed before every step (a scheduler) while the other coefficients stay
    memoised: the same trajectory as coefficients computed at every step, and the steps differ
    from a run at a constant lr (the rate is read)."""
    spec = ALGORITHMS["adam"]
    runs = []
    for cls, scale in ((spec.cls, 0.9), (_reference(spec.cls), 0.9), (spec.cls, 1.0)):
        rng = np.random.default_rng(1)
        params = [ag.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
                  for s in SHAPES]
        opt = cls(params, lr=0.01)
        for k in range(8):
            _set_grads(params, k)
            opt.param_groups[0]["lr"] = 0.01 * scale ** k
            opt.step()
        runs.append([p._data.tobytes() for p in params])
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


@pytest.mark.parametrize("name", NAMES)
def test_a_group_of_two_dtypes_gives_the_twin_path_result(name, monkeypatch):
    """One group holding float32 and float64 parameters in runs (a multi-tensor call per run,
    coefficients per dtype, the scalar state written once for all)."""
    spec = ALGORITHMS[name]
    dtypes = [np.float32] * 4 + [np.float64] * 4 + [np.float32]
    runs = []
    for backend, cls in (("numba", spec.cls), ("numpy", _reference(spec.cls))):
        monkeypatch.setenv("TAPEGRAD_KERNELS", backend)
        rng = np.random.default_rng(2)
        params = [ag.tensor(rng.standard_normal((k + 1, 2)).astype(d), requires_grad=True)
                  for k, d in enumerate(dtypes)]
        opt = cls(params, **spec.kwargs)
        for k in range(5):
            _set_grads(params, k)
            opt.step()
        runs.append(([p._data.tobytes() for p in params],
                     [(n, _snap(v))
                      for p in params for n, v in sorted(opt.state[p].items())]))
    assert runs[0] == runs[1]


def test_a_replaced_plan_frees_the_arrays_it_held():
    """A stale plan is dropped by reference counting (no reference cycle through its generated
    function), so a replaced parameter array is freed at once, not at some later collection."""
    import gc
    import weakref

    spec = ALGORITHMS["adam"]
    rng = np.random.default_rng(3)
    params = [ag.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
              for s in SHAPES]
    opt = spec.cls(params, **spec.kwargs)
    for k in range(3):
        _set_grads(params, k)
        opt.step()
    gc.collect()
    gc.disable()
    try:
        old = params[1]._data
        freed = weakref.ref(old)
        params[1]._data = old.copy()
        del old
        _set_grads(params, 3)
        opt.step()  # the plan is stale: the checked path, then a new plan
        assert freed() is None
    finally:
        gc.enable()
