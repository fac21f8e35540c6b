"""A table of every algorithm with its constructor defaults and state size, and helpers to
build an optimizer over bare numpy arrays (for benchmarks and experiments without a model).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizers.adadelta import Adadelta
from optimizers.adagrad import Adagrad
from optimizers.adam import Adam, AdamW
from optimizers.adamax import Adamax
from optimizers.asgd import ASGD
from optimizers.nadam import NAdam
from optimizers.radam import RAdam
from optimizers.rmsprop import RMSprop
from optimizers.rprop import Rprop
from optimizers.sgd import SGD

__all__ = ["AlgorithmSpec", "ALGORITHMS", "ArrayParam", "as_params", "build", "state_bytes_for"]


@dataclass(frozen=True)
class AlgorithmSpec:
    """``cls`` with ``kwargs`` (PyTorch's defaults plus whatever makes the entry distinct) and
    ``state_arrays``, the number of parameter-sized state arrays it keeps (the memory figure the
    generic tests hold it to). ``torch_name``: the ``torch.optim`` class (default: same name)."""

    cls: type
    kwargs: dict = field(default_factory=dict)
    state_arrays: int = 0
    torch_name: str = ""

    def __post_init__(self):
        if not self.torch_name:
            object.__setattr__(self, "torch_name", self.cls.__name__)


# Every algorithm and variant the generic tests (tests/optimizers/test_generic.py) and the
# bench read: one line per entry.
ALGORITHMS: dict[str, AlgorithmSpec] = {
    "sgd": AlgorithmSpec(SGD, dict(lr=1e-3), 0),
    "sgd_momentum": AlgorithmSpec(SGD, dict(lr=1e-3, momentum=0.9), 1),
    "sgd_nesterov": AlgorithmSpec(SGD, dict(lr=1e-3, momentum=0.9, nesterov=True), 1),
    "adagrad": AlgorithmSpec(Adagrad, dict(lr=1e-2), 1),
    "rmsprop": AlgorithmSpec(RMSprop, dict(lr=1e-2), 1),
    "rmsprop_centered_momentum": AlgorithmSpec(RMSprop, dict(lr=1e-2, centered=True,
                                                             momentum=0.9), 3),
    "adadelta": AlgorithmSpec(Adadelta, dict(lr=1.0), 2),
    "adam": AlgorithmSpec(Adam, dict(lr=1e-3), 2),
    "amsgrad": AlgorithmSpec(Adam, dict(lr=1e-3, amsgrad=True), 3),
    "adamw": AlgorithmSpec(AdamW, dict(lr=1e-3), 2),
    "adamax": AlgorithmSpec(Adamax, dict(lr=2e-3), 2),
    "nadam": AlgorithmSpec(NAdam, dict(lr=2e-3), 2),
    "radam": AlgorithmSpec(RAdam, dict(lr=1e-3), 2),
    "rprop": AlgorithmSpec(Rprop, dict(lr=1e-2), 2),
    "asgd": AlgorithmSpec(ASGD, dict(lr=1e-2), 1),
}


class ArrayParam:
    """Minimal parameter over a numpy array: ``._data``, ``.grad`` (None or ArrayParam-like with
    ``._data``), ``.shape``, ``.dtype``, identity hashing. Used when no autograd Tensor is wanted."""

    __slots__ = ("_data", "grad", "requires_grad", "__weakref__")

    def __init__(self, data, requires_grad=True):
        self._data = data
        self.grad = None
        self.requires_grad = requires_grad

    @property
    def shape(self):
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype


class _Grad:
    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data


def as_params(arrays, grads=None):
    """Wrap arrays (updated in place) as parameters; ``grads`` (arrays) become their ``.grad``."""
    params = [ArrayParam(a) for a in arrays]
    if grads is not None:
        for p, g in zip(params, grads):
            p.grad = _Grad(g)
    return params


def build(name: str, arrays, grads=None, **overrides):
    """``(optimizer, params)``: algorithm ``name`` from ``ALGORITHMS`` over ``arrays``."""
    spec = ALGORITHMS[name]
    params = as_params(arrays, grads)
    kwargs = dict(spec.kwargs)
    kwargs.update(overrides)
    return spec.cls(params, **kwargs), params


def state_bytes_for(name: str, numel: int, dtype=np.float32) -> int:
    """Bytes of state the algorithm keeps for ``numel`` parameters."""
    return ALGORITHMS[name].state_arrays * numel * np.dtype(dtype).itemsize
