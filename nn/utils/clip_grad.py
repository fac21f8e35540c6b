"""Gradient clipping with PyTorch's formulas."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any, Union

import numpy as np

from autograd_core import Tensor
from autograd_core._quiet import quiet

_Tensors = Union[Tensor, Iterable[Any]]


def _params(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p.grad._data for p in _params(parameters) if p.grad is not None]


def _norm(arr, norm_type):
    a = arr.reshape(-1)
    if a.dtype.kind == "c":  # the norm of the moduli: real, as PyTorch's vector_norm
        a = np.abs(a)
    if norm_type == math.inf:
        return np.abs(a).max() if a.size else np.zeros((), a.dtype)
    if norm_type == -math.inf:
        return np.abs(a).min() if a.size else np.zeros((), a.dtype)
    if norm_type == 2:  # BLAS's order: ATen's (kernels/sumsq.py) took 1.5-2x as long here
        return np.sqrt(np.dot(a, a))
    if norm_type == 1:
        return np.abs(a).sum()
    if norm_type == 0:
        return np.asarray(np.count_nonzero(a), a.dtype)
    return (np.abs(a) ** norm_type).sum() ** (1.0 / norm_type)


@quiet  # inf and NaN silently, as PyTorch (autograd_core/_quiet.py)
def get_total_norm(tensors: _Tensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Returns the ``norm_type``-norm of the per-tensor norms (= the norm of all elements
    together), as a 0-d Tensor.

    Args:
        tensors (Tensor or iterable of Tensors/arrays): the tensors (e.g. the gradients).
        norm_type (float): order of the norm; ``inf`` for the max norm. Default: ``2.0``.
        error_if_nonfinite (bool): raise RuntimeError when the total is nan or inf.
            Default: ``False``.
        foreach (bool, optional): accepted for PyTorch compatibility; only the wording of
            the error for the ``inf`` norm of an empty tensor depends on it (PyTorch's kernels).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> nn.utils.get_total_norm([ag.tensor([3.0]), ag.tensor([4.0])])
        tensor(5.)
    """
    arrays = [t._data if isinstance(t, Tensor) else np.asarray(t) for t in _params(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor._wrap(np.zeros((), np.float32))
    if math.isinf(norm_type) and any(a.size == 0 for a in arrays):
        # no max (min) of nothing: PyTorch's errors, by the kernel its foreach picks
        what = ("_foreach_norm cannot compute the infinity norm" if norm_type > 0 and
                foreach is not False else f"linalg.vector_norm cannot compute the {norm_type} norm")
        raise RuntimeError(f"{what} on an empty tensor because the operation does not have an "
                           "identity")
    norms = np.array([_norm(a, norm_type) for a in arrays])
    dtype = np.result_type(*[a.dtype for a in arrays])
    if dtype.kind == "c":  # complex gradients: a real norm (PyTorch's)
        dtype = np.abs(np.zeros(0, dtype)).dtype
    total = np.asarray(_norm(norms.astype(dtype), norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._wrap(total)


def clip_grad_norm_(parameters: _Tensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scales all gradients together so that their total norm is at most ``max_norm``.

    ``total = norm(concat(grads))``; ``coef = min(max_norm / (total + 1e-6), 1)``; every
    gradient is multiplied by ``coef`` in place (also when it is 1, as PyTorch). Returns the
    total norm (before clipping) as a 0-d Tensor.

    Args:
        parameters (Tensor or iterable of Tensors): parameters whose ``.grad`` is clipped.
        max_norm (float): the largest total norm allowed.
        norm_type (float): order of the norm; ``inf`` for the max norm. Default: ``2.0``.
        error_if_nonfinite (bool): raise RuntimeError when the total is nan or inf.
            Default: ``False``.
        foreach (bool, optional): accepted for PyTorch compatibility; unused.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> w = ag.tensor([1.0, 1.0], requires_grad=True)
        >>> (w * ag.tensor([3.0, 4.0])).sum().backward()
        >>> nn.utils.clip_grad_norm_([w], max_norm=1.0)
        tensor(5.)
        >>> w.grad
        tensor([0.6000, 0.8000])
    """
    params = _params(parameters)
    total = get_total_norm(_grads(params), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_norm(parameters: _Tensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated name of :func:`clip_grad_norm_` (PyTorch warns with a FutureWarning).

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> import nn
        >>> w = ag.tensor([1.0, 1.0], requires_grad=True)
        >>> (w * ag.tensor([3.0, 4.0])).sum().backward()
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     nn.utils.clip_grad_norm([w], max_norm=1.0)
        tensor(5.)
    """
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@quiet  # inf and NaN silently, as PyTorch (autograd_core/_quiet.py)
def clip_grads_with_norm_(parameters: _Tensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scales the gradients by ``min(max_norm / (total_norm + 1e-6), 1)`` in place: the second
    half of ``clip_grad_norm_``, for a ``total_norm`` computed beforehand (e.g. with
    :func:`get_total_norm` over several groups), as PyTorch's.

    Args:
        parameters (Tensor or iterable of Tensors): parameters whose ``.grad`` is scaled.
        max_norm (float): the largest total norm allowed.
        total_norm (Tensor): the total norm of the gradients.
        foreach (bool, optional): accepted for PyTorch compatibility; unused.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> w = ag.tensor([1.0, 1.0], requires_grad=True)
        >>> (w * ag.tensor([3.0, 4.0])).sum().backward()
        >>> total = nn.utils.get_total_norm([w.grad])
        >>> nn.utils.clip_grads_with_norm_([w], 1.0, total)
        >>> w.grad
        tensor([0.6000, 0.8000])
    """
    if not isinstance(total_norm, Tensor):  # PyTorch's clamp refuses a number here too
        raise TypeError("clip_grads_with_norm_(): total_norm must be a Tensor (from "
                        f"get_total_norm), got {type(total_norm).__name__}")
    grads = _grads(parameters)
    if not grads:
        return
    total = total_norm._data
    if total.dtype.char in "fd":  # PyTorch's tensor ops: (total + 1e-6).reciprocal() * max_norm
        one = total.dtype.type(1)
        clamped = min(one / (total + total.dtype.type(1e-6)) * total.dtype.type(max_norm), one)
    else:
        clamped = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for g in grads:
        g *= g.dtype.type(clamped)


def clip_grad_value_(parameters: _Tensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamps every gradient element to ``[-clip_value, clip_value]`` in place.

    Args:
        parameters (Tensor or iterable of Tensors): parameters whose ``.grad`` is clipped.
        clip_value (float): the largest absolute value allowed.
        foreach (bool, optional): accepted for PyTorch compatibility; unused.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> w = ag.tensor([1.0, 1.0], requires_grad=True)
        >>> (w * ag.tensor([-3.0, 0.5])).sum().backward()
        >>> nn.utils.clip_grad_value_([w], clip_value=1.0)
        >>> w.grad
        tensor([-1.0000,  0.5000])
    """
    clip_value = float(clip_value)
    grads = _grads(parameters)
    if any(g.dtype.kind == "c" for g in grads):  # np.clip would drop the imaginary parts
        raise NotImplementedError("clamp is not supported for complex types")
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)
