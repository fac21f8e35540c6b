"""PyTorch's ``torch.distributions.dirichlet``: ``Dirichlet``."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core import random as _random
from autograd_core.tensor import Tensor
from autograd_core.distributions._gamma_grad import dirichlet_rsample_grad
from autograd_core.distributions.constraints import (_POSITIVE, _SIMPLEX, _independent,
                                                     _is_positive, _on_simplex)
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.utils import _as_params, _draw

__all__ = ["Dirichlet"]


def _sample_dirichlet(alpha: np.ndarray, dtype: Any) -> np.ndarray:
    """PyTorch's ``_sample_dirichlet`` of ``alpha`` (the draws' shape): double gamma draws
    (at least the double ``tiny``) normalised in double over the last axis, then in ``dtype``
    clipped into ``[tiny, the largest value below 1]``."""
    g = _random.default_generator.gamma_array(alpha.astype(np.float64), np.float64)
    x = (g / g.sum(-1, keepdims=True)).astype(dtype)
    return np.clip(x, np.finfo(dtype).tiny, np.nextafter(dtype(1), dtype(0)))


class _DirichletDraw(_ag.Function):
    """Normalized gamma draws of ``concentration`` (the draws' shape), clipped into ``[tiny,
    the largest value below 1]``: the numbers of ``Dirichlet.sample``. Backward: each ``x_i``
    is ``Beta(a_i, total - a_i)`` and moves with ``a_i`` by that beta's ``dx_i/da_i`` while the
    other components shrink in proportion, so ``dL/da_i = dx_i/da_i / (1 - x_i) (g_i -
    sum_j x_j g_j)``, PyTorch's choice and arithmetic (``_dirichlet_grad``, in the dtype)."""

    @staticmethod
    def forward(ctx: Any, concentration: Tensor) -> Tensor:
        alpha = concentration._data
        x = _sample_dirichlet(alpha.astype(np.float64), alpha.dtype.type)
        ctx.x, ctx.alpha = x, alpha
        return _draw(x, concentration)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return _dirichlet_backward(ctx.x, ctx.alpha, grad)


def _dirichlet_backward(x: np.ndarray, alpha: np.ndarray, grad: Tensor) -> Tensor:
    """PyTorch's ``_Dirichlet_backward`` of draws ``x`` of ``alpha`` (arrays of one dtype):
    ``_dirichlet_grad(x, alpha, total) * (grad - (x * grad).sum(-1))``."""
    total = np.broadcast_to(alpha.sum(-1, keepdims=True), alpha.shape)
    xt = _draw(x, grad)
    return _draw(dirichlet_rsample_grad(x, alpha, total), grad) * (
        grad - (xt * grad).sum(-1, keepdim=True))


class Dirichlet(ExponentialFamily):
    r"""The Dirichlet distribution over the simplex with ``concentration`` (its last dimension
    the categories), as ``torch.distributions.Dirichlet``. ``log_prob`` and ``entropy`` are
    differentiable in ``concentration``.

    Args:
        concentration (Tensor): positive, shape ``batch_shape + (K,)``.
        validate_args (bool, optional): check the parameter and values (default: True).

    ``rsample`` is differentiable in ``concentration`` by implicit reparameterization, as
    PyTorch's (its fitted approximation of the gradient, the same numbers; the exact one with
    ``autograd_core.distributions._gamma_grad.EXACT = True``), and draws are its numbers for a
    seed.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import Dirichlet
        >>> m = Dirichlet(ag.tensor([1.0, 2.0, 3.0]))
        >>> m.log_prob(ag.tensor([0.2, 0.3, 0.5])), m.mean
        (tensor(1.5041), tensor([0.1667, 0.3333, 0.5000]))
    """

    _params = ("concentration",)
    has_rsample = True
    arg_constraints = {"concentration": _independent(_POSITIVE, 1)}
    support = _SIMPLEX

    def __init__(self, concentration: Tensor,
                 validate_args: builtins.bool | None = None) -> None:
        (c,) = _as_params(concentration)
        if c.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = c
        super().__init__(c.shape[:-1], c.shape[-1:], validate_args)
        self._check_param("concentration", c, _is_positive(c._data),
                          self.arg_constraints["concentration"])

    expand = Distribution._expand_params

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        c = self.concentration
        cm1 = (c - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, keepdim=True)
        # where every concentration is below 1 the density peaks at a vertex: PyTorch's one-hot
        # of the largest (here all-zero -> nan) entry
        corner = _ag.nn.functional.one_hot(mode.argmax(-1), c.shape[-1]).to(mode.dtype)
        return _ag.where((c < 1).all(-1, keepdim=True), corner, mode)

    @property
    def variance(self) -> Tensor:
        c = self.concentration
        c0 = c.sum(-1, keepdim=True)
        return c * (c0 - c) / (c0.pow(2) * (c0 + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with _ag.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """Draws on the simplex of shape ``sample_shape + batch_shape + event_shape`` (the
        numbers of ``sample`` for the same seed), differentiable in ``concentration``.

        Example::

            >>> import autograd_core as ag
            >>> from autograd_core.distributions import Dirichlet
            >>> a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
            >>> Dirichlet(a).rsample((2,)).shape
            autograd_core.Size([2, 3])
        """
        shape = self._extended_shape(sample_shape)
        return _DirichletDraw.apply(self.concentration.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        value = self._check_value(value, _on_simplex, _SIMPLEX)
        c = self.concentration
        return (_ag.xlogy(c - 1.0, value).sum(-1) + _ag.lgamma(c.sum(-1))
                - _ag.lgamma(c).sum(-1))

    def entropy(self) -> Tensor:
        c = self.concentration
        k, a0 = c.shape[-1], c.sum(-1)
        return (_ag.lgamma(c).sum(-1) - _ag.lgamma(a0) - (k - a0) * _ag.digamma(a0)
                - ((c - 1.0) * _ag.digamma(c)).sum(-1))

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.concentration,)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        x = natural_params[0]
        return _ag.lgamma(x).sum(-1) - _ag.lgamma(x.sum(-1))
