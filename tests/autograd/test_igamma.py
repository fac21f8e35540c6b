"""``igamma``/``igammac`` (``special.gammainc``/``gammaincc``): closed forms across
magnitudes and the series / continued-fraction switch points, PyTorch 2.13's values, edges,
gradients (``other`` only) and errors."""

import math

import numpy as np
import pytest

import autograd_core as ag


def _q_integer(n, x):
    """``Q(n, x) = exp(-x) sum_{k<n} x**k / k!`` for an integer ``n``, each term in logs."""
    return math.fsum(math.exp(k * math.log(x) - x - math.lgamma(k + 1)) for k in range(n))


def _f64(v):
    return ag.tensor(np.asarray(v, dtype=np.float64))


@pytest.mark.parametrize("x", [1e-8, 0.3, 0.5, 0.9, 1.0, 1.1, 1.5, 3.0, 20.0, 300.0])
def test_closed_forms_for_a_one_and_a_half(x):
    p1, q1 = ag.igamma(_f64([1.0]), _f64([x])).item(), ag.igammac(_f64([1.0]), _f64([x])).item()
    assert p1 == pytest.approx(-math.expm1(-x), rel=4e-16)
    assert q1 == pytest.approx(math.exp(-x), rel=4e-15)
    p, q = ag.igamma(_f64([0.5]), _f64([x])).item(), ag.igammac(_f64([0.5]), _f64([x])).item()
    assert p == pytest.approx(math.erf(math.sqrt(x)), rel=4e-15)
    assert q == pytest.approx(math.erfc(math.sqrt(x)), rel=1e-13)


@pytest.mark.parametrize("n,x", [(2, 0.4), (3, 2.9), (5, 0.5), (7, 8.0), (20, 14.0),
                                 (20, 26.0), (21, 20.0), (50, 40.0), (150, 160.0),
                                 (200, 200.0), (400, 350.0), (1000, 1040.0)])
def test_integer_shapes_across_magnitudes(n, x):
    # around x = a and a = 20 / 200 (where Cephes switches to an asymptotic expansion)
    q = _q_integer(n, x)
    assert ag.igammac(_f64([n]), _f64([x])).item() == pytest.approx(q, rel=2e-13)
    # (the reference 1 - q keeps q's absolute error, ~1e-13 for n = 400)
    assert ag.igamma(_f64([n]), _f64([x])).item() == pytest.approx(1 - q, rel=2e-13,
                                                                    abs=3e-13)


def test_small_shape_upper_tail_does_not_cancel():
    # Q(a, x) for a -> 0 and x < 1 is ~ -a * Ei(-x): a tiny number that 1 - P would lose;
    # E1(0.5) = 0.5597735947761608 (Abramowitz & Stegun 5.1), so Q(1e-9, 0.5) ~ 1e-9 E1(0.5)
    q = ag.igammac(_f64([1e-9]), _f64([0.5])).item()
    assert q == pytest.approx(1e-9 * 0.5597735947761608, rel=1e-8)


def test_gradient_is_the_gamma_density():
    a = _f64([0.5, 2.0, 30.0])
    x = ag.tensor([0.3, 2.5, 25.0], dtype=ag.float64, requires_grad=True)
    ag.igamma(a, x).sum().backward()
    want = [math.exp((ai - 1) * math.log(xi) - xi - math.lgamma(ai))
            for ai, xi in zip([0.5, 2.0, 30.0], [0.3, 2.5, 25.0])]
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-14)
    x.grad = None
    ag.special.gammaincc(a, x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -np.array(want), rtol=1e-14)
    assert ag.gradcheck(lambda t: ag.igammac(a, t), (x,))
    assert ag.gradgradcheck(lambda t: ag.igamma(a, t), (x,))


@pytest.mark.parametrize("fn,name", [(ag.igamma, "igamma"), (ag.igammac, "igammac")])
def test_no_gradient_for_the_shape(fn, name):
    a = ag.tensor([2.0], requires_grad=True)
    y = fn(a, ag.tensor([1.5]))
    with pytest.raises(NotImplementedError,
                       match=f"the derivative for '{name}: input' is not implemented."):
        y.backward()


def test_refusals_in_pytorchs_words():
    with pytest.raises(NotImplementedError, match='"igamma_cpu" not implemented for \'Long\''):
        ag.igamma(ag.tensor([1]), ag.tensor([2]))
    with pytest.raises(NotImplementedError, match='"igammac_cpu" not implemented for'):
        ag.igammac(ag.tensor([1.0 + 0j]), ag.tensor([2.0 + 0j]))
    with pytest.raises(TypeError, match=r"igamma\(\): argument 'other' \(position 2\) must be "
                                        "Tensor, not float"):
        ag.igamma(ag.tensor([1.0]), 2.0)


_EDGE_A = [0.0, 1.0, -1.0, np.nan, np.inf, 2.0, 2.0, 0.0, 1.0, np.inf, 3.0]
_EDGE_X = [1.0, 0.0, 1.0, 1.0, 1.0, np.inf, -1.0, 0.0, np.nan, np.inf, 1e-300]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_edges_equal_torch(name):
    torch = pytest.importorskip("torch")
    ours = getattr(ag, name)(_f64(_EDGE_A), _f64(_EDGE_X)).numpy()
    theirs = getattr(torch, name)(torch.tensor(_EDGE_A, dtype=torch.float64),
                                  torch.tensor(_EDGE_X, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["igamma", "igammac"])
@pytest.mark.parametrize("lo,hi", [(1e-4, 1.0), (0.1, 19.0), (20.0, 3000.0), (1e3, 1e5)])
def test_values_and_gradients_equal_torch(name, lo, hi, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = np.exp(rng.uniform(np.log(lo), np.log(hi), 400))
    x = np.concatenate([a[:200] * np.exp(rng.uniform(-2, 2, 200)),
                        np.abs(a[200:] + rng.normal(0, 1, 200) * np.sqrt(a[200:]))])
    a, x = a.astype(dtype), x.astype(dtype)
    xt, tt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = getattr(ag, name)(ag.tensor(a), xt)
    u = getattr(torch, name)(torch.tensor(a), tt)
    # PyTorch's float64 uses Temme's expansion for a > 20 near x = a, which is off by up to
    # ~2e-9 (relative; these values are within 1e-12 of mpmath's); below a = 20 a few ulp
    if dtype == np.float32:
        tol = dict(rtol=2e-4, atol=1e-6)
    else:
        tol = dict(rtol=1e-13, atol=1e-300) if hi < 20 else dict(rtol=5e-9, atol=1e-300)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **tol)
    if dtype == np.float32 and hi > 3000:
        return  # float32's exponent (a log x ~ 1e6) has no correct digits left in either
    y.backward(ag.ones_like(y))
    u.backward(torch.ones_like(u))
    # the gradient is PyTorch's formula, exp((a - 1) log x - x - lgamma(a)): for large a its
    # exponent cancels (~a * eps absolute in each library's lgamma and log)
    if dtype == np.float32:
        gtol = dict(rtol=2e-4 if hi < 20 else 3e-3, atol=1e-6)
    else:
        gtol = dict(rtol=1e-12 if hi < 20 else 1e-9, atol=1e-300)
    np.testing.assert_allclose(xt.grad.numpy(), tt.grad.numpy(), **gtol)


def test_no_terms_are_summed_where_the_prefactor_underflows(monkeypatch):
    """Large arguments far apart (``a = 1e30``, ``x = 2e30``): ``x**a exp(-x) / Gamma(a)``
    underflows to 0, so P or Q is 0 (its complement 1) whatever the series or the continued
    fraction sums; summing their ~sqrt(a) terms ran the loop to its 100,000-pass cap (seconds
    for a few elements). Only the elements whose prefactor is not 0 reach the loops, and the
    values are the closed limits. Each pair below is (a, x): one near the diagonal (summed)."""
    from autograd_core.ops import specialfns

    seen = []
    for name in ("_igamma_sum", "_igammac_lentz"):
        loop = getattr(specialfns, name)
        monkeypatch.setattr(specialfns, name,
                            lambda a, x, fac, loop=loop: seen.append(a.size) or loop(a, x, fac))
    a = _f64([1e30, 2e30, 1e250, 50.0])
    x = _f64([2e30, 1e30, 3e250, 51.0])
    p, q = ag.igamma(a, x).numpy(), ag.igammac(a, x).numpy()
    assert seen and all(n == 1 for n in seen)  # the (50, 51) pair alone reached a loop
    np.testing.assert_array_equal(p[:3], [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(q[:3], [0.0, 1.0, 0.0])
    # P(50, 51) + Q(50, 51) = 1, and P(50, 51) from the integer closed form
    assert p[3] == pytest.approx(1 - _q_integer(50, 51.0), rel=1e-13)
    assert p[3] + q[3] == pytest.approx(1.0, rel=1e-15)
