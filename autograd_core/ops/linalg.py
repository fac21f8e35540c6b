"""Matrix multiplication with numpy's rules: 1-D operands promoted and squeezed, batch
dimensions broadcast (the engine sums their gradients back)."""

from __future__ import annotations

import numpy as np

from autograd_core.node import Node
from autograd_core.ops import _xp as xp
from autograd_core.ops.registry import Sample, op


class MatMul(Node):
    def forward(self, a, b):
        n = self.needs_input_grad
        self.save_for_backward(a if n[1] else None, b if n[0] else None)
        self.nd = (a.ndim, b.ndim)
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.saved
        na, nb = self.nd
        ga = gb = None
        if na == 1 and nb == 1:
            ga = g * b if b is not None else None
            gb = g * a if a is not None else None
        elif na == 1:  # (k,) @ (..., k, n) -> (..., n)
            if b is not None:
                ga = xp.matmul(g[..., None, :], xp.swap_last(b))[..., 0, :]
            if a is not None:
                gb = a[:, None] * g[..., None, :]
        elif nb == 1:  # (..., m, k) @ (k,) -> (..., m)
            if b is not None:
                ga = g[..., :, None] * b
            if a is not None:
                gb = xp.matmul(xp.swap_last(a), g[..., :, None])[..., 0]
        else:
            if b is not None:
                ga = xp.matmul(g, xp.swap_last(b))
            if a is not None:
                gb = xp.matmul(xp.swap_last(a), g)
        return ga, gb


@op("matmul", node=MatMul, method=True, samples=[
    Sample("matmul", lambda a, b: a @ b, 2, min_ndim=1, aliases=("@",),
           shapes=((3, 4), (4, 2)))])
def matmul(input, other):
    a, b = input, other
    sa, sb = np.shape(getattr(a, "data", a)), np.shape(getattr(b, "data", b))
    if len(sa) == 0 or len(sb) == 0:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got shapes {sa} and {sb}")
    ka = sa[-1]
    kb = sb[-2] if len(sb) > 1 else sb[0]
    if ka != kb:
        raise RuntimeError(
            f"matmul: shapes {sa} and {sb} cannot be multiplied ({ka} != {kb})"
        )
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(
            f"matmul: batch dimensions of shapes {sa} and {sb} cannot be broadcast"
        ) from None
