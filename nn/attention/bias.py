"""``nn.attention.bias``: causal masks for ``scaled_dot_product_attention`` when queries and
keys differ in length (PyTorch's ``torch.nn.attention.bias``).

``causal_upper_left(L, S)`` lets query ``i`` see keys ``0..i`` (what ``is_causal=True`` does);
``causal_lower_right(L, S)`` aligns the last query with the last key (query ``i`` sees keys
``0..i + S - L``), the usual mask when new queries attend to a cache. Differs from PyTorch: a
``CausalBias`` here is the boolean ``(L, S)`` mask itself (a Tensor), where PyTorch's is a
Tensor subclass without data that ``scaled_dot_product_attention`` recognises; the results
are the same.
"""

from __future__ import annotations

import enum
import warnings

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

__all__ = ["CausalVariant", "CausalBias", "causal_upper_left", "causal_lower_right"]


class CausalVariant(enum.IntEnum):
    """Where the causal triangle is anchored: ``UPPER_LEFT`` (1) or ``LOWER_RIGHT`` (2).

    Example::

        >>> from nn.attention.bias import CausalVariant
        >>> CausalVariant.LOWER_RIGHT
        <CausalVariant.LOWER_RIGHT: 2>
    """

    UPPER_LEFT = 1
    LOWER_RIGHT = 2


class CausalBias(Tensor):
    """A causal attention mask of ``seq_len_q`` queries by ``seq_len_kv`` keys (``True``: may
    attend), made by :func:`causal_upper_left` / :func:`causal_lower_right`; pass it as
    ``attn_mask``. ``_materialize()`` returns it as a plain boolean tensor, as PyTorch's.

    Example::

        >>> from nn.attention.bias import causal_lower_right
        >>> causal_lower_right(2, 3)._materialize()
        tensor([[ True,  True, False],
                [ True,  True,  True]])
    """

    def __init__(self, variant: CausalVariant, seq_len_q: int, seq_len_kv: int) -> None:
        if not isinstance(variant, CausalVariant):
            raise AssertionError(f"variant must be a CausalVariant, got {type(variant).__name__}")
        self.variant = variant
        self.seq_len_q = seq_len_q
        self.seq_len_kv = seq_len_kv
        if seq_len_q > seq_len_kv and variant == CausalVariant.LOWER_RIGHT:
            warnings.warn("Lower right causal bias will produce NaNs in the output when "
                          "seq_len_q > seq_len_kv!", stacklevel=3)
        offset = 0 if variant == CausalVariant.UPPER_LEFT else seq_len_kv - seq_len_q
        Tensor._init_array(self, np.tril(np.ones((seq_len_q, seq_len_kv), np.bool_), offset),
                           False)

    def _upper_left(self, device: object = None) -> Tensor:
        return ag.tril(ag.ones(self.seq_len_q, self.seq_len_kv, dtype=ag.bool))

    def _lower_right(self, device: object = None) -> Tensor:
        return ag.tril(ag.ones(self.seq_len_q, self.seq_len_kv, dtype=ag.bool),
                       diagonal=self.seq_len_kv - self.seq_len_q)

    def _materialize(self, device: object = None) -> Tensor:
        if self.variant == CausalVariant.UPPER_LEFT:
            return self._upper_left(device)
        return self._lower_right(device)


def causal_upper_left(*size: int) -> CausalBias:
    """The causal mask anchored at the top left (query ``i`` sees keys ``0..i``).

    Example::

        >>> from nn.attention.bias import causal_upper_left
        >>> causal_upper_left(2, 3)._materialize()
        tensor([[ True, False, False],
                [ True,  True, False]])
    """
    if len(size) != 2:
        raise AssertionError("causal_upper_left only supports 2D tensors")
    seq_len_q, seq_len_kv = size
    return CausalBias(CausalVariant.UPPER_LEFT, seq_len_q, seq_len_kv)


def causal_lower_right(*size: int) -> CausalBias:
    """The causal mask anchored at the bottom right (the last query sees every key).

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> from nn.attention.bias import causal_lower_right
        >>> q, kv = ag.ones(1, 2, 4), ag.ones(1, 3, 4)
        >>> F.scaled_dot_product_attention(q, kv, kv, causal_lower_right(2, 3)).shape
        autograd_core.Size([1, 2, 4])
    """
    if len(size) != 2:
        raise AssertionError("causal_lower_right only supports 2D tensors")
    seq_len_q, seq_len_kv = size
    return CausalBias(CausalVariant.LOWER_RIGHT, seq_len_q, seq_len_kv)
