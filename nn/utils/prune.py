"""Pruning, PyTorch's ``torch.nn.utils.prune``: zero out a parameter's entries (or channels) by
a mask, keep the mask, and keep training what is left.

Pruning ``module.<name>`` moves the parameter to ``<name>_orig``, adds the buffer
``<name>_mask`` (ones where entries are kept, of the parameter's dtype) and makes
``module.<name>`` the product ``<name>_orig * <name>_mask``, recomputed before each forward
(so the pruned entries get zero gradient and stay zero). Pruning the same parameter again
prunes among the entries (or channels) still kept, and the masks combine
(``PruningContainer``); ``remove`` makes the pruning permanent. Methods: ``identity``,
``random_unstructured``, ``l1_unstructured``, ``random_structured``, ``ln_structured``,
``global_unstructured``, ``custom_from_mask``; write your own by subclassing
``BasePruningMethod`` (a ``PRUNING_TYPE`` and ``compute_mask``), as in PyTorch. ``amount``: a
float in ``[0, 1]`` (that fraction, rounded) or a number of entries (channels).

Example::

    >>> import autograd_core as ag, nn
    >>> from nn.utils import prune
    >>> m = nn.Linear(3, 2)
    >>> with ag.no_grad():
    ...     _ = m.weight.copy_(ag.tensor([[1.0, -5.0, 2.0], [0.5, 3.0, -4.0]]))
    >>> _ = prune.l1_unstructured(m, "weight", amount=2)
    >>> m.weight_mask                                     # the two smallest |w|: 1 and 0.5
    tensor([[0., 1., 1.],
            [0., 1., 1.]])
    >>> sorted(m.state_dict())
    ['bias', 'weight_mask', 'weight_orig']
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from nn.module import Module

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured",
           "L1Unstructured", "RandomStructured", "LnStructured", "CustomFromMask", "identity",
           "random_unstructured", "l1_unstructured", "random_structured", "ln_structured",
           "global_unstructured", "custom_from_mask", "remove", "is_pruned"]


def _validate_amount_init(amount):
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
            not isinstance(amount, numbers.Integral)
            and (float(amount) > 1.0 or float(amount) < 0.0)):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a "
                         "non-negative integer")


def _how_many(amount, size):
    """The number of entries (channels) ``amount`` means among ``size``."""
    k = amount if isinstance(amount, numbers.Integral) else round(amount * size)
    if isinstance(amount, numbers.Integral) and amount > size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to "
                         f"prune={size}")
    return int(k)


def _channel_dim(t, dim):
    if t.ndim <= 1:
        raise ValueError(f"Structured pruning can only be applied to multidimensional tensors. "
                         f"Found tensor of shape {t.shape} with {t.ndim} dims")
    if dim >= t.ndim:
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")
    return dim % t.ndim


def _channel_mask(t, dim, keep):
    """A mask of ``t``'s shape: ones on the channels ``keep`` (indices along ``dim``)."""
    mask = np.zeros(t.shape, np.dtype(t.dtype))
    index: list[Any] = [slice(None)] * t.ndim
    index[dim] = keep
    mask[tuple(index)] = 1
    return mask


class BasePruningMethod(ABC):
    """The base of pruning methods: ``PRUNING_TYPE`` (``"unstructured"``, ``"structured"``
    with a ``dim``, or ``"global"``) and ``compute_mask(t, default_mask)``; ``apply`` prunes a
    module's parameter with it and registers it as the forward pre-hook that recomputes the
    pruned tensor.

    Example::

        >>> import autograd_core as ag, nn
        >>> from nn.utils import prune
        >>> class Odd(prune.BasePruningMethod):
        ...     PRUNING_TYPE = "unstructured"
        ...     def compute_mask(self, t, default_mask):
        ...         mask = default_mask.clone()
        ...         mask.view(-1)[1::2] = 0
        ...         return mask
        >>> m = nn.Linear(4, 1, bias=False)
        >>> _ = Odd.apply(m, "weight")
        >>> m.weight_mask
        tensor([[1., 0., 1., 0.]])
    """

    PRUNING_TYPE: str = "unstructured"
    _tensor_name: str | None = None

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, str(self._tensor_name), self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The new mask of ``t``, on top of ``default_mask`` (ones if ``t`` was not pruned)."""

    def apply_mask(self, module: Module) -> Tensor:
        """``<name>_orig * <name>_mask``: the pruned tensor."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module: Module, name: str, *args: Any, importance_scores: Tensor | None = None,
              **kwargs: Any) -> BasePruningMethod:
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)`` (combined with an earlier
        pruning of it) and register the hook; ``importance_scores`` rank the entries instead of
        the parameter's values."""
        old, keys = None, []
        for k, hook in module._forward_pre_hooks.items():
            if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
                old = hook
                keys.append(k)
        if len(keys) > 1:
            raise AssertionError(f"Avoid adding multiple pruning hooks to the same tensor "
                                 f"{name} of module {module}. Use a PruningContainer.")
        method: BasePruningMethod = cls(*args, **kwargs)
        method._tensor_name = name
        if old is not None:
            if isinstance(old, PruningContainer):
                old.add_pruning_method(method)
                method = old
            else:
                container = PruningContainer(old)
                container.add_pruning_method(method)
                method = container
        orig = getattr(module, name)
        if importance_scores is not None:
            if tuple(importance_scores.shape) != tuple(orig.shape):
                raise AssertionError(f"importance_scores should have the same shape as "
                                     f"parameter {name} of {module}, got "
                                     f"{importance_scores.shape} vs {orig.shape}")
        else:
            importance_scores = orig
        first = not isinstance(method, PruningContainer)
        if first:
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = ag.ones_like(orig.detach())
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            with ag.no_grad():
                mask = method.compute_mask(importance_scores.detach(), default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
        except Exception:
            if first:  # leave the module as it was
                orig = getattr(module, name + "_orig")
                del module._parameters[name + "_orig"]
                module.register_parameter(name, orig)
            raise
        for k in keys:
            del module._forward_pre_hooks[k]
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t: Tensor, default_mask: Tensor | None = None,
              importance_scores: Tensor | None = None) -> Tensor:
        """``t`` times its new mask (no module involved)."""
        scores = t if importance_scores is None else importance_scores
        if tuple(scores.shape) != tuple(t.shape):
            raise AssertionError(f"importance_scores should have the same shape as tensor t, "
                                 f"got {scores.shape} vs {t.shape}")
        base = default_mask if default_mask is not None else ag.ones_like(t.detach())
        with ag.no_grad():
            mask = self.compute_mask(scores.detach(), default_mask=base)
        return t * mask

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``module.<name>`` is a parameter again, holding the
        pruned values; ``<name>_orig`` and ``<name>_mask`` go."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned before pruning can be "
                                 "removed")
        name = self._tensor_name
        weight = self.apply_mask(module)
        if hasattr(module, name):
            delattr(module, name)
        orig = module._parameters[name + "_orig"]
        orig.data = weight.detach()._data.copy()
        del module._parameters[name + "_orig"]
        del module._buffers[name + "_mask"]
        setattr(module, name, orig)


class PruningContainer(BasePruningMethod):
    """The successive prunings of one tensor: its mask is the last method's, computed on the
    entries (``unstructured``) or channels (``structured``) the earlier ones kept.

    Example::

        >>> import autograd_core as ag, nn
        >>> from nn.utils import prune
        >>> m = nn.Linear(4, 1, bias=False)
        >>> with ag.no_grad():
        ...     _ = m.weight.copy_(ag.tensor([[4.0, 1.0, 3.0, 2.0]]))
        >>> _ = prune.l1_unstructured(m, "weight", amount=1)
        >>> c = prune.l1_unstructured(m, "weight", amount=1)  # among the three kept
        >>> type(m._forward_pre_hooks[next(iter(m._forward_pre_hooks))]).__name__, m.weight_mask
        ('PruningContainer', tensor([[1., 0., 1., 0.]]))
    """

    def __init__(self, *args: BasePruningMethod) -> None:
        self._pruning_methods: tuple[BasePruningMethod, ...] = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
            self.add_pruning_method(args[0])
        else:
            for method in args:
                self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        """Append ``method`` (acting on the same tensor)."""
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named "
                             f"'{self._tensor_name}' to PruningContainer {self}. Found "
                             f"'{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        method = self._pruning_methods[-1]
        mask = default_mask.to(dtype=t.dtype).clone()
        kind = method.PRUNING_TYPE
        if kind == "unstructured":
            index: Any = default_mask == 1
        elif kind == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError('Pruning methods of PRUNING_TYPE "structured" need to have '
                                     "the attribute `dim` defined.")
            dim = method.dim if method.dim >= 0 else t.ndim + method.dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {t.ndim}")
            kept = default_mask.sum(dim=[d for d in range(t.ndim) if d != dim]) != 0
            index = tuple(kept if d == dim else slice(None) for d in range(t.ndim))
        elif kind == "global":
            index = tuple(slice(None) for _ in range(t.ndim))
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {kind}")
        mask[index] = method.compute_mask(t[index], default_mask=default_mask[index]).to(
            dtype=mask.dtype)
        return mask


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is ones (the reparametrisation alone).

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils import prune
        >>> prune.Identity().compute_mask(None, ag.ones(2))
        tensor([1., 1.])
    """

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask


class _Unstructured(BasePruningMethod):
    """An unstructured method pruning ``amount`` entries."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: int | float) -> None:
        _validate_amount_init(amount)
        self.amount = amount

    @abstractmethod
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The mask with ``amount`` more entries pruned."""


class RandomUnstructured(_Unstructured):
    """Prunes ``amount`` entries, at random among those kept.

    Example::

        >>> import nn
        >>> from nn.utils import prune
        >>> m = prune.random_unstructured(nn.Linear(4, 5), "weight", amount=0.25)
        >>> int((m.weight_mask == 0).sum())
        5
    """

    def compute_mask(self, t, default_mask):
        k = _how_many(self.amount, t.numel())
        mask = default_mask.clone()
        if k:
            order = ag.rand(t.numel()).argsort(descending=True)
            mask.view(-1)[order[:k]] = 0
        return mask


class L1Unstructured(_Unstructured):
    """Prunes the ``amount`` entries of smallest absolute value (of the importance scores).

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils import prune
        >>> prune.L1Unstructured(amount=1).compute_mask(ag.tensor([3.0, -1.0, 2.0]),
        ...                                            ag.ones(3))
        tensor([1., 0., 1.])
    """

    def compute_mask(self, t, default_mask):
        k = _how_many(self.amount, t.numel())
        mask = default_mask.clone()
        if k:
            smallest = np.argsort(np.abs(np.asarray(t._data)).reshape(-1), kind="stable")[:k]
            mask.view(-1)[ag.tensor(smallest)] = 0
        return mask


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` channels along ``dim``, at random.

    Example::

        >>> import autograd_core as ag, nn
        >>> from nn.utils import prune
        >>> m = prune.random_structured(nn.Linear(5, 3), "weight", amount=2, dim=1)
        >>> int((m.weight_mask.sum(0) == 0).sum())
        2
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount: int | float, dim: int = -1) -> None:
        _validate_amount_init(amount)
        self.amount, self.dim = amount, dim

    def compute_mask(self, t, default_mask):
        dim = _channel_dim(t, self.dim)
        size = t.shape[dim]
        k = _how_many(self.amount, size)
        if k == 0:
            return default_mask
        keep = np.sort(np.asarray(ag.rand(size).argsort(descending=True)._data)[:size - k])
        return ag.tensor(_channel_mask(t, dim, keep)) * default_mask.to(dtype=t.dtype)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` channels along ``dim`` of smallest ``n``-norm (``torch.norm``'s
    ``p``: a number, ``inf``, ``-inf`` or ``'fro'``).

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils import prune
        >>> w = ag.tensor([[1.0, 0.1], [2.0, 0.2]])
        >>> prune.LnStructured(amount=1, n=2, dim=1).compute_mask(w, ag.ones(2, 2))
        tensor([[1., 0.],
                [1., 0.]])
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount: int | float, n: Any, dim: int = -1) -> None:
        _validate_amount_init(amount)
        self.amount, self.n, self.dim = amount, n, dim

    def compute_mask(self, t, default_mask):
        dim = _channel_dim(t, self.dim)
        size = t.shape[dim]
        k = _how_many(self.amount, size)
        if k == 0:
            return default_mask
        others = [d for d in range(t.ndim) if d != dim]
        norms = np.asarray(ag.linalg.vector_norm(t, ord=2 if self.n == "fro" else self.n,
                                                 dim=others)._data)
        keep = np.argsort(-norms, kind="stable")[:size - k]
        return ag.tensor(_channel_mask(t, dim, keep)) * default_mask.to(dtype=t.dtype)


class CustomFromMask(BasePruningMethod):
    """Prunes by a given mask (on top of the existing one).

    Example::

        >>> import autograd_core as ag
        >>> from nn.utils import prune
        >>> prune.CustomFromMask(ag.tensor([1.0, 0.0])).compute_mask(None, ag.ones(2))
        tensor([1., 0.])
    """

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor) -> None:
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if tuple(default_mask.shape) != tuple(self.mask.shape):
            raise AssertionError(f"default_mask shape {default_mask.shape} must match "
                                 f"self.mask shape {self.mask.shape}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)


def identity(module: Module, name: str) -> Module:
    """The pruning reparametrisation of ``module.<name>`` with a mask of ones.

    Example::

        >>> import nn
        >>> from nn.utils import prune
        >>> prune.identity(nn.Linear(2, 3), "bias").bias_mask
        tensor([1., 1., 1.])
    """
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: int | float) -> Module:
    """Prune ``amount`` entries of ``module.<name>`` at random (see :class:`RandomUnstructured`).

    Example::

        >>> import nn
        >>> from nn.utils import prune
        >>> int((prune.random_unstructured(nn.Linear(2, 3), "weight", 1).weight_mask == 0).sum())
        1
    """
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module: Module, name: str, amount: int | float,
                    importance_scores: Tensor | None = None) -> Module:
    """Prune the ``amount`` entries of ``module.<name>`` of smallest absolute value (or of
    ``importance_scores``).

    Example::

        >>> import nn
        >>> from nn.utils import prune
        >>> sorted(prune.l1_unstructured(nn.Linear(2, 3), "weight", amount=0.2).state_dict())
        ['bias', 'weight_mask', 'weight_orig']
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: int | float, dim: int) -> Module:
    """Prune ``amount`` channels of ``module.<name>`` along ``dim`` at random.

    Example::

        >>> import nn
        >>> from nn.utils import prune
        >>> m = prune.random_structured(nn.Linear(5, 3), "weight", amount=3, dim=1)
        >>> int((m.weight.sum(0) == 0).sum())
        3
    """
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module: Module, name: str, amount: int | float, n: Any, dim: int,
                  importance_scores: Tensor | None = None) -> Module:
    """Prune the ``amount`` channels of ``module.<name>`` along ``dim`` of smallest ``n``-norm.

    Example::

        >>> import nn
        >>> from nn.utils import prune
        >>> m = prune.ln_structured(nn.Conv2d(5, 3, 2), "weight", amount=0.3, dim=1, n=2)
        >>> int((m.weight_mask.sum((0, 2, 3)) == 0).sum())
        2
    """
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters: Iterable, pruning_method: Any,
                        importance_scores: dict | None = None, **kwargs: Any) -> None:
    """Prune the ``(module, name)`` pairs of ``parameters`` together: ``pruning_method``
    (unstructured, e.g. :class:`L1Unstructured` with ``amount=``) picks among all their
    entries at once.

    Example::

        >>> import autograd_core as ag, nn
        >>> from nn.utils import prune
        >>> a, b = nn.Linear(2, 1, bias=False), nn.Linear(2, 1, bias=False)
        >>> with ag.no_grad():
        ...     _ = a.weight.copy_(ag.tensor([[1.0, 4.0]])), b.weight.copy_(ag.tensor([[2.0, 3.0]]))
        >>> prune.global_unstructured([(a, "weight"), (b, "weight")],
        ...                           pruning_method=prune.L1Unstructured, amount=2)
        >>> a.weight_mask, b.weight_mask
        (tensor([[0., 1.]]), tensor([[0., 1.]]))
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    scores = importance_scores if importance_scores is not None else {}
    if not isinstance(scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    flat = ag.cat([scores.get((m, n), getattr(m, n)).detach().reshape(-1)
                   for m, n in parameters])
    default = ag.cat([getattr(m, n + "_mask", ag.ones_like(getattr(m, n).detach())).reshape(-1)
                      for m, n in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(f'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
                        f"Found method {pruning_method} of type {method.PRUNING_TYPE}")
    container.add_pruning_method(method)
    with ag.no_grad():
        final = container.compute_mask(flat, default)
    start = 0
    for m, n in parameters:
        p = getattr(m, n)
        custom_from_mask(m, n, final[start:start + p.numel()].reshape(p.shape))
        start += p.numel()


def custom_from_mask(module: Module, name: str, mask: Tensor) -> Module:
    """Prune ``module.<name>`` by ``mask``.

    Example::

        >>> import autograd_core as ag, nn
        >>> from nn.utils import prune
        >>> m = prune.custom_from_mask(nn.Linear(2, 2), "bias", ag.tensor([0.0, 1.0]))
        >>> m.bias_mask
        tensor([0., 1.])
    """
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent (see ``BasePruningMethod.remove``).

    Example::

        >>> import nn
        >>> from nn.utils import prune
        >>> m = prune.remove(prune.random_unstructured(nn.Linear(5, 7), "weight", 0.2), "weight")
        >>> sorted(m.state_dict())
        ['bias', 'weight']
    """
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning "
                     "can be removed")


def is_pruned(module: Module) -> bool:
    """Whether ``module`` or one of its submodules has a pruned tensor.

    Example::

        >>> import nn
        >>> from nn.utils import prune
        >>> m = nn.Linear(5, 7)
        >>> prune.is_pruned(m), prune.is_pruned(prune.identity(m, "weight"))
        (False, True)
    """
    return any(isinstance(hook, BasePruningMethod)
               for _, sub in module.named_modules() for hook in sub._forward_pre_hooks.values())
