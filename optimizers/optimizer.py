"""``Optimizer``: PyTorch's optimizer contract (param groups, per-parameter state, state_dict).

Parameters are duck-typed: anything with ``.data`` (a float32/float64 ``numpy.ndarray``, updated
in place, never rebound) and ``.grad`` (``None`` or an object whose ``.data`` is the gradient
array; a bare ndarray is accepted too) and identity hashing. Optimizer state holds plain numpy
arrays and Python floats, so ``state_dict()`` contains only arrays, Python scalars, strings,
None, tuples/lists and dicts.

Deliberate differences from ``torch.optim.Optimizer``:

* ``state_dict()`` returns *copies* of the state arrays (PyTorch returns live references, so a
  dict saved at step k silently changes as training goes on).
* ``load_state_dict()`` validates everything before changing anything (group count, parameters
  per group, that every state index names a parameter, state array shapes, the hyperparameters)
  and raises ``ValueError`` naming what mismatched. Floating state arrays are cast to the
  parameter's dtype as PyTorch does; non-floating ones are rejected.
* Hyperparameters of groups passed as dicts (and of loaded groups) are validated like the
  constructor's arguments.
* ``step`` is kept as a Python float (PyTorch: a float32 0-d tensor with the same value).
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections import defaultdict

import numpy as np

from optimizers import functional as F

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

# Group keys PyTorch keeps for implementation switches; accepted for compatibility, no effect
# here (every step is one fused pass already).
_COMPAT_KEYS = ("foreach", "fused", "capturable", "differentiable")


def _enable_grad():
    try:
        import autograd_core

        return autograd_core.enable_grad()
    except (ImportError, AttributeError):
        return contextlib.nullcontext()


def _is_param(p) -> bool:
    return not isinstance(p, np.ndarray) and isinstance(getattr(p, "data", None), np.ndarray)


def grad_array(p):
    """The gradient ndarray of ``p`` or None."""
    g = p.grad
    if g is None or isinstance(g, np.ndarray):
        return g
    return g.data


def check(ok: bool, message: str):
    if not ok:
        raise ValueError(message)


def check_compat_flags(foreach, fused, capturable, differentiable):
    if differentiable:
        raise NotImplementedError("differentiable=True is not supported (updates run in fused "
                                  "kernels outside the autograd graph)")
    if capturable:
        raise NotImplementedError("capturable=True (CUDA graphs) is not supported")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


class Optimizer:
    """Base class: holds ``param_groups``, ``state`` and ``defaults``.

    Subclasses set ``kernel`` (the fused kernel's name) and implement ``_step_group`` (the
    per-group loop), ``_validate_group`` (raise ValueError on bad hyperparameters) and
    ``_state_keys`` (array state a parameter must have, for ``load_state_dict``).
    """

    kernel: str = ""

    def __init__(self, params, defaults: dict):
        self._validate_group(dict(defaults))
        self.defaults = defaults
        if _is_param(params) or isinstance(params, np.ndarray):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type(params).__name__}")
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # -- groups ----------------------------------------------------------------------------

    def add_param_group(self, param_group: dict) -> None:
        """Add a group (a dict with ``params`` and optional per-group options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if _is_param(params):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")
            params = [p[1] for p in params]
        for p in params:
            if not _is_param(p):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__module__}.{type(p).__name__}")
            if getattr(p, "is_leaf", True) is False:
                raise ValueError("can't optimize a non-leaf Tensor")
            if p.data.dtype not in (np.float32, np.float64):
                raise TypeError(f"optimizers support float32 and float64 parameters, "
                                f"got {p.data.dtype}")
        group = dict(param_group)
        group["params"] = params
        if names:
            group["param_names"] = names
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        self._validate_group(group)
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for g in self.param_groups:
            if ("param_names" in g) != ("param_names" in group):
                raise ValueError("all optimizer param groups should be with/without names.")
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        param_group["params"] = params  # as PyTorch, normalise the caller's dict too
        self.param_groups.append(group)
        self._on_new_group(group)

    def _on_new_group(self, group):
        """Hook for eager state initialisation (Adagrad)."""

    def _validate_group(self, group):
        """Raise ValueError naming the argument if a hyperparameter is invalid."""

    def _state_keys(self, group) -> tuple:
        """Array-valued state every parameter with non-empty state must have."""
        return ()

    # -- gradients and steps ---------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients: ``p.grad = None`` (default) or fill them with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        grad_array(p).fill(0)

    def step(self, closure=None):
        """One optimization step over every group; returns ``closure()``'s loss if given.

        The closure runs with gradient recording enabled (it typically calls ``backward``).
        """
        loss = None
        if closure is not None:
            with _enable_grad():
                loss = closure()
        table = F.kernels()
        for group in self.param_groups:
            self._step_group(group, table)
        return loss

    def _step_group(self, group, table):  # pragma: no cover - abstract
        raise NotImplementedError

    def _params_with_grad(self, group):
        """``(data, param_flat, grad_flat, state)`` for each parameter of ``group`` that has a
        gradient (see ``prepare``); ``state`` is the parameter's state dict, empty on its first
        step. A non-contiguous parameter is updated through a contiguous copy, written back here
        once the caller's loop body has run."""
        state = self.state
        for p in group["params"]:
            x = prepare(p)
            if x is None:
                continue
            data, pf, gf, writeback = x
            yield data, pf, gf, state[p]
            if writeback:
                data[...] = pf.reshape(data.shape)

    # -- state dict ------------------------------------------------------------------------

    def _index_map(self):
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: _copy_value(v) for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        return index, groups

    def state_dict(self) -> dict:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``.

        Arrays are copies; parameters are numbered in group order, as PyTorch does.
        """
        index, groups = self._index_map()
        state = {}
        for p, st in self.state.items():
            if id(p) in index:
                state[index[id(p)]] = {k: _copy_value(v) for k, v in st.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a dict from ``state_dict()``; validated first, nothing changes on failure."""
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError("optimizer state dict must be a dict with keys 'state' and "
                             "'param_groups'")
        saved_groups = state_dict["param_groups"]
        saved_state = state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, dict):
            raise ValueError("'param_groups' must be a list and 'state' a dict")
        groups = self.param_groups
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}) than the optimizer ({len(groups)})")
        id_map = {}
        new_groups = []
        for gi, (group, saved) in enumerate(zip(groups, saved_groups)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(f"param_groups[{gi}] must be a dict with a 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group: param_groups[{gi}] has {len(saved['params'])} "
                    f"parameters, the optimizer's group has {len(group['params'])}")
            for idx, p in zip(saved["params"], group["params"]):
                if idx in id_map:
                    raise ValueError(f"parameter index {idx!r} appears twice in param_groups")
                id_map[idx] = (p, gi)
            new = {k: _copy_value(v) for k, v in saved.items() if k != "params"}
            for k, v in self.defaults.items():
                if k not in new:
                    if v is required:
                        raise ValueError(f"param_groups[{gi}] lacks required option {k!r}")
                    new[k] = v
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            new["params"] = group["params"]
            try:
                self._validate_group(new)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"param_groups[{gi}]: {exc}") from None
            new_groups.append(new)

        new_state = defaultdict(dict)
        for idx, entry in saved_state.items():
            if idx not in id_map:
                raise ValueError(f"state has an entry for parameter index {idx!r}, which is not "
                                 "in any param group")
            p, gi = id_map[idx]
            if not isinstance(entry, dict):
                raise ValueError(f"state[{idx!r}] must be a dict")
            st = {}
            for key, value in entry.items():
                st[key] = _load_value(value, p, idx, key)
            if st:
                for key in self._state_keys(new_groups[gi]):
                    if st.get(key) is None:
                        raise ValueError(f"state[{idx!r}] lacks {key!r} (required by "
                                         f"{type(self).__name__} with these group options)")
            new_state[p] = st
        self.param_groups[:] = new_groups
        self.state = new_state

    # -- memory accounting -----------------------------------------------------------------

    def state_bytes(self, per_param: bool = False):
        """Bytes held by the state arrays (scalars such as ``step`` are not counted).

        ``per_param=True`` returns ``{parameter index: bytes}`` (indices as in state_dict).
        """
        if not per_param:
            return sum(v.nbytes for st in self.state.values() for v in st.values()
                       if isinstance(v, np.ndarray))
        index, _ = self._index_map()
        out = {}
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state.get(p, {})
                out[index[id(p)]] = sum(v.nbytes for v in st.values()
                                        if isinstance(v, np.ndarray))
        return out

    def memory_report(self) -> dict:
        """Parameter, gradient and state bytes, and the training footprint relative to the
        parameters: (params + grads + state) / params, with grads counted as parameter-sized
        (SGD 2x, SGD momentum 3x, Adam 4x once every parameter has state)."""
        seen = set()
        param_bytes = grad_bytes = 0
        for group in self.param_groups:
            for p in group["params"]:
                if id(p) in seen:
                    continue
                seen.add(id(p))
                param_bytes += p.data.nbytes
                g = grad_array(p)
                grad_bytes += 0 if g is None else g.nbytes
        state = self.state_bytes()
        return {
            "param_bytes": param_bytes,
            "grad_bytes": grad_bytes,
            "state_bytes": state,
            "state_per_param_byte": state / param_bytes if param_bytes else 0.0,
            "footprint_ratio": (2 * param_bytes + state) / param_bytes if param_bytes else 0.0,
        }

    # -- misc ------------------------------------------------------------------------------

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _copy_value(v):
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, (list, tuple, dict)):
        return copy.deepcopy(v)
    return v


def _load_value(value, p, idx, key):
    """Deep-copy one state value, checking arrays against the parameter."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and key in ("step", "mu_product"):
        value = value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f":
            raise ValueError(f"state[{idx!r}][{key!r}] has dtype {value.dtype}; floating "
                             "point expected")
        if value.shape != p.data.shape:
            raise ValueError(f"state[{idx!r}][{key!r}] has shape {value.shape}, but the "
                             f"parameter has shape {p.data.shape}")
        return np.array(value, dtype=p.data.dtype, order="C", copy=True)
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return _copy_value(value)


def prepare(p):
    """``(data, param_flat, grad_flat, writeback)`` for a parameter with a gradient, else None.

    ``param_flat`` is a 1-D view of ``p.data`` (or, for a non-contiguous parameter, a
    contiguous copy that the caller writes back when ``writeback`` is true); the gradient is
    cast to the parameter's dtype if needed.
    """
    g = p.grad
    if g is None:
        return None
    gd = g if isinstance(g, np.ndarray) else g.data
    data = p.data
    if gd.dtype != data.dtype:
        gd = gd.astype(data.dtype)
    if gd.size != data.size:
        raise ValueError(f"gradient of shape {gd.shape} for a parameter of shape {data.shape}")
    if data.flags.c_contiguous:
        return data, data.reshape(-1), gd.reshape(-1), False
    return data, np.ascontiguousarray(data).reshape(-1), gd.reshape(-1), True


def zeros_like(data):
    return np.zeros(data.shape, data.dtype)


def check_lr(lr):
    check(0.0 <= lr, f"Invalid learning rate: {lr}")


def check_eps(eps):
    check(0.0 <= eps, f"Invalid epsilon value: {eps}")


def check_weight_decay(wd):
    check(0.0 <= wd, f"Invalid weight_decay value: {wd}")


def check_betas(betas):
    check(isinstance(betas, (tuple, list)) and len(betas) == 2,
          f"Invalid betas: {betas!r} (expected a pair)")
    check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
