"""PyTorch's ``torch.distributions.studentT``: ``StudentT``."""

from __future__ import annotations

import builtins
import math
from typing import Any


import autograd_core as _ag
from autograd_core.tensor import Tensor
from autograd_core.distributions.chi2 import Chi2
from autograd_core.distributions.constraints import _POSITIVE, _REAL, _is_real
from autograd_core.distributions.distribution import Distribution, _Distribution
from autograd_core.distributions.utils import _as_params

__all__ = ["StudentT"]


class StudentT(_Distribution):
    r"""Student's t distribution with ``df`` degrees of freedom, location ``loc`` and scale
    ``scale``, as ``torch.distributions.StudentT``. ``log_prob`` and ``entropy`` are
    differentiable in all three.

    Args:
        df (float or Tensor): degrees of freedom (positive).
        loc (float or Tensor): the location. Default: 0.
        scale (float or Tensor): the scale (positive). Default: 1.
        validate_args (bool, optional): check the parameters and values (default: True).

    ``rsample`` is PyTorch's ``loc + scale X / sqrt(Z / df)`` for ``X ~ Normal(0, 1)`` and
    ``Z ~ Chi2(df)``, differentiable in all three; ``sample`` is ``rsample`` without gradient, as
    PyTorch's (its numbers for a seed).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import StudentT
        >>> m = StudentT(3.0)
        >>> m.log_prob(ag.tensor([0.0, 1.0])), m.variance
        (tensor([-1.0009, -1.5763]), tensor(3.))
    """

    _params = ("df", "loc", "scale")
    arg_constraints = {"df": _POSITIVE, "loc": _REAL, "scale": _POSITIVE}
    _checked_by_base = True
    support = _REAL
    has_rsample = True

    def __init__(self, df: Tensor | builtins.float, loc: Tensor | builtins.float = 0.0,
                 scale: Tensor | builtins.float = 1.0,
                 validate_args: builtins.bool | None = None) -> None:
        self.df, self.loc, self.scale = _as_params(df, loc, scale)
        super().__init__(self.df.shape, (), validate_args)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return _ag.where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        # df <= 2 gets a stand-in so that the unused branch's inf does not make the
        # gradients nan (0 * inf) through where
        safe = _ag.where(df > 2, df, 3.0)
        finite = self.scale.pow(2) * safe / (safe - 2)
        return _ag.where(df > 2, finite, _ag.where(df > 1, math.inf, math.nan))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``loc + scale X / sqrt(Z / df)``, ``X ~ Normal(0, 1)``, ``Z ~ Chi2(df)``, of shape
        ``sample_shape + batch_shape``, differentiable in ``df``, ``loc`` and ``scale``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import StudentT
            >>> StudentT(ag.tensor([3.0, 5.0])).rsample((4,)).shape
            autograd_core.Size([4, 2])
        """
        shape = self._extended_shape(sample_shape)
        x = _ag.randn(shape, dtype=self.df.dtype)
        z = Chi2(self.df, validate_args=False).rsample(sample_shape)
        return self.loc + self.scale * (x * (z / self.df).rsqrt())

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _is_real, _REAL)
        df, y = self.df, (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
             + _ag.lgamma(0.5 * df) - _ag.lgamma(0.5 * (df + 1.0)))
        return -0.5 * (df + 1.0) * (y.pow(2) / df).log1p() - z

    def entropy(self) -> Tensor:
        df = self.df
        lbeta = _ag.lgamma(0.5 * df) + math.lgamma(0.5) - _ag.lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (_ag.digamma(0.5 * (df + 1))
                                                     - _ag.digamma(0.5 * df))
                + 0.5 * df.log() + lbeta)
