"""Averaged SGD (Polyak & Juditsky, 1992), PyTorch's ``ASGD``: an SGD step with decay
``1 - lambd*eta``, and ``ax``, the running average of the iterates, from step ``t0`` on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd_core.kernels.optim import fma, kernel, numpy_fma, prange, scalar_dtype
from optimizers.optimizer import Optimizer, scalar_state, scalar_value


@kernel("ax")
def asgd(param, grad, ax, decay, neg_eta, weight_decay, mu, average, maximize):
    """p <- p (1 - lambd eta) - eta g; ax <- ax + (p - ax) mu if averaging, else p."""
    for i in prange(param.shape[0]):
        g = grad[i]
        if maximize:
            g = -g
        p = param[i]
        if weight_decay != 0:
            g = fma(weight_decay, p, g)  # PyTorch's add(alpha=): one rounding
        p = p * decay
        p = fma(neg_eta, g, p)
        param[i] = p
        ax[i] = ax[i] + (p - ax[i]) * mu if average else p


@asgd.numpy
def asgd_numpy(param, grad, ax, decay, neg_eta, weight_decay, mu, average, maximize):
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = numpy_fma(weight_decay, param, g)
    param *= decay
    param[...] = numpy_fma(neg_eta, g, param)
    ax[...] = ax + (param - ax) * mu if average else param


class ASGD(Optimizer):
    """Implements averaged SGD: an SGD step with step size ``eta`` and decay
    ``1 - lambd * eta``, and ``ax``, the running average of the iterates, from step ``t0`` on.

    State per parameter, as PyTorch's: ``step``, ``eta`` (``lr`` at first, then
    ``lr / (1 + lambd * lr * step) ** alpha`` with the ``lr`` of the step just taken), ``mu``
    (``1 / max(1, step - t0)``), ``ax``; ``step``, ``eta`` and ``mu`` are 0-d float32
    tensors (float64 when that is the default dtype).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate. Default: ``1e-2``.
        lambd (float): decay term. Default: ``1e-4``.
        alpha (float): power of the eta update. Default: ``0.75``.
        t0 (float): the step at which averaging starts. Default: ``1e6``.
        weight_decay (float): L2 penalty. Default: ``0``.
        maximize (bool): maximize the objective instead of minimizing. Default: ``False``.
        foreach, differentiable, capturable: accepted for PyTorch compatibility.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = optim.ASGD([w], lr=0.1)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     opt.step()
        >>> w  # the same numbers as torch.optim.ASGD
        tensor([ 0.5120, -1.0240], requires_grad=True)
    """

    update = asgd
    scalars = {"step": 0.0, "eta": 0.0, "mu": 1.0}  # eta: the lr, on the first step

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        super().__init__(params, dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable))

    def coefficients(self, group: dict[str, Any], t: type, scalars: dict[str, float],
                     fresh: bool) -> Any:
        lr, lambd, step, sdt = group["lr"], group["lambd"], scalars["step"], scalar_dtype()
        eta, mu = (float(sdt(lr)), 1.0) if step == 1 else (scalars["eta"], scalars["mu"])
        scalars.update(_next_eta_mu(group, step))  # for the next step, from this step's lr
        return asgd.Coefficients(
            decay=t(1 - lambd * eta), neg_eta=t(-eta), weight_decay=t(group["weight_decay"]),
            mu=t(mu), average=mu != 1, maximize=bool(group["maximize"]))

    def _state_keys(self, group: dict[str, Any]) -> tuple:
        return ("step", "ax")  # eta and mu may be missing: load_state_dict fills them

    def _load_state_dict(self, state_dict: dict) -> None:
        """As ``Optimizer.load_state_dict``; a state without ``eta`` and ``mu`` (saved before
        they were kept) gets them from its ``step`` and ``lr``, as they were computed then."""
        super()._load_state_dict(state_dict)
        for group in self.param_groups:
            for st in filter(None, map(self.state.get, group["params"])):
                for key, value in _next_eta_mu(group, scalar_value(st["step"])).items():
                    st.setdefault(key, scalar_state(value))


def _next_eta_mu(group: dict[str, Any], step: float) -> dict[str, float]:
    """``eta`` and ``mu`` after ``step`` steps, rounded to PyTorch's scalar state dtype."""
    lr, sdt = group["lr"], scalar_dtype()
    return dict(eta=float(sdt(lr / (1 + group["lambd"] * lr * step) ** group["alpha"])),
                mu=float(sdt(1 / max(1, step - group["t0"]))))
