"""The second batch of issue 12, continued: hsplit/vsplit/dsplit, diagflat, vdot, inner, cov,
corrcoef, trapezoid/trapz, vander, msort (composed of other ops, so their gradients come from
those), the integer functions bincount, unique_consecutive, gcd/lcm, the bitwise ops and
unravel_index (never differentiable: they run through ``apply_nondifferentiable``), and
PyTorch's older ``torch.cholesky``."""

from __future__ import annotations

import builtins
import functools
import math
from collections import namedtuple
from typing import Any

import numpy as np

from autograd_core.node import apply_nondifferentiable
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.arrange import NoDerivative, tensor_split
from autograd_core.node import Node
from autograd_core.ops.binary import _broadcast_error, _promote, mul, result_type
from autograd_core.ops.binary import pow as _pow
from autograd_core.ops.batch2 import Elementwise, _binary_values
from autograd_core.ops.compose import diag, dot
from autograd_core.ops.mathfns import EvenlySpread
from autograd_core.ops.matrix import cholesky as _linalg_cholesky
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.shape import cat, reshape, stack
from autograd_core.ops.scatter import Gather
from autograd_core.ops.sorting import _order, sort
from autograd_core.tensor import DEFAULT_DTYPE, Tensor


# ---- splits -----------------------------------------------------------------------------------

def _split_along(name, input, indices_or_sections, dim, min_ndim):
    if input.ndim < min_ndim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_ndim} dimension"
                           f", but got a tensor with {input.ndim} dimensions!")
    if isinstance(indices_or_sections, int) and input.shape[dim] % indices_or_sections:
        raise RuntimeError(
            f"torch.{name} attempted to split along dimension {dim}, but the size of the "
            f"dimension {input.shape[dim]} is not divisible by the split_size "
            f"{indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


@op("hsplit", method=True, samples=[
    Sample("hsplit", lambda a: sum(p.sum() * (i + 1) for i, p in enumerate(hsplit(a, [1]))),
           min_ndim=1)])
def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """Split ``input`` horizontally: along dim 1 (dim 0 for a 1-d tensor), into equal
    sections (an int that divides the size) or at the given indices.

    Args:
        input (Tensor): the tensor to split (at least 1-d).
        indices_or_sections (int or list of int): the number of sections, or where to cut.

    Example::

        >>> import autograd_core as ag
        >>> ag.hsplit(ag.arange(6).reshape(2, 3), [1])
        (tensor([[0],
                [3]]), tensor([[1, 2],
                [4, 5]]))
    """
    return _split_along("hsplit", input, indices_or_sections, 0 if input.ndim == 1 else 1, 1)


@op("vsplit", method=True, samples=[
    Sample("vsplit", lambda a: sum(p.sum() * (i + 1) for i, p in enumerate(vsplit(a, [1]))),
           min_ndim=2)])
def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """Split ``input`` vertically, along dim 0 (``input`` at least 2-d), into equal sections
    or at the given indices.

    Args:
        input (Tensor): the tensor to split.
        indices_or_sections (int or list of int): the number of sections, or where to cut.

    Example::

        >>> import autograd_core as ag
        >>> [p.shape for p in ag.vsplit(ag.zeros(4, 2), 2)]
        [autograd_core.Size([2, 2]), autograd_core.Size([2, 2])]
    """
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


@op("dsplit", method=True, samples=[
    Sample("dsplit", lambda a: sum(p.sum() * (i + 1) for i, p in enumerate(dsplit(
        a.reshape(1, 1, -1), [1]))))])
def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """Split ``input`` depthwise, along dim 2 (``input`` at least 3-d), into equal sections
    or at the given indices.

    Args:
        input (Tensor): the tensor to split.
        indices_or_sections (int or list of int): the number of sections, or where to cut.

    Example::

        >>> import autograd_core as ag
        >>> [p.shape for p in ag.dsplit(ag.zeros(1, 2, 3), [1])]
        [autograd_core.Size([1, 2, 1]), autograd_core.Size([1, 2, 2])]
    """
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


# ---- products, statistics ---------------------------------------------------------------------

@op("diagflat", method=True, samples=[Sample("diagflat", lambda a: diagflat(a, 1))])
def diagflat(input: Tensor, offset: builtins.int = 0) -> Tensor:
    """Return a square matrix with ``input``, flattened, on its ``offset``-th diagonal.

    Args:
        input (Tensor): the values (any shape; flattened).
        offset (int): the diagonal: 0 the main one, > 0 above it, < 0 below. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.diagflat(ag.tensor([[1, 2]]), 1)
        tensor([[0, 1, 0],
                [0, 0, 2],
                [0, 0, 0]])
    """
    return diag(reshape(input, (-1,)), offset)


@op("vdot", method=True, samples=[Sample("vdot", lambda a, b: vdot(a.reshape(-1), b.reshape(-1)), 2)])
def vdot(input: Tensor, other: Tensor) -> Tensor:
    """Return the dot product of two 1-d tensors, the first conjugated: ``sum(conj(input) *
    other)``.

    Args:
        input (Tensor): the first vector.
        other (Tensor): the second vector.

    Example::

        >>> import autograd_core as ag
        >>> ag.vdot(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
        tensor(11.)
    """
    return dot(input.conj(), other)


@op("inner", method=True, samples=[Sample("inner", lambda a, b: inner(a, b), 2)])
def inner(input: Tensor, other: Tensor) -> Tensor:
    """Return the inner product over the last dimension: shape ``input.shape[:-1] +
    other.shape[:-1]`` (a product with a 0-d operand is elementwise).

    Args:
        input (Tensor): the first tensor.
        other (Tensor): the second tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.inner(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([1.0, -1.0]))
        tensor([-1., -1.])
    """
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    k, n = input.shape[-1], other.shape[-1]
    if k != n:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    a = reshape(input, (math.prod(input.shape[:-1]), k))
    b = reshape(other, (math.prod(other.shape[:-1]), k))
    return reshape(a @ b.mT, tuple(input.shape[:-1]) + tuple(other.shape[:-1]))


@op("cov", method=True, samples=[
    Sample("cov", lambda a: cov(a.reshape(2, -1) if a.numel() % 2 == 0 and a.numel() > 2
                                else a.reshape(1, -1), correction=0), min_ndim=1)])
def cov(input: Tensor, *, correction: builtins.int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """Return the covariance matrix of the variables in ``input``'s rows (observations in its
    columns); a 1-d ``input`` is one variable and gives a 0-d result.

    Args:
        input (Tensor): ``(variables, observations)`` or ``(observations,)``.
        correction (int): subtracted from the (weighted) number of observations; 1 gives the
            unbiased estimate. Default: 1.
        fweights (Tensor, optional): integer repeat counts of the observations.
        aweights (Tensor, optional): importance weights of the observations.

    Example::

        >>> import autograd_core as ag
        >>> ag.cov(ag.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    x = reshape(input, (1, -1)) if input.ndim < 2 else input
    if x.dtype.kind not in "fc":
        x = x.to(DEFAULT_DTYPE[0])
    n = x.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        if weights.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                               f"{name} with {weights.ndim} dimensions")
        if weights.numel() != n:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                               f"observations in the input but got {weights.numel()} != {n}")
        if name == "fweights" and weights.dtype.kind not in "iu":
            raise RuntimeError("cov(): expected fweights to have integral dtype but got "
                               f"fweights with {weights.dtype.name} dtype")
        if builtins.bool((weights._data < 0).any()):
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = weights if w is None else w * weights
    if w is None:
        avg = x.mean(1, keepdim=True)
        norm: Any = max(n - correction, 0)  # PyTorch clamps (with a warning): inf or NaN
        xc = x - avg
        c = xc @ xc.mT.conj()  # the conjugate transpose, as PyTorch's (complex x)
    else:
        w = w.to(x.real.dtype if x.is_complex() else x.dtype)  # real weights
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
        if aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights.to(w.dtype)).sum() / w_sum
        norm = norm.clamp(min=0)
        xc = x - avg
        c = (xc * w) @ xc.mT.conj()
    out = c / norm
    return reshape(out, ()) if x.shape[0] == 1 else out  # PyTorch squeezes one variable


@op("corrcoef", method=True, samples=[
    Sample("corrcoef", lambda a, b: corrcoef(stack([a.reshape(-1), (a + b).reshape(-1)]))
           if a.numel() > 1 else a.sum() * b.sum(), 2, min_ndim=1)])
def corrcoef(input: Tensor) -> Tensor:
    """Return the Pearson correlation matrix of the variables in ``input``'s rows
    (``cov`` divided by the outer product of the standard deviations, clipped to [-1, 1]).

    Args:
        input (Tensor): ``(variables, observations)`` or ``(observations,)``.

    Example::

        >>> import autograd_core as ag
        >>> ag.corrcoef(ag.tensor([[0.0, 1.0, 2.0], [0.0, 2.0, 1.0]]))
        tensor([[1.0000, 0.5000],
                [0.5000, 1.0000]])
    """
    if input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = diag(c).sqrt()
    return (c / d.unsqueeze(1) / d.unsqueeze(0)).clamp(-1.0, 1.0)


def _points_or_spacing(name, x, dx):
    """``(x, dx)`` of ``trapezoid``/``cumulative_trapezoid``: the sample points or the
    spacing (default 1), a number given as ``x`` being the spacing; both given is refused."""
    if x is not None and dx is not None:
        raise RuntimeError(f"{name}: received both x and dx; pass only one of them")
    if not isinstance(x, Tensor) and x is not None:  # trapezoid(y, 0.5): a spacing
        x, dx = None, x
    return x, 1.0 if dx is None else dx


def _trapezoid(y, x, dx, dim):
    d = _args.norm_dim(dim, y.ndim, "trapezoid")  # (a wrapped dim integrated another one)
    n = y.shape[d] if y.ndim else 0
    if n == 0:
        return y.sum(dim) * 0.0
    return _trapezoid_areas("trapezoid", y, x, dx, d).sum(d)


def _trapezoid_areas(name, y, x, dx, d):
    """The trapezoids' areas along ``d`` (one fewer element than ``y``): ``(y_i + y_i+1) / 2``
    times the spacing ``dx`` or ``x``'s steps (``x`` 1-d along ``d``, or of ``y``'s shape);
    ``trapezoid`` sums them, ``cumulative_trapezoid`` accumulates them."""
    n = y.shape[d]
    m = max(n - 1, 0)
    left, right = y.narrow(d, 0, m), y.narrow(d, min(n, 1), m)
    if x is None:
        return (left + right) * (dx * 0.5)
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[d] = m
        steps = reshape(x.diff(), tuple(shape))
    else:
        steps = x.diff(dim=d)
    return (left + right) * steps * 0.5


@op("trapezoid", samples=[
    Sample("trapezoid", lambda a: trapezoid(a, dim=-1), min_ndim=1),
    Sample("trapezoid_x", lambda a, b: trapezoid(a, b.cumsum(-1), dim=-1), 2, min_ndim=1)])
def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None,
              dim: builtins.int = -1) -> Tensor:
    """Integrate ``y`` along ``dim`` with the trapezoid rule, at sample points ``x`` or
    ``dx`` apart (1 by default). ``trapz`` is the older name.

    Args:
        y (Tensor): the values.
        x (Tensor, optional): the sample points (1-d, or ``y``'s shape).
        dx (float, optional): the spacing when ``x`` is not given. Default: 1.
        dim (int): the dimension to integrate along. Default: -1.

    Example::

        >>> import autograd_core as ag
        >>> ag.trapezoid(ag.tensor([1.0, 2.0, 3.0])), ag.trapezoid(ag.tensor([1.0, 3.0]), dx=0.5)
        (tensor(4.), tensor(1.))
    """
    x, dx = _points_or_spacing("trapezoid", x, dx)
    return _trapezoid(y, x, dx, dim)


@op("trapz", samples=())
def trapz(y: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``trapezoid``'s older name: ``trapz(y, x, *, dim=-1)`` or ``trapz(y, *, dx=1, dim=-1)``.

    Example::

        >>> import autograd_core as ag
        >>> ag.trapz(ag.tensor([1.0, 2.0, 3.0]), ag.tensor([0.0, 1.0, 3.0]))
        tensor(6.5000)
    """
    return trapezoid(y, *args, **kwargs)


@op("cumulative_trapezoid", samples=[
    Sample("cumulative_trapezoid", lambda a: cumulative_trapezoid(a, dx=0.5), min_ndim=1),
    Sample("cumulative_trapezoid_x", lambda a, b: cumulative_trapezoid(a, b.cumsum(-1)), 2,
           min_ndim=1)])
def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Any = None,
                         dim: builtins.int = -1) -> Tensor:
    """The trapezoid rule along ``dim`` accumulated: element ``i`` is the integral of ``y``
    from its first sample point to its ``i + 1``-th (one fewer element along ``dim``), at
    sample points ``x`` or ``dx`` apart (1 by default).

    Args:
        y (Tensor): the values.
        x (Tensor, optional): the sample points (1-d, or ``y``'s shape).
        dx (float, optional): the spacing when ``x`` is not given. Default: 1.
        dim (int): the dimension to integrate along. Default: -1.

    Example::

        >>> import autograd_core as ag
        >>> ag.cumulative_trapezoid(ag.tensor([1, 5, 10]))
        tensor([ 3.0000, 10.5000])
    """
    x, dx = _points_or_spacing("cumulative_trapezoid", x, dx)
    if y._data.dtype.kind == "b":
        raise RuntimeError("cumulative_trapezoid: received a bool input for `y`, but bool is "
                           "not supported")
    if y.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = _args.norm_dim(dim, y.ndim, "cumulative_trapezoid")
    return _trapezoid_areas("cumulative_trapezoid", y, x, dx, d).cumsum(d)


def _gradient_sample(a, b=None):
    n = a.shape[-1]
    if n < 3:
        return a * 2.0
    if b is None:
        return gradient(a, spacing=0.5, dim=-1, edge_order=2)[0]
    coordinates = b.reshape(-1)[:n].exp().cumsum(0) if b.numel() >= n else None
    if coordinates is None:
        return a * 2.0
    return gradient(a, spacing=(coordinates,), dim=-1)[0]


@op("gradient", samples=[
    Sample("gradient", lambda a: _gradient_sample(a), min_ndim=1),
    Sample("gradient_coordinates", lambda a, b: _gradient_sample(a, b), 2, min_ndim=1)])
def gradient(input: Tensor, *, spacing: Any = 1, dim: Any = None,
             edge_order: builtins.int = 1) -> tuple[Tensor, ...]:
    """Estimate the derivative of the function sampled in ``input`` along each dimension (or
    ``dim``'s): central differences inside, one-sided ones of order ``edge_order`` at the
    ends, as ``numpy.gradient``.

    Args:
        input (Tensor): the samples (at least ``edge_order + 1`` along each dimension used).
        spacing (number, list of numbers or tuple of 1-d Tensors): the distance between
            samples (one per dimension used, or one for all), or the sample coordinates along
            each dimension. Default: 1.
        dim (int or list of int, optional): the dimensions. Default: all.
        edge_order (int): 1 or 2. Default: 1.

    Returns:
        tuple of Tensor: one derivative per dimension, each of ``input``'s shape.

    Example::

        >>> import autograd_core as ag
        >>> ag.gradient(ag.tensor([1.0, 4.0, 9.0, 16.0]))
        (tensor([3., 4., 6., 7.]),)
        >>> ag.gradient(ag.tensor([1.0, 4.0, 9.0, 16.0]), spacing=(ag.tensor([0.0, 1.0, 3.0, 4.0]),))
        (tensor([3.0000, 2.8333, 5.5000, 7.0000]),)
    """
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if dim is None:
        dims = list(range(input.ndim))
    elif isinstance(dim, (int, np.integer)):
        dims = [_args.norm_dim(dim, input.ndim, "gradient")]
    else:
        dims = [_args.norm_dim(d, input.ndim, "gradient") for d in dim]
        for d in dims:
            if dims.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if isinstance(spacing, (list, tuple)):
        if dim is None and len(spacing) != input.ndim:
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or "
                               f"a list of length equal to 'self.dim() = {input.ndim}', since "
                               f"dim argument was not given, but got a list of length "
                               f"{len(spacing)}")
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or "
                               f"it's spacing and dim arguments to have the same length, but "
                               f"got a spacing argument of length {len(spacing)} and a dim "
                               f"argument of length {len(dims)}.")
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    return tuple(_gradient_along(input, d, h, edge_order) for d, h in zip(dims, spacings))


def _gradient_along(f, d, h, edge_order):
    """ATen's gradient along ``d``: ``h`` a number (uniform spacing) or the 1-d coordinates."""
    n = f.shape[d]

    def part(start, stop):
        return f.narrow(d, start, stop - start)

    if not isinstance(h, Tensor):
        center = (part(2, n) - part(0, n - 2)) / h
        if edge_order == 1:
            first = (part(1, 2) - part(0, 1)) / h
            last = (part(n - 1, n) - part(n - 2, n - 1)) / h
        else:
            first = (part(0, 1) * -1.5 + part(1, 2) * 2 - part(2, 3) * 0.5) / h
            last = (part(n - 3, n - 2) * 0.5 - part(n - 2, n - 1) * 2 + part(n - 1, n) * 1.5) / h
        return cat([first, center / 2, last], dim=d)
    if h.ndim != 1 or h.shape[0] != n:
        raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and "
                           f"of size {n} along dimension {d}, but got coordinates of shape "
                           f"{list(h.shape)}")
    step = h.diff()
    shape = [1] * f.ndim
    shape[d] = n - 2
    dx1, dx2 = step[:-1], step[1:]
    a = reshape(-dx2 / (dx1 * (dx1 + dx2)), tuple(shape))
    b = reshape((dx2 - dx1) / (dx1 * dx2), tuple(shape))
    c = reshape(dx1 / (dx2 * (dx1 + dx2)), tuple(shape))
    center = a * part(0, n - 2) + b * part(1, n - 1) + c * part(2, n)
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / step[0]
        last = (part(n - 1, n) - part(n - 2, n - 1)) / step[-1]
    else:
        s0, s1 = step[0], step[1]
        first = (part(0, 1) * (-(2.0 * s0 + s1) / (s0 * (s0 + s1)))
                 + part(1, 2) * ((s0 + s1) / (s0 * s1))
                 + part(2, 3) * (-s0 / (s1 * (s0 + s1))))
        s1, s2 = step[-1], step[-2]
        last = (part(n - 3, n - 2) * (s1 / (s2 * (s1 + s2)))
                + part(n - 2, n - 1) * (-(s1 + s2) / (s1 * s2))
                + part(n - 1, n) * ((2 * s1 + s2) / (s1 * (s1 + s2))))
    return cat([first, center, last], dim=d)


@op("vander", samples=[Sample("vander", lambda a: vander(a.reshape(-1), 3))])
def vander(x: Tensor, N: builtins.int | None = None,
           increasing: builtins.bool = False) -> Tensor:
    """Return the Vandermonde matrix of the 1-d ``x``: columns ``x ** (N - 1), ..., x ** 0``
    (reversed with ``increasing=True``).

    Args:
        x (Tensor): the 1-d input.
        N (int, optional): the number of columns. Default: ``len(x)``.
        increasing (bool): powers increasing left to right. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.vander(ag.tensor([1, 2, 3]))
        tensor([[1, 1, 1],
                [4, 2, 1],
                [9, 3, 1]])
    """
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x.dtype.kind in "biu":  # PyTorch computes integer powers in int64
        x = x.long()
    cols = []
    col = x * 0 + 1  # powers built by products: no 0 ** -1 in the gradient
    for _ in range(n):
        cols.append(col)
        col = col * x
    if not cols:
        return reshape(x, (-1, 1))[:, :0]
    out = stack(cols, dim=1)
    return out if increasing else out.flip(1)


@op("msort", method=True, samples=(), reads_values=True)  # sort's order: gradients tested against torch
def msort(input: Tensor) -> Tensor:
    """Return ``input`` sorted along its first dimension (ascending): ``sort(input, dim=0)``'s
    values.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.msort(ag.tensor([[3, 1], [2, 4]]))
        tensor([[2, 1],
                [3, 4]])
    """
    return sort(input, dim=0).values


# ---- integer functions (never differentiable) -------------------------------------------------

def _in_integer_dtype(kernel, fn, bools=True):
    """``fn`` (a numpy ufunc) on PyTorch's promotion of its two operands, refused as ATen's
    ``kernel`` when that dtype is floating or complex (or bool, without ``bools``). The promoted
    dtype decides, as ATen's: a bool tensor with an int64 one runs in int64, a 0-d or Python
    integer does not widen an n-d integer tensor (numpy's own promotion would), and a Python
    integer wraps into the dtype (``uint8 & -2``)."""

    def kernel_fn(a, b):
        dt = result_type(a, b)
        if dt.kind in "fc" or (dt.kind == "b" and not bools):
            raise _args.not_implemented(kernel, dt)
        return fn(np.asarray(a).astype(dt, copy=False), np.asarray(b).astype(dt, copy=False))

    return kernel_fn


def _integer_op(name, fn, example, call, bools=True, what=""):
    kernel = _in_integer_dtype(f"{name}_cpu", fn, bools)

    def integer(input: Any, other: Any) -> Tensor:
        return _binary_values(name, kernel, input, other)

    integer.__name__ = integer.__qualname__ = name
    integer.__doc__ = (
        f"Return the elementwise {what} of ``input`` and ``other`` (integer"
        f"{' or bool' if bools else ''} tensors; they broadcast). Not differentiable.\n\n"
        "Args:\n    input (Tensor): the first operand.\n    other (Tensor or int): the second "
        "operand.\n\nExample::\n\n    >>> import autograd_core as ag\n"
        f"    >>> ag.{name}({call})\n    {example}\n")
    return op(name, method=True, samples=(), elementwise=True)(integer)


gcd = _integer_op("gcd", np.gcd, "tensor([3, 1, 4])",
                  "ag.tensor([6, 5, 8]), ag.tensor([9, 3, 12])", False, "greatest common divisor")
def _lcm(a, b):
    """ATen's ``lcm``: ``|a / gcd * b|`` (0 where the gcd is), in C's arithmetic: int8/int16/
    uint8 in int (no wrap until the result is stored), int32 and int64 wrapping before the
    absolute value (numpy's lcm of int32 max and 4 is -4, PyTorch's 4)."""
    g = np.gcd(a, b)
    dt = g.dtype
    work = np.int32 if dt.itemsize < 4 else dt
    a, b, g = (np.asarray(v).astype(work) for v in (a, b, g))
    return np.where(g == 0, 0, np.abs(a // np.where(g == 0, 1, g) * b)).astype(dt)


lcm = _integer_op("lcm", _lcm, "tensor([18, 15, 24])",
                  "ag.tensor([6, 5, 8]), ag.tensor([9, 3, 12])", False, "least common multiple")
bitwise_and = _integer_op("bitwise_and", np.bitwise_and, "tensor([1, 0, 3])",
                          "ag.tensor([3, 4, 7]), ag.tensor([5, 3, 3])", what="bitwise AND")
bitwise_or = _integer_op("bitwise_or", np.bitwise_or, "tensor([7, 7, 7])",
                         "ag.tensor([3, 4, 7]), ag.tensor([5, 3, 3])", what="bitwise OR")
bitwise_xor = _integer_op("bitwise_xor", np.bitwise_xor, "tensor([6, 7, 4])",
                          "ag.tensor([3, 4, 7]), ag.tensor([5, 3, 3])", what="bitwise XOR")


def _shift(left):
    """ATen's shift on arrays and numbers: both in the promoted integer dtype (a shift amount
    wraps into it, as ATen casts it), and a shift that is negative or not below the dtype's
    width gives 0 (left, and right of a non-negative value) or -1 (right of a negative one)
    instead of C's undefined behaviour."""
    kernel = "lshift_cpu" if left else "rshift_cpu"

    def shift(a, b):
        dt = result_type(a, b)
        if dt.kind not in "iu":
            raise _args.not_implemented(kernel, dt)
        x = np.asarray(a).astype(dt, copy=False)
        s = np.asarray(b).astype(dt)
        fits = (s >= 0) & (s < dt.itemsize * 8)
        s = np.where(fits, s, 0).astype(dt, copy=False)
        if left:
            return np.where(fits, np.left_shift(x, s), 0).astype(dt, copy=False)
        beyond = np.where(x < 0, -1, 0) if dt.kind == "i" else 0
        return np.where(fits, np.right_shift(x, s), beyond).astype(dt, copy=False)

    return shift


_LSHIFT, _RSHIFT = _shift(True), _shift(False)


@op("bitwise_left_shift", method=True, samples=(), elementwise=True)
def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """Shift the bits of integer ``input`` left by ``other`` (they broadcast and promote as
    arithmetic does). Not differentiable; also ``input << other``.

    As PyTorch's: a shift that is negative or at least the dtype's width gives 0, and the
    result wraps in the dtype (``int8`` ``64 << 1`` is ``-128``).

    Args:
        input (Tensor or int): the value shifted.
        other (Tensor or int): the number of bits.

    Example::

        >>> import autograd_core as ag
        >>> ag.bitwise_left_shift(ag.tensor([1, -3, 64], dtype=ag.int8), 1)
        tensor([   2,   -6, -128], dtype=autograd_core.int8)
        >>> ag.tensor([1, 5]) << 64
        tensor([0, 0])
    """
    return _binary_values("bitwise_left_shift", _LSHIFT, input, other)


@op("bitwise_right_shift", method=True, samples=(), elementwise=True)
def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """Shift the bits of integer ``input`` right by ``other``, arithmetically (the sign is
    kept). Not differentiable; also ``input >> other``.

    As PyTorch's: a shift that is negative or at least the dtype's width gives 0 for a
    non-negative value and -1 for a negative one.

    Args:
        input (Tensor or int): the value shifted.
        other (Tensor or int): the number of bits.

    Example::

        >>> import autograd_core as ag
        >>> ag.bitwise_right_shift(ag.tensor([16, -16, 5]), ag.tensor([2, 2, 64]))
        tensor([ 4, -4,  0])
    """
    return _binary_values("bitwise_right_shift", _RSHIFT, input, other)


# ---- frexp, ldexp, nextafter ------------------------------------------------------------------

FrexpResult = namedtuple("frexp", ["mantissa", "exponent"])  # type: ignore[name-match]


@op("frexp", method=True, reads_values=True,  # the exponent, found in numpy, scales the input
    samples=[Sample("frexp", lambda a: frexp(a).mantissa * 2.0)])
def frexp(input: Tensor) -> Any:
    """Split each element of floating-point ``input`` into ``mantissa * 2 ** exponent``, the
    mantissa in ``[0.5, 1)`` in magnitude (0, inf and NaN are their own mantissa, exponent 0).

    Returns a named tuple ``(mantissa, exponent)``, the exponent int32. The mantissa's
    gradient is ``g / 2 ** exponent``, as PyTorch's.

    Args:
        input (Tensor): a floating-point tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.frexp(ag.tensor([8.0, -3.0, 0.25]))
        frexp(mantissa=tensor([ 0.5000, -0.7500,  0.5000]), exponent=tensor([ 4,  2, -1], dtype=autograd_core.int32))
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    exponent = np.frexp(input._data)[1].astype(np.int32)
    # input * 2 ** -exponent in two exact power-of-two steps (one factor would overflow for a
    # subnormal input: float32's 1e-40 needs 2 ** 132)
    half = exponent // 2
    one = np.ones((), input._data.dtype)
    mantissa = input * xp._const_like(np.ldexp(one, -half), input._data)
    mantissa = mantissa * xp._const_like(np.ldexp(one, half - exponent), input._data)
    return FrexpResult(mantissa, Tensor._wrap(exponent))


class Ldexp(Node):
    """``x * 2 ** n`` for integer exponents ``n``, exact (numpy's ``ldexp``: no ``2 ** n``
    that overflows or underflows on its own) in the result dtype; none to ``n``."""

    def forward(self, x, n, dtype):
        self.save_for_backward(np.asarray(n))
        return np.asarray(np.ldexp(np.asarray(x, dtype), n))

    def backward(self, g):
        (n,) = self.saved
        if isinstance(g, Tensor):  # create_graph: the same (linear) op, recorded
            return ldexp(g, Tensor._wrap(n)), None
        return np.ldexp(g, n), None


@op("ldexp", method=True, samples=[
    Sample("ldexp", lambda a, b: ldexp(a, b), 2, broadcasts=True)])
def ldexp(input: Any, other: Any) -> Tensor:
    """Return ``input * 2 ** other`` elementwise, in the floating dtype ``input`` and
    ``other`` promote to (the default dtype for two integer tensors), as PyTorch's.

    Integer exponents scale exactly (``ldexp(float64 1, 200)`` is ``2 ** 200`` even where
    ``2 ** other`` alone would overflow the dtype); floating exponents compute ``pow(2,
    other)`` in the result dtype, then the product (with their gradients).

    Args:
        input (Tensor): the values.
        other (Tensor): the exponents.

    Example::

        >>> import autograd_core as ag
        >>> ag.ldexp(ag.tensor([1.0, 3.0]), ag.tensor([3, -1]))
        tensor([8.0000, 1.5000])
    """
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        dt = result_type(input._data, other._data)
        if dt.kind in "biu":
            dt = DEFAULT_DTYPE[0]
        if dt.kind == "f" and input._data.dtype.kind == "f":
            if other._data.dtype.kind in "biu":
                return Ldexp.apply(input, other, dtype=dt)
            return mul(input.to(dt), _pow(2.0, other.to(dt)))
    # PyTorch's input * pow(2.0, other): an integer input times a power that overflowed is
    # NaN at 0 (ldexp(int16 0, 200)), as there
    return mul(input, _pow(2.0, other))


class Nextafter(Node):
    """numpy's ``nextafter``; as PyTorch 2.13 computes its gradient: ``g`` to ``input`` where
    ``input != other`` (0 where they are equal, the result being ``other``), none to
    ``other``."""

    def forward(self, a, b):
        a, b = _promote(a, b)
        dt = np.result_type(a, b)
        if dt.kind != "f":
            raise _args.not_implemented("nextafter_cpu", dt)
        try:
            y = np.asarray(np.nextafter(a, b))
        except ValueError:
            raise _broadcast_error("nextafter", a, b) from None
        self.save_for_backward(np.asarray(a != b))
        return y

    def backward(self, g):
        (moves,) = self.saved
        zero = xp.zeros_like(g)
        return xp.where(moves, g, zero), zero


@op("nextafter", node=Nextafter, method=True, samples=[
    Sample("nextafter", lambda a, b: nextafter(a, b) * 2.0, 2, broadcasts=True, twice=False)])
def nextafter(input: Any, other: Any) -> Tensor:
    """Return the next floating-point value after ``input`` towards ``other``, elementwise
    (floating-point tensors; they broadcast).

    Args:
        input (Tensor): the starting values.
        other (Tensor): the direction.

    Example::

        >>> import autograd_core as ag
        >>> ag.nextafter(ag.tensor([1.0], dtype=ag.float64), ag.tensor([2.0], dtype=ag.float64)) - 1
        tensor([2.2204e-16], dtype=autograd_core.float64)
    """
    return Nextafter.apply(input, other)


@op("bitwise_not", method=True, samples=())
def bitwise_not(input: Tensor) -> Tensor:
    """Return the bitwise NOT of an integer or bool tensor (logical NOT for bools).
    Not differentiable.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.bitwise_not(ag.tensor([0, 5, -1]))
        tensor([-1, -6,  0])
    """
    if input._data.dtype.kind in "fc":
        raise _args.not_implemented("bitwise_not_cpu", input._data.dtype)
    return apply_nondifferentiable(Elementwise, input, fn=np.invert)


def _bincount(x, w, minlength):
    out = np.bincount(x, None if w.size == 0 else w, minlength)
    if w.size == 0:
        return out
    return out.astype(np.float32 if w.dtype == np.float32 else np.float64)


@op("bincount", method=True, samples=(), reads_values=True)  # its length is max(input) + 1
def bincount(input: Tensor, weights: Tensor | None = None,
             minlength: builtins.int = 0) -> Tensor:
    """Count the occurrences of each value ``0 .. max(input)`` in the 1-d non-negative integer
    ``input`` (summing ``weights`` instead of ones when given). Not differentiable.

    The result has ``max(max(input) + 1, minlength)`` entries: int64 counts, or the weights'
    float type (float32 stays float32, others give float64), as in PyTorch.

    Args:
        input (Tensor): 1-d non-negative integers.
        weights (Tensor, optional): one weight per element of ``input``.
        minlength (int): the minimum number of bins. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.bincount(ag.tensor([0, 2, 2, 5]))
        tensor([1, 0, 2, 0, 0, 1])
    """
    x = input._data
    if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != x.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    w = weights if weights is not None else xp.constant(np.zeros(0))
    return apply_nondifferentiable(Elementwise, input, fn=functools.partial(
        _bincount, w=w._data, minlength=minlength))


@op("unique_consecutive", method=True, samples=(), reads_values=True)
def unique_consecutive(input: Tensor, return_inverse: builtins.bool = False,
                       return_counts: builtins.bool = False,
                       dim: builtins.int | None = None) -> Any:
    """Collapse each run of equal consecutive elements of ``input`` (flattened, or slices along
    ``dim``) to one; optionally also return each element's run index and the run lengths.
    Not differentiable.

    Args:
        input (Tensor): the input tensor.
        return_inverse (bool): also return, per element, the index of its run. Default: False.
        return_counts (bool): also return the length of each run. Default: False.
        dim (int, optional): compare slices along this dimension; None flattens. Default: None.

    Example::

        >>> import autograd_core as ag
        >>> ag.unique_consecutive(ag.tensor([1, 1, 2, 2, 3, 1, 1]), return_counts=True)
        (tensor([1, 2, 3, 1]), tensor([2, 2, 1, 2]))
    """
    _args.no_complex(input, "unique")
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        starts = np.ones(flat.shape[0], dtype=bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse_shape = x.shape
    else:
        d = _args.norm_dim(dim, x.ndim, "unique_consecutive")
        starts = np.ones(x.shape[d], dtype=bool)
        if not _args.unique_dim_empty(x.shape, d):
            moved = np.moveaxis(x, d, 0).reshape(x.shape[d], -1)
            starts[1:] = (moved[1:] != moved[:-1]).any(axis=1)
        values = np.compress(starts, x, axis=d)
        inverse_shape = (x.shape[d],)
    run = np.cumsum(starts) - 1
    out = [NoDerivative.apply(input, np.ascontiguousarray(values), what="unique_consecutive",
                              node="UniqueConsecutiveBackward0")]
    if return_inverse:
        out.append(Tensor._make(run.reshape(inverse_shape).astype(np.int64), None, False))
    if return_counts:
        counts = np.diff(np.append(np.flatnonzero(starts), starts.shape[0])).astype(np.int64)
        out.append(Tensor._make(counts, None, False))
    return out[0] if len(out) == 1 else tuple(out)


def _unravel(indices, shape):
    size = int(np.prod(shape))
    return np.stack(np.unravel_index(indices % size if size else indices, shape))


@op("unravel_index", samples=())
def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """Convert flat indices into a tensor of ``shape`` to one index tensor per dimension
    (row-major). Not differentiable.

    Args:
        indices (Tensor or int): flat indices (integers).
        shape (int or sequence of int): the shape they index into.

    Example::

        >>> import autograd_core as ag
        >>> ag.unravel_index(ag.tensor([4, 5]), (2, 3))
        (tensor([1, 1]), tensor([1, 2]))
    """
    t = indices if isinstance(indices, Tensor) else Tensor._make(np.asarray(indices), None,
                                                                 False)
    if t.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got "
                        f"{_torch_dtype_name(t.dtype)}")
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(d < 0 for d in dims):
        raise ValueError("'shape' cannot have negative values, but got "
                         f"{tuple(dims)}")
    stacked = apply_nondifferentiable(Elementwise, t, fn=functools.partial(_unravel,
                                                                           shape=dims))
    return tuple(stacked.unbind(0))


def _torch_dtype_name(dt):
    return f"torch.{np.dtype(dt.dtype if hasattr(dt, 'dtype') else dt).name}"


# ---- the older linear-algebra names -------------------------------------------------------------

@op("cholesky", method=True, samples=())  # its samples are linalg.cholesky's
def cholesky(input: Tensor, upper: builtins.bool = False) -> Tensor:
    """PyTorch's older ``torch.cholesky``: the Cholesky factor of a symmetric positive-definite
    matrix (or batch), lower triangular, or upper with ``upper=True``.
    ``autograd_core.linalg.cholesky`` is the current name.

    Args:
        input (Tensor): ``(*, n, n)`` symmetric positive-definite matrices.
        upper (bool): return the upper factor. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.cholesky(ag.tensor([[4.0, 2.0], [2.0, 2.0]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    return _linalg_cholesky(input, upper=upper)


# ---- nanmedian ----------------------------------------------------------------------------------

NanmedianResult = namedtuple("nanmedian", ["values", "indices"])  # type: ignore[name-match]


@op("nanmedian", reads_values=True, method=True, samples=())  # tested against torch
def nanmedian(input: Tensor, dim: builtins.int | None = None,
              keepdim: builtins.bool = False) -> Any:
    """Return the median of ``input`` ignoring NaN (the lower middle value of the non-NaN
    ones); with ``dim``, the named tuple ``(values, indices)`` along it. A slice of NaN only
    gives NaN. The gradient reaches the selected elements.

    Args:
        input (Tensor): the input tensor.
        dim (int, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> nan = float('nan')
        >>> x = ag.tensor([[1.0, nan, 3.0, 2.0], [5.0, 1.0, nan, nan]])
        >>> ag.nanmedian(x)
        tensor(2.)
        >>> x.nanmedian(1)
        nanmedian(values=tensor([2., 1.]), indices=tensor([3, 1]))
    """
    _args.no_complex(input, "median_cpu" if dim is None else "median_out")
    if dim is None:
        if input.numel() == 0:
            return input.sum() * float("nan")
        return EvenlySpread.apply(input, value=nanmedian(input.reshape(-1), 0).values._data)
    x = input._data
    if x.ndim == 0:
        _args.norm_dim(dim, 0, "nanmedian")
        return NanmedianResult(input * 1, Tensor._make(np.zeros((), np.int64), None, False))
    d = _args.norm_dim(dim, x.ndim, "nanmedian")
    if x.shape[d] == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    count = (~np.isnan(x)).sum(axis=d, keepdims=True) if x.dtype.kind == "f" else np.full(
        x.shape[:d] + (1,) + x.shape[d + 1:], x.shape[d])
    k = np.maximum((count - 1) // 2, 0)
    idx = np.take_along_axis(_order(x, d, False), k, axis=d).astype(np.int64)
    values = Gather.apply(input, index=idx, dim=d)
    if not keepdim:
        values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
    return NanmedianResult(values, Tensor._make(idx, None, False))
