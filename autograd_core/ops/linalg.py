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


def _mismatch_message(sa, sb):
    """PyTorch's wording for inner dimensions that differ, by the kernel PyTorch would use."""
    if len(sa) == 1 and len(sb) == 1:
        return (f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    if len(sb) == 1 and len(sa) == 2:
        return f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sb[0]})"
    if len(sb) == 2:
        rows = int(np.prod(sa[:-1])) if len(sa) > 1 else 1
        return (f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sa[-1]} and "
                f"{sb[0]}x{sb[1]})")
    return f"shapes cannot be multiplied: {sa[-1]} != {sb[-2]} (inner dimensions)"


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
        raise RuntimeError(_mismatch_message(sa, sb) + f" (matmul: shapes {sa} and {sb})")
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(
            f"matmul: batch dimensions of shapes {sa} and {sb} cannot be broadcast"
        ) from None
