r"""RMSprop (Tieleman & Hinton, 2012, lecture 6.5), PyTorch's formulation.

.. math::
    v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\quad
    \tilde v_t = v_t - c_t^2 \text{ with } c_t = \alpha c_{t-1} + (1-\alpha) g_t
    \text{ (centered, Graves 2013) else } v_t,

    b_t = \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon},\quad
    \theta_t = \theta_{t-1} - \gamma b_t \quad(\mu > 0;\ \text{else }
    \theta_t = \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon))

Beyond PyTorch: ``decoupled_weight_decay=True``.
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

__all__ = ["RMSprop"]


@kernel("square_avg", "grad_avg", "momentum_buffer",
        optional={"grad_avg": "centered", "momentum_buffer": "use_momentum"})
def rmsprop(param, grad, square_avg, grad_avg, momentum_buffer, alpha, wa, wac, wa_small, eps,
            neg_lr, momentum, weight_decay, decay, wd_mode, centered, use_momentum, maximize):
    """v <- a v + (1-a) g^2; [c <- lerp(c, g, 1-a); v~ = v - c^2]; p <- p - lr g/(sqrt(v~)+eps)."""
    if not centered and not use_momentum:
        # the default case in a loop of its own: without the conditional stores of the other
        # cases LLVM vectorises it
        for i in prange(param.shape[0]):
            p = param[i]
            g = grad[i]
            if maximize:
                g = -g
            if wd_mode == 2:
                p = p * decay
            elif wd_mode == 1:
                g = g + weight_decay * p
            v = square_avg[i] * alpha + wa * g * g
            square_avg[i] = v
            param[i] = p + neg_lr * g / (np.sqrt(v) + eps)
        return
    for i in prange(param.shape[0]):
        p = param[i]
        g = grad[i]
        if maximize:
            g = -g
        if wd_mode == 2:
            p = p * decay
        elif wd_mode == 1:
            g = g + weight_decay * p
        v = square_avg[i] * alpha + wa * g * g
        square_avg[i] = v
        if centered:
            c = grad_avg[i]
            if wa_small:
                c = c + wa * (g - c)
            else:
                c = g - (g - c) * wac
            grad_avg[i] = c
            avg = np.sqrt(v - c * c) + eps
        else:
            avg = np.sqrt(v) + eps
        if use_momentum:
            b = momentum_buffer[i] * momentum + g / avg
            momentum_buffer[i] = b
            param[i] = p + neg_lr * b
        else:
            param[i] = p + neg_lr * g / avg


@rmsprop.numpy
def rmsprop_numpy(param, grad, square_avg, grad_avg, momentum_buffer, alpha, wa, wac, wa_small,
                  eps, neg_lr, momentum, weight_decay, decay, wd_mode, centered, use_momentum,
                  maximize):
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode)
    square_avg *= alpha
    square_avg += wa * g * g
    if centered:
        numpy_lerp_(grad_avg, g, wa, wac, wa_small)
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = np.sqrt(square_avg) + eps
    if use_momentum:
        momentum_buffer *= momentum
        momentum_buffer += g / avg
        param += neg_lr * momentum_buffer
    else:
        param += neg_lr * g / avg


class RMSprop(Optimizer):
    """RMSprop; state ``step``, ``square_avg`` (+ ``momentum_buffer`` if momentum > 0,
    + ``grad_avg`` if centered)."""

    update = rmsprop
    optional = {"grad_avg": "centered", "momentum_buffer": "momentum"}

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False, *, decoupled_weight_decay=False):
        super().__init__(params, dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
            differentiable=differentiable, decoupled_weight_decay=decoupled_weight_decay))

    def _validate_group(self, group):
        super()._validate_group(group)
        check(0.0 <= group["alpha"], f"Invalid alpha value: {group['alpha']}")

    def coefficients(self, group, t, scalars, fresh):
        lr, wd, momentum = group["lr"], group["weight_decay"], group["momentum"]
        wa, wac, wa_small = lerp_weight(t, 1 - group["alpha"])
        return rmsprop.Coefficients(
            alpha=t(group["alpha"]), wa=wa, wac=wac, wa_small=wa_small, eps=t(group["eps"]),
            neg_lr=t(-lr), momentum=t(momentum), weight_decay=t(wd), decay=t(1 - lr * wd),
            wd_mode=wd_mode(wd, group["decoupled_weight_decay"]),
            centered=bool(group["centered"]), use_momentum=momentum > 0,
            maximize=bool(group["maximize"]))
