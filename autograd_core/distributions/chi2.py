"""PyTorch's ``torch.distributions.chi2``: ``Chi2``."""

from __future__ import annotations

import builtins

import autograd_core as _ag
from autograd_core.tensor import Tensor
from autograd_core.distributions.constraints import _POSITIVE, _is_positive
from autograd_core.distributions.distribution import _Distribution
from autograd_core.distributions.gamma import Gamma
from autograd_core.distributions.utils import _as_params

__all__ = ["Chi2"]


class Chi2(Gamma):
    r"""The chi-squared distribution with ``df`` degrees of freedom: ``Gamma(df / 2, 1 / 2)``,
    as ``torch.distributions.Chi2``.

    Args:
        df (float or Tensor): degrees of freedom (positive).
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Chi2
        >>> m = Chi2(ag.tensor([2.0, 4.0]))
        >>> m.log_prob(ag.tensor([1.0, 1.0])), m.mean
        (tensor([-1.1931, -1.8863]), tensor([2., 4.]))
    """

    _params: tuple[str, ...] = ("df",)
    arg_constraints = {"df": _POSITIVE}

    def __init__(self, df: Tensor | builtins.float,
                 validate_args: builtins.bool | None = None) -> None:
        (df,) = _as_params(df)
        self.concentration, self.rate = 0.5 * df, _ag.full_like(df, 0.5)
        _Distribution.__init__(self, df.shape, (), validate_args)
        self._check_param("df", df, _is_positive(df._data), _POSITIVE)

    def __repr__(self) -> str:
        return "Chi2()"  # PyTorch's: df is a property

    @property
    def df(self) -> Tensor:
        return self.concentration * 2
