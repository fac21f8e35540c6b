"""``autograd_core.backends.mkldnn``: oneDNN settings as PyTorch's; this build does not use oneDNN.

Reproducibility boilerplate (``torch.backends.mkldnn.enabled = False``,
``with torch.backends.mkldnn.flags(enabled=False):``) runs; the settings have no effect here.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

__all__ = ["is_available", "enabled", "deterministic", "allow_tf32", "fp32_precision", "flags",
           "set_flags"]

enabled: bool = True
deterministic: bool = False
allow_tf32: bool = False
fp32_precision: str = "none"


def is_available() -> bool:
    """Return False: oneDNN (MKL-DNN) is not part of this build.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.mkldnn.is_available()
        False
    """
    return False


def set_flags(_enabled: bool | None = None, _deterministic: bool | None = None,
              _allow_tf32: bool | None = None,
              _fp32_precision: str = "none") -> tuple[bool, bool, bool, str]:
    """Set the flags given (None keeps one) and return the previous ``(enabled,
    deterministic, allow_tf32, fp32_precision)``, as PyTorch's."""
    global enabled, deterministic, allow_tf32, fp32_precision
    old = (enabled, deterministic, allow_tf32, fp32_precision)
    if _enabled is not None:
        enabled = _enabled
    if _deterministic is not None:
        deterministic = _deterministic
    if _allow_tf32 is not None:
        allow_tf32 = _allow_tf32
    fp32_precision = _fp32_precision
    return old


@contextmanager
def flags(enabled: bool = False, deterministic: bool = False, allow_tf32: bool = True,
          fp32_precision: str = "none") -> Iterator[None]:
    """Set the flags inside the block and restore them after it (PyTorch's defaults).

    Example::

        >>> import autograd_core as ag
        >>> with ag.backends.mkldnn.flags(enabled=False):
        ...     ag.backends.mkldnn.enabled
        False
        >>> ag.backends.mkldnn.enabled
        True
    """
    old = set_flags(enabled, deterministic, allow_tf32, fp32_precision)
    try:
        yield
    finally:
        set_flags(*old)
