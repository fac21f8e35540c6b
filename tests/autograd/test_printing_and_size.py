"""Printing and shapes as PyTorch users read them (issue 12 items 2 and 9): ag.Size, repr,
format() of 0-d tensors, dtype names, Tensor(list) and the FloatTensor-style constructors."""

import pickle

import numpy as np
import pytest

import autograd_core as ag


def test_shape_and_size_are_a_size():
    t = ag.zeros(2, 3)
    assert isinstance(t.shape, ag.Size) and isinstance(t.size(), ag.Size)
    assert t.shape == (2, 3) and t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert repr(t.shape) == "autograd_core.Size([2, 3])" == str(t.size())
    assert repr(ag.zeros(()).shape) == "autograd_core.Size([])"
    assert t.shape.numel() == 6 and ag.Size([]).numel() == 1 and ag.Size([4, 0]).numel() == 0
    assert isinstance(t.shape[1:], ag.Size) and t.shape[1:] == (3,)
    assert isinstance(t.shape + (4,), ag.Size) and (1,) + t.shape == (1, 2, 3)
    assert t.shape[0] == 2 and type(t.shape[0]) is int
    assert ag.zeros(t.shape).shape == (2, 3)  # a Size is a size argument
    assert pickle.loads(pickle.dumps(t.shape)) == t.shape
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(2)


def test_repr_like_pytorch():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(x.sum()) == "tensor(3., grad_fn=<SumBackward0>)"
    assert repr(ag.tensor([1.0, 2.0], dtype=ag.float64)) == \
        "tensor([1., 2.], dtype=autograd_core.float64)"
    assert repr(ag.tensor(3.5)) == "tensor(3.5000)"
    assert repr(ag.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ag.tensor([1, 2], dtype=ag.int32)) == "tensor([1, 2], dtype=autograd_core.int32)"
    assert repr(ag.tensor(True)) == "tensor(True)"
    assert repr(ag.zeros(0)) == "tensor([])"
    assert repr(ag.zeros(0, dtype=ag.int64)) == "tensor([], dtype=autograd_core.int64)"
    assert repr(ag.zeros(2, 0)) == "tensor([], size=(2, 0))"
    assert repr(ag.tensor([1e10, 1.0])) == "tensor([1.0000e+10, 1.0000e+00])"
    assert repr(ag.tensor([0.1, 0.25])) == "tensor([0.1000, 0.2500])"
    assert repr(ag.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"


def test_dtypes_print_with_the_package_name_and_stay_numpy_dtypes():
    assert str(ag.float32) == "autograd_core.float32" == repr(ag.zeros(1).dtype)
    assert str(ag.bool) == "autograd_core.bool" and str(ag.long) == "autograd_core.int64"
    d = ag.zeros(1).dtype
    assert d is ag.float32 and d == np.float32 and np.dtype(d) == np.dtype("float32")
    assert d != ag.float64 and d == "float32" and {np.dtype(np.float32): 1}[d] == 1
    assert np.zeros(2, dtype=ag.float64).dtype == np.float64 and np.finfo(d).bits == 32
    assert d.kind == "f" and d.itemsize == 4 and d.is_floating_point
    assert isinstance(d, ag.dtype)
    assert ag.get_default_dtype() is ag.float32


def test_zero_d_tensors_format_as_numbers():
    loss = ag.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and format(loss, ".2e") == "1.23e-01"
    assert f"{ag.tensor(7):d}" == "7" and f"{ag.tensor(7):>3}" == "  7"
    assert f"{ag.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        format(ag.tensor([1.0, 2.0]), ".2f")


def test_tensor_of_a_list_is_the_default_float_dtype():
    assert ag.Tensor([1, 2]).dtype == np.float32 and ag.Tensor([[1.5], [2]]).dtype == np.float32
    assert ag.Tensor((True, False)).dtype == np.float32


@pytest.mark.parametrize("arr", [np.arange(3.0), np.arange(3), np.array([True, False]),
                                 np.ones((2, 2), np.float16), np.array(2.5)])
def test_tensor_of_an_ndarray_is_the_default_float_dtype(arr):
    # torch.Tensor(np.zeros(3)) is float32 (the legacy constructor of the default dtype): an
    # RL or MDN program's torch.Tensor(state) feeds a float32 model (it kept float64 here)
    t = ag.Tensor(arr)
    assert t.dtype == np.float32 and t.shape == arr.shape
    np.testing.assert_array_equal(t.numpy(), arr.astype(np.float32))
    arr32 = np.arange(4.0, dtype=np.float32)  # an array of the default dtype is shared
    assert np.shares_memory(ag.Tensor(arr32).numpy(), arr32)
    ag.set_default_dtype(ag.float64)
    try:
        assert ag.Tensor(arr).dtype == np.float64
    finally:
        ag.set_default_dtype(ag.float32)


@pytest.mark.torch_parity
def test_tensor_of_an_ndarray_matches_torch():
    torch = pytest.importorskip("torch")
    for arr in [np.arange(3.0), np.arange(3), np.array([[1.5, 2.0]], np.float16)]:
        a, b = ag.Tensor(arr), torch.Tensor(arr)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("cls, dt", [
    (ag.FloatTensor, np.float32), (ag.DoubleTensor, np.float64), (ag.HalfTensor, np.float16),
    (ag.LongTensor, np.int64), (ag.IntTensor, np.int32), (ag.ShortTensor, np.int16),
    (ag.CharTensor, np.int8), (ag.ByteTensor, np.uint8), (ag.BoolTensor, np.bool_),
])
def test_legacy_typed_constructors(cls, dt):
    t = cls([1, 0, 1])
    assert t.dtype == dt and t.tolist() == np.array([1, 0, 1], dtype=dt).tolist()
    assert isinstance(t, cls) and isinstance(t, ag.Tensor)
    assert cls(2, 3).shape == (2, 3) and cls(2, 3).dtype == dt
    assert cls(ag.Size([4])).shape == (4,) and cls().shape == (0,)
    other = ag.FloatTensor if cls is not ag.FloatTensor else ag.DoubleTensor
    assert not isinstance(t, other)
    assert repr(cls) == f"<class 'autograd_core.{cls.__name__}'>"


@pytest.mark.torch_parity
def test_printing_matches_pytorch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda m: m.tensor([1.0, 2.0]), lambda m: m.tensor([0.1, 0.25]),
        lambda m: m.tensor(3.5), lambda m: m.tensor([1, 2]), lambda m: m.zeros(0),
        lambda m: m.zeros(2, 0), lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
        lambda m: m.tensor([1, 2], dtype=m.int32), lambda m: m.tensor([1e10, 1.0]),
        lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]), lambda m: m.tensor(True),
        lambda m: m.tensor([1.0, 2.0], requires_grad=True),
        lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
        lambda m: m.tensor([1.0, 2.0], requires_grad=True).sum(),
        lambda m: m.tensor([1.0, 2.0], requires_grad=True).to(m.float64),
    ]
    for make in cases:
        assert repr(make(ag)) == repr(make(torch)).replace("torch.", "autograd_core.")
    for shape in ((), (2,), (2, 3)):
        assert repr(ag.zeros(shape).shape) == repr(torch.zeros(shape).shape).replace(
            "torch.", "autograd_core.")
        assert ag.zeros(shape).shape.numel() == torch.zeros(shape).shape.numel()
    assert f"{ag.tensor(3.14159):.2f}" == f"{torch.tensor(3.14159):.2f}"
    for name in ("float32", "float64", "int64", "bool", "float16", "uint8"):
        assert str(getattr(ag, name)) == str(getattr(torch, name)).replace("torch.",
                                                                           "autograd_core.")
    assert ag.Tensor([1, 2]).dtype == np.float32 and torch.Tensor([1, 2]).dtype == torch.float32
    assert ag.LongTensor(2, 3).shape == tuple(torch.LongTensor(2, 3).shape)
