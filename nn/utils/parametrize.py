"""Parametrizations (PyTorch's ``torch.nn.utils.parametrize``), the part weight norm needs.

``register_parametrization(module, "weight", p)`` replaces the parameter ``weight`` by
``module.parametrizations.weight.original`` (or ``original0``, ``original1``, ... when
``p.right_inverse`` returns a tuple) and makes ``module.weight`` a property computing
``p(original...)`` at every access, as PyTorch does: the module's class becomes a subclass
``Parametrized<Class>`` holding that property, and the state_dict keys are PyTorch's
(``parametrizations.weight.original0``). Inside ``with cached():`` each parametrized tensor is
computed once. Unless ``unsafe=True``, registering checks (as PyTorch) that the parametrization
keeps the tensor's shape and dtype, and raises PyTorch's ValueError before changing anything.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import autograd_core as ag
from autograd_core import Tensor
from nn.containers import ModuleDict, ModuleList
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized",
           "ParametrizationList", "cached", "transfer_parametrizations_and_params",
           "type_before_parametrizations"]

_cache_enabled = 0
_cache: dict[tuple[int, str], Any] = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Compute each parametrized tensor once inside the block (PyTorch's ``parametrize.cached``),
    e.g. a recurrent kernel used at every time step; the values are dropped when the outermost
    block exits.

    Example::

        >>> import nn
        >>> from nn.utils import parametrize
        >>> class Double(nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> m = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Double())
        >>> m.weight is m.weight
        False
        >>> with parametrize.cached():
        ...     m.weight is m.weight
        True
    """
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor and its unconstrained ``original`` tensor(s).

    Example::

        >>> import autograd_core as ag, nn
        >>> from nn.utils import parametrize
        >>> class Double(nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> m = parametrize.register_parametrization(nn.Linear(2, 2), "bias", Double())
        >>> plist = m.parametrizations.bias
        >>> type(plist).__name__, bool((m.bias == 2 * plist.original).all())
        ('ParametrizationList', True)
    """

    def __init__(self, modules, original: Parameter, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        with ag.no_grad():
            new = original
            for m in reversed(list(self)):
                if hasattr(m, "right_inverse"):
                    try:  # as PyTorch: a right_inverse that cannot run is the identity here
                        new = m.right_inverse(new)
                    except NotImplementedError:
                        pass
        self.is_tensor = isinstance(new, Tensor)
        if not unsafe:  # PyTorch's consistency check, before the original is overwritten
            with ag.no_grad():
                z = self._compose(new if self.is_tensor else tuple(new))
            _check_same(z, original, "unparametrized {}: {!r}\nparametrized {}: {!r}", "`unsafe`")
        if self.is_tensor:
            if new is not original:  # keep the original Parameter object, new values
                original._data[...] = new._data
            self.original = original
            self.ntensors = 1
        else:
            for i, t in enumerate(new):
                arr = t._data if isinstance(t, Tensor) else t
                setattr(self, f"original{i}",
                        Parameter(arr.copy(), requires_grad=original.requires_grad))
            self.ntensors = len(new)

    def right_inverse(self, value: Tensor) -> None:
        """Set the original(s) so that the parametrized tensor becomes ``value``."""
        with ag.no_grad():
            for m in reversed(list(self)):
                if hasattr(m, "right_inverse"):
                    value = m.right_inverse(value)
            if self.is_tensor:
                self.original._data[...] = value._data
            else:
                for i, t in enumerate(value):
                    getattr(self, f"original{i}")._data[...] = t._data

    def _compose(self, originals):
        x = self[0](*originals) if isinstance(originals, tuple) else self[0](originals)
        for m in list(self)[1:]:
            x = m(x)
        return x

    def forward(self) -> Tensor:
        if self.is_tensor:
            return self._compose(self.original)
        return self._compose(tuple(getattr(self, f"original{i}") for i in range(self.ntensors)))


def _check_same(z, ref, detail, flag):
    """PyTorch's refusal of a parametrization that changes the tensor's dtype or shape."""
    if not isinstance(z, Tensor):
        raise ValueError(f"A parametrization must return a tensor. Got {type(z).__name__}.")
    for what, a, b in (("dtype", ref.dtype, z.dtype), ("shape", ref.shape, z.shape)):
        if a != b:
            raise ValueError(
                f"Registering a parametrization may not change the {what} of the tensor, "
                f"unless {flag} flag is enabled.\n" + detail.format(what, a, what, b))


def _property(name):
    def get(self):
        if not _cache_enabled:
            return self.parametrizations[name]()
        key = (id(self), name)
        value = _cache.get(key)
        if value is None:
            value = _cache[key] = self.parametrizations[name]()
        return value

    def set_(self, value):
        self.parametrizations[name].right_inverse(value)

    return property(get, set_)


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, if given).

    Example::

        >>> import nn
        >>> nn.utils.parametrize.is_parametrized(nn.Linear(2, 2))
        False
    """
    plists = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(plists, ModuleDict):
        return False
    return len(plists) > 0 if tensor_name is None else tensor_name in plists


def register_parametrization(module: Module, tensor_name: str, parametrization: Module,
                             *, unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` equal ``parametrization(original)`` at every access (see
    the module docstring); a second call on the same name chains the parametrizations.

    Example::

        >>> import autograd_core as ag, nn
        >>> from nn.utils import parametrize
        >>> class Symmetric(nn.Module):
        ...     def forward(self, x):
        ...         return x.triu() + x.triu(1).T
        >>> m = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
        >>> bool((m.weight == m.weight.T).all()), type(m).__name__
        (True, 'ParametrizedLinear')
    """
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:  # PyTorch's checks: the new parametrization maps the tensor's space to itself
            with ag.no_grad():
                y = getattr(module, tensor_name)
                x = parametrization(y)
                _check_same(x, y, f"module.{tensor_name}.{{}}: {{!r}}\n"
                            f"parametrization(module.{tensor_name}).{{}}: {{!r}}", "the `unsafe`")
                if hasattr(parametrization, "right_inverse"):
                    try:
                        z = parametrization.right_inverse(x)
                    except NotImplementedError:
                        z = None
                    if z is not None and not isinstance(z, Tensor):
                        raise ValueError("parametrization.right_inverse must return a tensor. "
                                         f"Got: {type(z).__name__}")
                    for what in ("dtype", "shape") if z is not None else ():
                        if getattr(z, what) != getattr(y, what):
                            raise ValueError(
                                "The tensor returned by parametrization.right_inverse must have "
                                f"the same {what} as module.{tensor_name}, unless the `unsafe` "
                                f"flag is enabled.\nmodule.{tensor_name}.{what}: "
                                f"{getattr(y, what)!r}\nreturned {what}: {getattr(z, what)!r}")
        plist.append(parametrization)
        plist.unsafe |= unsafe
        return module
    original = getattr(module, tensor_name, None)
    if not isinstance(original, Parameter):  # buffers cannot be parametrized here
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        cls = module.__class__
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})
        module.parametrizations = ModuleDict()
    setattr(module.__class__, tensor_name, _property(tensor_name))
    module.parametrizations[tensor_name] = plist
    return module


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Remove the parametrizations on ``tensor_name``: it becomes a plain parameter holding
    its current parametrized value (``leave_parametrized=True``) or its original.

    Example::

        >>> import nn
        >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
        >>> m = nn.utils.parametrize.remove_parametrizations(m, "weight")
        >>> type(m).__name__, sorted(m.state_dict())
        ('Linear', ['bias', 'weight'])
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if leave_parametrized:
        with ag.no_grad():
            value = getattr(module, tensor_name)
        requires_grad = (plist.original if plist.is_tensor else plist.original0).requires_grad
        param = Parameter(value._data, requires_grad=requires_grad)
    elif plist.is_tensor:
        param = plist.original
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                         "that is parametrized in terms of a sequence of tensors.")
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    setattr(module, tensor_name, param)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The class ``module`` had before it was parametrized (its class if it is not).

    Example::

        >>> import nn
        >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
        >>> type(m).__name__, nn.utils.parametrize.type_before_parametrizations(m).__name__
        ('ParametrizedLinear', 'Linear')
    """
    return type(module).__bases__[0] if is_parametrized(module) else type(module)


def transfer_parametrizations_and_params(from_module: Module, to_module: Module,
                                         tensor_name: str | None = None) -> Module:
    """Parametrize ``to_module`` as ``from_module`` is (its tensor ``tensor_name``, else every
    parametrized one), sharing ``from_module``'s original Parameters; a tensor ``to_module``
    lacks is first made a Parameter of ``from_module``'s value. Nothing happens to a
    ``from_module`` without parametrizations. Returns ``to_module``.

    Example::

        >>> import autograd_core as ag, nn
        >>> from nn.utils import parametrize
        >>> a = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
        >>> b = parametrize.transfer_parametrizations_and_params(a, nn.Linear(3, 2))
        >>> b.parametrizations.weight.original0 is a.parametrizations.weight.original0
        True
    """
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        source = from_module.parametrizations[name]
        if not hasattr(to_module, name):
            with ag.no_grad():
                setattr(to_module, name, Parameter(getattr(from_module, name)._data.copy()))
        for p in source:
            register_parametrization(to_module, name, p)
        target = to_module.parametrizations[name]
        for attr in (["original"] if source.is_tensor else
                     [f"original{i}" for i in range(source.ntensors)]):
            setattr(target, attr, getattr(source, attr))  # the same Parameter, as PyTorch's
    return to_module
