"""Averaged SGD (Polyak & Juditsky, 1992), PyTorch's ``ASGD``: an SGD step with decay
``1 - lambd*eta``, and ``ax``, the running average of the iterates, from step ``t0`` on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_core.kernels.optim import kernel, prange
from optimizers.optimizer import Optimizer


@kernel("ax")
def asgd(param, grad, ax, decay, neg_eta, weight_decay, mu, average, maximize):
    """p <- p (1 - lambd eta) - eta g; ax <- ax + (p - ax) mu if averaging, else p."""
    for i in prange(param.shape[0]):
        g = grad[i]
        if maximize:
            g = -g
        p = param[i]
        if weight_decay != 0:
            g = g + weight_decay * p
        p = p * decay
        p = p + neg_eta * g
        param[i] = p
        ax[i] = ax[i] + (p - ax[i]) * mu if average else p


@asgd.numpy
def asgd_numpy(param, grad, ax, decay, neg_eta, weight_decay, mu, average, maximize):
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    param *= decay
    param += neg_eta * g
    ax[...] = ax + (param - ax) * mu if average else param


class ASGD(Optimizer):
    """Implements averaged SGD: an SGD step with step size
    ``eta_t = lr / (1 + lambd * lr * t) ** alpha`` and decay ``1 - lambd * eta``, and ``ax``,
    the running average of the iterates, from step ``t0`` on.

    State per parameter: ``step``, ``ax``. Differs from PyTorch: PyTorch keeps ``eta`` and
    ``mu`` as float32 state; here they are recomputed from ``step`` (the same numbers while
    ``lr`` is constant).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate. Default: ``1e-2``.
        lambd (float): decay term. Default: ``1e-4``.
        alpha (float): power of the eta update. Default: ``0.75``.
        t0 (float): the step at which averaging starts. Default: ``1e6``.
        weight_decay (float): L2 penalty. Default: ``0``.
        foreach (bool, optional): accepted for PyTorch compatibility (every step is one fused
            pass already).
        maximize (bool): maximize the objective instead of minimizing. Default: ``False``.
        capturable (bool): accepted for PyTorch compatibility (CPU only). Default: ``False``.
        differentiable (bool): accepted for PyTorch compatibility. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = optim.ASGD([w], lr=0.1)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     opt.step()
        >>> w  # the same numbers as torch.optim.ASGD
        tensor([ 0.5120, -1.0240], requires_grad=True)
    """

    update = asgd

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable))

    def coefficients(self, group: dict[str, Any], t: type, scalars: dict[str, float],
                     fresh: bool) -> Any:
        lr, lambd, prev = group["lr"], group["lambd"], scalars["step"] - 1
        eta = float(np.float32(lr / (1 + lambd * lr * prev) ** group["alpha"]))
        mu = float(np.float32(1 / max(1, prev - group["t0"])))
        return asgd.Coefficients(
            decay=t(1 - lambd * eta), neg_eta=t(-eta), weight_decay=t(group["weight_decay"]),
            mu=t(mu), average=mu != 1, maximize=bool(group["maximize"]))
