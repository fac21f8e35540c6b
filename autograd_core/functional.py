"""PyTorch's ``torch.functional`` module: the tensor functions PyTorch writes in Python
(``einsum``, ``meshgrid``, ``split``, ``cdist``, ``norm``, ...), here the same functions as the
top level's. A program's ``import torch.functional as F`` (the introyt "Building Models"
tutorial) imports it; its ``F`` is ``nn.functional``, as PyTorch's is ``torch.nn.functional``.

``svd_lowrank`` and ``pca_lowrank`` are PyTorch's randomized approximations of the truncated
SVD (a Gaussian start drawn from the global generator, ``niter`` subspace iterations): exact
when ``q`` covers the rank.

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


def _floating(A: Tensor) -> Any:
    """``A``'s dtype if floating point, else float32 (PyTorch's ``_utils.get_floating_dtype``)."""
    from autograd_core import float32
    return A.dtype if A.is_floating_point() or A.is_complex() else float32


def _approximate_basis(A: Tensor, q: builtins.int, niter: builtins.int,
                       M: Tensor | None) -> Tensor:
    """``Q`` with ``q`` orthonormal columns such that ``Q Q^H (A - M)`` approximates ``A - M``:
    Halko et al.'s randomized range finder with ``niter`` subspace iterations, drawing its
    ``(n, q)`` start from the global generator as PyTorch does."""
    from autograd_core import randn

    def product(left: Tensor, right: Tensor, mean: Tensor | None) -> Tensor:
        x = left.matmul(right)
        return x if mean is None else x - mean.matmul(right)

    Q = linalg.qr(product(A, randn(A.shape[-1], q, dtype=_floating(A)), M)).Q
    for _ in range(niter):
        Q = linalg.qr(product(A.mH, Q, None if M is None else M.mH)).Q
        Q = linalg.qr(product(A, Q, M)).Q
    return Q


def svd_lowrank(A: Tensor, q: builtins.int | None = 6, niter: builtins.int | None = 2,
                M: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Return ``(U, S, V)``, approximately the ``q`` leading singular triplets of ``A - M``
    (``M`` broadcast; ``A`` of shape ``(*, m, n)``), so that ``A - M ~ U diag(S) V^T``:
    PyTorch's randomized algorithm (Halko et al. 2009; a Gaussian ``(n, q)`` start from the
    global generator, ``niter`` subspace iterations, then the SVD of the projection), so with
    one seed the results and the random numbers drawn are PyTorch's. Exact when ``q`` covers
    the rank of ``A - M``; differentiable through ``linalg.qr`` and ``linalg.svd``.

    Args:
        A (Tensor): the input matrix (or batch).
        q (int, optional): the number of components. Default: 6.
        niter (int, optional): the number of subspace iterations. Default: 2.
        M (Tensor, optional): subtracted from ``A`` (never formed). Default: None.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(0)
        >>> U, S, V = ag.svd_lowrank(ag.tensor([[3.0, 0.0], [4.0, 0.0], [0.0, 0.0]]), q=1)
        >>> U.shape, S.round(decimals=4), V.abs().round(decimals=4)  # exact: rank 1
        (autograd_core.Size([3, 1]), tensor([5.]), tensor([[1.],
                [0.]]))
    """
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:  # the range finder works on the taller side
        A = A.mH
        M = None if M is None else M.mH
    Q = _approximate_basis(A, q, niter, M)
    B = Q.mH.matmul(A)
    if M is not None:
        B = B - Q.mH.matmul(M)
    U, S, Vh = linalg.svd(B, full_matrices=False)
    U, V = Q.matmul(U), Vh.mH
    return (V, S, U) if m < n else (U, S, V)


def pca_lowrank(A: Tensor, q: builtins.int | None = None, center: builtins.bool = True,
                niter: builtins.int = 2) -> tuple[Tensor, Tensor, Tensor]:
    """Return ``(U, S, V)`` of the principal component analysis of ``A`` ``(*, m, n)``: about
    its ``q`` leading singular triplets after subtracting each column's mean (with
    ``center``); the projections onto the components are ``A_centered @ V``. PyTorch's
    randomized ``svd_lowrank`` (same random draws; exact when ``q`` covers the rank).

    Args:
        A (Tensor): the data, one sample per row.
        q (int, optional): the number of components. Default: ``min(6, m, n)``.
        center (bool): subtract the column means first. Default: True.
        niter (int): the number of subspace iterations. Default: 2.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
        >>> U, S, V = ag.pca_lowrank(A, q=1)
        >>> S.round(decimals=4), V.abs().round(decimals=4)
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
