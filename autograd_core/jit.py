"""``autograd_core.jit``: PyTorch's TorchScript entry points for programs that use them, without
TorchScript. ``script`` and ``trace`` return what they are given, which then runs eagerly (the
same numbers as PyTorch's scripted code, which computes the same ops); the decorators
(``ignore``, ``unused``, ``export``) leave their function as it is, ``is_scripting()`` and
``is_tracing()`` are ``False``, ``annotate`` returns its value, ``Final`` is ``typing.Final``.
There is no compiled code: a scripted module has no ``save``, ``code`` or ``graph``
(DIFFERENCES.md).

Example::

    >>> import autograd_core as ag
    >>> import nn
    >>> net = ag.jit.script(nn.Linear(2, 1))
    >>> isinstance(net, nn.Linear), ag.jit.is_scripting()
    (True, False)
"""

from __future__ import annotations

import warnings
from typing import Any, Final

__all__ = ["script", "trace", "ignore", "unused", "export", "is_scripting", "is_tracing",
           "annotate", "Final"]


def _deprecated(name: str) -> None:
    warnings.warn(f"`torch.jit.{name}` is deprecated. Please switch to `torch.compile` or "
                  "`torch.export`.", DeprecationWarning, stacklevel=3)


def script(obj: Any, optimize: Any = None, _frames_up: int = 0, _rcb: Any = None,
           example_inputs: Any = None) -> Any:
    """Returns ``obj`` (a function or Module) unchanged: it runs eagerly. Warns as PyTorch's
    (deprecated there)."""
    _deprecated("script")
    return obj


def trace(func: Any, example_inputs: Any = None, *args: Any, **kwargs: Any) -> Any:
    """Returns ``func`` (a function or Module) unchanged: it runs eagerly on any input
    (PyTorch's trace replays the ops recorded for ``example_inputs``). Warns as PyTorch's."""
    _deprecated("trace")
    return func


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """``@ignore`` / ``@ignore(drop=True)``: leaves the function as it is."""
    if callable(drop):
        return drop
    if drop:
        warnings.warn("ignore(True) has been deprecated. TorchScript will now drop the function "
                      "call on compilation. Use torch.jit.unused now.", FutureWarning,
                      stacklevel=2)
    return lambda fn: fn


def unused(fn: Any) -> Any:
    """``@unused``: leaves the function as it is."""
    return fn


def export(fn: Any) -> Any:
    """``@export``: leaves the method as it is."""
    return fn


def is_scripting() -> bool:
    """``False``: code never runs as TorchScript here."""
    return False


def is_tracing() -> bool:
    """``False``: code never runs under ``trace`` here."""
    return False


def annotate(the_type: Any, the_value: Any) -> Any:
    """Returns ``the_value`` (the type is a hint for TorchScript)."""
    return the_value
