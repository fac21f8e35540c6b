"""``nn.parallel``, as ``torch.nn.parallel``: ``DataParallel`` (CPU-only: runs the wrapped
module), ``DistributedDataParallel`` (data-parallel
training over ``autograd_core.distributed``) and ``SyncBatchNorm`` (also ``nn.SyncBatchNorm``,
PyTorch's place for it)."""

from nn.parallel.data_parallel import DataParallel
from nn.parallel.distributed import DistributedDataParallel
from nn.parallel.sync_batchnorm import SyncBatchNorm

__all__ = ["DataParallel", "DistributedDataParallel", "SyncBatchNorm"]
