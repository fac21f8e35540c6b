"""PyTorch's ``torch.distributions.wishart``: ``Wishart``."""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.chi2 import Chi2
from autograd_core.distributions.constraints import (_LOWER_CHOLESKY, _POSITIVE_DEFINITE,
                                                     _greater_than)
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.utils import lazy_property

__all__ = ["Wishart"]

_LOG_2 = math.log(2)


def _mvdigamma(x: Tensor, p: builtins.int) -> Tensor:
    """The multivariate digamma ``sum_{i < p} digamma(x - i / 2)``."""
    return _ag.digamma(x.unsqueeze(-1) - _ag.arange(p, dtype=x.dtype) / 2).sum(-1)


def _precision_to_scale_tril(precision: Tensor) -> Tensor:
    """The lower Cholesky factor of ``inv(precision)`` without the inverse: the flipped
    Cholesky factor of the flipped matrix is ``inv(L).mT``."""
    flipped = _ag.linalg.cholesky(_ag.flip(precision, (-2, -1)))
    l_inv = _ag.flip(flipped, (-2, -1)).mT
    eye = _ag.eye(precision.shape[-1], dtype=precision.dtype)
    return _ag.linalg.solve_triangular(l_inv, eye, upper=False)


class Wishart(ExponentialFamily):
    r"""The Wishart distribution of ``p x p`` positive definite matrices with ``df`` degrees of
    freedom and scale given by exactly one of ``covariance_matrix``, ``precision_matrix`` or
    its lower Cholesky factor ``scale_tril`` (``Sigma = L @ L.mT``), as
    ``torch.distributions.Wishart``: the distribution of ``sum_i x_i x_i^T`` for ``df`` draws
    ``x_i ~ N(0, Sigma)``; ``df`` must exceed ``p - 1``. Draws use the Bartlett decomposition;
    ``rsample`` is differentiable in the scale and in ``df`` (through ``Chi2.rsample``), as
    PyTorch's.

    Args:
        df (float or Tensor): the degrees of freedom, greater than ``p - 1``.
        covariance_matrix (Tensor, optional): ``Sigma``, ``(..., p, p)``.
        precision_matrix (Tensor, optional): ``inv(Sigma)``.
        scale_tril (Tensor, optional): ``L``, lower triangular with a positive diagonal.
        validate_args (bool, optional): check the parameters and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Wishart
        >>> m = Wishart(4.0, covariance_matrix=ag.eye(2))
        >>> m.mean
        tensor([[4., 0.],
                [0., 4.]])
        >>> m.log_prob(ag.tensor([[3.0, 1.0], [1.0, 2.0]])), m.sample((5,)).shape
        (tensor(-4.9195), autograd_core.Size([5, 2, 2]))
    """

    support = _POSITIVE_DEFINITE
    has_rsample = True
    _checked_by_base = True

    @property
    def arg_constraints(self) -> dict[str, Any]:  # type: ignore[override]
        return {"covariance_matrix": _POSITIVE_DEFINITE,
                "precision_matrix": _POSITIVE_DEFINITE,
                "scale_tril": _LOWER_CHOLESKY,
                "df": _greater_than(self._event_shape[-1] - 1)}

    def __init__(self, df: Tensor | builtins.float, covariance_matrix: Tensor | None = None,
                 precision_matrix: Tensor | None = None, scale_tril: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        given = [(n, m) for n, m in (("covariance_matrix", covariance_matrix),
                                     ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if m is not None]
        if len(given) != 1:  # PyTorch's type and words
            raise AssertionError("Exactly one of covariance_matrix or precision_matrix or "
                                 "scale_tril may be specified.")
        name, param = given[0]
        if param.ndim < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional leading "
                             "batch dimensions")
        p = param.shape[-1]
        if isinstance(df, Tensor):
            batch = tuple(np.broadcast_shapes(tuple(param.shape[:-2]), tuple(df.shape)))
            self.df = df.expand(batch)
        else:
            batch = tuple(param.shape[:-2])
            self.df = _ag.tensor(df, dtype=param.dtype)
        if (self.df <= p - 1).any():
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        setattr(self, name, param.expand(batch + (p, p)))
        if (self.df < p).any():
            warnings.warn("Low df values detected. Singular samples are highly likely to occur "
                          "for ndim - 1 < df < ndim.", stacklevel=2)
        super().__init__(batch, tuple(param.shape[-2:]), validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = param
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = _ag.linalg.cholesky(param)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(param)
        self._set_chi2()

    def _set_chi2(self) -> None:
        """The Bartlett decomposition's ``Chi2(df - i)`` for the diagonal entries ``i < p``."""
        p = self._event_shape[-1]
        dfs = self.df.unsqueeze(-1) - _ag.arange(p, dtype=self.df.dtype)
        self._dist_chi2 = Chi2(dfs.expand(tuple(self._batch_shape) + (p,)), validate_args=False)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Wishart:
        shape = tuple(Size(batch_shape))
        full = shape + tuple(self._event_shape)
        new = object.__new__(type(self))
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(full)
        new.df = self.df.expand(shape)
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(full))
        Distribution.__init__(new, shape, self._event_shape, False)
        new._validate, new._validate_arg = self._validate, self._validate_arg
        new._set_chi2()
        return new

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(tuple(self._batch_shape)
                                                     + tuple(self._event_shape))

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        tril = self._unbroadcasted_scale_tril
        return (tril @ tril.mT).expand(tuple(self._batch_shape) + tuple(self._event_shape))

    @lazy_property
    def precision_matrix(self) -> Tensor:
        tril = self._unbroadcasted_scale_tril
        eye = _ag.eye(self._event_shape[-1], dtype=tril.dtype)
        return _ag.cholesky_solve(eye, tril).expand(tuple(self._batch_shape)
                                                    + tuple(self._event_shape))

    def _df_matrix(self, df: Tensor | None = None) -> Tensor:
        """``df`` (default ``self.df``) over the batch, as ``(*batch, 1, 1)`` (a number
        ``df`` is one value for the whole batch, as PyTorch keeps it)."""
        df = self.df if df is None else df
        return df.expand(tuple(self._batch_shape)).reshape(tuple(self._batch_shape) + (1, 1))

    @property
    def mean(self) -> Tensor:
        return self._df_matrix() * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        factor = self.df - self._event_shape[-1] - 1
        factor = _ag.where(factor <= 0, math.nan, factor)
        return self._df_matrix(factor) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        v = self.covariance_matrix
        d = v.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix() * (v.pow(2) + d.unsqueeze(-1) * d.unsqueeze(-2))

    def _bartlett_sampling(self, sample_shape: tuple[builtins.int, ...]) -> Tensor:
        p = self._event_shape[-1]
        chi = self._dist_chi2.rsample(sample_shape).sqrt()
        chi = chi.clamp(min=_ag.finfo(chi.dtype).eps)
        i, j = np.tril_indices(p, -1)
        below = _ag.randn(sample_shape + tuple(self._batch_shape) + (len(i),), dtype=chi.dtype)
        strict = np.zeros(tuple(chi.shape) + (p,), dtype=below._data.dtype)
        strict[..., i, j] = below._data
        chol = self._unbroadcasted_scale_tril @ (_ag.diag_embed(chi) + _ag.tensor(strict))
        return chol @ chol.mT

    def rsample(self, sample_shape: Any = (), max_try_correction: builtins.int | None = None,
                ) -> Tensor:
        """Draws by the Bartlett decomposition, differentiable in the scale and ``df``
        (through ``Chi2.rsample``); a draw that is
        not positive definite (likely for ``df < p``) is drawn again, up to
        ``max_try_correction`` (default 10) times, with a warning."""
        shape = tuple(Size(sample_shape))
        sample = self._bartlett_sampling(shape)
        n = len(self._batch_shape) + 2

        def per_draw(mask: np.ndarray) -> np.ndarray:  # any over the batch, per sample index
            mask = np.any(mask, axis=tuple(range(len(shape), len(shape) + n - 2)))
            return mask.reshape(mask.shape + (1,) * n)

        # PyTorch's numbers: its first check marks the positive definite draws (not the
        # singular ones) and draws those again, silently here (a fresh draw of the same law)
        ok = per_draw(self.support._ok(sample._data))
        if ok.any():
            sample = _ag.where(_ag.tensor(ok), self._bartlett_sampling(shape), sample)
        bad = ~self.support._ok(sample._data)
        if bad.any():
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(10 if max_try_correction is None else max_try_correction):
                sample = _ag.where(_ag.tensor(per_draw(bad)), self._bartlett_sampling(shape),
                                   sample)
                bad = ~self.support._ok(sample._data)
                if not bad.any():
                    break
        return sample

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        tril = self._unbroadcasted_scale_tril
        return (-nu * (p * _LOG_2 / 2 + tril.diagonal(dim1=-2, dim2=-1).log().sum(-1))
                - _ag.mvlgamma(nu / 2, p)
                + (nu - p - 1) / 2 * _ag.linalg.slogdet(value).logabsdet
                - _ag.cholesky_solve(value, tril).diagonal(dim1=-2, dim2=-1).sum(-1) / 2)

    def entropy(self) -> Tensor:
        nu, p = self.df, self._event_shape[-1]
        tril = self._unbroadcasted_scale_tril
        return ((p + 1) * (p * _LOG_2 / 2 + tril.diagonal(dim1=-2, dim2=-1).log().sum(-1))
                + _ag.mvlgamma(nu / 2, p) - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p)
                + nu * p / 2)

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        # df over the batch: a number df is one 0-d tensor, whose gradient in the Bregman
        # divergence would add up every batch member's term
        df = self.df.expand(tuple(self._batch_shape))
        return -self.precision_matrix / 2, (df - self._event_shape[-1] - 1) / 2

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        x, y = natural_params
        p = self._event_shape[-1]
        return ((y + (p + 1) / 2) * (-_ag.linalg.slogdet(-2 * x).logabsdet + _LOG_2 * p)
                + _ag.mvlgamma(y + (p + 1) / 2, p))

    _mean_carrier_measure = 0
