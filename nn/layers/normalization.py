"""Batch, instance, layer and group normalisation (one fused graph node each,
``nn.ops.NormOp``) and batch renormalisation."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.grad_mode import STATE
from autograd_core.kernels import norm as _kernels
from nn import functional as F
from nn.layers import _check
from nn.module import Module
from nn.parameter import Parameter


def _dtype(dtype):
    return np.dtype(dtype) if dtype is not None else ag.get_default_dtype()


def _affine_parameters(module, affine, bias, shape, dt):
    """A norm layer's ``weight`` (ones) and ``bias`` (zeros) of ``shape``, registered as None
    where ``affine`` (or, for the bias, ``bias``) is off."""
    if affine:
        module.weight = Parameter(np.ones(shape, dt))
    else:
        module.register_parameter("weight", None)
    if affine and bias:
        module.bias = Parameter(np.zeros(shape, dt))
    else:
        module.register_parameter("bias", None)


class _NormBase(Module):
    """Parameters and running buffers shared by batch and instance norm (torch's _NormBase)."""

    _optional_state_keys = ("num_batches_tracked",)
    _version = 2  # PyTorch's (num_batches_tracked added): state_dict's _metadata says so

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        name = type(self).__name__
        _check.device(name, device)
        num_features = _check.size(name, "num_features", num_features, positive=True)
        _check.non_negative(name, "eps", eps)
        _check.number(name, "momentum", momentum, allow_none=True)
        super().__init__()
        dt = _dtype(dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, affine, bias, self.num_features, dt)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(self.num_features, dt)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(self.num_features, dt)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data.fill(0)
            self.running_var._data.fill(1)
            self.num_batches_tracked._data.fill(0)

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight._data.fill(1)
            if self.bias is not None:
                self.bias._data.fill(0)

    def _check_input_dim(self, input):
        dims = self._dims
        if input.ndim not in dims:
            want = " or ".join(f"{d}D" for d in dims)
            raise ValueError(f"expected {want} input (got {input.ndim}D input)")

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """Batch normalisation (Ioffe & Szegedy, 2015) over every axis but the channel axis 1.

    Training: ``y = (x - mean_B) / sqrt(var_B + eps) * weight + bias`` with the batch mean and
    *biased* batch variance; the running estimates move as
    ``r = (1 - momentum) * r + momentum * batch`` with the *unbiased* batch variance
    (``momentum=None``: cumulative average, factor ``1 / num_batches_tracked``). Eval: the
    running estimates replace the batch statistics (the train/test mismatch the lectures
    discuss). ``track_running_stats=False``: batch statistics in both modes, no buffers.
    """

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        shape = input._data.shape
        sized = self.weight is not None or self.bias is not None or self.running_mean is not None
        if sized and shape[1] != self.num_features:  # PyTorch: no check without them
            raise RuntimeError(
                f"{self!r}: expected input with {self.num_features} features/channels in "
                f"dim 1, got input of shape {tuple(input.shape)}"
            )
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        if use_batch and math.prod(shape[:1] + shape[2:]) == 1:  # (an empty batch passes)
            raise ValueError("Expected more than 1 value per channel when training, got "
                             f"input size {input.shape!r}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            nbt = self.num_batches_tracked
            if (STATE.anomaly or nbt._requires_grad or nbt._base is not None
                    or type(nbt._data) is not np.ndarray or not nbt._data.flags.writeable):
                nbt.add_(1)  # (what a capture records, anomaly mode checks, a view updates)
            else:  # what add_ does to the plain buffer, without its checks (3.5 of ~40 us)
                nbt._data += 1
                nbt._bump_version()
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._data)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight, self.bias, use_batch, factor, self.eps,
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs; statistics per channel over N (and L).

    Args:
        num_features: C. eps: added to the variance. momentum: running-average factor
            (``None``: cumulative average). affine: learnable ``weight`` and ``bias``.
        track_running_stats: keep ``running_mean``/``running_var``/``num_batches_tracked``
            and use them in eval mode.

    Example::

        >>> import numpy as np, autograd_core as ag, nn
        >>> bn = nn.BatchNorm1d(2)
        >>> y = bn(ag.tensor([[1.0, 2.0], [3.0, 6.0]]))
        >>> np.round(y.double().tolist(), 4).tolist(), np.round(bn.running_var.double().tolist(), 4).tolist()
        ([[-1.0, -1.0], [1.0, 1.0]], [1.1, 1.7])
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs; statistics per channel over N, H, W.

    The arguments are :class:`BatchNorm1d`'s. Forward and backward run per-channel Numba
    kernels (sums in float64).

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> bn = nn.BatchNorm2d(3)
        >>> y = bn(ag.randn(4, 3, 5, 5) * 2 + 1)
        >>> tuple(y.shape), abs(round(float(y.mean()), 4)), round(float(y.var(correction=0)), 3)
        ((4, 3, 5, 5), 0.0, 1.0)
        >>> int(bn.num_batches_tracked)
        1
    """

    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs (the arguments are :class:`BatchNorm1d`'s).

    Example::

        >>> import autograd_core as ag, nn
        >>> tuple(nn.BatchNorm3d(2)(ag.ones(2, 2, 3, 3, 3)).shape)
        (2, 2, 3, 3, 3)
    """

    _dims = (5,)


class _InstanceNorm(_NormBase):
    """Instance normalisation (Ulyanov et al., 2016): each (sample, channel) slice is normalised
    over its spatial axes. Defaults as PyTorch: ``affine=False``, ``track_running_stats=False``;
    with tracking, the running buffers get the mean over the batch of the per-instance
    statistics (unbiased variance) and replace them in eval mode; ``momentum=None`` means 0
    here (PyTorch's instance norm has no cumulative average). An input without the batch axis
    is accepted."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        unbatched = input.ndim == self._dims[0]
        feature_dim = 0 if unbatched else 1
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used "
                "because affine=False", stacklevel=2)
        x = input.unsqueeze(0) if unbatched else input
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            0.0 if self.momentum is None else self.momentum, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or unbatched (C, L) inputs, over L.

    Args: as :class:`BatchNorm1d`, with ``affine=False`` and ``track_running_stats=False`` by
    default.

    Example::

        >>> import numpy as np, autograd_core as ag, nn
        >>> y = nn.InstanceNorm1d(1)(ag.tensor([[[1.0, 3.0]]]))
        >>> np.round(y.numpy(), 4).tolist()
        [[[-1.0, 1.0]]]
    """

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or unbatched (C, H, W) inputs, over H and W.

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> y = nn.InstanceNorm2d(3)(ag.randn(2, 3, 4, 4) * 5 - 2)
        >>> round(abs(float(y[1, 2].mean())), 4), round(float(y[1, 2].var(correction=0)), 3)
        (0.0, 1.0)
    """

    _dims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or unbatched (C, D, H, W) inputs.

    Example::

        >>> import autograd_core as ag, nn
        >>> tuple(nn.InstanceNorm3d(2)(ag.randn(2, 2, 2, 3, 3)).shape)
        (2, 2, 2, 3, 3)
    """

    _dims = (4, 5)


class LayerNorm(Module):
    """Normalise each sample over its trailing ``normalized_shape`` axes (Ba et al., 2016),
    the same computation in train and eval (no running statistics).

    Args:
        normalized_shape: the trailing shape (an int or a sequence of ints) to normalise over.
        eps: added to the variance. elementwise_affine: learnable ``weight`` (ones) and
            ``bias`` (zeros) of that shape. bias: whether the affine part has a ``bias``.

    Example::

        >>> import autograd_core as ag, nn
        >>> ln = nn.LayerNorm(3)
        >>> ln
        LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)
        >>> ln(ag.tensor([[1.0, 2.0, 3.0], [2.0, 2.0, 5.0]])).detach()
        tensor([[-1.2247,  0.0000,  1.2247],
                [-0.7071, -0.7071,  1.4142]])
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device=None,
                 dtype=None) -> None:
        _check.device("LayerNorm", device)
        normalized_shape = _check.shape("LayerNorm", "normalized_shape", normalized_shape)
        _check.non_negative("LayerNorm", "eps", eps)
        super().__init__()
        self.normalized_shape = normalized_shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = _dtype(dtype)
        _affine_parameters(self, elementwise_affine, bias, self.normalized_shape, dt)

    def reset_parameters(self):
        if self.weight is not None:
            self.weight._data.fill(1)
        if self.bias is not None:
            self.bias._data.fill(0)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise each group of ``num_channels // num_groups`` channels of each sample (Wu &
    He, 2018); per-channel affine. Independent of the batch size.

    Args:
        num_groups: the number of groups; it divides ``num_channels``. num_channels: C of the
            (N, C, *) input. eps: added to the variance. affine: learnable per-channel
            ``weight`` (ones) and ``bias`` (zeros).

    Example::

        >>> import autograd_core as ag, nn
        >>> gn = nn.GroupNorm(2, 4)
        >>> gn
        GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
        >>> gn(ag.tensor([[1.0, 3.0, 10.0, 20.0]])).detach()
        tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True) -> None:
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
        _affine_parameters(self, affine, bias, self.num_channels, dt)

    def reset_parameters(self):
        if self.affine:
            self.weight._data.fill(1)
            if self.bias is not None:
                self.bias._data.fill(0)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _BatchRenorm(_BatchNorm):
    """Batch Renormalization (Ioffe, 2017, Algorithm 1); no PyTorch equivalent.

    Training, with the batch mean ``mu_B`` and ``sigma_B = sqrt(var_B + eps)`` (biased
    variance) and the running ``mu`` (``running_mean``) and ``sigma`` (``running_std``)::

        r = clip(sigma_B / sigma, 1 / rmax, rmax)      d = clip((mu_B - mu) / sigma, -dmax, dmax)
        y = weight * ((x - mu_B) / sigma_B * r + d) + bias

    ``r`` and ``d`` are constants for backpropagation (stop_gradient in the paper); then
    ``mu += momentum * (mu_B - mu)`` and ``sigma += momentum * (sigma_B - sigma)`` (the paper
    averages the standard deviation, not the variance; ``momentum=None``: cumulative average).
    Eval: ``y = weight * (x - mu) / sigma + bias``. With ``rmax=1, dmax=0`` (the defaults, the
    paper's warm-up) training is plain batch norm; raise them during training as the paper does
    with :func:`batch_renorm_limits`. The default ``momentum=0.01`` is Keras's
    ``renorm_momentum=0.99``. Buffers: ``running_mean``, ``running_std``,
    ``num_batches_tracked``; running statistics are always tracked.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.01,
                 affine: bool = True, rmax: float = 1.0, dmax: float = 0.0, device=None,
                 dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, True, device, dtype)
        # the paper's sigma replaces the variance buffer
        del self.running_var
        self.register_buffer("running_std", Tensor._wrap(np.ones(self.num_features, _dtype(dtype))))
        self.rmax, self.dmax = rmax, dmax

    @property
    def rmax(self) -> float:
        return self._rmax

    @rmax.setter
    def rmax(self, value: float) -> None:
        _check.number(type(self).__name__, "rmax", value)
        if value < 1:
            raise ValueError(f"{type(self).__name__}: rmax must be >= 1, got {value}")
        self._rmax = float(value)

    @property
    def dmax(self) -> float:
        return self._dmax

    @dmax.setter
    def dmax(self, value: float) -> None:
        _check.non_negative(type(self).__name__, "dmax", value)
        self._dmax = float(value)

    def reset_running_stats(self) -> None:
        self.running_mean._data.fill(0)
        self.running_std._data.fill(1)
        self.num_batches_tracked._data.fill(0)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        C = self.num_features
        if input.shape[1] != C:
            raise RuntimeError(
                f"{self!r}: expected input with {C} features/channels in dim 1, got input of "
                f"shape {tuple(input.shape)}")
        mu, sigma = self.running_mean, self.running_std
        dt = input.dtype
        if not self.training:
            var = Tensor._wrap((sigma._data.astype(np.float64) ** 2 - self.eps).astype(dt))
            return F.batch_norm(input, mu, var, self.weight, self.bias, False, 0.0, self.eps)
        if math.prod(input.shape) // C <= 1:
            raise ValueError("Expected more than 1 value per channel when training, got "
                             f"input size {input.shape!r}")
        x = np.ascontiguousarray(input._data).reshape(input.shape[0], C, -1)
        mu_b, var_b = _kernels.channel_stats(x)
        sigma_b = np.sqrt(var_b + self.eps)
        r = np.clip(sigma_b / sigma._data, 1.0 / self.rmax, self.rmax).astype(dt)
        d = np.clip((mu_b - mu._data) / sigma._data, -self.dmax, self.dmax).astype(dt)
        if self.affine:
            w, b = self.weight * Tensor._wrap(r), self.bias + self.weight * Tensor._wrap(d)
        else:
            w, b = Tensor._wrap(r), Tensor._wrap(d)
        y = F.batch_norm(input, None, None, w, b, True, 0.0, self.eps)
        self.num_batches_tracked._data += 1
        factor = (1.0 / float(self.num_batches_tracked._data) if self.momentum is None
                  else self.momentum)
        mu._data += factor * (mu_b - mu._data)
        sigma._data += factor * (sigma_b - sigma._data)
        return y

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, rmax={self.rmax}, dmax={self.dmax}")


class BatchRenorm1d(_BatchRenorm):
    """Batch Renormalization (Ioffe, 2017) of (N, C) or (N, C, L) inputs; see
    :class:`_BatchRenorm` for the algorithm. Not in PyTorch.

    Args:
        num_features: C. eps: added to the batch variance. momentum: the paper's update
            rate alpha (``None``: cumulative average). affine: learnable ``weight``/``bias``.
        rmax, dmax: the clipping limits of ``r`` (``[1/rmax, rmax]``) and ``d``
            (``[-dmax, dmax]``); settable attributes (``rmax=1, dmax=0`` is batch norm).

    Example::

        >>> import numpy as np, autograd_core as ag, nn
        >>> brn = nn.BatchRenorm1d(1, rmax=3.0, dmax=5.0)
        >>> brn.running_std.data[:] = 4.0          # sigma_B = 1: r = clip(1/4) = 1/3
        >>> y = brn(ag.tensor([[-1.0], [1.0]]))
        >>> np.round(y.double().tolist(), 4).ravel().tolist()  # (x - 0) / 1 * r + d, d = 0
        [-0.3333, 0.3333]
    """

    _dims = (2, 3)


class BatchRenorm2d(_BatchRenorm):
    """Batch Renormalization (Ioffe, 2017) of (N, C, H, W) inputs; arguments as
    :class:`BatchRenorm1d`. Not in PyTorch.

    Example::

        >>> import autograd_core as ag, nn
        >>> brn = nn.BatchRenorm2d(3, rmax=2.0, dmax=1.0)
        >>> tuple(brn(ag.randn(4, 3, 2, 2)).shape), sorted(brn.state_dict())
        ((4, 3, 2, 2), ['bias', 'num_batches_tracked', 'running_mean', 'running_std', 'weight'])
    """

    _dims = (4,)


def batch_renorm_limits(step: int, model: Module | None = None, *, warmup_steps: int = 5000,
                        rmax: float = 3.0, rmax_step: int = 40000, dmax: float = 5.0,
                        dmax_step: int = 25000) -> tuple[float, float]:
    """``(rmax, dmax)`` at training step ``step`` by the schedule of Ioffe (2017, section 4.1):
    ``(1, 0)`` (plain batch norm) for the first ``warmup_steps`` steps, then raised linearly to
    reach ``rmax`` at step ``rmax_step`` and ``dmax`` at step ``dmax_step`` (the paper says
    "gradually relaxed"; linear is this function's choice). With ``model``, every batch renorm
    layer in it gets the limits.

    Example::

        >>> import nn
        >>> [nn.utils.batch_renorm_limits(s) for s in (0, 5000, 15000, 25000, 40000, 90000)]
        [(1.0, 0.0), (1.0, 0.0), (1.5714285714285714, 2.5), (2.142857142857143, 5.0), (3.0, 5.0), (3.0, 5.0)]
    """

    def ramp(end_step, top, start):
        if step <= warmup_steps:
            return start
        if end_step <= warmup_steps:
            return top
        return start + (top - start) * min(1.0, (step - warmup_steps) / (end_step - warmup_steps))

    limits = (float(ramp(rmax_step, rmax, 1.0)), float(ramp(dmax_step, dmax, 0.0)))
    if model is not None:
        for m in model.modules():
            if isinstance(m, _BatchRenorm):
                m.rmax, m.dmax = limits
    return limits


class RMSNorm(Module):
    r"""Root-mean-square normalisation over the trailing ``normalized_shape`` axes (Zhang &
    Sennrich, 2019): :math:`x / \sqrt{\text{mean}(x^2) + \epsilon} \cdot w`.

    Args:
        normalized_shape (int or sequence of int): the trailing shape to normalise over.
        eps (float, optional): added to the mean square; ``None`` means
            ``ag.finfo(input.dtype).eps``. Default: ``None``.
        elementwise_affine (bool): a learnable ``weight`` (ones) of that shape.
            Default: ``True``.

    Example::

        >>> import autograd_core as ag, nn
        >>> m = nn.RMSNorm(2)
        >>> m
        RMSNorm((2,), eps=None, elementwise_affine=True)
        >>> m(ag.tensor([[3.0, 4.0]])).detach()
        tensor([[0.8485, 1.1314]])
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None) -> None:
        _check.device("RMSNorm", device)
        normalized_shape = _check.shape("RMSNorm", "normalized_shape", normalized_shape)
        if eps is not None:
            _check.non_negative("RMSNorm", "eps", eps)
        super().__init__()
        self.normalized_shape = normalized_shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, _dtype(dtype)))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight._data.fill(1)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
