"""``backward`` and ``grad``: argument checking in the user's terms, then the engine."""

from __future__ import annotations

import numpy as np

from autograd_core.engine import run_backward
from autograd_core.tensor import Tensor


def _as_list(x, what, arrays_ok=False):
    if isinstance(x, Tensor) or (arrays_ok and isinstance(x, np.ndarray)):
        return [x]
    if x is None:
        return None
    x = list(x)
    for i, t in enumerate(x):
        if t is not None and not isinstance(t, Tensor) and not arrays_ok:
            raise TypeError(f"{what}[{i}] must be a Tensor, got {type(t).__name__}")
    return x


def _seed_grads(outputs, grad_outputs, create_graph, op):
    grads = []
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"{op}: got {len(grad_outputs)} gradients for {len(outputs)} outputs"
        )
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not t.requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a "
                "grad_fn (was it computed under no_grad, or from tensors that don't require grad?)"
            )
        if g is None:
            if t.data.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs; output {i} "
                    f"has shape {t.shape}: pass gradient= (a tensor of that shape)"
                )
            grads.append(np.ones(t.shape, dtype=t.dtype))
            continue
        if isinstance(g, Tensor):
            if tuple(g.shape) != tuple(t.shape):
                raise RuntimeError(
                    f"{op}: gradient for output {i} has shape {g.shape} but the output has "
                    f"shape {t.shape}"
                )
            grads.append(g if create_graph else np.array(g.data, dtype=t.dtype, copy=True))
            continue
        arr = np.asarray(g)
        if arr.shape != t.shape:
            raise RuntimeError(
                f"{op}: gradient for output {i} has shape {arr.shape} but the output has "
                f"shape {t.shape}"
            )
        grads.append(np.array(arr, dtype=t.dtype, copy=True))
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of graph leaves."""
    tensors = _as_list(tensors, "tensors")
    grads = _seed_grads(tensors, _as_list(grad_tensors, "grad_tensors", True), create_graph,
                        "backward")
    if inputs is not None:
        inputs = _as_list(inputs, "inputs")
        got = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs)
        for t, g in zip(inputs, got):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (nothing is
    accumulated into ``.grad``). With ``create_graph=True`` the backward pass is recorded, so
    the results can be differentiated again (Hessian-vector products)."""
    outputs = _as_list(outputs, "outputs")
    single = isinstance(inputs, Tensor)
    inputs = _as_list(inputs, "inputs")
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    grads = _seed_grads(outputs, _as_list(grad_outputs, "grad_outputs", True), create_graph, "grad")
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                          allow_unused=bool(allow_unused))
    return result


def tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """``Tensor.backward``: accumulate d(self)/d(leaf) into every leaf's ``.grad`` (PyTorch
    semantics)."""
    if (gradient is None and inputs is None and not create_graph and self.grad_fn is not None
            and self.data.size == 1):
        # the common case (a scalar loss), without the general argument handling
        run_backward((self,), (np.ones(self.data.shape, self.data.dtype),), retain_graph, False)
        return
    backward([self], [gradient] if gradient is not None else None,
             retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)
