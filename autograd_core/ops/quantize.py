"""Fake quantization for quantization-aware training (``fake_quantize_per_tensor_affine``,
``fake_quantize_per_channel_affine``): each value quantized to an integer grid and mapped
back, as ATen's CPU kernels compute it (``1/scale`` and the result in float32, the product
with the input in the input's dtype, ties to even), with the straight-through gradient."""

from __future__ import annotations

import builtins

import numpy as np

from autograd_core.node import Node
from autograd_core.ops.registry import op
from autograd_core.tensor import SCALAR_NAMES as _NAMES, Tensor


class FakeQuantize(Node):
    """``(clamp(rint(x / scale) + zero_point, qmin, qmax) - zero_point) * scale``; the gradient
    passes where the unclamped integer lies in ``[qmin, qmax]`` (the mask PyTorch caches),
    0 elsewhere."""

    def forward(self, x, scale, zero_point, quant_min, quant_max, per_channel):
        work = np.result_type(x.dtype, np.float32)  # ATen's scalar_t times a float
        inv = (np.float32(1) / scale).astype(work)  # rounded to float32, as 1.0f / scale
        q = np.rint(x * inv) + zero_point
        self.mask = (q >= quant_min) & (q <= quant_max)
        # the product with the scale: in float32 per tensor, in x's dtype (at least float32)
        # per channel (ATen's two kernels)
        steps = (np.clip(q, quant_min, quant_max) - zero_point).astype(
            work if per_channel else np.float32)
        return (steps * scale.astype(steps.dtype)).astype(x.dtype)

    def backward(self, g):
        return (g * self.mask,)


class FakeQuantizePerChannel(FakeQuantize):
    """``FakeQuantize`` with one scale and zero point per channel (PyTorch's node name)."""


def _check(input, quant_min, quant_max, zero_point):
    if input.dtype.kind != "f":
        raise NotImplementedError('"fake_quantize_tensor_cachemask_kernel_type_handling" not '
                                  f"implemented for '{_NAMES[input.dtype.name]}'")
    if quant_min > quant_max:
        raise RuntimeError("`quant_min` should be less than or         equal to `quant_max`.")
    if np.any((zero_point < quant_min) | (zero_point > quant_max)):
        raise RuntimeError("`zero_point` must be between `quant_min` and `quant_max`.")


@op("fake_quantize_per_tensor_affine", node=FakeQuantize, samples=(),
    grad_fn="FakeQuantizePerTensorAffineCachemaskBackward0")
def fake_quantize_per_tensor_affine(input: Tensor, scale: builtins.float | Tensor,
                                    zero_point: builtins.int | Tensor, quant_min: builtins.int,
                                    quant_max: builtins.int) -> Tensor:
    """Return ``input`` fake-quantized with one ``scale`` and ``zero_point``:
    ``(clamp(round(input / scale) + zero_point, quant_min, quant_max) - zero_point) * scale``
    (rounding half to even; ``1 / scale`` and the result rounded to float32 as in PyTorch's
    kernel). The gradient is the straight-through estimator: 1 where the rounded value lies in
    ``[quant_min, quant_max]``, 0 elsewhere.

    Args:
        input (Tensor): a floating point tensor.
        scale (float or Tensor): the quantization step (a one-element tensor, not differentiated).
        zero_point (int or Tensor): the integer that 0 maps to.
        quant_min (int): the smallest integer of the grid.
        quant_max (int): the largest integer of the grid.

    Example::

        >>> import autograd_core as ag
        >>> ag.fake_quantize_per_tensor_affine(ag.tensor([0.26, 0.35, -3.0]), 0.1, 0, -8, 7)
        tensor([ 0.3000,  0.4000, -0.8000])
    """
    if not isinstance(zero_point, (builtins.int, np.integer, Tensor)):
        raise TypeError("fake_quantize_per_tensor_affine(): argument 'zero_point' must be int "
                        f"or Tensor, not {type(zero_point).__name__}")
    for arg, v in (("scale", scale), ("zero_point", zero_point)):
        if isinstance(v, Tensor) and v.requires_grad:
            raise RuntimeError("The function '_fake_quantize_per_tensor_affine_cachemask_tensor_"
                               f"qparams' is not differentiable with respect to argument '{arg}'."
                               " This input cannot have requires_grad True.")
    s, z = (float(v.item()) if isinstance(v, Tensor) else v for v in (scale, zero_point))
    _check(input, quant_min, quant_max, z)
    return FakeQuantize.apply(input, scale=np.float32(s), zero_point=int(z),
                              quant_min=quant_min, quant_max=quant_max, per_channel=False)


@op("fake_quantize_per_channel_affine", node=FakeQuantizePerChannel, samples=(),
    grad_fn="FakeQuantizePerChannelAffineCachemaskBackward0")
def fake_quantize_per_channel_affine(input: Tensor, scale: Tensor, zero_point: Tensor,
                                     axis: builtins.int, quant_min: builtins.int,
                                     quant_max: builtins.int) -> Tensor:
    """Return ``input`` fake-quantized with one ``scale`` and ``zero_point`` per index along
    ``axis`` (as ``fake_quantize_per_tensor_affine`` does with one), with its
    straight-through gradient.

    Args:
        input (Tensor): a floating point tensor.
        scale (Tensor): float32, 1-D, of ``input.size(axis)`` elements.
        zero_point (Tensor): int32 (or float with integer values), as long as ``scale``.
        axis (int): the channel dimension (not negative, as PyTorch's).
        quant_min (int): the smallest integer of the grid.
        quant_max (int): the largest integer of the grid.

    Example::

        >>> import autograd_core as ag
        >>> w = ag.tensor([[0.26, -1.0], [0.26, -1.0]])
        >>> s, z = ag.tensor([0.1, 0.5]), ag.tensor([0, 1], dtype=ag.int32)
        >>> ag.fake_quantize_per_channel_affine(w, s, z, 0, -8, 7)
        tensor([[ 0.3000, -0.8000],
                [ 0.5000, -1.0000]])
    """
    if scale.dtype != np.float32:
        raise RuntimeError(f"Scale must be Float or BFloat16, found {_NAMES[scale.dtype.name]}")
    if zero_point.dtype not in (np.int32, np.float32, np.float16):
        raise RuntimeError("Zero-point must be Int32, Float or Half, found "
                           f"{_NAMES[zero_point.dtype.name]}")
    if scale.ndim != 1:
        raise RuntimeError("scale should be a 1-D tensor")
    if zero_point.shape != scale.shape:
        raise RuntimeError("scale and zero-point need to have the same dimensions")
    if not -input.ndim <= axis < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, "
                         f"{input.ndim - 1}], but got {axis})")
    if axis < 0:
        raise RuntimeError("`axis` must be between 0 and number of dimensions of input")
    if scale.shape[0] != input.shape[axis]:
        raise RuntimeError("dimensions of scale and zero-point are not consistent with input "
                           "tensor")
    shape = [1] * input.ndim
    shape[axis] = -1
    z = zero_point.numpy().astype(np.int64).reshape(shape)
    _check(input, quant_min, quant_max, z)
    return FakeQuantizePerChannel.apply(input, scale=scale.numpy().reshape(shape), zero_point=z,
                                        quant_min=quant_min, quant_max=quant_max,
                                        per_channel=True)
