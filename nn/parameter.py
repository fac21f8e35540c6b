"""``Parameter``: a leaf Tensor that a Module registers as trainable."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A Tensor that requires grad and that ``Module.__setattr__`` registers.

    ``Parameter(data)`` shares memory with ``data`` when it is a numpy array or a Tensor (as
    ``torch.nn.Parameter`` shares the storage of the tensor it wraps); other data (lists,
    numbers) is converted with ``ag.tensor`` (Python floats become float32).

    Args:
        data (Tensor, array or list, optional): the values. Default: an empty float tensor.
        requires_grad (bool): whether the parameter is trained. Default: ``True``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> class Scale(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.s = nn.Parameter(ag.ones(2))
        ...
        ...     def forward(self, x):
        ...         return x * self.s
        >>> m = Scale()
        >>> [name for name, _ in m.named_parameters()]
        ['s']
        >>> m.s
        Parameter containing:
        tensor([1., 1.], requires_grad=True)
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty((0,), dtype=ag.get_default_dtype())
        elif isinstance(data, Tensor):
            arr = data._data
        elif isinstance(data, np.ndarray):
            arr = data
        else:
            arr = ag.tensor(data)._data
        Tensor.__init__(self, arr, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        # plain pickling/deepcopy: rebuild through the constructor (keeps requires_grad)
        return (_rebuild_parameter, (self._data, self.requires_grad, self.grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(self._data.copy(), requires_grad=self.requires_grad)
        if self.grad is not None:
            p.grad = Tensor(self.grad._data.copy())
        memo[id(self)] = p
        return p


def _rebuild_parameter(data, requires_grad, grad):
    p = Parameter(data, requires_grad=requires_grad)
    if grad is not None:
        p.grad = grad
    return p


class Buffer(Tensor):
    """Marker type (as ``torch.nn.Buffer``): assigning ``Buffer(t)`` to a module attribute
    registers it as a buffer.

    A buffer is module state that is not trained (running statistics, masks); it follows
    ``to(dtype)`` and, when persistent, is saved in ``state_dict``.

    Args:
        data (Tensor or array): the values (not copied when a numpy array or Tensor).
        persistent (bool): include it in ``state_dict``. Default: ``True``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> m = nn.Module()
        >>> m.steps = nn.Buffer(ag.zeros(1))
        >>> list(m.state_dict()), list(m.parameters())
        (['steps'], [])
    """

    def __init__(self, data: Any, persistent: bool = True) -> None:
        arr = data._data if isinstance(data, Tensor) else np.asarray(data)
        Tensor.__init__(self, arr)
        self.persistent = persistent
