"""``autograd_core.backends.cuda``: CUDA settings as PyTorch's; this build has only the CPU.

Programs written for a GPU set these flags at start-up (nanoGPT's ``train.py`` sets
``torch.backends.cuda.matmul.allow_tf32 = True``); they are kept and have no effect here.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["is_built", "matmul", "cuBLASModule", "flash_sdp_enabled", "enable_flash_sdp",
           "mem_efficient_sdp_enabled", "enable_mem_efficient_sdp", "math_sdp_enabled",
           "enable_math_sdp", "cudnn_sdp_enabled", "enable_cudnn_sdp", "sdp_kernel"]


class cuBLASModule:
    """The ``matmul`` settings object (PyTorch's ``cuBLASModule``): TF32 and reduced-precision
    flags for CUDA matrix products, with PyTorch's defaults. Only these names are accepted.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.matmul.allow_tf32
        False
        >>> ag.backends.cuda.matmul.allow_tf32 = True
        >>> ag.backends.cuda.matmul.allow_tf32
        True
        >>> ag.backends.cuda.matmul.allow_tf32 = False
    """

    _defaults = {"allow_tf32": False, "allow_fp16_reduced_precision_reduction": True,
                 "allow_bf16_reduced_precision_reduction": True}

    def __init__(self) -> None:
        object.__setattr__(self, "_flags", dict(self._defaults))

    def __getattr__(self, name: str) -> Any:
        if name in self._defaults:
            return self._flags[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._defaults:
            raise AttributeError(f"Unknown attribute {name}")
        self._flags[name] = value


matmul = cuBLASModule()


def is_built() -> bool:
    """Return False: this build was not built with CUDA support.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.is_built()
        False
    """
    return False


# ---- scaled_dot_product_attention backend switches -------------------------------------------
# PyTorch keeps one global on/off flag per attention kernel (all on by default);
# ``nn.attention.sdpa_kernel`` sets them for a block. On the CPU only the math and flash kernels
# exist: ``F.scaled_dot_product_attention`` reads these flags to refuse, as PyTorch does, a call
# for which every usable kernel was switched off (the numbers always come from the math formula).
_SDP_ENABLED = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def flash_sdp_enabled() -> bool:
    """Whether the flash attention kernel is enabled (default ``True``).

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.flash_sdp_enabled()
        True
    """
    return _SDP_ENABLED["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    """Enable or disable the flash attention kernel of ``scaled_dot_product_attention``.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.enable_flash_sdp(False)
        >>> ag.backends.cuda.flash_sdp_enabled()
        False
        >>> ag.backends.cuda.enable_flash_sdp(True)
    """
    _SDP_ENABLED["flash"] = bool(enabled)


def mem_efficient_sdp_enabled() -> bool:
    """Whether the memory-efficient attention kernel is enabled (default ``True``).

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.mem_efficient_sdp_enabled()
        True
    """
    return _SDP_ENABLED["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Enable or disable the memory-efficient attention kernel (a CUDA kernel: no effect on
    the CPU but the flag).

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.enable_mem_efficient_sdp(False)
        >>> ag.backends.cuda.mem_efficient_sdp_enabled()
        False
        >>> ag.backends.cuda.enable_mem_efficient_sdp(True)
    """
    _SDP_ENABLED["mem_efficient"] = bool(enabled)


def math_sdp_enabled() -> bool:
    """Whether the math (reference) attention kernel is enabled (default ``True``).

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.math_sdp_enabled()
        True
    """
    return _SDP_ENABLED["math"]


def enable_math_sdp(enabled: bool) -> None:
    """Enable or disable the math attention kernel of ``scaled_dot_product_attention``.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.enable_math_sdp(False)
        >>> ag.backends.cuda.math_sdp_enabled()
        False
        >>> ag.backends.cuda.enable_math_sdp(True)
    """
    _SDP_ENABLED["math"] = bool(enabled)


def cudnn_sdp_enabled() -> bool:
    """Whether the cuDNN attention kernel is enabled (default ``True``).

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.cudnn_sdp_enabled()
        True
    """
    return _SDP_ENABLED["cudnn"]


def enable_cudnn_sdp(enabled: bool) -> None:
    """Enable or disable the cuDNN attention kernel (a CUDA kernel: no effect on the CPU but
    the flag).

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cuda.enable_cudnn_sdp(False)
        >>> ag.backends.cuda.cudnn_sdp_enabled()
        False
        >>> ag.backends.cuda.enable_cudnn_sdp(True)
    """
    _SDP_ENABLED["cudnn"] = bool(enabled)


@contextlib.contextmanager
def sdp_kernel(enable_flash: bool = True, enable_math: bool = True,
               enable_mem_efficient: bool = True, enable_cudnn: bool = True) -> Iterator[dict]:
    """Deprecated form of ``nn.attention.sdpa_kernel`` (PyTorch warns with a FutureWarning):
    enable the named kernels for the block, disable the others, restore the flags after.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     with ag.backends.cuda.sdp_kernel(enable_math=False):
        ...         print(ag.backends.cuda.math_sdp_enabled())
        False
    """
    warnings.warn("`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context "
                  "manager will be removed. Please see `torch.nn.attention.sdpa_kernel()` for the "
                  "new context manager, with updated signature.", FutureWarning, stacklevel=3)
    previous = dict(_SDP_ENABLED)
    _SDP_ENABLED.update(flash=bool(enable_flash), math=bool(enable_math),
                        mem_efficient=bool(enable_mem_efficient), cudnn=bool(enable_cudnn))
    try:
        yield {}
    finally:
        _SDP_ENABLED.update(previous)
