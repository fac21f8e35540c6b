"""Sparse COO tensors (PyTorch's ``torch.sparse_coo`` layout), the part graph networks use.

A sparse tensor keeps an ``(ndim, nnz)`` int64 array of coordinates and a 1-d Tensor of their
values; duplicate coordinates add up (``coalesce()`` sums them and sorts the coordinates, as
PyTorch's). What it can do: be made (``sparse_coo_tensor``, ``Tensor.to_sparse()``), be read
(``indices``/``values``, ``to_dense()``, ``shape``, ``dtype``, ``_nnz()``), be multiplied with a
dense matrix from either side (``sparse.mm``, ``spmm``, ``mm``, ``matmul``, ``@``), be summed
(``sparse.sum``), scaled by a number, and added to (or subtracted from) a dense tensor. The
gradient reaches the dense operand and the values; a sparse leaf's ``.grad`` is sparse, as in
PyTorch. Every other op refuses a sparse tensor with ``NotImplementedError`` naming the op and
the layout (call ``to_dense()`` first): no op ever computes on a wrong representation.

Autograd sees only the values: a sparse tensor is a container of coordinates (constants) and
a values Tensor, whose graph carries the gradient. The products are one node (``SparseMM``)
whose inputs are the values and the dense matrix. The coordinates are data, read in Python:
``ag.compile`` runs a step that makes or uses a sparse tensor eagerly.

Example::

    >>> import autograd_core as ag
    >>> a = ag.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], [1.0, 2.0, 3.0], (2, 3))
    >>> a.to_dense()
    tensor([[0., 0., 1.],
            [2., 0., 3.]])
    >>> ag.sparse.mm(a, ag.ones(3, 2))
    tensor([[1., 1.],
            [5., 5.]])
"""

from __future__ import annotations

import builtins
import math
import os
import sys
import types
from typing import Any

import numpy as np

from autograd_core.device import check_device
from autograd_core.kernels.pointwise import rows_add_
from autograd_core.node import Node
from autograd_core.ops import _args
from autograd_core.ops.index import IndexAdd
from autograd_core.ops.registry import DECLS, refuse_capture
from autograd_core.tensor import DTypeLike, Tensor

__all__ = ["FloatTensor", "DoubleTensor", "LongTensor", "addmm", "layout", "log_softmax", "mm",
           "softmax", "sparse_coo", "sparse_coo_tensor", "spdiags", "spmm", "strided", "sum"]


class layout:
    """A tensor's memory layout (``torch.layout``): ``strided`` (dense) or ``sparse_coo``.

    ``Tensor.layout`` gives it; CSR, CSC and the block layouts do not exist here.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2).layout, ag.zeros(2).to_sparse().layout
        (autograd_core.strided, autograd_core.sparse_coo)
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"autograd_core.{self._name}"

    __str__ = __repr__


strided = layout("strided")
sparse_coo = layout("sparse_coo")
setattr(Tensor, "layout", strided)  # a dense tensor's; the sparse class says sparse_coo


# ---- refusing every other op ---------------------------------------------------------------
_APPLY = Node.__dict__["apply"].__func__.__code__


def _refused_op() -> str:
    """The op that touched a sparse tensor's stand-in array: the node class whose ``apply``
    is on the stack (by its op-table name), else the outermost function of the project that
    the call went through (``tolist``, ``__repr__``, ...) before it came from the user's code."""
    names = {d.node: d.name for d in reversed(DECLS.values()) if d.node is not None}
    f: types.FrameType | None = sys._getframe(2)
    while f is not None:
        if f.f_code is _APPLY:
            cls: Any = f.f_locals.get("cls")
            return str(names.get(cls) or getattr(cls, "__name__", "?"))
        f = f.f_back
    f, entry = sys._getframe(2), "?"
    while f is not None and f.f_code.co_filename.startswith(_PROJECT):
        entry, f = f.f_code.co_name, f.f_back
    return entry


_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PROJECT = tuple(os.path.join(_ROOT, p) + os.sep for p in ("autograd_core", "nn", "optimizers"))


def _refusal() -> NotImplementedError:
    return NotImplementedError(
        f"Could not run '{_refused_op()}' with arguments from the 'SparseCPU' backend: this "
        "operation does not support the sparse_coo layout here (sparse tensors support "
        "to_dense, coalesce, indices/values, sparse.mm/spmm/mm/matmul/@ with a dense matrix, "
        "sparse.sum, * or / by a number, and dense + sparse); call .to_dense() first")


class _SparseArray:
    """What a sparse tensor holds where a dense one holds its numpy array: its shape and
    dtype (``shape``, ``dtype``, ``numel``, ``len`` read them), and a refusal naming the op for
    anything that would read it as dense values (numpy functions and ufuncs, methods,
    indexing, arithmetic)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple, dtype: np.dtype) -> None:
        self.shape, self.dtype = shape, dtype

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))
    itemsize = property(lambda self: self.dtype.itemsize)

    def __len__(self) -> int:
        return self.shape[0]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # protocol probes (numpy's): then __array__ refuses
        raise _refusal()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise _refusal()

    __array__ = __array_ufunc__ = __array_function__ = _refuse
    __getitem__ = __setitem__ = __iter__ = __bool__ = __float__ = __int__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __neg__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = _refuse


# ---- the sparse tensor ---------------------------------------------------------------------
class _CooTensor(Tensor):
    """A sparse COO tensor; made by ``sparse_coo_tensor`` and ``Tensor.to_sparse``.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.tensor([[0.0, 2.0], [3.0, 0.0]]).to_sparse()
        >>> a.is_sparse, a._nnz(), a.indices().tolist(), a.values()
        (True, 2, [[0, 1], [1, 0]], tensor([2., 3.]))
    """

    is_sparse = True
    layout = sparse_coo
    _ind: np.ndarray
    _vals: Tensor
    _coalesced: builtins.bool

    # autograd state: the values' (the coordinates are constants)
    @property
    def grad_fn(self) -> Any:  # type: ignore[override]
        return self._vals.grad_fn

    @property
    def requires_grad(self) -> builtins.bool:
        return self._vals.requires_grad

    @requires_grad.setter
    def requires_grad(self, value: builtins.bool) -> None:
        self._vals.requires_grad = value

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        self._vals.requires_grad_(requires_grad)
        return self

    @property
    def is_leaf(self) -> builtins.bool:
        return self._vals.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """A sparse leaf's gradient: sparse, at its (coalesced) coordinates, as PyTorch's."""
        g = self._vals.grad
        if g is None or not self.is_leaf:
            return None
        lin = _linear(self._ind, self.shape)
        uniq, first = np.unique(lin, return_index=True)  # duplicates share one gradient
        ind = np.stack(np.unravel_index(uniq, self.shape)).astype(np.int64).reshape(
            self.ndim, -1)
        return _coo(ind, g[first], self.shape, coalesced=False)

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            raise RuntimeError("assigning the gradient of a sparse tensor: only None is "
                               "supported (zero_grad)")
        self._vals.grad = None

    def backward(self, *args: Any, **kwargs: Any) -> None:
        raise _refusal()

    def detach(self) -> Tensor:
        return _coo(self._ind, self._vals.detach(), self.shape, self._coalesced)

    @property  # type: ignore[misc]
    def data(self) -> Tensor:  # type: ignore[override]
        return _coo(self._ind, self._vals.data, self.shape, self._coalesced)

    def clone(self, *, memory_format: Any = None) -> Tensor:
        return _coo(self._ind.copy(), self._vals.clone(), self.shape, self._coalesced)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        vals = self._vals.to(*args, **kwargs)
        return self if vals is self._vals else _coo(self._ind, vals, self.shape,
                                                    self._coalesced)

    def numpy(self, *, force: builtins.bool = False) -> np.ndarray:
        raise TypeError("can't convert Sparse layout tensor to numpy. Use Tensor.to_dense() "
                        "first.")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.numpy()

    # reading it
    def _nnz(self) -> builtins.int:
        return self._ind.shape[1]

    def sparse_dim(self) -> builtins.int:
        return self._ind.shape[0]

    def dense_dim(self) -> builtins.int:
        return self.ndim - self._ind.shape[0]

    def is_coalesced(self) -> builtins.bool:
        return self._coalesced

    def _indices(self) -> Tensor:
        return Tensor._make(self._ind, None, False)

    def _values(self) -> Tensor:
        return self._vals

    def indices(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call "
                               ".coalesce() first")
        return self._indices()

    def values(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call "
                               ".coalesce() first")
        return self._vals

    def coalesce(self) -> Tensor:
        """Duplicates summed, coordinates sorted (row-major); differentiable in the values."""
        if self._coalesced:
            return self
        refuse_capture("coalesce()")
        sd = self._ind.shape[0]
        uniq, inv = np.unique(_linear(self._ind, self.shape[:sd]), return_inverse=True)
        ind = np.stack(np.unravel_index(uniq, self.shape[:sd])).astype(np.int64).reshape(sd, -1)
        vals = IndexAdd.apply(self._vals, index=inv.reshape(-1), basic=False,
                              shape=(uniq.size, *self.shape[sd:]))
        return _coo(ind, vals, self.shape, coalesced=True)

    def to_dense(self, dtype: DTypeLike | None = None, *,
                 masked_grad: builtins.bool | None = None) -> Tensor:
        """The dense tensor (duplicates added); differentiable in the values."""
        refuse_capture("to_dense()")
        sd = self._ind.shape[0]
        dense = IndexAdd.apply(self._vals, index=_linear(self._ind, self.shape[:sd]),
                               basic=False, shape=(math.prod(self.shape[:sd]),
                                                   *self.shape[sd:])).reshape(self.shape)
        return dense if dtype is None else dense.to(dtype)

    def to_sparse(self, *args: Any, layout: Any = None, **kwargs: Any) -> Tensor:
        _check_layout(layout, args, kwargs, self.ndim)
        return self

    to_sparse_coo = to_sparse

    def t(self) -> Tensor:
        if self.ndim != 2 or self.dense_dim():
            raise RuntimeError(f"t() expects a tensor with <= 2 sparse and 0 dense dimensions, "
                               f"but got {self.sparse_dim()} sparse and {self.dense_dim()} "
                               "dense dimensions")
        return _coo(self._ind[::-1].copy(), self._vals, self.shape[::-1], coalesced=False)

    # arithmetic
    def __mul__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor) and (other.is_sparse or other.ndim):
            raise _refusal()
        return _coo(self._ind, self._vals * other, self.shape, self._coalesced)

    __rmul__ = mul = __mul__

    def __truediv__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor) and (other.is_sparse or other.ndim):
            raise _refusal()
        return _coo(self._ind, self._vals / other, self.shape, self._coalesced)

    div = __truediv__

    def __neg__(self) -> Tensor:
        return _coo(self._ind, -self._vals, self.shape, self._coalesced)

    def __add__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor) and not other.is_sparse:
            raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) "
                               "instead.")
        if not isinstance(other, _CooTensor):
            raise _refusal()
        if tuple(other.shape) != tuple(self.shape) or other.sparse_dim() != self.sparse_dim():
            raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self "
                               f"has size {list(self.shape)} while other has size "
                               f"{list(other.shape)}")
        both = self._coalesced and other._coalesced  # then PyTorch merges the entries
        return _concat(self, other).coalesce() if both else _concat(self, other)

    def __radd__(self, other: Any) -> Tensor:  # dense + sparse: dense
        if not isinstance(other, Tensor):
            raise _refusal()
        return other + self.to_dense()

    def __rsub__(self, other: Any) -> Tensor:  # dense - sparse: dense
        if not isinstance(other, Tensor):
            raise _refusal()
        return other - self.to_dense()

    def mm(self, mat2: Tensor) -> Tensor:
        return mm(self, mat2)

    def matmul(self, other: Tensor) -> Tensor:
        if isinstance(other, Tensor) and other.ndim == 1 and self.ndim == 2:
            return mm(self, other.unsqueeze(1)).squeeze(1)
        return mm(self, other)

    __matmul__ = matmul

    def __rmatmul__(self, other: Tensor) -> Tensor:
        return mm(other, self)

    def sum(self, dim: Any = None, keepdim: builtins.bool = False, *,
            dtype: DTypeLike | None = None) -> Tensor:
        if keepdim:
            raise _refusal()
        return sum(self, dim, dtype)

    def __repr__(self) -> str:
        def indented(t: Tensor, n: builtins.int) -> str:
            return repr(t).replace("\n", "\n" + " " * n)

        body = (f"tensor(indices={indented(self._indices(), 15)},\n"
                f"       values={indented(self._vals.detach(), 14)},\n"
                f"       size={tuple(self.shape)}, nnz={self._nnz()}, "
                f"layout={sparse_coo}")
        if self.grad_fn is not None:
            return body + f",\n       grad_fn=<{self.grad_fn.name()}>)"
        return body + (", requires_grad=True)" if self.requires_grad else ")")

    __str__ = __repr__


for _name, _dtype in (("float", np.float32), ("double", np.float64), ("long", np.int64)):
    setattr(_CooTensor, _name, lambda self, memory_format=None, _d=_dtype: self.to(_d))


def _coo(ind: np.ndarray, vals: Tensor, shape: Any, coalesced: builtins.bool) -> Tensor:
    t = object.__new__(_CooTensor)
    t._data = _SparseArray(tuple(shape), vals._data.dtype)  # type: ignore[assignment]
    t._grad = None
    t._requires_grad = False  # the values carry autograd (a dense op never records this one)
    t._out_idx = 0
    t._vc = None
    t._ind, t._vals, t._coalesced = ind, vals, coalesced
    return t


def _concat(a: Tensor, b: Tensor) -> Tensor:
    """Two sparse tensors of one shape as one: their entries one after the other
    (uncoalesced), as PyTorch accumulates sparse gradients and adds uncoalesced tensors."""
    from autograd_core.ops.shape import cat

    return _coo(np.concatenate([a._ind, b._ind], axis=1), cat([a._vals, b._vals]),
                a.shape, coalesced=False)


def _sparse_rows(rows: np.ndarray, values: Tensor, shape: tuple) -> Tensor:
    """The hybrid sparse tensor (one sparse dimension, the rest dense) with ``values[k]`` at
    row ``rows[k]``: an embedding's sparse gradient (PyTorch's layout)."""
    return _coo(np.asarray(rows, dtype=np.int64).reshape(1, -1), values, shape,
                coalesced=rows.size <= 1)


def _refuse_hybrid(t: Tensor, name: str) -> None:
    if t.is_sparse and t.dense_dim():
        raise NotImplementedError(f"{name}: sparse tensors with dense dimensions (an embedding's "
                                  "sparse gradient) support only to_dense, coalesce, "
                                  "_indices/_values, scaling and adding; call .to_dense() first")


def _linear(ind: np.ndarray, shape: tuple) -> np.ndarray:
    """Row-major positions of the coordinates (the order ``coalesce`` sorts them in)."""
    return np.ravel_multi_index(tuple(ind), shape) if ind.shape[1] else np.zeros(0, np.intp)


def _check_layout(layout: Any, args: tuple, kwargs: dict, ndim: builtins.int) -> None:
    if layout not in (None, sparse_coo):
        raise NotImplementedError(f"to_sparse: layout {layout} is not supported (only "
                                  "sparse_coo: no CSR, CSC or block layouts)")
    sparse_dim = args[0] if args else kwargs.get("sparse_dim")
    if kwargs.get("blocksize") is not None or kwargs.get("dense_dim") or (
            sparse_dim is not None and sparse_dim != ndim):
        raise NotImplementedError("to_sparse: only every dimension sparse (no dense "
                                  "dimensions, no blocks)")


def _to_sparse(self: Tensor, *args: Any, layout: Any = None, **kwargs: Any) -> Tensor:
    """Return this tensor in the sparse COO layout: its nonzero entries, coalesced.

    ``to_sparse_coo()`` is the same. The values are differentiable (the gradient reaches the
    dense tensor at the nonzero entries). Only ``layout=sparse_coo`` with every dimension
    sparse exists: ``sparse_dim`` less than ``ndim``, ``dense_dim``, ``blocksize`` and the
    CSR/CSC/block layouts raise ``NotImplementedError``.

    Args:
        sparse_dim (int, optional): must be ``ndim`` (or None).
        layout (layout, optional): ``sparse_coo`` or None.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([[0.0, 1.5], [0.0, 0.0]]).to_sparse()
        tensor(indices=tensor([[0],
                               [1]]),
               values=tensor([1.5000]),
               size=(2, 2), nnz=1, layout=autograd_core.sparse_coo)
    """
    _check_layout(layout, args, kwargs, self.ndim)
    if self.ndim == 0:
        raise NotImplementedError("to_sparse: a 0-d tensor has no sparse form here")
    refuse_capture("to_sparse()")
    where = np.nonzero(self._data)
    ind = np.stack(where).astype(np.int64).reshape(self.ndim, -1)
    return _coo(ind, self[where], self.shape, coalesced=True)


def _dense_to_dense(self: Tensor, dtype: DTypeLike | None = None, *,
                    masked_grad: builtins.bool | None = None) -> Tensor:
    """Return the dense form of this tensor: the tensor itself when it is dense.

    A sparse tensor gives a new dense tensor, duplicates added, differentiable in its values.

    Args:
        dtype (dtype, optional): the result's dtype.
        masked_grad (bool, optional): accepted for PyTorch's signature.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.ones(2)
        >>> x.to_dense() is x
        True
    """
    return self if dtype is None else self.to(dtype)


for _name, _method in (("to_sparse", _to_sparse), ("to_sparse_coo", _to_sparse),
                      ("to_dense", _dense_to_dense)):
    setattr(Tensor, _name, _method)


# ---- making one ----------------------------------------------------------------------------
def sparse_coo_tensor(indices: Any, values: Any, size: Any = None, *,
                      dtype: DTypeLike | None = None, device: Any = None,
                      requires_grad: builtins.bool = False,
                      check_invariants: builtins.bool | None = None,
                      is_coalesced: builtins.bool | None = None) -> Tensor:
    """Make a sparse COO tensor with ``values`` at the coordinates ``indices``.

    ``indices`` is ``(ndim, nnz)`` (a Tensor, an array or nested lists of integers), ``values``
    the ``nnz`` values (a 1-d Tensor keeps its graph: the gradient reaches it). Duplicate
    coordinates are kept (they add up; ``coalesce()`` sums them). ``size`` defaults to the
    largest coordinate + 1 in each dimension. The coordinates are always checked against
    ``size`` (PyTorch checks them only with ``check_invariants=True``; its messages). Differs
    from PyTorch: values must be 1-d (no dense dimensions, "hybrid" tensors).

    Args:
        indices (array_like): the ``(ndim, nnz)`` integer coordinates.
        values (array_like): the ``nnz`` values.
        size (sequence of int, optional): the shape.
        dtype (dtype, optional): the values' dtype. Default: ``values``'.
        device (device, optional): the CPU.
        requires_grad (bool): make a leaf whose ``.grad`` will be sparse. Default: False.
        check_invariants (bool, optional): accepted; the checks always run.
        is_coalesced (bool, optional): promise the coordinates are sorted and unique
            (checked).

    Example::

        >>> import autograd_core as ag
        >>> a = ag.sparse_coo_tensor([[1, 0, 1], [2, 0, 2]], [1.0, 2.0, 3.0], (2, 3))
        >>> a
        tensor(indices=tensor([[1, 0, 1],
                               [2, 0, 2]]),
               values=tensor([1., 2., 3.]),
               size=(2, 3), nnz=3, layout=autograd_core.sparse_coo)
        >>> a.coalesce().values()
        tensor([2., 4.])
    """
    check_device(device, "sparse_coo_tensor")
    refuse_capture("sparse_coo_tensor()")
    ind = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if ind.dtype.kind not in "iu" and not (ind.size == 0 and ind.dtype.kind == "f"):
        raise RuntimeError(f"indices must be an int64 tensor, got {ind.dtype}")
    if ind.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(ind.shape)}")
    ind = ind.astype(np.int64)
    if not isinstance(values, Tensor):
        from autograd_core.creation import tensor
        values = tensor(values)
    if dtype is not None:
        values = values.to(dtype)
    if values.ndim != 1:
        raise NotImplementedError(
            f"sparse_coo_tensor: values of shape {tuple(values.shape)}: only 1-d values "
            "(every dimension sparse, no dense dimensions) are supported")
    if values.shape[0] != ind.shape[1]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: "
                           f"{ind.shape[1]}, nnz from values: {values.shape[0]}")
    if size is None:
        size = ind.max(axis=1) + 1 if ind.shape[1] else np.zeros(ind.shape[0], np.int64)
    size = tuple(builtins.int(s) for s in size)
    if len(size) != ind.shape[0]:
        raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) "
                           f"= {len(size)}, sparse_dim = {ind.shape[0]}, dense_dim = 0")
    if ind.shape[1]:
        lo, hi = ind.min(axis=1), ind.max(axis=1)
        for d in range(len(size)):
            if lo[d] < 0:
                raise RuntimeError(f"found negative index {lo[d]} for dim {d}")
            if hi[d] >= size[d]:
                raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is "
                                   f"{size[d]} but found index {hi[d]}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    if is_coalesced and ind.shape[1] > 1 and not np.all(np.diff(_linear(ind, size)) > 0):
        raise RuntimeError("sparse_coo_tensor: is_coalesced=True, but the indices are not "
                           "sorted and unique")
    if requires_grad:  # a leaf, whose gradient will be sparse
        values = values.detach().requires_grad_()
    elif values.requires_grad:  # a non-leaf: the gradient flows on to ``values``
        values = SparseCooTensorWithDimsAndTensors.apply(values)
    else:  # its own Tensor (``requires_grad_()`` must not reach the caller's)
        values = values.detach()
    return _coo(ind, values, size, coalesced=builtins.bool(is_coalesced) or ind.shape[1] <= 1)


class SparseCooTensorWithDimsAndTensors(Node):
    """The values of a sparse tensor made from values that require grad (the identity:
    PyTorch's node of that name, so the tensor is a non-leaf with its ``grad_fn``)."""

    def forward(self, values):
        return values

    def backward(self, g):
        return (g,)


def FloatTensor(indices: Any, values: Any, size: Any = None) -> Tensor:
    """Make a sparse COO tensor of float32 values: PyTorch's legacy
    ``torch.sparse.FloatTensor(indices, values, size)`` (Kipf's pygcn), which is
    ``sparse_coo_tensor(indices, values, size, dtype=float32)``.

    Args:
        indices (array_like): the ``(ndim, nnz)`` integer coordinates.
        values (array_like): the ``nnz`` values.
        size (sequence of int, optional): the shape.

    Example::

        >>> import autograd_core as ag
        >>> ag.sparse.FloatTensor(ag.tensor([[0], [1]]), ag.tensor([1.0]), ag.Size([2, 2])).to_dense()
        tensor([[0., 1.],
                [0., 0.]])
    """
    return sparse_coo_tensor(indices, values, size, dtype=np.float32)


def DoubleTensor(indices: Any, values: Any, size: Any = None) -> Tensor:
    """Make a sparse COO tensor of float64 values (``torch.sparse.DoubleTensor``), as
    ``FloatTensor`` does.

    Args:
        indices (array_like): the ``(ndim, nnz)`` integer coordinates.
        values (array_like): the ``nnz`` values.
        size (sequence of int, optional): the shape.

    Example::

        >>> import autograd_core as ag
        >>> ag.sparse.DoubleTensor([[1]], [2.0], (2,)).to_dense()
        tensor([0., 2.], dtype=autograd_core.float64)
    """
    return sparse_coo_tensor(indices, values, size, dtype=np.float64)


def LongTensor(indices: Any, values: Any, size: Any = None) -> Tensor:
    """Make a sparse COO tensor of int64 values (``torch.sparse.LongTensor``), as
    ``FloatTensor`` does.

    Args:
        indices (array_like): the ``(ndim, nnz)`` integer coordinates.
        values (array_like): the ``nnz`` values.
        size (sequence of int, optional): the shape.

    Example::

        >>> import autograd_core as ag
        >>> ag.sparse.LongTensor([[1]], [2], (2,)).to_dense()
        tensor([0, 2])
    """
    return sparse_coo_tensor(indices, values, size, dtype=np.int64)


# ---- products --------------------------------------------------------------------------------
class SparseMM(Node):
    """``sparse @ dense``: ``out[r] += v * dense[c]`` for each stored ``(r, c, v)``; the
    inputs are the values and the dense matrix, the coordinates constants."""

    def forward(self, values, dense, rows, cols, n):
        self.rows, self.cols, self.k = rows, cols, dense.shape[0]
        need = self.needs_input_grad
        self.save_for_backward(values if need[1] else None, dense if need[0] else None)
        out = np.zeros((n, dense.shape[1]), dtype=np.result_type(values, dense))
        return rows_add_(out, rows, values[:, None] * dense[cols])

    def backward(self, g):
        values, dense = self.saved
        gv = gd = None
        if dense is not None:  # d out[r, j] / d v = dense[c, j]
            gv = (g[self.rows] * dense[self.cols]).sum(-1)
        if values is not None:  # sparse^T @ g
            gd = SparseMM.apply(values, g, rows=self.cols, cols=self.rows, n=self.k)
        return gv, gd


def mm(mat1: Tensor, mat2: Tensor, reduce: str = "sum") -> Tensor:
    """Return the matrix product of a sparse and a dense matrix (either order): dense.

    ``torch.sparse.mm``; ``torch.spmm``, ``torch.mm``, ``torch.matmul`` and ``@`` come here
    when an operand is sparse. The gradient reaches the dense matrix and the sparse one's
    values (a sparse leaf's ``.grad`` is sparse, at its coordinates). Two dense matrices give
    ``torch.mm``'s product; two sparse ones raise ``NotImplementedError`` (no sparse-sparse
    products here), as does ``reduce`` other than ``"sum"``.

    Args:
        mat1 (Tensor): an ``(n, k)`` matrix, sparse or dense.
        mat2 (Tensor): a ``(k, m)`` matrix, dense or sparse.
        reduce (str): ``"sum"`` only.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.sparse_coo_tensor([[0, 1], [1, 0]], [2.0, 3.0], (2, 2))
        >>> w = ag.tensor([[1.0], [2.0]], requires_grad=True)
        >>> y = ag.sparse.mm(a, w)
        >>> y
        tensor([[4.],
                [3.]], grad_fn=<SparseMMBackward0>)
        >>> y.sum().backward()
        >>> w.grad
        tensor([[3.],
                [2.]])
    """
    if reduce != "sum":
        raise NotImplementedError(f"sparse.mm: reduce={reduce!r} is not supported (only 'sum')")
    s1, s2 = mat1.is_sparse, mat2.is_sparse
    if not (s1 or s2):
        from autograd_core.ops.linalg import mm as dense_mm
        return dense_mm(mat1, mat2)
    if s1 and s2:
        raise NotImplementedError("sparse.mm: sparse @ sparse is not supported (one operand "
                                  "must be dense)")
    for name, t in (("mat1", mat1), ("mat2", mat2)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t.ndim}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x"
                           f"{mat1.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    if mat1.dtype != mat2.dtype:
        raise RuntimeError(f"expected mat1 and mat2 to have the same dtype, but got: "
                           f"{mat1.dtype} != {mat2.dtype}")
    _refuse_hybrid(mat1, "sparse.mm")
    _refuse_hybrid(mat2, "sparse.mm")
    refuse_capture("sparse.mm()")
    if s1:
        sp, ind = mat1, mat1._ind
        return SparseMM.apply(sp._vals, mat2, rows=ind[0].astype(np.intp),
                              cols=ind[1].astype(np.intp), n=sp.shape[0])
    # dense @ sparse = (sparse^T @ dense^T)^T
    sp, ind = mat2, mat2._ind
    return SparseMM.apply(sp._vals, mat1.t(), rows=ind[1].astype(np.intp),
                          cols=ind[0].astype(np.intp), n=sp.shape[1]).t()


def spmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Return the matrix product of a sparse (or dense) matrix and a dense one: ``torch.spmm``.

    The same as ``sparse.mm(input, mat2)``.

    Args:
        input (Tensor): an ``(n, k)`` matrix, sparse or dense.
        mat2 (Tensor): a ``(k, m)`` dense matrix.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.eye(2).to_sparse() * 3
        >>> ag.spmm(a, ag.tensor([[1.0], [2.0]]))
        tensor([[3.],
                [6.]])
    """
    return mm(input, mat2)


def addmm(mat: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1.0,
          alpha: Any = 1.0) -> Tensor:
    """Return ``beta * mat + alpha * (mat1 @ mat2)`` for a sparse ``mat1`` and a dense
    ``mat2``: ``torch.addmm`` whose gradient also reaches the sparse matrix's values (a sparse
    leaf's ``.grad`` is sparse). ``mat`` broadcasts to the product's shape; ``beta = 0``
    ignores it (NaN included).

    Example::

        >>> import autograd_core as ag
        >>> a = ag.sparse_coo_tensor([[0, 1], [1, 0]], [2.0, 3.0], (2, 2))
        >>> ag.sparse.addmm(ag.ones(2, 2), a, ag.eye(2), beta=0.5, alpha=2.0)
        tensor([[0.5000, 4.5000],
                [6.5000, 0.5000]])
    """
    from autograd_core.ops.linalg import scaled_sum
    return scaled_sum(mat, mm(mat1, mat2), beta, alpha, "input")


def spdiags(diagonals: Tensor, offsets: Tensor, shape: Any, layout: Any = None) -> Tensor:
    """Return a sparse ``shape`` matrix with row ``i`` of ``diagonals`` along diagonal
    ``offsets[i]`` (0 the main one, below it negative), as ``torch.sparse.spdiags`` (and
    SciPy's): the entry in column ``j`` of the matrix is ``diagonals[i, j]``. COO only here;
    the gradient reaches ``diagonals`` (PyTorch's has no backward).

    Example::

        >>> import autograd_core as ag
        >>> d = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        >>> ag.sparse.spdiags(d, ag.tensor([0, -1]), (3, 3)).to_dense()
        tensor([[1., 0., 0.],
                [4., 2., 0.],
                [0., 5., 3.]])
    """
    if layout not in (None, sparse_coo):
        raise NotImplementedError(f"spdiags: layout {layout} is not supported here (only "
                                  "sparse_coo)")
    if diagonals.ndim > 2:
        raise RuntimeError("Diagonals must be vector or matrix")
    if offsets.ndim > 1:
        raise RuntimeError("Offsets must be scalar or vector")
    if len(shape) != 2:
        raise RuntimeError("Output shape must be 2d")
    if offsets._data.dtype != np.int64:
        raise RuntimeError(f"Offset Tensor must have dtype Long but got "
                           f"{_args.torch_name(offsets._data.dtype)}")
    diags = diagonals.reshape(1, -1) if diagonals.ndim < 2 else diagonals
    ks = offsets._data.reshape(-1).tolist()
    if len(ks) != diags.shape[0]:
        raise RuntimeError(f"Number of diagonals ({diags.shape[0]}) does not match the number "
                           f"of offsets ({len(ks)})")
    if len(set(ks)) != len(ks):
        raise RuntimeError("Offset tensor contains duplicate values")
    rows, cols = int(shape[0]), int(shape[1])
    at = np.array([(i, j - k, j) for i, k in enumerate(ks)  # (diagonal, row, column)
                   for j in range(max(k, 0), min(cols, diags.shape[1], rows + k))],
                  np.int64).reshape(-1, 3).T
    return _coo(at[1:], diags[at[0], at[2]], (rows, cols), False)


def sum(input: Tensor, dim: Any = None, dtype: DTypeLike | None = None) -> Tensor:  # noqa: A001
    """Return the sum of a sparse tensor's values, over ``dim`` or over everything.

    ``torch.sparse.sum``: over every dimension the result is a dense 0-d tensor; over some of
    them, a coalesced sparse tensor of the other dimensions. Differentiable in the values.

    Args:
        input (Tensor): a sparse tensor.
        dim (int or tuple of ints, optional): the dimensions to sum over; all if None.
        dtype (dtype, optional): the result's dtype.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], [1.0, 2.0, 3.0], (2, 3))
        >>> ag.sparse.sum(a)
        tensor(6.)
        >>> ag.sparse.sum(a, 1).to_dense()
        tensor([1., 5.])
    """
    if not input.is_sparse:
        raise RuntimeError("sparse.sum: input must be a sparse tensor (use torch.sum for a "
                           "dense one)")
    _refuse_hybrid(input, "sparse.sum")
    refuse_capture("sparse.sum()")
    vals = input._vals if dtype is None else input._vals.to(dtype)
    ndim = input.ndim
    dims = range(ndim) if dim is None else (dim,) if isinstance(dim, builtins.int) else dim
    drop = set()
    for d in dims:
        if not -ndim <= d < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-ndim}, {ndim - 1}], but got {d})")
        drop.add(d % ndim)
    keep = [d for d in range(ndim) if d not in drop]
    if not keep:
        return vals.sum()
    shape = tuple(input.shape[d] for d in keep)
    return _coo(input._ind[keep], vals, shape, coalesced=False).coalesce()


def _slices(input: Tensor, dim: builtins.int, dtype: DTypeLike | None, name: str) -> tuple:
    """The coalesced tensor, its values (cast) and, per value, the number of its slice along
    ``dim`` (the values sharing every other coordinate), the values' max per slice, and the
    number of slices."""
    if not input.is_sparse:
        raise RuntimeError(f"sparse.{name}: input must be a sparse tensor")
    ndim = input.ndim
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, "
                         f"{ndim - 1}], but got {dim})")
    _refuse_hybrid(input, f"sparse.{name}")
    refuse_capture(f"sparse.{name}()")
    c = input.coalesce()
    vals = c._vals if dtype is None else c._vals.to(dtype)
    others = np.delete(c._ind, dim % ndim, axis=0)
    shape = tuple(np.delete(np.asarray(c.shape), dim % ndim))
    slot = _linear(others, shape) if ndim > 1 else np.zeros(c._nnz(), np.intp)
    uniq, group = np.unique(slot, return_inverse=True)
    top = np.full(uniq.size, -np.inf, dtype=vals._data.dtype)
    np.maximum.at(top, group.reshape(-1), vals._data)
    return c, vals, group.reshape(-1), top, uniq.size


def _shifted_exp_sums(vals: Tensor, group: np.ndarray, top: np.ndarray,
                      n: builtins.int) -> tuple:
    shifted = vals - Tensor._make(top[group], None, False)  # the max: a constant shift
    e = shifted.exp()
    return shifted, e, IndexAdd.apply(e, index=group, basic=False, shape=(n,))[group]


def softmax(input: Tensor, dim: builtins.int, *, dtype: DTypeLike | None = None) -> Tensor:
    """Return the softmax of a sparse tensor's stored values along ``dim``: sparse, coalesced.

    ``torch.sparse.softmax``: each slice along ``dim`` is normalised over its stored entries
    (the unstored ones count as minus infinity, so they stay unstored). Differentiable in the
    values.

    Args:
        input (Tensor): a sparse tensor.
        dim (int): the dimension along which the slices run.
        dtype (dtype, optional): cast the values to it first.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.sparse_coo_tensor([[0, 0, 1], [0, 1, 2]], [2.0, 0.5, 3.0], (2, 3))
        >>> ag.sparse.softmax(a, 1).values()
        tensor([0.8176, 0.1824, 1.0000])
    """
    c, vals, group, top, n = _slices(input, dim, dtype, "softmax")
    _, e, sums = _shifted_exp_sums(vals, group, top, n)
    return _coo(c._ind, e / sums, c.shape, coalesced=True)


def log_softmax(input: Tensor, dim: builtins.int, *,
                dtype: DTypeLike | None = None) -> Tensor:
    """Return the log-softmax of a sparse tensor's stored values along ``dim`` (as
    ``sparse.softmax``; ``torch.sparse.log_softmax``).

    Args:
        input (Tensor): a sparse tensor.
        dim (int): the dimension along which the slices run.
        dtype (dtype, optional): cast the values to it first.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.sparse_coo_tensor([[0, 0, 1], [0, 1, 2]], [2.0, 0.5, 3.0], (2, 3))
        >>> ag.sparse.log_softmax(a, 1).values()
        tensor([-0.2014, -1.7014,  0.0000])
    """
    c, vals, group, top, n = _slices(input, dim, dtype, "log_softmax")
    shifted, _, sums = _shifted_exp_sums(vals, group, top, n)
    return _coo(c._ind, shifted - sums.log(), c.shape, coalesced=True)
