r"""Stochastic gradient descent with (Polyak or Nesterov) momentum, PyTorch's update rule.

With :math:`g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}` (negated if ``maximize``):

.. math::
    b_1 = g_1,\quad b_t = \mu b_{t-1} + (1-\tau) g_t,\qquad
    d_t = g_t + \mu b_t \text{ (nesterov) else } b_t,\qquad \theta_t = \theta_{t-1} - \gamma d_t

(Polyak's heavy ball, 1964; Nesterov momentum in the form of Sutskever et al., 2013.)
"""

from __future__ import annotations

from autograd_core.kernels.optim import kernel, prange
from optimizers.optimizer import Optimizer

__all__ = ["SGD"]


@kernel("momentum_buffer", optional={"momentum_buffer": "use_momentum"})
def sgd(param, grad, momentum_buffer, lr, weight_decay, momentum, one_minus_dampening,
        use_momentum, first_step, nesterov, maximize):
    """SGD (+ momentum / Nesterov / L2 weight decay). ``first_step``: buf <- grad (no dampening)."""
    for i in prange(param.shape[0]):
        p = param[i]
        g = grad[i]
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * p
        if use_momentum:
            if first_step:
                b = g
            else:
                b = momentum_buffer[i] * momentum + one_minus_dampening * g
            momentum_buffer[i] = b
            if nesterov:
                g = g + momentum * b
            else:
                g = b
        param[i] = p + (-lr) * g


@sgd.numpy
def sgd_numpy(param, grad, momentum_buffer, lr, weight_decay, momentum, one_minus_dampening,
              use_momentum, first_step, nesterov, maximize):
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    if use_momentum:
        if first_step:
            momentum_buffer[...] = g
        else:
            momentum_buffer *= momentum
            momentum_buffer += one_minus_dampening * g
        g = g + momentum * momentum_buffer if nesterov else momentum_buffer
    param += (-lr) * g


class SGD(Optimizer):
    """SGD; state ``momentum_buffer`` only when ``momentum != 0`` (a missing one restarts
    momentum, as in PyTorch)."""

    update = sgd
    scalars = {}
    optional = {"momentum_buffer": "momentum"}

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        super().__init__(params, dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize, foreach=foreach,
            differentiable=differentiable, fused=fused))

    def _validate_group(self, group):
        super()._validate_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _state_keys(self, group):
        return ()

    def coefficients(self, group, t, scalars, fresh):
        return sgd.Coefficients(
            lr=t(group["lr"]), weight_decay=t(group["weight_decay"]), momentum=t(group["momentum"]),
            one_minus_dampening=t(1 - group["dampening"]), use_momentum=group["momentum"] != 0,
            first_step=fresh, nesterov=bool(group["nesterov"]), maximize=bool(group["maximize"]))
