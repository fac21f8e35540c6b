"""Embedding lookup as one graph node whose indices are an input (not a value baked into the
graph), so a step captured by ``ag.compile`` replays it with each call's indices."""

from __future__ import annotations

import numpy as np

from autograd_core.kernels.pointwise import rows_add_
from autograd_core.node import Node
from autograd_core.tensor import Tensor


def _run(cls, g, *args, **params):
    out = cls.apply(g, *args, **params)
    return out if isinstance(g, Tensor) else out._data


class EmbeddingOp(Node):
    """``weight``'s rows at ``indices`` (any shape): the result has shape
    ``indices.shape + (embedding_dim,)``. Backward adds the gradient's rows into zeros at the
    indices (repeats accumulate); the row ``padding_idx`` gets no gradient. ``zero_padding``
    also zeroes the looked-up rows at ``padding_idx`` (the adjoint of the backward, for second
    derivatives). Indices out of range raise PyTorch's ``IndexError`` inside forward, so a
    replay checks them too.

    Example::

        >>> import autograd_core as ag
        >>> from nn.ops import EmbeddingOp
        >>> w = ag.tensor([[0.0, 1.0], [2.0, 3.0]], requires_grad=True)
        >>> y = EmbeddingOp.apply(w, ag.tensor([1, 1, 0]), padding_idx=0)
        >>> y.sum().backward()
        >>> w.grad
        tensor([[0., 0.],
                [2., 2.]])
    """

    def name(self) -> str:
        return "EmbeddingBackward0"

    def forward(self, weight, indices, padding_idx=None, zero_padding=False):
        n, dim = weight.shape
        flat = indices.reshape(-1)
        if flat.size and (flat.min() < 0 or flat.max() >= n):
            raise IndexError("index out of range in self")
        self.save_for_backward(indices)
        self.n, self.padding_idx = n, padding_idx
        rows = weight.take(flat, axis=0)
        if zero_padding and padding_idx is not None:
            rows[flat == padding_idx] = 0
        return rows.reshape(indices.shape + (dim,))

    def backward(self, g):
        (indices,) = self.saved
        return (_run(EmbeddingGrad, g, indices, n=self.n, padding_idx=self.padding_idx),
                None)


class EmbeddingGrad(Node):
    """Zeros of ``(n, dim)`` with the rows of ``g`` added at ``indices`` (the row
    ``padding_idx`` left zero); backward looks the rows up again."""

    def name(self) -> str:
        return "EmbeddingBackwardBackward0"

    def forward(self, g, indices, n, padding_idx=None):
        dim = g.shape[-1]
        flat = indices.reshape(-1)
        self.save_for_backward(indices)
        self.padding_idx = padding_idx
        out = np.zeros((n, dim), dtype=g.dtype)
        rows_add_(out, flat.astype(np.intp, copy=False), g.reshape(-1, dim))  # np.add.at
        if padding_idx is not None:
            out[padding_idx] = 0
        return out

    def backward(self, g2):
        (indices,) = self.saved
        return (_run(EmbeddingOp, g2, indices, padding_idx=self.padding_idx,
                     zero_padding=True), None)
