"""Checks every optimizer must pass, written once for any ``AlgorithmSpec``: the entries of
``optimizers.registry.ALGORITHMS`` (test_generic.py) and the optimizer that CONTRIBUTING.md's
recipe builds (test_contributing_recipe.py).

* ``check_declaration``: the kernel has a numpy twin of the same signature, its scalars are the
  named ``Coefficients``, its loop uses ``prange``, and float32 coefficients are float32;
* ``check_kernel_matches_twin``: whole trajectories under ``TAPEGRAD_KERNELS=numba`` and
  ``numpy`` are bit-identical, on tensors below (serial build) and above (parallel build)
  ``PARALLEL_MIN_SIZE``, float32 and float64, including a non-contiguous parameter;
* ``check_state_round_trip``: a state_dict saved mid-run and loaded into a fresh optimizer gives
  the uninterrupted trajectory bit for bit;
* ``check_memory``: ``state_bytes()`` is exactly ``state_arrays`` parameter-sized arrays;
* ``check_torch_parity``: the trajectory matches ``torch.optim`` (live, float64, rtol 1e-9);
* ``check_rebinding_is_refused``: a parameter array replaced by one of another shape or dtype
  makes ``step()`` raise naming the parameter, and nothing is written.
"""

from __future__ import annotations

import inspect

import numpy as np
import optim_reference_cases as RC
import pytest

from autograd_core.kernels.optim import PARALLEL_MIN_SIZE


def make_params(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [RC.make_param(rng.standard_normal(s).astype(dtype)) for s in shapes]


def grad_of(x):
    return (np.sin(3 * x) + 0.3 * x - 0.1).astype(x.dtype)


def run(opt, params, n):
    out = []
    for _ in range(n):
        for p in params:
            RC.set_grad(p, grad_of(p._data))
        opt.step()
        out.append(np.concatenate([p._data.reshape(-1)[:64].copy() for p in params]))
    return np.array(out)


def check_declaration(spec):
    kern = spec.cls.update
    assert kern.twin is not None, f"{kern.name} has no numpy twin"
    names = list(inspect.signature(kern.py_func).parameters)
    assert list(inspect.signature(kern.twin).parameters) == names
    assert names[: len(kern.arrays)] == list(kern.arrays)
    assert names[len(kern.arrays):] == list(kern.Coefficients._fields)
    assert "prange(" in inspect.getsource(kern.py_func)
    opt = spec.cls(make_params([(3,)], np.float32), **spec.kwargs)
    group = opt.param_groups[0]
    scalars = {k: (v + 1.0 if k == "step" else v) for k, v in opt.scalars.items()}
    co = opt.coefficients(group, np.float32, scalars, True)
    assert isinstance(co, kern.Coefficients)
    for name, value in zip(co._fields, co):
        assert type(value) in (np.float32, bool, int), (name, type(value))


def check_kernel_matches_twin(spec, monkeypatch, steps=3):
    shapes = [(3, 4), (37,), (PARALLEL_MIN_SIZE + 13,)]
    for dtype in (np.float32, np.float64):
        out = {}
        for backend in ("numba", "numpy"):
            monkeypatch.setenv("TAPEGRAD_KERNELS", backend)
            params = make_params(shapes, dtype, seed=1)
            params[0]._data = np.ascontiguousarray(params[0]._data.T).T  # non-contiguous
            opt = spec.cls(params, **spec.kwargs)
            out[backend] = run(opt, params, steps)
            out[backend + "_big"] = params[2]._data.copy()
        np.testing.assert_array_equal(out["numba"], out["numpy"])
        np.testing.assert_array_equal(out["numba_big"], out["numpy_big"])
    monkeypatch.delenv("TAPEGRAD_KERNELS")


def check_state_round_trip(spec):
    params = make_params([(3, 2), (4,)], np.float64, seed=2)
    opt = spec.cls(params, **spec.kwargs)
    run(opt, params, 4)
    saved = opt.state_dict()
    saved_params = [p._data.copy() for p in params]
    tail = run(opt, params, 4)
    params2 = [RC.make_param(a) for a in saved_params]
    opt2 = spec.cls(params2, **spec.kwargs)
    opt2.load_state_dict(saved)
    np.testing.assert_array_equal(run(opt2, params2, 4), tail)


def check_memory(spec):
    shapes = [(16, 2), (16,), (16, 16), (16,), (1, 16), (1,)]
    params = make_params(shapes, np.float32)
    opt = spec.cls(params, **spec.kwargs)
    run(opt, params, 1)
    n = sum(int(np.prod(s)) for s in shapes)
    assert opt.state_bytes() == spec.state_arrays * n * 4
    assert opt.memory_report()["footprint_ratio"] == 2 + spec.state_arrays


def check_torch_parity(spec, kwargs=None, n_steps=RC.N_STEPS):
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    kwargs = dict(spec.kwargs if kwargs is None else kwargs)
    params = [RC.make_param(a) for a in RC.initial_params(np.dtype(np.float64))]
    tparams = [torch.tensor(a, requires_grad=True) for a in RC.initial_params(np.float64)]
    opt = spec.cls(params, **kwargs)
    topt = getattr(torch.optim, spec.torch_name)(tparams, **kwargs)
    for _ in range(n_steps):
        for i, (p, tp) in enumerate(zip(params, tparams)):
            RC.set_grad(p, RC.gradient(i, p._data.copy()))
            tp.grad = torch.from_numpy(RC.gradient(i, tp.detach().numpy().copy()))
        opt.step()
        topt.step()
        for p, tp in zip(params, tparams):
            np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=1e-9, atol=1e-12)


def check_rebinding_is_refused(spec):
    for new in (np.zeros((5, 2)), np.zeros((3,), np.float32), np.zeros((2, 2)).T):
        a, b = make_params([(3,), (2, 2)], np.float64, seed=3)
        opt = spec.cls([{"params": [a]}, {"params": [b]}], **spec.kwargs)
        run(opt, [a, b], 1)
        if not any(isinstance(v, np.ndarray) for v in opt.state[b].values()):
            continue  # no state arrays (plain SGD): nothing to mismatch
        b._data = new.copy()
        before = b._data.copy()
        for p in (a, b):
            RC.set_grad(p, np.ones_like(p._data))
        if new.shape == (2, 2):  # same shape, other layout: must work as usual
            opt.step()
            continue
        with pytest.raises(RuntimeError, match=r"parameter 0 in param group 1") as err:
            opt.step()
        assert str(new.shape) in str(err.value) or str(new.dtype) in str(err.value)
        np.testing.assert_array_equal(b._data, before)


def check_step_hooks(spec, steps=3):
    """Step hooks: pre-hooks see the parameters before the update and post-hooks after it, once
    per step, in registration order; a pre-hook's replacement arguments reach ``step`` (a
    closure whose loss it returns) and the post-hooks; the trajectory is the unhooked one;
    removed hooks run no more."""
    plain = make_params([(3, 4), (5,)], np.float64, seed=2)
    expected = run(spec.cls(plain, **spec.kwargs), plain, steps)
    params = make_params([(3, 4), (5,)], np.float64, seed=2)
    opt = spec.cls(params, **spec.kwargs)
    log = []

    def pre(name):
        return lambda o, args, kwargs: log.append((name, o is opt, args[0] is opt, dict(kwargs),
                                                   params[1]._data.copy()))

    def replace(o, args, kwargs):
        log.append(("replace",))
        return args, {"closure": lambda: (log.append(("closure",)), 7.5)[1]}

    handles = [opt.register_step_pre_hook(pre("pre1")), opt.register_step_pre_hook(replace),
               opt.register_step_pre_hook(pre("pre2")), opt.register_step_post_hook(pre("post"))]
    got = []
    for _ in range(steps):
        for p in params:
            RC.set_grad(p, grad_of(p._data))
        before = params[1]._data.copy()
        log.clear()
        assert opt.step() == 7.5
        got.append(np.concatenate([p._data.reshape(-1)[:64].copy() for p in params]))
        assert [e[0] for e in log] == ["pre1", "replace", "pre2", "closure", "post"]
        for e in (log[0], log[2], log[4]):
            assert e[1] and e[2]
        assert log[0][3] == {} and "closure" in log[2][3] and "closure" in log[4][3]
        np.testing.assert_array_equal(log[0][4], before)
        np.testing.assert_array_equal(log[4][4], params[1]._data)
        assert not np.array_equal(before, params[1]._data)
    np.testing.assert_array_equal(np.array(got), expected)
    for h in handles:
        h.remove()
    log.clear()
    opt.step()
    assert log == []
