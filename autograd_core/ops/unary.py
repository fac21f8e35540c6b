"""Unary elementwise math ops. Where the derivative is cheapest in terms of the output
(exp, sqrt), the output is saved instead of the input."""

from __future__ import annotations

from typing import Any
import numpy as np

from autograd_core.kernels.complex_abs import cabs64
from autograd_core._casts import half_number
from autograd_core.node import HOLOMORPHIC, LINEAR, Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.registry import Sample, before_shapes, op, refuse_capture
from autograd_core.tensor import DEFAULT_DTYPE, Tensor, note_complex


@op("neg", method=True, samples=[Sample("neg", lambda a: -a, aliases=("unary -",))], doc="""
    Return the negative of each element of ``input``.

    ``out = -input``.

    Also ``-input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.neg(ag.tensor([1.0, -2.0, 0.5]))
        tensor([-1.0000,  2.0000, -0.5000])
    """)
class Neg(Node):
    fuse = "-{0}"
    fuse_backward = ("-{g}",)
    complex_backward = LINEAR
    def forward(self, x, out=None):
        if x.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return np.negative(x, out=out)

    def backward(self, g):
        return (-g,)


@op("exp", method=True, doc="""
    Return the exponential of each element of ``input``.

    ``out = e ** input``; its derivative is the output itself.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.exp(ag.tensor([0.0, 1.0]))
        tensor([1.0000, 2.7183])
    """)
class Exp(Node):
    saved_names = ("result",)
    complex_backward = HOLOMORPHIC
    def forward(self, x, out=None):
        y = np.exp(_floating(x), out=out)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g * y,)


@op("log", method=True, domain="positive", doc="""
    Return the natural logarithm of each element of ``input``.

    ``out = ln(input)``: nan below 0, -inf at 0.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.log(ag.tensor([1.0, 2.0]))
        tensor([0.0000, 0.6931])
    """)
class Log(Node):
    saved_names = ("self",)
    complex_backward = HOLOMORPHIC
    def forward(self, x, out=None):
        x = _floating(x)
        self.save_for_backward(x)
        return np.log(x, out=out)  # log(0) = -inf, log(-1) = nan, quiet (autograd_core/_quiet.py)

    def backward(self, g):
        (x,) = self.saved
        return (g / x,)


@op("log1p", method=True, domain="positive", grad_fn="Log1PBackward0", doc="""
    Return ``ln(1 + input)`` for each element, accurate for small ``input``.

    Prefer it to ``log(1 + x)`` near 0.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.log1p(ag.tensor([0.0, 1e-8]))
        tensor([0.0000e+00, 1.0000e-08])
    """)
class Log1p(Node):
    complex_backward = HOLOMORPHIC
    def forward(self, x):
        x = _floating(x)
        self.save_for_backward(x)
        return np.log1p(x)

    def backward(self, g):
        (x,) = self.saved
        return (g / (x + 1.0),)


@op("sqrt", method=True, domain="positive", doc="""
    Return the square root of each element of ``input``.

    ``out = input ** 0.5``: nan below 0.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.sqrt(ag.tensor([4.0, 2.0]))
        tensor([2.0000, 1.4142])
    """)
class Sqrt(Node):
    saved_names = ("result",)
    fuse = "np.sqrt({0})"
    fuse_backward = ("{g} / ({0} * D(2.0))",)
    complex_backward = HOLOMORPHIC
    def forward(self, x, out=None):
        y = np.sqrt(_floating(x), out=out)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g / (y * 2.0),)


@op("abs", method=True, domain="away_from_zero", aliases=("absolute",), doc="""
    Return the absolute value of each element of ``input``.

    Its derivative is ``sign(input)``, 0 at 0 (PyTorch's convention).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.abs(ag.tensor([-1.5, 0.0, 2.0]))
        tensor([1.5000, 0.0000, 2.0000])
    """)
class Abs(Node):
    """d|x|/dx = sign(x), 0 at 0 and at NaN (PyTorch's convention). Saves ``x``, as PyTorch
    does: under create_graph the gradient is a function of ``x`` with a zero derivative."""

    def forward(self, x):
        if x.dtype.kind == "b":  # PyTorch has no bool kernel
            raise _args.not_implemented("abs_cpu", x.dtype)
        self.save_for_backward(x)
        if x.dtype == np.complex64:  # ATen's correctly rounded hypot (kernels/complex_abs.py)
            return cabs64(x)
        return np.abs(x)

    def backward(self, g):
        (x,) = self.saved
        return (xp.depends_on(g * xp.real_sign(xp.data(x)), x),)

    def complex_backward(self, g):
        (z,) = self.saved  # g * sgn(z), sgn differentiable for second derivatives
        return (g * (z.sgn() if isinstance(z, Tensor) else np.sign(z)),)


@op("sin", method=True, doc="""
    Return the sine of each element of ``input`` (in radians).

    Its derivative is ``cos(input)``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.sin(ag.tensor([0.0, 1.5707963]))
        tensor([0., 1.])
    """)
class Sin(Node):
    saved_names = ("self",)
    complex_backward = HOLOMORPHIC
    def forward(self, x):
        x = _floating(x)
        self.save_for_backward(x)
        return np.sin(x)

    def backward(self, g):
        (x,) = self.saved
        return (g * xp.cos(x),)


@op("cos", method=True, doc="""
    Return the cosine of each element of ``input`` (in radians).

    Its derivative is ``-sin(input)``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.cos(ag.tensor([0.0, 3.1415927]))
        tensor([ 1., -1.])
    """)
class Cos(Node):
    saved_names = ("self",)
    complex_backward = HOLOMORPHIC
    def forward(self, x):
        x = _floating(x)
        self.save_for_backward(x)
        return np.cos(x)

    def backward(self, g):
        (x,) = self.saved
        return (-(g * xp.sin(x)),)


_F16 = np.dtype(np.float16)


def _pow_scalar(x, p, half=False):
    """``x ** p`` for a number ``p`` as PyTorch computes it on floating tensors: products for
    ``3`` and ``-2`` and ``1 / sqrt`` for ``-0.5`` (numpy's libm ``pow`` rounds other bits and
    is much slower); ``2`` and ``-1`` are numpy's own fast paths; other exponents ``np.power``.
    ``0.5`` is ``sqrt`` as in ATen's kernel, whose NaN at a negative float32/float64 ``x`` is
    positive (numpy's: negative); float16's kernel (``half``) calls ``pow``: ``-0`` and
    ``-inf`` give ``+0`` and ``+inf`` there, a negative ``x`` the negative NaN."""
    if x.dtype.kind == "f" and not isinstance(p, bool):
        if p == 3:
            return x * x * x
        if p == -2:
            return 1 / (x * x)
        if p == -0.5:
            return 1 / np.sqrt(x)
        if p == 0.5:
            y = np.sqrt(x)
            if half:
                return np.where(x == -np.inf, y.dtype.type(np.inf), y + y.dtype.type(0))
            negative = x < 0
            return np.where(negative, y.dtype.type(np.nan), y) if negative.any() else y
    return np.power(x, p)


def _half_power(x, p):
    """``x ** p`` of a float16 array ``x`` as ATen's Half kernel: ``p`` as given, a float one
    made float16 (``x ** (1/3)`` is ``x ** 0.33325...``; ``half_number``), the power of the
    float32 values rounded once."""
    p = float(half_number(p, _F16)) if type(p) is not int else p
    return np.asarray(_pow_scalar(x.astype(np.float32), p, half=True)).astype(np.float16)


class PowScalar(Node):
    """x ** p for a Python number p (float16 in float32, rounded once: ATen's Half kernel,
    which first casts a float ``p`` to float16)."""
    saved_names = ("self",)
    _saved_exponent = property(lambda self: self.p, doc="The exponent (PyTorch's "
                               "``grad_fn._saved_exponent``).")

    _op_name = "pow"  # the public op a refusal names (Node.op_name)

    _grad_fn = "PowBackward0"  # PyTorch's node of pow(Tensor, Scalar)

    complex_backward = HOLOMORPHIC
    def forward(self, x, exponent):
        self.p = exponent
        # (x as given is saved: a converted copy would not be known as the input, and
        # create_graph's backward would hold it as a constant)
        self.save_for_backward(x)
        if x.dtype is _F16 and type(exponent) in (int, float):
            # (p is kept as given for the gradient, as PyTorch's; beyond float16 refused)
            return _half_power(x, _args.scalar_for(exponent, _F16))
        if x.dtype.kind in "biu" and isinstance(exponent, float):
            x = x.astype(DEFAULT_DTYPE[0])  # PyTorch's promotion: an integer tensor ** a float
        elif type(exponent) is complex and x.dtype.kind != "c":  # x ** 1j: complex, as ATen
            x = x.astype(np.promote_types(x.dtype if x.dtype.kind == "f" else DEFAULT_DTYPE[0],
                                          np.complex64))
            note_complex(x.dtype)
        if x.dtype.kind in "iu" and type(exponent) is int:
            # (numpy refuses these too, with OverflowError for an unsigned tensor)
            if exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            if exponent > np.iinfo(x.dtype).max:  # ATen casts the exponent to the dtype
                raise RuntimeError(f"value cannot be converted to type "
                                   f"{_args.int_c_type(x.dtype)} without overflow")
        try:
            y = _pow_scalar(x, exponent)
        except ValueError as exc:  # numpy's words, PyTorch's type
            raise RuntimeError("Integers to negative integer powers are not allowed.") from exc
        # bool ** bool stays bool (numpy's is int8)
        return y.astype(bool) if x.dtype == bool and isinstance(exponent, bool) else y

    def backward(self, g):
        (x,) = self.saved
        p = self.p
        if p == 0:
            return (xp.zeros_like(g),)
        if not self.differentiable:
            # (under create_graph, PyTorch's formula below: it keeps the result in the graph, so
            # x ** 2's second derivative requires grad and its third is zeros)
            if p == 1:
                return (g,)
            if p == 2:
                return (g * x * 2.0,)
        if type(g) is np.ndarray and g.dtype == np.float16 and type(x) is np.ndarray:
            # PyTorch's grad * (p * x.pow(p - 1)), x.pow as its forward, the number's product
            # in float32 (_times)
            return (g * xp._times(_half_power(x, half_number(p - 1, _F16)), p),)
        # PyTorch's grad * (p * x.pow(p - 1)), x.pow as its forward; (g * p) * x ** (p - 1)
        # was an ulp off in a third of float32 elements (x ** 3, x ** -1, x ** 0.5, ...)
        power = _pow_scalar(x, p - 1) if type(x) is np.ndarray else x ** (p - 1)
        return (g * (p * power),)


@op("square", method=True)
def square(input: Tensor) -> Tensor:
    """Return the square of each element of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.square(ag.tensor([-2.0, 3.0]))
        tensor([4., 9.])
    """
    return PowScalar.apply(input, exponent=2)


class Rsqrt(Node):
    """``1 / sqrt(x)``, saving its output as PyTorch's (an in-place change of the input after
    it does not make backward refuse); ``rsqrt(-0.0)`` is ``-inf``."""

    complex_backward = HOLOMORPHIC
    def forward(self, x):
        y = 1.0 / np.sqrt(_floating(x))  # rsqrt(0) = inf, rsqrt(-1) = nan, quiet
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        if xp.is_half(g):  # PyTorch's formula, its float16 steps each rounded
            return (xp._times(g, -0.5) * (y.astype(np.float32) ** 3).astype(np.float16),)
        return (g * (y * y * y) * -0.5,)


@op("rsqrt", node=Rsqrt, method=True, domain="positive", opmath=True)
def rsqrt(input: Tensor) -> Tensor:
    """Return the reciprocal of the square root of each element of ``input``.

    ``out = 1 / sqrt(input)``: inf at 0, nan below 0.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.rsqrt(ag.tensor([4.0, 0.25]))
        tensor([0.5000, 2.0000])
    """
    return Rsqrt.apply(input)



class Clamp(Node):
    """Gradient passes where lo <= x <= hi (inclusive, as PyTorch)."""

    _grad_fn = "ClampBackward1"  # clamp with number bounds: PyTorch's ClampBackward1 (clamp(Tensor, Scalar))

    def forward(self, x, lo, hi):
        kind = x.dtype.kind
        if kind != "f":
            if kind == "c":
                raise NotImplementedError(_args.CLAMP_COMPLEX)
            if isinstance(lo, float) or isinstance(hi, float):
                x = x.astype(DEFAULT_DTYPE[0])  # PyTorch's promotion: integers, a float bound
            elif kind in "iu":  # an int bound converted as ATen converts it: a negative one
                # wraps into an unsigned dtype (clamp(uint8, min=-2) is 254 there), one beyond
                # the dtype is refused (numpy raised OverflowError for both)
                lo, hi = (b if type(b) is not int else _args.scalar_for(b, x.dtype)
                          for b in (lo, hi))
        else:  # a number bound beyond the dtype refused, as PyTorch's (numpy clamped to it);
            # for float16 the bound made float16 as PyTorch's (through float32): the value,
            # and the mask of the gradient, as ATen's (its backward compares with it)
            lo, hi = (_args.scalar_for(b, x.dtype) if type(b) in (int, float) else b
                      for b in (lo, hi))
        # x itself saved, as PyTorch's: an in-place change of it since refuses the backward,
        # and after `x.data = v` the mask is v's (PyTorch's rule reads the saved input)
        self.lo, self.hi = lo, hi
        self.save_for_backward(x)
        y = np.clip(x, lo, hi)
        if kind == "f" and (lo == 0 or hi == 0) and type(y) is np.ndarray and (
                lo is None or hi is None or lo <= hi):
            # at a tie the value is x's, as ATen's max/min (clamp_min(-0.0, 0) is -0.0, as
            # relu's; numpy's clip gave +0.0); min > max: max everywhere
            np.copyto(y, x, where=y == x)
        return y

    def backward(self, g):
        x, lo, hi = xp.data(self.saved[0]), self.lo, self.hi
        if lo is not None and hi is not None:
            mask = (x >= lo) & (x <= hi)
        elif lo is not None:
            mask = x >= lo
        else:
            mask = x <= hi
        return (xp.where(mask, g, 0.0),)


@op("clamp", node=Clamp, method=True, aliases=("clip",), elementwise=True, samples=[
    Sample("clamp", lambda a: a.clamp(-0.5, 0.5), domain="away_from_clamp"),
    Sample("clamp_tensor_bounds", lambda a, b: a.clamp(b * 0.5 - 0.25, b * 0.5 + 0.25), 2,
           domain="distinct")])
def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's argument names
    """Clamp every element of ``input`` into the range ``[min, max]``.

    ``out = min(max(input, min), max)``. The gradient passes where ``min <= input <= max``
    (bounds included, as in PyTorch); Tensor bounds get the gradient where they are the result.
    ``clip`` is another name.

    Args:
        input (Tensor): the input tensor.
        min (number or Tensor, optional): the lower bound.
        max (number or Tensor, optional): the upper bound (at least one of the two is given).

    Example::

        >>> import autograd_core as ag
        >>> ag.clamp(ag.tensor([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if isinstance(input, Tensor) and input._data.dtype.kind == "c":  # before the shapes
        raise before_shapes(NotImplementedError(_args.CLAMP_COMPLEX))
    return clamp_to(input, min, max, Clamp)


class ClampMin(Clamp):
    """``clamp_min`` with a number: Clamp under PyTorch's name of the node."""

    _grad_fn = "ClampMinBackward0"


class ClampMax(Clamp):
    """``clamp_max`` with a number: Clamp under PyTorch's name of the node."""

    _grad_fn = "ClampMaxBackward0"


class ClampTensor(Node):
    """``clamp`` with Tensor bounds (one may be None), ATen's ``clamp.Tensor``: the three in
    their promoted dtype (a 0-d bound promotes as a 0-d operand), ``min(max(x, lo), hi)`` with
    NaN wherever an operand is NaN; PyTorch's gradients (``clamp_backward``,
    ``clamp_backward_min_max``): ``x``'s where ``lo <= x <= hi``, ``lo``'s where ``x < lo``
    (and ``lo < hi``), ``hi``'s where ``x > hi`` (or ``hi < lo``)."""

    _op_name = "clamp"
    _grad_fn = "ClampBackward0"

    def forward(self, x, lo, hi):
        self.save_for_backward(x, lo, hi)  # (the inputs themselves: version-checked)
        dt = self.dt = _args.result_type(x, lo, hi)
        x, lo, hi = (None if v is None else np.asarray(v, dt) for v in (x, lo, hi))
        y = x if lo is None else np.maximum(x, lo)  # (numpy's propagate NaN, as ATen's)
        return y if hi is None else np.minimum(y, hi)

    def backward(self, g):
        x, lo, hi = (None if v is None else np.asarray(xp.data(v), self.dt) for v in self.saved)
        need = self.needs_input_grad
        if lo is not None and hi is not None:
            gx = xp.where((x >= lo) & (x <= hi), g, 0.0) if need[0] else None
            glo = xp.where((x < lo) & (lo < hi), g, 0.0) if need[1] else None
            ghi = xp.where((x > hi) | (hi < lo), g, 0.0) if need[2] else None
            return gx, glo, ghi
        if lo is not None:
            return (xp.where(x >= lo, g, 0.0) if need[0] else None,
                    xp.where(x < lo, g, 0.0) if need[1] else None, None)
        return (xp.where(x <= hi, g, 0.0) if need[0] else None, None,
                xp.where(x > hi, g, 0.0) if need[2] else None)


class ClampMinTensor(ClampTensor):
    _grad_fn = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    _grad_fn = "ClampMaxBackward1"


def clamp_to(input: Tensor, min: Any, max: Any, node: type[Clamp]) -> Tensor:  # noqa: A002
    """``clamp``, recording ``node`` (Clamp, ClampMin, ClampMax) for number bounds."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    _args.refuse_complex("clamp is not supported for complex types", input, min, max,
                         error=NotImplementedError)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        refuse_capture("clamp() with tensor bounds")
        # a number with a Tensor bound: a 0-d tensor of the input's dtype (PyTorch's
        # clamp.Tensor takes Tensors only; its Python binding wraps the number so)
        min, max = (Tensor._make(np.asarray(_args.scalar_for(b, input._data.dtype),
                                            input._data.dtype), None, False)
                    if b is not None and not isinstance(b, Tensor) else b for b in (min, max))
        kind = ClampTensor if node is Clamp else (ClampMinTensor if node is ClampMin
                                                  else ClampMaxTensor)
        return kind.apply(input, min, max)
    # a numpy scalar bound is a number as a Python one (PyTorch's Scalar): numpy's clip
    # promoted float32 input to float64 by an np.float64 bound
    min, max = (b.item() if isinstance(b, np.generic) else b for b in (min, max))
    return node.apply(input, lo=min, hi=max)


_LN10 = 2.3025850929940456  # PyTorch's constant (log10's gradient), an ulp below log(10)
_LN2 = float(np.log(2.0))


def _floating(x):
    """Integer and bool inputs compute in the default dtype, as PyTorch's unary float ops."""
    return x if x.dtype.kind in "fc" else x.astype(DEFAULT_DTYPE[0])


class _OfSaved(Node):
    """An elementwise ``fn`` of one floating input, which the node saves for its backward."""

    fn: Any = None

    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return self.fn(x)


@op("log10", method=True, domain="positive", doc="""
    Return the base-10 logarithm of each element of ``input``.

    Integer inputs give float32, as in PyTorch.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.log10(ag.tensor([1.0, 10.0]))
        tensor([0., 1.])
    """)
class Log10(_OfSaved):
    """Base-10 logarithm; derivative ``1 / (x ln 10)``."""

    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.log10)

    def backward(self, g):
        (x,) = self.saved
        return (g / xp._times(x, _LN10),)  # (float16: the number in float32, as PyTorch's)


@op("log2", method=True, domain="positive", doc="""
    Return the base-2 logarithm of each element of ``input``.

    Integer inputs give float32, as in PyTorch.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.log2(ag.tensor([1, 8]))
        tensor([0., 3.])
    """)
class Log2(_OfSaved):
    """Base-2 logarithm; derivative ``1 / (x ln 2)``."""

    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.log2)

    def backward(self, g):
        (x,) = self.saved
        return (g / xp._times(x, _LN2),)


@op("exp2", method=True, doc="""
    Return ``2 ** input`` for each element of ``input``.

    Integer inputs give float32, as in PyTorch.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.exp2(ag.tensor([0.0, 3.0]))
        tensor([1., 8.])
    """)
class Exp2(Node):
    """``2 ** x``; derivative ``2 ** x * ln 2`` (the output is saved)."""

    complex_backward = HOLOMORPHIC
    def forward(self, input):
        y = np.exp2(_floating(input))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (xp._times(g * y, _LN2),)
