"""``autograd_core.backends.cudnn``: cuDNN settings as PyTorch's; this build has only the CPU.

``torch.backends.cudnn.benchmark = True`` / ``deterministic = True`` in a program are kept as
plain module attributes (PyTorch's defaults below) and have no effect here.
"""

from __future__ import annotations

__all__ = ["is_available", "version", "enabled", "benchmark", "deterministic", "allow_tf32"]

enabled: bool = True
benchmark: bool = False
deterministic: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    """Return False: cuDNN is not part of this build.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cudnn.is_available()
        False
    """
    return False


def version() -> None:
    """Return None: no cuDNN library is loaded (as PyTorch without cuDNN).

    Example::

        >>> import autograd_core as ag
        >>> print(ag.backends.cudnn.version())
        None
    """
    return None
