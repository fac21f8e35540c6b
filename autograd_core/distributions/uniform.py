"""PyTorch's ``torch.distributions.uniform``: ``Uniform``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import Constraint, _interval
from autograd_core.distributions.distribution import _Distribution, _shown
from autograd_core.distributions.utils import _as_params

__all__ = ["Uniform"]


class Uniform(_Distribution):
    r"""The continuous uniform distribution on ``[low, high)`` (broadcast together; numbers
    allowed), as ``torch.distributions.Uniform``. ``rsample`` (``low + u * (high - low)``)
    and ``log_prob`` are differentiable in ``low`` and ``high``.

    Args:
        low (float or Tensor): the lower end (inclusive).
        high (float or Tensor): the upper end (exclusive), above ``low``.
        validate_args (bool, optional): check the parameters and the values given to
            ``log_prob`` / ``cdf`` (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Uniform
        >>> m = Uniform(0.0, 4.0)
        >>> m.log_prob(ag.tensor(1.0)), m.entropy(), m.mean
        (tensor(-1.3863), tensor(1.3863), tensor(2.))
    """

    _params = ("low", "high")
    has_rsample = True

    def __init__(self, low: Tensor | builtins.float, high: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.low, self.high = _as_params(low, high)
        super().__init__(self.low.shape, (), validate_args)
        self._check_param("low", self.low, self.low._data < self.high._data,
                          f"LessThan(upper_bound={_shown(self.high)})")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Uniform:
        """A ``Uniform`` whose parameters are expanded (views) to ``batch_shape``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 1.0).expand((2, 3)).batch_shape
            autograd_core.Size([2, 3])
        """
        shape = tuple(Size(batch_shape))
        return Uniform(self.low.expand(shape), self.high.expand(shape), self._validate)

    def _in_support(self, v: np.ndarray) -> np.ndarray:
        return (self.low._data <= v) & (v <= self.high._data)

    @property
    def support(self) -> Constraint:  # type: ignore[override]
        """``constraints.interval(low, high)``, as PyTorch's (``biject_to(d.support)``)."""
        return _interval(self.low, self.high)

    @property
    def _support(self) -> str:
        return f"Interval(lower_bound={_shown(self.low)}, upper_bound={_shown(self.high)})"

    @property
    def mean(self) -> Tensor:
        """``(low + high) / 2``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(1.0, 2.0).mean
            tensor(1.5000)
        """
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        """``nan`` (every point is a mode), as PyTorch.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(1.0, 2.0).mode
            tensor(nan)
        """
        return math.nan * self.high

    @property
    def stddev(self) -> Tensor:
        """``(high - low) / sqrt(12)``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 12.0 ** 0.5).stddev
            tensor(1.)
        """
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self) -> Tensor:
        """``(high - low) ** 2 / 12``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 6.0).variance
            tensor(3.)
        """
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw ``low + u * (high - low)`` (``u`` uniform on ``[0, 1)``) of
        shape ``sample_shape + batch_shape``.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Uniform
            >>> x = Uniform(ag.tensor([0.0, 5.0]), 6.0).rsample((100,))
            >>> x.shape, bool((x[:, 1] >= 5).all())
            (autograd_core.Size([100, 2]), True)
        """
        u = _ag.rand(self._extended_shape(sample_shape), dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape``, without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 1.0).sample((2, 3)).shape
            autograd_core.Size([2, 3])
        """
        return super().sample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(high - low)`` inside ``[low, high)``, ``-inf`` outside.

        Args:
            value (Tensor): in ``[low, high]``, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 2.0).log_prob(ag.tensor([0.0, 2.0]))
            tensor([-0.6931,    -inf])
        """
        value = self._check_value(value, self._in_support, self._support)
        inside = (self.low <= value) & (self.high > value)
        return inside.to(self.low.dtype).log() - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        """``(value - low) / (high - low)``, clamped to ``[0, 1]``.

        Args:
            value (Tensor): in ``[low, high]``, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 4.0).cdf(ag.tensor([1.0, 4.0]))
            tensor([0.2500, 1.0000])
        """
        value = self._check_value(value, self._in_support, self._support)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of ``cdf``: ``low + value * (high - low)``.

        Args:
            value (Tensor): probabilities in ``[0, 1]``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Uniform
            >>> Uniform(2.0, 4.0).icdf(ag.tensor([0.0, 0.25]))
            tensor([2.0000, 2.5000])
        """
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        """``log(high - low)``.

        Example::

            >>> from autograd_core.distributions import Uniform
            >>> Uniform(0.0, 1.0).entropy()
            tensor(0.)
        """
        return (self.high - self.low).log()
