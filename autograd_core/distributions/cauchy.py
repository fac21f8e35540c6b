"""PyTorch's ``torch.distributions.cauchy``: ``Cauchy``."""

from __future__ import annotations

import math
from typing import Any

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _REAL, _is_real
from autograd_core.distributions.distribution import _LocScale
from autograd_core.distributions.utils import _draw

__all__ = ["Cauchy"]


class Cauchy(_LocScale):
    r"""The Cauchy (Lorentz) distribution with median ``loc`` and half width ``scale``, as
    ``torch.distributions.Cauchy``; ``rsample`` is reparameterised. Its mean is ``nan`` and
    its variance ``inf``, as PyTorch's.

    Args:
        loc (float or Tensor): the median.
        scale (float or Tensor): the half width at half maximum (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Cauchy
        >>> m = Cauchy(0.0, 1.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.cdf(ag.tensor(1.0))
        (tensor([-1.1447, -1.8379]), tensor(0.7500))
    """

    @property
    def mean(self) -> Tensor:
        return _ag.full(tuple(self._batch_shape), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return _ag.full(tuple(self._batch_shape), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        # PyTorch's: ``loc.new(shape).cauchy_()``
        eps = _random.default_generator.cauchy_array(self._extended_shape(sample_shape),
                                                     self.loc.dtype, 0.0, 1.0)
        return self.loc + _draw(eps, self.loc) * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return (-math.log(math.pi) - self.scale.log()
                - ((value - self.loc) / self.scale).pow(2).log1p())

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()
