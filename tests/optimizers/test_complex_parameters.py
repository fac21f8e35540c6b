"""Complex parameters are stepped as PyTorch steps them: as their real views (``view_as_real``),
with complex state arrays of the parameter's shape. Checked against stepping the real view
as a real parameter (bit for bit), against PyTorch 2.13's trajectories, and through a
state_dict round trip."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim

#: every optimizer PyTorch 2.13 steps complex parameters with (SparseAdam refuses them)
KERNEL_OPTIMIZERS = {
    "SGD": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": dict(lr=0.05, amsgrad=True),
    "AdamW": dict(lr=0.05),
    "RMSprop": dict(lr=0.01, centered=True, momentum=0.5),
    "Adagrad": dict(lr=0.1, initial_accumulator_value=0.3),
    "Adadelta": dict(lr=1.0),
    "Adamax": dict(lr=0.05),
    "NAdam": dict(lr=0.05),
    "RAdam": dict(lr=0.05),
    "ASGD": dict(lr=0.05, t0=3),
    "Rprop": dict(lr=0.01),
}


def _loss(w, x, y):
    """Re/Im-mixing complex least squares: a real loss of complex parameters."""
    return ((x @ w.transpose(0, 1) - y).abs() ** 2).mean() + (w * w).real.sum() * 0.1


def _data(dtype, seed=0):
    rng = np.random.default_rng(seed)
    c = lambda *s: (rng.standard_normal(s) + 1j * rng.standard_normal(s)).astype(dtype)
    return c(2, 3), c(8, 3), c(8, 2)


@pytest.mark.parametrize("name", sorted(KERNEL_OPTIMIZERS))
def test_complex_parameter_steps_as_its_real_view(name):
    # the same algorithm on a real parameter holding view_as_real(z), given view_as_real(grad)
    w0, x, y = _data(np.complex128)
    z = ag.tensor(w0.copy(), requires_grad=True)
    r = ag.tensor(w0.view(np.float64).reshape(2, 3, 2).copy(), requires_grad=True)
    oz = getattr(optim, name)([z], **KERNEL_OPTIMIZERS[name])
    or_ = getattr(optim, name)([r], **KERNEL_OPTIMIZERS[name])
    xt, yt = ag.tensor(x), ag.tensor(y)
    for _ in range(6):
        oz.zero_grad()
        _loss(z, xt, yt).backward()
        r.grad = ag.view_as_real(z.grad).clone()
        oz.step()
        or_.step()
        assert z.dtype == ag.complex128
        np.testing.assert_array_equal(ag.view_as_real(z).detach().numpy(), r.detach().numpy())
    for key, value in oz.state[z].items():
        if isinstance(value, np.ndarray):  # complex, of the parameter's shape (PyTorch's)
            assert value.dtype == np.complex128 and value.shape == (2, 3), key
            np.testing.assert_array_equal(value.view(np.float64).reshape(2, 3, 2),
                                          or_.state[r][key], err_msg=key)


@pytest.mark.parametrize("name", ["Adam", "Rprop", "Adagrad", "ASGD"])
def test_state_dict_round_trip_with_complex_parameters(name):
    w0, x, y = _data(np.complex64, seed=1)
    xt, yt = ag.tensor(x), ag.tensor(y)
    a = ag.tensor(w0.copy(), requires_grad=True)
    opt = getattr(optim, name)([a], **KERNEL_OPTIMIZERS[name])
    for _ in range(3):
        opt.zero_grad()
        _loss(a, xt, yt).backward()
        opt.step()
    saved = opt.state_dict()
    arrays = {k: v.numpy() for k, v in saved["state"][0].items() if v.ndim}
    assert arrays and all(v.dtype == np.complex64 and v.shape == (2, 3)
                          for v in arrays.values())
    b = ag.tensor(a.detach().numpy().copy(), requires_grad=True)
    opt_b = getattr(optim, name)([b], **KERNEL_OPTIMIZERS[name])
    opt_b.load_state_dict(saved)
    for p, o in ((a, opt), (b, opt_b)):
        for _ in range(3):
            o.zero_grad()
            _loss(p, xt, yt).backward()
            o.step()
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_real_state_for_a_complex_parameter_is_refused_on_load():
    z = ag.zeros(3, dtype=ag.complex128, requires_grad=True)
    opt = optim.Adam([z])
    state = {"state": {0: {"step": 1.0, "exp_avg": np.zeros(3), "exp_avg_sq": np.zeros(3)}},
             "param_groups": opt.state_dict()["param_groups"]}
    with pytest.raises(ValueError, match=r"state\[0\]\['exp_avg'\] has dtype float64; complex"):
        opt.load_state_dict(state)
    assert not opt.state[z]


def test_non_contiguous_complex_parameter_is_updated_in_place():
    base = ag.tensor(np.arange(6).reshape(2, 3) * (1 + 1j), requires_grad=True)
    z = ag.tensor(base.detach().numpy().T, requires_grad=True)  # a transposed (F-order) array
    assert not z._data.flags.c_contiguous
    opt = optim.SGD([z], lr=0.5)
    z.grad = ag.tensor(np.full((3, 2), 2 - 4j))
    opt.step()
    np.testing.assert_array_equal(z.detach().numpy(), base.detach().numpy().T - (1 - 2j))


def test_integer_parameters_are_still_refused():
    with pytest.raises(TypeError, match="float32 and float64 parameters .*got int64"):
        optim.SGD([ag.zeros(2, dtype=ag.int64)], lr=0.1)


def _fit(lib, name, kwargs, w0, x, y, steps=20):
    """``steps`` steps of ``name`` on a complex nn.Linear fit to (x, y); the weight's path."""
    layer = lib.nn.Linear(3, 2, bias=True, dtype=lib.complex128)
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(w0))
        layer.bias.copy_(lib.tensor(w0[:, 0] * 0.5))
    opt = getattr(lib.optim, name)(layer.parameters(), **kwargs)
    xt, yt = lib.tensor(x), lib.tensor(y)

    def closure():
        opt.zero_grad()
        loss = ((layer(xt) - yt).abs() ** 2).mean()
        loss.backward()
        return loss

    path = []
    for _ in range(steps):
        opt.step(closure)
        path.append(layer.weight.detach().numpy().copy())
    state = {k: v for k, v in opt.state[layer.weight].items()
             if hasattr(v, "shape") and len(v.shape)}
    return np.array(path), {k: np.asarray(v.detach().numpy() if hasattr(v, "detach") else v)
                            for k, v in state.items()}


TORCH_OPTIMIZERS = {**KERNEL_OPTIMIZERS, "LBFGS": dict(lr=0.5, max_iter=3),
                    "LBFGS_wolfe": dict(lr=1.0, max_iter=3, line_search_fn="strong_wolfe")}


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(TORCH_OPTIMIZERS))
def test_complex_linear_fit_trajectory_matches_torch(name):
    torch = pytest.importorskip("torch")
    ours = type("lib", (), {"nn": nn, "optim": optim, "complex128": ag.complex128,
                            "tensor": staticmethod(ag.tensor), "no_grad": ag.no_grad})
    w0, x, y = _data(np.complex128, seed=2)
    algo = name.split("_")[0]
    path, state = _fit(ours, algo, TORCH_OPTIMIZERS[name], w0, x, y)
    tpath, tstate = _fit(torch, algo, TORCH_OPTIMIZERS[name], w0, x, y)
    # LBFGS converges by step ~10: its curvature pairs of vanishing steps amplify the rounding
    # of the dot products (1e-14 apart after 3 steps, 1e-9 after 20; real parameters alike)
    tol = 1e-7 if algo == "LBFGS" else 1e-11
    np.testing.assert_allclose(path, tpath, rtol=tol, atol=tol)
    if algo != "LBFGS":  # LBFGS keeps flat real history vectors, as PyTorch
        assert sorted(state) == sorted(tstate)
        for k in state:
            assert state[k].dtype == tstate[k].dtype == np.complex128, k
            np.testing.assert_allclose(state[k], tstate[k], rtol=1e-9, atol=1e-11, err_msg=k)
