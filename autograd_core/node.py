"""Graph nodes: the base class every op's node derives from, and how a call is recorded.

A node class declares an op's two halves (``autograd_core/ops`` holds them, with ``@op``):

* ``forward(self, *arrays, **params)`` runs on numpy arrays and returns the output array (a
  tuple when ``n_outputs > 1``); ``self.save_for_backward(...)`` keeps what backward needs.
* ``backward(self, *grads)`` is the vector-Jacobian product written with operations that work
  on arrays and on Tensors alike (operators, ``.sum``/``.reshape``, ``autograd_core.ops._xp``).
  One rule serves both orders: in plain backward it receives arrays and records nothing; under
  ``create_graph`` it receives Tensors and records, so it can be differentiated again.
* ``fused_backward(self, *grads)`` (optional): the same derivative through a fused kernel, on
  arrays. The engine calls it in plain backward and ``backward`` under ``create_graph``; the
  generic op tests hold the two equal.

An instance of the class *is* the graph node (``tensor.grad_fn``): ``apply`` makes one per call,
with the edges to its inputs and what forward saved.
"""

from __future__ import annotations

import inspect
import itertools
import re
import traceback
import weakref

from typing import Any

import numpy as np

from autograd_core._casts import plain_number
from autograd_core._quiet import quiet
from autograd_core._sums import fsum
from autograd_core.grad_mode import STATE
from autograd_core.tensor import (DATA_SET, DENSE_TYPES, SCALAR_NAMES, Tensor, _RemovableHandle,
                                  next_seq)

ndarray = np.ndarray
asarray = np.asarray

# Marker in ``_saved_refs`` for a saved forward *output* (re-wrapped on demand, so the node never
# holds a reference to its own output Tensor and no reference cycle forms).
_OUTPUT = object()
FREED = object()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)

_new = object.__new__
_make = Tensor._make
_NONE_NEEDED = ((), (False,), (False, False), (False, False, False))
_NEEDED_1 = (True,)
_NEEDED_01, _NEEDED_10, _NEEDED_11 = (False, True), (True, False), (True, True)
_next_seq = next_seq


#: ``complex_backward`` of an op that only moves, sums or scales by real constants (shape ops,
#: add, sum): its real rule is right for complex values
LINEAR = "linear"
#: ``complex_backward`` of an op whose real rule is an analytic expression of its saved values,
#: linear in the incoming gradient (``g * f'(x)``): PyTorch's ``grad * conj(f'(z))`` is
#: ``conj(backward(conj(grad)))``
HOLOMORPHIC = "holomorphic"


def _saved_value(k):
    """The getter of ``grad_fn._saved_<name>`` for the ``k``-th value forward saved: the input
    Tensor itself, the output as a Tensor of this node, a number as a 0-d Tensor; PyTorch's
    error once backward has freed it."""
    def get(node):
        saved = node._saved
        if saved is FREED:
            raise RuntimeError(FREED_MESSAGE)
        if type(saved) is not Packed:  # (PyTorch's: a value changed in place since refuses)
            node._check_versions()
        value = node._connected(saved.unpack() if type(saved) is Packed else saved)[k]
        if value is None or isinstance(value, Tensor):
            return value
        return _make(np.asarray(value), None, False)
    return get


def conj(x):
    """The complex conjugate of an array or Tensor (recorded under create_graph); ``x`` itself
    when real (no copy, no node)."""
    if isinstance(x, Tensor):
        return x.conj() if x._data.dtype.kind == "c" else x
    if getattr(x, "dtype", None) is None:
        x = np.asarray(x)
    return np.conj(x) if x.dtype.kind == "c" else x


def _snake(name):
    """``MSELoss`` -> ``mse_loss``, ``LinalgSolveEx`` -> ``linalg_solve_ex``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _holomorphic(backward):
    def complex_backward(self, *grads):
        out = backward(self, *(None if g is None else conj(g) for g in grads))
        return tuple(None if r is None else conj(r) for r in out)

    return complex_backward


class Node:
    """Base class of graph nodes; see the module docstring."""

    #: number of outputs of forward (a tuple when > 1)
    n_outputs = 1
    #: set by the engine while it runs ``backward`` under create_graph (saved values as Tensors)
    differentiable = False
    #: whether the engine gives zeros for the outputs that received no gradient (a multi-output
    #: node); a user Function turns it off with ``ctx.set_materialize_grads(False)``
    materialize_grads = True
    _saved = ()
    _saved_refs = ()
    _seq = -1  # creation order, set when recorded
    _saved_versions = ()  # counter, value at save, counter, value, ...: every saved tensor
    _saved_out_idx = None  # multi-output nodes: position in _saved -> which output it is
    _pre_hooks = None  # output index -> {handle id: hook}; {} when only _retained is set;
    # key None: the node's own pre-hooks (register_prehook), fn(grad_outputs)
    _post_hooks = None  # handle id -> fn(grad_inputs, grad_outputs) (register_hook)
    _retained = None  # output index -> weak reference to a tensor that retains its grad
    reads_storage = False  # as_strided's: reads its input's memory, not only its elements
    _trace = None
    _to_save = ()  # what forward passed to save_for_backward, until apply resolves it
    fused_backward = None
    #: forward draws from the project's generator (dropout): ag.compile lets it, and replays it
    draws_random = False
    #: an elementwise op that ``ag.compile`` may run inside a generated kernel: its forward as a
    #: scalar expression of its inputs ``{0}, {1}, ...``, and ``fuse_backward`` its backward's,
    #: one per input, of the output gradient ``{g}`` and the saved values ``{0}, {1}, ...``
    #: (``D(x)``: a constant of the op's dtype); each must compute exactly what the numpy
    #: forward and backward compute (``autograd_core/fusion.py``)
    fuse: str | None = None
    fuse_backward: tuple | None = None
    #: the rule the engine runs instead of ``backward`` for a node with complex outputs or
    #: complex inputs receiving a gradient (PyTorch's convention: the conjugate Wirtinger
    #: derivative, ``grad * conj(f'(z))`` for holomorphic ``f``); None: refused with
    #: NotImplementedError, as a real rule would give a silently wrong gradient
    complex_backward: Any = None

    # Set up by apply: ``next``, one entry per positional input: None (no gradient needed), a
    # leaf Tensor (its gradient accumulates into ``.grad``) or the Node that made the input;
    # ``next_idx``, which output of that node each input is, when one is not output 0;
    # ``needs_input_grad``, a tuple of bools; the output's ``_shape`` and ``_dtype`` (every
    # output's in ``out_meta`` when there are several). No tuple per edge: a graph of tiny ops
    # is mostly edges, and every object it keeps is one more for the cyclic collector to scan.
    next_idx = None
    _leaf_edge = False
    #: names of what forward saves, in order: ``grad_fn._saved_<name>`` reads each (PyTorch's)
    saved_names: tuple = ()
    #: PyTorch's name of the node (``name()``) where it is not the class's name + Backward0
    #: (``@op(grad_fn=...)`` sets it)
    _grad_fn: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # what the engine calls in plain backward: the fused kernel where the op has one
        cls.plain_backward = cls.fused_backward or cls.backward
        rule = cls.__dict__.get("complex_backward")
        if rule == LINEAR:  # f(z) = L z with a real L: the real rule, as it is
            cls.complex_backward = cls.backward
        elif rule == HOLOMORPHIC:
            cls.complex_backward = _holomorphic(cls.backward)
        forward = getattr(cls, "forward", None)
        cls._forward_takes_out = forward is not None and (
            "out" in inspect.signature(forward).parameters)
        for k, name in enumerate(cls.__dict__.get("saved_names", ())):
            setattr(cls, f"_saved_{name}", property(_saved_value(k), doc=(
                f"What forward saved as ``{name}`` (PyTorch's ``grad_fn._saved_{name}``).")))

    def backward(self, *grads):  # pragma: no cover - every op defines it
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    # ---- out= forms: what a captured step replays into preallocated arrays ------------------
    def forward_out(self, *arrays, out, **params):
        """``forward`` writing its result into ``out`` (an array of the result's shape and
        dtype), saving what ``forward`` saves. An op whose ``forward`` takes ``out=`` writes
        there directly; for the others the result is computed and copied."""
        if self._forward_takes_out:
            return self.forward(*arrays, out=out, **params)
        result = self.forward(*arrays, **params)
        result = np.asarray(result)
        if out.shape != result.shape or out.dtype != result.dtype:
            raise ValueError(
                f"{type(self).__name__}.forward_out: out must be a {result.dtype} array of "
                f"shape {result.shape}, got {out.dtype} {out.shape}"
            )
        np.copyto(out, result)
        self._to_save = tuple(out if x is result else x for x in self._to_save)
        return out

    def backward_out(self, grads, outs):
        """Plain backward writing each input's gradient, reduced to that input's shape, into
        ``outs`` (one array or None per input); returns ``outs``."""
        for o, r in zip(outs, self.plain_backward(*grads)):
            if o is None or r is None:
                continue
            r = np.asarray(r)
            if r.shape != o.shape:
                r = sum_to_shape(r, o.shape)
            np.copyto(o, r, casting="same_kind")
        return outs

    def save_for_backward(self, *arrays):
        """Keep arrays for backward. Inputs and the output are recognised by identity, so that
        under ``create_graph`` they come back as the connected Tensors."""
        self._to_save = arrays

    # ---- the rule's view of saved values ---------------------------------------------------
    @property
    def saved(self):
        """What forward saved: arrays in plain backward, Tensors under ``create_graph``.
        Refuses (PyTorch's error) when a saved input or output was modified in place since."""
        saved = self._saved
        if saved is FREED:
            raise RuntimeError(FREED_MESSAGE)
        if type(saved) is Packed:  # (PyTorch's: what saved-tensor hooks packed is theirs,
            saved = saved.unpack()  # not version-checked)
        else:
            versions = self._saved_versions
            if versions and (versions[0][0] != versions[1] or len(versions) > 2 and (
                    versions[2][0] != versions[3] or len(versions) > 4)):  # one or two: no loop
                self._check_versions()
        if DATA_SET[0] > self._seq:  # a `.data = ...` since this node was recorded
            saved = self._data_reset(saved)
        if self.differentiable:
            return self._connected(saved)
        return saved

    def _data_reset(self, saved):
        """``saved`` with each saved input Tensor's array as it is now: PyTorch's saved input
        shares the Tensor itself, so after ``x.data = y`` its backward reads ``y``. (A saved
        output keeps its values, as PyTorch's, which saves the output's data.)"""
        refs = self._saved_refs
        if not refs:
            return saved
        out = list(saved)
        for k, ref in enumerate(refs):
            if isinstance(ref, Tensor) and ref._data is not out[k]:
                now = ref._data
                if now.shape != out[k].shape:  # the rule would broadcast or fail in numpy
                    raise RuntimeError(
                        f"a tensor saved by {self.name()} for its backward was given a .data "
                        f"of another shape: {list(now.shape)}, where it had "
                        f"{list(out[k].shape)} when the graph was recorded; run the forward "
                        "again after changing .data's shape")
                out[k] = now
        return tuple(out)

    def _check_versions(self):
        """Raise PyTorch's error if a saved input or output was modified in place since."""
        versions = self._saved_versions
        for k in range(0, len(versions), 2):
            if versions[k][0] != versions[k + 1]:
                raise self._modified_error(versions[k], versions[k + 1])

    def _modified_error(self, vc, expected):
        return RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: a tensor saved by {self.name()} (one of its inputs or its "
            f"output) is at version {vc[0]}; expected version {expected} instead. Use an "
            "out-of-place operation (x = x * 2 instead of x *= 2) or .clone() the tensor "
            "before modifying it."
        )

    def _connected(self, saved):
        out = []
        for arr, ref in zip(saved, self._saved_refs):
            if ref is None:
                # constants: non-differentiable arrays (masks, indices), scalars, None
                out.append(_make(arr, None, False) if isinstance(arr, np.ndarray) else arr)
            elif ref is _OUTPUT:
                t = _make(arr, self, True)
                if self.n_outputs != 1:  # which output it is (the engine routes by index)
                    t._out_idx = self._saved_out_idx[len(out)]
                out.append(t)
            elif type(ref) is SavedRef:
                out.append(ref.connect(arr))
            else:
                out.append(ref)
        return tuple(out)

    def _release(self):
        """Free what forward saved (after backward, unless retain_graph)."""
        self._saved = FREED
        self._saved_refs = None

    def _forget_input(self, tensor):
        """Before ``tensor`` is overwritten in place by this node's own result (``y.mul_(w)``):
        keep a copy of its old values where they were saved. Where the tensor itself was
        saved, the copy stands for it as the output of its old node, so that a gradient taken
        with ``create_graph`` is differentiated through the old values too."""
        if self._saved is FREED or not self._saved:
            return
        if type(self._saved) is Packed:
            self._saved = self._saved.unpack()
        data = tensor._data
        copy = old = None
        saved, refs = list(self._saved), list(self._saved_refs)
        for k, (arr, ref) in enumerate(zip(saved, refs)):
            if type(ref) is SavedRef and arr is data:  # packed by hooks that kept the array
                ref = tensor
            if ref is tensor or (ref is None and arr is data):
                if copy is None:
                    copy = data.copy()
                    old = _make(copy, tensor.grad_fn, tensor._requires_grad)
                    old._out_idx = tensor._out_idx
                saved[k], refs[k] = copy, (old if ref is tensor else None)
        self._saved, self._saved_refs = tuple(saved), refs
        counter = tensor._vc
        v = self._saved_versions
        self._saved_versions = [x for k in range(0, len(v), 2) if v[k] is not counter
                                for x in (v[k], v[k + 1])]

    def name(self) -> str:
        return self._grad_fn or f"{type(self).__name__}Backward0"

    def op_name(self) -> str:
        """The user's name of the op that recorded this node (``@op``'s, or the class's
        ``_op_name``), else the class's name in snake case without an ``Op`` suffix
        (``MaxPool2dOp``: ``max_pool2d``)."""
        cls = type(self)
        return cls.__dict__.get("_op_name") or _snake(cls.__name__.strip("_").removesuffix("Op"))

    def __repr__(self):
        return f"<{self.name()} object>"

    @property
    def next_functions(self):
        """PyTorch-style view of the edges: ((node or AccumulateGrad, index) or (None, 0), ...)."""
        out = []
        for e in edges_of(self):
            if e is None:
                out.append((None, 0))
            elif e[1] >= 0:
                out.append((e[0], e[1]))
            else:
                out.append((AccumulateGrad.of(e[0]), 0))
        return tuple(out)

    def register_hook(self, fn):
        """Register ``fn(grad_inputs, grad_outputs)``, run after this node's backward (PyTorch's
        ``grad_fn.register_hook``): tuples of Tensors, one per input (None where no gradient
        flows) and one per output; a returned tuple replaces ``grad_inputs``. Returns a handle
        whose ``remove()`` unregisters it.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
            >>> y = x * 3
            >>> h = y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, gi[1]))
            >>> y.sum().backward()
            >>> x.grad
            tensor([30., 30.])
        """
        if self._post_hooks is None:
            self._post_hooks = {}
        handle = _RemovableHandle(self._post_hooks)
        self._post_hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn):
        """Register ``fn(grad_outputs)``, run before this node's backward (PyTorch's
        ``grad_fn.register_prehook``), after the hooks of its output tensors; a returned
        tuple replaces ``grad_outputs``. Returns a handle whose ``remove()`` unregisters it."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(None, {})
        handle = _RemovableHandle(hooks)
        hooks[handle.id] = fn
        return handle

    # ---- recording -------------------------------------------------------------------------
    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on the arrays of ``args`` and, when grad mode is on and any Tensor
        argument requires grad, record a node. Non-Tensor arguments are constants."""
        node = _new(cls)
        edges = None
        n = len(args)
        if not STATE.enabled:
            arrays = [a._data if isinstance(a, Tensor) else a for a in args]
            node.needs_input_grad = _NONE_NEEDED[n] if n < 4 else (False,) * n
        elif n == 1:
            # the unary case, unrolled (the same as the loop below)
            a = args[0]
            if isinstance(a, Tensor):
                da = a._data
                if a._requires_grad:
                    fn = a.grad_fn
                    if fn is None:
                        edges = (a,)
                    else:
                        edges = (fn,)
                        if a._out_idx:
                            node.next_idx = (a._out_idx,)
            else:
                da = a
            arrays = (da,)
            node.needs_input_grad = _NONE_NEEDED[1] if edges is None else _NEEDED_1
        elif n == 2:
            # the common binary case, unrolled (the same as the loop below)
            a, b = args
            ea = eb = None
            if isinstance(a, Tensor):
                da = a._data
                if a._requires_grad:
                    ea = a if a.grad_fn is None else a.grad_fn
                    if a._out_idx:
                        node.next_idx = (a._out_idx, 0)
            else:
                da = a
            if isinstance(b, Tensor):
                db = b._data
                if b._requires_grad:
                    eb = b if b.grad_fn is None else b.grad_fn
                    if b._out_idx:
                        node.next_idx = (node.next_idx or (0, 0))[0], b._out_idx
            else:
                db = b
            arrays = (da, db)
            if ea is None:
                if eb is None:
                    node.needs_input_grad = _NONE_NEEDED[2]
                else:
                    edges = (None, eb)
                    node.needs_input_grad = _NEEDED_01
            else:
                edges = (ea, eb)
                node.needs_input_grad = _NEEDED_11 if eb is not None else _NEEDED_10
        else:
            # one pass: arrays for forward, the edges the node would get, and which need a
            # gradient (appended as they are found: cheaper than a comprehension over edges)
            arrays = []
            edges = []
            needs = []
            idxs = None
            for a in args:
                if isinstance(a, Tensor):
                    arrays.append(a._data)
                    if a._requires_grad:
                        if a._out_idx:
                            idxs = idxs or [0] * n
                            idxs[len(edges)] = a._out_idx
                        edges.append(a if a.grad_fn is None else a.grad_fn)
                        needs.append(True)
                        continue
                else:
                    arrays.append(a)
                edges.append(None)
                needs.append(False)
            needs = node.needs_input_grad = tuple(needs)
            edges = tuple(edges) if True in needs else None
            if idxs:
                node.next_idx = tuple(idxs)
        try:
            out = node.forward(*arrays, **kwargs) if kwargs else node.forward(*arrays)
        except (RuntimeWarning, FloatingPointError):  # the user made numpy's inf/NaN warning
            out = quiet(node.forward)(*arrays, **kwargs)  # an error: run it quietly (_quiet.py)
        if cls.n_outputs != 1:
            return _finish_many(node, args, kwargs, edges, out)

        raw = out
        if type(out) is not ndarray:
            out = asarray(out)  # numpy gives 0-d results as scalars
        anomaly = STATE.anomaly
        if anomaly:
            if anomaly is True:
                check_forward(node, (out,), arrays)
            else:  # ag.compile's tracer (it keeps the anomaly flag): no cost when not tracing
                anomaly.on_forward(node, args, kwargs, (out,))
                anomaly = anomaly.anomaly
        if edges is None:
            return _make(out, None, False)
        dtype = node._dtype = out.dtype
        if dtype.kind not in "fc":  # an integer result of a grad input (select_scatter into int64)
            raise RuntimeError(f"Autograd not support dtype: {SCALAR_NAMES.get(dtype.name, dtype)}")
        node._seq = _next_seq()
        node.next = edges
        node._shape = out.shape
        t = _make(out, node, True)
        if node._to_save:
            _save1(node, args, arrays, t, raw)
        if anomaly:
            node._trace = _stack()
        return t


def operator(cls, reflected=False):
    """``cls``'s Python operator (``x * y`` for Mul, with ``cls.ufunc`` np.multiply and
    ``cls.saves`` what its forward saves; ``reflected``: ``y * x``, Python's ``__rmul__``):
    ``cls.apply`` in one frame for what a training loop meets most, a Tensor with a Tensor of
    its floating dtype or with a Python number, grad mode on or off, nothing watching (no
    anomaly mode, no ``ag.compile`` trace, no saved-tensor hooks); anything else goes through
    ``apply``. The result and the node it records are ``apply``'s, attribute for attribute
    (``tests/autograd/test_operator_path.py`` holds them equal). ``saves``: ``(input, when)``
    per value forward saves, input ``when`` needing a gradient (None: always); the Tensor
    saved is found as ``_save1`` finds it."""
    ufunc, saves, apply = cls.ufunc, cls.saves, cls.apply
    if len(saves) not in (0, 2):
        raise TypeError(f"operator({cls.__name__}): saves must hold 0 or 2 values")
    dense = DENSE_TYPES
    slow = (lambda x, y: apply(y, x)) if reflected else apply  # apply in the op's order

    def binary(x, y):
        state = STATE
        if state.anomaly or state.saved_hooks or x._out_idx:
            return slow(x, y)
        a = x._data
        yc = y.__class__
        if yc in dense and not reflected:  # (y (op) x with a Tensor y: a subclass's turn)
            b = y._data
            if a.dtype is not b.dtype or a.dtype.kind != "f" or y._out_idx:
                return apply(x, y)
            ry = y._requires_grad
            num = False
        elif (yc is float or yc is int) and a.dtype.kind == "f" and a.dtype.itemsize > 2:
            b = y
            ry = False
            num = True
        elif isinstance(y, np.generic):  # a numpy scalar: the Python number PyTorch reads
            return binary(x, plain_number(y))
        else:
            return slow(x, y)
        if reflected:  # the op's inputs, in its order
            p = b
            q = a
        else:
            p = a
            q = b
        try:
            out = ufunc(p, q)
        except ValueError:  # shapes that do not broadcast: apply raises PyTorch's error
            return slow(x, y)
        except (RuntimeWarning, FloatingPointError):  # the user made numpy's inf/NaN warning
            out = quiet(ufunc)(p, q)  # an error: PyTorch's silence (autograd_core/_quiet.py)
        if out.__class__ is not ndarray:
            out = asarray(out)  # numpy gives 0-d results as scalars
        rx = x._requires_grad
        if not (rx or ry) or not state.enabled:
            return _make(out, None, False)
        node = _new(cls)
        if rx:
            ex = x if x.grad_fn is None else x.grad_fn
            if ry:
                node.next = (ex, y if y.grad_fn is None else y.grad_fn)
                need = node.needs_input_grad = _NEEDED_11
            elif reflected:
                node.next = (None, ex)
                need = node.needs_input_grad = _NEEDED_01
            else:
                node.next = (ex, None)
                need = node.needs_input_grad = _NEEDED_10
        else:
            node.next = (None, y if y.grad_fn is None else y.grad_fn)
            need = node.needs_input_grad = _NEEDED_01
        node._seq = _next_seq()
        node._shape = out.shape
        node._dtype = out.dtype
        t = _make(out, node, True)
        if saves:  # two values, unrolled
            node._to_save = ()
            (i0, w0), (i1, w1) = saves
            if w0 is None or need[w0]:
                s0 = q if i0 else p
                r0 = x if s0 is a else (None if num else y)  # a Python number is a constant
            else:
                s0 = r0 = None
            if w1 is None or need[w1]:
                s1 = q if i1 else p
                r1 = x if s1 is a else (None if num else y)
            else:
                s1 = r1 = None
            node._saved = (s0, s1)
            node._saved_refs = [r0, r1]
            if r0 is not None:
                v0 = r0._vc
                if v0 is None:
                    v0 = r0._vc = [0]
                if r1 is not None:
                    v1 = r1._vc
                    if v1 is None:
                        v1 = r1._vc = [0]
                    node._saved_versions = [v0, v0[0], v1, v1[0]]
                else:
                    node._saved_versions = [v0, v0[0]]
            elif r1 is not None:
                v1 = r1._vc
                if v1 is None:
                    v1 = r1._vc = [0]
                node._saved_versions = [v1, v1[0]]
        return t

    name = cls.__name__.lower() + ("_reflected" if reflected else "")
    binary.__name__ = binary.__qualname__ = f"{name}_operator"
    return binary


def apply_nondifferentiable(cls, *args, **kwargs):
    """``cls.apply`` for an op whose result is never differentiable (a comparison, an index, an
    integer conversion): nothing is recorded for autograd, but it runs as an op, so a step
    captured by ``ag.compile`` recomputes it on every call's values."""
    prev = STATE.enabled
    STATE.enabled = False
    try:
        return cls.apply(*args, **kwargs)
    finally:
        STATE.enabled = prev


def _finish_many(node, args, kwargs, edges, out):
    """apply's end for a forward with several outputs: a tuple of Tensors."""
    outs = tuple(o if type(o) is ndarray else asarray(o) for o in out)
    anomaly = STATE.anomaly
    if anomaly is True:
        check_forward(node, outs)
    elif anomaly:  # ag.compile's tracer
        anomaly.on_forward(node, args, kwargs, outs)
    if edges is None or not outs:  # (no output, split(x, []): nothing to record)
        return tuple(_make(o, None, False) for o in outs)
    node._seq = _next_seq()
    node.next = edges
    meta = node.out_meta = tuple((o.shape, o.dtype) for o in outs)
    node._shape, node._dtype = meta[0]
    results = []
    for i, o in enumerate(outs):
        t = _make(o, node, True)
        t._out_idx = i
        results.append(t)
    if node._to_save:
        node._to_save = tuple(_as_output(x, out, outs) for x in node._to_save)
    save(node, args, outs, results)
    return tuple(results)


def sum_to_shape(g, shape):
    """Sum ``g`` (array or Tensor) down to ``shape`` (the inverse of broadcasting)."""
    gshape = g.shape
    if gshape == shape:
        return g
    if len(gshape) < len(shape):  # e.g. setitem's value with extra leading 1-dims
        return g.reshape(shape)
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1
    )
    if isinstance(g, np.ndarray):
        if axes:
            g = fsum(g, axes, True)
        return g.reshape(shape)
    if axes:
        g = g.sum(dim=axes, keepdim=True)
    return g.reshape(shape)


def leaf_meta(leaf, node, data):
    """The shape and dtype ``leaf`` had when ``node`` was recorded (``data`` its array now):
    what the gradient it receives from ``node`` must have, as in PyTorch, even if its array was
    replaced since (``x.data = ...``, ``model.double()``)."""
    log = leaf._meta_log
    if log is not None:
        seq = node._seq
        for mark, shape, dtype in log:
            if mark > seq:
                if shape is None:
                    raise RuntimeError(
                        f"backward through {node.name()}: the leaf tensor it uses was given "
                        "arrays of other shapes or dtypes (.data = ...) more than 15 times since "
                        "this graph was recorded; its shape then is no longer known")
                return shape, dtype
    return data.shape, data.dtype


def edges_of(node):
    """``node``'s edges in full, one per positional input: None where no gradient flows, else
    ``(target, out_index, shape, dtype)``, where ``target`` is a leaf Tensor (index -1) or a
    Node and shape and dtype are those of the input (what its gradient must have)."""
    idxs = node.next_idx or itertools.repeat(0)
    out = []
    for target, idx in zip(node.next, idxs):
        if target is None:
            out.append(None)
        elif target._leaf_edge:
            data = target._data
            out.append((target, -1) + leaf_meta(target, node, data))
        else:
            shape, dtype = target.out_meta[idx] if idx else (target._shape, target._dtype)
            out.append((target, idx, shape, dtype))
    return out


def _as_output(x, raw_outs, outs):
    """A saved forward result, replaced by the array its output Tensor holds."""
    for r, o in zip(raw_outs, outs):
        if x is r:
            return o
    return x


def _stack():
    return "".join(traceback.format_stack(limit=12)[:-3])


def _save1(node, args, arrays, out, raw):
    """``save`` for the common case of one output (``out`` its Tensor, ``raw`` what forward
    returned): inputs are found by identity in ``arrays``, parallel to ``args``."""
    to_save = node._to_save
    node._to_save = ()  # from here on only _saved holds them (freed by _release)
    refs = []
    versions = []
    data = out._data
    output_saved = False
    for arr in to_save:
        if arr is raw or arr is data:
            refs.append(_OUTPUT)
            vc = out._vc = [0]
            versions += (vc, 0)
            output_saved = True
            continue
        ref = None
        if arr is not None:
            i = 0
            for d in arrays:
                if d is arr:
                    a = args[i]
                    if a is not d:  # a Tensor (a constant array argument is its own array)
                        ref = a
                        vc = a._vc
                        if vc is None:
                            vc = a._vc = [0]
                        versions += (vc, vc[0])
                    break
                i += 1
        refs.append(ref)
    if output_saved and raw is not data:  # forward returned a numpy scalar: save the array
        to_save = tuple(data if r is _OUTPUT else x for x, r in zip(to_save, refs))
    node._saved = to_save
    node._saved_refs = refs
    if versions:
        node._saved_versions = versions
    if STATE.saved_hooks:
        _pack(node)


def save(node, args, outs, results=None):
    """Resolve what forward saved (general form: any number of outputs, ``results`` their
    Tensors when made): outputs and inputs by identity (so create_graph can hand back the
    connected Tensors), everything else as constants; snapshot input and output versions."""
    to_save = node._to_save
    node._to_save = ()
    saved = list(to_save)
    refs = [None] * len(to_save)
    versions = []
    out_idx = {}
    for k, arr in enumerate(to_save):
        if arr is None:
            continue
        for j, o in enumerate(outs):
            if arr is o:
                refs[k] = _OUTPUT
                out_idx[k] = j
                if results is not None:
                    vc = results[j]._vc
                    if vc is None:
                        vc = results[j]._vc = [0]
                    versions += (vc, vc[0])
                break
        else:
            for a in args:
                if isinstance(a, Tensor) and a._data is arr:
                    refs[k] = a
                    vc = a._vc
                    if vc is None:
                        vc = a._vc = [0]
                    versions += (vc, vc[0])
                    break
    node._saved = tuple(saved)
    node._saved_refs = refs
    node._saved_versions = versions
    if out_idx:
        node._saved_out_idx = out_idx
    if STATE.saved_hooks:
        _pack(node)
    if STATE.anomaly is True:
        node._trace = _stack()


def record(node, args, outs):
    """Record ``node`` for inputs ``args`` and arrays ``outs`` (used by Function.apply)."""
    edges = []
    idxs = [0] * len(args)
    for k, (a, need) in enumerate(zip(args, node.needs_input_grad)):
        if not need:
            edges.append(None)
        else:
            edges.append(a if a.grad_fn is None else a.grad_fn)
            idxs[k] = a._out_idx
    node._seq = _next_seq()
    node.next = tuple(edges)
    if any(idxs):
        node.next_idx = tuple(idxs)
    save(node, args, outs)


def _pack(node):
    """Hand what ``node`` saved to the active ``saved_tensors_hooks``' pack hook, and keep of
    each saved input Tensor only how to reconnect it (``SavedRef``): the packed objects are
    then the only holders of the values (a leaf that requires grad stays, as the graph's edge
    to it keeps it anyway). Runs only while hooks are set: no cost on the usual path."""
    refs = node._saved_refs
    node._saved = Packed(node._saved, refs, STATE.saved_hooks[-1])
    node._saved_refs = [SavedRef(r) if isinstance(r, Tensor) and not (
        r.grad_fn is None and r._requires_grad) else r for r in refs]


class SavedRef:
    """A saved input Tensor whose values a pack hook holds: its graph position (``grad_fn``,
    output index, requires_grad) and version counter, and a weak reference to it."""

    __slots__ = ("grad_fn", "out_idx", "requires_grad", "_vc", "tensor")

    def __init__(self, t):
        self.grad_fn, self.out_idx, self.requires_grad = t.grad_fn, t._out_idx, t._requires_grad
        self._vc = t._vc
        self.tensor = weakref.ref(t)

    def connect(self, arr):
        """The Tensor for the unpacked array ``arr``, at the saved Tensor's place in the graph
        (so create_graph differentiates through it)."""
        t = _make(arr, self.grad_fn, self.requires_grad)
        t._out_idx = self.out_idx
        return t


def saved_tensor(ref):
    """The Tensor a ``_saved_refs`` entry stands for, if it is alive (else None)."""
    return ref.tensor() if type(ref) is SavedRef else ref


class Packed:
    """A node's saved values as ``saved_tensors_hooks`` packed them: each saved array goes to
    ``pack_hook`` as a Tensor (the input Tensor itself when an input was saved) and comes back
    from ``unpack_hook`` when backward reads it; other saved values stay as they are."""

    __slots__ = ("items", "unpack_hook")

    def __init__(self, saved, refs, hooks):
        pack_hook, self.unpack_hook = hooks
        items = []
        for arr, ref in zip(saved, refs):
            if isinstance(arr, ndarray):
                t = ref if isinstance(ref, Tensor) else _make(arr, None, False)
                items.append((True, pack_hook(t)))
            else:
                items.append((False, arr))
        self.items = items

    def __len__(self):
        return len(self.items)

    def unpack_tensors(self):
        """The saved values, each packed one as what ``unpack_hook`` returned (a Tensor)."""
        out = []
        for packed, value in self.items:
            if packed:
                value = self.unpack_hook(value)
                if not isinstance(value, Tensor):
                    raise TypeError(f"Output of saved tensor unpack_hook expected to be a "
                                    f"Tensor but got result of type {type(value).__name__}")
            out.append(value)
        return tuple(out)

    def unpack(self):
        """The saved values with arrays for the packed ones (what a node's rule reads)."""
        return tuple(v._data if isinstance(v, Tensor) else v for v in self.unpack_tensors())


def _finite(x):
    x = x._data if isinstance(x, Tensor) else x
    if isinstance(x, (list, tuple)):
        return all(_finite(e) for e in x)
    a = np.asarray(x) if isinstance(x, (np.ndarray, np.generic, float)) else None
    return a is None or a.dtype.kind not in "fc" or bool(np.all(np.isfinite(a)))


def check_forward(node, outs, inputs=()):
    """Anomaly mode: raise, naming the op, when it made NaN/Inf from finite inputs (an op fed
    a NaN is not where the NaN was born)."""
    for o in outs:
        if o.dtype.kind in "fc" and not np.all(np.isfinite(o)) and _finite(inputs):
            where = "".join(traceback.format_stack(limit=10)[:-3])
            kind = "nan" if np.isnan(o).any() else "inf"
            raise RuntimeError(
                f"detect_anomaly: function '{type(node).__name__}' produced {kind} values in "
                f"its forward output (shape {o.shape}).\nRecorded at:\n{where}"
            )


def _check_hook_tuple(fn, res, n):
    """PyTorch's checks of what a node hook returned: a tuple of ``n`` values."""
    if not isinstance(res, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(res).__name__}'")
    if len(res) != n:
        raise RuntimeError(f"hook '{getattr(fn, '__name__', fn)}' has returned an incorrect "
                           f"number of values (got {len(res)}, but expected {n})")


class AccumulateGrad:
    """Stand-in node for a leaf in ``next_functions`` (inspection, and PyTorch's hooks on it).

    One per leaf while anything holds it, as PyTorch's (the leaf keeps a weak reference, so no
    cycle): a graph walk that remembers the nodes it has seen meets the same object again."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    @classmethod
    def of(cls, leaf):
        """The leaf's stand-in: the one made before if it is still alive, else a new one."""
        ref = leaf.__dict__.get("_grad_accumulator")
        acc = ref() if ref is not None else None
        if acc is None:
            acc = cls(leaf)
            leaf._grad_accumulator = weakref.ref(acc)
        return acc

    def name(self):
        return "torch::autograd::AccumulateGrad"  # PyTorch's (its C++ class)

    def register_prehook(self, fn):
        """Register ``fn(grad_outputs)``, PyTorch's ``AccumulateGrad.register_prehook``:
        ``backward()`` calls it with ``(g,)``, the leaf's gradient of the pass, before it is
        accumulated into ``.grad``; a returned ``(g2,)`` is accumulated instead. The leaf keeps
        it (as one of its tensor hooks, run in registration order with them); ``grad()`` runs
        none, as PyTorch's. Returns a handle whose ``remove()`` unregisters it."""
        def prehook(g):
            res = fn((g,))
            if res is None:
                return None
            _check_hook_tuple(fn, res, 1)
            if res[0] is None:
                raise RuntimeError("an AccumulateGrad pre-hook returning (None,) to drop the "
                                   "leaf's gradient is not supported")
            return res[0]
        prehook.__name__ = getattr(fn, "__name__", repr(fn))  # named in the engine's errors
        prehook.accumulate_grad = True  # grad() skips it: PyTorch runs no AccumulateGrad there
        return self.variable.register_hook(prehook)

    def register_hook(self, fn):
        """Register ``fn(grad_inputs, grad_outputs)``, PyTorch's ``AccumulateGrad.register_hook``:
        ``backward()`` calls it with ``()`` and ``(g,)`` once the leaf's gradient of the pass
        has been accumulated into ``.grad`` (the hook data-parallel code uses to reduce a
        parameter's gradient as soon as it is ready). The leaf keeps it; ``grad()`` runs none.
        Returns a handle whose ``remove()`` unregisters it.

        Example::

            >>> import autograd_core as ag
            >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
            >>> y = w * 3
            >>> seen = []
            >>> h = y.grad_fn.next_functions[0][0].register_hook(
            ...     lambda gi, go: seen.append((gi, go[0].tolist(), w.grad.tolist())))
            >>> y.sum().backward()
            >>> seen
            [((), [3.0, 3.0], [3.0, 3.0])]
        """
        def posthook(leaf, g):
            res = fn((), (g if isinstance(g, Tensor) else Tensor._make(g, None, False),))
            if res is not None:
                _check_hook_tuple(fn, res, 0)
        posthook.accumulate_grad = True  # the engine passes it the gradient accumulated
        return self.variable.register_post_accumulate_grad_hook(posthook)

    def __repr__(self):
        return "<AccumulateGrad object>"
