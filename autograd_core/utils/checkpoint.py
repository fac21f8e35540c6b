"""Activation checkpointing, PyTorch's ``torch.utils.checkpoint``: trade compute for memory.

``checkpoint(function, *args, use_reentrant=...)`` runs ``function`` without recording its
intermediate results; backward runs it again (with the random generator's state of the first
run, so dropout draws the same mask) and back-propagates through that second run. The
parameters ``function`` uses get their gradients from that inner pass.

``use_reentrant=True`` is PyTorch's reentrant variant: the function runs under no_grad and
its backward back-propagates through the second run into its inputs and parameters; it does not
support ``autograd.grad`` or ``backward(inputs=...)`` through it, nor higher-order gradients
(each raises). ``use_reentrant=False`` (PyTorch's recommended variant) supports all three: the
first run is recorded only to find the tensors from outside the function that its result
depends on (its tensor arguments, the parameters and other tensors it reads), then its graph
is dropped; the checkpoint is one node with those tensors as inputs, whose backward runs the
function again and takes ``autograd.grad`` of the second run with respect to them (with
``create_graph`` when the outer pass has it). Keyword arguments are accepted, and when grad
mode is off the function runs as usual.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core.function import Function
from autograd_core.grad_mode import STATE, enable_grad, is_grad_enabled
from autograd_core.random import get_rng_state, set_rng_state
from autograd_core.tensor import Tensor, next_seq

__all__ = ["CheckpointError", "checkpoint", "checkpoint_sequential", "detach_variable",
           "noop_context_fn"]


class CheckpointError(RuntimeError):
    """A non-reentrant checkpoint's second run disagreeing with its first: an output of
    another shape or dtype (PyTorch's ``torch.utils.checkpoint.CheckpointError``)."""

_EXPLICIT = ("the use_reentrant parameter should be passed explicitly. Starting in PyTorch "
             "2.9, calling checkpoint without use_reentrant will raise an exception. "
             "use_reentrant=False is recommended, but if you need to preserve the current "
             "default behavior, you can pass use_reentrant=True. Refer to docs for more "
             "details on the differences between the two variants.")


def noop_context_fn() -> tuple[Any, Any]:
    """The default ``context_fn``: two context managers that do nothing.

    Example::

        >>> from autograd_core.utils.checkpoint import noop_context_fn
        >>> len(noop_context_fn())
        2
    """
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


class _Checkpoint(Function):
    """``function(*args)`` run under no_grad; backward runs it again with grad and the saved
    random state, and back-propagates through the second run."""

    @staticmethod
    def forward(ctx, function, preserve_rng_state, *args):
        ctx.function, ctx.rng = function, get_rng_state() if preserve_rng_state else None
        ctx.tensor_at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.args = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_at))
        return function(*args)

    @staticmethod
    def backward(ctx, *grads):
        create_graph, with_inputs = STATE.backward_pass or (False, False)
        if with_inputs:
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() "
                "or passing an `inputs` parameter to .backward(). To resolve this error, call "
                ".backward() without passing the `inputs` argument (tapegrad's checkpoint runs "
                "this variant for use_reentrant=False too).")
        if create_graph:
            raise RuntimeError("checkpoint: higher-order gradients through a checkpointed "
                               "function are not supported; run the function without "
                               "checkpoint to differentiate twice")
        args = list(ctx.args)
        for i, t in zip(ctx.tensor_at, ctx.saved_tensors):
            d = t.detach()
            d.requires_grad_(t.requires_grad)
            args[i] = d
        outer = get_rng_state() if ctx.rng is not None else None
        try:
            if ctx.rng is not None:
                set_rng_state(ctx.rng)
            with enable_grad():
                outs = ctx.function(*args)
        finally:
            if outer is not None:
                set_rng_state(outer)
        outs = outs if isinstance(outs, tuple) else (outs,)
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        from autograd_core.autograd import backward

        backward([o for o, _ in pairs], [g for _, g in pairs], retain_graph=True)
        return (None, None, *(a.grad if isinstance(a, Tensor) else None for a in args))


def _boundary(outs, first_seq, args):
    """The tensors from outside a function run (its nodes are numbered from ``first_seq`` on)
    that the graph of its outputs ``outs`` reaches: leaves requiring grad, and outputs of
    older nodes (the argument holding one, else a stand-in Tensor naming the node and output).
    In the order first found, arguments first."""
    found: dict[Any, Tensor] = {}
    for a in args:
        if isinstance(a, Tensor) and a.requires_grad:
            found.setdefault(id(a) if a.grad_fn is None else (a.grad_fn, a._out_idx), a)
    reached = []
    stack = [o.grad_fn for o in outs if o.grad_fn is not None and o.grad_fn._seq >= first_seq]
    seen = {id(n) for n in stack}
    while stack:
        node = stack.pop()
        edges = node.next or ()
        idxs = getattr(node, "next_idx", None) or (0,) * len(edges)
        for edge, idx in zip(edges, idxs):
            if edge is None:
                continue
            if isinstance(edge, Tensor):  # a leaf
                key: Any = id(edge)
                if key not in found:
                    found[key] = edge
                reached.append(key)
            elif edge._seq >= first_seq:  # inside the function
                if id(edge) not in seen:
                    seen.add(id(edge))
                    stack.append(edge)
            else:
                key = (edge, idx)
                if key not in found:
                    shape, dtype = (edge.out_meta[idx] if edge.n_outputs != 1
                                    else (edge._shape, edge._dtype))
                    stand_in = Tensor._make(np.zeros(shape, dtype), edge, True)
                    stand_in._out_idx = idx
                    found[key] = stand_in
                reached.append(key)
    for o in outs:  # an output that is itself an outside tensor (the function returned it)
        if o.requires_grad and (o.grad_fn is None or o.grad_fn._seq < first_seq):
            reached.append(id(o) if o.grad_fn is None else (o.grad_fn, o._out_idx))
            found.setdefault(reached[-1], o)
    keep = set(reached)
    return [t for key, t in found.items() if key in keep]


class _Recompute(Function):
    """``use_reentrant=False``: the outputs of a recorded run (whose graph is then dropped),
    with the outside tensors they depend on as inputs; backward runs the function again and
    differentiates the second run with respect to them."""

    @staticmethod
    def forward(ctx, function, rng, args, values, diff_at, *boundary):
        ctx.function, ctx.rng, ctx.args, ctx.boundary = function, rng, args, boundary
        ctx.diff_at, ctx.meta = diff_at, [_meta(v) for v in values]
        # PyTorch's version check: an argument changed in place since would be recomputed
        # from its new values (a silently wrong gradient)
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        return values if len(values) != 1 else values[0]

    @staticmethod
    def backward(ctx, *grads):
        ctx.saved_tensors  # noqa: B018 - raises if an argument was modified in place
        create_graph = (STATE.backward_pass or (False, False))[0]
        outer = get_rng_state() if ctx.rng is not None else None
        try:
            if ctx.rng is not None:
                set_rng_state(ctx.rng)
            with enable_grad():
                outs = ctx.function(*ctx.args)
        finally:
            if outer is not None:
                set_rng_state(outer)
        outs = outs if isinstance(outs, tuple) else (outs,)
        tensors = [o for o in outs if isinstance(o, Tensor)]
        for n, (k, meta) in enumerate(zip(ctx.diff_at, ctx.meta)):
            again = _meta(tensors[k]) if k < len(tensors) else None
            if again != meta:
                raise CheckpointError(
                    "torch.utils.checkpoint: Recomputed values for the following tensors have "
                    f"different metadata than during the forward pass.\noutput {n}:\nsaved "
                    f"metadata: {meta}\nrecomputed metadata: {again}\n.")
        pairs = [(tensors[k], g) for k, g in zip(ctx.diff_at, grads)
                 if tensors[k].requires_grad and g is not None]
        if not pairs:
            return (None,) * (5 + len(ctx.boundary))
        from autograd_core.autograd import grad

        got = grad([o for o, _ in pairs], list(ctx.boundary), [g for _, g in pairs],
                   retain_graph=create_graph, create_graph=create_graph, allow_unused=True)
        return (None, None, None, None, None, *got)


def _meta(t):
    return {"shape": t.shape, "dtype": t.dtype}


def _non_reentrant(function, preserve, args):
    rng = get_rng_state() if preserve else None
    first_seq = next_seq()
    versions = [a._version for a in args if isinstance(a, Tensor)]
    with enable_grad():
        result = function(*args)
    if versions != [a._version for a in args if isinstance(a, Tensor)]:
        # the function changed an argument in place: a second run (in backward) would start
        # from the changed values and write them again (a wrong gradient, and the argument
        # changed twice). The recorded run is kept instead, so the gradients are those
        # without a checkpoint (PyTorch's either need no second run or refuse).
        return result
    several = isinstance(result, tuple)
    outs = list(result) if several else [result]
    tensors = [o for o in outs if isinstance(o, Tensor)]
    # only the outputs that require grad go through the checkpoint node (PyTorch's: a detached
    # or integer output stays one that does not require grad)
    diff_at = tuple(k for k, o in enumerate(tensors) if o.requires_grad)
    boundary = _boundary([tensors[k] for k in diff_at], first_seq, args)
    if not boundary:
        return result  # nothing outside requires grad: nothing to recompute
    values = tuple(tensors[k].detach() for k in diff_at)
    places = [k for k, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
    for k, o in enumerate(outs):
        if isinstance(o, Tensor) and not o.requires_grad:
            outs[k] = o.detach()
    del result, tensors  # the recorded graph goes with them
    made = _Recompute.apply(function, rng, args, values, diff_at, *boundary)
    for k, t in zip(places, made if isinstance(made, tuple) else (made,)):
        outs[k] = t
    return tuple(outs) if several else outs[0]


def checkpoint(function: Callable, *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable = noop_context_fn, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` without keeping its intermediate results for backward:
    backward computes them again (see the module). ``preserve_rng_state=True`` (a keyword):
    the second run draws the first run's random numbers.

    Example::

        >>> import autograd_core as ag, nn
        >>> from autograd_core.utils.checkpoint import checkpoint
        >>> _ = ag.manual_seed(0)
        >>> block = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1))
        >>> x = ag.randn(3, 4, requires_grad=True)
        >>> checkpoint(block, x, use_reentrant=False).sum().backward()
        >>> x.grad.shape, block[0].weight.grad.shape
        (autograd_core.Size([3, 4]), autograd_core.Size([4, 4]))
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: " + _EXPLICIT, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        if is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad
                                         for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          UserWarning, stacklevel=2)
        return _Checkpoint.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    if kwargs:
        function = functools.partial(function, **kwargs)
    forward_ctx, _ = context_fn()
    with forward_ctx:
        if not is_grad_enabled():
            return function(*args)
        return _non_reentrant(function, preserve, args)


def checkpoint_sequential(functions: Any, segments: int, input: Tensor,
                          use_reentrant: bool | None = None, **kwargs: Any) -> Tensor:
    """Run the modules (or functions) of ``functions`` in order, in ``segments`` checkpointed
    chunks (the last chunk runs as usual).

    Example::

        >>> import autograd_core as ag, nn
        >>> from autograd_core.utils.checkpoint import checkpoint_sequential
        >>> _ = ag.manual_seed(0)
        >>> model = nn.Sequential(*[nn.Linear(3, 3) for _ in range(4)])
        >>> x = ag.randn(2, 3, requires_grad=True)
        >>> out = checkpoint_sequential(model, 2, x, use_reentrant=False)
        >>> bool(ag.allclose(out, model(x)))
        True
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: " + _EXPLICIT,
                      UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)


def detach_variable(inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """``inputs`` with each Tensor detached (a new leaf sharing its memory, requiring grad as
    the original did) and everything else as it is, as PyTorch's; a non-tuple raises.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.utils.checkpoint import detach_variable
        >>> x = ag.ones(2, requires_grad=True) * 2
        >>> y, n = detach_variable((x, 3))
        >>> y.is_leaf, y.requires_grad, n
        (True, True, 3)
    """
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            inp = x
        out.append(inp)
    return tuple(out)
