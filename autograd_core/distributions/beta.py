"""PyTorch's ``torch.distributions.beta``: ``Beta``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _POSITIVE, _UNIT
from autograd_core.distributions.dirichlet import _dirichlet_backward, _sample_dirichlet
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.utils import _as_params, _draw

__all__ = ["Beta"]


class _BetaDraw(_ag.Function):
    """Beta draws of ``a`` and ``b`` (the draws' shape), the first component of Dirichlet
    draws of ``(a, b)`` as PyTorch's: the numbers of ``Beta.sample``. Backward: that
    Dirichlet's, with the incoming gradient on the first component and 0 on the second."""

    @staticmethod
    def forward(ctx: Any, a: Tensor, b: Tensor) -> Tensor:
        # PyTorch's: Dirichlet(stack([a, b], -1)) draws' first component
        ctx.alpha = np.stack([a._data, b._data], -1)
        ctx.x = _sample_dirichlet(ctx.alpha.astype(np.float64), a._data.dtype.type)
        return _draw(ctx.x[..., 0], a)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        g = _dirichlet_backward(ctx.x, ctx.alpha, _ag.stack([grad, _ag.zeros_like(grad)], -1))
        return g[..., 0], g[..., 1]


class Beta(ExponentialFamily):
    r"""The beta distribution on ``[0, 1]`` with concentrations ``concentration1`` (alpha)
    and ``concentration0`` (beta), broadcast together (numbers allowed), as
    ``torch.distributions.Beta``. ``log_prob`` and ``entropy`` are differentiable in both.

    Args:
        concentration1 (float or Tensor): alpha (positive).
        concentration0 (float or Tensor): beta (positive).
        validate_args (bool, optional): check the parameters and ``log_prob``'s values
            (default: True).

    ``rsample`` is differentiable in both by implicit reparameterization, with the gradient
    of PyTorch's (a 2-component ``Dirichlet``: its fitted approximation, the same numbers; the
    exact one with ``autograd_core.distributions._gamma_grad.EXACT = True``). Draws are
    PyTorch's numbers for a seed.
    Differs from PyTorch: a bad parameter is reported under its own name (PyTorch's message names the ``Dirichlet`` it
    builds) and the ``repr`` shows the parameters (PyTorch's is ``Beta()``).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Beta
        >>> m = Beta(2.0, 3.0)
        >>> m.log_prob(ag.tensor(0.5)), m.mean, m.entropy()
        (tensor(0.4055), tensor(0.4000), tensor(-0.2349))
    """

    arg_constraints = {"concentration1": _POSITIVE, "concentration0": _POSITIVE}
    support = _UNIT
    _params = ("concentration1", "concentration0")
    has_rsample = True
    expand = Distribution._expand_params
    _checked_by_base = True

    def __init__(self, concentration1: Tensor | builtins.float,
                 concentration0: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.concentration1, self.concentration0 = _as_params(concentration1, concentration0)
        super().__init__(self.concentration1.shape, (), validate_args)  # the base checks them

    @property
    def mean(self) -> Tensor:
        """``concentration1 / (concentration1 + concentration0)``.

        Example::

            >>> from autograd_core.distributions import Beta
            >>> Beta(1.0, 3.0).mean
            tensor(0.2500)
        """
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        """``(a - 1) / (a + b - 2)`` with ``a - 1`` and ``b - 1`` clamped at 0 (differentiable);
        1 where both concentrations are below 1 and ``nan`` where both are 1, as PyTorch's
        (whose one-hot there takes the argmax of ``0 / 0``, whichever concentration is larger).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Beta
            >>> Beta(ag.tensor([3.0, 0.5, 0.5]), ag.tensor([2.0, 0.9, 2.0])).mode
            tensor([0.6667, 1.0000, 0.0000])
        """
        a, b = self.concentration1, self.concentration0
        m1, m0 = (a - 1).clamp(min=0), (b - 1).clamp(min=0)
        total = m1 + m0
        empty = total == 0  # both at most 1: 0 / 0 (nan) unless both below 1
        ratio = _ag.where(empty, math.nan, m1 / _ag.where(empty, 1.0, total))
        return _ag.where((a < 1) & (b < 1), 1.0, ratio)

    @property
    def variance(self) -> Tensor:
        """``a b / ((a + b)^2 (a + b + 1))``.

        Example::

            >>> from autograd_core.distributions import Beta
            >>> Beta(1.0, 1.0).variance
            tensor(0.0833)
        """
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total.pow(2) * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws in ``(0, 1)`` of shape ``sample_shape + batch_shape``, without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> from autograd_core.distributions import Beta
            >>> Beta(2.0, 2.0).sample((4,)).shape
            autograd_core.Size([4])
        """
        with _ag.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """Draws in ``(0, 1)`` of shape ``sample_shape + batch_shape`` (the numbers of
        ``sample`` for the same seed), differentiable in both concentrations.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Beta
            >>> a = ag.tensor(2.0, requires_grad=True)
            >>> Beta(a, 2.0).rsample((3,)).sum().backward()
            >>> a.grad.item() > 0
            True
        """
        shape = self._extended_shape(sample_shape)
        return _BetaDraw.apply(self.concentration1.expand(shape),
                               self.concentration0.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``(a - 1) log(value) + (b - 1) log(1 - value) + lgamma(a + b) - lgamma(a) -
        lgamma(b)``.

        Args:
            value (Tensor): in ``[0, 1]``, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Beta
            >>> Beta(1.0, 1.0).log_prob(ag.tensor([0.2, 0.9]))
            tensor([0., 0.])
        """
        value = self._check_value(value, lambda v: (v >= 0) & (v <= 1),
                                  "Interval(lower_bound=0.0, upper_bound=1.0)")
        a, b = self.concentration1, self.concentration0
        return (_ag.xlogy(a - 1, value) + _ag.xlogy(b - 1, 1 - value) + _ag.lgamma(a + b)
                - _ag.lgamma(a) - _ag.lgamma(b))

    def entropy(self) -> Tensor:
        """``lbeta(a, b) - (a - 1) digamma(a) - (b - 1) digamma(b) + (a + b - 2) digamma(a + b)``.

        Example::

            >>> from autograd_core.distributions import Beta
            >>> Beta(1.0, 1.0).entropy()
            tensor(0.)
        """
        a, b = self.concentration1, self.concentration0
        total = a + b
        return (_ag.lgamma(a) + _ag.lgamma(b) - _ag.lgamma(total) - (a - 1) * _ag.digamma(a)
                - (b - 1) * _ag.digamma(b) + (total - 2) * _ag.digamma(total))

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        x, y = natural_params
        return _ag.lgamma(x) + _ag.lgamma(y) - _ag.lgamma(x + y)
