"""``max_norm`` in ``Embedding``/``EmbeddingBag`` and their functions: PyTorch's
``embedding_renorm_``, the rows looked up whose ``norm_type``-norm exceeds ``max_norm`` scaled
in place by ``max_norm / (norm + 1e-7)`` before the lookup, outside autograd."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

W = np.array([[3.0, 4.0], [0.3, 0.4], [-6.0, 8.0], [1.0, 0.0]], dtype=np.float32)


def test_rows_looked_up_are_scaled_by_hand():
    w = ag.tensor(W.copy(), requires_grad=True)
    out = F.embedding(ag.tensor([[0, 1], [0, 2]]), w, max_norm=2.0)
    s0, s2 = 2.0 / (5.0 + 1e-7), 2.0 / (10.0 + 1e-7)
    want = W.copy()
    want[0] *= np.float32(s0)
    want[2] *= np.float32(s2)
    np.testing.assert_array_equal(w.detach().numpy(), want)  # row 1 (norm 0.5), row 3 unused
    np.testing.assert_array_equal(out.detach().numpy(), want[[[0, 1], [0, 2]]])
    out.sum().backward()  # the gradient is the lookup's, as if the rows had been these
    np.testing.assert_array_equal(w.grad.numpy(), [[2, 2], [1, 1], [1, 1], [0, 0]])


@pytest.mark.parametrize("norm_type,norms", [(1.0, [7.0, 0.7, 14.0, 1.0]),
                                             (math.inf, [4.0, 0.4, 8.0, 1.0])])
def test_norm_type(norm_type, norms):
    w = ag.tensor(W.copy())
    F.embedding(ag.tensor([0, 1, 2, 3]), w, max_norm=0.9, norm_type=norm_type)
    scale = [0.9 / (n + 1e-7) if n > 0.9 else 1.0 for n in norms]
    np.testing.assert_allclose(w.numpy(), W * np.array(scale, np.float32)[:, None], rtol=1e-6)


def test_modules_renormalise_in_each_forward():
    emb = nn.Embedding(4, 2, max_norm=1.0)
    bag = nn.EmbeddingBag(4, 2, max_norm=1.0, mode="sum")
    for module in (emb, bag):
        with ag.no_grad():
            module.weight.copy_(ag.tensor(W))
        module(ag.tensor([[2, 3]]))
        norms = np.linalg.norm(module.weight.detach().numpy(), axis=1)
        assert norms[2] == pytest.approx(1.0, abs=1e-6) and norms[0] == pytest.approx(5.0)


def test_a_saved_weight_then_renormalised_refuses_backward():
    # an in-place write to the weight, as in PyTorch: a graph that saved it cannot backward
    w = ag.tensor(W.copy(), requires_grad=True)
    y = (w * w).sum()
    F.embedding(ag.tensor([2]), w, max_norm=1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_out_of_range_index_changes_nothing():
    w = ag.tensor(W.copy())
    with pytest.raises(IndexError):
        F.embedding(ag.tensor([2, 9]), w, max_norm=1.0)
    np.testing.assert_array_equal(w.numpy(), W)
    with pytest.raises(RuntimeError, match="not in the valid range"):
        F.embedding_bag(ag.tensor([[2, 9]]), w, max_norm=1.0)
    np.testing.assert_array_equal(w.numpy(), W)


@pytest.mark.torch_parity
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
@pytest.mark.parametrize("bag", [False, True])
def test_equals_torch(norm_type, bag):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    table = (rng.standard_normal((6, 4)) * 2).astype(np.float32)
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    got = []
    for lib, fn in ((ag, F), (torch, torch.nn.functional)):
        w = lib.tensor(table.copy(), requires_grad=True)
        if bag:
            out = fn.embedding_bag(lib.tensor(idx), w, max_norm=1.5, norm_type=norm_type)
        else:
            out = fn.embedding(lib.tensor(idx), w, max_norm=1.5, norm_type=norm_type)
        out.sum().backward()
        got.append((out.detach().numpy(), w.detach().numpy(), w.grad.numpy()))
    for a, b in zip(*got):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
