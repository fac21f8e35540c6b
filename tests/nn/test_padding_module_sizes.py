"""The padding modules take one size as a numpy integer, as PyTorch's do (a size computed
with numpy, ``nn.ZeroPad2d(np.int64(1))``): they raised "'numpy.int64' object is not
iterable". The result is the padding given as a Python int, a hand-checkable shape and border."""

import numpy as np
import pytest

import autograd_core as ag
import nn

MODULES = [(nn.ZeroPad1d, 1), (nn.ZeroPad2d, 2), (nn.ZeroPad3d, 3), (nn.ReflectionPad1d, 1),
           (nn.ReflectionPad2d, 2), (nn.ReplicationPad1d, 1), (nn.ReplicationPad2d, 2),
           (nn.CircularPad1d, 1), (nn.CircularPad2d, 2)]


@pytest.mark.parametrize("cls, dims", MODULES, ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("size", [np.int64(1), np.int32(2)], ids=["int64", "int32"])
def test_a_numpy_integer_size_pads_every_side(cls, dims, size):
    x = ag.arange(1.0, 1.0 + 3 ** (dims + 1)).reshape((3,) * (dims + 1))  # (C, *spatial)
    module = cls(size)
    assert module.padding == (int(size),) * (2 * dims)
    assert all(type(p) is int for p in module.padding)
    out = module(x)
    assert out.shape == (3,) + (3 + 2 * int(size),) * dims
    assert ag.equal(out, cls(int(size))(x))


def test_constant_pad_takes_a_numpy_integer_size():
    out = nn.ConstantPad1d(np.int64(1), 0.5)(ag.ones(2, 3))
    assert out.shape == (2, 5) and out[:, 0].tolist() == [0.5, 0.5] and out[:, 1].tolist() == [1, 1]
