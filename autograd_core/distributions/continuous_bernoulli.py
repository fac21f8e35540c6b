"""PyTorch's ``torch.distributions.continuous_bernoulli``: ``ContinuousBernoulli``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _REAL, _UNIT
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.utils import _as_params, _clamp_probs, _log_sigmoid

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(ExponentialFamily):
    r"""The continuous Bernoulli distribution on ``[0, 1]`` (Loaiza-Ganem & Cunningham 2019),
    density ``C(p) p^x (1 - p)^(1 - x)``, as ``torch.distributions.ContinuousBernoulli``: near
    ``p = 1/2`` (``lims``) the normaliser, mean and variance are Taylor expansions, as
    PyTorch's; ``rsample`` is its inverse cdf of a uniform draw (reparameterised).

    Args:
        probs (float or Tensor, optional): the parameter ``p`` in ``[0, 1]`` (clamped to
            ``[eps, 1 - eps]``).
        logits (float or Tensor, optional): its log-odds.
        lims (tuple of float): the unstable region around 1/2. Default: ``(0.499, 0.501)``.
        validate_args (bool, optional): check the parameter and values.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import ContinuousBernoulli
        >>> m = ContinuousBernoulli(ag.tensor([0.2]))
        >>> m.log_prob(ag.tensor([0.5])), m.mean
        (tensor([-0.0788]), tensor([0.3880]))
    """

    arg_constraints = {"probs": _UNIT, "logits": _REAL}
    support = _UNIT
    has_rsample = True

    def __init__(self, probs: Tensor | builtins.float | None = None,
                 logits: Tensor | builtins.float | None = None,
                 lims: tuple[builtins.float, builtins.float] = (0.499, 0.501),
                 validate_args: builtins.bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (p,) = _as_params(probs)
            if validate_args is not None and not np.all((p._data >= 0) & (p._data <= 1)):
                raise ValueError("The parameter probs has invalid values")
            self.probs = _clamp_probs(p)
            q = self.probs
            self.logits = q.log() - (-q).log1p()
            self._params = ("probs",)
        else:
            (self.logits,) = _as_params(logits)
            self.probs = _clamp_probs(self.logits.sigmoid())
            self._params = ("logits",)
        self._lims = lims
        super().__init__(self.probs.shape, (), validate_args)
        if logits is not None:
            self._check_param("logits", self.logits, ~np.isnan(self.logits._data), _REAL)

    def expand(self, batch_shape: Any, _instance: Any = None) -> ContinuousBernoulli:
        shape = tuple(Size(batch_shape))
        given = {self._params[0]: getattr(self, self._params[0]).expand(shape)}
        new = ContinuousBernoulli(**given, lims=self._lims, validate_args=False)
        new._validate_arg = self._validate_arg
        return new

    def _outside(self) -> Tensor:
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self) -> Tensor:
        return _ag.where(self._outside(), self.probs, self._lims[0])

    def _log_norm(self) -> Tensor:
        c = self._cut_probs()
        below = _ag.where(c <= 0.5, c, 0.0)
        above = _ag.where(c >= 0.5, c, 1.0)
        log_norm = ((-c).log1p() - c.log()).abs().log() - _ag.where(
            c <= 0.5, (-2.0 * below).log1p(), (2.0 * above - 1.0).log())
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return _ag.where(self._outside(), log_norm, taylor)

    @property
    def mean(self) -> Tensor:
        c = self._cut_probs()
        mus = c / (2.0 * c - 1.0) + 1.0 / ((-c).log1p() - c.log())
        x = self.probs - 0.5
        return _ag.where(self._outside(), mus, 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x)

    @property
    def variance(self) -> Tensor:
        c = self._cut_probs()
        v = (c * (c - 1.0) / (1.0 - 2.0 * c).pow(2)
             + 1.0 / ((-c).log1p() - c.log()).pow(2))
        x = (self.probs - 0.5).pow(2)
        return _ag.where(self._outside(), v, 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x)

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    @property
    def mode(self) -> Tensor:  # PyTorch's base: it has no mode
        raise NotImplementedError("ContinuousBernoulli does not implement mode")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = _ag.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, lambda v: (v >= 0) & (v <= 1), _UNIT)
        lg = self.logits  # -BCE-with-logits: x y - softplus(x) = x y + log_sigmoid(-x)
        return lg * value + _log_sigmoid(-lg) + self._log_norm()

    def cdf(self, value: Tensor) -> Tensor:
        value = self._check_value(value, lambda v: (v >= 0) & (v <= 1), _UNIT)
        c = self._cut_probs()
        cdfs = (c.pow(value) * (1.0 - c).pow(1.0 - value) + c - 1.0) / (2.0 * c - 1.0)
        inner = _ag.where(self._outside(), cdfs, value)
        return _ag.where(value <= 0.0, 0.0, _ag.where(value >= 1.0, 1.0, inner))

    def icdf(self, value: Tensor) -> Tensor:
        c = self._cut_probs()
        return _ag.where(self._outside(),
                         ((-c + value * (2.0 * c - 1.0)).log1p() - (-c).log1p())
                         / (c.log() - (-c).log1p()), value)

    def entropy(self) -> Tensor:
        log0, log1 = (-self.probs).log1p(), self.probs.log()
        return self.mean * (log0 - log1) - self._log_norm() - log0

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.logits,)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        """``log int_0^1 exp(x y) dy = log(expm1(x) / x)``; its Taylor series
        ``x / 2 + x^2 / 24 - x^4 / 2880`` near ``x = 0`` (``lims`` moved to logits)."""
        (x,) = natural_params
        near_zero = (x > self._lims[0] - 0.5) & (x <= self._lims[1] - 0.5)
        safe = _ag.where(near_zero, 1.0, x)
        exact = safe.expm1().abs().log() - safe.abs().log()
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return _ag.where(near_zero, taylor, exact)

    _mean_carrier_measure = 0
