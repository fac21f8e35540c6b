"""The per-call fast paths of layer-level ops at small sizes (perf22c): each shortcut gives what
the general path gives, and the checks it skips still refuse bad input with the same words."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core._sums import _plain_mean


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_plain_mean_is_numpys_mean_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    for shape in [(7,), (32, 200), (3, 5, 7), (1,), (4, 1, 3)]:
        x = (rng.standard_normal(shape) * rng.choice([1e-3, 1.0, 1e30], size=shape))
        if np.dtype(dtype).kind == "c":
            x = x + 1j * rng.standard_normal(shape)
        x = x.astype(dtype)
        for axis in [None, *range(len(shape)), tuple(range(len(shape)))]:
            for keepdims in (False, True):
                want = np.mean(x, axis=axis, keepdims=keepdims)
                got = _plain_mean(x, axis, keepdims)
                assert type(got) is type(want) and got.dtype == want.dtype
                assert np.asarray(got).tobytes() == np.asarray(want).tobytes()


def test_mean_of_infinities_is_nan_without_a_warning():
    with np.errstate(all="raise"):
        assert np.isnan(float(ag.tensor([np.inf, -np.inf]).mean()))
    assert float(ag.tensor([3e38, 3e38], dtype=ag.float32).mean()) == np.inf  # the sum's


def test_flatten_shapes_and_refusals():
    x = ag.zeros(2, 3, 4, 5)
    assert x.flatten().shape == (120,)
    assert x.flatten(1).shape == (2, 60)
    assert x.flatten(1, -2).shape == (2, 12, 5)
    assert x.flatten(-1) is x
    assert ag.zeros(2, 0, 3).flatten(1).shape == (2, 0)
    assert ag.tensor(1.0).flatten().shape == (1,)
    with pytest.raises(RuntimeError, match="start_dim 2 comes after end_dim 1"):
        x.flatten(2, 1)
    with pytest.raises(IndexError, match="dimension out of range"):
        x.flatten(4)


def _ce_reference(x, y, ignore_index=-100):
    """float64 mean cross-entropy over the rows whose target is not ignored."""
    x = x.astype(np.float64)
    lse = np.log(np.exp(x - x.max(1, keepdims=True)).sum(1)) + x.max(1)
    keep = y != ignore_index
    return (lse - x[np.arange(len(y)), np.where(keep, y, 0)])[keep].mean()


def test_cross_entropy_targets_fast_path_and_ignored_targets():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 27)).astype(np.float32)
    y = rng.integers(0, 27, 32)
    got = float(F.cross_entropy(ag.tensor(x), ag.tensor(y)))
    assert got == pytest.approx(_ce_reference(x, y), rel=1e-6)
    # an ignore_index within the targets' range: those rows are skipped
    got = float(F.cross_entropy(ag.tensor(x), ag.tensor(y), ignore_index=int(y[0])))
    assert got == pytest.approx(_ce_reference(x, y, int(y[0])), rel=1e-6)
    y2 = y.copy()
    y2[3] = -100  # the default ignore_index below the classes
    got = float(F.cross_entropy(ag.tensor(x), ag.tensor(y2)))
    assert got == pytest.approx(_ce_reference(x, y2), rel=1e-6)
    for bad in (27, -1):
        y3 = y.copy()
        y3[5] = bad
        with pytest.raises(IndexError, match=f"Target {bad} is out of bounds"):
            F.cross_entropy(ag.tensor(x), ag.tensor(y3))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(32\) to match target "
                                         r"batch_size \(31\)"):
        F.cross_entropy(ag.tensor(x), ag.tensor(y[:31]))


def test_cross_entropy_all_ignored_is_nan_and_inf_logit_row_is_nan():
    x = ag.tensor([[0.0, 1.0], [2.0, 3.0]], requires_grad=True)
    with np.errstate(all="raise"):
        loss = F.cross_entropy(x, ag.tensor([-100, -100]))
    assert np.isnan(float(loss.detach()))
    loss.backward()
    assert np.all(x.grad.numpy() == 0)
    loss = F.cross_entropy(ag.tensor([[np.inf, 0.0], [0.0, 0.0]]), ag.tensor([0, 1]))
    assert np.isnan(float(loss))  # log_softmax of a +inf logit: the row is NaN (PyTorch)


def test_batchnorm_counts_batches_and_bumps_the_version():
    bn = nn.BatchNorm1d(3, momentum=None)  # cumulative average: factor 1 / batches
    x1 = ag.tensor([[0.0, 1.0, 2.0], [2.0, 5.0, 4.0]])
    x2 = ag.tensor([[4.0, 1.0, 0.0], [6.0, 1.0, 8.0]])
    bn(x1)
    v = bn.num_batches_tracked._version
    bn(x2)
    assert int(bn.num_batches_tracked) == 2 and bn.num_batches_tracked._version == v + 1
    # the running mean: the average of the two batch means
    np.testing.assert_allclose(bn.running_mean.numpy(), [3.0, 2.0, 3.5])
    # unbiased batch variances (n = 2): [2, 8, 2] and [2, 0, 32], averaged with the initial 1
    # first (factor 1), then (factor 1/2)
    np.testing.assert_allclose(bn.running_var.numpy(), [2.0, 4.0, 17.0])


def test_layer_norm_with_strided_parameters_equals_contiguous():
    rng = np.random.default_rng(2)
    x = ag.tensor(rng.standard_normal((4, 6)).astype(np.float32))
    wb = rng.standard_normal((2, 6)).astype(np.float32)
    w_strided = ag.tensor(wb.T.copy()).t()[0]  # a row of a transpose: not contiguous
    assert not w_strided.numpy().flags.c_contiguous
    w = ag.tensor(np.ascontiguousarray(w_strided.numpy()))
    a = F.layer_norm(x, (6,), w_strided, None).numpy()
    b = F.layer_norm(x, (6,), w, None).numpy()
    assert a.tobytes() == b.tobytes()
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[5\], expected input with "
                                           r"shape \[\*, 5\], but got input of size \[4, 6\]"):
        F.layer_norm(x, 5)


def test_cat_checks_and_promotion_after_the_fast_path():
    a, b = ag.ones(2, 3), ag.zeros(2, 1)
    assert ag.cat([a, b], 1).shape == (2, 4) and ag.cat([a, a]).shape == (4, 3)
    assert ag.cat([a, ag.tensor([[1], [2]])], 1).dtype == ag.float32  # PyTorch's promotion
    assert ag.cat([ag.tensor([1]), ag.tensor([True])]).dtype == ag.int64
    with pytest.raises(RuntimeError, match=r"cat: tensors must have the same shape except in "
                                           r"dimension 1; got shapes \[\(2, 3\), \(3, 1\)\]"):
        ag.cat([a, ag.zeros(3, 1)], 1)
    with pytest.raises(RuntimeError, match=r"cat: tensors must have the same shape"):
        ag.cat([a, ag.zeros(2, 3, 1)], 1)
    with pytest.raises(RuntimeError, match=r"zero-dimensional tensor \(at position 1\)"):
        ag.cat([a, ag.tensor(1.0)])
    x = ag.ones(2, 3, requires_grad=True)
    y = ag.ones(2, 2, requires_grad=True)
    (ag.cat([x, y], 1) * ag.arange(5.0)).sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 2.0]] * 2 and y.grad.tolist() == [[3.0, 4.0]] * 2


def test_mse_loss_promotion_and_shape_warning_after_the_fast_path():
    x = ag.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    loss = F.mse_loss(x, ag.tensor([[0.0, 0.0], [0.0, 1.0]]))
    assert float(loss.detach()) == (1 + 4 + 9 + 16) / 4
    loss.backward()
    assert x.grad.tolist() == [[0.5, 1.0], [1.5, 2.0]]  # 2 (x - t) / 4
    out = F.mse_loss(ag.tensor([1.0, 2.0]), ag.tensor([0, 0]))  # int64 target: float32
    assert out.dtype == ag.float32 and float(out) == 2.5
    with pytest.warns(UserWarning, match=r"Using a target size \(\(1,\)\) that is different"):
        F.mse_loss(ag.tensor([1.0, 2.0]), ag.tensor([0.0]))


def test_eval_norms_use_the_running_statistics_per_channel():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 5))
    rm, rv = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, 4.0])
    w, b = np.array([2.0, -1.0, 0.5]), np.array([0.0, 1.0, -3.0])
    want = (x - rm[:, None]) / np.sqrt(rv[:, None] + 1e-5) * w[:, None] + b[:, None]
    y = F.batch_norm(ag.tensor(x), ag.tensor(rm), ag.tensor(rv), ag.tensor(w), ag.tensor(b))
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-12)
    # instance norm with the running buffers (use_input_stats=False): a broadcast over N
    y = F.instance_norm(ag.tensor(x), ag.tensor(rm), ag.tensor(rv), ag.tensor(w), ag.tensor(b),
                        use_input_stats=False)
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-12)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 2"):
        F.batch_norm(ag.tensor(x), ag.zeros(2, dtype=ag.float64), ag.tensor(rv))
