"""Tensor methods that take dimensions or sizes accept every spelling PyTorch's do: separate
ints, one tuple or list, a single int, and the keyword (``x.tile(2)``, ``x.permute(dims=...)``).
Results are compared with numpy's closed forms; the torch_parity test with torch 2.13."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd_core as ag


def _spellings(name, kw, args):
    """Every way of passing the sequence ``args`` to method ``name`` (keyword ``kw``)."""
    calls = {"varargs": lambda t: getattr(t, name)(*args),
             "tuple": lambda t: getattr(t, name)(tuple(args)),
             "list": lambda t: getattr(t, name)(list(args)),
             "keyword": lambda t: getattr(t, name)(**{kw: tuple(args)})}
    if len(args) == 1:
        calls["int"] = lambda t: getattr(t, name)(args[0])
        calls["numpy int"] = lambda t: getattr(t, name)(np.int64(args[0]))
    return calls


def _cases(shape, data):
    """(method, spellings, numpy closed form) for a tensor of ``shape``."""
    nd = len(shape)
    perm = data.draw(st.permutations(range(nd)))
    reps = data.draw(st.lists(st.integers(1, 2), min_size=1, max_size=nd + 1))
    rep_all = data.draw(st.lists(st.integers(1, 2), min_size=nd, max_size=nd + 1))
    flips = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd, unique_by=lambda d: d % nd))
    size = int(np.prod(shape))
    expand_to = [2] + list(shape)
    return [
        ("tile", "dims", reps, lambda a: np.tile(a, reps)),
        ("repeat", "repeats", rep_all, lambda a: np.tile(a, rep_all)),
        ("permute", "dims", perm, lambda a: np.transpose(a, perm)),
        ("flip", "dims", flips, lambda a: np.flip(a, [d % nd for d in flips])),
        ("reshape", "shape", [size], lambda a: a.reshape(size)),
        ("reshape", "shape", [-1, 1], lambda a: a.reshape(-1, 1)),
        ("view", "size", list(reversed(shape)), lambda a: a.reshape(tuple(reversed(shape)))),
        ("expand", "size", expand_to, lambda a: np.broadcast_to(a, expand_to)),
    ]


@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_every_spelling_gives_the_closed_form(shape, data):
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    for name, kw, args, expected in _cases(shape, data):
        for how, call in _spellings(name, kw, args).items():
            out = call(ag.tensor(a))
            np.testing.assert_array_equal(out.numpy(), expected(a), err_msg=f"{name} {how}")


def test_tile_of_an_int_repeats_the_last_dimension():
    x = ag.tensor([[1, 2], [3, 4]])
    assert x.tile(2).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4]]  # by hand
    assert ag.tile(x, 2).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4]]
    assert x.tile(2, 1).tolist() == [[1, 2], [3, 4], [1, 2], [3, 4]]


def test_repeat_with_too_few_sizes_is_pytorchs_error():
    with pytest.raises(RuntimeError, match="^Number of dimensions of repeat dims can not be "
                       "smaller than number of dimensions of tensor"):
        ag.ones(2, 3).repeat(2)


@pytest.mark.torch_parity
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3), data=st.data())
def test_same_as_pytorch(shape, data):
    torch = pytest.importorskip("torch")
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    for name, kw, args, _ in _cases(shape, data):
        for how, call in _spellings(name, kw, args).items():
            np.testing.assert_array_equal(call(ag.tensor(a)).numpy(),
                                          call(torch.tensor(a)).numpy(), err_msg=f"{name} {how}")
