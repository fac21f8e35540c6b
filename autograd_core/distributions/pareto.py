"""PyTorch's ``torch.distributions.pareto``: ``Pareto``."""

from __future__ import annotations

import builtins
from typing import Any

from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import (Constraint, _POSITIVE, _greater_than_eq,
                                                     _is_positive)
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exponential import Exponential
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import AffineTransform, ExpTransform
from autograd_core.distributions.utils import _as_params

__all__ = ["Pareto"]


class Pareto(TransformedDistribution):
    r"""The Pareto type I distribution, as ``torch.distributions.Pareto``: ``scale * exp(E)``
    for ``E ~ Exponential(alpha)`` (a ``TransformedDistribution`` with ``ExpTransform`` and
    ``AffineTransform``); support ``[scale, inf)``.

    Args:
        scale (float or Tensor): the minimum value (positive).
        alpha (float or Tensor): the tail index (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Pareto
        >>> m = Pareto(1.0, 3.0)
        >>> m.log_prob(ag.tensor([1.0, 2.0])), m.mean
        (tensor([ 1.0986, -1.6740]), tensor(1.5000))
    """

    arg_constraints = {"alpha": _POSITIVE, "scale": _POSITIVE}
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, scale: Tensor | builtins.float, alpha: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.scale, self.alpha = _as_params(scale, alpha)
        base = Exponential(self.alpha, validate_args=validate_args)
        super().__init__(base, [ExpTransform(), AffineTransform(0, self.scale)], validate_args)
        self._check_param("scale", self.scale, _is_positive(self.scale._data), _POSITIVE)

    __repr__ = Distribution.__repr__  # PyTorch's: the parameters it holds

    def expand(self, batch_shape: Any, _instance: Any = None) -> Pareto:
        shape = tuple(Size(batch_shape))
        return Pareto(self.scale.expand(shape), self.alpha.expand(shape), self._validate)

    @property
    def support(self) -> Constraint:  # type: ignore[override]
        return _greater_than_eq(self.scale)

    @property
    def mean(self) -> Tensor:  # inf for alpha <= 1
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:  # inf for alpha <= 2
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    def _in_support(self, value: Any) -> Tensor:
        return self._check_value(value, lambda v: v >= self.scale._data, self.support)

    def cdf(self, value: Tensor) -> Tensor:
        return super().cdf(self._in_support(value))

    def entropy(self) -> Tensor:
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())
