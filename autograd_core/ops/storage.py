"""A tensor's memory as PyTorch shows it: ``untyped_storage()`` / ``storage()`` (read paths:
``data_ptr()``, ``nbytes()``, ``size()``, ``tolist()``, an element), and ``resize_`` /
``resize_as_``, which change a tensor's shape in place over that memory.

The storage is the numpy array that owns the tensor's memory (views, ``.data`` and
``detach()`` share it), so ``x.untyped_storage().data_ptr() == y.untyped_storage().data_ptr()``
tells whether two tensors share memory, as in PyTorch. Writing through a storage (``fill_``,
``copy_``, item assignment, ``resize_``) is refused: write through the tensor.
"""

from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np

from autograd_core._memory import storage as _storage
from autograd_core.creation import _size
from autograd_core.ops._args import demangled_type, torch_name
from autograd_core.ops.registry import op, refuse_capture
from autograd_core.tensor import DType, Tensor


def element_offset(a):
    """Where ``a`` starts in the memory of the array owning it, in elements (PyTorch's
    ``storage_offset()``)."""
    return (a.__array_interface__["data"][0] - _storage(a)[1]) // a.itemsize


__all__ = ["TypedStorage", "UntypedStorage"]

_TYPED_DEPRECATED = (
    "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be "
    "the only storage class. This should only matter to you if you are using storages "
    "directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead of "
    "tensor.storage()")


class UntypedStorage:
    """The bytes holding a tensor's elements (PyTorch's ``torch.UntypedStorage``), read-only
    here: ``data_ptr()``, ``nbytes()``, ``size()`` and ``len()`` (in bytes), ``tolist()``, a
    byte by index, ``device``, ``element_size()`` (1).

    Example::

        >>> import autograd_core as ag
        >>> s = ag.tensor([1], dtype=ag.int16).untyped_storage()
        >>> s.size(), s.tolist()
        (2, [1, 0])
    """

    _root: np.ndarray
    _dtype: np.dtype

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__}(...): creating a storage is not "
                                  "supported; use Tensor.untyped_storage() or .storage()")

    @classmethod
    def _of(cls, root: np.ndarray, dtype: Any = None) -> Any:
        new = object.__new__(cls)
        new._root, new._dtype = root, np.dtype(np.uint8 if dtype is None else dtype)
        return new

    def _bytes(self) -> np.ndarray:
        # an array owning its memory is contiguous in C or Fortran order: 'A' reads it in
        # memory order, without a copy
        return self._root.reshape(-1, order="A").view(np.uint8)

    def data_ptr(self) -> builtins.int:
        """The address of the first byte (0 for an empty storage)."""
        return _storage(self._root)[1] if self._root.nbytes else 0

    def nbytes(self) -> builtins.int:
        """The number of bytes."""
        return builtins.int(self._root.nbytes)

    def size(self) -> builtins.int:
        """The number of bytes (an untyped storage's elements are bytes)."""
        return self.nbytes()

    def __len__(self) -> builtins.int:
        return self.size()

    def element_size(self) -> builtins.int:
        return 1

    @property
    def device(self) -> Any:
        from autograd_core.device import device

        return device("cpu")

    @property
    def is_cuda(self) -> builtins.bool:
        return False

    def is_shared(self) -> builtins.bool:
        return False

    def tolist(self) -> list:
        return self._values().tolist()

    def _values(self) -> np.ndarray:
        return self._bytes()

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, (builtins.int, np.integer)) or isinstance(index, builtins.bool):
            raise NotImplementedError(f"{type(self).__name__}: only an integer index is "
                                      f"supported, got {type(index).__name__}")
        values = self._values()
        if not -len(values) <= index < len(values):
            raise IndexError(f"index {index} out of range for storage of size {len(values)}")
        return values[index].item()

    def __iter__(self) -> Any:
        return iter(self.tolist())

    def _refuse(self, what: str) -> NotImplementedError:
        return NotImplementedError(f"{type(self).__name__}.{what}: writing through a storage is "
                                   "not supported; write through the tensor instead")

    def __setitem__(self, index: Any, value: Any) -> None:
        raise self._refuse("__setitem__")

    def fill_(self, value: Any) -> Any:
        raise self._refuse("fill_")

    def copy_(self, source: Any, non_blocking: Any = None) -> Any:
        raise self._refuse("copy_")

    def resize_(self, size: Any) -> Any:
        raise self._refuse("resize_")

    def __repr__(self) -> str:
        return f"[autograd_core.storage.{type(self).__name__}(device=cpu) of size {self.size()}]"


class TypedStorage(UntypedStorage):
    """PyTorch's deprecated ``torch.TypedStorage`` (what ``Tensor.storage()`` gives): the same
    memory counted in elements of ``dtype``. ``untyped()`` gives the bytes.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     s = ag.tensor([1.5, 2.5]).storage()
        >>> s.dtype, s[1], s.untyped().nbytes()
        (autograd_core.float32, 2.5, 8)
    """

    def __init__(self, *args: Any, device: Any = None, dtype: Any = None,
                 wrap_storage: Any = None, _internal: builtins.bool = False) -> None:
        super().__init__()

    @property
    def dtype(self) -> Any:
        return DType(self._dtype)

    def element_size(self) -> builtins.int:
        return self._dtype.itemsize

    def size(self) -> builtins.int:
        """The number of elements of ``dtype``."""
        return self.nbytes() // self._dtype.itemsize

    def _values(self) -> np.ndarray:
        raw = self._bytes()
        return raw[:self.size() * self._dtype.itemsize].view(self._dtype)

    def untyped(self) -> UntypedStorage:
        return UntypedStorage._of(self._root)

    def __repr__(self) -> str:
        return (f"[autograd_core.storage.TypedStorage(dtype=autograd_core."
                f"{torch_name(self._dtype)}, device=cpu) of size {self.size()}]")


@op("untyped_storage", method=True, function=False, samples=())
def untyped_storage(input: Tensor) -> UntypedStorage:
    """Return the memory holding this tensor's elements, as bytes (read-only here).

    Tensors sharing memory (views, ``.data``, ``.detach()``) have storages with the same
    ``data_ptr()``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> s = x[1].untyped_storage()
        >>> s.nbytes(), s.data_ptr() == x.untyped_storage().data_ptr()
        (24, True)
    """
    return UntypedStorage._of(_storage(input._data)[0])


@op("storage", method=True, function=False, samples=())
def storage(input: Tensor) -> TypedStorage:
    """Return the memory holding this tensor's elements, counted in its dtype (PyTorch's
    deprecated ``TypedStorage``, with its warning; read-only here).

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     s = ag.arange(4.0)[1:].storage()
        >>> s.size(), s.tolist()
        (4, [0.0, 1.0, 2.0, 3.0])
    """
    warnings.warn(_TYPED_DEPRECATED, UserWarning, stacklevel=2)
    return TypedStorage._of(_storage(input._data)[0], input._data.dtype)


@op("resize_", method=True, function=False, samples=())
def resize_(input: Tensor, *sizes: Any, memory_format: Any = None) -> Tensor:
    """Give this tensor the shape ``sizes`` in place, over its memory from its first element
    in row-major order (contiguous). Elements past the old memory are new (zeros here; PyTorch
    leaves them uninitialised). The same shape changes nothing. Refused on a tensor that
    requires grad, as PyTorch refuses it.

    Args:
        sizes (int...): the new shape (or one tuple).
        memory_format: only ``None`` or ``contiguous_format``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.arange(6.0)
        >>> x.resize_(2, 2)
        tensor([[0., 1.],
                [2., 3.]])
        >>> x.resize_(5)
        tensor([0., 1., 2., 3., 4.])
    """
    return _resize(input, _size(sizes), memory_format, "resize_")


@op("resize_as_", method=True, function=False, samples=())
def resize_as_(input: Tensor, the_template: Tensor, *, memory_format: Any = None) -> Tensor:
    """``self.resize_(the_template.shape)``.

    Example::

        >>> import autograd_core as ag
        >>> ag.arange(6.0).resize_as_(ag.zeros(2, 3))
        tensor([[0., 1., 2.],
                [3., 4., 5.]])
    """
    if not isinstance(the_template, Tensor):
        raise TypeError("resize_as_(): argument 'the_template' (position 1) must be Tensor, not "
                        f"{type(the_template).__name__}")
    return _resize(input, tuple(the_template.shape), memory_format, "resize_as_")


def _resize(t: Tensor, shape: tuple, memory_format: Any, name: str) -> Tensor:
    if t.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if memory_format is not None and str(memory_format) != "torch.contiguous_format":
        raise NotImplementedError(f"{name}: memory_format={memory_format} is not supported "
                                  "(only contiguous_format)")
    a = t._data
    if shape == a.shape:
        return t
    refuse_capture(name)
    root, start, nbytes = _storage(a)
    offset = a.__array_interface__["data"][0] - start
    need = builtins.int(np.prod(shape, dtype=np.int64)) * a.itemsize
    if offset + need <= nbytes:  # fits the memory: a view of it, shared as PyTorch's
        rows = tuple(max(s, 1) for s in shape[:0:-1])  # PyTorch counts an empty dimension as 1
        strides = tuple(np.cumprod((1,) + rows, dtype=np.int64)[::-1] * a.itemsize)[
            len(rows) + 1 - len(shape):]  # none for a 0-d shape
        new = np.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)
    else:
        if t._base is not None:
            raise NotImplementedError(
                f"{name}: growing a view past the end of its base's memory is not supported "
                "(PyTorch grows the shared storage; here the view would stop sharing it)")
        new = np.zeros(shape, a.dtype)
        old = UntypedStorage._of(root)._bytes()[offset:]
        flat = new.reshape(-1).view(np.uint8)
        flat[:min(len(old), len(flat))] = old[:len(flat)]
    t.data = new
    t._bump_version()
    return t


@op("set_", method=True, function=False, samples=())
def set_(input: Tensor, source: Any = None, storage_offset: Any = None, size: Any = None,
         stride: Any = None) -> Tensor:
    """Make this tensor share ``source``'s memory, shape and strides (``set_()``: an empty
    tensor). Writes through either are seen by the other. ``source`` must have this tensor's
    dtype. A storage with an offset, size and stride is not supported here.

    Refused on a leaf that requires grad while recording (PyTorch's in-place error; under
    ``no_grad`` it is how a parameter is given new memory), and, here, on a view and when
    ``input`` or ``source`` is part of a graph (PyTorch records a node without a derivative).

    Example::

        >>> import autograd_core as ag
        >>> x, y = ag.zeros(2), ag.arange(6.0).view(2, 3)
        >>> x.set_(y).shape, x.data_ptr() == y.data_ptr()
        (autograd_core.Size([2, 3]), True)
    """
    from autograd_core.grad_mode import STATE

    if not isinstance(source, (Tensor, type(None))) or storage_offset is not None \
            or size is not None or stride is not None:
        raise NotImplementedError("set_: only set_(source_tensor) and set_() are supported "
                                  "(no storage, offset, size or stride)")
    src = np.zeros(0, input._data.dtype) if source is None else source._data
    if src.dtype != input._data.dtype:
        raise RuntimeError(f"Could not set tensor of type {demangled_type(src.dtype)}"
                           f" to a tensor of type {demangled_type(input._data.dtype)}")
    if STATE.enabled and input.requires_grad and input.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    if STATE.enabled and (input.grad_fn is not None or (source is not None and
                                                         source.requires_grad)):
        raise NotImplementedError("set_: a tensor or source that is part of an autograd graph "
                                  "is not supported (PyTorch records a node whose backward "
                                  "raises); use it under no_grad or on detached tensors")
    if input._base is not None:
        raise NotImplementedError("set_: a view is not supported here (it would stop sharing "
                                  "its base's memory); call it on the base or on a clone")
    refuse_capture("set_")
    input.data = src
    input._bump_version()
    return input


@op("resize", method=True, function=False, samples=())
def resize(input: Tensor, *sizes: Any) -> Tensor:
    """Deprecated out-of-place ``resize`` (with PyTorch's warning): ``input`` reshaped to
    ``sizes``, which must keep the number of elements; differentiable.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ag.arange(4.0).resize(2, 2)
        tensor([[0., 1.],
                [2., 3.]])
    """
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return _same_numel_reshape(input, _size(sizes))


@op("resize_as", method=True, function=False, samples=())
def resize_as(input: Tensor, tensor: Tensor) -> Tensor:
    """Deprecated out-of-place ``resize_as`` (with PyTorch's warning):
    ``input.resize(tensor.shape)``.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ag.arange(4.0).resize_as(ag.zeros(4, 1)).shape
        autograd_core.Size([4, 1])
    """
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return _same_numel_reshape(input, tuple(tensor.shape))


def _same_numel_reshape(t: Tensor, shape: tuple) -> Tensor:
    n = builtins.int(np.prod(shape, dtype=np.int64))
    if n != t.numel():
        dims = "x".join(map(str, shape))
        have = "x".join(map(str, t.shape))
        raise RuntimeError(
            f"requested resize to {dims} ({n} elements in total), but the given tensor has a "
            f"size of {have} ({t.numel()} elements). autograd's resize can only change the "
            "shape of a given tensor, while preserving the number of elements. ")
    return t.reshape(shape)


@op("const_data_ptr", method=True, function=False, samples=())
def const_data_ptr(input: Tensor) -> builtins.int:
    """``data_ptr()``: the address of the first element (PyTorch's read-only spelling).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(3)
        >>> x.const_data_ptr() == x.data_ptr()
        True
    """
    return input.data_ptr()


@op("is_set_to", method=True, function=False, samples=())
def is_set_to(input: Tensor, tensor: Tensor) -> builtins.bool:
    """Return True if both tensors view the same memory with the same offset, shape and
    strides (what ``a.set_(b)`` makes of ``a``).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> x.is_set_to(x.view(2, 3)), x.is_set_to(x.t()), x.is_set_to(x.clone())
        (True, False, False)
    """
    a, b = input._data, tensor._data
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.shape == b.shape and a.strides == b.strides and a.dtype == b.dtype
            and _storage(a)[1] == _storage(b)[1])
