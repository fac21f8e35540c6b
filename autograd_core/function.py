"""``Function``: the public PyTorch-style API for user-defined ops (Tensor in, Tensor out),
built on the same node mechanism as the built-in ops (``autograd_core.node``)."""

from __future__ import annotations

import numpy as np

from autograd_core.grad_mode import STATE, enable_grad, no_grad
from autograd_core.node import FREED_MESSAGE, Node, check_forward
from autograd_core.node import record as record_node
from autograd_core.tensor import Tensor


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
            raise RuntimeError(FREED_MESSAGE)
        for t, v in zip(self._saved, self._versions):
            if v is not None and v[0][0] != v[1]:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: version {v[0][0]}, expected {v[1]}"
                )
        return self._saved


class _FunctionNode(Node):
    """Graph node wrapping a user ``Function``."""

    def name(self):
        return f"{self.fn_cls.__name__}Backward"

    def backward(self, *grads):
        ctx = self.ctx
        if ctx._freed:
            raise RuntimeError(FREED_MESSAGE)
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
            check_forward(node_for_msg, tuple(o.data for o in outs))
        if not record:
            return result
        node = _FunctionNode.__new__(_FunctionNode)
        node.fn_cls = cls
        node.ctx = ctx
        node.needs_input_grad = ctx.needs_input_grad
        node._to_save = ()
        record_node(node, args, tuple(o.data for o in outs))
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
