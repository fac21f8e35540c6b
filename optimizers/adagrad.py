r"""Adagrad (Duchi, Hazan & Singer, 2011), PyTorch's formulation.

.. math::
    \gamma_t = \frac{\gamma}{1 + (t-1)\eta},\quad s_t = s_{t-1} + g_t^2,\quad
    \theta_t = \theta_{t-1} - \gamma_t \frac{g_t}{\sqrt{s_t} + \epsilon}

(:math:`\eta` = ``lr_decay``; :math:`s_0` = ``initial_accumulator_value``.) Beyond PyTorch:
``decoupled_weight_decay=True`` multiplies :math:`\theta` by :math:`1-\gamma_t\lambda` instead of
adding :math:`\lambda\theta` to the gradient; ``eps_inside_sqrt=True`` divides by
:math:`\sqrt{s_t + \epsilon}`, the lectures' form (``optimizers/LECTURE_FORMS.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_core.kernels.optim import eps_split, fma, kernel, numpy_fma, prange, wd_mode
from optimizers.optimizer import (
    Optimizer,
    _set_scalar,
    check,
    param_array,
    scalar_state,
    scalar_value,
    state_array,
    state_tensor,
)

__all__ = ["Adagrad"]


@kernel("sum")
def adagrad(param, grad, sum, neg_clr, eps_in, eps_out, weight_decay, decay, wd_mode, maximize):
    """s <- s + g^2; p <- p - clr g / (sqrt(s + eps_in) + eps_out), one of the eps zero."""
    for i in prange(param.shape[0]):
        p = param[i]
        g = grad[i]
        if maximize:
            g = -g
        if wd_mode == 2:
            p = p * decay
        elif wd_mode == 1:
            g = fma(weight_decay, p, g)
        s = fma(g, g, sum[i])  # PyTorch's addcmul_: one rounding
        sum[i] = s
        param[i] = p + neg_clr * g / (np.sqrt(s + eps_in) + eps_out)


@adagrad.numpy
def adagrad_numpy(param, grad, sum, neg_clr, eps_in, eps_out, weight_decay, decay, wd_mode,
                  maximize):
    g = -grad if maximize else grad
    if wd_mode == 2:
        param *= decay
    elif wd_mode == 1:
        g = numpy_fma(weight_decay, param, g)
    sum[...] = numpy_fma(g, g, sum)
    param += neg_clr * g / (np.sqrt(sum + eps_in) + eps_out)


class Adagrad(Optimizer):
    r"""Adagrad (PyTorch's ``torch.optim.Adagrad``).

    .. math::
        \gamma_t = \frac{\gamma}{1 + (t-1)\eta},\quad s_t = s_{t-1} + g_t^2,\quad
        \theta_t = \theta_{t-1} - \gamma_t \frac{g_t}{\sqrt{s_t} + \epsilon}
        \quad\Big(\text{eps_inside_sqrt: } \frac{g_t}{\sqrt{s_t + \epsilon}}\Big)

    State ``step``, ``sum``, made in the constructor as PyTorch does. Difference: a param
    group's own ``initial_accumulator_value`` is honoured (PyTorch uses the constructor's value
    for every group).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float, optional): learning rate :math:`\gamma` (default: 1e-2).
        lr_decay (float, optional): learning-rate decay :math:`\eta` (default: 0).
        weight_decay (float, optional): weight decay :math:`\lambda` (default: 0).
        initial_accumulator_value (float, optional): :math:`s_0` (default: 0).
        eps (float, optional): :math:`\epsilon`, for numerical stability (default: 1e-10; the
            lectures' Adagrad uses 1e-8 inside the square root).
        foreach, differentiable, fused: accepted for PyTorch compatibility.
        maximize (bool, optional): maximize the objective (default: False).
        decoupled_weight_decay (bool, optional): multiply :math:`\theta` by
            :math:`1-\gamma_t\lambda` instead of adding :math:`\lambda\theta` to the gradient
            (default: False).
        eps_inside_sqrt (bool, optional): divide by :math:`\sqrt{s_t+\epsilon}` (the lectures'
            form) instead of :math:`\sqrt{s_t}+\epsilon` (default: False).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.Adagrad([w], lr=0.5, eps=1e-8, eps_inside_sqrt=True)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> np.round(w.data, 4).tolist()
        [0.5, -1.5]
    """

    update = adagrad
    extras = {"decoupled_weight_decay": False, "eps_inside_sqrt": False}  # beyond PyTorch: in a group only when set
    stepwise = ("neg_clr", "decay")
    initial = {"sum": "initial_accumulator_value"}
    eager = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False, eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay, eps_inside_sqrt=eps_inside_sqrt))

    def _validate_group(self, group):
        super()._validate_group(group)
        check(0.0 <= group["lr_decay"], f"Invalid lr_decay value: {group['lr_decay']}")
        v = group["initial_accumulator_value"]
        check(0.0 <= v, f"Invalid initial_accumulator_value value: {v}")

    def _step_mixed(self, group, param, grad, arrays, state):
        if self._option(group, "decoupled_weight_decay") or \
                self._option(group, "eps_inside_sqrt"):
            return False
        # PyTorch's steps: s.addcmul_(g, g, value=1); std = s.sqrt().add_(eps);
        # p.addcdiv_(g, std, value=-clr): each in the promoted dtype, stored in its own
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = numpy_fma(param.dtype.type(group["weight_decay"]), param, g)
        step = scalar_value(state["step"]) + 1.0
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        s = arrays["sum"]
        w = np.result_type(s, g)
        s[...] = numpy_fma(g.astype(w), g.astype(w), s.astype(w))
        std = np.sqrt(s) + s.dtype.type(group["eps"])
        w = np.result_type(param, g, std)
        param[...] = param.astype(w) + w.type(-clr) * g.astype(w) / std.astype(w)
        return True

    def _check_sparse_grads(self, group):
        if group["fused"]:
            raise RuntimeError("`fused` does not support sparse grad or complex param")
        if group["weight_decay"] != 0:
            raise RuntimeError("weight_decay option is not compatible with sparse gradients")

    def _step_sparse(self, group, p):
        """PyTorch's sparse Adagrad: the coalesced gradient's rows only, ``s_r += g_r^2``,
        ``theta_r -= clr g_r / (sqrt(s_r) + eps)``; the other rows keep their sum and value."""
        data = param_array(p)
        t = data.dtype.type
        st = self.state[p]
        if not st:
            st.update(step=scalar_state(0.0), sum=state_tensor(self._new_array(group, "sum", data)))
        g = p.grad.detach().coalesce()
        rows = tuple(g._ind)
        values = g._vals._data.astype(data.dtype, copy=False)
        if group["maximize"]:
            values = -values
        step = scalar_value(st["step"]) + 1.0
        s = state_array(st, "sum", data.shape, data.dtype, "Adagrad.step()")
        _set_scalar(st, "step", step)
        (neg_clr, _) = self.step_coefficients(group, t, {"step": step})
        s[rows] += values * values
        eps_in, eps_out = eps_split(t, group["eps"], self._option(group, "eps_inside_sqrt"))
        data[rows] += neg_clr * (values / (np.sqrt(s[rows] + eps_in) + eps_out))
        bump = getattr(p, "_bump_version", None)
        if bump is not None:
            bump()
        return True

    def step_coefficients(self, group, t, scalars):
        clr = group["lr"] / (1 + (scalars["step"] - 1) * group["lr_decay"])
        return t(-clr), t(1 - clr * group["weight_decay"])

    def coefficients(self, group, t, scalars, fresh):
        wd = group["weight_decay"]
        neg_clr, decay = self.step_coefficients(group, t, scalars)
        eps_in, eps_out = eps_split(t, group["eps"], self._option(group, "eps_inside_sqrt"))
        return adagrad.Coefficients(
            neg_clr=neg_clr, eps_in=eps_in, eps_out=eps_out, weight_decay=t(wd),
            decay=decay, wd_mode=wd_mode(wd, self._option(group, "decoupled_weight_decay")),
            maximize=bool(group["maximize"]))
