"""Everyday math functions (issue 12): elementwise special functions, rounding, NaN handling,
the fused multiply-adds, and the order-statistic reductions (median, kthvalue, quantile,
cummax/cummin) built on ``Gather`` so their gradient reaches the selected elements.

No scipy: erf/erfc run libm's in Numba loops (``kernels.special``), lgamma ``math``'s scalar
function vectorised, erfinv refines an initial guess with Newton steps on erf, digamma/trigamma
use the recurrence and the asymptotic series, polygamma the Hurwitz zeta series."""

from __future__ import annotations

import builtins
import functools
import math
from collections import namedtuple
from fractions import Fraction
from typing import Any

import numpy as np

from autograd_core._casts import half_number, plain_number
from autograd_core._quiet import ignoring
from autograd_core.kernels import pointwise, special
from autograd_core.kernels.optim import numpy_fma
from autograd_core.node import HOLOMORPHIC, Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops._xp import _times
from autograd_core.ops.binary import (Sub, _div_rounded, _promote, _refuse_bool_sub, _ufunc,
                                      _value_first, result_type)
from autograd_core.ops.inplace import inplace
from autograd_core.ops.scatter import Gather  # accumulates repeated indices (cummax/cummin)
from autograd_core.ops.registry import Sample, op, opmath_node
from autograd_core.ops.sorting import _order, _order_at
from autograd_core.ops.unary import ClampMax, ClampMin, _floating, _OfSaved, clamp_to
from autograd_core.tensor import DEFAULT_DTYPE, DTypeLike, Tensor

_SQRT_PI = math.sqrt(math.pi)


def _call(name, x):
    """``x.<name>()`` on a Tensor (recorded under create_graph), numpy's ``name`` on arrays."""
    return getattr(x, name)() if isinstance(x, Tensor) else getattr(np, name)(x)


def _rsqrt(v):
    """``1 / sqrt(v)`` as PyTorch's ``rsqrt`` rounds it (the inverse trigonometric rules): two
    correctly rounded steps, so nan at ``v = -inf`` (``v ** -0.5`` is 0 there, and 20-40% of
    its float32/float64 values were an ulp off); float16 ``v ** -0.5``, which numpy computes
    in float32 and rounds once, as PyTorch's half ``rsqrt``."""
    return v ** -0.5 if xp.is_half(v) else 1.0 / _call("sqrt", v)


def _from_values(arr):
    """A result computed from an input's values outside any op (a predicate's bools, a count):
    ``ag.compile`` sees it made here, not by an op, and runs a step that uses it eagerly."""
    return Tensor._make(np.asarray(arr), None, False)


# ---- predicates -------------------------------------------------------------------------------

def _predicate(name, fn, example, what):
    def pred(input: Tensor) -> Tensor:
        return _from_values(fn(input._data))

    pred.__name__ = pred.__qualname__ = name
    pred.__doc__ = (
        f"Return a bool tensor, True where ``input`` is {what}. Not differentiable.\n\n"
        "Args:\n    input (Tensor): the input tensor.\n\n"
        "Example::\n\n    >>> import autograd_core as ag\n"
        f"    >>> ag.{name}(ag.tensor([1.0, float('nan'), float('inf')]))\n    {example}\n")
    return op(name, method=True, samples=())(pred)


isnan = _predicate("isnan", np.isnan, "tensor([False,  True, False])", "NaN")
isinf = _predicate("isinf", np.isinf, "tensor([False, False,  True])", "+inf or -inf")
isfinite = _predicate("isfinite", np.isfinite, "tensor([ True, False, False])",
                      "neither NaN nor infinite")
isreal = _predicate("isreal", np.isreal, "tensor([True, True, True])",
                    "real (a real dtype's every element; a complex one's with imaginary part 0)")


# ---- elementwise nodes ------------------------------------------------------------------------

@op("expm1", method=True, doc="""
    Return ``exp(input) - 1`` for each element, accurate for small ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.expm1(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 1.7183])
    """)
class Expm1(Node):
    complex_backward = HOLOMORPHIC
    def forward(self, input):
        y = np.expm1(_floating(input))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g * (y + 1.0),)


@op("sinh", method=True, doc="""
    Return the hyperbolic sine of each element of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.sinh(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 1.1752])
    """)
class Sinh(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.sinh)

    def backward(self, g):
        (x,) = self.saved
        return (g * _call("cosh", x),)


@op("cosh", method=True, doc="""
    Return the hyperbolic cosine of each element of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.cosh(ag.tensor([0.0, 1.0]))
        tensor([1.0000, 1.5431])
    """)
class Cosh(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.cosh)

    def backward(self, g):
        (x,) = self.saved
        return (g * _call("sinh", x),)


def _in_unit(fn):
    """A sample inside (-0.9, 0.9), where asin, acos and erfinv are smooth."""
    return lambda a: fn(a.tanh() * 0.9)


@op("asin", method=True, aliases=("arcsin",), samples=[
    Sample("asin", _in_unit(lambda a: a.asin()))], doc="""
    Return the arcsine of each element of ``input`` (nan outside [-1, 1]).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.asin(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 1.5708])
    """)
class Asin(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.arcsin)

    def backward(self, g):
        (x,) = self.saved
        return (g * _rsqrt(1.0 - x * x),)


@op("acos", method=True, aliases=("arccos",), samples=[
    Sample("acos", _in_unit(lambda a: a.acos()))], doc="""
    Return the arccosine of each element of ``input`` (nan outside [-1, 1]).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.acos(ag.tensor([1.0, 0.0]))
        tensor([0.0000, 1.5708])
    """)
class Acos(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.arccos)

    def backward(self, g):
        (x,) = self.saved
        return (-(g * _rsqrt(1.0 - x * x)),)


@op("atan", method=True, aliases=("arctan",), doc="""
    Return the arctangent of each element of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.atan(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7854])
    """)
class Atan(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.arctan)

    def backward(self, g):
        (x,) = self.saved
        return (g / (x * x + 1.0),)


@op("asinh", method=True, aliases=("arcsinh",), doc="""
    Return the inverse hyperbolic sine of each element of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.asinh(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8814])
    """)
class Asinh(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.arcsinh)

    def backward(self, g):
        (x,) = self.saved
        return (g * _rsqrt(x * x + 1.0),)


@op("acosh", method=True, aliases=("arccosh",), samples=[
    Sample("acosh", lambda a: (a * a + 1.2).acosh())], doc="""
    Return the inverse hyperbolic cosine of each element of ``input`` (nan below 1).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.acosh(ag.tensor([1.0, 2.0]))
        tensor([0.0000, 1.3170])
    """)
class Acosh(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.arccosh)

    def backward(self, g):
        (x,) = self.saved
        if xp.data(x).dtype.kind == "c":  # acosh's branch: sqrt(z - 1) sqrt(z + 1), as PyTorch
            return (g / ((x - 1.0) ** 0.5 * (x + 1.0) ** 0.5),)
        return (g * _rsqrt(x * x - 1.0),)


@op("atanh", method=True, aliases=("arctanh",), samples=[
    Sample("atanh", _in_unit(lambda a: a.atanh()))], doc="""
    Return the inverse hyperbolic tangent of each element of ``input`` (nan outside [-1, 1],
    +-inf at +-1).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.atanh(ag.tensor([0.0, 0.5]))
        tensor([0.0000, 0.5493])
    """)
class Atanh(_OfSaved):
    complex_backward = HOLOMORPHIC
    fn = staticmethod(np.arctanh)

    def backward(self, g):
        (x,) = self.saved
        return (g / (1.0 - x * x),)


@op("reciprocal", method=True, domain="away_from_zero", doc="""
    Return ``1 / input`` for each element (integer inputs give float32, as in PyTorch).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.reciprocal(ag.tensor([2.0, -4.0]))
        tensor([ 0.5000, -0.2500])
    """)
class Reciprocal(Node):
    fuse = "D(1.0) / {0}"
    fuse_backward = ("(-{g}) * ({0} * {0})",)

    complex_backward = HOLOMORPHIC
    def forward(self, input):
        y = np.reciprocal(_floating(input))
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (-g * (y * y),)  # PyTorch's order (-(g y) y rounded a third of them otherwise)


_erf = special.erf  # libm's erf in a Numba loop (the numpy twin: math.erf vectorised)
_erfc = special.erfc


def _lgamma_scalar(v):
    if math.isnan(v):
        return v
    if math.isinf(v) or (v <= 0 and v == math.floor(v)):
        return math.inf  # the poles, and both infinities (as PyTorch)
    return math.lgamma(v)


_lgamma = np.vectorize(_lgamma_scalar, otypes=[np.float64])


def _same(fn, x, kernel=None):
    """``fn`` (computed in float64) on ``x``, cast back to ``x``'s floating dtype; a value
    beyond that dtype's range (or float64's) is inf, a NaN (i0 at inf) is NaN, without numpy's
    warnings (PyTorch gives none). A complex ``x`` is refused naming PyTorch's ``kernel`` (the
    cast to float64 would drop its imaginary part)."""
    x = _floating(x)
    if x.dtype.kind == "c":
        raise _args.not_implemented(
            kernel or fn.__name__.strip("_").removesuffix("64").rstrip("_"), x.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        y = np.asarray(fn(x.astype(np.float64)), dtype=x.dtype).reshape(x.shape)
    return _args.in_layout_of(y, x)


class _SameOfSaved(Node):
    """``_OfSaved`` for a float64 ``fn`` run through ``_same`` (a complex input refused naming
    PyTorch's ``kernel_name``)."""

    fn: Any = None
    kernel_name = ""

    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _same(self.fn, x, self.kernel_name)


@op("erf", method=True, doc="""
    Return the error function of each element of ``input``.

    ``erf(x) = 2 / sqrt(pi) * integral from 0 to x of exp(-t**2) dt``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.erf(ag.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8427])
    """)
class Erf(_SameOfSaved):
    fn = staticmethod(_erf)
    kernel_name = "erf_vml_cpu"

    def backward(self, g):
        (x,) = self.saved
        # PyTorch's grouping, so its bits (float16: each step rounded, as PyTorch's)
        return (xp._times(xp.exp(-(x * x)), 2.0 / _SQRT_PI) * g,)


@op("erfc", method=True, doc="""
    Return the complementary error function ``1 - erf(input)``, accurate for large ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.erfc(ag.tensor([0.0, 1.0]))
        tensor([1.0000, 0.1573])
    """)
class Erfc(_SameOfSaved):
    fn = staticmethod(_erfc)
    kernel_name = "erfc_vml_cpu"

    def backward(self, g):
        (x,) = self.saved
        # PyTorch's grouping, so its bits (float16: each step rounded, as PyTorch's)
        return (xp._times(xp.exp(-(x * x)), -2.0 / _SQRT_PI) * g,)


def _erfinv64(y):
    """Inverse error function in float64: Giles' single-precision approximation, then Newton
    steps (on ``log erfc`` in the tails); +-inf at +-1, nan outside [-1, 1]."""
    y = np.asarray(y, dtype=np.float64)
    w = -np.log(np.maximum((1.0 - y) * (1.0 + y), 1e-300))
    small, x = w < 5.0, np.empty_like(w)  # each element evaluates its own polynomial
    ws, wl = w[small] - 2.5, np.sqrt(np.maximum(w[~small], 5.0)) - 3.0
    ps = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        ps = c + ps * ws
    pl = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        pl = c + pl * wl
    x[small], x[~small] = ps, pl
    x = x * y
    # Newton on erf(x) = y in the middle; in the tails on log erfc(|x|) = log(1 - |y|) (1 - |y|
    # is exact there), where erf(x) - y would lose every digit of the residual and Giles'
    # guess (made for float32's range) is too far out for plain Newton
    # Each element runs only its own branch (erf or erfc: libm's, the cost), and only while its
    # steps move it: a step that leaves x unchanged leaves every later one so (the numbers of
    # four steps on every element, ~4x faster)
    flat, x = y.reshape(-1), x.reshape(-1)
    tail = np.abs(flat) > 0.5
    with np.errstate(all="ignore"):
        log_q = np.log(1.0 - np.abs(flat[tail]))
        sign = np.sign(flat[tail])
        at = [np.flatnonzero(tail), np.flatnonzero(~tail)]  # the elements still moving
        for _ in range(4):  # quadratic: a few steps reach full precision from the guess
            if not (at[0].size or at[1].size):
                break
            xf = [np.where(np.isfinite(x[k]), x[k], 0.0) for k in at]
            d = [2.0 / _SQRT_PI * np.exp(-v * v) for v in xf]
            c = _erfc(np.abs(xf[0]))
            new = [xf[0] + sign * (np.log(c) - log_q) * c / d[0],
                   xf[1] - (_erf(xf[1]) - flat[at[1]]) / d[1]]
            moved = [n != v for n, v in zip(new, xf)]
            log_q, sign = log_q[moved[0]], sign[moved[0]]
            for j in range(2):
                x[at[j]] = new[j]
                at[j] = at[j][moved[j]]
    x = x.reshape(y.shape)
    x = np.where(np.abs(y) == 1.0, np.copysign(np.inf, y), x)
    return np.where(np.abs(y) > 1.0, np.nan, x)


@op("erfinv", method=True, samples=[Sample("erfinv", _in_unit(lambda a: a.erfinv()))], doc="""
    Return the inverse error function of each element of ``input``.

    Defined on [-1, 1]: +-inf at +-1, nan outside.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.erfinv(ag.tensor([0.0, 0.5]))
        tensor([0.0000, 0.4769])
    """)
class Erfinv(Node):
    def forward(self, input):
        y = _same(_erfinv64, input, "erfinv_vml_cpu")
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        # PyTorch's grouping, so its bits (float16: each step rounded, as PyTorch's)
        return (xp._times(xp.exp(y * y), _SQRT_PI / 2.0) * g,)


# The asymptotic series' coefficients of digamma in 1 / x^2 (Cephes' psi, highest power first:
# B_2k / 2k with alternating signs), and digamma(10)
_PSI_SERIES = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
               -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
               8.33333333333333333333E-2)
_PSI_10 = 2.25175258906672110764


def _digamma64(x):
    """digamma in float64 with PyTorch's CPU algorithm (Cephes' psi) and roundings: below 0
    the reflection ``psi(1 - x) - pi / tan(pi * frac(x))``, then ``-1/x`` steps up to 10, then
    ``ln x - 0.5 / x - z P(z)`` with ``z = 1 / x^2``; at the poles as PyTorch: -inf at +0,
    +inf at -0, NaN at the negative integers."""
    x = np.asarray(x, dtype=np.float64)
    neg = x < 0
    z = np.where(neg, 1.0 - x, x)
    acc = np.zeros_like(z)
    with np.errstate(all="ignore"):
        reflection = math.pi / np.tan(math.pi * np.modf(x)[0])
        while True:
            low = z < 10.0
            if not low.any():
                break
            acc = np.where(low, acc - 1.0 / z, acc)
            z = np.where(low, z + 1.0, z)
        r = 1.0 / (z * z)
        poly = np.full_like(z, _PSI_SERIES[0])
        for c in _PSI_SERIES[1:]:
            poly = poly * r + c
        res = acc + np.log(z) - 0.5 / z - np.where(z < 1e17, r * poly, 0.0)
    res = np.where(z == 10.0, acc + _PSI_10, res)
    res = np.where(neg, res - reflection, res)
    res = np.where(x == 0, np.copysign(np.inf, -x), res)  # -0: +inf
    return np.where(neg & (x == np.trunc(x)), np.nan, res)


def _trigamma64(x):
    """trigamma (the derivative of digamma) in float64, by recurrence and asymptotic series."""
    x = np.asarray(x, dtype=np.float64)
    neg = x < 0.5
    z = np.where(neg, 1.0 - x, x)
    acc = np.zeros_like(z)
    while True:
        low = z < 12.0
        if not low.any():
            break
        acc = acc + np.where(low, 1.0 / (z * z), 0.0)
        z = np.where(low, z + 1.0, z)
    r = 1.0 / (z * z)
    res = acc + 1.0 / z + r / 2 + r / z * (1 / 6 - r * (1 / 30 - r * (1 / 42 - r / 30)))
    with np.errstate(all="ignore"):
        return np.where(neg, -res + (np.pi / np.sin(np.pi * x)) ** 2, res)


@op("lgamma", method=True, domain="positive", doc="""
    Return the natural logarithm of the absolute value of the gamma function of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.lgamma(ag.tensor([1.0, 0.5, 5.0]))
        tensor([0.0000, 0.5724, 3.1781])
    """)
class Lgamma(_SameOfSaved):
    fn = staticmethod(_lgamma)
    kernel_name = "lgamma_vml_cpu"

    def backward(self, g):
        (x,) = self.saved
        return (g * _call("digamma", x) if isinstance(x, Tensor) else g * _same(_digamma64, x),)


@op("digamma", method=True, aliases=("psi",), domain="positive", doc="""
    Return the logarithmic derivative of the gamma function, ``d/dx ln(gamma(x))``.

    Its gradient is the trigamma function, ``polygamma(1, input)``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.digamma(ag.tensor([1.0, 0.5]))
        tensor([-0.5772, -1.9635])
    """)
class Digamma(_SameOfSaved):
    fn = staticmethod(_digamma64)
    kernel_name = "digamma"

    def backward(self, g):
        (x,) = self.saved
        return (g * _polygamma(1, x),)


# Hurwitz zeta by the Euler-Maclaurin formula: (2j)! / B_2j for j = 1..12, the coefficients of
# its correction terms
_BERNOULLI = [Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30),
              Fraction(5, 66), Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510),
              Fraction(43867, 798), Fraction(-174611, 330), Fraction(854513, 138),
              Fraction(-236364091, 2730)]
_EM_COEF = [float(math.factorial(2 * j + 2) / b) for j, b in enumerate(_BERNOULLI)]


def _zeta64(s, q):
    """Hurwitz zeta ``sum_k (q + k) ** -s`` for an integer ``s >= 2``, in float64: the first
    terms summed until ``q + k > 9`` (at least ten), then the Euler-Maclaurin tail; +inf at
    ``q`` a non-positive integer (a pole), nan at ``q = +inf``."""
    q = np.asarray(q, dtype=np.float64)
    with np.errstate(all="ignore"):
        pole = (q <= 0) & (q == np.floor(q))  # -inf and every float below -2**52 too
        # (the terms up to q + k > 9: a pole's would be ~1e300 of them, a hang)
        last = np.maximum(9.0, np.floor(9.0 - np.where(np.isfinite(q) & ~pole, q, 0.0)) + 1.0)
        total = np.zeros_like(q)
        for k in range(int(last.max(initial=9.0)) + 1):
            total += np.where(k <= last, (q + k) ** -s, 0.0)
        w = q + last
        b = w ** -s
        total += b * w / (s - 1) - 0.5 * b
        a, k, done = 1.0, 0, np.zeros(q.shape, bool)
        for coef in _EM_COEF:
            a *= s + k
            b = b / w
            t = a * b / coef
            total = np.where(done, total, total + t)
            done |= np.abs(t / total) < np.finfo(np.float64).eps / 2
            k += 1
            a *= s + k
            b = b / w
            k += 1
        return np.where(pole, np.inf, np.where(np.isnan(q), np.nan, total))


def _polygamma64(n, x):
    """The ``n``-th derivative of digamma in float64: digamma, trigamma, then
    ``(-1) ** (n + 1) n! zeta(n + 1, x)``; below -100 by the reflection formula (the series
    from a negative ``x`` sums ``|x|`` terms: seconds at -1e6, and digits lost to
    cancellation)."""
    if n == 0:
        return _digamma64(x)
    if n == 1:
        return _trigamma64(x)
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        far = (x < -100.0) & (x != np.floor(x))  # not a pole (-inf is one)
    sign, fact = (1.0 if n % 2 else -1.0), float(math.factorial(n))
    out = sign * fact * _zeta64(n + 1, np.where(far, 1.0, x))
    if far.any():
        v = x[far]
        out[far] = (-1.0) ** n * sign * fact * _zeta64(n + 1, 1.0 - v) - math.pi ** (
            n + 1) * _cot_derivative(n, v)
    return out


@functools.lru_cache(maxsize=None)
def _cot_polynomial(n):
    """The integer coefficients (lowest power first) of ``P_n`` with ``d^n/du^n cot(u) =
    P_n(cot u)``: ``P_0 = c``, ``P_(k+1) = -(1 + c^2) P_k'(c)``."""
    p = [0, 1]
    for _ in range(n):
        d = [k * p[k] for k in range(1, len(p))] + [0, 0]
        p = [-(d[k] + (d[k - 2] if k >= 2 else 0)) for k in range(len(d))]
    return tuple(p)


def _cot_derivative(n, x):
    """``d^n/du^n cot(u)`` at ``u = pi x``, the cotangent from ``x``'s distance ``r`` to the
    nearest integer (exact in float64): ``cos(pi r) = sin(pi (1/2 - |r|))``, 0 at a
    half-integer."""
    r = x - np.round(x)
    c = np.sin(np.pi * (0.5 - np.abs(r))) / np.sin(np.pi * r)
    out = np.zeros_like(c)
    for coef in reversed(_cot_polynomial(n)):
        out = out * c + float(coef)
    return out


def _polygamma(n, x):
    """``polygamma(n, x)``: the op on a Tensor (recorded under create_graph), the float64
    function rounded to ``x``'s dtype on an array."""
    if isinstance(x, Tensor):
        return Polygamma.apply(x, n=n)
    return _same(lambda v: _polygamma64(n, v), x, "polygamma")


class Polygamma(Node):
    """The ``n``-th derivative of digamma; its derivative is the next one."""

    def forward(self, input, *, n):
        x = _floating(input)
        _args.no_complex(x, "digamma" if n == 0 else "trigamma" if n == 1 else "polygamma")
        self.save_for_backward(x)
        self.n = n
        return _polygamma(n, x)

    def backward(self, g):
        (x,) = self.saved
        return (g * _polygamma(self.n + 1, x),)


@op("polygamma", node=Polygamma, samples=[
    Sample("polygamma", lambda a: polygamma(2, a), domain="positive"),
    Sample("polygamma_1", lambda a: polygamma(1, a), domain="positive")])
def polygamma(n: builtins.int, input: Tensor) -> Tensor:
    """Return the ``n``-th derivative of the digamma function at each element of ``input``.

    ``polygamma(0, x)`` is ``digamma(x)``; for ``n >= 1`` it is
    ``(-1) ** (n + 1) * n! * zeta(n + 1, x)`` (the Hurwitz zeta function). Integer inputs
    give float32. Its gradient is ``polygamma(n + 1, input)``. ``Tensor.polygamma(n)`` is the
    method form.

    Args:
        n (int): the order of the derivative, ``n >= 0``.
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.polygamma(1, ag.tensor([1.0, 0.5]))  # pi**2/6, pi**2/2
        tensor([1.6449, 4.9348])
        >>> ag.polygamma(2, ag.tensor([1.0]))  # -2 zeta(3)
        tensor([-2.4041])
    """
    if isinstance(n, builtins.bool) or not isinstance(n, (builtins.int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if not isinstance(input, Tensor):
        raise TypeError(f"polygamma(): argument 'input' (position 2) must be Tensor, not "
                        f"{type(input).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(input, n=builtins.int(n))


@op("polygamma_", method=True, function=False, samples=())
def polygamma_(input: Tensor, n: builtins.int) -> Tensor:
    """Replace each element of this tensor by ``polygamma(n, element)``; return it.

    Float tensors only (an integer one cannot hold the float result), as in PyTorch.

    Args:
        n (int): the order of the derivative of digamma, ``n >= 0``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.polygamma_(1)
        tensor([1.6449, 0.6449])
    """
    if isinstance(n, builtins.bool) or not isinstance(n, (builtins.int, np.integer)):
        raise TypeError(f"polygamma_(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    return inplace(input, lambda: polygamma(n, input))


class Mvlgamma(Node):
    """``sum_i lgamma(x + s_i) + p (p - 1) / 4 * log(pi)`` over ``s = -(p - 1)/2, ..., -1/2, 0``
    (PyTorch's order of the sum) with PyTorch's ``mvlgamma_backward``, ``g * sum_i digamma(x +
    s_i)`` (the composite's chain rule summed ``g * digamma`` terms: an ulp off in a third of
    the float64 elements)."""

    def forward(self, x, p):
        self.p = p
        self.save_for_backward(x)
        lg = _same(_lgamma, x[..., None] + _mvl_shifts(p, x.dtype), "lgamma_vml_cpu")
        return lg.sum(-1) + p * (p - 1) * 0.25 * math.log(math.pi)

    def backward(self, g):
        (x,) = self.saved
        if isinstance(x, Tensor):
            args = x.unsqueeze(-1) + xp.constant(_mvl_shifts(self.p, x.dtype))
            return (g * args.digamma().sum(-1),)
        return (g * _same(_digamma64, x[..., None] + _mvl_shifts(self.p, x.dtype)).sum(-1),)


def _mvl_shifts(p, dtype):
    return np.arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=np.float64)[:p].astype(dtype)


@op("mvlgamma", node=Mvlgamma, method=True, samples=[
    Sample("mvlgamma", lambda a: mvlgamma(a + 1.0, 3), domain="positive")])
def mvlgamma(input: Tensor, p: builtins.int) -> Tensor:
    """Return the multivariate log-gamma function of dimension ``p`` of each element.

    ``sum_{i=0}^{p-1} lgamma(input - i / 2) + p (p - 1) / 4 * log(pi)``; integer inputs give
    float32.

    Args:
        input (Tensor): the input tensor.
        p (int): the number of dimensions, ``p >= 1``.

    Example::

        >>> import autograd_core as ag
        >>> ag.mvlgamma(ag.tensor([2.5, 3.0]), p=3)
        tensor([1.8810, 2.6949])
    """
    if isinstance(p, builtins.bool) or not isinstance(p, (builtins.int, np.integer)):
        raise TypeError(f"mvlgamma(): argument 'p' (position 2) must be int, not "
                        f"{type(p).__name__}")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = input if input.dtype.kind in "fc" else input.to(DEFAULT_DTYPE[0])
    return Mvlgamma.apply(x, p)


class _ZeroGrad(Node):
    """A piecewise-constant function: its gradient is zero (PyTorch's, a tensor of zeros)."""

    fn: Any = None

    def forward(self, input):
        return type(self).fn(input)

    def backward(self, g):
        return (xp.zeros_like(g),)


def _int_kept(fn, name):
    """Rounding leaves integer and bool tensors as they are (as PyTorch) and refuses complex
    ones with PyTorch's errors (numpy would round, or order, the two parts)."""

    def kept(x, **kw):
        kind = x.dtype.kind
        if kind == "f":
            return fn(x, **kw)
        if kind == "c":
            if name == "round":
                kernel = "round_cpu" if kw.get("decimals") else "round_vml_cpu"
                raise _args.not_implemented(kernel, x.dtype)
            raise NotImplementedError(f"{name} is not supported for complex inputs")
        return x.copy()

    return kept


def _round(x, decimals=0):
    """ATen's ``round(decimals=)``: in the opmath dtype (float16 in float32), ``10 **
    |decimals|`` as a float64 (inf from 309: NaN results, as PyTorch's) made that dtype, then
    ``nearbyint(x * s) / s`` (``nearbyint(x / s) * s`` for negative decimals), so halves land
    where PyTorch's do."""
    if decimals == 0:
        return np.round(x)
    power = 10.0 ** abs(decimals) if abs(decimals) < 309 else math.inf
    work = np.float32 if x.dtype == np.float16 else x.dtype.type
    a, s = x.astype(work, copy=False), work(power)
    with np.errstate(over="ignore", invalid="ignore"):
        y = np.round(a * s) / s if decimals > 0 else np.round(a / s) * s
    return y.astype(x.dtype, copy=False)


@op("floor", method=True, doc="""
    Return the largest integer not greater than each element of ``input``.

    The gradient is zero. Integer tensors are returned unchanged.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.floor(ag.tensor([-1.5, 0.5, 2.0]))
        tensor([-2.,  0.,  2.])
    """)
class Floor(_ZeroGrad):
    fn = staticmethod(_int_kept(np.floor, "floor"))


@op("ceil", method=True, doc="""
    Return the smallest integer not less than each element of ``input``.

    The gradient is zero. Integer tensors are returned unchanged.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.ceil(ag.tensor([-1.5, 0.5, 2.0]))
        tensor([-1.,  1.,  2.])
    """)
class Ceil(_ZeroGrad):
    fn = staticmethod(_int_kept(np.ceil, "ceil"))


@op("trunc", method=True, aliases=("fix",), doc="""
    Return each element of ``input`` rounded towards zero.

    The gradient is zero. Integer tensors are returned unchanged.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.trunc(ag.tensor([-1.5, 0.5, 2.7]))
        tensor([-1.,  0.,  2.])
    """)
class Trunc(_ZeroGrad):
    fn = staticmethod(_int_kept(np.trunc, "trunc"))


@op("round", method=True, samples=[Sample("round", lambda a: a.round(decimals=1))], doc="""
    Round each element of ``input`` to ``decimals`` decimal places, halves to even.

    The gradient is zero. Integer tensors are returned unchanged.

    Args:
        input (Tensor): the input tensor.
        decimals (int): the number of decimal places (negative: left of the point).
            Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.round(ag.tensor([0.5, 1.5, -2.5, 1.26]))
        tensor([ 0.,  2., -2.,  1.])
        >>> ag.tensor([1.26, 3.14159]).round(decimals=2)
        tensor([1.2600, 3.1400])
    """)
class Round(_ZeroGrad):
    fn = staticmethod(_int_kept(_round, "round"))

    def name(self):  # round(x) and round(x, decimals=d): RoundBackward0 and RoundBackward1
        return f"RoundBackward{1 if getattr(self, 'decimals', 0) else 0}"

    def forward(self, input, *, decimals=0):
        if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
            raise TypeError(f"round(): argument 'decimals' must be int, not "
                            f"{type(decimals).__name__}")
        if decimals != 0 and input.dtype.kind in "biu":
            raise NotImplementedError(
                f'"round_cpu" not implemented for \'{_args.torch_name(input.dtype)}\'')
        self.decimals = decimals
        return Round.fn(input, decimals=decimals)


def _sign(x):
    """``np.sign``, with PyTorch's 0 for NaN; a bool's sign is itself (as PyTorch's)."""
    if x.dtype == np.bool_:
        return x.copy()
    if x.dtype.kind == "c":
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex "
                                  "numbers. Please use torch.sgn instead.")
    return xp.real_sign(x)


@op("sign", method=True, samples=[
    Sample("sign", lambda a: a.sign(), domain="away_from_zero")], doc="""
    Return the sign of each element of ``input``: -1, 0 or 1.

    The gradient is zero (as PyTorch's: the result requires grad when ``input`` does).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.sign(ag.tensor([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
    """)
class Sign(_ZeroGrad):
    fn = staticmethod(_sign)

    _grad_fn = "SignBackward0"


@op("sgn", method=True, samples=[Sample("sgn", lambda a: a.sgn(), domain="away_from_zero")],
    doc="""
    Return ``input / |input|`` elementwise (0 where ``input`` is 0): for real tensors the sign
    (-1, 0 or 1, as ``sign``), for complex ones the unit number of the same angle.

    The gradient is zero for real inputs; for complex ones it is PyTorch's
    ``(g - sgn(z)^2 conj(g)) / (2|z|)`` (0 at 0).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.sgn(ag.tensor([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
        >>> ag.sgn(ag.tensor([3 + 4j, 0j]))
        tensor([0.6000+0.8000j, 0.0000+0.0000j])
    """)
class Sgn(_ZeroGrad):
    def forward(self, input):
        if input.dtype.kind == "c":
            y = np.sign(input)  # numpy >= 2: z / |z|, 0 at 0
            self.save_for_backward(input, y)
            return y
        self.save_for_backward(input)  # PyTorch's node saves it for real inputs too
        return _sign(input)

    def backward(self, g):
        self.saved  # noqa: B018  (an in-place change of the input refuses, as PyTorch's)
        return super().backward(g)

    def complex_backward(self, g):
        # s = z / |z|: ds/dz = 1 / (2|z|) and ds/dz* = -s^2 / (2|z|), so the gradient is
        # (g - s^2 conj(g)) / (2|z|), 0 at z = 0 (PyTorch's sgn_backward)
        z, s = self.saved
        a = z.abs() if isinstance(z, Tensor) else np.abs(z)
        zero = xp.data(a) == 0
        d = xp.where(zero, 1.0, a)
        return (xp.where(zero, 0.0, (g - s * s * xp.conj(g)) / (d * 2.0)),)


@op("frac", method=True, samples=[Sample("frac", lambda a: (a * 3.0).frac())])
def frac(input: Tensor) -> Tensor:
    """Return the fractional part of each element: ``input - trunc(input)`` (sign kept).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.frac(ag.tensor([1.5, -2.25]))
        tensor([ 0.5000, -0.2500])
    """
    if input._data.dtype.kind != "f":
        raise _args.not_implemented("frac_cpu", input._data.dtype)
    return input - Trunc.apply(input)


@op("nan_to_num", method=True, samples=[
    Sample("nan_to_num", lambda a: a.nan_to_num(posinf=1.0))], doc="""
    Replace NaN, +inf and -inf in ``input`` by ``nan``, ``posinf`` and ``neginf``.

    By default NaN becomes 0 and the infinities the largest and smallest finite values of the
    dtype. The gradient passes where ``input`` is finite, and is zero elsewhere.

    Args:
        input (Tensor): the input tensor.
        nan (float): the value for NaN. Default: 0.0.
        posinf (float, optional): the value for +inf. Default: the dtype's largest value.
        neginf (float, optional): the value for -inf. Default: the dtype's smallest value.

    Example::

        >>> import autograd_core as ag
        >>> ag.nan_to_num(ag.tensor([float('nan'), 1.0, float('inf')]), posinf=9.0)
        tensor([0., 1., 9.])
    """)
class NanToNum(Node):
    def forward(self, input, nan=0.0, posinf=None, neginf=None):
        self.save_for_backward(np.isfinite(input))
        if input.dtype.kind not in "fc":
            return input.copy()
        nan, posinf, neginf = (half_number(v, input.dtype) for v in (nan, posinf, neginf))
        return np.nan_to_num(input, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        (finite,) = self.saved
        return (xp.where(finite, g, 0.0),)


@op("clamp_min", method=True, elementwise=True, samples=[
    Sample("clamp_min", lambda a: clamp_min(a, 0.1), domain="away_from_clamp")])
def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """Clamp every element of ``input`` to at least ``min``: ``clamp(input, min=min)``.

    Args:
        input (Tensor): the input tensor.
        min (number or Tensor): the lower bound.

    Example::

        >>> import autograd_core as ag
        >>> ag.clamp_min(ag.tensor([-1.0, 0.5]), 0.0)
        tensor([0.0000, 0.5000])
    """
    return clamp_to(input, min, None, ClampMin)


@op("clamp_max", method=True, elementwise=True, samples=[
    Sample("clamp_max", lambda a: clamp_max(a, 0.1), domain="away_from_clamp")])
def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """Clamp every element of ``input`` to at most ``max``: ``clamp(input, max=max)``.

    Args:
        input (Tensor): the input tensor.
        max (number or Tensor): the upper bound.

    Example::

        >>> import autograd_core as ag
        >>> ag.clamp_max(ag.tensor([-1.0, 0.5]), 0.0)
        tensor([-1.,  0.])
    """
    return clamp_to(input, None, max, ClampMax)


# ---- binary -----------------------------------------------------------------------------------

def _float_pair(a, b, kernel=None):
    """PyTorch's promotion, integers to float32 (a Python number stays weak). ``kernel``: an op
    without integer loops in PyTorch, which refuses two integer (or bool) inputs."""
    if kernel is not None:
        a, b = _promote(a, b)
        if a.dtype.kind in "biu":
            raise _args.not_implemented(kernel, a.dtype)
    return _promote(a, b, true_divide=True)


@op("atan2", method=True, aliases=("arctan2",), n_inputs=2, broadcasts=True,
    domain="away_from_zero", doc="""
    Return the angle of the point ``(other, input)``: ``atan(input / other)`` in the right
    quadrant, in ``[-pi, pi]``.

    Args:
        input (Tensor): the first (y) input.
        other (Tensor): the second (x) input.

    Example::

        >>> import autograd_core as ag
        >>> ag.atan2(ag.tensor([1.0, 1.0]), ag.tensor([1.0, -1.0]))
        tensor([0.7854, 2.3562])
    """)
class Atan2(Node):
    def forward(self, input, other):
        a, b = _float_pair(input, other)
        _args.no_complex(a, "atan2_cpu")
        _args.no_complex(b, "atan2_cpu")
        self.save_for_backward(a, b)
        return np.arctan2(a, b)

    def backward(self, g):
        # PyTorch's: g * x / (x^2 + y^2) and -g * y / (x^2 + y^2), 0 where x^2 + y^2 is 0 (the
        # origin, or both underflowing), not NaN
        a, b = self.saved
        den = a * a + b * b
        zero = xp.data(den) == 0
        recip = xp.where(zero, 0.0, 1.0 / xp.where(zero, 1.0, den))
        return g * b * recip, g * -a * recip


@op("logaddexp", method=True, n_inputs=2, broadcasts=True, grad_fn="LogaddexpBackward0", doc="""
    Return ``log(exp(input) + exp(other))`` elementwise, without overflow.

    Args:
        input (Tensor): the first input.
        other (Tensor): the second input.

    Example::

        >>> import autograd_core as ag
        >>> ag.logaddexp(ag.tensor([0.0, 100.0]), ag.tensor([0.0, 100.0]))
        tensor([  0.6931, 100.6931])
    """)
class LogAddExp(Node):
    complex_backward = HOLOMORPHIC

    def forward(self, input, other):
        a, b = _float_pair(input, other, "logaddexp_cpu")
        self.save_for_backward(a, b)
        if a.dtype.kind != "c":
            return np.logaddexp(a, b)
        # numpy's is real only; PyTorch's complex form: the larger real part plus
        # log1p(exp(smaller - larger)) (its imaginary part is not wrapped into (-pi, pi])
        a, b = np.broadcast_arrays(a, b)
        first = a.real >= b.real
        hi, lo = np.where(first, a, b), np.where(first, b, a)
        with np.errstate(invalid="ignore", over="ignore"):
            return hi + np.log1p(np.exp(lo - hi))

    def backward(self, g):
        a, b = self.saved
        # PyTorch's formula, so its bits (float16: each step rounded, as PyTorch's)
        return g / (1.0 + xp.exp(b - a)), g / (1.0 + xp.exp(a - b))


class _Mod(Node):
    """``input - q * other`` with ``q`` the rounded quotient: gradients ``g`` and ``-g * q``."""

    def name(self):  # PyTorch's fmod(Tensor, Scalar) is FmodBackward0, (Tensor, Tensor) ...1
        number = getattr(self, "by_number", True)
        return f"{type(self).__name__}Backward{0 if number else 1}"

    def _run(self, input, other, fn, rounding):
        self.by_number = not isinstance(other, np.ndarray)
        a, b = _promote(input, other)
        kind = (a if isinstance(a, np.ndarray) else np.asarray(b)).dtype.kind  # a: a number?
        if kind in "cb":  # PyTorch has no complex or bool loop (bool % bool)
            name = "fmod" if rounding == "trunc" else "remainder"
            raise _args.not_implemented(f"{name}_cpu", np.result_type(a, b))
        if kind in "iub" and np.any(np.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        self.save_for_backward(a, b)
        self.rounding = rounding
        return fn(a, b)

    def backward(self, g):
        a, b = self.saved
        if self.rounding == "trunc":
            return g, -(g * _call("trunc", a / b))
        # PyTorch's quotient, div(rounding_mode="floor") (the project's ATen-exact floor
        # division): floor(a / b) is -0.0 for -1 / inf, whose remainder is inf, so -1
        q = _div_rounded(xp.data(a), xp.data(b), "floor")
        if self.differentiable:  # recorded with a zero derivative, as PyTorch's floor div
            q = xp.depends_on(_from_values(q), a, b)
        return g, -(g * q)


def _mod_sample(name, fn):
    """Divisors kept away from zero (|other| >= 0.5); quotients land on integers with
    probability ~0, so finite differences do not cross a jump."""
    return [Sample(name, lambda a, b: fn(a * 2.0, b.abs() + 0.5), 2, broadcasts=True)]


@op("fmod", method=True, samples=_mod_sample("fmod", lambda a, b: a.fmod(b)), doc="""
    Return the remainder of ``input / other`` with the sign of ``input`` (C's ``fmod``).

    Args:
        input (Tensor): the dividend.
        other (Tensor or number): the divisor.

    Example::

        >>> import autograd_core as ag
        >>> ag.fmod(ag.tensor([-3.0, 3.0]), 2.0)
        tensor([-1.,  1.])
    """)
class Fmod(_Mod):
    def forward(self, input, other):
        return self._run(input, other, np.fmod, "trunc")


@op("remainder", method=True, samples=_mod_sample("remainder", lambda a, b: a.remainder(b)),
    doc="""
    Return the remainder of ``input / other`` with the sign of ``other`` (Python's ``%``).

    Args:
        input (Tensor): the dividend.
        other (Tensor or number): the divisor.

    Example::

        >>> import autograd_core as ag
        >>> ag.remainder(ag.tensor([-3.0, 3.0]), 2.0)
        tensor([1., 1.])
    """)
class Remainder(_Mod):
    def forward(self, input, other):
        return self._run(input, other, _remainder, "floor")


def _remainder(a, b):
    """PyTorch's float remainder: ``fmod``, plus ``b`` where its sign differs from ``b``'s. A
    zero keeps ``fmod``'s sign (``input``'s): numpy's ``remainder`` gives it ``b``'s
    (``remainder(3., -3.)``: -0. against PyTorch's 0.). Integers: numpy's, the same rule."""
    if np.result_type(a, b).kind != "f":
        return np.remainder(a, b)
    mod = np.fmod(a, b)
    fix = (mod != 0) & ((b < 0) != (mod < 0))
    if fix.any():
        mod = np.where(fix, mod + b, mod)
    return mod


@op("hypot", method=True, n_inputs=2, broadcasts=True, domain="away_from_zero", doc="""
    Return ``sqrt(input**2 + other**2)`` elementwise, without overflow or underflow of the
    squares (``hypot(1e30, 1e30)`` in float32 is ``1.4142e+30``).

    Args:
        input (Tensor): the first input.
        other (Tensor): the second input.

    Example::

        >>> import autograd_core as ag
        >>> ag.hypot(ag.tensor([3.0, 5.0]), ag.tensor([4.0, 12.0]))
        tensor([ 5., 13.])
    """)
class Hypot(Node):
    def forward(self, input, other):
        a, b = _promote(input, other)
        _args.no_complex(a, "hypot_cpu")
        if a.dtype.kind in "biu":  # PyTorch has no integer kernel (an integer and a float: float)
            raise _args.not_implemented("hypot_cpu", a.dtype)
        h = np.hypot(a, b)
        self.save_for_backward(a, b, h)
        return h

    def backward(self, g):
        a, b, h = self.saved  # PyTorch's: g * input / result (NaN at the origin, as there)
        return g * a / h, g * b / h


def _lerp_broadcast_error(input, end, weight):
    """PyTorch's error for shapes of ``lerp`` that do not broadcast: ``input`` against ``end``,
    else their broadcast against ``weight``."""
    try:
        both = np.broadcast_shapes(np.shape(input), np.shape(end))
    except ValueError:
        return _args.broadcast_error("lerp", input, end)
    return _args.broadcast_error("lerp", np.broadcast_to(0, both), weight)


@opmath_node
class Lerp(Node):
    """PyTorch's lerp: ``input + w * (end - input)`` where ``|w| < 0.5``, else
    ``end - (end - input) * (1 - w)`` (weight 1 gives ``end`` exactly), each a fused
    multiply-add for floats as ATen's CPU kernel (``fma(w - 1, diff, end)``; two roundings
    left a quarter of the elements 1 ulp off), and its gradients
    ``g * (1 - w)``, ``g * w``, ``g * (end - input)``. A float16 lerp computes in float32
    (``opmath_node``), with a number ``weight`` given as a Python float: in float32 too,
    in forward and in backward's products (ATen's scalar ``weight``)."""

    complex_backward = HOLOMORPHIC

    def forward(self, input, end, weight):
        self.save_for_backward(input, end, weight)
        try:
            y = self._lerp(input, end, weight)
        except ValueError:  # PyTorch's RuntimeError (a ValueError too), naming the sizes
            raise _lerp_broadcast_error(input, end, weight) from None
        return _args.in_layout_of(y, np.asarray(input))

    @staticmethod
    def _lerp(input, end, weight):
        diff = end - input
        if diff.dtype.kind == "f":
            w = np.asarray(weight, diff.dtype)
            if w.ndim == 0:
                return _fma(w, diff, input) if abs(w) < 0.5 else _fma(w - 1, diff, end)
            return np.where(np.abs(w) < 0.5, _fma(w, diff, input), _fma(w - 1, diff, end))
        return np.asarray(np.where(np.abs(weight) < 0.5, input + weight * diff,
                                   end - diff * (1 - weight)))

    def backward(self, g):
        a, b, w = self.saved
        n = self.needs_input_grad
        return (_times(g, 1 - w) if n[0] else None, _times(g, w) if n[1] else None,
                g * (b - a) if n[2] else None)


@op("lerp", method=True, samples=[
    Sample("lerp", lambda a, b, w: lerp(a, b, w), 3, broadcasts=True),
    Sample("lerp_scalar", lambda a, b: lerp(a, b, 0.3), 2, broadcasts=True)])
def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """Linear interpolation: ``input + weight * (end - input)``, computed as PyTorch does:
    ``end - (end - input) * (1 - weight)`` where ``|weight| >= 0.5``, so that weight 1 gives
    ``end`` exactly. ``input``, ``end`` and a tensor ``weight`` share one floating dtype.

    Args:
        input (Tensor): the start.
        end (Tensor): the end.
        weight (float or Tensor): the weight of ``end``.

    Example::

        >>> import autograd_core as ag
        >>> ag.lerp(ag.tensor([0.0, 1.0]), ag.tensor([10.0, 3.0]), 0.5)
        tensor([5., 2.])
    """
    dt = input._data.dtype
    w_tensor = isinstance(weight, Tensor)
    for name, other in (("end", end), ("weight", weight)):  # checked first, as PyTorch's
        odt = other._data.dtype if isinstance(other, Tensor) else dt
        if odt != dt and not (name == "weight" and other.ndim == 0):
            raise RuntimeError(f"expected dtype {_TYPEID.get(dt.name, dt.name)} for `{name}` "
                               f"but got dtype {_TYPEID.get(odt.name, odt.name)}")
    if dt.kind not in "fc":
        raise _args.not_implemented(f"lerp_kernel_{'tensor' if w_tensor else 'scalar'}", dt)
    if not w_tensor:  # a number, in the tensors' dtype (PyTorch's scalar kernel) or, for
        weight = _args.scalar_for(  # float16, in float32 (its opmath): as it is
            plain_number(weight), np.float32 if dt == np.float16 else dt)
        if dt != np.float16 or type(weight) not in (builtins.float, builtins.int):
            weight = xp.constant(np.asarray(weight, dt))
    elif weight._data.dtype != dt:  # a 0-d weight of another dtype
        weight = weight.to(input.dtype)
    return Lerp.apply(input, end, weight)


#: the C++ type names lerp's dtype check prints (typeid's, not c_type's ScalarType names)
_TYPEID = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
           "int32": "int", "int64": "long int", "float16": "c10::Half", "float32": "float",
           "float64": "double", "complex64": "c10::complex<float>",
           "complex128": "c10::complex<double>"}


def _tensor_args(name: str, tensor1: Any, tensor2: Any) -> None:
    for pos, (arg, t) in enumerate((("tensor1", tensor1), ("tensor2", tensor2)), start=2):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(t).__name__}")


def _number(value: Any) -> Any:
    """``addcmul``/``addcdiv``'s ``value`` as PyTorch reads it: a numpy scalar as its Python
    number, a bool as the int it is (``value=True`` is ``value=1``, fused and rounded once)."""
    value = plain_number(value)
    return int(value) if type(value) is builtins.bool else value


def _value_in(value: Any, *tensors: Tensor) -> Any:
    """``value`` as PyTorch casts it to the result dtype: truncated for integer tensors (a
    Python number does not take part in the promotion)."""
    if isinstance(value, builtins.float) and all(
            isinstance(t, Tensor) and t._data.dtype.kind in "biu" for t in tensors):
        return math.trunc(value)
    return value


@op("addcmul", method=True, opmath=True, samples=[
    Sample("addcmul", lambda a, b, c: addcmul(a, b, c, value=0.5), 3, broadcasts=True)])
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *_deprecated: Any,
            value: Any = 1) -> Tensor:
    """Return ``input + value * tensor1 * tensor2``.

    ``value`` is cast to the result's dtype (truncated for integer tensors), as in PyTorch.
    PyTorch's deprecated ``addcmul(input, value, tensor1, tensor2)`` order is accepted, with
    its warning.

    Args:
        input (Tensor): the tensor added to.
        tensor1 (Tensor): the first factor.
        tensor2 (Tensor): the second factor.
        value (number): the multiplier of the product. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.addcmul(ag.tensor([1.0]), ag.tensor([2.0]), ag.tensor([3.0]), value=0.5)
        tensor([4.])
    """
    if _deprecated:
        tensor1, tensor2, value = _value_first("addcmul", tensor1, tensor2, _deprecated, value)
    _tensor_args("addcmul", tensor1, tensor2)
    # the three tensors decide the dtype, as ATen's: ``value`` is cast to it, not promoted with
    # it (int8 + 1 * bool * bool stays int8), and the product is taken in it
    dt = result_type(*(t._data if isinstance(t, Tensor) else t
                       for t in (input, tensor1, tensor2)))
    if dt.kind == "b":
        raise _args.not_implemented("addcmul_cpu_out", dt)
    value = _value_in(_args.scalar_for(_number(value), np.float32 if dt == np.float16 else dt),
                      input, tensor1, tensor2)  # (float16: range-checked in float32, its opmath)
    if dt.kind == "f" and isinstance(input, Tensor) and type(value) in (builtins.int,
                                                                        builtins.float):
        return Addcmul.apply(input, tensor1.to(dt), tensor2.to(dt), value=value)
    return input + value * (tensor1.to(dt) * tensor2.to(dt))


def _fma(x, y, z):
    """``x * y + z`` of float arrays of one dtype (``x`` maybe 0-d) rounded once: the Numba
    loops where they apply, else their twin."""
    fused = pointwise.fma_alpha(z, y, x) if x.ndim == 0 and y.shape == z.shape else \
        pointwise.fma_arrays(x, y, z)
    return np.asarray(numpy_fma(x, y, z), y.dtype) if fused is None else fused


@opmath_node
class Addcmul(Node):
    """``input + value * tensor1 * tensor2`` of floats as ATen's CPU kernel rounds it,
    ``fma(value * tensor1, tensor2, input)`` (``value`` in the dtype; the product first and
    two more roundings left ~20% of the elements 1 ulp off), and PyTorch's gradients ``g``,
    ``g * (tensor2 * value)``, ``g * (tensor1 * value)``. float16 computes in float32."""

    _grad_fn = "AddcmulBackward0"

    def forward(self, input, tensor1, tensor2, *, value):
        self.save_for_backward(tensor1, tensor2, value)
        dt = result_type(input, tensor1, tensor2)
        scaled = np.asarray(tensor1, dt) * dt.type(value)
        return _fma(scaled, np.asarray(tensor2, dt), np.asarray(input, dt))

    def backward(self, g):
        t1, t2, value = self.saved
        n = self.needs_input_grad
        return (g if n[0] else None, g * _times(t2, value) if n[1] else None,
                g * _times(t1, value) if n[2] else None)


@op("addcdiv", method=True, opmath=True, samples=[
    Sample("addcdiv", lambda a, b, c: addcdiv(a, b, c, value=0.5), 3, broadcasts=True,
           domain="away_from_zero")])
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *_deprecated: Any,
            value: Any = 1) -> Tensor:
    """Return ``input + value * tensor1 / tensor2``.

    Integer ``tensor1`` and ``tensor2`` are refused, as in PyTorch. PyTorch's deprecated
    ``addcdiv(input, value, tensor1, tensor2)`` order is accepted, with its warning.

    Args:
        input (Tensor): the tensor added to.
        tensor1 (Tensor): the numerator.
        tensor2 (Tensor): the denominator.
        value (number): the multiplier of the quotient. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.addcdiv(ag.tensor([1.0]), ag.tensor([3.0]), ag.tensor([2.0]), value=2)
        tensor([4.])
    """
    if _deprecated:
        tensor1, tensor2, value = _value_first("addcdiv", tensor1, tensor2, _deprecated, value)
    _tensor_args("addcdiv", tensor1, tensor2)
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    # the three tensors decide the dtype, and the quotient is taken in it, as ATen's (uint8
    # 200 * 2 wrapped to 144 in uint8; a float32 0-d tensor1 made a float16 input float32)
    dt, value = result_type(*(t._data if isinstance(t, Tensor) else t
                              for t in (input, tensor1, tensor2))), _number(value)
    if dt.kind == "f" and isinstance(input, Tensor) and type(value) in (builtins.int,
                                                                        builtins.float):
        return Addcdiv.apply(input.to(dt), tensor1.to(dt), tensor2.to(dt), value=value)
    # (value * tensor1) / tensor2, ATen's order
    return input + value * tensor1.to(dt) / tensor2.to(dt)


@opmath_node
class Addcdiv(Node):
    """``input + value * tensor1 / tensor2`` of one float dtype in ATen's order,
    ``input + (value * tensor1) / tensor2``, and PyTorch's gradients ``g``,
    ``g * (value / tensor2)``, ``-g * ((value * tensor1) / (tensor2 * tensor2))`` (the
    composite's rounded otherwise: a third of the elements 1 ulp off). float16 computes in
    float32."""

    _grad_fn = "AddcdivBackward0"

    def forward(self, input, tensor1, tensor2, *, value):
        self.save_for_backward(tensor1, tensor2, value)
        return input + _times(tensor1, value) / tensor2

    def backward(self, g):
        t1, t2, value = self.saved
        n = self.needs_input_grad
        # (value / t2: for float16, value made float16 first, as PyTorch's: half_number)
        v = half_number(value, t2.dtype) if type(t2) is np.ndarray else value
        return (g if n[0] else None, g * (v / t2) if n[1] else None,
                -g * (_times(t1, value) / (t2 * t2)) if n[2] else None)


# ---- reductions -------------------------------------------------------------------------------

def _int_to_long(x, dtype):
    """PyTorch's accumulation dtype: ``dtype`` if given, int64 for integer and bool inputs."""
    if dtype is not None:
        return x.astype(dtype)
    return x.astype(np.int64) if x.dtype.kind in "biu" else x


def _prod_rows(x):
    """The product over the last (contiguous) axis of the float32/float64 array ``x`` in the
    order of ATen's vectorised inner reduction on AVX2 CPUs, bit for bit: four accumulators of
    one register's lanes (8 float32, 4 float64) over whole blocks of 4 registers, combined
    ``(a0 * a1) * (a2 * a3)``, their lanes multiplied in order, then the remaining elements one
    by one. (numpy multiplies each row in order: 1 in 10 rows of 1000 differed from PyTorch in
    the last bits, and its row loop is ~3x slower than these whole-array products.)"""
    lanes = 32 // x.itemsize
    block = 4 * lanes
    n = x.shape[-1]
    whole = n - n % block
    out = np.ones(x.shape[:-1], x.dtype)
    if whole:
        acc = np.multiply.reduce(
            x[..., :whole].reshape(x.shape[:-1] + (whole // block, 4, lanes)), axis=-3)
        acc = (acc[..., 0, :] * acc[..., 1, :]) * (acc[..., 2, :] * acc[..., 3, :])
        out = acc[..., 0]
        for j in range(1, lanes):
            out = out * acc[..., j]
    for j in range(whole, n):
        out = out * x[..., j]
    return out


class Prod(Node):
    """Product over ``dim`` (all when None). Gradient ``g * prod / x`` without zeros; with a zero,
    the product of the other elements (computed directly, differentiable once)."""

    complex_backward = HOLOMORPHIC  # analytic: g * conj(prod / z), the zero path too

    def name(self):  # prod(x) and prod(x, dim): PyTorch's ProdBackward0 and ProdBackward1
        return f"ProdBackward{0 if self.dim is None else 1}"

    def forward(self, input, dim, keepdim):
        self.in_shape, self.dim, self.keepdim = input.shape, dim, keepdim
        # an integer product in its own dtype (int16 for dtype=int16; numpy's widens to int64)
        if input.dtype == np.float16 and dim is not None and input.ndim and input.shape[dim]:
            # PyTorch multiplies a float16 slice in order, each product rounded (numpy's
            # blocked order differed in 1 of 2 products of 32 numbers)
            y = np.take(np.multiply.accumulate(input, axis=dim), [-1], axis=dim)
            y = y if keepdim else y.squeeze(dim)
        elif input.dtype in (np.float32, np.float64) and dim == input.ndim - 1 and \
                input.strides[-1] == input.itemsize:
            y = _prod_rows(input)
            y = y[..., None] if keepdim else y
        else:
            y = ignoring(np.prod, input, axis=dim, keepdims=keepdim,
                         dtype=input.dtype if input.dtype.kind in "biu" else None)
        self.save_for_backward(input, y)
        return y

    def _keep(self, t):
        if self.dim is None:
            return t.reshape((1,) * len(self.in_shape))
        return t if self.keepdim else t.reshape(
            tuple(1 if i == self.dim else s for i, s in enumerate(self.in_shape)))

    def backward(self, g):
        x, y = self.saved
        g, y = self._keep(g), self._keep(y)
        xd = xp.data(x)
        if not (xd == 0).any():
            return (g * (y / x),)  # PyTorch's prod_backward grouping, g * (result / x)
        if self.differentiable:  # the product of the others as ops on x: differentiable again
            xf = x.reshape(-1) if self.dim is None else x
            return (g * _replaced_by_one(xf, self.dim or 0).prod(1).movedim(
                0, self.dim or 0).reshape(xd.shape),)
        flat = np.moveaxis(xd.reshape(-1) if self.dim is None else xd, self.dim or 0, 0)
        others = np.empty_like(flat)
        for i in range(flat.shape[0]):  # the product of the others, slice by slice
            others[i] = np.prod(np.delete(flat, i, axis=0), axis=0)
        others = np.moveaxis(others, 0, self.dim or 0).reshape(xd.shape)
        return (g * others,)


@op("prod", node=Prod, method=True, samples=[
    Sample("prod", lambda a: prod(a), domain="away_from_zero"),
    Sample("prod_dim", lambda a: prod(a, -1, keepdim=True), domain="away_from_zero", min_ndim=1)])
def prod(input: Tensor, dim: builtins.int | None = None, keepdim: builtins.bool = False, *,
         dtype: DTypeLike | None = None) -> Tensor:
    """Return the product of the elements of ``input`` over ``dim`` (all when None).

    Integer and bool inputs give int64, as in PyTorch.

    Args:
        input (Tensor): the input tensor.
        dim (int, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.
        dtype (dtype, optional): cast ``input`` to it first.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.prod(x), x.prod(1)
        (tensor(24.), tensor([ 2., 12.]))
    """
    if dtype is not None or input.dtype.kind in "biu":
        input = input.to(np.dtype(_int_to_long(input._data.reshape(-1)[:0], dtype).dtype))
    d = None if dim is None else _args.norm_dim(dim, input.ndim, "prod")
    if input.ndim == 0:
        d = None
    return Prod.apply(input, dim=d, keepdim=bool(keepdim) and d is not None)


class Cumprod(Node):
    """Running product along ``dim``; gradient ``reverse_cumsum(g * y) / x`` (no zeros)."""

    complex_backward = HOLOMORPHIC  # analytic, the zero path too
    def forward(self, input, dim):
        self.dim = dim
        y = xp.wide(np.cumprod, input, axis=dim)
        self.save_for_backward(input, y)
        return y

    def backward(self, g):
        x, y = self.saved
        xd, d = xp.data(x), self.dim
        if not (xd == 0).any():
            return (_rev_cumsum(g * y, d) / x,)
        # a zero: grad_i = sum_{k >= i} g_k prod_{j <= k, j != i} x_j, by brute force
        if self.differentiable:  # as ops on x and g: differentiable again
            n = xd.shape[d]
            later = np.tril(np.ones((n, n), bool), -1).reshape(  # k < i: not in the sum
                (n, n) + (1,) * (xd.ndim - 1))
            terms = g.movedim(d, 0).unsqueeze(0) * _replaced_by_one(x, d).cumprod(1)
            return (terms.masked_fill(later, 0.0).sum(1).movedim(0, d),)
        gd = np.moveaxis(xp.data(g), d, 0)
        xm = np.moveaxis(xd, d, 0)
        n = xm.shape[0]
        out = np.zeros_like(xm)
        for i in range(n):
            others = xm.copy()
            others[i] = 1
            out[i] = (gd[i:] * np.cumprod(others, axis=0)[i:]).sum(axis=0)
        return (g * 0.0 + np.moveaxis(out, 0, d),)


def _replaced_by_one(x, axis):
    """``x`` (a Tensor) moved to put ``axis`` first and repeated ``n = x.shape[axis]`` times,
    with row ``i``'s element ``i`` set to 1: shape ``(n, n, ...)``. Products along axis 1 are
    the products of the other elements, with zeros, as differentiable ops (no division)."""
    xm = x.movedim(axis, 0)
    n = xm.shape[0]
    own = np.eye(n, dtype=bool).reshape((n, n) + (1,) * (xm.ndim - 1))
    return xm.unsqueeze(0).expand(n, *xm.shape).masked_fill(own, 1.0)


def _rev_cumsum(t, d):
    """``sum_{k >= i} t_k`` along ``d``, summed from the end in both forms (a total minus a
    running sum instead loses every small term after a large one)."""
    if isinstance(t, Tensor):
        return t.flip(d).cumsum(d).flip(d)
    return np.flip(xp.wide(np.cumsum, np.flip(t, d), axis=d), d)


@op("cumprod", node=Cumprod, method=True, samples=[
    Sample("cumprod", lambda a: cumprod(a, 0), domain="away_from_zero", min_ndim=1)])
def cumprod(input: Tensor, dim: builtins.int, *, dtype: DTypeLike | None = None) -> Tensor:
    """Return the running product of ``input`` along ``dim``.

    Integer and bool inputs give int64, as in PyTorch.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension.
        dtype (dtype, optional): cast ``input`` to it first.

    Example::

        >>> import autograd_core as ag
        >>> ag.cumprod(ag.tensor([1.0, 2.0, 3.0]), dim=0)
        tensor([1., 2., 6.])
    """
    if dtype is not None and np.dtype(dtype) == np.bool_:  # PyTorch has no bool running product
        raise _args.not_implemented("cumprod_out_cpu", np.bool_)
    if dtype is not None or input.dtype.kind in "biu":
        input = input.to(np.dtype(_int_to_long(input._data.reshape(-1)[:0], dtype).dtype))
    if input.ndim == 0:
        _args.norm_dim(dim, 0, "cumprod")
        return input * 1
    return Cumprod.apply(input, dim=_args.norm_dim(dim, input.ndim, "cumprod"))


class _NanToZero(Node):
    """``x`` with NaN replaced by 0. The mask is found in forward (so a step captured by
    ``ag.compile`` finds it afresh at each replay, never a stale one) and saved; backward is
    ``g * mask`` (linear in ``g``: the same expression serves create_graph). ``x`` is saved
    too, as PyTorch's nansum saves it: an in-place change of it refuses backward."""

    _op_name = "nansum"  # the public op a refusal names (Node.op_name)

    _grad_fn = "NanToNumBackward0"

    def forward(self, x):
        keep = ~np.isnan(x)
        self.save_for_backward(keep.astype(x.dtype), x)
        return np.where(keep, x, x.dtype.type(0))

    def backward(self, g):
        keep, _ = self.saved
        return (g * keep,)


def _no_nan(input):
    if input.dtype.kind not in "fc":
        return input
    return _NanToZero.apply(input)


@op("nansum", method=True, samples=[Sample("nansum", lambda a: nansum(a, -1))])
def nansum(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,
           dtype: DTypeLike | None = None) -> Tensor:
    """Return the sum of ``input`` over ``dim`` (all when None), NaN counted as zero.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        dtype (dtype, optional): the result's dtype.

    Example::

        >>> import autograd_core as ag
        >>> ag.nansum(ag.tensor([1.0, float('nan'), 2.0]))
        tensor(3.)
    """
    _args.no_complex(input, "", "nansum on CPU does not support complex inputs")
    return _no_nan(input).sum(dim, keepdim=keepdim, dtype=dtype)


@op("nanmean", method=True, samples=[Sample("nanmean", lambda a: nanmean(a))])
def nanmean(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,
            dtype: DTypeLike | None = None) -> Tensor:
    """Return the mean of the non-NaN elements of ``input`` over ``dim`` (all when None).

    Args:
        input (Tensor): the input tensor (floating point).
        dim (int or tuple of ints, optional): the dimension(s) to reduce.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        dtype (dtype, optional): the result's dtype.

    Example::

        >>> import autograd_core as ag
        >>> ag.nanmean(ag.tensor([1.0, float('nan'), 2.0]))
        tensor(1.5000)
    """
    _args.no_complex(input, "", "nansum on CPU does not support complex inputs")
    if input.dtype.kind not in "fc":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_args.torch_name(input.dtype)}")
    if dtype is not None and np.dtype(dtype).kind not in "fc":
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be "
                           "either a floating point or complex dtype. Got: "
                           f"{_args.torch_name(dtype)}")
    dims, keep = _args.dims(dim, None, keepdim, None, input.ndim)
    # the count is made from input's values outside any op: ag.compile sees that and runs a
    # step using it eagerly rather than replay a stale count; an int64 count, as PyTorch's, so
    # the sum keeps its dtype (the one asked for)
    count = np.sum(~np.isnan(input._data), axis=dims, keepdims=keep)
    return nansum(input, dim, keepdim, dtype=dtype) / _from_values(count.astype(np.int64))


MedianResult = namedtuple("median", ["values", "indices"])  # type: ignore[name-match]
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])  # type: ignore[name-match]
CummaxResult = namedtuple("cummax", ["values", "indices"])  # type: ignore[name-match]
CumminResult = namedtuple("cummin", ["values", "indices"])  # type: ignore[name-match]
AminmaxResult = namedtuple("aminmax", ["min", "max"])  # type: ignore[name-match]


def _select(input, dim, keepdim, k, name, result, nan_first=False):
    """The ``k``-th smallest (0-based) along ``dim``, as ``result(values, indices)``; NaN sorts
    last, as in PyTorch. ``nan_first``: a slice holding NaN selects its first NaN (median)."""
    x = input._data
    _args.refuse_complex(f'"{name}" not implemented for \'{{dtype}}\'', x, error=NotImplementedError)
    if x.ndim == 0:
        _args.norm_dim(dim, 0, name)
        return result(input.clone(), Tensor._make(np.zeros((), np.int64), None, False))
    d = _args.norm_dim(dim, x.ndim, name)
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    idx = _order_at(x, d, k)
    if nan_first:
        nan = np.isnan(x)
        idx = np.where(nan.any(axis=d, keepdims=True), np.argmax(nan, axis=d, keepdims=True),
                       idx)
    values = Gather.apply(input, index=idx, dim=d)
    if not keepdim:
        values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
    return result(values, Tensor._make(idx, None, False))


@op("median", reads_values=True, method=True, samples=[
    Sample("median", lambda a: median(a) - median(-a) * 0.5, domain="distinct"),
    Sample("median_dim", lambda a: median(a, -1).values, domain="distinct")])
def median(input: Tensor, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
    """Return the median of ``input`` (the lower of the two middle values for an even count).

    Without ``dim``, the median of all elements; with ``dim``, the named tuple
    ``(values, indices)`` along it. A slice holding NaN has median NaN (at its first NaN).

    Args:
        input (Tensor): the input tensor.
        dim (int, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 5.0, 2.0, 4.0], [3.0, 0.0, 6.0, 7.0]])
        >>> ag.median(x)
        tensor(3.)
        >>> x.median(1)
        median(values=tensor([2., 3.]), indices=tensor([2, 0]))
    """
    _args.no_complex(input, "median_cpu" if dim is None else "median_out")
    if dim is None:
        if input.numel() == 0:  # NaN, as PyTorch
            return input.sum() * float("nan")
        flat = input.reshape(-1)
        value = _select(flat, 0, False, (flat.shape[0] - 1) // 2, "median", MedianResult, True)
        return EvenlySpread.apply(input, value=value.values._data)
    n = input.shape[_args.norm_dim(dim, input.ndim, "median")] if input.ndim else 1
    return _select(input, dim, keepdim, (n - 1) // 2, "median", MedianResult, True)


class EvenlySpread(Node):
    """``value``, an element that a full reduction (median, nanmedian) selected from ``x``,
    with PyTorch's gradient: split evenly over the elements equal to it (the NaNs if NaN).
    ``x`` is saved, as PyTorch's node saves it: an in-place change of it, or a second
    backward without ``retain_graph``, refuses."""

    def forward(self, x, value):
        with np.errstate(invalid="ignore"):
            self.mask = np.isnan(x) if np.isnan(value) else x == value
        self.save_for_backward(x)
        return np.asarray(value, x.dtype)

    def backward(self, g):
        self.saved  # noqa: B018  (the version check, and the freed graph's error)
        return (xp.where(self.mask, g / builtins.int(self.mask.sum()), 0.0),)


@op("kthvalue", reads_values=True, method=True, samples=[
    Sample("kthvalue", lambda a: kthvalue(a, 1).values, domain="distinct")])
def kthvalue(input: Tensor, k: builtins.int, dim: builtins.int = -1,
             keepdim: builtins.bool = False) -> Any:
    """Return the named tuple ``(values, indices)`` of the ``k``-th smallest elements along
    ``dim`` (``k`` counts from 1).

    Args:
        input (Tensor): the input tensor.
        k (int): which smallest element, from 1.
        dim (int): the dimension. Default: -1.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.kthvalue(ag.tensor([3.0, 1.0, 2.0]), 2)
        kthvalue(values=tensor(2.), indices=tensor(2))
    """
    _args.no_complex(input, "kthvalue_cpu")
    d = _args.norm_dim(dim, input.ndim, "kthvalue")
    n = input.shape[d] if input.ndim else 1
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _select(input, dim, keepdim, k - 1, "kthvalue", KthvalueResult)


class Cummax(Gather):
    """``cummax``'s values: the input gathered at the running extreme's indices (a 0-d input
    copied), under PyTorch's node name (``Cummin``: ``cummin``'s). It saves the input too, as
    PyTorch's nodes save ``self`` (``median(dim)``, ``sort``, ``kthvalue`` keep only indices):
    an in-place change of the input refuses backward there, and here."""

    _grad_fn = "CummaxBackward0"
    _op_name = "cummax"

    def forward(self, x, index, dim):
        if x.ndim:
            out = super().forward(x, index, dim)
        else:
            self.in_shape, out = (), x.copy()
        self.save_for_backward(index, x)
        return out

    def backward(self, g):
        if self.in_shape:
            return super().backward(g)
        self.saved  # noqa: B018  (PyTorch's error once a backward freed the graph)
        return (g,)


class Cummin(Cummax):
    _grad_fn = "CumminBackward0"
    _op_name = "cummin"


def _cum_extreme(input, dim, is_max):
    name = "cummax" if is_max else "cummin"
    result = CummaxResult if is_max else CumminResult
    node = Cummax if is_max else Cummin
    x = input._data
    _args.refuse_complex(f'"{name}" not implemented for \'{{dtype}}\'', x, error=NotImplementedError)
    if x.ndim == 0:
        _args.norm_dim(dim, 0, name)
        idx = np.zeros((), np.int64)
        return result(node.apply(input, index=idx, dim=0), Tensor._make(idx, None, False))
    d = _args.norm_dim(dim, x.ndim, name)
    xm = np.moveaxis(x, d, 0)
    idx = np.zeros(xm.shape, np.int64)
    best = xm[0].copy() if xm.shape[0] else xm[:0]
    for i in range(1, xm.shape[0]):
        # ties move to the later index; NaN wins and stays (as PyTorch)
        better = (xm[i] >= best) if is_max else (xm[i] <= best)
        better = better | np.isnan(xm[i])  # once NaN, only a later NaN moves the index
        idx[i] = np.where(better, i, idx[i - 1])
        best = np.where(better, xm[i], best)
    idx = np.moveaxis(idx, 0, d)
    return result(node.apply(input, index=idx, dim=d), Tensor._make(idx, None, False))



ModeResult = namedtuple("mode", ["values", "indices"])  # type: ignore[name-match]


def _mode_index(row):
    """Index of the mode of a 1-D array: the most frequent value, the smallest of equally
    frequent ones, at its last occurrence (PyTorch's CPU choice); NaN equals nothing."""
    order = np.argsort(row, kind="stable")
    v = row[order]
    new_run = np.concatenate([[True], ~(v[1:] == v[:-1])])  # NaN != NaN: each its own run
    starts = np.flatnonzero(new_run)
    counts = np.diff(np.append(starts, v.size))
    best = starts[np.argmax(counts)]  # first (smallest) of the most frequent runs
    return int(order[best + counts[np.argmax(counts)] - 1])  # stable: its last occurrence


@op("mode", reads_values=True, method=True, samples=[
    Sample("mode", lambda a: mode(a.round()).values * 2.0, min_ndim=1)])
def mode(input: Tensor, dim: builtins.int = -1, keepdim: builtins.bool = False) -> Any:
    """Return the named tuple ``(values, indices)`` of the most frequent value along ``dim``.

    Of equally frequent values the smallest is chosen, at its last occurrence (PyTorch leaves
    which occurrence unspecified). NaN equals nothing (each counts once).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension. Default: -1.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.mode(ag.tensor([[1.0, 2.0, 2.0, 1.0, 3.0], [5.0, 4.0, 4.0, 5.0, 5.0]]))
        mode(values=tensor([1., 5.]), indices=tensor([3, 4]))
    """
    _args.no_complex(input, "mode_cpu")
    x = input._data
    if x.ndim == 0:
        _args.norm_dim(dim, 0, "mode")
        return ModeResult(input.clone(), Tensor._make(np.zeros((), np.int64), None, False))
    d = _args.norm_dim(dim, x.ndim, "mode")
    if x.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    rows = np.moveaxis(x, d, -1)
    flat = rows.reshape(-1, rows.shape[-1])
    idx = np.array([_mode_index(r) for r in flat], dtype=np.int64).reshape(rows.shape[:-1])
    idx = np.expand_dims(idx, d)
    values = Gather.apply(input, index=idx, dim=d)
    if not keepdim:
        values, idx = values.squeeze(d), np.squeeze(idx, axis=d)
    return ModeResult(values, Tensor._make(idx, None, False))


@op("cummax", reads_values=True, method=True, samples=[
    Sample("cummax", lambda a: cummax(a, 0).values, domain="distinct", min_ndim=1)])
def cummax(input: Tensor, dim: builtins.int) -> Any:
    """Return the named tuple ``(values, indices)`` of the running maximum along ``dim``.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension.

    Example::

        >>> import autograd_core as ag
        >>> ag.cummax(ag.tensor([1.0, 3.0, 2.0, 4.0]), 0)
        cummax(values=tensor([1., 3., 3., 4.]), indices=tensor([0, 1, 1, 3]))
    """
    _args.no_complex(input, "cummax_cpu")
    return _cum_extreme(input, dim, True)


@op("cummin", reads_values=True, method=True, samples=[
    Sample("cummin", lambda a: cummin(a, 0).values, domain="distinct", min_ndim=1)])
def cummin(input: Tensor, dim: builtins.int) -> Any:
    """Return the named tuple ``(values, indices)`` of the running minimum along ``dim``.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension.

    Example::

        >>> import autograd_core as ag
        >>> ag.cummin(ag.tensor([3.0, 1.0, 2.0, 0.0]), 0)
        cummin(values=tensor([3., 1., 1., 0.]), indices=tensor([0, 1, 1, 3]))
    """
    _args.no_complex(input, "cummin_cpu")
    return _cum_extreme(input, dim, False)


class LogCumSumExp(Node):
    """``log(cumsum(exp(x)))`` along ``dim`` by ``np.logaddexp.accumulate`` (no overflow).

    Gradient ``grad_i = sum_{k >= i} g_k exp(x_i - y_k)``: in plain backward, computed in log
    space separately for the positive and negative parts of ``g`` (PyTorch's way: stable);
    under create_graph, the same sum as Tensor ops over the pairs ``i <= k``, where
    ``x_i <= y_k`` so that no ``exp`` overflows (``n^2`` terms along ``dim``)."""

    def forward(self, input, dim):
        self.dim = dim
        # (+ 0.0: ATen's starts from -inf, so the first value is logaddexp(-inf, x): never -0)
        y = xp.wide(np.logaddexp.accumulate, input, axis=dim) + 0.0
        self.save_for_backward(input, y)
        return y

    def backward(self, g):
        x, y = self.saved
        d = self.dim
        if self.differentiable:
            n = x.shape[d]
            later = np.tril(np.ones((n, n), bool), -1)  # pairs i > k: not in the sum
            diff = x.movedim(d, -1).unsqueeze(-1) - y.movedim(d, -1).unsqueeze(-2)
            terms = diff.masked_fill(later, -math.inf).exp() * g.movedim(d, -1).unsqueeze(-2)
            return (terms.sum(-1).movedim(-1, d),)
        with np.errstate(divide="ignore", invalid="ignore"):
            pos, neg = (np.exp(np.flip(xp.wide(np.logaddexp.accumulate,
                                               np.flip(np.log(part) - y, d), axis=d), d) + x)
                        for part in (np.maximum(g, 0), np.maximum(-g, 0)))
            return (pos - neg,)  # (0 - 0 is +0, as PyTorch's)


@op("logcumsumexp", node=LogCumSumExp, method=True, grad_fn="LogcumsumexpBackward0", samples=[
    Sample("logcumsumexp", lambda a: logcumsumexp(a, 0), min_ndim=1)])
def logcumsumexp(input: Tensor, dim: builtins.int) -> Tensor:
    """Return ``log(cumsum(exp(input), dim))`` without overflow.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension.

    Example::

        >>> import autograd_core as ag
        >>> ag.logcumsumexp(ag.tensor([0.0, 0.0, 100.0]), 0)
        tensor([  0.0000,   0.6931, 100.0000])
    """
    if input.dtype.kind not in "fc":
        raise NotImplementedError(
            f'"logcumsumexp_out_cpu" not implemented for \'{_args.torch_name(input.dtype)}\'')
    if input.dtype.kind == "c":  # numpy's logaddexp.accumulate is real only
        raise NotImplementedError("logcumsumexp: complex inputs are not supported in tapegrad "
                                  "(PyTorch computes them)")
    if input.ndim == 0:
        _args.norm_dim(dim, 0, "logcumsumexp")
        return input * 1
    return LogCumSumExp.apply(input, dim=_args.norm_dim(dim, input.ndim, "logcumsumexp"))


@op("aminmax", method=True, samples=[
    Sample("aminmax", lambda a: aminmax(a).min + aminmax(a).max * 2.0, domain="distinct")])
def aminmax(input: Tensor, *, dim: builtins.int | None = None,
            keepdim: builtins.bool = False) -> Any:
    """Return the named tuple ``(min, max)`` of ``input`` over ``dim`` (all when None).

    Args:
        input (Tensor): the input tensor.
        dim (int, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.aminmax(ag.tensor([[1.0, 5.0], [3.0, -2.0]]), dim=0)
        aminmax(min=tensor([ 1., -2.]), max=tensor([3., 5.]))
    """
    _args.no_complex(input, "aminmax_cpu")
    if dim is not None and input.ndim and input.shape[dim] == 0:
        d = _args.norm_dim(dim, input.ndim, "aminmax")
        raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    if dim is None and input.numel() == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    return AminmaxResult(input.amin(dim, keepdim), input.amax(dim, keepdim))


@op("count_nonzero", method=True, samples=())
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """Count the non-zero elements of ``input`` over ``dim`` (all when None); an int64 tensor.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to reduce.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[0.0, 1.0], [2.0, 3.0]])
        >>> ag.count_nonzero(x), x.count_nonzero(dim=0)
        (tensor(3), tensor([1, 2]))
    """
    dims, _ = _args.dims(dim, None, False, None, input.ndim)
    return _from_values(np.count_nonzero(input._data, axis=dims).astype(np.int64))


@op("dist", method=True, samples=[
    Sample("dist", lambda a, b: dist(a, b), 2, broadcasts=True, domain="distinct"),
    Sample("dist_p3", lambda a, b: dist(a, b, 3.0), 2, broadcasts=True, domain="distinct")])
def dist(input: Tensor, other: Tensor, p: builtins.float = 2) -> Tensor:
    """Return the ``p``-norm of ``input - other``.

    Args:
        input (Tensor): the first input.
        other (Tensor): the second input (broadcastable with ``input``).
        p (float): the order of the norm. Default: 2.

    Example::

        >>> import autograd_core as ag
        >>> ag.dist(ag.tensor([0.0, 0.0]), ag.tensor([3.0, 4.0]))
        tensor(5.)
    """
    return _DistDifference.apply(input, other).norm(p)


class _DistDifference(Sub):
    """``input - other`` saving both, as PyTorch's dist node saves them: an in-place change of
    either refuses backward (the difference's own rule needs neither). Kept out of the fused
    replays of ``ag.compile``, whose fused kernels save nothing."""

    fuse = None  # type: ignore[assignment]
    _grad_fn = "SubBackward0"

    def forward(self, a, b, out=None):
        _refuse_bool_sub(a, b)
        self.save_for_backward(a, b)
        return _ufunc(np.subtract, "sub", a, b, out)  # (Sub's forward)

    def backward(self, g):
        self.saved  # noqa: B018
        return super().backward(g)


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    name = "quantile"  # (PyTorch's nanquantile says quantile() too)
    modes = ("linear", "lower", "higher", "midpoint", "nearest")
    if interpolation not in modes:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    qs = np.asarray(q._data if isinstance(q, Tensor) else q, dtype=np.float64)
    if isinstance(q, Tensor) and q.dtype != input.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
    if qs.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if ((qs < 0) | (qs > 1)).any():
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]" if qs.ndim else
                           f"{name}() q must be in the range [0, 1] but got {float(qs):g}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    x = input
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = _args.norm_dim(dim, input.ndim, name) if input.ndim else 0
        if input.ndim == 0:
            x = input.reshape(1)
    n = x.shape[d]
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    xd = x._data
    order = _order(xd, d, False).astype(np.int64)
    nan = np.isnan(xd)
    valid = n - nan.sum(axis=d, keepdims=True) if ignore_nan else np.full(
        np.take(xd, [0], axis=d).shape, n)
    # positions q * (count - 1) along the sorted dimension, one slice per q, in the input's
    # dtype as PyTorch's ranks (in float64, a float32 weight was an ulp or more away)
    pos = qs.reshape(-1, *([1] * xd.ndim)).astype(xd.dtype) * \
        (np.maximum(valid, 1) - 1).astype(xd.dtype)
    has_nan = None if ignore_nan else nan.any(axis=d, keepdims=True)
    if has_nan is not None and has_nan.any():
        # PyTorch's rank for a slice holding NaN: the last sorted element, its last NaN, which
        # the result is and its gradient reaches (a NaN written over the result had none)
        pos = np.where(has_nan, pos.dtype.type(n - 1), pos)
    lo, hi = np.floor(pos), np.ceil(pos)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = np.round(pos)
    # PyTorch's: lower/higher/nearest take the element (a + 0 * (b - a) was NaN at an inf
    # and +0.0 at -0.0); linear/midpoint lerp the two (midpoint by 0.5 even when they are one)
    between = interpolation in ("linear", "midpoint")
    frac = np.full(pos.shape, 0.5) if interpolation == "midpoint" else pos - lo
    outs = []
    for i in range(qs.size):
        il = np.take_along_axis(order, lo[i].astype(np.int64), axis=d)
        v = Gather.apply(x, index=il, dim=d)
        if between:
            ih = np.take_along_axis(order, hi[i].astype(np.int64), axis=d)
            v = lerp(v, Gather.apply(x, index=ih, dim=d),
                     xp.constant(np.broadcast_to(frac[i], il.shape).astype(xd.dtype)))
        # (an all-NaN slice of nanquantile: rank 0, its first NaN, as PyTorch's)
        outs.append(v if keepdim else v.squeeze(d))
    if dim is None and keepdim:
        outs = [o.reshape((1,) * input.ndim) for o in outs]
    elif dim is None or input.ndim == 0:
        outs = [o.reshape(()) for o in outs]
    if qs.ndim == 0:
        return outs[0]
    from autograd_core import stack

    return stack(outs)


@op("quantile", reads_values=True, method=True, samples=[
    Sample("quantile", lambda a: quantile(a, 0.3), domain="distinct"),
    Sample("quantile_dim", lambda a: quantile(a, _qs_like(a), dim=-1, keepdim=True),
           domain="distinct")])
def quantile(input: Tensor, q: Any, dim: builtins.int | None = None,
             keepdim: builtins.bool = False, *, interpolation: str = "linear") -> Tensor:
    """Return the ``q``-th quantiles of ``input`` over ``dim`` (all elements when None).

    ``q`` is a number or a 1-D tensor in [0, 1]; for a tensor the result gains a leading
    dimension, one entry per ``q``. Between two elements the result is interpolated as
    ``interpolation`` says: "linear", "lower", "higher", "midpoint" or "nearest". NaN anywhere
    in a slice makes its quantiles NaN.

    Args:
        input (Tensor): the input tensor (floating point).
        q (float or Tensor): the quantile(s).
        dim (int, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.
        interpolation (str): how to pick between two elements. Default: "linear".

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([0.0, 1.0, 2.0, 10.0])
        >>> ag.quantile(x, 0.5), x.quantile(ag.tensor([0.25, 1.0]))
        (tensor(1.5000), tensor([ 0.7500, 10.0000]))
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def _qs_like(a):
    """Three quantiles in ``a``'s dtype (PyTorch wants q and input of one dtype)."""
    return xp.constant(np.array([0.1, 0.5, 0.9], dtype=a._data.dtype))


@op("nanquantile", reads_values=True, method=True, samples=[
    Sample("nanquantile", lambda a: nanquantile(a, 0.3), domain="distinct")])
def nanquantile(input: Tensor, q: Any, dim: builtins.int | None = None,
                keepdim: builtins.bool = False, *, interpolation: str = "linear") -> Tensor:
    """``quantile``, ignoring NaN: the quantiles of the other elements of each slice.

    A slice of NaN only gives NaN.

    Args:
        input (Tensor): the input tensor (floating point).
        q (float or Tensor): the quantile(s).
        dim (int, optional): the dimension to reduce.
        keepdim (bool): keep the reduced dimension with size 1. Default: False.
        interpolation (str): how to pick between two elements. Default: "linear".

    Example::

        >>> import autograd_core as ag
        >>> ag.nanquantile(ag.tensor([0.0, float('nan'), 2.0]), 0.5)
        tensor(1.)
    """
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)
