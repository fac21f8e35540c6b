"""Convolution and pooling: ``conv1d``/``conv2d``, ``max_pool1d/2d``, ``avg_pool1d/2d``,
``adaptive_avg_pool1d/2d``, with PyTorch's signatures, checks (and their wording) and numbers.

Every op is 2-D underneath; the 1-D forms add a unit height. The sliding windows are the
data-movement kernels of ``autograd_core.kernels.conv`` (Numba, with numpy twins); the products
go to BLAS:

* ``conv2d`` with ``groups == 1`` and output channels that fill SIMD vectors (16 float32 / 8
  float64; ``K.direct_supported``): the direct loops, which read a padded channels-last copy of
  the input (kept for the weight gradient) and return the output in channels-last memory (a
  transposed view; the next layer's copy is then a plain one). Backward: the same loops per
  input phase for the input gradient (im2col's adjoint when the input channels do not fill a
  vector), a direct loop for the weight gradient. About twice the BLAS path's speed on
  ResNet-8's 16-64-channel layers.
* ``conv2d`` otherwise: ``cols = im2col(x)`` (``(N, C*kh*kw, oh*ow)``), then ``W @ cols`` (per
  group).
  Plain backward (``fused_backward``): ``gW = g @ cols^T`` summed over the batch,
  ``gx = col2im(W^T @ g)``, ``gb = g.sum``. Under ``create_graph`` the same products are
  recorded over the ``Im2Col``/``Col2Im`` nodes (each the other's backward), so any order of
  derivative works. Columns above ``Conv2dOp.SHIFTED_MIN_COLS`` elements (``groups == 1``) go
  through ``_Grid``'s shifted products instead, which keep no columns.
* ``max_pool2d``: the kernel finds each window's maximum and its flat index (PyTorch's tie and
  NaN rules); the node gathers at those indices, so its backward (add at the indices) and that
  backward's backward (gather) are linear in the gradient.
* ``avg_pool2d``: linear; ``AvgPool2d`` and ``AvgPool2dBackward`` are each other's backward.
* ``adaptive_avg_pool2d``: ``P_h @ x @ P_w^T`` with averaging matrices (recorded matmuls).
"""

from __future__ import annotations

import math
import threading
from typing import TypeAlias

import numpy as np

from autograd_core.kernels import _jit
from autograd_core.kernels import conv as K
from autograd_core.kernels import pointwise
from autograd_core.node import LINEAR, Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.pieces import constant_pad_nd
from autograd_core.ops.registry import Sample, op, refuse_capture
from autograd_core.ops.shape import stack
from autograd_core.tensor import Tensor

Window = K.Window
#: an int or a tuple of ints (one per spatial dim), as PyTorch's size arguments
_Size: TypeAlias = int | tuple[int, ...]


def _run(cls, a, **params):
    """``cls`` applied to ``a``: recorded when ``a`` is a Tensor, an array when it is one."""
    out = cls.apply(a, **params)
    return out if isinstance(a, Tensor) else out._data


def _t(x):
    return x if isinstance(x, Tensor) else xp.constant(x)  # Python values: a constant


def _ntuple(value, n, what, fn):
    """PyTorch's expansion of an int-or-sequence argument to ``n`` ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    v = tuple(int(a) for a in value)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {what} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{what}={list(v)}")
    return v


def _float_check(name, x):
    if x.dtype.kind != "f":
        raise RuntimeError(f'"{name}" not implemented for \'{x.dtype}\' (convert the input '
                           "with .float() or .double())")


# ---- the sliding-window nodes ------------------------------------------------------------------
def _windows_of_any_dtype(kernel, name, a, *args):
    """``kernel`` (im2col/col2im, float32/float64 only) on ``a`` of any dtype PyTorch's unfold
    and fold take: complex as its real and imaginary parts, float16 and bool through float32
    (exact: copies, and sums of float16 values held in float32 rounded once). Integers are
    refused in PyTorch's words."""
    dt = a.dtype
    if dt in (np.float32, np.float64):
        return kernel(a, *args)
    if dt.kind == "c":
        part = np.float32 if dt == np.complex64 else np.float64
        re = kernel(np.ascontiguousarray(a.real, dtype=part), *args)
        im = kernel(np.ascontiguousarray(a.imag, dtype=part), *args)
        out = np.empty(re.shape, dt)
        out.real, out.imag = re, im
        return out
    if dt.kind in "iu":
        raise _args.not_implemented(f"{name}_out_cpu", dt)
    out = kernel(a.astype(np.float32), *args)
    return (out != 0) if dt.kind == "b" else out.astype(dt)


class Im2Col(Node):
    """``(N, C, H, W) -> (N, C*kh*kw, oh*ow)``: every window as a column (``F.unfold``)."""

    complex_backward = LINEAR

    _grad_fn = "Im2ColBackward0"

    def forward(self, x, win):
        self.win, self.shape = win, x.shape
        return _windows_of_any_dtype(K.im2col, "im2col", x, win)

    def backward(self, g):
        return (_run(Col2Im, g, shape=self.shape, win=self.win),)


class Col2Im(Node):
    """The adjoint of ``Im2Col``: columns summed back into ``shape`` (``F.fold``)."""

    _grad_fn = "Col2ImBackward0"

    complex_backward = LINEAR

    def forward(self, cols, shape, win):
        self.win = win
        return _windows_of_any_dtype(K.col2im, "col2im", cols, shape, win)

    def backward(self, g):
        return (_run(Im2Col, g, win=self.win),)


# ---- convolution -------------------------------------------------------------------------------
class _Grid:
    """The shifted-product layout of a stride/dilation window (``groups == 1``).

    The zero-padded input goes channels-last into ``sh * sw`` phase grids (phase ``(a, b)``
    holds padded rows ``a, a + sh, ...`` and columns ``b, b + sw, ...``), each ``(N, Hq, Wq)``
    positions flattened to rows of a ``(N*Hq*Wq + extra, C)`` matrix. Output position ``(y, x)``
    of tap ``(i, j)`` reads phase ``(i*dh % sh, j*dw % sw)`` at row ``p + off``, ``off =
    (i*dh // sh) * Wq + j*dw // sw``, ``p`` the output's own row. So forward is, per phase, one
    long product ``grid @ [W_t^T for its taps]`` and a shifted sum of its column blocks
    (``shift_add`` with offsets ``-off``); the input gradient the adjoint (``g @ [W_t]``, then
    ``shift_add`` with ``+off``); the weight gradient one product per tap of a contiguous slice of
    rows with ``g``. No im2col copy. Rows with ``y >= oh`` or ``x >= ow`` are computed and
    dropped (forward) or zero (backward)."""

    def __init__(self, shape, win):
        N, C, H, W = shape
        self.shape, self.win = shape, win
        taps = []
        for i in range(win.kh):
            a, io = (i * win.dh) % win.sh, (i * win.dh) // win.sh
            for j in range(win.kw):
                b, jo = (j * win.dw) % win.sw, (j * win.dw) // win.sw
                taps.append((i, j, a * win.sw + b, io, jo))
        self.Hq = max(win.oh + max(t[3] for t in taps), -(-(H + 2 * win.ph) // win.sh))
        self.Wq = max(win.ow + max(t[4] for t in taps), -(-(W + 2 * win.pw) // win.sw))
        self.M = N * self.Hq * self.Wq
        self.taps = [(i, j, phase, io * self.Wq + jo) for i, j, phase, io, jo in taps]
        self.rows = self.M + max(t[3] for t in self.taps)
        by_phase = {}
        for i, j, phase, off in self.taps:
            by_phase.setdefault(phase, []).append((i, j, off))
        #: per phase: its taps (i, j) and their row offsets (int64)
        self.phases = [(phase, [(i, j) for i, j, _ in t], np.array([o for _, _, o in t],
                                                                      np.int64))
                       for phase, t in sorted(by_phase.items())]

    def grid_shape(self, C):
        return (self.win.sh * self.win.sw, self.rows, C)

    def to_grid(self, x, out=None):
        """``x`` (N, C, H, W) -> phase grids ``(sh*sw, rows, C)`` (into ``out`` if given, an
        array of ``grid_shape(C)``)."""
        N, C, H, W = x.shape
        w = self.win
        if out is None:
            out = np.zeros(self.grid_shape(C), x.dtype)
        else:
            out.fill(0)
        if w.sh == w.sw == 1:
            grid = out[0, :self.M].reshape(N, self.Hq, self.Wq, C)
            grid[:, w.ph:w.ph + H, w.pw:w.pw + W] = x.transpose(0, 2, 3, 1)
            return out
        buf = _scratch.get("to_grid", (N, self.Hq * w.sh, self.Wq * w.sw, C), x.dtype,
                           zero=True)
        buf[:, w.ph:w.ph + H, w.pw:w.pw + W] = x.transpose(0, 2, 3, 1)
        out[:, :self.M].reshape(w.sh, w.sw, N, self.Hq, self.Wq, C)[...] = buf.reshape(
            N, self.Hq, w.sh, self.Wq, w.sw, C).transpose(2, 4, 0, 1, 3, 5)
        return out

    def from_grid(self, gq):
        """The adjoint of ``to_grid``: phase grids -> (N, C, H, W), padding dropped."""
        N, C, H, W = self.shape
        w = self.win
        if w.sh == w.sw == 1:
            buf = gq[0, :self.M].reshape(N, self.Hq, self.Wq, C)
        else:
            buf = gq[:, :self.M].reshape(w.sh, w.sw, N, self.Hq, self.Wq, C).transpose(
                2, 3, 0, 4, 1, 5).reshape(N, self.Hq * w.sh, self.Wq * w.sw, C)
        # a copy always: ``gq`` is a scratch array (with one channel and no cropping the view
        # would already be contiguous, and ascontiguousarray would hand the scratch out)
        return buf[:, w.ph:w.ph + H, w.pw:w.pw + W].transpose(0, 3, 1, 2).copy()

    def output(self, acc, out):
        """Rows ``(M, O)`` -> the valid positions, into ``out`` (N, O, oh, ow)."""
        N, O = out.shape[:2]
        src = acc.reshape(N, self.Hq, self.Wq, O)[:, :self.win.oh, :self.win.ow]
        return src.transpose(0, 3, 1, 2)

    def grad_rows(self, g):
        """``g`` (N, O, oh, ow) -> rows ``(M, O)``, zero at the positions forward dropped."""
        N, O = g.shape[:2]
        gq = _scratch.get("grad_rows", (self.M, O), g.dtype, zero=True)
        gq.reshape(N, self.Hq, self.Wq, O)[:, :self.win.oh, :self.win.ow] = \
            g.transpose(0, 2, 3, 1)
        return gq


class _Scratch(threading.local):
    """Per-thread work arrays reused across calls, one per (slot, shape, dtype): a batch-sized
    temporary allocated afresh each call costs more in first-touch page faults than the work
    done in it (LeNet's im2col: 1.7 ms of copying, 4.5 ms of faults on this machine). Only
    arrays that no caller keeps are taken from here; at most ``LIMIT`` bytes are held."""

    LIMIT = 256 << 20

    def __init__(self):
        self.arrays = {}

    def get(self, slot, shape, dtype, zero=False):
        key = (slot, tuple(shape), np.dtype(dtype))
        a = self.arrays.get(key)
        if a is None:
            if sum(v.nbytes for v in self.arrays.values()) > self.LIMIT:
                self.arrays.clear()
            a = self.arrays[key] = np.empty(shape, dtype)
        if zero:
            a.fill(0)
        return a


_scratch = _Scratch()


class _Pool:
    """Batch-sized arrays lent to nodes that keep them until their backward (unlike
    ``_Scratch``'s, which no caller keeps): a node takes one in forward and gives it back when
    the engine frees what it saved. A node that is never run backward just drops its array.
    At most ``LIMIT`` bytes wait here."""

    LIMIT = 256 << 20

    def __init__(self):
        self.free = {}
        self.lock = threading.Lock()

    def take(self, shape, dtype):
        key = (tuple(shape), np.dtype(dtype))
        with self.lock:
            arrays = self.free.get(key)
            if arrays:
                return arrays.pop()
        return np.empty(shape, dtype)

    def give(self, a):
        with self.lock:
            if sum(b.nbytes for v in self.free.values() for b in v) + a.nbytes <= self.LIMIT:
                self.free.setdefault((a.shape, a.dtype), []).append(a)


_pool = _Pool()


#: rows per block of the shifted products: the block's product (rows x taps*channels) is
#: reused from the cache instead of a fresh batch-sized array (whose first-touch page faults
#: cost more than the product itself: 3 ms product, 10 ms faults for ResNet-8's 16x32x32)
_BLOCK = 2048


def _blocked_shift(a, b, offs, out):
    """``out[m + offs[k]] += (a @ b)[m, k-th block]`` for every row ``m`` of ``a``, through one
    block of rows at a time."""
    buf = _scratch.get("block", (min(_BLOCK, a.shape[0]), b.shape[1]), np.result_type(a, b))
    for start in range(0, a.shape[0], _BLOCK):
        part = a[start:start + _BLOCK]
        t = buf[:part.shape[0]]
        np.dot(part, b, out=t)
        K.shift_add(t, offs + start, out)


def _shifted_products(grid, cols, w):
    """Forward rows ``(M, O)``: per phase, ``cols[phase] @ [W[:, :, i, j]^T ...]`` and the
    shifted sum of its blocks."""
    acc = _scratch.get("acc", (grid.M, w.shape[0]), cols.dtype, zero=True)
    for phase, taps, offs in grid.phases:
        wp = np.concatenate([w[:, :, i, j].T for i, j in taps], axis=1)
        _blocked_shift(cols[phase], wp, -offs, acc)  # acc[m] += block k of row m + off
    return acc


def _bias_grad(g):
    """``g`` (N, O, oh, ow) summed to (O,), read in its own layout: summing the (N*L, O)
    transposed copy over its long axis took 15x longer (LeNet conv1: 0.9 ms vs 0.06 ms)."""
    last = g.transpose(0, 2, 3, 1)
    if last.flags.c_contiguous and g.size:  # channels-last memory (the direct loops' layout)
        # rows of O channels are summed f at a time (rows f*O wide): over (rows, 16) numpy's
        # column sums took 0.65 ms, over (rows / 32, 512) 0.08 ms (ResNet-8's 16-channel g)
        O, rows = g.shape[1], g.size // g.shape[1]
        f = 1
        while f * O < 512 and rows % (2 * f) == 0:
            f *= 2
        return xp.fsum(last.reshape(-1, f * O), 0).reshape(f, O).sum(axis=0)
    return g.sum(axis=(0, 2, 3))


class Conv2dOp(Node):
    """Grouped 2-D cross-correlation (zero padding) through im2col and BLAS; see the module
    docstring. ``forward(x, weight, bias, win, groups)`` with the arguments already checked.

    The columns are ``(N, K, L)`` (``K = C*kh*kw``, ``L = oh*ow``, ``F.unfold``'s layout), so
    every product is per sample (and group) in the layouts of ``x``, ``g`` and the output:
    forward ``W @ cols[n]``, backward ``W^T @ g[n]`` and ``cols[n] @ g[n]^T``. Next to the
    one-big-product ``(N*L, K)`` layout this replaces, the im2col copy became ~5x faster
    (whole contiguous rows) and the output needs no transposing (LeNet conv1 forward 1.5 ->
    0.4 ms).

    With ``groups == 1`` and output channels that fill SIMD vectors the direct loops
    (``K.conv2d_forward`` / ``conv2d_input_grad`` / ``conv2d_weight_grad``) replace all of
    this: OpenBLAS ran ResNet-8's 16-channel products at 35-60 GFLOP/s, the direct loops run
    them at ~100 (1 core)."""

    _grad_fn = "ConvolutionBackward0"

    #: column elements (``N*C*kh*kw*oh*ow``) from which, with groups == 1, the shifted
    #: products replace im2col: they keep a grid the size of the padded input instead of
    #: columns kh*kw times larger until backward. Since the columns moved to the unfold layout
    #: im2col is as fast or faster on every layer of the bench's ResNet-8 (1x1 projections 3x),
    #: so the shifted products are kept for memory only (64 MiB of float32 columns).
    SHIFTED_MIN_COLS = 1 << 24

    #: product depth (``C*kh*kw``) from which the direct loops replace im2col when the output
    #: channels fill vectors (0: always; measured equal either way on LeNet-5's 6->16 and
    #: ResNet-8's 3->16 first layers; the tests set it huge to force the other paths)
    DIRECT_MIN_DEPTH = 0

    def forward(self, x, weight, bias, win, groups):
        self.win, self.groups, self.x_shape, self.w_shape = win, groups, x.shape, weight.shape
        N, O, G = x.shape[0], weight.shape[0], groups
        w = np.ascontiguousarray(weight)
        self.direct = (G == 1 and x.dtype == w.dtype and _jit.use_numba()
                       and K.direct_supported(x.dtype, O)
                       and x.shape[1] * win.kh * win.kw >= self.DIRECT_MIN_DEPTH)
        self.depthwise = (G > 1 and x.shape[1] == G and x.dtype == w.dtype
                          and x.dtype in (np.float32, np.float64))
        if self.depthwise:
            # one plane per (sample, output channel): im2col's per-plane 1 x kh*kw products
            # were ~5x torch's time (MobileNet's layers); the padded input is kept for the
            # weight gradient
            self.grid, self.direct = None, False
            need = self.needs_input_grad
            xpad = K.depthwise_padded(x, win)
            self.lent = None
            self.save_for_backward(x if need[1] else None, weight if need[0] else None,
                                   xpad if need[1] else None)
            return K.depthwise_forward(x, w, bias, win, padded=xpad)
        if self.direct:
            # the direct loops: no columns, the output in channels-last memory; the input's
            # padded channels-last copy is kept for the weight gradient (pooled)
            self.grid = None
            need = self.needs_input_grad
            shape = (N, x.shape[2] + 2 * win.ph, x.shape[3] + 2 * win.pw, x.shape[1])
            xp = K.nhwc_padded(x, win.ph, win.pw, out=_pool.take(shape, x.dtype) if need[1]
                               else _scratch.get("padded", shape, x.dtype))
            self.lent = xp if need[1] else None
            # (the weight as given: a contiguous copy would not be known as the input, and
            # create_graph's backward would hold it as a constant)
            self.save_for_backward(x if need[1] else None, weight if need[0] else None,
                                   xp if need[1] else None)
            return K.conv2d_forward(x, w, bias, win, padded=xp)
        out = np.empty((N, O, win.oh, win.ow), np.result_type(x.dtype, w.dtype))
        cols_size = N * x.shape[1] * win.kh * win.kw * win.oh * win.ow
        if G == 1 and cols_size >= self.SHIFTED_MIN_COLS:
            grid = _Grid(x.shape, win)
            # the phase grids, kept for the weight gradient (pooled, as im2col's columns)
            keep = self.needs_input_grad[1]
            shape = grid.grid_shape(x.shape[1])
            cols = grid.to_grid(x, _pool.take(shape, x.dtype) if keep else
                                _scratch.get("grid", shape, x.dtype))
            src = grid.output(_shifted_products(grid, cols, w), out)
            self.grid = grid
            self.lent = cols if keep else None
        else:
            # kept for the weight gradient in a pooled array (given back by _release): that
            # costs its memory until backward, but recomputing it cost as much as the product
            cols = self._cols(x, pooled=self.needs_input_grad[1])
            # per sample and group, W_g @ cols[n, g] straight into the output's layout
            np.matmul(w.reshape(G, O // G, -1), cols.reshape(N, G, -1, cols.shape[2]),
                      out=out.reshape(N, G, O // G, -1))
            src = None
            self.grid = None
            self.lent = cols if self.needs_input_grad[1] else None
        if src is not None and bias is None:
            np.copyto(out, src)
        elif src is not None:
            np.add(src, bias.reshape(1, O, 1, 1), out=out)
        elif bias is not None:
            out += bias.reshape(1, O, 1, 1)
        need = self.needs_input_grad
        self.save_for_backward(x if need[1] else None, weight if need[0] else None,
                               cols if need[1] else None)
        return out

    def _cols(self, x, pooled=False):
        win = self.win
        shape = (x.shape[0], x.shape[1] * win.kh * win.kw, win.oh * win.ow)
        buf = _pool.take(shape, x.dtype) if pooled else _scratch.get("cols", shape, x.dtype)
        return K.im2col(x, win, out=buf)

    def _release(self):
        super()._release()
        lent, self.lent = getattr(self, "lent", None), None
        if lent is not None:
            _pool.give(lent)

    def _grid_backward(self, g, w, cols):
        grid, need = self.grid, self.needs_input_grad
        gq = grid.grad_rows(g)
        gx = gw = gb = None
        if need[0]:
            out = _scratch.get("grid_grad", (self.win.sh * self.win.sw, grid.rows, w.shape[1]),
                               g.dtype, zero=True)
            for phase, taps, offs in grid.phases:
                wp = np.concatenate([w[:, :, i, j] for i, j in taps], axis=1)
                _blocked_shift(gq, wp, offs, out[phase])
            gx = grid.from_grid(out)
        if need[1]:
            gwt = np.empty((self.win.kh, self.win.kw) + (w.shape[1] if w is not None else
                                                         self.w_shape[1], g.shape[1]), g.dtype)
            for i, j, phase, off in grid.taps:
                np.dot(cols[phase, off:off + grid.M].T, gq, out=gwt[i, j])
            gw = np.ascontiguousarray(gwt.transpose(3, 2, 0, 1))
        if need[2]:
            gb = _bias_grad(g)
        return gx, gw, gb

    def _direct_backward(self, g, x, w, xp):
        need = self.needs_input_grad
        gx = gw = gb = None
        if need[0] and K.direct_supported(g.dtype, self.x_shape[1]):
            gx = K.conv2d_input_grad(g, w, self.x_shape, self.win,
                                     work=lambda shape, dt: _scratch.get("gpad", shape, dt))
        elif need[0]:  # few input channels (a network's first layer): the columns' adjoint
            N, O = g.shape[:2]
            gcols = _scratch.get("gcols", (N, w[0].size, g[0, 0].size), g.dtype)
            np.matmul(w.reshape(O, -1).T, np.ascontiguousarray(g).reshape(N, O, -1), out=gcols)
            gx = K.col2im(gcols, self.x_shape, self.win)
        if need[1]:
            gw = K.conv2d_weight_grad(x, g, self.win, padded=xp)
        if need[2]:
            gb = _bias_grad(g)
        return gx, gw, gb

    def fused_backward(self, g):
        x, w, cols = self.saved
        if self.depthwise:
            need = self.needs_input_grad
            gc = np.ascontiguousarray(g)  # (once for both kernels: a broadcast g is common)
            gx = gw = gb = None
            if need[0]:
                gx = K.depthwise_input_grad(gc, np.ascontiguousarray(w), self.x_shape, self.win)
            if need[1]:
                gw = K.depthwise_weight_grad(cols, gc, self.win._replace(ph=0, pw=0))
            if need[2]:
                gb = _bias_grad(g)
            return gx, gw, gb
        if self.direct:
            return self._direct_backward(g, x, w, cols)
        if self.grid is not None:
            return self._grid_backward(g, w, cols)
        need = self.needs_input_grad
        N, O, G = g.shape[0], g.shape[1], self.groups
        # per sample and group, in g's own layout (O, L): gcols = W_g^T @ g[n, g],
        # gW_g = sum_n g[n, g] @ cols[n, g]^T, taken transposed (cols[n, g] @ g[n, g]^T ran
        # 1.8x faster for LeNet conv2's long rows)
        gn = np.ascontiguousarray(g).reshape(N, G, O // G, -1)
        L = gn.shape[3]
        gx = gw = gb = None
        if need[0]:
            wg = w.reshape(G, O // G, -1)
            gcols = _scratch.get("gcols", (N, G * wg.shape[2], L), g.dtype)
            np.matmul(wg.transpose(0, 2, 1), gn, out=gcols.reshape(N, G, -1, L))
            gx = K.col2im(gcols, self.x_shape, self.win)
        if need[1]:
            per = np.matmul(cols.reshape(N, G, -1, L), gn.transpose(0, 1, 3, 2)).sum(axis=0)
            gw = np.ascontiguousarray(per.transpose(0, 2, 1)).reshape(self.w_shape)
        if need[2]:
            gb = _bias_grad(g)
        return gx, gw, gb

    def backward(self, g):  # the composite: what create_graph records
        x, w, _ = self.saved
        need = self.needs_input_grad
        N = self.x_shape[0]
        O, G = self.w_shape[0], self.groups
        L = self.win.oh * self.win.ow
        g4 = g.reshape(N, G, O // G, L)
        gx = gw = gb = None
        if need[0]:
            gcols = xp.matmul(xp.swap_last(w.reshape(G, O // G, -1)), g4).reshape(N, -1, L)
            gx = _run(Col2Im, gcols, shape=self.x_shape, win=self.win)
        if need[1]:
            cols = _run(Im2Col, x, win=self.win).reshape(N, G, -1, L)
            gw = xp.matmul(g4, xp.swap_last(cols)).sum(0).reshape(self.w_shape)
        if need[2]:
            gb = g4.sum((0, 3)).reshape(O)
        return gx, gw, gb


class ConvTranspose2dOp(Node):
    """float32 ``conv_transpose2d`` with ``groups == 1`` and input channels that fill the direct
    loops' vectors, as one node (PyTorch's ``ConvolutionBackward0``). Forward is the columns'
    route as before (``W^T @ x``, then ``col2im``: the same bits); the backward runs the
    direct loops: the input gradient is the convolution ``win`` describes
    (``K.conv2d_forward`` of ``g``; up to 16 output channels), the weight gradient that
    convolution's weight gradient
    with input and output gradient swapped. The recorded matmul + ``Col2Im`` backward
    (im2col of ``g`` and two BLAS products, ~3x torch's time for DCGAN's 4x4 stride-2 layers)
    gave other bits than PyTorch's float32 kernels; these give its weight gradient bit for bit.
    (float64 keeps the recorded route: PyTorch's float64 numbers are that route's.)"""

    _grad_fn = "ConvolutionBackward0"

    def forward(self, x, weight, bias, win, shape):
        self.win, self.shape, self.x_shape, self.w_shape = win, shape, x.shape, weight.shape
        need = self.needs_input_grad
        self.save_for_backward(x if need[1] else None, weight if need[0] else None)
        N, Cin = x.shape[:2]
        cols = np.matmul(weight.reshape(1, Cin, -1).swapaxes(-1, -2),
                         x.reshape(N, 1, Cin, -1)).reshape(N, -1, x.shape[2] * x.shape[3])
        out = K.col2im(cols, shape, win)
        if bias is not None:
            out += bias.reshape(1, -1, 1, 1)
        return out

    def fused_backward(self, g):
        x, w = self.saved
        need = self.needs_input_grad
        gx = gw = gb = None
        direct_gx = need[0] and self.shape[1] <= 16
        # g's padded channels-last copy, made once for both loops
        gp = K.nhwc_padded(g, self.win.ph, self.win.pw) if direct_gx or need[1] else None
        if direct_gx:
            gx = K.conv2d_forward(g, np.ascontiguousarray(w), None, self.win, padded=gp)
        elif need[0]:
            # more output channels: PyTorch's kernel sums them in blocks, in an order the
            # direct loop's is further from than the columns' product (the recorded route's
            # bits: W @ im2col(g))
            N, Cin = self.x_shape[:2]
            gcols = K.im2col(g, self.win)
            gx = np.matmul(w.reshape(1, Cin, -1), gcols.reshape(N, 1, gcols.shape[1], -1))
            gx = gx.reshape(self.x_shape)
        if need[1]:
            gw = K.conv2d_weight_grad(g, x, self.win, padded=gp)
        if need[2]:
            gb = _bias_grad(g)
        return gx, gw, gb

    def backward(self, g):  # the composite (create_graph): im2col of g and two products
        x, w = self.saved
        need = self.needs_input_grad
        N, Cin = self.x_shape[:2]
        L = self.win.oh * self.win.ow
        gx = gw = gb = None
        if need[0] or need[1]:
            gcols = _run(Im2Col, g, win=self.win)  # (N, Cout*kh*kw, H*W)
        if need[0]:
            gx = xp.matmul(w.reshape(Cin, -1), gcols).reshape(self.x_shape)
        if need[1]:
            gw = xp.matmul(x.reshape(N, Cin, L), xp.swap_last(gcols)).sum(0).reshape(
                self.w_shape)
        if need[2]:
            gb = g.sum((0, 2, 3))
        return gx, gw, gb


def _half(*tensors):
    """True when every given tensor is float16: PyTorch's CPU convolutions and pools compute
    those in float32 and round the result to half (the same numbers here)."""
    return all(t is None or _t(t)._data.dtype == np.float16 for t in tensors)


def _check_operands(name, nd, x, w):
    """The checks a convolution and a transposed one make of their operands: an ``nd + 1``-D
    (unbatched) or ``nd + 2``-D input, an ``nd + 2``-D weight, a floating input."""
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(x.shape)}")
    if w.ndim != nd + 2:
        raise RuntimeError(f"{name}: expected weight to be {nd + 2}-dimensional, but got weight "
                           f"of size {list(w.shape)}")
    _float_check(name, x)


def _check_groups(groups, w):
    """PyTorch's checks of the weight's first dimension against ``groups``, its words."""
    if w.shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {list(w.shape)} instead")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w.shape)}] instead")


def _conv(name, nd, input, weight, bias, stride, padding, dilation, groups):
    x, w = _t(input), _t(weight)
    if _half(x, w, bias):
        return _conv(name, nd, x.float(), w.float(), None if bias is None else _t(bias).float(),
                     stride, padding, dilation, groups).half()
    batched = x.ndim == nd + 2
    _check_operands(name, nd, x, w)
    stride = _ntuple(stride, nd, "stride", name)
    dilation = _ntuple(dilation, nd, "dilation", name)
    groups = int(groups)
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) <= 0:
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    shape = x.shape if batched else (1,) + x.shape
    ksize = tuple(w.shape[2:])
    extra = [0] * nd  # 'same' with an even total padding: one more on the far side
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        elif padding == "same":
            if max(stride) != 1:
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, ksize)]
            padding = tuple(t // 2 for t in total)
            extra = [t - 2 * (t // 2) for t in total]
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _ntuple(padding, nd, "padding", name)
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    O = w.shape[0]
    _check_groups(groups, w)
    if shape[1] != w.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                           f"input{list(shape)} to have {w.shape[1] * groups} channels, but got "
                           f"{shape[1]} channels instead")
    if bias is not None:
        b = _t(bias)
        if b.shape != (O,):
            raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be "
                               f"1-dimensional with {O} elements, but got bias of size "
                               f"{list(b.shape)} instead")
        if b.dtype != x.dtype:
            raise RuntimeError(f"Input type ({_ctype(x.dtype)}) and bias type "
                               f"({_ctype(b.dtype)}) should be the same")
    if w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_stype(x.dtype)} but found {_stype(w.dtype)}")
    padded = [s + 2 * p + e for s, p, e in zip(shape[2:], padding, extra)]
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, ksize)]
    if any(p < k for p, k in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           "actual input size")
    if not batched:
        x = x.unsqueeze(0)
    if any(extra):
        pad = []
        for e in reversed(extra):
            pad += [0, e]
        x = constant_pad_nd(x, pad)
    if nd == 3:
        out = _conv3d_as_2d(x, w, bias, stride, padding, dilation, groups)
    else:
        if nd == 1:
            x, w = x.unsqueeze(2), w.unsqueeze(2)
            stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
        out = _conv2d(x, w, bias, stride, padding, dilation, groups)
        if nd == 1:
            out = out.squeeze(2)
    return out if batched else out.squeeze(0)


def _conv2d(x, w, bias, stride, padding, dilation, groups):
    """The checked batched 2-D convolution: its window and ``Conv2dOp``."""
    H, W = x.shape[2:]
    kh, kw = w.shape[2:]
    oh, ow = ((s + 2 * p - d * (k - 1) - 1) // st + 1 for s, p, d, k, st in
              zip((H, W), padding, dilation, (kh, kw), stride))
    if x.shape[0] == 0:  # an empty batch: an empty output and zero gradients, as PyTorch's
        empty = xp.constant(np.zeros((0, w.shape[0], oh, ow), np.result_type(x.dtype, w.dtype)))
        inputs = x.sum() + w.sum() + (0 if bias is None else bias.sum())
        return empty + inputs * 0  # (the sums connect the inputs; their gradients are zeros)
    win = Window(kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
                 oh, ow)
    return Conv2dOp.apply(x, w, bias, win=win, groups=groups)


def _conv3d_as_2d(x, w, bias, stride, padding, dilation, groups):
    """The checked batched 3-D convolution as one 2-D convolution: the depth taps go to the
    channels (each output depth's ``kd`` input slices, group by group, as ``(N*od, kd*C,
    H, W)``; the weight ``(O, kd*C/G, kh, kw)`` in the same order), so the recorded graph is
    slicing, a stack and ``Conv2dOp``, and every derivative comes with them."""
    sd, pd, dd = stride[0], padding[0], dilation[0]
    if pd:
        x = constant_pad_nd(x, [0, 0, 0, 0, pd, pd])
    N, C, D, H, W = x.shape
    O, kd = w.shape[0], w.shape[2]
    G = groups
    od = (D - dd * (kd - 1) - 1) // sd + 1
    taps = stack([x[:, :, t * dd:t * dd + (od - 1) * sd + 1:sd] for t in range(kd)], 1)
    x2 = taps.reshape(N, kd, G, C // G, od, H, W).permute(0, 4, 2, 1, 3, 5, 6).reshape(
        N * od, kd * C, H, W)
    w2 = w.permute(0, 2, 1, 3, 4).reshape(O, kd * w.shape[1], *w.shape[3:])
    out = _conv2d(x2, w2, bias, stride[1:], padding[1:], dilation[1:], groups)
    return out.reshape(N, od, O, *out.shape[2:]).permute(0, 2, 1, 3, 4)


def _ctype(dt):
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        np.dtype(dt).name, np.dtype(dt).name)


def _stype(dt):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int"}.get(np.dtype(dt).name, np.dtype(dt).name)


def _conv_sample(nd, shapes, transposed=False, **kw):
    """A sample: the op with ``kw`` on inputs of ``shapes``; other shapes (the generic tests
    draw their own) are flattened into a one-channel 'same' ``conv1d`` (a full
    ``conv_transpose1d`` for the transposed ops)."""
    def fn(a, b):
        if (tuple(a.shape), tuple(b.shape)) == shapes:
            if transposed:
                return (conv_transpose2d if nd == 2 else conv_transpose1d)(a, b, **kw)
            return {1: conv1d, 2: conv2d, 3: conv3d}[nd](a, b, **kw)
        if transposed:
            return conv_transpose1d(a.reshape(1, 1, -1), b.reshape(1, 1, -1))
        return conv1d(a.reshape(1, 1, -1), b.reshape(1, 1, -1), padding="same")
    return fn


_S1, _S2 = ((2, 4, 5, 6), (6, 2, 3, 2)), ((1, 2, 4, 5), (3, 2, 2, 2))


@op("conv2d", samples=[
    Sample("conv2d", _conv_sample(2, _S1, stride=(2, 1), padding=1, dilation=(1, 2), groups=2), 2,
           shapes=_S1),
    Sample("conv2d_same", _conv_sample(2, _S2, padding="same", dilation=(1, 2)), 2, shapes=_S2)])
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _Size = 1,
           padding: _Size | str = 0, dilation: _Size = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of ``input`` ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``)
    with ``weight`` ``(C_out, C_in / groups, kH, kW)``, plus ``bias`` ``(C_out,)``.

    ``padding`` is an int, a pair, ``'valid'`` (none) or ``'same'`` (stride 1 only; an odd
    total padding puts the extra row/column on the far side, as PyTorch).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.ones(1, 1, 4, 4)
        >>> ag.conv2d(x, ag.ones(2, 1, 3, 3), padding=1)[0, 0]
        tensor([[4., 6., 6., 4.],
                [6., 9., 9., 6.],
                [6., 9., 9., 6.],
                [4., 6., 6., 4.]])
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


_S3 = ((2, 3, 9), (6, 1, 3))


@op("conv1d", samples=[
    Sample("conv1d", _conv_sample(1, _S3, stride=2, padding=2, dilation=2, groups=3), 2, shapes=_S3),
    Sample("conv1d_same", _conv_sample(1, ()), 2, shapes=((3, 4), (3, 4)))])
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _Size = 1,
           padding: _Size | str = 0, dilation: _Size = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation of ``input`` ``(N, C_in, L)`` (or ``(C_in, L)``) with ``weight``
    ``(C_out, C_in / groups, k)``; as :func:`conv2d` otherwise.

    Example::

        >>> import autograd_core as ag
        >>> ag.conv1d(ag.tensor([[[1., 2., 3., 4.]]]), ag.tensor([[[1., -1.]]]))
        tensor([[[-1., -1., -1.]]])
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


_S4, _S5 = ((2, 4, 4, 3, 5), (6, 2, 2, 3, 2)), ((1, 2, 3, 4, 3), (2, 2, 2, 2, 3))


@op("conv3d", samples=[
    Sample("conv3d", _conv_sample(3, _S4, stride=(2, 1, 2), padding=(1, 0, 1),
                                  dilation=(1, 1, 2), groups=2), 2, shapes=_S4),
    Sample("conv3d_same", _conv_sample(3, _S5, padding="same", dilation=(2, 1, 1)), 2,
           shapes=_S5)])
def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _Size = 1,
           padding: _Size | str = 0, dilation: _Size = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation of ``input`` ``(N, C_in, D, H, W)`` (or ``(C_in, D, H, W)``) with
    ``weight`` ``(C_out, C_in / groups, kD, kH, kW)``; as :func:`conv2d` otherwise. It runs as
    one 2-D convolution whose channels hold the depth taps.

    Example::

        >>> import autograd_core as ag
        >>> ag.conv3d(ag.ones(1, 1, 3, 3, 3), ag.ones(1, 1, 2, 2, 2))[0, 0, 0]
        tensor([[8., 8.],
                [8., 8.]])
    """
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


# ---- transposed convolution ----------------------------------------------------------------------
def _conv_transpose(name, nd, input, weight, bias, stride, padding, output_padding, groups,
                    dilation):
    """The gradient of a convolution with respect to its input, as an op: per group
    ``cols = W_g^T @ x_g`` (the columns of every output window) summed into place by
    ``Col2Im``. Its derivative is therefore im2col and a product: a convolution forward and a
    weight gradient, the same kernels as ``Conv2dOp``."""
    x, w = _t(input), _t(weight)
    if _half(x, w, bias):
        return _conv_transpose(name, nd, x.float(), w.float(),
                               None if bias is None else _t(bias).float(), stride, padding,
                               output_padding, groups, dilation).half()
    _check_operands(name, nd, x, w)
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    stride, padding, output_padding, dilation = (
        _ntuple(v, nd, what, name) for v, what in (
            (stride, "stride"), (padding, "padding"), (output_padding, "output_padding"),
            (dilation, "dilation")))
    if nd == 1:  # PyTorch's checks and messages see the unit height of the 2-D form
        stride, padding, output_padding, dilation = ((1,) + stride, (0,) + padding,
                                                     (0,) + output_padding, (1,) + dilation)
    groups = int(groups)
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(output_padding) < 0:
        raise RuntimeError("negative output_padding is not supported")
    if min(dilation) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{dilation[-2]}, dilation_width: {dilation[-1]}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got "
            f"output_padding_height: {output_padding[-2]} output_padding_width: "
            f"{output_padding[-1]} stride_height: {stride[-2]} stride_width: {stride[-1]} "
            f"dilation_height: {dilation[-2]} dilation_width: {dilation[-1]}")
    batched = x.ndim == nd + 2
    shape = x.shape if batched else (1,) + x.shape
    Cin = w.shape[0]
    _check_groups(groups, w)
    if shape[1] != Cin:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected "
                           f"input{list(shape)} to have {Cin} channels, but got {shape[1]} "
                           "channels instead")
    Cout = w.shape[1] * groups
    if bias is not None:
        bias = _t(bias)
        if bias.shape != (Cout,):
            raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected "
                               f"bias to be 1-dimensional with {Cout} elements, but got bias "
                               f"of size {list(bias.shape)} instead")
    if not w.numel():  # (no output channel or an empty kernel)
        got = list(w.shape[:2]) + [1] + list(w.shape[2:]) if nd == 1 else list(w.shape)
        what = ("5D (n_output_plane x n_input_plane x kernel_depth x kernel_height x "
                "kernel_width) tensor expected for weight" if nd == 3 else
                "2D or 4D weight tensor expected")
        raise RuntimeError(f"non-empty {what}, but got: {got}")
    if w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_stype(x.dtype)} but found {_stype(w.dtype)}")
    if not batched:
        x = x.unsqueeze(0)
    if nd == 3:
        out = _conv_transpose3d(x, w, bias, stride, padding, output_padding, groups, dilation)
        return out if batched else out.squeeze(0)
    if nd == 1:
        x, w = x.unsqueeze(2), w.unsqueeze(2)
    N, _, H, W = x.shape
    ksize = w.shape[2:]
    sizes = [(i - 1) * s - 2 * p + d * (k - 1) + o + 1 for i, s, p, d, k, o in
             zip((H, W), stride, padding, dilation, ksize, output_padding)]
    if min(sizes) < 1:
        raise RuntimeError(f"Given input size per channel: ({H} x {W}). Calculated output "
                           f"size per channel: ({sizes[0]} x {sizes[1]}). Output size is too "
                           "small")
    G = groups
    win = Window(ksize[0], ksize[1], stride[0], stride[1], padding[0], padding[1], dilation[0],
                 dilation[1], H, W)
    if (G == 1 and x.size and x.dtype == np.float32 and _jit.use_numba()
            and K.direct_supported(x.dtype, Cin) and (bias is None or bias.dtype == x.dtype)):
        out = ConvTranspose2dOp.apply(x, w, bias, win=win, shape=(N, Cout, *sizes))
        if nd == 1:
            out = out.squeeze(2)
        return out if batched else out.squeeze(0)
    cols = w.reshape(G, Cin // G, -1).transpose(-1, -2).matmul(x.reshape(N, G, Cin // G, H * W))
    cols = cols.reshape(N, Cout * ksize[0] * ksize[1], H * W)
    out = Col2Im.apply(cols, shape=(N, Cout, *sizes), win=win)
    if bias is not None:
        out = out + bias.to(out.dtype).reshape(1, Cout, 1, 1)
    if nd == 1:
        out = out.squeeze(2)
    return out if batched else out.squeeze(0)


_T2, _T1 = ((2, 4, 3, 3), (4, 3, 3, 2)), ((2, 3, 4), (3, 2, 3))


@op("conv_transpose2d", samples=[
    Sample("conv_transpose2d", _conv_sample(2, _T2, True, stride=(2, 1), padding=(1, 0),
                                            output_padding=(1, 0), groups=2, dilation=(1, 2)),
           2, shapes=_T2)])
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: _Size = 1, padding: _Size = 0, output_padding: _Size = 0,
                     groups: int = 1, dilation: _Size = 1) -> Tensor:
    """2-D transposed convolution ("deconvolution") of ``input`` ``(N, C_in, H, W)`` (or
    ``(C_in, H, W)``) with ``weight`` ``(C_in, C_out / groups, kH, kW)``, plus ``bias``
    ``(C_out,)``: the gradient of :func:`conv2d` with respect to its input. The output is
    ``(H - 1) * stride - 2 * padding + dilation * (kH - 1) + output_padding + 1`` high (likewise
    wide); ``output_padding`` (smaller than ``stride`` or ``dilation``) picks among the sizes a
    strided convolution maps to the same size. PyTorch's argument order (``groups`` before
    ``dilation``).

    Example::

        >>> import autograd_core as ag
        >>> ag.conv_transpose2d(ag.ones(1, 1, 2, 2), ag.ones(1, 1, 2, 2), stride=2)
        tensor([[[[1., 1., 1., 1.],
                  [1., 1., 1., 1.],
                  [1., 1., 1., 1.],
                  [1., 1., 1., 1.]]]])
        >>> ag.conv_transpose2d(ag.ones(1, 1, 2, 2), ag.ones(1, 1, 2, 2))
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


@op("conv_transpose1d", samples=[
    Sample("conv_transpose1d", _conv_sample(1, _T1, True, stride=2, padding=1, output_padding=1,
                                            dilation=2), 2, shapes=_T1)])
def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: _Size = 1, padding: _Size = 0, output_padding: _Size = 0,
                     groups: int = 1, dilation: _Size = 1) -> Tensor:
    """1-D transposed convolution of ``input`` ``(N, C_in, L)`` (or ``(C_in, L)``) with
    ``weight`` ``(C_in, C_out / groups, k)``; as :func:`conv_transpose2d` otherwise.

    Example::

        >>> import autograd_core as ag
        >>> ag.conv_transpose1d(ag.tensor([[[1., 2.]]]), ag.tensor([[[1., 10., 100.]]]))
        tensor([[[  1.,  12., 120., 200.]]])
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def _conv_transpose3d(x, w, bias, stride, padding, output_padding, groups, dilation):
    """3-D transposed convolution as a convolution: the input with ``stride - 1`` zeros between
    its elements, padded by ``dilation * (k - 1) - padding`` (and ``output_padding`` after;
    a negative pad crops), convolved at stride 1 with the weight flipped in space and its
    channel axes swapped per group. Made of differentiable ops, so its gradients are theirs."""
    n, cin = x.shape[0], x.shape[1]
    spatial = tuple(x.shape[2:])
    ks = tuple(w.shape[2:])
    sizes = [(i - 1) * s - 2 * p + d * (k - 1) + o + 1 for i, s, p, d, k, o in
             zip(spatial, stride, padding, dilation, ks, output_padding)]
    if min(sizes) < 1:
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, spatial))}). "
                           f"Calculated output size per channel: "
                           f"({' x '.join(map(str, sizes))}). Output size is too small")
    if max(stride) > 1:  # zeros between the elements: (D, 1, H, 1, W, 1) padded to the strides
        shape = [n, cin]
        pads = []
        for size, st in zip(spatial, stride):
            shape += [size, 1]
            pads = [0, st - 1, 0, 0] + pads
        x = constant_pad_nd(x.reshape(shape), pads).reshape(
            n, cin, *(size * st for size, st in zip(spatial, stride)))
        x = x[(slice(None), slice(None), *(slice(0, (size - 1) * st + 1)
                                          for size, st in zip(spatial, stride)))]
    pads = []
    for k, p, d, o in zip(ks, padding, dilation, output_padding):
        edge = d * (k - 1) - p
        pads = [edge, edge + o] + pads
    x = constant_pad_nd(x, pads)  # (a negative pad crops)
    cout_g = w.shape[1]
    wt = w.flip((2, 3, 4)).reshape(groups, cin // groups, cout_g, *ks).transpose(1, 2)
    return conv3d(x, wt.reshape(groups * cout_g, cin // groups, *ks), bias, 1, 0, dilation,
                  groups)


_T3 = ((1, 4, 2, 3, 2), (4, 1, 2, 2, 3))


@op("conv_transpose3d", samples=[
    Sample("conv_transpose3d", lambda a, b: (
        conv_transpose3d(a, b, stride=(2, 1, 2), padding=(0, 1, 1), output_padding=(1, 0, 0),
                         groups=2, dilation=(1, 2, 1))
        if (tuple(a.shape), tuple(b.shape)) == _T3 else
        conv_transpose1d(a.reshape(1, 1, -1), b.reshape(1, 1, -1))), 2, shapes=_T3)])
def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: _Size = 1, padding: _Size = 0, output_padding: _Size = 0,
                     groups: int = 1, dilation: _Size = 1) -> Tensor:
    """3-D transposed convolution of ``input`` ``(N, C_in, D, H, W)`` (or ``(C_in, D, H,
    W)``) with ``weight`` ``(C_in, C_out / groups, kD, kH, kW)``; as
    :func:`conv_transpose2d` otherwise.

    Example::

        >>> import autograd_core as ag
        >>> ag.conv_transpose3d(ag.ones(1, 1, 1, 1, 2), ag.ones(1, 1, 1, 1, 2))
        tensor([[[[[1., 2., 1.]]]]])
    """
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


# ---- pooling -----------------------------------------------------------------------------------
def _pool_size(size, k, s, p, d, ceil_mode):
    """PyTorch's ``pooling_output_shape``: with ``ceil_mode`` the last window must start inside
    the input or its left padding."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_window(name, x, nd, kernel_size, stride, padding, dilation, ceil_mode):
    """Checks (PyTorch's wording) and the 2-D window of a pooling call; ``x`` is the batched
    input, ``(N, C, H, W)`` for 1-D/2-D calls (1-D has a unit height). A 3-D call on
    ``(N, C, D, H, W)`` gets two windows, pooled one after the other (max and sums are
    separable): ``(H, W)`` over ``(N, C*D, H, W)``, then depth over ``(N, C, D, oh*ow)``."""
    ks = _pool_tuple(kernel_size, nd, "kernel_size", name)
    st = ks if stride is None or (not isinstance(stride, (int, np.integer)) and len(stride) == 0) else \
        _pool_tuple(stride, nd, "stride", name)
    pd = _pool_tuple(padding, nd, "padding", name)
    dl = _pool_tuple(dilation, nd, "dilation", name)
    if min(ks) <= 0 or min(st) <= 0:
        raise RuntimeError("stride should not be zero" if min(st) == 0 or min(ks) == 0 else
                           f"{name}: kernel_size and stride must be greater than zero")
    if min(dl) <= 0:
        dims, values = ("THW", dl) if nd == 3 else ("HW", (dl[0], dl[-1]))
        raise RuntimeError("dilation should be greater than zero, but got " + " ".join(
            f"dilation{c}: {d}" for c, d in zip(dims, values)))
    for k, p, d in zip(ks, pd, dl):
        half = (d * (k - 1) + 1) // 2 if name.startswith("max") else k // 2
        if p < 0 or p > half:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    if name.startswith("max") and any(p > k // 2 for k, p in zip(ks, pd)):
        # ATen's max pooling kernels check the kernel itself too (not the dilated one)
        if nd == 1:
            raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, "
                               f"but got padding={pd[0]} and kernel_size={ks[0]}")
        if nd == 2:
            raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but "
                               f"got padW = {pd[1]}, padH = {pd[0]}, kW = {ks[1]}, kH = {ks[0]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"kT: {ks[0]} kW: {ks[2]} kH: {ks[1]} padT: {pd[0]} padW: {pd[2]} "
                           f"padH: {pd[1]}")
    if name == "avg_pool3d" and any(n < k for n, k in zip(x.shape[2:], ks)):
        T, H, W = x.shape[2:]
        raise RuntimeError(f"input image (T: {T} H: {H} W: {W}) smaller than kernel size "
                           f"(kT: {ks[0]} kH: {ks[1]} kW: {ks[2]})")
    if nd == 1:
        ks, st, pd, dl = (1,) + ks, (1,) + st, (0,) + pd, (1,) + dl
    outs = [_pool_size(n, k, t, p, d, ceil_mode)
            for n, k, t, p, d in zip(x.shape[2:], ks, st, pd, dl)]
    if min(outs) < 1:
        C = x.shape[1]
        keep = slice(1, None) if nd == 1 else slice(None)
        ins = "x".join(map(str, (C, *x.shape[2:][keep])))
        got = "x".join(map(str, (C, *outs[keep])))
        raise RuntimeError(f"Given input size: ({ins}). Calculated output size: ({got}). "
                           "Output size is too small")
    if nd == 3:
        oh, ow = outs[1:]
        return (Window(ks[1], ks[2], st[1], st[2], pd[1], pd[2], dl[1], dl[2], oh, ow),
                Window(ks[0], 1, st[0], 1, pd[0], 0, dl[0], 1, outs[0], oh * ow))
    return Window(ks[0], ks[1], st[0], st[1], pd[0], pd[1], dl[0], dl[1], *outs)


def _pool_tuple(value, nd, what, name=None):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * nd
    v = tuple(int(a) for a in value)
    if len(v) == 1:
        return v * nd
    if len(v) != nd:
        if name is not None and nd > 1:  # PyTorch's pooling wording (it varies)
            count = {2: "two", 3: "three"}[nd]
            form = {"stride": "must either be omitted, a single int,",
                    "dilation": "must be either a single int,"}.get(
                        what, "must either be a single int,")
            if name == "avg_pool3d" and what in ("kernel_size", "stride"):
                form = form.replace("either ", "")
            raise RuntimeError(f"{name}: {what} {form} or a tuple of {count} ints")
        raise RuntimeError(f"{what} must either be a single int, or a tuple of {nd} ints")
    return v


def _pool_input(name, input, nd):
    """``input`` as a batched (N, C, H, W) Tensor, and how to give the result back its rank."""
    x = _t(input)
    rank_ok = x.ndim in (nd + 1, nd + 2)
    if not rank_ok or 0 in x.shape[x.ndim - nd - 1:]:  # (the channels and the plane)
        shape = list(x.shape)  # PyTorch's words per op (avg_pool1d: its 2-D form's)
        if name == "max_pool1d":
            raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 "
                               f"dim batch size for input, but got:{shape}")
        if rank_ok and nd == 3:
            where = "max_pool3d_with_indices_out_cpu_template" if name[:3] == "max" else name
            raise RuntimeError(f"{where}(): Expected input's non-batch dimensions to have "
                               f"positive length, but input has a shape of {shape} and "
                               "non-batch dimension 0 has length zero!")
        if name == "avg_pool1d" and not rank_ok:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor "
                               "for argument #1 'self' (while checking arguments for avg_pool1d)")
        if nd < 3 and (rank_ok or name != "max_pool2d"):
            got = shape if nd == 2 else shape[:-1] + [1] + shape[-1:]
            raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                               f"size for input, but got:{got}")
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           "input")
    _float_check(name, x)
    half = _half(x)
    if half:
        x = x.float()
    batched = x.ndim == nd + 2
    if not batched:
        x = x.unsqueeze(0)
    if nd == 1:
        x = x.unsqueeze(2)

    def back(out):
        if nd == 1:
            out = out.squeeze(2)
        if half and out.is_floating_point():  # the values, not the indices
            out = out.half()
        return out if batched else out.squeeze(0)

    return x, back


class MaxPool2dOp(Node):
    """``x`` read at the flat indices ``index`` ``(N, C, oh, ow)`` of each (N, C) plane (the
    window maxima the kernel found). Backward adds ``g`` at the indices (Numba kernel)."""

    _grad_fn = "MaxPool2DWithIndicesBackward0"
    Backward: type[Node]  # its create_graph backward's node (set below the classes)

    def forward(self, x, index=None, win=None):
        # given a window, the maxima are found here (so a captured step finds them afresh at
        # each replay); given indices (double backward, return_indices), x is read at them
        self.shape = x.shape
        self.save_for_backward(x)  # under create_graph, the gradient reads x (PyTorch's)
        if index is None:
            out, self.index = K.max_pool2d_forward(x, win)
            return out
        self.index = index
        N, C = x.shape[:2]
        # explicit sizes: an empty batch has no -1 to infer
        flat = np.ascontiguousarray(x).reshape(N, C, math.prod(x.shape[2:]))
        return np.take_along_axis(flat, index.reshape(N, C, math.prod(index.shape[2:])),
                                  axis=2).reshape(index.shape)

    def fused_backward(self, g):
        return (_scatter_max(g, self.index, self.shape),)

    def backward(self, g):
        (x,) = self.saved
        return (xp.depends_on(_run(self.Backward, g, index=self.index, shape=self.shape), x,
                              rereads=False),)


def _scatter_max(g, index, shape):
    """Zeros of ``shape`` ``(N, C, ...)`` with ``g`` added at the flat positions ``index``
    (of g's shape) of each (N, C) volume: the 2-D kernel, on (N, C, volume, 1)."""
    N, C = shape[:2]
    n, m = math.prod(shape[2:]), math.prod(g.shape[2:])
    return K.max_pool2d_backward(g.reshape(N, C, m, 1), index.reshape(N, C, m, 1),
                                 (N, C, n, 1)).reshape(shape)


class MaxPool2dBackward(Node):
    """Zeros of ``shape`` with ``g`` added at ``index``; backward reads at ``index``."""

    _grad_fn = "MaxPool2DWithIndicesBackwardBackward0"
    Forward = MaxPool2dOp

    def forward(self, g, index, shape):
        self.index = index
        return _scatter_max(g, index, shape)

    def backward(self, gg):
        return (_run(self.Forward, gg, index=self.index),)


class MaxPool3dOp(MaxPool2dOp):
    """``MaxPool2dOp`` of an ``(N, C, D, H, W)`` input: read at ``index`` (flat in D*H*W), or
    at the maxima of the windows ``win`` (``(win_hw, win_d)``, see ``_max_pool3d_index``)."""

    _grad_fn = "MaxPool3DWithIndicesBackward0"

    def forward(self, x, index=None, win=None):
        return super().forward(x, index=_max_pool3d_index(x, *win) if index is None else index)


def _max_pool3d_index(x, win_hw, win_d):
    """The flat D*H*W position of each window's maximum: max pooling over ``(H, W)`` of each
    depth slice, then over depth (see ``_pool_window``): the first maximum in (d, h, w) order
    and the last NaN, as PyTorch's."""
    N, C, D, H, W = x.shape
    y, hw = K.max_pool2d_forward(x.reshape(N, C * D, H, W), win_hw)
    _, d = K.max_pool2d_forward(y.reshape(N, C, D, win_d.ow), win_d)
    d //= win_d.ow  # the depth of each maximum; its (h, w) is that slice's
    hw = np.take_along_axis(hw.reshape(N, C, D, win_d.ow), d, axis=2)
    return (d * (H * W) + hw).reshape(N, C, win_d.oh, win_hw.oh, win_hw.ow)


class MaxPool3dBackward(MaxPool2dBackward):
    _grad_fn = "MaxPool3DWithIndicesBackwardBackward0"
    Forward = MaxPool3dOp


MaxPool2dOp.Backward, MaxPool3dOp.Backward = MaxPool2dBackward, MaxPool3dBackward


def _max_pool(name, nd, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    x, back = _pool_input(name, input, nd)
    win = _pool_window(name, x, nd, kernel_size, stride, padding, dilation, ceil_mode)
    if return_indices:  # the indices are found here, in Python: a replay would keep them
        refuse_capture(f"{name}(return_indices=True)")
    if nd == 3:
        return _max_pool3d(x, *win, back, return_indices)
    if not return_indices:
        return back(MaxPool2dOp.apply(x, win=win))
    _, index = K.max_pool2d_forward(x._data, win)
    out = back(MaxPool2dOp.apply(x, index=index))
    W = x.shape[3]
    idx = index if nd == 2 else index % W
    return out, back(Tensor._wrap(idx))


def _max_pool3d(x, win_hw, win_d, back, return_indices):
    """One node, PyTorch's MaxPool3DWithIndicesBackward0; it finds the maxima itself (a
    captured step finds them afresh at each replay) unless the indices are returned too."""
    if not return_indices:
        return back(MaxPool3dOp.apply(x, win=(win_hw, win_d)))
    index = _max_pool3d_index(x._data, win_hw, win_d)
    return back(MaxPool3dOp.apply(x, index=index)), back(Tensor._wrap(index))


def _pool_sample(fn, nd, **kw):
    def sample(a):
        if a.ndim != nd + 2:
            a = a.reshape((1, 1) + (1,) * (nd - 1) + (-1,))
            k = (1,) * (nd - 1) + (min(a.shape[-1], 2),)
            keep = {n: v for n, v in kw.items() if n in ("count_include_pad", "divisor_override")}
            return fn(a, kernel_size=k, **keep)
        return fn(a, **kw)
    return sample


@op("max_pool2d", samples=[
    Sample("max_pool2d", lambda a: _pool_sample(max_pool2d, 2, kernel_size=3, stride=2,
                                                padding=1, ceil_mode=True)(a),
           domain="distinct", shapes=((2, 3, 6, 5),)),
    Sample("max_pool2d_dilated", lambda a: _pool_sample(max_pool2d, 2, kernel_size=(2, 3),
                                                        dilation=(2, 1))(a),
           domain="distinct", shapes=((1, 2, 5, 6),))])
def max_pool2d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False) -> Tensor:
    """The maximum of each ``kernel_size`` window of ``input`` ``(N, C, H, W)`` (or
    ``(C, H, W)``), windows ``stride`` apart (default: ``kernel_size``), the input padded with
    -inf by ``padding`` (at most half the kernel); ``ceil_mode`` keeps a last partial window.
    Ties go to the first maximum, a NaN wins (as PyTorch). ``nn.functional.max_pool2d`` also
    takes ``return_indices``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.arange(16.).reshape(1, 1, 4, 4)
        >>> ag.max_pool2d(x, 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     False)


@op("max_pool1d", samples=[
    Sample("max_pool1d", lambda a: _pool_sample(max_pool1d, 1, kernel_size=3, stride=2,
                                                padding=1, ceil_mode=True)(a),
           domain="distinct", shapes=((2, 3, 8),))])
def max_pool1d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False) -> Tensor:
    """:func:`max_pool2d` over the last dim of ``(N, C, L)`` / ``(C, L)``.

    Example::

        >>> import autograd_core as ag
        >>> ag.max_pool1d(ag.tensor([[1., 3., 2., 5., 4.]]), 2, ceil_mode=True)
        tensor([[3., 5., 4.]])
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     False)


class AvgPool2dOp(Node):
    """The mean of each window (PyTorch's divisors); linear, so its backward is
    ``AvgPool2dBackward``, whose backward is this op again."""

    _grad_fn = "AvgPool2DBackward0"

    def forward(self, x, win, count_include_pad, divisor_override):
        self.args = (win, count_include_pad, divisor_override)
        self.shape = x.shape
        self.save_for_backward(x)  # under create_graph, the gradient reads x (PyTorch's)
        return K.avg_pool2d_forward(x, win, count_include_pad, divisor_override)

    def backward(self, g):
        win, cip, div = self.args
        (x,) = self.saved
        return (xp.depends_on(_run(AvgPool2dBackward, g, shape=self.shape, win=win,
                                   count_include_pad=cip, divisor_override=div), x,
                              rereads=False),)


class AvgPool2dBackward(Node):
    _grad_fn = "AvgPool2DBackwardBackward0"

    def forward(self, g, shape, win, count_include_pad, divisor_override):
        self.args = (win, count_include_pad, divisor_override)
        return K.avg_pool2d_backward(g, shape, win, count_include_pad, divisor_override)

    def backward(self, gg):
        win, cip, div = self.args
        return (_run(AvgPool2dOp, gg, win=win, count_include_pad=cip, divisor_override=div),)


def _avg_pool(name, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    x, back = _pool_input(name, input, nd)
    win = _pool_window(name, x, nd, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and int(divisor_override) == 0:
        raise RuntimeError("divisor must be not zero")
    cip = bool(count_include_pad)
    if nd == 3:  # sums over (H, W), then depth (divisors are per-dim products; see _pool_window)
        win_hw, win_d = win
        N, C, D, H, W = x.shape
        y = AvgPool2dOp.apply(x.reshape(N, C * D, H, W), win=win_hw, count_include_pad=cip,
                              divisor_override=None if divisor_override is None else 1)
        y = AvgPool2dOp.apply(y.reshape(N, C, D, win_d.ow), win=win_d, count_include_pad=cip,
                              divisor_override=divisor_override)
        return back(y.reshape(N, C, win_d.oh, win_hw.oh, win_hw.ow))
    return back(AvgPool2dOp.apply(x, win=win, count_include_pad=cip,
                                  divisor_override=divisor_override))


@op("avg_pool2d", function=False, samples=[
    Sample("avg_pool2d", lambda a: _pool_sample(avg_pool2d, 2, kernel_size=3, stride=2,
                                                padding=1, ceil_mode=True,
                                                count_include_pad=False)(a),
           shapes=((2, 3, 6, 5),)),
    Sample("avg_pool2d_divisor", lambda a: _pool_sample(avg_pool2d, 2, kernel_size=(2, 3),
                                                        padding=(1, 0), divisor_override=4)(a),
           shapes=((1, 2, 5, 6),))])
def avg_pool2d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each ``kernel_size`` window of ``input`` ``(N, C, H, W)`` / ``(C, H, W)``.
    The divisor is the window's size clipped to the padded input (``count_include_pad``) or to
    the input itself (``count_include_pad=False``), or ``divisor_override``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.avg_pool2d(ag.arange(16.).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


@op("avg_pool1d", samples=[
    Sample("avg_pool1d", lambda a: _pool_sample(avg_pool1d, 1, kernel_size=3, stride=2,
                                                padding=1, ceil_mode=True)(a),
           shapes=((2, 3, 8),))])
def avg_pool1d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """:func:`avg_pool2d` over the last dim of ``(N, C, L)`` / ``(C, L)`` (no
    ``divisor_override``, as PyTorch).

    Example::

        >>> import autograd_core as ag
        >>> ag.avg_pool1d(ag.tensor([[1., 3., 2., 5.]]), 2)
        tensor([[2.0000, 3.5000]])
    """
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


@op("max_pool3d", samples=[
    Sample("max_pool3d", lambda a: _pool_sample(max_pool3d, 3, kernel_size=(2, 3, 2),
                                                stride=(1, 2, 2), padding=(1, 1, 0),
                                                dilation=(1, 1, 2), ceil_mode=True)(a),
           domain="distinct", shapes=((2, 2, 4, 5, 6),))])
def max_pool3d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, dilation: _Size = 1, ceil_mode: bool = False) -> Tensor:
    """:func:`max_pool2d` over the last three dims of ``(N, C, D, H, W)`` / ``(C, D, H, W)``
    (pooled over ``(H, W)``, then depth: the same maxima, ties and NaNs as one 3-D window).
    ``nn.functional.max_pool3d`` also takes ``return_indices`` (flat in ``D * H * W``).

    Example::

        >>> import autograd_core as ag
        >>> ag.max_pool3d(ag.arange(8.).reshape(1, 1, 2, 2, 2), 2)
        tensor([[[[[7.]]]]])
    """
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     False)


@op("avg_pool3d", function=False, samples=[
    Sample("avg_pool3d", lambda a: _pool_sample(avg_pool3d, 3, kernel_size=(2, 3, 2),
                                                stride=(1, 2, 2), padding=(1, 1, 0),
                                                ceil_mode=True, count_include_pad=False)(a),
           shapes=((2, 2, 4, 5, 6),)),
    Sample("avg_pool3d_divisor", lambda a: _pool_sample(avg_pool3d, 3, kernel_size=2,
                                                        padding=(0, 1, 0),
                                                        divisor_override=3)(a),
           shapes=((1, 2, 3, 4, 5),))])
def avg_pool3d(input: Tensor, kernel_size: _Size, stride: _Size | None = None,
               padding: _Size = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """:func:`avg_pool2d` over the last three dims of ``(N, C, D, H, W)`` / ``(C, D, H, W)``
    (summed over ``(H, W)``, then depth; PyTorch's divisors).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.avg_pool3d(ag.arange(8.).reshape(1, 1, 2, 2, 2), 2)
        tensor([[[[[3.5000]]]]])
    """
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _adaptive_windows(size, out):
    """The ``out`` windows ``[floor(i*size/out), ceil((i+1)*size/out))`` of a dim."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_matrix(size, out, dtype):
    """``(out, size)``: row ``i`` averages window ``i``."""
    m = np.zeros((out, size), dtype)
    for i, (a, b) in enumerate(_adaptive_windows(size, out)):
        m[i, a:b] = 1.0 / (b - a)
    return m


def _adaptive_sizes(name, x, nd, output_size):
    sizes = (output_size,) * nd if isinstance(output_size, (int, np.integer)) or \
        output_size is None else tuple(output_size)
    if len(sizes) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    sizes = [x.shape[x.ndim - nd + i] if s is None else int(s) for i, s in enumerate(sizes)]
    if min(sizes) < 0:
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0")
    return sizes


def _adaptive_input(name, nd, input):
    x = _t(input)
    if x.ndim not in (nd + 1, nd + 2):
        if name == "adaptive_max_pool1d":
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional "
                               "tensor for argument #1 'self' (while checking arguments for "
                               "adaptive_max_pool1d)")
        colon = ":" if name.startswith("adaptive_max") else ""
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{colon} "
                           f"{list(x.shape)}")
    # PyTorch's max pools and 3-d average pool count the channels of a batch as non-batch
    first = 1 if name.startswith("adaptive_max") or nd == 3 else x.ndim - nd
    for d in range(first, x.ndim):
        if x.shape[d] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(x.shape)} with dimension "
                               f"{d} being empty")
    _float_check(name, x)
    return x


def _adaptive_apply(x, pd, ph, pw):
    """``x`` times each dim's averaging matrix (``pd`` depth, ``ph`` height, ``pw`` width,
    transposed; None: that dim is not pooled)."""
    if pd is not None:  # depth: (D, H*W) planes
        lead, (H, W) = x.shape[:-3], x.shape[-2:]
        x = (pd @ x.reshape(*lead, x.shape[-3], H * W)).reshape(*lead, pd.shape[0], H, W)
    if ph is not None:
        x = ph @ x
    return x @ pw


def _adaptive_adjoint(g, pd, ph, pw):
    """``_adaptive_apply``'s transpose: the gradient, spread back over each window."""
    if pw.shape[1] == 1 and all(m is None or m.shape[0] == 1 for m in (pd, ph)):
        # one window per plane (a global average pool): the products below, each of one
        # term, as one broadcast (numpy's matmul over thousands of (H, 1) @ (1, W) planes
        # took 2x PyTorch's whole pooling step)
        mats = [m for m in (ph, pd) if m is not None]
        g = g * pw[0, 0]
        for m in mats:
            g = m[0, 0] * g
        full = g.shape[:g.ndim - 1 - len(mats)] + tuple(m.shape[1] for m in mats[::-1]) \
            + (pw.shape[0],)
        out = np.empty(full, g.dtype)
        out[...] = g
        return out
    g = g @ pw.T
    if ph is not None:
        g = ph.T @ g
    if pd is not None:
        lead, (H, W) = g.shape[:-3], g.shape[-2:]
        g = (pd.T @ g.reshape(*lead, g.shape[-3], H * W)).reshape(*lead, pd.shape[1], H, W)
    return g


class AdaptiveAvgPoolOp(Node):
    """The mean of each adaptive window, as products with averaging matrices; linear, so its
    backward is ``AdaptiveAvgPoolBackward``, whose backward is this op again. An inf or NaN
    input stays in its own windows, as in PyTorch (a matrix product would spread it, as
    ``inf * 0``, to every output of its row): the outputs that are not finite are summed
    over their windows instead."""

    def name(self):
        if self.nd >= 2 and self._to_one(self.mats):  # PyTorch takes the mean over H, W (, D)
            return "MeanBackward1"
        return f"AdaptiveAvgPool{max(self.nd, 2)}DBackward0"

    @staticmethod
    def _to_one(mats):
        """The pooling's output is one element per plane."""
        return all(m is None or m.shape[0] == 1 for m in mats[:2]) and mats[2].shape[1] == 1

    def forward(self, x, mats, nd):
        self.mats, self.nd = mats, nd
        # under create_graph, the gradient reads x, as PyTorch's kernel; an output of ones is
        # PyTorch's mean, whose gradient does not
        if not self._to_one(mats):
            self.save_for_backward(x)
        elif x.dtype.kind == "f":
            # one output per plane (every ResNet's global pool): PyTorch's mean, the plane's
            # sum over its element count (2x faster than the two products, and closer to
            # PyTorch's bits: 30% of float32 results equal, against 17%)
            lead = x.shape[:x.ndim - nd]
            n = math.prod(x.shape[x.ndim - nd:])
            return pointwise.row_means(x.reshape(-1, n)).reshape(lead + (1,) * nd)
        with np.errstate(invalid="ignore"):  # inf * 0 in the product: replaced below
            y = _adaptive_apply(x, *mats)
        bad = ~np.isfinite(y)
        if bad.any():
            exact = x
            for axis in range(x.ndim - nd, x.ndim):
                lead = (slice(None),) * axis
                exact = np.stack([np.add.reduce(exact[lead + (slice(i, j),)], axis) / (j - i) for i, j in
                                  _adaptive_windows(x.shape[axis], y.shape[axis])], axis)
            y[bad] = exact[bad]
        return y

    def backward(self, g):
        return (xp.depends_on(_run(AdaptiveAvgPoolBackward, g, mats=self.mats, nd=self.nd),
                              *self.saved, rereads=False),)


class AdaptiveAvgPoolBackward(Node):
    def name(self):
        return f"AdaptiveAvgPool{max(self.nd, 2)}DBackwardBackward0"

    def forward(self, g, mats, nd):
        self.mats, self.nd = mats, nd
        return _adaptive_adjoint(g, *mats)

    def backward(self, gg):
        return (_run(AdaptiveAvgPoolOp, gg, mats=self.mats, nd=self.nd),)


def _adaptive(name, nd, input, output_size):
    x = _adaptive_input(name, nd, input)
    if _half(x):
        return _adaptive(name, nd, x.float(), output_size).half()
    sizes = _adaptive_sizes(name, x, nd, output_size)
    pd = _adaptive_matrix(x.shape[-3], sizes[0], x.dtype) if nd == 3 else None
    ph = _adaptive_matrix(x.shape[-2], sizes[-2], x.dtype) if nd >= 2 else None
    pw = np.ascontiguousarray(_adaptive_matrix(x.shape[-1], sizes[-1], x.dtype).T)
    return AdaptiveAvgPoolOp.apply(x, mats=(pd, ph, pw), nd=nd)


@op("adaptive_avg_pool2d", function=False, samples=[
    Sample("adaptive_avg_pool2d", lambda a: adaptive_avg_pool2d(
        a if a.ndim == 4 else a.reshape(1, 1, 1, -1), (3, 2) if a.ndim == 4 else (1, 1)),
        shapes=((2, 3, 5, 7),))])
def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, ...]) -> Tensor:
    """Averages over the windows ``[floor(i*H/oh), ceil((i+1)*H/oh))`` (likewise in W) that
    give an ``output_size`` output (an int, a pair, ``None`` entries keep the input's size).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_avg_pool2d(ag.arange(9.).reshape(1, 3, 3), 2)
        tensor([[[2., 3.],
                 [5., 6.]]])
    """
    return _adaptive("adaptive_avg_pool2d", 2, input, output_size)


@op("adaptive_avg_pool1d", samples=[
    Sample("adaptive_avg_pool1d", lambda a: adaptive_avg_pool1d(
        a if a.ndim == 3 else a.reshape(1, 1, -1), 3 if a.ndim == 3 else 1),
        shapes=((2, 3, 7),))])
def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """:func:`adaptive_avg_pool2d` over the last dim of ``(N, C, L)`` / ``(C, L)``.

    Example::

        >>> import autograd_core as ag
        >>> ag.adaptive_avg_pool1d(ag.tensor([[1., 2., 3., 4., 5.]]), 2)
        tensor([[2., 4.]])
    """
    return _adaptive("adaptive_avg_pool1d", 1, input, output_size)


@op("adaptive_avg_pool3d", function=False, samples=[
    Sample("adaptive_avg_pool3d", lambda a: adaptive_avg_pool3d(
        a if a.ndim == 5 else a.reshape(1, 1, 1, 1, -1), (2, 3, 2) if a.ndim == 5 else 1),
        shapes=((2, 2, 3, 5, 4),))])
def adaptive_avg_pool3d(input: Tensor, output_size: int | tuple[int | None, ...]) -> Tensor:
    """:func:`adaptive_avg_pool2d` over the last three dims of ``(N, C, D, H, W)`` /
    ``(C, D, H, W)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_avg_pool3d(ag.arange(8.).reshape(1, 2, 2, 2), 1).flatten()
        tensor([3.5000])
    """
    return _adaptive("adaptive_avg_pool3d", 3, input, output_size)


def _adaptive_max_index(x, sizes):
    """Flat indices ``(N, C, *sizes)`` into each ``(N, C)`` plane of ``x`` ``(N, C, *spatial)``
    of the maximum of every adaptive window (those of :func:`adaptive_avg_pool2d`): the first
    maximum in scan order, the last NaN (PyTorch's rule). The windows are gathered padded to
    one length by repeating their last element, which never changes which element wins."""
    N, C, spatial, nd = x.shape[0], x.shape[1], x.shape[2:], len(sizes)
    Q = int(np.prod(sizes))
    if Q == 0 or N * C == 0:
        return np.zeros((N, C, *sizes), np.int64)
    if nd <= 2 and x.dtype in (np.float32, np.float64) and min(spatial) > 0:
        # one loop over each window (the gather below cost 3x torch's time at 32x64x32x32)
        hw = (1,) * (2 - nd) + tuple(spatial)
        return K.adaptive_max_index(x.reshape(N, C, *hw), *((1,) * (2 - nd) + tuple(sizes))
                                    ).reshape(N, C, *sizes)
    picks, flat = [], 0
    for k, (n, o) in enumerate(zip(spatial, sizes)):
        i = np.arange(o)
        start, end = (i * n) // o, -((-(i + 1) * n) // o)
        at = np.minimum(start[:, None] + np.arange((end - start).max()), end[:, None] - 1)
        shape = [1] * (2 * nd)
        shape[k], shape[nd + k] = at.shape
        picks.append(at.reshape(shape))
        flat = flat + picks[-1] * int(np.prod(spatial[k + 1:], dtype=np.int64))
    flat = flat.reshape(Q, -1)  # (windows, positions in a window): full by broadcasting
    L = flat.shape[1]
    # (N C, window position, Q): each position's values for every window, one gather
    v = np.take(x.reshape(N * C, -1), flat.T, axis=1)
    nan = np.isnan(v)
    if nan.any():
        arg = np.argmax(v, axis=1)
        last_nan = L - 1 - np.argmax(nan[:, ::-1], axis=1)
        arg = np.where(nan.any(axis=1), last_nan, arg)
    else:
        arg = _first_argmax(v)
    return flat[np.arange(Q), arg].reshape(N, C, *sizes).astype(np.int64)


def _first_argmax(v):
    """``np.argmax(v, axis=1)`` of a NaN-free ``v`` ``(M, L, Q)``: a scan over the ``L``
    positions, one vectorised comparison of ``(M, Q)`` slices each, the first maximum kept as
    argmax keeps it (numpy's argmax along a short strided axis costs ~15 ns an element: 36 ms
    at (32, 64, 7, 7) windows of 25)."""
    if v.shape[1] > 64:
        return np.argmax(v, axis=1)
    best = v[:, 0].copy()
    arg = np.zeros(best.shape, np.intp)
    for i in range(1, v.shape[1]):
        col = v[:, i]
        more = col > best
        np.copyto(best, col, where=more)
        arg[more] = i
    return arg


class AdaptiveMaxPoolOp(MaxPool2dOp):
    """``x`` ``(N, C, 1, S)`` (its spatial dims flattened) read at the maxima of its adaptive
    windows, found here at each call (so a captured step finds them afresh); the backward is
    max pooling's (add at the indices)."""

    _grad_fn = "AdaptiveMaxPool2DBackward0"

    def forward(self, x, spatial=None, sizes=None, index=None):
        if index is None:
            N, C = x.shape[:2]
            index = _adaptive_max_index(x.reshape(N, C, *spatial), sizes).reshape(
                N, C, 1, int(np.prod(sizes)))
        return super().forward(x, index=index)


def _adaptive_max(name, nd, input, output_size, return_indices):
    x = _adaptive_input(name, nd, input)
    if _half(x):
        out = _adaptive_max(name, nd, x.float(), output_size, return_indices)
        return (out[0].half(), out[1]) if return_indices else out.half()
    sizes = _adaptive_sizes(name, x, nd, output_size)
    batched = x.ndim == nd + 2
    if not batched:
        x = x.unsqueeze(0)
    N, C, spatial = x.shape[0], x.shape[1], tuple(x.shape[2:])
    flat = x.reshape(N, C, 1, int(np.prod(spatial)))
    shape = (N, C, *sizes) if batched else (C, *sizes)
    if not return_indices:
        return AdaptiveMaxPoolOp.apply(flat, spatial=spatial, sizes=sizes).reshape(shape)
    refuse_capture(f"{name}(return_indices=True)")  # indices found here: a replay keeps them
    index = _adaptive_max_index(x._data, sizes)
    out = AdaptiveMaxPoolOp.apply(flat, index=index.reshape(N, C, 1, int(np.prod(sizes))))
    out = out.reshape(shape)
    return out, Tensor._wrap(index.reshape(shape))


class FractionalMaxPool2dOp(MaxPool2dOp):
    """``x`` ``(N, C, *spatial)`` read at ``index`` ``(N, C, *sizes)``, the flat positions of
    the maxima of its fractional windows (found by ``_fractional_max_index``); the backward is
    max pooling's (add at the indices), on both flattened to ``(N, C, 1, -1)``."""

    _grad_fn = "FractionalMaxPool2DBackward0"

    def forward(self, x, index=None, win=None):
        self.in_shape, self.out_shape = x.shape, index.shape
        N, C = x.shape[:2]
        flat = super().forward(x.reshape(N, C, 1, math.prod(x.shape[2:])),
                               index=index.reshape(N, C, 1, math.prod(index.shape[2:])))
        return flat.reshape(index.shape)

    def fused_backward(self, g):
        (dx,) = super().fused_backward(g.reshape(self.index.shape))
        return (dx.reshape(self.in_shape),)

    def backward(self, g):
        (dx,) = super().backward(g.reshape(self.index.shape))
        return (dx.reshape(self.in_shape),)


class FractionalMaxPool3dOp(FractionalMaxPool2dOp):
    _grad_fn = "FractionalMaxPool3DBackward0"


def _fractional_starts(samples, in_size, out_size, pool):
    """ATen's window starts along one dim, ``(..., out_size)``, from ``samples`` ``(...)``:
    ``trunc((i + u) a) - trunc(u a)`` with ``a = (in - pool) / (out - 1)`` in the samples'
    dtype, the last window ending at the edge."""
    starts = np.zeros(samples.shape + (out_size,), np.int64)
    if out_size > 1:
        t = samples.dtype.type
        alpha = t(in_size - pool) / t(out_size - 1)
        u = samples[..., None]
        i = np.arange(out_size - 1, dtype=samples.dtype)
        starts[..., :-1] = ((i + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    if out_size > 0:
        starts[..., -1] = in_size - pool
    return starts


def _fractional_max_index(x, kernel, sizes, samples):
    """The flat index in each ``(n, c)`` plane of ``x`` ``(N, C, *spatial)`` of the maximum of
    each window, ``(N, C, *sizes)``: the first maximum in row-major order, the last NaN if any
    (ATen's scan), the window's first element when all are -inf. ``samples`` ``(N, C, nd)``:
    sample ``nd - 1 - d`` drives dim ``d`` for 2-d (ATen: the first is W's), sample ``d`` for
    3-d (T, H, W)."""
    N, C, spatial = x.shape[0], x.shape[1], x.shape[2:]
    nd = len(spatial)
    flat = np.zeros((N, C) + (1,) * (2 * nd), np.int64)
    stride = 1
    for d in reversed(range(nd)):
        u = samples[:, :, nd - 1 - d if nd == 2 else d]
        starts = _fractional_starts(u, spatial[d], sizes[d], kernel[d])
        at_out = [1] * nd
        at_out[d] = sizes[d]
        at_kernel = [1] * nd
        at_kernel[d] = kernel[d]
        pos = starts.reshape(N, C, *at_out, *([1] * nd)) + \
            np.arange(kernel[d]).reshape(1, 1, *([1] * nd), *at_kernel)
        flat = flat + pos * stride
        stride *= spatial[d]
    n_out, n_win = math.prod(sizes), math.prod(kernel)
    flat = np.broadcast_to(flat, (N, C, *sizes, *kernel)).reshape(N, C, n_out * n_win)
    vals = np.take_along_axis(x.reshape(N, C, math.prod(spatial)), flat, axis=2).reshape(
        N, C, n_out, n_win)  # (not -1: an empty batch has no size to infer)
    flat = flat.reshape(N, C, n_out, n_win)
    pick = np.argmax(vals, axis=3) if n_win else np.zeros((N, C, n_out), np.int64)
    nan = np.isnan(vals)
    if nan.any():
        last_nan = n_win - 1 - np.argmax(nan[..., ::-1], axis=3)
        pick = np.where(nan.any(axis=3), last_nan, pick)
    return np.take_along_axis(flat, pick[..., None], axis=3).reshape(N, C, *sizes)


def _nd_ints(value, nd):
    """An int repeated ``nd`` times, or a sequence of ``nd`` ints; None for anything else."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * nd
    return tuple(int(v) for v in value) if len(value) == nd else None


def _fractional_max(nd, input, kernel_size, output_size, samples, return_indices):
    """``fractional_max_pool{nd}d`` on ``input`` with the given samples ``(N, C, nd)``
    (``nn.functional`` draws them when the caller does not)."""
    x, u = _t(input), _t(samples)
    name = f"fractional_max_pool{nd}d"
    where = name + ("()" if nd == 2 else "_out()")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(x.shape)}")
    of = "Ints" if nd == 2 else "three Ints"
    kernel, sizes = _nd_ints(kernel_size, nd), _nd_ints(output_size, nd)
    if kernel is None:
        raise RuntimeError(f"{name}: kernel_size must either be a single Int or tuple of {of}")
    if sizes is None:
        raise RuntimeError(f"{name}: output_size must either be a single Int or tuple of {of}")
    if min(kernel) < 1:  # ATen runs such a kernel on memory outside the windows
        raise RuntimeError(f"{name}: kernel_size must be greater than 0, but got {kernel}")
    batched = x.ndim == nd + 2
    if not batched:
        x = x.unsqueeze(0)
    N, C = x.shape[:2]
    if u.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {u.ndim}")
    if u.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {u.shape[2]}.")
    if u.shape[0] < N:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if u.shape[1] != C:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if u.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    full = tuple(input.shape)
    for d in range(len(full) - nd - 1, len(full)):
        if full[d] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{list(full)} with dimension {d} being empty.")
    _float_check(name, x)
    spatial = tuple(x.shape[2:])
    for d, what in enumerate(("time", "height", "width")[-nd:]):
        # ATen's bound: the last window may end at the edge in 2-d, not in 3-d
        if sizes[d] + kernel[d] - 1 > spatial[d] - (nd == 3):
            raise RuntimeError(f"{where}: pool {what} {kernel[d]} too large relative to input "
                               f"{what} {spatial[d]}")
    shape = (N, C, *sizes) if batched else (C, *sizes)
    if min(sizes) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{list(shape)}")
    refuse_capture(f"{name}")  # the windows are drawn and found here: a replay would keep them
    index = _fractional_max_index(x._data, kernel, sizes, u._data[:N])
    node = FractionalMaxPool2dOp if nd == 2 else FractionalMaxPool3dOp
    out = node.apply(x, index=index)
    if not batched:
        out = out.squeeze(0)
    if not return_indices:
        return out
    return out, Tensor._wrap(index.reshape(shape))


def _adaptive_max_sample(nd, size, shape):
    def fn(a):
        if a.ndim != nd + 2:
            return _adaptive_max(f"adaptive_max_pool{nd}d", nd, a.reshape((1, 1) + (1,) * (
                nd - 1) + (-1,)), 1, False)
        return _adaptive_max(f"adaptive_max_pool{nd}d", nd, a, size, False)
    return Sample(f"adaptive_max_pool{nd}d", fn, domain="distinct", shapes=(shape,))


@op("adaptive_max_pool1d", function=False,
    samples=[_adaptive_max_sample(1, 3, (2, 3, 7))])
def adaptive_max_pool1d(input: Tensor, output_size: int) -> Tensor:
    """The maximum of each window ``[floor(i*L/out), ceil((i+1)*L/out))`` of ``(N, C, L)`` /
    ``(C, L)``; ``nn.functional.adaptive_max_pool1d`` also takes ``return_indices``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool1d(ag.tensor([[1., 5., 2., 4., 3.]]), 2)
        tensor([[5., 4.]])
    """
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, False)


@op("adaptive_max_pool2d", function=False,
    samples=[_adaptive_max_sample(2, (3, 2), (2, 2, 5, 7))])
def adaptive_max_pool2d(input: Tensor, output_size: int | tuple[int | None, ...]) -> Tensor:
    """The maximum of each adaptive window of ``(N, C, H, W)`` / ``(C, H, W)`` (those of
    :func:`adaptive_avg_pool2d`); ties go to the first maximum, a NaN wins (as PyTorch).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool2d(ag.arange(9.).reshape(1, 3, 3), 2)
        tensor([[[4., 5.],
                 [7., 8.]]])
    """
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, False)


@op("adaptive_max_pool3d", function=False,
    samples=[_adaptive_max_sample(3, (2, 1, 3), (1, 2, 3, 4, 5))])
def adaptive_max_pool3d(input: Tensor, output_size: int | tuple[int | None, ...]) -> Tensor:
    """:func:`adaptive_max_pool2d` over the last three dims of ``(N, C, D, H, W)`` /
    ``(C, D, H, W)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.adaptive_max_pool3d(ag.arange(8.).reshape(1, 2, 2, 2), 1).flatten()
        tensor([7.])
    """
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, False)


# ---- fold / unfold (nn.functional) --------------------------------------------------------------
_WINDOW_CHECKS = {"kernel": ("kernel size should be greater than zero", "kernel", 1),
                  "stride": ("stride should be greater than zero", "stride", 1),
                  "dilation": ("dilation should be greater than zero", "dilation", 1),
                  "padding": ("padding should be non-negative", "pad", 0)}


def _check_window(order, **sizes):
    """PyTorch's im2col/col2im size checks, in ``order`` (fold and unfold differ), its wording."""
    for name in order:
        text, short, least = _WINDOW_CHECKS[name]
        h, w = sizes[name]
        if h < least or w < least:
            raise RuntimeError(f"{text}, but got {short}_height: {h} {short}_width: {w}")


def unfold(input: Tensor, kernel_size: _Size, dilation: _Size = 1, padding: _Size = 0,
           stride: _Size = 1) -> Tensor:
    """Every ``kernel_size`` window of ``(N, C, H, W)`` (or ``(C, H, W)``) as a column of
    ``(N, C*kh*kw, L)``, ``L`` the number of windows (PyTorch's ``F.unfold``).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.unfold(ag.arange(9.).reshape(1, 1, 3, 3), 2)
        tensor([[[0., 1., 3., 4.],
                 [1., 2., 4., 5.],
                 [3., 4., 6., 7.],
                 [4., 5., 7., 8.]]])
    """
    x = _t(input)
    if x.ndim not in (3, 4):
        raise RuntimeError("Input Error: Only 3D or 4D input Tensors are supported (got "
                           f"{x.ndim}D)")
    if 0 in x.shape[-3:]:  # PyTorch's check (an empty batch passes), its wording
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: {list(x.shape)}")
    batched = x.ndim == 4
    if not batched:
        x = x.unsqueeze(0)
    k, d, p, s = (_pool_tuple(v, 2, n) for v, n in ((kernel_size, "kernel_size"),
                  (dilation, "dilation"), (padding, "padding"), (stride, "stride")))
    _check_window(("kernel", "dilation", "padding", "stride"), kernel=k, dilation=d, padding=p,
                  stride=s)
    oh, ow = ((n + 2 * pp - dd * (kk - 1) - 1) // ss + 1
              for n, kk, dd, pp, ss in zip(x.shape[2:], k, d, p, s))
    if oh < 1 or ow < 1:
        raise RuntimeError(f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), "
                           f"kernel_size={k}, dilation={d}, padding={p}, calculated shape of "
                           f"the array of sliding blocks as ({oh}, {ow}), but its components "
                           "must be at least one.")
    out = Im2Col.apply(x, win=Window(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], oh, ow))
    return out if batched else out.squeeze(0)


def fold(input: Tensor, output_size: _Size, kernel_size: _Size, dilation: _Size = 1,
         padding: _Size = 0, stride: _Size = 1) -> Tensor:
    """The adjoint of :func:`unfold`: columns ``(N, C*kh*kw, L)`` summed into
    ``(N, C, *output_size)`` (overlapping windows add up; PyTorch's ``F.fold``).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> F.fold(ag.ones(1, 4, 4), (3, 3), 2)
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """
    c = _t(input)
    if c.ndim not in (2, 3):
        raise RuntimeError("Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                           f"supported (got {c.ndim}D)")
    if 0 in c.shape[-2:]:  # PyTorch's check (an empty batch passes), its wording
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(c.shape)}")
    batched = c.ndim == 3
    if not batched:
        c = c.unsqueeze(0)
    size, k, d, p, s = (_pool_tuple(v, 2, n) for v, n in (
        (output_size, "output_size"), (kernel_size, "kernel_size"), (dilation, "dilation"),
        (padding, "padding"), (stride, "stride")))
    _check_window(("kernel", "stride", "dilation", "padding"), kernel=k, dilation=d, padding=p,
                  stride=s)
    kk = k[0] * k[1]
    if c.shape[1] % kk:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={c.shape[1]} and "
                           f"kernel_size={k}.")
    oh, ow = ((n + 2 * pp - dd * (kk - 1) - 1) // ss + 1
              for n, kk, dd, pp, ss in zip(size, k, d, p, s))
    given = (f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, "
             f"stride={s}, ")
    if c.shape[2] != oh * ow:
        raise RuntimeError(f"{given}expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {oh} * {ow} = {oh * ow}, but "
                           f"got input.size(2)={c.shape[2]}.")
    if oh < 1 or ow < 1:
        raise RuntimeError(f"{given}calculated shape of the array of sliding blocks as "
                           f"({oh}, {ow}), which is too small (non-positive)")
    shape = (c.shape[0], c.shape[1] // kk) + size
    out = Col2Im.apply(c, shape=shape, win=Window(k[0], k[1], s[0], s[1], p[0], p[1], d[0],
                                                  d[1], oh, ow))
    return out if batched else out.squeeze(0)
