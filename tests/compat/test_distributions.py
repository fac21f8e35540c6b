"""autograd_core.distributions beyond Categorical: closed forms, gradchecks, sample moments and
(torch_parity) log_prob / entropy / cdf / icdf / kl and their gradients against PyTorch."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.distributions import (
    Bernoulli,
    Beta,
    Categorical,
    Gamma,
    Independent,
    MultivariateNormal,
    Normal,
    Uniform,
    kl_divergence,
)


def _f64(a, grad=True):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


# ---------------------------------------------------------------------------- Normal

def test_normal_closed_forms():
    m = Normal(_f64([0.0, 1.0], False), 2.0)
    x = np.array([0.5, -1.0])
    want = -((x - [0.0, 1.0]) ** 2) / 8 - math.log(2.0) - 0.5 * math.log(2 * math.pi)
    np.testing.assert_allclose(m.log_prob(ag.tensor(x)).numpy(), want, rtol=1e-13)
    np.testing.assert_allclose(m.entropy().numpy(), 0.5 * math.log(2 * math.pi * math.e * 4), rtol=1e-13)
    cdf = [0.5 * (1 + math.erf((xi - mu) / (2 * math.sqrt(2)))) for xi, mu in zip(x, [0.0, 1.0])]
    np.testing.assert_allclose(m.cdf(ag.tensor(x)).numpy(), cdf, rtol=1e-12)
    np.testing.assert_allclose(m.icdf(m.cdf(ag.tensor(x))).numpy(), x, rtol=1e-10)
    assert m.mean is m.loc and m.mode is m.loc and m.stddev is m.scale
    np.testing.assert_allclose(m.variance.numpy(), [4.0, 4.0])
    assert m.batch_shape == (2,) and m.event_shape == ()
    assert m.loc.dtype == ag.float64 and m.scale.dtype == ag.float64  # the number follows loc
    assert Normal(0.0, 1.0).loc.dtype == ag.float32
    e = Normal(0.0, 1.0).expand((3, 2))
    assert e.batch_shape == (3, 2) and e.sample().shape == (3, 2)
    assert repr(Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert repr(m) == "Normal(loc: autograd_core.Size([2]), scale: autograd_core.Size([2]))"


def test_normal_errors():
    with pytest.raises(ValueError, match=r"Expected parameter scale \(Tensor of shape \(\)\) of "
                       r"distribution Normal\(loc: 0.0, scale: -1.0\) to satisfy the constraint "
                       r"GreaterThan\(lower_bound=0.0\), but found invalid values:\n-1.0"):
        Normal(0.0, -1.0)
    with pytest.raises(ValueError, match=r"constraint Real\(\)"):
        Normal(float("nan"), 1.0)
    m = Normal(ag.zeros(3), 1.0)
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        m.log_prob(2.0)
    with pytest.raises(ValueError, match=r"Value is not broadcastable with batch_shape\+event_shape"):
        m.log_prob(ag.zeros(2))
    with pytest.raises(ValueError, match=r"within the support \(Real\(\)\)"):
        m.log_prob(ag.tensor(float("nan")))
    # validate_args=False: no checks (PyTorch's switch)
    assert Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    assert math.isnan(Normal(0.0, 1.0, validate_args=False).log_prob(ag.tensor(float("nan"))).item())


def test_normal_gradcheck():
    loc, scale = _f64([0.3, -1.2]), _f64([[0.7, 1.5], [2.0, 0.4]])
    value = _f64([[0.1, 0.2], [-0.5, 1.0]])
    assert ag.gradcheck(lambda m, s, v: Normal(m, s).log_prob(v), (loc, scale, value))
    assert ag.gradcheck(lambda m, s, v: Normal(m, s).cdf(v), (loc, scale, value))
    assert ag.gradcheck(lambda m, s: Normal(m, s).entropy(), (loc, scale))
    q = _f64([[0.1, 0.9], [0.4, 0.6]])
    assert ag.gradcheck(lambda m, s, p: Normal(m, s).icdf(p), (loc, scale, q))
    assert ag.gradgradcheck(lambda m, s, v: Normal(m, s).log_prob(v), (loc, scale, value))


def test_normal_rsample_is_reparameterised():
    # d/dloc loc + eps*scale = 1; d/dscale = eps (recovered from the draw itself)
    loc, scale = _f64([1.0, -2.0]), _f64([0.5, 3.0])
    ag.manual_seed(3)
    x = Normal(loc, scale).rsample((7,))
    x.sum().backward()
    eps = (x.detach().numpy() - [1.0, -2.0]) / [0.5, 3.0]
    np.testing.assert_allclose(loc.grad.numpy(), [7.0, 7.0])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-12)
    assert not Normal(loc, scale).sample((2,)).requires_grad


@given(st.lists(st.integers(1, 3), max_size=2), st.sampled_from([ag.float32, ag.float64]))
def test_normal_sample_shapes_and_dtypes(batch, dtype):
    m = Normal(ag.zeros(*batch, dtype=dtype), ag.ones(*batch, dtype=dtype))
    for sample_shape in ((), (2,), (2, 1)):
        for draw in (m.sample(sample_shape), m.rsample(sample_shape)):
            assert draw.shape == tuple(sample_shape) + tuple(batch) and draw.dtype == dtype


def test_normal_sample_moments():
    ag.manual_seed(0)
    x = Normal(ag.tensor([1.0, -3.0]), ag.tensor([0.5, 2.0])).sample((40000,)).numpy()
    np.testing.assert_allclose(x.mean(0), [1.0, -3.0], atol=0.05)
    np.testing.assert_allclose(x.std(0), [0.5, 2.0], rtol=0.03)


@pytest.mark.torch_parity
def test_normal_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    loc, scale = rng.normal(size=(3, 1)), rng.random((1, 4)) + 0.3
    value, q = rng.normal(size=(3, 4)), rng.random((3, 4))
    res = []
    for lib, cls in ((ag, Normal), (torch, torch.distributions.Normal)):
        m_, s_ = lib.tensor(loc, requires_grad=True), lib.tensor(scale, requires_grad=True)
        m = cls(m_, s_)
        outs = [m.log_prob(lib.tensor(value)), m.cdf(lib.tensor(value)),
                m.icdf(lib.tensor(q)), m.entropy(), m.variance, m.stddev]
        sum(o.sum() * (k + 1) for k, o in enumerate(outs)).backward()
        res.append([o.detach().numpy() for o in outs] + [m_.grad.numpy(), s_.grad.numpy()])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)


# ---------------------------------------------------------------------------- Bernoulli

def test_bernoulli_closed_forms():
    p = np.array([0.1, 0.5, 0.8])
    m = Bernoulli(_f64(p, False))
    np.testing.assert_allclose(m.logits.numpy(), np.log(p / (1 - p)), rtol=1e-12)
    v = np.array([1.0, 0.0, 0.0])
    np.testing.assert_allclose(m.log_prob(ag.tensor(v)).numpy(), np.log(np.where(v == 1, p, 1 - p)),
                               rtol=1e-12)
    np.testing.assert_allclose(m.entropy().numpy(), -(p * np.log(p) + (1 - p) * np.log(1 - p)),
                               rtol=1e-12)
    np.testing.assert_allclose(m.mean.numpy(), p)
    np.testing.assert_allclose(m.variance.numpy(), p * (1 - p), rtol=1e-15)
    np.testing.assert_array_equal(m.mode.numpy(), [0.0, np.nan, 1.0])
    lg = Bernoulli(logits=_f64([-2.0, 3.0], False))
    np.testing.assert_allclose(lg.probs.numpy(), 1 / (1 + np.exp([2.0, -3.0])), rtol=1e-14)
    # extreme logits stay finite: log sigmoid(-800) = -800, log(1 - sigmoid(800)) = -800
    np.testing.assert_allclose(Bernoulli(logits=_f64([-800.0, 800.0], False)).log_prob(
        ag.tensor([1.0, 0.0])).numpy(), [-800.0, -800.0])
    assert Bernoulli(0.3).batch_shape == () and m.param_shape == (3,) and m.event_shape == ()
    assert repr(Bernoulli(logits=0.0)) == "Bernoulli(logits: 0.0)"


def test_bernoulli_errors():
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
        Bernoulli()
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
        Bernoulli(0.3, 0.0)
    with pytest.raises(ValueError, match=r"Expected parameter probs \(Tensor of shape \(1,\)\) "
                       r"of distribution Bernoulli\(probs: tensor\(\[1.3000\]\)\) to satisfy the "
                       r"constraint Interval\(lower_bound=0.0, upper_bound=1.0\)"):
        Bernoulli(ag.tensor([1.3]))
    with pytest.raises(ValueError, match=r"to be within the support \(Boolean\(\)\)"):
        Bernoulli(ag.tensor([0.3])).log_prob(ag.tensor([0.5]))


def test_bernoulli_gradcheck():
    p, logits = _f64([[0.2, 0.7], [0.45, 0.9]]), _f64([-1.5, 0.0, 2.5])
    v2, v3 = ag.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=ag.float64), ag.tensor([1.0, 0.0, 1.0], dtype=ag.float64)
    assert ag.gradcheck(lambda q: Bernoulli(q).log_prob(v2), (p,))
    assert ag.gradcheck(lambda q: Bernoulli(q).entropy(), (p,))
    assert ag.gradcheck(lambda x: Bernoulli(logits=x).log_prob(v3), (logits,))
    assert ag.gradgradcheck(lambda x: Bernoulli(logits=x).entropy(), (logits,))
    # the policy-gradient step: d/dlogits log p(v) = v - sigmoid(logits), also at logits = 0
    Bernoulli(logits=logits).log_prob(v3).sum().backward()
    np.testing.assert_allclose(logits.grad.numpy(), [1, 0, 1] - 1 / (1 + np.exp([1.5, 0.0, -2.5])),
                               rtol=1e-14)


def test_bernoulli_sample():
    ag.manual_seed(0)
    m = Bernoulli(ag.tensor([0.1, 0.5, 0.85], requires_grad=True))
    x = m.sample((20000,))
    assert x.shape == (20000, 3) and x.dtype == ag.float32 and not x.requires_grad
    assert set(np.unique(x.numpy())) <= {0.0, 1.0}
    np.testing.assert_allclose(x.numpy().mean(0), [0.1, 0.5, 0.85], atol=0.015)
    assert Bernoulli(logits=ag.zeros(2, dtype=ag.float64)).sample().dtype == ag.float64


@pytest.mark.torch_parity
def test_bernoulli_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    raw = rng.random((2, 3))
    raw[0, 0], raw[1, 1] = 0.0, 1.0  # the clamped ends, as PyTorch's probs_to_logits
    value = (rng.random((4, 2, 3)) < 0.5).astype(np.float64)
    for kind, param in (("probs", raw), ("logits", rng.normal(size=(2, 3)) * 3)):
        res = []
        for lib, cls in ((ag, Bernoulli), (torch, torch.distributions.Bernoulli)):
            x = lib.tensor(param, requires_grad=True)
            m = cls(**{kind: x})
            outs = [m.log_prob(lib.tensor(value)), m.entropy(), m.variance]
            (outs[0].sum() + 0.5 * outs[1].sum() + 2 * outs[2].sum()).backward()
            res.append([o.detach().numpy() for o in outs]
                       + [m.probs.detach().numpy(), m.logits.detach().numpy(), m.mode.numpy(),
                          x.grad.numpy()])
        for a, b in zip(*res):
            np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12, err_msg=kind)


# ---------------------------------------------------------------------------- Uniform

def test_uniform_closed_forms_and_errors():
    m = Uniform(_f64([0.0, 1.0], False), 3.0)
    np.testing.assert_allclose(m.log_prob(ag.tensor([0.0, 2.5], dtype=ag.float64)).numpy(),
                               -np.log([3.0, 2.0]), rtol=1e-14)
    assert m.log_prob(ag.tensor([3.0, 3.0], dtype=ag.float64)).numpy().tolist() == [-np.inf] * 2
    np.testing.assert_allclose(m.cdf(ag.tensor([1.5, 1.5], dtype=ag.float64)).numpy(), [0.5, 0.25])
    np.testing.assert_allclose(m.icdf(ag.tensor([0.5, 0.25], dtype=ag.float64)).numpy(), [1.5, 1.5])
    np.testing.assert_allclose(m.entropy().numpy(), np.log([3.0, 2.0]), rtol=1e-14)
    np.testing.assert_allclose(m.mean.numpy(), [1.5, 2.0])
    np.testing.assert_allclose(m.variance.numpy(), [0.75, 1 / 3], rtol=1e-14)
    np.testing.assert_allclose(m.stddev.numpy(), np.sqrt([0.75, 1 / 3]), rtol=1e-14)
    assert np.isnan(m.mode.numpy()).all() and m.expand((4, 2)).batch_shape == (4, 2)
    assert repr(Uniform(0.0, 1.0)) == "Uniform(low: 0.0, high: 1.0)"
    with pytest.raises(ValueError, match=r"Expected parameter low \(Tensor of shape \(\)\) of "
                       r"distribution Uniform\(low: 1.0, high: 1.0\) to satisfy the constraint "
                       r"LessThan\(upper_bound=1.0\)"):
        Uniform(1.0, 1.0)
    with pytest.raises(ValueError, match=r"within the support \(Interval\(lower_bound=0.0, "
                       r"upper_bound=1.0\)\)"):
        Uniform(0.0, 1.0).log_prob(ag.tensor(2.0))


def test_uniform_rsample_and_gradcheck():
    low, high = _f64([0.0, -2.0]), _f64([1.0, 3.0])
    ag.manual_seed(0)
    x = Uniform(low, high).rsample((20000,))
    assert x.shape == (20000, 2) and x.dtype == ag.float64
    xn = x.detach().numpy()
    assert ((xn >= [0.0, -2.0]) & (xn < [1.0, 3.0])).all()
    np.testing.assert_allclose(xn.mean(0), [0.5, 0.5], atol=0.05)
    np.testing.assert_allclose(xn.var(0), [1 / 12, 25 / 12], rtol=0.05)
    x.sum().backward()  # d/dlow = n - sum(u), d/dhigh = sum(u), u = (x - low) / (high - low)
    u = ((xn - [0.0, -2.0]) / [1.0, 5.0]).sum(0)
    np.testing.assert_allclose(low.grad.numpy(), 20000 - u, rtol=1e-10)
    np.testing.assert_allclose(high.grad.numpy(), u, rtol=1e-10)
    v = ag.tensor([0.5, 0.0], dtype=ag.float64)
    assert ag.gradcheck(lambda a, b: Uniform(a, b).log_prob(v), (low, high))
    assert ag.gradcheck(lambda a, b: Uniform(a, b).cdf(v), (low, high))
    assert ag.gradcheck(lambda a, b: Uniform(a, b).entropy(), (low, high))


# ---------------------------------------------------------------------------- Independent

def test_independent():
    loc, scale = _f64(np.arange(6.0).reshape(2, 3)), _f64(np.full((2, 3), 0.5))
    base = Normal(loc, scale)
    m = Independent(base, 1)
    assert (m.batch_shape, m.event_shape) == ((2,), (3,)) and m.has_rsample
    v = ag.tensor(np.ones((5, 2, 3)))
    with ag.no_grad():
        np.testing.assert_allclose(m.log_prob(v).numpy(), base.log_prob(v).numpy().sum(-1), rtol=1e-14)
        np.testing.assert_allclose(m.entropy().numpy(), base.entropy().numpy().sum(-1), rtol=1e-14)
    assert m.sample((4,)).shape == (4, 2, 3) and m.rsample().requires_grad
    assert m.mean is base.mean and m.variance.shape == (2, 3)
    assert Independent(base, 2).log_prob(v).shape == (5,)
    assert repr(Independent(Normal(0.0, 1.0), 0)) == "Independent(Normal(loc: 0.0, scale: 1.0), 0)"
    assert ag.gradcheck(lambda a, s: Independent(Normal(a, s), 2).log_prob(v), (loc, scale))
    with pytest.raises(ValueError, match=r"Expected reinterpreted_batch_ndims <= "
                       r"len\(base_distribution.batch_shape\), actual 3 vs 2"):
        Independent(base, 3)


# ---------------------------------------------------------------------------- kl_divergence

def test_kl_closed_forms_and_errors():
    p, q = Normal(_f64(0.3), _f64(0.5)), Normal(_f64(-1.0), _f64(2.0))
    want = math.log(2.0 / 0.5) + (0.5**2 + 1.3**2) / (2 * 2.0**2) - 0.5
    np.testing.assert_allclose(kl_divergence(p, q).item(), want, rtol=1e-14)
    a, b = np.array([0.2, 0.0, 1.0]), np.array([0.6, 0.3, 0.5])
    kl = kl_divergence(Bernoulli(_f64(a)), Bernoulli(_f64(b))).detach().numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        want = np.nan_to_num(a * np.log(a / b)) + np.nan_to_num((1 - a) * np.log((1 - a) / (1 - b)))
    np.testing.assert_allclose(kl, want, rtol=1e-12)
    assert kl_divergence(Bernoulli(0.3), Bernoulli(0.0)).item() == math.inf
    pc, qc = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    np.testing.assert_allclose(kl_divergence(Categorical(probs=_f64(pc)), Categorical(probs=_f64(qc))).item(),
                               math.log(2.0), rtol=1e-14)
    assert kl_divergence(Categorical(probs=_f64(qc)), Categorical(probs=_f64(pc))).item() == math.inf
    np.testing.assert_allclose(kl_divergence(Uniform(0.0, 1.0), Uniform(-1.0, 3.0)).item(), math.log(4.0),
                               rtol=1e-6)
    assert kl_divergence(Uniform(-1.0, 3.0), Uniform(0.0, 1.0)).item() == math.inf
    ind = kl_divergence(Independent(Normal(ag.zeros(2, 3), 1.0), 1), Independent(Normal(ag.ones(2, 3), 1.0), 1))
    np.testing.assert_allclose(ind.numpy(), [1.5, 1.5], rtol=1e-6)
    # two exponential families: PyTorch's registered Bregman pair refuses a cross pair
    with pytest.raises(NotImplementedError, match="cross KL-divergence between different "
                                                  "exponential families"):
        kl_divergence(Bernoulli(0.5), Normal(0.0, 1.0))
    with pytest.raises(NotImplementedError, match="No KL"):
        kl_divergence(Normal(0.0, 1.0), Categorical(ag.tensor([0.5, 0.5])))


def test_kl_gradcheck():
    args = (_f64([0.3, -1.0]), _f64([0.5, 1.5]), _f64([[0.0], [1.0]]), _f64([[2.0], [0.7]]))
    assert ag.gradcheck(lambda a, s, b, t: kl_divergence(Normal(a, s), Normal(b, t)), args)
    assert ag.gradgradcheck(lambda a, s, b, t: kl_divergence(Normal(a, s), Normal(b, t)), args)
    pl, ql = _f64([-0.5, 1.0, 2.0]), _f64([[0.3], [-2.0]])
    assert ag.gradcheck(lambda x, y: kl_divergence(Bernoulli(logits=x), Bernoulli(logits=y)), (pl, ql))
    pc, qc = _f64([[0.2, 0.3, 0.5]]), _f64([[0.1, 0.6, 0.3], [0.4, 0.4, 0.2]])
    assert ag.gradcheck(lambda x, y: kl_divergence(Categorical(probs=x), Categorical(probs=y)), (pc, qc))


@pytest.mark.torch_parity
def test_uniform_independent_kl_match_torch():
    torch = pytest.importorskip("torch")
    td = torch.distributions
    rng = np.random.default_rng(4)
    lo, hi = rng.random((2, 3)) - 1, rng.random((2, 3)) + 1
    v = lo + (hi - lo) * rng.random((2, 3))
    params = {"nl": rng.normal(size=(2, 3)), "ns": rng.random((2, 3)) + 0.2, "ml": rng.normal(size=3),
              "ms": rng.random(3) + 0.2, "bp": rng.random((2, 3)), "bq": rng.normal(size=(2, 3)),  # torch: same shapes
              "cp": rng.random((2, 4)) + 0.01, "cq": rng.normal(size=4), "lo": lo, "hi": hi}
    res = []
    for lib, D, kl in ((ag, None, kl_divergence), (torch, td, td.kl_divergence)):
        t = {k: lib.tensor(x, requires_grad=True) for k, x in params.items()}
        get = (lambda n: globals()[n]) if D is None else (lambda n: getattr(D, n))
        u = get("Uniform")(t["lo"], t["hi"])
        ind = get("Independent")(get("Normal")(t["nl"], t["ns"]), 1)
        outs = [u.log_prob(lib.tensor(v)), u.cdf(lib.tensor(v)), u.entropy(), u.stddev,
                ind.log_prob(lib.tensor(v)), ind.entropy(),
                kl(get("Normal")(t["nl"], t["ns"]), get("Normal")(t["ml"], t["ms"])),
                kl(get("Bernoulli")(t["bp"]), get("Bernoulli")(logits=t["bq"])),
                kl(get("Categorical")(probs=t["cp"]), get("Categorical")(logits=t["cq"])),
                kl(ind, get("Independent")(get("Normal")(t["ml"], t["ms"]), 1))]
        sum(o.sum() * (k + 1) for k, o in enumerate(outs)).backward()
        res.append([o.detach().numpy() for o in outs] + [t[k].grad.numpy() for k in params])
    for k, (a, b) in enumerate(zip(*res)):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12, err_msg=str(k))


# ---------------------------------------------------------------------------- MultivariateNormal

def test_mvn_closed_forms():
    # a diagonal covariance: the product of independent normals
    loc, sd = np.array([1.0, -2.0, 0.5]), np.array([0.5, 2.0, 1.5])
    v = ag.tensor(np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 2.0]]))
    for kw in ({"covariance_matrix": np.diag(sd**2)}, {"precision_matrix": np.diag(sd**-2)},
               {"scale_tril": np.diag(sd)}):
        m = MultivariateNormal(_f64(loc, False), **{k: _f64(a, False) for k, a in kw.items()})
        ref = Independent(Normal(_f64(loc, False), _f64(sd, False)), 1)
        np.testing.assert_allclose(m.log_prob(v).numpy(), ref.log_prob(v).numpy(), rtol=1e-13)
        np.testing.assert_allclose(m.entropy().item(), ref.entropy().item(), rtol=1e-13)
        np.testing.assert_allclose(m.variance.numpy(), sd**2, rtol=1e-13)
        np.testing.assert_allclose(m.covariance_matrix.numpy(), np.diag(sd**2), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(m.precision_matrix.numpy(), np.diag(sd**-2), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(m.scale_tril.numpy(), np.diag(sd), rtol=1e-13, atol=1e-15)
        assert (m.batch_shape, m.event_shape) == ((), (3,))
    # a 2x2 worked by hand: cov [[4, 2], [2, 2]], det 4, inverse [[.5, -.5], [-.5, 1]]
    m = MultivariateNormal(ag.zeros(2, dtype=ag.float64), _f64([[4.0, 2.0], [2.0, 2.0]], False))
    x = np.array([1.0, 1.0])
    maha = x @ np.array([[0.5, -0.5], [-0.5, 1.0]]) @ x
    want = -0.5 * (2 * math.log(2 * math.pi) + maha + math.log(4.0))
    np.testing.assert_allclose(m.log_prob(ag.tensor(x)).item(), want, rtol=1e-14)
    np.testing.assert_allclose(m.scale_tril.numpy(), [[2.0, 0.0], [1.0, 1.0]], rtol=1e-14)
    # batches broadcast: loc (4, 1, 2) with a matrix batch (3, 2, 2)
    b = MultivariateNormal(ag.zeros(4, 1, 2), ag.eye(2).expand(3, 2, 2))
    assert (b.batch_shape, b.event_shape) == ((4, 3), (2,))
    assert b.sample((5,)).shape == (5, 4, 3, 2) and b.log_prob(ag.zeros(2)).shape == (4, 3)
    assert b.entropy().shape == (4, 3) and b.mean.shape == (4, 3, 2)
    assert repr(m) == "MultivariateNormal(loc: autograd_core.Size([2]), covariance_matrix: autograd_core.Size([2, 2]))"


def test_mvn_errors():
    with pytest.raises(ValueError, match="loc must be at least one-dimensional."):
        MultivariateNormal(ag.tensor(0.0), ag.eye(1))
    with pytest.raises(ValueError, match="Exactly one of covariance_matrix or precision_matrix or "
                       "scale_tril may be specified."):
        MultivariateNormal(ag.zeros(2), ag.eye(2), scale_tril=ag.eye(2))
    with pytest.raises(ValueError, match="scale_tril matrix must be at least two-dimensional"):
        MultivariateNormal(ag.zeros(2), scale_tril=ag.ones(2))
    with pytest.raises(ValueError, match=r"constraint LowerCholesky\(\)"):
        MultivariateNormal(ag.zeros(2), scale_tril=ag.tensor([[1.0, 0.0], [1.0, -1.0]]))
    with pytest.raises(ValueError, match=r"Expected parameter covariance_matrix \(Tensor of shape "
                       r"\(2, 2\)\) of distribution MultivariateNormal\(.*\) to satisfy the "
                       r"constraint PositiveDefinite\(\)"):
        MultivariateNormal(ag.zeros(2), ag.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match=r"covariance_matrix of shape \(3, 3\) does not match loc"):
        MultivariateNormal(ag.zeros(2), ag.eye(3))
    with pytest.raises(ValueError, match=r"The right-most size of value must match event_shape"):
        MultivariateNormal(ag.zeros(2), ag.eye(2)).log_prob(ag.zeros(3))


def test_mvn_gradcheck_and_rsample():
    loc = _f64([[0.3, -1.0], [1.0, 0.5]])
    tril = _f64([[1.2, 0.0], [0.4, 0.7]])
    a = np.array([[1.0, 0.3], [0.2, 0.9]])
    cov = _f64(a @ a.T + 0.5 * np.eye(2))
    v = _f64([0.1, 0.4])
    assert ag.gradcheck(lambda m, L, x: MultivariateNormal(m, scale_tril=L.tril()).log_prob(x), (loc, tril, v))
    assert ag.gradcheck(lambda m, c: MultivariateNormal(m, (c + c.mT) / 2).log_prob(v), (loc, cov))
    assert ag.gradcheck(lambda c: MultivariateNormal(loc.detach(), (c + c.mT) / 2).entropy(), (cov,))
    ag.manual_seed(0)
    m = MultivariateNormal(loc.detach()[0], scale_tril=tril)
    x = m.rsample((40000,))
    xn = x.detach().numpy()
    L = tril.detach().numpy()
    np.testing.assert_allclose(xn.mean(0), [0.3, -1.0], atol=0.03)
    np.testing.assert_allclose(np.cov(xn.T), L @ L.T, atol=0.05)
    x[:, 1].sum().backward()  # d x_1 / d L_1j = eps_j, eps = L^-1 (x - loc)
    eps = np.linalg.solve(L, (xn - [0.3, -1.0]).T).T
    np.testing.assert_allclose(tril.grad.numpy()[1], eps.sum(0), rtol=1e-8)
    assert not m.sample().requires_grad


@pytest.mark.torch_parity
def test_mvn_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    a = rng.normal(size=(3, 3, 3))
    spd = a @ np.swapaxes(a, -1, -2) + np.eye(3)
    loc, value = rng.normal(size=(2, 1, 3)), rng.normal(size=(4, 2, 3, 3))
    for kind in ("covariance_matrix", "precision_matrix", "scale_tril"):
        matrix = np.linalg.cholesky(spd) if kind == "scale_tril" else spd
        res = []
        for lib, cls in ((ag, MultivariateNormal), (torch, torch.distributions.MultivariateNormal)):
            m_, s_ = lib.tensor(loc, requires_grad=True), lib.tensor(matrix, requires_grad=True)
            m = cls(m_, **{kind: s_})
            outs = [m.log_prob(lib.tensor(value)), m.entropy(), m.variance, m.scale_tril,
                    m.covariance_matrix, m.precision_matrix]
            sum(o.sum() * (k + 1) for k, o in enumerate(outs)).backward()
            res.append([o.detach().numpy() for o in outs] + [m_.grad.numpy(), s_.grad.numpy()])
        for k, (x, y) in enumerate(zip(*res)):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-11, err_msg=f"{kind} {k}")


# ---------------------------------------------------------------------------- Gamma, Beta

def test_gamma_beta_closed_forms_and_errors():
    # Gamma(1, r) is the exponential: log_prob = log r - r x, entropy = 1 - log r
    g = Gamma(_f64([1.0, 1.0], False), _f64([2.0, 0.5], False))
    np.testing.assert_allclose(g.log_prob(ag.tensor([0.3, 4.0], dtype=ag.float64)).numpy(),
                               [math.log(2.0) - 0.6, math.log(0.5) - 2.0], rtol=1e-14)
    np.testing.assert_allclose(g.entropy().numpy(), [1 - math.log(2.0), 1 - math.log(0.5)], rtol=1e-14)
    g3 = Gamma(_f64(3.0, False), _f64(2.0, False))  # x^2 e^{-2x} 2^3 / 2!
    np.testing.assert_allclose(g3.log_prob(ag.tensor(1.5, dtype=ag.float64)).item(),
                               math.log(8 * 1.5**2 * math.exp(-3.0) / 2), rtol=1e-14)
    assert (g3.mean.item(), g3.variance.item(), g3.mode.item()) == (1.5, 0.75, 1.0)
    # Beta(2, 3): density 12 x (1 - x)^2
    b = Beta(_f64(2.0, False), _f64(3.0, False))
    np.testing.assert_allclose(b.log_prob(ag.tensor([0.25], dtype=ag.float64)).numpy(),
                               [math.log(12 * 0.25 * 0.75**2)], rtol=1e-14)
    np.testing.assert_allclose((b.mean.item(), b.variance.item(), b.mode.item()), (0.4, 0.04, 1 / 3),
                               rtol=1e-14)
    assert Beta(1.0, 1.0).entropy().item() == 0.0 and math.isnan(Beta(1.0, 1.0).mode.item())
    assert Beta(1.0, 1.0).log_prob(ag.tensor([0.0, 1.0])).numpy().tolist() == [0.0, 0.0]
    assert repr(Gamma(2.0, 3.0)) == "Gamma(concentration: 2.0, rate: 3.0)"
    assert Gamma(2.0, 3.0).has_rsample and Normal(0.0, 1.0).has_rsample
    with pytest.raises(ValueError, match=r"Expected parameter rate \(Tensor of shape \(\)\) of "
                       r"distribution Gamma\(concentration: 2.0, rate: 0.0\) to satisfy the "
                       r"constraint GreaterThan\(lower_bound=0.0\)"):
        Gamma(2.0, 0.0)
    with pytest.raises(ValueError, match=r"within the support \(GreaterThanEq\(lower_bound=0.0\)\)"):
        Gamma(2.0, 3.0).log_prob(ag.tensor(-1.0))
    with pytest.raises(ValueError, match=r"parameter concentration0 .* GreaterThan\(lower_bound=0.0\)"):
        Beta(ag.tensor([2.0]), -3.0)
    with pytest.raises(ValueError, match=r"support \(Interval\(lower_bound=0.0, upper_bound=1.0\)\)"):
        Beta(2.0, 3.0).log_prob(ag.tensor(1.5))


def test_gamma_beta_gradcheck_and_sample():
    c, r, v = _f64([0.7, 2.5]), _f64([1.5, 0.4]), _f64([0.3, 2.0])
    assert ag.gradcheck(lambda a, b, x: Gamma(a, b).log_prob(x), (c, r, v))
    assert ag.gradcheck(lambda a, b: Gamma(a, b).entropy(), (c, r))
    u = _f64([0.3, 0.8])
    assert ag.gradcheck(lambda a, b, x: Beta(a, b).log_prob(x), (c, r, u))
    assert ag.gradcheck(lambda a, b: Beta(a, b).entropy(), (c, r))
    ag.manual_seed(0)
    g = Gamma(ag.tensor([0.5, 4.0]), ag.tensor([2.0, 1.0])).sample((40000,))
    assert g.shape == (40000, 2) and g.dtype == ag.float32 and (g.numpy() > 0).all()
    np.testing.assert_allclose(g.numpy().mean(0), [0.25, 4.0], rtol=0.03)
    np.testing.assert_allclose(g.numpy().var(0), [0.125, 4.0], rtol=0.06)
    x = Beta(_f64([2.0, 0.5], False), _f64([3.0, 0.5], False)).sample((40000,)).numpy()
    assert x.dtype == np.float64 and ((x > 0) & (x < 1)).all()
    np.testing.assert_allclose(x.mean(0), [0.4, 0.5], atol=0.01)
    np.testing.assert_allclose(x.var(0), [0.04, 0.125], rtol=0.05)


@pytest.mark.torch_parity
def test_gamma_beta_match_torch():
    torch = pytest.importorskip("torch")
    td = torch.distributions
    rng = np.random.default_rng(6)
    params = {k: rng.random((2, 3)) * 3 + 0.2 for k in ("a", "b", "c", "d")}
    params["a"][0, :2], params["b"][0, :2] = [0.5, 0.4], [0.5, 0.6]  # Beta.mode's both-below-1 ends
    x, u = rng.random((2, 3)) * 4, rng.random((4, 2, 3))
    res = []
    for lib, G, B, kl in ((ag, Gamma, Beta, kl_divergence), (torch, td.Gamma, td.Beta, td.kl_divergence)):
        t = {k: lib.tensor(a, requires_grad=True) for k, a in params.items()}
        g, b = G(t["a"], t["b"]), B(t["a"], t["b"])
        outs = [g.log_prob(lib.tensor(x)), g.entropy(), g.mean, g.variance, g.mode,
                b.log_prob(lib.tensor(u)), b.entropy(), b.mean, b.variance, b.mode,
                kl(g, G(t["c"], t["d"])), kl(b, B(t["c"], t["d"]))]
        sum(o.sum() * (k + 1) for k, o in enumerate(outs)).backward()
        res.append([o.detach().numpy() for o in outs] + [t[k].grad.numpy() for k in params])
    for k, (p, q) in enumerate(zip(*res)):
        # the gradients go through digamma's derivative (trigamma): PyTorch's is good to ~5e-10
        # relative (against mpmath), this project's to ~1e-13
        rtol = 1e-10 if k < len(res[0]) - len(params) else 1e-8
        np.testing.assert_allclose(p, q, rtol=rtol, atol=1e-12, err_msg=str(k))


def test_validation_refuses_capture_and_validate_args_false_compiles():
    # the checks read values in Python, which a replay would skip: ag.compile runs such a step
    # eagerly; validate_args=False steps are captured and replay the eager numbers
    loc = ag.tensor([0.5, 1.0], requires_grad=True)
    x = ag.tensor([0.0, 1.0])

    def make(validate):
        def step(v):
            loc.grad = None
            loss = -Normal(loc, 2.0, validate_args=validate).log_prob(v).sum()
            loss.backward()
            return loss
        return step

    with pytest.raises(ag.CompileFallback, match=r"Normal\(validate_args=True\)"):
        ag.compile(make(True), strict=True)(x)
    with pytest.raises(ag.CompileFallback, match=r"Categorical\(validate_args=True\)"):
        ag.compile(lambda p: Categorical(probs=p).entropy(), strict=True)(ag.tensor([0.5, 0.5]))
    eager = make(False)(x).item()
    eager_grad = loc.grad.numpy().copy()
    step = ag.compile(make(False), strict=True)
    for _ in range(3):
        assert step(x).item() == eager
        np.testing.assert_array_equal(loc.grad.numpy(), eager_grad)


def test_kl_mvn():
    # closed form: (tr(S_q^-1 S_p) + (mq - mp)' S_q^-1 (mq - mp) - k + log det S_q / det S_p) / 2
    sp, sq = np.array([[2.0, 0.3], [0.3, 1.0]]), np.array([[1.0, -0.2], [-0.2, 3.0]])
    mp, mq = np.array([0.5, -1.0]), np.array([1.5, 0.0])
    d = mq - mp
    want = 0.5 * (np.trace(np.linalg.solve(sq, sp)) + d @ np.linalg.solve(sq, d) - 2
                  + math.log(np.linalg.det(sq) / np.linalg.det(sp)))
    p, q = MultivariateNormal(_f64(mp, False), _f64(sp, False)), MultivariateNormal(_f64(mq, False), _f64(sq, False))
    np.testing.assert_allclose(kl_divergence(p, q).item(), want, rtol=1e-13)
    assert abs(kl_divergence(p, p).item()) < 1e-14
    args = (_f64([[0.5, -1.0]]), _f64([[1.2, 0.0], [0.3, 0.8]]), _f64([[1.5, 0.0], [0.2, 0.1]]),
            _f64([[1.0, 0.0], [-0.4, 1.7]]))
    assert ag.gradcheck(lambda a, L, b, M: kl_divergence(MultivariateNormal(a, scale_tril=L.tril()),
                                                         MultivariateNormal(b, scale_tril=M.tril())), args)
    with pytest.raises(ValueError, match="different event shapes"):
        kl_divergence(p, MultivariateNormal(ag.zeros(3, dtype=ag.float64), ag.eye(3, dtype=ag.float64)))


@pytest.mark.torch_parity
def test_kl_mvn_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(2, 3, 3)), rng.normal(size=(3, 3))
    params = {"mp": rng.normal(size=(2, 3)), "lp": np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + np.eye(3)),
              "mq": rng.normal(size=3), "cq": b @ b.T + np.eye(3)}
    res = []
    for lib, M, kl in ((ag, MultivariateNormal, kl_divergence),
                       (torch, torch.distributions.MultivariateNormal, torch.distributions.kl_divergence)):
        t = {k: lib.tensor(x, requires_grad=True) for k, x in params.items()}
        out = kl(M(t["mp"], scale_tril=t["lp"]), M(t["mq"], covariance_matrix=t["cq"]))
        (out * lib.tensor([1.0, 2.0])).sum().backward()
        res.append([out.detach().numpy()] + [t[k].grad.numpy() for k in params])
    for k, (x, y) in enumerate(zip(*res)):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-11, err_msg=str(k))
