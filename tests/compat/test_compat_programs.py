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



def test_integer_targets_first_loss_by_numpy():
    r = cp.run("integer_targets", ag)
    rng = np.random.RandomState(6)
    cw, cb = rng.randn(2, 1, 3, 3) * 0.5, rng.randn(2) * 0.1
    fw, fb = rng.randn(10, 18) * 0.3, rng.randn(10) * 0.1
    x = rng.randn(8, 8)
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3))  # (6, 6, 3, 3)
    conv = np.maximum(np.einsum("ijkl,ckl->cij", windows, cw[:, 0]) + cb[:, None, None], 0)
    pooled = conv.reshape(2, 3, 2, 3, 2).max(axis=(2, 4)).reshape(-1)
    out = fw @ pooled + fb
    target = np.arange(1, 11)
    assert r["losses"][0] == pytest.approx(((out - target) ** 2).mean(), rel=1e-12)
    assert r["losses"][-1] < r["losses"][0]
    assert r["loss_dtype"] == "float64"  # a float64 net against int64 targets
    assert r["dtypes32"] == ["float32"] * 4  # float32 output, int64 target: float32


def test_checkpoint_in_memory_resumes_exactly():
    r = cp.run("checkpoint_in_memory", ag)
    np.testing.assert_array_equal(r["resumed"], r["uninterrupted"])
    assert r["epoch"] == 5
    X, Y, init = cp._mlp_data()
    h = np.tanh(X @ init["0.weight"].T + init["0.bias"])
    first = ((h @ init["2.weight"].T + init["2.bias"] - Y) ** 2).mean()
    assert r["uninterrupted"][0] == pytest.approx(first, rel=1e-12)
    assert not np.allclose(r["file_w0"], init["0.weight"])  # saved after 5 Adam steps


def test_activation_statistics_against_numpy():
    r = cp.run("activation_statistics", ag)
    rng = np.random.RandomState(7)
    x, y = rng.randn(64, 6), rng.randint(0, 5, 64)
    ws, fan_in = [], 6
    for k in range(4):
        fan_out = 5 if k == 3 else 16
        ws.append(rng.randn(fan_in, fan_out) * (5 / 3) / fan_in ** 0.5)
        fan_in = fan_out
    h, acts = x, []
    for w in ws[:-1]:
        h = np.tanh(h @ w)
        acts.append(h)
    logits = h @ ws[-1]
    z = logits - logits.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    assert r["loss"] == pytest.approx(-logp[np.arange(64), y].mean(), rel=1e-12)
    np.testing.assert_allclose(r["mean"], [a.mean() for a in acts], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(r["std"], [a.std(ddof=1) for a in acts], rtol=1e-12)  # ddof 1
    np.testing.assert_allclose(r["saturated"], [(abs(a) > 0.97).mean() * 100 for a in acts])
    for a, hist, edges in zip(acts, r["hist"], r["edges"]):
        want, want_edges = np.histogram(a, bins=10, density=True)
        np.testing.assert_allclose(edges, want_edges, rtol=1e-12)
        np.testing.assert_allclose(hist, want, rtol=1e-12)
    # the backward by hand, for the gradient statistics
    g = np.exp(logp)
    g[np.arange(64), y] -= 1
    g /= 64
    grads_w, grads_h = [None] * 4, []
    grads_w[3] = acts[2].T @ g
    gh = g @ ws[3].T
    for k in (2, 1, 0):
        grads_h.insert(0, gh)
        ga = gh * (1 - acts[k] ** 2)
        grads_w[k] = (acts[k - 1] if k else x).T @ ga
        gh = ga @ ws[k].T
    np.testing.assert_allclose(r["grad_std"], [v.std(ddof=1) for v in grads_h], rtol=1e-10)
    np.testing.assert_allclose(
        r["grad_data"], [gw.std(ddof=1) / w.std(ddof=1) for gw, w in zip(grads_w, ws)],
        rtol=1e-10)
    np.testing.assert_allclose(
        r["update_data"],
        [np.log10((0.1 * gw).std(ddof=1) / w.std(ddof=1)) for gw, w in zip(grads_w, ws)],
        rtol=1e-10)


def test_printed_tensors_read_as_pytorch_prints_them():
    r = cp.run("printed_tensors", ag)
    assert r["probs"].splitlines()[0] == (
        "tensor([0.0100, 0.0115, 0.0131, 0.0146, 0.0162, 0.0177, 0.0192, 0.0208, 0.0223,")
    assert r["probs"].splitlines()[-1].endswith("0.0485, 0.0500])")
    assert r["scaled"].splitlines()[-1] == "       grad_fn=<MulBackward0>)"
    assert r["leaf"] == ("tensor([[ 0.5000, -1.2500],\n"
                         "        [ 2.0000,  0.0000]], requires_grad=True)")
    assert r["double"] == "tensor([ 1.5000, -2.0000], dtype=float64)"
    assert r["ints"] == ("tensor([[ 0,  1,  2,  3],\n        [ 4,  5,  6,  7],\n"
                         "        [ 8,  9, 10, 11]])")
    assert (r["shape"], r["dtype"]) == ("Size([2, 2])", "float32")
    assert r["long"].splitlines()[1] == (
        "         0.2500,  0.7500,  1.2500,  1.7500,  2.2500,  2.7500,  3.2500,  3.7500],")
    assert r["long"].splitlines()[2] == "       grad_fn=<MulBackward0>)"

@pytest.mark.torch_parity
@pytest.mark.parametrize("name", list(cp.PROGRAMS))
def test_program_matches_torch(name):
    torch = pytest.importorskip("torch")
    _check_same(cp.run(name, ag), cp.run(name, torch), name)


def test_every_program_has_a_tapegrad_test():
    tested = {n[len("test_"):] for n in globals() if n.startswith("test_")}
    for name in cp.PROGRAMS:
        assert any(t.startswith(name) for t in tested), name
