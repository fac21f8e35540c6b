"""The elementwise activation kernels: each one's numpy twin and its Numba loops, side by side.

The public functions (``sigmoid_forward``, ``relu_backward``, ...) are the pure-numpy *twins*:
PyTorch's formulas (ATen's CPU kernels, quoted in the docstrings) in the dtype of their input,
returning a new array of the input's shape and never writing into their inputs. They are the
specification the Numba kernels are tested against and the backend under
``TAPEGRAD_KERNELS=numpy``; written for clarity, not speed (numpy evaluates every sub-expression
into a temporary).

Deliberate detail: ``relu_backward`` follows PyTorch's ``threshold_backward`` (``0 where x <= 0,
else g``), not the literal ``g * (x > 0)``; the two differ only when ``x`` is NaN (PyTorch passes
``g`` through) or ``g`` is infinite where ``x <= 0`` (PyTorch gives 0, the product NaN).

Below them, the Numba kernels as plain Python: a scalar function per dtype (float32 through the
vectorisable building blocks here, float64 through libm), a serial and a parallel loop, and
their entry in ``LOOPS``. Nothing here imports numba: ``_jit`` registers the ``jitable`` helpers
and ``by_dtype`` functions with Numba on the first compile, and ``activations_numba`` builds the
public Numba kernel of each ``LOOPS`` entry (its ``out=`` form, the shape, dtype and layout
checks and the serial/parallel choice), taking its signature from the twin of that name.

* float64 evaluates PyTorch's formulas with libm (``math.exp/tanh/erf/log1p``): results agree with
  PyTorch to rounding and are good enough for gradcheck.
* float32 replaces libm (a scalar call per element, which stops vectorisation) with branch-free
  code that LLVM vectorises: an ``exp`` from Cody-Waite range reduction and a degree-7 Taylor
  polynomial, and formulations chosen to avoid cancellation (GELU through ``erfc`` with an exactly
  rounded ``x*x``, tanh-GELU through a sigmoid, softplus as ``max(bx, 0) + log1p(exp(-|bx|))``).
  These are *more* accurate than PyTorch's float32 kernels in the tails; the error bounds against
  a float64 reference are asserted in tests/kernels/test_kernels_accuracy.py.
* The loops compile with ``fastmath={"contract"}`` only (``activations_numba``): LLVM may fuse
  ``a*b + c`` into an FMA. The flags that could break this code (``reassoc`` would undo the
  rounding trick in ``_exp_f32``; ``nnan``/``ninf`` drop NaN/inf handling) stay off.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import by_dtype as _by_dtype
from ._jit import cast as _cast
from ._jit import fma as _fma
from ._jit import jitable, prange

__all__ = [
    "sigmoid_forward",
    "sigmoid_backward",
    "tanh_forward",
    "tanh_backward",
    "relu_forward",
    "relu_backward",
    "leaky_relu_forward",
    "leaky_relu_backward",
    "gelu_forward",
    "gelu_backward",
    "softplus_forward",
    "softplus_backward",
    "silu_forward",
    "silu_backward",
    "logsigmoid_backward",
    "elu_backward",
    "erf",
    "in_float32",
    "IN_FLOAT16",
    "LOOPS",
    "MEMORY_BOUND",
]

#: allowed values of the non-numeric kernel parameters (the benchmark runs each variant)
CHOICES = {"approximate": ("none", "tanh")}

# math.erf applied elementwise: numpy has no erf, and this is the float64-exact reference.
_erf_ufunc = np.frompyfunc(math.erf, 1, 1)

_SQRT1_2 = 0.7071067811865476  # M_SQRT1_2
_GELU_PDF = 0.3989422804014327  # M_2_SQRTPI * M_SQRT1_2 * 0.5 = 1/sqrt(2*pi)
_GELU_TANH_BETA = 0.7978845608028654  # M_SQRT2 * M_2_SQRTPI * 0.5 = sqrt(2/pi)
_GELU_TANH_KAPPA = 0.044715
_F32 = np.float32


def _arr(x):
    return np.asarray(x)


def _same_shape(name, first, a, g):
    """Backward kernels take their two arrays in one shape: they do not broadcast (the engine
    reduces broadcast gradients to the input's shape before any backward rule runs)."""
    if a.shape != g.shape:
        raise ValueError(
            f"{name}: {first} and g must have the same shape (kernels do not broadcast), "
            f"got {first}.shape={a.shape} and g.shape={g.shape}"
        )


_F16 = np.dtype(np.float16)

#: kernels that ATen runs in float16 arithmetic on float16 (each step rounded), as their twins
#: do: ``sigmoid_backward``'s ``g * (1 - y) * y`` (torch 2.13, CPU)
IN_FLOAT16 = frozenset(("sigmoid_backward",))


def in_float32(fn, arrays, params=(), name="kernel", out=None):
    """``fn(*arrays, *params)`` for float16 ``arrays`` as ATen's CPU kernels compute it: in
    float32 (their opmath type, the parameters in float32 too), rounded once to float16.
    Computed in float16, each step rounded: sigmoid, gelu and silu were an ulp off in a third
    to a half of the elements. ``out``: a float16 array of the result's shape to write into."""
    result = np.asarray(fn(*[np.asarray(a, dtype=_F32) for a in arrays], *params))
    result = result.astype(np.float16)
    if out is None:
        return result
    if type(out) is not np.ndarray or out.shape != result.shape or out.dtype != _F16:
        raise ValueError(f"{name}: out must be a float16 array of shape {result.shape}, got "
                         + (f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray)
                            else type(out).__name__))
    np.copyto(out, result)
    return out


def _scalar(value, like):
    """``value`` as a numpy scalar of ``like``'s dtype, so float32 stays float32."""
    return like.dtype.type(value)


def erf(x):
    """Elementwise error function of a float array, via ``math.erf`` (slow, exact)."""
    x = _arr(x)
    # frompyfunc gives an object array (a Python float for 0-d input): convert, then round once.
    return np.asarray(_erf_ufunc(x), dtype=np.float64).astype(x.dtype).reshape(x.shape)


# --------------------------------------------------------------------------------------------
# The Numba kernels. Scalar building blocks for float32, usable from jitted code.
#
# Small helpers are ``jitable`` functions (Numba's register_jitable): LLVM inlines them and
# vectorises the loops. GELU's cdf/pdf is too big for LLVM's inliner (the loops stayed scalar
# calls, 10x slower), so it alone is inlined at Numba IR level (inline="always"). Not more: IR
# inlining of every helper (exp, the sigmoid pair, ...) produced the same machine code but made
# cold compiles ~5x slower (float32 serial loops 46 s -> 9 s in total; softplus_backward alone
# 13 s -> 0.5 s).

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


@jitable
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


@jitable
def _tanh_f32(x):
    a = abs(x)
    z = x * x
    p = (((_T4 * z + _T3) * z + _T2) * z + _T1) * z + _T0
    small = x + x * z * p  # (at -0.0: -0.0 + 0.0 is +0.0; tanh(-0.0) is -0.0)
    big = _ONE - _TWO / (_exp_f32(a + a) + _ONE)
    big = big if x >= _ZERO else -big
    return (small if a != _ZERO else x) if a < _TANH_SMALL else big


# sigmoid(z) and 1 - sigmoid(z) from e = exp(-|z|) <= 1: no overflow, and both keep their
# relative accuracy in both tails (down to subnormal results).
@jitable
def _sigmoid_pair_f32(z):
    e = _exp_f32(-abs(z))
    r = _ONE / (_ONE + e)
    er = e * r
    s = r if z >= _ZERO else er
    c = er if z >= _ZERO else r
    return s, c


@jitable
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


@jitable(inline="always")
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


@jitable
def _log1p_unit_f32(u):
    s = u / (_TWO + u)
    z = s * s
    p = ((((((_L7 * z + _L6) * z + _L5) * z + _L4) * z + _L3) * z + _L2) * z + _L1) * z
    return (s + s) * (_ONE + p)


# --------------------------------------------------------------------------------------------
# The activations, one after the other: the numpy twins, then the Numba kernel, a scalar
# function per dtype (float32 through the building blocks above, float64 PyTorch's formulas
# with libm, joined by ``_by_dtype``; one generic body with constants typed by ``_cast`` where no
# transcendental function is needed) and the loops: 1-D contiguous in, 1-D contiguous out, then
# the scalar parameters. Serial and parallel loops are separate functions on purpose (Numba's
# cache ignores compile options); their bodies must stay identical, ``range`` in the serial one,
# ``prange`` in the parallel one.


# --- sigmoid --------------------------------------------------------------------------------------

def sigmoid_forward(x):
    """``y = 1 / (1 + exp(-x))``."""
    x = _arr(x)
    one = _scalar(1, x)
    return np.asarray(one / (one + np.exp(-x)))


def sigmoid_backward(y, g):
    """``g * (1 - y) * y`` from the saved output ``y`` (ATen ``sigmoid_backward``)."""
    y, g = _arr(y), _arr(g)
    _same_shape("sigmoid_backward", "y", y, g)
    return np.asarray(g * (_scalar(1, y) - y) * y)


def _sigmoid_fwd_f64(x):
    return 1.0 / (1.0 + math.exp(-x))


_sigmoid = _by_dtype(_sigmoid_f32, _sigmoid_fwd_f64)


@jitable
def _sigmoid_grad(y, g):
    return g * (_cast(1.0, y) - y) * y


def _sigmoid_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _sigmoid(x[i])


def _sigmoid_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _sigmoid(x[i])


def _sigmoid_bwd_serial(y, g, out):
    for i in range(y.size):
        out[i] = _sigmoid_grad(y[i], g[i])


def _sigmoid_bwd_parallel(y, g, out):
    for i in prange(y.size):
        out[i] = _sigmoid_grad(y[i], g[i])


# --- tanh -----------------------------------------------------------------------------------------

def tanh_forward(x):
    """``y = tanh(x)``."""
    return np.asarray(np.tanh(_arr(x)))


def tanh_backward(y, g):
    """``g * (1 - y*y)`` from the saved output ``y`` (ATen ``tanh_backward``)."""
    y, g = _arr(y), _arr(g)
    _same_shape("tanh_backward", "y", y, g)
    return np.asarray(g * (_scalar(1, y) - y * y))


def _tanh_fwd_f64(x):
    return math.tanh(x)


_tanh = _by_dtype(_tanh_f32, _tanh_fwd_f64)


@jitable
def _tanh_grad(y, g):
    return g * (_cast(1.0, y) - y * y)


def _tanh_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _tanh(x[i])


def _tanh_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _tanh(x[i])


def _tanh_bwd_serial(y, g, out):
    for i in range(y.size):
        out[i] = _tanh_grad(y[i], g[i])


def _tanh_bwd_parallel(y, g, out):
    for i in prange(y.size):
        out[i] = _tanh_grad(y[i], g[i])


# --- relu -----------------------------------------------------------------------------------------

def relu_forward(x):
    """``max(x, 0)``, NaN propagating (``clamp_min(x, 0)``); ``-0.0`` stays ``-0.0``, as in
    PyTorch (numpy's ``maximum(-0.0, 0)`` is ``0.0``)."""
    x = _arr(x)
    return np.asarray(np.where(x < 0, _scalar(0, x), x))


def relu_backward(x, g):
    """``0 where x <= 0 else g`` (ATen ``threshold_backward(g, x, 0)``)."""
    x, g = _arr(x), _arr(g)
    _same_shape("relu_backward", "x", x, g)
    return np.asarray(np.where(x <= 0, _scalar(0, g), g))


@jitable
def _relu(x):
    zero = _cast(0.0, x)
    return zero if x < zero else x  # NaN and -0.0 pass through, as clamp_min


@jitable
def _relu_grad(x, g):
    zero = _cast(0.0, g)
    return zero if x <= zero else g


def _relu_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _relu(x[i])


def _relu_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _relu(x[i])


def _relu_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _relu_grad(x[i], g[i])


def _relu_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _relu_grad(x[i], g[i])


# --- leaky_relu -----------------------------------------------------------------------------------

def leaky_relu_forward(x, negative_slope=0.01):
    """``x if x > 0 else x * negative_slope``."""
    x = _arr(x)
    return np.asarray(np.where(x > 0, x, x * _scalar(negative_slope, x)))


def leaky_relu_backward(x, g, negative_slope=0.01):
    """``g if x > 0 else g * negative_slope``."""
    x, g = _arr(x), _arr(g)
    _same_shape("leaky_relu_backward", "x", x, g)
    return np.asarray(np.where(x > 0, g, g * _scalar(negative_slope, g)))


@jitable
def _leaky_relu(x, slope):
    return x if x > _cast(0.0, x) else x * slope


@jitable
def _leaky_relu_grad(x, g, slope):
    return g if x > _cast(0.0, x) else g * slope


def _leaky_relu_fwd_serial(x, out, slope):
    for i in range(x.size):
        out[i] = _leaky_relu(x[i], slope)


def _leaky_relu_fwd_parallel(x, out, slope):
    for i in prange(x.size):
        out[i] = _leaky_relu(x[i], slope)


def _leaky_relu_bwd_serial(x, g, out, slope):
    for i in range(x.size):
        out[i] = _leaky_relu_grad(x[i], g[i], slope)


def _leaky_relu_bwd_parallel(x, g, out, slope):
    for i in prange(x.size):
        out[i] = _leaky_relu_grad(x[i], g[i], slope)


# --- gelu (approximate="none" and "tanh") ---------------------------------------------------------

def _check_approximate(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")


def gelu_forward(x, approximate="none"):
    """GELU as ``torch.nn.functional.gelu``.

    ``none``: ``x * 0.5 * (1 + erf(x / sqrt(2)))``;
    ``tanh``: ``0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))``.
    """
    _check_approximate(approximate)
    x = _arr(x)
    half, one = _scalar(0.5, x), _scalar(1, x)
    if approximate == "none":
        return np.asarray(x * half * (one + erf(x * _scalar(_SQRT1_2, x))))
    inner = _scalar(_GELU_TANH_BETA, x) * (x + _scalar(_GELU_TANH_KAPPA, x) * (x * x * x))
    return np.asarray(half * x * (one + np.tanh(inner)))


def gelu_backward(x, g, approximate="none"):
    """Gradient of GELU (ATen ``GeluBackwardKernelImpl``).

    ``none``: ``g * (cdf + x * pdf)``, ``cdf = 0.5 (1 + erf(x/sqrt2))``, ``pdf = exp(-x^2/2)/sqrt(2 pi)``;
    ``tanh``: ``g * (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2))``.
    """
    _check_approximate(approximate)
    x, g = _arr(x), _arr(g)
    _same_shape("gelu_backward", "x", x, g)
    half, one = _scalar(0.5, x), _scalar(1, x)
    if approximate == "none":
        cdf = half * (one + erf(x * _scalar(_SQRT1_2, x)))
        pdf = _scalar(_GELU_PDF, x) * np.exp(x * x * _scalar(-0.5, x))
        return np.asarray(g * (cdf + x * pdf))
    beta, kappa = _scalar(_GELU_TANH_BETA, x), _scalar(_GELU_TANH_KAPPA, x)
    x_sq = x * x
    inner = beta * (x + kappa * (x_sq * x))
    t = np.tanh(inner)
    left = half * x
    right = one + t
    left_derivative = half * right
    right_derivative = left * (one - t * t) * (beta * (one + _scalar(3, x) * kappa * x_sq))
    return np.asarray(g * (left_derivative + right_derivative))


_BETA_F32 = _F32(_GELU_TANH_BETA)
_TWO_BETA_F32 = _F32(2 * _GELU_TANH_BETA)
_KAPPA_F32 = _F32(_GELU_TANH_KAPPA)
_THREE_KAPPA_F32 = _F32(3 * _GELU_TANH_KAPPA)


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


def _gelu_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _gelu(x[i])


def _gelu_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _gelu(x[i])


def _gelu_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _gelu_grad(x[i], g[i])


def _gelu_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _gelu_grad(x[i], g[i])


def _gelu_tanh_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _gelu_tanh(x[i])


def _gelu_tanh_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _gelu_tanh(x[i])


def _gelu_tanh_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _gelu_tanh_grad(x[i], g[i])


def _gelu_tanh_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _gelu_tanh_grad(x[i], g[i])


# --- softplus -------------------------------------------------------------------------------------

def softplus_forward(x, beta=1.0, threshold=20.0):
    """``x if beta*x > threshold else log1p(exp(beta*x)) / beta``."""
    x = _arr(x)
    b = _scalar(beta, x)
    bx = x * b
    with np.errstate(over="ignore"):  # only where the linear branch is taken (threshold >= 88)
        soft = np.log1p(np.exp(bx)) / b
    return np.asarray(np.where(bx > _scalar(threshold, x), x, soft))


def softplus_backward(x, g, beta=1.0, threshold=20.0):
    """``g if beta*x > threshold else g * z / (z + 1)`` with ``z = exp(beta*x)``."""
    x, g = _arr(x), _arr(g)
    _same_shape("softplus_backward", "x", x, g)
    bx = x * _scalar(beta, x)
    with np.errstate(over="ignore", invalid="ignore"):
        z = np.exp(bx)
        soft = g * z / (z + _scalar(1, x))
    return np.asarray(np.where(bx > _scalar(threshold, x), g, soft))


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


def _softplus_fwd_serial(x, out, beta, threshold):
    for i in range(x.size):
        out[i] = _softplus(x[i], beta, threshold)


def _softplus_fwd_parallel(x, out, beta, threshold):
    for i in prange(x.size):
        out[i] = _softplus(x[i], beta, threshold)


def _softplus_bwd_serial(x, g, out, beta, threshold):
    for i in range(x.size):
        out[i] = _softplus_grad(x[i], g[i], beta, threshold)


def _softplus_bwd_parallel(x, g, out, beta, threshold):
    for i in prange(x.size):
        out[i] = _softplus_grad(x[i], g[i], beta, threshold)


# --- silu -----------------------------------------------------------------------------------------

def silu_forward(x):
    """``x * sigmoid(x)`` (ATen's ``silu``)."""
    x = _arr(x)
    return np.asarray(x * sigmoid_forward(x))


def silu_backward(x, g):
    """``g * s * (1 + x * (1 - s))``, ``s = sigmoid(x)`` (ATen's ``silu_backward``)."""
    x, g = _arr(x), _arr(g)
    _same_shape("silu_backward", "x", x, g)
    s = sigmoid_forward(x)
    one = _scalar(1, x)
    return np.asarray(g * s * (one + x * (one - s)))


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


def _silu_fwd_serial(x, out):
    for i in range(x.size):
        out[i] = _silu(x[i])


def _silu_fwd_parallel(x, out):
    for i in prange(x.size):
        out[i] = _silu(x[i])


def _silu_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _silu_grad(x[i], g[i])


def _silu_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _silu_grad(x[i], g[i])


# --- logsigmoid ---------------------------------------------------------------------------------

def logsigmoid_backward(x, g):
    """``(1 - z / (1 + z)) * g`` where ``x < 0``, else ``(z / (1 + z)) * g``, with
    ``z = exp(-|x|)`` (ATen's ``log_sigmoid_backward``; ``sigmoid(-x) * g`` rounded
    otherwise)."""
    x, g = _arr(x), _arr(g)
    _same_shape("logsigmoid_backward", "x", x, g)
    one = _scalar(1, x)
    z = np.exp(-np.abs(x))
    q = z / (one + z)
    return np.asarray(np.where(x < _scalar(0, x), one - q, q) * g)


def _logsigmoid_bwd_f32(x, g):
    z = _exp_f32(-abs(x))
    q = z / (_ONE + z)
    return (_ONE - q if x < _ZERO else q) * g


def _logsigmoid_bwd_f64(x, g):
    z = math.exp(-abs(x))
    q = z / (1.0 + z)
    return (1.0 - q if x < 0.0 else q) * g


_logsigmoid_grad = _by_dtype(_logsigmoid_bwd_f32, _logsigmoid_bwd_f64)


def _logsigmoid_bwd_serial(x, g, out):
    for i in range(x.size):
        out[i] = _logsigmoid_grad(x[i], g[i])


def _logsigmoid_bwd_parallel(x, g, out):
    for i in prange(x.size):
        out[i] = _logsigmoid_grad(x[i], g[i])


# --- ELU family -----------------------------------------------------------------------------------

def elu_backward(x, g, neg=1.0, pos=1.0, inner=1.0):
    """``g * inner * neg * exp(x * inner)`` where ``x <= 0``, else ``g * pos``, multiplied left
    to right (ATen's ``elu_backward``; ``neg = alpha * scale``, ``pos = scale``, ``inner =
    input_scale``: elu, selu and celu)."""
    x, g = _arr(x), _arr(g)
    _same_shape("elu_backward", "x", x, g)
    inner_ = _scalar(inner, x)
    with np.errstate(over="ignore"):
        below = g * inner_ * _scalar(neg, x) * np.exp(np.minimum(x, _scalar(0, x)) * inner_)
    return np.asarray(np.where(x <= _scalar(0, x), below, g * _scalar(pos, x)))


def _elu_bwd_f32(x, g, neg, pos, inner):
    return g * inner * neg * _exp_f32(x * inner) if x <= _ZERO else g * pos


def _elu_bwd_f64(x, g, neg, pos, inner):
    return g * inner * neg * math.exp(x * inner) if x <= 0.0 else g * pos


_elu_grad = _by_dtype(_elu_bwd_f32, _elu_bwd_f64)


def _elu_bwd_serial(x, g, out, neg, pos, inner):
    for i in range(x.size):
        out[i] = _elu_grad(x[i], g[i], neg, pos, inner)


def _elu_bwd_parallel(x, g, out, neg, pos, inner):
    for i in prange(x.size):
        out[i] = _elu_grad(x[i], g[i], neg, pos, inner)


# name -> (serial loop, parallel loop): every twin's name (the Numba kernel of that name comes
# from this table), plus "gelu_tanh_*" for approximate="tanh".
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
    "logsigmoid_backward": (_logsigmoid_bwd_serial, _logsigmoid_bwd_parallel),
    "elu_backward": (_elu_bwd_serial, _elu_bwd_parallel),
}

# Kernels that only move memory (no transcendental function): their parallel build starts at a
# larger size (``activations_numba.THRESHOLDS``).
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
