r"""SparseAdam, PyTorch's lazy Adam for sparse gradients (``nn.Embedding(..., sparse=True)``).

Only the rows present in a step's (coalesced) gradient move: their moments and values get
Adam's update with the parameter's step count; the other rows' moments are left as they were
(not decayed), so rarely seen words keep their statistics.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Callable

import numpy as np

from autograd_core._quiet import quiet

from autograd_core.kernels.optim import kernel, prange
from optimizers.optimizer import (
    Optimizer,
    _is_param,
    closure_loss,
    param_array,
    scalar_value,
    state_array,
    state_tensor,
)

__all__ = ["SparseAdam"]


@kernel("exp_avg", "exp_avg_sq")
def sparse_adam(param, grad, exp_avg, exp_avg_sq, one_minus_beta1, one_minus_beta2, eps,
                neg_step_size, maximize):
    """Adam on the gathered rows of a sparse gradient, in PyTorch's order: the moments'
    updates ``(g - m)(1 - beta1)``, ``(g^2 - v)(1 - beta2)`` are added to them, and the step
    is ``-step_size * (m' / (sqrt(v') + eps))``."""
    for i in prange(param.shape[0]):
        g = grad[i]
        if maximize:
            g = -g
        m = exp_avg[i]
        v = exp_avg_sq[i]
        m_update = (g - m) * one_minus_beta1
        v_update = (g * g - v) * one_minus_beta2
        exp_avg[i] = m + m_update
        exp_avg_sq[i] = v + v_update
        param[i] = param[i] + neg_step_size * ((m_update + m) / (np.sqrt(v_update + v) + eps))


@sparse_adam.numpy
def sparse_adam_numpy(param, grad, exp_avg, exp_avg_sq, one_minus_beta1, one_minus_beta2, eps,
                      neg_step_size, maximize):
    g = -grad if maximize else grad
    m_update = (g - exp_avg) * one_minus_beta1
    v_update = (g * g - exp_avg_sq) * one_minus_beta2
    numer = m_update + exp_avg
    denom = np.sqrt(v_update + exp_avg_sq) + eps
    exp_avg += m_update
    exp_avg_sq += v_update
    param += neg_step_size * (numer / denom)


def _as_list(params: Any) -> list:
    return [params] if _is_param(params) or getattr(params, "is_sparse", False) else \
        list(params)


class SparseAdam(Optimizer):
    r"""Adam for sparse gradients, with lazy moments (PyTorch's ``torch.optim.SparseAdam``).

    For each row :math:`r` present in the coalesced gradient :math:`g_t` (negated if
    ``maximize``), with the parameter's step count :math:`t`:

    .. math::
        m_r \leftarrow m_r + (1-\beta_1)(g_r - m_r),\quad
        v_r \leftarrow v_r + (1-\beta_2)(g_r^2 - v_r),\quad
        \theta_r \leftarrow \theta_r - \gamma\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}
        \frac{m_r}{\sqrt{v_r} + \epsilon}

    Rows absent from :math:`g_t` keep their moments and values. Every gradient must be sparse
    (``RuntimeError`` otherwise, as PyTorch's) and every parameter dense (``ValueError``). State
    per parameter, as PyTorch's: ``step`` (a Python int), ``exp_avg``, ``exp_avg_sq`` (dense
    Tensors of the parameter's shape).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float, optional): learning rate :math:`\gamma` (default: 1e-3).
        betas (Tuple[float, float], optional): :math:`\beta_1, \beta_2`, the decay rates of
            the moments (default: (0.9, 0.999)).
        eps (float, optional): :math:`\epsilon`, added to the denominator (default: 1e-8).
        maximize (bool, optional): maximize the objective (default: False).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> import optimizers as optim
        >>> _ = ag.manual_seed(0)
        >>> emb = nn.Embedding(4, 2, sparse=True)
        >>> before = emb.weight.detach().clone()
        >>> opt = optim.SparseAdam(emb.parameters(), lr=0.1)
        >>> emb(ag.tensor([1, 3, 1])).sum().backward()
        >>> opt.step()
        >>> (emb.weight.detach() - before).abs().max(dim=1).values.round(decimals=3)
        tensor([0.0000, 0.1000, 0.0000, 0.1000])
        >>> opt.state[emb.weight]["exp_avg"][:, 0].tolist()
        [0.0, 0.20000000298023224, 0.0, 0.10000000149011612]
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False) -> None:
        if not _is_param(params) and not isinstance(params, np.ndarray):
            params = [dict(g, params=_as_list(g["params"])) if isinstance(g, dict) and
                      "params" in g else g for g in params]
            groups = params if params and isinstance(params[0], dict) else [{"params": params}]
            sparse = [[gi, pi] for gi, group in enumerate(groups)
                      for pi, p in enumerate(group.get("params", ()))
                      if getattr(p, "is_sparse", False)]
            if sparse:
                raise ValueError(f"Sparse params at indices {sparse}: SparseAdam requires dense "
                                 "parameter tensors")
            complex_ = [[gi, pi] for gi, group in enumerate(groups)
                        for pi, p in enumerate(group.get("params", ()))
                        if getattr(p, "is_complex", lambda: False)()]
            if complex_:  # the other optimizers step them as real views; PyTorch's refuses too
                raise ValueError(f"Complex params at indices {complex_}: SparseAdam does not "
                                 "support complex parameters")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def _validate_group(self, group):
        for key, what in (("lr", "learning rate"), ("eps", "epsilon value")):
            if key in group and not 0.0 < group[key]:
                raise ValueError(f"Invalid {what}: {group[key]}")
        super()._validate_group(group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One step over every parameter with a gradient; returns ``closure()``'s loss if
        given. Raises before anything is written if a gradient is dense."""
        loss = closure_loss(closure)
        todo = [(group, p) for group in self.param_groups for p in group["params"]
                if p.grad is not None]
        if any(not getattr(p.grad, "is_sparse", False) for _, p in todo):
            raise RuntimeError("SparseAdam does not support dense gradients, please consider "
                               "Adam instead")
        for group, p in todo:
            self._update(group, p)
        return loss

    update = sparse_adam
    stepwise = ("neg_step_size",)

    def step_coefficients(self, group, t, scalars):
        (beta1, beta2), step = group["betas"], scalars["step"]
        return (t(-(group["lr"] * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step))),)

    def coefficients(self, group, t, scalars, fresh):
        beta1, beta2 = group["betas"]
        (neg_step_size,) = self.step_coefficients(group, t, scalars)
        return sparse_adam.Coefficients(
            one_minus_beta1=t(1 - beta1), one_minus_beta2=t(1 - beta2), eps=t(group["eps"]),
            neg_step_size=neg_step_size, maximize=bool(group["maximize"]))

    @quiet  # inf and NaN silently, as PyTorch (autograd_core/_quiet.py)
    def _update(self, group, p):
        """The kernel on the rows of ``p`` (and of its moments) that the coalesced gradient
        holds, gathered into contiguous arrays and written back."""
        data = param_array(p)
        st = self.state[p]
        if not st:
            st.update(step=0, exp_avg=state_tensor(np.zeros_like(data)),
                      exp_avg_sq=state_tensor(np.zeros_like(data)))
        g = p.grad.detach().coalesce()
        rows = tuple(g._ind)  # the sparse coordinates (an embedding's: its rows)
        values = np.ascontiguousarray(g._vals._data, dtype=data.dtype)
        m, v = (state_array(st, k, data.shape, data.dtype, "SparseAdam.step()")
                for k in ("exp_avg", "exp_avg_sq"))
        gathered = [data[rows], m[rows], v[rows]]
        step = int(scalar_value(st["step"])) + 1
        co = self.coefficients(group, data.dtype.type, {"step": float(step)}, False)
        sparse_adam(gathered[0].reshape(-1), values.reshape(-1), gathered[1].reshape(-1),
                    gathered[2].reshape(-1), *co)
        st["step"] = step
        data[rows], m[rows], v[rows] = gathered
        bump = getattr(p, "_bump_version", None)
        if bump is not None:
            bump()

    def _load_state_dict(self, state_dict: dict) -> None:
        """As ``Optimizer.load_state_dict``, with ``step`` a Python int, as PyTorch keeps it
        (a 0-d tensor or a float holding a whole number is taken too)."""
        super()._load_state_dict(state_dict)
        for st in self.state.values():
            if "step" in st:
                st["step"] = int(scalar_value(st["step"]))
