"""PyTorch's ``torch.distributions.generalized_pareto``: ``GeneralizedPareto``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import (_POSITIVE, _REAL, Constraint, _interval,
                                                     dependent_property)
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.utils import _as_params

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    r"""The generalized Pareto distribution with ``loc``, ``scale`` and ``concentration``
    ``xi``, as ``torch.distributions.GeneralizedPareto``: ``P(X > x) = (1 + xi z) ** (-1/xi)``
    for ``z = (x - loc) / scale`` (``exp(-z)`` at ``xi = 0``, an exponential tail); the support
    is ``[loc, inf)``, or ``[loc, loc - scale / xi]`` for ``xi < 0``. ``rsample`` is
    reparameterised (the ``icdf`` of a uniform draw).

    Args:
        loc (float or Tensor): the location.
        scale (float or Tensor): the scale (positive).
        concentration (float or Tensor): the shape ``xi``.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import GeneralizedPareto
        >>> m = GeneralizedPareto(0.0, 2.0, ag.tensor([0.0, 0.4]))
        >>> m.log_prob(ag.tensor(1.0)), m.mean
        (tensor([-1.1931, -1.3313]), tensor([2.0000, 3.3333]))
    """

    arg_constraints = {"loc": _REAL, "scale": _POSITIVE, "concentration": _REAL}
    has_rsample = True
    _checked_by_base = True

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 concentration: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.loc, self.scale, self.concentration = _as_params(loc, scale, concentration)
        super().__init__(self.loc.shape, (), validate_args)

    expand = Distribution._expand_params

    @dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Constraint:
        lower = self.loc
        upper = _ag.where(self.concentration < 0, lower - self.scale / self.concentration,
                          math.inf)
        return _interval(lower, upper)

    def _safe_concentration(self) -> tuple[Tensor, Tensor]:
        c = self.concentration
        eq_zero = _ag.isclose(c, _ag.zeros_like(c))
        return eq_zero, _ag.where(eq_zero, 1.0, c)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = _ag.rand(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.icdf(u)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        eq_zero, c = self._safe_concentration()
        y = 1 / c + _ag.ones_like(z)
        where_nonzero = _ag.where(y == 0, y, y * (c * z).log1p())
        return -self.scale.log() - _ag.where(eq_zero, z, where_nonzero)

    def log_survival_function(self, value: Tensor) -> Tensor:
        """``log P(X > value)``."""
        if self._validate:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        eq_zero, c = self._safe_concentration()
        return _ag.where(eq_zero, -z, -(c * z).log1p() / c)

    def log_cdf(self, value: Tensor) -> Tensor:
        """``log P(X <= value)``."""
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        return self.log_cdf(value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        eq_zero, c = self._safe_concentration()
        logu = (-value).log1p()
        where_nonzero = self.loc + self.scale / c * (-c * logu).expm1()
        return _ag.where(eq_zero, self.loc - self.scale * logu, where_nonzero)

    @property
    def mean(self) -> Tensor:
        valid = self.concentration < 1
        c = _ag.where(valid, self.concentration, 0.5)
        return _ag.where(valid, self.loc + self.scale / (1 - c), math.nan)

    @property
    def variance(self) -> Tensor:
        valid = self.concentration < 0.5
        c = _ag.where(valid, self.concentration, 0.25)
        return _ag.where(valid, self.scale.pow(2) / ((1 - c).pow(2) * (1 - 2 * c)), math.nan)

    def entropy(self) -> Tensor:
        return (self.scale.log() + self.concentration + 1).expand(tuple(self._batch_shape))

    @property
    def mode(self) -> Tensor:
        return self.loc
