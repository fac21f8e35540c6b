"""Tensor factories with PyTorch's signatures and dtype rules: Python floats become float32 (the
default dtype), Python ints int64, bools bool; a numpy array keeps its dtype.

Every factory takes ``device=`` (only the CPU exists: ``"cpu"``, ``"cpu:0"``, a ``device``;
CUDA/MPS raise PyTorch's error) and the random ones ``generator=`` (an
``autograd_core.Generator``; the default generator when None). Not supported, on purpose:
``out=``, ``layout=`` and ``pin_memory=`` (one layout, no pinned memory).
"""

from __future__ import annotations

import numpy as np

from autograd_core import random as _random
from autograd_core import tensor as _tensor_module
from autograd_core.device import check_device
from autograd_core.tensor import Tensor

DType = _tensor_module.DType
float16 = DType(np.float16)
float32 = DType(np.float32)
float64 = DType(np.float64)
double = float64
half = float16
float = float32  # noqa: A001 (torch.float)
int8 = DType(np.int8)
int16 = DType(np.int16)
int32 = DType(np.int32)
int64 = DType(np.int64)
long = int64
int = int32  # noqa: A001 (torch.int)
short = int16
uint8 = DType(np.uint8)
bool = DType(np.bool_)  # noqa: A001 (torch.bool)
complex64 = DType(np.complex64)
complex128 = DType(np.complex128)
cfloat = complex64
cdouble = complex128

_builtin_int = type(0)
_builtin_bool = type(True)


def get_default_dtype():
    """The dtype of Python floats and of float factories without ``dtype=`` (float32)."""
    return DType(_tensor_module.DEFAULT_DTYPE[0])


def set_default_dtype(d):
    """Set the default floating point dtype (float16, float32 or float64)."""
    d = np.dtype(d)
    if d.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _tensor_module.DEFAULT_DTYPE[0] = d


def _dtype(dtype):
    return None if dtype is None else np.dtype(dtype)


def _float_dtype(dtype):
    return np.dtype(dtype) if dtype is not None else _tensor_module.DEFAULT_DTYPE[0]


def _from_python(data):
    arr = np.asarray(data)
    if arr.dtype == np.float64:
        arr = arr.astype(get_default_dtype())
    elif arr.dtype.kind == "O":
        raise TypeError(f"tensor(): cannot make a tensor from {type(data).__name__} objects")
    return arr


def tensor(data, *, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors)."""
    check_device(device, "tensor")
    if isinstance(data, Tensor):
        arr = np.array(data._data, dtype=_dtype(dtype), copy=True)
    elif isinstance(data, np.ndarray):
        arr = np.array(data, dtype=_dtype(dtype), copy=True)
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        arr = np.array([np.asarray(d._data if isinstance(d, Tensor) else d) for d in data],
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


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a Tensor or ndarray of the right dtype."""
    check_device(device, "as_tensor")
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
        if isinstance(s, Tensor) and s._data.ndim == 0 and s._data.dtype.kind in "iu":
            continue
        if not isinstance(s, (_builtin_int, np.integer)) or isinstance(s, _builtin_bool) \
                or s < 0:
            raise ValueError(f"sizes must be non-negative integers, got {tuple(size)}")
    return tuple(_builtin_int(s) for s in size)


def _make(arr, requires_grad):
    return Tensor(arr, requires_grad=requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros of shape ``size``."""
    check_device(device, "zeros")
    return _make(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of ones of shape ``size``."""
    check_device(device, "ones")
    return _make(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """An uninitialised tensor of shape ``size``."""
    check_device(device, "empty")
    return _make(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of shape ``size`` filled with ``fill_value`` (its dtype by PyTorch's rules)."""
    check_device(device, "full")
    if dtype is None:
        dtype = _from_python(fill_value).dtype
    return _make(np.full(_size((size,)), fill_value, dtype=np.dtype(dtype)), requires_grad)


def _like_shape(input):
    return np.shape(getattr(input, "_data", input))


def zeros_like(input, *, dtype=None, device=None, requires_grad=False):
    """Zeros of ``input``'s shape and (by default) dtype."""
    check_device(device, "zeros_like")
    return _make(np.zeros(_like_shape(input), dtype=_dtype(dtype) or input.dtype), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False):
    """Ones of ``input``'s shape and (by default) dtype."""
    check_device(device, "ones_like")
    return _make(np.ones(_like_shape(input), dtype=_dtype(dtype) or input.dtype), requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    """``fill_value`` in ``input``'s shape and (by default) dtype."""
    check_device(device, "full_like")
    return _make(np.full(input.shape, fill_value, dtype=_dtype(dtype) or input.dtype),
                 requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False):
    """Uninitialised, of ``input``'s shape and (by default) dtype."""
    check_device(device, "empty_like")
    return _make(np.empty(input.shape, dtype=_dtype(dtype) or input.dtype), requires_grad)


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """``[start, end)`` in steps of ``step`` (``arange(end)`` starts at 0)."""
    check_device(device, "arange")
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, (_builtin_int, np.integer)) for v in (start, end, step))
        dtype = int64 if ints else get_default_dtype()
    return _make(np.arange(start, end, step, dtype=np.dtype(dtype)), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    check_device(device, "linspace")
    return _make(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The ``n x m`` identity matrix."""
    check_device(device, "eye")
    return _make(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


# ---- random ----------------------------------------------------------------------------------
def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples of shape ``size``."""
    check_device(device, "randn")
    arr = _random.generator(generator, "randn").standard_normal(_size(size))
    return _make(arr.astype(_float_dtype(dtype)), requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in ``[0, 1)`` of shape ``size``."""
    check_device(device, "rand")
    arr = _random.generator(generator, "rand").random(_size(size))
    return _make(arr.astype(_float_dtype(dtype)), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Integers drawn uniformly from ``[low, high)``, of shape ``size``.

    PyTorch's two forms: ``randint(high, size)`` and ``randint(low, high, size)``.
    """
    check_device(device, "randint")
    if size is None:
        if high is None or not isinstance(high, (tuple, list, Size)):
            raise TypeError("randint() missing required argument 'size' (call it as "
                            "randint(high, size) or randint(low, high, size), size a tuple)")
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    low, high = _builtin_int(low), _builtin_int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    arr = _random.generator(generator, "randint").integers(low, high, size=_size((size,)))
    return _make(arr.astype(_dtype(dtype) or int64), requires_grad)


def randperm(n, *, generator=None, dtype=int64, device=None, requires_grad=False):
    """A random permutation of ``0 .. n-1``."""
    check_device(device, "randperm")
    if isinstance(n, _builtin_bool) or not isinstance(n, (_builtin_int, np.integer)) or n < 0:
        raise RuntimeError(f"randperm: n must be a non-negative int, got {n!r}")
    arr = _random.generator(generator, "randperm").permutation(_builtin_int(n))
    return _make(arr.astype(_dtype(dtype) or int64), requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    """Standard normal samples of ``input``'s shape and (by default) dtype."""
    return randn(input.shape, dtype=dtype or input.dtype, device=device,
                 requires_grad=requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    """Uniform ``[0, 1)`` samples of ``input``'s shape and (by default) dtype."""
    return rand(input.shape, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    """``randint`` of ``input``'s shape and (by default) dtype."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device,
                   requires_grad=requires_grad)


def _probabilities(input, where):
    if not isinstance(input, Tensor):
        raise TypeError(f"{where}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    p = input._data
    if p.dtype.kind != "f":
        raise RuntimeError(f"{where} only supports floating-point dtypes for input, got: "
                           f"{p.dtype}")
    return p


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn from the categorical distribution(s) with weights ``input`` (1-d, or 2-d:
    one distribution per row), ``num_samples`` per distribution, int64.

    Without replacement each index is drawn at most once (an index of weight 0 only after all
    others); ``num_samples`` may not exceed the number of categories.
    """
    p = _probabilities(input, "multinomial")
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if isinstance(num_samples, _builtin_bool) or not isinstance(num_samples,
                                                                (_builtin_int, np.integer)):
        raise TypeError(f"multinomial(): argument 'num_samples' must be int, not "
                        f"{type(num_samples).__name__}")
    n_cat = p.shape[-1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rows = p.reshape(-1, n_cat).astype(np.float64)
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    total = rows.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _random.generator(generator, "multinomial")
    if replacement:
        cdf = np.cumsum(rows / total, axis=1)
        cdf[:, -1] = 1.0
        u = rng.random((rows.shape[0], num_samples))
        out = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
        out = np.minimum(out, n_cat - 1)
    else:
        # an exponential race: the category with the smallest E/p arrives first; drawing the
        # k first arrivals is sampling k categories without replacement with weights p
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(rows.shape) / rows
        out = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    out = out.astype(np.int64)
    return Tensor(out.reshape(p.shape[:-1] + (num_samples,)))


def bernoulli(input, *, generator=None):
    """0/1 samples, 1 with probability ``input`` (elementwise), in ``input``'s dtype."""
    p = _probabilities(input, "bernoulli")
    if np.any(~((p >= 0) & (p <= 1))):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = _random.generator(generator, "bernoulli").random(p.shape)
    return Tensor((u < p).astype(p.dtype))


# ---- PyTorch's legacy typed constructors -----------------------------------------------------
class _LegacyTensorType(type):
    """``FloatTensor`` & co: ``FloatTensor(data)`` copies ``data`` as that dtype,
    ``FloatTensor(2, 3)`` makes a zero tensor of that shape (PyTorch leaves it uninitialised);
    ``isinstance(t, FloatTensor)`` is True for a float32 Tensor."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype

    def __call__(cls, *args, device=None):
        check_device(device, cls.__name__)
        if not args:
            return Tensor(np.zeros((0,), dtype=cls.dtype))
        if all(isinstance(a, (_builtin_int, np.integer)) and not isinstance(a, _builtin_bool)
               for a in args):
            return Tensor(np.zeros(_size(args), dtype=cls.dtype))
        if len(args) == 1 and isinstance(args[0], Size):
            return Tensor(np.zeros(tuple(args[0]), dtype=cls.dtype))
        if len(args) != 1:
            raise TypeError(f"{cls.__name__}(): expected sizes (ints) or one sequence of data, "
                            f"got {len(args)} arguments")
        return tensor(args[0], dtype=cls.dtype)

    def __repr__(cls):
        return f"<class 'autograd_core.{cls.__name__}'>"


Size = _tensor_module.Size


def _legacy(name, dt):
    return _LegacyTensorType(name, (), {"dtype": np.dtype(dt), "__module__": "autograd_core",
                                        "__doc__": f"A {np.dtype(dt).name} tensor "
                                        "(PyTorch's legacy constructor)."})


FloatTensor = _legacy("FloatTensor", np.float32)
DoubleTensor = _legacy("DoubleTensor", np.float64)
HalfTensor = _legacy("HalfTensor", np.float16)
LongTensor = _legacy("LongTensor", np.int64)
IntTensor = _legacy("IntTensor", np.int32)
ShortTensor = _legacy("ShortTensor", np.int16)
CharTensor = _legacy("CharTensor", np.int8)
ByteTensor = _legacy("ByteTensor", np.uint8)
BoolTensor = _legacy("BoolTensor", np.bool_)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False):
    """Normal samples ``mean + std * N(0, 1)``: with Tensor ``mean``/``std`` of their broadcast
    shape (differentiable in them, as PyTorch), else of shape ``size``."""
    check_device(device, "normal")
    rng = _random.generator(generator, "normal")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        shape = np.broadcast_shapes(np.shape(getattr(mean, "_data", mean)),
                                    np.shape(getattr(std, "_data", std)))
        kinds = [x.dtype for x in (mean, std) if isinstance(x, Tensor)]
        dt = np.result_type(*[np.dtype(getattr(k, "dtype", k)) for k in kinds])
        noise = Tensor(rng.standard_normal(shape).astype(dt))
        return noise * std + mean
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: with a float "
                        "mean and std, give size")
    arr = rng.normal(mean, std, _size((size,)))
    return _make(arr.astype(_float_dtype(dtype)), requires_grad)


def set_default_device(device):
    """Only the CPU exists here: ``"cpu"`` is accepted (and is already the default); asking for
    another device raises the same clear error as ``device=`` does."""
    check_device(device, "set_default_device")
