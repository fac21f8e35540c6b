"""Triangular and Cholesky solves (``linalg.solve_triangular``, ``cholesky_solve``,
``cholesky_inverse``) and the rank-one and batch-summed products ``addr``, ``addbmm``, with
PyTorch's gradients; ``adjoint`` and ``chain_matmul``."""

from __future__ import annotations

import builtins
import warnings
from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from autograd_core.node import Node
from autograd_core.ops import _xp as xp
from autograd_core.ops._args import c_type, torch_name as _tname
from autograd_core.ops.binary import where
from autograd_core.ops.linalg import (_BLAS_REAL, _as2d, bmm, check_added_dtypes, matmul,
                                      scaled_sum)
from autograd_core.ops.matrix import _check, _mT, _spd, _sq, qr as _linalg_qr
from autograd_core.ops.reduce import Norm
from autograd_core.ops.registry import Sample, op, refuse_capture, warn_caller
from autograd_core.ops.shape import cat as _cat, transpose
from autograd_core.tensor import Tensor, note_complex


_WARNED: set = set()


def _deprecated(name: str, message: str) -> None:
    """PyTorch's deprecation warning for ``name``, once per process (its ``TORCH_WARN_ONCE``)."""
    if name not in _WARNED:
        _WARNED.add(name)
        warn_caller(message)


def _quiet(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` without its deprecation warning: a deprecated op's sample (the
    generic tests check that a step warns nothing; the PyTorch-parity ones swap ``fn`` for
    PyTorch's of the same name)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _trsolve(a, b, upper, unit):
    """``A^-1 B`` for triangular ``A`` (only its triangle read) by substitution, row by row
    over broadcast batches; a zero diagonal gives inf/NaN, as LAPACK's ``trsm`` (no check)."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    x = np.array(np.broadcast_to(b, batch + b.shape[-2:]), dtype=np.result_type(a, b))
    n = a.shape[-1]
    for i in (range(n - 1, -1, -1) if upper else range(n)):
        done = slice(i + 1, n) if upper else slice(0, i)
        row = x[..., i, :] - np.matmul(a[..., i:i + 1, done], x[..., done, :])[..., 0, :]
        x[..., i, :] = row if unit else row / a[..., i, i, None]
    return x


def _triangle(m, upper, unit):
    """The triangle of ``m`` (array or Tensor) a triangular solve reads."""
    k = int(bool(unit))
    if isinstance(m, Tensor):
        return m.triu(k) if upper else m.tril(-k)
    return np.triu(m, k) if upper else np.tril(m, -k)


class LinalgSolveTriangular(Node):
    """``X = A^-1 B`` (left) or ``B A^-1`` with ``A`` triangular; PyTorch's gradient:
    ``gB = A^-H g`` (the transposed solve), ``gA = -gB X^H`` (left) or ``-X^H gB``, restricted
    to the triangle that was read (the strict one when ``unitriangular``)."""

    def forward(self, a, b, upper, left, unit):
        self.save_for_backward(a, b)
        self.upper, self.left, self.unit = upper, left, unit
        return _solve_tri(a, b, upper, left, unit)

    def backward(self, g):
        a, b = self.saved
        upper, left, unit = self.upper, self.left, self.unit
        gb = _solve_tri(_mT(a), g, not upper, left, unit)
        ga = None
        if self.needs_input_grad[0]:
            x = _solve_tri(a, b, upper, left, unit)
            ga = -(xp.matmul(gb, _mT(x)) if left else xp.matmul(_mT(x), gb))
            ga = _triangle(ga, upper, unit)
        return ga, gb


def _solve_tri(a, b, upper, left, unit):
    """The solve on arrays, or recorded when an argument is a Tensor (create_graph)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return LinalgSolveTriangular.apply(a, b, upper, left, unit)
    if left:
        return _trsolve(a, b, upper, unit)
    return np.swapaxes(_trsolve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), not upper,
                                unit), -1, -2)


def pivot_permutation(pivots, m, dtype):
    """The permutation matrices ``P`` (``A = P L U``) of LAPACK's 1-based row swaps
    ``pivots`` (``(*, k)``), as ``(*, m, m)`` arrays of ``dtype``."""
    batch = np.shape(pivots)[:-1]  # (-1 would be ambiguous with no pivots)
    piv = np.asarray(pivots, dtype=np.int64).reshape((int(np.prod(batch)), np.shape(pivots)[-1]))
    P = np.zeros((piv.shape[0], m, m), dtype=dtype)
    for b, row in enumerate(piv):
        perm = list(range(m))
        for i, p in enumerate(row):
            perm[i], perm[p - 1] = perm[p - 1], perm[i]
        P[b, perm, range(m)] = 1
    return P.reshape(tuple(batch) + (m, m))


def _tril(x, k=0):
    return x.tril(k) if isinstance(x, Tensor) else np.tril(x, k)


def _triu(x, k=0):
    return x.triu(k) if isinstance(x, Tensor) else np.triu(x, k)


def _join(parts, dim):
    if any(isinstance(p, Tensor) for p in parts):
        return _cat(list(parts), dim)
    return np.concatenate(parts, axis=dim)


def _lu_grad(L, U, gL, gU):
    """The gradient of ``B = L U`` (``L`` unit lower ``m x k``, ``U`` upper ``k x n``) from
    those of its factors (``gL`` strictly lower, ``gU`` upper). Square: ``dB = dL U + L dU``
    gives ``L^-1 dB U^-1 = L^-1 dL + dU U^-1``, a strictly lower plus an upper part, so
    ``gB = L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T``. Wide (``U = [U1 U2]``): ``U2 =
    L^-1 B2`` adds ``-gU2 U2^T`` to the lower part and ``gB2 = L^-T gU2``. Tall (``L = [L1;
    L2]``): ``L2 = B2 U^-1`` adds ``-L2^T gL2`` to the upper part and ``gB2 = gL2 U^-T``.
    Arrays, or Tensors under create_graph (then recorded, differentiable again)."""
    m, k, n = L.shape[-2], L.shape[-1], U.shape[-1]

    def below(x):  # L1^-T x: L1^T is unit upper
        return _solve_tri(_mT(L[..., :k, :]), x, True, True, True)

    def right(x):  # x U1^-T: U1^T is lower
        return _solve_tri(_mT(U[..., :, :k]), x, False, False, False)

    if m < n:
        u2, g2 = U[..., :, k:], gU[..., :, k:]
        inner = _tril(xp.matmul(_mT(L), gL) - xp.matmul(g2, _mT(u2)), -1) + _triu(
            xp.matmul(gU[..., :, :k], _mT(U[..., :, :k])))
        return _join([below(right(inner)), below(g2)], -1)
    if m > n:
        l2, g2 = L[..., k:, :], gL[..., k:, :]
        inner = _tril(xp.matmul(_mT(L[..., :k, :]), gL[..., :k, :]), -1) + _triu(
            xp.matmul(gU, _mT(U)) - xp.matmul(_mT(l2), g2))
        return _join([below(right(inner)), right(g2)], -2)
    inner = _tril(xp.matmul(_mT(L), gL), -1) + _triu(xp.matmul(gU, _mT(U)))
    return below(right(inner))


class LinalgLuFactor(Node):
    """The packed LU factors of ``A = P L U`` (partial pivoting; computed by the caller, who
    also needs the pivots): the gradient of ``A`` from that of the packed ``LU`` (its strict
    lower part is ``L``'s, the rest ``U``'s), ``gA = P _lu_grad(...)``, PyTorch's."""

    _grad_fn = "LinalgLuFactorExBackward0"

    def forward(self, a, lu, pivots):
        self.perm = pivot_permutation(pivots, a.shape[-2], lu.dtype)
        self.save_for_backward(lu)
        return lu

    def backward(self, g):
        (lu,) = self.saved
        m, n = lu.shape[-2], lu.shape[-1]
        k = min(m, n)
        L = _tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=self.perm.dtype)
        U = _triu(lu[..., :k, :])
        gb = _lu_grad(L, U, _tril(g[..., :, :k], -1), _triu(g[..., :k, :]))
        return xp.matmul(self.perm, gb), None, None


def _tri_sample(upper, left, unit):
    def fn(a, b):
        m = _sq(a)
        rhs = _as2d(b)[: m.shape[0]]
        return solve_triangular(m, rhs.mT if not left else rhs, upper=upper, left=left,
                                unitriangular=unit)
    return Sample(f"solve_triangular_{'U' if upper else 'L'}{'l' if left else 'r'}"
                  f"{'u' if unit else ''}", fn, 2, shapes=((3, 3), (3, 2)))


@op("linalg.solve_triangular", function=False, samples=[
    _tri_sample(False, True, False), _tri_sample(True, True, False),
    _tri_sample(True, False, False), _tri_sample(False, False, True)])
def solve_triangular(A: Tensor, B: Tensor, *, upper: builtins.bool,
                     left: builtins.bool = True,
                     unitriangular: builtins.bool = False) -> Tensor:
    """Return the solution ``X`` of ``A X = B`` (``X A = B`` with ``left=False``) for a
    triangular ``A``, as ``torch.linalg.solve_triangular``.

    Only the triangle of ``A`` that ``upper`` names is read (its diagonal taken as ones with
    ``unitriangular=True``); batch dimensions broadcast. A zero on the diagonal is not checked:
    the result holds inf or NaN, as PyTorch's.

    Args:
        A (Tensor): ``(*, n, n)`` triangular matrices.
        B (Tensor): ``(*, n, k)`` right-hand sides (``(*, k, n)`` with ``left=False``).
        upper (bool): ``A`` is upper (True) or lower (False) triangular; required.
        left (bool): solve ``A X = B`` (True) or ``X A = B``. Default: True.
        unitriangular (bool): take ``A``'s diagonal as ones. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[2.0, 1.0], [0.0, 4.0]])
        >>> ag.linalg.solve_triangular(A, ag.tensor([[4.0], [8.0]]), upper=True)
        tensor([[1.],
                [2.]])
    """
    name = "linalg.solve_triangular"
    _check(A, name)
    if not isinstance(B, Tensor):
        raise TypeError(f"{name}(): argument 'B' (position 2) must be Tensor, not "
                        f"{type(B).__name__}")
    if B.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    n = A.shape[-1]
    rows, cols = B.shape[-2], B.shape[-1]
    if (rows if left else cols) != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX' if left else 'XA'} = B ({n}x{n} and {rows}x{cols})")
    _batches(B, A)  # PyTorch names B first
    dtype = np.result_type(A._data, B._data)
    if dtype.kind != "f":
        raise NotImplementedError(f'"triangular_solve_cpu" not implemented for '
                                  f"'{_tname(dtype)}'")
    A, B = (t if t._data.dtype == dtype else t.to(dtype.name) for t in (A, B))
    return LinalgSolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


def _batches(A, B):
    """PyTorch's error for batch dimensions that do not broadcast."""
    sa, sb = tuple(A.shape[:-2]), tuple(B.shape[:-2])
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and 1 not in (sa[-i], sb[-i]):
            raise RuntimeError(f"The size of tensor a ({sa[-i]}) must match the size of tensor "
                               f"b ({sb[-i]}) at non-singleton dimension "
                               f"{max(len(sa), len(sb)) - i}")


# ---- Cholesky solve and inverse ------------------------------------------------------------
class CholeskySolve(Node):
    """``X = (L L^T)^-1 B`` (``U^T U`` with ``upper``), two triangular solves; PyTorch's
    gradient, which treats the factor as a full matrix: ``gB = (L L^T)^-1 g``,
    ``gL = -(gB X^T + X gB^T) L`` (``-U (...)`` with ``upper``)."""

    def forward(self, b, factor, upper):
        self.save_for_backward(b, factor)
        self.upper = upper
        return _cholesky_solve(b, factor, upper)

    def backward(self, g):
        b, factor = self.saved
        upper = self.upper
        gb = _cholesky_solve(g, factor, upper)
        gf = None
        if self.needs_input_grad[1]:
            x = _cholesky_solve(b, factor, upper)
            c = xp.matmul(gb, _mT(x))
            c = c + _mT(c)
            gf = -(xp.matmul(factor, c) if upper else xp.matmul(c, factor))
        return gb, gf


def _cholesky_solve(b, factor, upper):
    if isinstance(b, Tensor) or isinstance(factor, Tensor):
        return CholeskySolve.apply(b, factor, upper)
    lower = np.swapaxes(factor, -1, -2) if upper else factor
    y = _trsolve(lower, b, False, False)
    return _trsolve(np.swapaxes(lower, -1, -2), y, True, False)


def _spd_factor(t):
    return _spd(t).cholesky()



def _check_b_and_A(name: str, b: Tensor, A: Tensor) -> None:
    """PyTorch's checks of the legacy solvers' ``(b, A)`` pair, in its words: one dtype, ``A``
    square matrices (``_check``), ``b``'s rows as many as ``A``'s."""
    if b.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_tname(b.dtype)} and A of type {_tname(A.dtype)} instead.")
    _check(A, name)
    n = A.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is {n} by {n} "
                           f"but each b matrix is {b.shape[-2]} by {b.shape[-1]}")

@op("cholesky_solve", method=True, samples=[
    Sample("cholesky_solve", lambda b, a: cholesky_solve(
        _as2d(b).T, _spd_factor(a)), 2, shapes=((4, 3), (4, 3))),
    Sample("cholesky_solve_upper", lambda b, a: cholesky_solve(
        _as2d(b).T, _spd_factor(a).mT, upper=True), 2,
        shapes=((4, 3), (4, 3)))])
def cholesky_solve(input: Tensor, input2: Tensor, upper: builtins.bool = False) -> Tensor:
    """Return ``X`` with ``A X = B`` given ``A``'s Cholesky factor: ``A = L L^T`` (``U^T U``
    with ``upper=True``), as ``torch.cholesky_solve``.

    Only the factor's triangle is read; batch dimensions broadcast. The gradient with respect
    to the factor is PyTorch's, which treats it as a full matrix.

    Args:
        input (Tensor): ``B``, ``(*, n, k)`` right-hand sides.
        input2 (Tensor): the factor, ``(*, n, n)`` triangular matrices.
        upper (bool): the factor is upper triangular. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> L = ag.tensor([[2.0, 0.0], [1.0, 1.0]])  # A = [[4, 2], [2, 2]]
        >>> ag.cholesky_solve(ag.tensor([[6.0], [4.0]]), L)
        tensor([[1.],
                [1.]])
    """
    if not isinstance(input, Tensor) or not isinstance(input2, Tensor):
        raise TypeError("cholesky_solve(): arguments 'input' and 'input2' must be Tensors")
    if input.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {input.ndim} "
                           f"dimensions instead")
    if input2.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {input2.ndim} "
                           f"dimensions instead")
    _check_b_and_A("cholesky_solve", input, input2)
    _batches(input, input2)
    return CholeskySolve.apply(input, input2, bool(upper))


@op("cholesky_inverse", method=True, samples=[
    Sample("cholesky_inverse", lambda a: cholesky_inverse(_spd_factor(a))),
    Sample("cholesky_inverse_upper", lambda a: cholesky_inverse(_spd_factor(a).mT, True))])
def cholesky_inverse(input: Tensor, upper: builtins.bool = False) -> Tensor:
    """Return ``A^-1`` given ``A``'s Cholesky factor (``A = L L^T``, or ``U^T U`` with
    ``upper=True``), as ``torch.cholesky_inverse``.

    Args:
        input (Tensor): the factor, ``(*, n, n)`` triangular matrices.
        upper (bool): the factor is upper triangular. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.cholesky_inverse(ag.tensor([[2.0, 0.0], [0.0, 0.5]]))
        tensor([[0.2500, 0.0000],
                [0.0000, 4.0000]])
    """
    _check(input, "cholesky_inverse")
    eye = xp.constant(np.broadcast_to(np.eye(input.shape[-1], dtype=input._data.dtype),
                                      tuple(input.shape)).copy())
    return CholeskySolve.apply(eye, input, bool(upper))


# ---- products --------------------------------------------------------------------------------
def _vector_arg(name, arg, t):
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(t).__name__}")
    if t.ndim != 1:
        raise RuntimeError(f"{name}: Expected 1-D argument {arg}, but got {t.ndim}-D")


def _added(name, input, product, beta, alpha, fused=None):
    """``beta * input + alpha * product`` with PyTorch's rules (``input`` broadcast to the
    product's shape, ignored, NaN included, when ``beta`` is 0; ``fused`` as
    ``linalg.scaled_sum``'s)."""
    _check_added_shape(input, tuple(product.shape))
    return scaled_sum(input, product, beta, alpha, fused)


def _check_added_shape(input, target):
    """PyTorch's error for an ``input`` that does not broadcast to ``target``; its shape."""
    shape = tuple(np.shape(input._data if isinstance(input, Tensor) else input))
    for i in range(1, len(shape) + 1):
        if i > len(target) or shape[-i] not in (1, target[-i]):
            raise RuntimeError(
                f"The expanded size of the tensor ({target[-i] if i <= len(target) else -1}) "
                f"must match the existing size ({shape[-i]}) at non-singleton dimension "
                f"{len(target) - i}.  Target sizes: {list(target)}.  Tensor sizes: "
                f"{list(shape)}")
    return shape


# ATen's vectorised loop takes two vectors per step, and on x86 addr runs its AVX2 kernel (32-byte
# vectors) on AVX-512 CPUs too (its dispatch stub has no AVX-512 entry): 64 bytes on both kinds
_VECTOR_BYTES = 64


def _addr_real(input, vec1, vec2, beta, alpha):
    """float32/float64 ``addr`` rounded as ATen's CPU kernel (``beta * input + alpha * vec1 *
    vec2``): along each row, whole steps of ``_VECTOR_BYTES`` (two AVX2 vectors) take
    ``fma(alpha * vec1, vec2, beta * input)`` (when ``input`` and ``vec2`` are contiguous
    along the row), the remaining columns its scalar code,
    ``fma(beta, input, alpha * vec1 * vec2)``; with ``beta = 0``, ``alpha * vec1 * vec2``.
    The same on AVX2 and AVX-512 CPUs (PyTorch runs its AVX2 kernel on both)."""
    n, m = vec1.shape[0], vec2.shape[0]
    shape = _check_added_shape(input, (n, m))
    scaled_vec1 = (vec1 * alpha if alpha != 1 else vec1).unsqueeze(-1)
    if beta == 0:
        return scaled_vec1 * vec2
    size = input._data.itemsize
    strides = (0,) * (2 - len(shape)) + tuple(
        st if dim > 1 else 0 for st, dim in zip(input._data.strides, shape))
    # the loop runs along input's most contiguous dimension (rows when it is stored by
    # columns), vectorised when input and the vector along that dimension are contiguous
    by_columns = 0 < strides[0] < strides[1]
    contiguous = (strides[0] if by_columns else strides[1]) == size and (
        vec1 if by_columns else vec2)._data.strides[0] == size
    length = n if by_columns else m
    whole = length - length % (_VECTOR_BYTES // size) if contiguous else 0
    full = input.expand(n, m)
    cut = (slice(None, whole), slice(whole, None))
    pieces = [(full[k, :], scaled_vec1[k, :], vec2) if by_columns else
              (full[:, k], scaled_vec1, vec2[k]) for k in cut]
    parts = []
    if whole:
        c, a, b = pieces[0]
        parts.append((c * beta if beta != 1 else c).addcmul(a, b))
    if whole < length or not whole:  # (an empty result too)
        c, a, b = pieces[1]
        parts.append((a * b).add(c, alpha=beta) if beta != 1 else a * b + c)
    return parts[0] if len(parts) == 1 else _cat(parts, 0 if by_columns else -1)


@op("addr", method=True, samples=[
    # PyTorch's call as written (no helper): the parity tests compare it with torch.addr
    Sample("addr", lambda c, a, b: addr(c.reshape(-1, 1) * c.reshape(1, -1), a.reshape(-1),
                                        b.reshape(-1), beta=0.5, alpha=2.0), 3)])
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """Return ``beta * input + alpha * outer(vec1, vec2)``, as ``torch.addr``.

    ``input`` broadcasts to the ``(n, m)`` outer product; with ``beta=0`` it is ignored (a NaN
    in it does not spread).

    Args:
        input (Tensor): the matrix added.
        vec1 (Tensor): an ``(n,)`` vector.
        vec2 (Tensor): an ``(m,)`` vector.
        beta (number): the multiplier of ``input``. Default: 1.
        alpha (number): the multiplier of the outer product. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.addr(ag.zeros(2, 2), ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]), beta=0.5)
        tensor([[3., 4.],
                [6., 8.]])
    """
    _vector_arg("addr", "vec1", vec1)
    _vector_arg("addr", "vec2", vec2)
    if input.dtype.kind in "biu":  # PyTorch's scalar checks for integral and bool results
        for arg, value in (("beta", beta), ("alpha", alpha)):
            if isinstance(value, builtins.float):
                raise RuntimeError(f"For integral input tensors, argument {arg} must not be a "
                                   f"floating point number.")
        if input.dtype.kind != "b" and isinstance(alpha, builtins.bool):
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if (isinstance(input, Tensor) and input._data.dtype in _BLAS_REAL
            and vec1._data.dtype == vec2._data.dtype == input._data.dtype):
        return _addr_real(input, vec1, vec2, beta, alpha)
    outer = vec1.unsqueeze(-1) * vec2
    if input.dtype.kind == "b" and outer.dtype.kind == "b":  # PyTorch's bool result:
        kept = _added("addr", input, outer if alpha else outer & False, 0, 1)  # (alpha and
        return kept | input if beta else kept  # outer) or (beta and input)
    return _added("addr", input, outer, beta, alpha)


@op("addbmm", method=True, samples=[
    Sample("addbmm", lambda c, a, b: addbmm(_as2d(c) @ _as2d(c).T, _as2d(a).unsqueeze(0),
                                            _as2d(b).T.unsqueeze(0), beta=0.5, alpha=2.0),
           3, shapes=((3, 4), (3, 4), (3, 4)))])
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
           alpha: Any = 1) -> Tensor:
    """Return ``beta * input + alpha * sum_i batch1[i] @ batch2[i]``, as ``torch.addbmm``.

    Args:
        input (Tensor): the matrix added (broadcast to ``(n, p)``).
        batch1 (Tensor): ``(b, n, m)`` matrices.
        batch2 (Tensor): ``(b, m, p)`` matrices.
        beta (number): the multiplier of ``input``. Default: 1.
        alpha (number): the multiplier of the summed products. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.addbmm(ag.ones(2, 2), ag.ones(3, 2, 1), ag.ones(3, 1, 2))
        tensor([[4., 4.],
                [4., 4.]])
    """
    for arg, t in (("batch1", batch1), ("batch2", batch2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"addbmm(): argument '{arg}' must be Tensor, not {type(t).__name__}")
        if t.ndim != 3:
            raise RuntimeError(f"{arg} must be a 3D tensor")
    check_added_dtypes(input, batch1, batch2)
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{batch1.shape[0]} and {batch2.shape[0]}")
    if batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x"
                           f"{batch1.shape[2]} and {batch2.shape[1]}x{batch2.shape[2]})")
    products = bmm(batch1, batch2)
    if not products.shape[0]:
        return _added("addbmm", input, products.sum(0), beta, alpha)
    # PyTorch's: one addmm per matrix into the result (beta on the first only), so each
    # product is scaled and added in turn, in the result's dtype
    out = _added("addbmm", input, products[0], beta, alpha, "input")
    for k in range(1, products.shape[0]):
        out = out + (products[k] * alpha if alpha != 1 else products[k])
    return out


@op("adjoint", method=True, samples=[
    Sample("adjoint", lambda a: adjoint(a), min_ndim=2)])
def adjoint(input: Tensor) -> Tensor:
    """Return the conjugate transpose of the last two dimensions, as ``torch.adjoint``
    (``x.mT`` for a real tensor; ``x.mT.conj()`` for a complex one).

    Args:
        input (Tensor): a tensor of at least 2 dimensions.

    Example::

        >>> import autograd_core as ag
        >>> ag.adjoint(ag.tensor([[1 + 1j, 2.0]]))
        tensor([[1.-1.j],
                [2.-0.j]])
    """
    if input.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {input.ndim}-D tensor.")
    t = input.mT
    return t.conj() if input.dtype.kind == "c" else t


def tensor_H(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The conjugate transpose of a matrix (``Tensor.H``: ``x.T``, conjugated when complex);
    0-d and 1-d as PyTorch (a 0-d tensor is returned conjugated, with its warning).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.ops.linalg_solvers import tensor_H
        >>> tensor_H(ag.tensor([[1 + 1j, 2.0]]))
        tensor([[1.-1.j],
                [2.-0.j]])
    """
    if self.ndim == 0:
        warn_caller("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().")
        return self.conj() if self.dtype.kind == "c" else self
    if self.ndim != 2:
        hint = " For batches of matrices, consider using tensor.mH" if self.ndim > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self.ndim}-D tensor.{hint}")
    return adjoint(self)


def tensor_mT(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The last two dimensions swapped (``Tensor.mT``, a view; batched matrix transpose); a 0-d
    tensor is its own, with PyTorch's deprecation warning, and a 1-d one is refused as
    PyTorch's.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.ops.linalg_solvers import tensor_mT
        >>> tensor_mT(ag.zeros(5, 2, 3)).shape
        autograd_core.Size([5, 3, 2])
    """
    if _scalar_matrix(self, "mT", "This function is the identity in these cases."):
        return self
    return transpose(self, -2, -1)


def tensor_mH(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The conjugate transpose of the last two dimensions (``Tensor.mH``, ``adjoint``).

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.ops.linalg_solvers import tensor_mH
        >>> tensor_mH(ag.zeros(5, 2, 3)).shape
        autograd_core.Size([5, 3, 2])
    """
    if _scalar_matrix(self, "mH", "Consider using x.conj()."):
        return self.conj() if self.dtype.kind == "c" else self
    return adjoint(self)


def _scalar_matrix(self: Tensor, name: str, advice: str) -> bool:
    """Whether ``Tensor.<name>`` (mT, mH) sees a 0-d tensor, which PyTorch deprecates with a
    warning; a 1-d one is refused with PyTorch's error."""
    if self.ndim == 0:
        warn_caller(f"Tensor.{name} is deprecated on 0-D tensors. {advice}")
        return True
    if self.ndim == 1:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor.")
    return False


@op("chain_matmul", samples=[
    Sample("chain_matmul", lambda a, b: _quiet(chain_matmul, _as2d(a), _as2d(b).T, _as2d(a)), 2,
           shapes=((3, 4), (3, 4)))])
def chain_matmul(*matrices: Tensor, out: Tensor | None = None) -> Tensor:
    """Return the product of 2-d matrices, as the deprecated ``torch.chain_matmul`` (with its
    warning); ``autograd_core.linalg.multi_dot`` is its replacement.

    Args:
        matrices (Tensor...): two or more ``(n_i, n_{i+1})`` matrices (one is returned as is).

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ag.chain_matmul(ag.ones(2, 3), ag.ones(3, 1))
        tensor([[3.],
                [3.]])
    """
    _deprecated("chain_matmul", (
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather "
        "than multiple parameters."))
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    result = multi_dot(list(matrices))
    if out is not None:
        out.copy_(result)
        return out
    return result


def _chain_order(dims: list) -> list:
    """The cheapest parenthesisation of matrices ``dims[i] x dims[i+1]`` (the classic dynamic
    programme, as PyTorch's ``multi_dot``): ``split[i][j]``, where the product of ``i..j``
    is cut."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = -1
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] < 0 or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """Return the product of two or more matrices in the cheapest order, as
    ``torch.linalg.multi_dot``: the first may be a 1-d row vector and the last a 1-d column
    vector (their dimension is dropped from the result).

    Args:
        tensors (sequence of Tensor): ``(n_0, n_1), (n_1, n_2), ...`` matrices.
        out (Tensor, optional): the tensor the result is written into.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.multi_dot([ag.ones(3), ag.ones(3, 2), ag.ones(2)])
        tensor(6.)
    """
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, (t, which) in enumerate(((ts[0], "first"), (ts[-1], "last"))):
        if t.ndim not in (1, 2):
            raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got "
                               f"{t.ndim}D")
    for i, t in enumerate(ts[1:-1], 1):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    for i, t in enumerate(ts[1:], 1):
        if t.dtype != ts[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {c_type(ts[0]._data.dtype)} and tensor {i} "
                               f"{c_type(t._data.dtype)}")
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    mats = [ts[0].unsqueeze(0) if first_vec else ts[0], *ts[1:-1],
            ts[-1].unsqueeze(-1) if last_vec else ts[-1]]
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(ts[i].shape)} and {list(ts[i + 1].shape)} cannot be "
                               f"multiplied")
    split = _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]])

    def product(i: builtins.int, j: builtins.int) -> Tensor:
        if i == j:
            return mats[i]
        k = split[i][j]
        return matmul(product(i, k), product(k + 1, j))

    result = product(0, len(mats) - 1)
    if first_vec:
        result = result.squeeze(0)
    if last_vec:
        result = result.squeeze(-1)
    if out is not None:
        out.copy_(result)
        return out
    return result


# ---- general eigenvalue problem ---------------------------------------------------------------
_EIG_GAUGE = ("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
              "multiplication by e^{i phi}. The specified loss function depends on this "
              "quantity, so it is ill-defined.")


class LinalgEig(Node):
    """``A = V diag(L) V^-1`` (LAPACK's ``geev`` through numpy: unit-norm eigenvectors, always
    complex). PyTorch's gradient: with ``M = V^H gV`` projected so the loss cannot see each
    column's phase (``M - V^H V diag(Re diag M)``; refused when ``Im diag M`` is not ~0),
    ``gA = V^-H (M / conj(L_j - L_i), diagonal gL) V^H``; a real ``A`` keeps its real part."""

    _op_name = "linalg_eig"
    n_outputs = 2
    # an unused output's gradient stays None (PyTorch's undefined gV): zeros for V would run
    # 0 / (L_j - L_i) and give NaN for eigvals' gradient at a repeated eigenvalue
    materialize_grads = False

    def forward(self, a):
        ctype = np.promote_types(a.dtype, np.complex64)
        note_complex(ctype)
        w, v = np.linalg.eig(a)
        w, v = w.astype(ctype, copy=False), v.astype(ctype, copy=False)
        self.save_for_backward(w, v)  # the outputs: changed in place, backward raises
        return w, v

    def complex_backward(self, gw, gv):
        if isinstance(gw, Tensor) or isinstance(gv, Tensor):
            raise NotImplementedError("tapegrad: the second derivative of linalg.eig is not "
                                      "implemented (create_graph=True through it)")
        w, v = self.saved
        vh = np.conj(np.swapaxes(v, -1, -2))
        n = w.shape[-1]
        if gv is not None:
            m = np.matmul(vh, gv)
            d = np.diagonal(m, 0, -2, -1)
            if not np.allclose(d.imag, 0, rtol=1e-2, atol=1e-2):
                raise RuntimeError(_EIG_GAUGE)
            m = m - np.matmul(vh, v * d.real[..., None, :])
            e = np.conj(w)[..., None, :] - np.conj(w)[..., :, None]
            e[..., np.arange(n), np.arange(n)] = 1
            inner = m / e
        else:
            inner = np.zeros(w.shape + (n,), dtype=w.dtype)
        if gw is not None:
            inner[..., np.arange(n), np.arange(n)] = gw
        return (np.linalg.solve(vh, np.matmul(inner, vh)),)


def _eig_checked(A, name):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if A.dtype.kind not in "fc":
        raise RuntimeError(f"Unknown Complex ScalarType for {_tname(A.dtype)}")
    if A.dtype == np.float16:  # PyTorch's refusal (numpy's linalg raised TypeError)
        raise NotImplementedError(f"\"linalg_eig_out_cpu\" not implemented for '{_tname(A.dtype)}'")
    finite = np.isfinite(A._data).all(axis=(-2, -1))
    if finite.all():
        return LinalgEig.apply(A)
    if name == "linalg.eig":
        raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")
    # eigvals: PyTorch does not check (LAPACK's values are unspecified); NaN for those matrices
    bad = ~finite[..., None, None]
    w, v = LinalgEig.apply(xp.where(bad, np.zeros((), A._data.dtype), A))
    return xp.where(bad[..., 0], np.array(np.nan, w._data.dtype), w), v


def eig(A: Tensor) -> Any:
    """Return ``(eigenvalues, eigenvectors)`` of a square matrix (or batch), as
    ``torch.linalg.eig``: complex, with ``A @ V == V @ diag(L)`` and unit-norm columns.

    The gradient is PyTorch's; a loss that depends on the eigenvectors' phases (which are
    arbitrary) is refused in PyTorch's words. Not differentiable twice here.

    Args:
        A (Tensor): ``(*, n, n)`` real or complex matrices.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.eig(ag.tensor([[2.0, 0.0], [0.0, 3.0]])).eigenvalues
        tensor([2.+0.j, 3.+0.j])
    """
    return EigResult(*_eig_checked(A, "linalg.eig"))


def eigvals(A: Tensor) -> Tensor:
    """Return the (complex) eigenvalues of a square matrix (or batch), as
    ``torch.linalg.eigvals``, with PyTorch's gradient ``V^-H diag(g) V^H``. A matrix holding
    inf or NaN has NaN eigenvalues (PyTorch returns unspecified values for it).

    Args:
        A (Tensor): ``(*, n, n)`` real or complex matrices.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.eigvals(ag.tensor([[0.0, -1.0], [1.0, 0.0]]))
        tensor([0.+1.j, 0.-1.j])
    """
    return _eig_checked(A, "linalg.eigvals")[0]


EigResult = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])  # type: ignore[name-match]


def check_pivot_values(pivots, n, op):
    """PyTorch's range check of ``lu_factor``'s / ``ldl_factor``'s pivots before they are
    used as row indices (``op`` is ``"lu_solve"`` or ``"ldl_solve"``): a 0 or out-of-range
    pivot would index from the end and give a silently wrong solution."""
    p = np.asarray(pivots)
    if p.size == 0:
        return
    mag = np.abs(p) if op == "ldl_solve" else p  # ldl's negative pivots mark 2x2 blocks
    lo, hi = ("|pivot| >= 1", "|pivot| <= LD.size(-2)") if op == "ldl_solve" else (
        "be greater or equal to 1", "be smaller or equal to LU.size(-2)")
    source = "ldl_factor" if op == "ldl_solve" else "lu_factor"
    for bad, words in ((mag.min() < 1, lo), (mag.max() > n, hi)):
        if bad:
            verb = "satisfy " if op == "ldl_solve" else ""
            raise RuntimeError(f"Pivots given to {op} must all {verb}{words}. Did you properly "
                               f"pass the result of {source}?")


def linalg_lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: builtins.bool = True,
                    adjoint: builtins.bool = False) -> Tensor:
    """Return ``X`` with ``A X = B`` given ``lu_factor``'s ``(LU, pivots)`` of ``A``, as
    ``torch.linalg.lu_solve``: ``X A = B`` with ``left=False``, ``A^H`` in place of ``A``
    with ``adjoint=True``. Differentiable with respect to ``LU`` and ``B``.

    Args:
        LU (Tensor): ``(*, n, n)`` packed factors.
        pivots (Tensor): ``(*, n)`` 1-based row swaps.
        B (Tensor): ``(*, n, k)`` right-hand sides (``(*, k, n)`` with ``left=False``).
        left (bool): solve ``A X = B`` (True) or ``X A = B``. Default: True.
        adjoint (bool): solve with ``A^H``. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[0.0, 2.0], [4.0, 1.0]])
        >>> LU, pivots = ag.linalg.lu_factor(A)
        >>> ag.linalg.lu_solve(LU, pivots, ag.tensor([[2.0], [5.0]]))
        tensor([[1.],
                [1.]])
    """
    name = "linalg.lu_solve"
    _check(LU, name)
    if B.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    if LU.dtype != B.dtype:
        raise RuntimeError(f"{name}: Expected LU and B to have the same dtype, but found LU of "
                           f"type {_tname(LU.dtype)} and B of type {_tname(B.dtype)} instead")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX' if left else 'XA'} = B ({n}x{n} and {B.shape[-2]}x"
                           f"{B.shape[-1]})")
    if tuple(pivots.shape) != tuple(LU.shape[:-1]):
        raise RuntimeError(f"{name}: Expected LU.shape[:-1] and pivots.shape to be the same, "
                           f"but got pivots with shape {list(pivots.shape)} instead")
    if pivots.dtype.name != "int32":
        raise RuntimeError(f"{name}: pivots should be a Tensor of scalar type torch.int32")
    refuse_capture(name)  # the permutation is read off the pivots' values
    check_pivot_values(pivots._data, n, "lu_solve")
    P = xp.constant(pivot_permutation(pivots._data, pivots.shape[-1], LU._data.dtype))

    def lower(y: Tensor, right: builtins.bool, transposed: builtins.bool) -> Tensor:
        m = LU.mT if transposed else LU
        return solve_triangular(m, y, upper=transposed, left=not right, unitriangular=True)

    def upper(y: Tensor, right: builtins.bool, transposed: builtins.bool) -> Tensor:
        m = LU.mT if transposed else LU
        return solve_triangular(m, y, upper=not transposed, left=not right)

    # A = P L U
    if left and not adjoint:  # X = U^-1 L^-1 P^T B
        return upper(lower(matmul(P.mT, B), False, False), False, False)
    if left:  # A^H X = B: X = P L^-H U^-H B
        return matmul(P, lower(upper(B, False, True), False, True))
    if not adjoint:  # X A = B: X = B U^-1 L^-1 P^T
        return matmul(lower(upper(B, True, False), True, False), P.mT)
    # X A^H = B: X = B P L^-H U^-H
    return upper(lower(matmul(B, P), True, True), True, True)


# ---- PyTorch's older forms: triangular_solve, lu_solve, qr; renorm ------------------------------
TriangularSolveResult = namedtuple(  # type: ignore[name-match]
    "triangular_solve", ["solution", "cloned_coefficient"])


@op("triangular_solve", method=True, samples=[
    Sample("triangular_solve", lambda b, a: _quiet(
        triangular_solve, _as2d(b)[: _sq(a).shape[0]], _sq(a))[0], 2,
           shapes=((3, 2), (3, 3))),
    Sample("triangular_solve_t", lambda b, a: _quiet(
        triangular_solve, _as2d(b)[: _sq(a).shape[0]], _sq(a), upper=False, transpose=True,
        unitriangular=True)[0], 2, shapes=((3, 2), (3, 3)))])
def triangular_solve(input: Tensor, A: Tensor, upper: builtins.bool = True,
                     transpose: builtins.bool = False,
                     unitriangular: builtins.bool = False) -> TriangularSolveResult:
    """Return ``(X, A.clone())`` with ``op(A) X = input`` for a triangular ``A`` (``op(A)``:
    ``A``, or ``A^T`` with ``transpose=True``), as the deprecated ``torch.triangular_solve``
    (with its warning, once); ``linalg.solve_triangular`` is its replacement.

    Args:
        input (Tensor): ``B``, ``(*, n, k)`` right-hand sides.
        A (Tensor): ``(*, n, n)`` triangular matrices.
        upper (bool): ``A`` is upper triangular. Default: True.
        transpose (bool): solve with ``A^T``. Default: False.
        unitriangular (bool): take ``A``'s diagonal as ones. Default: False.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ag.triangular_solve(ag.tensor([[4.0], [8.0]]), ag.tensor([[2.0, 1.0],
        ...                                                               [0.0, 4.0]])).solution
        tensor([[1.],
                [2.]])
    """
    _deprecated("triangular_solve", (
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will "
        "be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs.\nX = "
        "torch.triangular_solve(B, A).solution\nshould be replaced with\nX = "
        "torch.linalg.solve_triangular(A, B)."))
    if input.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, "
                           f"but it has {input.ndim} dimensions instead")
    if A.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected A to have at least 2 dimensions, "
                           f"but it has {A.ndim} dimensions instead")
    _check_b_and_A("triangular_solve", input, A)
    n = A.shape[-1]
    x = solve_triangular(A.mT if transpose else A, input, upper=bool(upper) != bool(transpose),
                         unitriangular=unitriangular)
    batch = tuple(x.shape[:-2])
    return TriangularSolveResult(x, A.expand(*batch, n, n).clone())


@op("lu_solve", method=True, samples=[
    Sample("lu_solve", lambda b, a: _quiet(
        lu_solve, _as2d(b)[: _sq(a).shape[0]], _sq(a),
        (_sq(a)[0].detach() * 0 + 1).cumsum(0).int()), 2,
           shapes=((3, 2), (3, 3)))])
def lu_solve(input: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """Return ``X`` with ``A X = input`` from ``lu_factor``'s ``(LU_data, LU_pivots)`` of
    ``A``, as the deprecated ``torch.lu_solve`` (with its warning, once);
    ``linalg.lu_solve(LU, pivots, B)`` is its replacement.

    Args:
        input (Tensor): ``B``, ``(*, n, k)`` right-hand sides.
        LU_data (Tensor): ``(*, n, n)`` packed factors.
        LU_pivots (Tensor): ``(*, n)`` 1-based int32 row swaps.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> LU, pivots = ag.linalg.lu_factor(ag.tensor([[0.0, 2.0], [4.0, 1.0]]))
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ag.lu_solve(ag.tensor([[2.0], [5.0]]), LU, pivots)
        tensor([[1.],
                [1.]])
    """
    _deprecated("lu_solve", (
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
        "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed."
        "\nX = torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = "
        "torch.linalg.lu_solve(LU, pivots, B)"))
    return linalg_lu_solve(LU_data, LU_pivots, input)


QRLegacyResult = namedtuple("qr", ["Q", "R"])  # type: ignore[name-match]


@op("legacy_qr", method="qr", function=False, samples=[
    Sample("legacy_qr", lambda a: _quiet(legacy_qr, _sq(a), some=False)[0]
           @ _quiet(legacy_qr, _sq(a))[1])])
def legacy_qr(input: Tensor, some: builtins.bool = True) -> QRLegacyResult:
    """Return ``(Q, R)``, the QR decomposition, as the deprecated ``torch.qr`` (with its
    warning, once): ``linalg.qr(input, "reduced" if some else "complete")``.

    Args:
        input (Tensor): ``(*, m, n)`` matrices.
        some (bool): the reduced decomposition (True) or the complete one. Default: True.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     ag.qr(ag.tensor([[3.0, 0.0], [4.0, 1.0]])).R.abs()
        tensor([[5.0000, 0.8000],
                [0.0000, 0.6000]])
    """
    _deprecated("qr", (
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
        "torch.linalg.qr(A, 'reduced' if some else 'complete')"))
    return QRLegacyResult(*_linalg_qr(input, "reduced" if some else "complete"))


@op("renorm", method=True, samples=[
    Sample("renorm", lambda a: renorm(a.reshape(1, -1), 2, 0, 0.5)),  # as written, PyTorch's
    Sample("renorm_p3", lambda a: renorm(_as2d(a), 3, -1, 0.3))])
def renorm(input: Tensor, p: builtins.float, dim: builtins.int,
           maxnorm: builtins.float) -> Tensor:
    """Return ``input`` with each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm``
    scaled down to norm ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``), as ``torch.renorm``;
    the others unchanged. The gradient goes through the norm, as PyTorch's.

    Args:
        input (Tensor): a floating-point tensor of at least 2 dimensions.
        p (float): the norm's order (positive).
        dim (int): the dimension whose slices are renormalised.
        maxnorm (float): the largest norm kept (>= 0).

    Example::

        >>> import autograd_core as ag
        >>> ag.renorm(ag.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
    """
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           f"dimensions")
    if not -input.ndim <= dim < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-input.ndim}, {input.ndim - 1}], but got {dim})")
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {_tname(input.dtype)}")
    dim = dim % input.ndim
    others = tuple(d for d in range(input.ndim) if d != dim)
    # the condition as an op (not read in Python): a captured step recomputes it
    over = Norm.apply(input, p=float(p), dim=others, keepdim=True) > maxnorm
    # the slices kept as they are take no part in the scale's gradient, as in PyTorch's rule
    # (their gradient is the incoming one even where their norm is NaN); a float16 input's
    # norm and factor in float32, the factor rounded once to float16, as ATen's
    half = input._data.dtype == np.float16
    wide = input.float() if half else input
    norm = Norm.apply(where(over, wide, np.zeros((), wide._data.dtype)), p=float(p),
                      dim=others, keepdim=True)
    factor = where(over, maxnorm / (norm + 1e-7), np.ones((), norm._data.dtype))
    return input * (factor.half() if half else factor)


__all__ = ["addbmm", "addr", "adjoint", "chain_matmul", "cholesky_inverse", "cholesky_solve",
           "eig", "eigvals", "legacy_qr", "linalg_lu_solve", "lu_solve", "multi_dot", "renorm", "solve_triangular"]
