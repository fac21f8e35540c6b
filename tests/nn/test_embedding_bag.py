"""nn.EmbeddingBag and F.embedding_bag: hand-worked bags, gradients (float64 gradcheck),
PyTorch's errors, and PyTorch's numbers and gradients (torch_parity)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F

TABLE = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0], [-1.0, 3.0]])


def table(requires_grad=False):
    return ag.tensor(TABLE.copy(), requires_grad=requires_grad)


def idx(values):
    return ag.tensor(np.asarray(values, dtype=np.int64))


def test_sum_mean_max_by_hand():
    text, offsets = idx([0, 2, 1, 3, 3]), idx([0, 2, 2])  # bags [0, 2], [], [1, 3, 3]
    np.testing.assert_allclose(F.embedding_bag(text, table(), offsets, mode="sum").numpy(),
                               [[3, 2], [0, 0], [-2, 7]])
    np.testing.assert_allclose(F.embedding_bag(text, table(), offsets).numpy(),
                               [[1.5, 1], [0, 0], [-2 / 3, 7 / 3]])
    np.testing.assert_allclose(F.embedding_bag(text, table(), offsets, mode="max").numpy(),
                               [[2, 2], [0, 0], [0, 3]])
    # the same bags, offsets ending with the end of the last bag, and a trailing index ignored
    last = F.embedding_bag(idx([0, 2, 1, 3, 3, 0]), table(), idx([0, 2, 2, 5]), mode="sum",
                           include_last_offset=True)
    np.testing.assert_allclose(last.numpy(), [[3, 2], [0, 0], [-2, 7]])
    # 2-D input: one bag per row
    np.testing.assert_allclose(F.embedding_bag(idx([[0, 1], [2, 3]]), table()).numpy(),
                               [[0.5, 0.5], [0.5, 2.5]])


def test_padding_idx_is_left_out_of_bag_and_count():
    out = F.embedding_bag(idx([[0, 2, 2], [2, 2, 2]]), table(), padding_idx=2)
    np.testing.assert_allclose(out.numpy(), [[1, 0], [0, 0]])
    out = F.embedding_bag(idx([[3, 0, 0]]), table(), mode="max", padding_idx=-1)
    np.testing.assert_allclose(out.numpy(), [[1, 0]])


def test_per_sample_weights_and_gradients_by_hand():
    w = table(requires_grad=True)
    psw = ag.tensor([2.0, 0.5, -1.0], dtype=ag.float64, requires_grad=True)
    out = F.embedding_bag(idx([0, 2, 0]), w, idx([0, 1]), mode="sum", per_sample_weights=psw)
    np.testing.assert_allclose(out.detach().numpy(), [[2, 0], [0, 1]])
    (out * ag.tensor([[1.0, 10.0], [100.0, 1000.0]], dtype=ag.float64)).sum().backward()
    # row 0: 2 * (1, 10) + (-1) * (100, 1000); row 2: 0.5 * (100, 1000)
    np.testing.assert_allclose(w.grad.numpy(), [[-98, -980], [0, 0], [50, 500], [0, 0]])
    # d out / d psw_i = <row_i, upstream of its bag>
    np.testing.assert_allclose(psw.grad.numpy(), [1, 2200, 100])


def test_max_gradient_goes_to_the_maximum():
    w = table(requires_grad=True)
    F.embedding_bag(idx([1, 2, 3]), w, idx([0]), mode="max").sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [[0, 0], [0, 0], [1, 0], [0, 1]])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_gradcheck(mode):
    rng = np.random.default_rng(0)
    w = ag.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    text, offsets = idx([0, 5, 5, 2, 1, 3, 4, 0]), idx([0, 3, 3, 6])

    def fn(weight):
        return F.embedding_bag(text, weight, offsets, mode=mode, padding_idx=4)

    assert ag.gradcheck(fn, (w,))
    if mode != "max":
        assert ag.gradgradcheck(fn, (w,))
    if mode == "sum":
        psw = ag.tensor(rng.normal(size=8), requires_grad=True)
        assert ag.gradcheck(lambda a, b: F.embedding_bag(text, a, offsets, mode="sum",
                                                         per_sample_weights=b), (w, psw))


def test_errors_in_pytorchs_words():
    w = table()
    cases = [
        (lambda: F.embedding_bag(idx([[0]]), w, idx([0])), ValueError,
         "if input is 2D, then offsets has to be None"),
        (lambda: F.embedding_bag(idx([0]), w), ValueError,
         "offsets has to be a 1D Tensor but got None"),
        (lambda: F.embedding_bag(idx([0]), w, idx([[0]])), ValueError,
         "offsets has to be a 1D Tensor"),
        (lambda: F.embedding_bag(idx([[[0]]]), w), ValueError,
         "input has to be 1D or 2D Tensor, but got Tensor of dimension 3"),
        (lambda: F.embedding_bag(idx([0]), w, idx([0]), mode="min"), ValueError,
         "mode has to be one of sum, mean or max"),
        (lambda: F.embedding_bag(idx([0, 1]), w, idx([1])), RuntimeError,
         "offsets\\[0\\] has to be 0"),
        (lambda: F.embedding_bag(idx([0, 1]), w, idx([0, 3])), RuntimeError,
         "offsets\\[-1\\] can not be greater than input's length 2 but got offsets\\[-1\\] of 3"),
        (lambda: F.embedding_bag(idx([0, 7]), w, idx([0])), RuntimeError,
         "Index 1 of input takes value 7 which is not in the valid range \\[0, 4\\)"),
        (lambda: F.embedding_bag(ag.tensor([0.0]), w, idx([0])), RuntimeError,
         "Expected tensor for argument #1 'indices' to have one of the following scalar types"),
        (lambda: F.embedding_bag(idx([0]), w, idx([0]), mode="mean",
                                 per_sample_weights=ag.ones(1)), NotImplementedError,
         "per_sample_weights is only supported for mode='sum' \\(got mode='mean'\\)"),
        (lambda: F.embedding_bag(idx([0, 1]), w, idx([0]), mode="sum",
                                 per_sample_weights=ag.ones(3)), ValueError,
         "If per_sample_weights .* is not None, then it must have the same shape"),
        (lambda: nn.EmbeddingBag(4, 2, mode="max", sparse=True)(idx([[0]])), ValueError,
         "max mode does not support sparse weights"),
        (lambda: F.embedding_bag(idx([[0]]), w, mode="max", scale_grad_by_freq=True), ValueError,
         "max mode does not support scaling the gradient by the frequency"),
        (lambda: nn.EmbeddingBag(4, 2, mode="median"), ValueError, "mode has to be one of"),
        (lambda: nn.EmbeddingBag(4, 2, padding_idx=4), AssertionError,
         "padding_idx must be within num_embeddings"),  # (PyTorch: lower case here)
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=match):
            call()


def test_module():
    ag.manual_seed(0)
    bag = nn.EmbeddingBag(5, 3, padding_idx=1, mode="sum")
    assert bag.weight.shape == (5, 3) and bag.weight.requires_grad
    assert bag.weight[1].tolist() == [0.0, 0.0, 0.0]
    assert repr(bag) == "EmbeddingBag(5, 3, mode='sum', padding_idx=1)"
    assert list(bag.state_dict()) == ["weight"]
    frozen = nn.EmbeddingBag.from_pretrained(ag.tensor(TABLE), mode="max")
    assert not frozen.weight.requires_grad and frozen.mode == "max"
    np.testing.assert_allclose(frozen(idx([[0, 3]])).numpy(), [[1, 3]])
    trainable = nn.EmbeddingBag.from_pretrained(TABLE, freeze=False, include_last_offset=True)
    assert trainable.weight.requires_grad
    np.testing.assert_allclose(trainable(idx([0, 1]), idx([0, 2])).detach().numpy(),
                               [[0.5, 0.5]])
    with pytest.raises(AssertionError, match="expected to be 2-dimensional"):
        nn.EmbeddingBag.from_pretrained(np.zeros(3))


def _torch_bag(torch, text, offsets, weight, psw, **kw):
    return torch.nn.functional.embedding_bag(
        torch.tensor(text), weight, None if offsets is None else torch.tensor(offsets),
        per_sample_weights=psw, **kw)


@pytest.mark.torch_parity
@given(lengths=st.lists(st.integers(0, 4), min_size=1, max_size=5),
       mode=st.sampled_from(["sum", "mean", "max"]), last=st.booleans(),
       padding=st.sampled_from([None, 0, -2]), weighted=st.booleans(), seed=st.integers(0, 99))
def test_matches_torch(lengths, mode, last, padding, weighted, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    text = rng.integers(0, 6, sum(lengths))
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1 if not last else None]])
    table_np = rng.normal(size=(6, 3))
    up = rng.normal(size=(len(lengths), 3))
    weighted = weighted and mode == "sum"
    psw_np = rng.normal(size=text.size)
    kw = dict(mode=mode, include_last_offset=last, padding_idx=padding)

    w = ag.tensor(table_np, requires_grad=True)
    psw = ag.tensor(psw_np, requires_grad=True) if weighted else None
    out = F.embedding_bag(ag.tensor(text), w, ag.tensor(offsets), per_sample_weights=psw, **kw)
    (out * ag.tensor(up)).sum().backward()

    wt = torch.tensor(table_np, requires_grad=True)
    pswt = torch.tensor(psw_np, requires_grad=True) if weighted else None
    outt = _torch_bag(torch, text, offsets, wt, pswt, **kw)
    (outt * torch.tensor(up)).sum().backward()

    np.testing.assert_allclose(out.detach().numpy(), outt.detach().numpy(), rtol=1e-12,
                               atol=1e-14)
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), rtol=1e-12, atol=1e-14)
    if weighted:
        np.testing.assert_allclose(psw.grad.numpy(), pswt.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.torch_parity
def test_text_classification_model_trains_as_torchs():
    # pytorch/tutorials' text_sentiment_ngrams model: EmbeddingBag(vocab, dim, sparse=False),
    # a Linear head, (text, offsets) batches, SGD
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    vocab, dim, classes = 30, 8, 4
    batches = []
    for _ in range(4):
        lengths = rng.integers(1, 9, 6)
        batches.append((rng.integers(0, vocab, lengths.sum()),
                        np.concatenate([[0], np.cumsum(lengths)[:-1]]),
                        rng.integers(0, classes, 6)))

    def run(lib, dtype):
        class TextClassificationModel(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.embedding = lib.nn.EmbeddingBag(vocab, dim, sparse=False)
                self.fc = lib.nn.Linear(dim, classes)

            def forward(self, text, offsets):
                return self.fc(self.embedding(text, offsets))

        model = TextClassificationModel().to(dtype)
        state = np.random.default_rng(5)
        model.load_state_dict({k: lib.tensor(state.normal(size=tuple(v.shape)))
                               for k, v in model.state_dict().items()})
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        losses = []
        for text, offsets, label in batches:
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(
                model(lib.tensor(text), lib.tensor(offsets)), lib.tensor(label))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, model.embedding.weight.detach().numpy()

    ours, theirs = run(ag, ag.float64), run(torch, torch.float64)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-13)
