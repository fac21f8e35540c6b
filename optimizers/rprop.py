"""Resilient backpropagation (Riedmiller & Braun, 1993), PyTorch's variant."""

from __future__ import annotations

import numpy as np

from optimizers import functional as F
from optimizers.optimizer import Optimizer, check, check_compat_flags, check_lr

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop: only the sign of the gradient is used; each coordinate has its own step size.

    With :math:`s = \mathrm{sign}(g_t \cdot g_{t-1})` and ``etas`` :math:`=(\eta^-, \eta^+)`,
    ``step_sizes`` :math:`=(\Delta_{min}, \Delta_{max})`:

    .. math::
        \Delta_t = \mathrm{clip}(\Delta_{t-1}\cdot\{\eta^+ \text{ if } s>0;\ \eta^- \text{ if }
        s<0;\ 1 \text{ if } s=0\},\ \Delta_{min}, \Delta_{max}),

        g_t \leftarrow 0 \text{ where } s<0,\qquad
        \theta_t = \theta_{t-1} - \mathrm{sign}(g_t)\,\Delta_t,\qquad g_{t-1} \leftarrow g_t

    so after a sign change the coordinate does not move and the next step counts as "no
    previous sign" (PyTorch's "Rprop-" handling). State: ``step``, ``prev``, ``step_size``
    (initialised to ``lr``).
    """

    kernel = "rprop"

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_compat_flags(foreach, None, capturable, differentiable)
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        check_lr(group["lr"])
        etas = group["etas"]
        check(isinstance(etas, (tuple, list)) and len(etas) == 2, f"Invalid etas: {etas!r}")
        check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        sizes = group["step_sizes"]
        check(isinstance(sizes, (tuple, list)) and len(sizes) == 2,
              f"Invalid step_sizes: {sizes!r}")

    def _state_keys(self, group):
        return ("step", "prev", "step_size")

    def _step_group(self, group, table):
        serial, parallel = table["rprop"]
        par = F.parallel_min_size()
        kw = dict(etas=group["etas"], step_sizes=group["step_sizes"],
                  maximize=group["maximize"])
        cache = {}
        for data, pf, gf, st in self._params_with_grad(group):
            if not st:
                st["step"] = 0.0
                st["prev"] = np.zeros(data.shape, data.dtype)
                st["step_size"] = np.full(data.shape, group["lr"], data.dtype)
            st["step"] += 1.0
            co = cache.get(data.dtype)
            if co is None:
                co = cache[data.dtype] = F.rprop_coefficients(data.dtype.type, **kw)
            (parallel if pf.shape[0] >= par else serial)(
                pf, gf, st["prev"].reshape(-1), st["step_size"].reshape(-1), *co)
