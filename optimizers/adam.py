r"""Adam (Kingma & Ba, 2015) with AMSGrad (Reddi et al., 2018), and AdamW.

With :math:`g_t` the gradient (negated if ``maximize``; plus :math:`\lambda\theta` unless
``decoupled_weight_decay``, which instead multiplies :math:`\theta` by :math:`1-\gamma\lambda`
first):

.. math::
    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
    \hat v_t = \max(\hat v_{t-1}, v_t) \text{ (amsgrad) else } v_t,\quad
    \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}
               \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon}

PyTorch's defaults and operation order (eps added after the bias-corrected square root);
``eps_inside_sqrt=True`` gives the lectures' :math:`\sqrt{\hat v_t/(1-\beta_2^t) + \epsilon}`
(``optimizers/LECTURE_FORMS.md``).
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
    numpy_fma,
    prange,
    wd_mode,
)
from optimizers.optimizer import Optimizer

__all__ = ["Adam", "AdamW"]


@kernel("exp_avg", "exp_avg_sq", "max_exp_avg_sq", optional={"max_exp_avg_sq": "amsgrad"})
def adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, w1, w1c, w1_small, beta2,
         one_minus_beta2, eps_in, eps_out, neg_step_size, bias_correction2_sqrt, weight_decay,
         decay, wd_mode, amsgrad, maximize):
    """m <- lerp(m, g, 1-b1); v <- b2 v + (1-b2) g^2;
    (the weight decay, the lerp and ``+ (1-b2) g * g`` each one fused multiply-add, as
    PyTorch's ``add(alpha=)``, ``lerp_`` and ``addcmul_`` on CPU: its exp_avg/exp_avg_sq bit
    for bit; the parameters still differ in ~1 element in 1000 where PyTorch's ``sqrt``, not
    correctly rounded on AVX-512 CPUs, is an ulp off numpy's)
    p <- p - s m / (sqrt(v + eps_in)/sqrt(bc2) + eps_out), one of the eps zero."""
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
        if amsgrad:
            vm = max_exp_avg_sq[i]
            if not v <= vm:  # also takes a NaN v, as torch.maximum propagates NaN
                vm = v
            max_exp_avg_sq[i] = vm
            v = vm
        denom = np.sqrt(v + eps_in) / bias_correction2_sqrt + eps_out
        param[i] = p + neg_step_size * m / denom


@adam.numpy
def adam_numpy(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, w1, w1c, w1_small, beta2,
               one_minus_beta2, eps_in, eps_out, neg_step_size, bias_correction2_sqrt,
               weight_decay, decay, wd_mode, amsgrad, maximize):
    g = -grad if maximize else grad
    if wd_mode == 2:
        param *= decay
    elif wd_mode == 1:
        g = numpy_fma(weight_decay, param, g)
    if w1_small:
        exp_avg[...] = numpy_fma(w1, g - exp_avg, exp_avg)
    else:
        exp_avg[...] = numpy_fma(-w1c, g - exp_avg, g)
    exp_avg_sq[...] = numpy_fma(one_minus_beta2 * g, g, exp_avg_sq * beta2)
    v = exp_avg_sq
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        v = max_exp_avg_sq
    param += neg_step_size * exp_avg / (np.sqrt(v + eps_in) / bias_correction2_sqrt + eps_out)


class Adam(Optimizer):
    r"""Adam (PyTorch's ``torch.optim.Adam``), with AMSGrad.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
        \quad \theta_t = \theta_{t-1} - \gamma\,\frac{m_t/(1-\beta_1^t)}
        {\sqrt{v_t/(1-\beta_2^t)} + \epsilon}
        \quad\Big(\text{eps_inside_sqrt: } \sqrt{v_t/(1-\beta_2^t) + \epsilon}\Big)

    (:math:`v_t` replaced by its running maximum with ``amsgrad``.) State ``step``,
    ``exp_avg``, ``exp_avg_sq`` (+ ``max_exp_avg_sq`` with amsgrad): training holds param +
    grad + 2 = 4x the parameters' bytes.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float, optional): learning rate :math:`\gamma` (default: 1e-3).
        betas (Tuple[float, float], optional): :math:`(\beta_1, \beta_2)`, the decay rates of
            the running averages of the gradient and its square (default: (0.9, 0.999)).
        eps (float, optional): :math:`\epsilon`, for numerical stability (default: 1e-8).
        weight_decay (float, optional): weight decay :math:`\lambda` (default: 0).
        amsgrad (bool, optional): use the AMSGrad variant (Reddi et al., 2018) (default: False).
        foreach, capturable, differentiable, fused: accepted for PyTorch compatibility.
        maximize (bool, optional): maximize the objective (default: False).
        decoupled_weight_decay (bool, optional): multiply :math:`\theta` by
            :math:`1-\gamma\lambda` first instead of adding :math:`\lambda\theta` to the
            gradient: AdamW (default: False).
        eps_inside_sqrt (bool, optional): divide by :math:`\sqrt{\hat v_t+\epsilon}` with
            :math:`\hat v_t = v_t/(1-\beta_2^t)` (the lectures' form) instead of
            :math:`\sqrt{\hat v_t}+\epsilon` (default: False).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.Adam([w], lr=0.1, eps_inside_sqrt=True)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> np.round(w.data, 4).tolist()
        [0.9, -1.9]
    """

    update = adam
    extras = {"eps_inside_sqrt": False}  # beyond PyTorch: in a group only when set
    optional = {"max_exp_avg_sq": "amsgrad"}
    filled_on_load = {**Optimizer.filled_on_load, "amsgrad": False,
                      "decoupled_weight_decay": False}

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False, eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay, eps_inside_sqrt=eps_inside_sqrt))

    stepwise = ("eps_in", "eps_out", "neg_step_size", "bias_correction2_sqrt")

    _eps_pair: tuple | None = None  # (eps, t, eps_split's pair) while eps is outside the root

    def step_coefficients(self, group, t, scalars):
        lr, (beta1, beta2), step = group["lr"], group["betas"], scalars["step"]
        bias_correction2 = 1 - beta2**step
        eps = group["eps"]
        if self._option(group, "eps_inside_sqrt"):
            eps_in, eps_out = eps_split(t, eps, True, bias_correction2)
        else:  # (0, eps): the same every step while eps is (a scalar made costs ~0.15 us)
            held = self._eps_pair
            if held is None or held[0] is not eps or held[1] is not t or type(eps) is not float:
                held = self._eps_pair = (eps, t, eps_split(t, eps, False))
            eps_in, eps_out = held[2]
        return (eps_in, eps_out, t(-(lr / (1 - beta1**step))), t(bias_correction2 ** 0.5))

    def coefficients(self, group, t, scalars, fresh):
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        w1, w1c, w1_small = lerp_weight(t, 1 - beta1)
        eps_in, eps_out, neg_step_size, bias_correction2_sqrt = self.step_coefficients(
            group, t, scalars)
        return adam.Coefficients(
            w1=w1, w1c=w1c, w1_small=w1_small, beta2=t(beta2), one_minus_beta2=t(1 - beta2),
            eps_in=eps_in, eps_out=eps_out, neg_step_size=neg_step_size,
            bias_correction2_sqrt=bias_correction2_sqrt, weight_decay=t(wd),
            decay=t(1 - lr * wd), wd_mode=wd_mode(wd, group["decoupled_weight_decay"]),
            amsgrad=bool(group["amsgrad"]), maximize=bool(group["maximize"]))

    def _check_sparse_grads(self, group):
        raise RuntimeError("Adam does not support sparse gradients, please consider "
                           "SparseAdam instead")


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), PyTorch's
    ``torch.optim.AdamW``: :math:`\theta \leftarrow \theta (1-\gamma\lambda)` before the
    Adam step, default ``weight_decay=1e-2``. Same as ``Adam(...,
    decoupled_weight_decay=True)``.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float, optional): learning rate :math:`\gamma` (default: 1e-3).
        betas (Tuple[float, float], optional): :math:`(\beta_1, \beta_2)` (default:
            (0.9, 0.999)).
        eps (float, optional): :math:`\epsilon` (default: 1e-8).
        weight_decay (float, optional): decoupled weight decay :math:`\lambda` (default: 1e-2).
        amsgrad (bool, optional): use the AMSGrad variant (default: False).
        maximize (bool, optional): maximize the objective (default: False).
        foreach, capturable, differentiable, fused: accepted for PyTorch compatibility.
        eps_inside_sqrt (bool, optional): the lectures' :math:`\sqrt{\hat v_t+\epsilon}`, as
            in :class:`Adam` (default: False).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> np.round(w.data, 4).tolist()
        [0.85, -1.8]
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True, eps_inside_sqrt=eps_inside_sqrt)

    def _validate_group(self, group):
        group["decoupled_weight_decay"] = True  # as PyTorch's AdamW.__setstate__
        super()._validate_group(group)
