"""Folding an eval-mode batch norm into the Linear or convolution before it (PyTorch's
``torch.nn.utils.fusion``): the lectures' "merged in at test time".

In eval mode ``bn(z) = (z - mean) / sqrt(var + eps) * gamma + beta`` is a per-channel affine map,
so with ``z = W x + b`` it folds into ``W' = W * s`` (each output channel's slice scaled),
``b' = (b - mean) * s + beta``, ``s = gamma / sqrt(var + eps)``. The convolution functions only
look at the weight's shape (output channels on axis 0, or axis 1 with ``transpose=True``), so
they serve any ``ConvNd``/``ConvTransposeNd`` module with ``weight`` and ``bias`` attributes.
"""

from __future__ import annotations

import copy

import numpy as np

from autograd_core import Tensor
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _arr(t, like=None, fill=0.0):
    if t is None:
        return np.full(like.shape, fill, like.dtype)
    return t._data if isinstance(t, Tensor) else np.asarray(t)


def _fold(w, b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, channel_axis):
    w_arr = _arr(w)
    rm, rv = _arr(bn_rm), _arr(bn_rv)
    scale = _arr(bn_w, rm, 1.0) / np.sqrt(rv + bn_eps)
    shape = [1] * w_arr.ndim
    shape[channel_axis] = -1
    fused_w = (w_arr * scale.reshape(shape)).astype(w_arr.dtype)
    b_arr = _arr(b, rm, 0.0)
    bias_dtype = b_arr.dtype if b is not None else w_arr.dtype
    fused_b = ((b_arr - rm) * scale + _arr(bn_b, rm, 0.0)).astype(bias_dtype)
    grad = lambda t, default: t.requires_grad if isinstance(t, Tensor) else default  # noqa: E731
    return (Parameter(fused_w, requires_grad=grad(w, True)),
            Parameter(fused_b, requires_grad=grad(b, False)))


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                         bn_eps: float, bn_w: Tensor | None, bn_b: Tensor | None,
                         transpose: bool = False) -> tuple[Parameter, Parameter]:
    """The weight and bias of a convolution followed by an eval-mode batch norm, as one
    convolution's (new Parameters; a missing bias or affine counts as zero / one).

    Args:
        conv_w: the convolution's weight, output channels on axis 0 (axis 1 if ``transpose``).
        conv_b: its bias or None. bn_rm, bn_rv, bn_eps, bn_w, bn_b: the batch norm's running
            mean and variance, eps, weight and bias (weight/bias may be None).
        transpose: the weight is a transposed convolution's (``(in, out, *k)``).

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.fusion import fuse_conv_bn_weights
        >>> w, b = fuse_conv_bn_weights(ag.ones(2, 1, 3, 3), None, ag.tensor([1.0, 2.0]),
        ...                             ag.tensor([4.0, 1.0]), 0.0, None, ag.tensor([0.5, 0.0]))
        >>> w[:, 0, 0, 0].tolist(), b.tolist()
        ([0.5, 1.0], [0.0, -2.0])
    """
    return _fold(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, 1 if transpose else 0)


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor | None,
                           bn_b: Tensor | None) -> tuple[Parameter, Parameter]:
    """The weight and bias of ``Linear`` followed by an eval-mode ``BatchNorm1d``, as one
    ``Linear``'s (new Parameters). A batch norm of one feature scales every output.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.fusion import fuse_linear_bn_weights
        >>> w, b = fuse_linear_bn_weights(ag.ones(2, 3), ag.zeros(2), ag.tensor([1.0, 0.0]),
        ...                               ag.tensor([0.25, 4.0]), 0.0, None, None)
        >>> w.tolist(), b.tolist()
        ([[2.0, 2.0, 2.0], [0.5, 0.5, 0.5]], [-2.0, 0.0])
    """
    return _fold(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, 0)


def _check_eval(layer, bn):
    if layer.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or getattr(bn, "running_var", None) is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")


def fuse_conv_bn_eval(conv: Module, bn: Module, transpose: bool = False) -> Module:
    """A copy of ``conv`` (eval mode) whose output equals ``bn(conv(x))`` with ``bn`` in eval
    mode; ``conv`` and ``bn`` are left unchanged. Works for any module with a ``weight`` whose
    axis 0 (axis 1 with ``transpose=True``) holds the output channels, and a ``bias``.

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> up, bn = nn.ConvTranspose2d(3, 2, 3, stride=2), nn.BatchNorm2d(2)
        >>> _ = bn(up(ag.randn(4, 3, 5, 5)))                 # some running statistics
        >>> up, bn = up.eval(), bn.eval()
        >>> fused = nn.utils.fusion.fuse_conv_bn_eval(up, bn, transpose=True)
        >>> x = ag.randn(1, 3, 5, 5)
        >>> type(fused).__name__, bool(ag.allclose(fused(x), bn(up(x)), atol=1e-5))
        ('ConvTranspose2d', True)
    """
    _check_eval(conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        transpose)
    return fused


def fuse_linear_bn_eval(linear: Module, bn: Module) -> Module:
    """A copy of ``linear`` (eval mode) whose output equals ``bn(linear(x))`` with ``bn`` in
    eval mode; requires ``linear.out_features == bn.num_features`` or ``bn.num_features == 1``.

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> lin, bn = nn.Linear(3, 2), nn.BatchNorm1d(2)
        >>> _ = bn(lin(ag.randn(8, 3)))                      # some running statistics
        >>> lin, bn = lin.eval(), bn.eval()
        >>> x = ag.randn(4, 3)
        >>> fused = nn.utils.fusion.fuse_linear_bn_eval(lin, bn)
        >>> bool(ag.allclose(fused(x), bn(lin(x)), atol=1e-6))
        True
    """
    _check_eval(linear, bn)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
            f"linear.out_features={linear.out_features} and bn.num_features={bn.num_features}")
    fused = copy.deepcopy(linear)
    rm, rv = bn.running_mean._data, bn.running_var._data
    w = None if bn.weight is None else bn.weight._data
    b = None if bn.bias is None else bn.bias._data
    if bn.num_features == 1:  # one statistic for every output feature
        n = linear.out_features
        rm, rv = np.broadcast_to(rm, (n,)), np.broadcast_to(rv, (n,))
        w = None if w is None else np.broadcast_to(w, (n,))
        b = None if b is None else np.broadcast_to(b, (n,))
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, rm, rv, bn.eps,
                                                      w, b)
    return fused
