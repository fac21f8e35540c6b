"""Pure-numpy twins of the fused optimizer kernels in ``optim.py``.

Same names, same signatures, same operation order (so the two agree to the last bit in the
usual case), written as whole-array numpy expressions. They are the reference the Numba
kernels are tested against, and the backend used under ``TAPEGRAD_KERNELS=numpy``.
Unlike the fused kernels they make several passes over memory and allocate temporaries.

All scalars arrive already cast to the arrays' dtype (see ``optim.py``), so numpy computes in
that dtype (under NEP 50 a float64 scalar would promote float32 arrays to float64).
"""

from __future__ import annotations

import numpy as np


def _grad(grad, maximize):
    return -grad if maximize else grad


def _decay(param, grad, weight_decay, decay, wd_mode):
    if wd_mode == 2:
        param *= decay
    elif wd_mode == 1:
        grad = grad + weight_decay * param
    return grad


def _lerp_(a, b, w, wc, w_small):
    """a <- lerp(a, b, w) in place, ATen's two-branch formula."""
    if w_small:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * wc


def sgd(param, grad, buf, lr, weight_decay, momentum, one_minus_dampening, use_momentum,
        first_step, nesterov, maximize):
    g = _grad(grad, maximize)
    if weight_decay != 0:
        g = g + weight_decay * param
    if use_momentum:
        if first_step:
            buf[...] = g
        else:
            buf *= momentum
            buf += one_minus_dampening * g
        g = g + momentum * buf if nesterov else buf
    param += (-lr) * g


def adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, w1, w1c, w1_small, beta2,
         one_minus_beta2, eps, neg_step_size, bias_correction2_sqrt, weight_decay, decay, wd_mode,
         amsgrad, maximize):
    g = _decay(param, _grad(grad, maximize), weight_decay, decay, wd_mode)
    _lerp_(exp_avg, g, w1, w1c, w1_small)
    exp_avg_sq *= beta2
    exp_avg_sq += one_minus_beta2 * g * g
    v = exp_avg_sq
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        v = max_exp_avg_sq
    denom = np.sqrt(v) / bias_correction2_sqrt + eps
    param += neg_step_size * exp_avg / denom


def adagrad(param, grad, state_sum, neg_clr, eps, weight_decay, decay, wd_mode, maximize):
    g = _decay(param, _grad(grad, maximize), weight_decay, decay, wd_mode)
    state_sum += g * g
    param += neg_clr * g / (np.sqrt(state_sum) + eps)


def rmsprop(param, grad, square_avg, grad_avg, momentum_buffer, alpha, wa, wac, wa_small, eps,
            neg_lr, momentum, weight_decay, decay, wd_mode, centered, use_momentum, maximize):
    g = _decay(param, _grad(grad, maximize), weight_decay, decay, wd_mode)
    square_avg *= alpha
    square_avg += wa * g * g
    if centered:
        _lerp_(grad_avg, g, wa, wac, wa_small)
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = np.sqrt(square_avg) + eps
    if use_momentum:
        momentum_buffer *= momentum
        momentum_buffer += g / avg
        param += neg_lr * momentum_buffer
    else:
        param += neg_lr * g / avg


def adadelta(param, grad, square_avg, acc_delta, rho, one_minus_rho, eps, neg_lr, weight_decay,
             decay, wd_mode, maximize):
    g = _decay(param, _grad(grad, maximize), weight_decay, decay, wd_mode)
    square_avg *= rho
    square_avg += one_minus_rho * g * g
    d = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * g
    acc_delta *= rho
    acc_delta += one_minus_rho * d * d
    param += neg_lr * d


def adamax(param, grad, exp_avg, exp_inf, w1, w1c, w1_small, beta2, eps, neg_clr, weight_decay,
           decay, wd_mode, maximize):
    g = _decay(param, _grad(grad, maximize), weight_decay, decay, wd_mode)
    _lerp_(exp_avg, g, w1, w1c, w1_small)
    exp_inf *= beta2
    np.maximum(exp_inf, np.abs(g) + eps, out=exp_inf)
    param += neg_clr * exp_avg / exp_inf


def nadam(param, grad, exp_avg, exp_avg_sq, w1, w1c, w1_small, beta2, one_minus_beta2, eps,
          bias_correction2, coef_grad, coef_avg, weight_decay, decay, wd_mode, maximize):
    g = _decay(param, _grad(grad, maximize), weight_decay, decay, wd_mode)
    _lerp_(exp_avg, g, w1, w1c, w1_small)
    exp_avg_sq *= beta2
    exp_avg_sq += one_minus_beta2 * g * g
    denom = np.sqrt(exp_avg_sq / bias_correction2) + eps
    param += coef_grad * g / denom
    param += coef_avg * exp_avg / denom


def radam(param, grad, exp_avg, exp_avg_sq, w1, w1c, w1_small, beta2, one_minus_beta2, eps,
          bias_correction1, lr, bias_correction2_sqrt, rect, rectified, one, weight_decay, decay,
          wd_mode, maximize):
    g = _decay(param, _grad(grad, maximize), weight_decay, decay, wd_mode)
    _lerp_(exp_avg, g, w1, w1c, w1_small)
    exp_avg_sq *= beta2
    exp_avg_sq += one_minus_beta2 * g * g
    u = exp_avg / bias_correction1 * lr
    if rectified:
        u = u * (one / (np.sqrt(exp_avg_sq) + eps) * bias_correction2_sqrt) * rect
    param -= u


def rprop(param, grad, prev, step_size, etaminus, etaplus, step_size_min, step_size_max, one,
          zero, maximize):
    g = _grad(grad, maximize)
    s = g * prev
    f = np.where(s > zero, etaplus, np.where(s < zero, etaminus, np.where(s == zero, one, s)))
    ss = step_size * f
    ss = np.where(ss < step_size_min, step_size_min, ss)
    ss = np.where(ss > step_size_max, step_size_max, ss)
    step_size[...] = ss
    g = np.where(f == etaminus, zero, g)
    param -= np.sign(g) * ss
    prev[...] = g


KERNELS = {
    "sgd": (sgd, sgd),
    "adam": (adam, adam),
    "adagrad": (adagrad, adagrad),
    "rmsprop": (rmsprop, rmsprop),
    "adadelta": (adadelta, adadelta),
    "adamax": (adamax, adamax),
    "nadam": (nadam, nadam),
    "radam": (radam, radam),
    "rprop": (rprop, rprop),
}

# Same names as the Numba module, for tests that pair them by name.
for _name, (_fn, _) in list(KERNELS.items()):
    globals()[f"{_name}_serial"] = _fn
    globals()[f"{_name}_parallel"] = _fn
del _name, _fn
