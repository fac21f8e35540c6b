"""``DataParallel`` as PyTorch's on a machine without an accelerator: the wrapper runs the wrapped
module unchanged (PyTorch then sets ``device_ids = []`` and forwards the call), so programs that
write ``net = nn.DataParallel(net, device_ids=devices)`` train as before, their ``state_dict``
keys prefixed with ``module.`` as PyTorch's."""

from __future__ import annotations

from typing import Any

from nn.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Wraps ``module``; ``forward`` calls it. Without GPUs (always, here) PyTorch ignores
    ``device_ids``, ``output_device`` and ``dim`` and keeps ``device_ids = []``.

    Args:
        module (Module): the module to run.
        device_ids (list, optional): ignored (no accelerator).
        output_device (int or device, optional): ignored.
        dim (int): ignored. Default: ``0``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> net = nn.DataParallel(nn.Linear(2, 1))
        >>> list(net.state_dict())
        ['module.weight', 'module.bias']
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[Any] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)
