"""PyTorch's ``torch.distributions.lkj_cholesky``: ``LKJCholesky``."""

from __future__ import annotations

import builtins
import math
from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Size, Tensor
from autograd_core.distributions.beta import Beta
from autograd_core.distributions.constraints import _CORR_CHOLESKY, _POSITIVE
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.utils import _as_params

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    r"""The LKJ distribution of lower Cholesky factors ``L`` of ``dim x dim`` correlation
    matrices, as ``torch.distributions.LKJCholesky``: the density of ``M = L @ L.mT`` is
    proportional to ``det(M) ** (concentration - 1)`` (``concentration == 1``: uniform over
    correlation matrices). Draws use the onion method (Lewandowski, Kurowicka and Joe, 2009)
    and have no gradient (no ``rsample``, as PyTorch's); for ``dim >= 3`` they follow the
    density ``log_prob`` gives, where PyTorch 2.13's do not (its rows after the second get too
    large a correlation).

    Args:
        dim (int): the size of the matrices (at least 2).
        concentration (float or Tensor): ``eta``, positive. Default: ``1.0``.
        validate_args (bool, optional): check the parameter and values (default: True).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import LKJCholesky
        >>> m = LKJCholesky(2, 2.0)
        >>> L = m.sample()
        >>> L.shape, ag.allclose((L @ L.mT).diagonal(), ag.ones(2))
        (autograd_core.Size([2, 2]), True)
        >>> m.log_prob(ag.tensor([[1.0, 0.0], [0.6, 0.8]]))
        tensor(-0.7340)
    """

    arg_constraints = {"concentration": _POSITIVE}
    support = _CORR_CHOLESKY
    _checked_by_base = True

    def __init__(self, dim: builtins.int, concentration: Tensor | builtins.float = 1.0,
                 validate_args: builtins.bool | None = None) -> None:
        if dim < 2:
            raise ValueError(
                f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = _as_params(concentration)
        # the onion method: row i >= 1 has squared off-diagonal norm
        # Beta(i / 2, eta + (dim - 1 - i) / 2) (row 0 is e_1; its Beta is not used).
        # PyTorch 2.13 draws Beta(i - 1/2, ...), which is not LKJ for dim >= 3
        offset = _ag.cat([_ag.zeros(1, dtype=self.concentration.dtype),
                          _ag.arange(dim - 1, dtype=self.concentration.dtype)])
        marginal = self.concentration + 0.5 * (dim - 2)
        self._beta = Beta(0.5 * (offset + 1), marginal.unsqueeze(-1) - 0.5 * offset,
                          validate_args=False)
        super().__init__(self.concentration.shape, (dim, dim), validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LKJCholesky:
        shape = tuple(Size(batch_shape))
        new = object.__new__(type(self))
        new.dim = self.dim
        new.concentration = self.concentration.expand(shape)
        new._beta = self._beta.expand(shape + (self.dim,))
        Distribution.__init__(new, shape, self._event_shape, False)
        new._validate, new._validate_arg = self._validate, self._validate_arg
        return new

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            u = _ag.randn(self._extended_shape(sample_shape), dtype=y.dtype).tril(-1)
            norm = u.norm(dim=-1, keepdim=True)  # 0 for the first row, which stays 0
            w = y.sqrt() * (u / _ag.where(norm == 0, 1.0, norm))
            tiny = _ag.finfo(w.dtype).tiny
            diag = (1 - (w ** 2).sum(-1)).clamp(min=tiny).sqrt()
            return w + _ag.diag_embed(diag)

    def log_prob(self, value: Tensor) -> Tensor:
        """``sum_i (2 (eta - 1) + dim - i) log L_ii`` (``i = 2..dim``) minus the log of the
        normalising constant, as PyTorch's."""
        if self._validate:
            self._validate_sample(value)
        diag = value.diagonal(dim1=-2, dim2=-1)[..., 1:]
        order = _ag.arange(2, self.dim + 1, dtype=self.concentration.dtype)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (order * diag.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalizer = (0.5 * dm1 * math.log(math.pi) + _ag.mvlgamma(alpha - 0.5, dm1)
                      - _ag.lgamma(alpha) * dm1)
        return unnormalized - normalizer
