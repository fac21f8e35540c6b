"""Grad mode (``no_grad``/``enable_grad``) and anomaly mode switches.

Both are per thread, as in PyTorch: ``no_grad`` in one thread leaves every other thread
recording, a new thread starts with grad mode on, and ``backward`` (which records only under
``create_graph``) switches recording off for its own thread alone. The hot path reads
``STATE.enabled`` once per op: an attribute of a ``threading.local`` whose class attributes are
each new thread's defaults.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Literal, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


class _State(threading.local):
    enabled = True
    anomaly = False
    #: the ``(pack_hook, unpack_hook)`` pairs of active ``autograd.graph.saved_tensors_hooks``
    #: contexts, innermost last (an empty tuple: values are saved as they are)
    saved_hooks: tuple = ()
    #: the message of an active ``disable_saved_tensors_hooks`` (None: hooks allowed)
    saved_hooks_disabled: str | None = None
    #: ``(create_graph, inputs given)`` of the backward pass running (None: none runs), for
    #: rules that run a pass of their own (``utils.checkpoint``)
    backward_pass: tuple | None = None
    #: the ``engine.GraphTask`` of the pass running, while hooks that need it exist
    graph_task: Any = None
    #: inside ``inference_mode()`` (not ``inference_mode(False)``, not plain ``no_grad``)
    inference = False
    #: inside ``detect_anomaly`` (``anomaly`` is whether ops check for NaN/Inf: not with
    #: ``check_nan=False``)
    anomaly_mode = False


STATE = _State()


def is_grad_enabled() -> bool:
    """Return True if operations are recorded for autograd in this thread (grad mode is on).

    Example::

        >>> import autograd_core as ag
        >>> ag.is_grad_enabled()
        True
        >>> with ag.no_grad():
        ...     ag.is_grad_enabled()
        False
    """
    return STATE.enabled


class _GradModeContext:
    """Context manager and decorator (``@no_grad()`` and ``@no_grad`` both work)."""

    _mode: bool = False

    def __new__(cls, func: Any = None) -> Any:
        self = super().__new__(cls)
        if callable(func):  # used as a bare decorator: @no_grad
            return self(func)
        return self

    def __init__(self, func: Any = None) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> Any:
        self._prev.append(STATE.enabled)
        STATE.enabled = self._mode
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        STATE.enabled = self._prev.pop()
        return False

    def __call__(self, func: _F) -> _F:
        mode = self._mode
        if inspect.isgeneratorfunction(func):  # the mode holds in the body, not the caller
            return _generator_in_mode(func, mode)  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = STATE.enabled
            STATE.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                STATE.enabled = prev

        return wrapper  # type: ignore[return-value]


def _generator_in_mode(func: Callable[..., Any], mode: bool) -> Callable[..., Any]:
    """A generator function whose body runs in grad mode ``mode`` each time it resumes (as
    PyTorch's decorators): the caller's mode between its steps is the caller's. Calling the
    generator function itself only makes the generator, so wrapping that call, as for a
    function, left the body in the caller's mode (``@no_grad()`` on a sampling generator
    recorded every step)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gen = func(*args, **kwargs)
        sent: Any = None
        throw = False
        while True:
            prev = STATE.enabled
            STATE.enabled = mode
            try:
                item = gen.throw(sent) if throw else gen.send(sent)
            except StopIteration as stop:
                return stop.value
            finally:
                STATE.enabled = prev
            try:
                sent, throw = (yield item), False
            except GeneratorExit:
                prev = STATE.enabled
                STATE.enabled = mode
                try:
                    gen.close()
                finally:
                    STATE.enabled = prev
                raise
            except BaseException as exc:  # thrown in by the caller: into the body
                sent, throw = exc, True

    return wrapper


class no_grad(_GradModeContext):
    """Context manager (and decorator) that disables gradient recording.

    Inside it ops run on the data only and their results do not require grad, even when their
    inputs do: use it for evaluation and for updating parameters by hand. Grad mode is
    per thread. ``@no_grad`` and ``@no_grad()`` both decorate a function.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0], requires_grad=True)
        >>> with ag.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
        >>> @ag.no_grad()
        ... def double(t):
        ...     return t * 2
        >>> double(x).requires_grad
        False
    """

    _mode = False


class enable_grad(_GradModeContext):
    """Context manager (and decorator) that re-enables gradient recording inside ``no_grad``.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0], requires_grad=True)
        >>> with ag.no_grad():
        ...     with ag.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``: called as a function it switches the mode for this thread
    from then on; as a context manager (or decorator) it restores the mode it found.

    As in PyTorch, the switch happens when it is called (``set_grad_enabled(False)`` alone turns
    recording off); leaving a ``with`` block restores the mode of that moment.

    Args:
        mode (bool): True to record operations, False not to.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0], requires_grad=True)
        >>> training = False
        >>> with ag.set_grad_enabled(training):
        ...     y = x * 2
        >>> y.requires_grad
        False
        >>> _ = ag.set_grad_enabled(False)
        >>> (x * 2).requires_grad
        False
        >>> _ = ag.set_grad_enabled(True)
        >>> ag.is_grad_enabled()
        True
    """

    def __new__(cls, mode: bool) -> Any:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev_mode = STATE.enabled
        STATE.enabled = self._mode

    def __enter__(self) -> Any:
        STATE.enabled = self._mode
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        STATE.enabled = self._prev_mode
        return False

    def __call__(self, func: _F) -> _F:
        STATE.enabled = self._prev_mode  # making the decorator changes nothing
        return super().__call__(func)

    def __repr__(self) -> str:
        return f"autograd_core.set_grad_enabled(mode={self._mode})"


class inference_mode(_GradModeContext):
    """Context manager (and decorator) under which nothing is recorded, as under ``no_grad``.

    tapegrad has no separate inference tensors, so here the two record alike (PyTorch's
    inference tensors cannot be used in autograd later; these can).
    ``inference_mode(False)`` turns recording on, as PyTorch's (inside ``no_grad`` too), and
    ``is_inference_mode_enabled()`` is True only inside ``inference_mode()``.

    Args:
        mode (bool): True to turn recording off. Default: True.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([1.0], requires_grad=True)
        >>> with ag.inference_mode():
        ...     y = x * 2
        >>> y.requires_grad, ag.is_inference_mode_enabled()
        (False, False)
    """

    _saved: list[tuple[bool, bool]]

    def __new__(cls, mode: Any = True) -> Any:
        self = object.__new__(cls)
        self._saved = []
        self._mode = False
        if callable(mode):  # used as a bare decorator: @inference_mode
            return self(mode)
        self._mode = not mode  # grad mode: off in inference mode, on in inference_mode(False)
        return self

    def __init__(self, mode: Any = True) -> None:
        pass

    def __enter__(self) -> Any:
        self._saved.append((STATE.enabled, STATE.inference))
        STATE.enabled, STATE.inference = self._mode, not self._mode
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        STATE.enabled, STATE.inference = self._saved.pop()
        return False

    def __call__(self, func: _F) -> _F:
        if inspect.isgeneratorfunction(func):
            return super().__call__(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(not self._mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def is_inference_mode_enabled() -> bool:
    """Return True inside ``inference_mode()`` in this thread (False under plain ``no_grad``
    and inside ``inference_mode(False)``, as PyTorch's).

    Example::

        >>> import autograd_core as ag
        >>> with ag.inference_mode():
        ...     ag.is_inference_mode_enabled()
        True
    """
    return STATE.inference


_MULTITHREADING = threading.local()


def is_multithreading_enabled() -> bool:
    """Whether :class:`set_multithreading_enabled` allows a multithreaded backward in this
    thread (True by default). tapegrad's backward runs in the calling thread either way.

    Example::

        >>> import autograd_core as ag
        >>> ag.autograd.is_multithreading_enabled()
        True
    """
    return getattr(_MULTITHREADING, "enabled", True)


class set_multithreading_enabled:  # noqa: N801 - PyTorch's name
    """PyTorch's switch of multithreaded backward, as a function or a context manager
    (restoring the previous setting on exit); recorded per thread. tapegrad's backward always
    runs in the calling thread, so the setting changes no result.

    Args:
        mode (bool): allow multithreaded backward.

    Example::

        >>> import autograd_core as ag
        >>> with ag.autograd.set_multithreading_enabled(False):
        ...     ag.autograd.is_multithreading_enabled()
        False
        >>> ag.autograd.is_multithreading_enabled()
        True
    """

    def __init__(self, mode: bool) -> None:
        self.prev = is_multithreading_enabled()
        self.mode = mode
        _MULTITHREADING.enabled = bool(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _MULTITHREADING.enabled = self.prev

    def clone(self) -> set_multithreading_enabled:
        return self.__class__(self.mode)


def is_view_replay_enabled() -> bool:
    """False: tapegrad does not replay views (PyTorch's view-replay switch is off by default).

    Example::

        >>> import autograd_core as ag
        >>> ag.autograd.is_view_replay_enabled()
        False
    """
    return False
