"""``Linear``, ``Bilinear``, ``Identity``, ``Flatten``, ``Unflatten``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd_core as ag
from nn import functional as F
from nn import init
from nn.layers import _check
from nn.module import Module
from autograd_core import Tensor
from autograd_core.ops.registry import not_a_tensor
from nn.ops import LinearOp
from nn.parameter import Parameter


class Linear(Module):
    r"""Applies an affine map :math:`y = x W^T + b`.

    PyTorch's default initialisation: ``kaiming_uniform_(weight, a=sqrt(5))``, i.e.
    ``U(-1/sqrt(in_features), 1/sqrt(in_features))``, and the bias from the same interval.
    Forward and backward are one graph node (``nn.ops.LinearOp``).

    Args:
        in_features (int): size of each input sample.
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype (float32).

    Shape:
        - Input: ``(*, in_features)``
        - Output: ``(*, out_features)``

    Attributes:
        weight (Parameter): ``(out_features, in_features)``.
        bias (Parameter or None): ``(out_features,)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.Linear(20, 30)
        >>> m(ag.randn(128, 20)).shape
        autograd_core.Size([128, 30])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        _check.device("Linear", device)
        in_features = _check.size("Linear", "in_features", in_features)
        out_features = _check.size("Linear", "out_features", out_features)
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((self.out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draws ``weight`` and ``bias`` with the default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        try:
            return LinearOp.apply(input, self.weight, self.bias)
        except RuntimeError as exc:  # restate in the layer's terms (zero cost on success)
            shape = tuple(getattr(input, "shape", ()))
            if not shape or shape[-1] != self.in_features:
                raise RuntimeError(
                    f"{self!r}: expected input with last dimension {self.in_features} "
                    f"(in_features), got input of shape {shape}"
                ) from None
            raise RuntimeError(f"{self!r}: {exc}") from exc
        except AttributeError:  # model([[1.0, 2.0]]): PyTorch's TypeError, linear's words
            not_a_tensor("linear", F.linear, (input, self.weight, self.bias), {})
            raise

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    r"""Applies the bilinear map :math:`y = x_1^T A x_2 + b` to two inputs.

    PyTorch's default initialisation: ``weight`` and ``bias`` from
    ``U(-1/sqrt(in1_features), 1/sqrt(in1_features))``.

    Args:
        in1_features (int): size of each first input sample.
        in2_features (int): size of each second input sample.
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): parameter dtype. Default: the default dtype (float32).

    Shape:
        - Inputs: ``(*, in1_features)`` and ``(*, in2_features)``, the same ``*``.
        - Output: ``(*, out_features)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.Bilinear(20, 30, 40)
        >>> m
        Bilinear(in1_features=20, in2_features=30, out_features=40, bias=True)
        >>> m(ag.randn(128, 20), ag.randn(128, 30)).shape
        autograd_core.Size([128, 40])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        _check.device("Bilinear", device)
        in1_features = _check.size("Bilinear", "in1_features", in1_features)
        in2_features = _check.size("Bilinear", "in2_features", in2_features)
        out_features = _check.size("Bilinear", "out_features", out_features)
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        dtype = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features),
                                         dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((out_features,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draws ``weight`` and ``bias`` from ``U(-1/sqrt(in1_features), ...)``."""
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features="
                             f"{self.in1_features})")
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return ag.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Identity(Module):
    """A placeholder layer that returns its input.

    Args:
        args: any arguments, accepted and ignored (as PyTorch).
        kwargs: any keyword arguments, accepted and ignored.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, the same tensor.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.Identity(54, unused_argument=0.1)
        >>> m(ag.ones(2, 3)).shape
        autograd_core.Size([2, 3])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Flatten(Module):
    """Flattens the dims ``start_dim..end_dim`` (inclusive) into one.

    Args:
        start_dim (int): first dim to flatten. Default: ``1`` (keep the batch dim).
        end_dim (int): last dim to flatten. Default: ``-1``.

    Shape:
        - Input: ``(*, S_start, ..., S_end, *)``
        - Output: ``(*, prod(S_start..S_end), *)``

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Flatten()(ag.zeros(32, 1, 5, 5)).shape
        autograd_core.Size([32, 25])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = _check.dim("Flatten", "start_dim", start_dim)
        self.end_dim = _check.dim("Flatten", "end_dim", end_dim)

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dim ``dim`` of the input into ``unflattened_size`` (one entry may be -1).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Unflatten(1, (2, 3))(ag.zeros(4, 6)).shape
        autograd_core.Size([4, 2, 3])
    """

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        if isinstance(dim, str):
            raise NotImplementedError("Unflatten: named dimensions are not supported here")
        self.dim = _check.dim("Unflatten", "dim", dim)
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError("unflattened_size must be tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        shape = tuple(input.shape)
        d = self.dim + len(shape) if self.dim < 0 else self.dim
        if not 0 <= d < len(shape):
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-len(shape)}, {len(shape) - 1}], but got {self.dim})")
        sizes = list(self.unflattened_size)
        known = math.prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if sizes.count(-1) > 1:
                raise RuntimeError("only one dimension can be inferred")
            if known == 0 or shape[d] % known:
                raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the "
                                   f"size of dim {self.dim} ({shape[d]}) in the input tensor")
            sizes[sizes.index(-1)] = shape[d] // known
        elif known != shape[d]:
            raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size "
                               f"of dim {self.dim} ({shape[d]}) in the input tensor")
        return input.reshape(shape[:d] + tuple(sizes) + shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
