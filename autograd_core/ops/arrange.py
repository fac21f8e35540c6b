"""Shape, indexing and construction ops PyTorch programs use (issue 12): flips, rolls, moved
dims, narrow, the stacks, take, ``diff``, ``trace``, ``tensordot``, ``kron``, matrix-vector
products, ``cdist``, and the index builders (``nonzero``, ``unique``, ``searchsorted``, ...).

The differentiable ones are compositions of existing ops (indexing with constant index arrays
made from shapes, ``cat``, ``permute``, ``reshape``, ``matmul``), so their gradients, second
derivatives and ``ag.compile`` replay come from those ops. The index builders return int64 (or
bool, or the input's dtype for ``histc``) tensors that are not differentiable, as in PyTorch.
"""

from __future__ import annotations

import builtins
import itertools
import math
import warnings
from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from autograd_core.node import Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.binary import result_type
from autograd_core.ops.index import Index, getitem, take_unsaved
from autograd_core.ops.linalg import bmm, matmul, scaled_sum
from autograd_core.ops.pieces import constant_pad_nd, slices
from autograd_core.ops.registry import Sample, op, refuse_capture
from autograd_core.ops.scatter import gather
from autograd_core.ops.shape import Permute, _as_view, cat, permute, reshape, stack, transpose
from autograd_core.tensor import CPP_NAMES, Tensor


def _along(x: Tensor, d: int, index: Any) -> Tensor:
    """``x`` indexed by ``index`` (a slice or an int64 array) along dim ``d``. With an array
    (``roll``, ``repeat_interleave``) the node keeps no index for its backward, as PyTorch's
    rules need none: a second backward through it is allowed there too."""
    key = (slice(None),) * d + (index,)
    return getitem(x, key) if isinstance(index, slice) else take_unsaved(x, key)


def _dims(dims: Any) -> tuple:
    return tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)


def _const(arr: Any) -> Tensor:
    return xp.constant(arr)


def _mat(a: Tensor) -> Tensor:
    """Any tensor as a matrix (for samples): ``(shape[0], rest)``, a 0-d one as ``(1, 1)``."""
    return reshape(a, (1, 1) if a.ndim == 0 else (a.shape[0], math.prod(a.shape[1:])))


def _first(a: Tensor, n: int) -> Tensor:
    """The first ``n`` entries of ``a`` flattened (for samples)."""
    return getitem(reshape(a, (-1,)), slice(0, n))


def _result(arr: Any) -> Tensor:
    """A non-differentiable result made from an input's values (indices, counts, masks)."""
    return Tensor._make(np.asarray(arr), None, False)


class NoDerivative(Node):
    """An output PyTorch records with a node whose derivative is not implemented (``unique``'s
    values): it requires grad with the input, and backward raises PyTorch's error naming
    ``what``; ``node`` is PyTorch's node name."""

    def forward(self, a, out, what, node):
        self.what, self._grad_fn = what, node
        return out

    def backward(self, g):
        raise NotImplementedError(f"the derivative for '{self.what}' is not implemented.")


# ---- transposes, flips, rolls ----------------------------------------------------------------


class MatrixT(Permute):
    """``t``: a permutation under PyTorch's name of the node."""


@op("t", node=MatrixT, grad_fn="TBackward0",
    samples=[Sample("t", lambda a: t(_mat(a) if a.ndim > 2 else a))])
def t(input: Tensor) -> Tensor:
    """Return the transpose of a tensor of at most 2 dimensions (0-d and 1-d come back as is).

    Args:
        input (Tensor): a tensor of at most 2 dimensions.

    Example::

        >>> import autograd_core as ag
        >>> ag.t(ag.tensor([[1, 2, 3]]))
        tensor([[1],
                [2],
                [3]])
    """
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    return _as_view(MatrixT.apply(input, axes=tuple(range(input.ndim - 1, -1, -1))), input)


@op("flip", method=True, samples=[Sample("flip", lambda a: flip(a, list(range(a.ndim))), min_ndim=1)])
def flip(input: Tensor, dims: Any, *more: Any) -> Tensor:
    """Reverse the order of ``input`` along each of ``dims`` (a copy, as PyTorch's).

    Args:
        input (Tensor): the input tensor.
        dims (int or sequence of ints): the dimensions to reverse (``flip(0, 1)``,
            ``flip((0, 1))`` and ``flip(dims=(0, 1))`` alike).

    Example::

        >>> import autograd_core as ag
        >>> ag.flip(ag.tensor([[1, 2], [3, 4]]), [0, 1])
        tensor([[4, 3],
                [2, 1]])
    """
    ds = [_args.norm_dim(d, input.ndim, "flip") for d in _args.int_seq(dims, more)]
    for d in ds:
        if ds.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    # a reversed view, copied in the input's memory order, as PyTorch lays out its copy (so a
    # later view of the result is a view exactly where PyTorch's is)
    key = tuple(slice(None, None, -1) if d in ds else slice(None) for d in range(input.ndim))
    return Index.apply(input, index=key, basic=True).clone()


def edge_pad(x: Tensor, dim: builtins.int, lo: builtins.int, hi: builtins.int,
             mode: str) -> Tensor:
    """``x`` with ``lo`` and ``hi`` (>= 0) entries added before and after along ``dim`` (>= 0)
    by ``mode``: ``"reflect"`` (mirrored, the edge not repeated; ``lo, hi < n``),
    ``"replicate"`` (the edge repeated) or ``"circular"`` (wrapped; ``lo, hi <= n``). Built of
    slices and ``cat``, with no tensor of indices, so ``ag.compile`` captures it; the caller
    checks the sizes."""
    n = x.shape[dim]

    def part(start: builtins.int | None, stop: builtins.int | None,
             step: builtins.int = 1) -> Tensor:
        key = (slice(None),) * dim + (slice(start, stop, step),)
        return Index.apply(x, index=key, basic=True)

    if mode == "reflect":  # entries lo..1 before, n-2..n-1-hi after
        left = part(lo, 0, -1)
        right = part(n - 2, n - 2 - hi if n - 2 - hi >= 0 else None, -1) if hi else part(0, 0)
    elif mode == "replicate":
        shape = list(x.shape)
        left = part(0, 1).expand(*shape[:dim], lo, *shape[dim + 1:])
        right = part(n - 1, n).expand(*shape[:dim], hi, *shape[dim + 1:])
    else:
        left, right = part(n - lo, n), part(0, hi)
    return cat([left, x, right], dim)


@op("fliplr", method=True, samples=[Sample("fliplr", lambda a: fliplr(a), min_ndim=2)])
def fliplr(input: Tensor) -> Tensor:
    """Reverse ``input`` left to right (along dim 1); it needs at least 2 dimensions.

    Args:
        input (Tensor): a tensor of at least 2 dimensions.

    Example::

        >>> import autograd_core as ag
        >>> ag.fliplr(ag.tensor([[1, 2], [3, 4]]))
        tensor([[2, 1],
                [4, 3]])
    """
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@op("flipud", method=True, samples=[Sample("flipud", lambda a: flipud(a), min_ndim=1)])
def flipud(input: Tensor) -> Tensor:
    """Reverse ``input`` up to down (along dim 0); it needs at least 1 dimension.

    Args:
        input (Tensor): a tensor of at least 1 dimension.

    Example::

        >>> import autograd_core as ag
        >>> ag.flipud(ag.tensor([1, 2, 3]))
        tensor([3, 2, 1])
    """
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@op("roll", method=True, samples=[
    Sample("roll", lambda a: roll(a, 1, -1), min_ndim=1),
    Sample("roll_flat", lambda a: roll(a, -2))])
def roll(input: Tensor, shifts: builtins.int | Sequence[builtins.int],
         dims: builtins.int | Sequence[builtins.int] | None = None) -> Tensor:
    """Roll ``input`` by ``shifts`` along ``dims``: elements past the end come back at the start.

    Without ``dims`` the tensor is flattened, rolled and given its shape back.

    Args:
        input (Tensor): the input tensor.
        shifts (int or tuple of ints): how far to move the elements.
        dims (int or tuple of ints, optional): the dimensions to roll along.

    Example::

        >>> import autograd_core as ag
        >>> ag.roll(ag.tensor([1, 2, 3, 4]), 1)
        tensor([4, 1, 2, 3])
        >>> ag.roll(ag.tensor([[1, 2], [3, 4]]), 1, 0)
        tensor([[3, 4],
                [1, 2]])
    """
    sh = _dims(shifts)
    if not sh:
        raise RuntimeError("`shifts` required")
    if dims is None or (isinstance(dims, (tuple, list)) and len(dims) == 0):
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return reshape(roll(reshape(input, (-1,)), sh, 0), tuple(input.shape))
    ds = _dims(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, "
                           f"dims:{len(ds)}")
    if input.ndim == 0:  # PyTorch's, whatever the dim (a 0-d tensor has none to roll along)
        raise IndexError(f"Dimension specified as {ds[0]} but tensor has no dimensions")
    out = input
    for s, d in zip(sh, ds):
        d = _args.norm_dim(d, input.ndim, "roll")
        n = input.shape[d]
        if n and int(s) % n:
            idx = (np.arange(n, dtype=np.int64) - int(s)) % n
            out = _along(out, d, idx)
    return out if out is not input else input.clone()


@op("rot90", method=True, samples=[
    Sample("rot90", lambda a: rot90(a), min_ndim=2),
    Sample("rot90_3", lambda a: rot90(a, -1, (1, 0)), min_ndim=2)])
def rot90(input: Tensor, k: builtins.int = 1, dims: Sequence[builtins.int] = (0, 1)) -> Tensor:
    """Rotate ``input`` by 90 degrees ``k`` times in the plane of ``dims``, from the first
    axis towards the second.

    Args:
        input (Tensor): a tensor of at least 2 dimensions.
        k (int): the number of quarter turns. Default: 1.
        dims (sequence of 2 ints): the plane. Default: ``[0, 1]``.

    Example::

        >>> import autograd_core as ag
        >>> ag.rot90(ag.tensor([[1, 2], [3, 4]]))
        tensor([[2, 4],
                [1, 3]])
    """
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (_args.norm_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    k = int(k) % 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return input.clone()


# ---- moving, narrowing, splitting ------------------------------------------------------------


@op("movedim", method=True, aliases=("moveaxis",), samples=[
    Sample("movedim", lambda a: movedim(a, 0, -1), min_ndim=1)])
def movedim(input: Tensor, source: builtins.int | Sequence[builtins.int],
            destination: builtins.int | Sequence[builtins.int]) -> Tensor:
    """Move the dimensions ``source`` of ``input`` to the positions ``destination`` (a view);
    the other dimensions keep their order. ``moveaxis`` is another name.

    Args:
        input (Tensor): the input tensor.
        source (int or sequence of ints): the dimensions to move.
        destination (int or sequence of ints): where they go.

    Example::

        >>> import autograd_core as ag
        >>> ag.movedim(ag.zeros(2, 3, 4), 0, -1).shape
        autograd_core.Size([3, 4, 2])
    """
    src, dst = _dims(source), _dims(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    nd = input.ndim
    src = tuple(_args.norm_dim(d, nd, "movedim") for d in src)
    dst = tuple(_args.norm_dim(d, nd, "movedim") for d in dst)
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(_dims(source))})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` "
                           f"({list(_dims(destination))})")
    if nd == 0:
        return reshape(input, ())
    order: list = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(nd) if i not in src)
    order = [o if o is not None else next(rest) for o in order]
    return permute(input, tuple(order))


@op("swapdims", method=True, samples=[Sample("swapdims", lambda a: swapdims(a, 0, -1),
                                             min_ndim=1)])
def swapdims(input: Tensor, dim0: builtins.int, dim1: builtins.int) -> Tensor:
    """Return a view of ``input`` with ``dim0`` and ``dim1`` swapped (``transpose``).

    Args:
        input (Tensor): the input tensor.
        dim0 (int): the first dimension.
        dim1 (int): the second dimension.

    Example::

        >>> import autograd_core as ag
        >>> ag.swapdims(ag.zeros(2, 3, 4), 0, 2).shape
        autograd_core.Size([4, 3, 2])
    """
    return transpose(input, dim0, dim1)


@op("narrow", method=True, samples=[Sample("narrow", lambda a: narrow(a, -1, min(1, a.shape[-1]), max(a.shape[-1] - 1, 0)),
                                           min_ndim=1)])
def narrow(input: Tensor, dim: builtins.int, start: Any, length: builtins.int) -> Tensor:
    """Return the view ``input[..., start:start + length, ...]`` along ``dim``.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to narrow.
        start (int or 0-d Tensor): the first index kept (negative counts from the end).
        length (int): how many are kept.

    Example::

        >>> import autograd_core as ag
        >>> ag.narrow(ag.tensor([[1, 2, 3], [4, 5, 6]]), 1, 1, 2)
        tensor([[2, 3],
                [5, 6]])
    """
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _args.norm_dim(dim, input.ndim, "narrow")
    n = input.shape[d]
    s = int(start.item() if isinstance(start, Tensor) else start)
    length = int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if s < -n or s > n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{s})")
    if s < 0:
        s += n
    if s > n - length:
        raise RuntimeError(f"start ({s}) + length ({length}) exceeds dimension size ({n}).")
    return _along(input, d, slice(s, s + length))


@op("unflatten", method=True, samples=[
    Sample("unflatten", lambda a: unflatten(a.reshape(-1), 0, (1, -1)))])
def unflatten(input: Tensor, dim: builtins.int, sizes: Sequence[builtins.int]) -> Tensor:
    """Expand dimension ``dim`` of ``input`` into ``sizes`` (one of them may be -1).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to expand.
        sizes (sequence of ints): its new sizes; their product is its size.

    Example::

        >>> import autograd_core as ag
        >>> ag.unflatten(ag.zeros(2, 6), 1, (2, 3)).shape
        autograd_core.Size([2, 2, 3])
    """
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    d = _args.norm_dim(dim, input.ndim, "unflatten")
    n = input.shape[d] if input.ndim else 1
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    if (-1 not in sizes and known != n) or (-1 in sizes and (known == 0 or n % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({n}) in the input tensor")
    shape = tuple(input.shape)
    sizes = tuple(n // known if s == -1 else s for s in sizes)  # numpy cannot infer it at 0
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


@op("tensor_split", method=True, samples=[
    Sample("tensor_split", lambda a: sum(p.sum() * (i + 1) for i, p in enumerate(
        tensor_split(a, 3, dim=-1))), min_ndim=1),
    Sample("tensor_split_indices", lambda a: sum(p.sum() * (i + 1) for i, p in enumerate(
        tensor_split(a, [1, 2], dim=-1))), min_ndim=1)])
def tensor_split(input: Tensor, indices_or_sections: Any,
                 dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """Split ``input`` along ``dim`` into views: ``n`` near-equal parts (the first
    ``size % n`` one longer), or at the given indices.

    Args:
        input (Tensor): a tensor of at least 1 dimension.
        indices_or_sections (int, sequence of ints or Tensor): the number of parts, or the
            indices to split before.
        dim (int): the dimension to split. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor_split(ag.arange(7), 3)
        (tensor([0, 1, 2]), tensor([3, 4]), tensor([5, 6]))
        >>> ag.tensor_split(ag.arange(5), [1, 4])
        (tensor([0]), tensor([1, 2, 3]), tensor([4]))
    """
    if input.ndim == 0:
        raise RuntimeError(f"tensor_split expected at least a 1-dimensional tensor, but got a "
                           f"tensor with {input.ndim} dims")
    d = _args.norm_dim(dim, input.ndim, "tensor_split")
    n = input.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios.ndim > 1 or ios.dtype.is_floating_point:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {ios.ndim} dims")
        ios = int(ios.item()) if ios.ndim == 0 else [int(v) for v in ios._data]
    if isinstance(ios, (int, np.integer)):
        sections = int(ios)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(n, sections)
        bounds = [i * small + min(i, extra) for i in range(sections + 1)]
    else:
        bounds = [0] + [int(i) for i in ios] + [n]
    spans = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        lo = min(max(lo + n if lo < 0 else lo, 0), n)
        hi = min(max(hi + n if hi < 0 else hi, 0), n)
        spans.append((lo, max(lo, hi)))
    return slices(input, d, spans)


def _at_least(x: Tensor, n: int) -> Tensor:
    shape = tuple(x.shape)
    if x.ndim >= n:
        return x
    if n == 3:
        shape = {0: (1, 1, 1), 1: (1,) + shape + (1,), 2: shape + (1,)}[x.ndim]
    else:
        shape = (1,) * (n - x.ndim) + shape
    return reshape(x, shape)


@op("dstack", samples=[Sample("dstack", lambda a, b: dstack([a, b * 2.0]), 2)])
def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Stack ``tensors`` depthwise, along dim 2, after making each at least 3-d.

    Args:
        tensors (sequence of Tensor): the tensors.

    Example::

        >>> import autograd_core as ag
        >>> ag.dstack([ag.tensor([1, 2]), ag.tensor([3, 4])])
        tensor([[[1, 3],
                 [2, 4]]])
    """
    return cat([_at_least(x, 3) for x in tensors], dim=2)


@op("column_stack", samples=[Sample("column_stack", lambda a, b: column_stack(
    [_mat(a) if a.ndim > 1 else a, _mat(b) if a.ndim > 1 else b]), 2)])
def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Stack ``tensors`` as columns: 0-d and 1-d tensors become ``(n, 1)`` columns, the others
    are concatenated along dim 1.

    Args:
        tensors (sequence of Tensor): the tensors.

    Example::

        >>> import autograd_core as ag
        >>> ag.column_stack([ag.tensor([1, 2]), ag.tensor([3, 4])])
        tensor([[1, 3],
                [2, 4]])
    """
    return cat([reshape(x, (x.numel(), 1)) if x.ndim <= 1 else x for x in tensors], dim=1)


# ---- taking values ---------------------------------------------------------------------------


def _long_index(name: str, index: Any) -> np.ndarray:
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                           f"{_args.torch_name(idx.dtype)}")
    return idx


@op("take", method=True, samples=[Sample("take", lambda a: take(
    a, _const(np.array([0, -1, 0][:3 if a.numel() else 0], dtype=np.int64))))])
def take(input: Tensor, index: Tensor) -> Tensor:
    """Return the entries of ``input``, read as a 1-d tensor, at ``index`` (of any shape).

    Args:
        input (Tensor): the input tensor.
        index (LongTensor): the flat indices (negative counts from the end).

    Example::

        >>> import autograd_core as ag
        >>> ag.take(ag.tensor([[4, 3], [5, 7]]), ag.tensor([0, 3]))
        tensor([4, 7])
    """
    idx = _long_index("take", index)
    n = input.numel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx[(idx < -n) | (idx >= n)].reshape(-1)[0])
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements.")
    return getitem(reshape(input, (-1,)), idx)


@op("take_along_dim", method=True, samples=[
    Sample("take_along_dim", lambda a: take_along_dim(
        a, _const(np.full((1,) * (a.ndim - 1) + (min(a.shape[-1], 1),), -1, dtype=np.int64)), -1),
        min_ndim=1),
    Sample("take_along_dim_flat", lambda a: take_along_dim(
        a, _const(np.array([0, -1][:2 if a.numel() else 0], dtype=np.int64))))])
def take_along_dim(input: Tensor, indices: Tensor,
                   dim: builtins.int | None = None) -> Tensor:
    """Select the values of ``input`` at ``indices`` along ``dim`` (``indices`` broadcast
    against ``input`` over the other dims); without ``dim``, over the flattened tensor.

    The pairing of ``argmax``/``argsort`` with ``keepdim=True``.

    Args:
        input (Tensor): the input tensor.
        indices (LongTensor): the indices.
        dim (int, optional): the dimension to select along.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[10, 30, 20], [60, 40, 50]])
        >>> ag.take_along_dim(x, ag.argmax(x, 1, keepdim=True), 1)
        tensor([[30],
                [60]])
    """
    if isinstance(indices, Tensor):  # its values become a constant index below
        refuse_capture("take_along_dim() with a tensor of indices")
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_args.torch_name(idx.dtype)}")
    if dim is None:
        return getitem(reshape(input, (-1,)), idx.reshape(-1))
    if input.ndim != idx.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {idx.ndim} dimensions for indices")
    d = _args.norm_dim(dim, input.ndim, "take_along_dim")
    n = input.shape[d]
    idx = np.where(idx < 0, idx + n, idx)
    # broadcast but along dim, with PyTorch's error (the shapes with a 1 at dim)
    shape = list(_args.broadcast_in_order("take_along_dim", [
        tuple(1 if i == d else s for i, s in enumerate(x)) for x in (input.shape, idx.shape)]))
    del shape[d]
    ishape, xshape = shape.copy(), shape.copy()
    ishape.insert(d, idx.shape[d])
    xshape.insert(d, n)
    x = input if tuple(input.shape) == tuple(xshape) else input.expand(tuple(xshape))
    return gather(x, d, _const(np.ascontiguousarray(np.broadcast_to(idx, ishape))))


@op("masked_select", reads_values=True, method=True, samples=())
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """Return a 1-d tensor of the entries of ``input`` where the bool ``mask`` is True
    (the two broadcast together).

    Args:
        input (Tensor): the input tensor.
        mask (BoolTensor): the mask.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1, -2], [-3, 4]])
        >>> ag.masked_select(x, x > 0)
        tensor([1, 4])
    """
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = _args.broadcast_in_order("masked_select", [m.shape, tuple(input.shape)])
    x = input if tuple(input.shape) == shape else input.expand(shape)
    return getitem(x, np.broadcast_to(m, shape).copy())


@op("nonzero", method=True, samples=())
def nonzero(input: Tensor, *, as_tuple: builtins.bool = False) -> Any:
    """Return the indices of the nonzero entries of ``input``.

    As an ``(n, ndim)`` int64 tensor, one row per entry in row-major order; with
    ``as_tuple=True``, a tuple of ``ndim`` 1-d index tensors (one for a 0-d input).

    Args:
        input (Tensor): the input tensor.
        as_tuple (bool): return a tuple of 1-d tensors. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.nonzero(ag.tensor([[0, 1], [2, 0]]))
        tensor([[0, 1],
                [1, 0]])
        >>> ag.nonzero(ag.tensor([0, 3, 4]), as_tuple=True)
        (tensor([1, 2]),)
    """
    x = input._data
    if as_tuple:
        if x.ndim == 0:
            return (_result(np.nonzero(x.reshape(1))[0].astype(np.int64)),)
        return tuple(_result(i.astype(np.int64)) for i in np.nonzero(x))
    return _result(np.argwhere(x).astype(np.int64))


@op("argwhere", method=True, samples=())
def argwhere(input: Tensor) -> Tensor:
    """Return the ``(n, ndim)`` int64 indices of the nonzero entries of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.argwhere(ag.tensor([1, 0, 1]))
        tensor([[0],
                [2]])
    """
    return nonzero(input)


@op("nonzero_static", method=True, samples=(), reads_values=True)
def nonzero_static(input: Tensor, *, size: builtins.int, fill_value: builtins.int = -1) -> Tensor:
    """Return ``nonzero(input)`` with exactly ``size`` rows: cut after ``size`` entries, or
    padded with rows of ``fill_value``.

    Args:
        input (Tensor): the input tensor.
        size (int): the number of rows.
        fill_value (int): the padding rows' value. Default: -1.

    Example::

        >>> import autograd_core as ag
        >>> ag.nonzero_static(ag.tensor([0, 1, 0, 2]), size=3)
        tensor([[ 1],
                [ 3],
                [-1]])
    """
    if not isinstance(size, (builtins.int, np.integer)) or isinstance(size, builtins.bool):
        raise TypeError(f"nonzero_static(): argument 'size' must be int, not "
                        f"{type(size).__name__}")
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    found = np.argwhere(input._data).astype(np.int64)[:size]
    out = np.full((builtins.int(size), input._data.ndim), fill_value, dtype=np.int64)
    out[:len(found)] = found
    return _result(out)


@op("unique", method=True, samples=())
def unique(input: Tensor, sorted: builtins.bool = True, return_inverse: builtins.bool = False,
           return_counts: builtins.bool = False, dim: builtins.int | None = None) -> Any:
    """Return the unique entries of ``input`` (sorted), or its unique slices along ``dim``.

    With ``return_inverse``, also the int64 index of each entry (slice) in the result, shaped
    as ``input`` (as ``input.shape[dim]``); with ``return_counts``, how often each occurs.
    Not differentiable (as in PyTorch: the values require grad with ``input``, and backward
    raises).

    Args:
        input (Tensor): the input tensor.
        sorted (bool): accepted; the result is always sorted, as PyTorch's on CPU.
        return_inverse (bool): also return the inverse indices. Default: False.
        return_counts (bool): also return the counts. Default: False.
        dim (int, optional): the dimension whose slices are compared.

    Example::

        >>> import autograd_core as ag
        >>> ag.unique(ag.tensor([3, 1, 3, 2]), return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    _args.no_complex(input, "unique" if dim is None else "unique_dim")
    x = input._data
    if dim is None:
        # each NaN its own entry, in input order, as PyTorch's (numpy merges them by default;
        # return_index makes its sort stable)
        values, _, inv, counts = np.unique(x.reshape(-1), return_index=True, return_inverse=True,
                                           return_counts=True, equal_nan=False)
        inv = inv.reshape(x.shape)
    else:
        d = _args.norm_dim(dim, x.ndim, "unique")
        moved = np.moveaxis(x, d, 0)
        if _args.unique_dim_empty(x.shape, d):
            values, inv, counts = moved, np.zeros(0, np.int64), np.zeros(0, np.int64)
        else:
            values, inv, counts = np.unique(moved.reshape(moved.shape[0], -1), axis=0,
                                            return_inverse=True, return_counts=True)
            values = values.reshape((-1,) + moved.shape[1:])
        values = np.moveaxis(values, 0, d)
        inv = inv.reshape(-1)
    out = [NoDerivative.apply(input, np.ascontiguousarray(values),
                              what="_unique2" if dim is None else "unique_dim",
                              node="Unique2Backward0" if dim is None else "UniqueDimBackward0")]
    if return_inverse:
        out.append(_result(inv.astype(np.int64)))
    if return_counts:
        out.append(_result(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


# ---- differences, traces, products -----------------------------------------------------------


@op("diff", method=True, samples=[
    Sample("diff", lambda a: diff(a), min_ndim=1),
    Sample("diff_twice_prepend", lambda a, b: diff(a, 2, 0, prepend=b), 2, min_ndim=1)])
def diff(input: Tensor, n: builtins.int = 1, dim: builtins.int = -1,
         prepend: Tensor | None = None, append: Tensor | None = None) -> Tensor:
    """Return the ``n``-th forward difference of ``input`` along ``dim``:
    ``out[i] = input[i + 1] - input[i]``, applied ``n`` times (bool inputs use ``!=``).

    ``prepend`` and ``append`` are concatenated along ``dim`` first.

    Args:
        input (Tensor): a tensor of at least 1 dimension.
        n (int): how many times to difference. Default: 1.
        dim (int): the dimension. Default: -1.
        prepend (Tensor, optional): values put before ``input`` along ``dim``.
        append (Tensor, optional): values put after ``input`` along ``dim``.

    Example::

        >>> import autograd_core as ag
        >>> ag.diff(ag.tensor([1, 3, 6, 10]))
        tensor([2, 3, 4])
        >>> ag.diff(ag.tensor([1, 3, 6, 10]), n=2)
        tensor([1, 1])
    """
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _args.norm_dim(dim, input.ndim, "diff")
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat(parts, dim=d) if len(parts) > 1 else input
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        hi, lo = _along(x, d, slice(1, m)), _along(x, d, slice(0, m - 1))
        x = (hi != lo) if x.dtype == np.bool_ else hi - lo
    return x


@op("trace", method=True, samples=[Sample("trace", lambda a: trace(_mat(a)))])
def trace(input: Tensor) -> Tensor:
    """Return the sum of the main diagonal of a 2-d ``input`` (int64 for integer inputs).

    Args:
        input (Tensor): a 2-d tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.trace(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(5.)
    """
    if input.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim "
                           f"{input.ndim}")
    k = np.arange(min(input.shape), dtype=np.int64)
    return take_unsaved(input, (k, k)).sum()  # PyTorch's rule keeps no index


def _tensordot_dims(dims: Any, na: int, nb: int) -> tuple[list, list]:
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        k = int(dims)
        if k < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={k}")
        if k > min(na, nb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={k}")
        return list(range(na - k, na)), list(range(k))
    da, db = dims
    return [int(v) for v in _dims(da)], [int(v) for v in _dims(db)]


@op("tensordot", samples=[
    Sample("tensordot", lambda a, b: tensordot(a, b, ([-1], [-1])), 2, min_ndim=1),
    Sample("tensordot_int", lambda a, b: tensordot(a, b.reshape(tuple(reversed(b.shape))), 1),
           2, min_ndim=1)])
def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Tensor | None = None) -> Tensor:
    """Contract ``a`` and ``b`` over the dimensions ``dims``: the last ``dims`` of ``a`` with the
    first ``dims`` of ``b``, or the pairs ``(dims_a, dims_b)``.

    Args:
        a (Tensor): the left tensor.
        b (Tensor): the right tensor.
        dims (int or pair of sequences of ints): what to contract. Default: 2.
        out (Tensor, optional): not supported; must be None.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensordot(ag.ones(2, 3, 4), ag.ones(3, 4, 5)).shape
        autograd_core.Size([2, 5])
        >>> ag.tensordot(ag.tensor([[1.0, 2.0]]), ag.tensor([[3.0, 4.0]]), ([1], [1]))
        tensor([[11.]])
    """
    if out is not None:
        raise TypeError("tensordot: out= is not supported")
    da, db = _tensordot_dims(dims, a.ndim, b.ndim)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    da = [_args.norm_dim(d, a.ndim, "tensordot") for d in da]
    db = [_args.norm_dim(d, b.ndim, "tensordot") for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    fa = [i for i in range(a.ndim) if i not in da]
    fb = [i for i in range(b.ndim) if i not in db]
    k = math.prod(a.shape[i] for i in da)
    am = reshape(permute(a, tuple(fa + da)), (math.prod(a.shape[i] for i in fa), k))
    bm = reshape(permute(b, tuple(db + fb)), (k, math.prod(b.shape[i] for i in fb)))
    return reshape(matmul(am, bm), tuple(a.shape[i] for i in fa) + tuple(b.shape[i] for i in fb))


@op("kron", method=True, samples=[Sample("kron", lambda a, b: kron(a, b), 2)])
def kron(input: Tensor, other: Tensor) -> Tensor:
    """Return the Kronecker product of ``input`` and ``other`` (the smaller rank padded with
    leading ones): ``out`` has shape ``input.shape * other.shape``, elementwise.

    Args:
        input (Tensor): the left tensor.
        other (Tensor): the right tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.kron(ag.tensor([[1, 2]]), ag.tensor([[1], [10]]))
        tensor([[ 1,  2],
                [10, 20]])
    """
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + tuple(input.shape)
    sb = (1,) * (nd - other.ndim) + tuple(other.shape)
    a = reshape(input, tuple(s for n in sa for s in (n, 1)))
    b = reshape(other, tuple(s for n in sb for s in (1, n)))
    return reshape(a * b, tuple(x * y for x, y in zip(sa, sb)))


def _mv_check(name: str, mat: Tensor, vec: Tensor) -> None:
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {mat.ndim}, {vec.ndim}, "
                           f"{vec.ndim}" if name == "addmv" else
                           f"{name}: Expected 2-D matrix and 1-D vector, got {mat.ndim}-D and "
                           f"{vec.ndim}-D")
    if mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({mat.shape[0]}), mat ({mat.shape[0]}x"
                           f"{mat.shape[1]}), vec ({vec.shape[0]})")


@op("mv", method=True, samples=[Sample("mv", lambda a, b: mv(_mat(a).T, _mat(b).sum(1)), 2)])
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Return the matrix-vector product ``input @ vec``.

    Args:
        input (Tensor): an ``(n, m)`` matrix.
        vec (Tensor): an ``(m,)`` vector.

    Example::

        >>> import autograd_core as ag
        >>> ag.mv(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([1.0, 1.0]))
        tensor([3., 7.])
    """
    _mv_check("mv", input, vec)
    return matmul(input, vec)


@op("addmv", method=True, samples=[Sample("addmv", lambda c, a, b: addmv(
    _first(c, 1), _mat(a).T, _mat(b).sum(1), beta=0.5, alpha=2.0), 3)])
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """Return ``beta * input + alpha * (mat @ vec)``.

    Args:
        input (Tensor): the vector added (broadcasts to ``(n,)``).
        mat (Tensor): an ``(n, m)`` matrix.
        vec (Tensor): an ``(m,)`` vector.
        beta (number): the multiplier of ``input``. Default: 1.
        alpha (number): the multiplier of the product. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.addmv(ag.ones(2), ag.eye(2), ag.tensor([1.0, 2.0]), alpha=2)
        tensor([3., 5.])
    """
    _mv_check("addmv", mat, vec)
    product = matmul(mat, vec)
    _args.check_added_input("addmv", np.shape(input._data if isinstance(input, Tensor)
                                             else input), product.shape)
    return scaled_sum(input, product, beta, alpha, "product")


@op("baddbmm", method=True, samples=[Sample("baddbmm", lambda c, a, b: baddbmm(
    _first(c, 1), _mat(a).unsqueeze(0), _mat(b).T.unsqueeze(0), beta=0.5, alpha=2.0), 3)])
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
            alpha: Any = 1) -> Tensor:
    """Return ``beta * input + alpha * (batch1 @ batch2)`` for batches of matrices.

    Args:
        input (Tensor): the tensor added (broadcasts to ``(b, n, p)``).
        batch1 (Tensor): a ``(b, n, m)`` tensor.
        batch2 (Tensor): a ``(b, m, p)`` tensor.
        beta (number): the multiplier of ``input``. Default: 1.
        alpha (number): the multiplier of the product. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.baddbmm(ag.ones(1, 2, 2), ag.ones(1, 2, 3), ag.ones(1, 3, 2), beta=0.5)
        tensor([[[3.5000, 3.5000],
                 [3.5000, 3.5000]]])
    """
    product = bmm(batch1, batch2)
    _args.check_added_input("baddbmm", input.shape, product.shape)
    # ATen's own loop below 400 multiply-adds per matrix (two roundings), its BLAS above
    small = batch1.shape[1] * batch1.shape[2] * batch2.shape[2] < 400
    return scaled_sum(input, product, beta, alpha, None if small else "input")


# ---- builders --------------------------------------------------------------------------------


def _tri_indices(row: int, col: int, offset: int, upper: bool, dtype: Any) -> Tensor:
    for name, n in (("row", row), ("col", col)):  # (numpy gave no indices)
        if n < 0:
            raise RuntimeError(f"{name} must be non-negative, got{n}")
    r, c = np.triu_indices(row, offset, col) if upper else np.tril_indices(row, offset, col)
    return _result(np.stack([r, c]).astype(np.dtype(dtype) if dtype is not None
                                           else np.int64))


@op("triu_indices", samples=())
def triu_indices(row: builtins.int, col: builtins.int, offset: builtins.int = 0, *,
                 dtype: Any = None, device: Any = None, layout: Any = None) -> Tensor:
    """Return the ``(2, n)`` indices of the upper triangle of a ``row x col`` matrix (the
    ``offset``-th diagonal and above), row by row.

    Args:
        row (int): the number of rows.
        col (int): the number of columns.
        offset (int): the first diagonal included. Default: 0.
        dtype (dtype, optional): the result's dtype. Default: int64.
        device (device, optional): ``"cpu"`` or None.
        layout (layout, optional): accepted (strided).

    Example::

        >>> import autograd_core as ag
        >>> ag.triu_indices(2, 3)
        tensor([[0, 0, 0, 1, 1],
                [0, 1, 2, 1, 2]])
    """
    return _tri_indices(row, col, offset, True, dtype)


@op("tril_indices", samples=())
def tril_indices(row: builtins.int, col: builtins.int, offset: builtins.int = 0, *,
                 dtype: Any = None, device: Any = None, layout: Any = None) -> Tensor:
    """Return the ``(2, n)`` indices of the lower triangle of a ``row x col`` matrix (the
    ``offset``-th diagonal and below), row by row.

    Args:
        row (int): the number of rows.
        col (int): the number of columns.
        offset (int): the last diagonal included. Default: 0.
        dtype (dtype, optional): the result's dtype. Default: int64.
        device (device, optional): ``"cpu"`` or None.
        layout (layout, optional): accepted (strided).

    Example::

        >>> import autograd_core as ag
        >>> ag.tril_indices(3, 2)
        tensor([[0, 1, 1, 2, 2],
                [0, 0, 1, 0, 1]])
    """
    return _tri_indices(row, col, offset, False, dtype)


@op("repeat_interleave", method=True, samples=[
    Sample("repeat_interleave", lambda a: repeat_interleave(a, 2, dim=-1), min_ndim=1),
    Sample("repeat_interleave_flat", lambda a: repeat_interleave(a, 3))])
def repeat_interleave(input: Tensor, repeats: Any = None, dim: builtins.int | None = None, *,
                      output_size: builtins.int | None = None) -> Tensor:
    """Repeat each element of ``input`` ``repeats`` times along ``dim`` (over the flattened
    tensor without ``dim``).

    ``repeats`` is an int or a tensor of counts, one per element (slice) or broadcast from one.

    Args:
        input (Tensor): the input tensor.
        repeats (int or Tensor): the number of repetitions.
        dim (int, optional): the dimension to repeat along.
        output_size (int, optional): the size of the result along ``dim``, checked.

    Example::

        >>> import autograd_core as ag
        >>> ag.repeat_interleave(ag.tensor([1, 2]), 2)
        tensor([1, 1, 2, 2])
        >>> ag.repeat_interleave(ag.tensor([[1, 2], [3, 4]]), ag.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
    """
    if repeats is None:  # torch.repeat_interleave(repeats): the indices, repeated
        refuse_capture("repeat_interleave() of a tensor of counts")
        counts = input._data
        if counts.dtype != np.int64 and counts.dtype != np.int32:  # PyTorch's two kernels
            raise _args.not_implemented("repeat_interleave_cpu", counts.dtype)
        # the indices in the counts' dtype, as PyTorch's (int32 counts give int32)
        return _result(np.repeat(np.arange(counts.size, dtype=counts.dtype), counts))
    x = reshape(input, (-1,)) if dim is None else input
    d = 0 if dim is None else _args.norm_dim(dim, x.ndim, "repeat_interleave")
    if x.ndim == 0:
        x = reshape(x, (1,))
    n = x.shape[d]
    if isinstance(repeats, Tensor):  # the counts decide the result's shape (read in Python)
        refuse_capture("repeat_interleave() with a tensor of repeats")
    r = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if r.ndim > 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if r.dtype.kind not in "iu":
        raise RuntimeError("repeats has to be Long or Int tensor")
    if r.size not in (1, n):
        raise RuntimeError("repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {r.size} and input.size({d}) = {n}")
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    idx = np.repeat(np.arange(n, dtype=np.int64), np.broadcast_to(r.reshape(-1), (n,)))
    if output_size is not None and output_size != idx.size:
        raise RuntimeError("allocated size does not match required size")
    return _along(x, d, idx)


@op("meshgrid", samples=[Sample("meshgrid", lambda a, b: sum(
    g * (i + 1.0) for i, g in enumerate(meshgrid(a.reshape(-1), b.reshape(-1)[:2],
                                                  indexing="xy"))), 2)])
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Return coordinate grids from 1-d (or 0-d) ``tensors``: one tensor per input, each of
    the shape of all sizes together.

    ``indexing="ij"`` keeps the inputs' order of dimensions, ``"xy"`` swaps the first two
    (numpy's default). Without ``indexing``, "ij" with PyTorch's warning.

    Args:
        *tensors (Tensor): 1-d tensors (or one list of them).
        indexing (str, optional): ``"ij"`` or ``"xy"``.

    Example::

        >>> import autograd_core as ag
        >>> xs, ys = ag.meshgrid(ag.tensor([1, 2]), ag.tensor([3, 4, 5]), indexing="ij")
        >>> xs
        tensor([[1, 1, 1],
                [2, 2, 2]])
        >>> ys.shape
        autograd_core.Size([2, 3])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, x in enumerate(tensors):
        if x.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {x}")
    flat = [reshape(x, (-1,)) for x in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(x.shape[0] for x in flat)
    out = []
    for i, x in enumerate(flat):
        view = [1] * len(flat)
        view[i] = shape[i]
        out.append(reshape(x, tuple(view)).expand(shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


@op("cartesian_prod", samples=[Sample("cartesian_prod", lambda a, b: cartesian_prod(
    a.reshape(-1), b.reshape(-1)[:2]), 2)])
def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Return the Cartesian product of 1-d ``tensors``: an ``(n1 * n2 * ..., k)`` tensor, one
    row per combination in row-major order (a 1-d tensor for one input).

    Args:
        *tensors (Tensor): 1-d tensors.

    Example::

        >>> import autograd_core as ag
        >>> ag.cartesian_prod(ag.tensor([1, 2]), ag.tensor([3, 4]))
        tensor([[1, 3],
                [1, 4],
                [2, 3],
                [2, 4]])
    """
    for x in tensors:
        if x.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], dim=1)


@op("combinations", samples=[
    Sample("combinations", lambda a: combinations(_first(a, 4), 2), min_ndim=1),
    Sample("combinations_wr", lambda a: combinations(_first(a, 3), 3, with_replacement=True),
           min_ndim=1)])
def combinations(input: Tensor, r: builtins.int = 2,
                 with_replacement: builtins.bool = False) -> Tensor:
    """Return the length-``r`` combinations of the elements of a 1-d ``input``, one per row.

    The rows come in ``itertools.combinations`` order (``itertools.combinations_with_replacement``
    with ``with_replacement=True``): a ``(count, r)`` tensor, differentiable with respect to
    ``input``; ``r = 0`` gives an empty 1-d tensor.

    Args:
        input (Tensor): a 1-d tensor.
        r (int): the number of elements per combination. Default: 2.
        with_replacement (bool): allow an element to repeat within a combination.
            Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.combinations(ag.tensor([1, 2, 3]))
        tensor([[1, 2],
                [1, 3],
                [2, 3]])
        >>> ag.combinations(ag.tensor([1, 2]), r=2, with_replacement=True)
        tensor([[1, 1],
                [1, 2],
                [2, 2]])
    """
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _result(np.empty(0, dtype=input.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = list(pick(range(input.shape[0]), r))
    index = np.array(rows, dtype=np.int64).reshape(len(rows), r)
    return getitem(input, index)


@op("block_diag", samples=[Sample("block_diag", lambda a, b: block_diag(_mat(a), b.reshape(-1)), 2)])
def block_diag(*tensors: Tensor) -> Tensor:
    """Return a block-diagonal matrix of ``tensors`` (0-d and 1-d tensors are ``(1, n)``
    blocks), zeros elsewhere.

    Args:
        *tensors (Tensor): tensors of at most 2 dimensions.

    Example::

        >>> import autograd_core as ag
        >>> ag.block_diag(ag.tensor([[1, 2]]), ag.tensor([[3], [4]]))
        tensor([[1, 2, 0],
                [0, 0, 3],
                [0, 0, 4]])
    """
    blocks = []
    for i, x in enumerate(tensors):
        if x.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {x.ndim} dimensions")
        blocks.append(reshape(x, (1, -1)) if x.ndim < 2 else x)
    if not blocks:
        return _result(np.zeros((1, 0), np.float32))
    dtype = result_type(*(b._data for b in blocks))
    blocks = [b if b.dtype == dtype else b.to(dtype) for b in blocks]
    width = builtins.sum(b.shape[1] for b in blocks)
    left, rows = 0, []
    for b in blocks:
        rows.append(constant_pad_nd(b, (left, width - left - b.shape[1])))
        left += b.shape[1]
    return cat(rows, dim=0)


# ---- distances -------------------------------------------------------------------------------


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


@op("cdist", samples=[
    Sample("cdist", lambda a, b: cdist(_mat(a), _mat(b)), 2),
    Sample("cdist_p1", lambda a, b: cdist(_mat(a), _mat(b), p=1.0), 2, twice=False)])
def cdist(x1: Tensor, x2: Tensor, p: builtins.float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """Return the ``p``-norm distances between each row of ``x1`` and each row of ``x2``:
    ``(B, P, M)`` and ``(B, R, M)`` give ``(B, P, R)``.

    Computed directly (the difference of every pair); ``compute_mode`` is accepted.

    Args:
        x1 (Tensor): a ``(B, P, M)`` (or ``(P, M)``) tensor.
        x2 (Tensor): a ``(B, R, M)`` (or ``(R, M)``) tensor.
        p (float): the norm's order, >= 0. Default: 2.
        compute_mode (str): accepted for PyTorch's signature.

    Example::

        >>> import autograd_core as ag
        >>> ag.cdist(ag.tensor([[0.0, 0.0]]), ag.tensor([[3.0, 4.0], [1.0, 0.0]]))
        tensor([[5., 1.]])
    """
    if compute_mode not in _CDIST_MODES:  # (a misspelt mode was taken)
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if not (x1.dtype.is_floating_point and x2.dtype.is_floating_point):
        bad = x1 if not x1.dtype.is_floating_point else x2
        raise RuntimeError(f"cdist only supports floating-point dtypes, "
                           f"{'X1' if bad is x1 else 'X2'} got: {_args.torch_name(bad._data.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    d = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if p == 1:
        return d.abs().sum(-1)
    if p == float("inf"):
        return d.abs().amax(-1)
    if p == 0:  # a count on the graph with gradient 0 (ceil's), as PyTorch's; NaN stays NaN
        return d.abs().clamp(max=1.0).ceil().sum(-1)
    if p == 2:
        s = (d * d).sum(-1)
    else:  # |d| ** p: for p < 1 an infinite slope at d = 0, PyTorch's gradient there is 0
        a = d.abs()
        nz = a > 0
        s = ((a * nz + (~nz)) ** p * nz).sum(-1)
    # the root of 0 has an infinite slope: PyTorch's gradient is 0 where a distance is 0
    # (cdist(x, x)'s diagonal), so the root is taken of 1 there and masked
    pos = s > 0
    s = s * pos + (~pos)
    return (s.sqrt() if p == 2 else s ** (1.0 / p)) * pos


# ---- counting --------------------------------------------------------------------------------


@op("histc", method=True, samples=())
def histc(input: Tensor, bins: builtins.int = 100, min: Any = 0, max: Any = 0) -> Tensor:
    """Return a histogram of ``input``: ``bins`` equal bins between ``min`` and ``max`` (the
    data's own min and max when both are 0); values outside are ignored. Float inputs only;
    the counts have ``input``'s dtype. Not differentiable.

    Args:
        input (Tensor): the input tensor.
        bins (int): the number of bins. Default: 100.
        min (number): the lower end of the range. Default: 0.
        max (number): the upper end of the range. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.histc(ag.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError(f"\"histogram_cpu\" not implemented for '{_args.torch_name(x.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for bins")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc: min must be less than or equal to max, but got "
                           f"min {lo} max {hi}")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    # ATen's histc in the input's dtype: the edges made of it (float16's through float32), the
    # bin (v - left) * bins / (right - left) with each operation rounded to it (the width in
    # float64 put float16 values near a bin's edge into its neighbour in 43 of 300 histograms)
    t = x.dtype.type
    left, right = (t(np.float32(lo)), t(np.float32(hi))) if t is np.float16 else (t(lo), t(hi))
    v = x.reshape(-1)
    v = v[(v >= left) & (v <= right)]
    with np.errstate(over="ignore", invalid="ignore"):
        pos = ((v - left) * t(bins) / (right - left)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return _result(np.bincount(pos, minlength=bins).astype(x.dtype))


HistogramResult = namedtuple("histogram", ["hist", "bin_edges"])  # type: ignore[name-match]


@op("histogram", method=True, samples=())
def histogram(input: Tensor, bins: Any = 100, *, range: Sequence[float] | None = None,  # noqa: A002
              weight: Tensor | None = None, density: builtins.bool = False) -> Any:
    """Return the histogram of ``input``'s values as the named tuple ``(hist, bin_edges)``.

    ``bins`` is a number of equal-width bins spanning ``range`` (default: the data's min and
    max; widened by 0.5 each side when they are equal) or a 1-D tensor of increasing edges.
    Each bin holds its left edge; the last also its right one; values outside are not counted.
    ``weight`` (``input``'s shape) weighs each value; ``density=True`` divides by the total and
    by each bin's width, so the histogram integrates to 1. Float inputs only; both results have
    ``input``'s dtype. Not differentiable.

    Args:
        input (Tensor): the values.
        bins (int or Tensor): the number of bins, or the bin edges. Default: 100.
        range (tuple of float, optional): ``(min, max)`` of the equal-width bins.
        weight (Tensor, optional): a weight per value. Default: each value counts 1.
        density (bool): normalise to a density. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> ag.histogram(ag.tensor([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0))
        histogram(hist=tensor([0., 2., 1., 0.]), bin_edges=tensor([0.0000, 0.7500, 1.5000, 2.2500, 3.0000]))
    """
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                  f"'{_args.torch_name(x.dtype)}'")
    v = x.reshape(-1)
    w = None
    if weight is not None:
        w = np.asarray(getattr(weight, "_data", weight))
        if w.shape != x.shape:
            raise RuntimeError(f"torch.histogram(): if weight tensor is provided it should have "
                               f"the same shape as the input tensor excluding its innermost "
                               f"dimension, but got input with shape {tuple(x.shape)} and "
                               f"weight with shape {tuple(w.shape)}")
        w = w.reshape(-1)
    edges = _hist_edges(v, bins, range, x.dtype, 0)
    hist, _ = np.histogram(v, bins=edges, weights=w)
    hist = hist.astype(x.dtype)
    if density:
        total = hist.sum()
        hist = hist / (total * np.diff(edges)) if total else hist
    return HistogramResult(_result(hist.astype(x.dtype)), _result(edges.copy()))


HistogramddResult = namedtuple("histogramdd", ["hist", "bin_edges"])  # type: ignore[name-match]


@op("histogramdd", samples=())
def histogramdd(input: Tensor, bins: Any, *, range: Sequence[float] | None = None,  # noqa: A002
                weight: Tensor | None = None, density: builtins.bool = False) -> Any:
    """Return the multi-dimensional histogram of the points in ``input``'s rows (its innermost
    dimension holds the coordinates) as the named tuple ``(hist, bin_edges)``, ``bin_edges``
    a tuple of one edge tensor per dimension.

    ``bins``: a number of equal-width bins for every dimension, one number per dimension, or
    one tensor of increasing edges per dimension. ``range``: ``[min_0, max_0, min_1, ...]``
    (default: each dimension's min and max). Each bin holds its left edges, the last ones
    also their right ones. ``weight`` (``input.shape[:-1]``) weighs each point;
    ``density=True`` normalises to a density. Float inputs only; not differentiable.

    Args:
        input (Tensor): the points, ``(*, D)``.
        bins (int, sequence of int, or sequence of Tensor): the bins of each dimension.
        range (sequence of float, optional): the ends of each dimension's equal-width bins.
        weight (Tensor, optional): a weight per point.
        density (bool): normalise to a density. Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0]])
        >>> ag.histogramdd(x, bins=[2, 2]).hist
        tensor([[0., 1.],
                [2., 1.]])
    """
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                  f"'{_args.torch_name(x.dtype)}'")
    if x.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    dims = x.shape[-1]
    points = x.reshape(-1, dims)
    if isinstance(bins, (builtins.int, np.integer)) and not isinstance(bins, builtins.bool):
        bins = [bins] * dims
    if not isinstance(bins, (list, tuple)) or len(bins) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    if range is not None and len(range) != 2 * dims:
        raise RuntimeError(f"torch.histogramdd: for a {dims}-dimensional histogram range should "
                           f"have {2 * dims} elements, but got {len(range)}")
    w = None
    if weight is not None:
        w = np.asarray(getattr(weight, "_data", weight))
        if w.shape != x.shape[:-1]:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape "
                "as the input tensor excluding its innermost dimension, but got input with "
                f"shape {list(x.shape)} and weight with shape {list(w.shape)}")
        w = w.reshape(-1)
    edges = [_hist_edges(points[:, d], bins[d], None if range is None else range[2 * d:2 * d + 2],
                         x.dtype, d) for d in builtins.range(dims)]
    hist, _ = np.histogramdd(points, bins=edges, weights=w)
    if density:
        total = hist.sum()
        if total:
            volume = np.ones(())
            for width in np.ix_(*[np.diff(e).astype(np.float64) for e in edges]):
                volume = volume * width  # each bin's volume, by broadcasting
            hist = hist / total / volume
    return HistogramddResult(_result(hist.astype(x.dtype)),
                             tuple(_result(e.copy()) for e in edges))


def _hist_edges(v: np.ndarray, bins: Any, range: Any, dtype: Any,  # noqa: A002
                dim: builtins.int) -> np.ndarray:
    """The bin edges of one dimension: ``bins`` given as a tensor of edges, or a number of
    equal-width bins over ``range`` (default: ``v``'s min and max, widened by 0.5 each side
    when equal)."""
    if isinstance(bins, Tensor):
        edges = bins._data.astype(dtype)
        if edges.ndim != 1 or edges.size < 1:
            raise RuntimeError("torch.histogram(): bins tensor should have one dimension and at "
                               f"least 1 element, but got {edges.ndim} dimensions")
        if np.any(np.diff(edges) < 0):
            raise ValueError("torch.histogram(): bin edges must increase monotonically")
    else:
        if isinstance(bins, builtins.bool) or not isinstance(bins, (builtins.int, np.integer)):
            raise TypeError(f"histogram(): argument 'bins' must be int or Tensor, not "
                            f"{type(bins).__name__}")
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               f"dimension {dim}")
        if range is not None:
            lo, hi = (float(r) for r in range)
        elif v.size:
            lo, hi = float(v.min()), float(v.max())
        else:
            lo, hi = 0.0, 1.0
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                               f"{lo:g} max {hi:g} for dimension {dim}")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension {dim}'s range [{lo}, {hi}] is not "
                               "finite")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, bins + 1).astype(dtype)
    return edges


def _search(name: str, seq: np.ndarray, vals: np.ndarray, right: bool, out_int32: bool,
            sorter: np.ndarray | None) -> Tensor:
    _args.refuse_complex('"searchsorted_out_cpu" not implemented for \'{dtype}\'', seq, vals,
                         error=NotImplementedError)  # no order of complex values
    dtype = np.int32 if out_int32 else np.int64
    if seq.ndim <= 1:
        s = seq.reshape(-1) if sorter is None else seq.reshape(-1)[sorter.reshape(-1)]
        return _result(_bisect(s[None], np.reshape(vals, (1, -1)), right)
                       .reshape(np.shape(vals)).astype(dtype))
    if seq.shape[:-1] != vals.shape[:-1]:
        raise RuntimeError(
            f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            f"dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")
    rows = math.prod(seq.shape[:-1])  # (not -1: an empty last dim leaves it ambiguous)
    s2 = seq.reshape(rows, seq.shape[-1])
    if sorter is not None:
        s2 = np.take_along_axis(s2, sorter.reshape(s2.shape), -1)
    v2 = vals.reshape(rows, vals.shape[-1])
    return _result(_bisect(s2, v2, right).reshape(vals.shape).astype(dtype))


def _bisect(seq: np.ndarray, vals: np.ndarray, right: bool) -> np.ndarray:
    """ATen's binary search (``cus_lower_bound``/``cus_upper_bound``) of each row of ``vals``
    in the same row of ``seq``, all at once: go right while ``!(mid >= v)`` (``!(mid > v)``
    for ``right``), so a NaN boundary counts as below every value and a NaN value lands at the
    end (numpy's searchsorted orders NaN last: other positions). Rows of ``seq`` that are not
    sorted give PyTorch's positions too."""
    n = seq.shape[-1]
    if (seq.dtype.kind not in "fc" or not (np.isnan(seq).any() or np.isnan(vals).any())) \
            and not (np.diff(seq, axis=-1) < 0).any():
        # sorted rows without NaN: the positions are unique, numpy's search finds them faster
        side: Any = "right" if right else "left"
        return np.stack([np.searchsorted(a, b, side=side) for a, b in zip(seq, vals)]) \
            if len(seq) else np.zeros(vals.shape, np.int64)
    rows = np.arange(seq.shape[0])[:, None]
    start = np.zeros(vals.shape, np.int64)
    end = np.full(vals.shape, n, np.int64)
    with np.errstate(invalid="ignore"):
        while True:
            active = start < end
            if not active.any():
                return start
            mid = start + ((end - start) >> 1)
            at = seq[rows, np.minimum(mid, max(n - 1, 0))] if n else np.zeros(vals.shape)
            go = ~(at > vals) if right else ~(at >= vals)
            start = np.where(active & go, mid + 1, start)
            end = np.where(active & ~go, mid, end)


@op("searchsorted", samples=())
def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: builtins.bool = False,
                 right: builtins.bool = False, side: str | None = None,
                 sorter: Tensor | None = None) -> Tensor:
    """Return, for each value of ``input``, the index where it would be inserted into
    ``sorted_sequence`` (along its last dimension) to keep it sorted.

    Args:
        sorted_sequence (Tensor): sorted along the last dimension (1-d, or with the leading
            dimensions of ``input``).
        input (Tensor or number): the values.
        out_int32 (bool): int32 results instead of int64. Default: False.
        right (bool): the last suitable index instead of the first. Default: False.
        side (str, optional): ``"left"`` or ``"right"``, as ``right``.
        sorter (LongTensor, optional): the indices that sort an unsorted ``sorted_sequence``.

    Example::

        >>> import autograd_core as ag
        >>> ag.searchsorted(ag.tensor([1, 3, 5, 7]), ag.tensor([3, 6, 9]))
        tensor([1, 3, 4])
        >>> ag.searchsorted(ag.tensor([1, 3, 5, 7]), ag.tensor([3, 6, 9]), right=True)
        tensor([2, 3, 4])
    """
    _args.no_complex(sorted_sequence, "searchsorted_out_cpu")
    _args.no_complex(input, "searchsorted_out_cpu")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites,"
                               f" got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    vals = input._data if isinstance(input, Tensor) else np.asarray(input)
    srt = sorter._data if isinstance(sorter, Tensor) else None
    if srt is not None:
        _check_sorter(seq, srt)
    return _search("searchsorted", seq, vals, right, out_int32, srt)


def _check_sorter(seq: np.ndarray, srt: np.ndarray) -> None:
    """PyTorch's checks of ``searchsorted``'s ``sorter``: int64, the boundaries' shape, each
    index in range (numpy's indexing took a negative index from the end and a shorter sorter
    as a shorter sequence: silently wrong positions)."""
    if srt.dtype != np.int64:
        raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got "
                           f"dtype {_args.torch_name(srt.dtype)}")
    if srt.shape != seq.shape:
        raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, "
                           f"but got boundary tensor {list(seq.shape)}and got sorter tensor "
                           f"{list(srt.shape)}")
    if srt.size and (srt.min() < 0 or srt.max() >= seq.shape[-1]):
        raise RuntimeError("torch.searchsorted(): sorter index out of range")


@op("bucketize", samples=())
def bucketize(input: Any, boundaries: Tensor, *, out_int32: builtins.bool = False,
              right: builtins.bool = False) -> Tensor:
    """Return the index of the bucket of each value of ``input`` among the 1-d sorted
    ``boundaries``: ``boundaries[i-1] < x <= boundaries[i]`` (``<=`` and ``<`` with
    ``right=True``).

    Args:
        input (Tensor or number): the values.
        boundaries (Tensor): 1-d, sorted.
        out_int32 (bool): int32 results instead of int64. Default: False.
        right (bool): which side of a boundary is closed. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.bucketize(ag.tensor([1, 5, 9]), ag.tensor([1, 3, 5, 7]))
        tensor([0, 2, 4])
    """
    _args.no_complex(boundaries, "searchsorted_out_cpu")
    _args.no_complex(input, "searchsorted_out_cpu")
    b = boundaries._data
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    vals = input._data if isinstance(input, Tensor) else np.asarray(input)
    return _search("bucketize", b, vals, right, out_int32, None)


# ---- pixel shuffle and the bilinear form (nn layers' ops) --------------------------------------
def _shuffle_checks(name: str, x: Tensor, factor: int, what: str) -> int:
    if x.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    r = int(factor)
    if r <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {r}")
    return r


def _sample_at(fn, shapes, *args):
    """A sample calling ``fn(*inputs, *args)`` on inputs of ``shapes``; inputs of other shapes
    (the generic tests draw their own, all of one shape) become ``(n, 1, ...)`` columns with
    factor 1 (pixel shuffles) or ``n`` one-by-one matrices (bilinear)."""
    def sample(*ts):
        if tuple(tuple(t.shape) for t in ts) == shapes:
            return fn(*ts, *args)
        if args:
            return fn(ts[0].reshape(-1, 1, 1), 1)
        cols = [t.reshape(-1, 1) for t in ts[:2]]
        return fn(*cols, ts[2].reshape(-1, 1, 1), *(t.reshape(-1) for t in ts[3:]))
    return sample


@op("pixel_shuffle", samples=[
    Sample("pixel_shuffle", _sample_at(lambda a, r: pixel_shuffle(a, r), ((2, 8, 2, 3),), 2),
           shapes=((2, 8, 2, 3),))])
def pixel_shuffle(input: Tensor, upscale_factor: builtins.int) -> Tensor:
    """Rearrange ``(*, C * r**2, H, W)`` into ``(*, C, H * r, W * r)`` (``r`` the
    ``upscale_factor``): each group of ``r**2`` channels becomes an ``r x r`` block of pixels
    (Shi et al. 2016's sub-pixel convolution).

    Args:
        input (Tensor): the input, at least 3-D.
        upscale_factor (int): ``r``.

    Example::

        >>> import autograd_core as ag
        >>> ag.pixel_shuffle(ag.arange(8.).reshape(1, 4, 1, 2), 2)
        tensor([[[[0., 2., 1., 3.],
                  [4., 6., 5., 7.]]]])
    """
    r = _shuffle_checks("pixel_shuffle", input, upscale_factor, "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={c} is not "
                           f"divisible by {r * r}")
    n = len(lead)
    x = reshape(input, (*lead, c // (r * r), r, r, h, w))
    x = permute(x, tuple(range(n)) + tuple(n + i for i in (0, 3, 1, 4, 2)))
    return reshape(x, (*lead, c // (r * r), h * r, w * r))


@op("pixel_unshuffle", samples=[
    Sample("pixel_unshuffle", _sample_at(lambda a, r: pixel_unshuffle(a, r), ((2, 2, 4, 6),), 2),
           shapes=((2, 2, 4, 6),))])
def pixel_unshuffle(input: Tensor, downscale_factor: builtins.int) -> Tensor:
    """The inverse of :func:`pixel_shuffle`: ``(*, C, H * r, W * r)`` into
    ``(*, C * r**2, H, W)`` (``r`` the ``downscale_factor``).

    Args:
        input (Tensor): the input, at least 3-D.
        downscale_factor (int): ``r``.

    Example::

        >>> import autograd_core as ag
        >>> ag.pixel_unshuffle(ag.tensor([[[[0., 2., 1., 3.], [4., 6., 5., 7.]]]]), 2).flatten()
        tensor([0., 1., 2., 3., 4., 5., 6., 7.])
    """
    r = _shuffle_checks("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    *lead, c, h, w = input.shape
    for size, dim, d in ((h, "height", -2), (w, "width", -1)):
        if size % r:
            raise RuntimeError(f"pixel_unshuffle expects {dim} to be divisible by "
                               f"downscale_factor, but input.size({d})={size} is not divisible "
                               f"by {r}")
    n = len(lead)
    x = reshape(input, (*lead, c, h // r, r, w // r, r))
    x = permute(x, tuple(range(n)) + tuple(n + i for i in (0, 2, 4, 1, 3)))
    return reshape(x, (*lead, c * r * r, h // r, w // r))


_B1, _B2 = ((3, 2), (3, 4), (5, 2, 4)), ((2, 3, 2), (2, 3, 1), (3, 2, 1), (3,))


@op("bilinear", samples=[
    Sample("bilinear", lambda a, b, w: _sample_at(bilinear, _B1)(a, b, w), 3, shapes=_B1),
    Sample("bilinear_bias", lambda a, b, w, c: _sample_at(bilinear, _B2)(a, b, w, c), 4,
           shapes=_B2)])
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """The bilinear form ``y_k = x1^T W_k x2 + b_k`` of ``input1`` ``(*, in1)`` and ``input2``
    ``(*, in2)`` (the same leading dims) with ``weight`` ``(out, in1, in2)`` and ``bias``
    ``(out,)``: the result is ``(*, out)``.

    Args:
        input1 (Tensor): the left features.
        input2 (Tensor): the right features.
        weight (Tensor): one ``in1 x in2`` matrix per output feature.
        bias (Tensor, optional): added to each output. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> ag.bilinear(ag.tensor([[1., 2.]]), ag.tensor([[3., 4., 5.]]), ag.ones(1, 2, 3))
        tensor([[36.]])
    """
    x1, x2, w = input1, input2, weight
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and "
                           f"{x2.ndim}")
    for d in range(x1.ndim - 1):
        if x1.shape[d] != x2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {x1.shape[d]} and {x2.shape[d]}")
    if w.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional (out, in1, in2), but got "
                           f"weight of size {list(w.shape)}")
    if x1.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{x1.shape[-1]} but expected {w.shape[1]}")
    if x2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{x2.shape[-1]} but expected {w.shape[2]}")
    if bias is not None and (bias.ndim == 0 or bias.shape[0] != w.shape[0]):
        got = bias.shape[0] if bias.ndim else 0
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {got} but "
                           f"expected {w.shape[0]}")
    named = {"input1": x1, "input2": x2, "weight": w, **({} if bias is None else {"bias": bias})}
    if len({t.dtype for t in named.values()}) > 1:
        raise RuntimeError("All tensors must have the same dtype, got " + ", ".join(
            f"{k}: {CPP_NAMES.get(t.dtype.name, t.dtype.name)}" for k, t in named.items()))
    lead, (o, i, j) = x1.shape[:-1], w.shape
    b = math.prod(lead)
    t = matmul(reshape(x1, (b, i)), reshape(permute(w, (1, 0, 2)), (i, o * j)))
    y = (reshape(t, (b, o, j)) * reshape(x2, (b, 1, j))).sum(-1)
    if bias is not None:
        y = y + bias
    return reshape(y, (*lead, o))
