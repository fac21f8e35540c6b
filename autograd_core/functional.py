"""PyTorch's ``torch.functional`` module: the tensor functions PyTorch writes in Python
(``einsum``, ``meshgrid``, ``split``, ``cdist``, ``norm``, ...), here the same functions as the
top level's. A program's ``import torch.functional as F`` (the introyt "Building Models"
tutorial) imports it; its ``F`` is ``nn.functional``, as PyTorch's is ``torch.nn.functional``.

``chain_matmul``, ``pca_lowrank`` and ``svd_lowrank`` are not provided.

Example::

    >>> import autograd_core.functional as F
    >>> import autograd_core as ag
    >>> F.einsum("i,i->", ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
    tensor(11.)
"""

from __future__ import annotations

import importlib
from typing import Any

from autograd_core import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_shapes,
                           broadcast_tensors, cartesian_prod, cdist, chain_matmul, einsum,
                           istft, lu, meshgrid, norm, split, stft, tensordot, unique,
                           unique_consecutive, unravel_index)

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
           "broadcast_tensors", "cartesian_prod", "cdist", "chain_matmul", "einsum", "istft", "lu",
           "meshgrid", "norm", "split", "stft", "tensordot", "unique", "unique_consecutive",
           "unravel_index"]


def __getattr__(name: str) -> Any:
    if name == "F":  # torch.functional.F is torch.nn.functional (loaded when asked)
        return importlib.import_module("nn.functional")
    raise AttributeError(f"module 'autograd_core.functional' has no attribute '{name}'")
