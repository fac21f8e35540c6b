"""PyTorch's ``torch.distributions.geometric``: ``Geometric``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _NONNEGATIVE_INTEGER, _is_count
from autograd_core.distributions.distribution import _Distribution, _binary_params, _shape_text

__all__ = ["Geometric"]


class Geometric(_Distribution):
    r"""The number of failures before the first success of Bernoulli trials of probability
    ``probs`` (or ``logits``), as ``torch.distributions.Geometric``.

    Args:
        probs (float or Tensor, optional): the success probability, in ``(0, 1]``.
        logits (float or Tensor, optional): its log-odds.
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Geometric
        >>> m = Geometric(ag.tensor([0.5]))
        >>> m.log_prob(ag.tensor([2.0])).exp(), m.mean
        (tensor([0.1250]), tensor([1.]))
    """

    probs: Tensor
    logits: Tensor
    support = _NONNEGATIVE_INTEGER

    def __init__(self, probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg = validate_args
        self._params = ()
        _binary_params(self, probs, logits)
        if self._validate and probs is not None and not np.all(self.probs._data > 0):
            bad = self.probs._data[~(self.probs._data > 0)]
            raise ValueError(
                f"Expected parameter probs (Tensor of shape {_shape_text(self.probs)}) of "
                f"distribution {self!r} to be positive but found invalid values:\n"
                f"{_ag.tensor(bad)}")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Geometric:
        shape = tuple(Size(batch_shape))
        name = self._params[-1]  # the parameter given (probs 1 has no finite logits)
        return Geometric(**{name: getattr(self, name).expand(shape)}, validate_args=self._validate)

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return _ag.zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with _ag.no_grad():
            u = _ag.rand(shape, dtype=self.probs.dtype).clamp(min=_ag.finfo(self.probs.dtype).tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_count, _NONNEGATIVE_INTEGER)
        # probs 1 and value 0: 0 * log(0) is 0 (PyTorch zeroes probs there)
        probs = _ag.where((self.probs == 1) & (value == 0), 0.0, self.probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        return (_ag.softplus(self.logits) - self.probs * self.logits) / self.probs
