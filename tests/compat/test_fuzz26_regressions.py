"""Regressions found by fuzz26: random small programs of nn.functional calls and nn modules
(convolutions, pooling, normalisation, embeddings, interpolation, padding, losses,
activations, Sequential + optimizer steps) on contiguous, permuted, stepped, flipped,
negative-stride, channels-last and expanded inputs, run against torch 2.13 with outputs,
leaf gradients, create_graph double backward, module state and errors compared.

Harness and results: /work/progs_runs/fuzz26/ (RESULTS26.md).
"""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 2), (0, 3, 2, 2), (0, 3, 1, 2, 2)])
def test_batch_norm_of_an_empty_batch_trains_as_pytorch(shape):
    """A training BatchNorm of an empty batch raised "Expected more than 1 value per channel"
    (PyTorch raises only for exactly one value per channel). PyTorch returns the empty output,
    leaves the running statistics as they are (a NaN mean would have poisoned them), counts
    the batch in ``num_batches_tracked`` and gives weight and bias zero gradients."""
    m = [nn.BatchNorm1d, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d][len(shape) - 2](3)
    x = ag.zeros(*shape, requires_grad=True)
    y = m(x)
    assert tuple(y.shape) == shape
    y.sum().backward()
    assert np.array_equal(m.running_mean.numpy(), np.zeros(3))
    assert np.array_equal(m.running_var.numpy(), np.ones(3))
    assert m.num_batches_tracked.item() == 1
    assert np.array_equal(m.weight.grad.numpy(), np.zeros(3))
    assert np.array_equal(m.bias.grad.numpy(), np.zeros(3))
    assert tuple(x.grad.shape) == shape
    rm, rv = ag.full((3,), 0.5), ag.full((3,), 2.0)
    F.batch_norm(ag.zeros(*shape), rm, rv, training=True, momentum=None)
    assert np.array_equal(rm.numpy(), np.full(3, 0.5)) and np.array_equal(rv.numpy(), np.full(3, 2.0))


def test_batch_norm_of_one_value_per_channel_still_refused():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(ag.zeros(1, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(ag.zeros(1, 3, 1), None, None, training=True)


@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_relu_double_backward_passes_the_gradient_at_nan(dtype):
    """relu's gradient at a NaN input is the incoming gradient (PyTorch's threshold_backward
    zeroes where ``y <= 0``, false for NaN), and so it was without ``create_graph``; the
    recorded backward that ``create_graph=True`` runs masked on ``y > 0`` and gave 0 (found
    through ``lp_pool1d`` of a negative input with a fractional ``norm_type``, whose NaN window
    reached its neighbours' gradient in PyTorch only)."""
    for cg in (False, True):
        x = ag.tensor([float("nan"), 2.0, -1.0, 0.0], dtype=dtype, requires_grad=True)
        (g,) = ag.autograd.grad((x.relu() * ag.tensor([3.0, 5.0, 7.0, 9.0], dtype=dtype)).sum(),
                                [x], create_graph=cg)
        assert g.dtype == dtype
        assert g.tolist() == [3.0, 5.0, 0.0, 0.0]


def test_multilabel_soft_margin_loss_sums_over_the_inputs_last_dim():
    """PyTorch sums the per-label losses over ``input.dim() - 1``; with a 1-d input and a
    (1, C) target the broadcast loss is (1, C) and that sum runs over its first dim, giving C
    values. We summed over the last dim and returned one value."""
    x = ag.tensor([0.0, 1.0, -2.0], dtype=ag.float64, requires_grad=True)
    t = ag.tensor([[1.0, 0.0, 1.0]], dtype=ag.float64)
    y = F.multilabel_soft_margin_loss(x, t, reduction="none")
    xs, ts = x.detach().numpy(), t.numpy()[0]
    want = (np.log1p(np.exp(-xs)) * ts + np.log1p(np.exp(xs)) * (1 - ts)) / 3
    assert tuple(y.shape) == (3,)
    np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-12)
    y.sum().backward()
    sig = 1 / (1 + np.exp(-xs))
    np.testing.assert_allclose(x.grad.numpy(), (sig - ts) / 3, rtol=1e-12)
    # the usual shapes are unchanged: (N, C) -> (N,)
    assert tuple(F.multilabel_soft_margin_loss(ag.zeros(2, 3), ag.ones(2, 3), reduction="none").shape) == (2,)
