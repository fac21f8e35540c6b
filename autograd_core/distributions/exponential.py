"""PyTorch's ``torch.distributions.exponential``: ``Exponential``."""

from __future__ import annotations

import builtins
from typing import Any

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _NONNEGATIVE, _POSITIVE, _is_nonnegative
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.utils import _as_params, _draw

__all__ = ["Exponential"]


class Exponential(ExponentialFamily):
    r"""The exponential distribution with ``rate`` (inverse mean), as
    ``torch.distributions.Exponential``; ``rsample`` is reparameterised.

    Args:
        rate (float or Tensor): the rate (positive).
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Exponential
        >>> m = Exponential(ag.tensor([1.0, 2.0]))
        >>> m.log_prob(ag.tensor([1.0, 1.0])), m.mean
        (tensor([-1.0000, -1.3069]), tensor([1.0000, 0.5000]))
    """

    _checked_by_base = True
    _params = ("rate",)
    arg_constraints = {"rate": _POSITIVE}
    support = _NONNEGATIVE
    has_rsample = True

    def __init__(self, rate: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        (self.rate,) = _as_params(rate)
        super().__init__(self.rate.shape, (), validate_args)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return _ag.zeros_like(self.rate)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        # PyTorch's: ``rate.new(shape).exponential_() / rate``
        e = _random.default_generator.exponential_array(self._extended_shape(sample_shape),
                                                        self.rate.dtype)
        return _draw(e, self.rate) / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_nonnegative, _NONNEGATIVE)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_nonnegative, _NONNEGATIVE)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (-self.rate,)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        return -(-natural_params[0]).log()

    _mean_carrier_measure = 0
