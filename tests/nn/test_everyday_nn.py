"""Issue 12 item 5, nn side: F.pad, smooth L1 / Huber losses and their modules, Embedding."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

T = ag.tensor


def _leaf(values):
    return ag.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_pad_constant_values_and_refusals():
    x = T(np.ones((1, 2, 2)))
    out = F.pad(x, (1, 1, 0, 1), value=-1.0)
    assert out.shape == (1, 3, 4)
    np.testing.assert_array_equal(out.data[0], [[-1, 1, 1, -1], [-1, 1, 1, -1],
                                                [-1, -1, -1, -1]])
    np.testing.assert_array_equal(F.pad(x, (0, 1)).data[0, :, 2], [0, 0])  # value None -> 0
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="Padding length should be less than or equal to two "
                                           "times the input dimension"):
        F.pad(x, (1,) * 8)
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")
    # reflect pads without repeating the edge (the modes are tested in test_conv_pool.py)
    np.testing.assert_array_equal(F.pad(T([[[1.0, 2.0]]]), (1, 1), mode="reflect").data,
                                  [[[2.0, 1.0, 2.0, 1.0]]])


def test_smooth_l1_closed_form_and_gradient():
    # d = (0.5, 2, -3), beta = 1: 0.5 * 0.25, 2 - 0.5, 3 - 0.5
    x, y = _leaf([0.5, 2.0, -3.0]), T(np.zeros(3))
    loss = F.smooth_l1_loss(x, y, reduction="none")
    np.testing.assert_allclose(loss.data, [0.125, 1.5, 2.5])
    F.smooth_l1_loss(x, y, reduction="sum").backward()
    np.testing.assert_allclose(x.grad.data, [0.5, 1.0, -1.0])  # d / beta inside, sign outside
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, beta=0.0).item(), 11 / 6)  # L1
    np.testing.assert_allclose(nn.SmoothL1Loss(beta=4.0)(x, y).item(),
                               np.mean(0.5 * np.array([0.25, 4, 9]) / 4))
    with pytest.raises(RuntimeError, match="does not support negative values for beta"):
        F.smooth_l1_loss(x, y, beta=-1.0)


def test_huber_closed_form_weight_and_gradient():
    x, y = _leaf([0.5, 2.0, -3.0]), T(np.zeros(3))
    np.testing.assert_allclose(F.huber_loss(x, y, reduction="none").data, [0.125, 1.5, 2.5])
    # delta = 2: 0.5 * 0.25, 0.5 * 4 (|d| = delta: both branches agree), 2 * (3 - 1)
    np.testing.assert_allclose(nn.HuberLoss(delta=2.0, reduction="sum")(x, y).item(), 6.125)
    w = T(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(F.huber_loss(x, y, weight=w).item(), (0.125 + 3 + 7.5) / 3)
    F.huber_loss(x, y, delta=2.0, reduction="sum").backward()
    np.testing.assert_allclose(x.grad.data, [0.5, 2.0, -2.0])
    with pytest.raises(RuntimeError, match="does not support non-positive values for delta"):
        F.huber_loss(x, y, delta=0.0)


def test_embedding_lookup_and_padding_idx_gets_no_gradient():
    ag.manual_seed(0)
    emb = nn.Embedding(5, 3, padding_idx=-1)
    assert emb.padding_idx == 4 and repr(emb) == "Embedding(5, 3, padding_idx=4)"
    np.testing.assert_array_equal(emb.weight.data[4], [0, 0, 0])
    idx = T(np.array([[0, 4], [0, 2]]))
    out = emb(idx)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.data[1, 1], emb.weight.data[2])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data[:, 0], [2, 0, 1, 0, 0])
    assert emb.weight.data.dtype == np.float32  # the default dtype, as PyTorch


def test_embedding_from_pretrained_and_refusals():
    w = T(np.arange(6.0).reshape(3, 2))
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(T(np.array([2]))).data, [[4, 5]])
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices' to have "
                                           "one of the following scalar types: Long, Int"):
        F.embedding(T([1.0]), w)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(T(np.array([3])), w)
