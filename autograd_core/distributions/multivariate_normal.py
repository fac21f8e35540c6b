"""PyTorch's ``torch.distributions.multivariate_normal``: ``MultivariateNormal``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.constraints import _CONSTRAINTS, _REAL_VECTOR
from autograd_core.distributions.distribution import Distribution, _Distribution, _shape_text
from autograd_core.distributions.utils import _batch_mv

__all__ = ["MultivariateNormal"]


class MultivariateNormal(_Distribution):
    r"""The multivariate normal distribution with mean ``loc`` and a covariance given by exactly
    one of ``covariance_matrix``, ``precision_matrix`` or its lower Cholesky factor
    ``scale_tril``, as ``torch.distributions.MultivariateNormal``; batch dimensions of
    ``loc`` and the matrix broadcast. ``rsample`` (``loc + scale_tril @ eps``), ``log_prob``
    (through the Cholesky factor) and ``entropy`` are differentiable.

    Args:
        loc (Tensor): the mean, shape ``batch_shape + (k,)``.
        covariance_matrix (Tensor, optional): symmetric positive definite, ``(..., k, k)``.
        precision_matrix (Tensor, optional): the inverse covariance, ``(..., k, k)``.
        scale_tril (Tensor, optional): lower triangular with a positive diagonal, ``(..., k, k)``.
        validate_args (bool, optional): check the parameters and ``log_prob``'s values
            (default: True).

    Differs from PyTorch: a matrix whose size does not match ``loc``'s last dimension is an
    error here; ``precision_matrix`` is factored as ``cholesky(inv(P))`` (the same factor,
    rounded differently).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import MultivariateNormal
        >>> m = MultivariateNormal(ag.zeros(2), ag.tensor([[2.0, 0.5], [0.5, 1.0]]))
        >>> m.log_prob(ag.tensor([1.0, -1.0])), m.entropy()
        (tensor(-3.2605), tensor(3.1177))
        >>> m.rsample((3,)).shape
        autograd_core.Size([3, 2])
    """


    arg_constraints = {"loc": _REAL_VECTOR, "covariance_matrix": _CONSTRAINTS["positive_definite"],
                       "precision_matrix": _CONSTRAINTS["positive_definite"],
                       "scale_tril": _CONSTRAINTS["lower_cholesky"]}
    support = _REAL_VECTOR
    has_rsample = True

    def __init__(self, loc: Tensor, covariance_matrix: Tensor | None = None,
                 precision_matrix: Tensor | None = None, scale_tril: Tensor | None = None,
                 validate_args: builtins.bool | None = None) -> None:
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [(n, m) for n, m in (("covariance_matrix", covariance_matrix),
                                     ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if m is not None]
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified.")
        name, matrix = given[0]
        if matrix.ndim < 2:
            raise ValueError(f"{name}{' matrix' if name == 'scale_tril' else ''} must be at "
                             "least two-dimensional, with optional leading batch dimensions")
        k = loc.shape[-1]
        if tuple(matrix.shape[-2:]) != (k, k):
            raise ValueError(f"MultivariateNormal: {name} of shape {_shape_text(matrix)} does not "
                             f"match loc of shape {_shape_text(loc)}: expected (..., {k}, {k})")
        batch = np.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1]))
        self._params = ("loc", name)
        self.loc = loc.expand(batch + (k,))
        self._matrix_name, self._matrix = name, matrix.expand(batch + (k, k))
        super().__init__(batch, (k,), validate_args)
        self._check_param("loc", self.loc, ~np.isnan(self.loc._data),
                          "IndependentConstraint(Real(), 1)")
        a = matrix._data
        if name == "scale_tril":
            diag = np.diagonal(a, axis1=-2, axis2=-1)
            self._check_param(name, self._matrix, np.all(np.triu(a, 1) == 0) and np.all(diag > 0),
                              "LowerCholesky()")
            self._tril = matrix
        else:
            self._check_param(name, self._matrix, _positive_definite(a), "PositiveDefinite()")
            cov = matrix if name == "covariance_matrix" else _ag.linalg.inv(matrix)
            self._tril = _ag.linalg.cholesky(cov)

    def expand(self, batch_shape: Any, _instance: Any = None) -> MultivariateNormal:
        """The distribution with ``loc`` and the matrices expanded (views) to ``batch_shape``;
        the Cholesky factor is reused, not recomputed.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).expand((3,)).batch_shape
            autograd_core.Size([3])
        """
        shape = tuple(Size(batch_shape))
        k = self._event_shape[0]
        new = object.__new__(type(self))
        new._params = self._params
        new.loc = self.loc.expand(shape + (k,))
        new._matrix_name, new._matrix = self._matrix_name, self._matrix.expand(shape + (k, k))
        new._tril = self._tril.expand(shape + (k, k))
        Distribution.__init__(new, shape, (k,), False)
        new._validate, new._validate_arg = self._validate, self._validate_arg
        return new

    def _full(self, t: Tensor, extra: tuple[builtins.int, ...]) -> Tensor:
        return t.expand(tuple(self._batch_shape) + extra)

    @property
    def scale_tril(self) -> Tensor:
        """The lower Cholesky factor ``L`` of the covariance (``L @ L.mT``).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.tensor([[4.0, 2.0], [2.0, 2.0]])).scale_tril
            tensor([[2., 0.],
                    [1., 1.]])
        """
        if self._matrix_name == "scale_tril":
            return self._matrix
        return self._full(self._tril, tuple(self._tril.shape[-2:]))

    @property
    def covariance_matrix(self) -> Tensor:
        """The covariance ``scale_tril @ scale_tril.mT``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> L = ag.tensor([[2.0, 0.0], [1.0, 1.0]])
            >>> MultivariateNormal(ag.zeros(2), scale_tril=L).covariance_matrix
            tensor([[4., 2.],
                    [2., 2.]])
        """
        if self._matrix_name == "covariance_matrix":
            return self._matrix
        return self._full(self._tril @ self._tril.mT, tuple(self._tril.shape[-2:]))

    @property
    def precision_matrix(self) -> Tensor:
        """The inverse of the covariance.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.tensor([[2.0, 0.0], [0.0, 4.0]])).precision_matrix
            tensor([[0.5000, 0.0000],
                    [0.0000, 0.2500]])
        """
        if self._matrix_name == "precision_matrix":
            return self._matrix
        return _ag.linalg.inv(self.covariance_matrix)

    @property
    def mean(self) -> Tensor:
        """``loc`` (expanded to the batch).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.tensor([1.0, 2.0]), ag.eye(2)).mean
            tensor([1., 2.])
        """
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc`` (expanded to the batch).

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.tensor([1.0, 2.0]), ag.eye(2)).mode
            tensor([1., 2.])
        """
        return self.loc

    @property
    def variance(self) -> Tensor:
        """The diagonal of the covariance.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), scale_tril=ag.tensor([[2.0, 0.0], [1.0, 1.0]])).variance
            tensor([4., 2.])
        """
        return self._full(self._tril.pow(2).sum(-1), tuple(self._event_shape))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw ``loc + scale_tril @ eps`` (``eps`` standard normal) of shape
        ``sample_shape + batch_shape + (k,)``.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(3, 2), ag.eye(2)).rsample((4,)).shape
            autograd_core.Size([4, 3, 2])
        """
        eps = _ag.randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + _batch_mv(self._tril, eps)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + (k,)``, without gradient.

        Args:
            sample_shape (tuple of ints): how many draws per distribution. Default: ``()``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).sample().shape
            autograd_core.Size([2])
        """
        return super().sample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(k log(2 pi) + |L^-1 (value - loc)|^2) / 2 - sum(log diag(L))``, ``L`` the
        Cholesky factor of the covariance.

        Args:
            value (Tensor): broadcastable with ``batch_shape + (k,)``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).log_prob(ag.zeros(2))
            tensor(-1.8379)
        """
        value = self._check_value(value, lambda v: ~np.isnan(v).any(-1),
                                  "IndependentConstraint(Real(), 1)")
        diff = value - self.loc
        shape = tuple(diff.shape)
        # the lower triangle only (a triangular solve, as PyTorch's: no gradient above it)
        tril = self._tril.tril().expand(shape[:-1] + tuple(self._tril.shape[-2:]))
        z = _ag.linalg.solve(tril, diff.unsqueeze(-1)).squeeze(-1)
        half_log_det = self._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + z.pow(2).sum(-1)) - half_log_det

    def entropy(self) -> Tensor:
        """``k (1 + log(2 pi)) / 2 + sum(log diag(L))``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import MultivariateNormal
            >>> MultivariateNormal(ag.zeros(2), ag.eye(2)).entropy()
            tensor(2.8379)
        """
        half_log_det = self._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        k = self._event_shape[0]
        return self._full(0.5 * k * (1.0 + math.log(2 * math.pi)) + half_log_det, ())


def _positive_definite(a: np.ndarray) -> builtins.bool:
    if not np.allclose(a, np.swapaxes(a, -1, -2)):
        return False
    try:
        np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        return False
    return True
