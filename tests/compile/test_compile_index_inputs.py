"""Ops that take indices, counts or masks as tensors, inside a compiled step whose first calls
all get the same index (a full-batch loop) and later calls other ones: a replay must give
eager's numbers (by reading the new indices, or by refusing the trace and running eagerly),
never the first calls' indices. index_select, take_along_dim and repeat_interleave with tensor
repeats replayed the first index silently before (their indices became constants in Python)."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

X = np.arange(12.0, dtype=np.float32).reshape(4, 3) + 1
V = np.arange(3.0, dtype=np.float32) + 10

CASES = {
    "index_select": lambda x, v, i: x.index_select(0, i),
    "index_put": lambda x, v, i: ag.zeros(4, 3).index_put((i,), v),
    "index_add": lambda x, v, i: ag.index_add(ag.zeros(4, 3), 0, i, v.reshape(1, 3)),
    "index_copy": lambda x, v, i: ag.index_copy(ag.zeros(4, 3), 0, i, v.reshape(1, 3)),
    "index_fill": lambda x, v, i: ag.index_fill(x, 0, i, -1.0),
    "take": lambda x, v, i: ag.take(x, i),
    "take_along_dim": lambda x, v, i: ag.take_along_dim(x, i.reshape(1, 1).expand(4, 1), 1),
    "gather": lambda x, v, i: ag.gather(x, 0, i.reshape(1, 1).expand(1, 3)),
    "scatter": lambda x, v, i: ag.zeros(4, 3).scatter(0, i.reshape(1, 1).expand(1, 3), 2.0),
    "scatter_add": lambda x, v, i: ag.scatter_add(ag.zeros(4, 3), 0,
                                                  i.reshape(1, 1).expand(1, 3), v.reshape(1, 3)),
    "getitem": lambda x, v, i: x[i],
    "getitem_columns": lambda x, v, i: x[:, i],
    "embedding": lambda x, v, i: F.embedding(i, x),
    "one_hot": lambda x, v, i: F.one_hot(i, 4).float(),
    "bincount": lambda x, v, i: ag.bincount(i, minlength=4).float(),
    "repeat_interleave": lambda x, v, i: ag.repeat_interleave(x[0], i.expand(3) + 1),
    "repeat_interleave_counts": lambda x, v, i: ag.repeat_interleave(i + 1).float(),
    "cross_entropy": lambda x, v, i: F.cross_entropy(x, i.expand(4)),
    "nll_loss": lambda x, v, i: F.nll_loss(x, i.expand(4)),
    "masked_select": lambda x, v, i: ag.masked_select(x, x > i.float() * 3),
    "where": lambda x, v, i: ag.where(x > i.float() * 3, x, 0.0),
    "max_dim": lambda x, v, i: (x * (i.float() + 1)).max(dim=0).values,
    "index_put_": lambda x, v, i: ag.zeros(4, 3).index_put_((i,), v) * 1.0,
    "bucketize": lambda x, v, i: ag.bucketize(v, i.float() * 5).float(),
    "searchsorted": lambda x, v, i: ag.searchsorted(i.float() * 5, v).float(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_new_indices_after_identical_first_calls(name):
    x, v = ag.tensor(X, requires_grad=True), ag.tensor(V)

    def step(i):
        x.grad = None
        out = (CASES[name](x, v, i) * ag.tensor(2.0)).sum()
        if out.requires_grad:
            out.backward()
        return out

    compiled = ag.compile(step)
    got, want = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a refusal is fine, a wrong replay not
        for k in (0, 0, 0, 2, 1):
            got.append(compiled(ag.tensor([k])).item())
            grad = None if x.grad is None else x.grad.tolist()
            want.append(step(ag.tensor([k])).item())
            assert grad == (None if x.grad is None else x.grad.tolist()), (name, k)
    assert got == want
