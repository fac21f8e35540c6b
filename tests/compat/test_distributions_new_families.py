"""The distributions PyTorch 2.13 has that were missing (HalfCauchy, InverseGamma,
LogisticNormal, ...): PyTorch's numbers and gradients on the same values, sample moments
against closed forms, reparameterised gradients against float64 finite differences, and
PyTorch's error messages."""

import math
import warnings

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
    assert ours.has_rsample == theirs.has_rsample

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


# ------------------------------------------------------------------ Wishart, LKJCholesky

_COV = [[[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]],
        [[1.0, 0.0, 0.0], [0.0, 3.0, 1.0], [0.0, 1.0, 2.0]]]
_W_VALUE = [[[3.0, 1.0, 0.2], [1.0, 2.0, 0.1], [0.2, 0.1, 1.5]],
            [[1.0, -0.3, 0.0], [-0.3, 4.0, 0.5], [0.0, 0.5, 2.5]]]


def _matrix_params(lib, kind):
    """The same scale given as each of the three matrices, in float64 with grad."""
    cov = np.array(_COV)
    if kind == "covariance_matrix":
        m = cov
    elif kind == "precision_matrix":
        m = np.linalg.inv(cov)
    else:
        m = np.linalg.cholesky(cov)
    return lib.tensor(m, dtype=lib.float64, requires_grad=True)


@pytest.mark.torch_parity
@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart_matches_torch(kind):
    torch = pytest.importorskip("torch")
    def make(lib):
        df = lib.tensor([4.5, 3.2], dtype=lib.float64, requires_grad=True)
        mat = _matrix_params(lib, kind)
        return lib.distributions.Wishart(df, **{kind: mat}), df, mat
    ours, theirs = make(ag)[0], make(torch)[0]
    assert repr(ours).replace("autograd_core", "torch") == repr(theirs)
    assert (tuple(ours.batch_shape), tuple(ours.event_shape)) == (
        tuple(theirs.batch_shape), tuple(theirs.event_shape))
    for prop in ("mean", "mode", "variance", "covariance_matrix", "precision_matrix",
                 "scale_tril"):
        np.testing.assert_allclose(getattr(ours, prop).detach().numpy(),
                                   getattr(theirs, prop).detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=prop)
    for what in ("log_prob", "entropy"):
        outs = {}
        for lib in (ag, torch):
            d, df, mat = make(lib)
            out = (d.log_prob(lib.tensor(_W_VALUE, dtype=lib.float64)) if what == "log_prob"
                   else d.entropy())
            (out * lib.tensor([1.0, -2.0], dtype=lib.float64)).sum().backward()
            outs[lib] = [out.detach().numpy(), df.grad.numpy(), mat.grad.numpy()]
        for a, t in zip(outs[ag], outs[torch]):
            np.testing.assert_allclose(a, t, rtol=1e-8, atol=1e-12, err_msg=what)
    e_ours, e_theirs = ours.expand((4, 2)), theirs.expand((4, 2))
    assert tuple(e_ours.sample((3,)).shape) == tuple(e_theirs.sample((3,)).shape) == (
        3, 4, 2, 3, 3)
    np.testing.assert_allclose(e_ours.mean.detach().numpy(), e_theirs.mean.detach().numpy(),
                               rtol=1e-10)


def test_wishart_sample_moments_and_support():
    # E[W] = df Sigma, Var(W_ij) = df (Sigma_ij^2 + Sigma_ii Sigma_jj): within 5 standard errors
    n, df = 100_000, 5.0
    cov = np.array(_COV[0])
    ag.manual_seed(0)
    d = D.Wishart(df, covariance_matrix=ag.tensor(cov, dtype=ag.float64))
    w = d.sample((n,)).numpy()
    var = df * (cov ** 2 + np.outer(np.diag(cov), np.diag(cov)))
    assert (np.abs(w.mean(0) - df * cov) < 5 * np.sqrt(var / n)).all()
    np.testing.assert_allclose(w, np.swapaxes(w, -1, -2))
    assert (np.linalg.eigvalsh(w[:1000]) > 0).all()


def test_wishart_rsample_gradient_in_the_scale_matches_finite_differences():
    tril = np.linalg.cholesky(np.array(_COV[1]))

    def f(t):
        return (D.Wishart(4.0, scale_tril=t, validate_args=False).rsample((3,))
                * ag.tensor(np.arange(9.0).reshape(3, 3))).sum()
    p = ag.tensor(tril, requires_grad=True)
    ag.manual_seed(7)
    f(p).backward()
    mask = np.tril(np.ones((3, 3))) > 0
    np.testing.assert_allclose(p.grad.numpy()[mask], _fd(f, tril)[mask], rtol=1e-5)


@pytest.mark.torch_parity
@pytest.mark.parametrize("make, kind", [
    (lambda lib: lib.distributions.Wishart(1.0, lib.eye(3)), ValueError),
    (lambda lib: lib.distributions.Wishart(lib.tensor([4.0, 1.0]), lib.eye(3)), ValueError),
    (lambda lib: lib.distributions.Wishart(4.0, -lib.eye(3)), ValueError),
    (lambda lib: lib.distributions.Wishart(4.0, scale_tril=lib.ones(2, 2)), ValueError),
    (lambda lib: lib.distributions.Wishart(4.0, lib.ones(2)), ValueError),
    (lambda lib: lib.distributions.Wishart(4.0, lib.eye(2), scale_tril=lib.eye(2)),
     AssertionError),
    (lambda lib: lib.distributions.Wishart(4.0, lib.eye(2)).log_prob(-lib.eye(2)), ValueError),
    (lambda lib: lib.distributions.LKJCholesky(1, 1.0), ValueError),
    (lambda lib: lib.distributions.LKJCholesky(2, 1.0).log_prob(lib.eye(2) * 2), ValueError),
], ids=["df-low", "df-batch", "cov", "tril", "one-dim", "two-matrices", "support", "lkj-dim",
        "lkj-support"])
def test_matrix_family_errors_match_torch(make, kind):
    torch = pytest.importorskip("torch")
    with pytest.raises(kind) as theirs:
        make(torch)
    with pytest.raises(kind) as ours:
        make(ag)
    assert str(ours.value).replace("autograd_core.Size", "torch.Size") == str(theirs.value)


def test_lkj_bad_concentration_names_lkj():
    # PyTorch's message names the inner Dirichlet of its Beta (DIFFERENCES.md)
    with pytest.raises(ValueError, match=r"concentration .* of distribution LKJCholesky\("
                                         r"concentration: -1.0\) to satisfy the constraint "
                                         r"GreaterThan\(lower_bound=0.0\)"):
        D.LKJCholesky(3, -1.0)


@pytest.mark.torch_parity
def test_lkj_cholesky_matches_torch():
    torch = pytest.importorskip("torch")
    ag.manual_seed(1)
    ours = D.LKJCholesky(4, ag.tensor([0.5, 3.0], dtype=ag.float64, requires_grad=True))
    value = ours.sample((5,))
    conc = torch.tensor([0.5, 3.0], dtype=torch.float64, requires_grad=True)
    theirs = torch.distributions.LKJCholesky(4, conc)
    assert repr(ours).replace("autograd_core", "torch") == repr(theirs)
    assert (tuple(ours.batch_shape), tuple(ours.event_shape)) == (
        tuple(theirs.batch_shape), tuple(theirs.event_shape))
    a = ours.log_prob(value)
    t = theirs.log_prob(torch.tensor(value.numpy()))
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-10)
    a.sum().backward()
    t.sum().backward()
    np.testing.assert_allclose(ours.concentration.grad.numpy(), conc.grad.numpy(), rtol=1e-8)
    assert theirs.support.check(torch.tensor(value.numpy())).all()
    assert tuple(ours.expand((3, 2)).sample((2,)).shape) == tuple(
        theirs.expand((3, 2)).sample((2,)).shape)


def test_lkj_cholesky_sample_moments():
    # an off-diagonal correlation r of LKJ(dim, eta): (r + 1) / 2 ~ Beta(a, a) with
    # a = eta - 1 + dim / 2, so E r = 0 and E r^2 = 1 / (2 a + 1), the same for every pair
    # (PyTorch 2.13's draws give 0.186 instead of 1/7 for all pairs but (1, 0)); within 5
    # standard errors (Var r^2 <= E r^2 as |r| <= 1)
    n, dim, eta = 100_000, 4, 2.0
    ag.manual_seed(0)
    L = D.LKJCholesky(dim, eta).sample((n,)).double().numpy()
    corr = L @ np.swapaxes(L, -1, -2)
    np.testing.assert_allclose(np.diagonal(corr, axis1=-2, axis2=-1), 1.0, rtol=1e-5)
    var = 1 / (2 * (eta - 1 + dim / 2) + 1)
    for i, j in ((1, 0), (2, 0), (3, 1), (3, 2)):
        r = corr[:, i, j]
        assert abs(r.mean()) < 5 * math.sqrt(var / n)
        assert abs((r ** 2).mean() - var) < 5 * math.sqrt(var / n)


def test_lkj_cholesky_draws_follow_its_log_prob():
    # the score identity: E[d log p(L) / d eta] = 0 when L is drawn from p (within 5
    # standard errors of the sample mean of the score)
    n, dim = 100_000, 5
    ag.manual_seed(2)
    L = D.LKJCholesky(dim, ag.tensor(1.5, dtype=ag.float64)).sample((n,))
    eta = ag.tensor(1.5, dtype=ag.float64, requires_grad=True)
    score = ag.autograd.grad(D.LKJCholesky(dim, eta, validate_args=False).log_prob(L).sum(),
                             eta)[0].item() / n
    h = 1e-5
    per_draw = (D.LKJCholesky(dim, 1.5 + h, validate_args=False).log_prob(L)
                - D.LKJCholesky(dim, 1.5 - h, validate_args=False).log_prob(L)).numpy() / (2 * h)
    assert abs(score) < 5 * per_draw.std() / math.sqrt(n)


@pytest.mark.torch_parity
def test_matrix_constraints_match_torch():
    torch = pytest.importorskip("torch")
    from autograd_core.distributions import constraints as C

    mats = [np.eye(3), [[1.0, 0.0], [0.6, 0.8]], [[1.0, 0.5], [0.5, 1.0]],
            [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [0.0, 0.0]], np.ones((2, 3)),
            [[2.0, 0.0], [1.0, -1.0]], [[1.0, 0.0], [0.6, 0.8000001]],
            [[1.0, 0.5], [0.5 + 5e-7, 1.0]], np.stack([np.eye(2), -np.eye(2)])]
    for name in ("lower_triangular", "corr_cholesky", "square", "symmetric",
                 "positive_semidefinite", "positive_definite", "lower_cholesky"):
        ours, theirs = getattr(C, name), getattr(torch.distributions.constraints, name)
        assert repr(ours) == repr(theirs) and ours.event_dim == theirs.event_dim
        for m in mats:
            m = np.asarray(m, dtype=np.float64)
            np.testing.assert_array_equal(ours.check(ag.tensor(m)).numpy(),
                                          theirs.check(torch.tensor(m)).numpy(),
                                          err_msg=f"{name} {m.tolist()}")


# ---------------------------------------------------------------------------- new transforms

@pytest.mark.torch_parity
@pytest.mark.parametrize("name, x", [
    ("CorrCholeskyTransform", [[0.5, -1.0, 0.3], [2.0, 0.1, -3.0]]),
    ("CorrCholeskyTransform", [0.7]),
    ("CorrCholeskyTransform", [0.1, -0.2, 0.3, 1.5, -2.5, 0.0]),
    ("PositiveDefiniteTransform", [[[0.3, 5.0], [2.0, -1.0]], [[1.0, 0.0], [-4.0, 0.5]]]),
], ids=["corr3-batch", "corr2", "corr4", "posdef"])
def test_new_transforms_match_torch(name, x):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(D, name)(), getattr(torch.distributions, name)()
    assert repr(ours) == repr(theirs) and ours.bijective == theirs.bijective
    assert repr(ours.codomain) == repr(theirs.codomain)
    xa = ag.tensor(x, dtype=ag.float64, requires_grad=True)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ya, yt = ours(xa), theirs(xt)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert tuple(ours.forward_shape(xa.shape)) == tuple(theirs.forward_shape(xt.shape))
    assert tuple(ours.inverse_shape(ya.shape)) == tuple(theirs.inverse_shape(yt.shape))
    assert ours.codomain.check(ya.detach()).numpy().all()
    np.testing.assert_allclose(ours.inv(ya.detach()).numpy(), theirs.inv(yt.detach()).numpy(),
                               rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(0).normal(size=tuple(yt.shape))
    (ya * ag.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    if name == "CorrCholeskyTransform":
        la = ours.log_abs_det_jacobian(xa, ours(xa))
        lt = theirs.log_abs_det_jacobian(xt, theirs(xt))
        np.testing.assert_allclose(la.detach().numpy(), lt.detach().numpy(), rtol=1e-12)


def test_corr_cholesky_log_det_is_the_jacobian_of_the_lower_triangle():
    # log |det d(y_lower) / dx| by float64 finite differences of the map onto the strictly
    # lower entries (which determine the factor)
    x = np.array([0.4, -0.7, 1.2])
    t = D.CorrCholeskyTransform()
    rows, cols = np.tril_indices(3, -1)

    def lower(v):
        return t(ag.tensor(v, dtype=ag.float64)).numpy()[rows, cols]
    h = 1e-6
    jac = np.stack([(lower(x + h * e) - lower(x - h * e)) / (2 * h) for e in np.eye(3)], 1)
    y = t(ag.tensor(x, dtype=ag.float64))
    np.testing.assert_allclose(t.log_abs_det_jacobian(ag.tensor(x, dtype=ag.float64), y).item(),
                               np.log(abs(np.linalg.det(jac))), rtol=1e-7)


@pytest.mark.torch_parity
def test_cumulative_distribution_transform_matches_torch():
    torch = pytest.importorskip("torch")
    x = [-1.0, 0.3, 2.0]
    ours = D.CumulativeDistributionTransform(D.Normal(0.5, 2.0))
    theirs = torch.distributions.CumulativeDistributionTransform(
        torch.distributions.Normal(0.5, 2.0))
    xa, xt = ag.tensor(x), torch.tensor(x)
    for a, t in ((ours(xa), theirs(xt)), (ours.inv(ag.tensor([0.2, 0.9])),
                                           theirs.inv(torch.tensor([0.2, 0.9]))),
                 (ours.log_abs_det_jacobian(xa, ours(xa)),
                  theirs.log_abs_det_jacobian(xt, theirs(xt)))):
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-6)
    assert repr(ours.domain) == repr(theirs.domain) and ours.sign == theirs.sign == 1
    assert ours.with_cache(1)._cache_size == 1 and ours.with_cache(0) is ours
    # the probability integral transform of a Normal is Uniform(0, 1): log_prob 0 inside
    u = D.TransformedDistribution(D.Normal(0.5, 2.0), [ours])
    np.testing.assert_allclose(u.log_prob(ag.tensor([0.1, 0.5, 0.95])).numpy(), 0.0,
                               atol=1e-6)


@pytest.mark.torch_parity
def test_biject_to_and_transform_to_for_the_new_constraints():
    torch = pytest.importorskip("torch")
    C, TC = D.constraints, torch.distributions.constraints
    for name in ("corr_cholesky", "positive_definite", "positive_semidefinite",
                 "lower_cholesky"):
        for fn in ("biject_to", "transform_to"):
            try:
                expected = repr(getattr(torch.distributions, fn)(getattr(TC, name)))
            except NotImplementedError as e:
                with pytest.raises(NotImplementedError, match=str(e)):
                    getattr(D, fn)(getattr(C, name))
                continue
            assert repr(getattr(D, fn)(getattr(C, name))) == expected, (fn, name)
    assert D.transforms.identity_transform(ag.tensor([1.5])).item() == 1.5


# ------------------------------------------------- dependent, cat, stack, multinomial, mixture

@pytest.mark.torch_parity
def test_structural_constraints_match_torch():
    torch = pytest.importorskip("torch")
    C, T = D.constraints, torch.distributions.constraints
    assert set(T.__all__) <= set(C.__all__) and all(hasattr(C, n) for n in T.__all__)
    cases = [
        (lambda c: c.cat([c.positive, c.real], 0, [2, 1]), [1.0, -1.0, -3.0]),
        (lambda c: c.cat([c.positive, c.unit_interval], 1), [[1.0, 0.5], [-1.0, 2.0]]),
        (lambda c: c.stack([c.positive, c.unit_interval], 1), [[1.0, 0.5], [-1.0, 2.0]]),
        (lambda c: c.multinomial(3), [[1.0, 2.0], [2.0, 2.0], [-1.0, 0.0]]),
        (lambda c: c.MixtureSameFamilyConstraint(c.positive), [[1.0, -1.0], [2.0, 3.0]]),
        (lambda c: c.MixtureSameFamilyConstraint(c.simplex), [[0.5, 0.5], [0.2, 0.9]]),
    ]
    for make, value in cases:
        ours, theirs = make(C), make(T)
        assert repr(ours) == repr(theirs)
        assert (ours.event_dim, ours.is_discrete) == (theirs.event_dim, theirs.is_discrete)
        np.testing.assert_array_equal(ours.check(ag.tensor(value)).numpy(),
                                      theirs.check(torch.tensor(value)).numpy())
    for fn in ("biject_to", "transform_to"):
        for make in (lambda c: c.cat([c.positive, c.real], 0, [2, 1]),
                     lambda c: c.stack([c.positive, c.unit_interval], 1)):
            ours, theirs = getattr(D, fn)(make(C)), getattr(torch.distributions, fn)(make(T))
            assert repr(ours) == repr(theirs)
            x = [[0.3, -1.2], [2.0, 0.1], [-0.5, 0.7]]
            np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(),
                                       rtol=1e-6)
    mix = D.MixtureSameFamily(D.Categorical(probs=ag.tensor([0.5, 0.5])),
                              D.Normal(ag.zeros(2), ag.ones(2)))
    assert repr(mix.support) == "MixtureSameFamilyConstraint(Real())"
    with pytest.raises(AssertionError, match="base_constraint must be a Constraint, got int"):
        C.MixtureSameFamilyConstraint(3)


@pytest.mark.torch_parity
def test_dependent_constraints_match_torch():
    torch = pytest.importorskip("torch")
    C, T = D.constraints, torch.distributions.constraints
    assert repr(C.dependent) == repr(T.dependent) == "Dependent()"
    for lib in (C, T):
        assert lib.is_dependent(lib.dependent) and not lib.is_dependent(lib.real)
        d = lib.dependent(is_discrete=True, event_dim=1)
        assert lib.is_dependent(d) and (d.is_discrete, d.event_dim) == (True, 1)
    for attr in ("is_discrete", "event_dim"):
        with pytest.raises(NotImplementedError) as theirs:
            getattr(T.dependent, attr)
        with pytest.raises(NotImplementedError, match=str(theirs.value)):
            getattr(C.dependent, attr)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        C.dependent.check(ag.ones(1))

    class Box(D.Distribution):
        arg_constraints = {}

        def __init__(self, high):
            self.high = high
            super().__init__(validate_args=True)

        @C.dependent_property(is_discrete=False, event_dim=0)
        def support(self):
            return C.interval(0.0, self.high)

        def log_prob(self, value):
            self._validate_sample(value)
            return ag.zeros_like(value)

    assert C.is_dependent(Box.support) and Box.support.event_dim == 0
    assert repr(Box(2.0).support) == "Interval(lower_bound=0.0, upper_bound=2.0)"
    Box(2.0).log_prob(ag.tensor([1.5]))
    with pytest.raises(ValueError, match="to be within the support"):
        Box(2.0).log_prob(ag.tensor([2.5]))


# ----------------------------------------------------------- FisherSnedecor, GeneralizedPareto

_MORE = [
    ("FisherSnedecor", ([3.0, 5.0, 1.5], [10.0, 3.0, 4.5]), [1.0, 2.0, 0.3],
     ("mean", "mode", "variance")),
    ("GeneralizedPareto", ([0.0, 1.0, -1.0], [2.0, 0.5, 1.0], [0.0, 0.4, -0.3]),
     [1.0, 1.5, 0.5], ("mean", "mode", "variance", "entropy", "cdf", "icdf")),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, params, value, extra", _MORE, ids=[c[0] for c in _MORE])
def test_more_families_match_torch(name, params, value, extra):
    torch = pytest.importorskip("torch")

    # PyTorch 2.13's GeneralizedPareto.log_prob raises for float64 parameters (it compares
    # them with a float32 zero in isclose), so that one is compared in float32
    f32 = name == "GeneralizedPareto"
    rtol, grad_rtol = (1e-6, 1e-5) if f32 else (1e-10, 1e-8)

    def dtype(lib):
        return lib.float32 if f32 else lib.float64

    def make(lib):
        ps = [lib.tensor(p, dtype=dtype(lib), requires_grad=True) for p in params]
        return getattr(lib.distributions, name)(*ps), ps
    ours, theirs = make(ag)[0], make(torch)[0]
    assert repr(ours).replace("autograd_core", "torch") == repr(theirs)
    assert ours.has_rsample == theirs.has_rsample
    for what in ("log_prob",) + extra:
        outs = []
        for lib in (ag, torch):
            d, ps = make(lib)
            v = lib.tensor(value, dtype=dtype(lib))
            out = (d.log_prob(v) if what == "log_prob" else d.entropy() if what == "entropy"
                   else d.cdf(v) if what == "cdf"
                   else d.icdf(lib.tensor([0.2, 0.5, 0.9], dtype=dtype(lib)))
                   if what == "icdf" else getattr(d, what))
            grads = []
            if out.requires_grad:
                w = np.arange(1.0, 1.0 + out.numel(), dtype=np.float32 if f32 else np.float64)
                w = w.reshape(tuple(out.shape))
                # a NaN entry (an undefined moment) would spread into every gradient
                mask = ~np.isnan(out.detach().numpy())
                (lib.where(lib.tensor(mask), out, 0.0) * lib.tensor(w)).sum().backward()
                grads = [p.grad.numpy() for p in ps if p.grad is not None]
            outs.append((out.detach().numpy(), grads))
        np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=rtol, atol=1e-12,
                                   err_msg=f"{name}.{what}")
        assert len(outs[0][1]) == len(outs[1][1])
        for a, t in zip(outs[0][1], outs[1][1]):
            np.testing.assert_allclose(a, t, rtol=grad_rtol, atol=1e-6 if f32 else 1e-12,
                                       err_msg=f"{name}.{what}")
    assert tuple(ours.expand((4, 3)).sample((2,)).shape) == (2, 4, 3)


def test_more_families_sample_moments():
    n = 200_000
    ag.manual_seed(0)
    # F(d1, d2): mean d2 / (d2 - 2), variance as PyTorch's closed form; 5 standard errors
    d = D.FisherSnedecor(6.0, 12.0)
    x = d.sample((n,)).double().numpy()
    assert abs(x.mean() - d.mean.item()) < 5 * math.sqrt(d.variance.item() / n)
    # GeneralizedPareto: P(X > x) = (1 + xi z) ** (-1 / xi), checked at two points
    g = D.GeneralizedPareto(1.0, 2.0, 0.3)
    y = g.sample((n,)).numpy()
    for q in (1.5, 4.0):
        p = (1 + 0.3 * (q - 1.0) / 2.0) ** (-1 / 0.3)
        assert abs((y > q).mean() - p) < 5 * math.sqrt(p * (1 - p) / n)
    # xi < 0: bounded support [loc, loc - scale / xi]
    b = D.GeneralizedPareto(0.0, 1.0, -0.5).sample((1000,)).numpy()
    assert (b >= 0).all() and (b <= 2.0).all()


def test_generalized_pareto_rsample_gradient_matches_finite_differences():
    base = np.array([0.5, 2.0, -0.2])

    def f(params):
        return D.GeneralizedPareto(params[0], params[1], params[2]).rsample((4,)).sum()
    p = ag.tensor(base, dtype=ag.float64, requires_grad=True)
    ag.manual_seed(7)
    f(p).backward()
    np.testing.assert_allclose(p.grad.numpy(), _fd(f, base), rtol=1e-5)


@pytest.mark.torch_parity
@pytest.mark.parametrize("make", [
    lambda lib: lib.distributions.GeneralizedPareto(0.0, -1.0, 0.1),
    lambda lib: lib.distributions.GeneralizedPareto(0.0, 2.0, -0.5).log_prob(lib.tensor(5.0)),
    lambda lib: lib.distributions.FisherSnedecor(1.0, 2.0).log_prob(lib.tensor(-1.0)),
], ids=["gp-scale", "gp-support", "f-support"])
def test_more_families_errors_match_torch(make):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        make(torch)
    with pytest.raises(ValueError) as ours:
        make(ag)
    assert str(ours.value) == str(theirs.value)


def test_fisher_snedecor_bad_df_names_fisher_snedecor():
    # PyTorch's message names an inner Gamma (DIFFERENCES.md)
    with pytest.raises(ValueError, match=r"Expected parameter df2 \(Tensor of shape \(\)\) of "
                                         r"distribution FisherSnedecor\(df1: 1.0, df2: -2.0\) "
                                         r"to satisfy the constraint GreaterThan"):
        D.FisherSnedecor(1.0, -2.0)


# ------------------------------------------------------------------------- ExponentialFamily

_EXPFAM = [("Normal", ([0.3, -1.0], [0.5, 2.0])), ("Bernoulli", ([0.3, 0.9],)),
           ("Exponential", ([0.5, 3.0],)), ("Gamma", ([2.0, 0.5], [1.0, 3.0]))]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, params", _EXPFAM, ids=[c[0] for c in _EXPFAM])
def test_exponential_family_entropy_matches_torch_and_the_closed_form(name, params):
    torch = pytest.importorskip("torch")
    outs = []
    for lib in (ag, torch):
        ps = [lib.tensor(p, dtype=lib.float64, requires_grad=True) for p in params]
        d = getattr(lib.distributions, name)(*ps)
        assert isinstance(d, lib.distributions.ExponentialFamily)
        h = lib.distributions.ExponentialFamily.entropy(d)
        outs.append((h.detach().numpy(), d.entropy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-10)
    np.testing.assert_allclose(outs[0][0], outs[0][1].detach().numpy(), rtol=1e-10)


@pytest.mark.torch_parity
def test_wishart_kl_matches_torch_per_batch_entry():
    # PyTorch's Bregman KL of a batch of Wisharts sums the df terms over the batch; each
    # entry here equals PyTorch's KL of that entry alone
    torch = pytest.importorskip("torch")
    dfs = [4.5, 3.2]
    cov_q = np.diag([1.0, 2.0, 3.0])

    def pair(lib, df, grad=False):
        # the gradient reaches q's parameters (PyTorch's Bregman form detaches p's)
        df_q = lib.tensor(5.0, dtype=lib.float64, requires_grad=grad)
        p = lib.distributions.Wishart(lib.tensor(df, dtype=lib.float64),
                                      covariance_matrix=lib.tensor(_COV[0], dtype=lib.float64))
        q = lib.distributions.Wishart(df_q, covariance_matrix=lib.tensor(cov_q,
                                                                         dtype=lib.float64))
        return lib.distributions.kl_divergence(p, q), df_q
    ours = pair(ag, dfs)[0].detach().numpy()
    for i, df in enumerate(dfs):
        t, t_df = pair(torch, df, True)
        a, a_df = pair(ag, df, True)
        np.testing.assert_allclose(a.item(), t.item(), rtol=1e-10)
        np.testing.assert_allclose(ours[i], t.item(), rtol=1e-10)
        t.backward()
        a.backward()
        np.testing.assert_allclose(a_df.grad.item(), t_df.grad.item(), rtol=1e-8)


@pytest.mark.torch_parity
def test_exponential_family_kl_pairs_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        with pytest.raises(NotImplementedError, match="cross KL-divergence"):
            lib.distributions.kl_divergence(lib.distributions.Poisson(1.0),
                                            lib.distributions.Normal(0.0, 1.0))
    # ContinuousBernoulli's registered closed form, and the Bregman form of a user's family
    p, q = [0.3, 0.5001, 0.9], [0.7, 0.2, 0.4]
    a = D.kl_divergence(D.ContinuousBernoulli(ag.tensor(p, dtype=ag.float64)),
                        D.ContinuousBernoulli(ag.tensor(q, dtype=ag.float64)))
    t = torch.distributions.kl_divergence(
        torch.distributions.ContinuousBernoulli(torch.tensor(p, dtype=torch.float64)),
        torch.distributions.ContinuousBernoulli(torch.tensor(q, dtype=torch.float64)))
    np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-10)

    class MyExp(D.ExponentialFamily):  # Exponential(rate) through the generic machinery
        arg_constraints = {}

        def __init__(self, rate):
            self.rate = rate
            super().__init__(rate.shape, validate_args=False)

        @property
        def _natural_params(self):
            return (-self.rate,)

        def _log_normalizer(self, x):
            return -(-x).log()

        _mean_carrier_measure = 0

    r1, r2 = ag.tensor([0.5, 3.0], dtype=ag.float64), ag.tensor([2.0, 1.0], dtype=ag.float64)
    np.testing.assert_allclose(D.kl_divergence(MyExp(r1), MyExp(r2)).detach().numpy(),
                               D.kl_divergence(D.Exponential(r1), D.Exponential(r2)).numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(MyExp(r1).entropy().detach().numpy(), 1 - np.log([0.5, 3.0]),
                               rtol=1e-12)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, good, bad", [
    ("Weibull", (1.0, 2.0), (-1.0, 1.0)),
    ("Pareto", (1.0, 2.0), (1.0, -2.0)),
    ("Kumaraswamy", (1.0, 2.0), (1.0, 0.0)),
    ("LogNormal", (0.0, 1.0), (0.0, -1.0)),
    ("HalfNormal", (1.0,), (-1.0,)),
])
def test_transformed_family_reprs_and_errors_match_torch(name, good, bad):
    # Weibull, Pareto and Kumaraswamy showed their parameters' shapes, "(scale: (), ...)",
    # where PyTorch shows the values, in their repr and so in every error message
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(D, name), getattr(torch.distributions, name)
    assert repr(ours(*good)) == repr(theirs(*good))
    wide = [torch.ones(2) * v for v in good]
    assert repr(ours(*[ag.tensor(w.numpy()) for w in wide])).replace(
        "autograd_core", "torch") == repr(theirs(*wide))
    with pytest.raises(ValueError) as t:
        theirs(*bad)
    with pytest.raises(ValueError) as a:
        ours(*bad)
    assert str(a.value) == str(t.value)


@pytest.mark.torch_parity
def test_wishart_low_df_warns_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning) as theirs:
        torch.distributions.Wishart(2.5, torch.eye(3))
    with pytest.warns(UserWarning, match="Low df values detected") as ours:
        d = D.Wishart(2.5, ag.eye(3))
    assert str(ours[0].message) == str(theirs[0].message)
    # draws for p - 1 < df < p are still symmetric and (but for rare rounding) definite
    ag.manual_seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = d.sample((200,)).double().numpy()
    np.testing.assert_allclose(w, np.swapaxes(w, -1, -2), rtol=1e-6)
    assert (np.linalg.eigvalsh(w) > -1e-6).all()
