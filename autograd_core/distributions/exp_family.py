"""PyTorch's ``torch.distributions.exp_family``: ``ExponentialFamily``."""

from __future__ import annotations

from typing import Any

import autograd_core as _ag
from autograd_core.tensor import Tensor
from autograd_core.distributions.distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    r"""The base class of exponential families ``p(x; theta) = exp(<t(x), theta> - F(theta)
    + k(x))``, as ``torch.distributions.ExponentialFamily``: a subclass gives its natural
    parameters ``theta`` (``_natural_params``), the log normaliser ``F``
    (``_log_normalizer(*theta)``) and the mean carrier measure ``E k(x)``
    (``_mean_carrier_measure``); ``entropy`` and ``kl_divergence`` of two distributions of one
    such family then follow from the Bregman divergence of ``F`` (its gradient by autograd).
    ``Normal``, ``Bernoulli``, ``Beta``, ``Gamma``, ``Exponential``, ``Poisson``, ``Dirichlet``,
    ``ContinuousBernoulli`` and ``Wishart`` are subclasses, as in PyTorch.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions import ExponentialFamily, Normal
        >>> m = Normal(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 3.0]))
        >>> isinstance(m, ExponentialFamily)
        True
        >>> ExponentialFamily.entropy(m).detach(), m.entropy()
        (tensor([1.4189, 2.5176]), tensor([1.4189, 2.5176]))
    """

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> Any:
        raise NotImplementedError

    def _log_normalizer_and_grad(self) -> tuple[list[Tensor], Tensor, tuple[Tensor, ...]]:
        """The natural parameters, ``F`` at them and its gradient, all in the graph of the
        distribution's parameters (PyTorch detaches the parameters first, so its entropy and
        KL have no gradient in them)."""
        nparams = [t if t.requires_grad else t.detach().requires_grad_()
                   for t in self._natural_params]
        with _ag.enable_grad():
            lg_normal = self._log_normalizer(*nparams)
            grads = _ag.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        return nparams, lg_normal, grads

    def entropy(self) -> Tensor:
        """``F(theta) - <theta, grad F(theta)> - E k(x)``, differentiable in the parameters."""
        result: Any = -self._mean_carrier_measure
        nparams, lg_normal, grads = self._log_normalizer_and_grad()
        result = result + lg_normal
        for p, g in zip(nparams, grads):
            result = result - (p * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
