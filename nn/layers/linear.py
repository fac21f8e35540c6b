"""``Linear``, ``Identity``, ``Flatten``."""

from __future__ import annotations

import math

import numpy as np

import autograd_core as ag
from nn import init
from nn.layers import _check
from nn.module import Module
from nn.ops import LinearOp
from nn.parameter import Parameter


class Linear(Module):
    """``y = x @ weight.T + bias`` with ``weight`` of shape ``(out_features, in_features)``.

    PyTorch's default initialisation: ``kaiming_uniform_(weight, a=sqrt(5))``, i.e.
    ``U(-1/sqrt(in_features), 1/sqrt(in_features))``, and the bias from the same interval.
    Forward and backward are one graph node (``nn.ops.LinearOp``).
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
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

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
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

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input (constructor arguments are accepted and ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Flattens dims ``start_dim..end_dim`` (default: all but the batch dim)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = _check.dim("Flatten", "start_dim", start_dim)
        self.end_dim = _check.dim("Flatten", "end_dim", end_dim)

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
