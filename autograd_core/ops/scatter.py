"""Index-driven ops with PyTorch's semantics and checks: ``gather``, ``scatter``,
``scatter_add``, ``scatter_reduce``, ``index_select``, ``masked_fill`` and ``index_put`` (and
their in-place forms). Gradients accumulate over repeated indices (``np.add.at``)."""

from __future__ import annotations

import builtins
from typing import Any
import inspect
import math

import numpy as np

from autograd_core._casts import half_source
from autograd_core.grad_mode import STATE
from autograd_core.kernels.pointwise import fill_where, gather_along, scatter_along_
from autograd_core.node import LINEAR, Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core.ops.binary import Where, _broadcast_error
from autograd_core.ops.index import IndexAdd, IndexPut, _index_error, _normalise, getitem
from autograd_core.ops.inplace import _PutAt, inplace
from autograd_core.ops.pieces import constant_pad_nd
from autograd_core.ops.registry import Sample, op, refuse_capture, warn_caller
from autograd_core.ops.shape import cat
from autograd_core.tensor import Tensor


def _arr(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))


def _along(index, dim):
    """The fancy index addressing ``index``'s entries along ``dim`` and their own position in
    every other dim (what gather reads and scatter writes)."""
    nd = index.ndim
    grids = []
    for d in range(nd):
        if d == dim:
            grids.append(index)
        else:
            shape = [1] * nd
            shape[d] = index.shape[d]
            grids.append(np.arange(index.shape[d]).reshape(shape))
    return tuple(grids)


def _at(ufunc, out, index, dim, values):
    """``ufunc.at(out, _along(index, dim), values)`` (in place): through one flat index into
    ``out``'s elements when it is C-contiguous and every position is in range (numpy's ``at``
    with a 1-d index runs its fast loop; with ``_along``'s tuple of broadcast arrays it was
    ~10x slower, 15 ms for 1e6 elements). The same elements in the same order: the same
    result, bit for bit; anything else takes numpy's own path (and its errors)."""
    if ufunc is np.add and type(values) is np.ndarray and values.shape == index.shape and \
            scatter_along_(out, index, dim, values, add=True):
        return  # (one Numba loop, the same order)
    if type(values) is np.ndarray and values.dtype == np.bool_ and out.dtype.kind in "iu":
        values = values.astype(out.dtype)  # the same counts; numpy's at casting bools: ~40x slower
    nd = out.ndim
    if type(out) is not np.ndarray or not out.flags.c_contiguous or nd != index.ndim or not index.size or \
            any(index.shape[d] > out.shape[d] for d in range(nd) if d != dim) or \
            index.min() < 0 or index.max() >= out.shape[dim]:
        ufunc.at(out, _along(index, dim), values)
        return
    steps = [math.prod(out.shape[d + 1:]) for d in range(nd)]  # C order's, in elements
    flat = np.multiply(index, steps[dim], dtype=np.intp)
    for d in range(nd):
        if d != dim and index.shape[d] > 1:  # the position on the other dims
            shape = [1] * nd
            shape[d] = index.shape[d]
            flat += np.arange(0, index.shape[d] * steps[d], steps[d]).reshape(shape)
    ufunc.at(out.reshape(-1), flat.reshape(-1), np.broadcast_to(values, index.shape).reshape(-1))


def _check_index(name, x_shape, dim, index, src_shape=None):
    """PyTorch's checks of gather/scatter's ``index`` (dtype, rank, extents, range)."""
    if index.dtype != np.int64 and index.dtype != np.int32:  # PyTorch 2.13 takes both
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    nd = len(x_shape)
    if index.ndim != max(nd, 1) and not (nd == 0 and index.ndim == 0):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    for d in range(index.ndim):
        if nd and d != dim and index.shape[d] > x_shape[d]:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                f"no larger than self {list(x_shape)} apart from dimension {dim}")
        if src_shape is not None and index.shape[d] > src_shape[d]:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                f"no larger than src {list(src_shape)}")
    _check_range(index, dim, x_shape[dim] if nd else 1)


def _check_range(index, dim, size):
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = int(index.min()) if index.min() < 0 else int(index.max())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _run(cls, g, **params):
    out = cls.apply(g, **params)
    return out if isinstance(g, Tensor) else out._data


class Gather(Node):
    """``x`` read at ``index`` along ``dim``; backward adds into zeros (repeats accumulate)."""

    complex_backward = LINEAR
    def forward(self, x, index, dim):
        self.index, self.dim, self.in_shape = index, dim, x.shape
        self.save_for_backward(index)  # as PyTorch's: freed after backward, then refusing
        out = gather_along(x, index, dim)  # (one Numba loop; None: numpy's fancy indexing)
        return x[_along(index, dim)] if out is None else out

    def backward(self, g):
        self.saved  # noqa: B018  (PyTorch's error once a backward freed the graph)
        return (_run(GatherBackward, g, index=self.index, dim=self.dim, shape=self.in_shape),)


class GatherBackward(Node):
    """Zeros of ``shape`` with ``g`` added at ``index`` along ``dim``; backward gathers."""

    complex_backward = LINEAR
    def forward(self, g, index, dim, shape):
        self.index, self.dim = index, dim
        out = np.zeros(shape, dtype=g.dtype)
        _at(np.add, out, index, dim, g)
        return out

    def backward(self, g2):
        return (_run(Gather, g2, index=self.index, dim=self.dim),)


class GatherAt(Gather):
    """``Gather`` with the index as an input rather than a constant: a step captured by
    ``ag.compile`` reads each call's indices (``max``/``min`` over a dim gather at their
    ``argmax``). The index is saved, so an in-place change to it makes backward refuse."""

    def forward(self, x, index, dim):
        self.save_for_backward(index)
        return super().forward(x, index, dim)

    def backward(self, g):
        self.saved  # noqa: B018  (the version check of the saved index)
        return (*super().backward(g), None)


class GatherInput(GatherAt):
    """``gather`` with a Tensor of indices: ``GatherAt``, whose forward checks the range of
    the indices again, since a step captured by ``ag.compile`` replays it on each call's
    indices without ``gather``'s checks (a DQN's ``q.gather(1, actions)``)."""

    _grad_fn = "GatherBackward0"

    def forward(self, x, index, dim):
        _check_range(index, dim, x.shape[dim] if x.ndim else 1)
        return super().forward(x, index, dim)


def _gather(x, dim, index, tensor=None):
    """``Gather`` of ``x`` after dropping the parts of the non-``dim`` dims index leaves out;
    ``tensor``: the index as a Tensor, then an input of the op."""
    shape = _arr(x).shape
    if any(index.shape[d] != shape[d] for d in range(len(shape)) if d != dim):
        # (only then: a slice that keeps everything still recorded a node whose backward
        # wrote the gradient into zeros of x's shape)
        cut = tuple(slice(None) if d == dim else slice(0, index.shape[d])
                    for d in range(len(shape)))
        x = getitem(x, cut)
    if tensor is not None:
        return GatherInput.apply(x, tensor, dim=dim)
    return Gather.apply(x, index=index, dim=dim)


def _some_indices(n, picks):
    """``picks(n)`` as an int64 index, or an empty one when there is nothing to pick from."""
    return xp.constant(np.array(picks(n) if n else [], dtype=np.int64))


def _gather_sample(a):
    flat = a.reshape(-1)
    n = flat.shape[0]
    return gather(flat, 0, _some_indices(n, lambda n: [n - 1, 0, n - 1, n // 2]))


def _gather_rows(a):
    m = a.reshape(1, 1) if a.ndim == 0 else a.reshape(int(np.prod(a.shape[:-1])), a.shape[-1])
    last = m.shape[1] - 1
    row = [last, 0, last] if last >= 0 else []
    idx = np.array([row] * m.shape[0], dtype=np.int64).reshape(m.shape[0], len(row))
    return gather(m, 1, xp.constant(idx))


@op("gather", method=True, samples=[
    Sample("gather", _gather_sample),
    Sample("gather_rows", lambda a: _gather_rows(a))])
def gather(input: Tensor, dim: builtins.int, index: Tensor, *,
           sparse_grad: builtins.bool = False) -> Tensor:
    """Gather the values of ``input`` at ``index`` along ``dim``.

    For ``dim=1``: ``out[i][j] = input[i][index[i][j]]`` (likewise for every dim); ``index``
    is an int64 tensor with as many dimensions as ``input``. The gradient is added back at
    ``index`` (repeated indices accumulate).

    Args:
        input (Tensor): the source tensor.
        dim (int): the dimension to index along.
        index (Tensor): the int64 indices.
        sparse_grad (bool): accepted for PyTorch's signature; gradients are dense.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.gather(x, 1, ag.tensor([[0, 0], [1, 0]]))
        tensor([[1., 1.],
                [4., 3.]])
    """
    idx = _arr(index)
    nd = _arr(input).ndim
    d = _args.norm_dim(dim, nd, "gather")
    if idx.ndim == 0 and nd == 1:  # PyTorch counts a 0-d index as one element: a 0-d result
        return gather(input, d, index.reshape(1)).reshape(())
    _check_index("gather", _arr(input).shape, d, idx)
    if nd == 0:
        if idx.ndim:  # a 0-d input as one element, the index's shape kept, as PyTorch's
            return gather(_as_tensor(input).reshape(1), 0, index)
        return input.clone() if isinstance(input, Tensor) else Tensor._wrap(np.asarray(input))
    return _gather(input, d, idx, index if isinstance(index, Tensor) else None)


class Scatter(Node):
    """``x`` with ``src`` written at ``index`` along ``dim`` (``add``: added, repeats summed).
    ``src`` is an array of at least index's extents, or a number."""

    complex_backward = LINEAR  # moves and sums g at real indices
    def forward(self, x, src, index, dim, add):
        self.index, self.dim, self.add = index, dim, add
        self.src_shape = np.shape(src)
        where = _along(index, dim)
        out = np.array(x, copy=True)
        part = (src[tuple(slice(0, s) for s in index.shape)] if np.ndim(src)
                else np.asarray(half_source(src, x.dtype), x.dtype))
        if add:
            _at(np.add, out, index, dim, part)
        else:
            mask = np.zeros(x.shape, dtype=bool)
            if not (np.ndim(part) and scatter_along_(out, index, dim, part, mask)):
                out[where] = part
                mask[where] = True
            self.save_for_backward(mask)
        return out

    def backward(self, g):
        n = self.needs_input_grad
        gx = gs = None
        if n[0]:
            if self.add:
                gx = g
            elif type(g) is np.ndarray:
                gx = fill_where(g, self.saved[0], 0.0)  # (branch-free np.where)
            else:
                gx = xp.where(self.saved[0], 0.0, g)
        if n[1]:
            gs = _run(Gather, g, index=self.index, dim=self.dim)
            if tuple(gs.shape) != self.src_shape:  # src larger than index: zeros elsewhere
                pad = []
                for s, t in zip(reversed(self.index.shape), reversed(self.src_shape)):
                    pad += [0, t - s]
                gs = (constant_pad_nd(gs, pad) if isinstance(gs, Tensor)
                      else constant_pad_nd(Tensor._wrap(gs), pad)._data)
        return gx, gs


def _scatter(name, input, dim, index, src, add):
    x = _arr(input)
    idx = _arr(index)
    d = _args.norm_dim(dim, x.ndim, name)
    is_number = isinstance(src, (int, float, bool, np.number))
    if idx.ndim == 0 and x.ndim == 1:  # PyTorch counts a 0-d index (and src) as one element
        idx = idx.reshape(1)
        if not is_number and _arr(src).ndim == 0:
            src = src.reshape(1)
    if not is_number:
        s = _arr(src)
        if s.ndim != idx.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
        if s.dtype != x.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    _check_index(name, x.shape, d, idx, None if is_number else _arr(src).shape)
    if x.ndim == 0:  # a 0-d input as one element (an index and src of one dim or none)
        one = (lambda t: t if is_number or np.ndim(_arr(t)) else _as_tensor(t).reshape(1))
        return _scatter(name, _as_tensor(input).reshape(1), 0, one(index), one(src),
                        add).reshape(())
    return Scatter.apply(input, src, index=idx, dim=d, add=add)


def _scatter_sample(a, b, add):
    fa, fb = a.reshape(-1), b.reshape(-1)
    n = fa.shape[0]
    idx = _some_indices(n, lambda n: [n - 1, 0][:n])
    return (scatter_add if add else scatter)(fa, 0, idx, fb[: min(n, 2)]) * 1.5


@op("scatter", method=True, samples=[
    Sample("scatter", lambda a, b: _scatter_sample(a, b, False), 2),
    Sample("scatter_value", lambda a: scatter(a.reshape(-1), 0,
                                              _some_indices(a.numel(), lambda n: [0]), 2.5))])
def scatter(input: Tensor, dim: builtins.int, index: Tensor, src: Any = None, *,
            value: Any = None, reduce: str | None = None) -> Tensor:
    """Return ``input`` with ``src`` written at ``index`` along ``dim`` (out of place).

    For ``dim=1``: ``out[i][index[i][j]] = src[i][j]``. ``src`` is a tensor or a number (or
    give the number as ``value=``, PyTorch's keyword); ``reduce="add"`` adds instead of
    writing, ``reduce="multiply"`` multiplies (``scatter_reduce``'s ``"prod"``).
    ``Tensor.scatter_`` is the in-place form.

    Args:
        input (Tensor): the tensor to write into.
        dim (int): the dimension to index along.
        index (Tensor): the int64 indices.
        src (Tensor or number): the values.
        value (number, optional): the one value written everywhere, instead of ``src``.
        reduce (str, optional): None, ``"add"`` or ``"multiply"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.scatter(ag.zeros(3), 0, ag.tensor([0, 2]), ag.tensor([5.0, 6.0]))
        tensor([5., 0., 6.])
    """
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if value is not None:
        if src is not None:
            raise TypeError("scatter() received an invalid combination of arguments: both src "
                            "and value were given (src is a tensor, value a number)")
        if getattr(value, "ndim", 0) != 0:
            raise TypeError("scatter(): argument 'value' must be a number, not "
                            f"{type(value).__name__}")
        src = value.item() if hasattr(value, "item") else value  # a 0-d tensor counts too
    elif src is None:
        raise TypeError("scatter() missing 1 required argument: 'src' (a tensor) or 'value' "
                        "(a number)")
    if reduce is not None and isinstance(src, Tensor):  # PyTorch's warning (each call)
        warn_caller("The reduce argument of torch.scatter with Tensor src is deprecated and "
                    "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                    "instead for more reduction options.")
    if reduce == "multiply":  # PyTorch's (deprecated) form of scatter_reduce's "prod"
        if not isinstance(src, Tensor):
            src = Tensor._make(np.full(tuple(index.shape), src, dtype=input._data.dtype), None,
                               False)
        return scatter_reduce(input, dim, index, src, "prod")
    return _scatter("scatter", input, dim, index, src, reduce == "add")


# PyTorch's documented overload; its other one, ``scatter(input, dim, index, value)``, is
# ``value=`` here (``src``'s default only tells the two apart)
scatter.__signature__ = inspect.signature(scatter).replace(parameters=[
    p.replace(default=inspect.Parameter.empty) if p.name == "src" else p
    for p in inspect.signature(scatter).parameters.values() if p.name != "value"])


@op("scatter_add", method=True, samples=[
    Sample("scatter_add", lambda a, b: _scatter_sample(a, b, True), 2),
    Sample("scatter_add_repeats", lambda a, b: scatter_add(
        a.reshape(-1), 0, _some_indices(a.numel(), lambda n: [0, 0]),
        cat([b.reshape(-1)[:1], b.reshape(-1)[:1] * 2.0])), 2)])
def scatter_add(input: Tensor, dim: builtins.int, index: Tensor, src: Any) -> Tensor:
    """Return ``input`` with ``src`` added at ``index`` along ``dim``; repeated indices sum.

    Args:
        input (Tensor): the tensor to add into.
        dim (int): the dimension to index along.
        index (Tensor): the int64 indices.
        src (Tensor): the values.

    Example::

        >>> import autograd_core as ag
        >>> ag.scatter_add(ag.zeros(3), 0, ag.tensor([0, 0, 2]), ag.tensor([1.0, 2.0, 3.0]))
        tensor([3., 0., 3.])
    """
    return _scatter("scatter_add", input, dim, index, src, True)


def _inplace_method(name, fn, call, result, disjoint=False, check=None):
    """``disjoint``: an input sharing any memory with the tensor written is refused (PyTorch's
    ``index_add_``, ``scatter_``, ``index_put_``, ...). ``check``: run first, on the same
    arguments (the in-place form's own checks and their order)."""
    def method(self, *args, **kwargs):
        if check is not None:
            check(self, *args, **kwargs)
        return inplace(self, lambda: fn(self, *args, **kwargs),
                       sources=(*args, *kwargs.values()) if disjoint else (), disjoint=disjoint)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"In-place ``{fn.__name__}``: write the result into this tensor and return it.\n\n"
        "PyTorch's autograd rules for in-place ops apply (a leaf that requires grad refuses; "
        "a value saved for backward that is overwritten makes backward raise).\n\n"
        f"Example::\n\n    >>> import autograd_core as ag\n    >>> x = ag.zeros(3)\n"
        f"    >>> x.{name}({call})\n    {result}\n")
    method.__signature__ = inspect.signature(fn)
    return op(name, method=True, function=False, samples=())(method)


scatter_ = _inplace_method("scatter_", scatter, "0, ag.tensor([1]), 9.0",
                           "tensor([0., 9., 0.])", disjoint=True)
scatter_add_ = _inplace_method("scatter_add_", scatter_add,
                               "0, ag.tensor([1, 1]), ag.tensor([1.0, 2.0])",
                               "tensor([0., 3., 0.])", disjoint=True)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _extreme(dt, lowest):
    """The lowest (``lowest``) or highest value of dtype ``dt``: where ``amax``/``amin``
    start an entry that takes no part itself (bool: False/True, unsigned: 0/max)."""
    if dt.kind == "b":
        return not lowest
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return info.min if lowest else info.max
    return -np.inf if lowest else np.inf


class ScatterReduce(Node):
    """``x`` with ``src`` reduced into it at ``index`` along ``dim`` (``scatter_reduce``).

    The backward follows PyTorch's: ``sum``/``mean`` pass ``g`` (over the count for ``mean``);
    ``amax``/``amin`` share ``g`` evenly among the entries equal to the result (``x``'s and
    ``src``'s); ``prod`` gives each entry the product of the others (exact with zeros). Without
    ``include_self`` the entries of ``x`` that receive a value get no gradient."""

    def forward(self, x, src, index, dim, reduce, include_self):
        self.index, self.dim, self.reduce, self.include_self = index, dim, reduce, include_self
        self.src_shape = src.shape
        where = _along(index, dim)
        part = src[tuple(slice(0, s) for s in index.shape)]
        mask = np.zeros(x.shape, dtype=bool)
        mask[where] = True
        out = np.array(x, copy=True)
        floating = x.dtype.kind in "fc"
        if reduce in ("sum", "mean"):
            if not include_self:
                out[mask] = 0
            _at(np.add, out, index, dim, part)
        elif reduce == "prod":
            if not include_self:
                out[mask] = 1
            _at(np.multiply, out, index, dim, part)
        else:
            if not include_self:
                out[mask] = _extreme(x.dtype, lowest=reduce == "amax")
            _at(np.maximum if reduce == "amax" else np.minimum, out, index, dim, part)
        count = None
        if reduce == "mean":
            count = np.zeros(x.shape, dtype=np.int64)
            _at(np.add, count, index, dim, 1)
            count += include_self
            count[count == 0] = 1
            out = out / count if floating else out // count
            out = np.asarray(out, dtype=x.dtype)
        self.mask, self.count = mask, count
        if reduce in ("amax", "amin", "prod"):  # read back through the version checks
            self.save_for_backward(x, src, out)
        return out

    def _saved_values(self):
        x, src, out = self.saved
        return x, src[tuple(slice(0, s) for s in self.index.shape)], out

    def backward(self, g):
        n = self.needs_input_grad
        where, mask, keep = _along(self.index, self.dim), self.mask, self.include_self
        reduce = self.reduce
        if reduce in ("sum", "mean"):
            w = None if reduce == "sum" else (1.0 / self.count).astype(g.dtype)
            gw = g if w is None else g * w
            gx = gw if keep else xp.where(mask, 0.0, gw)
            gs = _run(Gather, gw, index=self.index, dim=self.dim)
        elif reduce in ("amax", "amin"):
            # (masks and tie counts from the arrays: under create_graph the saved values are
            # Tensors, and 1 / an int64 Tensor of counts was float32)
            x, part, out = (xp.data(v) for v in self._saved_values())
            # as PyTorch's: x's entries equal to the result count among the ties even when
            # include_self is False (their share is then dropped)
            x_is = x == out
            at_src = gather_along(out, self.index, self.dim)
            src_is = part == (out[where] if at_src is None else at_src)
            ties = x_is.astype(np.int64)
            _at(np.add, ties, self.index, self.dim, src_is)
            w = (1.0 / np.maximum(ties, 1)).astype(g.dtype)
            gw = g * w
            gx = _where0(x_is & (keep | ~mask), gw)
            gs = _where0(src_is, _run(Gather, gw, index=self.index, dim=self.dim))
        elif self.differentiable:  # under create_graph: as Tensor ops, differentiable again
            gx, gs = self._prod_graph(g)
        else:
            x, part, _ = self._saved_values()
            # each entry's factor: the product of the other entries reduced into its place,
            # from the count of zeros there and the product of the nonzero entries
            zeros = ((x == 0) & (keep | ~mask)).astype(np.int64)
            _at(np.add, zeros, self.index, self.dim, part == 0)
            nonzero = np.where((x == 0) | (mask & (not keep)), 1, x).astype(x.dtype)
            if not keep:
                nonzero[mask] = 1
            _at(np.multiply, nonzero, self.index, self.dim, np.where(part == 0, 1, part))

            def others(v, z, p):
                with np.errstate(divide="ignore", invalid="ignore"):
                    return np.where(v != 0, np.where(z == 0, p / np.where(v == 0, 1, v), 0),
                                    np.where(z == 1, p, 0)).astype(v.dtype)

            fx = others(x, zeros, nonzero)
            if not keep:
                fx = np.where(mask, 0, fx)
            fx = np.where(mask, fx, 1).astype(x.dtype)  # untouched entries pass g on
            gx = g * fx
            gs = _run(Gather, g, index=self.index, dim=self.dim) * others(
                part, zeros[where], nonzero[where])
        if n[1] and tuple(np.shape(gs)) != self.src_shape:
            pad = []
            for s, t in zip(reversed(self.index.shape), reversed(self.src_shape)):
                pad += [0, t - s]
            gs = (constant_pad_nd(gs, pad) if isinstance(gs, Tensor)
                  else constant_pad_nd(Tensor._wrap(np.asarray(gs)), pad)._data)
        return (gx if n[0] else None), (gs if n[1] else None)


    def _prod_graph(self, g):
        """``prod``'s gradients as PyTorch's formula, of Tensor ops: ``x``'s from the result
        with its zeros taken as 1 (``g * r1 / x1``), ``src``'s from the result over the entry
        (from the result with it taken as 1 where it is its place's only zero); where two or
        more zeros of ``src`` meet, differentiating ``src``'s gradient again raises, as
        PyTorch's (its value is right: 0)."""
        from autograd_core.function import _DelayedError  # (function imports the ops)

        x, part, _ = self._saved_values()
        dim, keep = self.dim, self.include_self
        index = Tensor._wrap(self.index)
        x1 = x.masked_fill(x == 0, 1.0)
        gx = g * scatter_reduce(x1, dim, index, part, "prod", include_self=keep) / x1
        if not keep:
            gx = gx.masked_fill(self.mask, 0.0)
        zero = part == 0
        zeros = scatter_add(xp.zeros_like(x), dim, index, zero.to(x.dtype)).gather(dim, index)
        alone = zero & (zeros == 1)
        without = scatter_reduce(x, dim, index, part.masked_fill(alone, 1.0), "prod",
                                 include_self=keep)
        result = scatter_reduce(x, dim, index, part, "prod", include_self=keep)
        gs = xp.where(alone, (g * without).gather(dim, index),
                      (g * result).gather(dim, index) / part.masked_fill(zero, 1.0))
        if bool((zeros._data > 1).any()):
            gs = _DelayedError.apply(
                "scatter_reduce(): Double backward is unsupported for src when >1 zeros in src "
                "are scattered to the same position in self", gs)
        return gx, gs


def _where0(cond, a):
    """``where(cond, a, 0)``; for an array ``a`` branch-free (``fill_where``)."""
    return fill_where(a, ~cond, 0.0) if type(a) is np.ndarray else xp.where(cond, a, 0.0)


def _scatter_reduce_sample(reduce, include_self):
    """The op-table sample of ``scatter_reduce(reduce, include_self)``: a function of two
    tensors."""
    def sample(a, b):
        fa, fb = a.reshape(-1), b.reshape(-1)
        n = fa.shape[0]
        idx = _some_indices(n, lambda n: [n - 1, 0, n - 1][:max(n, 1)] if n else [])
        k = idx.shape[0]
        if fb.shape[0] < k:
            return fa * 1.0
        return scatter_reduce(fa, 0, idx, fb[:k] * 0.5, reduce, include_self=include_self)
    return sample


@op("scatter_reduce", method=True, samples=[
    Sample(f"scatter_reduce_{r}{'' if s else '_noself'}", _scatter_reduce_sample(r, s), 2)
    for r in ("sum", "mean", "amax", "amin") for s in (True, False)])
def scatter_reduce(input: Tensor, dim: builtins.int, index: Tensor, src: Tensor, reduce: str,
                   *, include_self: builtins.bool = True) -> Tensor:
    """Return ``input`` with ``src`` reduced into it at ``index`` along ``dim`` (out of place).

    ``reduce`` is ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``; with
    ``include_self=False`` the entries of ``input`` that receive values take no part in the
    reduction (those that receive none keep their value). ``Tensor.scatter_reduce_`` is the
    in-place form.

    Args:
        input (Tensor): the tensor to reduce into.
        dim (int): the dimension to index along.
        index (Tensor): the int64 indices.
        src (Tensor): the values.
        reduce (str): the reduction.
        include_self (bool): whether ``input``'s entries take part.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([0.0, 5.0, 1.0])
        >>> ag.scatter_reduce(x, 0, ag.tensor([0, 0, 2]), ag.tensor([3.0, 4.0, 2.0]), "amax")
        tensor([4., 5., 2.])
        >>> x.scatter_reduce(0, ag.tensor([0, 0]), ag.tensor([3.0, 4.0]), "mean",
        ...                  include_self=False)
        tensor([3.5000, 5.0000, 1.0000])
    """
    if reduce not in _REDUCES:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    x, idx = _arr(input), _arr(index)
    d = _args.norm_dim(dim, x.ndim, "scatter_reduce")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' must be Tensor, not "
                        f"{type(src).__name__}")
    s = _arr(src)
    if x.ndim <= 1 and idx.ndim == 0 and s.ndim == 0:  # PyTorch counts them as one element
        idx, src = idx.reshape(1), src.reshape(1)
        s = _arr(src)
    if s.ndim != idx.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if s.dtype != x.dtype:  # (PyTorch's words name scatter)
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_index("scatter_reduce", x.shape, d, idx, s.shape)
    if reduce != "sum":
        refuse_capture(f"scatter_reduce(reduce={reduce!r})")
    if x.ndim == 0:  # a 0-d input as one element, as PyTorch's
        return ScatterReduce.apply(input.reshape(1), src, index=idx, dim=0, reduce=reduce,
                                   include_self=bool(include_self)).reshape(())
    return ScatterReduce.apply(input, src, index=idx, dim=d, reduce=reduce,
                               include_self=bool(include_self))


scatter_reduce_ = _inplace_method(
    "scatter_reduce_", scatter_reduce, "0, ag.tensor([1, 1]), ag.tensor([1.0, 2.0]), 'amax'",
    "tensor([0., 2., 0.])", disjoint=True)


@op("index_select", method=True, samples=[
    Sample("index_select", lambda a: index_select(
        a, -1, _some_indices(a.shape[-1], lambda n: [0, n - 1, 0])), min_ndim=1)])
def index_select(input: Tensor, dim: builtins.int, index: Tensor) -> Tensor:
    """Return the entries of ``input`` at ``index`` along ``dim``; repeats allowed.

    Args:
        input (Tensor): the source tensor.
        dim (int): the dimension to index along.
        index (Tensor): a 1-d int tensor.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.index_select(x, 0, ag.tensor([1, 1, 0]))
        tensor([[3., 4.],
                [3., 4.],
                [1., 2.]])
    """
    if isinstance(index, Tensor):  # its values become a constant index below
        refuse_capture("index_select() with a tensor of indices")
    idx = _arr(index)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
    nd = _arr(input).ndim
    d = _args.norm_dim(dim, nd, "index_select")
    size = _arr(input).shape[d] if nd else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise IndexError("index out of range in self")
    if nd == 0:
        return getitem(input.reshape(1), idx.reshape(-1)).reshape(())
    return getitem(input, (slice(None),) * d + (idx.reshape(-1).astype(np.int64),))


# PyTorch's scalar-type names, as its messages print them
_TORCH_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
                "int32": "int", "int16": "short", "int8": "signed char",
                "uint8": "unsigned char"}


def _value_like(value, x, name):
    """``value`` (a number or 0-d tensor) as a tensor of ``x``'s dtype. A value that requires
    grad, cast to an integer or bool ``x``'s dtype, would lose its gradient: PyTorch's
    functional form refuses (the in-place forms compute under no_grad, ``inplace``)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        if value.requires_grad and STATE.enabled and x._data.dtype.kind not in "fc":
            raise RuntimeError("Autograd not support dtype: "
                               f"{_args.torch_name(x._data.dtype)}")
        if value._data.dtype.kind == "c" and x._data.dtype.kind != "c":
            _args.scalar_for(complex(value._data), x._data.dtype)  # PyTorch's error if imag != 0
            value = value.real
        elif value._data.dtype.kind == "f":  # PyTorch's range check of the value's number
            _args.scalar_for(value._data[()].item(), x._data.dtype)
        return value if value.dtype == x.dtype else value.to(x.dtype)
    value = _args.scalar_for(value, x._data.dtype)
    value = half_source(np.asarray(value), x._data.dtype)  # (a double into float16 as PyTorch's)
    return xp.constant(value.astype(x.dtype))  # made from a number: a constant


@op("masked_fill", method=True, samples=[
    Sample("masked_fill", lambda a: masked_fill(a, a._data > 0, 0.5)),
    Sample("masked_fill_tensor_value", lambda a, b: masked_fill(a, a._data > 0, b.sum()), 2)])
def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """Return ``input`` with ``value`` where ``mask`` is True.

    ``mask`` is a bool tensor broadcast to ``input``'s shape; ``value`` is a number or a 0-d
    tensor (which gets the gradient of the filled places). ``Tensor.masked_fill_`` is the
    in-place form.

    Args:
        input (Tensor): the input tensor.
        mask (Tensor): where to fill.
        value (number or Tensor): the fill value.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.masked_fill(x, x > 2, 0.0)
        tensor([[1., 2.],
                [0., 0.]])
    """
    m, x = _arr(mask), _arr(input)
    _args.broadcast_in_order("masked_fill", [m.shape, x.shape])  # (PyTorch's order: the mask
    _bool_mask(m)  # first, then its dtype; the result may be larger than input, as PyTorch's)
    return Where.apply(mask if isinstance(mask, Tensor) else m,
                       _value_like(value, input, "masked_fill_"), input)


def _bool_mask(m):
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_TORCH_NAMES.get(m.dtype.name, m.dtype.name)}")


def _masked_fill_checks(input, mask, value):
    """``masked_fill_``'s checks in PyTorch's order: the mask's dtype, then its shape against
    the tensor written (named first); a larger result is refused by ``inplace``."""
    m = _arr(mask)
    _bool_mask(m)
    _args.broadcast_in_order("masked_fill_", [input.shape, m.shape])


masked_fill_ = _inplace_method("masked_fill_", masked_fill,
                               "ag.tensor([True, False, True]), 1.0", "tensor([1., 0., 1.])",
                               check=_masked_fill_checks)


def _masked_scatter_checks(mask, source):
    for pos, (arg, v) in enumerate((("mask", mask), ("source", source)), 1):
        if not isinstance(v, Tensor):
            raise TypeError(f"masked_scatter(): argument '{arg}' (position {pos}) must be "
                            f"Tensor, not {type(v).__name__}")
    if mask.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {_args.torch_name(mask._data.dtype)}")


@op("masked_scatter", method=True, reads_values=True, samples=[
    Sample("masked_scatter", lambda a, b: masked_scatter(a, a > 0, b), 2),
    Sample("masked_scatter_broadcast_mask",
           lambda a, b: masked_scatter(a, a[..., :1] > 0, b), 2, min_ndim=1)])
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """Return ``input`` with the leading entries of ``source`` (in row-major order) written
    where ``mask`` is True.

    ``input`` and the bool ``mask`` broadcast together; ``source``, of ``input``'s dtype,
    has at least as many entries as ``mask`` has True ones (its shape does not matter). The
    gradient of ``input`` is zero where it was overwritten; ``source``'s leading entries get
    the gradient of the places they went to, the others zero. ``Tensor.masked_scatter_`` is
    the in-place form.

    Args:
        input (Tensor): the input tensor.
        mask (BoolTensor): where to write.
        source (Tensor): the values, read in order.

    Example::

        >>> import autograd_core as ag
        >>> ag.masked_scatter(ag.zeros(2, 2), ag.tensor([True, False]), ag.tensor([5.0, 6.0]))
        tensor([[5., 0.],
                [6., 0.]])
    """
    _masked_scatter_checks(mask, source)
    if source.dtype != input.dtype:  # (PyTorch's message has no space after "got")
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got{_args.torch_name(input._data.dtype)} and "
                           f"{_args.torch_name(source._data.dtype)}")
    m = mask._data
    try:
        shape = np.broadcast_shapes(m.shape, tuple(input.shape))
    except ValueError:
        raise _broadcast_error("masked_scatter", m, input._data) from None
    m = np.broadcast_to(m, shape)
    k = int(np.count_nonzero(m))
    if source.numel() < k:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    x = input if tuple(input.shape) == shape else input.expand(shape)
    return IndexPut.apply(x, source.reshape(-1)[:k], index=m.copy())


@op("masked_scatter_", method=True, function=False, samples=())
def masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """In-place ``masked_scatter``: write ``source``'s leading entries where ``mask`` (which
    broadcasts to this tensor's shape) is True, and return this tensor.

    PyTorch's autograd rules for in-place ops apply (a leaf that requires grad refuses; a
    value saved for backward that is overwritten makes backward raise).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(3)
        >>> x.masked_scatter_(ag.tensor([True, False, True]), ag.tensor([1.0, 2.0]))
        tensor([1., 0., 2.])
    """
    _masked_scatter_checks(mask, source)
    if tuple(mask.shape) != tuple(self.shape):
        mask = mask.expand(tuple(self.shape))  # PyTorch's error where it cannot
    return inplace(self, lambda: masked_scatter(self, mask, source))


def _indices(indices, x):
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): indices must be a tuple of tensors")
    index = _normalise(tuple(indices))
    for i in index:
        if isinstance(i, np.ndarray) and i.dtype.kind == "b":
            continue
        if not (isinstance(i, np.ndarray) and i.dtype.kind in "iu"):
            raise IndexError("tensors used as indices must be long, int or bool tensors")
    return index


@op("index_put", method=True, samples=[
    Sample("index_put", lambda a, b: index_put(
        a.reshape(-1), (_some_indices(a.numel(), lambda n: [0]),), b.reshape(-1)[:1] * 2.0), 2),
    Sample("index_put_accumulate", lambda a, b: index_put(
        a.reshape(-1), (_some_indices(a.numel(), lambda n: [0, 0]),),
        cat([b.reshape(-1)[:1], b.reshape(-1)[:1]]) * 2.0, accumulate=True), 2)])
def index_put(input: Tensor, indices: Any, values: Any,
              accumulate: builtins.bool = False) -> Tensor:
    """Return ``input`` with ``values`` written at the positions a tuple of index tensors selects.

    As ``input[indices] = values``, out of place; with ``accumulate=True`` the values are added
    and repeated positions sum. ``Tensor.index_put_`` is the in-place form.

    Args:
        input (Tensor): the tensor to write into.
        indices (tuple of Tensor): one index tensor per leading dimension.
        values (Tensor): the values, of ``input``'s dtype.
        accumulate (bool): add instead of writing. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.index_put(ag.zeros(3), (ag.tensor([0, 0]),), ag.tensor([1.0, 2.0]), accumulate=True)
        tensor([3., 0., 0.])
    """
    index = _indices(indices, input)
    x = _arr(input)
    if isinstance(values, Tensor) and values.dtype != x.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_args.torch_name(x.dtype)} for the destination and "
                           f"{_args.torch_name(values._data.dtype)} for the source.")
    try:
        target = x[index].shape
        np.broadcast_to(_arr(values), target)
    except IndexError as exc:
        raise _index_error(x.shape, index, exc) from None
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {tuple(_arr(values).shape)} "
                           f"cannot be broadcast to indexing result of shape {target}") from None
    if not accumulate:
        return IndexPut.apply(input, values, index=index)
    if not isinstance(values, Tensor):
        values = Tensor._make(np.asarray(values, x.dtype), None, False)
    if tuple(values.shape) != target:
        values = values.expand(target) if values.ndim <= len(target) else values
    return input + IndexAdd.apply(values, index=index, basic=False, shape=x.shape)


def _put_index(name, input, index, source):
    """``index`` checked as PyTorch's ``put``/``put_`` check it, as flat non-negative
    positions into ``input``."""
    for pos, (arg, v) in enumerate((("index", index), ("source", source)), 1):
        if not isinstance(v, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(v).__name__}")
    idx = index._data.reshape(-1)
    if idx.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{_args.torch_name(idx.dtype)}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_args.torch_name(input._data.dtype)} and "
                           f"source.dtype = {_args.torch_name(source._data.dtype)}")
    if idx.size != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, "
                         f"index.numel() = {idx.size}")
    n = input.numel()
    if idx.size and not n:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    bad = idx[(idx < -n) | (idx >= n)]
    if bad.size:
        raise IndexError(f"out of range: tried to access index {int(bad[0])} on a tensor of "
                         f"{n} elements.")
    return np.where(idx < 0, idx + n, idx)


def _put_sample(a, b, accumulate):
    n = a.numel()
    if accumulate:
        index = _some_indices(n, lambda n: [-1, 0, -1])
        source = cat([b.reshape(-1)[:1]] * 3) * 2.0
    else:  # no repeats: an overwritten source entry gets a gradient (PyTorch's), not a change
        index = _some_indices(n, lambda n: [0] if n == 1 else [-1, 0])
        source = b.reshape(-1)[:index.numel()] * 2.0
    return put(a, index, source, accumulate=accumulate)


@op("put", method=True, reads_values=True, samples=[
    Sample("put", lambda a, b: _put_sample(a, b, False), 2),
    Sample("put_accumulate", lambda a, b: _put_sample(a, b, True), 2)])
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: builtins.bool = False) -> Tensor:
    """Return ``input`` with ``source``'s entries written at the flat (row-major) positions
    ``index`` holds.

    ``input`` is addressed as if flattened; a negative index counts from the end. ``index``
    (int64) and ``source`` (of ``input``'s dtype) have the same number of entries, their shapes
    do not matter. With ``accumulate=True`` the entries are added and repeated positions sum;
    without, a repeated position keeps the last. ``source`` gets the gradient at the positions
    its entries went to (each repeat too, as in PyTorch). ``Tensor.put_`` is the in-place form.

    Args:
        input (Tensor): the input tensor.
        index (LongTensor): flat positions into ``input``.
        source (Tensor): the values.
        accumulate (bool): add instead of writing. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.put(ag.zeros(2, 2), ag.tensor([0, -1]), ag.tensor([5.0, 6.0]))
        tensor([[5., 0.],
                [0., 6.]])
    """
    idx = _put_index("put", input, index, source)
    out = index_put(input.reshape(-1), (idx,), source.reshape(-1), accumulate=accumulate)
    return out.reshape(tuple(input.shape))


@op("put_", method=True, function=False, samples=())
def put_(self: Tensor, index: Tensor, source: Tensor, accumulate: builtins.bool = False) -> Tensor:
    """In-place ``put``: write (or with ``accumulate=True`` add) ``source``'s entries at the
    flat positions ``index`` holds, and return this tensor.

    PyTorch's autograd rules for in-place ops apply (a leaf that requires grad refuses; a
    value saved for backward that is overwritten makes backward raise).

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(3)
        >>> x.put_(ag.tensor([2, 2]), ag.tensor([1.0, 2.0]), accumulate=True)
        tensor([0., 0., 3.])
    """
    _put_index("put_", self, index, source)  # refused before anything is written
    return inplace(self, lambda: put(self, index, source, accumulate=accumulate))


index_put_ = _inplace_method("index_put_", index_put,
                             "(ag.tensor([2]),), ag.tensor([4.0])", "tensor([0., 0., 4.])",
                             disjoint=True)



# ---- select_scatter, slice_scatter, diagonal_scatter: input with one view replaced by src ---


class _SelectScatter(_PutAt):
    _grad_fn, _op_name = "SelectScatterBackward0", "select_scatter"


class _SliceScatter(_PutAt):
    _grad_fn, _op_name = "SliceScatterBackward0", "slice_scatter"


class _DiagonalScatter(_PutAt):
    _grad_fn, _op_name = "DiagonalScatterBackward0", "diagonal_scatter"


_EMBED_NODES = {"select_scatter": _SelectScatter, "slice_scatter": _SliceScatter,
                "diagonal_scatter": _DiagonalScatter}

def _embed(name, input, src, view):
    """A copy of ``input`` whose view ``view`` holds ``src`` (one recorded node, PyTorch's
    CopySlices: the gradient reaches ``input`` outside the view and ``src`` inside it).
    ``view`` is a function giving that view of a numpy array; applied to the positions of
    ``input``'s elements it says which to replace (a function of the shape only)."""
    if not isinstance(src, Tensor):
        raise TypeError(f"{name}(): argument 'src' (position 2) must be Tensor, not "
                        f"{type(src).__name__}")
    positions = view(np.arange(input.numel()).reshape(input.shape))
    if tuple(src.shape) != positions.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(positions.shape)}")
    index = np.unravel_index(positions, input.shape) if input.ndim else (Ellipsis,)
    return _EMBED_NODES[name].apply(input, src, index=index)


@op("select_scatter", method=True, samples=[
    Sample("select_scatter", lambda a, b: select_scatter(a, b[..., -1] * 2.0, -1, -1)
           if a.shape[-1] else a * 2.0, 2, min_ndim=1)])
def select_scatter(input: Tensor, src: Tensor, dim: builtins.int,
                   index: builtins.int) -> Tensor:
    """Return a copy of ``input`` with ``input.select(dim, index)`` replaced by ``src`` (of
    that slice's shape). Differentiable in both.

    Args:
        input (Tensor): the tensor copied.
        src (Tensor): the values of the slice.
        dim (int): the dimension selected.
        index (int): the position along it.

    Example::

        >>> import autograd_core as ag
        >>> ag.select_scatter(ag.zeros(2, 2), ag.ones(2), 0, 1)
        tensor([[0., 0.],
                [1., 1.]])
    """
    d = _args.norm_dim(dim, input.ndim, "select")
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return _embed("select_scatter", input, src, lambda a: np.take(a, index, axis=d))


@op("slice_scatter", method=True, samples=[
    Sample("slice_scatter", lambda a, b: slice_scatter(a, b[..., 1::2] * 2.0, -1, 1, None, 2),
           2, min_ndim=1)])
def slice_scatter(input: Tensor, src: Tensor, dim: builtins.int = 0,
                  start: builtins.int | None = None, end: builtins.int | None = None,
                  step: builtins.int = 1) -> Tensor:
    """Return a copy of ``input`` with the slice ``start:end:step`` along ``dim`` replaced by
    ``src`` (of that slice's shape). Differentiable in both.

    Args:
        input (Tensor): the tensor copied.
        src (Tensor): the values of the slice.
        dim (int): the dimension sliced. Default: 0.
        start (int, optional): the first position. Default: the start.
        end (int, optional): the position after the last. Default: the end.
        step (int): the step (positive). Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.slice_scatter(ag.zeros(4), ag.ones(2), start=1, step=2)
        tensor([0., 1., 0., 1.])
    """
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _args.norm_dim(dim, input.ndim, "slice_scatter")
    where = (slice(None),) * d + (slice(start, end, step),)
    return _embed("slice_scatter", input, src, lambda t: t[where])


@op("diagonal_scatter", method=True, samples=[
    Sample("diagonal_scatter", lambda a, b: diagonal_scatter(a, b.diagonal(1) * 2.0, 1)
           if a.ndim >= 2 else a * 2.0, 2, min_ndim=2)])
def diagonal_scatter(input: Tensor, src: Tensor, offset: builtins.int = 0,
                     dim1: builtins.int = 0, dim2: builtins.int = 1) -> Tensor:
    """Return a copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by
    ``src`` (of that diagonal's shape). Differentiable in both.

    Args:
        input (Tensor): the tensor copied (at least 2-d).
        src (Tensor): the values of the diagonal.
        offset (int): which diagonal: 0 the main one, > 0 above it. Default: 0.
        dim1 (int): the first dimension of the matrices. Default: 0.
        dim2 (int): the second dimension. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.diagonal_scatter(ag.zeros(2, 2), ag.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
    """
    d1 = _args.norm_dim(dim1, input.ndim, "diagonal")
    d2 = _args.norm_dim(dim2, input.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _embed("diagonal_scatter", input, src, lambda a: np.diagonal(a, offset, d1, d2))


# ---- index_reduce: scatter_reduce with a vector of positions along dim -------------------------

def _index_reduce_sample(reduce, include_self):
    def fn(a, b):  # positions n-1 and 0 of the last dim, from b's distinct values
        n = a.shape[-1]
        idx = _some_indices(n, lambda n: [n - 1, 0][:n])
        src = b[..., [n - 1, 0][:n]] if n else b
        return index_reduce(a, -1, idx, src, reduce, include_self=include_self)
    return Sample(f"index_reduce_{reduce}{'' if include_self else '_exclude'}", fn, 2,
                  domain="distinct", min_ndim=1)


@op("index_reduce", method=True, samples=[
    # prod (no double backward, as scatter_reduce's) is held to PyTorch's numbers in
    # tests/autograd/test_scatter_views_and_float_bits.py
    _index_reduce_sample(r, s) for r in ("mean", "amax", "amin") for s in (True, False)])
def index_reduce(input: Tensor, dim: builtins.int, index: Tensor, source: Tensor, reduce: str,
                 *, include_self: builtins.bool = True) -> Tensor:
    """Return ``input`` with the slices of ``source`` along ``dim`` reduced into the positions
    ``index`` names (``input``'s slice ``index[i]`` takes ``source``'s slice ``i``).

    ``reduce`` is ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``; ``include_self`` counts the
    values already in ``input`` (positions no index names keep them either way). The gradient
    is ``scatter_reduce``'s, whose reduction this is, the vector ``index`` repeated across the
    other dimensions.

    Args:
        input (Tensor): the tensor reduced into.
        dim (int): the dimension indexed.
        index (Tensor): int64 or int32 positions, a vector of ``source.size(dim)``.
        source (Tensor): the values, of ``input``'s shape except along ``dim``.
        reduce (str): the reduction.
        include_self (bool): reduce ``input``'s own values too. Default: True.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.ones(3, 2)
        >>> x.index_reduce(0, ag.tensor([0, 2, 0]), ag.tensor([[2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]), "prod")
        tensor([[12., 21.],
                [ 1.,  1.],
                [ 4.,  5.]])
    """
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    if not isinstance(index, Tensor) or index._data.dtype not in (np.int64, np.int32):
        got = index._data.dtype if isinstance(index, Tensor) else np.asarray(index).dtype
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{_args.torch_name(got)}")
    if index.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{index.ndim} with type: {_args.torch_name(index._data.dtype)} and "
                         f"size: {list(index.shape)}")
    d = _args.norm_dim(dim, input.ndim, "index_reduce")
    if source.ndim != input.ndim or any(
            s != i for k, (s, i) in enumerate(zip(source.shape, input.shape)) if k != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")
    n = source.shape[d] if source.ndim else 1
    if index.numel() != n:
        raise RuntimeError(f"index_reduce_(): Number of indices ({index.numel()}) should be "
                           f"equal to source.size(dim): ({n}), for dim: {dim}")
    size = input.shape[d] if input.ndim else 1
    if index.numel() and (index._data.min() < 0 or index._data.max() >= size):
        raise IndexError("index out of range in self")  # PyTorch's (no negative positions)
    shape = [1] * input.ndim
    if input.ndim:
        shape[d] = n
    positions = index.reshape(shape).expand(*source.shape) if input.ndim else index.reshape(())
    return scatter_reduce(input, d, positions.to(np.int64), source, reduce,
                          include_self=include_self)


index_reduce_ = _inplace_method(
    "index_reduce_", index_reduce, "0, ag.tensor([1, 1]), ag.tensor([2.0, 3.0]), 'amax'",
    "tensor([0., 3., 0.])", disjoint=True)
