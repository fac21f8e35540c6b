"""``add``/``sub``/``rsub`` with ``alpha``, ``addcmul`` and ``lerp`` round as ATen's CPU kernels,
each a fused multiply-add (``add``: ``input + alpha * other`` with ``alpha`` in the dtype),
and ``addcdiv`` in ATen's order: against exact rational arithmetic here, bit for bit against
PyTorch in the torch_parity tests. Rounding the product first left a few percent of float32
elements 1 ulp off, and hand-written updates (``p.add_(p.grad, alpha=-lr)``) drifted from
PyTorch's step by step."""

import warnings
from fractions import Fraction

import numpy as np
import pytest

import autograd_core as ag


def _round(exact, dtype):
    """``exact`` (a Fraction) rounded once to ``dtype``, to nearest, ties to even."""
    near = dtype(float(exact))  # float(Fraction) is correctly rounded to float64
    below, above = np.nextafter(near, dtype(-np.inf)), np.nextafter(near, dtype(np.inf))
    best = near
    for c in (below, above):
        d, db = abs(Fraction(float(c)) - exact), abs(Fraction(float(best)) - exact)
        if d < db or (d == db and int(c.view(np.uint32 if dtype == np.float32 else np.uint64))
                      % 2 == 0):
            best = c
    return best


def _exact(a, b, alpha, dtype):
    """``a + alpha * b`` rounded once (``alpha`` a number or an array, rounded to dtype)."""
    a, b, al = np.broadcast_arrays(a, b, np.asarray(alpha, dtype))
    return np.array([_round(Fraction(float(x)) + Fraction(float(w)) * Fraction(float(y)), dtype)
                     for x, y, w in zip(a.ravel(), b.ravel(), al.ravel())], dtype).reshape(a.shape)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [-0.013, 0.3, 1 / 3, 3])
def test_add_and_sub_with_alpha_round_once(dtype, alpha):
    rng = np.random.default_rng(1)
    a, b = (rng.standard_normal(3000).astype(dtype) for _ in range(2))
    want = _exact(a, b, alpha, dtype)
    np.testing.assert_array_equal(ag.add(ag.tensor(a), ag.tensor(b), alpha=alpha).numpy(), want)
    np.testing.assert_array_equal(
        ag.sub(ag.tensor(a), ag.tensor(b), alpha=-alpha).numpy(), want)
    np.testing.assert_array_equal(ag.rsub(ag.tensor(b), ag.tensor(a), alpha=-alpha).numpy(), want)
    x = ag.tensor(a.copy())
    x.add_(ag.tensor(b), alpha=alpha)
    np.testing.assert_array_equal(x.numpy(), want)
    out = ag.empty(a.shape, dtype=x.dtype)
    ag.add(ag.tensor(a), ag.tensor(b), alpha=alpha, out=out)
    np.testing.assert_array_equal(out.numpy(), want)


def test_number_other_is_rounded_to_the_dtype_before_the_fused_multiply_add():
    # ATen wraps the number as a tensor and reads it in float32: fma(f32(0.1), f32(alpha), a),
    # not a + f32(0.1 * alpha) (the product in double), which differed in ~1% of elements
    rng = np.random.default_rng(2)
    a = rng.standard_normal(3000).astype(np.float32)
    want = _exact(a, np.full_like(a, np.float32(0.1)), 2.7, np.float32)
    np.testing.assert_array_equal(ag.add(ag.tensor(a), 0.1, alpha=2.7).numpy(), want)


def test_deprecated_number_first_update_rounds_once():
    rng = np.random.default_rng(3)
    p, g = (rng.standard_normal((40, 50)).astype(np.float32) for _ in range(2))
    x = ag.tensor(p.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the overload's deprecation warning
        x.add_(-0.01, ag.tensor(g))  # the old tutorials' p.data.add_(-lr, p.grad)
    np.testing.assert_array_equal(x.numpy(), _exact(p, g, -0.01, np.float32))


def test_broadcast_and_non_contiguous_operands():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((30, 20)).astype(np.float32)
    row = rng.standard_normal(20).astype(np.float32)
    want = _exact(a, np.broadcast_to(row, a.shape), 0.3, np.float32)
    np.testing.assert_array_equal(ag.add(ag.tensor(a), ag.tensor(row), alpha=0.3).numpy(), want)
    at = ag.tensor(np.ascontiguousarray(a.T)).t()  # a non-contiguous view of the same values
    np.testing.assert_array_equal(ag.add(at, ag.tensor(row), alpha=0.3).numpy(), want)


def test_gradients_are_g_and_g_times_alpha():
    rng = np.random.default_rng(5)
    a, b, g = (rng.standard_normal((4, 5)) for _ in range(3))
    x, y = ag.tensor(a, requires_grad=True), ag.tensor(b[0], requires_grad=True)
    out = ag.sub(x, y, alpha=0.7)
    assert out.grad_fn.name() == "SubBackward0"
    out.backward(ag.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), g)
    np.testing.assert_allclose(y.grad.numpy(), -0.7 * g.sum(0), rtol=1e-14)
    x, y = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    assert ag.gradcheck(lambda p, q: ag.add(p, q, alpha=-1.5), (x, y))
    assert ag.gradgradcheck(lambda p, q: ag.add(p, q, alpha=-1.5), (x, y))


def test_compiled_update_replays_the_single_rounding():
    def step(p, g):
        return ag.add(p, g, alpha=-0.013)

    compiled = ag.compile(step)
    rng = np.random.default_rng(6)
    for _ in range(4):
        p, g = (rng.standard_normal(500).astype(np.float32) for _ in range(2))
        np.testing.assert_array_equal(compiled(ag.tensor(p), ag.tensor(g)).numpy(),
                                      _exact(p, g, -0.013, np.float32))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_add_sub_alpha_bit_equal_to_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    n = 20000
    a, b, g = (rng.standard_normal(n) + (1j * rng.standard_normal(n) if "complex" in dtype
                                         else 0) for _ in range(3))
    a, b, g = (v.astype(dtype) for v in (a, b, g))
    alphas = [-0.013, 0.3, 3] + ([0.3 - 0.7j] if "complex" in dtype else [])

    def same(ours, theirs):
        np.testing.assert_array_equal(ours.detach().numpy().view(np.uint8),
                                      theirs.detach().numpy().view(np.uint8))

    for al in alphas:
        for name in ("add", "sub", "rsub"):
            same(getattr(ag, name)(ag.tensor(a), ag.tensor(b), alpha=al),
                 getattr(torch, name)(torch.tensor(a), torch.tensor(b), alpha=al))
        same(ag.add(ag.tensor(a), 0.1, alpha=al), torch.add(torch.tensor(a), 0.1, alpha=al))
        same(ag.rsub(ag.tensor(a), 0.7, alpha=al), torch.rsub(torch.tensor(a), 0.7, alpha=al))
        same(ag.add(ag.tensor(a), ag.tensor(0.1, dtype=ag.float64), alpha=al),
             torch.add(torch.tensor(a), torch.tensor(0.1, dtype=torch.float64), alpha=al))
        x, t = ag.tensor(a.copy()), torch.tensor(a.copy())
        x.sub_(ag.tensor(b), alpha=al)
        t.sub_(torch.tensor(b), alpha=al)
        same(x, t)
        xa, xb = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
        ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        ag.sub(xa, xb, alpha=al).backward(ag.tensor(g))
        torch.sub(ta, tb, alpha=al).backward(torch.tensor(g))
        same(xa.grad, ta.grad)
        same(xb.grad, tb.grad)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_broadcast_and_non_contiguous_bit_equal_to_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    a, b = (rng.standard_normal((300, 100)).astype(dtype) for _ in range(2))
    for ours, theirs in (
            (ag.add(ag.tensor(a), ag.tensor(b[0]), alpha=0.3),
             torch.add(torch.tensor(a), torch.tensor(b[0]), alpha=0.3)),
            (ag.add(ag.tensor(a).t(), ag.tensor(b.T.copy()), alpha=0.3),
             torch.add(torch.tensor(a).t(), torch.tensor(b.T.copy()), alpha=0.3))):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.torch_parity
def test_float16_number_operand_rounded_to_float16_as_torch():
    # ATen casts the number to float16 (the common dtype) before its float32 opmath: rounding
    # it straight to float32 left up to 40% of elements off
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    a = rng.standard_normal(64).astype(np.float16)
    for al in (0.3, 3, -0.013):
        np.testing.assert_array_equal(ag.add(ag.tensor(a), 0.1, alpha=al).numpy(),
                                      torch.add(torch.tensor(a), 0.1, alpha=al).numpy())
        np.testing.assert_array_equal(ag.rsub(ag.tensor(a), 0.7, alpha=al).numpy(),
                                      torch.rsub(torch.tensor(a), 0.7, alpha=al).numpy())
        np.testing.assert_array_equal(
            ag.add(ag.tensor(a), ag.tensor(0.1, dtype=ag.float64), alpha=al).numpy(),
            torch.add(torch.tensor(a), torch.tensor(0.1, dtype=torch.float64), alpha=al).numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_addcmul_is_one_fused_multiply_add_of_value_times_tensor1(dtype):
    rng = np.random.default_rng(10)
    a, t1, t2 = (rng.standard_normal((40, 50)).astype(dtype) for _ in range(3))
    for value in (0.3, 1, -2.5):
        want = _exact(a, t2, t1 * dtype(value), dtype)  # fma(value * t1, t2, a)
        np.testing.assert_array_equal(
            ag.addcmul(ag.tensor(a), ag.tensor(t1), ag.tensor(t2), value=value).numpy(), want)
        x = ag.tensor(a.copy())
        x.addcmul_(ag.tensor(t1), ag.tensor(t2), value=value)
        np.testing.assert_array_equal(x.numpy(), want)


def test_addcmul_gradients():
    rng = np.random.default_rng(11)
    a, t1, t2 = (ag.tensor(rng.standard_normal(s), requires_grad=True)
                 for s in ((3, 4), (4,), (3, 1)))
    assert ag.gradcheck(lambda x, y, z: ag.addcmul(x, y, z, value=-0.7), (a, t1, t2))
    assert ag.gradgradcheck(lambda x, y, z: ag.addcmul(x, y, z, value=-0.7), (a, t1, t2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lerp_is_a_fused_multiply_add_in_each_branch(dtype):
    rng = np.random.default_rng(12)
    a, b = (rng.standard_normal(2000).astype(dtype) for _ in range(2))
    w = rng.uniform(-0.3, 1.3, 2000).astype(dtype)
    d = b - a
    small = np.abs(w) < 0.5
    want = np.where(small, _exact(a, d, w, dtype), _exact(b, d, w - dtype(1), dtype))
    np.testing.assert_array_equal(ag.lerp(ag.tensor(a), ag.tensor(b), ag.tensor(w)).numpy(),
                                  want)
    for weight in (0.3, 0.7):
        want = _exact(a, d, weight, dtype) if weight < 0.5 else \
            _exact(b, d, dtype(weight) - dtype(1), dtype)
        np.testing.assert_array_equal(ag.lerp(ag.tensor(a), ag.tensor(b), weight).numpy(), want)
    assert ag.lerp(ag.tensor(a), ag.tensor(b), 1.0).numpy().tolist() == b.tolist()


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_addcmul_addcdiv_lerp_bit_equal_to_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(13)
    a, b, c = (rng.standard_normal(4096).astype(dtype) for _ in range(3))
    w = rng.uniform(-0.3, 1.3, 4096).astype(dtype)
    c3 = c + np.asarray(3, dtype)

    def same(ours, theirs):
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())

    A, B, C, C3, W = (ag.tensor(x) for x in (a, b, c, c3, w))
    tA, tB, tC, tC3, tW = (torch.tensor(x) for x in (a, b, c, c3, w))
    for value in (0.3, 1, -2.5):
        same(ag.addcmul(A, B, C, value=value), torch.addcmul(tA, tB, tC, value=value))
        same(ag.addcdiv(A, B, C3, value=value), torch.addcdiv(tA, tB, tC3, value=value))
    for weight in (0.3, 0.7):
        same(ag.lerp(A, B, weight), torch.lerp(tA, tB, weight))
    same(ag.lerp(A, B, W), torch.lerp(tA, tB, tW))
    if dtype != "float16":
        xs = [ag.tensor(v, requires_grad=True) for v in (a, b, c)]
        ts = [torch.tensor(v, requires_grad=True) for v in (a, b, c)]
        ag.addcmul(*xs, value=0.3).backward(ag.tensor(w))
        torch.addcmul(*ts, value=0.3).backward(torch.tensor(w))
        for x, t in zip(xs, ts):
            same(x.grad, t.grad)


def test_addcdiv_gradients():
    rng = np.random.default_rng(14)
    a, t1 = (ag.tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 4), (4,)))
    t2 = ag.tensor(rng.uniform(1, 2, (3, 1)), requires_grad=True)
    out = ag.addcdiv(a, t1, t2, value=-0.7)
    assert out.grad_fn.name() == "AddcdivBackward0"
    assert ag.gradcheck(lambda x, y, z: ag.addcdiv(x, y, z, value=-0.7), (a, t1, t2))
    assert ag.gradgradcheck(lambda x, y, z: ag.addcdiv(x, y, z, value=-0.7), (a, t1, t2))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_addcmul_addcdiv_gradients_bit_equal_to_torch(dtype):
    # PyTorch's formulas: g * (t2 * value), g * (value / t2), -g * ((value * t1) / (t2 * t2));
    # the composites' rounded otherwise (a third of the elements 1 ulp off)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(15)
    a, b, c, g = (rng.standard_normal(4096).astype(dtype) for _ in range(4))
    c = c + np.asarray(3, dtype)
    for name in ("addcmul", "addcdiv"):
        xs = [ag.tensor(v, requires_grad=True) for v in (a, b, c)]
        ts = [torch.tensor(v, requires_grad=True) for v in (a, b, c)]
        getattr(ag, name)(*xs, value=0.3).backward(ag.tensor(g))
        getattr(torch, name)(*ts, value=0.3).backward(torch.tensor(g))
        for x, t in zip(xs, ts):
            np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
