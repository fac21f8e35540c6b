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


def _outcome(fn, lib):
    """``fn(lib)``'s shape and values, or its error's type and message."""
    try:
        r = fn(lib)
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return type(exc).__name__, str(exc)
    return tuple(r.shape), r.detach().double().numpy().tolist()


def _lib_functional(lib):
    if lib is ag:
        return F
    import torch.nn.functional as TF
    return TF


_ZERO_SIZE = {
    # a convolution without output channels: PyTorch's groups check (we leaked numpy's
    # "cannot reshape array of size 0"), a transposed one: its non-empty weight check (we
    # returned an empty output)
    "conv2d_no_out": lambda L, F: F.conv2d(L.ones(1, 2, 3, 3), L.ones(0, 2, 2, 2)),
    "conv1d_no_out": lambda L, F: F.conv1d(L.ones(1, 2, 3), L.ones(0, 2, 2)),
    "conv3d_no_out": lambda L, F: F.conv3d(L.ones(1, 2, 3, 3, 3), L.ones(0, 2, 2, 2, 2)),
    "conv2d_fewer_than_groups": lambda L, F: F.conv2d(L.ones(1, 4, 3, 3), L.ones(1, 2, 2, 2),
                                                      groups=2),
    "conv2d_not_divisible": lambda L, F: F.conv2d(L.ones(1, 4, 3, 3), L.ones(3, 2, 2, 2),
                                                  groups=2),
    "conv_transpose2d_no_out": lambda L, F: F.conv_transpose2d(L.ones(1, 2, 3, 3),
                                                               L.ones(2, 0, 2, 2)),
    "conv_transpose1d_no_out": lambda L, F: F.conv_transpose1d(L.ones(1, 2, 3), L.ones(2, 0, 2)),
    "conv_transpose3d_no_out": lambda L, F: F.conv_transpose3d(L.ones(1, 2, 3, 3, 3),
                                                               L.ones(2, 0, 2, 2, 2)),
    "conv_transpose2d_no_in": lambda L, F: F.conv_transpose2d(L.ones(1, 0, 3, 3),
                                                              L.ones(0, 2, 2, 2)),
    # adaptive max pooling refuses an empty channel dim of a batch (we pooled it)
    "adaptive_max_pool2d_no_channel": lambda L, F: F.adaptive_max_pool2d(L.ones(1, 0, 3, 3), 2),
    "adaptive_max_pool1d_no_channel": lambda L, F: F.adaptive_max_pool1d(L.ones(1, 0, 3), 2),
    "adaptive_avg_pool3d_no_channel": lambda L, F: F.adaptive_avg_pool3d(L.ones(1, 0, 3, 3, 3), 2),
    "adaptive_max_pool2d_unbatched_no_channel": lambda L, F: F.adaptive_max_pool2d(
        L.ones(0, 3, 3), 2),
    "adaptive_avg_pool2d_no_channel": lambda L, F: F.adaptive_avg_pool2d(L.ones(1, 0, 3, 3), 2),
    # interpolate refuses a tensor without channels (we resized it), an empty batch passes;
    # 'area' is adaptive pooling, with its checks and words
    "interpolate_nearest_no_channel": lambda L, F: F.interpolate(L.ones(1, 0, 3, 3),
                                                                 scale_factor=2),
    "interpolate_linear_no_channel": lambda L, F: F.interpolate(L.ones(0, 0, 3), scale_factor=2,
                                                                mode="linear"),
    "interpolate_trilinear_no_channel": lambda L, F: F.interpolate(
        L.ones(1, 0, 2, 2, 2), size=3, mode="trilinear"),
    "interpolate_empty_batch": lambda L, F: F.interpolate(L.ones(0, 1, 3, 3), scale_factor=2,
                                                          mode="bilinear"),
    "interpolate_area_empty_plane": lambda L, F: F.interpolate(L.ones(1, 1, 0, 3), size=(4, 4),
                                                               mode="area"),
    "interpolate_area_zero_size": lambda L, F: F.interpolate(L.ones(1, 1, 3, 3), size=(0, 2),
                                                             mode="area"),
    # an empty batch of the margin losses (we refused it; PyTorch's 'none' is empty, its
    # mean and sum are uninitialised memory: see test_margin_losses_of_an_empty_batch)
    "multi_margin_loss_empty_batch": lambda L, F: F.multi_margin_loss(
        L.ones(0, 3), L.ones(0, dtype=L.int64), reduction="none"),
    "multilabel_margin_loss_empty_batch": lambda L, F: F.multilabel_margin_loss(
        L.ones(0, 3), L.ones(0, 3, dtype=L.int64), reduction="none"),
    "multi_margin_loss_no_class": lambda L, F: F.multi_margin_loss(
        L.ones(2, 0), L.zeros(2, dtype=L.int64)),
    # ctc_loss of empty log_probs (we gave NaN or 0, or a blank-range error)
    "ctc_loss_empty_batch": lambda L, F: F.ctc_loss(
        L.zeros(3, 0, 4), L.ones(0, 2, dtype=L.int64), L.ones(0, dtype=L.int64),
        L.ones(0, dtype=L.int64)),
    "ctc_loss_no_time": lambda L, F: F.ctc_loss(
        L.zeros(0, 2, 4), L.ones(2, 0, dtype=L.int64), L.zeros(2, dtype=L.int64),
        L.zeros(2, dtype=L.int64)),
    "ctc_loss_no_class": lambda L, F: F.ctc_loss(
        L.zeros(3, 2, 0), L.ones(2, 0, dtype=L.int64), L.full((2,), 3, dtype=L.int64),
        L.zeros(2, dtype=L.int64)),
    # unfold and fold refuse an empty non-batch dim (we returned an empty result)
    "unfold_no_channel": lambda L, F: F.unfold(L.ones(2, 0, 3, 3), 2),
    "unfold_unbatched_empty": lambda L, F: F.unfold(L.ones(0, 3, 3), 2),
    "unfold_empty_batch": lambda L, F: F.unfold(L.ones(0, 1, 3, 3), 2),
    "fold_no_block": lambda L, F: F.fold(L.ones(2, 12, 0), (2, 3), kernel_size=(3, 2),
                                         padding=(0, 1), stride=(2, 1)),
    "fold_unbatched_empty": lambda L, F: F.fold(L.ones(0, 6), (2, 3), kernel_size=1),
    # fractional max pooling of an empty batch (we leaked numpy's reshape error)
    "fractional_max_pool2d_empty_batch": lambda L, F: F.fractional_max_pool2d(
        L.ones(0, 2, 4, 5), 2, output_size=(2, 4), _random_samples=L.ones(0, 2, 2) / 2),
    # pooling of a batch without channels or an empty plane: PyTorch's words per op (ours
    # said "non-empty 3D or 4D (batch mode) tensor expected for input")
    "max_pool2d_no_channel": lambda L, F: F.max_pool2d(L.ones(1, 0, 3, 3), 2),
    "avg_pool2d_empty_plane": lambda L, F: F.avg_pool2d(L.ones(1, 1, 3, 0), 2),
    "avg_pool1d_no_channel": lambda L, F: F.avg_pool1d(L.ones(1, 0, 3), 2),
    "avg_pool1d_wrong_rank": lambda L, F: F.avg_pool1d(L.ones(2, 2, 2, 2), 2),
    "avg_pool2d_wrong_rank": lambda L, F: F.avg_pool2d(L.ones(1, 1, 1, 3, 3), 2),
    "max_pool3d_no_channel": lambda L, F: F.max_pool3d(L.ones(1, 0, 3, 3, 3), 2),
    "avg_pool3d_empty_plane": lambda L, F: F.avg_pool3d(L.ones(2, 3, 3, 0, 3), 2),
    "max_pool1d_no_channel": lambda L, F: F.max_pool1d(L.ones(1, 0, 3), 2),
    "max_pool2d_wrong_rank": lambda L, F: F.max_pool2d(L.ones(3, 3), 2),
    # batch_norm of no channel (we leaked numpy's reshape error updating the statistics)
    "batch_norm_no_channel": lambda L, F: F.batch_norm(L.ones(2, 0), L.ones(0), L.ones(0),
                                                       training=True),
}


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", sorted(_ZERO_SIZE))
def test_zero_size_operands_as_pytorch(case):
    torch = pytest.importorskip("torch")
    fn = _ZERO_SIZE[case]
    ours = _outcome(lambda L: fn(L, _lib_functional(L)), ag)
    theirs = _outcome(lambda L: fn(L, _lib_functional(L)), torch)
    assert ours == theirs


@pytest.mark.parametrize("reduction,want", [("sum", 0.0), ("mean", None)])
def test_margin_losses_of_an_empty_batch(reduction, want):
    """PyTorch accepts an empty batch ("optional 0-dim batch size") but its mean and sum
    read uninitialised memory (1e-310-ish garbage); here the sum of no terms is 0 and their
    mean NaN, as for the other losses. The gradient is empty."""
    x = ag.ones(0, 3, requires_grad=True)
    for y in (F.multi_margin_loss(x, ag.ones(0, dtype=ag.int64), reduction=reduction),
              F.multilabel_margin_loss(x, ag.ones(0, 3, dtype=ag.int64), reduction=reduction)):
        assert y.shape == ()
        assert np.isnan(y.item()) if want is None else y.item() == want
        y.backward()
        assert tuple(x.grad.shape) == (0, 3)


def _probs_ce_reference(x, q, w):
    """float64 ``mean_i -sum_c w_c q_ic log softmax(x)_ic``, and its gradient in ``w``."""
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    return -(w * q * logp).sum() / x.shape[0], -(q * logp).sum(0) / x.shape[0]


def test_cross_entropy_with_probability_targets_differentiates_the_weight():
    """With class-probability targets PyTorch's cross_entropy is a composite: ``weight`` gets
    its gradient. We took it as a constant, so ``weight.grad`` stayed None (and a double
    backward through the weight's gradient lost its terms)."""
    rng = np.random.default_rng(0)
    x0, q0, w0 = rng.standard_normal((3, 4)), rng.uniform(0, 1, (3, 4)), rng.uniform(0.5, 2, 4)
    x = ag.tensor(x0, requires_grad=True)
    w = ag.tensor(w0, requires_grad=True)
    y = F.cross_entropy(x, ag.tensor(q0), weight=w)
    want, want_gw = _probs_ce_reference(x0, q0, w0)
    np.testing.assert_allclose(y.item(), want, rtol=1e-12)
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), want_gw, rtol=1e-12)


def _halves():
    return ag.full((2, 3), 0.5, dtype=ag.float64)


@pytest.mark.parametrize("call", [
    lambda x, w: F.cross_entropy(x, ag.tensor([0, 2]), weight=w),
    lambda x, w: F.cross_entropy(x, ag.tensor([0, 2]), weight=w, label_smoothing=0.2),
    lambda x, w: F.nll_loss(x, ag.tensor([0, 2]), weight=w),
    lambda x, w: F.multi_margin_loss(x, ag.tensor([0, 2]), weight=w),
    lambda x, w: F.binary_cross_entropy(x.sigmoid(), _halves(), weight=w),
    lambda x, w: F.binary_cross_entropy_with_logits(x, _halves(), weight=w),
    lambda x, w: F.binary_cross_entropy_with_logits(x, _halves(), pos_weight=w),
])
def test_loss_weight_that_requires_grad_refused_as_pytorch(call):
    """These kernels have no derivative for ``weight`` (``pos_weight``): PyTorch refuses a
    weight that requires grad; we took it as a constant and left its ``.grad`` None
    silently. Under ``no_grad`` it is accepted, as PyTorch's."""
    x = ag.tensor(np.arange(6.0).reshape(2, 3) / 6, requires_grad=True)
    w = ag.tensor([0.5, 1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"^The function '\w+' is not differentiable with "
                       r"respect to argument '(pos_)?weight'. This input cannot have "
                       r"requires_grad True.$"):
        call(x, w)
    with ag.no_grad():
        assert call(x, w).dim() == 0
    assert call(x, w.detach()).requires_grad


def test_huber_loss_weight_as_pytorch():
    """``huber_loss(..., weight=)``: PyTorch requires the input's size (we broadcast a (C,)
    weight) and differentiates the weight (we took it as a constant); 'mean' is the mean of
    the weighted terms."""
    rng = np.random.default_rng(1)
    x0, t0, w0 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.uniform(0, 2, (3, 4))
    with pytest.raises(ValueError, match="^Weights and input must have the same size.$"):
        F.huber_loss(ag.tensor(x0), ag.tensor(t0), weight=ag.ones(4, dtype=ag.float64))
    w = ag.tensor(w0, requires_grad=True)
    y = F.huber_loss(ag.tensor(x0), ag.tensor(t0), weight=w)
    d = np.abs(x0 - t0)
    terms = np.where(d < 1, 0.5 * d * d, d - 0.5)
    np.testing.assert_allclose(y.item(), (terms * w0).mean(), rtol=1e-12)
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), terms / 12, rtol=1e-12)


@pytest.mark.parametrize("padding_idx", [None, 1])
def test_embedding_bag_max_of_empty_bags_is_recorded(padding_idx):
    """mode='max' with every bag empty (or only padding) returned a constant zeros tensor:
    ``loss.backward()`` then raised "does not require grad" where PyTorch's output is
    recorded and the weight's gradient is zeros."""
    w = ag.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    idx = ag.tensor([1, 1]) if padding_idx is not None else ag.tensor([], dtype=ag.int64)
    y = F.embedding_bag(idx, w, ag.tensor([0, 0]), mode="max", padding_idx=padding_idx)
    assert y.requires_grad and y.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    y.sum().backward()
    assert np.array_equal(w.grad.numpy(), np.zeros((3, 2)))


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_of_an_empty_batch(nd):
    """max_unpool of an empty batch leaked numpy's "cannot reshape array of size 0"; PyTorch
    returns the empty unpooled tensor."""
    x = ag.zeros(0, 2, *([4] * nd), requires_grad=True)
    pool = getattr(F, f"max_pool{nd}d")
    y, i = pool(x, 2, return_indices=True)
    out = getattr(F, f"max_unpool{nd}d")(y, i, 2)
    assert tuple(out.shape) == (0, 2, *([4] * nd))
    out.sum().backward()
    assert tuple(x.grad.shape) == tuple(x.shape)


@pytest.mark.parametrize("padding_idx", [3, -4, 7])
def test_embedding_padding_idx_out_of_range_refused(padding_idx):
    """F.embedding and F.embedding_bag took a padding_idx outside [-n, n) (then no row was
    padding); PyTorch asserts / raises, as nn.Embedding did here already. nn.EmbeddingBag's
    assertion is lower-case ("padding_idx"), as PyTorch's."""
    w = ag.ones(3, 2, requires_grad=True)
    with pytest.raises(AssertionError, match="^Padding_idx must be within num_embeddings$"):
        F.embedding(ag.tensor([0, 1]), w, padding_idx=padding_idx)
    with pytest.raises(RuntimeError, match=r"^padding_idx must be within the number of "
                       rf"embeddings, -3 through 2, but got {padding_idx}$"):
        F.embedding_bag(ag.tensor([0, 1]), w, ag.tensor([0]), padding_idx=padding_idx)
    with pytest.raises(AssertionError, match="^padding_idx must be within num_embeddings$"):
        nn.EmbeddingBag(3, 2, padding_idx=padding_idx)
    assert F.embedding(ag.tensor([2]), w, padding_idx=-1).tolist() == [[1.0, 1.0]]


def test_pairwise_distance_p0_is_recorded():
    """``pairwise_distance(p=0)`` (the count of nonzero differences) returned a tensor outside
    the graph, so ``loss.backward()`` raised "does not require grad"; PyTorch's is a norm
    node whose gradient is zero."""
    x = ag.tensor([[1.0, 0.0, 2.0], [0.5, 0.5, 0.5]], requires_grad=True)
    d = F.pairwise_distance(x, ag.zeros(2, 3), p=0.0, eps=0.0)
    assert d.requires_grad and d.tolist() == [2.0, 3.0]
    d.sum().backward()
    assert x.grad is None or not x.grad.numpy().any()
