"""numpy's floating-point warnings off inside the ops, as PyTorch is silent.

``inf * 0``, ``0 / 0``, ``log(0)``, an exploding matmul or ``inf + -inf`` in a sum give
numpy's ``RuntimeWarning`` (an error under ``warnings.simplefilter("error")``); PyTorch gives
the same inf and NaN silently. ``quiet(fn)`` runs ``fn`` with numpy's error state set to ignore,
for that call only: the user's own setting (``np.seterr``, ``np.errstate``) is untouched
outside the op. ``quiet_nodes`` applies it once, when ``autograd_core`` and ``nn`` have
imported, to every node class's ``forward`` and rules (``Node.__init_subclass__`` would be the
one place for it; node.py is being reworked as this is written).

Cost (numpy 2.4, one element, a loaded 2-core machine): ``with np.errstate(all="ignore")``
is ~2 us a call, most of an op's budget. numpy 2 keeps its error state in a context variable;
setting it to an ignore state made once and resetting it is ~0.2 us, thread-safe and
exception-safe like ``np.errstate``; a ufunc runs ~0.15 us slower under any state but the
default, and the ``*args`` wrapper's frame adds the rest (``quiet_binary``, the operators',
has none): ~0.4-0.5 us an op in all. Without that variable (another numpy), ``np.errstate``.
The ops' own ``np.errstate`` blocks inside quiet methods are now redundant (each ~1-2 us);
the logarithms' are gone, the others remain.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

try:  # numpy >= 2.0
    from numpy._core._ufunc_config import _extobj_contextvar as _STATE  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - numpy 1.x
    _STATE = None

if _STATE is not None:
    with np.errstate(all="ignore"):
        _IGNORE = _STATE.get()


def quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with numpy's floating-point warnings ignored while it runs (see the module)."""
    if getattr(fn, "_quiet", False):
        return fn
    if _STATE is None:  # pragma: no cover - numpy 1.x

        @functools.wraps(fn)
        def quiet_fn(*args, **kwargs):
            with np.errstate(all="ignore"):
                return fn(*args, **kwargs)
    else:
        enter, leave, ignore = _STATE.set, _STATE.reset, _IGNORE

        @functools.wraps(fn)
        def quiet_fn(*args, **kwargs):
            token = enter(ignore)
            try:
                return fn(*args, **kwargs)
            finally:
                leave(token)

    quiet_fn._quiet = True  # type: ignore[attr-defined]
    return quiet_fn


#: what runs an op's numbers: its forward and its rules (``plain_backward`` and
#: ``complex_backward`` are the rules ``Node.__init_subclass__`` picked for the engine). The
#: operators' ``ufunc`` (``node.operator``'s path) is quiet where it is declared (ops/binary.py):
#: the operators are wired before this runs
_RUN = ("forward", "backward", "fused_backward", "plain_backward", "complex_backward")


def quiet_binary(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``quiet(fn)`` for a function of two positional arguments (the operators' ufuncs):
    without ``*args``/``**kwargs``, ~0.3 us cheaper a call."""
    if _STATE is None:  # pragma: no cover - numpy 1.x
        return quiet(fn)
    enter, leave, ignore = _STATE.set, _STATE.reset, _IGNORE

    def quiet_fn(a, b):
        token = enter(ignore)
        try:
            return fn(a, b)
        finally:
            leave(token)

    quiet_fn.__name__ = quiet_fn.__qualname__ = getattr(fn, "__name__", "quiet_fn")
    quiet_fn._quiet = True  # type: ignore[attr-defined]
    return quiet_fn


def quiet_methods(cls: type) -> type:
    """``cls`` with what runs its numbers quiet (``_RUN``; inherited ones wrapped on ``cls``)."""
    for name in _RUN:
        fn = getattr(cls, name, None)
        if fn is not None and callable(fn) and not getattr(fn, "_quiet", False):
            setattr(cls, name, quiet(fn))
    return cls


#: node classes whose forward and backward are the user's code (``ag.Function``): numpy
#: warns there as it would outside
_USER_CODE = ("autograd_core.function",)


def quiet_nodes() -> None:
    """Every node class of the project imported so far, quiet (``quiet_methods``): called at
    the end of ``autograd_core``'s and ``nn``'s imports; classes made later inherit it."""
    from autograd_core.node import Node

    todo = list(Node.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.partition(".")[0] in ("autograd_core", "nn") and \
                cls.__module__ not in _USER_CODE:
            quiet_methods(cls)
