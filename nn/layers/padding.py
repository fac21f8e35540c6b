"""Padding modules: constant, zero, reflection, replication and circular padding of the last
one, two or three dimensions (``nn.functional.pad`` does the work)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import Tensor
from nn import functional as F
from nn.module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "ReflectionPad1d",
           "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "ZeroPad3d", "ConstantPad3d",
           "ReflectionPad3d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d",
           "CircularPad3d"]


def _pads(padding: Any, n: int) -> tuple[int, ...]:
    if isinstance(padding, (int, np.integer)):  # (np.int64 too: PyTorch takes it as an int)
        return (int(padding),) * (2 * n)
    padding = tuple(int(p) for p in padding)
    if len(padding) != 2 * n:
        raise ValueError(f"padding must be an int or a tuple of {2 * n} ints, got {padding}")
    return padding


class _Pad(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _pads(padding, self.dims)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_Pad):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dimension with ``value``: ``padding`` is an int or ``(left, right)``.

    Args:
        padding (int or tuple): the amounts.
        value (float): the fill value.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ConstantPad1d((1, 2), 3.5)(ag.ones(1, 2))
        tensor([[3.5000, 1.0000, 1.0000, 3.5000, 3.5000]])
    """


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dimensions with ``value``: ``padding`` is an int or
    ``(left, right, top, bottom)``.

    Args:
        padding (int or tuple): the amounts.
        value (float): the fill value.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ConstantPad2d(1, 0.5)(ag.ones(1, 1, 1)).shape
        autograd_core.Size([1, 3, 3])
    """

    dims = 2


class ZeroPad1d(ConstantPad1d):
    """Pads the last dimension with zeros: ``padding`` is an int or ``(left, right)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ZeroPad1d(1)(ag.ones(1, 2))
        tensor([[0., 1., 1., 0.]])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last two dimensions with zeros: ``padding`` is an int or
    ``(left, right, top, bottom)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ZeroPad2d((1, 0, 0, 1))(ag.ones(1, 1, 1))
        tensor([[[0., 1.],
                 [0., 0.]]])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ReflectionPadNd(_Pad):
    mode = "reflect"


class _ReplicationPadNd(_Pad):
    mode = "replicate"


class ReflectionPad1d(_ReflectionPadNd):
    """Pads the last dimension with its reflection (the edge not repeated): ``padding`` is an
    int or ``(left, right)``, each smaller than the dimension.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ReflectionPad1d(2)(ag.tensor([[[1.0, 2.0, 3.0]]]))
        tensor([[[3., 2., 1., 2., 3., 2., 1.]]])
    """


class ReflectionPad2d(_ReflectionPadNd):
    """Pads the last two dimensions with their reflection: ``padding`` is an int or
    ``(left, right, top, bottom)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ReflectionPad2d(1)(ag.tensor([[[1.0, 2.0], [3.0, 4.0]]]))
        tensor([[[4., 3., 4., 3.],
                 [2., 1., 2., 1.],
                 [4., 3., 4., 3.],
                 [2., 1., 2., 1.]]])
    """

    dims = 2


class ReplicationPad1d(_ReplicationPadNd):
    """Pads the last dimension by repeating its edge values: ``padding`` is an int or
    ``(left, right)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ReplicationPad1d((2, 1))(ag.tensor([[[1.0, 2.0]]]))
        tensor([[[1., 1., 1., 2., 2.]]])
    """


class ReplicationPad2d(_ReplicationPadNd):
    """Pads the last two dimensions by repeating their edge values: ``padding`` is an int or
    ``(left, right, top, bottom)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ReplicationPad2d((1, 0, 1, 0))(ag.tensor([[[1.0, 2.0]]]))
        tensor([[[1., 1., 2.],
                 [1., 1., 2.]]])
    """

    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dimensions with ``value``: ``padding`` is an int or
    ``(left, right, top, bottom, front, back)``.

    Args:
        padding (int or tuple): the amounts.
        value (float): the fill value.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ConstantPad3d(1, 0.5)(ag.ones(1, 1, 1, 1)).shape
        autograd_core.Size([1, 3, 3, 3])
    """

    dims = 3


class ZeroPad3d(ConstantPad3d):
    """Pads the last three dimensions with zeros: ``padding`` is an int or
    ``(left, right, top, bottom, front, back)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ZeroPad3d((1, 0, 0, 0, 0, 1))(ag.ones(1, 1, 1, 1))
        tensor([[[[0., 1.]],
        <BLANKLINE>
                 [[0., 0.]]]])
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad3d(_ReflectionPadNd):
    """Pads the last three dimensions with their reflection: ``padding`` is an int or
    ``(left, right, top, bottom, front, back)``, each smaller than its dimension.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ReflectionPad3d((1, 0, 0, 0, 0, 0))(ag.tensor([[[[1.0, 2.0]]]]))
        tensor([[[[2., 1., 2.]]]])
    """

    dims = 3


class ReplicationPad3d(_ReplicationPadNd):
    """Pads the last three dimensions by repeating their edge values: ``padding`` is an int
    or ``(left, right, top, bottom, front, back)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ReplicationPad3d((0, 2, 0, 0, 0, 0))(ag.tensor([[[[1.0, 2.0]]]]))
        tensor([[[[1., 2., 2., 2.]]]])
    """

    dims = 3


class _CircularPadNd(_Pad):
    mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got "
                             f"{input.ndim}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """Pads the last dimension by wrapping it around: ``padding`` is an int or
    ``(left, right)``, each at most the dimension.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.CircularPad1d((2, 1))(ag.tensor([[1.0, 2.0, 3.0]]))
        tensor([[2., 3., 1., 2., 3., 1.]])
    """


class CircularPad2d(_CircularPadNd):
    """Pads the last two dimensions by wrapping them around: ``padding`` is an int or
    ``(left, right, top, bottom)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.CircularPad2d((1, 0, 1, 0))(ag.tensor([[[1.0, 2.0], [3.0, 4.0]]]))
        tensor([[[4., 3., 4.],
                 [2., 1., 2.],
                 [4., 3., 4.]]])
    """

    dims = 2


class CircularPad3d(_CircularPadNd):
    """Pads the last three dimensions by wrapping them around: ``padding`` is an int or
    ``(left, right, top, bottom, front, back)``.

    Args:
        padding (int or tuple): the amounts.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.CircularPad3d(1)(ag.ones(1, 2, 2, 2)).shape
        autograd_core.Size([1, 4, 4, 4])
    """

    dims = 3
