"""Weight normalisation (Salimans & Kingma, 2016), PyTorch's legacy hook form, and the paper's
data-dependent initialisation for both forms.

``w = g * v / ||v||`` with the norm over every axis of ``v`` but ``dim`` (``dim=None`` or ``-1``:
over all of ``v``, ``g`` a scalar). ``weight_norm(module)`` replaces the parameter ``weight`` by
``weight_g`` (shape ``v``'s with 1 on every axis but ``dim``) and ``weight_v``, and recomputes
``module.weight`` before every forward. Written for a weight of any number of axes, so
convolutions work as ``Linear`` does.
"""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from nn.layers.linear import Linear
from nn.module import Module
from nn.parameter import Parameter
from nn.utils.parametrize import is_parametrized

__all__ = ["weight_norm", "remove_weight_norm", "weight_norm_init_", "norm_except_dim"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int | None = 0) -> Tensor:
    """The ``pow``-norm of ``v`` over every axis but ``dim``, keeping ``v``'s number of axes
    (``dim=None`` or ``-1``: the norm of all of ``v``, a 0-d tensor), as ``torch.norm_except_dim``.

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils.weight_norm import norm_except_dim
        >>> v = ag.tensor([[3.0, 4.0], [0.0, 1.0]])
        >>> norm_except_dim(v).tolist(), norm_except_dim(v, dim=1).tolist()
        ([[5.0], [1.0]], [[3.0, 4.123105525970459]])
    """
    a = abs(v) if pow != 2 else v * v
    if pow != 2:
        a = a ** pow
    if dim is None or dim == -1:
        s = a.sum()
    else:
        d = dim % v.ndim
        s = a.sum(dim=tuple(i for i in range(v.ndim) if i != d), keepdim=True)
    return s.sqrt() if pow == 2 else s ** (1.0 / pow)


def _weight_norm(v, g, dim):
    return v * (g / norm_except_dim(v, 2, dim))


class _WeightNorm(Module):
    """``(g, v) -> g * v / ||v||`` (norm over every axis but ``dim``; ``None``/``-1``: all)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


class WeightNorm:
    """The forward pre-hook that ``weight_norm`` registers: sets ``module.<name>`` from
    ``<name>_g`` and ``<name>_v`` before each forward."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module) -> Tensor:
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"),
                            self.dim)

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrise ``module.<name>`` as ``g * v / ||v||`` (Salimans & Kingma, 2016), PyTorch's
    legacy form: parameters ``<name>_g`` and ``<name>_v`` (``g`` starts at ``||w||`` and
    ``v`` at ``w``, so the function is unchanged), the weight recomputed by a forward pre-hook.
    ``dim`` is the axis kept out of the norm (0: one ``g`` per output unit); ``None``/``-1``:
    one ``g`` for the whole tensor. See also :func:`nn.utils.parametrizations.weight_norm`.

    Example::

        >>> import autograd_core as ag, nn
        >>> m = nn.utils.weight_norm(nn.Linear(20, 40), name="weight")
        >>> tuple(m.weight_g.shape), tuple(m.weight_v.shape)
        ((40, 1), (40, 20))
    """
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter "
                               f"{name}")
    if dim is None:
        dim = -1
    weight = getattr(module, name)
    if not isinstance(weight, Parameter):
        raise ValueError(f"weight_norm: module has no parameter {name!r}")
    fn = WeightNorm(name, dim)
    g = norm_except_dim(weight.detach(), 2, dim)
    delattr(module, name)
    module.register_parameter(name + "_g", Parameter(g._data.copy()))
    module.register_parameter(name + "_v", Parameter(weight._data))
    setattr(module, name, fn.compute_weight(module))
    module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`weight_norm`: ``<name>`` becomes a plain parameter again, holding the current
    ``g * v / ||v||``.

    Example::

        >>> import nn
        >>> m = nn.utils.remove_weight_norm(nn.utils.weight_norm(nn.Linear(3, 2)))
        >>> sorted(n for n, _ in m.named_parameters())
        ['bias', 'weight']
    """
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            with ag.no_grad():
                weight = hook.compute_weight(module)
            module.__dict__.pop(name, None)
            delattr(module, name + "_g")
            delattr(module, name + "_v")
            setattr(module, name, Parameter(weight._data))
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")


def _g_and_v(module, name):
    """``(g, v, dim)`` of the weight norm on ``module.<name>`` in either form."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            return getattr(module, name + "_g"), getattr(module, name + "_v"), hook.dim
    if is_parametrized(module, name):
        plist = module.parametrizations[name]
        if len(plist) == 1 and isinstance(plist[0], _WeightNorm):
            return plist.original0, plist.original1, plist[0].dim
    raise ValueError(f"weight_norm_init_: no weight norm on {name!r} of {module}; apply "
                     "nn.utils.weight_norm or nn.utils.parametrizations.weight_norm first")


def weight_norm_init_(module: Module, input: Tensor, name: str = "weight",
                      unit_dim: int | None = None) -> Module:
    """The data-dependent initialisation of Salimans & Kingma (2016, section 3.2), in place: with
    ``g = 1`` and a zero bias, run ``module`` on the batch ``input`` to get the pre-activations
    ``t = v . x / ||v||``; then set ``g = 1 / sigma[t]`` and ``bias = -mu[t] / sigma[t]`` per output
    unit, so that ``module(input)`` has zero mean and unit variance per unit (``sigma``: the
    *biased* standard deviation over the batch and any spatial axes). ``v`` is kept as it is
    (the paper draws it from N(0, 0.05^2); its scale does not matter here). Either weight-norm
    form works (``weight_norm`` or ``parametrizations.weight_norm``), with ``g`` one per unit
    (``dim`` of the weight norm indexing the output units). ``unit_dim``: the output's unit axis
    (default: last for ``Linear``, 1 otherwise, as for convolutions). Without a bias only ``g``
    is set (unit variance, mean not corrected).

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.utils.weight_norm(nn.Linear(5, 3))
        >>> x = ag.randn(64, 5) * 3 + 1
        >>> _ = nn.utils.weight_norm_init_(m, x)
        >>> y = m(x)
        >>> y.mean(0).abs().max().item() < 1e-5, [round(s, 5) for s in y.var(0, correction=0).tolist()]
        (True, [1.0, 1.0, 1.0])
    """
    g, v, dim = _g_and_v(module, name)
    bias = getattr(module, "bias", None)
    with ag.no_grad():
        g_saved = g._data.copy()
        g._data[...] = 1
        if bias is not None:
            b_saved = bias._data.copy()
            bias._data[...] = 0
        t = module(input)._data.astype(np.float64)
        axis = (-1 if isinstance(module, Linear) else 1) if unit_dim is None else unit_dim
        axis %= t.ndim
        other = tuple(i for i in range(t.ndim) if i != axis)
        mu, sigma = t.mean(axis=other), t.std(axis=other)
        if sigma.size != g._data.size or not np.all(sigma > 0):
            g._data[...] = g_saved
            if bias is not None:
                bias._data[...] = b_saved
            if sigma.size != g._data.size:
                raise ValueError(f"weight_norm_init_: {sigma.size} output units on axis {axis} "
                                 f"but g has {g._data.size} entries (weight norm dim={dim})")
            raise ValueError("weight_norm_init_: some unit has zero variance on this batch")
        g._data[...] = (1.0 / sigma).reshape(g._data.shape)
        if bias is not None:
            bias._data[...] = (-mu / sigma).reshape(bias._data.shape)
    return module
