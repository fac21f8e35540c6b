"""The distributions PyTorch 2.13 has that were missing (HalfCauchy, InverseGamma,
LogisticNormal, ...): PyTorch's numbers and gradients on the same values, sample moments
against closed forms, reparameterised gradients against float64 finite differences, and
PyTorch's error messages."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import distributions as D

# name, parameters, a value in the support (broadcast with the batch)
_CASES = [
    ("HalfCauchy", ([0.5, 2.0],), [0.3, 4.0]),
    ("InverseGamma", ([0.7, 3.0], [2.0, 0.5]), [0.4, 1.5]),
    ("InverseGamma", ([5.0, 2.5], [1.0, 3.0]), [0.25, 1.3]),
    ("LogisticNormal", ([[0.2, -0.5], [1.0, 0.0]], [[0.5, 2.0], [1.0, 0.3]]),
     [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]),
]


def _f64(a, grad=True):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, params, value", _CASES, ids=[c[0] for c in _CASES])
def test_match_torch(name, params, value):
    torch = pytest.importorskip("torch")
    ours_p = [_f64(p) for p in params]
    theirs_p = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    ours, theirs = getattr(D, name)(*ours_p), getattr(torch.distributions, name)(*theirs_p)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    assert repr(ours) == repr(theirs)
    # Gamma has no rsample here (DIFFERENCES.md), so neither has InverseGamma
    assert ours.has_rsample == theirs.has_rsample or name == "InverseGamma"

    def check(f, what, grad=True):
        a, t = f(ours, ag), f(theirs, torch)
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=f"{name}.{what}")
        if not (grad and t.requires_grad):
            return
        for p in ours_p + theirs_p:
            p.grad = None
        w = np.random.default_rng(3).normal(size=tuple(t.shape))
        (a * ag.tensor(w)).sum().backward()
        (t * torch.tensor(w)).sum().backward()
        for pa, pt in zip(ours_p, theirs_p):
            ga = np.zeros(pa.shape) if pa.grad is None else pa.grad.numpy()
            gt = np.zeros(tuple(pt.shape)) if pt.grad is None else pt.grad.numpy()
            np.testing.assert_allclose(ga, gt, rtol=1e-8, atol=1e-12,
                                       err_msg=f"{name}.{what} gradient")

    check(lambda d, lib: d.log_prob(lib.tensor(value, dtype=lib.float64)), "log_prob")
    if name != "LogisticNormal":  # PyTorch's has no entropy, mean, ... for it
        check(lambda d, lib: d.entropy(), "entropy")
        # PyTorch's igamma has no gradient in the concentration
        check(lambda d, lib: d.cdf(lib.tensor(value, dtype=lib.float64)), "cdf",
              grad=name != "InverseGamma")
        for prop in ("mean", "mode", "variance"):
            check(lambda d, lib: getattr(d, prop), prop)
    if name == "HalfCauchy":
        check(lambda d, lib: d.icdf(lib.tensor([0.3, 0.9], dtype=lib.float64)), "icdf")
    wide = (4,) + tuple(theirs.batch_shape)
    assert tuple(ours.expand(wide).sample((3,)).shape) == tuple(
        theirs.expand(wide).sample((3,)).shape)
    assert tuple(ours.sample().shape) == tuple(theirs.sample().shape)


@pytest.mark.torch_parity
def test_logistic_normal_scalar_parameters_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = D.LogisticNormal(0.5, 2.0), torch.distributions.LogisticNormal(0.5, 2.0)
    assert (tuple(ours.batch_shape), tuple(ours.event_shape)) == (
        tuple(theirs.batch_shape), tuple(theirs.event_shape)) == ((), (2,))
    x = [0.3, 0.7]
    np.testing.assert_allclose(ours.log_prob(ag.tensor(x, dtype=ag.float64)).numpy(),
                               theirs.log_prob(torch.tensor(x, dtype=torch.float64)).numpy(),
                               rtol=1e-12)


def test_sample_moments():
    # n draws: the sample mean is within 5 standard errors of the closed form
    n = 200_000
    ag.manual_seed(0)
    c, r = 6.0, 2.0  # InverseGamma: mean r / (c - 1), variance r^2 / ((c - 1)^2 (c - 2))
    x = D.InverseGamma(c, r).sample((n,)).double().numpy()
    var = r ** 2 / ((c - 1) ** 2 * (c - 2))
    assert abs(x.mean() - r / (c - 1)) < 5 * math.sqrt(var / n)
    assert (x > 0).all()
    # HalfCauchy(s): median s (P(X < s) = 1/2), P(X < 3 s) = 2 atan(3) / pi
    s = 1.5
    y = D.HalfCauchy(s).sample((n,)).numpy()
    for q, p in ((s, 0.5), (3 * s, 2 * math.atan(3) / math.pi)):
        assert abs((y < q).mean() - p) < 5 * math.sqrt(p * (1 - p) / n)
    # LogisticNormal: on the simplex, and the stick-breaking inverse of a draw is Normal
    loc, scale = np.array([0.3, -1.0]), np.array([0.5, 2.0])
    z = D.LogisticNormal(ag.tensor(loc), ag.tensor(scale)).sample((n,))
    np.testing.assert_allclose(z.sum(-1).numpy(), 1.0, rtol=1e-5)
    u = D.StickBreakingTransform().inv(z.double()).numpy()
    assert (np.abs(u.mean(0) - loc) < 5 * scale / math.sqrt(n)).all()


def _fd(f, param, h=1e-6):
    """d f / d param by central differences in float64, each f on the same draws (one seed)."""
    out = np.zeros(param.shape)
    for i in range(param.size):
        vals = []
        for step in (h, -h):
            p = param.copy()
            p.flat[i] += step
            ag.manual_seed(7)
            vals.append(f(ag.tensor(p)).item())
        out.flat[i] = (vals[0] - vals[1]) / (2 * h)
    return out


@pytest.mark.parametrize("name, start, f", [
    ("HalfCauchy", [0.5, 2.0], lambda s: D.HalfCauchy(s).rsample((5,)).sum()),
    # the draws sum to 1: weigh the entries so the gradient is not zero
    ("LogisticNormal", [[0.3, -1.0], [0.5, 0.2]],
     lambda loc: (D.LogisticNormal(loc, ag.tensor([0.5, 2.0], dtype=ag.float64)).rsample((5,))
                  * ag.tensor([1.0, 2.0, -3.0], dtype=ag.float64)).sum()),
], ids=["HalfCauchy", "LogisticNormal"])
def test_rsample_gradients_match_finite_differences(name, start, f):
    base = np.array(start)
    p = ag.tensor(base, requires_grad=True)
    ag.manual_seed(7)
    f(p).backward()
    np.testing.assert_allclose(p.grad.numpy(), _fd(f, base), rtol=1e-5)


@pytest.mark.torch_parity
@pytest.mark.parametrize("make", [
    lambda lib: lib.distributions.HalfCauchy(-1.0),
    lambda lib: lib.distributions.InverseGamma(-1.0, 1.0),
    lambda lib: lib.distributions.InverseGamma(1.0, 0.0),
    lambda lib: lib.distributions.LogisticNormal(0.0, -2.0),
    lambda lib: lib.distributions.HalfCauchy(1.0).log_prob(lib.tensor(-1.0)),
], ids=["halfcauchy-scale", "invgamma-concentration", "invgamma-rate", "logisticnormal-scale",
        "halfcauchy-support"])
def test_errors_match_torch(make):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        make(torch)
    with pytest.raises(ValueError) as ours:
        make(ag)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, p, q", [
    ("HalfCauchy", ([0.5, 2.0],), ([1.0, 1.0],)),
    ("InverseGamma", ([0.7, 3.0], [2.0, 0.5]), ([1.5, 1.0], [1.0, 2.0])),
    ("LogisticNormal", ([0.2, -0.5], [0.5, 2.0]), ([0.0, 0.0], [1.0, 1.0])),
])
def test_kl_matches_torch(name, p, q):
    torch = pytest.importorskip("torch")

    def build(lib, spec):
        return getattr(lib.distributions, name)(*[lib.tensor(v, dtype=lib.float64)
                                                  for v in spec])
    a = D.kl_divergence(build(ag, p), build(ag, q))
    t = torch.distributions.kl_divergence(build(torch, p), build(torch, q))
    np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-10)
