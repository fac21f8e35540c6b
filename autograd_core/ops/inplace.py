"""In-place ops (``add_``, ``mul_``, ``copy_``, ``fill_``, ...) with PyTorch's autograd rules:
the result is computed out of place, then written into the tensor, whose version counter moves,
so a node that saved the old value refuses to backward. Refused on a leaf that requires grad
while recording (allowed under ``no_grad``, the way optimizers update parameters)."""

from __future__ import annotations

import builtins

import numpy as np

from autograd_core import creation, random
from autograd_core._casts import half_source
from autograd_core._memory import storage_bytes
from autograd_core.grad_mode import STATE, no_grad
from autograd_core.node import LINEAR, Node, saved_tensor
from autograd_core.ops import _args
from autograd_core.ops._args import check_random_bounds, like_layout  # noqa: F401
from autograd_core.ops import _xp as xp
from autograd_core.ops.linalg import _CPP_NAMES
from autograd_core.ops.complexfns import ViewAsComplex, ViewAsReal
from autograd_core.ops.binary import _CATEGORY, _deprecated_alpha, _value_first, add, div, mul, sub
from autograd_core.ops.registry import DECLS, op, refuse_capture
from autograd_core.ops.shape import CopyFrom
from autograd_core.ops.unary import clamp
from autograd_core.tensor import Tensor, _log_meta_change


def inplace(t, compute, view_name=None, sources=(), disjoint=False):
    """Run an out-of-place computation and write its result into ``t``. ``view_name``: the
    name PyTorch gives the view a write through indexing makes (``a[0] = v``: Select).
    ``sources``: the tensors the result is computed from; one sharing part of ``t``'s memory
    is refused, as PyTorch refuses it (``disjoint``: any of it, as ``index_add_`` does), where
    computing as if from a copy would give what PyTorch's element-by-element write does not."""
    recording = STATE.enabled
    if recording and (t.requires_grad or (t._base is not None and t._base.requires_grad)):
        _refuse_view_write(t, view_name=view_name)  # (a view made under no_grad: the base's)
    if recording and t.requires_grad and t.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation; "
            "wrap it in `with no_grad():` (e.g. for parameter updates) or use an out-of-place op"
        )
    if sources:
        _args.check_input_overlap(t._data, sources, full=disjoint)
    if recording and t._base is not None and t._base.requires_grad and _bypass_view_nodes(t):
        # the change is computed from the view read from its base, as PyTorch's CopySlices
        # does (the numbers the view's own nodes give, where they give them all, and cheaper)
        _rerecord(t, _read_view(t._base, t))
    if t._data.dtype.kind in "fc":
        result = compute()
    else:  # PyTorch's copy_ records no write into an integer/bool tensor
        with no_grad():  # (recorded, the integer result would be refused: Node.apply)
            result = compute()
    if recording and result.requires_grad and not t.requires_grad:
        _refuse_view_write(t, view_name=view_name)  # a value that requires grad written
    if _CATEGORY[result._data.dtype.kind] > _CATEGORY[t._data.dtype.kind]:
        # PyTorch's canCast: no write into a lower category (float into int, int into bool);
        # signed and unsigned integers are one category (uint8 += int16 wraps, as there)
        raise RuntimeError(f"result type {_args.torch_name(result._data.dtype)} can't be cast to "
                           f"the desired output type {_args.torch_name(t._data.dtype)}")
    _args.check_output_shape(t._data.shape, result._data.shape)
    base = t._base if result.requires_grad else None
    # (not only ``base``: a view taken before its leaf's requires_grad_() requires no grad)
    leaf = t._base if recording else None
    if leaf is not None and leaf.requires_grad and leaf.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    if not t._data.flags.writeable and t._data.size:  # nothing to write into an empty one
        if _args.internal_overlap(t._data):
            raise RuntimeError(_args.OVERLAP_ERROR)
        raise RuntimeError("in-place operation on a tensor whose memory is read-only; .clone() "
                           "it first")
    node = result.grad_fn
    if node is not None and not _saves_other_view(node, t):
        node._forget_input(t)  # y.mul_(w): the new node saved y's old values, keep them
    if base is not None:  # a view: the base's new value is recorded, then every view's
        refuse_capture("an in-place change of a view")  # found by memory address
        new_base = _put_view(base, t, result)
    if t._data.size:
        np.copyto(t._data, half_source(result._data, t._data.dtype),  # (float64 into
                  casting="unsafe")  # float16 as PyTorch's); the category checked above
    t._bump_version()
    if STATE.anomaly and STATE.anomaly is not True:  # ag.compile's tracer
        STATE.anomaly.on_inplace(t, result)
    if base is not None:
        _rerecord(base, new_base)
        if all(v is not t for v in _regenerate_views(base)):  # t made under no_grad
            _rerecord(t, _read_view(base, t))
    elif result.requires_grad:
        _rerecord(t, result)
        if recording and t.__dict__.get("_views"):
            _regenerate_views(t)
    return t


def _bypass_view_nodes(t):
    """Whether the change of the view ``t`` must not go through the nodes between it and its
    base, as PyTorch's CopySlices does not: one has hooks (which would run; PyTorch's do
    not), or is as_strided's (its backward, PyTorch's, gives its input only the input's own
    elements, and the view may hold others of the base)."""
    stop, node = t._base.grad_fn, t.grad_fn
    for _ in range(64):  # (view nodes: their input's node first in ``next``; a chain is short)
        if node is None or node is stop or not isinstance(node, Node):
            return False
        if node._post_hooks or node.reads_storage or (
                node._pre_hooks and any(node._pre_hooks.values())):
            return True
        node = node.next[0] if node.next else None
    return False


_MULTI_VIEW = (" This view is the output of a function that returns multiple views. Such "
               "functions do not allow the output views to be modified inplace. You should "
               "replace the inplace operation by an out-of-place one.")
_FUNCTION_VIEW = (" This view was created inside a custom Function (or because an input was "
                  "returned as-is) and the autograd logic to handle view+inplace would override "
                  "the custom backward associated with the custom Function, leading to "
                  "incorrect gradients. This behavior is forbidden. You can fix this by cloning "
                  "the output of the custom Function.")
_NO_GRAD_VIEW = (" Given that this use case is ambiguous and error-prone, it is forbidden. You "
                 "can clarify your code by moving both the view and the inplace either both "
                 "inside the no_grad block (if you don't want the inplace to be tracked) or both "
                 "outside (if you want the inplace to be tracked).")


def mark_multi_output(name, pieces, start=0):
    """Mark the views a function returning several of them made (``split``, ``chunk``,
    ``unbind``; PyTorch's ``MULTI_OUTPUT_NODE`` views, or ``NO_GRAD_MODE`` ones when made under
    ``no_grad``): while recording, an in-place change of one of them (or of a view of one)
    that involves a tensor requiring grad is refused, as PyTorch refuses it."""
    for i, p in enumerate(pieces, start):
        if p._base is not None:
            p._view_meta = (name, i, not STATE.enabled, STATE.enabled)
    return pieces


def _index_view_name(index):
    """PyTorch's name of the last view basic indexing with ``index`` makes (``Select``,
    ``Slice``, ``Unsqueeze``); None when it makes none (``:``, ``...``) or is advanced."""
    name = None
    for i in index if isinstance(index, tuple) else (index,):
        if i is None:
            name = "Unsqueeze"
        elif isinstance(i, slice):
            name = name if i == slice(None) else "Slice"
        elif isinstance(i, (int, np.integer)) or (isinstance(i, np.ndarray) and i.ndim == 0
                                                   and i.dtype.kind in "iu"):
            name = "Select"
        elif i is not Ellipsis:
            return None
    return name


def _torch_view_name(t):
    """PyTorch's name of the node that made the view ``t`` (as its error messages show it)."""
    node = t.grad_fn
    if node is None:
        return "View"
    return getattr(node, "view_name", None) or type(node).__name__  # a view op's own


def _view_write_error(t, indirect=False, view_name=None):
    """PyTorch's error for an in-place change of a multi-output view ``t`` (``indirect``: of
    its base or another view of it), or None when ``t`` is not one."""
    meta = t._view_meta
    if meta is None:
        return None
    own, index, no_grad, made_recording = meta
    if view_name is not None:  # ``a[0] = v``: PyTorch writes into the view ``a[0]``
        own, index, made_recording = view_name, 0, True
    # whether PyTorch's view has a grad_fn: made while recording, of a base requiring grad
    has_fn = t.grad_fn is not None or (made_recording and t._base is not None
                                       and t._base.requires_grad)
    modified = "its base or another view of its base has been" if indirect else "is being"
    if no_grad == "function":  # an output of a custom Function (``Function.apply``)
        return RuntimeError(f"Output {index} of {own} is a view and {modified} modified "
                            "inplace." + _FUNCTION_VIEW)
    if no_grad or not has_fn:
        prefix = ("A view was created in" if not has_fn else
                  f"Output {index} of {own or _torch_view_name(t)} is a view of a view which "
                  "was created in")
        msg = f"{prefix} no_grad mode and {modified} modified inplace with grad mode enabled."
    else:
        msg = (f"Output {index} of {own or _torch_view_name(t)} is a view and {modified} "
               "modified inplace.")
    return RuntimeError(msg + (_NO_GRAD_VIEW if no_grad else _MULTI_VIEW))


def _refuse_view_write(t, view_name=None):
    err = _view_write_error(t, view_name=view_name)
    if err is not None:
        raise err


class _InvalidView(Node):
    """A multi-output view whose base was changed in place while recording: its values are
    the base's new ones, and a gradient through it raises PyTorch's error (PyTorch raises when
    the view is next used)."""

    def forward(self, x, pos, shape, error):
        self.error = error
        return np.ascontiguousarray(x).reshape(-1)[pos].reshape(shape)

    def backward(self, g):
        raise self.error

    complex_backward = backward  # a complex view too: the view's error, not a missing rule


class _PutAt(Node):
    """``x`` with ``value`` (a view's new values) written at ``index`` (its elements'
    positions in ``x``); the record of an in-place change of a view, as PyTorch's CopySlices."""

    _grad_fn = "torch::autograd::CopySlices"  # PyTorch's name of that record
    complex_backward = LINEAR
    def forward(self, x, value, index):
        self.index, self.value_shape = index, value.shape
        out = np.array(x, copy=True)
        out[index] = value.reshape(out[index].shape)  # a 0-d base: index (...,)
        return out

    def backward(self, g):
        mask = np.zeros(xp.data(g).shape, dtype=bool)
        mask[self.index] = True
        return xp.where(mask, 0.0, g), g[self.index].reshape(self.value_shape)


def _saves_other_view(node, t):
    """Whether ``node`` saved a tensor other than ``t`` that shares its memory's version
    counter (``v.mul_(base)``): forgetting ``t`` would forget that one too, whose saved values
    the write changes; kept, the backward refuses (as PyTorch's)."""
    counter = t._vc
    refs = getattr(node, "_saved_refs", None) or ()
    return counter is not None and any(
        getattr(r, "_vc", None) is counter and saved_tensor(r) is not t for r in refs)


def _positions(base, v):
    """The flat (row-major) position in ``base`` of each element of its view ``v``. When one
    is complex and the other real (``view_as_real``, ``.imag``, ``view_as_complex``), in real
    numbers: of ``base``'s real form (``_real_form``), a complex view's pairs in a last axis."""
    b, unit = base._data, min(base._data.itemsize, v._data.itemsize)
    want = _addresses(v._data, unit)
    if b.flags.c_contiguous:  # the usual case: the byte offset says it, no sort needed
        pos = (want - b.__array_interface__["data"][0]) // unit
        if pos.size and (pos.min() < 0 or pos.max() >= b.size * (b.itemsize // unit)):
            _outside(v)
        return pos
    addr = _addresses(b, unit).ravel()
    order = np.argsort(addr, kind="stable")
    pos = order[np.searchsorted(addr[order], want).clip(0, max(addr.size - 1, 0))]
    if pos.size and not np.array_equal(addr[pos], want):
        _outside(v)
    return pos


def _outside(v):
    """A view (``as_strided``'s) holding memory its base tensor does not: its elements
    cannot be found in the base, so its change is refused rather than put elsewhere."""
    raise RuntimeError(f"an in-place change of a view ({_torch_view_name(v)}) that reaches "
                       "outside the elements of its base tensor cannot be recorded; .clone() it "
                       "first")


def _real_form(x, v):
    """``x`` as ``_positions(x, v)`` counts its elements: a complex ``x`` with a real or
    complex-of-real-``x`` view ``v`` as its (real, imaginary) pairs, recorded; else ``x``."""
    if x._data.itemsize == v._data.itemsize:
        return x
    return ViewAsReal.apply(x) if x._data.dtype.kind == "c" else x


def _put_view(base, t, value):
    """``base`` with ``value`` (the new values of its view ``t``) written where ``t`` lies,
    recorded (PyTorch's CopySlices); ``t`` may see the memory as another dtype (``.real``,
    ``view_as_real``, ``view_as_complex``), the write then made in real numbers."""
    pos = _positions(base, t)
    if base._data.itemsize != t._data.itemsize and t._data.dtype.kind == "c":
        value = ViewAsReal.apply(value if value._data.dtype.kind == "c" else add(value, 0j))
    src = _real_form(base, t)
    index = np.unravel_index(pos, src.shape) if src.ndim else (Ellipsis,)
    out = _PutAt.apply(src, value, index=index)
    return ViewAsComplex.apply(out) if src is not base else out


def _read_view(base, v, error=None):
    """The elements of ``base`` its view ``v`` covers, recorded, as ``v`` sees them (of ``v``'s
    shape and kind); ``error``: a gradient through them raises it (``_InvalidView``)."""
    pos, src = _positions(base, v), _real_form(base, v)
    if error is not None:
        name = _torch_view_name(v)
        out = _InvalidView.apply(src, pos=pos, shape=pos.shape, error=error)
        if out.grad_fn is not None:  # errors about a view of it still name the view's op
            out.grad_fn.view_name = name
    else:
        out = src.take(Tensor._make(pos.astype(np.int64), None, False))
    if v._data.dtype.kind == "c" and out._data.dtype.kind != "c":
        out = ViewAsComplex.apply(out)  # pairs from a real base (view_as_complex)
    return out


def _rerecord(t, new):
    """Make ``t`` the output of ``new``'s node. A retained gradient moves with it: PyTorch's
    ``.grad`` of a tensor changed in place after ``retain_grad()`` is that of its last value."""
    old_node, old_idx = t.grad_fn, t._out_idx
    t.grad_fn, t._out_idx, t._requires_grad = new.grad_fn, new._out_idx, True
    if t._retains_grad and old_node is not None and old_node is not t.grad_fn:
        if old_node._retained is not None:
            old_node._retained.pop(old_idx, None)
        t._retains_grad = False
        t.retain_grad()


def _addresses(a, unit=None):
    """The memory address of each element of array ``a``; with a ``unit`` of half its item
    size (a complex ``a`` seen as real numbers), of each real and imaginary part (last axis)."""
    out = np.full(a.shape, a.__array_interface__["data"][0], dtype=np.int64)
    for k, (n, stride) in enumerate(zip(a.shape, a.strides)):
        out += (np.arange(n, dtype=np.int64) * stride).reshape((n,) + (1,) * (a.ndim - k - 1))
    if unit is not None and unit != a.itemsize:
        out = out[..., None] + np.arange(0, a.itemsize, unit)
    return out


def _regenerate_views(base):
    """After an in-place change recorded on ``base``, point each live view of it at the new
    graph (PyTorch regenerates a view's ``grad_fn`` the same way): the view's values are read
    from the base's new values, and its old ``grad_fn`` (through the base's old graph) would
    send gradients to the wrong place. The view is re-recorded as the base's elements it
    covers, found by memory address, so any chain of views works."""
    views = [v for v in (r() for r in base.__dict__.get("_views", ())) if v is not None
             and v._base is base]
    if not views:
        return views
    refuse_capture("an in-place change to a tensor with live views")  # addresses, not ops
    for v in views:
        err = _view_write_error(v, indirect=True)
        _rerecord(v, _read_view(base, v, err))
    return views


def _method(name):
    return op(name, method=True, function=False, samples=())


@_method("add_")
def add_(input, other, *_deprecated, alpha=1):
    """Add ``alpha * other`` to this tensor in place; return it.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Args:
        other (Tensor or number): what to add (broadcast to this tensor's shape).
        alpha (number): the multiplier of ``other``. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.add_(ag.tensor([10.0, 20.0]), alpha=0.5)
        tensor([ 6., 12.])
    """
    if _deprecated:
        other, alpha = _deprecated_alpha("add_", other, _deprecated)
    return inplace(input, lambda: add(input, other, alpha=alpha), sources=(other,))


@_method("sub_")
def sub_(input, other, *_deprecated, alpha=1):
    """Subtract ``alpha * other`` from this tensor in place; return it.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Args:
        other (Tensor or number): what to subtract.
        alpha (number): the multiplier of ``other``. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.sub_(1.0)
        tensor([0., 1.])
    """
    if _deprecated:
        other, alpha = _deprecated_alpha("sub_", other, _deprecated)
    return inplace(input, lambda: sub(input, other, alpha=alpha), sources=(other,))


@_method("mul_")
def mul_(input, other):
    """Multiply this tensor by ``other`` in place; return it.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Args:
        other (Tensor or number): the multiplier.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.mul_(3)
        tensor([3., 6.])
    """
    return inplace(input, lambda: mul(input, other), sources=(other,))


@_method("div_")
def div_(input, other, *, rounding_mode=None):
    """Divide this tensor by ``other`` in place, rounding as ``div``'s ``rounding_mode``; return
    it.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward. An integer tensor needs a ``rounding_mode`` (true division's
    float result cannot be written into it).

    Args:
        other (Tensor or number): the divisor.
        rounding_mode (str, optional): ``None``, ``"trunc"`` or ``"floor"``. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.div_(2)
        tensor([0.5000, 1.0000])
        >>> ag.tensor([7, -7]).div_(2, rounding_mode="floor")
        tensor([ 3, -4])
    """
    return inplace(input, lambda: div(input, other, rounding_mode=rounding_mode),
                   sources=(other,))


@_method("clamp_")
def clamp_(input, min=None, max=None):  # noqa: A002
    """Clamp this tensor into ``[min, max]`` in place; return it.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Args:
        min (number or Tensor, optional): the lower bound.
        max (number or Tensor, optional): the upper bound.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.clamp_(max=1.5)
        tensor([1.0000, 1.5000])
    """
    return inplace(input, lambda: clamp(input, min, max), sources=(min, max))


@_method("copy_")
def copy_(input, src):
    """Copy the values of ``src`` into this tensor (broadcast, cast to its dtype); return it.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    The gradient flows to ``src``.

    Args:
        src (Tensor or array_like): the values.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.copy_(ag.tensor([5, 6]))
        tensor([5., 6.])
    """
    return inplace(input, lambda: CopyFrom.apply(input, src), sources=(src,))


@_method("fill_")
def fill_(input, value):
    """Fill this tensor with ``value`` in place; return it.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Args:
        value (number or Tensor): the value.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.fill_(7)
        tensor([7., 7.])
    """
    if isinstance(value, Tensor) and value.ndim:  # not copy_: one value for every element
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions.")
    value = _args.scalar_for(value, input._data.dtype)
    data = input._data
    if (not data.flags.writeable and data.size and _args.internal_overlap(data)
            and not STATE.anomaly and not isinstance(value, Tensor) and not (
                STATE.enabled and (input.requires_grad or (
                    input._base is not None and input._base.requires_grad)))):
        # an expanded tensor (numpy's broadcast views are read-only): PyTorch's fill_ writes
        # the one value into its memory, nothing recording it
        flat, offset = storage_bytes(data)
        if flat is not None and flat.flags.writeable:
            np.ndarray(data.shape, data.dtype, buffer=flat, offset=offset,
                       strides=data.strides)[...] = value
            input._bump_version()
            return input
    return inplace(input, lambda: CopyFrom.apply(input, value))


@_method("zero_")
def zero_(input):
    """Fill this tensor with zeros in place; return it.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.zero_()
        tensor([0., 0.])
    """
    return fill_(input, 0)


def _bounds(name, a, b, kw, default_a, default_b):
    """PyTorch's ``from``/``to`` keywords (Python keywords, so they arrive in ``kw``)."""
    if "from" in kw:
        a = kw.pop("from")
    if "to" in kw:
        b = kw.pop("to")
    if kw:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kw)}")
    return (default_a if a is None else a), (default_b if b is None else b)


def _draw(input, where, values):
    """Write random ``values`` into ``input`` with ``copy_``'s rules: refused on a leaf that
    requires grad while recording; on a non-leaf, its earlier history gets a zero gradient
    (the values no longer depend on it), as PyTorch."""
    return copy_(input, values)


def _in_memory_order(input, draw):
    """``draw(shape)``'s values placed as PyTorch's CPU kernels fill ``input``: one element
    after another in memory order (a transposed or permuted view is filled along its storage,
    not along its logical rows)."""
    a = input._data
    perm = _memory_perm(a)
    if perm == sorted(perm):
        return draw(tuple(a.shape))
    return draw(tuple(a.shape[d] for d in perm)).transpose(np.argsort(perm))


def _memory_perm(a):
    """The dims of array ``a``, outermost in memory first."""
    return sorted(range(a.ndim), key=lambda d: -abs(a.strides[d]) if a.shape[d] > 1 else 0)


@_method("uniform_")
def uniform_(input, a=None, b=None, *, generator=None, **kw):
    """Fill this tensor with samples drawn uniformly from ``[from, to)``; return it.

    PyTorch's signature: ``uniform_(from=0, to=1, *, generator=None)``.

    Args:
        from (float): the lower bound. Default: 0.
        to (float): the upper bound. Default: 1.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.empty(1000).uniform_(-2, 2)
        >>> ((x >= -2) & (x < 2)).all().item()
        True
    """
    a, b = _bounds("uniform_", a, b, kw, 0.0, 1.0)
    dt = input._data.dtype
    if dt.kind not in "fc":  # PyTorch's checks, before any draw
        raise _args.not_implemented("check_uniform_bounds", dt)
    real = np.finfo(dt).dtype  # a complex tensor's parts
    top = float(np.finfo(real).max)
    name = _CPP_NAMES.get(real.name, real.name)
    if not -top <= a <= top:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not -top <= b <= top:
        raise RuntimeError(f"to is out of bounds for {name}")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} "
                           f"> to={b:g}")
    if b - a > top:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{_args.torch_name(real)}>::max(), but "
                           f"found to={b:g} and from={a:g} which result in to-from to exceed "
                           "the limit")
    # complex: both parts U(a, b), as PyTorch's
    return _draw(input, "uniform_", _in_memory_order(input, lambda shape: random.uniform(
        generator, shape, input._data.dtype, a, b, "uniform_")))


@_method("normal_")
def normal_(input, mean=0.0, std=1.0, *, generator=None):
    """Fill this tensor with samples of the normal distribution ``N(mean, std**2)``; return it.

    Args:
        mean (float): the mean. Default: 0.
        std (float): the standard deviation. Default: 1.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(3).normal_(5.0, 0.0)
        tensor([5., 5., 5.])
    """
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    # complex: both parts N(mean, std**2 / 2), as PyTorch's
    dt = input._data.dtype
    if dt.kind not in "fc":
        raise _args.not_implemented("normal_kernel_cpu", dt)
    if dt.kind == "c" or input.is_contiguous():
        return _draw(input, "normal_", random.normal(generator, input.shape, dt, mean, std,
                                                     "normal_"))
    # PyTorch's kernel on a non-contiguous tensor: one double Box-Muller draw per element (the
    # pair's second cached), in memory order, whatever the size (no blocks of 16)
    return _draw(input, "normal_", _in_memory_order(input, lambda shape: random.draw(
        generator, "normal_", "_normal_pairs", lambda r: r.normal(mean, std, shape),
        int(np.prod(shape)), mean, std).astype(dt).reshape(shape)))


@_method("bernoulli_")
def bernoulli_(input, p=0.5, *, generator=None):
    """Fill this tensor with 1 with probability ``p``, else 0; return it.

    Args:
        p (float or Tensor): the probability (a tensor broadcasts to this tensor's shape).
            Default: 0.5.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> ag.empty(3).bernoulli_(ag.tensor([0.0, 1.0, 1.0]))
        tensor([0., 1., 1.])
    """
    if isinstance(p, Tensor):  # PyTorch's refusals, before any draw
        if p._data.dtype.kind != "f":
            raise _args.not_implemented("bernoulli_tensor_cpu_p_", p._data.dtype)
        try:
            np.broadcast_to(p._data, input.shape)
        except ValueError:
            raise RuntimeError(f"bernoulli_: p of shape {tuple(p.shape)} cannot be expanded "
                               f"to the shape of the tensor it fills, {tuple(input.shape)}") \
                from None
    pa = np.asarray(p._data if hasattr(p, "_data") else p, dtype=np.float64)
    if np.any(~((pa >= 0) & (pa <= 1))):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    # PyTorch: a number or a float64 p compares double uniforms, a float32 p float ones
    pv = p._data if isinstance(p, Tensor) and p._data.dtype.kind == "f" else pa
    if pa.ndim == 0:
        keep = _in_memory_order(input, lambda shape: random.draw(
            generator, "bernoulli_", "bernoulli_array", lambda r: r.random(shape) < pa, pv,
            shape))
    else:  # p broadcast to this tensor, both taken in this tensor's memory order
        perm = _memory_perm(input._data)
        pm = np.broadcast_to(pv, input.shape).transpose(perm)
        pam = np.broadcast_to(pa, input.shape).transpose(perm)
        keep = _in_memory_order(input, lambda shape: random.draw(
            generator, "bernoulli_", "bernoulli_array", lambda r: r.random(shape) < pam, pm,
            shape))
    return _draw(input, "bernoulli_", keep)


_NO_TO = object()  # random_(to) as against random_(from, None)


@_method("random_")
def random_(input, a=None, b=_NO_TO, *, generator=None, **kw):
    """Fill this tensor with integers drawn uniformly from ``[from, to - 1]``; return it.

    PyTorch's signature: ``random_(from=0, to=None, *, generator=None)`` (``random_(to)``
    too); without ``to``, up to the largest integer the dtype holds exactly (2**24 for float32,
    2**53 for float64), as in PyTorch.

    Args:
        from (int): the lowest value. Default: 0.
        to (int, optional): one above the highest value.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.zeros(100, dtype=ag.int64).random_(0, 3)
        >>> ((x >= 0) & (x < 3)).all().item()
        True
    """
    given_from = "from" in kw or "to" in kw or b is not _NO_TO  # random_(from, None) too
    b = None if b is _NO_TO else b
    a, b = _bounds("random_", a, b, kw, None, None)
    if a is None and b is None:  # PyTorch's own kernel: [0, max] of the dtype
        return _draw(input, "random_", _in_memory_order(input, lambda shape: random.random_bits(
            generator, shape, input._data.dtype)))
    if b is None and a is not None and not given_from:
        a, b = 0, a  # random_(to)
    a = 0 if a is None else int(a)
    if b is None:
        dt = input._data.dtype
        if a == -(1 << 63):  # PyTorch's full-range kernel: every 64-bit draw
            b = a + (1 << 64)
        elif dt.kind == "f":
            b = 2 ** (np.finfo(dt).nmant + 1) + 1
        elif dt.kind == "b":
            b = 2
        else:
            b = int(np.iinfo(dt).max) + 1
    if a >= int(b):
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={a} "
                           f">= to={b}")
    check_random_bounds(input._data.dtype, a, int(b))
    return _draw(input, "random_", _in_memory_order(input, lambda shape: random.integers(
        generator, a, int(b), shape)))


def check_exponential_dtype(input: Tensor) -> None:
    """PyTorch's refusal to draw exponential noise into a non-float tensor (``exponential_``,
    and ``gumbel_softmax``'s noise)."""
    if input._data.dtype.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           "dtype must be a floating point but you specified "
                           f"{_args.torch_name(input._data.dtype)}")


@_method("exponential_")
def exponential_(input, lambd=1.0, *, generator=None):
    """Fill this tensor with samples of the exponential distribution of rate ``lambd``; return it.

    Args:
        lambd (float): the rate (> 0). Default: 1.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> (ag.empty(100).exponential_(2.0) >= 0).all().item()
        True
    """
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    check_exponential_dtype(input)
    values = _in_memory_order(input, lambda shape: random.draw(
        generator, "exponential_", "exponential_array",
        lambda r: r.exponential(1.0 / lambd, shape), shape, np.float64, lambd))
    return _draw(input, "exponential_", values)


def _floating_fill(input, name, message=None):
    dt = input._data.dtype
    if dt.kind != "f":
        if message:
            raise RuntimeError(message.format(_CPP_NAMES.get(dt.name, dt.name)))
        raise _args.not_implemented(f"{name}_cpu", dt)


@_method("cauchy_")
def cauchy_(input, median=0.0, sigma=1.0, *, generator=None):
    """Fill this tensor with samples of the Cauchy distribution centred at ``median`` with
    scale ``sigma``; return it. Floating point only.

    Args:
        median (float): the location. Default: 0.
        sigma (float): the scale (> 0). Default: 1.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> ag.empty(100).cauchy_().isfinite().all().item()
        True
    """
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    _floating_fill(input, "cauchy", "Cauchy distribution is a continuous probability "
                   "distribution. dtype must be a floating point but you specified {}")
    values = _in_memory_order(input, lambda shape: random.draw(
        generator, "cauchy_", "cauchy_array",
        lambda r: r.standard_cauchy(shape) * sigma + median, shape, np.float64, median, sigma))
    return _draw(input, "cauchy_", values)


@_method("log_normal_")
def log_normal_(input, mean=1.0, std=2.0, *, generator=None):
    """Fill this tensor with samples whose logarithm is ``N(mean, std**2)``; return it.
    Floating point only.

    Args:
        mean (float): the mean of the logarithm. Default: 1.
        std (float): its standard deviation (> 0). Default: 2.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> (ag.empty(100).log_normal_() > 0).all().item()
        True
    """
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    _floating_fill(input, "log_normal")
    values = _in_memory_order(input, lambda shape: random.draw(
        generator, "log_normal_", "log_normal_array",
        lambda r: r.lognormal(mean, std, shape), shape, np.float64, mean, std))
    return _draw(input, "log_normal_", values)


@_method("geometric_")
def geometric_(input, p, *, generator=None):
    """Fill this tensor with the number of Bernoulli(``p``) trials up to the first success
    (1, 2, ...); return it.

    Args:
        p (float): the success probability, in (0, 1).
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> (ag.empty(100, dtype=ag.int64).geometric_(0.5) >= 1).all().item()
        True
    """
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    values = _in_memory_order(input, lambda shape: random.draw(
        generator, "geometric_", "geometric_array",
        lambda r: r.geometric(p, shape), shape, np.float64, p))
    return _draw(input, "geometric_", values)


@_method("bernoulli")
def bernoulli(input, p=None, *, generator=None):
    """Draw 0/1 samples: ``autograd_core.bernoulli(self)``, or with probability ``p`` if given.

    Args:
        p (float, optional): the probability; without it, this tensor holds the probabilities.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 1.0]).bernoulli()
        tensor([0., 1.])
        >>> ag.zeros(2).bernoulli(1.0)
        tensor([1., 1.])
    """
    if p is not None:
        return bernoulli_(_empty_like(input), p, generator=generator)
    return creation.bernoulli(input, generator=generator)


def _empty_like(input):
    # PyTorch's bernoulli(p): empty_like(self, LEGACY_CONTIGUOUS_MEMORY_FORMAT), row-major
    from autograd_core.device import contiguous_format
    return creation.empty_like(input, memory_format=contiguous_format)


@_method("multinomial")
def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Draw indices from the distribution(s) this tensor's weights give (``autograd_core.multinomial``).

    Args:
        num_samples (int): how many indices per distribution.
        replacement (bool): draw with replacement. Default: False.
        generator (Generator, optional): the random stream; the global one if None.

    Example::

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 0.0, 1.0]).multinomial(2, replacement=True)
        tensor([2, 2])
    """
    return creation.multinomial(input, num_samples, replacement, generator=generator)


def _elementwise_inplace(name, op_name=None):
    # (PyTorch's matrix products write through BLAS without this check)
    checked = name not in ("addmm", "addmv", "baddbmm", "addbmm", "addr")

    def method(input, *args, **kwargs):
        fn = DECLS[op_name or name].fn  # looked up when called: every op module has declared
        return inplace(input, lambda: fn(input, *args, **kwargs),
                       sources=(*args, *kwargs.values()) if checked else ())

    method.__name__ = method.__qualname__ = name + "_"
    init, args = _EXAMPLES.get(name, ("[0.25, 1.0]", "x" if name in _BINARY else ""))
    method.__doc__ = __test__[name + "_"] = (
        f"In-place ``{name}``: ``x.{name}_(...)`` writes ``x.{name}(...)`` into ``x`` and "
        "returns it.\n\nPyTorch's autograd rules for in-place ops apply (a leaf that requires "
        "grad refuses while recording; a node that saved the old value refuses to backward)."
        "\n\nExample::\n\n    >>> import autograd_core as ag\n"
        f"    >>> x = ag.tensor({init})\n"
        f"    >>> y = x.{name}({args})\n"
        f"    >>> x.{name}_({args}) is x, (x == y).all().item()\n    (True, True)\n")
    return method


def _value_first_inplace(name):
    """``addcmul_`` / ``addcdiv_``: the generated form, also taking PyTorch's deprecated
    ``(value, tensor1, tensor2)`` order with the in-place name in its warning."""
    generic = _elementwise_inplace(name)

    def method(input, tensor1, tensor2, *deprecated, value=1):
        if deprecated:
            tensor1, tensor2, value = _value_first(name + "_", tensor1, tensor2, deprecated,
                                                   value)
        return generic(input, tensor1, tensor2, value=value)

    method.__name__ = method.__qualname__ = generic.__name__
    method.__doc__ = generic.__doc__
    return method


# the generated examples' arguments: ``x`` is the tensor itself, taken before the write
_BINARY = {"atan2", "arctan2", "hypot", "copysign", "fmod", "remainder", "floor_divide",
           "xlogy", "heaviside", "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
           "logical_xor", "divide", "true_divide", "multiply", "subtract", "addcmul", "addcdiv",
           "greater", "greater_equal", "less", "less_equal", "not_equal", "igamma", "igammac"}
_EXAMPLES = {
    "pow": ("[0.25, 1.0]", "2"), "lerp": ("[0.25, 1.0]", "x * 2, 0.5"),
    "addcmul": ("[0.25, 1.0]", "x, x"), "addcdiv": ("[0.25, 1.0]", "x, x"),
    "addmm": ("[[0.25, 1.0], [0.5, 2.0]]", "x, x"), "tril": ("[[0.25, 1.0], [0.5, 2.0]]", ""),
    "triu": ("[[0.25, 1.0], [0.5, 2.0]]", ""), "addmv": ("[0.25, 1.0]", "ag.ones(2, 2), x"),
    "baddbmm": ("[[[0.25, 1.0], [0.5, 2.0]]]", "x, x"),
    "addbmm": ("[[0.25, 1.0], [0.5, 2.0]]", "x.unsqueeze(0), x.unsqueeze(0)"),
    "addr": ("[[0.25, 1.0], [0.5, 2.0]]", "x[0], x[1]"),
    "renorm": ("[[0.25, 1.0], [0.5, 2.0]]", "2, 0, 1.0"), "cumsum": ("[0.25, 1.0]", "0"),
    "cumprod": ("[0.25, 1.0]", "0"), "mvlgamma": ("[2.5, 3.0]", "1"),
    "acosh": ("[1.25, 2.0]", ""), "arccosh": ("[1.25, 2.0]", ""),  # domain from 1 (NaN != NaN)
    "bitwise_and": ("[3, 12]", "x"), "bitwise_or": ("[3, 12]", "x"),
    "bitwise_xor": ("[3, 12]", "x"), "bitwise_not": ("[3, 12]", ""), "gcd": ("[3, 12]", "x"),
    "lcm": ("[3, 12]", "x"), "bitwise_left_shift": ("[3, 12]", "2"),
    "bitwise_right_shift": ("[3, 12]", "2"), "ldexp": ("[0.25, 1.0]", "ag.tensor([2, 3])"),
    "nextafter": ("[0.25, 1.0]", "ag.tensor([2.0, 0.0])"),
}


#: the generated in-place methods' examples (the doctest finder sees only module-level names)
__test__: dict[str, str] = {}


# in-place forms of ops whose result has the input's shape (PyTorch's autograd rules, through
# ``inplace``; the result is cast to the tensor's dtype as PyTorch's in-place ops do)
for _name in ("abs", "exp", "log", "log1p", "sqrt", "rsqrt", "neg", "sin", "cos", "tan", "tanh",
              "sigmoid", "relu", "sign", "square", "pow",
              "acos", "asin", "atan", "atan2", "cosh", "sinh", "acosh", "asinh", "atanh", "ceil",
              "floor", "round", "trunc",
              "frac", "erf", "erfc", "erfinv", "exp2", "expm1", "log10", "log2", "lgamma",
              "digamma", "logit", "reciprocal", "sgn", "sinc", "i0", "deg2rad", "rad2deg",
              "nan_to_num", "negative", "hypot", "copysign", "fmod", "remainder", "floor_divide",
              "xlogy", "heaviside", "lerp", "addmm", "addmv", "baddbmm", "addbmm", "addr",
              "renorm",
              "tril", "triu", "cumsum", "cumprod", "eq", "ne", "lt", "le", "gt", "ge",
              "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
              "bitwise_or", "bitwise_xor", "bitwise_not", "gcd", "lcm", "mvlgamma", "true_divide",
              "bitwise_left_shift", "bitwise_right_shift", "ldexp", "nextafter", "igamma",
              "igammac"):
    _method(_name + "_")(_elementwise_inplace(_name))
for _name in ("addcmul", "addcdiv"):
    _method(_name + "_")(_value_first_inplace(_name))
for _name, _op in (("arccos", "acos"), ("arcsin", "asin"), ("arctan", "atan"),
                   ("arccosh", "acosh"), ("arcsinh", "asinh"), ("arctanh", "atanh"),
                   ("arctan2", "atan2"), ("fix", "trunc"), ("divide", "div"),
                   ("multiply", "mul"), ("subtract", "sub"), ("absolute", "abs"),
                   ("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"),
                   ("less_equal", "le"), ("not_equal", "ne"), ("conj_physical", "conj")):
    _method(_name + "_")(_elementwise_inplace(_name, _op))


@_method("clip_")
def clip_(input, min=None, max=None):  # noqa: A002
    """Clamp this tensor into ``[min, max]`` in place (``clamp_``'s other name).

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.clip_(min=1.5)
        tensor([1.5000, 2.0000])
    """
    return clamp_(input, min, max)


@_method("clamp_min_")
def clamp_min_(input, min):  # noqa: A002
    """Clamp this tensor from below in place: ``clamp_(min=min)``.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.clamp_min_(1.5)
        tensor([1.5000, 2.0000])
    """
    return clamp_(input, min, None)


@_method("clamp_max_")
def clamp_max_(input, max):  # noqa: A002
    """Clamp this tensor from above in place: ``clamp_(max=max)``.

    PyTorch's autograd rules apply: refused on a leaf that requires grad while recording
    (allowed under ``no_grad``, the way optimizers update parameters), and a node that saved the
    old value refuses to backward.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0])
        >>> x.clamp_max_(1.5)
        tensor([1.0000, 1.5000])
    """
    return clamp_(input, None, max)


def _view_inplace(input, name, view):
    """An in-place view op (``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``): ``input``
    takes the shape and strides of ``view`` (computed from it out of place, the same memory)
    and, while recording, its node; PyTorch's rule on leaves that require grad applies."""
    if STATE.enabled and (input.requires_grad or (input._base is not None
                                                  and input._base.requires_grad)):
        _refuse_view_write(input)
    base = input._base
    if STATE.enabled and base is not None and base.requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    if STATE.enabled and input.requires_grad and input.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    tracer = STATE.anomaly
    if tracer and tracer is not True:  # ag.compile: a replay would not change the shape
        tracer.fail(f"{name} changes a tensor's shape in place")
    _log_meta_change(input, view._data)
    input._data = view._data
    input._bump_version()  # as PyTorch: a node that saved this tensor refuses to backward
    if view.grad_fn is not None:
        _rerecord(input, view)
    return input


@_method("unsqueeze_")
def unsqueeze_(input, dim):
    """Insert a dimension of size one at ``dim``, in place: ``unsqueeze`` changing this tensor.

    Args:
        dim (int): where the new dimension goes.

    Example::

        >>> import autograd_core as ag
        >>> y = ag.tensor([3, 4])
        >>> y.unsqueeze_(-1).shape
        autograd_core.Size([2, 1])
    """
    return _view_inplace(input, "unsqueeze_", input.unsqueeze(dim))


@_method("squeeze_")
def squeeze_(input, dim=None):
    """Remove dimensions of size one (all, or ``dim``), in place.

    Args:
        dim (int or tuple of ints, optional): the dimensions to remove if of size one.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2, 1, 3).squeeze_().shape
        autograd_core.Size([2, 3])
    """
    return _view_inplace(input, "squeeze_", input.squeeze() if dim is None else input.squeeze(dim))


@_method("t_")
def t_(input):
    """Transpose a tensor of at most two dimensions in place: ``t()`` changing this tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).t_().shape
        autograd_core.Size([3, 2])
    """
    return _view_inplace(input, "t_", input.t())


@_method("as_strided_")
def as_strided_(input, size, stride, storage_offset=None):
    """``as_strided`` changing this tensor: it becomes the view of its memory with sizes
    ``size`` and strides ``stride`` (in elements) from element ``storage_offset``.

    Args:
        size (tuple of int): the new shape.
        stride (tuple of int): the step in elements along each dimension (non-negative).
        storage_offset (int, optional): the first element. Default: the tensor's own.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.arange(6.0)
        >>> x.as_strided_((2, 2), (1, 2), 1)
        tensor([[1., 3.],
                [2., 4.]])
        >>> x.shape
        autograd_core.Size([2, 2])
    """
    view = input.as_strided(size, stride, storage_offset)
    if view.grad_fn is not None:
        view.grad_fn._grad_fn = "AsStridedBackward1"  # PyTorch's name of the in-place form's
    return _view_inplace(input, "as_strided_", view)


@_method("transpose_")
def transpose_(input, dim0, dim1):
    """Swap dimensions ``dim0`` and ``dim1`` in place: ``transpose`` changing this tensor.

    Args:
        dim0 (int): the first dimension.
        dim1 (int): the second dimension.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3, 4).transpose_(0, 2).shape
        autograd_core.Size([4, 3, 2])
    """
    return _view_inplace(input, "transpose_", input.transpose(dim0, dim1))


@_method("swapaxes_")
def swapaxes_(input: Tensor, axis0: builtins.int, axis1: builtins.int) -> Tensor:
    """Swap dimensions ``axis0`` and ``axis1`` in place: ``transpose_``'s numpy spelling.

    The tensor keeps its memory (a view stays a view of its base, with swapped strides).

    Args:
        axis0 (int): the first dimension.
        axis1 (int): the second dimension.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1, 2, 3]])
        >>> x.swapaxes_(0, 1)
        tensor([[1],
                [2],
                [3]])
    """
    return _view_inplace(input, "swapaxes_", input.transpose(axis0, axis1))


@_method("swapdims_")
def swapdims_(input: Tensor, dim0: builtins.int, dim1: builtins.int) -> Tensor:
    """Swap dimensions ``dim0`` and ``dim1`` in place: ``transpose_``'s other name.

    Args:
        dim0 (int): the first dimension.
        dim1 (int): the second dimension.

    Example::

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3, 4).swapdims_(0, -1).shape
        autograd_core.Size([4, 3, 2])
    """
    return _view_inplace(input, "swapdims_", input.transpose(dim0, dim1))
