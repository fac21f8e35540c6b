"""``autograd_core.backends``: backend queries (``backends.mps.is_available()``) as PyTorch's."""

from autograd_core.backends import mps

__all__ = ["mps"]
