"""Graph nodes.

``Op`` is the base of every built-in operation. Its ``forward`` runs on raw numpy arrays; an
instance of the op *is* the graph node (``tensor.grad_fn``), holding the edges to its inputs and
what forward chose to save.

``backward(self, *grads)`` is written once and runs in two modes:

* plain backward (``create_graph=False``): grads and ``self.saved`` are numpy arrays and rules
  may call fused kernels; nothing is recorded;
* ``create_graph=True``: grads and ``self.saved`` are Tensors connected to the graph, the rule
  runs with recording on, so its result can be differentiated again. A rule that uses a fused
  kernel in plain mode gives the composite expression for this mode (``self.differentiable``).

``Function`` is the public PyTorch-style API for user-defined ops (Tensor in, Tensor out), built
on the same node mechanism.
"""

from __future__ import annotations

import traceback

import numpy as np

from autograd_core.grad_mode import STATE, enable_grad, no_grad

# Marker in ``_saved_refs`` for a saved forward *output* (re-wrapped on demand, so the node never
# holds a reference to its own output Tensor and no reference cycle forms).
_OUTPUT = object()
_FREED = object()

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to access saved tensors after they "
    "were freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a "
    "second time or to access saved tensors after calling backward."
)


class Op:
    """Base class of graph nodes. Subclasses define ``forward(self, *arrays, **kw)`` and
    ``backward(self, *grads)``; see the module docstring."""

    #: number of outputs of forward (a tuple when > 1)
    n_outputs = 1
    #: True while backward runs under create_graph (saved values and grads are Tensors)
    differentiable = False
    _saved = ()
    _saved_refs = ()
    _saved_versions = None
    _pre_hooks = None
    _trace = None
    _to_save = ()  # what forward passed to save_for_backward, until apply resolves it

    # ---- set up by apply -------------------------------------------------------------------
    # next: tuple, one entry per positional input: None (no gradient needed) or
    #       (target, out_index, shape, dtype) where target is a leaf Tensor or an Op node
    # needs_input_grad: tuple of bools
    # _saved / _saved_refs / _saved_versions: what forward saved (see save_for_backward)

    def save_for_backward(self, *arrays):
        """Keep arrays for backward. Inputs and the output are recognised by identity, so that
        under ``create_graph`` they come back as the connected Tensors."""
        self._to_save = arrays

    # ---- the rule's view of saved values ---------------------------------------------------
    @property
    def saved(self):
        """What forward saved: arrays in plain backward, Tensors under ``create_graph``."""
        saved = self._saved
        if self._saved_versions is None and not self.differentiable and saved is not _FREED:
            return saved
        return self._unpack_saved()

    def _release(self):
        """Free what forward saved (after backward, unless retain_graph)."""
        self._saved = _FREED
        self._saved_refs = None

    def _unpack_saved(self):
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(_FREED_MESSAGE)
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
                out.append(Tensor._make(arr, None, False) if isinstance(arr, np.ndarray) else arr)
            elif ref is _OUTPUT:
                t = Tensor._make(arr, self, True)
                out.append(t)
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
                _check_forward(node, (out,))
            if not record:
                return _make(out, None, False)
            node.next = tuple(edges)
            if node._to_save:
                _save(node, args, (out,), (raw,))
            elif STATE.anomaly:
                node._trace = _stack()
            return _make(out, node, True)

        outs = tuple(o if type(o) is np.ndarray else np.asarray(o) for o in out)
        if STATE.anomaly:
            _check_forward(node, outs)
        if not record:
            return tuple(_make(o, None, False) for o in outs)
        node.next = tuple(edges)
        _save(node, args, outs, tuple(out))
        node.out_meta = tuple((o.shape, o.dtype) for o in outs)
        results = []
        for i, o in enumerate(outs):
            t = _make(o, node, True)
            t._out_idx = i
            results.append(t)
        return tuple(results)


_new = object.__new__
Tensor = None  # set by autograd_core.tensor once the class exists (avoids an import cycle)
_make = None


def _stack():
    return "".join(traceback.format_stack(limit=12)[:-3])


def _save(node, args, outs, raw_outs):
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


def _record(node, args, outs, raw_outs=None):
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
    _save(node, args, outs, raw_outs if raw_outs is not None else outs)


def _check_forward(node, outs):
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


# ---------------------------------------------------------------------------------------------
# Public user-defined functions
# ---------------------------------------------------------------------------------------------


class FunctionCtx:
    """The ``ctx`` passed to ``Function.forward``/``backward``."""

    def __init__(self):
        self._saved = ()
        self._versions = ()
        self.needs_input_grad = ()
        self._freed = False

    def save_for_backward(self, *tensors):
        self._saved = tensors
        versions = []
        for t in tensors:
            if hasattr(t, "_version"):
                if t._version is None:
                    t._version = [0]
                versions.append((t._version, t._version[0]))
            else:
                versions.append(None)
        self._versions = tuple(versions)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        for t, v in zip(self._saved, self._versions):
            if v is not None and v[0][0] != v[1]:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: version {v[0][0]}, expected {v[1]}"
                )
        return self._saved


class _FunctionNode(Op):
    """Graph node wrapping a user ``Function``."""

    def name(self):
        return f"{self.fn_cls.__name__}Backward"

    def backward(self, *grads):
        from autograd_core.tensor import Tensor

        ctx = self.ctx
        if ctx._freed:
            raise RuntimeError(_FREED_MESSAGE)
        if self.differentiable:
            with enable_grad():
                res = self.fn_cls.backward(ctx, *grads)
        else:
            wrapped = [Tensor._make(g, None, False) for g in grads]
            with no_grad():
                res = self.fn_cls.backward(ctx, *wrapped)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self.next)
        if len(res) < n:
            raise RuntimeError(
                f"function {self.fn_cls.__name__}.backward returned {len(res)} gradients, "
                f"expected {n} (one per forward input)"
            )
        res = res[:n]
        out = []
        for r in res:
            if r is None:
                out.append(None)
            elif self.differentiable:
                out.append(r if isinstance(r, Tensor) else Tensor._make(np.asarray(r), None, False))
            else:
                out.append(r.data if isinstance(r, Tensor) else np.asarray(r))
        return tuple(out)

    def _release(self):
        ctx = self.ctx
        ctx._freed = True
        ctx._saved = ctx._versions = ()  # drop the references: the memory goes now


class Function:
    """User-defined op, as ``torch.autograd.Function``::

        class Square(ag.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x
            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * grad

        y = Square.apply(x)

    ``forward`` receives Tensors (recording off) and returns a Tensor or a tuple of Tensors;
    ``backward`` receives one gradient Tensor per output and returns one per forward input
    (``None`` where there is none). Under ``create_graph=True`` backward runs with recording
    on, so it can be differentiated again if it is written with tensor ops.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        from autograd_core.tensor import Tensor

        ctx = FunctionCtx()
        record = STATE.enabled and any(
            isinstance(a, Tensor) and a.requires_grad for a in args
        )
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        for o in outs:
            if not isinstance(o, Tensor):
                raise TypeError(
                    f"{cls.__name__}.forward must return a Tensor or a tuple of Tensors, "
                    f"got {type(o).__name__}"
                )
        if STATE.anomaly:
            node_for_msg = _FunctionNode.__new__(_FunctionNode)
            _check_forward(node_for_msg, tuple(o.data for o in outs))
        if not record:
            return result
        node = _FunctionNode.__new__(_FunctionNode)
        node.fn_cls = cls
        node.ctx = ctx
        node.needs_input_grad = ctx.needs_input_grad
        node._to_save = ()
        _record(node, args, tuple(o.data for o in outs))
        node._saved = (ctx,)  # non-empty, so the engine calls _release after backward
        node.n_outputs = len(outs)
        node.out_meta = tuple((o.shape, o.dtype) for o in outs)
        final = []
        for i, o in enumerate(outs):
            if any(o is a for a in args):  # forward returned an input: give a new Tensor
                o = Tensor._make(o.data, None, False)
            o.grad_fn = node
            o.requires_grad = True
            o._out_idx = i
            final.append(o)
        return final[0] if single else tuple(final)
