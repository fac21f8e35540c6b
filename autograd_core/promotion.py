"""PyTorch's dtype questions at the top level: ``can_cast``, ``promote_types``, ``result_type``
and ``scalar_tensor``. The promotion rules themselves live with the binary ops
(``ops/binary.py``), which use them on every call; these functions only expose them."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from autograd_core.creation import get_default_dtype, tensor
from autograd_core.device import DeviceLike
from autograd_core.ops import binary
from autograd_core.ops._args import scalar_for
from autograd_core.tensor import DType, DTypeLike, Tensor

_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _as_dtype(d: Any, fn: str, arg: str, pos: int) -> np.dtype:
    if not isinstance(d, (DType, np.dtype)):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be torch.dtype, not "
                        f"{type(d).__name__}")
    return np.dtype(d)


def can_cast(from_: DTypeLike, to: DTypeLike) -> builtins.bool:
    """Return True if PyTorch's casting rules let a value of dtype ``from_`` be written into
    dtype ``to`` by an op (an ``out=`` or in-place result).

    Refused: complex into a real dtype, floating point into an integer or bool, an integer
    into bool. Within a category any cast is allowed (``int64`` to ``uint8`` too).

    Args:
        from_ (dtype): the source dtype.
        to (dtype): the target dtype.

    Example::

        >>> import autograd_core as ag
        >>> ag.can_cast(ag.float64, ag.float32), ag.can_cast(ag.float32, ag.int32)
        (True, False)
    """
    src = _KIND_ORDER[_as_dtype(from_, "can_cast", "from_", 1).kind]
    dst = _KIND_ORDER[_as_dtype(to, "can_cast", "to", 2).kind]
    return src <= dst


def promote_types(type1: DTypeLike, type2: DTypeLike) -> DType:
    """Return the smallest dtype both ``type1`` and ``type2`` convert to without leaving their
    category: PyTorch's promotion (``int32`` and ``float16`` give ``float16``, not numpy's
    ``float64``).

    Args:
        type1 (dtype): the first dtype.
        type2 (dtype): the second dtype.

    Example::

        >>> import autograd_core as ag
        >>> ag.promote_types(ag.int32, ag.float16), ag.promote_types(ag.uint8, ag.int8)
        (autograd_core.float16, autograd_core.int16)
    """
    a = _as_dtype(type1, "promote_types", "type1", 1)
    b = _as_dtype(type2, "promote_types", "type2", 2)
    return DType(binary._promote_types(a, b))


def result_type(tensor: Tensor | complex, other: Tensor | complex) -> DType:
    """Return the dtype of an elementwise arithmetic op on ``tensor`` and ``other``.

    PyTorch's rules: tensors with dimensions decide; a 0-d tensor or a Python number changes
    the dtype only when it is of a higher category (bool < integer < floating point <
    complex), and then a Python float gives the default dtype. So an ``int32`` tensor with
    ``1.0`` gives ``float32``, a ``float16`` tensor with a 0-d ``float64`` tensor stays
    ``float16``, and a ``uint8`` tensor with ``1000`` stays ``uint8``.

    Args:
        tensor (Tensor or Number): the first operand.
        other (Tensor or Number): the second operand.

    Example::

        >>> import autograd_core as ag
        >>> ag.result_type(ag.tensor([1, 2], dtype=ag.int32), 1.0)
        autograd_core.float32
        >>> ag.result_type(ag.tensor([1.0], dtype=ag.float16), ag.tensor(1.0, dtype=ag.float64))
        autograd_core.float16
    """
    operands: list[Any] = []
    for pos, (name, x) in enumerate((("tensor", tensor), ("other", other)), 1):
        if isinstance(x, Tensor):
            operands.append(x._data)
        elif isinstance(x, (bool, int, float, complex, np.number, np.bool_)):
            operands.append(x)  # (a numpy scalar is the Python number it holds, as in ops)
        else:
            raise TypeError(f"result_type(): argument '{name}' (position {pos}) must be Tensor "
                            f"or Number, not {type(x).__name__}")
    return DType(binary.result_type(*operands))


def scalar_tensor(s: builtins.bool | builtins.int | builtins.float | complex, *,
                  dtype: DTypeLike | None = None, device: DeviceLike | None = None,
                  layout: Any = None, pin_memory: builtins.bool | None = None,
                  requires_grad: builtins.bool = False) -> Tensor:
    """Return a 0-d tensor holding ``s``, of the default dtype (float32) unless ``dtype`` is
    given: unlike ``tensor(3)`` (int64), ``scalar_tensor(3)`` is ``tensor(3.)``.

    Args:
        s (Number): the value.
        dtype (dtype, optional): the dtype. Default: the default dtype.
        device (device or str, optional): ``"cpu"`` or None.
        layout, pin_memory: accepted for PyTorch compatibility.
        requires_grad (bool): Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.scalar_tensor(3), ag.scalar_tensor(2, dtype=ag.int64)
        (tensor(3.), tensor(2))
    """
    if isinstance(s, Tensor) and s.numel() == 1:
        s = s.item()
    if not isinstance(s, (bool, int, float, complex, np.number, np.bool_)):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    if dtype is None:
        dtype = get_default_dtype()
        if isinstance(s, (complex, np.complexfloating)):
            raise RuntimeError("value cannot be converted to type float without overflow")
    # PyTorch's range check (1e40 into float32, 300 into uint8 refused; 70000 into float16 inf)
    s = scalar_for(s, dtype, overflow=np.dtype(dtype) != np.float16)
    return tensor(s, dtype=dtype, device=device, requires_grad=requires_grad)
