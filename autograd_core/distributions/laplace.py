"""PyTorch's ``torch.distributions.laplace``: ``Laplace``."""

from __future__ import annotations

import math
from typing import Any

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _REAL, _is_real
from autograd_core.distributions.distribution import _LocScale
from autograd_core.distributions.utils import _draw

__all__ = ["Laplace"]


class Laplace(_LocScale):
    r"""The Laplace distribution with location ``loc`` and scale ``scale``, as
    ``torch.distributions.Laplace``; ``rsample`` is reparameterised.

    Args:
        loc (float or Tensor): the mean.
        scale (float or Tensor): the scale (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Laplace
        >>> m = Laplace(0.0, 1.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.entropy(), m.cdf(ag.tensor(0.0))
        (tensor([-0.6931, -1.6931]), tensor(1.6931), tensor(0.5000))
    """

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        # u in (eps - 1, 1), so log1p(-|u|) stays finite; PyTorch's ``uniform_(eps - 1, 1)``
        # (one rounding), so the same numbers as its for a seed
        eps = _ag.finfo(self.loc.dtype).eps
        u = _draw(_random.default_generator.uniform_array(
            self._extended_shape(sample_shape), self.loc.dtype, eps - 1, 1), self.loc)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * (-z.abs() / self.scale).expm1()

    def icdf(self, value: Tensor) -> Tensor:
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()
