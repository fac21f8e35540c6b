"""Fused Numba kernels for the elementwise activations, forward and backward.

Every public function here has the signature and the semantics of its twin in
``activations_ref`` (PyTorch's formulas) and returns a new array of the input's shape and dtype.

How they are built (``tapegrad-bench kernels`` re-measures the choices below):

* One pass, no temporaries: inputs are flattened to 1-D views in their common memory order (C or
  Fortran; anything else is copied once) and a jitted loop writes the output in place. The loops
  are 1-D only, so every ndim reuses the same compiled code.
* Each loop exists twice, ``*_serial`` and ``*_parallel`` (``prange``), as separate Python
  functions (Numba's cache ignores compile options). The parallel one runs only from the
  measured crossover on (``THRESHOLDS``: 2**16 elements, 2**19 for memory-bound kernels).
* float64 evaluates PyTorch's formulas with libm (``math.exp/tanh/erf/log1p``): results agree with
  PyTorch to rounding and are good enough for gradcheck.
* float32 replaces libm (a scalar call per element, which stops vectorisation) with branch-free
  code that LLVM vectorises: an ``exp`` from Cody-Waite range reduction and a degree-7 Taylor
  polynomial, and formulations chosen to avoid cancellation (GELU through ``erfc`` with an exactly
  rounded ``x*x``, tanh-GELU through a sigmoid, softplus as ``max(bx, 0) + log1p(exp(-|bx|))``).
  These are *more* accurate than PyTorch's float32 kernels in the tails; the error bounds against
  a float64 reference are asserted in tests/kernels/test_kernels_accuracy.py.
* ``fastmath={"contract"}`` only: lets LLVM fuse ``a*b + c`` into an FMA (one rounding instead of
  two, ~30% faster here). The flags that could break the code (``reassoc`` would undo the
  rounding trick in ``_exp_f32``; ``nnan``/``ninf`` drop NaN/inf handling) stay off.

This module imports numba; ``autograd_core.kernels`` imports it only on the first Numba call.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.core import cgutils
from numba.extending import intrinsic, overload, register_jitable

from . import _jit
from . import activations_ref as _ref

# the public kernels (one per LOOPS entry, GELU's two taking approximate=) are added below
__all__ = ["PARALLEL_THRESHOLD", "PARALLEL_THRESHOLD_MEMORY_BOUND", "THRESHOLDS"]

# Number of elements from which the prange build is used (serial below), per kind of kernel;
# TAPEGRAD_PARALLEL_THRESHOLD overrides both, TAPEGRAD_PARALLEL=0 disables the parallel builds.
# 2**16 for kernels that evaluate a transcendental function, 2**19 for the memory-bound ones:
# in a quiet-machine sweep (``tapegrad-bench kernels``, serial/parallel table) the first sizes
# from which every kernel of its kind gained; the README's performance section has the table.
PARALLEL_THRESHOLD = _jit.parallel_threshold(default=1 << 16)
PARALLEL_THRESHOLD_MEMORY_BOUND = _jit.parallel_threshold(default=1 << 19)
MEMORY_BOUND = frozenset(
    {
        "sigmoid_backward",
        "tanh_backward",
        "relu_forward",
        "relu_backward",
        "leaky_relu_forward",
        "leaky_relu_backward",
    }
)

_F32 = np.float32
_F64 = np.float64
# the dtypes the loops are compiled for, as dtype objects (``in`` tests them by identity first)
_FAST_DTYPES = (np.dtype(_F32), np.dtype(_F64))
_ndarray = np.ndarray
_empty = np.empty

# Compile options of every loop below (merged into _jit.BASE_OPTIONS).
_OPTIONS = dict(fastmath={"contract"})


# --------------------------------------------------------------------------------------------
# Scalar building blocks usable from jitted code.


@intrinsic
def _fma(typingctx, a, b, c):
    """``a*b + c`` with a single rounding (``llvm.fma``), all three of one float type."""
    if not (isinstance(a, types.Float) and a == b == c):
        return None

    def codegen(context, builder, signature, args):
        ty = args[0].type
        fnty = ir.FunctionType(ty, [ty, ty, ty])
        fn = cgutils.get_or_insert_function(builder.module, fnty, f"llvm.fma.{ty}")
        return builder.call(fn, args)

    return a(a, b, c), codegen


# Small helpers are plain register_jitable functions: LLVM inlines them and vectorises the loops.
# GELU's cdf/pdf is too big for LLVM's inliner (the loops stayed scalar calls, 10x slower), so it
# alone is inlined at Numba IR level (inline="always"). Not more: IR inlining of every helper
# (exp, the sigmoid pair, ...) produced the same machine code but made cold compiles ~5x slower
# (float32 serial loops 46 s -> 9 s in total; softplus_backward alone 13 s -> 0.5 s).
def _inline(fn):
    return register_jitable(inline="always")(fn)  # a fresh decorator each time (it pops kwargs)


def _cast(value, like):
    """``value`` converted to the float type of ``like`` (typed constants in generic code)."""
    return type(like)(value)


@overload(_cast, inline="always")
def _cast_overload(value, like):
    target = _F32 if like == types.float32 else _F64

    def impl(value, like):
        return target(value)

    return impl


def _by_dtype(f32_impl, f64_impl):
    """A scalar function for jitted code: ``f32_impl`` for float32 arguments, else ``f64_impl``.

    Both implementations must have the same parameters (Numba checks the names).
    """
    sig = inspect.signature(f64_impl)
    if inspect.signature(f32_impl) != sig:
        raise TypeError(f"{f32_impl.__name__} and {f64_impl.__name__} differ in parameters")

    def stub(*args):
        raise NotImplementedError("callable from Numba-compiled code only")

    def select(*args):
        return f32_impl if args[0] == types.float32 else f64_impl

    stub.__signature__ = select.__signature__ = sig
    stub.__name__ = f64_impl.__name__.replace("_f64", "")
    overload(stub, inline="always")(select)
    return stub


# --- float32 exp --------------------------------------------------------------------------------
# exp(x) = 2**n * exp(r), n = round(x / ln2), r = x - n*ln2 in [-ln2/2, ln2/2] (Cody-Waite: ln2 is
# split so that n*_LN2_HI is exact). exp(r) by its Taylor polynomial of degree 7 (truncation
# < 6e-9 relative). 2**n is built from the exponent bits in two halves so that results in the
# subnormal range and the overflow to inf come out right without branches. NaN propagates.
_EXP_HI = _F32(89.0)  # exp(89) > FLT_MAX: clamping here keeps n in range, result still inf
_EXP_LO = _F32(-110.0)  # exp(-110) < FLT_TRUE_MIN / 2: result still 0
_LOG2E = _F32(1.4426950408889634)
_ROUND = _F32(12582912.0)  # 1.5 * 2**23: (v + _ROUND) - _ROUND rounds v to an integer
_ROUND_BITS = np.int32(0x4B400000)  # bit pattern of _ROUND; bits(v + _ROUND) - this == round(v)
_LN2_HI = _F32(0.693359375)  # 9 significant bits
_LN2_LO = _F32(-2.1219444005469058e-4)  # ln2 - _LN2_HI
_E0, _E1, _E2, _E3, _E4, _E5, _E6, _E7 = (_F32(1.0 / math.factorial(k)) for k in range(8))
_BIAS = np.int32(127)


@register_jitable
def _exp_f32(x):
    x = _EXP_HI if x > _EXP_HI else x  # comparisons written so that NaN passes through
    x = _EXP_LO if x < _EXP_LO else x
    t = x * _LOG2E + _ROUND
    n = t - _ROUND
    r = x - n * _LN2_HI - n * _LN2_LO
    p = ((((((_E7 * r + _E6) * r + _E5) * r + _E4) * r + _E3) * r + _E2) * r + _E1) * r + _E0
    k = np.int32(_F32(t).view(np.int32) - _ROUND_BITS)  # n as an integer
    k1 = np.int32(k >> 1)
    k2 = np.int32(k - k1)
    s1 = np.int32((k1 + _BIAS) << 23).view(_F32)  # 2**k1
    s2 = np.int32((k2 + _BIAS) << 23).view(_F32)  # 2**k2
    return p * s1 * s2


# --- float32 tanh -------------------------------------------------------------------------------
# |x| < 0.625: tanh(x) = x + x*z*P(z), z = x*x, P of degree 4 fitted (weighted least squares on
# the relative error, float64; fit error 5e-9). Elsewhere 1 - 2/(exp(2|x|) + 1), free of
# cancellation there since tanh >= 0.55. Saturates to exactly +-1 like libm.
_ONE = _F32(1.0)
_TWO = _F32(2.0)
_HALF = _F32(0.5)
_ZERO = _F32(0.0)
_TANH_SMALL = _F32(0.625)
_T0 = _F32(-0.33333287127107614)
_T1 = _F32(0.13331560945755574)
_T2 = _F32(-0.05374842468440123)
_T3 = _F32(0.02066466336681445)
_T4 = _F32(-0.00573112358297328)


@register_jitable
def _tanh_f32(x):
    a = abs(x)
    z = x * x
    p = (((_T4 * z + _T3) * z + _T2) * z + _T1) * z + _T0
    small = x + x * z * p
    big = _ONE - _TWO / (_exp_f32(a + a) + _ONE)
    big = big if x >= _ZERO else -big
    return small if a < _TANH_SMALL else big


# sigmoid(z) and 1 - sigmoid(z) from e = exp(-|z|) <= 1: no overflow, and both keep their
# relative accuracy in both tails (down to subnormal results).
@register_jitable
def _sigmoid_pair_f32(z):
    e = _exp_f32(-abs(z))
    r = _ONE / (_ONE + e)
    er = e * r
    s = r if z >= _ZERO else er
    c = er if z >= _ZERO else r
    return s, c


@register_jitable
def _sigmoid_f32(x):
    s, _ = _sigmoid_pair_f32(x)
    return s


# --- float32 normal cdf and pdf (GELU) ------------------------------------------------------------
# Phi(x) = erfc(-x/sqrt2)/2 and phi(x) = exp(-x^2/2)/sqrt(2pi) share exp(-x^2/2). x*x is split
# into its rounded value and the exact rounding error (FMA), so exp(-x^2/2) stays accurate to a
# few ulp however large x is. erfc(a) = exp(-a^2) * t * P(t), t = 1/(1 + a/2), a >= 0, P of
# degree 10 fitted on a in [0, 10] (relative least squares, float64; fit error 2e-8). Phi(-|x|)
# is computed directly, so no 1 - erf cancellation in the left tail (unlike PyTorch's formula).
_SQRT1_2_F32 = _F32(0.7071067811865476)
_INV_SQRT_2PI_F32 = _F32(0.3989422804014327)
_XX_EXACT_LIMIT = _F32(1e30)  # beyond, exp(-x^2/2) is 0 anyway; avoids inf - inf = NaN
_P = tuple(
    _F32(c)
    for c in (
        0.2820911072966872,
        0.2821845647007864,
        0.24594100013202164,
        0.18076637984511473,
        0.07403417725685518,
        -0.01441289738971534,
        0.06428161761031391,
        -0.38800001520529015,
        0.45246050946653693,
        -0.2204134983237404,
        0.04106707377136982,
    )
)
_P0, _P1, _P2, _P3, _P4, _P5, _P6, _P7, _P8, _P9, _P10 = _P


@_inline
def _normal_cdf_pdf_f32(x):
    xx = x * x
    lo = _fma(x, x, -xx) if xx < _XX_EXACT_LIMIT else _ZERO
    e = _exp_f32(-_HALF * xx) * (_ONE - _HALF * lo)  # exp(-(xx + lo)/2)
    a = abs(x) * _SQRT1_2_F32
    t = _ONE / (_ONE + _HALF * a)
    p = _P10 * t + _P9
    p = p * t + _P8
    p = p * t + _P7
    p = p * t + _P6
    p = p * t + _P5
    p = p * t + _P4
    p = p * t + _P3
    p = p * t + _P2
    p = p * t + _P1
    p = p * t + _P0
    tail = _HALF * e * t * p  # Phi(-|x|)
    cdf = _ONE - tail if x > _ZERO else tail
    return cdf, e * _INV_SQRT_2PI_F32


# --- float32 log1p on [0, 1] (softplus) ---------------------------------------------------------
# log1p(u) = 2 atanh(s), s = u/(2+u) in [0, 1/3]: the odd Taylor series to s^15 (truncation
# < 2e-9 relative); accurate relative to u as u -> 0.
_L = tuple(_F32(1.0 / (2 * k + 1)) for k in range(1, 8))
_L1, _L2, _L3, _L4, _L5, _L6, _L7 = _L


@register_jitable
def _log1p_unit_f32(u):
    s = u / (_TWO + u)
    z = s * s
    p = ((((((_L7 * z + _L6) * z + _L5) * z + _L4) * z + _L3) * z + _L2) * z + _L1) * z
    return (s + s) * (_ONE + p)


# --------------------------------------------------------------------------------------------
# The activations, one scalar function per kernel. float32 variants use the code above,
# float64 variants PyTorch's formulas with libm.

_GELU_TANH_BETA = 0.7978845608028654  # sqrt(2/pi)
_GELU_TANH_KAPPA = 0.044715
_SQRT1_2 = 0.7071067811865476
_GELU_PDF = 0.3989422804014327  # 1/sqrt(2 pi)
_BETA_F32 = _F32(_GELU_TANH_BETA)
_TWO_BETA_F32 = _F32(2 * _GELU_TANH_BETA)
_KAPPA_F32 = _F32(_GELU_TANH_KAPPA)
_THREE_KAPPA_F32 = _F32(3 * _GELU_TANH_KAPPA)


def _sigmoid_fwd_f64(x):
    return 1.0 / (1.0 + math.exp(-x))


_sigmoid = _by_dtype(_sigmoid_f32, _sigmoid_fwd_f64)


def _tanh_fwd_f64(x):
    return math.tanh(x)


_tanh = _by_dtype(_tanh_f32, _tanh_fwd_f64)


def _gelu_fwd_f32(x):
    cdf, _ = _normal_cdf_pdf_f32(x)
    return x * cdf


def _gelu_fwd_f64(x):
    return x * 0.5 * (1.0 + math.erf(x * _SQRT1_2))


_gelu = _by_dtype(_gelu_fwd_f32, _gelu_fwd_f64)


def _gelu_bwd_f32(x, g):
    cdf, pdf = _normal_cdf_pdf_f32(x)
    return g * (cdf + x * pdf)


def _gelu_bwd_f64(x, g):
    cdf = 0.5 * (1.0 + math.erf(x * _SQRT1_2))
    pdf = _GELU_PDF * math.exp(x * x * -0.5)
    return g * (cdf + x * pdf)


_gelu_grad = _by_dtype(_gelu_bwd_f32, _gelu_bwd_f64)


# tanh-GELU in float32: 0.5 x (1 + tanh(u)) = x s(2u) with s the sigmoid, and
# d/dx [x s(2u)] = s + 2 x s (1 - s) u',  u' = beta (1 + 3 kappa x^2): no cancellation anywhere.
def _gelu_tanh_fwd_f32(x):
    s, _ = _sigmoid_pair_f32(_TWO_BETA_F32 * (x + _KAPPA_F32 * (x * x * x)))
    return x * s


def _gelu_tanh_fwd_f64(x):
    inner = _GELU_TANH_BETA * (x + _GELU_TANH_KAPPA * (x * x * x))
    return 0.5 * x * (1.0 + math.tanh(inner))


_gelu_tanh = _by_dtype(_gelu_tanh_fwd_f32, _gelu_tanh_fwd_f64)


def _gelu_tanh_bwd_f32(x, g):
    x_sq = x * x
    s, c = _sigmoid_pair_f32(_TWO_BETA_F32 * (x + _KAPPA_F32 * (x_sq * x)))
    du = _BETA_F32 * (_ONE + _THREE_KAPPA_F32 * x_sq)
    return g * (s + _TWO * x * s * c * du)


def _gelu_tanh_bwd_f64(x, g):
    x_sq = x * x
    inner = _GELU_TANH_BETA * (x + _GELU_TANH_KAPPA * (x_sq * x))
    t = math.tanh(inner)
    left = 0.5 * x
    right = 1.0 + t
    left_derivative = 0.5 * right
    inner_derivative = _GELU_TANH_BETA * (1.0 + 3.0 * _GELU_TANH_KAPPA * x_sq)
    right_derivative = left * (1.0 - t * t) * inner_derivative
    return g * (left_derivative + right_derivative)


_gelu_tanh_grad = _by_dtype(_gelu_tanh_bwd_f32, _gelu_tanh_bwd_f64)


# softplus in float32: (max(bx, 0) + log1p(exp(-|bx|))) / beta, finite for every bx.
def _softplus_fwd_f32(x, beta, threshold):
    bx = x * beta
    m = bx if bx > _ZERO else _ZERO
    soft = (m + _log1p_unit_f32(_exp_f32(-abs(bx)))) / beta
    return x if bx > threshold else soft


def _softplus_fwd_f64(x, beta, threshold):
    bx = x * beta
    return x if bx > threshold else math.log1p(math.exp(bx)) / beta


_softplus = _by_dtype(_softplus_fwd_f32, _softplus_fwd_f64)


# softplus' = sigmoid(bx); as 1/(1 + exp(-bx)) it stays finite where z/(z+1) would be inf/inf.
def _softplus_bwd_f32(x, g, beta, threshold):
    bx = x * beta
    return g if bx > threshold else g * _sigmoid_f32(bx)


def _softplus_bwd_f64(x, g, beta, threshold):
    bx = x * beta
    z = math.exp(bx)
    return g if bx > threshold else g * z / (z + 1.0)


_softplus_grad = _by_dtype(_softplus_bwd_f32, _softplus_bwd_f64)


# SiLU: x * sigmoid(x), and its derivative from the same sigmoid
def _silu_fwd_f32(x):
    return x * _sigmoid_f32(x)


def _silu_fwd_f64(x):
    return x * (1.0 / (1.0 + math.exp(-x)))


def _silu_bwd_f32(x, g):
    s = _sigmoid_f32(x)
    return g * s * (_ONE + x * (_ONE - s))


def _silu_bwd_f64(x, g):
    s = 1.0 / (1.0 + math.exp(-x))
    return g * s * (1.0 + x * (1.0 - s))


_silu = _by_dtype(_silu_fwd_f32, _silu_fwd_f64)
_silu_grad = _by_dtype(_silu_bwd_f32, _silu_bwd_f64)


# The rest needs no transcendental function: one generic body, constants typed by _cast.
@register_jitable
def _sigmoid_grad(y, g):
    return g * (_cast(1.0, y) - y) * y


@register_jitable
def _tanh_grad(y, g):
    return g * (_cast(1.0, y) - y * y)


@register_jitable
def _relu(x):
    zero = _cast(0.0, x)
    return zero if x < zero else x  # NaN and -0.0 pass through, as clamp_min


@register_jitable
def _relu_grad(x, g):
    zero = _cast(0.0, g)
    return zero if x <= zero else g


@register_jitable
def _leaky_relu(x, slope):
    return x if x > _cast(0.0, x) else x * slope


@register_jitable
def _leaky_relu_grad(x, g, slope):
    return g if x > _cast(0.0, x) else g * slope


# --------------------------------------------------------------------------------------------
# The loops: 1-D contiguous in, 1-D contiguous out. Serial and parallel builds are separate
# functions on purpose (cache hazard); their bodies must stay identical.

jit = _jit.jit


@jit(**_OPTIONS)
def _sigmoid_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _sigmoid(x[i])


@jit(parallel=True, **_OPTIONS)
def _sigmoid_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _sigmoid(x[i])


@jit(**_OPTIONS)
def _sigmoid_bwd_serial(y, g, out):
    for i in range(y.size):
        out[i] = _sigmoid_grad(y[i], g[i])


@jit(parallel=True, **_OPTIONS)
def _sigmoid_bwd_parallel(y, g, out):
    for i in prange(y.size):
        out[i] = _sigmoid_grad(y[i], g[i])


@jit(**_OPTIONS)
def _tanh_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _tanh(x[i])


@jit(parallel=True, **_OPTIONS)
def _tanh_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _tanh(x[i])


@jit(**_OPTIONS)
def _tanh_bwd_serial(y, g, out):
    for i in range(y.size):
        out[i] = _tanh_grad(y[i], g[i])


@jit(parallel=True, **_OPTIONS)
def _tanh_bwd_parallel(y, g, out):
    for i in prange(y.size):
        out[i] = _tanh_grad(y[i], g[i])


@jit(**_OPTIONS)
def _relu_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _relu(x[i])


@jit(parallel=True, **_OPTIONS)
def _relu_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _relu(x[i])


@jit(**_OPTIONS)
def _relu_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _relu_grad(x[i], g[i])


@jit(parallel=True, **_OPTIONS)
def _relu_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _relu_grad(x[i], g[i])


@jit(**_OPTIONS)
def _leaky_relu_fwd_serial(x, out, slope):
    for i in range(x.size):
        out[i] = _leaky_relu(x[i], slope)


@jit(parallel=True, **_OPTIONS)
def _leaky_relu_fwd_parallel(x, out, slope):
    for i in prange(x.size):
        out[i] = _leaky_relu(x[i], slope)


@jit(**_OPTIONS)
def _leaky_relu_bwd_serial(x, g, out, slope):
    for i in range(x.size):
        out[i] = _leaky_relu_grad(x[i], g[i], slope)


@jit(parallel=True, **_OPTIONS)
def _leaky_relu_bwd_parallel(x, g, out, slope):
    for i in prange(x.size):
        out[i] = _leaky_relu_grad(x[i], g[i], slope)


@jit(**_OPTIONS)
def _gelu_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _gelu(x[i])


@jit(parallel=True, **_OPTIONS)
def _gelu_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _gelu(x[i])


@jit(**_OPTIONS)
def _gelu_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _gelu_grad(x[i], g[i])


@jit(parallel=True, **_OPTIONS)
def _gelu_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _gelu_grad(x[i], g[i])


@jit(**_OPTIONS)
def _gelu_tanh_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _gelu_tanh(x[i])


@jit(parallel=True, **_OPTIONS)
def _gelu_tanh_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _gelu_tanh(x[i])


@jit(**_OPTIONS)
def _gelu_tanh_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _gelu_tanh_grad(x[i], g[i])


@jit(parallel=True, **_OPTIONS)
def _gelu_tanh_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _gelu_tanh_grad(x[i], g[i])


@jit(**_OPTIONS)
def _softplus_fwd_serial(x, out, beta, threshold):
    for i in range(x.size):
        out[i] = _softplus(x[i], beta, threshold)


@jit(parallel=True, **_OPTIONS)
def _softplus_fwd_parallel(x, out, beta, threshold):
    for i in prange(x.size):
        out[i] = _softplus(x[i], beta, threshold)


@jit(**_OPTIONS)
def _softplus_bwd_serial(x, g, out, beta, threshold):
    for i in range(x.size):
        out[i] = _softplus_grad(x[i], g[i], beta, threshold)


@jit(parallel=True, **_OPTIONS)
def _softplus_bwd_parallel(x, g, out, beta, threshold):
    for i in prange(x.size):
        out[i] = _softplus_grad(x[i], g[i], beta, threshold)


@jit(**_OPTIONS)
def _silu_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _silu(x[i])


@jit(parallel=True, **_OPTIONS)
def _silu_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _silu(x[i])


@jit(**_OPTIONS)
def _silu_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _silu_grad(x[i], g[i])


@jit(parallel=True, **_OPTIONS)
def _silu_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _silu_grad(x[i], g[i])


# name -> (serial loop, parallel loop); public names, plus "gelu_tanh_*" for approximate="tanh".
LOOPS = {
    "sigmoid_forward": (_sigmoid_fwd_serial, _sigmoid_fwd_parallel),
    "sigmoid_backward": (_sigmoid_bwd_serial, _sigmoid_bwd_parallel),
    "tanh_forward": (_tanh_fwd_serial, _tanh_fwd_parallel),
    "tanh_backward": (_tanh_bwd_serial, _tanh_bwd_parallel),
    "relu_forward": (_relu_fwd_serial, _relu_fwd_parallel),
    "relu_backward": (_relu_bwd_serial, _relu_bwd_parallel),
    "leaky_relu_forward": (_leaky_relu_fwd_serial, _leaky_relu_fwd_parallel),
    "leaky_relu_backward": (_leaky_relu_bwd_serial, _leaky_relu_bwd_parallel),
    "gelu_forward": (_gelu_fwd_serial, _gelu_fwd_parallel),
    "gelu_backward": (_gelu_bwd_serial, _gelu_bwd_parallel),
    "gelu_tanh_forward": (_gelu_tanh_fwd_serial, _gelu_tanh_fwd_parallel),
    "gelu_tanh_backward": (_gelu_tanh_bwd_serial, _gelu_tanh_bwd_parallel),
    "softplus_forward": (_softplus_fwd_serial, _softplus_fwd_parallel),
    "softplus_backward": (_softplus_bwd_serial, _softplus_bwd_parallel),
    "silu_forward": (_silu_fwd_serial, _silu_fwd_parallel),
    "silu_backward": (_silu_bwd_serial, _silu_bwd_parallel),
}

# loop name -> number of elements from which its parallel build runs
THRESHOLDS = {
    name: PARALLEL_THRESHOLD_MEMORY_BOUND if name in MEMORY_BOUND else PARALLEL_THRESHOLD
    for name in LOOPS
}


# --------------------------------------------------------------------------------------------
# Python-side driver: layout, dtype, serial/parallel choice.


def _flat_views(arrays):
    """Same-shape arrays as 1-D arrays traversed in one common order, plus an output.

    Returns ``(flats, out, out_flat)``; views (no copy) when all inputs are C-contiguous, all
    Fortran-contiguous, or all one dense layout with permuted axes (``out`` then has it too),
    else C-ordered copies.
    """
    if all(a.flags.c_contiguous for a in arrays):
        out = np.empty(arrays[0].shape, arrays[0].dtype)
        return [a.reshape(-1) for a in arrays], out, out.reshape(-1)
    if all(a.flags.f_contiguous for a in arrays):
        out = np.empty(arrays[0].shape, arrays[0].dtype, order="F")
        return [a.T.reshape(-1) for a in arrays], out, out.T.reshape(-1)
    a0 = arrays[0]
    order = sorted(range(a0.ndim), key=lambda d: -a0.strides[d])
    if a0.transpose(order).flags.c_contiguous and all(
            a.strides == a0.strides for a in arrays[1:]):
        # one dense layout with permuted axes (conv2d's channels-last outputs): kept
        out_t = np.empty(tuple(a0.shape[d] for d in order), a0.dtype)
        return ([a.transpose(order).reshape(-1) for a in arrays],
                out_t.transpose(np.argsort(order)), out_t.reshape(-1))
    out = np.empty(arrays[0].shape, arrays[0].dtype)
    return [np.ascontiguousarray(a).reshape(-1) for a in arrays], out, out.reshape(-1)


def _check_out(name, out, shape, dtype):
    """An ``out=`` array must have the result's shape and dtype and be C-contiguous: the loops
    write it as one flat run, so anything else would be written out of bounds."""
    if type(out) is not np.ndarray or out.shape != shape or out.dtype != dtype \
            or not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError(
            f"{name}: out must be a writable C-contiguous {dtype} array of shape {shape}, got "
            + (f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__)
        )


def _run(name, loop, arrays, params, reference, parallel=None, out=None):
    """Apply ``LOOPS[loop]`` to ``arrays`` with scalar ``params``; ``name``: the public kernel.

    Backward kernels require their two arrays in one shape (no broadcasting, like the twins):
    the engine sums broadcast gradients down to the input's shape before any backward rule
    runs, so a mismatch is a caller's bug, reported with both shapes.
    ``parallel``: None chooses by size (``THRESHOLDS``); True/False forces a build
    (tests, measurements). Dtypes other than float32/float64 go to the numpy ``reference``.
    """
    # Fast path, the engine's usual call: float32/float64 C-contiguous arrays of one dtype.
    a0 = arrays[0]
    if type(a0) is np.ndarray and a0.flags.c_contiguous:
        dtype = a0.dtype
        if (dtype == _F32 or dtype == _F64) and (len(arrays) == 1 or (
                type(arrays[1]) is np.ndarray and arrays[1].dtype == dtype
                and arrays[1].shape == a0.shape and arrays[1].flags.c_contiguous)):
            if out is None:
                out = np.empty(a0.shape, dtype)
            else:
                _check_out(name, out, a0.shape, dtype)
            n = out.size
            if n:
                if parallel is None:
                    parallel = n >= THRESHOLDS[loop] and _jit.parallel_enabled()
                cast = dtype.type
                LOOPS[loop][1 if parallel else 0](
                    *[a.reshape(-1) for a in arrays], out.reshape(-1), *[cast(p) for p in params])
            return out
    arrays = [np.asarray(a) for a in arrays]
    if len(arrays) == 2 and arrays[0].shape != arrays[1].shape:
        first = "y" if name in ("sigmoid_backward", "tanh_backward") else "x"
        raise ValueError(
            f"{name}: {first} and g must have the same shape (kernels do not broadcast), "
            f"got {first}.shape={arrays[0].shape} and g.shape={arrays[1].shape}"
        )
    dtype = np.result_type(*arrays)
    if dtype != _F32 and dtype != _F64:
        result = reference(*arrays, *params)
        if out is not None:
            _check_out(name, out, result.shape, result.dtype)
            np.copyto(out, result)
            return out
        return result
    arrays = [a if a.dtype == dtype else a.astype(dtype) for a in arrays]
    if out is not None:
        _check_out(name, out, arrays[0].shape, dtype)
        flats = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
        out_flat = out.reshape(-1)
    else:
        flats, out, out_flat = _flat_views(arrays)
    n = out_flat.size
    if n == 0:
        return out
    if parallel is None:
        parallel = n >= THRESHOLDS[loop] and _jit.parallel_enabled()
    LOOPS[loop][1 if parallel else 0](*flats, out_flat, *(dtype.type(p) for p in params))
    return out


def _gelu_loop(approximate, direction):
    if approximate == "none":
        return f"gelu_{direction}"
    if approximate == "tanh":
        return f"gelu_tanh_{direction}"
    raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")


def _public(name):
    """The kernel ``name`` with its twin's signature, plus ``parallel=`` (None: by size) and
    ``out=`` (write the result into a preallocated array of the result's shape and dtype)."""
    ref = getattr(_ref, name)
    n_arrays = sum(p.default is inspect.Parameter.empty
                   for p in inspect.signature(ref).parameters.values())
    defaults = [p.default for p in inspect.signature(ref).parameters.values()][n_arrays:]

    if n_arrays == 1 and not defaults:

        def kernel(*args, parallel=None, out=None):
            if parallel is None and out is None and len(args) == 1:
                # the engine's usual call, _run's fast path with fewer Python steps: one
                # C-contiguous float32/float64 array, a new result, serial below the threshold
                x = args[0]
                if type(x) is _ndarray and x.dtype in _FAST_DTYPES and x.flags.c_contiguous:
                    n = x.size
                    if n < THRESHOLDS[name]:
                        out = _empty(x.shape, x.dtype)
                        if n:
                            LOOPS[name][0](x.reshape(-1), out.reshape(-1))
                        return out
            return _run(name, name, args, (), ref, parallel, out)

    elif n_arrays == 2 and not defaults:

        def kernel(*args, parallel=None, out=None):
            if parallel is None and out is None and len(args) == 2:
                x, g = args  # same fast path, two arrays of one shape and dtype
                if (type(x) is _ndarray and type(g) is _ndarray and x.dtype in _FAST_DTYPES
                        and g.dtype is x.dtype and x.shape == g.shape
                        and x.flags.c_contiguous and g.flags.c_contiguous):
                    n = x.size
                    if n < THRESHOLDS[name]:
                        out = _empty(x.shape, x.dtype)
                        if n:
                            LOOPS[name][0](x.reshape(-1), g.reshape(-1), out.reshape(-1))
                        return out
            return _run(name, name, args, (), ref, parallel, out)

    else:

        def kernel(*args, parallel=None, out=None):
            arrays, params = args[:n_arrays], args[n_arrays:]
            params = tuple(params) + tuple(defaults[len(params):])
            return _run(name, name, arrays, params, ref, parallel, out)

    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = ref.__doc__
    return kernel


# every loop is public under its own name, except GELU's, which take approximate= (below)
for _name in LOOPS:
    if not _name.startswith("gelu"):
        globals()[_name] = _public(_name)
        __all__.append(_name)
__all__ += ["gelu_forward", "gelu_backward"]


def gelu_forward(x, approximate="none", *, parallel=None, out=None):
    loop = _gelu_loop(approximate, "forward")
    ref = lambda x: _ref.gelu_forward(x, approximate)  # noqa: E731
    return _run("gelu_forward", loop, (x,), (), ref, parallel, out)


def gelu_backward(x, g, approximate="none", *, parallel=None, out=None):
    loop = _gelu_loop(approximate, "backward")
    ref = lambda x, g: _ref.gelu_backward(x, g, approximate)  # noqa: E731
    return _run("gelu_backward", loop, (x, g), (), ref, parallel, out)
