"""``autograd_core.compiler``: the parts of PyTorch's ``torch.compiler`` that library and model
code calls to ask about or steer compilation (``is_compiling()``, ``@disable``). Here nothing is
compiled by a tracer of Python code: ``ag.compile`` captures whole training steps by running
them, so code always runs as written; these report "not compiling" and leave functions as
they are.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["is_compiling", "is_dynamo_compiling", "is_exporting", "disable", "allow_in_graph",
           "assume_constant_result", "reset"]


def is_compiling() -> bool:
    """Whether the code runs under a PyTorch compiler's tracing: never here.

    Example::

        >>> import autograd_core as ag
        >>> ag.compiler.is_compiling()
        False
    """
    return False


def is_dynamo_compiling() -> bool:
    """Whether TorchDynamo is tracing: never here.

    Example::

        >>> import autograd_core as ag
        >>> ag.compiler.is_dynamo_compiling()
        False
    """
    return False


def is_exporting() -> bool:
    """Whether ``torch.export`` is tracing: never here.

    Example::

        >>> import autograd_core as ag
        >>> ag.compiler.is_exporting()
        False
    """
    return False


def disable(fn: Callable | None = None, recursive: bool = True, *,
            reason: str | None = None) -> Any:
    """Mark ``fn`` as not to be compiled (a decorator, with or without arguments): returns it
    unchanged, since nothing here compiles Python functions.

    Example::

        >>> import autograd_core as ag
        >>> @ag.compiler.disable
        ... def f(x):
        ...     return x + 1
        >>> f(1)
        2
    """
    if fn is None:
        return lambda f: f
    return fn


def allow_in_graph(fn: Callable) -> Callable:
    """PyTorch's hint to put ``fn`` in a compiled graph as is: returns ``fn``.

    Example::

        >>> import autograd_core as ag
        >>> ag.compiler.allow_in_graph(abs)(-2)
        2
    """
    return fn


def assume_constant_result(fn: Callable) -> Callable:
    """PyTorch's hint that ``fn``'s result is a constant while compiling: returns ``fn``.

    Example::

        >>> import autograd_core as ag
        >>> ag.compiler.assume_constant_result(len)([1, 2])
        2
    """
    return fn


def reset() -> None:
    """Clear PyTorch's compilation caches: nothing to clear here (``ag.compile``'s cache
    belongs to each compiled step).

    Example::

        >>> import autograd_core as ag
        >>> ag.compiler.reset()
    """
