"""Elementwise activation kernels, the lowest layer of autograd_core (numpy + Numba only).

Each public function dispatches on ``_jit.backend()``, read at every call: the fused Numba
kernel (``activations.py``, default) or its pure-numpy twin (``activations_ref.py``,
``TAPEGRAD_KERNELS=numpy``). Both take float32/float64 arrays of any shape and layout and return
a new array of the same shape and dtype; inputs are never written. A backward kernel's two arrays
must have the same shape (no broadcasting: the engine sums broadcast gradients down to the
input's shape first); a mismatch raises ValueError naming the kernel and both shapes.

    sigmoid_forward(x)                        sigmoid_backward(y, g) = g * (1 - y) * y
    tanh_forward(x)                           tanh_backward(y, g)    = g * (1 - y*y)
    relu_forward(x)                           relu_backward(x, g)    = 0 where x <= 0 else g
    leaky_relu_forward(x, negative_slope)     leaky_relu_backward(x, g, negative_slope)
    gelu_forward(x, approximate)              gelu_backward(x, g, approximate)  # "none"|"tanh"
    softplus_forward(x, beta, threshold)      softplus_backward(x, g, beta, threshold)

(``y`` is the forward output, ``g`` the incoming gradient; semantics are PyTorch's.)

Importing this package does not import numba: ``activations.py`` is loaded on the first call
that uses the Numba backend (importing it then sets up the threading policy, see ``_jit``).

``KERNELS`` maps every kernel name to ``(numba_impl, numpy_impl)``; ``ARGS`` describes its
arguments and ``example_args`` builds valid ones, for tests and the benchmark tool.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _jit
from . import activations_ref as _ref

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
    "KERNELS",
    "ARGS",
    "ArgSpec",
    "example_args",
]

_nb = None


def _numba():
    """The Numba implementation module, imported on first use."""
    global _nb
    if _nb is None:
        from . import activations

        _nb = activations
    return _nb


def sigmoid_forward(x):
    """``1 / (1 + exp(-x))``."""
    if _jit.use_numba():
        return _numba().sigmoid_forward(x)
    return _ref.sigmoid_forward(x)


def sigmoid_backward(y, g):
    """``g * (1 - y) * y``, ``y = sigmoid_forward(x)``."""
    if _jit.use_numba():
        return _numba().sigmoid_backward(y, g)
    return _ref.sigmoid_backward(y, g)


def tanh_forward(x):
    """``tanh(x)``."""
    if _jit.use_numba():
        return _numba().tanh_forward(x)
    return _ref.tanh_forward(x)


def tanh_backward(y, g):
    """``g * (1 - y*y)``, ``y = tanh_forward(x)``."""
    if _jit.use_numba():
        return _numba().tanh_backward(y, g)
    return _ref.tanh_backward(y, g)


def relu_forward(x):
    """``max(x, 0)`` (NaN propagates)."""
    if _jit.use_numba():
        return _numba().relu_forward(x)
    return _ref.relu_forward(x)


def relu_backward(x, g):
    """``0 where x <= 0 else g`` (PyTorch's threshold_backward; ``x`` may be relu's output)."""
    if _jit.use_numba():
        return _numba().relu_backward(x, g)
    return _ref.relu_backward(x, g)


def leaky_relu_forward(x, negative_slope=0.01):
    """``x if x > 0 else negative_slope * x``."""
    if _jit.use_numba():
        return _numba().leaky_relu_forward(x, negative_slope)
    return _ref.leaky_relu_forward(x, negative_slope)


def leaky_relu_backward(x, g, negative_slope=0.01):
    """``g if x > 0 else negative_slope * g``."""
    if _jit.use_numba():
        return _numba().leaky_relu_backward(x, g, negative_slope)
    return _ref.leaky_relu_backward(x, g, negative_slope)


def gelu_forward(x, approximate="none"):
    """``x * Phi(x)`` (``approximate="none"``) or its tanh approximation (``"tanh"``)."""
    if _jit.use_numba():
        return _numba().gelu_forward(x, approximate)
    return _ref.gelu_forward(x, approximate)


def gelu_backward(x, g, approximate="none"):
    """``g * d/dx gelu(x)`` for the same ``approximate``."""
    if _jit.use_numba():
        return _numba().gelu_backward(x, g, approximate)
    return _ref.gelu_backward(x, g, approximate)


def softplus_forward(x, beta=1.0, threshold=20.0):
    """``log1p(exp(beta*x)) / beta``, or ``x`` where ``beta*x > threshold``."""
    if _jit.use_numba():
        return _numba().softplus_forward(x, beta, threshold)
    return _ref.softplus_forward(x, beta, threshold)


def softplus_backward(x, g, beta=1.0, threshold=20.0):
    """``g * sigmoid(beta*x)``, or ``g`` where ``beta*x > threshold``."""
    if _jit.use_numba():
        return _numba().softplus_backward(x, g, beta, threshold)
    return _ref.softplus_backward(x, g, beta, threshold)


# --------------------------------------------------------------------------------------------
# Discovery table for tests and the bench CLI.


def _lazy_numba(name):
    def call(*args, **kwargs):
        return getattr(_numba(), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Numba kernel {name} (imports numba on first call)."
    return call


class ArgSpec(NamedTuple):
    """How to call a kernel: array arguments, then scalar parameters (positional, in order).

    ``arrays``: names of the array arguments, in order: ``"x"`` an input, ``"g"`` an incoming
    gradient, ``"y"`` the output of ``output_of`` (a forward kernel) applied to an input.
    ``params``: the scalar parameters and their default values; ``choices``: allowed values of
    non-numeric parameters (variants worth benchmarking separately).
    """

    arrays: tuple
    params: dict
    output_of: str | None = None
    choices: dict | None = None


ARGS = {
    "sigmoid_forward": ArgSpec(("x",), {}),
    "sigmoid_backward": ArgSpec(("y", "g"), {}, output_of="sigmoid_forward"),
    "tanh_forward": ArgSpec(("x",), {}),
    "tanh_backward": ArgSpec(("y", "g"), {}, output_of="tanh_forward"),
    "relu_forward": ArgSpec(("x",), {}),
    "relu_backward": ArgSpec(("x", "g"), {}),
    "leaky_relu_forward": ArgSpec(("x",), {"negative_slope": 0.01}),
    "leaky_relu_backward": ArgSpec(("x", "g"), {"negative_slope": 0.01}),
    "gelu_forward": ArgSpec(
        ("x",), {"approximate": "none"}, choices={"approximate": ("none", "tanh")}
    ),
    "gelu_backward": ArgSpec(
        ("x", "g"), {"approximate": "none"}, choices={"approximate": ("none", "tanh")}
    ),
    "softplus_forward": ArgSpec(("x",), {"beta": 1.0, "threshold": 20.0}),
    "softplus_backward": ArgSpec(("x", "g"), {"beta": 1.0, "threshold": 20.0}),
}

# name -> (numba implementation, numpy twin); same signature, same results up to rounding.
KERNELS = {name: (_lazy_numba(name), getattr(_ref, name)) for name in ARGS}


def example_args(name, shape, dtype=np.float32, rng=None, **params):
    """Positional arguments for kernel ``name``: standard-normal arrays of ``shape``/``dtype``
    (``y`` computed by the twin of ``output_of``), then the parameters (defaults overridden by
    ``params``). ``KERNELS[name][0](*example_args(name, (1000,)))`` runs the Numba kernel."""
    spec = ARGS[name]
    rng = np.random.default_rng(0) if rng is None else rng
    args = []
    for role in spec.arrays:
        a = rng.standard_normal(shape).astype(dtype)
        if role == "y":
            a = getattr(_ref, spec.output_of)(a)
        args.append(np.asarray(a))
    unknown = set(params) - set(spec.params)
    if unknown:
        raise TypeError(f"{name} has no parameter(s) {sorted(unknown)}")
    args.extend(params.get(k, v) for k, v in spec.params.items())
    return tuple(args)
