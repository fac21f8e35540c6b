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

import traceback

import numpy as np

from autograd_core.grad_mode import STATE
from autograd_core.tensor import Tensor

# Marker in ``_saved_refs`` for a saved forward *output* (re-wrapped on demand, so the node never
# holds a reference to its own output Tensor and no reference cycle forms).
_OUTPUT = object()
FREED = object()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to access saved tensors after they "
    "were freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a "
    "second time or to access saved tensors after calling backward."
)

_new = object.__new__
_make = Tensor._make


class Node:
    """Base class of graph nodes; see the module docstring."""

    #: number of outputs of forward (a tuple when > 1)
    n_outputs = 1
    #: set by the engine while it runs ``backward`` under create_graph (saved values as Tensors)
    differentiable = False
    _saved = ()
    _saved_refs = ()
    _saved_versions = None
    _pre_hooks = None
    _trace = None
    _to_save = ()  # what forward passed to save_for_backward, until apply resolves it
    fused_backward = None

    # Set up by apply: ``next``, one entry per positional input: None (no gradient needed) or
    # (target, out_index, shape, dtype) where target is a leaf Tensor (index -1) or a Node;
    # ``needs_input_grad``, a tuple of bools.

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # what the engine calls in plain backward: the fused kernel where the op has one
        cls.plain_backward = cls.fused_backward or cls.backward

    def backward(self, *grads):  # pragma: no cover - every op defines it
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    def save_for_backward(self, *arrays):
        """Keep arrays for backward. Inputs and the output are recognised by identity, so that
        under ``create_graph`` they come back as the connected Tensors."""
        self._to_save = arrays

    # ---- the rule's view of saved values ---------------------------------------------------
    @property
    def saved(self):
        """What forward saved: arrays in plain backward, Tensors under ``create_graph``."""
        saved = self._saved
        if self._saved_versions is None and not self.differentiable and saved is not FREED:
            return saved
        return self._unpack_saved()

    def _release(self):
        """Free what forward saved (after backward, unless retain_graph)."""
        self._saved = FREED
        self._saved_refs = None

    def _unpack_saved(self):
        saved = self._saved
        if saved is FREED:
            raise RuntimeError(FREED_MESSAGE)
        versions = self._saved_versions
        if versions is not None:
            for entry in versions:
                if entry is not None and entry[0][0] != entry[1]:
                    raise RuntimeError(
                        f"one of the variables needed for gradient computation by "
                        f"{type(self).__name__}Backward has been modified by an inplace "
                        f"operation: its version is now {entry[0][0]}, expected {entry[1]}. "
                        "Use an out-of-place operation (x = x * 2 instead of x *= 2) or "
                        ".clone() the tensor before modifying it."
                    )
        if not self.differentiable:
            return saved
        out = []
        for arr, ref in zip(saved, self._saved_refs):
            if ref is None:
                # constants: non-differentiable arrays (masks, indices), scalars, None
                out.append(_make(arr, None, False) if isinstance(arr, np.ndarray) else arr)
            elif ref is _OUTPUT:
                out.append(_make(arr, self, True))
            else:
                out.append(ref)
        return tuple(out)

    def name(self) -> str:
        return f"{type(self).__name__}Backward0"

    def __repr__(self):
        return f"<{self.name()} object>"

    @property
    def next_functions(self):
        """PyTorch-style view of the edges: ((node or AccumulateGrad, index) or (None, 0), ...)."""
        out = []
        for e in self.next:
            if e is None:
                out.append((None, 0))
            elif e[1] >= 0:
                out.append((e[0], e[1]))
            else:
                out.append((AccumulateGrad(e[0]), 0))
        return tuple(out)

    def register_hook(self, fn):
        raise NotImplementedError("register hooks on tensors (tensor.register_hook)")

    # ---- recording -------------------------------------------------------------------------
    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on the arrays of ``args`` and, when grad mode is on and any Tensor
        argument requires grad, record a node. Non-Tensor arguments are constants."""
        node = _new(cls)
        record = False
        arrays = []
        if STATE.enabled:
            # one pass: arrays for forward, and the edges the node would get
            needs = []
            edges = []
            for a in args:
                if isinstance(a, Tensor):
                    data = a.data
                    arrays.append(data)
                    if a.requires_grad:
                        record = True
                        needs.append(True)
                        fn = a.grad_fn
                        if fn is None:  # a leaf: index -1 marks "accumulate into .grad"
                            edges.append((a, -1, data.shape, data.dtype))
                        else:
                            edges.append((fn, a._out_idx, data.shape, data.dtype))
                        continue
                else:
                    arrays.append(a)
                needs.append(False)
                edges.append(None)
            node.needs_input_grad = tuple(needs)
        else:
            for a in args:
                arrays.append(a.data if isinstance(a, Tensor) else a)
            node.needs_input_grad = (False,) * len(args)
        out = node.forward(*arrays, **kwargs)

        if cls.n_outputs == 1:
            raw = out
            if type(out) is not np.ndarray:
                out = np.asarray(out)  # numpy gives 0-d results as scalars
            if STATE.anomaly:
                check_forward(node, (out,))
            if not record:
                return _make(out, None, False)
            node.next = tuple(edges)
            if node._to_save:
                save(node, args, (out,), (raw,))
            elif STATE.anomaly:
                node._trace = _stack()
            return _make(out, node, True)

        outs = tuple(o if type(o) is np.ndarray else np.asarray(o) for o in out)
        if STATE.anomaly:
            check_forward(node, outs)
        if not record:
            return tuple(_make(o, None, False) for o in outs)
        node.next = tuple(edges)
        save(node, args, outs, tuple(out))
        node.out_meta = tuple((o.shape, o.dtype) for o in outs)
        results = []
        for i, o in enumerate(outs):
            t = _make(o, node, True)
            t._out_idx = i
            results.append(t)
        return tuple(results)


def _stack():
    return "".join(traceback.format_stack(limit=12)[:-3])


def save(node, args, outs, raw_outs):
    """Resolve what forward saved: outputs and inputs by identity (so create_graph can hand
    back the connected Tensors), everything else as constants; snapshot input versions."""
    to_save = node._to_save
    if to_save:
        node._to_save = ()  # from here on only _saved holds them (freed by _release)
        saved = list(to_save)
        refs = [None] * len(to_save)
        versions = None
        for k, arr in enumerate(to_save):
            if arr is None:
                continue
            for j, o in enumerate(outs):
                if arr is o or arr is raw_outs[j]:
                    refs[k] = _OUTPUT
                    saved[k] = o
                    break
            else:
                for a in args:
                    if isinstance(a, Tensor) and a.data is arr:
                        refs[k] = a
                        vc = a._version
                        if vc is None:
                            vc = a._version = [0]
                        if versions is None:
                            versions = [None] * len(to_save)
                        versions[k] = (vc, vc[0])
                        break
        node._saved = tuple(saved)
        node._saved_refs = refs
        node._saved_versions = versions
    if STATE.anomaly:
        node._trace = _stack()


def record(node, args, outs, raw_outs=None):
    """Record ``node`` for inputs ``args`` and arrays ``outs`` (used by Function.apply)."""
    edges = []
    for a, need in zip(args, node.needs_input_grad):
        if not need:
            edges.append(None)
        else:
            data = a.data
            fn = a.grad_fn
            if fn is None:
                edges.append((a, -1, data.shape, data.dtype))
            else:
                edges.append((fn, a._out_idx, data.shape, data.dtype))
    node.next = tuple(edges)
    save(node, args, outs, raw_outs if raw_outs is not None else outs)


def check_forward(node, outs):
    for o in outs:
        if o.dtype.kind in "fc" and not np.all(np.isfinite(o)):
            where = "".join(traceback.format_stack(limit=10)[:-3])
            kind = "nan" if np.isnan(o).any() else "inf"
            raise RuntimeError(
                f"detect_anomaly: function '{type(node).__name__}' produced {kind} values in "
                f"its forward output (shape {o.shape}).\nRecorded at:\n{where}"
            )


class AccumulateGrad:
    """Stand-in node for a leaf in ``next_functions`` (inspection only)."""

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad object>"
