"""``nn.parallel``, as ``torch.nn.parallel``: ``DistributedDataParallel`` (data-parallel
training over ``autograd_core.distributed``) and ``SyncBatchNorm`` (also ``nn.SyncBatchNorm``,
PyTorch's place for it)."""

from nn.parallel.distributed import DistributedDataParallel
from nn.parallel.sync_batchnorm import SyncBatchNorm

__all__ = ["DistributedDataParallel", "SyncBatchNorm"]
