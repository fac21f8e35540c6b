"""``F.interpolate(mode="nearest")`` of a 4-d input doubling its height and/or width (U-Net
decoders, FPNs) as one node. The general path gathers along each dim with an index array (two
``Index`` nodes, whose backward scatters the gradient through the rows kernel): 2-3x torch's
time. Doubling is ATen's exact shortcut (source ``dst // 2``), so the result is strided copies,
and the gradient of each input element the sum of its 2x2 block in PyTorch's order (its kernel
adds the outputs in row-major order): ``((g00 + g01) + g10) + g11``. (The gathers' backward
summed each column pair first: up to 1 ulp off PyTorch's.)"""

from __future__ import annotations

import math

import numpy as np

from autograd_core.kernels.pointwise import linear_along
from autograd_core.node import LINEAR, Node
from autograd_core.ops.index import Index, IndexAdd, _add_along


class NearestUp2(Node):
    """``x`` ``(N, C, H, W)`` with each row (``rows``) and/or column (``cols``) repeated
    twice."""

    _grad_fn = "UpsampleNearest2DBackward0"
    complex_backward = LINEAR

    def forward(self, x, rows, cols):
        self.twice = (rows, cols)
        N, C, H, W = x.shape
        out = np.empty((N, C, H * (2 if rows else 1), W * (2 if cols else 1)), x.dtype)
        for i in range(2 if rows else 1):
            for j in range(2 if cols else 1):
                out[:, :, i::1 + rows, j::1 + cols] = x
        return out

    def _block_sum(self, g):
        """Each input element's outputs summed in row-major order (``g`` a Tensor or array)."""
        rows, cols = self.twice
        parts = [g[:, :, i::2 if rows else 1, j::2 if cols else 1]
                 for i in range(2 if rows else 1) for j in range(2 if cols else 1)]
        total = parts[0]
        for p in parts[1:]:
            total = total + p
        return total

    def backward(self, g):  # recorded slices and adds (create_graph), the same sums
        return (self._block_sum(g), None, None)

    def fused_backward(self, g):
        return (np.ascontiguousarray(self._block_sum(g)), None, None)


class TakeAlong(Index):
    """``x[:, ..., idx]`` (``index`` = ``d`` full slices then an int64 array) through
    ``np.take``: numpy's fancy indexing took 8.4 ms where take takes 1.5 (2x along the last dim
    of 32x16x32x32, interpolate's gathers). The same values (a C-contiguous copy, as
    ``Index``'s); the backward is ``Index``'s, so the gradients are the same bits."""

    def forward(self, x, index, basic):
        self.index, self.basic, self.in_shape = index, basic, x.shape
        return np.take(x, index[-1], axis=len(index) - 1)


class LinearAlong(Node):
    """``x`` resampled linearly along dim ``d``: ``take(x, i0) * w0 + take(x, i1) * w1``
    (``w0``, ``w1`` of ``x``'s dtype, shaped to broadcast along ``d``) as one node, for
    ``interpolate``'s linear modes. The two gathers, two products and the sum were five nodes,
    each output a new array (bilinear x2 of 32x16x32x32: 3.4x torch's forward): here one
    loop (``kernels.pointwise.linear_along``), the same operations, so the same bits. Backward is the
    five nodes' (each gather's gradient scattered, then the two summed): the same bits again,
    and recorded ops under create_graph."""

    def forward(self, x, d, i0, i1, w0, w1):
        self.along, self.in_shape = (d, i0, i1, w0, w1), x.shape
        shape = x.shape[:d] + (i0.size,) + x.shape[d + 1:]
        x3 = x.reshape(math.prod(x.shape[:d]), x.shape[d], math.prod(x.shape[d + 1:]))
        return linear_along(x3, i0.astype(np.intp, copy=False), i1.astype(np.intp, copy=False),
                            w0.reshape(-1), w1.reshape(-1)).reshape(shape)

    def backward(self, g):
        d, i0, i1, w0, w1 = self.along
        if self.differentiable:
            from autograd_core import tensor

            full = (slice(None),) * d
            parts = [IndexAdd.apply(g * tensor(w), index=full + (i,), basic=False,
                                    shape=self.in_shape) for i, w in ((i0, w0), (i1, w1))]
            return (parts[0] + parts[1], None, None, None, None, None)
        return (_add_along(g * w0, i0, d, self.in_shape) + _add_along(g * w1, i1, d, self.in_shape),
                None, None, None, None, None)
