"""``Optimizer``: PyTorch's optimizer contract, and the one step loop every algorithm shares.

An algorithm is a subclass that declares (see CONTRIBUTING.md, "Add an optimizer"):

* ``update``: its fused kernel (``autograd_core.kernels.optim.kernel``), whose state-array
  arguments name the per-parameter state arrays;
* ``__init__``: PyTorch's signature, passing the hyperparameters and their defaults to
  ``Optimizer.__init__``; validation of the common ones (``lr``, ``eps``, ``weight_decay``,
  ``betas``, ``momentum``) is here, anything else in an override of ``_validate_group``;
* ``coefficients(group, t, scalars, fresh)``: the kernel's scalar arguments for one step, a
  ``update.Coefficients`` named tuple (``t``: the parameter dtype's scalar type);
* optionally ``stepwise`` with ``step_coefficients`` (the coefficients that depend on the scalar
  state; the others are then reused between steps), ``scalars`` (scalar state and its initial
  values, default ``{"step": 0.0}``), ``optional`` (``{state array: group option}`` for arrays
  kept only when the option is true), ``initial`` (``{state array: group option}`` for arrays
  that start filled with that option's value instead of zeros) and ``eager`` (create the state
  of the constructor's parameters in the constructor, as Adagrad).

The base class owns everything else: param groups, state creation, the loop over parameters,
the kernel calls (the ``foreach``/``fused`` switches are accepted for PyTorch compatibility: every
step is already one fused pass per parameter, and in the steady state one multi-tensor call per
run of small parameters), version bumps, ``state_dict``/``load_state_dict`` validation, memory
accounting.

Parameters are duck-typed: anything with ``._data`` (a float32/float64 ``numpy.ndarray``, updated
in place; a complex64/complex128 one is stepped as its real view, PyTorch's ``view_as_real``,
with complex state arrays) and ``.grad`` (``None`` or an object whose ``._data`` is the gradient array; a bare
ndarray is accepted too) and identity hashing. They are read only through :func:`param_array`
and :func:`grad_array`. After each update the base calls ``p._bump_version()`` when the
parameter has it, so a graph that saved the old value refuses to run backward.

The state is PyTorch's: ``state[p]`` holds Tensors (``step`` and the other scalar state 0-d
tensors of the scalar state dtype, float32 unless the default dtype is float64; the buffers
tensors of the parameter's shape). They share memory with the arrays the kernels update in place
(no copy per step): an in-place edit of one is seen by the next step, and an entry replaced by
another tensor (or a numpy array, taken as it is) is the one the next step updates, or the step
raises naming it (another shape, dtype or layout).

Deliberate differences from ``torch.optim.Optimizer``:

* ``state_dict()`` returns *copies* of the state tensors (PyTorch returns live references, so a
  dict saved at step k silently changes as training goes on).
* ``load_state_dict()`` validates everything before changing anything (group count, parameters
  per group, that every state index names a parameter, state array types, shapes and dtypes,
  scalar state types, the hyperparameters) and raises ``ValueError`` naming what mismatched.
  Floating state arrays are cast to the parameter's dtype as PyTorch does.
* Hyperparameters of groups passed as dicts (and of loaded groups) are validated like the
  constructor's arguments.
* The step hooks run once per call of ``optimizer.step()``: a ``step`` that calls another
  (``super().step()`` in a subclass, Rprop's) does not run them again (PyTorch runs them again
  when the parent class's ``step`` was hooked by an earlier instance of that class).
* A parameter whose array was rebound to another shape or dtype after its state was made makes
  ``step()`` raise ``RuntimeError`` naming the group, the parameter and both shapes/dtypes,
  before that parameter or its state is written (parameters before it in the same step have
  been updated, as when a PyTorch step fails halfway); it is never reinterpreted.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from operator import is_, itemgetter
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from autograd_core import _quiet
from autograd_core.kernels.optim import PARALLEL_MIN_SIZE, empty, multi_runs, scalar_dtype
from autograd_core.tensor import Tensor

if TYPE_CHECKING:  # imported when a hook is registered: importing optimizers imports no nn
    from nn.module import RemovableHandle

__all__ = ["Optimizer", "required", "param_array", "grad_array", "state_tensor", "scalar_state",
           "scalar_value",
           "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_EMPTY = {np.dtype(t): empty(np.dtype(t)) for t in (np.float32, np.float64)}
_NUMBERS = (float, int, bool)
_SWITCHES = frozenset(("foreach", "fused", "capturable", "differentiable"))
_IMMUTABLE = (*_NUMBERS, str, type(None), tuple)


class _Plan:
    """A group's step plan (see ``Optimizer._make_plan``)."""

    __slots__ = ("group", "params", "impl", "run", "step_only", "sts", "datas", "flats", "pads")

    def __init__(self, **fields):
        for k, v in fields.items():
            setattr(self, k, v)


def _same_values(hyper, entry):
    """Whether ``hyper`` has the values and types of the memo ``entry``'s hyperparameters (one
    level into tuples such as ``betas``)."""
    old, types, tuples = entry[0], entry[1], entry[2]
    # types first: the memo's are immutable, so a value of the same type compares safely
    return all(map(is_, map(type, hyper), types)) and hyper == old and \
        all(hyper[i] is old[i] or tuple(map(type, hyper[i])) == tuples[i] for i in tuples)


def _dtype_runs(dtypes):
    """``(lo, hi)`` of each run of equal dtypes, in order."""
    runs, lo = [], 0
    for i in range(1, len(dtypes) + 1):
        if i == len(dtypes) or dtypes[i] is not dtypes[lo]:
            runs.append((lo, i))
            lo = i
    return runs


def _plan_runner(params, datas, sts, held, scalars, keys, options, bumps, impl, schedule,
                 calls, steps=None):
    """A plan's step as one straight-line function, generated for it (a loop over the
    parameters in Python, or ``map`` over them, costs several times the comparisons
    themselves): ``run(optimizer, group, impl)`` returns

    * False (nothing written) if the plan is stale: the group's parameter list, a parameter, its
      array, its state dict or one of its state arrays is not the one the plan holds, the
      backend changed, or an option deciding which optional arrays are used changed truthiness;
    * None (nothing written) if it holds but this step does not fit it (a grad None, not an
      ndarray, or of another shape or dtype; scalar state not equal across the parameters; or
      no ``schedule``: a parameter twice);
    * True once it ran the step: the coefficients (``optimizer._coefficients``, once per dtype),
      ``calls`` (per entry of ``schedule``: the build and the arrays before and after the grads),
      the scalar state written into every parameter's 0-d state tensors, every parameter's
      version bumped.

    ``held``: ``(j, name, array)`` per state tensor, ``scalars``: per parameter, the 0-d arrays
    of its scalar state tensors (in ``keys`` order): a state entry replaced, or a tensor whose
    storage was rebound, makes the plan stale. ``steps``: the array whose element ``j`` is
    parameter ``j``'s ``step`` (made so by ``_step_tensors``), read and written in one call.
    """
    n = len(params)
    env = {"ndarray": np.ndarray, "float": float, "P": params,
           "IMPL": impl}
    for j in range(n):
        env.update({f"P{j}": params[j], f"D{j}": datas[j], f"S{j}": sts[j],
                    f"T{j}": datas[j].dtype, f"Z{j}": datas[j].shape})
    env.update({f"A{i}": a for i, (_, _, a) in enumerate(held)})
    if steps is not None:
        env.update(STEPS=steps.tolist, FILL=steps.fill)
    for j, arrays in enumerate(scalars):
        env.update({f"SA{j}_{k}": a for k, a in enumerate(arrays)})
        env.update({f"I{j}_{k}": a.item for k, a in enumerate(arrays)})
    env.update({f"B{i}": b for i, b in enumerate(bumps)})
    ps = "".join(f"p{j}, " for j in range(n))
    stale = [f"p{j} is P{j}" for j in range(n)] + [f"p{j}._data is D{j}" for j in range(n)]
    stale_st = [f"s{j} is S{j}" for j in range(n)]
    stale_arrays = [f"s{j}[{name!r}]._data is A{i}" for i, (j, name, _) in enumerate(held)] + \
        [f"s{j}[{key!r}]._data is SA{j}_{k}" for j in range(n) for k, key in enumerate(keys)] + \
        [f"bool(group[{k!r}]) is {v}" for k, v in options.items()] or ["True"]
    fit = ([f"w.count(v0) == {n}"] if steps is not None else
           [f"w{j}_{k} == v{k}" for k in range(len(keys)) for j in range(1, n)]) + \
        [f"g{j}.__class__ is ndarray and g{j}.dtype is T{j} and g{j}.shape == Z{j}"
         for j in range(n)]
    sep = " and\n            "
    lines = [
        "def run(opt, group, impl):",
        "    if group['params'] is not P or impl != IMPL:",
        "        return False",
        "    try:",
        f"        {ps}= P",
        "    except ValueError:",
        "        return False",
        f"    if not ({sep.join(stale)}):",
        "        return False",
        "    state_get = opt.state.get",
        *(f"    s{j} = state_get(p{j})" for j in range(n)),
        f"    if not ({sep.join(stale_st)}):",
        "        return False",
        "    try:",
        f"        if not ({sep.join(stale_arrays)}):",
        "            return False",
        "    except (KeyError, AttributeError):",
        "        return False",
    ]
    if schedule is None:
        lines.append("    return None")
    else:
        new = "{" + ", ".join(f"{key!r}: v{k}" + (" + 1.0" if key == "step" else "")
                              for k, key in enumerate(keys)) + "}"
        lines += [
            "    try:",
            *(["        w = STEPS()", "        v0 = w[0]"] if steps is not None else
              [*(f"        v{k} = I0_{k}()" for k in range(len(keys))),
               *(f"        w{j}_{k} = I{j}_{k}()" for k in range(len(keys))
                 for j in range(1, n))]),
            *(f"        g{j} = p{j}.{_grad_slot(params[j])}._data" for j in range(n)),
            "    except (KeyError, AttributeError):",
            "        return None",
            f"    if not ({sep.join(fit)}):",
            "        return None",
            "    coefficients = opt._coefficients",
        ]
        cos: dict = {}
        for i, ((dtype, lo, hi), (build, before, after)) in enumerate(zip(schedule, calls)):
            if dtype not in cos:  # a fresh scalar dict per dtype: coefficients may update it
                cos[dtype] = f"co{len(cos)}"
                env[f"TT{len(cos)}"] = dtype.type
                lines += [f"    new = {new}",
                          f"    {cos[dtype]} = coefficients(group, TT{len(cos)}, new, False)"]
            env.update({f"M{i}": build, f"F{i}": before, f"R{i}": after,
                        f"E{i}": _entry_resolver(env, f"E{i}", build)})
            js = range(lo, hi) if hi > 0 else (lo,)
            grads = ", ".join(f"g{j}.ravel()" for j in js)
            args = f"({'*F%d, ' % i if before else ''}{grads}, *R{i}, *{cos[dtype]})"
            # the compiled entry point skips the dispatcher's typing of every argument (~40
            # for Adam over 6 parameters: half the call): every argument's type is the one it
            # was resolved for (the plan's checks) once the grads are aligned and writeable
            behaved = " and ".join(f"g{j}.flags.behaved" for j in js)
            lines += [f"    if {behaved}:", f"        E{i}{args}", "    else:", f"        M{i}{args}"]
        if steps is not None:
            lines.append("    FILL(new['step'])")
        elif keys == ("step",):
            lines += ["    step = new['step']", *(f"    SA{j}_0[()] = step" for j in range(n))]
        elif keys:
            lines += [f"    v{k} = new[{key!r}]" for k, key in enumerate(keys)]
            lines += [f"    SA{j}_{k}[()] = v{k}" for j in range(n) for k in range(len(keys))]
        lines += [*(f"    B{i}()" for i in range(len(bumps))), "    return True"]
    exec(compile("\n".join(lines) + "\n", "<optimizer step plan>", "exec"), env)
    return env.pop("run")  # not left in its own globals: a stale plan is freed at once


def _entry_resolver(env, name, build):
    """``build`` for one call; then ``env[name]`` becomes the compiled entry point of Numba's
    overload for exactly the types of that call's arguments (``build`` itself when there is
    none: the numpy twins, or a signature Numba converted)."""
    def resolve(*args):
        out = build(*args)
        entry = build
        overloads, typeof = getattr(build, "overloads", None), getattr(build, "typeof_pyval", None)
        if overloads is not None and typeof is not None:
            cres = overloads.get(tuple(map(typeof, args)))
            entry = getattr(cres, "entry_point", None) or build
        env[name] = entry
        return out

    return resolve


def _grad_slot(p) -> str:
    """The attribute the plan reads a parameter's grad from: the Tensor's own slot when ``grad``
    is the Tensor's property (which returns it; a Python call saved per parameter), else
    ``grad``."""
    try:
        from autograd_core.tensor import Tensor
    except ImportError:  # pragma: no cover - optimizers used without the engine
        return "grad"
    return "_grad" if getattr(type(p), "grad", None) is Tensor.__dict__.get("grad") else "grad"


def state_tensor(arr: np.ndarray) -> Tensor:
    """A state array as the Tensor ``optimizer.state`` shows (PyTorch keeps Tensors), sharing
    its memory: the kernels update the array, the user sees the Tensor change, and an in-place
    edit of the Tensor is seen by the next step."""
    return Tensor._make(arr, None, False)


def scalar_state(value: float, dtype: Any = None) -> Tensor:
    """A scalar state entry (``step``, ASGD's ``eta``...) as PyTorch keeps it: a 0-d Tensor of
    its scalar state dtype (float32; float64 when the default dtype is float64)."""
    return Tensor._make(np.array(value, dtype or scalar_dtype()), None, False)


def scalar_value(value: Any) -> float:
    """A scalar state entry's value as a Python float: a 0-d Tensor's, as kept, or a number
    (a user's ``state["step"] = 0``).

    Example::

        >>> from optimizers.optimizer import scalar_state, scalar_value
        >>> scalar_value(scalar_state(3.0)), scalar_value(2)
        (3.0, 2.0)
    """
    data = getattr(value, "_data", value)
    if isinstance(data, np.ndarray):
        if data.size != 1:
            raise RuntimeError(f"a scalar optimizer state entry must be a number or a 0-d tensor, "
                               f"got shape {data.shape}")
        return float(data.reshape(()).item())
    return float(value)


def _set_scalar(st: dict, key: str, value: float) -> None:
    """Store ``value`` in ``st[key]``: written into its 0-d tensor in place (as PyTorch's
    ``step_t += 1``: a reference the user holds sees it), or a new 0-d tensor when the entry is
    a number or another kind of tensor."""
    data = _scalar_array(st.get(key))
    if data is not None:
        data[()] = value
    else:
        st[key] = scalar_state(value)


def state_array(st: dict, name: str, shape: tuple, dtype: np.dtype, who: str) -> np.ndarray:
    """The array of state entry ``st[name]`` that a step updates in place: a Tensor's, as
    kept (a user's ndarray put there is taken as the state, wrapped in a Tensor sharing it);
    RuntimeError naming ``who`` and ``name`` unless it has ``shape`` and ``dtype`` and is
    C-contiguous (a user's replacement takes effect or fails, never is ignored)."""
    entry = st[name]
    a = entry._data if isinstance(entry, Tensor) else entry
    if type(a) is not np.ndarray or a.shape != shape or a.dtype != dtype or \
            not a.flags.c_contiguous or not a.flags.writeable:
        what = (f"has shape {a.shape} and dtype {a.dtype}" + ("" if a.flags.c_contiguous else
                ", not C-contiguous") if isinstance(a, np.ndarray) else
                f"is a {type(entry).__name__}")
        raise RuntimeError(f"{who}: state {name!r} {what}; a tensor of shape {shape} and dtype "
                           f"{dtype} is updated in place")
    if entry is a:
        st[name] = state_tensor(a)
    return a


def _step_tensors(n: int, value: float) -> list:
    """``n`` new ``step`` tensors, each a 0-d view of its own element of one array: a group's
    step plan then reads and advances them all in one call each (``_plan_runner``)."""
    buf: np.ndarray = np.full(n, value, scalar_dtype())
    return [Tensor._make(buf[j:j + 1].reshape(()), None, False) for j in range(n)]


def _shared_steps(arrays: list) -> np.ndarray | None:
    """The array whose element ``j`` is ``arrays[j]`` (0-d views made by ``_step_tensors``),
    exactly those and in that order, else None."""
    buf = arrays[0].base
    if type(buf) is not np.ndarray or buf.ndim != 1 or buf.size != len(arrays) or \
            not buf.flags.c_contiguous or not buf.flags.writeable:
        return None
    start, size = buf.ctypes.data, buf.itemsize
    for j, a in enumerate(arrays):
        if a.base is not buf or a.dtype != buf.dtype or a.ctypes.data != start + j * size:
            return None
    return buf


def _scalar_array(t: Any) -> np.ndarray | None:
    """The 0-d float array of a scalar state tensor the plan can write into, else None."""
    data = getattr(t, "_data", None)
    if type(t) is Tensor and type(data) is np.ndarray and data.ndim == 0 and \
            data.dtype.kind == "f" and data.flags.writeable:
        return data
    return None


# -- the two accessors: the only places that know how a parameter holds its arrays ------------

def param_array(p: Any) -> np.ndarray:
    """The parameter's ndarray, updated in place by the step."""
    return p._data


def grad_array(p: Any) -> np.ndarray | None:
    """The gradient ndarray of ``p`` or None."""
    g = p.grad
    if g is None or isinstance(g, np.ndarray):
        return g
    return g._data


#: a complex dtype's real one: a complex parameter, its gradient and its state arrays (complex,
#: as PyTorch keeps them) are stepped as their real views (PyTorch's ``view_as_real``), each
#: element's real and imaginary parts two real elements
REAL_OF: dict[np.dtype, np.dtype] = {np.dtype(np.complex64): np.dtype(np.float32),
                                     np.dtype(np.complex128): np.dtype(np.float64)}


def real_view(a: np.ndarray) -> np.ndarray:
    """``a`` itself when real; a complex ``a`` as its real view, shape ``a.shape + (2,)``
    sharing its memory (PyTorch's ``view_as_real``; any strides)."""
    real = REAL_OF.get(a.dtype)
    return a if real is None else a[..., None].view(real)


def _has_sparse_grad(p: Any) -> bool:
    g = getattr(p, "grad", None)
    return g is not None and getattr(g, "is_sparse", False) is True


def closure_loss(closure: Callable[[], Any] | None) -> Any:
    """``closure()`` run with gradient recording on, as ``step(closure)`` runs it; None
    without a closure."""
    if closure is None:
        return None
    with _enable_grad():
        return closure()


def stepped_params(group: dict[str, Any], name: str) -> list:
    """The group's parameters that have a gradient, for an algorithm that writes its own
    ``step`` (Adafactor, Muon), after PyTorch's refusals of a complex parameter or a sparse
    gradient: raised before anything is written."""
    stepped = [p for p in group["params"] if p.grad is not None]
    for p in stepped:
        if param_array(p).dtype in REAL_OF:
            raise RuntimeError(f"{name} does not support complex parameters")
        if _has_sparse_grad(p):
            raise RuntimeError(f"{name} does not support sparse gradients")
    return stepped


def dense_grad_array(p: Any) -> np.ndarray:
    """The dense gradient ndarray of ``p``, whose ``.grad`` is sparse (duplicates added)."""
    return p.grad.detach().to_dense()._data


def _check_fused(group: dict[str, Any]) -> None:
    """PyTorch's refusal (in ``step``) of a complex parameter with a gradient in a group with
    ``fused=True``; fused kernels take floating point parameters only."""
    for p in group["params"]:
        if p.grad is not None and param_array(p).dtype in REAL_OF:
            raise RuntimeError("`fused=True` requires all the params to be floating point "
                               "Tensors of supported devices: ['mps', 'cuda', 'xpu', 'hpu', "
                               "'cpu', 'mtia', 'privateuseone'] but "
                               f"{getattr(p, 'dtype', param_array(p).dtype)!r} and cpu")


def _empty_sparse(g: Any) -> Any:
    """A sparse gradient with no entries, of ``g``'s shape (``zero_grad(set_to_none=False)``
    on a sparse ``.grad``, as PyTorch's)."""
    from autograd_core.sparse import _coo
    from autograd_core.tensor import Tensor

    vals = g._vals._data[:0].copy()
    return _coo(g._ind[:, :0].copy(), Tensor._make(vals, None, False), g.shape, True)


def _is_param(p) -> bool:
    return not isinstance(p, np.ndarray) and isinstance(getattr(p, "_data", None), np.ndarray)


def _enable_grad():
    try:
        import autograd_core

        return autograd_core.enable_grad()
    except (ImportError, AttributeError):
        return contextlib.nullcontext()


def _loss_value(loss: Any) -> float:
    """A closure's loss as a float, read without ``float(tensor)``'s requires-grad warning (a
    step reads it where PyTorch's steps run without grad mode, which does not warn)."""
    data = getattr(loss, "_data", None)
    return float(loss) if data is None else float(data)


def check(ok: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``ok``."""
    if not ok:
        raise ValueError(message)


def _check_betas(betas):
    check(isinstance(betas, (tuple, list)) and len(betas) == 2,
          f"Invalid betas: {betas!r} (expected a pair)")
    check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")


def _check_lr(v):
    if isinstance(v, Tensor) and v.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    check(0.0 <= v, f"Invalid learning rate: {v}")


# Checks of the hyperparameters many algorithms share, with PyTorch's wording.
COMMON_CHECKS = {
    "lr": _check_lr,
    "eps": lambda v: check(0.0 <= v, f"Invalid epsilon value: {v}"),
    "momentum": lambda v: check(0.0 <= v, f"Invalid momentum value: {v}"),
    "weight_decay": lambda v: check(0.0 <= v, f"Invalid weight_decay value: {v}"),
    "betas": _check_betas,
}


def _same_option(value, default):
    """``value`` is an extra option's default (same type: ``0`` is not ``False``)."""
    return value is default or (type(value) is type(default) and value == default)


def _with_extras(get, names, values, group):
    """The memo's hyperparameters of ``group``: ``get``'s, then the extras with defaults."""
    return get(group) + tuple(map(group.get, names, values))


def _check_switches(defaults):
    if defaults.get("differentiable"):
        raise NotImplementedError("differentiable=True is not supported (updates run in fused "
                                  "kernels outside the autograd graph)")
    if defaults.get("capturable"):
        raise NotImplementedError("capturable=True (CUDA graphs) is not supported")
    if defaults.get("fused") and defaults.get("foreach"):
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


# -- step hooks (PyTorch's ``profile_hook_step``) -----------------------------------------------

_global_optimizer_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
_global_optimizer_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
#: the per-instance hook dicts (PyTorch's attribute names); not copied by deepcopy
_HOOK_DICTS = ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
               "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
               "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks")


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Register a step pre-hook common to all optimizers: ``hook(optimizer, args, kwargs)``
    runs before every ``step`` (before the optimizer's own pre-hooks); it returns None or a
    ``(new_args, new_kwargs)`` tuple that replaces ``step``'s arguments (``args[0]`` is the
    optimizer).

    Args:
        hook (Callable): the hook.

    Returns:
        ``RemovableHandle``: ``handle.remove()`` unregisters the hook.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers.optimizer import register_optimizer_step_pre_hook
        >>> w = ag.tensor([1.0], requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.1)
        >>> handle = register_optimizer_step_pre_hook(
        ...     lambda o, args, kwargs: print("before", type(o).__name__))
        >>> opt.step()
        before SGD
        >>> handle.remove()
        >>> opt.step()
    """
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Register a step post-hook common to all optimizers: ``hook(optimizer, args, kwargs)``
    runs after every ``step`` (after the optimizer's own post-hooks), with the arguments the
    step was called with.

    Args:
        hook (Callable): the hook.

    Returns:
        ``RemovableHandle``: ``handle.remove()`` unregisters the hook.

    Example::

        >>> import autograd_core as ag
        >>> import optimizers as optim
        >>> from optimizers.optimizer import register_optimizer_step_post_hook
        >>> w = ag.tensor([1.0], requires_grad=True)
        >>> w.grad = ag.tensor([1.0])
        >>> opt = optim.SGD([w], lr=0.5)
        >>> with register_optimizer_step_post_hook(lambda o, a, k: print(w.tolist())):
        ...     opt.step()
        [0.5]
    """
    return _add_hook(_global_optimizer_post_hooks, hook)


def _add_hook(hooks: OrderedDict, hook: Callable[..., Any],
              prepend: bool = False) -> RemovableHandle:
    """``hook`` added to ``hooks`` (first if ``prepend``) under a new handle's id."""
    from nn.module import RemovableHandle

    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _hooked_step(step: Callable[..., Any]) -> Callable[..., Any]:
    """``step`` with the step hooks around it (every optimizer class's ``step`` is wrapped
    once, when the class is made); with no hook registered it only calls ``step``."""
    @functools.wraps(step)
    def hooked(self, *args, **kwargs):
        self._opt_called = True  # read by the LR schedulers' first step, as PyTorch's flag
        if "_optimizer_step_pre_hooks" not in self.__dict__:
            # a wrapper that never ran Optimizer.__init__ (timm's Lookahead): PyTorch wraps
            # step in __init__, so its step runs bare
            return step(self, *args, **kwargs)
        if _global_optimizer_pre_hooks or _global_optimizer_post_hooks or \
                self._optimizer_step_pre_hooks or self._optimizer_step_post_hooks:
            return _run_step_hooks(step, self, args, kwargs)
        return step(self, *args, **kwargs)

    hooked._hooked = True  # type: ignore[attr-defined]
    return hooked


def _run_step_hooks(step, opt, args, kwargs):
    """Pre-hooks (global ones first), ``step``, post-hooks (global ones last), as PyTorch;
    a ``step`` called inside another (``super().step()``) runs none."""
    if opt.__dict__.get("_in_hooked_step"):
        return step(opt, *args, **kwargs)
    args = (opt, *args)
    for hook in chain(_global_optimizer_pre_hooks.values(),
                      opt._optimizer_step_pre_hooks.values()):
        result = hook(opt, args, kwargs)
        if result is not None:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                   f"new_kwargs), but got {result}.")
            args, kwargs = result
    opt._in_hooked_step = True
    try:
        out = step(*args, **kwargs)
    finally:
        opt._in_hooked_step = False
    for hook in chain(opt._optimizer_step_post_hooks.values(),
                      _global_optimizer_post_hooks.values()):
        hook(opt, args, kwargs)
    return out


class Optimizer:
    """Base class of every optimizer: holds ``param_groups``, ``state`` and ``defaults`` and
    runs every step (as ``torch.optim.Optimizer``; the differences are in the module
    docstring of ``optimizers.optimizer``).

    Args:
        params (iterable): Tensors to optimize, or dicts defining parameter groups (each with
            ``params`` and optional per-group hyperparameters overriding ``defaults``).
        defaults (dict): the default hyperparameters of the algorithm.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> import optimizers as optim
        >>> _ = ag.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 1))
        >>> opt = optim.SGD([{"params": model[0].parameters()},
        ...                  {"params": model[1].parameters(), "lr": 1e-3}], lr=1e-2, momentum=0.9)
        >>> loss = model(ag.ones(3, 2)).sum()
        >>> opt.zero_grad()
        >>> loss.backward()
        >>> opt.step()
        >>> [g["lr"] for g in opt.param_groups], sorted(opt.state_dict())
        ([0.01, 0.001], ['param_groups', 'state'])
    """

    update = None  # the algorithm's FusedKernel
    #: The coefficients that depend on the scalar state (``step``...), computed by
    #: ``step_coefficients``; declaring it (``()`` when there are none) promises that the
    #: others depend only on the group's hyperparameters (the keys of ``defaults`` but the
    #: ``foreach``/``fused``/``capturable``/``differentiable`` switches), the scalar type and
    #: ``fresh``, so they are computed once and reused until one of those changes.
    #: None: ``coefficients`` runs at every step.
    stepwise: tuple[str, ...] | None = None
    scalars: dict = {"step": 0.0}
    optional: dict = {}
    initial: dict = {}
    eager = False
    #: tapegrad's own group options (the lectures' forms, optimizers/LECTURE_FORMS.md) and
    #: their defaults: ``defaults`` and a group hold one only when it is set otherwise, so
    #: ``param_groups``, ``defaults`` and ``state_dict()`` have PyTorch's keys, in its order,
    #: unless an option is used; ``_option`` reads one
    extras: dict[str, Any] = {}
    #: what a saved group that lacks one of these options gets on load (a checkpoint written
    #: before ``maximize`` existed): the value PyTorch's ``__setstate__`` fills in, never this
    #: optimizer's constructor argument. Another missing option takes the constructor's (where
    #: PyTorch's step raises KeyError).
    filled_on_load: dict[str, Any] = {"maximize": False, "foreach": None, "capturable": False,
                                      "differentiable": False, "fused": None}

    # the hooks, by handle id (PyTorch's attribute names)
    _optimizer_step_pre_hooks: OrderedDict[int, Callable[..., Any]]
    _optimizer_step_post_hooks: OrderedDict[int, Callable[..., Any]]
    _optimizer_state_dict_pre_hooks: OrderedDict[int, Callable[..., Any]]
    _optimizer_state_dict_post_hooks: OrderedDict[int, Callable[..., Any]]
    _optimizer_load_state_dict_pre_hooks: OrderedDict[int, Callable[..., Any]]
    _optimizer_load_state_dict_post_hooks: OrderedDict[int, Callable[..., Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")  # a subclass's own step runs the step hooks too
        if callable(step) and not getattr(step, "_hooked", False):
            setattr(cls, "step", _hooked_step(step))  # noqa: B010 (mypy: a method)

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        extras = self.extras
        defaults = {k: v for k, v in defaults.items()
                    if k not in extras or not _same_option(v, extras[k])}
        _check_switches(defaults)
        self._validate_group(dict(defaults))
        self.defaults = defaults
        for name in _HOOK_DICTS:
            setattr(self, name, OrderedDict())
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
        # as PyTorch's Adagrad: the constructor's parameters only (a group added later gets its
        # state at its first step)
        for group in self.param_groups if self.eager else ():
            for p in group["params"]:
                if not self.state.get(p):
                    st = self.state[p]
                    st.update(self._new_scalars())
                    for name in self._array_names(group):
                        if name is not None:
                            st[name] = state_tensor(self._new_array(group, name, param_array(p)))

    def _option(self, group: dict[str, Any], name: str) -> Any:
        """The group's value of ``name``, one of ``extras``: its default when not set."""
        return group.get(name, self.extras[name])

    def coefficients(self, group: dict[str, Any], t: type, scalars: dict[str, float],
                     fresh: bool) -> Any:  # pragma: no cover - abstract
        """The kernel's scalars for one step of a parameter of scalar type ``t`` in ``group``.

        ``scalars``: the parameter's scalar state, ``step`` already advanced; an algorithm with
        more scalar state updates it in this dict. ``fresh``: its state arrays were made on this
        step. Called once per group, dtype and scalar state, not once per parameter.
        """
        raise NotImplementedError

    def step_coefficients(self, group: dict[str, Any], t: type,
                          scalars: dict[str, float]) -> tuple:  # pragma: no cover - abstract
        """The values of the ``stepwise`` coefficients, in that order (same arguments as
        ``coefficients``, which should compute them by calling this).

        Example::

            >>> import numpy as np
            >>> import autograd_core as ag
            >>> import optimizers as optim
            >>> opt = optim.Adam([ag.zeros(2, requires_grad=True)], lr=0.1)
            >>> opt.stepwise
            ('eps_in', 'eps_out', 'neg_step_size', 'bias_correction2_sqrt')
            >>> co = opt.step_coefficients(opt.param_groups[0], np.float64, {"step": 1.0})
            >>> [round(float(v), 4) for v in co]  # -lr / (1 - 0.9), sqrt(1 - 0.999)
            [0.0, 0.0, -1.0, 0.0316]
        """
        raise NotImplementedError

    def _coefficients(self, group, t, scalars, fresh):
        """``tuple(self.coefficients(group, t, scalars, fresh))``, bit for bit, reusing the
        coefficients that are not ``stepwise`` while the group's hyperparameters keep their
        values and types (immutable values only: a hyperparameter held in an array or tensor,
        which could change in place, makes every step compute them)."""
        memo = self._memo
        if memo is None:
            stepwise = self.stepwise
            if stepwise is None:
                return tuple(self.coefficients(group, t, scalars, fresh))
            # the switches accepted for PyTorch compatibility change no coefficient (a third
            # fewer values to compare at every step for Adam)
            keys = tuple(k for k in self.defaults if k not in _SWITCHES and k not in self.extras)
            get = itemgetter(*keys) if len(keys) > 1 else (lambda g: tuple([g[k] for k in keys]))
            if self.extras:  # read with their defaults: a group holds them only when set
                names, values = tuple(self.extras), tuple(self.extras.values())
                get = functools.partial(_with_extras, get, names, values)
            where = tuple(self.update.Coefficients._fields.index(n) for n in stepwise)
            memo = self._memo = ({}, get, where)
        entries, get, where = memo
        hyper = get(group)
        key = (id(group), t, fresh)
        entry = entries.get(key)
        if entry is not None and (all(map(is_, hyper, entry[0])) or _same_values(hyper, entry)):
            parts = entry[3]
            if len(parts) == 2:  # the stepwise coefficients are one run: (before, after) it
                return parts[0] + self.step_coefficients(group, t, scalars) + parts[1]
            if not where:
                return parts[0]
            merged = list(parts[0])
            for i, v in zip(where, self.step_coefficients(group, t, scalars)):
                merged[i] = v
            return tuple(merged)
        co = tuple(self.coefficients(group, t, scalars, fresh))
        types = tuple(map(type, hyper))
        tuples = {i: tuple(map(type, v)) for i, v in enumerate(hyper) if type(v) is tuple}
        if all(tp in _IMMUTABLE for tp in types) and \
                all(tp in _NUMBERS for tps in tuples.values() for tp in tps):
            lo = min(where, default=0)
            one_run = where and where == tuple(range(lo, lo + len(where)))
            entries[key] = (hyper, types, tuples,
                            (co[:lo], co[lo + len(where):]) if one_run else (co,))
        return co

    _memo: tuple | None = None  # ({(id(group), t, fresh): entry}, hyperparameters, where)

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
            if getattr(p, "is_sparse", False):  # torch refuses sparse gradients (in step)
                raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
            if not _is_param(p):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__module__}.{type(p).__name__}")
            if getattr(p, "is_leaf", True) is False:
                raise ValueError("can't optimize a non-leaf Tensor")
            if param_array(p).dtype not in (np.float32, np.float64) and \
                    param_array(p).dtype not in REAL_OF:
                raise TypeError("optimizers support float32 and float64 parameters (and "
                                "complex64 and complex128 ones, stepped as their real views), "
                                f"got {param_array(p).dtype}")
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

    def _validate_group(self, group):
        """Raise ValueError naming the argument if a hyperparameter is invalid (the common
        ones here; an algorithm with others overrides this and calls ``super()``). A subclass
        with its own ``step()`` (no ``update`` kernel: a user's optimizer written as for
        PyTorch) gets no checks, as PyTorch's base class makes none: its ``betas`` may be a
        triple (Adan) or its ``eps`` a pair (Adafactor)."""
        if self.update is None:
            return
        for key, test in COMMON_CHECKS.items():
            if key in group:
                test(group[key])

    def _validate_group_but_lr(self, group):
        """``_validate_group`` for the checks made after construction (``load_state_dict``,
        LBFGS's ``step``), with the group's ``lr`` left unchecked: a scheduler or the user sets
        it between steps (0 to freeze a group, a rounding error below 0 at the end of a linear
        decay to 0), and PyTorch checks it only in the constructor and ``add_param_group``."""
        if "lr" not in group:
            return self._validate_group(group)
        lr, group["lr"] = group["lr"], 1.0
        try:
            return self._validate_group(group)
        finally:
            group["lr"] = lr

    def _array_names(self, group) -> tuple:
        """The kernel's state arrays for ``group``, None where an optional one is unused."""
        if self.update is None:  # a subclass with its own step() (PyTorch style)
            return ()
        opt = self.optional
        if not opt:
            return self.update.state
        return tuple([None if name in opt and not group[opt[name]] else name
                      for name in self.update.state])

    def _new_scalars(self) -> dict[str, Any]:
        """A new parameter's scalar state: ``scalars``' start values as 0-d tensors."""
        return {k: scalar_state(v) for k, v in self.scalars.items()}

    def _new_array(self, group, name, data):
        key = self.initial.get(name)
        if key is None:
            return np.zeros(data.shape, data.dtype)
        value = group[key]
        if data.dtype in REAL_OF:  # both parts of each element start at it (PyTorch's)
            value = complex(value, value)
        return np.full(data.shape, value, data.dtype)

    def _state_keys(self, group) -> tuple:
        """The state every parameter with non-empty state must have (checked on load)."""
        if self.update is None:
            return ()
        return tuple(self.scalars) + tuple(n for n in self._array_names(group) if n)

    # -- gradients and steps ---------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients: ``p.grad = None`` (default) or fill them with zeros in place."""
        for group in self.param_groups:
            if set_to_none:
                for p in group["params"]:
                    p.grad = None  # (already None: unchanged; reading it first cost as much)
                continue
            for p in group["params"]:
                if _has_sparse_grad(p):  # PyTorch: an empty sparse gradient
                    p.grad = _empty_sparse(p.grad)
                    continue
                g = grad_array(p)
                if g is None:
                    continue
                grad = p.grad
                if getattr(grad, "grad_fn", None) is not None:  # PyTorch: out of the graph first
                    grad.detach_()  # (a gradient made by backward(create_graph=True))
                elif getattr(grad, "requires_grad", False):
                    grad.requires_grad_(False)
                g.fill(0)

    @_hooked_step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One optimization step over every group; returns ``closure()``'s loss if given.

        The closure runs with gradient recording enabled (it typically calls ``backward``).
        A subclass without ``update`` overrides this (as with ``torch.optim.Optimizer``); the
        step hooks run around every class's ``step``.
        """
        loss = closure_loss(closure)
        kern = self.update
        if kern is None:
            raise NotImplementedError(f"{type(self).__name__} declares no update kernel; "
                                      "override step() or set update (CONTRIBUTING.md)")
        impl = kern.implementations()
        plans = self._plans
        if plans is None:
            plans = self._plans = {}
        # inf and NaN are made silently, as PyTorch's, also where the user turns numpy's
        # floating-point warnings into errors (autograd_core/_quiet.py): the Numba kernels
        # never warn, their numpy twins (TAPEGRAD_KERNELS=numpy) and the checked path may
        token = _quiet.enter() if impl[0] is kern.twin else None
        try:
            for gi, group in enumerate(self.param_groups):
                plan = plans.get(gi)
                done = plan is not None and plan.group is group and \
                    self._run_plan(plan, group, impl)
                if not done:
                    self._step_group_checked(gi, group, kern, impl)
                    if done is False:  # no plan, or a stale one: make one from the state now
                        plans[gi] = self._make_plan(group, kern, impl)
        finally:
            if token is not None:
                _quiet.leave(token)
        return loss

    # The plan: a group's steady state (every parameter with its state, all arrays C-contiguous,
    # scalar state in writable 0-d float tensors) kept between steps, so that a step is a few identity
    # checks, in a straight-line function generated for the plan (``_plan_runner``), and one
    # call of the kernel's multi-tensor build per run of small parameters of one dtype (the
    # parallel build for each large one). Everything the plan assumed is re-checked before
    # anything is written; when something differs (a grad None or of another dtype, parameters
    # at different steps), a per-parameter loop runs instead (step-only algorithms) or the
    # checked path.
    _plans: dict | None = None

    def _make_plan(self, group, kern, impl):
        names = self._array_names(group)
        params = group["params"]
        if not params:
            return None
        keys = tuple(self.scalars)
        # state arrays after the last used one (unused optional ones) are passed once, as a tail
        used = max((i + 1 for i, n in enumerate(names) if n is not None), default=0)
        datas, sts, held, flats, scalars = [], [], [], [], []
        for j, p in enumerate(params):
            data = param_array(p)
            st = self.state.get(p)
            if st is None or not data.flags.c_contiguous or data.dtype in REAL_OF:
                return None
            arrays = tuple(_scalar_array(st.get(k)) for k in keys)
            if any(a is None for a in arrays):
                return None
            scalars.append(arrays)
            row = tuple(None if n is None else getattr(st.get(n), "_data", None)
                        if type(st.get(n)) is Tensor else None for n in names)
            if any(n is not None and (type(a) is not np.ndarray or a.shape != data.shape
                                      or a.dtype != data.dtype or not a.flags.c_contiguous)
                   for n, a in zip(names, row)):
                return None
            datas.append(data)
            sts.append(st)
            held += [(j, n, a) for n, a in zip(names, row) if n is not None]
            flats.append((data.ravel(),) + tuple(_EMPTY[data.dtype] if a is None else a.ravel()
                                                  for a in row[:used]))
        dtypes = [d.dtype for d in datas]
        # (dtype, lo, hi) for a multi-tensor call, (dtype, index, build) for a call of its own
        schedule = None
        if len({id(p) for p in params}) == len(params):  # no parameter twice
            schedule = []
            for lo, hi in _dtype_runs(dtypes):
                big = [f[0].shape[0] >= PARALLEL_MIN_SIZE for f in flats[lo:hi]]
                for run in multi_runs(big):
                    schedule.append((dtypes[lo], lo + run, -int(big[run]) - 1)
                                    if isinstance(run, int)
                                    else (dtypes[lo], lo + run[0], lo + run[1]))
        options = {k: bool(group[k]) for k in self.optional.values()}
        pads = {d: (_EMPTY[d],) * (len(names) - used) for d in set(dtypes)}
        calls = []  # per schedule entry: (build, arrays before the grads, arrays after them)
        for d, lo, hi in schedule or ():
            if hi > 0:  # a multi-tensor call: the grads, then each (param, *state), the tail
                calls.append((kern.multi_implementation(hi - lo, used), (),
                              (*chain(*flats[lo:hi]), *pads[d])))
            else:  # -1: the serial build, -2: the parallel one
                calls.append((impl[-1 - hi], flats[lo][:1], (*flats[lo][1:], *pads[d])))
        steps = _shared_steps([a[0] for a in scalars]) if keys == ("step",) and \
            len({id(p) for p in params}) == len(params) else None
        run = _plan_runner(params, datas, sts, held, scalars, keys, options, [
            b for b in (getattr(p, "_bump_version", None) for p in params) if b is not None],
            impl, schedule, calls, steps)
        return _Plan(group=group, params=params, impl=impl, run=run, step_only=keys == ("step",),
                     sts=tuple(sts), datas=tuple(datas), flats=tuple(flats), pads=pads)

    def _run_plan(self, plan, group, impl):
        """One step of ``group`` by its plan; False (nothing written) if the plan is stale,
        None (nothing written) if it holds but this step needs the checked path (a grad None or
        of another dtype, or parameters at different steps, in an algorithm with more scalar
        state than the step)."""
        done = plan.run(self, group, impl)
        if done is None and plan.step_only:
            return self._run_plan_each(plan, impl)
        return done

    def _run_plan_each(self, plan, impl):
        """The plan's per-parameter loop (step-only scalar state): any steps, grads None; None
        (nothing written) for a grad the checked path must check or cast."""
        group, params, datas, sts, flats, pads = (plan.group, plan.params, plan.datas, plan.sts,
                                                  plan.flats, plan.pads)
        grads = []
        for p, data in zip(params, datas):
            g = grad_array(p)
            if g is not None and (type(g) is not np.ndarray or g.shape != data.shape
                                  or g.dtype is not data.dtype):
                return None
            grads.append(g)
        serial, parallel = impl
        cache = {}
        for p, data, f, st, g in zip(params, datas, flats, sts, grads):
            if g is None:
                continue
            tail = pads[data.dtype]
            step = scalar_value(st["step"])
            key = (data.dtype, step)
            co = cache.get(key)
            if co is None:
                co = cache[key] = self._coefficients(group, data.dtype.type,
                                                     {"step": step + 1.0}, False)
            (parallel if f[0].shape[0] >= PARALLEL_MIN_SIZE else serial)(f[0], g.ravel(),
                                                                         *f[1:], *tail, *co)
            _set_scalar(st, "step", step + 1.0)
            bump = getattr(p, "_bump_version", None)
            if bump is not None:
                bump()
        return True

    def _check_sparse_grads(self, group: dict[str, Any]) -> None:
        """Raise PyTorch's error for a sparse gradient, before anything is written. An
        algorithm that takes sparse gradients (SGD, Adagrad) overrides this with its own
        checks; then ``_step_sparse`` updates the parameter, or its kernel runs on the dense
        form of the gradient."""
        raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")

    def _step_sparse(self, group: dict[str, Any], p: Any) -> bool:
        """Update ``p`` from its sparse gradient at the rows it holds, as PyTorch's sparse
        update does; False: no such update here (the kernel runs on the dense form)."""
        return False

    @_quiet.quiet
    def _step_group_checked(self, gi, group, kern, impl):
        if group.get("fused"):
            _check_fused(group)
        sparse = {id(p) for p in group["params"] if _has_sparse_grad(p)}
        if sparse:
            self._check_sparse_grads(group)
        serial, parallel = impl
        names = self._array_names(group)
        scalars0 = self.scalars
        only_step = tuple(scalars0) == ("step",)
        no_scalars = not scalars0
        state = self.state
        check = kern.check
        ndarray = np.ndarray
        empties = _EMPTY
        cache = {}
        new_steps = None  # the step tensors of the parameters whose state is made now
        for pi, p in enumerate(group["params"]):
            if sparse and id(p) in sparse:
                if self._step_sparse(group, p):
                    continue
                g = dense_grad_array(p)
            else:
                g = grad_array(p)
            if g is None:
                continue
            data = param_array(p)
            dtype = data.dtype
            shape = data.shape
            if g.shape != shape:
                raise RuntimeError(f"{type(self).__name__}.step(): the gradient of parameter "
                                   f"{pi} in param group {gi} has shape {g.shape}, but the "
                                   f"parameter has shape {shape}")
            if g.dtype is not dtype and g.dtype != dtype:
                g = g.astype(dtype)
            contiguous = data.flags.c_contiguous
            # ravel() is a view of a C-contiguous array (and half the cost of reshape(-1))
            pf = data.ravel() if contiguous else np.ascontiguousarray(data).ravel()
            args = [pf, g.ravel()]
            real = REAL_OF.get(dtype)
            if real is not None:  # complex: every array as its real view, real coefficients
                dtype = real
            st = state[p]
            if not st:
                if only_step:  # one array holds them all (the plan steps it in one call)
                    if new_steps is None:
                        new_steps = iter(_step_tensors(
                            sum(not state.get(q) for q in group["params"]), scalars0["step"]))
                    st["step"] = next(new_steps)
                else:
                    st.update(self._new_scalars())
            fresh = False
            for name in names:
                if name is None:
                    args.append(empties.get(dtype))  # None for a non-float array: check() names it
                    continue
                entry = st.get(name)
                if entry is None:
                    a = self._new_array(group, name, data)
                    st[name] = state_tensor(a)
                    fresh = True
                else:
                    # a Tensor, as kept; a user's ndarray is taken as the state (shared)
                    a = entry if type(entry) is ndarray else getattr(entry, "_data", None) \
                        if isinstance(entry, Tensor) else entry
                    if type(a) is not ndarray or a.shape != shape or not a.flags.c_contiguous:
                        raise RuntimeError(self._mismatch(
                            gi, pi, name, a if type(a) is ndarray else entry, data))
                    if entry is a:
                        st[name] = state_tensor(a)
                args.append(a.ravel())
            if real is not None:
                args = [a if a is None or a.dtype.kind != "c" else a.view(real) for a in args]
            new = None  # the scalar state after this step, stored once the kernel has run
            if only_step:
                step = scalar_value(st["step"])
                key = (dtype, fresh, step)
                co = cache.get(key)
                if co is None:
                    co = cache[key] = self._coefficients(group, dtype.type,
                                                         {"step": step + 1.0}, fresh)
            elif no_scalars:
                key = (dtype, fresh)
                co = cache.get(key)
                if co is None:
                    co = cache[key] = self._coefficients(group, dtype.type, {}, fresh)
            else:
                values = tuple([scalar_value(st[k]) for k in scalars0])
                key = (dtype, fresh, values)
                entry = cache.get(key)
                if entry is None:
                    scalars = dict(zip(scalars0, values))
                    if "step" in scalars:
                        scalars["step"] = scalars["step"] + 1.0
                    entry = cache[key] = (scalars, self._coefficients(group, dtype.type, scalars,
                                                                     fresh))
                new, co = entry
            args.extend(co)
            if real is None and any(a is not None and a.dtype != dtype and a.dtype.kind == "f"
                                    for a in args[2:2 + len(names)]) and self._step_mixed(
                    group, pf, args[1], dict(zip(names, args[2:2 + len(names)])), st):
                pass  # state of another float dtype (the model moved by to()), PyTorch's step
            else:
                try:
                    check(args)
                except ValueError as exc:
                    raise RuntimeError(f"{type(self).__name__}.step(): parameter {pi} in param "
                                       f"group {gi}: {exc}") from None
                (parallel if pf.shape[0] >= PARALLEL_MIN_SIZE else serial)(*args)
            if only_step:
                _set_scalar(st, "step", step + 1.0)
            elif new:
                for k, v in new.items():
                    _set_scalar(st, k, v)
            if not contiguous:
                data[...] = pf.reshape(shape)
            bump = getattr(p, "_bump_version", None)
            if bump is not None:
                bump()

    def _step_mixed(self, group: dict[str, Any], param: np.ndarray, grad: np.ndarray,
                    arrays: dict[str, np.ndarray], state: dict[str, Any]) -> bool:
        """One step of ``param`` (a flat array; ``grad`` in its dtype) whose state ``arrays``
        (by name, None where unused) are of another float dtype, as after ``model.to(dtype)``
        in the middle of training: PyTorch's algorithms then compute each in-place update in
        the promoted dtype and store it in the state's own dtype. True if done; False (the
        default) refuses it: ``step()`` raises naming the arrays (PyTorch's Adam family fails
        there too, in ``lerp_``). ``state`` is the parameter's state as before this step (its
        scalars: ``step`` not yet counted)."""
        return False

    def _mismatch(self, gi, pi, name, a, data):
        if not isinstance(a, np.ndarray):
            what = f"is a {type(a).__name__}"
        elif a.shape == data.shape:  # then only the layout is wrong: updates would be lost
            return (f"{type(self).__name__}.step(): state {name!r} of parameter {pi} in param "
                    f"group {gi} is not C-contiguous; state arrays are updated in place")
        else:
            what = f"has shape {a.shape} and dtype {a.dtype}"
        return (f"{type(self).__name__}.step(): parameter {pi} in param group {gi} has shape "
                f"{data.shape} and dtype {data.dtype}, but its state {name!r} {what} (was the "
                "parameter's array replaced by one of another shape or dtype? Make a new "
                "optimizer, or reset its state with optimizer.state[p].clear())")

    # -- hooks -----------------------------------------------------------------------------

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Register a hook run before each ``step``: ``hook(optimizer, args, kwargs)`` returns
        None or a ``(new_args, new_kwargs)`` tuple that replaces ``step``'s arguments
        (``args[0]`` is the optimizer). Hooks run in registration order, after the global ones
        (``optimizers.optimizer.register_optimizer_step_pre_hook``).

        Args:
            hook (Callable): the hook.

        Returns:
            ``RemovableHandle``: ``handle.remove()`` unregisters the hook.

        Example::

            >>> import autograd_core as ag
            >>> import optimizers as optim
            >>> w = ag.tensor([1.0], requires_grad=True)
            >>> w.grad = ag.tensor([1.0])
            >>> opt = optim.SGD([w], lr=0.5)
            >>> def halve_grads(optimizer, args, kwargs):
            ...     for group in optimizer.param_groups:
            ...         for p in group["params"]:
            ...             p.grad.mul_(0.5)
            >>> handle = opt.register_step_pre_hook(halve_grads)
            >>> opt.step()
            >>> w.tolist()
            [0.75]
            >>> handle.remove()
        """
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Register a hook run after each ``step``: ``hook(optimizer, args, kwargs)``, with the
        arguments the step ran with. Hooks run in registration order, before the global ones
        (``optimizers.optimizer.register_optimizer_step_post_hook``).

        Args:
            hook (Callable): the hook.

        Returns:
            ``RemovableHandle``: ``handle.remove()`` unregisters the hook.

        Example::

            >>> import autograd_core as ag
            >>> import optimizers as optim
            >>> w = ag.tensor([1.0], requires_grad=True)
            >>> opt = optim.SGD([w], lr=0.1)
            >>> steps = []
            >>> handle = opt.register_step_post_hook(lambda o, args, kwargs: steps.append(1))
            >>> opt.step(); opt.step()
            >>> len(steps)
            2
        """
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable[..., Any],
                                     prepend: bool = False) -> RemovableHandle:
        """Register a hook run at the start of ``state_dict()``: ``hook(optimizer) -> None``.

        Args:
            hook (Callable): the hook.
            prepend (bool): run it before the hooks already registered (default: after them).

        Returns:
            ``RemovableHandle``: ``handle.remove()`` unregisters the hook.

        Example::

            >>> import autograd_core as ag
            >>> import optimizers as optim
            >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
            >>> _ = opt.register_state_dict_pre_hook(lambda o: print("saving"))
            >>> _ = opt.register_state_dict_pre_hook(lambda o: print("first"), prepend=True)
            >>> _ = opt.state_dict()
            first
            saving
        """
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable[..., Any],
                                      prepend: bool = False) -> RemovableHandle:
        """Register a hook run at the end of ``state_dict()``:
        ``hook(optimizer, state_dict) -> state_dict or None``; it may change the dict in place
        or return a new one, which the next hooks and the caller get.

        Args:
            hook (Callable): the hook.
            prepend (bool): run it before the hooks already registered (default: after them).

        Returns:
            ``RemovableHandle``: ``handle.remove()`` unregisters the hook.

        Example::

            >>> import autograd_core as ag
            >>> import optimizers as optim
            >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
            >>> _ = opt.register_state_dict_post_hook(lambda o, sd: {**sd, "epoch": 3})
            >>> sorted(opt.state_dict())
            ['epoch', 'param_groups', 'state']
        """
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any],
                                          prepend: bool = False) -> RemovableHandle:
        """Register a hook run at the start of ``load_state_dict(state_dict)``:
        ``hook(optimizer, state_dict) -> state_dict or None``, given a shallow copy of the
        caller's dict; it may change it in place or return a new one, which is loaded.

        Args:
            hook (Callable): the hook.
            prepend (bool): run it before the hooks already registered (default: after them).

        Returns:
            ``RemovableHandle``: ``handle.remove()`` unregisters the hook.

        Example::

            >>> import autograd_core as ag
            >>> import optimizers as optim
            >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
            >>> saved = {**opt.state_dict(), "epoch": 3}
            >>> def drop_epoch(optimizer, sd):
            ...     return {k: v for k, v in sd.items() if k != "epoch"}
            >>> _ = opt.register_load_state_dict_pre_hook(drop_epoch)
            >>> opt.load_state_dict(saved)
            >>> opt.param_groups[0]["lr"]
            0.1
        """
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any],
                                           prepend: bool = False) -> RemovableHandle:
        """Register a hook run at the end of ``load_state_dict()``: ``hook(optimizer) -> None``.

        Args:
            hook (Callable): the hook.
            prepend (bool): run it before the hooks already registered (default: after them).

        Returns:
            ``RemovableHandle``: ``handle.remove()`` unregisters the hook.

        Example::

            >>> import autograd_core as ag
            >>> import optimizers as optim
            >>> opt = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
            >>> _ = opt.register_load_state_dict_post_hook(
            ...     lambda o: print("lr", o.param_groups[0]["lr"]))
            >>> opt.load_state_dict(opt.state_dict())
            lr 0.1
        """
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the hooks (a deepcopy or copy has none, as PyTorch's) and the step
        caches (``_plans``, ``_memo``: generated functions, which pickle refused; rebuilt at
        the next step)."""
        return {k: v for k, v in self.__dict__.items()
                if k not in _HOOK_DICTS and k not in ("_in_hooked_step", "_plans", "_memo")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in _HOOK_DICTS:
            self.__dict__.setdefault(name, OrderedDict())

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

        Arrays are copies; parameters are numbered in group order, as PyTorch does. The
        state dict hooks run before and after (``register_state_dict_pre_hook``).
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        index, groups = self._index_map()
        state = {}
        for p, st in self.state.items():
            # a parameter stepped without any state (SGD without momentum) has an empty entry
            # here; PyTorch's has none, so its state dict lists no such parameter
            if st and id(p) in index:
                state[index[id(p)]] = {k: _copy_value(v) for k, v in st.items()}
        out = {"state": state, "param_groups": groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, out)
            if result is not None:
                out = result
        return out

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a dict from ``state_dict()``; validated first, nothing changes on failure.

        The load hooks run before (given a shallow copy of ``state_dict``; one may return the
        dict to load) and after (``register_load_state_dict_pre_hook``).
        """
        if isinstance(state_dict, dict):
            state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        self._load_state_dict(state_dict)
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def _load_state_dict(self, state_dict: dict) -> None:
        """``load_state_dict`` without its hooks (what an algorithm extends)."""
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
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
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
                    if k in self.filled_on_load:
                        new[k] = self.filled_on_load[k]
                    elif v is required:
                        raise ValueError(f"param_groups[{gi}] lacks required option {k!r}")
                    else:
                        new[k] = v
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            new["params"] = group["params"]
            try:
                self._validate_group_but_lr(new)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"param_groups[{gi}]: {exc}") from None
            new_groups.append(new)

        arrays: set[str] = set(self.update.state) if self.update is not None else set()
        new_state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for idx, entry in saved_state.items():
            if idx not in id_map:
                raise ValueError(f"state has an entry for parameter index {idx!r}, which is not "
                                 "in any param group")
            p, gi = id_map[idx]
            if not isinstance(entry, dict):
                raise ValueError(f"state[{idx!r}] must be a dict")
            st = {}
            for key, value in entry.items():
                if key in self.scalars and self.update is not None:
                    st[key] = scalar_state(_load_scalar(value, idx, key))
                elif key in arrays:
                    st[key] = _load_array(value, param_array(p), idx, key)
                else:
                    st[key] = _load_other(value, param_array(p), key)
            if st:
                for key in self._state_keys(new_groups[gi]):
                    if st.get(key) is None:
                        raise ValueError(f"state[{idx!r}] lacks {key!r} (required by "
                                         f"{type(self).__name__} with these group options)")
            new_state[p] = st
        if tuple(self.scalars) == ("step",) and self.update is not None:
            for group in new_groups:  # a group's steps in one array, as made by a step
                sts = list({id(p): new_state[p] for p in group["params"]
                            if "step" in new_state.get(p, ())}.values())
                for st, t in zip(sts, _step_tensors(len(sts), 0.0)):
                    t._data[()] = st["step"]._data
                    st["step"] = t
        self.param_groups[:] = new_groups
        self.state = new_state
        self._memo = None  # its entries are keyed by the replaced groups

    # -- memory accounting -----------------------------------------------------------------

    @overload
    def state_bytes(self, per_param: Literal[False] = ...) -> int: ...
    @overload
    def state_bytes(self, per_param: Literal[True]) -> dict[int, int]: ...
    def state_bytes(self, per_param: bool = False) -> int | dict[int, int]:
        """Bytes held by the state arrays (scalars such as ``step`` are not counted).

        ``per_param=True`` returns ``{parameter index: bytes}`` (indices as in state_dict).
        """
        if not per_param:
            return sum(map(_state_nbytes, self.state.values()))
        index, _ = self._index_map()
        out = {}
        for group in self.param_groups:
            for p in group["params"]:
                out[index[id(p)]] = _state_nbytes(self.state.get(p, {}))
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
                param_bytes += param_array(p).nbytes
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
            if i:
                lines.append("")  # PyTorch's blank line between groups
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _state_nbytes(st: dict) -> int:
    """Bytes of a parameter's state tensors and arrays, 0-d ones (scalar state) not counted."""
    total = 0
    for v in st.values():
        a = getattr(v, "_data", v)
        if isinstance(a, np.ndarray) and a.ndim:
            total += a.nbytes
    return total


def _copy_value(v):
    if isinstance(v, Tensor):
        return Tensor._make(v._data.copy(), None, False)
    if isinstance(v, np.ndarray):
        return v.copy()
    arr = _as_array(v)
    if arr is not v:  # a torch.Tensor (an lr in PyTorch's dict): our own Tensor of its values,
        return Tensor._make(np.array(arr), None, False)  # not the caller's by reference
    if isinstance(v, (list, tuple, dict)):
        return copy.deepcopy(v)
    return v


def _load_other(value, data, key):
    """A state value no kernel reads (a user optimizer's, LBFGS's lists) as PyTorch's
    ``load_state_dict`` gives it: Tensors (also inside lists, tuples and dicts) copied and,
    but for ``step``, cast to a floating parameter's dtype (float32 state loaded for a model
    made float64 is float64); anything else copied."""
    if isinstance(value, Tensor):
        arr = value._data
        cast = key != "step" and data.dtype.kind == "f" and arr.dtype != data.dtype
        return Tensor._make(arr.astype(data.dtype) if cast else arr.copy(), None, False)
    if isinstance(value, dict):
        return {k: _load_other(v, data, k) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_load_other(v, data, key) for v in value)
    return _copy_value(value)


def _saved_params(optimizer, state_dict):
    """``({index: parameter}, {index: entry})``: a state dict's saved parameter indices paired
    with ``optimizer``'s parameters, group by group, and a copy of its ``state``, for an
    algorithm's ``_load_state_dict`` to check its entries; None for a malformed dict (the
    base's ``_load_state_dict`` then says what is wrong)."""
    try:
        pairs = {idx: p for saved, group in zip(state_dict["param_groups"],
                                               optimizer.param_groups)
                 for idx, p in zip(saved["params"], group["params"])}
        return pairs, dict(state_dict["state"])
    except (KeyError, TypeError):
        return None


def _load_scalar(value, idx, key):
    """A scalar state value (``step``, ...: a 0-d Tensor, as saved, or a number or 0-d array,
    as saved before the state held Tensors) as a Python float; refuses anything else."""
    value = _as_array(value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                       np.floating)):
        raise ValueError(f"state[{idx!r}][{key!r}] must be a real number, got "
                         f"{type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value) or (key == "step" and value < 0):
        raise ValueError(f"state[{idx!r}][{key!r}] must be a finite"
                         f"{' non-negative' if key == 'step' else ''} number, got {value!r}")
    return value


def _as_array(value):
    """A Tensor's array, or an array-like tensor's (a ``torch.Tensor``) as an array; anything
    else unchanged."""
    if isinstance(value, Tensor):
        return value._data
    if not isinstance(value, (np.ndarray, *_NUMBERS)) and hasattr(value, "__array__") and \
            hasattr(value, "shape"):
        return np.asarray(value.detach() if hasattr(value, "detach") else value)
    return value


def _load_array(value, data, idx, key):
    """A copy of a state tensor (or array, as saved before the state held Tensors) as a
    Tensor, checked against the parameter's array and cast to its dtype."""
    if value is None:
        return None
    arr = _as_array(value)
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"state[{idx!r}][{key!r}] must be an array, got "
                         f"{type(value).__name__}")
    return state_tensor(_checked_copy(arr, data, idx, key))


def _checked_copy(value, data, idx, key):
    """A C-contiguous copy of array ``value``, checked against the parameter's array and cast
    to its dtype."""
    if value.dtype.kind != data.dtype.kind:  # a complex parameter's state is complex
        raise ValueError(f"state[{idx!r}][{key!r}] has dtype {value.dtype}; "
                         f"{'complex' if data.dtype.kind == 'c' else 'floating point'} "
                         "expected")
    if value.shape != data.shape:
        raise ValueError(f"state[{idx!r}][{key!r}] has shape {value.shape}, but the "
                         f"parameter has shape {data.shape}")
    return np.array(value, dtype=data.dtype, order="C", copy=True)
