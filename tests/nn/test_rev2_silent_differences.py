"""Regression tests for silent differences from PyTorch found by comparing edge cases."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def test_hardshrink_and_threshold_propagate_nan():
    # PyTorch: hardshrink is 0 only where -lambd <= x <= lambd, threshold writes `value` only
    # where x <= threshold; NaN satisfies neither, so it passes through.
    x = ag.tensor([float("nan"), -1.0, 0.2, 2.0])
    np.testing.assert_array_equal(F.hardshrink(x)._data, [np.nan, -1.0, 0.0, 2.0])
    np.testing.assert_array_equal(F.threshold(x, 0.5, -7.0)._data, [np.nan, -7.0, -7.0, 2.0])
    y = ag.tensor([float("nan"), 0.0])
    F.threshold_(y, 0.5, -7.0)
    np.testing.assert_array_equal(y._data, [np.nan, -7.0])


def test_circular_pad_with_a_negative_pad_wraps_the_cropped_input():
    # PyTorch crops first ([0, 1, 2] of [0, 1, 2, 3] for pad (1, -1)), then wraps within it
    x = ag.tensor([[[0.0, 1.0, 2.0, 3.0]]])
    np.testing.assert_array_equal(F.pad(x, (1, -1), mode="circular")._data, [[[2, 0, 1, 2]]])
    np.testing.assert_array_equal(F.pad(x, (-1, 2), mode="circular")._data,
                                  [[[1, 2, 3, 1, 2]]])
    np.testing.assert_array_equal(F.pad(x, (-1, -1), mode="circular")._data, [[[1, 2]]])


@pytest.mark.torch_parity
def test_layer_norm_repr_shows_bias_as_torch():
    torch = pytest.importorskip("torch")
    for kw in ({}, {"bias": False}, {"elementwise_affine": False}):
        assert repr(nn.LayerNorm((3, 5), **kw)) == repr(torch.nn.LayerNorm((3, 5), **kw))


def test_norm_below_1_has_zero_gradient_at_zero_entries():
    # d/dx (sum |x_i|^p)^(1/p) = sign(x) |x|^(p-1) n^(1-p): infinite at x = 0, where PyTorch
    # (vector_norm, normalize, pdist) defines it as 0; it was NaN
    x = ag.tensor([[0.0, 4.0]], requires_grad=True)  # n = (0 + 2)^2 = 4
    ag.linalg.vector_norm(x, 0.5, dim=1).sum().backward()
    np.testing.assert_allclose(x.grad._data, [[0.0, 1.0]])  # 4^-0.5 * 4^0.5
    y = ag.tensor([[1.0, 2.0], [1.0, 2.0], [1.0, 6.0]], requires_grad=True)
    F.pdist(y, 0.5).sum().backward()  # a zero distance and zero entries in the differences
    np.testing.assert_allclose(y.grad._data, [[0.0, -1.0], [0.0, -1.0], [0.0, 2.0]])


def test_pdist_inf_gives_each_tied_difference_the_whole_gradient():
    # PyTorch's pdist backward for p = inf: grad * sign(d) where |d| equals the distance
    x = ag.tensor([[0.0, 0.0, 1.0], [2.0, -2.0, 0.0]], requires_grad=True)
    out = F.pdist(x, float("inf"))
    np.testing.assert_array_equal(out._data, [2.0])
    out.backward(ag.tensor([3.0]))
    np.testing.assert_array_equal(x.grad._data, [[-3.0, 3.0, 0.0], [3.0, -3.0, 0.0]])
    assert ag.gradcheck(lambda t: F.pdist(t, float("inf")),
                        (ag.tensor([[0.0, 0.5, 1.0], [2.0, -1.0, 0.0]], dtype=ag.float64,
                                   requires_grad=True),))


def test_margin_losses_have_zero_gradient_at_the_hinge():
    # PyTorch's multi_margin / multilabel_margin kernels count a term only where
    # margin - x_y + x_i > 0, so a term exactly at 0 contributes no gradient
    x = ag.tensor([[1.0, 0.0, 0.5]], requires_grad=True)  # z = [-, 0, 0.5]
    F.multi_margin_loss(x, ag.tensor([0]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad._data, [[-1 / 3, 0.0, 1 / 3]])
    x = ag.tensor([[1.0, 0.0, 0.5]], requires_grad=True)
    F.multilabel_margin_loss(x, ag.tensor([[0, -1, 1]]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad._data, [[-1 / 3, 0.0, 1 / 3]])
