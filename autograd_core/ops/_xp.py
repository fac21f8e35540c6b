"""Functions that work on numpy arrays *and* Tensors, so one backward rule serves plain
backward (arrays, nothing recorded) and ``create_graph`` (Tensors, recorded)."""

from __future__ import annotations

import math

import numpy as np


_Tensor = None


def _T():
    global _Tensor
    if _Tensor is None:
        from autograd_core.tensor import Tensor

        _Tensor = Tensor
    return _Tensor


def is_tensor(x) -> bool:
    return isinstance(x, _Tensor or _T())


def where(cond, x, y):
    Tensor = _T()
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        from autograd_core.ops.binary import Where

        return Where.apply(cond, x, y)
    if isinstance(cond, Tensor):
        cond = cond.data
    return np.where(cond, x, y)


def exp(x):
    return x.exp() if is_tensor(x) else np.exp(x)


def log(x):
    return x.log() if is_tensor(x) else np.log(x)


def tanh(x):
    return x.tanh() if is_tensor(x) else np.tanh(x)


def sigmoid(x):
    if is_tensor(x):
        return x.sigmoid()
    from autograd_core import kernels as K

    return K.sigmoid_forward(np.asarray(x))


def broadcast_to(x, shape):
    if is_tensor(x):
        return x.expand(shape)
    if x.size == 1 and math.prod(shape) <= 65536:
        # np.broadcast_to costs microseconds of Python; for small results a fill is cheaper
        return np.full(shape, x.reshape(()), dtype=x.dtype)
    return np.broadcast_to(x, shape)


def permute(x, axes):
    return x.permute(axes) if is_tensor(x) else np.transpose(x, axes)


def swap_last(x):
    return x.transpose(-1, -2) if is_tensor(x) else np.swapaxes(x, -1, -2)


def matmul(a, b):
    if is_tensor(a) or is_tensor(b):
        from autograd_core.ops.linalg import matmul as mm

        return mm(a, b)
    return np.matmul(a, b)


def astype(x, dtype):
    return x.to(dtype) if is_tensor(x) else x.astype(dtype, copy=False)


def data(x):
    return x.data if is_tensor(x) else x
