"""Module backward hooks (``register_full_backward_hook`` / ``register_full_backward_pre_hook``).

As PyTorch does, a call of a module with such hooks passes the tensors among its positional
arguments, and those among the top level of its output, through an identity autograd Function
each. In the backward pass the outputs' identity node sees the gradients of the outputs (the
pre-hooks run there and may replace them), and the inputs' identity node sees the gradients of
the inputs, once all of them are summed; the full hooks run there, with both, and may replace
the input gradients. When no input requires grad, the full hooks run at the outputs' node with
``grad_input`` all None (and must return None)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.function import Function
from autograd_core.grad_mode import is_grad_enabled


#: the global hooks every Module runs before its own (``nn.modules.module``'s
#: ``register_module_full_backward_hook`` / ``register_module_full_backward_pre_hook``); a
#: call takes the ones registered when it runs, as PyTorch's
GLOBAL_FULL: dict[int, Any] = {}
GLOBAL_PRE: dict[int, Any] = {}

#: PyTorch's warning when the full hooks run at the outputs (no input requires grad)
_NO_INPUT_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


class _State:
    """One call's bookkeeping: the module, the argument counts and the output gradients."""

    def __init__(self, module: Any, n_inputs: int) -> None:
        self.module = module
        self.n_inputs = n_inputs
        self.n_outputs = 0
        self.input_index: list[int] | None = None
        self.output_index: list[int] = []
        # set by the outputs' node, cleared once the full hooks ran: None at the inputs' node
        # means the gradient did not come through the outputs (a double backward, or outputs
        # that are not top-level tensors), and PyTorch then skips the hooks
        self.grad_outputs: tuple | None = None
        # (position, shape, dtype) of each tensor input that does not require grad: the full
        # hooks see zeros there, as PyTorch's (its hook node takes every tensor input)
        self.zero_inputs: list[tuple[int, tuple, Any]] = []
        self.global_full = list(GLOBAL_FULL.values())
        self.global_pre = list(GLOBAL_PRE.values())

    def full_hooks(self) -> list:
        return [*self.global_full, *self.module.__dict__.get("_backward_hooks", {}).values()]

    def pre_hooks(self) -> list:
        return [*self.global_pre, *self.module.__dict__.get("_backward_pre_hooks", {}).values()]


def _pack(index: list[int], values: Any, size: int) -> tuple:
    out: list[Any] = [None] * size
    for i, v in zip(index, values):
        out[i] = v
    return tuple(out)


def _replacement(res: Any, before: tuple, what: str) -> tuple:
    """A hook's replacement gradients checked as PyTorch's: a sequence (a bare Tensor returned
    in place of a tuple is read as its rows, never taken as the one gradient) of as many
    gradients as ``before``, each a Tensor of its gradient's dtype and shape (a wrongly shaped
    one was summed or broadcast to the input's shape: a silently wrong gradient)."""
    res = tuple(res) if isinstance(res, (tuple, list, Tensor)) else (res,)
    if len(res) != len(before):
        raise RuntimeError(f"Backward {what} returned an invalid number of grad_"
                           f"{'output' if 'pre' in what else 'input'}, got {len(res)}, but "
                           f"expected {len(before)}")
    for new, old in zip(res, before):
        if new is None or old is None:
            continue
        if not isinstance(new, Tensor):
            raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
        if new.dtype != old.dtype:
            raise RuntimeError(f"hook 'hook' has changed the type of value (was {old.type()} "
                               f"got {new.type()})")
        if new.shape != old.shape:
            raise RuntimeError("hook 'hook' has changed the size of value")
    return res


def _run_full_hooks(state: _State, grad_inputs: tuple) -> tuple | None:
    """The full hooks in order, each seeing the previous one's replacement; None if unchanged."""
    module = state.module
    changed = None
    for hook in state.full_hooks():
        res = hook(module, grad_inputs, state.grad_outputs)
        if res is None:
            continue
        if state.input_index is None:
            if not (isinstance(res, tuple) and all(r is None for r in res)):
                raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                   "should always return None or None for all gradients.")
            continue
        grad_inputs = changed = _replacement(res, grad_inputs, "hook")
    return changed


class _OutputsHook(Function):
    @staticmethod
    def forward(ctx, state, *tensors):
        ctx.state = state
        ctx.set_materialize_grads(False)
        return tensors[0] if len(tensors) == 1 else tensors

    @staticmethod
    def backward(ctx, *grads):
        state = ctx.state
        module = state.module
        grad_outputs = _pack(state.output_index, grads, state.n_outputs)
        for hook in state.pre_hooks():
            res = hook(module, grad_outputs)
            if res is None:
                continue
            grad_outputs = _replacement(res, grad_outputs, "pre hook")
        state.grad_outputs = grad_outputs
        if state.input_index is None and state.full_hooks():
            warnings.warn(_NO_INPUT_WARNING, stacklevel=2)
            _run_full_hooks(state, (None,) * state.n_inputs)
            state.grad_outputs = None
        return (None, *(grad_outputs[i] for i in state.output_index))


class _InputsHook(Function):
    # (grads materialized: an input the outputs do not depend on gets zeros, as PyTorch's)
    @staticmethod
    def forward(ctx, state, *tensors):
        ctx.state = state
        return tensors[0] if len(tensors) == 1 else tensors

    @staticmethod
    def backward(ctx, *grads):
        state = ctx.state
        if state.grad_outputs is None:
            return (None, *grads)
        index = state.input_index or []
        grad_inputs = _pack(index, grads, state.n_inputs)
        if state.zero_inputs:
            filled = list(grad_inputs)
            for i, shape, dtype in state.zero_inputs:
                filled[i] = Tensor._make(np.zeros(shape, dtype), None, False)
            grad_inputs = tuple(filled)
        res = _run_full_hooks(state, grad_inputs)
        state.grad_outputs = None
        if res is not None:
            grads = tuple(res[i] for i in index)
        return (None, *grads)


def _wrap(fn: type[Function], state: _State, values: tuple) -> tuple[tuple, list[int] | None]:
    """``values`` with its tensors that require grad passed through ``fn`` (one node)."""
    index = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
    if not index or not is_grad_enabled():
        return values, None
    new = fn.apply(state, *(values[i] for i in index))
    new = new if isinstance(new, tuple) else (new,)
    out = list(values)
    for i, v in zip(index, new):
        out[i] = v
    return tuple(out), index


def wrap_inputs(module: Any, args: tuple) -> tuple[tuple, _State]:
    state = _State(module, len(args))
    if state.full_hooks():  # pre-hooks alone need no input node
        args, state.input_index = _wrap(_InputsHook, state, args)
        if state.input_index is not None:
            state.zero_inputs = [(i, a._data.shape, a._data.dtype) for i, a in enumerate(args)
                                 if isinstance(a, Tensor) and not a.requires_grad]
    return args, state


def wrap_outputs(state: _State, out: Any) -> Any:
    single = not isinstance(out, tuple)
    values = (out,) if single else out
    state.n_outputs = len(values)
    new, index = _wrap(_OutputsHook, state, values)
    if index is None:
        return out
    state.output_index = index
    return new[0] if single else type(out)(new) if type(out) is tuple else type(out)(*new)


# ---- register_backward_hook (deprecated in PyTorch): hooks on the node that made the output ---

_FUTURE = " is deprecated and will be removed in future versions. This hook will be missing "
_USE_FULL = " Please use register_full_backward_hook to get the documented behavior."


def _tensors(values: Any) -> tuple | None:
    """``values`` as a tuple of Tensors (a Tensor, or a tuple of them), else None."""
    if isinstance(values, Tensor):
        return (values,)
    if isinstance(values, tuple) and all(isinstance(v, Tensor) for v in values):
        return values
    return None


def _first_tensor(out: Any) -> Any:
    """The tensor PyTorch takes the node from: the output, or its first entry, recursively."""
    while not isinstance(out, Tensor):
        if isinstance(out, dict):
            out = next(iter(out.values()), None)
        elif isinstance(out, (list, tuple)) and out:
            out = out[0]
        else:
            return None
    return out


def _warn_if_partial(args: tuple, out: Any, node: Any) -> None:
    """PyTorch's FutureWarnings for a deprecated backward hook that will not see everything:
    outputs or inputs that are not Tensors, outputs made by several nodes or by none of the
    output tensors, or a node whose inputs are not exactly the module's inputs' nodes (the
    module ran more than one op, or an input is a leaf)."""
    outs = _tensors(out)
    if outs is None:
        warnings.warn("Using non-full backward hooks on a Module that does not return a single "
                      "Tensor or a tuple of Tensors" + _FUTURE + "some of the grad_output."
                      + _USE_FULL, FutureWarning, stacklevel=4)
        return
    ins = _tensors(args[0] if len(args) == 1 else args)
    if ins is None:
        warnings.warn("Using non-full backward hooks on a Module that does not take as input a "
                      "single Tensor or a tuple of Tensors" + _FUTURE + "some of the "
                      "grad_input." + _USE_FULL, FutureWarning, stacklevel=4)
        return
    made_by = {t.grad_fn for t in outs if t.grad_fn is not None}
    if not made_by or (len(made_by) == 1 and node not in made_by):
        warnings.warn("Using a non-full backward hook when outputs are nested in python data "
                      "structure" + _FUTURE + "some grad_output.", FutureWarning, stacklevel=4)
    elif len(made_by) > 1:
        warnings.warn("Using a non-full backward hook when outputs are generated by different "
                      "autograd Nodes" + _FUTURE + "some grad_output." + _USE_FULL,
                      FutureWarning, stacklevel=4)
    elif {t.grad_fn for t in ins if t.grad_fn is not None} != {
            f for f, _ in node.next_functions}:
        warnings.warn("Using a non-full backward hook when the forward contains multiple "
                      "autograd Nodes" + _FUTURE + "some grad_input." + _USE_FULL,
                      FutureWarning, stacklevel=4)


def attach_non_full(module: Any, args: tuple, out: Any) -> None:
    """``module``'s ``register_backward_hook`` hooks on the node that made its output, as
    PyTorch's: ``hook(module, grad_input, grad_output)`` with that node's input and output
    gradients (so ``grad_input`` holds the gradients of the last op's inputs, parameters
    included); a returned tuple replaces ``grad_input``."""
    first = _first_tensor(out)
    node = None if first is None else first.grad_fn
    if node is None:
        return
    _warn_if_partial(args, out, node)
    # the hooks of this call, as PyTorch registers each on the node at forward time: one
    # removed (or added) between this forward and its backward still runs (or does not)
    hooks = list(module.__dict__.get("_non_full_backward_hooks", {}).values())

    def run(grad_input: tuple, grad_output: tuple) -> tuple | None:
        changed = None
        for hook in hooks:
            res = hook(module, grad_input if changed is None else changed, grad_output)
            if res is not None:
                changed = tuple(res)
        return changed

    node.register_hook(run)
