"""``autograd_core.autograd.forward_ad``, as ``torch.autograd.forward_ad``: dual tensors for
Jacobian-vector products (``dual_level``, ``make_dual``, ``unpack_dual``).

How tangents are computed here: lazily, from the recorded graph, with the double-vjp trick.
A dual tensor is recorded like a tensor that requires grad (so every op built from it is
recorded, whatever the op); nothing is computed per op. When ``unpack_dual(y)`` asks for the
tangent of ``y``, two reverse passes give it: the vjp ``u -> J^T u`` of ``y`` with respect to
the dual tensors it depends on is linear in ``u``, and the gradient of ``<J^T u, v>`` with
respect to ``u`` is ``J v``. So every op whose backward is differentiable (every op of the op
table) gives its tangent, with no per-op forward rule to keep in step with the backward one.

Cost: nothing for code outside a dual level (the op recording path is untouched); inside one,
ops on dual tensors are recorded as for reverse mode, and each ``unpack_dual`` of a computed
tensor costs about three backward passes over the part of the graph between the duals and it.

Differences from PyTorch (see DIFFERENCES.md): a dual tensor and what is computed from it
require grad and have a ``grad_fn`` (the graph the tangents come from); ops run under
``no_grad`` or on ``.detach()``-ed tensors carry no tangent (PyTorch's propagate one under
``no_grad``); complex dual tensors and custom Functions whose backward is
``@once_differentiable`` (or missing) are refused with NotImplementedError.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, NamedTuple, Optional

import numpy as np

from autograd_core.grad_mode import STATE, enable_grad
from autograd_core.tensor import Tensor

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]

#: the level entered (0) or -1: only one level at a time, as in PyTorch
_current_level = -1


class _Dual(NamedTuple):
    tensor: Tensor       # the dual tensor make_dual returned
    tangent: Tensor      # its tangent, as given
    base: Tensor         # the tensor made dual
    version: int         # the tangent's version then: tangents are computed from its values


# what the graph's edges are to each dual tensor of the level: its node (a dual made from a
# tensor that requires grad is a view recorded from it) or the tensor itself (a leaf), by id;
# the graph objects are kept alive here until the level ends, so the ids stay theirs
_duals: dict[int, _Dual] = {}
# ids of the nodes of primals (unpack_dual's view of a tensor without its tangent): the search
# for duals stops there
_blocked: dict[int, Any] = {}


def enter_dual_level() -> int:
    """Enter a new forward grad level and return it (0).

    Only one level can exist at a time, as in PyTorch. Prefer the ``dual_level`` context.

    Example::

        >>> from autograd_core.autograd import forward_ad as fwAD
        >>> level = fwAD.enter_dual_level()
        >>> level
        0
        >>> fwAD.exit_dual_level()
    """
    global _current_level
    if _current_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _current_level = 0
    return _current_level


def exit_dual_level(*, level: int | None = None) -> None:
    """Exit the forward grad level: the tangents of its dual tensors are dropped.

    Args:
        level (int, optional): the level to exit; the current one if None.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd import forward_ad as fwAD
        >>> fwAD.enter_dual_level()
        0
        >>> x = fwAD.make_dual(ag.tensor([1.0]), ag.tensor([2.0]))
        >>> fwAD.exit_dual_level()
        >>> fwAD.unpack_dual(x).tangent is None
        True
    """
    global _current_level
    if level is None:
        level = _current_level
    if level != _current_level:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    _duals.clear()
    _blocked.clear()
    _keep.clear()
    _current_level = level - 1


class dual_level:
    """Context manager for forward AD: dual tensors are made and unpacked inside it.

    Entering gives the level (0); leaving drops every tangent of the level. Levels do not
    nest (only one is supported, as in PyTorch); for higher-order forward derivatives use
    ``autograd_core.func.jvp``.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd import forward_ad as fwAD
        >>> x = ag.tensor([0.0, 1.0])
        >>> with fwAD.dual_level():
        ...     y = fwAD.make_dual(x, ag.ones_like(x)).exp()
        ...     jvp = fwAD.unpack_dual(y).tangent
        >>> jvp
        tensor([1.0000, 2.7183])
        >>> fwAD.unpack_dual(y).tangent is None
        True
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()

    def __call__(self, fn: Any) -> Any:
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with dual_level():
                return fn(*args, **kwargs)

        return wrapper


# the functional form: its fields' types are objects, not the strings this module's
# ``from __future__ import annotations`` would make (which the generated __new__ cannot resolve)
UnpackedDualTensor = NamedTuple("UnpackedDualTensor",
                                [("primal", Tensor), ("tangent", Optional[Tensor])])
UnpackedDualTensor.__doc__ = """What ``unpack_dual`` returns: the ``primal`` and the ``tangent`` (None
    when the tensor has none) of a dual tensor.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.forward_ad import UnpackedDualTensor
        >>> UnpackedDualTensor(ag.tensor([1.0]), None).tangent is None
        True
    """


def _check_level(level: int | None, fn: str) -> int:
    if level is None:
        return _current_level
    if level >= 0 and level != _current_level:
        raise RuntimeError(f"Invalid level given to {fn}")
    return level


def _check_tensor(x: Any, arg: str, position: int, fn: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """Make a dual tensor: ``tensor``'s values, with ``tangent`` as its forward gradient.

    The result shares ``tensor``'s memory; gradients reaching it in backward flow on to
    ``tensor``. Ops on it (and on what is computed from it) carry tangents, read with
    ``unpack_dual``: with ``J`` the Jacobian of ``f``, the tangent of ``f(make_dual(x, v))`` is
    ``J v``.

    Args:
        tensor (Tensor): the primal, floating point.
        tangent (Tensor): its tangent, of ``tensor``'s shape, floating point.
        level (int, optional): the forward grad level; the current one if None.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd import forward_ad as fwAD
        >>> x = ag.tensor([1.0, 2.0])
        >>> with fwAD.dual_level():
        ...     dual = fwAD.make_dual(x, ag.tensor([1.0, 0.0]))
        ...     fwAD.unpack_dual((dual ** 2).sum()).tangent
        tensor(2.)
    """
    _check_tensor(tensor, "primal", 1, "_make_dual")
    _check_tensor(tangent, "tangent", 2, "_make_dual")
    level = _check_level(level, "_make_dual")
    if level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    for what, t in (("primal", tensor), ("tangent", tangent)):
        if t._data.dtype.kind not in "fc":
            raise ValueError(f"Expected {what} to be floating point or complex, but got: "
                             f"{t.dtype}")
        if t._data.dtype.kind == "c":
            raise NotImplementedError(f"forward AD: a complex {what} is not supported by "
                                      "tapegrad (make_dual)")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {_size(tensor)} while "
            f"the given forward gradient is of size {_size(tangent)}.")
    if _reached(tensor)[0]:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward "
                           f"gradient at the same level {level} is not supported.")
    tracer = STATE.anomaly
    if tracer and tracer is not True:  # ag.compile's tracer: a replay would drop the tangents
        tracer.fail("forward-mode AD (make_dual)")
    if tensor._requires_grad:
        with enable_grad():
            dual = tensor.view_as(tensor)
        key: Any = dual.grad_fn
    else:  # a leaf sharing tensor's memory, recorded as one that requires grad
        dual = key = Tensor._make(tensor._data, None, True)
        dual._vc = tensor._counter()  # shared, as a view's
    _duals[id(key)] = _Dual(dual, tangent, tensor, tangent._counter()[0])
    _keep.append(key)
    return dual


# the graph objects of the duals, alive until the level ends (their ids are _duals' keys)
_keep: list[Any] = []


def _size(t: Tensor) -> str:
    return "[" + ", ".join(str(n) for n in t.shape) + "]"


def _reached(y: Tensor) -> tuple[list[_Dual], bool, list[Any]]:
    """The dual tensors ``y`` is computed from (through the recorded graph), whether the
    graph reaches a tensor that requires grad for reverse mode (a leaf other than a dual's own,
    a dual made from one, or a primal), and the graph objects with gradient hooks (or a
    retained gradient) on the way. Refuses the ops on a path from a dual to ``y`` that cannot
    give a tangent."""
    if not _duals or not y._requires_grad:
        return [], False, []
    start: Any = y.grad_fn if y.grad_fn is not None else y
    found: dict[int, _Dual] = {}
    other = False
    users: dict[int, list] = {}  # id of a graph object -> the nodes recorded from it
    seen = {id(start)}
    stack = [start]
    hooked = []
    while stack:
        obj = stack.pop()
        if getattr(obj, "_pre_hooks", None) is not None or getattr(obj, "_hooks", None):
            hooked.append(obj)
        d = _duals.get(id(obj))
        if d is not None:
            found[id(obj)] = d
            other = other or d.base._requires_grad
            continue
        if id(obj) in _blocked or isinstance(obj, Tensor):
            other = True
            continue
        for e in obj.next:
            if e is not None:
                users.setdefault(id(e), []).append(obj)
                if id(e) not in seen:
                    seen.add(id(e))
                    stack.append(e)
    # the nodes between the duals and y: each must be able to give a tangent
    on_path: set[int] = set()
    stack = [d.tensor.grad_fn or d.tensor for d in found.values()]
    while stack:
        for node in users.get(id(stack.pop()), ()):
            if id(node) not in on_path:
                on_path.add(id(node))
                if _refuse(node):
                    hooked.append(node)  # a custom Function: its backward's results checked
                stack.append(node)
    return list(found.values()), other, hooked


@contextmanager
def _hooks_off(hooked: list[Any]) -> Iterator[None]:
    """The gradient hooks (and retained gradients) of ``hooked`` set aside: the reverse passes
    that compute a tangent are not backward passes (PyTorch's forward AD never calls them);
    and the custom Functions among them checked while they run (``_checked``)."""
    kept = [(obj, obj.__dict__.get("_pre_hooks"), obj.__dict__.get("_retained"),
             obj.__dict__.get("_hooks")) for obj in hooked]
    for obj, *_ in kept:
        if isinstance(obj, Tensor):
            obj._hooks = None
        else:
            obj._pre_hooks = obj._retained = None
            if getattr(obj, "fn_cls", None) is not None:
                obj.backward = _checked(obj)
    try:
        yield
    finally:
        for obj, pre, retained, hooks in kept:
            if isinstance(obj, Tensor):
                obj._hooks = hooks
            else:
                obj._pre_hooks, obj._retained = pre, retained
                obj.__dict__.pop("backward", None)


def _checked(node: Any, what: str = "forward AD") -> Any:
    """``node``'s backward (a custom Function's), refusing a result that is not a function of
    the incoming gradient although it should be: a backward computed outside tapegrad's ops
    (with numpy, or on ``.detach()``-ed gradients) would give a silently zero tangent (the
    double-vjp trick differentiates the backward with respect to the gradient)."""
    rule = type(node).backward

    def backward(*grads: Any) -> Any:
        res = rule(node, *grads)
        if any(isinstance(g, Tensor) and g._requires_grad for g in grads):
            for r, e in zip(res, node.next):
                if e is not None and isinstance(r, Tensor) and not r._requires_grad and \
                        np.any(r._data):
                    raise NotImplementedError(
                        f"Trying to use {what} with {node.fn_cls.__name__} that does not "
                        "support it: its backward's result is not computed from the incoming "
                        "gradient with tensor ops (numpy or .detach()), and tapegrad computes "
                        "tangents from the backward (a custom Function's jvp is not used)")
        return res

    return backward


def _refuse(node: Any) -> bool:
    """PyTorch's NotImplementedError for a node that cannot give a tangent: a custom Function
    whose backward is not differentiable (``@once_differentiable``) or not defined. True for
    the other custom Functions."""
    cls = getattr(node, "fn_cls", None)
    if cls is None:
        return False
    from autograd_core.function import Function
    backward = cls.backward
    if getattr(backward, "once_differentiable", False) or (
            backward is Function.backward and cls.vjp is Function.vjp):
        raise NotImplementedError(
            f"Trying to use forward AD with {cls.__name__} that does not support it: tapegrad "
            "computes tangents from the backward, which must be differentiable (a custom "
            "Function's jvp is not used; define backward with tensor ops, without "
            "@once_differentiable)")
    return True


def _tangent(y: Tensor, duals: list[_Dual], record: bool, hooked: list[Any]) -> Tensor:
    """``J v`` for ``y``: the gradient, with respect to ``u``, of ``<J^T u, v>``."""
    from autograd_core.autograd import grad
    from autograd_core.ops._xp import gradient_in_fresh_leaves

    if y._data.dtype.kind == "c":
        raise NotImplementedError("forward AD: the tangent of a complex tensor is not "
                                  "supported by tapegrad (unpack_dual)")
    # any u gives the same J v (J^T u is linear in u); ones, not zeros: a rule may treat a zero
    # gradient specially (xlogy's gives 0 where the gradient is 0), and then its derivative with
    # respect to the gradient is lost at exactly 0
    u = Tensor._make(np.ones(y.shape, y.dtype), None, True)
    with enable_grad(), _hooks_off(hooked):
        try:
            vjps = grad(y, [d.tensor for d in duals], grad_outputs=u, retain_graph=True,
                        create_graph=True, allow_unused=True)
            total = None
            for g, d in zip(vjps, duals):
                if g is None or not g._requires_grad:
                    continue
                if d.tangent._counter()[0] != d.version:
                    # PyTorch's tangents used the values of the ops' time; these are read now
                    raise RuntimeError(
                        "forward AD: the tangent given to make_dual was modified by an inplace "
                        "operation after the dual tensor was made; tapegrad computes tangents "
                        "when unpack_dual asks for them, from the tangent's current values. "
                        "Give make_dual a tangent that is not modified (tangent.clone()).")
                v = d.tangent if d.tangent.dtype == g.dtype else d.tangent.to(g.dtype)
                term = (g * v).sum()
                total = term if total is None else total + term
            out = None
            if total is not None:
                # in u alone: a first gradient with no derivative in the input (hardsigmoid's)
                # is linear in u, and that derivative is the one wanted
                with gradient_in_fresh_leaves():
                    (out,) = grad(total, u, create_graph=record, allow_unused=True)
        except RuntimeError as exc:
            if "once_differentiable" in str(exc):
                raise NotImplementedError(
                    "Trying to use forward AD with a custom Function whose backward is "
                    "@once_differentiable: tapegrad computes tangents from the backward") from exc
            raise
    if out is None:  # y does not move with the duals (a constant of them, like round)
        return Tensor._make(np.zeros(y.shape, y.dtype), None, False)
    return out


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """Return ``tensor``'s primal and its tangent (its forward gradient at the level).

    The tangent is None for a tensor not computed from a dual tensor of the level (and for
    every tensor once the level has ended); the primal is a view of ``tensor`` that has no
    tangent (``tensor`` itself when it has none).

    Args:
        tensor (Tensor): a dual tensor, or one computed from dual tensors.
        level (int, optional): the forward grad level; the current one if None.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd import forward_ad as fwAD
        >>> x = ag.tensor([0.0, 3.0])
        >>> with fwAD.dual_level():
        ...     y = fwAD.make_dual(x, ag.tensor([1.0, 1.0])).sin()
        ...     primal, tangent = fwAD.unpack_dual(y)
        >>> tangent.round(decimals=4)
        tensor([ 1.0000, -0.9900])
        >>> primal.round(decimals=4)
        tensor([0.0000, 0.1411])
    """
    level = _check_level(level, "_fw_primal")
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    _check_tensor(tensor, "dual", 1, "_unpack_dual")
    duals, other, hooked = _reached(tensor)
    if not duals:
        return UnpackedDualTensor(tensor, None)
    start = tensor.grad_fn if tensor.grad_fn is not None else tensor
    own = _duals.get(id(start))
    if own is not None and own.tensor is tensor:
        tangent = own.tangent  # as given, as PyTorch
    else:
        tangent = _tangent(tensor, duals, STATE.enabled and (
            other or any(d.tangent._requires_grad for d in duals)), hooked)
    if other:  # a view with no tangent, still connected for reverse mode
        with enable_grad():
            primal = tensor.view_as(tensor)
        _blocked[id(primal.grad_fn)] = primal.grad_fn
    else:
        primal = Tensor._make(tensor._data, None, False)
    return UnpackedDualTensor(primal, tangent)
