"""Activation modules (thin wrappers over the fused activation ops of ``autograd_core``).

``inplace=True`` is accepted (and shown in the repr) but the result is always a new tensor.
"""

from __future__ import annotations

import autograd_core as ag
from autograd_core.ops import activation as _act
from nn import functional as F
from nn.layers import _check
from nn.module import Module

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "Softplus", "Softmax", "LogSoftmax",
           "SiLU"]


class ReLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return _act.Relu.apply(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01, inplace=False):
        negative_slope = _check.number("LeakyReLU", "negative_slope", negative_slope)
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return ag.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                         else "")


class Sigmoid(Module):
    def forward(self, input):
        return _act.Sigmoid.apply(input)


class Tanh(Module):
    def forward(self, input):
        return _act.Tanh.apply(input)


class GELU(Module):
    def __init__(self, approximate="none"):
        if not isinstance(approximate, str) or approximate not in ("none", "tanh"):
            raise ValueError("GELU: approximate argument must be either 'none' or 'tanh', got "
                             f"{approximate!r}")
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return ag.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        _check.number("Softplus", "beta", beta)
        _check.number("Softplus", "threshold", threshold)
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return ag.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = _check.dim("Softmax", "dim", dim, allow_none=True)

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = _check.dim("LogSoftmax", "dim", dim, allow_none=True)

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class SiLU(Module):
    """``x * sigmoid(x)``, elementwise."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return ag.silu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""
