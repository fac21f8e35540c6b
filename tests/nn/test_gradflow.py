"""GradFlow: vanishing gradients in a deep sigmoid MLP with naive small init versus healthy
flow with ReLU + Kaiming, per-layer numbers checked against independent computations, and
saturation fractions on hand-built activations."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim
from autograd_core import Tensor

WIDTH, DEPTH, BATCH = 64, 10, 128


def _mlp(act, init):
    layers = []
    for _ in range(DEPTH):
        lin = nn.Linear(WIDTH, WIDTH)
        init(lin)
        layers += [lin, act()]
    return nn.Sequential(*layers)


def _naive_small(lin):  # the classic mistake: small uniform weights regardless of fan-in
    nn.init.uniform_(lin.weight, -0.1, 0.1)
    nn.init.zeros_(lin.bias)


def _kaiming(lin):
    nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
    nn.init.zeros_(lin.bias)


def _run(model):
    x = Tensor._wrap(np.random.default_rng(0).standard_normal((BATCH, WIDTH)).astype(np.float32))
    monitor = nn.utils.GradFlow(model)
    (model(x) ** 2).mean().backward()
    rows = monitor.record()
    return monitor, rows


def _own_grad_norms(model):
    """Per Linear layer, ||[dW, db]||, computed here from the gradients themselves."""
    out = []
    for m in model:
        if isinstance(m, nn.Linear):
            g = np.concatenate([m.weight.grad._data.ravel(), m.bias.grad._data.ravel()])
            out.append(float(np.linalg.norm(g.astype(np.float64))))
    return out


def test_sigmoid_with_naive_init_shows_vanishing_gradients():
    ag.manual_seed(0)
    model = _mlp(nn.Sigmoid, _naive_small)
    monitor, rows = _run(model)
    norms = list(monitor.grad_norms().values())
    assert len(norms) == DEPTH
    np.testing.assert_allclose(norms, _own_grad_norms(model), rtol=1e-5)
    ratio = monitor.first_to_last_ratio()
    assert ratio == pytest.approx(norms[0] / norms[-1])
    assert ratio < 1e-3
    # the decay is layer by layer: every layer's gradient is smaller than the next one's
    assert all(a < b for a, b in zip(norms, norms[1:]))
    # weight norms match the weights (U(-0.1, 0.1): ||W|| ~ 0.1 * sqrt(n / 3))
    w_reported = [r["weight_norm"] for r in rows if r["kind"] == "params"]
    w_own = [float(np.linalg.norm(m.weight._data)) for m in model if isinstance(m, nn.Linear)]
    np.testing.assert_allclose(w_reported, w_own, rtol=1e-6)
    assert all(abs(w - 0.1 * math.sqrt(WIDTH * WIDTH / 3)) < 0.5 for w in w_own)


def test_relu_with_kaiming_init_has_healthy_gradient_flow():
    ag.manual_seed(0)
    model = _mlp(nn.ReLU, _kaiming)
    monitor, _ = _run(model)
    norms = list(monitor.grad_norms().values())
    np.testing.assert_allclose(norms, _own_grad_norms(model), rtol=1e-5)
    assert 0.1 < monitor.first_to_last_ratio() < 10
    assert max(norms) / min(norms) < 10
    # few dead units with Kaiming init and zero biases
    assert all(v < 0.5 for v in monitor.saturation().values())


def test_saturation_fractions_by_hand():
    # Linear(identity) then the activation, so the activation sees exactly these inputs
    x = np.array([[-10.0, 0.0, 10.0, 0.1, -3.0],
                  [-10.0, 1.0, 10.0, -0.1, 3.0]], dtype=np.float64)

    def net(act):
        lin = nn.Linear(5, 5, dtype=np.float64)
        nn.init.eye_(lin.weight)
        nn.init.zeros_(lin.bias)
        return nn.Sequential(lin, act)

    sig = 1 / (1 + np.exp(-x))
    expected = {
        "Sigmoid": np.mean((sig < 0.01) | (sig > 0.99)),  # the +-10 entries: 4 of 10
        "Tanh": np.mean(np.abs(np.tanh(x)) > 0.99),  # +-10 and +-3: 6 of 10
        # ReLU: a unit is dead when it is 0 for every sample: units 0 (always -10)
        "ReLU": 1 / 5,
    }
    assert expected["Sigmoid"] == 0.4 and expected["Tanh"] == 0.6
    for act in (nn.Sigmoid(), nn.Tanh(), nn.ReLU()):
        model = net(act)
        monitor = nn.utils.GradFlow(model)
        model(Tensor._wrap(x, requires_grad=True)).sum().backward()
        monitor.record()
        assert monitor.saturation() == {"1": pytest.approx(expected[type(act).__name__])}


def test_update_to_weight_ratio_after_an_sgd_step():
    ag.manual_seed(1)
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)
    monitor = nn.utils.GradFlow(model)
    x = Tensor._wrap(np.random.default_rng(2).standard_normal((8, 6)).astype(np.float32))
    w_before = [model[0].weight._data.astype(np.float64), model[2].weight._data.astype(np.float64)]
    model(x).sum().backward()
    grads = [model[0].weight.grad._data.astype(np.float64),
             model[2].weight.grad._data.astype(np.float64)]
    opt.step()
    monitor.record()
    # plain SGD: W_new - W_old = -lr * dW
    expected = [0.1 * np.linalg.norm(g) / np.linalg.norm(w) for g, w in zip(grads, w_before)]
    np.testing.assert_allclose(list(monitor.update_ratios().values()), expected, rtol=1e-4)
    # nothing applied since the last record: the ratio is 0
    monitor.record()
    assert list(monitor.update_ratios().values()) == [0.0, 0.0]
    assert len(monitor.history) == 2


def test_table_plot_and_remove():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ag.manual_seed(2)
    model = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 1))
    with pytest.raises(RuntimeError, match="record"):
        nn.utils.GradFlow(model).table()
    monitor = nn.utils.GradFlow(model)
    model(Tensor._wrap(np.ones((3, 4), np.float32))).sum().backward()
    rows = monitor.record()
    table = monitor.table()
    lines = table.splitlines()
    assert "grad norm" in lines[0] and "saturated" in lines[0]
    assert len(lines) == 2 + 3  # header, rule, one line per layer
    gn = rows[0]["grad_norm"]
    assert f"{gn:.3e}" in lines[2] and lines[2].startswith("0 ") and "Linear" in lines[2]
    assert "Sigmoid" in lines[3] and "%" in lines[3]
    fig = monitor.plot()
    assert len(fig.axes) == 3
    heights = [p.get_height() for p in fig.axes[0].patches]
    np.testing.assert_allclose(heights, list(monitor.grad_norms().values()))
    import matplotlib.pyplot as plt

    plt.close(fig)
    monitor.remove()
    model(Tensor._wrap(np.full((3, 4), 50.0, np.float32)))
    assert rows[1]["saturation"] == monitor.record()[1]["saturation"]  # hook gone: no update
