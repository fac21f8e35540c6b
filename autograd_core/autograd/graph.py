"""``autograd_core.autograd.graph``, as ``torch.autograd.graph``: ``Node`` (what every
``grad_fn`` is an instance of) and the saved-tensor hooks (``saved_tensors_hooks``,
``save_on_cpu``, ``disable_saved_tensors_hooks``)."""

from __future__ import annotations

from typing import Any, Callable, Literal, Sequence

from autograd_core import engine
from autograd_core.grad_mode import STATE
from autograd_core.node import AccumulateGrad
from autograd_core.node import Node as _Node
from autograd_core.tensor import Tensor

__all__ = ["Node", "disable_saved_tensors_hooks", "register_multi_grad_hook", "save_on_cpu",
           "saved_tensors_hooks"]


class _NodeMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, (_Node, AccumulateGrad))

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, (_Node, AccumulateGrad))


class Node(metaclass=_NodeMeta):
    """The type of graph nodes, as ``torch.autograd.graph.Node``: every ``grad_fn`` and the
    ``AccumulateGrad`` nodes of leaves in ``next_functions`` are instances. For
    ``isinstance`` checks; nodes have ``name()`` and ``next_functions``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.graph import Node
        >>> x = ag.tensor([1.0], requires_grad=True)
        >>> y = x * 2
        >>> isinstance(y.grad_fn, Node), isinstance(y.grad_fn.next_functions[0][0], Node)
        (True, True)
        >>> y.grad_fn.name()
        'MulBackward0'
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Node:
        raise TypeError("autograd.graph.Node is abstract: nodes are made by recording ops")


_Hook = Callable[[Tensor], Any]


class saved_tensors_hooks:
    """Context manager: pack every tensor an op saves for backward with ``pack_hook`` and
    give backward ``unpack_hook(packed)`` instead (PyTorch's ``saved_tensors_hooks``).

    ``pack_hook(tensor)`` may return any object; ``unpack_hook(obj)`` must return a Tensor
    with the saved values. Applies to the ops recorded inside the ``with`` block (including
    ``Function``'s ``ctx.save_for_backward``); the innermost context wins.

    Args:
        pack_hook (callable): ``Tensor -> object``, when a tensor is saved.
        unpack_hook (callable): ``object -> Tensor``, when backward reads it.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.graph import saved_tensors_hooks
        >>> packed = []
        >>> def pack(t):
        ...     packed.append(tuple(t.shape))
        ...     return t.detach().numpy().copy()
        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> with saved_tensors_hooks(pack, lambda a: ag.tensor(a)):
        ...     y = (x * x).sum()
        >>> y.backward()
        >>> packed, x.grad
        ([(2,), (2,)], tensor([2., 4.]))
    """

    def __init__(self, pack_hook: _Hook, unpack_hook: Callable[[Any], Tensor]) -> None:
        if not callable(pack_hook) or not callable(unpack_hook):
            raise TypeError("saved_tensors_hooks: pack_hook and unpack_hook must be callable")
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook
        self._prev: list[tuple] = []

    def __enter__(self) -> saved_tensors_hooks:
        if STATE.saved_hooks_disabled is not None:
            raise RuntimeError(STATE.saved_hooks_disabled)
        self._prev.append(STATE.saved_hooks)
        STATE.saved_hooks = STATE.saved_hooks + ((self.pack_hook, self.unpack_hook),)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        STATE.saved_hooks = self._prev.pop()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Context manager: keep saved tensors in CPU memory (PyTorch's offloading hook). Every
    tensor is on the CPU here, so it saves them as they are.

    Args:
        pin_memory (bool): accepted and ignored. Default: False.
        device_type (str): accepted and ignored. Default: ``"cuda"``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.graph import save_on_cpu
        >>> x = ag.tensor([3.0], requires_grad=True)
        >>> with save_on_cpu():
        ...     y = x * x
        >>> y.backward()
        >>> x.grad
        tensor([6.])
    """

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        super().__init__(lambda t: t, lambda t: t)


class disable_saved_tensors_hooks:
    """Context manager: entering ``saved_tensors_hooks`` inside it raises ``RuntimeError``
    with ``error_message`` (for code that cannot work with them).

    Args:
        error_message (str): the message of the error.

    Example::

        >>> from autograd_core.autograd.graph import (disable_saved_tensors_hooks,
        ...                                           saved_tensors_hooks)
        >>> with disable_saved_tensors_hooks("not here"):
        ...     with saved_tensors_hooks(lambda t: t, lambda t: t):
        ...         pass
        Traceback (most recent call last):
        ...
        RuntimeError: not here
    """

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message
        self._prev: list[Any] = []

    def __enter__(self) -> disable_saved_tensors_hooks:
        self._prev.append(STATE.saved_hooks_disabled)
        STATE.saved_hooks_disabled = self.error_message
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        STATE.saved_hooks_disabled = self._prev.pop()
        return False


class _MultiHandle:
    """The handle ``register_multi_grad_hook`` returns: ``remove()`` unregisters every
    per-tensor hook (also as a context manager's exit)."""

    def __init__(self, handles: tuple, live: list) -> None:
        self._handles, self._live = handles, live  # live[0]: the hooks still act
        engine.TASK_HOOKS[0] += 1

    def remove(self) -> None:
        if self._live[0]:
            for h in self._handles:
                h.remove()
            self._handles, self._live[0] = (), False  # a pass under way calls fn no more,
            engine.TASK_HOOKS[0] -= 1  # as PyTorch's (its removed hooks stop counting)

    def __enter__(self) -> _MultiHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_multi_grad_hook(tensors: Sequence[Tensor], fn: Callable[..., None], *,
                             mode: Literal["all", "any"] = "all") -> _MultiHandle:
    """Register ``fn`` to run once a backward pass has computed the gradients of ``tensors``,
    as ``torch.autograd.graph.register_multi_grad_hook``.

    ``mode="all"``: ``fn(grads)`` runs once every tensor of ``tensors`` that the pass gives a
    gradient has received it, ``grads`` a list with None for the tensors the pass does not
    reach (or that do not lead to the ``inputs`` of ``grad()``/``backward(inputs=)``).
    ``mode="any"``: ``fn(grad)`` runs with the first of their gradients the pass computes.
    ``fn`` must not modify its arguments; its return value is ignored. A hook registered
    while a pass runs takes effect from the next pass. Returns a handle whose ``remove()``
    unregisters the hook.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.graph import register_multi_grad_hook
        >>> a = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> b = ag.tensor([3.0, 4.0], requires_grad=True)
        >>> c, d = a * b, a * b
        >>> h = register_multi_grad_hook((a, b, c, d), lambda gs: print([g is not None for g in gs]))
        >>> c.sum().backward(retain_graph=True)
        [True, True, True, False]
        >>> c.sum().backward(inputs=(a,))
        [True, False, True, False]
        >>> h.remove()
    """
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"register_multi_grad_hook: tensors[{k}] is "
                            f"{type(t).__name__}, not a Tensor")
        if not t.requires_grad:  # before any hook is registered
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
    live = [True]
    if mode == "any":
        done: set[int] = set()

        def any_hook(grad: Tensor) -> None:
            task = STATE.graph_task
            if task is None or task.id in done or not live[0]:
                return
            done.add(task.id)
            task.callbacks.append(lambda: done.discard(task.id))
            fn(grad)

        return _MultiHandle(tuple(t.register_hook(any_hook) for t in tensors), live)

    n = len(tensors)
    passes: dict[int, list] = {}  # task id -> [gradients, how many still to come]

    def all_hook(idx: int) -> Callable[[Tensor], None]:
        def hook(grad: Tensor) -> None:
            task = STATE.graph_task
            if task is None or not live[0]:
                return
            entry = passes.get(task.id)
            if entry is None:
                expected = sum(task.will_run(t) for t in tensors)
                entry = passes[task.id] = [[None] * n, expected]
                # a tensor expected but never handed a gradient (a rule's None) must not
                # leave fn uncalled: the pass's end calls it with what came
                task.callbacks.append(lambda: _flush(task.id))
            entry[0][idx] = grad
            entry[1] -= 1
            if entry[1] <= 0:
                _flush(task.id)
        return hook

    def _flush(task_id: int) -> None:
        entry = passes.pop(task_id, None)
        if entry is not None and live[0]:
            fn(entry[0])

    return _MultiHandle(tuple(t.register_hook(all_hook(i)) for i, t in enumerate(tensors)),
                        live)
