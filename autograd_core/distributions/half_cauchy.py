"""PyTorch's ``torch.distributions.half_cauchy``: ``HalfCauchy``."""

from __future__ import annotations

import math

import autograd_core as _ag
from autograd_core.tensor import Tensor
from autograd_core.distributions.cauchy import Cauchy
from autograd_core.distributions.half_normal import _Folded

__all__ = ["HalfCauchy"]


class HalfCauchy(_Folded):
    r"""The distribution of ``|X|`` for ``X ~ Cauchy(0, scale)``, as
    ``torch.distributions.HalfCauchy``; ``rsample`` is reparameterised. Its mean and variance
    are ``inf``.

    Args:
        scale (float or Tensor): the scale of the Cauchy (positive).
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import HalfCauchy
        >>> m = HalfCauchy(1.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.cdf(ag.tensor(1.0))
        (tensor([-0.4516, -1.1447]), tensor(0.5000))
    """

    _base = Cauchy

    @property
    def mean(self) -> Tensor:
        return _ag.full(tuple(self._batch_shape), math.inf, dtype=self.scale.dtype)

    @property
    def variance(self) -> Tensor:
        return _ag.full(tuple(self._batch_shape), math.inf, dtype=self.scale.dtype)
