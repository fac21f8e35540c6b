r"""Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2015, sec. 7.1).

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
    u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad
    \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t} \frac{m_t}{u_t}

PyTorch's eps placement (inside the max). Beyond PyTorch: ``decoupled_weight_decay=True``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_core.kernels.optim import (
    fma,
    kernel,
    lerp_weight,
    numpy_grad,
    numpy_lerp_,
    prange,
    wd_mode,
)
from optimizers.optimizer import Optimizer

__all__ = ["Adamax"]


@kernel("exp_avg", "exp_inf")
def adamax(param, grad, exp_avg, exp_inf, w1, w1c, w1_small, beta2, eps, neg_clr,
           weight_decay, decay, wd_mode, maximize):
    """m <- lerp(m, g, 1-b1); u <- max(b2 u, |g| + eps); p <- p - lr/(1-b1^t) m/u."""
    for i in prange(param.shape[0]):
        p = param[i]
        g = grad[i]
        if maximize:
            g = -g
        if wd_mode == 2:
            p = p * decay
        elif wd_mode == 1:
            g = fma(weight_decay, p, g)
        m = exp_avg[i]
        if w1_small:
            m = fma(w1, g - m, m)
        else:
            m = fma(-(g - m), w1c, g)
        exp_avg[i] = m
        u = exp_inf[i] * beta2
        a = np.abs(g) + eps
        if not a <= u:  # NaN-propagating maximum, as torch.maximum
            u = a
        exp_inf[i] = u
        param[i] = p + neg_clr * m / u


@adamax.numpy
def adamax_numpy(param, grad, exp_avg, exp_inf, w1, w1c, w1_small, beta2, eps, neg_clr,
                 weight_decay, decay, wd_mode, maximize):
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode, fused=True)
    numpy_lerp_(exp_avg, g, w1, w1c, w1_small, fused=True)
    exp_inf *= beta2
    np.maximum(exp_inf, np.abs(g) + eps, out=exp_inf)
    param += neg_clr * exp_avg / exp_inf


class Adamax(Optimizer):
    """Implements Adamax, Adam with the infinity norm (formula in the module docstring).

    State per parameter: ``step``, ``exp_avg``, ``exp_inf``.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate. Default: ``2e-3``.
        betas (tuple of float): decay of the first moment and of the infinity norm.
            Default: ``(0.9, 0.999)``.
        eps (float): added to ``|g|`` inside the max (PyTorch's placement). Default: ``1e-8``.
        weight_decay (float): L2 penalty. Default: ``0``.
        foreach (bool, optional): accepted for PyTorch compatibility (every step is one fused
            pass already).
        maximize (bool): maximize the objective instead of minimizing. Default: ``False``.
        capturable (bool): accepted for PyTorch compatibility (CPU only). Default: ``False``.
        differentiable (bool): accepted for PyTorch compatibility. Default: ``False``.
        decoupled_weight_decay (bool): decay the weights directly (AdamW-style); not in
            PyTorch. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = optim.Adamax([w], lr=0.1)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     opt.step()
        >>> w  # the same numbers as torch.optim.Adamax
        tensor([ 0.7155, -1.7076], requires_grad=True)
    """

    update = adamax
    extras = {"decoupled_weight_decay": False}  # beyond PyTorch: in a group only when set
    stepwise = ("neg_clr",)

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay))

    def step_coefficients(self, group: dict[str, Any], t: type,
                          scalars: dict[str, float]) -> tuple:
        return (t(-(group["lr"] / (1 - group["betas"][0] ** scalars["step"]))),)

    def coefficients(self, group: dict[str, Any], t: type, scalars: dict[str, float],
                     fresh: bool) -> Any:
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        w1, w1c, w1_small = lerp_weight(t, 1 - beta1)
        (neg_clr,) = self.step_coefficients(group, t, scalars)
        return adamax.Coefficients(
            w1=w1, w1c=w1c, w1_small=w1_small, beta2=t(beta2), eps=t(group["eps"]),
            neg_clr=neg_clr, weight_decay=t(wd),
            decay=t(1 - lr * wd), wd_mode=wd_mode(wd, self._option(group, "decoupled_weight_decay")),
            maximize=bool(group["maximize"]))
