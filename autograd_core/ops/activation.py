"""Activations on the fused Numba kernels (``autograd_core.kernels``).

Each node gives its derivative twice, side by side: ``backward``, the composite written with
differentiable operations (what ``create_graph`` records), and ``fused_backward``, the same
derivative in one kernel pass (what plain backward runs). The generic op tests hold them equal.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from autograd_core import kernels as K
from autograd_core.kernels import gates as GK
from autograd_core.kernels.pointwise import fill_where, select
from autograd_core.node import HOLOMORPHIC, Node
from autograd_core.ops import _xp as xp
from autograd_core.ops import _args
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.unary import _floating  # integer and bool inputs: the default dtype
from autograd_core.tensor import Tensor


def _float(x, op_name):
    """``x``, a floating-point array; else PyTorch's refusal naming its kernel."""
    if x.dtype.kind != "f":
        kernel = "GeluKernelImpl" if op_name == "gelu" else f"{op_name}_cpu"
        raise _args.not_implemented(kernel, x.dtype)
    return x


@op("sigmoid", method=True, kernels=("sigmoid_forward", "sigmoid_backward"), doc="""
    Apply the logistic sigmoid to each element of ``input``.

    ``out = 1 / (1 + exp(-input))``. Float inputs only; the fused Numba kernels run it.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.sigmoid(ag.tensor([-1.0, 0.0, 2.0]))
        tensor([0.2689, 0.5000, 0.8808])
    """)
class Sigmoid(Node):
    saved_names = ("result",)
    complex_backward = HOLOMORPHIC
    def forward(self, x, out=None):
        y = K.sigmoid_forward(_floating(x), out=out)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g * y * (1.0 - y),)

    def fused_backward(self, g):
        (y,) = self.saved
        return (K.sigmoid_backward(y, g),)


@op("tanh", method=True, kernels=("tanh_forward", "tanh_backward"), doc="""
    Return the hyperbolic tangent of each element of ``input``.

    ``out = tanh(input)``. Float inputs only; the fused Numba kernels run it.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.tanh(ag.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.7616,  0.0000,  0.9640])
    """)
class Tanh(Node):
    saved_names = ("result",)
    complex_backward = HOLOMORPHIC
    def forward(self, x, out=None):
        y = K.tanh_forward(_floating(x), out=out)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return (g * (1.0 - y * y),)

    def fused_backward(self, g):
        (y,) = self.saved
        return (K.tanh_backward(y, g),)


@op("relu", method=True, domain="away_from_zero", kernels=("relu_forward", "relu_backward"), doc="""
    Apply the rectified linear unit to each element of ``input``.

    ``out = max(input, 0)``; its derivative at 0 is 0, as in PyTorch. Float inputs only; the fused Numba kernels run it.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.relu(ag.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """)
class Relu(Node):
    # as the Numba kernels' _relu and _relu_grad (NaN and -0.0 pass through)
    fuse = "(D(0.0) if {0} < D(0.0) else {0})"
    fuse_backward = ("(D(0.0) if {0} <= D(0.0) else {g})",)

    def forward(self, x, out=None):
        if x.dtype.kind != "f":
            if x.dtype.kind == "c":  # PyTorch's relu is clamp_min(x, 0)
                raise NotImplementedError(_args.CLAMP_COMPLEX)
            return np.maximum(x, 0, out=out)
        y = K.relu_forward(x, out=out)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        # (y <= 0, not y > 0: a NaN passes g, as the fused kernel and PyTorch's)
        return (xp.depends_on(xp.where(xp.data(y) <= 0, 0.0, g), y),)

    def fused_backward(self, g):
        (y,) = self.saved
        # relu_backward masks on its first argument > 0; y > 0 exactly where x > 0
        return (K.relu_backward(y, g),)


class LeakyRelu(Node):
    def forward(self, x, negative_slope):
        self.slope = negative_slope
        self.save_for_backward(x)
        return K.leaky_relu_forward(_float(x, "leaky_relu"), negative_slope)

    def backward(self, g):
        (x,) = self.saved
        return (xp.depends_on(xp.where(xp.data(x) > 0, g, g * self.slope), x),)

    def fused_backward(self, g):
        (x,) = self.saved
        return (K.leaky_relu_backward(x, g, self.slope),)


@op("leaky_relu", node=LeakyRelu, kernels=("leaky_relu_forward", "leaky_relu_backward"),
    samples=[Sample("leaky_relu", lambda a: leaky_relu(a, 0.1), domain="away_from_zero")])
def leaky_relu(input: Tensor, negative_slope: builtins.float = 0.01) -> Tensor:
    """Apply the leaky ReLU to each element of ``input``.

    ``out = input`` where ``input >= 0``, else ``negative_slope * input``.

    Args:
        input (Tensor): the input tensor (floating point).
        negative_slope (float): the slope below 0. Default: 0.01.

    Example::

        >>> import autograd_core as ag
        >>> ag.leaky_relu(ag.tensor([-1.0, 2.0]), 0.1)
        tensor([-0.1000,  2.0000])
    """
    return LeakyRelu.apply(input, negative_slope=float(negative_slope))


def _elu_coefs(dtype, alpha, scale, input_scale):
    """ATen's ELU coefficients in the computation's dtype (float32 for float16): the negative
    side's ``alpha * scale``, the positive side's ``scale``, the input's ``input_scale``."""
    math_dt = np.float64 if dtype == np.float64 else np.float32
    alpha, scale, input_scale = math_dt(alpha), math_dt(scale), math_dt(input_scale)
    return alpha * scale, scale, input_scale


class Elu(Node):
    """The ELU family (ATen's ``elu``; ``selu`` and ``celu`` are its parameterisations):
    ``scale * x`` for ``x >= 0``, else ``alpha * scale * expm1(x * input_scale)``.

    As PyTorch's: the first derivative at 0 is the negative side's, ``alpha * scale *
    input_scale``, and the second derivative there is 0 (``EluGrad``'s own derivative is
    masked on ``x < 0``); a composite through ``where`` and ``clamp`` gave the negative
    side's curvature at 0."""

    def forward(self, x, alpha, scale, input_scale):
        x = _float(x, "elu")
        self.params = (alpha, scale, input_scale)
        self.save_for_backward(x)
        neg, pos, inner = _elu_coefs(x.dtype, alpha, scale, input_scale)
        xm = x.astype(neg.dtype, copy=False)
        with np.errstate(over="ignore"):
            y = select(xm < 0, np.expm1(xm * inner) * neg, xm * pos)  # (branch-free where)
        return _args.in_layout_of(y.astype(x.dtype, copy=False), x)

    def backward(self, g):
        (x,) = self.saved
        return (g * EluGrad.apply(x, *self.params),)

    def fused_backward(self, g):
        (x,) = self.saved
        if xp.is_half(g) or g.dtype != x.dtype:
            return (g * _elu_slope(x, *self.params),)
        # ATen's elu_backward, fused, left to right: g * input_scale * (alpha * scale) *
        # exp(x * input_scale) where x <= 0, g * scale elsewhere (g times the slope rounded
        # otherwise: selu's float64 gradient was an ulp off in a fifth of the elements)
        neg, pos, inner = _elu_coefs(x.dtype, *self.params)
        return (K.elu_backward(x, g, neg, pos, inner),)


def _elu_slope(x, alpha, scale, input_scale):
    """ELU's derivative as ATen's ``elu_backward``: the negative side's where ``x <= 0``."""
    neg, pos, inner = _elu_coefs(x.dtype, alpha, scale, input_scale)
    xm = x.astype(neg.dtype, copy=False)
    with np.errstate(over="ignore"):
        below = inner * neg * np.exp(np.minimum(xm, 0) * inner)
        slope = fill_where(below, ~(xm <= 0), pos)  # np.where(xm <= 0, below, pos), branch-free
    return slope.astype(x.dtype, copy=False)


class EluGrad(Node):
    """ELU's derivative as a primitive (used under create_graph); its derivative is the
    negative side's curvature where ``x < 0`` and 0 elsewhere, as PyTorch's
    ``elu_double_backward`` (0 at ``x = 0``, where the first derivative jumps)."""

    def forward(self, x, alpha, scale, input_scale):
        self.params = (alpha, scale, input_scale)
        self.save_for_backward(x)
        return _elu_slope(x, alpha, scale, input_scale)

    def backward(self, g):
        (x,) = self.saved
        neg, _, inner = _elu_coefs(xp.data(x).dtype, *self.params)
        below = xp.data(x) < 0
        curvature = xp.exp(xp.where(below, x, xp.zeros_like(x)) * float(inner)) * float(
            inner * inner * neg)
        return (xp.where(below, g * curvature, xp.zeros_like(curvature)),)


@op("elu", node=Elu, function=False, opmath="grad", kernels=("elu_backward",), samples=[
    Sample("elu", lambda a: elu(a, 0.7), domain="away_from_zero"),
    Sample("selu", lambda a: selu(a), domain="away_from_zero"),
    Sample("celu", lambda a: celu(a, 1.3), domain="away_from_zero")])
def elu(input: Tensor, alpha: builtins.float = 1.0) -> Tensor:
    """``nn.functional.elu``'s op: ``input`` where ``input > 0``, else
    ``alpha * (exp(input) - 1)``."""
    return Elu.apply(input, alpha=float(alpha), scale=1.0, input_scale=1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor) -> Tensor:
    """``nn.functional.selu``'s op: ELU with Klambauer et al.'s ``alpha`` and ``scale``."""
    return Elu.apply(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def celu(input: Tensor, alpha: builtins.float = 1.0) -> Tensor:
    """``nn.functional.celu``'s op: ELU with ``input_scale = 1 / alpha``."""
    alpha = float(alpha)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return Celu.apply(input, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


class Celu(Elu):
    """``celu``: Elu under PyTorch's name of the node."""

    _grad_fn = "CeluBackward0"


class Hardswish(Node):
    """``x * relu6(x + 3) / 6`` as one node with ATen's derivative, ``g * (x / 3 + 0.5)``
    between -3 and 3, 0 at and below -3, ``g`` at and above 3 (its second derivative ``1/3``
    on the open interval). Composed of ops, the derivative was rounded in other steps: 38% of
    float32 gradients were 1 ulp off PyTorch's."""

    def forward(self, x):
        x = _float(x, "hardswish")
        self.save_for_backward(x)
        return x * np.minimum(np.maximum(x + 3, 0), 6) / 6

    def backward(self, g):
        (x,) = self.saved
        xd = xp.data(x)
        inner = xp.where(xd < 3, g * (x / 3.0 + 0.5), g)  # (NaN: g, as ATen's)
        return (xp.where(xd <= -3, xp.zeros_like(inner), inner),)

    def fused_backward(self, g):
        (x,) = self.saved
        return (np.where(x <= -3, 0, np.where(x < 3, g * (x / 3 + 0.5), g)).astype(
            g.dtype, copy=False),)


class Hardsigmoid(Node):
    """``relu6(x + 3) / 6`` as one node with ATen's derivative: ``g`` times ``1/6`` rounded to
    float32 (in float64 too: ATen's constant is a float) strictly between -3 and 3, else 0;
    differentiating that again raises, as PyTorch's. Composed of ops it was ``g / 6`` (20% of
    float32 gradients 1 ulp off PyTorch's)."""

    _SIXTH = np.float32(1 / 6)

    def forward(self, x):
        x = _float(x, "hardsigmoid")
        self.save_for_backward(x)
        return np.minimum(np.maximum(x + 3, 0), 6) / 6

    def backward(self, g):
        (x,) = self.saved
        # PyTorch's hardsigmoid_backward(grad, self) has no derivative: differentiating the
        # first gradient again in x raises instead of giving zeros
        return (xp.not_implemented(self._grad, g, x, op="hardsigmoid_backward"),)

    def fused_backward(self, g):
        (x,) = self.saved
        return (self._grad(g, x),)

    @classmethod
    def _grad(cls, g, x):
        sixth = cls._SIXTH if g.dtype != np.float64 else np.float64(cls._SIXTH)
        return np.where((x > -3) & (x < 3), g * sixth, 0).astype(g.dtype, copy=False)


@op("hardsigmoid", node=Hardsigmoid, function=False, opmath="grad", samples=[
    Sample("hardsigmoid", lambda a: hardsigmoid(a * 4.0), twice=False)])
def hardsigmoid(input: Tensor) -> Tensor:
    """``nn.functional.hardsigmoid``'s op: ``relu6(input + 3) / 6``."""
    return Hardsigmoid.apply(input)


@op("hardswish", node=Hardswish, function=False, opmath="grad", samples=[
    Sample("hardswish", lambda a: hardswish(a * 4.0))])
def hardswish(input: Tensor) -> Tensor:
    """``nn.functional.hardswish``'s op: ``input * relu6(input + 3) / 6``."""
    return Hardswish.apply(input)


class Prelu(Node):
    """``x`` where ``x > 0``, else ``w x`` (``w`` broadcast against ``x``); the engine sums
    ``w``'s gradient back to its shape. Under create_graph the two gradients are primitives
    with PyTorch's second derivatives (ATen's ``_prelu_kernel_backward``), whose masks are
    ``x >= 0``: at ``x = 0`` the first derivative in ``x`` is ``w`` (the negative side's) but
    every second derivative is 0, as in PyTorch."""

    def forward(self, x, w):
        if x.dtype.kind == "c" or np.asarray(w).dtype.kind == "c":
            raise _args.not_implemented("prelu_cpu", np.result_type(x, w))
        self.save_for_backward(x, w)
        return np.where(x > 0, x, w * x)

    def backward(self, g):
        x, w = self.saved
        need = self.needs_input_grad
        gx = PreluGradInput.apply(g, x, w) if need[0] else None
        # PyTorch's one backward kernel reads x and w for both gradients: the gradient in w
        # depends on w too (a zero derivative)
        gw = xp.depends_on(PreluGradWeight.apply(g, x), w) if need[1] else None
        return gx, gw

    def fused_backward(self, g):
        x, w = self.saved
        pos = x > 0
        need = self.needs_input_grad
        return (np.where(pos, g, w * g) if need[0] else None,
                np.where(pos, 0, x * g) if need[1] else None)


class PreluGradInput(Node):
    """prelu's gradient in its input, ``g`` where ``x > 0`` else ``w g``; derivatives (masks
    on ``x >= 0``, as PyTorch's): in ``g`` the same with ``x = 0`` on the positive side, in
    ``w`` ``g`` below 0, none in ``x``."""

    def forward(self, g, x, w):
        self.save_for_backward(g, x, w)
        return np.where(x > 0, g, w * g)

    def backward(self, gg):
        g, x, w = self.saved
        below = xp.data(x) < 0
        need = self.needs_input_grad
        return (xp.where(below, gg * w, gg) if need[0] else None,
                xp.zeros_like(x) if need[1] else None,  # PyTorch's zeros, not None
                xp.where(below, gg * g, xp.zeros_like(gg * g)) if need[2] else None)


class PreluGradWeight(Node):
    """prelu's gradient in its weight before the sum over broadcast dims, ``x g`` where
    ``x <= 0`` else 0; derivatives ``x gg`` (in ``g``) and ``g gg`` (in ``x``) below 0, 0
    elsewhere (PyTorch's masks on ``x >= 0``)."""

    def forward(self, g, x):
        self.save_for_backward(g, x)
        return np.where(x > 0, 0, x * g)

    def backward(self, gg):
        g, x = self.saved
        below = xp.data(x) < 0
        need = self.needs_input_grad
        zero = xp.zeros_like(gg * g)
        return (xp.where(below, gg * x, zero) if need[0] else None,
                xp.where(below, gg * g, zero) if need[1] else None)


@op("prelu", node=Prelu, method=True, grad_fn="PreluKernelBackward0", samples=[
    # a weight per channel (dim 1) or one for all, made from a second input of x's shape
    Sample("prelu", lambda a, b: prelu(a, b.movedim(1, 0).flatten(1).sum(1) if a.ndim > 1
                                       else b.sum()), n_inputs=2, domain="away_from_zero"),
    Sample("prelu_one_weight", lambda a, b: prelu(a, b.sum()), n_inputs=2,
           domain="away_from_zero")])
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Return ``input`` where ``input > 0``, else ``weight * input``: one slope per channel
    (dim 1) or one for all (``nn.functional.prelu``, ``Tensor.prelu``). Floating point only.

    Args:
        input (Tensor): the input, channels in dim 1 (when it has 2 or more dims).
        weight (Tensor): the slopes, 1 or ``C`` of them.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([[-2.0, 3.0]]).prelu(ag.tensor([0.25]))
        tensor([[-0.5000,  3.0000]])
    """
    x, w = input, weight
    if x._data.dtype.kind != "f":  # integers, bools, complex: PyTorch has no kernel
        raise _args.not_implemented("prelu_cpu", x._data.dtype)
    n = w.numel()
    if n != 1:
        channels = x.shape[1] if x.ndim >= 2 else 1  # PyTorch: no channel dim below 2-d
        if channels != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
        if x.ndim >= 2:
            w = w.reshape((1, n) + (1,) * (x.ndim - 2))
    else:
        w = w.reshape(())
    return Prelu.apply(x, w)


@op("hardshrink", method=True, samples=[
    Sample("hardshrink", lambda a: hardshrink(a, 0.5), domain="away_from_clamp")])
def hardshrink(input: Tensor, lambd: builtins.float = 0.5) -> Tensor:
    r"""Return ``input`` where :math:`|x| > \lambda`, else 0, elementwise (NaN passes through).
    ``nn.functional.hardshrink``, ``Tensor.hardshrink``. Floating point only.

    Args:
        input (Tensor): the input.
        lambd (float): the :math:`\lambda` of the dead zone. Default: ``0.5``.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([-1.0, 0.3, 0.5, 2.0]).hardshrink()
        tensor([-1.,  0.,  0.,  2.])
    """
    _float(input._data, "hardshrink")
    x = input
    # PyTorch's hardshrink_backward reads x
    return xp.reads_input(xp.zeros_like(x).where(x.abs() <= lambd, x), x, "Hardshrink")


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = 0.044715


class Gelu(Node):
    """GELU, exact (``approximate='none'``: x Phi(x)) or the tanh approximation."""

    def forward(self, x, approximate):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate
        self.save_for_backward(x)
        return K.gelu_forward(_float(x, "gelu"), approximate)

    def backward(self, g):
        (x,) = self.saved
        return (g * GeluGrad.apply(x, approximate=self.approximate),)

    def fused_backward(self, g):
        (x,) = self.saved
        return (K.gelu_backward(x, g, self.approximate),)


class GeluGrad(Node):
    """gelu'(x) as a primitive (used under create_graph); its own derivative is composite."""

    def forward(self, x, approximate):
        self.approximate = approximate
        self.save_for_backward(x)
        return K.gelu_backward(x, np.ones_like(x), approximate)

    def backward(self, g):
        (x,) = self.saved
        if self.approximate == "none":
            # d/dx [Phi(x) + x phi(x)] = phi(x) (2 - x^2)
            second = xp.exp(x * x * -0.5) * _INV_SQRT_2PI * (2.0 - x * x)
        else:
            u = (x + x * x * x * _GELU_C) * _SQRT_2_OVER_PI
            du = (x * x * (3.0 * _GELU_C) + 1.0) * _SQRT_2_OVER_PI
            d2u = x * (6.0 * _GELU_C * _SQRT_2_OVER_PI)
            t = xp.tanh(u)
            sech2 = 1.0 - t * t
            second = sech2 * (du - x * t * du * du + x * d2u * 0.5)
        return (g * second,)


@op("gelu", node=Gelu, kernels=("gelu_forward", "gelu_backward"), samples=[
    Sample("gelu", lambda a: gelu(a)),
    Sample("gelu_tanh", lambda a: gelu(a, approximate="tanh"))])
def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Apply the Gaussian Error Linear Unit to each element of ``input``.

    ``out = input * Phi(input)``, ``Phi`` the standard normal CDF (``approximate="none"``), or
    PyTorch's tanh approximation (``approximate="tanh"``).

    Args:
        input (Tensor): the input tensor (floating point).
        approximate (str): ``"none"`` or ``"tanh"``. Default: ``"none"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.gelu(ag.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.1587,  0.0000,  0.8413])
        >>> ag.gelu(ag.tensor([-1.0, 0.0, 1.0]), approximate="tanh")
        tensor([-0.1588,  0.0000,  0.8412])
    """
    return Gelu.apply(input, approximate=approximate)


class Softplus(Node):
    """log(1 + exp(beta x)) / beta; linear where beta x > threshold (PyTorch)."""

    def forward(self, x, beta, threshold):
        self.beta, self.threshold = beta, threshold
        self.save_for_backward(x)
        return K.softplus_forward(_float(x, "softplus"), beta, threshold)

    def backward(self, g):
        (x,) = self.saved
        linear = xp.data(x) * self.beta > self.threshold
        return (xp.where(linear, g, g * xp.sigmoid(x * self.beta)),)

    def fused_backward(self, g):
        (x,) = self.saved
        return (K.softplus_backward(x, g, self.beta, self.threshold),)


@op("softplus", node=Softplus, kernels=("softplus_forward", "softplus_backward"), samples=[
    Sample("softplus", lambda a: softplus(a, beta=2.0, threshold=3.0))])
def softplus(input: Tensor, beta: builtins.float = 1.0,
             threshold: builtins.float = 20.0) -> Tensor:
    """Apply the softplus function to each element of ``input``.

    ``out = log(1 + exp(beta * input)) / beta``, and ``input`` itself where
    ``beta * input > threshold`` (for numerical stability, as in PyTorch).

    Args:
        input (Tensor): the input tensor (floating point).
        beta (float): the sharpness. Default: 1.0.
        threshold (float): above it the function is linear. Default: 20.0.

    Example::

        >>> import autograd_core as ag
        >>> ag.softplus(ag.tensor([-1.0, 0.0, 30.0]))
        tensor([ 0.3133,  0.6931, 30.0000])
    """
    return Softplus.apply(input, beta=float(beta), threshold=float(threshold))


class LogSigmoid(Node):
    """``log(sigmoid(x))``, computed as ``min(x, 0) - log1p(exp(-|x|))`` (no overflow), as
    PyTorch's; gradient ``g * sigmoid(-x)``, one expression on both sides of 0, so that the
    second derivative there is ``-sigmoid(x) sigmoid(-x)`` (a composite through ``abs`` and
    ``minimum`` gave 0 at 0)."""

    def forward(self, x):
        x = _float(x, "log_sigmoid")
        self.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, g):
        (x,) = self.saved
        if xp.is_half(g):  # ATen's log_sigmoid_backward: its buffer exp(-|x|) in float16,
            z = np.exp(-np.abs(x)).astype(np.float32)  # the rest in float32, rounded once
            slope = np.where(x < 0, 1 - z / (1 + z), z / (1 + z))
            return ((g.astype(np.float32) * slope).astype(np.float16),)
        return (g * xp.sigmoid(-x),)  # (create_graph: one expression, differentiable again)

    def fused_backward(self, g):
        (x,) = self.saved
        if xp.is_half(g) or g.dtype != x.dtype:
            return self.backward(g)
        # ATen's log_sigmoid_backward, fused: (1 - z / (1 + z)) * g for x < 0,
        # (z / (1 + z)) * g elsewhere, z = exp(-|x|) (g * sigmoid(-x) rounds otherwise)
        return (K.logsigmoid_backward(x, g),)


@op("logsigmoid", node=LogSigmoid, function=False, opmath=True,
    kernels=("logsigmoid_backward",), samples=[
    Sample("logsigmoid", lambda a: logsigmoid(a * 3.0))])
def logsigmoid(input: Tensor) -> Tensor:
    """Return ``log(sigmoid(input))`` elementwise, computed without overflow
    (``nn.functional.logsigmoid``; PyTorch has no ``torch.logsigmoid``).

    Args:
        input (Tensor): the input tensor (floating point).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.ops.activation import logsigmoid
        >>> logsigmoid(ag.tensor([-1.0, 0.0, 1.0]))
        tensor([-1.3133, -0.6931, -0.3133])
    """
    return LogSigmoid.apply(input)


class Mish(Node):
    """``x * tanh(softplus(x))`` as one node with ATen's forward, ``x * tanh(log1p(exp(x)))``,
    and derivative, ``g * (t + x * s * (1 - t * t))`` with ``t = tanh(softplus(x))`` and
    ``s = sigmoid(x)`` (the composite's chain rule rounded otherwise in 60% of the elements)."""

    def forward(self, x):
        x = _float(x, "mish")
        self.save_for_backward(x)
        with np.errstate(over="ignore"):
            t = np.exp(x, out=np.empty_like(x))  # (an array also for 0-d x)
        np.log1p(t, out=t)
        self.t = np.tanh(t, out=t)  # (kept for the plain backward, as the composite kept it)
        return x * t

    def backward(self, g):
        (x,) = self.saved
        if isinstance(x, Tensor) or isinstance(g, Tensor):  # create_graph: recorded ops
            t = softplus(x).tanh()  # (softplus's threshold keeps it finite)
            return (g * (t + x * xp.sigmoid(x) * (1 - t * t)),)
        t = self.t
        u = np.multiply(t, t, out=np.empty_like(t))
        np.subtract(1, u, out=u)
        r = xp.sigmoid(x)  # g * (t + x * s * (1 - t * t)), each step in place
        np.multiply(x, r, out=r)
        r *= u
        r += t
        r *= g
        return (r,)


@op("mish", node=Mish, function=False, samples=[Sample("mish", lambda a: mish(a * 3.0))])
def mish(input: Tensor) -> Tensor:
    """Return ``input * tanh(softplus(input))`` elementwise (``nn.functional.mish``; PyTorch
    has no ``torch.mish``).

    Args:
        input (Tensor): the input tensor (floating point).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.ops.activation import mish
        >>> mish(ag.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.3034,  0.0000,  0.8651])
    """
    return Mish.apply(input)


class Glu(Node):
    """``a * sigmoid(b)`` for the halves ``a``, ``b`` of ``x`` along ``dim`` (float32/float64;
    ``nn.functional.glu`` composes float16), with ATen's ``glu_backward``: ``sigmoid(b) * g`` for ``a``, ``(1 - s) * s * a * g`` for ``b`` (the
    composite's chain rule, ``g * a * (1 - s) * s``, was an ulp off in a quarter of the
    float64 elements)."""

    def forward(self, x, dim):
        self.dim = dim
        self.save_for_backward(x)
        out, self.s = GK.glu(x, dim)  # (s = sigmoid(b) kept for the plain backward)
        return out

    def backward(self, g):
        (x,) = self.saved
        if isinstance(x, Tensor) or isinstance(g, Tensor):  # create_graph: recorded ops
            from autograd_core.ops.shape import cat

            a, b = x.chunk(2, self.dim)
            s = b.sigmoid()
            return (cat([s * g, (1 - s) * s * a * g], self.dim),)
        return (GK.glu_backward(x, self.s, g, self.dim),)  # (each step rounded as ATen's)


@op("silu", kernels=("silu_forward", "silu_backward"), doc="""
    Apply the SiLU (swish) function to each element of ``input``.

    ``out = input * sigmoid(input)``. Float inputs only; the fused Numba kernels run it.
    ``nn.functional.silu`` and ``nn.SiLU`` use it.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.silu(ag.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
    """)
class Silu(Node):
    """x * sigmoid(x) (Ramachandran et al. 2017's Swish with beta = 1; PyTorch's SiLU)."""

    def forward(self, x, out=None):
        self.save_for_backward(x)
        return K.silu_forward(_float(x, "silu"), out=out)

    def backward(self, g):
        (x,) = self.saved
        s = xp.sigmoid(x)
        return (g * s * (1.0 + x * (1.0 - s)),)

    def fused_backward(self, g):
        (x,) = self.saved
        return (K.silu_backward(x, g),)
