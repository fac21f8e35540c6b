"""Pure-numpy twins of the activation kernels: the specification the Numba kernels are tested against.

Each function computes PyTorch's formula (ATen's CPU kernels, quoted in the docstrings) in the
dtype of its input, returns a new array of the input's shape and never writes into its inputs.
They are written for clarity, not speed: numpy evaluates every sub-expression into a temporary.

Deliberate detail: ``relu_backward`` follows PyTorch's ``threshold_backward`` (``0 where x <= 0,
else g``), not the literal ``g * (x > 0)``; the two differ only when ``x`` is NaN (PyTorch passes
``g`` through) or ``g`` is infinite where ``x <= 0`` (PyTorch gives 0, the product NaN).
"""

from __future__ import annotations

import math

import numpy as np

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
    "erf",
]

#: allowed values of the non-numeric kernel parameters (the benchmark runs each variant)
CHOICES = {"approximate": ("none", "tanh")}

# math.erf applied elementwise: numpy has no erf, and this is the float64-exact reference.
_erf_ufunc = np.frompyfunc(math.erf, 1, 1)

_SQRT1_2 = 0.7071067811865476  # M_SQRT1_2
_GELU_PDF = 0.3989422804014327  # M_2_SQRTPI * M_SQRT1_2 * 0.5 = 1/sqrt(2*pi)
_GELU_TANH_BETA = 0.7978845608028654  # M_SQRT2 * M_2_SQRTPI * 0.5 = sqrt(2/pi)
_GELU_TANH_KAPPA = 0.044715


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


def _scalar(value, like):
    """``value`` as a numpy scalar of ``like``'s dtype, so float32 stays float32."""
    return like.dtype.type(value)


def erf(x):
    """Elementwise error function of a float array, via ``math.erf`` (slow, exact)."""
    x = _arr(x)
    # frompyfunc gives an object array (a Python float for 0-d input): convert, then round once.
    return np.asarray(_erf_ufunc(x), dtype=np.float64).astype(x.dtype).reshape(x.shape)


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


def tanh_forward(x):
    """``y = tanh(x)``."""
    return np.asarray(np.tanh(_arr(x)))


def tanh_backward(y, g):
    """``g * (1 - y*y)`` from the saved output ``y`` (ATen ``tanh_backward``)."""
    y, g = _arr(y), _arr(g)
    _same_shape("tanh_backward", "y", y, g)
    return np.asarray(g * (_scalar(1, y) - y * y))


def relu_forward(x):
    """``max(x, 0)``, NaN propagating (``clamp_min(x, 0)``)."""
    x = _arr(x)
    return np.asarray(np.maximum(x, _scalar(0, x)))


def relu_backward(x, g):
    """``0 where x <= 0 else g`` (ATen ``threshold_backward(g, x, 0)``)."""
    x, g = _arr(x), _arr(g)
    _same_shape("relu_backward", "x", x, g)
    return np.asarray(np.where(x <= 0, _scalar(0, g), g))


def leaky_relu_forward(x, negative_slope=0.01):
    """``x if x > 0 else x * negative_slope``."""
    x = _arr(x)
    return np.asarray(np.where(x > 0, x, x * _scalar(negative_slope, x)))


def leaky_relu_backward(x, g, negative_slope=0.01):
    """``g if x > 0 else g * negative_slope``."""
    x, g = _arr(x), _arr(g)
    _same_shape("leaky_relu_backward", "x", x, g)
    return np.asarray(np.where(x > 0, g, g * _scalar(negative_slope, g)))


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
