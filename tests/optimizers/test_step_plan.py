"""The optimizer's step plan (the steady-state fast path of ``Optimizer.step``) must give
exactly what the checked path gives, and notice every change to what it assumed: each case
below changes one thing between steps and compares, bit for bit, against the same optimizer
with the plan switched off."""

import numpy as np
import pytest

import autograd_core as ag
import optimizers


def _no_plan(cls):
    return type(f"{cls.__name__}NoPlan", (cls,), {"_run_plan": lambda self, *a: False})


def _params(seed):
    rng = np.random.default_rng(seed)
    return [ag.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
            for s in [(4, 3), (4,), (2, 4), (2,)]]


def _set_grads(params, k):
    for i, p in enumerate(params):
        rng = np.random.default_rng(100 * k + i)
        p.grad = ag.tensor(rng.standard_normal(p.shape).astype(np.float32))


def _replace_state_array(opt, params):
    st = opt.state[params[1]]
    st["exp_avg"] = st["exp_avg"].clone() + 1.0


def _replace_param_array(opt, params):
    params[2].data = params[2].data * 2


def _toggle_amsgrad(opt, params):
    opt.param_groups[0]["amsgrad"] = True


def _change_lr(opt, params):
    opt.param_groups[0]["lr"] = 0.5


def _drop_a_grad(opt, params):
    params[0].grad = None


def _replace_params_list(opt, params):
    opt.param_groups[0]["params"] = params[:3]


def _swap_params(opt, params):
    ps = opt.param_groups[0]["params"]
    ps[1], ps[3] = ps[3], ps[1]


def _replace_a_param(opt, params):
    new = ag.tensor(np.full(4, 0.5, np.float32), requires_grad=True)
    new.grad = ag.tensor(np.ones(4, np.float32))
    params[1] = new
    opt.param_groups[0]["params"][1] = new


def _float64_grad(opt, params):
    if params[3].grad is None:
        params[3].grad = ag.zeros_like(params[3])
    params[3].grad.data = ag.tensor(np.ones(params[3].shape), dtype=ag.float64)  # (.grad = refuses)


def _step_count_as_tensor(opt, params):
    opt.state[params[0]]["step"] = 3.0


def _load_state_dict(opt, params):
    opt.load_state_dict(opt.state_dict())


def _new_group(opt, params):
    extra = ag.tensor(np.arange(3, dtype=np.float32), requires_grad=True)
    extra.grad = ag.tensor(np.ones(3, np.float32))
    params.append(extra)
    opt.add_param_group({"params": [extra], "lr": 0.1})


CHANGES = [_replace_state_array, _replace_param_array, _toggle_amsgrad, _change_lr, _drop_a_grad,
           _replace_params_list, _swap_params, _replace_a_param, _float64_grad, _step_count_as_tensor,
           _load_state_dict, _new_group]


def _run(cls, change, **kw):
    params = _params(0)
    opt = cls(params, lr=1e-2, **kw)
    for k in range(6):
        _set_grads(params, k)
        if k == 3:
            change(opt, params)
        opt.step()
    state = [{n: v._data.copy() for n, v in opt.state[p].items()} for p in params]
    return [p._data.copy() for p in params], state


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
def test_plan_equals_checked_path_after_a_change(change):
    got_params, got_state = _run(optimizers.Adam, change)
    want_params, want_state = _run(_no_plan(optimizers.Adam), change)
    for a, b in zip(got_params, want_params):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert len(got_state) == len(want_state)
    for a, b in zip(got_state, want_state):
        assert a.keys() == b.keys()
        for n in a:
            if isinstance(a[n], np.ndarray):
                assert a[n].tobytes() == b[n].tobytes(), n
            else:
                assert a[n] == b[n], n


def test_the_plan_runs_in_the_steady_state():
    """The fast path must actually be taken (else the cases above test one path twice)."""
    calls = []

    class Counting(optimizers.Adam):
        def _run_plan(self, *a):
            ok = super()._run_plan(*a)
            calls.append(ok)
            return ok

    params = _params(1)
    opt = Counting(params, lr=1e-2)
    for k in range(4):
        _set_grads(params, k)
        opt.step()
    assert calls == [True, True, True]  # the first step makes the state and the plan


def test_a_replaced_state_array_is_the_one_updated():
    """A state array put into ``opt.state`` between steps is updated by the next step (a stale
    plan would silently update the old one)."""
    params = _params(2)
    opt = optimizers.SGD(params, lr=0.1, momentum=0.9)
    for k in range(3):
        _set_grads(params, k)
        opt.step()
    old = opt.state[params[0]]["momentum_buffer"]
    new = ag.zeros_like(old)
    opt.state[params[0]]["momentum_buffer"] = new
    _set_grads(params, 3)
    before = old.clone()
    opt.step()
    assert np.array_equal(old.numpy(), before.numpy())
    assert np.array_equal(new.numpy(), params[0].grad._data)  # 0.9 * 0 + g
    # a numpy array put there is taken as the state too (shared, shown as a Tensor)
    arr = np.zeros_like(old.numpy())
    opt.state[params[0]]["momentum_buffer"] = arr
    _set_grads(params, 4)
    opt.step()
    assert np.array_equal(arr, params[0].grad._data)
    assert opt.state[params[0]]["momentum_buffer"]._data is arr
