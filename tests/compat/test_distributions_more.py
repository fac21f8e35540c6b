"""autograd_core.distributions added for RL / VAE programs: the Distribution base and
register_kl, the transforms (Tanh, Softplus, Power, Abs, Compose, Independent, Reshape) and the
distributions beyond the first nine: closed forms, gradchecks and (torch_parity) PyTorch's
numbers on the same values."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import distributions as D


def _f64(a, grad=True):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


# ---------------------------------------------------------------------------- base, register_kl

def test_distribution_subclass_and_missing_methods():
    class Flat(D.Distribution):
        def log_prob(self, value):
            return ag.zeros_like(value)

        def entropy(self):
            return ag.tensor([0.0, math.log(2.0)])

    d = Flat(batch_shape=(2,), validate_args=False)
    assert d.batch_shape == (2,) and d.event_shape == () and not d.has_rsample
    np.testing.assert_allclose(d.perplexity().numpy(), [1.0, 2.0], rtol=1e-6)
    with pytest.raises(NotImplementedError, match="does not implement mean"):
        d.mean
    with pytest.raises(NotImplementedError):
        d.rsample()
    for cls in (D.Normal, D.Categorical, D.Independent, D.TransformedDistribution):
        assert issubclass(cls, D.Distribution)


def test_register_kl_picks_the_most_specific_pair():
    class N1(D.Normal):
        pass

    class N2(N1):
        pass

    @D.register_kl(N1, D.Normal)
    def _kl_n1(p, q):
        return ag.tensor(1.0)

    @D.register_kl(N2, N1)
    def _kl_n2(p, q):
        return ag.tensor(2.0)

    assert D.kl_divergence(N1(0.0, 1.0), N2(0.0, 1.0)).item() == 1.0
    assert D.kl_divergence(N2(0.0, 1.0), N2(0.0, 1.0)).item() == 2.0
    assert D.kl_divergence(N2(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 1.0
    # the closed form of the base pair still answers for the base classes
    assert D.kl_divergence(D.Normal(0.0, 1.0), N1(0.0, 1.0)).item() == 0.0
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        D.register_kl("Normal", D.Normal)
    assert D.kl.register_kl is D.register_kl


# ---------------------------------------------------------------------------- transforms

def test_tanh_transform_closed_form_and_large_inputs():
    t = D.TanhTransform()
    x = _f64([-3.0, -0.5, 0.0, 0.7, 4.0], False)
    want = np.log1p(-np.tanh(x.numpy()) ** 2)
    np.testing.assert_allclose(t.log_abs_det_jacobian(x, t(x)).numpy(), want, rtol=1e-12)
    # where 1 - tanh(x)^2 underflows in float32 the stable form stays finite: log 4 - 2|x| - ...
    big = ag.tensor([20.0, -30.0])
    np.testing.assert_allclose(t.log_abs_det_jacobian(big, t(big)).numpy(),
                               [math.log(4) - 40, math.log(4) - 60], rtol=1e-6)
    np.testing.assert_allclose(t.inv(t(x)).numpy(), x.numpy(), rtol=1e-12)
    assert ag.gradcheck(lambda a: t.log_abs_det_jacobian(a, t(a)), (_f64([0.3, -1.2, 2.0]),))


def test_tanh_cache_gives_back_the_input():
    # loc 10 in float32: tanh rounds to 1.0 and atanh(1.0) is inf; the cache gives x back
    pre = D.Normal(ag.tensor([10.0]), ag.tensor([0.1]))
    plain = D.TransformedDistribution(pre, [D.TanhTransform()])
    cached = D.TransformedDistribution(pre, [D.TanhTransform(cache_size=1)])
    _ = ag.manual_seed(0)
    y = cached.rsample()
    assert y.item() == 1.0
    lp = cached.log_prob(y)
    assert math.isfinite(lp.item())
    assert not math.isfinite(plain.log_prob(y).item())
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        D.TanhTransform(cache_size=2)


def test_simple_transforms_closed_forms():
    x = _f64([0.5, 1.0, 2.0], False)
    sp = D.SoftplusTransform()
    np.testing.assert_allclose(sp(x).numpy(), np.log1p(np.exp(x.numpy())), rtol=1e-14)
    np.testing.assert_allclose(sp.inv(sp(x)).numpy(), x.numpy(), rtol=1e-12)
    np.testing.assert_allclose(sp.log_abs_det_jacobian(x, sp(x)).numpy(),
                               np.log(1 / (1 + np.exp(-x.numpy()))), rtol=1e-13)
    pw = D.PowerTransform(3.0)
    np.testing.assert_allclose(pw(x).numpy(), x.numpy() ** 3, rtol=1e-14)
    # a number exponent is a float32 tensor, as PyTorch's broadcast_all: 1/3 rounds to 7 digits
    np.testing.assert_allclose(pw.inv(pw(x)).numpy(), x.numpy(), rtol=1e-6)
    pw64 = D.PowerTransform(ag.tensor(3.0, dtype=ag.float64))
    np.testing.assert_allclose(pw64.inv(pw64(x)).numpy(), x.numpy(), rtol=1e-13)
    np.testing.assert_allclose(pw.log_abs_det_jacobian(x, pw(x)).numpy(),
                               np.log(3 * x.numpy() ** 2), rtol=1e-13)
    ab = D.AbsTransform()
    assert ab(ag.tensor([-2.0])).item() == 2.0 and ab.inv(ag.tensor([2.0])).item() == 2.0
    assert not ab.bijective


def test_compose_independent_reshape_shapes_and_jacobians():
    c = D.ComposeTransform([D.AffineTransform(1.0, 2.0), D.ExpTransform()])
    x = _f64([[0.0, 0.5]], False)
    np.testing.assert_allclose(c(x).numpy(), np.exp(1 + 2 * x.numpy()), rtol=1e-14)
    # log|d/dx exp(1 + 2x)| = log 2 + 1 + 2x
    np.testing.assert_allclose(c.log_abs_det_jacobian(x, c(x)).numpy(),
                               math.log(2) + 1 + 2 * x.numpy(), rtol=1e-14)
    np.testing.assert_allclose(c.inv(c(x)).numpy(), x.numpy(), atol=1e-14)
    it = D.IndependentTransform(D.ExpTransform(), 1)
    np.testing.assert_allclose(it.log_abs_det_jacobian(x, it(x)).numpy(), [0.5])
    rs = D.ReshapeTransform((4,), (2, 2))
    assert rs(ag.zeros(3, 4)).shape == (3, 2, 2) and rs.inv(ag.zeros(3, 2, 2)).shape == (3, 4)
    assert rs.log_abs_det_jacobian(ag.zeros(3, 4), ag.zeros(3, 2, 2)).shape == (3,)
    with pytest.raises(ValueError, match="in_shape, out_shape have different numbers"):
        D.ReshapeTransform((4,), (3,))
    both = D.ComposeTransform([it, rs])
    assert (both.domain_event_dim, both.codomain_event_dim) == (1, 2)
    # a Normal over (5, 4) seen through them: batch (5,), event (2, 2), the base Independent
    td = D.TransformedDistribution(D.Normal(ag.zeros(5, 4, dtype=ag.float64), 1.0), [it, rs])
    assert td.batch_shape == (5,) and td.event_shape == (2, 2)
    assert isinstance(td.base_dist, D.Independent)
    y = ag.ones(5, 2, 2, dtype=ag.float64)
    # log N(log y; 0, 1) - log y summed over the 4 elements, y = 1: 4 * -0.5 log(2 pi)
    np.testing.assert_allclose(td.log_prob(y).numpy(), [-2 * math.log(2 * math.pi)] * 5,
                               rtol=1e-14)
    assert td.sample((3,)).shape == (3, 5, 2, 2)


def test_squashed_gaussian_gradcheck():
    def lp(loc, scale, v):
        td = D.TransformedDistribution(D.Normal(loc, scale),
                                       [D.TanhTransform(), D.AffineTransform(0.5, 2.0)])
        return td.log_prob(v)
    assert ag.gradcheck(lp, (_f64([0.3, -1.0]), _f64([0.5, 1.5]), _f64([0.2, -0.9])))


@pytest.mark.torch_parity
def test_transforms_match_torch():
    torch = pytest.importorskip("torch")
    import torch.distributions as TD
    x = np.random.default_rng(0).normal(size=(3, 4))
    for name, args, data in [("TanhTransform", (), x), ("SoftplusTransform", (), x),
                             ("PowerTransform", (2.5,), np.abs(x) + 0.1),
                             ("AbsTransform", (), x)]:
        ours, theirs = getattr(D, name)(*args), getattr(TD.transforms, name)(*args)
        a, t = _f64(data), torch.tensor(data, requires_grad=True)
        np.testing.assert_allclose(ours(a).detach().numpy(), theirs(t).detach().numpy(),
                                   rtol=1e-13)
        if name == "AbsTransform":
            continue
        la, lt = ours.log_abs_det_jacobian(a, ours(a)), theirs.log_abs_det_jacobian(t, theirs(t))
        np.testing.assert_allclose(la.detach().numpy(), lt.detach().numpy(), rtol=1e-12,
                                   atol=1e-14)
        la.sum().backward()
        lt.sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-14)
    # a transformed distribution through all the event-dimension machinery
    v = np.abs(np.random.default_rng(1).normal(size=(2, 2, 3))) + 1.5
    loc = np.random.default_rng(2).normal(size=(2, 6))
    ours = D.TransformedDistribution(
        D.Normal(_f64(loc), 1.0),
        [D.ComposeTransform([D.AffineTransform(1.0, 2.0), D.ExpTransform()]),
         D.ReshapeTransform((6,), (2, 3)), D.IndependentTransform(D.SoftplusTransform(), 1)])
    tl = torch.tensor(loc, requires_grad=True)
    theirs = TD.TransformedDistribution(
        TD.Normal(tl, 1.0),
        [TD.ComposeTransform([TD.AffineTransform(1.0, 2.0), TD.ExpTransform()]),
         TD.ReshapeTransform((6,), (2, 3)), TD.IndependentTransform(TD.SoftplusTransform(), 1)])
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    la, lt = ours.log_prob(ag.tensor(v)), theirs.log_prob(torch.tensor(v))
    np.testing.assert_allclose(la.detach().numpy(), lt.detach().numpy(), rtol=1e-12)
    la.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(ours.base_dist.base_dist.loc.grad.numpy(), tl.grad.numpy(),
                               rtol=1e-12)
    # SAC: the cached tanh of a float32 sample that rounds to 1
    pre_t = TD.Normal(torch.tensor([10.0], dtype=torch.float32), torch.tensor([0.1]))
    td_t = TD.TransformedDistribution(pre_t, [TD.TanhTransform(cache_size=1)])
    td_a = D.TransformedDistribution(D.Normal(ag.tensor([10.0]), ag.tensor([0.1])),
                                     [D.TanhTransform(cache_size=1)])
    xt = pre_t.rsample()
    yt = td_t.transforms[0](xt)
    ya = td_a.transforms[0](ag.tensor(xt.detach().numpy()))
    np.testing.assert_allclose(td_a.log_prob(ya).numpy(), td_t.log_prob(yt).detach().numpy(),
                               rtol=1e-5)


# ---------------------------------------------------------------------------- continuous families

_RNG = np.random.default_rng(7)
_POS = np.abs(_RNG.normal(size=(2, 3))) + 0.3   # positive parameters
_LOC = _RNG.normal(size=(2, 3))
_DF = np.array([[0.7, 1.5, 2.5], [3.0, 5.0, 9.0]])   # df on both sides of 1 and 2
_VAL = _RNG.normal(size=(4, 2, 3))
_PVAL = np.abs(_VAL) + 0.05
_PROB = _RNG.uniform(0.05, 0.95, size=(4, 2, 3))
_CONC = np.abs(_RNG.normal(size=(2, 4))) + 0.4
_SIMPLEX = _RNG.dirichlet(np.ones(4), size=(3, 2))

# name, parameters, value for log_prob / cdf, whether cdf / icdf exist
_CASES = [
    ("Laplace", (_LOC, _POS), _VAL, True),
    ("Exponential", (_POS,), _PVAL, True),
    ("LogNormal", (_LOC, _POS), _PVAL, True),
    ("HalfNormal", (_POS,), _PVAL, True),
    ("Cauchy", (_LOC, _POS), _VAL, True),
    ("Gumbel", (_LOC, _POS), _VAL, True),
    ("StudentT", (_DF, _LOC, _POS), _VAL, False),
    ("Dirichlet", (_CONC,), _SIMPLEX, False),
    ("Chi2", (_POS * 3,), _PVAL, False),
    ("Weibull", (_POS, _POS + 0.5), _PVAL, True),
    ("Weibull", (_POS, _POS * 0.5), _PVAL, True),  # concentration < 1 somewhere: mode NaN
    ("Pareto", (_POS * 0.1, _POS * 2), _PVAL + 0.2, True),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, params, value, has_cdf", _CASES, ids=[c[0] for c in _CASES])
def test_continuous_match_torch(name, params, value, has_cdf):
    torch = pytest.importorskip("torch")
    ours_p = [_f64(p) for p in params]
    theirs_p = [torch.tensor(p, requires_grad=True) for p in params]
    ours, theirs = getattr(D, name)(*ours_p), getattr(torch.distributions, name)(*theirs_p)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    assert ours.has_rsample == theirs.has_rsample
    assert repr(ours).split("(")[0] == repr(theirs).split("(")[0]

    def check(f, what):
        a = f(getattr(D, name)(*ours_p), ag)
        t = f(getattr(torch.distributions, name)(*theirs_p), torch)
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=f"{name}.{what}")
        if not t.requires_grad:
            return
        for p in ours_p:
            p.grad = None
        for p in theirs_p:
            p.grad = None
        weights = np.random.default_rng(3).normal(size=tuple(t.shape))
        (a * ag.tensor(weights)).sum().backward()
        (t * torch.tensor(weights)).sum().backward()
        for pa, pt in zip(ours_p, theirs_p):
            ga = np.zeros(pa.shape) if pa.grad is None else pa.grad.numpy()
            gt = np.zeros(tuple(pt.shape)) if pt.grad is None else pt.grad.numpy()
            np.testing.assert_allclose(ga, gt, rtol=1e-8, atol=1e-12,
                                       err_msg=f"{name}.{what} gradient")

    check(lambda d, lib: d.log_prob(lib.tensor(value)), "log_prob")
    check(lambda d, lib: d.entropy(), "entropy")
    for prop in ("mean", "mode", "variance", "stddev"):
        a, t = getattr(ours, prop), getattr(theirs, prop)
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-12,
                                   err_msg=f"{name}.{prop}")
    if has_cdf:
        check(lambda d, lib: d.cdf(lib.tensor(value)), "cdf")
        check(lambda d, lib: d.icdf(lib.tensor(_PROB)), "icdf")
    wide = (5,) + tuple(theirs.batch_shape)
    e_ours, e_theirs = ours.expand(wide), theirs.expand(wide)
    assert tuple(e_ours.batch_shape) == tuple(e_theirs.batch_shape)
    assert tuple(e_ours.sample((3,)).shape) == tuple(e_theirs.sample((3,)).shape)
    assert tuple(ours.sample().shape) == tuple(theirs.sample().shape)


@pytest.mark.parametrize("name, params, value, has_cdf", _CASES, ids=[c[0] for c in _CASES])
def test_continuous_gradcheck(name, params, value, has_cdf):
    cls = getattr(D, name)
    v = _f64(value[:1], False)
    assert ag.gradcheck(lambda *ps: cls(*ps).log_prob(v), tuple(_f64(p) for p in params))
    assert ag.gradcheck(lambda *ps: cls(*ps).entropy(), tuple(_f64(p) for p in params))
    # implicit reparameterization (the gamma-based families) is not the derivative of a
    # fixed-seed rejection sampler: test_distributions_rsample checks those gradients
    if cls.has_rsample and name not in ("StudentT", "Dirichlet", "Chi2"):
        def draw(*ps):
            _ = ag.manual_seed(11)   # the same noise for every evaluation
            return cls(*ps).rsample((2,))
        assert ag.gradcheck(draw, tuple(_f64(p) for p in params))


def test_continuous_closed_forms():
    x = _f64([-1.0, 0.0, 2.0], False)
    lap = D.Laplace(0.5, 2.0)
    np.testing.assert_allclose(lap.log_prob(x).numpy(), -math.log(4) - np.abs(x.numpy() - 0.5) / 2)
    np.testing.assert_allclose(lap.cdf(ag.tensor(0.5)).item(), 0.5)
    np.testing.assert_allclose(lap.icdf(lap.cdf(x)).numpy(), x.numpy(), atol=1e-12)
    assert lap.variance.item() == 8.0 and lap.entropy().item() == pytest.approx(1 + math.log(4))
    ex = D.Exponential(_f64([2.0], False))
    np.testing.assert_allclose(ex.log_prob(x[1:]).numpy(), math.log(2) - 2 * x[1:].numpy())
    np.testing.assert_allclose(ex.cdf(ag.tensor([1.0], dtype=ag.float64)).numpy(), 1 - math.exp(-2))
    # LogNormal(0, 1) at e: N(1; 0, 1) / e
    ln = D.LogNormal(0.0, _f64(1.0, False))
    np.testing.assert_allclose(ln.log_prob(_f64([math.e], False)).numpy(),
                               -0.5 - 0.5 * math.log(2 * math.pi) - 1, rtol=1e-14)
    assert ln.mean.item() == pytest.approx(math.exp(0.5))
    assert ln.cdf(_f64([1.0], False)).item() == pytest.approx(0.5)
    hn = D.HalfNormal(_f64(2.0, False))
    np.testing.assert_allclose(hn.log_prob(_f64([1.0], False)).numpy(),
                               math.log(2) - 1 / 8 - math.log(2) - 0.5 * math.log(2 * math.pi))
    assert hn.mean.item() == pytest.approx(2 * math.sqrt(2 / math.pi))
    ca = D.Cauchy(1.0, _f64(2.0, False))
    assert ca.cdf(_f64(1.0, False)).item() == 0.5 and ca.cdf(_f64(3.0, False)).item() == 0.75
    assert math.isnan(ca.mean.item()) and ca.variance.item() == math.inf
    gu = D.Gumbel(1.0, _f64(2.0, False))
    assert gu.cdf(_f64(1.0, False)).item() == pytest.approx(math.exp(-1))
    assert gu.log_prob(_f64(1.0, False)).item() == pytest.approx(-math.log(2) - 1)
    # StudentT with one degree of freedom is the Cauchy distribution
    st = D.StudentT(1.0, 1.0, _f64(2.0, False))
    np.testing.assert_allclose(st.log_prob(x).numpy(), ca.log_prob(x).numpy(), rtol=1e-13)
    np.testing.assert_allclose(st.entropy().numpy(), ca.entropy().numpy(), rtol=1e-13)
    var = D.StudentT(_f64([0.5, 1.5, 4.0], False)).variance.numpy()
    assert math.isnan(var[0]) and var[1] == math.inf and var[2] == pytest.approx(2.0)
    # a flat Dirichlet over K categories has density (K-1)!; two categories give a Beta
    di = D.Dirichlet(ag.ones(4, dtype=ag.float64))
    assert di.log_prob(_f64([0.1, 0.2, 0.3, 0.4], False)).item() == pytest.approx(math.log(6))
    di2, be = D.Dirichlet(_f64([2.0, 3.0], False)), D.Beta(_f64(2.0, False), 3.0)
    assert di2.log_prob(_f64([0.3, 0.7], False)).item() == pytest.approx(
        be.log_prob(_f64(0.3, False)).item(), rel=1e-13)
    assert di2.entropy().item() == pytest.approx(be.entropy().item(), rel=1e-13)
    # all concentrations below 1: the density is unbounded at every vertex; PyTorch names the
    # first one (the argmax of its all-nan (c - 1).clamp(0) / sum)
    np.testing.assert_allclose(D.Dirichlet(_f64([0.5, 0.3, 0.9], False)).mode.numpy(), [1, 0, 0])
    np.testing.assert_allclose(D.Dirichlet(_f64([2.0, 3.0, 1.0], False)).mode.numpy(),
                               [1 / 3, 2 / 3, 0])
    assert di.event_shape == (4,) and di.sample((3,)).shape == (3, 4)
    np.testing.assert_allclose(di.sample((5,)).sum(-1).numpy(), np.ones(5), rtol=1e-12)
    # Chi2(2) is Exponential(1/2)
    c2 = D.Chi2(_f64([2.0], False))
    np.testing.assert_allclose(c2.log_prob(x[1:]).numpy(),
                               D.Exponential(_f64(0.5, False)).log_prob(x[1:]).numpy(), rtol=1e-13)
    assert c2.df.item() == 2.0 and repr(c2) == "Chi2()"
    assert isinstance(c2, D.Gamma) and isinstance(ln, D.TransformedDistribution)
    # dtype promotion: numbers follow a float64 tensor, alone they take the default dtype
    assert D.Laplace(0.0, _f64(1.0, False)).loc.dtype == ag.float64
    assert D.Gumbel(0.0, 1.0).sample().dtype == ag.float32


def test_weibull_pareto_closed_forms():
    x = _f64([0.5, 1.0, 3.0], False)
    # Weibull(scale 2, concentration 1) is Exponential(rate 1/2)
    w = D.Weibull(2.0, _f64(1.0, False))
    np.testing.assert_allclose(w.log_prob(x).numpy(), -math.log(2) - x.numpy() / 2, rtol=1e-14)
    np.testing.assert_allclose(w.cdf(x).numpy(), 1 - np.exp(-x.numpy() / 2), rtol=1e-14)
    assert w.mean.item() == pytest.approx(2.0) and w.variance.item() == pytest.approx(4.0)
    assert w.entropy().item() == pytest.approx(1 + math.log(2))
    # Pareto: alpha s^alpha / x^(alpha+1) on [s, inf); cdf 1 - (s/x)^alpha
    p = D.Pareto(_f64(0.5, False), 3.0)
    np.testing.assert_allclose(p.log_prob(x).numpy(),
                               math.log(3) + 3 * math.log(0.5) - 4 * np.log(x.numpy()),
                               rtol=1e-14)
    np.testing.assert_allclose(p.cdf(x).numpy(), 1 - (0.5 / x.numpy()) ** 3, rtol=1e-14)
    assert p.mean.item() == pytest.approx(0.75) and p.variance.item() == pytest.approx(0.1875)
    assert D.Pareto(1.0, 0.5).mean.item() == math.inf
    with pytest.raises(ValueError, match="to be within the support"):
        p.log_prob(_f64([0.25], False))
    with pytest.raises(ValueError, match="Expected parameter concentration"):
        D.Weibull(1.0, -1.0)


def test_continuous_errors():
    with pytest.raises(ValueError, match=r"Expected parameter scale \(Tensor of shape \(\)\) of "
                       r"distribution Laplace\(loc: 0.0, scale: -1.0\) to satisfy the constraint "
                       r"GreaterThan\(lower_bound=0.0\), but found invalid values:\n-1.0"):
        D.Laplace(0.0, -1.0)
    with pytest.raises(ValueError, match=r"within the support \(GreaterThanEq\(lower_bound=0.0\)\)"
                       r" of the distribution Exponential\(rate: 1.0\)"):
        D.Exponential(1.0).log_prob(ag.tensor([-1.0]))
    with pytest.raises(ValueError, match=r"support \(GreaterThan\(lower_bound=0.0\)\) of the "
                       r"distribution LogNormal\(\)"):
        D.LogNormal(0.0, 1.0).log_prob(ag.tensor([0.0]))
    with pytest.raises(ValueError, match=r"parameter df .* distribution StudentT"):
        D.StudentT(-1.0)
    with pytest.raises(ValueError, match="`concentration` parameter must be at least one-dim"):
        D.Dirichlet(ag.tensor(1.0))
    with pytest.raises(ValueError, match=r"IndependentConstraint\(GreaterThan\(lower_bound=0.0\)"
                       r", 1\)"):
        D.Dirichlet(ag.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"support \(Simplex\(\)\)"):
        D.Dirichlet(ag.ones(2)).log_prob(ag.tensor([0.5, 0.6]))
    assert D.Exponential(-1.0, validate_args=False).rate.item() == -1.0


@pytest.mark.parametrize("name, params", [
    ("Laplace", (1.0, 2.0)), ("Exponential", (2.0,)), ("LogNormal", (0.0, 0.5)),
    ("HalfNormal", (2.0,)), ("Gumbel", (1.0, 2.0)), ("StudentT", (6.0, 1.0, 2.0)),
    ("Chi2", (3.0,)), ("Dirichlet", ([1.0, 2.0, 3.0],)), ("Weibull", (2.0, 1.5)),
    ("Pareto", (1.0, 9.0)),
])
def test_sample_moments(name, params):
    # 40000 float64 draws with a fixed seed: the sample mean is within 5 standard errors of
    # the closed-form mean (all these have finite fourth moments except StudentT(6)'s, whose
    # variance still is finite: 5 standard errors hold with the fixed seed)
    _ = ag.manual_seed(5)
    d = getattr(D, name)(*[_f64(p, False) for p in params])
    x = d.sample((40000,)).numpy()
    mean, var = d.mean.numpy(), d.variance.numpy()
    assert x.dtype == np.float64
    np.testing.assert_array_less(np.abs(x.mean(0) - mean), 5 * np.sqrt(var / 40000))
    np.testing.assert_allclose(x.var(0), var, rtol=0.1)


# ---------------------------------------------------------------------------- discrete / relaxed

_P = _RNG.uniform(0.1, 0.9, size=(2, 3))
_PK = _RNG.dirichlet(np.ones(4), size=2)      # (2, 4) category probabilities
_ONEHOT = np.eye(4)[_RNG.integers(0, 4, size=(3, 2))]
_COUNTS = _RNG.integers(0, 6, size=(4, 2, 3)).astype(np.float64)
_MULTI = np.array([[[1.0, 2.0, 0.0, 2.0], [5.0, 0.0, 0.0, 0.0]], [[0.0, 1.0, 3.0, 1.0],
                                                                      [2.0, 1.0, 1.0, 1.0]]])
_RELAXED = _RNG.uniform(0.05, 0.95, size=(4, 2, 3))
_RELAXED_K = _RNG.dirichlet(np.ones(4), size=(3, 2))

# name, positional arguments (numbers kept, arrays become float64 tensors), keyword
# parameter ("probs"/"logits", array), value, what to compare
_DISCRETE = [
    ("OneHotCategorical", (), ("probs", _PK), _ONEHOT, "entropy mean mode variance"),
    ("OneHotCategorical", (), ("logits", np.log(_PK) + 1.0), _ONEHOT, "entropy mean mode variance"),
    ("OneHotCategoricalStraightThrough", (), ("probs", _PK), _ONEHOT, "entropy mean"),
    ("Poisson", (_P * 5,), None, _COUNTS, "mean mode variance"),
    ("Binomial", (5,), ("probs", _P), _COUNTS, "entropy mean mode variance"),
    ("Binomial", (np.full((2, 3), 5.0),), ("logits", _P - 0.5), _COUNTS, "mean mode variance"),
    ("Multinomial", (5,), ("probs", _PK), _MULTI, "entropy mean variance"),
    ("Geometric", (), ("probs", _P), _COUNTS, "entropy mean mode variance"),
    ("Geometric", (), ("logits", _P - 0.5), _COUNTS, "entropy mean mode variance"),
    ("NegativeBinomial", (_P * 6 + 0.2,), ("probs", _P), _COUNTS, "mean mode variance"),
    ("NegativeBinomial", (np.array(3.0),), ("logits", _P - 0.5), _COUNTS, "mean mode variance"),
    ("RelaxedBernoulli", (np.array(0.7),), ("probs", _P), _RELAXED, ""),
    ("RelaxedBernoulli", (np.array(0.7),), ("logits", _P - 0.5), _RELAXED, ""),
    ("RelaxedOneHotCategorical", (np.array(0.6),), ("probs", _PK), _RELAXED_K, ""),
    ("RelaxedOneHotCategorical", (np.array(1.3),), ("logits", np.log(_PK)), _RELAXED_K, ""),
]


def _build(lib, name, args, kw, grad=True):
    torch_like = lib is not ag
    make = ((lambda a: lib.tensor(a, requires_grad=grad, dtype=lib.float64)) if torch_like
            else (lambda a: _f64(a, grad)))
    pos = [make(a) if isinstance(a, np.ndarray) else a for a in args]
    kws = {} if kw is None else {kw[0]: make(kw[1])}
    module = lib.distributions if torch_like else D
    return getattr(module, name)(*pos, **kws), [p for p in pos + list(kws.values())
                                                if hasattr(p, "requires_grad")]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, args, kw, value, props", _DISCRETE,
                         ids=[f"{c[0]}-{c[2][0] if c[2] else ''}" for c in _DISCRETE])
def test_discrete_match_torch(name, args, kw, value, props):
    torch = pytest.importorskip("torch")
    theirs, tp = _build(torch, name, args, kw)
    ours, op = _build(ag, name, args, kw)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    assert ours.has_rsample == theirs.has_rsample
    assert repr(ours).split("(")[0] == repr(theirs).split("(")[0]
    fns = [("log_prob", lambda d, lib: d.log_prob(lib.tensor(value)))]
    fns += [(p, lambda d, lib, p=p: (d.entropy() if p == "entropy" else getattr(d, p)))
            for p in props.split()]
    for what, f in fns:
        theirs, tp = _build(torch, name, args, kw)
        ours, op = _build(ag, name, args, kw)
        a, t = f(ours, ag), f(theirs, torch)
        # PyTorch's Multinomial.entropy takes lgamma(n + 1) of an int64 tensor: float32, 1e-8
        # off; ours is float64
        rtol = 1e-7 if (name, what) == ("Multinomial", "entropy") else 1e-10
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=rtol,
                                   atol=1e-12, err_msg=f"{name}.{what}")
        if t.requires_grad:
            w = np.random.default_rng(3).normal(size=tuple(t.shape))
            (a * ag.tensor(w)).sum().backward()
            (t * torch.tensor(w)).sum().backward()
            for pa, pt in zip(op, tp):
                ga = np.zeros(pa.shape) if pa.grad is None else pa.grad.numpy()
                gt = np.zeros(tuple(pt.shape)) if pt.grad is None else pt.grad.numpy()
                np.testing.assert_allclose(ga, gt, rtol=1e-8, atol=1e-12,
                                           err_msg=f"{name}.{what} gradient")
    wide = (5,) + tuple(theirs.batch_shape)
    e_ours, e_theirs = ours.expand(wide), theirs.expand(wide)
    assert tuple(e_ours.batch_shape) == tuple(e_theirs.batch_shape)
    assert tuple(e_ours.sample((3,)).shape) == tuple(e_theirs.sample((3,)).shape)
    assert ours.sample().dtype == ag.float64


def test_discrete_closed_forms():
    # OneHotCategorical is Categorical on the index of the 1
    p = _f64([0.1, 0.2, 0.7], False)
    oh = D.OneHotCategorical(probs=p)
    assert oh.log_prob(_f64([0.0, 0.0, 1.0], False)).item() == pytest.approx(math.log(0.7))
    assert oh.enumerate_support().shape == (3, 3) and oh.sample((4,)).shape == (4, 3)
    np.testing.assert_allclose(oh.sample((6,)).sum(-1).numpy(), np.ones(6))
    # straight-through: the gradient of sum(w * x) reaching probs is w (through the normaliser)
    pp = _f64([0.0, 1.0])
    x = D.OneHotCategoricalStraightThrough(probs=pp).rsample()
    np.testing.assert_allclose(x.detach().numpy(), [0.0, 1.0])
    (x * ag.tensor([2.0, 5.0], dtype=ag.float64)).sum().backward()
    np.testing.assert_allclose(pp.grad.numpy(), [2.0 - 5.0, 0.0], atol=1e-12)
    # Poisson pmf e^-r r^k / k!
    assert D.Poisson(_f64(3.0, False)).log_prob(_f64(2.0, False)).item() == pytest.approx(
        -3 + 2 * math.log(3) - math.log(2))
    # Binomial: C(5, 2) 0.3^2 0.7^3; its entropy sums the pmf
    bi = D.Binomial(5, _f64([0.3], False))
    assert bi.log_prob(_f64([2.0], False)).exp().item() == pytest.approx(10 * 0.09 * 0.343)
    pmf = np.array([math.comb(5, k) * 0.3 ** k * 0.7 ** (5 - k) for k in range(6)])
    assert bi.entropy().item() == pytest.approx(-(pmf * np.log(pmf)).sum(), rel=1e-12)
    assert bi.enumerate_support().shape == (6, 1)
    with pytest.raises(NotImplementedError, match="Inhomogeneous total count not supported by "
                       "`entropy`"):
        D.Binomial(ag.tensor([2.0, 3.0]), ag.tensor([0.5, 0.5])).entropy()
    # Multinomial: 5! / (2! 1! 2!) 0.2^2 0.3 0.5^2
    mu = D.Multinomial(5, _f64([0.2, 0.3, 0.5], False))
    assert mu.log_prob(_f64([2.0, 1.0, 2.0], False)).exp().item() == pytest.approx(
        30 * 0.04 * 0.3 * 0.25)
    np.testing.assert_allclose(mu.sample((7,)).sum(-1).numpy(), np.full(7, 5.0))
    # a category of logit -inf never drawn costs nothing (0 * -inf counted as 0)
    m0 = D.Multinomial(2, logits=ag.tensor([-math.inf, 0.0]))
    assert m0.log_prob(ag.tensor([0.0, 2.0])).item() == 0.0
    # Geometric pmf (1 - p)^k p and its entropy -((1-p) log(1-p) + p log p) / p
    ge = D.Geometric(_f64(0.25, False))
    assert ge.log_prob(_f64(3.0, False)).exp().item() == pytest.approx(0.75 ** 3 * 0.25)
    assert ge.entropy().item() == pytest.approx(
        -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / 0.25)
    assert D.Geometric(_f64(1.0, False)).log_prob(_f64(0.0, False)).item() == 0.0
    # RelaxedBernoulli density: t a (x (1-x))^(-t-1) / (a x^-t + (1-x)^-t)^2, a = p / (1 - p)
    t, p_, v = 0.7, 0.3, 0.4
    a_ = p_ / (1 - p_)
    dens = t * a_ * (v * (1 - v)) ** (-t - 1) / (a_ * v ** -t + (1 - v) ** -t) ** 2
    rb = D.RelaxedBernoulli(_f64(t, False), probs=_f64(p_, False))
    assert rb.log_prob(_f64(v, False)).item() == pytest.approx(math.log(dens), rel=1e-12)
    # RelaxedOneHotCategorical with K = 2 is the RelaxedBernoulli of the second category
    ro = D.RelaxedOneHotCategorical(_f64(t, False), probs=_f64([1 - p_, p_], False))
    # densities on the simplex vs on [0, 1]: the same up to the chart, which has Jacobian 1
    assert ro.log_prob(_f64([1 - v, v], False)).item() == pytest.approx(math.log(dens), rel=1e-12)
    _ = ag.manual_seed(0)
    draws = ro.rsample((1000,))
    assert draws.shape == (1000, 2)
    np.testing.assert_allclose(draws.sum(-1).numpy(), np.ones(1000), rtol=1e-12)


def test_discrete_errors():
    with pytest.raises(ValueError, match=r"support \(OneHot\(\)\) of the distribution "
                       r"OneHotCategorical\(\)"):
        D.OneHotCategorical(ag.tensor([0.3, 0.7])).log_prob(ag.tensor([1.0, 1.0]))
    with pytest.raises(ValueError, match=r"support \(IntegerGreaterThan\(lower_bound=0\)\) of "
                       r"the distribution Poisson\(rate: tensor\(\[1.\]\)\)"):
        D.Poisson(ag.tensor([1.0])).log_prob(ag.tensor([1.5]))
    with pytest.raises(ValueError, match=r"support \(IntegerInterval\(lower_bound=0, "
                       r"upper_bound=tensor\(\[10.\]\)\)\) of the distribution Binomial\("
                       r"total_count: tensor\(\[10.\]\), probs: tensor\(\[0.3000\]\)\)"):
        D.Binomial(10, ag.tensor([0.3])).log_prob(ag.tensor([11.0]))
    with pytest.raises(ValueError, match=r"parameter total_count .* IntegerGreaterThan"):
        D.Binomial(ag.tensor([2.5]), ag.tensor([0.3]))
    with pytest.raises(ValueError, match=r"support \(Multinomial\(\)\) of the distribution "
                       r"Multinomial\(\)"):
        D.Multinomial(5, ag.tensor([0.3, 0.7])).log_prob(ag.tensor([3.0, 3.0]))
    with pytest.raises(ValueError, match=r"Expected parameter probs \(Tensor of shape \(2,\)\) "
                       r"of distribution Geometric\(probs: autograd_core.Size\(\[2\]\)\) to be "
                       r"positive but found invalid values:\ntensor\(\[0.\]\)"):
        D.Geometric(ag.tensor([0.0, 0.5]))
    with pytest.raises(ValueError, match=r"support \(Interval\(lower_bound=0.0, upper_bound="
                       r"1.0\)\) of the distribution RelaxedBernoulli\(\)"):
        D.RelaxedBernoulli(ag.tensor(0.5), ag.tensor([0.3])).log_prob(ag.tensor([1.5]))
    with pytest.raises(ValueError, match=r"support \(Simplex\(\)\) of the distribution "
                       r"RelaxedOneHotCategorical\(\)"):
        D.RelaxedOneHotCategorical(ag.tensor(0.5), ag.tensor([0.3, 0.7])).log_prob(
            ag.tensor([0.5, 0.6]))
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
        D.Geometric()


@pytest.mark.parametrize("name, args", [
    ("Poisson", (3.5,)), ("Binomial", (7.0, 0.3)), ("Geometric", (0.3,)),
])
def test_discrete_sample_moments(name, args):
    # 40000 draws, fixed seed: the mean within 5 standard errors, the variance within 10%
    _ = ag.manual_seed(5)
    d = getattr(D, name)(*[_f64(a, False) for a in args])
    x = d.sample((40000,)).numpy()
    assert np.all(x == np.floor(x)) and np.all(x >= 0)
    assert abs(x.mean() - d.mean.item()) < 5 * math.sqrt(d.variance.item() / 40000)
    assert x.var() == pytest.approx(d.variance.item(), rel=0.1)


def test_relaxed_rsample_gradcheck():
    def rb(logits):
        _ = ag.manual_seed(3)
        return D.RelaxedBernoulli(_f64(0.7, False), logits=logits).rsample((2,))

    def ro(logits):
        _ = ag.manual_seed(3)
        return D.RelaxedOneHotCategorical(_f64(0.7, False), logits=logits).rsample((2,))
    assert ag.gradcheck(rb, (_f64([0.3, -1.0]),))
    assert ag.gradcheck(ro, (_f64([[0.3, -1.0, 0.5]]),))
    assert ag.gradcheck(lambda p: D.Binomial(4, p).log_prob(_f64([1.0, 3.0], False)),
                        (_f64([0.3, 0.6]),))
    assert ag.gradcheck(lambda p: D.Multinomial(4, p).entropy(), (_f64([0.3, 0.6, 0.1]),))


# ---------------------------------------------------------------------------- kl_divergence

_A, _B = np.array([0.3, 1.5, 2.5]), np.array([1.2, 0.6, 3.0])
_M, _N = np.array([-0.4, 0.2, 1.0]), np.array([0.5, -1.0, 0.1])
_KL_CASES = [
    (("Laplace", _M, _A), ("Laplace", _N, _B)),
    (("Exponential", _A), ("Exponential", _B)),
    (("Gumbel", _M, _A), ("Gumbel", _N, _B)),
    (("HalfNormal", _A), ("HalfNormal", _B)),
    (("Cauchy", _M, _A), ("Cauchy", _N, _B)),
    (("Dirichlet", _PK), ("Dirichlet", _PK[::-1] * 3)),
    (("Poisson", _A), ("Poisson", _B)),
    (("Geometric", _P[0]), ("Geometric", _P[1])),
    (("LogNormal", _M, _A), ("LogNormal", _N, _B)),
    (("Chi2", _A * 3), ("Chi2", _B * 3)),
    (("Bernoulli", _P[0]), ("Poisson", _B)),
    (("Beta", _A, _B), ("Exponential", _A)),
    (("Exponential", _A), ("Gamma", _B, _A)),
    (("Exponential", _A), ("Gumbel", _M, _B)),
    (("Exponential", _A), ("Normal", _M, _B)),
    (("Gamma", _B, _A), ("Exponential", _A)),
    (("Gamma", _B, _A), ("Gumbel", _M, _B)),
    (("Gumbel", _M, _A), ("Normal", _N, _B)),
    (("Laplace", _M, _A), ("Normal", _N, _B)),
    (("Normal", _M, _A), ("Gumbel", _N, _B)),
    (("Normal", _M, _A), ("Laplace", _N, _B)),
    (("Uniform", _A, _A + _B), ("Exponential", _B)),
    (("Uniform", _M, _M + _B), ("Exponential", _B)),   # low < 0 somewhere: inf there
    (("Uniform", _M, _M + _A), ("Gumbel", _N, _B)),
    (("Gumbel", _M, _A), ("Uniform", _M, _M + _A)),
    (("Normal", _M, _A), ("Exponential", _B)),
    (("Beta", _A, _B), ("Gamma", _B, _A)),
    (("Beta", _A, _B), ("Normal", _M, _B)),
    (("Beta", _A, _B), ("Uniform", np.array([0.0, -0.5, 0.1]), np.array([1.0, 2.0, 1.0]))),
    (("Gamma", _B, _A), ("Normal", _M, _B)),
    (("Uniform", np.array([0.0, 0.2, -0.1]), np.array([1.0, 0.7, 0.5])), ("Beta", _A, _B)),
    (("Uniform", np.array([0.0, 0.2, -0.1]), np.array([1.0, 0.7, 0.5])), ("Gamma", _A, _B)),
    (("Uniform", _M, _M + _A), ("Normal", _N, _B)),
    (("Gamma", _B, _A), ("Uniform", _M, _M + _A)),
    (("Normal", _M, _A), ("Beta", _A, _B)),
]


def _kl_build(lib, spec, grad):
    name, *params = spec
    torch_like = lib is not ag
    made = [lib.tensor(p, dtype=lib.float64, requires_grad=grad) if torch_like
            else _f64(p, grad) for p in params]
    module = lib.distributions if torch_like else D
    return getattr(module, name)(*made), made


@pytest.mark.torch_parity
@pytest.mark.parametrize("p_spec, q_spec", _KL_CASES,
                         ids=[f"{p[0]}-{q[0]}" for p, q in _KL_CASES])
def test_kl_pairs_match_torch(p_spec, q_spec):
    torch = pytest.importorskip("torch")
    pt, pt_params = _kl_build(torch, p_spec, True)
    qt, qt_params = _kl_build(torch, q_spec, True)
    pa, pa_params = _kl_build(ag, p_spec, True)
    qa, qa_params = _kl_build(ag, q_spec, True)
    t = torch.distributions.kl_divergence(pt, qt)
    a = D.kl_divergence(pa, qa)
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)
    finite = np.isfinite(t.detach().numpy())
    if not finite.any() or not t.requires_grad:
        return
    w = np.where(finite, np.random.default_rng(1).normal(size=finite.shape), 0.0)
    (_ag_where(a, finite) * ag.tensor(w)).sum().backward()
    (torch.where(torch.tensor(finite), t, 0.0) * torch.tensor(w)).sum().backward()
    for x, y in zip(pa_params + qa_params, pt_params + qt_params):
        gx = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        gy = np.zeros(tuple(y.shape)) if y.grad is None else y.grad.numpy()
        np.testing.assert_allclose(gx, gy, rtol=1e-8, atol=1e-12)


def _ag_where(a, mask):
    return ag.where(ag.tensor(mask), a, 0.0)


def test_kl_closed_forms():
    # KL(Exp(a) || Exp(b)) = log(a / b) + b / a - 1
    a, b = 2.0, 0.5
    kl = D.kl_divergence(D.Exponential(_f64(a, False)), D.Exponential(_f64(b, False)))
    assert kl.item() == pytest.approx(math.log(a / b) + b / a - 1, rel=1e-13)
    # KL(Poisson(a) || Poisson(b)) = a log(a / b) - a + b
    kl = D.kl_divergence(D.Poisson(_f64(a, False)), D.Poisson(_f64(b, False)))
    assert kl.item() == pytest.approx(a * math.log(a / b) - a + b, rel=1e-13)
    # LogNormal pair: the Normal pair of the logs (the transforms compare equal)
    kl = D.kl_divergence(D.LogNormal(0.0, _f64(1.0, False)), D.LogNormal(1.0, _f64(2.0, False)))
    want = math.log(2) + (1 + 1) / 8 - 0.5
    assert kl.item() == pytest.approx(want, rel=1e-13)
    # identical distributions: 0
    for d in (D.Laplace(0.3, 1.2), D.Gumbel(0.3, 1.2), D.Cauchy(0.3, 1.2),
              D.Dirichlet(ag.tensor([0.5, 2.0])), D.Geometric(ag.tensor(0.3)),
              D.Binomial(4, ag.tensor(0.3))):
        assert abs(D.kl_divergence(d, d).item()) < 1e-6
    # Binomial: more trials in p than in q is inf, fewer is PyTorch's NotImplementedError
    kl = D.kl_divergence(D.Binomial(ag.tensor([3.0, 4.0]), ag.tensor([0.5, 0.5])),
                         D.Binomial(3, ag.tensor([0.4, 0.4])))
    assert math.isfinite(kl[0].item()) and kl[1].item() == math.inf
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        D.kl_divergence(D.Binomial(2, ag.tensor(0.5)), D.Binomial(3, ag.tensor(0.5)))
    with pytest.raises(NotImplementedError):   # different transforms
        D.kl_divergence(D.TransformedDistribution(D.Normal(0.0, 1.0), [D.ExpTransform()]),
                        D.TransformedDistribution(D.Normal(0.0, 1.0), [D.TanhTransform()]))
    assert D.TanhTransform() == D.TanhTransform() and D.AffineTransform(0.0, 2.0) != \
        D.AffineTransform(0.0, 3.0)
    # KL(OneHot || OneHot) is the Categorical one
    p, q = ag.tensor([0.2, 0.8]), ag.tensor([0.5, 0.5])
    assert D.kl_divergence(D.OneHotCategorical(p), D.OneHotCategorical(q)).item() == \
        pytest.approx(0.2 * math.log(0.4) + 0.8 * math.log(1.6), rel=1e-6)


# ---------------------------------------------------------------------------- MixtureSameFamily

def _gmm(lib, module, w, mu, sd, grad=True):
    ps = [lib.tensor(a, dtype=lib.float64, requires_grad=grad) for a in (w, mu, sd)]
    return module.MixtureSameFamily(module.Categorical(logits=ps[0]),
                                    module.Normal(ps[1], ps[2])), ps


@pytest.mark.torch_parity
def test_mixture_same_family_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w, mu = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    sd = np.abs(rng.normal(size=(3, 4))) + 0.3
    x = rng.normal(size=(5, 3))
    for what in ("log_prob", "cdf", "mean", "variance"):
        a, pa = _gmm(ag, D, w, mu, sd)
        t, pt = _gmm(torch, torch.distributions, w, mu, sd)
        if what in ("log_prob", "cdf"):
            ra, rt = getattr(a, what)(ag.tensor(x)), getattr(t, what)(torch.tensor(x))
        else:
            ra, rt = getattr(a, what), getattr(t, what)
        np.testing.assert_allclose(ra.detach().numpy(), rt.detach().numpy(), rtol=1e-12)
        ra.sum().backward()
        rt.sum().backward()
        for u, v in zip(pa, pt):
            gu = np.zeros(u.shape) if u.grad is None else u.grad.numpy()
            gv = np.zeros(tuple(v.shape)) if v.grad is None else v.grad.numpy()
            np.testing.assert_allclose(gu, gv, rtol=1e-10, atol=1e-14)
    a, _ = _gmm(ag, D, w, mu, sd, False)
    t, _ = _gmm(torch, torch.distributions, w, mu, sd, False)
    assert tuple(a.batch_shape) == tuple(t.batch_shape) == (3,)
    assert tuple(a.sample((2,)).shape) == tuple(t.sample((2,)).shape)
    assert tuple(a.expand((2, 3)).sample().shape) == tuple(t.expand((2, 3)).sample().shape)
    # vector components: a mixture of diagonal Gaussians
    mu2, sd2 = rng.normal(size=(4, 2)), np.abs(rng.normal(size=(4, 2))) + 0.3
    y = rng.normal(size=(6, 2))
    a = D.MixtureSameFamily(D.Categorical(probs=ag.tensor(np.full(4, 0.25))),
                            D.Independent(D.Normal(ag.tensor(mu2), ag.tensor(sd2)), 1))
    T = torch.distributions
    t = T.MixtureSameFamily(T.Categorical(probs=torch.tensor(np.full(4, 0.25))),
                            T.Independent(T.Normal(torch.tensor(mu2), torch.tensor(sd2)), 1))
    np.testing.assert_allclose(a.log_prob(ag.tensor(y)).numpy(),
                               t.log_prob(torch.tensor(y)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.variance.numpy(), t.variance.numpy(), rtol=1e-12)
    assert tuple(a.event_shape) == (2,) and tuple(a.sample((3,)).shape) == (3, 2)


def test_mixture_same_family_closed_forms_and_errors():
    mix = D.Categorical(probs=_f64([0.5, 0.5], False))
    gmm = D.MixtureSameFamily(mix, D.Normal(_f64([-1.0, 1.0], False), 1.0))
    # symmetric: the density at 0 is N(0; 1, 1); mean 0; variance 1 + 1
    assert gmm.log_prob(_f64(0.0, False)).item() == pytest.approx(-0.5 - 0.5 * math.log(2 * math.pi))
    assert gmm.mean.item() == 0.0 and gmm.variance.item() == pytest.approx(2.0)
    assert gmm.cdf(_f64(0.0, False)).item() == pytest.approx(0.5)
    assert ag.gradcheck(
        lambda w, m, s: D.MixtureSameFamily(D.Categorical(logits=w), D.Normal(m, s)).log_prob(
            _f64([0.3, -2.0], False).unsqueeze(-1)),
        (_f64([0.2, -0.4, 1.0]), _f64([-1.0, 0.5, 2.0]), _f64([0.7, 1.1, 0.5])))
    # two far-apart components with weights 0.2 / 0.8: the sample mean is 0.2 * -10 + 0.8 * 10
    far = D.MixtureSameFamily(D.Categorical(probs=_f64([0.2, 0.8], False)),
                              D.Normal(_f64([-10.0, 10.0], False), 0.1))
    _ = ag.manual_seed(0)
    x = far.sample((20000,)).numpy()
    # the share drawn from the right component is Binomial(20000, 0.8): 5 sd = 0.014
    assert abs((x > 0).mean() - 0.8) < 0.015
    with pytest.raises(ValueError, match="needs to be an  instance of torch.distributions.Categ"):
        D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(ag.zeros(2), 1.0))
    with pytest.raises(ValueError, match="need to be an instance of torch.distributions.Distrib"):
        D.MixtureSameFamily(mix, "normal")
    with pytest.raises(ValueError, match=r"`mixture_distribution component` \(2\) does not "
                       r"equal `component_distribution.batch_shape\[-1\]` \(3\)"):
        D.MixtureSameFamily(mix, D.Normal(ag.zeros(3), 1.0))


# ---------------------------------------------------------------------------- LowRankMultivariateNormal

_LR = (np.random.default_rng(0).normal(size=(2, 3)), np.random.default_rng(1).normal(size=(2, 3, 2)),
       np.abs(np.random.default_rng(2).normal(size=(3,))) + 0.5)


@pytest.mark.torch_parity
def test_lowrank_mvn_matches_torch():
    torch = pytest.importorskip("torch")
    T = torch.distributions
    x = np.random.default_rng(3).normal(size=(4, 2, 3))

    def make(lib, module):
        ps = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in _LR]
        return module.LowRankMultivariateNormal(*ps), ps
    for what in ("log_prob", "entropy", "variance", "covariance_matrix", "precision_matrix",
                 "scale_tril"):
        (a, pa), (t, pt) = make(ag, D), make(torch, T)
        if what in ("log_prob", "entropy"):
            ra = a.log_prob(ag.tensor(x)) if what == "log_prob" else a.entropy()
            rt = t.log_prob(torch.tensor(x)) if what == "log_prob" else t.entropy()
        else:
            ra, rt = getattr(a, what), getattr(t, what)
        np.testing.assert_allclose(ra.detach().numpy(), rt.detach().numpy(), rtol=1e-11,
                                   atol=1e-13)
        ra.sum().backward()
        rt.sum().backward()
        for u, v in zip(pa, pt):
            gu = np.zeros(u.shape) if u.grad is None else u.grad.numpy()
            gv = np.zeros(tuple(v.shape)) if v.grad is None else v.grad.numpy()
            np.testing.assert_allclose(gu, gv, rtol=1e-10, atol=1e-13)
    (a, _), (t, _) = make(ag, D), make(torch, T)
    assert tuple(a.rsample((5,)).shape) == tuple(t.rsample((5,)).shape)
    assert tuple(a.expand((4, 2)).batch_shape) == tuple(t.expand((4, 2)).batch_shape)
    rng = np.random.default_rng(4)
    q_args = (rng.normal(size=(3,)), rng.normal(size=(3, 1)), np.abs(rng.normal(size=(3,))) + 0.2)
    cov = np.eye(3) * 2 + 0.3
    qa = D.LowRankMultivariateNormal(*[ag.tensor(v) for v in q_args])
    qt = T.LowRankMultivariateNormal(*[torch.tensor(v) for v in q_args])
    ma = D.MultivariateNormal(ag.tensor(q_args[0]), ag.tensor(cov))
    mt = T.MultivariateNormal(torch.tensor(q_args[0]), torch.tensor(cov))
    for ours, theirs in [((a, qa), (t, qt)), ((a, ma), (t, mt)), ((ma, a), (mt, t))]:
        np.testing.assert_allclose(D.kl_divergence(*ours).detach().numpy(),
                                   T.kl_divergence(*theirs).detach().numpy(), rtol=1e-11)


def test_lowrank_mvn_closed_forms_and_errors():
    loc, w, d = _f64(_LR[0], False), _f64(_LR[1], False), _f64(_LR[2], False)
    lr = D.LowRankMultivariateNormal(loc, w, d)
    cov = _LR[1] @ np.swapaxes(_LR[1], -1, -2) + np.diag(_LR[2])
    full = D.MultivariateNormal(loc, _f64(cov, False))
    x = _f64(np.random.default_rng(5).normal(size=(4, 2, 3)), False)
    np.testing.assert_allclose(lr.log_prob(x).numpy(), full.log_prob(x).numpy(), rtol=1e-12)
    np.testing.assert_allclose(lr.entropy().numpy(), full.entropy().numpy(), rtol=1e-12)
    np.testing.assert_allclose(lr.covariance_matrix.numpy(), cov, rtol=1e-14)
    np.testing.assert_allclose(lr.variance.numpy(), np.diagonal(cov, axis1=-2, axis2=-1))

    def draw(loc, w, d):
        _ = ag.manual_seed(2)
        return D.LowRankMultivariateNormal(loc, w, d).rsample((2,))
    assert ag.gradcheck(draw, (_f64(_LR[0]), _f64(_LR[1]), _f64(_LR[2])))
    assert ag.gradcheck(lambda loc, w, d: D.LowRankMultivariateNormal(loc, w, d).log_prob(x),
                        (_f64(_LR[0]), _f64(_LR[1]), _f64(_LR[2])))
    with pytest.raises(ValueError, match="loc must be at least one-dimensional."):
        D.LowRankMultivariateNormal(ag.tensor(0.0), ag.ones(1, 1), ag.ones(1))
    with pytest.raises(ValueError, match="cov_factor must be a batch of matrices with shape 3 x m"):
        D.LowRankMultivariateNormal(ag.zeros(3), ag.ones(2, 1), ag.ones(3))
    with pytest.raises(ValueError, match=r"cov_diag must be a batch of vectors with shape"):
        D.LowRankMultivariateNormal(ag.zeros(3), ag.ones(3, 1), ag.ones(2))
    with pytest.raises(ValueError, match=r"Incompatible batch shapes"):
        D.LowRankMultivariateNormal(ag.zeros(2, 3), ag.ones(3, 3, 1), ag.ones(3))
    two = D.LowRankMultivariateNormal(ag.zeros(2), ag.ones(2, 1), ag.ones(2))
    three = D.LowRankMultivariateNormal(ag.zeros(3), ag.ones(3, 1), ag.ones(3))
    with pytest.raises(ValueError, match="between two Low Rank Multivariate Normals with diff"):
        D.kl_divergence(two, three)
    with pytest.raises(ValueError, match=r"between two \(Low Rank\) Multivariate Normals"):
        D.kl_divergence(D.MultivariateNormal(ag.zeros(3), ag.eye(3)), two)
    with pytest.raises(ValueError, match=r"parameter cov_diag .* IndependentConstraint\("
                       r"GreaterThan\(lower_bound=0.0\), 1\)"):
        D.LowRankMultivariateNormal(ag.zeros(3), ag.ones(3, 1), -ag.ones(3))


def test_independent_expand_and_mixture_of_it():
    ind = D.Independent(D.Normal(ag.zeros(3, 2, dtype=ag.float64), 1.0), 1)
    wide = ind.expand((4, 3))
    assert wide.batch_shape == (4, 3) and wide.event_shape == (2,)
    assert wide.sample().shape == (4, 3, 2)
    # log N(0; 0, I_2) = -log(2 pi), for each of the 12
    np.testing.assert_allclose(wide.log_prob(ag.zeros(2, dtype=ag.float64)).numpy(),
                               np.full((4, 3), -math.log(2 * math.pi)), rtol=1e-14)
    gmm = D.MixtureSameFamily(D.Categorical(logits=ag.zeros(3, dtype=ag.float64)), ind)
    assert gmm.expand((5,)).sample((2,)).shape == (2, 5, 2)


def test_value_reading_paths_refuse_capture_and_unchecked_ones_compile():
    # Binomial.entropy sizes its support from total_count's values: ag.compile runs it eagerly
    with pytest.raises(ag.CompileFallback, match=r"Binomial.entropy"):
        ag.compile(lambda p: D.Binomial(3, p, validate_args=False).entropy(),
                   strict=True)(ag.tensor([0.3, 0.6]))
    with pytest.raises(ag.CompileFallback, match=r"Laplace\(validate_args=True\)"):
        ag.compile(lambda s: D.Laplace(0.0, s).log_prob(ag.zeros(2)), strict=True)(ag.ones(2))
    # validate_args=False log_prob / kl steps are captured and replay the eager numbers
    def step(s):
        p = D.Laplace(0.0, s, validate_args=False)
        q = D.Normal(0.5, 2.0, validate_args=False)
        return p.log_prob(ag.tensor([0.3, -1.0])).sum() + D.kl_divergence(p, q).sum()
    s = ag.tensor([0.7, 1.3])
    eager = step(s).item()
    compiled = ag.compile(step, strict=True)
    for _ in range(3):
        assert compiled(s).item() == eager


@pytest.mark.torch_parity
def test_constraints_match_torch():
    torch = pytest.importorskip("torch")
    tc = torch.distributions.constraints
    x = np.array([[-1.0, 0.0, 0.5, 1.0], [2.0, 0.25, 0.25, 0.5]])
    for name in ("real", "positive", "nonnegative", "unit_interval", "nonnegative_integer",
                 "positive_integer", "boolean", "simplex", "real_vector", "one_hot"):
        ours, theirs = getattr(D.constraints, name), getattr(tc, name)
        assert repr(ours) == repr(theirs), name
        np.testing.assert_array_equal(ours.check(ag.tensor(x)).numpy(),
                                      theirs.check(torch.tensor(x)).numpy(), err_msg=name)
        assert (ours.event_dim, ours.is_discrete) == (theirs.event_dim, theirs.is_discrete)
    for ours, theirs in [(D.constraints.interval(0.0, 1.5), tc.interval(0.0, 1.5)),
                         (D.constraints.greater_than(0.5), tc.greater_than(0.5)),
                         (D.constraints.integer_interval(0, 1), tc.integer_interval(0, 1)),
                         (D.constraints.independent(D.constraints.positive, 1),
                          tc.independent(tc.positive, 1))]:
        assert repr(ours) == repr(theirs)
        np.testing.assert_array_equal(ours.check(ag.tensor(x)).numpy(),
                                      theirs.check(torch.tensor(x)).numpy())
    assert D.Normal.arg_constraints["scale"] is D.constraints.positive
    assert repr(D.Dirichlet.support) == repr(torch.distributions.Dirichlet.support)
    c = D.Categorical(logits=ag.zeros(2, 3))
    tcat = torch.distributions.Categorical(logits=torch.zeros(2, 3))
    for prop in ("mean", "variance"):
        np.testing.assert_array_equal(getattr(c, prop).numpy(), getattr(tcat, prop).numpy())
    np.testing.assert_array_equal(c.enumerate_support().numpy(), tcat.enumerate_support().numpy())
    assert tuple(c.enumerate_support(False).shape) == tuple(tcat.enumerate_support(False).shape)


def _custom_exponential(module):
    class Expo(module.Distribution):
        arg_constraints = {"rate": module.constraints.positive}
        support = module.constraints.nonnegative

        def __init__(self, rate, validate_args=None):
            self.rate = rate
            super().__init__(rate.shape, validate_args=validate_args)

        def log_prob(self, value):
            if self._validate_args:
                self._validate_sample(value)
            return self.rate.log() - self.rate * value
    return Expo


@pytest.mark.torch_parity
def test_user_subclass_checks_as_torch():
    torch = pytest.importorskip("torch")
    outcomes = []
    for lib, module in ((torch, torch.distributions), (ag, D)):
        expo = _custom_exponential(module)
        row = []
        for f in (lambda: expo(lib.tensor([-1.0, 2.0])),
                  lambda: expo(lib.tensor([1.0, 2.0])).log_prob(lib.tensor([-1.0, 1.0])),
                  lambda: expo(lib.tensor([1.0, 2.0])).log_prob(lib.tensor([0.5, 1.0])).tolist(),
                  lambda: expo(lib.tensor([-1.0]), validate_args=False).rate.tolist()):
            try:
                row.append(f())
            except ValueError as e:
                row.append(str(e).replace("torch.Size", "autograd_core.Size"))
        outcomes.append(row)
    assert outcomes[0] == outcomes[1]
    assert "to satisfy the constraint GreaterThan(lower_bound=0.0)" in outcomes[1][0]


# ---------------------------------------------------------------------------- VonMises

def test_von_mises_closed_forms_and_moments():
    # log_prob integrates to 1 over the circle (trapezoid on 4001 points, periodic: exact to
    # float64 for a smooth periodic integrand); PyTorch's I0 approximation holds ~1e-7
    for kappa in (0.01, 0.5, 3.0, 20.0):
        d = D.VonMises(_f64(0.7, False), _f64(kappa, False))
        t = np.linspace(-math.pi, math.pi, 4001)[:-1]
        dens = d.log_prob(_f64(t, False)).exp().numpy()
        assert dens.sum() * (2 * math.pi / 4000) == pytest.approx(1.0, rel=3e-7)
        # the circular variance 1 - I1/I0 against numpy's i0 and a series for I1
        i1 = sum((kappa / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1))
                 for k in range(60))
        assert d.variance.item() == pytest.approx(1 - i1 / np.i0(kappa), abs=5e-7)
    d = D.VonMises(_f64([0.5, -2.0], False), _f64([4.0, 0.3], False))
    _ = ag.manual_seed(3)
    x = d.sample((40000,)).numpy()
    assert x.shape == (40000, 2) and x.dtype == np.float64
    assert np.all(np.abs(x) <= math.pi)
    # the circular mean direction and 1 - mean resultant length
    z = np.exp(1j * x).mean(0)
    np.testing.assert_allclose(np.angle(z)[0], 0.5, atol=0.02)
    np.testing.assert_allclose(1 - np.abs(z), d.variance.numpy(), atol=0.02)
    assert not d.has_rsample and d.mean is d.loc
    c = _f64([1.5, 5.0])
    assert ag.gradcheck(lambda k: D.VonMises(_f64([0.1, 0.2], False), k).log_prob(
        _f64([0.3, -1.0], False)), (c,))
    with pytest.raises(ValueError, match="Expected parameter concentration"):
        D.VonMises(0.0, -1.0)


@pytest.mark.torch_parity
def test_von_mises_matches_torch():
    torch = pytest.importorskip("torch")
    loc, kappa = _LOC, np.concatenate([_POS[:1] * 0.2, _POS[1:] * 8], 0)  # both sides of 3.75
    ours = D.VonMises(_f64(loc), _f64(kappa))
    theirs = torch.distributions.VonMises(torch.tensor(loc, requires_grad=True),
                                          torch.tensor(kappa, requires_grad=True))
    a, t = ours.log_prob(ag.tensor(_VAL)), theirs.log_prob(torch.tensor(_VAL))
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-12)
    a.sum().backward()
    t.sum().backward()
    np.testing.assert_allclose(ours.concentration.grad.numpy(), theirs.concentration.grad.numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(ours.loc.grad.numpy(), theirs.loc.grad.numpy(), rtol=1e-10)
    for prop in ("mean", "mode", "variance"):
        np.testing.assert_allclose(getattr(ours, prop).detach().numpy(),
                                   getattr(theirs, prop).detach().numpy(), rtol=1e-12)
    assert tuple(ours.expand((4, 2, 3)).sample((2,)).shape) == (2, 4, 2, 3)
    assert ours.sample().dtype == ag.float64


def test_gamma_cdf_closed_forms_and_gradients():
    # Gamma(1, rate) is Exponential(rate); Gamma(2, 1): 1 - (1 + x) e^-x; Chi2(2) likewise
    x = _f64([0.0, 0.5, 2.0, 7.0], False)
    rate = _f64(1.5)
    g = D.Gamma(_f64(1.0, False), rate)
    c = g.cdf(x)
    np.testing.assert_allclose(c.detach().numpy(), -np.expm1(-1.5 * x.numpy()), rtol=1e-15)
    # d/drate (1 - e^{-rate x}) = x e^{-rate x} (at x = 0 PyTorch's igamma rule gives NaN:
    # (a - 1) log(0) with a = 1; both take the points away from 0)
    g.cdf(x[1:]).sum().backward()
    xs = x.numpy()[1:]
    assert rate.grad.item() == pytest.approx(float(np.sum(xs * np.exp(-1.5 * xs))), rel=1e-13)
    xv = x.numpy()
    np.testing.assert_allclose(D.Gamma(2.0, _f64(1.0, False)).cdf(x).numpy(),
                               1 - (1 + xv) * np.exp(-xv), rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(D.Chi2(_f64(2.0, False)).cdf(x).numpy(), -np.expm1(-xv / 2),
                               rtol=1e-14)
    conc = _f64(2.0)
    with pytest.raises(NotImplementedError, match="the derivative for 'igamma: input'"):
        D.Gamma(conc, 1.0).cdf(x).sum().backward()


@pytest.mark.torch_parity
def test_gamma_cdf_matches_torch():
    torch = pytest.importorskip("torch")
    ours = D.Gamma(_f64(_POS * 3, False), _f64(_POS))
    theirs = torch.distributions.Gamma(torch.tensor(_POS * 3),
                                       torch.tensor(_POS, requires_grad=True))
    a, t = ours.cdf(ag.tensor(_PVAL)), theirs.cdf(torch.tensor(_PVAL))
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-13)
    a.sum().backward()
    t.sum().backward()
    np.testing.assert_allclose(ours.rate.grad.numpy(), theirs.rate.grad.numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------- simplex, matrix,
# cat and stack transforms

def test_stick_breaking_closed_forms():
    t = D.StickBreakingTransform()
    # zero input is the simplex's centre; the inverse gives it back
    np.testing.assert_allclose(t(_f64(np.zeros(3), False)).numpy(), np.full(4, 0.25))
    x = _f64([[0.3, -1.2, 2.0], [1.0, 0.0, -0.5]])
    y = t(x)
    np.testing.assert_allclose(y.detach().numpy().sum(-1), [1.0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(t.inv(y).detach().numpy(), x.detach().numpy(), rtol=1e-12,
                               atol=1e-15)
    # log |det J| against the float64 finite-difference Jacobian of x -> y[:-1]
    for row in x.detach().numpy():
        jac = np.empty((3, 3))
        for j in range(3):
            e = np.zeros(3)
            e[j] = 1e-6
            jac[:, j] = (t(_f64(row + e, False)).numpy()[:-1]
                         - t(_f64(row - e, False)).numpy()[:-1]) / 2e-6
        xr = _f64(row, False)
        assert t.log_abs_det_jacobian(xr, t(xr)).item() == pytest.approx(
            math.log(abs(np.linalg.det(jac))), abs=1e-8)
    assert ag.gradcheck(lambda a: t.log_abs_det_jacobian(a, t(a)), (x,))
    assert t.forward_shape((2, 3)) == (2, 4) and t.inverse_shape((2, 4)) == (2, 3)
    # a Dirichlet's log_prob pulled back through it (the simplex reparameterisation) is finite
    d = D.TransformedDistribution(D.Normal(ag.zeros(3, dtype=ag.float64), 1.0),
                                  D.StickBreakingTransform())
    assert d.event_shape == (4,) and np.isfinite(d.log_prob(y.detach()).numpy()).all()


def test_softmax_lower_cholesky_cat_stack_closed_forms():
    x = _f64([[0.5, -1.0, 2.0]], False)
    sm = D.SoftmaxTransform()
    e = np.exp(x.numpy())
    np.testing.assert_allclose(sm(x).numpy(), e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(sm(sm.inv(sm(x))).numpy(), sm(x).numpy(), rtol=1e-15)
    assert not sm.bijective and sm.event_dim == 1
    m = _f64([[0.0, 9.0], [2.0, math.log(3.0)]], False)
    lc = D.LowerCholeskyTransform()
    np.testing.assert_allclose(lc(m).numpy(), [[1.0, 0.0], [2.0, 3.0]], rtol=1e-15)
    np.testing.assert_allclose(lc.inv(lc(m)).numpy(), [[0.0, 0.0], [2.0, math.log(3.0)]],
                               atol=1e-15)
    cat = D.CatTransform([D.ExpTransform(), D.AffineTransform(1.0, 2.0)], dim=0, lengths=[1, 2])
    v = _f64([0.5, 1.0, 2.0], False)
    np.testing.assert_allclose(cat(v).numpy(), [math.exp(0.5), 3.0, 5.0])
    np.testing.assert_allclose(cat.inv(cat(v)).numpy(), v.numpy())
    np.testing.assert_allclose(cat.log_abs_det_jacobian(v, cat(v)).numpy(),
                               [0.5, math.log(2), math.log(2)])
    st = D.StackTransform([D.ExpTransform(), D.AffineTransform(1.0, 2.0)], dim=1)
    w = _f64([[0.5, 1.0], [0.0, -1.0]], False)
    np.testing.assert_allclose(st(w).numpy(), [[math.exp(0.5), 3.0], [1.0, -1.0]])
    np.testing.assert_allclose(st.inv(st(w)).numpy(), w.numpy())
    np.testing.assert_allclose(st.log_abs_det_jacobian(w, st(w)).numpy(),
                               [[0.5, math.log(2)], [0.0, math.log(2)]])
    with pytest.raises(AssertionError, match=r"x.size\(0\) = 2 must equal length 3"):
        cat(_f64([1.0, 2.0], False))
    with pytest.raises(AssertionError, match=r"y.size\(1\) = 3 must equal len\(transforms\) 2"):
        st.inv(_f64(np.ones((2, 3)), False))


@pytest.mark.torch_parity
def test_new_transforms_match_torch():
    torch = pytest.importorskip("torch")
    import torch.distributions as TD
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 3, 4))
    cases = [
        ("SoftmaxTransform", (), (), x, False),
        ("StickBreakingTransform", (), (), x, True),
        ("LowerCholeskyTransform", (), (), rng.normal(size=(2, 3, 3)), False),
        ("CatTransform", ([D.ExpTransform(), D.SigmoidTransform()], -1, [3, 1]),
         ([TD.ExpTransform(), TD.SigmoidTransform()], -1, [3, 1]), x, True),
        ("CatTransform", ([D.ExpTransform(), D.AffineTransform(0.5, -2.0)], 1, [2, 1]),
         ([TD.ExpTransform(), TD.AffineTransform(0.5, -2.0)], 1, [2, 1]), x, True),
        ("StackTransform", ([D.ExpTransform(), D.TanhTransform(), D.AffineTransform(1., 3.)], 1),
         ([TD.ExpTransform(), TD.TanhTransform(), TD.AffineTransform(1., 3.)], 1), x, True),
    ]
    for name, ours_args, their_args, data, jac in cases:
        ours, theirs = getattr(D, name)(*ours_args), getattr(TD, name)(*their_args)
        a, t = _f64(data), torch.tensor(data, requires_grad=True)
        ya, yt = ours(a), theirs(t)
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-13,
                                   err_msg=name)
        np.testing.assert_allclose(ours.inv(ya).detach().numpy(),
                                   theirs.inv(yt).detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)
        assert ours.bijective == theirs.bijective
        assert tuple(ours.forward_shape(data.shape)) == tuple(theirs.forward_shape(data.shape))
        out = ours.log_abs_det_jacobian(a, ya) if jac else ya
        ref = theirs.log_abs_det_jacobian(t, yt) if jac else yt
        np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12,
                                   atol=1e-13, err_msg=name)
        wts = rng.normal(size=tuple(ref.shape))
        (out * ag.tensor(wts)).sum().backward()
        (ref * torch.tensor(wts)).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


def test_negative_binomial_and_kumaraswamy_closed_forms():
    # NB(r, p): C(k + r - 1, k) p^k (1 - p)^r; mean r p / (1 - p)
    nb = D.NegativeBinomial(_f64(3.0, False), _f64([0.4], False))
    k = np.arange(6.0)
    want = [math.comb(int(j) + 2, int(j)) * 0.4 ** j * 0.6 ** 3 for j in k]
    np.testing.assert_allclose(nb.log_prob(_f64(k[:, None], False)).exp().numpy()[:, 0], want,
                               rtol=1e-13)
    assert nb.mean.item() == pytest.approx(2.0) and nb.variance.item() == pytest.approx(2 / 0.6)
    _ = ag.manual_seed(2)
    draws = D.NegativeBinomial(_f64(4.0, False), _f64(0.3, False)).sample((40000,)).numpy()
    mean, var = 4 * 0.3 / 0.7, 4 * 0.3 / 0.49
    assert abs(draws.mean() - mean) < 5 * math.sqrt(var / 40000)
    assert np.all(draws == np.floor(draws)) and draws.min() >= 0
    with pytest.raises(ValueError, match="Expected parameter probs"):
        D.NegativeBinomial(2.0, probs=1.0)
    # Kumaraswamy(a, b): a b x^(a-1) (1 - x^a)^(b-1); cdf 1 - (1 - x^a)^b
    ku = D.Kumaraswamy(_f64(2.0, False), 3.0)
    x = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(ku.log_prob(_f64(x, False)).exp().numpy(),
                               6 * x * (1 - x ** 2) ** 2, rtol=1e-13)
    np.testing.assert_allclose(ku.cdf(_f64(x, False)).numpy(), 1 - (1 - x ** 2) ** 3,
                               rtol=1e-13)
    # mean b B(1 + 1/a, b) = 3 Gamma(1.5) Gamma(3) / Gamma(4.5) = 16/35; mode (1/5)^(1/2)
    assert ku.mean.item() == pytest.approx(16 / 35, rel=1e-14)
    assert ku.mode.item() == pytest.approx(math.sqrt(0.2), rel=1e-14)
    assert math.isnan(D.Kumaraswamy(0.5, 2.0).mode.item())
    params = (_f64([2.0, 0.7]), _f64([3.0, 1.4]))
    assert ag.gradcheck(lambda a, b: D.Kumaraswamy(a, b).log_prob(_f64([0.3, 0.6], False)),
                        params)

    def draw(a, b):
        _ = ag.manual_seed(11)
        return D.Kumaraswamy(a, b).rsample((2,))
    assert ag.gradcheck(draw, params)


@pytest.mark.torch_parity
def test_kumaraswamy_matches_torch():
    torch = pytest.importorskip("torch")
    a, b = _POS + 0.2, _POS * 2
    ours = D.Kumaraswamy(_f64(a), _f64(b))
    theirs = torch.distributions.Kumaraswamy(torch.tensor(a, requires_grad=True),
                                             torch.tensor(b, requires_grad=True))
    v = _PROB
    for what in ("log_prob", "entropy", "mean", "variance", "cdf"):
        if what in ("log_prob", "cdf"):
            x, y = getattr(ours, what)(ag.tensor(v)), getattr(theirs, what)(torch.tensor(v))
        elif what == "entropy":
            x, y = ours.entropy(), theirs.entropy()
        else:
            x, y = getattr(ours, what), getattr(theirs, what)
        np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), rtol=1e-12,
                                   err_msg=what)
    lp, lt = ours.log_prob(ag.tensor(v)), theirs.log_prob(torch.tensor(v))
    lp.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(ours.concentration1.grad.numpy(),
                               theirs.concentration1.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.concentration0.grad.numpy(),
                               theirs.concentration0.grad.numpy(), rtol=1e-10)
    assert tuple(ours.expand((5, 2, 3)).sample((2,)).shape) == (2, 5, 2, 3)


def test_continuous_bernoulli_closed_forms():
    # C(p) = 2 artanh(1 - 2p) / (1 - 2p); p = 1/2 is the uniform distribution
    for p in (0.05, 0.2, 0.7, 0.999):
        d = D.ContinuousBernoulli(_f64(p, False))
        x = np.array([0.0, 0.25, 0.5, 1.0])
        logc = math.log(2 * math.atanh(1 - 2 * p) / (1 - 2 * p))
        np.testing.assert_allclose(d.log_prob(_f64(x, False)).numpy(),
                                   logc + x * math.log(p) + (1 - x) * math.log1p(-p),
                                   rtol=1e-12)
        mean = p / (2 * p - 1) + 1 / (2 * math.atanh(1 - 2 * p))
        assert d.mean.item() == pytest.approx(mean, rel=1e-12)
        np.testing.assert_allclose(d.icdf(d.cdf(_f64(x[1:3], False))).numpy(), x[1:3],
                                   rtol=1e-12)
    u = D.ContinuousBernoulli(_f64([0.5, 0.4999], False))
    np.testing.assert_allclose(u.log_prob(_f64([0.3, 0.3], False)).numpy()[0], 0.0, atol=1e-15)
    np.testing.assert_allclose(u.variance.numpy(), [1 / 12, 1 / 12], rtol=1e-6)
    probs = _f64([0.2, 0.8])
    assert ag.gradcheck(lambda q: D.ContinuousBernoulli(q).log_prob(_f64([0.3, 0.6], False)),
                        (probs,))

    def draw(q):
        _ = ag.manual_seed(4)
        return D.ContinuousBernoulli(q).rsample((3,))
    assert ag.gradcheck(draw, (probs,))
    with pytest.raises(ValueError, match="The parameter probs has invalid values"):
        D.ContinuousBernoulli(1.5, validate_args=True)


@pytest.mark.torch_parity
@pytest.mark.parametrize("kw", ["probs", "logits"])
def test_continuous_bernoulli_matches_torch(kw):
    torch = pytest.importorskip("torch")
    p = np.array([[0.05, 0.3, 0.4995], [0.5, 0.7, 0.999]])
    arr = p if kw == "probs" else np.log(p / (1 - p))
    ours = D.ContinuousBernoulli(**{kw: _f64(arr)})
    theirs = torch.distributions.ContinuousBernoulli(**{kw: torch.tensor(arr, requires_grad=True)})
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    for what in ("log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev"):
        leaf_a, leaf_t = _f64(arr), torch.tensor(arr, requires_grad=True)
        ours = D.ContinuousBernoulli(**{kw: leaf_a})
        theirs = torch.distributions.ContinuousBernoulli(**{kw: leaf_t})
        if what in ("log_prob", "cdf", "icdf"):
            v = _PROB[0]
            a, t = getattr(ours, what)(ag.tensor(v)), getattr(theirs, what)(torch.tensor(v))
        elif what == "entropy":
            a, t = ours.entropy(), theirs.entropy()
        else:
            a, t = getattr(ours, what), getattr(theirs, what)
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-12,
                                   atol=1e-15, err_msg=what)
        a.sum().backward()
        t.sum().backward()
        if leaf_t.grad is None:  # (icdf's gradient does not reach logits in either)
            assert leaf_a.grad is None or not leaf_a.grad.numpy().any()
            continue
        np.testing.assert_allclose(leaf_a.grad.numpy(), leaf_t.grad.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=what)


@pytest.mark.torch_parity
def test_log_sigmoid_gradient_at_zero_logits_matches_torch():
    # probs = 1/2 is logits = 0, where log_sigmoid's derivative is 1/2 (a max(-x, 0) + |x|
    # form has 1 there): NegativeBinomial / ContinuousBernoulli / StickBreaking gradients
    torch = pytest.importorskip("torch")
    lg_a, lg_t = _f64([0.0, 0.3]), torch.tensor([0.0, 0.3], dtype=torch.float64,
                                                 requires_grad=True)
    v = [2.0, 1.0]
    D.NegativeBinomial(3.0, logits=lg_a).log_prob(_f64(v, False)).sum().backward()
    torch.distributions.NegativeBinomial(3.0, logits=lg_t).log_prob(
        torch.tensor(v, dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(lg_a.grad.numpy(), lg_t.grad.numpy(), rtol=1e-12)
    x_a = _f64([math.log(2.0), 0.0])  # x - log(K - i) = 0 for the first coordinate
    x_t = torch.tensor([math.log(2.0), 0.0], dtype=torch.float64, requires_grad=True)
    ta, tt = D.StickBreakingTransform(), torch.distributions.StickBreakingTransform()
    ta.log_abs_det_jacobian(x_a, ta(x_a)).backward()
    tt.log_abs_det_jacobian(x_t, tt(x_t)).backward()
    np.testing.assert_allclose(x_a.grad.numpy(), x_t.grad.numpy(), rtol=1e-12)
