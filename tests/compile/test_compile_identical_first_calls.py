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
    "lu_unpack": (_lu_unpack, (3, 3), _lu_of, "made outside the ops by lu_unpack()"),
    "numpy_view": (_numpy_view_to_an_op, (2, 3),
                   lambda k: np.random.default_rng(k).standard_normal((3, 2)),
                   "numpy view of a tensor's array"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_third_call_with_new_data_equals_eager(name):
    loss_fn, shape, data, fallback = CASES[name]
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
    assert got == want
    if fallback is None:
        assert messages == []  # replayed: the targets are encoded or reshaped by an op
    else:
        assert len(messages) == 1 and fallback in messages[0]
