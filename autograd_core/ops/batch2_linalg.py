"""Issue 12's second batch, the matrix functions: ``matrix_exp`` (scaling and squaring of a
Taylor series; its gradient is the exponential of a block matrix, so it is differentiable
again) and PyTorch's older ``torch.svd`` (U, S, V), whose U and V are nodes of their own with
the SVD's derivative (Townsend 2016), recorded under create_graph."""

from __future__ import annotations

import builtins
import math
from collections import namedtuple

import numpy as np

from autograd_core.node import Node
from autograd_core.ops import _xp as xp
from autograd_core.ops.matrix import LinalgSvd, _check, _col, _distinct_sv, _mT, _row, _svd
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.shape import cat
from autograd_core.tensor import Tensor

SvdResult = namedtuple("svd", ["U", "S", "V"])  # type: ignore[name-match]

_TAYLOR_TERMS = 18  # 1/18! < 2e-16: float64 accuracy once the norm is at most 1


def _expm(a):
    """exp of a batch of square matrices: scaled to norm <= 1, Taylor, squared back."""
    norm = np.abs(a).sum(axis=-2).max() if a.size else 0.0
    squarings = max(0, int(math.ceil(math.log2(norm)))) if norm > 1 else 0
    b = a / (2.0 ** squarings)
    term = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()
    out = term.copy()
    for k in range(1, _TAYLOR_TERMS + 1):
        term = np.matmul(term, b) / k
        out += term
    for _ in range(squarings):
        out = np.matmul(out, out)
    return out


def _blocks(a_t, g):
    """``[[A^T, g], [0, A^T]]`` for arrays or Tensors."""
    if isinstance(a_t, Tensor) or isinstance(g, Tensor):
        zero = xp.constant(np.zeros(tuple(g.shape), dtype=np.dtype(g.dtype.name)))
        return cat([cat([a_t, g], -1), cat([zero, a_t], -1)], -2)
    return np.concatenate([np.concatenate([a_t, g], -1),
                           np.concatenate([np.zeros_like(g), a_t], -1)], -2)


@op("matrix_exp", method=True, samples=[
    Sample("matrix_exp", lambda a: MatrixExp.apply(_square(a)))], doc="""
    Return the matrix exponential ``sum_k A^k / k!`` of a square matrix (or batch).

    Computed by scaling and squaring a Taylor series; the gradient is read off the exponential
    of the block matrix ``[[A^T, G], [0, A^T]]``, so it can be differentiated again.

    Args:
        input (Tensor): ``(*, n, n)`` square matrices.

    Example::

        >>> import autograd_core as ag
        >>> ag.matrix_exp(ag.tensor([[0.0, 1.0], [0.0, 0.0]]))
        tensor([[1., 1.],
                [0., 1.]])
    """)
class MatrixExp(Node):
    def forward(self, input):
        _check(Tensor._make(np.asarray(input), None, False), "linalg.matrix_exp")
        self.save_for_backward(input)
        return _expm(input)

    def backward(self, g):
        (a,) = self.saved
        n = a.shape[-1]
        big = _blocks(_mT(a), g)
        e = MatrixExp.apply(big) if isinstance(big, Tensor) else _expm(big)
        return (e[..., :n, n:],)


def _square(t):
    """A sample's input as a batch of square matrices (any shape the generic tests draw)."""
    x = t.reshape(1, 1) if t.ndim == 0 else t.reshape(-1, 1) if t.ndim == 1 else t
    k = min(x.shape[-2], x.shape[-1])
    return x[..., :k, :k] * 0.5


# ---- torch.svd ----------------------------------------------------------------------------------

def _factors(a):
    """U, S, V of the reduced SVD (arrays), or recorded nodes when ``a`` is a Tensor."""
    if isinstance(a, Tensor):
        return SvdU.apply(a), LinalgSvd.apply(a), SvdV.apply(a)
    u, s, vh = _svd(a, full_matrices=False)
    return u, s, _mT(vh)


def _svd_grad(a, g_u, g_v):
    """The part of ``dL/dA`` that comes from U's gradient ``g_u`` and V's ``g_v`` (either may
    be None): ``U (J S + S K) V^T + (I - U U^T) g_u S^-1 V^T + U S^-1 g_v^T (I - V V^T)``, with
    ``J = F * (U^T g_u - g_u^T U)``, ``K = F * (V^T g_v - g_v^T V)``,
    ``F_ij = 1 / (s_j^2 - s_i^2)`` off the diagonal."""
    u, s, v = _factors(a)
    s2 = s * s
    gap = _row(s2) - _col(s2)
    mask = np.eye(s.shape[-1], dtype=bool) | (xp.data(gap) == 0)
    f = xp.where(mask, 0.0, 1.0 / xp.where(mask, 1.0, gap))
    inner = None
    out = None
    if g_u is not None:
        ut_g = xp.matmul(_mT(u), g_u)
        inner = (f * (ut_g - _mT(ut_g))) * _row(s)
        side = (g_u - xp.matmul(u, ut_g)) / _row(s)  # (I - U U^T) g_u S^-1
        out = xp.matmul(side, _mT(v))
    if g_v is not None:
        vt_g = xp.matmul(_mT(v), g_v)
        k_term = _col(s) * (f * (vt_g - _mT(vt_g)))
        inner = k_term if inner is None else inner + k_term
        side = (g_v - xp.matmul(v, vt_g)) / _row(s)  # (I - V V^T) g_v S^-1
        term = xp.matmul(u, _mT(side))
        out = term if out is None else out + term
    core = xp.matmul(xp.matmul(u, inner), _mT(v))
    return core if out is None else out + core


class SvdU(Node):
    """The left singular vectors U of the reduced SVD (distinct, non-zero singular values for
    the gradient)."""

    def forward(self, a):
        u, _, _ = _svd(a, full_matrices=False)
        self.save_for_backward(a)
        return u

    def backward(self, g):
        (a,) = self.saved
        return (_svd_grad(a, g, None),)


class SvdV(Node):
    """The right singular vectors V (not V^T) of the reduced SVD."""

    def forward(self, a):
        _, _, vh = _svd(a, full_matrices=False)
        self.save_for_backward(a)
        return np.ascontiguousarray(_mT(vh))

    def backward(self, g):
        (a,) = self.saved
        return (_svd_grad(a, None, g),)


def _svd_sample(a):
    """A sign-independent function of U and V (each column's sign is arbitrary)."""
    u, s, v = svd(_distinct_sv(a))
    return (u[..., :1, :] * u[..., -1:, :]).sum() + (v * v * 2.0).sum() + s.sum()


@op("svd", method=True, samples=[Sample("svd", _svd_sample)])
def svd(input: Tensor, some: builtins.bool = True,
        compute_uv: builtins.bool = True) -> SvdResult:
    """PyTorch's older ``torch.svd``: ``(U, S, V)`` with ``input = U diag(S) V^T`` (V, not V^T),
    singular values descending. ``some=True`` gives the reduced factors.

    With ``compute_uv=False`` U and V are zero-filled, as in PyTorch. Each singular vector is
    defined up to sign (numpy's LAPACK picks it); the gradient of U and V needs distinct,
    non-zero singular values.

    Args:
        input (Tensor): ``(*, m, n)`` matrices.
        some (bool): the reduced decomposition (the only one with gradients). Default: True.
        compute_uv (bool): compute U and V. Default: True.

    Example::

        >>> import autograd_core as ag
        >>> u, s, v = ag.svd(ag.tensor([[3.0, 0.0], [0.0, -2.0]]))
        >>> s, (u @ ag.diag(s) @ v.mT)
        (tensor([3., 2.]), tensor([[ 3.,  0.],
                [ 0., -2.]]))
    """
    _check(input, "svd", square=False)
    m, n = input.shape[-2], input.shape[-1]
    full = not some and m != n
    if full and compute_uv and input.requires_grad:
        raise RuntimeError("svd: the full decomposition (some=False) of a non-square matrix "
                           "is not differentiable here; use some=True")
    s = LinalgSvd.apply(input)
    if not compute_uv:  # PyTorch's zero-filled (m, m) and (n, n), whatever ``some``
        lead = tuple(input.shape[:-2])
        dt = s._data.dtype
        return SvdResult(xp.constant(np.zeros(lead + (m, m), dt)), s,
                         xp.constant(np.zeros(lead + (n, n), dt)))
    if not full:
        return SvdResult(SvdU.apply(input), s, SvdV.apply(input))
    u, _, vh = _svd(input._data, full_matrices=True)
    return SvdResult(Tensor._make(u, None, False), s,
                     Tensor._make(np.ascontiguousarray(_mT(vh)), None, False))
