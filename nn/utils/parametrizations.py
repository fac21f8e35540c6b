"""Parametrizations in PyTorch's ``torch.nn.utils.parametrizations``: ``weight_norm``,
``spectral_norm`` and ``orthogonal``."""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from nn.module import Module
from nn.utils import parametrize
from nn.utils.spectral_norm import _default_dim, _SpectralNorm
from nn.utils.weight_norm import _WeightNorm

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Weight normalisation (Salimans & Kingma, 2016) as a parametrization, PyTorch's current
    form: ``module.<name>`` is computed as ``g * v / ||v||`` from
    ``module.parametrizations.<name>.original0`` (``g``, one per index of ``dim``) and
    ``original1`` (``v``), the state_dict keys PyTorch uses. The function is unchanged at
    registration (``g = ||w||``, ``v = w``). Data-dependent initialisation:
    :func:`nn.utils.weight_norm_init_`.

    Example::

        >>> import autograd_core as ag, nn
        >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(20, 40))
        >>> type(m).__name__, sorted(m.state_dict())
        ('ParametrizedLinear', ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1'])
        >>> tuple(m.parametrizations.weight.original0.shape)
        (40, 1)
    """
    return parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Spectral normalisation (Miyato et al., 2018) as a parametrization, PyTorch's current
    form: ``module.<name>`` is ``W / sigma(W)``, ``sigma`` estimated by power iteration on the
    vectors ``module.parametrizations.<name>[0]._u`` and ``._v`` (15 iterations at
    registration, ``n_power_iterations`` before each use in training; see
    ``nn.utils.spectral_norm``'s module). ``dim``: 1 for transposed convolutions, else 0.

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 40))
        >>> sorted(m.state_dict())
        ['bias', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v', 'parametrizations.weight.original']
        >>> round(float(ag.linalg.matrix_norm(m.weight.detach(), 2)), 2)  # sigma(W / sigma) ~ 1
        1.0
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, ag.Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    return parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, _default_dim(module, dim), eps))


def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """The first ``k`` columns of ``H_0 H_1 ... H_{k-1}``, ``H_i = I - tau_i v_i v_i^T`` with
    ``v_i`` column ``i`` of ``a`` below the diagonal and 1 on it (LAPACK's ``orgqr``), built
    from differentiable ops; ``a`` is ``(*, n, k)``, ``tau`` ``(*, k)``."""
    n, k = a.shape[-2], a.shape[-1]
    below = a.tril(-1)
    eye = ag.eye(n, k, dtype=a.dtype)
    q = eye.expand(*a.shape[:-2], n, k) if a.ndim > 2 else eye
    for i in reversed(range(k)):
        v = below[..., :, i:i + 1] + eye[:, i:i + 1]  # (*, n, 1)
        q = q - tau[..., i:i + 1].unsqueeze(-1) * (v @ (v.mT @ q))
    return q


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of ``a``'s QR decomposition, its columns' signs those of R's diagonal."""
    q, r = np.linalg.qr(np.asarray(a._data))
    return ag.tensor(q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :])


def _is_orthogonal(q: Tensor) -> bool:
    n, k = q.shape[-2], q.shape[-1]
    eps = 10.0 * n * float(np.finfo(np.dtype(q.dtype)).eps)
    return bool(np.allclose(np.swapaxes(q._data, -1, -2) @ q._data, np.eye(k), atol=eps,
                            rtol=1e-5))


_MAPS = ("matrix_exp", "cayley", "householder")


class _Orthogonal(Module):
    """``X -> Q`` orthogonal (orthonormal columns, or rows for a wide matrix) by
    ``orthogonal_map``; with ``use_trivialization`` the result is ``base @ Q`` and
    ``right_inverse`` moves the assigned matrix into ``base`` (the original becomes the
    parametrization's identity point)."""

    def __init__(self, weight: Tensor, orthogonal_map: str, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            X = X.tril()
            if n != k:
                X = ag.cat([X, ag.zeros(*X.shape[:-2], n, n - k, dtype=X.dtype)], -1)
            A = X - X.mT
            if self.orthogonal_map == "matrix_exp":
                Q = ag.matrix_exp(A)
            else:
                eye = ag.eye(n, dtype=A.dtype)
                Q = ag.linalg.solve(eye - 0.5 * A, eye + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(-1)
            tau = 2.0 / (1.0 + (A * A).sum(-2))
            Q = _householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if "base" in self._buffers:
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        if tuple(Q.shape) != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        with ag.no_grad():
            Q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map in ("cayley", "matrix_exp"):
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley "
                        "parametrizations when use_trivialization=False.")
                arr = np.asarray(Q._data)
                h, tau = np.linalg.qr(arr, mode="raw") if arr.ndim == 2 else (None, None)
                if h is None:
                    raise NotImplementedError("orthogonal(use_trivialization=False) of a batch "
                                              "of matrices is not supported")
                A = h.T.copy()  # geqrf's compact form: R above, the reflectors below
                d = np.sign(np.diagonal(A)).copy()
                d[tau == 0.0] *= -1
                np.fill_diagonal(A, d)
                out = ag.tensor(A.astype(arr.dtype))
                return out.mT if transpose else out
            if n == k:
                Q = _make_orthogonal(Q) if not _is_orthogonal(Q) else Q.clone()
            else:
                N = ag.randn(*Q.shape[:-2], n, n - k, dtype=Q.dtype)
                Q = _make_orthogonal(ag.cat([Q, N], -1))
            self.base = Q
            neg_id = ag.zeros(Q_init.shape, dtype=Q_init.dtype)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Constrain ``module.<name>`` (a matrix or a batch of them) to be orthogonal (orthonormal
    columns, or rows if it is wide), PyTorch's parametrization: ``orthogonal_map``
    ``"matrix_exp"`` (the default for square matrices), ``"cayley"`` or ``"householder"`` (the
    default otherwise) of the unconstrained original; with ``use_trivialization`` (the default)
    the weight at registration becomes the buffer ``base`` and training moves away from it.

    Example::

        >>> import autograd_core as ag, nn
        >>> _ = ag.manual_seed(0)
        >>> m = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3))
        >>> w = m.weight.detach()
        >>> bool(ag.allclose(w @ w.T, ag.eye(3), atol=1e-5))
        True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, ag.Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = ("matrix_exp" if weight.shape[-2] == weight.shape[-1]
                          else "householder")
    if orthogonal_map not in _MAPS:
        raise ValueError(f'orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    return parametrize.register_parametrization(module, name, orth, unsafe=True)
