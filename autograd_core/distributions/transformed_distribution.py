"""PyTorch's ``torch.distributions.transformed_distribution``: ``TransformedDistribution``."""

from __future__ import annotations

import builtins
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _independent
from autograd_core.distributions.distribution import Distribution, _Distribution
from autograd_core.distributions.independent import Independent
from autograd_core.distributions.transforms import ComposeTransform, Transform
from autograd_core.distributions.utils import _sum_rightmost

__all__ = ["TransformedDistribution"]


class TransformedDistribution(_Distribution):
    r"""The distribution of ``y = t_n(...t_1(x))`` for ``x`` drawn from ``base_distribution``,
    as ``torch.distributions.TransformedDistribution``: ``sample``/``rsample`` push draws of the
    base through the transforms; ``log_prob(y)`` inverts them and subtracts each
    ``log |det J|`` (differentiable), summed over the event dimensions as PyTorch's (a
    transform reading more dimensions than the base's event makes the base ``Independent``).
    With ``validate_args``, ``log_prob`` checks its value's shape and that it lies in
    ``support``, as PyTorch's.

    Args:
        base_distribution: a distribution of this package.
        transforms (Transform or list of Transform): applied in order.
        validate_args (bool, optional): passed on as the base's checks are.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import (SigmoidTransform, TransformedDistribution,
        ...                                          Uniform)
        >>> logistic = TransformedDistribution(Uniform(0.0, 1.0), SigmoidTransform().inv)
        >>> logistic.log_prob(ag.tensor([0.0, 2.0]))
        tensor([-1.3863, -2.2539])
    """

    def __init__(self, base_distribution: Any, transforms: Any,
                 validate_args: builtins.bool | None = None) -> None:
        if isinstance(transforms, Transform):
            transforms = [transforms]
        elif not (isinstance(transforms, (list, tuple))
                  and all(isinstance(t, Transform) for t in transforms)):
            raise ValueError(f"transforms must be a Transform or a list of Transforms, but was "
                             f"{transforms}")
        self.transforms = list(transforms)
        chain = ComposeTransform(self.transforms)
        base_shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        base_event_dim = len(base_distribution.event_shape)
        if len(base_shape) < chain.domain_event_dim:
            raise ValueError(f"base_distribution needs to have shape with size at least "
                             f"{chain.domain_event_dim}, but got {Size(base_shape)}.")
        shape = tuple(chain.forward_shape(base_shape))
        expanded = tuple(chain.inverse_shape(shape))
        if expanded != base_shape:
            base_distribution = base_distribution.expand(
                expanded[:len(expanded) - base_event_dim])
        extra = chain.domain_event_dim - base_event_dim
        if extra > 0:  # the transforms read more dimensions as one event than the base
            base_distribution = Independent(base_distribution, extra)
        self.base_dist = base_distribution
        event_dim = max(chain.codomain_event_dim,
                        base_event_dim + chain.codomain_event_dim - chain.domain_event_dim)
        cut = len(shape) - event_dim
        super().__init__(shape[:cut], shape[cut:], validate_args)

    @property
    def has_rsample(self) -> builtins.bool:  # type: ignore[override]
        return builtins.bool(getattr(self.base_dist, "has_rsample", False))

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        """The same transforms over the base expanded to the batch shape the transforms map
        back to ``batch_shape``, as PyTorch's."""
        batch = Size(batch_shape)
        shape: Any = tuple(batch) + tuple(self._event_shape)
        for t in reversed(self.transforms):
            shape = t.inverse_shape(shape)
        base_batch = tuple(shape)[:len(shape) - len(self.base_dist.event_shape)]
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.base_dist = self.base_dist.expand(base_batch)
        new.transforms = self.transforms
        Distribution.__init__(new, batch, self._event_shape, False)
        new._validate, new._validate_arg = self._validate, self._validate_arg
        return new

    @property
    def support(self) -> Any:
        """The last transform's codomain (the base's support without transforms), made
        independent over the event dimensions it does not cover, as PyTorch's."""
        if not self.transforms:
            return self.base_dist.support
        c = self.transforms[-1].codomain
        n = len(self._event_shape)
        return _independent(c, n - c.event_dim) if n > c.event_dim else c

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"  # PyTorch's: a subclass's parameters are properties

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
        return x

    def log_prob(self, value: Tensor) -> Tensor:
        """``log p(value)``: the base's log-density at the inverted value minus each
        transform's ``log |dy/dx|`` (summed over the event dimensions)."""
        if self._validate:
            self._validate_sample(value)
        event_dim = len(self._event_shape)
        y = value if isinstance(value, Tensor) else _ag.tensor(value)
        lp: Any = 0.0
        for t in reversed(self.transforms):
            x = t.inv(y)
            event_dim += t.domain_event_dim - t.codomain_event_dim
            lp = lp - _sum_rightmost(t.log_abs_det_jacobian(x, y),
                                     event_dim - t.domain_event_dim)
            y = x
        return lp + _sum_rightmost(self.base_dist.log_prob(y),
                                   event_dim - len(self.base_dist.event_shape))

    def _monotonize_cdf(self, value: Tensor) -> Tensor:
        """A decreasing chain of transforms turns the base's cdf ``F`` into ``1 - F``."""
        sign: Any = 1
        for t in self.transforms:
            sign = sign * t.sign
        if isinstance(sign, builtins.int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5

    def cdf(self, value: Tensor) -> Tensor:
        """The base's cdf at the inverted value (``1 -`` it through a decreasing chain)."""
        for t in reversed(self.transforms):
            value = t.inv(value)
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value: Tensor) -> Tensor:
        """The transforms applied to the base's icdf."""
        value = self.base_dist.icdf(self._monotonize_cdf(value))
        for t in self.transforms:
            value = t(value)
        return value
