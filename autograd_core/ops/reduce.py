"""Reductions (with ``dim`` tuples and ``keepdim``) and the stable softmax family."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from autograd_core.function import Op
from autograd_core.ops import _xp as xp


def _keep_shape(shape, dims):
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _count(shape, dims):
    if dims is None:
        return int(np.prod(shape))
    return int(np.prod([shape[d] for d in dims]))


class _Reduction(Op):
    def _setup(self, x, dim, keepdim):
        self.in_shape = x.shape
        self.dim = dim
        self.keepdim = keepdim

    def _expand(self, g):
        """Gradient of the reduced result, broadcast back over the input's shape."""
        return xp.broadcast_to(g.reshape(_keep_shape(self.in_shape, self.dim)), self.in_shape)


class Sum(_Reduction):
    def forward(self, x, dim, keepdim):
        self.in_shape = x.shape
        self.dim = dim
        return x.sum(axis=dim, keepdims=keepdim)

    def backward(self, g):
        return (self._expand(g),)


class Mean(_Reduction):
    def forward(self, x, dim, keepdim):
        self._setup(x, dim, keepdim)
        if x.dtype.kind not in "fc":
            raise TypeError(f"mean: expected a floating point tensor, got {x.dtype}")
        self.n = _count(x.shape, dim)
        return np.mean(x, axis=dim, keepdims=keepdim)

    def backward(self, g):
        return (self._expand(g / self.n),)


class Var(_Reduction):
    """Variance with Bessel's ``correction`` (1 by default, as torch.var)."""

    def forward(self, x, dim, keepdim, correction):
        self._setup(x, dim, keepdim)
        self.denom = max(_count(x.shape, dim) - correction, 0)
        self.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.var(x, axis=dim, keepdims=keepdim, ddof=correction)

    def backward(self, g):
        (x,) = self.saved
        axis = self.dim if self.dim is not None else tuple(range(len(self.in_shape)))
        centred = x - x.mean(axis=axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self._expand(g) * centred * (2.0 / self.denom if self.denom else np.inf),)


class AMax(_Reduction):
    """max/min over ``dim`` (all dims when None); ties share the gradient equally."""

    def forward(self, x, dim, keepdim, is_max):
        self._setup(x, dim, keepdim)
        if x.size == 0:
            raise RuntimeError(
                f"{'max' if is_max else 'min'}(): cannot reduce an empty tensor of shape {x.shape}"
            )
        y = (np.max if is_max else np.min)(x, axis=dim, keepdims=True)
        mask = x == y
        self.save_for_backward(mask, mask.sum(axis=dim, keepdims=True))
        return y if keepdim else y.reshape(
            tuple(s for i, s in enumerate(x.shape) if dim is not None and i not in dim)
        )

    def backward(self, g):
        mask, count = self.saved
        return (xp.where(mask, self._expand(g) / count, 0.0),)


class Gather(Op):
    """Values at ``index`` along ``dim`` (take_along_axis); backward scatters."""

    def forward(self, x, index, dim):
        self.index, self.dim, self.in_shape = index, dim, x.shape
        return np.take_along_axis(x, index, axis=dim)

    def backward(self, g):
        return (Scatter.apply(g, index=self.index, dim=self.dim, shape=self.in_shape),)


class Scatter(Op):
    """Zeros of ``shape`` with ``g`` added at ``index`` along ``dim``; backward gathers."""

    def forward(self, g, index, dim, shape):
        self.index, self.dim = index, dim
        out = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(out, index, g, axis=dim)
        return out

    def backward(self, g2):
        return (Gather.apply(g2, index=self.index, dim=self.dim),)


MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def max_min(x, dim, keepdim, is_max):
    from autograd_core.ops.shape import norm_dim
    from autograd_core.tensor import Tensor

    if dim is None:
        return AMax.apply(x, dim=None, keepdim=False, is_max=is_max)
    d = norm_dim(dim, x.ndim, "max" if is_max else "min")
    if x.shape[d] == 0:
        raise IndexError(f"max/min(): dimension {dim} of shape {x.shape} has size 0")
    idx = (np.argmax if is_max else np.argmin)(x.data, axis=d, keepdims=True)
    values = Gather.apply(x, index=idx, dim=d)
    if not keepdim:
        values = values.squeeze(d)
        idx = np.squeeze(idx, axis=d)
    indices = Tensor._make(np.asarray(idx, dtype=np.int64), None, False)
    return (MaxResult if is_max else MinResult)(values, indices)


def argmax(x, dim, keepdim, fn):
    from autograd_core.ops.shape import norm_dim
    from autograd_core.tensor import Tensor

    if dim is None:
        out = np.asarray(fn(x.data))
        if keepdim:
            out = out.reshape((1,) * x.ndim)
    else:
        out = fn(x.data, axis=norm_dim(dim, x.ndim, "argmax"), keepdims=keepdim)
    return Tensor._make(np.asarray(out, dtype=np.int64), None, False)


def _stable_lse(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0).astype(x.dtype, copy=False)
    with np.errstate(divide="ignore"):
        return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


class LogSumExp(_Reduction):
    def forward(self, x, dim, keepdim):
        self._setup(x, dim, keepdim)
        y = _stable_lse(x, dim)
        self.save_for_backward(x, y)
        return y if keepdim else y.reshape(
            tuple(s for i, s in enumerate(x.shape) if dim is not None and i not in dim)
        )

    def backward(self, g):
        x, y = self.saved
        if self.differentiable:  # y was saved in keepdim shape, so recompute it connected
            y = LogSumExp.apply(x, dim=self.dim, keepdim=True)
        return (self._expand(g) * xp.exp(x - y),)


class Softmax(Op):
    def forward(self, x, dim):
        self.dim = dim
        e = np.exp(x - np.max(x, axis=dim, keepdims=True))
        y = e / np.sum(e, axis=dim, keepdims=True)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        gy = g * y
        return (gy - y * gy.sum(axis=self.dim, keepdims=True),)


class LogSoftmax(Op):
    def forward(self, x, dim):
        self.dim = dim
        y = x - _stable_lse(x, dim)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g - xp.exp(y) * g.sum(axis=self.dim, keepdims=True),)
