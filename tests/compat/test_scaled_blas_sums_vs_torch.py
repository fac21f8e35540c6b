"""addmm/addmv/addr/baddbmm/addbmm with beta/alpha: ATen's rounding order. With small
integer-valued factors the products are exact on both sides, so every difference left is the
order of the scaling and the sum (one fused multiply-add, and which term it fuses)."""

from fractions import Fraction

import numpy as np
import pytest

import autograd_core as ag
from tests._cpu import assert_within_rounding_of_sum, is_intel_avx512

COEFFS = [(1, 1), (0.3, 0.7), (0.1, 1), (1, 0.1), (2.5, -1.7), (0, 0.3)]


def _ints(rng, shape, dt):
    return rng.integers(-8, 9, shape).astype(dt)


def _assert_torchs_bits(name, arrs, beta, alpha, ours, theirs):
    """Bit equality on an Intel AVX-512 CPU, and wherever ATen computes without BLAS (addr,
    baddbmm under 400 multiply-adds per matrix: its AVX2 or scalar code on both kinds). On an
    AVX2 AMD EPYC, MKL's gemm/gemv round the sums otherwise (they add beta * input into the
    partial sums: 1000s of ulps off where the sum cancels): there the two must agree within
    rounding of the sum (at most 1.44 eps times the sum of absolute terms measured over these
    cases, 4 asserted)."""
    msg = f"{beta}, {alpha}"
    aten_loop = name == "addr" or name == "baddbmm" and np.prod(arrs[1].shape[1:]) * \
        arrs[2].shape[-1] < 400
    if is_intel_avx512() or aten_loop:
        np.testing.assert_array_equal(ours, theirs, err_msg=msg)
    else:
        absolute = [ag.tensor(np.abs(a).astype(np.float64)) for a in arrs]
        scale = getattr(ag, name)(*absolute, beta=abs(beta), alpha=abs(alpha)).numpy()
        assert_within_rounding_of_sum(ours, theirs, scale, msg=msg)


def test_addmm_fuses_beta_times_input_into_the_scaled_product_by_hand():
    # fma(beta, c, alpha * p): one rounding of 0.3 * 2.9 + 1 (two roundings give another double)
    c, beta = 2.9, 0.3
    want = float(Fraction(beta) * Fraction(c) + 1)
    assert want != beta * c + 1.0  # the two orders differ here
    out = ag.addmm(ag.tensor([[c]], dtype=ag.float64), ag.tensor([[1.0]], dtype=ag.float64),
                   ag.tensor([[1.0]], dtype=ag.float64), beta=beta)
    assert out.item() == want


@pytest.mark.torch_parity
@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("name, shapes", [
    ("addmm", [(16, 16), (16, 20), (20, 16)]), ("addmm", [(16,), (3, 2), (2, 16)]),
    ("addmv", [(16,), (16, 20), (20,)]),
    ("baddbmm", [(3, 16, 16), (3, 16, 20), (3, 20, 16)]),  # ATen's BLAS
    ("baddbmm", [(2, 7, 7), (2, 7, 8), (2, 8, 7)]),  # ATen's own loop (< 400 per matrix)
    ("addbmm", [(6, 5), (4, 6, 7), (4, 7, 5)]), ("addbmm", [(5,), (3, 6, 2), (3, 2, 5)]),
    ("addr", [(40, 64), (40,), (64,)]), ("addr", [(5, 37), (5,), (37,)]),
    ("addr", [(37,), (5,), (37,)]), ("addr", [(5, 1), (5,), (37,)])])
def test_bit_equal_torch_with_exact_products(name, shapes, dt):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for beta, alpha in COEFFS:
        arrs = [rng.standard_normal(shapes[0]).astype(dt)] + [_ints(rng, s, dt)
                                                               for s in shapes[1:]]
        if beta == 0:
            arrs[0].flat[0] = np.nan  # ignored with beta = 0, as PyTorch's
        ours = getattr(ag, name)(*map(ag.tensor, arrs), beta=beta, alpha=alpha)
        theirs = getattr(torch, name)(*map(torch.tensor, arrs), beta=beta, alpha=alpha)
        _assert_torchs_bits(name, arrs, beta, alpha, ours.numpy(), theirs.numpy())


def test_addr_rounds_64_byte_steps_fused_and_the_rest_scalar_by_hand():
    """A float64 row of 15: ATen's AVX2 loop (run on AVX-512 CPUs too) takes two 4-double
    vectors per step, ``fma(alpha * u, v, beta * c)``, and its scalar code the last 7 columns,
    ``fma(beta, c, alpha * u * v)`` (the split followed numpy's AVX512F flag: 4 + 4 + ... on
    AVX2 CPUs, against torch's 8 + 7)."""
    rng = np.random.default_rng(7)
    c, u, v = rng.standard_normal((3, 15)), rng.standard_normal(3), rng.standard_normal(15)
    beta, alpha = 0.3, 0.7

    def fma(a, b, d):
        return float(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(d)))

    au = alpha * u
    fused = np.array([[fma(au[i], v[j], beta * c[i, j]) for j in range(15)] for i in range(3)])
    scalar = np.array([[fma(beta, c[i, j], au[i] * v[j]) for j in range(15)] for i in range(3)])
    assert (fused[:, :8] != scalar[:, :8]).any() and (fused[:, 8:] != scalar[:, 8:]).any()
    out = ag.addr(ag.tensor(c), ag.tensor(u), ag.tensor(v), beta=beta, alpha=alpha).numpy()
    np.testing.assert_array_equal(out, np.concatenate([fused[:, :8], scalar[:, 8:]], axis=1))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["rows", "columns", "strided_vec2", "scalar"])
def test_addr_by_layout_bit_equal_torch(layout, dt):
    # ATen's kernel runs along input's most contiguous dimension, vectorised (one fma of the
    # scaled outer product into beta * input) where the operands along it are contiguous, in
    # steps of two AVX2 vectors on AVX2 and AVX-512 CPUs alike
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    n, m = 45, 70
    c = rng.standard_normal((m, n)).astype(dt).T if layout == "columns" else \
        rng.standard_normal(() if layout == "scalar" else (n, m)).astype(dt)
    u = rng.standard_normal(n).astype(dt)
    v = rng.standard_normal(2 * m).astype(dt)[::2 if layout == "strided_vec2" else 1][:m]
    for beta, alpha in COEFFS:
        ours = ag.addr(ag.from_numpy(c), ag.from_numpy(u), ag.from_numpy(v), beta=beta,
                       alpha=alpha)
        theirs = torch.addr(torch.from_numpy(c), torch.from_numpy(u), torch.from_numpy(v),
                            beta=beta, alpha=alpha)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=f"{beta}, {alpha}")


@pytest.mark.torch_parity
def test_integer_addbmm_keeps_the_dtype_and_gradients_are_torchs():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    arrs = [_ints(rng, s, np.int32) for s in [(3, 4), (2, 3, 5), (2, 5, 4)]]
    ours = ag.addbmm(*map(ag.tensor, arrs), beta=3, alpha=2)
    theirs = torch.addbmm(*map(torch.tensor, arrs), beta=3, alpha=2)
    assert ours.dtype == ag.int32  # it was int64 (the batch sum promoted)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for name, shapes in [("addr", [(4, 6), (4,), (6,)]), ("addbmm", [(4, 6), (3, 4, 2),
                                                                       (3, 2, 6)])]:
        arrs = [rng.standard_normal(s) for s in shapes]
        ts = [ag.tensor(a, requires_grad=True) for a in arrs]
        tt = [torch.tensor(a, requires_grad=True) for a in arrs]
        g = rng.standard_normal(shapes[0])
        getattr(ag, name)(*ts, beta=0.3, alpha=0.7).backward(ag.tensor(g))
        getattr(torch, name)(*tt, beta=0.3, alpha=0.7).backward(torch.tensor(g))
        for a, b in zip(ts, tt):
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize("n, m", [(0, 0), (0, 3), (3, 0)])
def test_addr_of_empty_vectors(n, m):
    out = ag.addr(ag.ones(n, m), ag.ones(n), ag.ones(m), beta=0.5, alpha=2.0)
    assert out.shape == (n, m)
