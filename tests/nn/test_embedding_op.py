"""``F.embedding`` as one node with the indices as an input: values and gradients by hand,
first and second derivatives by finite differences, PyTorch's numbers, and ``ag.compile``
replaying it with each call's indices (before, the lookup indexed with a tensor in Python and
every step with an embedding ran eagerly)."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optimizers


def test_lookup_and_gradient_by_hand():
    w = ag.tensor(np.arange(8.0).reshape(4, 2), requires_grad=True)
    idx = ag.tensor([[3, 0], [3, 3]])
    y = F.embedding(idx, w)
    assert y.shape == (2, 2, 2)
    assert y.detach().numpy().tolist() == [[[6, 7], [0, 1]], [[6, 7], [6, 7]]]
    (y * ag.tensor([1.0, 10.0])).sum().backward()
    assert w.grad.numpy().tolist() == [[1, 10], [0, 0], [0, 0], [3, 30]]


def test_padding_row_gets_no_gradient():
    w = ag.tensor(np.ones((3, 2)), requires_grad=True)
    y = F.embedding(ag.tensor([0, 2, 2, 1]), w, padding_idx=-1)  # row 2
    assert y.detach().numpy().tolist() == [[1, 1]] * 4  # the padding row is still looked up
    y.sum().backward()
    assert w.grad.numpy().tolist() == [[1, 1], [1, 1], [0, 0]]


@pytest.mark.parametrize("idx", [[1, 0, 1], 2, [[0], [2]], []])
def test_shapes_and_index_dtypes(idx):
    w = ag.randn(3, 4)
    for dt in (np.int64, np.int32):
        i = np.array(idx, dtype=dt)
        y = F.embedding(ag.tensor(i), w)
        assert y.shape == i.shape + (4,)
        assert np.array_equal(y.numpy(), w.numpy()[i])


@pytest.mark.parametrize("bad", [3, -1])
def test_out_of_range(bad):
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(ag.tensor([0, bad]), ag.randn(3, 2))


def test_gradcheck_and_gradgradcheck():
    w = ag.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    idx = ag.tensor([[1, 3, 1], [0, 1, 2]])

    def f(w):
        y = F.embedding(idx, w)
        return (y * y).sum(-1)  # non-linear, so the second derivative is not zero

    assert ag.gradcheck(f, (w,))
    assert ag.gradgradcheck(f, (w,))


def test_padding_backward_is_differentiated_right():
    """With padding_idx the lookup's gradient is zero on purpose (not the function's
    derivative, so no finite-difference check of it); its backward, a function of the
    incoming gradient, is checked instead, to first and second order."""
    from nn.ops.embedding import EmbeddingGrad

    idx = ag.tensor([[1, 3, 1], [0, 1, 2]])
    g = ag.tensor(np.random.default_rng(2).standard_normal((2, 3, 5)), requires_grad=True)

    def h(g):
        out = EmbeddingGrad.apply(g, idx, n=4, padding_idx=1)
        return out * out

    assert ag.gradcheck(h, (g,))
    assert ag.gradgradcheck(h, (g,))
    assert not EmbeddingGrad.apply(g, idx, n=4, padding_idx=1)[1].detach().numpy().any()


@pytest.mark.torch_parity
@pytest.mark.parametrize("padding_idx", [None, 0, -2])
def test_equals_torch(padding_idx):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    wv = rng.standard_normal((5, 3))
    idx = rng.integers(0, 5, (4, 6))
    gv = rng.standard_normal((4, 6, 3))
    w = ag.tensor(wv, requires_grad=True)
    tw = torch.tensor(wv, requires_grad=True)
    y = F.embedding(ag.tensor(idx), w, padding_idx=padding_idx)
    ty = torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=padding_idx)
    assert np.array_equal(y.detach().numpy(), ty.detach().numpy())
    (y * ag.tensor(gv)).sum().backward()
    (ty * torch.tensor(gv)).sum().backward()
    assert np.allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-12)


def _bigram_runs(use_compile):
    ag.manual_seed(0)
    emb = nn.Embedding(7, 4, padding_idx=0)
    head = nn.Linear(8, 7)
    opt = optimizers.Adam([*emb.parameters(), *head.parameters()], lr=1e-2)

    def step(ctx, y):
        opt.zero_grad()
        x = emb(ctx).reshape(ctx.shape[0], 8)
        loss = F.cross_entropy(head(x), y)
        loss.backward()
        opt.step()
        return loss

    fn = ag.compile(step) if use_compile else step
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(10):  # new indices at every call
        losses.append(fn(ag.tensor(rng.integers(0, 7, (5, 2))),
                         ag.tensor(rng.integers(0, 7, 5))).item())
    return losses, [p._data.tobytes() for p in (*emb.parameters(), *head.parameters())], fn


def test_compiled_embedding_step_replays_as_eager():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got_losses, got, fn = _bigram_runs(True)
    want_losses, want, _ = _bigram_runs(False)
    assert fn.traces == 1
    assert got_losses == want_losses and got == want


def test_compiled_embedding_checks_indices_at_replay():
    emb = nn.Embedding(3, 2)
    step = ag.compile(lambda i: emb(i).sum().detach())
    for _ in range(3):
        step(ag.tensor([0, 2]))
    with pytest.raises(IndexError, match="index out of range in self"):
        step(ag.tensor([0, 3]))


def test_sparse_grad_accumulates_in_place():
    # PyTorch's AccumulateGrad adds a sparse gradient into the sparse .grad in place (``grad
    # += new``: the same object, a reference taken after the first backward sees the sum);
    # ours replaced it by a new tensor each backward
    import nn as tnn

    emb = tnn.Embedding(5, 3, sparse=True)
    emb(ag.tensor([1, 2])).sum().backward()
    first = emb.weight.grad
    emb(ag.tensor([1, 3])).sum().backward()
    assert emb.weight.grad is first and first._nnz() == 4 and not first.is_coalesced()
    want = np.zeros((5, 3))
    want[[1, 2, 3]] = [[2.0] * 3, [1.0] * 3, [1.0] * 3]  # row 1 looked up twice
    np.testing.assert_array_equal(first.to_dense().numpy(), want)
