"""PyTorch's ``torch.distributions.kumaraswamy``: ``Kumaraswamy``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _POSITIVE, _UNIT, _is_positive
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import AffineTransform, PowerTransform
from autograd_core.distributions.uniform import Uniform
from autograd_core.distributions.utils import _EULER_GAMMA, _as_params

__all__ = ["Kumaraswamy"]


class Kumaraswamy(TransformedDistribution):
    r"""The Kumaraswamy distribution on ``(0, 1)``, density ``a b x^(a-1) (1 - x^a)^(b-1)``
    (``a = concentration1``, ``b = concentration0``), as ``torch.distributions.Kumaraswamy``:
    ``(1 - U^(1/b))^(1/a)`` for ``U ~ Uniform(0, 1)``; ``rsample`` is reparameterised.

    Args:
        concentration1 (float or Tensor): ``a`` (positive).
        concentration0 (float or Tensor): ``b`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Kumaraswamy
        >>> m = Kumaraswamy(2.0, 3.0)
        >>> m.log_prob(ag.tensor([0.5])).exp(), m.mean
        (tensor([1.6875]), tensor(0.4571))
    """

    arg_constraints = {"concentration1": _POSITIVE, "concentration0": _POSITIVE}
    support = _UNIT
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, concentration1: Tensor | builtins.float,
                 concentration0: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.concentration1, self.concentration0 = _as_params(concentration1, concentration0)
        c0 = self.concentration0
        base = Uniform(_ag.zeros_like(c0), _ag.ones_like(c0), validate_args=validate_args)
        super().__init__(base, [PowerTransform(c0.reciprocal()), AffineTransform(1.0, -1.0),
                                PowerTransform(self.concentration1.reciprocal())],
                         validate_args)
        for name in ("concentration1", "concentration0"):
            v = getattr(self, name)
            self._check_param(name, v, _is_positive(v._data), _POSITIVE)

    __repr__ = Distribution.__repr__  # PyTorch's: the parameters it holds

    def expand(self, batch_shape: Any, _instance: Any = None) -> Kumaraswamy:
        shape = tuple(Size(batch_shape))
        return Kumaraswamy(self.concentration1.expand(shape), self.concentration0.expand(shape),
                           self._validate)

    def _moment(self, n: builtins.int) -> Tensor:
        """``b B(1 + n/a, b)``, the ``n``-th raw moment."""
        a, b = self.concentration1, self.concentration0
        arg = 1 + n / a
        return b * (_ag.lgamma(arg) + _ag.lgamma(b) - _ag.lgamma(arg + b)).exp()

    @property
    def mean(self) -> Tensor:
        return self._moment(1)

    @property
    def mode(self) -> Tensor:
        """``((a - 1) / (a b - 1)) ** (1 / a)`` for ``a, b >= 1`` (not both 1), else NaN.
        PyTorch 2.13's formula (``log1p(-b) / b - log1p(-a b)``) is NaN everywhere."""
        a, b = self.concentration1, self.concentration0
        inside = (a >= 1) & (b >= 1) & ((a > 1) | (b > 1))
        ratio = _ag.where(inside, (a - 1) / (a * b - 1), math.nan)
        return ratio.pow(a.reciprocal())

    @property
    def variance(self) -> Tensor:
        return self._moment(2) - self.mean.pow(2)

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._check_value(value, lambda v: (v >= 0) & (v <= 1), _UNIT))

    def entropy(self) -> Tensor:
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        h0 = _ag.digamma(self.concentration0 + 1) + _EULER_GAMMA
        return t0 + t1 * h0 - self.concentration1.log() - self.concentration0.log()
