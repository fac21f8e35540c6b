"""ag.linalg and the matrix functions (issue 12): closed forms, PyTorch's errors, and forward
values and gradients against PyTorch 2.13 (the op table gradchecks each op generically)."""

import ast
import inspect
import math
import re

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import linalg as LA


def _spd(n, seed=0, batch=()):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(batch + (n + 2, n))
    return np.swapaxes(x, -1, -2) @ x / (n + 2) + np.eye(n)


def _general(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) + 3.0 * np.eye(shape[-2], shape[-1])


# ---- closed forms ----------------------------------------------------------------------------
def test_two_by_two_closed_forms():
    a, b, c, d = 1.0, 2.0, 3.0, 4.0
    A = ag.tensor([[a, b], [c, d]], dtype=ag.float64, requires_grad=True)
    det = a * d - b * c
    assert LA.det(A).item() == pytest.approx(det)
    inv = np.array([[d, -b], [-c, a]]) / det
    np.testing.assert_allclose(LA.inv(A).detach().numpy(), inv, rtol=1e-14)
    sign, logabs = LA.slogdet(A)
    assert sign.item() == -1.0 and logabs.item() == pytest.approx(math.log(2.0))
    assert math.isnan(ag.logdet(A).item())
    # d det / dA = cofactor matrix = [[d, -c], [-b, a]]
    LA.det(A).backward()
    np.testing.assert_allclose(A.grad.numpy(), [[d, -c], [-b, a]], rtol=1e-14)


def _cofactor_by_hand(m):
    """The cofactor matrix from its definition: signed minors."""
    n = m.shape[0]
    out = np.zeros_like(m)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(m, i, 0), j, 1)
            out[i, j] = (-1) ** (i + j) * (np.linalg.det(minor) if n > 1 else 1.0)
    return out


@pytest.mark.parametrize("m", [
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],  # rank 2: cofactors not all 0
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],  # rank 2, a zero pivot
    [[1.0, 2.0], [2.0, 4.0]],
    [[0.0, 1.0], [0.0, 0.0]],
    [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]],  # rank 1: cofactors all 0
    [[0.0, 0.0], [0.0, 0.0]],
])
def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix(m):
    # d det / dA is the cofactor matrix at every A (det is a polynomial); inverting A to get it
    # raised LinAlgError at a singular one. (PyTorch 2.13's plain backward gives zeros there,
    # its create_graph one the cofactors.)
    m = np.array(m)
    A = ag.tensor(m, dtype=ag.float64, requires_grad=True)
    (LA.det(A) * 3.0).backward()
    np.testing.assert_allclose(A.grad.numpy(), 3.0 * _cofactor_by_hand(m), atol=1e-13)


def test_det_gradient_of_a_batch_mixing_singular_and_invertible_matrices():
    rng = np.random.default_rng(3)
    m = rng.standard_normal((4, 3, 3))
    m[1, :, 2] = 0.0  # singular, rank 2: cofactors non-zero in the last column
    m[3] = 0.0
    for dtype, tol in ((ag.float64, 1e-12), (ag.float32, 1e-4)):
        A = ag.tensor(m, dtype=dtype, requires_grad=True)
        y = LA.det(A)
        assert y.detach().numpy()[1] == 0 and y.detach().numpy()[3] == 0
        y.sum().backward()
        want = np.stack([_cofactor_by_hand(x) for x in m])
        np.testing.assert_allclose(A.grad.numpy(), want, rtol=tol, atol=tol)
    # the invertible matrices keep det(A) A^-T exactly
    A = ag.tensor(m[[0, 2]], dtype=ag.float64, requires_grad=True)
    LA.det(A).sum().backward()
    B = ag.tensor(m, dtype=ag.float64, requires_grad=True)
    LA.det(B).sum().backward()
    np.testing.assert_array_equal(B.grad.numpy()[[0, 2]], A.grad.numpy())


def test_det_create_graph_at_a_singular_matrix_is_refused_not_wrong():
    A = ag.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=ag.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="singular matrix.*create_graph"):
        ag.autograd.grad(LA.det(A), A, create_graph=True)


def test_cholesky_eigen_and_singular_values_by_hand():
    A = ag.tensor([[4.0, 2.0], [2.0, 2.0]], dtype=ag.float64)
    np.testing.assert_allclose(LA.cholesky(A).numpy(), [[2.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(LA.cholesky(A, upper=True).numpy(), [[2.0, 1.0], [0.0, 1.0]])
    # eigenvalues of [[2, 1], [1, 2]]: 1 and 3, eigenvectors (1, -1)/sqrt2 and (1, 1)/sqrt2
    w, v = LA.eigh(ag.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=ag.float64))
    np.testing.assert_allclose(w.numpy(), [1.0, 3.0])
    np.testing.assert_allclose(np.abs(v.numpy()), np.full((2, 2), 2 ** -0.5))
    s = LA.svdvals(ag.tensor([[0.0, -5.0], [2.0, 0.0], [0.0, 0.0]], dtype=ag.float64))
    np.testing.assert_allclose(s.numpy(), [5.0, 2.0])
    # d(sum of singular values)/dA at a diagonal matrix with positive entries is the identity
    D = ag.tensor([[3.0, 0.0], [0.0, 1.0]], dtype=ag.float64, requires_grad=True)
    LA.svdvals(D).sum().backward()
    np.testing.assert_allclose(D.grad.numpy(), np.eye(2), atol=1e-14)


def test_solve_forms_and_pinv():
    A = ag.tensor([[2.0, 1.0], [0.0, 4.0]], dtype=ag.float64)
    B = ag.tensor([[3.0, 1.0], [4.0, 8.0]], dtype=ag.float64)
    X = LA.solve(A, B)
    np.testing.assert_allclose((A @ X).numpy(), B.numpy(), atol=1e-14)
    Y = LA.solve(A, B, left=False)
    np.testing.assert_allclose((Y @ A).numpy(), B.numpy(), atol=1e-14)
    x = LA.solve(A, ag.tensor([3.0, 4.0], dtype=ag.float64))
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0])
    # batched A with one right-hand side vector per matrix: B of A's batch shape
    Ab = ag.tensor(np.stack([np.eye(2), 2 * np.eye(2)]), dtype=ag.float32)
    np.testing.assert_allclose(LA.solve(Ab, ag.tensor([[2.0, 4.0], [2.0, 4.0]])).numpy(),
                               [[2.0, 4.0], [1.0, 2.0]])
    P = LA.pinv(ag.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 2.0]], dtype=ag.float64))
    np.testing.assert_allclose(P.numpy(), [[1.0, 0.0, 0.0], [0.0, 0.0, 0.5]])


def test_qr_by_hand_and_modes():
    A = ag.tensor([[3.0, 1.0], [4.0, 2.0], [0.0, 0.0]], dtype=ag.float64)
    Q, R = LA.qr(A)
    assert Q.shape == (3, 2) and R.shape == (2, 2)
    np.testing.assert_allclose(np.abs(R.numpy()), [[5.0, 2.2], [0.0, 0.4]], atol=1e-14)
    np.testing.assert_allclose((Q @ R).numpy(), A.numpy(), atol=1e-14)
    np.testing.assert_allclose((Q.mT @ Q).numpy(), np.eye(2), atol=1e-14)
    Qc, Rc = LA.qr(A, mode="complete")
    assert Qc.shape == (3, 3) and Rc.shape == (3, 2)
    Qr, Rr = LA.qr(A, mode="r")
    assert Qr.shape == (0,) and np.allclose(Rr.numpy(), R.numpy())


def test_norms_by_hand():
    A = ag.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert LA.norm(A).item() == pytest.approx(math.sqrt(30))
    assert LA.matrix_norm(A, 1).item() == 6.0  # max column sum of |A|
    assert LA.matrix_norm(A, -1).item() == 4.0
    assert LA.matrix_norm(A, math.inf).item() == 7.0  # max row sum
    assert LA.matrix_norm(A, -math.inf).item() == 3.0
    assert LA.vector_norm(A, 0).item() == 4.0
    assert LA.vector_norm(A, math.inf).item() == 4.0
    np.testing.assert_allclose(LA.norm(A, dim=1).numpy(), [math.sqrt(5), 5.0], rtol=1e-6)
    assert LA.matrix_norm(A, keepdim=True).shape == (1, 1)
    assert LA.matrix_norm(ag.ones(2, 3, 4), dim=(0, 2), keepdim=True).shape == (1, 3, 1)
    assert LA.norm(ag.ones(2, 3, 4), keepdim=True).shape == (1, 1, 1)


def test_cross_products():
    i, j = ag.tensor([1.0, 0.0, 0.0]), ag.tensor([0.0, 1.0, 0.0])
    np.testing.assert_array_equal(ag.cross(i, j).numpy(), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(LA.cross(j, i).numpy(), [0.0, 0.0, -1.0])
    # vectors along dim 0 of a (3, 2) tensor; broadcasting of a (1, 3) against a (2, 3)
    a = ag.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    b = ag.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(a.cross(b, dim=0).numpy(), [[0.0, 1.0], [0.0, 0.0],
                                                               [1.0, 0.0]])
    out = LA.cross(ag.tensor([[1.0, 0.0, 0.0]]), ag.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(out.numpy(), [[0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


def test_logspace_and_poisson():
    np.testing.assert_allclose(ag.logspace(-1, 2, 4).numpy(), [0.1, 1.0, 10.0, 100.0],
                               rtol=1e-6)
    assert ag.logspace(0, 1, 3).dtype == ag.float32
    assert ag.logspace(0, 1, 3, dtype=ag.float64).dtype == ag.float64
    np.testing.assert_array_equal(ag.logspace(0, 4, 5, base=2).numpy(), [1, 2, 4, 8, 16])
    g = ag.Generator().manual_seed(1)
    draws = ag.poisson(ag.full((20000,), 3.0, dtype=ag.float64), generator=g).numpy()
    assert np.all(draws == np.round(draws)) and draws.min() >= 0
    assert abs(draws.mean() - 3.0) < 0.1 and abs(draws.var() - 3.0) < 0.2
    again = ag.poisson(ag.full((20000,), 3.0, dtype=ag.float64),
                       generator=ag.Generator().manual_seed(1)).numpy()
    np.testing.assert_array_equal(draws, again)
    with pytest.raises(RuntimeError, match="expected rate to be non-negative"):
        ag.poisson(ag.tensor([1.0, -1.0]))


def test_errors_in_the_users_terms():
    with pytest.raises(RuntimeError, match="must be batches of square matrices, but they are "
                                           "2 by 3 matrices"):
        LA.det(ag.ones(2, 3))
    with pytest.raises(LA.LinAlgError, match="The diagonal element 2 is zero"):
        LA.inv(ag.ones(2, 2))
    with pytest.raises(RuntimeError, match=r"\(Batch element 1\): The diagonal element 1"):
        LA.inv(ag.tensor(np.stack([np.eye(2), np.zeros((2, 2))])))
    with pytest.raises(LA.LinAlgError, match="leading minor of order 2 is not positive"):
        LA.cholesky(ag.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(RuntimeError, match=r"AX = B \(2x2 and 3x1\)"):
        LA.solve(ag.eye(2), ag.ones(3))
    with pytest.raises(RuntimeError, match="inputs dimension -1 must have length 3"):
        LA.cross(ag.ones(2), ag.ones(2))
    with pytest.raises(RuntimeError, match="Expected UPLO"):
        LA.eigh(ag.eye(2), UPLO="X")
    with pytest.raises(RuntimeError, match="Got Long"):
        LA.det(ag.ones(2, 2, dtype=ag.int64))


# ---- against PyTorch --------------------------------------------------------------------------
def _sym(m, x):
    return x.mT @ x + m.eye(x.shape[-1], dtype=x.dtype)


# (name, ours(ag, x), theirs(torch, x), input array)
CASES = [
    ("det", lambda m, x: m.det(x), lambda t, x: t.det(x), _general((3, 3))),
    ("det_batched", lambda m, x: m.linalg.det(x), lambda t, x: t.linalg.det(x),
     _general((2, 3, 3), 1)),
    ("inverse", lambda m, x: x.inverse(), lambda t, x: x.inverse(), _general((3, 3), 2)),
    ("inv", lambda m, x: m.linalg.inv(x), lambda t, x: t.linalg.inv(x), _general((2, 3, 3))),
    ("logdet", lambda m, x: m.logdet(_sym(m, x)), lambda t, x: t.logdet(_sym(t, x)),
     _general((4, 3), 3)),
    ("slogdet", lambda m, x: m.linalg.slogdet(x), lambda t, x: t.linalg.slogdet(x),
     -_general((3, 3), 4)),
    ("cholesky", lambda m, x: m.linalg.cholesky(_sym(m, x)),
     lambda t, x: t.linalg.cholesky(_sym(t, x)), _general((4, 3), 5)),
    ("cholesky_upper", lambda m, x: m.linalg.cholesky(_sym(m, x), upper=True),
     lambda t, x: t.linalg.cholesky(_sym(t, x), upper=True), _general((2, 4, 3), 6)),
    ("eigvalsh", lambda m, x: m.linalg.eigvalsh(_sym(m, x)),
     lambda t, x: t.linalg.eigvalsh(_sym(t, x)), _general((4, 3), 7)),
    ("eigvalsh_upper", lambda m, x: m.linalg.eigvalsh(x + x.mT, UPLO="U"),
     lambda t, x: t.linalg.eigvalsh(x + x.mT, UPLO="U"), _general((3, 3), 8)),
    # eigenvectors are defined up to sign: compare sign-free functions of them
    ("eigh", lambda m, x: [m.linalg.eigh(_sym(m, x))[0], m.linalg.eigh(_sym(m, x))[1] ** 2],
     lambda t, x: [t.linalg.eigh(_sym(t, x))[0], t.linalg.eigh(_sym(t, x))[1] ** 2],
     _general((4, 3), 9)),
    ("svdvals_tall", lambda m, x: m.linalg.svdvals(x), lambda t, x: t.linalg.svdvals(x),
     _general((4, 3), 10)),
    ("svdvals_wide_batched", lambda m, x: m.linalg.svdvals(x.mT),
     lambda t, x: t.linalg.svdvals(x.mT), _general((2, 4, 3), 11)),
    ("pinv", lambda m, x: m.linalg.pinv(x), lambda t, x: t.linalg.pinv(x),
     _general((4, 3), 12)),
    ("pinverse_wide", lambda m, x: x.mT.pinverse(), lambda t, x: x.mT.pinverse(),
     _general((4, 3), 13)),
    ("solve", lambda m, x: m.linalg.solve(x, x[..., :2] * 2.0),
     lambda t, x: t.linalg.solve(x, x[..., :2] * 2.0), _general((3, 3), 14)),
    ("solve_vec", lambda m, x: m.linalg.solve(x, x[0]),
     lambda t, x: t.linalg.solve(x, x[0]), _general((3, 3), 15)),
    ("solve_left_false", lambda m, x: m.linalg.solve(x[:3], x[3:], left=False),
     lambda t, x: t.linalg.solve(x[:3], x[3:], left=False), _general((5, 3), 15)),
    ("solve_batch_of_vectors", lambda m, x: m.linalg.solve(x, x[:, 0]),
     lambda t, x: t.linalg.solve(x, x[:, 0]), _general((2, 3, 3), 15)),
    ("solve_broadcast", lambda m, x: m.linalg.solve(x, x[0].mT),
     lambda t, x: t.linalg.solve(x, x[0].mT), _general((2, 3, 3), 16)),
    ("norm", lambda m, x: m.linalg.norm(x), lambda t, x: t.linalg.norm(x),
     _general((2, 3, 3), 17)),
    ("norm_dim", lambda m, x: m.linalg.norm(x, 3, dim=-1, keepdim=True),
     lambda t, x: t.linalg.norm(x, 3, dim=-1, keepdim=True), _general((2, 3), 18)),
    ("norm_nuc", lambda m, x: m.linalg.norm(x, "nuc"), lambda t, x: t.linalg.norm(x, "nuc"),
     _general((3, 2), 19)),
    ("vector_norm_inf", lambda m, x: m.linalg.vector_norm(x, math.inf, dim=(0, 2)),
     lambda t, x: t.linalg.vector_norm(x, math.inf, dim=(0, 2)), _general((2, 3, 3), 20)),
    ("vector_norm_1", lambda m, x: m.linalg.vector_norm(x, 1), lambda t, x:
     t.linalg.vector_norm(x, 1), _general((2, 3), 21)),
] + [
    (f"matrix_norm_{o}", lambda m, x, o=o: m.linalg.matrix_norm(x, o, dim=(0, 2)),
     lambda t, x, o=o: t.linalg.matrix_norm(x, o, dim=(0, 2)), _general((3, 2, 4), 22 + k))
    for k, o in enumerate(["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf])
] + [
    ("cross_linalg", lambda m, x: m.linalg.cross(x[:1], x), lambda t, x: t.linalg.cross(x[:1], x),
     _general((4, 3), 30)),
    ("cross_dim0", lambda m, x: m.cross(x, x * x, dim=0), lambda t, x: t.cross(x, x * x, dim=0),
     _general((3, 4), 31)),
    ("qr_tall", lambda m, x: list(m.linalg.qr(x)), lambda t, x: list(t.linalg.qr(x)),
     _general((4, 3), 32)),
    ("qr_wide_batched", lambda m, x: list(m.linalg.qr(x.mT)),
     lambda t, x: list(t.linalg.qr(x.mT)), _general((2, 4, 3), 33)),
    ("qr_complete_wide", lambda m, x: list(m.linalg.qr(x.mT, mode="complete")),
     lambda t, x: list(t.linalg.qr(x.mT, mode="complete")), _general((4, 3), 34)),
]


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, ours, theirs, array = case
    x = ag.tensor(array, requires_grad=True)
    r = torch.tensor(array, requires_grad=True)
    outs, routs = _flat(ours(ag, x)), _flat(theirs(torch, r))
    rng = np.random.default_rng(0)
    loss, rloss = 0.0, 0.0
    for o, ro in zip(outs, routs, strict=True):
        assert o.shape == tuple(ro.shape), name
        np.testing.assert_allclose(o.detach().numpy(), ro.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=name)
        if ro.requires_grad:
            w = rng.standard_normal(tuple(ro.shape))
            loss = loss + (o * ag.tensor(w)).sum()
            rloss = rloss + (ro * torch.tensor(w)).sum()
    loss.backward()
    rloss.backward()
    np.testing.assert_allclose(x.grad.numpy(), r.grad.numpy(), rtol=1e-9, atol=1e-11,
                               err_msg=name)


@pytest.mark.torch_parity
def test_second_derivatives_equal_torch():
    """Hessian-vector products through the spectral ops (recorded backward) match PyTorch's."""
    torch = pytest.importorskip("torch")
    array = _general((4, 3), 40)
    v = np.random.default_rng(1).standard_normal((4, 3))

    def hvp(m, fn):
        x = m.tensor(array, requires_grad=True)
        (g,) = m.autograd.grad(fn(m, x), x, create_graph=True)
        (h,) = m.autograd.grad((g * m.tensor(v)).sum(), x)
        return np.asarray(h.detach().numpy())

    fns = [lambda m, x: (m.linalg.svdvals(x) ** 3).sum(),
           lambda m, x: (m.linalg.eigvalsh(_sym(m, x)) ** 2).sum(),
           lambda m, x: (m.linalg.eigh(_sym(m, x))[1][:, 0] ** 2 * m.arange(3.0)).sum(),
           lambda m, x: m.linalg.det(x[:3]) ** 2,
           lambda m, x: m.linalg.cholesky(_sym(m, x)).sum(),
           lambda m, x: (m.linalg.pinv(x) ** 2).sum(),
           lambda m, x: (m.linalg.qr(x)[0] ** 3).sum() + (m.linalg.qr(x)[1] ** 3).sum(),
           lambda m, x: (m.linalg.qr(x.mT)[1] ** 3).sum()]
    for k, fn in enumerate(fns):
        np.testing.assert_allclose(hvp(ag, fn), hvp(torch, fn), rtol=1e-8, atol=1e-10,
                                   err_msg=str(k))


ERRORS = [
    lambda m: m.linalg.det(m.ones(2, 3)),
    lambda m: m.linalg.det(m.ones(3)),
    lambda m: m.linalg.det(m.ones(2, 2, dtype=m.int64)),
    lambda m: m.linalg.inv(m.ones(2, 2)),
    lambda m: m.linalg.inv(m.tensor([[1.0, 2.0], [2.0, 4.0]])),
    lambda m: m.linalg.inv(m.stack([m.eye(2), m.zeros(2, 2)])),
    lambda m: m.linalg.cholesky(m.stack([m.eye(2), -m.eye(2)])),
    lambda m: m.linalg.cholesky(m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda m: m.linalg.solve(m.ones(2, 2), m.ones(3)),
    lambda m: m.linalg.solve(m.ones(2, 2), m.ones(2)),
    lambda m: m.linalg.solve(m.eye(3), m.ones(3), left=False),
    lambda m: m.linalg.solve(m.eye(3), m.ones(3, 2), left=False),
    lambda m: m.linalg.solve(m.eye(3), m.ones(3, dtype=m.float64)),
    lambda m: m.linalg.eigh(m.ones(2, 3)),
    lambda m: m.linalg.matrix_norm(m.ones(3)),
    lambda m: m.linalg.vector_norm(m.ones(3, dtype=m.int64)),
    lambda m: m.linalg.cross(m.ones(2, 2), m.ones(2, 2)),
    lambda m: m.linalg.norm(m.ones(2, 2, 2), ord=2),
    lambda m: m.poisson(m.tensor([-1.0])),
    lambda m: m.linalg.qr(m.ones(2, 2), mode="x"),
    lambda m: m.linalg.qr(m.ones(3, 2, requires_grad=True), mode="r")[1].sum().backward(),
    lambda m: m.linalg.qr(m.ones(3, 2, requires_grad=True), mode="complete")[1].sum().backward(),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_have_torch_type_and_wording(k):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as want:
        ERRORS[k](torch)
    with pytest.raises(Exception) as got:
        ERRORS[k](ag)
    assert isinstance(got.value, RuntimeError) and isinstance(want.value, RuntimeError)
    assert str(got.value) == str(want.value)


@pytest.mark.torch_parity
def test_logspace_equals_torch():
    torch = pytest.importorskip("torch")
    for args, kw in [((0, 2, 3), {}), ((-2.5, 1, 7), {"base": 3.0}),
                     ((1, 0, 4), {"dtype": "float64"}), ((0, 1, 1), {}), ((0, 1, 0), {})]:
        kw_t = {k: getattr(torch, v) if k == "dtype" else v for k, v in kw.items()}
        kw_a = {k: getattr(ag, v) if k == "dtype" else v for k, v in kw.items()}
        want = torch.logspace(*args, **kw_t).numpy()
        got = ag.logspace(*args, **kw_a).numpy()
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6)


# ---- signatures (parameter names, kinds, order, defaults) from PyTorch's docstrings ---------
# Documented exceptions: no ``out=`` here; creation functions take no ``layout``.
def _doc_params(doc_line):
    m = re.match(r"\s*[\w.]+\((.*)\)\s*$", doc_line.split(" -> ")[0])
    ns = {"torch": type("torch", (), {"strided": None})}
    exec(compile(ast.parse(f"def f({m.group(1)}): pass"), "<doc>", "exec"), ns)  # noqa: S102
    return _params(inspect.signature(ns["f"]))


def _params(sig):
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()
            if p.name not in ("out", "layout")]


LINALG = ["norm", "vector_norm", "matrix_norm", "det", "slogdet", "inv", "solve", "cholesky",
          "eigh", "eigvalsh", "svdvals", "pinv", "cross", "qr"]
TOP = ["det", "inverse", "logdet", "slogdet", "pinverse", "cross", "logspace", "poisson"]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", LINALG)
def test_linalg_signatures_equal_torch(name):
    torch = pytest.importorskip("torch")
    want = _doc_params(getattr(torch.linalg, name).__doc__.strip().splitlines()[0])
    assert _params(inspect.signature(getattr(ag.linalg, name))) == want


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", TOP)
def test_function_and_method_signatures_equal_torch(name):
    torch = pytest.importorskip("torch")
    want = _doc_params(getattr(torch, name).__doc__.strip().splitlines()[0])
    assert _params(inspect.signature(getattr(ag, name))) == want
    if hasattr(torch.Tensor, name):
        method = _doc_params(getattr(torch.Tensor, name).__doc__.strip().splitlines()[0])
        ours = _params(inspect.signature(getattr(ag.Tensor, name)))[1:]
        # PyTorch's method docstrings leave out defaulted arguments (pinverse's rcond)
        assert ours[:len(method)] == method


@pytest.mark.torch_parity
def test_pinv_cutoffs_equal_torch():
    """A rank-deficient matrix (third column nearly a combination of the others): atol/rtol
    decide which singular values count, per matrix of a batch, as in PyTorch."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2, 4, 3))
    A[..., 2] = 2 * A[..., 0] + 1e-3 * A[..., 1]
    S = A[0, :3] + A[0, :3].T
    for arr, kw in [(A, {}), (A, {"atol": 0.5}), (A, {"rtol": 0.3}),
                    (A, {"atol": 0.01, "rtol": 0.5}), (S, {"hermitian": True}),
                    (S, {"hermitian": True, "atol": 1.0})]:
        got = LA.pinv(ag.tensor(arr), **kw).numpy()
        want = torch.linalg.pinv(torch.tensor(arr), **kw).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=str(kw))


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (3, 3), (2, 3, 5)])
@pytest.mark.parametrize("full", [True, False])
def test_linalg_svd_and_cond_match_torch(shape, full):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal(shape)
    got = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        U, S, Vh = lib.linalg.svd(x, full_matrices=full)
        k = min(shape[-2:])
        # a function of the factors that does not depend on the singular vectors' signs
        loss = (U[..., :, :k] @ lib.diag_embed(S) @ Vh[..., :k, :]).pow(2).sum() + S.sum() + \
            (U[..., :1, :k] * Vh[..., :k, -1:].mT).abs().sum()
        loss.backward()
        got.append((tuple(U.shape), tuple(Vh.shape), S.detach().numpy(), x.grad.numpy(),
                    lib.linalg.cond(x.detach()).numpy()))
    (su, sv, s, g, c), (tu, tv, ts, tg, tc) = got
    assert (su, sv) == (tu, tv)
    np.testing.assert_allclose(s, ts, rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(c, tc, rtol=1e-12)


def test_matrix_norm_refuses_one_dim_twice_in_pytorchs_words():
    # the Frobenius path gave the reduction's "dim (0, 0) appears multiple times"; the nuclear
    # norm's (torch.norm(p='nuc')) shares the check
    for call in (lambda: ag.linalg.matrix_norm(ag.ones(2, 3), dim=(0, 0)),
                 lambda: ag.linalg.matrix_norm(ag.ones(2, 3), "nuc", dim=(1, -1)),
                 lambda: ag.norm(ag.ones(2, 3), p="nuc", dim=(1, 1))):
        with pytest.raises(RuntimeError, match=r"^linalg.matrix_norm: dims must be different. "
                                               r"Got \((0, 0|1, 1)\)$"):
            call()
