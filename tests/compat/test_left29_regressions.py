"""Last-bit and edge differences from PyTorch 2.13 fixed toward it (the left29 sweep): each
test failed before its fix."""
import numpy as np
import pytest

import autograd_core as ag
import autograd_core.special as S
from tests._cpu import ulps


@pytest.mark.parametrize("x, q", [
    (ag.tensor([2.0, 3.0], dtype=ag.float16), 2.0),
    (2.0, ag.tensor([2.0, 3.0], dtype=ag.float16)),
    (ag.tensor([2.0, 3.0], dtype=ag.float16), ag.tensor([2.0, 3.0], dtype=ag.float16))])
def test_zeta_refuses_float16_as_torch(x, q):
    # ATen's zeta_cpu has no Half loop: torch.special.zeta(half, 2.0) raises this error
    with pytest.raises(NotImplementedError, match=r"^\"zeta_cpu\" not implemented for 'Half'$"):
        S.zeta(x, q)
    # a float32 tensor with a float16 one promotes to float32, which computes (as PyTorch's)
    z = S.zeta(ag.tensor([2.0], dtype=ag.float16), ag.tensor([1.0]))
    assert z.dtype == ag.float32 and abs(z.item() - np.pi ** 2 / 6) < 1e-6


# ---- complex products rounded as ATen's CPU loop --------------------------------------------
def _c(rng, shape, dt):
    return np.asarray(rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)


def test_complex64_product_hand_worked_bits():
    # (u + i)(u + i) with u = 1 + 2**-12: re = u*u - 1. ATen's vector code rounds u*u first:
    # 1 + 2**-11 + 2**-24 is a tie between float32s, to even 1 + 2**-11, so re = 2**-11;
    # a fused multiply-add (numpy's loop) keeps 2**-11 + 2**-24. im = u + u = 2u exactly.
    u = np.float32(1 + 2.0 ** -12)
    a = np.full(8, u + 1j, np.complex64)  # 8: one block of two AVX2 vectors, no scalar tail
    out = (ag.tensor(a) * ag.tensor(a)).numpy()
    assert np.all(out.real == np.float32(2.0 ** -11)) and np.all(out.imag == 2 * u)


@pytest.mark.parametrize("dt", [np.complex64, np.complex128])
@pytest.mark.parametrize("shapes", [((1003,), (1003,)), ((5, 13), (5, 13)), ((5, 13), (13,)),
                                    ((5, 13), (5, 1)), ((5, 1), (1, 13)), ((7, 11), ()),
                                    ((2, 9, 3, 5), (9, 1, 5)), ((), ()), ((6,), (1,))])
def test_complex_mul_kernel_equals_its_twin(dt, shapes, monkeypatch):
    from autograd_core.ops.binary import _multiply
    rng = np.random.default_rng(0)
    a, b = _c(rng, shapes[0], dt), _c(rng, shapes[1], dt)
    kernel = _multiply(a, b)
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    assert np.array_equal(kernel, _multiply(a, b))


def test_complex_mul_kernel_checks_its_arrays():
    from autograd_core.kernels.complex_mul import cmul_rows_
    a = np.ones(4, np.complex64)
    with pytest.raises(ValueError, match="one complex dtype"):
        cmul_rows_(np.empty(4, np.complex64), a, a.astype(np.complex128), 4, 0, 0)
    with pytest.raises(ValueError, match="1-D C-contiguous"):
        cmul_rows_(np.empty(4, np.complex64), a, np.ones(3, np.complex64), 4, 0, 0)
    with pytest.raises(ValueError, match="bad rows"):
        cmul_rows_(np.empty(4, np.complex64), a, a, 3, 0, 0)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dt", ["complex64", "complex128"])
@pytest.mark.parametrize("shapes", [((1003,), (1003,)), ((5, 13), (5, 13)), ((5, 13), (13,)),
                                    ((5, 13), (5, 1)), ((5, 1), (1, 13)), ((7, 11), ()),
                                    ((3, 7), (1,)), ((2, 9, 3, 16), (9, 1, 16)),
                                    ((2, 9, 3, 5), (9, 1, 5)), ((), ()), ((4, 26), "strided"),
                                    ((13, 5), "transposed")])
def test_complex_mul_bits_and_gradients_equal_torch(dt, shapes):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a = _c(rng, shapes[0], dt)
    if shapes[1] == "strided":
        a, b = a[:, ::2], _c(rng, (4, 13), dt)
    elif shapes[1] == "transposed":
        a, b = a.T, _c(rng, (5, 13), dt)
    else:
        b = _c(rng, shapes[1], dt)
    ours = ag.from_numpy(a).requires_grad_(), ag.from_numpy(b).requires_grad_()
    theirs = torch.from_numpy(a).requires_grad_(), torch.from_numpy(b).requires_grad_()
    y, t = ours[0] * ours[1], theirs[0] * theirs[1]
    assert np.array_equal(y.detach().numpy(), t.detach().numpy())
    g = _c(rng, y.shape, dt)
    y.backward(ag.tensor(g))
    t.backward(torch.from_numpy(g))
    for o, th, x in zip(ours, theirs, (a, b)):
        if x.shape == y.shape:  # (a broadcast operand's gradient is a sum: another order)
            assert np.array_equal(o.grad.numpy(), th.grad.numpy())
    number = complex(1.25, -0.7)  # a wrapped number: a broadcast 0-d operand
    assert np.array_equal((ours[0].detach() * number).numpy(),
                          (theirs[0].detach() * number).numpy())


@pytest.mark.torch_parity
def test_rotary_embedding_product_equals_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    B, T, H, D = 2, 9, 3, 64
    x = rng.standard_normal((B, T, H, D)).astype(np.float32)
    freqs = torch.polar(torch.ones(T, D // 2), torch.tensor(
        rng.standard_normal((T, D // 2)).astype(np.float32))).numpy().reshape(T, 1, D // 2)
    cot = rng.standard_normal((B, T, H, D)).astype(np.float32)

    def run(L):
        xt = L.tensor(x, requires_grad=True)
        xc = L.view_as_complex(xt.reshape(B, T, H, D // 2, 2))
        y = L.view_as_real(xc * L.tensor(freqs)).reshape(B, T, H, D)
        y.backward(L.tensor(cot))
        return y.detach().numpy(), xt.grad.numpy()

    for ours, theirs in zip(run(ag), run(torch)):
        assert np.array_equal(ours, theirs)


# ---- the 2-norm of contiguous rows in ATen's order ------------------------------------------
def test_vector_norm_adds_in_atens_lanes_hand_worked():
    # [1, 2**-12 x 8]: ATen's 8 float32 lanes hold 1 and seven 2**-24, added left to right
    # (each 1 + 2**-24 ties back to 1), then the tail's 2**-24 by a fused multiply-add: 1.
    # numpy's pairwise sum adds the small squares together first: 1 + 2**-21, norm 1 + 2**-22.
    x = np.array([1.0] + [2.0 ** -12] * 8, np.float32)
    assert ag.linalg.vector_norm(ag.tensor(x)).item() == 1.0
    assert ag.tensor(x).norm().item() == 1.0
    assert ag.tensor(x).reshape(1, 9).norm(dim=1).item() == 1.0


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 31, 100, 1003])
def test_sumsq_kernel_equals_its_twin(dt, n):
    from autograd_core.kernels.sumsq import sumsq_rows, sumsq_rows_numpy
    x = np.random.default_rng(n).standard_normal((20, n)).astype(dt)
    assert np.array_equal(sumsq_rows(x), sumsq_rows_numpy(x))
    with pytest.raises(ValueError, match="C-contiguous 2-D float32/float64"):
        sumsq_rows(x[::2])


@pytest.mark.torch_parity
@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("shape, dim", [((1003,), None), ((50, 13), 1), ((50, 13), None),
                                        ((4, 5, 7), (1, 2)), ((4, 1, 7), (0, 2)),
                                        ((64, 128), -1), ((7, 4099), 1), ((50, 13), 0)])
def test_vector_norms_equal_torch(dt, shape, dim):
    torch = pytest.importorskip("torch")
    import nn.functional as F
    x = np.random.default_rng(3).standard_normal(shape).astype(dt)
    t = torch.from_numpy(x)
    assert np.array_equal(ag.linalg.vector_norm(ag.tensor(x), dim=dim).numpy(),
                          torch.linalg.vector_norm(t, dim=dim).numpy())
    assert np.array_equal(F.normalize(ag.tensor(x), dim=-1).numpy(),
                          torch.nn.functional.normalize(t, dim=-1).numpy())


@pytest.mark.torch_parity
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_embedding_max_norm_renorm_equals_torch(dt):
    torch = pytest.importorskip("torch")
    import nn.functional as F
    rng = np.random.default_rng(4)
    for _ in range(5):
        w = (rng.standard_normal((30, 13)) * 2).astype(dt)
        idx = rng.integers(0, 30, (20,))
        ours, theirs = ag.tensor(w.copy()), torch.from_numpy(w.copy())
        y = F.embedding(ag.tensor(idx), ours, max_norm=1.5)
        t = torch.nn.functional.embedding(torch.from_numpy(idx), theirs, max_norm=1.5)
        assert np.array_equal(ours.numpy(), theirs.numpy())
        assert np.array_equal(y.numpy(), t.numpy())


@pytest.mark.torch_parity
def test_clip_coefficient_in_the_norms_dtype_as_torch():
    # PyTorch: (total + 1e-6).reciprocal() * max_norm in float32 (tapegrad: float64 division,
    # rounded once: 1473 of these 4000 totals gave another float32 coefficient)
    torch = pytest.importorskip("torch")
    import nn
    for total in np.linspace(1.5, 50, 4000).astype(np.float32)[::7]:
        ours, theirs = ag.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
        ours.grad, theirs.grad = ag.ones(3), torch.ones(3)
        nn.utils.clip_grads_with_norm_([ours], 0.7, ag.tensor(total))
        torch.nn.utils.clip_grads_with_norm_([theirs], 0.7, torch.tensor(total))
        assert ours.grad.numpy()[0] == theirs.grad.numpy()[0], total


# ---- complex64 abs: the correctly rounded hypot ----------------------------------------------
def test_complex64_abs_hand_worked_bits():
    # |67 + 80i| = sqrt(10889) = 104.350371345...: float32 0x42d0b364 (104.35037), numpy's
    # complex64 abs gives 0x42d0b363, one ulp below
    y = ag.tensor(np.array([67 + 80j], np.complex64)).abs().numpy()
    assert y.dtype == np.float32 and y.view(np.uint32)[0] == 0x42D0B364


def test_complex64_abs_kernel_equals_its_twin_and_edges():
    from autograd_core.kernels.complex_abs import cabs64, cabs64_numpy
    z = _c(np.random.default_rng(6), 1003, np.complex64)
    edges = np.array([complex(np.inf, np.nan), complex(np.nan, -np.inf), complex(np.nan, 1),
                      complex(3e38, 3e38), complex(0, -0.0), complex(1e-45, 1e-45)],
                     np.complex64)
    for x in (z, edges):
        assert np.array_equal(cabs64(x), cabs64_numpy(x), equal_nan=True)
    assert np.array_equal(cabs64(edges), np.array(
        [np.inf, np.inf, np.nan, np.inf, 0.0, 1e-45], np.float32), equal_nan=True)
    with pytest.raises(ValueError, match="must be complex64"):
        cabs64(z.astype(np.complex128))


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape", [(7,), (1003,), (6, 8), "transposed"])
def test_complex64_abs_equals_torch(shape):
    torch = pytest.importorskip("torch")
    z = _c(np.random.default_rng(7), (8, 6) if shape == "transposed" else shape, np.complex64)
    if shape == "transposed":
        z = z.T
    ours, theirs = ag.from_numpy(z).requires_grad_(), torch.from_numpy(z).requires_grad_()
    y, t = ours.abs(), theirs.abs()
    assert np.array_equal(y.detach().numpy(), t.detach().numpy())


# ---- float16 linspace in c10::Half arithmetic ------------------------------------------------
def test_float16_linspace_in_half_arithmetic_hand_worked():
    # linspace(-1.1, 1.3, 7): step = half(half(1.3) - half(-1.1)) / 6) = 0.3999; element 3 (the
    # second half) = half(1.3) - half(step * 3) = 1.2998 - 1.2 = 0.1006 (0x2e70); the fused
    # float64 formula gave 0.1008 (0x2e74)
    y = ag.linspace(-1.1, 1.3, 7, dtype=ag.float16).numpy()
    assert y.view(np.uint16)[3] == 0x2E70
    with pytest.raises(RuntimeError, match="^value cannot be converted to type c10::Half "
                                           "without overflow$"):
        ag.linspace(0, 65505.0, 3, dtype=ag.float16)


@pytest.mark.torch_parity
def test_float16_linspace_equals_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    cases = [(rng.uniform(-100, 100), rng.uniform(-100, 100), int(rng.integers(2, 3000)))
             for _ in range(100)] + [(0, 65504, 3), (-5, 5, 2049), (3, 3, 7), (0, 1, 40000),
                                     (float("-inf"), float("inf"), 5), (1, 2, 1), (1, 2, 0)]
    for a, b, n in cases:
        ours = ag.linspace(a, b, n, dtype=ag.float16).numpy()
        theirs = torch.linspace(a, b, n, dtype=torch.float16).numpy()
        assert ours.dtype == np.float16 and np.array_equal(ours, theirs, equal_nan=True), (a, b, n)


# ---- x ** 0.5: ATen's sqrt path (and its float16 pow) ------------------------------------------
def test_power_half_nan_sign_and_edges_hand_worked():
    x = np.array([-2.0, 4.0, -0.0, -np.inf], np.float16)
    with np.errstate(invalid="ignore"):
        y = ag.float_power(ag.tensor(x), 0.5).numpy()  # float64: ATen's sqrt, NaN positive
        assert y.view(np.uint64)[0] == 0x7FF8000000000000 and y[1] == 2.0
        for dt in (ag.float32, ag.float64):
            p = ag.tensor(x.astype(np.float64), dtype=dt).pow(0.5).numpy()
            assert np.isnan(p[0]) and not np.signbit(p[0]) and np.signbit(p[2]) and np.isnan(p[3])
        h = ag.tensor(x).pow(0.5).numpy()  # float16: ATen's Half kernel calls pow
        assert h.view(np.uint16).tolist() == [0xFE00, 0x4000, 0x0000, 0x7C00]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dt", ["float16", "float32", "float64"])
def test_power_half_bits_equal_torch(dt):
    torch = pytest.importorskip("torch")
    x = np.array([-2.0, np.nan, -np.nan, 4.0, -0.0, 0.0, -np.inf, np.inf, 2.0, 0.3]).astype(dt)
    # the edges bit for bit; sqrt(2) and sqrt(0.3) are tapegrad's correctly rounded ones, which
    # PyTorch's vectorised sqrt gives on some CPUs and misses by an ulp on others (an AVX-512
    # Xeon's float64 sqrt(2))
    inexact = np.isin(x, np.array([2.0, 0.3]).astype(dt))
    with np.errstate(invalid="ignore"):
        for fn in (lambda L, t: L.float_power(t, 0.5), lambda L, t: t.pow(0.5)):
            ours = fn(ag, ag.tensor(x.copy())).numpy()
            theirs = fn(torch, torch.from_numpy(x.copy())).numpy()
            assert ours.dtype == theirs.dtype
            assert ours[~inexact].tobytes() == theirs[~inexact].tobytes()
            assert ours[inexact].tolist() == np.sqrt(x[inexact].astype(ours.dtype)).tolist()
            assert ulps(ours[inexact], theirs[inexact]).max() <= 1


# ---- histc in the input's dtype --------------------------------------------------------------
def test_float16_histc_bins_in_half_arithmetic_hand_worked():
    # histc(2.498, bins=8, min=-0.3, max=2.9) in float16: left = -0.2998, width = half(2.9 -
    # (-0.2998)) = 3.199; (2.498 + 0.2998) = 2.797 (half), * 8 = 22.38, / 3.199 = 6.996: bin 6
    # (the width in float64, 3.2, put it in bin 7)
    y = ag.histc(ag.tensor(np.array([2.498], np.float16)), 8, -0.3, 2.9).numpy()
    assert y.dtype == np.float16 and y.tolist() == [0, 0, 0, 0, 0, 0, 1, 0]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dt", ["float16", "float32", "float64"])
def test_histc_near_bin_edges_equals_torch(dt):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    for _ in range(100):
        bins, lo, hi = int(rng.integers(1, 60)), float(rng.uniform(-5, 0)), float(rng.uniform(0.1, 5))
        if rng.random() < 0.3:
            lo = hi = 0.0
        edges = np.linspace(lo, hi, bins + 1)
        x = (np.concatenate([edges, rng.uniform(lo, hi, 50)])
             + rng.normal(0, 1e-3, bins + 51)).astype(dt)
        ours = ag.histc(ag.tensor(x), bins, lo, hi).numpy()
        assert np.array_equal(ours, torch.histc(torch.from_numpy(x), bins, lo, hi).numpy())
