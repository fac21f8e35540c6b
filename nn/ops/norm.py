"""Batch / layer / group normalisation as one graph node with the closed-form backward."""

from __future__ import annotations

import math

import numpy as np

from autograd_core._quiet import ignoring
from autograd_core._sums import fsum
from autograd_core.kernels import norm as K
from autograd_core.node import Node


def _channel_layout(shape, axes, kind):
    """``(A, K, S)`` when the statistics are per channel ``K`` over a leading block ``A`` and a
    trailing block ``S`` and the affine parameters are per channel too (batch norm: ``(N, C,
    H*W)``, instance norm: ``(1, N*C, H*W)``), else None (layer and group norm: numpy path)."""
    if kind not in ("batch", "instance"):
        return None
    kept = [i for i in range(len(shape)) if i not in axes]
    if not kept or kept != list(range(kept[0], kept[-1] + 1)):
        return None
    return (math.prod(shape[:kept[0]]), math.prod(shape[kept[0]:kept[-1] + 1]),
            math.prod(shape[kept[-1] + 1:]))


def _channels_last(x, layout, kind):
    """For batch norm of an ``(N, C, *spatial)`` ``x`` stored channels-last (conv2d's direct
    path leaves its outputs so): the axis order that makes it C-contiguous, else None. The
    kernels then take it as ``(N*S, C, 1)`` rows and the result keeps the layout: copying it to
    (N, C, H, W) and back around every batch norm cost more than the row kernels' slower sums."""
    if kind != "batch" or x.ndim < 3 or layout[2] == 1 or x.flags.c_contiguous:
        return None
    perm = (0,) + tuple(range(2, x.ndim)) + (1,)
    return perm if x.transpose(perm).flags.c_contiguous else None


def _rows(a, perm, C):
    """``a`` (channels-last, ``perm`` from ``_channels_last``) as ``(N*S, C, 1)`` rows."""
    return np.ascontiguousarray(a.transpose(perm)).reshape(-1, C, 1)


def _unrows(r, perm, shape):
    """The inverse of ``_rows``: ``(N*S, C, 1)`` back to ``shape``, channels-last memory."""
    return r.reshape(tuple(shape[i] for i in perm)).transpose(np.argsort(perm))


def _row_layout(x, weight, bias, stat_shape, axes, kind):
    """``(R, L)`` when layer / group norm can run the row kernels: statistics over trailing
    ``axes`` (one row each), a non-empty float32/float64 input, parameters of its dtype."""
    if kind not in ("layer", "group") or x.dtype not in (np.float32, np.float64) or not x.size:
        return None
    if any(p is not None and p.dtype != x.dtype for p in (weight, bias)):
        return None
    if tuple(axes) != tuple(range(len(stat_shape) - len(axes), len(stat_shape))):
        return None
    L = math.prod(stat_shape[len(stat_shape) - len(axes):])
    return x.size // L, L


def _row_params(p, x, param_shape, L, default):
    """A parameter as the row kernels' ``(G, L)``: its values over the input's trailing dims
    (group norm: each channel's value repeated over its positions)."""
    tail = x.shape[x.ndim - len(param_shape):]
    if p is None:
        return np.full((math.prod(tail) // L, L), default, x.dtype)
    if p.shape == tail and p.flags.c_contiguous:  # layer norm's (L,): itself, as one row
        return p.reshape(-1, L)
    return np.ascontiguousarray(np.broadcast_to(p.reshape(param_shape), tail)).reshape(-1, L)


def _per_channel(p, layout, default):
    """A per-channel parameter (C,) as a float64 array over the kernel's K = reps * C channels."""
    if p is None:
        return np.full(layout[1], default)
    p = p.reshape(-1).astype(np.float64)
    return p if layout[1] == p.size else np.tile(p, layout[1] // p.size)


def _flat64(s, keep):
    """A given statistic as a flat float64 array over ``keep``'s shape: batch norm's running
    buffers (C,) as they are (the same elements as their broadcast, without making it)."""
    if s.size == math.prod(keep):
        return s.reshape(-1).astype(np.float64)
    return np.broadcast_to(s, keep).reshape(-1).astype(np.float64)


def _over_samples(v, size):
    """The mean over the rows of ``v`` as ``(-1, size)`` (instance norm's per-sample
    statistics); batch norm's single row itself (its mean: the same values, 2 numpy calls
    fewer at every training step)."""
    if not size:  # (no channel)
        return v.reshape(0)
    v = v.reshape(-1, size)
    return v[0] if v.shape[0] == 1 else v.mean(0)


class NormOp(Node):
    """``y = (x - mean) * invstd * w + b``, ``invstd = 1 / sqrt(var + eps)``.

    Statistics are taken over ``axes`` of ``x.reshape(stat_shape)`` (BatchNorm: the batch and
    length axes; LayerNorm: the trailing normalised axes; GroupNorm: each (sample, group)
    slice), with the *biased* variance. ``w``/``b`` broadcast with ``param_shape`` against
    ``x``. With ``stats=(mean, var)`` given (BatchNorm in eval mode) those constants are used
    instead. ``running=(running_mean, running_var, factor)`` arrays are updated in place with
    the batch mean and the *unbiased* batch variance: ``r = factor * batch + (1 - factor) * r``.

    Backward (batch statistics), with ``xhat = (x - mean) * invstd`` and ``gh = g * w``::

        dx = invstd * (gh - mean(gh) - xhat * mean(gh * xhat))    (means over ``axes``)
        dw = sum(g * xhat),  db = sum(g)                          (over non-parameter axes)

    Only ``x``, ``w``, ``mean`` and ``invstd`` are saved (``xhat`` is recomputed). Batch and
    instance norm of float32/float64 inputs (``kind`` ``"batch"``/``"instance"``: statistics
    and parameters per channel) run the per-channel Numba kernels of
    ``autograd_core.kernels.norm`` forward and in the fused backward, with the statistics in
    float64 (also kept, per channel, for the backward); layer and group norm run numpy.
    """

    _NAMES = {"batch": "NativeBatchNormBackward0", "instance": "NativeBatchNormBackward0",
              "layer": "NativeLayerNormBackward0", "group": "NativeGroupNormBackward0"}

    def name(self):
        return self._NAMES[getattr(self, "kind", "batch")]

    def forward(self, x, weight, bias, stat_shape, axes, param_shape, eps, stats=None,
                running=None, kind="batch"):
        self.kind = kind
        if x.dtype.kind != "f":
            raise TypeError(f"normalisation expects a floating point input, got {x.dtype}")
        self.stat_shape, self.axes, self.param_shape = stat_shape, axes, param_shape
        self.eps = eps
        self.bshape = None if bias is None else bias.shape
        self.weight_dims = None
        if kind == "batch":  # PyTorch's native_batch_norm reads any shape of C elements as
            # a vector: its backward refuses a weight of other dims and returns the bias's
            # gradient as a vector (which the engine sums to the bias's shape or refuses)
            self.bshape = None if bias is None else (bias.size,)
            if weight is not None and weight.ndim != 1:
                self.weight_dims = weight.ndim
        aligned = (1,) * (x.ndim - len(param_shape)) + tuple(param_shape)
        self.param_axes = tuple(i for i, s in enumerate(aligned) if s == 1)
        keep = tuple(1 if i in axes else s for i, s in enumerate(stat_shape))
        self.batch_stats = stats is None
        self.layout = None
        if x.dtype in (np.float32, np.float64):
            self.layout = _channel_layout(stat_shape, axes, kind)
        self.perm = None
        self.rows = None
        if stats is None and running is None:
            self.rows = _row_layout(x, weight, bias, stat_shape, axes, kind)
        if self.rows is not None:  # layer / group norm: per-row Numba kernels
            L = self.rows[1]
            self.wrows = _row_params(weight, x, param_shape, L, 1.0)
            y, *self.row_stats, mean, invstd = K.row_forward(
                np.ascontiguousarray(x).reshape(self.rows), self.wrows,
                _row_params(bias, x, param_shape, L, 0.0), eps,
                int(kind == "group" and (weight is not None or bias is not None)), x.shape)
            mean, invstd = mean.reshape(keep), invstd.reshape(keep)
        elif self.layout is not None:  # per-channel Numba kernels, sums in float64
            self.perm = _channels_last(x, self.layout, kind)
            if self.perm is None:  # (x itself is saved: a copy would not be known as the
                x3 = np.ascontiguousarray(x).reshape(self.layout)  # input under create_graph)
            else:
                x3 = _rows(x, self.perm, self.layout[1])
            if stats is None:
                mean, var = K.channel_stats(x3)
            else:
                mean, var = [_flat64(s, keep) for s in stats]
            inv = 1.0 / np.sqrt(var + eps)
            self.chan = (mean, inv)
            y = K.channel_scale_shift(x3, mean, inv * _per_channel(weight, self.layout, 1.0),
                                      _per_channel(bias, self.layout, 0.0))
            y = y.reshape(x.shape) if self.perm is None else _unrows(y, self.perm, x.shape)
            mean = mean.reshape(keep).astype(x.dtype)
            invstd = inv.reshape(keep).astype(x.dtype)
        else:
            xs = x.reshape(stat_shape)
            if stats is None:
                mean = ignoring(xs.mean, axis=axes, keepdims=True)
                xhat = xs - mean
                var = ignoring(np.mean, np.square(xhat), axis=axes, keepdims=True)
            else:
                mean, var = (np.broadcast_to(s, keep) for s in stats)
                xhat = xs - mean
            invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
            xhat *= invstd
            y = xhat.reshape(x.shape)
            if weight is not None:
                y *= weight.reshape(param_shape)
            if bias is not None:
                y += bias.reshape(param_shape)
        if running is not None and stats is None:
            rm, rv, factor = running
            n = math.prod(stat_shape[a] for a in axes)
            unbiased = var * (n / (n - 1)) if n > 1 else var
            # instance norm: one statistic per (sample, channel), the buffers get their mean
            rm[...] = factor * _over_samples(mean, rm.size) + (1.0 - factor) * rm
            rv[...] = factor * _over_samples(unbiased, rv.size) + (1.0 - factor) * rv
        self.save_for_backward(x, weight, mean, invstd)
        return y

    def _check_weight(self):
        if self.weight_dims is not None:
            raise RuntimeError(
                f"TensorAccessor expected 1 dims but tensor has {self.weight_dims}")

    def backward(self, g):  # composite: what create_graph records
        self._check_weight()
        x, w, mean, invstd = self.saved
        return self._backward_composite(g, x, w, mean, invstd)

    def fused_backward(self, g):  # closed form on the arrays
        self._check_weight()
        x, w, mean, invstd = self.saved
        if self.layout is not None:
            return self._kernel_backward(g, x, w)
        if self.rows is not None:
            return self._row_backward(g, x, w)
        need = self.needs_input_grad
        axes, stat = self.axes, self.stat_shape
        xhat = x.reshape(stat) - mean
        xhat *= invstd
        gx = gw = gb = None
        if need[0]:
            gs = (g * w.reshape(self.param_shape) if w is not None else g).reshape(stat)
            if self.batch_stats:
                mg = gs.mean(axis=axes, keepdims=True)
                mgx = np.mean(gs * xhat, axis=axes, keepdims=True)
                gx = gs - mg
                gx -= xhat * mgx
                gx *= invstd
            else:
                gx = gs * invstd
            gx = gx.reshape(x.shape)
        if need[1]:
            gw = fsum(g * xhat.reshape(x.shape), self.param_axes).reshape(w.shape)
        if need[2]:
            gb = fsum(g, self.param_axes).reshape(self.bshape)
        return gx, gw, gb

    def _row_backward(self, g, x, w):
        gx, sgw, sgb = K.row_backward(
            np.ascontiguousarray(g, dtype=x.dtype).reshape(self.rows),
            np.ascontiguousarray(x).reshape(self.rows), *self.row_stats, self.wrows, x.shape)
        need = self.needs_input_grad
        tail = x.shape[x.ndim - len(self.param_shape):]
        summed = tuple(i for i, s in enumerate(self.param_shape) if s == 1)  # (group norm's S)
        gw = gb = None
        if summed:
            sgw, sgb = sgw.reshape(tail).sum(axis=summed), sgb.reshape(tail).sum(axis=summed)
        if need[1]:
            gw = sgw.reshape(w.shape).astype(w.dtype)
        if need[2]:
            gb = sgb.reshape(self.bshape).astype(x.dtype)
        return (gx if need[0] else None), gw, gb

    def _kernel_backward(self, g, x, w):
        need = self.needs_input_grad
        A, Kc, S = self.layout
        if self.perm is None:  # (x as given: forward saved the input itself)
            x3 = np.ascontiguousarray(x).reshape(self.layout)
            g3 = np.ascontiguousarray(g, dtype=x.dtype).reshape(self.layout)
        else:
            x3, g3 = _rows(x, self.perm, Kc), _rows(g.astype(x.dtype, copy=False), self.perm, Kc)
        mean, inv = self.chan
        sg, sgx = K.channel_grad_sums(g3, x3, mean)
        gx = gw = gb = None
        if need[0]:
            a = inv * _per_channel(w, self.layout, 1.0)
            zero = np.zeros(Kc)
            n = A * S
            b, c = (-a * inv * inv * sgx / n, -a * sg / n) if self.batch_stats else (zero, zero)
            gx = K.channel_backward(g3, x3, mean, a, b, c)
            gx = gx.reshape(x.shape) if self.perm is None else _unrows(gx, self.perm, x.shape)
        if need[1]:
            gw = fsum((inv * sgx).reshape(-1, w.size), 0).reshape(w.shape).astype(w.dtype)
        if need[2]:
            gb = fsum(sg.reshape(-1, int(np.prod(self.bshape))), 0).reshape(self.bshape)
            gb = gb.astype(x.dtype)
        return gx, gw, gb

    def _backward_composite(self, g, x, w, mean, invstd):
        need = self.needs_input_grad
        axes, stat = self.axes, self.stat_shape
        xs = x.reshape(stat)
        if self.batch_stats:
            mean = xs.mean(dim=axes, keepdim=True)
            xc = xs - mean
            invstd = ((xc * xc).mean(dim=axes, keepdim=True) + self.eps) ** -0.5
            xhat = xc * invstd
        else:
            xhat = (xs - mean) * invstd
        gx = gw = gb = None
        if need[0]:
            gs = (g * w.reshape(self.param_shape) if w is not None else g).reshape(stat)
            if self.batch_stats:
                gx = (gs - gs.mean(dim=axes, keepdim=True)
                      - xhat * (gs * xhat).mean(dim=axes, keepdim=True)) * invstd
            else:
                gx = gs * invstd
            gx = gx.reshape(x.shape)
        if need[1]:
            gw = (g * xhat.reshape(x.shape)).sum(dim=self.param_axes).reshape(w.shape)
        if need[2]:
            gb = g.sum(dim=self.param_axes).reshape(self.bshape)
        return gx, gw, gb
