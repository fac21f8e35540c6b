"""``autograd_core.autograd.functional``, as ``torch.autograd.functional``: derivatives of a
function given as a Python callable — ``vjp``, ``jvp``, ``vhp``, ``hvp``, ``jacobian`` and
``hessian``, with PyTorch's names, signatures, result structure and ``strict`` checks (the same
steps, so the same errors, in PyTorch's words, and the same results requiring grad under
``create_graph``).

``inputs`` is a Tensor or a tuple of Tensors; results mirror it (a Tensor for a Tensor, a
tuple for a tuple). Everything is computed in reverse mode: ``jvp`` and ``hvp`` use the
double-backward trick (the vjp is linear in its vector, so differentiating it once more gives
the forward product), as PyTorch's do. ``vectorize`` computes the same rows one by one (with
PyTorch's refusal of ``strict=True`` alongside it); ``jacobian``'s ``strategy="forward-mode"``
takes PyTorch's options (``vectorize=True``, no ``strict`` or ``create_graph``) and gives the
same Jacobian, in the outputs' dtype as PyTorch's forward mode, computed in reverse mode; as
PyTorch's, it stays connected to the inputs that require grad (differentiable in them).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from autograd_core.autograd import grad as _grad
from autograd_core.grad_mode import enable_grad
from autograd_core.ops._xp import gradient_in_fresh_leaves
from autograd_core.ops.shape import stack
from autograd_core.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(x, arg_name, fn_name):
    """``(is_tuple, tuple of Tensors)``; PyTorch's TypeError for anything else (a list too)."""
    is_tuple = isinstance(x, tuple)
    xs = x if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            what = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but the {what} has type {type(t)}.")
    return is_tuple, xs


# How deeply the autograd_core.func transforms running now are nested; each marks the leaves
# made for it (fresh copies of the inputs, jvp's dummy cotangents) with its depth. A leaf that
# requires grad and is not marked that deep belongs outside the transform (a closed-over
# parameter, an enclosing transform's input), so func keeps the result connected to it.
_DEPTH = [0]
#: set by ``func.jvp`` (forward mode in PyTorch): see ``gradient_in_fresh_leaves``
FORWARD_MODE = [False]


@contextmanager
def transform_depth():
    """Enter one more level of transform; yields the new depth."""
    _DEPTH[0] += 1
    try:
        yield _DEPTH[0]
    finally:
        _DEPTH[0] -= 1


def own_leaf(t):
    """Mark ``t`` as a leaf made at the current transform depth; return it."""
    t._transform_depth = _DEPTH[0]
    return t


def leaf_depth(t):
    """The transform depth ``t`` was made at (0: outside every transform)."""
    return getattr(t, "_transform_depth", 0)


def _prepare(inputs, create_graph, need_graph=True):
    """Inputs as fresh leaves (requiring grad when ``need_graph``), connected to the originals
    when create_graph, so the result can be differentiated with respect to them."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else own_leaf(t.detach().requires_grad_(need_graph)) for t in inputs)


def _check_v(v, other, other_is_tuple):
    if len(v) != len(other):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            if other_is_tuple else "The given v should contain a single Tensor.")
    for i, (vi, o) in enumerate(zip(v, other)):
        if tuple(vi.shape) != tuple(o.shape):
            entry = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {o.size()!s} but got "
                               f"{vi.size()!s}.")


def _check_requires_grad(ts, kind, strict):
    """strict mode: each of ``ts`` (the outputs, the first gradients, ...) must require grad."""
    if not strict:
        return
    for i, t in enumerate(ts):
        if t is None:  # a first gradient that does not exist
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if t.requires_grad:
            continue
        if kind == "outputs":
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode.")
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode.")
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).")
        raise RuntimeError(
            f"The hessian of the user-provided function with respect to input {i} is "
            "independent of the input. This is not allowed in strict mode. You should ensure "
            "that your function is thrice differentiable and that the hessian depends on the "
            "inputs.")


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward "
                         "mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Zeros shaped as ``refs`` for the gradients that do not exist; in strict mode an error
    instead, and, under create_graph, for a gradient that does not require grad."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = Tensor._make(np.zeros(ref.shape, ref.dtype), None, False)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        out.append(g)
    return tuple(out)


def _grads(outputs, inputs, grad_outputs=None, create_graph=False):
    """``grad`` over the outputs that require grad (None for every input when none does)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs or (None,) * len(outputs))
             if o is not None and o.requires_grad]
    if not pairs or not inputs:
        return (None,) * len(inputs)
    return _grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=True,
                 create_graph=create_graph, allow_unused=True)


def _finish(xs, is_tuple, create_graph):
    xs = tuple(x if create_graph else x.detach() for x in xs)
    return xs if is_tuple else xs[0]


def _decided(create_graph):
    """``create_graph`` as a bool. ``func``'s transforms pass a function instead, called once
    the user's function has run: whether its output reaches a Tensor from outside the transform
    that requires grad. The backward passes are then recorded only when something needs them
    (the inputs are prepared as for False: in that case none of them requires grad)."""
    return bool(create_graph()) if callable(create_graph) else create_graph


def _call(func, inputs, fn_name, strict):
    with enable_grad():
        out = func(*inputs)
    is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
    _check_requires_grad(outs, "outputs", strict)
    return is_tuple, outs


def _single(outs, is_tuple, fn_name):
    """The one-element output of ``hessian``/``vhp``/``hvp``'s function, or PyTorch's error."""
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")
    return outs[0]


def _vector(v, inputs, in_tuple, create_graph, fn_name):
    """The vector of ``jvp``/``vhp``/``hvp``, checked against the inputs (ones for a single
    one-element input when None)."""
    if v is None:
        if len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        return (Tensor._make(np.ones(inputs[0].shape, inputs[0].dtype), None, False),)
    _, v = _as_tuple(v, "v", fn_name)
    v = _prepare(v, create_graph, need_graph=False)
    _check_v(v, inputs, in_tuple)
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(*inputs), v^T J)``: the outputs and the vector-Jacobian product at ``inputs``.

    Args:
        func (callable): takes the input Tensor(s), returns a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple of Tensor): where to evaluate.
        v (Tensor or tuple of Tensor, optional): the vector, shaped as the outputs; may be
            omitted for a one-element output.
        create_graph (bool): record the computation so the result can be differentiated.
            Default: False.
        strict (bool): raise if an output does not depend on an input (else zeros). Default:
            False.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.functional import vjp
        >>> x = ag.tensor([1.0, 2.0])
        >>> vjp(lambda t: t ** 2, x, ag.tensor([1.0, 1.0]))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs, "vjp", strict)
    if v is not None:
        _, v = _as_tuple(v, "v", "vjp")
        v = _prepare(v, create_graph, need_graph=False)
        _check_v(v, outputs, out_tuple)
    elif len(outputs) != 1 or outputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the user-provided function "
                           "returns a single Tensor with a single element.")
    with enable_grad():
        res = _grads(outputs, inputs, v, create_graph)
    res = _fill_in_zeros(res, inputs, strict, create_graph, "back")
    return _finish(outputs, out_tuple, create_graph), _finish(res, in_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(*inputs), J v)``: the outputs and the Jacobian-vector product at ``inputs``.

    Computed with two reverse passes (the double-backward trick): this engine has no forward
    mode.

    Args:
        func (callable): takes the input Tensor(s), returns a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple of Tensor): where to evaluate.
        v (Tensor or tuple of Tensor, optional): the vector, shaped as the inputs; may be
            omitted for a single one-element input.
        create_graph (bool): record the computation so the result can be differentiated.
            Default: False.
        strict (bool): raise if an output does not depend on an input (else zeros). Default:
            False.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.functional import jvp
        >>> x = ag.tensor([1.0, 2.0])
        >>> jvp(lambda t: t ** 2, x, ag.tensor([1.0, 0.0]))
        (tensor([1., 4.]), tensor([2., 0.]))
    """
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    early = False if callable(create_graph) else create_graph
    inputs = _prepare(inputs, early)
    v = _vector(v, inputs, in_tuple, early, "jvp")
    out_tuple, outputs = _call(func, inputs, "jvp", strict)
    create_graph = _decided(create_graph)
    # u -> J^T u is linear; the gradient of <J^T u, v> with respect to u is J v, at any u:
    # ones, as zeros would lose it where a rule treats a zero gradient specially (xlogy)
    dummies = tuple(own_leaf(Tensor._make(np.ones(o.shape, o.dtype), None, True)) for o in outputs)
    with enable_grad():
        gi = _grads(outputs, inputs, dummies, True)
        _check_requires_grad(gi, "grad_inputs", strict)
        with gradient_in_fresh_leaves(FORWARD_MODE[0]):  # func.jvp's (PyTorch's forward AD)
            res = _grads(gi, dummies, v, create_graph)
    res = _fill_in_zeros(res, outputs, strict, create_graph, "back_trick")
    return _finish(outputs, out_tuple, create_graph), _finish(res, out_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """Return the Jacobian of ``func`` at ``inputs``.

    For one input and one output, a Tensor of shape ``output.shape + input.shape``; a tuple over
    the inputs (or the outputs), or a tuple of tuples (outputs, then inputs) when both are
    tuples, as in PyTorch. One backward pass per output element.

    Args:
        func (callable): takes the input Tensor(s), returns a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple of Tensor): where to evaluate.
        create_graph (bool): record the computation so the result can be differentiated.
            Default: False.
        strict (bool): raise if an output does not depend on an input (else zeros). Default:
            False.
        vectorize (bool): accepted for PyTorch's signature (there is no vmap; rows are computed
            one by one).
        strategy (str): ``"reverse-mode"`` (the default) or ``"forward-mode"`` (PyTorch's: it
            needs ``vectorize=True`` and refuses ``strict`` and ``create_graph``; each block in
            its output's dtype). Both compute the same rows here, in reverse mode.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.functional import jacobian
        >>> jacobian(lambda t: t ** 2, ag.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ("reverse-mode", "forward-mode"):  # PyTorch's assert
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, "forward-mode" '
                             'tends to be more performant. Otherwise, prefer to use '
                             '"reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`strict=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-"
                                      "reverse Hessian isonly implemented for `vectorize=True`.")
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    # PyTorch's forward mode runs the function on the inputs themselves (no detached copies), so
    # the Jacobian of an output computed from an input that requires grad stays connected to it
    connect = strategy == "forward-mode" and any(t.requires_grad for t in inputs)
    inputs = _prepare(inputs, connect or (False if callable(create_graph) else create_graph))
    out_tuple, outputs = _call(func, inputs, "jacobian", strict)
    create_graph = connect or _decided(create_graph)
    watched = [t for t in inputs if connect and not t.is_leaf]  # the connected inputs
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    for o in outputs:  # PyTorch's refusal: rows of vjps are not a complex output's Jacobian
        if o._data.dtype.kind == "c":
            raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                               f"but got {o.dtype}")
    jac = []
    for i, o in enumerate(outputs):
        # forward mode: the blocks of an output that no input requiring grad reaches are
        # constants, as PyTorch's tangents of it
        ones = Tensor._make(np.ones(o.shape, o.dtype), None, False)
        keep = create_graph and not (connect and all(
            g is None for g in _grads([o], watched, [ones])))
        rows = [[] for _ in inputs]
        n = o.numel()
        for k in range(n):
            seed = np.zeros(n, o.dtype)
            seed[k] = 1
            seed = Tensor._make(seed.reshape(o.shape), None, False)
            with enable_grad():
                g = _grads([o], inputs, [seed], create_graph)
            for j, (gj, t) in enumerate(zip(g, inputs)):
                if gj is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of input "
                            f"{j}. This is not allowed in strict mode.")
                    gj = Tensor._make(np.zeros(t.shape, t.dtype), None, False)
                elif strict and create_graph and not gj.requires_grad:
                    raise RuntimeError(
                        f"The jacobian of the user-provided function is independent of input "
                        f"{i}. This is not allowed in strict mode when create_graph=True.")
                rows[j].append(gj)
        per_input = []
        for j, t in enumerate(inputs):
            if rows[j]:
                block = stack(rows[j]).reshape(tuple(o.shape) + tuple(t.shape))
            else:
                block = Tensor._make(np.zeros(tuple(o.shape) + tuple(t.shape), t.dtype), None,
                                     False)
            if strategy == "forward-mode" and block.dtype != o.dtype:
                block = block.to(o.dtype)  # forward mode's tangents are the output's
            per_input.append(block if keep else block.detach())
        jac.append(tuple(per_input) if in_tuple else per_input[0])
    return tuple(jac) if out_tuple else jac[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """Return the Hessian of the scalar function ``func`` at ``inputs``.

    Shape ``input.shape * 2`` for one input; a tuple of tuples (input i, input j) for several.

    Args:
        func (callable): takes the input Tensor(s), returns a one-element Tensor.
        inputs (Tensor or tuple of Tensor): where to evaluate.
        create_graph (bool): record the computation so the result can be differentiated.
            Default: False.
        strict (bool): raise if an output does not depend on an input (else zeros). Default:
            False.
        vectorize (bool): accepted for PyTorch's signature.
        outer_jacobian_strategy (str): ``"reverse-mode"`` or ``"forward-mode"`` (``jacobian``'s
            ``strategy``, with its conditions).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.functional import hessian
        >>> hessian(lambda t: (t ** 3).sum(), ag.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    in_tuple, inputs_t = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("reverse-mode", "forward-mode"):  # PyTorch's assert
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs):
        is_tuple, outs = _call(func, xs, "hessian", strict)
        return _single(outs, is_tuple, "hessian").reshape(())

    def jac_func(*xs):
        jac = jacobian(scalar_func, xs, create_graph=True)
        jac = jac if isinstance(jac, tuple) else (jac,)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs_t, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    if not in_tuple:
        return res[0][0] if isinstance(res[0], tuple) else res[0]
    return res


def _first_gradient(func, inputs, v, create_graph, strict, name):
    """``vhp``'s and ``hvp``'s first steps, as PyTorch's: the inputs and ``v`` checked, the
    scalar output, and its gradient recorded (``create_graph``) so it can be differentiated."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _prepare(inputs, create_graph)
    v = _vector(v, inputs, in_tuple, create_graph, name)
    out_tuple, outputs = _call(func, inputs, name, strict)
    out = _single(outputs, out_tuple, name)
    with enable_grad():
        jac = _grads([out], inputs, None, True)
    _check_requires_grad(jac, "jacobian", strict)
    return in_tuple, inputs, v, out, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(*inputs), v^T H)`` for the scalar function ``func``.

    Args:
        func (callable): takes the input Tensor(s), returns a one-element Tensor.
        inputs (Tensor or tuple of Tensor): where to evaluate.
        v (Tensor or tuple of Tensor): the vector, shaped as the inputs.
        create_graph (bool): record the computation so the result can be differentiated.
            Default: False.
        strict (bool): raise if an output does not depend on an input (else zeros). Default:
            False.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.functional import vhp
        >>> vhp(lambda t: (t ** 3).sum(), ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))
        (tensor(9.), tensor([ 6., 12.]))
    """
    in_tuple, inputs, v, out, jac = _first_gradient(func, inputs, v, create_graph, strict,
                                                    "vhp")
    with enable_grad():
        res = _grads(jac, inputs, v, create_graph)
    res = _fill_in_zeros(res, inputs, strict, create_graph, "double_back")
    return _finish((out,), False, create_graph), _finish(res, in_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(*inputs), H v)`` for the scalar function ``func``.

    Equal to ``vhp`` up to rounding, since the Hessian of a twice-differentiable function is
    symmetric.

    Args:
        func (callable): takes the input Tensor(s), returns a one-element Tensor.
        inputs (Tensor or tuple of Tensor): where to evaluate.
        v (Tensor or tuple of Tensor): the vector, shaped as the inputs.
        create_graph (bool): record the computation so the result can be differentiated.
            Default: False.
        strict (bool): raise if an output does not depend on an input (else zeros). Default:
            False.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.functional import hvp
        >>> hvp(lambda t: (t ** 3).sum(), ag.tensor([1.0, 2.0]), ag.tensor([1.0, 0.0]))
        (tensor(9.), tensor([6., 0.]))
    """
    in_tuple, inputs, v, out, jac = _first_gradient(func, inputs, v, create_graph, strict,
                                                    "hvp")
    with enable_grad():
        # the double-backward trick, as PyTorch's hvp: H v is the gradient in u of
        # <grad(jac, inputs, u), v>, at any u (ones, as jvp's)
        us = tuple(Tensor._make(np.ones(t.shape, t.dtype), None, True) for t in inputs)
        double_back = _grads(jac, inputs, us, True)
        _check_requires_grad(jac, "hessian", strict)
        res = _grads(double_back, us, v, create_graph)
    res = _fill_in_zeros(res, inputs, strict, create_graph, "double_back_trick")
    return _finish((out,), False, create_graph), _finish(res, in_tuple, create_graph)
