"""``autograd_core.cuda``: the queries PyTorch programs make before choosing a device.

This build has no CUDA backend: ``is_available()`` is False and ``device_count()`` is 0, so the
common ``device = "cuda" if torch.cuda.is_available() else "cpu"`` selects the CPU. Seeding
functions are accepted and do nothing (there is no CUDA generator), as in a CPU-only PyTorch;
anything that would touch a CUDA device raises PyTorch's ``Torch not compiled with CUDA
enabled``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from autograd_core.device import device as _device
from autograd_core.device import unavailable as _unavailable

__all__ = ["current_device", "device_count", "is_available", "is_bf16_supported",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "synchronize"]


def is_available() -> bool:
    """False: this build has only the CPU."""
    return False


def device_count() -> int:
    """0: no CUDA device."""
    return 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: no CUDA device."""
    return False


def _fail() -> NoReturn:
    raise _unavailable(_device("cuda"))


def current_device() -> int:
    """Raises: there is no CUDA device."""
    _fail()


def synchronize(device: Any = None) -> None:
    """Raises: there is no CUDA device."""
    _fail()


def manual_seed(seed: int) -> None:
    """Does nothing (no CUDA generator), as on a CPU-only PyTorch."""


def manual_seed_all(seed: int) -> None:
    """Does nothing (no CUDA generator), as on a CPU-only PyTorch."""


def seed() -> None:
    """Does nothing (no CUDA generator), as on a CPU-only PyTorch."""


def seed_all() -> None:
    """Does nothing (no CUDA generator), as on a CPU-only PyTorch."""
