r"""Resilient backpropagation (Riedmiller & Braun, 1993), PyTorch's variant.

Only the sign of the gradient is used; each coordinate has its own step size. With
:math:`s = \mathrm{sign}(g_t \cdot g_{t-1})`, ``etas`` :math:`=(\eta^-, \eta^+)` and
``step_sizes`` :math:`=(\Delta_{min}, \Delta_{max})`:

.. math::
    \Delta_t = \mathrm{clip}(\Delta_{t-1}\cdot\{\eta^+ \text{ if } s>0;\ \eta^- \text{ if }
    s<0;\ 1 \text{ if } s=0\},\ \Delta_{min}, \Delta_{max}),\quad
    g_t \leftarrow 0 \text{ where } s<0,\quad \theta_t = \theta_{t-1} - \mathrm{sign}(g_t)\,\Delta_t

so after a sign change the coordinate does not move and the next step counts as "no previous
sign" (PyTorch's "Rprop-" handling).
"""

from __future__ import annotations

import numpy as np

from autograd_core.kernels.optim import kernel, prange
from optimizers.optimizer import Optimizer, check

__all__ = ["Rprop"]


@kernel("prev", "step_size")
def rprop(param, grad, prev, step_size, etaminus, etaplus, step_size_min, step_size_max, one,
          zero, maximize):
    """Step sizes grow by etaplus / shrink by etaminus as sign(g * prev) agrees / changes."""
    for i in prange(param.shape[0]):
        g = grad[i]
        if maximize:
            g = -g
        s = g * prev[i]
        if s > zero:
            f = etaplus
        elif s < zero:
            f = etaminus
        elif s == zero:
            f = one
        else:  # NaN product: torch's sign() is NaN and no mask matches
            f = s
        ss = step_size[i] * f
        # torch.clamp_(min, max): max(min(x, hi), lo) with NaN propagated
        if ss < step_size_min:
            ss = step_size_min
        if ss > step_size_max:
            ss = step_size_max
        step_size[i] = ss
        if f == etaminus:
            g = zero
        if g > zero:
            param[i] = param[i] - ss
        elif g < zero:
            param[i] = param[i] + ss
        elif g != g:
            param[i] = param[i] + g
        prev[i] = g


@rprop.numpy
def rprop_numpy(param, grad, prev, step_size, etaminus, etaplus, step_size_min, step_size_max,
                one, zero, maximize):
    g = -grad if maximize else grad
    s = g * prev
    f = np.where(s > zero, etaplus, np.where(s < zero, etaminus, np.where(s == zero, one, s)))
    ss = step_size * f
    ss = np.where(ss < step_size_min, step_size_min, ss)
    ss = np.where(ss > step_size_max, step_size_max, ss)
    step_size[...] = ss
    g = np.where(f == etaminus, zero, g)
    param -= np.sign(g) * ss
    prev[...] = g


class Rprop(Optimizer):
    """Rprop; state ``step``, ``prev``, ``step_size`` (starts at ``lr``)."""

    update = rprop
    initial = {"step_size": "lr"}

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        super().__init__(params, dict(
            lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _validate_group(self, group):
        super()._validate_group(group)
        etas, sizes = group["etas"], group["step_sizes"]
        check(isinstance(etas, (tuple, list)) and len(etas) == 2, f"Invalid etas: {etas!r}")
        check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        check(isinstance(sizes, (tuple, list)) and len(sizes) == 2,
              f"Invalid step_sizes: {sizes!r}")

    def coefficients(self, group, t, scalars, fresh):
        (etaminus, etaplus), (lo, hi) = group["etas"], group["step_sizes"]
        return rprop.Coefficients(etaminus=t(etaminus), etaplus=t(etaplus), step_size_min=t(lo),
                                  step_size_max=t(hi), one=t(1), zero=t(0),
                                  maximize=bool(group["maximize"]))
