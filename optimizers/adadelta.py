r"""Adadelta (Zeiler, 2012), PyTorch's formulation (with an ``lr`` multiplier).

.. math::
    v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad
    \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t,\quad
    u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2,\quad \theta_t = \theta_{t-1} - \gamma\Delta_t

Beyond PyTorch: ``decoupled_weight_decay=True``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_core.kernels.optim import fma, kernel, numpy_fma, numpy_grad, prange, wd_mode
from optimizers.optimizer import Optimizer, check

__all__ = ["Adadelta"]


@kernel("square_avg", "acc_delta")
def adadelta(param, grad, square_avg, acc_delta, rho, one_minus_rho, eps, neg_lr, weight_decay,
             decay, wd_mode, maximize):
    """v <- r v + (1-r) g^2; d = sqrt(u+eps)/sqrt(v+eps) g; u <- r u + (1-r) d^2; p -= lr d."""
    for i in prange(param.shape[0]):
        p = param[i]
        g = grad[i]
        if maximize:
            g = -g
        if wd_mode == 2:
            p = p * decay
        elif wd_mode == 1:
            g = fma(weight_decay, p, g)
        v = fma(one_minus_rho * g, g, square_avg[i] * rho)  # PyTorch's addcmul_: one rounding
        square_avg[i] = v
        d = np.sqrt(acc_delta[i] + eps) / np.sqrt(v + eps) * g
        acc_delta[i] = fma(one_minus_rho * d, d, acc_delta[i] * rho)
        param[i] = fma(neg_lr, d, p)


@adadelta.numpy
def adadelta_numpy(param, grad, square_avg, acc_delta, rho, one_minus_rho, eps, neg_lr,
                   weight_decay, decay, wd_mode, maximize):
    g = numpy_grad(param, grad, maximize, weight_decay, decay, wd_mode, fused=True)
    square_avg[...] = numpy_fma(one_minus_rho * g, g, square_avg * rho)
    d = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * g
    acc_delta[...] = numpy_fma(one_minus_rho * d, d, acc_delta * rho)
    param[...] = numpy_fma(neg_lr, d, param)


class Adadelta(Optimizer):
    """Implements Adadelta (formula in the module docstring, PyTorch's form with ``lr``).

    State per parameter: ``step``, ``square_avg``, ``acc_delta``.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): multiplier of the delta before it is applied. Default: ``1.0``.
        rho (float): decay of the running averages. Default: ``0.9``.
        eps (float): added inside the square roots. Default: ``1e-6``.
        weight_decay (float): L2 penalty. Default: ``0``.
        foreach (bool, optional): accepted for PyTorch compatibility (every step is one fused
            pass already).
        maximize (bool): maximize the objective instead of minimizing. Default: ``False``.
        capturable (bool): accepted for PyTorch compatibility (CPU only). Default: ``False``.
        differentiable (bool): accepted for PyTorch compatibility. Default: ``False``.
        decoupled_weight_decay (bool): decay the weights directly (AdamW-style) instead of
            adding to the gradient; not in PyTorch. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = optim.Adadelta([w], lr=1.0)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     opt.step()
        >>> w  # the same numbers as torch.optim.Adadelta
        tensor([ 0.9903, -1.9903], requires_grad=True)
    """

    update = adadelta
    extras = {"decoupled_weight_decay": False}  # beyond PyTorch: in a group only when set
    stepwise = ()  # every coefficient depends on the hyperparameters only

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False, differentiable: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            capturable=capturable, foreach=foreach, differentiable=differentiable,
            decoupled_weight_decay=decoupled_weight_decay))

    def _step_mixed(self, group, param, grad, arrays, state):
        if self._option(group, "decoupled_weight_decay"):
            return False
        # PyTorch's steps: v.mul_(rho).addcmul_(g, g, value=1 - rho); std = v.add(eps).sqrt_();
        # d = u.add(eps).sqrt_().div_(std).mul_(g); u.mul_(rho).addcmul_(d, d, value=1 - rho);
        # p.add_(d, alpha=-lr): each in the promoted dtype, stored in its own (d in u's)
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = numpy_fma(param.dtype.type(group["weight_decay"]), param, g)
        rho, eps = group["rho"], group["eps"]
        v, u = arrays["square_avg"], arrays["acc_delta"]
        v *= v.dtype.type(rho)
        w = np.result_type(v, g)
        v[...] = numpy_fma((1 - rho) * g.astype(w), g.astype(w), v.astype(w))
        d = np.sqrt(u + u.dtype.type(eps)) / np.sqrt(v + v.dtype.type(eps))
        w = np.result_type(d, g)
        d = (d.astype(w) * g.astype(w)).astype(u.dtype)
        u *= u.dtype.type(rho)
        u[...] = numpy_fma((1 - rho) * d, d, u)
        w = np.result_type(param, d)
        param[...] = numpy_fma(-group["lr"], d.astype(w), param.astype(w))
        return True

    def _validate_group(self, group):
        super()._validate_group(group)
        check(0.0 <= group["rho"] <= 1.0, f"Invalid rho value: {group['rho']}")

    def coefficients(self, group: dict[str, Any], t: type, scalars: dict[str, float],
                     fresh: bool) -> Any:
        lr, rho, wd = group["lr"], group["rho"], group["weight_decay"]
        return adadelta.Coefficients(
            rho=t(rho), one_minus_rho=t(1 - rho), eps=t(group["eps"]), neg_lr=t(-lr),
            weight_decay=t(wd), decay=t(1 - lr * wd),
            wd_mode=wd_mode(wd, self._option(group, "decoupled_weight_decay")), maximize=bool(group["maximize"]))
