"""Indexing that mixes integers with advanced indices, as PyTorch reads it (not numpy): an
integer (or a 0-d integer tensor) selects first, as a basic index, so the advanced indices'
block of dims stays in place when they are adjacent; an Ellipsis spanning no dim is no gap
between them; a list holding lists, Tensors, slices or None is a tuple of indices (PyTorch's
deprecated reading, with its warning). Expected values are hand-worked from ``arange``;
the torch_parity fuzz compares values, gradients and writes with PyTorch's."""

import random
import warnings

import numpy as np
import pytest

import autograd_core as ag

A = np.arange(24.0).reshape(2, 3, 4)


def test_an_integer_then_a_slice_then_a_list_keeps_the_list_s_dim_in_place():
    x = ag.tensor(A, requires_grad=True)
    y = x[0, :, [0, 1]]  # numpy's a[0, :, [0, 1]] is (2, 3): the list's dim first
    assert y.shape == (3, 2)
    assert y.tolist() == [[0.0, 1.0], [4.0, 5.0], [8.0, 9.0]]
    w = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    (y * ag.tensor(w)).sum().backward()
    want = np.zeros_like(A)
    want[0, :, :2] = w
    assert np.array_equal(x.grad.numpy(), want)


def test_a_0d_integer_tensor_is_an_integer():
    x = ag.tensor(A)
    assert x[ag.tensor(1), :, [3, 0]].tolist() == [[15.0, 12.0], [19.0, 16.0], [23.0, 20.0]]
    assert x[[0, 1], :, ag.tensor(2)].tolist() == [[2.0, 6.0, 10.0], [14.0, 18.0, 22.0]]


def test_a_0d_integer_tensor_index_alone_is_a_view():
    z = ag.zeros(3, 2)
    v = z[ag.tensor(1)]
    v.fill_(5.0)
    assert z.tolist() == [[0.0, 0.0], [5.0, 5.0], [0.0, 0.0]] and v._base is z


def test_setitem_writes_where_getitem_reads():
    z = ag.tensor(A.copy())
    z[0, :, [0, 1]] = ag.tensor([[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]], dtype=ag.float64)
    want = A.copy()
    want[0, :, 0], want[0, :, 1] = [10.0, 30.0, 50.0], [20.0, 40.0, 60.0]
    assert np.array_equal(z.numpy(), want)


def test_setitem_through_the_selection_reaches_the_gradient():
    x = ag.tensor(A, requires_grad=True)
    v = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=ag.float64, requires_grad=True)
    z = x * 1.0
    z[1, :, [2, 3]] = v * 2.0
    (z * ag.tensor(np.arange(24.0).reshape(2, 3, 4))).sum().backward()
    # v's gradient is 2 * the weights at z[1, j, [2, 3]]: 2 * [[14, 15], [18, 19], [22, 23]]
    assert v.grad.tolist() == [[28.0, 30.0], [36.0, 38.0], [44.0, 46.0]]
    want = np.arange(24.0).reshape(2, 3, 4)
    want[1, :, 2:] = 0.0  # overwritten
    assert np.array_equal(x.grad.numpy(), want)


def test_four_dims_and_an_ellipsis_that_spans_nothing():
    b = ag.tensor(np.arange(120.0).reshape(2, 3, 4, 5))
    assert b[:, [0, 1], :, 0].shape == (2, 2, 4)  # numpy: (2, 2, 4) with the list's dim first
    assert b[:, [0, 1], :, 0][1, 0].tolist() == [60.0, 65.0, 70.0, 75.0]  # b[1, 0, :, 0]
    c = ag.tensor(np.arange(36.0).reshape(3, 3, 4))
    y = c[:, [0, 2], ..., [1, 3]]  # the Ellipsis spans no dim: the two lists are adjacent
    assert y.shape == (3, 2)
    assert y.tolist() == [[1.0, 11.0], [13.0, 23.0], [25.0, 35.0]]


def test_a_list_of_sequences_is_a_tuple_with_pytorch_s_warning():
    x = ag.tensor(np.arange(12.0).reshape(3, 4))
    with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional"):
        assert x[[[0, 1], [1, 2]]].tolist() == [1.0, 6.0]
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert x[[ag.tensor(0), ag.tensor(2)]].item() == 2.0
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert x[[slice(0, 2), 1]].tolist() == [1.0, 5.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a list of numbers is one integer index: no warning
        assert x[[0, 2]].tolist() == [[0.0, 1.0, 2.0, 3.0], [8.0, 9.0, 10.0, 11.0]]
    z = ag.zeros(3, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        z[[[0, 1], [1, 2]]] = 5.0
    assert [r.tolist() for r in z.numpy().nonzero()] == [[0, 1], [1, 2]]


def _random_index(rng, shape, lib):
    items, used, ellipsis = [], 0, False
    while used < len(shape) and rng.random() < 0.85:
        r = rng.random()
        if r < 0.25:
            items.append(rng.randrange(-shape[used], shape[used]))
            used += 1
        elif r < 0.35:
            items.append(lib.tensor(rng.randrange(shape[used])))
            used += 1
        elif r < 0.55:
            items.append(lib.tensor([rng.randrange(shape[used]) for _ in range(rng.randint(1, 3))]))
            used += 1
        elif r < 0.62 and used + 1 < len(shape):
            mask = np.array([[rng.random() > 0.4 for _ in range(shape[used + 1])]
                             for _ in range(shape[used])])
            items.append(lib.tensor(mask))
            used += 2
        elif r < 0.8:
            items.append(rng.choice([slice(None), slice(1, None), slice(None, None, 2)]))
            used += 1
        elif r < 0.9:
            items.append(None)
        elif not ellipsis:
            items.append(Ellipsis)
            ellipsis = True
    return tuple(items)


@pytest.mark.torch_parity
def test_mixed_indices_read_write_and_differentiate_as_pytorch():
    torch = pytest.importorskip("torch")
    compared = 0
    for seed in range(400):
        shape = tuple(random.Random(seed).randint(1, 3) for _ in range(random.Random(-seed)
                                                                        .randint(1, 5)))
        a = np.random.default_rng(seed).standard_normal(shape)
        results = []
        for lib in (torch, ag):
            index = _random_index(random.Random(seed), shape, lib)
            x = lib.tensor(a, requires_grad=True)
            try:
                y = x[index]
            except IndexError:
                results.append(None)
                continue
            w = lib.tensor(np.arange(float(y.numel())).reshape(tuple(y.shape)))
            (y * w).sum().backward()
            z = lib.tensor(a.copy())
            z[index] = w * 10.0
            results.append((y.detach().numpy(), x.grad.numpy(), z.numpy()))
        theirs, ours = results
        assert (theirs is None) == (ours is None), (seed, shape)
        if theirs is None:
            continue
        compared += 1
        for t, o in zip(theirs, ours):
            assert t.shape == o.shape and np.array_equal(t, o), (seed, shape)
    assert compared > 250
