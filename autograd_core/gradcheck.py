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
        ...     print(str(e)[:44])
        gradcheck: Jacobian mismatch for output 0 el
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
        if t.dtype != np.float64:
            warnings.warn(
                f"gradcheck: input {i} is {t.dtype}, not float64; finite differences will be "
                "inaccurate",
                stacklevel=3,
            )
    return found


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
              nondet_tol: float = 0.0) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    Every input that requires grad is perturbed element by element by ``eps``; the analytical
    Jacobian (one backward per output element) must match the numerical one within
    ``atol + rtol * |numerical|``. Use float64 inputs: float32 (the default dtype of ``randn``)
    is too coarse for finite differences, and a warning says so.

    Args:
        fn (callable): takes the inputs, returns a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple): the arguments of ``fn``.
        eps (float): the perturbation. Default: 1e-6.
        atol (float): absolute tolerance. Default: 1e-5.
        rtol (float): relative tolerance. Default: 1e-3.
        raise_exception (bool): raise ``GradcheckError`` on a mismatch (naming the output, the
            input, the element and both values) instead of returning False. Default: True.
        nondet_tol (float): accepted for PyTorch's signature (backward is deterministic here).

    Returns:
        bool: True if the gradients match.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.randn(3, dtype=ag.float64, requires_grad=True)
        >>> ag.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
        True
    """
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff = _diff_inputs(inputs)
    if not diff:
        raise ValueError("gradcheck: no input requires grad")
    outputs = _outputs(fn, inputs)
    for oi, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        n_out = out._data.size
        # analytical: one backward per output element
        analytical = {i: np.zeros((t._data.size, n_out)) for i, t in diff}
        for k in range(n_out):
            seed = np.zeros(out.shape, dtype=out.dtype)
            seed.reshape(-1)[k] = 1.0
            grads = grad([out], [t for _, t in diff], grad_outputs=[seed], retain_graph=True,
                         allow_unused=True)
            for (i, t), g in zip(diff, grads):
                if g is not None:
                    analytical[i][:, k] = g._data.reshape(-1)
        # numerical: central differences per input element
        for i, t in diff:
            arr = t._data  # any layout: elements are perturbed by their index, in C order
            for j, where in enumerate(np.ndindex(arr.shape)):
                orig = arr[where]
                # writing through ._data is not recorded; fn runs with grad mode as it is,
                # because gradgradcheck's fn itself needs recording to compute its output
                try:
                    arr[where] = orig + eps
                    plus = _outputs(fn, inputs)[oi]._data.astype(np.float64).reshape(-1)
                    arr[where] = orig - eps
                    minus = _outputs(fn, inputs)[oi]._data.astype(np.float64).reshape(-1)
                finally:
                    arr[where] = orig
                numerical = (plus - minus) / (2 * eps)
                a = analytical[i][j]
                bad = np.abs(a - numerical) > atol + rtol * np.abs(numerical)
                bad |= np.isnan(a) != np.isnan(numerical)
                if bad.any():
                    k = int(np.argmax(bad))
                    elem = np.unravel_index(j, t.shape) if t.ndim else ()
                    oelem = np.unravel_index(k, out.shape) if out.ndim else ()
                    return _fail(
                        f"gradcheck: Jacobian mismatch for output {oi} element "
                        f"{tuple(int(e) for e in oelem)} with respect to input {i} element "
                        f"{tuple(int(e) for e in elem)}: analytical {a[k]!r}, numerical "
                        f"{numerical[k]!r} (atol={atol}, rtol={rtol})",
                        raise_exception,
                    )
    return True


def gradgradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any],
                  grad_outputs: Sequence[Tensor] | None = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0) -> bool:
    """Check second derivatives of ``fn`` at ``inputs`` against finite differences.

    It runs ``gradcheck`` on ``(inputs, v) -> grad(fn(inputs), inputs, v, create_graph=True)``
    with random ``v`` (the gradient with respect to ``v`` is checked too, as PyTorch does). Use
    float64 inputs.

    Args:
        fn (callable): takes the inputs, returns a Tensor or a tuple of Tensors.
        inputs (Tensor or tuple): the arguments of ``fn``.
        grad_outputs (sequence of Tensor, optional): the ``v``; drawn from ``seed`` if None.
        eps (float): the perturbation. Default: 1e-6.
        atol (float): absolute tolerance. Default: 1e-5.
        rtol (float): relative tolerance. Default: 1e-3.
        raise_exception (bool): raise ``GradcheckError`` on a mismatch. Default: True.
        seed (int): seeds the random ``v``. Default: 0.

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
    outputs = _outputs(fn, inputs)
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        grad_outputs = [
            Tensor(rng.standard_normal(o.shape).astype(np.float64), requires_grad=True)
            for o in outputs if o.requires_grad
        ]
    n_in = len(inputs)

    def first_order(*args: Any) -> tuple[Tensor, ...]:
        ins, vs = args[:n_in], args[n_in:]
        outs = [o for o in _outputs(fn, ins) if o.requires_grad]
        gs = grad(outs, [ins[i] for i in diff_idx], grad_outputs=list(vs), create_graph=True,
                  allow_unused=True)
        return tuple(g for g in gs if g is not None and g.requires_grad)

    return gradcheck(first_order, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
