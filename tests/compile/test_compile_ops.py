"""ag.compile replays equal eager bit for bit for every op in the op table, forward and
backward: each sample's step is traced on one set of inputs and replayed on another, and the
replay's outputs and input gradients are compared byte for byte with an eager run on the same
second inputs."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.registry import OPS


def _values(sample, rng):
    out = []
    for k, shape in enumerate(sample.shapes or [(3, 4)] * sample.n_inputs):
        n = int(np.prod(shape))
        if sample.domain == "positive":
            v = rng.uniform(0.2, 2.0, shape)
        elif sample.domain in ("away_from_zero", "away_from_clamp"):
            v = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
        elif sample.domain == "distinct":
            v = rng.permutation(n).reshape(shape) * 0.37 - 1.7 + 0.11 * k
        else:
            v = rng.standard_normal(shape)
        out.append(v)
    return out


def _leaves(values, dtype):
    return [ag.tensor(v.astype(dtype), requires_grad=True) for v in values]


def _floats(out):
    outs = out if isinstance(out, tuple) else (out,)
    return [o for o in outs if o.dtype.is_floating_point]


# Samples that read values in Python (``a._data > 0`` in the sample, or indices computed in
# numpy by the op): the second trace sees other constants, so the step runs eagerly.
READS_VALUES = {"clamp_tensor_bounds", "where", "getitem_mask",
                "masked_fill", "masked_fill_tensor_value", "sort", "sort_descending", "topk",
                "topk_smallest", "median", "median_dim", "kthvalue", "cummax", "cummin",
                "quantile", "quantile_dim", "nanquantile", "mode", "nanmean",
                # a tensor of indices read in Python (tests/compile/
                # test_compile_index_inputs.py: they replayed stale indices before)
                "index_select", "take_along_dim", "take_along_dim_flat",
                # LAPACK pivots turned into a permutation in Python
                "lu_solve",
                # a mask's count of True / flat positions checked and wrapped in Python
                "masked_scatter", "masked_scatter_broadcast_mask", "put", "put_accumulate",
                # counts and extremes per slot found in Python (scatter_reduce's sum replays)
                *(f"scatter_reduce_{r}{s}" for r in ("mean", "amax", "amin")
                  for s in ("", "_noself")),
                # index_reduce is scatter_reduce; frexp's exponent is found in numpy
                *(f"index_reduce_{r}{s}" for r in ("mean", "amax", "amin")
                  for s in ("", "_exclude")), "frexp"}


def _check_replay_equals_eager(sample, dtype):
    rng = np.random.default_rng(5)
    calls = [_values(sample, rng) for _ in range(3)]
    probe = _floats(sample.fn(*_leaves(calls[0], dtype)))
    weights = [ag.tensor(rng.standard_normal(o.shape).astype(dtype)) for o in probe]

    def step(*xs):
        for x in xs:
            x.grad = None
        outs = _floats(sample.fn(*xs))
        loss = None
        for o, w in zip(outs, weights):
            term = (o * w).sum() if o.shape == w.shape else o.sum()  # getitem_mask
            loss = term if loss is None else loss + term
        if loss is not None and loss.requires_grad:
            loss.backward()
        return tuple(outs)

    compiled = ag.compile(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled(*_leaves(calls[0], dtype))  # traces
        compiled(*_leaves(calls[1], dtype))  # traces again: the two must agree
        xs = _leaves(calls[2], dtype)
        got = compiled(*xs)  # replays (or runs eagerly after a fallback)
    messages = [str(w.message) for w in caught]
    if sample.name in READS_VALUES:
        # an op reading values in Python refuses the trace; a mask the step itself computes
        # from ._data (getitem_mask's sample) is caught by the two traces differing
        assert len(messages) == 1 and ("reads its inputs' values" in messages[0]
                                       or "made outside the ops" in messages[0]
                                       or "the first two calls" in messages[0])
    else:
        assert messages == []
    assert compiled.traces == 1
    ref_xs = _leaves(calls[2], dtype)
    want = step(*ref_xs)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g._data.dtype == w._data.dtype and g._data.tobytes() == w._data.tobytes()
    for x, r in zip(xs, ref_xs):
        assert (x.grad is None) == (r.grad is None)
        if r.grad is not None:
            assert x.grad._data.tobytes() == r.grad._data.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sample", OPS, ids=lambda s: s.name)
def test_replay_equals_eager(sample, dtype):
    _check_replay_equals_eager(sample, dtype)


def test_nansum_replay_finds_the_nans_of_each_call():
    """The NaN mask is found inside an op, so a step traced on NaN-free data and replayed on
    data with NaN sums the new data's non-NaN values (a baked mask would count the NaN)."""
    def step(x):
        return ag.nansum(x * 2.0)

    compiled = ag.compile(step)
    for _ in range(3):  # trace, check, replay
        out = compiled(ag.tensor([1.0, 2.0, 3.0]))
    assert out.item() == 12.0
    got = compiled(ag.tensor([1.0, float("nan"), 3.0]))
    assert compiled.traces == 1 and got.item() == 8.0


@pytest.mark.parametrize("name, step", [
    ("max", lambda x, i: x.max(dim=1).values.sum()),
    ("min_indices", lambda x, i: (x * x.min(dim=0).indices).sum()),
    ("sort", lambda x, i: ag.sort(x, dim=1).values[:, :1].sum()),
    ("__getitem__", lambda x, i: x[i].sum()),
])
def test_value_reading_ops_never_replay_on_identical_first_calls(name, step):
    """Full-batch training calls the step with the same data again and again, so the first two
    traces agree even when an op read values in Python; a later call with other data must not
    replay the baked indices. Ops that read values refuse the trace outright; max/min over a
    dim are two ops (argmax, then a gather at it), replayed on the new data."""
    captured = name in ("max", "min_indices")
    x0 = ag.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True)
    i0 = ag.tensor([1, 0])

    def fn(x, i):
        out = step(x, i)
        out.backward()
        return out

    compiled = ag.compile(fn)
    if captured:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compiled(x0, i0)
    else:
        with pytest.warns(RuntimeWarning, match="reads its inputs' values"):
            compiled(x0, i0)
    for _ in range(2):
        compiled(x0, i0)
    x1 = ag.tensor([[1.0, 9.0, 2.0], [7.0, 5.0, 4.0]], requires_grad=True)
    i1 = ag.tensor([0, 0])
    got = compiled(x1, i1)
    x2 = ag.tensor(x1.detach().numpy(), requires_grad=True)
    want = fn(x2, i1)
    assert got.item() == want.item()
    assert x1.grad.tolist() == x2.grad.tolist()
    assert compiled.traces == 1
