"""A step whose first two calls get the same data (full-batch training, overfitting one batch
first, a warm-up call repeated) and whose third call gets other data must equal eager on the
third call. The two traces agree, so anything the library computed in numpy from the first
call's values and handed to an op as a constant would be replayed on the new data: a silently
wrong loss and gradient. Found by a sweep of nn.functional and indexing functions called A, A,
B (before these fixes ``F.one_hot``, a 3-d ``cross_entropy`` target, ``index_put``,
``grid_sample`` and ``lu_unpack`` replayed the first call's targets, indices, taps or
permutation)."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from autograd_core.ops.binary import Mul


def _one_hot_mse(w, t):
    return ((w - F.one_hot(t, 3).to(w.dtype)) ** 2).mean()


def _argmax_one_hot(w, s):
    return (w * F.one_hot((w + s).argmax(1), 3)).sum()


def _ce_3d(w, t):
    return F.cross_entropy(w, t)


def _ce_1d(w, t):
    return F.cross_entropy(w, t)


def _index_put(w, i):
    return (ag.zeros(3, dtype=w.dtype).index_put((i,), w, accumulate=True) ** 2).sum()


def _grid_sample(w, g):
    return (F.grid_sample(w, g, align_corners=False) ** 2).sum()


def _grid_sample_nearest(w, g):
    return (F.grid_sample(w, g, mode="nearest", align_corners=True) * w.sum()).sum()


def _lu_unpack(w, lu_piv):
    lu, piv = lu_piv[:, :3], lu_piv[:, 3].to(ag.int32)
    return (w * ag.lu_unpack(lu, piv)[0]).sum()  # the permutation is made in numpy


def _lu_of(seed):
    lu, piv = ag.linalg.lu_factor(ag.tensor(np.random.default_rng(seed).standard_normal((3, 3))))
    return np.concatenate([lu.numpy(), piv.numpy()[:, None]], axis=1)


def _actions(seed):  # a DQN's actions, gathered from its Q-values
    return np.random.default_rng(seed).integers(0, 4, (6, 1))


def _numpy_view_to_an_op(w, s):
    return Mul.apply(w, s._data.reshape(w.shape)).sum()  # an op given a view of s's array


def _targets_3d(seed):
    t = np.random.default_rng(seed).integers(0, 3, (2, 5))
    t[0, seed % 5] = -100
    return t


# name -> (loss(w, x), w's shape, x for seed k, the fallback's words or None for a replay)
CASES = {
    "one_hot": (_one_hot_mse, (6, 3),
                lambda k: np.random.default_rng(k).integers(0, 3, 6), None),
    "argmax_one_hot": (_argmax_one_hot, (4, 3),
                       lambda k: np.random.default_rng(k).standard_normal((4, 3)),
                       None),
    "cross_entropy_3d_ignore_index": (_ce_3d, (2, 3, 5), _targets_3d, None),
    "cross_entropy_1d": (_ce_1d, (4,), lambda k: np.array(k % 4), None),
    "index_put": (_index_put, (6,), lambda k: np.random.default_rng(k).integers(0, 3, 6),
                  "passed by keyword to IndexAddBackward0"),
    "grid_sample": (_grid_sample, (1, 1, 4, 4),
                    lambda k: np.random.default_rng(k).uniform(-1, 1, (1, 3, 3, 2)),
                    "grid_sample()"),
    "grid_sample_nearest": (_grid_sample_nearest, (1, 1, 4, 4),
                            lambda k: np.random.default_rng(k).uniform(-1, 1, (1, 3, 3, 2)),
                            "grid_sample()"),
    "gather_actions": (lambda w, a: (w.gather(1, a) ** 2).sum(), (6, 4), _actions, None),
    "lu_unpack": (_lu_unpack, (3, 3), _lu_of, "made outside the ops by lu_unpack()"),
    "numpy_view": (_numpy_view_to_an_op, (2, 3),
                   lambda k: np.random.default_rng(k).standard_normal((3, 2)),
                   "numpy view of a tensor's array"),
}


def _ints(high, shape, ignore=None):
    """Class targets for seed k, a third of them ``ignore`` where given."""
    def data(k):
        rng = np.random.default_rng(k)
        t = rng.integers(0, high, shape)
        if ignore is not None:
            t[rng.random(shape) < 0.35] = ignore
        return t
    return data


def _mask(shape):
    def data(k):
        m = np.random.default_rng(k).random(shape) < 0.4
        m.reshape(-1)[0] = False  # a row of attention keeps a key
        return m
    return data


def _signs(n):
    return lambda k: np.where(np.random.default_rng(k).random(n) < 0.5, 1.0, -1.0)


_W4 = np.arange(1.0, 5.0)
_GRID = np.arange(12.0).reshape(3, 4)

# more of the sweep's functions whose result depends on a step input's values: replayed or
# run eagerly, but equal to eager on the third call (name -> (loss, w's shape, data))
SWEEP = {
    "cross_entropy_ignore_index": (lambda w, t: F.cross_entropy(w, t), (8, 4),
                                   _ints(4, 8, -100)),
    "cross_entropy_weight_ignore": (lambda w, t: F.cross_entropy(
        w, t, weight=ag.tensor(_W4), ignore_index=2), (8, 4), _ints(4, 8)),
    "cross_entropy_smoothing_2d": (lambda w, t: F.cross_entropy(w, t, label_smoothing=0.1),
                                   (2, 3, 4), _ints(3, (2, 4), -100)),
    "cross_entropy_segmentation": (lambda w, t: F.cross_entropy(w, t, ignore_index=255),
                                   (1, 3, 3, 3), _ints(3, (1, 3, 3), 255)),
    "nll_loss_weight_sum": (lambda w, t: F.nll_loss(w, t, weight=ag.tensor(_W4),
                                                    reduction="sum"), (8, 4), _ints(4, 8, 1)),
    "embedding_padding_idx": (lambda w, i: (F.embedding(i, w, padding_idx=0) ** 2).sum(),
                              (5, 3), _ints(5, (3, 4))),
    "embedding_scale_grad_by_freq": (lambda w, i: (F.embedding(
        i, w, scale_grad_by_freq=True) ** 2).sum(), (5, 3), _ints(5, (3, 4))),
    "gather": (lambda w, i: (w.gather(1, i) ** 2).sum(), (6, 4), _ints(4, (6, 2))),
    "scatter_add": (lambda w, i: (ag.zeros(3, 4, dtype=w.dtype).scatter_add(0, i, w) ** 2)
                    .sum(), (6, 4), _ints(3, (6, 4))),
    "index_add": (lambda w, i: (ag.zeros(3, 4, dtype=w.dtype).index_add(0, i, w) ** 2).sum(),
                  (6, 4), _ints(3, 6)),
    "setitem_index_tensor": (lambda w, i: (ag.zeros(3, 4, dtype=w.dtype).index_put(
        (i,), w) * ag.tensor(_GRID)).sum(), (1, 4), _ints(3, 1)),
    "getitem_index_tensor": (lambda w, i: (w[i] ** 2).sum(), (6, 4), _ints(6, 4)),
    "take_along_dim": (lambda w, i: (ag.take_along_dim(w, i, 1) ** 2).sum(), (6, 4),
                       _ints(4, (6, 1))),
    "masked_fill": (lambda w, m: (w.masked_fill(m, 0.0) ** 2).sum(), (6, 4), _mask((6, 4))),
    "where": (lambda w, m: (ag.where(m, w, w * 3) ** 2).sum(), (6, 4), _mask((6, 4))),
    "mask_count": (lambda w, m: (w * m).sum() / m.sum(), (6, 4), _mask((6, 4))),
    "margin_ranking": (lambda w, y: F.margin_ranking_loss(w[0], w[1], y, margin=0.1), (2, 6),
                       _signs(6)),
    "hinge_embedding": (lambda w, y: F.hinge_embedding_loss(w, y), (6,), _signs(6)),
    "multi_margin": (lambda w, t: F.multi_margin_loss(w, t), (6, 4), _ints(4, 6)),
    "sdpa_bool_mask": (lambda w, m: (F.scaled_dot_product_attention(
        w, w, w, attn_mask=~m) ** 2).sum(), (2, 4, 6), _mask((4, 4))),
    "bucketize": (lambda w, v: (w * ag.bucketize(v, ag.tensor([0.3, 0.6]))).sum(), (5,),
                  lambda k: np.random.default_rng(k).random(5)),
    "argmax": (lambda w, s: (w * (w + s).argmax(1)[:, None]).sum(), (4, 3),
               lambda k: np.random.default_rng(k).standard_normal((4, 3))),
}


def _runs(loss_fn, shape, data):
    """(eager's, the compiled step's) losses and gradients over calls A, A, B, C, and the
    compiled step's warnings."""
    runs = {}
    for mode in ("eager", "compiled"):
        w = ag.tensor(np.random.default_rng(7).standard_normal(shape), requires_grad=True)

        def step(x):
            w.grad = None
            loss = loss_fn(w, x)
            loss.backward()
            return loss

        run = ag.compile(step) if mode == "compiled" else step
        results = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for seed in (1, 1, 2, 3):
                loss = run(ag.tensor(data(seed)))
                results.append((loss.detach().numpy().tobytes(), w.grad._data.tobytes()))
        runs[mode] = results, [str(c.message) for c in caught]
    (want, _), (got, messages) = runs["eager"], runs["compiled"]
    assert want[2] != want[1]  # the third call's data changes the loss: a stale replay shows
    return want, got, messages


@pytest.mark.parametrize("name", sorted(CASES))
def test_third_call_with_new_data_equals_eager(name):
    loss_fn, shape, data, fallback = CASES[name]
    want, got, messages = _runs(loss_fn, shape, data)
    assert got == want
    if fallback is None:
        assert messages == []  # replayed: the targets are encoded or reshaped by an op
    else:
        assert len(messages) == 1 and fallback in messages[0]


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_value_dependent_functions_never_replay_the_first_call(name):
    want, got, _ = _runs(*SWEEP[name])
    assert got == want


def test_a_replayed_gather_checks_its_indices():
    """``gather``'s index is an input of the op (so a DQN's ``q.gather(1, actions)`` replays):
    its forward checks the range at every replay, where ``gather``'s own checks do not run; an
    action out of range raises PyTorch's error instead of reading outside the array."""
    q = ag.tensor(np.ones((2, 3)), requires_grad=True)

    @ag.compile
    def step(a):
        q.grad = None
        loss = q.gather(1, a).sum()
        loss.backward()
        return loss

    for _ in range(3):
        step(ag.tensor([[0], [2]]))
    assert step.traces == 1
    with pytest.raises(RuntimeError, match="index 3 is out of bounds for dimension 1 with size 3"):
        step(ag.tensor([[0], [3]]))
    with pytest.raises(RuntimeError, match="index -1 is out of bounds"):
        step(ag.tensor([[-1], [0]]))
