"""Flatten parameters into one vector and back."""

from __future__ import annotations

from collections.abc import Iterable

import autograd_core as ag
from autograd_core import Tensor


def parameters_to_vector(parameters: Tensor | Iterable[Tensor]) -> Tensor:
    """Returns one 1-D tensor concatenating every parameter, flattened, in order.

    The concatenation is recorded, so the vector is differentiable in the parameters.

    Args:
        parameters (Tensor or iterable of Tensors): the parameters.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
        autograd_core.Size([8])
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return ag.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Tensor | Iterable[Tensor]) -> None:
    """Copies consecutive slices of ``vec`` into the parameters, in place.

    Differs from PyTorch on purpose: PyTorch rebinds each ``param.data`` to a view of ``vec``;
    here values are copied into the existing arrays so optimizers holding the parameters stay
    valid and ``vec`` stays independent.

    Args:
        vec (Tensor): a 1-D tensor with as many elements as the parameters together.
        parameters (Tensor or iterable of Tensors): the parameters to overwrite.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> model = nn.Linear(2, 1)
        >>> nn.utils.vector_to_parameters(ag.tensor([1.0, 2.0, 3.0]), model.parameters())
        >>> model.weight.tolist(), model.bias.tolist()
        ([[1.0, 2.0]], [3.0])
    """
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
