"""LBFGS: closed-form checks, convergence, state handling, validation, and PyTorch trajectories."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from optimizers.lbfgs import _cubic_interpolate
from optimizers.test_functions import QUADRATIC, ROSENBROCK, rosenbrock


def _param(values, dtype=np.float64):
    return nn.Parameter(np.array(values, dtype=dtype))


def _closure(opt, fn, *params, calls=None):
    def closure():
        if calls is not None:
            calls.append(1)
        opt.zero_grad()
        loss = fn(*params)
        loss.backward()
        return loss
    return closure


def _spd(n, seed=0):
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((n, n))
    return m @ m.T + n * np.eye(n), rng.standard_normal(n)


# ---- closed forms -------------------------------------------------------------------------

def test_first_iteration_is_scaled_gradient_step():
    # f(x) = sum(x^2): g = 2 x; t = min(1, 1/|g|_1) * lr; one iteration moves x by -t g
    x0 = np.array([3.0, -1.0, 0.5])
    p = _param(x0)
    opt = optimizers.LBFGS([p], lr=0.5, max_iter=1)
    loss = opt.step(_closure(opt, lambda x: (x * x).sum(), p))
    g = 2 * x0
    t = min(1.0, 1.0 / np.abs(g).sum()) * 0.5
    np.testing.assert_allclose(p.detach().numpy(), x0 - t * g, rtol=1e-15)
    assert loss.item() == pytest.approx(float((x0 * x0).sum()))
    state = opt.state[p]
    assert state["func_evals"] == 1 and state["n_iter"] == 1
    assert float(state["t"]) == pytest.approx(t, rel=1e-15)  # a 0-d tensor, as PyTorch's
    np.testing.assert_array_equal(state["d"], -g)
    assert state["old_dirs"] == [] and state["H_diag"] == 1


def test_second_iteration_uses_the_bfgs_pair():
    # On f = 0.5 a x^2 (1-D) the secant pair gives H = s/y = 1/a: the second iteration (lr 1)
    # jumps exactly to the minimum.
    a = 4.0
    p = _param([2.0])
    opt = optimizers.LBFGS([p], max_iter=2, max_eval=10)
    opt.step(_closure(opt, lambda x: 0.5 * a * (x * x).sum(), p))
    assert p.item() == pytest.approx(0.0, abs=1e-15)
    state = opt.state[p]
    assert state["H_diag"].item() == pytest.approx(1 / a, rel=1e-15)
    assert state["ro"][0].item() == pytest.approx(
        1 / (state["old_dirs"][0] @ state["old_stps"][0]).item())


def test_cubic_interpolation_is_exact_for_a_cubic():
    # f(x) = x^3 - 3x has its local minimum at x = 1; two points with values and slopes
    # determine the cubic, so the interpolated minimiser is exact
    def f(x):
        return x ** 3 - 3 * x

    def df(x):
        return 3 * x ** 2 - 3

    assert _cubic_interpolate(0.0, f(0.0), df(0.0), 2.0, f(2.0), df(2.0)) == pytest.approx(1.0)
    assert _cubic_interpolate(2.0, f(2.0), df(2.0), 0.5, f(0.5), df(0.5)) == pytest.approx(1.0)
    # clamped to the bounds, and the midpoint when the cubic has no real minimiser
    assert _cubic_interpolate(0.0, f(0.0), df(0.0), 2.0, f(2.0), df(2.0),
                              bounds=(1.5, 3.0)) == 1.5
    # here d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2) = 0 and d1^2 - g1 g2 < 0
    assert _cubic_interpolate(0.0, 0.0, 1.0, 1.0, 2 / 3, 1.0) == 0.5


# ---- convergence ----------------------------------------------------------------------------

@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_quadratic_converges_to_closed_form_minimum(line_search_fn):
    A, b = _spd(6)
    x_star = np.linalg.solve(A, b)
    At, bt = ag.tensor(A), ag.tensor(b)
    p = _param(np.zeros(6))
    opt = optimizers.LBFGS([p], max_iter=50, max_eval=200, line_search_fn=line_search_fn,
                           tolerance_grad=1e-12, tolerance_change=0)
    opt.step(_closure(opt, lambda x: 0.5 * (x @ (At @ x)) - bt @ x, p))
    np.testing.assert_allclose(p.detach().numpy(), x_star, rtol=1e-8, atol=1e-10)


def test_ill_conditioned_quadratic_and_rosenbrock_with_line_search():
    p = _param(np.zeros(10))
    opt = optimizers.LBFGS([p], max_iter=100, max_eval=300, line_search_fn="strong_wolfe",
                           tolerance_grad=1e-10, tolerance_change=0)
    opt.step(_closure(opt, QUADRATIC, p))
    assert QUADRATIC.distance_to_minimum(p) < 1e-6
    q = _param(ROSENBROCK.start)
    opt = optimizers.LBFGS([q], max_iter=200, max_eval=400, line_search_fn="strong_wolfe",
                           tolerance_grad=1e-10, tolerance_change=0)
    opt.step(_closure(opt, ROSENBROCK, q))
    assert ROSENBROCK.distance_to_minimum(q) < 1e-6


def test_several_parameters_are_one_flat_vector():
    # f = |w - 1|^2 + (b + 2)^2 over a (2, 2) weight and a scalar-vector bias
    w = _param(np.zeros((2, 2)))
    b = _param([5.0])
    opt = optimizers.LBFGS([w, b], max_iter=30, line_search_fn="strong_wolfe")
    opt.step(_closure(opt, lambda w, b: ((w - 1) ** 2).sum() + ((b + 2) ** 2).sum(), w, b))
    np.testing.assert_allclose(w.detach().numpy(), np.ones((2, 2)), atol=1e-8)
    np.testing.assert_allclose(b.detach().numpy(), [-2.0], atol=1e-8)
    assert opt.state[w]["d"].shape == (5,) and b not in opt.state


def test_parameter_without_gradient_counts_as_zero_and_stays():
    used, unused = _param([3.0, -2.0]), _param([7.0])
    opt = optimizers.LBFGS([unused, used], max_iter=10, line_search_fn="strong_wolfe")
    opt.step(_closure(opt, lambda x: ((x - 1) ** 2).sum(), used))
    assert unused.item() == 7.0 and unused.grad is None
    np.testing.assert_allclose(used.detach().numpy(), [1.0, 1.0], atol=1e-8)
    assert opt.state[unused]["prev_flat_grad"][0] == 0.0


def test_tensor_learning_rate():
    p = _param([3.0])
    opt = optimizers.LBFGS([p], lr=ag.tensor(0.5, dtype=np.float64), max_iter=1)
    opt.step(_closure(opt, lambda x: (x * x).sum(), p))
    assert p.item() == pytest.approx(3.0 - 0.5 * (1 / 6) * 6.0)


# ---- protocol and state ---------------------------------------------------------------------

def test_returns_first_loss_and_counts_evaluations():
    calls = []
    p = _param([1.0, 2.0])
    opt = optimizers.LBFGS([p], lr=0.1, max_iter=5)
    loss = opt.step(_closure(opt, lambda x: (x ** 4).sum(), p, calls=calls))
    assert loss.item() == pytest.approx(17.0)  # before any move
    # one initial evaluation + one per iteration except the last (no line search)
    assert len(calls) == 5 == opt.state[p]["func_evals"]
    assert opt.state[p]["n_iter"] == 5


def test_max_eval_caps_line_search_evaluations():
    calls = []
    q = _param(ROSENBROCK.start)
    opt = optimizers.LBFGS([q], max_iter=100, max_eval=12, line_search_fn="strong_wolfe")
    opt.step(_closure(opt, rosenbrock, q, calls=calls))
    # the line search may finish its current bracket step, but not start past max_eval
    assert opt.state[q]["func_evals"] == len(calls) <= 12 + 1


def test_stationary_point_returns_at_once():
    p = _param([0.0, 0.0])
    opt = optimizers.LBFGS([p])
    calls = []
    opt.step(_closure(opt, lambda x: (x * x).sum(), p, calls=calls))
    assert len(calls) == 1 and opt.state[p] == {"func_evals": 1, "n_iter": 0}


def test_history_size_bounds_the_memory():
    q = _param(ROSENBROCK.start)
    opt = optimizers.LBFGS([q], history_size=3, max_iter=30, lr=1e-3)
    opt.step(_closure(opt, rosenbrock, q))
    assert len(opt.state[q]["old_dirs"]) == len(opt.state[q]["ro"]) == 3


def test_float32_parameters_keep_float32_state():
    p = _param([1.5, -0.5], dtype=np.float32)
    opt = optimizers.LBFGS([p], line_search_fn="strong_wolfe", max_iter=4)
    opt.step(_closure(opt, lambda x: ((x - 1) ** 2 * ag.tensor([1.0, 10.0])).sum(), p))
    state = opt.state[p]
    assert p.dtype == np.float32
    assert state["d"].dtype == np.float32 and state["prev_flat_grad"].dtype == np.float32
    assert state["old_dirs"][0].dtype == np.float32


def test_state_dict_round_trip_continues_identically(tmp_path):
    def make():
        p = _param(ROSENBROCK.start)
        return p, optimizers.LBFGS([p], max_iter=4, line_search_fn="strong_wolfe")

    p1, o1 = make()
    closure1 = _closure(o1, rosenbrock, p1)
    o1.step(closure1)
    o1.step(closure1)
    nn.save(o1.state_dict(), tmp_path / "lbfgs.npz")  # data only, no pickle
    p2, o2 = make()
    p2.data[...] = p1.detach().numpy()
    o2.load_state_dict(nn.load(tmp_path / "lbfgs.npz"))
    closure2 = _closure(o2, rosenbrock, p2)
    for _ in range(2):
        o1.step(closure1)
        o2.step(closure2)
    np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())
    assert o1.state[p1]["func_evals"] == o2.state[p2]["func_evals"]


def test_load_state_dict_rejects_wrong_history_shape_without_changing_anything():
    p = _param([1.0, 2.0])
    opt = optimizers.LBFGS([p], max_iter=3)
    opt.step(_closure(opt, lambda x: (x ** 4).sum(), p))
    good = opt.state_dict()
    bad = opt.state_dict()
    bad["state"][0]["d"] = np.zeros(3)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=r"'d' must be a floating array of shape \(2,\)"):
        opt.load_state_dict(bad)
    np.testing.assert_array_equal(opt.state[p]["d"], before["state"][0]["d"])
    opt.load_state_dict(good)
    np.testing.assert_array_equal(opt.state[p]["d"], good["state"][0]["d"])


# ---- validation -----------------------------------------------------------------------------

def test_validation_errors_are_pytorchs():
    p = _param([1.0])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optimizers.LBFGS([p], lr=-1)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optimizers.LBFGS([{"params": [p]}, {"params": [_param([2.0])]}])
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        optimizers.LBFGS([p], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optimizers.LBFGS([p], lr=ag.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optimizers.LBFGS([])
    with pytest.raises(ValueError, match="history_size must be at least 1"):
        optimizers.LBFGS([p], history_size=0)
    with pytest.raises(TypeError, match="max_iter must be a number, got str"):
        optimizers.LBFGS([p], max_iter="20")
    opt = optimizers.LBFGS([p])
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        opt.add_param_group({"params": [_param([2.0])]})
    with pytest.raises(TypeError, match="requires a closure"):
        opt.step()
    assert opt.defaults["max_eval"] == 25 and len(opt.param_groups) == 1


# ---- PyTorch trajectories -------------------------------------------------------------------

def _torch_pair(torch, values, dtype):
    arrays = [np.array(v, dtype=dtype) for v in values]
    return ([nn.Parameter(a.copy()) for a in arrays],
            [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays])


def _least_squares(lib, A, b):
    def f(w, c):
        X, B = lib.tensor(A), lib.tensor(b)
        return ((X @ w + c - B) ** 2).mean()
    return f


def _logistic(lib, A, y):
    def f(w, c):
        X, Y = lib.tensor(A), lib.tensor(y)
        z = X @ w + c
        return ((z.exp() + 1).log() - Y * z).mean()
    return f


def _check_trajectories(torch, make_fn, values, dtype, rtol, steps=4, **kw):
    ours, theirs = _torch_pair(torch, values, dtype)
    o = optimizers.LBFGS(ours, **kw)
    to = torch.optim.LBFGS(theirs, **kw)
    f, tf = make_fn(ag), make_fn(torch)
    closure, tclosure = _closure(o, f, *ours), _closure(to, tf, *theirs)
    for k in range(steps):
        loss, tloss = o.step(closure), to.step(tclosure)
        where = f"step {k} {kw} {np.dtype(dtype).name}"
        assert float(loss) == pytest.approx(float(tloss.detach()), rel=rtol), where
        for p, tp in zip(ours, theirs):
            np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=rtol,
                                       atol=0, err_msg=where)
        st, tst = o.state[ours[0]], to.state[theirs[0]]
        assert set(st) == set(tst), where
        assert (st["func_evals"], st["n_iter"]) == (tst["func_evals"], tst["n_iter"]), where
        assert len(st["old_dirs"]) == len(tst["old_dirs"]), where
        if dtype == np.float64:  # float32 directions near the optimum are mostly rounding
            np.testing.assert_allclose(st["d"], tst["d"].numpy(), rtol=rtol, err_msg=where)
            for a, b in zip(st["old_stps"], tst["old_stps"]):
                np.testing.assert_allclose(a, b.numpy(), rtol=rtol, err_msg=where)
            assert float(st["t"]) == pytest.approx(float(tst["t"]), rel=rtol), where


@pytest.mark.torch_parity
@pytest.mark.parametrize("line_search_fn, lr", [(None, 1e-3), ("strong_wolfe", 1)])
def test_rosenbrock_trajectory_matches_torch(line_search_fn, lr):
    torch = pytest.importorskip("torch")
    _check_trajectories(torch, lambda lib: rosenbrock, [[-1.5, 2.0, 0.5, -0.3]],
                          np.float64, 1e-9, steps=5, lr=lr, line_search_fn=line_search_fn)


@pytest.mark.torch_parity
@pytest.mark.parametrize("problem", ["least_squares", "logistic"])
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_regression_trajectories_match_torch(problem, line_search_fn):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    A = rng.standard_normal((20, 5))
    target = rng.standard_normal(20) if problem == "least_squares" else (
        (rng.random(20) > 0.5).astype(np.float64))
    make = (_least_squares if problem == "least_squares" else _logistic)
    values = [rng.standard_normal(5) * 0.1, [0.1]]
    kw = {"lr": 0.5 if line_search_fn is None else 1, "max_iter": 10, "history_size": 4,
          "line_search_fn": line_search_fn}
    _check_trajectories(torch, lambda lib: make(lib, A, target), values, np.float64, 1e-9,
                          **kw)
    if line_search_fn is not None:
        # float32 (the line search's scalars are float32 on both sides): one step of ten
        # iterations; later ones sit near the optimum, where the iterates are mostly rounding
        A32, t32 = A.astype(np.float32), target.astype(np.float32)
        _check_trajectories(torch, lambda lib: make(lib, A32, t32), values, np.float32, 1e-5,
                              steps=1, **kw)


@pytest.mark.torch_parity
def test_signature_and_defaults_match_torch():
    torch = pytest.importorskip("torch")
    import inspect

    ours = inspect.signature(optimizers.LBFGS).parameters
    theirs = inspect.signature(torch.optim.LBFGS).parameters
    assert [(n, p.default) for n, p in ours.items()] == [
        (n, p.default) for n, p in theirs.items()]
    p = _param([1.0])
    tp = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    assert optimizers.LBFGS([p]).defaults == torch.optim.LBFGS([tp]).defaults
    assert math.isclose(optimizers.LBFGS([p], max_iter=7).defaults["max_eval"],
                        torch.optim.LBFGS([tp], max_iter=7).defaults["max_eval"])
