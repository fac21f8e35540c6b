"""``torch.cond``, ``torch.while_loop``, ``torch.typename``, ``torch.is_signed``,
``torch.get_device``: structured control flow, run eagerly here (the branch the predicate picks
is called on the operands, the loop body while its condition holds; gradients flow through
what they compute), and the small top-level questions programs ask of an object."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from autograd_core._casts import type_name
from autograd_core.ops.registry import refuse_capture
from autograd_core.tensor import Tensor

__all__ = ["cond", "get_device", "is_signed", "typename", "while_loop"]


def _tensor_leaves(tree: Any) -> builtins.bool:
    if isinstance(tree, Tensor):
        return True
    if isinstance(tree, (tuple, list)):
        return all(map(_tensor_leaves, tree))
    if isinstance(tree, dict):
        return all(map(_tensor_leaves, tree.values()))
    return False


def cond(pred: builtins.bool | builtins.int | builtins.float | Tensor, true_fn: Callable,
         false_fn: Callable, operands: tuple | list = ()) -> Any:
    """Return ``true_fn(*operands)`` if ``pred`` is true, else ``false_fn(*operands)``
    (PyTorch's ``torch.cond``, eagerly: only the chosen branch runs, and gradients flow
    through it).

    Args:
        pred (bool or Tensor): a Python bool (or number) or a one-element tensor.
        true_fn (callable): called on ``operands`` when ``pred`` is true.
        false_fn (callable): called on ``operands`` otherwise.
        operands (tuple or list): the branch's arguments; with a tensor ``pred``, tensors
            (possibly in nested lists, tuples and dicts) only, as PyTorch checks.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> y = ag.cond(x.sum() > 0, lambda t: t * 2, lambda t: t * 3, (x,))
        >>> y.sum().backward()
        >>> y, x.grad
        (tensor([2., 4.], grad_fn=<MulBackward0>), tensor([2., 2.]))
    """
    if isinstance(pred, Tensor):
        if pred.numel() != 1:
            raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got "
                               f"{pred}.")
        if not (callable(true_fn) and callable(false_fn)):
            raise RuntimeError("Expect both branches to be callable.")
        if not isinstance(operands, (tuple, list)) or not _tensor_leaves(operands):
            raise RuntimeError("Expect operands to be a tuple of possibly nested dict/list/tuple "
                               f"that only consists of tensor leaves, but got {operands}.")
        refuse_capture("cond")  # the branch is chosen from the predicate's value
        taken = builtins.bool(pred.item())
    elif isinstance(pred, (builtins.bool, builtins.int, builtins.float)):
        taken = builtins.bool(pred)
    else:
        raise RuntimeError(f"Expected pred to be bool or tensor, but got {pred}.")
    return (true_fn if taken else false_fn)(*operands)


def _truth(value: Any, what: str) -> builtins.bool:
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"{what} must return a boolean scalar tensor or a python bool, "
                               f"got a tensor of shape {tuple(value.shape)}")
        refuse_capture(what)  # the loop's course depends on the value
        return builtins.bool(value.item())
    if isinstance(value, (builtins.bool, builtins.int)):
        return builtins.bool(value)
    raise RuntimeError(f"{what} must return a boolean scalar tensor or a python bool, got "
                       f"{type(value).__name__}")


def while_loop(cond_fn: Callable, body_fn: Callable, carried_inputs: tuple | list) -> Any:
    """Run ``carried_inputs = body_fn(*carried_inputs)`` while ``cond_fn(*carried_inputs)`` is
    true and return the last ``carried_inputs`` (PyTorch's ``torch.while_loop``, eagerly;
    gradients flow through the iterations that ran).

    Args:
        cond_fn (callable): returns a Python bool or a one-element tensor.
        body_fn (callable): takes what ``cond_fn`` takes and returns the next values (a tuple,
            or one tensor when there is one).
        carried_inputs (tuple or list): the first values (tensors or ints).

    Example::

        >>> import autograd_core as ag
        >>> ag.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2),
        ...               (ag.tensor(0), ag.ones(2)))
        (tensor(3), tensor([8., 8.]))
    """
    if not (callable(cond_fn) and callable(body_fn)):
        raise RuntimeError("while_loop: cond_fn and body_fn must be callable")
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError("while_loop: carried_inputs must be a tuple or list of tensors or "
                           f"ints, got {type(carried_inputs).__name__}")
    out: Any = tuple(carried_inputs)
    values = out
    while _truth(cond_fn(*values), "while_loop: cond_fn"):
        out = body_fn(*values)
        values = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        if len(values) != len(carried_inputs):
            raise RuntimeError(f"while_loop: body_fn returned {len(values)} values for "
                               f"{len(carried_inputs)} carried inputs")
    return out


def typename(obj: Any) -> str:
    """Return the type of ``obj`` as a string: a tensor's ``type()`` (PyTorch's legacy tensor
    type name under this package's name, ``autograd_core.FloatTensor``), else the class's
    module and qualified name.

    Example::

        >>> import autograd_core as ag
        >>> ag.typename(ag.ones(1)), ag.typename(ag.ones(1, dtype=ag.int64)), ag.typename(1.0)
        ('autograd_core.FloatTensor', 'autograd_core.LongTensor', 'float')
    """
    return obj.type() if isinstance(obj, Tensor) else type_name(obj)


def is_signed(input: Tensor) -> builtins.bool:
    """Return True if ``input``'s dtype is signed (floats, complex and signed integers).

    Example::

        >>> import autograd_core as ag
        >>> ag.is_signed(ag.ones(1)), ag.is_signed(ag.ones(1, dtype=ag.uint8))
        (True, False)
    """
    return input.is_signed()


def get_device(input: Tensor) -> builtins.int:
    """Return the index of ``input``'s device: ``-1``, the CPU (the only device here).

    Example::

        >>> import autograd_core as ag
        >>> ag.get_device(ag.ones(1))
        -1
    """
    return input.get_device()
