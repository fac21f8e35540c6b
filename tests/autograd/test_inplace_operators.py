"""``a %= b``, ``a **= b``, ``a &= b``, ``a |= b``, ``a ^= b`` write in place, as PyTorch's (they
built a new tensor and rebound the name: a view of ``a`` kept the old values, silently);
``x in t`` and ``reversed(t)`` as PyTorch's (missing10 found them). Worked by hand."""

import pytest

import autograd_core as ag


def test_augmented_assignments_write_through_views():
    a = ag.tensor([5, 6, 7])
    view = a[:2]
    a %= 4
    assert view.tolist() == [1, 2]
    b = ag.tensor([5.0, 6.0])
    first = b[:1]
    b **= 2
    assert first.tolist() == [25.0]
    c = ag.tensor([6, 3])
    alias = c[:]
    c &= 2
    assert alias.tolist() == [2, 2]
    c |= 1
    assert alias.tolist() == [3, 3]
    c ^= 1
    assert alias.tolist() == [2, 2]


def test_augmented_assignment_keeps_in_place_rules():
    leaf = ag.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf **= 2


def test_contains_and_reversed():
    m = ag.tensor([[1, 2], [3, 4]])
    assert 3 in m and 9 not in m and ag.tensor(2.0) in m
    with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
        "a" in m  # noqa: B015
    assert [t.item() for t in reversed(ag.tensor([1, 2, 3]))] == [3, 2, 1]
    assert reversed(ag.tensor(5)).item() == 5
