"""DLPack exchange (PyTorch's ``torch.from_dlpack`` / ``torch.to_dlpack`` and
``Tensor.__dlpack__``): a tensor shares its memory with numpy, PyTorch, JAX, ... without a copy,
through numpy's DLPack support (CPU memory only)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.device import check_device
from autograd_core.ops.registry import typed
from autograd_core.tensor import Tensor

__all__ = ["from_dlpack", "to_dlpack"]


class _Capsule:
    """A bare DLPack capsule (``to_dlpack``'s result) as the object numpy's importer reads."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # kDLCPU


def from_dlpack(ext_tensor: Any, *, device: Any = None, copy: bool | None = None) -> Tensor:
    """Return a tensor sharing the memory of ``ext_tensor``: an object with ``__dlpack__``
    (a PyTorch tensor, a numpy array, ...) or a capsule from ``to_dlpack``. CPU memory only.

    Args:
        ext_tensor: the tensor or capsule to import.
        device: only ``None`` or ``'cpu'``.
        copy (bool, optional): ``True``: a copy instead of shared memory. Default: share.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> a = np.arange(3.0)
        >>> t = ag.from_dlpack(a)
        >>> a[0] = 7.0
        >>> t
        tensor([7., 1., 2.], dtype=autograd_core.float64)
    """
    check_device(device, "from_dlpack")
    source = ext_tensor if hasattr(ext_tensor, "__dlpack__") else _Capsule(ext_tensor)
    try:
        arr = np.from_dlpack(source)
    except (BufferError, RuntimeError, TypeError) as exc:
        raise RuntimeError(f"from_dlpack: cannot import {type(ext_tensor).__name__} ({exc}); "
                           "only CPU memory can be shared") from None
    return Tensor._wrap(arr.copy() if copy else arr)


def _dlpack(self: Tensor, *, stream: Any = None, max_version: Any = None, dl_device: Any = None,
            copy: Any = None) -> Any:
    """The DLPack capsule of this tensor's memory (``np.from_dlpack(t)``,
    ``torch.from_dlpack(t)``). A tensor that requires grad is refused, as in PyTorch.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> np.from_dlpack(ag.tensor([1.0, 2.0]))
        array([1., 2.], dtype=float32)
    """
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    kwargs = {} if max_version is None else {"max_version": max_version}
    return self._data.__dlpack__(stream=stream, **kwargs)


def _dlpack_device(self: Tensor) -> tuple[int, int]:
    return (1, 0)  # kDLCPU


def to_dlpack(data: Tensor) -> Any:
    """Return a DLPack capsule of ``data``'s memory (PyTorch's legacy ``torch.to_dlpack``;
    prefer passing the tensor itself to the importer).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> ag.from_dlpack(ag.to_dlpack(x)).data_ptr() == x.data_ptr()
        True
    """
    return _dlpack(data)


to_dlpack = typed(to_dlpack, "_to_dlpack")  # (PyTorch's name, in its TypeError for a number)
setattr(Tensor, "__dlpack__", _dlpack)
setattr(Tensor, "__dlpack_device__", _dlpack_device)
