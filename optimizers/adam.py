"""The Adam family: Adam (+AMSGrad), AdamW, Adamax, NAdam, RAdam."""

from __future__ import annotations

from optimizers import functional as F
from optimizers.optimizer import (
    Optimizer,
    check,
    check_betas,
    check_compat_flags,
    check_eps,
    check_lr,
    check_weight_decay,
    zeros_like,
)

__all__ = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


def _adam_group_keys(group):
    b1, b2 = group["betas"]
    return dict(lr=group["lr"], beta1=b1, beta2=b2, eps=group["eps"],
                weight_decay=group["weight_decay"], maximize=group["maximize"],
                decoupled_weight_decay=group["decoupled_weight_decay"])


class _AdamBase(Optimizer):
    def _validate_group(self, group):
        check_lr(group["lr"])
        check_eps(group["eps"])
        check_betas(group["betas"])
        check_weight_decay(group["weight_decay"])


class Adam(_AdamBase):
    r"""Adam (Kingma & Ba, 2015) with bias correction; AMSGrad (Reddi et al., 2018) optional.

    With :math:`g_t` the gradient (negated if ``maximize``; plus :math:`\lambda\theta` unless
    ``decoupled_weight_decay``, which instead multiplies :math:`\theta` by :math:`1-\gamma\lambda`
    first, as AdamW):

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
        \quad \hat v_t = \max(\hat v_{t-1}, v_t) \text{ (amsgrad) else } v_t,

        \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\,
                   \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    PyTorch's defaults and operation order (eps added *after* the bias-corrected square root).
    State: ``step``, ``exp_avg``, ``exp_avg_sq`` (+ ``max_exp_avg_sq``): 2-3 parameter-sized
    arrays, so training holds param + grad + 2 = 4x the parameters' bytes.
    """

    kernel = "adam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_compat_flags(foreach, fused, capturable, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _state_keys(self, group):
        keys = ("step", "exp_avg", "exp_avg_sq")
        return keys + ("max_exp_avg_sq",) if group["amsgrad"] else keys

    def _step_group(self, group, table):
        serial, parallel = table["adam"]
        par = F.parallel_min_size()
        kw = _adam_group_keys(group)
        amsgrad = group["amsgrad"]
        cache = {}
        for data, pf, gf, st in self._params_with_grad(group):
            if not st:
                st["step"] = 0.0
                st["exp_avg"] = zeros_like(data)
                st["exp_avg_sq"] = zeros_like(data)
                if amsgrad:
                    st["max_exp_avg_sq"] = zeros_like(data)
            step = st["step"] + 1.0
            st["step"] = step
            key = (data.dtype, step)
            co = cache.get(key)
            if co is None:
                co = cache[key] = F.adam_coefficients(data.dtype.type, step, amsgrad=amsgrad,
                                                      **kw)
            if amsgrad:
                vm = st.get("max_exp_avg_sq")
                if vm is None:
                    vm = st["max_exp_avg_sq"] = zeros_like(data)
                vm = vm.reshape(-1)
            else:
                vm = F.empty(data.dtype)
            (parallel if pf.shape[0] >= par else serial)(
                pf, gf, st["exp_avg"].reshape(-1), st["exp_avg_sq"].reshape(-1), vm, *co)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019):
    :math:`\theta \leftarrow \theta (1-\gamma\lambda)` before the Adam step, default
    ``weight_decay=1e-2``. Same as ``Adam(..., decoupled_weight_decay=True)``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _validate_group(self, group):
        group["decoupled_weight_decay"] = True  # as PyTorch's AdamW.__setstate__
        super()._validate_group(group)


class Adamax(_AdamBase):
    r"""Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2015, sec. 7.1).

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad
        \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t} \frac{m_t}{u_t}

    PyTorch's eps placement (inside the max). Beyond PyTorch: ``decoupled_weight_decay=True``
    multiplies :math:`\theta` by :math:`1-\gamma\lambda` instead of adding :math:`\lambda\theta`
    to the gradient (PyTorch's Adamax has only the L2 form).
    """

    kernel = "adamax"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False,
                 decoupled_weight_decay=False):
        check_compat_flags(foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("step", "exp_avg", "exp_inf")

    def _step_group(self, group, table):
        serial, parallel = table["adamax"]
        par = F.parallel_min_size()
        kw = _adam_group_keys(group)
        cache = {}
        for data, pf, gf, st in self._params_with_grad(group):
            if not st:
                st["step"] = 0.0
                st["exp_avg"] = zeros_like(data)
                st["exp_inf"] = zeros_like(data)
            step = st["step"] + 1.0
            st["step"] = step
            key = (data.dtype, step)
            co = cache.get(key)
            if co is None:
                co = cache[key] = F.adamax_coefficients(data.dtype.type, step, **kw)
            (parallel if pf.shape[0] >= par else serial)(
                pf, gf, st["exp_avg"].reshape(-1), st["exp_inf"].reshape(-1), *co)


class NAdam(_AdamBase):
    r"""NAdam: Adam with Nesterov momentum (Dozat, 2016), PyTorch's formulation.

    Momentum schedule :math:`\mu_t = \beta_1(1 - \tfrac12 0.96^{t\psi})` (``momentum_decay``
    :math:`\psi`), state ``mu_product`` :math:`=\prod_{i\le t}\mu_i`;

    .. math::
        \theta_t = \theta_{t-1}
          - \gamma\frac{1-\mu_t}{1-\prod_{i\le t}\mu_i}\frac{g_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}
          - \gamma\frac{\mu_{t+1}}{1-\prod_{i\le t+1}\mu_i}\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}

    ``decoupled_weight_decay=True`` gives NAdamW (as PyTorch). ``mu_product`` is rounded to
    float32 after every update (float64 if ``autograd_core``'s default dtype is float64),
    because PyTorch keeps it in a 0-d tensor of its default scalar dtype; we do the same so
    float64 trajectories agree with PyTorch's to 1e-9.
    """

    kernel = "nadam"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_compat_flags(foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        super()._validate_group(group)
        check(0.0 <= group["momentum_decay"],
              f"Invalid momentum_decay value: {group['momentum_decay']}")

    def _state_keys(self, group):
        return ("step", "mu_product", "exp_avg", "exp_avg_sq")

    def _step_group(self, group, table):
        serial, parallel = table["nadam"]
        par = F.parallel_min_size()
        kw = _adam_group_keys(group)
        psi = group["momentum_decay"]
        beta1 = kw["beta1"]
        sdt = F.scalar_dtype()
        cache = {}
        for data, pf, gf, st in self._params_with_grad(group):
            if not st:
                st["step"] = 0.0
                st["mu_product"] = 1.0
                st["exp_avg"] = zeros_like(data)
                st["exp_avg_sq"] = zeros_like(data)
            step = st["step"] + 1.0
            st["step"] = step
            key = (data.dtype, step, st["mu_product"])
            co = cache.get(key)
            if co is None:
                mu_product = F.round_mu_product(st["mu_product"], F.nadam_mu(step, beta1, psi),
                                                sdt)
                co = F.nadam_coefficients(data.dtype.type, step, mu_product, momentum_decay=psi,
                                          **kw)
                cache[key] = co = (mu_product, co)
            st["mu_product"] = co[0]
            (parallel if pf.shape[0] >= par else serial)(
                pf, gf, st["exp_avg"].reshape(-1), st["exp_avg_sq"].reshape(-1), *co[1])


class RAdam(_AdamBase):
    r"""Rectified Adam (Liu et al., 2020), PyTorch's formulation.

    :math:`\rho_\infty = 2/(1-\beta_2) - 1`, :math:`\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)`.
    If :math:`\rho_t > 5`: :math:`\theta_t = \theta_{t-1} - \gamma\hat m_t\,
    \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}\, r_t` with
    :math:`r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}`;
    otherwise the un-adapted momentum step :math:`\theta_t = \theta_{t-1} - \gamma\hat m_t`
    (:math:`\hat m_t = m_t/(1-\beta_1^t)`). ``decoupled_weight_decay=True`` gives RAdamW.
    """

    kernel = "radam"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_compat_flags(foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("step", "exp_avg", "exp_avg_sq")

    def _step_group(self, group, table):
        serial, parallel = table["radam"]
        par = F.parallel_min_size()
        kw = _adam_group_keys(group)
        cache = {}
        for data, pf, gf, st in self._params_with_grad(group):
            if not st:
                st["step"] = 0.0
                st["exp_avg"] = zeros_like(data)
                st["exp_avg_sq"] = zeros_like(data)
            step = st["step"] + 1.0
            st["step"] = step
            key = (data.dtype, step)
            co = cache.get(key)
            if co is None:
                co = cache[key] = F.radam_coefficients(data.dtype.type, step, **kw)
            (parallel if pf.shape[0] >= par else serial)(
                pf, gf, st["exp_avg"].reshape(-1), st["exp_avg_sq"].reshape(-1), *co)
