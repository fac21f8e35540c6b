"""``autograd_core.backends.mps``: Apple's Metal backend is not part of this build."""

from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """False: this build has only the CPU."""
    return False


def is_built() -> bool:
    """False: this build was not built with MPS support."""
    return False
