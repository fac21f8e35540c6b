"""Tensor factories with PyTorch's signatures and dtype rules: Python floats become float32 (the
default dtype), Python ints int64, bools bool; a numpy array keeps its dtype.

Every factory takes ``device=`` (only the CPU exists: ``"cpu"``, ``"cpu:0"``, a ``device``;
CUDA/MPS raise PyTorch's error) and the random ones ``generator=`` (an
``autograd_core.Generator``; the default generator when None). Not supported, on purpose:
``out=``, ``layout=`` and ``pin_memory=`` (one layout, no pinned memory).
"""

from __future__ import annotations

import builtins
import functools
import math
import numbers
import warnings
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar, Union

import numpy as np

from autograd_core import random as _random
from autograd_core._memory import own_extent
from autograd_core._quiet import quiet
from autograd_core import tensor as _tensor_module
from autograd_core.device import DeviceLike, check_device, check_memory_format, preserve_format
from autograd_core._casts import half_source, plain_number, type_name
from autograd_core.device import device as _device, memory_format as _memory_format
from autograd_core.grad_mode import no_grad
from autograd_core.random import Generator
from autograd_core.tensor import DTypeLike, Tensor

#: a shape: integers, or one sequence of them (``zeros(2, 3)`` or ``zeros((2, 3))``)
_Shape = Union[builtins.int, Sequence[builtins.int]]
_Number = Union[builtins.int, builtins.float, builtins.bool]

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
uint16 = DType(np.uint16)  # PyTorch's "barebones" unsigned dtypes (numpy has their ops)
uint32 = DType(np.uint32)
uint64 = DType(np.uint64)
bool = DType(np.bool_)  # noqa: A001 (torch.bool)
complex64 = DType(np.complex64)
complex128 = DType(np.complex128)
cfloat = complex64
cdouble = complex128


class _AbsentDType(DType):
    """A PyTorch dtype numpy has no type for (``bfloat16``): the name exists, so scripts that
    name it in a table or a comparison (nanoGPT's ``{'bfloat16': torch.bfloat16, ...}[dtype]``,
    ``x.dtype == torch.bfloat16``) run, and making a tensor of it raises a TypeError saying so."""

    __slots__ = ("_name", "_itemsize")
    _name: str
    _itemsize: builtins.int

    def __new__(cls, name: str, itemsize: builtins.int) -> _AbsentDType:
        inst = object.__new__(cls)
        inst._name, inst._itemsize = name, itemsize
        return inst

    @property  # type: ignore[override]
    def dtype(self) -> np.dtype:  # numpy reads .dtype wherever a dtype is expected
        raise TypeError(f"tapegrad has no {self._name} tensors (numpy has no {self._name} "
                        "type); use float32 or float16")

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"'{self!r}' has no attribute '{name}'")

    def __eq__(self, other: object) -> builtins.bool:
        return self is other

    def __ne__(self, other: object) -> builtins.bool:
        return self is not other

    def __hash__(self) -> builtins.int:
        return hash(self._name)

    is_floating_point = True  # type: ignore[assignment]
    is_complex = False  # type: ignore[assignment]
    is_signed = True  # type: ignore[assignment]

    @property
    def itemsize(self) -> builtins.int:
        return self._itemsize

    def __repr__(self) -> str:
        return f"autograd_core.{self._name}"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return format(self._name, format_spec)

    def __reduce__(self) -> str:  # type: ignore[override]
        return self._name  # pickled by name: this module's attribute


bfloat16 = _AbsentDType("bfloat16", 2)

_builtin_int = type(0)
_builtin_bool = type(True)
_builtin_float = type(0.0)


def get_default_dtype() -> DType:
    """Return the default floating point dtype (``float32`` unless changed).

    It is the dtype of Python floats given to ``tensor`` and of the float factories (``zeros``,
    ``randn``, ...) called without ``dtype=``.

    Example::

        >>> import autograd_core as ag
        >>> ag.get_default_dtype()
        autograd_core.float32
        >>> ag.tensor([1.5]).dtype
        autograd_core.float32
    """
    return DType(_tensor_module.DEFAULT_DTYPE[0])


def set_default_dtype(d: DTypeLike) -> None:
    """Set the default floating point dtype (float16, float32 or float64).

    Args:
        d (dtype): the new default; a non-float dtype raises ``TypeError``.

    Example::

        >>> import autograd_core as ag
        >>> ag.set_default_dtype(ag.float64)
        >>> ag.tensor([1.5]).dtype
        autograd_core.float64
        >>> ag.set_default_dtype(ag.float32)  # back to the default
    """
    d = np.dtype(d)
    if d.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _tensor_module.DEFAULT_DTYPE[0] = d


def _dtype(dtype: DTypeLike | None) -> np.dtype | None:
    return None if dtype is None else np.dtype(dtype)


def _float_dtype(dtype: DTypeLike | None) -> np.dtype:
    return np.dtype(dtype) if dtype is not None else _tensor_module.DEFAULT_DTYPE[0]


_array = quiet(np.array)  # a cast that overflows gives inf silently, as PyTorch


_PYTHON_NUMBERS = {builtins.float, builtins.int, builtins.bool, builtins.complex}


def _holds_double(data: Any) -> builtins.bool:
    """Whether nested ``data`` holds a numpy float64 or complex128 (a scalar or an array): its
    double precision is kept, as PyTorch's type inference keeps it (``[np.float64(1.0)]``)."""
    if isinstance(data, (np.generic, np.ndarray)):
        return data.dtype in (np.float64, np.complex128)
    if isinstance(data, (list, tuple)):
        kinds = set(map(type, data)) - _PYTHON_NUMBERS  # (at C speed)
        return builtins.bool(kinds) and any(_holds_double(d) for d in data if type(d) in kinds)
    return False


@quiet  # 1e300 made float32 is inf, without numpy's warning (PyTorch's)
def _from_python(data: Any) -> np.ndarray:
    arr = np.asarray(data)
    if arr.dtype.kind in "fc" and _holds_double(data):
        pass  # float64 / complex128, from numpy's double-precision numbers
    elif arr.dtype == np.float64:
        arr = arr.astype(get_default_dtype())
    elif arr.dtype == np.complex128 and get_default_dtype() == np.float32:
        arr = arr.astype(np.complex64)  # Python complex numbers: the default dtype's complex
    elif arr.dtype.kind == "O" or (arr.dtype == np.uint64 and not _holds_numpy(data)):
        _refuse_python(data)  # None, or an int beyond int64 (numpy made uint64 or objects)
    return arr


def _holds_numpy(data: Any) -> builtins.bool:
    """Whether nested ``data`` holds a numpy scalar or array."""
    if isinstance(data, (np.generic, np.ndarray)):
        return True
    if isinstance(data, (list, tuple)):
        kinds = set(map(type, data)) - _PYTHON_NUMBERS
        return builtins.bool(kinds) and any(_holds_numpy(d) for d in data if type(d) in kinds)
    return False


def _refuse_python(data: Any) -> None:
    """PyTorch's error for Python data that is no tensor of numbers: the first leaf that is not
    a number names its type; an int beyond int64 overflows (numpy would make it uint64)."""
    if isinstance(data, (list, tuple)):
        for d in data:
            _refuse_python(d)
        return
    if isinstance(data, builtins.int) and not -2**63 <= data < 2**63:
        raise ValueError("Overflow when unpacking long long")
    if not isinstance(data, numbers.Number):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _holds_tensor(data: Any) -> builtins.bool:
    """Whether nested lists/tuples ``data`` hold a Tensor (a walk at C speed per list)."""
    kinds = set(map(type, data))
    if any(issubclass(k, Tensor) for k in kinds):
        return True
    return (list in kinds or tuple in kinds) and any(
        _holds_tensor(d) for d in data if type(d) in (list, tuple))


def _tensor_sequence(data: Any, dtype: np.dtype | None) -> np.ndarray:
    """PyTorch's reading of nested sequences holding Tensors: each Tensor stands for one
    number (a 1-element one of any shape; more elements are refused, PyTorch's error: use
    ``stack``), and the dtype is the promotion of the elements' own: a Tensor's dtype, int64
    for a Python int, the default dtype for a float (``[tensor(1), 2.5]`` is float32, and
    ``[tensor([1.]), tensor([2.])]`` has shape (2,), as PyTorch's)."""
    from autograd_core.ops._args import promote_pair

    seen: set = set()
    default = get_default_dtype()

    def number(d: Any) -> Any:
        if isinstance(d, (list, tuple)):
            return [number(e) for e in d]
        if isinstance(d, Tensor):
            if d._data.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            seen.add(d._data.dtype)
            return d._data.reshape(()).item()
        if isinstance(d, (np.generic, np.ndarray)):
            seen.add(d.dtype)
        elif isinstance(d, builtins.bool):
            seen.add(np.dtype(np.bool_))
        elif isinstance(d, builtins.int):
            seen.add(np.dtype(np.int64))
        elif isinstance(d, builtins.float):
            seen.add(np.dtype(default))
        elif isinstance(d, builtins.complex):
            seen.add(np.dtype(np.complex128 if default == np.float64 else np.complex64))
        return d

    nested = number(data)
    if dtype is None:
        dtype = functools.reduce(promote_pair, seen)
    return _array(nested, dtype=dtype)


#: PyTorch's warning for ``tensor(a_tensor)`` (a copy that keeps no graph; its words)
_COPY_CONSTRUCT = ("To copy construct from a tensor, it is recommended to use sourceTensor.detach()"
                   ".clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
                   "torch.tensor(sourceTensor).")


def tensor(data: Any, *, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
           requires_grad: builtins.bool = False) -> Tensor:
    """Construct a tensor holding a copy of ``data``.

    Python floats become the default dtype (float32), Python ints int64 and bools bool, as in
    PyTorch; a numpy array keeps its dtype.

    Args:
        data (array_like): a number, a (nested) list or tuple, a numpy array or a Tensor.
        dtype (dtype, optional): the dtype of the result; inferred from ``data`` if None.
        device (device or str, optional): ``"cpu"`` (the only device) or None.
        requires_grad (bool): record operations on the result for autograd. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
        >>> ag.tensor([0.5, 1.0], requires_grad=True)
        tensor([0.5000, 1.0000], requires_grad=True)
        >>> ag.tensor(3, dtype=ag.float64)
        tensor(3., dtype=autograd_core.float64)
    """
    check_device(device, "tensor")
    if isinstance(data, Tensor):
        warnings.warn(_COPY_CONSTRUCT, UserWarning, stacklevel=2)
        arr = np.array(half_source(data._data, dtype), dtype=_dtype(dtype), copy=True)
    elif isinstance(data, np.ndarray):
        arr = np.array(half_source(data, dtype), dtype=_dtype(dtype), copy=True)
    elif isinstance(data, (list, tuple)) and _holds_tensor(data):
        arr = _tensor_sequence(data, _dtype(dtype))
    elif isinstance(data, np.generic):
        arr = np.array(half_source(data, dtype), dtype=_dtype(dtype))
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        if dtype is None:
            arr = _from_python(data)
        elif np.dtype(dtype).kind in "iu":
            from autograd_core.ops._args import into_integers  # the ops import this module

            arr = into_integers(data, np.dtype(dtype), np.dtype(dtype).name)
        elif np.dtype(dtype) == np.float16:  # Python floats are doubles: made float16 as
            arr = _array(half_source(_array(data), dtype), dtype=np.float16)  # PyTorch's
        else:
            arr = _array(data, dtype=np.dtype(dtype))
    if arr.dtype.kind not in "biufc":  # strings, objects, datetimes: not numbers
        raise TypeError(
            f"tensor(): cannot make a tensor of numpy dtype {arr.dtype} (kind '{arr.dtype.kind}'); "
            "only bool, integer, floating point and complex data can be held"
        )
    return Tensor._wrap(arr, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: DTypeLike | None = None,
              device: DeviceLike | None = None) -> Tensor:
    """Convert ``data`` to a tensor, sharing memory when it can.

    A Tensor of the requested dtype is returned as it is and a numpy array of that dtype is
    wrapped without a copy; anything else is copied as ``tensor`` does.

    Args:
        data (array_like): a Tensor, a numpy array, a number or a (nested) list.
        dtype (dtype, optional): the dtype of the result.
        device (device or str, optional): ``"cpu"`` or None.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> a = np.array([1.0, 2.0])
        >>> t = ag.as_tensor(a)
        >>> a[0] = -1.0
        >>> t
        tensor([-1.,  2.], dtype=autograd_core.float64)
    """
    check_device(device, "as_tensor")
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray):
        # a view: the memory is shared, but the caller's array object is not the tensor's, so
        # setting its .shape or .dtype later does not reshape the tensor (PyTorch's keeps its own)
        # (part of a larger array: that part's memory is the storage, as PyTorch's)
        return Tensor._wrap(own_extent(data if dtype is None else
                                       half_source(data, dtype).astype(dtype, copy=False)))
    return tensor(data, dtype=dtype)


def asarray(obj: Any, *, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
            copy: builtins.bool | None = None,
            requires_grad: builtins.bool | None = None) -> Tensor:
    """Convert ``obj`` to a tensor, sharing memory with a Tensor or a numpy array when it can.

    ``copy=None`` shares unless ``dtype`` asks for a cast; ``copy=True`` always copies (a
    Tensor's copy is recorded, as ``clone``); ``copy=False`` never copies and refuses what it
    cannot alias (a cast, a list or a number). A Tensor shared is returned itself.
    ``requires_grad=True`` makes the result require grad; ``requires_grad=False`` turns it off
    (on the Tensor itself when it is a shared leaf, else on a detached alias, as PyTorch's).

    Args:
        obj (object): a Tensor, a numpy array, a number or a (nested) sequence.
        dtype (dtype, optional): the result's dtype; ``obj``'s (or inferred) if None.
        device (device or str, optional): ``"cpu"`` or None.
        copy (bool, optional): copy (True), never copy (False) or only when needed (None).
        requires_grad (bool, optional): whether autograd records operations on the result;
            ``obj``'s own if None.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> a = np.array([1.0, 2.0])
        >>> t = ag.asarray(a)
        >>> a[0] = -1.0
        >>> t
        tensor([-1.,  2.], dtype=autograd_core.float64)
        >>> ag.asarray(a, copy=True).add_(1.0)
        tensor([0., 3.], dtype=autograd_core.float64)
        >>> a
        array([-1.,  2.])
    """
    check_device(device, "asarray")
    dt = _dtype(dtype)
    if isinstance(obj, (Tensor, np.ndarray)):
        src = obj._data.dtype if isinstance(obj, Tensor) else obj.dtype
        cast = dt is not None and dt != src
        if cast and copy is False:
            from autograd_core.ops._args import torch_name

            raise ValueError(f"can't alias tensor with dtype '{torch_name(src)}' into dtype "
                             f"'{torch_name(dt)}'.")
        if isinstance(obj, Tensor):
            out = obj.to(dt) if cast else obj.clone() if copy else obj
        else:
            out = as_tensor(np.array(obj, dtype=dt) if copy else obj, dt)
    elif copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    else:
        out = tensor(obj, dtype=dtype)
    if requires_grad is not None and requires_grad != out.requires_grad:
        if requires_grad or out.is_leaf:
            out.requires_grad_(requires_grad)
        else:
            out = out.detach()
    return out


def from_numpy(arr: np.ndarray) -> Tensor:
    """Create a tensor that shares memory with the numpy array ``arr``.

    Changes to one are seen by the other; the tensor keeps the array's dtype.

    Args:
        arr (numpy.ndarray): the array.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> a = np.arange(3)
        >>> t = ag.from_numpy(a)
        >>> t[0] = 7
        >>> a
        array([7, 1, 2])
    """
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(arr).__name__}")
    # shares the memory through a view of its own, as as_tensor: `arr.shape = ...` afterwards
    # must not reshape the tensor; part of a larger array has that part as its storage
    return Tensor._wrap(own_extent(arr))


def _size(size: Sequence[Any]) -> tuple[builtins.int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, Tensor) and s._data.ndim == 0 and s._data.dtype.kind in "iu":
            s = s._data
        elif not isinstance(s, (_builtin_int, np.integer)) or isinstance(s, _builtin_bool):
            raise TypeError(f"argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} in {tuple(size)}")  # PyTorch's TypeError
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{[_builtin_int(v) for v in size]}")
    return tuple(_builtin_int(s) for s in size)


_F = TypeVar("_F", bound=Callable[..., Tensor])


def _size_keyword(fn: _F) -> _F:
    """Let ``fn(*size, ...)`` also take its shape as ``size=(2, 3)``, as PyTorch's creation
    functions do (``torch.empty(size=(n, m))``), and PyTorch's ``out=``: the values are made in
    ``out``'s dtype and written into it (the introyt tutorial's ``torch.rand(2, 2, out=c)``)."""
    @functools.wraps(fn)
    def wrapper(*size: Any, out: Tensor | None = None, **kwargs: Any) -> Tensor:
        if "size" in kwargs:
            if size:
                raise TypeError(f"{fn.__name__}() got multiple values for argument 'size'")
            size = (kwargs.pop("size"),)
        if out is None:
            return fn(*size, **kwargs)
        return _into_out(fn.__name__, out, lambda dtype: fn(*size, **{**kwargs, "dtype": dtype}),
                         kwargs.get("dtype"))
    return wrapper  # type: ignore[return-value]


def _into_out(name: str, out: Any, make: Callable[[Any], Tensor], dtype: Any) -> Tensor:
    """A creation function's ``out=``: ``make(dtype)`` (in ``out``'s dtype unless ``dtype`` is
    given, which must then be ``out``'s) written into ``out``, of the result's shape."""
    from autograd_core.ops._args import torch_name

    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if out.requires_grad:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    result = make(out.dtype if dtype is None else dtype)
    if result._data.dtype != out._data.dtype:
        raise RuntimeError(f"dtype {torch_name(result._data.dtype)} does not match dtype of out "
                           f"parameter ({torch_name(out._data.dtype)})")
    return write_out(name, result, out)


def write_out(name: str, result: Tensor, out: Tensor) -> Tensor:
    """``result`` copied into ``out`` (the ``out=`` of an op or a creation function, checked
    by the caller otherwise); returns ``out``. An ``out`` of another shape is resized to the
    result's (contiguous, ``resize_``) as PyTorch resizes it, with its deprecation warning
    unless ``out`` was empty."""
    shape = tuple(result.shape)
    if shape != tuple(out.shape):
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(shape)}. This behavior is deprecated, and in a future PyTorch release "
                "outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).", UserWarning, stacklevel=3)
        with no_grad():
            out.resize_(shape)  # the method: this module imports no op module
        out._counter()[0] -= 1  # PyTorch's resize of an out= moves no version; the write does
    with no_grad():
        return out.copy_(result)


def _make(arr: np.ndarray, requires_grad: builtins.bool) -> Tensor:
    return Tensor._wrap(arr, requires_grad=requires_grad)


@_size_keyword
def zeros(*size: _Shape, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
          requires_grad: builtins.bool = False) -> Tensor:
    """Return a tensor filled with 0, of shape ``size``.

    Args:
        *size (int...): the shape, as integers or one sequence (``zeros(2, 3)`` or
            ``zeros((2, 3))``).
        dtype (dtype, optional): the dtype; the default dtype (float32) if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3)
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
        >>> ag.zeros((2,), dtype=ag.int64)
        tensor([0, 0])
    """
    check_device(device, "zeros")
    return _make(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


@_size_keyword
def ones(*size: _Shape, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
         requires_grad: builtins.bool = False) -> Tensor:
    """Return a tensor filled with 1, of shape ``size``.

    Args:
        *size (int...): the shape, as integers or one sequence (``zeros(2, 3)`` or
            ``zeros((2, 3))``).
        dtype (dtype, optional): the dtype; the default dtype (float32) if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.ones(2, 2)
        tensor([[1., 1.],
                [1., 1.]])
    """
    check_device(device, "ones")
    return _make(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


@_size_keyword
def empty(*size: _Shape, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
          requires_grad: builtins.bool = False) -> Tensor:
    """Return a tensor of shape ``size`` whose values are not initialised.

    Args:
        *size (int...): the shape, as integers or one sequence (``zeros(2, 3)`` or
            ``zeros((2, 3))``).
        dtype (dtype, optional): the dtype; the default dtype (float32) if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.empty(2, 3).shape
        autograd_core.Size([2, 3])
    """
    check_device(device, "empty")
    return _make(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def empty_strided(size: Sequence[builtins.int], stride: Sequence[builtins.int], *,
                  dtype: DTypeLike | None = None, layout: Any = None,
                  device: DeviceLike | None = None, requires_grad: builtins.bool = False,
                  pin_memory: builtins.bool = False) -> Tensor:
    """Return a tensor of shape ``size`` with the given ``stride`` (in elements), in memory
    just large enough for it; its values are not initialised (zeros here).

    Args:
        size (tuple of int): the shape.
        stride (tuple of int): the step in elements along each dimension (non-negative).
        dtype (dtype, optional): the dtype; the default dtype (float32) if None.
        layout, pin_memory: accepted for PyTorch compatibility.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.empty_strided((2, 3), (1, 2))
        >>> x.shape, x.stride()
        (autograd_core.Size([2, 3]), (1, 2))
    """
    check_device(device, "empty_strided")
    size, stride = _size(size), tuple(builtins.int(st) for st in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if builtins.any(st < 0 for st in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    dt = _float_dtype(dtype)
    n = 0 if 0 in size else 1 + builtins.sum((k - 1) * st for k, st in zip(size, stride))
    buf = np.zeros(n, dt)
    arr = np.lib.stride_tricks.as_strided(buf, size, tuple(st * dt.itemsize for st in stride),
                                          writeable=_no_overlap(size, stride))
    return _make(arr, requires_grad)


def _no_overlap(size: tuple, stride: tuple) -> builtins.bool:
    """Whether no two positions of ``size`` meet at one element with strides ``stride``."""
    if 0 in size:
        return True
    pos = np.zeros(size, np.int64)
    for k, (n, st) in enumerate(zip(size, stride)):
        pos += (np.arange(n, dtype=np.int64) * st).reshape((n,) + (1,) * (len(size) - k - 1))
    return builtins.bool(np.unique(pos).size == pos.size)


def frombuffer(buffer: Any, *, dtype: DTypeLike, count: builtins.int = -1,
               offset: builtins.int = 0, requires_grad: builtins.bool = False) -> Tensor:
    """Return a 1-d tensor sharing the memory of ``buffer`` (an object with Python's buffer
    protocol: ``bytearray``, ``array.array``, ``memoryview``, ...): writes to one show in the
    other. A read-only buffer (``bytes``) gives a tensor that refuses in-place changes.

    Args:
        buffer (object): the memory.
        dtype (dtype): the dtype of the elements.
        count (int): the number of elements; -1 for all after ``offset``. Default: -1.
        offset (int): bytes to skip at the start. Default: 0.
        requires_grad (bool): Default: False.

    Example::

        >>> import array
        >>> import autograd_core as ag
        >>> a = array.array("i", [1, 2, 3])
        >>> t = ag.frombuffer(a, dtype=ag.int32)
        >>> t[0] = 7
        >>> a[0], t
        (7, tensor([7, 2, 3], dtype=autograd_core.int32))
    """
    dt = np.dtype(dtype)
    length = memoryview(buffer).nbytes
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % dt.itemsize:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({dt.itemsize})")
    elif length - offset < count * dt.itemsize:
        raise ValueError(f"requested buffer length ({count} * {dt.itemsize} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    arr = np.frombuffer(buffer, dtype=dt, count=count, offset=offset)
    return _make(arr, requires_grad)


def full(size: _Shape, fill_value: _Number, *, dtype: DTypeLike | None = None,
         device: DeviceLike | None = None, requires_grad: builtins.bool = False) -> Tensor:
    """Return a tensor of shape ``size`` filled with ``fill_value``.

    Without ``dtype``, the dtype follows ``fill_value`` as in PyTorch: a float gives the default
    dtype, an int int64, a bool bool.

    Args:
        size (int or sequence of int): the shape.
        fill_value (number): the value of every element.
        dtype (dtype, optional): the dtype.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.full((2, 2), 1.5)
        tensor([[1.5000, 1.5000],
                [1.5000, 1.5000]])
        >>> ag.full((3,), 7)
        tensor([7, 7, 7])
    """
    check_device(device, "full")
    if dtype is None:
        fill_value = plain_number(fill_value)  # np.float64(0.1): a float, as PyTorch reads it
        dtype = _from_python(fill_value).dtype
    return _make(_filled(_size((size,)), fill_value, np.dtype(dtype)), requires_grad)


def _filled(shape: tuple, fill_value: Any, dt: np.dtype) -> np.ndarray:
    """An array of ``shape`` holding ``fill_value`` converted to ``dt`` as PyTorch converts a
    fill value: a complex number into a real dtype refused (unless real), an integer dtype's
    range checked (a negative int wrapping into an unsigned one)."""
    from autograd_core.ops._args import scalar_for  # the ops import this module

    return np.full(shape, scalar_for(fill_value, dt), dtype=dt)


def _like_shape(input: Tensor) -> tuple[builtins.int, ...]:
    return np.shape(getattr(input, "_data", input))


def _like_rank(input: Tensor, name: str) -> builtins.int:
    """``input``'s number of dimensions, after PyTorch's TypeError for a number or a list
    (``zeros_like(2.0)`` failed with an AttributeError; a numpy array is taken)."""
    if not isinstance(input, (Tensor, np.ndarray)):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type_name(input)}")
    return len(_like_shape(input))


def zeros_like(input: Tensor, *, dtype: DTypeLike | None = None,
               device: DeviceLike | None = None, requires_grad: builtins.bool = False,
               memory_format: _memory_format = preserve_format) -> Tensor:
    """Return a tensor of zeros with the shape and dtype of ``input``.

    Args:
        input (Tensor): the tensor whose shape (and, by default, dtype) is used.
        dtype (dtype, optional): the dtype; ``input``'s if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.
        memory_format (memory_format, optional): accepted and checked as PyTorch does
            (``channels_last`` needs a 4-D ``input``); the values never depend on it.
            Default: ``preserve_format``.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros_like(ag.tensor([[1, 2, 3]]))
        tensor([[0, 0, 0]])
    """
    check_memory_format(memory_format, _like_rank(input, "zeros_like"))
    check_device(device, "zeros_like")
    return _in_layout_of(input, np.zeros(_like_shape(input), dtype=_dtype(dtype) or input.dtype),
                         requires_grad, memory_format)


def ones_like(input: Tensor, *, dtype: DTypeLike | None = None,
              device: DeviceLike | None = None, requires_grad: builtins.bool = False,
              memory_format: _memory_format = preserve_format) -> Tensor:
    """Return a tensor of ones with the shape and dtype of ``input``.

    Args:
        input (Tensor): the tensor whose shape (and, by default, dtype) is used.
        dtype (dtype, optional): the dtype; ``input``'s if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.
        memory_format (memory_format, optional): accepted and checked as PyTorch does
            (``channels_last`` needs a 4-D ``input``); the values never depend on it.
            Default: ``preserve_format``.

    Example::

        >>> import autograd_core as ag
        >>> ag.ones_like(ag.tensor([0.5, 2.0]))
        tensor([1., 1.])
    """
    check_memory_format(memory_format, _like_rank(input, "ones_like"))
    check_device(device, "ones_like")
    return _in_layout_of(input, np.ones(_like_shape(input), dtype=_dtype(dtype) or input.dtype),
                         requires_grad, memory_format)


def full_like(input: Tensor, fill_value: _Number, *, dtype: DTypeLike | None = None,
              device: DeviceLike | None = None, requires_grad: builtins.bool = False,
              memory_format: _memory_format = preserve_format) -> Tensor:
    """Return a tensor filled with ``fill_value``, with the shape and dtype of ``input``.

    Args:
        input (Tensor): the tensor whose shape (and, by default, dtype) is used.
        dtype (dtype, optional): the dtype; ``input``'s if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.
        memory_format (memory_format, optional): accepted and checked as PyTorch does
            (``channels_last`` needs a 4-D ``input``); the values never depend on it.
            Default: ``preserve_format``.
        fill_value (number): the value of every element.

    Example::

        >>> import autograd_core as ag
        >>> ag.full_like(ag.zeros(2), 3.0)
        tensor([3., 3.])
    """
    check_memory_format(memory_format, _like_rank(input, "full_like"))
    check_device(device, "full_like")
    return _in_layout_of(input, _filled(input.shape, fill_value,
                                        np.dtype(_dtype(dtype) or input.dtype)),
                         requires_grad, memory_format)


def empty_like(input: Tensor, *, dtype: DTypeLike | None = None,
               device: DeviceLike | None = None, requires_grad: builtins.bool = False,
               memory_format: _memory_format = preserve_format) -> Tensor:
    """Return an uninitialised tensor with the shape and dtype of ``input``.

    Args:
        input (Tensor): the tensor whose shape (and, by default, dtype) is used.
        dtype (dtype, optional): the dtype; ``input``'s if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.
        memory_format (memory_format, optional): accepted and checked as PyTorch does
            (``channels_last`` needs a 4-D ``input``); the values never depend on it.
            Default: ``preserve_format``.

    Example::

        >>> import autograd_core as ag
        >>> ag.empty_like(ag.zeros(2, 4)).shape
        autograd_core.Size([2, 4])
    """
    check_memory_format(memory_format, _like_rank(input, "empty_like"))
    check_device(device, "empty_like")
    if memory_format is preserve_format:  # PyTorch's: a transposed input's strides are kept
        out = _like_fill(input, dtype, requires_grad, lambda t: None)
        if out is not None:
            return out
    return _make(np.empty(input.shape, dtype=_dtype(dtype) or input.dtype), requires_grad)


def arange(start: _Number = 0, end: _Number | None = None, step: _Number = 1, *,
           dtype: DTypeLike | None = None, device: DeviceLike | None = None,
           requires_grad: builtins.bool = False) -> Tensor:
    """Return the values from ``start`` up to (not including) ``end`` in steps of ``step``.

    ``arange(end)`` starts at 0. The dtype is int64 when all three are integers, else the
    default float dtype.

    Args:
        start (number): the first value. Default: 0.
        end (number): the end, excluded.
        step (number): the gap between values. Default: 1.
        dtype (dtype, optional): the dtype.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.arange(5)
        tensor([0, 1, 2, 3, 4])
        >>> ag.arange(1, 2.5, 0.5)
        tensor([1.0000, 1.5000, 2.0000])
    """
    check_device(device, "arange")
    # 0-d tensors count as their numbers (``arange(lengths.max())``), read as .item() reads them
    start, end, step = _number(start), _number(end), _number(step)
    if end is None:
        start, end = 0, start
    if dtype is None:
        ints = all(isinstance(v, (_builtin_int, np.integer)) for v in (start, end, step))
        dtype = int64 if ints else get_default_dtype()
    return _make(_arange_values(start, end, step, np.dtype(dtype)), requires_grad)


def range_deprecated(start: _Number = 0, end: _Number | None = None, step: _Number = 1, *,
                     dtype: DTypeLike | None = None, device: DeviceLike | None = None,
                     requires_grad: builtins.bool = False) -> Tensor:
    """``autograd_core.range``, PyTorch's deprecated ``torch.range``: the values ``start + i *
    step`` up to and including ``end``, ``floor((end - start) / step) + 1`` of them (computed in
    float64; for an integer ``dtype`` in integers, the three numbers truncated first, as
    PyTorch's), in the default float dtype unless ``dtype`` is given; it warns as PyTorch's.
    Prefer ``arange``, which excludes ``end``.

    Args:
        start (number): the first value. Default: 0.
        end (number): the last value (included when the steps reach it).
        step (number): the gap between values. Default: 1.
        dtype (dtype, optional): the dtype.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings(record=True):
        ...     ag.range(1, 4)
        tensor([1., 2., 3., 4.])
    """
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    check_device(device, "range")
    dt = np.dtype(dtype or get_default_dtype())
    if dt.kind not in "iuf":
        from autograd_core.ops._args import not_implemented  # the ops import this module

        raise not_implemented("range_cpu", dt)
    given = [_number(v) for v in (start, end, step)]
    start, end, step = (_builtin_float(v) for v in given)
    if not step > 0 and not step < 0:  # zero or NaN
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if dt.kind in "iu":  # PyTorch's integer kernel truncates the bounds and the step first
        start, end, step = (_builtin_int(v) for v in given)
        if step == 0:  # (PyTorch's divides by it: a crash)
            raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.kind in "iu":
        n = abs(end - start) // abs(step) + 1
        values = (start + step * np.arange(n, dtype=np.int64)).astype(dt)
    else:
        n = _builtin_int(math.floor((end - start) / step)) + 1
        values = (start + step * np.arange(n, dtype=np.float64)).astype(dt)
    return _make(values, requires_grad)


def _arange_values(start: Any, end: Any, step: Any, dt: np.dtype) -> np.ndarray:
    """PyTorch's arange. int64 truncates the bounds and step first and sizes in integers. The
    other dtypes check and size in float64, ``ceil((end - start) / step)``; value ``i`` is
    ``start + i * step`` in float64 rounded to a float dtype, and for int8/16/32 and uint8
    ``trunc(start) + i * trunc(step)`` in int64, wrapped to the dtype (so ``arange(0.5, 9.7,
    1.3, dtype=int32)`` has 8 values 0..7). numpy's own arange sizes and steps in the dtype:
    other lengths."""
    if dt.kind == "b":
        from autograd_core.ops._args import not_implemented  # the ops import this module

        raise not_implemented("arange_cpu", dt)
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if not step > 0 and not step < 0:  # zero or NaN, as PyTorch
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):  # the numbers as given
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt == np.int64:
        start, end, step = _builtin_int(start), _builtin_int(end), _builtin_int(step)
        if not step:  # a fraction truncated: PyTorch's ValueError here
            raise ValueError("step must be nonzero")
        sgn = 1 if step > 0 else -1
        n = abs(end - start + step - sgn) // abs(step)  # C++'s truncating division
        return (start + step * np.arange(n, dtype=np.int64)).astype(dt)
    n = math.ceil((builtins.float(end) - builtins.float(start)) / builtins.float(step))
    if dt.kind in "iu":
        ramp = np.arange(n, dtype=np.int64) * _builtin_int(step) + _builtin_int(start)
        return ramp.astype(dt)
    if dt == np.float16:
        return _half_arange(builtins.float(start), builtins.float(step), n)
    if dt in (np.float32, np.float64):
        return _float_arange(builtins.float(start), builtins.float(step), n, dt)
    return (builtins.float(start) + np.arange(n, dtype=np.float64) * builtins.float(step)).astype(dt)


def _float_arange(start: builtins.float, step: builtins.float, n: builtins.int,
                  dt: np.dtype) -> np.ndarray:
    """float32/float64 ``arange`` as ATen's CPU kernel computes it (one thread; AVX2 code, which
    PyTorch runs on AVX-512 CPUs too): in float64, pairs of vectors (8 float32 or 4 float64
    elements each), each from a base ``fma(step, idx, start)`` rounded to the dtype, plus
    ``fma(j, step, base)``; the elements after the last pair ``fma(step, i, start)`` each;
    every value rounded to the dtype. (``start + i * step`` rounded once differed from
    PyTorch's by an ulp in some element of most aranges: ``arange(0, 2.2, 0.1)[9]``.)"""
    from autograd_core.kernels.pointwise import fma_arrays  # (the Numba loop; _fma its twin)

    def fma(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        out = fma_arrays(x, y, z)
        return _fma(x, y, z) if out is None else out

    lanes = 8 if dt == np.float32 else 4
    out = fma(np.full(n, step), np.arange(n, dtype=np.float64), np.full(n, start))
    paired = n // (2 * lanes) * (2 * lanes)
    if paired:
        base = np.repeat(out[:paired:lanes].astype(dt).astype(np.float64), lanes)
        j = np.tile(np.arange(lanes, dtype=np.float64), paired // lanes)
        out[:paired] = fma(j, np.full(paired, step), base)
    return out.astype(dt)


def _half_arange(start: builtins.float, step: builtins.float, n: builtins.int) -> np.ndarray:
    """float16 ``arange`` as ATen's CPU kernel computes it on AVX2 (``Vectorized<Half>`` of
    16): ``start`` and ``step`` made float32, pairs of vectors each from a float16 base
    ``fma(step, idx, start)`` plus ``fma(j, step, base)``, the elements after the last pair
    ``fma(step, i, start)`` each, every one rounded to float16 from float32 (the float64 value
    rounded once was an ulp off in about 1 arange in 4). The fused multiply-adds are taken
    in float64, where the product is exact (as ``kernels.optim.numpy_fma``'s)."""
    s, t = np.float64(np.float32(start)), np.float64(np.float32(step))
    out = (np.arange(n, dtype=np.float64) * t + s).astype(np.float32)
    paired = n // 32 * 32
    if paired:
        base = out[:paired:16].astype(np.float16).astype(np.float64)
        out[:paired] = (np.arange(16.0) * t + base[:, None]).astype(np.float32).reshape(-1)
    return out.astype(np.float16)


def _number(v: Any) -> Any:
    """A 0-d tensor's number (a factory's bound given as a tensor), anything else as it is."""
    return v.item() if isinstance(v, Tensor) and v.ndim == 0 else v


def linspace(start: _Number, end: _Number, steps: builtins.int, *,
             dtype: DTypeLike | None = None, device: DeviceLike | None = None,
             requires_grad: builtins.bool = False) -> Tensor:
    """Return ``steps`` evenly spaced values from ``start`` to ``end``, both included.

    Args:
        start (number): the first value.
        end (number): the last value.
        steps (int): how many values.
        dtype (dtype, optional): the dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    check_device(device, "linspace")
    return _make(_linspace_values(start, end, steps, _float_dtype(dtype)), requires_grad)


@quiet  # (the user's np.seterr(all="raise") must not see the split's overflow or underflow)
def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` of float64 arrays rounded once, as PyTorch's compiled kernels get it from
    a fused multiply-add: Dekker's exact product and an exact sum, then one rounding (exact but
    for a double rounding when ``r + e`` is itself rounded, which needs a near-tie). Where
    Dekker's terms underflow or overflow (a factor or the product below ``2**-969``, as
    subnormal parameters or gradients; a factor above ``2**995``), the exact rational value
    rounded once (Python's division rounds correctly)."""
    out = _random._fma64_numpy(a, b, c)  # Dekker's product, Knuth's sum (random.py's twin)
    a, b, c = np.broadcast_arrays(a, b, c)
    p = a * b
    finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
    tiny = np.minimum(np.abs(p), np.minimum(np.abs(a), np.abs(b))) < 2.0 ** -969
    risky = finite & ((tiny & (a != 0) & (b != 0))
                      | (np.maximum(np.abs(a), np.abs(b)) > 2.0 ** 995) | ~np.isfinite(out))
    if risky.any():
        from fractions import Fraction

        out = np.array(out, dtype=np.float64)
        for i in zip(*np.nonzero(risky)):
            exact = Fraction(a[i].item()) * Fraction(b[i].item()) + Fraction(c[i].item())
            try:
                out[i] = builtins.float(exact)
            except OverflowError:
                out[i] = math.inf if exact > 0 else -math.inf
    if not finite.all():  # Dekker's terms of an inf or NaN are NaN; a fused multiply-add's:
        out = np.array(out, dtype=np.float64)  # ``c`` for finite factors (an exact product
        with np.errstate(invalid="ignore", over="ignore"):  # never overflows), else a*b + c
            plain = np.where(np.isfinite(a) & np.isfinite(b), c, p + c)
        out[~finite] = plain[~finite]
    return out


def _linspace_values(start: Any, end: Any, steps: builtins.int, dt: np.dtype) -> np.ndarray:
    """PyTorch's CPU ``linspace`` values: the step ``(end - start) / (steps - 1)`` in the dtype,
    ``start + step * i`` for the first half and ``end - step * (steps - 1 - i)`` for the rest,
    each a fused multiply-add. numpy's ``start + i * step`` differs by an ulp in places, which
    matters where the values are pixel positions (``affine_grid``'s identity grid)."""
    if steps < 0:  # (numpy's ValueError named "samples")
        raise RuntimeError("number of steps must be non-negative")
    if dt.kind in "iu":
        return _linspace_int(start, end, steps, dt)
    if dt.kind != "f" or steps < 2:
        return np.linspace(start, end, steps, dtype=dt)
    if dt == np.float16:
        return _half_linspace(start, end, steps)
    lo, hi = dt.type(start), dt.type(end)
    step = np.float64((hi - lo) / dt.type(steps - 1))
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    out = np.empty(steps, np.float64)
    out[:half] = _fma(np.full(half, step), i[:half], np.full(half, np.float64(lo)))
    out[half:] = _fma(np.full(steps - half, -step), steps - 1 - i[half:],
                      np.full(steps - half, np.float64(hi)))
    return out.astype(dt)


def _half_linspace(start: Any, end: Any, steps: builtins.int) -> np.ndarray:
    """float16 ``linspace`` as ATen's CPU kernel computes it: in ``c10::Half`` arithmetic,
    each operation in float32 rounded to float16 (the bounds made float32, then float16; the
    step ``(end - start) / half(steps - 1)``; ``start + step * half(i)`` for the first half,
    ``end - step * half(steps - 1 - i)`` for the rest). The fused float64 formula of the other
    dtypes was an ulp off in 327 of 400 random float16 calls; this one in none."""
    h = np.float16
    if any(math.isfinite(v) and abs(v) > 65504 for v in (builtins.float(start), builtins.float(end))):
        raise RuntimeError("value cannot be converted to type c10::Half without overflow")
    lo, hi = h(np.float32(start)), h(np.float32(end))
    i = np.arange(steps)
    with np.errstate(all="ignore"):  # (inf - inf at infinite bounds: NaN, as PyTorch's)
        step = (hi - lo) / h(steps - 1)
        return np.where(i < steps // 2, lo + step * i.astype(h), hi - step * (steps - 1 - i).astype(h))


def _linspace_int(start: Any, end: Any, steps: builtins.int, dt: np.dtype) -> np.ndarray:
    """PyTorch's CPU ``linspace`` of an integer dtype: ``start`` and ``end`` converted to it
    (toward zero; out of range refused, a negative Python int wrapping into an unsigned type),
    the step in float64, each value computed as for floats and truncated toward zero (numpy's
    integer ``linspace`` floors: ``linspace(0, -1, 5)`` gave ``[0, -1, -1, -1, -1]``, PyTorch's
    is ``[0, 0, 0, 0, -1]``)."""
    from autograd_core.ops._args import int_c_type, into_integers  # the ops import this module

    def convert(x: Any) -> builtins.int:
        return builtins.int(into_integers(x, dt, int_c_type(dt))[()])

    if steps < 2:
        return np.full(steps, convert(start) if steps else 0, dt)
    lo, hi = builtins.float(convert(start)), builtins.float(convert(end))
    step = (hi - lo) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    out = np.empty(steps, np.float64)
    out[:half] = _fma(np.full(half, step), i[:half], np.full(half, lo))
    out[half:] = _fma(np.full(steps - half, -step), steps - 1 - i[half:], np.full(steps - half, hi))
    return np.trunc(out).astype(dt)


def logspace(start: _Number, end: _Number, steps: builtins.int, base: builtins.float = 10.0,
             *, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
             requires_grad: builtins.bool = False) -> Tensor:
    """Return ``steps`` values ``base ** x`` for ``x`` evenly spaced from ``start`` to ``end``.

    Args:
        start (number): the first exponent.
        end (number): the last exponent.
        steps (int): how many values.
        base (float): the base. Default: 10.0.
        dtype (dtype, optional): the dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.logspace(0, 2, 3)
        tensor([  1.,  10., 100.])
        >>> ag.logspace(0, 3, 4, base=2)
        tensor([1., 2., 4., 8.])
    """
    check_device(device, "logspace")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = np.dtype(_float_dtype(dtype))
    if dt.kind in "fiu" and steps:
        return _make(_logspace_values(start, end, steps, builtins.float(base), dt),
                     requires_grad)
    exponents = np.linspace(start, end, steps, dtype=np.float64)
    return _make(np.power(builtins.float(base), exponents).astype(dt), requires_grad)


def _logspace_values(start: Any, end: Any, steps: builtins.int, base: builtins.float,
                     dt: np.dtype) -> np.ndarray:
    """PyTorch's CPU ``logspace`` values. Floats: ``start`` and ``end`` in the dtype, the step
    ``(end - start) / (steps - 1)`` in float64, exponents ``start + step * i`` for the first
    half and ``end - step * (steps - 1 - i)`` for the rest, ``pow(base, exponent)`` in float64
    (C's ``pow``: numpy's own float64 power differs by an ulp in places) rounded to the dtype.
    Integers: ``start`` and ``end`` truncated to the dtype, step and exponents in float32,
    ``powf`` truncated (so ``logspace(0.1, 0.9, 9, dtype=int64)`` is all ones). float16
    values go through float32, as c10::Half's conversions do."""
    if steps == 1:
        return np.array([math.pow(base, builtins.float(start))]).astype(dt)
    i = np.arange(steps)
    first = i < steps // 2
    with np.errstate(all="ignore"):
        if dt.kind in "iu":
            s, e = (np.array(math.trunc(v)).astype(dt) for v in (start, end))
            fstep = np.float32(np.float32(builtins.int(e) - builtins.int(s))
                               / np.float32(steps - 1))
            exps = np.where(first, np.float32(s) + fstep * i.astype(np.float32),
                            np.float32(e) - fstep * (steps - 1 - i).astype(np.float32))
            return np.power(np.float32(base), exps).astype(dt)
        via = np.float32 if dt == np.float16 else dt.type  # (c10::Half converts through float)
        s, e = (dt.type(via(v)) for v in (start, end))
        step = builtins.float(dt.type(e - s)) / (steps - 1)
        exps = np.where(first, builtins.float(s) + step * i,
                        builtins.float(e) - step * (steps - 1 - i))
        return np.array([math.pow(base, v) for v in exps.tolist()]).astype(via).astype(dt)


def eye(n: builtins.int, m: builtins.int | None = None, *, dtype: DTypeLike | None = None,
        device: DeviceLike | None = None, requires_grad: builtins.bool = False) -> Tensor:
    """Return a 2-d tensor with ones on the diagonal and zeros elsewhere.

    Args:
        n (int): the number of rows.
        m (int, optional): the number of columns; ``n`` if None.
        dtype (dtype, optional): the dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.eye(2, 3)
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    check_device(device, "eye")
    return _make(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


# ---- random ----------------------------------------------------------------------------------
@_size_keyword
def randn(*size: _Shape, generator: Generator | None = None, dtype: DTypeLike | None = None,
          device: DeviceLike | None = None, requires_grad: builtins.bool = False) -> Tensor:
    """Return samples from the standard normal distribution, of shape ``size``.

    PyTorch's numbers for a seed (its CPU Box-Muller; float32 to the last bit or two,
    ``autograd_core.random``).

    Args:
        *size (int...): the shape, as integers or one sequence.
        generator (Generator, optional): the random stream; the global one if None.
        dtype (dtype, optional): the dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(0)
        >>> ag.randn(2, 3)  # PyTorch's numbers for the seed
        tensor([[ 1.5410, -0.2934, -2.1788],
                [ 0.5684, -1.0845, -1.3986]])
    """
    check_device(device, "randn")
    # complex: real and imaginary parts each of variance 1/2, as PyTorch's
    arr = _random.normal(generator, _size(size), _float_dtype(dtype), where="randn")
    return _make(arr, requires_grad)


@_size_keyword
def rand(*size: _Shape, generator: Generator | None = None, dtype: DTypeLike | None = None,
         device: DeviceLike | None = None, requires_grad: builtins.bool = False) -> Tensor:
    """Return samples drawn uniformly from ``[0, 1)``, of shape ``size``.

    Args:
        *size (int...): the shape, as integers or one sequence.
        generator (Generator, optional): the random stream; the global one if None.
        dtype (dtype, optional): the dtype; the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(0)
        >>> x = ag.rand(1000)
        >>> x.shape, ((x >= 0) & (x < 1)).all().item()
        (autograd_core.Size([1000]), True)
    """
    check_device(device, "rand")
    # complex: both parts uniform in [0, 1), as PyTorch's
    return _make(_random.uniform(generator, _size(size), _float_dtype(dtype), where="rand"),
                 requires_grad)


def randint(low: builtins.int = 0, high: Any = None, size: Any = None, *,
            generator: Generator | None = None, dtype: DTypeLike | None = None,
            device: DeviceLike | None = None, requires_grad: builtins.bool = False) -> Tensor:
    """Return integers drawn uniformly from ``[low, high)``, of shape ``size``.

    PyTorch's two forms: ``randint(high, size)`` and ``randint(low, high, size)``.

    Args:
        low (int): the lowest value. Default: 0.
        high (int): one above the highest value.
        size (tuple of int): the shape.
        generator (Generator, optional): the random stream; the global one if None.
        dtype (dtype, optional): the dtype; int64 if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): Default: False.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(0)
        >>> ag.randint(0, 10, (5,))  # PyTorch's numbers for the seed
        tensor([4, 9, 3, 0, 3])
    """
    check_device(device, "randint")
    if size is None:
        if high is None or not isinstance(high, (tuple, list, Size)):
            raise TypeError("randint() missing required argument 'size' (call it as "
                            "randint(high, size) or randint(low, high, size), size a tuple)")
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...): PyTorch's first form with size by keyword
        low, high = 0, low
    low, high = _builtin_int(low), _builtin_int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    from autograd_core.ops._args import check_random_bounds  # the ops import this module
    dt = _dtype(dtype) or int64
    check_random_bounds(np.dtype(dt), low, high)  # randint(0, 300, dtype=uint8) wrapped
    arr = _random.integers(generator, low, high, _size((size,)), "randint")
    return _make(arr.astype(dt), requires_grad)


def randperm(n: builtins.int, *, generator: Generator | None = None, dtype: DTypeLike = int64,
             device: DeviceLike | None = None, requires_grad: builtins.bool = False) -> Tensor:
    """Return a random permutation of the integers ``0 .. n-1``.

    Args:
        n (int): how many integers.
        generator (Generator, optional): the random stream; the global one if None.
        dtype (dtype): the dtype. Default: int64.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): Default: False.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(0)
        >>> ag.randperm(5).sort().values
        tensor([0, 1, 2, 3, 4])
    """
    check_device(device, "randperm")
    if isinstance(n, _builtin_bool) or not isinstance(n, (_builtin_int, np.integer)) or n < 0:
        raise RuntimeError(f"randperm: n must be a non-negative int, got {n!r}")
    arr = _random.permutation(generator, _builtin_int(n), "randperm")
    return _make(arr.astype(_dtype(dtype) or int64), requires_grad)


def _in_layout_of(input: Any, values: np.ndarray, requires_grad: builtins.bool,
                  memory_format: Any) -> Tensor:
    """``values`` (row-major, ``input``'s shape) as the result of a ``*_like`` op: laid out as
    ``input`` under ``preserve_format`` (PyTorch's default keeps a transposed or permuted
    dense input's strides), row-major otherwise."""
    if memory_format is preserve_format and isinstance(input, Tensor):
        out = _like_fill(input, values.dtype, requires_grad,
                         lambda t: np.copyto(t._data, values))
        if out is not None:
            return out
    return _make(values, requires_grad)


def _like_fill(input: Tensor, dtype: DTypeLike | None, requires_grad: builtins.bool,
               fill: Callable[[Tensor], Any]) -> Tensor | None:
    """``fill`` applied in place to an empty tensor laid out as PyTorch's ``empty_like(input)``
    when that is not row-major (``input`` a transposed or permuted dense view): PyTorch's
    ``*_like`` draws then fill that layout in memory order. None for a row-major layout."""
    from autograd_core.ops._args import like_layout  # the ops import this module
    perm = like_layout(input._data)
    if perm is None:
        return None
    dt = _dtype(dtype) or input._data.dtype
    buf = np.empty(tuple(input.shape[d] for d in perm), dt).transpose(np.argsort(perm))
    out = Tensor._wrap(buf)
    with no_grad():
        fill(out)
    return _make(out._data, requires_grad)


def randn_like(input: Tensor, *, generator: Any = None, dtype: DTypeLike | None = None,
               device: DeviceLike | None = None, requires_grad: builtins.bool = False,
               memory_format: _memory_format = preserve_format) -> Tensor:
    """Return standard normal samples with the shape and dtype of ``input``.

    Args:
        input (Tensor): the tensor whose shape (and, by default, dtype) is used.
        generator (Generator, optional): the random stream; the global one if None.
        dtype (dtype, optional): the dtype; ``input``'s if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.
        memory_format (memory_format, optional): accepted and checked as PyTorch does
            (``channels_last`` needs a 4-D ``input``); the values never depend on it.
            Default: ``preserve_format``.

    Example::

        >>> import autograd_core as ag
        >>> ag.randn_like(ag.zeros(2, 3, dtype=ag.float64)).dtype
        autograd_core.float64
    """
    check_memory_format(memory_format, _like_rank(input, "randn_like"))
    if memory_format is preserve_format and np.dtype(_dtype(dtype) or input._data.dtype).kind == "f":
        check_device(device, "randn_like")
        out = _like_fill(input, dtype, requires_grad, lambda t: t.normal_(generator=generator))
        if out is not None:
            return out
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype, device=device,
                 requires_grad=requires_grad)


def rand_like(input: Tensor, *, generator: Any = None, dtype: DTypeLike | None = None,
              device: DeviceLike | None = None, requires_grad: builtins.bool = False,
              memory_format: _memory_format = preserve_format) -> Tensor:
    """Return samples uniform on ``[0, 1)`` with the shape and dtype of ``input``.

    Args:
        input (Tensor): the tensor whose shape (and, by default, dtype) is used.
        generator (Generator, optional): the random stream; the global one if None.
        dtype (dtype, optional): the dtype; ``input``'s if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): whether autograd records operations on it. Default: False.
        memory_format (memory_format, optional): accepted and checked as PyTorch does
            (``channels_last`` needs a 4-D ``input``); the values never depend on it.
            Default: ``preserve_format``.

    Example::

        >>> import autograd_core as ag
        >>> ag.rand_like(ag.zeros(4)).shape
        autograd_core.Size([4])
    """
    check_memory_format(memory_format, _like_rank(input, "rand_like"))
    if memory_format is preserve_format and np.dtype(_dtype(dtype) or input._data.dtype).kind == "f":
        check_device(device, "rand_like")
        out = _like_fill(input, dtype, requires_grad, lambda t: t.uniform_(generator=generator))
        if out is not None:
            return out
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def randint_like(input: Tensor, low: builtins.int = 0, high: builtins.int | None = None, *,
                 generator: Any = None, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
                 requires_grad: builtins.bool = False,
                 memory_format: _memory_format = preserve_format) -> Tensor:
    """Return integers drawn uniformly from ``[low, high)`` with the shape and dtype of ``input``.

    As in PyTorch, ``randint_like(input, high)`` draws from ``[0, high)``.

    Args:
        input (Tensor): the tensor whose shape (and, by default, dtype) is used.
        low (int): the lowest value. Default: 0.
        high (int): one above the highest value.
        generator (Generator, optional): the random stream; the global one if None.
        dtype (dtype, optional): the dtype; ``input``'s if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): Default: False.
        memory_format (memory_format, optional): accepted and checked as PyTorch does
            (``channels_last`` needs a 4-D ``input``); the values never depend on it.
            Default: ``preserve_format``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.randint_like(ag.zeros(100, dtype=ag.int64), 3)
        >>> ((x >= 0) & (x < 3)).all().item(), x.dtype
        (True, autograd_core.int64)
    """
    check_memory_format(memory_format, _like_rank(input, "randint_like"))
    if high is None:
        low, high = 0, low
    if memory_format is preserve_format and low < high and \
            np.dtype(_dtype(dtype) or input._data.dtype).kind in "iuf":
        check_device(device, "randint_like")
        out = _like_fill(input, dtype, requires_grad, lambda t: t.random_(low, high,
                                                                   generator=generator))
        if out is not None:
            return out
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   device=device, requires_grad=requires_grad)


def _check_multinomial_rows(rows: np.ndarray, num_samples: builtins.int,
                            replacement: builtins.bool) -> np.ndarray:
    """Refuses bad weights (``rows``: float64, one distribution a row) with the error of the
    kernel PyTorch's ``multinomial`` picks: a single draw or draws without replacement check
    the whole tensor; several draws with replacement scan the entries in order and name the
    first bad one (NaN fails its ``>= 0`` test). Returns the rows' sums (keepdims)."""
    bad = ~(np.isfinite(rows) & (rows >= 0))
    if bad.any() and (not replacement or num_samples == 1):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    total = rows.sum(axis=1, keepdims=True)
    for row_bad, row, row_total in zip(bad, rows, total[:, 0]):  # row by row, as its kernel
        if row_bad.any():
            if not row[row_bad][0] >= 0:
                raise RuntimeError("invalid multinomial distribution (encountering probability "
                                   "entry < 0)")
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
        if row_total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    return total


def _probabilities(input: Tensor, where: str) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise TypeError(f"{where}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    p = input._data
    if p.dtype.kind != "f":
        raise RuntimeError(f"{where} only supports floating-point dtypes for input, got: "
                           f"{p.dtype}")
    return p


def multinomial(input: Tensor, num_samples: builtins.int, replacement: builtins.bool = False,
                *, generator: Generator | None = None) -> Tensor:
    """Draw indices from the categorical distribution(s) whose weights are ``input``.

    ``input`` is 1-d (one distribution) or 2-d (one per row), with non-negative weights that
    need not sum to 1. Without replacement each index is drawn at most once (an index of weight
    0 only after all others), so ``num_samples`` may not exceed the number of categories.

    Args:
        input (Tensor): the weights.
        num_samples (int): how many indices to draw per distribution.
        replacement (bool): draw with replacement. Default: False.
        generator (Generator, optional): the random stream; the global one if None.

    Returns:
        Tensor: int64 indices of shape ``input.shape[:-1] + (num_samples,)``.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(0)
        >>> ag.multinomial(ag.tensor([0.0, 1.0, 3.0]), 2).sort().values
        tensor([1, 2])
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
    total = _check_multinomial_rows(rows, num_samples, replacement)
    src = _random._source(generator, "multinomial")
    if isinstance(src, Generator):  # PyTorch's algorithms and numbers
        dt = p.dtype if p.dtype.kind == "f" else np.dtype(np.float32)
        return Tensor._wrap(src.multinomial_array(p.astype(dt, copy=False), num_samples,
                                                  replacement))
    rng = src
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
    return Tensor._wrap(out.reshape(p.shape[:-1] + (num_samples,)))


def bernoulli(input: Tensor, p: Any = None, *, generator: Generator | None = None) -> Tensor:
    """Draw 0 or 1 for every element: 1 with the probability given by that element of ``input``
    (or, with ``p``, with probability ``p`` each, in ``input``'s shape and dtype).

    Args:
        input (Tensor): probabilities in ``[0, 1]``.
        p (float, optional): one probability for every element instead (PyTorch's
            ``bernoulli(input, p)``, as ``empty_like(input).bernoulli_(p)``).
        generator (Generator, optional): the random stream; the global one if None.

    Returns:
        Tensor: 0/1 values in ``input``'s dtype and shape.

    Example::

        >>> import autograd_core as ag
        >>> ag.bernoulli(ag.tensor([0.0, 1.0, 1.0]))
        tensor([0., 1., 1.])
        >>> ag.bernoulli(ag.zeros(2, dtype=ag.float64), 1.0)
        tensor([1., 1.], dtype=autograd_core.float64)
    """
    if p is not None:
        if isinstance(p, Tensor) and p.ndim == 0:
            p = p.item()  # a one-element tensor is the float p (a tensor p is another kernel)
        if isinstance(p, (str, Tensor)) or not isinstance(p, numbers.Real):
            raise TypeError(f"bernoulli() received an invalid combination of arguments - got "
                            f"(Tensor, {type(p).__name__}), but expected one of:\n"
                            " * (Tensor input, *, torch.Generator generator = None, Tensor out "
                            "= None)\n * (Tensor input, float p, *, torch.Generator generator "
                            "= None)")
        return input.bernoulli(builtins.float(p), generator=generator)  # Tensor.bernoulli's
    p = _probabilities(input, "bernoulli")
    if np.any(~((p >= 0) & (p <= 1))):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    keep = _random.draw(generator, "bernoulli", "bernoulli_array",
                        lambda r: r.random(p.shape) < p, p, p.shape)
    return Tensor._wrap(keep.astype(p.dtype))


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Draw a Poisson sample for every element, with that element of ``input`` as the rate.

    Args:
        input (Tensor): non-negative rates.
        generator (Generator, optional): the random stream; the global one if None.

    Returns:
        Tensor: whole-number counts in ``input``'s dtype and shape.

    Example::

        >>> import autograd_core as ag
        >>> ag.poisson(ag.tensor([0.0, 0.0]))
        tensor([0., 0.])
        >>> _ = ag.manual_seed(0)
        >>> abs(ag.poisson(ag.full((1000,), 4.0)).mean().item() - 4.0) < 0.3
        True
    """
    lam = _probabilities(input, "poisson")
    if np.any(~(lam >= 0)):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    counts = _random.draw(generator, "poisson", "poisson_array",
                          lambda r: r.poisson(lam.astype(np.float64)), lam)
    return Tensor._wrap(np.asarray(counts).astype(lam.dtype))


# ---- PyTorch's legacy typed constructors -----------------------------------------------------
class _LegacyTensorType(type):
    """PyTorch's legacy typed constructors: ``FloatTensor``, ``LongTensor``, ...

    ``FloatTensor(data)`` copies ``data`` as that dtype, ``FloatTensor(2, 3)`` makes a zero
    tensor of that shape (PyTorch leaves it uninitialised); ``isinstance(t, FloatTensor)`` is
    True for a float32 Tensor.
    """

    if TYPE_CHECKING:  # set on each class by _legacy
        dtype: np.dtype

    def __instancecheck__(cls, obj: object) -> builtins.bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype

    def __call__(cls, *args: Any, device: DeviceLike | None = None) -> Tensor:
        check_device(device, cls.__name__)
        if not args:
            return Tensor._wrap(np.zeros((0,), dtype=cls.dtype))
        if all(isinstance(a, (_builtin_int, np.integer)) and not isinstance(a, _builtin_bool)
               for a in args):
            return Tensor._wrap(np.zeros(_size(args), dtype=cls.dtype))
        if len(args) == 1 and isinstance(args[0], Size):
            return Tensor._wrap(np.zeros(tuple(args[0]), dtype=cls.dtype))
        if len(args) != 1:
            raise TypeError(f"{cls.__name__}(): expected sizes (ints) or one sequence of data, "
                            f"got {len(args)} arguments")
        return tensor(args[0], dtype=cls.dtype)

    def __repr__(cls) -> str:
        return f"<class 'autograd_core.{cls.__name__}'>"


Size = _tensor_module.Size


def _legacy(name: str, dt: type) -> type:
    dn = np.dtype(dt).name
    doc = (f"A {dn} tensor (PyTorch's legacy constructor): ``{name}(data)`` copies ``data`` as "
           f"{dn}, ``{name}(*sizes)`` makes zeros of that shape.\n\nExample::\n\n"
           f"    >>> import autograd_core as ag\n"
           f"    >>> ag.{name}(2, 3).shape, ag.{name}([1]).dtype\n"
           f"    (autograd_core.Size([2, 3]), autograd_core.{dn})\n"
           f"    >>> isinstance(ag.zeros(1, dtype=ag.{dn}), ag.{name})\n    True\n")
    cls = _LegacyTensorType(name, (), {"dtype": np.dtype(dt), "__module__": "autograd_core",
                                       "__doc__": doc})
    __test__[name] = doc  # the doctest finder skips classes of another __module__
    return cls


__test__: dict[str, str] = {}


FloatTensor = _legacy("FloatTensor", np.float32)
DoubleTensor = _legacy("DoubleTensor", np.float64)
HalfTensor = _legacy("HalfTensor", np.float16)
LongTensor = _legacy("LongTensor", np.int64)
IntTensor = _legacy("IntTensor", np.int32)
ShortTensor = _legacy("ShortTensor", np.int16)
CharTensor = _legacy("CharTensor", np.int8)
ByteTensor = _legacy("ByteTensor", np.uint8)
BoolTensor = _legacy("BoolTensor", np.bool_)


def set_default_tensor_type(t: Any, /) -> None:
    """PyTorch's deprecated ``set_default_tensor_type``: the default float dtype from a legacy
    tensor type (``DoubleTensor``) or its name (``"torch.DoubleTensor"``), with PyTorch's
    deprecation warning; ``torch.cuda.*`` types raise as in a PyTorch without CUDA.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ag.set_default_tensor_type("torch.DoubleTensor")
        >>> ag.ones(1).dtype
        autograd_core.float64
        >>> ag.set_default_dtype(ag.float32)
    """
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    if isinstance(t, str):
        module, _, name = t.rpartition(".")
        if module.endswith("cuda"):
            raise TypeError(f"type {t} not available. Torch not compiled with CUDA enabled.")
        if module != "torch":
            raise ModuleNotFoundError(f"No module named '{module or t}'", name=module or t)
        if not isinstance(globals().get(name), _LegacyTensorType):
            raise AttributeError(f"module 'torch' has no attribute '{name}'")
        t = globals()[name]
    if not isinstance(t, _LegacyTensorType):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    if t.dtype.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    set_default_dtype(t.dtype)


def normal(mean: Tensor | builtins.float, std: Tensor | builtins.float = 1.0,
           size: Sequence[builtins.int] | None = None, *, generator: Generator | None = None,
           dtype: DTypeLike | None = None, device: DeviceLike | None = None,
           requires_grad: builtins.bool = False) -> Tensor:
    """Draw samples ``mean + std * N(0, 1)`` from a normal distribution.

    With a Tensor ``mean`` or ``std`` the result has their broadcast shape and is differentiable
    in them (as in PyTorch); with float ``mean`` and ``std`` give ``size``.

    Args:
        mean (float or Tensor): the mean(s).
        std (float or Tensor): the standard deviation(s). Default: 1.0.
        size (tuple of int, optional): the shape, with float ``mean`` and ``std``.
        generator (Generator, optional): the random stream; the global one if None.
        dtype (dtype, optional): the dtype (float arguments); the default float dtype if None.
        device (device or str, optional): ``"cpu"`` or None.
        requires_grad (bool): Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.normal(2.0, 0.0, size=(3,))
        tensor([2., 2., 2.])
        >>> mean = ag.tensor([1.0, 5.0], requires_grad=True)
        >>> ag.normal(mean, 0.0).sum().backward()
        >>> mean.grad
        tensor([1., 1.])
    """
    check_device(device, "normal")
    if isinstance(std, Tensor):  # PyTorch's checks, before any draw
        if std._data.size and not (std._data >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m, s = getattr(mean, "_data", mean), getattr(std, "_data", std)
        try:
            shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        except ValueError:
            from autograd_core.ops._args import broadcast_error  # the ops import this module
            raise broadcast_error("normal", m, s) from None
        kinds = [x.dtype for x in (mean, std) if isinstance(x, Tensor)]
        dt = np.result_type(*[np.dtype(getattr(k, "dtype", k)) for k in kinds])
        # PyTorch's: N(0, 1) draws of the result's shape, times std, plus mean
        noise = Tensor._wrap(_random.normal(generator, shape, dt, where="normal"))
        return noise * std + mean
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: with a float "
                        "mean and std, give size")
    arr = _random.normal(generator, _size((size,)), _float_dtype(dtype), mean, std, "normal")
    return _make(arr, requires_grad)


def get_default_device() -> Any:
    """Return the default device: the CPU, the only one here.

    Example::

        >>> import autograd_core as ag
        >>> ag.get_default_device()
        device(type='cpu')
    """
    return _device("cpu")


def set_default_device(device: DeviceLike | None) -> None:
    """Set the default device; only the CPU exists here.

    ``"cpu"`` (or a CPU ``device``, or None) is accepted and is already the default; another
    device raises the same error as ``device=`` does. (PyTorch: any available device.)

    Args:
        device (device or str or None): the device.

    Example::

        >>> import autograd_core as ag
        >>> ag.set_default_device("cpu")
        >>> ag.zeros(1).device
        device(type='cpu')
    """
    check_device(device, "set_default_device")
