"""``autograd_core.backends.cuda``: CUDA settings as PyTorch's; this build has only the CPU.

Programs written for a GPU set these flags at start-up (nanoGPT's ``train.py`` sets
``torch.backends.cuda.matmul.allow_tf32 = True``); they are kept and have no effect here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_built", "matmul", "cuBLASModule"]


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
