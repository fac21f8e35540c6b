"""Per-step scalar coefficients of every update rule, and a functional API over numpy arrays.

The elementwise part of each rule lives in one fused kernel (``autograd_core.kernels.optim``,
numpy twin in ``optim_ref``). What remains is scalar math that depends on the step count and
the hyperparameters (bias corrections, the NAdam momentum schedule, the RAdam rectifier). It is
computed here in Python floats (double precision), exactly as PyTorch computes it, and then
cast to the parameter's dtype, as PyTorch does when it hands a Python scalar to a tensor op.

``<algo>_coefficients(...)`` returns the scalar tail of the kernel's argument list.
``<algo>(params, grads, ..., **hyper)`` applies one step to lists of numpy arrays (state arrays
updated in place), in the spirit of ``torch.optim._functional``; the optimizer classes use the
coefficient functions with their own per-parameter state.
"""

from __future__ import annotations

from os import environ as _environ

import numpy as np

from autograd_core.kernels import _jit

__all__ = [
    "kernels",
    "wd_mode",
    "sgd_coefficients",
    "adam_coefficients",
    "adagrad_coefficients",
    "rmsprop_coefficients",
    "adadelta_coefficients",
    "adamax_coefficients",
    "nadam_coefficients",
    "nadam_mu",
    "radam_coefficients",
    "radam_rectification",
    "rprop_coefficients",
    "run_kernel",
    "sgd",
    "adam",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adamax",
    "nadam",
    "radam",
    "rprop",
]

_KERNEL_TABLES: dict = {}


def kernels(backend: str | None = None) -> dict:
    """``{name: (serial, parallel)}`` for the active backend (``TAPEGRAD_KERNELS``).

    Imported on first use so ``import optimizers`` does not import numba. Looked up once per
    ``step()``; cached by the environment variable's raw value.
    """
    key = backend if backend is not None else _environ.get(_jit.BACKEND_ENV)
    table = _KERNEL_TABLES.get(key)
    if table is None:
        name = backend or _jit.backend()
        if name == "numba":
            from autograd_core.kernels import optim as mod

            table = mod.dispatchers()
        else:
            from autograd_core.kernels import optim_ref as mod

            table = mod.KERNELS
        _KERNEL_TABLES[key] = table
    return table


_PARALLEL_MIN_SIZE = []


def parallel_min_size() -> int:
    """Arrays at least this long use the parallel kernel (``optim.PARALLEL_MIN_SIZE``)."""
    if not _PARALLEL_MIN_SIZE:
        from autograd_core.kernels import optim

        _PARALLEL_MIN_SIZE.append(optim.PARALLEL_MIN_SIZE)
    return _PARALLEL_MIN_SIZE[0]


def wd_mode(weight_decay: float, decoupled: bool) -> int:
    """0: no weight decay, 1: L2 added to the gradient, 2: decoupled (param *= 1 - lr*wd)."""
    if weight_decay == 0:
        return 0
    return 2 if decoupled else 1


def _lerp_weight(t, w):
    """ATen's lerp with a scalar weight: the weight, 1 - weight (in the dtype), |w| < 0.5."""
    tw = t(w)
    return tw, t(1) - tw, bool(abs(tw) < 0.5)


# ------------------------------------------------------------------------------------------
# Coefficients. ``t`` is the parameter dtype's scalar type (np.float32 or np.float64).
# ------------------------------------------------------------------------------------------


def sgd_coefficients(t, *, lr, weight_decay, momentum, dampening, nesterov, maximize,
                     first_step):
    return (t(lr), t(weight_decay), t(momentum), t(1 - dampening), momentum != 0,
            bool(first_step), bool(nesterov), bool(maximize))


def adam_coefficients(t, step, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize,
                      decoupled_weight_decay):
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    step_size = lr / bias_correction1
    bias_correction2_sqrt = bias_correction2**0.5
    w1, w1c, small = _lerp_weight(t, 1 - beta1)
    return (w1, w1c, small, t(beta2), t(1 - beta2), t(eps), t(-step_size),
            t(bias_correction2_sqrt), t(weight_decay), t(1 - lr * weight_decay),
            wd_mode(weight_decay, decoupled_weight_decay), bool(amsgrad), bool(maximize))


def adagrad_coefficients(t, step, *, lr, lr_decay, weight_decay, eps, maximize,
                         decoupled_weight_decay):
    clr = lr / (1 + (step - 1) * lr_decay)
    return (t(-clr), t(eps), t(weight_decay), t(1 - clr * weight_decay),
            wd_mode(weight_decay, decoupled_weight_decay), bool(maximize))


def rmsprop_coefficients(t, *, lr, alpha, eps, weight_decay, momentum, centered, maximize,
                         decoupled_weight_decay):
    wa, wac, small = _lerp_weight(t, 1 - alpha)
    return (t(alpha), wa, wac, small, t(eps), t(-lr), t(momentum), t(weight_decay),
            t(1 - lr * weight_decay), wd_mode(weight_decay, decoupled_weight_decay),
            bool(centered), momentum > 0, bool(maximize))


def adadelta_coefficients(t, *, lr, rho, eps, weight_decay, maximize, decoupled_weight_decay):
    return (t(rho), t(1 - rho), t(eps), t(-lr), t(weight_decay), t(1 - lr * weight_decay),
            wd_mode(weight_decay, decoupled_weight_decay), bool(maximize))


def adamax_coefficients(t, step, *, lr, beta1, beta2, eps, weight_decay, maximize,
                        decoupled_weight_decay):
    clr = lr / (1 - beta1**step)
    w1, w1c, small = _lerp_weight(t, 1 - beta1)
    return (w1, w1c, small, t(beta2), t(eps), t(-clr), t(weight_decay), t(1 - lr * weight_decay),
            wd_mode(weight_decay, decoupled_weight_decay), bool(maximize))


def nadam_mu(step, beta1, momentum_decay):
    """NAdam's momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t * momentum_decay))."""
    return beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))


def nadam_coefficients(t, step, mu_product, *, lr, beta1, beta2, eps, weight_decay,
                       momentum_decay, maximize, decoupled_weight_decay):
    """``mu_product`` is the product mu_1 ... mu_t *including* this step's mu (already updated).

    PyTorch keeps mu_product in a float32 0-d tensor (its default scalar dtype); callers round
    it the same way (see ``NAdam``).
    """
    bias_correction2 = 1 - beta2**step
    mu = nadam_mu(step, beta1, momentum_decay)
    mu_next = nadam_mu(step + 1, beta1, momentum_decay)
    mu_product_next = mu_product * mu_next
    coef_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
    coef_avg = (-lr * mu_next) / (1.0 - mu_product_next)
    w1, w1c, small = _lerp_weight(t, 1 - beta1)
    return (w1, w1c, small, t(beta2), t(1 - beta2), t(eps), t(bias_correction2), t(coef_grad),
            t(coef_avg), t(weight_decay), t(1 - lr * weight_decay),
            wd_mode(weight_decay, decoupled_weight_decay), bool(maximize))


def radam_rectification(step, beta2):
    """(rho_t, r_t or None): RAdam's SMA length and variance rectifier; r_t only when rho_t > 5."""
    bias_correction2 = 1 - beta2**step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        return rho_t, rect
    return rho_t, None


def radam_coefficients(t, step, *, lr, beta1, beta2, eps, weight_decay, maximize,
                       decoupled_weight_decay):
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    _, rect = radam_rectification(step, beta2)
    w1, w1c, small = _lerp_weight(t, 1 - beta1)
    return (w1, w1c, small, t(beta2), t(1 - beta2), t(eps), t(bias_correction1), t(lr),
            t(bias_correction2**0.5), t(0.0 if rect is None else rect), rect is not None, t(1),
            t(weight_decay), t(1 - lr * weight_decay),
            wd_mode(weight_decay, decoupled_weight_decay), bool(maximize))


def rprop_coefficients(t, *, etas, step_sizes, maximize):
    etaminus, etaplus = etas
    step_size_min, step_size_max = step_sizes
    return (t(etaminus), t(etaplus), t(step_size_min), t(step_size_max), t(1), t(0),
            bool(maximize))


# ------------------------------------------------------------------------------------------
# Functional API over numpy arrays
# ------------------------------------------------------------------------------------------

_EMPTY: dict = {}


def empty(dtype) -> np.ndarray:
    """A shared 0-length array standing in for unused optional state."""
    a = _EMPTY.get(dtype)
    if a is None:
        a = _EMPTY[np.dtype(dtype)] = np.empty(0, dtype)
    return a


def run_kernel(name, param, grad, states, coefficients, table=None):
    """Apply kernel ``name`` to one parameter array (any shape, updated in place).

    ``states`` are arrays of the parameter's shape (or empty placeholders). Non-contiguous
    parameters are updated through a contiguous copy that is written back.
    """
    serial, parallel = (table or kernels())[name]
    if param.dtype not in (np.float32, np.float64):
        raise TypeError(f"optimizers support float32 and float64 parameters, got {param.dtype}")
    flat = param.reshape(-1) if param.flags.c_contiguous else np.ascontiguousarray(param).ravel()
    g = np.asarray(grad)
    if g.dtype != param.dtype:
        g = g.astype(param.dtype)
    if g.size != param.size:
        raise ValueError(f"gradient of shape {g.shape} for a parameter of shape {param.shape}")
    g = g.reshape(-1)
    kern = parallel if flat.shape[0] >= parallel_min_size() else serial
    kern(flat, g, *[s.reshape(-1) for s in states], *coefficients)
    if not param.flags.c_contiguous:
        param[...] = flat.reshape(param.shape)


def _each(params, grads, *lists):
    if not (len(params) == len(grads) and all(len(x) == len(params) for x in lists)):
        raise ValueError("params, grads and state lists must have the same length")
    return zip(params, grads, *lists)


def _steps(state_steps, i):
    """Increment a step counter held in a list (floats, as PyTorch's step tensors)."""
    state_steps[i] = float(state_steps[i]) + 1.0
    return state_steps[i]


def sgd(params, grads, momentum_buffer_list, *, lr=1e-3, momentum=0.0, dampening=0.0,
        weight_decay=0.0, nesterov=False, maximize=False):
    """SGD step on numpy arrays; ``momentum_buffer_list[i]`` may be None (created here)."""
    for i, (p, g) in enumerate(zip(params, grads)):
        t = p.dtype.type
        buf = momentum_buffer_list[i] if momentum != 0 else None
        first = buf is None
        if momentum != 0 and first:
            buf = momentum_buffer_list[i] = np.empty_like(p)
        co = sgd_coefficients(t, lr=lr, weight_decay=weight_decay, momentum=momentum,
                              dampening=dampening, nesterov=nesterov, maximize=maximize,
                              first_step=first)
        run_kernel("sgd", p, g, [buf if buf is not None else empty(p.dtype)], co)


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, lr=1e-3,
         beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False,
         decoupled_weight_decay=False):
    for i, (p, g, m, v) in enumerate(_each(params, grads, exp_avgs, exp_avg_sqs)):
        step = _steps(state_steps, i)
        vm = max_exp_avg_sqs[i] if amsgrad else empty(p.dtype)
        co = adam_coefficients(p.dtype.type, step, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                               weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                               decoupled_weight_decay=decoupled_weight_decay)
        run_kernel("adam", p, g, [m, v, vm], co)


def adagrad(params, grads, state_sums, state_steps, *, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
            eps=1e-10, maximize=False, decoupled_weight_decay=False):
    for i, (p, g, s) in enumerate(_each(params, grads, state_sums)):
        step = _steps(state_steps, i)
        co = adagrad_coefficients(p.dtype.type, step, lr=lr, lr_decay=lr_decay,
                                  weight_decay=weight_decay, eps=eps, maximize=maximize,
                                  decoupled_weight_decay=decoupled_weight_decay)
        run_kernel("adagrad", p, g, [s], co)


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *,
            lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
            maximize=False, decoupled_weight_decay=False):
    for i, (p, g, v) in enumerate(_each(params, grads, square_avgs)):
        _steps(state_steps, i)
        e = empty(p.dtype)
        co = rmsprop_coefficients(p.dtype.type, lr=lr, alpha=alpha, eps=eps,
                                  weight_decay=weight_decay, momentum=momentum, centered=centered,
                                  maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        run_kernel("rmsprop", p, g, [v, grad_avgs[i] if centered else e,
                                     momentum_buffer_list[i] if momentum > 0 else e], co)


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr=1.0, rho=0.9, eps=1e-6,
             weight_decay=0.0, maximize=False, decoupled_weight_decay=False):
    for i, (p, g, v, u) in enumerate(_each(params, grads, square_avgs, acc_deltas)):
        _steps(state_steps, i)
        co = adadelta_coefficients(p.dtype.type, lr=lr, rho=rho, eps=eps,
                                   weight_decay=weight_decay, maximize=maximize,
                                   decoupled_weight_decay=decoupled_weight_decay)
        run_kernel("adadelta", p, g, [v, u], co)


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, lr=2e-3, beta1=0.9, beta2=0.999,
           eps=1e-8, weight_decay=0.0, maximize=False, decoupled_weight_decay=False):
    for i, (p, g, m, u) in enumerate(_each(params, grads, exp_avgs, exp_infs)):
        step = _steps(state_steps, i)
        co = adamax_coefficients(p.dtype.type, step, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                                 weight_decay=weight_decay, maximize=maximize,
                                 decoupled_weight_decay=decoupled_weight_decay)
        run_kernel("adamax", p, g, [m, u], co)


def scalar_dtype():
    """PyTorch's ``_get_scalar_dtype()``: float64 if the default dtype is float64, else float32
    (the dtype PyTorch keeps NAdam's ``mu_product`` in)."""
    try:
        import autograd_core

        if np.dtype(autograd_core.get_default_dtype()) == np.float64:
            return np.float64
    except (ImportError, AttributeError, TypeError):
        pass
    return np.float32


def round_mu_product(mu_product, mu, dtype=np.float32):
    """mu_product * mu as PyTorch computes it: in a 0-d tensor of the scalar dtype."""
    return float(dtype(mu_product) * dtype(mu))


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, lr=2e-3,
          beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
          maximize=False, decoupled_weight_decay=False):
    for i, (p, g, m, v) in enumerate(_each(params, grads, exp_avgs, exp_avg_sqs)):
        step = _steps(state_steps, i)
        mu_products[i] = round_mu_product(mu_products[i], nadam_mu(step, beta1, momentum_decay),
                                          scalar_dtype())
        co = nadam_coefficients(p.dtype.type, step, mu_products[i], lr=lr, beta1=beta1,
                                beta2=beta2, eps=eps, weight_decay=weight_decay,
                                momentum_decay=momentum_decay, maximize=maximize,
                                decoupled_weight_decay=decoupled_weight_decay)
        run_kernel("nadam", p, g, [m, v], co)


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, lr=1e-3, beta1=0.9,
          beta2=0.999, eps=1e-8, weight_decay=0.0, maximize=False, decoupled_weight_decay=False):
    for i, (p, g, m, v) in enumerate(_each(params, grads, exp_avgs, exp_avg_sqs)):
        step = _steps(state_steps, i)
        co = radam_coefficients(p.dtype.type, step, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                                weight_decay=weight_decay, maximize=maximize,
                                decoupled_weight_decay=decoupled_weight_decay)
        run_kernel("radam", p, g, [m, v], co)


def rprop(params, grads, prevs, step_sizes, state_steps, *, etas=(0.5, 1.2),
          step_size_limits=(1e-6, 50.0), maximize=False):
    """``step_sizes`` are the per-element step-size arrays (state); ``step_size_limits`` is
    PyTorch's ``step_sizes=(min, max)`` option."""
    for i, (p, g, prev, ss) in enumerate(_each(params, grads, prevs, step_sizes)):
        _steps(state_steps, i)
        co = rprop_coefficients(p.dtype.type, etas=etas, step_sizes=step_size_limits,
                                maximize=maximize)
        run_kernel("rprop", p, g, [prev, ss], co)

