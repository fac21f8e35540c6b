"""``nn.utils.convert_conv2d_weight_memory_format`` / ``convert_conv3d_weight_memory_format``:
the channels-last tutorial's step that gives every convolution's weight a memory format.

tapegrad's memory formats change no number (the tensors' values are the same in any format),
so the weights keep their values; what these functions do is PyTorch's: walk the module tree,
set each ``Conv2d``/``ConvTranspose2d`` (``Conv3d``/``ConvTranspose3d``) weight, return the
module.
"""

from __future__ import annotations

from typing import Any, TypeVar

from nn.module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]

_M = TypeVar("_M", bound=Module)


def _convert(module: Any, memory_format: Any, kinds: tuple) -> None:
    if isinstance(module, kinds):
        module.weight.data = module.weight.detach().contiguous(memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, kinds)


def convert_conv2d_weight_memory_format(module: _M, memory_format: Any) -> _M:
    """Give the weight of every ``Conv2d`` and ``ConvTranspose2d`` in ``module`` the memory
    format ``memory_format`` (values unchanged); return ``module``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
        >>> nn.utils.convert_conv2d_weight_memory_format(model, ag.channels_last) is model
        True
    """
    from nn.layers.conv import Conv2d, ConvTranspose2d

    _convert(module, memory_format, (Conv2d, ConvTranspose2d))
    return module


def convert_conv3d_weight_memory_format(module: _M, memory_format: Any) -> _M:
    """Give the weight of every ``Conv3d`` and ``ConvTranspose3d`` in ``module`` the memory
    format ``memory_format`` (values unchanged); return ``module``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> model = nn.Sequential(nn.Conv3d(2, 2, 1))
        >>> nn.utils.convert_conv3d_weight_memory_format(model, ag.channels_last_3d) is model
        True
    """
    from nn.layers.conv import Conv3d, ConvTranspose3d

    _convert(module, memory_format, (Conv3d, ConvTranspose3d))
    return module
