"""``finfo`` / ``iinfo``: the limits of a dtype under PyTorch's attribute names."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["finfo", "iinfo"]


class finfo:
    """The machine limits of a floating point dtype, under PyTorch's attribute names.

    Attributes: ``bits``, ``eps``, ``max``, ``min``, ``tiny`` (= ``smallest_normal``),
    ``resolution``, ``dtype``.

    Args:
        type (dtype, optional): a floating point dtype (a complex one: its parts'); the
            default dtype if None.

    Example::

        >>> import autograd_core as ag
        >>> ag.finfo(ag.float32).eps
        1.1920928955078125e-07
        >>> ag.finfo().bits
        32
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002 - PyTorch's argument name
        if type is None:
            from autograd_core.creation import get_default_dtype

            type = get_default_dtype()
        dt = np.dtype(getattr(type, "dtype", type))
        if dt.kind == "c":  # PyTorch's: the limits of its parts' dtype
            dt = np.dtype(np.float32 if dt == np.complex64 else np.float64)
        if dt.kind != "f":
            raise TypeError(f"torch.finfo() requires a floating point input type. Use "
                            f"torch.iinfo to handle '{dt}'")
        info = np.finfo(dt)
        self.bits, self.eps = info.bits, float(info.eps)
        self.max, self.min = float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        # PyTorch's 10 ** -precision as a Python float (numpy's is of the dtype: float16's
        # 0.0010004)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = dt.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """The machine limits of an integer dtype: ``bits``, ``max``, ``min``, ``dtype``.

    Args:
        type (dtype): an integer dtype (bool is refused, as PyTorch's).

    Example::

        >>> import autograd_core as ag
        >>> ag.iinfo(ag.int8)
        iinfo(min=-128, max=127, dtype=int8)
    """

    def __init__(self, type: Any) -> None:  # noqa: A002 - PyTorch's argument name
        dt = np.dtype(getattr(type, "dtype", type))
        if dt.kind == "b":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if dt.kind not in "iu":
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo "
                            f"to handle '{dt}'")
        info = np.iinfo(dt)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), dt.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
