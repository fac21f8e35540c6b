"""``torch.cond``: structured control flow, run eagerly here (the branch the predicate picks is
called on the operands; gradients flow through what it computes)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from autograd_core.ops.registry import refuse_capture
from autograd_core.tensor import Tensor

__all__ = ["cond"]


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
