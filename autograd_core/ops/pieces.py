"""Pieces of a tensor and per-position masks: ``split``/``chunk``/``unbind`` (views, through
basic indexing), ``tril``/``triu``, ``cumsum``, constant padding (``nn.functional.pad``) and
``nelement``."""

from __future__ import annotations

import builtins
from typing import Any, Iterator, Sequence
import numpy as np

from autograd_core.kernels.pointwise import cumsum32
from autograd_core.node import LINEAR, Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.inplace import mark_multi_output
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.shape import _as_view, cat, stack
from autograd_core.tensor import DTypeLike, Tensor


def _ndim(x):
    return np.ndim(x._data if isinstance(x, Tensor) else x)


def _size(x, d):
    return np.shape(x._data if isinstance(x, Tensor) else x)[d]


class Pieces(Node):
    """The views ``split``/``chunk``/``unbind`` return, as the outputs of one node (PyTorch's
    ``SplitBackward0``, ``SplitWithSizesBackward0``, ``UnbindBackward0``). Its backward joins
    the pieces' gradients (zeros for the unused ones) in one concatenation: linear in the
    input's size, where a node per piece would add one input-sized array per piece."""

    n_outputs = 0  # per node: the number of pieces, set by forward
    complex_backward = LINEAR

    def name(self):
        return self.grad_name

    def forward(self, x, dim, bounds, grad_name, spans=None):
        self.dim, self.unbind, self.grad_name = dim, bounds is None, grad_name
        lead = (slice(None),) * dim
        self.spans = spans
        if spans is not None:  # tensor_split's (lo, hi) pieces: PyTorch's separate slices
            self.size, self.n_outputs = x.shape[dim], len(spans)
            self.tiles = spans[0][0] == 0 and spans[-1][1] == self.size and all(
                a[1] == b[0] for a, b in zip(spans, spans[1:]))
            self.materialize_grads = False  # (which pieces had a gradient decides -0.0's sign)
            return tuple(x[lead + (slice(lo, hi),)] for lo, hi in spans)
        if bounds is None:
            self.n_outputs = x.shape[dim]
            return tuple(x[lead + (i, Ellipsis)] for i in range(x.shape[dim]))  # 0-d: views
        self.n_outputs = len(bounds) - 1
        return tuple(x[lead + (slice(lo, hi),)] for lo, hi in zip(bounds, bounds[1:]))

    def backward(self, *grads):
        if self.spans is not None:
            return (self._slices_backward(grads),)
        if self.differentiable:
            return ((stack if self.unbind else cat)(list(grads), self.dim),)
        return ((np.stack if self.unbind else np.concatenate)(grads, self.dim),)

    def _slices_backward(self, grads):
        """The sum PyTorch's ``SliceBackward0`` nodes of the pieces that received a gradient
        make: each its gradient zero-padded to the input's length. Pieces that tile the
        dimension: one concatenation (zeros for the others), plus +0.0 when two or more had
        a gradient (there every element is summed with another's zero: a -0.0 becomes +0.0);
        overlapping or uncovered ones: the padded gradients summed."""
        used = [i for i, g in enumerate(grads) if g is not None]
        dim, tensor = self.dim, self.differentiable
        first = grads[used[0]]
        dtype = (first._data if tensor else first).dtype

        def zeros(k):
            shape = list(first.shape)
            shape[dim] = k
            z = np.zeros(shape, dtype)
            return xp.constant(z) if tensor else z
        join = (lambda parts: cat(parts, dim)) if tensor else \
            (lambda parts: np.concatenate(parts, dim))
        if self.tiles:
            total = join([g if g is not None else zeros(hi - lo)
                          for g, (lo, hi) in zip(grads, self.spans)])
            return total + 0.0 if len(used) > 1 else total
        total = None
        for i in used:
            lo, hi = self.spans[i]
            full = join([zeros(lo), grads[i], zeros(self.size - hi)])
            total = full if total is None else total + full
        return total


def _pieces(x, d, bounds, grad_name, view_name):
    """``x``'s views along dim ``d`` between consecutive ``bounds`` (None: each index, the
    dimension removed), outputs of one ``Pieces`` node, marked as PyTorch marks a
    multi-output function's views; ``unsafe_split``'s (``grad_name`` UnsafeSplit...) share
    x's memory but are not views, as PyTorch's: each may be changed in place."""
    outs = Pieces.apply(x, dim=d, bounds=bounds, grad_name=grad_name)
    if grad_name.startswith("Unsafe"):
        return outs
    for p in outs:
        _as_view(p, x)
    return mark_multi_output(view_name, outs)


def slices(x, d, spans):
    """``tensor_split``'s views of ``x`` along dim ``d``, ``x[lo:hi]`` for each ``(lo, hi)`` of
    ``spans`` (clamped, ``lo <= hi``), as the outputs of one node (a node per piece made its
    backward O(pieces x size)), each named ``SliceBackward0`` as PyTorch's separate slices
    and, as theirs, ordinary views (changed in place as any view)."""
    outs = Pieces.apply(x, dim=d, bounds=(), grad_name="SliceBackward0", spans=tuple(spans))
    outs = outs if isinstance(outs, tuple) else (outs,)
    for p in outs:
        _as_view(p, x)
    return outs


def _run(cls, g, **params):
    """A node's forward on ``g``: recorded when ``g`` is a Tensor (create_graph), an array
    otherwise (plain backward)."""
    out = cls.apply(g, **params)
    return out if isinstance(g, Tensor) else out._data


@op("split", samples=[
    Sample("split", lambda a: split(a, 2, dim=-1)[-1] * 2.0 + split(a, 2, dim=-1)[0].sum(),
           min_ndim=1),
    Sample("split_sections", lambda a: split(a, [min(a.shape[0], 1),
                                                 max(a.shape[0] - 1, 0)])[1] * 2.0,
           min_ndim=1)])
def split(tensor: Tensor, split_size_or_sections: builtins.int | Sequence[builtins.int],
          dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """Split ``tensor`` into views along ``dim``.

    An integer ``split_size_or_sections`` gives pieces of that many elements (the last may be
    smaller); a list gives the sizes of the pieces, which must add up to the dimension's size.

    Args:
        tensor (Tensor): the tensor to split.
        split_size_or_sections (int or list of int): the piece size, or the sizes.
        dim (int): the dimension. Default: 0.

    Returns:
        tuple of Tensor: the pieces.

    Example::

        >>> import autograd_core as ag
        >>> ag.split(ag.arange(6), 4)
        (tensor([0, 1, 2, 3]), tensor([4, 5]))
        >>> ag.split(ag.arange(6), [1, 5])
        (tensor([0]), tensor([1, 2, 3, 4, 5]))
    """
    return _split(tensor, split_size_or_sections, dim)


def _split(tensor, split_size_or_sections, dim, unsafe=""):
    """``split``; ``unsafe="Unsafe"``: ``unsafe_split``'s pieces (not views)."""
    if _ndim(tensor) == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _args.norm_dim(dim, _ndim(tensor), "split")
    n = _size(tensor, d)
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={size}")
        if size == 0:
            if n != 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {n}")
            return _pieces(tensor, d, (0, 0), f"{unsafe}SplitBackward0", "Split")
        return _pieces(tensor, d, tuple(range(0, max(n, 1), size)) + (n,),
                       f"{unsafe}SplitBackward0", "Split")
    sizes = [int(s) for s in split_size_or_sections]
    if any(s < 0 for s in sizes) or sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
            f"at dimension {d}), but got split_sizes={sizes}")
    bounds = tuple(int(b) for b in np.cumsum([0] + sizes))
    return _pieces(tensor, d, bounds, f"{unsafe}SplitWithSizesBackward0", "SplitWithSizes")


@op("split_with_sizes", method=True, samples=[
    Sample("split_with_sizes", lambda a: split_with_sizes(
        a, [min(a.shape[-1], 1), max(a.shape[-1] - 1, 0)], -1)[1] * 2.0, min_ndim=1)])
def split_with_sizes(input: Tensor, split_sizes: Sequence[builtins.int],
                     dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """Split ``input`` into views along ``dim`` of the sizes ``split_sizes`` (which add up to
    that dimension's size): ``split`` with a list.

    Args:
        input (Tensor): the tensor to split.
        split_sizes (list of int): the sizes of the pieces.
        dim (int): the dimension. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.split_with_sizes(ag.arange(5), [2, 3])
        (tensor([0, 1]), tensor([2, 3, 4]))
    """
    if not isinstance(split_sizes, (list, tuple)) and type(split_sizes).__name__ != "Size":
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple "
                        f"of ints, not {type(split_sizes).__name__}")
    return split(input, list(split_sizes), dim)


@op("Tensor.split", method="split", function=False, samples=())
def _split_method(self, split_size, dim=0):
    """Split the tensor into views along ``dim`` (``Tensor.split``; see ``autograd_core.split``).

    Args:
        split_size (int or list of int): the piece size, or the sizes.
        dim (int): the dimension. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.arange(5).split(2)
        (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    """
    return split(self, split_size, dim)


@op("chunk", method=True, samples=[
    Sample("chunk", lambda a: chunk(a, 2, dim=-1)[0] * 3.0, min_ndim=1)])
def chunk(input: Tensor, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """Split ``input`` into at most ``chunks`` views along ``dim``.

    Each is ``ceil(size / chunks)`` long except the last, as in PyTorch.

    Args:
        input (Tensor): the tensor to split.
        chunks (int): the number of pieces.
        dim (int): the dimension. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.chunk(ag.arange(6), 3)
        (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]))
    """
    return _chunk(input, chunks, dim)


def _chunk(input, chunks, dim, unsafe=""):
    """``chunk``; ``unsafe="Unsafe"``: ``unsafe_chunk``'s pieces (not views)."""
    if not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _args.norm_dim(dim, _ndim(input), "chunk")
    if _ndim(input) == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    n = _size(input, d)
    size = -(-n // int(chunks))
    if n == 0:
        return _pieces(input, d, (0,) * (int(chunks) + 1), f"{unsafe}SplitBackward0", "Split")
    return _split(input, size, d, unsafe)


@op("unsafe_split", method=True, samples=[
    Sample("unsafe_split", lambda a: unsafe_split(a, 2, dim=-1)[-1] * 2.0, min_ndim=1)])
def unsafe_split(tensor: Tensor, split_size: builtins.int | Sequence[builtins.int],
                 dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """``split``, whose pieces share the input's memory but are not views (PyTorch's
    ``unsafe_split``): each may be changed in place. As PyTorch warns, if both the input and
    a piece are changed in place, gradients are silently wrong.

    Args:
        tensor (Tensor): the tensor to split.
        split_size (int or list of int): the piece size, or the sizes.
        dim (int): the dimension. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> a, b = ag.unsafe_split(ag.arange(5.0), 3)
        >>> a.mul_(2), b
        (tensor([0., 2., 4.]), tensor([3., 4.]))
    """
    return _split(tensor, split_size, dim, "Unsafe")


@op("unsafe_split_with_sizes", method=True, samples=())
def unsafe_split_with_sizes(input: Tensor, split_sizes: Sequence[builtins.int],
                            dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """``split_with_sizes``, whose pieces are not views (see ``unsafe_split``).

    Args:
        input (Tensor): the tensor to cut.
        split_sizes (list of int): how long each piece is (they add up to dim's size).
        dim (int): the dimension cut. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(5)
        >>> x.unsafe_split_with_sizes([2, 3])[1].fill_(1.0)
        tensor([1., 1., 1.])
        >>> x
        tensor([0., 0., 1., 1., 1.])
    """
    return _split(input, list(split_sizes), dim, "Unsafe")


@op("unsafe_chunk", method=True, samples=[
    Sample("unsafe_chunk", lambda a: unsafe_chunk(a, 2, dim=-1)[0] * 3.0, min_ndim=1)])
def unsafe_chunk(input: Tensor, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """``chunk``, whose pieces are not views (see ``unsafe_split``).

    Args:
        input (Tensor): the tensor to cut.
        chunks (int): how many pieces (at most; each ``ceil(size / chunks)`` long).
        dim (int): the dimension cut. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(4)
        >>> x.unsafe_chunk(2)[0].add_(1.0)
        tensor([1., 1.])
        >>> x
        tensor([1., 1., 0., 0.])
    """
    return _chunk(input, chunks, dim, "Unsafe")


def _unbind_sample(a):
    pieces = unbind(a, -1)
    if not pieces:  # an empty last dim: no pieces
        return a * 2.0
    return pieces[-1] * 2.0 + pieces[0]


@op("unbind", method=True, samples=[Sample("unbind", _unbind_sample, min_ndim=1)])
def unbind(input: Tensor, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """Return the slices of ``input`` along ``dim``, with that dimension removed (views).

    Args:
        input (Tensor): the tensor.
        dim (int): the dimension. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.unbind(ag.tensor([[1, 2], [3, 4]]))
        (tensor([1, 2]), tensor([3, 4]))
    """
    if _ndim(input) == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _args.norm_dim(dim, _ndim(input), "unbind")
    if not _size(input, d):
        return ()
    return _pieces(input, d, None, "UnbindBackward0", "Unbind")


def iter_rows(self: Tensor) -> Iterator[Tensor]:
    """``iter(tensor)``: its rows along dim 0, PyTorch's ``unbind`` (one node for all rows, so
    a loop over the rows backpropagates in the input's size, not rows times it)."""
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(unbind(self))


@op("nelement", method=True, function=False, samples=())
def nelement(input: Tensor) -> builtins.int:
    """Return the number of elements (``numel``'s other name).

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).nelement()
        6
    """
    return int(np.size(input._data))


class Tri(Node):
    """``tril``/``triu`` of the last two dims; the gradient is the same mask of ``g``."""

    complex_backward = LINEAR

    def name(self):
        return "TriuBackward0" if self.upper else "TrilBackward0"

    def forward(self, x, diagonal, upper):
        self.diagonal, self.upper = diagonal, upper
        return (np.triu if upper else np.tril)(x, diagonal)

    def backward(self, g):
        return (_run(Tri, g, diagonal=self.diagonal, upper=self.upper),)


def _tri(input, diagonal, upper):
    name = "triu" if upper else "tril"
    if _ndim(input) < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return Tri.apply(input, diagonal=int(diagonal), upper=upper)


@op("tril", node=Tri, method=True, samples=[
    Sample("tril", lambda a: tril(a.reshape(int(np.prod(a.shape[:-1])), a.shape[-1])),
           min_ndim=2),
    Sample("tril_offset", lambda a: tril(a, -1), min_ndim=2)])
def tril(input: Tensor, diagonal: builtins.int = 0) -> Tensor:
    """Return the lower triangle of the last two dimensions of ``input``, the rest set to 0.

    Elements with ``j - i <= diagonal`` are kept.

    Args:
        input (Tensor): the input tensor (at least 2-d).
        diagonal (int): which diagonal bounds the triangle (0 the main one). Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.tril(ag.ones(3, 3))
        tensor([[1., 0., 0.],
                [1., 1., 0.],
                [1., 1., 1.]])
    """
    return _tri(input, diagonal, False)


@op("triu", node=Tri, method=True, samples=[Sample("triu", lambda a: triu(a, 1), min_ndim=2)])
def triu(input: Tensor, diagonal: builtins.int = 0) -> Tensor:
    """Return the upper triangle of the last two dimensions of ``input``, the rest set to 0.

    Elements with ``j - i >= diagonal`` are kept.

    Args:
        input (Tensor): the input tensor (at least 2-d).
        diagonal (int): which diagonal bounds the triangle (0 the main one). Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.triu(ag.ones(3, 3), 1)
        tensor([[0., 1., 1.],
                [0., 0., 1.],
                [0., 0., 0.]])
    """
    return _tri(input, diagonal, True)


class Cumsum(Node):
    """Running sum along ``dim`` (``reverse``: from the end); the gradient is the running sum of
    ``g`` from the other end."""

    complex_backward = LINEAR
    def forward(self, x, dim, reverse, cast=None):
        self.dim, self.reverse = dim, reverse
        # ``cast``: cumsum(dtype=) of a floating input, summed in that dtype; the gradient is
        # cast back to the input's dtype before its running sum, as PyTorch's
        # cumsum_backward(grad.to(self.scalar_type())) (float64 sums for a float64 input)
        self.in_dtype = x.dtype if cast is not None else None
        if cast is not None:
            x = x.astype(cast)
        if x.dtype == np.float32 and x.ndim:  # the same sums in one Numba pass
            return cumsum32(x, dim, reverse)
        if reverse:
            y = np.flip(xp.wide(np.cumsum, np.flip(x, dim), axis=dim), dim).copy()
        else:
            y = xp.wide(np.cumsum, x, axis=dim)
        if y.dtype.kind in "fc":  # the sum starts from +0, as ATen's: no running sum is -0
            y += 0.0  # (numpy's starts from the first element: cumsum([-0.0]) was -0.0)
        return y

    def backward(self, g):
        if self.in_dtype is not None:
            g = g.to(self.in_dtype) if isinstance(g, Tensor) else g.astype(self.in_dtype)
        return (_run(Cumsum, g, dim=self.dim, reverse=not self.reverse),)


@op("cumsum", node=Cumsum, method=True, samples=[
    Sample("cumsum", lambda a: cumsum(a, -1) if a.ndim else cumsum(a, 0))])
def cumsum(input: Tensor, dim: builtins.int, *, dtype: DTypeLike | None = None) -> Tensor:
    """Return the running sum of ``input`` along ``dim``.

    Integer and bool inputs sum in int64, as in PyTorch.

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension.
        dtype (dtype, optional): the dtype of the result.

    Example::

        >>> import autograd_core as ag
        >>> ag.cumsum(ag.tensor([1, 2, 3]), dim=0)
        tensor([1, 3, 6])
    """
    nd = _ndim(input)
    d = _args.norm_dim(dim, nd, "cumsum")
    x = input
    if dtype is not None:
        if np.dtype(dtype) == np.bool_:  # PyTorch has no bool running sum
            raise _args.not_implemented("cumsum_out_cpu", np.bool_)
        if nd and isinstance(x, Tensor) and x._data.dtype.kind in "fc" and \
                np.dtype(dtype).kind in "fc" and x._data.dtype != np.dtype(dtype):
            return Cumsum.apply(x, dim=d, reverse=False, cast=np.dtype(dtype))
        x = x.to(dtype) if isinstance(x, Tensor) else np.asarray(x, dtype)
    elif np.asarray(x._data if isinstance(x, Tensor) else x).dtype.kind in "biu":
        x = x.to(np.int64) if isinstance(x, Tensor) else np.asarray(x, np.int64)
    if nd == 0:
        return x.reshape(()) * 1 if isinstance(x, Tensor) else xp.constant(x)
    return Cumsum.apply(x, dim=d, reverse=False)


class ConstantPad(Node):
    """Pads (positive) or crops (negative) each of the last dims; the gradient is the inverse:
    the same op with the pads negated and zeros."""

    complex_backward = LINEAR
    def forward(self, x, pad, value):
        self.pad = pad
        nd = x.ndim
        crop = [slice(None)] * nd
        widths = [(0, 0)] * nd
        for k in range(len(pad) // 2):
            d = nd - 1 - k
            lo, hi = pad[2 * k], pad[2 * k + 1]
            # negative pads crop first (PyTorch narrows), then positive ones pad
            if x.shape[d] + min(lo, 0) + min(hi, 0) < 0:
                raise RuntimeError(
                    f"narrow(): length must be non-negative. (pad: the negative padding {lo} and "
                    f"{hi} crops more than the size {x.shape[d]} of dimension {d} of the input)")
            crop[d] = slice(max(-lo, 0), x.shape[d] - max(-hi, 0))
            widths[d] = (max(lo, 0), max(hi, 0))
        src = x[tuple(crop)]
        if all(w == (0, 0) for w in widths):
            return np.array(src, copy=True)
        # the borders set, the middle copied: one pass (np.pad cost ~40 us of Python on a
        # 100x100 input, 7x torch's time, and the result was copied again)
        out = np.empty(tuple(n + lo + hi for n, (lo, hi) in zip(src.shape, widths)), x.dtype)
        # converted as PyTorch's fill: checked (1e40 into float32, 1j into a real dtype
        # refused, -1 into uint8 255), float16 through float32
        fill = np.asarray(_args.scalar_for(value, x.dtype), x.dtype)
        whole = [slice(None)] * nd
        for d, (lo, hi) in enumerate(widths):
            if lo:
                out[tuple(whole[:d] + [slice(0, lo)])] = fill
            if hi:
                out[tuple(whole[:d] + [slice(out.shape[d] - hi, None)])] = fill
        out[tuple(slice(lo, lo + n) for n, (lo, _) in zip(src.shape, widths))] = src
        return out

    def backward(self, g):
        return (_run(ConstantPad, g, pad=tuple(-p for p in self.pad), value=0),)


@op("constant_pad_nd", node=ConstantPad, grad_fn="ConstantPadNdBackward0", samples=[
    Sample("constant_pad_nd", lambda a: constant_pad_nd(a, (1, 2), 0.5), min_ndim=1),
    Sample("constant_pad_nd_crop", lambda a: constant_pad_nd(a, (-min(a.shape[-1], 1), 1, 2, 0)),
           min_ndim=2)])
def constant_pad_nd(input: Tensor, pad: Sequence[builtins.int], value: Any = 0) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions of ``input`` with ``value``.

    ``pad = (last_lo, last_hi, prev_lo, prev_hi, ...)``; a negative amount crops. What
    ``nn.functional.pad`` runs (constant mode).

    Args:
        input (Tensor): the input tensor.
        pad (sequence of int): the amounts, an even number of them.
        value (number): the fill value. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.constant_pad_nd(ag.tensor([1.0, 2.0]), (1, 2))
        tensor([0., 1., 2., 0., 0.])
    """
    pad = tuple(int(p) for p in pad)
    nd = _ndim(input)
    if len(pad) % 2:
        raise RuntimeError("Length of pad must be even but instead it equals "
                           f"{len(pad)}")
    if len(pad) // 2 > nd:
        raise RuntimeError(
            f"Length of pad should be no more than twice the number of dimensions of the "
            f"input. Pad length is {len(pad)} while the input has {nd} dimensions.")
    return ConstantPad.apply(input, pad=pad, value=value)

