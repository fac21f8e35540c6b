"""``Embedding``: a lookup table of ``num_embeddings`` vectors of size ``embedding_dim``."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from nn import functional as F
from nn import init
from nn.layers import _check
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["Embedding"]


def _padding_index(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``.

    ``weight`` is initialised ``N(0, 1)`` as in PyTorch. The row at ``padding_idx`` starts at
    zero and gets no gradient. Differs from PyTorch: ``max_norm``, ``scale_grad_by_freq`` and
    ``sparse`` are refused (NotImplementedError).

    Args:
        num_embeddings (int): size of the table.
        embedding_dim (int): size of each vector.
        padding_idx (int, optional): a row kept at zero that gets no gradient.
        max_norm (float, optional): not supported; must be ``None``.
        norm_type (float): unused (goes with ``max_norm``). Default: ``2.0``.
        scale_grad_by_freq (bool): not supported; must be ``False``.
        sparse (bool): not supported; must be ``False``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): weight dtype. Default: the default dtype.

    Shape:
        - Input: ``(*)``, int32 or int64 indices.
        - Output: ``(*, embedding_dim)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> emb = nn.Embedding(10, 3, padding_idx=0)
        >>> emb(ag.tensor([[1, 2, 4], [4, 3, 0]])).shape
        autograd_core.Size([2, 3, 3])
        >>> emb.weight[0].tolist()
        [0.0, 0.0, 0.0]
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Any = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        num_embeddings = _check.size("Embedding", "num_embeddings", num_embeddings)
        embedding_dim = _check.size("Embedding", "embedding_dim", embedding_dim)
        if max_norm is not None:
            raise NotImplementedError("Embedding: max_norm (renormalising rows in place) is not "
                                      "supported here")
        if scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: scale_grad_by_freq and sparse gradients are "
                                      "not supported here")
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            dtype = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            w = _weight._data if isinstance(_weight, ag.Tensor) else np.asarray(_weight)
            if tuple(w.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(np.array(w, copy=True), requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Re-draws ``weight`` from ``N(0, 1)`` and zeroes the ``padding_idx`` row."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        if self.padding_idx is not None:
            with ag.no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding holding a copy of the 2-D ``embeddings``.

        Args:
            embeddings (Tensor or array): the table ``(num_embeddings, embedding_dim)``.
            freeze (bool): the weight does not require grad. Default: ``True``.
            padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse: as in the constructor.

        Example::

            >>> import autograd_core as ag
            >>> import nn
            >>> emb = nn.Embedding.from_pretrained(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
            >>> emb(ag.tensor([1]))
            tensor([[3., 4.]])
        """
        shape = tuple(np.shape(embeddings._data if isinstance(embeddings, ag.Tensor)
                               else embeddings))
        if len(shape) != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        return cls(shape[0], shape[1], _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
