"""Parametrizations in PyTorch's ``torch.nn.utils.parametrizations``: ``weight_norm``."""

from __future__ import annotations

from nn.module import Module
from nn.utils import parametrize
from nn.utils.weight_norm import _WeightNorm

__all__ = ["weight_norm"]


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Weight normalisation (Salimans & Kingma, 2016) as a parametrization, PyTorch's current
    form: ``module.<name>`` is computed as ``g * v / ||v||`` from
    ``module.parametrizations.<name>.original0`` (``g``, one per index of ``dim``) and
    ``original1`` (``v``), the state_dict keys PyTorch uses. The function is unchanged at
    registration (``g = ||w||``, ``v = w``). Data-dependent initialisation:
    :func:`nn.utils.weight_norm_init_`.

    Example::

        >>> import autograd_core as ag, nn
        >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(20, 40))
        >>> type(m).__name__, sorted(m.state_dict())
        ('ParametrizedLinear', ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1'])
        >>> tuple(m.parametrizations.weight.original0.shape)
        (40, 1)
    """
    return parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
