"""Optimizers and sparse gradients (``nn.Embedding(..., sparse=True)``): SparseAdam by hand
(lazy moments), its errors and state round trip; SGD and Adagrad take sparse gradients;
every other optimizer refuses one before writing anything; a skip-gram model trained with
each against live torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim
from optimizers.registry import ALGORITHMS


def idx(values):
    return ag.tensor(np.asarray(values, dtype=np.int64))


def sparse_step(emb, lookups, scale=1.0):
    (emb(idx(lookups)) * scale).sum().backward()


def test_sparse_adam_by_hand_lazy_moments():
    emb = nn.Embedding(3, 1, sparse=True, dtype=ag.float64)
    emb.weight.data.copy_(ag.tensor([[1.0], [2.0], [3.0]], dtype=ag.float64))
    opt = optim.SparseAdam(emb.parameters(), lr=0.1, betas=(0.5, 0.75), eps=1e-3)
    sparse_step(emb, [0, 0])  # g0 = 2
    opt.step()
    m, v = 0.5 * 2, 0.25 * 4
    step1 = 0.1 * math.sqrt(1 - 0.75) / (1 - 0.5) * m / (math.sqrt(v) + 1e-3)
    assert emb.weight[:, 0].tolist() == pytest.approx([1 - step1, 2.0, 3.0], abs=1e-15)
    opt.zero_grad()
    sparse_step(emb, [2], scale=3.0)  # only row 2: row 0's moments stay as they were
    opt.step()
    st = opt.state[emb.weight]
    assert st["step"] == 2.0
    assert st["exp_avg"][:, 0].tolist() == pytest.approx([m, 0.0, 0.5 * 3])
    assert st["exp_avg_sq"][:, 0].tolist() == pytest.approx([v, 0.0, 0.25 * 9])
    step2 = 0.1 * math.sqrt(1 - 0.75 ** 2) / (1 - 0.5 ** 2) * 1.5 / (math.sqrt(2.25) + 1e-3)
    assert emb.weight[:, 0].tolist() == pytest.approx([1 - step1, 2.0, 3.0 - step2], abs=1e-15)


def test_sparse_adam_maximize_is_minimizing_the_negation():
    results = []
    for maximize, sign in ((False, 1.0), (True, -1.0)):
        ag.manual_seed(0)
        emb = nn.Embedding(4, 2, sparse=True)
        opt = optim.SparseAdam(emb.parameters(), lr=0.1, maximize=maximize)
        for lookups in ([1, 2, 1], [3], [2, 2]):
            opt.zero_grad()
            (sign * emb(idx(lookups)).pow(2).sum()).backward()
            opt.step()
        results.append(emb.weight.detach().numpy())
    np.testing.assert_array_equal(results[0], results[1])


def test_sparse_adam_errors_before_any_change():
    a = nn.Embedding(3, 2, sparse=True)
    b = nn.Embedding(3, 2)
    opt = optim.SparseAdam(list(a.parameters()) + list(b.parameters()))
    sparse_step(a, [1])
    b(idx([1])).sum().backward()
    before = a.weight.detach().clone()
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients, please "
                                           "consider Adam instead"):
        opt.step()
    assert not opt.state and ag.equal(a.weight.detach(), before)
    s = ag.sparse_coo_tensor([[0, 1]], [1.0, 2.0], (2,), requires_grad=True)
    with pytest.raises(ValueError, match=r"Sparse params at indices \[\[0, 1\]\]: SparseAdam "
                                         "requires dense parameter tensors"):
        optim.SparseAdam([a.weight, s])
    z = ag.zeros(2, dtype=ag.complex64, requires_grad=True)
    with pytest.raises(ValueError, match=r"Complex params at indices \[\[1, 0\]\]: SparseAdam "
                                         "does not support complex parameters"):
        optim.SparseAdam([{"params": [a.weight]}, {"params": [z]}])
    for kwargs, match in ((dict(lr=0.0), "Invalid learning rate: 0.0"),
                          (dict(eps=0.0), "Invalid epsilon value: 0.0"),
                          (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
                          (dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0")):
        with pytest.raises(ValueError, match=match):
            optim.SparseAdam(a.parameters(), **kwargs)
    with pytest.raises(TypeError, match="params argument given to the optimizer should be"):
        optim.SparseAdam(a.weight)


def test_sparse_adam_state_dict_round_trip():
    def make():
        ag.manual_seed(0)
        emb = nn.Embedding(5, 2, sparse=True)
        return emb, optim.SparseAdam(emb.parameters(), lr=0.05)

    batches = ([1, 2], [4, 1, 1], [0], [2, 3])
    emb, opt = make()
    for k, lookups in enumerate(batches):
        if k == 2:
            saved_state, saved_weight = opt.state_dict(), emb.weight.detach().clone()
        opt.zero_grad()
        emb(idx(lookups)).pow(2).sum().backward()
        opt.step()
    emb2, opt2 = make()
    emb2.weight.data.copy_(saved_weight)
    opt2.load_state_dict(saved_state)
    assert opt2.state[emb2.weight]["step"] == 2.0
    for lookups in batches[2:]:
        opt2.zero_grad()
        emb2(idx(lookups)).pow(2).sum().backward()
        opt2.step()
    np.testing.assert_array_equal(emb2.weight.detach().numpy(), emb.weight.detach().numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_adam_kernel_matches_twin(monkeypatch, dtype):
    from autograd_core.kernels.optim import PARALLEL_MIN_SIZE

    out = {}
    for backend in ("numba", "numpy"):
        monkeypatch.setenv("TAPEGRAD_KERNELS", backend)
        rng = np.random.default_rng(3)
        # the parallel build from PARALLEL_MIN_SIZE elements on: a batch with that many
        rows = PARALLEL_MIN_SIZE // 8 + 5
        emb = nn.Embedding(rows + 3, 8, sparse=True, dtype=dtype)
        emb.weight.data.copy_(ag.tensor(rng.standard_normal((rows + 3, 8)).astype(dtype)))
        opt = optim.SparseAdam(emb.parameters(), lr=0.01, maximize=True)
        for lookups in (rng.integers(0, rows + 3, 7), np.arange(rows), [1, 1, 2]):
            opt.zero_grad()
            (emb(idx(lookups)) * ag.tensor(rng.standard_normal(8).astype(dtype))).sum().backward()
            opt.step()
        st = opt.state[emb.weight]
        out[backend] = [emb.weight.detach().numpy(), st["exp_avg"], st["exp_avg_sq"]]
    for a, b in zip(out["numba"], out["numpy"]):
        np.testing.assert_array_equal(a, b)


REFUSING = sorted({spec.cls for spec in ALGORITHMS.values()} - {optim.SGD, optim.Adagrad},
                  key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", REFUSING, ids=lambda c: c.__name__)
def test_every_other_optimizer_refuses_a_sparse_gradient_before_writing(cls):
    dense = nn.Linear(2, 2)
    emb = nn.Embedding(3, 2, sparse=True)
    opt = cls(list(dense.parameters()) + list(emb.parameters()))
    dense(ag.ones(1, 2)).sum().backward()
    sparse_step(emb, [1])
    before = [p.detach().clone() for p in (*dense.parameters(), emb.weight)]
    name = "Adam" if cls in (optim.Adam, optim.AdamW) else cls.__name__
    hint = ", please consider SparseAdam instead" if name == "Adam" else ""
    with pytest.raises(RuntimeError, match=f"^{name} does not support sparse gradients{hint}$"):
        opt.step()
    assert all(not st for st in opt.state.values())
    for p, b in zip((*dense.parameters(), emb.weight), before):
        assert ag.equal(p.detach(), b)


@pytest.mark.parametrize("cls, match", [
    (optim.SGD, r"add\(sparse, dense\) is not supported"),
    (optim.Adagrad, "weight_decay option is not compatible with sparse gradients")])
def test_weight_decay_with_a_sparse_gradient_is_refused(cls, match):
    emb = nn.Embedding(3, 2, sparse=True)
    opt = cls(emb.parameters(), lr=0.1, weight_decay=0.1)
    state_before = {k: dict(v) for k, v in opt.state.items()}
    sparse_step(emb, [1])
    before = emb.weight.detach().clone()
    with pytest.raises(RuntimeError, match=match):
        opt.step()
    assert ag.equal(emb.weight.detach(), before)
    assert {k: v.get("step") for k, v in opt.state.items()} == \
        {k: v.get("step") for k, v in state_before.items()}


@pytest.mark.parametrize("make", [
    lambda p: optim.SGD(p, lr=0.1), lambda p: optim.SGD(p, lr=0.1, maximize=True),
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01),
    lambda p: optim.Adagrad(p, lr=0.1, maximize=True, eps_inside_sqrt=True,
                            initial_accumulator_value=0.5),
    lambda p: optim.LBFGS(p, lr=0.1, max_iter=3)])
def test_sgd_adagrad_lbfgs_sparse_steps_equal_the_dense_ones(make):
    weights = []
    for sparse in (False, True):
        ag.manual_seed(0)
        emb = nn.Embedding(6, 3, sparse=sparse, dtype=ag.float64)
        opt = make(emb.parameters())
        for lookups in ([1, 2, 1], [5, 0], [2, 2, 2, 4]):
            def closure(lookups=lookups):
                opt.zero_grad()
                loss = emb(idx(lookups)).pow(2).sum()
                loss.backward()
                return loss
            opt.step(closure)
        weights.append(emb.weight.detach().numpy())
    np.testing.assert_allclose(weights[1], weights[0], rtol=1e-13, atol=1e-15)


def _skip_gram(lib, make_opt, steps=20):
    """A skip-gram model with negative sampling (word2vec): centre and context embeddings,
    sparse=True, trained on a fixed random stream of (centre, context, label) batches."""
    rng = np.random.default_rng(0)
    vocab, dim, batch = 30, 8, 16
    w_in = (rng.standard_normal((vocab, dim)) * 0.1).astype(np.float32)
    w_out = (rng.standard_normal((vocab, dim)) * 0.1).astype(np.float32)
    centre = lib.nn.Embedding(vocab, dim, sparse=True)
    context = lib.nn.Embedding(vocab, dim, sparse=True)
    to_tensor = lib.tensor if lib is not ag else ag.tensor
    with lib.no_grad():
        centre.weight.copy_(to_tensor(w_in))
        context.weight.copy_(to_tensor(w_out))
    opt = make_opt(lib.optim if lib is not ag else optim,
                   list(centre.parameters()) + list(context.parameters()))
    for _ in range(steps):
        c = to_tensor(rng.integers(0, vocab, batch))
        o = to_tensor(rng.integers(0, vocab, batch))
        y = to_tensor(rng.integers(0, 2, batch).astype(np.float32))
        opt.zero_grad()
        score = (centre(c) * context(o)).sum(-1)
        lib.nn.functional.binary_cross_entropy_with_logits(score, y).backward()
        opt.step()
    return [p.detach().numpy().copy() for p in (centre.weight, context.weight)]


@pytest.mark.torch_parity
@pytest.mark.parametrize("make_opt", [
    lambda o, p: o.SparseAdam(p, lr=0.05),
    lambda o, p: o.SparseAdam(p, lr=0.05, betas=(0.8, 0.99), maximize=False),
    lambda o, p: o.SGD(p, lr=0.5),
    lambda o, p: o.SGD(p, lr=0.2, momentum=0.9),
    lambda o, p: o.SGD(p, lr=0.2, momentum=0.9, nesterov=True, maximize=False),
    lambda o, p: o.Adagrad(p, lr=0.1),
    lambda o, p: o.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
], ids=["sparse_adam", "sparse_adam_betas", "sgd", "sgd_momentum", "sgd_nesterov", "adagrad",
        "adagrad_decay"])
def test_skip_gram_trajectory_matches_torch(make_opt):
    torch = pytest.importorskip("torch")
    ours = _skip_gram(ag, make_opt)
    theirs = _skip_gram(torch, make_opt)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
