"""``Embedding``: a lookup table of ``num_embeddings`` vectors of size ``embedding_dim``;
``EmbeddingBag``: sums, means or maxima of bags of its rows."""

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

__all__ = ["Embedding", "EmbeddingBag"]


def _padding_index(padding_idx, num_embeddings, word="Padding_idx"):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:  # (EmbeddingBag's: padding_idx)
        raise AssertionError(f"{word} must be within num_embeddings")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def _init_weight(module, _weight, freeze, dtype):
    """``module.weight``: ``N(0, 1)`` draws (padding row zeroed), or a copy of ``_weight``."""
    shape = (module.num_embeddings, module.embedding_dim)
    if _weight is None:
        dtype = np.dtype(dtype) if dtype is not None else ag.get_default_dtype()
        module.weight = Parameter(np.empty(shape, dtype=dtype), requires_grad=not freeze)
        module.reset_parameters()
    else:
        w = _weight._data if isinstance(_weight, ag.Tensor) else np.asarray(_weight)
        if tuple(w.shape) != shape:
            raise AssertionError("Shape of weight does not match num_embeddings and "
                                 "embedding_dim")
        module.weight = Parameter(np.array(w, copy=True), requires_grad=not freeze)


def _zero_padding_row(module):
    if module.padding_idx is not None:
        with ag.no_grad():
            module.weight[module.padding_idx] = 0


def _pretrained_shape(embeddings):
    shape = tuple(np.shape(embeddings._data if isinstance(embeddings, ag.Tensor)
                           else embeddings))
    if len(shape) != 2:
        raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
    return shape


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``.

    ``weight`` is initialised ``N(0, 1)`` as in PyTorch. The row at ``padding_idx`` starts at
    zero and gets no gradient. With ``sparse=True`` ``weight.grad`` is a sparse COO tensor
    (``optimizers.SparseAdam``, ``SGD`` and ``Adagrad`` take it), as in PyTorch. With
    ``max_norm``, each forward first scales the rows it looks up down to that norm, in place,
    as in PyTorch. See ``F.embedding`` for the sparse gradient's limits.

    Args:
        num_embeddings (int): size of the table.
        embedding_dim (int): size of each vector.
        padding_idx (int, optional): a row kept at zero that gets no gradient.
        max_norm (float, optional): renormalise the rows looked up to this norm at most, in
            place, in each forward. Default: ``None``.
        norm_type (float): the p of the p-norm for ``max_norm``. Default: ``2.0``.
        scale_grad_by_freq (bool): divide the gradients by the indices' frequencies in the
            mini-batch. Default: ``False``.
        sparse (bool): ``weight.grad`` is a sparse COO tensor. Default: ``False``.
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
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        _init_weight(self, _weight, _freeze, dtype)

    def reset_parameters(self) -> None:
        """Re-draws ``weight`` from ``N(0, 1)`` and zeroes the ``padding_idx`` row."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        _zero_padding_row(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
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
        shape = _pretrained_shape(embeddings)
        return cls(shape[0], shape[1], _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


class EmbeddingBag(Module):
    """Sums, means or maxima of bags of rows of a table of ``num_embeddings`` vectors of size
    ``embedding_dim``, without building the per-index embeddings (``F.embedding_bag``).

    ``weight`` is initialised ``N(0, 1)`` as in PyTorch; the row at ``padding_idx`` starts at
    zero, and indices equal to it are left out of their bag. ``forward(input, offsets=None,
    per_sample_weights=None)`` takes ``(B, N)`` indices, or 1-D indices with the ``offsets``
    where each bag starts. ``scale_grad_by_freq`` and ``sparse`` (modes ``'sum'`` and
    ``'mean'``) and ``max_norm`` as for ``Embedding``.

    Args:
        num_embeddings (int): size of the table.
        embedding_dim (int): size of each vector.
        max_norm (float, optional): renormalise the rows looked up to this norm at most, in
            place, in each forward. Default: ``None``.
        norm_type (float): the p of the p-norm for ``max_norm``. Default: ``2.0``.
        scale_grad_by_freq (bool): divide the gradients by the indices' frequencies in the
            mini-batch. Default: ``False``.
        mode (str): ``'sum'``, ``'mean'`` or ``'max'``. Default: ``'mean'``.
        sparse (bool): ``weight.grad`` is a sparse COO tensor (not with ``'max'``).
            Default: ``False``.
        include_last_offset (bool): ``offsets`` ends with the end of the last bag.
            Default: ``False``.
        padding_idx (int, optional): an index left out of the bags (its row starts at zero and
            gets no gradient). Default: ``None``.
        device: only ``None`` or ``'cpu'``.
        dtype (dtype, optional): weight dtype. Default: the default dtype.

    Shape:
        - Input: ``(B, N)``, or ``(L,)`` with ``offsets`` ``(B,)`` (``(B + 1,)`` with
          ``include_last_offset``); int32 or int64.
        - Output: ``(B, embedding_dim)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> bag = nn.EmbeddingBag(10, 3, mode="sum")
        >>> text, offsets = ag.tensor([1, 2, 4, 5, 4, 3, 2, 9]), ag.tensor([0, 4])
        >>> bag(text, offsets).shape
        autograd_core.Size([2, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight: Any = None, include_last_offset: bool = False,
                 padding_idx: int | None = None, device: Any = None, dtype: Any = None) -> None:
        num_embeddings = _check.size("EmbeddingBag", "num_embeddings", num_embeddings)
        embedding_dim = _check.size("EmbeddingBag", "embedding_dim", embedding_dim)
        _check.device("EmbeddingBag", device)
        if mode not in ("sum", "mean", "max"):
            raise ValueError("mode has to be one of sum, mean or max")
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.padding_idx = _padding_index(padding_idx, num_embeddings, "padding_idx")
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset
        _init_weight(self, _weight, False, dtype)

    def reset_parameters(self) -> None:
        """Re-draws ``weight`` from ``N(0, 1)`` and zeroes the ``padding_idx`` row."""
        init.normal_(self.weight)
        _zero_padding_row(self)

    def forward(self, input: Tensor, offsets: Tensor | None = None,
                per_sample_weights: Tensor | None = None) -> Tensor:
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               mode=self.mode,
                               per_sample_weights=per_sample_weights,
                               include_last_offset=self.include_last_offset,
                               padding_idx=self.padding_idx,
                               scale_grad_by_freq=self.scale_grad_by_freq, sparse=self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> EmbeddingBag:
        """An EmbeddingBag holding a copy of the 2-D ``embeddings``.

        Args:
            embeddings (Tensor or array): the table ``(num_embeddings, embedding_dim)``.
            freeze (bool): the weight does not require grad. Default: ``True``.
            max_norm, norm_type, scale_grad_by_freq, mode, sparse, include_last_offset,
                padding_idx: as in the constructor.

        Example::

            >>> import autograd_core as ag
            >>> import nn
            >>> bag = nn.EmbeddingBag.from_pretrained(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
            >>> bag(ag.tensor([[0, 1]]))
            tensor([[2., 3.]])
        """
        rows, cols = _pretrained_shape(embeddings)
        bag = cls(rows, cols, max_norm=max_norm, norm_type=norm_type,
                  scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  _weight=embeddings, include_last_offset=include_last_offset,
                  padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
