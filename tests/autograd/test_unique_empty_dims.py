"""``unique(dim=)`` / ``unique_consecutive(dim=)`` of empty tensors: the empty result when the
selected dim is the zero-sized one, PyTorch's refusals otherwise (both crashed with numpy's
reshape error, or returned a made-up run)."""

import numpy as np
import pytest

import autograd_core as ag

FNS = ["unique", "unique_consecutive"]


@pytest.mark.parametrize("fn", FNS)
@pytest.mark.parametrize("shape,dim", [((0,), 0), ((0, 2), 0), ((2, 0), -1), ((2, 0, 3), 1)])
def test_selected_empty_dim_gives_empty(fn, shape, dim):
    x = ag.zeros(*shape)
    values, inverse, counts = getattr(ag, fn)(x, return_inverse=True, return_counts=True,
                                              dim=dim)
    assert tuple(values.shape) == shape
    assert tuple(inverse.shape) == (0,) and tuple(counts.shape) == (0,)
    assert inverse.dtype == counts.dtype == ag.int64


@pytest.mark.parametrize("fn", FNS)
@pytest.mark.parametrize("shape,dim", [((0, 2), 1), ((2, 0), 0), ((2, 0, 3), 2)])
def test_other_empty_dim_refused(fn, shape, dim):
    with pytest.raises(RuntimeError, match="aren't selected, so unique cannot be applied"):
        getattr(ag, fn)(ag.zeros(*shape), dim=dim)


@pytest.mark.parametrize("fn", FNS)
def test_two_empty_dims_refused(fn):
    with pytest.raises(RuntimeError, match="more than one, so unique cannot be applied"):
        getattr(ag, fn)(ag.zeros(0, 0), dim=0)


@pytest.mark.parametrize("fn", FNS)
def test_nonempty_unchanged(fn):
    x = ag.tensor([[1, 2], [1, 2], [3, 4]])
    values, inverse, counts = getattr(ag, fn)(x, return_inverse=True, return_counts=True, dim=0)
    assert values.tolist() == [[1, 2], [3, 4]]
    assert inverse.tolist() == [0, 0, 1] and counts.tolist() == [2, 1]


@pytest.mark.torch_parity
@pytest.mark.parametrize("fn", FNS)
def test_empty_dims_as_torch(fn):
    torch = pytest.importorskip("torch")
    for shape in [(0,), (0, 2), (2, 0), (2, 0, 3), (0, 0)]:
        for dim in [None, *range(-len(shape), len(shape))]:
            got = []
            for lib in (ag, torch):
                try:
                    out = getattr(lib, fn)(lib.zeros(shape), return_inverse=True,
                                           return_counts=True, dim=dim)
                    got.append([(tuple(o.shape), o.tolist()) for o in out])
                except RuntimeError as e:
                    got.append(str(e).strip())
            assert got[0] == got[1], (shape, dim)
    assert np.array_equal(getattr(ag, fn)(ag.zeros(2, 0), dim=1).numpy(), np.zeros((2, 0)))


@pytest.mark.parametrize("call,what,node", [
    (lambda x: ag.unique(x), "_unique2", "Unique2Backward0"),
    (lambda x: ag.unique(x, dim=0, return_counts=True)[0], "unique_dim", "UniqueDimBackward0"),
    (lambda x: ag.unique_consecutive(x), "unique_consecutive", "UniqueConsecutiveBackward0"),
    (lambda x: ag.unique_consecutive(x, dim=1, return_inverse=True)[0], "unique_consecutive",
     "UniqueConsecutiveBackward0"),
    (lambda x: ag.unique(ag.zeros((0, 3), requires_grad=True), dim=0), "unique_dim",
     "UniqueDimBackward0")])
def test_values_require_grad_and_refuse_backward(call, what, node):
    # PyTorch records the values with a node whose backward raises (they were plain tensors,
    # so requires_grad read False and backward said "does not require grad")
    values = call(ag.tensor([[1.0, 1.0], [2.0, 2.0]], requires_grad=True))
    assert values.requires_grad and values.grad_fn.name() == node
    with pytest.raises(NotImplementedError, match=f"the derivative for '{what}' is not "
                                                  "implemented."):
        values.sum().backward()
    assert not ag.unique(ag.tensor([[1.0, 2.0]])).requires_grad
