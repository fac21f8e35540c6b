"""``autograd_core.autograd.function``, as ``torch.autograd.function``: user-defined ops."""

from autograd_core.function import Function, FunctionCtx, once_differentiable

__all__ = ["Function", "FunctionCtx", "once_differentiable"]
