"""``autograd_core.autograd.profiler``: PyTorch's older profiler entry points
(``torch.autograd.profiler.profile`` / ``record_function``), on :mod:`autograd_core.profiler`
(only ``record_function`` ranges are timed)."""

from __future__ import annotations

from typing import Any

from autograd_core import profiler as _profiler
from autograd_core.profiler import EventList, FunctionEventAvg, record_function

__all__ = ["profile", "record_function", "EventList", "FunctionEventAvg"]


class profile(_profiler.profile):  # noqa: N801 - PyTorch's name
    """``torch.autograd.profiler.profile``: records while ``enabled`` (the other options are
    accepted and ignored, see :mod:`autograd_core.profiler`).

    Example::

        >>> import autograd_core as ag
        >>> with ag.autograd.profiler.profile() as prof:
        ...     with ag.autograd.profiler.record_function("fwd"):
        ...         pass
        >>> [e.key for e in prof.key_averages()]
        ['fwd']
    """

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, use_device: Any = None,
                 record_shapes: bool = False, with_flops: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_modules: bool = False, use_kineto: bool = False, use_cpu: bool = True,
                 experimental_config: Any = None, acc_events: bool = False,
                 custom_trace_id_callback: Any = None,
                 post_processing_timeout_s: float | None = None,
                 activity_filters: Any = None) -> None:
        super().__init__(record_shapes=record_shapes, profile_memory=profile_memory,
                         with_stack=with_stack)
        self.enabled = enabled

    def __enter__(self) -> profile:
        if self.enabled:
            self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.enabled:
            self.stop()
