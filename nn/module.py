"""``Module``: the base class of layers and models, with PyTorch's contract.

Parameters, buffers and submodules are registered by attribute assignment (``self.fc =
Linear(2, 3)``) into ``_parameters`` / ``_buffers`` / ``_modules`` and *also* kept in the
instance ``__dict__``, so reading ``self.fc`` or ``self.weight`` in ``forward`` is an ordinary
attribute lookup (PyTorch goes through ``__getattr__`` for every such read). The three
registries are dicts that keep the instance dict in step with every write into them, so code
that writes them directly as PyTorch code does (``module._parameters[name] = new_weight`` in
meta-learning loops, ``del module._modules[name]``) changes what ``forward`` reads, as in
PyTorch.

``parameters()`` is cached: a module-tree-wide structure counter moves on every registration
change anywhere, and invalidates every cache.

Deliberate differences from ``torch.nn.Module`` (all in the direction of safety):

* ``load_state_dict`` validates every key and shape before writing anything and copies values
  into the existing arrays in place (optimizers holding the parameters stay valid; with
  ``assign=True`` the values become the parameters, as PyTorch's). It accepts
  numpy arrays, Tensors and Python numbers.
* ``to()`` only changes dtypes: there is one device, the CPU (``"cpu"`` is accepted; CUDA and
  MPS raise PyTorch's error for a build without them).
"""

from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np

from autograd_core.ops.registry import warn_caller
from autograd_core import Size, Tensor
from autograd_core.device import check_device
from autograd_core.multiprocessing import _share_memory_
from autograd_core.device import device as _device
from nn import _backward_hooks
from nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = ["Module", "RemovableHandle", "register_module_forward_pre_hook",
           "register_module_forward_hook", "register_module_full_backward_pre_hook",
           "register_module_full_backward_hook"]

_M = TypeVar("_M", bound="Module")

# Moves on every registration change in any module; parameters() caches compare against it.
_STRUCTURE = [0]
_REGISTRIES = ("_parameters", "_buffers", "_modules")


def _bump():
    _STRUCTURE[0] += 1


_BOTH_KINDS = ("Cannot use both regular backward hooks and full backward hooks on a single "
               "Module. Please use only one of them.")


class _Registry(dict):
    """``_parameters`` / ``_buffers`` / ``_modules``: a dict that mirrors every write into its
    module's instance dict (where ``forward``'s attribute reads find the entries) and moves the
    structure counter. Reads are a dict's. It holds its module weakly (no reference cycle); a
    copy (``copy.copy``/``deepcopy``, pickling) is a plain dict, which the copied module's
    ``__setstate__`` wraps again for itself."""

    __slots__ = ("_owner",)

    def __init__(self, owner, items=()):
        super().__init__(items)
        self._owner = weakref.ref(owner)

    def _dict(self):
        owner = self._owner()
        return None if owner is None else owner.__dict__

    def __setitem__(self, key, value):
        dict.__setitem__(self, key, value)
        d = self._dict()
        if d is not None:
            d[key] = value
        _bump()

    def __delitem__(self, key):
        dict.__delitem__(self, key)
        d = self._dict()
        if d is not None:
            d.pop(key, None)
        _bump()

    _MISSING = object()

    def pop(self, key, default=_MISSING):
        if key in self:
            value = self[key]
            del self[key]
            return value
        if default is _Registry._MISSING:
            raise KeyError(key)
        return default

    def popitem(self):
        key, value = dict.popitem(self)
        d = self._dict()
        if d is not None:
            d.pop(key, None)
        _bump()
        return key, value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other):  # type: ignore[misc]  # (dict | other: a plain dict)
        self.update(other)
        return self

    def clear(self):
        for key in list(self):
            del self[key]

    def copy(self):
        return dict(self)

    def __reduce__(self):
        return dict, (dict(self),)

    def __copy__(self):
        return dict(self)

    def __deepcopy__(self, memo):
        import copy
        return {copy.deepcopy(k, memo): copy.deepcopy(v, memo) for k, v in self.items()}


class RemovableHandle:
    """Returned by ``register_*_hook``; ``remove()`` unregisters the hook (also usable as a
    context manager that removes it on exit)."""

    _ids = itertools.count()

    def __init__(self, hooks_dict: dict[int, Any], *, extra_dict: Any = None) -> None:
        self.hooks_dict = hooks_dict
        self.id = next(RemovableHandle._ids)
        # the dicts flagging this hook (with_kwargs, always_call), cleared with it
        self.extra_dicts = list(extra_dict) if isinstance(extra_dict, (list, tuple)) else \
            ([] if extra_dict is None else [extra_dict])

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)
        for d in self.extra_dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# hooks every Module runs (PyTorch's torch.nn.modules.module globals), before its own
_global_forward_pre_hooks: dict[int, Any] = OrderedDict()
_global_forward_hooks: dict[int, Any] = OrderedDict()
_global_forward_hooks_with_kwargs: dict[int, bool] = {}
_global_forward_hooks_always_called: dict[int, bool] = {}


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Registers ``hook(module, args)`` to run before the ``forward`` of every Module, before
    the module's own pre-hooks; a non-None result replaces the positional arguments.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> h = nn.modules.module.register_module_forward_pre_hook(lambda m, args: (args[0] + 1,))
        >>> nn.Identity()(ag.tensor([1.0]))
        tensor([2.])
        >>> h.remove()
    """
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


def register_module_forward_hook(hook: Callable[..., Any], *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """Registers ``hook(module, args, output)`` (``hook(module, args, kwargs, output)`` with
    ``with_kwargs``) to run after the ``forward`` of every Module, before the module's own
    forward hooks; a non-None result replaces the output. ``always_call`` runs it (with output
    None) also when ``forward`` raises.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> seen = []
        >>> h = nn.modules.module.register_module_forward_hook(
        ...     lambda m, args, out: seen.append(type(m).__name__))
        >>> _ = nn.Sequential(nn.Linear(2, 2), nn.ReLU())(ag.ones(1, 2))
        >>> h.remove()
        >>> seen
        ['Linear', 'ReLU', 'Sequential']
    """
    handle = RemovableHandle(_global_forward_hooks, extra_dict=[
        _global_forward_hooks_with_kwargs, _global_forward_hooks_always_called])
    _global_forward_hooks[handle.id] = hook
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


_global_backward_hooks = _backward_hooks.GLOBAL_FULL
_global_backward_pre_hooks = _backward_hooks.GLOBAL_PRE


def global_hooks() -> bool:
    """Whether a global forward or backward module hook is registered (each module's own are
    in its hook dicts)."""
    return bool(_global_forward_pre_hooks or _global_forward_hooks or _global_backward_hooks
                or _global_backward_pre_hooks)


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Registers ``hook(module, grad_output)`` to run in the backward pass of every Module
    called after this, before the module's own backward pre-hooks (see
    :meth:`Module.register_full_backward_pre_hook`); a non-None result replaces
    ``grad_output``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> x = ag.ones(2, requires_grad=True)
        >>> h = nn.modules.module.register_module_full_backward_pre_hook(
        ...     lambda m, grad_output: (grad_output[0] * 3,))
        >>> nn.Identity()(x).sum().backward()
        >>> h.remove()
        >>> x.grad
        tensor([3., 3.])
    """
    handle = RemovableHandle(_global_backward_pre_hooks)
    _global_backward_pre_hooks[handle.id] = hook
    return handle


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Registers ``hook(module, grad_input, grad_output)`` to run in the backward pass of
    every Module called after this, before the module's own full backward hooks (see
    :meth:`Module.register_full_backward_hook`); a non-None result replaces ``grad_input``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> seen = []
        >>> h = nn.modules.module.register_module_full_backward_hook(
        ...     lambda m, grad_input, grad_output: seen.append(type(m).__name__))
        >>> x = ag.ones(1, 2, requires_grad=True)
        >>> nn.Sequential(nn.Linear(2, 2), nn.ReLU())(x).sum().backward()
        >>> h.remove()
        >>> seen
        ['ReLU', 'Linear', 'Sequential']
    """
    handle = RemovableHandle(_global_backward_hooks)
    _global_backward_hooks[handle.id] = hook
    return handle


def _owner(key: str, visit: dict[str, int]) -> int:
    """The walk position of the deepest module whose prefix ``key`` starts with."""
    parts = key.split(".")
    for j in range(len(parts) - 1, 0, -1):
        at = visit.get(".".join(parts[:j]))
        if at is not None:
            return at
    return 0


def _key_errors(missing: list, unexpected: list) -> list[str]:
    """``load_state_dict(strict=True)``'s messages, in PyTorch's order (missing keys first)."""
    errors = []
    if missing:
        errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing)
                      + ". ")
    if unexpected:
        errors.append("Unexpected key(s) in state_dict: "
                      + ", ".join(f'"{k}"' for k in unexpected) + ". ")
    return errors


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _has_extra_state(mod, name="get_extra_state"):
    """Whether ``mod``'s class overrides ``Module.get_extra_state`` (or ``name``)."""
    return getattr(type(mod), name) is not getattr(Module, name)


def _addindent(s, num_spaces):
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    lines = [(num_spaces * " ") + line for line in lines]
    return first + "\n" + "\n".join(lines)


def _as_array(value):
    """A numpy view of a state-dict value (Tensor, array, Python number/list)."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray):
        return value
    return np.asarray(value)


class Module:
    """Base class of every layer and model (as ``torch.nn.Module``).

    Subclass it, create the layers in ``__init__`` (after ``super().__init__()``) and write
    ``forward``; call the module, not ``forward``, so hooks run. Parameters, buffers and
    submodules assigned as attributes are registered; ``parameters()``, ``state_dict()``,
    ``train()``/``eval()``, ``to(dtype)`` and ``zero_grad()`` see the whole tree. Differences
    from PyTorch are listed in the module docstring of ``nn.module`` (``load_state_dict``
    validates everything first; one device, the CPU).

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> import nn.functional as F
        >>> class Model(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc1 = nn.Linear(4, 8)
        ...         self.fc2 = nn.Linear(8, 2)
        ...
        ...     def forward(self, x):
        ...         return self.fc2(F.relu(self.fc1(x)))
        >>> _ = ag.manual_seed(0)
        >>> model = Model()
        >>> model(ag.ones(3, 4)).shape
        autograd_core.Size([3, 2])
        >>> [name for name, _ in model.named_parameters()]
        ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
        >>> model
        Model(
          (fc1): Linear(in_features=4, out_features=8, bias=True)
          (fc2): Linear(in_features=8, out_features=2, bias=True)
        )
    """

    training: bool
    _version = 1
    #: State keys this module fills in when a state_dict lacks them (keeping their current
    #: value), as PyTorch's norm layers do for ``num_batches_tracked`` (checkpoints from before
    #: it existed, and dicts built by hand or converted from other frameworks).
    _optional_state_keys: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected arguments; Module.__init__ "
                "takes none"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = _Registry(self)
        d["_buffers"] = _Registry(self)
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = _Registry(self)
        d["_forward_hooks"] = OrderedDict()  # OrderedDicts, as PyTorch's (they print so)
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks_with_kwargs"] = {}  # hook id -> True, as PyTorch's
        d["_forward_hooks_always_called"] = {}
        d["_forward_pre_hooks_with_kwargs"] = {}
        d["_backward_hooks"] = OrderedDict()  # register_full_backward_hook
        d["_backward_pre_hooks"] = OrderedDict()
        d["_param_cache"] = None
        _bump()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it. Call the module itself (which runs the
        hooks), not ``forward``."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    # ---- calling ---------------------------------------------------------------------------
    # the backward hook dicts a module may lack (made on first registration, or a module whose
    # __dict__ was built otherwise): read as attributes, these empty defaults answer for them
    # (~0.1 us a call less than looking each up in the instance dict)
    _backward_hooks: Any = ()
    _backward_pre_hooks: Any = ()
    _non_full_backward_hooks: Any = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or \
                self._backward_pre_hooks or self._non_full_backward_hooks or \
                _global_forward_pre_hooks or _global_forward_hooks or \
                _global_backward_hooks or _global_backward_pre_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs) if kwargs else self.forward(*args)

    def _call_with_hooks(self, args, kwargs):
        d = self.__dict__
        with_kw = d.get("_forward_hooks_with_kwargs", {})
        always = d.get("_forward_hooks_always_called", {})
        called: set[int] = set()  # the always_call hooks that ran (PyTorch's bookkeeping)
        out = None
        try:
            pre_kw = d.get("_forward_pre_hooks_with_kwargs", {})
            for hid, hook in [*_global_forward_pre_hooks.items(),
                              *self._forward_pre_hooks.items()]:
                if hid in pre_kw:
                    res = hook(self, args, kwargs)
                    if res is not None:
                        if not (isinstance(res, tuple) and len(res) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple "
                                               f"of (new_args, new_kwargs), but got {res}.")
                        args, kwargs = res
                else:
                    res = hook(self, args)
                    if res is not None:
                        args = res if isinstance(res, tuple) else (res,)
            bw_state = None
            if d.get("_backward_hooks") or d.get("_backward_pre_hooks") or \
                    _global_backward_hooks or _global_backward_pre_hooks:
                args, bw_state = _backward_hooks.wrap_inputs(self, args)
            out = self.forward(*args, **kwargs)
            for hid, hook in [*_global_forward_hooks.items(), *self._forward_hooks.items()]:
                if hid in always or hid in _global_forward_hooks_always_called:
                    called.add(hid)
                kw = hid in with_kw or hid in _global_forward_hooks_with_kwargs
                res = hook(self, args, kwargs, out) if kw else hook(self, args, out)
                if res is not None:
                    out = res
            if bw_state is not None:
                out = _backward_hooks.wrap_outputs(bw_state, out)
            if d.get("_non_full_backward_hooks"):
                _backward_hooks.attach_non_full(self, args, out)
            return out
        except Exception:
            # PyTorch's: the always_call hooks that have not run, in their dicts' order (global
            # first), with the output so far; an error in one is a warning; then re-raise
            for hooks, flags, where in ((_global_forward_hooks, _global_forward_hooks_always_called,
                                         "global module forward hook"),
                                        (self._forward_hooks, always, "module forward hook")):
                for hid, hook in list(hooks.items()):
                    if hid not in flags or hid in called:
                        continue
                    kw = hid in with_kw or hid in _global_forward_hooks_with_kwargs
                    try:
                        res = hook(self, args, kwargs, out) if kw else hook(self, args, out)
                        if res is not None:
                            out = res
                    except Exception as exc:  # noqa: BLE001 - PyTorch's warning, then on
                        warn_caller(f"{where} with ``always_call=True`` raised an exception "
                                    "that was silenced as another error was raised in "
                                    f"forward: {exc}")
            raise

    def _add_hook(self, hooks: dict, hook: Callable[..., Any], prepend: bool,
                  flags: dict[str, bool]) -> RemovableHandle:
        d = self.__dict__
        marks = [d.setdefault(name, {}) for name in flags]
        handle = RemovableHandle(hooks, extra_dict=marks)
        for mark, on in zip(marks, flags.values()):
            if on:
                mark[handle.id] = True
        if prepend:  # in place: the handle holds this dict
            rest = list(hooks.items())
            hooks.clear()
            hooks[handle.id] = hook
            hooks.update(rest)
        else:
            hooks[handle.id] = hook
        return handle

    def register_full_backward_hook(self, hook: Callable[..., Any],
                                    prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs in the backward pass once the
        gradients of the module's inputs are computed: ``grad_input`` has one entry per
        positional argument (None for non-tensors and for inputs without grad), ``grad_output``
        one per top-level output; a non-None result (a tuple of the same length) replaces
        ``grad_input``. Without any input requiring grad, it runs with ``grad_input`` all None
        and must return None."""
        d = self.__dict__
        if d.get("_non_full_backward_hooks"):
            raise RuntimeError(_BOTH_KINDS)
        return self._add_hook(d.setdefault("_backward_hooks", OrderedDict()), hook, prepend, {})

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """PyTorch's deprecated form of :meth:`register_full_backward_hook` (Grad-CAM code
        still calls it): ``hook(module, grad_input, grad_output)`` runs on the node that made
        the module's output, ``grad_input`` that node's input gradients (for a one-op module
        such as ``Conv2d``: input, weight, bias; None where no gradient flows), with PyTorch's
        FutureWarning when that is not the module's inputs' gradients. A returned tuple
        replaces ``grad_input``. (The node is this project's: ``Linear``'s is one node of
        ``(input, weight, bias)``, PyTorch's an ``addmm`` of ``(bias, input, weight.T)``.)"""
        d = self.__dict__
        if d.get("_backward_hooks"):
            raise RuntimeError(_BOTH_KINDS)
        return self._add_hook(d.setdefault("_non_full_backward_hooks", OrderedDict()), hook,
                              False, {})

    def register_full_backward_pre_hook(self, hook: Callable[..., Any],
                                        prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` runs in the backward pass when the gradients of the
        module's outputs are known, before they flow into it; a non-None result (a tuple of
        the same length) replaces ``grad_output``."""
        d = self.__dict__
        return self._add_hook(d.setdefault("_backward_pre_hooks", OrderedDict()), hook,
                              prepend, {})

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; a non-None result replaces the
        positional arguments (a single value is wrapped in a tuple). With ``with_kwargs``,
        ``hook(module, args, kwargs)`` may return ``(args, kwargs)``; ``prepend`` runs it
        before the hooks already registered."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend,
                              {"_forward_pre_hooks_with_kwargs": with_kwargs})

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; a non-None result replaces
        the output. With ``with_kwargs``, ``hook(module, args, kwargs, output)``; ``prepend``
        runs it before the hooks already registered; ``always_call`` runs it (with output
        None) also when ``forward`` raises.

        Example::

            >>> import autograd_core as ag
            >>> import nn
            >>> m = nn.Identity()
            >>> seen = []
            >>> _ = m.register_forward_hook(lambda mod, args, kwargs, out: seen.append(kwargs),
            ...                             with_kwargs=True)
            >>> _ = m.register_forward_hook(lambda mod, args, out: out * 2, prepend=True)
            >>> m(ag.tensor([1.0]))
            tensor([2.])
            >>> seen
            [{}]
        """
        return self._add_hook(self._forward_hooks, hook, prepend,
                              {"_forward_hooks_with_kwargs": with_kwargs,
                               "_forward_hooks_always_called": always_call})

    # ---- registration ----------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            params[name] = value
            d[name] = value
            _bump()
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            params[name] = None
            d[name] = None
            _bump()
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            modules[name] = value
            d[name] = value
            _bump()
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(nn.Module or None expected)"
                )
            modules[name] = None
            d[name] = None
            _bump()
            return
        if isinstance(value, Buffer):
            self.register_buffer(name, value, persistent=value.persistent)
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(Tensor or None expected)"
                )
            buffers[name] = value
            d[name] = value
            return
        if name in _REGISTRIES and isinstance(value, dict):
            self._replace_registry(name, value)
            return
        object.__setattr__(self, name, value)

    def _replace_registry(self, name, value):
        """``module._parameters = {...}`` (learn2learn's clone_module assigns dict copies, then
        writes the cloned weights into them): the new entries become the instance dict's and
        later writes into the dict are mirrored, as the registries' writes always are."""
        d = self.__dict__
        old = d.get(name)
        for key in old if old is not None else ():
            if key not in value:
                d.pop(key, None)
        reg = value if type(value) is _Registry and value._owner() is self else _Registry(self, value)
        d[name] = reg
        d.update(reg)
        _bump()

    def _forget(self, name, keep=None):
        """Remove ``name`` from every registry but ``keep`` (the one about to be assigned: a
        name re-assigned there keeps its place in the order, as in PyTorch) and from the
        instance dict."""
        d = self.__dict__
        for reg in ("_parameters", "_buffers", "_modules"):
            r = d.get(reg)
            if reg != keep and r is not None and name in r:
                del r[name]
        d.get("_non_persistent_buffers_set", set()).discard(name)
        d.pop(name, None)
        _bump()

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails (registered names live in __dict__ too).
        d = self.__dict__
        for reg in ("_parameters", "_buffers", "_modules"):
            r = d.get(reg)
            if r is not None and name in r:
                return r[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        if any(name in d.get(r, ()) for r in ("_parameters", "_buffers", "_modules")):
            self._forget(name)
            _bump()
        else:
            object.__delattr__(self, name)

    def _check_name(self, name, kind):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        # PyTorch's rule: any existing attribute but one of the same kind (registering a
        # buffer under a parameter's name, or the reverse, is refused; assignment
        # ``m.name = value`` goes through __setattr__, which replaces it)
        own = self.__dict__["_parameters" if kind == "parameter" else "_buffers"]
        if name not in own and (hasattr(type(self), name) or name in self.__dict__):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (a ``Parameter`` or None) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required)"
            )
        self._forget(name, keep="_parameters")
        self._parameters[name] = param
        self.__dict__[name] = param
        _bump()

    def register_buffer(self, name: str, tensor: Tensor | np.ndarray | None,
                        persistent: bool = True) -> None:
        """Add a buffer (a Tensor that is state but not a parameter, e.g. running statistics).
        ``persistent=False`` keeps it out of ``state_dict``. A numpy array is wrapped."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        if isinstance(tensor, np.ndarray):
            tensor = Tensor._wrap(tensor)
        elif isinstance(tensor, Buffer):
            tensor = Tensor._wrap(tensor._data)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(Tensor or None required)"
            )
        self._forget(name, keep="_buffers")
        self._buffers[name] = tensor
        self.__dict__[name] = tensor
        if not persistent:
            self._non_persistent_buffers_set.add(name)
        _bump()

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module (or None) under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f'module name can\'t contain "." or be empty, got: "{name}"')
        if hasattr(type(self), name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._forget(name, keep="_modules")
        self._modules[name] = module
        self.__dict__[name] = module
        _bump()

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``""`` is the module itself)."""
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if item in mod._modules:
                mod = mod._modules[item]
                continue
            # PyTorch's getattr: a property returning a module is followed too
            found = getattr(mod, item, None) if not item.startswith("__") else None
            if found is None:
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            if not isinstance(found, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
            mod = found
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"fc1.weight"``)."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if name not in mod._parameters:
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return mod._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target`` (``"bn.running_mean"``); PyTorch's errors.

        Example::

            >>> import nn
            >>> nn.Sequential(nn.BatchNorm1d(2)).get_buffer("0.running_var")
            tensor([1., 1.])
        """
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return mod._buffers[name]

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target`` (replacing what is there, or adding it
        to an existing parent; with ``strict``, only replacing); PyTorch's errors.

        Example::

            >>> import nn
            >>> m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
            >>> m.set_submodule("1", nn.Tanh())
            >>> m
            Sequential(
              (0): Linear(in_features=2, out_features=2, bias=True)
              (1): Tanh()
            )
        """
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        path, _, name = target.rpartition(".")
        parent = self.get_submodule(path)
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def to_empty(self: _M, *, device: Any, recurse: bool = True) -> _M:
        """Give the parameters and buffers new uninitialised memory of their shapes and dtypes
        on ``device`` (only the CPU exists), as PyTorch's; returns the module.

        Example::

            >>> import nn
            >>> m = nn.Linear(2, 1).to_empty(device="cpu")
            >>> m.weight.shape, m.weight.requires_grad
            (autograd_core.Size([1, 2]), True)
        """
        check_device(device, "Module.to_empty")
        for m in (self.modules() if recurse else (self,)):
            for t in (*m._parameters.values(), *m._buffers.values()):
                if t is not None:
                    t.data = np.empty_like(t._data)
        return self

    # ---- iteration -------------------------------------------------------------------------
    def named_modules(self, memo: set[Module] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module and every submodule, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, depth first (each shared one once)."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for the immediate children."""
        memo = set()
        for name, module in self._modules.items():
            if module is not None and module not in memo:
                memo.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        """The immediate child modules."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, get, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for k, v in get(mod).items():
                if v is None or (remove_duplicate and id(v) in memo):
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield mod_prefix + ("." if mod_prefix else "") + k, v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs, the names ``state_dict`` uses."""
        return self._named_members(lambda m: m._parameters, prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """An iterator over the parameters (each shared parameter once). Cached: the list is
        rebuilt only after a registration change somewhere."""
        if not recurse:  # (one registered under two names once, as PyTorch's)
            return iter({id(p): p for p in self._parameters.values() if p is not None}
                        .values())
        cache = self._param_cache
        if cache is None or cache[0] != _STRUCTURE[0]:
            cache = (_STRUCTURE[0], [p for _, p in self.named_parameters()])
            self.__dict__["_param_cache"] = cache
        return iter(cache[1])

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)`` pairs (persistent or not)."""
        return self._named_members(lambda m: m._buffers, prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers (running statistics and the like)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- modes and gradients ---------------------------------------------------------------
    def train(self: _M, mode: bool = True) -> _M:
        """Sets training mode (``mode=True``) or eval mode on the whole tree; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.__dict__["training"] = mode
        for child in self.children():  # each child's own train(), as PyTorch's: a child that
            child.train(mode)  # overrides it (a frozen batch norm staying in eval) is obeyed
        return self

    def eval(self: _M) -> _M:
        """Sets eval mode (``train(False)``): dropout off, normalisation uses running
        statistics; returns self."""
        return self.train(False)

    def requires_grad_(self: _M, requires_grad: bool = True) -> _M:
        """Sets ``requires_grad`` on every parameter (``False`` freezes them); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Resets every parameter's ``.grad``: to None (default) or to zeros in place."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
                continue
            grad = p.grad
            if grad.grad_fn is not None:  # PyTorch: out of the graph first (create_graph=True)
                grad.detach_()
            elif grad.requires_grad:
                grad.requires_grad_(False)
            grad._data.fill(0)

    def apply(self: _M, fn: Callable[[Module], object]) -> _M:
        """Call ``fn`` on every submodule (children first) and on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- dtype and device ------------------------------------------------------------------
    def to(self: _M, *args: Any, **kwargs: Any) -> _M:
        """PyTorch's ``Module.to``: ``to(device=None, dtype=None, non_blocking=False)``,
        ``to(dtype)``, ``to(tensor)`` (its dtype). Casts floating point parameters, their
        gradients and floating buffers in place (same Parameter objects, new arrays); returns
        the module. The only device is the CPU: ``"cpu"`` is accepted, CUDA/MPS raise
        PyTorch's error."""
        device = kwargs.pop("device", None)
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        rest = list(args)
        if len(rest) > 3:
            raise TypeError(f"to() takes at most 3 positional arguments, got {len(rest)}")
        if rest and isinstance(rest[0], Tensor):
            dtype = rest.pop(0).dtype
        elif rest and (isinstance(rest[0], (str, _device)) or (
                isinstance(rest[0], int) and not isinstance(rest[0], bool))):
            device = rest.pop(0)
        if rest and not isinstance(rest[0], bool):
            dtype = rest.pop(0)
        check_device(device, "Module.to")
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind not in "fc":
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")
        return self._cast(dtype, kinds="fc")

    def _cast(self, dtype, kinds="f"):
        """Cast the parameters, their gradients and the buffers whose dtype kind is in
        ``kinds`` (``to(dtype)``: floating and complex ones, as PyTorch's, a complex one made
        real losing its imaginary part with PyTorch's warning; ``float()``/``double()``/
        ``half()``: floating ones) to ``dtype``."""
        warned = []

        def to(a):
            if a.dtype.kind == "c" and dtype.kind != "c":
                if not warned:
                    warned.append(True)
                    warn_caller("Casting complex values to real discards the imaginary part")
                a = a.real
            return a.astype(dtype)

        def cast(t):
            if t is not None and t._data.dtype.kind in kinds and t._data.dtype != dtype:
                t.data = to(t._data)
                if t.grad is not None:
                    t._grad = Tensor._wrap(to(t.grad._data))

        for m in self.modules():
            for p in m._parameters.values():
                cast(p)
            for b in m._buffers.values():
                cast(b)
        return self

    def float(self: _M) -> _M:
        """Cast floating point parameters and buffers to float32."""
        return self._cast(np.dtype(np.float32))

    def double(self: _M) -> _M:
        """Cast floating point parameters and buffers to float64."""
        return self._cast(np.dtype(np.float64))

    def half(self: _M) -> _M:
        """Cast floating point parameters and buffers to float16."""
        return self._cast(np.dtype(np.float16))

    def share_memory(self: _M) -> _M:
        """Move the parameters, their gradients and the buffers into shared memory, so that
        processes given this module (``autograd_core.multiprocessing``, any start method) update
        one copy of them in place (Hogwild training). Returns the module.

        Example::

            >>> import nn
            >>> m = nn.Linear(2, 1).share_memory()
            >>> m.weight.is_shared(), m.bias.is_shared()
            (True, True)
        """
        for m in self.modules():
            for t in (*m._parameters.values(), *m._buffers.values()):
                if t is not None:
                    _share_memory_(t)
                    if t.grad is not None:
                        _share_memory_(t.grad)
        return self

    def cpu(self: _M) -> _M:
        """The module itself: everything is on the CPU."""
        return self

    def cuda(self: _M, device: object = None) -> _M:
        """Raises PyTorch's ``Torch not compiled with CUDA enabled``: only the CPU exists."""
        check_device("cuda" if device is None else device, "Module.cuda")
        return self

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """PyTorch's ``Module.compile`` compiles the module's forward in place with
        ``torch.compile``; here it does nothing and the module runs eagerly: the same
        numbers, the same ``state_dict`` keys. ``torch.compile``'s arguments are checked as
        there (an unknown keyword, ``mode`` and ``options`` together, an unknown ``mode``).
        (``ag.compile`` captures whole training steps; a forward alone gains nothing from it.)

        Example::

            >>> import nn
            >>> m = nn.Linear(2, 1)
            >>> m.compile(mode="max-autotune")
            >>> list(m.state_dict())
            ['weight', 'bias']
        """
        from autograd_core.capture import compile as compile_

        compile_(None, *args, **kwargs)  # torch.compile(self._call_impl, *args, **kwargs)'s checks

    def type(self: _M, dst_type: Any) -> _M:
        """Casts floating point parameters and buffers to ``dst_type`` (as ``to(dst_type)``)."""
        return self.to(dst_type)

    # ---- state dict ------------------------------------------------------------------------
    def _state_entries(self, prefix="", recurse=True):
        """(key, tensor) for every non-None parameter and persistent buffer, PyTorch order."""
        out = []
        mods = (self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False)
                if recurse else [(prefix.rstrip("."), self)])
        for mod_prefix, mod in mods:
            pre = mod_prefix + "." if mod_prefix else ""
            for k, p in mod._parameters.items():
                if p is not None:
                    out.append((pre + k, p))
            for k, b in mod._buffers.items():
                if b is not None and k not in mod._non_persistent_buffers_set:
                    out.append((pre + k, b))
        return out

    def state_dict(self, *args: Any, destination: dict[str, Any] | None = None,
                   prefix: str = "", keep_vars: bool = False) -> dict[str, Any]:
        """Parameters and persistent buffers by PyTorch's key names (``"0.weight"``,
        ``"bn.running_mean"``). Values are detached tensors sharing memory with the module's
        (as PyTorch's: an in-place write such as an EMA update reaches the module; keep a
        snapshot with ``copy.deepcopy``); with ``keep_vars`` the Parameters/buffers themselves."""
        if args:  # PyTorch's deprecated positional form (destination, prefix, keep_vars)
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
        meta = getattr(destination, "_metadata", None)
        if meta is None:  # PyTorch's per-module versions, read by loading code and hooks
            meta = OrderedDict()
            try:
                destination._metadata = meta  # type: ignore[attr-defined]
            except AttributeError:  # a plain dict given as destination has no attributes
                meta = None
        # the prefix as given, as PyTorch's: state_dict(prefix="m") gives "m0.weight"
        return self._save_tree(destination, prefix, keep_vars, meta)

    def _save_tree(self, destination, prefix, keep_vars, meta) -> Any:
        """``state_dict``'s walk, as PyTorch's: this module's pre-hooks, its entries, its
        children's trees, then its post-hooks (which see the children's entries). A hook of
        the private ``_register_state_dict_hook`` may return a new dict: this module's result
        (as PyTorch's, the parent goes on with its own, so only the root's counts)."""
        d = self.__dict__
        for hook in list(d.get("_state_dict_pre_hooks", {}).values()):
            hook(self, prefix, keep_vars)
        local = {"version": self._version}
        if meta is not None:  # PyTorch's per-module versions, read by loading code and hooks
            meta[prefix[:-1]] = local
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, child in self._modules.items():
            if child is None:
                continue
            if type(child).state_dict is not Module.state_dict:  # a child's own override
                child.state_dict(destination=destination, prefix=prefix + name + ".",
                                 keep_vars=keep_vars)  # runs, as PyTorch's calls it
            else:
                child._save_tree(destination, prefix + name + ".", keep_vars, meta)
        private = d.get("_private_state_dict_hooks", ())
        for hid, hook in list(d.get("_state_dict_hooks", {}).items()):
            result = hook(self, destination, prefix, local)
            if result is None:
                continue
            if hid not in private:
                raise RuntimeError("state_dict post-hook must return None")
            destination = result
        return destination

    def _save_to_state_dict(self, destination: dict[str, Any], prefix: str,
                            keep_vars: bool) -> None:
        """This module's own entries (parameters, persistent buffers, extra state) into
        ``destination``, not its children's: PyTorch's method, which subclasses override to
        save something else (a quantized layer its packed weights)."""
        for key, t in self._state_entries(prefix, recurse=False):
            destination[key] = t if keep_vars else t.detach()
        if _has_extra_state(self):
            destination[prefix + "_extra_state"] = self.get_extra_state()

    def _register_state_dict_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """PyTorch's private form of ``register_state_dict_post_hook`` (older libraries call
        it): ``hook(module, state_dict, prefix, local_metadata)`` may also return a new dict,
        which ``state_dict`` then returns when the hook is the root module's."""
        handle = self.register_state_dict_post_hook(hook)
        self.__dict__.setdefault("_private_state_dict_hooks", set()).add(handle.id)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` runs when ``state_dict`` reaches this module,
        before its entries are taken (PyTorch's)."""
        hooks = self.__dict__.setdefault("_state_dict_pre_hooks", OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` runs once this module's entries
        and its children's are in ``state_dict``, which it may edit in place; it must return
        None (PyTorch's).

        Example::

            >>> import nn
            >>> m = nn.Linear(2, 1)
            >>> h = m.register_state_dict_post_hook(
            ...     lambda mod, sd, prefix, meta: sd.__delitem__(prefix + "bias"))
            >>> list(m.state_dict())
            ['weight']
        """
        hooks = self.__dict__.setdefault("_state_dict_hooks", OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def get_extra_state(self) -> Any:
        """What a module that overrides it adds to ``state_dict()`` under ``_extra_state``
        (any picklable-free value), restored by ``set_extra_state`` on load, as PyTorch's."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
            "bug-report.yml to report this bug.")

    def set_extra_state(self, state: Any) -> None:
        """Restore what ``get_extra_state`` returned (override both together)."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
            "bug-report.yml to report this bug.")

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` runs when ``load_state_dict`` reaches this module, before
        any entry is checked or copied; it may rename or edit ``state_dict``'s entries (a copy
        of the caller's dict) in place, append to the key lists or to ``error_msgs``."""
        hooks = self.__dict__.setdefault("_load_state_dict_pre_hooks", OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def _register_load_state_dict_pre_hook(self, hook: Callable[..., Any],
                                           with_module: bool = False) -> RemovableHandle:
        """PyTorch's older private form: ``hook(state_dict, prefix, ...)`` without the module
        unless ``with_module``."""
        if with_module:
            return self.register_load_state_dict_pre_hook(hook)
        return self.register_load_state_dict_pre_hook(lambda module, *args: hook(*args))

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` runs after ``load_state_dict`` copied the values
        (``incompatible_keys`` has ``missing_keys`` and ``unexpected_keys``); it must return
        None. Unlike PyTorch's, it cannot excuse keys of a strict load: that raises first."""
        hooks = self.__dict__.setdefault("_load_state_dict_post_hooks", OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        """Called by ``load_state_dict`` for this module (``prefix`` is its key prefix) before
        anything is checked or copied: runs the load pre-hooks. Subclasses override it, as in
        PyTorch, to rename or convert their entries of ``state_dict`` and then call
        ``super()._load_from_state_dict(...)``; the entries themselves are validated and copied
        afterwards for the whole tree at once (all or nothing)."""
        for hook in list(self.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
            hook(self, state_dict, prefix, local_metadata, strict, missing_keys,
                 unexpected_keys, error_msgs)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy ``state_dict``'s values into the parameters and buffers, in place.

        Everything is checked first: with ``strict``, missing and unexpected keys; always,
        shapes and that values are numeric. A lazy module's uninitialised parameters and
        buffers take the checkpoint's shapes (as PyTorch's). On any problem a ``RuntimeError`` lists every
        offending key and the model is left unchanged. Returns ``(missing_keys,
        unexpected_keys)``.

        With ``assign=True`` (PyTorch's), the checkpoint's tensors themselves become the
        parameters and buffers (their dtype and memory kept; a numpy array is wrapped
        without a copy): a parameter is the value as an ``nn.Parameter`` with the module's
        parameter's ``requires_grad``, a buffer the value itself. An optimizer built before
        holds the old parameters.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)  # hooks and overrides edit this copy, as PyTorch's
        hook_missing: list[str] = []
        hook_unexpected: list[str] = []
        errors: list[str] = []
        extra = {}  # "<prefix>_extra_state" -> module that restores it
        for mod_prefix, mod in self.named_modules(remove_duplicate=False):
            pre = mod_prefix + "." if mod_prefix else ""
            local = {} if metadata is None else metadata.get(mod_prefix, {})
            mod._load_from_state_dict(state_dict, pre, local, True, hook_missing,
                                      hook_unexpected, errors)
            if _has_extra_state(mod, "set_extra_state"):
                extra[pre + "_extra_state"] = mod
        expected = OrderedDict(self._state_entries())
        provided = list(state_dict.keys())
        optional = {(p + "." if p else "") + k
                    for p, m in self.named_modules(remove_duplicate=False)
                    for k in m._optional_state_keys}
        order = []  # PyTorch's: each module's parameters and buffers, then its extra state
        visit: dict[str, int] = {}  # module prefix -> its place in PyTorch's walk
        for mod_prefix, mod in self.named_modules(remove_duplicate=False):
            visit.setdefault(mod_prefix, len(visit))
            pre = mod_prefix + "." if mod_prefix else ""
            order += [k for k, _ in mod._state_entries(pre, recurse=False)]
            order += [pre + "_extra_state"] if pre + "_extra_state" in extra else []
        missing = [k for k in order if k not in state_dict and k not in optional]
        # unexpected keys in PyTorch's order: module by module (the deepest module the key's
        # path reaches), root first, each in the dict's order
        unexpected = sorted((k for k in provided if k not in expected and k not in extra),
                            key=lambda k: _owner(k, visit))
        missing += [k for k in hook_missing if k not in missing]
        unexpected += [k for k in hook_unexpected if k not in unexpected]
        hooked = [m for m in self._post_order()
                  if m.__dict__.get("_load_state_dict_post_hooks")]
        if strict and not hooked:  # refused before any write (no hook can change the lists)
            errors[:0] = _key_errors(missing, unexpected)
        writes = []
        for key, target in expected.items():
            if key not in state_dict:
                continue
            try:
                value = _as_array(state_dict[key])
            except Exception as exc:  # noqa: BLE001 - reported with the key
                errors.append(f'While copying the parameter named "{key}", could not convert '
                              f"the value to an array: {exc}")
                continue
            if isinstance(value, np.ma.MaskedArray):
                errors.append(f'While copying the parameter named "{key}", got a numpy masked '
                              "array: its mask would be ignored; pass .filled(value) or ._data.")
                continue
            if value.dtype.kind not in "biufc":
                errors.append(f'While copying the parameter named "{key}", expected a numeric '
                              f"array, got dtype {value.dtype}.")
                continue
            lazy = isinstance(target, (UninitializedParameter, UninitializedBuffer))
            if not lazy and target._data.ndim == 0 and value.shape == (1,):
                value = value.reshape(())  # PyTorch's legacy rule: a 0-d one saved with one dim
            if value.shape != target._data.shape and not lazy:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape "
                    f"{Size(value.shape)!r} from checkpoint, the shape in current model is "
                    f"{Size(target._data.shape)!r}."
                )
                continue
            writes.append((key, target, value))
        if errors:
            if strict and hooked:
                errors[:0] = _key_errors(missing, unexpected)
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t"
                + "\n\t".join(errors)
            )
        if assign:
            self._assign_state(writes, state_dict)
            writes = []
        for _, target, value in writes:
            if isinstance(target, (UninitializedParameter, UninitializedBuffer)):
                target.materialize(value.shape)  # a lazy module's: the checkpoint's shape
            np.copyto(target._data, value, casting="unsafe")
            target._bump_version()  # a graph that saved the old values refuses to backward
        for key, mod in extra.items():
            if key in state_dict:
                mod.set_extra_state(state_dict[key])
        result = _IncompatibleKeys(missing, unexpected)
        for mod in hooked:  # children before their parent, as PyTorch's recursive load
            for hook in list(mod.__dict__.get("_load_state_dict_post_hooks", {}).values()):
                if hook(mod, result) is not None:  # PyTorch's assert
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not "
                        "expected to return new values, if incompatible_keys need to be "
                        "modified, it should be done inplace.")
        if strict and hooked and (missing or unexpected):  # the lists as the hooks left them
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t"
                               + "\n\t".join(_key_errors(missing, unexpected)))
        return result

    def _assign_state(self, writes, state_dict):
        """``load_state_dict(assign=True)``'s writes: each checked value set as the attribute
        (PyTorch's ``_load_from_state_dict`` with ``assign``)."""
        owners = {}  # key -> (module, attribute name)
        for mod_prefix, mod in self.named_modules(remove_duplicate=False):
            pre = mod_prefix + "." if mod_prefix else ""
            for name in (*mod._parameters, *mod._buffers):
                owners[pre + name] = (mod, name)
        for key, target, value in writes:
            raw = state_dict[key]
            tensor = raw if isinstance(raw, Tensor) else Tensor._make(value, None, False)
            if isinstance(target, Parameter):
                if isinstance(tensor, Parameter):
                    tensor.requires_grad_(target.requires_grad)
                else:
                    tensor = Parameter(tensor, requires_grad=target.requires_grad)
            mod, name = owners[key]
            setattr(mod, name, tensor)

    def _post_order(self) -> list[Module]:
        """This module and its descendants, each after its children (PyTorch's ``load`` order)."""
        out: list[Module] = []
        for child in self._modules.values():
            if child is not None:
                out += child._post_order()
        return out + [self]

    # ---- repr ------------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's repr parentheses; layers override it."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            "(" + key + "): " + _addindent(repr(module), 2)
            for key, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def __dir__(self):
        keys = set(dir(type(self))) | set(self.__dict__)
        return sorted(k for k in keys if not k[0].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__["_param_cache"] = None
        d = self.__dict__
        for reg in ("_parameters", "_buffers", "_modules"):  # copies come as plain dicts
            r = d.get(reg)
            if isinstance(r, dict) and (type(r) is not _Registry or r._owner() is not self):
                d[reg] = _Registry(self, r)


class OptimizedModule(Module):
    """What ``autograd_core.compile(module)`` returns, as PyTorch's ``torch.compile`` does: a
    module holding the original as ``_orig_mod`` (so ``state_dict`` keys read
    ``_orig_mod.<name>``, and ``parameters()`` are the original's), running its forward
    eagerly; attributes it does not have are the original's.

    Example::

        >>> import autograd_core as ag, nn
        >>> m = nn.Linear(2, 1)
        >>> c = ag.compile(m)
        >>> list(c.state_dict()), c.weight is m.weight
        (['_orig_mod.weight', '_orig_mod.bias'], True)
    """

    def __init__(self, mod: Module):
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "_orig_mod":
                raise
            return getattr(self._orig_mod, name)

    # as PyTorch's: an attribute set (or deleted) on the wrapper is the original's, so its
    # forward reads it; only the wrapper's own names and its class's attributes stay here
    _OWN = frozenset(("_orig_mod", "forward", "_forward"))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._OWN or hasattr(type(self), name) or "_orig_mod" not in self._modules:
            super().__setattr__(name, value)
        else:
            setattr(self._orig_mod, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._OWN or hasattr(type(self), name):
            super().__delattr__(name)
        else:
            delattr(self._orig_mod, name)

    def __len__(self) -> int:  # PyTorch's wrapper passes len() on (len(compiled Sequential))
        if hasattr(type(self._orig_mod), "__len__"):
            return len(self._orig_mod)  # type: ignore[arg-type]
        raise TypeError(f"{type(self._orig_mod).__name__} does not support len()")

    @property  # type: ignore[override]
    def training(self) -> bool:  # the original's flag, as PyTorch's wrapper reads it
        return self._orig_mod.training

    @training.setter
    def training(self, mode: bool) -> None:
        self._orig_mod.training = mode
