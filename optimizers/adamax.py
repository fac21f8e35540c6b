r"""Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2015, sec. 7.1).

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
    u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad
    \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t} \frac{m_t}{u_t}

PyTorch's eps placement (inside the max). Beyond PyTorch: ``decoupled_weight_decay=True``.
"""

from __future__ import annotations

import numpy as np

from autograd_core.kernels.optim import (
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
            g = g + weight_decay * p
        m = exp_avg[i]
        if w1_small:
            m = m + w1 * (g - m)
        else:
            m = g - (g - m) * w1c
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
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode)
    numpy_lerp_(exp_avg, g, w1, w1c, w1_small)
    exp_inf *= beta2
    np.maximum(exp_inf, np.abs(g) + eps, out=exp_inf)
    param += neg_clr * exp_avg / exp_inf


class Adamax(Optimizer):
    """Adamax; state ``step``, ``exp_avg``, ``exp_inf``."""

    update = adamax

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False,
                 decoupled_weight_decay=False):
        super().__init__(params, dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay))

    def coefficients(self, group, t, scalars, fresh):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        w1, w1c, w1_small = lerp_weight(t, 1 - beta1)
        return adamax.Coefficients(
            w1=w1, w1c=w1c, w1_small=w1_small, beta2=t(beta2), eps=t(group["eps"]),
            neg_clr=t(-(lr / (1 - beta1 ** scalars["step"]))), weight_decay=t(wd),
            decay=t(1 - lr * wd), wd_mode=wd_mode(wd, group["decoupled_weight_decay"]),
            maximize=bool(group["maximize"]))
