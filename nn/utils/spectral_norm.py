"""Spectral normalisation (Miyato et al., 2018): a weight divided by its largest singular value
``sigma``, estimated by power iteration, as GAN discriminators use it. Two forms, as in PyTorch:
``nn.utils.spectral_norm`` (the legacy hook: parameter ``<name>_orig``, buffers ``<name>_u`` and
``<name>_v``, ``module.<name>`` recomputed before each forward) and
``nn.utils.parametrizations.spectral_norm`` (a parametrization whose module holds ``_u`` and
``_v``). The weight is seen as the matrix of its ``dim``-th axis (0, or 1 for transposed
convolutions) against all the others. In training every forward first runs
``n_power_iterations`` steps ``v = normalize(W^T u)``, ``u = normalize(W v)`` on the stored
vectors (no gradient through them); then ``sigma = u . (W v)`` and the weight is ``W / sigma``,
differentiated through ``sigma``; in evaluation the stored vectors are used as they are.
"""

from __future__ import annotations

import autograd_core as ag
from autograd_core import Tensor
from nn import functional as F
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["spectral_norm", "remove_spectral_norm", "SpectralNorm"]


def _default_dim(module, dim):
    if dim is not None:
        return dim
    import nn
    transposed = tuple(getattr(nn, f"ConvTranspose{k}d", None) for k in (1, 2, 3))
    return 1 if isinstance(module, tuple(c for c in transposed if c is not None)) else 0


def _check_iterations(n):
    if n <= 0:
        raise ValueError(f"Expected n_power_iterations to be positive, but got "
                         f"n_power_iterations={n}")


def _as_matrix(weight, dim):
    """``weight`` as a matrix: its axis ``dim`` first, the others flattened."""
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.ndim) if d != dim))
    return weight.reshape(weight.shape[0], -1)


def _power_iterations(mat, u, v, n, eps, v_first):
    """``n`` steps of power iteration on ``mat``, writing into ``u`` and ``v`` (no gradient);
    ``v_first``: the legacy order (``v`` from ``u``, then ``u``), else ``u`` first."""
    with ag.no_grad():
        for _ in range(n):
            if v_first:
                F.normalize(mat.T.mv(u), dim=0, eps=eps, out=v)
                F.normalize(mat.mv(v), dim=0, eps=eps, out=u)
            else:
                F.normalize(mat.mv(v), dim=0, eps=eps, out=u)
                F.normalize(mat.T.mv(u), dim=0, eps=eps, out=v)


def _random_unit(n, like, eps):
    return F.normalize(ag.randn(n, dtype=like.dtype), dim=0, eps=eps)


class SpectralNorm:
    """The forward pre-hook that :func:`spectral_norm` registers: sets ``module.<name>`` to
    ``<name>_orig / sigma`` before each forward (power iteration first, in training)."""

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        _check_iterations(n_power_iterations)
        self.name, self.n_power_iterations, self.dim, self.eps = (
            name, n_power_iterations, dim, eps)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """``<name>_orig / sigma`` (after power iteration when ``do_power_iteration``)."""
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        mat = _as_matrix(weight, self.dim)
        if do_power_iteration:
            _power_iterations(mat, u, v, self.n_power_iterations, self.eps, v_first=True)
            u, v = u.clone(), v.clone()  # later iterations must not change what backward uses
        return weight / u.dot(mat.mv(v))

    def __call__(self, module: Module, inputs: object) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Spectral normalisation of ``module.<name>``, PyTorch's legacy form: the parameter
    becomes ``<name>_orig``, with buffers ``<name>_u`` and ``<name>_v`` (random unit vectors
    at first), and ``module.<name>`` is ``<name>_orig / sigma`` from each forward on.
    ``dim``: 1 for transposed convolutions, else 0.

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.utils.spectral_norm(nn.Linear(20, 40))
        >>> sorted(m.state_dict()), tuple(m.weight_u.shape)
        (['bias', 'weight_orig', 'weight_u', 'weight_v'], (40,))
    """
    dim = _default_dim(module, dim)
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise RuntimeError(f"Cannot register two spectral_norm hooks on the same "
                               f"parameter {name}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    with ag.no_grad():
        h, w = _as_matrix(weight, dim).shape
        u, v = _random_unit(h, weight, eps), _random_unit(w, weight, eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`spectral_norm`: ``module.<name>`` becomes a parameter again, holding the
    normalised weight of the stored vectors.

    Example::

        >>> import nn
        >>> m = nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Linear(3, 2)))
        >>> sorted(m.state_dict())
        ['bias', 'weight']
    """
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            with ag.no_grad():
                weight = hook.compute_weight(module, do_power_iteration=False)
            del module._forward_pre_hooks[key]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    for suffix in ("", "_u", "_v", "_orig"):
        if hasattr(module, name + suffix):
            delattr(module, name + suffix)
    module.register_parameter(name, Parameter(weight.detach()))
    return module


class _SpectralNorm(Module):
    """The parametrization of :func:`nn.utils.parametrizations.spectral_norm`: ``W / sigma``
    (a vector: ``W / ||W||``); buffers ``_u`` and ``_v``, run 15 power iterations at
    creation."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        _check_iterations(n_power_iterations)
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            with ag.no_grad():
                mat = _as_matrix(weight, self.dim)
                h, w = mat.shape
                self.register_buffer("_u", _random_unit(h, weight, eps))
                self.register_buffer("_v", _random_unit(w, weight, eps))
                _power_iterations(mat, self._u, self._v, 15, eps, v_first=False)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        mat = _as_matrix(weight, self.dim)
        if self.training:
            _power_iterations(mat, self._u, self._v, self.n_power_iterations, self.eps,
                              v_first=False)
        u, v = self._u.clone(), self._v.clone()
        return weight / u.dot(mat.mv(v))

    def right_inverse(self, value: Tensor) -> Tensor:
        return value
