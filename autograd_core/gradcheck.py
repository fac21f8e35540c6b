"""Finite-difference checks of the engine's gradients (central differences, float64).

``gradcheck`` compares the analytical Jacobian (one backward per output element) with the
numerical one (two forward evaluations per input element). ``gradgradcheck`` does the same for
the gradient function built with ``create_graph=True``, so it checks second derivatives.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from autograd_core.autograd import grad
from autograd_core.tensor import Tensor


class GradcheckError(RuntimeError):
    """The error ``gradcheck`` and ``gradgradcheck`` raise on a mismatch (a ``RuntimeError``).

    Example::

        >>> import autograd_core as ag
        >>> class WrongSquare(ag.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         return g * x  # should be 2 * x * g
        >>> x = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
        >>> try:
        ...     ag.gradcheck(WrongSquare.apply, (x,))
        ... except ag.GradcheckError as e:
        ...     print(str(e).splitlines()[0])
        Jacobian mismatch for output 0 with respect to input 0,
    """
    pass


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> tuple[Tensor, ...]:
    out = fn(*inputs)
    if isinstance(out, Tensor):
        return (out,)
    return tuple(o for o in out if isinstance(o, Tensor))


def _diff_inputs(inputs: Sequence[Any]) -> list[tuple[int, Tensor]]:
    found = [(i, t) for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    for i, t in found:
        if t.dtype not in (np.float64, np.complex128):
            warnings.warn(
                f"gradcheck: input {i} is {t.dtype}, not float64; finite differences will be "
                "inaccurate",
                stacklevel=3,
            )
    return found


def _functions_with_jvp(outputs: Sequence[Tensor]) -> list[str]:
    """The custom Functions in the graph of ``outputs`` that define a ``jvp``, by name."""
    from autograd_core.function import _FunctionNode
    from autograd_core.node import Node

    names, seen = set(), set()
    stack = [o.grad_fn for o in outputs if o.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        cls = getattr(node, "fn_cls", None) if isinstance(node, _FunctionNode) else None
        if cls is not None and getattr(cls, "jvp", None) is not None:
            names.add(cls.__name__)
        stack.extend(n for n in getattr(node, "next", None) or () if isinstance(n, Node))
    return sorted(names)


def _parts(t: Tensor) -> int:
    return 2 if t.dtype.kind == "c" else 1


def _components(arr: np.ndarray) -> np.ndarray:
    """The real components of ``arr``, flat: (Re, Im) pairs for a complex one."""
    if arr.dtype.kind == "c":
        return np.stack([arr.real, arr.imag], axis=-1).astype(np.float64).reshape(-1)
    return arr.astype(np.float64).reshape(-1)


def _part_name(k: int, parts: int) -> str:
    return "" if parts == 1 else (" (imaginary part)" if k % 2 else " (real part)")


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(func: Callable[..., Any], inputs: Tensor | Sequence[Any], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
              nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False,
              masked: bool | None = None) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against central finite differences.

    Every input that requires grad is perturbed element by element by ``eps``; the analytical
    Jacobian (one backward per output element) must match the numerical one within
    ``atol + rtol * |numerical|``. A complex input or output counts as its real and imaginary
    parts, each perturbed (and each seeded) on its own, as PyTorch's gradcheck does; the
    gradients follow PyTorch's convention (``dL/dRe + i dL/dIm`` of a real loss ``L``).
    Use float64 (or complex128) inputs: float32 (the default dtype of ``randn``)
    is too coarse for finite differences, and a warning says so.

    Args:
        func (callable): takes the inputs, returns a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple): the arguments of ``func``.
        eps (float): the perturbation. Default: 1e-6.
        atol (float): absolute tolerance. Default: 1e-5.
        rtol (float): relative tolerance. Default: 1e-3.
        raise_exception (bool): raise ``GradcheckError`` on a mismatch (PyTorch's message: the
            output, the input, both Jacobians, then the first element that differs) instead
            of returning False. Default: True.
        nondet_tol (float): accepted (backward is deterministic here). Default: 0.0.
        check_undefined_grad (bool): accepted; the engine hands a node zeros for outputs
            that received no gradient, so there are no undefined gradients to check.
        check_grad_dtypes (bool): also require each gradient to have its input's dtype.
        check_batched_grad (bool): also compute the gradients with ``is_grads_batched=True``
            (all seeds at once) and compare them with the ones computed one by one.
        check_batched_forward_grad (bool): accepted (no batched forward mode here).
        check_forward_ad (bool): also check forward-mode derivatives
            (``autograd.forward_ad``): the tangent of the output for each input element's
            unit tangent against the numerical Jacobian. Default: False.
        check_backward_ad (bool): check the backward-mode Jacobian. Default: True.
        fast_mode (bool): accepted; the full check runs (PyTorch's fast mode compares one
            random projection of the Jacobians, which the full check implies).
        masked (bool, optional): sparse masked semantics; only None/False.

    Returns:
        bool: True if the gradients match.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.randn(3, dtype=ag.float64, requires_grad=True)
        >>> ag.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
        True
        >>> ag.gradcheck(lambda t: t.exp(), (x,), check_forward_ad=True, check_batched_grad=True)
        True
    """
    if masked:
        raise NotImplementedError("gradcheck: masked=True (sparse masked semantics) is not "
                                  "supported")
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff = _diff_inputs(inputs)
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")
    outputs = _outputs(func, inputs)
    if check_forward_ad:
        for name in _functions_with_jvp(outputs):
            warnings.warn(
                f"gradcheck: check_forward_ad checks the forward-mode derivatives of {name} "
                f"computed from its backward; tapegrad's forward AD does not call its jvp "
                "staticmethod, so that jvp is not checked (see DIFFERENCES.md)", stacklevel=2)
    # The finite differences of every output, per input, computed once: each perturbation's
    # evaluation gives them all (gradgradcheck's function has one output per input, so
    # per output the same evaluations ran once for each)
    n_cols = [o._data.size * _parts(o) for o in outputs]
    numerical_of: dict[int, list[np.ndarray]] = {}

    def numerical_of_input(i: int, t: Tensor) -> list[np.ndarray]:
        got = numerical_of.get(i)
        if got is None:
            got = numerical_of[i] = _numerical(func, inputs, t, eps, n_cols)
        return got

    if not any(o.requires_grad for o in outputs):  # PyTorch's: no differentiable output, so
        for oi in range(len(outputs)):           # the numerical gradient must be zero
            if any(np.any(numerical_of_input(i, t)[oi]) for i, t in diff):
                return _fail("Numerical gradient for function expected to be zero",
                             raise_exception)
        return True
    for oi, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        # A complex output or input counts as its real and imaginary parts (PyTorch's way):
        # component 2k is Re, 2k+1 Im. The seed i*e_k asks for the gradient of Im(w_k), and a
        # complex input's gradient holds the derivatives along Re (real part) and Im (imag).
        out_parts = 2 if out.dtype.kind == "c" else 1
        seeds = np.zeros((out._data.size * out_parts,) + tuple(out.shape), dtype=out.dtype)
        flat = seeds.reshape(len(seeds), out._data.size)  # (seeds[k] of 0-d: a copy)
        for k in range(len(seeds)):
            flat[k, k // out_parts] = 1j if k % out_parts else 1.0
        analytical: dict[int, np.ndarray] = {}
        if check_backward_ad:
            analytical, msg = _analytical(out, oi, diff, seeds, check_grad_dtypes,
                                          check_batched_grad)
            if msg:
                return _fail(msg, raise_exception)
        for i, t in diff:
            numerical = numerical_of_input(i, t)[oi]
            checks = [("", analytical[i])] if check_backward_ad else []
            if check_forward_ad:
                checks.append((" computed with forward mode",
                               _forward(func, inputs, oi, i, t, len(seeds))))
            for how, computed in checks:
                bad = np.abs(computed - numerical) > atol + rtol * np.abs(numerical)
                bad |= np.isnan(computed) != np.isnan(numerical)
                if bad.any():
                    j, k = (int(e) for e in np.argwhere(bad)[0])
                    return _fail(_mismatch(how, oi, out, out_parts, i, t, j, k, numerical,
                                           computed, atol, rtol), raise_exception)
    return True


def _analytical(out: Tensor, oi: int, diff: list[tuple[int, Tensor]], seeds: np.ndarray,
                check_dtypes: bool, check_batched: bool) -> tuple[dict[int, np.ndarray], str | None]:
    """The backward Jacobian of ``out`` for each input (rows: the input's real components,
    columns: the output's), one backward per seed; or the message of a failed check."""
    n_out = len(seeds)
    analytical = {i: np.zeros((t._data.size * _parts(t), n_out)) for i, t in diff}
    for k in range(n_out):
        grads = grad([out], [t for _, t in diff], grad_outputs=[seeds[k]], retain_graph=True,
                     allow_unused=True)
        for (i, t), g in zip(diff, grads):
            if g is None:
                continue
            if check_dtypes and g.dtype != t.dtype:
                return analytical, "Gradient has dtype mismatch"
            analytical[i][:, k] = _components(g._data)
    if check_batched and n_out:
        batched = grad([out], [t for _, t in diff], grad_outputs=[Tensor._wrap(seeds)],
                       retain_graph=True, allow_unused=True, is_grads_batched=True)
        for (i, t), g in zip(diff, batched):
            one_by_one = analytical[i].T
            got = (np.zeros_like(one_by_one) if g is None else
                   np.stack([_components(row) for row in g._data.reshape(n_out, -1)]))
            if not np.allclose(got, one_by_one, rtol=1e-12, atol=1e-12, equal_nan=True):
                return analytical, (
                    f"For output {oi} and input {i}:\nWhile computing batched gradients "
                    f"(is_grads_batched=True), got a result that differs from the gradients "
                    f"computed one seed at a time:\nbatched:{got.T!r}\none by one:"
                    f"{one_by_one.T!r}")
    return analytical, None


def _numerical(fn: Callable[..., Any], inputs: Sequence[Any], t: Tensor, eps: float,
               n_cols: list[int]) -> list[np.ndarray]:
    """Central differences of each output (``n_cols[o]`` real components) per real component
    of each element of ``t``: one array per output, rows as ``_analytical``'s."""
    arr = t._data  # any layout: elements are perturbed by their index, in C order
    n_parts = _parts(t)
    n_out = len(n_cols)
    rows: list[list[np.ndarray]] = [[] for _ in range(n_out)]
    for j in range(arr.size * n_parts):
        where = np.unravel_index(j // n_parts, arr.shape) if arr.ndim else ()
        step = eps * 1j if j % n_parts else eps
        orig = arr[where]
        # writing through ._data is not recorded; fn runs with grad mode as it is, because
        # gradgradcheck's fn itself needs recording to compute its output
        try:
            arr[where] = orig + step
            outs = _outputs(fn, inputs)
            plus = [_components(outs[o]._data) for o in range(n_out)]
            arr[where] = orig - step
            outs = _outputs(fn, inputs)
            minus = [_components(outs[o]._data) for o in range(n_out)]
        finally:
            arr[where] = orig
        for o in range(n_out):
            rows[o].append((plus[o] - minus[o]) / (2 * eps))
    return [np.array(rows[o], dtype=np.float64).reshape(arr.size * n_parts, n_cols[o])
            for o in range(n_out)]


def _forward(fn: Callable[..., Any], inputs: Sequence[Any], oi: int, i: int, t: Tensor,
             n_cols: int) -> np.ndarray:
    """The forward-mode Jacobian: the output's tangent for a unit tangent on each real
    component of ``t``, rows as ``_numerical``'s."""
    from autograd_core.autograd import forward_ad

    n_parts = _parts(t)
    rows = []
    for j in range(t._data.size * n_parts):
        tangent = np.zeros(t.shape, t.dtype)
        tangent.reshape(-1)[j // n_parts] = 1j if j % n_parts else 1.0
        with forward_ad.dual_level():
            args = list(inputs)
            args[i] = forward_ad.make_dual(t, Tensor._wrap(tangent))
            out = _outputs(fn, args)[oi]
            tan = forward_ad.unpack_dual(out).tangent
            rows.append(np.zeros(out._data.size * (2 if out.dtype.kind == "c" else 1))
                        if tan is None else _components(tan._data))
    return np.array(rows, dtype=np.float64).reshape(t._data.size * n_parts, n_cols)


def _mismatch(how: str, oi: int, out: Tensor, out_parts: int, i: int, t: Tensor, j: int,
              k: int, numerical: np.ndarray, computed: np.ndarray, atol: float,
              rtol: float) -> str:
    """PyTorch's message (both Jacobians, rows: the input's elements), then where they first
    differ."""
    n_parts = _parts(t)
    elem = tuple(int(e) for e in np.unravel_index(j // n_parts, t.shape)) if t.ndim else ()
    oelem = (tuple(int(e) for e in np.unravel_index(k // out_parts, out.shape)) if out.ndim
             else ())
    return (f"Jacobian{how} mismatch for output {oi} with respect to input {i},\n"
            f"numerical:{Tensor._wrap(numerical)!r}\nanalytical:{Tensor._wrap(computed)!r}\n"
            f"The first difference: output {oi} element {oelem}{_part_name(k, out_parts)}, "
            f"input {i} element {elem}{_part_name(j, n_parts)}: analytical {computed[j, k]!r}, "
            f"numerical {numerical[j, k]!r} (atol={atol}, rtol={rtol})")


def gradgradcheck(func: Callable[..., Any], inputs: Tensor | Sequence[Any],
                  grad_outputs: Sequence[Tensor] | None = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False, seed: int = 0) -> bool:
    """Check second derivatives of ``func`` at ``inputs`` against finite differences.

    It runs ``gradcheck`` on ``(inputs, v) -> grad(func(inputs), inputs, v, create_graph=True)``
    with random ``v`` (the gradient with respect to ``v`` is checked too, as PyTorch does). Use
    float64 inputs.

    Args:
        func (callable): takes the inputs, returns a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple): the arguments of ``func``.
        grad_outputs (sequence of Tensor, optional): the ``v``; drawn from ``seed`` if None.
        eps (float): the perturbation. Default: 1e-6.
        atol (float): absolute tolerance. Default: 1e-5.
        rtol (float): relative tolerance. Default: 1e-3.
        gen_non_contig_grad_outputs (bool): the drawn ``v`` are non-contiguous views.
        raise_exception (bool): raise ``GradcheckError`` on a mismatch. Default: True.
        nondet_tol, check_undefined_grad, check_grad_dtypes, check_batched_grad, fast_mode,
            masked: as ``gradcheck``'s, for the check of the first derivatives.
        check_fwd_over_rev (bool): also check forward-mode derivatives of the gradient.
        check_rev_over_rev (bool): check its backward-mode derivatives. Default: True.
        seed (int): seeds the random ``v`` (an addition to PyTorch's). Default: 0.

    Returns:
        bool: True if the second derivatives match.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.tensor([0.5, 1.5], dtype=ag.float64, requires_grad=True)
        >>> ag.gradgradcheck(lambda t: (t.exp() * t).sum(), (x,))
        True
    """
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outputs = _outputs(func, inputs)
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        def draw(shape: tuple, complex_: bool) -> np.ndarray:
            v = rng.standard_normal(shape)
            v = v + 1j * rng.standard_normal(shape) if complex_ else v
            if gen_non_contig_grad_outputs and v.ndim:  # every other element of a wider array
                wide = np.zeros(v.shape[:-1] + (2 * v.shape[-1],), v.dtype)
                wide[..., ::2] = v
                v = wide[..., ::2]
            return v

        grad_outputs = [Tensor._wrap(draw(tuple(o.shape), o.dtype.kind == "c"),
                                     requires_grad=True)
                        for o in outputs if o.requires_grad]
    n_in = len(inputs)

    def first_order(*args: Any) -> tuple[Tensor, ...]:
        ins, vs = args[:n_in], args[n_in:]
        outs = [o for o in _outputs(func, ins) if o.requires_grad]
        gs = grad(outs, [ins[i] for i in diff_idx], grad_outputs=list(vs), create_graph=True,
                  allow_unused=True)
        return tuple(g for g in gs if g is not None and g.requires_grad)

    return gradcheck(first_order, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     check_forward_ad=check_fwd_over_rev, check_backward_ad=check_rev_over_rev,
                     fast_mode=fast_mode, masked=masked)
