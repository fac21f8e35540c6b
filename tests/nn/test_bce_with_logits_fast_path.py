"""``binary_cross_entropy_with_logits`` of two Tensors of one float dtype and shape, no weights
(a training loop's call) goes straight to its node: the same values and gradients as the
float64 closed form, and every other call keeps its checks and PyTorch's errors."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def _data(dtype, shape=(6, 2)):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(dtype) * 4
    y = (rng.random(shape) < 0.5).astype(dtype)
    return x, y


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_the_closed_form(dtype, reduction):
    xn, yn = _data(dtype)
    x = ag.tensor(xn, requires_grad=True)
    out = nn.BCEWithLogitsLoss(reduction=reduction)(x, ag.tensor(yn))
    x64, y64 = xn.astype(np.float64), yn.astype(np.float64)
    per = np.maximum(x64, 0) - x64 * y64 + np.log1p(np.exp(-np.abs(x64)))
    want = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    assert out.dtype == x.dtype
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=tol, atol=tol)
    out.sum().backward()
    grad = 1 / (1 + np.exp(-x64)) - y64
    if reduction == "mean":
        grad = grad / xn.size
    np.testing.assert_allclose(x.grad.numpy(), grad, rtol=tol, atol=tol)


def test_other_calls_keep_their_checks():
    xn, yn = _data(np.float32)
    x = ag.tensor(xn)
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(x, ag.tensor(yn[:, :1]))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.binary_cross_entropy_with_logits(x, ag.tensor(yn), reduction="avg")
    with pytest.raises(NotImplementedError, match="log_sigmoid_cpu"):
        F.binary_cross_entropy_with_logits(ag.tensor(xn.astype(np.int64)),
                                           ag.tensor(yn.astype(np.int64)))
    # a float64 target: PyTorch's loss has the target's dtype
    assert F.binary_cross_entropy_with_logits(x, ag.tensor(yn.astype(np.float64))).dtype == \
        ag.float64
