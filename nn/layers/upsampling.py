"""``Upsample`` (``nn.functional.interpolate`` as a module), ``PixelShuffle``,
``PixelUnshuffle``."""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor
from nn import functional as F
from nn.module import Module

__all__ = ["Upsample", "PixelShuffle", "PixelUnshuffle"]


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
        # PyTorch keeps the factors as floats (a tuple's too): the repr shows (2.0, 1.5)
        self.scale_factor = (tuple(float(f) for f in scale_factor)
                             if isinstance(scale_factor, tuple)
                             else float(scale_factor) if isinstance(scale_factor, (int, float))
                             else scale_factor)
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


class PixelShuffle(Module):
    """Rearranges ``(*, C * r**2, H, W)`` into ``(*, C, H * r, W * r)`` (see
    :func:`nn.functional.pixel_shuffle`; ``r`` the ``upscale_factor``).

    Args:
        upscale_factor (int): the factor ``r`` by which height and width grow.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.PixelShuffle(3)(ag.zeros(1, 9, 4, 4)).shape
        autograd_core.Size([1, 1, 12, 12])
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearranges ``(*, C, H * r, W * r)`` into ``(*, C * r**2, H, W)``, the inverse of
    :class:`PixelShuffle` (``r`` the ``downscale_factor``).

    Args:
        downscale_factor (int): the factor ``r`` by which height and width shrink.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.PixelUnshuffle(2)(ag.zeros(1, 1, 4, 6)).shape
        autograd_core.Size([1, 4, 2, 3])
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of ``(N, C, H, W)`` inputs (:class:`Upsample` with
    ``mode='nearest'``).

    Args:
        size (int or tuple of ints, optional): the output's spatial size.
        scale_factor (float or tuple of floats, optional): the multiplier of the spatial size.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.UpsamplingNearest2d(scale_factor=2)(ag.tensor([[[[1.0, 2.0]]]]))
        tensor([[[[1., 1., 2., 2.],
                  [1., 1., 2., 2.]]]])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of ``(N, C, H, W)`` inputs with ``align_corners=True``, as
    PyTorch's (:class:`Upsample` with ``mode='bilinear'``).

    Args:
        size (int or tuple of ints, optional): the output's spatial size.
        scale_factor (float or tuple of floats, optional): the multiplier of the spatial size.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.UpsamplingBilinear2d(size=(1, 3))(ag.tensor([[[[1.0, 2.0]]]]))
        tensor([[[[1.0000, 1.5000, 2.0000]]]])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
