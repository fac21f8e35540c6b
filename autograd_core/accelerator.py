"""``autograd_core.accelerator``: PyTorch's device-agnostic accelerator queries.

This build has no accelerator: ``is_available()`` is False, ``current_accelerator()`` None and
``device_count()`` 0, so ``torch.accelerator.current_accelerator() or "cpu"``-style code picks
the CPU.
"""

from __future__ import annotations

__all__ = ["current_accelerator", "device_count", "is_available"]


def is_available() -> bool:
    """False: this build has only the CPU."""
    return False


def current_accelerator(check_available: bool = False) -> None:
    """None: there is no accelerator."""
    return None


def device_count() -> int:
    """0: there is no accelerator."""
    return 0
