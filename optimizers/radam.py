r"""Rectified Adam (Liu et al., 2020), PyTorch's formulation.

:math:`\rho_\infty = 2/(1-\beta_2) - 1`, :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`.
If :math:`\rho_t > 5`: :math:`\theta_t = \theta_{t-1} - \gamma\hat m_t\,
\frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}\, r_t` with
:math:`r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}`;
otherwise the un-adapted momentum step :math:`\theta_t = \theta_{t-1} - \gamma\hat m_t`
(:math:`\hat m_t = m_t/(1-\beta_1^t)`). ``decoupled_weight_decay=True`` gives RAdamW.
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
    numpy_fma,
    numpy_lerp_,
    prange,
    wd_mode,
)
from optimizers.optimizer import Optimizer

__all__ = ["RAdam"]


@kernel("exp_avg", "exp_avg_sq")
def radam(param, grad, exp_avg, exp_avg_sq, w1, w1c, w1_small, beta2, one_minus_beta2, eps,
          bias_correction1, lr, bias_correction2_sqrt, rect, rectified, one, weight_decay, decay,
          wd_mode, maximize):
    """rho_t > 5: p -= m/bc1 * lr * sqrt(bc2)/(sqrt(v)+eps) * r; otherwise p -= m/bc1 * lr."""
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
        v = fma(one_minus_beta2 * g, g, exp_avg_sq[i] * beta2)
        exp_avg[i] = m
        exp_avg_sq[i] = v
        u = m / bias_correction1 * lr
        if rectified:
            # torch evaluates `float / tensor` as tensor.reciprocal() * float
            u = u * (one / (np.sqrt(v) + eps) * bias_correction2_sqrt) * rect
        param[i] = p - u


@radam.numpy
def radam_numpy(param, grad, exp_avg, exp_avg_sq, w1, w1c, w1_small, beta2, one_minus_beta2,
                eps, bias_correction1, lr, bias_correction2_sqrt, rect, rectified, one,
                weight_decay, decay, wd_mode, maximize):
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode, fused=True)
    numpy_lerp_(exp_avg, g, w1, w1c, w1_small, fused=True)
    exp_avg_sq[...] = numpy_fma(one_minus_beta2 * g, g, exp_avg_sq * beta2)
    u = exp_avg / bias_correction1 * lr
    if rectified:
        u = u * (one / (np.sqrt(exp_avg_sq) + eps) * bias_correction2_sqrt) * rect
    param -= u


def rectification(step, beta2):
    """RAdam's variance rectifier r_t, or None while rho_t <= 5 (no adaptive step yet)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / (1 - beta2**step)
    if rho_t > 5.0:
        r2 = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        return r2**0.5
    return None


class RAdam(Optimizer):
    """Implements RAdam, Adam with a rectified adaptive learning rate (formula in the module
    docstring): plain momentum steps while the variance estimate is unreliable.

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate. Default: ``1e-3``.
        betas (tuple of float): decay of the first and second moments.
            Default: ``(0.9, 0.999)``.
        eps (float): added to the denominator. Default: ``1e-8``.
        weight_decay (float): weight decay. Default: ``0``.
        decoupled_weight_decay (bool): decay the weights directly (RAdamW). Default: ``False``.
        foreach (bool, optional): accepted for PyTorch compatibility (every step is one fused
            pass already).
        maximize (bool): maximize the objective instead of minimizing. Default: ``False``.
        capturable (bool): accepted for PyTorch compatibility (CPU only). Default: ``False``.
        differentiable (bool): accepted for PyTorch compatibility. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = optim.RAdam([w], lr=0.1)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     opt.step()
        >>> w  # the same numbers as torch.optim.RAdam
        tensor([ 0.4623, -0.9246], requires_grad=True)
    """

    update = radam
    filled_on_load = {**Optimizer.filled_on_load, "decoupled_weight_decay": False}
    stepwise = ("bias_correction1", "bias_correction2_sqrt", "rect", "rectified")

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def step_coefficients(self, group: dict[str, Any], t: type,
                          scalars: dict[str, float]) -> tuple:
        (beta1, beta2), step = group["betas"], scalars["step"]
        rect = rectification(step, beta2)
        return (t(1 - beta1**step), t((1 - beta2**step) ** 0.5),
                t(0.0 if rect is None else rect), rect is not None)

    def coefficients(self, group: dict[str, Any], t: type, scalars: dict[str, float],
                     fresh: bool) -> Any:
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        bias_correction1, bias_correction2_sqrt, rect, rectified = self.step_coefficients(
            group, t, scalars)
        w1, w1c, w1_small = lerp_weight(t, 1 - beta1)
        return radam.Coefficients(
            w1=w1, w1c=w1c, w1_small=w1_small, beta2=t(beta2), one_minus_beta2=t(1 - beta2),
            eps=t(group["eps"]), bias_correction1=bias_correction1, lr=t(lr),
            bias_correction2_sqrt=bias_correction2_sqrt, rect=rect, rectified=rectified, one=t(1),
            weight_decay=t(wd), decay=t(1 - lr * wd),
            wd_mode=wd_mode(wd, group["decoupled_weight_decay"]),
            maximize=bool(group["maximize"]))
