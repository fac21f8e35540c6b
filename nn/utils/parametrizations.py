"""Parametrizations in PyTorch's ``torch.nn.utils.parametrizations``: ``weight_norm``."""

from __future__ import annotations

from autograd_core import Tensor
from nn.module import Module
from nn.utils import parametrize
from nn.utils.weight_norm import _weight_norm, norm_except_dim

__all__ = ["weight_norm"]


class _WeightNorm(Module):
    """``(g, v) -> g * v / ||v||`` (norm over every axis but ``dim``; ``None``/``-1``: all)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


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
