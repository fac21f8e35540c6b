"""``nn.utils.skip_init`` (PyTorch's ``torch.nn.utils.init``)."""

from __future__ import annotations

import inspect
from typing import Any

import autograd_core as ag
from nn.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: Any, *args: Any, **kwargs: Any) -> Module:
    """Build ``module_cls(*args, **kwargs)`` whose parameters and buffers the caller will
    initialise itself (PyTorch's ``skip_init``: their values are unspecified). PyTorch builds
    the module on the meta device and allocates it uninitialised; here it is built normally,
    with the random generator's state restored afterwards, so, as in PyTorch, building it
    draws no random numbers. As PyTorch's, the module must take a ``device`` argument.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> a = ag.rand(1)
        >>> _ = ag.manual_seed(0)
        >>> m = nn.utils.skip_init(nn.Linear, 5, 1)
        >>> m.weight.shape, bool(ag.rand(1) == a)
        (autograd_core.Size([1, 5]), True)
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    state = ag.get_rng_state()
    try:
        return module_cls(*args, **kwargs)
    finally:
        ag.set_rng_state(state)
