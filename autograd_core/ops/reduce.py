"""Reductions (with ``dim`` tuples and ``keepdim``) and the stable softmax family."""

from __future__ import annotations

import builtins
import math
from typing import Any, Sequence
from collections import namedtuple

import numpy as np

from autograd_core._quiet import ignoring
from autograd_core.kernels import pointwise
from autograd_core.kernels import softmax as SK
from autograd_core.kernels.sumsq import sumsq_rows
from autograd_core.node import HOLOMORPHIC, LINEAR, Node, apply_nondifferentiable
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.registry import DECLS, Sample, op, warn_caller
from autograd_core.ops.scatter import GatherAt
from autograd_core.ops.unary import _pow_scalar
from autograd_core.tensor import DEFAULT_DTYPE, DTypeLike, Tensor


def _keep_shape(shape, dims):
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _reduced_shape(shape, dims):
    """``shape`` without the reduced ``dims`` (all of them when None)."""
    return tuple(s for i, s in enumerate(shape) if dims is not None and i not in dims)


def _count(shape, dims):
    if dims is None:
        return math.prod(shape)  # (np.prod of a tuple costs ~3 us: numpy's Python wrapper)
    return math.prod([shape[d] for d in dims])


class _Reduction(Node):
    def _setup(self, x, dim, keepdim):
        self.in_shape = x.shape
        self.dim = dim
        self.keepdim = keepdim

    def _expand(self, g):
        """Gradient of the reduced result, broadcast back over the input's shape."""
        return xp.broadcast_to(g.reshape(_keep_shape(self.in_shape, self.dim)), self.in_shape)


def _overload(node, base):
    """PyTorch's node of a reduction: ``SumBackward0`` over everything, ``SumBackward1`` over
    given dims (its ``sum.dim_IntList`` overload)."""
    return f"{base}Backward{0 if node.dim is None else 1}"


class Sum(_Reduction):
    complex_backward = LINEAR

    def name(self):
        return _overload(self, "Sum")

    def forward(self, x, dim, keepdim):
        self.in_shape = x.shape
        self.dim = dim
        if x.dtype.kind == "u" and x.dtype.itemsize < 8:  # numpy's uint64; PyTorch's int64
            return x.sum(axis=dim, keepdims=keepdim, dtype=np.int64)
        return xp.fsum(x, dim, keepdim)

    def backward(self, g):
        return (self._expand(g),)


class Mean(_Reduction):
    complex_backward = LINEAR

    def name(self):
        return _overload(self, "Mean")

    def forward(self, x, dim, keepdim):
        self._setup(x, dim, keepdim)
        if x.dtype.kind not in "fc":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                               "a floating point or complex dtype. Got: "
                               f"{_args.torch_name(x.dtype)}")
        self.n = _count(x.shape, dim)
        if self.n == 0:  # NaN (0 / 0), without numpy's "Mean of empty slice", as PyTorch
            return np.sum(x, axis=dim, keepdims=keepdim) / 0.0
        y = _trailing_means(x, dim, keepdim, self.n)
        return xp.fmean(x, dim, keepdim) if y is None else y

    def backward(self, g):
        return (self._expand(g / self.n),)


def _trailing_means(x, dim, keepdim, n):
    """``np.mean`` over trailing axes of a C-contiguous float32/float64 ``x`` with leading ones
    left, by ``pointwise.row_means`` (numpy's bits, one loop: a global average pool
    ``x.mean((2, 3))`` of (32, 512, 7, 7) 3x faster), or None."""
    nd = x.ndim
    if dim is None or not 8 <= n <= 128 or x.dtype not in (np.float32, np.float64) \
            or not x.flags.c_contiguous:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    k = len(dims)
    if not 0 < k < nd or any(type(d) is not int or not -nd <= d < nd for d in dims) \
            or sorted(d % nd for d in dims) != list(range(nd - k, nd)):
        return None
    return pointwise.row_means(x.reshape(-1, n)).reshape(
        x.shape[:nd - k] + ((1,) * k if keepdim else ()))


class Var(_Reduction):
    """Variance with Bessel's ``correction`` (1 by default, as torch.var). float32 and float16
    inputs are summed in float64, as PyTorch's CPU kernel accumulates them (the same rounded
    result; summed in float32, half of them were an ulp or more away). ``wide``: keep the
    float64 variance (``std`` takes its square root before rounding: a variance beyond
    float32's range can have a standard deviation within it)."""

    def forward(self, x, dim, keepdim, correction, wide=False):
        if x.dtype.kind not in "fc":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        self._setup(x, dim, keepdim)
        n = _count(x.shape, dim)
        self.dof = n - correction  # (negative too: the gradient over given dims scales by it)
        self.denom = builtins.max(self.dof, 0)
        self.save_for_backward(x)
        acc = np.float64 if x.dtype.kind == "f" and x.dtype.itemsize < 8 else None
        if self.denom:
            v = ignoring(np.var, x, axis=dim, keepdims=keepdim, ddof=correction, dtype=acc)
        else:
            # no degrees of freedom: the sum of squares / 0 (inf, NaN where it is 0 or the
            # slice is empty), without numpy's warnings (``var``/``std`` warn PyTorch's); a
            # complex x's is PyTorch's var(x.real) + var(x.imag): NaN when either part is
            # constant (0 / 0), as a real one
            with np.errstate(all="ignore"):  # (a rare path: a warnings-recording context,
                # such as pytest.warns, would record numpy's warning despite the filter)
                if not n:
                    v = np.sum(np.abs(x), axis=dim, keepdims=keepdim, dtype=acc) / 0.0
                else:
                    parts = (x.real, x.imag) if x.dtype.kind == "c" else (x,)
                    v = builtins.sum(np.var(p, axis=dim, keepdims=keepdim, dtype=acc) / 0.0
                            for p in parts)
        return v if acc is None or wide else np.asarray(v.astype(x.dtype))

    def backward(self, g):
        x = self.saved[0]  # (std_mean saves its result after it)
        if self.dof <= 0 and (self.dim is None or not self.in_shape):
            return (self._no_dof_backward(g, x),)
        axis = self.dim if self.dim is not None else tuple(range(len(self.in_shape)))
        centred = x - x.mean(axis=axis, keepdims=True) if x.size else x
        # PyTorch's var_backward (2 / dof) * g * (x - mean), left to right (float16: each step
        # rounded); over given dims a dof <= 0 is used as it is: 2 / 0 = inf, 2 / -1 = -2
        scale = 2.0 / self.dof if self.dof else math.inf
        g = self._expand(g)
        if type(g) is np.ndarray and g.dtype != x.dtype and x.dtype.kind == "f":
            g = g.astype(x.dtype)  # std's float16/32: its wide variance's gradient, rounded
        return (xp._times(g, scale) * centred,)

    def _no_dof_backward(self, g, x):
        """PyTorch's gradient of a variance over all elements without degrees of freedom:
        ``g * inf``, ``g * NaN`` where ``x`` is its mean, whatever the sign of ``x - mean``
        (real for complex ``x``: ``inf + 0j``; the plain rule gave ``-inf`` where ``x`` is
        below its mean, and ``-inf + inf j`` for complex ``x``)."""
        xd = xp.data(x)
        with np.errstate(all="ignore"):
            at_mean = xd == xd.mean() if xd.size else np.zeros(xd.shape, bool)
        real = xd.real.dtype
        gx = self._expand(g) * np.where(at_mean, np.nan, np.inf).astype(real)
        if xd.dtype.kind == "c":
            gx = gx.to(xd.dtype) if isinstance(gx, Tensor) else gx.astype(xd.dtype)
        return gx

    # complex x: var is sum |x - mean|^2 / denom (real), whose gradient dL/dRe + i dL/dIm is
    # the real rule's 2 g (x - mean) / denom, as it stands
    complex_backward = backward


class AMax(_Reduction):
    """max/min over ``dim`` (all dims when None); ties share the gradient equally."""

    def name(self):  # max(x), min(x): max.default is PyTorch's MaxBackward1
        which = "Max" if self.is_max else "Min"
        return f"{which}Backward{1 if self.dim is None else 0}"

    _public = ("max", "min")  # the op names in messages: max's, min's

    def forward(self, x, dim, keepdim, is_max):
        self.is_max = is_max
        if x.dtype.kind == "c":  # numpy would order complex values lexicographically
            which = "max" if is_max else "min"
            raise NotImplementedError(f'"{which}_values_cpu" not implemented for '
                                      f"'{_args.torch_name(x.dtype)}'")
        self._setup(x, dim, keepdim)
        reduced = range(x.ndim) if dim is None else dim
        if x.size == 0 and (x.ndim == 0 or any(x.shape[d] == 0 for d in reduced)):
            raise RuntimeError(  # (amax/amin over given empty dims refuse before: IndexError)
                f"{self._public[not is_max]}(): Expected reduction dim to be specified for "
                "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        y = (np.max if is_max else np.min)(x, axis=dim, keepdims=True)
        if not keepdim:
            y = y.reshape(_reduced_shape(x.shape, dim))
        # PyTorch's node saves both too (the mask: in backward); the returned array itself, so
        # that an in-place change of the result is refused, not read as the maxima
        self.save_for_backward(x, y)
        return y

    def backward(self, g):
        x, y = (xp.data(t) for t in self.saved)
        y = y.reshape(_keep_shape(self.in_shape, self.dim))
        # ties share the gradient; a NaN result gets it from the NaN elements (PyTorch)
        mask = x == y
        if x.dtype.kind == "f" and np.isnan(y).any():
            mask |= np.isnan(x) & np.isnan(y)
        count = mask.sum(axis=self.dim, keepdims=True)
        return (xp.where(mask, self._expand(g) / count, 0.0),)


class AMaxDims(AMax):
    """``amax``/``amin``: AMax under PyTorch's names of their nodes."""

    _public = ("amax", "amin")

    def name(self):
        return "AmaxBackward0" if self.is_max else "AminBackward0"


MaxResult = namedtuple("max", ["values", "indices"])  # type: ignore[name-match]
MinResult = namedtuple("min", ["values", "indices"])  # type: ignore[name-match]


def max_min(x, dim, keepdim, is_max):
    """``max``/``min`` (``is_max`` picks which): of all elements, along ``dim`` with the
    indices, or elementwise against a Tensor ``dim`` (``maximum``/``minimum``)."""
    name = "max" if is_max else "min"
    if isinstance(dim, Tensor):
        return x.maximum(dim) if is_max else x.minimum(dim)
    if x._data.dtype.kind == "c":
        _args.no_complex(x, f"{name}_all",
                         None if dim is None else f"{name}(): does not support complex input")
    _args.refuse_complex("{name}(): does not support complex input", x, name=name)
    if dim is None:
        return AMax.apply(x, dim=None, keepdim=False, is_max=is_max)
    d = _args.norm_dim(dim, x.ndim, name)
    if x.ndim == 0:  # a 0-d tensor: its value, at index 0 (as PyTorch)
        values = AMax.apply(x, dim=(), keepdim=False, is_max=is_max)
        indices = xp.constant(np.zeros((), np.int64))
        return (MaxResult if is_max else MinResult)(values, indices)
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    # two ops, the indices an input of the gather: a captured step recomputes both
    indices = apply_nondifferentiable(ArgExtreme, x, fn=np.argmax if is_max else np.argmin,
                                      dim=d, keepdim=True)
    values = GatherAt.apply(x, indices, dim=d)
    if not keepdim:
        values = values.squeeze(d)
        indices = indices.squeeze(d)
    return (MaxResult if is_max else MinResult)(values, indices)


class ArgExtreme(Node):
    """``argmax``/``argmin`` as an op (not differentiable; run by ``apply_nondifferentiable``),
    so a captured step recomputes the indices at every replay."""

    def forward(self, x, fn, dim, keepdim):
        if dim is None:
            out = np.asarray(fn(x))
            if keepdim:
                out = out.reshape((1,) * x.ndim)
        else:
            out = fn(x, axis=dim, keepdims=keepdim)
        return np.asarray(out, dtype=np.int64)


def _arg_extreme(x, dim, keepdim, fn):
    _args.refuse_complex("{name}(): does not support complex input", x, name=fn.__name__)
    if dim is not None:
        dim = _args.norm_dim(dim, x.ndim, "argmax")
    if x._data.size == 0:  # PyTorch's IndexError (numpy's ValueError before)
        reduced = () if dim is None or not x.ndim else (dim,)
        if dim is None:
            raise IndexError(f"{fn.__name__}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        for d in reduced:
            if x.shape[d] == 0:
                raise IndexError(f"{fn.__name__}(): Expected reduction dim {d} to have "
                                 "non-zero size.")
    return apply_nondifferentiable(ArgExtreme, x, fn=fn, dim=dim, keepdim=keepdim)


def _stable_lse(x, axis):
    if x.size == 0:  # over an empty dim: log(0) = -inf, as PyTorch
        with np.errstate(divide="ignore"):
            return np.log(np.sum(np.exp(x), axis=axis, keepdims=True))
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0).astype(x.dtype, copy=False)
    with np.errstate(divide="ignore"):
        return m + np.log(xp.fsum(np.exp(x - m), axis, True))


class LogSumExp(_Reduction):
    complex_backward = HOLOMORPHIC
    def forward(self, x, dim, keepdim):
        self._setup(x, dim, keepdim)
        d = dim if not isinstance(dim, (tuple, list)) else dim[0] if len(dim) == 1 else None
        r = None if d is None or x.dtype != np.float32 else SK.rows(x, d)
        if r is not None:  # float32 over the last dim: the softmax row kernel's max and
            # log-sum (summed in float64; a float64 input keeps numpy's pairwise sum)
            m, ls = SK.logsumexp_rows(r)
            y = (m + ls).reshape(x.shape[:-1] + (1,))
        else:
            y = _stable_lse(x, dim)
        if not keepdim:
            y = y.reshape(_reduced_shape(x.shape, dim))
        self.save_for_backward(x, y)  # y is the output: connected under create_graph
        return y

    def backward(self, g):
        x, y = self.saved
        return (self._expand(g) * xp.exp(x - y.reshape(_keep_shape(self.in_shape, self.dim))),)


def _softmax_kernel(x, dim, name):
    """PyTorch's refusal of a softmax of a complex, integer or bool tensor, naming the kernel it
    would run."""
    last = "lastdim_" if dim == x.ndim - 1 or x.ndim == 0 else ""
    return _args.not_implemented(f"{name}_{last}kernel_impl", x.dtype)


def _rows_backward(node, g, kernel):
    """A (log-)softmax node's plain backward through the row ``kernel`` over its saved output,
    when ``dim`` is the last one (else the rule's numpy form)."""
    (y,) = node.saved
    r = SK.rows(y, node.dim)
    if r is None:
        return node.backward(g)
    g = SK.rows(np.asarray(g, dtype=y.dtype), node.dim)
    return (kernel(g, r, shape=y.shape),)


class Softmax(Node):
    def forward(self, x, dim):
        if x.dtype.kind != "f" and x.size:  # complex, integer, bool: PyTorch has no kernel
            raise _softmax_kernel(x, dim, "softmax")  # (an empty tensor runs none: returned)
        self.dim = dim
        if x.size == 0:
            y = np.empty_like(x)
            self.save_for_backward(y)
            return y
        r = SK.rows(x, dim)
        if r is not None:  # the last dim: the row kernel
            y = SK.softmax_rows(r, shape=x.shape)
        else:
            e = np.exp(x - np.max(x, axis=dim, keepdims=True))
            y = e / xp.fsum(e, dim, True)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        gy = g * y
        return (gy - y * gy.sum(axis=self.dim, keepdims=True),)

    def fused_backward(self, g):
        return _rows_backward(self, g, SK.softmax_backward_rows)


class LogSoftmax(Node):
    def forward(self, x, dim):
        if x.dtype.kind != "f" and x.size:  # complex, integer, bool: PyTorch has no kernel
            raise _softmax_kernel(x, dim, "log_softmax")  # (an empty tensor runs none)
        self.dim = dim
        # (x - max) - log(sum(exp(x - max))), not x - logsumexp(x): at float32 logits near
        # 3e38 the log term vanishes beside the max and x - lse would lose it (PyTorch's order)
        r = SK.rows(x, dim)
        if x.size == 0:
            y = x - _stable_lse(x, dim) if x.dtype.kind == "f" else np.empty_like(x)
        elif r is not None:  # the last dim: the row kernel
            y = SK.log_softmax_rows(r, shape=x.shape)
        else:
            m = np.max(x, axis=dim, keepdims=True)  # (a +inf max: NaN slice, as PyTorch's)
            m = np.where(m == -np.inf, 0.0, m).astype(x.dtype, copy=False)
            y = x - m
            with np.errstate(divide="ignore"):
                y -= np.log(xp.fsum(np.exp(y), dim, True))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g - xp.exp(y) * g.sum(axis=self.dim, keepdims=True),)

    def fused_backward(self, g):
        return _rows_backward(self, g, SK.log_softmax_backward_rows)


# ---- functional forms (and Tensor methods) ---------------------------------------------------


def _dim_last(x):
    return -1 if x.ndim else 0


@op("sum", node=Sum, method=True, samples=[
    Sample("sum", lambda a: a.sum()),
    Sample("sum_dim", lambda a: a.sum(dim=_dim_last(a), keepdim=True))])
def sum(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None = None,
        keepdim: builtins.bool = False, *,
        axis: builtins.int | Sequence[builtins.int] | None = None,
        keepdims: builtins.bool | None = None, dtype: DTypeLike | None = None) -> Tensor:  # noqa: A001
    """Return the sum of the elements of ``input``, over ``dim`` or over all of them.

    numpy's spellings ``axis=`` and ``keepdims=`` are accepted too, as in PyTorch.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all if None.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        dtype (dtype, optional): the dtype of the result; ``input`` is cast to it first.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.sum(x)
        tensor(10.)
        >>> x.sum(dim=0)
        tensor([4., 6.])
    """
    if dim is None and axis is None and keepdims is None and dtype is None:
        return Sum.apply(input, dim=None, keepdim=keepdim)
    dim, keepdim = _args.dims(dim, axis, keepdim, keepdims, input.ndim)
    if dtype is None:
        return Sum.apply(input, dim=dim, keepdim=keepdim)
    # PyTorch casts the input first (sum(x, dtype=int64) sums truncated values); an integer sum
    # in int64 cast back wraps as one in ``dtype`` would
    return Sum.apply(input.to(dtype), dim=dim, keepdim=keepdim).to(dtype)


@op("sum_to_size", method=True, function=False, samples=[
    Sample("sum_to_size", lambda a: a.sum_to_size((1,) + tuple(a.shape)[1:]), min_ndim=1)])
def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Sum this tensor down to ``size``, a shape that broadcasts to its shape: over the leading
    dimensions ``size`` lacks and, keeping them, over those where ``size`` has 1 (the gradient
    of a broadcast). The tensor itself when ``size`` is its shape.

    Args:
        *size (int... or tuple of int): the shape to sum to.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.ones(2, 3)
        >>> x.sum_to_size(3), x.sum_to_size(2, 1)
        (tensor([2., 2., 2.]), tensor([[3.],
                [3.]]))
    """
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    size = tuple(builtins.int(s) for s in size)
    shape = tuple(input.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[lead + i] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size)
                                      if s == 1 and shape[lead + i] != 1)
    if not dims:
        return input
    out = sum(input, dims, keepdim=True)
    return out.reshape(size) if lead else out


@op("mean", node=Mean, method=True, samples=[
    Sample("mean", lambda a: a.mean()),
    Sample("mean_dims", lambda a: a.mean(dim=tuple(range(a.ndim))[:2]))])
def mean(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None = None,
         keepdim: builtins.bool = False, *,
         axis: builtins.int | Sequence[builtins.int] | None = None,
         keepdims: builtins.bool | None = None, dtype: DTypeLike | None = None) -> Tensor:
    """Return the mean of the elements of ``input``, over ``dim`` or over all of them.

    Args:
        input (Tensor): the input tensor (floating point, or any with ``dtype``).
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all if None.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        dtype (dtype, optional): a floating point or complex dtype ``input`` is cast to
            first (``x.mean(dtype=ag.float64)`` of an integer tensor).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.mean(x)
        tensor(2.5000)
        >>> x.mean(dim=1)
        tensor([1.5000, 3.5000])
    """
    dim, keepdim = _args.dims(dim, axis, keepdim, keepdims, input.ndim)
    if dtype is not None:
        if np.dtype(dtype).kind not in "fc":
            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be "
                               "either a floating point or complex dtype. Got: "
                               f"{_args.torch_name(dtype)}")
        input = input.to(dtype)
    return Mean.apply(input, dim=dim, keepdim=keepdim)


@op("var", node=Var, method=True, samples=[
    Sample("var", lambda a: a.var(dim=_dim_last(a)), min_ndim=1, domain="min2")])
def var(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None = None,
        unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
        correction: builtins.int | None = None) -> Tensor:
    """Return the variance of the elements of ``input``, over ``dim`` or over all of them.

    By default Bessel's correction is applied (divide by ``N - 1``), as in PyTorch; numpy's
    default is ``correction=0``.

    Args:
        input (Tensor): the input tensor (floating point).
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all if None.
        unbiased (bool, optional): PyTorch's older spelling: False means ``correction=0``.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        correction (int, optional): subtract it from ``N`` in the divisor. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.var(x)
        tensor(1.6667)
        >>> x.var(dim=1, correction=0)
        tensor([0.2500, 0.2500])
    """
    dim, unbiased = _args.unbiased_in_dim(dim, unbiased)
    dim, keepdim = _args.dims(dim, None, keepdim, None, input.ndim)
    correction = _args.correction(unbiased, correction)
    _warn_no_dof("var", input, dim, correction)
    return Var.apply(input, dim=dim, keepdim=keepdim, correction=correction)


def _warn_no_dof(name, input, dim, correction):
    """PyTorch's warning (a UserWarning; numpy's is a RuntimeWarning, not given) when the
    reduced slices have no degrees of freedom left."""
    if _count(input.shape, dim) - correction <= 0:
        warn_caller(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                    "less than the reduction factor (input numel divided by output numel).")


class StdFromVar(Node):
    """sqrt of a variance, with PyTorch's std gradient: 0 where the std is 0 (a constant
    input), not the 0 * inf = NaN a plain sqrt would give."""

    _op_name = "std"  # the public op a refusal names (Node.op_name)

    _grad_fn = "StdBackward0"  # PyTorch's node name (printed in a result's repr)

    def forward(self, v, dtype=None):
        y = np.sqrt(v)
        if dtype is not None and y.dtype != dtype:  # Var's float64 variance of float32 input
            y = np.asarray(y.astype(dtype))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        zero = xp.data(y) == 0
        return (xp.where(zero, 0.0, g / (xp.where(zero, 1.0, y) * 2.0)),)


@op("std", node=Var, method=True, samples=[
    Sample("std", lambda a: a.std(), min_ndim=1, domain="min2")])
def std(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None = None,
        unbiased: builtins.bool | None = None, keepdim: builtins.bool = False, *,
        correction: builtins.int | None = None) -> Tensor:
    """Return the standard deviation of ``input``, over ``dim`` or over all elements.

    The square root of ``var`` (with Bessel's correction by default); its gradient is 0 where
    the result is 0, as in PyTorch.

    Args:
        input (Tensor): the input tensor (floating point).
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all if None.
        unbiased (bool, optional): PyTorch's older spelling: False means ``correction=0``.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        correction (int, optional): subtract it from ``N`` in the divisor. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.std(x)
        tensor(1.2910)
    """
    dim, unbiased = _args.unbiased_in_dim(dim, unbiased)
    dim, keepdim = _args.dims(dim, None, keepdim, None, input.ndim)
    correction = _args.correction(unbiased, correction)
    _warn_no_dof("std", input, dim, correction)
    dt = input._data.dtype  # a float32 input's variance stays float64 until its root
    return StdFromVar.apply(Var.apply(input, dim=dim, keepdim=keepdim, correction=correction,
                                      wide=True), dtype=dt if dt.kind == "f" else None)


@op("max", node=AMax, method=True, samples=[
    Sample("max", lambda a: a.max(), domain="distinct"),
    Sample("max_dim", lambda a: a.max(dim=-1).values, min_ndim=1, domain="distinct")])
def max(input: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Any:  # noqa: A001
    """Return the maximum of ``input``; with ``dim``, the maxima and their indices.

    ``max(input)`` is the largest element; ``max(input, dim)`` returns a named tuple
    ``(values, indices)``; ``max(input, other)`` with a Tensor is ``maximum``. The gradient
    goes to the chosen element (for the overall maximum, shared between ties, as in PyTorch).

    Args:
        input (Tensor): the input tensor.
        dim (int or Tensor, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.max(x)
        tensor(4.)
        >>> x.max(dim=1).values
        tensor([2., 4.])
    """
    return max_min(input, dim, keepdim, is_max=True)


@op("min", node=AMax, method=True, samples=[
    Sample("min", lambda a: a.min(), domain="distinct"),
    Sample("min_dim", lambda a: a.min(dim=0, keepdim=True).values, min_ndim=1,
           domain="distinct")])
def min(input: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Any:  # noqa: A001
    """Return the minimum of ``input``; with ``dim``, the minima and their indices.

    ``min(input, dim)`` returns a named tuple ``(values, indices)``; ``min(input, other)``
    with a Tensor is ``minimum``.

    Args:
        input (Tensor): the input tensor.
        dim (int or Tensor, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.min(x)
        tensor(1.)
        >>> x.min(dim=0).indices
        tensor([0, 0])
    """
    return max_min(input, dim, keepdim, is_max=False)


@op("amax", node=AMaxDims, method=True, samples=[
    Sample("amax", lambda a: a.amax(dim=_dim_last(a)), domain="distinct")])
def amax(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None = None,
         keepdim: builtins.bool = False) -> Tensor:
    """Return the maximum of ``input`` over ``dim`` (several dimensions allowed), values only.

    The gradient is shared equally between ties, as in PyTorch.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all if None.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.amax(x, dim=0)
        tensor([3., 4.])
    """
    if input._data.dtype.kind == "c":
        _args.no_complex(input, "max_values_cpu")
    _empty_dims("amax", input, dim)
    dim, keepdim = _args.dims(dim, None, keepdim, None, input.ndim)
    return AMaxDims.apply(input, dim=dim, keepdim=keepdim, is_max=True)


@op("amin", node=AMaxDims, method=True, samples=[
    Sample("amin", lambda a: a.amin(), domain="distinct")])
def amin(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None = None,
         keepdim: builtins.bool = False) -> Tensor:
    """Return the minimum of ``input`` over ``dim`` (several dimensions allowed), values only.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all if None.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.amin(x, dim=1)
        tensor([1., 3.])
    """
    if input._data.dtype.kind == "c":
        _args.no_complex(input, "min_values_cpu")
    _empty_dims("amin", input, dim)
    dim, keepdim = _args.dims(dim, None, keepdim, None, input.ndim)
    return AMaxDims.apply(input, dim=dim, keepdim=keepdim, is_max=False)


def _empty_dims(name, input, dim):
    """PyTorch's IndexError for ``amax``/``amin`` over a given dimension of size 0, naming it
    as given."""
    if input._data.size or dim is None or not input.ndim:
        return
    for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
        if input.shape[_args.norm_dim(d, input.ndim, name)] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


@op("argmax", method=True, samples=())
def argmax(input: Tensor, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
    """Return the index of the maximum of ``input`` (of the flattened tensor if ``dim`` is None).

    Args:
        input (Tensor): the input tensor.
        dim (int, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.argmax(x)
        tensor(3)
        >>> x.argmax(dim=1)
        tensor([1, 1])
    """
    if input._data.dtype.kind == "c":
        _args.no_complex(input, "", "argmax(): does not support complex input")
    return _arg_extreme(input, dim, keepdim, np.argmax)


@op("argmin", method=True, samples=())
def argmin(input: Tensor, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
    """Return the index of the minimum of ``input`` (of the flattened tensor if ``dim`` is None).

    Args:
        input (Tensor): the input tensor.
        dim (int, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.argmin(x, dim=0)
        tensor([0, 0])
    """
    if input._data.dtype.kind == "c":
        _args.no_complex(input, "", "argmin(): does not support complex input")
    return _arg_extreme(input, dim, keepdim, np.argmin)


@op("logsumexp", node=LogSumExp, method=True, grad_fn="LogsumexpBackward0", samples=[
    Sample("logsumexp", lambda a: a.logsumexp(dim=_dim_last(a)), min_ndim=1)])
def logsumexp(input: Tensor, dim: builtins.int | Sequence[builtins.int] | None,
              keepdim: builtins.bool = False) -> Tensor:
    """Return ``log(sum(exp(input)))`` over ``dim``, computed without overflow.

    Args:
        input (Tensor): the input tensor (floating point).
        dim (int or tuple of ints): the dimension(s) to reduce.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.logsumexp(ag.tensor([0.0, 0.0]), dim=0)
        tensor(0.6931)
        >>> ag.logsumexp(ag.tensor([1000.0, 1000.0]), dim=0)
        tensor(1000.6932)
    """
    dim, keepdim = _args.dims(dim, None, keepdim, None, input.ndim)
    if input.dtype.kind in "biu":  # integers and bool give the default dtype, as PyTorch's
        input = input.to(DEFAULT_DTYPE[0])
    return LogSumExp.apply(input, dim=dim, keepdim=keepdim)


@op("softmax", node=Softmax, method=True, opmath="grad", samples=[
    Sample("softmax", lambda a: a.softmax(dim=-1), min_ndim=1)])
def softmax(input: Tensor, dim: builtins.int, dtype: DTypeLike | None = None) -> Tensor:
    """Apply softmax along ``dim``: ``exp(x) / sum(exp(x))``, so each slice sums to 1.

    Args:
        input (Tensor): the input tensor (floating point).
        dim (int): the dimension along which to normalise.
        dtype (dtype, optional): cast ``input`` to this dtype first. Default: None.

    Example::

        >>> import autograd_core as ag
        >>> ag.softmax(ag.tensor([1.0, 2.0, 3.0]), dim=0)
        tensor([0.0900, 0.2447, 0.6652])
    """
    if dtype is not None:
        input = input.to(dtype)
    return Softmax.apply(input, dim=_args.axis(dim, input.ndim, "softmax"))


@op("log_softmax", node=LogSoftmax, method=True, opmath="grad", samples=[
    Sample("log_softmax", lambda a: a.log_softmax(dim=0), min_ndim=1)])
def log_softmax(input: Tensor, dim: builtins.int, dtype: DTypeLike | None = None) -> Tensor:
    """Apply log-softmax along ``dim``: ``x - logsumexp(x)``, stable where ``log(softmax(x))`` is not.

    Args:
        input (Tensor): the input tensor (floating point).
        dim (int): the dimension along which to normalise.
        dtype (dtype, optional): cast ``input`` to this dtype first. Default: None.

    Example::

        >>> import autograd_core as ag
        >>> ag.log_softmax(ag.tensor([1.0, 2.0, 3.0]), dim=0)
        tensor([-2.4076, -1.4076, -0.4076])
    """
    if dtype is not None:
        input = input.to(dtype)
    return LogSoftmax.apply(input, dim=_args.axis(dim, input.ndim, "log_softmax"))


def _last_dim_rows(x, dim):
    """``x`` as the (kept, reduced) matrix when reducing ``dim`` (all when None) is ATen's
    reduction over the last dimension (``is_reduce_lastdim``: a C-contiguous float32/float64
    array whose reduced dims, size-1 dims aside, follow all the kept ones); else None."""
    if type(x) is not np.ndarray or x.dtype.char not in "fd" or not x.size or \
            not x.flags.c_contiguous:
        return None
    if dim is None:
        return x.reshape(1, x.size)
    kept = [d for d in range(x.ndim) if d not in dim and x.shape[d] != 1]
    if kept and any(d < kept[-1] for d in dim if x.shape[d] != 1):
        return None
    n = math.prod(x.shape[d] for d in kept)
    return x.reshape(n, x.size // n)


class Norm(_Reduction):
    """The p-norm over ``dim`` (all dims when None), with PyTorch's gradients at the edges:
    0 where the norm is 0; for p = +-inf the gradient goes to the elements of extreme |x|
    (shared equally between ties); p = 0 (a count) has no gradient (None, PyTorch's
    undefined one: ``.grad`` stays None)."""

    def forward(self, x, p, dim, keepdim):
        self._setup(x, dim, keepdim)
        self.p = p
        # |x|, real for complex x: so is every norm (PyTorch's); the 2-norm of a real x needs
        # no such pass (x * x is the same)
        a = x if p == 2 and x.dtype.kind != "c" else np.abs(x)
        rows = _last_dim_rows(x, dim) if p == 2 else None
        if rows is not None:  # ATen's 2-norm of contiguous rows, in its order
            y = np.sqrt(sumsq_rows(rows)).reshape(_keep_shape(x.shape, dim))
        elif p == 2:
            y = np.sqrt(xp.fsum(a * a, dim, True))
        elif p == 1:
            y = xp.fsum(a, dim, True)
        elif p == math.inf or p == -math.inf:
            empty = [d for d in (range(x.ndim) if dim is None else dim) if x.shape[d] == 0]
            if empty:  # max/min have no identity: PyTorch refuses
                where = "an empty tensor because" if dim is None else \
                    f"the dimension {empty[0]} because this dimension is empty and"
                raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on {where} "
                                   "the operation does not have an identity")
            y = (np.max if p > 0 else np.min)(a, axis=dim, keepdims=True)
        elif p == 0:
            y = (x != 0).sum(axis=dim, keepdims=True).astype(a.dtype)
        else:
            y = xp.fsum(a ** p, dim, True) ** (1.0 / p)
        if not keepdim:
            y = y.reshape(_reduced_shape(x.shape, dim))
        self.save_for_backward(x, y)  # y is the output: connected under create_graph
        return y

    def backward(self, g):
        x, y = self.saved
        p = self.p
        yk = y.reshape(_keep_shape(self.in_shape, self.dim))
        gk = self._expand(g)
        zero = xp.data(yk) == 0
        safe = xp.where(zero, 1.0, yk)  # the gradient is 0 there; avoid 0/0
        if p == 2:  # PyTorch's norm_backward: g * (x / norm), 0 where the norm is 0
            return (xp.where(zero, 0.0, gk * (x / safe)),)
        sign = xp.real_sign(xp.data(x))
        if p == 1:  # of x through its sign (PyTorch's grad * x.sgn()): a zero derivative
            return (xp.depends_on(gk * sign, x),)
        if p == 0:
            return (None,)  # PyTorch's undefined gradient: .grad stays None
        if p == math.inf or p == -math.inf:
            hit = np.abs(xp.data(x)) == xp.data(yk)
            count = hit.sum(axis=self.dim, keepdims=True)
            return (xp.depends_on(xp.where(hit, gk * sign / count, 0.0), x),)
        ax = x * sign  # |x|, differentiable
        if p < 1:  # PyTorch's 0 where x == 0 (|x| ** (p - 1) is infinite there)
            x_zero = xp.data(x) == 0
            zero = zero | x_zero
            ax = xp.where(x_zero, 1.0, ax)
        # PyTorch's norm_backward: (x |x|^(p-2)) (g / norm^(p-1)) for p > 2, (sgn(x) |x|^(p-1))
        # (g / norm^(p-1)) for 1 < p < 2, (sgn(x) |x|^(p-1)) g norm^(1-p) below 1
        # (a power of an array as PyTorch's pow: -0.5 is 1 / sqrt, 3 two products)
        def pw(a, e):
            return a ** e if isinstance(a, Tensor) else _pow_scalar(a, e)

        if p > 2:
            return (xp.where(zero, 0.0, (x * pw(ax, p - 2)) * (gk / pw(safe, p - 1))),)
        if p > 1:
            return (xp.where(zero, 0.0, (sign * pw(ax, p - 1)) * (gk / pw(safe, p - 1))),)
        return (xp.where(zero, 0.0, (sign * pw(ax, p - 1)) * gk * pw(safe, 1 - p)),)

    def complex_backward(self, g):
        """Complex ``x``: the real rule with the phase ``sgn(x)`` for ``sign(x)`` and ``|x|``
        for ``x * sign(x)``, both recorded under create_graph (their derivatives are not zero
        for complex values). p = 2, 0 and +-inf: the real rule is right as it stands."""
        p = self.p
        if p in (2, 0, math.inf, -math.inf):
            return self.backward(g)
        x, y = self.saved
        yk = y.reshape(_keep_shape(self.in_shape, self.dim))
        zero = xp.data(yk) == 0
        if isinstance(x, Tensor):
            sgn, ax = x.sgn(), x.abs()
        else:
            sgn, ax = np.sign(x), np.abs(x)
        if p < 1:  # 0 where x == 0, as the real rule
            x_zero = xp.data(x) == 0
            zero = zero | x_zero
            ax = xp.where(x_zero, 1.0, ax)
        safe = xp.where(zero, 1.0, yk)
        return (xp.where(zero, 0.0, self._expand(g) * sgn * ax ** (p - 1) / safe ** (p - 1)),)



def matrix_dims(A: Tensor, dim: Any) -> tuple[builtins.int, builtins.int]:
    """``linalg.matrix_norm``'s checks of ``A`` and ``dim`` in PyTorch's words; the two dims,
    nonnegative."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                           + " ".join(str(d) for d in dims))
    d0, d1 = (_args.norm_dim(d, A.ndim, "linalg.matrix_norm") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def norm_into(out: Any, inputs: Sequence[Any], result: Any, name: str,
              matrix: builtins.bool = False, aten: str = "linalg_vector_norm") -> Tensor:
    """PyTorch's ``out=`` of the norms: refused when an input or ``out`` requires grad in grad
    mode (a vector norm's), ``out`` of exactly the norm's dtype (the real dtype of a complex
    input's; "Expected out tensor to have dtype float, but got double instead", a matrix
    norm's "linalg.matrix_norm expected out tensor dtype Float but got: Double"), resized to
    its shape; ``result()`` computes the norm. Returns ``out``. ``aten``: the op the grad
    refusal names (``_linalg_det`` for ``linalg.det``'s out=, which follows these rules)."""
    from autograd_core.creation import write_out
    from autograd_core.grad_mode import STATE

    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if not matrix and STATE.enabled and any(isinstance(t, Tensor) and t.requires_grad
                                            for t in (*inputs, out)):
        raise RuntimeError(f"{aten}(): functions with out=... arguments don't "
                           "support automatic differentiation, but one of the arguments "
                           "requires grad.")
    y = result()
    want, got = y._data.dtype, out._data.dtype
    if want != got:
        if matrix:
            raise RuntimeError(f"linalg.matrix_norm expected out tensor dtype "
                               f"{_args.torch_name(want)} but got: {_args.torch_name(got)}")
        raise RuntimeError(f"Expected out tensor to have dtype {_args.demangled_type(want)}, "
                           f"but got {_args.demangled_type(got)} instead")
    return write_out(name, y, out)


def _nuclear_norm(input: Tensor, dim: Any, keepdim: builtins.bool) -> Tensor:
    """``norm(input, "nuc", dim)``: the sum of the singular values of the matrices over the two
    dims (``linalg.matrix_norm``'s; the op table's ``svdvals`` found by name, as
    ``autograd_core.linalg`` sits above this module)."""
    if input.dtype == np.float16:  # PyTorch's refusal (numpy's linalg raised TypeError)
        raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got Half")
    d0, d1 = matrix_dims(input, dim)
    y = DECLS["svdvals"].fn(input.movedim((d0, d1), (-2, -1))).sum(-1)
    if keepdim:
        for d in sorted((d0, d1)):
            y = y.unsqueeze(d)
    return y

@op("norm", node=Norm, method=True, grad_fn="LinalgVectorNormBackward0", samples=[
    Sample("norm", lambda a: a.norm(), domain="away_from_zero"),
    Sample("norm_p1_dim", lambda a: a.norm(p=1, dim=0), min_ndim=1, domain="away_from_zero"),
    Sample("norm_p3", lambda a: a.norm(p=3), domain="away_from_zero"),
    Sample("norm_inf", lambda a: a.norm(p=float("inf")), domain="distinct", twice=False)])
def norm(input: Tensor, p: builtins.float | str | None = "fro",
         dim: builtins.int | Sequence[builtins.int] | None = None,
         keepdim: builtins.bool = False, out: Tensor | None = None,
         dtype: Any = None) -> Tensor:
    """Return the ``p``-norm of ``input``, over ``dim`` or over all elements.

    ``p`` is a number (``inf`` the largest absolute value, 0 the count of non-zeros),
    ``"fro"`` (the default: the 2-norm of the elements reduced) or ``"nuc"`` (the nuclear
    norm of the matrices over the two dimensions ``dim``; all of a 2-d ``input`` if None). The gradient is 0 where the
    norm is 0, as in PyTorch.

    Args:
        input (Tensor): the input tensor (floating point).
        p (float or str): the order. Default: ``"fro"``.
        dim (int or tuple of ints, optional): the dimension(s) to reduce; all if None.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        out (Tensor, optional): the norm written into it (of the norm's dtype; resized).
        dtype (dtype, optional): cast ``input`` to this dtype first.

    Example::

        >>> import autograd_core as ag
        >>> ag.norm(ag.tensor([3.0, 4.0]))
        tensor(5.)
        >>> ag.norm(ag.tensor([3.0, -4.0]), p=1)
        tensor(7.)
    """
    if out is not None:
        return norm_into(out, (input,), lambda: norm(input, p, dim, keepdim, dtype=dtype),
                         "norm", matrix=p == "nuc")
    if dtype is not None:
        input = input.to(dtype)
    if input.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_args.torch_name(input.dtype)}")
    if p in ("fro", None):
        p = 2
    elif isinstance(p, str):  # "nuc": a matrix norm, over dim or (as PyTorch) all dimensions
        if p != "nuc":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        return _nuclear_norm(input, tuple(range(input.ndim)) if dim is None else dim, keepdim)
    dim, keepdim = _args.dims(dim, None, keepdim, None, input.ndim)
    return Norm.apply(input, p=float(p), dim=dim, keepdim=keepdim)
