"""PyTorch's ``torch.distributions.gumbel``: ``Gumbel``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _REAL, _is_real
from autograd_core.distributions.distribution import _LocScale
from autograd_core.distributions.utils import _EULER_GAMMA

__all__ = ["Gumbel"]


# ---- more continuous distributions (PyTorch's Laplace, Exponential, LogNormal, HalfNormal,
# Cauchy, Gumbel, StudentT, Dirichlet, Chi2) ---------------------------------------------------

def _uniform_open(shape: tuple[builtins.int, ...], like: Tensor) -> Tensor:
    """Uniform draws in ``[tiny, 1 - eps)`` of ``like``'s dtype (logs of them stay finite):
    PyTorch's ``Uniform(tiny, 1 - eps).rsample``, ``tiny + rand * (1 - eps - tiny)``."""
    fi = _ag.finfo(like.dtype)
    return fi.tiny + _ag.rand(shape, dtype=like.dtype) * ((1 - fi.eps) - fi.tiny)


class Gumbel(_LocScale):
    r"""The Gumbel (type-I extreme value) distribution with location ``loc`` and scale
    ``scale``, as ``torch.distributions.Gumbel``; ``rsample`` is reparameterised
    (``loc - scale * log(-log u)``).

    Args:
        loc (float or Tensor): the location (mode).
        scale (float or Tensor): the scale (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Differs from PyTorch: not a ``TransformedDistribution`` subclass (the same numbers).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Gumbel
        >>> m = Gumbel(0.0, 1.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.mean
        (tensor([-1.0000, -1.3679]), tensor(0.5772))
    """

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * _EULER_GAMMA

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = _uniform_open(self._extended_shape(sample_shape), self.loc)
        return self.loc - self.scale * (-u.log()).log()

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        z = (value - self.loc) / self.scale
        return -(self.scale.log() + z + (-z).exp())

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return (-(-(value - self.loc) / self.scale).exp()).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return self.loc - self.scale * (-value.log()).log()

    def entropy(self) -> Tensor:
        return self.scale.log() + (1 + _EULER_GAMMA)
