"""The training path's forward and backward (nn.Sequential of Linear/ReLU, BCE-with-logits,
cross-entropy and MSE losses, the engine's accumulation into .grad) against the same network
differentiated by hand in numpy, independently of the code under test."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn


def _numpy_mlp(params, x, y, loss):
    """Loss and gradients (weights, biases and input) of Linear-ReLU-...-Linear + ``loss``,
    forward and backward written out by hand."""
    hs, pre = [x], []
    h = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        w, b = params[2 * i], params[2 * i + 1]
        z = h @ w.T + b
        pre.append(z)
        h = np.maximum(z, 0) if i < n_layers - 1 else z
        hs.append(h)
    z = hs[-1]
    if loss == "bce":
        value = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
        dz = (1 / (1 + np.exp(-z)) - y) / z.size
    elif loss == "mse":
        value = np.mean((z - y) ** 2)
        dz = 2 * (z - y) / z.size
    else:  # cross-entropy over class indices
        m = z.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        rows = np.arange(len(y))
        value = np.mean(lse - z[rows, y])
        p = np.exp(z - lse[:, None])
        p[rows, y] -= 1
        dz = p / len(y)
    grads = [None] * len(params)
    for i in range(n_layers - 1, -1, -1):
        w = params[2 * i]
        grads[2 * i] = dz.T @ hs[i]
        grads[2 * i + 1] = dz.sum(axis=0)
        dh = dz @ w
        if i:
            dz = dh * (pre[i - 1] > 0)
    return value, grads, dh


def _model(sizes, dtype, seed):
    rng = np.random.default_rng(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(a, b, dtype=getattr(ag, np.dtype(dtype).name))
        lin.weight._data[...] = rng.standard_normal((b, a)) / np.sqrt(a)
        lin.bias._data[...] = rng.standard_normal(b) * 0.1
        layers += [lin] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    return nn.Sequential(*layers)


CASES = [("bce", [2, 16, 16, 1], 64), ("mse", [3, 8, 2], 5), ("ce", [20, 12, 7, 4], 9)]


@pytest.mark.parametrize("loss,sizes,batch", CASES)
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_mlp_loss_and_grads_match_hand_written_numpy(loss, sizes, batch, dtype, rtol):
    rng = np.random.default_rng(1)
    model = _model(sizes, dtype, seed=2)
    xn = rng.standard_normal((batch, sizes[0]))
    if loss == "ce":
        yn = rng.integers(0, sizes[-1], batch)
        y = ag.tensor(yn)
    else:
        yn = (rng.random((batch, sizes[-1])) < 0.5).astype(np.float64)
        y = ag.tensor(yn.astype(dtype))
    crit = {"bce": nn.BCEWithLogitsLoss(), "mse": nn.MSELoss(), "ce": nn.CrossEntropyLoss()}[loss]
    params = list(model.parameters())
    ref_params = [p._data.astype(np.float64) for p in params]
    value, grads, dx = _numpy_mlp(ref_params, xn, yn, loss)
    atol = 1e-14 if dtype == np.float64 else 1e-6

    x = ag.tensor(xn.astype(dtype), requires_grad=True)
    out = crit(model(x), y)
    assert out.dtype == getattr(ag, np.dtype(dtype).name) and out.shape == ()
    np.testing.assert_allclose(out.item(), value, rtol=rtol)
    out.backward()
    for p, g in zip(params, grads):
        assert p.grad.dtype == p.dtype
        np.testing.assert_allclose(p.grad._data, g, rtol=rtol, atol=atol)
    np.testing.assert_allclose(x.grad._data, dx, rtol=rtol, atol=atol)

    # a second pass without zeroing adds into .grad in place; after zeroing, a fresh .grad
    first = [p.grad for p in params]
    crit(model(x), y).backward()
    for p, g, before in zip(params, grads, first):
        assert p.grad is before
        np.testing.assert_allclose(p.grad._data, 2 * g, rtol=rtol, atol=2 * atol)
    for p in params:
        p.grad = None
    crit(model(x), y).backward()
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad._data, g, rtol=rtol, atol=atol)
    # each leaf owns its gradient: no two .grad arrays share memory
    arrays = [p.grad._data for p in params]
    assert not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


def test_mlp_hooks_still_run_on_the_fast_path():
    """Module forward hooks, tensor hooks on a leaf and on an intermediate, and a post-accumulate
    hook, on the tiny model: each sees the values the hand-written backward gives."""
    model = _model([2, 16, 16, 1], np.float64, seed=4)
    rng = np.random.default_rng(5)
    xn = rng.standard_normal((8, 2))
    yn = (rng.random((8, 1)) < 0.5).astype(np.float64)
    params = list(model.parameters())
    value, grads, _ = _numpy_mlp([p._data for p in params], xn, yn, "bce")
    seen = {}
    model[0].register_forward_hook(lambda m, args, out: seen.update(fwd=out.shape))
    params[0].register_hook(lambda g: g * 2)  # doubles the first weight's gradient
    params[1].register_post_accumulate_grad_hook(lambda p: seen.update(post=p.grad))
    h = model(ag.tensor(xn))
    h.register_hook(lambda g: seen.update(dz=g._data.copy()))
    out = nn.BCEWithLogitsLoss()(h, ag.tensor(yn))
    out.backward()
    assert seen["fwd"] == (8, 16)
    np.testing.assert_allclose(seen["dz"], (1 / (1 + np.exp(-h._data)) - yn) / 8, rtol=1e-12)
    np.testing.assert_allclose(params[0].grad._data, 2 * grads[0], rtol=1e-12)
    assert seen["post"] is params[1].grad
    np.testing.assert_allclose(params[1].grad._data, grads[1], rtol=1e-12, atol=1e-15)
