"""PyTorch's ``torch.distributions.lowrank_multivariate_normal``: ``LowRankMultivariateNormal``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _POSITIVE, _REAL, _REAL_VECTOR, _independent
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.utils import _batch_mv

__all__ = ["LowRankMultivariateNormal"]


class LowRankMultivariateNormal(Distribution):
    r"""The multivariate normal distribution with covariance ``cov_factor @ cov_factor.mT +
    diag(cov_diag)`` (a rank-``m`` factor plus a positive diagonal), as
    ``torch.distributions.LowRankMultivariateNormal``: ``log_prob`` and ``entropy`` use the
    ``m x m`` capacitance matrix (Woodbury), ``rsample`` is reparameterised.

    Args:
        loc (Tensor): the mean, shape ``batch_shape + (k,)``.
        cov_factor (Tensor): shape ``batch_shape + (k, m)``.
        cov_diag (Tensor): positive, shape ``batch_shape + (k,)``.
        validate_args (bool, optional): check the parameters and values (default: True).

    Differs from PyTorch: ``precision_matrix`` inverts the covariance (PyTorch's uses
    Woodbury's formula; the same up to rounding).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import LowRankMultivariateNormal
        >>> m = LowRankMultivariateNormal(ag.zeros(2), ag.tensor([[1.0], [1.0]]), ag.ones(2))
        >>> m.covariance_matrix
        tensor([[2., 1.],
                [1., 2.]])
        >>> m.log_prob(ag.zeros(2)), m.entropy()
        (tensor(-2.3872), tensor(3.3872))
    """

    _params = ("loc", "cov_factor", "cov_diag")
    arg_constraints = {"loc": _REAL_VECTOR, "cov_factor": _independent(_REAL, 2),
                       "cov_diag": _independent(_POSITIVE, 1)}
    support = _REAL_VECTOR
    has_rsample = True

    def __init__(self, loc: Tensor, cov_factor: Tensor, cov_diag: Tensor,
                 validate_args: builtins.bool | None = None) -> None:
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        k = loc.shape[-1]
        if cov_factor.ndim < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        if cov_factor.shape[-2] != k:
            raise ValueError(f"cov_factor must be a batch of matrices with shape {k} x m")
        if tuple(cov_diag.shape[-1:]) != (k,):
            raise ValueError(f"cov_diag must be a batch of vectors with shape {Size((k,))}")
        try:
            batch = np.broadcast_shapes(tuple(loc.shape[:-1]), tuple(cov_factor.shape[:-2]),
                                        tuple(cov_diag.shape[:-1]))
        except ValueError:
            raise ValueError(f"Incompatible batch shapes: loc {loc.shape}, cov_factor "
                             f"{cov_factor.shape}, cov_diag {cov_diag.shape}") from None
        m = cov_factor.shape[-1]
        self.loc = loc.expand(batch + (k,))
        self.cov_factor = cov_factor.expand(batch + (k, m))
        self.cov_diag = cov_diag.expand(batch + (k,))
        self._W, self._D = cov_factor, cov_diag
        super().__init__(batch, (k,), validate_args)
        self._check_param("loc", self.loc, np.all(~np.isnan(loc._data)),
                          self.arg_constraints["loc"])
        self._check_param("cov_factor", self.cov_factor, np.all(~np.isnan(cov_factor._data)),
                          self.arg_constraints["cov_factor"])
        self._check_param("cov_diag", self.cov_diag, np.all(cov_diag._data > 0),
                          self.arg_constraints["cov_diag"])
        # the capacitance I + W^T D^-1 W and its Cholesky factor
        wt_dinv = self._W.transpose(-1, -2) / self._D.unsqueeze(-2)
        capacitance = wt_dinv @ self._W + _ag.eye(m, dtype=self._W.dtype)
        self._capacitance_tril = _ag.linalg.cholesky(capacitance)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LowRankMultivariateNormal:
        shape = tuple(Size(batch_shape))
        return LowRankMultivariateNormal(
            self.loc.expand(shape + tuple(self.loc.shape[-1:])),
            self.cov_factor.expand(shape + tuple(self.cov_factor.shape[-2:])),
            self.cov_diag.expand(shape + tuple(self.cov_diag.shape[-1:])), self._validate)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        shape = tuple(self._batch_shape) + tuple(self._event_shape)
        return (self._W.pow(2).sum(-1) + self._D).expand(shape)

    @property
    def covariance_matrix(self) -> Tensor:
        k = self._event_shape[0]
        cov = self._W @ self._W.transpose(-1, -2) + _ag.diag_embed(self._D)
        return cov.expand(tuple(self._batch_shape) + (k, k))

    @property
    def scale_tril(self) -> Tensor:
        return _ag.linalg.cholesky(self.covariance_matrix)

    @property
    def precision_matrix(self) -> Tensor:
        return _ag.linalg.inv(self.covariance_matrix)

    def _log_det(self) -> Tensor:
        tril_diag = self._capacitance_tril.diagonal(dim1=-2, dim2=-1)
        return 2 * tril_diag.log().sum(-1) + self._D.log().sum(-1)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps_w = _ag.randn(shape[:-1] + (self._W.shape[-1],), dtype=self.loc.dtype)
        eps_d = _ag.randn(shape, dtype=self.loc.dtype)
        return self.loc + _batch_mv(self._W, eps_w) + self._D.sqrt() * eps_d

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, lambda v: np.all(~np.isnan(v), axis=-1),
                                  self.support)
        diff = value - self.loc
        term1 = (diff.pow(2) / self._D).sum(-1)
        wt_dinv_x = (self._W.transpose(-1, -2) / self._D.unsqueeze(-2)) @ diff.unsqueeze(-1)
        tril = self._capacitance_tril
        batch = np.broadcast_shapes(tuple(tril.shape[:-2]), tuple(wt_dinv_x.shape[:-2]))
        m = tril.shape[-1]
        solved = _ag.linalg.solve(tril.expand(batch + (m, m)), wt_dinv_x.expand(batch + (m, 1)))
        mahalanobis = term1 - solved.pow(2).sum((-2, -1))
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + self._log_det() + mahalanobis)

    def entropy(self) -> Tensor:
        k = self._event_shape[0]
        h = 0.5 * (k * (1.0 + math.log(2 * math.pi)) + self._log_det())
        return h.expand(tuple(self._batch_shape))
