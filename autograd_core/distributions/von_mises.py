"""PyTorch's ``torch.distributions.von_mises``: ``VonMises``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _POSITIVE, _REAL, _is_real
from autograd_core.distributions.distribution import Distribution, _Distribution
from autograd_core.distributions.utils import _as_params

__all__ = ["VonMises"]


# Abramowitz & Stegun 9.8.1-9.8.4: the polynomial approximations of I0 and I1 (relative error
# ~1e-7) that PyTorch's VonMises uses for log I0 and log I1; kept so its numbers are PyTorch's
_BESSEL_SMALL = ((1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2),
                 (0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2,
                  0.32411e-3))
_BESSEL_LARGE = ((0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2,
                  -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2),
                 (0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1,
                  0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2))


def _horner(y: Tensor, coef: tuple) -> Any:
    out: Any = coef[-1]
    for c in reversed(coef[:-1]):
        out = c + y * out
    return out


def _log_bessel_i(x: Tensor, order: builtins.int) -> Tensor:
    """``log I_order(x)`` for ``x > 0`` (order 0 or 1), PyTorch's VonMises approximation:
    a polynomial in ``(x/3.75)^2`` below 3.75, ``x - log(x)/2 + log(poly(3.75/x))`` above."""
    with np.errstate(invalid="ignore", divide="ignore"):  # each branch off its side: unused
        y = (x / 3.75) ** 2
        small = _horner(y, _BESSEL_SMALL[order])
        small = (x.abs() * small if order else small).log()
        large = x - 0.5 * x.log() + _horner(3.75 / x, _BESSEL_LARGE[order]).log()
        return _ag.where(x < 3.75, small, large)


class VonMises(_Distribution):
    r"""The von Mises distribution on the circle, as ``torch.distributions.VonMises``:
    density ``exp(concentration * cos(x - loc)) / (2 pi I0(concentration))``; ``loc`` and values
    are angles (any real, read modulo 2 pi). ``mean``/``variance`` are the circular ones;
    ``sample`` is Best & Fisher's rejection sampler (in float64), not reparameterised.

    Args:
        loc (float or Tensor): the mean angle in radians.
        concentration (float or Tensor): the concentration ``kappa`` (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import VonMises
        >>> m = VonMises(0.0, 2.0)
        >>> m.log_prob(ag.tensor([0.0, 3.1416])), m.variance
        (tensor([-0.6619, -4.6619]), tensor(0.3022))
    """

    _checked_by_base = True
    _params = ("loc", "concentration")
    arg_constraints = {"loc": _REAL, "concentration": _POSITIVE}
    support = _REAL
    has_rsample = False

    def __init__(self, loc: Tensor | builtins.float, concentration: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.loc, self.concentration = _as_params(loc, concentration)
        super().__init__(self.loc.shape, (), validate_args)

    expand = Distribution._expand_params

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        return (self.concentration * (value - self.loc).cos() - math.log(2 * math.pi)
                - _log_bessel_i(self.concentration, 0))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Best & Fisher (1979): a wrapped-Cauchy envelope with parameter ``r``; draws are
        accepted until every element has one (in double; PyTorch's draws: three uniforms per
        element and round, an element accepted again taking the new value, as PyTorch's)."""
        shape = self._extended_shape(sample_shape)
        kappa = np.broadcast_to(self.concentration._data.astype(np.float64), shape)
        loc = np.broadcast_to(self.loc._data.astype(np.float64), shape)
        with np.errstate(all="ignore"):
            tau = 1 + np.sqrt(1 + 4 * kappa ** 2)
            rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
            r = np.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))
            x = np.zeros(shape)
            done = np.zeros(shape, bool)
            gen = _random.default_generator
            while not done.all():
                u1, u2, u3 = gen.uniform_array((3,) + shape, np.float64)
                z = np.cos(math.pi * u1)
                f = (1 + r * z) / (r + z)
                c = kappa * (r - f)
                accept = ((c * (2 - c) - u2) > 0) | (np.log(c / u2) + 1 - c >= 0)
                x = np.where(accept, np.sign(u3 - 0.5) * np.arccos(f), x)
                done |= accept
            out = np.mod(x + math.pi + loc, 2 * math.pi) - math.pi
        return _ag.tensor(out.astype(self.loc._data.dtype))

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 1 - (_log_bessel_i(self.concentration, 1)
                    - _log_bessel_i(self.concentration, 0)).exp()
