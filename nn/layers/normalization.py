"""``BatchNorm1d``, ``LayerNorm``, ``GroupNorm`` (one fused graph node each, ``nn.ops.NormOp``)."""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from nn import functional as F
from nn.layers import _check
from nn.module import Module
from nn.parameter import Parameter


def _dtype(dtype):
    return np.dtype(dtype) if dtype is not None else ag.get_default_dtype()


class BatchNorm1d(Module):
    """Batch normalisation of (N, C) or (N, C, L) inputs (Ioffe & Szegedy, 2015).

    Training: ``y = (x - mean_B) / sqrt(var_B + eps) * weight + bias`` with the batch mean and
    *biased* batch variance; the running estimates move as
    ``r = (1 - momentum) * r + momentum * batch`` with the *unbiased* batch variance
    (``momentum=None``: cumulative average, factor ``1 / num_batches_tracked``). Eval: the
    running estimates replace the batch statistics (the train/test mismatch the lectures
    discuss). ``track_running_stats=False``: batch statistics in both modes, no buffers.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None):
        _check.device("BatchNorm1d", device)
        num_features = _check.size("BatchNorm1d", "num_features", num_features, positive=True)
        _check.non_negative("BatchNorm1d", "eps", eps)
        _check.number("BatchNorm1d", "momentum", momentum, allow_none=True)
        super().__init__()
        dt = _dtype(dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(np.ones(self.num_features, dt))
            self.bias = Parameter(np.zeros(self.num_features, dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, dt)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, dt)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean._data.fill(0)
            self.running_var._data.fill(1)
            self.num_batches_tracked._data.fill(0)

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            self.weight._data.fill(1)
            self.bias._data.fill(0)

    def _check_input_dim(self, input):
        if input.ndim not in (2, 3):
            raise ValueError(f"{self!r}: expected 2D or 3D input (got {input.ndim}D input of "
                             f"shape {tuple(input.shape)})")
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{self!r}: expected input with {self.num_features} features/channels in "
                f"dim 1, got input of shape {tuple(input.shape)}"
            )

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight, self.bias, use_batch, factor, self.eps,
        )

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Normalise each sample over its trailing ``normalized_shape`` axes (Ba et al., 2016),
    the same computation in train and eval (no running statistics)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        _check.device("LayerNorm", device)
        normalized_shape = _check.shape("LayerNorm", "normalized_shape", normalized_shape)
        _check.non_negative("LayerNorm", "eps", eps)
        super().__init__()
        self.normalized_shape = normalized_shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = _dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dt))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.weight is not None:
            self.weight._data.fill(1)
        if self.bias is not None:
            self.bias._data.fill(0)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    """Normalise each group of ``num_channels // num_groups`` channels of each sample (Wu &
    He, 2018); per-channel affine. Independent of the batch size."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None,
                 dtype=None):
        _check.device("GroupNorm", device)
        # PyTorch raises ZeroDivisionError for num_groups=0; a ValueError says what is wrong
        num_groups = _check.size("GroupNorm", "num_groups", num_groups, positive=True)
        num_channels = _check.size("GroupNorm", "num_channels", num_channels)
        _check.non_negative("GroupNorm", "eps", eps)
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        super().__init__()
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        dt = _dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(self.num_channels, dt))
            self.bias = Parameter(np.zeros(self.num_channels, dt))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.affine:
            self.weight._data.fill(1)
            self.bias._data.fill(0)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
