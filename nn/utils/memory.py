"""``memory_summary``: bytes held by one training step, measured on the real tape.

What is counted (each numpy array's *memory owner* once: a view counts as the array it views,
since it keeps that whole array alive):

* parameters: ``p._data`` of every distinct parameter;
* gradients: ``p.grad`` arrays present after the measured backward (or now, without an input);
* optimizer state: the arrays of the tensors in ``optimizer.state``, as PyTorch's
  ``sum(t.nbytes)`` over them (Adam: ``exp_avg`` + ``exp_avg_sq`` + the 0-d float32 ``step``
  = 2 x parameter bytes + 4 per parameter),
  measured after one ``step()`` on a copy, so lazily created state is included;
* activations: every numpy array the tape holds for backward, found by walking the graph from
  the loss before backward: each node's saved arrays (``save_for_backward``, including saved
  outputs and, for ``ag.Function`` nodes, ``ctx.save_for_backward`` tensors) and any other
  array attribute of the node (indices, masks, targets). Arrays that are parameters or buffers
  are excluded (already counted above). The input batch is included when a node saved it
  (the first ``Linear`` keeps its input to compute its weight gradient); it is also reported
  alone as ``input_bytes``.

The step runs on a deep copy of the model and optimizer, with the random state restored
afterwards, so the model, its gradients, its buffers (BatchNorm running statistics), the
optimizer and the random stream are left exactly as they were.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from autograd_core import Tensor
from autograd_core import random as _random

if TYPE_CHECKING:
    from nn.module import Module
    from optimizers.optimizer import Optimizer

__all__ = ["memory_summary", "MemorySummary", "tape_saved_bytes"]


def _owner(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _node_arrays(node):
    saved = getattr(node, "_saved", ())
    if isinstance(saved, tuple):
        for a in saved:
            if isinstance(a, np.ndarray):
                yield a
            elif isinstance(a, Tensor):
                yield a._data
            elif hasattr(a, "saved_tensors") and hasattr(a, "_saved"):  # a FunctionCtx
                for t in a._saved:
                    if isinstance(t, Tensor):
                        yield t._data
                    elif isinstance(t, np.ndarray):
                        yield t
    for v in getattr(node, "__dict__", {}).values():
        if isinstance(v, np.ndarray):
            yield v
        elif isinstance(v, (tuple, list)):
            for item in v:
                if isinstance(item, np.ndarray):
                    yield item


@overload
def tape_saved_bytes(output: Tensor, exclude: Iterable[np.ndarray] = ...,
                     detail: Literal[False] = ...) -> int: ...
@overload
def tape_saved_bytes(output: Tensor, exclude: Iterable[np.ndarray] = ..., *,
                     detail: Literal[True]) -> tuple[int, dict[str, int]]: ...
def tape_saved_bytes(output: Tensor, exclude: Iterable[np.ndarray] = (),
                     detail: bool = False) -> int | tuple[int, dict[str, int]]:
    """Returns the bytes of the distinct arrays the graph behind ``output`` keeps for backward
    (see the module docstring). Not in PyTorch.

    Args:
        output (Tensor): the result whose tape is measured (before ``backward``).
        exclude (iterable of arrays): arrays (e.g. parameters) not to count. Default: none.
        detail (bool): also return ``{node name: bytes}`` (bytes attributed to the first
            node seen holding them). Default: ``False``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> model = nn.Linear(4, 3)
        >>> out = model(ag.ones(8, 4)).sum()
        >>> params = [p.data for p in model.parameters()]
        >>> nn.utils.tape_saved_bytes(out, exclude=params, detail=True)  # the 8x4 float32 input
        (128, {'LinearBackward0': 128})
    """
    excluded = {id(_owner(a._data if isinstance(a, Tensor) else a)) for a in exclude}
    owners = {}
    per_node: dict[str, int] = {}
    seen = set()
    stack = [output.grad_fn] if output.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for arr in _node_arrays(node):
            root = _owner(arr)
            key = id(root)
            if key in excluded or key in owners:
                continue
            owners[key] = root
            name = node.name() if hasattr(node, "name") else type(node).__name__
            per_node[name] = per_node.get(name, 0) + root.nbytes
        for t in getattr(node, "next", ()) or ():
            if t is not None and not t._leaf_edge:
                stack.append(t)
    total = sum(a.nbytes for a in owners.values())
    return (total, per_node) if detail else total


def _fmt(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} GiB"


@dataclass
class MemorySummary:
    """What :func:`memory_summary` measured, in bytes; ``str()`` is a table. Not in PyTorch.

    Attributes:
        parameter_bytes, gradient_bytes, optimizer_state_bytes, activation_bytes (int): the
            four parts of ``total_bytes``.
        input_bytes (int): the input batch, when a node saved it (inside activations).
        n_parameters, n_elements (int): parameter tensors and their elements.
        activation_detail (dict): bytes saved for backward per node type.
        measured_step (bool): whether a training step was run to measure.

    Example::

        >>> from nn.utils import MemorySummary
        >>> s = MemorySummary(parameter_bytes=76, gradient_bytes=76, optimizer_state_bytes=184,
        ...                   activation_bytes=224)
        >>> s.total_bytes
        560
    """

    parameter_bytes: int
    gradient_bytes: int
    optimizer_state_bytes: int
    activation_bytes: int
    input_bytes: int = 0
    n_parameters: int = 0
    n_elements: int = 0
    activation_detail: dict = field(default_factory=dict)
    measured_step: bool = False

    @property
    def total_bytes(self) -> int:
        """Parameters + gradients + optimizer state + activations."""
        return (self.parameter_bytes + self.gradient_bytes + self.optimizer_state_bytes
                + self.activation_bytes)

    def as_dict(self) -> dict[str, int]:
        """The byte counts (and ``total_bytes``) as a dict, e.g. for a JSON log."""
        return {
            "parameter_bytes": self.parameter_bytes,
            "gradient_bytes": self.gradient_bytes,
            "optimizer_state_bytes": self.optimizer_state_bytes,
            "activation_bytes": self.activation_bytes,
            "input_bytes": self.input_bytes,
            "total_bytes": self.total_bytes,
        }

    def __str__(self):
        rows = [
            ("parameters", self.parameter_bytes,
             f"{self.n_parameters} tensors, {self.n_elements} elements"),
            ("gradients", self.gradient_bytes, ""),
            ("optimizer state", self.optimizer_state_bytes, ""),
            ("activations (tape)", self.activation_bytes,
             f"incl. input {_fmt(self.input_bytes)}" if self.measured_step else "no step run"),
            ("total", self.total_bytes, ""),
        ]
        lines = [f"{'':<20} {'bytes':>12} {'':>11}  note", "-" * 64]
        for name, b, note in rows:
            lines.append(f"{name:<20} {b:>12d} {_fmt(b):>11}  {note}")
        if self.activation_detail:
            lines.append("")
            lines.append("saved for backward, by node type:")
            for k, v in sorted(self.activation_detail.items(), key=lambda kv: -kv[1]):
                lines.append(f"  {k:<28} {v:>12d} {_fmt(v):>11}")
        return "\n".join(lines)

    __repr__ = __str__


def _optimizer_state_bytes(optimizer):
    """Bytes of every tensor's array in ``optimizer.state`` (each memory owner once: a group's
    0-d ``step`` tensors view one float32 array, 4 bytes each, as PyTorch's) plus 8 bytes per
    Python number a user's optimizer keeps there."""
    if optimizer is None:
        return 0
    total = 0
    owners = set()
    for st in getattr(optimizer, "state", {}).values():
        values = st.values() if isinstance(st, dict) else [st]
        for v in values:
            if isinstance(v, Tensor):
                v = v._data
            if isinstance(v, np.ndarray):
                root = _owner(v)
                if id(root) not in owners:
                    owners.add(id(root))
                    total += root.nbytes
            elif isinstance(v, np.generic):
                total += v.itemsize
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                total += 8
    return total


def _default_target(loss_fn, out):
    from nn.losses import CrossEntropyLoss, NLLLoss

    if isinstance(loss_fn, (CrossEntropyLoss, NLLLoss)):
        shape = (out.shape[0],) + tuple(out.shape[2:]) if out.ndim > 1 else ()
        return Tensor._wrap(np.zeros(shape, dtype=np.int64))
    return Tensor._wrap(np.zeros(out.shape, dtype=out.dtype))


def memory_summary(model: Module, optimizer: Optimizer | None = None,
                   input_shape: tuple[int, ...] | None = None,
                   loss_fn: Callable[[Tensor, Any], Tensor] | None = None,
                   input: Tensor | None = None, target: Any = None) -> MemorySummary:
    """Measures the bytes for parameters, gradients, optimizer state and the activations the
    tape saves in one training step. Not in PyTorch (its ``torch.cuda.memory_summary`` is
    about the CUDA allocator).

    The step (forward, ``loss_fn(output, target)`` or ``output.sum()``, backward,
    ``optimizer.step()``) runs on copies; the model, optimizer and random stream are left as
    they were. Without ``input_shape``/``input`` no step is run: gradients and optimizer state
    are read as they are now and activations are 0.

    Args:
        model (Module): the model.
        optimizer (Optimizer, optional): its optimizer (state is created by the copied step).
        input_shape (tuple of int, optional): a random (standard normal) batch of this shape
            is the input.
        loss_fn (callable, optional): ``loss_fn(output, target)``; default ``output.sum()``.
        input (Tensor, optional): the input batch, instead of ``input_shape``.
        target (optional): the target for ``loss_fn`` (default: zeros of a fitting shape).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> import optimizers as optim
        >>> _ = ag.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
        >>> opt = optim.Adam(model.parameters())
        >>> s = nn.utils.memory_summary(model, opt, input_shape=(8, 4))
        >>> s.as_dict()["parameter_bytes"], s.as_dict()["optimizer_state_bytes"]
        (76, 168)
    """
    params = list(model.parameters())
    param_bytes = sum(p._data.nbytes for p in params)
    n_elements = sum(p._data.size for p in params)
    if input_shape is None and input is None:
        return MemorySummary(
            parameter_bytes=param_bytes,
            gradient_bytes=sum(p.grad._data.nbytes for p in params if p.grad is not None),
            optimizer_state_bytes=_optimizer_state_bytes(optimizer),
            activation_bytes=0, n_parameters=len(params), n_elements=n_elements,
        )
    rng_state = _random.get_rng_state()
    try:
        m2, o2 = copy.deepcopy((model, optimizer))
        for m in m2.modules():  # hooks (e.g. a GradFlow monitor) must not see the copy
            m._forward_hooks.clear()
            m._forward_pre_hooks.clear()
        p2 = list(m2.parameters())
        for p in p2:
            p.grad = None
        if input is None:
            dtype = p2[0]._data.dtype if p2 else np.float32
            shape = tuple(input_shape or ())  # not None here: checked at the top
            input = Tensor._wrap(_random.generator().standard_normal(shape).astype(dtype))
        elif not isinstance(input, Tensor):
            input = Tensor._wrap(np.asarray(input))
        out = m2(input)
        if loss_fn is None:
            loss = out.sum()
        else:
            loss = loss_fn(out, target if target is not None else _default_target(loss_fn, out))
        exclude = [p._data for p in p2] + [b._data for b in m2.buffers()]
        act, detail = tape_saved_bytes(loss, exclude=exclude, detail=True)
        input_saved = act > 0 and _input_saved(loss, input)
        loss.backward()
        grad_bytes = sum(p.grad._data.nbytes for p in p2 if p.grad is not None)
        if o2 is not None:
            o2.step()
        state = _optimizer_state_bytes(o2)
    finally:
        _random.set_rng_state(rng_state)
    return MemorySummary(
        parameter_bytes=param_bytes, gradient_bytes=grad_bytes, optimizer_state_bytes=state,
        activation_bytes=act, input_bytes=input._data.nbytes if input_saved else 0,
        n_parameters=len(params), n_elements=n_elements, activation_detail=detail,
        measured_step=True,
    )


def _input_saved(loss, input):
    root = id(_owner(input._data))
    seen = set()
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if any(id(_owner(a)) == root for a in _node_arrays(node)):
            return True
        stack.extend(t for t in node.next if t is not None and not t._leaf_edge)
    return False
