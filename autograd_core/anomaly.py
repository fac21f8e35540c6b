"""``detect_anomaly``: name the op that first produced NaN or Inf, in forward or backward."""

from __future__ import annotations

from autograd_core.grad_mode import STATE


class detect_anomaly:
    """Context manager (and decorator). Inside it every op checks its forward output, and every
    node checks the gradients its backward returns; the first NaN/Inf raises a RuntimeError that
    names the op and, for backward, where its forward was recorded. Slow: for debugging."""

    def __init__(self, check_nan=True):
        self.check = check_nan
        self._prev = []

    def __enter__(self):
        self._prev.append(STATE.anomaly)
        STATE.anomaly = bool(self.check)
        return self

    def __exit__(self, *exc):
        STATE.anomaly = self._prev.pop()
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check):
                return fn(*args, **kwargs)

        return wrapper


def is_anomaly_enabled() -> bool:
    a = STATE.anomaly
    return a if a is True or not a else a.anomaly  # while ag.compile traces: its flag
