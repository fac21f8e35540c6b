"""PyTorch's ``torch.distributions.poisson``: ``Poisson``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import (_NONNEGATIVE, _NONNEGATIVE_INTEGER, _is_count,
                                                     _is_nonnegative)
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.utils import _as_params, _draw

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    r"""The Poisson distribution with mean ``rate``, as ``torch.distributions.Poisson``
    (``log_prob`` differentiable in ``rate``; no ``entropy``, as PyTorch's).

    Args:
        rate (float or Tensor): the mean (non-negative).
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Poisson
        >>> Poisson(ag.tensor([1.0, 4.0])).log_prob(ag.tensor([0.0, 2.0]))
        tensor([-1.0000, -1.9206])
    """

    _params = ("rate",)
    arg_constraints = {"rate": _NONNEGATIVE}
    support = _NONNEGATIVE_INTEGER

    def __init__(self, rate: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        (self.rate,) = _as_params(rate)
        super().__init__(self.rate.shape, (), validate_args)
        self._check_param("rate", self.rate, _is_nonnegative(self.rate._data), _NONNEGATIVE)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        lam = np.broadcast_to(self.rate._data, shape)  # PyTorch's poisson(rate.expand(shape))
        return _draw(_random.default_generator.poisson_array(lam), self.rate)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_count, _NONNEGATIVE_INTEGER)
        return _ag.xlogy(value, self.rate) - self.rate - _ag.lgamma(value + 1)

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.rate.log(),)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        return natural_params[0].exp()
