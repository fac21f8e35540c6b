r"""Muon (Jordan et al., 2024), PyTorch's ``torch.optim.Muon``: momentum SGD for matrices whose
update is the momentum orthogonalised by a Newton-Schulz iteration.

For a 2-D parameter :math:`\theta` with gradient :math:`g_t`, momentum :math:`\mu` and learning
rate :math:`\gamma`:

.. math::
    B_t = \mathrm{lerp}(B_{t-1}, g_t, 1 - \mu),\quad
    \tilde B_t = \mathrm{lerp}(g_t, B_t, \mu)\ \text{(nesterov) or}\ B_t,\quad
    O_t = \mathrm{NS}_k^{(a,b,c)}(\tilde B_t),\quad
    \theta_t = \theta_{t-1} (1 - \gamma\lambda) - \gamma' O_t

:math:`\mathrm{NS}` scales :math:`X` (the matrix, transposed when it has more rows than
columns) to Frobenius norm one and repeats :math:`k` times :math:`A = X X^\top`,
:math:`X \leftarrow aX + (bA + cA^2)X`. :math:`\gamma'` is the learning rate adjusted to the
shape :math:`(A, B)`: :math:`\gamma\sqrt{\max(1, A/B)}` (``adjust_lr_fn`` ``None`` or
``"original"``) or :math:`0.2\gamma\sqrt{\max(A, B)}` (``"match_rms_adamw"``).

As PyTorch's, the iteration runs in bfloat16: every intermediate is rounded to bfloat16
(nearest even; a float64 value through float32 first, as ATen converts), a matrix product
is summed to float32 and ``addmm``'s ``beta * C`` is added to ``alpha * (A @ B)`` in one
fused multiply-add. numpy has no bfloat16, so the rounding is done on float32 bit patterns.
The sums are not the CPU GEMM's own (float64 here, then rounded): a last-bit bfloat16
difference from PyTorch remains possible, rarely (PyTorch's own bits differ between CPUs, e.g.
with or without AMX).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd_core._quiet import quiet

import autograd_core as ag
from autograd_core.kernels.optim import lerp_weight, numpy_lerp_
from optimizers.optimizer import (
    Optimizer,
    _load_array,
    _saved_params,
    check,
    closure_loss,
    grad_array,
    param_array,
    state_array,
    state_tensor,
    stepped_params,
)

__all__ = ["Muon"]

# Keller Jordan's coefficients and eps, PyTorch's defaults
EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5


def _scalar(value: Any) -> float:
    return float(value.item()) if ag.is_tensor(value) else value


def _bf16(a: Any) -> np.ndarray:
    """``a`` rounded to bfloat16 (through float32, nearest even), held in a float32 array.
    On the float32 bits: add ``0x7FFF`` plus the lowest kept bit, then clear the low 16. In
    uint32 arithmetic only a NaN's bits can wrap around, and NaNs are passed through as they
    are (most calls get float32 already: the float64 -> float32 step is skipped for them)."""
    if not (type(a) is np.ndarray and a.dtype == np.float32):
        with np.errstate(over="ignore"):  # past float32's range: inf, as ATen's conversion
            a = np.asarray(a, dtype=np.float32)
    bits = a.view(np.uint32)
    out = ((bits + (((bits >> 16) & 1) + 0x7FFF)) & 0xFFFF0000).view(np.float32)
    return np.where(np.isnan(a), a, out)


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` of bfloat16 values, rounded to float32: the products are exact and float64
    sums them almost exactly (closer to the CPU GEMM's bits than numpy's float32 order)."""
    return (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)


def _addmm(c: np.ndarray, a: np.ndarray, b: np.ndarray, beta: float,
           alpha: float = 1.0) -> np.ndarray:
    """bfloat16 ``addmm``: ``alpha * (a @ b)`` rounded to float32, then ``beta * c`` added in
    one rounding (a fused multiply-add: float64 holds the product exactly), then bfloat16."""
    scaled = np.float32(alpha) * _matmul(a, b)
    fused = float(np.float32(beta)) * c.astype(np.float64) + scaled.astype(np.float64)
    return _bf16(fused.astype(np.float32))


def _newton_schulz(grad: np.ndarray, coefficients: tuple, steps: int,
                   eps: float) -> np.ndarray:
    """PyTorch's ``_zeropower_via_newtonschulz`` in bfloat16 (a float32 array of its values)."""
    a, b, c = coefficients
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _bf16(np.sqrt(np.sum(x * x, dtype=np.float32)))
    x = _bf16(x / np.maximum(norm, _bf16(eps)))
    for _ in range(steps):
        gram = _bf16(_matmul(x, x.T))
        x = _addmm(x, _addmm(gram, gram, gram, beta=b, alpha=c), x, beta=a)
    return x.T if tall else x


def _adjust_lr(lr: float, adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    return lr * 0.2 * math.sqrt(max(rows, cols))  # "match_rms_adamw"


def _check_2d(params: Iterable[Any]) -> None:
    for p in params:
        shape = param_array(p).shape
        check(len(shape) == 2, "Muon only supports 2D parameters whereas we found a parameter "
                               f"with size: {ag.Size(shape)!r}")


class Muon(Optimizer):
    r"""Muon (PyTorch's ``torch.optim.Muon``; see the module docstring): momentum whose update
    is orthogonalised by a Newton-Schulz iteration in bfloat16, for 2-D parameters only.

    State per parameter, as PyTorch's: ``momentum_buffer`` (no ``step``). Other parameters
    (biases, embeddings) belong in another optimizer, e.g. ``AdamW``.

    Args:
        params (iterable): 2-D parameters to optimize, or dicts defining parameter groups.
        lr (float or Tensor, optional): learning rate (default: 1e-3).
        weight_decay (float, optional): decoupled weight decay (default: 0.1).
        momentum (float, optional): momentum factor (default: 0.95).
        nesterov (bool, optional): Nesterov momentum (default: True).
        ns_coefficients (tuple of three floats, optional): the Newton-Schulz polynomial's
            ``(a, b, c)`` (default: (3.4445, -4.775, 2.0315)).
        eps (float, optional): floor of the norm the matrix is divided by (default: 1e-7).
        ns_steps (int, optional): Newton-Schulz iterations, fewer than 100 (default: 5).
        adjust_lr_fn (str, optional): ``"original"`` (the default, also for None) or
            ``"match_rms_adamw"``, the learning rate's adjustment to the shape (default: None).

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> w = ag.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=ag.float64, requires_grad=True)
        >>> opt = optim.Muon([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> list(opt.state[w])
        ['momentum_buffer']
        >>> np.round(w.data, 4).tolist()  # the same as torch.optim.Muon
        [[0.9072, -1.9413], [0.4423, 2.9052]]
    """

    def __init__(self, params: Iterable[Any], lr: float | ag.Tensor = 1e-3,
                 weight_decay: float = 0.1, momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B,
                                                                DEFAULT_C),
                 eps: float = EPS, ns_steps: int = DEFAULT_NS_STEPS,
                 adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, ag.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                                      nesterov=nesterov, ns_coefficients=ns_coefficients,
                                      eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn))

    def _validate_group(self, group):
        # PyTorch's words; it checks these in the constructor (and ns_steps and the
        # coefficients in step): here a group's options are checked too, before any change
        lr = _scalar(group["lr"])
        check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        check(0.0 <= group["momentum"], f"momentum should be >= 0 but is: {group['momentum']}")
        check(0.0 <= group["weight_decay"],
              f"weight decay should be >= 0 but is: {group['weight_decay']}")
        fn = group["adjust_lr_fn"]
        check(fn is None or fn in ("original", "match_rms_adamw"),
              f"Adjust learning rate function {fn} is not supported")
        check(group["ns_steps"] < 100,
              "Number of steps must be less than 100 for computational efficiency")
        check(len(group["ns_coefficients"]) == 3,
              "Coefficients must be a tuple of exactly 3 values")

    def add_param_group(self, param_group: dict) -> None:
        """As ``Optimizer.add_param_group``; a parameter that is not 2-D is refused (PyTorch
        refuses it in the constructor, and in ``step`` for an added group)."""
        params = param_group.get("params", []) if isinstance(param_group, dict) else []
        params = [params] if hasattr(params, "_data") else params
        if isinstance(params, (list, tuple)):
            _check_2d(p for p in params if hasattr(p, "_data"))
        super().add_param_group(param_group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Muon step over every group; returns ``closure()``'s loss if given."""
        loss = closure_loss(closure)
        for group in self.param_groups:
            stepped = stepped_params(group, "Muon")
            for p in stepped:
                self._update(p, group)
        return loss

    @quiet  # inf and NaN silently, as PyTorch (autograd_core/_quiet.py)
    def _update(self, p, group):
        data, grad = param_array(p), grad_array(p)
        if grad.dtype != data.dtype:
            grad = grad.astype(data.dtype)
        t = data.dtype.type
        st = self.state[p]
        if st.get("momentum_buffer") is None:
            st["momentum_buffer"] = state_tensor(np.zeros(data.shape, data.dtype))
        buf = state_array(st, "momentum_buffer", data.shape, data.dtype, "Muon.step()")
        momentum = group["momentum"]
        numpy_lerp_(buf, grad, *lerp_weight(t, 1 - momentum))
        if group["nesterov"]:
            update = grad.copy()
            numpy_lerp_(update, buf, *lerp_weight(t, momentum))
        else:
            update = buf
        ortho = _newton_schulz(update, tuple(group["ns_coefficients"]), group["ns_steps"],
                               group["eps"])
        lr = _scalar(group["lr"])
        data *= t(1 - lr * group["weight_decay"])
        data += t(-_adjust_lr(lr, group["adjust_lr_fn"], data.shape)) * ortho.astype(data.dtype)
        bump = getattr(p, "_bump_version", None)
        if bump is not None:
            bump()

    def _load_state_dict(self, state_dict: dict) -> None:
        """The base's loading, with each ``momentum_buffer`` checked against its parameter's
        shape and cast to its dtype first (nothing changes if one is wrong)."""
        found = _saved_params(self, state_dict)
        if found is None:  # a malformed dict: the base says what is wrong
            return super()._load_state_dict(state_dict)
        pairs, saved_state = found
        for idx, entry in saved_state.items():
            p = pairs.get(idx)
            if p is not None and isinstance(entry, dict) and "momentum_buffer" in entry:
                buf = _load_array(entry["momentum_buffer"], param_array(p), idx,
                                  "momentum_buffer")
                saved_state[idx] = dict(entry, momentum_buffer=buf)
        super()._load_state_dict(dict(state_dict, state=saved_state))
