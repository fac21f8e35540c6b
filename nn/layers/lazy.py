"""Lazy modules (PyTorch's ``torch.nn.modules.lazy``): layers whose input size is read from
their first input. ``nn.LazyLinear(10)`` holds ``UninitializedParameter``s; its first forward
sets ``in_features``, gives the parameters their shapes, draws them with the layer's default
initialisation and turns the module into a plain ``nn.Linear`` (PyTorch's ``cls_to_become``).
The parameters stay the same objects, so an optimizer made before the first forward (d2l's
``Trainer``) trains them."""

from __future__ import annotations

import itertools
from typing import Any

import autograd_core as ag
from autograd_core import Tensor
from nn.layers.conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
                            ConvTranspose3d)
from nn.layers.linear import Linear
from nn.layers.normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                                     InstanceNorm2d, InstanceNorm3d)
from nn.parameter import UninitializedBuffer, UninitializedParameter

__all__ = ["LazyModuleMixin", "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d",
           "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
           "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d",
           "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]

_LAZY = (UninitializedParameter, UninitializedBuffer)


class LazyModuleMixin:
    """Infers a module's parameter shapes from its first input (PyTorch's
    ``nn.modules.lazy.LazyModuleMixin``): a forward pre-hook calls ``initialize_parameters``
    with the inputs, then the module becomes ``cls_to_become``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> net = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(1))
        >>> net[0].has_uninitialized_params()
        True
        >>> net(ag.randn(8, 3)).shape
        autograd_core.Size([8, 1])
        >>> net[0], isinstance(net[0], nn.LazyModuleMixin)
        (Linear(in_features=3, out_features=4, bias=True), False)
    """

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._initialize_hook = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            _infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer has no shape yet."""
        d = self.__dict__
        return any(isinstance(t, _LAZY) for t in itertools.chain(
            d["_parameters"].values(), d["_buffers"].values()))

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Give the parameters their shapes from the first inputs (each lazy layer's own)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{type(self).__name__}")


def _infer_parameters(module: Any, args: tuple) -> None:
    with ag.no_grad():
        module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _check_batched(owner: str, input: Any, ndim: int) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{owner}: expected a Tensor input, got {type(input).__name__}")
    if input.ndim < ndim:
        raise ValueError(f"{owner}: cannot infer the input size from an input of shape "
                         f"{tuple(input.shape)}")


class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` whose ``in_features`` is the last dimension of its first input (PyTorch's
    ``nn.LazyLinear``); it then becomes an ``nn.Linear`` with the default initialisation.

    Args:
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.LazyLinear(5)
        >>> m
        LazyLinear(in_features=0, out_features=5, bias=True)
        >>> m(ag.randn(2, 3)).shape, m
        (autograd_core.Size([2, 5]), Linear(in_features=3, out_features=5, bias=True))
    """

    cls_to_become = Linear
    weight: UninitializedParameter

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, 0, False, device, dtype)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self) -> None:
        """The default initialisation, once the parameters have their shapes."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]
        """``in_features = input.shape[-1]``; the parameters get their shapes and values."""
        if self.has_uninitialized_params():
            _check_batched("LazyLinear", input, 1)
            self.in_features = int(input.shape[-1])
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()
        elif self.in_features == 0:  # materialised by load_state_dict (PyTorch's, too)
            _check_batched("LazyLinear", input, 1)
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(f"The in_features inferred from input: {input.shape[-1]} is "
                                     "not equal to in_features from self.weight: "
                                     f"{self.weight.shape[-1]}")
            self.in_features = int(input.shape[-1])


class _LazyConvXdMixin(LazyModuleMixin):
    """The lazy convolutions' shared part: ``in_channels`` from dim 1 of a batched input
    (dim 0 of an unbatched one)."""

    _nd: int
    _transposed: bool
    in_channels: int
    out_channels: int
    groups: int
    kernel_size: tuple
    bias: Any
    weight: Any

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, 1, False,  # type: ignore[call-arg]
                         padding_mode, device, dtype)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels, self.groups = out_channels, groups
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)

    def reset_parameters(self) -> None:
        """The default initialisation, once the parameters have their shapes."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]
        """``in_channels`` from the input; the parameters get their shapes and values."""
        if self.has_uninitialized_params():
            owner = type(self).__name__
            _check_batched(owner, input, self._nd + 1)
            self.in_channels = int(input.shape[1] if input.ndim == self._nd + 2
                                   else input.shape[0])
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            pair = ((self.in_channels, self.out_channels // self.groups) if self._transposed
                    else (self.out_channels, self.in_channels // self.groups))
            self.weight.materialize((*pair, *self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()
        elif self.in_channels == 0:  # the parameters came from load_state_dict
            w = self.weight.shape
            self.in_channels = int(w[0] if self._transposed else w[1] * self.groups)


class LazyConv1d(_LazyConvXdMixin, Conv1d):
    """A ``Conv1d`` whose ``in_channels`` is read from its first input (PyTorch's
    ``nn.LazyConv1d``); it then becomes an ``nn.Conv1d``. Arguments as ``Conv1d``'s, without
    ``in_channels``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyConv1d(4, 3)
        >>> m(ag.randn(2, 6, 10)).shape, m.weight.shape
        (autograd_core.Size([2, 4, 8]), autograd_core.Size([4, 6, 3]))
    """

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvXdMixin, Conv2d):
    """A ``Conv2d`` whose ``in_channels`` is read from its first input (PyTorch's
    ``nn.LazyConv2d``, d2l's LeNet and ResNet); it then becomes an ``nn.Conv2d``. Arguments as
    ``Conv2d``'s, without ``in_channels``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyConv2d(6, kernel_size=5, padding=2)
        >>> m(ag.randn(1, 3, 8, 8)).shape
        autograd_core.Size([1, 6, 8, 8])
        >>> m
        Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    """

    cls_to_become = Conv2d


class LazyConv3d(_LazyConvXdMixin, Conv3d):
    """A ``Conv3d`` whose ``in_channels`` is read from its first input (PyTorch's
    ``nn.LazyConv3d``); it then becomes an ``nn.Conv3d``. Arguments as ``Conv3d``'s, without
    ``in_channels``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyConv3d(2, 1)
        >>> m(ag.randn(1, 3, 2, 2, 2)).shape, m.in_channels
        (autograd_core.Size([1, 2, 2, 2, 2]), 3)
    """

    cls_to_become = Conv3d


class _LazyConvTransposeXdMixin(_LazyConvXdMixin):
    """The lazy transposed convolutions' constructor (PyTorch's argument order, with
    ``output_padding``); the weight becomes ``(in_channels, out_channels / groups, *k)``."""

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        LazyModuleMixin.__init__(self, 0, 0, kernel_size, stride, padding, output_padding, 1,
                                 False, dilation, padding_mode, device, dtype)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels, self.groups = out_channels, groups
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)


class LazyConvTranspose1d(_LazyConvTransposeXdMixin, ConvTranspose1d):
    """A ``ConvTranspose1d`` whose ``in_channels`` is read from its first input (PyTorch's
    ``nn.LazyConvTranspose1d``); it then becomes an ``nn.ConvTranspose1d`` with its default
    initialisation. Arguments as ``ConvTranspose1d``'s, without ``in_channels``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyConvTranspose1d(4, 3, stride=2)
        >>> m(ag.randn(2, 6, 5)).shape, m.weight.shape
        (autograd_core.Size([2, 4, 11]), autograd_core.Size([6, 4, 3]))
    """

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeXdMixin, ConvTranspose2d):
    """A ``ConvTranspose2d`` whose ``in_channels`` is read from its first input (PyTorch's
    ``nn.LazyConvTranspose2d``, a decoder's upsampling); it then becomes an
    ``nn.ConvTranspose2d``. Arguments as ``ConvTranspose2d``'s, without ``in_channels``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyConvTranspose2d(4, kernel_size=2, stride=2, groups=2)
        >>> m(ag.randn(1, 6, 3, 3)).shape
        autograd_core.Size([1, 4, 6, 6])
        >>> m
        ConvTranspose2d(6, 4, kernel_size=(2, 2), stride=(2, 2), groups=2)
    """

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeXdMixin, ConvTranspose3d):
    """A ``ConvTranspose3d`` whose ``in_channels`` is read from its first input (PyTorch's
    ``nn.LazyConvTranspose3d``); it then becomes an ``nn.ConvTranspose3d``. Arguments as
    ``ConvTranspose3d``'s, without ``in_channels``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyConvTranspose3d(2, 1)
        >>> m(ag.randn(1, 3, 2, 2, 2)).shape, m.in_channels
        (autograd_core.Size([1, 2, 2, 2, 2]), 3)
    """

    cls_to_become = ConvTranspose3d


class _LazyNormBase(LazyModuleMixin):
    """The lazy batch norms' shared part: ``num_features`` from dim 1 of the first input."""

    num_features: int
    affine: bool
    track_running_stats: bool
    weight: Any
    bias: Any
    running_mean: Any
    running_var: Any

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(1, eps, momentum, False, False, device, dtype)  # type: ignore[call-arg]
        self.num_features, self.affine = 0, affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
            self.num_batches_tracked = ag.tensor(0, dtype=ag.int64)

    def reset_parameters(self) -> None:
        """Ones and zeros (and fresh running statistics), once the shapes are known."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]
        """``num_features = input.shape[1]``; the parameters and buffers get their shapes."""
        if self.has_uninitialized_params():
            _check_batched(type(self).__name__, input, 2)
            self.num_features = int(input.shape[1])
            shape = (self.num_features,)
            if self.affine:
                self.weight.materialize(shape)
                if self.bias is not None:
                    self.bias.materialize(shape)
            if self.track_running_stats:
                self.running_mean.materialize(shape)
                self.running_var.materialize(shape)
            self.reset_parameters()
        elif self.num_features == 0 and (self.affine or self.track_running_stats):
            # materialised by load_state_dict: the checkpoint's size (PyTorch's keeps 0, and
            # then its instance norms refuse the input)
            self.num_features = int(self.running_mean.shape[0] if self.track_running_stats
                                    else self.weight.shape[0])


class LazyBatchNorm1d(_LazyNormBase, BatchNorm1d):
    """A ``BatchNorm1d`` whose ``num_features`` is read from its first input (PyTorch's
    ``nn.LazyBatchNorm1d``); it then becomes an ``nn.BatchNorm1d``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> bn = nn.LazyBatchNorm1d()
        >>> bn(ag.randn(4, 3)).shape, bn.num_features, bn.running_mean.shape
        (autograd_core.Size([4, 3]), 3, autograd_core.Size([3]))
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, BatchNorm2d):
    """A ``BatchNorm2d`` whose ``num_features`` is read from its first input (PyTorch's
    ``nn.LazyBatchNorm2d``, d2l's ResNet); it then becomes an ``nn.BatchNorm2d``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> bn = nn.LazyBatchNorm2d()
        >>> bn(ag.randn(2, 5, 3, 3)).shape, bn
        (autograd_core.Size([2, 5, 3, 3]), BatchNorm2d(5, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True))
    """

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormBase, BatchNorm3d):
    """A ``BatchNorm3d`` whose ``num_features`` is read from its first input (PyTorch's
    ``nn.LazyBatchNorm3d``); it then becomes an ``nn.BatchNorm3d``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> bn = nn.LazyBatchNorm3d()
        >>> bn(ag.randn(2, 4, 2, 2, 2)).shape, bn.num_features
        (autograd_core.Size([2, 4, 2, 2, 2]), 4)
    """

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormBase, InstanceNorm1d):
    """An ``InstanceNorm1d`` whose ``num_features`` is read from dim 1 of its first input
    (PyTorch's ``nn.LazyInstanceNorm1d``); it then becomes an ``nn.InstanceNorm1d``. As in
    PyTorch, ``affine`` and ``track_running_stats`` default to ``True`` here (without either,
    nothing is lazy and ``num_features`` stays 0).

    Args:
        eps (float): added to the variance. Default: 1e-5.
        momentum (float, optional): the running statistics' update factor. Default: 0.1.
        affine (bool): learn a per-channel scale and shift. Default: ``True``.
        track_running_stats (bool): keep running statistics. Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype.
        bias (bool, keyword-only): learn the shift (with ``affine``). Default: ``True``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyInstanceNorm1d()
        >>> m(ag.randn(2, 3, 5)).shape, m
        (autograd_core.Size([2, 3, 5]), InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True))
    """

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormBase, InstanceNorm2d):
    """An ``InstanceNorm2d`` whose ``num_features`` is read from dim 1 of its first input
    (PyTorch's ``nn.LazyInstanceNorm2d``); it then becomes an ``nn.InstanceNorm2d``.
    Arguments as ``LazyInstanceNorm1d``'s (``affine`` and ``track_running_stats`` default to
    ``True``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyInstanceNorm2d()
        >>> m(ag.randn(2, 4, 3, 3)).shape, m.num_features, m.running_var.shape
        (autograd_core.Size([2, 4, 3, 3]), 4, autograd_core.Size([4]))
    """

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormBase, InstanceNorm3d):
    """An ``InstanceNorm3d`` whose ``num_features`` is read from dim 1 of its first input
    (PyTorch's ``nn.LazyInstanceNorm3d``); it then becomes an ``nn.InstanceNorm3d``.
    Arguments as ``LazyInstanceNorm1d``'s (``affine`` and ``track_running_stats`` default to
    ``True``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.LazyInstanceNorm3d(affine=False)
        >>> m(ag.randn(1, 2, 2, 2, 2)).shape, m.num_features, m.weight
        (autograd_core.Size([1, 2, 2, 2, 2]), 2, None)
    """

    cls_to_become = InstanceNorm3d
