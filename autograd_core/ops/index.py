"""Indexing: basic (slices, ints, None, Ellipsis) and advanced (integer arrays, bool masks).
The backward of advanced indexing accumulates repeated indices (np.add.at)."""

from __future__ import annotations

import math
import operator
import re

import numpy as np

from autograd_core._casts import half_source
from autograd_core.grad_mode import STATE
from autograd_core.kernels.pointwise import along_add_, fill_where, rows_add_
from autograd_core.node import LINEAR, Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.inplace import _index_view_name, inplace
from autograd_core.ops.registry import Sample, op, refuse_capture, warn_caller
from autograd_core.ops.shape import _as_view
from autograd_core.tensor import Tensor


def _normalise(index):
    def one(i):
        if isinstance(i, Tensor):
            if i._data.dtype == np.uint8 and i.ndim:  # PyTorch's legacy mask, with its warning
                warn_caller("indexing with dtype torch.uint8 is now deprecated, please use a "
                            "dtype torch.bool instead.")
                return i._data.astype(bool)
            i = i._data
        if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int or bool tensors")
        if isinstance(i, np.ndarray) and i.dtype.kind == "u" and i.size and i.max() > 2**63 - 1:
            # numpy would wrap 2**64 - 1 to -1 and index the last element
            raise IndexError(f"index {int(i.max())} is out of bounds: indices above "
                             f"{2**63 - 1} cannot address any tensor")
        if isinstance(i, np.ndarray):
            # a 0-d integer index is an integer, as PyTorch's: a select (a view), applied
            # before any advanced index (numpy's would be advanced: a copy, reordered)
            return int(i) if i.ndim == 0 and i.dtype.kind in "iu" else i
        if isinstance(i, list):  # an empty list is an empty integer index, as PyTorch's
            return np.asarray(i) if i else np.zeros(0, dtype=np.int64)
        return i

    if isinstance(index, tuple):
        return tuple(one(i) for i in index)
    return one(index)


def _check_steps(index):
    """PyTorch's refusal of a zero or negative slice step (numpy would reverse), raised
    before any work."""
    for i in index if type(index) is tuple else (index,):
        if type(i) is slice and i.step is not None:
            try:
                step = operator.index(i.step)
            except TypeError:
                continue  # not an integer: numpy's own error follows
            if step == 0:
                raise ValueError("slice step cannot be zero")
            if step < 0:
                raise ValueError("step must be greater than zero")


_SEQUENCE_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
    "or a different result")


def _sequence_as_tuple(index):
    """PyTorch's reading of a list index that holds a sequence, a Tensor, a slice, None or
    Ellipsis (``x[[rows, cols]]``): a tuple of indices, with its deprecation warning; a list
    of numbers stays one integer index."""
    if type(index) is list and len(index) < 32:
        for i in index:
            if i is None or i is Ellipsis or isinstance(
                    i, (Tensor, np.ndarray, list, tuple, range, slice)):
                warn_caller(_SEQUENCE_AS_TUPLE)
                return tuple(index)
    return index


def _torch_order(index, ndim):
    """``(pre, rest)`` with PyTorch's ``x[index]`` equal to ``x[pre][rest]`` where numpy's
    ``x[index]`` orders the result otherwise, else None (``index`` normalised: a 0-d integer
    index is an int). PyTorch selects an integer first (a basic index), and keeps the advanced
    indices' block of dims in place when they are adjacent in the dims (an Ellipsis spanning
    none is no gap); numpy counts an integer as advanced and any Ellipsis as a gap, and moves
    a block with gaps to the front: ``x[0, :, [0, 1]]`` of a (2, 3, 4) tensor is (3, 2) in
    PyTorch, (2, 3) in numpy. ``pre``, basic (integers, full slices, the Ellipsis), may be
    empty."""
    kinds = []  # per item: "a" an array, "i" an integer, "e" the Ellipsis, "s" a slice or None
    for i in index:
        if type(i) is np.ndarray:
            kinds.append("a")
        elif type(i) is int or isinstance(i, np.integer):
            kinds.append("i")
        else:
            kinds.append("e" if i is Ellipsis else "s")
    code = "".join(kinds)
    if "a" not in code or not ("i" in code or "e" in code) or (
            "e" not in code and "s" not in code.strip("s")):
        return None  # no integer, or one run of advanced indices: in place in both
    spans = [i.ndim if c == "a" and i.dtype.kind == "b" else 0 if i is None or c == "e" else 1
             for i, c in zip(index, kinds)]
    rest_dims = ndim - sum(spans)  # what the Ellipsis spans
    if "e" in kinds and rest_dims == 0:  # an Ellipsis spanning no dim: no gap in PyTorch
        index = tuple(i for i, c in zip(index, kinds) if c != "e")
        return _torch_order(index, ndim) or ((), index)

    def block_at(advanced):  # result dims before the advanced block (0: at the front)
        at = [k for k, c in enumerate(kinds) if c in advanced]
        if any(c not in "ai" for c in kinds[at[0]:at[-1]]):
            return 0  # a gap between advanced indices (in PyTorch an integer is none)
        return sum(rest_dims if c == "e" else c == "s" for c in kinds[:at[0]])

    if block_at("a") == block_at("ai"):
        return None
    pre, rest = [], []
    for i, c, n in zip(index, kinds, spans):
        if c == "i":
            pre.append(i)
        else:
            rest.append(i)
            pre.extend([Ellipsis] if c == "e" else [slice(None)] * n)
    return tuple(pre), tuple(rest)


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if not (i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer))
                or (isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype.kind in "iu")):
            return False
        if isinstance(i, bool):
            return False
    return True


def _fit(value, target_ndim):
    """Drop leading size-1 dims of ``value`` that the target does not have (PyTorch's
    setitem accepts ``x[1] = tensor([v])``)."""
    v = np.asarray(value)
    while v.ndim > target_ndim and v.shape[0] == 1:
        v = v[0]
    return v


def _index_error(shape, index, exc):
    """numpy's IndexError in PyTorch's words (what a user searching the message finds)."""
    msg = str(exc)
    m = re.match(r"shape mismatch: indexing arrays could not be broadcast together with "
                 r"shapes (.*)$", msg)
    if m:
        shapes = re.findall(r"\(([^)]*)\)", m.group(1))
        listed = ", ".join("[" + ", ".join(d for d in sh.replace(" ", "").split(",") if d) + "]"
                           for sh in shapes)
        return IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                          f"with shapes {listed}")
    m = re.match(r"too many indices for array: array is (\d+)-dimensional", msg)
    if m:
        return IndexError(f"too many indices for tensor of dimension {m.group(1)}")
    m = re.match(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", msg)
    if m:
        return IndexError(f"index {m.group(1)} is out of bounds for dimension {m.group(2)} "
                          f"with size {m.group(3)}")
    return IndexError(f"index {index!r} is out of range for a tensor of shape {shape}: {exc}")


class Index(Node):
    complex_backward = LINEAR
    keeps = False  # whether forward saved the index (subclasses with a forward of their own)

    @property
    def view_name(self):
        return _index_view_name(self.index) or "Alias"

    def forward(self, x, index, basic, keep_index=True):
        self.index, self.basic, self.in_shape = index, basic, x.shape
        self.keeps = keep_index and not basic
        if self.keeps:  # PyTorch's saves the indices (a view saves nothing): freed after
            self.save_for_backward(index)  # backward, then refusing a second one
        if not basic and type(index) is tuple and 1 < len(index) <= x.ndim and \
                type(index[-1]) is np.ndarray and index[-1].ndim == 1 and \
                index[-1].dtype.kind == "i" and \
                all(type(i) is slice and i == slice(None) for i in index[:-1]):
            # full slices, then one integer array (``x[:, idx]``): np.take, ~5x numpy's fancy
            # indexing, the same values (an index out of range: fancy indexing's error below)
            try:
                return np.take(x, index[-1], axis=len(index) - 1)
            except IndexError:
                pass
        try:
            out = x[index]
        except IndexError as exc:
            raise _index_error(x.shape, index, exc) from None
        if basic and not isinstance(out, np.ndarray):
            # an integer for every dim: numpy gives a scalar (a copy), PyTorch a 0-d view
            # (``x[0].zero_()`` writes into x); a trailing Ellipsis makes numpy's a view too
            out = x[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
        elif not basic:  # a copy: row-major, as PyTorch's (numpy's may not be, and then a
            out = np.ascontiguousarray(out)  # later view of it would be a copy)
        return out

    def backward(self, g):
        if self.keeps:
            self.saved  # noqa: B018  (PyTorch's error once a backward freed the graph)
        return (IndexAdd.apply(g, index=self.index, basic=self.basic, shape=self.in_shape),)

    def name(self):
        """PyTorch's node: ``SelectBackward0`` for ``x[0]``, ``SliceBackward0`` for ``x[1:]``,
        ``UnsqueezeBackward0`` for ``x[None]``, ``IndexBackward0`` for advanced indexing. (Where
        PyTorch records a chain, ``x[1:, 0]``, this one node has the last one's name.)"""
        if not self.basic:
            return "IndexBackward0"
        items = self.index if isinstance(self.index, tuple) else (self.index,)
        view = _index_view_name(self.index) or (
            "Slice" if len(items) == 1 and isinstance(items[0], slice) else "Alias")
        return f"{view}Backward0"


def _add_along(g, index, d, shape):
    """Zeros of ``shape`` with ``g``'s slices along ``d`` added at positions ``index`` (the
    backward of ``x[:, ..., index]``: ``index_select``, ``roll``), as ``np.add.at(out, (:,
    ..., index), g)``, whose tuple index takes numpy's slow path (roll's backward at 1e6
    elements 10x PyTorch's): the rows kernel (``d`` first) or the along kernel (``(A, n, B)``)
    adds each position's slice in ``index``'s order, every element's sum in the same order,
    the same bits."""
    n = shape[d]
    others = shape[:d] + shape[d + 1:]
    if g.shape != shape[:d] + (index.size,) + shape[d + 1:]:
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, (slice(None),) * d + (index,), g)  # numpy's broadcasting and errors
        return out
    if d == 0:
        rows = np.zeros((n, math.prod(others)), dtype=g.dtype)
        return rows_add_(rows, index.astype(np.intp, copy=False),
                         g.reshape(index.size, rows.shape[1])).reshape(shape)
    # a later dim: (A, n, B) in place, no moving of d (its two transposing copies took most
    # of bilinear interpolation's backward)
    A, B = math.prod(shape[:d]), math.prod(shape[d + 1:])
    out = np.zeros((A, n, B), dtype=g.dtype)
    along_add_(out, index.astype(np.intp, copy=False),
               np.ascontiguousarray(g).reshape(A, index.size, B))
    return out.reshape(shape)


class IndexAdd(Node):
    """Zeros of ``shape`` with ``g`` added at ``index``; the backward of Index."""

    _op_name = "index_add"  # the public op a refusal names (Node.op_name)

    complex_backward = LINEAR
    def forward(self, g, index, basic, shape):
        self.index, self.basic = index, basic
        if not basic and type(index) is tuple and len(index) == 1 and \
                type(index[0]) is np.ndarray and index[0].dtype.kind == "i":
            index = index[0]  # (rows,): index_add / index_put on dim 0, the same positions
        if not basic and type(index) is np.ndarray and index.dtype.kind == "i" and shape and \
                g.shape == index.shape + tuple(shape[1:]):
            # one integer array on the first axis (``C[X]``, an embedding by indexing): the
            # rows kernel, in np.add.at's order and rounding
            n, rest = shape[0], math.prod(shape[1:])
            flat = index.reshape(-1).astype(np.intp, copy=False)
            rows = np.zeros((n, rest), dtype=g.dtype)
            return rows_add_(rows, flat, g.reshape(flat.size, rest)).reshape(shape)
        if not basic and type(index) is tuple and len(index) > 1 and \
                type(index[-1]) is np.ndarray and index[-1].ndim == 1 and \
                index[-1].dtype.kind == "i" and len(index) <= len(shape) and \
                all(type(i) is slice and i == slice(None) for i in index[:-1]):
            return _add_along(g, index[-1], len(index) - 1, tuple(shape))
        out = np.zeros(shape, dtype=g.dtype)
        if basic:
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out

    def backward(self, g2):
        return (Index.apply(g2, index=self.index, basic=self.basic),)


def take_unsaved(x, index):
    """``x[index]`` with an advanced ``index`` recorded without keeping it for backward, for an
    op whose PyTorch rule needs none (``roll``, ``repeat_interleave``, ``trace``, ``diag``): a
    second backward through it is allowed, as there."""
    return Index.apply(x, index=_normalise(index), basic=False, keep_index=False)


@op("getitem", node=Index, function=False, samples=[
    Sample("getitem_slice", lambda a: a[..., ::2], min_ndim=1),
    Sample("getitem_int_array", lambda a: a[[0, 0, -1]], min_ndim=1),
    Sample("getitem_mask", lambda a: a[a._data > 0])])
def getitem(x, index):
    kind = type(index)
    if kind is list:
        index = _sequence_as_tuple(index)
        kind = type(index)
    if kind is tuple or (kind is slice and index.step is not None):
        _check_steps(index)
    if isinstance(index, Tensor) or (isinstance(index, tuple)
                                     and any(isinstance(i, Tensor) for i in index)):
        refuse_capture("indexing with a tensor")  # its values become the index
    index = _normalise(index)
    basic = _is_basic(index)
    if not basic and kind is tuple and (order := _torch_order(index, x.ndim)) is not None:
        pre, index = order
        if pre:  # PyTorch's select first, then the advanced index of that view
            return getitem(getitem(x, pre), index)
    out = Index.apply(x, index=index, basic=basic)
    if basic:
        _as_view(out, x)
        meta = out._view_meta
        if meta is not None and meta[0] is None:  # its name in PyTorch's error messages
            out._view_meta = (_index_view_name(index) or "Alias", *meta[1:])
    return out


class IndexPut(Node):
    """``x`` with ``value`` written at ``index`` (out of place); used by ``x[index] = value``
    while recording."""

    _op_name = "index_put_"  # the public op a refusal names (Node.op_name)

    complex_backward = LINEAR

    def name(self):  # x[0] = v: PyTorch writes into the view x[0], recording CopySlices
        basic = _is_basic(getattr(self, "index", None))
        return "torch::autograd::CopySlices" if basic else "IndexPutBackward0"

    def forward(self, x, value, index):
        self.index = index
        mask = _full_mask(x, index)
        v = np.asarray(value)
        if mask is not None and v.size == 1 and v.ndim <= 1 and v.dtype.kind in "biuf" and \
                x.dtype in (np.float32, np.float64):
            # x[mask] = number: one branch-free pass (numpy's boolean writes branch per element)
            self.save_for_backward(mask.copy())
            return fill_where(x, mask, v.reshape(()))
        out = np.array(x, copy=True)
        try:
            out[index] = _fit(half_source(value, out.dtype), _indexed_ndim(out, index))
        except IndexError as exc:
            raise _index_error(x.shape, index, exc) from None
        except ValueError:
            raise RuntimeError(
                f"setitem: value of shape {np.shape(value)} cannot be broadcast to the indexed "
                f"shape {out[index].shape}"
            ) from None
        mask = np.zeros(x.shape, dtype=bool)
        mask[index] = True
        self.save_for_backward(mask)
        return out

    def backward(self, g):
        (mask,) = self.saved
        gx = None
        if self.needs_input_grad[0]:
            gx = fill_where(g, mask, 0.0) if type(g) is np.ndarray else xp.where(mask, 0.0, g)
        gv = g[self.index] if self.needs_input_grad[1] else None
        return gx, gv


def _indexed_ndim(x, index):
    """``x[index].ndim``, without reading ``x[index]`` for one integer array on the first
    axis (``x[rows] = values``: a copy of the rows only for their number of dims)."""
    if type(index) is tuple and len(index) == 1:
        index = index[0]
    if type(index) is np.ndarray and index.dtype.kind in "iu" and x.ndim:
        return index.ndim + x.ndim - 1
    return x[index].ndim


def _full_mask(x, index):
    """``index`` when it is one bool array of ``x``'s shape (``x[mask]``), else None."""
    if type(index) is tuple and len(index) == 1:
        index = index[0]
    if type(index) is np.ndarray and index.dtype == np.bool_ and index.shape == x.shape:
        return index
    return None


def _is_index_put(index):
    """Whether ``x[index] = value`` is PyTorch's ``index_put_`` (an advanced index: a list,
    an index tensor with dimensions, a bool one) rather than a copy into a view (a 0-d
    integer index tensor is an integer)."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and (i.ndim or i.dtype.kind == "b") for i in parts)


def _is_mask_fill(index, raw):
    """``x[mask] = value`` with one bool mask and one value: PyTorch's ``masked_fill_``,
    which casts a value of another dtype (``index_put_`` refuses it)."""
    return isinstance(index, np.ndarray) and index.dtype.kind == "b" and index.ndim > 0 and \
        np.size(raw) == 1


def _check_setitem_overlap(x, index, value):
    """PyTorch's refusal of ``x[index] = value`` where ``value`` shares part of the memory
    written: a basic index copies ``value``, broadcast, into the view ``x[index]`` (a partial
    overlap refused; a broadcast value is not checked), an advanced one is an ``index_put_``
    (any overlap refused). Nothing more than the extents' test (~0.5 us) when ``value``'s
    memory lies apart from ``x``'s, the usual case."""
    if not np.may_share_memory(x._data, value._data):
        return
    parts = index if isinstance(index, tuple) else (index,)
    if _is_index_put(index):
        _args.check_input_overlap(x._data, (value,), full=True)
        return
    if not any(i is Ellipsis for i in parts):
        parts = (*parts, Ellipsis)  # a view even where every dimension is indexed
    try:
        target = x._data[parts]
        source = np.broadcast_to(value._data, target.shape)
    except (IndexError, TypeError, ValueError):
        return  # the write's own error follows
    _args.check_input_overlap(target, (source,))


def setitem(x, index, value):
    if type(index) is list:
        index = _sequence_as_tuple(index)
    _check_steps(index)
    # (PyTorch refuses 1e40 into float32 here, but writes inf into float16)
    value = _args.scalar_for(value, x._data.dtype, overflow=x._data.dtype != np.float16)
    index = _normalise(index)
    if type(index) is tuple and not _is_basic(index) and (
            order := _torch_order(index, x.ndim)) is not None:
        pre, index = order
        if pre:  # PyTorch's: the advanced write into the view that selects the integers
            setitem(getitem(x, pre), index, value)
            return
    if isinstance(value, Tensor):
        _check_setitem_overlap(x, index, value)
    raw = value._data if isinstance(value, Tensor) else value
    if getattr(raw, "dtype", None) is not None and raw.dtype != x._data.dtype and (
            isinstance(value, Tensor) or raw.dtype.kind == "c") and _is_index_put(index) and (
            not _is_mask_fill(index, raw) or raw.dtype.kind == "c" != x._data.dtype.kind):
        # an advanced index writes through index_put, which refuses another dtype (a number
        # is cast); a basic index copies, cast, as PyTorch's copy_ (a complex one its real
        # parts)
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{_args.torch_name(x._data.dtype)} for the destination and "
            f"{_args.torch_name(raw.dtype)} for the source.")
    value_rg = isinstance(value, Tensor) and value.requires_grad
    if STATE.enabled and (x.requires_grad or value_rg or (
            x._view_meta is not None and x._base.requires_grad)):
        if x._view_meta is not None:  # a bad index is reported first, as PyTorch's
            try:
                x._data[index]
            except IndexError as exc:
                raise _index_error(x.shape, index, exc) from None
        inplace(x, lambda: IndexPut.apply(x, value, index=index),
                view_name=_index_view_name(index))
        return
    raw = value._data if isinstance(value, Tensor) else value
    target = x._data
    if not target.flags.writeable:
        if target.size:
            try:  # PyTorch checks the written-to view (all of x for an index_put_)
                part = target[index]
            except IndexError as exc:
                raise _index_error(x.shape, index, exc) from None
            if _args.internal_overlap(part if np.shares_memory(part, target) else target):
                raise RuntimeError(_args.OVERLAP_ERROR)
            raise RuntimeError("setitem: the tensor's memory is read-only (e.g. a single "
                               "element of an expand's result)")
        target = target.copy()  # empty: nothing to write, but the index is still checked
    try:
        target[index] = _fit(half_source(raw, target.dtype), np.ndim(target[index]))
    except IndexError as exc:
        raise _index_error(x.shape, index, exc) from None
    except ValueError:
        raise RuntimeError(
            f"setitem: value of shape {np.shape(raw)} cannot be broadcast to the indexed shape "
            f"{x._data[index].shape}"
        ) from None
    x._counter()[0] += 1
