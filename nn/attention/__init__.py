"""``nn.attention``: choosing the kernel of ``scaled_dot_product_attention`` (PyTorch's
``torch.nn.attention``: ``SDPBackend``, ``sdpa_kernel``).

This build runs one implementation, the math formula, whatever is chosen; the choice matters
only as in PyTorch on the CPU, where the math and flash kernels exist: a call with neither of
them enabled raises PyTorch's "No viable backend" error, and one with only the flash kernel
enabled raises "No available kernel" for inputs that kernel does not take (dropout, inputs not
4-D, different head sizes). The flags live in ``autograd_core.backends.cuda``
(``math_sdp_enabled()`` and the others), as PyTorch's.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator

from autograd_core.backends import cuda as _cuda

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.Enum):
    """The kernels of ``scaled_dot_product_attention``, numbered as PyTorch's (``int(b)``).

    Example::

        >>> from nn.attention import SDPBackend
        >>> SDPBackend.MATH, int(SDPBackend.FLASH_ATTENTION)
        (<SDPBackend.MATH: 0>, 1)
    """

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self) -> int:
        return self.value


# the flag of each backend in ``autograd_core.backends.cuda`` (ERROR and OVERRIDEABLE have none)
_FLAGS = {SDPBackend.FLASH_ATTENTION: "flash", SDPBackend.EFFICIENT_ATTENTION: "mem_efficient",
          SDPBackend.MATH: "math", SDPBackend.CUDNN_ATTENTION: "cudnn"}


@contextlib.contextmanager
def sdpa_kernel(backends: list[SDPBackend] | SDPBackend,
                set_priority: bool = False) -> Iterator[dict]:
    """Enable only ``backends`` (one ``SDPBackend`` or a list) for the block; the previous
    flags come back after it. ``set_priority`` (an order among enabled kernels) has nothing to
    choose between here: one implementation runs.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> from nn.attention import SDPBackend, sdpa_kernel
        >>> q = ag.ones(1, 1, 2, 2)
        >>> with sdpa_kernel(SDPBackend.MATH):
        ...     F.scaled_dot_product_attention(q, q, q).shape
        autograd_core.Size([1, 1, 2, 2])
        >>> with sdpa_kernel(SDPBackend.EFFICIENT_ATTENTION):
        ...     F.scaled_dot_product_attention(q, q, q)
        Traceback (most recent call last):
        ...
        RuntimeError: No viable backend for scaled_dot_product_attention was found. This is likely due to turning off both the math kernel and the fused kernels.
    """
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend "
                             f"instances, got {type(backends).__name__}")
    chosen = [backends] if isinstance(backends, SDPBackend) else list(backends)
    previous = dict(_cuda._SDP_ENABLED)
    for backend, flag in _FLAGS.items():
        _cuda._SDP_ENABLED[flag] = backend in chosen
    try:
        yield {}
    finally:
        _cuda._SDP_ENABLED.update(previous)
