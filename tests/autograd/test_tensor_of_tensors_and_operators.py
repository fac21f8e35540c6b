"""Tensor construction and Python operators as PyTorch's (found by a differential run of
tensor-API one-liners against torch 2.13; expectations are PyTorch's documented rules)."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.parametrize("data, dtype, shape", [
    # Tensors in a list are numbers: a 1-element tensor of any shape is one (it was kept as
    # a (1,) row: shape (2, 1)), and the dtype is the promotion of the elements' own
    (lambda: [ag.tensor([1.0]), ag.tensor([2.0])], ag.float32, (2,)),
    (lambda: [ag.ones(1, 1), ag.ones(1, 1)], ag.float32, (2,)),
    (lambda: [[ag.ones(1)], [2.0]], ag.float32, (2, 1)),
    (lambda: [ag.tensor(1), 2.5], ag.float32, (2,)),  # int64 tensor, Python float: float32
    (lambda: [ag.tensor(1, dtype=ag.float64), 2.5], ag.float64, (2,)),
    (lambda: [ag.tensor(1, dtype=ag.int8), 2], ag.int64, (2,)),  # a Python int is int64
    (lambda: [ag.tensor(1, dtype=ag.int8), ag.tensor(2, dtype=ag.int16)], ag.int16, (2,)),
    (lambda: [ag.tensor(1, dtype=ag.uint8), ag.tensor(-1, dtype=ag.int8)], ag.int16, (2,)),
    (lambda: [ag.tensor(1.5, dtype=ag.float16), 2], ag.float16, (2,)),
    (lambda: [ag.tensor(1.5, dtype=ag.float16), 2.5], ag.float32, (2,)),
    (lambda: [ag.tensor(True), 2], ag.int64, (2,)),
    (lambda: [ag.tensor(2.5), 1j], ag.complex64, (2,)),
    (lambda: [[1, 2], [ag.tensor(3), 4]], ag.int64, (2, 2)),
])
def test_tensors_inside_a_list_are_numbers_of_their_own_dtype(data, dtype, shape):
    t = ag.tensor(data())
    assert t.dtype == dtype and tuple(t.shape) == shape


def test_a_tensor_of_several_elements_inside_a_list_is_refused():
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python "
                       "scalars"):
        ag.tensor([ag.ones(2), ag.ones(2)])  # (stack them)


def test_none_and_ints_beyond_int64_are_refused_with_pytorchs_words():
    with pytest.raises(RuntimeError, match="^Could not infer dtype of NoneType$"):
        ag.tensor([1.0, None])
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        ag.tensor([2**63])  # numpy made it uint64, silently
    assert ag.tensor([np.uint64(2**63)]).dtype == ag.uint64  # numpy's own uint64: kept
    assert ag.tensor([2**63 - 1, -2**63]).dtype == ag.int64


def test_comparing_with_none_is_pythons_identity_not_a_mask():
    x = ag.ones(2, 3)
    assert (x == None) is False  # noqa: E711 - the comparison under test
    assert (x != None) is True  # noqa: E711
    assert x is not None and x in [None, x]  # list membership asks == None first


def test_operator_invert_of_a_float_tensor_is_a_type_error():
    with pytest.raises(TypeError, match=r"^~ \(operator.invert\) is only implemented on "
                       "integer and Boolean-type tensors$"):
        ~ag.ones(2)
    assert (~ag.tensor([True, False])).tolist() == [False, True]
    assert (~ag.tensor([5])).tolist() == [-6]


def test_matmul_of_0d_words_it_as_pytorch():
    with pytest.raises(RuntimeError, match="^both arguments to matmul need to be at least 1D, "
                       "but they are 0D and 1D$"):
        ag.tensor(2.0) @ ag.ones(3)


def test_numpy_force_detaches():
    x = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        x.numpy()
    a = x.numpy(force=True)
    a[0] = 5.0  # the memory is shared, as PyTorch's on the CPU
    assert x.tolist() == [5.0, 1.0]
