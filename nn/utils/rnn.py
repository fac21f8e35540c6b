"""Variable-length sequences for the recurrent layers, PyTorch's ``torch.nn.utils.rnn``.

A batch of sequences of different lengths is either padded to one length (``pad_sequence``)
or *packed* (``pack_padded_sequence``, ``pack_sequence``): a ``PackedSequence`` holds the
time steps' rows one after the other, ``batch_sizes[t]`` rows at step ``t`` (the sequences
sorted by decreasing length, so the rows still running come first). ``RNN``, ``LSTM`` and
``GRU`` take a ``PackedSequence`` and return one; each sequence's last hidden state is the one
of its own last step, not of the padding. Everything is made of differentiable ops, so the
gradients reach the padded input.

Example::

    >>> import autograd_core as ag
    >>> from nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> x = ag.arange(6.0).reshape(3, 2, 1)            # 3 steps, 2 sequences
    >>> packed = pack_padded_sequence(x, [3, 1])
    >>> packed.batch_sizes
    tensor([2, 1, 1])
    >>> pad_packed_sequence(packed)[0].squeeze(-1)
    tensor([[0., 1.],
            [2., 0.],
            [4., 0.]])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.registry import refuse_capture

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


class _Fields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_Fields):
    """A packed batch of sequences (a named tuple, as PyTorch's): ``data`` the steps' rows one
    after the other, ``batch_sizes`` (int64) how many rows each step has, ``sorted_indices``
    the batch order of the rows (None when the batch came sorted) and ``unsorted_indices``
    its inverse. Make one with :func:`pack_padded_sequence` or :func:`pack_sequence`.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import pack_sequence
        >>> p = pack_sequence([ag.ones(1), ag.ones(2)], enforce_sorted=False)
        >>> p.batch_sizes, p.sorted_indices
        (tensor([2, 1]), tensor([1, 0]))
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if batch_sizes is None:
            raise TypeError("PackedSequence: batch_sizes is required (make one with "
                            "pack_padded_sequence or pack_sequence)")
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data.to(...)`` (a dtype or ``"cpu"``); the indices stay int64."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, *self[1:])

    def cpu(self) -> PackedSequence:
        """The sequence itself (every tensor is on the CPU)."""
        return self

    def double(self) -> PackedSequence:
        """``data`` as float64."""
        return self.to(ag.float64)

    def float(self) -> PackedSequence:
        """``data`` as float32."""
        return self.to(ag.float32)

    @property
    def is_cuda(self) -> bool:
        """False: tensors live on the CPU."""
        return False

    def is_pinned(self) -> bool:
        """False (no pinned memory without an accelerator)."""
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation of ``0..n-1`` (None stays None).

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import invert_permutation
        >>> invert_permutation(ag.tensor([2, 0, 1]))
        tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    perm = np.asarray(permutation._data if isinstance(permutation, Tensor) else permutation)
    out = np.empty_like(perm, dtype=np.int64)
    out[perm] = np.arange(perm.size)
    return ag.tensor(out)


def _lengths(lengths, batch):
    if isinstance(lengths, Tensor):
        refuse_capture("a tensor of sequence lengths")  # (its values decide the slicing)
        lengths = lengths._data
    arr = np.asarray(lengths)
    if arr.ndim != 1:
        raise RuntimeError(f"pack_padded_sequence: lengths must be 1-D, got {arr.ndim}-D")
    if arr.shape[0] != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{arr.shape[0]} (batch_size={batch})")
    if arr.size and not (np.issubdtype(arr.dtype, np.integer)
                         or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"pack_padded_sequence: lengths must be integers, got {arr.dtype}")
    return arr.astype(np.int64)


def _pack(padded: Tensor, lengths: np.ndarray, sorted_indices: Tensor | None) -> PackedSequence:
    """``padded`` (steps, batch, *) packed by ``lengths`` (already in sorted order)."""
    steps = padded.shape[0]
    if lengths.size and lengths[0] > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({int(lengths[0])}) is larger "
                           f"than the padded input's {steps} steps")
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    n_steps = int(lengths[0]) if lengths.size else 0
    batch_sizes = np.array([(lengths > t).sum() for t in range(n_steps)], np.int64)
    if sorted_indices is not None:
        padded = padded.index_select(1, sorted_indices)
    rows = [padded[t, :int(b)] for t, b in enumerate(batch_sizes)]
    data = ag.cat(rows, 0) if rows else padded.reshape(0, *padded.shape[2:])
    return PackedSequence(data, ag.tensor(batch_sizes), sorted_indices,
                          invert_permutation(sorted_indices))


def pack_padded_sequence(input: Tensor, lengths: Tensor | Sequence[int],
                         batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch: ``input`` of shape ``(T, B, *)`` (``(B, T, *)`` with
    ``batch_first``) whose sequence ``b`` has ``lengths[b]`` steps. With ``enforce_sorted``
    the lengths must be decreasing; otherwise the batch is sorted (``sorted_indices``).

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import pack_padded_sequence
        >>> p = pack_padded_sequence(ag.arange(4.0).reshape(2, 2), [1, 2], enforce_sorted=False)
        >>> p.data, p.batch_sizes
        (tensor([1., 0., 3.]), tensor([2, 1]))
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence: input must be a Tensor, got "
                        f"{type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"pack_padded_sequence: input must have at least 2 dimensions "
                         f"(steps and batch), got {input.ndim}")
    if batch_first:
        input = input.transpose(0, 1)
    lens = _lengths(lengths, input.shape[1])
    sorted_indices = None
    if enforce_sorted:
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = ag.tensor(order.astype(np.int64))
    return _pack(input, lens, sorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: ``(padded, lengths)``, the batch in its original
    order, padded with ``padding_value`` to the longest sequence (or ``total_length`` steps);
    ``lengths`` is int64.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import pack_sequence, pad_packed_sequence
        >>> p = pack_sequence([ag.tensor([1.0]), ag.tensor([2.0, 3.0])], enforce_sorted=False)
        >>> pad_packed_sequence(p, batch_first=True)
        (tensor([[1., 0.],
                [2., 3.]]), tensor([1, 2]))
    """
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    refuse_capture("pad_packed_sequence")  # batch_sizes' values decide the slicing
    data, batch_sizes = sequence.data, np.asarray(sequence.batch_sizes._data, np.int64)
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    batch = int(batch_sizes[0]) if batch_sizes.size else 0
    rows, start = [], 0
    feature = tuple(data.shape[1:])
    for b in batch_sizes:
        b = int(b)
        row = data[start:start + b]
        if b < batch:
            row = ag.cat([row, ag.full((batch - b, *feature), padding_value, dtype=data.dtype)],
                         0)
        rows.append(row)
        start += b
    rows += [ag.full((batch, *feature), padding_value, dtype=data.dtype)] * (
        steps - batch_sizes.size)
    padded = ag.stack(rows, 0) if rows else ag.zeros((0, batch, *feature), dtype=data.dtype)
    lengths = np.array([(batch_sizes > k).sum() for k in range(batch)], np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[np.asarray(sequence.unsorted_indices._data)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, ag.tensor(lengths)


def pad_sequence(sequences: Tensor | Iterable[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack tensors of shapes ``(L_i, *)`` into ``(max L, B, *)`` (``(B, max L, *)`` with
    ``batch_first``), padding each with ``padding_value`` on its ``padding_side``
    (``"right"`` or ``"left"``).

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import pad_sequence
        >>> pad_sequence([ag.tensor([1.0, 2.0]), ag.tensor([3.0])], batch_first=True)
        tensor([[1., 2.],
                [3., 0.]])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    seqs = list(sequences.unbind(0) if isinstance(sequences, Tensor) else sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    for s in seqs:
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: expected a sequence of Tensors, got "
                            f"{type(s).__name__}")
    trailing = tuple(seqs[0].shape[1:])
    for s in seqs:
        if s.ndim == 0 or tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"The size of tensor a ({s.shape[1:] if s.ndim else ()}) must "
                               f"match the size of tensor b ({trailing}): pad_sequence needs "
                               "sequences of one shape but for their first dimension")
    longest = max(s.shape[0] for s in seqs)
    dtype = seqs[0].dtype
    padded = []
    for s in seqs:
        s = s if s.dtype == dtype else s.to(dtype)  # the first sequence's dtype, as PyTorch
        missing = longest - s.shape[0]
        if missing:
            pad = ag.full((missing, *trailing), padding_value, dtype=dtype)
            s = ag.cat([s, pad] if padding_side == "right" else [pad, s], 0)
        padded.append(s)
    return ag.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list[Tensor]:
    """The inverse of :func:`pad_sequence`: the ``B`` sequences, each cut to its length.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import unpad_sequence
        >>> [t.tolist() for t in unpad_sequence(ag.tensor([[1.0, 2.0], [3.0, 0.0]]),
        ...                                     ag.tensor([2, 1]), batch_first=True)]
        [[1.0, 2.0], [3.0]]
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lengths = _lengths(lengths, padded_sequences.shape[0])
    return [padded_sequences[b, :int(n)] for b, n in enumerate(lengths)]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shapes ``(L_i, *)``: :func:`pad_sequence` then
    :func:`pack_padded_sequence`.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import pack_sequence
        >>> pack_sequence([ag.tensor([1.0, 2.0]), ag.tensor([3.0])]).data
        tensor([1., 3., 2.])
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of :func:`pack_sequence`: the sequences, in their original order.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.rnn import pack_sequence, unpack_sequence
        >>> p = pack_sequence([ag.tensor([1.0]), ag.tensor([2.0, 3.0])], enforce_sorted=False)
        >>> [t.tolist() for t in unpack_sequence(p)]
        [[1.0], [2.0, 3.0]]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
