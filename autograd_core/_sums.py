"""Float sums as accurate as PyTorch's CPU reductions (numpy adds an outer axis's rows one
after another). Used by the reductions, the engine's broadcast-undoing sums and the layers'
parameter gradients; imports numpy only."""

from __future__ import annotations

import math
import operator

import numpy as np

from autograd_core._quiet import enter, ignoring, leave

#: rows an outer-axis float reduction adds one after another before it cascades (``fsum``)
CASCADE_ROWS = 1024
_CASCADE = {np.dtype(np.float16): np.dtype(np.float32), np.dtype(np.float32): None,
            np.dtype(np.complex64): None}


def fsum(x, axis=None, keepdims=False):
    """``x.sum(axis, keepdims)`` of an array, summed as PyTorch's CPU kernel where numpy's is
    far less accurate: numpy adds the rows of an outer axis (``axis=0`` of a matrix) one after
    another, so a float32 sum's error grows with their number (60,000 rows of 0.1: 6e-4
    relative; PyTorch's cascade 1.5e-7). Over more than ``CASCADE_ROWS`` such rows, groups of
    16 are summed, then groups of 16 of those, ... Below it, numpy's sum bit for bit (a
    batch's bias gradient). float16 rows are added in float32 and rounded once, as PyTorch
    accumulates half (numpy rounds each partial sum to half)."""
    axis = _axes(axis)
    if x.size <= CASCADE_ROWS and x.dtype.char != "e":  # short: numpy's sum (no plan to make)
        return np.add.reduce(x, axis=axis, keepdims=keepdims)  # = x.sum(), its warnings
    plan = _cascade_plan(x, axis)                              # named from here
    if plan is None:
        return np.add.reduce(x, axis=axis, keepdims=keepdims)
    return _cascade(x, plan, keepdims).astype(x.dtype, copy=False)


def fmean(x, axis=None, keepdims=False):
    """``np.mean(x, axis, keepdims)`` with ``fsum``'s sum."""
    axis = _axes(axis)
    plan = _cascade_plan(x, axis)
    if plan is None:
        if x.size and x.dtype.char in "fdFD":
            return _plain_mean(x, axis, keepdims)
        return ignoring(np.mean, x, axis=axis, keepdims=keepdims)
    n = math.prod(x.shape[plan[0]:plan[1]])
    return (_cascade(x, plan, keepdims) / np.float64(n)).astype(x.dtype)


def _plain_mean(x, axis, keepdims):
    """``np.mean`` of a non-empty float32/64 or complex array, bit for bit, without its Python
    wrapper (~4 us of a small mean): numpy's sum, divided by the count as an ``intp`` (so in
    float64 / complex128, rounded into the dtype, as numpy's ``_mean`` does)."""
    token = enter()
    try:
        s = np.add.reduce(x, axis=axis, keepdims=keepdims)
    finally:
        leave(token)
    n = np.intp(x.size // s.size)
    if type(s) is np.ndarray:
        return np.true_divide(s, n, out=s, casting="unsafe")
    return s.dtype.type(s / n)


def _axes(axis):
    """``axis`` as numpy's sum takes it: None, an int, or a tuple of ints (a list or a numpy
    integer, as a caller's ``dim`` may be, are not all accepted by numpy or by the plan)."""
    if axis is None or type(axis) is int:
        return axis
    if isinstance(axis, (list, tuple)):
        return tuple(operator.index(a) for a in axis)
    return operator.index(axis)


def _cascade_plan(x, axis):
    """``(lo, hi)``: ``fsum`` reduces the axes ``lo:hi`` of ``x`` by cascade; None: numpy's sum
    is pairwise (an inner axis) or short there, or the axes are not one run."""
    dt = x.dtype
    if dt not in _CASCADE or x.ndim < 2:
        return None
    shape = x.shape
    axes = range(x.ndim) if axis is None else sorted(
        a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    if not len(axes):
        return None
    lo, hi = axes[0], axes[-1] + 1
    if (hi - lo != len(axes) or math.prod(shape[hi:]) == 1 and x.flags.c_contiguous
            or math.prod(shape[lo:hi]) <= CASCADE_ROWS and _CASCADE[dt] is None):
        return None
    return lo, hi


def _cascade(x, plan, keepdims):
    """The sum over ``plan``'s axes in groups of 16 rows, in the accumulation dtype."""
    lo, hi = plan
    shape = x.shape
    n = math.prod(shape[lo:hi])
    post = math.prod(shape[hi:])
    acc = _CASCADE[x.dtype]
    x3 = np.ascontiguousarray(x).reshape(math.prod(shape[:lo]), n, post)  # (a transpose's
    # rows are its columns: numpy adds them one after another too)
    if acc is not None:
        x3 = x3.astype(acc)
    while n > 16:
        k = n - n % 16
        head = np.add.reduce(x3[:, :k].reshape(x3.shape[0], k // 16, 16, post), axis=2)
        if k != n:
            head = np.concatenate([head, np.add.reduce(x3[:, k:], axis=1, keepdims=True)],
                                  axis=1)
        x3 = head
        n = x3.shape[1]
    out = np.add.reduce(x3, axis=1)
    if keepdims:
        return out.reshape(tuple(1 if lo <= i < hi else s for i, s in enumerate(shape)))
    return out.reshape(shape[:lo] + shape[hi:])
