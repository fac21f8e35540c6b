"""``Upsample``: ``nn.functional.interpolate`` as a module."""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor
from nn import functional as F
from nn.module import Module

__all__ = ["Upsample"]


class Upsample(Module):
    r"""Resizes the spatial dimensions of its input to ``size`` or by ``scale_factor``
    (see :func:`nn.functional.interpolate` for the modes).

    Args:
        size (int or tuple of ints, optional): the output's spatial size.
        scale_factor (float or tuple of floats, optional): the multiplier of the spatial size.
        mode (str): ``'nearest'``, ``'linear'`` or ``'bilinear'``. Default: ``'nearest'``.
        align_corners (bool, optional): for the linear modes. Default: ``None`` (False).
        recompute_scale_factor (bool, optional): compute the scale from the sizes.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Upsample(scale_factor=2, mode="bilinear")(ag.ones(1, 1, 2, 2)).shape
        autograd_core.Size([1, 1, 4, 4])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) \
            else scale_factor
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"
