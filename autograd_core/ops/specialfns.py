"""The nodes behind ``autograd_core.special`` that no other op provides: the modified Bessel
functions ``i0`` and ``i1``, the normal distribution's ``log_ndtr`` and ``ndtri``, ``entr`` and
``xlog1py``. Each computes in float64 (numpy, no scipy) and rounds to the input's dtype; each
backward rule is written with differentiable ops, so higher derivatives come free.

``i0`` is also ``ag.i0`` / ``Tensor.i0`` (as ``torch.i0``); the others are reached through
``autograd_core.special`` only (``special_*`` in the op table)."""

from __future__ import annotations

import math

import numpy as np

from autograd_core.node import Node
from autograd_core.ops import _xp as xp
from autograd_core.ops.mathfns import _erfc, _same
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.batch2 import Xlogy
from autograd_core.ops.unary import _floating
from autograd_core.tensor import Tensor

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _i1_64(x):
    """Modified Bessel function of the first kind, order one, in float64: the power series
    ``sum (x/2)**(2k+1) / (k! (k+1)!)`` for ``|x| <= 20``, else the asymptotic series of
    ``e**|x| / sqrt(2 pi |x|)`` (odd in ``x``)."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    with np.errstate(all="ignore"):
        small = np.minimum(a, 20.0)
        q = (small / 2) ** 2
        term = small / 2
        series = term.copy()
        for k in range(1, 60):
            term = term * q / (k * (k + 1))
            series = series + term
        big = np.maximum(a, 20.0)
        term, asym = np.ones_like(big), np.ones_like(big)
        for k in range(1, 40):  # the smallest term is ~e**(-2|x|): below float64's eps
            term = term * -(4.0 - (2 * k - 1) ** 2) / (k * 8.0 * big)
            asym = asym + term
        asym = np.exp(big - 0.5 * np.log(2 * math.pi * big)) * asym
        return np.copysign(np.where(a <= 20.0, series, asym), x)


def _i0(x):
    """``i0``: the op on a Tensor (recorded under create_graph), float64 numpy on an array."""
    return I0.apply(x) if isinstance(x, Tensor) else _same(np.i0, x)


def _i1(x):
    return SpecialI1.apply(x) if isinstance(x, Tensor) else _same(_i1_64, x)


@op("i0", method=True, doc="""
    Return the modified Bessel function of the first kind of order zero of each element.

    ``i0(x) = sum_k (x**2 / 4)**k / (k!)**2``; its derivative is ``special.i1``. Integer inputs
    give float32. ``ag.special.i0`` is the same function.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.i0(ag.tensor([0.0, 1.0, 2.0]))
        tensor([1.0000, 1.2661, 2.2796])
    """)
class I0(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _same(np.i0, x)

    def backward(self, g):
        (x,) = self.saved
        return (g * _i1(x),)


@op("special_i1", function=False, doc="""
    Return the modified Bessel function of the first kind of order one of each element.

    Reached as ``autograd_core.special.i1``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.i1(ag.tensor([0.0, 1.0, -2.0]))
        tensor([ 0.0000,  0.5652, -1.5906])
    """)
class SpecialI1(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _same(_i1_64, x)

    def backward(self, g):
        (x,) = self.saved
        zero = xp.data(x) == 0
        safe = xp.where(zero, 1.0, x)  # i1'(x) = i0(x) - i1(x) / x, 1/2 at 0
        return (g * xp.where(zero, 0.5, _i0(x) - _i1(safe) / safe),)


def _log_ndtr64(x):
    """``log(Phi(x))`` in float64, Phi the standard normal CDF: ``log1p(-erfc(x/sqrt2)/2)``
    for ``x > 0``, ``log(erfc(-x/sqrt2)/2)`` down to -20, then the asymptotic series of the
    Mills ratio (``erfc`` underflows near -38)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        upper = np.log1p(-0.5 * _erfc(np.maximum(x, 0.0) / math.sqrt(2)))
        middle = np.log(0.5 * _erfc(-np.clip(x, -20.0, 0.0) / math.sqrt(2)))
        t = np.minimum(x, -20.0)
        r = 1.0 / (t * t)
        term, s = np.ones_like(t), np.ones_like(t)
        for k in range(1, 14):
            term = term * -(2 * k - 1) * r
            s = s + term
        lower = -0.5 * t * t - np.log(-t) - _LOG_SQRT_2PI + np.log(s)
        return np.where(x > 0, upper, np.where(x >= -20.0, middle, lower))


def _log_ndtr(x):
    return SpecialLogNdtr.apply(x) if isinstance(x, Tensor) else _same(_log_ndtr64, x)


@op("special_log_ndtr", function=False, doc="""
    Return the logarithm of the standard normal CDF of each element, accurate far in the tails.

    Reached as ``autograd_core.special.log_ndtr``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.log_ndtr(ag.tensor([0.0, -1.0]))
        tensor([-0.6931, -1.8410])
        >>> round(ag.special.log_ndtr(ag.tensor(-40.0, dtype=ag.float64)).item(), 3)
        -804.608
    """)
class SpecialLogNdtr(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _same(_log_ndtr64, x)

    def backward(self, g):
        (x,) = self.saved  # phi(x) / Phi(x), as a difference of logarithms (no underflow)
        return (g * xp.exp(-(x * x) * 0.5 - _LOG_SQRT_2PI - _log_ndtr(x)),)


def _ndtri64(p):
    """The standard normal quantile in float64: Abramowitz & Stegun 26.2.23 (error < 4.5e-4)
    on the lower half, then Newton steps on ``log_ndtr`` (each doubles the digits)."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(all="ignore"):
        q = np.minimum(p, 1.0 - p)  # exact for p >= 1/2
        qs = np.where(q > 0, q, 0.5)  # (0 and NaN are set below)
        t = np.sqrt(-2.0 * np.log(qs))
        x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
              / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3))
        for _ in range(5):
            ln = _log_ndtr64(x)
            x = x - (ln - np.log(qs)) / np.exp(-0.5 * x * x - _LOG_SQRT_2PI - ln)
        x = np.where(q == 0.5, 0.0, x)
        x = np.where(p > 0.5, -x, x)
        x = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, x))
        return np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, x)


def _ndtri(p):
    return SpecialNdtri.apply(p) if isinstance(p, Tensor) else _same(_ndtri64, p)


@op("special_ndtri", function=False, samples=[
    Sample("special_ndtri", lambda a: SpecialNdtri.apply(a.sigmoid() * 0.8 + 0.1))], doc="""
    Return the argument ``x`` at which the standard normal CDF equals each element of ``input``.

    ``-inf`` at 0, ``inf`` at 1, NaN outside ``[0, 1]``. Reached as
    ``autograd_core.special.ndtri``.

    Args:
        input (Tensor): the probabilities.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.ndtri(ag.tensor([0.5, 0.975, 0.0]))
        tensor([0.0000, 1.9600,   -inf])
    """)
class SpecialNdtri(Node):
    def forward(self, input):
        p = _floating(input)
        self.save_for_backward(p)
        return _same(_ndtri64, p)

    def backward(self, g):
        (p,) = self.saved  # 1 / phi(ndtri(p))
        y = _ndtri(p)
        return (g * xp.exp(y * y * 0.5 + _LOG_SQRT_2PI),)


@op("special_entr", function=False, domain="positive", doc="""
    Return the elementwise entropy ``-input * log(input)``: 0 at 0, ``-inf`` below 0.

    Reached as ``autograd_core.special.entr``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.entr(ag.tensor([0.0, 0.5, 1.0, -1.0]))
        tensor([0.0000, 0.3466, -0.0000,   -inf])
    """)
class SpecialEntr(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0, -np.inf))
        return np.where(np.isnan(x), x, y).astype(x.dtype)

    def backward(self, g):
        (x,) = self.saved
        with np.errstate(divide="ignore", invalid="ignore"):  # +inf at 0, NaN below (PyTorch)
            return (g * -(xp.log(x) + 1.0),)


@op("special_xlog1py", function=False, n_inputs=2, domain="positive", broadcasts=True, doc="""
    Return ``input * log1p(other)``, with 0 where ``input`` is 0 (unless ``other`` is NaN).

    Integers give float32. Reached as ``autograd_core.special.xlog1py``.

    Args:
        input (Tensor or number): the multiplier.
        other (Tensor or number): the argument of ``log1p``.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.xlog1py(ag.tensor([0.0, 2.0]), ag.tensor([-1.0, 1.7182817]))
        tensor([0., 2.])
    """)
class SpecialXlog1py(Xlogy):
    _log, _pole, _finite = "log1p", -1, 0.0
