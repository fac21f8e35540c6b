"""Which elements ATen's CPU elementwise loop computes in its scalar code, not its vector code.

ATen's ``cpu_kernel_vec`` runs a TensorIterator's innermost (coalesced) dimension in blocks of
two vectors; the rest of each row (and every row whose strides are neither contiguous nor
contiguous-with-one-broadcast-operand) goes through the scalar lambda. For most ops both give
the same numbers; where they round differently (float16 ``add``/``sub`` with ``alpha``) the
caller needs to know which element took which path. This models a one-thread loop (PyTorch
splits tensors of 32768 elements or more between its threads, each chunk with its own tail).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: two of ATen's x86 float16 vectors (256-bit registers), in elements. The same on AVX-512
#: CPUs: the kernels modelled here (``add``, ``mul``) are registered with ``REGISTER_DISPATCH``,
#: which leaves the AVX-512 slot empty, so PyTorch runs their AVX2 code there too (measured
#: on an AVX-512 Xeon: a row of 41 float16 elements takes the scalar code from element 32)
HALF_BLOCK = 32


def _strides(x: np.ndarray, shape: tuple) -> list[int]:
    """``x``'s strides in elements over the broadcast ``shape`` (0 where it is broadcast)."""
    pad = len(shape) - x.ndim
    own = [s // x.itemsize for s in x.strides]
    return [0 if d < pad or (x.shape[d - pad] == 1 and shape[d] != 1) else own[d - pad]
            for d in range(len(shape))]


def _order(strides: list[list[int]], shape: tuple) -> list[int]:
    """TensorIterator's ``reorder_dimensions``: the dims, fastest first (an insertion sort by
    the operands' strides, broadcast dims ambiguous, equal strides putting the smaller dim
    first)."""
    def swap(d0, d1):
        for st in strides:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    return insertion_order(len(shape), swap)


def insertion_order(ndim: int, swap: Callable[[int, int], int]) -> list[int]:
    """The dims, innermost first, as ATen sorts them (``reorder_dimensions``, and the dense
    order of a copy): an insertion sort from the last dim, where ``swap(a, b) > 0`` puts ``a``
    outside ``b``, ``< 0`` keeps the order and ``0`` is ambiguous (look further)."""
    perm = list(range(ndim))[::-1]
    for i in range(1, ndim):
        j = i
        for k in range(i - 1, -1, -1):
            c = swap(perm[k], perm[j])
            if c > 0:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
            elif c < 0:
                break
    return perm


def loop_rows(inputs: list[np.ndarray], shape: tuple, block: int) -> tuple:
    """How ATen's loop over ``inputs`` (broadcast to a non-empty ``shape``) runs:
    ``(inner, cut, broadcast, c_order, positions)``: rows of ``inner`` elements (the coalesced
    innermost dimension), each running its first ``cut`` elements in the vector code and the
    rest in the scalar code; ``broadcast``: a vectorised row has a stride-0 operand;
    ``c_order``: the rows follow one another in ``shape``'s C order (element ``i`` of the C
    order is then at ``i % inner`` of its row); ``positions()``: an int array of ``shape``,
    each element's position in its row."""
    strides = [_strides(np.asarray(x), shape) for x in inputs]
    perm = _order(strides, shape)
    ps = [[st[d] for d in perm] for st in strides]
    sizes = [shape[d] for d in perm]
    inner, k = sizes[0], 1  # ATen's coalescing into dim 0 (the output, contiguous in this
    while k < len(sizes) and (inner == 1 or sizes[k] == 1 or all(  # order, always merges)
            st[k] == st[0] * inner for st in ps)):
        if inner == 1:
            for st in ps:
                st[0] = st[k]
        inner *= sizes[k]
        k += 1
    lead = [st[0] for st in ps]
    vector = all(s == 1 for s in lead) or (lead.count(0) == 1 and set(lead) <= {0, 1})
    cut = inner // block * block if vector else 0
    c_order = perm == list(range(len(shape)))[::-1]

    def positions():
        if c_order:
            return np.arange(int(np.prod(shape))).reshape(shape) % max(inner, 1)
        flat = np.arange(int(np.prod(shape))).reshape(sizes[::-1])  # iteration order
        return np.transpose(flat, np.argsort(perm[::-1])) % inner

    return inner, cut, vector and 0 in lead, c_order, positions


def scalar_elements(inputs: list[np.ndarray], shape: tuple,
                    block: int = HALF_BLOCK) -> np.ndarray | None:
    """A bool array of ``shape``: True where ATen's loop over ``inputs`` (broadcast to
    ``shape``, the output allocated in their layout) runs the scalar lambda; ``None`` when no
    element does."""
    shape = tuple(shape)
    if not shape:
        return np.ones((), bool)
    inner, cut, _, _, positions = loop_rows(inputs, shape, block)
    if cut == inner:
        return None
    return positions() >= cut
