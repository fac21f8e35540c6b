r"""NAdam: Adam with Nesterov momentum (Dozat, 2016), PyTorch's formulation.

Momentum schedule :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{t\psi})` (``momentum_decay``
:math:`\psi`), state ``mu_product`` :math:`=\prod_{i\le t}\mu_i`;

.. math::
    \theta_t = \theta_{t-1}
      - \gamma\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\frac{g_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}
      - \gamma\frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}

``decoupled_weight_decay=True`` gives NAdamW (as PyTorch). ``mu_product`` is rounded to float32
after every update (float64 if ``autograd_core``'s default dtype is float64), because PyTorch
keeps it in a 0-d tensor of its default scalar dtype.
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
from optimizers.optimizer import Optimizer, check

__all__ = ["NAdam"]


@kernel("exp_avg", "exp_avg_sq")
def nadam(param, grad, exp_avg, exp_avg_sq, w1, w1c, w1_small, beta2, one_minus_beta2, eps,
          bias_correction2, coef_grad, coef_avg, weight_decay, decay, wd_mode, maximize):
    """p <- p + cg g/denom + cm m/denom, denom = sqrt(v/bc2) + eps (coefs from the mu schedule)."""
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
        denom = np.sqrt(v / bias_correction2) + eps
        p = p + coef_grad * g / denom
        param[i] = p + coef_avg * m / denom


@nadam.numpy
def nadam_numpy(param, grad, exp_avg, exp_avg_sq, w1, w1c, w1_small, beta2, one_minus_beta2,
                eps, bias_correction2, coef_grad, coef_avg, weight_decay, decay, wd_mode,
                maximize):
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode)
    numpy_lerp_(exp_avg, g, w1, w1c, w1_small)
    exp_avg_sq *= beta2
    exp_avg_sq += one_minus_beta2 * g * g
    denom = np.sqrt(exp_avg_sq / bias_correction2) + eps
    param += coef_grad * g / denom
    param += coef_avg * exp_avg / denom


def _mu(step, beta1, momentum_decay):
    return beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))


def _scalar_dtype():
    """PyTorch's ``_get_scalar_dtype()``: float64 if the default dtype is float64, else float32."""
    try:
        import autograd_core

        if np.dtype(autograd_core.get_default_dtype()) == np.float64:
            return np.float64
    except (ImportError, AttributeError, TypeError):
        pass
    return np.float32


class NAdam(Optimizer):
    """NAdam; state ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``."""

    update = nadam
    scalars = {"step": 0.0, "mu_product": 1.0}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        super().__init__(params, dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable))

    def _validate_group(self, group):
        super()._validate_group(group)
        check(0.0 <= group["momentum_decay"],
              f"Invalid momentum_decay value: {group['momentum_decay']}")

    def coefficients(self, group, t, scalars, fresh):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        step, psi, sdt = scalars["step"], group["momentum_decay"], _scalar_dtype()
        mu, mu_next = _mu(step, beta1, psi), _mu(step + 1, beta1, psi)
        mu_product = scalars["mu_product"] = float(sdt(scalars["mu_product"]) * sdt(mu))
        w1, w1c, w1_small = lerp_weight(t, 1 - beta1)
        return nadam.Coefficients(
            w1=w1, w1c=w1c, w1_small=w1_small, beta2=t(beta2), one_minus_beta2=t(1 - beta2),
            eps=t(group["eps"]), bias_correction2=t(1 - beta2**step),
            coef_grad=t(-lr * (1.0 - mu) / (1.0 - mu_product)),
            coef_avg=t((-lr * mu_next) / (1.0 - mu_product * mu_next)), weight_decay=t(wd),
            decay=t(1 - lr * wd), wd_mode=wd_mode(wd, group["decoupled_weight_decay"]),
            maximize=bool(group["maximize"]))
