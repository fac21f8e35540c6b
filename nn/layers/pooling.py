"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``,
``AdaptiveMaxPool1d/2d/3d``, ``FractionalMaxPool2d/3d`` (PyTorch's arguments, defaults and
``repr``) over ``nn.functional``."""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor
from autograd_core.ops.conv import _Size
from nn import functional as F
from nn.module import Module


def _single(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class _MaxPoolNd(Module):
    def __init__(self, kernel_size: _Size, stride: _Size | None = None, padding: _Size = 0,
                 dilation: _Size = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """The maximum of each window over the last dim of ``(N, C, L)`` / ``(C, L)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.MaxPool1d(2)(ag.tensor([[1., 3., 2., 5.]]))
        tensor([[3., 5.]])
    """

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """The maximum of each ``kernel_size`` window of ``(N, C, H, W)`` / ``(C, H, W)``
    (``stride`` defaults to ``kernel_size``; ``return_indices`` also gives each maximum's flat
    position in its plane).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.MaxPool2d(2)
        MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
        >>> nn.MaxPool2d(2)(ag.arange(16.).reshape(1, 1, 4, 4))
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """The maximum of each ``kernel_size`` window of ``(N, C, D, H, W)`` / ``(C, D, H, W)``
    (``stride`` defaults to ``kernel_size``; ``return_indices`` also gives each maximum's flat
    position in its ``D * H * W`` volume).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.MaxPool3d(2)
        MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
        >>> nn.MaxPool3d(2)(ag.arange(8.).reshape(1, 1, 2, 2, 2))
        tensor([[[[[7.]]]]])
    """

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class _AvgPoolNd(Module):
    """The average pools' base (PyTorch's ``nn.modules.pooling._AvgPoolNd``); the 2-d and
    3-d pools' arguments."""

    def __init__(self, kernel_size: _Size, stride: _Size | None = None, padding: _Size = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """The mean of each window over the last dim of ``(N, C, L)`` / ``(C, L)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AvgPool1d(2)(ag.tensor([[1., 3., 2., 5.]]))
        tensor([[2.0000, 3.5000]])
    """

    def __init__(self, kernel_size: _Size, stride: _Size | None = None, padding: _Size = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        Module.__init__(self)
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """The mean of each ``kernel_size`` window of ``(N, C, H, W)`` / ``(C, H, W)``
    (``count_include_pad``, ``divisor_override`` as PyTorch).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AvgPool2d(2)(ag.arange(16.).reshape(1, 1, 4, 4))
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool3d(_AvgPoolNd):
    """The mean of each ``kernel_size`` window of ``(N, C, D, H, W)`` / ``(C, D, H, W)``
    (``count_include_pad``, ``divisor_override`` as PyTorch).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AvgPool3d(2)(ag.arange(8.).reshape(1, 1, 2, 2, 2))
        tensor([[[[[3.5000]]]]])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size: int | tuple[int | None, ...]) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Averages ``(N, C, L)`` / ``(C, L)`` down to ``output_size`` along the last dim.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AdaptiveAvgPool1d(2)(ag.tensor([[1., 2., 3., 4., 5.]]))
        tensor([[2., 4.]])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Averages ``(N, C, H, W)`` / ``(C, H, W)`` down to ``output_size`` (an int, a pair,
    ``None`` keeping that dim); ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AdaptiveAvgPool2d(1)(ag.ones(2, 3, 5, 5)).shape
        autograd_core.Size([2, 3, 1, 1])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Averages ``(N, C, D, H, W)`` / ``(C, D, H, W)`` down to ``output_size`` (an int, a
    triple, ``None`` keeping that dim).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AdaptiveAvgPool3d((1, None, 2))(ag.ones(2, 3, 4, 5, 6)).shape
        autograd_core.Size([2, 3, 1, 5, 2])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    def __init__(self, output_size: int | tuple[int | None, ...],
                 return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """The maximum of each of ``output_size`` adaptive windows along the last dim of
    ``(N, C, L)`` / ``(C, L)`` (``return_indices`` also gives their positions).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AdaptiveMaxPool1d(2)(ag.tensor([[1., 5., 2., 4., 3.]]))
        tensor([[5., 4.]])
    """

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.adaptive_max_pool1d(input, self.output_size,  # type: ignore[arg-type]
                                     self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """The maximum of each adaptive window of ``(N, C, H, W)`` / ``(C, H, W)`` giving an
    ``output_size`` output (an int, a pair, ``None`` keeping that dim).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AdaptiveMaxPool2d(1)(ag.arange(9.).reshape(1, 3, 3))
        tensor([[[8.]]])
    """

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """The maximum of each adaptive window of ``(N, C, D, H, W)`` / ``(C, D, H, W)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.AdaptiveMaxPool3d((1, 2, 2))(ag.ones(1, 2, 3, 4, 4)).shape
        autograd_core.Size([1, 2, 1, 2, 2])
    """

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


def _tuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class _FractionalMaxPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        super().__init__()
        name, nd = type(self).__name__, self._nd
        if nd == 3 and min(_tuple(kernel_size, 1)) <= 0:
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _tuple(kernel_size, nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _tuple(output_size, nd) if output_size is not None else None
        self.output_ratio = _tuple(output_ratio, nd) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        fn = F.fractional_max_pool2d if self._nd == 2 else F.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio,
                  self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling (Graham, 2014) of ``(N, C, H, W)`` / ``(C, H, W)``: windows of
    ``kernel_size`` at pseudo-random steps, ``output_size`` (or ``output_ratio`` of the input's
    size, each ratio in ``(0, 1)``) of them per dim (``nn.functional.fractional_max_pool2d``).

    Args:
        kernel_size (int or tuple): the window, ``k`` or ``(kH, kW)``.
        output_size (int or tuple, optional): ``oH`` (square) or ``(oH, oW)``.
        output_ratio (float or tuple, optional): the output's size over the input's.
        return_indices (bool): also return each maximum's flat index. Default: ``False``.
        _random_samples (Tensor, optional): fixed samples ``(N, C, 2)`` in ``[0, 1)`` (a
            buffer); drawn at each call with ``autograd_core.rand`` when not given.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> nn.FractionalMaxPool2d(3, output_ratio=0.5)(ag.randn(2, 4, 10, 8)).shape
        autograd_core.Size([2, 4, 5, 4])
    """


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """:class:`FractionalMaxPool2d` over ``(N, C, T, H, W)`` / ``(C, T, H, W)``; samples
    ``(N, C, 3)`` (``nn.functional.fractional_max_pool3d``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> nn.FractionalMaxPool3d(2, output_size=(2, 3, 3))(ag.randn(1, 2, 5, 6, 6)).shape
        autograd_core.Size([1, 2, 2, 3, 3])
    """

    _nd = 3
