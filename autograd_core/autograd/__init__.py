"""``autograd_core.autograd``, as ``torch.autograd``: ``backward`` and ``grad`` (argument
checking in the user's terms, then the engine), ``Function`` and the ``function``,
``functional`` and ``forward_ad`` submodules."""

from __future__ import annotations

import builtins
from typing import Any, Literal, Sequence

import numpy as np

from autograd_core.engine import run_backward, run_post_accumulate_hooks
from autograd_core.grad_mode import STATE
from autograd_core.ops.registry import warn_caller
from autograd_core.tensor import Size, Tensor, dtype_name


def _as_list(x: Any, what: str, arrays_ok: builtins.bool = False) -> Any:
    if isinstance(x, Tensor) or (arrays_ok and isinstance(x, np.ndarray)):
        return [x]
    if x is None:
        return None
    x = list(x)
    for i, t in enumerate(x):
        if t is not None and not isinstance(t, Tensor) and not arrays_ok:
            raise TypeError(f"{what}[{i}] must be a Tensor, got {type(t).__name__}")
    return x


def _seed_grads(outputs: Any, grad_outputs: Any, create_graph: builtins.bool,
                op: str) -> list:
    grads: list[Any] = []
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"{op}: got {len(grad_outputs)} gradients for {len(outputs)} outputs"
        )
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not t.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn "
                f"({op}: was it computed under no_grad, or from tensors that don't require grad?)"
            )
        if g is None:
            if t._data.dtype.kind == "c":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {dtype_name(t._data.dtype)}")
            if t._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs ({op}: output {i} "
                    f"has shape {tuple(t.shape)}; pass gradient= (a tensor of that shape))"
                )
            grads.append(np.ones(t.shape, dtype=t.dtype))
            continue
        if isinstance(g, Tensor):
            if tuple(g.shape) != tuple(t.shape):
                raise RuntimeError(_shape_mismatch(i, g.shape, t.shape))
            _check_complex_match(i, g._data.dtype, t._data.dtype)
            grads.append(g if create_graph else np.array(g._data, dtype=t.dtype, copy=True))
            continue
        arr = np.asarray(g)
        if arr.shape != t.shape:
            raise RuntimeError(_shape_mismatch(i, arr.shape, t.shape))
        _check_complex_match(i, arr.dtype, t._data.dtype)
        grads.append(np.array(arr, dtype=t.dtype, copy=True))
    return grads


def _check_complex_match(i: int, got: Any, want: Any) -> None:
    """PyTorch's refusal of a real gradient for a complex output or the reverse (casting
    would drop a cotangent's imaginary part, or run a real node's rule on complex values)."""
    if (got.kind == "c") != (want.kind == "c"):
        raise RuntimeError(
            "For complex Tensors, both grad_output and output are required to have the same "
            f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of "
            f"{dtype_name(got)} and output[{i}] has a dtype of "
            f"{dtype_name(want)}.")


def _shape_mismatch(i: int, got: Any, want: Any) -> str:
    """PyTorch's words for a gradient whose shape is not its output's."""
    return (f"Mismatch in shape: grad_output[{i}] has a shape of {Size(got)!r} and "
            f"output[{i}] has a shape of {Size(want)!r}.")


#: PyTorch's warning of ``backward(create_graph=True)``: each ``.grad`` holds a graph that leads
#: back to its own leaf
CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak.")
_CYCLE_WARNED = [False]


def backward(tensors: Tensor | Sequence[Tensor], grad_tensors: Any = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             grad_variables: Any = None, inputs: Tensor | Sequence[Tensor] | None = None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the graph's leaves.

    Args:
        tensors (Tensor or sequence of Tensor): the outputs to differentiate.
        grad_tensors (Tensor or sequence, optional): the gradient with respect to each output
            (the "vector" of the vector-Jacobian product); may be omitted for scalar outputs.
        retain_graph (bool, optional): keep the saved values so backward can run again;
            ``create_graph`` if None.
        create_graph (bool): record the backward pass, for higher derivatives. Default: False.
        grad_variables (optional): PyTorch's deprecated name of ``grad_tensors``.
        inputs (sequence of Tensor, optional): accumulate only into these.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> ag.autograd.backward([(x * x).sum()])
        >>> x.grad
        tensor([2., 4.])
    """
    if grad_variables is not None:
        if grad_tensors is not None:
            raise RuntimeError("backward: pass grad_tensors or grad_variables, not both")
        grad_tensors = grad_variables
    if create_graph and not _CYCLE_WARNED[0]:
        _CYCLE_WARNED[0] = True  # once per process, as PyTorch's (TORCH_WARN_ONCE)
        warn_caller(CREATE_GRAPH_CYCLE)
    tensors = _as_list(tensors, "tensors")
    grads = _seed_grads(tensors, _as_list(grad_tensors, "grad_tensors", True), create_graph,
                        "backward")
    if inputs is not None:
        inputs = _as_list(inputs, "inputs")
        if not inputs:  # PyTorch's (it accumulated nothing)
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:  # as PyTorch's: a non-leaf input keeps its .grad from now on (and one
            t.retain_grad()  # that does not require grad is refused)
        got = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs)
        for t, g in zip(inputs, got):
            # (a non-leaf that retains its grad had it stored by the pass itself)
            if g is not None and (t.grad_fn is None or not t._retains_grad):
                t.grad = g if t._grad is None else t._grad + g
                if t.grad_fn is None and t._post_acc_hooks:  # as AccumulateGrad runs them
                    run_post_accumulate_hooks(t, g)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """Compute and return the gradients of ``outputs`` with respect to ``inputs``.

    Nothing is accumulated into ``.grad``. With ``create_graph=True`` the backward pass is
    recorded, so the results can be differentiated again (Hessian-vector products). Only the
    part of the graph between ``outputs`` and ``inputs`` runs (and has its saved values freed
    unless ``retain_graph``), as in PyTorch.

    Args:
        outputs (Tensor or sequence of Tensor): the outputs to differentiate.
        inputs (Tensor or sequence of Tensor): the tensors to differentiate with respect to.
        grad_outputs (sequence, optional): the gradient with respect to each output; may be
            omitted for scalar outputs.
        retain_graph (bool, optional): keep the saved values; ``create_graph`` if None.
        create_graph (bool): record the backward pass. Default: False.
        only_inputs (bool): accepted and ignored (deprecated in PyTorch).
        allow_unused (bool, optional): give None for an input the outputs do not depend on
            (an error otherwise).
        is_grads_batched (bool): the first dimension of each grad_output is a batch: one
            backward pass per row (a loop, where PyTorch uses vmap), the gradients stacked
            along a new first dimension. Default: False.
        materialize_grads (bool): give zeros instead of None for unused inputs. Default: False.

    Returns:
        tuple of Tensor: one gradient per input.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> y = (x ** 3).sum()
        >>> (g,) = ag.grad(y, x, create_graph=True)
        >>> g
        tensor([ 3., 12.], grad_fn=<MulBackward0>)
        >>> ag.grad(g.sum(), x)
        (tensor([ 6., 12.]),)
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if is_grads_batched:
        return _grad_batched(outputs, inputs, grad_outputs, retain_graph, create_graph,
                             allow_unused, materialize_grads)
    outputs = _as_list(outputs, "outputs")
    inputs = _as_list(inputs, "inputs")
    if not inputs:  # PyTorch's (an empty tuple of gradients came back)
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _seed_grads(outputs, _as_list(grad_outputs, "grad_outputs", True), create_graph, "grad")
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                          allow_unused=bool(allow_unused) or materialize_grads)
    if materialize_grads:  # PyTorch's zeros require grad under create_graph (fresh leaves)
        result = tuple(Tensor._make(np.zeros(t.shape, t.dtype), None, bool(create_graph))
                       if r is None else r for t, r in zip(inputs, result))
    return result


def _grad_batched(outputs: Any, inputs: Any, grad_outputs: Any, retain_graph: bool | None,
                  create_graph: bool, allow_unused: bool | None,
                  materialize_grads: bool) -> tuple:
    """``grad(..., is_grads_batched=True)``: a backward pass per row of the grad_outputs."""
    from autograd_core.ops.shape import stack

    outs = _as_list(outputs, "outputs")
    gos = _as_list(grad_outputs, "grad_outputs", True)
    if gos is None or any(g is None for g in gos):
        raise RuntimeError("grad can be implicitly created only for scalar outputs")
    for i, (g, o) in enumerate(zip(gos, outs)):
        if g.dim() == 0 or tuple(g.shape[1:]) != tuple(o.shape):
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each "
                "grad_output as the batch dimension. The sizes of the remaining dimensions are "
                "expected to match the shape of corresponding output, but a mismatch was "
                f"detected: grad_output[{i}] has a shape of {Size(g.shape[1:])} and output[{i}] "
                f"has a shape of {Size(o.shape)}. If you only want some tensors in "
                "`grad_output` to be considered batched, consider using vmap.")
    n = gos[0].shape[0]
    if n == 0:
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
    keep = create_graph if retain_graph is None else retain_graph
    rows = [grad(outs, inputs, [g[k] for g in gos], retain_graph=keep or k < n - 1,
                 create_graph=create_graph, allow_unused=bool(allow_unused) or materialize_grads)
            for k in range(n)]
    result = []
    for j, t in enumerate(_as_list(inputs, "inputs")):
        col = [r[j] for r in rows]
        if all(c is None for c in col):  # PyTorch's materialized zeros are not batched
            result.append(Tensor._make(np.zeros(t.shape, t.dtype), None, bool(create_graph))
                          if materialize_grads else None)
        else:
            result.append(stack(col))
    return tuple(result)


# (shape, dtype) of a one-element loss -> a 1 of that shape and dtype, the seed of backward()
_ONES: dict = {}


def tensor_backward(self: Tensor, gradient: Any = None,
                    retain_graph: builtins.bool | None = None,
                    create_graph: builtins.bool = False, inputs: Any = None) -> None:
    """Compute the gradient of this tensor with respect to the graph's leaves.

    The gradients are accumulated (added) into each leaf's ``.grad``; zero them between steps.
    A non-scalar tensor needs ``gradient``, the vector of the vector-Jacobian product.

    Args:
        gradient (Tensor, optional): the gradient with respect to this tensor; may be omitted
            when it has one element.
        retain_graph (bool, optional): keep the saved values so backward can run again;
            ``create_graph`` if None.
        create_graph (bool): record the backward pass, for higher derivatives. Default: False.
        inputs (sequence of Tensor, optional): accumulate only into these.

    Example::

        >>> import autograd_core as ag
        >>> w = ag.tensor([1.0, -2.0], requires_grad=True)
        >>> loss = (w * w).sum()
        >>> loss.backward()
        >>> w.grad
        tensor([ 2., -4.])
    """
    if (gradient is None and inputs is None and not create_graph and self.grad_fn is not None
            and self._data.size == 1):
        # the common case (a scalar loss), without the general argument handling
        data = self._data
        seed = _ONES.get((data.shape, data.dtype))
        if seed is None:
            if data.dtype.kind == "c":  # never cached: the real case pays nothing for this
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {dtype_name(data.dtype)}")
            seed = _ONES[(data.shape, data.dtype)] = np.ones(data.shape, data.dtype)
        # a copy of a cached 1 (several times cheaper than np.ones): the pass may hand the seed
        # to a leaf as its .grad, so each pass gets its own
        run_backward((self,), (seed.copy(),), retain_graph, False)
        return
    backward([self], [gradient] if gradient is not None else None,
             retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)


class set_detect_anomaly:
    """Turn anomaly detection on or off (``torch.autograd.set_detect_anomaly``).

    At once (a plain call), or for a ``with`` block (the previous mode comes back at its end).
    See ``autograd_core.detect_anomaly``.

    Args:
        mode (bool): on (True) or off.
        check_nan (bool): check for NaN and Inf. Default: True.

    Example::

        >>> import autograd_core as ag
        >>> with ag.autograd.set_detect_anomaly(True):
        ...     ag.is_anomaly_enabled()
        True
        >>> ag.is_anomaly_enabled()
        False
    """

    def __init__(self, mode: builtins.bool, check_nan: builtins.bool = True) -> None:
        self._prev = (STATE.anomaly, STATE.anomaly_mode)
        STATE.anomaly = bool(mode) and bool(check_nan)
        STATE.anomaly_mode = bool(mode)

    def __enter__(self) -> set_detect_anomaly:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        STATE.anomaly, STATE.anomaly_mode = self._prev
        return False


# torch.autograd's other names, after grad/backward (the modules below import those from here)
from autograd_core.anomaly import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled
from autograd_core.autograd import forward_ad, function, functional, graph, profiler
from autograd_core.autograd.variable import Variable
from autograd_core.function import Function, FunctionCtx, once_differentiable
from autograd_core import grad_mode
from autograd_core.grad_mode import (enable_grad, inference_mode, is_multithreading_enabled,
                                     is_view_replay_enabled, no_grad, set_grad_enabled,
                                     set_multithreading_enabled)
from autograd_core.gradcheck import gradcheck, gradgradcheck

__all__ = ["Function", "FunctionCtx", "backward", "detect_anomaly", "enable_grad", "forward_ad", "function", "profiler",
           "functional", "grad", "grad_mode", "graph", "gradcheck", "gradgradcheck", "inference_mode",
           "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "no_grad",
           "once_differentiable", "set_detect_anomaly", "set_grad_enabled", "Variable",
           "is_multithreading_enabled", "is_view_replay_enabled", "set_multithreading_enabled"]
