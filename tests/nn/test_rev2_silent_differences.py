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
