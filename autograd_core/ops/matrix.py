"""Matrix functions (``torch.linalg``'s and their ``torch.*`` aliases): determinants, inverse,
solve, least squares, rank, matrix powers, Cholesky, symmetric eigenvalues, singular values,
pseudo-inverse, cross product.

Forward runs numpy's LAPACK; each backward is written with matmul and these ops themselves, so
it works on arrays and under ``create_graph`` alike (to any order).
``autograd_core.linalg`` gathers them under PyTorch's ``torch.linalg`` names.
"""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from autograd_core.node import Node
from autograd_core.ops import _args
from autograd_core.ops import _xp as xp
from autograd_core._quiet import quiet
from autograd_core.ops.binary import _broadcast_error
from autograd_core.ops.linalg import _as2d
from autograd_core.ops.registry import Sample, op, refuse_capture
from autograd_core.tensor import Tensor

#: ``torch.return_types.linalg_slogdet`` / ``linalg_eigh``
SlogdetResult = namedtuple("linalg_slogdet", ["sign", "logabsdet"])  # type: ignore[name-match]
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])  # type: ignore[name-match]

class LinAlgError(RuntimeError):
    """A matrix that the operation cannot handle (singular, not positive-definite), as
    ``torch.linalg.LinAlgError``: a ``RuntimeError``."""


def _svd(a, **kwargs):
    """``np.linalg.svd(a, **kwargs)``, refusing a matrix that holds inf or NaN with PyTorch's
    error before any work: LAPACK's SVD never returns on an inf (numpy's ``svd``, ``pinv`` and
    ``lstsq`` hang) and fails on NaN."""
    return np.linalg.svd(_finite(a), **kwargs)


def _finite(a):
    """``a``, or PyTorch's error for a matrix holding inf or NaN (``svd``)."""
    if not np.isfinite(a).all():
        raise LinAlgError("linalg.svd: The algorithm failed to converge because the input "
                          "matrix contained non-finite values.")
    return a


def _not_floating(dtype, name):
    """The error for a matrix input of ``dtype`` that is not floating point: PyTorch's for
    integers and bools; for complex ones (PyTorch computes them) that tapegrad's matrix
    functions are real only."""
    if dtype.kind == "c":
        return NotImplementedError(f"{name}: complex inputs are not supported (tapegrad's "
                                   "matrix functions are real only)")
    return RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                        f"Got {_args.torch_name(dtype)}")


#: the ATen kernel that refuses a float16 matrix, by the op's name (numpy's linalg raised
#: TypeError "array type float16 is unsupported in linalg")
_HALF_KERNELS = {
    "linalg.det": "lu_cpu", "linalg.solve": "lu_cpu", "linalg.solve_ex": "lu_cpu",
    "linalg.svd": "linalg_svd_cpu", "svd": "linalg_svd_cpu", "linalg.svdvals": "linalg_svd_cpu",
    "linalg.eigh": "linalg_eigh_cpu", "linalg.eigvalsh": "linalg_eigh_cpu",
    "linalg.cholesky": "cholesky_cpu", "linalg.cholesky_ex": "cholesky_cpu",
    "linalg.qr": "geqrf_cpu", "linalg.householder_product": "orgqr_cpu",
    "cholesky_inverse": "cholesky_inverse_out_cpu"}
#: the ops that refuse float16 with PyTorch's "Low precision dtypes" error, by the name it gives
_LOW_PRECISION = {"linalg.inv": "linalg.inv", "linalg.inv_ex": "linalg.inv",
                  "linalg.slogdet": "linalg.slogdet", "logdet": "logdet"}


def _half_refusal(A, name, square):
    """PyTorch's error for a float16 matrix given to op ``name``; None for the ops that
    compute in float16 here."""
    if name == "linalg.cond":  # its SVD's (p None, 2, -2), else that of the inverse it takes
        name = "linalg.inv" if square else "linalg.svd"
    if name in _HALF_KERNELS:
        return _args.not_implemented(_HALF_KERNELS[name], A.dtype)
    if name in ("linalg.pinv", "pinverse"):
        return RuntimeError(f"linalg.pinv(Half{{{list(A.shape)}}}): expected a tensor with 2 or "
                            "more dimensions of float, double, cfloat or cdouble types")
    if name in _LOW_PRECISION:
        return RuntimeError(f"{_LOW_PRECISION[name]}: Low precision dtypes not supported. "
                            "Got Half")
    return None


def _check(A, name, square=True):
    """PyTorch's checks of a batch of matrices, before any work."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A.dtype.kind != "f":
        raise _not_floating(A.dtype, name)
    if A.dtype == np.float16 and (refusal := _half_refusal(A, name, square)) is not None:
        raise refusal
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



def _lu_array(a):
    """LU with partial pivoting of a batch of ``(m, n)`` matrices, LAPACK's ``getrf`` output:
    ``(LU, pivots, infos)`` with the unit lower factor below the diagonal, 1-based int32 row
    swaps and the 1-based index of the first zero pivot (0: none). Right-looking elimination
    in the array's dtype (the pivot: the first largest magnitude of the column, as ``i?amax``)."""
    lu = np.array(a, copy=True)
    m, n = lu.shape[-2:]
    k = min(m, n)
    flat = lu.reshape((int(np.prod(lu.shape[:-2])), m, n))  # -1 is ambiguous when m n = 0
    piv = np.zeros((flat.shape[0], k), dtype=np.int32)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for b, x in enumerate(flat):
        for j in range(k):
            p = j + int(np.argmax(np.abs(x[j:, j])))
            piv[b, j] = p + 1
            if p != j:
                x[[j, p]] = x[[p, j]]
            if x[j, j] != 0:
                x[j + 1:, j] /= x[j, j]
            elif info[b] == 0:
                info[b] = j + 1
            x[j + 1:, j + 1:] -= np.outer(x[j + 1:, j], x[j, j + 1:])
    batch = lu.shape[:-2]
    return flat.reshape(lu.shape), piv.reshape(batch + (k,)), info.reshape(batch)


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


def _signed_zero_dets(a, y):
    """``y`` (numpy's dets of ``a``) with each zero of a finite matrix recomputed as PyTorch's:
    the product of the diagonal of LAPACK's LU of its column-major copy (``A^T``'s, row
    pivoting) times the pivots' sign (``det([[1, 2], [2, 4]])`` is -0.0 there, one row swap;
    numpy's det was +0.0 for any singular matrix)."""
    n = a.shape[-1]
    flat, dets = a.reshape((-1, n, n)), y.reshape(-1).copy()
    (idx,) = np.nonzero((dets == 0) & np.isfinite(flat).all((-2, -1)))
    if idx.size:
        lu, piv, _ = _lu_array(np.swapaxes(flat[idx], -1, -2))
        swaps = (piv != np.arange(1, n + 1, dtype=piv.dtype)).sum(-1)
        prod = np.diagonal(lu, axis1=-2, axis2=-1).prod(-1)
        dets[idx] = np.where(swaps % 2 == 1, -prod, prod)
    return dets.reshape(y.shape)


class LinalgDet(Node):
    """``det(A)``; its gradient is ``g`` times the cofactor matrix of ``A``: ``det(A) A^-T``
    where ``A`` is invertible, from the SVD where it is singular (``_cofactors``)."""

    def forward(self, a):
        y = np.asarray(quiet(np.linalg.det)(a))
        if a.size and not y.all():
            y = _signed_zero_dets(a, y)
        if a.size and not np.isfinite(a).all():
            # numpy's det is 0 at a zero pivot without forming the pivots' product; PyTorch's
            # is that product: NaN for a matrix with a NaN, or an inf met by a 0 (numpy: 0)
            y = y.copy()
            np.copyto(y, np.nan, where=np.isnan(a).any((-2, -1))
                      | (~np.isfinite(a).all((-2, -1)) & (y == 0)))
        self.save_for_backward(a, y)
        return y

    def backward(self, g):
        a, y = self.saved
        undefined = np.isnan(xp.data(y))
        if undefined.any():  # a NaN det: PyTorch's gradient is NaN throughout that matrix
            full = np.broadcast_to(undefined[..., None, None], a.shape)
            eye = np.eye(a.shape[-1], dtype=_dtype(a))  # (the others' gradients as they are)
            gx = self._grad(g, xp.where(full, eye, a), xp.where(undefined, 1.0, y))
            return (xp.where(full, np.nan, gx),)
        return (self._grad(g, a, y),)

    def _grad(self, g, a, y):
        singular = xp.data(y) == 0  # (a zero pivot: exactly where inverting fails)
        if not singular.any():
            return _as_matrix_grad(g * y) * _mT(_inv(a))
        if self.differentiable:
            raise NotImplementedError(
                "linalg.det: the gradient at a singular matrix is not implemented with "
                "create_graph=True (for a second derivative); without it, it is the cofactor "
                "matrix")
        cof = _cofactors(a)
        if singular.all():
            return _as_matrix_grad(g) * cof
        ok = ~singular  # the invertible matrices of the batch keep det(A) A^-T's rounding
        cof[ok] = y[ok][..., None, None] * _mT(_inv_array(a[ok]))
        return _as_matrix_grad(g) * cof


def _cofactors(a):
    """The cofactor matrix of each matrix of ``a`` (the transpose of its adjugate: the
    derivative of ``det``), also at a singular matrix: with ``a = U diag(s) Vh``, it is
    ``det(U) det(Vh) U diag(c) Vh`` where ``c_i`` is the product of the other ``s_j``
    (prefix times suffix products, no division by a zero singular value)."""
    u, s, vh = np.linalg.svd(a)
    ones = np.ones(s.shape[:-1] + (1,), s.dtype)
    before = np.cumprod(np.concatenate([ones, s[..., :-1]], -1), -1)
    after = np.cumprod(np.concatenate([ones, s[..., :0:-1]], -1), -1)[..., ::-1]
    phase = np.linalg.det(u) * np.linalg.det(vh)
    return (phase[..., None, None] * (u * (before * after)[..., None, :])) @ vh


@op("det", method=True, samples=[Sample("det", lambda a: det(_sq(a)))])
def det(input: Tensor) -> Tensor:
    """Return the determinant of the square matrix (or batch of matrices) ``input``.

    Also ``autograd_core.linalg.det`` and ``Tensor.det``. Its gradient is the cofactor matrix,
    also at a singular matrix (there from the SVD; the second derivative there is refused).

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
    """``(sign, log|det(A)|)``, both outputs of the graph as PyTorch's (``sign`` requires grad
    with ``A``); the gradient ``g A^-T`` comes from ``logabsdet`` only: a real ``sign`` is
    piecewise constant, so a pass reaching only ``sign`` leaves ``A.grad`` None."""

    n_outputs = 2
    materialize_grads = False

    def forward(self, a):
        sign, y = quiet(np.linalg.slogdet)(a)  # a NaN matrix: NaN, silently (PyTorch's)
        sign, y = np.asarray(sign, dtype=a.dtype), np.asarray(y)
        self.undefined = None
        if a.size and not np.isfinite(a).all():
            # PyTorch's (0, NaN) where its det is NaN (a NaN in the matrix, an inf met by a
            # zero pivot); numpy's was (0, -inf) or (1, NaN) there
            bad = np.isnan(a).any((-2, -1)) | np.isnan(y) | \
                (~np.isfinite(a).all((-2, -1)) & (sign == 0))
            sign, y = np.where(bad, sign.dtype.type(0), sign), np.where(bad, y.dtype.type(np.nan), y)
            self.undefined = bad if bad.any() else None
        self.save_for_backward(a)
        return sign, y

    def backward(self, gsign, g):
        if g is None:
            return (None,)
        (a,) = self.saved
        if self.undefined is None:
            return (_as_matrix_grad(g) * _mT(_inv(a)),)
        # PyTorch's gradient is NaN throughout a matrix of NaN logabsdet; the others' as they are
        full = np.broadcast_to(self.undefined[..., None, None], a.shape)
        gx = _as_matrix_grad(g) * _mT(_inv(xp.where(full, np.eye(a.shape[-1], dtype=_dtype(a)), a)))
        nans = np.where(full, np.nan, 0.0).astype(_dtype(a))  # (a's: NaN in a second
        return (xp.where(full, a * nans, gx),)                 # derivative too, there only)


@op("slogdet", method=True, samples=[
    Sample("slogdet", lambda a: slogdet(_sq(a) * -1.0)[1])])
def slogdet(input: Tensor) -> SlogdetResult:
    """Return ``(sign, logabsdet)``: the sign of the determinant and the log of its magnitude.

    Stable where ``det`` would under- or overflow. Also ``autograd_core.linalg.slogdet``;
    both come out of one graph node (``sign`` requires grad with ``input``, as PyTorch's),
    the gradient flowing through ``logabsdet`` (a real ``sign`` is piecewise constant).

    Args:
        input (Tensor): a ``(*, n, n)`` floating-point tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.slogdet(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
        linalg_slogdet(sign=tensor(-1.), logabsdet=tensor(0.6931))
    """
    _check(input, "linalg.slogdet")
    return SlogdetResult(*LinalgSlogdet.apply(input))


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
    sign, y = LinalgSlogdet.apply(input)
    sign = sign._data
    if (sign < 0).any():  # PyTorch's where(sign == -1, nan, logabsdet): no gradient there
        y = xp.where(sign >= 0, y, np.nan)  # (adding NaN passed logabsdet's gradient through)
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
        if isinstance(g, Tensor) or isinstance(a, Tensor):  # create_graph: recorded ops
            gb = xp.matmul(_mT(_inv(a)), g)
        else:  # one solve with A^T (PyTorch's), not an inverse: 3x fewer flops, more accurate
            gb = np.linalg.solve(_mT(a), g)
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
                           f"A of type {_args.torch_name(A.dtype)} and B of type {_args.torch_name(B.dtype)} "
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


@op("linalg.cholesky", function=False, samples=[Sample("cholesky", lambda a: cholesky(_spd(a)))])
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
    ``gA = V (F * skew(V^T g)) V^T`` with ``F_ij = 1 / (w_j - w_i)`` off the diagonal and
    ``skew(M) = (M - M^T) / 2``: a symmetric gradient, PyTorch's (the input is read as the
    symmetric matrix its triangle stands for, so only symmetric perturbations exist; without
    the projection the gradient had an extra antisymmetric part)."""

    def forward(self, a, UPLO):
        w, v = np.linalg.eigh(a, UPLO=UPLO)
        # v is the output: saved as such, an in-place change of it makes backward raise
        self.save_for_backward(a, v)
        self.uplo, self.w = UPLO, w
        return v

    def backward(self, g):
        a, v = self.saved
        if isinstance(a, Tensor):
            w = LinalgEigvalsh.apply(a, UPLO=self.uplo)
            v = LinalgEigh.apply(a, UPLO=self.uplo)
        else:
            w = self.w
        gap = _row(w) - _col(w)
        mask = np.eye(w.shape[-1], dtype=bool) | (xp.data(gap) == 0)
        f = xp.where(mask, 0.0, 1.0 / xp.where(mask, 1.0, gap))
        vg = xp.matmul(_mT(v), g)
        inner = (vg - _mT(vg)) * (0.5 * f)
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
        u, s, vh = _svd(a, full_matrices=False)
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
        if mode == "r":  # the empty Q requires grad too, as PyTorch's (backward refuses)
            return QRResult(LinalgQrRefused.apply(A, np.zeros((0,), dtype=r.dtype),
                                                  message=_QR_NO_GRAD[mode]),
                            LinalgQrRefused.apply(A, r, message=_QR_NO_GRAD[mode]))
        # both factors refuse (a Q without a graph would add a silent zero to a gradient)
        return QRResult(LinalgQrRefused.apply(A, q, message=_QR_NO_GRAD[mode]),
                        LinalgQrRefused.apply(A, r, message=_QR_NO_GRAD[mode]))
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
        x = np.linalg.pinv(_finite(a), rcond=rtol, hermitian=hermitian)
        self.save_for_backward(a, x)
        return x

    def backward(self, g):
        a, x = self.saved
        return (_pinv_grad(a, x, g),)


def _pinv_grad(a, x, g):
    """The gradient with respect to ``a`` of ``x = pinv(a)`` for the incoming ``g``."""
    m, n = a.shape[-2], a.shape[-1]
    dt = _dtype(g)
    mm = xp.matmul
    xt, gt = _mT(x), _mT(g)
    ga = -mm(mm(xt, g), xt)
    ga = ga + mm(mm(-mm(a, x) + np.eye(m, dtype=dt), gt), mm(x, xt))
    return ga + mm(mm(mm(xt, x), gt), -mm(x, a) + np.eye(n, dtype=dt))


def _default_rtol(a):
    """PyTorch's default relative cut-off for singular values: ``eps * max(m, n)``."""
    return float(np.finfo(_dtype(a)).eps) * max(a.shape[-2], a.shape[-1])


def _svd_lstsq(a, b, rcond):
    """Least squares by SVD (LAPACK's ``gelsd`` without the divide and conquer): the
    minimum-norm ``X`` minimising ``||A X - B||``, with singular values at most ``rcond``
    times the largest taken as zero; returns ``(X, rank, singular values)``."""
    m, n = a.shape[-2:]
    k = b.shape[-1]
    batch = a.shape[:-2]
    if a.size == 0 or b.size == 0:
        return (np.zeros(batch + (n, k), a.dtype), np.zeros(batch, np.int64),
                np.zeros(batch + (min(m, n),), a.dtype))
    u, s, vt = _svd(a, full_matrices=False)
    keep = s > rcond * s[..., :1]
    inv = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0).astype(a.dtype)
    x = np.matmul(_mT(vt), inv[..., :, None] * np.matmul(_mT(u), b))
    return x, keep.sum(-1).astype(np.int64), s


class LinalgLstsq(Node):
    """The least-squares solution ``X = A^+ B`` (minimum-norm where ``A`` is rank-deficient).
    Its gradient is PyTorch's: that of ``pinv(A) @ B``, with ``pinv(A)`` recomputed from ``A``
    in backward (an op under create_graph, so it is differentiable again)."""

    def forward(self, a, b, rcond):
        self.save_for_backward(a, b)
        return _svd_lstsq(a, b, rcond)[0]

    def backward(self, g):
        a, b = self.saved
        rtol = _default_rtol(a)
        p = LinalgPinv.apply(a, rtol=rtol, hermitian=False) if isinstance(a, Tensor) else \
            np.linalg.pinv(_finite(a), rcond=rtol)
        ga = _pinv_grad(a, p, xp.matmul(g, _mT(b))) if self.needs_input_grad[0] else None
        gb = xp.matmul(_mT(p), g) if self.needs_input_grad[1] else None
        return ga, gb


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


#: ``torch.return_types.linalg_lstsq``
LstsqResult = namedtuple(  # type: ignore[name-match]
    "linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _tall(t):
    """A tall matrix with distinct, well-separated singular values (samples)."""
    x = _as2d(t)
    return _distinct_sv(x if x.shape[0] >= x.shape[1] else x.T)


def _rhs(b, rows, cols):
    """A ``(rows, cols)`` right-hand side from any input (a fixed matrix scaled by its sum)."""
    base = np.linspace(-1.0, 1.0, rows * cols).reshape(rows, cols).astype(b.dtype)
    return xp.constant(base) * (b.sum() * 0.1 + 1.0)


@op("lstsq", function=False, samples=[
    Sample("lstsq", lambda a, b: lstsq(A := _tall(a), _rhs(b, A.shape[0], 2)).solution, 2),
    Sample("lstsq_vector", lambda a, b: lstsq(A := _tall(a), _rhs(
        b, A.shape[0], 1).reshape(-1)).solution, 2)])
def lstsq(A: Tensor, B: Tensor, rcond: builtins.float | None = None, *,
          driver: str | None = None) -> LstsqResult:
    """Return a least-squares solution of ``A X = B``, as ``torch.linalg.lstsq`` on the CPU.

    ``solution`` minimises ``||A X - B||`` (the minimum-norm one where ``A`` is
    rank-deficient). What else is returned depends on ``driver``, as in PyTorch: ``"gelsy"``
    (the default) gives ``rank``; ``"gelsd"`` and ``"gelss"`` give ``rank``,
    ``singular_values`` and, when ``m > n`` and every matrix has full rank, ``residuals``
    (``||A X - B||^2`` per column); ``"gels"`` gives ``residuals`` when ``m > n``. The others
    are empty tensors. Every driver solves by an SVD here (see DIFFERENCES.md). The gradient of ``solution`` is PyTorch's, that of
    ``pinv(A) @ B``.

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        B (Tensor): ``(*, m, k)`` right-hand sides, or ``(*, m)`` vectors (batch dimensions
            broadcast).
        rcond (float, optional): singular values at most ``rcond`` times the largest count as
            zero. Default: the dtype's eps times ``max(m, n)``.
        driver (str, optional): ``"gels"``, ``"gelsy"``, ``"gelsd"`` or ``"gelss"``.
            Default: ``"gelsy"``.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
        >>> B = ag.tensor([[1.0], [2.0], [4.0]])
        >>> ag.linalg.lstsq(A, B).solution  # the line 0.8333 + 1.5 x
        tensor([[0.8333],
                [1.5000]])
        >>> ag.linalg.lstsq(A, B, driver="gelsd").residuals
        tensor([0.1667])
    """
    name = "torch.linalg.lstsq"
    for arg, val in (("A", A), ("B", B)):
        if not isinstance(val, Tensor):
            raise TypeError(f"linalg_lstsq(): argument '{arg}' must be Tensor, not "
                            f"{type(val).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{name}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {_args.torch_name(A.dtype)} and other's dtype "
                           f"{_args.torch_name(B.dtype)}")
    if not (A.ndim >= B.ndim and A.ndim - B.ndim <= 1):
        raise RuntimeError(f"{name}: input.dim() must be greater or equal to other.dim() and "
                           f"(input.dim() - other.dim()) <= 1")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if B.shape[-1 if vector else -2] != A.shape[-2]:
        raise RuntimeError(f"{name}: input.size(-2) should match other.size("
                           f"{-1 if vector else -2})")
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{name}: parameter `driver` should be one of "
                           f"({', '.join(_LSTSQ_DRIVERS)})")
    if A.dtype.kind != "f" or A.dtype == np.float16:
        raise RuntimeError("This function doesn't handle types other than float and double")
    b = B.unsqueeze(-1) if vector else B
    try:
        batch = tuple(np.broadcast_shapes(tuple(A.shape[:-2]), tuple(b.shape[:-2])))
    except ValueError:
        raise _broadcast_error(name, np.empty(A.shape[:-2], bool),
                               np.empty(b.shape[:-2], bool)) from None
    if tuple(A.shape[:-2]) != batch:
        A = A.expand(batch + tuple(A.shape[-2:]))
    if tuple(b.shape[:-2]) != batch:
        b = b.expand(batch + tuple(b.shape[-2:]))
    m, n = A.shape[-2:]
    if rcond is None:
        rcond = _default_rtol(A)
    x = LinalgLstsq.apply(A, b, rcond=float(rcond))
    _, rank, sv = _svd_lstsq(A._data, b._data, float(rcond))
    dt = A.dtype
    empty = Tensor._make(np.zeros(0, dt), None, False)
    residuals = x.reshape(-1)[:0]  # empty, of the graph as PyTorch's (requires grad with A, B)
    full = bool(np.all(rank == min(m, n)))
    if m > n and (driver == "gels" or (driver in ("gelsd", "gelss") and full)):
        r = A @ x - b  # differentiable, as PyTorch's (its gradient is this expression's)
        residuals = (r * r).sum(-2)
    keeps_rank = driver != "gels"
    keeps_sv = driver in ("gelsd", "gelss")
    return LstsqResult(
        x.squeeze(-1) if vector else x, residuals,
        Tensor._make(rank if keeps_rank else np.zeros(0, np.int64), None, False),
        Tensor._make(sv, None, False) if keeps_sv else empty)


def matrix_rank(A: Tensor, *, atol: builtins.float | Tensor | None = None,
                rtol: builtins.float | Tensor | None = None,
                hermitian: builtins.bool = False) -> Tensor:
    """Return the numerical rank of a matrix (or batch), as ``torch.linalg.matrix_rank``.

    Singular values (eigenvalue magnitudes with ``hermitian=True``) above
    ``max(atol, rtol * largest)`` count. Without ``atol`` and ``rtol``, ``rtol`` is the dtype's
    eps times ``max(m, n)``; with ``atol > 0`` alone, ``rtol`` is 0. Not differentiable
    (int64).

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        atol (float or Tensor, optional): the absolute tolerance. Default: None (0).
        rtol (float or Tensor, optional): the relative tolerance. Default: see above.
        hermitian (bool): ``A`` is symmetric (only its lower triangle is used).
            Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.matrix_rank(ag.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(1)
        >>> ag.linalg.matrix_rank(ag.eye(3), atol=1.5)
        tensor(0)
    """
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg_matrix_rank(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at "
                           "least 2 dimensions.")
    if A.dtype.kind != "f" or A.dtype == np.float16:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if hermitian:
        _check(A, "linalg.eigh")
    refuse_capture("linalg.matrix_rank()")
    a = A._data
    if a.size == 0:
        return Tensor._make(np.zeros(a.shape[:-2], np.int64), None, False)
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(a, UPLO="L"))
    else:
        s = _svd(a, compute_uv=False)
    at = np.asarray(0.0 if atol is None else xp.data(atol), dtype=np.float64)
    if rtol is None:
        rt = np.where(at > 0, 0.0, _default_rtol(a)) if atol is not None else \
            np.asarray(_default_rtol(a))
    else:
        rt = np.asarray(xp.data(rtol), dtype=np.float64)
    tol = np.maximum(at, rt * s.max(-1))
    return Tensor._make((s > tol[..., None]).sum(-1).astype(np.int64), None, False)


@op("matrix_power", method=True, samples=[
    Sample("matrix_power", lambda a: matrix_power(_sq(a) * 0.3, 3)),
    Sample("matrix_power_neg", lambda a: matrix_power(_sq(a) * 0.3, -2)),
    Sample("matrix_power_5", lambda a: matrix_power(_sq(a) * 0.3, 5))])
def matrix_power(input: Tensor, n: builtins.int) -> Tensor:
    """Return the ``n``-th power of a square matrix (or batch), as ``torch.matrix_power``.

    ``n = 0`` gives the identity (with a zero gradient), ``n < 0`` the ``-n``-th power of
    the inverse. Powers above 3 multiply by repeated squaring in PyTorch's order, so the
    numbers round as PyTorch's. ``autograd_core.linalg.matrix_power`` and
    ``Tensor.matrix_power`` are the same.

    Args:
        input (Tensor): ``(*, m, m)`` matrices.
        n (int): the exponent.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[1.0, 1.0], [0.0, 1.0]])
        >>> ag.matrix_power(A, 3)
        tensor([[1., 3.],
                [0., 1.]])
        >>> A.matrix_power(-1)
        tensor([[ 1., -1.],
                [ 0.,  1.]])
    """
    name = "linalg.matrix_power"
    if not isinstance(input, Tensor):
        raise TypeError(f"matrix_power(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if isinstance(n, builtins.bool) or not isinstance(n, (builtins.int, np.integer)):
        raise TypeError(f"matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{input.shape[-2]} by {input.shape[-1]} matrices")
    a = input
    if n == 0:
        eye = xp.constant(np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape))
        return xp.where(xp.constant(np.ones(a.shape, bool)), eye, a)
    if n < 0:
        if a.dtype.kind != "f":
            raise _not_floating(a.dtype, "linalg.inv")
        a, n = inverse(a), -n
    if n == 1:
        return a.clone()
    if n <= 3:
        return a @ a if n == 2 else (a @ a) @ a
    z: Tensor | None = None
    result: Tensor | None = None
    while n > 0:
        z = a if z is None else z @ z
        if n & 1:
            result = z if result is None else result @ z
        n >>= 1
    assert result is not None  # n >= 4 has a set bit
    return result


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
    return tuple(t if tuple(t.shape) == shape else t.expand(shape) for t in (input, other))


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
