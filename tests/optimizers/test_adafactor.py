"""Adafactor by hand (its PyTorch parity is in test_option_sweep_vs_torch.py): the first step
of a vector and of a matrix worked out from the paper's formulas, and its refusals."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import optimizers


def _param(values):
    return ag.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def _first_step(values, grad, lr=0.1, **kw):
    w = _param(values)
    opt = optimizers.Adafactor([w], lr=lr, **kw)
    w.grad = ag.tensor(np.array(grad, dtype=np.float64))
    opt.step()
    return w.detach().numpy(), opt.state[w]


def test_first_step_of_a_vector():
    # step 1: the decay 1 - 1**c is 1, so the variance is g^2 and the update sign(g), of RMS 1;
    # the step is lr * RMS(w) (rho_1 = min(lr, 1) = lr)
    w, st = _first_step([3.0, -4.0], [1.0, -2.0])
    alpha = 0.1 * np.sqrt((9 + 16) / 2)
    np.testing.assert_allclose(w, [3 - alpha, -4 + alpha], rtol=1e-15)
    assert list(st) == ["step", "variance"] and st["step"] == 1.0
    np.testing.assert_array_equal(st["variance"], [1.0, 4.0])


def test_first_step_of_a_matrix_is_factored():
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    w0 = np.array([[0.5, -1.0], [2.0, 1.5]])
    w, st = _first_step(w0, g, weight_decay=0.2)
    rows, cols = (g * g).mean(axis=1, keepdims=True), (g * g).mean(axis=0, keepdims=True)
    np.testing.assert_allclose(st["row_var"], rows, rtol=1e-15)
    np.testing.assert_allclose(st["col_var"], cols, rtol=1e-15)
    update = g / np.sqrt(rows @ cols / rows.mean())
    rms = np.sqrt((update**2).mean())
    alpha = 0.1 * np.sqrt((w0**2).mean())  # from the parameter before the weight decay
    expected = w0 * (1 - 0.1 * 0.2) - alpha / max(1.0, rms) * update
    np.testing.assert_allclose(w, expected, rtol=1e-14)


def test_refusals_are_pytorchs():
    c = ag.zeros(2, dtype=ag.complex64, requires_grad=True)
    c.grad = ag.zeros(2, dtype=ag.complex64)
    with pytest.raises(RuntimeError, match="Adafactor does not support complex parameters"):
        optimizers.Adafactor([c]).step()
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optimizers.Adafactor([_param([1.0])], lr=ag.ones(2))
    with pytest.raises(ValueError, match="Clipping threshold d should be >= 1 but is: 0.5"):
        optimizers.Adafactor([_param([1.0])], d=0.5)


def test_load_state_dict_checks_the_factored_shapes_first():
    w = _param(np.ones((2, 3)))
    opt = optimizers.Adafactor([w])
    w.grad = ag.ones(2, 3, dtype=ag.float64)
    opt.step()
    saved = opt.state_dict()
    bad = {"state": {0: dict(saved["state"][0], row_var=np.zeros((3, 1)))},
           "param_groups": saved["param_groups"]}
    before = {k: v.numpy().copy() for k, v in opt.state[w].items()}
    with pytest.raises(ValueError, match=r"state\[0\]\['row_var'\] must be an array of shape "
                                         r"\(2, 1\)"):
        opt.load_state_dict(bad)
    for k, v in opt.state[w].items():
        np.testing.assert_array_equal(v.numpy(), before[k])
    # a float32 parameter takes the float64 arrays cast, and the step as a float
    v = ag.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    opt32 = optimizers.Adafactor([v])
    opt32.load_state_dict(dict(saved, state={0: dict(saved["state"][0],
                                                     step=np.array(1.0, np.float32))}))
    step = opt32.state[v]["step"]  # PyTorch's: a 0-d float32 tensor
    assert step.item() == 1.0 and step.shape == () and step.numpy().dtype == np.float32
    assert opt32.state[v]["row_var"].numpy().dtype == np.float32
