"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict`` (PyTorch's behaviour, including
renumbering after deletion and slices returning containers)."""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import ItemsView, Iterable, KeysView, Mapping, ValuesView
from typing import Any

from nn import module as _module
from nn.module import Module, _addindent, _bump

_MODULE_CALL = Module.__call__  # the original: ag.compile's tracer wraps it while it traces

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


def _index(idx, n, kind):
    idx = operator.index(idx)
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range")
    return idx % n


def _module_list(modules, where):
    """``modules`` as a list, every element checked to be a Module before anything changes."""
    try:
        modules = list(modules)
    except TypeError:
        raise TypeError(f"{where} should be called with an iterable, but got "
                        f"{type(modules).__name__}") from None
    for m in modules:
        if not isinstance(m, Module):
            raise TypeError(f"{type(m).__name__} is not a Module subclass")
    return modules


def _note_failing_layer(exc, container, module):
    if not hasattr(exc, "add_note"):  # Python < 3.11
        return
    key = next((k for k, m in container._modules.items() if m is module), "?")
    first = repr(module).split("\n", 1)[0]
    exc.add_note(f"  in {container._get_name()} layer ({key}): {first}")


class Sequential(Module):
    """A chain of modules applied in order, each to the previous one's output.

    ``Sequential(Linear(2, 3), ReLU())`` names the children ``"0"``, ``"1"``, ...;
    ``Sequential(OrderedDict(fc=Linear(2, 3), act=ReLU()))`` uses the given names. Indexing,
    slicing (a new Sequential), ``del``, ``append``, ``extend``, ``insert`` and ``+`` behave as
    in PyTorch (indices are renumbered after a deletion). An error inside a layer gets a note
    naming that layer.

    Args:
        args: modules, or one ``OrderedDict``/``dict`` of name to module.

    Example::

        >>> from collections import OrderedDict
        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> model(ag.ones(5, 4)).shape
        autograd_core.Size([5, 2])
        >>> model[0]
        Linear(in_features=4, out_features=8, bias=True)
        >>> named = nn.Sequential(OrderedDict(fc=nn.Linear(4, 2), act=nn.Tanh()))
        >>> list(named.state_dict())
        ['fc.weight', 'fc.bias']
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def forward(self, input: Any) -> Any:
        # a layer without hooks runs its forward directly: what Module.__call__ would do, less
        # the ~0.25 us of calling an instance (unless its class has a __call__ of its own, or
        # Module.__call__ is wrapped, as ag.compile's tracer does)
        plain = not _module.global_hooks()
        for module in self._modules.values():
            try:
                if plain and module is not None and type(module).__call__ is _MODULE_CALL and \
                        not (module._forward_pre_hooks or module._forward_hooks
                             or module._backward_hooks or module._backward_pre_hooks
                             or module._non_full_backward_hooks):
                    input = module.forward(input)
                else:
                    input = module(input)
            except Exception as exc:  # say which layer failed (notes stack up when nested)
                _note_failing_layer(exc, self, module)
                raise
        return input

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self), "Sequential")]

    def __setitem__(self, idx, module):
        key = list(self._modules.keys())[_index(idx, len(self), "Sequential")]
        setattr(self, key, module)

    def __delitem__(self, idx):
        keys = list(self._modules.keys())
        if isinstance(idx, slice):
            for key in keys[idx]:
                delattr(self, key)
        else:
            delattr(self, keys[_index(idx, len(self), "Sequential")])
        # renumber so that indices stay 0..n-1 (PyTorch does the same)
        items = list(self._modules.items())
        for key, _ in items:
            self._forget(key)
        for i, (_, module) in enumerate(items):
            self.add_module(str(i), module)

    def append(self, module: Module) -> Sequential:
        """Adds ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Appends every module of ``modules`` (all checked first); returns self."""
        for m in _module_list(modules, "Sequential.extend"):
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Inserts ``module`` before position ``index``; returns self."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self._modules)
        if not (-n <= index <= n):
            raise IndexError(f"Index out of range: {index}")
        if index < 0:
            index += n
        items = list(self._modules.values())
        items.insert(index, module)
        for key in list(self._modules.keys()):
            self._forget(key)
        for i, m in enumerate(items):
            self.add_module(str(i), m)
        return self

    def __add__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(
                f"add operator supports only objects of Sequential class, but {type(other)} is "
                "given."
            )
        ret = Sequential()
        for m in list(self) + list(other):
            ret.append(m)
        return ret

    def pop(self, key: int | slice) -> Module:
        """Removes the module(s) at ``key`` (an index or a slice), renumbers the rest and
        returns what was removed (a ``Sequential`` for a slice), as ``torch.nn.Sequential.pop``.

        Example::

            >>> import nn
            >>> seq = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
            >>> seq.pop(1)
            Tanh()
            >>> seq
            Sequential(
              (0): ReLU()
              (1): Sigmoid()
            )
        """
        removed = self[key]
        del self[key]
        return removed

    def __mul__(self, other: int) -> Sequential:
        """A new ``Sequential`` running these modules (the same objects) ``other`` times."""
        if not isinstance(other, int):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and "
                            f"{type(other)}")
        if other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")
        ret = Sequential()
        for m in list(self) * other:
            ret.append(m)
        return ret

    __rmul__ = __mul__

    def __imul__(self, other: int) -> Sequential:
        repeated = self * other
        for key in list(self._modules):
            self._forget(key)
        for m in repeated:
            self.append(m)
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (``"0.weight"``, ...).

    Holds submodules in a Python-list-like container so ``parameters()``, ``state_dict()`` and
    ``to()`` see them (a plain list would hide them). It has no ``forward``: iterate over it.

    Args:
        modules (iterable of Module, optional): the initial modules.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(2)])
        >>> x = ag.ones(1, 3)
        >>> for layer in layers:
        ...     x = layer(x).tanh()
        >>> x.shape, len(list(layers.parameters()))
        (autograd_core.Size([1, 3]), 4)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx, module):
        self.add_module(str(_index(idx, len(self), "ModuleList")), module)

    def __delitem__(self, idx):
        n = len(self)
        if isinstance(idx, slice):
            for k in range(n)[idx]:
                self._forget(str(k))
        else:
            self._forget(str(_index(idx, n, "ModuleList")))
        items = list(self._modules.values())
        for key in list(self._modules.keys()):
            self._forget(key)
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        out = ModuleList()
        for m in list(self) + list(other):
            out.append(m)
        return out

    def append(self, module: Module) -> ModuleList:
        """Adds ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Appends every module of ``modules`` (all checked first); returns self."""
        for m in _module_list(modules, "ModuleList.extend"):
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Inserts ``module`` before position ``index``."""
        items = list(self._modules.values())
        items.insert(index, module)
        for key in list(self._modules.keys()):
            self._forget(key)
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def pop(self, key: int | slice = -1) -> Module:
        """Removes and returns the module at ``key``."""
        v = self[key]
        del self[key]
        return v

    def __repr__(self):
        """Runs of identical children are shown once, as PyTorch does: ``(0-2): 3 x Linear``."""
        items = list(self._modules.values())
        if not items:
            return self._get_name() + "()"
        reprs = [repr(m) for m in items]
        lines = []
        start = 0
        for i in range(1, len(reprs) + 1):
            if i < len(reprs) and reprs[i] == reprs[start]:
                continue
            count = i - start
            body = _addindent(reprs[start], 2)
            if count == 1:
                lines.append(f"({start}): {body}")
            else:
                lines.append(f"({start}-{i - 1}): {count} x {body}")
            start = i
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward(); iterate over it instead")


class ModuleDict(Module):
    """An ordered dict of modules whose parameters are registered (``"key.weight"``).

    Insertion order is kept; ``update`` accepts a mapping or an iterable of ``(key, module)``
    pairs. It has no ``forward``: index it.

    Args:
        modules (mapping or iterable of (str, Module), optional): the initial modules.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> heads = nn.ModuleDict({"relu": nn.ReLU(), "tanh": nn.Tanh()})
        >>> heads["relu"](ag.tensor([-1.0, 1.0]))
        tensor([0., 1.])
        >>> list(heads.keys())
        ['relu', 'tanh']
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None
                 = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        if key not in self._modules:
            raise KeyError(key)
        self._forget(key)
        _bump()

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self) -> None:
        """Removes every module."""
        for key in list(self._modules):
            del self[key]

    def pop(self, key: str) -> Module:
        """Removes and returns the module under ``key``."""
        v = self[key]
        del self[key]
        return v

    def keys(self) -> KeysView[str]:
        """The keys, in insertion order."""
        return self._modules.keys()

    def items(self) -> ItemsView[str, Module]:
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def values(self) -> ValuesView[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Adds or replaces modules from a mapping or ``(key, module)`` pairs (all checked
        before any change)."""
        if hasattr(modules, "items") and hasattr(modules, "keys"):
            items = list(modules.items())
        else:
            try:
                items = list(modules)
            except TypeError:
                raise TypeError("ModuleDict.update should be called with an iterable of "
                                f"key/value pairs, but got {type(modules).__name__}") from None
            for i, item in enumerate(items):
                try:
                    n = len(item)
                except TypeError:
                    raise TypeError(f"ModuleDict update sequence element #{i} should be "
                                    f"Iterable; is {type(item).__name__}") from None
                if n != 2:
                    raise ValueError(f"ModuleDict update sequence element #{i} has length "
                                     f"{n}; 2 is required")
        _module_list([m for _, m in items], "ModuleDict.update")  # all checked before any change
        for key, module in items:
            self[key] = module

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward(); index it instead")


def _parameter_line(key: Any, p: Any, kind: str) -> str:
    """PyTorch's line for one entry of a ParameterList/ParameterDict repr."""
    from nn.parameter import Parameter

    size = "x".join(str(n) for n in p.shape)
    what = "Parameter" if isinstance(p, Parameter) else "Tensor"
    return f"  ({key}): {what} containing: [{kind} of size {size}]"


def _typename(p: Any) -> str:
    """``torch.typename`` of a tensor, under this package's name (``autograd_core.DoubleTensor``)."""
    from autograd_core.ops.shape import typename

    return typename(p)


class ParameterList(Module):
    """A list of parameters registered under ``"0"``, ``"1"``, ... (PyTorch's
    ``nn.ParameterList``).

    A Tensor or array appended is wrapped in a ``Parameter``.

    Args:
        values (iterable, optional): the initial parameters (or tensors/arrays to wrap).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> params = nn.ParameterList([ag.zeros(2), ag.ones(3)])
        >>> [tuple(p.shape) for p in params]
        [(2,), (3,)]
        >>> list(params.state_dict())
        ['0', '1']
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    @staticmethod
    def _as_parameter(value):
        from nn.parameter import Parameter

        return value if isinstance(value, Parameter) else Parameter(value)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._parameters.values())[idx])
        return self._parameters[str(_index(idx, len(self), "ParameterList"))]

    def __setitem__(self, idx, value):
        self.register_parameter(str(_index(idx, len(self), "ParameterList")),
                                self._as_parameter(value))

    def append(self, value: Any) -> ParameterList:
        """Adds ``value`` (wrapped in a Parameter if need be) at the end; returns self."""
        self.register_parameter(str(len(self)), self._as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Appends every value (all wrapped first); returns self."""
        values = [self._as_parameter(v) for v in values]  # all checked before any is added
        for v in values:
            self.append(v)
        return self

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def extra_repr(self) -> str:
        return "\n".join(_parameter_line(i, p, str(p.dtype)) for i, p in enumerate(self))


class ParameterDict(Module):
    """An ordered dict of parameters registered under their keys (PyTorch's
    ``nn.ParameterDict``).

    A Tensor or array stored is wrapped in a ``Parameter``; insertion order is kept; ``update``
    accepts a mapping or an iterable of ``(key, value)`` pairs (a plain ``dict``'s are added
    in sorted key order, as PyTorch's).

    Args:
        parameters (mapping or iterable of (str, value), optional): the initial parameters.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> params = nn.ParameterDict({"scale": ag.ones(2), "shift": ag.zeros(2)})
        >>> list(params.keys()), list(params.state_dict())
        (['scale', 'shift'], ['scale', 'shift'])
        >>> params["scale"].requires_grad
        True
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, ParameterList._as_parameter(value))

    def __delitem__(self, key: str) -> None:
        if key not in self._parameters:
            raise KeyError(key)
        self._forget(key)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Any:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> KeysView[str]:
        """The keys, in insertion order."""
        return self._parameters.keys()

    def items(self) -> ItemsView[str, Any]:
        """``(key, parameter)`` pairs, in insertion order."""
        return self._parameters.items()

    def values(self) -> ValuesView[Any]:
        """The parameters, in insertion order."""
        return self._parameters.values()

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter under ``key``, or ``default``."""
        return self._parameters.get(key, default)

    def pop(self, key: str) -> Any:
        """Removes and returns the parameter under ``key``."""
        v = self[key]
        del self[key]
        return v

    def clear(self) -> None:
        """Removes every parameter."""
        for key in list(self._parameters):
            del self[key]

    def __reversed__(self) -> Any:
        return reversed(list(self._parameters))

    def popitem(self) -> tuple[str, Any]:
        """Removes and returns the last ``(key, parameter)`` inserted."""
        if not self._parameters:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self._parameters))
        return key, self.pop(key)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """The parameter under ``key``, after storing ``default`` there if it was missing."""
        if key not in self._parameters:
            self[key] = default
        return self[key]

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same parameters (not copies of them)."""
        return ParameterDict(OrderedDict(self._parameters))

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with ``default`` under each of ``keys``."""
        return ParameterDict(OrderedDict((k, default) for k in keys))

    def __or__(self, other: Any) -> ParameterDict:
        out = self.copy()
        out.update(other)
        return out

    def __ror__(self, other: Any) -> ParameterDict:
        out = other.copy() if isinstance(other, ParameterDict) else ParameterDict(other)
        out.update(self)
        return out

    def __ior__(self, other: Any) -> ParameterDict:
        self.update(other)
        return self

    def update(self, parameters: Any) -> None:
        """Adds or replaces parameters from a mapping or ``(key, value)`` pairs (all wrapped
        before any change). As PyTorch's: a plain ``dict``'s (any mapping but an
        ``OrderedDict`` or a ``ParameterDict``) are added in sorted key order, the others in
        their order."""
        if isinstance(parameters, Mapping) and not isinstance(parameters, OrderedDict):
            items = sorted(parameters.items(), key=lambda kv: kv[0])
        elif hasattr(parameters, "items") and hasattr(parameters, "keys"):
            items = list(parameters.items())
        else:
            try:
                items = [tuple(kv) for kv in parameters]
            except TypeError:
                raise TypeError("ParametersDict.update should be called with an iterable of "
                                f"key/value pairs, but got {type(parameters).__name__}") from None
            for i, item in enumerate(items):
                if len(item) != 2:
                    raise ValueError(f"ParameterDict update sequence element #{i} has length "
                                     f"{len(item)}; 2 is required")
        wrapped = [(k, ParameterList._as_parameter(v)) for k, v in items]
        for key, value in wrapped:
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(_parameter_line(k, p, _typename(p)) for k, p in self.items())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterDict has no forward(); index it instead")
