"""``autograd_core.backends.mps``: Apple's Metal backend is not part of this build."""

from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Return False: this build has only the CPU.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.mps.is_available()
        False
    """
    return False


def is_built() -> bool:
    """Return False: this build was not built with MPS support.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.mps.is_built()
        False
    """
    return False
