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
        if t.dtype not in (np.float64, np.complex128):
            warnings.warn(
                f"gradcheck: input {i} is {t.dtype}, not float64; finite differences will be "
                "inaccurate",
                stacklevel=3,
            )
    return found


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


def gradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
              nondet_tol: float = 0.0) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    Every input that requires grad is perturbed element by element by ``eps``; the analytical
    Jacobian (one backward per output element) must match the numerical one within
    ``atol + rtol * |numerical|``. A complex input or output counts as its real and imaginary
    parts, each perturbed (and each seeded) on its own, as PyTorch's gradcheck does; the
    gradients follow PyTorch's convention (``dL/dRe + i dL/dIm`` of a real loss ``L``).
    Use float64 (or complex128) inputs: float32 (the default dtype of ``randn``)
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
        # A complex output or input counts as its real and imaginary parts (PyTorch's way):
        # component 2k is Re, 2k+1 Im. The seed i*e_k asks for the gradient of Im(w_k), and a
        # complex input's gradient holds the derivatives along Re (real part) and Im (imag).
        out_parts = 2 if out.dtype.kind == "c" else 1
        n_out = out._data.size * out_parts
        analytical = {i: np.zeros((t._data.size * _parts(t), n_out)) for i, t in diff}
        for k in range(n_out):
            seed = np.zeros(out.shape, dtype=out.dtype)
            seed.reshape(-1)[k // out_parts] = 1j if k % out_parts else 1.0
            grads = grad([out], [t for _, t in diff], grad_outputs=[seed], retain_graph=True,
                         allow_unused=True)
            for (i, t), g in zip(diff, grads):
                if g is not None:
                    analytical[i][:, k] = _components(g._data)
        # numerical: central differences per real component of each input element
        for i, t in diff:
            arr = t._data  # any layout: elements are perturbed by their index, in C order
            n_parts = _parts(t)
            for j in range(arr.size * n_parts):
                where = np.unravel_index(j // n_parts, arr.shape) if arr.ndim else ()
                step = eps * 1j if j % n_parts else eps
                orig = arr[where]
                # writing through ._data is not recorded; fn runs with grad mode as it is,
                # because gradgradcheck's fn itself needs recording to compute its output
                try:
                    arr[where] = orig + step
                    plus = _components(_outputs(fn, inputs)[oi]._data)
                    arr[where] = orig - step
                    minus = _components(_outputs(fn, inputs)[oi]._data)
                finally:
                    arr[where] = orig
                numerical = (plus - minus) / (2 * eps)
                a = analytical[i][j]
                bad = np.abs(a - numerical) > atol + rtol * np.abs(numerical)
                bad |= np.isnan(a) != np.isnan(numerical)
                if bad.any():
                    k = int(np.argmax(bad))
                    elem = tuple(int(e) for e in where)
                    oelem = np.unravel_index(k // out_parts, out.shape) if out.ndim else ()
                    return _fail(
                        f"gradcheck: Jacobian mismatch for output {oi} element "
                        f"{tuple(int(e) for e in oelem)}{_part_name(k, out_parts)} with respect "
                        f"to input {i} element {elem}{_part_name(j, n_parts)}: analytical "
                        f"{a[k]!r}, numerical {numerical[k]!r} (atol={atol}, rtol={rtol})",
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
            Tensor._wrap(rng.standard_normal(o.shape) + 1j * rng.standard_normal(o.shape)
                   if o.dtype.kind == "c" else rng.standard_normal(o.shape).astype(np.float64),
                   requires_grad=True)
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
