"""The nodes behind ``autograd_core.special`` that no other op provides: the modified Bessel
functions ``i0`` and ``i1``, the normal distribution's ``log_ndtr`` and ``ndtri``, ``entr`` and
``xlog1py``. Each computes in float64 (numpy, no scipy) and rounds to the input's dtype; each
backward rule is written with differentiable ops, so higher derivatives come free.

``i0`` is also ``ag.i0`` / ``Tensor.i0`` (as ``torch.i0``); the others are reached through
``autograd_core.special`` only (``special_*`` in the op table)."""

from __future__ import annotations

import math

import numpy as np

from autograd_core.node import Node, apply_nondifferentiable
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.mathfns import _erfc, _float_pair, _lgamma, _same, _SameOfSaved
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.batch2 import Xlogy
from autograd_core.ops.unary import _floating
from autograd_core.tensor import Tensor

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _bessel_i64(x, nu, scaled):
    """Modified Bessel function of the first kind of order ``nu`` (0 or 1) in float64, times
    ``exp(-|x|)`` if ``scaled``: the power series ``sum (x/2)**(2k+nu) / (k! (k+nu)!)`` for
    ``|x| <= 20``, else the asymptotic series of ``e**|x| / sqrt(2 pi |x|)`` (even / odd in
    ``x``), whose smallest term is ~e**(-2|x|), below float64's eps."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    with np.errstate(all="ignore"):
        small = np.minimum(a, 20.0)
        q = (small / 2) ** 2
        term = (small / 2) ** nu
        series = term.copy()
        for k in range(1, 60):
            term = term * q / (k * (k + nu))
            series = series + term
        big = np.maximum(a, 20.0)
        term, asym = np.ones_like(big), np.ones_like(big)
        for k in range(1, 40):
            term = term * -(4.0 * nu * nu - (2 * k - 1) ** 2) / (k * 8.0 * big)
            asym = asym + term
        if scaled:
            series = series * np.exp(-small)
            asym = asym / np.sqrt(2 * math.pi * big)
        else:  # exp(big) itself is correctly rounded; the log form only where it overflows
            asym = np.where(big < 700.0, np.exp(np.minimum(big, 700.0))
                            / np.sqrt(2 * math.pi * big),
                            np.exp(big - 0.5 * np.log(2 * math.pi * big))) * asym
        out = np.where(a <= 20.0, series, asym)
        return np.copysign(out, x) if nu else np.where(np.isnan(x), x, out)


def _i1_64(x):
    """``i1`` in float64 (odd in ``x``)."""
    return _bessel_i64(x, 1, False)


#: the smallest float32 whose float32 exp is inf: PyTorch's float32 i0 and i1 (exp(|x|) times
#: a series) are inf from there on, although the true value (~1e37) would fit in float32
_EXP_OVERFLOW_F32 = np.float32(88.72283935546875)


def _bessel_i(fn, x, odd, kernel=None):
    """``fn`` (i0 or i1 in float64) on ``x`` in its dtype, with PyTorch's float32 overflow."""
    y = _same(fn, x, kernel)
    if y.dtype == np.float32:
        big = (np.abs(x) >= _EXP_OVERFLOW_F32) & np.isfinite(x)  # PyTorch: nan at +-inf
        if big.any():
            y[big] = np.copysign(np.float32(np.inf), x[big]) if odd else np.inf
    return y


def _i0(x):
    """``i0``: the op on a Tensor (recorded under create_graph), numpy on an array."""
    return I0.apply(x) if isinstance(x, Tensor) else _bessel_i(np.i0, x, False)


def _i1(x):
    return SpecialI1.apply(x) if isinstance(x, Tensor) else _bessel_i(_i1_64, x, True)


@op("i0", method=True, doc="""
    Return the modified Bessel function of the first kind of order zero of each element.

    ``i0(x) = sum_k (x**2 / 4)**k / (k!)**2``; its derivative is ``special.i1``. Integer inputs
    give float32. ``ag.special.i0`` is the same function.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.i0(ag.tensor([0.0, 1.0, 2.0]))
        tensor([1.0000, 1.2661, 2.2796])
    """)
class I0(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _bessel_i(np.i0, x, False, "i0_vml_cpu")

    def backward(self, g):
        (x,) = self.saved
        return (g * _i1(x),)


@op("special_i1", function=False, doc="""
    Return the modified Bessel function of the first kind of order one of each element.

    Reached as ``autograd_core.special.i1``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.i1(ag.tensor([0.0, 1.0, -2.0]))
        tensor([ 0.0000,  0.5652, -1.5906])
    """)
class SpecialI1(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _bessel_i(_i1_64, x, True, "i1_cpu")

    def backward(self, g):
        (x,) = self.saved
        zero = xp.data(x) == 0
        safe = xp.where(zero, 1.0, x)  # i1'(x) = i0(x) - i1(x) / x, 1/2 at 0
        return (g * xp.where(zero, 0.5, _i0(x) - _i1(safe) / safe),)


def _log_ndtr64(x):
    """``log(Phi(x))`` in float64, Phi the standard normal CDF: ``log1p(-erfc(x/sqrt2)/2)``
    for ``x > 0``, ``log(erfc(-x/sqrt2)/2)`` down to -20, then the asymptotic series of the
    Mills ratio (``erfc`` underflows near -38)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        upper = np.log1p(-0.5 * _erfc(np.maximum(x, 0.0) / math.sqrt(2)))
        middle = np.log(0.5 * _erfc(-np.clip(x, -20.0, 0.0) / math.sqrt(2)))
        t = np.minimum(x, -20.0)
        r = 1.0 / (t * t)
        term, s = np.ones_like(t), np.ones_like(t)
        for k in range(1, 14):
            term = term * -(2 * k - 1) * r
            s = s + term
        lower = -0.5 * t * t - np.log(-t) - _LOG_SQRT_2PI + np.log(s)
        return np.where(x > 0, upper, np.where(x >= -20.0, middle, lower))


def _log_ndtr(x):
    return SpecialLogNdtr.apply(x) if isinstance(x, Tensor) else _same(_log_ndtr64, x)


@op("special_log_ndtr", function=False, doc="""
    Return the logarithm of the standard normal CDF of each element, accurate far in the tails.

    Reached as ``autograd_core.special.log_ndtr``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.log_ndtr(ag.tensor([0.0, -1.0]))
        tensor([-0.6931, -1.8410])
        >>> round(ag.special.log_ndtr(ag.tensor(-40.0, dtype=ag.float64)).item(), 3)
        -804.608
    """)
class SpecialLogNdtr(_SameOfSaved):
    fn = staticmethod(_log_ndtr64)
    kernel_name = "log_ndtr_cpu"

    def backward(self, g):
        (x,) = self.saved  # phi(x) / Phi(x), as a difference of logarithms (no underflow)
        return (g * xp.exp(-(x * x) * 0.5 - _LOG_SQRT_2PI - _log_ndtr(x)),)


def _ndtri64(p):
    """The standard normal quantile in float64: Abramowitz & Stegun 26.2.23 (error < 4.5e-4)
    on the lower half, then Newton steps on ``log_ndtr`` (each doubles the digits)."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(all="ignore"):
        q = np.minimum(p, 1.0 - p)  # exact for p >= 1/2
        qs = np.where(q > 0, q, 0.5)  # (0 and NaN are set below)
        t = np.sqrt(-2.0 * np.log(qs))
        x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
              / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3))
        for _ in range(5):
            ln = _log_ndtr64(x)
            x = x - (ln - np.log(qs)) / np.exp(-0.5 * x * x - _LOG_SQRT_2PI - ln)
        x = np.where(q == 0.5, 0.0, x)
        x = np.where(p > 0.5, -x, x)
        x = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, x))
        return np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, x)


def _ndtri(p):
    return SpecialNdtri.apply(p) if isinstance(p, Tensor) else _same(_ndtri64, p)


@op("special_ndtri", function=False, samples=[
    Sample("special_ndtri", lambda a: SpecialNdtri.apply(a.sigmoid() * 0.8 + 0.1))], doc="""
    Return the argument ``x`` at which the standard normal CDF equals each element of ``input``.

    ``-inf`` at 0, ``inf`` at 1, NaN outside ``[0, 1]``. Reached as
    ``autograd_core.special.ndtri``.

    Args:
        input (Tensor): the probabilities.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.ndtri(ag.tensor([0.5, 0.975, 0.0]))
        tensor([0.0000, 1.9600,   -inf])
    """)
class SpecialNdtri(_SameOfSaved):
    fn = staticmethod(_ndtri64)
    kernel_name = "ndtri_cpu"

    def backward(self, g):
        (p,) = self.saved  # 1 / phi(ndtri(p))
        y = _ndtri(p)
        return (g * xp.exp(y * y * 0.5 + _LOG_SQRT_2PI),)


@op("special_entr", function=False, domain="positive", doc="""
    Return the elementwise entropy ``-input * log(input)``: 0 at 0, ``-inf`` below 0.

    Reached as ``autograd_core.special.entr``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.entr(ag.tensor([0.0, 0.5, 1.0, -1.0]))
        tensor([0.0000, 0.3466, -0.0000,   -inf])
    """)
class SpecialEntr(Node):
    def forward(self, input):
        x = _floating(input)
        _args.no_complex(x, "entr_cpu")
        self.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0, -np.inf))
        return np.where(np.isnan(x), x, y).astype(x.dtype)

    def backward(self, g):
        (x,) = self.saved
        with np.errstate(divide="ignore", invalid="ignore"):  # +inf at 0, NaN below (PyTorch)
            return (g * -(xp.log(x) + 1.0),)


@op("special_xlog1py", function=False, n_inputs=2, domain="positive", broadcasts=True,
    grad_fn="SpecialXlog1PyBackward0", doc="""
    Return ``input * log1p(other)``, with 0 where ``input`` is 0 (unless ``other`` is NaN).

    Integers give float32. Reached as ``autograd_core.special.xlog1py``.

    Args:
        input (Tensor or number): the multiplier.
        other (Tensor or number): the argument of ``log1p``.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.xlog1py(ag.tensor([0.0, 2.0]), ag.tensor([-1.0, 1.7182817]))
        tensor([0., 2.])
    """)
class SpecialXlog1py(Xlogy):
    _log, _pole = "log1p", -1
    _kernel = "xlog1py_cpu"


def _i0e(x):
    return SpecialI0e.apply(x) if isinstance(x, Tensor) else _same(
        lambda v: _bessel_i64(v, 0, True), x)


def _i1e(x):
    return SpecialI1e.apply(x) if isinstance(x, Tensor) else _same(
        lambda v: _bessel_i64(v, 1, True), x)


@op("special_i0e", function=False, domain="away_from_zero", grad_fn="SpecialI0EBackward0", doc="""
    Return the exponentially scaled modified Bessel function of the first kind of order zero,
    ``exp(-|x|) * i0(x)``, of each element (finite where ``i0`` overflows).

    Integer inputs give float32. Its derivative is ``i1e(x) - sign(x) * i0e(x)``. Reached as
    ``autograd_core.special.i0e``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.i0e(ag.tensor([0.0, 1.0, -2.0, 1000.0]))
        tensor([1.0000, 0.4658, 0.3085, 0.0126])
    """)
class SpecialI0e(_SameOfSaved):
    fn = staticmethod(lambda v: _bessel_i64(v, 0, True))
    kernel_name = "i0e_cpu"

    def backward(self, g):
        (x,) = self.saved
        v, e0 = xp.data(x), _i0e(x)  # i0e' = i1e - sign(x) i0e
        signed = xp.where(v < 0, -e0, xp.where(v > 0, e0, 0.0))
        return (g * (_i1e(x) - signed),)


@op("special_i1e", function=False, domain="away_from_zero", grad_fn="SpecialI1EBackward0", doc="""
    Return the exponentially scaled modified Bessel function of the first kind of order one,
    ``exp(-|x|) * i1(x)``, of each element (finite where ``i1`` overflows).

    Integer inputs give float32. Reached as ``autograd_core.special.i1e``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.i1e(ag.tensor([0.0, 1.0, -2.0, 1000.0]))
        tensor([ 0.0000,  0.2079, -0.2153,  0.0126])
    """)
class SpecialI1e(_SameOfSaved):
    fn = staticmethod(lambda v: _bessel_i64(v, 1, True))
    kernel_name = "i1e_cpu"

    def backward(self, g):
        (x,) = self.saved
        zero = xp.data(x) == 0
        safe = xp.where(zero, 1.0, x)  # i1e'(x) = i0e(x) - i1e(x) (sign(x) + 1/x), 1/2 at 0
        e1 = _i1e(safe)
        signed = xp.where(xp.data(safe) < 0, -e1, e1)
        return (g * xp.where(zero, 0.5, _i0e(x) - signed - e1 / safe),)


# the Euler-Maclaurin correction's divisors: (2j)! / B_2j, B_2j the Bernoulli numbers
_ZETA_DIVISORS = [math.factorial(2 * j) / b for j, b in enumerate(
    (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798,
     -174611 / 330, 854513 / 138, -236364091 / 2730), start=1)]
_EPS64 = 2.0 ** -53


def _zeta64(x, q):
    """The Hurwitz zeta function ``sum_k (k + q)**-x`` in float64 (Cephes' method, as
    PyTorch's): at least 9 terms and up to ``k + q > 9`` summed directly, the rest by the
    Euler-Maclaurin formula. ``inf`` at ``x = 1`` and at a pole ``q = 0, -1, ...``; NaN for
    ``x < 1`` and for ``q <= 0`` with a non-integer ``x``."""
    x, q = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    out = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        q_int = (q <= 0) & (q == np.floor(q))
        out[(x == 1) | ((x > 1) & q_int)] = np.inf
        go = ~((x == 1) | (x < 1) | q_int | ((q <= 0) & (x != np.floor(x))))
        xs, qs = x[go], q[go]
        s = qs ** -xs
        a, b = qs.copy(), np.zeros_like(s)
        summing = np.ones(s.shape, bool)  # still in the direct sum
        finished = np.zeros(s.shape, bool)  # converged within it
        i = 0
        while True:
            summing &= (i < 9) | (a <= 9.0)
            if not summing.any():
                break
            a[summing] += 1.0
            b[summing] = a[summing] ** -xs[summing]
            s[summing] += b[summing]
            done = summing & (-_EPS64 * s < b) & (b < _EPS64 * s)
            finished |= done
            summing &= ~done
            i += 1
        left = ~finished
        w = a
        s[left] += b[left] * w[left] / (xs[left] - 1.0) - 0.5 * b[left]
        a2, k = np.ones_like(s), 0.0
        for divisor in _ZETA_DIVISORS:
            a2 = a2 * (xs + k)
            b = b / w
            t = a2 * b / divisor
            s[left] += t[left]
            left &= ~(np.abs(t / s) < _EPS64)
            a2 = a2 * (xs + k + 1.0)
            b = b / w
            k += 2.0
        out[go] = s
    return out


def _zeta(x, q):
    if isinstance(x, Tensor) or isinstance(q, Tensor):
        return SpecialZeta.apply(x, q)
    x, q = _float_pair(x, q)
    dt = np.result_type(x, q)
    with np.errstate(over="ignore"):
        return _zeta64(x, q).astype(dt)


class SpecialZeta(Node):
    """The Hurwitz zeta function; ``d/dq = -x zeta(x + 1, q)``, none for ``x`` (PyTorch's)."""

    def forward(self, input, other):
        x, q = _float_pair(input, other)
        dt = np.result_type(x, q)  # a Python number is weak: the tensor's dtype
        if dt.kind == "c" or dt == np.float16:  # ATen's zeta has no Half or complex loop
            raise _args.not_implemented("zeta_cpu", dt)
        x, q = np.asarray(x, dt), np.asarray(q, dt)
        self.save_for_backward(x, q)
        with np.errstate(over="ignore"):  # float32's overflow to inf, as PyTorch's
            return _zeta64(x, q).astype(dt)

    def backward(self, g):
        x, q = self.saved
        if self.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, g * -x * _zeta(x + 1.0, q)


@op("special_zeta", function=False, elementwise=True, samples=[
    Sample("special_zeta", lambda a: zeta(2.5, a), domain="positive"),
    Sample("special_zeta_int_x", lambda a: zeta(3.0, a * a + 0.5))])
def zeta(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Return the Hurwitz zeta function ``sum_{k>=0} (k + other)**(-input)`` of each pair of
    elements (``other = 1``: the Riemann zeta function).

    ``inf`` at ``input = 1`` and at the poles ``other = 0, -1, -2, ...``; NaN for
    ``input < 1``, and for ``other <= 0`` with a non-integer ``input``. Integers give float32.
    Differentiable with respect to ``other`` only (``-input * zeta(input + 1, other)``): a
    gradient with respect to ``input`` raises, as in PyTorch. Reached as
    ``autograd_core.special.zeta``.

    Args:
        input (Tensor or number): the exponent ``x``.
        other (Tensor or number): the shift ``q`` (broadcast with ``input``).

    Example::

        >>> import autograd_core as ag
        >>> ag.special.zeta(ag.tensor([2.0, 4.0]), 1.0)  # pi**2 / 6, pi**4 / 90
        tensor([1.6449, 1.0823])
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        got = ", ".join(type(v).__name__ for v in (input, other))
        raise TypeError(
            f"special_zeta() received an invalid combination of arguments - got ({got}), but "
            "expected one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n * "
            "(Number self, Tensor other, *, Tensor out = None)\n * (Tensor input, Number "
            "other, *, Tensor out = None)\n")
    return SpecialZeta.apply(input, other)


def _spherical_j0_64(x):
    """``sin(x) / x`` in float64: its Taylor series (``sum (-x**2)**k / (2k+1)!``) below
    ``|x| = 0.5``, 0 at infinities."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        x2 = x * x
        series = np.zeros_like(x)
        for k in range(9, -1, -1):  # Horner, from the smallest term (< 1e-22 at 0.5)
            series = series * -x2 + 1.0 / math.factorial(2 * k + 1)
        out = np.where(np.abs(x) < 0.5, series, np.sin(x) / x)
        return np.where(np.isinf(x), 0.0, out)


class SpecialSphericalBesselJ0(Node):
    def forward(self, input):
        return _same(_spherical_j0_64, _floating(input), "spherical_bessel_j0_cpu")


@op("special_spherical_bessel_j0", function=False, samples=())
def spherical_bessel_j0(input: Tensor) -> Tensor:
    """Return the spherical Bessel function of the first kind of order zero, ``sin(x) / x``
    (1 at 0, 0 at infinities), of each element.

    Integer inputs give float32. Not differentiable (as in PyTorch: the result does not
    require grad). Reached as ``autograd_core.special.spherical_bessel_j0``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.spherical_bessel_j0(ag.tensor([0.0, 1.0, 3.1415927]))
        tensor([ 1.0000e+00,  8.4147e-01, -2.7828e-08])
    """
    return apply_nondifferentiable(SpecialSphericalBesselJ0, input)


def _bessel_j64(x, nu):
    """Bessel function of the first kind of order ``nu`` (0 or 1) in float64: the power
    series below ``|x| = 1``; Miller's backward recurrence ``J_{k-1} = 2k/x J_k - J_{k+1}``
    from ``k = 100``, normalised by ``J_0 + 2 (J_2 + J_4 + ...) = 1``, up to 25; beyond, Hankel's
    asymptotic expansion (its smallest term ~e**(-2|x|)), with ``sin``/``cos`` of ``|x|``
    itself (no rounding of ``x - pi/4``). ``J_1`` is odd, ``J_0`` even; NaN at infinities."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    out = np.full(a.shape, np.nan)
    with np.errstate(all="ignore"):
        for branch, where in ((_j_series, a < 1.0), (_j_miller, (a >= 1.0) & (a <= 25.0)),
                              (_j_hankel, (a > 25.0) & np.isfinite(a))):
            if where.any():
                out[where] = branch(a[where], nu)
    return np.where(x < 0, -out, out) if nu else out


def _j_series(a, nu):
    q = -((a / 2) ** 2)
    term = (a / 2) ** nu
    total = term.copy()
    for k in range(1, 20):  # |x| < 1: the 20th term is below 1e-40
        term = term * q / (k * (k + nu))
        total = total + term
    return total


def _j_miller(a, nu):
    nxt, cur = np.zeros_like(a), np.ones_like(a)  # J_101, J_100, unnormalised
    norm, j1 = np.zeros_like(a), np.zeros_like(a)
    for k in range(100, 0, -1):  # cur is J_k: step to J_{k-1} (grows at most ~1e188)
        if k % 2 == 0:
            norm = norm + 2.0 * cur
        if k == 1:
            j1 = cur
        nxt, cur = cur, 2.0 * k / a * cur - nxt
    return (cur if nu == 0 else j1) / (norm + cur)


def _j_hankel(a, nu, second=False):
    p_sum, q_sum = np.zeros_like(a), np.zeros_like(a)
    coef = np.ones_like(a)  # a_k(nu) / x**k, a_k = prod_{j<=k} (4 nu**2 - (2j-1)**2) / (k! 8**k)
    for k in range(80):
        if k % 2 == 0:
            p_sum = p_sum + (-1) ** (k // 2) * coef
        else:
            q_sum = q_sum + (-1) ** (k // 2) * coef
        coef = coef * (4.0 * nu * nu - (2 * k + 1) ** 2) / ((k + 1) * 8.0 * a)
    s, c = np.sin(a), np.cos(a)  # cos and sin of x - (nu/2 + 1/4) pi, expanded
    cos_chi = (c + s) / math.sqrt(2) if nu == 0 else (s - c) / math.sqrt(2)
    sin_chi = (s - c) / math.sqrt(2) if nu == 0 else -(s + c) / math.sqrt(2)
    if second:  # Y_nu = sqrt(2 / (pi x)) (P sin(chi) + Q cos(chi))
        return np.sqrt(2.0 / (math.pi * a)) * (p_sum * sin_chi + q_sum * cos_chi)
    return np.sqrt(2.0 / (math.pi * a)) * (p_sum * cos_chi - q_sum * sin_chi)


class SpecialBesselJ(Node):
    def forward(self, input, nu):
        return _same(lambda v: _bessel_j64(v, nu), _floating(input), f"bessel_j{nu}_cpu")


@op("special_bessel_j0", function=False, samples=())
def bessel_j0(input: Tensor) -> Tensor:
    """Return the Bessel function of the first kind of order zero of each element.

    NaN at infinities (as PyTorch's). Integer inputs give float32. Not differentiable (as in
    PyTorch: the result does not require grad). Reached as ``autograd_core.special.bessel_j0``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.bessel_j0(ag.tensor([0.0, 1.0, 10.0, 100.0]))
        tensor([ 1.0000,  0.7652, -0.2459,  0.0200])
    """
    return apply_nondifferentiable(SpecialBesselJ, input, nu=0)


@op("special_bessel_j1", function=False, samples=())
def bessel_j1(input: Tensor) -> Tensor:
    """Return the Bessel function of the first kind of order one of each element (odd).

    NaN at infinities (as PyTorch's). Integer inputs give float32. Not differentiable (as in
    PyTorch: the result does not require grad). Reached as ``autograd_core.special.bessel_j1``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.bessel_j1(ag.tensor([0.0, 1.0, -2.0, 100.0]))
        tensor([ 0.0000,  0.4401, -0.5767, -0.0771])
    """
    return apply_nondifferentiable(SpecialBesselJ, input, nu=1)


# ---- the regularized incomplete gamma functions ----------------------------------------------

#: Stirling's series of ``lgamma(a) - ((a - 1/2) log a - a + log(2 pi) / 2)``, in powers of
#: ``1/a``: B_2k / (2k (2k - 1))
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)


def _stirlerr(a):
    """``lgamma(a) - ((a - 1/2) log a - a + log(2 pi) / 2)`` in float64: the series from
    ``a = 10`` (its 8th term < 1e-17 there), the subtraction below (no cancellation there)."""
    small = a < 10.0
    out = np.empty_like(a)
    if small.any():
        s = a[small]
        lg = _lgamma(s)
        out[small] = lg - ((s - 0.5) * np.log(s) - s + 0.5 * math.log(2 * math.pi))
    if (~small).any():
        b = a[~small]
        inv2, acc = 1.0 / (b * b), np.zeros_like(b)
        for c in reversed(_STIRLING):
            acc = acc * inv2 + c
        out[~small] = acc / b
    return out


def _igamma_fac(a, x):
    """``x**a exp(-x) / Gamma(a)`` in float64, as ``exp(a (log(x / a) + 1) - x - stirlerr(a))
    sqrt(a / (2 pi))``: no large logarithms cancel for large ``a``; near ``x = a`` the exponent
    ``a (log1p(t) - t)``, ``t = (x - a) / a``, is summed as its series (no cancellation)."""
    t = (x - a) / a
    expo = a * (np.log(x) - np.log(a)) + (a - x)
    near = np.abs(t) < 0.25
    if near.any():
        u = t[near]
        acc = np.zeros_like(u)
        for k in range(40, 1, -1):  # log1p(u) - u = -u**2 (1/2 - u/3 + ...); 0.25**40 < 1e-24
            acc = acc * -u + 1.0 / k
        expo[near] = a[near] * (-u * u * acc)
    return np.exp(expo - _stirlerr(a)) * np.sqrt(a / (2 * math.pi))


def _igamma_series(a, x):
    """``P(a, x) = fac / a * sum_n x**n / ((a + 1) ... (a + n))`` (for ``x < a + 1``)."""
    return _where_fac(a, x, _igamma_sum)


def _where_fac(a, x, rest):
    """``rest(a, x, fac)`` (which scales by ``fac``, ``_igamma_fac``), 0 where ``fac`` is 0:
    where it underflows (``a`` and ``x`` large and apart, e.g. 1e30 and 2e30), so does the
    result, and the terms, ``~sqrt(a)`` of them, need not be summed (100,000 loop passes)."""
    fac = _igamma_fac(a, x)
    live = fac != 0
    if live.all():
        return rest(a, x, fac)
    out = np.zeros_like(a)
    if live.any():
        out[live] = rest(a[live], x[live], fac[live])
    return out


def _igamma_sum(a, x, fac):
    term, total = np.ones_like(a), np.ones_like(a)
    going = np.ones(a.shape, bool)
    n = 0
    while going.any() and n < 100000:
        n += 1
        term = np.where(going, term * x / (a + n), 0.0)
        total = total + term
        going &= term > _EPS64 * total / 4
    return fac / a * total


def _igammac_fraction(a, x):
    """``Q(a, x)`` by its continued fraction (modified Lentz) for ``x >= a + 1``:
    ``fac / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...))``."""
    return _where_fac(a, x, _igammac_lentz)


def _igammac_lentz(a, x, fac):
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(a, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    going = np.ones(a.shape, bool)
    n = 0
    while going.any() and n < 100000:
        n += 1
        an = -n * (n - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = np.where(going, d * c, 1.0)
        h = h * delta
        going &= np.abs(delta - 1.0) > _EPS64 / 4
    return fac * h


#: the series of ``lgamma(1 + a) = -euler_gamma a + sum_{k>=2} (-a)**k zeta(k) / k``
_LGAM1P_COEF = None


def _lgam1p(a):
    """``lgamma(1 + a)`` without the rounding of ``1 + a``: the series for ``|a| < 0.2``."""
    global _LGAM1P_COEF
    if _LGAM1P_COEF is None:
        k = np.arange(2, 40, dtype=np.float64)
        _LGAM1P_COEF = _zeta64(k, np.ones_like(k)) / k
    out = _lgamma(1.0 + a)
    near = np.abs(a) < 0.2
    if near.any():
        u = a[near]
        acc = np.zeros_like(u)
        for c in _LGAM1P_COEF[::-1]:  # 0.2**40 < 1e-27
            acc = (acc + c) * -u
        out[near] = acc * -u - 0.5772156649015329 * u
    return out


def _igammac_series(a, x):
    """``Q(a, x) = -expm1(a log x - lgamma(1 + a)) - x**a / Gamma(a) sum_{n>=1} (-x)**n /
    (n! (a + n))`` for ``x <= 1.1`` and small ``a`` (where ``1 - P`` would cancel)."""
    fac, total = np.ones_like(a), np.zeros_like(a)
    going = np.ones(a.shape, bool)
    n = 0
    while going.any() and n < 2000:
        n += 1
        fac = fac * -x / n
        term = np.where(going, fac / (a + n), 0.0)
        total = total + term
        going &= np.abs(term) > _EPS64 / 4 * np.abs(total)
    logx = np.log(x)
    return -np.expm1(a * logx - _lgam1p(a)) - np.exp(a * logx - _lgamma(a)) * total


def _igammac_inside(a, x):
    """``Q(a, x)`` for finite positive ``a`` and ``x``, choosing as Cephes does (without its
    uniform asymptotic expansion: the series and the continued fraction converge there too,
    in ``~sqrt(a)`` steps)."""
    out = np.empty_like(a)
    with_p = np.where(x > 1.1, x < a, np.where(x <= 0.5, -0.4 / np.log(x) < a, x * 1.1 < a))
    frac = (x > 1.1) & ~with_p
    small = (x <= 1.1) & ~with_p
    if with_p.any():
        out[with_p] = 1.0 - _igamma_series(a[with_p], x[with_p])
    if frac.any():
        out[frac] = _igammac_fraction(a[frac], x[frac])
    if small.any():
        out[small] = _igammac_series(a[small], x[small])
    return out


def _igamma64(a, x, upper):
    """``P(a, x)`` (``upper``: ``Q = 1 - P``) in float64, with PyTorch's values at the edges:
    NaN for a negative argument, ``a = 0`` is the limit 1 (0 for ``Q``) for ``x > 0``
    (NaN at ``x = 0``), ``x = 0`` gives 0 (1), an infinite ``a`` 0 (1), an infinite ``x``
    1 (0), both infinite NaN. ``P`` is its series unless ``x > 1`` and ``x > a``, then
    ``1 - Q``."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.full(a.shape, np.nan)
    lo, hi = (1.0, 0.0) if upper else (0.0, 1.0)
    with np.errstate(all="ignore"):
        valid = (a >= 0) & (x >= 0)
        out[valid & (a == 0) & (x > 0)] = hi
        out[valid & (x == 0) & (a > 0)] = lo
        ainf, xinf = np.isinf(a), np.isinf(x)
        out[valid & ainf & ~xinf & (x > 0)] = lo
        out[valid & xinf & ~ainf & (a > 0)] = hi
        go = valid & (a > 0) & (x > 0) & ~ainf & ~xinf
        if upper:
            if go.any():
                out[go] = _igammac_inside(a[go], x[go])
            return out
        via_q = go & (x > 1) & (x > a)
        series = go & ~via_q
        if series.any():
            out[series] = _igamma_series(a[series], x[series])
        if via_q.any():
            out[via_q] = 1.0 - _igammac_inside(a[via_q], x[via_q])
    return out


class Igamma(Node):
    """``P(a, x)`` (``upper``: ``Q(a, x)``); ``d/dx = +-exp((a - 1) log x - x - lgamma(a))``,
    none for ``a`` (PyTorch's: it raises)."""

    _op_name = "igamma"

    def name(self):
        return "IgammacBackward0" if getattr(self, "upper", False) else "IgammaBackward0"

    def forward(self, input, other, upper):
        kernel = "igammac_cpu" if upper else "igamma_cpu"
        a, x = _float_pair(input, other, kernel)
        dt = np.result_type(a, x)
        if dt.kind == "c":
            raise _args.not_implemented(kernel, dt)
        a, x = np.asarray(a, dt), np.asarray(x, dt)
        self.upper = upper
        self.save_for_backward(a, x)
        return _igamma64(a, x, upper).astype(dt)

    def backward(self, g):
        a, x = self.saved
        if self.needs_input_grad[0]:
            raise NotImplementedError("the derivative for '{}: input' is not implemented."
                                      .format("igammac" if self.upper else "igamma"))
        a = xp.data(a)  # no gradient flows to it
        slope = xp.exp((a - 1.0) * xp.log(x) - x - _same(_lgamma, a))
        return None, (-g * slope if self.upper else g * slope)


def _igamma_doc(name, upper):
    what = "upper" if upper else "lower"
    return f"""Return the regularized {what} incomplete gamma function of each pair of elements:
    ``{"Q(a, x) = 1 - P(a, x)" if upper else "P(a, x) = integral from 0 to x of t**(a-1) exp(-t) dt / Gamma(a)"}``,
    ``a = input >= 0``, ``x = other >= 0`` (broadcast); NaN for a negative argument.

    Differentiable with respect to ``other`` only (``{"-" if upper else ""}x**(a-1) exp(-x) /
    Gamma(a)``): a gradient with respect to ``input`` raises, as in PyTorch. Two integer
    tensors are refused, as PyTorch's. ``{name}`` is also ``autograd_core.special.gammainc{"c" if upper else ""}``.

    Args:
        input (Tensor): the shape ``a``.
        other (Tensor): the integration limit ``x``.

    Example::

        >>> import autograd_core as ag
        >>> ag.{name}(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))
        tensor([{"0.3679, 0.7358" if upper else "0.6321, 0.2642"}])
    """


def _igamma_args(name, input, other):
    for arg, v in (("input", input), ("other", other)):
        if not isinstance(v, Tensor):
            pos = 1 if arg == "input" else 2
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(v).__name__}")


def _documented(text):
    """Give the decorated function docstring ``text`` (before ``@op`` wraps it)."""
    def document(fn):
        fn.__doc__ = text
        return fn
    return document


@op("igamma", method=True, elementwise=True, samples=[  # differentiable in ``other`` only
    Sample("igamma", lambda x: igamma(x.new_full(x.shape, 1.7), x), domain="positive"),
    Sample("igamma_small_a", lambda x: igamma(x.new_full(x.shape, 0.3), x * 3.0), domain="positive")])
@_documented(_igamma_doc("igamma", False))
def igamma(input: Tensor, other: Tensor) -> Tensor:
    _igamma_args("igamma", input, other)
    return Igamma.apply(input, other, upper=False)


@op("igammac", method=True, elementwise=True, samples=[
    Sample("igammac", lambda x: igammac(x.new_full(x.shape, 1.7), x), domain="positive"),
    Sample("igammac_large_x", lambda x: igammac(x.new_full(x.shape, 0.5), x * 4.0),
           domain="positive")])
@_documented(_igamma_doc("igammac", True))
def igammac(input: Tensor, other: Tensor) -> Tensor:
    _igamma_args("igammac", input, other)
    return Igamma.apply(input, other, upper=True)



# ---- erfcx ------------------------------------------------------------------------------------

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _exp_square(x):
    """``exp(x * x)`` without the rounding of ``x * x``: ``x = hi + lo`` with a 26-bit ``hi``
    (so ``hi * hi`` is exact), ``exp(hi**2) * exp(lo (2 hi + lo))``."""
    hi = np.float64(134217729.0) * x  # Veltkamp's split
    hi = hi - (hi - x)
    lo = x - hi
    return np.exp(hi * hi) * np.exp(lo * (2.0 * hi + lo))


def _erfcx64(x):
    """``exp(x**2) erfc(x)`` in float64: libm's erfc times :func:`_exp_square` below 3; from
    3 on, the continued fraction ``1 / sqrt(pi) / (x + (1/2) / (x + (2/2) / (x + ...)))``
    evaluated from its 150th level (converged to 1e-17 there). For ``x < 0``
    ``2 exp(x**2) - erfcx(-x)`` (inf below ~-26.6)."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    out = np.empty_like(a)
    with np.errstate(all="ignore"):
        near = a < 3.0
        if near.any():
            out[near] = _exp_square(a[near]) * _erfc(a[near])
        far = ~near & ~np.isnan(a)
        if far.any():
            v = a[far]
            t = v.copy()
            for k in range(150, 0, -1):
                t = v + (k / 2.0) / t
            out[far] = np.where(np.isinf(v), 0.0, 1.0 / math.sqrt(math.pi) / t)
        out[np.isnan(a)] = np.nan
        neg = x < 0
        if neg.any():
            v = x[neg]
            out[neg] = np.where(np.isinf(v), np.inf, 2.0 * _exp_square(v) - out[neg])
    return out


def _erfcx(x):
    return SpecialErfcx.apply(x) if isinstance(x, Tensor) else _same(_erfcx64, x)


@op("special_erfcx", function=False, doc="""
    Return the scaled complementary error function ``exp(x**2) * erfc(x)`` of each element,
    finite where ``erfc`` underflows (``~1 / (x sqrt(pi))`` for large ``x``; inf below about
    -26.6).

    Integer inputs give float32. Its derivative is ``2 x erfcx(x) - 2 / sqrt(pi)``. Reached
    as ``autograd_core.special.erfcx``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.erfcx(ag.tensor([0.0, 1.0, -1.0, 100.0]))
        tensor([1.0000, 0.4276, 5.0090, 0.0056])
    """)
class SpecialErfcx(_SameOfSaved):
    fn = staticmethod(_erfcx64)
    kernel_name = "erfcx_cpu"

    def backward(self, g):
        (x,) = self.saved
        return (g * (2.0 * x * _erfcx(x) - _TWO_OVER_SQRT_PI),)


# ---- the orthogonal polynomials ---------------------------------------------------------------

_INT64_MIN = np.iinfo(np.int64).min


def _degree(n):
    """PyTorch's ``static_cast<int64_t>(n)``: truncated; NaN and beyond int64 are int64's
    minimum (so the polynomial is 0, as on PyTorch's x86 builds)."""
    n = np.asarray(n, np.float64)
    ok = np.isfinite(n) & (np.abs(n) < 2.0 ** 63)
    return np.where(ok, np.trunc(np.where(ok, n, 0.0)), float(_INT64_MIN))


def _recurrence(x, n, p0, p1, step):
    """``p_n(x)`` elementwise from ``p_0``, ``p_1`` and ``p_{k+1} = step(k, x, p_k, p_{k-1})``
    (``n >= 2`` where used), up to the largest ``n``."""
    p, q = p0, p1
    out = np.where(n == 0, p0, p1)
    top = int(n.max()) if n.size else 0
    for k in range(1, top):
        p, q = q, step(k, x, q, p)
        out = np.where(n == k + 1, q, out)
    return out


def _cheb(kind, x, n):
    """Chebyshev ``T``/``U``/``V``/``W`` (``kind``) of degree ``n`` at ``x``, as ATen: the
    values at ``|x| = 1``, the trigonometric forms for ``|x| < 1`` above degree 6 (``T``) or
    8, else the three-term recurrence ``2 x p_k - p_{k-1}``."""
    one = np.ones_like(x)
    n1, odd = n + 1.0, (n % 2) != 0
    p1 = {"t": x, "u": 2 * x, "v": 2 * x - 1, "w": 2 * x + 1}[kind]
    out = _recurrence(x, np.maximum(n, 0), one, p1, lambda k, x, q, p: 2 * x * q - p)
    inside = (np.abs(x) < 1) & (n > (6 if kind == "t" else 8))
    if inside.any():
        t = np.arccos(np.where(inside, x, 0.0))
        if kind == "t":
            trig = np.cos(n * t)
        elif kind == "u":
            s = np.sin(t)
            trig = np.where(s != 0, np.sin(n1 * t) / np.where(s != 0, s, 1.0),
                            n1 * np.cos(n1 * t) / np.where(x != 0, x, 1.0))
        elif kind == "v":
            c = np.cos(t / 2)
            trig = np.where(np.sin(t / 2) != 1, np.cos((n + 0.5) * t) / np.where(c != 0, c, 1.0),
                            np.where(odd, -(n + n1), n + n1))
        else:
            s = np.sin(t / 2)
            trig = np.where(np.cos(t / 2) != 1, np.sin((n + 0.5) * t) / np.where(s != 0, s, 1.0),
                            np.where(x > 0, n + n1, np.where(odd, -1.0, 1.0)))
        out = np.where(inside, trig, out)
    pos, neg = x == 1, x == -1
    at_pos = {"t": one, "u": n1, "v": one, "w": n + n1}[kind]
    at_neg = {"t": np.where(odd, -1.0, 1.0), "u": np.where(odd, -n1, n1),
              "v": np.where(odd, -(n + n1), n + n1), "w": np.where(odd, -1.0, 1.0)}[kind]
    out = np.where(pos, at_pos, np.where(neg, at_neg, out))
    return np.where(n < 0, 0.0, out)


def _hermite_h(x, n):
    one = np.ones_like(x)
    out = _recurrence(x, np.maximum(n, 0), one, 2 * x,
                      lambda k, x, q, p: 2 * x * q - 2 * k * p)
    return np.where(n < 0, 0.0, out)


def _hermite_he(x, n):
    one = np.ones_like(x)
    out = _recurrence(x, np.maximum(n, 0), one, x.copy(), lambda k, x, q, p: x * q - k * p)
    return np.where(n < 0, 0.0, out)


def _laguerre_l(x, n):
    one = np.ones_like(x)
    out = _recurrence(x, np.maximum(n, 0), one, 1 - x,
                      lambda k, x, q, p: ((2 * k + 1 - x) * q - k * p) / (k + 1))
    return np.where(n < 0, 0.0, np.where(x == 0, 1.0, out))


def _legendre_p(x, n):
    one = np.ones_like(x)
    out = _recurrence(x, np.maximum(n, 0), one, x.copy(),
                      lambda k, x, q, p: ((2 * k + 1) * x * q - k * p) / (k + 1))
    at_neg = np.where((n % 2) != 0, -1.0, 1.0)
    out = np.where(x == 1, 1.0, np.where(x == -1, at_neg, out))
    return np.where(n < 0, 0.0, out)


_POLYNOMIALS = {
    "chebyshev_polynomial_t": lambda x, n: _cheb("t", x, n),
    "chebyshev_polynomial_u": lambda x, n: _cheb("u", x, n),
    "chebyshev_polynomial_v": lambda x, n: _cheb("v", x, n),
    "chebyshev_polynomial_w": lambda x, n: _cheb("w", x, n),
    "shifted_chebyshev_polynomial_t": lambda x, n: _cheb("t", x + x - 1, n),
    "shifted_chebyshev_polynomial_u": lambda x, n: _cheb("u", x + x - 1, n),
    "shifted_chebyshev_polynomial_v": lambda x, n: _cheb("v", x + x - 1, n),
    "shifted_chebyshev_polynomial_w": lambda x, n: _cheb("w", x + x - 1, n),
    "hermite_polynomial_h": _hermite_h,
    "hermite_polynomial_he": _hermite_he,
    "laguerre_polynomial_l": _laguerre_l,
    "legendre_polynomial_p": _legendre_p,
}


class SpecialPolynomial(Node):
    def forward(self, x, n, name):
        a, b = _float_pair(x, n)
        dt = np.result_type(a, b)
        if dt.kind == "c":
            raise _args.not_implemented(f"{name}_cpu", dt)
        a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
        with np.errstate(all="ignore"):
            return np.asarray(_POLYNOMIALS[name](a, _degree(b)), dtype=dt)


def _polynomial(name, title):
    def fn(x: Tensor | float, n: Tensor | float) -> Tensor:
        if not isinstance(x, Tensor) and not isinstance(n, Tensor):
            got = ", ".join(type(v).__name__ for v in (x, n))
            raise TypeError(
                f"special_{name}() received an invalid combination of arguments - got ({got}), "
                "but expected one of:\n * (Tensor x, Tensor n, *, Tensor out = None)\n * "
                "(Number x, Tensor n, *, Tensor out = None)\n * (Tensor x, Number n, *, "
                "Tensor out = None)\n")
        return apply_nondifferentiable(SpecialPolynomial, x, n, name=name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""Return the {title} of degree ``n`` at each element of ``x`` (broadcast).

    ``n`` is truncated to an integer; a negative degree gives 0. Computed in float64 by
    the three-term recurrence (PyTorch's special values and closed forms where it has them)
    and rounded to the result's dtype; integers give float32. Not differentiable (as in
    PyTorch: the result does not require grad). Reached as ``autograd_core.special.{name}``.

    Args:
        x (Tensor or number): the points.
        n (Tensor or number): the degrees.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.{name}(ag.tensor([0.5, 2.0]), 3).shape
        autograd_core.Size([2])
    """
    return op(f"special_{name}", function=False, samples=(), elementwise=True)(fn)


for _name, _title in (
        ("chebyshev_polynomial_t", "Chebyshev polynomial of the first kind"),
        ("chebyshev_polynomial_u", "Chebyshev polynomial of the second kind"),
        ("chebyshev_polynomial_v", "Chebyshev polynomial of the third kind"),
        ("chebyshev_polynomial_w", "Chebyshev polynomial of the fourth kind"),
        ("shifted_chebyshev_polynomial_t", "shifted Chebyshev polynomial of the first kind"),
        ("shifted_chebyshev_polynomial_u", "shifted Chebyshev polynomial of the second kind"),
        ("shifted_chebyshev_polynomial_v", "shifted Chebyshev polynomial of the third kind"),
        ("shifted_chebyshev_polynomial_w", "shifted Chebyshev polynomial of the fourth kind"),
        ("hermite_polynomial_h", "physicists' Hermite polynomial"),
        ("hermite_polynomial_he", "probabilists' Hermite polynomial"),
        ("laguerre_polynomial_l", "Laguerre polynomial"),
        ("legendre_polynomial_p", "Legendre polynomial")):
    _polynomial(_name, _title)


# ---- the modified Bessel functions (PyTorch's non-differentiable torch.special family) --------

_EULER_GAMMA = 0.5772156649015329
_LN2 = math.log(2.0)


def _bessel_k_small(x):
    """``K_0``, ``K_1`` for ``0 < x <= 2`` by their series (Abramowitz & Stegun 9.6.13,
    9.6.11): ``K_0 = -(log(x/2)) I_0 + sum psi(k+1) (x^2/4)^k / k!^2``, ``K_1 = 1/x +
    log(x/2) I_1 - x/4 sum (psi(k+1) + psi(k+2)) (x^2/4)^k / (k! (k+1)!)``."""
    q = x * x / 4
    log_half = np.log(x / 2)
    psi1 = -_EULER_GAMMA  # psi(k + 1) at k = 0
    term0 = np.ones_like(x)  # (x^2/4)^k / k!^2
    term1 = np.ones_like(x)  # (x^2/4)^k / (k! (k+1)!)
    s0, s1 = psi1 * term0, (2 * psi1 + 1.0) * term1
    for k in range(1, 30):  # x <= 2: the 30th term is below 1e-60
        term0 = term0 * q / (k * k)
        term1 = term1 * q / (k * (k + 1))
        psi1 += 1.0 / k
        s0 = s0 + psi1 * term0
        s1 = s1 + (2 * psi1 + 1.0 / (k + 1)) * term1
    k0 = -log_half * _bessel_i64(x, 0, False) + s0
    k1 = 1.0 / x + log_half * _bessel_i64(x, 1, False) - x / 4 * s1
    return k0, k1


def _bessel_k_large(x):
    """``e^x K_0``, ``e^x K_1`` for ``x > 2`` by Steed's evaluation of Temme's continued
    fraction for ``K_1 / K_0`` and the accompanying sum ``s`` (``K_0 = sqrt(pi / 2x) e^-x /
    s``), converged to float64's eps."""
    b = 2.0 * (1.0 + x)
    d = 1.0 / b
    h = delh = d
    q1, q2 = np.zeros_like(x), np.ones_like(x)
    a1 = 0.25
    q = c = np.full_like(x, a1)
    a = -a1
    s = 1.0 + q * delh
    going = np.ones(x.shape, bool)
    for i in range(2, 1000):
        a -= 2 * (i - 1)
        c = -a * c / i
        qnew = (q1 - b * q2) / a
        q1, q2 = q2, qnew
        q = q + c * qnew
        b = b + 2.0
        d = 1.0 / (b + a * d)
        delh = np.where(going, (b * d - 1.0) * delh, 0.0)
        h = h + delh
        # a converged element's q, c keep growing (to inf for a huge x): add nothing more
        dels = np.where(going, q * delh, 0.0)
        s = s + dels
        going &= np.abs(dels / s) >= _EPS64 / 2
        if not going.any():
            break
    k0 = np.sqrt(math.pi / (2.0 * x)) / s
    return k0, k0 * (x + 0.5 - a1 * h) / x


def _bessel_k64(x, nu, scaled):
    """``K_nu(x)`` (``nu`` 0 or 1), times ``e^x`` if ``scaled``, in float64: NaN below 0 (and
    at NaN), inf at 0, 0 at inf."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        out[x == 0] = np.inf
        out[x == np.inf] = 0.0
        small = (x > 0) & (x <= 2)
        large = (x > 2) & np.isfinite(x)
        if small.any():
            v = x[small]
            k = _bessel_k_small(v)[nu]
            out[small] = k * np.exp(v) if scaled else k
        if large.any():
            v = x[large]
            k = _bessel_k_large(v)[nu]
            out[large] = k if scaled else k * np.exp(-v)
    return out


class SpecialBesselFn(Node):
    def forward(self, input, name, fn):
        if name.startswith("modified_bessel_i"):  # with PyTorch's float32 overflow, as i0's
            return _bessel_i(fn, _floating(input), name.endswith("1"), f"{name}_cpu")
        return _same(fn, _floating(input), f"{name}_cpu")


_MODIFIED = {
    "modified_bessel_i0": ("the modified Bessel function of the first kind of order zero",
                           np.i0),
    "modified_bessel_i1": ("the modified Bessel function of the first kind of order one",
                           lambda v: _bessel_i64(v, 1, False)),
    "modified_bessel_k0": ("the modified Bessel function of the second kind of order zero",
                           lambda v: _bessel_k64(v, 0, False)),
    "modified_bessel_k1": ("the modified Bessel function of the second kind of order one",
                           lambda v: _bessel_k64(v, 1, False)),
    "scaled_modified_bessel_k0": ("``exp(x)`` times the modified Bessel function of the second "
                                  "kind of order zero", lambda v: _bessel_k64(v, 0, True)),
    "scaled_modified_bessel_k1": ("``exp(x)`` times the modified Bessel function of the second "
                                  "kind of order one", lambda v: _bessel_k64(v, 1, True)),
}


def _modified_bessel(name, title, fn64):
    def fn(input: Tensor) -> Tensor:
        return apply_nondifferentiable(SpecialBesselFn, input, name=name, fn=fn64)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""Return {title} of each element.

    Computed in float64 and rounded; integers give float32. The second kind is NaN below 0
    and inf at 0. Not differentiable (as in PyTorch: the result does not require grad).
    Reached as ``autograd_core.special.{name}``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.{name}(ag.tensor([0.5, 3.0])).shape
        autograd_core.Size([2])
    """
    return op(f"special_{name}", function=False, samples=())(fn)


for _name, (_title, _fn64) in _MODIFIED.items():
    _modified_bessel(_name, _title, _fn64)


# ---- Bessel functions of the second kind ------------------------------------------------------

def _j_all(a, top=120):
    """``J_0 .. J_top`` at ``a`` (``0 < a <= 25``) by Miller's backward recurrence from
    ``top + 20``, normalised by ``J_0 + 2 (J_2 + J_4 + ...) = 1``; shape ``(top + 1, *a)``."""
    out = np.empty((top + 1,) + a.shape)
    nxt, cur = np.zeros_like(a), np.full_like(a, 1e-300)
    norm = np.zeros_like(a)
    for k in range(top + 20, 0, -1):  # cur is J_k (unnormalised): step to J_{k-1}
        if k <= top:
            out[k] = cur
        if k % 2 == 0:
            norm = norm + 2.0 * cur
        nxt, cur = cur, 2.0 * k / a * cur - nxt
        big = np.abs(cur) > 1e250  # rescale everything kept so far
        if big.any():
            f = np.where(big, 1e-250, 1.0)
            cur, nxt, norm = cur * f, nxt * f, norm * f
            out[k:] = out[k:] * f
    out[0] = cur
    return out / (norm + cur)


def _bessel_y64(x, nu):
    """``Y_nu(x)`` (``nu`` 0 or 1) in float64: Neumann's series over Miller's ``J_k`` up to
    25 (``Y_0 = 2/pi ((log(x/2) + gamma) J_0 - 2 sum_k (-1)^k J_2k / k)``, and ``Y_1 = -Y_0'``
    term by term), Hankel's expansion beyond; ``-inf`` at 0, NaN below, 0 at inf."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        out[x == 0] = -np.inf  # (and NaN at inf, as PyTorch's)
        small = (x > 0) & (x < 1.0)
        if small.any():
            out[small] = _y_series(x[small], nu)
        mid = (x >= 1.0) & (x <= 25.0)
        if mid.any():
            a = x[mid]
            j = _j_all(a)
            lg = np.log(a) - _LN2 + _EULER_GAMMA
            k = np.arange(1, (j.shape[0] - 1) // 2 + 1)
            sign = (-1.0) ** k
            if nu == 0:
                s = np.tensordot(sign / k, j[2 * k], axes=1)
                out[mid] = 2 / math.pi * (lg * j[0] - 2 * s)
            else:
                kk = k[2 * k + 1 < j.shape[0]]
                s = np.tensordot(((-1.0) ** kk) / kk, j[2 * kk - 1] - j[2 * kk + 1], axes=1)
                out[mid] = -2 / math.pi * (j[0] / a - lg * j[1] - s)
        far = (x > 25.0) & np.isfinite(x)
        if far.any():
            out[far] = _j_hankel(x[far], nu, second=True)
    return out


def _y_series(a, nu):
    """``Y_0``, ``Y_1`` below 1 by their series (A&S 9.1.13, 9.1.11): ``2/pi log(x/2) J_nu``
    plus ``(-1)^k (x^2/4)^k`` sums weighted by digammas (``-2/(pi x)`` more for ``Y_1``)."""
    q = -(a * a) / 4
    lg = np.log(a) - _LN2  # not log(a / 2): a / 2 is 0 at the smallest subnormal
    psi = -_EULER_GAMMA  # psi(k + 1)
    if nu == 0:
        term, total = np.ones_like(a), psi * np.ones_like(a)
        for k in range(1, 25):
            term = term * q / (k * k)
            psi += 1.0 / k
            total = total + psi * term
        return 2 / math.pi * (lg * _j_series(a, 0) - total)
    term, total = np.ones_like(a), (2 * psi + 1.0) * np.ones_like(a)  # psi(1) + psi(2)
    for k in range(1, 25):
        term = term * q / (k * (k + 1))
        psi += 1.0 / k
        total = total + (2 * psi + 1.0 / (k + 1)) * term
    return -2 / (math.pi * a) + 2 / math.pi * lg * _j_series(a, 1) - a / (2 * math.pi) * total


_SECOND_KIND = {
    "bessel_y0": ("the Bessel function of the second kind of order zero",
                  lambda v: _bessel_y64(v, 0)),
    "bessel_y1": ("the Bessel function of the second kind of order one",
                  lambda v: _bessel_y64(v, 1)),
}
for _name, (_title, _fn64) in _SECOND_KIND.items():
    _modified_bessel(_name, _title, _fn64)


# ---- the Airy function Ai ----------------------------------------------------------------------

_AI0 = 1.0 / (3.0 ** (2.0 / 3.0) * math.gamma(2.0 / 3.0))  # Ai(0)
_AIP0 = -1.0 / (3.0 ** (1.0 / 3.0) * math.gamma(1.0 / 3.0))  # Ai'(0)


def _airy_steps(x, steps=24, terms=32):
    """``Ai(x)`` for ``-9.5 <= x <= 1``: Airy's equation ``y'' = x y`` followed from 0 in
    ``steps`` equal steps, each a Taylor series (``a[n+2] = (x0 a[n] + a[n-1]) / ((n+2)(n+1))``)
    of ``terms`` terms: no long series whose terms cancel, as the Maclaurin series' do."""
    h = x / steps
    y, dy = np.full_like(x, _AI0), np.full_like(x, _AIP0)
    for s in range(steps):
        x0 = h * s
        prev, a0, a1 = np.zeros_like(x), y, dy  # a[n-1], a[n], a[n+1]
        y_new, dy_new, hn = a0 + a1 * h, a1.copy(), h.copy()  # hn = h ** n, n = 1
        for n in range(terms):
            a2 = (x0 * a0 + prev) / ((n + 2) * (n + 1))
            dy_new = dy_new + (n + 2) * a2 * hn
            hn = hn * h
            y_new = y_new + a2 * hn
            prev, a0, a1 = a0, a1, a2
        y, dy = y_new, dy_new
    return y


def _airy_integral(x):
    """``Ai(x)`` for ``x > 1``: ``sqrt(x / 3) / pi K_1/3(zeta)``, ``zeta = 2/3 x^1.5``, with
    ``K_1/3(zeta) = exp(-zeta) int_0^inf exp(-zeta (cosh t - 1)) cosh(t / 3) dt`` by the
    trapezoidal rule (exact to rounding: the integrand is analytic and decays fast), the step
    scaled to the peak's width ``1 / sqrt(zeta)``."""
    zeta = 2.0 / 3.0 * x * np.sqrt(x)
    h = np.minimum(0.2, 0.4 / np.sqrt(zeta))
    n = int(np.ceil(np.max(np.arccosh(1.0 + 750.0 / zeta) / h))) + 1
    total = np.zeros_like(x)
    for k in range(n):  # (the integrand underflows to 0 past each element's end)
        t = k * h
        total = total + (0.5 if k == 0 else 1.0) * np.exp(-zeta * (np.cosh(t) - 1.0)) \
            * np.cosh(t / 3.0)
    return np.sqrt(x / 3.0) / math.pi * np.exp(-zeta) * total * h


def _airy_oscillating(x, terms=36):
    """``Ai(x)`` for ``x < -9.5``: Ai(-z) = (P sin(zeta + pi/4) - Q cos(zeta + pi/4)) /
    (sqrt(pi) z^1/4) (A&S 10.4.60), ``P``, ``Q`` the even and odd terms of ``sum (-1)^k u_k
    zeta^-k`` with ``u_k = u_k-1 (6k-5)(6k-3)(6k-1) / (216 k (2k-1))``; for ``zeta > 19`` the
    terms fall below 1e-17 of the first before they start to grow."""
    z = -x
    zeta = 2.0 / 3.0 * z * np.sqrt(z)
    p, q = np.ones_like(z), np.zeros_like(z)
    term = np.ones_like(z)
    for k in range(1, terms):
        term = term * ((6 * k - 5) * (6 * k - 3) * (6 * k - 1) / (216.0 * k * (2 * k - 1))) / zeta
        sign = -1.0 if (k // 2) % 2 else 1.0  # (-1)^j for u_2j in P and u_2j+1 in Q
        if k % 2 == 0:
            p = p + sign * term
        else:
            q = q + sign * term
    phase = zeta + math.pi / 4.0
    return (p * np.sin(phase) - q * np.cos(phase)) / (math.sqrt(math.pi) * np.sqrt(np.sqrt(z)))


def _airy_ai64(x):
    """``Ai(x)`` in float64, to ~1e-15 of the envelope; 0 above 103.892 (where Ai is below the
    smallest normal double; PyTorch's cutoff), NaN at infinities (as PyTorch's)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        out[(x > 103.892) & np.isfinite(x)] = 0.0
        for where, fn in (((x >= -9.5) & (x <= 1.0), _airy_steps),
                          ((x > 1.0) & (x <= 103.892), _airy_integral),
                          ((x < -9.5) & np.isfinite(x), _airy_oscillating)):
            if where.any():
                out[where] = fn(x[where])
    return out


class SpecialAiryAi(Node):
    def forward(self, input):
        if input.dtype == np.float16:  # PyTorch's kernel has no half loop
            raise _args.not_implemented("airy_ai_cpu", input.dtype)
        return _same(_airy_ai64, _floating(input), "airy_ai_cpu")


@op("special_airy_ai", function=False, samples=())
def airy_ai(input: Tensor) -> Tensor:
    """Return the Airy function ``Ai`` of each element (the solution of ``y'' = x y`` that
    decays as ``x -> inf``).

    Computed in float64 and rounded; integers give float32. NaN at infinities and 0 above
    103.892, as PyTorch's. Between -10 and -2.09 PyTorch's float64 values are off by up to
    ~6e-6 of the function's envelope; these are exact to ~1e-15 (see DIFFERENCES.md). Not
    differentiable (as in PyTorch: the result does not require grad). Reached as
    ``autograd_core.special.airy_ai``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.airy_ai(ag.tensor([-2.0, 0.0, 1.0, 5.0], dtype=ag.float64))
        tensor([2.2741e-01, 3.5503e-01, 1.3529e-01, 1.0834e-04], dtype=autograd_core.float64)
    """
    return apply_nondifferentiable(SpecialAiryAi, input)
