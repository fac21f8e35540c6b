"""Batch / layer / group normalisation as one graph node with the closed-form backward."""

from __future__ import annotations

import math

import numpy as np

from autograd_core.node import Node


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

    Only ``x``, ``w``, ``mean`` and ``invstd`` are saved (``xhat`` is recomputed).
    """

    _NAMES = {"batch": "NativeBatchNormBackward0", "layer": "NativeLayerNormBackward0",
              "group": "NativeGroupNormBackward0"}

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
        aligned = (1,) * (x.ndim - len(param_shape)) + tuple(param_shape)
        self.param_axes = tuple(i for i, s in enumerate(aligned) if s == 1)
        xs = x.reshape(stat_shape)
        self.batch_stats = stats is None
        if stats is None:
            mean = xs.mean(axis=axes, keepdims=True)
            xhat = xs - mean
            var = np.mean(np.square(xhat), axis=axes, keepdims=True)
            if running is not None:
                rm, rv, factor = running
                n = math.prod(xs.shape[a] for a in axes)
                unbiased = var * (n / (n - 1)) if n > 1 else var
                rm[...] = factor * mean.reshape(rm.shape) + (1.0 - factor) * rm
                rv[...] = factor * unbiased.reshape(rv.shape) + (1.0 - factor) * rv
        else:
            mean, var = stats
            xhat = xs - mean
        invstd = 1.0 / np.sqrt(var + eps)
        invstd = invstd.astype(x.dtype, copy=False)
        xhat *= invstd
        y = xhat.reshape(x.shape)
        if weight is not None:
            y *= weight.reshape(param_shape)
        if bias is not None:
            y += bias.reshape(param_shape)
        self.save_for_backward(x, weight, mean, invstd)
        return y

    def backward(self, g):  # composite: what create_graph records
        x, w, mean, invstd = self.saved
        return self._backward_composite(g, x, w, mean, invstd)

    def fused_backward(self, g):  # closed form on the arrays
        x, w, mean, invstd = self.saved
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
            gw = (g * xhat.reshape(x.shape)).sum(axis=self.param_axes).reshape(w.shape)
        if need[2]:
            gb = g.sum(axis=self.param_axes).reshape(self.bshape)
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
