"""Stochastic gradient descent with (Polyak or Nesterov) momentum."""

from __future__ import annotations

from optimizers import functional as F
from optimizers.optimizer import (
    Optimizer,
    check,
    check_compat_flags,
    check_lr,
    check_weight_decay,
    prepare,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""SGD, PyTorch's signature, defaults and update rule.

    With :math:`g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}` (negated if ``maximize``):

    .. math::
        b_1 = g_1,\quad b_t = \mu b_{t-1} + (1-\tau) g_t,\qquad
        d_t = g_t + \mu b_t \text{ (nesterov) else } b_t,\qquad
        \theta_t = \theta_{t-1} - \gamma d_t

    (Polyak's heavy ball, 1964; Nesterov momentum in the form of Sutskever et al., 2013.)
    State: ``momentum_buffer`` (only when ``momentum != 0``). ``foreach``/``fused`` are
    accepted for compatibility and have no effect: every step is one fused pass.
    """

    kernel = "sgd"

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        check_compat_flags(foreach, fused, False, differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        check_lr(group["lr"])
        check(0.0 <= group["momentum"], f"Invalid momentum value: {group['momentum']}")
        check_weight_decay(group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _state_keys(self, group):
        return ()  # a missing/None momentum_buffer restarts momentum, as in PyTorch

    def _step_group(self, group, table):
        serial, parallel = table["sgd"]
        par = F.parallel_min_size()
        kw = dict(lr=group["lr"], weight_decay=group["weight_decay"],
                  momentum=group["momentum"], dampening=group["dampening"],
                  nesterov=group["nesterov"], maximize=group["maximize"])
        use_momentum = group["momentum"] != 0
        state = self.state
        cache = {}
        for p in group["params"]:
            x = prepare(p)
            if x is None:
                continue
            data, pf, gf, writeback = x
            first = False
            if use_momentum:
                st = state[p]
                buf = st.get("momentum_buffer")
                if buf is None:
                    first = True
                    buf = st["momentum_buffer"] = data.copy()  # overwritten by the kernel
                bf = buf.reshape(-1)
            else:
                bf = F.empty(data.dtype)
            key = (data.dtype, first)
            co = cache.get(key)
            if co is None:
                co = cache[key] = F.sgd_coefficients(data.dtype.type, first_step=first, **kw)
            (parallel if pf.shape[0] >= par else serial)(pf, gf, bf, *co)
            if writeback:
                data[...] = pf.reshape(data.shape)
