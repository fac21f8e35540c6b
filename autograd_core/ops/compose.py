"""Ops PyTorch programs use that are compositions of other ops here (no node of their own:
their gradients come from the ops they are made of, and the generic tests check them through
their samples like any other op)."""

from __future__ import annotations

import builtins
from typing import Sequence
import numpy as np

from autograd_core.node import LINEAR, Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.index import take_unsaved
from autograd_core.ops.reduce import Var, _count, _warn_no_dof, std
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.scatter import _run, index_put
from autograd_core.ops.shape import _as_view, cat, reshape
from autograd_core.tensor import Tensor


def _atleast(t, n):
    while t.ndim < n:
        t = reshape(t, (1,) + tuple(t.shape)) if n == 2 else reshape(t, tuple(t.shape) + (1,))
    return t


@op("hstack", samples=[Sample("hstack", lambda a, b: hstack([a, b * 2.0]), 2)])
def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Stack ``tensors`` horizontally: along dim 1, or dim 0 for 1-d (and 0-d) tensors.

    Args:
        tensors (sequence of Tensor): the tensors.

    Example::

        >>> import autograd_core as ag
        >>> ag.hstack([ag.tensor([1, 2]), ag.tensor([3])])
        tensor([1, 2, 3])
    """
    tensors = [_atleast(t, 1) for t in tensors]
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(tensors, dim=0 if tensors[0].ndim == 1 else 1)


@op("vstack", aliases=("row_stack",),
    samples=[Sample("vstack", lambda a, b: vstack([a, b * 2.0]), 2)])
def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Stack ``tensors`` vertically: along dim 0, after making 0-d and 1-d tensors rows.

    ``row_stack`` is another name.

    Args:
        tensors (sequence of Tensor): the tensors.

    Example::

        >>> import autograd_core as ag
        >>> ag.vstack([ag.tensor([1, 2]), ag.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    return cat([_atleast(t, 2) for t in tensors], dim=0)


def _vector(name, t):
    if not isinstance(t, Tensor) or t.ndim != 1:
        raise RuntimeError(f"{name}: 1D tensors expected, but got "
                           f"{getattr(t, 'ndim', 0)}D tensor")
    return t


@op("dot", method=True, samples=[Sample("dot", lambda a, b: dot(a.reshape(-1), b.reshape(-1)),
                                        2)])
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """Return the inner product of two 1-d tensors of the same length.

    Args:
        input (Tensor): the first vector.
        tensor (Tensor): the second vector.

    Example::

        >>> import autograd_core as ag
        >>> ag.dot(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
        tensor(11.)
    """
    if not (isinstance(input, Tensor) and isinstance(tensor, Tensor)
            and input.ndim == 1 and tensor.ndim == 1):
        raise RuntimeError(f"1D tensors expected, but got {getattr(input, 'ndim', 0)}D and "
                           f"{getattr(tensor, 'ndim', 0)}D tensors")
    if input.dtype != tensor.dtype:  # PyTorch does not promote here (nor for vdot)
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_args.torch_name(input.dtype)} and {_args.torch_name(tensor.dtype)}")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor [%d] and src [%d] to have the same number "
            "of elements, but got %d and %d elements respectively"
            % (input.shape[0], tensor.shape[0], input.shape[0], tensor.shape[0]))
    prod = input * tensor
    if prod.dtype.kind in "biu":  # PyTorch: bool refused, integers keep their dtype
        if prod.dtype.kind == "b":
            raise NotImplementedError('"dot" not implemented for \'Bool\'')
        return prod.sum(dtype=prod.dtype)
    return prod.sum()


@op("outer", method=True, aliases=("ger",),
    samples=[Sample("outer", lambda a, b: outer(a.reshape(-1), b.reshape(-1)), 2)])
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Return the outer product of two 1-d tensors: ``out[i, j] = input[i] * vec2[j]``.

    ``ger`` is another name.

    Args:
        input (Tensor): the first vector.
        vec2 (Tensor): the second vector.

    Example::

        >>> import autograd_core as ag
        >>> ag.outer(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 10.0]))
        tensor([[ 1., 10.],
                [ 2., 20.]])
    """
    _vector("outer", input)
    _vector("outer", vec2)
    return reshape(input, (-1, 1)) * reshape(vec2, (1, -1))


class VarMean(Var):
    """``(var, mean)`` or ``(std, mean)`` of ``x`` as one node, PyTorch's ``VarMeanBackward0``
    / ``StdMeanBackward0``: the values and gradients are ``var``'s (``std``'s) and ``mean``'s,
    whose two gradients it adds."""

    n_outputs = 2

    def name(self) -> str:
        return "StdMeanBackward0" if self.is_std else "VarMeanBackward0"

    def forward(self, x, dim, keepdim, correction, is_std):
        self.is_std, self.correction = is_std, correction
        v = Var.forward(self, x, dim, keepdim, correction, wide=is_std)
        if is_std:  # std's: the root of the float64 variance of a float32 input, then rounded
            v = np.sqrt(v)
            if x.dtype.kind == "f" and v.dtype != x.dtype:
                v = np.asarray(v.astype(x.dtype))
            # the returned std itself: changed in place, backward refuses (it read the new values)
            self.save_for_backward(x, v)
        self.n = _count(x.shape, dim)
        if self.n == 0:  # NaN (0 / 0), as mean's
            return v, np.sum(x, axis=dim, keepdims=keepdim) / 0.0
        return v, xp.fmean(x, dim, keepdim)

    def backward(self, gv, gm):
        x = self.saved[0]
        if self.is_std:  # std's gradient: 0 where the std is 0
            y = std(x, self.dim, keepdim=self.keepdim, correction=self.correction) \
                if isinstance(x, Tensor) else self.saved[1]
            zero = xp.data(y) == 0
            gv = xp.where(zero, 0.0, gv / (xp.where(zero, 1.0, y) * 2.0))
            dtype = xp.data(x).dtype
            if dtype.kind == "f" and dtype.itemsize < 8:  # std's variance is float64 there
                (gx,) = Var.backward(self, _as_dtype(gv, np.float64))
                return (_as_dtype(gx, dtype) + self._expand(gm / self.n),)
        (gx,) = Var.backward(self, gv)
        return (gx + self._expand(gm / self.n),)

    complex_backward = backward  # type: ignore[assignment]


def _as_dtype(a, dtype):
    return a.to(dtype) if isinstance(a, Tensor) else np.asarray(a.astype(dtype, copy=False))


def _stat_mean(name, input, dim, unbiased, correction, keepdim, is_std):
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    dim, unbiased = _args.unbiased_in_dim(dim, unbiased)
    dim, keepdim = _args.dims(dim, None, keepdim, None, input.ndim)
    correction = _args.correction(unbiased, correction)
    _warn_no_dof("std" if is_std else "var", input, dim, correction)
    return tuple(VarMean.apply(input, dim=dim, keepdim=keepdim, correction=correction,
                               is_std=is_std))


@op("var_mean", samples=[Sample("var_mean", lambda a: sum(var_mean(a, dim=-1)), min_ndim=1,
                                domain="min2")])
def var_mean(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None = None,
             unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
             correction: builtins.int | None = None) -> tuple[Tensor, Tensor]:
    """Return ``(var, mean)`` of ``input`` over ``dim`` (all dims when None).

    Bessel's ``correction`` is 1 by default, as in PyTorch.

    Args:
        input (Tensor): the input tensor (floating point).
        dim (int or tuple of ints, optional): the dimension(s) to reduce.
        unbiased (bool, optional): PyTorch's older spelling: False means ``correction=0``
            (``var_mean(x, False)`` is this, over all dims).
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        correction (int, optional): subtract it from ``N`` in the divisor of the variance.
            Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.var_mean(ag.tensor([1.0, 2.0, 3.0, 4.0]))
        (tensor(1.6667), tensor(2.5000))
    """
    return _stat_mean("var_mean", input, dim, unbiased, correction, keepdim, is_std=False)


@op("std_mean", samples=[Sample("std_mean", lambda a: sum(std_mean(a, dim=-1)), min_ndim=1,
                                domain="min2")])
def std_mean(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None = None,
             unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
             correction: builtins.int | None = None) -> tuple[Tensor, Tensor]:
    """Return ``(std, mean)`` of ``input`` over ``dim`` (all dims when None).

    Bessel's ``correction`` is 1 by default, as in PyTorch.

    Args:
        input (Tensor): the input tensor (floating point).
        dim (int or tuple of ints, optional): the dimension(s) to reduce.
        unbiased (bool, optional): PyTorch's older spelling: False means ``correction=0``
            (``var_mean(x, False)`` is this, over all dims).
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        correction (int, optional): subtract it from ``N`` in the divisor of the variance.
            Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.std_mean(ag.tensor([1.0, 3.0]))
        (tensor(1.4142), tensor(2.))
    """
    return _stat_mean("std_mean", input, dim, unbiased, correction, keepdim, is_std=True)


@op("diag", method=True, samples=[
    Sample("diag_of_matrix", lambda a: diag(a.reshape(a.numel(), 1) * a.reshape(1, -1), 1),
           min_ndim=1),
    Sample("diag_of_vector", lambda a: diag(a.reshape(-1), -1))])
def diag(input: Tensor, diagonal: builtins.int = 0) -> Tensor:
    """Build a diagonal matrix from a 1-d tensor, or take a diagonal of a 2-d tensor.

    PyTorch's two meanings: a 1-d ``input`` goes on the ``diagonal``-th diagonal of a square
    matrix (zeros elsewhere); a 2-d ``input`` gives its ``diagonal``-th diagonal as a 1-d
    tensor. ``diagonal > 0`` is above the main diagonal, ``< 0`` below.

    Args:
        input (Tensor): a 1-d or 2-d tensor.
        diagonal (int): which diagonal. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.diag(ag.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
        >>> ag.diag(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([1., 4.])
    """
    k = int(diagonal)
    if input.ndim == 1:
        n = input.shape[0]
        m = n + abs(k)
        rows = np.arange(n) + max(-k, 0)
        cols = np.arange(n) + max(k, 0)
        zeros = xp.constant(np.zeros((m, m), input._data.dtype))
        return index_put(zeros, (xp.constant(rows), xp.constant(cols)), input)
    if input.ndim == 2:
        r, c = input.shape
        n = max(0, min(r + min(k, 0), c - max(k, 0)))
        rows = np.arange(n) + max(-k, 0)
        return take_unsaved(input, (rows, rows + k))  # PyTorch's rule keeps no index
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


class Diagonal(Node):
    """The diagonal at ``offset`` of the planes ``(dim1, dim2)``, as a new last dim (a view of
    ``x``, as PyTorch's); backward writes the gradient back on that diagonal of zeros."""

    complex_backward = LINEAR
    def forward(self, x, offset, dim1, dim2):
        self.args = (x.shape, offset, dim1, dim2)
        out = np.diagonal(x, offset, dim1, dim2)  # numpy's view is read-only: free it when
        out.flags.writeable = x.flags.writeable  # x is writable (x.diagonal().fill_(0))
        return out

    def backward(self, g):
        shape, offset, dim1, dim2 = self.args
        return (_run(DiagonalScatter, g, shape=shape, offset=offset, dim1=dim1, dim2=dim2),)


class DiagonalScatter(Node):
    """Zeros of ``shape`` with ``g``'s last dim written on the ``offset`` diagonal of the
    planes ``(dim1, dim2)`` (``diag_embed``); backward reads that diagonal."""

    complex_backward = LINEAR
    def forward(self, g, shape, offset, dim1, dim2):
        self.args = (offset, dim1, dim2)
        out = np.zeros(shape, g.dtype)
        n = g.shape[-1]
        rows = np.arange(n) + max(-offset, 0)
        np.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, rows + offset] = g
        return out

    def backward(self, g):
        offset, dim1, dim2 = self.args
        return (_run(Diagonal, g, offset=offset, dim1=dim1, dim2=dim2),)


@op("diagonal", method=True, samples=[
    Sample("diagonal", lambda a: a.diagonal(), min_ndim=2),
    Sample("diagonal_offset", lambda a: diagonal(a, 1, -1, 0), min_ndim=2)])
def diagonal(input: Tensor, offset: builtins.int = 0, dim1: builtins.int = 0,
             dim2: builtins.int = 1) -> Tensor:
    """Return the diagonal of ``input`` over the planes ``(dim1, dim2)``, as its last dimension.

    ``offset > 0`` is above the main diagonal, ``< 0`` below. The result is a view: an in-place
    change of it (``x.diagonal().fill_(0)``) reaches ``input``.

    Args:
        input (Tensor): a tensor of at least 2 dimensions.
        offset (int): which diagonal. Default: 0.
        dim1 (int): the first dimension of the planes. Default: 0.
        dim2 (int): the second one. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.diagonal(), ag.diagonal(x, offset=1)
        (tensor([1., 4.]), tensor([2.]))
    """
    nd = input.ndim
    d1, d2 = _args.norm_dim(dim1, nd, "diagonal"), _args.norm_dim(dim2, nd, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _as_view(Diagonal.apply(input, offset=int(offset), dim1=d1, dim2=d2), input)


@op("diag_embed", method=True, samples=[
    Sample("diag_embed", lambda a: diag_embed(a), min_ndim=1),
    Sample("diag_embed_offset", lambda a: diag_embed(a, -1, -1, 0), min_ndim=1)])
def diag_embed(input: Tensor, offset: builtins.int = 0, dim1: builtins.int = -2,
               dim2: builtins.int = -1) -> Tensor:
    """Place the last dimension of ``input`` on the ``offset`` diagonal of new planes
    ``(dim1, dim2)`` of zeros (the inverse of :func:`diagonal`).

    Args:
        input (Tensor): the values, along the last dimension.
        offset (int): which diagonal. Default: 0.
        dim1 (int): the first new dimension (of the result). Default: -2.
        dim2 (int): the second one. Default: -1.

    Example::

        >>> import autograd_core as ag
        >>> ag.diag_embed(ag.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
    """
    nd = input.ndim + 1
    d1, d2 = _args.norm_dim(dim1, nd, "diag_embed"), _args.norm_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if input.ndim == 0:
        raise RuntimeError("diag_embed(): input must have at least 1 dimension")
    m = input.shape[-1] + abs(int(offset))
    rest = iter(input.shape[:-1])
    shape = tuple(m if k in (d1, d2) else next(rest) for k in range(nd))
    return DiagonalScatter.apply(input, shape=shape, offset=int(offset), dim1=d1, dim2=d2)


inf, nan, pi, e = float("inf"), float("nan"), float(np.pi), float(np.e)
newaxis = None  # x[:, ag.newaxis], as torch.newaxis (and numpy's)

