"""Activations on the fused Numba kernels (``autograd_core.kernels``).

Plain backward calls the fused backward kernel; under ``create_graph`` each rule gives the
same derivative as a composite of recorded ops, so second derivatives work. Tests hold the two
modes equal.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_core import kernels as K
from autograd_core.function import Op
from autograd_core.ops import _xp as xp


def _float(x, op):
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point tensor, got {x.dtype}")
    return x


class Sigmoid(Op):
    def forward(self, x):
        y = K.sigmoid_forward(_float(x, "sigmoid"))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        if self.differentiable:
            return (g * y * (1.0 - y),)
        return (K.sigmoid_backward(y, g),)


class Tanh(Op):
    def forward(self, x):
        y = K.tanh_forward(_float(x, "tanh"))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        if self.differentiable:
            return (g * (1.0 - y * y),)
        return (K.tanh_backward(y, g),)


class Relu(Op):
    def forward(self, x):
        if x.dtype.kind != "f":
            return np.maximum(x, 0)
        y = K.relu_forward(x)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        if self.differentiable:
            return (xp.where(y.data > 0, g, 0.0),)
        # relu_backward masks on its first argument > 0; y > 0 exactly where x > 0
        return (K.relu_backward(y, g),)


class LeakyRelu(Op):
    def forward(self, x, negative_slope):
        self.slope = negative_slope
        self.save_for_backward(x)
        return K.leaky_relu_forward(_float(x, "leaky_relu"), negative_slope)

    def backward(self, g):
        (x,) = self.saved
        if self.differentiable:
            return (xp.where(x.data > 0, g, g * self.slope),)
        return (K.leaky_relu_backward(x, g, self.slope),)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = 0.044715


class Gelu(Op):
    """GELU, exact (``approximate='none'``: x Phi(x)) or the tanh approximation."""

    def forward(self, x, approximate):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate
        self.save_for_backward(x)
        return K.gelu_forward(_float(x, "gelu"), approximate)

    def backward(self, g):
        (x,) = self.saved
        if self.differentiable:
            return (g * GeluGrad.apply(x, approximate=self.approximate),)
        return (K.gelu_backward(x, g, self.approximate),)


class GeluGrad(Op):
    """gelu'(x) as a primitive (used under create_graph); its own derivative is composite."""

    def forward(self, x, approximate):
        self.approximate = approximate
        self.save_for_backward(x)
        return K.gelu_backward(x, np.ones_like(x), approximate)

    def backward(self, g):
        (x,) = self.saved
        if self.approximate == "none":
            # d/dx [Phi(x) + x phi(x)] = phi(x) (2 - x^2)
            second = xp.exp(x * x * -0.5) * _INV_SQRT_2PI * (2.0 - x * x)
        else:
            u = (x + x * x * x * _GELU_C) * _SQRT_2_OVER_PI
            du = (x * x * (3.0 * _GELU_C) + 1.0) * _SQRT_2_OVER_PI
            d2u = x * (6.0 * _GELU_C * _SQRT_2_OVER_PI)
            t = xp.tanh(u)
            sech2 = 1.0 - t * t
            second = sech2 * (du - x * t * du * du + x * d2u * 0.5)
        return (g * second,)


class Softplus(Op):
    """log(1 + exp(beta x)) / beta; linear where beta x > threshold (PyTorch)."""

    def forward(self, x, beta, threshold):
        self.beta, self.threshold = beta, threshold
        self.save_for_backward(x)
        return K.softplus_forward(_float(x, "softplus"), beta, threshold)

    def backward(self, g):
        (x,) = self.saved
        if self.differentiable:
            linear = x.data * self.beta > self.threshold
            return (xp.where(linear, g, g * xp.sigmoid(x * self.beta)),)
        return (K.softplus_backward(x, g, self.beta, self.threshold),)
