"""Reparameterized sampling of Gamma, Chi2, Beta, Dirichlet, StudentT and the families built on
them (InverseGamma, FisherSnedecor): the per-sample gradients (implicit reparameterization)
against closed forms, float64 finite differences of the regularized incomplete gamma and
PyTorch's fitted ones; Monte Carlo gradients of moments against their closed forms; shapes;
the same numbers as ``sample``."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import distributions as D
from autograd_core.distributions._gamma_grad import beta_grad, standard_gamma_grad

EULER = 0.5772156649015329
E1 = {0.5: 0.5597735947761608, 1.0: 0.21938393439552027, 2.0: 0.04890051070806112}


def _f64(a, grad=True):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _gamma_draws(rng, alphas, n):
    a = np.repeat(alphas, n)
    return np.maximum(rng.standard_gamma(a), 1e-300), a


# ------------------------------------------------------------------- per-sample gradients

@pytest.mark.parametrize("x", [0.5, 1.0, 2.0])
def test_standard_gamma_grad_closed_form_alpha_one(x):
    # P(1, x) = 1 - e^-x; dP/da at a = 1 is -e^-x (log x + gamma + e^x E1(x)), f = e^-x
    want = math.log(x) + EULER + math.exp(x) * E1[x]
    assert standard_gamma_grad(x, 1.0) == pytest.approx(want, rel=1e-12)


def test_standard_gamma_grad_matches_finite_differences_of_igamma():
    rng = np.random.default_rng(0)
    x, a = _gamma_draws(rng, np.array([1e-3, 0.05, 0.5, 1.0, 3.0, 8.5, 50.0, 1e3, 1e4]), 6)
    x = np.maximum(x, 1e-30)  # keep the density finite in float64 for the check
    h = 1e-5 * a

    def p(aa):
        return ag.igamma(_f64(aa, False), _f64(x, False)).numpy()

    dens = np.exp((a - 1) * np.log(x) - x - np.vectorize(math.lgamma)(a))
    want = -(p(a + h) - p(a - h)) / (2 * h) / dens
    np.testing.assert_allclose(standard_gamma_grad(x, a), want, rtol=1e-5)


@pytest.mark.torch_parity
def test_standard_gamma_grad_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, a = _gamma_draws(rng, np.geomspace(1e-3, 1e4, 40), 50)
    theirs = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(x)).numpy()
    # PyTorch's is a fitted approximation (Taylor / saddle point / rational); measured within
    # 1e-3 of the float64-exact values checked above
    np.testing.assert_allclose(standard_gamma_grad(x, a), theirs, rtol=2e-3)


@pytest.mark.parametrize("a", [0.01, 0.7, 1.0, 5.0, 300.0])
def test_beta_grad_closed_forms(a):
    x = np.array([1e-6, 0.1, 0.4, 0.8, 0.999])
    # Beta(a, 1) draws are U^(1/a): dx/da = -x log(x) / a
    np.testing.assert_allclose(beta_grad(x, a, 1.0), -x * np.log(x) / a, rtol=1e-10)
    # Beta(1, b) draws are 1 - U^(1/b): dx/db = (1 - x) log(1 - x) / b, via 1 - x ~ Beta(b, 1)
    np.testing.assert_allclose(-beta_grad(1 - x, a, 1.0), (1 - x) * np.log1p(-x) / a,
                               rtol=1e-10)


def _tanh_sinh(f):
    """int_0^1 f(s) ds by tanh-sinh quadrature (exponential convergence even with algebraic
    singularities at the ends), nodes s = 1 / (1 + exp(-pi sinh t))."""
    h = 1 / 64
    t = np.arange(-6.0, 6.0 + h, h)  # exp(pi sinh 6) ~ 1e273: no overflow
    u = np.pi * np.sinh(t)
    s = 1 / (1 + np.exp(-u))
    w = h * np.pi * np.cosh(t) * s * (1 / (1 + np.exp(u)))
    keep = (s > 0) & (w > 0)
    return float(np.sum(w[keep] * f(s[keep])))


def test_beta_grad_matches_quadrature():
    # dI_x(a, b)/da = int_0^x f(t) (log t - psi(a) + psi(a + b)) dt = -int_x^1 (same), on the
    # side away from the bulk, after t = x s^(1/a) (below) or 1 - t = (1 - x) s^(1/b) (above)
    cases = [(0.3, 0.5, 0.01), (2.0, 3.0, 0.3), (1.25, 12.6, 0.87), (5.4, 11.2, 0.76),
             (0.05, 0.05, 0.999), (40.0, 7.0, 0.9), (300.0, 200.0, 0.55)]
    for a, b, x in cases:
        lbeta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
        dpsi = float(ag.digamma(_f64(a, False)) - ag.digamma(_f64(a + b, False)))
        if x < a / (a + b):
            part = math.exp(a * math.log(x) - math.log(a) - lbeta)
            integral = part * _tanh_sinh(lambda s: (1 - x * s ** (1 / a)) ** (b - 1)
                                         * (math.log(x) + np.log(s) / a - dpsi))
        else:
            part = math.exp(b * math.log1p(-x) - math.log(b) - lbeta)
            integral = -part * _tanh_sinh(lambda s: np.exp((a - 1) * np.log1p(-(1 - x) * s ** (1 / b)))
                                          * (np.log1p(-(1 - x) * s ** (1 / b)) - dpsi))
        dens = math.exp((a - 1) * math.log(x) + (b - 1) * math.log1p(-x) - lbeta)
        assert beta_grad(x, a, b) == pytest.approx(-integral / dens, rel=1e-9), (a, b, x)


@pytest.mark.torch_parity
def test_beta_grad_against_torch_dirichlet_grad():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    grid = np.geomspace(1e-2, 1e3, 12)
    a, b = (v.ravel() for v in np.meshgrid(grid, grid))
    a, b = np.repeat(a, 20), np.repeat(b, 20)
    x = np.clip(rng.beta(a, b), 1e-300, 1 - 1e-16)
    theirs = torch._dirichlet_grad(torch.tensor(x), torch.tensor(a), torch.tensor(a + b)).numpy()
    # PyTorch's is dx/da / (1 - x), fitted as for gamma
    ours = beta_grad(x, a, b) / (1 - x)
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=1e-300)


@pytest.mark.torch_parity
def test_dirichlet_and_beta_backward_against_torch_formula():
    # the whole vector-Jacobian product for given draws, bit for bit: PyTorch's Dirichlet
    # backward is _dirichlet_grad(x, a, total) (g - sum_j x_j g_j); its Beta is a 2-component
    # Dirichlet with the gradient on the first component
    torch = pytest.importorskip("torch")
    from types import SimpleNamespace
    from autograd_core.distributions.beta import _BetaDraw
    from autograd_core.distributions.dirichlet import _DirichletDraw
    rng = np.random.default_rng(3)
    alpha = rng.uniform(0.2, 6.0, (50, 4))
    x = np.stack([rng.dirichlet(row) for row in alpha])
    g = rng.normal(size=(50, 4))
    ours = _DirichletDraw.backward(SimpleNamespace(x=x, alpha=alpha), _f64(g, False)).numpy()
    tx, ta = torch.tensor(x), torch.tensor(alpha)
    d = torch._dirichlet_grad(tx, ta, ta.sum(-1, keepdim=True).expand_as(ta))
    theirs = d * (torch.tensor(g) - (tx * torch.tensor(g)).sum(-1, keepdim=True))
    np.testing.assert_array_equal(ours, theirs.numpy())
    x2 = x[:, :2] / x[:, :2].sum(-1, keepdims=True)
    ab, g1 = alpha[:, :2], g[:, 0]
    ctx = SimpleNamespace(x=x2, alpha=ab, needs_input_grad=(True, True))
    ga, gb = _BetaDraw.backward(ctx, _f64(g1, False))
    tab, tx2 = torch.tensor(ab), torch.tensor(x2)
    d = torch._dirichlet_grad(tx2, tab, tab.sum(-1, keepdim=True).expand_as(tab))
    gg = torch.tensor(np.stack([g1, 0 * g1], -1))
    want = d * (gg - (tx2 * gg).sum(-1, keepdim=True))
    np.testing.assert_array_equal(np.stack([ga.numpy(), gb.numpy()], -1), want.numpy())


def test_dirichlet_one_category_gradient_is_zero():
    # x is 1 whatever alpha: the gradient is 0 (it was nan from the Beta(a, 0) formula)
    c = _f64([[3.0], [0.5]])
    D.Dirichlet(c).rsample((2,)).sum().backward()
    assert c.grad.numpy().tolist() == [[0.0], [0.0]]


# --------------------------------------------------------------- Monte Carlo gradients

N = 20000


def _assert_mc_close(grads, want):
    """The mean per-sample gradient within 5 standard errors of the closed form."""
    g = np.asarray(grads, dtype=np.float64)
    se = g.std() / math.sqrt(g.size)
    assert abs(g.mean() - want) < 5 * se + 1e-12, (g.mean(), want, se)


@pytest.mark.parametrize("alpha", [0.3, 2.0, 50.0])
def test_gamma_rsample_moment_gradients(alpha):
    ag.manual_seed(0)
    rate = 1.5
    a, r = _f64(np.full(N, alpha)), _f64(np.full(N, rate))
    x = D.Gamma(a, r).rsample()
    x.pow(2).sum().backward()  # E[x^2] = a (a + 1) / r^2
    _assert_mc_close(a.grad.numpy(), (2 * alpha + 1) / rate**2)
    _assert_mc_close(r.grad.numpy(), -2 * alpha * (alpha + 1) / rate**3)
    a.grad = r.grad = None
    D.Gamma(a, r).rsample().sum().backward()  # E[x] = a / r
    _assert_mc_close(a.grad.numpy(), 1 / rate)
    _assert_mc_close(r.grad.numpy(), -alpha / rate**2)


def test_chi2_and_inverse_gamma_rsample_gradients():
    ag.manual_seed(1)
    df = _f64(np.full(N, 3.0))
    D.Chi2(df).rsample().sum().backward()  # E[x] = df
    _assert_mc_close(df.grad.numpy(), 1.0)
    c, r = _f64(np.full(N, 6.0)), _f64(np.full(N, 2.0))
    D.InverseGamma(c, r).rsample().sum().backward()  # E[x] = r / (c - 1)
    _assert_mc_close(c.grad.numpy(), -2.0 / 25)
    _assert_mc_close(r.grad.numpy(), 1 / 5)


@pytest.mark.parametrize("a0, b0", [(0.5, 0.5), (2.0, 3.0), (40.0, 7.0)])
def test_beta_rsample_mean_gradients(a0, b0):
    ag.manual_seed(2)
    a, b = _f64(np.full(N, a0)), _f64(np.full(N, b0))
    D.Beta(a, b).rsample().sum().backward()  # E[x] = a / (a + b)
    _assert_mc_close(a.grad.numpy(), b0 / (a0 + b0) ** 2)
    _assert_mc_close(b.grad.numpy(), -a0 / (a0 + b0) ** 2)


def test_dirichlet_rsample_mean_gradients():
    ag.manual_seed(3)
    alpha = np.array([0.4, 2.0, 5.0])
    c = _f64(np.tile(alpha, (N, 1)))
    D.Dirichlet(c).rsample()[:, 0].sum().backward()  # E[x_0] = a_0 / A
    total = alpha.sum()
    want = (np.eye(3)[0] * total - alpha[0]) / total**2
    for j in range(3):
        _assert_mc_close(c.grad.numpy()[:, j], want[j])


def test_studentt_and_fishersnedecor_rsample_gradients():
    ag.manual_seed(4)
    df, loc, scale = _f64(np.full(N, 10.0)), _f64(np.full(N, 0.5)), _f64(np.full(N, 2.0))
    x = D.StudentT(df, loc, scale).rsample()
    ((x - 0.5) ** 2).sum().backward()  # E[(x - loc)^2] = scale^2 df / (df - 2)
    _assert_mc_close(df.grad.numpy(), -4.0 * 2 / 64)
    _assert_mc_close(scale.grad.numpy(), 2 * 2.0 * 10 / 8)
    d1, d2 = _f64(np.full(N, 5.0)), _f64(np.full(N, 12.0))
    D.FisherSnedecor(d1, d2).rsample().sum().backward()  # E[x] = d2 / (d2 - 2)
    _assert_mc_close(d1.grad.numpy(), 0.0)
    _assert_mc_close(d2.grad.numpy(), -2.0 / 100)


def test_wishart_rsample_gradient_in_df():
    # df requiring grad raised NotImplementedError; E[W] = df Sigma, so d E[tr W] / d df = tr Sigma
    ag.manual_seed(9)
    n = 4000
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    df = _f64(np.full(n, 3.5))
    w = D.Wishart(df, ag.tensor(cov), validate_args=False).rsample()
    w.diagonal(dim1=-2, dim2=-1).sum().backward()
    _assert_mc_close(df.grad.numpy(), 3.0)


# ------------------------------------------------------- flags, shapes, same numbers

def _families(dtype=ag.float64):
    t = lambda v: ag.tensor(v, dtype=dtype)  # noqa: E731
    return {
        "Gamma": D.Gamma(t([1.0, 2.0]), t(3.0)),
        "Chi2": D.Chi2(t([1.0, 4.0])),
        "Beta": D.Beta(t([0.5, 2.0]), t(3.0)),
        "Dirichlet": D.Dirichlet(t([[0.5, 1.0, 2.0], [3.0, 1.0, 1.0]])),
        "StudentT": D.StudentT(t([3.0, 5.0]), t(1.0), t(2.0)),
        "InverseGamma": D.InverseGamma(t([3.0, 4.0]), t(2.0)),
        "FisherSnedecor": D.FisherSnedecor(t([3.0, 5.0]), t(10.0)),
        "Kumaraswamy": D.Kumaraswamy(t([2.0, 3.0]), t(1.5)),
    }


@pytest.mark.torch_parity
def test_has_rsample_as_torch():
    torch = pytest.importorskip("torch")
    td = torch.distributions
    theirs = {
        "Gamma": td.Gamma(torch.tensor([1.0, 2.0]), 3.0), "Chi2": td.Chi2(torch.tensor([1.0])),
        "Beta": td.Beta(0.5, 3.0), "Dirichlet": td.Dirichlet(torch.tensor([0.5, 1.0])),
        "StudentT": td.StudentT(3.0), "InverseGamma": td.InverseGamma(3.0, 2.0),
        "FisherSnedecor": td.FisherSnedecor(3.0, 10.0), "Kumaraswamy": td.Kumaraswamy(2.0, 1.5),
    }
    for name, ours in _families().items():
        assert ours.has_rsample is True and theirs[name].has_rsample is True, name


@pytest.mark.parametrize("name", list(_families()))
@pytest.mark.parametrize("sample_shape", [(), (3,)])
def test_rsample_shapes_and_gradient_shapes(name, sample_shape):
    ag.manual_seed(5)
    d = _families()[name]
    params = [getattr(d, p) for p in type(d)._params] if hasattr(type(d), "_params") else []
    leaves = [p.detach().requires_grad_() for p in params]
    if leaves:
        d = type(d)(*leaves)
    x = d.rsample(sample_shape)
    assert tuple(x.shape) == tuple(sample_shape) + tuple(d.batch_shape) + tuple(d.event_shape)
    assert x.requires_grad == bool(leaves)
    if leaves:
        x.sum().backward()
        for p in leaves:
            assert p.grad is not None and p.grad.shape == p.shape
            assert np.isfinite(p.grad.numpy()).all()


@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_rsample_same_numbers_as_sample_and_as_pytorch(dtype):
    for name, d in _families(dtype).items():
        if name == "Kumaraswamy":
            continue
        ag.manual_seed(6)
        s = d.sample((4,))
        ag.manual_seed(6)
        r = d.rsample((4,))
        assert s.dtype == r.dtype == dtype and np.array_equal(s.numpy(), r.numpy()), name
    # PyTorch 2.13's numbers for seed 7 (printed by torch, float64; float32 draws agree to its
    # rounding): torch.distributions.Gamma([1, 2], 3), Dirichlet([0.5, 1, 2]), Beta(0.5, 3)
    tol = dict(rtol=1e-6) if dtype == ag.float32 else dict(rtol=1e-14)
    ag.manual_seed(7)
    np.testing.assert_allclose(D.Gamma(ag.tensor([1.0, 2.0], dtype=dtype), 3.0).rsample((4,))
                               .detach().numpy()[:2],
                               [[0.18461613588987194, 0.9671717261064461],
                                [1.0731234986056721, 0.25259962314882084]], **tol)
    ag.manual_seed(7)
    np.testing.assert_allclose(D.Dirichlet(ag.tensor([0.5, 1.0, 2.0], dtype=dtype))
                               .rsample((4,)).detach().numpy()[:2],
                               [[0.06811961073783471, 0.5858095034497112, 0.3460708858124541],
                                [0.0110381619551965, 0.33884618315310944, 0.6501156548916941]],
                               **tol)
    ag.manual_seed(7)
    np.testing.assert_allclose(D.Beta(ag.tensor([0.5, 0.5], dtype=dtype), 3.0).rsample((4,))
                               .detach().numpy()[:2],
                               [[0.058309707689836815, 0.004037470074809319],
                                [0.3538648953473511, 0.004793029746841973]], **tol)


def test_studentt_rsample_is_loc_plus_scale_normal_over_sqrt_chi2():
    ag.manual_seed(8)
    d = D.StudentT(_f64([3.0, 7.0]), _f64(1.0), _f64(2.0))
    x = d.rsample((2,))
    ag.manual_seed(8)
    z = ag.randn((2, 2), dtype=ag.float64)
    chi2 = D.Chi2(_f64([3.0, 7.0], False)).rsample((2,))
    want = 1.0 + 2.0 * z.numpy() / np.sqrt(chi2.numpy() / np.array([3.0, 7.0]))
    np.testing.assert_allclose(x.detach().numpy(), want, rtol=1e-14)


# ------------------------------------------------- large parameters: bounded work, same numbers

def _exact_gamma_grad(x, a):
    from autograd_core.distributions import _gamma_grad as gg
    x, a = np.asarray(x, np.float64), np.broadcast_to(np.asarray(a, np.float64), np.shape(x))
    low = x < a + 1
    out = np.empty_like(x)
    out[low] = gg._series(x[low], a[low].copy())
    out[~low] = gg._continued_fraction(x[~low], a[~low].copy())
    return out


@pytest.mark.parametrize("a", [1e3, 3e4, 1e6])
def test_standard_gamma_grad_large_alpha_matches_the_exact_sums(a):
    # draws, the far tails, and the points either side of exp(digamma(a)) ~ a - 1/2 where the
    # quadrature changes side
    sd = math.sqrt(a)
    x = np.concatenate([np.random.default_rng(1).standard_gamma(np.full(50, a)),
                        a + sd * np.array([-8.0, -3, -1, 0, 0.5, 1, 3, 8, 20]),
                        [a - 0.49, a - 0.51, a / 10, 3 * a]])
    np.testing.assert_allclose(standard_gamma_grad(x, a), _exact_gamma_grad(x, a), rtol=1e-10)


def test_standard_gamma_grad_huge_alpha_normal_limit():
    # x = a + sqrt(a) z + (z^2 - 1)/3 is the z-quantile to O(a^-1/2); dx/da = 1 + z/(2 sqrt a)
    # up to O(a^-3/2): at a = 1e10 that is 1e-15 (x itself is known to eps sqrt(a) ~ 1e-11)
    a, z = 1e10, np.array([-4.0, -1.0, 0.0, 0.7, 3.0])
    x = a + math.sqrt(a) * z + (z * z - 1) / 3
    np.testing.assert_allclose(standard_gamma_grad(x, a), 1 + z / (2 * math.sqrt(a)), rtol=1e-9)


@pytest.mark.parametrize("a", [1e3, 1e6, 1e12])
def test_beta_grad_large_closed_form_b_one(a):
    # Beta(a, 1): I_x = x^a, f = a x^(a-1): dx/da = -x log(x) / a
    x = np.random.default_rng(2).beta(np.full(40, a), 1.0)
    np.testing.assert_allclose(beta_grad(x, a, 1.0), -x * np.log(x) / a, rtol=1e-9)


def test_beta_grad_large_sums_tiny_x():
    # a small, b large, x tiny: the sum's first term, log x + digamma(a + b) - digamma(a + 1)
    # over a, is all (the next is x (a + b) / (a + 1) ~ 1e-20 of it)
    a, b, x = 0.1, 999.9, np.array([1e-24, 1e-60])
    psi_ab, psi_a1 = 6.907255195648812, -0.4237549404110768  # digamma(1000), digamma(1.1)
    np.testing.assert_allclose(beta_grad(x, a, b), -x / a * (np.log(x) + psi_ab - psi_a1),
                               rtol=1e-12)


@pytest.mark.parametrize("a, b", [(2e3, 50.0), (50.0, 2e3), (0.5, 2e3), (2e3, 0.5), (3.0, 5e3),
                                  (5e3, 3.0), (1e4, 1e4), (1e5, 2e5)])
def test_beta_grad_large_matches_the_sums(a, b):
    # the sums (the function before the quadrature existed), where they finish in well under
    # a second, within 1e-9 relative
    from autograd_core.distributions import _gamma_grad as gg
    x = np.clip(np.random.default_rng(3).beta(np.full(60, a), b), 1e-300, 1 - 1e-16)
    av, bv = np.full_like(x, a), np.full_like(x, b)
    low = x <= (a + 1) / (a + b + 2)
    want = np.empty_like(x)
    want[low] = -gg._beta_series(x[low], av[low], bv[low], True)
    want[~low] = gg._beta_series(1 - x[~low], bv[~low], av[~low], False)
    np.testing.assert_allclose(beta_grad(x, a, b), want, rtol=1e-9)


def test_large_parameters_never_run_the_unbounded_sums(monkeypatch):
    # the sums need O(sqrt(alpha)) terms (and O(a + b) for beta on the far side of the mean):
    # 0.6 s per call at alpha = 1e8, a minute for Beta(1e6, 10), unbounded beyond
    from autograd_core.distributions import _gamma_grad as gg

    def forbid(name, check):
        real = getattr(gg, name)

        def checked(x, a, *rest):
            assert np.size(x) == 0 or check(np.asarray(a), *rest), name
            return real(x, a, *rest)
        monkeypatch.setattr(gg, name, checked)
    forbid("_series", lambda a: np.all(a < 1e3))
    forbid("_continued_fraction", lambda a: np.all(a < 1e3))
    # the beta sums only where they are short: a + b small, or a series in the small parameter
    forbid("_beta_series", lambda a, b, *_: np.all((a + b < 1e3) | (a < 10)))
    rng = np.random.default_rng(4)
    for a in [1e8, 1e20]:
        g = standard_gamma_grad(rng.standard_gamma(np.full(5, a)), a)
        assert np.all(np.abs(g - 1) < 1e-3)
    for a, b in [(1e6, 10.0), (10.0, 1e6), (1e6, 0.5), (0.5, 1e6), (1e8, 1e8)]:
        x = np.clip(rng.beta(np.full(20, a), b), 1e-300, 1 - 1e-16)
        assert np.all(np.isfinite(beta_grad(x, a, b)))
