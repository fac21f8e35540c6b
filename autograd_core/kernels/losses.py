"""Kernels of the binary cross-entropy with logits: the loss (summed) and its gradient, each
one loop where the op made six to eight numpy calls.

At the sizes people learn on (a 64-sample batch of one logit), the loss's numpy sequence
(``abs``, ``negative``, ``exp``, ``log1p``, the tail, the sum, the division) cost ~4.6 us and
its gradient's (``negative``, ``exp`` under ``errstate``, the tail) ~3.7 us, a sixth of a
captured training step; one loop each does it in ~1 us::

    bce_logits_sum(x, y)        sum of  max(x, 0) - x * y + log1p(exp(-|x|))   (a Python float)
    bce_logits_dx(x, y, s, d)   s * (1 / (1 + exp(-x)) - y) / d                (a new array)

Each element is computed in its arrays' dtype with the operations of the twin (``*_numpy``, the
numpy sequence, run instead with ``TAPEGRAD_KERNELS=numpy``) in its order. Unlike
``pointwise``'s loops these evaluate ``exp`` and ``log1p``: libm's (through LLVM), where numpy
uses its own SIMD implementations, so a loop and its twin agree to a few ulp, not bit for bit
(the tests hold them to that). float32 takes ``activations``' branch-free ``exp`` and ``log1p``
on [0, 1], so its loops vectorise (libm's scalar calls cost ~15 ns an element: a (1000, 1000)
loss took 15 ms, 3.5x torch's). The sum runs in float64, pairwise in numpy's order (blocks of
128 summed with eight accumulators): for float64 arrays it is numpy's ``add.reduce`` bit for
bit; a float32 loss is its float64 sum rounded once, where numpy's float32 sum drifts by up to
~log2(n) ulp. Gradients do not depend on the sum.

The loops run on the common case, checked before they run: float32/float64 arrays of one
shape and dtype (any strides: C-ordered copies are read where they are not C-contiguous, so the
numbers do not depend on the layout), at least one element, and (``bce_logits_dx``) a scale
``s`` that is a scalar of that dtype; anything else runs the twin, so no loop reads or writes
out of bounds. The
loops are serial at every size, as the numpy sequences they replace. Importing this module does
not import numba.
"""

from __future__ import annotations

import numpy as np

from autograd_core.kernels import _jit
from autograd_core.kernels.activations import _exp_f32, _log1p_unit_f32, _softplus

__all__ = ["bce_logits_sum", "bce_logits_dx", "bce_logits_sum_numpy", "bce_logits_dx_numpy",
           "pairwise_sum", "nll_cascade_sum", "nll_cascade_sum_numpy", "soft_margin",
           "soft_margin_numpy", "soft_margin_dx", "soft_margin_dx_numpy"]

_ndarray = np.ndarray
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_cast = _jit.cast
_NO_MASK = np.ones(1, np.bool_)


# ---- numpy twins (the specification) ------------------------------------------------------
def bce_logits_sum_numpy(x, y):
    loss = np.abs(x)
    np.negative(loss, out=loss)
    np.exp(loss, out=loss)
    np.log1p(loss, out=loss)
    loss += np.maximum(x, 0)
    loss -= x * y
    return float(np.add.reduce(loss.reshape(-1), dtype=np.float64))


def bce_logits_dx_numpy(x, y, s, d=1.0):
    e = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(e, out=e)
    return s * (1.0 / (1.0 + e) - y) / d


def soft_margin_numpy(x, y):
    """``softplus(-y * x)`` elementwise: numpy's product, then the softplus kernel (beta 1,
    threshold 20), as ``SoftMarginLossOp`` computed it."""
    from autograd_core import kernels as K

    return K.softplus_forward(-y * x, 1.0, 20.0)


def soft_margin_dx_numpy(x, y, g, norm):
    """ATen's ``soft_margin_loss_backward``, ``(y z) (-norm) / (1 + z) * g`` with
    ``z = exp(-y x)`` (numpy's), and ``y (-norm) g`` where ``z`` overflows (ATen's NaN there)."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = np.multiply(-y, x, out=np.empty_like(x))
        np.exp(z, out=z)
        gi = np.multiply(y, z, out=np.empty_like(z))
        gi *= -norm
        z += 1
        gi /= z
    gi = np.multiply(gi, g, out=gi if np.result_type(gi, g) == gi.dtype else None)
    big = np.isinf(z)
    if big.any():  # exp overflowed: the slope's limit, -y / n
        gi[big] = (y * -norm * g)[big] if np.ndim(g) else y[big] * -norm * g
    return gi


_LEVELS, _STEP = 8, 16  # ATen's nll_loss cascade: 8 partial sums, each flushed every 16


def nll_cascade_sum_numpy(v, valid=None):
    """The sum of ``v`` (1-D) as ATen's nll_loss sums its terms: a running sum per level, the
    first level taking the terms in order and each level passing its sum up (then restarting)
    at the terms whose index ends in as many zero hex digits (the 16th, 256th, ...; index 0
    to the top level), the levels then added from the bottom. ``valid``: the terms not ignored
    (ATen skips them, flushes included). numpy's pairwise sum rounded otherwise (an ulp off
    PyTorch's mean and sum)."""
    dt = v.dtype.type
    if v.size == 0:
        return dt(0)
    if valid is not None and not valid[::_STEP].all():
        return _cascade_loop(v, valid)  # a skipped flush regroups the sums: term by term
    if valid is not None:
        v = np.where(valid, v, dt(0))  # (an ignored term between flushes: adds an exact 0)
    if v.size <= _STEP:  # no flush after index 0's: the level-0 sum, then the top's v[0]
        return np.add.accumulate(v[1:])[-1] + v[0] if v.size > 1 else dt(v[0])
    levels = [dt(0)] * _LEVELS
    top = [dt(v[0])]  # index 0 flushes every level: it is the top level's first term
    seq = v[1:]
    for lev in range(_LEVELS - 1):
        if not seq.size:  # (the levels above hold 0)
            break
        k = seq.size // _STEP
        rest = seq[k * _STEP:]
        if rest.size:
            levels[lev] = np.add.accumulate(rest)[-1]  # in order
        seq = np.add.accumulate(seq[:k * _STEP].reshape(k, _STEP), axis=1)[:, -1]
    levels[-1] = np.add.accumulate(np.concatenate([top, seq]).astype(v.dtype))[-1] \
        if seq.size else top[0]
    total = levels[0]
    for part in levels[1:]:  # (numpy scalars of v's dtype: each sum rounded in it)
        total = total + part
    return total


def _cascade_loop(v, valid):
    """``nll_cascade_sum_numpy`` term by term (ATen's loop), for ignored terms at flush indices."""
    dt = v.dtype.type
    levels = [dt(0)] * _LEVELS
    for b in np.flatnonzero(valid).tolist():
        levels[0] = dt(levels[0] + v[b])
        for j in range(_LEVELS - 1):
            if b & ((_STEP - 1) << (4 * j)):
                break
            levels[j + 1] = dt(levels[j + 1] + levels[j])
            levels[j] = dt(0)
    return np.add.accumulate(np.array(levels, dtype=v.dtype))[-1]


# ---- Numba loops (1-D views) -----------------------------------------------------------------
@_jit.jitable
def _block_sum(a, lo, n):
    """numpy's pairwise sum of ``a[lo:lo + n]`` for ``n <= 128``: eight accumulators, combined
    as a tree, then the remainder; under 8 elements a plain sum from +0."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    m = n - n % 8
    while i < m:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@_jit.jitable
def _pairwise(a):
    """numpy's pairwise sum of the 1-D float64 array ``a`` (at least one element): halves (the
    first a multiple of 8) summed separately down to blocks of 128, without recursion (an
    explicit stack: Numba's cache does not load self-recursive functions reliably)."""
    n = a.shape[0]
    if n <= 128:  # (+0 first, as numpy's reduction starts from its identity: -0 sums to +0)
        return 0.0 + _block_sum(a, 0, n)
    lo = np.empty(64, np.int64)
    size = np.empty(64, np.int64)
    phase = np.zeros(64, np.int64)
    left = np.empty(64, np.float64)
    lo[0], size[0], sp = 0, n, 1
    ret = 0.0
    while sp:
        t = sp - 1
        m = size[t]
        if m <= 128:
            ret = _block_sum(a, lo[t], m)
            sp -= 1
            continue
        half = m // 2
        half -= half % 8
        if phase[t] == 0:  # first the left half
            phase[t] = 1
            lo[sp], size[sp], phase[sp] = lo[t], half, 0
            sp += 1
        elif phase[t] == 1:  # then the right half
            left[t] = ret
            phase[t] = 2
            lo[sp], size[sp], phase[sp] = lo[t] + half, m - half, 0
            sp += 1
        else:
            ret = left[t] + ret
            sp -= 1
    return 0.0 + ret


@_jit.jitable
def _exp_f64(x):
    return np.exp(x)


@_jit.jitable
def _log1p_unit_f64(u):
    return np.log1p(u)


_exp = _jit.by_dtype(_exp_f32, _exp_f64)  # float32: the activations' vectorised exp, log1p
_log1p_unit = _jit.by_dtype(_log1p_unit_f32, _log1p_unit_f64)


def _bce_logits_sum(x, y):
    n = x.shape[0]
    zero = _cast(0.0, x[0])
    terms = np.empty(n, np.float64)
    for i in range(n):
        v = x[i]
        t = _log1p_unit(_exp(-abs(v)))
        # np.maximum(v, 0): v when v > 0 or v is NaN (NaN propagates), else +0
        t = t + (zero if v <= zero else v)  # (one comparison: the loop vectorises)
        terms[i] = t - v * y[i]
    return _pairwise(terms)


def _bce_logits_dx(x, y, s, d, out):
    one = _cast(1.0, s)
    for i in range(x.shape[0]):
        out[i] = s * (one / (one + _exp(-x[i])) - y[i]) / d


def _soft_margin(x, y, out):
    one, limit = _cast(1.0, x[0]), _cast(20.0, x[0])
    for i in range(x.shape[0]):
        out[i] = _softplus(-y[i] * x[i], one, limit)


def _negated_product(x, y, out):
    for i in range(x.shape[0]):
        out[i] = -y[i] * x[i]


@_jit.jitable
def _soft_margin_slope(z, y, nn, g):
    """``(y z) nn / (z + 1) * g`` from ``z = exp(-y x)``; ``y nn g`` where ``z`` overflowed."""
    return y * nn * g if z == np.inf else y * z * nn / (z + _cast(1.0, z)) * g


def _soft_margin_dx(z, y, g, nn, out):
    for i in range(z.shape[0]):
        out[i] = _soft_margin_slope(z[i], y[i], nn, g[i])


def _soft_margin_dx_scalar(z, y, g, nn, out):  # (one g for every element: a mean's or sum's)
    for i in range(z.shape[0]):
        out[i] = _soft_margin_slope(z[i], y[i], nn, g)


def _nll_cascade(v, valid, use_valid, out):
    """ATen's nll_loss sum of ``v`` (``nll_cascade_sum_numpy``'s loop form): eight running
    sums, level ``j`` passing its sum up at indices divisible by ``16 ** j``, ignored terms
    (``use_valid`` and not ``valid``) skipped, flushes included."""
    levels = np.zeros(8, v.dtype)
    for b in range(v.shape[0]):
        if use_valid and not valid[b]:
            continue
        levels[0] += v[b]
        for j in range(7):
            if b & (15 << (4 * j)):
                break
            levels[j + 1] += levels[j]
            levels[j] = 0
    total = levels[0]
    for j in range(1, 8):
        total += levels[j]
    out[0] = total


def _pairwise_sum(a):
    return _pairwise(a)


_BUILDS = {fn.__name__: _jit.jit(fn) for fn in (_bce_logits_sum, _bce_logits_dx, _pairwise_sum,
                                                  _nll_cascade, _negated_product,
                                                  _soft_margin_dx, _soft_margin_dx_scalar)}
# (as the activations' loops: softplus's float32 code then compiles as in softplus_forward)
_BUILDS["_soft_margin"] = _jit.jit(_soft_margin, fastmath={"contract"})
_loop = _jit.dispatchers(_BUILDS)  # name -> its Numba dispatcher (None: numpy backend)
_DISPATCHERS = _loop.table


def _fits(x, y):
    """The loops' case: float32/float64 ``x`` and ``y`` of one shape and dtype, not empty (any
    strides: the loops read C-ordered copies of the others, so a loss's numbers do not depend
    on its inputs' layout)."""
    if type(x) is _ndarray and type(y) is _ndarray:
        d = x.dtype
        return (d is _F32 or d is _F64) and y.dtype is d and x.shape == y.shape and x.size > 0
    return False




# ---- public kernels -------------------------------------------------------------------------
def bce_logits_sum(x, y):
    """The sum over the elements of the binary cross-entropy with logits ``x`` and targets
    ``y``, ``max(x, 0) - x * y + log1p(exp(-|x|))``, as a Python float (summed in float64).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import losses
        >>> round(losses.bce_logits_sum(np.zeros((2, 1)), np.ones((2, 1))), 6)  # 2 log 2
        1.386294
    """
    if _fits(x, y):
        loop = _loop("_bce_logits_sum")
        if loop is not None:
            return loop(x.ravel(), y.ravel())  # (a C-ordered copy if not C-contiguous)
    return bce_logits_sum_numpy(x, y)


def bce_logits_dx(x, y, s, d=None):
    """``s * (sigmoid(x) - y) / d`` as a new array, sigmoid as ``1 / (1 + exp(-x))``: the
    gradient of the binary cross-entropy with logits ``x``, times ``s`` (the incoming
    gradient), divided by ``d`` (the element count of a mean; 1 when None), in PyTorch's order.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import losses
        >>> losses.bce_logits_dx(np.zeros((1, 2)), np.array([[1.0, 0.0]]), np.float64(2.0))
        array([[-1.,  1.]])
    """
    if d is None:
        d = np.asarray(s).dtype.type(1)
    if _fits(x, y) and type(s) is x.dtype.type and type(d) is x.dtype.type:
        loop = _loop("_bce_logits_dx")
        if loop is not None:
            out = np.empty(x.shape, x.dtype)
            loop(x.ravel(), y.ravel(), s, d, out.ravel())
            return out
    return bce_logits_dx_numpy(x, y, s, d)


def _c_pair(x, y):
    """float32/float64 ``x`` and ``y`` of one shape and dtype, C-contiguous, not empty (the
    layout kept: a result is C-ordered as numpy's would be)."""
    return _fits(x, y) and x.flags.c_contiguous and y.flags.c_contiguous


def soft_margin(x, y):
    """The soft margin loss's terms ``softplus(-y * x)`` (``log(1 + exp(-y x))``, linear above
    20) as a new array, one pass where ``soft_margin_numpy`` makes two.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import losses
        >>> losses.soft_margin(np.array([0.0, 2.0]), np.array([1.0, -1.0]))
        array([0.69314718, 2.12692801])
    """
    if _c_pair(x, y):
        loop = _loop("_soft_margin")
        if loop is not None:
            out = np.empty(x.shape, x.dtype)
            loop(x.ravel(), y.ravel(), out.ravel())
            return out
    return soft_margin_numpy(x, y)


def soft_margin_dx(x, y, g, norm):
    """The soft margin loss's gradient, ``(y z) (-norm) / (1 + z) * g`` with ``z = exp(-y x)``
    (``-y norm g`` where ``z`` overflows), ``norm`` a Python float (``1/n`` of a mean, else 1),
    ``g`` of ``x``'s shape or 0-d. numpy computes ``z`` (its ``exp``: in float32 LLVM's rounds
    40% of elements otherwise), one loop the rest: ``soft_margin_dx_numpy``'s numbers.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import losses
        >>> losses.soft_margin_dx(np.array([0.0, 800.0]), np.array([1.0, -1.0]),
        ...                       np.array(1.0), 0.5)
        array([-0.25,  0.5 ])
    """
    if _c_pair(x, y) and type(g) is _ndarray and g.dtype is x.dtype and (
            g.shape == x.shape and g.flags.c_contiguous or g.ndim == 0):
        loop = _loop("_negated_product")
        if loop is not None:
            nn, yf = x.dtype.type(-norm), y.ravel()
            z = np.empty(x.size, x.dtype)
            loop(x.ravel(), yf, z)
            with np.errstate(over="ignore"):
                np.exp(z, out=z)
            out = np.empty(x.shape, x.dtype)  # (not z: a loop written in place stays scalar)
            if g.ndim:
                _loop("_soft_margin_dx")(z, yf, g.ravel(), nn, out.ravel())
            else:
                _loop("_soft_margin_dx_scalar")(z, yf, g[()], nn, out.ravel())
            return out
    return soft_margin_dx_numpy(x, y, g, norm)


def nll_cascade_sum(v, valid=None):
    """The sum of the 1-D float array ``v`` in ATen's nll_loss order (eight running sums, each
    passing its sum up every 16 terms of the one below), skipping the terms where ``valid``
    (a bool array of ``v``'s shape, or None) is False; a numpy scalar of ``v``'s dtype.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import losses
        >>> float(losses.nll_cascade_sum(np.arange(40.0)))
        780.0
    """
    if type(v) is _ndarray and v.ndim == 1 and (v.dtype is _F32 or v.dtype is _F64) and (
            valid is None or (type(valid) is _ndarray and valid.dtype == np.bool_
                              and valid.shape == v.shape)):
        loop = _loop("_nll_cascade")
        if loop is not None:
            out = np.empty(1, v.dtype)
            vc = np.ascontiguousarray(v)
            if valid is None:
                loop(vc, _NO_MASK, False, out)  # (a bool mask never read: one signature)
            else:
                loop(vc, np.ascontiguousarray(valid), True, out)
            return out[0]
    return nll_cascade_sum_numpy(v, valid)


def pairwise_sum(a):
    """numpy's pairwise sum of a 1-D C-contiguous float64 array as a Python float (the order
    ``bce_logits_sum`` sums in; numpy's ``np.add.reduce(a)`` bit for bit).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import losses
        >>> losses.pairwise_sum(np.arange(1000.0))
        499500.0
    """
    if type(a) is _ndarray and a.dtype is _F64 and a.ndim == 1 and a.flags.c_contiguous \
            and a.size:
        loop = _loop("_pairwise_sum")
        if loop is not None:
            return loop(a)
    return float(np.add.reduce(np.asarray(a, np.float64).reshape(-1)))
