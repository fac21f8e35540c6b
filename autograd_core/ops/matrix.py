"""Matrix functions (``torch.linalg``'s and their ``torch.*`` aliases): determinants, inverse,
solve, Cholesky, symmetric eigenvalues, singular values, pseudo-inverse, cross product.

Forward runs numpy's LAPACK; each backward is written with matmul and these ops themselves, so
it works on arrays and under ``create_graph`` alike (to any order).
``autograd_core.linalg`` gathers them under PyTorch's ``torch.linalg`` names.
"""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from autograd_core.node import Node
from autograd_core.ops import _xp as xp
from autograd_core.ops.linalg import _as2d
from autograd_core.ops.registry import Sample, op
from autograd_core.tensor import Tensor

#: ``torch.return_types.linalg_slogdet`` / ``linalg_eigh``
SlogdetResult = namedtuple("linalg_slogdet", ["sign", "logabsdet"])  # type: ignore[name-match]
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])  # type: ignore[name-match]

_TORCH_DTYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool"}


def _tname(dtype):
    """PyTorch's scalar type name of a dtype (``Float``, ``Long``, ...), for error messages."""
    name = np.dtype(dtype).name
    return _TORCH_DTYPE.get(name, name)


class LinAlgError(RuntimeError):
    """A matrix that the operation cannot handle (singular, not positive-definite), as
    ``torch.linalg.LinAlgError``: a ``RuntimeError``."""


def _check(A, name, square=True):
    """PyTorch's checks of a batch of matrices, before any work."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_tname(A.dtype)}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _batch_prefix(a, bad):
    """``"(Batch element i): "`` for the first bad matrix of a batch, as PyTorch words it."""
    if a.ndim == 2:
        return ""
    return f"(Batch element {int(np.flatnonzero(bad.reshape(-1))[0])}): "


def _zero_pivot(m):
    """The 1-based index of the first zero pivot of LU with partial pivoting (LAPACK's
    ``info``), or None."""
    m = np.array(m, dtype=np.float64)
    n = m.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(m[k:, k])))
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1:, k:] -= np.outer(m[k + 1:, k] / m[k, k], m[k, k:])
    return None


def _inv_array(a, name="linalg.inv"):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        flat = a.reshape((-1,) + a.shape[-2:])
        pivots = [_zero_pivot(m) for m in flat]
        bad = np.array([p is not None for p in pivots])
        first = int(np.flatnonzero(bad)[0]) if bad.any() else 0
        raise LinAlgError(
            f"{name}: {_batch_prefix(a, bad) if bad.any() else ''}The diagonal element "
            f"{pivots[first] or a.shape[-1]} is zero, the inversion could not be completed "
            f"because the input matrix is singular.") from None


def _inv(x):
    """The inverse of ``x``: an array, or a Tensor recorded (for create_graph)."""
    return x.inverse() if isinstance(x, Tensor) else _inv_array(x)


def _dtype(x):
    return np.asarray(xp.data(x)).dtype


def _mT(x):
    return xp.swap_last(x)


def _as_matrix_grad(g):
    """A batch of scalars' gradient as ``(..., 1, 1)``, to scale matrices."""
    return g.reshape(tuple(g.shape) + (1, 1))


# ---- the generic tests' inputs: any drawn shape made into a well-posed matrix ----------------
def _sq(t):
    """A square, well-conditioned matrix from any input (its top-left corner plus 4 I)."""
    x = _as2d(t)
    k = min(x.shape)
    return x[:k, :k] + _eye_like(k, x) * 4.0


def _spd(t):
    """A symmetric positive-definite matrix from any input: ``x^T x / rows + I``."""
    x = _as2d(t)
    return (x.T @ x) / max(x.shape[0], 1) + _eye_like(x.shape[1], x)


def _spread(t):
    """A symmetric matrix with well-separated eigenvalues (0, 4, 8, ...) from any input."""
    x = _as2d(t)
    c = x.shape[1]
    return xp.constant(np.diag(4.0 * np.arange(c)).astype(x.dtype)) + (x.T @ x) * (
        0.1 / max(x.shape[0], 1))


def _three(t, shift=0.0):
    """Rows of 3-vectors from any input (its first column spread over three components)."""
    x = _as2d(t)
    first = x[:, :1] if x.shape[1] else x.sum(-1, keepdim=True)
    return first * xp.constant(np.array([1.0, -2.0, 0.5], x.dtype)) + xp.constant(
        np.array([0.5, shift, 2.0], x.dtype))


def _eye_like(k, x):
    return xp.constant(np.eye(k, dtype=x.dtype))


# ---- inverse, determinants -----------------------------------------------------------------
class LinalgInvEx(Node):
    """``A^-1``; its gradient ``-A^-T g A^-T`` reuses the output."""

    def forward(self, a):
        y = _inv_array(a)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        yt = _mT(y)
        return (-xp.matmul(xp.matmul(yt, g), yt),)


@op("inverse", method=True, samples=[Sample("inverse", lambda a: inverse(_sq(a)))])
def inverse(input: Tensor) -> Tensor:
    """Return the inverse of the square matrix (or batch of matrices) ``input``.

    Also ``autograd_core.linalg.inv`` and ``Tensor.inverse``. A singular matrix raises
    ``autograd_core.linalg.LinAlgError`` (a ``RuntimeError``), as PyTorch.

    Args:
        input (Tensor): a ``(*, n, n)`` floating-point tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.inverse(ag.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    _check(input, "linalg.inv")
    return LinalgInvEx.apply(input)


class LinalgDet(Node):
    """``det(A)``; its gradient ``g det(A) A^-T`` (invertible ``A``)."""

    def forward(self, a):
        y = np.asarray(np.linalg.det(a))
        self.save_for_backward(a, y)
        return y

    def backward(self, g):
        a, y = self.saved
        return (_as_matrix_grad(g * y) * _mT(_inv(a)),)


@op("det", method=True, samples=[Sample("det", lambda a: det(_sq(a)))])
def det(input: Tensor) -> Tensor:
    """Return the determinant of the square matrix (or batch of matrices) ``input``.

    Also ``autograd_core.linalg.det`` and ``Tensor.det``. The gradient needs an invertible
    matrix (PyTorch also differentiates at singular ones).

    Args:
        input (Tensor): a ``(*, n, n)`` floating-point tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.det(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(-2.)
    """
    _check(input, "linalg.det")
    return LinalgDet.apply(input)


class LinalgSlogdet(Node):
    """``log|det(A)|``; its gradient ``g A^-T``."""

    def forward(self, a):
        _, y = np.linalg.slogdet(a)
        self.save_for_backward(a)
        return np.asarray(y)

    def backward(self, g):
        (a,) = self.saved
        return (_as_matrix_grad(g) * _mT(_inv(a)),)


def _sign_of_det(a: Tensor) -> Tensor:
    sign, _ = np.linalg.slogdet(a._data)
    return Tensor(np.asarray(sign, dtype=a.dtype))


@op("slogdet", method=True, samples=[
    Sample("slogdet", lambda a: slogdet(_sq(a) * -1.0)[1])])
def slogdet(input: Tensor) -> SlogdetResult:
    """Return ``(sign, logabsdet)``: the sign of the determinant and the log of its magnitude.

    Stable where ``det`` would under- or overflow. Also ``autograd_core.linalg.slogdet``;
    ``logabsdet`` is differentiable, ``sign`` is not.

    Args:
        input (Tensor): a ``(*, n, n)`` floating-point tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.slogdet(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
        linalg_slogdet(sign=tensor(-1.), logabsdet=tensor(0.6931))
    """
    _check(input, "linalg.slogdet")
    return SlogdetResult(_sign_of_det(input), LinalgSlogdet.apply(input))


@op("logdet", method=True, samples=[Sample("logdet", lambda a: logdet(_spd(a)))])
def logdet(input: Tensor) -> Tensor:
    """Return the log of the determinant of ``input``: nan where it is negative, ``-inf``
    where it is 0 (as PyTorch).

    Args:
        input (Tensor): a ``(*, n, n)`` floating-point tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.logdet(ag.tensor([[2.0, 0.0], [0.0, 3.0]]))
        tensor(1.7918)
        >>> ag.logdet(ag.tensor([[0.0, 1.0], [1.0, 0.0]]))
        tensor(nan)
    """
    _check(input, "logdet")
    y = LinalgSlogdet.apply(input)
    sign = _sign_of_det(input)._data
    if (sign < 0).any():
        y = y + Tensor(np.where(sign < 0, np.nan, 0.0).astype(input.dtype))
    return y


# ---- solve, Cholesky -----------------------------------------------------------------------
class LinalgSolveEx(Node):
    """``X = A^-1 B`` (``B`` a batch of matrices); ``gB = A^-T g``, ``gA = -gB X^T``."""

    def forward(self, a, b):
        try:
            x = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input "
                              "matrix is singular.") from None
        self.save_for_backward(a, x)
        return x

    def backward(self, g):
        a, x = self.saved
        gb = xp.matmul(_mT(_inv(a)), g)
        ga = -xp.matmul(gb, _mT(x)) if self.needs_input_grad[0] else None
        return ga, gb


def _solve_samples():
    return [Sample("solve", lambda a, b: solve(_sq(a), _as2d(b)[: min(_as2d(a).shape)]),
                   2, shapes=((3, 3), (3, 2))),
            Sample("solve_vector", lambda a, b: solve(_sq(a), _as2d(b)[0, : min(
                _as2d(a).shape)]), 2, shapes=((3, 3), (3, 3)))]


@op("solve", function=False, samples=_solve_samples())
def solve(A: Tensor, B: Tensor, *, left: builtins.bool = True) -> Tensor:
    """Return the solution ``X`` of ``A X = B`` (``X A = B`` with ``left=False``).

    ``B`` is a vector when it is 1-d or has ``A``'s batch shape less one dimension; batch
    dimensions broadcast. ``autograd_core.linalg.solve``.

    Args:
        A (Tensor): ``(*, n, n)`` invertible matrices.
        B (Tensor): ``(*, n, k)`` right-hand sides, or ``(*, n)`` vectors.
        left (bool): solve ``A X = B`` (True) or ``X A = B``. Default: True.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[2.0, 0.0], [0.0, 4.0]])
        >>> ag.linalg.solve(A, ag.tensor([2.0, 2.0]))
        tensor([1.0000, 0.5000])
    """
    _check(A, "linalg.solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve(): argument 'B' (position 2) must be Tensor, not "
                        f"{type(B).__name__}")
    if B.dtype != A.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_tname(A.dtype)} and B of type {_tname(B.dtype)} "
                           f"instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    n = A.shape[-1]
    rows, cols = (B.shape[-1], 1) if vector else tuple(B.shape[-2:])
    if (left and rows != n) or (not left and (vector or cols != n)):
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX' if left else 'XA'} = B ({n}x{n} and {rows}x{cols})")
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return solve(A.mT, B.mT).mT
    b = B.reshape(tuple(B.shape) + (1,)) if vector else B
    try:
        np.broadcast_shapes(tuple(A.shape[:-2]), tuple(b.shape[:-2]))
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dimensions of A {tuple(A.shape)} and B "
                           f"{tuple(B.shape)} cannot be broadcast") from None
    x = LinalgSolveEx.apply(A, b)
    return x.reshape(tuple(x.shape[:-1])) if vector else x


def _not_pd_order(a):
    """The order of the first leading minor that is not positive-definite."""
    for k in range(1, a.shape[-1] + 1):
        try:
            np.linalg.cholesky(a[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return a.shape[-1]


class LinalgCholeskyEx(Node):
    """Lower ``L`` with ``L L^T = A`` (the lower triangle of ``A`` is read); PyTorch's
    gradient: ``gA = L^-T P L^-1``, ``P = sym(tril(L^T g))`` with the diagonal halved."""

    def forward(self, a):
        try:
            y = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            flat = a.reshape((-1,) + a.shape[-2:])
            bad = np.array([not np.all(np.linalg.eigvalsh(m) > 0) for m in flat])
            first = flat[int(np.flatnonzero(bad)[0])] if bad.any() else flat[0]
            raise LinAlgError(
                f"linalg.cholesky: {_batch_prefix(a, bad)}The factorization could not be "
                f"completed because the input is not positive-definite (the leading minor of "
                f"order {_not_pd_order(first)} is not positive-definite).") from None
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (L,) = self.saved
        n = L.shape[-1]
        eye = np.eye(n, dtype=_dtype(g))
        m = xp.matmul(_mT(L), g) * np.tril(np.ones_like(eye))
        p = (m + _mT(m) - m * eye) * 0.5
        li = _inv(L)
        return (xp.matmul(xp.matmul(_mT(li), p), li),)


@op("cholesky", function=False, samples=[Sample("cholesky", lambda a: cholesky(_spd(a)))])
def cholesky(A: Tensor, *, upper: builtins.bool = False) -> Tensor:
    """Return the Cholesky factor ``L`` (lower triangular, ``L @ L.mT == A``) of a symmetric
    positive-definite matrix (or batch); ``L.mT`` with ``upper=True``.

    ``autograd_core.linalg.cholesky``; only the lower triangle of ``A`` is read. A matrix that
    is not positive-definite raises ``autograd_core.linalg.LinAlgError``.

    Args:
        A (Tensor): ``(*, n, n)`` symmetric positive-definite matrices.
        upper (bool): return the upper factor ``U = L^T`` instead. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.cholesky(ag.tensor([[4.0, 2.0], [2.0, 2.0]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    _check(A, "linalg.cholesky")
    L = LinalgCholeskyEx.apply(A)
    return L.mT if upper else L


# ---- spectral: symmetric eigenvalues, singular values ----------------------------------------
# Under create_graph each backward re-derives the eigen/singular vectors it needs from the
# saved input with these same nodes, so the rules are differentiable to any order.
def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def _row(x):
    """``x[..., None, :]`` for arrays and Tensors."""
    return x.reshape(tuple(x.shape[:-1]) + (1, x.shape[-1]))


def _col(x):
    return x.reshape(tuple(x.shape) + (1,))


class LinalgEigvalsh(Node):
    """Ascending eigenvalues of a symmetric matrix; ``gA = V diag(g) V^T``."""

    def forward(self, a, UPLO):
        w, v = np.linalg.eigh(a, UPLO=UPLO)
        self.save_for_backward(a)
        self.uplo, self.v = UPLO, v
        return w

    def backward(self, g):
        (a,) = self.saved
        v = LinalgEigh.apply(a, UPLO=self.uplo) if isinstance(a, Tensor) else self.v
        return (xp.matmul(v * _row(g), _mT(v)),)


class LinalgEigh(Node):
    """Eigenvectors of a symmetric matrix (distinct eigenvalues);
    ``gA = V (F * (V^T g)) V^T`` with ``F_ij = 1 / (w_j - w_i)`` off the diagonal."""

    def forward(self, a, UPLO):
        w, v = np.linalg.eigh(a, UPLO=UPLO)
        self.save_for_backward(a)
        self.uplo, self.w, self.v = UPLO, w, v
        return v

    def backward(self, g):
        (a,) = self.saved
        if isinstance(a, Tensor):
            w = LinalgEigvalsh.apply(a, UPLO=self.uplo)
            v = LinalgEigh.apply(a, UPLO=self.uplo)
        else:
            w, v = self.w, self.v
        gap = _row(w) - _col(w)
        mask = np.eye(w.shape[-1], dtype=bool) | (xp.data(gap) == 0)
        f = xp.where(mask, 0.0, 1.0 / xp.where(mask, 1.0, gap))
        inner = xp.matmul(_mT(v), g) * f
        return (xp.matmul(xp.matmul(v, inner), _mT(v)),)


@op("eigvalsh", function=False, samples=[
    Sample("eigvalsh", lambda a: eigvalsh(_spread(a)))])
def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """Return the eigenvalues of a symmetric matrix (or batch), in ascending order.

    ``autograd_core.linalg.eigvalsh``; only the triangle ``UPLO`` names is read.

    Args:
        A (Tensor): ``(*, n, n)`` symmetric matrices.
        UPLO (str): ``"L"`` (the lower triangle) or ``"U"``. Default: ``"L"``.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.eigvalsh(ag.tensor([[2.0, 1.0], [1.0, 2.0]]))
        tensor([1., 3.])
    """
    _check(A, "linalg.eigvalsh")
    return LinalgEigvalsh.apply(A, UPLO=_uplo(UPLO))


@op("eigh", function=False, samples=[
    Sample("eigh_vectors", lambda a: eigh(_spread(a))[1] ** 2)])
def eigh(A: Tensor, UPLO: str = "L") -> EighResult:
    """Return ``(eigenvalues, eigenvectors)`` of a symmetric matrix (or batch): ascending
    eigenvalues and orthonormal eigenvectors in the columns.

    ``autograd_core.linalg.eigh``. Eigenvectors are defined up to sign (numpy's LAPACK picks
    them; PyTorch's may differ in sign); their gradient needs distinct eigenvalues.

    Args:
        A (Tensor): ``(*, n, n)`` symmetric matrices.
        UPLO (str): ``"L"`` (the lower triangle) or ``"U"``. Default: ``"L"``.

    Example::

        >>> import autograd_core as ag
        >>> w, v = ag.linalg.eigh(ag.tensor([[2.0, 0.0], [0.0, 1.0]]))
        >>> w
        tensor([1., 2.])
        >>> v.abs()
        tensor([[0., 1.],
                [1., 0.]])
    """
    _check(A, "linalg.eigh")
    UPLO = _uplo(UPLO)
    return EighResult(LinalgEigvalsh.apply(A, UPLO=UPLO), LinalgEigh.apply(A, UPLO=UPLO))


class LinalgSvd(Node):
    """Descending singular values; ``gA = U diag(g) V^T``. Under create_graph the same,
    written as ``B V diag(g / s) V^T`` (``B = A`` or ``A^T``, whichever is tall) with ``V``
    from ``eigh(B^T B)``: recorded, differentiable again (non-zero singular values)."""

    def forward(self, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        self.save_for_backward(a)
        self.u, self.vh = u, vh
        return s

    def backward(self, g):
        (a,) = self.saved
        if not isinstance(a, Tensor):
            return (np.matmul(self.u * _row(g), self.vh),)
        tall = a.shape[-2] >= a.shape[-1]
        b = a if tall else _mT(a)
        v = LinalgEigh.apply(xp.matmul(_mT(b), b), UPLO="L")  # ascending order
        rev = np.arange(b.shape[-1] - 1, -1, -1)
        s = LinalgSvd.apply(b)[..., rev]
        gb = xp.matmul(xp.matmul(b, v * _row(g[..., rev] / s)), _mT(v))
        return (gb if tall else _mT(gb),)


def _distinct_sv(t):
    x = _as2d(t)
    r, c = x.shape
    k = min(r, c)
    base = np.zeros((r, c), dtype=x.dtype)
    base[np.arange(k), np.arange(k)] = 1.0 + 3.0 * np.arange(k)
    return xp.constant(base) + x * 0.1


@op("svdvals", function=False, samples=[
    Sample("svdvals", lambda a: svdvals(_distinct_sv(a)))])
def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:
    """Return the singular values of a matrix (or batch), in descending order.

    ``autograd_core.linalg.svdvals``. The gradient needs distinct non-zero singular values.

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        driver (str, optional): accepted for PyTorch's signature (a CUDA option); must be None.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.svdvals(ag.tensor([[3.0, 0.0], [0.0, -4.0]]))
        tensor([4., 3.])
    """
    _check(A, "linalg.svdvals", square=False)
    if driver is not None:
        raise RuntimeError("linalg.svdvals: driver= is a CUDA option; only None is supported "
                           "on the CPU")
    return LinalgSvd.apply(A)


# ---- QR ----------------------------------------------------------------------------------------
QRResult = namedtuple("linalg_qr", ["Q", "R"])  # type: ignore[name-match]


def _qr_square_grad(q, r, gq, gr):
    """``gA`` for ``A = Q R`` with ``A`` tall or square (Liao et al. 2019):
    ``(gQ + Q copyltu(M)) R^-T``, ``M = R gR^T - gQ^T Q``, ``copyltu`` mirroring the lower
    triangle of ``M`` onto its upper one."""
    n = r.shape[-1]
    low = np.tril(np.ones((n, n), dtype=_dtype(r)))
    m = xp.matmul(r, _mT(gr)) - xp.matmul(_mT(gq), q)
    sym = m * low + _mT(m * (low - np.eye(n, dtype=low.dtype)))
    return xp.matmul(gq + xp.matmul(q, sym), _mT(_inv(r)))


class LinalgQr(Node):
    """``(Q, R)`` of the reduced (or complete, for ``m <= n``) QR decomposition; the gradient
    (full rank) uses both saved outputs, so it is differentiable again. A wide ``A = [X | Y]``
    goes through ``X = Q U``: ``gX = qr_grad(gQ + Y gV^T, gU)``, ``gY = Q gV``."""

    n_outputs = 2

    def forward(self, a, mode):
        q, r = np.linalg.qr(a, mode=mode)
        self.save_for_backward(a, q, r)
        return q, r

    def backward(self, gq, gr):
        a, q, r = self.saved
        m, n = a.shape[-2], a.shape[-1]
        if m >= n:
            return (_qr_square_grad(q, r, gq, gr),)
        y = a[..., :, m:]
        gu, gv = gr[..., :, :m], gr[..., :, m:]
        gx = _qr_square_grad(q, r[..., :, :m], gq + xp.matmul(y, _mT(gv)), gu)
        from autograd_core.ops.shape import cat

        gy = xp.matmul(q, gv)
        if isinstance(gx, Tensor) or isinstance(gy, Tensor):
            return (cat([gx, gy], dim=-1),)
        return (np.concatenate([gx, gy], axis=-1),)


def _qr_flat(a, wide=False):
    x = _distinct_sv(a)
    q, r = qr(x.T if wide else x)
    from autograd_core.ops.shape import cat

    return cat([q.reshape(-1), r.reshape(-1)])


@op("qr", function=False, samples=[Sample("qr", lambda a: _qr_flat(a)),
                                   Sample("qr_wide", lambda a: _qr_flat(a, True))])
def qr(A: Tensor, mode: str = "reduced") -> QRResult:
    """Return ``(Q, R)``, the QR decomposition of a matrix (or batch): ``A = Q @ R`` with
    orthonormal columns in ``Q`` and ``R`` upper triangular.

    ``autograd_core.linalg.qr``, numpy's LAPACK (the same signs as PyTorch's). ``mode``:
    ``"reduced"`` (``Q`` is ``m x k``, ``k = min(m, n)``), ``"complete"`` (``Q`` is
    ``m x m``), ``"r"`` (``R`` only; ``Q`` is empty). Differentiable for full-rank input in
    ``"reduced"`` mode, and in ``"complete"`` mode when ``m <= n``.

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        mode (str): ``"reduced"``, ``"complete"`` or ``"r"``. Default: ``"reduced"``.

    Example::

        >>> import autograd_core as ag
        >>> Q, R = ag.linalg.qr(ag.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> R
        tensor([[-5.0000, -2.2000],
                [ 0.0000,  0.4000]])
        >>> Q @ R
        tensor([[3.0000, 1.0000],
                [4.0000, 2.0000]])
    """
    _check(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    m, n = A.shape[-2], A.shape[-1]
    if mode == "r" or (mode == "complete" and m > n):
        q, r = np.linalg.qr(A._data, mode="complete" if mode == "complete" else "reduced")
        if mode == "r":
            q = np.zeros((0,), dtype=A.dtype)
        return QRResult(Tensor(q), LinalgQrRefused.apply(A, r, message=_QR_NO_GRAD[mode]))
    return QRResult(*LinalgQr.apply(A, mode="reduced"))


class LinalgQrRefused(Node):
    """``R`` of a QR mode whose derivative PyTorch refuses: backward raises its error."""

    def forward(self, a, r, message):
        self.message = message
        return r

    def backward(self, g):
        raise RuntimeError(self.message)


_QR_NO_GRAD = {
    "r": "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
         "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
         "linalg.qr.",
    "complete": "The QR decomposition is not differentiable when mode='complete' and "
                "nrows > ncols."}


# ---- pseudo-inverse --------------------------------------------------------------------------
class LinalgPinv(Node):
    """Moore-Penrose pseudo-inverse ``X = A^+``; the gradient where the rank is constant,
    ``-X^T g X^T + (I - A X) g^T X X^T + X^T X g^T (I - X A)`` (Golub and Pereyra 1973),
    is matmuls only, so it is differentiable again."""

    def forward(self, a, rtol, hermitian):
        x = np.linalg.pinv(a, rcond=rtol, hermitian=hermitian)
        self.save_for_backward(a, x)
        return x

    def backward(self, g):
        a, x = self.saved
        m, n = a.shape[-2], a.shape[-1]
        dt = _dtype(g)
        mm = xp.matmul
        xt, gt = _mT(x), _mT(g)
        ga = -mm(mm(xt, g), xt)
        ga = ga + mm(mm(-mm(a, x) + np.eye(m, dtype=dt), gt), mm(x, xt))
        ga = ga + mm(mm(mm(xt, x), gt), -mm(x, a) + np.eye(n, dtype=dt))
        return (ga,)


@op("pinverse", method=True, samples=[
    Sample("pinv", lambda a: pinverse(_distinct_sv(a))),
    Sample("pinv_wide", lambda a: pinverse(_distinct_sv(a).T))])
def pinverse(input: Tensor, rcond: builtins.float = 1e-15) -> Tensor:
    """Return the Moore-Penrose pseudo-inverse of a matrix (or batch).

    Singular values below ``rcond`` times the largest are treated as zero. The gradient holds
    where the rank does not change. ``autograd_core.linalg.pinv`` is the same with PyTorch's
    ``atol``/``rtol`` keywords.

    Args:
        input (Tensor): ``(*, m, n)`` matrices.
        rcond (float): the relative cut-off. Default: 1e-15.

    Example::

        >>> import autograd_core as ag
        >>> ag.pinverse(ag.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]))
        tensor([[1.0000, 0.0000, 0.0000],
                [0.0000, 0.5000, 0.0000]])
    """
    _check(input, "pinverse", square=False)
    return LinalgPinv.apply(input, rtol=float(rcond), hermitian=False)


# ---- cross product ---------------------------------------------------------------------------
def _cross_along(a: Tensor, b: Tensor, dim: builtins.int) -> Tensor:
    a, b = a.transpose(dim, -1), b.transpose(dim, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    from autograd_core.ops.shape import stack

    out = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim=-1)
    return out.transpose(dim, -1)


def _cross_prepare(input, other, name):
    for arg, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not "
                            f"{type(t).__name__}")
    if input.dtype != other.dtype:
        raise RuntimeError(f"{name}: expected input and other to have the same dtype, but got "
                           f"{input.dtype} and {other.dtype}")
    if input.ndim != other.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    try:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    except ValueError:
        raise RuntimeError(f"{name}: the shapes {tuple(input.shape)} and "
                           f"{tuple(other.shape)} cannot be broadcast") from None
    return input.expand(shape), other.expand(shape)


@op("cross", method=True, samples=[
    Sample("cross", lambda a, b: cross(_three(a), _three(b, 1.0)), 2),
    Sample("cross_dim0", lambda a, b: cross(_three(a).T, _three(b).T, dim=0), 2)])
def cross(input: Tensor, other: Tensor, dim: builtins.int | None = None) -> Tensor:
    """Return the cross product of ``input`` and ``other`` along ``dim`` (of size 3).

    Shapes broadcast. With ``dim=None`` the first dimension of size 3 is used (PyTorch's
    deprecated default; ``autograd_core.linalg.cross`` uses ``dim=-1``).

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand.
        dim (int, optional): the dimension of size 3.

    Example::

        >>> import autograd_core as ag
        >>> ag.cross(ag.tensor([1.0, 0.0, 0.0]), ag.tensor([0.0, 1.0, 0.0]))
        tensor([0., 0., 1.])
    """
    a, b = _cross_prepare(input, other, "cross")
    if dim is None:
        threes = [d for d, n in enumerate(a.shape) if n == 3]
        if not threes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = threes[0]
    if not -a.ndim <= dim < max(a.ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-a.ndim}, {a.ndim - 1}], but got {dim})")
    if a.shape[dim] != 3:
        raise RuntimeError(f"cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    return _cross_along(a, b, dim)
