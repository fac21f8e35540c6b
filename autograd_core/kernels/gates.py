"""Kernels of gated units: the gated linear unit's forward and backward, and the LSTM and GRU
cells' gradients (``nn.LSTM``/``nn.GRU``'s backward through time), each one loop where the op
made several numpy passes::

    glu(x, dim)                  (s * a, s), s = sigmoid(b), a and b the halves of x along dim
    glu_backward(x, s, g, dim)   s * g for a, (1 - s) * s * a * g for b (ATen's glu_backward)
    lstm_cell_grad(s, g, tc, c, gh, gc)   (d_gates, d_c) of one LSTM step
    gru_cell_grad(rz, n, gh, h, g)        (d_gi, d_gh, d_h) of one GRU step

Each element is computed in its arrays' dtype with the operations of the twin (``*_numpy``,
run instead with ``TAPEGRAD_KERNELS=numpy``) in its order: the GLU's sigmoid is the
activations' Numba one (``sigmoid_forward``'s scalar function, compiled with the same
``contract`` flag), the cells' gradients take no transcendental function (the cells' own
sigmoid and tanh stay numpy's, in ``nn.layers.rnn``) and compile without fast-math flags, so
the results are the twins' bit for bit. The GLU loops run on C-contiguous float32/float64 ``x``
(seen as ``(outer, 2, inner)``: no copy) and, for the backward, ``s`` and ``g`` of the half's
shape and ``x``'s dtype (``g`` copied to C order if it is not); the cells' loops on
C-contiguous 2-D arrays of one dtype; anything else runs the twin. Serial at every size, as the
numpy passes they replace. Importing this module does not import numba.
"""

from __future__ import annotations

import math

import numpy as np

from autograd_core.kernels import _jit
from autograd_core.kernels.activations import _sigmoid

__all__ = ["glu", "glu_numpy", "glu_backward", "glu_backward_numpy", "lstm_cell_grad",
           "lstm_cell_grad_numpy", "gru_cell_grad", "gru_cell_grad_numpy"]

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


def lstm_cell_grad_numpy(s, g, tc, c, gh, gc):
    """``(d_gates, d_c)`` of the LSTM step from its saved ``s = sigmoid(gates)`` (B, 4H; the
    ``g`` quarter unused), ``g = tanh`` of that quarter, ``tc = tanh(c')`` and the state ``c``
    it read; ``gh``, ``gc`` the gradients of ``h'`` and ``c'``."""
    n = g.shape[-1]
    i, f, o = s[:, :n], s[:, n:2 * n], s[:, 3 * n:]
    dc_new = gc + gh * o * (1 - tc * tc)
    d_gates = np.concatenate([dc_new * g * i * (1 - i), dc_new * c * f * (1 - f),
                              dc_new * i * (1 - g * g), gh * tc * o * (1 - o)], -1)
    return d_gates, dc_new * f


def gru_cell_grad_numpy(rz, n, gh, h, g):
    """``(d_gi, d_gh, d_h through z)`` of the GRU step from its saved ``rz = sigmoid`` of the
    r and z parts (B, 2H), ``n``, ``gh = W_hh h + b_hh`` (B, 3H; its n part used) and ``h``;
    ``g`` the gradient of ``h'``."""
    k = n.shape[-1]
    r, z, hn = rz[:, :k], rz[:, k:], gh[:, 2 * k:]
    d_n = g * (1 - z) * (1 - n * n)
    d_r = d_n * hn * r * (1 - r)
    d_z = g * (h - n) * z * (1 - z)
    return (np.concatenate([d_r, d_z, d_n], -1), np.concatenate([d_r, d_z, d_n * r], -1),
            g * z)


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


# (each row in short loops over few arrays: LLVM vectorises those; one loop over all eight
# arrays needed more overlap checks than it makes and stayed scalar, 1.7x slower)
def _lstm_cell_grad(s, g, tc, c, gh, gc, d_gates, d_c):
    one = _jit.cast(1.0, g[0, 0])
    n = g.shape[1]
    for b in range(g.shape[0]):
        sr, gr, tr, cr, ghr, gcr, dr, dcr = s[b], g[b], tc[b], c[b], gh[b], gc[b], d_gates[b], d_c[b]
        for j in range(n):  # dc = d(c'), kept in d_c until the last loop
            t = tr[j]
            dcr[j] = gcr[j] + ghr[j] * sr[3 * n + j] * (one - t * t)
        for j in range(n):
            i, gv, dc = sr[j], gr[j], dcr[j]
            dr[j] = dc * gv * i * (one - i)
            dr[2 * n + j] = dc * i * (one - gv * gv)
        for j in range(n):
            o = sr[3 * n + j]
            dr[3 * n + j] = ghr[j] * tr[j] * o * (one - o)
        for j in range(n):
            f, dc = sr[n + j], dcr[j]
            dr[n + j] = dc * cr[j] * f * (one - f)
            dcr[j] = dc * f


def _gru_cell_grad(rz, n, gh, h, g, d_gi, d_gh, d_h):
    one = _jit.cast(1.0, n[0, 0])
    k = n.shape[1]
    for b in range(n.shape[0]):
        rzr, nr, ghr, hr, gr, dir_, dhr, dh = rz[b], n[b], gh[b], h[b], g[b], d_gi[b], d_gh[b], d_h[b]
        for j in range(k):  # d_n, kept in d_gi
            z, nv = rzr[k + j], nr[j]
            dir_[2 * k + j] = gr[j] * (one - z) * (one - nv * nv)
        for j in range(k):
            z = rzr[k + j]
            d_z = gr[j] * (hr[j] - nr[j]) * z * (one - z)
            dir_[k + j] = d_z
            dhr[k + j] = d_z
        for j in range(k):
            dh[j] = gr[j] * rzr[k + j]
        for j in range(k):
            r, d_n = rzr[j], dir_[2 * k + j]
            d_r = d_n * ghr[2 * k + j] * r * (one - r)
            dir_[j] = d_r
            dhr[j] = d_r
            dhr[2 * k + j] = d_n * r


# (the forward as the activations' loops: the sigmoid's float32 code compiles as there)
_BUILDS = {"_glu": _jit.jit(_glu, fastmath={"contract"}), "_glu_backward": _jit.jit(_glu_backward),
           "_lstm_cell_grad": _jit.jit(_lstm_cell_grad),
           "_gru_cell_grad": _jit.jit(_gru_cell_grad)}
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


def _c2(dtype, *arrays):
    """C-contiguous 2-D arrays of ``dtype``, all of them."""
    return all(type(a) is _ndarray and a.dtype is dtype and a.ndim == 2 and a.flags.c_contiguous
               for a in arrays)


def lstm_cell_grad(s, g, tc, c, gh, gc, out=None):
    """``lstm_cell_grad_numpy``'s ``(d_gates, d_c)`` in one loop (the same operations in the
    same order), ``d_gates`` written into ``out`` (C-contiguous, ``s``'s shape and dtype) when
    given; the loop runs on float32/float64 C-contiguous arrays of one dtype and the
    matching shapes (``gh``, ``gc`` copied to C order if they are not), else the twin.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import gates
        >>> s, g = np.full((1, 4), 0.5), np.zeros((1, 1))
        >>> gates.lstm_cell_grad(s, g, g, np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)))
        (array([[0.   , 0.375, 0.75 , 0.   ]]), array([[0.75]]))
    """
    dt = g.dtype if type(g) is _ndarray else None
    if (dt is _F32 or dt is _F64) and g.ndim == 2 and type(gh) is _ndarray \
            and type(gc) is _ndarray and gh.shape == gc.shape == g.shape:
        gh, gc = np.ascontiguousarray(gh), np.ascontiguousarray(gc)
        d_gates = np.empty(s.shape, dt) if out is None else out
        if _c2(dt, s, g, tc, c, gh, gc, d_gates) and s.shape == d_gates.shape == (
                g.shape[0], 4 * g.shape[1]) and tc.shape == c.shape == g.shape and g.size:
            loop = _loop("_lstm_cell_grad")
            if loop is not None:
                d_c = np.empty(g.shape, dt)
                loop(s, g, tc, c, gh, gc, d_gates, d_c)
                return d_gates, d_c
    d_gates, d_c = lstm_cell_grad_numpy(s, g, tc, c, gh, gc)
    if out is None:
        return d_gates, d_c
    out[...] = d_gates
    return out, d_c


def gru_cell_grad(rz, n, gh, h, g, out_gi=None, out_gh=None):
    """``gru_cell_grad_numpy``'s ``(d_gi, d_gh, d_h)`` in one loop (the same operations in the
    same order), the first two written into ``out_gi``, ``out_gh`` when given; the loop runs on
    float32/float64 C-contiguous arrays of one dtype and the matching shapes (``g``, ``h``
    copied to C order if they are not), else the twin.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels import gates
        >>> one = np.ones((1, 1))
        >>> gates.gru_cell_grad(np.full((1, 2), 0.5), 0 * one, np.ones((1, 3)), one, one)[0]
        array([[0.125, 0.25 , 0.5  ]])
    """
    dt = n.dtype if type(n) is _ndarray else None
    if (dt is _F32 or dt is _F64) and n.ndim == 2 and type(g) is _ndarray \
            and type(h) is _ndarray and g.shape == h.shape == n.shape:
        g, h = np.ascontiguousarray(g), np.ascontiguousarray(h)
        d_gi = np.empty(gh.shape, dt) if out_gi is None else out_gi
        d_gh = np.empty(gh.shape, dt) if out_gh is None else out_gh
        rows, k = n.shape
        if _c2(dt, rz, n, gh, h, g, d_gi, d_gh) and rz.shape == (rows, 2 * k) \
                and gh.shape == d_gi.shape == d_gh.shape == (rows, 3 * k) and n.size:
            loop = _loop("_gru_cell_grad")
            if loop is not None:
                d_h = np.empty(n.shape, dt)
                loop(rz, n, gh, h, g, d_gi, d_gh, d_h)
                return d_gi, d_gh, d_h
    d_gi, d_gh, d_h = gru_cell_grad_numpy(rz, n, gh, h, g)
    if out_gi is not None:
        out_gi[...] = d_gi
        d_gi = out_gi
    if out_gh is not None:
        out_gh[...] = d_gh
        d_gh = out_gh
    return d_gi, d_gh, d_h
