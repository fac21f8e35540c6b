"""The second batch of PyTorch's everyday functions (issue 12): tan, the logical ops, the
broadcasting helpers, tile/ravel, xlogy/logit, the angle conversions, the value predicates
(isin, isneginf, signbit, ...), fmax/fmin, copysign, sinc, heaviside, logaddexp2, float_power
and atleast_nd.

Differentiable ones are composed of other ops or have a small node here; the predicates and the
integer-valued ones run through ``apply_nondifferentiable`` so ``ag.compile`` replays them."""

from __future__ import annotations

import builtins
import functools
import math
from typing import Any, Sequence

import numpy as np

from autograd_core._quiet import quiet
from autograd_core.grad_mode import STATE
from autograd_core.node import HOLOMORPHIC, LINEAR, Node, apply_nondifferentiable
from autograd_core._casts import plain_number
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.binary import (Compare, Maximum, _broadcast_error, _div_rounded,
                                      _inputs_if_copied, _promote, mul)
from autograd_core.ops.binary import pow as _pow
from autograd_core.ops.mathfns import _float_pair
from autograd_core.ops.registry import Sample, before_shapes, op, refuse_capture
from autograd_core.ops.index import IndexAdd, IndexPut, getitem
from autograd_core.ops.inplace import _addresses, inplace
from autograd_core.ops.scatter import _inplace_method, _run, masked_fill
from autograd_core.ops.shape import _as_view, cat, expand, repeat, reshape
from autograd_core._memory import storage_bytes
from autograd_core.ops.storage import _storage, element_offset
from autograd_core.ops.unary import _floating, _OfSaved
from autograd_core.tensor import DEFAULT_DTYPE, Size, Tensor

_LN2 = math.log(2.0)


class Elementwise(Node):
    """``fn(x)`` for a predicate or another never-differentiable elementwise function, run as an
    op (under no_grad) so a captured step recomputes it from each call's values."""

    def forward(self, x, fn):
        return np.asarray(fn(x))


def _unary_values(fn, input):
    return apply_nondifferentiable(Elementwise, input, fn=fn)


def _binary_values(name, fn, input, other):
    return apply_nondifferentiable(Compare, input, other, ufunc=fn, name=name)


# ---- tan ------------------------------------------------------------------------------------

@op("tan", method=True, samples=[Sample("tan", lambda a: (a.tanh() * 1.2).tan())], doc="""
    Return the tangent of each element of ``input`` (in radians).

    Its derivative is ``1 + tan(input) ** 2``. Integer inputs give float32, as in PyTorch.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.tan(ag.tensor([0.0, 0.7853982]))
        tensor([0., 1.])
    """)
class Tan(Node):
    complex_backward = HOLOMORPHIC
    def forward(self, x):
        y = np.tan(_floating(x))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g * (y * y + 1.0),)


# ---- logical ops ----------------------------------------------------------------------------

def _logical(name, fn, example):
    def logical(input: Tensor, other: Any) -> Tensor:
        return _binary_values(name, fn, input, other)

    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = (
        f"Compute the element-wise logical {name[8:].upper()} of ``input`` and ``other``.\n\n"
        "Zeros are False, everything else True; they broadcast together and the result is a "
        "bool tensor, not differentiable.\n\n"
        "Args:\n    input (Tensor): the first input.\n    other (Tensor): the second input.\n\n"
        "Example::\n\n    >>> import autograd_core as ag\n"
        f"    >>> ag.{name}(ag.tensor([True, False, True]), ag.tensor([True, True, False]))\n"
        f"    {example}\n")
    return op(name, method=True, samples=(), elementwise=True)(logical)


logical_and = _logical("logical_and", np.logical_and, "tensor([ True, False, False])")
logical_or = _logical("logical_or", np.logical_or, "tensor([True, True, True])")
logical_xor = _logical("logical_xor", np.logical_xor, "tensor([False,  True,  True])")


@op("logical_not", method=True, samples=())
def logical_not(input: Tensor) -> Tensor:
    """Compute the element-wise logical NOT of ``input`` (zeros are False). Not differentiable.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.logical_not(ag.tensor([0.0, 1.5, -2.0]))
        tensor([ True, False, False])
    """
    return _unary_values(np.logical_not, input)


# ---- broadcasting, tile, ravel ----------------------------------------------------------------

@op("broadcast_shapes", samples=())
def broadcast_shapes(*shapes: Any) -> Size:
    """Return the shape that tensors of ``shapes`` broadcast to, without making any tensor.

    Args:
        *shapes (torch.Size or sequence of int or int): the shapes.

    Example::

        >>> import autograd_core as ag
        >>> ag.broadcast_shapes((2,), (3, 1), (1, 1, 1))
        autograd_core.Size([1, 3, 2])
    """
    sizes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    out: list[int] = []
    for i, shape in enumerate(sizes):
        if any(d < 0 for d in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: "
                               f"{list(shape)}")
        out = [1] * (len(shape) - len(out)) + out
        for k in range(1, len(shape) + 1):  # from the right, as PyTorch reports it
            d = shape[-k]
            if out[-k] == 1:
                out[-k] = d
            elif d != 1 and d != out[-k]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {d} at -{k}! Mismatching "
                    f"argument at index {i} had {shape}; but expected shape should be "
                    f"broadcastable to {out}")
    return Size(out)


@op("broadcast_to", method=True, samples=[
    Sample("broadcast_to", lambda a: broadcast_to(a, (2,) + tuple(a.shape)))])
def broadcast_to(input: Tensor, size: Sequence[builtins.int]) -> Tensor:
    """Broadcast ``input`` to the shape ``size`` (``input.expand(size)``; -1 keeps a dimension).

    Args:
        input (Tensor): the input tensor.
        size (sequence of int): the new shape.

    Example::

        >>> import autograd_core as ag
        >>> ag.broadcast_to(ag.tensor([1, 2, 3]), (2, 3))
        tensor([[1, 2, 3],
                [1, 2, 3]])
    """
    return expand(input, tuple(size))


@op("broadcast_tensors", samples=[
    Sample("broadcast_tensors", lambda a, b: broadcast_tensors(a, b)[0] * broadcast_tensors(
        a, b)[1], 2, broadcasts=True)])
def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Broadcast ``tensors`` to their common shape (``broadcast_shapes``); return them in order.

    Args:
        *tensors (Tensor): the tensors.

    Example::

        >>> import autograd_core as ag
        >>> a, b = ag.broadcast_tensors(ag.tensor([[1], [2]]), ag.tensor([3, 4, 5]))
        >>> a.shape, b.shape
        (autograd_core.Size([2, 3]), autograd_core.Size([2, 3]))
    """
    shapes = [tuple(t.shape) for t in tensors]
    shape = _args.broadcast_in_order("broadcast_tensors", shapes) if shapes else ()
    # a tensor already of the shape is returned itself, as PyTorch's (expand makes a view)
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in tensors)


@op("tile", method=True, samples=[Sample("tile", lambda a: tile(a, (2, 1)))])
def tile(input: Tensor, dims: Any, *more: Any) -> Tensor:
    """Repeat ``input`` ``dims[i]`` times along each dimension.

    When ``dims`` has fewer entries than ``input`` has dimensions, ones are put in front of it;
    with more, ``input`` is treated as having leading dimensions of size 1 (``repeat``'s rule).

    Args:
        input (Tensor): the tensor to repeat.
        dims (int or sequence of ints): the repetitions per dimension (``tile(2, 1)``,
            ``tile((2, 1))``, ``tile(2)`` and ``tile(dims=(2, 1))`` alike).

    Example::

        >>> import autograd_core as ag
        >>> ag.tile(ag.tensor([[1, 2]]), (2,))
        tensor([[1, 2, 1, 2]])
    """
    dims = _args.shape_arg(_args.int_seq(dims, more))
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


@op("ravel", method=True, samples=[Sample("ravel", lambda a: ravel(a))])
def ravel(input: Tensor) -> Tensor:
    """Return ``input`` flattened to one dimension (a view where the layout allows).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.ravel(ag.tensor([[1, 2], [3, 4]]))
        tensor([1, 2, 3, 4])
    """
    return reshape(input, (-1,))


# ---- composed elementwise functions -----------------------------------------------------------

def _as_float(t):
    """``t`` (a Tensor or number) in a floating dtype: integers and bools give the default
    dtype."""
    if isinstance(t, Tensor) and t.dtype.kind not in "fc":
        return t.to(DEFAULT_DTYPE[0])
    return float(t) if isinstance(t, (bool, int)) else t


@op("xlogy", method=True, n_inputs=2, domain="positive", broadcasts=True, doc="""
    Return ``input * log(other)``, with 0 where ``input`` is 0 (unless ``other`` is NaN).

    Integers give float32. The gradients are PyTorch's: ``log(other)`` (0 where ``input`` is
    0 and ``other`` <= 0) for ``input``, ``input / other`` for ``other``.

    Args:
        input (Tensor or number): the multiplier.
        other (Tensor or number): the argument of the logarithm.

    Example::

        >>> import autograd_core as ag
        >>> ag.xlogy(ag.tensor([0.0, 2.0, 3.0]), ag.tensor([0.0, 1.0, 2.7182817]))
        tensor([0., 0., 3.])
    """)
class Xlogy(Node):
    """``x * log(y)``; ``SpecialXlog1py`` is the same node with ``log1p``."""

    #: the logarithm and its pole (where the gradient's rule gives 0 for x = 0)
    _log, _pole = "log", 0
    _kernel = "xlogy_cpu"  # PyTorch's, named in its refusal of complex tensors

    def forward(self, input, other):
        x, y = _float_pair(input, other)
        dt = np.result_type(x, y)  # a Python number is weak: the tensor's dtype
        if dt.kind == "c":
            raise _args.not_implemented(self._kernel, dt)
        x, y = np.asarray(x, dt), np.asarray(y, dt)
        self.save_for_backward(x, y)
        return self._value(x, y)

    def _value(self, x, y):
        """The op on arrays: 0 where ``x`` is 0 and ``y`` is not NaN."""
        return np.where((x == 0) & ~np.isnan(y), np.zeros((), np.result_type(x, y)),
                        x * getattr(np, self._log)(y))

    def backward(self, g):
        x, y = self.saved
        # PyTorch's rule: xlogy(g, y) for input, 0 where x == 0 and y is at or below the pole
        # (log(0) is -inf there); x / y (x / (1 + y) for log1p) for other. Under create_graph
        # the first is this op again, so its derivative in g is its own rule, log(y), at g == 0
        # too (inf at y = inf, as PyTorch: a mask there would make it 0)
        gx = type(self).apply(g, y) if isinstance(g, Tensor) else self._value(g, y)
        at_pole = (xp.data(x) == 0) & (xp.data(y) <= self._pole)
        return (xp.where(at_pole, 0.0, gx),
                g * x / (y if self._pole == 0 else y - self._pole))


@op("logit", method=True, samples=[
    Sample("logit", lambda a: logit(a.sigmoid() * 0.8 + 0.1)),
    Sample("logit(eps)", lambda a: logit(a.sigmoid(), eps=0.05), domain="away_from_zero")])
def logit(input: Tensor, eps: builtins.float | None = None) -> Tensor:
    """Return ``log(p / (1 - p))`` for each element ``p`` of ``input``.

    With ``eps``, ``input`` is first clamped to ``[eps, 1 - eps]`` (the gradient is 0 outside);
    without, values outside [0, 1] give NaN.

    Args:
        input (Tensor): the input tensor.
        eps (float, optional): the clamp bound. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> ag.logit(ag.tensor([0.5, 0.75, 1.0]), eps=1e-6)
        tensor([ 0.0000,  1.0986, 13.8023])
    """
    return _Logit.apply(_as_float(input), eps=None if eps is None or eps < 0 else eps)


class _Logit(Node):
    """PyTorch's logit: a negative ``eps`` means none; the gradient is ``g / (x (1 - x))``,
    NaN outside [0, 1] without ``eps`` and 0 outside [eps, 1 - eps] with it."""

    _grad_fn = "LogitBackward0"

    def forward(self, x, eps):
        if x.dtype.kind == "c":
            raise _args.not_implemented("logit_cpu", x.dtype)
        self.eps = eps
        self.save_for_backward(x)
        p = x if eps is None else np.clip(x, eps, 1.0 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(p / (1.0 - p))

    def backward(self, g):
        (x,) = self.saved
        lo, fill = (0.0, np.nan) if self.eps is None else (self.eps, 0.0)
        xd = xp.data(x)
        outside = (xd < lo) | (xd > 1.0 - lo)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (xp.where(outside, fill, g / (x * (1.0 - x))),)


@op("deg2rad", method=True, samples=[Sample("deg2rad", lambda a: deg2rad(a))])
def deg2rad(input: Tensor) -> Tensor:
    """Convert the angles in ``input`` from degrees to radians (integers give float32).

    Args:
        input (Tensor): the angles in degrees.

    Example::

        >>> import autograd_core as ag
        >>> ag.deg2rad(ag.tensor([180.0, 90.0]))
        tensor([3.1416, 1.5708])
    """
    _args.refuse_complex("deg2rad is not supported for complex tensors.", input)
    return mul(_as_float(input), math.pi / 180.0)


@op("rad2deg", method=True, samples=[Sample("rad2deg", lambda a: rad2deg(a))])
def rad2deg(input: Tensor) -> Tensor:
    """Convert the angles in ``input`` from radians to degrees (integers give float32).

    Args:
        input (Tensor): the angles in radians.

    Example::

        >>> import autograd_core as ag
        >>> ag.rad2deg(ag.tensor([3.1415927, 1.0]))
        tensor([180.0000,  57.2958])
    """
    _args.refuse_complex("rad2deg is not supported for complex tensors.", input)
    return mul(_as_float(input), 180.0 / math.pi)


@op("negative", method=True, samples=[Sample("negative", lambda a: negative(a))])
def negative(input: Tensor) -> Tensor:
    """Return ``-input`` (``neg``'s other name).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.negative(ag.tensor([1.0, -2.0]))
        tensor([-1.,  2.])
    """
    return -input


@op("positive", method=True, samples=())
def positive(input: Tensor) -> Tensor:
    """Return ``input`` itself (``+input``); refused for bool tensors, as in PyTorch.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, -2.0])
        >>> ag.positive(x) is x
        True
    """
    if input.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


@op("float_power", method=True, samples=(), elementwise=True)  # float64 whatever the inputs: tested by hand
def float_power(input: Any, exponent: Any) -> Tensor:
    """Raise ``input`` to ``exponent`` in double precision: the result is float64 always.

    Args:
        input (Tensor or number): the base.
        exponent (Tensor or number): the exponent.

    Example::

        >>> import autograd_core as ag
        >>> ag.float_power(ag.tensor([2, 3]), 2)
        tensor([4., 9.], dtype=autograd_core.float64)
    """
    dt = _float_power_dtype(input, exponent)

    def double(t):
        return t.to(dt) if isinstance(t, Tensor) else dt.type(t).item()

    return _pow(double(input), double(exponent))


def _float_power_dtype(input, exponent):
    """float64, or complex128 when either operand is complex (PyTorch's ``float_power``)."""
    cplx = any(isinstance(t, complex) or (isinstance(t, Tensor) and t.dtype.is_complex)
               for t in (input, exponent))
    return np.dtype(np.complex128 if cplx else np.float64)


@op("float_power_", method=True, function=False, samples=())
def float_power_(input: Tensor, exponent: Any) -> Tensor:
    """Raise this tensor to ``exponent`` in double precision, in place; return it.

    The tensor must already have the result's dtype (float64; complex128 when either operand
    is complex), as in PyTorch.

    Args:
        exponent (Tensor or number): the exponent.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([2.0, 3.0], dtype=ag.float64)
        >>> x.float_power_(2)
        tensor([4., 9.], dtype=autograd_core.float64)
    """
    dt = _float_power_dtype(input, exponent)
    if input._data.dtype != dt:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{_args.torch_name(input._data.dtype)} but the operation's result "
                           f"requires dtype {_args.torch_name(dt)}")
    return inplace(input, lambda: float_power(input, exponent), sources=(exponent,))


# ---- elementwise nodes --------------------------------------------------------------------------

class FMax(Maximum):
    """fmax: the larger value, a NaN loses; PyTorch gives the whole gradient to ``input`` where
    ``input >= other`` or ``other`` is NaN, to ``other`` elsewhere (no split at ties)."""

    pick = staticmethod(np.fmax)
    keep = staticmethod(np.greater_equal)

    def forward(self, a, b):
        a_, b_ = _promote(a, b)
        _args.refuse_complex("{name} not implemented for complex tensors.", a_, b_,
                             name=type(self).__name__.lower())
        try:
            y = self.pick(a_, b_)
        except ValueError:
            raise _broadcast_error(type(self).__name__.lower(), a, b) from None
        if y.dtype.kind == "c":
            raise RuntimeError(f"{type(self).__name__.lower()} not implemented for complex "
                               "tensors.")
        # the operands saved, as Maximum's: in-place changes since refuse the backward
        self.save_for_backward(a_, b_, *_inputs_if_copied((a_, b_), (a, b)))
        if y.dtype.kind == "f":  # PyTorch's value is the input the gradient goes to: at a tie
            y = np.where(self._to_a(a_, b_), a_, b_).astype(y.dtype, copy=False)  # of -0.0
        return y  # and 0.0, input

    def _to_a(self, a_, b_):
        with np.errstate(invalid="ignore"):
            return self.keep(a_, b_) | np.isnan(b_)

    def backward(self, g):
        to_a = self._to_a(*(np.asarray(xp.data(v)) for v in self.saved[:2]))
        return xp.where(to_a, g, 0.0), xp.where(to_a, 0.0, g)


class FMin(FMax):
    pick = staticmethod(np.fmin)
    keep = staticmethod(np.less_equal)


op("fmax", method=True, n_inputs=2, broadcasts=True, domain="distinct", grad_fn="FmaxBackward0",
   doc="""
    Return the elementwise maximum of ``input`` and ``other``, ignoring NaN.

    Where one of them is NaN the other is taken (NaN only where both are). At ties the gradient
    goes to ``input``, as in PyTorch.

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand.

    Example::

        >>> import autograd_core as ag
        >>> ag.fmax(ag.tensor([1.0, float('nan'), 3.0]), ag.tensor([2.0, 5.0, float('nan')]))
        tensor([2., 5., 3.])
    """)(FMax)
op("fmin", method=True, n_inputs=2, broadcasts=True, domain="distinct", grad_fn="FminBackward0",
   doc="""
    Return the elementwise minimum of ``input`` and ``other``, ignoring NaN.

    Where one of them is NaN the other is taken (NaN only where both are). At ties the gradient
    goes to ``input``, as in PyTorch.

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand.

    Example::

        >>> import autograd_core as ag
        >>> ag.fmin(ag.tensor([1.0, float('nan'), 3.0]), ag.tensor([2.0, 5.0, float('nan')]))
        tensor([1., 5., 3.])
    """)(FMin)


def _sinc(x):
    return Sinc.apply(x) if isinstance(x, Tensor) else np.sinc(x)


@op("sinc", method=True, opmath=True, doc="""
    Return the normalized sinc ``sin(pi * x) / (pi * x)`` of each element (1 at 0).

    Integer inputs give float32, as in PyTorch.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.sinc(ag.tensor([0.0, 0.5, 1.0]))
        tensor([ 1.0000e+00,  6.3662e-01, -2.7828e-08])
    """)
class Sinc(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(quiet(np.sinc))  # numpy's Python function: its warnings name numpy

    def backward(self, g):
        # d/dx sinc(x) = (cos(pi x) - sinc(x)) / x, 0 at x = 0; there the rule is written
        # g * x * sinc''(0) (+0 added: +0 as before), so its own derivative is sinc''(0) =
        # -pi^2 / 3 under create_graph, not 0 (PyTorch's is NaN)
        (x,) = self.saved
        if xp.is_half(g):  # PyTorch's sinc_backward, its float16 steps each rounded
            x_pi, sq_pi = xp._times(x, math.pi), xp._times(x * x, math.pi)
            with np.errstate(divide="ignore", invalid="ignore"):
                d = g * ((x_pi * np.cos(x_pi) - np.sin(x_pi)) / sq_pi)
            return (np.where(sq_pi == 0, np.float16(0), d),)
        if not isinstance(g, Tensor) and not isinstance(x, Tensor):
            # PyTorch's sinc_backward in the dtype: g * ((x pi cos(x pi) - sin(x pi)) / (x x pi)),
            # 0 where x x pi is 0 ((cos(pi x) - sinc(x)) / x rounded otherwise in half of the
            # elements)
            pi = x.dtype.type(math.pi)
            x_pi, sq_pi = x * pi, x * x * pi
            with np.errstate(divide="ignore", invalid="ignore"):
                d = g * ((x_pi * np.cos(x_pi) - np.sin(x_pi)) / sq_pi)
            return (np.where(sq_pi == 0, d.dtype.type(0), d),)
        at_zero = xp.data(x) == 0
        safe = xp.where(at_zero, 1.0, x)
        d = (xp.cos(safe * math.pi) - _sinc(safe)) / safe
        return (xp.where(at_zero, g * x * (-math.pi ** 2 / 3) + 0.0, g * d),)


@op("logaddexp2", method=True, n_inputs=2, broadcasts=True, grad_fn="Logaddexp2Backward0", doc="""
    Return ``log2(2 ** input + 2 ** other)`` elementwise, without overflow.

    Args:
        input (Tensor): the first input.
        other (Tensor): the second input.

    Example::

        >>> import autograd_core as ag
        >>> ag.logaddexp2(ag.tensor([0.0, 100.0]), ag.tensor([0.0, 100.0]))
        tensor([  1., 101.])
    """)
class LogAddExp2(Node):
    def forward(self, input, other):
        a, b = _float_pair(input, other, "logaddexp2_cpu")
        dt = np.result_type(a, b)
        if dt.kind == "c":  # (logaddexp has complex numbers; numpy's 2-based one not)
            raise _args.not_implemented("logaddexp2_cpu", dt)
        self.save_for_backward(a, b)
        return np.logaddexp2(a, b)

    def backward(self, g):
        a, b = self.saved
        # PyTorch's formula, so its bits (float16: each step rounded, as PyTorch's)
        return g / (1.0 + 2.0 ** (b - a)), g / (1.0 + 2.0 ** (a - b))


@op("copysign", method=True, n_inputs=2, broadcasts=True, domain="away_from_zero",
    grad_fn="CopysignBackward0", doc="""
    Return the magnitude of ``input`` with the sign of ``other`` (its sign bit: -0.0 is
    negative), elementwise; integers give float32.

    The gradient reaches ``input`` (``sign(input) * sign(result)``, 0 where ``input`` is 0);
    ``other``'s is zero, as in PyTorch.

    Args:
        input (Tensor): the magnitudes.
        other (Tensor or number): the signs.

    Example::

        >>> import autograd_core as ag
        >>> ag.copysign(ag.tensor([1.0, -2.0, 3.0]), ag.tensor([-1.0, 1.0, -0.0]))
        tensor([-1.,  2., -3.])
    """)
class CopySign(Node):
    def forward(self, input, other):
        a, b = _float_pair(input, other)
        _args.no_complex(a, "copysign_cpu")
        _args.no_complex(b, "copysign_cpu")
        y = np.copysign(a, b)
        with np.errstate(invalid="ignore"):  # PyTorch's ratio: NaN where input is +-inf
            self.save_for_backward(a, b, np.where(a == 0, np.zeros((), y.dtype), y / a))
        return y

    def backward(self, g):
        # PyTorch's: in input, g * (y / input), a function of input and other (with a zero
        # derivative); in other, zeros (not g * 0, NaN at an infinite g)
        a, b, r = self.saved
        return xp.depends_on(g * r, a, b), xp.zeros_like(g)


# ---- never differentiable ---------------------------------------------------------------------

def _value_fn(name, fn, doc_what, example, complex_error=None):
    def pred(input: Tensor) -> Tensor:
        if complex_error and input.dtype.kind == "c":
            raise complex_error[0](complex_error[1])
        return _unary_values(fn, input)

    pred.__name__ = pred.__qualname__ = name
    pred.__doc__ = (
        f"Return a bool tensor, True where ``input`` is {doc_what}. Not differentiable.\n\n"
        "Args:\n    input (Tensor): the input tensor.\n\n"
        "Example::\n\n    >>> import autograd_core as ag\n"
        f"    >>> ag.{name}(ag.tensor([-float('inf'), -0.0, 1.0, float('inf')]))\n"
        f"    {example}\n")
    return op(name, method=True, samples=())(pred)


isneginf = _value_fn("isneginf", np.isneginf, "negative infinity",
                     "tensor([ True, False, False, False])",
                     (RuntimeError, "isneginf does not support complex inputs."))
isposinf = _value_fn("isposinf", np.isposinf, "positive infinity",
                     "tensor([False, False, False,  True])",
                     (RuntimeError, "isposinf does not support complex inputs."))
signbit = _value_fn("signbit", np.signbit, "negative (its sign bit is set: -0.0 too)",
                    "tensor([ True,  True, False, False])",
                    (NotImplementedError, "signbit is not implemented for complex tensors."))


@op("isin", samples=())
def isin(elements: Any, test_elements: Any, *, assume_unique: builtins.bool = False,
         invert: builtins.bool = False) -> Tensor:
    """Return a bool tensor of ``elements``' shape, True where the element is in
    ``test_elements`` (False there with ``invert=True``). Not differentiable.

    Args:
        elements (Tensor or number): the values to look up.
        test_elements (Tensor or number): the values to look for.
        assume_unique (bool): both hold unique values (a hint; the result is the same).
            Default: False.
        invert (bool): return where the element is *not* in ``test_elements``. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.isin(ag.tensor([[1, 2], [3, 4]]), ag.tensor([2, 3]))
        tensor([[False,  True],
                [ True, False]])
    """
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments: expected at "
                        "least one Tensor")
    fn = functools.partial(_isin, invert=invert)
    return _binary_values("isin", fn, elements, test_elements)


def _isin(a, b, invert):
    return np.isin(a, b, invert=invert)


class _NoDerivative(Compare):
    """An op PyTorch records without a derivative (its ``NotImplemented`` node): a float
    result of an input that requires grad requires grad too, and backward raises PyTorch's
    error (a result silently cut from the graph would hide that)."""

    def backward(self, g):
        raise RuntimeError(f"derivative for aten::{self._op_name} is not implemented")


class FloorDivide(_NoDerivative):
    pass


class Heaviside(_NoDerivative):
    pass


class Binomial(_NoDerivative):
    pass


@op("binomial", node=Binomial, samples=(), grad_fn="NotImplemented", elementwise=True)
def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    """Draw from the binomial distribution with ``count`` trials and success probability
    ``prob`` (broadcast together), one draw per element, in ``count``'s dtype. Not
    differentiable, as in PyTorch (a result of inputs that require grad requires grad, and
    backward through it raises). A negative ``count`` gives 0, as PyTorch's.

    Args:
        count (Tensor): the numbers of trials (floating point).
        prob (Tensor): the success probabilities, in ``[0, 1]``.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> ag.binomial(ag.tensor([10.0, 3.0, 4.0]), ag.tensor([0.0, 1.0, 1.0]))
        tensor([0., 3., 4.])
    """
    from autograd_core import random as _random

    for name, t in (("count", count), ("prob", prob)):
        if not isinstance(t, Tensor):
            raise TypeError(f"binomial(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")
        if t.dtype.kind != "f":
            raise before_shapes(ValueError(  # (as PyTorch's, before the shapes)
                f"binomial only supports floating-point dtypes for {name}, got: "
                f"{_args.torch_name(t._data.dtype)}"))
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {_args.torch_name(prob._data.dtype)} but "
                           f"expected {_args.torch_name(count._data.dtype)}")
    p = prob._data
    if np.any(~((p >= 0) & (p <= 1))):
        raise ValueError("binomial: prob must be in [0, 1] (and not NaN)")
    refuse_capture("binomial")  # a random draw
    rng = _random._source(generator, "binomial")
    return Binomial.apply(count, prob, ufunc=functools.partial(_binomial_draw, rng=rng),
                          name="binomial")


def _binomial_draw(n, p, rng):
    from autograd_core import random as _random

    if isinstance(rng, _random.Generator):  # PyTorch's CPU kernel and numbers
        n, p = np.broadcast_arrays(n, p)
        return rng.binomial_array(n, p.astype(n.dtype))
    trials = np.maximum(np.floor(n), 0).astype(np.int64)
    return rng.binomial(trials, p).astype(np.result_type(n))


@op("floor_divide", node=FloorDivide, method=True, samples=(), grad_fn="NotImplemented",
    elementwise=True)
def floor_divide(input: Any, other: Any) -> Tensor:
    """Divide ``input`` by ``other`` elementwise and round the quotient down (``//``).

    Integer operands give an integer result (division by zero raises); floats give floats. Not
    differentiable, as in PyTorch: the result of an input that requires grad requires grad,
    and backward through it raises.

    Args:
        input (Tensor or number): the dividend.
        other (Tensor or number): the divisor.

    Example::

        >>> import autograd_core as ag
        >>> ag.floor_divide(ag.tensor([7, -7]), 2)
        tensor([ 3, -4])
        >>> ag.floor_divide(ag.tensor([7.5, -7.5]), 2)
        tensor([ 3., -4.])
    """
    return FloorDivide.apply(plain_number(input), plain_number(other), ufunc=_floor_div,
                             name="floor_divide")


def _floor_div(a, b):
    return _div_rounded(a, b, "floor")  # PyTorch's floor_divide is div(..., "floor")


@op("heaviside", node=Heaviside, method=True, samples=(), grad_fn="NotImplemented",
    elementwise=True)
def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """Return the Heaviside step of ``input``: 0 where negative, 1 where positive, and
    ``values`` where ``input`` is zero. Both must have the same dtype. Not differentiable, as
    in PyTorch: the result of an input that requires grad requires grad, and backward through
    it raises.

    Args:
        input (Tensor): the input tensor.
        values (Tensor): the result where ``input`` is zero (broadcast).

    Example::

        >>> import autograd_core as ag
        >>> ag.heaviside(ag.tensor([-1.5, 0.0, 2.0]), ag.tensor([0.5]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    _args.no_complex(input, "", "heaviside is not yet implemented for complex tensors.")
    if isinstance(values, Tensor):
        _args.no_complex(values, "", "heaviside is not yet implemented for complex tensors.")
    if not isinstance(values, Tensor) or values.dtype != input.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    _args.refuse_complex('"heaviside_cpu" not implemented for \'{dtype}\'', input, values,
                         error=NotImplementedError)
    return Heaviside.apply(input, values, ufunc=_heaviside, name="heaviside")


def _heaviside(x, values):
    """PyTorch's step: ``values`` where ``x`` is 0, else ``x > 0`` (so NaN gives 0, not NaN)."""
    return np.where(x == 0, values, x > 0).astype(np.result_type(x, values))


# ---- Python values ----------------------------------------------------------------------------

@op("equal", method=True, samples=(), reads_values=True)
def equal(input: Tensor, other: Tensor) -> builtins.bool:
    """Return True if ``input`` and ``other`` have the same shape and the same values.

    Args:
        input (Tensor): the first tensor.
        other (Tensor): the second tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.equal(ag.tensor([1, 2]), ag.tensor([1, 2])), ag.equal(ag.tensor([1]), ag.tensor([1, 1]))
        (True, False)
    """
    if not isinstance(other, Tensor):
        raise TypeError(f"equal(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    return input.shape == other.shape and builtins.bool(np.all(input._data == other._data))


@op("is_floating_point", samples=())
def is_floating_point(input: Tensor) -> builtins.bool:
    """Return True if ``input``'s dtype is a floating-point one (float16, float32, float64).

    Args:
        input (Tensor): the tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.is_floating_point(ag.tensor([1.0])), ag.is_floating_point(ag.tensor([1]))
        (True, False)
    """
    return input.dtype.is_floating_point


@op("is_complex", method=True, samples=())
def is_complex(input: Tensor) -> builtins.bool:
    """Return True if ``input``'s dtype is a complex one.

    Args:
        input (Tensor): the tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.is_complex(ag.tensor([1.0]))
        False
    """
    return input.dtype.is_complex


@op("is_signed", method=True, function=False, samples=())
def is_signed(input: Tensor) -> builtins.bool:
    """Return True if ``input``'s dtype holds negative values (every dtype but ``bool`` and
    ``uint8``; ``Tensor.is_signed()``, ``dtype.is_signed``).

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([1.0]).is_signed(), ag.tensor([1], dtype=ag.uint8).is_signed()
        (True, False)
    """
    return input.dtype.is_signed


@op("is_same_size", method=True, samples=())
def is_same_size(input: Tensor, other: Tensor) -> builtins.bool:
    """Return True if ``input`` and ``other`` have the same shape.

    Args:
        input (Tensor): the first tensor.
        other (Tensor): the second tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.is_same_size(ag.zeros(2, 3), ag.ones(2, 3)), ag.zeros(2).is_same_size(ag.zeros(2, 1))
        (True, False)
    """
    if not isinstance(other, Tensor):
        raise TypeError(f"is_same_size(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    return input.shape == other.shape


@op("is_inference", method=True, samples=())
def is_inference(input: Tensor) -> builtins.bool:
    """Return True if ``input`` is an inference tensor: always False here (tapegrad has no
    separate inference tensors; ``inference_mode`` is ``no_grad``, see DIFFERENCES.md).

    Args:
        input (Tensor): the tensor.

    Example::

        >>> import autograd_core as ag
        >>> with ag.inference_mode():
        ...     y = ag.ones(1)
        >>> y.is_inference()
        False
    """
    return False


@op("is_neg", method=True, samples=())
def is_neg(input: Tensor) -> builtins.bool:
    """Return True if ``input`` is a lazily negated view: always False (``neg`` computes its
    result; as ``is_conj``).

    Args:
        input (Tensor): the tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.is_neg(-ag.ones(1))
        False
    """
    return False


@op("is_nonzero", method=True, samples=(), reads_values=True)
def is_nonzero(input: Tensor) -> builtins.bool:
    """Return True if the single value of the one-element tensor ``input`` is not zero.

    Args:
        input (Tensor): a tensor of one element.

    Example::

        >>> import autograd_core as ag
        >>> ag.is_nonzero(ag.tensor([0.5])), ag.is_nonzero(ag.tensor(0))
        (True, False)
    """
    n = input._data.size
    if n != 1:
        raise RuntimeError(f"Boolean value of Tensor with {'no values' if n == 0 else 'more than one value'} is ambiguous")
    return builtins.bool(input._data.reshape(()) != 0)


# ---- atleast_nd -------------------------------------------------------------------------------

def _atleast(name, n, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
        single = False
    else:
        single = len(tensors) == 1
    out = []
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not "
                            f"{type(t).__name__}")
        shape = tuple(t.shape)
        if len(shape) < n:
            if n == 3 and len(shape) == 1:
                shape = (1,) + shape + (1,)
            elif n == 3 and len(shape) == 2:
                shape = shape + (1,)
            else:
                shape = (1,) * (n - len(shape)) + shape
            t = reshape(t, shape)
        out.append(t)
    return out[0] if single else tuple(out)


@op("atleast_1d", samples=[Sample("atleast_1d", lambda a: atleast_1d(a))])
def atleast_1d(*tensors: Any) -> Tensor | tuple[Tensor, ...]:
    """Return each of ``tensors`` with at least one dimension (a 0-d tensor becomes shape (1,)).

    One tensor gives a tensor; several (or a list) give a tuple.

    Args:
        *tensors (Tensor or list of Tensor): the tensors.

    Example::

        >>> import autograd_core as ag
        >>> ag.atleast_1d(ag.tensor(1.5))
        tensor([1.5000])
    """
    return _atleast("atleast_1d", 1, tensors)


@op("atleast_2d", samples=[Sample("atleast_2d", lambda a: atleast_2d(a))])
def atleast_2d(*tensors: Any) -> Tensor | tuple[Tensor, ...]:
    """Return each of ``tensors`` with at least two dimensions: shape (N,) becomes (1, N).

    One tensor gives a tensor; several (or a list) give a tuple.

    Args:
        *tensors (Tensor or list of Tensor): the tensors.

    Example::

        >>> import autograd_core as ag
        >>> ag.atleast_2d(ag.tensor([1, 2])).shape
        autograd_core.Size([1, 2])
    """
    return _atleast("atleast_2d", 2, tensors)


@op("atleast_3d", samples=[Sample("atleast_3d", lambda a: atleast_3d(a))])
def atleast_3d(*tensors: Any) -> Tensor | tuple[Tensor, ...]:
    """Return each of ``tensors`` with at least three dimensions: (N,) becomes (1, N, 1) and
    (M, N) becomes (M, N, 1), as in PyTorch.

    One tensor gives a tensor; several (or a list) give a tuple.

    Args:
        *tensors (Tensor or list of Tensor): the tensors.

    Example::

        >>> import autograd_core as ag
        >>> [t.shape for t in ag.atleast_3d(ag.tensor([1, 2]), ag.ones(2, 3))]
        [autograd_core.Size([1, 2, 1]), autograd_core.Size([2, 3, 1])]
    """
    return _atleast("atleast_3d", 3, tensors)


# ---- Tensor methods: layout and casts ---------------------------------------------------------

@op("type_as", method=True, function=False, samples=())
def type_as(input: Tensor, other: Tensor) -> Tensor:
    """Return this tensor in ``other``'s dtype (``self.to(other.dtype)``; itself if it has it).

    Args:
        other (Tensor): the tensor whose dtype to take.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).type_as(ag.tensor([0.5]))
        tensor([1., 2.])
    """
    return input.to(other.dtype)


@op("is_contiguous", method=True, function=False, samples=())
def is_contiguous(input: Tensor, memory_format: Any = None) -> builtins.bool:
    """Return True if this tensor's elements lie in memory in row-major order without gaps.

    Args:
        memory_format: accepted for PyTorch's signature; only the row-major layout is checked.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> x.is_contiguous(), x.t().is_contiguous()
        (True, False)
    """
    return builtins.bool(input._data.flags.c_contiguous)


@op("stride", method=True, function=False, samples=())
def stride(input: Tensor, dim: builtins.int | None = None) -> Any:
    """Return the step in elements between neighbours along each dimension (or ``dim``'s).

    Args:
        dim (int, optional): one dimension; all of them (a tuple) if None.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> x.stride(), x.t().stride(), x.stride(0)
        ((3, 1), (1, 3), 3)
    """
    a = input._data
    if a.size == 0 and a.flags.c_contiguous:  # PyTorch's row-major steps, sizes 0 counted as 1
        rev, step = [], 1
        for n in reversed(a.shape):
            rev.append(step)
            step *= max(n, 1)
        steps = tuple(reversed(rev))
    else:
        steps = tuple(s // a.itemsize for s in a.strides)
    if dim is None:
        return steps
    return steps[_args.norm_dim(dim, a.ndim, "stride")]


@op("storage_offset", method=True, function=False, samples=())
def storage_offset(input: Tensor) -> builtins.int:
    """Return the position of this tensor's first element in the memory it shares with the
    tensor it is a view of, in elements (0 for a tensor that owns its memory).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.arange(12.0).view(3, 4)
        >>> x.storage_offset(), x[1:, 2:].storage_offset(), x[:, 1].storage_offset()
        (0, 6, 1)
    """
    return element_offset(input._data)


class _StorageMove(Node):
    """``g``'s elements added into a zero storage of ``n`` elements at positions ``src``,
    then read at positions ``dst`` (a shape): ``as_strided``'s gradient, and its own adjoint
    with ``src`` and ``dst`` swapped."""

    complex_backward = LINEAR

    def forward(self, g, src, dst, n):
        self.args = (src, dst, n)
        storage = np.zeros(n, g.dtype)
        np.add.at(storage, src, g)
        return storage[dst]

    def backward(self, g2):
        src, dst, n = self.args
        return (_run(_StorageMove, g2, src=dst, dst=src, n=n),)


class AsStrided(Node):
    """A view of ``x``'s storage with sizes ``size``, strides ``stride`` (in elements) from
    element ``offset``; the gradient adds each element's back at its storage position and
    gives ``x`` those of its own elements (PyTorch's, for an ``x`` without overlap)."""

    complex_backward = LINEAR
    reads_storage = True  # (inplace: a change of its view is computed from the base's values)

    def forward(self, x, size, stride, offset):
        root, start, nbytes = _storage(x)
        item = x.itemsize
        last = offset + builtins.sum((n - 1) * st for n, st in zip(size, stride)) + 1
        needed = 0 if 0 in size else last
        if needed * item > nbytes:
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                f"{offset}, and itemsize {item} requiring a storage size of {needed * item} "
                f"are out of bounds for storage of size {nbytes}")
        out_pos = np.full(size, offset, np.int64)
        for k, (n, st) in enumerate(zip(size, stride)):
            out_pos += (np.arange(n, dtype=np.int64) * st).reshape((n,) + (1,) * (len(size) - k - 1))
        in_pos = (_addresses(x) - start) // item
        self.args = (out_pos, in_pos, nbytes // item)
        flat, _ = storage_bytes(x)
        if flat is None:
            raise RuntimeError("as_strided: the tensor's memory is not one contiguous block")
        # writes through a view whose elements overlap are refused, as PyTorch's
        writeable = bool(root.flags.writeable) and np.unique(out_pos).size == out_pos.size
        return np.lib.stride_tricks.as_strided(
            flat[offset * item:].view(x.dtype) if needed else np.empty(0, x.dtype),
            size, tuple(st * item for st in stride), writeable=writeable)

    def backward(self, g):
        out_pos, in_pos, n = self.args
        return (_run(_StorageMove, g, src=out_pos, dst=in_pos, n=n),)


def _as_strided_sample(a):
    n = a.numel()
    flat = a.reshape(-1).clone()  # its own memory, whatever the layout drawn
    return as_strided(flat, (n // 2, 2) if n >= 2 else (n,), (2, 1) if n >= 2 else (1,)) * 2.0


@op("as_strided", method=True, samples=[Sample("as_strided", _as_strided_sample)])
def as_strided(input: Tensor, size: Sequence[builtins.int], stride: Sequence[builtins.int],
               storage_offset: builtins.int | None = None) -> Tensor:
    """Return a view of ``input``'s memory with the given ``size`` and ``stride`` (in
    elements), starting at element ``storage_offset`` of that memory (``input``'s own offset
    if None). Writes through it change ``input``; a view whose elements overlap is read-only.

    The gradient is PyTorch's for an ``input`` whose elements do not overlap: each element's
    gradient is added back at its memory position. An overlapping ``input`` (an expanded one)
    is refused while recording.

    Args:
        input (Tensor): the tensor whose memory is viewed.
        size (tuple of int): the shape of the view.
        stride (tuple of int): the step in elements along each dimension (non-negative).
        storage_offset (int, optional): the first element. Default: ``input.storage_offset()``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.arange(6.0)
        >>> ag.as_strided(x, (2, 2), (1, 2), 1)
        tensor([[1., 3.],
                [2., 4.]])
    """
    size = tuple(builtins.int(n) for n in size)
    stride = tuple(builtins.int(st) for st in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(st < 0 for st in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{list(size)}")
    if storage_offset is None:
        _, start, _ = _storage(input._data)
        offset = (input._data.__array_interface__["data"][0] - start) // input._data.itemsize
    else:
        offset = builtins.int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if STATE.enabled and input.requires_grad and _args.internal_overlap(input._data):
        raise RuntimeError("as_strided: the gradient of a view of a tensor whose elements "
                           "overlap (an expanded one) is not supported; .clone() it first")
    out = AsStrided.apply(input, size=size, stride=stride, offset=offset)
    # a view of the base even where it holds none of input's own elements (u[2:] viewed from
    # offset 0): a write through it changes the base, whose saved values backward then checks
    base = input._base if input._base is not None else input
    return _as_view(out, input, shares=np.shares_memory(out._data, base._data))


@op("ndimension", method=True, function=False, samples=())
def ndimension(input: Tensor) -> builtins.int:
    """Return the number of dimensions (``dim()``'s other name).

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).ndimension()
        2
    """
    return input.ndim


# ---- select, unfold ---------------------------------------------------------------------------

@op("select", method=True, samples=[Sample("select", lambda a: select(a, -1, -1) if a.shape[-1] else a * 1.0,
                                          min_ndim=1)])
def select(input: Tensor, dim: builtins.int, index: builtins.int) -> Tensor:
    """Return the slice of ``input`` at ``index`` along ``dim`` (a view, one dimension fewer):
    ``input[..., index, ...]``.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to slice.
        index (int): the position along it (negative counts from the end).

    Example::

        >>> import autograd_core as ag
        >>> ag.select(ag.tensor([[1, 2], [3, 4]]), 1, -1)
        tensor([2, 4])
    """
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _args.norm_dim(dim, input.ndim, "select")
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    return getitem(input, (slice(None),) * d + (index % n,))


class Unfold(Node):
    """The windows of ``size`` elements ``step`` apart along ``dim``, as a strided view of ``x``
    (PyTorch's ``Tensor.unfold`` is a view); backward adds each window's gradient back."""

    complex_backward = LINEAR
    def forward(self, x, dim, size, step):
        self.args = (x.shape, dim, size, step)
        windows = (x.shape[dim] - size) // step + 1
        st = x.strides
        out = np.lib.stride_tricks.as_strided(
            x, x.shape[:dim] + (windows,) + x.shape[dim + 1:] + (size,),
            st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],),
            writeable=x.flags.writeable and (windows < 2 or step >= size))
        return out  # overlapping windows are read-only, as PyTorch refuses writes into them

    def backward(self, g):
        shape, dim, size, step = self.args
        return (_run(UnfoldBackward, g, shape=shape, dim=dim, size=size, step=step),)


class UnfoldBackward(Node):
    """Zeros of ``shape`` with each window of ``g`` added where ``Unfold`` read it."""

    complex_backward = LINEAR
    def forward(self, g, shape, dim, size, step):
        self.args = (dim, size, step)
        out = np.zeros(shape, g.dtype)
        windows = g.shape[dim]
        for j in range(size):
            out[(slice(None),) * dim + (slice(j, j + step * (windows - 1) + 1, step),)] += g[..., j]
        return out

    def backward(self, g2):
        dim, size, step = self.args
        return (_run(Unfold, g2, dim=dim, size=size, step=step),)


@op("unfold", method=True, function=False, samples=[
    Sample("unfold", lambda a: a.unfold(-1, min(2, a.shape[-1]), 1), min_ndim=1)])
def unfold(input: Tensor, dimension: builtins.int, size: builtins.int,
           step: builtins.int) -> Tensor:
    """Return the windows of ``size`` elements along ``dimension``, ``step`` apart: that dimension
    becomes the number of windows and a last dimension of ``size`` is added.

    Args:
        dimension (int): the dimension to slide along.
        size (int): the window length.
        step (int): the distance between window starts.

    Example::

        >>> import autograd_core as ag
        >>> ag.arange(5.0).unfold(0, 2, 2)
        tensor([[0., 1.],
                [2., 3.]])
    """
    x = reshape(input, (1,)) if input.ndim == 0 else input
    d = _args.norm_dim(dimension, input.ndim, "unfold")
    n = x.shape[d]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    out = _as_view(Unfold.apply(x, dim=d, size=int(size), step=int(step)), x)
    return reshape(out, (size,)) if input.ndim == 0 else out


# ---- fill_diagonal_, index_add/copy/fill --------------------------------------------------------

@op("fill_diagonal_", method=True, function=False, samples=())
def fill_diagonal_(input: Tensor, fill_value: Any, wrap: builtins.bool = False) -> Tensor:
    """Fill the main diagonal of this tensor (2-d, or n-d with all sizes equal) in place.

    With ``wrap=True`` a tall matrix's diagonal restarts after every ``columns + 1`` rows
    (numpy's and PyTorch's rule).

    Args:
        fill_value (number): the value.
        wrap (bool): restart the diagonal in a tall matrix. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).fill_diagonal_(5.0)
        tensor([[5., 0., 0.],
                [0., 5., 0.]])
    """
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    return inplace(input, lambda: masked_fill(input, xp.constant(mask), fill_value))




def _index_along(name, input, dim, index, check_bounds=True):
    """``index`` checked (a vector of int32/int64; within ``dim``'s size unless
    ``check_bounds`` is False: index_add and index_copy check their source first, then call
    ``_index_bounds``) and the index tuple addressing those positions along ``dim``."""
    if isinstance(index, Tensor):  # its values become the positions a replay would reuse
        refuse_capture(f"{name}() with an index tensor")
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index but got: "
                           f"{_args.torch_name(idx.dtype)}")
    if name == "index_copy" and idx.dtype != np.int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index, but got Int")
    if idx.ndim > 1:  # PyTorch's error per op (index_add's and index_copy's an IndexError)
        if name == "index_add":
            raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                             f"{idx.ndim} with type: {_args.torch_name(idx.dtype)} and size: "
                             f"{list(idx.shape)}")
        if name == "index_copy":
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                             f"{idx.ndim})")
        raise RuntimeError("Index has to be a vector/scalar")
    d = _args.norm_dim(dim, input.ndim, name)
    flat = idx.reshape(-1).astype(np.int64)
    if check_bounds:
        _index_bounds(name, input, d, flat, idx.dtype == np.int32)
    if input.ndim == 0:
        return flat, ()
    return flat, (slice(None),) * d + (flat,)


def _index_bounds(name, input, d, idx, int32=False):
    """PyTorch's error for a position of ``idx`` outside dimension ``d`` of ``input``:
    index_fill wraps a negative one (as indexing does), index_add and index_copy refuse it."""
    size = input.shape[d] if input.ndim else 1
    lowest = -size if name == "index_fill" else 0
    bad = idx[(idx < lowest) | (idx >= size)]
    if bad.size:
        msg = f"index {int(bad[0])} is out of bounds for dimension {d} with size {size}"
        if name == "index_add":  # PyTorch's 1-d and int32 paths word it as index_select does
            raise IndexError("index out of range in self") if input.ndim <= 1 or int32 else (
                RuntimeError(msg))
        raise IndexError(f"index_copy_(): {msg}" if name == "index_copy" else msg)


def _name(dt):
    return _args.torch_name(dt)


def _source(name, input, dim, idx, source):
    """``source`` checked against ``input`` (dtype, rank, count along ``dim``, the other sizes)
    with PyTorch's messages for ``name`` (index_add or index_copy)."""
    if not isinstance(source, Tensor):
        raise TypeError(f"{name}(): argument 'source' must be Tensor, not "
                        f"{type(source).__name__}")
    if source.dtype != input.dtype:
        if name == "index_add":
            raise RuntimeError(f"index_add_(): self ({_name(input.dtype)}) and source "
                               f"({_name(source.dtype)}) must have the same scalar type")
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_name(input.dtype)} and (source) "
                           f"{_name(source.dtype)}")
    d = dim % max(input.ndim, 1)
    if name == "index_copy" and source.ndim and input.ndim and source.ndim != input.ndim:
        raise IndexError("index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({source.ndim}), "
                         f"destination dimensionality ({input.ndim})")
    n_src = source.shape[d] if source.ndim > d else 1
    if n_src != idx.size:
        if name == "index_add":
            raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                               f"source.size(dim): ({n_src}), for dim: {d}")
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({n_src})")
    want = list(input.shape)
    if want:
        want[d] = idx.size
    if list(source.shape) != want and not (input.ndim == 0 and source.numel() == 1):
        if name == "index_add":
            raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                               f"specified dimension. Got self.shape = {list(input.shape)} "
                               f"source.shape = {list(source.shape)}")
        mine = [n for k, n in enumerate(input.shape) if k != d]
        theirs = [n for k, n in enumerate(source.shape) if k != d]
        j = next(k for k in range(len(mine)) if mine[k] != theirs[k])
        raise RuntimeError("index_copy_(): Source/destination tensor must have same slice "
                           f"shapes. Destination slice shape: {mine[j]} at dimension {j} and "
                           f"source slice shape: {theirs[j]} at dimension {j}.")
    return reshape(source, tuple(want))


@op("index_add", method=True, samples=[Sample("index_add", lambda a, b: index_add(
    a, -1, _two_positions(a), cat([b[..., :1], b[..., :1] * 2.0], dim=-1), alpha=2.0), 2,
    min_ndim=1)])
def index_add(input: Tensor, dim: builtins.int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    """Return ``input`` with ``alpha * source`` added at the positions ``index`` names along
    ``dim`` (repeated positions add up). ``Tensor.index_add_`` is the in-place form.

    Args:
        input (Tensor): the tensor to add into.
        dim (int): the dimension ``index`` addresses.
        index (Tensor): a vector of positions (int64 or int32).
        source (Tensor): the values: ``input``'s shape with ``len(index)`` along ``dim``.
        alpha (number): the multiplier of ``source``. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.index_add(ag.zeros(3), 0, ag.tensor([0, 2, 0]), ag.tensor([1.0, 2.0, 3.0]))
        tensor([4., 0., 2.])
    """
    idx, where_ = _index_along("index_add", input, dim, index, check_bounds=False)
    src = _source("index_add", input, dim, idx, source)
    _index_bounds("index_add", input, dim % max(input.ndim, 1), idx,
                  np.asarray(index._data if isinstance(index, Tensor) else index).dtype
                  == np.int32)
    if alpha != 1:
        src = src * alpha
    if input.ndim == 0:
        return input + src.sum()
    return input + IndexAdd.apply(src, index=where_, basic=False, shape=tuple(input.shape))


@op("index_copy", method=True, samples=[Sample("index_copy", lambda a, b: index_copy(
    a, -1, _two_positions(a)[:1], b[..., :1] * 3.0), 2, min_ndim=1)])
def index_copy(input: Tensor, dim: builtins.int, index: Tensor, source: Tensor) -> Tensor:
    """Return ``input`` with ``source``'s slices written at the positions ``index`` names along
    ``dim``. ``Tensor.index_copy_`` is the in-place form.

    Args:
        input (Tensor): the tensor to write into.
        dim (int): the dimension ``index`` addresses.
        index (Tensor): a vector of positions (int64 or int32).
        source (Tensor): the values: ``input``'s shape with ``len(index)`` along ``dim``.

    Example::

        >>> import autograd_core as ag
        >>> ag.index_copy(ag.zeros(2, 2), 0, ag.tensor([1]), ag.tensor([[5.0, 6.0]]))
        tensor([[0., 0.],
                [5., 6.]])
    """
    idx, where_ = _index_along("index_copy", input, dim, index, check_bounds=False)
    src = _source("index_copy", input, dim, idx, source)
    _index_bounds("index_copy", input, dim % max(input.ndim, 1), idx)
    if input.ndim == 0:  # (src + input * 0 would be NaN at an infinite or NaN input)
        return masked_fill(input, xp.constant(np.array(True)), src.reshape(()))
    return IndexPut.apply(input, src, index=where_)


@op("index_fill", method=True, samples=[
    Sample("index_fill", lambda a: index_fill(a, -1, _two_positions(a)[:1], -1.5), min_ndim=1),
    Sample("index_fill_tensor_value", lambda a, b: index_fill(
        a, -1, _two_positions(a)[:1], b.sum()), 2, min_ndim=1)])
def index_fill(input: Tensor, dim: builtins.int, index: Tensor, value: Any) -> Tensor:
    """Return ``input`` with ``value`` at the positions ``index`` names along ``dim``.
    ``Tensor.index_fill_`` is the in-place form.

    Args:
        input (Tensor): the tensor to fill.
        dim (int): the dimension ``index`` addresses.
        index (Tensor): a vector of positions (int64 or int32).
        value (number or 0-d Tensor): the fill value (a tensor gets the filled places'
            gradient).

    Example::

        >>> import autograd_core as ag
        >>> ag.index_fill(ag.zeros(2, 3), 1, ag.tensor([0, 2]), -1.0)
        tensor([[-1.,  0., -1.],
                [-1.,  0., -1.]])
    """
    idx, where_ = _index_along("index_fill", input, dim, index)
    mask = np.zeros(tuple(input.shape), dtype=bool)
    if input.ndim or idx.size:  # (a 0-d input's where_ is (), the whole tensor)
        mask[where_] = True
    return masked_fill(input, xp.constant(mask), value)


def _two_positions(a):
    """An index vector [last, 0] along ``a``'s last dimension (a sample's positions)."""
    n = a.shape[-1]
    return np.array([n - 1, 0] if n else [], dtype=np.int64)


index_add_ = _inplace_method("index_add_", index_add,
                             "0, ag.tensor([1, 1]), ag.tensor([1.0, 2.0])",
                             "tensor([0., 3., 0.])", disjoint=True)
index_copy_ = _inplace_method("index_copy_", index_copy, "0, ag.tensor([2]), ag.tensor([7.0])",
                              "tensor([0., 0., 7.])", disjoint=True)
index_fill_ = _inplace_method("index_fill_", index_fill, "0, ag.tensor([0, 2]), 1.0",
                              "tensor([1., 0., 1.])")
