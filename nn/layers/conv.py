"""``Conv1d``/``2d``/``3d``, ``ConvTranspose1d``/``2d``, ``Unfold``, ``Fold``: PyTorch's
convolution layers over ``nn.functional``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import cast

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.conv import _Size
from nn import functional as F
from nn import init
from nn.layers import _check
from nn.module import Module
from nn.parameter import Parameter

_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(owner: str, name: str, value: object, n: int) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{owner}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    t = _check.shape(owner, name, value)
    if len(t) == 1:
        return t * n
    if len(t) != n:
        raise ValueError(f"{owner}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    return t


class _ConvNd(Module):
    """The shared body of ``Conv1d``/``Conv2d`` (PyTorch's ``_ConvNd``): checks, parameters,
    PyTorch's default initialisation, non-zero padding modes and ``extra_repr``."""

    _nd = 2
    _transposed = False  # the weight is (in, out / groups, *k)
    _fn: Callable[..., Tensor]  # the functional form, set by each subclass

    def __init__(self, in_channels: int, out_channels: int, kernel_size: _Size,
                 stride: _Size = 1, padding: _Size | str = 0, dilation: _Size = 1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        owner, nd = type(self).__name__, self._nd
        _check.device(owner, device)
        in_channels = _check.size(owner, "in_channels", in_channels)
        out_channels = _check.size(owner, "out_channels", out_channels)
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size = _tuple(owner, "kernel_size", kernel_size, nd)
        stride = _tuple(owner, "stride", stride, nd)
        dilation = _tuple(owner, "dilation", dilation, nd)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _tuple(owner, "padding", padding, nd)
        if padding_mode not in _MODES:
            raise ValueError(f"padding_mode must be one of {{'zeros', 'replicate', 'reflect', "
                             f"'circular'}}, but got padding_mode='{padding_mode}'")
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.groups, self.padding_mode = dilation, int(groups), padding_mode
        self.transposed, self.output_padding = self._transposed, (0,) * nd
        # what F.pad takes for a non-zero padding_mode: last dim first, (left, right) each
        if isinstance(padding, str):
            pads = []
            if padding == "same":
                for d, k in zip(reversed(dilation), reversed(kernel_size)):
                    total = d * (k - 1)
                    pads += [total // 2, total - total // 2]
            else:
                pads = [0, 0] * nd
        else:
            pads = [p for p in reversed(padding) for _ in range(2)]
        self._reversed_padding_repeated_twice = pads
        dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        shape = ((in_channels, out_channels // groups) if self._transposed else
                 (out_channels, in_channels // groups)) + kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: ``kaiming_uniform_(weight, a=sqrt(5))`` (``U(-1/sqrt(fan_in),
        1/sqrt(fan_in))``, ``fan_in = in_channels / groups * prod(kernel_size)``) and the bias
        from the same interval."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        conv = type(self)._fn
        if self.padding_mode != "zeros":
            x = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                    self.groups)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation) over ``(N, C_in, L)`` / ``(C_in, L)`` inputs;
    ``weight`` ``(out_channels, in_channels / groups, kernel_size)``, ``bias``
    ``(out_channels,)``. Arguments, defaults and initialisation are PyTorch's.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> nn.Conv1d(4, 8, 3, padding=1)(ag.randn(2, 4, 10)).shape
        autograd_core.Size([2, 8, 10])
    """

    _nd = 1
    _fn = staticmethod(F.conv1d)


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) over ``(N, C_in, H, W)`` / ``(C_in, H, W)``
    inputs; ``weight`` ``(out_channels, in_channels / groups, kH, kW)``, ``bias``
    ``(out_channels,)``. ``padding``: int, pair, ``'valid'`` or ``'same'``; ``padding_mode``:
    ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Arguments, defaults,
    initialisation, ``state_dict`` keys and ``repr`` are PyTorch's.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> conv = nn.Conv2d(1, 6, 5, padding=2)
        >>> conv
        Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
        >>> conv(ag.randn(64, 1, 28, 28)).shape
        autograd_core.Size([64, 6, 28, 28])
    """

    _nd = 2
    _fn = staticmethod(F.conv2d)


class Conv3d(_ConvNd):
    """3-D convolution (cross-correlation) over ``(N, C_in, D, H, W)`` / ``(C_in, D, H, W)``
    inputs; ``weight`` ``(out_channels, in_channels / groups, kD, kH, kW)``, ``bias``
    ``(out_channels,)``. Arguments, defaults, initialisation, ``state_dict`` keys and ``repr``
    are PyTorch's.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> conv = nn.Conv3d(2, 4, 3, padding=1)
        >>> conv
        Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1))
        >>> conv(ag.randn(1, 2, 4, 5, 6)).shape
        autograd_core.Size([1, 4, 4, 5, 6])
    """

    _nd = 3
    _fn = staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    """The shared body of ``ConvTranspose1d``/``2d`` (PyTorch's ``_ConvTransposeNd``): the
    weight is ``(in_channels, out_channels / groups, *kernel_size)``, only zero padding, and
    ``forward`` may pick the output size among those the stride allows (``output_size``)."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: _Size,
                 stride: _Size = 1, padding: _Size = 0, output_padding: _Size = 0,
                 groups: int = 1, bias: bool = True, dilation: _Size = 1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        owner = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {owner}')
        if isinstance(padding, str):
            raise TypeError(f"{owner}: padding must be an int or a tuple of {self._nd} ints, "
                            f"got {padding!r}")
        output_padding = _tuple(owner, "output_padding", output_padding, self._nd)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.output_padding = output_padding

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple:
        """``output_padding``, or what gives ``output_size`` (PyTorch's checks and wording)."""
        nd = self._nd
        if output_size is None:
            return self.output_padding
        batch = 2 if input.ndim == nd + 2 else 1
        size = [int(v) for v in output_size]
        if len(size) == batch + nd:
            size = size[batch:]
        if len(size) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.ndim}D input, output_size must "
                             f"have {nd} or {batch + nd} elements (got {len(size)})")
        spatial = tuple(input.shape[batch:])
        padding = cast(tuple[int, ...], self.padding)  # never a string here (refused in __init__)
        low = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in zip(
            spatial, self.stride, padding, self.dilation, self.kernel_size)]
        high = [lo + s - 1 for lo, s in zip(low, self.stride)]
        if any(not lo <= v <= hi for v, lo, hi in zip(size, low, high)):
            raise ValueError(f"requested an output size of {tuple(output_size)}, but valid "
                             f"sizes range from {low} to {high} (for an input of "
                             f"{spatial})")
        return tuple(v - lo for v, lo in zip(size, low))

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        conv = type(self)._fn
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over ``(N, C_in, L)`` / ``(C_in, L)`` inputs (the gradient
    of :class:`Conv1d` with respect to its input); ``weight`` ``(in_channels,
    out_channels / groups, kernel_size)``. Arguments, defaults, initialisation and ``repr``
    are PyTorch's; ``forward(input, output_size=None)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> nn.ConvTranspose1d(4, 2, 3, stride=2)(ag.randn(1, 4, 5)).shape
        autograd_core.Size([1, 2, 11])
    """

    _nd = 1
    _fn = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over ``(N, C_in, H, W)`` / ``(C_in, H, W)`` inputs (the
    gradient of :class:`Conv2d` with respect to its input, as in decoders and GAN generators);
    ``weight`` ``(in_channels, out_channels / groups, kH, kW)``, ``bias`` ``(out_channels,)``.
    Arguments, defaults, initialisation, ``state_dict`` keys and ``repr`` are PyTorch's.
    ``forward(input, output_size=None)``: ``output_size`` picks among the sizes a strided
    convolution maps to the input's (setting ``output_padding`` for that call).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1)
        >>> up
        ConvTranspose2d(8, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
        >>> x = ag.randn(1, 8, 5, 5)
        >>> up(x).shape, up(x, output_size=(10, 10)).shape
        (autograd_core.Size([1, 4, 9, 9]), autograd_core.Size([1, 4, 10, 10]))
    """

    _nd = 2
    _fn = staticmethod(F.conv_transpose2d)


class Unfold(Module):
    """Extracts sliding local blocks of a batched ``(N, C, H, W)`` input into columns of shape
    ``(N, C * prod(kernel_size), L)`` (see :func:`nn.functional.unfold`, PyTorch's ``im2col``).

    Args:
        kernel_size (int or tuple): the block size.
        dilation (int or tuple): spacing of the block's elements. Default: ``1``.
        padding (int or tuple): zeros added on both sides. Default: ``0``.
        stride (int or tuple): step between blocks. Default: ``1``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Unfold(kernel_size=2)(ag.zeros(1, 3, 4, 4)).shape
        autograd_core.Size([1, 12, 9])
    """

    def __init__(self, kernel_size: _Size, dilation: _Size = 1, padding: _Size = 0,
                 stride: _Size = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """Sums columns ``(N, C * prod(kernel_size), L)`` of sliding blocks back into a batched
    ``(N, C, *output_size)`` tensor, overlaps added (see :func:`nn.functional.fold`, PyTorch's
    ``col2im``; the adjoint of :class:`Unfold`).

    Args:
        output_size (int or tuple): the spatial shape of the output.
        kernel_size (int or tuple): the block size.
        dilation (int or tuple): spacing of the block's elements. Default: ``1``.
        padding (int or tuple): zeros added on both sides. Default: ``0``.
        stride (int or tuple): step between blocks. Default: ``1``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Fold(output_size=(3, 3), kernel_size=2)(ag.ones(1, 4, 4))
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """

    def __init__(self, output_size: _Size, kernel_size: _Size, dilation: _Size = 1,
                 padding: _Size = 0, stride: _Size = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution over ``(N, C_in, D, H, W)`` / ``(C_in, D, H, W)`` inputs (the
    gradient of :class:`Conv3d` with respect to its input, as in volumetric decoders);
    ``weight`` ``(in_channels, out_channels / groups, kD, kH, kW)``. Arguments, defaults,
    initialisation and ``repr`` are PyTorch's; ``forward(input, output_size=None)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> nn.ConvTranspose3d(4, 2, 3, stride=2)(ag.randn(1, 4, 2, 3, 3)).shape
        autograd_core.Size([1, 2, 5, 7, 7])
    """

    _nd = 3
    _fn = staticmethod(F.conv_transpose3d)

