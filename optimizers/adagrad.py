r"""Adagrad (Duchi, Hazan & Singer, 2011), PyTorch's formulation.

.. math::
    \gamma_t = \frac{\gamma}{1 + (t-1)\eta},\quad s_t = s_{t-1} + g_t^2,\quad
    \theta_t = \theta_{t-1} - \gamma_t \frac{g_t}{\sqrt{s_t} + \epsilon}

(:math:`\eta` = ``lr_decay``; :math:`s_0` = ``initial_accumulator_value``.) Beyond PyTorch:
``decoupled_weight_decay=True`` multiplies :math:`\theta` by :math:`1-\gamma_t\lambda` instead of
adding :math:`\lambda\theta` to the gradient.
"""

from __future__ import annotations

import numpy as np

from autograd_core.kernels.optim import kernel, numpy_grad, prange, wd_mode
from optimizers.optimizer import Optimizer, check

__all__ = ["Adagrad"]


@kernel("sum")
def adagrad(param, grad, sum, neg_clr, eps, weight_decay, decay, wd_mode, maximize):
    """s <- s + g^2; p <- p - clr g / (sqrt(s) + eps)."""
    for i in prange(param.shape[0]):
        p = param[i]
        g = grad[i]
        if maximize:
            g = -g
        if wd_mode == 2:
            p = p * decay
        elif wd_mode == 1:
            g = g + weight_decay * p
        s = sum[i] + g * g
        sum[i] = s
        param[i] = p + neg_clr * g / (np.sqrt(s) + eps)


@adagrad.numpy
def adagrad_numpy(param, grad, sum, neg_clr, eps, weight_decay, decay, wd_mode, maximize):
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode)
    sum += g * g
    param += neg_clr * g / (np.sqrt(sum) + eps)


class Adagrad(Optimizer):
    """Adagrad; state ``step``, ``sum``, made in the constructor as PyTorch does. Difference: a
    param group's own ``initial_accumulator_value`` is honoured (PyTorch uses the
    constructor's value for every group)."""

    update = adagrad
    initial = {"sum": "initial_accumulator_value"}
    eager = True

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        super().__init__(params, dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay))

    def _validate_group(self, group):
        super()._validate_group(group)
        check(0.0 <= group["lr_decay"], f"Invalid lr_decay value: {group['lr_decay']}")
        v = group["initial_accumulator_value"]
        check(0.0 <= v, f"Invalid initial_accumulator_value value: {v}")

    def coefficients(self, group, t, scalars, fresh):
        wd = group["weight_decay"]
        clr = group["lr"] / (1 + (scalars["step"] - 1) * group["lr_decay"])
        return adagrad.Coefficients(
            neg_clr=t(-clr), eps=t(group["eps"]), weight_decay=t(wd), decay=t(1 - clr * wd),
            wd_mode=wd_mode(wd, group["decoupled_weight_decay"]), maximize=bool(group["maximize"]))
