"""Pointwise kernels for ops' hot paths: one loop where the op made several numpy calls.

At the sizes people train small networks at, each numpy call costs about a microsecond of
dispatch whatever it computes (a broadcast bias add on a 64x16 batch takes 1.3 us, as long as
the matrix product before it). Each kernel here replaces a short sequence of numpy calls by one
Numba loop that performs the same IEEE operations on each element, in the same order, with
constants of the arrays' dtype: no transcendental function (numpy's exp/log differ from LLVM's
in the last bit), no reassociation, no fused multiply-add (fastmath stays off). So its results
equal the numpy sequence bit for bit, and that sequence is its twin (``*_numpy``), the
specification, run instead with ``TAPEGRAD_KERNELS=numpy``::

    bias_add_(out, bias)                    out += bias       (bias along the last axis)
    bce_logits_tail_(loss, x, y)            loss += max(x, 0); loss -= x * y
    rows_add_(out, index, rows)             np.add.at(out, index, rows): out[index[i]] += rows[i]
    along_add_(out, index, g)               np.add.at(out, (:, index), g) of 3-d out (A, n, B) and
                                            g (A, k, B): out[:, index[i]] += g[:, i]
                                            for each i in order (embedding and indexing backward)
    linear_along(x, i0, i1, w0, w1)         x[:, i0] * w0 + x[:, i1] * w1 of 3-d x (A, n, B),
                                            w0, w1 along the middle dim (interpolate's
                                            linear modes): no temporaries
    swaps_(perm, picks)                     for i in order: swap perm[i], perm[i + picks[i]]
                                            (randperm's Fisher-Yates; integers only)
    fma_alpha(a, b, alpha)                  a + alpha * b rounded once (ATen's add(alpha=))
    fma_arrays(x, y, z)                     x * y + z rounded once (addcmul, lerp)
    fill_where(x, mask, value)              np.where(mask, value, x) (x[mask] = value; its
                                            backward's zeros): branch-free, ~10x numpy's
                                            boolean indexing on a random mask
    select(mask, a, b)                      np.where(mask, a, b) for two arrays of one shape
                                            and dtype, branch-free (numpy's where branches)
    row_means(x)                            np.add.reduce(x, axis=1) / n of (R, n) rows, n
                                            8 to 128 (a global average pool's planes):
                                            numpy's own order (eight partial sums, then
                                            pairs, then the rest), 3x numpy's per-row calls
    cumsum32(x, axis, reverse)              float32 running sum accumulated in float64, each
                                            value rounded (ATen's): one pass, no float64 copies
    gather_along(x, index, dim)             x[i][index[i][j][k]][k] (gather) when index has
                                            x's extents outside dim; None otherwise
    scatter_along_(out, index, dim, src,    out[i][index[i][j][k]][k] = src[i][j][k] (mask
                   mask=None, add=False)    True there), or += (add): in C order, as numpy's
                                            fancy assignment and add.at; False if not run

``fma_alpha`` and ``fma_arrays`` are the kernels that fuse, on purpose: its twin is ``optim.numpy_fma``
(float32 through float64, float64 by Dekker's product), equal to ``llvm.fma`` but for a
double rounding near ties.

(The loss kernels that evaluate ``exp`` and ``log1p`` in their loop are in ``losses``.)

Every kernel takes what its twin takes and returns what its twin returns. The loop runs only
on the common case, checked before it runs: 2-D float32/float64 arrays (any strides) of one
dtype and one shape (``bias`` 1-D, as long as ``out``'s rows; ``rows_add_``'s ``index`` 1-D
``intp``, ``rows`` one row per index; its loop checks every index, negative ones counted from
the end as numpy's, before it writes); anything else (other
ranks, broadcasting, mixed dtypes, integers; an array written in place that does not own its
memory, is read-only or is viewed by another argument) runs the twin, so no loop can read or
write out of bounds or read what it has already written. The checks are attribute reads and
identity tests: at the sizes these kernels are for, a check as costly as a
numpy call would eat the gain. The loops are serial at every size: the numpy sequences they
replace are serial too, and make one pass over memory per call where a loop makes one.
Importing this module does not import numba.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_core.kernels import _jit

__all__ = ["bias_add_", "bce_logits_tail_", "rows_add_", "swaps_", "fma_alpha", "fma_arrays",
           "fill_where", "fill_where_numpy", "select", "select_numpy", "cumsum32",
           "cumsum32_numpy", "row_means", "row_means_numpy", "gather_along", "scatter_along_",
           "bias_add_numpy", "bce_logits_tail_numpy", "rows_add_numpy", "swaps_numpy",
           "along_add_", "along_add_numpy", "linear_along", "linear_along_numpy"]

_ndarray = np.ndarray
# numpy's canonical float descriptors (an array with another descriptor object, e.g. a
# non-native byte order, simply takes the twin)
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


# ---- numpy twins (the specification) ------------------------------------------------------
def bias_add_numpy(out, bias):
    out += bias
    return out


def bce_logits_tail_numpy(loss, x, y):
    loss += np.maximum(x, 0)
    loss -= x * y
    return loss


def rows_add_numpy(out, index, rows):
    np.add.at(out, index, rows)
    return out


def along_add_numpy(out, index, g):
    np.add.at(out, (slice(None), index), g)
    return out


def linear_along_numpy(x, i0, i1, w0, w1):
    out = np.take(x, i0, axis=1)
    out *= w0[:, None]
    other = np.take(x, i1, axis=1)
    other *= w1[:, None]
    out += other
    return out


def fill_where_numpy(x, mask, value):
    return np.where(mask, x.dtype.type(value), x)


def select_numpy(mask, a, b):
    return np.where(mask, a, b)


def cumsum32_numpy(x, axis, reverse=False):
    if reverse:
        return np.flip(cumsum32_numpy(np.flip(x, axis), axis), axis).copy()
    # (+ 0.0: the sum starts from +0, as ATen's, so no running sum is -0; numpy's starts from
    # the first element)
    return (np.cumsum(x.astype(np.float64), axis=axis) + 0.0).astype(np.float32)


def row_means_numpy(x):
    return np.add.reduce(x, axis=1) / x.dtype.type(x.shape[1])


def swaps_numpy(perm, picks):
    p = perm.tolist()
    for i, z in enumerate(picks.tolist()):
        j = i + z
        p[i], p[j] = p[j], p[i]
    perm[:] = p
    return perm


def swaps_back_numpy(perm, picks):
    p = perm.tolist()
    for i, j in enumerate(picks.tolist()):
        p[i], p[j] = p[j], p[i]
    perm[:] = p
    return perm



# ---- Numba loops (2-D arrays, any strides) ---------------------------------------------------
def _bias_add(out, bias):
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] += bias[j]


def _bce_logits_tail(loss, x, y):
    zero = _cast(0.0, x[0, 0])
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            v = x[i, j]
            # np.maximum(v, 0): v when v > 0 or v is NaN (NaN propagates), else 0 (+0 for
            # v = -0.0, as numpy's vector loops give)
            t = loss[i, j] + (v if v > zero or v != v else zero)
            loss[i, j] = t - v * y[i, j]


def _rows_add(out, index, rows):
    n = out.shape[0]
    for i in range(index.shape[0]):  # every index checked before anything is written
        if index[i] < -n or index[i] >= n:
            return False
    for i in range(index.shape[0]):
        r = index[i]
        if r < 0:  # numpy's negative index
            r += n
        for j in range(rows.shape[1]):
            out[r, j] += rows[i, j]
    return True


def _along_add(out, index, g):
    n = out.shape[1]
    for i in range(index.shape[0]):  # every index checked before anything is written
        if index[i] < -n or index[i] >= n:
            return False
    for a in range(out.shape[0]):
        for i in range(index.shape[0]):
            r = index[i]
            if r < 0:  # numpy's negative index
                r += n
            for b in range(out.shape[2]):
                out[a, r, b] += g[a, i, b]
    return True


def _linear_along(x, i0, i1, w0, w1, out):
    n = x.shape[1]
    for j in range(i0.shape[0]):  # every index checked before anything is read
        if i0[j] < 0 or i0[j] >= n or i1[j] < 0 or i1[j] >= n:
            return False
    for a in range(x.shape[0]):
        for j in range(i0.shape[0]):
            r0, r1, c0, c1 = i0[j], i1[j], w0[j], w1[j]
            for b in range(x.shape[2]):
                out[a, j, b] = x[a, r0, b] * c0 + x[a, r1, b] * c1
    return True


def _swaps(perm, picks):
    for i in range(picks.shape[0]):
        j = i + picks[i]
        t = perm[i]
        perm[i] = perm[j]
        perm[j] = t


def _swaps_back(perm, picks):
    for i in range(picks.shape[0]):
        j = picks[i]
        t = perm[i]
        perm[i] = perm[j]
        perm[j] = t


def _fma_alpha(out, a, b, alpha):
    for i in range(out.shape[0]):
        out[i] = _fma(b[i], alpha, a[i])


def _fma_arrays(out, x, y, z):
    for i in range(out.shape[0]):
        out[i] = _fma(x[i], y[i], z[i])


def _fill_where(out, x, mask, value):
    for i in range(out.shape[0]):
        out[i] = value if mask[i] else x[i]


def _select(out, mask, a, b):
    for i in range(out.shape[0]):
        out[i] = a[i] if mask[i] else b[i]


def _gather3(out, x, index):  # x (outer, n, inner), index and out (outer, k, inner)
    n = x.shape[1]
    for o in range(index.shape[0]):
        for j in range(index.shape[1]):
            for r in range(index.shape[2]):
                i = index[o, j, r]
                if i < 0 or i >= n:
                    return False
                out[o, j, r] = x[o, i, r]
    return True


def _in_range(index, n):  # (1-D; branch-free: vectorised)
    bad = False
    for i in range(index.shape[0]):
        v = index[i]
        bad |= (v < 0) | (v >= n)
    return not bad


def _scatter3(out, index, src, mask):  # out (outer, n, inner), the others (outer, k, inner)
    for o in range(index.shape[0]):
        for j in range(index.shape[1]):
            for r in range(index.shape[2]):
                i = index[o, j, r]
                out[o, i, r] = src[o, j, r]
                mask[o, i, r] = True


def _scatter_add3(out, index, src):
    for o in range(index.shape[0]):
        for j in range(index.shape[1]):
            for r in range(index.shape[2]):
                out[o, index[o, j, r], r] += src[o, j, r]


def _cumsum32(out, x, reverse):  # (outer, n, inner) arrays
    n, inner = x.shape[1], x.shape[2]
    first = 0
    if inner == 1:  # rows' sums: four at once (four independent chains of additions)
        first = x.shape[0] - x.shape[0] % 4
        for o in range(0, first, 4):
            a0 = a1 = a2 = a3 = 0.0
            for step in range(n):
                j = n - 1 - step if reverse else step
                a0 += np.float64(x[o, j, 0])
                a1 += np.float64(x[o + 1, j, 0])
                a2 += np.float64(x[o + 2, j, 0])
                a3 += np.float64(x[o + 3, j, 0])
                out[o, j, 0] = np.float32(a0)
                out[o + 1, j, 0] = np.float32(a1)
                out[o + 2, j, 0] = np.float32(a2)
                out[o + 3, j, 0] = np.float32(a3)
    acc = np.empty(inner, np.float64)
    for o in range(first, x.shape[0]):
        acc[:] = 0.0
        for step in range(n):
            j = n - 1 - step if reverse else step
            for k in range(inner):
                acc[k] += np.float64(x[o, j, k])
                out[o, j, k] = np.float32(acc[k])


def _row_means(x, out):
    """numpy's pairwise sum of a block of 8 to 128 values (``pairwise_sum`` in its loops):
    eight partial sums from the first eight values, then ``((0+1)+(2+3))+((4+5)+(6+7))``,
    then the values past the last multiple of 8 one by one; divided by ``n``."""
    R, n = x.shape
    m = n - n % 8
    d = _cast(n, x[0, 0])
    for r in range(R):
        a = x[r]
        s0, s1, s2, s3, s4, s5, s6, s7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
        for i in range(8, m, 8):
            s0 += a[i]
            s1 += a[i + 1]
            s2 += a[i + 2]
            s3 += a[i + 3]
            s4 += a[i + 4]
            s5 += a[i + 5]
            s6 += a[i + 6]
            s7 += a[i + 7]
        t = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        for i in range(m, n):
            t += a[i]
        out[r] = t / d


_cast = _jit.cast
_fma = _jit.fma
_BUILDS = {fn.__name__: _jit.jit(fn) for fn in (_bias_add, _bce_logits_tail, _rows_add, _along_add,
                                                 _linear_along,
                                                 _swaps, _swaps_back, _fma_alpha,
                                                 _fma_arrays, _fill_where, _select,
                                                 _cumsum32, _gather3, _in_range,
                                                 _scatter3, _scatter_add3, _row_means)}
_loop = _jit.dispatchers(_BUILDS)  # name -> its Numba dispatcher (None: numpy backend)
_DISPATCHERS = _loop.table


def _own(out, *others):
    """True when ``out`` is a writable array owning its memory that none of ``others`` is or
    views (numpy gives a view of a view the owner as ``base``): the loops write ``out`` while
    reading the others, where numpy's in-place ufuncs copy overlapping inputs first."""
    if out.base is not None or not out.flags.writeable:
        return False
    for a in others:
        if a is out or a.base is out:
            return False
    return True


# ---- public kernels -------------------------------------------------------------------------
def bias_add_(out, bias):
    """``out += bias`` in place, ``bias`` along ``out``'s last axis; returns ``out``.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.bias_add_(np.zeros((2, 3)), np.array([1.0, 2.0, 3.0]))
        array([[1., 2., 3.],
               [1., 2., 3.]])
    """
    if type(out) is _ndarray and type(bias) is _ndarray and out.ndim == 2 and bias.ndim == 1:
        d = out.dtype
        # _own(out, bias) inline: a linear layer's fresh product, at every step
        if (d is _F32 or d is _F64) and bias.dtype is d and out.shape[1] == bias.shape[0] \
                and out.base is None and out.flags.writeable and bias.base is not out:
            loop = _loop("_bias_add")
            if loop is not None:
                loop(out, bias)
                return out
    return bias_add_numpy(out, bias)


def bce_logits_tail_(loss, x, y):
    """``loss += max(x, 0); loss -= x * y`` in place (the end of the stable binary
    cross-entropy with logits, ``loss`` holding ``log1p(exp(-|x|))``); returns ``loss``.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> one = np.ones((1, 2))
        >>> pointwise.bce_logits_tail_(one, np.array([[2.0, -1.0]]), np.array([[1.0, 0.0]]))
        array([[1., 1.]])
    """
    if type(loss) is _ndarray and type(x) is _ndarray and type(y) is _ndarray and x.ndim == 2:
        d = x.dtype
        if (d is _F32 or d is _F64) and loss.dtype is d and y.dtype is d and \
                loss.shape == x.shape == y.shape and x.size and _own(loss, x, y):
            loop = _loop("_bce_logits_tail")
            if loop is not None:
                loop(loss, x, y)
                return loss
    return bce_logits_tail_numpy(loss, x, y)


def fma_alpha(a, b, alpha):
    """``a + alpha * b`` rounded once, a new array (``alpha`` a number of their dtype), for two
    C-contiguous float32/float64 arrays of one shape and dtype; None for anything else, or
    under ``TAPEGRAD_KERNELS=numpy``: the caller then runs the twin, ``optim.numpy_fma``
    (which broadcasts; not imported here: ``optim`` imports ``creation``, which imports this
    module through ``random``).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.fma_alpha(np.ones(2), np.array([2.0, 4.0]), 0.5)
        array([2., 3.])
    """
    d = a.dtype
    if (d is _F32 or d is _F64) and b.dtype is d and a.shape == b.shape and a.size and \
            a.flags.c_contiguous and b.flags.c_contiguous:
        loop = _loop("_fma_alpha")
        if loop is not None:
            out = np.empty_like(a)
            loop(out.reshape(-1), a.reshape(-1), b.reshape(-1), d.type(alpha))
            return out
    return None


def fma_arrays(x, y, z):
    """``x * y + z`` rounded once, a new array, for three C-contiguous float32/float64 arrays
    of one shape and dtype; None otherwise or under ``TAPEGRAD_KERNELS=numpy`` (the caller
    then runs the twin, ``optim.numpy_fma``).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.fma_arrays(np.array([0.5, 2.0]), np.array([2.0, 4.0]), np.ones(2))
        array([2., 9.])
    """
    d = x.dtype
    if (d is _F32 or d is _F64) and y.dtype is d and z.dtype is d and \
            x.shape == y.shape == z.shape and x.size and x.flags.c_contiguous and \
            y.flags.c_contiguous and z.flags.c_contiguous:
        loop = _loop("_fma_arrays")
        if loop is not None:
            out = np.empty_like(x)
            loop(out.reshape(-1), x.reshape(-1), y.reshape(-1), z.reshape(-1))
            return out
    return None


def fill_where(x, mask, value):
    """``np.where(mask, value, x)`` as a new array of ``x``'s dtype (``value`` a number, cast
    to it), for a C-contiguous float32/float64 ``x`` and a bool ``mask`` of its shape: one
    branch-free pass (numpy's boolean indexing and ``where`` branch on each element: ~4-8 ms
    for 1e6 values under a random mask), non-contiguous arrays copied first; the twin for
    anything else.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.fill_where(np.arange(3.0), np.array([True, False, True]), -1.0)
        array([-1.,  1., -1.])
    """
    d = x.dtype
    if type(x) is _ndarray and type(mask) is _ndarray and (d is _F32 or d is _F64) and \
            mask.dtype == np.bool_ and mask.shape == x.shape and x.size:
        loop = _loop("_fill_where")
        if loop is not None:
            out = np.empty(x.shape, d)  # (x's shape: ascontiguousarray makes a 0-d one 1-d)
            x = np.ascontiguousarray(x)  # (a broadcast gradient, say: one copy)
            mask = np.ascontiguousarray(mask)
            loop(out.reshape(-1), x.reshape(-1), mask.reshape(-1), d.type(value))
            return out
    return fill_where_numpy(x, mask, value)


def select(mask, a, b):
    """``np.where(mask, a, b)``, for float32/float64 arrays ``a`` and ``b`` of one dtype and
    shape and a bool ``mask`` of that shape: one branch-free pass (numpy's ``where`` branches on
    each element: ~3.7 ms for 1e6 values under a random mask, ~0.3 ms here), non-contiguous
    arrays copied first; the twin for anything else.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.select(np.array([True, False]), np.zeros(2), np.ones(2))
        array([0., 1.])
    """
    d = a.dtype
    if type(a) is _ndarray and type(b) is _ndarray and type(mask) is _ndarray and \
            (d is _F32 or d is _F64) and b.dtype is d and mask.dtype == np.bool_ and \
            a.shape == b.shape == mask.shape and a.size:
        loop = _loop("_select")
        if loop is not None:
            out = np.empty(a.shape, d)
            loop(out.reshape(-1), np.ascontiguousarray(mask).reshape(-1),
                 np.ascontiguousarray(a).reshape(-1), np.ascontiguousarray(b).reshape(-1))
            return out
    return select_numpy(mask, a, b)


def row_means(x):
    """The mean of each row of a 2-D float array, ``np.add.reduce(x, axis=1) / n`` bit for bit.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.row_means(np.arange(18.0).reshape(2, 9))
        array([ 4., 13.])
    """
    if type(x) is _ndarray and x.ndim == 2 and (x.dtype is _F32 or x.dtype is _F64) \
            and 8 <= x.shape[1] <= 128 and x.shape[0] and x.flags.c_contiguous:
        # (numpy's order for these lengths; longer rows split in halves, other dtypes and
        # layouts may take other loops: the twin)
        loop = _loop("_row_means")
        if loop is not None:
            out = np.empty(x.shape[0], x.dtype)
            loop(x, out)
            return out
    return row_means_numpy(x)


def cumsum32(x, axis, reverse=False):
    """The running sum of the float32 array ``x`` along ``axis`` (from the end: ``reverse``),
    accumulated in float64 and each value rounded to float32, as ATen's CPU kernel does: one
    pass (the twin makes a float64 copy, its float64 running sum and the rounded copy: ~5x
    slower); a non-contiguous ``x`` is copied first; the twin for anything else.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.cumsum32(np.float32([[1, 2], [3, 4]]), 1, reverse=True)
        array([[3., 2.],
               [7., 4.]], dtype=float32)
    """
    if type(x) is _ndarray and x.dtype is _F32 and x.ndim and x.size:
        loop = _loop("_cumsum32")
        if loop is not None:
            axis = axis % x.ndim
            shape = (math.prod(x.shape[:axis]), x.shape[axis], math.prod(x.shape[axis + 1:]))
            out = np.empty(x.shape, _F32)
            loop(out.reshape(shape), np.ascontiguousarray(x).reshape(shape), bool(reverse))
            return out
    return cumsum32_numpy(x, axis, reverse)


def _along3(shape, index, dim):
    """``(outer, n, inner)`` of an array of ``shape`` and ``(outer, k, inner)`` of ``index``
    along ``dim``, when ``index`` (C-contiguous int64) has the array's extents in every other
    dim; else None."""
    if type(index) is not _ndarray or index.dtype != _I64 or index.ndim != len(shape) or \
            not index.size or not index.flags.c_contiguous or \
            any(index.shape[d] != shape[d] for d in range(len(shape)) if d != dim):
        return None
    outer, inner = math.prod(shape[:dim]), math.prod(shape[dim + 1:])
    return (outer, shape[dim], inner), (outer, index.shape[dim], inner)


def gather_along(x, index, dim):
    """``x[_along(index, dim)]`` (``gather``: ``out[i][j][k] = x[i][index[i][j][k]][k]`` for
    ``dim=1``) for a float32/float64 ``x`` and a C-contiguous int64 ``index`` with ``x``'s
    extents outside ``dim``, in one loop (numpy's fancy indexing with broadcast index arrays:
    ~3x slower); None otherwise or for an index out of range (the caller's numpy path then
    runs, with its errors).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.gather_along(np.float32([[1, 2], [3, 4]]), np.array([[1, 1], [0, 1]]), 1)
        array([[2., 2.],
               [3., 4.]], dtype=float32)
    """
    d = x.dtype
    shapes = _along3(x.shape, index, dim) if type(x) is _ndarray and \
        (d is _F32 or d is _F64) else None
    if shapes is None:
        return None
    loop = _loop("_gather3")
    if loop is None:
        return None
    out = np.empty(index.shape, d)
    if not loop(out.reshape(shapes[1]), np.ascontiguousarray(x).reshape(shapes[0]),
                index.reshape(shapes[1])):
        return None
    return out


def scatter_along_(out, index, dim, src, mask=None, add=False):
    """``out[_along(index, dim)] = src`` with ``mask`` (bool, ``out``'s shape) set True at the
    same places, or ``np.add.at(out, _along(index, dim), src)`` (``add``), in place, element
    by element in ``index``'s C order (numpy's order: a repeated place gets the last value, or
    the sums in that order): for a C-contiguous float32/float64 ``out`` (and ``mask``), ``src``
    of its dtype and ``index``'s shape, ``index`` with ``out``'s extents outside ``dim`` and in
    range. True when done; False (nothing written) otherwise, for the caller's numpy path.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> out = np.zeros((2, 3))
        >>> pointwise.scatter_along_(out, np.array([[2, 2], [0, 1]]), 1, np.ones((2, 2)),
        ...                          add=True)
        True
        >>> out
        array([[0., 0., 2.],
               [1., 1., 0.]])
    """
    d = out.dtype
    if type(out) is not _ndarray or not (d is _F32 or d is _F64) or \
            not out.flags.c_contiguous or not out.flags.writeable or \
            type(src) is not _ndarray or src.dtype is not d or src.shape != index.shape:
        return False
    if mask is None:
        if not add:
            return False
    elif type(mask) is not _ndarray or mask.shape != out.shape or \
            not mask.flags.c_contiguous or mask.dtype != np.bool_:
        return False
    shapes = _along3(out.shape, index, dim)
    if shapes is None or np.may_share_memory(out, src):
        return False
    check, loop = _loop("_in_range"), _loop("_scatter_add3" if add else "_scatter3")
    if loop is None or not check(index.reshape(-1), shapes[0][1]):
        return False
    src = np.ascontiguousarray(src).reshape(shapes[1])
    if add:
        loop(out.reshape(shapes[0]), index.reshape(shapes[1]), src)
    else:
        loop(out.reshape(shapes[0]), index.reshape(shapes[1]), src, mask.reshape(shapes[0]))
    return True


_INDEX = np.dtype(np.intp)


def rows_add_(out, index, rows):
    """``np.add.at(out, index, rows)``: row ``index[i]`` of ``out`` gets ``rows[i]`` added, for
    each ``i`` in order (a repeated index accumulates, with numpy's rounding); returns ``out``.
    ~70x numpy's ``add.at`` on an embedding's gradient (1,024 rows of 32).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.rows_add_(np.zeros((3, 2)), np.array([2, 0, 2]), np.ones((3, 2)))
        array([[1., 1.],
               [0., 0.],
               [2., 2.]])
    """
    if type(out) is _ndarray and type(index) is _ndarray and type(rows) is _ndarray and \
            out.ndim == 2 and index.ndim == 1 and rows.ndim == 2:
        d = out.dtype
        if (d is _F32 or d is _F64) and rows.dtype is d and index.dtype == _INDEX and \
                rows.shape[0] == index.shape[0] and rows.shape[1] == out.shape[1] and \
                _own(out, rows):
            loop = _loop("_rows_add")
            if loop is not None and loop(out, index, rows):  # False: an index out of range,
                return out  # nothing written (numpy's IndexError below)
    return rows_add_numpy(out, index, rows)


def along_add_(out, index, g):
    """``np.add.at(out, (slice(None), index), g)`` for a 3-d ``out`` (A, n, B) and ``g``
    (A, k, B): ``out[:, index[i]] += g[:, i]`` for each ``i`` in order (each element's sum in
    ``index``'s order, numpy's rounding); returns ``out``. The backward of gathering along a
    middle or last dim without moving it first (two transposing copies).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.along_add_(np.zeros((1, 2, 1)), np.array([1, 1, 0]),
        ...                      np.arange(3.0).reshape(1, 3, 1))[0, :, 0]
        array([2., 1.])
    """
    if type(out) is _ndarray and type(index) is _ndarray and type(g) is _ndarray and \
            out.ndim == 3 and index.ndim == 1 and g.ndim == 3:
        d = out.dtype
        if (d is _F32 or d is _F64) and g.dtype is d and index.dtype == _INDEX and \
                g.shape == (out.shape[0], index.shape[0], out.shape[2]) and _own(out, g):
            loop = _loop("_along_add")
            if loop is not None and loop(out, index, g):  # False: an index out of range,
                return out  # nothing written (numpy's IndexError below)
    return along_add_numpy(out, index, g)


def linear_along(x, i0, i1, w0, w1):
    """``x[:, i0] * w0 + x[:, i1] * w1`` for a 3-d ``x`` (A, n, B), ``w0``, ``w1`` (k,)
    weighting the middle dim's k picks: a new (A, k, B) array. Each element's two products
    and sum rounded as numpy's (no fused multiply-add); one pass, where the twin makes five
    and two temporaries (a linear resize along one dim of ``interpolate``).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.linear_along(np.array([[[0.0], [4.0]]]), np.array([0, 0]),
        ...                        np.array([1, 1]), np.array([1.0, 0.75]),
        ...                        np.array([0.0, 0.25]))[0, :, 0]
        array([0., 1.])
    """
    if type(x) is _ndarray and type(i0) is _ndarray and type(i1) is _ndarray and \
            type(w0) is _ndarray and type(w1) is _ndarray and x.ndim == 3:
        d, k = x.dtype, i0.shape
        if (d is _F32 or d is _F64) and w0.dtype is d and w1.dtype is d and \
                i0.dtype == _INDEX and i1.dtype == _INDEX and i0.ndim == 1 and \
                i1.shape == w0.shape == w1.shape == k:
            loop = _loop("_linear_along")
            if loop is not None:
                out = np.empty((x.shape[0], k[0], x.shape[2]), d)
                if loop(x, i0, i1, w0, w1, out):  # False: an index out of range (numpy's
                    return out  # IndexError below)
    return linear_along_numpy(x, i0, i1, w0, w1)


_I64 = np.dtype(np.int64)
#: Below this many swaps the twin runs: the loop's first call imports numba and loads it
SWAPS_MIN_SIZE = 4096


def swaps_(perm, picks):
    """For ``i = 0, 1, ...`` in order, swap ``perm[i]`` and ``perm[i + picks[i]]`` (in place;
    returns ``perm``): the shuffle ``randperm`` makes from its draws. Each ``picks[i]`` must be
    in ``[0, len(perm) - i)``, checked before anything is written (ValueError).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.swaps_(np.arange(4), np.array([2, 0, 1]))
        array([2, 1, 3, 0])
    """
    if type(perm) is not _ndarray or type(picks) is not _ndarray or perm.ndim != 1 or \
            picks.ndim != 1 or perm.dtype != _I64 or picks.dtype != _I64 or \
            picks.shape[0] > max(perm.shape[0] - 1, 0):
        raise ValueError(f"swaps_: perm must be a 1-d int64 array and picks a 1-d int64 array "
                         f"of at most len(perm) - 1 entries, got {getattr(perm, 'shape', perm)} "
                         f"{getattr(perm, 'dtype', '')} and {getattr(picks, 'shape', picks)} "
                         f"{getattr(picks, 'dtype', '')}")
    n = perm.shape[0]
    if picks.size and (picks.min() < 0 or np.any(picks >= n - np.arange(picks.shape[0]))):
        raise ValueError("swaps_: picks[i] must be in [0, len(perm) - i)")
    if picks.shape[0] >= SWAPS_MIN_SIZE and perm.flags.writeable:
        loop = _loop("_swaps")
        if loop is not None:
            loop(perm, picks)
            return perm
    return swaps_numpy(perm, picks)


def swaps_back_(perm, picks):
    """For ``i = 0, 1, ...`` in order, swap ``perm[i]`` and ``perm[picks[i]]`` (in place;
    returns ``perm``): the "inside-out" shuffle ``randperm`` makes of ``arange(n)`` for large
    ``n``. Each ``picks[i]`` must be in ``[0, i]``, checked before anything is written
    (ValueError).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import pointwise
        >>> pointwise.swaps_back_(np.arange(4), np.array([0, 0, 1, 3]))
        array([1, 2, 0, 3])
    """
    if type(perm) is not _ndarray or type(picks) is not _ndarray or perm.ndim != 1 or \
            picks.ndim != 1 or perm.dtype != _I64 or picks.dtype != _I64 or \
            picks.shape[0] > perm.shape[0]:
        raise ValueError(f"swaps_back_: perm must be a 1-d int64 array and picks a 1-d int64 "
                         f"array of at most len(perm) entries, got "
                         f"{getattr(perm, 'shape', perm)} {getattr(perm, 'dtype', '')} and "
                         f"{getattr(picks, 'shape', picks)} {getattr(picks, 'dtype', '')}")
    if picks.size and (picks.min() < 0 or np.any(picks > np.arange(picks.shape[0]))):
        raise ValueError("swaps_back_: picks[i] must be in [0, i]")
    if picks.shape[0] >= SWAPS_MIN_SIZE and perm.flags.writeable:
        loop = _loop("_swaps_back")
        if loop is not None:
            loop(perm, picks)
            return perm
    return swaps_back_numpy(perm, picks)
