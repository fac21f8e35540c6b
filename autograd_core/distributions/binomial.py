"""PyTorch's ``torch.distributions.binomial``: ``Binomial``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.ops.registry import refuse_capture
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import (
    _NONNEGATIVE_INTEGER, Constraint, _integer_interval, _is_count,
)
from autograd_core.distributions.distribution import _Distribution, _binary_params, _shown
from autograd_core.distributions.utils import _draw

__all__ = ["Binomial"]


class Binomial(_Distribution):
    r"""The number of successes in ``total_count`` Bernoulli trials of probability ``probs``
    (or ``logits``), as ``torch.distributions.Binomial``.

    Args:
        total_count (int or Tensor): the number of trials (non-negative integers). Default: 1.
        probs (float or Tensor, optional): the success probability.
        logits (float or Tensor, optional): its log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Binomial
        >>> m = Binomial(4, probs=ag.tensor([0.5]))
        >>> m.log_prob(ag.tensor([2.0])).exp(), m.mean
        (tensor([0.3750]), tensor([2.]))
    """

    probs: Tensor
    logits: Tensor
    _params = ("total_count",)
    has_enumerate_support = True

    def __init__(self, total_count: Tensor | builtins.int = 1,
                 probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg = validate_args
        given = probs if probs is not None else logits
        if isinstance(given, Tensor) and not isinstance(total_count, Tensor):
            total_count = _ag.tensor(builtins.float(total_count), dtype=given.dtype)
        (self.total_count,) = _binary_params(self, probs, logits, total_count)
        self.total_count = self.total_count.to(self.probs.dtype)
        n = self.total_count._data
        self._check_param("total_count", self.total_count, _is_count(n), _NONNEGATIVE_INTEGER)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Binomial:
        shape = tuple(Size(batch_shape))
        name = self._params[-1]  # the parameter given (probs 0 and 1 have no finite logits)
        return Binomial(self.total_count.expand(shape), **{name: getattr(self, name).expand(shape)},
                        validate_args=self._validate)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        # PyTorch's binomial(total_count.expand(shape), probs.expand(shape))
        p = np.broadcast_to(self.probs._data, shape)
        n = np.broadcast_to(self.total_count._data, shape).astype(p.dtype)
        return _draw(_random.default_generator.binomial_array(n, p), self.probs)

    def log_prob(self, value: Tensor) -> Tensor:
        n = self.total_count
        value = self._check_value(
            value, lambda v: _is_count(v) & (v <= n._data),
            f"IntegerInterval(lower_bound=0, upper_bound={_shown(n)})")
        logits = self.logits
        # n log(1 + exp(logits)), stable: n max(logits, 0) + n log1p(exp(-|logits|))
        max0 = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2
        normalize = n * max0 + n * (-logits.abs()).exp().log1p() - _ag.lgamma(n + 1)
        return value * logits - _ag.lgamma(value + 1) - _ag.lgamma(n - value + 1) - normalize

    def _homogeneous_count(self, what: str) -> builtins.int:
        refuse_capture(f"Binomial.{what}")  # the count sizes the support: read in Python
        n = self.total_count._data
        if n.size and n.min() != n.max():
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return builtins.int(n.max()) if n.size else 0

    @property
    def support(self) -> Constraint:  # type: ignore[override]
        """``constraints.integer_interval(0, total_count)``, as PyTorch's."""
        return _integer_interval(0, self.total_count)

    def enumerate_support(self, expand: builtins.bool = True) -> Tensor:
        n = self._homogeneous_count("enumerate_support")
        values = _ag.arange(1 + n, dtype=self.probs.dtype)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values

    def entropy(self) -> Tensor:
        self._homogeneous_count("entropy")
        lp = self.log_prob(self.enumerate_support(False))
        return -(lp.exp() * lp).sum(0)
