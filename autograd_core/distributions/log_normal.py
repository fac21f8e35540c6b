"""PyTorch's ``torch.distributions.log_normal``: ``LogNormal``."""

from __future__ import annotations

import builtins
from typing import Any

from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _POSITIVE, _REAL, _is_nonnegative, _is_positive
from autograd_core.distributions.normal import Normal
from autograd_core.distributions.transformed_distribution import TransformedDistribution
from autograd_core.distributions.transforms import ExpTransform

__all__ = ["LogNormal"]


class LogNormal(TransformedDistribution):
    r"""The distribution of ``exp(X)`` for ``X ~ Normal(loc, scale)``, as
    ``torch.distributions.LogNormal`` (a ``TransformedDistribution`` with ``ExpTransform``).

    Args:
        loc (float or Tensor): the mean of ``log X``.
        scale (float or Tensor): the standard deviation of ``log X`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import LogNormal
        >>> m = LogNormal(0.0, 1.0)
        >>> m.log_prob(ag.tensor([1.0, 2.0])), m.mean
        (tensor([-0.9189, -1.8523]), tensor(1.6487))
    """

    _params = ("loc", "scale")
    arg_constraints = {"loc": _REAL, "scale": _POSITIVE}
    support = _POSITIVE
    has_rsample = True  # type: ignore[assignment]

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        base = Normal(loc, scale, validate_args)
        super().__init__(base, ExpTransform(), validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogNormal:
        shape = tuple(Size(batch_shape))
        return LogNormal(self.loc.expand(shape), self.scale.expand(shape), self._validate)

    @property
    def loc(self) -> Tensor:
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self) -> Tensor:
        s2 = self.scale.pow(2)
        return s2.expm1() * (2 * self.loc + s2).exp()

    def log_prob(self, value: Tensor) -> Tensor:
        return super().log_prob(self._check_value(value, _is_positive, _POSITIVE))

    def cdf(self, value: Tensor) -> Tensor:
        # 0 is outside the support but its cdf is 0 (PyTorch checks the base value, log 0 = -inf)
        return super().cdf(self._check_value(value, _is_nonnegative, _POSITIVE))

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc
