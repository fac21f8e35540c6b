r"""Stochastic gradient descent with (Polyak or Nesterov) momentum, PyTorch's update rule.

With :math:`g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}` (negated if ``maximize``):

.. math::
    b_1 = g_1,\quad b_t = \mu b_{t-1} + (1-\tau) g_t,\qquad
    d_t = g_t + \mu b_t \text{ (nesterov) else } b_t,\qquad \theta_t = \theta_{t-1} - \gamma d_t

(Polyak's heavy ball, 1964; Nesterov momentum in the form of Sutskever et al., 2013.)

The lectures' forms are options (``optimizers/LECTURE_FORMS.md``): ``lr_in_velocity=True``
keeps :math:`v_t = \mu v_{t-1} + (1-\tau)\gamma_t g_t` and steps :math:`\theta_t =
\theta_{t-1} - v_t` (equal to the above only while the learning rate is constant);
``momentum_init="zero"`` starts the buffer at :math:`b_0 = 0` instead of :math:`b_1 = g_1`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd_core.kernels.optim import fma, kernel, numpy_fma, prange
from autograd_core.kernels.pointwise import rows_add_
from optimizers.optimizer import Optimizer, check, param_array

__all__ = ["SGD"]

MOMENTUM_INITS = ("grad", "zero")


@kernel("momentum_buffer", optional={"momentum_buffer": "use_momentum"})
def sgd(param, grad, momentum_buffer, lr, velocity_lr, weight_decay, momentum,
        one_minus_dampening, use_momentum, first_step, nesterov, maximize):
    """SGD (+ momentum / Nesterov / L2 weight decay). ``first_step``: buf <- grad (no dampening).

    Each ``a + s * b`` is one fused multiply-add, as PyTorch's ``add_(b, alpha=s)`` on CPU
    (two roundings put an element an ulp off PyTorch's in ~6% of float32 steps).
    ``velocity_lr`` scales the gradient before it enters the buffer (1, or lr with ``lr`` 1 for
    the lr-in-velocity form: multiplying by 1 is exact, so the default numbers are PyTorch's)."""
    for i in prange(param.shape[0]):
        p = param[i]
        g = grad[i]
        if maximize:
            g = -g
        if weight_decay != 0:
            g = fma(weight_decay, p, g)
        g = velocity_lr * g
        if use_momentum:
            if first_step:
                b = g
            else:
                b = fma(one_minus_dampening, g, momentum_buffer[i] * momentum)
            momentum_buffer[i] = b
            if nesterov:
                g = fma(momentum, b, g)
            else:
                g = b
        param[i] = fma(-lr, g, p)


@sgd.numpy
def sgd_numpy(param, grad, momentum_buffer, lr, velocity_lr, weight_decay, momentum,
              one_minus_dampening, use_momentum, first_step, nesterov, maximize):
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = numpy_fma(weight_decay, param, g)
    g = velocity_lr * g
    if use_momentum:
        if first_step:
            momentum_buffer[...] = g
        else:
            momentum_buffer *= momentum
            momentum_buffer[...] = numpy_fma(one_minus_dampening, g, momentum_buffer)
        g = numpy_fma(momentum, momentum_buffer, g) if nesterov else momentum_buffer
    param[...] = numpy_fma(-lr, g, param)


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (PyTorch's ``torch.optim.SGD``).

    .. math::
        g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1},\quad
        b_t = \mu b_{t-1} + (1-\tau) g_t\ (b_1 = g_1),\quad
        \theta_t = \theta_{t-1} - \gamma\,(g_t + \mu b_t \text{ if nesterov else } b_t)

    State ``momentum_buffer`` only when ``momentum != 0`` (a missing one restarts momentum, as in
    PyTorch).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float, optional): learning rate :math:`\gamma` (default: 1e-3).
        momentum (float, optional): momentum factor :math:`\mu` (default: 0).
        dampening (float, optional): dampening :math:`\tau` of the momentum (default: 0).
        weight_decay (float, optional): L2 penalty :math:`\lambda` (default: 0).
        nesterov (bool, optional): Nesterov momentum in PyTorch's form (default: False).
        maximize (bool, optional): maximize the objective instead of minimizing (default: False).
        foreach, differentiable, fused: accepted for PyTorch compatibility (every step is one
            fused pass; ``differentiable=True`` is refused).
        lr_in_velocity (bool, optional): the lectures' form :math:`v_t = \mu v_{t-1} +
            (1-\tau)\gamma_t g_t,\ \theta_t = \theta_{t-1} - v_t` (Nesterov: :math:`\theta_t =
            \theta_{t-1} - \gamma_t g_t - \mu v_t`); the buffer then holds :math:`v`. Equal to
            PyTorch's form while the learning rate is constant; after a learning-rate change
            the old velocity keeps its old rate (default: False).
        momentum_init (str, optional): ``"grad"`` (PyTorch: the buffer starts as the first
            gradient, undampened) or ``"zero"`` (the buffer starts at 0, so with
            ``dampening=momentum`` it is the lectures' averaged momentum :math:`v_t = \beta
            v_{t-1} + (1-\beta) g_t` from :math:`v_0 = 0`, without bias correction)
            (default: ``"grad"``).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
        >>> np.round(w.data, 4).tolist()
        [0.46, -0.92]
    """

    update = sgd
    extras = {"lr_in_velocity": False, "momentum_init": "grad"}  # beyond PyTorch: in a group only when set
    stepwise = ()  # every coefficient depends on the hyperparameters only
    scalars = {}
    optional = {"momentum_buffer": "momentum"}
    filled_on_load = {**Optimizer.filled_on_load, "nesterov": False, "fused": False}

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None,
                 lr_in_velocity: bool = False, momentum_init: str = "grad") -> None:
        super().__init__(params, dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize, foreach=foreach,
            differentiable=differentiable, fused=fused, lr_in_velocity=lr_in_velocity,
            momentum_init=momentum_init))

    def _step_mixed(self, group, param, grad, arrays, state):
        buf = arrays.get("momentum_buffer")
        if buf is None or self._option(group, "lr_in_velocity") or \
                self._option(group, "momentum_init") != "grad":
            return False
        # PyTorch's steps: buf.mul_(momentum).add_(g, alpha=1 - dampening); p.add_(d, alpha=-lr)
        g = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            g = numpy_fma(group["weight_decay"], param, g)
        momentum = group["momentum"]
        buf *= buf.dtype.type(momentum)
        w = np.result_type(buf, g)
        buf[...] = numpy_fma(1 - group["dampening"], g.astype(w), buf.astype(w))
        d = numpy_fma(momentum, buf.astype(w), g.astype(w)) if group["nesterov"] else buf
        w = np.result_type(param, d)
        param[...] = numpy_fma(-group["lr"], d.astype(w), param.astype(w))
        return True

    def _validate_group(self, group):
        super()._validate_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        init = self._option(group, "momentum_init")
        check(init in MOMENTUM_INITS,
              f"Invalid momentum_init value: {init!r} (expected 'grad' or 'zero')")

    def _state_keys(self, group):
        return ()

    def _check_sparse_grads(self, group):
        if group["fused"]:
            raise RuntimeError("`_fused_sgd` does not support sparse gradients")
        if group["weight_decay"] != 0:  # PyTorch's grad.add(param) refuses
            raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) "
                               "instead.")

    def _step_sparse(self, group, p):
        """Without momentum: ``-lr`` times each stored row added to its row, in order (PyTorch's
        ``param.add_(grad, alpha=-lr)``). With momentum the kernel runs on the dense gradient
        and the buffer stays dense (PyTorch's is a sparse tensor that grows at every step)."""
        data = param_array(p)
        g = p.grad.detach()
        if group["momentum"] != 0 or g.sparse_dim() != 1 or data.ndim != 2:
            return False
        lr = -group["lr"] if not group["maximize"] else group["lr"]
        rows = g._ind[0].astype(np.intp)
        values = g._vals._data.astype(data.dtype, copy=False)
        rows_add_(data, rows, data.dtype.type(lr) * values)
        bump = getattr(p, "_bump_version", None)
        if bump is not None:
            bump()
        return True

    def coefficients(self, group, t, scalars, fresh):
        lr = group["lr"]
        inside = bool(self._option(group, "lr_in_velocity"))
        return sgd.Coefficients(
            lr=t(1 if inside else lr), velocity_lr=t(lr if inside else 1),
            weight_decay=t(group["weight_decay"]), momentum=t(group["momentum"]),
            one_minus_dampening=t(1 - group["dampening"]), use_momentum=group["momentum"] != 0,
            first_step=fresh and self._option(group, "momentum_init") == "grad",
            nesterov=bool(group["nesterov"]), maximize=bool(group["maximize"]))
