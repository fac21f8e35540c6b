"""numpy's floating-point warnings kept out of the ops, as PyTorch is silent, at no cost per op.

``inf * 0``, ``0 / 0``, ``log(0)``, an exploding matmul or ``inf + -inf`` in a sum give
numpy's ``RuntimeWarning`` (an error under ``warnings.simplefilter("error")``); PyTorch gives
the same inf and NaN silently. Three parts, none of which runs on an op's ordinary path:

* ``install()`` (at import; ``ensure()`` at each backward pass puts it back if a
  ``catch_warnings`` block around the import dropped it) adds one warnings filter: numpy's
  floating-point warnings
  ("... encountered in ...") raised from a line of ``autograd_core``, ``nn`` or
  ``optimizers`` are ignored. A warning is attributed to the frame that ran the ufunc, so the
  user's own numpy code warns as before. Python looks at the filters only when a warning is
  raised: an op that raises none pays nothing.
* where a user's filter turns warnings into errors (``simplefilter("error")``, pytest's
  ``-W error``), it comes first and the filter above no longer applies: an op's forward that
  raises numpy's ``RuntimeWarning`` (or ``FloatingPointError``, under the user's
  ``np.errstate(...="raise")``) is run again with numpy's error state set to ignore
  (``Node.apply``, ``node.operator``: an ``except`` clause, free when nothing is raised), and
  a backward pass runs with that state throughout (``run_backward``: one ``enter``/``leave``
  a pass, ~0.3 us).
* ``quiet(fn)``: ``fn`` with the ignore state while it runs (~0.2 us a call), for casts in
  tensor creation.

A context that records every warning (``pytest.warns``, ``catch_warnings(record=True)``
with ``simplefilter("always")``) also comes first: it records numpy's warnings from the ops.
The ignore state is set through numpy 2's error-state context variable (thread- and
exception-safe, as ``np.errstate``, ~0.25 us against ~0.9 us); without it, ``np.errstate``.
The user's own ``np.seterr``/``np.errstate`` is untouched outside these scopes.
"""

from __future__ import annotations

import functools
import re
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

    @functools.wraps(fn)
    def quiet_fn(*args: Any, **kwargs: Any) -> Any:
        token = enter()
        try:
            return fn(*args, **kwargs)
        finally:
            leave(token)

    quiet_fn._quiet = True  # type: ignore[attr-defined]
    return quiet_fn


def ignoring(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` with numpy's floating-point warnings ignored, for numpy's
    reductions that run through its own Python wrappers (``np.mean``, ``np.var``, ``np.prod``,
    ``np.cumsum``, ``ndarray.mean``): their warnings name numpy's file, not the op's line, so
    the filter above cannot tell them from the user's own numpy code (a forward ``mean`` of
    ``[inf, -inf]`` warned "invalid value encountered in reduce"). ~0.25 us a call; a plain
    sum calls ``np.add.reduce`` from the op's line instead (free)."""
    token = enter()
    try:
        return fn(*args, **kwargs)
    finally:
        leave(token)


def enter() -> Any:
    """Set numpy's error state to ignore; returns the token ``leave`` restores it with."""
    if _STATE is None:  # pragma: no cover - numpy 1.x
        scope = np.errstate(all="ignore")
        scope.__enter__()
        return scope
    return _STATE.set(_IGNORE)


def leave(token: Any) -> None:
    """Restore numpy's error state as ``enter`` found it."""
    if _STATE is None:  # pragma: no cover - numpy 1.x
        token.__exit__(None, None, None)
    else:
        _STATE.reset(token)


#: numpy's floating-point warnings, by their text
NUMPY_FP_WARNING = r"(overflow|invalid value|divide by zero|underflow) encountered in "


def install() -> None:
    """The warnings filter that ignores numpy's floating-point warnings raised from a line of
    the project's packages (see the module), added after the filters already there (the
    user's own come first) unless it is there already."""
    import warnings

    warnings.filterwarnings("ignore", message=NUMPY_FP_WARNING, category=RuntimeWarning,
                            module=_MODULES, append=True)


def ensure() -> None:
    """``install()`` again if the filter is gone: ``autograd_core`` imported inside a
    ``warnings.catch_warnings()`` block (pytest's collection, a user's) loses it when the
    block ends. Called once a backward pass (a list lookup, ~0.1 us)."""
    import warnings

    if _ENTRY not in warnings.filters:
        install()


_MODULES = r"(autograd_core|nn|optimizers)(\.|$)"
#: the filter as the warnings module keeps it
_ENTRY = ("ignore", re.compile(NUMPY_FP_WARNING, re.I), RuntimeWarning, re.compile(_MODULES), 0)
