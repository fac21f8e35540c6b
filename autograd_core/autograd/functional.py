"""``autograd_core.autograd.functional``, as ``torch.autograd.functional``: derivatives of a
function given as a Python callable — ``vjp``, ``jvp``, ``vhp``, ``hvp``, ``jacobian`` and
``hessian``, with PyTorch's names, signatures and result structure.

``inputs`` is a Tensor or a tuple of Tensors; results mirror it (a Tensor for a Tensor, a
tuple for a tuple). Everything is computed in reverse mode: ``jvp`` and ``hvp`` use the
double-backward trick (the vjp is linear in its vector, so differentiating it once more gives
the forward product). ``vectorize`` and the ``strategy`` arguments are accepted and ignored
(PyTorch documents them as performance options); ``strategy="forward-mode"`` is refused, since
this engine has no forward mode.
"""

from __future__ import annotations

import numpy as np

from autograd_core.autograd import grad as _grad
from autograd_core.grad_mode import enable_grad
from autograd_core.ops.shape import stack
from autograd_core.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(x, arg_name, fn_name):
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            where = f"{arg_name}[{i}]" if is_tuple else arg_name
            raise TypeError(
                f"The {where} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but the value at index {i} has type {type(t).__name__}."
            )
    return is_tuple, xs


def _prepare(inputs, create_graph):
    """Inputs as fresh leaves that require grad (connected to the originals when
    create_graph, so the result can be differentiated with respect to them)."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _check_v(v, outputs, fn_name, what):
    if len(v) != len(outputs):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(outputs)} but got {len(v)}.")
    for i, (vi, o) in enumerate(zip(v, outputs)):
        if tuple(vi.shape) != tuple(o.shape):
            raise RuntimeError(
                f"Mismatch in shape: {what}[{i}] has shape {list(o.shape)} but v[{i}] has "
                f"shape {list(vi.shape)} ({fn_name})."
            )


def _grad_or_zeros(outputs, inputs, grad_outputs, create_graph, strict, fn_name, stage):
    outs, gouts = [], []
    for o, g in zip(outputs, grad_outputs):
        if o.requires_grad:
            outs.append(o)
            gouts.append(g)
    if outs:
        res = _grad(outs, inputs, gouts, retain_graph=True, create_graph=create_graph,
                    allow_unused=True)
    else:
        res = (None,) * len(inputs)
    final = []
    for i, (r, t) in enumerate(zip(res, inputs)):
        if r is None:
            if strict:
                raise RuntimeError(
                    f"The {stage} for the user-provided function is independent of input {i}. "
                    f"This is not allowed in strict mode ({fn_name})."
                )
            r = Tensor._make(np.zeros(t.shape, t.dtype), None, False)
        final.append(r)
    return tuple(final)


def _finish(xs, is_tuple, create_graph):
    xs = tuple(x if create_graph else x.detach() for x in xs)
    return xs if is_tuple else xs[0]


def _call(func, inputs, fn_name):
    with enable_grad():
        out = func(*inputs)
    is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
    return is_tuple, outs


def _ones_if_scalar(v, outputs, fn_name):
    if v is not None:
        return v
    if len(outputs) != 1 or outputs[0].numel() != 1:
        raise RuntimeError(
            "The vector v can only be None if the user-provided function returns a single "
            f"Tensor with a single element ({fn_name})."
        )
    o = outputs[0]
    return (Tensor._make(np.ones(o.shape, o.dtype), None, False),)


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
    out_tuple, outputs = _call(func, inputs, "vjp")
    if v is not None:
        _, v = _as_tuple(v, "v", "vjp")
        _check_v(v, outputs, "vjp", "outputs")
    v = _ones_if_scalar(v, outputs, "vjp")
    res = _grad_or_zeros(outputs, inputs, v, create_graph, strict, "vjp", "output")
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
    _, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare(inputs, create_graph)
    if v is not None:
        _, v = _as_tuple(v, "v", "jvp")
        _check_v(v, inputs, "jvp", "inputs")
    elif len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           "function is a single Tensor with a single element (jvp).")
    else:
        v = (Tensor._make(np.ones(inputs[0].shape, inputs[0].dtype), None, False),)
    out_tuple, outputs = _call(func, inputs, "jvp")
    # u -> J^T u is linear; the gradient of <J^T u, v> with respect to u is J v, at any u:
    # ones, as zeros would lose it where a rule treats a zero gradient specially (xlogy)
    dummies = tuple(Tensor._make(np.ones(o.shape, o.dtype), None, True) for o in outputs)
    with enable_grad():
        gi = _grad_or_zeros(outputs, inputs, dummies, True, strict, "jvp", "output")
        gi_req = [(g, vi) for g, vi in zip(gi, v) if g.requires_grad]
        if gi_req:
            res = _grad([g for g, _ in gi_req], dummies, [vi for _, vi in gi_req],
                        retain_graph=True, create_graph=create_graph, allow_unused=True)
        else:
            res = (None,) * len(dummies)
    res = tuple(Tensor._make(np.zeros(o.shape, o.dtype), None, False) if r is None else r
                for r, o in zip(res, outputs))
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
        strategy (str): ``"reverse-mode"``; ``"forward-mode"`` raises (no forward mode).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.functional import jacobian
        >>> jacobian(lambda t: t ** 2, ag.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    if strategy == "forward-mode":
        raise NotImplementedError("jacobian: strategy='forward-mode' needs forward-mode AD, "
                                  "which this engine does not have; use 'reverse-mode'")
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs, "jacobian")
    for o in outputs:  # PyTorch's refusal: rows of vjps are not a complex output's Jacobian
        if o._data.dtype.kind == "c":
            raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                               f"but got {o.dtype}")
    jac = []
    for i, o in enumerate(outputs):
        rows = [[] for _ in inputs]
        n = o.numel()
        for k in range(n):
            seed = np.zeros(n, o.dtype)
            seed[k] = 1
            seed = Tensor._make(seed.reshape(o.shape), None, False)
            if o.requires_grad:
                g = _grad([o], inputs, [seed], retain_graph=True, create_graph=create_graph,
                          allow_unused=True)
            else:
                g = (None,) * len(inputs)
            for j, (gj, t) in enumerate(zip(g, inputs)):
                if gj is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of input "
                            f"{j}. This is not allowed in strict mode.")
                    gj = Tensor._make(np.zeros(t.shape, o.dtype), None, False)
                rows[j].append(gj)
        per_input = []
        for j, t in enumerate(inputs):
            if rows[j]:
                block = stack(rows[j]).reshape(tuple(o.shape) + tuple(t.shape))
            else:
                block = Tensor._make(np.zeros(tuple(o.shape) + tuple(t.shape), o.dtype), None,
                                     False)
            per_input.append(block if create_graph else block.detach())
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
        outer_jacobian_strategy (str): ``"reverse-mode"`` (the only one here).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.autograd.functional import hessian
        >>> hessian(lambda t: (t ** 3).sum(), ag.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    _, inputs_t = _as_tuple(inputs, "inputs", "hessian")
    in_tuple = isinstance(inputs, (tuple, list))

    def jac_func(*xs):
        is_tuple, outs = _call(func, xs, "hessian")
        if is_tuple or outs[0].numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor "
                               "containing a single element.")
        out = outs[0].reshape(())
        return _grad_or_zeros([out], xs, [None], True, strict, "hessian", "Jacobian")

    res = jacobian(jac_func, inputs_t, create_graph=create_graph, strict=strict,
                   strategy=outer_jacobian_strategy)
    if not in_tuple:
        return res[0][0] if isinstance(res[0], tuple) else res[0]
    return res


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
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


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
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn_name):
    in_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _prepare(inputs, create_graph)
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        _check_v(v, inputs, fn_name, "inputs")
    elif len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           f"function is a single Tensor with a single element ({fn_name}).")
    else:
        v = (Tensor._make(np.ones(inputs[0].shape, inputs[0].dtype), None, False),)
    out_tuple, outputs = _call(func, inputs, fn_name)
    if out_tuple or outputs[0].numel() != 1:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor "
                           "containing a single element.")
    out = outputs[0]
    with enable_grad():
        g = _grad_or_zeros([out], inputs, [None], True, strict, fn_name, "Jacobian")
        res = _grad_or_zeros(g, inputs, v, create_graph, strict, fn_name, "Hessian")
    return _finish((out,), False, create_graph), _finish(res, in_tuple, create_graph)
