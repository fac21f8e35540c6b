"""Numba loops of PyTorch's element-by-element CPU samplers (imported on first use by
``autograd_core.random.Generator``): ``_standard_gamma`` (Marsaglia and Tsang), ``poisson``
(product of uniforms below a rate of 10, Hormann's PTRS from it) and ``binomial`` (inversion by
summed geometric draws, BTRS from a mean of 10), as aten's ``Distributions.h`` /
``Distributions.cpp`` write them.

Each loop reads the generator's raw 32-bit draws from ``words`` (drawn ahead by the caller),
at ``pos[0]``, and raises ``IndexError`` when they run out (the caller draws more and runs it
again). A double uniform is PyTorch's ``uniform_real_distribution<double>``: two words, the
first the high half, its low 53 bits times ``2**-53``; a normal is its
``normal_distribution<double>``: Box-Muller on two of those, the sine kept in ``cache`` (flag,
value) for the next draw. ``f32``: the kernel's ``scalar_t`` is float, whose own arithmetic
(``count * prob``, ``1.0f / alpha``, ...) rounds to float32; ``accscalar_t`` is double."""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, register_jitable

from autograd_core.kernels._jit import jit

_MASK53 = np.uint64((1 << 53) - 1)
_THIRD32 = float(np.float32(1.0 / 3.0))  # the gamma kernel's float constants 1.0f / 3.0f
_C0331 = float(np.float32(0.0331))  # and 0.0331f
_STIRLING_TAIL = np.array([0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                           0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                           0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                           0.00833056343336287])


@register_jitable
def _double(words, pos):
    i = pos[0]
    if i + 2 > words.shape[0]:
        raise IndexError("sampler ran out of draws")
    pos[0] = i + 2
    return float(((words[i] << np.uint64(32)) | words[i + 1]) & _MASK53) * 2.0 ** -53


@register_jitable
def _normal(words, pos, cache):
    if cache[0] != 0.0:
        cache[0] = 0.0
        return cache[1]
    u1 = _double(words, pos)
    u2 = _double(words, pos)
    r = math.sqrt(-2.0 * math.log1p(-u2))
    theta = 2.0 * math.pi * u1
    cache[0] = 1.0
    cache[1] = r * math.sin(theta)
    return r * math.cos(theta)


@register_jitable
def _rnd(x, f32):
    return float(np.float32(x)) if f32 else x


@register_jitable
def _log(x):
    return math.log(x) if x > 0 else -math.inf


@register_jitable
def _stirling_tail(k):
    """``log(k!)`` minus Stirling's approximation of it (tabulated below 10)."""
    if k < 10:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


@jit
def gamma_loop(alpha, f32, words, pos, cache, out):
    """``out[i]``: a standard gamma draw of shape ``alpha[i]`` (before the cast and clamp)."""
    for i in range(alpha.shape[0]):
        a = alpha[i]
        scale = 1.0
        if a != a:  # NaN: no draw would be accepted (PyTorch's loop never ends)
            out[i] = a
            continue
        if a < 1.0:
            if a == 0.0:
                out[i] = 0.0
                continue
            scale *= math.pow(1.0 - _double(words, pos), _rnd(1.0 / a, f32))
            a = _rnd(a + 1.0, f32)
        d = _rnd(a - _THIRD32, f32)
        c = 1.0 / math.sqrt(9.0 * d)
        while True:
            x = _normal(words, pos, cache)
            y = 1.0 + c * x
            while y <= 0:
                x = _normal(words, pos, cache)
                y = 1.0 + c * x
            v = y * y * y
            u = 1.0 - _double(words, pos)
            xx = x * x
            if u < 1.0 - _C0331 * xx * xx or \
                    math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
                out[i] = scale * d * v
                break


@jit
def poisson_loop(lam, words, pos, out):
    """``out[i]``: a Poisson count of rate ``lam[i]`` (double, as the kernel's)."""
    for i in range(lam.shape[0]):
        rate = lam[i]
        if not rate < math.inf:  # NaN or inf (PyTorch's loop never ends / casts inf to int)
            out[i] = rate
        elif rate >= 10:
            slam, loglam = math.sqrt(rate), math.log(rate)
            b = 0.931 + 2.53 * slam
            a = -0.059 + 0.02483 * b
            invalpha = 1.1239 + 1.1328 / (b - 3.4)
            vr = 0.9277 - 3.6224 / (b - 2)
            while True:
                u = _double(words, pos) - 0.5
                v = _double(words, pos)
                us = 0.5 - abs(u)
                k = float(math.floor((2 * a / us + b) * u + rate + 0.43))
                if us >= 0.07 and v <= vr:
                    break
                if k < 0 or (us < 0.013 and v > us):
                    continue
                if (_log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                        <= -rate + k * loglam - math.lgamma(k + 1.0)):
                    break
            out[i] = k
        elif rate == 0:
            out[i] = 0.0
        else:
            x, prod, enlam = 0.0, 1.0, math.exp(-rate)
            while True:
                prod *= _double(words, pos)
                if prod <= enlam:
                    break
                x += 1
            out[i] = x


@register_jitable
def _binomial_inversion(count, prob, f32, words, pos):
    logprob = float(math.log1p(np.float32(-prob))) if f32 else math.log1p(-prob)  # log1pf
    geom_sum, num = 0.0, 0.0
    while True:
        geom_sum += math.ceil(_log(_double(words, pos)) / logprob)
        if geom_sum > count:
            return num
        num += 1


@register_jitable
def _btrs(count, prob, f32, words, pos):
    stddev = _rnd(math.sqrt(_rnd(_rnd(count * prob, f32) * _rnd(1 - prob, f32), f32)), f32)
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = _rnd(count * prob, f32) + 0.5
    v_r = 0.92 - 4.2 / b
    r = _rnd(prob / _rnd(1 - prob, f32), f32)
    alpha = (2.83 + 5.1 / b) * stddev
    m = float(math.floor(_rnd(_rnd(count + 1.0, f32) * prob, f32)))
    nm1 = count - m + 1  # m is double (accscalar_t), as every coefficient
    while True:
        u = _double(words, pos) - 0.5
        v = _double(words, pos)
        us = 0.5 - abs(u)
        k = _rnd(float(math.floor((2 * a / us + b) * u + c)), f32)
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = _log(v * alpha / (a / (us * us) + b))
        nk1 = _rnd(_rnd(count - k, f32) + 1, f32)  # count - k + 1
        bound = ((m + 0.5) * math.log((m + 1) / (r * nm1))
                 + _rnd(count + 1, f32) * math.log(nm1 / nk1)
                 + (k + 0.5) * math.log(r * nk1 / _rnd(k + 1, f32))
                 + _stirling_tail(m) + _stirling_tail(count - m)
                 - _stirling_tail(k) - _stirling_tail(_rnd(count - k, f32)))
        if v <= bound:
            return k


@jit
def binomial_loop(count, prob, f32, words, pos, out):
    """``out[i]``: a binomial draw of ``count[i]`` trials of success probability ``prob[i]``."""
    for i in range(count.shape[0]):
        n, p = count[i], prob[i]
        if n != n or p != p:  # NaN: no draw would end PyTorch's loops
            out[i] = math.nan
        elif n <= 0.0 or p <= 0.0:
            out[i] = 0.0
        elif p >= 1.0:
            out[i] = n
        elif n == math.inf:  # PyTorch's answer (its loop rejects every draw)
            out[i] = math.nan
        elif p <= 0.5:
            if _rnd(n * p, f32) >= 10.0:
                out[i] = _btrs(n, p, f32, words, pos)
            else:
                out[i] = _binomial_inversion(n, p, f32, words, pos)
        else:
            q = _rnd(1.0 - p, f32)
            if _rnd(n * q, f32) >= 10.0:
                out[i] = _rnd(n - _btrs(n, q, f32, words, pos), f32)
            else:
                out[i] = _rnd(n - _binomial_inversion(n, q, f32, words, pos), f32)


@jit
def libm_loop(code, x, out):
    """``out[i] = f(x[i])`` over 1-D float64 arrays, ``f`` the C library's ``log`` (``code``
    0), ``log1p`` (1), ``sin`` (2), ``cos`` (3), ``tan`` (4) or ``exp`` (5): what Python's ``math`` functions call (LLVM
    lowers Numba's ``math`` calls to the same libm symbols; no vector library, fastmath off),
    so the bits equal ``random._libm_python``'s, its twin, ~5x faster (Box-Muller's float64
    normals)."""
    for i in range(x.shape[0]):
        v = x[i]
        if code == 0:
            out[i] = math.log(v)
        elif code == 1:
            out[i] = math.log1p(v)
        elif code == 2:
            out[i] = math.sin(v)
        elif code == 3:
            out[i] = math.cos(v)
        elif code == 4:
            out[i] = math.tan(v)
        else:
            out[i] = math.exp(v)


@jit
def fma64_loop(a, b, c, out):
    """``out[i] = a[i] * b + c`` with one rounding, over 1-D float64 arrays: the operations of
    ``random._fma64`` (its twin: Dekker's exact product, Knuth's sum), element by element in
    the same order (fastmath off: nothing is contracted or reassociated), so the same bits."""
    split = 134217729.0  # 2**27 + 1
    t = split * b
    bh = t - (t - b)
    bl = b - bh
    for i in range(a.shape[0]):
        x = a[i]
        p = x * b
        t = split * x
        ah = t - (t - x)
        al = x - ah
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        s = p + c
        v = s - p
        out[i] = s + (((p - (s - v)) + (c - v)) + e)


# ---- PyTorch's AVX2 float32 Box-Muller (``normal_fill_AVX2``), element by element ----------
_F = np.float32
_ONE, _HALF, _M2 = _F(1), _F(0.5), _F(-2)
_SQRTHF = _F(0.707106781186547524)
_LP0, _LP1, _LP2, _LP3, _LP4, _LP5, _LP6, _LP7, _LP8 = (_F(v) for v in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1))
_LQ1, _LQ2 = _F(-2.12194440e-4), _F(0.693359375)
_CP0, _CP1, _CP2 = (_F(v) for v in (2.443315711809948e-5, -1.388731625493765e-3,
                                    4.166664568298827e-2))
_SP0, _SP1, _SP2 = (_F(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1))
_DP1, _DP2, _DP3 = (_F(v) for v in (-0.78515625, -2.4187564849853515625e-4,
                                    -3.77489497744594108e-8))
_FOPI = _F(1.27323954473516)
_FLT_MIN = _F(np.finfo(np.float32).tiny)
_TWO_PI = _F(2.0 * np.pi)


@register_jitable
def _fma32(a, b, c):
    return np.float32(np.float64(a) * np.float64(b) + np.float64(c))


@intrinsic
def _as_int32(typingctx, x):
    """The bits of the float32 ``x`` as an int32: an LLVM bitcast, no trip through memory, so
    the loops that use it vectorise."""
    if x != types.float32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))

    return types.int32(x), codegen


@intrinsic
def _as_float32(typingctx, b):
    """The float32 whose bits are the low 32 bits of the integer ``b`` (``_as_int32``'s
    inverse; Numba widens int32 arithmetic to int64)."""
    if not isinstance(b, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        v = args[0]
        if v.type.width != 32:
            v = builder.trunc(v, ir.IntType(32))
        return builder.bitcast(v, ir.FloatType())

    return types.float32(b), codegen


@intrinsic
def _sqrt32(typingctx, x):
    """The square root of the float32 ``x`` (``llvm.sqrt``: the IEEE-rounded root, as
    ``sqrtf``, but without its ``errno`` call, which keeps a loop from vectorising)."""
    if x != types.float32:
        return None

    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(ir.FloatType(), [ir.FloatType()])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.sqrt.f32")
        return builder.call(fn, args)

    return types.float32(x), codegen


@register_jitable
def _log32(x):
    bits = _as_int32(x if x > _FLT_MIN else _FLT_MIN)  # x > 0 here: not a NaN
    e = np.float32((bits >> 23) - 127) + _ONE
    m = _as_float32((bits & 0x807FFFFF) | 0x3F000000)  # the mantissa in [0.5, 1)
    low = m < _SQRTHF
    x = (m - _ONE) + (m if low else np.float32(0))
    e = e - (_ONE if low else np.float32(0))
    z = x * x
    y = _fma32(_LP0, x, _LP1)
    y = _fma32(y, x, _LP2)
    y = _fma32(y, x, _LP3)
    y = _fma32(y, x, _LP4)
    y = _fma32(y, x, _LP5)
    y = _fma32(y, x, _LP6)
    y = _fma32(y, x, _LP7)
    y = _fma32(y, x, _LP8)
    y = _fma32(y * x, z, e * _LQ1)
    y = _fma32(z, -_HALF, y)
    return _fma32(e, _LQ2, x + y)


@jit
def box_muller16_f32(blocks, mean, std, out):
    """``random._box_muller16``'s float32 path (its twin, PyTorch's AVX2 kernel in numpy) on
    each row of 16 uniforms of ``blocks`` into ``out``, the same float32 operations and
    ``_fma32`` roundings element by element, so the same bits. The halves of the rows are
    copied apart first, so that the arithmetic runs over flat arrays, branch-free, bits moved by
    bitcasts: LLVM vectorises that loop (over the rows' 8-element halves it did not, ~8x
    slower)."""
    rows = blocks.shape[0]
    u1 = np.empty((rows, 8), np.float32)
    u2 = np.empty((rows, 8), np.float32)
    for r in range(rows):  # loops, not slice copies: Numba compiles a slice copy's shape
        for k in range(8):  # check's message in ~3 s
            u1[r, k] = blocks[r, k]
            u2[r, k] = blocks[r, 8 + k]
    a, b = u1.reshape(-1), u2.reshape(-1)
    for i in range(a.size):
        radius = _sqrt32(_M2 * _log32(_ONE - a[i]))
        x = _TWO_PI * b[i]
        j = (np.int32(x * _FOPI) + np.int32(1)) & np.int32(-2)  # the octant, rounded even
        y = np.float32(j)
        x = _fma32(y, _DP1, x)
        x = _fma32(y, _DP2, x)
        x = _fma32(y, _DP3, x)
        sin_sign = (j & 4) << 29
        cos_sign = (~(j - 2) & 4) << 29
        z = x * x
        yc = _fma32(_CP0, z, _CP1)
        yc = _fma32(yc, z, _CP2)
        yc = _fma32(yc * z, z, -(z * _HALF)) + _ONE
        ys = _fma32(_SP0, z, _SP1)
        ys = _fma32(ys, z, _SP2)
        ys = _fma32(ys * z, x, x)
        first = (j & np.int32(2)) == 0
        s = ys if first else yc
        c = yc if first else ys
        s = _as_float32(_as_int32(s) ^ sin_sign)
        c = _as_float32(_as_int32(c) ^ cos_sign)
        a[i] = _fma32(radius * c, std, mean)
        b[i] = _fma32(radius * s, std, mean)
    for r in range(rows):
        for k in range(8):
            out[r, k] = u1[r, k]
            out[r, 8 + k] = u2[r, k]
