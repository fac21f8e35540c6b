"""``y = x @ W.T + b`` as one graph node (addmm-style)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core._sums import CASCADE_ROWS, fsum
from autograd_core.kernels.pointwise import bias_add_
from autograd_core.node import HOLOMORPHIC, Node
from autograd_core.ops import _xp as xp
from autograd_core.ops._args import torch_name
from autograd_core.ops.linalg import dtype_mismatch
from autograd_core.tensor import Tensor

_ONES: dict[tuple[int, Any], np.ndarray] = {}


def _ones(n, dtype):
    """A cached read-only ones vector (bias gradient = ones @ g: a BLAS gemv, several times
    faster than ``g.sum(0)`` on small batches)."""
    key = (n, dtype)
    v = _ONES.get(key)
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = np.ones(n, dtype)
        v.flags.writeable = False
        _ONES[key] = v
    return v


def _bias_grad(g):
    """The bias gradient ``g.sum(0)``: ``ones @ g`` over a batch, ``fsum``'s cascade (as
    accurate as PyTorch's) over more than ``CASCADE_ROWS`` rows, where the BLAS's sum drifts
    (100,000 rows of 0.1: 5e-4 relative)."""
    if g.shape[0] > CASCADE_ROWS:
        return fsum(g, 0)
    return _ones(g.shape[0], g.dtype).dot(g)


class LinearOp(Node):
    """Forward: one BLAS product with the transposed weight view (``x.dot(W.T)``: the
    transpose is a flag, nothing is copied; ``ndarray.dot`` has less per-call overhead than
    ``np.matmul`` on small arrays) and an in-place bias add. Backward: ``g @ W``,
    ``g.T @ x``, ``ones @ g``, each only when that input needs a gradient. Under
    ``create_graph`` the rule records the composite (matmul / transpose / sum), so second
    derivatives work.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> from nn.ops import *
        >>> LinearOp.apply(ag.ones(1, 2, requires_grad=True), ag.ones(3, 2), None)
        tensor([[2., 2., 2.]], grad_fn=<LinearBackward0>)
    """

    _op_name = "linear"  # the public op a refusal names (Node.op_name)
    #: complex: ``g @ conj(W)``, ``g.T @ conj(x)``, ``sum(g)`` (PyTorch's)
    complex_backward = HOLOMORPHIC

    _grad_fn = "LinearBackward0"

    def forward(self, x, weight, bias):
        # No promotion. With a bias PyTorch runs addmm(bias, x, weight.T), which checks the
        # bias against the weight first, then the input; without one, mm's message.
        if bias is not None and bias.dtype != weight.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                               f"{torch_name(bias.dtype)} and {torch_name(weight.dtype)}")
        if x.dtype != weight.dtype:
            if bias is not None:
                raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                                   f"{torch_name(x.dtype)} and {torch_name(weight.dtype)}")
            raise RuntimeError(dtype_mismatch(x.dtype, weight.dtype, 2, 2))
        if x.shape[-1] != weight.shape[1]:
            raise RuntimeError(
                f"linear: mat1 and mat2 shapes cannot be multiplied (input {x.shape}, weight "
                f"{weight.shape}: input's last dimension must be {weight.shape[1]})"
            )
        need = self.needs_input_grad
        self.save_for_backward(x if need[1] else None, weight if need[0] else None)
        # (..., in) as one (rows, in) product: ``dot`` of an N-d array runs no BLAS matrix
        # product (7x slower on (32, 64, 256) inputs)
        out = (x.reshape(-1, x.shape[-1]) if x.ndim > 2 else x).dot(weight.T)
        if bias is not None:
            bias_add_(out, bias)  # out += bias, in one loop
        return out.reshape(*x.shape[:-1], weight.shape[0]) if x.ndim > 2 else out

    def fused_backward(self, g):
        if g.ndim != 2:
            return self.backward(g)
        x, w = self.saved
        need = self.needs_input_grad
        return (g.dot(w) if need[0] else None,
                g.T.dot(x) if need[1] else None,
                _bias_grad(g) if need[2] else None)

    def backward(self, g):
        x, w = self.saved
        need = self.needs_input_grad
        gx = gw = gb = None
        if need[0]:  # N-d: one (rows, out) product (numpy's stacked matmul of a strided g
            # runs no BLAS), as the forward
            gx = (g.reshape(-1, g.shape[-1]) @ w).reshape(*g.shape[:-1], w.shape[1]) \
                if g.ndim > 2 and not isinstance(g, Tensor) else g @ w
        if need[1] or need[2]:
            out_f = g.shape[-1]
            g2 = g.reshape(-1, out_f) if g.ndim != 2 else g
            if need[1]:
                if x.ndim == 1:
                    gw = g.reshape(out_f, 1) * x.reshape(1, -1)
                else:
                    x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
                    gw = g2.T @ x2
            if need[2]:
                gb = xp.fsum(g2, 0)
        return gx, gw, gb
