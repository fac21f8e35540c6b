"""PyTorch's ``torch.distributions.gamma``: ``Gamma``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.tensor import Tensor
from autograd_core.distributions._gamma_grad import gamma_rsample_grad
from autograd_core.distributions.constraints import _NONNEGATIVE, _POSITIVE
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.utils import _as_params, _draw

__all__ = ["Gamma"]


class _GammaDraw(_ag.Function):
    """``max(standard_gamma(concentration) / rate, tiny)`` (``concentration`` and ``rate`` of
    the draws' shape): the numbers of ``Gamma.sample``, differentiable in both by implicit
    reparameterization (the clamp is not differentiated, as PyTorch's). Backward is PyTorch's,
    operation by operation: ``grad / rate * _standard_gamma_grad(concentration, std)`` and
    ``-grad * (std / rate / rate)``."""

    @staticmethod
    def forward(ctx: Any, concentration: Tensor, rate: Tensor) -> Tensor:
        # PyTorch's: _standard_gamma(concentration) / rate in the dtype, at least tiny
        dt = rate._data.dtype
        alpha = concentration._data.astype(dt)
        std = _random.default_generator.gamma_array(alpha, dt)
        x = _draw(np.maximum(std / rate._data, _ag.finfo(rate.dtype).tiny), rate)
        ctx.std, ctx.alpha = std, alpha
        ctx.save_for_backward(rate)
        return x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        (rate,) = ctx.saved_tensors
        g_alpha = g_rate = None
        if ctx.needs_input_grad[0]:
            g_alpha = grad / rate * _draw(gamma_rsample_grad(ctx.alpha, ctx.std), rate)
        if ctx.needs_input_grad[1]:
            g_rate = -grad * (_draw(ctx.std, rate) / rate / rate)
        return g_alpha, g_rate


class Gamma(ExponentialFamily):
    r"""The gamma distribution with shape ``concentration`` and inverse scale ``rate``
    (broadcast together; numbers allowed), as ``torch.distributions.Gamma``. ``log_prob`` and
    ``entropy`` are differentiable in both parameters.

    Args:
        concentration (float or Tensor): the shape parameter (positive).
        rate (float or Tensor): the inverse scale (positive).
        validate_args (bool, optional): check the parameters and ``log_prob``'s values
            (default: True).

    ``rsample`` is differentiable in both parameters by implicit reparameterization, as
    PyTorch's (its fitted approximation of the concentration's gradient, the same numbers; the
    exact one with ``autograd_core.distributions._gamma_grad.EXACT = True``), and draws are its
    numbers for a seed.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Gamma
        >>> m = Gamma(ag.tensor([1.0, 2.0]), 3.0)
        >>> m.log_prob(ag.tensor([0.5, 0.5])), m.entropy()
        (tensor([-0.4014,  0.0041]), tensor([-0.0986,  0.4786]))
    """

    arg_constraints = {"concentration": _POSITIVE, "rate": _POSITIVE}
    support = _NONNEGATIVE
    _params: tuple[str, ...] = ("concentration", "rate")
    expand = Distribution._expand_params
    _checked_by_base = True
    has_rsample = True

    def __init__(self, concentration: Tensor | builtins.float, rate: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.concentration, self.rate = _as_params(concentration, rate)
        super().__init__(self.concentration.shape, (), validate_args)  # the base checks them

    @property
    def mean(self) -> Tensor:
        """``concentration / rate``.

        Example::

            >>> from autograd_core.distributions import Gamma
            >>> Gamma(3.0, 2.0).mean
            tensor(1.5000)
        """
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        """``(concentration - 1) / rate``, clamped at 0.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Gamma
            >>> Gamma(ag.tensor([0.5, 3.0]), 2.0).mode
            tensor([0., 1.])
        """
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        """``concentration / rate ** 2``.

        Example::

            >>> from autograd_core.distributions import Gamma
            >>> Gamma(3.0, 2.0).variance
            tensor(0.7500)
        """
        return self.concentration / self.rate.pow(2)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of shape ``sample_shape + batch_shape`` (at least the dtype's ``tiny``),
        without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> from autograd_core.distributions import Gamma
            >>> Gamma(2.0, 1.0).sample((3, 2)).shape
            autograd_core.Size([3, 2])
        """
        with _ag.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of shape ``sample_shape + batch_shape`` (at least the dtype's ``tiny``; the
        numbers of ``sample`` for the same seed), differentiable in ``concentration`` (implicit
        reparameterization) and ``rate``.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Gamma
            >>> a = ag.tensor(2.0, requires_grad=True)
            >>> Gamma(a, 1.0).rsample((1000,)).mean().backward()  # d E[x] / da = 1
            >>> abs(a.grad.item() - 1.0) < 0.1
            True
        """
        shape = self._extended_shape(sample_shape)
        return _GammaDraw.apply(self.concentration.expand(shape), self.rate.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``concentration log(rate) + (concentration - 1) log(value) - rate value -
        lgamma(concentration)``.

        Args:
            value (Tensor): non-negative, broadcastable with ``batch_shape``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Gamma
            >>> Gamma(1.0, 2.0).log_prob(ag.tensor([0.0, 1.0]))
            tensor([ 0.6931, -1.3069])
        """
        value = self._check_value(value, lambda v: v >= 0, "GreaterThanEq(lower_bound=0.0)")
        c, r = self.concentration, self.rate
        return _ag.xlogy(c, r) + _ag.xlogy(c - 1, value) - r * value - _ag.lgamma(c)

    def entropy(self) -> Tensor:
        """``concentration - log(rate) + lgamma(concentration) + (1 - concentration)
        digamma(concentration)``.

        Example::

            >>> from autograd_core.distributions import Gamma
            >>> Gamma(1.0, 1.0).entropy()
            tensor(1.)
        """
        c = self.concentration
        return c - self.rate.log() + _ag.lgamma(c) + (1.0 - c) * _ag.digamma(c)

    def cdf(self, value: Tensor) -> Tensor:
        """``gammainc(concentration, rate * value)``, as PyTorch's: differentiable in ``rate``
        and ``value``; a gradient for ``concentration`` raises (PyTorch's ``igamma`` has none).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Gamma
            >>> Gamma(1.0, 2.0).cdf(ag.tensor([0.0, 1.0]))
            tensor([0.0000, 0.8647])
        """
        value = self._check_value(value, lambda v: v >= 0, "GreaterThanEq(lower_bound=0.0)")
        return _ag.igamma(self.concentration, self.rate * value)

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        x, y = natural_params
        return _ag.lgamma(x + 1) + (x + 1) * (-y.reciprocal()).log()

    _mean_carrier_measure = 0
