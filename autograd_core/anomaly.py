"""``detect_anomaly``: name the op that first produced NaN or Inf, in forward or backward."""

from __future__ import annotations

from typing import Any, Callable, Literal

from autograd_core.grad_mode import STATE


class detect_anomaly:
    """Context manager (and decorator) that finds the op producing NaN or Inf.

    Inside it every op checks its forward output, and every node checks the gradients its
    backward returns; the first NaN or Inf raises a ``RuntimeError`` naming the op and, for
    backward, where its forward was recorded. Slow: for debugging.

    Args:
        check_nan (bool): check (True) or not. Default: True.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([-1.0], requires_grad=True)
        >>> with ag.detect_anomaly():
        ...     try:
        ...         y = x.log()
        ...     except RuntimeError as e:
        ...         print(str(e).splitlines()[0])
        detect_anomaly: function 'Log' produced nan values in its forward output (shape (1,)).
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check = check_nan
        self._prev: list[tuple[Any, bool]] = []

    def __enter__(self) -> detect_anomaly:
        self._prev.append((STATE.anomaly, STATE.anomaly_mode))
        STATE.anomaly = bool(self.check)  # (what the ops check: NaN/Inf checking on)
        STATE.anomaly_mode = True  # (is_anomaly_enabled: on with check_nan=False too)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        STATE.anomaly, STATE.anomaly_mode = self._prev.pop()
        return False

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.check):
                return fn(*args, **kwargs)

        return wrapper


def is_anomaly_enabled() -> bool:
    """Return True inside ``detect_anomaly`` (``check_nan=False`` too, as PyTorch's).

    Example::

        >>> import autograd_core as ag
        >>> with ag.detect_anomaly():
        ...     ag.is_anomaly_enabled()
        True
    """
    a = STATE.anomaly
    if a is True or not a:
        return STATE.anomaly_mode
    return a.anomaly  # while ag.compile traces: its flag


def is_anomaly_check_nan_enabled() -> bool:
    """Return True inside ``detect_anomaly`` with ``check_nan`` on (the default).

    Example::

        >>> import autograd_core as ag
        >>> with ag.detect_anomaly(check_nan=False):
        ...     ag.is_anomaly_enabled(), ag.is_anomaly_check_nan_enabled()
        (True, False)
    """
    a: Any = STATE.anomaly
    return a is True or (bool(a) and bool(a.anomaly))  # (ag.compile's tracer: its flag)
