"""Binary elementwise ops with numpy broadcasting (the engine sums gradients back to shape)."""

from __future__ import annotations

import numpy as np

from autograd_core.function import Op
from autograd_core.ops import _xp as xp


def _shape(a):
    return np.shape(a)


def _broadcast_error(op, a, b):
    return ValueError(
        f"{op}: shapes {tuple(_shape(a))} and {tuple(_shape(b))} cannot be broadcast together"
    )


class Add(Op):
    def forward(self, a, b):
        try:
            return a + b
        except ValueError:
            raise _broadcast_error("add", a, b) from None

    def backward(self, g):
        return g, g


class Sub(Op):
    def forward(self, a, b):
        try:
            return a - b
        except ValueError:
            raise _broadcast_error("sub", a, b) from None

    def backward(self, g):
        return g, -g


class Mul(Op):
    def forward(self, a, b):
        n = self.needs_input_grad
        self.save_for_backward(b if n[0] else None, a if n[1] else None)
        try:
            return a * b
        except ValueError:
            raise _broadcast_error("mul", a, b) from None

    def backward(self, g):
        b, a = self.saved
        return (None if b is None else g * b), (None if a is None else g * a)


class Div(Op):
    def forward(self, a, b):
        n = self.needs_input_grad
        self.save_for_backward(a if n[1] else None, b)
        try:
            return a / b
        except ValueError:
            raise _broadcast_error("div", a, b) from None

    def backward(self, g):
        a, b = self.saved
        n = self.needs_input_grad
        ga = g / b if n[0] else None
        gb = -g * a / (b * b) if n[1] else None
        return ga, gb


class Pow(Op):
    """a ** b with tensor exponent. d/db = a**b * log(a), taken as 0 where a == 0 and b >= 0
    (PyTorch's convention)."""

    def forward(self, a, b):
        try:
            y = np.power(a, b)
        except ValueError:
            raise _broadcast_error("pow", a, b) from None
        self.save_for_backward(a, b, y)
        return y

    def backward(self, g):
        a, b, y = self.saved
        n = self.needs_input_grad
        ga = gb = None
        if n[0]:
            ga = g * b * a ** (b - 1)
        if n[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                zero_base = (xp.data(a) == 0) & (xp.data(b) >= 0)
                gb = g * xp.where(zero_base, 0.0, y * xp.log(xp.where(zero_base, 1.0, a)))
        return ga, gb


class Maximum(Op):
    """Elementwise maximum; at ties the gradient is split equally (PyTorch's rule)."""

    pick = staticmethod(np.maximum)
    greater = staticmethod(np.greater)

    def forward(self, a, b):
        try:
            y = self.pick(a, b)
        except ValueError:
            raise _broadcast_error(type(self).__name__.lower(), a, b) from None
        a_, b_ = np.asarray(a), np.asarray(b)
        self.save_for_backward(self.greater(a_, b_), a_ == b_)
        return y

    def backward(self, g):
        a_wins, tie = self.saved
        half = g * 0.5
        ga = xp.where(tie, half, xp.where(a_wins, g, 0.0))
        gb = xp.where(tie, half, xp.where(a_wins, 0.0, g))
        return ga, gb


class Minimum(Maximum):
    pick = staticmethod(np.minimum)
    greater = staticmethod(np.less)


class Where(Op):
    """where(cond, a, b); ``cond`` is a constant (bool array)."""

    def forward(self, cond, a, b):
        cond = np.asarray(cond, dtype=bool)
        self.save_for_backward(cond)
        try:
            return np.where(cond, a, b)
        except ValueError:
            raise ValueError(
                f"where: shapes {cond.shape}, {_shape(a)} and {_shape(b)} cannot be broadcast "
                "together"
            ) from None

    def backward(self, g):
        (cond,) = self.saved
        n = self.needs_input_grad
        ga = xp.where(cond, g, 0.0) if n[1] else None
        gb = xp.where(cond, 0.0, g) if n[2] else None
        return None, ga, gb


def compare(fn, a, b):
    """Comparison ops: a bool tensor, never recorded."""
    from autograd_core.tensor import Tensor

    ra = a.data if isinstance(a, Tensor) else a
    rb = b.data if isinstance(b, Tensor) else b
    try:
        out = fn(ra, rb)
    except ValueError:
        raise _broadcast_error(fn.__name__, ra, rb) from None
    return Tensor._make(np.asarray(out), None, False)
