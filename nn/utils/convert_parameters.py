"""Flatten parameters into one vector and back."""

from __future__ import annotations

import autograd_core as ag
from autograd_core import Tensor


def parameters_to_vector(parameters):
    """One 1-D tensor concatenating every parameter (recorded: differentiable)."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return ag.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` into the parameters, in place.

    PyTorch rebinds each ``param.data`` to a view of ``vec``; here values are copied into the
    existing arrays so optimizers holding the parameters stay valid and ``vec`` stays
    independent."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected Tensor, but got: {type(vec).__name__}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = sum(p._data.size for p in params)
    if vec._data.ndim != 1 or vec._data.size != total:
        raise RuntimeError(f"vector_to_parameters: expected a 1-D vector of {total} elements, "
                           f"got shape {vec.shape}")
    pointer = 0
    flat = vec._data
    for p in params:
        n = p._data.size
        p._data[...] = flat[pointer:pointer + n].reshape(p._data.shape)
        pointer += n
