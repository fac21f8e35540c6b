"""Implicit reparameterization (Figurnov et al. 2018) of gamma draws: for ``x ~ Gamma(alpha, 1)``,
``dx/dalpha = -(dP(alpha, x)/dalpha) / f(x; alpha)``, ``P`` the regularized lower incomplete
gamma and ``f`` the density, computed in float64 to near machine precision (PyTorch's
``torch._standard_gamma_grad`` is a fitted approximation, within about 1e-3 of this).

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
"""

from __future__ import annotations

import numpy as np

import autograd_core as _ag

_EPS = 1e-15


def _digamma(a: np.ndarray) -> np.ndarray:
    return _ag.digamma(_ag.tensor(a, dtype=_ag.float64))._data


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


def _beta_series(x: np.ndarray, a: np.ndarray, b: np.ndarray,
                 wrt_first: bool) -> np.ndarray:
    """``dI_x(a, b)/da`` (``wrt_first``) or ``/db`` over the density: ``x (1 - x) sum_n t_n
    (log x + digamma(a+b+n) - digamma(a+n+1))`` or ``x (1 - x) sum_n t_n (log(1-x) - digamma(b)
    + digamma(a+b+n))``, ``t_n = (a+b)_n / (a)_(n+1) x^n``."""
    t = 1.0 / a
    psi_ab = _digamma(a + b)
    if wrt_first:
        lead, step = np.log(x), _digamma(a + 1)
    else:
        lead, step = np.log1p(-x) - _digamma(b), np.zeros_like(x)
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
    low = x <= (a + 1) / (a + b + 2)
    out[low] = -_beta_series(x[low], a[low], b[low], True)
    high = ~low
    out[high] = _beta_series(1 - x[high], b[high], a[high], False)
    return out.reshape(shape)


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
    low, high = pos & (x < a + 1), pos & (x >= a + 1)
    out[low] = _series(x[low], a[low])
    out[high] = _continued_fraction(x[high], a[high])
    return out.reshape(shape)
