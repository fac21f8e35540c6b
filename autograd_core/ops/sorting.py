"""Ordering: ``sort``, ``argsort`` and ``topk`` (values and indices, as PyTorch's named
tuples), and the elementwise predicates ``all``, ``any``, ``isclose`` and ``allclose``.
Values are gathered from the input, so their gradient flows back to where they came from."""

from __future__ import annotations

import builtins
from typing import Any
from collections import namedtuple

import numpy as np

from autograd_core.ops import _args
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.scatter import Gather
from autograd_core.tensor import Tensor

#: ``torch.return_types.sort`` / ``topk``: ``values`` and ``indices`` by name or position
SortResult = namedtuple("sort", ["values", "indices"])  # type: ignore[name-match]
TopkResult = namedtuple("topk", ["values", "indices"])  # type: ignore[name-match]


def _arr(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _order(x, d, descending):
    """Indices sorting ``x`` along ``d``; stable in both directions (equal elements keep their
    order), NaN counted as the largest value (as PyTorch)."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    n = x.shape[d]
    rev = np.argsort(np.flip(x, d), axis=d, kind="stable")
    return np.flip(n - 1 - rev, d).astype(np.int64)


#: From rows this long ``_order_head`` and ``_order_at`` select with ``np.partition`` (O(n))
#: instead of sorting the whole row; below, the full stable sort costs no more
SELECT_MIN = 64


def _selectable(x, d):
    """True when ``x``'s rows along ``d`` can be partitioned: long enough, real numbers
    without NaN (NaN orders by PyTorch's rule, not numpy's comparisons)."""
    return x.ndim > 0 and x.shape[d] >= SELECT_MIN and x.dtype.kind in "fiu" and \
        not (x.dtype.kind == "f" and np.isnan(x).any())


def _rows(x, d):
    """``x`` with ``d`` moved last, as a 2-D array of rows."""
    return np.moveaxis(x, d, -1).reshape(-1, x.shape[d])


def _unrows(r, x, d):
    """``r``, rows of ``x`` along ``d`` (any length), back in ``x``'s layout of dims."""
    shape = tuple(np.delete(x.shape, d)) + (r.shape[1],)
    return np.moveaxis(r.reshape(shape), -1, d)


def _order_head(x, d, k, descending):
    """``_order(x, d, descending)``'s first ``k`` positions along ``d`` (int64): topk's. Rows
    of at least ``SELECT_MIN`` with ``4k`` at most their length select their ``k`` with a
    partition and sort those alone, the same indices (the ``k``-th value's ties kept in
    index order: a row where they reach past ``k`` takes the full sort)."""
    n = x.shape[d] if x.ndim else 1
    if 0 < k and 4 * k <= n and _selectable(x, d):
        rows = _rows(x, d)
        if descending:
            v = np.partition(rows, n - k, axis=1)[:, n - k:n - k + 1]
            mask = rows >= v
        else:
            v = np.partition(rows, k - 1, axis=1)[:, k - 1:k]
            mask = rows <= v
        if (mask.sum(1) == k).all():  # no tie of the k-th value beyond the k
            cols = np.nonzero(mask)[1].reshape(-1, k)  # each row's, in index order
            vals = np.take_along_axis(rows, cols, 1)
            top = np.take_along_axis(cols, _order(vals, 1, descending), 1)
            return _unrows(top.astype(np.int64), x, d)
    return np.take(_order(x, d, descending), np.arange(k), axis=d).astype(np.int64)


def _order_at(x, d, k):
    """``_order(x, d, False)``'s position ``k`` along ``d`` (int64, kept as a dim of 1):
    kthvalue's and median's. From rows of ``SELECT_MIN`` a partition finds the value, and
    its ties are counted in index order (the stable sort's), instead of sorting the row."""
    if _selectable(x, d):
        rows = _rows(x, d)
        v = np.partition(rows, k, axis=1)[:, k:k + 1]
        below = (rows < v).sum(1, keepdims=True)
        tie = rows == v
        # the (k - below)-th of the ties, counting from 0, in index order
        at = np.argmax(tie & (np.cumsum(tie, axis=1) == k - below + 1), axis=1)
        return _unrows(at.astype(np.int64)[:, None], x, d)
    return np.take(_order(x, d, False), [k], axis=d).astype(np.int64)


def _no_complex(x, what="Sort"):
    if x.dtype.kind == "c":  # PyTorch's wording, its leading space included
        raise RuntimeError(f" {what} does not support complex dtypes on CPU")


def _sorted(input, dim, descending, k=None):
    x = _arr(input)
    _no_complex(x)
    if x.ndim == 0:
        idx = np.zeros((), np.int64)
        return input.clone() if isinstance(input, Tensor) else Tensor._wrap(x.copy()), idx
    d = _args.norm_dim(dim, x.ndim, "sort")
    if k is not None:
        idx = _order_head(x, d, k, descending)
    else:
        idx = _order(x, d, descending).astype(np.int64)
    return Gather.apply(input, index=idx, dim=d), idx


@op("sort", reads_values=True, method=True, samples=[
    Sample("sort", lambda a: sort(a).values * 1.5, domain="distinct"),
    Sample("sort_descending", lambda a: sort(a, 0, descending=True)[0], domain="distinct",
           min_ndim=1)])
def sort(input: Tensor, dim: builtins.int = -1, descending: builtins.bool = False, *,
         stable: builtins.bool = False) -> Any:
    """Sort ``input`` along ``dim``; return the named tuple ``(values, indices)``.

    Always stable here: equal elements keep their order in both directions (PyTorch's
    ``stable=False`` does not promise an order; that order is one of those it allows).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to sort. Default: -1.
        descending (bool): largest first. Default: False.
        stable (bool): accepted; sorting is always stable.

    Example::

        >>> import autograd_core as ag
        >>> ag.sort(ag.tensor([3, 1, 2]))
        sort(values=tensor([1, 2, 3]), indices=tensor([1, 2, 0]))
        >>> ag.tensor([3, 1, 2]).sort(descending=True).values
        tensor([3, 2, 1])
    """
    values, idx = _sorted(input, dim, descending)
    return SortResult(values, Tensor._make(idx, None, False))


@op("argsort", reads_values=True, method=True, samples=())
def argsort(input: Tensor, dim: builtins.int = -1, descending: builtins.bool = False, *,
            stable: builtins.bool = False) -> Tensor:
    """Return the int64 indices that sort ``input`` along ``dim`` (stable, see ``sort``).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to sort. Default: -1.
        descending (bool): largest first. Default: False.
        stable (bool): accepted; sorting is always stable.

    Example::

        >>> import autograd_core as ag
        >>> ag.argsort(ag.tensor([3, 1, 2]))
        tensor([1, 2, 0])
    """
    x = _arr(input)
    _no_complex(x)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64), None, False)
    d = _args.norm_dim(dim, x.ndim, "argsort")
    return Tensor._make(_order(x, d, descending).astype(np.int64), None, False)


@op("topk", reads_values=True, method=True, samples=[
    Sample("topk", lambda a: topk(a, min(1, a.shape[-1] if a.ndim else 1)).values * 2.0,
           domain="distinct"),
    Sample("topk_smallest", lambda a: topk(a, min(2, a.shape[-1]), dim=-1, largest=False)[0], domain="distinct",
           min_ndim=1)])
def topk(input: Tensor, k: builtins.int, dim: builtins.int = -1, largest: builtins.bool = True,
         sorted: builtins.bool = True) -> Any:
    """Return the ``k`` largest elements of ``input`` along ``dim`` and their indices.

    A named tuple ``(values, indices)``; ``largest=False`` gives the smallest. The gradient goes
    to the chosen elements.

    Args:
        input (Tensor): the input tensor.
        k (int): how many.
        dim (int): the dimension. Default: -1.
        largest (bool): the largest (True) or the smallest. Default: True.
        sorted (bool): return them in sorted order. Default: True.

    Example::

        >>> import autograd_core as ag
        >>> ag.topk(ag.tensor([1.0, 5.0, 3.0]), 2)
        topk(values=tensor([5., 3.]), indices=tensor([1, 2]))
    """
    x = _arr(input)
    _no_complex(x, "topk")
    d = _args.norm_dim(dim, x.ndim, "topk")
    size = x.shape[d] if x.ndim else 1
    if not isinstance(k, (int, np.integer)) or k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    values, idx = _sorted(input, d, largest, k=int(k) if x.ndim else None)
    return TopkResult(values, Tensor._make(idx, None, False))


# ---- predicates (bool results, no gradient) ----------------------------------------------

def _predicate(name, fn, example):
    def reduce_(input, dim=None, keepdim=False):
        x = _arr(input)
        dims, keep = _args.dims(dim, None, keepdim, None, x.ndim)
        y = np.asarray(fn(x, axis=dims, keepdims=keep))
        if x.dtype == np.uint8:  # PyTorch's legacy rule: a uint8 input gives uint8 (0 or 1)
            y = y.astype(np.uint8)
        return Tensor._make(y, None, False)

    reduce_.__name__ = reduce_.__qualname__ = name
    word = "every" if name == "all" else "any"
    reduce_.__doc__ = (
        f"Test whether {word} element of ``input`` along ``dim`` (all dims when None) is "
        "non-zero; a bool tensor (uint8 for a uint8 input, as PyTorch's), not "
        "differentiable.\n\n"
        "Args:\n    input (Tensor): the input tensor.\n"
        "    dim (int or tuple of ints, optional): the dimension(s) to reduce.\n"
        "    keepdim (bool): keep the reduced dimensions with size 1. Default: False.\n\n"
        "Example::\n\n    >>> import autograd_core as ag\n"
        "    >>> x = ag.tensor([[True, False], [True, True]])\n"
        f"    >>> ag.{name}(x), ag.{name}(x, dim=1)\n    {example}\n")
    return op(name, method=True, samples=())(reduce_)


all = _predicate("all", np.all, "(tensor(False), tensor([False,  True]))")
any = _predicate("any", np.any, "(tensor(True), tensor([True, True]))")


def _close(name, input, other, rtol, atol, equal_nan):
    a, b = _arr(input), _arr(other)
    if isinstance(input, Tensor) and isinstance(other, Tensor) and a.dtype != b.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    try:
        return np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError:
        raise _args.broadcast_error(name, a, b) from None


@op("isclose", method=True, samples=(), elementwise=True)
def isclose(input: Tensor, other: Any, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
            equal_nan: builtins.bool = False) -> Tensor:
    """Return a bool tensor: where ``|input - other| <= atol + rtol * |other|``.

    Args:
        input (Tensor): the first tensor.
        other (Tensor or number): the second.
        rtol (float): relative tolerance. Default: 1e-05.
        atol (float): absolute tolerance. Default: 1e-08.
        equal_nan (bool): count two NaNs as close. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.isclose(ag.tensor([1.0, 1.1]), ag.tensor([1.0, 1.0]))
        tensor([ True, False])
    """
    return Tensor._make(np.asarray(_close("isclose", input, other, rtol, atol, equal_nan)),
                        None, False)


@op("allclose", method=True, samples=(), elementwise=True)
def allclose(input: Tensor, other: Any, rtol: builtins.float = 1e-05, atol: builtins.float = 1e-08,
             equal_nan: builtins.bool = False) -> builtins.bool:
    """Return True if ``isclose`` holds for every element (a Python bool).

    Args:
        input (Tensor): the first tensor.
        other (Tensor or number): the second.
        rtol (float): relative tolerance. Default: 1e-05.
        atol (float): absolute tolerance. Default: 1e-08.
        equal_nan (bool): count two NaNs as close. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.allclose(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.0 + 1e-9]))
        True
    """
    return bool(np.all(_close("allclose", input, other, rtol, atol, equal_nan)))
