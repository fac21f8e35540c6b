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
from autograd_core.ops.mathfns import _erfc, _float_pair, _lgamma, _same
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
        else:
            asym = np.exp(big - 0.5 * np.log(2 * math.pi * big)) * asym
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
class SpecialLogNdtr(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _same(_log_ndtr64, x, "log_ndtr_cpu")

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
class SpecialNdtri(Node):
    def forward(self, input):
        p = _floating(input)
        self.save_for_backward(p)
        return _same(_ndtri64, p, "ndtri_cpu")

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


@op("special_xlog1py", function=False, n_inputs=2, domain="positive", broadcasts=True, doc="""
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


@op("special_i0e", function=False, domain="away_from_zero", doc="""
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
class SpecialI0e(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _same(lambda v: _bessel_i64(v, 0, True), x, "i0e_cpu")

    def backward(self, g):
        (x,) = self.saved
        v, e0 = xp.data(x), _i0e(x)  # i0e' = i1e - sign(x) i0e
        signed = xp.where(v < 0, -e0, xp.where(v > 0, e0, 0.0))
        return (g * (_i1e(x) - signed),)


@op("special_i1e", function=False, domain="away_from_zero", doc="""
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
class SpecialI1e(Node):
    def forward(self, input):
        x = _floating(input)
        self.save_for_backward(x)
        return _same(lambda v: _bessel_i64(v, 1, True), x, "i1e_cpu")

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
        if dt.kind == "c":
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


@op("special_zeta", function=False, samples=[
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


def _j_hankel(a, nu):
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


# ---- regularized incomplete gamma functions (PyTorch's igamma / igammac) --------------------

def _igamma64(a, x, upper):
    """``P(a, x)`` (``upper``: ``Q = 1 - P``) in float64: the power series below ``x = a + 1``,
    Lentz's continued fraction for ``Q`` above. The edge values in PyTorch's order: NaN for a
    negative argument; ``a = 0``: 1 for ``x > 0`` (else NaN); ``x = 0``: 0; ``a = inf``: NaN at
    ``x = inf``, else 0; ``x = inf``: 1 (even for a NaN ``a``); NaN otherwise for NaNs."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    shape = a.shape  # worked on flat (a 0-d 1 - p would be a numpy scalar, not writable)
    a, x = a.reshape(-1), x.reshape(-1)
    p = np.full(a.shape, np.nan)
    with np.errstate(invalid="ignore"):  # PyTorch's order of the edge cases (NaNs fall through)
        rest = ~((x < 0) | (a < 0))
        p[rest & (a == 0) & (x > 0)] = 1.0
        rest &= a != 0
        p[rest & (x == 0)] = 0.0
        rest &= x != 0
        p[rest & np.isinf(a) & ~np.isinf(x)] = 0.0
        rest &= ~np.isinf(a)
        p[rest & np.isinf(x)] = 1.0
        ok = rest & ~np.isinf(x) & ~np.isnan(a) & ~np.isnan(x)
    q = 1.0 - p
    av, xv = a[ok], x[ok]
    with np.errstate(all="ignore"):
        log_front = av * np.log(xv) - xv - np.vectorize(math.lgamma, otypes=[np.float64])(av)
        series = xv < av + 1.0
        pv, qv = np.empty_like(av), np.empty_like(av)
        s_a, s_x = av[series], xv[series]  # P = front / a * sum_n x**n / ((a+1)...(a+n))
        term = np.ones_like(s_a)
        total = np.ones_like(s_a)
        for n in range(1, 100000):
            term = term * s_x / (s_a + n)
            total = total + term
            if np.all(np.abs(term) <= np.abs(total) * 1e-17):
                break
        pv[series] = np.exp(log_front[series]) * total / s_a
        qv[series] = 1.0 - pv[series]
        c_a, c_x = av[~series], xv[~series]  # Q = front * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))
        tiny = 1e-300
        b = c_x + 1.0 - c_a
        c = np.full_like(b, 1.0 / tiny)
        d = 1.0 / b
        h = d.copy()
        for i in range(1, 100000):
            an = -i * (i - c_a)
            b = b + 2.0
            d = an * d + b
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1.0 / d
            delta = d * c
            h = h * delta
            if np.all(np.abs(delta - 1.0) <= 1e-16):
                break
        qv[~series] = np.exp(log_front[~series]) * h
        pv[~series] = 1.0 - qv[~series]
    p[ok], q[ok] = np.clip(pv, 0.0, 1.0), np.clip(qv, 0.0, 1.0)
    return (q if upper else p).reshape(shape)


class _IncompleteGamma(Node):
    """``P(a, x)`` / ``Q(a, x)``; ``d/dx = +-x**(a-1) exp(-x) / Gamma(a)``, none for ``a``
    (PyTorch's)."""

    upper = False
    _name = "igamma"

    def forward(self, input, other):
        ints = [np.asarray(v).dtype for v in (input, other)]
        if all(d.kind in "biu" for d in ints):  # no integer loops in PyTorch
            raise _args.not_implemented(f"{self._name}_cpu", np.result_type(*ints))
        a, x = _float_pair(input, other)
        dt = np.result_type(a, x)
        if dt.kind == "c":
            raise _args.not_implemented(f"{self._name}_cpu", dt)
        a, x = np.asarray(a, dt), np.asarray(x, dt)
        self.save_for_backward(a, x)
        return _igamma64(a, x, self.upper).astype(dt)

    def backward(self, g):
        a, x = self.saved
        if self.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{self._name}: input' is not "
                                      "implemented.")
        # on Tensors under create_graph (differentiable again), on arrays otherwise
        lg = a.lgamma() if isinstance(a, Tensor) else _lgamma(a).astype(a.dtype)
        with np.errstate(all="ignore"):
            dens = xp.exp((a - 1.0) * xp.log(x) - x - lg)
        return None, g * (-dens if self.upper else dens)


class _IncompleteGammaUpper(_IncompleteGamma):
    upper = True
    _name = "igammac"


def _check_pair(name: str, input: object, other: object) -> None:
    for k, (what, v) in enumerate((("input", input), ("other", other))):
        if not isinstance(v, Tensor):  # PyTorch's: two Tensors, no Python numbers
            raise TypeError(f"{name}(): argument '{what}' (position {k + 1}) must be Tensor, "
                            f"not {type(v).__name__}")


@op("special_gammainc", function=False, samples=[
    Sample("special_gammainc", lambda x: gammainc(x.detach() * 0.0 + 2.5, x),
           domain="positive")])
def gammainc(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Return the regularized lower incomplete gamma function
    ``P(a, x) = 1 / Gamma(a) * integral_0^x t**(a-1) exp(-t) dt`` of each pair (``a = input``,
    ``x = other``), as ``torch.special.gammainc``: the cdf of ``Gamma(a, 1)`` at ``x``.

    NaN for negative arguments. Differentiable with respect to ``other`` only
    (``x**(a-1) exp(-x) / Gamma(a)``): a gradient with respect to ``input`` raises, as in
    PyTorch. Integer tensors are refused as PyTorch's. Reached as
    ``autograd_core.special.gammainc``.

    Args:
        input (Tensor): the shape ``a`` (positive).
        other (Tensor): the point ``x`` (nonnegative; broadcast with ``input``).

    Example::

        >>> import autograd_core as ag
        >>> ag.special.gammainc(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))  # 1 - e**-1, 1 - 2/e
        tensor([0.6321, 0.2642])
    """
    _check_pair("special_gammainc", input, other)
    return _IncompleteGamma.apply(input, other)


@op("special_gammaincc", function=False, samples=[
    Sample("special_gammaincc", lambda x: gammaincc(x.detach() * 0.0 + 2.5, x),
           domain="positive")])
def gammaincc(input: Tensor | float, other: Tensor | float) -> Tensor:
    """Return the regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)`` of each
    pair (``a = input``, ``x = other``), as ``torch.special.gammaincc``, computed directly (no
    cancellation for large ``x``).

    Differentiable with respect to ``other`` only, as in PyTorch. Reached as
    ``autograd_core.special.gammaincc``.

    Args:
        input (Tensor): the shape ``a`` (positive).
        other (Tensor): the point ``x`` (nonnegative; broadcast with ``input``).

    Example::

        >>> import autograd_core as ag
        >>> ag.special.gammaincc(ag.tensor([1.0]), ag.tensor([30.0]))  # e**-30
        tensor([9.3576e-14])
    """
    _check_pair("special_gammaincc", input, other)
    return _IncompleteGammaUpper.apply(input, other)
