"""Gradients of the convolutions with respect to their input or weight, as ``torch.nn.grad``
(custom autograd Functions that recompute a convolution's backward call them).

Each is the vector-Jacobian product of the convolution itself (what ATen's
``convolution_backward`` gives): a convolution is linear in its input and in its weight, so the
missing operand is a zero tensor of its size, and the result keeps a graph when its operands
have one.

Example::

    >>> import autograd_core as ag
    >>> import nn.grad
    >>> x, w = ag.ones(1, 1, 3), ag.ones(1, 1, 2)
    >>> nn.grad.conv1d_input(x.shape, w, ag.ones(1, 1, 2))
    tensor([[[1., 2., 1.]]])
    >>> nn.grad.conv1d_weight(x, w.shape, ag.ones(1, 1, 2))
    tensor([[[2., 2.]]])
"""
from __future__ import annotations

from typing import Any

import autograd_core as ag
from nn import functional as F

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input",
           "conv3d_weight"]


def _vjp(conv, x: Any, w: Any, grad_output: Any, wrt: int, stride, padding, dilation,
         groups) -> ag.Tensor:
    args = [x, w]
    shape = args[wrt]
    args[wrt] = ag.zeros(tuple(shape), dtype=grad_output.dtype, requires_grad=True)
    given = args[1 - wrt]
    graph = ag.is_grad_enabled() and (grad_output.requires_grad or given.requires_grad)
    with ag.enable_grad():
        out = conv(args[0], args[1], None, stride, padding, dilation, groups)
        return ag.autograd.grad(out, args[wrt], grad_output, create_graph=graph)[0]


def _pair(conv):
    def grad_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
        return _vjp(conv, input_size, weight, grad_output, 0, stride, padding, dilation, groups)

    def grad_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
        return _vjp(conv, input, weight_size, grad_output, 1, stride, padding, dilation, groups)

    name = conv.__name__
    grad_input.__name__, grad_weight.__name__ = f"{name}_input", f"{name}_weight"
    grad_input.__doc__ = (f"The gradient of ``{name}`` with respect to an input of size "
                          "``input_size``, given ``weight`` and the output's gradient.")
    grad_weight.__doc__ = (f"The gradient of ``{name}`` with respect to a weight of size "
                           "``weight_size``, given ``input`` and the output's gradient.")
    return grad_input, grad_weight


conv1d_input, conv1d_weight = _pair(F.conv1d)
conv2d_input, conv2d_weight = _pair(F.conv2d)
conv3d_input, conv3d_weight = _pair(F.conv3d)
