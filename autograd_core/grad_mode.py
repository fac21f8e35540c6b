"""Grad mode (``no_grad``/``enable_grad``) and anomaly mode switches.

Both are per thread, as in PyTorch: ``no_grad`` in one thread leaves every other thread
recording, a new thread starts with grad mode on, and ``backward`` (which records only under
``create_graph``) switches recording off for its own thread alone. The hot path reads
``STATE.enabled`` once per op: an attribute of a ``threading.local`` whose class attributes are
each new thread's defaults.
"""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True
    anomaly = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.enabled


class _GradModeContext:
    """Context manager and decorator (``@no_grad()`` and ``@no_grad`` both work)."""

    _mode: bool = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if callable(func):  # used as a bare decorator: @no_grad
            return self(func)
        return self

    def __init__(self, func=None):
        self._prev = []

    def __enter__(self):
        self._prev.append(STATE.enabled)
        STATE.enabled = self._mode
        return self

    def __exit__(self, *exc):
        STATE.enabled = self._prev.pop()
        return False

    def __call__(self, func):
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = STATE.enabled
            STATE.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                STATE.enabled = prev

        return wrapper


class no_grad(_GradModeContext):
    """Disable recording: ops run on the data only and their results do not require grad."""

    _mode = False


class enable_grad(_GradModeContext):
    """Re-enable recording inside a ``no_grad`` region."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """``with set_grad_enabled(flag):`` sets grad mode to ``flag``."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self._prev = []
        self._mode = bool(mode)


class inference_mode(_GradModeContext):
    """``with inference_mode():`` (or as a decorator, bare or called): nothing is recorded, as
    under ``no_grad`` — tapegrad has no separate inference tensors, so here the two are the
    same. ``inference_mode(False)`` leaves grad mode as it is (PyTorch's meaning)."""

    def __new__(cls, mode=True):
        self = object.__new__(cls)
        self._prev = []
        self._active = True
        if callable(mode):  # used as a bare decorator: @inference_mode
            return self(mode)
        self._active = bool(mode)
        return self

    def __init__(self, mode=True):
        pass

    def __enter__(self):
        self._prev.append(STATE.enabled)
        if self._active:
            STATE.enabled = False
        return self

    def __call__(self, func):
        return super().__call__(func) if self._active else func


def is_inference_mode_enabled() -> bool:
    """Whether recording is off in this thread (inference mode and no_grad are one here)."""
    return not STATE.enabled
