"""Layers of classic architectures, composed of existing ops: local response normalisation
(AlexNet), power-average pooling (``LPPool*``), the randomized leaky ReLU, ShuffleNet's
channel shuffle and max unpooling (SegNet-style decoders). Each has PyTorch's functional form (in ``nn.functional``) and module, and its
numbers.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core import random as _random
from autograd_core.ops import _xp
from autograd_core.ops._args import no_complex
from autograd_core.ops.conv import (avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d,
                                     max_pool3d)
from autograd_core.ops.pieces import constant_pad_nd
from autograd_core.tensor import SCALAR_NAMES
from autograd_core.ops.inplace import inplace as inplace_op
from autograd_core.ops.registry import typed
from nn.module import Module

__all__ = ["LocalResponseNorm", "LPPool1d", "LPPool2d", "LPPool3d", "RReLU", "ChannelShuffle",
           "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "local_response_norm", "lp_pool1d",
           "lp_pool2d", "lp_pool3d", "rrelu", "channel_shuffle", "max_unpool1d", "max_unpool2d",
           "max_unpool3d"]


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    r"""Local response normalisation across channels (Krizhevsky et al., 2012):
    :math:`x_c / (k + \frac{\alpha}{n} \sum_{c'} x_{c'}^2)^\beta`, the sum over the ``size``
    channels around ``c`` (zeros past the ends).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.local_response_norm(ag.ones(1, 3, 1), size=2, alpha=1.0, beta=1.0, k=1.0)
        tensor([[[0.6667],
                 [0.5000],
                 [0.5000]]])
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    sq = input * input
    c = input.shape[1]
    before, after = size // 2, (size - 1) // 2
    pad = [0] * (2 * (input.ndim - 2)) + [before, after]
    padded = constant_pad_nd(sq, pad)  # zeros before and after along the channels
    total = padded[:, 0:c]
    for j in range(1, size):
        total = total + padded[:, j:j + c]
    return input / (total * (alpha / size) + k) ** beta


def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, dims):
    if isinstance(norm_type, (int, float)) and abs(norm_type) == float("inf"):
        # PyTorch's limits: max pooling of |x| for inf, its min for -inf
        pool_max = (max_pool1d, max_pool2d, max_pool3d)[dims - 1]
        if norm_type > 0:
            return pool_max(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -pool_max(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    pool = (avg_pool1d, avg_pool2d, avg_pool3d)[dims - 1]
    ks = (kernel_size,) * dims if isinstance(kernel_size, numbers.Integral) else \
        tuple(kernel_size)
    out = pool(input.pow(norm_type), kernel_size, stride if stride is not None else ks, 0,
               ceil_mode)
    n = 1
    for k in ks:
        n *= k
    return (out.sign() * out.abs().relu()).mul(n).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    r"""Power-average pooling over windows of 1-D signals: :math:`(\sum x^p)^{1/p}` (``p =
    norm_type``; ``inf`` is max pooling of ``|x|``, ``-inf`` its min, ``1`` sum pooling).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.lp_pool1d(ag.tensor([[[3.0, 4.0, 1.0, 1.0]]]), 2, 2)
        tensor([[[5.0000, 1.4142]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    r"""Power-average pooling over windows of images (see :func:`lp_pool1d`).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.lp_pool2d(ag.ones(1, 1, 2, 2), 1, 2)
        tensor([[[[4.]]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    r"""Power-average pooling over windows of volumes (see :func:`lp_pool1d`).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.lp_pool3d(ag.ones(1, 1, 2, 2, 2), 2, 2)
        tensor([[[[[2.8284]]]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


def _rrelu_slopes(x: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Training rrelu's slopes as PyTorch's CPU kernel draws them: for each element ``<= 0``
    in order (and only those), a double uniform ``u * (upper - lower) + lower`` (bounds and
    result rounded to the dtype's compute type); 1 elsewhere."""
    neg = np.asarray(x <= 0)
    k = int(np.count_nonzero(neg))
    u = _random.draw(None, "rrelu", "_unit", lambda r: r.random(k), k, np.dtype(np.float64))
    work = np.float64 if x.dtype == np.float64 else np.float32
    lo, hi = float(work(lower)), float(work(upper))  # the bounds in the compute type first
    slopes = np.ones(x.shape, dtype=work)
    slopes[neg] = (u * (hi - lo) + lo).astype(work)
    return slopes


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    r"""The randomized leaky ReLU (Xu et al., 2015): ``x`` where ``x > 0``, else ``a x`` with
    ``a`` drawn from ``U(lower, upper)`` for each element in training, ``(lower + upper) / 2``
    otherwise.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.rrelu(ag.tensor([-3.0, 2.0]), 0.1, 0.3)
        tensor([-0.6000,  2.0000])
    """
    if inplace:  # recorded as an in-place op of input (its gradient goes through the slopes)
        return inplace_op(input, lambda: rrelu(input, lower, upper, training))
    no_complex(input, "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu")
    if training:
        slope = ag.tensor(_rrelu_slopes(input._data, lower, upper), dtype=input.dtype)
    else:
        slope = ag.tensor((lower + upper) / 2, dtype=input.dtype)
    out = ag.where(input > 0, input, input * slope)  # at 0 the slope's side, as PyTorch
    if not training:  # PyTorch's rrelu_with_noise_backward reads the input
        out = _xp.reads_input(out, input, "RreluWithNoise")
    return out


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """ShuffleNet's channel shuffle: the channels, seen as ``groups`` groups, interleaved
    (``(g, c/g)`` transposed to ``(c/g, g)``).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.channel_shuffle(ag.arange(4.0).reshape(1, 4, 1), 2).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)


class LocalResponseNorm(Module):
    r"""Local response normalisation across channels (see :func:`local_response_norm`).

    Args:
        size (int): channels in each sum.
        alpha (float): scale. Default: ``1e-4``.
        beta (float): exponent. Default: ``0.75``.
        k (float): additive constant. Default: ``1``.

    Example::

        >>> import autograd_core as ag, nn
        >>> nn.LocalResponseNorm(2)(ag.ones(1, 4, 2, 2)).shape
        autograd_core.Size([1, 4, 2, 2])
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class _LPPoolNd(Module):
    _dims = 1

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = (
            norm_type, kernel_size, stride, ceil_mode)

    def forward(self, input: Tensor) -> Tensor:
        return _lp_pool(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode,
                        self._dims)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling of 1-D signals (see :func:`lp_pool1d`).

    Example::

        >>> import autograd_core as ag, nn
        >>> nn.LPPool1d(2, 2)(ag.tensor([[[3.0, 4.0]]]))
        tensor([[[5.]]])
    """

    _dims = 1


class LPPool2d(_LPPoolNd):
    """Power-average pooling of images (see :func:`lp_pool1d`).

    Example::

        >>> import autograd_core as ag, nn
        >>> nn.LPPool2d(1, 2)(ag.ones(1, 1, 2, 2))
        tensor([[[[4.]]]])
    """

    _dims = 2


class LPPool3d(_LPPoolNd):
    """Power-average pooling of volumes (see :func:`lp_pool1d`).

    Example::

        >>> import autograd_core as ag, nn
        >>> nn.LPPool3d(1, 2)(ag.ones(1, 1, 2, 2, 2))
        tensor([[[[[8.]]]]])
    """

    _dims = 3


class RReLU(Module):
    """The randomized leaky ReLU (see :func:`rrelu`): random slopes in training, their mean in
    evaluation.

    Args:
        lower (float): lower bound of the slopes. Default: ``1/8``.
        upper (float): upper bound of the slopes. Default: ``1/3``.
        inplace (bool): write the result into the input. Default: ``False``.

    Example::

        >>> import autograd_core as ag, nn
        >>> nn.RReLU(0.1, 0.3).eval()(ag.tensor([-1.0, 1.0]))
        tensor([-0.2000,  1.0000])
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:
        return rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace
                                                            else "")


class ChannelShuffle(Module):
    """ShuffleNet's channel shuffle (see :func:`channel_shuffle`).

    Args:
        groups (int): the number of groups the channels are divided into.

    Example::

        >>> import autograd_core as ag, nn
        >>> nn.ChannelShuffle(2)(ag.arange(4.0).reshape(1, 4, 1)).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


def _tuple(v, n):
    return (int(v),) * n if isinstance(v, numbers.Integral) else tuple(int(x) for x in v)


def _max_unpool(dims, input, indices, kernel_size, stride, padding, output_size):
    ks = _tuple(kernel_size, dims)
    st = _tuple(stride if stride is not None else kernel_size, dims)
    pd = _tuple(padding, dims)
    if indices.dtype != ag.int64:  # PyTorch's first check (3-D's message names no dtype)
        got = "" if dims == 3 else f" but got: {SCALAR_NAMES[indices.dtype.name]}"
        raise RuntimeError(f"elements in indices should be type int64{got}")
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"max_unpool{dims}d: expected a {dims + 1}-D or {dims + 2}-D input, "
                           f"got {list(input.shape)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    default = [(i - 1) * s - 2 * p + k for i, s, p, k in
               zip(input.shape[-dims:], st, pd, ks)]
    if output_size is None:
        size = default
    else:
        size = [int(v) for v in tuple(output_size)[-dims:]]
        if len(tuple(output_size)) not in (dims, dims + 1, dims + 2):
            raise ValueError(f"output_size should be a sequence containing {dims} or "
                             f"{dims + 2} elements, but it has a length of "
                             f"'{len(tuple(output_size))}'")
        for d in range(dims):
            low, high = default[d] - st[d], default[d] + st[d]
            if not low < size[d] < high:
                raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {d} must be '
                                 f"between {low} and {high})")
    plane = 1
    for v in size:
        plane *= v
    lead = tuple(input.shape[:-dims])
    inner = int(np.prod(input.shape[-dims:]))  # (not -1: an empty batch has no size to infer)
    index = np.asarray(indices._data, np.int64).reshape(*lead, inner)
    bad = index[(index < 0) | (index >= plane)]
    if bad.size:
        shown = [*size, 1] if len(size) == 1 else size  # PyTorch's 1-D goes through its 2-D
        raise RuntimeError(f"Found an invalid max index: {int(bad[0])} (output volumes are of "
                           f"size {'x'.join(str(v) for v in shown)})")
    out = ag.zeros(*lead, plane, dtype=input.dtype).scatter(
        -1, ag.tensor(index), input.reshape(*lead, inner))
    return out.reshape(*lead, *size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool1d(..., return_indices=True)``: each value put back
    where its maximum was, zeros elsewhere.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> out, idx = F.max_pool1d(ag.tensor([[[1.0, 3.0, 4.0, 2.0]]]), 2, return_indices=True)
        >>> F.max_unpool1d(out, idx, 2)
        tensor([[[0., 3., 4., 0.]]])
    """
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool2d(..., return_indices=True)`` (see
    :func:`max_unpool1d`); ``output_size`` picks among the sizes a strided pooling maps to the
    same size.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.tensor([[[[1.0, 2.0], [4.0, 3.0]]]])
        >>> F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2)
        tensor([[[[0., 0.],
                  [4., 0.]]]])
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """The partial inverse of ``max_pool3d(..., return_indices=True)`` (see
    :func:`max_unpool1d`).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> x = ag.arange(8.0).reshape(1, 1, 2, 2, 2)
        >>> F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2).flatten().tolist()
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7.0]
    """
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


class _MaxUnpoolNd(Module):
    _dims = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        n = self._dims
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride if stride is not None else kernel_size, n)
        self.padding = _tuple(padding, n)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return _max_unpool(self._dims, input, indices, self.kernel_size, self.stride,
                           self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool1d`` (see :func:`max_unpool1d`).

    Example::

        >>> import autograd_core as ag, nn
        >>> pool, unpool = nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2)
        >>> unpool(*pool(ag.tensor([[[1.0, 3.0, 4.0, 2.0]]])))
        tensor([[[0., 3., 4., 0.]]])
    """

    _dims = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool2d`` (see :func:`max_unpool2d`).

    Example::

        >>> import nn
        >>> nn.MaxUnpool2d(2)
        MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    """

    _dims = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool3d`` (see :func:`max_unpool3d`).

    Example::

        >>> import nn
        >>> nn.MaxUnpool3d(2, stride=1)
        MaxUnpool3d(kernel_size=(2, 2, 2), stride=(1, 1, 1), padding=(0, 0, 0))
    """

    _dims = 3


# (a number or a list given: PyTorch's TypeError naming the op, not an AttributeError inside)
rrelu, channel_shuffle = typed(rrelu, "rrelu"), typed(channel_shuffle, "channel_shuffle")
