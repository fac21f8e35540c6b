r"""Adafactor (Shazeer & Stern, 2018), PyTorch's ``torch.optim.Adafactor``.

A second-moment estimate without a parameter-sized buffer for matrices: for a parameter of two
or more dimensions only the running means of the squared gradient over its last dimension
(``row_var``, shape ``(..., m, 1)``) and over its second-last (``col_var``, ``(..., 1, n)``)
are kept, and the estimate is their outer product over the mean of ``row_var``; a vector or
scalar keeps the full ``variance``. With :math:`t` the step, :math:`\hat\beta_{2,t} = 1 -
t^{c}` (``beta2_decay`` :math:`c`), :math:`\rho_t = \min(\gamma, 1/\sqrt t)`:

.. math::
    \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\,\rho_t,\quad
    \theta \leftarrow \theta (1 - \gamma\lambda),\quad
    U_t = g_t / \sqrt{\max(\hat v_t, \epsilon_1^2)},\quad
    \theta_t = \theta - \frac{\alpha_t}{\max(1, \mathrm{RMS}(U_t)/d)}\, U_t

(``maximize`` negates :math:`g_t`; :math:`\epsilon_1` defaults to the dtype's machine epsilon).
The factored statistics are not elementwise, so the step is numpy over each parameter (no
fused kernel), in PyTorch's order of operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd_core._quiet import quiet

import autograd_core as ag
from autograd_core.kernels.optim import lerp_weight, numpy_lerp_
from optimizers.optimizer import (
    Optimizer,
    _as_array,
    _load_scalar,
    _saved_params,
    _set_scalar,
    check,
    closure_loss,
    grad_array,
    param_array,
    scalar_state,
    scalar_value,
    state_array,
    state_tensor,
    stepped_params,
)

__all__ = ["Adafactor"]


def _scalar(value: Any) -> float:
    return float(value.item()) if ag.is_tensor(value) else value


def _rms(a: np.ndarray) -> float:
    """``norm(a) / sqrt(numel)``, 0 for an empty array (PyTorch divides 0 by 0 there)."""
    return float(np.sqrt(np.sum(a * a))) / a.size ** 0.5 if a.size else 0.0


class Adafactor(Optimizer):
    r"""Adafactor (PyTorch's ``torch.optim.Adafactor``; see the module docstring).

    State per parameter, as PyTorch's: ``step``, then ``row_var`` and ``col_var`` (a parameter
    of two or more dimensions) or ``variance`` (one of fewer).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float or Tensor, optional): the learning rate :math:`\gamma`, an upper bound of the
            relative step size :math:`\rho_t` (default: 1e-2).
        beta2_decay (float, optional): the exponent :math:`c \le 0` of the second-moment
            decay :math:`1 - t^{c}` (default: -0.8).
        eps (Tuple[float | None, float], optional): :math:`\epsilon_1` (floor of the
            second-moment estimate, squared; None: the dtype's machine epsilon) and
            :math:`\epsilon_2` (floor of the parameter RMS) (default: (None, 1e-3)).
        d (float, optional): the clipping threshold of the update's RMS (default: 1.0).
        weight_decay (float, optional): decoupled weight decay :math:`\lambda` (default: 0).
        foreach: accepted for PyTorch compatibility.
        maximize (bool, optional): maximize the objective (default: False).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.Adafactor([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['col_var', 'row_var', 'step']
        >>> np.round(w.data, 4).tolist()  # the same as torch.optim.Adafactor
        [[0.7322, -1.8339], [0.4016, 2.8169]]
    """

    def __init__(self, params: Iterable[Any], lr: float | ag.Tensor = 1e-2,
                 beta2_decay: float = -0.8, eps: tuple[float | None, float] = (None, 1e-3),
                 d: float = 1.0, weight_decay: float = 0.0, *, foreach: bool | None = None,
                 maximize: bool = False) -> None:
        if isinstance(lr, ag.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    def _validate_group(self, group):
        # PyTorch's checks and words (it makes them in the constructor only)
        lr, (eps1, eps2) = _scalar(group["lr"]), group["eps"]
        check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        check(0.0 >= group["beta2_decay"],
              f"beta2_decay should be <= 0 but is: {group['beta2_decay']}")
        check(eps1 is None or 0.0 <= eps1, f"epsilon1 should be >= 0 but is: {eps1}")
        check(0.0 <= eps2, f"epsilon2 should be >= 0 but is: {eps2}")
        check(1.0 <= group["d"], f"Clipping threshold d should be >= 1 but is: {group['d']}")
        check(0.0 <= group["weight_decay"],
              f"weight_decay should be >= 0 but is: {group['weight_decay']}")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adafactor step over every group; returns ``closure()``'s loss if given."""
        loss = closure_loss(closure)
        for group in self.param_groups:
            stepped = stepped_params(group, "Adafactor")
            eps1, eps2 = group["eps"]
            for p in stepped:
                if eps1 is None:  # PyTorch takes the first parameter's for the whole group
                    eps1 = float(np.finfo(param_array(p).dtype).eps)
                self._update(p, group, eps1, eps2)
        return loss

    @quiet  # inf and NaN silently, as PyTorch (autograd_core/_quiet.py)
    def _update(self, p, group, eps1, eps2):
        data, grad = param_array(p), grad_array(p)
        if grad.dtype != data.dtype:
            grad = grad.astype(data.dtype)
        if group["maximize"]:
            grad = -grad
        t = data.dtype.type
        st = self.state[p]
        shapes = _var_shapes(data.shape)
        if not st:
            st["step"] = scalar_state(0.0)
            for key, shape in shapes.items():
                st[key] = state_tensor(np.zeros(shape, data.dtype))
        var = {key: state_array(st, key, shape, data.dtype, "Adafactor.step()")
               for key, shape in shapes.items()}
        step = scalar_value(st["step"]) + 1.0
        _set_scalar(st, "step", step)
        lr = _scalar(group["lr"])
        weight = lerp_weight(t, step ** group["beta2_decay"])
        alpha = max(eps2, _rms(data)) * min(lr, 1 / step ** 0.5)
        if group["weight_decay"] != 0:
            data *= t(1 - lr * group["weight_decay"])
        if data.ndim > 1:
            row_var, col_var = var["row_var"], var["col_var"]
            numpy_lerp_(row_var, np.sqrt(np.sum(grad * grad, axis=-1, keepdims=True)) ** 2 /
                        t(grad.shape[-1]), *weight)
            numpy_lerp_(col_var, np.sqrt(np.sum(grad * grad, axis=-2, keepdims=True)) ** 2 /
                        t(grad.shape[-2]), *weight)
            estimate = row_var @ col_var
            estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), t(eps1))
        else:
            variance = var["variance"]
            numpy_lerp_(variance, grad * grad, *weight)
            estimate = variance.copy()
        update = 1 / np.sqrt(np.maximum(estimate, t(eps1 * eps1)))
        update *= grad
        denom = max(1.0, _rms(update) / group["d"])
        data += t(-alpha / denom) * update
        bump = getattr(p, "_bump_version", None)
        if bump is not None:
            bump()

    def _load_state_dict(self, state_dict: dict) -> None:
        """The base's loading, with each parameter's ``step`` made a float and its arrays
        checked against the shapes this parameter needs and cast to its dtype first (nothing
        changes if one is wrong)."""
        found = _saved_params(self, state_dict)
        if found is None:  # a malformed dict: the base says what is wrong
            return super()._load_state_dict(state_dict)
        pairs, saved_state = found
        for idx, entry in saved_state.items():
            p = pairs.get(idx)
            if p is None or not isinstance(entry, dict) or not entry:
                continue
            data = param_array(p)
            entry = dict(entry, step=scalar_state(_load_scalar(entry.get("step"), idx, "step")))
            for key, shape in _var_shapes(data.shape).items():
                a = _as_array(entry.get(key))
                if not isinstance(a, np.ndarray) or a.shape != shape:
                    raise ValueError(f"state[{idx!r}][{key!r}] must be an array of shape "
                                     f"{shape} for parameter {idx} of shape {data.shape}")
                entry[key] = state_tensor(np.array(a, dtype=data.dtype))
            saved_state[idx] = entry
        super()._load_state_dict(dict(state_dict, state=saved_state))


def _var_shapes(shape: tuple) -> dict[str, tuple]:
    """The second-moment state of a parameter of ``shape``: factored (``row_var``, ``col_var``)
    from two dimensions on, else the full ``variance``."""
    if len(shape) > 1:
        return {"row_var": shape[:-1] + (1,), "col_var": shape[:-2] + (1, shape[-1])}
    return {"variance": shape}
