"""``nn.utils.stateless``, as ``torch.nn.utils.stateless``: call a module with some of its
parameters and buffers temporarily replaced by given tensors (``functional_call``). The
transforms of ``autograd_core.func`` use it for per-sample gradients and model ensembles."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from autograd_core.tensor import Tensor
from nn.module import Module, _bump

__all__ = ["functional_call"]


def _untie(module: Module, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every name tied to a given one (the same Parameter/buffer object under
    several names) mapped to that value, as PyTorch's ``tie_weights=True``."""
    groups: dict[int, set[str]] = {}
    for named in (module.named_parameters(remove_duplicate=False),
                  module.named_buffers(remove_duplicate=False)):
        for name, t in named:
            groups.setdefault(id(t), set()).add(name)
    out = dict(values)
    for names in groups.values():
        given = sorted(names & values.keys())
        if not given or len(names) == 1:
            continue
        if len({id(values[n]) for n in given}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
        for n in names:
            out[n] = values[given[0]]
    return out


@contextlib.contextmanager
def _reparametrize_module(module: Module, values: dict[str, Any], tie_weights: bool = False,
                          strict: bool = False) -> Iterator[None]:
    """Within the block, ``module``'s parameters/buffers named in ``values`` are those tensors
    (plain attributes for names that are neither); everything is put back on exit, errors
    included."""
    if tie_weights:
        values = _untie(module, values)
    known = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    known |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
    if strict:
        msgs = []
        unexpected = [k for k in values if k not in known]
        missing = sorted(known - values.keys())
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                module._get_name(), "\n\t".join(msgs)))
    plan = []  # (submodule, leaf name, registry or None, the value)
    for name, value in values.items():
        if not isinstance(value, Tensor):
            raise TypeError(f"functional_call: expected a Tensor for '{name}', got "
                            f"{type(value).__name__}")
        path, _, leaf = name.rpartition(".")
        sub = module.get_submodule(path)
        reg = next((r for r in ("_parameters", "_buffers") if leaf in sub.__dict__[r]), None)
        if reg is None and leaf in sub.__dict__:
            raise AttributeError(f"functional_call: '{name}' is neither a parameter nor a "
                                 "buffer of the module")
        plan.append((sub, leaf, reg, value))
    saved = []
    try:
        for sub, leaf, reg, value in plan:
            d = sub.__dict__
            saved.append((sub, leaf, reg, d[reg][leaf] if reg else None))
            if reg:
                d[reg][leaf] = value
            d[leaf] = value
        _bump()
        yield
    finally:
        for sub, leaf, reg, old in reversed(saved):
            d = sub.__dict__
            if reg:
                d[reg][leaf] = old
                d[leaf] = old
            else:
                d.pop(leaf, None)
        _bump()


def functional_call(module: Module, parameters_and_buffers: dict[str, Tensor] | Any,
                    args: Any = None, kwargs: dict[str, Any] | None = None, *,
                    tie_weights: bool = True, strict: bool = False) -> Any:
    """Call ``module(*args, **kwargs)`` with its parameters and buffers named in
    ``parameters_and_buffers`` replaced by the given tensors; the module's own are put back
    afterwards (also when the call raises). Same as ``autograd_core.func.functional_call``
    (PyTorch deprecates this path in favour of that one).

    Args:
        module (nn.Module): the module to call.
        parameters_and_buffers (dict of str to Tensor): values by dotted name
            (``"fc1.weight"``), as ``named_parameters``/``named_buffers`` give them.
        args (Any or tuple): positional arguments (a non-tuple is one argument).
        kwargs (dict): keyword arguments.
        tie_weights (bool): a value given for one of several tied names is used for all.
            Default: True.
        strict (bool): every parameter and buffer must be given, and nothing else. Default:
            False.

    Example::

        >>> import autograd_core as ag
        >>> from nn import Linear
        >>> from nn.utils.stateless import functional_call
        >>> lin = Linear(2, 1)
        >>> functional_call(lin, {"weight": ag.ones(1, 2), "bias": ag.zeros(1)},
        ...                 (ag.tensor([[1.0, 2.0]]),))
        tensor([[3.]])
    """
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights, strict)


def _functional_call(module, dicts, args, kwargs, tie_weights, strict):
    if isinstance(dicts, dict):
        values = dicts
    elif isinstance(dicts, (tuple, list)):
        if not all(isinstance(d, dict) for d in dicts):
            raise ValueError(
                "Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        seen: dict[str, int] = {}
        for d in dicts:
            for k in d:
                seen[k] = seen.get(k, 0) + 1
        repeated = [k for k, n in seen.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        values = {k: v for d in dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple "
                         f"of dicts, but got {type(dicts)}")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, values, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)
