"""``Parameter``: a leaf Tensor that a Module registers as trainable."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.device import check_device

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


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
        Tensor._init_array(self, arr, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        # plain pickling: rebuild through the constructor (keeps requires_grad; the gradient
        # is not kept, as PyTorch's)
        return (_rebuild_parameter, (self._data, self.requires_grad))

    def __deepcopy__(self, memo):
        """A new Parameter with a copy of the values and ``requires_grad``, and no ``.grad``:
        PyTorch's ``Parameter.__deepcopy__`` drops it (an EMA or snapshot copy of a model
        does not carry gradients an optimizer on it would step with)."""
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(self._data.copy(), requires_grad=self.requires_grad)
        memo[id(self)] = p
        return p


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad=requires_grad)


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
        Tensor._init_array(self, arr)
        self.persistent = persistent


def _refuse_copy(t: Any, what: str):
    raise ValueError(
        f"Attempted to use an uninitialized parameter in {what}. This error happens when you "
        f"are using a `LazyModule` or explicitly manipulating `nn.parameter.{type(t).__name__}` "
        "objects. When using LazyModules Call `forward` with a dummy batch to initialize the "
        "parameters before calling torch functions")


class _Uninitialized:
    """What an uninitialized parameter and buffer share (PyTorch's
    ``UninitializedTensorMixin``): ``materialize``, and no copies or printed values."""

    __slots__ = ()
    cls_to_become: type

    def materialize(self: Any, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give it an array of ``shape`` (values not initialised) and make it a
        ``cls_to_become`` (``Parameter`` for a parameter, ``Tensor`` for a buffer)."""
        self._data = np.empty(tuple(int(s) for s in shape),
                              dtype=self._data.dtype if dtype is None else np.dtype(dtype))
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):  # as PyTorch: a copy would lose the pending shape
        _refuse_copy(self, "deepcopy")

    def __reduce_ex__(self, protocol):
        _refuse_copy(self, "pickling")

    __str__ = __repr__


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter without values yet (PyTorch's ``nn.parameter.UninitializedParameter``), held
    by the lazy modules (``nn.LazyLinear``, ...) until their first forward infers its shape;
    ``materialize(shape)`` gives it an (uninitialised) array of that shape and makes it a
    ``Parameter``, the same object, so an optimizer built before the first forward trains it.

    Args:
        requires_grad (bool): Default: ``True``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): the dtype it will have. Default: the default dtype.

    Example::

        >>> import nn
        >>> p = nn.UninitializedParameter()
        >>> p.materialize((2, 3))
        >>> type(p).__name__, tuple(p.shape), p.requires_grad
        ('Parameter', (2, 3), True)
    """

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        check_device(device, "UninitializedParameter")
        dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        Parameter.__init__(self, np.empty((0,), dtype=dt), requires_grad=requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer without values yet (PyTorch's ``nn.parameter.UninitializedBuffer``), held by
    the lazy norm modules until their first forward; ``materialize(shape)`` makes it a Tensor
    of that shape (the same object).

    Args:
        requires_grad (bool): Default: ``False``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): the dtype it will have. Default: the default dtype.

    Example::

        >>> import nn
        >>> b = nn.UninitializedBuffer()
        >>> b.materialize((4,))
        >>> type(b).__name__, tuple(b.shape)
        ('Tensor', (4,))
    """

    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        check_device(device, "UninitializedBuffer")
        dt = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        Tensor._init_array(self, np.empty((0,), dtype=dt), requires_grad)

