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

__all__ = ["OutOfMemoryError", "current_device", "device_count", "is_available", "is_bf16_supported",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "synchronize"]


def is_available() -> bool:
    """Return False: this build has only the CPU.

    Example::

        >>> import autograd_core as ag
        >>> ag.cuda.is_available(), ("cuda" if ag.cuda.is_available() else "cpu")
        (False, 'cpu')
    """
    return False


def device_count() -> int:
    """Return 0: there is no CUDA device.

    Example::

        >>> import autograd_core as ag
        >>> ag.cuda.device_count()
        0
    """
    return 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """Return False: there is no CUDA device.

    Args:
        including_emulation (bool): accepted for PyTorch's signature.

    Example::

        >>> import autograd_core as ag
        >>> ag.cuda.is_bf16_supported()
        False
    """
    return False


def _fail() -> NoReturn:
    raise _unavailable(_device("cuda"))


def current_device() -> int:
    """Raise PyTorch's error: there is no CUDA device.

    Example::

        >>> import autograd_core as ag
        >>> try:
        ...     ag.cuda.current_device()
        ... except AssertionError as e:
        ...     print(str(e)[:36])
        Torch not compiled with CUDA enabled
    """
    _fail()


def synchronize(device: Any = None) -> None:
    """Raise PyTorch's error: there is no CUDA device.

    Args:
        device (optional): accepted for PyTorch's signature.

    Example::

        >>> import autograd_core as ag
        >>> try:
        ...     ag.cuda.synchronize()
        ... except AssertionError as e:
        ...     print(str(e)[:36])
        Torch not compiled with CUDA enabled
    """
    _fail()


def manual_seed(seed: int) -> None:
    """Do nothing: there is no CUDA generator (as on a CPU-only PyTorch).

    Seed the CPU's generator with ``autograd_core.manual_seed``.

    Example::

        >>> import autograd_core as ag
        >>> ag.cuda.manual_seed(0) is None
        True
    """


def manual_seed_all(seed: int) -> None:
    """Do nothing: there is no CUDA generator (as on a CPU-only PyTorch).

    Seed the CPU's generator with ``autograd_core.manual_seed``.

    Example::

        >>> import autograd_core as ag
        >>> ag.cuda.manual_seed_all(0) is None
        True
    """


def seed() -> None:
    """Do nothing: there is no CUDA generator (as on a CPU-only PyTorch).

    Seed the CPU's generator with ``autograd_core.manual_seed``.

    Example::

        >>> import autograd_core as ag
        >>> ag.cuda.seed() is None
        True
    """


def seed_all() -> None:
    """Do nothing: there is no CUDA generator (as on a CPU-only PyTorch).

    Seed the CPU's generator with ``autograd_core.manual_seed``.

    Example::

        >>> import autograd_core as ag
        >>> ag.cuda.seed_all() is None
        True
    """


class OutOfMemoryError(RuntimeError):
    """PyTorch's ``torch.cuda.OutOfMemoryError`` (also ``torch.OutOfMemoryError``), for the
    programs that catch it around training; nothing raises it here (no CUDA memory).

    Example::

        >>> import autograd_core as ag
        >>> issubclass(ag.cuda.OutOfMemoryError, RuntimeError), ag.OutOfMemoryError is ag.cuda.OutOfMemoryError
        (True, True)
    """


def __getattr__(name: str) -> Any:
    # ``torch.cuda.amp.GradScaler(enabled=...)`` in GPU programs; loaded on first use
    if name == "amp":
        import importlib

        return importlib.import_module("autograd_core.amp").cuda_amp
    raise AttributeError(f"module 'autograd_core.cuda' has no attribute '{name}'")
