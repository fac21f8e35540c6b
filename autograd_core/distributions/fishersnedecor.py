"""PyTorch's ``torch.distributions.fishersnedecor``: ``FisherSnedecor``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _POSITIVE
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.gamma import Gamma
from autograd_core.distributions.utils import _as_params

__all__ = ["FisherSnedecor"]


class FisherSnedecor(Distribution):
    r"""The F distribution with ``df1`` and ``df2`` degrees of freedom (the law of
    ``(X1 / df1) / (X2 / df2)`` for independent ``X_i ~ Chi2(df_i)``), as
    ``torch.distributions.FisherSnedecor``; ``rsample`` is differentiable in both (through
    ``Gamma.rsample``), as PyTorch's.

    Args:
        df1 (float or Tensor): the numerator's degrees of freedom (positive).
        df2 (float or Tensor): the denominator's degrees of freedom (positive).
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import FisherSnedecor
        >>> m = FisherSnedecor(ag.tensor([3.0, 5.0]), 10.0)
        >>> m.log_prob(ag.tensor([1.0, 2.0])), m.mean
        (tensor([-0.9060, -1.8201]), tensor([1.2500, 1.2500]))
    """

    arg_constraints = {"df1": _POSITIVE, "df2": _POSITIVE}
    support = _POSITIVE
    _checked_by_base = True

    def __init__(self, df1: Tensor | builtins.float, df2: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        self.df1, self.df2 = _as_params(df1, df2)
        super().__init__(self.df1.shape, (), validate_args)

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        df2 = _ag.where(self.df2 <= 2, math.nan, self.df2)
        return df2 / (df2 - 2)

    @property
    def mode(self) -> Tensor:
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return _ag.where(self.df1 <= 2, math.nan, mode)

    @property
    def variance(self) -> Tensor:
        df1, df2 = self.df1, _ag.where(self.df2 <= 4, math.nan, self.df2)
        return 2 * df2.pow(2) * (df1 + df2 - 2) / (df1 * (df2 - 2).pow(2) * (df2 - 4))

    has_rsample = True

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """``X1 / X2`` for ``X_i ~ Gamma(df_i / 2, df_i)`` (the numbers of ``sample``),
        differentiable in ``df1`` and ``df2``.

        Example::

            >>> from autograd_core.distributions import FisherSnedecor
            >>> FisherSnedecor(3.0, 10.0).rsample((2,)).shape
            autograd_core.Size([2])
        """
        shape = tuple(Size(sample_shape))
        x1 = Gamma(self.df1 * 0.5, self.df1, validate_args=False).rsample(shape)
        x2 = Gamma(self.df2 * 0.5, self.df2, validate_args=False).rsample(shape)
        tiny = _ag.finfo(x2.dtype).tiny
        return _ag.where(x1 / x2 < tiny, tiny, x1 / x2)  # x2 is already at least tiny

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate:
            self._validate_sample(value)
        ct1, ct2 = self.df1 * 0.5, self.df2 * 0.5
        ct3 = self.df1 / self.df2
        t1 = _ag.lgamma(ct1 + ct2) - _ag.lgamma(ct1) - _ag.lgamma(ct2)
        t2 = ct1 * ct3.log() + (ct1 - 1) * value.log()
        t3 = (ct1 + ct2) * (ct3 * value).log1p()
        return t1 + t2 - t3
