"""PyTorch's ``torch.distributions.utils``: ``clamp_probs``, ``probs_to_logits``,
``logits_to_probs``, ``broadcast_all``."""

from __future__ import annotations

import builtins
import numbers
from typing import Any

import numpy as np

import autograd_core as _ag
from autograd_core.tensor import Tensor

__all__ = ["clamp_probs", "probs_to_logits", "logits_to_probs", "broadcast_all", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]


# Helpers the families of this package share.

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


def _tril_index(n: builtins.int, diag: builtins.int) -> np.ndarray:
    """Flat indices (row-major) of the entries of an ``n x n`` matrix on and below the
    ``diag``-th diagonal, row by row."""
    rows, cols = np.tril_indices(n, diag)
    return rows * n + cols


def tril_matrix_to_vec(mat: Tensor, diag: builtins.int = 0) -> Tensor:
    """The entries of ``mat`` (``(..., n, n)``) on and below its ``diag``-th diagonal, row by
    row, as ``torch.distributions.utils.tril_matrix_to_vec``; differentiable.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import tril_matrix_to_vec
        >>> tril_matrix_to_vec(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([1., 3., 4.])
    """
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    flat = mat.reshape(tuple(mat.shape[:-2]) + (n * n,))
    return flat[..., _ag.tensor(_tril_index(n, diag))]


def vec_to_tril_matrix(vec: Tensor, diag: builtins.int = 0) -> Tensor:
    """The ``(..., n, n)`` matrix whose entries on and below the ``diag``-th diagonal are
    ``vec``'s, row by row, zeros elsewhere, as ``torch.distributions.utils.
    vec_to_tril_matrix`` (the inverse of ``tril_matrix_to_vec``); differentiable.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.distributions.utils import vec_to_tril_matrix
        >>> vec_to_tril_matrix(ag.tensor([1.0, 3.0, 4.0]))
        tensor([[1., 0.],
                [3., 4.]])
    """
    m = vec.shape[-1]
    # n from the number of entries, n^2 + (1 + 2 diag) n - |diag| (diag + 1) = 2 m
    b = 1 + 2 * diag
    n = builtins.round((-b + (b * b + 8 * m + 4 * builtins.abs(diag) * (diag + 1)) ** 0.5) / 2)
    index = _tril_index(n, diag) if n > 0 else np.zeros(0, dtype=np.int64)
    if len(index) != m:
        raise ValueError(f"The size of last dimension is {m} which cannot be expressed as the "
                         f"lower triangular part of a square D x D matrix.")
    gather = np.full(n * n, m)  # m: the zero appended below
    gather[index] = np.arange(m)
    padded = _ag.cat([vec, _ag.zeros(tuple(vec.shape[:-1]) + (1,), dtype=vec.dtype)], -1)
    return padded[..., _ag.tensor(gather)].reshape(tuple(vec.shape[:-1]) + (n, n))


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
