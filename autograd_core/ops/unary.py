"""Unary elementwise math ops. Where the derivative is cheapest in terms of the output
(exp, sqrt), the output is saved instead of the input."""

from __future__ import annotations

import numpy as np

from autograd_core.function import Op
from autograd_core.ops import _xp as xp


class Neg(Op):
    def forward(self, x):
        return np.negative(x)

    def backward(self, g):
        return (-g,)


class Exp(Op):
    def forward(self, x):
        y = np.exp(x)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g * y,)


class Log(Op):
    def forward(self, x):
        self.save_for_backward(x)
        return np.log(x)

    def backward(self, g):
        (x,) = self.saved
        return (g / x,)


class Log1p(Op):
    def forward(self, x):
        self.save_for_backward(x)
        return np.log1p(x)

    def backward(self, g):
        (x,) = self.saved
        return (g / (x + 1.0),)


class Sqrt(Op):
    def forward(self, x):
        y = np.sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g / (y * 2.0),)


class Abs(Op):
    """d|x|/dx = sign(x), 0 at 0 (PyTorch's convention)."""

    def forward(self, x):
        self.save_for_backward(np.sign(x))
        return np.abs(x)

    def backward(self, g):
        (s,) = self.saved
        return (g * s,)


class Sin(Op):
    def forward(self, x):
        self.save_for_backward(x)
        return np.sin(x)

    def backward(self, g):
        (x,) = self.saved
        return (g * x.cos() if xp.is_tensor(x) else g * np.cos(x),)


class Cos(Op):
    def forward(self, x):
        self.save_for_backward(x)
        return np.cos(x)

    def backward(self, g):
        (x,) = self.saved
        return (-(g * x.sin()) if xp.is_tensor(x) else -(g * np.sin(x)),)


class PowScalar(Op):
    """x ** p for a Python number p."""

    def forward(self, x, exponent):
        self.p = exponent
        self.save_for_backward(x)
        return np.power(x, exponent)

    def backward(self, g):
        (x,) = self.saved
        p = self.p
        if p == 0:
            return (g * 0.0,)
        if p == 1:
            return (g,)
        if p == 2:
            return (g * x * 2.0,)
        return (g * p * x ** (p - 1),)


class Clamp(Op):
    """Gradient passes where lo <= x <= hi (inclusive, as PyTorch)."""

    def forward(self, x, lo, hi):
        if lo is not None and hi is not None:
            mask = (x >= lo) & (x <= hi)
        elif lo is not None:
            mask = x >= lo
        else:
            mask = x <= hi
        self.save_for_backward(mask)
        return np.clip(x, lo, hi)

    def backward(self, g):
        (mask,) = self.saved
        return (xp.where(mask, g, 0.0),)
