"""Reparameterization gradients of gamma, beta and Dirichlet draws, for ``rsample``.

By default they are PyTorch's numbers, bit for bit: its fitted approximations
``torch._standard_gamma_grad`` and ``torch._dirichlet_grad`` (``autograd_core.kernels.gamma_grad``),
2e-5 to 1e-3 relative from the exact gradient over the central 99% of draws (``gamma_rsample_grad``,
``dirichlet_rsample_grad``). Setting the module's switch ``EXACT = True``
(``autograd_core.distributions._gamma_grad.EXACT``), or passing ``exact=True``, gives the exact
gradient instead, computed in float64 to about 1e-10 relative and rounded to the dtype:

Implicit reparameterization (Figurnov et al. 2018) of gamma draws: for ``x ~ Gamma(alpha, 1)``,
``dx/dalpha = -(dP(alpha, x)/dalpha) / f(x; alpha)``, ``P`` the regularized lower incomplete
gamma and ``f`` the density, computed in float64 to near machine precision.

Below ``x = alpha + 1`` from the series ``P = x^a e^-x sum_n x^n / Gamma(a + n + 1)``: its
derivative over ``f`` is ``-x sum_n c_n (log x - digamma(a + n + 1))`` with
``c_n = x^n Gamma(a) / Gamma(a + n + 1)``. Above it from Legendre's continued fraction of
``Q = 1 - P = f(x) x h(a, x)``, carried with its ``a``-derivative (forward mode through
Lentz's algorithm): ``dx/da = dQ/da / f = x ((log x - digamma(a)) h + dh/da)``. Both sums have
terms of one sign where they are used, so nothing cancels.

Beta draws likewise: ``dx/da = -(dI_x(a, b)/da) / f(x; a, b)`` (``b`` held), ``I`` the regularized
incomplete beta, from its series ``I = x^a (1-x)^b / (a B(a, b)) sum_n (a+b)_n / (a+1)_n x^n``
below ``x = (a + 1) / (a + b + 2)`` and from ``I_x(a, b) = 1 - I_(1-x)(b, a)`` above it.
A Dirichlet component ``x_i`` is ``Beta(a_i, total - a_i)``; moving ``a_i`` moves it by that
``dx_i/da_i`` while the other components shrink in proportion (``dx_j/da_i = -x_j/(1 - x_i)
dx_i/da_i``), the choice PyTorch's ``_dirichlet_grad`` makes (it returns ``dx_i/da_i /
(1 - x_i)``, fitted as for gamma).

Those sums need O(sqrt(alpha)) terms near the mean (0.6 s per call at alpha = 1e8, unbounded
beyond; the beta ones O(a + b) on the far side of the mean: a minute for Beta(1e6, 10)). From
``alpha >= 1e3`` (``a + b >= 1e3`` for beta, where the sum is not short) the same ``dx/da`` is
the integral of the score ``log t - digamma(alpha)`` against the density on the side of ``x``
where the score keeps one sign, over the density at ``x``, by 64-node Gauss-Legendre quadrature
over the span where the (log-concave) integrand falls by e^60: within about 1e-11 relative of
the sums where those finish (1e-13 of 40-digit quadrature), bounded work.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

import autograd_core as _ag
from autograd_core.kernels import gamma_grad as _fitted

#: The switch: False (default) for PyTorch's fitted gradients, True for the exact ones
EXACT = False

_EPS = 1e-15
# Above these the sums need O(sqrt(alpha)) terms (0.5 s per call at alpha = 1e8, unbounded
# beyond), so the gradient comes from quadrature (``_score_quadrature``) instead
_LARGE, _BETA_LARGE, _BETA_BOTH = 1e3, 1e3, 10.0
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)
_NODES, _WEIGHTS = (_NODES + 1) / 2, _WEIGHTS / 2  # Gauss-Legendre on [0, 1]


def _digamma(a: np.ndarray) -> np.ndarray:
    return _ag.digamma(_ag.tensor(a, dtype=_ag.float64))._data


def _log_minus_digamma(z: np.ndarray) -> np.ndarray:
    """``log z - digamma(z)``: its asymptotic series at ``z >= _LARGE`` (exact to rounding there,
    without the cancellation of the difference), the difference below."""
    big = z >= _LARGE
    r = 1.0 / (z * z)
    series = 0.5 / z + r * (1 / 12 - r * (1 / 120 - r / 252))
    small = np.where(big, 1.0, z)
    return np.where(big, series, np.log(small) - _digamma(small))


def _quadrature(hp: np.ndarray, hpp: np.ndarray, room: np.ndarray,
                integrand: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """The integral over ``u >= 0`` of ``integrand(u) = score(u) exp(h(u))``, ``h`` concave with
    ``h(0) = 0``, slope ``hp`` and curvature ``-hpp`` at 0 (``hpp`` clipped at 0): 64
    Gauss-Legendre nodes cover the span where ``h`` falls by 60 (at most ``room``), so the work
    is bounded whatever the parameters."""
    curv = np.maximum(hpp, 0.0)
    s = 1 / (np.abs(hp) + np.sqrt(curv))
    lin = np.maximum(-hp * s, 0.0)
    quad = curv * s * s / 4
    span = np.minimum(2 * 60.0 / (lin + np.sqrt(lin * lin + 4 * quad * 60.0)), room / s) * s
    return np.asarray(span * (integrand(span[:, None] * _NODES) @ _WEIGHTS))


def _score_quadrature(x: np.ndarray, c0: np.ndarray, hp: np.ndarray, hpp: np.ndarray,
                      room_down: np.ndarray, room_up: np.ndarray,
                      h: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``-(dP/da) / f(x)`` for a log-concave density ``f``: ``dP/da`` is the integral of the
    score ``log t + c0 - log x`` against ``f`` below ``x``, minus the one above (the score
    integrates to 0), so integrate on the side where the score keeps one sign (above ``x`` if
    ``c0 > 0``): ``sign * integral of (log1p(d/x) + c0) exp(h(d)) dd`` over ``t = x + d``,
    ``h(d) = log f(x + d) - log f(x)`` with slope ``hp`` and curvature ``-hpp`` at ``d = 0``."""
    sgn = np.where(c0 > 0, 1.0, -1.0)
    room = np.where(sgn > 0, room_up, room_down)

    def integrand(u: np.ndarray) -> np.ndarray:
        d = sgn[:, None] * u
        return (np.log1p(d / x[:, None]) + c0[:, None]) * np.exp(h(d))
    return sgn * _quadrature(sgn * hp, hpp, room, integrand)


def _gamma_quadrature(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    c0 = _log_ratio(x, a) + _log_minus_digamma(a)  # log x - digamma(a)
    return _score_quadrature(x, c0, (a - 1) / x - 1, (a - 1) / x / x, x, np.full_like(x, np.inf),
                             lambda d: (a - 1)[:, None] * np.log1p(d / x[:, None]) - d)


def _beta_quadrature(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``dx/da`` by quadrature of the score: in ``t`` where ``a, b >= 1`` (``f`` log-concave);
    where the end the integral runs to has an exponent below 1, in ``v = log(t/x)`` (up, ``a < 1``)
    or ``w = log((1-t)/(1-x))`` (down, ``b < 1``), where the integrand is log-concave."""
    y, c0 = 1 - x, _beta_c0(x, a, b)
    out = _score_quadrature(x, c0, (a - 1) / x - (b - 1) / y,
                            (a - 1) / (x * x) + (b - 1) / (y * y), x, y,
                            lambda d: (a - 1)[:, None] * np.log1p(d / x[:, None])
                            + (b - 1)[:, None] * np.log1p(-d / y[:, None]))
    col = (slice(None), None)
    up = (c0 > 0) & (a < 1)
    if up.any():  # t = x e^v: dx/da = x * integral of (v + c0) t/x f(t)/f(x) dv
        xu, au, bu, cu, yu = x[up], a[up], b[up], c0[up], y[up]

        # a def, not a lambda: mypy inferred the lambda's numpy expression against every
        # operator overload, 30 s of CI's type check
        def integrand_up(v: np.ndarray) -> np.ndarray:
            return (v + cu[col]) * np.exp(au[col] * v + (bu[col] - 1)
                                          * np.log1p(-xu[col] * np.expm1(v) / yu[col]))
        out[up] = xu * _quadrature(au - (bu - 1) * xu / yu, (bu - 1) * xu / (yu * yu),
                                   -np.log(xu), integrand_up)
    down = (c0 <= 0) & (b < 1)
    if down.any():  # 1 - t = y e^w: dx/da = -y * integral of score (1-t)/y f(t)/f(x) dw
        xd, ad, bd, cd, yd = x[down], a[down], b[down], c0[down], y[down]

        def integrand(w: np.ndarray) -> np.ndarray:
            logt = np.log1p(-yd[col] * np.expm1(w) / xd[col])  # log(t / x)
            return (logt + cd[col]) * np.exp(bd[col] * w + (ad[col] - 1) * logt)
        out[down] = -yd * _quadrature(bd - (ad - 1) * yd / xd, (ad - 1) * yd / (xd * xd),
                                      -np.log(yd), integrand)
    return out


def _series(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    logx = np.log(x)
    psi = _digamma(a + 1)  # digamma(a + n + 1), stepped by 1 / (a + n)
    c = 1.0 / a
    total = c * (logx - psi)
    idx = np.arange(x.size)
    n = 0
    while idx.size:
        n += 1
        psi[idx] += 1.0 / (a[idx] + n)
        c[idx] *= x[idx] / (a[idx] + n)
        term = c[idx] * (logx[idx] - psi[idx])
        total[idx] += term
        idx = idx[np.abs(term) > _EPS * np.abs(total[idx])]
    return -x * total


def _continued_fraction(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    b = x + 1 - a  # every b has derivative -1 in a
    c, dc = np.full_like(x, 1e300), np.zeros_like(x)
    d = 1 / b
    dd = d * d
    h, dh = d.copy(), dd.copy()
    idx = np.arange(x.size)
    i = 0
    while idx.size:
        i += 1
        an, dan = -i * (i - a[idx]), float(i)
        b[idx] += 2
        bb, di, ddi, ci, dci = b[idx], d[idx], dd[idx], c[idx], dc[idx]
        den = an * di + bb
        dden = dan * di + an * ddi - 1.0
        cn = bb + an / ci
        dcn = -1.0 + (dan - an * dci / ci) / ci
        dn = 1 / den
        ddn = -dden * dn * dn
        delta, ddelta = dn * cn, ddn * cn + dn * dcn
        hi = h[idx]
        dh[idx] = dh[idx] * delta + hi * ddelta
        h[idx] = hi * delta
        d[idx], dd[idx], c[idx], dc[idx] = dn, ddn, cn, dcn
        idx = idx[(np.abs(delta - 1) > _EPS) | (np.abs(hi * ddelta) > _EPS * np.abs(dh[idx]))]
    return x * ((np.log(x) - _digamma(a)) * h + dh)


def _beta_series(x: np.ndarray, a: np.ndarray, b: np.ndarray, wrt_first: bool,
                 first: np.ndarray | None = None) -> np.ndarray:
    """``dI_x(a, b)/da`` (``wrt_first``) or ``/db`` over the density: ``x (1 - x) sum_n t_n
    (log x + digamma(a+b+n) - digamma(a+n+1))`` or ``x (1 - x) sum_n t_n (log(1-x) - digamma(b)
    + digamma(a+b+n))``, ``t_n = (a+b)_n / (a)_(n+1) x^n``. ``first``: the bracket at ``n = 0``
    computed without the cancellation of large digammas (``a + b >= _BETA_LARGE``)."""
    t = 1.0 / a
    if first is not None:
        psi_ab, lead, step = np.zeros_like(x), first, np.zeros_like(x)
    elif wrt_first:
        psi_ab, lead, step = _digamma(a + b), np.log(x), _digamma(a + 1)
    else:
        psi_ab, lead, step = _digamma(a + b), np.log1p(-x) - _digamma(b), np.zeros_like(x)
    total = t * (lead + psi_ab - step)
    idx = np.arange(x.size)
    n = 0
    while idx.size:
        n += 1
        ai, bi = a[idx], b[idx]
        t[idx] *= (ai + bi + n - 1) / (ai + n) * x[idx]
        psi_ab[idx] += 1.0 / (ai + bi + n - 1)
        if wrt_first:
            step[idx] += 1.0 / (ai + n)
        term = t[idx] * (lead[idx] + psi_ab[idx] - step[idx])
        total[idx] += term
        idx = idx[np.abs(term) > _EPS * np.abs(total[idx])]
    return x * (1 - x) * total


def beta_grad(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``dx/da`` (``b`` held) for ``Beta(a, b)`` draws ``x`` in ``(0, 1)`` (float64, broadcast).

    Example::

        >>> # Beta(a, 1) draws are U^(1/a): dx/da = -x log(x) / a at a = 1
        >>> round(float(beta_grad(0.4, 1.0, 1.0)), 7)
        0.3665163
    """
    arrays = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (x, a, b)))
    shape = arrays[0].shape
    x, a, b = (v.ravel().copy() for v in arrays)
    out = np.empty_like(x)
    # a + b >= _BETA_LARGE: the sums need O(sqrt(min(a, b))) terms near the mean and O(a + b)
    # on the far side of it, so the sum runs only where it is short (below the score's zero
    # when a is the small one, above it when b is), quadrature elsewhere
    big = a + b >= _BETA_LARGE
    c0 = np.zeros_like(x)
    c0[big] = _beta_c0(x[big], a[big], b[big])
    up = c0 > 0
    # the low sum's brackets fall from c0 - 1/a: one sign while c0 <= 1/a; the high sum's rise
    # from c0: one sign while c0 > 0
    low_ok = c0 <= 1 / a
    quad = big & ((np.minimum(a, b) >= _BETA_BOTH) | ((a <= b) & ~low_ok) | ((a > b) & ~up))
    low = np.where(big, a <= b, x <= (a + 1) / (a + b + 2)) & ~quad
    high = ~low & ~quad
    small = ~big
    for side, first in ((low & small, None), (low & big, c0 - 1 / a)):
        out[side] = -_beta_series(x[side], a[side], b[side], True,
                                  None if first is None else first[side])
    for side, first in ((high & small, None), (high & big, c0)):
        out[side] = _beta_series(1 - x[side], b[side], a[side], False,
                                 None if first is None else first[side])
    out[quad] = _beta_quadrature(x[quad], a[quad], b[quad])
    return out.reshape(shape)


def _beta_c0(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``log x - digamma(a) + digamma(a + b)``, the score's value at ``x`` (``a + b`` large)."""
    return np.log(x) + np.log1p(b / a) + _log_minus_digamma(a) - _log_minus_digamma(a + b)


def _log_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``log(p / q)``: through ``log1p`` where ``p`` is near ``q``, the two logs elsewhere (where
    ``(p - q) / q`` is near -1 and ``log1p`` of it would lose the digits of a tiny ``p``)."""
    r = (p - q) / q
    near = np.abs(r) < 0.5
    return np.where(near, np.log1p(np.where(near, r, 0.0)), np.log(p) - np.log(q))


def standard_gamma_grad(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``dx/dalpha`` for standard-gamma draws ``x`` of shape ``alpha`` (float64 arrays,
    broadcast); 0 where ``x`` is 0 (a draw that underflowed).

    Example::

        >>> from autograd_core.distributions._gamma_grad import standard_gamma_grad
        >>> # alpha = 1: log x + Euler's gamma + e^x E1(x); at x = 1, 0.5772157 + e 0.2193839
        >>> round(float(standard_gamma_grad(1.0, 1.0)), 7)
        1.173563
    """
    x, a = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(alpha, np.float64))
    shape = x.shape
    x, a = x.ravel().copy(), a.ravel().copy()
    out = np.zeros_like(x)
    pos = x > 0
    big = pos & (a >= _LARGE)
    low, high = pos & ~big & (x < a + 1), pos & ~big & (x >= a + 1)
    out[low] = _series(x[low], a[low])
    out[high] = _continued_fraction(x[high], a[high])
    out[big] = _gamma_quadrature(x[big], a[big])
    return out.reshape(shape)


def _exact(exact: bool | None) -> bool:
    return EXACT if exact is None else exact


def _in_float32_or_64(kernel: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """``kernel`` of ``arrays`` (one dtype); float16 (which PyTorch's samplers refuse) through
    float32, rounded back."""
    dt = arrays[0].dtype
    if dt in (np.float32, np.float64):
        return kernel(*arrays)
    return kernel(*(a.astype(np.float32) for a in arrays)).astype(dt)


def gamma_rsample_grad(alpha: np.ndarray, x: np.ndarray, exact: bool | None = None) -> np.ndarray:
    """``dx/dalpha`` for standard gamma draws ``x`` of shape ``alpha`` (arrays of one dtype,
    float32 or float64), in that dtype: ``torch._standard_gamma_grad(alpha, x)``'s numbers, or
    with ``exact`` (default: the module's ``EXACT``) :func:`standard_gamma_grad` rounded to it.

    Example::

        >>> import numpy as np
        >>> from autograd_core.distributions._gamma_grad import gamma_rsample_grad
        >>> a, x = np.array([1.0]), np.array([1.0])  # exact: log x + Euler's gamma + e^x E1(x)
        >>> float(gamma_rsample_grad(a, x)[0]), float(gamma_rsample_grad(a, x, exact=True)[0])
        (1.1736211..., 1.1735630...)
    """
    if not _exact(exact):
        return _in_float32_or_64(_fitted.standard_gamma_grad, alpha, x)
    return standard_gamma_grad(x.astype(np.float64), alpha.astype(np.float64)).astype(x.dtype)


def dirichlet_rsample_grad(x: np.ndarray, alpha: np.ndarray, total: np.ndarray,
                           exact: bool | None = None) -> np.ndarray:
    """``dx/dalpha / (1 - x)`` for ``Beta(alpha, total - alpha)`` draws ``x`` (a Dirichlet
    component; arrays of one dtype), in that dtype: ``torch._dirichlet_grad(x, alpha, total)``'s
    numbers, or with ``exact`` (default: the module's ``EXACT``) :func:`beta_grad`'s over
    ``1 - x`` (0 where ``total - alpha`` is 0, a single category).

    Example::

        >>> import numpy as np
        >>> from autograd_core.distributions._gamma_grad import dirichlet_rsample_grad
        >>> x, a, t = np.array([0.6]), np.array([2.5]), np.array([4.0])  # Beta(2.5, 1.5)
        >>> float(dirichlet_rsample_grad(x, a, t)[0]), float(
        ...     dirichlet_rsample_grad(x, a, t, exact=True)[0])
        (0.2845275..., 0.2845996...)
    """
    if not _exact(exact):
        return _in_float32_or_64(_fitted.dirichlet_grad, x, alpha, total)
    x64, a64 = x.astype(np.float64), alpha.astype(np.float64)
    rest = total.astype(np.float64) - a64
    one = rest <= 0  # a single category: x is 1 whatever alpha is
    d = beta_grad(x64, a64, np.where(one, 1.0, rest)) / (1 - x64)
    return np.where(one, 0.0, d).astype(x.dtype)
