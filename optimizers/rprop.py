r"""Resilient backpropagation (Riedmiller & Braun, 1993) in the four variants of Igel & Hüsken
(2000); the default, ``variant="irprop-"``, is PyTorch's ``torch.optim.Rprop``.

Only the sign of the gradient is used; each coordinate has its own step size. With
:math:`s = \mathrm{sign}(g_t \cdot g_{t-1})`, ``etas`` :math:`=(\eta^-, \eta^+)` and
``step_sizes`` :math:`=(\Delta_{min}, \Delta_{max})`, every variant first adapts the step size,

.. math::
    \Delta_t = \mathrm{clip}(\Delta_{t-1}\cdot\{\eta^+ \text{ if } s>0;\ \eta^- \text{ if }
    s<0;\ 1 \text{ if } s=0\},\ \Delta_{min}, \Delta_{max}),

then where :math:`s<0` (the sign changed):

* ``"rprop-"``: nothing more; every coordinate steps :math:`-\mathrm{sign}(g_t)\Delta_t`;
* ``"irprop-"`` (PyTorch): :math:`g_t \leftarrow 0` (no step now, and the next step counts as
  "no previous sign");
* ``"rprop+"``: weight backtracking, :math:`\theta \leftarrow \theta - \Delta\theta_{t-1}`
  (undo the previous step) and :math:`g_t \leftarrow 0`;
* ``"irprop+"``: :math:`g_t \leftarrow 0`, and undo the previous step only if the loss rose,
  :math:`E_t > E_{t-1}` (so ``step`` needs a closure that returns the loss);

and elsewhere :math:`\Delta\theta_t = -\mathrm{sign}(g_t)\Delta_t`. PyTorch's step order is
this one (adapt, then step with the new :math:`\Delta_t`), as in Igel & Hüsken's pseudocode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd_core.kernels.optim import kernel, prange
from optimizers.optimizer import Optimizer, _loss_value, check, closure_loss

__all__ = ["Rprop"]

#: variant -> (zero the gradient where the sign changed, keep the last step for backtracking)
VARIANTS = {"rprop-": (False, False), "irprop-": (True, False), "rprop+": (True, True),
            "irprop+": (True, True)}


@kernel("prev", "step_size", "prev_update", optional={"prev_update": "keep_updates"})
def rprop(param, grad, prev, step_size, prev_update, etaminus, etaplus, step_size_min,
          step_size_max, one, zero, zero_on_change, keep_updates, backtrack, maximize):
    """Step sizes grow by etaplus / shrink by etaminus as sign(g * prev) agrees / changes; on a
    change, ``backtrack`` undoes the last step and ``zero_on_change`` skips this one."""
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
            if backtrack and keep_updates:  # (prev_update may be empty without keep_updates)
                param[i] = param[i] - prev_update[i]
            if zero_on_change:
                g = zero
        if g > zero:
            param[i] = param[i] - ss
        elif g < zero:
            param[i] = param[i] + ss
        elif g != g:
            param[i] = param[i] + g
        prev[i] = g
        if keep_updates:
            if g > zero:
                prev_update[i] = -ss
            elif g < zero:
                prev_update[i] = ss
            else:  # no step (0), or NaN
                prev_update[i] = g


@rprop.numpy
def rprop_numpy(param, grad, prev, step_size, prev_update, etaminus, etaplus, step_size_min,
                step_size_max, one, zero, zero_on_change, keep_updates, backtrack, maximize):
    g = -grad if maximize else grad
    s = g * prev
    f = np.where(s > zero, etaplus, np.where(s < zero, etaminus, np.where(s == zero, one, s)))
    ss = step_size * f
    ss = np.where(ss < step_size_min, step_size_min, ss)
    ss = np.where(ss > step_size_max, step_size_max, ss)
    step_size[...] = ss
    changed = f == etaminus
    if backtrack and keep_updates:
        param -= np.where(changed, prev_update, zero)
    if zero_on_change:
        g = np.where(changed, zero, g)
    param -= np.sign(g) * ss
    prev[...] = g
    if keep_updates:
        prev_update[...] = np.where(g > zero, -ss, np.where(g < zero, ss, g))


class Rprop(Optimizer):
    r"""Resilient backpropagation; PyTorch's ``torch.optim.Rprop`` is ``variant="irprop-"``,
    the default.

    .. math::
        \Delta_t = \mathrm{clip}(\Delta_{t-1}\cdot\eta^{\pm\text{ or }1}, \Delta_{min},
        \Delta_{max}),\quad \theta_t = \theta_{t-1} - \mathrm{sign}(g_t)\,\Delta_t

    with :math:`\eta^+` where :math:`g_t g_{t-1} > 0`, :math:`\eta^-` where it is negative;
    where the sign changed, each variant of Igel & Hüsken (2000) does its own thing (module
    docstring). State ``step``, ``prev``, ``step_size`` (starts at ``lr``), and
    ``prev_update`` (:math:`\Delta\theta_{t-1}`) for ``"rprop+"`` and ``"irprop+"``; the
    ``"irprop+"`` group also keeps the last loss as ``prev_loss`` in its param group.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float, optional): the initial step size :math:`\Delta_0` (default: 1e-2).
        etas (Tuple[float, float], optional): :math:`(\eta^-, \eta^+)`, the factors that shrink
            and grow the step sizes (default: (0.5, 1.2)).
        step_sizes (Tuple[float, float], optional): :math:`(\Delta_{min}, \Delta_{max})`
            (default: (1e-6, 50)).
        capturable, foreach, differentiable: accepted for PyTorch compatibility.
        maximize (bool, optional): maximize the objective (default: False).
        variant (str, optional): ``"irprop-"`` (PyTorch's: no step where the sign changed),
            ``"rprop-"`` (step with the new sign anyway), ``"rprop+"`` (undo the previous step
            where the sign changed) or ``"irprop+"`` (undo it only if the loss rose; call
            ``step(closure)`` with a closure that returns the loss) (default: ``"irprop-"``).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.Rprop([w], lr=2.5, variant="irprop+")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     return loss
        >>> loss = opt.step(closure)  # overshoots: w = 1 - 2.5
        >>> w.data.tolist()
        [-1.5]
        >>> loss = opt.step(closure)  # the loss rose and the sign changed: undone
        >>> w.data.tolist(), opt.state[w]["step_size"].tolist()
        ([1.0], [1.25])
    """

    update = rprop
    extras = {"variant": "irprop-"}  # beyond PyTorch: in a group only when set
    initial = {"step_size": "lr"}
    _loss = None  # the loss of the step in progress (irprop+)

    def __init__(self, params: Iterable[Any], lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, variant: str = "irprop-") -> None:
        super().__init__(params, dict(
            lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable,
            variant=variant))

    def _validate_group(self, group):
        super()._validate_group(group)
        etas, sizes = group["etas"], group["step_sizes"]
        check(isinstance(etas, (tuple, list)) and len(etas) == 2, f"Invalid etas: {etas!r}")
        check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        check(isinstance(sizes, (tuple, list)) and len(sizes) == 2,
              f"Invalid step_sizes: {sizes!r}")
        variant = self._option(group, "variant")
        check(isinstance(variant, str) and variant in VARIANTS,
              f"Invalid variant value: {variant!r} (expected one of "
              f"{', '.join(map(repr, VARIANTS))})")

    def _step_mixed(self, group, param, grad, arrays, state):
        if self._option(group, "variant") != "irprop-":
            return False
        # PyTorch's steps: sign = g.mul(prev).sign(), its signs replaced by the etas and 1;
        # step_size.mul_(sign).clamp_(lo, hi); g[sign == etaminus] = 0;
        # p.addcmul_(g.sign(), step_size, value=-1); prev.copy_(g): each in the promoted
        # dtype, stored in its own
        g = -grad if group["maximize"] else grad
        prev, size = arrays["prev"], arrays["step_size"]
        (etaminus, etaplus), (lo, hi) = group["etas"], group["step_sizes"]
        w = np.result_type(g, prev)
        f = np.sign(g.astype(w) * prev.astype(w))
        f = np.where(f > 0, w.type(etaplus), np.where(f < 0, w.type(etaminus),
                                                      np.where(f == 0, w.type(1), f)))
        t = size.dtype.type
        size[...] = np.minimum(np.maximum(size * f.astype(np.result_type(size, f)), t(lo)),
                               t(hi))
        g = np.where(f == w.type(etaminus), g.dtype.type(0), g)
        w = np.result_type(param, size)
        param[...] = param.astype(w) - np.sign(g).astype(w) * size.astype(w)
        prev[...] = g
        return True

    def _array_names(self, group):
        names = self.update.state
        return names if VARIANTS[self._option(group, "variant")][1] else names[:-1] + (None,)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One step over every group; returns ``closure()``'s loss if given. A group with
        ``variant="irprop+"`` needs that loss: it undoes the previous step where the gradient's
        sign changed only if the loss rose since the previous call."""
        plus = [g for g in self.param_groups if self._option(g, "variant") == "irprop+"]
        if plus and closure is None:
            raise RuntimeError("Rprop with variant='irprop+' compares the loss with the previous "
                               "step's: call step(closure) with a closure that returns the loss")
        loss = closure_loss(closure)
        self._loss = None if loss is None else _loss_value(loss)
        super().step()
        for group in plus:
            group["prev_loss"] = self._loss
        return loss

    def coefficients(self, group, t, scalars, fresh):
        (etaminus, etaplus), (lo, hi) = group["etas"], group["step_sizes"]
        variant = self._option(group, "variant")
        zero_on_change, keep_updates = VARIANTS[variant]
        if variant == "irprop+":
            prev_loss = group.get("prev_loss")
            backtrack = None not in (prev_loss, self._loss) and self._loss > prev_loss
        else:
            backtrack = variant == "rprop+"
        return rprop.Coefficients(etaminus=t(etaminus), etaplus=t(etaplus), step_size_min=t(lo),
                                  step_size_max=t(hi), one=t(1), zero=t(0),
                                  zero_on_change=zero_on_change, keep_updates=keep_updates,
                                  backtrack=backtrack, maximize=bool(group["maximize"]))
