"""Binary elementwise ops with numpy broadcasting (the engine sums gradients back to shape),
and the comparisons (never recorded)."""

from __future__ import annotations

import builtins
import math
import operator
from typing import Any
import numpy as np

from autograd_core._casts import half_number, half_source, plain_number
from autograd_core.node import HOLOMORPHIC, LINEAR, Node, apply_nondifferentiable, conj
from autograd_core.kernels.pointwise import fma_alpha
from autograd_core.ops import _args
from autograd_core.ops._args import BroadcastError, broadcast_error as _broadcast_error  # noqa: F401
from autograd_core.ops._args import (  # noqa: F401 (re-exported)
    CATEGORY as _CATEGORY, combine as _combine, promote_types as _promote_types, result_type,
    wrapped_dtype as _wrapped_dtype)
from autograd_core.ops import _xp as xp
from autograd_core.kernels.complex_mul import cmul_numpy, cmul_rows_
from autograd_core.ops._loops import HALF_BLOCK, loop_rows, scalar_elements
from autograd_core.ops._xp import _half_by_scalar, _half_in_float32, _in_float32, _over, _times
from autograd_core.ops.registry import Sample, op, warn_caller
from autograd_core.ops.unary import PowScalar
from autograd_core.tensor import DEFAULT_DTYPE, Tensor


# PyTorch's type promotion: autograd_core/ops/_args.py (unary ops use it too)
_ndarray = np.ndarray


def _promote(a, b, true_divide=False):
    """``a`` and ``b`` cast to PyTorch's result dtype (no copy on the common paths: two arrays
    of one dtype, or a floating array and a Python float)."""
    if type(a) is _ndarray:
        if type(b) is _ndarray:
            if a.dtype is b.dtype and (not true_divide or a.dtype.kind == "f"):
                return a, b
        elif type(b) is float and a.dtype.kind == "f" and a.dtype.itemsize > 2:
            return a, b  # (float16: the number made float16 as PyTorch's, in _cast)
    elif type(b) is _ndarray and type(a) is float and b.dtype.kind == "f" and \
            b.dtype.itemsize > 2:
        return a, b
    dt = result_type(a, b)
    if true_divide and dt.kind in "biu":
        dt = DEFAULT_DTYPE[0]
    return _cast(a, dt), _cast(b, dt)


def _cast(x, dt):
    if (type(x) is float or type(x) is np.float64) and dt == _F16:
        return half_number(x, dt)  # through float32, as PyTorch's (numpy's rounds once)
    if isinstance(x, (_ndarray, np.generic)):
        return x if x.dtype == dt else np.asarray(half_source(x, dt)).astype(dt)
    if dt.kind in "fc" or isinstance(x, bool):
        return x  # a Python number stays weak: numpy keeps the array's dtype
    try:
        return np.asarray(x, dtype=dt)
    except OverflowError:  # an int outside dt (uint8 + -2): PyTorch wraps it, as C's casts
        if not -2 ** 63 <= x < 2 ** 63:
            raise OverflowError("int too big to convert") from None
        return np.asarray(x, dtype=np.int64).astype(dt)


def _ufunc(fn, name, a, b, out, true_divide=False):
    """``fn(a, b)`` after PyTorch's type promotion, with the op's name in a broadcast error."""
    if type(a) is not _ndarray or type(b) is not _ndarray or a.dtype is not b.dtype or (
            true_divide and a.dtype.kind != "f"):
        a, b = _promote(a, b, true_divide)  # the common case, two arrays of one dtype, skips it
    try:
        return fn(a, b) if out is None else fn(a, b, out=out)
    except ValueError:
        raise _broadcast_error(name, a, b) from None


def _out(result, out):
    if out is None:
        return result
    out[...] = result
    return out


def _is_bool(x):
    return type(x) is bool or getattr(x, "dtype", None) == np.bool_


_PY_NUMBERS = (float, int, complex, bool)
#: complex dtype -> two of ATen's vectors, in elements (kernels/complex_mul.py)
_C64, _C128 = np.dtype(np.complex64), np.dtype(np.complex128)
_CMUL = {_C64: HALF_BLOCK // 4, _C128: HALF_BLOCK // 8}


def _fused_span(inner, cut, bcast, single):
    """The positions ``[lo, hi)`` of a row whose products ATen's scalar code fuses (measured on
    torch 2.13's AVX2 build): complex128 (``single``) every tail element; complex64 pairs of
    the tail, the odd last one not, and in the tail of a vectorised row with a broadcast
    operand the four after its first, when it has five or more."""
    if single:
        return cut, inner
    if not bcast:
        return cut, cut + (inner - cut) // 2 * 2
    return (cut + 1, cut + 5) if inner - cut >= 5 else (cut, cut)


def _multiply(a, b, out=None):
    """``np.multiply(a, b, out=out)``; two complex arrays of one dtype (promoted) multiply as
    ATen's CPU kernel rounds them (``kernels/complex_mul.py``; numpy fuses the products)."""
    d = getattr(b if a.__class__ in _PY_NUMBERS else a, "dtype", None)
    if d is not _C64 and d is not _C128:  # (identity tests: the float paths' only cost)
        return np.multiply(a, b) if out is None else np.multiply(a, b, out=out)
    if a.__class__ in _PY_NUMBERS:
        a, b = b, a  # a number times a complex array: the array first (the product commutes)
    if b.__class__ in _PY_NUMBERS:
        b = np.asarray(b, d)  # a wrapped number, as ATen's: a 0-d tensor of a's dtype
    if getattr(b, "dtype", None) is not d:
        return np.multiply(a, b) if out is None else np.multiply(a, b, out=out)
    block = _CMUL[d]
    shape = a.shape if a.shape == b.shape or (b.size == 1 and b.ndim <= a.ndim) else \
        b.shape if a.size == 1 and a.ndim <= b.ndim else np.broadcast_shapes(a.shape, b.shape)
    n = math.prod(shape)
    whole = n and a.flags.c_contiguous and b.flags.c_contiguous and (
        a.shape == b.shape or a.size == 1 or b.size == 1)
    if whole:  # one row: the common cases, without loop_rows' layout analysis
        inner, cut, bcast, c_order = n, n // block * block, a.shape != b.shape, True
    else:
        inner, cut, bcast, c_order, positions = loop_rows([a, b], shape or (1,), block)
    lo, hi = _fused_span(inner, cut, bcast, a.dtype == np.complex128)
    if c_order and n:
        res = np.empty(shape, a.dtype)
        cmul_rows_(res.reshape(-1), _flat(a, shape, n), _flat(b, shape, n), inner, lo, hi)
    else:  # rows in another order (transposed inputs): numpy's layout, the twin's values
        pos = positions().reshape(shape)
        res = np.multiply(a, b)
        res[...] = cmul_numpy(a, b, (pos >= lo) & (pos < hi))
    return _out(res, out)


def _flat(x, shape, n):
    """``x`` broadcast to ``shape`` as a flat C-contiguous array (one element: kept so)."""
    if x.size == 1:
        return np.ascontiguousarray(x.reshape(1))
    if x.shape != shape or not x.flags.c_contiguous:
        x = np.ascontiguousarray(np.broadcast_to(x, shape))
    return x.reshape(n)


class Add(Node):
    ufunc = np.add  # the forward's ufunc and what it saves: for node.operator
    saves = ()
    fuse = "{0} + {1}"
    fuse_backward = ("{g}", "{g}")
    complex_backward = LINEAR
    def forward(self, a, b, out=None):
        return _ufunc(np.add, "add", a, b, out)

    def backward(self, g):
        return g, g


def _refuse_bool_sub(a, b):
    """PyTorch refuses a bool operand of ``sub`` (numpy refuses two bools, and made ints of
    one)."""
    ba, bb = _is_bool(a), _is_bool(b)
    if ba or bb:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead." if ba and bb else
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


class Sub(Node):
    ufunc = np.subtract  # the forward's ufunc and what it saves: for node.operator
    saves = ()
    fuse = "{0} - {1}"
    fuse_backward = ("{g}", "-{g}")
    complex_backward = LINEAR
    def forward(self, a, b, out=None):
        if type(a) is _ndarray and type(b) is _ndarray and a.dtype is b.dtype and \
                a.dtype.kind == "f":  # the common case, checked cheaply
            return _ufunc(np.subtract, "sub", a, b, out)
        _refuse_bool_sub(a, b)
        return _ufunc(np.subtract, "sub", a, b, out)

    def backward(self, g):
        return g, -g


class RsubScalar(Sub):
    """``number - x`` (``2 - x``, ``rsub(x, 2)``): ``Sub`` of ``(number, x)`` under the name
    of PyTorch's node, ``rsub(Tensor, Scalar)``'s. (PyTorch's has one edge, to ``x``; this
    one has Sub's two, the first None: a fused replay of a captured step reads the number as
    a positional input.)"""

    _op_name = "sub"  # as before: the refusals of `2 - x` name sub

    _grad_fn = "RsubBackward1"


_F16 = np.dtype(np.float16)
_NUMBERS = (float, int)
#: the result dtypes whose ``add``/``sub`` with ``alpha`` run ``AddScaled`` (one rounding)
_FUSED_ALPHA = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64,
                                                np.complex64, np.complex128))


def _fused_add(a, b, alpha, dt):
    """``a + alpha * b`` in ``dt``, as ATen's CPU ``add`` kernel computes it: both operands
    (numbers too) and ``alpha`` in ``dt``, then for floats one fused multiply-add (rounded
    once: two roundings left ~2% of float32 elements 1 ulp off, more for some ``alpha``), for
    complex numbers its vectorised product ``(br*ar - bi*ai, br*ai + bi*ar)`` plus ``a``
    (numpy's complex product is fused and differs). A float, or a float64 array, made
    float16 through float32 (``half_source``), as ATen's casts."""
    if dt == _F16:
        a, b = np.asarray(half_source(a, dt), dt), np.asarray(half_source(b, dt), dt)
        return _half_add(a, b, dt.type(half_source(alpha, dt)))
    a, b, alpha = np.asarray(a, dt), np.asarray(b, dt), dt.type(alpha)
    if dt.kind == "f":
        fused = fma_alpha(a, b, alpha)
        if fused is None:
            from autograd_core.kernels.optim import numpy_fma  # (its twin; see fma_alpha)
            fused = np.asarray(numpy_fma(alpha, b, a), dt)
        return fused
    return a + _complex_times(b, alpha)


def _half_add(a, b, alpha):
    """``a + alpha * b`` of float16 arrays and ``alpha`` as ATen's CPU ``add`` computes it:
    its vector code in float32, rounded once; its scalar code (the tail of each row, see
    ``_loops``) rounding ``alpha * b`` to float16 before adding. (Computed all in float32, an
    element of a 2000-element tail differed; a third differed with ``b * alpha`` rounded
    first.)"""
    with np.errstate(over="ignore", invalid="ignore"):
        value = np.asarray((a.astype(np.float32) + b.astype(np.float32) * np.float32(alpha))
                           .astype(_F16))
        tail = scalar_elements([a, b], value.shape)
        if tail is not None:  # (numpy's float16 arithmetic is slow: the tail's elements only)
            value[tail] = (np.broadcast_to(a, value.shape)[tail]
                           + np.broadcast_to(b, value.shape)[tail] * alpha)
    return value


def _complex_times(b, alpha):
    """``b * alpha`` of a complex array and number as ATen's vectorised CPU product rounds it
    (each of the four real products rounded, then summed)."""
    ar, ai = alpha.real, alpha.imag
    p = np.empty(b.shape, b.dtype)
    p.real = b.real * ar - b.imag * ai
    p.imag = b.real * ai + b.imag * ar
    return p


class AddScaled(Node):
    """``add(input, other, alpha=)`` of float and complex results (``SubScaled``: ``sub``'s,
    ``alpha`` negated), rounded as PyTorch's (``_fused_add``); gradients ``g`` and
    ``g * alpha`` (``g * conj(alpha)`` for complex numbers, PyTorch's ``maybe_multiply``)."""

    _op_name = "add"
    _grad_fn = "AddBackward0"
    complex_backward = HOLOMORPHIC

    def forward(self, a, b, *, alpha):
        self.save_for_backward(alpha)
        try:
            return _fused_add(a, b, alpha, result_type(a, b))
        except ValueError:
            raise _broadcast_error(self._op_name, a, b) from None

    def backward(self, g):
        (alpha,) = self.saved
        n = self.needs_input_grad
        fused = type(g) is _ndarray and g.dtype.kind == "c" and type(alpha) is complex
        return g if n[0] else None, (None if not n[1] else _complex_times(g, alpha) if fused
                                     else _times(g, alpha))


class SubScaled(AddScaled):
    """``sub(input, other, alpha=)``: ``AddScaled`` of ``-alpha``, as ATen's ``sub``."""

    _op_name = "sub"
    _grad_fn = "SubBackward0"


def _add_scaled(node, input, other, alpha):
    """``input + alpha * other`` through ``node`` where its result dtype is fused (ATen's
    checks of ``alpha`` first), else ``None``."""
    if type(alpha) not in (int, float, complex):
        return None
    dt = result_type(_raw(input), _raw(other))
    if dt not in _FUSED_ALPHA:
        return None
    if isinstance(alpha, complex) and dt.kind != "c":
        _scaled(input, other, alpha)  # PyTorch's refusal
    return node.apply(input, other, alpha=alpha)


def is_number(x):
    """Whether ``x`` is a Python number (bool, int, float, complex; numpy's float64 too)."""
    return isinstance(x, (int, float, complex))


class Mul(Node):
    saved_names = ("other", "self")  # grad_fn._saved_other, ._saved_self
    ufunc = np.multiply  # the forward's ufunc and what it saves: for node.operator
    saves = ((1, 0), (0, 1))
    fuse = "{0} * {1}"
    fuse_backward = ("{g} * {0}", "{g} * {1}")
    def forward(self, a, b, out=None):
        n = self.needs_input_grad
        self.save_for_backward(b if n[0] else None, a if n[1] else None)
        if _half_in_float32(a, b):
            return _out(_in_float32(np.multiply, a, b), out)
        return _ufunc(_multiply, "mul", a, b, out)

    def backward(self, g):
        b, a = self.saved
        # a Python number times a float16 gradient in float32 (_times); arrays as they are
        return (None if b is None else _times(g, b) if b.__class__ in _NUMBERS else g * b), \
            (None if a is None else _times(g, a) if a.__class__ in _NUMBERS else g * a)

    def complex_backward(self, g):
        """PyTorch's ``grad * other.conj()``: the conjugate made first (a new array), then the
        product, rounded as ATen's (the holomorphic rule's ``conj(conj(grad) * other)`` fuses
        other elements where ``other`` is strided)."""
        mul = operator.mul if self.differentiable else _multiply
        return tuple(None if x is None else mul(g, x.conjugate() if x.__class__ in _PY_NUMBERS
                                                else conj(x)) for x in self.saved)


class Div(Node):
    saved_names = ("self", "other")
    ufunc = np.true_divide  # the forward's ufunc and what it saves: for node.operator
    saves = ((0, 1), (1, None))
    fuse = "{0} / {1}"
    fuse_backward = ("{g} / {1}", "-{g} * (({0} / {1}) / {1})")
    complex_backward = HOLOMORPHIC
    def forward(self, a, b, out=None):
        n = self.needs_input_grad
        self.save_for_backward(a if n[1] else None, b)
        if _half_in_float32(a, b):
            return _out(_in_float32(np.true_divide, a, b), out)
        return _ufunc(np.true_divide, "div", a, b, out, true_divide=True)

    def backward(self, g):
        a, b = self.saved
        n = self.needs_input_grad
        ga = (_over(g, b) if b.__class__ in _NUMBERS else g / b) if n[0] else None
        if not n[1]:
            gb = None
        elif _half_by_scalar(g, b):  # ATen's float16 quotients, each rounded (see forward)
            gb = -g * _in_float32(np.true_divide, _in_float32(np.true_divide, a, b), b)
        elif _half_by_scalar(g, a):  # a one-element dividend is cast to float16 first, as ATen's
            gb = -g * ((a.astype(np.float16) / b) / b)
        else:
            gb = -g * ((a / b) / b)  # not a / (b*b): b*b over/underflows
        return ga, gb


def _div_rounded(a, b, rounding_mode):
    """``a / b`` rounded toward zero (``"trunc"``) or down (``"floor"``) in PyTorch's promoted
    dtype, integers staying integers (ATen's ``div_trunc`` / ``div_floor``; ``floor_divide``
    too). Floats: IEEE results at a zero divisor (``inf``, ``nan``, signed zeros kept), floor
    as ATen's CPU loop computes it (Python's ``//``). Integers: a zero divisor raises
    PyTorch's ``RuntimeError``."""
    np.broadcast_shapes(np.shape(a), np.shape(b))  # a ValueError first, as PyTorch's order
    if type(a) is np.ndarray and a.dtype == np.float16 and (
            type(b) in (int, float) or (type(b) is np.ndarray and b.size == 1 and (
                b.dtype == np.float16 or _half_by_scalar(a, b)))):
        # ATen's float16 kernels read a number or one-element divisor as float32 and round the
        # float32 result once (the trunc/floor of the float32 quotient, not of its float16)
        b32 = np.float32(b) if type(b) in (int, float) else b.astype(np.float32)
        return _div_rounded(a.astype(np.float32), b32, rounding_mode).astype(np.float16)
    a, b = _promote(a, b)
    dt = np.result_type(a, b)
    if dt.kind in "bc":
        raise NotImplementedError(f'"div_{rounding_mode}_cpu" not implemented for '
                                  f"'{_args.torch_name(dt)}'")
    if dt.kind in "iu":
        if np.any(np.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(over="ignore"):  # INT_MIN // -1 wraps, as PyTorch's
            q, r = np.divmod(a, b)
        if rounding_mode == "trunc" and dt.kind == "i":  # floor is one below where signs differ
            q = q + ((r != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))).astype(dt)
        return np.asarray(q)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a, b = np.asarray(a, dt), np.asarray(b, dt)  # a Python number in the dtype, as ATen
        q = np.true_divide(a, b)
        if rounding_mode == "trunc":
            return np.asarray(np.trunc(q))
        if dt == np.float16:  # each of ATen's steps rounds to float16: run them all
            return _aten_floor_div(a, b, q)
        # floor(q) is ATen's result (the exact floor) unless q is an integer (which the
        # rounding of a / b may have reached from below), not finite, or too large for ATen's
        # steps to be exact: those few are redone as ATen does
        floor = np.asarray(np.floor(q))
        redo = (floor == q) | ~np.isfinite(q) | (np.abs(q) >= 2.0 ** (np.finfo(dt).nmant - 2))
        if redo.any():
            a, b = np.broadcast_arrays(a, b)
            floor[redo] = _aten_floor_div(a[redo], b[redo], q[redo])
        return floor


def _aten_floor_div(a, b, q):
    """ATen's vectorised floor division of floats (``q = a / b``), step by step in the dtype:
    the quotient corrected by ``fmod``, snapped to the nearest integer."""
    mod = np.fmod(a, b)
    div = np.where(np.isinf(q) & ~np.isinf(a), a, a - mod) / b
    div = np.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
    floor = np.floor(div)
    floor = np.where(div - floor > 0.5, floor + 1, floor)
    floor = np.where(div == 0, np.copysign(0, q), floor)
    return np.where(b == 0, q, floor)


class DivRounded(Node):
    """``div`` with a ``rounding_mode``: piecewise constant, so both gradients are zeros (as
    PyTorch's ``DivBackward``, whatever the incoming gradient)."""

    _op_name = "div"  # the public op a refusal names (Node.op_name)

    _grad_fn = "DivBackward2"  # PyTorch's div(Tensor, Tensor, rounding_mode) (a number made a tensor)

    def forward(self, a, b, *, rounding_mode):
        try:
            return _div_rounded(a, b, rounding_mode)
        except ValueError:
            raise _broadcast_error("div", a, b) from None

    def backward(self, g):
        return xp.zeros_like(g), xp.zeros_like(g)


def _deprecated_alpha(name: str, other: Any, rest: tuple) -> tuple[Any, Any]:
    """PyTorch's deprecated ``name(Number alpha, Tensor other)`` overload (old tutorials'
    ``p.data.add_(-lr, p.grad.data)``): warn as PyTorch does, return ``(other, alpha)``."""
    if len(rest) != 1 or isinstance(other, (Tensor, builtins.bool)) \
            or not isinstance(other, (builtins.int, builtins.float)):
        raise TypeError(f"{name}() takes 2 positional arguments but {2 + len(rest)} were given")
    warn_caller(f"This overload of {name} is deprecated:\n\t{name}(Number alpha, Tensor other)"
                f"\nConsider using one of the following signatures instead:\n\t{name}(Tensor "
                f"other, *, Number alpha = 1)")
    return rest[0], other


def _value_first(name: str, tensor1: Any, tensor2: Any, rest: tuple,
                 value: Any) -> tuple[Any, Any, Any]:
    """PyTorch's deprecated ``name(Number value, Tensor tensor1, Tensor tensor2)`` overload
    (old optimizers' ``exp_avg_sq.addcmul_(1 - beta2, grad, grad)``): warn as PyTorch's method
    forms do, return ``(tensor1, tensor2, value)``."""
    number = isinstance(tensor1, (builtins.int, builtins.float, builtins.complex, np.number))
    if len(rest) != 1 or not number or value != 1:
        raise TypeError(f"{name}() takes 3 positional arguments but {3 + len(rest)} were given")
    warn_caller(
        f"This overload of {name} is deprecated:\n\t{name}(Number value, Tensor tensor1, "
        f"Tensor tensor2)\nConsider using one of the following signatures instead:\n\t{name}"
        "(Tensor tensor1, Tensor tensor2, *, Number value = 1)")
    return tensor2, rest[0], tensor1


def _binary_sample(name, fn, alias, **kw):
    return Sample(name, fn, 2, broadcasts=True, aliases=(alias,), **kw)


@op("add", node=Add, method=True,
    samples=[_binary_sample("add", lambda a, b: a + b, "+")])
def add(input: Any, other: Any, *_deprecated: Any, alpha: builtins.float = 1) -> Tensor:
    """Add ``other``, scaled by ``alpha``, to ``input``.

    ``out = input + alpha * other``, broadcasting as numpy does and promoting dtypes as PyTorch
    does; the gradient of a broadcast operand is summed back to its shape. Also ``input + other``.

    Args:
        input (Tensor or number): the first operand.
        other (Tensor or number): the second operand.
        alpha (number): the multiplier of ``other``. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.add(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]), alpha=2)
        tensor([ 7., 10.])
    """
    if _deprecated:
        other, alpha = _deprecated_alpha("add", other, _deprecated)
    if alpha != 1 or type(alpha) is not builtins.int:
        alpha = plain_number(alpha)
        fused = _add_scaled(AddScaled, input, other, alpha)
        if fused is not None:
            return fused
        return Add.apply(input, _scaled(input, other, alpha))
    return Add.apply(input, other)


def _scaled(input: Any, other: Any, alpha: Any) -> Any:
    """``alpha * other`` for ``add``/``sub``, after PyTorch's checks of ``alpha`` against the
    result's dtype (a float alpha with integers computed a float result). Bool results take
    ``alpha`` as a bool (``a + alpha * b`` is ``a or (alpha and b)``)."""
    dt = result_type(_raw(input), _raw(other))
    kind = dt.kind
    if isinstance(alpha, builtins.bool) and kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, (builtins.float, builtins.complex)) and kind in "biu":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(alpha, builtins.complex) and kind != "c":
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a "
                           "complex number.")
    if kind == "b":
        return other if alpha else other & False
    if kind in "iu" and isinstance(other, Tensor) and other._data.dtype != dt:
        other = other.to(dt)  # ATen's: alpha * other in the result's dtype (uint8 200 * 2
        # in uint8 wrapped to 144 before int8 + it; a bool * 2 was int64)
    return other if alpha == 1 else other * alpha


@op("sub", node=Sub, method=True, aliases=("subtract",),
    samples=[_binary_sample("sub", lambda a, b: a - b, "-")])
def sub(input: Any, other: Any, *_deprecated: Any, alpha: builtins.float = 1) -> Tensor:
    """Subtract ``other``, scaled by ``alpha``, from ``input``.

    ``out = input - alpha * other``, with broadcasting. ``subtract`` is another name; also
    ``input - other``.

    Args:
        input (Tensor or number): the first operand.
        other (Tensor or number): the second operand.
        alpha (number): the multiplier of ``other``. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.sub(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
        tensor([-2., -2.])
    """
    if _deprecated:
        other, alpha = _deprecated_alpha("sub", other, _deprecated)
    if alpha != 1 or type(alpha) is not builtins.int:
        alpha = plain_number(alpha)
        _refuse_bool_sub(_raw(input), _raw(other))  # before alpha * other makes ints of bools
        fused = _add_scaled(SubScaled, input, other, alpha if type(alpha) is bool else -alpha)
        if fused is not None:
            return fused
        return Sub.apply(input, _scaled(input, other, alpha))
    return Sub.apply(input, other)


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


# (not checked as elementwise here: its sub of (other, input) raises in PyTorch's order)
@op("rsub", samples=[Sample("rsub", lambda a, b: rsub(a, b, alpha=2.0), 2, broadcasts=True)],
    elementwise=False)
def rsub(input: Any, other: Any, alpha: builtins.float = 1) -> Tensor:
    """Subtract ``input``, scaled by ``alpha``, from ``other``: ``other - alpha * input``
    (``sub`` with its operands swapped).

    Args:
        input (Tensor): the tensor subtracted.
        other (Tensor or number): what it is subtracted from.
        alpha (number): the multiplier of ``input``. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.rsub(ag.tensor([1.0, 2.0]), 5.0)
        tensor([4., 3.])
    """
    if isinstance(input, Tensor) and is_number(other) and alpha == 1 and \
            type(alpha) is builtins.int:
        return RsubScalar.apply(other, input)
    return sub(other, input, alpha=alpha)


@op("mul", node=Mul, method=True, aliases=("multiply",),
    samples=[_binary_sample("mul", lambda a, b: a * b, "*")])
def mul(input: Any, other: Any) -> Tensor:
    """Multiply ``input`` by ``other`` elementwise.

    With broadcasting; ``multiply`` is another name; also ``input * other``.

    Args:
        input (Tensor or number): the first operand.
        other (Tensor or number): the second operand.

    Example::

        >>> import autograd_core as ag
        >>> ag.mul(ag.tensor([1.0, 2.0]), 2)
        tensor([2., 4.])
    """
    if input.__class__ is not Tensor or other.__class__ is not Tensor:  # (two plain tensors:
        input, other = _first(plain_number(input), other), plain_number(other)  # untouched)
    return Mul.apply(input, other)


def _first(input, other):
    """A Python float given first to the functional form (``torch.mul(0.1, x)``), as
    PyTorch's argument parser makes it: a 0-d tensor cast to ``other``'s dtype. That rounds it
    to float16 for a float16 ``other`` (the operator ``0.1 * x`` reads it in float32 instead,
    as ``x * 0.1``: a third of the elements differ); other dtypes read it as it is."""
    if type(input) is builtins.float and isinstance(other, Tensor) and \
            other._data.dtype == _F16:
        return float(half_number(input, _F16))
    return input


@op("div", node=Div, method=True, aliases=("divide",), samples=[
    _binary_sample("div", lambda a, b: a / b, "/", domain="away_from_zero"),
    Sample("div_trunc", lambda a, b: div(a, b, rounding_mode="trunc"), 2, broadcasts=True,
           domain="away_from_zero"),
    Sample("div_floor", lambda a, b: div(a, b, rounding_mode="floor"), 2, broadcasts=True,
           domain="away_from_zero")])
def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """Divide ``input`` by ``other`` elementwise, rounding the quotient as ``rounding_mode`` says.

    With broadcasting. ``rounding_mode``: ``None`` (true division: integer inputs give the
    default float dtype, as in PyTorch; also ``input / other``), ``"trunc"`` (rounded toward
    zero) or ``"floor"`` (rounded down, as ``floor_divide`` and ``//``). With a rounding mode
    the result has the promoted dtype (integers stay integers, and an integer division by zero
    raises), and its gradient is zero. ``divide`` is another name.

    Args:
        input (Tensor or number): the dividend.
        other (Tensor or number): the divisor.
        rounding_mode (str, optional): ``None``, ``"trunc"`` or ``"floor"``. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> ag.div(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
        tensor([0.3333, 0.5000])
        >>> ag.div(ag.tensor([1, 2]), 2)
        tensor([0.5000, 1.0000])
        >>> ag.div(ag.tensor([7, -7]), 2, rounding_mode="trunc")
        tensor([ 3, -3])
        >>> ag.div(ag.tensor([7.0, -7.0]), 2, rounding_mode="floor")
        tensor([ 3., -4.])
    """
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        input, other = _first(plain_number(input), other), plain_number(other)
    if rounding_mode is None:
        return Div.apply(input, other)
    if not isinstance(rounding_mode, str):
        raise TypeError(f"div(): argument 'rounding_mode' must be str or None, not "
                        f"{type(rounding_mode).__name__}")
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return DivRounded.apply(input, other, rounding_mode=rounding_mode)


@op("true_divide", node=Div, method=True, samples=[
    Sample("true_divide", lambda a, b: true_divide(a, b), 2, broadcasts=True,
           domain="away_from_zero")])
def true_divide(input: Any, other: Any) -> Tensor:
    """Divide ``input`` by ``other`` elementwise: ``div`` without a rounding mode.

    Integer inputs give the default float dtype, as in PyTorch.

    Args:
        input (Tensor or number): the dividend.
        other (Tensor or number): the divisor.

    Example::

        >>> import autograd_core as ag
        >>> ag.true_divide(ag.tensor([1, 3]), 2)
        tensor([0.5000, 1.5000])
    """
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        input, other = _first(plain_number(input), other), plain_number(other)
    return Div.apply(input, other)


def _power(a, b):
    """``a ** b``; integer (or bool: ``True ** x``) bases to negative integer tensors as
    PyTorch's (numpy refuses): 1 and -1 keep their powers, every other base (0 too) gives 0.
    Two bools have no power (PyTorch's kernel has no bool loop; numpy's gives int8)."""
    if np.asarray(a).dtype == np.bool_ and np.asarray(b).dtype == np.bool_:
        raise _args.not_implemented("pow", np.dtype(bool))
    if np.asarray(b).dtype.kind not in "iu" or np.asarray(a).dtype.kind not in "biu":
        return np.power(a, b)
    neg = np.asarray(b) < 0
    if not neg.any():
        return np.power(a, b)
    y = np.power(a, np.where(neg, 0, b))
    odd = np.asarray(b) & 1
    inverse = np.where(a == 1, 1, np.where(a == -1, 1 - 2 * odd, 0))
    return np.where(neg, inverse, y).astype(y.dtype)


class Pow(Node):
    """a ** b with tensor exponent. d/db = a**b * log(a), taken as 0 where a == 0 and b >= 0
    (PyTorch's convention)."""
    saved_names = ("self", "exponent", "result")

    _grad_fn = "PowBackward1"  # PyTorch's node of pow(Tensor, Tensor)

    complex_backward = HOLOMORPHIC
    def forward(self, a, b):
        try:
            y = _power(*_promote(a, b))
        except ValueError:
            raise _broadcast_error("pow", a, b) from None
        self.save_for_backward(a, b, y)
        return y

    def backward(self, g):
        a, b, y = self.saved
        n = self.needs_input_grad
        ga = gb = None
        if n[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                ga = g * (b * a ** (b - 1))  # PyTorch's grouping, so its bits
                ga = xp.where(xp.data(b) == 0, 0.0, ga)
        if n[1]:
            gb = _exponent_grad(g, a, b, y)
        return ga, gb


def _exponent_grad(g, a, b, y):
    """The gradient of ``y = a ** b`` with respect to ``b``, ``log(a)`` in the result's dtype
    (a half base with a float32 exponent is not rounded to half: PyTorch's promotion), and
    complex where the power is (a negative real base to a complex exponent:
    ``log(-2) = log 2 + i pi``)."""
    dt = xp.data(y).dtype
    if isinstance(a, Tensor):
        a = a if a._data.dtype == dt else a.to(dt)
    elif isinstance(a, np.ndarray):
        a = a.astype(dt, copy=False)
    if np.iscomplexobj(xp.data(y)) and not np.iscomplexobj(xp.data(a)):
        a = a * (1 + 0j)
    with np.errstate(divide="ignore", invalid="ignore"):
        zero_base = (xp.data(a) == 0) & (np.real(xp.data(b)) >= 0)
        return g * xp.where(zero_base, 0.0, y * xp.log(xp.where(zero_base, 1.0, a)))


class ScalarPow(Node):
    """``number ** x`` (``2 ** x``, ``pow(2, x)``): PyTorch's ``pow(Scalar, Tensor)`` node, one
    edge, the base a constant; the values and the gradient are ``Pow``'s."""

    saved_names = ("exponent", "result")
    complex_backward = HOLOMORPHIC
    _op_name = "pow"

    _grad_fn = "PowBackward2"

    def forward(self, x, base):
        self.base = base
        try:
            y = _power(*_promote(base, x))
        except ValueError:
            raise _broadcast_error("pow", base, x) from None
        self.save_for_backward(x, y)
        return y

    def backward(self, g):
        x, y = self.saved
        return (_exponent_grad(g, self.base, x, y),)


@op("pow", node=Pow, method=True, elementwise=True, samples=[
    _binary_sample("pow", lambda a, b: a ** b, "**", domain="positive"),
    Sample("pow_scalar", lambda a: a ** 3.0)])
def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001 - PyTorch's name
    """Raise ``input`` to the power ``exponent``, elementwise.

    Either may be a Tensor (with broadcasting) or a number. The derivative with respect to a
    Tensor exponent is ``input ** exponent * log(input)``, taken as 0 where ``input == 0`` and
    ``exponent >= 0`` (PyTorch's convention). Also ``input ** exponent``.

    Args:
        input (Tensor or number): the base.
        exponent (Tensor or number): the exponent.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> ag.pow(x, 2)
        tensor([1., 4.])
        >>> ag.pow(2, x)
        tensor([2., 4.])
    """
    input, exponent = plain_number(input), plain_number(exponent)
    if isinstance(exponent, Tensor):
        if is_number(input):  # a number raised to a tensor
            return ScalarPow.apply(exponent, base=input)
        return Pow.apply(input, exponent)
    if not isinstance(input, Tensor):
        return Pow.apply(input, exponent)
    return PowScalar.apply(input, exponent=exponent)


def _inputs_if_copied(operands, inputs):
    """The input arrays that ``operands`` (their promoted forms) are not: saved beside them,
    so that an in-place change of the input still refuses the backward."""
    return tuple(x for x, o in zip(inputs, operands) if x is not o and isinstance(x, np.ndarray))


class Maximum(Node):
    """Elementwise maximum; at ties the gradient is split equally (PyTorch's rule)."""

    pick = staticmethod(np.maximum)
    less = staticmethod(np.less)  # a loses where a < b

    def forward(self, a_in, b_in):
        a, b = _promote(a_in, b_in)
        _args.refuse_complex("{name} not implemented for complex tensors.", a, b,
                             name=type(self).__name__.lower())  # numpy: lexicographic order
        try:
            y = self.pick(a, b)
        except ValueError:
            raise _broadcast_error(type(self).__name__.lower(), a, b) from None
        if y.dtype.kind == "c":  # numpy's lexicographic order is no order PyTorch gives
            raise RuntimeError(f"{type(self).__name__.lower()} not implemented for complex "
                               "tensors.")
        # the operands saved (as PyTorch's), the inputs too where promotion copied them: an
        # in-place change of either since refuses the backward; after `x.data = v` it reads v
        self.save_for_backward(a, b, *_inputs_if_copied((a, b), (a_in, b_in)))
        return y

    def backward(self, g):
        # PyTorch's rule: a tie halves the gradient; the loser gets none; NaN, which neither
        # wins nor ties, passes the gradient to both sides
        a_, b_ = (np.asarray(xp.data(v)) for v in self.saved[:2])
        with np.errstate(invalid="ignore"):
            a_loses, b_loses, tie = self.less(a_, b_), self.less(b_, a_), a_ == b_
        share = xp.where(tie, g * 0.5, g)
        return xp.where(a_loses, 0.0, share), xp.where(b_loses, 0.0, share)


class Minimum(Maximum):
    pick = staticmethod(np.minimum)
    less = staticmethod(np.greater)


op("maximum", method=True, n_inputs=2, broadcasts=True, domain="distinct", doc="""
    Return the elementwise maximum of ``input`` and ``other``.

    They broadcast together. At ties the gradient is split equally between the two, and a NaN
    propagates, as in PyTorch.

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand.

    Example::

        >>> import autograd_core as ag
        >>> ag.maximum(ag.tensor([1.0, 2.0]), ag.tensor([1.5, 1.5]))
        tensor([1.5000, 2.0000])
    """)(Maximum)
op("minimum", method=True, n_inputs=2, broadcasts=True, domain="distinct", doc="""
    Return the elementwise minimum of ``input`` and ``other``.

    They broadcast together. At ties the gradient is split equally between the two, and a NaN
    propagates, as in PyTorch.

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand.

    Example::

        >>> import autograd_core as ag
        >>> ag.minimum(ag.tensor([1.0, 2.0]), ag.tensor([1.5, 1.5]))
        tensor([1.0000, 1.5000])
    """)(Minimum)


_NO_ARGUMENT = object()  # where(condition) alone: not a value input or other could take


class Where(Node):
    """where(cond, a, b); ``cond`` is a constant (bool array)."""

    complex_backward = LINEAR
    def forward(self, cond, a, b):
        cond = np.asarray(cond, dtype=bool)
        self.save_for_backward(cond)
        if type(a) is not _ndarray or type(b) is not _ndarray:
            # a number converted into the result's dtype as PyTorch's: beyond it refused
            # (1e40 with float32: numpy gave inf; 300 with int8 wrapped), float16's inf kept
            dt = result_type(a, b)
            for v in (a, b):
                if not isinstance(v, _ndarray):
                    _args.scalar_for(v.item() if isinstance(v, np.generic) else v, dt,
                                     overflow=dt != np.float16)
        a, b = _promote(a, b)  # (int64 and 3.5: float32, as PyTorch's)
        if not isinstance(a, (_ndarray, np.generic)) and not isinstance(b, (_ndarray, np.generic)):
            a = np.asarray(a, result_type(a, b))  # two numbers: 1.0 and 0.0 give float32
        try:
            return np.where(cond, a, b)
        except ValueError:
            # PyTorch's error (RuntimeError) for the first two of the three that do not broadcast
            for p, q in ((a, b), (cond, a), (cond, b)):
                try:
                    np.broadcast_shapes(np.shape(p), np.shape(q))
                except ValueError:
                    raise _broadcast_error("where", p, q) from None
            raise

    def backward(self, g):
        (cond,) = self.saved
        n = self.needs_input_grad
        ga = xp.where(cond, g, 0.0) if n[1] else None
        gb = xp.where(cond, 0.0, g) if n[2] else None
        return None, ga, gb


@op("where", node=Where, samples=[
    Sample("where", lambda a, b: where(a._data > 0, a, b), 2, broadcasts=True)])
def where(condition: Any, input: Any = _NO_ARGUMENT, other: Any = _NO_ARGUMENT) -> Any:
    """Choose, elementwise, from ``input`` where ``condition`` is True and from ``other`` elsewhere.

    The three broadcast together; ``condition`` gets no gradient, ``input`` and ``other`` get
    the gradient where they were chosen. ``where(condition)`` alone is
    ``nonzero(condition, as_tuple=True)``: the indices of the nonzero elements, one tensor per
    dimension.

    Args:
        condition (Tensor or array of bool): where to take ``input``.
        input (Tensor or number): the values where ``condition`` holds.
        other (Tensor or number): the values elsewhere.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([-1.0, 2.0])
        >>> ag.where(x > 0, x, ag.zeros(2))
        tensor([0., 2.])
        >>> ag.where(x > 0)
        (tensor([1]),)
    """
    if input is _NO_ARGUMENT and other is _NO_ARGUMENT:
        cond = condition if isinstance(condition, Tensor) else Tensor._make(
            np.asarray(condition), None, False)
        return cond.nonzero(as_tuple=True)
    if input is _NO_ARGUMENT or other is _NO_ARGUMENT:
        raise TypeError("where() takes a condition alone or a condition, input and other")
    # the condition goes in as a tensor: a captured step reads it at every replay
    cond = condition if isinstance(condition, Tensor) else np.asarray(condition)
    kind = (cond._data if isinstance(cond, Tensor) else cond).dtype
    if kind == np.uint8:
        warn_caller("where received a uint8 condition tensor. This behavior is deprecated and "
                    "will be removed in a future version of PyTorch. Use a boolean condition "
                    "instead.")
    elif kind != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_args.torch_name(kind)}")
    return Where.apply(cond, input, other)


_REAL = np.dtype(np.float64)  # the dtype of what has none (a Python number)
#: the value-only binary ops defined for complex numbers, or that refuse them themselves with
#: their ATen kernel's name (the integer ones by their promoted dtype; floor_divide as div_floor)
_COMPLEX_FINE = frozenset(("eq", "ne", "logical_and", "logical_or", "logical_xor", "gcd", "lcm",
                           "floor_divide",
                           "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                           "bitwise_right_shift"))


def _operands_as_aten(a, b, floats=False):
    """Integer and float operands of a comparison in their promoted dtype, as ATen compares
    them: a Python int or a 0-d tensor outside an n-d tensor's integer dtype wraps into it
    (``uint8 > -1`` is ``uint8 > 255``, False), where numpy would compare the values; with
    ``floats`` (the comparisons, not the other ops of ``Compare``) a float result dtype is
    reached as PyTorch's casts reach it (``_cast``): a number compared with a float16 tensor
    made float16 through float32 (numpy rounded it once), a 0-d float64 tensor or numpy
    float64 compared with a float32 tensor made float32 (numpy compared in float64)."""
    ta, tb = type(a), type(b)
    if ta is _ndarray and tb is _ndarray and a.dtype is b.dtype:
        return a, b
    if floats:
        arr = a if tb in _REAL_TYPES and ta is _ndarray else b if (
            ta in _REAL_TYPES and tb is _ndarray) else None
        if arr is not None and arr.dtype.kind == "f" and arr.dtype.itemsize > 2:
            return a, b  # a number with a float32/float64 array: numpy's weak one is PyTorch's
        dt = result_type(a, b)
        if dt.kind == "f":
            return _cast(a, dt), _cast(b, dt)
    da, db = np.asarray(a).dtype, np.asarray(b).dtype
    if da.kind not in "iu" or db.kind not in "iu" or da == db:
        return a, b
    dt = result_type(a, b)
    return np.asarray(a).astype(dt, copy=False), np.asarray(b).astype(dt, copy=False)


_EQUALITIES = frozenset(("eq", "ne"))


class Compare(Node):
    """``ufunc(a, b)`` for a comparison: a bool result, never differentiable. Run as a node
    (under no_grad, so nothing is recorded for autograd) so that ``ag.compile`` replays it on
    each call's values instead of refusing a mask made from a tensor."""

    def forward(self, a, b, ufunc, name):
        if (getattr(a, "dtype", _REAL).kind == "c" or getattr(b, "dtype", _REAL).kind == "c"
                or type(b) is complex) and name not in _COMPLEX_FINE:
            # numpy would order complex values lexicographically
            dt = np.result_type(a, b)
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_args.torch_name(dt)}'")
        a, b = _operands_as_aten(a, b, name in _EQUALITIES)
        try:
            return np.asarray(ufunc(a, b))
        except ValueError:
            raise _broadcast_error(name, a, b) from None


class Order(Compare):
    """``<``, ``<=``, ``>``, ``>=``: refused for complex numbers (PyTorch's error; numpy's
    lexicographic order is not one PyTorch gives)."""

    def forward(self, a, b, ufunc, name):
        ta, tb = type(a), type(b)  # arrays and Python numbers without a call: comparisons are hot
        if (a.dtype.kind == "c" if ta is _ndarray else ta not in _REAL_TYPES and _complex(a)) or (
                b.dtype.kind == "c" if tb is _ndarray else tb not in _REAL_TYPES and _complex(b)):
            raise _args.not_implemented(f"{name}_cpu", result_type(a, b))
        a, b = _operands_as_aten(a, b, True)
        try:
            return np.asarray(ufunc(a, b))
        except ValueError:
            raise _broadcast_error(name, a, b) from None


_REAL_TYPES = frozenset((int, float, bool))


def _complex(x):
    return np.asarray(x).dtype.kind == "c"


def _comparison(name, fn, symbol, example, alias=None):
    node = Order if name in ("lt", "le", "gt", "ge") else Compare

    def compare(input, other):
        return apply_nondifferentiable(node, input, other, ufunc=fn, name=name)

    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = (
        f"Compare ``input`` and ``other`` elementwise with ``{symbol}``.\n\n"
        "They broadcast together; the result is a bool tensor, not differentiable. Also "
        f"``input {symbol} other``" + (f"; ``{alias}`` is another name" if alias else "") + ".\n\n"
        "Args:\n    input (Tensor): the tensor to compare.\n"
        "    other (Tensor or number): what to compare it with.\n\n"
        "Example::\n\n    >>> import autograd_core as ag\n"
        f"    >>> ag.{name}(ag.tensor([1.0, 2.0, 3.0]), 2.0)\n    {example}\n")
    return op(name, method=True, samples=(), aliases=(alias,) if alias else (),
              elementwise=True)(compare)


eq = _comparison("eq", np.equal, "==", "tensor([False,  True, False])")
ne = _comparison("ne", np.not_equal, "!=", "tensor([ True, False,  True])", "not_equal")
lt = _comparison("lt", np.less, "<", "tensor([ True, False, False])", "less")
le = _comparison("le", np.less_equal, "<=", "tensor([ True,  True, False])", "less_equal")
gt = _comparison("gt", np.greater, ">", "tensor([False, False,  True])", "greater")
ge = _comparison("ge", np.greater_equal, ">=", "tensor([False,  True,  True])",
                 "greater_equal")
