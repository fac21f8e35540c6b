"""PyTorch's ``torch.distributions.bernoulli``: ``Bernoulli``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _BOOLEAN, _REAL, _UNIT
from autograd_core.distributions.distribution import _binary_params
from autograd_core.distributions.exp_family import ExponentialFamily

__all__ = ["Bernoulli"]


class Bernoulli(ExponentialFamily):
    r"""The Bernoulli distribution over ``{0, 1}``, parameterised by ``probs`` (the probability
    of 1) or ``logits`` (its log-odds), as ``torch.distributions.Bernoulli``.

    ``log_prob`` is PyTorch's stable ``-binary_cross_entropy_with_logits(logits, value)`` and
    ``entropy`` its counterpart; both are differentiable in the parameter.

    Args:
        probs (float or Tensor, optional): the probability of drawing 1, in ``[0, 1]``.
        logits (float or Tensor, optional): the log-odds of drawing 1.
        validate_args (bool, optional): check the parameter and ``log_prob``'s values
            (default: True).

    Differs from PyTorch: the ``repr`` names only the parameter given.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Bernoulli
        >>> m = Bernoulli(probs=ag.tensor([0.2, 0.9]))
        >>> m.log_prob(ag.tensor([1.0, 1.0])), m.entropy()
        (tensor([-1.6094, -0.1054]), tensor([0.5004, 0.3251]))
        >>> _ = ag.manual_seed(0)
        >>> m.sample((3,)).shape
        autograd_core.Size([3, 2])
    """

    arg_constraints = {"probs": _UNIT, "logits": _REAL}
    support = _BOOLEAN
    has_enumerate_support = True
    probs: Tensor
    logits: Tensor
    def __init__(self, probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        self._validate_arg, self._params = validate_args, ()
        _binary_params(self, probs, logits)

    @property
    def param_shape(self) -> Size:
        """The shape of ``probs`` / ``logits``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(logits=ag.zeros(4, 3)).param_shape
            autograd_core.Size([4, 3])
        """
        return self._batch_shape

    def expand(self, batch_shape: Any, _instance: Any = None) -> Bernoulli:
        """The same distribution with ``probs``/``logits`` expanded (views) to
        ``batch_shape``."""
        shape = Size(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.probs, new.logits = self.probs.expand(shape), self.logits.expand(shape)
        new._batch_shape = shape
        return new

    def enumerate_support(self, expand: builtins.bool = True) -> Tensor:
        """The values ``0., 1.`` (the parameters' dtype) along a new first dimension, expanded
        over the batch unless ``expand=False``, as PyTorch's."""
        values = _ag.arange(2, dtype=self.probs.dtype).reshape((-1,) + (1,) * len(self.batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self.batch_shape))
        return values

    @property
    def mean(self) -> Tensor:
        """``probs``.

        Example::

            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(0.25).mean
            tensor(0.2500)
        """
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where ``probs > 0.5``, 0 where below, ``nan`` at exactly 0.5 (as PyTorch).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(ag.tensor([0.2, 0.5, 0.7])).mode
            tensor([0., nan, 1.])
        """
        p = self.probs.detach()
        return _ag.where(p == 0.5, math.nan, (p >= 0.5).to(p.dtype))

    @property
    def variance(self) -> Tensor:
        """``probs * (1 - probs)``.

        Example::

            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(0.25).variance
            tensor(0.1875)
        """
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of 0. / 1. (the parameter's dtype) of shape ``sample_shape + batch_shape``,
        without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(ag.tensor([0.0, 1.0])).sample((2,))
            tensor([[0., 1.],
                    [0., 1.]])
        """
        with _ag.no_grad():
            return _ag.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        """``-binary_cross_entropy_with_logits(logits, value)``, elementwise:
        ``value * logits - softplus(logits)``.

        Args:
            value (Tensor): zeros and ones, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(logits=ag.tensor(0.0)).log_prob(ag.tensor([0.0, 1.0]))
            tensor([-0.6931, -0.6931])
        """
        value = self._check_value(value, lambda v: (v == 0) | (v == 1), "Boolean()")
        return value.to(self.logits.dtype) * self.logits - _ag.softplus(self.logits)

    def entropy(self) -> Tensor:
        """The entropy ``binary_cross_entropy_with_logits(logits, probs)``.

        Example::

            >>> from autograd_core.distributions import Bernoulli
            >>> Bernoulli(0.5).entropy()
            tensor(0.6931)
        """
        return _ag.softplus(self.logits) - self.probs * self.logits

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return ((self.probs / (1 - self.probs)).log(),)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        return natural_params[0].exp().log1p()

    _mean_carrier_measure = 0
