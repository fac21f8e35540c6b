"""``autograd_core.backends``: backend queries and settings (``backends.mps.is_available()``,
``backends.cuda.matmul.allow_tf32``, ``backends.cudnn.benchmark``) as PyTorch's."""

from autograd_core.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
