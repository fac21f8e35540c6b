"""The Optimizer contract: construction, param groups, zero_grad, closures, state_dict round
trips and validation, invalid hyperparameters, memory accounting, backends, odd inputs."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import optimizers as optim
import optim_reference_cases as RC
from optimizers.registry import ALGORITHMS, build

ALL = sorted(ALGORITHMS)


def params(*shapes, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [RC.make_param(rng.standard_normal(s).astype(dtype)) for s in shapes]


def grad_of(x):
    """A fixed, deterministic, nonlinear gradient field for any shape."""
    scale = 1.0 + np.arange(x.size).reshape(x.shape) % 3
    return ((x - 0.5) * scale + 0.1 * np.sin(3 * x)).astype(x.dtype)


def quad_grads(ps):
    for p in ps:
        RC.set_grad(p, grad_of(p._data))


def run(opt, ps, n):
    out = []
    for _ in range(n):
        quad_grads(ps)
        opt.step()
        out.append(np.concatenate([p._data.ravel().copy() for p in ps]))
    return np.array(out)


# ---- construction and hyperparameter validation ---------------------------------------------

@pytest.mark.parametrize("cls,kwargs,word", [
    (optim.SGD, dict(lr=-0.1), "learning rate"),
    (optim.SGD, dict(momentum=-0.5), "momentum"),
    (optim.SGD, dict(weight_decay=-1), "weight_decay"),
    (optim.SGD, dict(nesterov=True), "Nesterov"),
    (optim.SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), "Nesterov"),
    (optim.Adam, dict(lr=-1e-3), "learning rate"),
    (optim.Adam, dict(betas=(1.0, 0.999)), "beta parameter at index 0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "beta parameter at index 1"),
    (optim.Adam, dict(eps=-1e-8), "epsilon"),
    (optim.AdamW, dict(weight_decay=-1e-2), "weight_decay"),
    (optim.Adamax, dict(betas=(0.9, 1.5)), "index 1"),
    (optim.NAdam, dict(momentum_decay=-1), "momentum_decay"),
    (optim.RAdam, dict(eps=-1), "epsilon"),
    (optim.Adagrad, dict(lr_decay=-1), "lr_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-1), "initial_accumulator_value"),
    (optim.RMSprop, dict(alpha=-0.1), "alpha"),
    (optim.RMSprop, dict(eps=-0.1), "epsilon"),
    (optim.Adadelta, dict(rho=1.5), "rho"),
    (optim.Rprop, dict(etas=(1.5, 1.2)), "eta"),
    (optim.Rprop, dict(lr=-1), "learning rate"),
])
def test_invalid_hyperparameters_raise_value_error_naming_them(cls, kwargs, word):
    with pytest.raises(ValueError, match=word):
        cls(params((2,)), **kwargs)


def test_invalid_option_in_a_param_group_is_rejected():
    a, b = params((2,), (3,))
    with pytest.raises(ValueError, match="beta parameter at index 0"):
        optim.Adam([{"params": [a]}, {"params": [b], "betas": (1.2, 0.9)}])


def test_construction_errors():
    (p,) = params((2,))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(NotImplementedError):
        optim.Adam([p], differentiable=True)


def test_defaults_match_pytorch():
    (p,) = params((2,))
    assert optim.SGD([p]).defaults["lr"] == 1e-3
    assert optim.Adam([p]).defaults["betas"] == (0.9, 0.999)
    assert optim.AdamW([p]).defaults["weight_decay"] == 1e-2
    assert optim.Adamax([p]).defaults["lr"] == 2e-3
    assert optim.NAdam([p]).defaults["momentum_decay"] == 4e-3
    assert optim.Adagrad([p]).defaults["eps"] == 1e-10
    assert optim.Adadelta([p]).defaults["lr"] == 1.0
    assert optim.Rprop([p]).defaults["step_sizes"] == (1e-6, 50)


# ---- param groups ---------------------------------------------------------------------------

def test_param_groups_with_different_options():
    a, b = params((3,), (3,))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.9
    a0, b0 = a._data.copy(), b._data.copy()
    RC.set_grad(a, np.ones(3))
    RC.set_grad(b, np.ones(3))
    opt.step()
    np.testing.assert_allclose(a._data, a0 - 0.1)
    np.testing.assert_allclose(b._data, b0 - 0.5)
    assert "momentum_buffer" not in opt.state[a] and "momentum_buffer" in opt.state[b]


def test_add_param_group_rejects_parameter_already_in_another_group():
    a, b = params((2,), (2,))
    opt = optim.Adam([a])
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a, b]})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": b, "lr": 0.5})
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)


def test_adagrad_state_of_an_added_group_starts_at_its_first_step():
    # the constructor's parameters get their state at once, an added group's at its first
    # step (as PyTorch's), with the group's own initial_accumulator_value
    a, b = params((2,), (3,))
    opt = optim.Adagrad([a], initial_accumulator_value=0.1)
    assert opt.state[a]["step"] == 0.0
    opt.add_param_group({"params": [b], "initial_accumulator_value": 0.3})
    assert not opt.state.get(b)
    b.grad = RC.make_param(np.zeros(3))
    opt.step()
    np.testing.assert_array_equal(opt.state[b]["sum"], np.full(3, 0.3))


def test_named_parameters_are_accepted():
    a, b = params((2,), (2,))
    opt = optim.SGD([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


# ---- zero_grad, closures, missing grads ------------------------------------------------------

def test_zero_grad_set_to_none_and_in_place():
    a, b = params((2,), (3,))
    opt = optim.SGD([a, b], lr=0.1)
    quad_grads([a, b])
    g = a.grad._data
    opt.zero_grad(set_to_none=False)
    assert a.grad is not None and np.all(a.grad._data == 0) and a.grad._data is g
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_step_returns_closure_loss_and_runs_it_with_grad_enabled():
    import autograd_core as ag

    (p,) = params((3,))
    opt = optim.SGD([p], lr=0.1)
    seen = {}

    def closure():
        seen["grad_enabled"] = ag.is_grad_enabled()
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    x0 = p._data.copy()
    with ag.no_grad():
        loss = opt.step(closure)
    assert seen["grad_enabled"] is True
    np.testing.assert_allclose(float(loss.item()), float((x0 * x0).sum()))
    np.testing.assert_allclose(p._data, x0 - 0.1 * 2 * x0)
    assert opt.step() is None


@pytest.mark.parametrize("name", ALL)
def test_parameters_without_grad_are_skipped(name):
    a, b = params((2,), (3,))
    opt = ALGORITHMS[name].cls([a, b], **ALGORITHMS[name].kwargs)
    b0 = b._data.copy()
    RC.set_grad(a, np.ones(2))
    opt.step()
    np.testing.assert_array_equal(b._data, b0)
    if name != "adagrad":  # Adagrad creates state eagerly, as PyTorch
        assert not opt.state.get(b)


def test_update_is_in_place_and_views_stay_valid():
    (p,) = params((4, 3))
    data = p._data
    view = data[1]
    opt = optim.Adam([p], lr=0.1)
    quad_grads([p])
    before = view.copy()
    opt.step()
    assert p._data is data
    assert not np.array_equal(view, before)


def test_non_contiguous_parameter_is_updated_in_place():
    base = np.arange(12.0).reshape(3, 4)
    p = RC.make_param(base)
    p._data = p._data.T  # a transposed view
    assert not p._data.flags.c_contiguous
    data = p._data
    opt = optim.SGD([p], lr=0.5)
    RC.set_grad(p, np.ones((4, 3)))
    expect = data.copy() - 0.5
    opt.step()
    assert p._data is data
    np.testing.assert_array_equal(p._data, expect)


def test_gradient_of_other_dtype_is_cast():
    (p,) = params((3,), dtype=np.float32)
    opt = optim.SGD([p], lr=0.5)
    RC.set_grad(p, np.ones(3, np.float64))
    x0 = p._data.copy()
    opt.step()
    assert p._data.dtype == np.float32
    np.testing.assert_allclose(p._data, x0 - 0.5)


def test_integer_parameters_are_rejected():
    with pytest.raises(TypeError, match="float32 and float64"):
        optim.SGD([optim.registry.ArrayParam(np.arange(3))], lr=0.1)


@pytest.mark.parametrize("name", ["adam", "sgd_momentum", "rmsprop_centered_momentum", "nadam"])
def test_numba_and_numpy_backends_agree(name, monkeypatch):
    out = {}
    for b in ("numba", "numpy"):
        monkeypatch.setenv("TAPEGRAD_KERNELS", b)
        ps = params((5, 4), (7,), dtype=np.float32, seed=3)
        opt = ALGORITHMS[name].cls(ps, **ALGORITHMS[name].kwargs)
        out[b] = run(opt, ps, 5)
    np.testing.assert_array_equal(out["numba"], out["numpy"])


def test_bad_backend_name_raises(monkeypatch):
    (p,) = params((2,))
    opt = optim.SGD([p], lr=0.1)
    RC.set_grad(p, np.ones(2))
    monkeypatch.setenv("TAPEGRAD_KERNELS", "cuda")
    with pytest.raises(ValueError, match="TAPEGRAD_KERNELS"):
        opt.step()


# ---- state_dict ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_state_dict_resume_gives_the_uninterrupted_trajectory(name):
    spec = ALGORITHMS[name]
    kwargs = dict(spec.kwargs, lr=0.05) if name != "adadelta" else spec.kwargs
    ps = params((3, 2), (4,), seed=1)
    opt = spec.cls(ps, **kwargs)
    run(opt, ps, 4)
    saved = opt.state_dict()
    saved_params = [p._data.copy() for p in ps]
    tail = run(opt, ps, 4)  # continue uninterrupted (must not alter `saved`)

    ps2 = [RC.make_param(a) for a in saved_params]
    opt2 = spec.cls(ps2, **spec.kwargs)  # options come from the state dict
    opt2.load_state_dict(saved)
    np.testing.assert_array_equal(run(opt2, ps2, 4), tail)


def test_state_dict_layout_is_pytorch_and_plain_data():
    a, b, c = params((2, 3), (3,), (1,))
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.1}], amsgrad=True)
    quad_grads([a, b])
    RC.set_grad(c, np.ones(1))
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == 0.1
    assert set(sd["state"]) == {0, 1, 2}
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert sd["state"][0]["step"] == 1.0 and sd["state"][0]["exp_avg"].shape == (2, 3)

    def plain(x):
        if isinstance(x, dict):
            return all(isinstance(k, (int, str)) and plain(v) for k, v in x.items())
        if isinstance(x, (list, tuple)):
            return all(plain(v) for v in x)
        return isinstance(x, (ag.Tensor, int, float, bool, str, type(None)))

    assert plain(sd)  # the state as PyTorch's: Tensors (step a 0-d one)
    sd["state"][0]["exp_avg"][...] = 123.0  # a copy: the optimizer is unaffected
    assert not np.any(opt.state[a]["exp_avg"].numpy() == 123.0)


def _trained_adam():
    ps = params((2, 3), (3,))
    opt = optim.Adam([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.01}], lr=0.1)
    run(opt, ps, 2)
    return opt, ps


@pytest.mark.parametrize("mutate,match", [
    (lambda sd: sd["param_groups"].pop(), "number of parameter groups"),
    (lambda sd: sd["param_groups"][1]["params"].append(7), r"param_groups\[1\] has 2"),
    (lambda sd: sd["state"][0].__setitem__("exp_avg", np.zeros((3, 2))), "shape"),
    (lambda sd: sd["state"][1].__setitem__("exp_avg_sq", np.zeros(3, np.int64)), "dtype"),
    (lambda sd: sd["state"].__setitem__(5, {}), "parameter index 5"),
    (lambda sd: sd["state"][1].pop("exp_avg"), "lacks 'exp_avg'"),
    (lambda sd: sd["param_groups"][0].__setitem__("betas", (2.0, 0.9)), "beta parameter"),
    (lambda sd: sd.pop("state"), "'state'"),
])
def test_load_state_dict_validates_first_and_changes_nothing(mutate, match):
    opt, ps = _trained_adam()
    good = opt.state_dict()
    bad = opt.state_dict()
    mutate(bad)
    before_groups = [dict(g) for g in opt.param_groups]
    before_state = {p: {k: (v.copy() if isinstance(v, np.ndarray) else v)
                        for k, v in opt.state[p].items()} for p in ps}
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(bad)
    assert [dict(g) for g in opt.param_groups] == before_groups
    for p in ps:
        for k, v in before_state[p].items():
            np.testing.assert_array_equal(opt.state[p][k], v)
    opt.load_state_dict(good)  # the intact dict still loads


def test_load_state_dict_deep_copies_and_casts_to_param_dtype():
    opt, ps = _trained_adam()
    sd = opt.state_dict()
    ps32 = [RC.make_param(p._data.astype(np.float32)) for p in ps]
    opt32 = optim.Adam([{"params": [ps32[0]]}, {"params": [ps32[1]]}])
    opt32.load_state_dict(sd)
    assert opt32.state[ps32[0]]["exp_avg"].numpy().dtype == np.float32
    assert opt32.param_groups[1]["lr"] == 0.01
    sd["state"][0]["exp_avg"][...] = 99.0
    assert not np.any(opt32.state[ps32[0]]["exp_avg"].numpy() == 99.0)


def test_adamw_forces_decoupled_weight_decay_on_load():
    (p,) = params((2,))
    sd = optim.Adam([p]).state_dict()
    opt = optim.AdamW([p])
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


# ---- memory accounting ---------------------------------------------------------------------

@pytest.mark.parametrize("name,arrays", [("sgd", 0), ("sgd_momentum", 1), ("adam", 2),
                                          ("amsgrad", 3), ("rmsprop", 1),
                                          ("rmsprop_centered_momentum", 3), ("adagrad", 1),
                                          ("adadelta", 2), ("adamax", 2), ("nadam", 2),
                                          ("radam", 2), ("rprop", 2), ("adamw", 2)])
def test_state_bytes_counts_exactly_the_state_arrays(name, arrays):
    shapes = [(16, 2), (16,), (16, 16), (16,), (1, 16), (1,)]  # a 2-16-16-1 MLP
    arrs = [np.zeros(s, np.float32) for s in shapes]
    grads = [np.ones(s, np.float32) for s in shapes]
    opt, ps = build(name, arrs, grads)
    opt.step()
    n = sum(a.size for a in arrs)
    assert ALGORITHMS[name].state_arrays == arrays
    assert opt.state_bytes() == arrays * n * 4
    per = opt.state_bytes(per_param=True)
    assert per == {i: arrays * a.size * 4 for i, a in enumerate(arrs)}
    report = opt.memory_report()
    assert report["param_bytes"] == n * 4 and report["grad_bytes"] == n * 4
    assert report["footprint_ratio"] == 2 + arrays  # momentum triples, Adam quadruples


def test_repr_lists_groups():
    (p,) = params((2,))
    text = repr(optim.Adam([p], lr=0.1))
    assert text.startswith("Adam (") and "Parameter Group 0" in text and "lr: 0.1" in text


def test_optimizers_do_not_import_nn():
    import subprocess
    import sys

    code = ("import sys, optimizers, optimizers.lr_scheduler, optimizers.test_functions;"
            "sys.exit(1 if any(m == 'nn' or m.startswith('nn.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_import_does_not_import_numba():
    import subprocess
    import sys

    code = "import sys, optimizers; sys.exit(1 if 'numba' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
