"""``autograd_core.cpu``: the CPU device module, as PyTorch's ``torch.cpu`` (device queries that
device-generic code calls as ``getattr(torch, device_type)``, and the deprecated
``torch.cpu.amp.autocast``)."""

from __future__ import annotations

import sys
import types
import warnings
from typing import Any

from autograd_core import amp as _amp

__all__ = ["is_available", "device_count", "current_device", "synchronize", "amp"]


def is_available() -> bool:
    """Always True (PyTorch's ``torch.cpu.is_available()``).

    Example::

        >>> import autograd_core as ag
        >>> ag.cpu.is_available(), ag.cpu.device_count(), ag.cpu.current_device()
        (True, 1, 'cpu')
    """
    return True


def device_count() -> int:
    """One CPU device (PyTorch's ``torch.cpu.device_count()``).

    Example::

        >>> import autograd_core as ag
        >>> ag.cpu.device_count()
        1
    """
    return 1


def current_device() -> str:
    """``"cpu"`` (PyTorch's ``torch.cpu.current_device()``).

    Example::

        >>> import autograd_core as ag
        >>> ag.cpu.current_device()
        'cpu'
    """
    return "cpu"


def synchronize(device: Any = None) -> None:
    """Nothing to wait for: CPU work is done when a call returns.

    Example::

        >>> import autograd_core as ag
        >>> ag.cpu.synchronize()
    """


class _CpuAutocast(_amp.autocast):
    """``torch.cpu.amp.autocast`` (deprecated in PyTorch): ``autocast("cpu", ...)``."""

    def __init__(self, enabled: bool = True, dtype: Any = None,
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", dtype, enabled, cache_enabled)


_CpuAutocast.__name__ = _CpuAutocast.__qualname__ = "autocast"
amp = types.ModuleType("autograd_core.cpu.amp", "``torch.cpu.amp``: autocast, GradScaler.")
amp.autocast = _CpuAutocast  # type: ignore[attr-defined]
amp.GradScaler = _amp.GradScaler  # type: ignore[attr-defined]
sys.modules.setdefault("autograd_core.cpu.amp", amp)
