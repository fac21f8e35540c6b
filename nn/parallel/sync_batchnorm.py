"""``SyncBatchNorm``: batch normalisation whose batch statistics are those of the whole global
batch, summed over every process of ``autograd_core.distributed`` (PyTorch's
``torch.nn.SyncBatchNorm``)."""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core import distributed as dist
from autograd_core.function import Function
from nn.layers.normalization import _BatchNorm, _BatchRenorm
from nn.module import Module

__all__ = ["SyncBatchNorm"]


class _AllReduceSum(Function):
    """``t`` summed over every rank; its gradient is the incoming gradient summed over every
    rank (each rank's output depends on every rank's input)."""

    @staticmethod
    def forward(ctx, t):
        out = Tensor._wrap(np.array(t._data, copy=True))
        dist.all_reduce(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out = Tensor._wrap(np.array(g._data, copy=True))
        dist.all_reduce(out)
        return out


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of (N, C, ...) inputs over the batch of every process: in training,
    under an initialised ``autograd_core.distributed`` group of more than one process, the mean
    and (biased) variance are those of all ranks' inputs together (two all-reduces forward,
    two backward), so a model under ``DistributedDataParallel`` trains as one process on the
    whole batch. Otherwise, and in eval mode, it is the batch norms' computation (running
    statistics as there, from the global batch statistics). ``convert_sync_batchnorm``
    replaces the batch norm layers (``BatchNorm1d``, ``2d``, ``3d``) of a model.

    Example::

        >>> import autograd_core as ag, nn
        >>> net = nn.SyncBatchNorm.convert_sync_batchnorm(
        ...     nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)))
        >>> type(net[1]).__name__, tuple(net[1](ag.ones(2, 4)).shape)
        ('SyncBatchNorm', (2, 4))
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{self!r}: expected input with {self.num_features} features/channels in "
                f"dim 1, got input of shape {tuple(input.shape)}")

    def forward(self, input):
        self._check_input_dim(input)
        if not (self.training and dist.is_initialized()
                and dist.get_world_size(self.process_group) > 1):
            return super().forward(input)
        x = input
        C = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, C) + (1,) * (x.ndim - 2)
        count = Tensor._wrap(np.array([x._data.size // C], np.int64))
        dist.all_reduce(count, group=self.process_group)
        n = int(count._data[0])
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"{n} over every process (input size {tuple(x.shape)})")
        mean = _AllReduceSum.apply(x.sum(dim=axes)) / n
        centred = x - mean.reshape(shape)
        var = _AllReduceSum.apply((centred * centred).sum(dim=axes)) / n
        y = centred / (var.reshape(shape) + self.eps).sqrt()
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        if self.track_running_stats:
            self.num_batches_tracked._data += 1
            factor = (1.0 / float(self.num_batches_tracked._data) if self.momentum is None
                      else self.momentum)
            with ag.no_grad():
                for buf, stat in ((self.running_mean, mean._data),
                                  (self.running_var, var._data * (n / (n - 1)))):
                    buf._data[...] = (1 - factor) * buf._data + factor * stat
                    buf._bump_version()
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """``module`` with every batch norm (``BatchNorm1d``, ``2d``, ``3d``) in it replaced by a
        ``SyncBatchNorm`` holding the same parameters and buffers (the same Parameter objects),
        as PyTorch's (the project's ``BatchRenorm`` layers are kept)."""
        if isinstance(module, _BatchNorm) and not isinstance(module, (SyncBatchNorm, _BatchRenorm)):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group,
                      bias=module.bias is not None)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                setattr(out, name, getattr(module, name))
            out.train(module.training)
            return out
        for name, child in list(module._modules.items()):
            if child is not None:
                module._modules[name] = None
                setattr(module, name, cls.convert_sync_batchnorm(child, process_group))
        return module
