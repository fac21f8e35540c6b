"""Distance modules: ``CosineSimilarity`` and ``PairwiseDistance`` (their ``nn.functional``
forms do the work)."""

from __future__ import annotations

from autograd_core import Tensor
from nn import functional as F
from nn.module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    r"""Returns the cosine similarity of ``x1`` and ``x2`` along ``dim``
    (see :func:`nn.functional.cosine_similarity`).

    Args:
        dim (int): the dimension of the vectors. Default: 1.
        eps (float): the smallest norm divided by. Default: ``1e-8``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.CosineSimilarity(dim=0)(ag.tensor([1.0, 0.0]), ag.tensor([1.0, 1.0]))
        tensor(0.7071)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    r"""Returns the ``p``-norm of ``x1 - x2 + eps`` along the last dimension
    (see :func:`nn.functional.pairwise_distance`).

    Args:
        p (float): the norm's order. Default: 2.
        eps (float): added to the difference. Default: ``1e-6``.
        keepdim (bool): keep the reduced dimension. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.PairwiseDistance(eps=0.0)(ag.tensor([[3.0, 4.0]]), ag.zeros(1, 2))
        tensor([5.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
