"""``special.erfcx``, the modified Bessel ``i``/``k`` families and the orthogonal polynomials:
closed forms and hand-worked values across magnitudes and branch switch points, PyTorch
2.13's values, gradients where it has them (and none where it has none)."""

import math

import numpy as np
import pytest

import autograd_core as ag


def _f64(v):
    return ag.tensor(np.asarray(v, dtype=np.float64))


@pytest.mark.parametrize("x", [-5.0, -1.0, -1e-3, 0.0, 0.5, 1.0, 2.9, 3.0, 3.1, 4.5])
def test_erfcx_is_exp_square_times_erfc(x):
    # math.exp(x * x) rounds x * x: the reference holds ~x**2 * eps
    want = math.exp(x * x) * math.erfc(x)
    assert ag.special.erfcx(_f64([x])).item() == pytest.approx(want, rel=3e-15 * (1 + x * x))


def test_erfcx_far_tails():
    # 1 / (x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4)), exact to float64 from x = 1e4
    for x in (1e4, 1e8, 1e300):
        want = 1 / (x * math.sqrt(math.pi)) * (1 - 0.5 / x / x + 0.75 / x / x / x / x)
        assert ag.special.erfcx(_f64([x])).item() == pytest.approx(want, rel=2e-16)
    # the reflection: erfcx(-x) = 2 exp(x^2) - erfcx(x), inf once exp(x^2) overflows
    np.testing.assert_array_equal(ag.special.erfcx(_f64([-27.0, -np.inf, np.inf])).numpy(),
                                  [np.inf, np.inf, 0.0])
    assert np.isnan(ag.special.erfcx(_f64([np.nan])).item())


def test_erfcx_gradient():
    x = ag.tensor([-2.0, 0.0, 0.7, 5.0, 40.0], dtype=ag.float64, requires_grad=True)
    ag.special.erfcx(x).sum().backward()
    v = x.detach().numpy()
    want = [2 * t * math.exp(t * t) * math.erfc(t) - 2 / math.sqrt(math.pi) for t in v[:4]]
    np.testing.assert_allclose(x.grad.numpy()[:4], want, rtol=1e-12, atol=1e-15)
    # at 40 the derivative is ~ -1 / (x^2 sqrt(pi)) (the series' next term)
    assert x.grad.numpy()[4] == pytest.approx(-1 / (1600 * math.sqrt(math.pi)), rel=2e-3)
    assert ag.gradgradcheck(ag.special.erfcx, (x,))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erfcx_values_and_gradients_equal_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arr = np.concatenate([rng.uniform(-9, 30, 500), np.exp(rng.uniform(0, 30, 100)),
                          [0.0, 2.99, 3.0, 3.01, -26.0]]).astype(dtype)
    x, t = ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    y, u = ag.special.erfcx(x), torch.special.erfcx(t)
    tol = dict(rtol=1e-6) if dtype == np.float32 else dict(rtol=1e-13)
    # below 0 PyTorch's float32 rounds exp(x^2) in float32 (~x^2 eps off); these are float64's
    # rounded, as elsewhere in the module
    neg = arr < 0
    np.testing.assert_allclose(y.detach().numpy()[~neg], u.detach().numpy()[~neg], **tol)
    np.testing.assert_allclose(y.detach().numpy()[neg], u.detach().numpy()[neg],
                               rtol=tol["rtol"] * 100)
    y.backward(ag.ones_like(y))
    u.backward(torch.ones_like(u))
    # the gradient 2 x erfcx(x) - 2/sqrt(pi) cancels for large x: absolute agreement there
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol["rtol"] * 100,
                               atol=1e-5 if dtype == np.float32 else 1e-12)


_X = np.array([-1.0, -0.7, -0.2, 0.0, 0.3, 0.9, 1.0, 1.5, -2.0])
_CLOSED = {  # degree-3 (and one degree-2) polynomials written out
    "chebyshev_polynomial_t": (3, lambda x: 4 * x ** 3 - 3 * x),
    "chebyshev_polynomial_u": (3, lambda x: 8 * x ** 3 - 4 * x),
    "chebyshev_polynomial_v": (2, lambda x: 4 * x ** 2 - 2 * x - 1),
    "chebyshev_polynomial_w": (2, lambda x: 4 * x ** 2 + 2 * x - 1),
    "shifted_chebyshev_polynomial_t": (3, lambda x: 4 * (2 * x - 1) ** 3 - 3 * (2 * x - 1)),
    "shifted_chebyshev_polynomial_u": (2, lambda x: 4 * (2 * x - 1) ** 2 - 1),
    "shifted_chebyshev_polynomial_v": (2, lambda x: 4 * (2 * x - 1) ** 2 - 2 * (2 * x - 1) - 1),
    "shifted_chebyshev_polynomial_w": (2, lambda x: 4 * (2 * x - 1) ** 2 + 2 * (2 * x - 1) - 1),
    "hermite_polynomial_h": (3, lambda x: 8 * x ** 3 - 12 * x),
    "hermite_polynomial_he": (3, lambda x: x ** 3 - 3 * x),
    "laguerre_polynomial_l": (3, lambda x: (-x ** 3 + 9 * x ** 2 - 18 * x + 6) / 6),
    "legendre_polynomial_p": (3, lambda x: (5 * x ** 3 - 3 * x) / 2),
}


@pytest.mark.parametrize("name", sorted(_CLOSED))
def test_polynomials_closed_forms(name):
    n, f = _CLOSED[name]
    fn = getattr(ag.special, name)
    np.testing.assert_allclose(fn(_f64(_X), n).numpy(), f(_X), rtol=1e-14, atol=1e-14)
    # a negative degree is 0; a fractional one is truncated; integers give float32
    assert fn(_f64([0.4]), -2).item() == 0.0
    assert fn(_f64([0.4]), n + 0.9).item() == pytest.approx(f(0.4), rel=1e-14, abs=1e-15)
    assert fn(ag.tensor([1, 2]), ag.tensor([1, 1])).dtype == ag.float32
    x = ag.tensor([0.5], requires_grad=True)
    assert not fn(x, 3).requires_grad  # PyTorch has no derivative for them


def test_high_degree_trigonometric_forms():
    # T_n(cos t) = cos(n t), U_n(cos t) = sin((n+1) t) / sin(t): the forms used above degree 6/8
    t = np.array([0.1, 0.7, 1.3, 2.9])
    for n in (7, 9, 25, 200):
        np.testing.assert_allclose(ag.special.chebyshev_polynomial_t(_f64(np.cos(t)), n).numpy(),
                                   np.cos(n * t), atol=1e-12)
        np.testing.assert_allclose(ag.special.chebyshev_polynomial_u(_f64(np.cos(t)), n).numpy(),
                                   np.sin((n + 1) * t) / np.sin(t), atol=1e-10)
    # Legendre at 1 and -1: 1 and (-1)**n
    np.testing.assert_array_equal(ag.special.legendre_polynomial_p(
        _f64([1.0, -1.0, -1.0]), _f64([40, 40, 41])).numpy(), [1.0, 1.0, -1.0])
    with pytest.raises(TypeError, match="special_hermite_polynomial_h\\(\\) received an invalid"):
        ag.special.hermite_polynomial_h(0.5, 2)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(_CLOSED))
def test_polynomials_equal_torch(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    # (PyTorch 2.13 returns garbage for a NaN x in some of them: not compared)
    x = np.concatenate([rng.uniform(-1.2, 1.2, 200), [1.0, -1.0, 0.0, 0.5, np.inf, -np.inf, 2.0,
                                                     1e-3]]).astype(dtype)
    for n in (0, 1, 2, 5, 6, 7, 8, 9, 10, 17, 30, -1, 2.7):
        nn = np.full_like(x, n)
        ours = getattr(ag.special, name)(ag.tensor(x), ag.tensor(nn)).numpy()
        theirs = getattr(torch.special, name)(torch.tensor(x), torch.tensor(nn)).numpy()
        assert ours.dtype == theirs.dtype
        tol = 1e-12 if dtype == np.float64 else 2e-4 * max(1, n)
        np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


@pytest.mark.parametrize("x", [1e-6, 0.3, 1.0, 1.999, 2.0, 2.001, 5.0, 30.0, 200.0, 599.0, 690.0])
def test_modified_bessel_wronskian(x):
    # I_0 K_1 + I_1 K_0 = 1/x (A&S 9.6.15), on both sides of the K series/fraction switch at 2;
    # the scaled forms with i0e/i1e where the unscaled ones under/overflow
    s = ag.special
    t = _f64([x])
    if x < 600:
        w = (s.modified_bessel_i0(t) * s.modified_bessel_k1(t)
             + s.modified_bessel_i1(t) * s.modified_bessel_k0(t)).item()
        assert w == pytest.approx(1 / x, rel=4e-15)
    w = (s.i0e(t) * s.scaled_modified_bessel_k1(t) + s.i1e(t) * s.scaled_modified_bessel_k0(t))
    assert w.item() == pytest.approx(1 / x, rel=4e-15)


def test_modified_bessel_hand_values_and_edges():
    s = ag.special
    # A&S table 9.8: K_0(1), K_1(1), K_0(2), K_1(2)
    np.testing.assert_allclose(s.modified_bessel_k0(_f64([1.0, 2.0])).numpy(),
                               [0.42102443824070834, 0.11389387274953344], rtol=4e-16)
    np.testing.assert_allclose(s.modified_bessel_k1(_f64([1.0, 2.0])).numpy(),
                               [0.60190723019723457, 0.13986588181652243], rtol=4e-16)
    # near 0: K_0 ~ -log(x/2) - euler_gamma, K_1 ~ 1/x
    assert s.modified_bessel_k0(_f64([1e-10])).item() == pytest.approx(
        -math.log(5e-11) - 0.5772156649015329, rel=1e-15)
    assert s.modified_bessel_k1(_f64([1e-10])).item() == pytest.approx(1e10, rel=1e-15)
    for name in ("modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
                 "scaled_modified_bessel_k1"):
        out = getattr(s, name)(_f64([0.0, -1.0, np.inf, np.nan])).numpy()
        np.testing.assert_array_equal(out, [np.inf, np.nan, 0.0, np.nan])
    np.testing.assert_array_equal(s.modified_bessel_i1(_f64([-2.0, 2.0])).numpy(),
                                  s.i1(_f64([-2.0, 2.0])).numpy())
    x = ag.tensor([0.5], requires_grad=True)
    assert not s.modified_bessel_k0(x).requires_grad  # PyTorch has no derivative for them


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["modified_bessel_i0", "modified_bessel_i1",
                                  "modified_bessel_k0", "modified_bessel_k1",
                                  "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"])
def test_modified_bessel_equal_torch(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = np.concatenate([np.exp(rng.uniform(np.log(1e-8), np.log(700), 600)), -rng.uniform(0, 30, 50),
                        [0.0, 1.99, 2.0, 2.01, np.inf, -np.inf, np.nan]]).astype(dtype)
    ours = getattr(ag.special, name)(ag.tensor(x)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=3e-15 if dtype == np.float64 else 2e-6,
                               atol=0)


def test_i1_keeps_its_digits_for_large_arguments():
    # the Wronskian I_0 K_1 + I_1 K_0 = 1/x with numpy's i0 (Cephes; exp(x) rounded once):
    # i1 computed as exp(x - log(2 pi x) / 2) lost ~x ulp (4e-14 at x = 600)
    x = np.linspace(100.0, 690.0, 296)
    t = _f64(x)
    w = (np.i0(x) * ag.special.modified_bessel_k1(t).numpy()
         + ag.special.i1(t).numpy() * ag.special.modified_bessel_k0(t).numpy())
    np.testing.assert_allclose(w, 1 / x, rtol=4e-15)


@pytest.mark.parametrize("x", [1e-8, 0.3, 0.999, 1.0, 2.4048, 7.5, 24.99, 25.01, 80.0, 1e4])
def test_bessel_y_wronskian(x):
    # J_1 Y_0 - J_0 Y_1 = 2 / (pi x) (A&S 9.1.16), across the series / Neumann / Hankel
    # switches at 1 and 25 (2.4048: a zero of J_0)
    s, t = ag.special, _f64([x])
    w = (s.bessel_j1(t) * s.bessel_y0(t) - s.bessel_j0(t) * s.bessel_y1(t)).item()
    assert w == pytest.approx(2 / (math.pi * x), rel=1e-14)


def test_bessel_y_hand_values_and_edges():
    s = ag.special
    # A&S table 9.1: Y_0(1), Y_1(1), Y_0(10), Y_1(10)
    np.testing.assert_allclose(s.bessel_y0(_f64([1.0, 10.0])).numpy(),
                               [0.08825696421567696, 0.05567116728359939], rtol=1e-15)
    np.testing.assert_allclose(s.bessel_y1(_f64([1.0, 10.0])).numpy(),
                               [-0.7812128213002887, 0.24901542420695388], rtol=1e-15)
    # near 0: Y_0 ~ 2/pi (log(x/2) + euler_gamma), Y_1 ~ -2/(pi x)
    assert s.bessel_y0(_f64([1e-300])).item() == pytest.approx(
        2 / math.pi * (math.log(5e-301) + 0.5772156649015329), rel=1e-15)
    assert s.bessel_y1(_f64([1e-300])).item() == pytest.approx(-2 / (math.pi * 1e-300),
                                                               rel=1e-15)
    for fn in (s.bessel_y0, s.bessel_y1):  # PyTorch's edges
        np.testing.assert_array_equal(fn(_f64([0.0, -1.0, np.inf, np.nan])).numpy(),
                                      [-np.inf, np.nan, np.nan, np.nan])
        assert not fn(ag.tensor([1.0], requires_grad=True)).requires_grad


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["bessel_y0", "bessel_y1"])
def test_bessel_y_equal_torch(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = np.concatenate([np.exp(rng.uniform(np.log(1e-6), np.log(1e4), 500)),
                        [0.0, -1.0, 1.0, 25.0]]).astype(dtype)
    ours = getattr(ag.special, name)(ag.tensor(x)).numpy()
    theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
    assert ours.dtype == theirs.dtype
    # PyTorch 2.13's float64 Y0/Y1 are off by up to ~1e-6 (absolute) on [1, 25] (these
    # hold 30-digit references to ~4e-16, the Wronskian test above)
    tol = 2e-6 if dtype == np.float64 else 3e-6
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


def test_modified_bessel_k_huge_argument_beside_a_small_one():
    # a large x converges first; it then sat in the loop run for the x near 2 and its sum went
    # inf * 0 = NaN. e^x K_nu(x) ~ sqrt(pi / 2x) (1 + (4 nu^2 - 1) / 8x) for x = 1e10
    x = _f64([1e10, 2.5, 1e300])
    for nu in (0, 1):
        scaled = getattr(ag.special, f"scaled_modified_bessel_k{nu}")(x).numpy()
        want = math.sqrt(math.pi / 2e10) * (1 + (4 * nu * nu - 1) / 8e10)
        assert scaled[0] == pytest.approx(want, rel=1e-15)
        assert scaled[2] == pytest.approx(math.sqrt(math.pi / 2e300), rel=1e-15)
        np.testing.assert_array_equal(
            getattr(ag.special, f"modified_bessel_k{nu}")(x).numpy()[[0, 2]], [0.0, 0.0])


def test_bessel_y_at_the_smallest_subnormal():
    # Y_0(x) = 2/pi (log(x/2) + gamma) + O(x^2): log(x / 2) must not round x / 2 to 0;
    # Y_1(x) = -2 / (pi x) overflows to -inf (was NaN: -inf + log(0) * J_1)
    x = 5e-324
    want = 2 / math.pi * (math.log(x) - math.log(2) + 0.5772156649015329)
    assert ag.special.bessel_y0(_f64([x])).item() == pytest.approx(want, rel=1e-15)
    assert ag.special.bessel_y1(_f64([x])).item() == -math.inf
