"""The torch.linalg / matrix functions added in linalg11 (solve_triangular, cholesky_solve,
cholesky_inverse, multi_dot, vecdot, the *_ex forms, lu_solve, addr, addbmm, adjoint, vdot,
chain_matmul): values and gradients against PyTorch 2.13 in float32 and float64 (batched,
broadcast, empty batches), gradcheck in float64 for the ones outside the op table, and
PyTorch's errors."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import linalg as LA
from autograd_core.gradcheck import gradcheck, gradgradcheck
from tests._cpu import assert_within_rounding_of_sum, is_intel_avx512

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)
TOL = {"float64": (1e-10, 1e-11), "float32": (2e-4, 2e-5)}


def _tri(shape):
    return RNG.standard_normal(shape) + 3.0 * np.eye(shape[-1])


def _spd_factor(shape):
    x = RNG.standard_normal(shape)
    return np.linalg.cholesky(x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1]))


def _assert_matches_torch(ours, theirs, arrays, dtype):
    """Forward values and the gradients of every input for one random cotangent."""
    rtol, atol = TOL[dtype]
    xs = [ag.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    y, t = ours(*xs), theirs(*ts)
    assert y.dtype.name == dtype and tuple(y.shape) == tuple(t.shape)
    np.testing.assert_allclose(y.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)
    g = RNG.standard_normal(tuple(t.shape)).astype(dtype)
    y.backward(ag.tensor(g))
    t.backward(torch.tensor(g))
    for x, tt in zip(xs, ts):
        expected = tt.grad.numpy() if tt.grad is not None else np.zeros(tt.shape)
        got = x.grad.numpy() if x.grad is not None else np.zeros(tt.shape)
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


DTYPES = ["float64", "float32"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(dtype, upper, left, unit):
    A = _tri((2, 1, 3, 3))
    B = RNG.standard_normal((4, 3, 2) if left else (4, 2, 3))  # batches broadcast
    _assert_matches_torch(lambda a, b: LA.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit),
             lambda a, b: torch.linalg.solve_triangular(a, b, upper=upper, left=left,
                                                        unitriangular=unit), [A, B], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("upper", [True, False])
def test_cholesky_solve_and_inverse(dtype, upper):
    L = _spd_factor((2, 3, 3))
    F = np.swapaxes(L, -1, -2) if upper else L
    B = RNG.standard_normal((2, 3, 4))
    _assert_matches_torch(lambda b, f: ag.cholesky_solve(b, f, upper),
             lambda b, f: torch.cholesky_solve(b, f, upper), [B, F], dtype)
    # PyTorch's gradient treats the factor as a full matrix: off-triangle entries get one too
    _assert_matches_torch(lambda b, f: b.cholesky_solve(f, upper=upper),
             lambda b, f: b.cholesky_solve(f, upper=upper), [B, F + 0.25], dtype)
    _assert_matches_torch(lambda f: ag.cholesky_inverse(f, upper), lambda f: torch.cholesky_inverse(f, upper),
             [F], dtype)
    _assert_matches_torch(lambda f: f[0].cholesky_inverse(upper), lambda f: f[0].cholesky_inverse(upper),
             [F], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_products(dtype):
    c, v1, v2 = RNG.standard_normal((3, 2)), RNG.standard_normal(3), RNG.standard_normal(2)
    _assert_matches_torch(lambda c, a, b: ag.addr(c, a, b, beta=0.5, alpha=2.0),
             lambda c, a, b: torch.addr(c, a, b, beta=0.5, alpha=2.0), [c, v1, v2], dtype)
    _assert_matches_torch(lambda c, a, b: c.addr(a, b), lambda c, a, b: c.addr(a, b), [c[0], v1, v2], dtype)
    b1, b2 = RNG.standard_normal((4, 3, 5)), RNG.standard_normal((4, 5, 2))
    _assert_matches_torch(lambda c, a, b: ag.addbmm(c, a, b, beta=0.5, alpha=2.0),
             lambda c, a, b: torch.addbmm(c, a, b, beta=0.5, alpha=2.0), [c, b1, b2], dtype)
    _assert_matches_torch(lambda a, b: a.vdot(b), lambda a, b: a.vdot(b), [v1, v1[::-1].copy()], dtype)
    _assert_matches_torch(lambda a: ag.adjoint(a), lambda a: torch.adjoint(a), [b1], dtype)
    _assert_matches_torch(lambda x, y: LA.vecdot(x, y, dim=0), lambda x, y: torch.linalg.vecdot(x, y, dim=0),
             [c, c[:, :1].copy()], dtype)


def test_addr_beta_zero_ignores_nan_input():
    out = ag.addr(ag.full((2, 2), float("nan")), ag.ones(2), ag.ones(2), beta=0)
    assert (out == 1).all().item()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((3,), (3, 4), (4,)), ((5, 3), (3, 10), (10, 2), (2, 7)),
                                    ((10,), (10, 2), (2, 30), (30, 3)), ((2, 3), (3, 4))])
def test_multi_dot_and_chain_matmul(dtype, shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    _assert_matches_torch(lambda *x: LA.multi_dot(x), lambda *x: torch.linalg.multi_dot(x), arrays, dtype)
    if all(len(s) == 2 for s in shapes):
        from autograd_core.ops import linalg_solvers

        linalg_solvers._WARNED.discard("chain_matmul")  # PyTorch warns once per process
        with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
            ours = ag.chain_matmul(*[ag.tensor(a) for a in arrays])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.chain_matmul(*[torch.tensor(a) for a in arrays])
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_multi_dot_picks_the_cheapest_order():
    """(10x2)(2x30)(30x3): (AB)C costs 600+900, A(BC) 180+60; the order shows in rounding,
    so float32 values equal PyTorch's bit for bit only in the same order (on AVX-512 CPUs).
    On AVX2 ones (an AMD EPYC) torch's MKL rounds even these short sums otherwise than numpy's
    OpenBLAS: there ours must be numpy's A(BC) bit for bit (which differs from its (AB)C) and
    within 4 eps * |A||B||C| of torch's (at most 1.37 measured over 300 seeds)."""
    arrays = [RNG.standard_normal(s).astype("float32") for s in ((10, 2), (2, 30), (30, 3))]
    ours = LA.multi_dot([ag.tensor(a) for a in arrays]).numpy()
    a, b, c = (torch.tensor(x) for x in arrays)
    if is_intel_avx512():
        np.testing.assert_array_equal(ours, (a @ (b @ c)).numpy())
    else:
        x, y, z = arrays
        np.testing.assert_array_equal(ours, x @ (y @ z))
        assert not np.array_equal(ours, (x @ y) @ z)
        scale = np.abs(x.astype("float64")) @ np.abs(y) @ np.abs(z)
        assert_within_rounding_of_sum(ours, (a @ (b @ c)).numpy(), scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve(dtype, left, adjoint):
    A = RNG.standard_normal((2, 3, 3))
    LU, piv = torch.linalg.lu_factor(torch.tensor(A.astype(dtype)))
    B = RNG.standard_normal((2, 3, 2) if left else (2, 2, 3))
    _assert_matches_torch(lambda lu, b: LA.lu_solve(lu, ag.tensor(piv.numpy()), b, left=left,
                                       adjoint=adjoint),
             lambda lu, b: torch.linalg.lu_solve(lu, piv, b, left=left, adjoint=adjoint),
             [LU.detach().numpy().astype("float64"), B], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_ex_forms_on_good_inputs_equal_the_plain_ones(dtype):
    A = _tri((2, 3, 3))
    B = RNG.standard_normal((2, 3, 2))
    S = _spd_factor((2, 3, 3))
    S = S @ np.swapaxes(S, -1, -2)
    _assert_matches_torch(lambda a: LA.inv_ex(a).inverse, lambda a: torch.linalg.inv_ex(a).inverse, [A], dtype)
    _assert_matches_torch(lambda a: LA.cholesky_ex(a, upper=True).L,
             lambda a: torch.linalg.cholesky_ex(a, upper=True).L, [S], dtype)
    _assert_matches_torch(lambda a, b: LA.solve_ex(a, b).result,
             lambda a, b: torch.linalg.solve_ex(a, b).result, [A, B], dtype)
    _assert_matches_torch(lambda a, b: LA.solve_ex(a, b[..., 0]).result,
             lambda a, b: torch.linalg.solve_ex(a, b[..., 0]).result, [A, B], dtype)
    for ours, theirs in ((LA.inv_ex(ag.tensor(A)), torch.linalg.inv_ex(torch.tensor(A))),
                         (LA.lu_factor_ex(ag.tensor(A)),
                          torch.linalg.lu_factor_ex(torch.tensor(A)))):
        np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
        assert ours.info.dtype == ag.int32


def test_ex_forms_report_failures_in_info():
    Z = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 3.0]]])
    for name in ("inv_ex", "cholesky_ex", "lu_factor_ex"):
        ours = getattr(LA, name)(ag.tensor(Z))
        theirs = getattr(torch.linalg, name)(torch.tensor(Z))
        np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
        np.testing.assert_allclose(ours[0].numpy()[1], theirs[0].numpy()[1])  # the good one
    ours = LA.solve_ex(ag.tensor(Z), ag.ones(2, dtype=ag.float64))
    theirs = torch.linalg.solve_ex(torch.tensor(Z), torch.ones(2, dtype=torch.float64))
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    np.testing.assert_allclose(ours.result.numpy()[1], theirs.result.numpy()[1])
    # the failed matrix's gradient is zero, the good one's is the inverse's
    A = ag.tensor(Z, requires_grad=True)
    LA.inv_ex(A).inverse[1].sum().backward()
    T = torch.tensor(Z[1], requires_grad=True)
    torch.linalg.inv(T).sum().backward()
    np.testing.assert_allclose(A.grad.numpy()[1], T.grad.numpy(), rtol=1e-12)
    assert not A.grad.numpy()[0].any()


@pytest.mark.parametrize("name, args", [
    ("inv_ex", ()), ("cholesky_ex", ()), ("solve_ex", (np.ones(2),))])
def test_ex_forms_check_errors_raise_as_pytorch(name, args):
    Z = np.zeros((2, 2, 2))
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.linalg, name)(torch.tensor(Z), *map(torch.tensor, args), check_errors=True)
    with pytest.raises(LA.LinAlgError) as ours:
        getattr(LA, name)(ag.tensor(Z), *map(ag.tensor, args), check_errors=True)
    assert str(ours.value) == str(theirs.value)


def test_empty_batches():
    for ours, theirs in (
            (LA.solve_triangular(ag.zeros(0, 3, 3), ag.zeros(3, 2), upper=True),
             torch.linalg.solve_triangular(torch.zeros(0, 3, 3), torch.zeros(3, 2), upper=True)),
            (ag.cholesky_solve(ag.zeros(0, 3, 2), ag.eye(3)),
             torch.cholesky_solve(torch.zeros(0, 3, 2), torch.eye(3))),
            (ag.cholesky_inverse(ag.zeros(0, 2, 2)), torch.cholesky_inverse(torch.zeros(0, 2, 2))),
            (LA.inv_ex(ag.zeros(0, 3, 3)).info, torch.linalg.inv_ex(torch.zeros(0, 3, 3)).info),
            (ag.addbmm(ag.ones(2, 2), ag.zeros(0, 2, 3), ag.zeros(0, 3, 2)),
             torch.addbmm(torch.ones(2, 2), torch.zeros(0, 2, 3), torch.zeros(0, 3, 2)))):
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_gradcheck_of_the_composed_forms():
    A = ag.tensor(_tri((2, 3, 3)), requires_grad=True)
    B = ag.tensor(RNG.standard_normal((2, 3, 2)), requires_grad=True)
    piv = ag.tensor(np.array([[1, 2, 3], [3, 2, 3]], dtype=np.int32))
    for fn in (lambda a, b: LA.lu_solve(a, piv, b),
               lambda a, b: LA.lu_solve(a, piv, b.mT, left=False, adjoint=True),
               lambda a, b: LA.solve_ex(a, b).result, lambda a, b: LA.inv_ex(a).inverse @ b,
               lambda a, b: LA.multi_dot([a[0], b[0], b[1].mT])):
        assert gradcheck(fn, (A, B))
        assert gradgradcheck(fn, (A, B))


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(3), upper=True),
    lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(4, 2), upper=True),
    lambda m: m.linalg.solve_triangular(m.ones(3, 3), m.ones(3, 2), upper=True, left=False),
    lambda m: m.linalg.solve_triangular(m.ones(3, 4), m.ones(3, 2), upper=True),
    lambda m: m.linalg.solve_triangular(m.ones(2, 3, 3), m.ones(4, 3, 2), upper=True),
    lambda m: m.cholesky_solve(m.ones(4, 2), m.eye(3)),
    lambda m: m.cholesky_solve(m.ones(3), m.eye(3)),
    lambda m: m.cholesky_solve(m.ones(3, 2, dtype=m.float64), m.eye(3)),
    lambda m: m.cholesky_inverse(m.ones(3, 4)),
    lambda m: m.cholesky_inverse(m.ones(3)),
    lambda m: m.addr(m.ones(3, 2), m.ones(3, 1), m.ones(2)),
    lambda m: m.addr(m.ones(3, 2), m.ones(3), m.ones(2, 1)),
    lambda m: m.addr(m.ones(4, 2), m.ones(3), m.ones(2)),
    lambda m: m.addbmm(m.ones(3, 2), m.ones(4, 3, 5), m.ones(4, 6, 2)),
    lambda m: m.addbmm(m.ones(3, 2), m.ones(4, 3, 5), m.ones(3, 5, 2)),
    lambda m: m.addbmm(m.ones(3, 3), m.ones(4, 3, 5), m.ones(4, 5, 2)),
    lambda m: m.adjoint(m.ones(3)),
    lambda m: m.linalg.vecdot(m.ones(3), m.ones(3, dtype=m.float64)),
    lambda m: m.linalg.multi_dot([m.ones(3)]),
    lambda m: m.linalg.multi_dot([m.ones(3, 2), m.ones(2, 2, 2)]),
    lambda m: m.linalg.multi_dot([m.ones(1, 3, 2), m.ones(2, 4)]),
    lambda m: m.linalg.multi_dot([m.ones(3, 2), m.ones(3, 2)]),
    lambda m: m.linalg.multi_dot([m.ones(3, 2), m.ones(2, 4), m.ones(5)]),
    lambda m: m.linalg.multi_dot([m.ones(3, 2), m.ones(2, 4, dtype=m.float64)]),
])
def test_errors_in_pytorchs_words(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(ag)
    assert str(ours.value) == str(theirs.value)


def _eig_loss(m, L, V):
    """A loss that does not depend on the eigenvectors' phases (PyTorch refuses others) nor on
    the eigenvalues' order (LAPACK builds may order them differently)."""
    w = m.arange(V.shape[-1], dtype=V.real.dtype).reshape(-1, 1)
    return (V.abs() ** 2 * w).sum() + (L * L).real.sum() + L.imag.sum()


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128", "complex64"])
def test_eig_values_and_gradients(dtype):
    a = RNG.standard_normal((2, 4, 4))
    if dtype.startswith("complex"):
        a = a + 1j * RNG.standard_normal((2, 4, 4))
    a = a.astype(dtype)
    rtol = 1e-10 if dtype in ("float64", "complex128") else 2e-4
    A = ag.tensor(a, requires_grad=True)
    T = torch.tensor(a, requires_grad=True)
    L, V = LA.eig(A)
    Lt, Vt = torch.linalg.eig(T)
    assert str(L.dtype).split(".")[-1] == str(Lt.dtype).split(".")[-1]
    assert str(V.dtype).split(".")[-1] == str(Vt.dtype).split(".")[-1]
    np.testing.assert_allclose(np.sort_complex(L.detach().numpy()),
                               np.sort_complex(Lt.detach().numpy()), rtol=rtol, atol=rtol)
    # eigenvectors: unit columns with A V = V diag(L) (their phases are LAPACK's to choose)
    v = V.detach().numpy()
    np.testing.assert_allclose(np.linalg.norm(v, axis=-2), 1, rtol=rtol)
    np.testing.assert_allclose(a @ v, v * L.detach().numpy()[..., None, :], rtol=rtol,
                               atol=10 * rtol)
    _eig_loss(ag, L, V).backward()
    _eig_loss(torch, Lt, Vt).backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=10 * rtol, atol=10 * rtol)
    A.grad = None
    T.grad = None
    (LA.eigvals(A) ** 2).imag.sum().backward()
    (torch.linalg.eigvals(T) ** 2).imag.sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), T.grad.numpy(), rtol=10 * rtol, atol=10 * rtol)


def test_eig_gradient_matches_finite_differences():
    a = RNG.standard_normal((3, 3))
    A = ag.tensor(a, requires_grad=True)
    _eig_loss(ag, *LA.eig(A)).backward()

    def loss(x):
        w, v = np.linalg.eig(x)
        return float((np.abs(v) ** 2 * np.arange(3)[:, None]).sum() + (w * w).real.sum() + w.imag.sum())

    fd = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[i] = 1e-6
        fd[i] = (loss(a + e) - loss(a - e)) / 2e-6
    np.testing.assert_allclose(A.grad.numpy(), fd, rtol=1e-5, atol=1e-6)


def test_eig_refuses_a_phase_dependent_loss_and_bad_inputs_as_pytorch():
    a = RNG.standard_normal((3, 3))
    with pytest.raises(RuntimeError) as theirs:
        T = torch.tensor(a, requires_grad=True)
        torch.linalg.eig(T)[1].imag.sum().backward()
    with pytest.raises(RuntimeError) as ours:
        A = ag.tensor(a, requires_grad=True)
        LA.eig(A)[1].imag.sum().backward()
    assert str(ours.value) == str(theirs.value)
    for make, names in ((lambda m: m.ones(2, 3), ("eig", "eigvals")),
                        (lambda m: m.ones(3), ("eig", "eigvals")),
                        (lambda m: m.tensor([[1.0, float("nan")], [0.0, 1.0]]), ("eig",))):
        for name in names:
            with pytest.raises(RuntimeError) as theirs:
                getattr(torch.linalg, name)(make(torch))
            with pytest.raises(RuntimeError) as ours:
                getattr(LA, name)(make(ag))
            assert str(ours.value) == str(theirs.value)
    # eigvals does not check (PyTorch's values are LAPACK's, unspecified): NaN here
    w = LA.eigvals(ag.tensor([[[1.0, float("nan")], [0.0, 1.0]], [[2.0, 0.0], [0.0, 3.0]]]))
    assert np.isnan(w.numpy()[0]).all()
    np.testing.assert_allclose(np.sort_complex(w.numpy()[1]), [2, 3])
    assert tuple(LA.eig(ag.zeros(0, 2, 2)).eigenvectors.shape) == (0, 2, 2)
    assert LA.eigvals(ag.zeros(0, 2, 2)).dtype == ag.complex64


def test_eig_second_derivative_is_refused_not_wrong():
    A = ag.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    loss = (LA.eigvals(A) ** 2).real.sum()
    with pytest.raises(NotImplementedError, match="second derivative of linalg.eig"):
        ag.autograd.grad(loss, A, create_graph=True)


def test_complete_qr_of_a_tall_matrix_refuses_a_gradient_through_q():
    """Q of linalg.qr(A, 'complete') with m > n had no graph: a loss using it got a silent
    zero contribution where PyTorch raises."""
    a = RNG.standard_normal((4, 3))
    T = torch.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError) as theirs:
        (torch.linalg.qr(T, "complete").Q.sum() + T.sum()).backward()
    A = ag.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError) as ours:
        (LA.qr(A, "complete").Q.sum() + A.sum()).backward()
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_legacy_forms(dtype):
    A = _tri((2, 3, 3))
    B = RNG.standard_normal((4, 1, 3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for up in (True, False):
            for tr in (True, False):
                _assert_matches_torch(lambda b, a: ag.triangular_solve(b, a, up, tr, not tr).solution,
                         lambda b, a: torch.triangular_solve(b, a, up, tr, not tr).solution,
                         [B, A], dtype)
        _assert_matches_torch(lambda b, a: b.triangular_solve(a).cloned_coefficient,
                 lambda b, a: b.triangular_solve(a).cloned_coefficient, [B, A], dtype)
        LU, piv = torch.linalg.lu_factor(torch.tensor(A))
        _assert_matches_torch(lambda b, lu: b.lu_solve(lu, ag.tensor(piv.numpy())),
                 lambda b, lu: b.lu_solve(lu, piv), [B[0], LU.numpy()], dtype)
        M = RNG.standard_normal((2, 4, 3))
        for k in (0, 1):
            _assert_matches_torch(lambda a: ag.qr(a)[k], lambda a: torch.qr(a)[k], [M], dtype)
            _assert_matches_torch(lambda a: a.qr(some=True)[k], lambda a: a.qr(some=True)[k], [M], dtype)
        for k in (0, 1):  # complete: values only (not differentiable for a tall matrix)
            np.testing.assert_allclose(ag.qr(ag.tensor(M), False)[k].numpy(),
                                       torch.qr(torch.tensor(M), False)[k].numpy(),
                                       rtol=1e-10, atol=1e-12)


def test_legacy_forms_warn_as_pytorch():
    from autograd_core.ops import linalg_solvers

    linalg_solvers._WARNED.clear()
    with pytest.warns(UserWarning, match="torch.triangular_solve is deprecated"):
        ag.triangular_solve(ag.ones(2, 1), ag.eye(2))
    with pytest.warns(UserWarning, match="torch.qr is deprecated"):
        ag.qr(ag.eye(2))
    with pytest.warns(UserWarning, match="torch.lu_solve is deprecated"):
        ag.lu_solve(ag.ones(2, 1), ag.eye(2), ag.tensor([1, 2], dtype=ag.int32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per process, as PyTorch's TORCH_WARN_ONCE
        ag.qr(ag.eye(2))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p, dim, maxnorm", [(2, 0, 1.0), (1, 1, 0.5), (3, -1, 2.0),
                                             (float("inf"), 0, 1.0), (1.5, 2, 0.1)])
def test_renorm(dtype, p, dim, maxnorm):
    X = RNG.standard_normal((4, 3, 2))
    _assert_matches_torch(lambda x: ag.renorm(x, p, dim, maxnorm), lambda x: torch.renorm(x, p, dim, maxnorm),
             [X], dtype)
    x, t = ag.tensor(X.astype(dtype)), torch.tensor(X.astype(dtype))
    assert x.renorm_(p, dim, maxnorm) is x
    t.renorm_(p, dim, maxnorm)
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=TOL[dtype][0], atol=TOL[dtype][1])


@pytest.mark.parametrize("call", [
    lambda m: m.renorm(m.ones(4, 3), -1, 0, 1.0),
    lambda m: m.renorm(m.ones(4, 3), 0, 0, 1.0),
    lambda m: m.renorm(m.ones(4, 3), 2, 0, -1.0),
    lambda m: m.renorm(m.ones(4), 2, 0, 1.0),
    lambda m: m.renorm(m.ones(4, 3, dtype=m.int32), 2, 0, 1.0),
    lambda m: m.triangular_solve(m.ones(3), m.eye(3)),
    lambda m: m.triangular_solve(m.ones(4, 2), m.eye(3)),
])
def test_legacy_errors_in_pytorchs_words(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError) as theirs:
            call(torch)
        with pytest.raises(RuntimeError) as ours:
            call(ag)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_vander_tensorinv_tensorsolve_householder(dtype):
    _assert_matches_torch(lambda x: LA.vander(x), lambda x: torch.linalg.vander(x),
             [RNG.standard_normal(4)], dtype)
    _assert_matches_torch(lambda x: LA.vander(x, N=5), lambda x: torch.linalg.vander(x, N=5),
             [np.array([[0.0, 1.5, 0.0], [2.0, -1.0, 0.5]])], dtype)  # zeros: cumprod's rule
    _assert_matches_torch(lambda a: LA.tensorinv(a, ind=2), lambda a: torch.linalg.tensorinv(a, ind=2),
             [RNG.standard_normal((4, 6, 8, 3)) + 5 * np.eye(24).reshape(4, 6, 8, 3)], dtype)
    _assert_matches_torch(lambda a, b: LA.tensorsolve(a, b), lambda a, b: torch.linalg.tensorsolve(a, b),
             [RNG.standard_normal((2, 3, 6)) + 3 * np.eye(6).reshape(2, 3, 6),
              RNG.standard_normal((2, 3))], dtype)
    _assert_matches_torch(lambda a, b: LA.tensorsolve(a, b, dims=(0,)),
             lambda a, b: torch.linalg.tensorsolve(a, b, dims=(0,)),
             [RNG.standard_normal((6, 2, 3)) + 3 * np.eye(6).reshape(6, 2, 3),
              RNG.standard_normal((2, 3))], dtype)
    _assert_matches_torch(lambda a, t: LA.householder_product(a, t),
             lambda a, t: torch.linalg.householder_product(a, t),
             [RNG.standard_normal((2, 5, 3)), RNG.standard_normal((2, 2))], dtype)


def test_integer_vander_and_householder_closed_form():
    np.testing.assert_array_equal(LA.vander(ag.tensor([1, 2, 3]), N=4).numpy(),
                                  [[1, 1, 1, 1], [1, 2, 4, 8], [1, 3, 9, 27]])
    assert LA.vander(ag.tensor([1, 2, 3])).dtype == ag.int64
    # Q of numpy's QR from the reflectors: householder_product(geqrf) reproduces it
    a = RNG.standard_normal((5, 3))
    h = torch.geqrf(torch.tensor(a))
    q = LA.householder_product(ag.tensor(h[0].numpy()), ag.tensor(h[1].numpy())).numpy()
    np.testing.assert_allclose(np.abs(q), np.abs(np.linalg.qr(a)[0]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.vander(m.tensor([1.0, 2.0]), N=1),
    lambda m: m.linalg.vander(m.tensor(1.0)),
    lambda m: m.linalg.vander(m.tensor([True, False])),
    lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 3), ind=0),
    lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 4), ind=2),
    lambda m: m.linalg.tensorinv(m.zeros(2, 2, 2, 2), ind=2),
    lambda m: m.linalg.tensorsolve(m.ones(2, 3, 6), m.ones(2, 4)),
    lambda m: m.linalg.tensorsolve(m.ones(6, 4, 3), m.ones(6, 2), dims=(0,)),
    lambda m: m.linalg.householder_product(m.ones(4, 3), m.ones(4)),
    lambda m: m.linalg.householder_product(m.ones(3, 4), m.ones(2)),
    lambda m: m.linalg.householder_product(m.ones(4), m.ones(2)),
    lambda m: m.linalg.householder_product(m.ones(2, 4, 3), m.ones(3, 2)),
    lambda m: m.linalg.householder_product(m.ones(4, 3), m.ones(2, dtype=m.float64)),
])
def test_more_errors_in_pytorchs_words(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(ag)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
@pytest.mark.parametrize("prop", ["H", "mH"])
def test_h_and_mh_as_pytorch(shape, prop):
    """Tensor.H / Tensor.mH, the conjugate transposes, as PyTorch's (errors, 0-d warnings)."""
    def fn(t):
        return getattr(t, prop)

    a = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        try:
            expected = getattr(torch.tensor(a), prop).resolve_conj().numpy()
        except RuntimeError as e:
            with pytest.raises(RuntimeError) as ours:
                fn(ag.tensor(a))
            assert str(ours.value) == str(e)
            return
    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        got = fn(ag.tensor(a)).numpy()
    np.testing.assert_array_equal(got, expected)
    assert [str(w.message).split(" (Triggered")[0] for w in theirs_warned] == [
        str(w.message) for w in ours_warned]


def test_renorm_in_a_compiled_step_follows_each_calls_data():
    """Which slices exceed maxnorm is an op in the graph, not a constant of the first call."""
    weights = [[3.0, 4.0], [0.3, 0.4]]

    def step(x):
        return (ag.renorm(x, 2, 0, 1.0) * ag.tensor(weights)).sum()

    compiled = ag.compile(step)
    for data in ([[3.0, 4.0], [0.3, 0.4]], [[0.3, 0.4], [3.0, 4.0]], [[0.3, 0.4], [3.0, 4.0]],
                 [[0.3, 0.4], [3.0, 4.0]]):
        expected = (torch.renorm(torch.tensor(data), 2, 0, 1.0) * torch.tensor(weights)).sum()
        assert compiled(ag.tensor(data)).item() == pytest.approx(expected.item(), rel=1e-6)


def _symmetric_cases(n):
    """Symmetric matrices that take 1x1 pivots, interchanges and 2x2 blocks."""
    a = RNG.standard_normal((n, n))
    b = a.copy()
    np.fill_diagonal(b, 0)  # zero diagonal: 2x2 blocks
    c = 0.01 * a + np.diag(RNG.standard_normal(n))
    return [m + m.T for m in (a, b, c)]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 70])
def test_ldl_factor_and_solve_match_lapacks(n):
    for a in _symmetric_cases(n):
        if n == 1 and a[0, 0] == 0:
            continue
        LD, piv = LA.ldl_factor(ag.tensor(a))
        LDt, pivt = torch.linalg.ldl_factor(torch.tensor(a))
        np.testing.assert_array_equal(piv.numpy(), pivt.numpy())
        np.testing.assert_allclose(LD.numpy(), LDt.numpy(), rtol=1e-9, atol=1e-9)
        b = RNG.standard_normal((2, n, 3))  # broadcast over a batch of right-hand sides
        x = LA.ldl_solve(LD, piv, ag.tensor(b)).numpy()
        np.testing.assert_allclose(a @ x, b, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(x, torch.linalg.ldl_solve(LDt, pivt, torch.tensor(b)).numpy(),
                                   rtol=1e-8, atol=1e-8)


def test_ldl_batched_float32_info_and_refused_gradients():
    a = np.stack(_symmetric_cases(4)).astype("float32")
    ours = LA.ldl_factor_ex(ag.tensor(a))
    theirs = torch.linalg.ldl_factor_ex(torch.tensor(a))
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)
    z = LA.ldl_factor_ex(ag.zeros(2, 3, 3))
    np.testing.assert_array_equal(z.info.numpy(),
                                  torch.linalg.ldl_factor_ex(torch.zeros(2, 3, 3)).info.numpy())
    with pytest.raises(LA.LinAlgError, match=r"\(Batch element 0\).*diagonal element 1 of D"):
        LA.ldl_factor_ex(ag.zeros(2, 3, 3), check_errors=True)
    for fn, tfn in ((lambda A: LA.ldl_factor(A).LD, lambda T: torch.linalg.ldl_factor(T).LD),
                    (lambda A: LA.ldl_solve(*LA.ldl_factor(A.detach()), A),
                     lambda T: torch.linalg.ldl_solve(*torch.linalg.ldl_factor(T.detach()), T))):
        A = ag.tensor(a[0].astype("float64"), requires_grad=True)
        T = torch.tensor(a[0].astype("float64"), requires_grad=True)
        with pytest.raises(RuntimeError) as theirs_err:
            tfn(T).sum().backward()
        with pytest.raises(RuntimeError) as ours_err:
            fn(A).sum().backward()
        assert str(ours_err.value) == str(theirs_err.value)


@pytest.mark.parametrize("dtype", ["int32", "bool"])
@pytest.mark.parametrize("kw", [dict(alpha=2.0), dict(beta=0.5), dict(alpha=True),
                                dict(alpha=2, beta=3)])
def test_addr_integral_scalars_as_pytorch(dtype, kw):
    def call(m):
        c = m.tensor(np.array([1, 0, 1], dtype=dtype))
        return m.addr(c.reshape(-1, 1) * c.reshape(1, -1), c, c, **kw)

    try:
        expected = call(torch)
    except RuntimeError as e:
        with pytest.raises(RuntimeError) as ours:
            call(ag)
        assert str(ours.value) == str(e)
        return
    got = call(ag)
    assert str(got.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_renorm_gradient_of_a_kept_slice_holding_nan_is_the_incoming_one():
    a = np.array([[np.nan, 3.0, 4.0], [0.3, 0.4, 0.5]])
    x = ag.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    ag.renorm(x, 2, 0, 0.5).sum().backward()
    torch.renorm(t, 2, 0, 0.5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)
