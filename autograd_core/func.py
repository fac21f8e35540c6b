"""``autograd_core.func``, as ``torch.func``: function transforms — ``grad``,
``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``, ``vmap`` — and
``functional_call`` / ``stack_module_state`` for per-sample gradients and model ensembles.

Built on the ordinary engine: each transform makes fresh copies of the inputs it differentiates
with respect to (connected to the originals when those require grad, so transforms nest:
``grad(grad(f))``), runs ``func`` and calls ``autograd.grad``. Inputs need not require grad.
Arguments and results may be pytrees: Tensors inside (nested) dicts, tuples and lists.

Differences from PyTorch (DIFFERENCES.md): ``vmap`` is a Python loop over the batch dimension
(``func`` runs once per sample and the outputs are stacked: the same numbers as PyTorch's
batching transform, slower); ``randomness="error"`` (the default) detects random ops by the
default generator's state, after the sample that drew. ``jacfwd`` and ``jvp`` are computed in
reverse mode (same numbers). A result is connected to the graph only when some differentiated
input itself requires grad (a tensor captured by ``func``'s closure is not tracked through).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograd_core.autograd import grad as _autograd_grad
from autograd_core.autograd import functional as _functional
from autograd_core.grad_mode import enable_grad, is_grad_enabled
from autograd_core.ops.shape import stack
from autograd_core.random import get_rng_state, set_rng_state
from autograd_core.tensor import Tensor, dtype_name

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp",
           "linearize", "replace_all_batch_norm_modules_", "stack_module_state", "vjp", "vmap",
           "functionalize"]


# ---- pytrees: Tensors inside dicts, tuples and lists ----------------------------------------
def _flatten(tree: Any) -> tuple[list[Any], Any]:
    """``(leaves, spec)``; ``_unflatten(leaves, spec)`` rebuilds the structure."""
    if isinstance(tree, dict):
        leaves, specs = [], []
        for k in tree:
            lv, sp = _flatten(tree[k])
            leaves += lv
            specs.append((k, len(lv), sp))
        return leaves, ("dict", specs)
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for item in tree:
            lv, sp = _flatten(item)
            leaves += lv
            specs.append((None, len(lv), sp))
        return leaves, (type(tree), specs)
    return [tree], None


def _unflatten(leaves: list[Any], spec: Any) -> Any:
    if spec is None:
        return leaves[0]
    kind, specs = spec
    parts, i = [], 0
    for key, n, sp in specs:
        parts.append((key, _unflatten(leaves[i:i + n], sp)))
        i += n
    if kind == "dict":
        return dict(parts)
    items = [v for _, v in parts]
    return tuple(items) if kind is tuple else items


def _argnums(argnums: Any, n: int) -> tuple[int, ...]:
    if isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        nums = tuple(_argnum(a, n) for a in argnums)
        if len(set(nums)) != len(nums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        return nums
    if isinstance(argnums, int):
        return (_argnum(argnums, n),)
    raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _argnum(a: Any, n: int) -> int:
    if not isinstance(a, int):
        raise RuntimeError(f"argnum must be int, got: {type(a)}")
    if -n <= a < n:
        return a % n
    raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")


def _fresh(leaves: list[Any], api: str) -> tuple[list[Tensor], bool]:
    """Copies of the Tensors to differentiate with respect to, and whether the results must
    stay connected to the graph (some input requires grad: a transform nested in another)."""
    out = []
    for t in leaves:
        if not isinstance(t, Tensor):
            raise ValueError(f"{api}: Thing passed to transform API must be Tensor, "
                             f"got {type(t)}")
    create = is_grad_enabled() and any(t.requires_grad for t in leaves)
    for t in leaves:
        out.append(t.view_as(t) if create and t.requires_grad
                   else _functional.own_leaf(t.detach().requires_grad_(True)))
    return out, create


def _reaches_outer(tensors: list[Any], depth: int) -> bool:
    """Whether the graph of any of ``tensors`` reaches a Tensor that requires grad from outside
    the transform at ``depth`` (its own and nested transforms' input copies don't count): one
    the function closes over (a module's parameters) or an argument not differentiated. As
    PyTorch's transforms, the results then stay connected to it, so a loss built on them
    trains it."""
    def outer(t: Tensor) -> bool:
        return _functional.leaf_depth(t) < depth

    stack: list[Any] = []
    for t in tensors:
        if isinstance(t, Tensor) and t.requires_grad:
            if t.grad_fn is None and outer(t):  # a leaf returned as it is
                return True
            stack.append(t.grad_fn)
    # the nodes themselves are kept: a leaf's AccumulateGrad stand-in is made afresh by each
    # next_functions, and a freed one's id() could be reused by the next (a leaf then skipped)
    seen: dict[int, Any] = {}
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        var = getattr(node, "variable", None)
        if var is not None:  # a leaf's AccumulateGrad
            if outer(var):
                return True
            continue
        stack.extend(fn for fn, _ in node.next_functions)
    return False


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._make(np.zeros(t.shape, t.dtype), None, False)


def _detach_tree(tree: Any, keep: bool) -> Any:
    if keep:
        return tree
    leaves, spec = _flatten(tree)
    return _unflatten([t.detach() if isinstance(t, Tensor) else t for t in leaves], spec)


def _split_aux(out: Any, has_aux: bool, api: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    for leaf in _flatten(out[1])[0]:  # PyTorch's: aux is a pytree of Tensors
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    return out


def _refuse_integral(leaves: list[Any], what: str) -> None:
    """PyTorch's refusal of an integer or bool primal or tangent (jvp, jacfwd), ``what``."""
    for t in leaves:
        if isinstance(t, Tensor) and t._data.dtype.kind not in "fc":
            raise ValueError(f"Expected {what} to be floating point or complex, but got: "
                             f"{dtype_name(t._data.dtype)}")


def _refuse_integral_outputs(leaves: list[Any]) -> None:
    """PyTorch's refusal of an integer or bool output in vjp (so jacrev and hessian): it has
    no cotangent."""
    for t in leaves:
        if isinstance(t, Tensor) and t._data.dtype.kind not in "fc":
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or "
                               f"complex Tensors, got Tensor with dtype "
                               f"{dtype_name(t._data.dtype)}")


def _with_diff_args(args: tuple[Any, ...], nums: tuple[int, ...],
                    api: str) -> tuple[list[Any], list[Tensor], list[Any], bool]:
    """Fresh copies of the pytrees at ``nums``: (new args, flat copies, per-arg specs and
    leaf counts, create_graph)."""
    flat, specs = [], []
    for i in nums:
        leaves, spec = _flatten(args[i])
        flat += leaves
        specs.append((spec, len(leaves)))
    fresh, create = _fresh(flat, api)
    new_args, k = list(args), 0
    for i, (spec, n) in zip(nums, specs):
        new_args[i] = _unflatten(fresh[k:k + n], spec)
        k += n
    return new_args, fresh, specs, create


def _regroup(flat: list[Any], specs: list[Any], is_tuple: bool) -> Any:
    out, k = [], 0
    for spec, n in specs:
        out.append(_unflatten(flat[k:k + n], spec))
        k += n
    return tuple(out) if is_tuple else out[0]


# ---- grad -----------------------------------------------------------------------------------
def grad_and_value(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """Like :func:`grad`, but the returned function gives ``(gradient, value)`` (``(gradient,
    (value, aux))`` with ``has_aux=True``, as PyTorch).

    Args:
        func (Callable): returns a one-element Tensor (or ``(Tensor, aux)`` with has_aux).
        argnums (int or tuple of int): the positional arguments to differentiate with respect
            to. Default: 0.
        has_aux (bool): ``func`` returns ``(output, aux)``; aux is passed through. Default:
            False.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import grad_and_value
        >>> grad_and_value(lambda x: (x ** 2).sum())(ag.tensor([1.0, 2.0]))
        (tensor([2., 4.]), tensor(5.))
    """
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _functional.transform_depth() as depth:
            return run(depth, *args, **kwargs)

    def run(depth: int, *args: Any, **kwargs: Any) -> Any:
        api = "grad_and_value(f)(*args)"
        nums = _argnums(argnums, len(args))
        new_args, fresh, specs, create = _with_diff_args(args, nums, api)
        grad_on = is_grad_enabled()
        with enable_grad():
            output, aux = _split_aux(func(*new_args, **kwargs), has_aux, api)
            if not isinstance(output, Tensor):
                raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                                   f"{type(output)}")
            create = create or (grad_on and _reaches_outer([output], depth))
            if output.dim() != 0:
                raise RuntimeError(
                    f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                    f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                    "instead?")
            if output.requires_grad and fresh:
                gs = _autograd_grad([output], fresh, create_graph=create, allow_unused=True)
            else:
                gs = (None,) * len(fresh)
        flat = [_zeros_like(t) if g is None else g for g, t in zip(gs, fresh)]
        g = _detach_tree(_regroup(flat, specs, isinstance(argnums, tuple)), create)
        value = _detach_tree(output, create)
        if has_aux:
            return g, (value, _detach_tree(aux, create))
        return g, value

    return wrapper


def grad(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
         has_aux: bool = False) -> Callable[..., Any]:
    """Return a function computing the gradient of ``func`` (which returns a 0-d Tensor) with
    respect to its positional argument(s) ``argnums``.

    The arguments need not require grad. An argument may be a pytree (dict, tuple or list of
    Tensors): its gradient has the same structure. Nests: ``grad(grad(f))`` gives second
    derivatives.

    Args:
        func (Callable): returns a 0-d Tensor (or ``(Tensor, aux)`` with has_aux).
        argnums (int or tuple of int): which positional arguments; a tuple gives a tuple of
            gradients. Default: 0.
        has_aux (bool): ``func`` returns ``(output, aux)``; the function then returns
            ``(gradient, aux)``. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import grad
        >>> x = ag.tensor(1.0)
        >>> grad(lambda t: t ** 3)(x)
        tensor(3.)
        >>> grad(grad(lambda t: t ** 3))(x)
        tensor(6.)
    """
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


# ---- vjp / jvp ------------------------------------------------------------------------------
def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """Return ``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` gives the vector-Jacobian
    products, a tuple with one entry (shaped as that primal) per primal.

    Args:
        func (Callable): takes the primals, returns a Tensor or a pytree of Tensors (or
            ``(output, aux)`` with has_aux).
        *primals: the inputs (Tensors or pytrees of Tensors).
        has_aux (bool): also return ``aux`` as a third element. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import vjp
        >>> out, vjp_fn = vjp(lambda x: x ** 2, ag.tensor([1.0, 3.0]))
        >>> vjp_fn(ag.tensor([1.0, 1.0]))
        (tensor([2., 6.]),)
    """
    api = "vjp(f, *primals)"
    nums = tuple(range(len(primals)))
    grad_on = is_grad_enabled()
    with _functional.transform_depth() as depth:
        new_args, fresh, specs, create = _with_diff_args(primals, nums, api)
        with enable_grad():
            output, aux = _split_aux(func(*new_args), has_aux, api)
    out_leaves, out_spec = _flatten(output)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")
    _refuse_integral_outputs(out_leaves)
    create = create or (grad_on and _reaches_outer(out_leaves, depth))

    def vjp_fn(cotangents: Any, retain_graph: bool = True,
               create_graph: bool | None = None) -> tuple[Any, ...]:
        cg = is_grad_enabled() if create_graph is None else create_graph
        ct_leaves, ct_spec = _flatten(cotangents)
        if len(ct_leaves) != len(out_leaves) or _flatten(
                _unflatten([0] * len(ct_leaves), ct_spec))[1] != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function.")
        for c, o in zip(ct_leaves, out_leaves):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                                   f"{c.shape} and output[0] has a shape of {o.shape}.")
        pairs = [(o, c) for o, c in zip(out_leaves, ct_leaves) if o.requires_grad]
        with enable_grad():
            if pairs and fresh:
                gs = _autograd_grad([o for o, _ in pairs], fresh, [c for _, c in pairs],
                                    retain_graph=retain_graph, create_graph=cg and create,
                                    allow_unused=True)
            else:
                gs = (None,) * len(fresh)
        flat = [_zeros_like(t) if g is None else g for g, t in zip(gs, fresh)]
        return _detach_tree(_regroup(flat, specs, True), cg and create)

    out = _detach_tree(output, create)
    if has_aux:
        return out, vjp_fn, _detach_tree(aux, create)
    return out, vjp_fn


def jvp(func: Callable[..., Any], primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> Any:
    """Return ``(func(*primals), J @ tangents)``: the output and the Jacobian-vector product.

    Computed in reverse mode with the double-vjp trick (this engine has no forward mode): the
    same numbers as PyTorch's forward-mode ``jvp``.

    Args:
        func (Callable): takes the primals, returns a Tensor or a pytree of Tensors (or
            ``(output, aux)`` with has_aux).
        primals (tuple): the point, ``func(*primals)``: Tensors or pytrees (dicts, lists,
            tuples) of Tensors.
        tangents (tuple): the direction, the same structure as ``primals``, each Tensor
            shaped as its primal.
        strict (bool): raise if an output does not depend on the inputs (else zeros).
            Default: False.
        has_aux (bool): also return ``aux`` as a third element. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import jvp
        >>> jvp(lambda x: x ** 2, (ag.tensor([1.0, 3.0]),), (ag.tensor([1.0, 0.0]),))
        (tensor([1., 9.]), tensor([2., 0.]))
    """
    api = "jvp(f, primals, tangents)"
    for name, val in (("primals", primals), ("tangents", tangents)):
        if not isinstance(val, tuple):
            raise RuntimeError(f"{api}: Expected {name} to be a tuple. E.g. it should be "
                               "valid to call f(*primals).")
    flat_p, spec = _flatten(primals)
    flat_t, t_spec = _flatten(tangents)
    if t_spec != spec:
        def picture(n: int, sp: Any) -> str:  # the structure with its leaves as *
            return repr(_unflatten(["*"] * n, sp)).replace("'*'", "*")
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, "
                           f"tangents also must be. Got primals with structure "
                           f"{picture(len(flat_p), spec)} and tangents with structure "
                           f"{picture(len(flat_t), t_spec)}")
    for name, leaves in (("primals", flat_p), ("tangents", flat_t)):
        if not leaves:
            raise RuntimeError(f"{api}: Expected {name} to contain at least one Tensor.")
        for leaf in leaves:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(f"{api}: Expected {name} to only contain Tensors, got "
                                   f"{type(leaf)}")
    _refuse_integral(flat_p, "primal")
    _refuse_integral(flat_t, "tangent")
    for p, t in zip(flat_p, flat_t):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(f"{api}: Expected primals and tangents to have the same shape; "
                               f"got {list(p.shape)} and {list(t.shape)}")
    grad_on = is_grad_enabled()
    create = grad_on and any(t.requires_grad for t in flat_p + flat_t)
    aux_box: list[Any] = []
    out_spec: list[Any] = []
    reach: list[bool] = []

    def f(*xs: Any) -> Any:  # func on the flat leaves, its output flattened to a tuple
        out, aux = _split_aux(func(*_unflatten(list(xs), spec)), has_aux, api)
        aux_box.append(aux)
        leaves, o_spec = _flatten(out)
        out_spec.append(o_spec)
        return tuple(leaves)

    with _checked_functions() as watch, _functional.transform_depth() as depth:
        def g(*xs: Any) -> Any:
            out = f(*xs)
            watch(out)
            reach[:] = [_reaches_outer(list(out), depth)]
            return out

        # with grad mode on, the graph is recorded if the output depends on a Tensor from
        # outside that requires grad (decided once g has run; as _jacobian)
        prev, _functional.FORWARD_MODE[0] = _functional.FORWARD_MODE[0], True
        try:
            outs, res = _functional.jvp(g, tuple(flat_p), tuple(flat_t),
                                        create_graph=create or grad_on and (lambda: reach[0]),
                                        strict=strict)
        finally:
            _functional.FORWARD_MODE[0] = prev
    create = create or grad_on and reach[0]
    out, res = _unflatten(list(outs), out_spec[0]), _unflatten(list(res), out_spec[0])
    if has_aux:
        return out, res, _detach_tree(aux_box[0], create)
    return out, res


def functionalize(func: Callable[..., Any], *, remove: str = "mutations") -> Callable[..., Any]:
    """PyTorch's ``functionalize``: ``func`` with its in-place ops replaced by out-of-place
    ones, for compilers and ``vmap``; what it computes, and the writes to its inputs, stay
    the same. Here ``vmap`` and the transforms run in-place ops as they are, so the function
    is returned as it is (``remove`` is checked as PyTorch does).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import functionalize
        >>> def f(a):
        ...     b = a.clone()
        ...     b.add_(1)
        ...     return b
        >>> functionalize(f)(ag.ones(2))
        tensor([2., 2.])
    """
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}."
            " Valid options are:\n     remove='mutations': all inplace and out= operators will be"
            " removed from the program, and replaced with their out-of-place equivalents.\n     "
            "remove='mutations_and_views': In addition to the above, all aliasing operators {view}"
            " will be replaced with their non-aliasing counterparts, {view}_copy.\n")
    return func


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """Return ``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector product
    of ``func`` at ``primals`` (``jvp(func, primals, tangents)[1]``). ``func`` runs again at
    each call of ``jvp_fn`` (PyTorch's runs it twice and keeps its graph).

    Args:
        func (Callable): takes the primals, returns a Tensor or a pytree of Tensors.
        *primals (Tensor): the point; Tensors or pytrees of Tensors.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import linearize
        >>> out, jvp_fn = linearize(lambda x: x.sin(), ag.zeros(2))
        >>> jvp_fn(ag.ones(2))
        tensor([1., 1.])
    """
    output = func(*primals)
    flat_p, spec = _flatten(primals)

    def jvp_fn(*tangents: Any) -> Any:
        flat_t, t_spec = _flatten(tangents)
        if t_spec != spec:
            raise RuntimeError(f"Expected the tangents {len(flat_t)} Tensor(s) to have the same "
                               f"structure as the primals ({len(flat_p)} Tensor(s))")
        for i, (p, t) in enumerate(zip(flat_p, flat_t)):
            if tuple(p.shape) != tuple(t.shape):
                raise RuntimeError(f"tangent:{i} with shape {t.shape!r} in flattened pytree "
                                   f"doesn't match the shape {p.shape!r} of the corresponding "
                                   "primal.")
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn


@contextmanager
def _checked_functions() -> Iterator[Callable[[Any], None]]:
    """A ``watch(outputs)`` that checks, until the context ends, the backward of every custom
    Function the outputs are computed from (``forward_ad._checked``): ``jvp``'s double-vjp trick
    needs a backward written with tensor ops (PyTorch's forward-mode ``jvp`` refuses a Function
    without a jvp rule; a numpy backward here gave a silently zero part of the product)."""
    from autograd_core.autograd.forward_ad import _checked

    nodes: list[Any] = []

    def watch(outputs: Any) -> None:
        leaves, _ = _flatten(outputs)
        stack = [t.grad_fn for t in leaves if isinstance(t, Tensor) and t.grad_fn is not None]
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if getattr(node, "fn_cls", None) is not None and "backward" not in vars(node):
                node.backward = _checked(node, "jvp")
                nodes.append(node)
            stack.extend(e for e in node.next if e is not None and not isinstance(e, Tensor))

    try:
        yield watch
    finally:
        for node in nodes:
            vars(node).pop("backward", None)


# ---- Jacobians and Hessians -----------------------------------------------------------------
def jacrev(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *,
           has_aux: bool = False, chunk_size: int | None = None,
           _preallocate_and_copy: bool = False) -> Callable[..., Any]:
    """Return a function computing the Jacobian of ``func`` with respect to the positional
    argument(s) ``argnums``, in reverse mode (one backward pass per output element).

    For a Tensor output and one argument, the Jacobian has shape ``output.shape +
    input.shape``; a tuple ``argnums`` gives a tuple over the arguments, a tuple output a
    tuple over the outputs (of tuples over the arguments).

    Args:
        func (Callable): takes Tensors, returns a Tensor or a tuple of Tensors (or
            ``(output, aux)`` with has_aux).
        argnums (int or tuple of int): which positional arguments. Default: 0.
        has_aux (bool): the function returns ``(jacobian, aux)``. Default: False.
        chunk_size (int, optional): accepted for PyTorch's signature (a memory option there).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import jacrev
        >>> jacrev(lambda x: x.sin())(ag.zeros(2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, "jacrev")


def jacfwd(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
           has_aux: bool = False, *, randomness: str = "error") -> Callable[..., Any]:
    """Return a function computing the Jacobian of ``func`` with respect to the positional
    argument(s) ``argnums``; as :func:`jacrev` (computed in reverse mode here: the same
    numbers as PyTorch's forward mode).

    Args:
        func (Callable): takes Tensors, returns a Tensor or a tuple of Tensors (or
            ``(output, aux)`` with has_aux).
        argnums (int or tuple of int): which positional arguments. Default: 0.
        has_aux (bool): the function returns ``(jacobian, aux)``. Default: False.
        randomness (str): ``"error"``, ``"different"`` or ``"same"``, as :func:`vmap`.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import jacfwd
        >>> jacfwd(lambda x, y: x * y, argnums=1)(ag.tensor([2.0, 3.0]), ag.ones(2))
        tensor([[2., 0.],
                [0., 3.]])
    """
    _check_randomness(randomness)
    return _jacobian(func, argnums, has_aux, "jacfwd")


def _refuse_complex(leaves: list[Any], api: str, what: str) -> None:
    """PyTorch's refusal of complex inputs or outputs in jacrev/jacfwd (hessian): a row of
    vector-Jacobian products of a complex function is not its Jacobian (it is conjugated, and
    a real input keeps only the real part)."""
    for i, t in enumerate(leaves):
        if isinstance(t, Tensor) and t._data.dtype.kind == "c":
            raise RuntimeError(f"{api}: Expected all {what} to be real but received complex "
                               f"tensor at flattened input idx: {i}")


def _jacobian(func: Callable[..., Any], argnums: Any, has_aux: bool,
              api: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _functional.transform_depth() as depth:
            return run(depth, *args, **kwargs)

    def run(depth: int, *args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args))
        flat, specs = [], []
        for i in nums:
            leaves, spec = _flatten(args[i])
            flat += leaves
            specs.append((spec, len(leaves)))
        for t in flat:
            if not isinstance(t, Tensor):
                raise ValueError(f"{api}: Thing passed to transform API must be Tensor, "
                                 f"got {type(t)}")
        _refuse_complex(flat, api, "inputs")
        if api == "jacfwd":
            _refuse_integral(flat, "primal")
        grad_on = is_grad_enabled()
        create = grad_on and any(t.requires_grad for t in flat)
        box: list[Any] = []

        def f(*xs: Any) -> Any:
            new_args, k = list(args), 0
            for i, (spec, n) in zip(nums, specs):
                new_args[i] = _unflatten(list(xs[k:k + n]), spec)
                k += n
            out, aux = _split_aux(func(*new_args, **kwargs), has_aux, f"{api}(f)(*args)")
            leaves, out_spec = _flatten(out)
            _refuse_complex(leaves, api, "outputs")
            if api == "jacrev":
                _refuse_integral_outputs(leaves)
            box[:] = [out_spec, aux, _reaches_outer(leaves, depth), leaves]
            return tuple(leaves)  # a nested output (jacrev's, in hessian) as its leaves

        # with grad mode on, the graph is recorded if the function's output depends on a
        # Tensor outside the transform that requires grad (a closed-over parameter, an
        # argument not in argnums; decided once f has run): PyTorch keeps the result connected
        # to it
        jac = _functional.jacobian(f, tuple(flat),
                                   create_graph=create or grad_on and (lambda: box[2]))
        create = create or grad_on and box[2]
        # jacfwd of an integer or bool output: zeros of its dtype, as PyTorch's tangents
        jac = [tuple(j.to(o.dtype) for j in row) if o._data.dtype.kind not in "fc" else row
               for row, o in zip(jac, box[3])]
        is_tuple = isinstance(argnums, tuple)
        # the output's structure, each leaf's Jacobian structured as the arguments
        jac = _unflatten([_regroup(list(j), specs, is_tuple) for j in jac], box[0])
        if has_aux:
            return jac, _detach_tree(box[1], create)
        return jac

    return wrapper


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """Return a function computing the Hessian of the scalar function ``func`` with respect to
    the argument(s) ``argnums``: ``jacfwd(jacrev(func, argnums), argnums)``.

    Args:
        func (Callable): takes Tensors, returns a one-element Tensor.
        argnums (int or tuple of int): which positional arguments. Default: 0.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import hessian
        >>> hessian(lambda x: (x ** 3).sum())(ag.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# ---- vmap -----------------------------------------------------------------------------------
_RANDOM_IN_ERROR_MODE = (
    "vmap: called random operation while in randomness error mode. Please either use the "
    "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
    "of vmap")


def _check_randomness(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def _dims_for(arg: Any, dim: Any, api: str) -> list[tuple[Any, Any]]:
    """``(tensor-or-leaf, in_dim)`` pairs for the leaves of ``arg``, ``dim`` broadcast over
    the pytree (an int/None applies to all its leaves)."""
    if dim is None or isinstance(dim, int):
        return [(leaf, dim) for leaf in _flatten(arg)[0]]
    if isinstance(dim, dict) and isinstance(arg, dict) and dim.keys() == arg.keys():
        return [p for k in arg for p in _dims_for(arg[k], dim[k], api)]
    if (isinstance(dim, (tuple, list)) and isinstance(arg, (tuple, list))
            and len(dim) == len(arg)):
        return [p for a, d in zip(arg, dim) for p in _dims_for(a, d, api)]
    raise ValueError(f"{api}: in_dims is not compatible with the structure of `inputs`. "
                     f"in_dims has structure {dim!r} but inputs has structure "
                     f"{type(arg).__name__}.")


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable[..., Any]:
    """Return a function that maps ``func`` over a batch dimension of its inputs.

    **This is a loop, not a batching transform**: ``func`` is called once per index of the
    mapped dimension on the corresponding slices, and the outputs are stacked along
    ``out_dims``. The numbers are PyTorch's; it is slower, and ``func`` may do anything (read
    values, branch on them). Composes with the other transforms: ``vmap(grad(loss),
    in_dims=(None, 0, 0))`` gives per-sample gradients.

    Args:
        func (Callable): takes (pytrees of) Tensors, returns a Tensor or a pytree of Tensors.
        in_dims (int, None or tuple): the mapped dimension of each positional argument (None:
            not mapped, passed whole to every call); a tuple has one entry per argument, and an
            entry may itself be a pytree matching the argument. Keyword arguments are not
            mapped. Default: 0.
        out_dims (int or tuple): where the batch dimension goes in each output. Default: 0.
        randomness (str): ``"different"`` (independent draws per sample), ``"same"`` (every
            sample sees the same draws: the generator is rewound before each call) or
            ``"error"`` (a draw from the default generator raises PyTorch's RuntimeError,
            the generator put back). Default: ``"error"``.
        chunk_size (int, optional): accepted for PyTorch's signature (the loop already takes
            one sample at a time).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.func import vmap
        >>> x, y = ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([1.0, 10.0])
        >>> vmap(lambda a, b: a.dot(b), in_dims=(0, None))(x, y)
        tensor([21., 43.])
    """
    _check_randomness(randomness)
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got "
                         f"{chunk_size})")
    name = getattr(func, "__name__", repr(func))

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        api = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        if isinstance(in_dims, tuple):
            if len(in_dims) != len(args):
                raise ValueError(f"{api}: in_dims is not compatible with the structure of "
                                 f"`inputs`. in_dims has structure {len(in_dims)} but inputs "
                                 f"has structure {len(args)}.")
            arg_dims = in_dims
        elif in_dims is None or isinstance(in_dims, int):
            arg_dims = (in_dims,) * len(args)
        else:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...): expected `in_dims` to be "
                             f"int or a (potentially nested) tuple matching the structure of "
                             f"inputs, got: {type(in_dims)}.")
        arg_spec = _flatten(list(args))[1]
        pairs = [p for a, d in zip(args, arg_dims) for p in _dims_for(a, d, api)]
        sizes = []
        for leaf, d in pairs:
            if d is None:
                continue
            if not isinstance(leaf, Tensor):
                raise ValueError(f"{api}: Got in_dim={d} for an input but the input is of "
                                 f"type {type(leaf)}. We cannot vmap over non-Tensor "
                                 "arguments, please use None as the respective in_dim")
            if not -leaf.dim() <= d < max(leaf.dim(), 1) or leaf.dim() == 0:
                raise ValueError(f"{api}: Got in_dim={d} for some input, but that input is a "
                                 f"Tensor of dimensionality {leaf.dim()} so expected in_dim "
                                 f"to satisfy -{leaf.dim()} <= in_dim < {leaf.dim()}.")
            sizes.append(leaf.shape[d])
        if not sizes:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got all "
                             "in_dims=None; at least one argument must be batched")
        if len(set(sizes)) != 1:
            raise ValueError(f"{api}: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        if sizes[0] == 0:
            raise ValueError(f"{api}: the mapped dimension has size 0; this loop needs at "
                             "least one sample")
        state = get_rng_state()  # "same" rewinds to it, "error" checks against it
        results = []
        for i in range(sizes[0]):
            leaves = [leaf if d is None else leaf.select(d, i) for leaf, d in pairs]
            if randomness == "same":
                set_rng_state(state)
            results.append(func(*_unflatten(leaves, arg_spec), **kwargs))
            if randomness == "error" and not get_rng_state().equal(state):
                set_rng_state(state)  # as PyTorch's, which raises before the draw
                raise RuntimeError(_RANDOM_IN_ERROR_MODE)
        return _stack_outputs(results, out_dims, name)

    return wrapper


def _stack_outputs(results: list[Any], out_dims: Any, name: str) -> Any:
    first_leaves, spec = _flatten(results[0])
    if isinstance(out_dims, int) or out_dims is None:
        dims = [out_dims] * len(first_leaves)
    elif isinstance(results[0], (tuple, list)) and isinstance(out_dims, (tuple, list)) \
            and len(out_dims) == len(results[0]):
        dims = [d for item, d in zip(results[0], out_dims) for _ in _flatten(item)[0]]
    else:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                         "compatible with the structure of `outputs`.")
    per_sample = [_flatten(r)[0] for r in results]
    out = []
    for j, d in enumerate(dims):
        col = [leaves[j] for leaves in per_sample]
        if d is None:  # an output that is not batched: every sample's is the same
            if _varies(col):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor "
                                 "when out_dim is None")
            out.append(col[0])
            continue
        if not all(isinstance(t, Tensor) for t in col):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{type(col[0])}. Did you mean to set out_dims= to None for "
                             "output?")
        out.append(stack(col, dim=d))
    return _unflatten(out, spec)


def _varies(col: list[Any]) -> bool:
    """Whether the samples' values of an output differ (so it depends on the batch: PyTorch's
    BatchedTensor). The samples run one by one here, so an output equal in every sample
    counts as not batched (PyTorch refuses one computed from a batched input all the same)."""
    first = col[0]
    if not isinstance(first, Tensor):
        return False
    for t in col[1:]:
        if t is first:
            continue
        if not isinstance(t, Tensor) or t.shape != first.shape or t.dtype != first.dtype:
            return True
        if not np.array_equal(t._data, first._data,
                              equal_nan=first._data.dtype.kind in "fc"):
            return True
    return False


# ---- modules --------------------------------------------------------------------------------
def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """Call ``module(*args, **kwargs)`` with its parameters and buffers named in the given
    dict(s) replaced by those tensors; the module's own are restored afterwards, also when the
    call raises. With :func:`grad` and :func:`vmap` this differentiates a module "as a
    function of its parameters".

    Args:
        module (nn.Module): the module to call.
        parameter_and_buffer_dicts (dict or tuple of dict): values by dotted name
            (``"fc1.weight"``), as ``named_parameters``/``named_buffers`` give them; several
            dicts must not share keys.
        args (Any or tuple): positional arguments (a non-tuple is one argument).
        kwargs (dict): keyword arguments.
        tie_weights (bool): a value given for one of several tied names is used for all.
            Default: True.
        strict (bool): every parameter and buffer must be given, and nothing else. Default:
            False.

    Example::

        >>> import autograd_core as ag
        >>> from nn import Linear
        >>> from autograd_core.func import functional_call, grad
        >>> lin = Linear(2, 1)
        >>> params = {"weight": ag.ones(1, 2), "bias": ag.zeros(1)}
        >>> x = ag.tensor([[1.0, 2.0]])
        >>> functional_call(lin, params, (x,))
        tensor([[3.]])
        >>> grad(lambda p: functional_call(lin, p, (x,)).sum())(params)["weight"]
        tensor([[1., 2.]])
    """
    from nn.utils.stateless import _functional_call

    return _functional_call(module, parameter_and_buffer_dicts, args, kwargs, tie_weights,
                            strict)


def stack_module_state(models: Any) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """Stack the parameters and the buffers of same-class models along a new first dimension:
    ``(params, buffers)`` dicts by name, for model ensembling with
    ``vmap(functional_call)``. Stacked parameters are new leaves that require grad (when the
    models' do).

    Args:
        models (list of nn.Module): models of one class, all in training or all in eval mode.

    Example::

        >>> import autograd_core as ag
        >>> from nn import Linear
        >>> from autograd_core.func import stack_module_state
        >>> params, buffers = stack_module_state([Linear(3, 2) for _ in range(4)])
        >>> {k: tuple(v.shape) for k, v in params.items()}
        {'weight': (4, 2, 3), 'bias': (4, 2)}
    """
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(dicts: list[dict[str, Tensor]]) -> dict[str, Tensor]:
        out = {}
        for k in dicts[0]:
            ts = [d[k] for d in dicts]
            req = {t.requires_grad for t in ts}
            if len(req) != 1:
                raise RuntimeError(f"Expected {k} from each model to have the same "
                                   ".requires_grad")
            s = stack([t.detach() for t in ts])
            out[k] = s.requires_grad_(True) if req.pop() else s
        return out

    return (stacked([dict(m.named_parameters()) for m in models]),
            stacked([dict(m.named_buffers()) for m in models]))


def replace_all_batch_norm_modules_(root: Any) -> Any:
    """Make every batch norm module in ``root`` (``root`` included) stop tracking running
    statistics, in place, as PyTorch's: ``running_mean``, ``running_var`` and
    ``num_batches_tracked`` become None and ``track_running_stats`` False, so the module always
    normalises with the statistics of the batch it sees. Returns ``root``.

    Example::

        >>> import nn
        >>> from autograd_core.func import replace_all_batch_norm_modules_
        >>> net = replace_all_batch_norm_modules_(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)))
        >>> net[1].running_mean is None, net[1].track_running_stats, sorted(net.state_dict())
        (True, False, ['0.bias', '0.weight', '1.bias', '1.weight'])
    """
    from nn.layers.normalization import _BatchNorm

    for m in root.modules():
        if isinstance(m, _BatchNorm) and m.track_running_stats:
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root

