"""A short program in the style of the makemore / attention tutorials, written once against a
``torch``-like namespace and run on tapegrad and on PyTorch (when importable): an embedding,
a causal self-attention head through einsum, tril and masked_fill, chunk/split, gather,
cumsum, topk and a Huber term, trained for a few SGD steps. Losses and weights must agree."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
import optimizers

VOCAB, DIM, STEPS = 7, 4, 3


def _init(rng):
    return {"emb": rng.standard_normal((VOCAB, DIM)),
            "qkv": rng.standard_normal((DIM, 3 * DIM)) * 0.5,
            "out": rng.standard_normal((DIM, VOCAB)) * 0.5}


def _program(t, F, nn, optim, weights, tokens, targets):
    """The program; ``t`` is the core namespace (autograd_core or torch)."""
    emb = nn.Embedding(VOCAB, DIM, padding_idx=0)
    with t.no_grad():
        emb.weight.copy_(t.tensor(weights["emb"]))
        emb.weight[0] = 0.0
    w_qkv = t.tensor(weights["qkv"], requires_grad=True)
    w_out = t.tensor(weights["out"], requires_grad=True)
    params = [emb.weight, w_qkv, w_out]
    opt = optim.SGD(params, lr=0.1)
    x_tokens, y = t.tensor(tokens), t.tensor(targets)
    T_ = x_tokens.shape[1]
    causal = t.tril(t.ones(T_, T_)) == 0
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        x = emb(x_tokens).double()
        q, k, v = (x @ w_qkv).chunk(3, dim=-1)
        att = t.einsum("btd,bsd->bts", q, k) / DIM ** 0.5
        att = att.masked_fill(causal, float("-inf")).softmax(dim=-1)
        h = t.einsum("bts,bsd->btd", att, v) + x.cumsum(dim=1) * 0.1
        logits = t.mm(h.reshape(-1, DIM), w_out)
        logp = logits.log_softmax(dim=-1)
        nll = -t.gather(logp, 1, y.reshape(-1, 1)).mean()
        best = logits.topk(2, dim=-1).values
        first, second = best.split(1, dim=-1)
        margin = F.huber_loss(first - second, t.ones_like(first), delta=0.5)
        loss = nll + 0.1 * margin + 0.01 * t.addmm(t.zeros(1, 1, dtype=t.float64),
                                                    w_out.sum(0, keepdim=True), w_out.T[:, :1])
        loss = loss.sum()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [_numpy(p) for p in params]


def _numpy(p):
    d = p.detach()
    return d.numpy() if hasattr(d, "numpy") else d.data


def _data():
    rng = np.random.default_rng(5)
    tokens = rng.integers(0, VOCAB, (2, 5))
    targets = rng.integers(1, VOCAB, (2, 5))
    return _init(rng), tokens, targets


def test_program_runs_and_learns_on_tapegrad():
    weights, tokens, targets = _data()
    losses, _ = _program(ag, F, nn, optimizers, weights, tokens, targets)
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


@pytest.mark.torch_parity
def test_program_matches_torch():
    torch = pytest.importorskip("torch")
    weights, tokens, targets = _data()
    mine, my_params = _program(ag, F, nn, optimizers, weights, tokens, targets)
    theirs, their_params = _program(torch, torch.nn.functional, torch.nn, torch.optim, weights,
                                    tokens, targets)
    np.testing.assert_allclose(mine, theirs, rtol=1e-6)
    for a, b in zip(my_params, their_params):
        np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                   rtol=1e-5, atol=1e-6)
