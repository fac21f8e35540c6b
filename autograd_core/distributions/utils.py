"""PyTorch's ``torch.distributions.utils``: ``clamp_probs``, ``probs_to_logits``,
``logits_to_probs``, ``broadcast_all``."""

from __future__ import annotations

import builtins
import numbers
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Tensor

__all__ = ["clamp_probs", "probs_to_logits", "logits_to_probs", "broadcast_all", "lazy_property"]


# ---------------------------------------------------------------------------------------------
# Shared machinery of the continuous / Bernoulli distributions below (PyTorch's Distribution).

_Number = (builtins.int, builtins.float)


def _as_params(*values: Any) -> tuple[Tensor, ...]:
    """PyTorch's ``broadcast_all``: numbers become tensors of the tensors' (or the default)
    dtype, then everything is broadcast to one shape."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    dtype = like.dtype if like is not None and like.is_floating_point() else _ag.get_default_dtype()
    tensors = [v if isinstance(v, Tensor) else _ag.tensor(v, dtype=dtype) for v in values]
    return tuple(_ag.broadcast_tensors(*tensors))




def _clamp_probs(p: Tensor) -> Tensor:
    eps = _ag.finfo(p.dtype).eps
    return p.clamp(min=eps, max=1 - eps)


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` clamped into ``[eps, 1 - eps]`` of its dtype, as
    ``torch.distributions.utils.clamp_probs``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import clamp_probs
        >>> clamp_probs(ag.tensor([0.0, 0.5])).tolist()[1]
        0.5
    """
    return _clamp_probs(probs)


def probs_to_logits(probs: Tensor, is_binary: builtins.bool = False) -> Tensor:
    """The logits of (clamped) probabilities: ``log p`` for categorical ones, ``log p -
    log1p(-p)`` with ``is_binary``, as ``torch.distributions.utils.probs_to_logits``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import probs_to_logits
        >>> probs_to_logits(ag.tensor([0.5]), is_binary=True)
        tensor([0.])
    """
    p = _clamp_probs(probs)
    return p.log() - (-p).log1p() if is_binary else p.log()


def logits_to_probs(logits: Tensor, is_binary: builtins.bool = False) -> Tensor:
    """``sigmoid(logits)`` with ``is_binary``, else ``softmax`` over the last dimension, as
    ``torch.distributions.utils.logits_to_probs``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import logits_to_probs
        >>> logits_to_probs(ag.zeros(2))
        tensor([0.5000, 0.5000])
    """
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Numbers and Tensors made Tensors (numbers in the Tensors' floating dtype, else the
    default) and broadcast to one shape, as ``torch.distributions.utils.broadcast_all``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import broadcast_all
        >>> [tuple(t.shape) for t in broadcast_all(1.0, ag.zeros(3))]
        [(3,), (3,)]
    """
    for v in values:
        if not isinstance(v, (Tensor, numbers.Number)):
            raise ValueError("Input arguments must all be instances of Number, "
                             "torch.Tensor or objects implementing __torch_function__.")
    return _as_params(*values)


def _sum_rightmost(t: Tensor, n: builtins.int) -> Tensor:
    return t.sum(tuple(range(-n, 0))) if n > 0 else t


def _batch_mv(matrix: Tensor, vec: Tensor) -> Tensor:
    return (matrix @ vec.unsqueeze(-1)).squeeze(-1)


def _draw(array: np.ndarray, like: Tensor) -> Tensor:
    return _ag.tensor(np.asarray(array, dtype=like._data.dtype))


def _log_sigmoid(x: Tensor) -> Tensor:
    """``log(sigmoid(x))`` (PyTorch's ``log_sigmoid``): ``x - log1p(exp(x))`` below 0,
    ``-log1p(exp(-x))`` from 0, each branch on its clamped side (no overflow, and the
    derivative at 0 is sigmoid(0) = 1/2, where ``max(-x, 0)`` and ``|x|`` would give 1)."""
    neg, pos = x.clamp(max=0), x.clamp(min=0)
    return _ag.where(x < 0, neg - neg.exp().log1p(), -(-pos).exp().log1p())


_EULER_GAMMA = 0.57721566490153286060


class lazy_property:
    """A property computed on first read and then stored on the instance under its own name
    (later reads find the stored value), as ``torch.distributions.utils.lazy_property``; the
    computation records gradients even under ``no_grad``, as PyTorch's.

    Example::

        >>> from autograd_core.distributions.utils import lazy_property
        >>> class Box:
        ...     @lazy_property
        ...     def area(self):
        ...         print("computing")
        ...         return 6
        >>> b = Box()
        >>> b.area
        computing
        6
        >>> b.area
        6
    """

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with _ag.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
