"""Shape ops. Results that share memory with their input are views: they share its version
counter, so an in-place change through either is seen by nodes that saved the other."""

from __future__ import annotations

import builtins
import functools
import itertools
import weakref
from typing import Any, Sequence
import numpy as np

from autograd_core.device import check_device, check_memory_format
from autograd_core._casts import half_source
from autograd_core.device import device as _device
from autograd_core.grad_mode import STATE
from autograd_core.node import LINEAR, Node, apply_nondifferentiable
from autograd_core.ops import _xp as xp
from autograd_core.ops import _args
from autograd_core.ops._args import norm_dim, shape_arg
from autograd_core.ops._loops import insertion_order
from autograd_core.ops.binary import _promote_types
from autograd_core.ops.registry import Sample, op
from autograd_core.tensor import DType, DTypeLike, Tensor, note_complex


class _Views(list):
    """A base's weak references to its views; copied or pickled as empty (a copy of the base
    has no views, and a weak reference cannot be pickled: a DataLoader's spawned workers
    pickle the dataset's tensors)."""

    def __reduce__(self):
        return (_Views, ())


def _as_view(out, x, shares=False):
    """Mark ``out`` as a view of ``x`` when it shares x's memory (or ``shares``: the caller
    knows it shares its base's, as ``as_strided``'s may without holding any of x's own
    elements). While recording, the base also keeps a weak reference to it: an in-place change
    of the base then re-records the view's ``grad_fn`` from the base's new one
    (``inplace._regenerate_views``). A numpy view made from x's array has that array, or the
    array x's is itself a view of, as its ``base``: every element of it is one of x's, so that
    answers without ``np.shares_memory`` (1.2 us of a 7-15 us view op); other results are
    asked the exact question."""
    data, xdata = out._data, x._data
    owner = data.base  # (numpy's: the array, or other object, whose memory data views)
    if (shares or not data.size or not xdata.size or owner is xdata
            or (owner is not None and owner is xdata.base) or np.shares_memory(data, xdata)):
        out._vc = x._counter()
        base = out._base = x._base if x._base is not None else x
        # PyTorch's creation meta: a view of a multi-output view or of one made under no_grad
        # is one too; a view made under no_grad refuses in-place changes while recording
        meta = x._view_meta
        if meta is not None or not STATE.enabled:
            out._view_meta = (None, 0, True if meta is None else meta[2],
                                          STATE.enabled)
        if STATE.enabled:
            track_view(base, out)
    return out


def track_view(base, view):
    """Keep a weak reference to ``view`` in ``base``: an in-place change of the base
    re-records the view from the base's new value (``inplace._regenerate_views``)."""
    views = base.__dict__.get("_views")
    if views is None:
        views = base.__dict__["_views"] = _Views()
    if len(views) & 63 == 63:  # drop the dead ones now and then
        views[:] = [r for r in views if r() is not None]
    views.append(weakref.ref(view))


class Reshape(Node):
    complex_backward = LINEAR
    view_name = "View"  # PyTorch's name of the view in its error messages (inplace.py)
    def forward(self, x, shape):
        self.in_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(
                f"reshape/view: shape {tuple(shape)} is invalid for input of shape {x.shape} "
                f"({x.size} elements)"
            ) from None

    def backward(self, g):
        return (g.reshape(self.in_shape),)


@op("reshape", node=Reshape, method=True, grad_fn="ViewBackward0",
    samples=[Sample("reshape", lambda a: a.reshape(-1))])
def reshape(input: Tensor, shape: Any = (), *more: Any) -> Tensor:
    """Return ``input`` with the given shape: a view when the layout allows, else a copy.

    One dimension may be -1 (inferred). The shape may be given as integers or one sequence.

    Args:
        input (Tensor): the input tensor.
        shape (int or sequence of ints): the new shape, with as many elements as ``input``
            (``reshape(3, 2)``, ``reshape((3, 2))`` and ``reshape(shape=(3, 2))`` alike).

    Example::

        >>> import autograd_core as ag
        >>> ag.reshape(ag.arange(6), 2, 3)
        tensor([[0, 1, 2],
                [3, 4, 5]])
        >>> ag.arange(6).reshape(-1, 2).shape
        autograd_core.Size([3, 2])
    """
    return _as_view(Reshape.apply(input, shape=shape_arg((shape, *more))), input)


@op("view", node=Reshape, method=True, function=False,
    samples=[
    # a shape every layout gives without a copy (a flattening view of a transposed input is
    # refused, as PyTorch refuses it; tests/autograd/test_view_rules.py)
    Sample("view", lambda a: a.view(*a.shape, 1))])
def view(input: Tensor, size: Any = (), *more: Any, dtype: DTypeLike | None = None) -> Tensor:
    """Return a view of ``input`` with the given shape (``Tensor.view``), or its memory read
    as another dtype (``view(dtype)``).

    It shares ``input``'s memory; one dimension may be -1. A shape that the strides of a view
    cannot give without a copy (``x.t().view(-1)``) is refused, as PyTorch refuses it
    (``reshape`` copies). ``view(dtype)`` reinterprets the bits (a different element size
    scales the last dimension, which must be contiguous); the result does not require grad.

    Args:
        input (Tensor): the tensor.
        size (int or sequence of ints): the new shape (``view(3, 2)``, ``view((3, 2))`` and
            ``view(size=(3, 2))`` alike).
        dtype (dtype): the dtype to read the memory as (``view(ag.int32)`` or
            ``view(dtype=ag.int32)``).

    Example::

        >>> import autograd_core as ag
        >>> ag.arange(6).view(3, 2).shape
        autograd_core.Size([3, 2])
        >>> ag.tensor([1.0, -0.0]).view(ag.int32)
        tensor([ 1065353216, -2147483648], dtype=autograd_core.int32)
    """
    if dtype is None and not more and (isinstance(size, (DType, np.dtype)) or (
            isinstance(size, type) and issubclass(size, np.generic))):
        dtype = size
    if dtype is not None:
        return _view_dtype(input, np.dtype(dtype))
    out = Reshape.apply(input, shape=shape_arg((size, *more)))
    if out._data.size > 1 and input._base is not None and \
            input._base._data.flags.c_contiguous and \
            not np.may_share_memory(out._data, input._data):
        # numpy copied: the strides cannot give this shape. Refused for a view of a row-major
        # tensor (its strides are PyTorch's); an op's result laid out otherwise than PyTorch's
        # (a channels-last convolution output) is copied, as PyTorch's would be viewed
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return _as_view(out, input)


def _view_dtype(input, dtype):
    a = input._data
    if dtype.itemsize != a.itemsize:
        names = f"{_args.torch_name(a.dtype)} as {_args.torch_name(dtype)} (different element sizes)"
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
        if a.shape[-1] != 1 and a.strides[-1] != a.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got "
                               f"{a.strides[-1] // a.itemsize}")
        if dtype.itemsize > a.itemsize and a.shape[-1] % (dtype.itemsize // a.itemsize):
            raise RuntimeError(f"self.size(-1) must be divisible by "
                               f"{dtype.itemsize // a.itemsize} to view {names}, but got "
                               f"{a.shape[-1]}")
    note_complex(dtype)
    out = Tensor._make(a.view(dtype), None, False)  # bits: no gradient, as PyTorch's
    out._vc = input._counter()  # the same memory: one version counter
    return out


@op("view_as", node=Reshape, method=True, function=False, samples=())
def view_as(input: Tensor, other: Tensor) -> Tensor:
    """Return a view of ``input`` with the shape of ``other`` (``Tensor.view_as``).

    Args:
        input (Tensor): the tensor.
        other (Tensor): the tensor whose shape is used.

    Example::

        >>> import autograd_core as ag
        >>> ag.arange(6).view_as(ag.zeros(2, 3)).shape
        autograd_core.Size([2, 3])
    """
    return view(input, other.shape)


@op("reshape_as", node=Reshape, method=True, function=False, samples=())
def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """Return ``input`` reshaped to the shape of ``other`` (``Tensor.reshape_as``).

    Args:
        input (Tensor): the tensor.
        other (Tensor): the tensor whose shape is used.

    Example::

        >>> import autograd_core as ag
        >>> ag.arange(6).reshape_as(ag.zeros(3, 2)).shape
        autograd_core.Size([3, 2])
    """
    return reshape(input, other.shape)


@op("flatten", node=Reshape, method=True, samples=[Sample("flatten", lambda a: a.flatten())])
def flatten(input: Tensor, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
    """Flatten the dimensions ``start_dim`` to ``end_dim`` of ``input`` into one.

    Args:
        input (Tensor): the input tensor.
        start_dim (int): the first dimension to flatten. Default: 0.
        end_dim (int): the last dimension to flatten. Default: -1.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3, 4)
        >>> ag.flatten(x).shape, ag.flatten(x, 1).shape
        (autograd_core.Size([24]), autograd_core.Size([2, 12]))
    """
    x = input
    if x.ndim == 0:
        return reshape(x, (1,))
    s = norm_dim(start_dim, x.ndim, "flatten")
    e = norm_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    if s == e:  # nothing to merge: PyTorch returns the input itself
        return x
    dims = x._data.shape  # numpy's tuple: Size's slicing and np.prod cost more than the view
    n = 1
    for d in dims[s:e + 1]:
        n *= d
    return reshape(x, dims[:s] + (n,) + dims[e + 1:])


class Unsqueeze(Reshape):
    """``unsqueeze``: a reshape under PyTorch's name of the node."""


class Squeeze(Reshape):
    """``squeeze``: a reshape; PyTorch names the node by the overload called (no dim, one, a
    tuple of them)."""

    def forward(self, x, shape, overload=0):
        self.overload = overload
        return super().forward(x, shape)

    def name(self):
        return f"SqueezeBackward{self.overload}"


class Permute(Node):
    complex_backward = LINEAR

    @property
    def view_name(self):
        moved = sum(a != k for k, a in enumerate(np.argsort(self.inverse)))
        return "Transpose" if moved == 2 else "Permute"

    def forward(self, x, axes):
        inverse = [0] * len(axes)
        for k, a in enumerate(axes):
            inverse[a] = k
        self.inverse = tuple(inverse)
        return x.transpose(axes)

    def backward(self, g):
        return (xp.permute(g, self.inverse),)


@op("permute", node=Permute, method=True, samples=[
    Sample("permute", lambda a: a.permute(*reversed(range(a.ndim)))),
    Sample("T", lambda a: a.T)])
def permute(input: Tensor, dims: Any = (), *more: Any) -> Tensor:
    """Return a view of ``input`` with its dimensions reordered as ``dims``.

    Args:
        input (Tensor): the input tensor.
        dims (int or sequence of ints): the new order of the dimensions (``permute(2, 0, 1)``,
            ``permute((2, 0, 1))`` and ``permute(dims=(2, 0, 1))`` alike).

    Example::

        >>> import autograd_core as ag
        >>> ag.permute(ag.zeros(2, 3, 4), 2, 0, 1).shape
        autograd_core.Size([4, 2, 3])
    """
    x = input
    dims = tuple(norm_dim(d, x.ndim, "permute") for d in _args.int_seq(dims, more))
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError(
            f"permute: dims {dims} are not a permutation of the {x.ndim} dimensions of a tensor "
            f"of shape {x.shape}"
        )
    return _as_view(Permute.apply(x, axes=dims), x)


class Transpose(Permute):
    """``transpose``: a permutation under PyTorch's name of the node."""


@op("transpose", node=Transpose, method=True, grad_fn="TransposeBackward0",
    samples=[Sample("transpose", lambda a: a.transpose(0, -1), min_ndim=1)])
def transpose(input: Tensor, dim0: builtins.int, dim1: builtins.int) -> Tensor:
    """Return a view of ``input`` with dimensions ``dim0`` and ``dim1`` swapped.

    ``swapaxes(input, axis0, axis1)`` is another name.

    Args:
        input (Tensor): the input tensor.
        dim0 (int): the first dimension.
        dim1 (int): the second dimension.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1, 2, 3]])
        >>> ag.transpose(x, 0, 1)
        tensor([[1],
                [2],
                [3]])
    """
    x = input
    axes = list(range(x.ndim))
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):  # a view all the same, as there
        return _as_view(Transpose.apply(x, axes=tuple(axes)), x)
    d0, d1 = norm_dim(dim0, x.ndim, "transpose"), norm_dim(dim1, x.ndim, "transpose")
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return _as_view(Transpose.apply(x, axes=tuple(axes)), x)


@op("swapaxes", node=Transpose, method=True, grad_fn="TransposeBackward0",
    samples=[Sample("swapaxes", lambda a: swapaxes(a, 0, -1), min_ndim=1)])
def swapaxes(input: Tensor, axis0: builtins.int, axis1: builtins.int) -> Tensor:
    """``transpose`` under numpy's name, with its argument names (``axis0``, ``axis1``), as
    PyTorch's ``swapaxes``.

    Example::

        >>> import autograd_core as ag
        >>> ag.swapaxes(ag.zeros(2, 3), axis0=0, axis1=1).shape
        autograd_core.Size([3, 2])
    """
    return transpose(input, axis0, axis1)


@op("unsqueeze", node=Unsqueeze, method=True, grad_fn="UnsqueezeBackward0",
    samples=[Sample("unsqueeze", lambda a: a.unsqueeze(0))])
def unsqueeze(input: Tensor, dim: builtins.int) -> Tensor:
    """Return a view of ``input`` with a dimension of size 1 inserted at ``dim``.

    Args:
        input (Tensor): the input tensor.
        dim (int): where to insert it (negative counts from the end of the new shape).

    Example::

        >>> import autograd_core as ag
        >>> ag.unsqueeze(ag.zeros(3), 0).shape, ag.zeros(3).unsqueeze(-1).shape
        (autograd_core.Size([1, 3]), autograd_core.Size([3, 1]))
    """
    d = norm_dim(dim, input.ndim + 1, "unsqueeze")
    return _as_view(Unsqueeze.apply(input, shape=input.shape[:d] + (1,) + input.shape[d:]), input)


@op("squeeze", node=Squeeze, method=True, samples=[Sample("squeeze", lambda a: a.squeeze())])
def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Return a view of ``input`` without its dimensions of size 1 (only ``dim``, if given).

    A ``dim`` whose size is not 1 is left as it is, as in PyTorch.

    Args:
        input (Tensor): the input tensor.
        dim (int or tuple of ints, optional): the dimension(s) to remove.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(1, 3, 1)
        >>> ag.squeeze(x).shape, x.squeeze(0).shape
        (autograd_core.Size([3]), autograd_core.Size([3, 1]))
    """
    x = input
    if dim is None:
        shape = tuple(s for s in x.shape if s != 1)
    else:
        dims: Any = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {norm_dim(d, x.ndim, "squeeze") for d in dims} if x.ndim else set()
        shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    overload = 0 if dim is None else 2 if isinstance(dim, (tuple, list)) else 1
    return _as_view(Squeeze.apply(x, shape=shape, overload=overload), x)


class Expand(Node):
    complex_backward = LINEAR
    def forward(self, x, shape):
        lead = len(shape) - x.ndim
        if shape[lead:] == x.shape and all(s == 1 for s in shape[:lead]):
            # no element repeated: a writable view, as PyTorch's (and its strides: a new
            # leading dimension of size 1 steps over the whole tensor, not 0)
            return x.reshape(shape)
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise RuntimeError(
                f"expand: a tensor of shape {x.shape} cannot be expanded to shape {shape}"
            ) from None

    def backward(self, g):
        return (g,)  # the engine sums it back to the input's shape


def _check_expand(x, sizes, lead):
    """PyTorch's errors (its ``inferExpandGeometry``, its words) for sizes ``x`` cannot take:
    too few of them, -1 for a new leading dimension, another size for one that is not 1."""
    if lead < 0:
        raise RuntimeError(
            f"expand({x.type().replace('autograd_core.', 'torch.')}{{{list(x.shape)}}}, "
            f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater "
            f"or equal to the number of dimensions in the tensor ({x.ndim})")
    for i in reversed(range(len(sizes))):
        s = sizes[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
        elif s != -1 and x.shape[i - lead] not in (1, s):
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({x.shape[i - lead]}) at non-singleton dimension {i}.  Target sizes: "
                f"{list(sizes)}.  Tensor sizes: {list(x.shape)}")


@op("expand", node=Expand, method=True, function=False,
    samples=[Sample("expand", lambda a: a.expand(2, *a.shape))])
def expand(input: Tensor, size: Any = (), *more: Any) -> Tensor:
    """Return a view of ``input`` broadcast to ``sizes`` (``Tensor.expand``), without copying.

    Only dimensions of size 1 can grow; -1 keeps a dimension's size. The gradient is summed
    back over the expanded dimensions.

    Args:
        input (Tensor): the tensor.
        size (int or sequence of ints): the new shape (``expand(2, 3)``, ``expand((2, 3))``
            and ``expand(size=(2, 3))`` alike).

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0], [2.0]]).expand(2, 3)
        tensor([[1., 1., 1.],
                [2., 2., 2.]])
    """
    x = input
    sizes = shape_arg((size, *more))
    lead = len(sizes) - x.ndim
    if lead < 0:
        _check_expand(x, sizes, lead)
    shape = tuple(
        (x.shape[i - lead] if s == -1 else s) if i >= lead else s for i, s in enumerate(sizes)
    )
    # a new view even when the shape is the same, as PyTorch's: data-parallel code takes
    # p.expand_as(p).grad_fn.next_functions[0][0] for a parameter's AccumulateGrad
    try:
        return _as_view(Expand.apply(x, shape=shape), x)
    except RuntimeError:
        _check_expand(x, sizes, lead)  # PyTorch's words for a refusal (only checked then)
        raise


class Repeat(Node):
    complex_backward = LINEAR
    def forward(self, x, reps):
        self.in_shape = x.shape
        self.reps = reps
        return np.tile(x, reps)

    def backward(self, g):
        lead = len(self.reps) - len(self.in_shape)
        shape = (1,) * lead + self.in_shape
        split = []
        for r, s in zip(self.reps, shape):
            split += [r, s]
        g = g.reshape(tuple(split)).sum(axis=tuple(range(0, 2 * len(shape), 2)))
        return (g.reshape(self.in_shape),)


@op("expand_as", node=Expand, method=True, function=False, samples=())
def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """Return ``input`` expanded to the shape of ``other`` (``Tensor.expand_as``).

    Args:
        input (Tensor): the tensor.
        other (Tensor): the tensor whose shape is used.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0], [2.0]]).expand_as(ag.zeros(2, 2)).shape
        autograd_core.Size([2, 2])
    """
    return expand(input, other.shape)


@op("repeat", node=Repeat, method=True, function=False,
    samples=[Sample("repeat", lambda a: a.repeat(*([2] * max(a.ndim, 1))))])
def repeat(input: Tensor, repeats: Any = (), *more: Any) -> Tensor:
    """Repeat ``input`` along each dimension ``sizes`` times (``Tensor.repeat``), copying.

    Args:
        input (Tensor): the tensor.
        repeats (int or sequence of ints): the number of repeats per dimension, at least
            ``input.ndim`` of them (``repeat(2, 2)``, ``repeat((2, 2))`` and
            ``repeat(repeats=(2, 2))`` alike).

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
    """
    x = input
    sizes = shape_arg((repeats, *more))
    if len(sizes) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           f"of dimensions of tensor (repeat: {len(sizes)} repeat dims, a tensor "
                           f"of {x.ndim} dims)")
    out = [r * n for r, n in zip(sizes, (1,) * (len(sizes) - x.ndim) + tuple(x.shape))]
    if any(r < 0 for r in sizes):  # (numpy's ValueError; PyTorch's RuntimeError)
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{next(n for n in out if n < 0)}: {out}")
    return Repeat.apply(x, reps=sizes)


def _common_dtype(xs):
    """PyTorch's promotion of the inputs' dtypes (int64 with float32 is float32; numpy's
    concatenate made float64)."""
    dts = [np.asarray(x).dtype for x in xs]
    d0 = dts[0]
    if d0.kind in "biuf" and dts.count(d0) == len(dts):  # one real dtype: itself
        return d0
    return functools.reduce(_promote_types, dts)


class Cat(Node):
    complex_backward = LINEAR
    def forward(self, *xs, dim):
        self.dim, dt = dim, _common_dtype(xs)
        # 1-D empty inputs beside n-d ones are left out (PyTorch's legacy rule; cat checks)
        nd = max(x.ndim for x in xs)
        self.skip = [nd > 1 and x.shape == (0,) for x in xs]
        if any(self.skip):
            xs = tuple(x for x, skip in zip(xs, self.skip) if not skip)
        self.bounds = list(itertools.accumulate([x.shape[dim] for x in xs], initial=0))
        # row-major, as PyTorch's (numpy may follow the inputs' layout, and a later view of a
        # result laid out otherwise would be a copy where PyTorch's is a view)
        return np.ascontiguousarray(np.concatenate(xs, axis=dim, dtype=dt))

    def backward(self, g):
        lead = (slice(None),) * self.dim
        b, k, grads = self.bounds, 0, []
        for need, skip in zip(self.needs_input_grad, self.skip):
            if skip:  # (a left-out empty input's gradient: empty)
                grads.append(g.reshape(-1)[:0] if need else None)
                continue
            grads.append(g[lead + (slice(int(b[k]), int(b[k + 1])),)] if need else None)
            k += 1
        return tuple(grads)


class Stack(Node):
    complex_backward = LINEAR
    def forward(self, *xs, dim):
        self.dim = dim
        return np.ascontiguousarray(np.stack(xs, axis=dim, dtype=_common_dtype(xs)))  # as cat

    def backward(self, g):
        lead = (slice(None),) * self.dim
        return tuple(
            g[lead + (i,)] if need else None for i, need in enumerate(self.needs_input_grad)
        )


def _check_same(op, tensors, dim, skip_dim):
    shapes = [tuple(np.shape(t._data if hasattr(t, "_data") else t)) for t in tensors]
    ref = shapes[0]
    for s in shapes[1:]:
        if len(s) != len(ref) or any(
            a != b for i, (a, b) in enumerate(zip(s, ref)) if not (skip_dim and i == dim)
        ):
            raise RuntimeError(
                f"{op}: tensors must have the same shape"
                f"{' except in dimension ' + str(dim) if skip_dim else ''}; got shapes {shapes}"
            )


@op("cat", node=Cat, aliases=("concat", "concatenate"),
    samples=[Sample("cat", lambda a, b: cat([a, b * 2.0], dim=0), 2, min_ndim=1)])
def cat(tensors: Sequence[Tensor], dim: builtins.int = 0) -> Tensor:
    """Concatenate ``tensors`` along the existing dimension ``dim``.

    They must have the same shape except in ``dim``; dtypes are promoted as in PyTorch.
    ``concat`` and ``concatenate`` are other names.

    Args:
        tensors (sequence of Tensor): the tensors.
        dim (int): the dimension. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> ag.cat([ag.tensor([1, 2]), ag.tensor([3])])
        tensor([1, 2, 3])
    """
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    shapes = [np.shape(t._data if hasattr(t, "_data") else t) for t in tensors]
    for i, s in enumerate(shapes):
        if not s:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ref = shapes[0]
    if (0,) in shapes and any(len(s) != 1 for s in shapes):  # PyTorch's legacy rule: 1-D
        ref = next(s for s in shapes if s != (0,))  # empty inputs join n-d ones (their dtype
        d = norm_dim(dim, len(ref), "cat")          # promoted with the others')
        key = ref[:d] + ref[d + 1:]
        if any(s != (0,) and (len(s) != len(ref) or s[:d] + s[d + 1:] != key) for s in shapes):
            _check_same("cat", [t for t, s in zip(tensors, shapes) if s != (0,)], d, True)
        return Cat.apply(*tensors, dim=d)
    d = norm_dim(dim, len(ref), "cat")
    key = ref[:d] + ref[d + 1:]  # the common case in one comparison a tensor; else the checks
    if any(len(s) != len(ref) or s[:d] + s[d + 1:] != key for s in shapes):
        _check_same("cat", tensors, d, True)
    return Cat.apply(*tensors, dim=d)


@op("stack", node=Stack, samples=[Sample("stack", lambda a, b: stack([a, b], dim=0), 2)])
def stack(tensors: Sequence[Tensor], dim: builtins.int = 0) -> Tensor:
    """Stack ``tensors`` (all of the same shape) along a new dimension ``dim``.

    Args:
        tensors (sequence of Tensor): the tensors.
        dim (int): the index of the new dimension. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> a, b = ag.tensor([1, 2]), ag.tensor([3, 4])
        >>> ag.stack([a, b])
        tensor([[1, 2],
                [3, 4]])
        >>> ag.stack([a, b], dim=1)
        tensor([[1, 3],
                [2, 4]])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of tensors")
    nd = np.ndim(tensors[0]._data if hasattr(tensors[0], "_data") else tensors[0])
    d = norm_dim(dim, nd + 1, "stack")
    _check_same("stack", tensors, d, False)
    return Stack.apply(*tensors, dim=d)


class ToCopy(Node):
    """A dtype conversion (PyTorch names its node ToCopyBackward0)."""

    complex_backward = LINEAR
    def forward(self, x, dtype):
        note_complex(dtype)
        return half_source(x, dtype).astype(dtype)

    def backward(self, g):
        return (g,)  # the engine casts it back to the input's dtype


class Clone(Node):
    complex_backward = LINEAR
    def forward(self, x, order=None):
        if order is not None:  # a memory_format's: the dims from outermost to innermost
            out = np.empty([x.shape[d] for d in order], x.dtype).transpose(np.argsort(order))
            np.copyto(out, x)
            return out
        if x.size > 1 and 0 in x.strides:  # expanded: lay the copy out as PyTorch does
            order = _dense_order(x.shape, x.strides)[::-1]  # (numpy's 'K' order differs)
            out = np.empty([x.shape[d] for d in order], x.dtype).transpose(np.argsort(order))
            np.copyto(out, x)
            return out
        return np.array(x, copy=True)

    def backward(self, g):
        return (g,)


def _dense_order(shape, strides):
    """The dims from innermost to outermost in the memory of a copy of a tensor of these
    ``strides``: PyTorch's insertion sort, where a zero stride compares with nothing."""
    def swap(a, b):  # > 0: dim a belongs outside dim b
        sa, sb = abs(strides[a]), abs(strides[b])
        if sa == 0 or sb == 0:
            return 0
        if sa != sb:
            return 1 if sa > sb else -1
        return 1 if shape[a] > shape[b] else 0

    return insertion_order(len(shape), swap)


class CopyFrom(Node):
    """The values of ``src`` broadcast into ``dst``'s shape and dtype (for copy_/fill_)."""

    _op_name = "copy_"  # the public op a refusal names (Node.op_name)
    complex_backward = LINEAR  # values moved: g to src (cast to its dtype), zeros to dst

    def forward(self, dst, src):
        out = np.empty_like(dst)
        try:
            out[...] = half_source(src, dst.dtype)  # (float64 into float16 as PyTorch's)
        except ValueError:
            raise RuntimeError(
                f"copy_: source of shape {np.shape(src)} cannot be broadcast to {dst.shape}"
            ) from None
        return out

    def backward(self, g):
        # the old values do not matter: zeros for dst (as PyTorch, so the node that made dst
        # still runs and still checks what it saved)
        zero = xp.where(np.zeros(np.shape(g), dtype=bool), g, 0.0) if self.needs_input_grad[0] \
            else None
        return zero, g


@op("clone", node=Clone, method=True, samples=[Sample("clone", lambda a: clone(a))])
def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """Return a copy of ``input`` with its own memory; the copy stays on the graph.

    Unlike ``detach``, gradients flow through it back to ``input``.

    Args:
        input (Tensor): the tensor to copy.
        memory_format (memory_format, optional): the copy's layout: ``preserve_format`` (the
            default: ``input``'s), ``contiguous_format`` (row-major), ``channels_last`` (4
            dims) or ``channels_last_3d`` (5 dims).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> y = ag.clone(x)
        >>> y.sum().backward()
        >>> x.grad, y.data is x.data
        (tensor([1., 1.]), False)
    """
    nd = input._data.ndim
    check_memory_format(memory_format, nd)
    name = getattr(memory_format, "_name", None)
    if name == "contiguous_format":
        return Clone.apply(input, order=tuple(range(nd)))
    if name in ("channels_last", "channels_last_3d"):  # channels innermost
        return Clone.apply(input, order=(0, *range(2, nd), 1))
    return Clone.apply(input)


class Contiguous(Node):
    """A row-major copy."""

    complex_backward = LINEAR

    _grad_fn = "CloneBackward0"  # PyTorch's contiguous() is a clone

    def forward(self, x):
        return np.ascontiguousarray(x)

    def backward(self, g):
        return (g,)


@op("contiguous", method=True, function=False, samples=())
def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    """Return ``input`` itself if its memory is in row-major order, else a row-major copy
    (``Tensor.contiguous``): as in PyTorch, an in-place change of the result reaches
    ``input`` exactly when ``input`` was already contiguous.

    A convolution output stored channels-last (see DIFFERENCES.md) is not contiguous here, so
    it is copied. ``memory_format`` is checked as PyTorch does (``channels_last`` needs 4
    dimensions) and otherwise not used: the result is row-major.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> x.contiguous() is x, x.t().contiguous().is_contiguous()
        (True, True)
    """
    check_memory_format(memory_format, input._data.ndim)
    if input._data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


_LEGACY_TYPES = {"FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
                 "LongTensor": "int64", "IntTensor": "int32", "ShortTensor": "int16",
                 "CharTensor": "int8", "ByteTensor": "uint8", "BoolTensor": "bool",
                 "ComplexFloatTensor": "complex64", "ComplexDoubleTensor": "complex128"}


def typename(t: Any) -> str:
    """PyTorch's legacy type name of tensor ``t`` under this package's name
    (``autograd_core.FloatTensor``; other dtypes their dtype's name)."""
    names = {dtype: name for name, dtype in _LEGACY_TYPES.items()}
    name = names.get(str(t.dtype).rpartition(".")[2])
    return f"autograd_core.{name}" if name else str(t.dtype)


def type_(input: Tensor, dtype: Any = None, non_blocking: builtins.bool = False,
          **kwargs: Any) -> Any:
    """``Tensor.type()``: with no dtype its legacy type name (``'autograd_core.FloatTensor'``,
    as PyTorch's ``'torch.FloatTensor'``), else ``input`` cast to ``dtype`` (a dtype or a
    type name such as ``'torch.DoubleTensor'``), as ``to``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.ones(2)
        >>> x.type(), x.type(ag.float64).dtype
        ('autograd_core.FloatTensor', autograd_core.float64)
    """
    if dtype is None:
        return typename(input)
    return to(input, dtype, non_blocking=non_blocking, **kwargs)


def _dtype_name(text):
    """The numpy dtype named by ``text`` ("float32", "torch.float32", "torch.FloatTensor",
    "autograd_core.float64"), or None when it names none (then it is a device string)."""
    name = text.rpartition(".")[2]
    name = _LEGACY_TYPES.get(name, name)
    if name in ("cpu", "cuda", "mps") or ":" in name:
        return None
    try:
        return np.dtype(name)
    except TypeError:
        return None


@op("to", node=ToCopy, method=True, function=False, samples=())
def to(input: Tensor, *args: Any, device: Any = None, dtype: DTypeLike | None = None,
       non_blocking: builtins.bool = False, copy: builtins.bool = False,
       memory_format: Any = None) -> Tensor:
    """Return ``input`` with another dtype (and/or on a device): ``Tensor.to``.

    PyTorch's forms: ``to(dtype)``, ``to(device=None, dtype=None)``, ``to(other)`` (``other``'s
    dtype and device), each with ``non_blocking=False, copy=False``. The result is ``input``
    itself when nothing changes and ``copy`` is False; otherwise a new tensor, recorded for
    autograd when the result is floating point (a cast's gradient is cast back). The only device
    is the CPU; CUDA and MPS raise PyTorch's error.

    Args:
        input (Tensor): the tensor.
        *args: a dtype, a device, or a Tensor, as above.
        device (device or str, optional): the device (``"cpu"``).
        dtype (dtype, optional): the dtype.
        non_blocking (bool): accepted (copies are synchronous). Default: False.
        copy (bool): return a new tensor even when nothing changes. Default: False.
        memory_format (memory_format, optional): a layout hint, checked as PyTorch does
            (``channels_last`` needs 4 dimensions); the values never depend on it.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).to(ag.float64)
        tensor([1., 2.], dtype=autograd_core.float64)
        >>> ag.tensor([1.5]).to("cpu", dtype=ag.int64)
        tensor([1])
    """
    positional = list(args)
    if len(positional) > 3:
        raise TypeError(f"to() takes at most 3 positional arguments after the tensor, got "
                        f"{len(positional)}")
    if positional and isinstance(positional[0], Tensor):
        other = positional.pop(0)
        dtype = other._data.dtype if dtype is None else dtype
    elif positional and isinstance(positional[0], str) and _dtype_name(positional[0]):
        # a dtype's name (t.type("float64"), t.astype("float32"): the spellings wired to to())
        positional[0] = _dtype_name(positional[0])
    elif positional and (isinstance(positional[0], (str, _device)) or (
            isinstance(positional[0], int) and not isinstance(positional[0], bool))):
        if device is not None:
            raise TypeError("to() got multiple values for argument 'device'")
        device = positional.pop(0)
    if positional and not isinstance(positional[0], bool):
        if dtype is not None:
            raise TypeError("to() got multiple values for argument 'dtype'")
        dtype = positional.pop(0)
    if positional:
        positional.pop(0)  # non_blocking: every copy here is synchronous
    if positional:
        copy = positional.pop(0)
    check_device(device, "to")
    check_memory_format(memory_format, input._data.ndim)
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"to() received an invalid combination of arguments: {dtype!r} is "
                            "not a dtype") from None
    if dtype is None or dtype == input._data.dtype:
        return Clone.apply(input) if copy else input
    if dtype.kind not in "fc":  # an integer or bool result is not differentiable (PyTorch)
        return apply_nondifferentiable(ToCopy, input, dtype=dtype)
    return ToCopy.apply(input, dtype=dtype)
