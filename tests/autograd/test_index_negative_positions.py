"""Negative positions in index_add / index_copy / index_fill / index_put, as PyTorch 2.13:
index_fill and index_put wrap them (as indexing does), index_add and index_copy refuse them
with PyTorch's errors, after their source checks."""

import numpy as np
import pytest

import autograd_core as ag


def _i(*v, dtype=ag.int64):
    return ag.tensor(list(v), dtype=dtype)


def test_index_fill_and_index_put_wrap_negative_positions():
    x = ag.zeros(4, 3)
    assert x.index_fill(0, _i(-1), 2.0)[3].tolist() == [2.0, 2.0, 2.0]
    assert x.index_fill(1, _i(-3), 2.0)[:, 0].tolist() == [2.0] * 4
    put = ag.index_put(x, (_i(-1, 0), _i(-1, -3)), ag.tensor(5.0))
    assert put.tolist() == [[5.0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 5.0]]
    acc = x.index_put((_i(-1, 3),), ag.tensor(5.0), accumulate=True)  # -1 and 3: one row
    assert acc[3].tolist() == [10.0] * 3 and acc[:3].sum().item() == 0.0


def test_wrapped_positions_get_the_gradient():
    x = ag.tensor(np.arange(12.0).reshape(4, 3) / 5, dtype=ag.float64, requires_grad=True)
    v = ag.tensor([0.5, -1.5], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda a, b: ag.index_put(a, (_i(-1, 1),), b[:, None].expand(2, 3),
                                                  accumulate=True), (x, v))
    assert ag.gradcheck(lambda a, b: ag.index_put(a, (_i(-4), _i(-1)), b[:1]), (x, v))
    y = x.index_fill(0, _i(-2), 0.0)
    y.sum().backward()  # the filled row (index 2) gets no gradient
    assert x.grad.tolist() == [[1.0] * 3, [1.0] * 3, [0.0] * 3, [1.0] * 3]


@pytest.mark.parametrize("bad", [-1, -4, -5, 4])
def test_index_add_and_index_copy_refuse_negative_and_large_positions(bad):
    x = ag.zeros(4, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"^index {bad} is out of bounds for dimension 0 "
                                           r"with size 4$"):
        ag.index_add(x, 0, _i(bad, 0), ag.ones(2, 3))
    with pytest.raises(IndexError, match=rf"^index_copy_\(\): index {bad} is out of bounds "
                                         r"for dimension 0 with size 4$"):
        ag.index_copy(x, 0, _i(0, bad), ag.ones(2, 3))
    with pytest.raises(IndexError, match="^index out of range in self$"):
        ag.zeros(4).index_add_(0, _i(bad), ag.ones(1))  # the 1-d path's words
    with pytest.raises(IndexError, match="^index out of range in self$"):
        ag.zeros(4, 3).index_add_(0, _i(bad, dtype=ag.int32), ag.ones(1, 3))


def test_source_errors_come_before_position_errors():
    with pytest.raises(RuntimeError, match=r"Number of indices \(1\) should be equal"):
        ag.zeros(4, 3).index_add_(0, _i(-1), ag.ones(2, 3))
    with pytest.raises(IndexError, match=r"Number of indices \(1\) should be equal"):
        ag.zeros(4, 3).index_copy_(0, _i(-1), ag.ones(2, 3))
    with pytest.raises(RuntimeError, match="^index_copy_\\(\\): Expected a long tensor"):
        ag.zeros(4, 3).index_copy_(0, _i(1, dtype=ag.int32), ag.ones(1, 3))


@pytest.mark.torch_parity
def test_values_and_errors_match_torch():
    torch = pytest.importorskip("torch")
    calls = {
        "index_add": lambda L, x, p: x.index_add(0, L.tensor(p), L.ones(len(p), 3,
                                                                       dtype=x.dtype)),
        "index_add_dim1": lambda L, x, p: x.index_add(1, L.tensor(p), L.ones(4, len(p),
                                                                            dtype=x.dtype)),
        "index_copy": lambda L, x, p: x.index_copy(0, L.tensor(p), L.ones(len(p), 3,
                                                                         dtype=x.dtype)),
        "index_fill": lambda L, x, p: x.index_fill(0, L.tensor(p), 2.0),
        "index_fill_dim1": lambda L, x, p: x.index_fill(1, L.tensor(p), 2.0),
        "index_put": lambda L, x, p: x.index_put((L.tensor(p),), L.tensor(5.0, dtype=x.dtype)),
        "index_put_2": lambda L, x, p: x.index_put((L.tensor([0] * len(p)), L.tensor(p)),
                                                   L.tensor(5.0, dtype=x.dtype),
                                                   accumulate=True),
    }

    def run(L, name, p):
        x = L.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
        try:
            y = calls[name](L, x, p)
        except (RuntimeError, IndexError) as exc:
            return type(exc).__name__, str(exc)
        (y * L.tensor(np.arange(12.0).reshape(4, 3) + 1)).sum().backward()
        return y.tolist(), x.grad.tolist()

    for name in calls:
        for p in ([-1], [-3, 0], [-4, 2], [-5], [3, -1], [4], [0, 1]):
            assert run(ag, name, p) == run(torch, name, p), (name, p)
