"""Activation modules (thin wrappers over the fused activation ops of ``autograd_core``).

``inplace=True`` writes the result into the input, as PyTorch's.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops import activation as _act
from nn import functional as F
from nn.layers import _check
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "Softplus", "Softmax", "LogSoftmax",
           "SiLU", "ELU", "CELU", "SELU", "Mish", "Hardswish", "Hardsigmoid", "ReLU6", "Hardtanh",
           "LogSigmoid", "Softsign", "Tanhshrink", "PReLU", "Softmax2d", "GLU", "Softmin",
           "Hardshrink", "Softshrink", "Threshold"]


class ReLU(Module):
    r"""Applies the rectified linear unit :math:`\max(0, x)` elementwise.

    Args:
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ReLU()(ag.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu_(input) if self.inplace else _act.Relu.apply(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    r"""Applies :math:`\max(0, x) + \text{negative\_slope} \cdot \min(0, x)` elementwise.

    Args:
        negative_slope (float): slope for negative inputs. Default: ``0.01``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.LeakyReLU(0.1)(ag.tensor([-1.0, 2.0]))
        tensor([-0.1000,  2.0000])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        negative_slope = _check.number("LeakyReLU", "negative_slope", negative_slope)
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                         else "")


class Sigmoid(Module):
    r"""Applies the logistic function :math:`1 / (1 + e^{-x})` elementwise.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Sigmoid()(ag.tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return _act.Sigmoid.apply(input)


class Tanh(Module):
    """Applies the hyperbolic tangent elementwise.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Tanh()(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7616])
    """

    def forward(self, input: Tensor) -> Tensor:
        return _act.Tanh.apply(input)


class GELU(Module):
    r"""Applies the Gaussian error linear unit :math:`x \Phi(x)` elementwise.

    Args:
        approximate (str): ``'none'`` (exact, with erf) or ``'tanh'`` (the tanh
            approximation). Default: ``'none'``.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.GELU(approximate="tanh")(ag.tensor([1.0]))
        tensor([0.8412])
    """

    def __init__(self, approximate: str = "none") -> None:
        if not isinstance(approximate, str) or approximate not in ("none", "tanh"):
            raise ValueError("GELU: approximate argument must be either 'none' or 'tanh', got "
                             f"{approximate!r}")
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return ag.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    r"""Applies :math:`\frac{1}{\beta} \log(1 + e^{\beta x})` elementwise (linear where
    :math:`\beta x > \text{threshold}`).

    Args:
        beta (float): the :math:`\beta` above. Default: ``1.0``.
        threshold (float): above this ``beta * x`` the output is ``x``. Default: ``20.0``.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Softplus(beta=2.0)(ag.tensor([0.0]))
        tensor([0.3466])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        _check.number("Softplus", "beta", beta)
        _check.number("Softplus", "threshold", threshold)
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return ag.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    r"""Applies :math:`\exp(x_i) / \sum_j \exp(x_j)` along ``dim``.

    Args:
        dim (int): the dim along which the output sums to 1 (``None``: PyTorch's deprecated
            implicit choice, with its warning). Default: ``None``.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Softmax(dim=1)(ag.tensor([[1.0, 1.0, 1.0, 1.0]]))
        tensor([[0.2500, 0.2500, 0.2500, 0.2500]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = _check.dim("Softmax", "dim", dim, allow_none=True)

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels at every spatial position of a ``(N, C, H, W)`` or
    ``(C, H, W)`` input (``softmax`` along dim ``-3``).

    Shape:
        - Input: ``(N, C, H, W)`` or ``(C, H, W)``; Output: the same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Softmax2d()(ag.zeros(1, 4, 2, 2))[0, :, 0, 0]
        tensor([0.2500, 0.2500, 0.2500, 0.2500])
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             "instead")
        return F.softmax(input, -3, _stacklevel=5)


class LogSoftmax(Module):
    r"""Applies :math:`x_i - \log \sum_j \exp(x_j)` along ``dim``.

    Args:
        dim (int): the dim to normalise along (``None``: PyTorch's deprecated implicit
            choice, with its warning). Default: ``None``.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.LogSoftmax(dim=0)(ag.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = _check.dim("LogSoftmax", "dim", dim, allow_none=True)

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class SiLU(Module):
    r"""Applies the sigmoid linear unit :math:`x \cdot \sigma(x)` elementwise.

    Args:
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Shape:
        - Input: ``(*)``; Output: ``(*)``, same shape.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.SiLU()(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        if self.inplace:
            return F._in_place(input, lambda: ag.silu(input), "silu_")
        return ag.silu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


# ---- issue 12: the other activations of torch.nn (each calls its nn.functional form) -------
class _Inplace(Module):
    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class _Alpha(Module):
    """ELU's and CELU's ``alpha`` and ``inplace`` (siblings, as PyTorch's: a CELU is not an
    ELU)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class ELU(_Alpha):
    r"""Applies :math:`x` for :math:`x > 0`, else :math:`\alpha (e^x - 1)`, elementwise.

    Args:
        alpha (float): the scale of the negative part. Default: ``1.0``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ELU()(ag.tensor([-1.0, 2.0]))
        tensor([-0.6321,  2.0000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)


class CELU(_Alpha):
    r"""Applies :math:`x` for :math:`x > 0`, else :math:`\alpha (e^{x/\alpha} - 1)`,
    elementwise.

    Args:
        alpha (float): the scale. Default: ``1.0``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.CELU(2.0)(ag.tensor([-1.0, 2.0]))
        tensor([-0.7869,  2.0000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)


class SELU(_Inplace):
    r"""Applies the scaled ELU :math:`\text{scale} \cdot \text{elu}(x, \alpha)` elementwise.

    Args:
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.SELU()(ag.tensor([-1.0, 1.0]))
        tensor([-1.1113,  1.0507])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)


class Mish(_Inplace):
    r"""Applies :math:`x \tanh(\text{softplus}(x))` elementwise.

    Args:
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Mish()(ag.tensor([1.0]))
        tensor([0.8651])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, self.inplace)


class Hardswish(_Inplace):
    r"""Applies :math:`x \cdot \text{relu6}(x + 3) / 6` elementwise.

    Args:
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Hardswish()(ag.tensor([1.0, 4.0]))
        tensor([0.6667, 4.0000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch's prints no inplace


class Hardsigmoid(_Inplace):
    r"""Applies :math:`\text{relu6}(x + 3) / 6` elementwise.

    Args:
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Hardsigmoid()(ag.tensor([0.0, 1.5]))
        tensor([0.5000, 0.7500])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch's prints no inplace


class Hardtanh(Module):
    r"""Clamps the input to ``[min_val, max_val]`` elementwise.

    Args:
        min_val (float): the lower end. Default: ``-1.0``.
        max_val (float): the upper end. Default: ``1.0``.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Hardtanh()(ag.tensor([-3.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        if max_val <= min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class ReLU6(Hardtanh):
    r"""Applies :math:`\min(\max(0, x), 6)` elementwise.

    Args:
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    A ``Hardtanh`` with ``min_val=0.0`` and ``max_val=6.0`` (as PyTorch's, so it is an
    instance of ``Hardtanh``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.ReLU6()(ag.tensor([-1.0, 8.0]))
        tensor([0., 6.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def forward(self, input: Tensor) -> Tensor:
        return F.relu6(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LogSigmoid(Module):
    r"""Applies :math:`\log(1 / (1 + e^{-x}))` elementwise.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.LogSigmoid()(ag.tensor([0.0]))
        tensor([-0.6931])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softsign(Module):
    r"""Applies :math:`x / (1 + |x|)` elementwise.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Softsign()(ag.tensor([3.0]))
        tensor([0.7500])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    r"""Applies :math:`x - \tanh(x)` elementwise.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Tanhshrink()(ag.tensor([1.0]))
        tensor([0.2384])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class PReLU(Module):
    r"""Applies :math:`x` for :math:`x > 0`, else :math:`a x`, with ``num_parameters`` learnt
    slopes ``a`` (one, or one per channel of dim 1), all starting at ``init``.

    Args:
        num_parameters (int): 1 or the number of channels. Default: 1.
        init (float): the slopes' initial value. Default: ``0.25``.
        device (device, optional): ``"cpu"`` or None.
        dtype (dtype, optional): the weight's dtype. Default: the default dtype
            (``ag.get_default_dtype()``).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.PReLU()(ag.tensor([-2.0, 3.0]))
        tensor([-0.5000,  3.0000], grad_fn=<...>)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(np.full((num_parameters,), init,
                                        dtype=ag.get_default_dtype() if dtype is None
                                        else np.dtype(dtype)))

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    r"""The gated linear unit: :math:`a \otimes \sigma(b)` with :math:`a, b` the halves of the
    input along ``dim`` (see :func:`nn.functional.glu`).

    Args:
        dim (int): the dimension split in two. Default: ``-1``.

    Shape:
        - Input: ``(*, N, *)``, ``N`` even; Output: ``(*, N / 2, *)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.GLU()(ag.tensor([[1.0, 2.0, 0.0, 100.0]]))
        tensor([[0.5000, 2.0000]])
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Module):
    r"""Applies :math:`\exp(-x_i) / \sum_j \exp(-x_j)` along ``dim``.

    Args:
        dim (int): the dim along which the output sums to 1 (``None``: PyTorch's deprecated
            implicit choice, with its warning). Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Softmin(dim=1)(ag.tensor([[0.0, 1.0]]))
        tensor([[0.7311, 0.2689]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = _check.dim("Softmin", "dim", dim, allow_none=True)

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardshrink(Module):
    r"""Applies :math:`x` where :math:`|x| > \lambda`, else 0, elementwise.

    Args:
        lambd (float): the :math:`\lambda`. Default: ``0.5``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Hardshrink()(ag.tensor([-1.0, 0.2]))
        tensor([-1.,  0.])
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    r"""Applies :math:`x - \lambda` above :math:`\lambda`, :math:`x + \lambda` below
    :math:`-\lambda`, else 0, elementwise.

    Args:
        lambd (float): the :math:`\lambda` (at least 0). Default: ``0.5``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.Softshrink()(ag.tensor([-1.0, 0.2, 2.0]))
        tensor([-0.5000,  0.0000,  1.5000])
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Threshold(Module):
    r"""Applies :math:`x` where :math:`x > \text{threshold}`, else ``value``, elementwise.

    Args:
        threshold (float): the value to threshold at.
        value (float): the value written below (or at) the threshold.
        inplace (bool): write the result into ``input`` and return it. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.Threshold(0.1, 20.0)
        >>> m
        Threshold(threshold=0.1, value=20.0)
        >>> m(ag.tensor([0.0, 1.0]))
        tensor([20.,  1.])
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, value={self.value}"
                + (", inplace=True" if self.inplace else ""))
