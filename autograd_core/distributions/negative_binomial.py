"""PyTorch's ``torch.distributions.negative_binomial``: ``NegativeBinomial``."""

from __future__ import annotations

import builtins
from typing import Any


import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import (_NONNEGATIVE_INTEGER, _REAL, _greater_than_eq,
                                                     _half_open_interval, _is_count)
from autograd_core.distributions.distribution import _Distribution, _binary_params
from autograd_core.distributions.gamma import Gamma
from autograd_core.distributions.utils import _log_sigmoid

__all__ = ["NegativeBinomial"]


class NegativeBinomial(_Distribution):
    r"""The number of successes before ``total_count`` failures of Bernoulli trials of success
    probability ``probs`` (or ``logits``), as ``torch.distributions.NegativeBinomial``: mean
    ``total_count * probs / (1 - probs)``; ``sample`` draws a Poisson of a Gamma rate.

    Args:
        total_count (float or Tensor): the number of failures (non-negative; real values are
            allowed, as PyTorch's).
        probs (float or Tensor, optional): the success probability, in ``[0, 1)``.
        logits (float or Tensor, optional): its log-odds.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import NegativeBinomial
        >>> m = NegativeBinomial(3.0, ag.tensor([0.5]))
        >>> m.log_prob(ag.tensor([2.0])).exp(), m.mean
        (tensor([0.1875]), tensor([3.]))
    """

    probs: Tensor
    logits: Tensor
    support = _NONNEGATIVE_INTEGER
    arg_constraints = {"total_count": _greater_than_eq(0),
                       "probs": _half_open_interval(0.0, 1.0), "logits": _REAL}

    def __init__(self, total_count: Tensor | builtins.float,
                 probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg = validate_args
        self._params = ("total_count",)
        (count,) = _binary_params(self, probs, logits, total_count)
        given = self.probs if probs is not None else self.logits
        self.total_count = count if count.dtype == given.dtype else count.to(given.dtype)
        self._check_param("total_count", self.total_count, self.total_count._data >= 0,
                          self.arg_constraints["total_count"])
        if probs is not None:
            self._check_param("probs", self.probs, self.probs._data < 1,
                              self.arg_constraints["probs"])
        self._given = "probs" if probs is not None else "logits"

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        shape = tuple(Size(batch_shape))
        given = {self._given: getattr(self, self._given).expand(shape)}
        return NegativeBinomial(self.total_count.expand(shape), **given,
                                validate_args=self._validate)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / (-self.logits).sigmoid()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            rate = Gamma(self.total_count, (-self.logits).exp(), validate_args=False)
            lam = rate.sample(sample_shape)
            return _ag.poisson(lam)  # PyTorch's

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_count, _NONNEGATIVE_INTEGER)
        r, lg = self.total_count, self.logits
        unnormalized = r * _log_sigmoid(-lg) + value * _log_sigmoid(lg)
        norm = -_ag.lgamma(r + value) + _ag.lgamma(1.0 + value) + _ag.lgamma(r)
        norm = _ag.where(r + value == 0.0, 0.0, norm)
        return unnormalized - norm
