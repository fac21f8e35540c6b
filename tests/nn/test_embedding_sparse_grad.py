"""``scale_grad_by_freq`` and ``sparse=True`` for nn.Embedding, F.embedding, EmbeddingBag and
F.embedding_bag: hand-worked gradients, float64 gradcheck, the sparse ``.grad``'s layout
(lookup order, padding lookups left out, passes concatenated), PyTorch's errors, ag.compile's
fallback, and live torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import CompileFallback


def idx(values):
    return ag.tensor(np.asarray(values, dtype=np.int64))


def test_scale_grad_by_freq_by_hand():
    # rows 1 (3 lookups), 2 (1), padding 0 (1): each row's summed gradient over its count
    w = ag.zeros(5, 2, requires_grad=True)
    g = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0]])
    (F.embedding(idx([1, 1, 2, 0, 1]), w, padding_idx=0, scale_grad_by_freq=True) * g
     ).sum().backward()
    expected = np.zeros((5, 2))
    expected[1] = (np.array([1, 2]) + [3, 4] + [9, 10]) / 3
    expected[2] = [5, 6]
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-6)


def test_embedding_bag_scale_grad_by_freq_by_hand():
    # bags [1, 1] and [2, 1, 4] (mean): row 1 gets 2 * g0 / 2 + g1 / 3, over its 3 lookups
    w = ag.zeros(5, 2, dtype=ag.float64, requires_grad=True)
    g = ag.tensor([[1.0, 2.0], [3.0, 6.0]], dtype=ag.float64)
    (F.embedding_bag(idx([1, 1, 2, 1, 4]), w, idx([0, 2]), scale_grad_by_freq=True) * g
     ).sum().backward()
    expected = np.zeros((5, 2))
    expected[1] = (np.array([1.0, 2.0]) + np.array([3.0, 6.0]) / 3) / 3
    expected[2] = expected[4] = np.array([3.0, 6.0]) / 3
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-12)


def _scaled_grad(call, w):
    """The gradient ``scale_grad_by_freq`` gives ``w`` as a function of the output gradient
    (not a true gradient of the forward, so finite differences check its linear map: that its
    double-backward rule is the adjoint)."""
    def h(g):
        (gw,) = ag.autograd.grad((call(w) * g).sum(), [w], create_graph=True)
        return gw
    return h


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=8), st.booleans())
def test_scale_grad_by_freq_double_backward_gradcheck(lookups, padded):
    w = ag.randn(6, 3, dtype=ag.float64, requires_grad=True)
    i = idx(lookups)
    pad = lookups[0] if padded else None
    g = ag.randn(len(lookups), 3, dtype=ag.float64, requires_grad=True)
    h = _scaled_grad(lambda w: F.embedding(i, w, padding_idx=pad, scale_grad_by_freq=True), w)
    assert ag.gradcheck(h, (g,))
    # and its value: each row's summed output gradient over the row's count
    counts = np.bincount(lookups, minlength=6)
    expected = np.zeros((6, 3))
    np.add.at(expected, lookups, g.detach().numpy())
    expected /= np.maximum(counts, 1)[:, None]
    if pad is not None:
        expected[pad] = 0
    np.testing.assert_allclose(h(g).detach().numpy(), expected, rtol=1e-12)


def test_embedding_bag_scale_double_backward_gradcheck():
    w = ag.randn(5, 2, dtype=ag.float64, requires_grad=True)
    psw = ag.rand(6, dtype=ag.float64)
    g = ag.randn(3, 2, dtype=ag.float64, requires_grad=True)
    for kwargs in (dict(mode="mean", padding_idx=0), dict(mode="sum", per_sample_weights=psw)):
        h = _scaled_grad(lambda w, kw=kwargs: F.embedding_bag(
            idx([1, 1, 2, 0, 1, 4]), w, idx([0, 2, 2]), scale_grad_by_freq=True, **kw), w)
        assert ag.gradcheck(h, (g,))


def test_sparse_grad_layout_by_hand():
    emb = nn.Embedding(6, 2, padding_idx=0, sparse=True)
    g = ag.arange(12.0).reshape(2, 3, 2)
    (emb(idx([[1, 2, 1], [0, 3, 1]])) * g).sum().backward()
    grad = emb.weight.grad
    assert grad.is_sparse and not grad.is_coalesced() and grad.sparse_dim() == 1
    assert grad.dense_dim() == 1 and tuple(grad.shape) == (6, 2)
    assert grad._indices().tolist() == [[1, 2, 1, 3, 1]]  # lookup order, padding left out
    assert grad._values().tolist() == [[0, 1], [2, 3], [4, 5], [8, 9], [10, 11]]
    with pytest.raises(RuntimeError, match="Cannot get indices on an uncoalesced tensor"):
        grad.indices()
    c = grad.coalesce()
    assert c.indices().tolist() == [[1, 2, 3]]
    assert c.values().tolist() == [[14, 17], [2, 3], [8, 9]]
    # a second pass concatenates; the dense form equals the dense gradient
    emb(idx([4, 1])).sum().backward()
    assert emb.weight.grad._indices().tolist() == [[1, 2, 1, 3, 1, 4, 1]]
    dense = np.zeros((6, 2))
    dense[1], dense[2], dense[3], dense[4] = [15, 18], [2, 3], [8, 9], [1, 1]
    np.testing.assert_array_equal(emb.weight.grad.to_dense().numpy(), dense)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=0, max_size=10), st.sampled_from([None, 0, 3]),
       st.sampled_from(["embedding", "sum", "mean"]))
def test_sparse_grad_to_dense_equals_the_dense_gradient(lookups, pad, how):
    rng = np.random.default_rng(len(lookups))
    w0 = rng.standard_normal((7, 3))
    i = idx(lookups)
    offsets = idx([0, len(lookups) // 2])
    gout = ag.tensor(rng.standard_normal((len(lookups) if how == "embedding" else 2, 3)))
    grads = []
    for sparse in (False, True):
        w = ag.tensor(w0, requires_grad=True)
        if how == "embedding":
            out = F.embedding(i, w, padding_idx=pad, sparse=sparse)
        else:
            out = F.embedding_bag(i, w, offsets, mode=how, padding_idx=pad, sparse=sparse)
        (out * gout).sum().backward()
        grads.append(w.grad)
    if not lookups or all(v == pad for v in lookups):
        assert grads[1]._nnz() == 0
    np.testing.assert_allclose(grads[1].to_dense().numpy(), grads[0].numpy(), atol=1e-12)


def test_sparse_plus_sparse_as_pytorch():
    # uncoalesced operands: concatenated; coalesced ones: merged (PyTorch's add)
    a = ag.sparse_coo_tensor([[0, 1, 0], [2, 0, 2]], [1.0, 2.0, 3.0], (2, 3))
    b = ag.sparse_coo_tensor([[1], [1]], [5.0], (2, 3))
    s = a + b
    assert not s.is_coalesced() and s._indices().tolist() == [[0, 1, 0, 1], [2, 0, 2, 1]]
    assert s._values().tolist() == [1.0, 2.0, 3.0, 5.0]
    c = a.coalesce() + b
    assert c.is_coalesced() and c.indices().tolist() == [[0, 1, 1], [2, 0, 1]]
    assert c.values().tolist() == [4.0, 2.0, 5.0]
    with pytest.raises(RuntimeError, match="expected 'self' and 'other' to have same size"):
        a + ag.sparse_coo_tensor([[0], [0]], [1.0], (3, 3))


def test_sparse_into_a_dense_grad_stays_dense_and_grad_returns_dense():
    w = ag.ones(3, 2, requires_grad=True)
    (w * 2).sum().backward()
    F.embedding(idx([2, 2]), w, sparse=True).sum().backward()
    assert not w.grad.is_sparse
    assert w.grad.tolist() == [[2, 2], [2, 2], [4, 4]]
    (gw,) = ag.autograd.grad(F.embedding(idx([1]), w, sparse=True).sum(), [w])
    assert not gw.is_sparse and gw.tolist() == [[0, 0], [1, 1], [0, 0]]
    # sparse and dense uses in one pass with no dense .grad yet: PyTorch's dense sum
    w.grad = None
    (F.embedding(idx([1]), w, sparse=True).sum() + w.sum()).backward()
    assert not w.grad.is_sparse and w.grad.tolist() == [[1, 1], [2, 2], [1, 1]]


def test_errors_as_pytorch():
    w = ag.ones(4, 2, requires_grad=True)
    out = F.embedding(idx([1, 1]), w, scale_grad_by_freq=True, sparse=True)
    with pytest.raises(RuntimeError, match="embedding_backward: scale_grad_by_freq not "
                                           "supported with sparse gradients"):
        out.sum().backward()
    assert w.grad is None
    with pytest.raises(ValueError, match="max mode does not support sparse weights"):
        F.embedding_bag(idx([[0, 1]]), w, mode="max", sparse=True)
    with pytest.raises(ValueError, match="max mode does not support scaling the gradient"):
        nn.EmbeddingBag(4, 2, mode="max", scale_grad_by_freq=True)(idx([[0, 1]]))


def test_zero_grad_and_clip_grad_norm_as_pytorch():
    import optimizers as optim

    emb = nn.Embedding(5, 2, sparse=True)
    opt = optim.SGD(emb.parameters(), lr=0.1)
    emb(idx([1, 2])).sum().backward()
    with pytest.raises(NotImplementedError, match="SparseCPU"):
        nn.utils.clip_grad_norm_(emb.parameters(), 1.0)
    opt.zero_grad(set_to_none=False)
    assert emb.weight.grad.is_sparse and emb.weight.grad._nnz() == 0
    assert emb.weight.grad.to_dense().tolist() == [[0.0, 0.0]] * 5
    emb(idx([3])).sum().backward()
    assert emb.weight.grad._indices().tolist() == [[3]]
    opt.zero_grad()
    assert emb.weight.grad is None


def test_compile_falls_back_to_eager_for_a_sparse_embedding():
    import optimizers as optim

    emb = nn.Embedding(5, 2, sparse=True)
    opt = optim.SGD(emb.parameters(), lr=0.1)

    def step(i):
        opt.zero_grad()
        loss = emb(i).pow(2).sum()
        loss.backward()
        opt.step()
        return loss

    with pytest.raises(CompileFallback, match="embedding\\(sparse=True\\)"):
        strict = ag.compile(step, strict=True)
        for _ in range(3):
            strict(idx([1, 2]))
    w0 = emb.weight.detach().clone()
    with pytest.warns(RuntimeWarning, match="embedding\\(sparse=True\\)"):
        lenient = ag.compile(step)
        for _ in range(3):
            lenient(idx([1, 1]))
    # eagerly: row 1 gets 2 * 2 w per step, w <- w (1 - 0.4)
    expected = w0.numpy().copy()
    expected[1] *= 0.6 ** 3
    np.testing.assert_allclose(emb.weight.detach().numpy(), expected, rtol=1e-6)


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", [
    dict(fn="embedding", padding_idx=0),
    dict(fn="embedding", padding_idx=None),
    dict(fn="bag", mode="sum", padding_idx=0),
    dict(fn="bag", mode="mean", padding_idx=2),
    dict(fn="bag", mode="sum", per_sample_weights=True),
])
@pytest.mark.parametrize("what", ["sparse", "scale"])
def test_torch_parity(case, what):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((6, 3))
    # scale: every index in the mini-batch twice, so that PyTorch 2.13's CPU
    # embedding_bag kernel (pytorch#190063: some rows divided by another index's count) agrees
    lookups = np.array([1, 3, 3, 0, 5, 1, 0, 5]) if what == "scale" else \
        np.array([1, 3, 3, 0, 5, 1, 2, 3])
    offsets = np.array([0, 3, 3, 5])
    psw = rng.standard_normal(lookups.size)
    gout = None
    results = []
    for lib in (ag, torch):
        fun = lib.nn.functional if lib is torch else F
        w = (torch.tensor(w0) if lib is torch else ag.tensor(w0)).requires_grad_()
        kw = {"sparse": True} if what == "sparse" else {"scale_grad_by_freq": True}
        i = torch.tensor(lookups) if lib is torch else idx(lookups)
        if case["fn"] == "embedding":
            out = fun.embedding(i, w, padding_idx=case["padding_idx"], **kw)
        else:
            extra = {}
            if case.get("per_sample_weights"):
                extra["per_sample_weights"] = torch.tensor(psw) if lib is torch else ag.tensor(psw)
            off = torch.tensor(offsets) if lib is torch else idx(offsets)
            out = fun.embedding_bag(i, w, off, mode=case["mode"],
                                    padding_idx=case.get("padding_idx"), **kw, **extra)
        if gout is None:
            gout = rng.standard_normal(tuple(out.shape))
        (out * (torch.tensor(gout) if lib is torch else ag.tensor(gout))).sum().backward()
        g = w.grad
        if what == "sparse":
            assert g.is_sparse and not g.is_coalesced()
            results.append((g._indices().numpy().tolist(), g._values().detach().numpy()))
        else:
            results.append(([], np.asarray(g.detach().numpy())))
    (ind_a, val_a), (ind_t, val_t) = results
    assert ind_a == ind_t
    np.testing.assert_allclose(val_a, val_t, rtol=1e-12, atol=1e-14)


def _tied_grads(lib, module):
    """A sparse lookup and a dense use of one weight in one pass, then a sparse pass more."""
    e = module.Embedding(5, 3, sparse=True)
    with lib.no_grad():
        e.weight.copy_(lib.arange(15.0).reshape(5, 3))
    i = lib.tensor([1, 2, 1])
    ((e(i) ** 2).sum() + (e.weight * 2).sum()).backward()
    first = (e.weight.grad.is_sparse, e.weight.grad.detach().numpy().copy())
    (e(i) ** 2).sum().backward()
    return first, (e.weight.grad.is_sparse, e.weight.grad.detach().numpy().copy())


def test_tied_weight_gets_the_dense_sum():
    """Regression: the dense gradient reaching the sparse ``.grad`` the lookup wrote in the
    same pass raised NotImplementedError (naming 'tensor_backward') and left the sparse part
    in ``.grad``; PyTorch sums them into a dense gradient."""
    (s1, g1), (s2, g2) = _tied_grads(ag, nn)
    w = np.arange(15.0).reshape(5, 3)
    lookups = np.zeros((5, 3))
    for r in (1, 2, 1):
        lookups[r] += 2 * w[r]  # d/dw of (w[r] ** 2).sum()
    assert not s1 and not s2
    np.testing.assert_array_equal(g1, lookups + 2)
    np.testing.assert_array_equal(g2, 2 * lookups + 2)


@pytest.mark.torch_parity
def test_tied_weight_equals_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(_tied_grads(ag, nn), _tied_grads(torch, torch.nn)):
        assert ours[0] == theirs[0]
        np.testing.assert_array_equal(ours[1], theirs[1])


def _tied_create_graph(lib, functional):
    w = lib.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    y = functional.embedding(lib.tensor([0, 2, 0]), w, sparse=True).pow(2).sum() + (w * w).sum()
    y.backward(create_graph=True)
    first = (w.grad.is_sparse, w.grad.requires_grad, w.grad.detach().numpy().copy())
    w.grad.sum().backward()
    return first, w.grad.detach().numpy().copy()


def test_tied_weight_under_create_graph_gets_the_dense_sum():
    """Regression: with create_graph the engine added the dense part to the sparse ``.grad``
    (sparse + dense: PyTorch's "add(sparse, dense) is not supported" error)."""
    import nn.functional as F

    (sparse, connected, g), g2 = _tied_create_graph(ag, F)
    assert not sparse and connected
    # row r: 2 w_r per lookup (rows 0 twice, 2 once) + 2 w_r from (w * w).sum()
    w = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(g, w * np.array([[6.0], [2.0], [4.0]]))
    np.testing.assert_array_equal(g2, g + np.array([[6.0], [2.0], [4.0]]))


@pytest.mark.torch_parity
def test_tied_weight_under_create_graph_equals_torch():
    torch = pytest.importorskip("torch")
    import nn.functional as F

    ours, theirs = _tied_create_graph(ag, F), _tied_create_graph(torch, torch.nn.functional)
    assert ours[0][:2] == theirs[0][:2]
    np.testing.assert_array_equal(ours[0][2], theirs[0][2])
    np.testing.assert_array_equal(ours[1], theirs[1])
