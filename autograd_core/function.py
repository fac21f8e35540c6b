"""``Function``: the public PyTorch-style API for user-defined ops (Tensor in, Tensor out),
built on the same node mechanism as the built-in ops (``autograd_core.node``).

Both of PyTorch's styles work: ``forward(ctx, *args)``, or ``forward(*args)`` with a separate
``setup_context(ctx, inputs, output)``. ``ctx`` offers ``save_for_backward``/``saved_tensors``,
``needs_input_grad``, ``mark_dirty``, ``mark_non_differentiable`` and
``set_materialize_grads``; ``once_differentiable`` wraps a backward that is not itself
differentiable."""

from __future__ import annotations

import functools
import inspect

import numpy as np

from autograd_core.grad_mode import STATE, enable_grad, no_grad
from autograd_core.node import FREED_MESSAGE, Node, Packed, check_forward
from autograd_core.node import record as record_node
from autograd_core.tensor import Tensor

LEAF_INPLACE_MESSAGE = "a leaf Variable that requires grad has been used in an in-place operation."


class FunctionCtx:
    """The ``ctx`` passed to ``Function.forward`` (or ``setup_context``) and ``Function.backward``.

    ``save_for_backward`` keeps tensors for backward (read back with ``saved_tensors``, which
    refuses if one was modified in place since); ``needs_input_grad`` says which inputs need a
    gradient; any other attribute may be set on it to pass non-tensor values to backward.

    Example::

        >>> import autograd_core as ag
        >>> class Scale(ag.Function):
        ...     @staticmethod
        ...     def forward(ctx, x, k):
        ...         ctx.k = k
        ...         return x * k
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         return g * ctx.k, None
        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> Scale.apply(x, 3.0).sum().backward()
        >>> x.grad
        tensor([3., 3.])
    """

    def __init__(self):
        self._saved = ()
        self._versions = ()
        self.needs_input_grad = ()
        self._freed = False
        self._dirty = ()
        self._non_differentiable = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors):
        """Keep ``tensors`` (Tensors or None) for backward; read them with ``saved_tensors``,
        which refuses if one of them was modified in place since."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is of type "
                    f"{type(t).__name__}"
                )
        hooks = STATE.saved_hooks
        self._saved = tensors if not hooks else Packed(
            tuple(None if t is None else t._data for t in tensors), tensors, hooks[-1])
        versions = []
        for t in tensors:
            if t is None:
                versions.append(None)
                continue
            if t._vc is None:
                t._vc = [0]
            versions.append((t._vc, t._vc[0]))
        self._versions = tuple(versions)

    @property
    def saved_tensors(self):
        """What ``save_for_backward`` kept (a tuple)."""
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        saved = self._saved
        if type(saved) is Packed:
            saved = saved.unpack_tensors()
        for t, v in zip(saved, self._versions):
            if v is not None and v[0][0] != v[1]:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: [{type(t).__name__} of shape {list(t.shape)}] is "
                    f"at version {v[0][0]}; expected version {v[1]} instead."
                )
        return saved

    def mark_dirty(self, *args):
        """Declare the input Tensors that forward modified in place (and returns)."""
        self._dirty = args

    def mark_non_differentiable(self, *args):
        """Declare outputs that get no gradient (e.g. indices): they do not require grad, and
        backward receives zeros (or None without materialized grads) for them."""
        self._non_differentiable = args

    def set_materialize_grads(self, value):
        """Whether backward receives zeros (default) or None for outputs without gradient."""
        self.materialize_grads = bool(value)


def _user_backward(cls):
    """The user's vector-Jacobian product of a ``Function`` subclass: its ``backward``, or its
    ``vjp`` (PyTorch's other name for it); both is refused, as PyTorch's."""
    bw, vjp = cls.backward, cls.vjp
    if vjp is Function.vjp:
        return bw
    if bw is not Function.backward:
        raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not "
                           "allowed. You should only implement one of them.")
    return vjp


class _FunctionNode(Node):
    """Graph node wrapping a user ``Function``."""

    def name(self):
        return f"{self.fn_cls.__name__}Backward"

    @property
    def saved_tensors(self):
        """What the Function's ``ctx.save_for_backward`` kept (``grad_fn.saved_tensors``, as
        PyTorch's custom nodes give it)."""
        return self.ctx.saved_tensors

    def backward(self, *grads):
        ctx = self.ctx
        if self.non_tensor_outputs:  # PyTorch gives None for a forward result that is no Tensor
            grads = tuple(None if i in self.non_tensor_outputs else g
                          for i, g in enumerate(grads))
        if self.differentiable:
            with enable_grad():
                res = _user_backward(self.fn_cls)(ctx, *grads)
        else:
            wrapped = [None if g is None else Tensor._make(g, None, False) for g in grads]
            with no_grad():
                res = _user_backward(self.fn_cls)(ctx, *wrapped)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self.next)
        if len(res) < n or any(r is not None for r in res[n:]):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{n}, got {len(res)})"
            )
        out = []
        for r, e in zip(res[:n], self.next):
            if r is None or e is None:
                out.append(None)
            elif self.differentiable:
                out.append(r if isinstance(r, Tensor) else Tensor._make(np.asarray(r), None, False))
            else:
                out.append(r._data if isinstance(r, Tensor) else np.asarray(r))
        return tuple(out)

    #: the user's backward is the rule for complex values too (PyTorch's contract)
    complex_backward = backward

    def _release(self):
        ctx = self.ctx
        if ctx._saved:  # a Function that saved nothing can run again, as in PyTorch
            ctx._freed = True
        ctx._saved = ctx._versions = ()  # drop the references: the memory goes now


def _uses_setup_context(cls):
    return getattr(cls, "setup_context", None) is not _SingleLevelFunction.setup_context


@functools.lru_cache(maxsize=512)
def _forward_signature(forward, setup):
    """The signature ``apply`` binds its arguments to: forward's, past ``ctx`` unless the
    Function has a ``setup_context`` (cached: ``inspect.signature`` costs ~20 us a call)."""
    params = inspect.signature(forward)
    if setup:
        return params
    return params.replace(parameters=list(params.parameters.values())[1:])


class _SingleLevelFunction:
    @staticmethod
    def setup_context(ctx, inputs, output):
        """Save for backward from ``inputs`` (the arguments of apply) and ``output`` (what
        forward returned); define it together with a ``forward`` that takes no ctx."""
        raise NotImplementedError


class Function(_SingleLevelFunction):
    """Base class of user-defined differentiable ops, as ``torch.autograd.Function``.

    Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` (or a
    ``forward(*args)`` without ctx plus ``setup_context(ctx, inputs, output)``), and call
    ``MyFn.apply(*args)``. ``forward`` receives Tensors (recording off) and returns a Tensor or
    a tuple; ``backward`` receives one gradient per output and returns one per forward input
    (None where there is none). Under ``create_graph=True`` backward runs with recording on, so
    it can be differentiated again if it is written with tensor ops.

    Example::

        >>> import autograd_core as ag
        >>> class Square(ag.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * grad
        >>> x = ag.tensor([3.0], requires_grad=True)
        >>> y = Square.apply(x)
        >>> y.backward()
        >>> x.grad
        tensor([6.])
    """

    @staticmethod
    def forward(*args, **kwargs):
        """The computation, on Tensors (nothing is recorded inside it)."""
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """The vector-Jacobian product: one gradient per forward input."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD.")

    vjp = backward

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward and, when an input Tensor requires grad and grad mode is on, record a
        node whose backward is ``cls.backward``."""
        ctx = FunctionCtx()
        setup = _uses_setup_context(cls)
        if kwargs or setup:  # as PyTorch, keywords bind to forward's parameters: a Tensor
            # passed by keyword is an input like any other (it was not looked at: no graph),
            # and setup_context sees the arguments positionally, defaults included; a
            # keyword-only parameter stays a keyword, a *args parameter spreads
            bound = _forward_signature(cls.forward, setup).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        record = STATE.enabled and any(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            if setup:
                result = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, result)
            else:
                result = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        tensor_outs = [o for o in outs if isinstance(o, Tensor)]
        if STATE.anomaly and STATE.anomaly is not True:  # ag.compile's tracer
            STATE.anomaly.on_function(cls)
        elif STATE.anomaly and tensor_outs:
            node_for_msg = _FunctionNode.__new__(_FunctionNode)
            check_forward(node_for_msg, tuple(o._data for o in tensor_outs))
        dirty = ctx._dirty
        for t in dirty:
            if not any(t is o for o in outs):
                raise RuntimeError(
                    "Some elements marked as dirty during the forward method were not returned "
                    "as output. The inputs that are modified inplace must all be outputs of the "
                    "Function.")
            if record and t.requires_grad and t.grad_fn is None:
                raise RuntimeError(LEAF_INPLACE_MESSAGE)
            if record and t._base is not None:  # (PyTorch's rules for an in-place change
                _view_changed_check(t)             # of a view)
            t._bump_version()
        # as PyTorch, the saved tensors' versions are those at the end of forward (after the
        # dirty inputs' bump): saving a tensor that forward then modifies in place is fine
        ctx._versions = tuple(None if v is None else (v[0], v[0][0]) for v in ctx._versions)
        if not record or not tensor_outs:
            return result
        node = _FunctionNode.__new__(_FunctionNode)
        node.fn_cls = cls
        node.ctx = ctx
        node.needs_input_grad = ctx.needs_input_grad
        node.materialize_grads = ctx.materialize_grads
        node._to_save = ()
        record_node(node, args, ())
        node._saved = (ctx,)  # non-empty, so the engine calls _release after backward
        node.n_outputs = len(outs)
        node.non_tensor_outputs = frozenset(
            i for i, o in enumerate(outs) if not isinstance(o, Tensor))
        node.out_meta = tuple(
            (o.shape, o.dtype) if isinstance(o, Tensor) else ((), np.dtype(np.float64))
            for o in outs)
        node._shape, node._dtype = node.out_meta[0]
        non_diff = ctx._non_differentiable
        final = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                final.append(o)
                continue
            if any(o is t for t in non_diff) or o.dtype.kind not in "fc":  # (integer and
                if any(o is a for a in args):                        # bool: never differentiable)
                    o = Tensor._make(o._data, None, False)
                o._requires_grad = False
                o.grad_fn = None
                final.append(o)
                continue
            if any(o is a for a in args) and not any(o is t for t in dirty):
                o = Tensor._make(o._data, None, False)  # an input returned as is: a new Tensor
            o.grad_fn = node
            o._requires_grad = True
            o._out_idx = i
            if o._base is not None and not any(o is t for t in dirty):
                # a view made by forward: in-place changes of it would bypass backward: refused
                o._view_meta = (cls.__name__, i, "function", True)
                # (and so is a gradient through it once its base changed: forward made it
                # without recording, so the base did not know it)
                from autograd_core.ops.shape import track_view  # (ops import this module)

                track_view(o._base, o)
            final.append(o)
        for t in dirty:  # views taken of a dirty input before: re-read from its new value
            if t._base is not None:  # a view: its base's new value is recorded, as after any
                _base_changed_through(t)  # in-place change of a view (PyTorch's CopySlices)
            elif t.__dict__.get("_views"):
                from autograd_core.ops.inplace import _regenerate_views  # (ops import this)

                _regenerate_views(t)
        return final[0] if single else tuple(final)


def _view_changed_check(t):
    """Refuse, in PyTorch's words, a Function's in-place change of the view ``t`` where
    PyTorch refuses one (a view of a leaf that requires grad, a multi-output view, ...)."""
    from autograd_core.ops.inplace import _refuse_view_write  # (ops import this module)

    _refuse_view_write(t)
    base = t._base
    if base.requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


def _base_changed_through(t):
    """After a Function changed the view ``t`` in place (its output, recorded): record the
    base's new value as the old one with ``t``'s elements from that output, and re-read every
    view of the base from it, ``t`` included (``inplace``'s steps for a view)."""
    from autograd_core.ops import inplace  # (ops import this module)

    base = t._base
    inplace._rerecord(base, inplace._put_view(base, t, t))
    if all(v is not t for v in inplace._regenerate_views(base)):  # t made under no_grad
        inplace._rerecord(t, inplace._read_view(base, t))


class _DelayedError(Function):
    """Identity whose backward refuses: marks results of a once-differentiable backward."""

    @staticmethod
    def forward(ctx, msg, *grads):
        ctx.msg = msg
        out = tuple(Tensor._make(np.array(g._data, copy=True), None, False) for g in grads)
        return out[0] if len(out) == 1 else out

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(ctx.msg)


def once_differentiable(fn):
    """Decorate a ``Function.backward`` that is not differentiable itself.

    The backward runs without recording; differentiating its results again (under
    ``create_graph=True``) raises PyTorch's error instead of giving a wrong answer silently.

    Args:
        fn (callable): the ``backward(ctx, *grads)`` staticmethod's function.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.function import once_differentiable
        >>> class Cube(ag.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     @once_differentiable
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         return g * 3 * x ** 2
        >>> x = ag.tensor([2.0], requires_grad=True)
        >>> Cube.apply(x).backward()
        >>> x.grad
        tensor([12.])
    """

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        with no_grad():
            outputs = fn(ctx, *grads)
        if not STATE.enabled or not any(isinstance(g, Tensor) and g.requires_grad
                                        for g in grads):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        idx = [i for i, o in enumerate(outs) if isinstance(o, Tensor)]
        if not idx:
            return outputs
        marked = _DelayedError.apply(
            "trying to differentiate twice a function that was marked with "
            "@once_differentiable", *[grads[0]] + [outs[i] for i in idx])
        marked = marked if isinstance(marked, tuple) else (marked,)
        outs = list(outs)
        for i, m in zip(idx, marked[1:]):
            outs[i] = m
        return outs[0] if single else tuple(outs)

    wrapper.once_differentiable = True  # type: ignore[attr-defined]  # forward AD refuses it
    return wrapper
