"""Embedding lookup as one graph node whose indices are an input (not a value baked into the
graph), so a step captured by ``ag.compile`` replays it with each call's indices; ``one_hot``,
the lookup in an identity, as one too."""

from __future__ import annotations

import numpy as np

from autograd_core.grad_mode import STATE
from autograd_core.kernels.pointwise import rows_add_
from autograd_core.node import Node
from autograd_core.sparse import _concat, _sparse_rows
from autograd_core.tensor import Tensor


def _run(cls, g, *args, **params):
    out = cls.apply(g, *args, **params)
    return out if isinstance(g, Tensor) else out._data


def _inverse_counts(flat, n, dtype):
    """``1 / (number of times each row is looked up)`` for each lookup (``scale_grad_by_freq``:
    PyTorch divides each row's gradient by its index's frequency in the mini-batch)."""
    counts = np.bincount(flat, minlength=n)
    return (1 / counts[flat]).astype(dtype)[:, None]


class EmbeddingOp(Node):
    """``weight``'s rows at ``indices`` (any shape): the result has shape
    ``indices.shape + (embedding_dim,)``. Backward adds the gradient's rows into zeros at the
    indices (repeats accumulate); the row ``padding_idx`` gets no gradient. With
    ``scale_grad_by_freq`` each row's gradient is divided by the number of times its index
    occurs in ``indices``. ``zero_padding`` also zeroes the looked-up rows at ``padding_idx``
    (and divides them by their frequency with ``scale_grad_by_freq``): the adjoint of the
    backward, for second derivatives. Indices out of range raise PyTorch's ``IndexError``
    inside forward, so a replay checks them too.

    ``sparse``: ``backward()`` leaves a sparse COO gradient in a leaf ``weight``'s ``.grad``
    (PyTorch's: one row of values per lookup, in lookup order, ``padding_idx`` lookups left
    out; added to an earlier sparse ``.grad`` by concatenation, into a dense one as rows). The
    node writes it itself and hands the engine no gradient; ``autograd.grad``, a non-leaf
    ``weight`` and a ``weight`` with gradient hooks (which then see it) get the dense
    gradient.

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

    _grad_fn = "EmbeddingBackward0"

    def forward(self, weight, indices, padding_idx=None, zero_padding=False,
                scale_grad_by_freq=False, sparse=False):
        n, dim = weight.shape
        flat = indices.reshape(-1)
        if flat.size and (flat.min() < 0 or flat.max() >= n):
            raise IndexError("index out of range in self")
        self.save_for_backward(indices)
        self.n, self.padding_idx = n, padding_idx
        self.scale, self.sparse = scale_grad_by_freq, sparse
        rows = weight.take(flat, axis=0)
        if zero_padding and padding_idx is not None:
            rows[flat == padding_idx] = 0
        if zero_padding and scale_grad_by_freq:
            rows *= _inverse_counts(flat, n, rows.dtype)
        return rows.reshape(indices.shape + (dim,))

    def backward(self, g):
        (indices,) = self.saved
        if self.sparse:
            if self.scale:
                raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with "
                                   "sparse gradients")
            leaf = self.next[0]
            # a weight with gradient hooks gets the dense gradient through the engine, which
            # runs them on the pass's whole gradient (written here, they would be skipped)
            if getattr(leaf, "_leaf_edge", False) and not STATE.backward_pass[1] and not (
                    leaf._hooks or leaf._post_acc_hooks):
                flat = getattr(indices, "_data", indices).reshape(-1)  # a Tensor: create_graph
                _add_sparse_grad(leaf, g, flat, self.padding_idx)
                return None, None
        return (_run(EmbeddingGrad, g, indices, n=self.n, padding_idx=self.padding_idx,
                     scale_grad_by_freq=self.scale), None)


def _add_sparse_grad(leaf, g, flat, padding_idx):
    """Adds the sparse gradient of a lookup at ``flat`` to ``leaf.grad`` (see EmbeddingOp)."""
    keep = np.flatnonzero(flat != padding_idx) if padding_idx is not None else None
    rows = flat if keep is None else flat[keep]
    if isinstance(g, Tensor):  # create_graph: the values keep their graph
        vals = g.reshape(-1, g.shape[-1])
        vals = vals if keep is None else vals[Tensor._make(keep, None, False)]
    else:
        vals2 = g.reshape(-1, g.shape[-1])
        vals = Tensor._make(np.array(vals2 if keep is None else vals2[keep], copy=True),
                            None, False)
    if vals.dtype != leaf.dtype:
        vals = vals.to(leaf.dtype)
    new = _sparse_rows(rows, vals, tuple(leaf.shape))
    cur = leaf._grad
    if cur is None:
        leaf._grad = new
    elif cur.is_sparse and isinstance(g, Tensor):  # create_graph: a new tensor, as PyTorch
        leaf._grad = _concat(cur, new)
    elif cur.is_sparse:  # in place, as PyTorch's ``grad += new`` (a reference to it sees it)
        both = _concat(cur, new)
        cur._ind, cur._vals, cur._coalesced = both._ind, both._vals, False
        cur._bump_version()
    elif isinstance(g, Tensor):
        leaf._grad = cur + new.to_dense()
    else:  # a dense .grad stays dense (PyTorch: dense + sparse is dense)
        rows_add_(cur._data, rows.astype(np.intp), vals._data)


class EmbeddingGrad(Node):
    """Zeros of ``(n, dim)`` with the rows of ``g`` added at ``indices`` (the row
    ``padding_idx`` left zero; each row divided by its index's frequency with
    ``scale_grad_by_freq``); backward looks the rows up again."""

    _grad_fn = "EmbeddingBackwardBackward0"

    def forward(self, g, indices, n, padding_idx=None, scale_grad_by_freq=False):
        dim = g.shape[-1]
        flat = indices.reshape(-1)
        self.save_for_backward(indices)
        self.padding_idx, self.scale = padding_idx, scale_grad_by_freq
        out = np.zeros((n, dim), dtype=g.dtype)
        rows = g.reshape(-1, dim)
        if scale_grad_by_freq:
            rows = rows * _inverse_counts(flat, n, g.dtype)
        rows_add_(out, flat.astype(np.intp, copy=False), rows)  # np.add.at
        if padding_idx is not None:
            out[padding_idx] = 0
        return out

    def backward(self, g2):
        (indices,) = self.saved
        return (_run(EmbeddingOp, g2, indices, padding_idx=self.padding_idx,
                     zero_padding=True, scale_grad_by_freq=self.scale), None)


def check_classes(idx, num_classes):
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes is not None and idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")


class OneHot(Node):
    """``one_hot`` as an op (not differentiable), so that a step captured by ``ag.compile``
    encodes each call's classes (and checks them) at every replay."""

    def forward(self, idx, num_classes):
        check_classes(idx, num_classes)
        out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
        np.put_along_axis(out, idx[..., None].astype(np.int64), 1, axis=-1)
        return out
