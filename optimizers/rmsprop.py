r"""RMSprop (Tieleman & Hinton, 2012, lecture 6.5), PyTorch's formulation.

.. math::
    v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\quad
    \tilde v_t = v_t - c_t^2 \text{ with } c_t = \alpha c_{t-1} + (1-\alpha) g_t
    \text{ (centered, Graves 2013) else } v_t,

    b_t = \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon},\quad
    \theta_t = \theta_{t-1} - \gamma b_t \quad(\mu > 0;\ \text{else }
    \theta_t = \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon))

Beyond PyTorch: ``decoupled_weight_decay=True``, and ``eps_inside_sqrt=True`` for the lectures'
:math:`\sqrt{\tilde v_t + \epsilon}` (``optimizers/LECTURE_FORMS.md``; the lectures' decay
"usually 0.9" is ``alpha=0.9``, PyTorch's default is 0.99).
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
from optimizers.optimizer import Optimizer, check

__all__ = ["RMSprop"]


# the state arrays in PyTorch's order (its state dicts list momentum_buffer before grad_avg)
@kernel("square_avg", "momentum_buffer", "grad_avg",
        optional={"momentum_buffer": "use_momentum", "grad_avg": "centered"})
def rmsprop(param, grad, square_avg, momentum_buffer, grad_avg, alpha, wa, wac, wa_small,
            eps_in, eps_out, neg_lr, momentum, weight_decay, decay, wd_mode, centered, use_momentum,
            maximize):
    """v <- a v + (1-a) g^2; [c <- lerp(c, g, 1-a); v~ = v - c^2];
    p <- p - lr g / (sqrt(v~ + eps_in) + eps_out), one of the eps zero."""
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
                g = fma(weight_decay, p, g)
            v = fma(wa * g, g, square_avg[i] * alpha)
            square_avg[i] = v
            param[i] = p + neg_lr * g / (np.sqrt(v + eps_in) + eps_out)
        return
    for i in prange(param.shape[0]):
        p = param[i]
        g = grad[i]
        if maximize:
            g = -g
        if wd_mode == 2:
            p = p * decay
        elif wd_mode == 1:
            g = fma(weight_decay, p, g)
        v = fma(wa * g, g, square_avg[i] * alpha)
        square_avg[i] = v
        if centered:
            c = grad_avg[i]
            if wa_small:
                c = fma(wa, g - c, c)
            else:
                c = fma(-(g - c), wac, g)
            grad_avg[i] = c
            avg = np.sqrt(fma(-c, c, v) + eps_in) + eps_out
        else:
            avg = np.sqrt(v + eps_in) + eps_out
        if use_momentum:
            b = momentum_buffer[i] * momentum + g / avg
            momentum_buffer[i] = b
            param[i] = fma(neg_lr, b, p)
        else:
            param[i] = p + neg_lr * g / avg


@rmsprop.numpy
def rmsprop_numpy(param, grad, square_avg, momentum_buffer, grad_avg, alpha, wa, wac, wa_small,
                  eps_in, eps_out, neg_lr, momentum, weight_decay, decay, wd_mode, centered,
                  use_momentum, maximize):
    g = -grad if maximize else grad
    if wd_mode == 2:
        param *= decay
    elif wd_mode == 1:
        g = numpy_fma(weight_decay, param, g)
    square_avg[...] = numpy_fma(wa * g, g, square_avg * alpha)
    if centered:
        if wa_small:
            grad_avg[...] = numpy_fma(wa, g - grad_avg, grad_avg)
        else:
            grad_avg[...] = numpy_fma(-wac, g - grad_avg, g)
        avg = np.sqrt(numpy_fma(-grad_avg, grad_avg, square_avg) + eps_in) + eps_out
    else:
        avg = np.sqrt(square_avg + eps_in) + eps_out
    if use_momentum:
        momentum_buffer *= momentum
        momentum_buffer += g / avg
        param[...] = numpy_fma(neg_lr, momentum_buffer, param)
    else:
        param += neg_lr * g / avg


class RMSprop(Optimizer):
    r"""RMSprop (PyTorch's ``torch.optim.RMSprop``).

    .. math::
        v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\quad
        \theta_t = \theta_{t-1} - \gamma \frac{g_t}{\sqrt{\tilde v_t} + \epsilon}
        \quad\Big(\text{eps_inside_sqrt: } \frac{g_t}{\sqrt{\tilde v_t + \epsilon}}\Big)

    with :math:`\tilde v_t = v_t - c_t^2` if centered (:math:`c_t` the running mean of
    :math:`g`) else :math:`v_t`; with momentum :math:`\mu > 0` the fraction goes through a
    buffer :math:`b_t = \mu b_{t-1} + g_t/(\ldots)` and :math:`\theta_t = \theta_{t-1} -
    \gamma b_t`. State ``step``, ``square_avg`` (+ ``momentum_buffer`` if momentum > 0,
    + ``grad_avg`` if centered).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float, optional): learning rate :math:`\gamma` (default: 1e-2).
        alpha (float, optional): smoothing constant :math:`\alpha` (default: 0.99; the
            lectures' "usually 0.9" is ``alpha=0.9``).
        eps (float, optional): :math:`\epsilon`, for numerical stability (default: 1e-8).
        weight_decay (float, optional): weight decay :math:`\lambda` (default: 0).
        momentum (float, optional): momentum factor :math:`\mu` (default: 0).
        centered (bool, optional): normalise by the estimated variance of the gradient
            (Graves, 2013) (default: False).
        capturable, foreach, differentiable: accepted for PyTorch compatibility.
        maximize (bool, optional): maximize the objective (default: False).
        decoupled_weight_decay (bool, optional): multiply :math:`\theta` by
            :math:`1-\gamma\lambda` instead of adding :math:`\lambda\theta` to the gradient
            (default: False).
        eps_inside_sqrt (bool, optional): divide by :math:`\sqrt{\tilde v_t+\epsilon}` (the
            lectures' form) instead of :math:`\sqrt{\tilde v_t}+\epsilon` (default: False).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.RMSprop([w], lr=0.01, alpha=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> np.round(w.data, 4).tolist()
        [0.9684, -1.9684]
    """

    update = rmsprop
    extras = {"decoupled_weight_decay": False, "eps_inside_sqrt": False}  # beyond PyTorch: in a group only when set
    stepwise = ()  # every coefficient depends on the hyperparameters only
    optional = {"momentum_buffer": "momentum", "grad_avg": "centered"}
    filled_on_load = {**Optimizer.filled_on_load, "momentum": 0, "centered": False}

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False, *,
                 decoupled_weight_decay: bool = False, eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
            differentiable=differentiable, decoupled_weight_decay=decoupled_weight_decay,
            eps_inside_sqrt=eps_inside_sqrt))

    def _step_mixed(self, group, param, grad, arrays, state):
        if group["centered"] or self._option(group, "decoupled_weight_decay") or \
                self._option(group, "eps_inside_sqrt"):
            return False  # PyTorch's centered form fails there (grad_avg.lerp_)
        # PyTorch's steps: square_avg.mul_(alpha).addcmul_(g, g, value=1 - alpha);
        # avg = square_avg.sqrt().add_(eps); buf.mul_(momentum).addcdiv_(g, avg);
        # p.add_(buf, alpha=-lr) (without momentum: p.addcdiv_(g, avg, value=-lr))
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = numpy_fma(group["weight_decay"], param, g)
        alpha, lr = group["alpha"], group["lr"]
        square_avg = arrays["square_avg"]
        square_avg *= square_avg.dtype.type(alpha)
        w = np.result_type(square_avg, g)
        gw = g.astype(w)
        square_avg[...] = numpy_fma((1 - alpha) * gw, gw, square_avg.astype(w))
        avg = np.sqrt(square_avg) + square_avg.dtype.type(group["eps"])
        buf = arrays.get("momentum_buffer")
        if group["momentum"] > 0 and buf is not None:
            buf *= buf.dtype.type(group["momentum"])
            w = np.result_type(buf, g, avg)
            buf[...] = buf.astype(w) + g.astype(w) / avg.astype(w)
            w = np.result_type(param, buf)
            param[...] = numpy_fma(-lr, buf.astype(w), param.astype(w))
        else:
            w = np.result_type(param, g, avg)
            param[...] = param.astype(w) + (-lr * g.astype(w)) / avg.astype(w)
        return True

    def _validate_group(self, group):
        super()._validate_group(group)
        check(0.0 <= group["alpha"], f"Invalid alpha value: {group['alpha']}")

    def coefficients(self, group, t, scalars, fresh):
        lr, wd, momentum = group["lr"], group["weight_decay"], group["momentum"]
        wa, wac, wa_small = lerp_weight(t, 1 - group["alpha"])
        eps_in, eps_out = eps_split(t, group["eps"], self._option(group, "eps_inside_sqrt"))
        return rmsprop.Coefficients(
            alpha=t(group["alpha"]), wa=wa, wac=wac, wa_small=wa_small, eps_in=eps_in,
            eps_out=eps_out, neg_lr=t(-lr), momentum=t(momentum), weight_decay=t(wd),
            decay=t(1 - lr * wd), wd_mode=wd_mode(wd, self._option(group, "decoupled_weight_decay")),
            centered=bool(group["centered"]), use_momentum=momentum > 0,
            maximize=bool(group["maximize"]))
