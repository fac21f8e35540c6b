r"""Adam (Kingma & Ba, 2015) with AMSGrad (Reddi et al., 2018), and AdamW.

With :math:`g_t` the gradient (negated if ``maximize``; plus :math:`\lambda\theta` unless
``decoupled_weight_decay``, which instead multiplies :math:`\theta` by :math:`1-\gamma\lambda`
first):

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
    \hat v_t = \max(\hat v_{t-1}, v_t) \text{ (amsgrad) else } v_t,\quad
    \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}
               \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon}

PyTorch's defaults and operation order (eps added after the bias-corrected square root).
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

__all__ = ["Adam", "AdamW"]


@kernel("exp_avg", "exp_avg_sq", "max_exp_avg_sq", optional={"max_exp_avg_sq": "amsgrad"})
def adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, w1, w1c, w1_small, beta2,
         one_minus_beta2, eps, neg_step_size, bias_correction2_sqrt, weight_decay, decay,
         wd_mode, amsgrad, maximize):
    """m <- lerp(m, g, 1-b1); v <- b2 v + (1-b2) g^2; p <- p - s m / (sqrt(v)/sqrt(bc2) + eps)."""
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
        v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g
        exp_avg[i] = m
        exp_avg_sq[i] = v
        if amsgrad:
            vm = max_exp_avg_sq[i]
            if not v <= vm:  # also takes a NaN v, as torch.maximum propagates NaN
                vm = v
            max_exp_avg_sq[i] = vm
            v = vm
        denom = np.sqrt(v) / bias_correction2_sqrt + eps
        param[i] = p + neg_step_size * m / denom


@adam.numpy
def adam_numpy(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, w1, w1c, w1_small, beta2,
               one_minus_beta2, eps, neg_step_size, bias_correction2_sqrt, weight_decay, decay,
               wd_mode, amsgrad, maximize):
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode)
    numpy_lerp_(exp_avg, g, w1, w1c, w1_small)
    exp_avg_sq *= beta2
    exp_avg_sq += one_minus_beta2 * g * g
    v = exp_avg_sq
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        v = max_exp_avg_sq
    param += neg_step_size * exp_avg / (np.sqrt(v) / bias_correction2_sqrt + eps)


class Adam(Optimizer):
    """Adam; state ``step``, ``exp_avg``, ``exp_avg_sq`` (+ ``max_exp_avg_sq`` with amsgrad):
    training holds param + grad + 2 = 4x the parameters' bytes."""

    update = adam
    optional = {"max_exp_avg_sq": "amsgrad"}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        super().__init__(params, dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay))

    def coefficients(self, group, t, scalars, fresh):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        step = scalars["step"]
        w1, w1c, w1_small = lerp_weight(t, 1 - beta1)
        return adam.Coefficients(
            w1=w1, w1c=w1c, w1_small=w1_small, beta2=t(beta2), one_minus_beta2=t(1 - beta2),
            eps=t(group["eps"]), neg_step_size=t(-(lr / (1 - beta1**step))),
            bias_correction2_sqrt=t((1 - beta2**step) ** 0.5), weight_decay=t(wd),
            decay=t(1 - lr * wd), wd_mode=wd_mode(wd, group["decoupled_weight_decay"]),
            amsgrad=bool(group["amsgrad"]), maximize=bool(group["maximize"]))


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019):
    :math:`\theta \leftarrow \theta (1-\gamma\lambda)` before the Adam step, default
    ``weight_decay=1e-2``. Same as ``Adam(..., decoupled_weight_decay=True)``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _validate_group(self, group):
        group["decoupled_weight_decay"] = True  # as PyTorch's AdamW.__setstate__
        super()._validate_group(group)
