"""Gradient clipping with PyTorch's formulas."""

from __future__ import annotations

import math

import numpy as np

from autograd_core import Tensor


def _params(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p.grad._data for p in _params(parameters) if p.grad is not None]


def _norm(arr, norm_type):
    a = arr.reshape(-1)
    if norm_type == math.inf:
        return np.abs(a).max() if a.size else np.zeros((), a.dtype)
    if norm_type == -math.inf:
        return np.abs(a).min() if a.size else np.zeros((), a.dtype)
    if norm_type == 2:
        return np.sqrt(np.dot(a, a))
    if norm_type == 1:
        return np.abs(a).sum()
    if norm_type == 0:
        return np.asarray(np.count_nonzero(a), a.dtype)
    return (np.abs(a) ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of the per-tensor norms (= the norm of all elements together)."""
    arrays = [t._data if isinstance(t, Tensor) else np.asarray(t) for t in _params(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor(np.zeros((), np.float32))
    norms = np.array([_norm(a, norm_type) for a in arrays])
    dtype = np.result_type(*[a.dtype for a in arrays])
    total = np.asarray(_norm(norms.astype(dtype), norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor(total)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scale all gradients together so that their total norm is at most ``max_norm``.

    ``total = norm(concat(grads))``; ``coef = min(max_norm / (total + 1e-6), 1)``; every
    gradient is multiplied by ``coef`` in place (also when it is 1, as PyTorch). Returns the
    total norm (before clipping) as a 0-d Tensor.
    """
    params = _params(parameters)
    grads = [p.grad._data for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if not grads:
        return total
    coef = float(max_norm) / (float(total._data) + 1e-6)
    clamped = min(coef, 1.0)
    for g in grads:
        g *= g.dtype.type(clamped)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)
