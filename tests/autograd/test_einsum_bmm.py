"""einsum of two operands with a summed letter is one batched matmul, as PyTorch's (its bmm):
the same numbers as torch.einsum (numpy's own einsum loop rounds otherwise, and is 10x
slower), and the gradients still check in float64."""
import numpy as np
import pytest

import autograd_core as ag
from tests._cpu import assert_within_rounding_of_sum, is_intel_avx512

MATMUL_LIKE = [("bij,bjk->bik", (6, 40, 50), (6, 50, 30)), ("ij,jk->ik", (50, 70), (70, 30)),
               ("bhqd,bhkd->bhqk", (2, 3, 17, 40), (2, 3, 19, 40)),
               ("ijk,jkl->li", (5, 16, 7), (16, 7, 18)), ("bij,bjk->kbi", (3, 40, 33), (3, 33, 9))]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("eq,sa,sb", MATMUL_LIKE)
def test_einsum_contraction_matches_torch_bitwise(eq, sa, sb, dtype):
    """A matmul-like einsum is torch's gemm call: bit-equal on AVX-512 CPUs. On AVX2 ones (an
    AMD EPYC) torch's MKL and numpy's OpenBLAS block the sums differently: there ours must be
    numpy's one matmul (not einsum's loop) and within 4 eps * (|a| @ |b|) of torch's (1.84
    measured, float32 with 50 terms)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(sa).astype(dtype), rng.standard_normal(sb).astype(dtype)
    want = torch.einsum(eq, torch.from_numpy(a), torch.from_numpy(b)).numpy()
    got = ag.einsum(eq, ag.from_numpy(a), ag.from_numpy(b)).numpy()
    assert got.shape == want.shape and got.dtype == want.dtype
    if eq in ("bij,bjk->bik", "ij,jk->ik") and is_intel_avx512():  # torch's gemm call: its bits
        np.testing.assert_array_equal(got, want)
    elif eq in ("bij,bjk->bik", "ij,jk->ik"):
        np.testing.assert_array_equal(got, np.matmul(a, b))
        assert_within_rounding_of_sum(got, want, np.abs(a.astype("float64")) @ np.abs(b))
    else:  # torch may hand BLAS other strides (another blocking): within a few ulp
        tol = 1e-5 if dtype == "float32" else 1e-13
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("eq,sa,sb", MATMUL_LIKE[:2] + [
    ("bij,bj->bi", (2, 40, 30), (2, 30)), ("ij,ij->", (40, 30), (40, 30)),
    ("bij,jk->bik", (2, 1, 40), (40, 30)),  # a size-1 letter on one side only
    ("ij,jk->ik", (0, 40), (40, 30)), ("ij,jk->ik", (40, 0), (0, 30)),
    # the matmul-like paths again at sizes gradgradcheck's element-by-element differences
    # take in a second (the (50, 70) @ (70, 30) case took 23 s of a CI run)
    ("bij,bjk->bik", (2, 6, 5), (2, 5, 4)), ("ij,jk->ik", (7, 6), (6, 5)),
    ("bij,bj->bi", (2, 6, 5), (2, 5)), ("ij,ij->", (6, 5), (6, 5)),
    ("bij,jk->bik", (2, 1, 6), (6, 5))])
def test_einsum_contraction_values_and_gradcheck(eq, sa, sb):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    ta, tb = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    np.testing.assert_allclose(ag.einsum(eq, ta, tb).detach().numpy(), np.einsum(eq, a, b),
                               rtol=1e-12, atol=1e-12)
    if a.size + b.size < 500:
        assert ag.gradcheck(lambda x, y: ag.einsum(eq, x, y), (ta, tb))
        assert ag.gradgradcheck(lambda x, y: ag.einsum(eq, x, y), (ta, tb))


def test_einsum_contraction_non_contiguous_operands():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((50, 40)).astype(np.float32).T  # (40, 50), transposed strides
    b = rng.standard_normal((50, 60)).astype(np.float32)[:, ::2]
    got = ag.einsum("ij,jk->ik", ag.from_numpy(a), ag.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("eq, want", [("ij->j", [3, 3, 3]), ("ii", 3), ("ij->", 9),
                                      ("ij->i", [3, 3, 3])])
def test_one_operand_sum_of_bools_counts_in_int64(eq, want):
    # PyTorch's einsum of one operand with a letter summed out is a sum: bools count and
    # integers add up in int64 (numpy's einsum or-ed the bools: [True, True, True])
    out = ag.einsum(eq, ag.ones(3, 3, dtype=ag.bool))
    assert out.dtype == ag.int64 and out.tolist() == want


def test_one_operand_integer_sums_widen_and_the_rest_keep_the_dtype():
    u = ag.tensor(np.array([[200, 100]], dtype=np.uint8))
    assert ag.einsum("ij->i", u).tolist() == [300] and ag.einsum("ij->i", u).dtype == ag.int64
    a = ag.arange(9, dtype=ag.int32).reshape(3, 3)
    assert ag.einsum("ii", a).dtype == ag.int64 and ag.einsum("ii", a).item() == 12
    for eq in ("ii->i", "ij->ji", "ij"):  # nothing summed: the input's dtype, as PyTorch's
        assert ag.einsum(eq, a).dtype == ag.int32
