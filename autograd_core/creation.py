"""Tensor factories with PyTorch's dtype rules: Python floats become float32 (the default
dtype), Python ints int64, bools bool; a numpy array keeps its dtype."""

from __future__ import annotations

import numpy as np

from autograd_core import random as _random
from autograd_core.tensor import Tensor

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
double = float64
half = float16
float = float32  # noqa: A001 (torch.float)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
long = int64
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)  # noqa: A001 (torch.bool)

_default_dtype = float32


def get_default_dtype():
    return _default_dtype


def set_default_dtype(dtype):
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating point types are supported, got {dtype}")
    _default_dtype = dtype


def _dtype(dtype):
    return None if dtype is None else np.dtype(dtype)


def _from_python(data):
    arr = np.asarray(data)
    if arr.dtype == np.float64:
        arr = arr.astype(_default_dtype)
    elif arr.dtype.kind == "O":
        raise TypeError(f"tensor(): cannot make a tensor from {type(data).__name__} objects")
    return arr


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors)."""
    if isinstance(data, Tensor):
        arr = np.array(data.data, dtype=_dtype(dtype), copy=True)
    elif isinstance(data, np.ndarray):
        arr = np.array(data, dtype=_dtype(dtype), copy=True)
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        arr = np.array([np.asarray(d.data if isinstance(d, Tensor) else d) for d in data],
                       dtype=_dtype(dtype))
    elif isinstance(data, np.generic):
        arr = np.array(data, dtype=_dtype(dtype))
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        arr = _from_python(data) if dtype is None else np.array(data, dtype=np.dtype(dtype))
    if arr.dtype.kind not in "biufc":  # strings, objects, datetimes: not numbers
        raise TypeError(
            f"tensor(): cannot make a tensor of numpy dtype {arr.dtype} (kind '{arr.dtype.kind}'); "
            "only bool, integer, floating point and complex data can be held"
        )
    return Tensor(arr, requires_grad=requires_grad)


def as_tensor(data, dtype=None):
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray):
        return Tensor(data if dtype is None else data.astype(dtype, copy=False))
    return tensor(data, dtype=dtype)


def from_numpy(arr):
    """A tensor sharing memory with ``arr`` (as torch.from_numpy)."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(arr).__name__}")
    return Tensor(arr)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"sizes must be non-negative integers, got {tuple(size)}")
    return tuple(int(s) for s in size)


def _make(arr, requires_grad):
    return Tensor(arr, requires_grad=requires_grad)


def zeros(*size, dtype=None, requires_grad=False):
    return _make(np.zeros(_size(size), dtype=_dtype(dtype) or _default_dtype), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _make(np.ones(_size(size), dtype=_dtype(dtype) or _default_dtype), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    return _make(np.empty(_size(size), dtype=_dtype(dtype) or _default_dtype), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    if dtype is None:
        dtype = _from_python(fill_value).dtype
    return _make(np.full(_size((size,)), fill_value, dtype=np.dtype(dtype)), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return _make(np.zeros(np.shape(getattr(t, "data", t)), dtype=_dtype(dtype) or t.dtype),
                 requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return _make(np.ones(np.shape(getattr(t, "data", t)), dtype=_dtype(dtype) or t.dtype),
                 requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False):
    return _make(np.full(t.shape, fill_value, dtype=_dtype(dtype) or t.dtype), requires_grad)


def empty_like(t, dtype=None, requires_grad=False):
    return _make(np.empty(t.shape, dtype=_dtype(dtype) or t.dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if ints else _default_dtype
    return _make(np.arange(start, end, step, dtype=np.dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    return _make(np.linspace(start, end, steps, dtype=_dtype(dtype) or _default_dtype),
                 requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _make(np.eye(n, m, dtype=_dtype(dtype) or _default_dtype), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    arr = _random.generator().standard_normal(_size(size))
    return _make(arr.astype(_dtype(dtype) or _default_dtype), requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    arr = _random.generator().random(_size(size))
    return _make(arr.astype(_dtype(dtype) or _default_dtype), requires_grad)


def randint(low, high=None, size=(), dtype=None):
    if high is None:
        low, high = 0, low
    arr = _random.generator().integers(low, high, size=_size((size,)))
    return _make(arr.astype(_dtype(dtype) or int64), False)


def randperm(n, dtype=None):
    return _make(_random.generator().permutation(n).astype(_dtype(dtype) or int64), False)


def randn_like(t, dtype=None, requires_grad=False):
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def rand_like(t, dtype=None, requires_grad=False):
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)
