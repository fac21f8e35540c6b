"""PyTorch's reparameterization gradients of gamma and Dirichlet draws, ATen's CPU kernels
``_standard_gamma_grad`` and ``_dirichlet_grad`` (``Distributions.h``), element by element:

    standard_gamma_grad(alpha, x)      dx/dalpha for standard gamma draws x of shape alpha
    dirichlet_grad(x, alpha, total)    dx/dalpha / (1 - x) for Beta(alpha, total - alpha) draws

Both are fitted approximations of the exact ``-(dF/dalpha) / f`` (Jankowiak and Obermeyer 2018):
for gamma a six-term Taylor series of the incomplete gamma below ``x = 0.8``, Rice's saddle
point expansion above ``alpha = 8`` (a polynomial within 10% of the mean), and elsewhere
``exp(p / q)`` of a bivariate rational function of ``log(x / alpha)`` and ``log(alpha)``;
for beta series in ``x`` near 0 and 1 (``total x (1 - x)`` below 2.5 and 0.75), a saddle
point expansion when both concentrations exceed 6, and elsewhere a rational correction of
``x (digamma(total) - digamma(alpha)) / beta``. Arrays of one dtype, float32 or float64, of
one shape (or broadcast); the result has it.

The arithmetic is ATen's, operation by operation: its ``accscalar_t`` is double, so gamma's
whole formula runs in double and rounds once; the beta series and the tests on ``x`` and
``total x (1 - x)`` run in the inputs' ``scalar_t`` (``f32``: each operation rounded to float32,
exact for + - * / since double holds the float32 result of each; ``log``/``pow``/``tan`` are
libm's ``logf``/``powf``/``tanf``), as does ``digamma_one`` of a float. The loops are Numba
builds of the scalar functions below (``cache=True``, serial, as ATen's ``cpu_serial_kernel``);
the twins run the same functions in Python (libm's float functions through ctypes), under
``TAPEGRAD_KERNELS=numpy`` too. Importing this module does not import numba.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

from autograd_core.kernels import _jit

__all__ = ["standard_gamma_grad", "dirichlet_grad", "standard_gamma_grad_numpy",
           "dirichlet_grad_numpy"]

_LIBM: list = []


def _libm():
    """The C math library through ctypes (loaded on the twins' first call), its double and
    float functions typed."""
    if not _LIBM:
        lib = ctypes.CDLL(ctypes.util.find_library("m") or ctypes.util.find_library("c"))
        for name, nargs, kind in (("log", 1, ctypes.c_double), ("exp", 1, ctypes.c_double),
                                  ("tan", 1, ctypes.c_double), ("pow", 2, ctypes.c_double),
                                  ("logf", 1, ctypes.c_float), ("tanf", 1, ctypes.c_float),
                                  ("powf", 2, ctypes.c_float)):
            getattr(lib, name).restype = kind
            getattr(lib, name).argtypes = [kind] * nargs
        _LIBM.append(lib)
    return _LIBM[0]


# libm's functions: in Python through ctypes (IEEE results where ``math`` raises), in the
# Numba builds ``math``'s (the same libm calls; of a float32 value, the float functions)
def _log(v):
    return np.float64(_libm().log(v))


def _exp(v):
    return np.float64(_libm().exp(v))


def _tan(v):
    return np.float64(_libm().tan(v))


def _pow(v, e):
    return np.float64(_libm().pow(v, e))


def _logf(v):
    return np.float64(_libm().logf(v))


def _tanf(v):
    return np.float64(_libm().tanf(v))


def _powf(v, e):
    return np.float64(_libm().powf(v, e))


def _register_libm(numba):
    overload = numba.extending.overload

    @overload(_log, inline="always")
    def _log_nb(v):
        return lambda v: math.log(v)

    @overload(_exp, inline="always")
    def _exp_nb(v):
        return lambda v: math.exp(v)

    @overload(_tan, inline="always")
    def _tan_nb(v):
        return lambda v: math.tan(v)

    @overload(_pow, inline="always")
    def _pow_nb(v, e):
        return lambda v, e: math.pow(v, e)

    @overload(_logf, inline="always")
    def _logf_nb(v):
        return lambda v: float(math.log(np.float32(v)))

    @overload(_tanf, inline="always")
    def _tanf_nb(v):
        return lambda v: float(math.tan(np.float32(v)))

    @overload(_powf, inline="always")
    def _powf_nb(v, e):
        return lambda v, e: float(math.pow(np.float32(v), np.float32(e)))


_jit._on_bind(_register_libm)


@_jit.jitable
def _r(v, f32):
    """``v`` rounded to the kernel's ``scalar_t``: float32 when ``f32``, else unchanged."""
    return np.float64(np.float32(v)) if f32 else v


@_jit.jitable
def _log_s(v, f32):
    return _logf(v) if f32 else _log(v)


@_jit.jitable
def _pow_s(v, e, f32):
    return _powf(v, e) if f32 else _pow(v, e)


# ATen's float literals (0.8f, ...) as doubles, and the digamma asymptotic series
_C08, _C09, _C11 = (float(np.float32(c)) for c in (0.8, 0.9, 1.1))
_C1E17 = float(np.float32(1e17))
_PI32 = float(np.float32(math.pi))
_PSI_10 = 2.25175258906672110764
_DIGAMMA_A = np.array([8.33333333333333333333E-2, -2.10927960927960927961E-2,
                       7.57575757575757575758E-3, -4.16666666666666666667E-3,
                       3.96825396825396825397E-3, -8.33333333333333333333E-3,
                       8.33333333333333333333E-2])
# standard_gamma_grad_one's rational fit: rows u^0, u^1, u^2; p's 4 then q's 4 coefficients
_GAMMA_UV = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343,
     1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758,
     0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
     0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07]])
# dirichlet_grad_one's rational fit: [p or q][power of u][power of a][power of b]
_BETA_C = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


@_jit.jitable
def _digamma(x, f32):
    """ATen's ``digamma_one`` of ``x`` in ``scalar_t`` (float32 when ``f32``), its sums in
    double: the recurrence up to 10, then the asymptotic series."""
    if x == 0:
        return math.inf
    extra = 0.0
    if x < 0:
        if x == np.floor(x):
            return math.inf
        pi = _PI32 if f32 else math.pi
        t = _tanf(_r(pi * x, f32)) if f32 else _tan(pi * x)
        extra = _r(-pi / t, f32)
        x = _r(1 - x, f32)
    result = 0.0
    while x < 10:
        result -= _r(1 / x, f32)
        x = _r(x + 1, f32)
    if x == 10:
        return _r(result + _PSI_10 + extra, f32)
    y = 0.0
    if x < _C1E17:
        z = 1.0 / _r(x * x, f32)
        poly = _DIGAMMA_A[0]
        for i in range(1, 7):
            poly = poly * z + _DIGAMMA_A[i]
        y = z * poly
    return _r(result + _log_s(x, f32) - _r(0.5 / x, f32) - y + extra, f32)


@_jit.jitable
def _gamma_grad_one(alpha, x, f32):
    """ATen's ``standard_gamma_grad_one`` in double, rounded once to ``scalar_t``."""
    if x < _C08:  # Taylor series of the incomplete gamma
        numer, denom = 1.0, alpha
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer *= -x / i
            denom += 1
            series1 += numer / denom
            series2 += numer / (denom * denom)
        pow_x_alpha = _pow(x, alpha)
        pdf = _pow(x, alpha - 1) * _exp(-x)
        cdf = pow_x_alpha * series1
        cdf_alpha = (_log(x) - _digamma(alpha, False)) * cdf - pow_x_alpha * series2
        result = -cdf_alpha / pdf
        return 0.0 if result != result else _r(result, f32)
    if alpha > 8.0:  # Rice's saddle point expansion
        if _C09 * alpha <= x and x <= _C11 * alpha:
            numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
            numer_2 = (1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha
                       + alpha * (107 + 3600 * x))
            denom = 1244160 * (alpha * alpha) * (alpha * alpha)
            return _r(numer_1 * numer_2 / denom, f32)
        denom = np.sqrt(8 * alpha)
        term2 = denom / (alpha - x)
        term3 = _pow(x - alpha - alpha * _log(x / alpha), -1.5)
        term23 = term2 - term3 if x < alpha else term2 + term3
        term1 = (_log(x / alpha) * term23
                 - np.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x)))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        return _r(-stirling * (x * term1) / denom, f32)
    u, v = _log(x / alpha), _log(alpha)  # the rational fit
    p = _gamma_coef(u, 0) + v * (_gamma_coef(u, 1) + v * (_gamma_coef(u, 2)
                                                         + v * _gamma_coef(u, 3)))
    q = _gamma_coef(u, 4) + v * (_gamma_coef(u, 5) + v * (_gamma_coef(u, 6)
                                                         + v * _gamma_coef(u, 7)))
    return _r(_exp(p / q), f32)


@_jit.jitable
def _gamma_coef(u, i):
    """The rational fit's ``i``-th coefficient in ``v``, a quadratic in ``u``."""
    return _GAMMA_UV[0, i] + u * (_GAMMA_UV[1, i] + u * _GAMMA_UV[2, i])


@_jit.jitable
def _beta_grad_alpha_small(x, alpha, beta, f32):
    """ATen's series for ``x`` near 0, in ``scalar_t``."""
    factor = _r(_r(_digamma(alpha, f32) - _digamma(_r(alpha + beta, f32), f32), f32)
                - _log_s(x, f32), f32)
    numer = 1.0
    series = _r(_r(numer / alpha, f32) * _r(factor + _r(1 / alpha, f32), f32), f32)
    for i in range(1, 11):
        numer = _r(numer * _r(_r(_r(i - beta, f32) * x, f32) / i, f32), f32)
        denom = _r(alpha + i, f32)
        series = _r(series + _r(_r(numer / denom, f32) * _r(factor + _r(1 / denom, f32), f32),
                                f32), f32)
    result = _r(_r(x * _pow_s(_r(1 - x, f32), -beta, f32), f32) * series, f32)
    return 0.0 if result != result else result


@_jit.jitable
def _beta_grad_beta_small(x, alpha, beta, f32):
    """ATen's series (in ``beta``) for ``x`` near 0, in ``scalar_t``."""
    factor = _r(_digamma(_r(alpha + beta, f32), f32) - _digamma(beta, f32), f32)
    numer, betas, dbetas = 1.0, 1.0, 0.0
    series = _r(factor / alpha, f32)
    for i in range(1, 9):
        numer = _r(numer * _r(-x / i, f32), f32)
        b_i = _r(beta - i, f32)
        dbetas = _r(_r(dbetas * b_i, f32) + betas, f32)
        betas = _r(betas * b_i, f32)
        series = _r(series + _r(_r(numer / _r(alpha + i, f32), f32)
                                * _r(dbetas + _r(factor * betas, f32), f32), f32), f32)
    result = _r(-_pow_s(_r(1 - x, f32), _r(1 - beta, f32), f32) * series, f32)
    return 0.0 if result != result else result


@_jit.jitable
def _beta_grad_alpha_mid(x, alpha, beta):
    """ATen's saddle point expansion for both concentrations large, in double."""
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    if mean - 0.1 * std <= x and x <= mean + 0.1 * std:  # the polynomial near the mean
        poly = (47 * x * (beta * beta) * (beta * beta) + alpha * (
            (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
                3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                    (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                        8 * (1 - x) * (135 * beta - 11))))))
        prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
        prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
        return prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / np.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1_den = np.sqrt(2 * alpha / beta) * _pow(total, 1.5) * axbx * axbx
    term1 = term1_num / term1_den
    term2 = 0.5 * _log(alpha / (total * x))
    term3 = np.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4 = _pow(beta * _log(beta / (total * (1 - x)))
                     + alpha * _log(alpha / (total * x)), -1.5)
    term1234 = term1 + term2 * (term3 + (term4 if x < mean else -term4))
    return stirling * prefactor * term1234


@_jit.jitable
def _dirichlet_grad_one(x, alpha, total, f32):
    """ATen's ``dirichlet_grad_one``: ``x``, ``alpha``, ``total`` values of ``scalar_t``."""
    beta = _r(total - alpha, f32)
    boundary = _r(_r(total * x, f32) * _r(1 - x, f32), f32)
    if x <= 0.5 and boundary < 2.5:
        return _beta_grad_alpha_small(x, alpha, beta, f32)
    if x >= 0.5 and boundary < 0.75:
        return -_beta_grad_beta_small(_r(1 - x, f32), beta, alpha, f32)
    if alpha > 6 and beta > 6:
        return _r(_beta_grad_alpha_mid(x, alpha, total - alpha), f32)
    u = _log(x)
    a = _log(alpha) - u
    b = _log(total) - a
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = (1.0 if i == 0 else u if i == 1 else u * u) * \
                (1.0 if j == 0 else a if j == 1 else a * a)
            p += ua * (_BETA_C[0, i, j, 0] + b * (_BETA_C[0, i, j, 1] + b * (
                _BETA_C[0, i, j, 2] + b * _BETA_C[0, i, j, 3])))
            q += ua * (_BETA_C[1, i, j, 0] + b * (_BETA_C[1, i, j, 1] + b * (
                _BETA_C[1, i, j, 2] + b * _BETA_C[1, i, j, 3])))
    approx = x * _r(_digamma(total, f32) - _digamma(alpha, f32), f32) / (total - alpha)
    return _r(p / q * approx, f32)


@_jit.jit
def _gamma_loop(alpha, x, f32, out):
    for i in range(out.shape[0]):
        out[i] = _gamma_grad_one(alpha[i], x[i], f32)


@_jit.jit
def _dirichlet_loop(x, alpha, total, f32, out):
    for i in range(out.shape[0]):
        out[i] = _dirichlet_grad_one(x[i], alpha[i], total[i], f32)


def _gamma_twin(alpha, x, f32, out):
    with np.errstate(all="ignore"):
        for i in range(out.shape[0]):
            out[i] = _gamma_grad_one(alpha[i], x[i], f32)


def _dirichlet_twin(x, alpha, total, f32, out):
    with np.errstate(all="ignore"):
        for i in range(out.shape[0]):
            out[i] = _dirichlet_grad_one(x[i], alpha[i], total[i], f32)


def _run(name, loop, arrays):
    """Check ``arrays`` (one float dtype; broadcast), run ``loop`` over them in double (values of
    the dtype) and return the result in the dtype."""
    arrays = [np.asarray(a) for a in arrays]
    dtypes = {a.dtype for a in arrays}
    if len(dtypes) != 1 or not dtypes <= {np.dtype(np.float32), np.dtype(np.float64)}:
        raise TypeError(f"{name}: expected float32 or float64 arrays of one dtype, got "
                        + ", ".join(str(a.dtype) for a in arrays))
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ValueError(f"{name}: shapes " + ", ".join(str(a.shape) for a in arrays)
                         + " do not broadcast") from None
    dt = arrays[0].dtype
    flat = [np.ascontiguousarray(a, np.float64).reshape(-1) for a in arrays]
    out = np.empty(flat[0].size, np.float64)
    loop(*flat, dt == np.float32, out)
    return out.astype(dt).reshape(arrays[0].shape)


def standard_gamma_grad(alpha, x):
    """``torch._standard_gamma_grad(alpha, x)``: ``dx/dalpha`` for standard gamma draws ``x``
    of shape ``alpha``, PyTorch's fitted approximation (0 where its series gives NaN, e.g.
    ``x = 0``).

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels.gamma_grad import standard_gamma_grad
        >>> # alpha = 1, x = 1: the exact gradient is 1.1735630 (log x + Euler's gamma + e^x E1(x))
        >>> standard_gamma_grad(np.array([1.0, 2.5]), np.array([1.0, 3.0]))
        array([1.17362116, 1.16921648])
    """
    if not _jit.use_numba():
        return standard_gamma_grad_numpy(alpha, x)
    return _run("standard_gamma_grad", _gamma_loop, (alpha, x))


def dirichlet_grad(x, alpha, total):
    """``torch._dirichlet_grad(x, alpha, total)``: ``dx/dalpha / (1 - x)`` for draws ``x`` of
    ``Beta(alpha, total - alpha)`` (a Dirichlet component of concentration ``alpha`` among
    concentrations summing to ``total``), PyTorch's fitted approximation.

    Example::

        >>> import numpy as np
        >>> from autograd_core.kernels.gamma_grad import dirichlet_grad
        >>> # Beta(1, 1) draws: dx/dalpha = -x log(x), over 1 - x: log 2 at x = 1/2
        >>> dirichlet_grad(np.array([0.5, 0.6]), np.array([1.0, 2.0]), np.array([2.0, 3.0]))
        array([0.69314718, 0.38311836])
    """
    if not _jit.use_numba():
        return dirichlet_grad_numpy(x, alpha, total)
    return _run("dirichlet_grad", _dirichlet_loop, (x, alpha, total))


def standard_gamma_grad_numpy(alpha, x):
    """The twin of :func:`standard_gamma_grad`: the same scalar code run by Python."""
    return _run("standard_gamma_grad", _gamma_twin, (alpha, x))


def dirichlet_grad_numpy(x, alpha, total):
    """The twin of :func:`dirichlet_grad`: the same scalar code run by Python."""
    return _run("dirichlet_grad", _dirichlet_twin, (x, alpha, total))
