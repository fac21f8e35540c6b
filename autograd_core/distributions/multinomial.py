"""PyTorch's ``torch.distributions.multinomial``: ``Multinomial``."""

from __future__ import annotations

import builtins
import math
import numbers
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.binomial import Binomial
from autograd_core.distributions.categorical import Categorical, _OverCategorical
from autograd_core.distributions.constraints import Constraint
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.utils import _draw

__all__ = ["Multinomial"]


class Multinomial(_OverCategorical, Distribution):
    r"""Counts of ``total_count`` draws among ``K`` categories of probabilities ``probs`` (or
    ``logits``), as ``torch.distributions.Multinomial``.

    Args:
        total_count (int): the number of draws. Default: 1.
        probs (Tensor, optional): category probabilities, shape ``batch_shape + (K,)``.
        logits (Tensor, optional): their log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Multinomial
        >>> m = Multinomial(4, probs=ag.tensor([0.5, 0.5]))
        >>> m.log_prob(ag.tensor([2.0, 2.0])).exp(), m.mean
        (tensor(0.3750), tensor([2., 2.]))
    """

    support = Constraint("Multinomial()")  # at most total_count draws per event

    def __init__(self, total_count: builtins.int = 1, probs: Tensor | None = None,
                 logits: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        if not isinstance(total_count, numbers.Number):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs, logits, validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args)

    def __repr__(self) -> str:
        return "Multinomial()"  # PyTorch's: probs / logits are properties

    def expand(self, batch_shape: Any, _instance: Any = None) -> Multinomial:
        shape = tuple(Size(batch_shape)) + tuple(self._event_shape)
        return Multinomial(self.total_count, logits=self.logits.expand(shape),
                           validate_args=self._validate)

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        # PyTorch's: total_count categorical draws per event, counted (its numbers for a seed)
        shape = self._extended_shape(sample_shape)
        k = shape[-1]
        if self.total_count <= 0:
            return _ag.zeros(shape, dtype=self.probs.dtype)
        n = builtins.int(self.total_count)
        draws = self._categorical.sample((n,) + tuple(Size(sample_shape)))._data.reshape(n, -1)
        rows = draws.shape[1]  # count each event's draws (bincount over row * k + category)
        counts = np.bincount((draws + np.arange(rows) * k).ravel(), minlength=rows * k)
        return _draw(counts.reshape(shape), self.probs)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(
            value, lambda v: np.all(v >= 0, axis=-1) & (v.sum(-1) <= self.total_count),
            "Multinomial()")
        logits = self.logits
        # 0 * log 0 counts 0 where a category has probability zero and is not drawn
        logits = _ag.where((value == 0) & (logits == -math.inf), 0.0, logits)
        return (_ag.lgamma(value.sum(-1) + 1) - _ag.lgamma(value + 1).sum(-1)
                + (logits * value).sum(-1))

    def entropy(self) -> Tensor:
        n = _ag.tensor(builtins.float(self.total_count), dtype=self.probs.dtype)
        term1 = n * self._categorical.entropy() - _ag.lgamma(n + 1)
        binomial = Binomial(self.total_count, self.probs, validate_args=False)
        support = binomial.enumerate_support()[1:]
        weights = _ag.lgamma(support + 1)
        term2 = (binomial.log_prob(support).exp() * weights).sum((0, -1))
        return term1 + term2
