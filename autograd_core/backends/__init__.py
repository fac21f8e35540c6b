"""``autograd_core.backends``: backend queries and settings (``backends.mps.is_available()``,
``backends.cuda.matmul.allow_tf32``, ``backends.cudnn.benchmark``) as PyTorch's."""

from autograd_core.backends import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp", "opt_einsum"]
