"""Constructor argument checks shared by the layers.

Each check raises before any parameter is allocated, with the layer and argument named, and
with PyTorch's exception type where PyTorch raises one for the same argument (a negative size
is a ``RuntimeError`` there, a non-integer size a ``TypeError``). Where PyTorch accepts a value
that can only fail later (a string slope, ``p=nan``), the check refuses it with the natural
type: ``TypeError`` for a wrong type, ``ValueError`` for a value out of range.
"""

from __future__ import annotations

import math
import numbers
import operator

import numpy as np


def _type_name(value):
    return type(value).__name__


def size(owner, name, value, *, positive=False):
    """``value`` as a Python int: a non-negative (or positive) integer size."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be an int, got bool {value!r}")
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{owner}: {name} must be an int, got {_type_name(value)} "
                        f"{value!r}") from None
    if n < 0:
        raise RuntimeError(f"{owner}: {name} must be non-negative, got {n} (trying to create "
                           f"a tensor with negative dimension {n})")
    if positive and n == 0:
        raise ValueError(f"{owner}: {name} must be positive, got 0")
    return n


def shape(owner, name, value):
    """An int or a sequence of ints as a tuple of non-negative ints."""
    expected = f"{owner}: {name} must be an int or a sequence of ints, got"
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{expected} {_type_name(value)} {value!r}")
    try:
        return (size(owner, name, operator.index(value)),)
    except TypeError:
        pass
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{expected} {_type_name(value)} {value!r}") from None
    return tuple(size(owner, f"{name}[{i}]", s) for i, s in enumerate(items))


def number(owner, name, value, *, allow_none=False):
    """A real number (bool excluded) as float; a 0-d array or Tensor is accepted."""
    if value is None and allow_none:
        return None
    if hasattr(value, "_data") and not isinstance(value, (numbers.Number, np.generic)):
        value = value._data  # a 0-d Tensor
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        expected = "a real number or None" if allow_none else "a real number"
        raise TypeError(f"{owner}: {name} must be {expected}, got {_type_name(value)} "
                        f"{value!r}")
    return value


def probability(owner, value):
    """Dropout's ``p``: a real number in [0, 1] (PyTorch's message for the range)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: dropout probability has to be a real number, got "
                        f"{_type_name(value)} {value!r}")
    if math.isnan(value) or value < 0 or value > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {value}")
    return value


def non_negative(owner, name, value):
    """A real number >= 0 (``eps``)."""
    number(owner, name, value)
    if math.isnan(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be non-negative, got {value}")
    return value


def dim(owner, name, value, *, allow_none=False):
    """A dimension index (an int; ``None`` where the layer allows it)."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be an int, got bool")
    try:
        return operator.index(value)
    except TypeError:
        expected = "an int or None" if allow_none else "an int"
        raise TypeError(f"{owner}: {name} must be {expected}, got {_type_name(value)} "
                        f"{value!r}") from None


def device(owner, value):
    """PyTorch's ``device=`` factory keyword: None or the CPU; CUDA/MPS raise PyTorch's error
    for a build without them (``Torch not compiled with CUDA enabled``)."""
    from autograd_core.device import check_device

    return check_device(value, owner)
