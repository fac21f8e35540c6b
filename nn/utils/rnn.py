"""``nn.utils.rnn`` (PyTorch's ``torch.nn.utils.rnn``): padding a list of variable-length
sequences into one tensor and back. Packed sequences (``PackedSequence``,
``pack_padded_sequence``, ...) are not offered: tapegrad's RNNs take padded batches."""

from __future__ import annotations

from typing import Sequence

import autograd_core as ag
from autograd_core import Tensor
from nn import functional as F

__all__ = ["pad_sequence", "unpad_sequence"]


def pad_sequence(sequences: Tensor | Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack tensors of shapes ``(L_i, *)`` into one ``(L_max, B, *)`` tensor (``(B, L_max, *)``
    with ``batch_first``), each padded with ``padding_value`` to the longest length
    (PyTorch's ``pad_sequence``). Differentiable; the result has the first tensor's dtype.

    Args:
        sequences (list of Tensor): the sequences, ``(L_i, *)`` each, ``*`` the same for all.
        batch_first (bool): put the batch dimension first. Default: ``False``.
        padding_value (float): the value of the padded elements. Default: ``0.0``.
        padding_side (str): ``'right'`` (after each sequence) or ``'left'``.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import pad_sequence
        >>> pad_sequence([ag.tensor([1, 2, 3]), ag.tensor([4])], padding_value=-1)
        tensor([[ 1,  4],
                [ 2, -1],
                [ 3, -1]])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    seqs = list(sequences.unbind(0) if isinstance(sequences, Tensor) else sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    first = seqs[0]
    if any(not isinstance(s, Tensor) or s.ndim == 0 for s in seqs):
        raise TypeError("pad_sequence: expected a list of Tensors of at least one dimension")
    trailing = tuple(first.shape[1:])
    for s in seqs:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence: every sequence must have the trailing shape "
                               f"{list(trailing)} of the first, got {list(s.shape)}")
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        s = s if s.dtype == first.dtype else s.to(first.dtype)
        extra = longest - s.shape[0]
        if extra:
            side = (0, extra) if padding_side == "right" else (extra, 0)
            s = F.pad(s, (0, 0) * len(trailing) + side, value=padding_value)
        padded.append(s)
    return ag.stack(padded, dim=0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor | Sequence[int],
                   batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its sequences (PyTorch's ``unpad_sequence``), the
    inverse of :func:`pad_sequence` with ``padding_side='right'``.

    Args:
        padded_sequences (Tensor): ``(L_max, B, *)``, or ``(B, L_max, *)`` with
            ``batch_first``.
        lengths (Tensor or list of int): each sequence's length.
        batch_first (bool): the batch dimension is first. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import unpad_sequence
        >>> [t.tolist() for t in unpad_sequence(ag.tensor([[1, 4], [2, 0]]), [2, 1])]
        [[1, 2], [4]]
    """
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [batch[i, :int(n)] for i, n in enumerate(lengths)]
