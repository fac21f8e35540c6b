"""PyTorch's ``torch.distributions.inverse_gamma``: ``InverseGamma``."""

from __future__ import annotations

import builtins
import math

import autograd_core as _ag
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _POSITIVE
from autograd_core.distributions.gamma import Gamma
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import PowerTransform

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    r"""The distribution of ``1 / X`` for ``X ~ Gamma(concentration, rate)``, as
    ``torch.distributions.InverseGamma`` (a ``TransformedDistribution`` with
    ``PowerTransform(-1)``); ``rsample`` is differentiable in both parameters.

    Args:
        concentration (float or Tensor): the shape ``alpha`` (positive).
        rate (float or Tensor): the scale ``beta`` of ``1 / X`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import InverseGamma
        >>> m = InverseGamma(3.0, 2.0)
        >>> m.log_prob(ag.tensor([0.5, 1.0])), m.mean, m.variance
        (tensor([ 0.1589, -0.6137]), tensor(1.), tensor(1.))
    """

    arg_constraints = {"concentration": _POSITIVE, "rate": _POSITIVE}
    support = _POSITIVE

    def __init__(self, concentration: Tensor | builtins.float, rate: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        base = Gamma(concentration, rate, validate_args=validate_args)
        minus_one = _ag.tensor(-1.0, dtype=base.rate.dtype)
        super().__init__(base, PowerTransform(minus_one), validate_args)

    @property
    def concentration(self) -> Tensor:
        return self.base_dist.concentration

    @property
    def rate(self) -> Tensor:
        return self.base_dist.rate

    @property
    def mean(self) -> Tensor:
        c = self.concentration
        return _ag.where(c > 1, self.rate / (c - 1), math.inf)

    @property
    def mode(self) -> Tensor:
        return self.rate / (self.concentration + 1)

    @property
    def variance(self) -> Tensor:
        c = self.concentration
        return _ag.where(c > 2, self.rate.pow(2) / ((c - 1).pow(2) * (c - 2)), math.inf)

    def entropy(self) -> Tensor:
        c = self.concentration
        return c + self.rate.log() + _ag.lgamma(c) - (1 + c) * _ag.digamma(c)
