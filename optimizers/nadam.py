r"""NAdam: Adam with Nesterov momentum (Dozat, 2016), PyTorch's formulation.

Momentum schedule :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{t\psi})` (``momentum_decay``
:math:`\psi`), state ``mu_product`` :math:`=\prod_{i\le t}\mu_i`;

.. math::
    \theta_t = \theta_{t-1}
      - \gamma\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\frac{g_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}
      - \gamma\frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}

``decoupled_weight_decay=True`` gives NAdamW (as PyTorch). The lectures' forms
(``optimizers/LECTURE_FORMS.md``): ``momentum_decay=None`` for a constant :math:`\mu_t = \beta_1`
(PyTorch's ``momentum_decay=0`` gives :math:`\mu_t = \beta_1/2`, not that), and
``eps_inside_sqrt=True`` for :math:`\sqrt{v_t/(1-\beta_2^t) + \epsilon}`.

``mu_product`` is rounded to float32 after every update (float64 if ``autograd_core``'s default
dtype is float64), because PyTorch keeps it in a 0-d tensor of its default scalar dtype.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_core.kernels.optim import (
    fma,
    eps_split,
    kernel,
    lerp_weight,
    numpy_grad,
    numpy_fma,
    numpy_lerp_,
    prange,
    scalar_dtype,
    wd_mode,
)
from optimizers.optimizer import Optimizer, check

__all__ = ["NAdam"]


@kernel("exp_avg", "exp_avg_sq")
def nadam(param, grad, exp_avg, exp_avg_sq, w1, w1c, w1_small, beta2, one_minus_beta2, eps_in,
          eps_out, bias_correction2, coef_grad, coef_avg, weight_decay, decay, wd_mode, maximize):
    """p <- p + cg g/denom + cm m/denom, denom = sqrt(v/bc2 + eps_in) + eps_out (one of the
    eps zero; cg and cm from the mu schedule)."""
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
        denom = np.sqrt(v / bias_correction2 + eps_in) + eps_out
        p = p + coef_grad * g / denom
        param[i] = p + coef_avg * m / denom


@nadam.numpy
def nadam_numpy(param, grad, exp_avg, exp_avg_sq, w1, w1c, w1_small, beta2, one_minus_beta2,
                eps_in, eps_out, bias_correction2, coef_grad, coef_avg, weight_decay, decay,
                wd_mode, maximize):
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode, fused=True)
    numpy_lerp_(exp_avg, g, w1, w1c, w1_small, fused=True)
    exp_avg_sq[...] = numpy_fma(one_minus_beta2 * g, g, exp_avg_sq * beta2)
    denom = np.sqrt(exp_avg_sq / bias_correction2 + eps_in) + eps_out
    param += coef_grad * g / denom
    param += coef_avg * exp_avg / denom


def _mu(step, beta1, momentum_decay):
    """PyTorch's schedule; the constant ``beta1`` when ``momentum_decay`` is None."""
    if momentum_decay is None:
        return beta1
    return beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))


class NAdam(Optimizer):
    r"""NAdam: Adam with Nesterov momentum (Dozat, 2016), PyTorch's ``torch.optim.NAdam``.

    .. math::
        \mu_t = \beta_1\big(1 - \tfrac12 0.96^{t\psi}\big),\quad
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,

        \theta_t = \theta_{t-1} - \gamma\,\frac{\frac{\mu_{t+1} m_t}{1-\prod_{i\le t+1}\mu_i}
        + \frac{(1-\mu_t) g_t}{1-\prod_{i\le t}\mu_i}}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}

    State ``step``, ``mu_product`` (:math:`\prod_{i\le t}\mu_i`), ``exp_avg``,
    ``exp_avg_sq``.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float, optional): learning rate :math:`\gamma` (default: 2e-3).
        betas (Tuple[float, float], optional): :math:`(\beta_1, \beta_2)` (default:
            (0.9, 0.999)).
        eps (float, optional): :math:`\epsilon`, for numerical stability (default: 1e-8).
        weight_decay (float, optional): weight decay :math:`\lambda` (default: 0).
        momentum_decay (float or None, optional): :math:`\psi` of the momentum schedule
            (default: 4e-3). ``None``: the lectures' constant :math:`\mu_t = \beta_1` (then
            :math:`\prod_{i\le t}\mu_i = \beta_1^t`, computed exactly); note that ``0``
            gives :math:`\mu_t = \beta_1/2`.
        decoupled_weight_decay (bool, optional): NAdamW: multiply :math:`\theta` by
            :math:`1-\gamma\lambda` instead of adding :math:`\lambda\theta` to the gradient
            (default: False).
        foreach, capturable, differentiable: accepted for PyTorch compatibility.
        maximize (bool, optional): maximize the objective (default: False).
        eps_inside_sqrt (bool, optional): divide by :math:`\sqrt{v_t/(1-\beta_2^t)+\epsilon}`
            (the lectures' form) (default: False).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.NAdam([w], lr=0.1, momentum_decay=None)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> np.round(w.data, 4).tolist()
        [0.8526, -1.8526]
    """

    update = nadam
    extras = {"eps_inside_sqrt": False}  # beyond PyTorch: in a group only when set
    scalars = {"step": 0.0, "mu_product": 1.0}
    filled_on_load = {**Optimizer.filled_on_load, "decoupled_weight_decay": False}

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float | None = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, eps_inside_sqrt=eps_inside_sqrt))

    def _validate_group(self, group):
        super()._validate_group(group)
        psi = group["momentum_decay"]
        check(psi is None or 0.0 <= psi, f"Invalid momentum_decay value: {psi}")

    stepwise = ("bias_correction2", "coef_grad", "coef_avg")

    def step_coefficients(self, group, t, scalars):
        """The coefficients of this step; advances ``scalars["mu_product"]``."""
        lr, (beta1, beta2) = group["lr"], group["betas"]
        step, psi, sdt = scalars["step"], group["momentum_decay"], scalar_dtype()
        mu, mu_next = _mu(step, beta1, psi), _mu(step + 1, beta1, psi)
        if psi is None:  # constant mu: the product is beta1**step, no rounding to carry along
            mu_product = scalars["mu_product"] = beta1**step
        else:
            mu_product = scalars["mu_product"] = float(sdt(scalars["mu_product"]) * sdt(mu))
        return (t(1 - beta2**step), t(-lr * (1.0 - mu) / (1.0 - mu_product)),
                t((-lr * mu_next) / (1.0 - mu_product * mu_next)))

    def coefficients(self, group, t, scalars, fresh):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        bias_correction2, coef_grad, coef_avg = self.step_coefficients(group, t, scalars)
        w1, w1c, w1_small = lerp_weight(t, 1 - beta1)
        eps_in, eps_out = eps_split(t, group["eps"], self._option(group, "eps_inside_sqrt"))
        return nadam.Coefficients(
            w1=w1, w1c=w1c, w1_small=w1_small, beta2=t(beta2), one_minus_beta2=t(1 - beta2),
            eps_in=eps_in, eps_out=eps_out, bias_correction2=bias_correction2,
            coef_grad=coef_grad, coef_avg=coef_avg, weight_decay=t(wd),
            decay=t(1 - lr * wd), wd_mode=wd_mode(wd, group["decoupled_weight_decay"]),
            maximize=bool(group["maximize"]))
