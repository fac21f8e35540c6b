"""Shape ops. Results that share memory with their input are views: they share its version
counter, so an in-place change through either is seen by nodes that saved the other."""

from __future__ import annotations

import numpy as np

from autograd_core.device import check_device
from autograd_core.device import device as _device
from autograd_core.node import Node
from autograd_core.ops import _xp as xp
from autograd_core.ops._args import norm_dim, shape_arg
from autograd_core.ops.registry import Sample, op
from autograd_core.tensor import Tensor


def _as_view(out, x):
    """Mark ``out`` as a view of ``x`` when it shares x's memory."""
    if np.shares_memory(out._data, x._data) if out._data.size and x._data.size else False:
        out._version = x._counter()
        out._base = x._base if x._base is not None else x
    return out


class Reshape(Node):
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


@op("reshape", node=Reshape, method=True, samples=[Sample("reshape", lambda a: a.reshape(-1))])
def reshape(input, *shape):
    return _as_view(Reshape.apply(input, shape=shape_arg(shape)), input)


@op("view", node=Reshape, method=True, function=False,
    samples=[Sample("view", lambda a: a.view(a.numel(), 1))])
def view(input, *shape):
    return _as_view(Reshape.apply(input, shape=shape_arg(shape)), input)


@op("view_as", node=Reshape, method=True, function=False, samples=())
def view_as(input, other):
    return reshape(input, other.shape)


@op("reshape_as", node=Reshape, method=True, function=False, samples=())
def reshape_as(input, other):
    return reshape(input, other.shape)


@op("flatten", node=Reshape, method=True, samples=[Sample("flatten", lambda a: a.flatten())])
def flatten(input, start_dim=0, end_dim=-1):
    x = input
    if x.ndim == 0:
        return reshape(x, (1,))
    s = norm_dim(start_dim, x.ndim, "flatten")
    e = norm_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:]
    return reshape(x, shape)


class Permute(Node):
    def forward(self, x, axes):
        self.inverse = tuple(np.argsort(axes))
        return np.transpose(x, axes)

    def backward(self, g):
        return (xp.permute(g, self.inverse),)


@op("permute", node=Permute, method=True, samples=[
    Sample("permute", lambda a: a.permute(*reversed(range(a.ndim)))),
    Sample("T", lambda a: a.T)])
def permute(input, *dims):
    x = input
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    dims = tuple(norm_dim(d, x.ndim, "permute") for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError(
            f"permute: dims {dims} are not a permutation of the {x.ndim} dimensions of a tensor "
            f"of shape {x.shape}"
        )
    return _as_view(Permute.apply(x, axes=dims), x)


@op("transpose", node=Permute, method=True, aliases=("swapaxes",),
    samples=[Sample("transpose", lambda a: a.transpose(0, -1), min_ndim=1)])
def transpose(input, dim0, dim1):
    x = input
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    axes = list(range(x.ndim))
    d0, d1 = norm_dim(dim0, x.ndim, "transpose"), norm_dim(dim1, x.ndim, "transpose")
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return _as_view(Permute.apply(x, axes=tuple(axes)), x)


@op("unsqueeze", node=Reshape, method=True, samples=[Sample("unsqueeze", lambda a: a.unsqueeze(0))])
def unsqueeze(input, dim):
    d = norm_dim(dim, input.ndim + 1, "unsqueeze")
    return reshape(input, input.shape[:d] + (1,) + input.shape[d:])


@op("squeeze", node=Reshape, method=True, samples=[Sample("squeeze", lambda a: a.squeeze())])
def squeeze(input, dim=None):
    x = input
    if dim is None:
        shape = tuple(s for s in x.shape if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {norm_dim(d, x.ndim, "squeeze") for d in dims} if x.ndim else set()
        shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    if shape == x.shape:
        return x
    return reshape(x, shape)


class Expand(Node):
    def forward(self, x, shape):
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise RuntimeError(
                f"expand: a tensor of shape {x.shape} cannot be expanded to shape {shape}"
            ) from None

    def backward(self, g):
        return (g,)  # the engine sums it back to the input's shape


@op("expand", node=Expand, method=True, function=False,
    samples=[Sample("expand", lambda a: a.expand(2, *a.shape))])
def expand(input, *sizes):
    x = input
    sizes = shape_arg(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes {len(sizes)} must be >= the tensor's {x.ndim} dims"
        )
    shape = tuple(
        (x.shape[i - lead] if s == -1 else s) if i >= lead else s for i, s in enumerate(sizes)
    )
    if shape == x.shape:
        return x
    return _as_view(Expand.apply(x, shape=shape), x)


class Repeat(Node):
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
def expand_as(input, other):
    return expand(input, other.shape)


@op("repeat", node=Repeat, method=True, function=False,
    samples=[Sample("repeat", lambda a: a.repeat(*([2] * max(a.ndim, 1))))])
def repeat(input, *sizes):
    x = input
    sizes = shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"repeat: number of repeat dims {len(sizes)} can not be smaller than the tensor's "
            f"{x.ndim} dims"
        )
    return Repeat.apply(x, reps=sizes)


class Cat(Node):
    def forward(self, *xs, dim):
        self.dim = dim
        self.bounds = np.cumsum([0] + [x.shape[dim] for x in xs])
        return np.concatenate(xs, axis=dim)

    def backward(self, g):
        lead = (slice(None),) * self.dim
        b = self.bounds
        return tuple(
            g[lead + (slice(int(b[i]), int(b[i + 1])),)] if need else None
            for i, need in enumerate(self.needs_input_grad)
        )


class Stack(Node):
    def forward(self, *xs, dim):
        self.dim = dim
        return np.stack(xs, axis=dim)

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
def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat: expected a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if np.ndim(t._data if hasattr(t, "_data") else t) == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    nd = np.ndim(tensors[0]._data if hasattr(tensors[0], "_data") else tensors[0])
    d = norm_dim(dim, nd, "cat")
    _check_same("cat", tensors, d, True)
    return Cat.apply(*tensors, dim=d)


@op("stack", node=Stack, samples=[Sample("stack", lambda a, b: stack([a, b], dim=0), 2)])
def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of tensors")
    nd = np.ndim(tensors[0]._data if hasattr(tensors[0], "_data") else tensors[0])
    d = norm_dim(dim, nd + 1, "stack")
    _check_same("stack", tensors, d, False)
    return Stack.apply(*tensors, dim=d)


class ToCopy(Node):
    """A dtype conversion (PyTorch names its node ToCopyBackward0)."""

    def forward(self, x, dtype):
        return x.astype(dtype)

    def backward(self, g):
        return (g,)  # the engine casts it back to the input's dtype


class Clone(Node):
    def forward(self, x):
        return np.array(x, copy=True)

    def backward(self, g):
        return (g,)


class CopyFrom(Node):
    """The values of ``src`` broadcast into ``dst``'s shape and dtype (for copy_/fill_)."""

    def forward(self, dst, src):
        out = np.empty_like(dst)
        try:
            out[...] = src
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


op("clone", method=True)(Clone)


@op("contiguous", method=True, function=False, samples=())
def contiguous(input):
    """The tensor itself: every tensor here is laid out as its numpy array is."""
    return input


_LEGACY_TYPES = {"FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
                 "LongTensor": "int64", "IntTensor": "int32", "ShortTensor": "int16",
                 "CharTensor": "int8", "ByteTensor": "uint8", "BoolTensor": "bool"}


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
def to(input, *args, device=None, dtype=None, non_blocking=False, copy=False,
       memory_format=None):
    """PyTorch's ``Tensor.to``: ``to(dtype)``, ``to(device=None, dtype=None)``, ``to(other)``
    (``other``'s dtype and device), each with ``non_blocking=False, copy=False``.

    The result is ``input`` itself when nothing changes and ``copy`` is False; otherwise a new
    tensor, recorded for autograd when the result is floating point (a cast's gradient is cast
    back). The only device is the CPU; CUDA/MPS raise PyTorch's error.
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
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"to() received an invalid combination of arguments: {dtype!r} is "
                            "not a dtype") from None
    if dtype is None or dtype == input._data.dtype:
        return Clone.apply(input) if copy else input
    if dtype.kind not in "fc":  # an integer or bool result is not differentiable (PyTorch)
        return Tensor._make(input._data.astype(dtype), None, False)
    return ToCopy.apply(input, dtype=dtype)
