"""The reparameterization gradients of Gamma/Beta/Dirichlet ``rsample`` are PyTorch's fitted
approximations (``torch._standard_gamma_grad``, ``torch._dirichlet_grad``) bit for bit, in
float32 and float64, over every branch of their piecewise formulas; torch-free, they are within
their fitted accuracy of finite differences of the inverse CDF and of closed forms; the exact
gradient stays available through ``_gamma_grad.EXACT``."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import distributions as D
from autograd_core.distributions import _gamma_grad as GG
from autograd_core.kernels import gamma_grad as K

ALPHAS = [1e-3, 0.1, 0.5, 1.0, 2.5, 8.0, 50.0, 1e3, 1e6]
DTYPES = [np.float32, np.float64]


def _gamma_points(dtype):
    """``(alpha, x)``: for each alpha, draws (its quantiles) and a log-spaced grid around it."""
    rng = np.random.default_rng(0)
    a, x = [], []
    for alpha in ALPHAS:
        draws = rng.standard_gamma(alpha, 300)
        grid = alpha * np.exp(np.linspace(-4, 2, 61))
        pts = np.concatenate([draws, grid, np.linspace(0.01, 0.79, 8), [0.9 * alpha,
                                                                         1.1 * alpha]])
        a.append(np.full(pts.size, alpha))
        x.append(pts)
    a, x = np.concatenate(a).astype(dtype), np.concatenate(x).astype(dtype)
    return a, np.maximum(x, np.finfo(dtype).tiny)


def _beta_points(dtype):
    """``(x, alpha, total)`` for Beta(alpha, beta) draws and a logit-spaced grid in (0, 1)."""
    rng = np.random.default_rng(1)
    rows = []
    for a in ALPHAS[:-1]:
        for b in ALPHAS[:-1]:
            g = rng.standard_gamma([a, b], (60, 2))
            total = g.sum(1)  # both draws underflow to 0 for tiny concentrations
            draws = g[:, 0] / np.where(total > 0, total, 1.0) + 0.5 * (total == 0)
            grid = 1 / (1 + np.exp(-np.linspace(-12, 12, 25)))
            pts = np.concatenate([draws, grid])
            rows.append(np.stack([pts, np.full(pts.size, a), np.full(pts.size, b)]))
    x, a, b = np.concatenate(rows, 1).astype(dtype)
    eps = np.finfo(dtype)
    x = np.clip(x, eps.tiny, np.nextafter(dtype(1), dtype(0)))
    return x, a, (a + b).astype(dtype)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", DTYPES)
def test_standard_gamma_grad_is_torchs_bit_for_bit(dtype):
    torch = pytest.importorskip("torch")
    a, x = _gamma_points(dtype)
    ours = K.standard_gamma_grad(a, x)
    want = torch._standard_gamma_grad(torch.from_numpy(a), torch.from_numpy(x)).numpy()
    # every branch of ATen's formula is exercised: Taylor series, saddle point near and away
    # from the mean, the rational fit
    a64, x64 = a.astype(np.float64), x.astype(np.float64)
    c08, c09, c11 = (float(np.float32(c)) for c in (0.8, 0.9, 1.1))
    taylor = x64 < c08
    near = ~taylor & (a64 > 8) & (c09 * a64 <= x64) & (x64 <= c11 * a64)
    far = ~taylor & (a64 > 8) & ~near
    for branch in (taylor, near, far, ~taylor & (a64 <= 8)):
        assert branch.sum() >= 20
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours, want)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet_grad_is_torchs_bit_for_bit(dtype):
    torch = pytest.importorskip("torch")
    x, a, total = _beta_points(dtype)
    ours = K.dirichlet_grad(x, a, total)
    want = torch._dirichlet_grad(*map(torch.from_numpy, (x, a, total))).numpy()
    b = (total - a).astype(dtype)
    boundary = total * x * (1 - x)  # in the dtype, as ATen's
    small = (x <= 0.5) & (boundary < 2.5)
    near_one = ~small & (x >= 0.5) & (boundary < 0.75)
    mid = ~small & ~near_one & (a > 6) & (b > 6)
    for branch in (small, near_one, mid, ~small & ~near_one & ~mid):
        assert branch.sum() >= 20
    np.testing.assert_array_equal(ours, want)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", DTYPES)
def test_edges_are_torchs(dtype):
    # zeros, subnormals, digamma_one's x == 10 and 1e17 cut-offs, inf and nan
    torch = pytest.importorskip("torch")
    ex = [0.0, 5e-324, 1e-300, 1e-30, 1e-8, 0.5, 0.8, 1.0, 7.5, 9.999, 10.0, 1e3, 1e30, np.inf,
          np.nan]
    ea = [1e-30, 1e-8, 1e-3, 0.5, 1.0, 6.0, 6.5, 8.0, 8.5, 10.0, 1e6, 1e17, 1e30, np.inf, np.nan]
    with np.errstate(all="ignore"):
        a, x = (np.array(v, dtype) for v in np.meshgrid(ea, ex))
        np.testing.assert_array_equal(
            K.standard_gamma_grad(a, x),
            torch._standard_gamma_grad(torch.from_numpy(a), torch.from_numpy(x)).numpy())
        u = np.array([0.0, 1e-38, 1e-30, 1e-7, 0.25, 0.5, 0.75, 1 - 1e-7, 1.0, np.nan], dtype)
        uu, aa = (np.array(v, dtype) for v in np.meshgrid(u, ea))
        for extra in (0.0, 0.5, 1.0, 7.0, 1e3, 1e30, np.inf):
            total = (aa + dtype(extra)).astype(dtype)
            want = torch._dirichlet_grad(*map(torch.from_numpy, (uu, aa, total))).numpy()
            np.testing.assert_array_equal(K.dirichlet_grad(uu, aa, total), want)


def _backward(lib, dist, name, dtype, seed=5):
    """Per-element gradients of a weighted sum of one rsample of ``dist`` built by ``name``."""
    lib.manual_seed(seed)
    dt = getattr(lib, np.dtype(dtype).name)
    rng = np.random.default_rng(2)
    if name == "Dirichlet":
        conc = np.array(ALPHAS[:-1] * 3).reshape(8, 3)
        params = [lib.tensor(conc, dtype=dt, requires_grad=True)]
    elif name == "Chi2":
        params = [lib.tensor(np.array(ALPHAS) * 2, dtype=dt, requires_grad=True)]
    else:
        first = np.array(ALPHAS * 2)
        second = np.concatenate([rng.uniform(0.2, 5, 9), np.array(ALPHAS[::-1])])
        params = [lib.tensor(v, dtype=dt, requires_grad=True) for v in (first, second)]
    x = getattr(dist, name)(*params).rsample()
    w = lib.tensor(rng.normal(size=tuple(x.shape)), dtype=dt)
    (x * w).sum().backward()
    return [x.detach().numpy()] + [p.grad.numpy() for p in params]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["Gamma", "Chi2", "Beta", "Dirichlet"])
def test_rsample_backward_is_torchs_after_the_same_seed(name, dtype):
    torch = pytest.importorskip("torch")
    from torch import distributions as TD
    theirs = _backward(torch, TD, name, dtype)
    ours = _backward(ag, D, name, dtype)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o, t)


@pytest.mark.torch_parity
def test_exact_switch_gives_the_exact_gradient():
    torch = pytest.importorskip("torch")
    a = np.array([0.5, 2.5, 50.0])
    grads = {}
    for exact in (False, True):
        GG.EXACT = exact
        try:
            ag.manual_seed(3)
            c = ag.tensor(a, requires_grad=True)
            x = D.Gamma(c, 1.0).rsample()
            x.sum().backward()
            grads[exact] = (x.detach().numpy(), c.grad.numpy())
        finally:
            GG.EXACT = False
    x = grads[True][0]
    np.testing.assert_array_equal(grads[True][1], GG.standard_gamma_grad(x, a))
    np.testing.assert_array_equal(
        grads[False][1], torch._standard_gamma_grad(torch.tensor(a), torch.tensor(x)).numpy())
    assert not np.array_equal(grads[True][1], grads[False][1])


@pytest.mark.parametrize("name", ["Gamma", "Beta", "Dirichlet"])
def test_float16_rsample_backward_goes_through_float32(name):
    # PyTorch's samplers refuse float16; here the draws work and so does their gradient (the
    # kernels' float32 numbers, rounded), as before the fitted gradients
    c16 = ag.tensor([[0.7, 2.0, 9.0]], dtype=ag.float16, requires_grad=True)
    c32 = ag.tensor(c16.detach().numpy().astype(np.float32), requires_grad=True)
    grads = []
    for c in (c16, c32):
        ag.manual_seed(4)
        dist = D.Dirichlet(c) if name == "Dirichlet" else getattr(D, name)(c, c)
        dist.rsample().sum().backward()
        grads.append(c.grad.numpy())
    assert grads[0].dtype == np.float16
    np.testing.assert_allclose(grads[0], grads[1], rtol=2e-2, atol=1e-3)


# --------------------------------------------------------------- torch-free: the closed forms

def _gamma_quantile(u, a):
    """``x`` with ``P(a, x) = u`` (float64 bisection in ``log x`` on ``special.gammainc``)."""
    lo, hi = np.full_like(u, -60.0), np.full_like(u, 8.0)
    for _ in range(120):
        mid = (lo + hi) / 2
        p = ag.special.gammainc(ag.tensor(a), ag.tensor(np.exp(mid))).numpy()
        below = p < u
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return np.exp((lo + hi) / 2)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 1.0, 2.5, 8.0, 50.0])
def test_standard_gamma_grad_within_fit_accuracy_of_inverse_cdf_differences(alpha):
    # dx/dalpha at a fixed quantile u: central differences of x(alpha) = P^-1(alpha, u)
    u = np.linspace(0.02, 0.98, 25)
    h = 1e-4 * alpha
    x = _gamma_quantile(u, np.full_like(u, alpha))
    fd = (_gamma_quantile(u, np.full_like(u, alpha + h))
          - _gamma_quantile(u, np.full_like(u, alpha - h))) / (2 * h)
    np.testing.assert_allclose(K.standard_gamma_grad(np.full_like(x, alpha), x), fd, rtol=5e-4)


@pytest.mark.parametrize("x", [0.5, 1.0, 2.0])
def test_standard_gamma_grad_alpha_one_closed_form(x):
    # alpha = 1: dx/dalpha = log x + Euler's gamma + e^x E1(x)
    e1 = {0.5: 0.5597735947761608, 1.0: 0.21938393439552027, 2.0: 0.04890051070806112}[x]
    want = math.log(x) + 0.5772156649015329 + math.exp(x) * e1
    assert float(K.standard_gamma_grad(np.array(1.0), np.array(x))) == pytest.approx(want,
                                                                                   rel=1e-4)


@pytest.mark.parametrize("a", [0.1, 0.5, 1.0, 2.5, 8.0, 50.0])
def test_dirichlet_grad_within_fit_accuracy_of_beta_closed_form(a):
    # Beta(a, 1) draws are u^(1/a): dx/da = -x log(x) / a, and _dirichlet_grad is it over
    # 1 - x; at the quantiles u from 0.5% to 99.5%
    x = np.linspace(0.005, 0.995, 199) ** (1 / a)
    got = K.dirichlet_grad(x, np.full_like(x, a), np.full_like(x, a + 1.0)) * (1 - x)
    np.testing.assert_allclose(got, -x * np.log(x) / a, rtol=2e-3)


@pytest.mark.parametrize("a, b", [(0.5, 2.0), (2.5, 8.0), (8.0, 50.0), (50.0, 50.0),
                                  (0.5, 1e3), (1e3, 2.0)])
def test_dirichlet_grad_within_fit_accuracy_of_the_exact_beta_gradient(a, b):
    # the central 99% of Beta(a, b) draws, against the series / quadrature of the incomplete
    # beta (itself checked against closed forms and quadrature in test_distributions_rsample)
    rng = np.random.default_rng(4)
    g = rng.standard_gamma([a, b], (2000, 2))
    x = np.sort(g[:, 0] / g.sum(1))[10:-10]
    got = K.dirichlet_grad(x, np.full_like(x, a), np.full_like(x, a + b)) * (1 - x)
    np.testing.assert_allclose(got, GG.beta_grad(x, a, b), rtol=2e-3)
