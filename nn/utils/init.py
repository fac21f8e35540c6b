"""``nn.utils.skip_init``, as ``torch.nn.utils.skip_init``: a module made without running its
parameters' initialisation."""

from __future__ import annotations

import inspect
from typing import Any

from autograd_core.random import fork_rng
from nn.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """Return ``module_cls(*args, **kwargs)`` with uninitialised parameters and buffers, as
    PyTorch's: the class must take a ``device`` argument. PyTorch builds it on the meta device;
    here it is built normally with the random state restored afterwards (so no draw is used up,
    as in PyTorch), then emptied with ``to_empty``.

    Example::

        >>> import nn
        >>> m = nn.utils.skip_init(nn.Linear, 5, 1)
        >>> m.weight.shape, m.weight.requires_grad
        (autograd_core.Size([1, 5]), True)
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    with fork_rng():
        module = module_cls(*args, **kwargs)
    return module.to_empty(device=final_device)
