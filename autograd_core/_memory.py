"""Which array owns a tensor's memory (PyTorch's storage) and where the tensor lies in it.

A tensor's storage is the array at the end of its array's numpy ``base`` chain. ``from_numpy``
and ``as_tensor`` of part of a larger array start a chain of their own (``own_extent``): the
storage is then that part's memory, from its first element to its last, as PyTorch's
``from_numpy`` sees it (``storage_offset()`` 0, ``as_strided`` never reaching the rest).
"""

from __future__ import annotations

import numpy as np


def storage(a):
    """The array owning ``a``'s memory (PyTorch's storage), its first byte, its size in
    bytes."""
    root = a
    while True:
        base = root.base
        if not isinstance(base, np.ndarray):  # numpy's as_strided: through its DummyArray
            base = getattr(base, "base", None)
        if not isinstance(base, np.ndarray):
            return root, root.__array_interface__["data"][0], root.nbytes
        root = base


class _Extent:
    """Bytes ``[start, start + nbytes)`` of ``owner``'s memory as an object numpy wraps (its
    array interface); it holds ``owner``, and has no ``base`` for ``storage`` to follow."""

    def __init__(self, owner, start, nbytes):
        self.owner = owner
        self.__array_interface__ = {"data": (start, not owner.flags.writeable), "version": 3,
                                    "shape": (nbytes,), "typestr": "|u1"}


def own_extent(a):
    """A view of ``a`` whose storage is ``a``'s own memory, first element to last (``a.view()``
    when its storage is that already: an array owning its memory)."""
    if a.base is None or not a.size:
        return a.view()
    start = a.__array_interface__["data"][0]
    lo = start + sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s < 0)
    hi = start + sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s > 0) + a.itemsize
    _, first, nbytes = storage(a)
    if lo == first and hi - lo == nbytes:
        return a.view()
    raw = np.asarray(_Extent(a, lo, hi - lo))
    return np.ndarray(a.shape, a.dtype, buffer=raw, offset=start - lo, strides=a.strides)


def storage_bytes(a):
    """The memory of the array owning ``a``'s, as a flat uint8 array in address order (it
    writes when that array does), and where ``a`` starts in it, in bytes; None and 0 when that
    memory is not one dense block."""
    root, start, _ = storage(a)
    # the root's dims from the largest step (a transposed result is one dense block too)
    dense = root.transpose(sorted(range(root.ndim), key=lambda d: -root.strides[d]))
    if not dense.flags.c_contiguous:
        return None, 0
    return dense.reshape(-1).view(np.uint8), a.__array_interface__["data"][0] - start
