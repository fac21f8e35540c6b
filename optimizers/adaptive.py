"""Per-coordinate adaptive step sizes from squared-gradient statistics: Adagrad, RMSprop,
Adadelta.

Beyond PyTorch: each takes ``decoupled_weight_decay`` (keyword-only, default False). When True
the weight decay multiplies the parameter by :math:`1-\\gamma_t\\lambda` before the update (with
:math:`\\gamma_t` the learning rate this step applies, for Adagrad the ``lr_decay``-decayed one)
instead of adding :math:`\\lambda\\theta` to the gradient, which PyTorch's versions always do.
"""

from __future__ import annotations

import numpy as np

from optimizers import functional as F
from optimizers.optimizer import (
    Optimizer,
    check,
    check_compat_flags,
    check_eps,
    check_lr,
    check_weight_decay,
    zeros_like,
)

__all__ = ["Adagrad", "RMSprop", "Adadelta"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011), PyTorch's formulation.

    .. math::
        \gamma_t = \frac{\gamma}{1 + (t-1)\eta},\quad s_t = s_{t-1} + g_t^2,\quad
        \theta_t = \theta_{t-1} - \gamma_t \frac{g_t}{\sqrt{s_t} + \epsilon}

    (:math:`\eta` = ``lr_decay``; :math:`s_0` = ``initial_accumulator_value``.) As in PyTorch the
    state is created eagerly in the constructor. Difference: a param group's own
    ``initial_accumulator_value`` is honoured (PyTorch uses the constructor's value for every
    group).
    """

    kernel = "adagrad"

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_compat_flags(foreach, fused, False, differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        check_lr(group["lr"])
        check(0.0 <= group["lr_decay"], f"Invalid lr_decay value: {group['lr_decay']}")
        check_weight_decay(group["weight_decay"])
        v = group["initial_accumulator_value"]
        check(0.0 <= v, f"Invalid initial_accumulator_value value: {v}")
        check_eps(group["eps"])

    def _state_keys(self, group):
        return ("step", "sum")

    def _init_state(self, group, data):
        return {"step": 0.0,
                "sum": np.full(data.shape, group["initial_accumulator_value"], data.dtype)}

    def _on_new_group(self, group):
        for p in group["params"]:
            if not self.state.get(p):
                self.state[p] = self._init_state(group, p.data)

    def _step_group(self, group, table):
        serial, parallel = table["adagrad"]
        par = F.parallel_min_size()
        kw = dict(lr=group["lr"], lr_decay=group["lr_decay"], eps=group["eps"],
                  weight_decay=group["weight_decay"], maximize=group["maximize"],
                  decoupled_weight_decay=group["decoupled_weight_decay"])
        cache = {}
        for data, pf, gf, st in self._params_with_grad(group):
            if not st:
                st.update(self._init_state(group, data))
            step = st["step"] + 1.0
            st["step"] = step
            key = (data.dtype, step)
            co = cache.get(key)
            if co is None:
                co = cache[key] = F.adagrad_coefficients(data.dtype.type, step, **kw)
            (parallel if pf.shape[0] >= par else serial)(pf, gf, st["sum"].reshape(-1), *co)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton, 2012, lecture 6.5), PyTorch's formulation.

    .. math::
        v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\quad
        \tilde v_t = v_t - c_t^2 \text{ with } c_t = \alpha c_{t-1} + (1-\alpha) g_t
        \text{ (centered, Graves 2013) else } v_t,

        b_t = \mu b_{t-1} + \frac{g_t}{\sqrt{\tilde v_t} + \epsilon},\quad
        \theta_t = \theta_{t-1} - \gamma b_t \quad(\mu > 0;\ \text{else }
        \theta_t = \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon))

    State: ``step``, ``square_avg`` (+ ``momentum_buffer`` if momentum > 0, + ``grad_avg`` if
    centered).
    """

    kernel = "rmsprop"

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False, *, decoupled_weight_decay=False):
        check_compat_flags(foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        check_lr(group["lr"])
        check_eps(group["eps"])
        check(0.0 <= group["momentum"], f"Invalid momentum value: {group['momentum']}")
        check_weight_decay(group["weight_decay"])
        check(0.0 <= group["alpha"], f"Invalid alpha value: {group['alpha']}")

    def _state_keys(self, group):
        keys = ("step", "square_avg")
        if group["momentum"] > 0:
            keys += ("momentum_buffer",)
        if group["centered"]:
            keys += ("grad_avg",)
        return keys

    def _step_group(self, group, table):
        serial, parallel = table["rmsprop"]
        par = F.parallel_min_size()
        kw = dict(lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                  weight_decay=group["weight_decay"], momentum=group["momentum"],
                  centered=group["centered"], maximize=group["maximize"],
                  decoupled_weight_decay=group["decoupled_weight_decay"])
        use_momentum = group["momentum"] > 0
        centered = group["centered"]
        cache = {}
        for data, pf, gf, st in self._params_with_grad(group):
            if not st:
                st["step"] = 0.0
                st["square_avg"] = zeros_like(data)
            e = F.empty(data.dtype)
            buf = ga = e
            if use_momentum:
                buf = st.get("momentum_buffer")
                if buf is None:
                    buf = st["momentum_buffer"] = zeros_like(data)
                buf = buf.reshape(-1)
            if centered:
                ga = st.get("grad_avg")
                if ga is None:
                    ga = st["grad_avg"] = zeros_like(data)
                ga = ga.reshape(-1)
            st["step"] += 1.0
            co = cache.get(data.dtype)
            if co is None:
                co = cache[data.dtype] = F.rmsprop_coefficients(data.dtype.type, **kw)
            (parallel if pf.shape[0] >= par else serial)(
                pf, gf, st["square_avg"].reshape(-1), ga, buf, *co)


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), PyTorch's formulation (with an ``lr`` multiplier).

    .. math::
        v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad
        \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t,\quad
        u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2,\quad \theta_t = \theta_{t-1} - \gamma\Delta_t

    State: ``step``, ``square_avg``, ``acc_delta``.
    """

    kernel = "adadelta"

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False,
                 decoupled_weight_decay=False):
        check_compat_flags(foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        check_lr(group["lr"])
        check(0.0 <= group["rho"] <= 1.0, f"Invalid rho value: {group['rho']}")
        check_eps(group["eps"])
        check_weight_decay(group["weight_decay"])

    def _state_keys(self, group):
        return ("step", "square_avg", "acc_delta")

    def _step_group(self, group, table):
        serial, parallel = table["adadelta"]
        par = F.parallel_min_size()
        kw = dict(lr=group["lr"], rho=group["rho"], eps=group["eps"],
                  weight_decay=group["weight_decay"], maximize=group["maximize"],
                  decoupled_weight_decay=group["decoupled_weight_decay"])
        cache = {}
        for data, pf, gf, st in self._params_with_grad(group):
            if not st:
                st["step"] = 0.0
                st["square_avg"] = zeros_like(data)
                st["acc_delta"] = zeros_like(data)
            st["step"] += 1.0
            co = cache.get(data.dtype)
            if co is None:
                co = cache[data.dtype] = F.adadelta_coefficients(data.dtype.type, **kw)
            (parallel if pf.shape[0] >= par else serial)(
                pf, gf, st["square_avg"].reshape(-1), st["acc_delta"].reshape(-1), *co)
