"""Parametrizations in PyTorch's ``torch.nn.utils.parametrizations``: ``weight_norm`` and
``spectral_norm``."""

from __future__ import annotations

import autograd_core as ag
from nn.module import Module
from nn.utils import parametrize
from nn.utils.spectral_norm import _default_dim, _SpectralNorm
from nn.utils.weight_norm import _WeightNorm

__all__ = ["weight_norm", "spectral_norm"]


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


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Spectral normalisation (Miyato et al., 2018) as a parametrization, PyTorch's current
    form: ``module.<name>`` is ``W / sigma(W)``, ``sigma`` estimated by power iteration on the
    vectors ``module.parametrizations.<name>[0]._u`` and ``._v`` (15 iterations at
    registration, ``n_power_iterations`` before each use in training; see
    ``nn.utils.spectral_norm``'s module). ``dim``: 1 for transposed convolutions, else 0.

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 40))
        >>> sorted(m.state_dict())
        ['bias', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v', 'parametrizations.weight.original']
        >>> round(float(ag.linalg.matrix_norm(m.weight.detach(), 2)), 2)  # sigma(W / sigma) ~ 1
        1.0
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, ag.Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    return parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, _default_dim(module, dim), eps))
