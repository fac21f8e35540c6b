"""PyTorch's ``torch.nn.modules.<file>`` paths (``nn.modules.loss._Loss``,
``nn.modules.batchnorm._BatchNorm``, ``nn.modules.conv._ConvNd``, ``nn.modules.rnn.LSTM``):
programs subclass the private bases and test ``isinstance`` against them through these paths.

Each ``nn.modules.<file>`` is a small module that finds a name in the project's file holding
PyTorch's file's classes, then in ``nn`` itself; ``import nn.modules.loss`` works as well as
attribute access.

Example::

    >>> import nn
    >>> from nn.modules.loss import _Loss
    >>> issubclass(nn.MSELoss, _Loss), nn.modules.rnn.LSTM is nn.LSTM
    (True, True)
    >>> isinstance(nn.BatchNorm1d(3), nn.modules.batchnorm._BatchNorm)
    True
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

#: PyTorch's file under torch/nn/modules -> the project's module(s) holding its classes
FILES: dict[str, str | tuple[str, ...]] = {
    "module": "nn.module", "container": "nn.containers", "linear": "nn.layers.linear",
    "flatten": "nn.layers.linear", "conv": "nn.layers.conv",
    "activation": "nn.layers.activation", "batchnorm": "nn.layers.normalization",
    "instancenorm": "nn.layers.normalization", "normalization": "nn.layers.normalization",
    "pooling": ("nn.layers.pooling", "nn.layers.classic"), "padding": "nn.layers.padding",
    "dropout": "nn.layers.dropout", "rnn": "nn.layers.rnn", "sparse": "nn.layers.sparse",
    "distance": "nn.layers.distance", "upsampling": "nn.layers.upsampling",
    "pixelshuffle": "nn.layers.upsampling", "transformer": "nn.layers.transformer",
    "loss": "nn.losses", "lazy": "nn.layers.lazy", "adaptive": "nn.layers.adaptive",
}


def _file_module(file: str) -> types.ModuleType:
    name = f"{__name__}.{file}"
    sources = FILES[file]
    sources = (sources,) if isinstance(sources, str) else sources
    mod = types.ModuleType(name, f"PyTorch's torch.nn.modules.{file}: the project's "
                                 f"{', '.join(sources)}, then nn.")

    def __getattr__(attr: str) -> Any:
        if not attr.startswith("__"):
            for source in (*sources, "nn"):
                try:
                    return getattr(importlib.import_module(source), attr)
                except (ImportError, AttributeError):
                    continue
        raise AttributeError(f"module {name!r} has no attribute {attr!r}")

    mod.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules.setdefault(name, mod)
    return mod


for _file in FILES:
    globals()[_file] = _file_module(_file)
__all__ = list(FILES)
