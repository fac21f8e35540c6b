"""PyTorch's ``torch.functional`` module: the tensor functions PyTorch writes in Python
(``einsum``, ``meshgrid``, ``split``, ``cdist``, ``norm``, ...), here the same functions as the
top level's. A program's ``import torch.functional as F`` (the introyt "Building Models"
tutorial) imports it; its ``F`` is ``nn.functional``, as PyTorch's is ``torch.nn.functional``.

``svd_lowrank`` and ``pca_lowrank`` compute the exact SVD truncated to ``q`` components
(PyTorch's are randomized approximations of it, with ``niter`` power iterations: equal when
``q`` covers the rank, closer to the exact answer otherwise).

Example::

    >>> import autograd_core.functional as F
    >>> import autograd_core as ag
    >>> F.einsum("i,i->", ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]))
    tensor(11.)
"""

from __future__ import annotations

import importlib
import builtins
from typing import Any

from autograd_core import linalg
from autograd_core.tensor import Tensor
from autograd_core import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_shapes,
                           broadcast_tensors, cartesian_prod, cdist, chain_matmul, einsum,
                           istft, lu, meshgrid, norm, split, stft, tensordot, unique,
                           unique_consecutive, unravel_index)

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
           "broadcast_tensors", "cartesian_prod", "cdist", "chain_matmul", "einsum", "istft", "lu",
           "meshgrid", "norm", "pca_lowrank", "split", "stft", "svd_lowrank", "tensordot",
           "unique", "unique_consecutive", "unravel_index"]


def svd_lowrank(A: Tensor, q: builtins.int | None = 6, niter: builtins.int | None = 2,
                M: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Return ``(U, S, V)``, the ``q`` leading singular triplets of ``A - M`` (``M`` broadcast;
    ``A`` of shape ``(*, m, n)``): ``U`` ``(*, m, k)``, ``S`` ``(*, k)``, ``V`` ``(*, n, k)``,
    ``k = min(q, m, n)``, so that ``A - M ~ U diag(S) V^T``. Exact (a truncated full SVD;
    PyTorch's is randomized, ``niter`` is accepted); differentiable through ``linalg.svd``.

    Args:
        A (Tensor): the input matrix (or batch).
        q (int, optional): the number of components. Default: 6.
        niter (int, optional): accepted (PyTorch's power iterations). Default: 2.
        M (Tensor, optional): subtracted from ``A`` first. Default: None.

    Example::

        >>> import autograd_core as ag
        >>> U, S, V = ag.svd_lowrank(ag.tensor([[3.0, 0.0], [0.0, 2.0], [0.0, 0.0]]), q=1)
        >>> U.shape, S, V.abs()
        (autograd_core.Size([3, 1]), tensor([3.]), tensor([[1.],
                [0.]]))
    """
    if M is not None:
        A = A - M
    m, n = A.shape[-2:]
    k = min(6 if q is None else q, m, n)
    U, S, Vh = linalg.svd(A, full_matrices=False)
    return U[..., :k], S[..., :k], Vh[..., :k, :].transpose(-2, -1)


def pca_lowrank(A: Tensor, q: builtins.int | None = None, center: builtins.bool = True,
                niter: builtins.int = 2) -> tuple[Tensor, Tensor, Tensor]:
    """Return ``(U, S, V)`` of the principal component analysis of ``A`` ``(*, m, n)``: its
    ``q`` leading singular triplets after subtracting each column's mean (with ``center``);
    the projections onto the components are ``A_centered @ V``. Exact (PyTorch's is a
    randomized approximation; ``niter`` is accepted).

    Args:
        A (Tensor): the data, one sample per row.
        q (int, optional): the number of components. Default: ``min(6, m, n)``.
        center (bool): subtract the column means first. Default: True.
        niter (int): accepted (PyTorch's power iterations). Default: 2.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
        >>> U, S, V = ag.pca_lowrank(A, q=1)
        >>> S, V.abs()
        (tensor([2.]), tensor([[0.7071],
                [0.7071]]))
    """
    if not isinstance(A, Tensor):
        raise TypeError(f"pca_lowrank(): argument 'A' must be Tensor, not {type(A).__name__}")
    m, n = A.shape[-2:]
    q = min(6, m, n) if q is None else q
    if not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)="
                         f"{min(m, n)}")
    if niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        A = A - A.mean(dim=-2, keepdim=True)
    return svd_lowrank(A, q, niter)


def __getattr__(name: str) -> Any:
    if name == "F":  # torch.functional.F is torch.nn.functional (loaded when asked)
        return importlib.import_module("nn.functional")
    raise AttributeError(f"module 'autograd_core.functional' has no attribute '{name}'")
