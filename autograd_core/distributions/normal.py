"""PyTorch's ``torch.distributions.normal``: ``Normal``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _POSITIVE, _REAL
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.utils import _as_params

__all__ = ["Normal"]


class Normal(ExponentialFamily):
    r"""The normal (Gaussian) distribution with mean ``loc`` and standard deviation ``scale``
    (broadcast together; numbers allowed), as ``torch.distributions.Normal``.

    ``rsample`` is reparameterised (``loc + eps * scale``, ``eps`` from
    ``autograd_core.randn``), so gradients reach ``loc`` and ``scale``; ``log_prob``,
    ``cdf``, ``icdf`` and ``entropy`` are differentiable too.

    Args:
        loc (float or Tensor): the mean.
        scale (float or Tensor): the standard deviation (positive).
        validate_args (bool, optional): check the parameters and the values given to
            ``log_prob`` / ``cdf`` (default: True, as PyTorch's under ``__debug__``).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Normal
        >>> m = Normal(ag.tensor([0.0, 1.0]), 2.0)
        >>> m.log_prob(ag.tensor([0.0, 0.0])), m.entropy()
        (tensor([-1.6121, -1.7371]), tensor([2.1121, 2.1121]))
        >>> _ = ag.manual_seed(0)
        >>> m.rsample((5,)).shape
        autograd_core.Size([5, 2])
    """

    arg_constraints = {"loc": _REAL, "scale": _POSITIVE}
    support = _REAL
    _params = ("loc", "scale")
    has_rsample = True

    def __init__(self, loc: Tensor | builtins.float, scale: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.loc, self.scale = _as_params(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
        self._check_param("loc", self.loc, ~np.isnan(self.loc._data), "Real()")
        self._check_param("scale", self.scale, self.scale._data > 0,
                          "GreaterThan(lower_bound=0.0)")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Normal:
        """A ``Normal`` whose parameters are expanded (views) to ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(0.0, 1.0).expand((3,)).batch_shape
            autograd_core.Size([3])
        """
        shape = tuple(Size(batch_shape))
        return Normal(self.loc.expand(shape), self.scale.expand(shape), self._validate)

    @property
    def mean(self) -> Tensor:
        """``loc``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(1.5, 2.0).mean
            tensor(1.5000)
        """
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(1.5, 2.0).mode
            tensor(1.5000)
        """
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """``scale``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(1.5, 2.0).stddev
            tensor(2.)
        """
        return self.scale

    @property
    def variance(self) -> Tensor:
        """``scale ** 2``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(1.5, 2.0).variance
            tensor(4.)
        """
        return self.scale.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw ``loc + eps * scale`` of shape ``sample_shape +
        batch_shape`` (``eps`` standard normal): differentiable in ``loc`` and ``scale``.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> loc = ag.zeros(2, requires_grad=True)
            >>> Normal(loc, 1.0).rsample((4,)).sum().backward()
            >>> loc.grad
            tensor([4., 4.])
        """
        eps = _ag.randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape``, without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(ag.zeros(3), 1.0).sample((2,)).shape
            autograd_core.Size([2, 3])
        """
        return super().sample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """The log-density ``-(value - loc)**2 / (2 scale**2) - log(scale) - log(sqrt(2 pi))``.

        Args:
            value (Tensor): broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(0.0, 1.0).log_prob(ag.tensor(0.0))
            tensor(-0.9189)
        """
        value = self._check_value(value, lambda v: ~np.isnan(v), "Real()")
        return (-((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function ``(1 + erf((value - loc) / (scale sqrt 2))) / 2``.

        Args:
            value (Tensor): broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(0.0, 1.0).cdf(ag.tensor([0.0, 1.0]))
            tensor([0.5000, 0.8413])
        """
        value = self._check_value(value, lambda v: ~np.isnan(v), "Real()")
        return 0.5 * (1 + _ag.erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of ``cdf``: ``loc + scale * sqrt(2) * erfinv(2 value - 1)``.

        Args:
            value (Tensor): probabilities in ``[0, 1]``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Normal
            >>> Normal(1.0, 2.0).icdf(ag.tensor([0.5, 0.975]))
            tensor([1.0000, 4.9199])
        """
        return self.loc + self.scale * _ag.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        """The differential entropy ``1/2 + log(2 pi)/2 + log(scale)``.

        Example::

            >>> from autograd_core.distributions import Normal
            >>> Normal(0.0, 1.0).entropy()
            tensor(1.4189)
        """
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal())

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        x, y = natural_params
        return -0.25 * x.pow(2) / y + 0.5 * (-math.pi / y).log()

    _mean_carrier_measure = 0
