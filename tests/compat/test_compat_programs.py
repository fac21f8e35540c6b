"""The compat programs (``compat_programs.py``) run on tapegrad through ``import autograd_core
as torch`` and give the hand-worked / numpy-recomputed numbers; with torch installed, the same
code runs on torch 2.13 and every returned number matches (float64, tight)."""

import itertools
import math

import compat_programs as cp
import numpy as np
import pytest

import autograd_core as ag


def test_autograd_basics():
    r = cp.run("autograd_basics", ag)
    assert r["requires_grad"] == [True, False, True, True]
    np.testing.assert_allclose(r["x_grad"], np.full((2, 2), 4.5))  # 6 (x + 2) / 4
    np.testing.assert_allclose(r["y_grad"], np.full((2, 2), 4.5))  # 6 y / 4
    np.testing.assert_allclose(r["x_grad_accumulated"], np.full((2, 2), 6.5))
    np.testing.assert_allclose(r["x_grad_zeroed"], np.zeros((2, 2)))
    np.testing.assert_allclose(r["vjp"], 16 * np.array([0.1, 1.0, 0.0001]))
    assert r["no_grad_requires_grad"] is False and r["detach_requires_grad"] is False
    np.testing.assert_allclose(r["grad_of_intermediate"], 2 * np.exp([0.3, 0.7]))


def test_custom_function_equals_the_numpy_loop():
    r = cp.run("custom_function", ag)
    x = np.linspace(-np.pi, np.pi, 200)
    y = np.sin(x)
    a, b, c, d = 0.0, -1.0, 0.0, 0.3
    losses = []
    for _ in range(40):
        t = c + d * x
        p = 0.5 * (5 * t ** 3 - 3 * t)
        e = a + b * p - y
        losses.append((e ** 2).sum())
        ge = 2 * e
        gt = ge * b * 1.5 * (5 * t ** 2 - 1)
        grads = (ge.sum(), (ge * p).sum(), gt.sum(), (gt * x).sum())
        a, b, c, d = (v - 5e-6 * g for v, g in zip((a, b, c, d), grads))
    np.testing.assert_allclose(r["losses"], losses, rtol=1e-12)
    np.testing.assert_allclose(r["params"], [a, b, c, d], rtol=1e-12, atol=1e-15)
    assert r["losses"][-1] < r["losses"][0]


def test_mlp_training_schedules_and_first_loss():
    r = cp.run("mlp_training", ag)
    X, Y, init = cp._mlp_data()
    h = np.tanh(X @ init["0.weight"].T + init["0.bias"])
    first = ((h @ init["2.weight"].T + init["2.bias"] - Y) ** 2).mean()
    for name in ("sgd", "adam"):
        assert r[f"{name}_losses"][0] == pytest.approx(first, rel=1e-12)
        assert r[f"{name}_losses"][-1] < 0.5 * first
    np.testing.assert_allclose(r["sgd_lrs"], [0.1 * 0.5 ** (k // 5) for k in range(1, 21)])
    np.testing.assert_allclose(
        r["adam_lrs"], [0.05 * (1 + math.cos(math.pi * k / 20)) / 2 for k in range(1, 21)],
        atol=1e-15)


def test_data_loading_batches_and_the_numpy_loop():
    r = cp.run("data_loading", ag)
    assert r["len"] == 50 and r["item_shapes"] == [(4,), (1,)]
    assert r["n_batches"] == 4 and r["batch_sizes"] == [16, 16, 16, 2]
    assert r["drop_last_batches"] == 3
    rng = np.random.RandomState(1)
    X = rng.randn(50, 4)
    y = (X @ np.array([1.0, -1.0, 2.0, 0.0]) + 0.5)[:, None]
    w, b = np.zeros((1, 4)), np.zeros(1)
    epochs = []
    for _ in range(5):
        total = 0.0
        for s in range(0, 50, 16):
            xb, yb = X[s:s + 16], y[s:s + 16]
            e = xb @ w.T + b - yb
            total += (e ** 2).mean() * len(xb)
            gw = 2 * e.T @ xb / e.size + 1e-3 * w
            gb = 2 * e.sum(0) / e.size + 1e-3 * b
            w, b = w - 0.05 * gw, b - 0.05 * gb
        epochs.append(total / 50)
    np.testing.assert_allclose(r["epoch_losses"], epochs, rtol=1e-12)
    np.testing.assert_allclose(r["weight"], w, rtol=1e-12)


def test_regression_from_scratch_equals_the_closed_form_gradient():
    r = cp.run("regression_from_scratch", ag)
    rng = np.random.RandomState(2)
    X = rng.randn(100, 2)
    y = X @ np.array([2.0, -3.4]) + 4.2
    w, b = np.zeros(2), np.zeros(1)
    losses = []
    for _ in range(30):
        e = X @ w + b - y
        losses.append((e ** 2 / 2).mean())
        w, b = w - 0.1 * X.T @ e / 100, b - 0.1 * e.mean()
    np.testing.assert_allclose(r["losses"], losses, rtol=1e-12)
    np.testing.assert_allclose(r["w"], w, rtol=1e-12)
    np.testing.assert_allclose(r["b"], b, rtol=1e-12)


def test_micrograd_scalars_hand_values():
    r = cp.run("micrograd_scalars", ag)
    # z = 3x + 2 = -10; q = relu(z) + z x = 40; h = relu(z^2) = 100; y = h + q + q x = -20
    # dy/dx = dh/dx + (1 + x) dq/dx + q = 2 z 3 + (-3)(3x + z) + 40 = -60 + 66 + 40 = 46
    assert r["y1"] == pytest.approx(-20.0) and r["dx1"] == pytest.approx(46.0)
    # the second expression by hand: g = f / 2 + 10 / f with f = (c - d)^2 at a=-4, b=2
    a, b = -4.0, 2.0
    c = 2 * (2 * (a + b) + 1) + 1 - a  # = 3a + 4b + 3
    d1 = 3 * (a * b + b ** 3) + max(b + a, 0)
    d = 4 * d1 + max(b - a, 0)
    f = (c - d) ** 2
    assert r["g2"] == pytest.approx(f / 2 + 10 / f, rel=1e-12)
    dg_df = 0.5 - 10 / f ** 2
    de = 2 * (c - d) * dg_df
    dc_da, dc_db = 3, 4
    dd1_da, dd1_db = 3 * b, 3 * (a + 3 * b ** 2)  # relu(b + a) is off (b + a = -2)
    dd_da, dd_db = 4 * dd1_da - 1, 4 * dd1_db + 1  # relu(b - a) is on
    assert r["da2"] == pytest.approx(de * (dc_da - dd_da), rel=1e-12)
    assert r["db2"] == pytest.approx(de * (dc_db - dd_db), rel=1e-12)


def test_bigram_counts_nll_and_two_losses_agree():
    r = cp.run("bigram", ag)
    assert r["count_total"] == sum(len(w) + 1 for w in cp.WORDS)
    stoi = cp._vocab()
    first = np.zeros(len(stoi), dtype=np.int32)
    for w in cp.WORDS:
        first[stoi[w[0]]] += 1
    np.testing.assert_array_equal(r["counts_row0"], first)
    counts = np.ones((len(stoi), len(stoi)))
    pairs = []
    for w in cp.WORDS:
        chs = ["."] + list(w) + ["."]
        for c1, c2 in itertools.pairwise(chs):
            counts[stoi[c1], stoi[c2]] += 1
            pairs.append((stoi[c1], stoi[c2]))
    p = counts / counts.sum(1, keepdims=True)
    assert r["nll_counts"] == pytest.approx(-np.mean([np.log(p[i, j]) for i, j in pairs]))
    np.testing.assert_allclose(r["losses_manual"], r["losses_ce"], rtol=1e-12)
    assert r["losses_manual"][-1] < r["losses_manual"][0]


def test_mlp_language_model_shapes_and_learning():
    r = cp.run("mlp_language_model", ag)
    V = len(cp._vocab())
    assert r["n_examples"] == sum(len(w) + 1 for w in cp.WORDS)
    assert r["sum_params"] == V * 3 + 6 * 16 + 16 + 16 * V + V
    assert r["C_grad"].shape == (V, 3)
    assert r["losses"][0] == pytest.approx(math.log(V), rel=0.1)  # near uniform at the start
    assert r["losses"][-1] < r["losses"][0]


def test_dtype_rules():
    r = cp.run("dtype_rules", ag)
    assert (r["pow_dtype"], r["linear_dtype"], r["div_dtype"], r["cmp_dtype"],
            r["int_sum_dtype"]) == ("float32", "float32", "float32", "bool", "int64")
    assert r["mean_float"] == 2.0


def test_newton_with_hessian_reaches_the_minimum():
    r = cp.run("newton_with_hessian", ag)
    x, y = -1.2, 1.0  # the first Newton step by hand
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    h = np.array([[2 + 1200 * x * x - 400 * y, -400 * x], [-400 * x, 200.0]])
    x, y = np.array([x, y]) - np.linalg.solve(h, g)
    assert r["values"][0] == pytest.approx((1 - x) ** 2 + 100 * (y - x * x) ** 2, rel=1e-12)
    np.testing.assert_allclose(r["p"], [1.0, 1.0], atol=1e-10)
    assert r["values"][-1] < 1e-15
    np.testing.assert_allclose(r["hvp"], [[802, -400], [-400, 200]] @ np.array([1.0, -1.0]),
                               rtol=1e-8)


def test_gradient_penalty_first_step_by_numpy():
    r = cp.run("gradient_penalty", ag)
    rng = np.random.RandomState(5)
    w1, b1, w2, b2 = rng.randn(6, 2), rng.randn(6) * 0.1, rng.randn(1, 6), rng.randn(1) * 0.1
    real, fake, alpha = rng.randn(16, 2) + 2.0, rng.randn(16, 2), rng.rand(16, 1)
    mix = alpha * real + (1 - alpha) * fake
    grad_in = ((1 - np.tanh(mix @ w1.T + b1) ** 2) * w2) @ w1  # d critic / d input, per row
    penalty = ((np.sqrt((grad_in ** 2).sum(1)) - 1) ** 2).mean()

    def critic(x):
        return np.tanh(x @ w1.T + b1) @ w2.T + b2

    assert r["penalties"][0] == pytest.approx(penalty, rel=1e-12)
    assert r["losses"][0] == pytest.approx(
        critic(fake).mean() - critic(real).mean() + 10 * penalty, rel=1e-12)
    assert r["losses"][-1] < r["losses"][0]


def _check_same(ours, theirs, where):
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), where
        for k in theirs:
            _check_same(ours[k], theirs[k], f"{where}.{k}")
    elif isinstance(theirs, (str, bool)) or theirs is None:
        assert ours == theirs, where
    elif isinstance(theirs, (list, tuple)) and theirs and not isinstance(theirs[0], (int, float)):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _check_same(a, b, f"{where}[{i}]")
    else:
        np.testing.assert_allclose(np.asarray(ours, dtype=float),
                                   np.asarray(theirs, dtype=float),
                                   rtol=1e-10, atol=1e-12, err_msg=where)


def test_gaussian_process_against_numpy():
    r = cp.run("gaussian_process", ag)
    X, Y = r["X"], r["Y"]

    def gram(log_ell, log_noise):
        d = X[:, None] - X[None, :]
        return np.exp(-0.5 * d ** 2 / np.exp(2 * log_ell)) + np.exp(2 * log_noise) * np.eye(12)

    def nll(log_ell, log_noise):
        K = gram(log_ell, log_noise)
        return (0.5 * Y @ np.linalg.solve(K, Y) + 0.5 * np.linalg.slogdet(K)[1]
                + 6 * np.log(2 * np.pi))

    assert r["losses"][0] == pytest.approx(nll(0.0, -1.0), rel=1e-12)
    assert r["losses"][-1] < r["losses"][0]
    K = gram(*r["hyper"])
    xs = np.linspace(-3.0, 3.0, 5)
    Ks = np.exp(-0.5 * (xs[:, None] - X[None, :]) ** 2 / np.exp(2 * r["hyper"][0]))
    np.testing.assert_allclose(r["mean"], Ks @ np.linalg.solve(K, Y), rtol=1e-10)
    np.testing.assert_allclose(r["var"], 1 - np.einsum("ij,ji->i", Ks, np.linalg.solve(K, Ks.T)),
                               rtol=1e-8, atol=1e-12)
    assert r["slogdet"] == pytest.approx([1.0, np.linalg.slogdet(K)[1]], rel=1e-12)
    w = np.linalg.eigvalsh(K)
    np.testing.assert_allclose(r["eigvalsh"], w, rtol=1e-10)
    assert r["norms"] == pytest.approx([np.sqrt((K * K).sum()), w.max(), w.sum(),
                                        np.linalg.det(K)], rel=1e-10)


def test_streaming_data_against_numpy():
    r = cp.run("streaming_data", ag)
    X, Y = r["X"], r["Y"]
    assert r["sizes"] == [4, 4, 2] * 2
    w = np.zeros(3)
    losses = []
    for _ in range(2):
        for lo, hi in ((0, 4), (4, 8), (8, 10)):
            e = X[lo:hi] @ w - Y[lo:hi]
            losses.append((e ** 2).mean())
            w = w - 0.1 * 2 * X[lo:hi].T @ e / (hi - lo)
    np.testing.assert_allclose(r["losses"], losses, rtol=1e-12)
    np.testing.assert_allclose(r["w"], w[None, :], rtol=1e-12)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", list(cp.PROGRAMS))
def test_program_matches_torch(name):
    torch = pytest.importorskip("torch")
    _check_same(cp.run(name, ag), cp.run(name, torch), name)


def test_every_program_has_a_tapegrad_test():
    tested = {n[len("test_"):] for n in globals() if n.startswith("test_")}
    for name in cp.PROGRAMS:
        assert any(t.startswith(name) for t in tested), name
