"""``autograd_core.accelerator``: PyTorch's device-agnostic accelerator queries.

This build has no accelerator: ``is_available()`` is False, ``current_accelerator()`` None and
``device_count()`` 0, so ``torch.accelerator.current_accelerator() or "cpu"``-style code picks
the CPU.
"""

from __future__ import annotations

__all__ = ["current_accelerator", "device_count", "is_available"]


def is_available() -> bool:
    """Return False: this build has no accelerator, only the CPU.

    Example::

        >>> import autograd_core as ag
        >>> ag.accelerator.is_available()
        False
    """
    return False


def current_accelerator(check_available: bool = False) -> None:
    """Return None: there is no accelerator.

    Args:
        check_available (bool): accepted for PyTorch's signature.

    Example::

        >>> import autograd_core as ag
        >>> ag.accelerator.current_accelerator() or ag.device("cpu")
        device(type='cpu')
    """
    return None


def device_count() -> int:
    """Return 0: there is no accelerator.

    Example::

        >>> import autograd_core as ag
        >>> ag.accelerator.device_count()
        0
    """
    return 0
