"""``autograd_core.autograd.Variable``: PyTorch's legacy wrapper, which today makes a Tensor."""

from __future__ import annotations

import warnings

from autograd_core.tensor import Tensor

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """PyTorch's deprecated ``Variable``: ``Variable(t, requires_grad=...)`` returns a Tensor
    sharing ``t``'s memory, detached from its graph, and ``isinstance(t, Variable)`` holds for
    every Tensor, as in PyTorch. New code uses Tensors directly.

    Args:
        data (Tensor, optional): the values (an empty float tensor if None).
        requires_grad (bool): whether the result requires grad. Default: False.
        volatile (bool): removed in PyTorch (a warning); use ``no_grad``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd import Variable
        >>> v = Variable(ag.tensor([1.0, 2.0]), requires_grad=True)
        >>> v, isinstance(v, Variable)
        (tensor([1., 2.], requires_grad=True), True)
    """

    def __new__(  # type: ignore[misc]  # returns a Tensor, as PyTorch's Variable does
            cls, data: Tensor | None = None, requires_grad: bool = False,
            volatile: bool = False) -> Tensor:
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if data is None:
            from autograd_core.creation import tensor

            data = tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
