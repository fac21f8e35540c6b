"""Devices: this build has one, the CPU.

``device("cpu")`` (also ``"cpu:0"``, ``device("cpu", 0)``, a device object) is what
``Tensor.device`` returns and what ``device=`` accepts everywhere. PyTorch programs pick their
device at the top (``device = "cuda" if torch.cuda.is_available() else "cpu"``); that line
works here and selects the CPU. Asking for a CUDA or MPS device where memory would be placed
(a creation function, ``.to``, ``.cuda()``, a module's constructor) raises PyTorch's error for
a build without that backend: ``AssertionError: Torch not compiled with CUDA enabled`` and
``RuntimeError: ... not linked with support for mps devices``. Naming such a device
(``device("cuda")``) is allowed, as in PyTorch.
"""

from __future__ import annotations

import re
from typing import Any, Union

from autograd_core import tensor as _tensor

__all__ = ["device", "check_device", "memory_format", "contiguous_format", "preserve_format",
           "channels_last", "channels_last_3d", "legacy_contiguous_format"]

# the device types PyTorch's parser knows (its error lists them); only "cpu" holds memory here
_KNOWN = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
          "privateuseone")
_DEVICE_RE = re.compile(r"([a-z]+)(?::(\d+))?")


class device:  # noqa: N801 - PyTorch's name
    """A device: a ``type`` (``"cpu"``, ``"cuda"``, ...) and an optional ``index``.

    ``device("cpu")``, ``device("cpu:0")``, ``device("cpu", 0)``, ``device(other_device)``.
    Equality compares type and index, as in PyTorch (``device("cpu") != device("cpu:0")``).
    Only the CPU holds tensors here; naming another device type is allowed, using it raises.

    Args:
        type (str or device): the device type, optionally with ``:index``.
        index (int, optional): the device index.

    Example::

        >>> import autograd_core as ag
        >>> ag.device("cpu", 0)
        device(type='cpu', index=0)
        >>> ag.zeros(2).device == ag.device("cpu")
        True
    """

    __slots__ = ("_type", "_index")
    _type: str
    _index: int | None

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): an index cannot be given with a device object")
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, bool) or not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_typename(type)}), but expected a device string such as "
                            "'cpu' or a device")
        m = _DEVICE_RE.fullmatch(type)
        if m is None or (m.group(2) is not None and index is not None):
            raise RuntimeError(f"Invalid device string: '{type}'")
        if m.group(1) not in _KNOWN:
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN)} device type at start of "
                               f"device string: {type}")
        if m.group(2) is not None:
            index = int(m.group(2))
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"device(): index must be an int, got {_typename(index)}")
            if index < 0:
                raise RuntimeError(f"Device index must not be negative, got {index}")
        self._type, self._index = m.group(1), index

    @property
    def type(self) -> str:
        """The device type, e.g. ``"cpu"``."""
        return self._type

    @property
    def index(self) -> int | None:
        """The device index, or None when not given."""
        return self._index

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __reduce__(self) -> tuple:
        return (device, (self._type, self._index))


CPU = device("cpu")
_tensor._CPU = CPU  # what Tensor.device returns


#: what a ``device=`` argument accepts: a device, a string such as ``"cpu"``, or an index
DeviceLike = Union[device, str, int]


def _typename(x: object) -> str:
    return type(x).__name__


def unavailable(dev: device) -> Exception:
    """PyTorch's error for placing memory on device ``dev`` in a CPU-only build."""
    if dev.type == "cuda":
        return AssertionError("Torch not compiled with CUDA enabled (this build of "
                              "autograd_core has only the CPU device; use device='cpu')")
    return RuntimeError(f"autograd_core is not linked with support for {dev.type} devices "
                        "(this build has only the CPU device; use device='cpu')")


def check_device(dev: Any, where: str | None = None) -> device | None:
    """``dev`` (None, a string, an int or a device) as a device that can hold memory: the CPU.

    None stays None. Raises PyTorch's error for any other device type; ``where`` (a function
    name) is kept for messages about a wrong argument type.
    """
    if dev is None:
        return None
    if isinstance(dev, device):
        d = dev
    elif isinstance(dev, str):
        d = device(dev)
    elif isinstance(dev, int) and not isinstance(dev, bool):
        # PyTorch reads a bare int as an index on the current accelerator
        raise RuntimeError("Cannot access accelerator device when none is available. (this "
                           "build has only the CPU device; use device='cpu')")
    else:
        name = f"{where}(): " if where else ""
        raise TypeError(f"{name}device must be a str, an int or a device, got "
                        f"{_typename(dev)}")
    if d.type != "cpu":
        raise unavailable(d)
    if d.index not in (None, 0):
        raise RuntimeError(f"{where or 'device'}: CPU device index must be 0 (there is one "
                           f"CPU device), got {d.index}")
    return d


class memory_format:  # noqa: N801 - PyTorch's name
    """A memory layout name (PyTorch's ``torch.memory_format``): ``contiguous_format``,
    ``channels_last`` (4-D), ``channels_last_3d`` (5-D), ``preserve_format``. Accepted where
    PyTorch takes ``memory_format=`` (``Tensor.to``, ``Module.to``, ``contiguous``,
    ``is_contiguous``); tapegrad chooses its layouts itself (a convolution may keep its output
    channels-last), so the values never depend on it.

    Example::

        >>> import autograd_core as ag
        >>> ag.channels_last, isinstance(ag.channels_last, ag.memory_format)
        (autograd_core.channels_last, True)
        >>> ag.ones(2, 3, 4, 4).to(memory_format=ag.channels_last).shape
        autograd_core.Size([2, 3, 4, 4])
    """

    def __init__(self, name: str, rank: int | None = None) -> None:
        self._name, self._rank = name, rank

    def __repr__(self) -> str:
        return f"autograd_core.{self._name}"

    def __reduce__(self) -> str:
        return self._name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last", 4)
channels_last_3d = memory_format("channels_last_3d", 5)
# PyTorch's alias (the same object as contiguous_format); its own gumbel_softmax passes it, and
# programs that copy that function pass it to zeros_like.
legacy_contiguous_format = contiguous_format


def check_memory_format(fmt: Any, ndim: int) -> None:
    """PyTorch's checks of a ``memory_format=`` argument for a tensor of ``ndim`` dims."""
    if fmt is None:
        return
    if not isinstance(fmt, memory_format):
        raise TypeError(f"memory_format must be an autograd_core.memory_format, not "
                        f"{type(fmt).__name__}")
    if fmt._rank is not None and ndim != fmt._rank:
        raise RuntimeError(f"required rank {fmt._rank} tensor to use {fmt._name} format")
