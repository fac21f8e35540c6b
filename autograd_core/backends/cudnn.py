"""``autograd_core.backends.cudnn``: cuDNN settings as PyTorch's; this build has only the CPU.

``torch.backends.cudnn.benchmark = True`` / ``deterministic = True`` in a program are kept as
plain module attributes (PyTorch's defaults below) and have no effect here.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

__all__ = ["is_available", "version", "enabled", "benchmark", "deterministic", "allow_tf32",
           "benchmark_limit", "fp32_precision", "flags", "set_flags"]

enabled: bool = True
benchmark: bool = False
deterministic: bool = False
allow_tf32: bool = True
benchmark_limit: int | None = None  # PyTorch's value without cuDNN
fp32_precision: str = "none"
_DEPTHWISE = ["auto"]  # PyTorch has no module attribute for it: set_flags only


def set_flags(_enabled: bool | None = None, _benchmark: bool | None = None,
              _benchmark_limit: int | None = None, _deterministic: bool | None = None,
              _allow_tf32: bool | None = None, _fp32_precision: str = "none",
              _depthwise_kernel: str | None = None) -> tuple[Any, ...]:
    """Set the flags given (None keeps one) and return the previous ``(enabled, benchmark,
    benchmark_limit, deterministic, allow_tf32, fp32_precision, depthwise_kernel)``, as
    PyTorch's (the benchmark limit is None without cuDNN and is not set).

    Example::

        >>> import autograd_core as ag
        >>> old = ag.backends.cudnn.set_flags(_benchmark=True)
        >>> old[1], ag.backends.cudnn.benchmark
        (False, True)
        >>> _ = ag.backends.cudnn.set_flags(*old)
    """
    global enabled, benchmark, deterministic, allow_tf32, fp32_precision
    old = (enabled, benchmark, None, deterministic, allow_tf32, fp32_precision, _DEPTHWISE[0])
    if _enabled is not None:
        enabled = _enabled
    if _benchmark is not None:
        benchmark = _benchmark
    if _deterministic is not None:
        deterministic = _deterministic
    if _allow_tf32 is not None:
        allow_tf32 = _allow_tf32
    if _fp32_precision is not None:
        fp32_precision = _fp32_precision
    if _depthwise_kernel is not None:
        _DEPTHWISE[0] = _depthwise_kernel
    return old


@contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True, fp32_precision: str = "none",
          depthwise_kernel: str = "auto") -> Iterator[None]:
    """Set the flags inside the block and restore them after it, with PyTorch's defaults
    (``with torch.backends.cudnn.flags(enabled=False):`` around an RNN's double backward).

    Example::

        >>> import autograd_core as ag
        >>> with ag.backends.cudnn.flags(enabled=False, deterministic=True):
        ...     ag.backends.cudnn.enabled, ag.backends.cudnn.deterministic
        (False, True)
        >>> ag.backends.cudnn.enabled, ag.backends.cudnn.deterministic
        (True, False)
    """
    old = set_flags(enabled, benchmark, benchmark_limit, deterministic, allow_tf32,
                    fp32_precision, depthwise_kernel)
    try:
        yield
    finally:
        set_flags(*old)


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
