"""Kernels of the gated linear unit: its forward and its backward, each one loop where the op
made two and five numpy passes over strided halves::

    glu(x, dim)                  (s * a, s), s = sigmoid(b), a and b the halves of x along dim
    glu_backward(x, s, g, dim)   s * g for a, (1 - s) * s * a * g for b (ATen's glu_backward)

Each element is computed in its arrays' dtype with the operations of the twin (``*_numpy``,
run instead with ``TAPEGRAD_KERNELS=numpy``) in its order: the sigmoid is the activations'
Numba one (``sigmoid_forward``'s scalar function, compiled with the same ``contract`` flag), so
the results are the twins' bit for bit. The loops run on C-contiguous float32/float64 ``x``
(seen as ``(outer, 2, inner)``: no copy) and, for the backward, ``s`` and ``g`` of the half's
shape and ``x``'s dtype (``g`` copied to C order if it is not); anything else runs the twin.
Serial at every size, as the numpy passes they replace. Importing this module does not import
numba.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_core.kernels import _jit
from autograd_core.kernels.activations import _sigmoid

__all__ = ["glu", "glu_numpy", "glu_backward", "glu_backward_numpy"]

_ndarray = np.ndarray
# from this size on, float32 contiguous halves (x split along its first dimension of more
# than one element) run the twin: the sigmoid kernel then numpy's product took ~4% less (best
# of 60) than the loop at 2**20 elements; the loop wins below, on strided halves and in float64
_CONTIGUOUS_HALVES = 1 << 19
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


# ---- numpy twins (the specification) ------------------------------------------------------
def glu_numpy(x, dim):
    """``(s * a, s)``, ``s = sigmoid(b)`` (the sigmoid kernel), ``a, b`` the halves of ``x``."""
    from autograd_core import kernels as K

    a, b = np.split(x, 2, axis=dim)
    s = K.sigmoid_forward(b)
    return s * a, s


def glu_backward_numpy(x, s, g, dim):
    """The gradient of ``glu`` for ``x``: the halves ``s * g`` and ``(1 - s) * s * a * g``,
    each step rounded as ATen's, written in place."""
    a = np.split(x, 2, axis=dim)[0]
    out = np.empty(x.shape, s.dtype)
    ga, gb = np.split(out, 2, axis=dim)
    np.multiply(s, g, out=ga)
    np.subtract(1, s, out=gb)
    gb *= s
    gb *= a
    gb *= g
    return out


# ---- Numba loops: x (outer, 2, inner), the halves' arrays (outer, inner) -------------------
def _glu(x, out, s):
    for p in range(x.shape[0]):
        for j in range(x.shape[2]):
            sv = _sigmoid(x[p, 1, j])
            s[p, j] = sv
            out[p, j] = sv * x[p, 0, j]


def _glu_backward(x, s, g, out):
    one = _jit.cast(1.0, x[0, 0, 0])
    for p in range(x.shape[0]):
        for j in range(x.shape[2]):
            sv, gv = s[p, j], g[p, j]
            out[p, 0, j] = sv * gv
            out[p, 1, j] = (one - sv) * sv * x[p, 0, j] * gv


# (the forward as the activations' loops: the sigmoid's float32 code compiles as there)
_BUILDS = {"_glu": _jit.jit(_glu, fastmath={"contract"}), "_glu_backward": _jit.jit(_glu_backward)}
_loop = _jit.dispatchers(_BUILDS)  # name -> its Numba dispatcher (None: numpy backend)


def _split3(x, dim):
    """``x`` as ``(outer, 2, inner)`` (a view) and the halves' shape, when the loops take it."""
    if type(x) is _ndarray and (x.dtype is _F32 or x.dtype is _F64) and x.flags.c_contiguous \
            and x.size and type(dim) is int and 0 <= dim < x.ndim and x.shape[dim] % 2 == 0:
        half = x.shape[:dim] + (x.shape[dim] // 2,) + x.shape[dim + 1:]
        return x.reshape(math.prod(x.shape[:dim]), 2, -1), half
    return None, None


def glu(x, dim):
    """``(a * sigmoid(b), sigmoid(b))`` for the halves ``a``, ``b`` of ``x`` along ``dim`` (an
    even size), new C-contiguous arrays; ``glu_numpy``'s numbers in one pass.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import gates
        >>> gates.glu(np.array([[2.0, 0.0]]), 1)[0]
        array([[1.]])
    """
    x3, half = _split3(x, dim)
    if x3 is not None and (x3.shape[0] > 1 or x.size < _CONTIGUOUS_HALVES or x.dtype is _F64):
        loop = _loop("_glu")
        if loop is not None:
            out, s = np.empty(half, x.dtype), np.empty(half, x.dtype)
            loop(x3, out.reshape(x3.shape[0], -1), s.reshape(x3.shape[0], -1))
            return out, s
    return glu_numpy(x, dim)


def glu_backward(x, s, g, dim):
    """The gradient of ``glu`` for ``x`` from its saved ``s = sigmoid(b)`` and the incoming
    ``g`` (both of a half's shape): ``s * g`` for ``a``, ``(1 - s) * s * a * g`` for ``b``.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import gates
        >>> x = np.array([[2.0, 0.0]])
        >>> gates.glu_backward(x, gates.glu(x, 1)[1], np.ones((1, 1)), 1)
        array([[0.5, 0.5]])
    """
    x3, half = _split3(x, dim)
    if x3 is not None and type(s) is _ndarray and s.dtype is x.dtype and s.shape == half \
            and s.flags.c_contiguous and type(g) is _ndarray and g.dtype is x.dtype \
            and g.shape == half:
        loop = _loop("_glu_backward")
        if loop is not None:
            out = np.empty(x.shape, x.dtype)
            rows = x3.shape[0]
            loop(x3, s.reshape(rows, -1), np.ascontiguousarray(g).reshape(rows, -1),
                 out.reshape(x3.shape))
            return out
    return glu_backward_numpy(x, s, g, dim)
