"""A table of every algorithm with its constructor defaults and state size, and helpers to
build an optimizer over bare numpy arrays (for benchmarks and experiments without a model).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizers.adadelta import Adadelta
from optimizers.adagrad import Adagrad
from optimizers.adam import Adam, AdamW
from optimizers.adamax import Adamax
from optimizers.asgd import ASGD
from optimizers.nadam import NAdam
from optimizers.optimizer import Optimizer
from optimizers.radam import RAdam
from optimizers.rmsprop import RMSprop
from optimizers.rprop import Rprop
from optimizers.sgd import SGD

__all__ = ["AlgorithmSpec", "ALGORITHMS", "ArrayParam", "as_params", "build", "state_bytes_for"]


@dataclass(frozen=True)
class AlgorithmSpec:
    """``cls`` with ``kwargs`` (PyTorch's defaults plus whatever makes the entry distinct) and
    ``state_arrays``, the number of parameter-sized state arrays it keeps (the memory figure the
    generic tests hold it to). ``torch_name``: the ``torch.optim`` class (default: same name).

    Example::

        >>> from optimizers.registry import ALGORITHMS
        >>> spec = ALGORITHMS["adam"]
        >>> spec.cls.__name__, spec.kwargs, spec.state_arrays, spec.torch_name
        ('Adam', {'lr': 0.001}, 2, 'Adam')
    """

    cls: type
    kwargs: dict = field(default_factory=dict)
    state_arrays: int = 0
    torch_name: str = ""

    def __post_init__(self) -> None:
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
    """Minimal parameter over a numpy array: ``.data`` (the array itself), ``.grad`` (None or
    ArrayParam-like), ``.shape``, ``.dtype``, identity hashing. Used when no autograd Tensor is wanted.

    Args:
        data (numpy.ndarray): the values, updated in place by the optimizer.
        requires_grad (bool): kept for the optimizer's checks. Default: ``True``.

    Example::

        >>> import numpy as np
        >>> from optimizers.registry import ArrayParam
        >>> p = ArrayParam(np.zeros((2, 3), np.float32))
        >>> p.shape, p.dtype, p.grad
        ((2, 3), dtype('float32'), None)
    """

    __slots__ = ("_data", "grad", "requires_grad", "__weakref__")

    def __init__(self, data: np.ndarray, requires_grad: bool = True) -> None:
        self._data = data  # the slot the optimizers read, as on a Tensor
        self.grad: Any = None
        self.requires_grad = requires_grad

    @property
    def data(self) -> np.ndarray:
        return self._data

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype


class _Grad:
    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data

    @property
    def data(self) -> np.ndarray:
        return self._data


def as_params(arrays: Iterable[np.ndarray],
              grads: Iterable[np.ndarray] | None = None) -> list[ArrayParam]:
    """Wraps arrays (updated in place) as parameters; ``grads`` (arrays) become their ``.grad``.

    Args:
        arrays (iterable of numpy.ndarray): the parameter values.
        grads (iterable of numpy.ndarray, optional): their gradients, in the same order.

    Example::

        >>> import numpy as np
        >>> from optimizers.registry import as_params
        >>> [p] = as_params([np.ones(2)], [np.full(2, 0.5)])
        >>> p.grad.data
        array([0.5, 0.5])
    """
    params = [ArrayParam(a) for a in arrays]
    if grads is not None:
        for p, g in zip(params, grads):
            p.grad = _Grad(g)
    return params


def build(name: str, arrays: Iterable[np.ndarray], grads: Iterable[np.ndarray] | None = None,
          **overrides: Any) -> tuple[Optimizer, list[ArrayParam]]:
    """Returns ``(optimizer, params)``: algorithm ``name`` from ``ALGORITHMS`` over ``arrays``.

    Args:
        name (str): a key of ``ALGORITHMS`` (``"adam"``, ``"sgd_momentum"``, ...).
        arrays (iterable of numpy.ndarray): the parameters, updated in place.
        grads (iterable of numpy.ndarray, optional): their gradients.
        overrides: hyperparameters replacing the entry's.

    Example::

        >>> import numpy as np
        >>> from optimizers.registry import build
        >>> opt, params = build("sgd", [np.ones(3)], [np.full(3, 2.0)], lr=0.1)
        >>> opt.step()
        >>> params[0].data
        array([0.8, 0.8, 0.8])
    """
    spec = ALGORITHMS[name]
    params = as_params(arrays, grads)
    kwargs = dict(spec.kwargs)
    kwargs.update(overrides)
    return spec.cls(params, **kwargs), params


def state_bytes_for(name: str, numel: int, dtype: Any = np.float32) -> int:
    """Bytes of state the algorithm keeps for ``numel`` parameter elements.

    Args:
        name (str): a key of ``ALGORITHMS``.
        numel (int): the number of parameter elements.
        dtype (dtype): the parameters' dtype. Default: ``numpy.float32``.

    Example::

        >>> from optimizers.registry import state_bytes_for
        >>> state_bytes_for("adam", 1000)  # exp_avg and exp_avg_sq, float32
        8000
    """
    return ALGORITHMS[name].state_arrays * numel * np.dtype(dtype).itemsize
