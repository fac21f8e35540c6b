"""PyTorch's ``torch.distributions.independent``: ``Independent``."""

from __future__ import annotations

import builtins
from typing import Any

from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _independent
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.utils import _sum_rightmost

__all__ = ["Independent"]


class Independent(Distribution):
    r"""Reinterprets the rightmost ``reinterpreted_batch_ndims`` batch dimensions of
    ``base_distribution`` as event dimensions: ``log_prob`` and ``entropy`` are summed over
    them, as ``torch.distributions.Independent`` (a diagonal Gaussian over vectors is
    ``Independent(Normal(loc, scale), 1)``).

    Args:
        base_distribution: a distribution of this package.
        reinterpreted_batch_ndims (int): how many batch dimensions become event dimensions.
        validate_args (bool, optional): accepted for PyTorch's signature; the base checks.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Independent, Normal
        >>> m = Independent(Normal(ag.zeros(4, 3), 1.0), 1)
        >>> m.batch_shape, m.event_shape
        (autograd_core.Size([4]), autograd_core.Size([3]))
        >>> m.log_prob(ag.zeros(4, 3))
        tensor([-2.7568, -2.7568, -2.7568, -2.7568])
    """

    def __init__(self, base_distribution: Any, reinterpreted_batch_ndims: builtins.int,
                 validate_args: builtins.bool | None = None) -> None:
        n = len(base_distribution.batch_shape)
        if reinterpreted_batch_ndims > n:
            raise ValueError(
                f"Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), "
                f"actual {reinterpreted_batch_ndims} vs {n}")
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self._validate = (Distribution._default_validate if validate_args is None
                          else builtins.bool(validate_args))
        shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        self._event_dim = reinterpreted_batch_ndims + len(base_distribution.event_shape)
        self._batch_shape = Size(shape[:len(shape) - self._event_dim])
        self._event_shape = Size(shape[len(shape) - self._event_dim:])

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"

    @property
    def support(self) -> Any:
        """The base's support over the reinterpreted dims too (``constraints.independent``),
        as PyTorch's."""
        base = self.base_dist.support
        n = self.reinterpreted_batch_ndims
        return _independent(base, n) if n else base

    def expand(self, batch_shape: Any, _instance: Any = None) -> Independent:
        """An ``Independent`` of the base expanded to ``batch_shape`` plus the reinterpreted
        dimensions."""
        n = self.reinterpreted_batch_ndims
        inner = tuple(self._event_shape)[:len(self._event_shape) - len(self.base_dist.event_shape)]
        base = self.base_dist.expand(tuple(Size(batch_shape)) + inner)
        return Independent(base, n, self._validate)

    @property
    def batch_shape(self) -> Size:
        """The base's batch shape without the reinterpreted dimensions.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(4, 3), 1.0), 2).batch_shape
            autograd_core.Size([])
        """
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The reinterpreted dimensions followed by the base's event shape.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(4, 3), 1.0), 2).event_shape
            autograd_core.Size([4, 3])
        """
        return self._event_shape

    @property
    def has_rsample(self) -> builtins.bool:  # type: ignore[override]
        """Whether the base has a reparameterised ``rsample``.

        Example::

            >>> from autograd_core.distributions import Bernoulli, Independent, Normal
            >>> Independent(Normal(0.0, 1.0), 0).has_rsample, Independent(Bernoulli(0.5), 0).has_rsample
            (True, False)
        """
        return builtins.bool(getattr(self.base_dist, "has_rsample", False))

    @property
    def mean(self) -> Tensor:
        """The base's mean.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.tensor([1.0, 2.0]), 1.0), 1).mean
            tensor([1., 2.])
        """
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        """The base's mode.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.tensor([1.0, 2.0]), 1.0), 1).mode
            tensor([1., 2.])
        """
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        """The base's variance.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(2), 3.0), 1).variance
            tensor([9., 9.])
        """
        return self.base_dist.variance

    @property
    def stddev(self) -> Tensor:
        """The base's standard deviation.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(2), 3.0), 1).stddev
            tensor([3., 3.])
        """
        return self.base_dist.stddev

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """The base's ``sample``.

        Args:
            sample_shape (tuple of ints): how many draws. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(3), 1.0), 1).sample((2,)).shape
            autograd_core.Size([2, 3])
        """
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """The base's ``rsample`` (reparameterised, differentiable).

        Args:
            sample_shape (tuple of ints): how many draws. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Independent, Normal
            >>> Independent(Normal(ag.zeros(3), 1.0), 1).rsample().shape
            autograd_core.Size([3])
        """
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """The base's ``log_prob`` summed over the reinterpreted dimensions.

        Args:
            value (Tensor): broadcastable with ``batch_shape + event_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli, Independent
            >>> Independent(Bernoulli(ag.tensor([0.5, 0.5])), 1).log_prob(ag.tensor([0.0, 1.0]))
            tensor(-1.3863)
        """
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        """The base's ``entropy`` summed over the reinterpreted dimensions.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli, Independent
            >>> Independent(Bernoulli(ag.tensor([0.5, 0.5])), 1).entropy()
            tensor(1.3863)
        """
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)
