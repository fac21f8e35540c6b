"""``nn.parallel``, as ``torch.nn.parallel``: ``DistributedDataParallel`` (data-parallel
training over ``autograd_core.distributed``)."""

from nn.parallel.distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
