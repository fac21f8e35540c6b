"""``autograd_core.linalg``, as ``torch.linalg``: norms, determinants, inverse, solve,
least squares, rank, matrix powers, Cholesky, symmetric eigenvalues, singular values,
pseudo-inverse and cross product, under PyTorch's names and keywords. The ops themselves are
declared in ``autograd_core.ops.matrix`` (gradients included); the norms are composed of
``autograd_core.norm``'s node and reductions.

Example::

    >>> import autograd_core as ag
    >>> A = ag.tensor([[3.0, 1.0], [1.0, 2.0]], requires_grad=True)
    >>> ag.linalg.det(A)
    tensor(5., grad_fn=<LinalgDetBackward0>)
    >>> ag.linalg.norm(ag.tensor([3.0, 4.0]))
    tensor(5.)
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple
from typing import Sequence, Union

import numpy as np

from autograd_core.ops import _args, _xp
from autograd_core.ops.matrix import (
    EighResult, LinAlgError, LinalgPinv, QRResult, SlogdetResult, cholesky, cross as _cross,
    eigh, eigvalsh, lstsq, matrix_power as _matrix_power, matrix_rank, qr, solve, svdvals,
)
from autograd_core.ops import matrix as _matrix
from autograd_core.ops.matrix import _check, _cross_prepare, _not_floating
from autograd_core.ops.batch2_linalg import svd as _legacy_svd
from autograd_core.ops.compose import diagonal as _diagonal
from autograd_core.ops.linalg import matmul as _matmul
from autograd_core.ops.linalg_solvers import LinalgLuFactor, check_pivot_values, eig, eigvals, \
    linalg_lu_solve as lu_solve, multi_dot, pivot_permutation, solve_triangular
from autograd_core.ops.reduce import matrix_dims as _matrix_dims
from autograd_core.ops.shape import cat as _cat
from autograd_core.ops.reduce import Norm, norm_into
from autograd_core.ops.registry import DECLS, refuse_capture, typed
from autograd_core.creation import ones_like as _ag_ones_like, zeros as _ag_zeros
from autograd_core.tensor import DTypeLike, Tensor

_Dims = Union[builtins.int, Sequence[builtins.int], None]
_Ord = Union[builtins.float, str, None]

__all__ = ["EighResult", "LinAlgError", "SlogdetResult", "cholesky", "cholesky_ex", "cond",
           "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "householder_product",
           "inv", "inv_ex", "ldl_factor", "ldl_factor_ex", "ldl_solve", "lstsq", "lu",
           "lu_factor", "lu_factor_ex", "lu_solve", "matmul",
           "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv",
           "qr", "QRResult", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals",
           "tensorinv", "tensorsolve", "vander", "vecdot", "vector_norm"]


def det(A: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Return the determinant of a square matrix (or batch), as ``torch.linalg.det``.

    Args:
        A (Tensor): ``(*, n, n)`` matrices.
        out (Tensor, optional): the determinant written into it (of its dtype; resized).

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.det(ag.tensor([[2.0, 1.0], [1.0, 3.0]]))
        tensor(5.)
    """
    if out is not None:
        return norm_into(out, (A,), lambda: _matrix.det(A), "linalg_det", aten="_linalg_det")
    return _matrix.det(A)


def slogdet(A: Tensor) -> SlogdetResult:
    """Return ``(sign, logabsdet)`` of the determinant, as ``torch.linalg.slogdet``.

    Args:
        A (Tensor): ``(*, n, n)`` matrices.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.slogdet(ag.tensor([[0.0, 2.0], [3.0, 0.0]]))
        linalg_slogdet(sign=tensor(-1.), logabsdet=tensor(1.7918))
    """
    return _matrix.slogdet(A)


def inv(A: Tensor) -> Tensor:
    """Return the inverse of a square matrix (or batch), as ``torch.linalg.inv``.

    A singular matrix raises ``LinAlgError`` (a ``RuntimeError``).

    Args:
        A (Tensor): ``(*, n, n)`` invertible matrices.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.inv(ag.tensor([[1.0, 1.0], [0.0, 1.0]]))
        tensor([[ 1., -1.],
                [ 0.,  1.]])
    """
    return _matrix.inverse(A)


def matrix_power(A: Tensor, n: builtins.int) -> Tensor:
    """Return the ``n``-th power of a square matrix (or batch), as
    ``torch.linalg.matrix_power``: the identity for ``n = 0``, powers of the inverse for
    ``n < 0``.

    Args:
        A (Tensor): ``(*, m, m)`` matrices.
        n (int): the exponent.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.matrix_power(ag.tensor([[2.0, 0.0], [0.0, 0.5]]), -2)
        tensor([[0.2500, 0.0000],
                [0.0000, 4.0000]])
    """
    return _matrix_power(A, n)


def cross(input: Tensor, other: Tensor, *, dim: builtins.int = -1) -> Tensor:
    """Return the cross product of 3-vectors along ``dim``, as ``torch.linalg.cross``.

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand (shapes broadcast).
        dim (int): the dimension of size 3. Default: -1.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.cross(ag.tensor([[0.0, 1.0, 0.0]]), ag.tensor([[0.0, 0.0, 1.0]]))
        tensor([[1., 0., 0.]])
    """
    a, b = _cross_prepare(input, other, "linalg.cross")
    if not -a.ndim <= dim < max(a.ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-a.ndim}, {a.ndim - 1}], but got {dim})")
    if a.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim]} and {other.shape[dim]}")
    return _cross(a, b, dim=dim)


def _cast(x: Tensor, dtype: DTypeLike | None, name: str) -> Tensor:
    """``x`` (cast to ``dtype``), refused unless floating point or complex (the norms; their
    matrix factorisations refuse complex inputs themselves)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind not in "fc":
        raise _not_floating(x.dtype, name)
    return x


def vector_norm(x: Tensor, ord: builtins.float = 2, dim: _Dims = None,
                keepdim: builtins.bool = False, *, dtype: DTypeLike | None = None,
                out: Tensor | None = None) -> Tensor:
    """Return the vector ``ord``-norm of ``x`` over ``dim`` (all elements if None).

    ``ord``: any number, ``inf`` (largest ``|x|``), ``-inf`` (smallest), 0 (count of non-zeros).

    Args:
        x (Tensor): a floating-point tensor.
        ord (float): the order. Default: 2.
        dim (int or tuple of ints, optional): the dimensions to reduce; all if None.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        dtype (dtype, optional): cast ``x`` to this dtype first.
        out (Tensor, optional): the norm written into it (of the norm's dtype; resized).

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.vector_norm(ag.tensor([[3.0, -4.0], [0.0, 1.0]]), ord=1, dim=1)
        tensor([7., 1.])
    """
    if out is not None:
        return norm_into(out, (x,), lambda: vector_norm(x, ord, dim, keepdim, dtype=dtype),
                         "linalg.vector_norm")
    x = _cast(x, dtype, "linalg.vector_norm")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    dims, keep = _args.dims(dim, None, keepdim, None, x.ndim)
    if ord < 0 and x.numel() == 0:  # (min has no identity: refused where a reduced dim is
        # empty; a reduction over the other dims of an empty tensor is empty, as PyTorch's)
        empty = [d for d in (range(x.ndim) if dims is None else dims) if x.shape[d] == 0]
        if empty:
            where = "an empty tensor because" if dim is None else \
                f"the dimension {empty[0]} because this dimension is empty and"
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on {where} "
                               "the operation does not have an identity")
    return Norm.apply(x, p=float(ord), dim=dims, keepdim=keep)


def _move_last_two(A: Tensor, dim: Sequence[builtins.int]) -> tuple[Tensor, tuple]:
    d0, d1 = (_args.axis(d, A.ndim, "linalg.matrix_norm") for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    rest = [d for d in range(A.ndim) if d not in (d0, d1)]
    return A.permute(*rest, d0, d1), (d0, d1)


def _keep(y: Tensor, dims: tuple, ndim: builtins.int) -> Tensor:
    """``y`` (the two matrix dims reduced away) with size-1 dims put back at ``dims``."""
    shape = list(y.shape)
    for d in sorted(dims):
        shape.insert(d, 1)
    return y.reshape(tuple(shape))


def matrix_norm(A: Tensor, ord: builtins.float | str = "fro",
                dim: tuple[builtins.int, builtins.int] = (-2, -1),
                keepdim: builtins.bool = False, *, dtype: DTypeLike | None = None) -> Tensor:
    """Return the matrix norm of ``A`` over the two dimensions ``dim``.

    ``ord``: ``"fro"`` (Frobenius), ``"nuc"`` (sum of singular values), ``inf``/``-inf``
    (max/min row sum of ``|A|``), 1/-1 (max/min column sum), 2/-2 (largest/smallest singular
    value).

    Args:
        A (Tensor): a tensor with at least 2 dimensions.
        ord (float or str): the order. Default: ``"fro"``.
        dim (tuple of 2 ints): the matrix dimensions. Default: ``(-2, -1)``.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        dtype (dtype, optional): cast ``A`` to this dtype first.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[1.0, -2.0], [3.0, 4.0]])
        >>> ag.linalg.matrix_norm(A, ord=1), ag.linalg.matrix_norm(A, ord=float("inf"))
        (tensor(6.), tensor(7.))
    """
    if ord in ("nuc", 2, -2) and isinstance(A, Tensor) and A.dtype == np.float16:
        # checked before dtype= applies, as PyTorch's (numpy's linalg raised TypeError)
        raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got Half")
    A = _cast(A, dtype, "linalg.matrix_norm")
    _matrix_dims(A, dim)
    if ord == "fro":
        return vector_norm(A, 2, tuple(dim), keepdim)
    M, dims = _move_last_two(A, dim)
    if ord == "nuc" or ord in (2, -2):
        s = svdvals(M)
        y = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
    elif ord in (1, -1, math.inf, -math.inf):
        sums = M.abs().sum(-1 if abs(ord) == math.inf else -2)
        y = sums.amax(-1) if ord > 0 else sums.amin(-1)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return _keep(y, dims, A.ndim) if keepdim else y


def norm(input: Tensor, ord: _Ord = None, dim: _Dims = None, keepdim: builtins.bool = False, *,
         dtype: DTypeLike | None = None) -> Tensor:
    """Return a vector or matrix norm, as ``torch.linalg.norm``.

    With ``dim`` an int (or None and ``A`` 1-d) a vector norm; with ``dim`` a 2-tuple (or
    None and ``A`` 2-d) a matrix norm; with both ``ord`` and ``dim`` None the 2-norm of all
    elements.

    Args:
        input (Tensor): a floating-point tensor.
        ord (float or str, optional): the order (see ``vector_norm``, ``matrix_norm``).
        dim (int or tuple of ints, optional): the dimension(s) to reduce.
        keepdim (bool): keep the reduced dimensions with size 1. Default: False.
        dtype (dtype, optional): cast ``A`` to this dtype first.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.norm(ag.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(5.)
        >>> ag.linalg.norm(ag.tensor([[1.0, 2.0], [2.0, 4.0]]), ord="nuc")
        tensor(5.)
    """
    A = _cast(input, dtype, "linalg.norm")
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim)
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.ndim}D.")
        dim = tuple(range(A.ndim))
    dims = (dim,) if isinstance(dim, builtins.int) else tuple(dim)
    if len(dims) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim)
    if len(dims) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim)
    raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                       f"Got {list(dims)}")


def pinv(A: Tensor, *, atol: builtins.float | None = None, rtol: builtins.float | None = None,
         hermitian: builtins.bool = False) -> Tensor:
    """Return the Moore-Penrose pseudo-inverse of a matrix (or batch), as
    ``torch.linalg.pinv``.

    Singular values at most ``max(atol, rtol * largest)`` count as zero; ``rtol`` defaults to
    ``eps * max(m, n)`` when ``atol`` is not given, else to 0. The gradient holds where the
    rank does not change.

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        atol (float, optional): the absolute cut-off.
        rtol (float, optional): the relative cut-off.
        hermitian (bool): ``A`` is symmetric (only its lower triangle is used). Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.pinv(ag.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    _check(A, "linalg.pinv", square=False)
    if hermitian and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.pinv: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else (
            float(np.finfo(A.dtype).eps) * max(A.shape[-2], A.shape[-1]))
    cut: builtins.float | np.ndarray = float(rtol)
    if atol is not None and atol > 0 and A.numel():
        # numpy's cut-off is relative to each matrix's largest singular value
        big = _matrix._svd(A._data, compute_uv=False).max(axis=-1)
        cut = np.maximum(atol, rtol * big) / np.where(big > 0, big, 1.0)
    return LinalgPinv.apply(A, rtol=cut, hermitian=bool(hermitian))


SvdLinalgResult = namedtuple("linalg_svd", ["U", "S", "Vh"])  # type: ignore[name-match]


def svd(A: Tensor, full_matrices: builtins.bool = True, *,
        driver: str | None = None) -> SvdLinalgResult:
    """Return ``(U, S, Vh)`` with ``A = U diag(S) Vh``, as ``torch.linalg.svd``: singular
    values descending, each singular vector defined up to sign. ``full_matrices=True`` (the
    default) completes U or Vh to a square orthogonal matrix; the completing columns carry no
    gradient (PyTorch's backward narrows them away), the others as with
    ``full_matrices=False``. A matrix holding inf or NaN is refused (PyTorch's error).

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        full_matrices (bool): square U and Vh. Default: True.
        driver (str, optional): accepted for PyTorch's signature (a CUDA option).

    Example::

        >>> import autograd_core as ag
        >>> U, S, Vh = ag.linalg.svd(ag.tensor([[3.0, 0.0, 0.0], [0.0, -2.0, 0.0]]))
        >>> S, tuple(U.shape), tuple(Vh.shape)
        (tensor([3., 2.]), (2, 2), (3, 3))
    """
    _check(A, "linalg.svd", square=False)
    u, s, v = _legacy_svd(A, some=True)
    vh = v.mT
    m, n = A.shape[-2], A.shape[-1]
    if full_matrices and m != n:
        k = min(m, n)
        uf, _, vhf = _matrix._svd(A._data, full_matrices=True)
        if m > n:
            u = _cat([u, Tensor._make(np.ascontiguousarray(uf[..., :, k:]), None, False)], -1)
        else:
            vh = _cat([vh, Tensor._make(np.ascontiguousarray(vhf[..., k:, :]), None, False)], -2)
    return SvdLinalgResult(u, s, vh)


def cond(A: Tensor, p: builtins.float | str | None = None) -> Tensor:
    """Return the condition number of ``A`` in the norm ``p``, as ``torch.linalg.cond``: the
    ratio of the largest to the smallest singular value for ``p`` None or 2 (``-2``: its
    inverse), else ``matrix_norm(A, p) * matrix_norm(inv(A), p)`` (square ``A``).

    Args:
        A (Tensor): ``(*, m, n)`` matrices (square unless ``p`` is None, 2 or -2).
        p (int, float or str, optional): ``None``, 2, -2, ``'fro'``, ``'nuc'``, inf, -inf, 1,
            -1. Default: None.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.cond(ag.tensor([[3.0, 0.0], [0.0, 0.5]]))
        tensor(6.)
    """
    if p is None or p == 2 or p == -2:
        _check(A, "linalg.cond", square=False)
        s = svdvals(A)
        return s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    _check(A, "linalg.cond", square=True)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


# ---- LU ------------------------------------------------------------------------------------
LUFactorResult = namedtuple("linalg_lu_factor", ["LU", "pivots"])  # type: ignore[name-match]
LUResult = namedtuple("linalg_lu", ["P", "L", "U"])  # type: ignore[name-match]
LUUnpackResult = namedtuple("lu_unpack", ["P", "L", "U"])  # type: ignore[name-match]


def _lu_checked(A: Tensor, name: str, pivot: builtins.bool) -> tuple:
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(A.shape)} instead")
    if A.dtype.kind != "f":
        raise _not_floating(A.dtype, name)
    if A.dtype == np.float16:  # PyTorch's LU has no float16 kernel (ours computed in it)
        raise _args.not_implemented("lu_cpu", A.dtype)
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")
    refuse_capture(name)  # the pivots depend on the values
    lu, piv, info = _matrix._lu_array(A._data)
    LU = LinalgLuFactor.apply(A, lu, piv)
    return LU, Tensor._wrap(piv), Tensor._wrap(info)


def lu_factor(A: Tensor, *, pivot: builtins.bool = True) -> LUFactorResult:
    """Return ``(LU, pivots)``, the LU decomposition with partial pivoting of a matrix (or
    batch), as ``torch.linalg.lu_factor``: ``L`` (unit diagonal, not stored) below the
    diagonal of ``LU`` and ``U`` on and above it; ``pivots`` (int32, 1-based) are LAPACK's row
    swaps. ``lu_unpack`` turns them into ``P, L, U`` with ``A = P @ L @ U``.

    Differentiable (PyTorch's gradient, for square, wide and tall matrices); a matrix with a
    zero pivot raises as PyTorch's (``linalg.lu`` and ``Tensor.lu`` do not).

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        pivot (bool): only True (PyTorch's CPU refuses False too).

    Example::

        >>> import autograd_core as ag
        >>> LU, pivots = ag.linalg.lu_factor(ag.tensor([[0.0, 1.0], [2.0, 3.0]]))
        >>> LU, pivots
        (tensor([[2., 3.],
                [0., 1.]]), tensor([2, 2], dtype=autograd_core.int32))
    """
    LU, piv, info = _lu_checked(A, "linalg.lu_factor", pivot)
    bad = info._data != 0
    if bad.any():
        first = int(np.flatnonzero(bad.reshape(-1))[0])
        i = int(info._data.reshape(-1)[first])
        prefix = f"(Batch element {first}): " if A.ndim > 2 else ""
        raise RuntimeError(f"torch.linalg.lu_factor: {prefix}U[{i},{i}] is zero and using it on "
                           "lu_solve would result in a division by zero. If you still want to "
                           "perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")
    return LUFactorResult(LU, piv)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: builtins.bool = True,
              unpack_pivots: builtins.bool = True) -> LUUnpackResult:
    """Return ``(P, L, U)`` from ``lu_factor``'s ``(LU, pivots)``, as ``torch.lu_unpack``:
    ``A = P @ L @ U`` with ``P`` a permutation matrix, ``L`` unit lower triangular
    (``m x k``) and ``U`` upper triangular (``k x n``), ``k = min(m, n)``. With
    ``unpack_data=False`` ``L`` and ``U`` are empty, with ``unpack_pivots=False`` ``P`` is.

    Args:
        LU_data (Tensor): the packed factors.
        LU_pivots (Tensor): the 1-based row swaps.
        unpack_data (bool): compute ``L`` and ``U``. Default: True.
        unpack_pivots (bool): compute ``P``. Default: True.

    Example::

        >>> import autograd_core as ag
        >>> P, L, U = ag.lu_unpack(*ag.linalg.lu_factor(ag.tensor([[0.0, 1.0], [2.0, 3.0]])))
        >>> P
        tensor([[0., 1.],
                [1., 0.]])
        >>> P @ L @ U
        tensor([[0., 1.],
                [2., 3.]])
    """
    if LU_data.ndim < 2:
        raise RuntimeError("torch.lu_unpack: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(LU_data.shape)} instead")
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    empty = _ag_zeros(0, dtype=LU_data.dtype)
    if unpack_data:
        eye = _xp.constant(np.eye(m, k, dtype=LU_data.dtype))
        L = LU_data[..., :, :k].tril(-1) + eye
        U = LU_data[..., :k, :].triu()
    else:
        L = U = empty
    if unpack_pivots:
        P_t = Tensor._wrap(pivot_permutation(_lu_unpack_pivots(LU_pivots, LU_data.shape, k),
                                             m, LU_data.dtype))
    else:
        P_t = empty
    return LUUnpackResult(P_t, L, U)


def _lu_unpack_pivots(pivots: Tensor, lu_shape: tuple, k: builtins.int) -> np.ndarray:
    """``lu_unpack``'s pivots checked as PyTorch's: int32, the first ``k`` of each row used,
    each in ``1..m`` (a 0-based or negative pivot, say from another library, would otherwise
    index from the end: a silently wrong ``P``), broadcast to ``LU``'s batch."""
    if pivots.dtype != np.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of "
                           "torch.int32 dtype.\nNote: this function is intended to be used with "
                           "the output produced by torch.linalg.lu_factor")
    piv = pivots._data[..., :k]
    if piv.shape[-1:] != (k,) or (piv.size and (piv.min() < 1 or piv.max() > lu_shape[-2])):
        raise RuntimeError("pivots passed to lu_unpack must be between 1 and LU.size(-2) "
                           "inclusive.Did you properly pass the result of lu_factor?")
    try:
        return np.broadcast_to(piv, tuple(lu_shape[:-2]) + (k,))
    except ValueError:
        raise RuntimeError(f"torch.lu_unpack: the pivots' batch shape {list(piv.shape[:-1])} "
                           f"does not match LU's {list(lu_shape[:-2])}") from None


def lu(A: Tensor, *, pivot: builtins.bool = True) -> LUResult:
    """Return ``(P, L, U)`` with ``A = P @ L @ U`` (partial pivoting), as ``torch.linalg.lu``;
    differentiable through ``L`` and ``U``.

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        pivot (bool): only True.

    Example::

        >>> import autograd_core as ag
        >>> P, L, U = ag.linalg.lu(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> L
        tensor([[1.0000, 0.0000],
                [0.3333, 1.0000]])
    """
    LU, piv, _ = _lu_checked(A, "linalg.lu", pivot)
    return LUResult(*lu_unpack(LU, piv))


def _lu_legacy(A: Tensor, pivot: builtins.bool = True,
               get_infos: builtins.bool = False) -> tuple:
    """``(LU, pivots)`` (and ``infos`` with ``get_infos=True``), as the deprecated
    ``torch.lu`` / ``Tensor.lu``, with PyTorch's deprecation warning; a zero pivot is reported
    in ``infos`` (1-based), not raised.

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        pivot (bool): only True.
        get_infos (bool): also return the int32 ``infos``. Default: False.

    Example::

        >>> import warnings
        >>> import autograd_core as ag
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     LU, pivots, infos = ag.zeros(2, 2).lu(get_infos=True)
        >>> infos
        tensor(1, dtype=autograd_core.int32)
    """
    warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / "
                  "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.",
                  UserWarning, stacklevel=2)
    LU, piv, info = _lu_checked(A, "torch.lu", pivot)
    return (LU, piv, info) if get_infos else (LU, piv)


# ---- products, triangular solves, the *_ex forms -------------------------------------------
def matrix_exp(A: Tensor) -> Tensor:
    """Return the matrix exponential of a square matrix (or batch), as
    ``torch.linalg.matrix_exp`` (the same op as ``autograd_core.matrix_exp``).

    Args:
        A (Tensor): ``(*, n, n)`` matrices.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.matrix_exp(ag.zeros(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    return DECLS["matrix_exp"].fn(A)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Return the matrix product with broadcasting, as ``torch.linalg.matmul`` (an alias of
    ``autograd_core.matmul``).

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.matmul(ag.ones(2, 3), ag.ones(3))
        tensor([3., 3.])
    """
    return _matmul(input, other)


def diagonal(A: Tensor, *, offset: builtins.int = 0, dim1: builtins.int = -2,
             dim2: builtins.int = -1) -> Tensor:
    """Return the diagonals of a batch of matrices (a view), as ``torch.linalg.diagonal``:
    ``autograd_core.diagonal`` with the last two dimensions as default.

    Args:
        A (Tensor): a tensor of at least 2 dimensions.
        offset (int): which diagonal (positive: above the main one). Default: 0.
        dim1 (int): the rows' dimension. Default: -2.
        dim2 (int): the columns' dimension. Default: -1.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.diagonal(ag.tensor([[[1.0, 2.0], [3.0, 4.0]]]))
        tensor([[1., 4.]])
    """
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x: Tensor, y: Tensor, *, dim: builtins.int = -1) -> Tensor:
    """Return ``sum(conj(x) * y)`` along ``dim`` (shapes broadcast), as
    ``torch.linalg.vecdot``.

    Args:
        x (Tensor): the first vectors (conjugated when complex).
        y (Tensor): the second vectors.
        dim (int): the dimension summed. Default: -1.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.vecdot(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([1.0, -1.0]))
        tensor([-1., -1.])
    """
    if x.dtype.kind not in "fc":  # PyTorch checks x's kind, then that y's dtype is x's
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as "
                           f"input. Got {_args.torch_name(x.dtype)}")
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {_args.torch_name(x.dtype)} and y of type {_args.torch_name(y.dtype)} "
                           f"instead")
    return ((x.conj() if x.dtype.kind == "c" else x) * y).sum(dim)


InvExResult = namedtuple("linalg_inv_ex", ["inverse", "info"])  # type: ignore[name-match]
CholeskyExResult = namedtuple("linalg_cholesky_ex", ["L", "info"])  # type: ignore[name-match]
SolveExResult = namedtuple("linalg_solve_ex", ["result", "info"])  # type: ignore[name-match]
LUFactorExResult = namedtuple(  # type: ignore[name-match]
    "linalg_lu_factor_ex", ["LU", "pivots", "info"])


def _ex_masked(A: Tensor, info: np.ndarray) -> tuple:
    """``A`` with its failed matrices (``info != 0``) replaced by the identity, and the mask
    that marks them in a result of ``A``'s batch shape plus ``extra`` dimensions."""
    bad = (info != 0).reshape(info.shape + (1, 1))
    eye = np.eye(A.shape[-1], dtype=A._data.dtype)
    return _matrix.xp.where(bad, eye, A), bad


def _nan_where(y: Tensor, bad: np.ndarray) -> Tensor:
    return _matrix.xp.where(bad, np.array(np.nan, dtype=y._data.dtype), y)


def _pivot_info(A: Tensor) -> np.ndarray:
    """LAPACK's ``info`` of LU for each matrix: the 1-based index of the first zero pivot, or
    0 (called once a factorisation has failed: the per-matrix loop is the slow path)."""
    flat = A._data.reshape((-1,) + tuple(A.shape[-2:]))
    info = [_matrix._zero_pivot(m) or 0 for m in flat]
    return np.array(info, dtype=np.int32).reshape(tuple(A.shape[:-2]))


def _no_info(A: Tensor) -> Tensor:
    return Tensor._wrap(np.zeros(tuple(A.shape[:-2]), dtype=np.int32))


def inv_ex(A: Tensor, *, check_errors: builtins.bool = False) -> InvExResult:
    """Return ``(inverse, info)``, as ``torch.linalg.inv_ex``: ``info`` (int32, one per
    matrix) is 0, or the 1-based index of the first zero pivot of a singular matrix, whose
    inverse is then NaN (PyTorch's: what LAPACK left); ``check_errors=True`` raises instead,
    as ``linalg.inv`` does.

    Args:
        A (Tensor): ``(*, n, n)`` matrices.
        check_errors (bool): raise for a singular matrix. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.inv_ex(ag.tensor([[2.0, 0.0], [0.0, 4.0]]))
        linalg_inv_ex(inverse=tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]]), info=tensor(0, dtype=autograd_core.int32))
    """
    _check(A, "linalg.inv_ex")
    refuse_capture("linalg.inv_ex")  # info depends on the values
    try:
        return InvExResult(_matrix.inverse(A), _no_info(A))
    except LinAlgError:
        if check_errors:
            _matrix._inv_array(A._data, "linalg.inv_ex")
    info = _pivot_info(A)
    masked, bad = _ex_masked(A, info)
    return InvExResult(_nan_where(_matrix.inverse(masked), bad), Tensor._wrap(info))


def cholesky_ex(A: Tensor, *, upper: builtins.bool = False,
                check_errors: builtins.bool = False) -> CholeskyExResult:
    """Return ``(L, info)``, as ``torch.linalg.cholesky_ex``: ``info`` (int32, one per
    matrix) is 0, or the order of the first leading minor that is not positive-definite, and
    that matrix's ``L`` is NaN (PyTorch's: the partial factor); ``check_errors=True`` raises
    instead, as ``linalg.cholesky`` does.

    Args:
        A (Tensor): ``(*, n, n)`` symmetric matrices (the lower triangle is read).
        upper (bool): return the upper factor. Default: False.
        check_errors (bool): raise for a matrix that is not positive-definite. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.cholesky_ex(ag.tensor([[1.0, 2.0], [2.0, 1.0]])).info
        tensor(2, dtype=autograd_core.int32)
    """
    _check(A, "linalg.cholesky_ex")
    refuse_capture("linalg.cholesky_ex")
    try:
        return CholeskyExResult(cholesky(A, upper=upper), _no_info(A))
    except LinAlgError as e:
        if check_errors:
            raise LinAlgError(str(e).replace("linalg.cholesky:", "linalg.cholesky_ex:", 1)) \
                from None
    flat = np.tril(A._data).reshape((-1,) + tuple(A.shape[-2:]))
    flat = flat + np.swapaxes(np.tril(flat, -1), -1, -2)
    info = []
    for m in flat:
        try:
            np.linalg.cholesky(m)
            info.append(0)
        except np.linalg.LinAlgError:
            info.append(_matrix._not_pd_order(m))
    info_a = np.array(info, dtype=np.int32).reshape(tuple(A.shape[:-2]))
    masked, bad = _ex_masked(A, info_a)
    return CholeskyExResult(_nan_where(cholesky(masked, upper=upper), bad), Tensor._wrap(info_a))


def solve_ex(A: Tensor, B: Tensor, *, left: builtins.bool = True,
             check_errors: builtins.bool = False) -> SolveExResult:
    """Return ``(result, info)``, as ``torch.linalg.solve_ex``: ``info`` (int32, one per
    matrix of ``A``) is 0, or the 1-based index of the first zero pivot of a singular ``A``,
    whose solution is then NaN (PyTorch's: what LAPACK left); ``check_errors=True`` raises.

    Args:
        A (Tensor): ``(*, n, n)`` matrices.
        B (Tensor): right-hand sides, as ``linalg.solve``'s.
        left (bool): solve ``A X = B`` (True) or ``X A = B``. Default: True.
        check_errors (bool): raise for a singular matrix. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.solve_ex(ag.tensor([[2.0, 0.0], [0.0, 4.0]]), ag.tensor([2.0, 2.0]))
        linalg_solve_ex(result=tensor([1.0000, 0.5000]), info=tensor(0, dtype=autograd_core.int32))
    """
    _check(A, "linalg.solve_ex")
    refuse_capture("linalg.solve_ex")
    try:
        return SolveExResult(solve(A, B, left=left), _no_info(A))
    except LinAlgError:
        pass
    info = _pivot_info(A)
    if check_errors:
        prefix = _matrix._batch_prefix(A._data, info != 0)
        raise LinAlgError(f"torch.linalg.solve_ex: {prefix}The solver failed because the input "
                          f"matrix is singular.")
    masked, bad = _ex_masked(A, info)
    x = solve(masked, B, left=left)
    vector = x.ndim == A.ndim - 1 or x.ndim == 1
    mask = bad.reshape(info.shape + (1,)) if vector else bad
    return SolveExResult(_nan_where(x, mask), Tensor._wrap(info))


def lu_factor_ex(A: Tensor, *, pivot: builtins.bool = True,
                 check_errors: builtins.bool = False) -> LUFactorExResult:
    """Return ``(LU, pivots, info)``, as ``torch.linalg.lu_factor_ex``: ``lu_factor``'s
    factors, and ``info`` (int32, one per matrix): 0, or the 1-based index of the first zero
    pivot, reported rather than raised unless ``check_errors=True``.

    Args:
        A (Tensor): ``(*, m, n)`` matrices.
        pivot (bool): only True.
        check_errors (bool): raise for a zero pivot. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.lu_factor_ex(ag.zeros(2, 2)).info
        tensor(1, dtype=autograd_core.int32)
    """
    if check_errors:
        LU, piv = lu_factor(A, pivot=pivot)
        return LUFactorExResult(LU, piv, _no_info(A))
    return LUFactorExResult(*_lu_checked(A, "linalg.lu_factor_ex", pivot))


# ---- Vandermonde, tensor inverse and solve, Householder products ----------------------------
def vander(x: Tensor, *, N: builtins.int | None = None) -> Tensor:
    """Return the Vandermonde matrix of ``x``: columns ``x^0, x^1, ..., x^(N-1)`` (increasing
    powers), batched over ``x``'s leading dimensions, as ``torch.linalg.vander``.

    Args:
        x (Tensor): ``(*, n)`` values (floating point, complex or integer).
        N (int, optional): the number of columns. Default: ``n``.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.vander(ag.tensor([1.0, 2.0, 3.0]))
        tensor([[1., 1., 1.],
                [1., 2., 4.],
                [1., 3., 9.]])
    """
    if x.dtype.kind == "b":
        raise RuntimeError("linalg.vander supports floating point, complex, and integer "
                           "tensors, but got Bool")
    n = x.shape[-1] if x.ndim else 1
    N = n if N is None else N
    if x.ndim == 0 or N <= 1:
        raise RuntimeError("N must be greater than 1.")
    column = x.unsqueeze(-1)
    powers = column.expand(*x.shape, N - 1).cumprod(-1)
    return _cat([_ag_ones_like(column), powers], -1)


def tensorinv(A: Tensor, ind: builtins.int = 2) -> Tensor:
    """Return the inverse of ``A`` for ``tensordot`` over its first ``ind`` dimensions, as
    ``torch.linalg.tensorinv``: ``A`` reshaped to a square matrix, inverted, reshaped to
    ``A.shape[ind:] + A.shape[:ind]``.

    Args:
        A (Tensor): a tensor with ``prod(A.shape[:ind]) == prod(A.shape[ind:])``.
        ind (int): the number of leading dimensions of the "rows" (positive). Default: 2.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.tensorinv(ag.eye(4).reshape(4, 2, 2), ind=1).shape
        autograd_core.Size([2, 2, 4])
    """
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    try:
        inverse = _matrix.inverse(A.reshape(rows, cols))
    except LinAlgError as e:
        raise LinAlgError(str(e).replace("linalg.inv:", "inv:", 1)) from None
    return inverse.reshape(*A.shape[ind:], *A.shape[:ind])


def tensorsolve(A: Tensor, B: Tensor, dims: Sequence[builtins.int] | None = None) -> Tensor:
    """Return ``X`` with ``tensordot(A, X, X.ndim) == B``, as ``torch.linalg.tensorsolve``:
    ``X`` has shape ``A.shape[B.ndim:]`` (after ``dims`` of ``A`` are moved to the end).

    Args:
        A (Tensor): a tensor with ``prod(A.shape[B.ndim:]) == B.numel()``.
        B (Tensor): the right-hand side.
        dims (sequence of int, optional): dimensions of ``A`` moved to the end first.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.eye(6).reshape(2, 3, 6) * 2
        >>> ag.linalg.tensorsolve(A, ag.ones(2, 3))
        tensor([0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000])
    """
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        rest = [d for d in range(A.ndim) if d not in dims]
        A = A.permute(*rest, *dims)
    out_shape = tuple(A.shape[B.ndim:])
    cols = math.prod(out_shape)
    if cols != B.numel():
        raise RuntimeError(f"Expected self to satisfy the requirement "
                           f"prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), "
                           f"but got {cols} != {B.numel()}")
    x = solve(A.reshape(B.numel(), cols), B.reshape(-1))
    return x.reshape(*out_shape)


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """Return the first ``n`` columns of ``H_1 H_2 ... H_k``, ``H_i = I - tau_i v_i v_i^T``
    with ``v_i`` the ``i``-th column of ``A`` below the diagonal and 1 on it, as
    ``torch.linalg.householder_product`` (LAPACK's ``orgqr``: ``Q`` from ``geqrf``'s output).

    Args:
        A (Tensor): ``(*, m, n)`` reflectors, ``m >= n``.
        tau (Tensor): ``(*, k)`` scales, ``k <= n``.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.householder_product(ag.tensor([[1.0], [1.0]]), ag.tensor([1.0]))
        tensor([[ 0.],
                [-1.]])
    """
    name = "torch.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if tau.ndim < 1:
        raise RuntimeError(f"{name}: tau must have at least 1 dimension.")
    m, n = A.shape[-2], A.shape[-1]
    k = tau.shape[-1]
    if m < n:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           f"input.shape[-1]")
    if n < k:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to "
                           f"tau.shape[-1]")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{name}: tau dtype {_args.torch_name(tau.dtype)} does not match input dtype "
                           f"{_args.torch_name(A.dtype)}")
    _check(A, "linalg.householder_product", square=False)
    eye = np.eye(m, n, dtype=A._data.dtype)
    V = A.tril(-1) + _xp.constant(eye)
    Q = _xp.constant(np.broadcast_to(np.eye(m, dtype=A._data.dtype),
                                     tuple(A.shape[:-2]) + (m, m)).copy())
    for i in range(k):
        v = V[..., :, i:i + 1]
        Q = Q - _matmul(_matmul(Q, v), v.mT * tau[..., i:i + 1].unsqueeze(-1))
    return Q[..., :, :n]


# ---- LDL^T (Bunch-Kaufman) ---------------------------------------------------------------------
_BK_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0
LDLFactorResult = namedtuple("linalg_ldl_factor", ["LD", "pivots"])  # type: ignore[name-match]
LDLFactorExResult = namedtuple(  # type: ignore[name-match]
    "linalg_ldl_factor_ex", ["LD", "pivots", "info"])


def _sytf2_lower(a: np.ndarray) -> tuple:
    """LAPACK's ``sytf2`` (``uplo='L'``) on one symmetric matrix, in place: Bunch-Kaufman
    diagonal pivoting, ``P A P^T = L D L^T`` with 1x1 and 2x2 blocks in ``D``. Returns the
    1-based pivots (negative, repeated, for a 2x2 block) and ``info`` (the first zero block)."""
    n = a.shape[0]
    piv = np.zeros(n, dtype=np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k])))
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            info = info or k + 1
            kp = k
        else:
            if absakk >= _BK_ALPHA * colmax:
                kp = k
            else:
                rowmax = np.abs(a[imax, k:imax]).max()
                if imax < n - 1:
                    rowmax = max(rowmax, np.abs(a[imax + 1:, imax]).max())
                if absakk >= _BK_ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _BK_ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:  # swap rows and columns kk and kp of the trailing lower triangle
                a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                seg = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = seg
                a[[kk, kp], [kk, kp]] = a[[kp, kk], [kp, kk]]
                if kstep == 2:
                    a[[k + 1, kp], k] = a[[kp, k + 1], k]
            if kstep == 1:
                if k < n - 1:
                    d11 = 1.0 / a[k, k]
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= np.tril(np.outer(x, x) * d11)
                    a[k + 1:, k] = x * d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                d21 = (1.0 / (d11 * d22 - 1.0)) / d21
                for j in range(k + 2, n):
                    wk = d21 * (d11 * a[j, k] - a[j, k + 1])
                    wkp1 = d21 * (d22 * a[j, k + 1] - a[j, k])
                    a[j:, j] -= a[j:, k] * wk + a[j:, k + 1] * wkp1
                    a[j, k], a[j, k + 1] = wk, wkp1
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return piv, info


_LDL_NO_GRAD = "derivative for aten::linalg_ldl_factor_ex is not implemented"


def ldl_factor_ex(A: Tensor, *, hermitian: builtins.bool = False,
                  check_errors: builtins.bool = False) -> LDLFactorExResult:
    """Return ``(LD, pivots, info)``, the Bunch-Kaufman ``L D L^T`` factorisation of a
    symmetric matrix (or batch), as ``torch.linalg.ldl_factor_ex`` (LAPACK's ``sytrf``, lower
    triangle read): ``L`` (unit diagonal, not stored) below the diagonal of ``LD``, the 1x1 and
    2x2 blocks of ``D`` on and next to it; ``pivots`` 1-based (negative for a 2x2 block);
    ``info`` the first zero block (1-based) or 0. Not differentiable, as PyTorch's.

    Args:
        A (Tensor): ``(*, n, n)`` symmetric matrices.
        hermitian (bool): accepted (real matrices: the same factorisation). Default: False.
        check_errors (bool): raise for a singular matrix. Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.ldl_factor_ex(ag.tensor([[0.0, 1.0], [1.0, 0.0]])).pivots
        tensor([-2, -2], dtype=autograd_core.int32)
    """
    return _ldl(A, "torch.linalg.ldl_factor_ex", check_errors)


def _ldl(A: Tensor, name: str, check_errors: builtins.bool) -> LDLFactorExResult:
    _check(A, name)
    refuse_capture(name)  # the pivots depend on the values
    n = A.shape[-1]
    flat = np.tril(A._data).reshape((-1, n, n)).copy()
    pivots = np.zeros(flat.shape[:1] + (n,), dtype=np.int32)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for b in range(flat.shape[0]):
        pivots[b], info[b] = _sytf2_lower(flat[b])
    batch = tuple(A.shape[:-2])
    if check_errors and info.any():
        first = int(np.flatnonzero(info)[0])
        prefix = f"(Batch element {first}): " if batch else ""
        raise LinAlgError(f"{name}: {prefix}The factorization could not be "
                          f"completed because the input is not invertible (the diagonal "
                          f"element {int(info[first])} of D is zero).")
    LD = _matrix.LinalgQrRefused.apply(A, np.tril(flat).reshape(A._data.shape),
                                       message=_LDL_NO_GRAD)
    return LDLFactorExResult(LD, Tensor._wrap(pivots.reshape(batch + (n,))),
                             Tensor._wrap(info.reshape(batch)))


def ldl_factor(A: Tensor, *, hermitian: builtins.bool = False) -> LDLFactorResult:
    """Return ``(LD, pivots)`` of ``ldl_factor_ex``, as ``torch.linalg.ldl_factor``: a zero
    block of ``D`` (a singular matrix) raises ``LinAlgError`` (PyTorch 2.13 fails there with an
    internal assertion).

    Args:
        A (Tensor): ``(*, n, n)`` symmetric matrices.
        hermitian (bool): accepted (real matrices). Default: False.

    Example::

        >>> import autograd_core as ag
        >>> ag.linalg.ldl_factor(ag.tensor([[4.0, 2.0], [2.0, 3.0]])).LD
        tensor([[4.0000, 0.0000],
                [0.5000, 2.0000]])
    """
    LD, pivots, _ = _ldl(A, "torch.linalg.ldl_factor", True)
    return LDLFactorResult(LD, pivots)


def _sytrs_lower(a: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK's ``sytrs`` (``uplo='L'``): ``A^-1 B`` from ``_sytf2_lower``'s factors."""
    n = a.shape[0]
    b = b.copy()
    k = 0
    while k < n:  # L D Y = P B
        if piv[k] > 0:
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(a[k + 1:, k], b[k])
            b[k] /= a[k, k]
            k += 1
        else:
            kp = -piv[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            b[k + 2:] -= np.outer(a[k + 2:, k], b[k]) + np.outer(a[k + 2:, k + 1], b[k + 1])
            akm1k = a[k + 1, k]
            akm1, ak = a[k, k] / akm1k, a[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1.0
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y, then the interchanges back
        if piv[k] > 0:
            b[k] -= a[k + 1:, k] @ b[k + 1:]
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k] -= a[k + 1:, k] @ b[k + 1:]
            b[k - 1] -= a[k + 1:, k - 1] @ b[k + 1:]
            kp = -piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *,
              hermitian: builtins.bool = False) -> Tensor:
    """Return ``X`` with ``A X = B`` from ``ldl_factor``'s ``(LD, pivots)`` of ``A``, as
    ``torch.linalg.ldl_solve`` (LAPACK's ``sytrs``); batch dimensions broadcast. Not
    differentiable, as PyTorch's.

    Args:
        LD (Tensor): ``(*, n, n)`` packed factors.
        pivots (Tensor): ``(*, n)`` int32 pivots.
        B (Tensor): ``(*, n, k)`` right-hand sides.
        hermitian (bool): accepted (real matrices). Default: False.

    Example::

        >>> import autograd_core as ag
        >>> A = ag.tensor([[4.0, 2.0], [2.0, 3.0]])
        >>> ag.linalg.ldl_solve(*ag.linalg.ldl_factor(A), ag.tensor([[6.0], [5.0]]))
        tensor([[1.],
                [1.]])
    """
    name = "torch.linalg.ldl_solve"
    _check(LD, name)
    if B.ndim < 2:
        raise RuntimeError(f"{name}: Expected B to have at least 2 dimensions, but it has "
                           f"{B.ndim} dimensions instead")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{name}: Expected LD.shape[:-1] and pivots.shape to be the same, "
                           f"but got pivots with shape {list(pivots.shape)} instead")
    if pivots.dtype.kind not in "iu":  # PyTorch takes any integer width here
        raise RuntimeError(f"{name}: Expected pivots to be integers. Got {_args.torch_name(pivots.dtype)}")
    if B.dtype != LD.dtype:
        raise RuntimeError(f"{name}: Expected LD and B to have the same dtype, but got LD with "
                           f"dtype {_args.torch_name(LD.dtype)} and B with dtype {_args.torch_name(B.dtype)} "
                           f"instead")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation AX = B "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    refuse_capture("linalg.ldl_solve")  # the interchanges are read off the pivots' values
    check_pivot_values(pivots._data, n, "ldl_solve")
    batch = np.broadcast_shapes(tuple(LD.shape[:-2]), tuple(B.shape[:-2]))
    a = np.broadcast_to(LD._data, batch + (n, n)).reshape((-1, n, n))
    p = np.broadcast_to(pivots._data, batch + (n,)).reshape((-1, n))
    b = np.broadcast_to(B._data, batch + tuple(B.shape[-2:])).reshape((-1,) + tuple(B.shape[-2:]))
    x = np.stack([_sytrs_lower(a[i], p[i], b[i]) for i in range(a.shape[0])]) if a.shape[0] \
        else np.zeros(b.shape, dtype=b.dtype)
    x = x.reshape(batch + tuple(B.shape[-2:]))
    refused = _matrix.LinalgQrRefused
    message = "derivative for aten::linalg_ldl_solve is not implemented"
    return refused.apply(B, refused.apply(LD, x, message=message), message=message)


# A number or a list given where a Tensor goes: PyTorch's TypeError naming ``linalg_<name>``
# and its argument, not an AttributeError from inside (as fft's functions, ``registry.typed``)
_TORCH_LABELS = {"tensorinv": {"A": "input"}, "tensorsolve": {"A": "input", "B": "other"},
                 "householder_product": {"A": "input"}}
globals().update({_name: typed(globals()[_name], f"linalg_{_name}", _TORCH_LABELS.get(_name))
                  for _name in __all__ if not isinstance(globals()[_name], type)})
