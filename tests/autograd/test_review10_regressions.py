"""Regressions found reviewing the tenth session's changes (scatter_reduce's edges)."""

import numpy as np
import pytest

import autograd_core as ag


def test_scatter_reduce_amax_amin_without_self_start_from_the_dtype_extremes():
    # an entry that takes no part starts at the reduction's identity: bool amax started at
    # True (-1 cast to bool), so False values gave True; uint8 raised OverflowError (-255)
    b = ag.tensor([True, False])
    got = b.scatter_reduce(0, ag.tensor([0, 1]), ag.tensor([False, False]), "amax",
                           include_self=False)
    assert got.tolist() == [False, False]
    got = b.scatter_reduce(0, ag.tensor([1]), ag.tensor([True]), "amin", include_self=False)
    assert got.tolist() == [True, True]
    u = ag.tensor([200, 3], dtype=ag.uint8)
    got = u.scatter_reduce(0, ag.tensor([0, 1]), ag.tensor([5, 7], dtype=ag.uint8), "amax",
                           include_self=False)
    assert got.tolist() == [5, 7] and got.dtype == ag.uint8
    i = ag.tensor([-2 ** 63, 3])  # int64's lowest is -2**63, not -(2**63 - 1)
    got = i.scatter_reduce(0, ag.tensor([0]), ag.tensor([-2 ** 63]), "amax", include_self=False)
    assert got.tolist() == [-2 ** 63, 3]


def test_scatter_reduce_0d_input_index_and_src_count_as_one_element():
    # PyTorch takes a 0-d input, index and src as one element each (2 * 3 = 6, d/dx = 3)
    x = ag.tensor(2.0, requires_grad=True)
    s = ag.tensor(3.0, requires_grad=True)
    y = x.scatter_reduce(0, ag.tensor(0), s, "prod")
    assert y.shape == () and y.item() == 6.0
    y.backward()
    assert x.grad.item() == 3.0 and s.grad.item() == 2.0
    assert ag.tensor(2.0).scatter_reduce(0, ag.tensor([0, 0]), ag.tensor([3.0, 1.0]),
                                         "sum").item() == 6.0
    got = ag.tensor([1.0, 2.0]).scatter_reduce(0, ag.tensor(1), ag.tensor(3.0), "amax",
                                               include_self=False)
    assert got.tolist() == [1.0, 3.0]


def test_scatter_reduce_inplace_refuses_a_src_sharing_its_memory():
    # PyTorch's scatter_reduce_ refuses any overlap of src with self (as scatter_); computed
    # as from a copy it gave [[4, 6, 2], [3, 4, 5]] silently
    x = ag.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match="refer to a single memory location"):
        x.scatter_reduce_(1, ag.tensor([[0, 1]]), x[1:, 1:], "sum")
    np.testing.assert_array_equal(x.numpy(), np.arange(6.0).reshape(2, 3))  # nothing written
    x.scatter_reduce_(1, ag.tensor([[0, 1]]), x[1:, 1:].clone(), "sum")
    np.testing.assert_array_equal(x.numpy(), [[4.0, 6.0, 2.0], [3.0, 4.0, 5.0]])


def test_scatter_reduce_dtype_mismatch_in_pytorchs_words():
    with pytest.raises(RuntimeError, match=r"^scatter\(\): Expected self.dtype to be equal to "
                                           "src.dtype"):
        ag.tensor([1.0, 2.0]).scatter_reduce(0, ag.tensor([0, 1]), ag.tensor([1, 2]), "sum")
