"""PyTorch's ``torch.distributions.weibull``: ``Weibull``."""

from __future__ import annotations

import builtins
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _POSITIVE, _is_nonnegative, _is_positive
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exponential import Exponential
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import AffineTransform, PowerTransform
from autograd_core.distributions.utils import _EULER_GAMMA, _as_params

__all__ = ["Weibull"]


class Weibull(TransformedDistribution):
    r"""The two-parameter Weibull distribution, as ``torch.distributions.Weibull``:
    ``scale * E ** (1 / concentration)`` for ``E ~ Exponential(1)`` (a
    ``TransformedDistribution`` with ``PowerTransform`` and ``AffineTransform``).

    Args:
        scale (float or Tensor): the scale ``lambda`` (positive).
        concentration (float or Tensor): the shape ``k`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Weibull
        >>> m = Weibull(1.0, 2.0)
        >>> m.log_prob(ag.tensor([0.5, 1.0])), m.mean
        (tensor([-0.2500, -0.3069]), tensor(0.8862))
    """

    arg_constraints = {"scale": _POSITIVE, "concentration": _POSITIVE}
    support = _POSITIVE
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, scale: Tensor | builtins.float, concentration: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.scale, self.concentration = _as_params(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(_ag.ones_like(self.scale), validate_args=validate_args)
        super().__init__(base, [PowerTransform(self.concentration_reciprocal),
                                AffineTransform(0, self.scale)], validate_args)
        self._check_param("scale", self.scale, _is_positive(self.scale._data), _POSITIVE)
        self._check_param("concentration", self.concentration,
                          _is_positive(self.concentration._data), _POSITIVE)

    __repr__ = Distribution.__repr__  # PyTorch's: the parameters it holds

    def expand(self, batch_shape: Any, _instance: Any = None) -> Weibull:
        shape = tuple(Size(batch_shape))
        return Weibull(self.scale.expand(shape), self.concentration.expand(shape),
                       self._validate)

    @property
    def mean(self) -> Tensor:
        return self.scale * (1 + self.concentration_reciprocal).lgamma().exp()

    @property
    def mode(self) -> Tensor:  # NaN for concentration < 1, as PyTorch's
        return (self.scale * ((self.concentration - 1) / self.concentration)
                ** self.concentration.reciprocal())

    @property
    def variance(self) -> Tensor:
        r = self.concentration_reciprocal
        return self.scale.pow(2) * ((1 + 2 * r).lgamma().exp() - (2 * (1 + r).lgamma()).exp())

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._check_value(value, _is_positive, _POSITIVE))

    def cdf(self, value: Tensor) -> Tensor:
        # 0 is outside the support but its cdf is 0 (PyTorch checks the base value, log 0 = -inf)
        return super().cdf(self._check_value(value, _is_nonnegative, _POSITIVE))

    def entropy(self) -> Tensor:
        r = self.concentration_reciprocal
        return _EULER_GAMMA * (1 - r) + (self.scale * r).log() + 1
