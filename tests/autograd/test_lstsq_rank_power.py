"""linalg.lstsq, linalg.matrix_rank and matrix_power (issue 12): hand-worked values, float64
gradchecks, PyTorch's error wording, and parity with PyTorch's CPU results and gradients."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd_core as ag


def _t(values, requires_grad=False):
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# ---- lstsq ----------------------------------------------------------------------------------

def test_lstsq_fits_a_line_by_hand():
    # points (0, 1), (1, 2), (2, 4): normal equations [[3, 3], [3, 5]] c = [7, 10] give
    # c = (5/6, 3/2); residual 1/36 + 4/36 + 1/36 = 1/6
    A, B = _t([[1, 0], [1, 1], [1, 2]]), _t([[1], [2], [4]])
    got = ag.linalg.lstsq(A, B)
    np.testing.assert_allclose(got.solution.numpy(), [[5 / 6], [1.5]], rtol=1e-14)
    assert got.rank.item() == 2 and got.rank.dtype == ag.int64
    assert got.residuals.shape == (0,) and got.singular_values.shape == (0,)  # gelsy
    d = ag.linalg.lstsq(A, B, driver="gelsd")
    np.testing.assert_allclose(d.residuals.numpy(), [1 / 6], rtol=1e-13)
    # singular values of A: sqrt of the eigenvalues of A^T A = [[3, 3], [3, 5]], 4 +- sqrt(10)
    np.testing.assert_allclose(d.singular_values.numpy(),
                               np.sqrt([4 + np.sqrt(10), 4 - np.sqrt(10)]), rtol=1e-13)
    g = ag.linalg.lstsq(A, B, driver="gels")
    assert g.rank.shape == (0,) and g.residuals.shape == (1,)
    # a vector right-hand side gives a vector solution
    v = ag.linalg.lstsq(A, _t([1, 2, 4])).solution
    assert v.shape == (2,)
    np.testing.assert_allclose(v.numpy(), [5 / 6, 1.5], rtol=1e-14)


def test_lstsq_rank_deficient_gives_the_minimum_norm_solution():
    # columns 1 and 3 equal: x1 + x3 is determined, the minimum-norm split is even
    A = _t([[1, 0, 1], [0, 1, 0], [1, 1, 1], [2, 0, 2]])
    B = _t([[2], [1], [3], [4]])
    got = ag.linalg.lstsq(A, B, driver="gelsd")
    np.testing.assert_allclose(got.solution.numpy(), [[1.0], [1.0], [1.0]], rtol=1e-12)
    assert got.rank.item() == 2
    assert got.residuals.shape == (0,)  # not full rank: PyTorch leaves residuals empty


def test_lstsq_gradients():
    rng = np.random.default_rng(3)
    A = _t(rng.standard_normal((2, 5, 3)), True)
    B = _t(rng.standard_normal((2, 5, 2)), True)
    fn = lambda a, b: ag.linalg.lstsq(a, b).solution  # noqa: E731
    assert ag.gradcheck(fn, (A, B))
    assert ag.gradgradcheck(fn, (A, B))
    # with A square and invertible the solution is A^-1 B, and so is its gradient
    S = _t(rng.standard_normal((3, 3)) + 3 * np.eye(3), True)
    b = _t(rng.standard_normal(3), True)
    ag.linalg.lstsq(S, b).solution.sum().backward()
    gs, gb = S.grad.numpy(), b.grad.numpy()
    S.grad = b.grad = None
    ag.linalg.solve(S, b).sum().backward()
    np.testing.assert_allclose(gs, S.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(gb, b.grad.numpy(), rtol=1e-10)


def test_lstsq_errors():
    A = ag.zeros(5, 3, dtype=ag.float64)
    with pytest.raises(RuntimeError, match="lstsq: input must have at least 2 dimensions"):
        ag.linalg.lstsq(ag.zeros(5, dtype=ag.float64), A)
    with pytest.raises(RuntimeError, match="Expected input and other to have the same dtype, "
                       "but got input's dtype Double and other's dtype Float"):
        ag.linalg.lstsq(A, ag.zeros(5))
    with pytest.raises(RuntimeError, match=r"input.size\(-2\) should match other.size\(-2\)"):
        ag.linalg.lstsq(A, ag.zeros(4, 2, dtype=ag.float64))
    with pytest.raises(RuntimeError, match=r"input.dim\(\) must be greater or equal"):
        ag.linalg.lstsq(A, ag.zeros(3, 5, 2, dtype=ag.float64))
    with pytest.raises(RuntimeError, match=r"`driver` should be one of \(gels, gelsy, gelsd"):
        ag.linalg.lstsq(A, A, driver="lu")
    with pytest.raises(RuntimeError, match="doesn't handle types other than float and double"):
        ag.linalg.lstsq(ag.zeros(2, 2, dtype=ag.int64), ag.zeros(2, 2, dtype=ag.int64))
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size "
                       r"of tensor b \(3\) at non-singleton dimension 0"):
        ag.linalg.lstsq(ag.zeros(2, 4, 3), ag.zeros(3, 4, 2))


@pytest.mark.torch_parity
@settings(max_examples=12)
@given(m=st.integers(1, 5), n=st.integers(1, 5), k=st.integers(0, 2),
       batch=st.sampled_from([(), (2,), (3, 1)]), rhs_batch=st.sampled_from([None, (1,)]),
       driver=st.sampled_from([None, "gels", "gelsy", "gelsd", "gelss"]),
       seed=st.integers(0, 2 ** 16))
def test_lstsq_matches_torch(m, n, k, batch, rhs_batch, driver, seed):
    torch = pytest.importorskip("torch")
    if driver == "gels" and m < n:
        return  # gels assumes full rank: PyTorch's wide case is LAPACK's min-norm too
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(batch + (m, n))
    # k = 0: a batch of vectors (A's batch shape); else matrices, maybe broadcast over batch
    bshape = (batch if rhs_batch is None or not batch or not k else rhs_batch + batch[1:])
    b = rng.standard_normal(bshape + (m,) + ((k,) if k else ()))
    A, B = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    tA, tB = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ours, ref = ag.linalg.lstsq(A, B, driver=driver), torch.linalg.lstsq(tA, tB, driver=driver)
    for x, y in zip(ours, ref):
        assert tuple(x.shape) == tuple(y.shape)
        assert str(x.dtype).split(".")[1] == str(y.dtype).split(".")[1]
        np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), rtol=1e-8,
                                   atol=1e-10)
    w = rng.standard_normal(tuple(ours.solution.shape))
    (ours.solution * ag.tensor(w)).sum().backward()
    (ref.solution * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), tA.grad.numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(B.grad.numpy(), tB.grad.numpy(), rtol=1e-7, atol=1e-9)


# ---- matrix_rank ----------------------------------------------------------------------------

def test_matrix_rank_by_hand():
    assert ag.linalg.matrix_rank(_t([[1, 2], [2, 4]])).item() == 1
    assert ag.linalg.matrix_rank(ag.eye(3)).item() == 3
    assert ag.linalg.matrix_rank(ag.zeros(2, 3)).item() == 0
    # singular values 1, 1e-3: the relative and absolute cut-offs decide
    D = _t([[1, 0], [0, 1e-3]])
    assert ag.linalg.matrix_rank(D).item() == 2
    assert ag.linalg.matrix_rank(D, rtol=1e-2).item() == 1
    assert ag.linalg.matrix_rank(D, atol=1e-4).item() == 2
    assert ag.linalg.matrix_rank(D, atol=1e-2).item() == 1
    assert ag.linalg.matrix_rank(D, atol=1e-4, rtol=1e-2).item() == 1  # the larger cut wins
    batch = ag.linalg.matrix_rank(ag.stack([D, _t([[1, 1], [1, 1]])]), atol=ag.tensor([0.1, 0]))
    assert batch.tolist() == [1, 1] and batch.dtype == ag.int64
    # hermitian: |eigenvalues| of [[1, 2], [2, -4]] are 0 and 5 -> rank 1 (the lower triangle)
    assert ag.linalg.matrix_rank(_t([[1, 99], [2, 4]]), hermitian=True).item() == 1
    assert ag.linalg.matrix_rank(ag.zeros(4, 0, 3)).tolist() == [0, 0, 0, 0]


def test_matrix_rank_errors():
    with pytest.raises(RuntimeError, match="matrix_rank: The input tensor input must have at "
                       "least 2 dimensions"):
        ag.linalg.matrix_rank(ag.zeros(3))
    with pytest.raises(RuntimeError, match="doesn't handle types other than float and double"):
        ag.linalg.matrix_rank(ag.tensor([[1, 2], [2, 4]]))
    with pytest.raises(RuntimeError, match="linalg.eigh: A must be batches of square"):
        ag.linalg.matrix_rank(ag.zeros(2, 3), hermitian=True)


@pytest.mark.torch_parity
@pytest.mark.parametrize("kw", [{}, dict(rtol=0.3), dict(atol=0.5), dict(atol=0.5, rtol=0.1),
                                dict(hermitian=True)])
def test_matrix_rank_matches_torch(kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    # batches of matrices with chosen singular values, some of them tiny or zero
    u, _ = np.linalg.qr(rng.standard_normal((6, 4, 4)))
    s = rng.choice([0.0, 1e-9, 0.2, 0.7, 1.0, 3.0], (6, 4))
    a = u @ (s[..., None] * np.swapaxes(u, -1, -2))  # symmetric, so hermitian applies too
    ours = ag.linalg.matrix_rank(ag.tensor(a), **kw)
    ref = torch.linalg.matrix_rank(torch.tensor(a), **kw)
    assert ours.tolist() == ref.tolist()


# ---- matrix_power ---------------------------------------------------------------------------

def test_matrix_power_by_hand_and_gradient():
    J = _t([[1, 1], [0, 1]])
    for n in range(-4, 9):  # J^n = [[1, n], [0, 1]]
        assert ag.matrix_power(J, n).tolist() == [[1, n], [0, 1]]
    assert J.matrix_power(2).tolist() == ag.linalg.matrix_power(J, 2).tolist()
    assert ag.matrix_power(ag.tensor([[2, 0], [0, 3]]), 3).tolist() == [[8, 0], [0, 27]]
    A = _t(np.random.default_rng(0).standard_normal((2, 3, 3)) * 0.3 + np.eye(3), True)
    for n in (0, 1, 2, 5, -1, -3):
        assert ag.gradcheck(lambda a: ag.matrix_power(a, n), (A,))
    # d tr(A^2) / dA = 2 A^T
    (ag.matrix_power(A, 2) * ag.eye(3, dtype=ag.float64)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), 2 * np.swapaxes(A.detach().numpy(), -1, -2),
                               rtol=1e-14)
    # n = 0: the identity, whatever A holds, with a zero gradient
    B = _t([[np.nan, 1.0], [2.0, 3.0]], True)
    ag.matrix_power(B, 0).sum().backward()
    assert ag.matrix_power(B, 0).tolist() == [[1, 0], [0, 1]] and B.grad.tolist() == [[0, 0],
                                                                                       [0, 0]]


def test_matrix_power_errors():
    with pytest.raises(RuntimeError, match="matrix_power: A must be batches of square "
                       "matrices, but they are 2 by 3 matrices"):
        ag.matrix_power(ag.zeros(2, 3), 2)
    with pytest.raises(RuntimeError, match="The input tensor A must have at least 2"):
        ag.matrix_power(ag.zeros(3), 2)
    with pytest.raises(TypeError, match="argument 'n' .* must be int, not float"):
        ag.matrix_power(ag.eye(2), 1.5)
    with pytest.raises(RuntimeError, match="linalg.inv: Expected a floating point"):
        ag.matrix_power(ag.tensor([[1, 1], [0, 1]]), -1)
    with pytest.raises(ag.linalg.LinAlgError, match="singular"):
        ag.matrix_power(ag.zeros(2, 2), -1)


@pytest.mark.torch_parity
@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 3, 4, 6, 7, 13])
def test_matrix_power_matches_torch(n):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(n + 10).standard_normal((2, 3, 3)) * 0.4 + np.eye(3)
    A, tA = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours, ref = ag.matrix_power(A, n), torch.linalg.matrix_power(tA, n)
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=1e-12,
                               atol=1e-13)
    w = np.random.default_rng(n + 20).standard_normal((2, 3, 3))
    (ours * ag.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), tA.grad.numpy(), rtol=1e-10, atol=1e-12)
    f32 = ag.matrix_power(ag.tensor(a.astype(np.float32)), n)
    assert f32.dtype == ag.float32
    np.testing.assert_allclose(f32.numpy(), torch.matrix_power(
        torch.tensor(a.astype(np.float32)), n).numpy(), rtol=1e-4, atol=1e-5)
