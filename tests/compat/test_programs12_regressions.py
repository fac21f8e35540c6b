"""Regressions found running public PyTorch programs on tapegrad (round 12).

Harness and results: /work/progs_runs/progs12/ (RESULTS12.md).
"""
import pytest

import autograd_core as ag
from autograd_core import distributions as D


@pytest.mark.torch_parity
def test_transformed_distribution_support_and_transform_domains():
    """p01 SAC (denisyarats/pytorch_sac SquashedNormal): ``dist.support`` of a
    TransformedDistribution raised AttributeError; transforms had no domain/codomain."""
    torch = pytest.importorskip("torch")

    def cases(lib):
        T = lib.distributions.transforms
        base = lib.distributions.Normal(lib.zeros(3, 4), lib.ones(3, 4))
        ts = [T.TanhTransform(), T.SigmoidTransform(), T.PowerTransform(2.0),
              T.ExpTransform().inv, T.IndependentTransform(T.SigmoidTransform(), 1),
              T.ComposeTransform([T.ReshapeTransform((4,), (2, 2)), T.ExpTransform()])]
        out = [(repr(t.domain), repr(t.codomain)) for t in ts]
        for tr in ([], [T.TanhTransform(), T.AffineTransform(0.0, 2.0)],
                   [T.ExpTransform(), T.ReshapeTransform((4,), (2, 2))],
                   [T.IndependentTransform(T.TanhTransform(), 1)]):
            out.append(repr(lib.distributions.TransformedDistribution(base, tr).support))
        out.append(repr(lib.distributions.TransformedDistribution(
            lib.distributions.Independent(base, 1), [T.SigmoidTransform()]).support))
        return out

    assert cases(ag) == cases(torch)


def test_tanh_squashed_support_checks_values():
    """The support of a tanh-squashed Normal is the open-ended interval [-1, 1]."""
    d = D.TransformedDistribution(D.Normal(ag.zeros(2), ag.ones(2)), [D.TanhTransform()])
    assert d.support.check(ag.tensor([0.5, 1.5])).tolist() == [True, False]


def test_bernoulli_enumerate_support():
    """p02 VAE: ``Bernoulli.enumerate_support()`` raised NotImplementedError (PyTorch's gives
    0., 1. in the parameters' dtype, expanded over the batch unless expand=False)."""
    d = D.Bernoulli(logits=ag.zeros(2, 3, dtype=ag.float64))
    v = d.enumerate_support()
    assert d.has_enumerate_support
    assert tuple(v.shape) == (2, 2, 3) and v.dtype == ag.float64
    assert v[0].tolist() == [[0.0] * 3] * 2 and v[1].tolist() == [[1.0] * 3] * 2
    assert tuple(d.enumerate_support(expand=False).shape) == (2, 1, 1)
    p = D.Bernoulli(probs=ag.tensor([0.25, 0.5]))
    lp = p.log_prob(p.enumerate_support())
    assert ag.allclose(lp.exp().sum(0), ag.ones(2))


def test_user_transform_with_vector_domain_keeps_batch_log_det():
    """p06 RealNVP coupling written as a Transform subclass with ``domain = codomain =
    constraints.real_vector`` and a per-sample ``log_abs_det_jacobian`` (shape (batch,)):
    TransformedDistribution.log_prob summed the log-det over the batch (event dims were
    read from ``event_dim`` = 0, not from the domain), giving nll -19.0 where PyTorch has 2.12."""
    import math

    class Scale(D.Transform):
        domain = D.constraints.real_vector
        codomain = D.constraints.real_vector
        bijective = True

        def _call(self, x):
            return x * ag.tensor([2.0, 0.5])

        def _inverse(self, y):
            return y / ag.tensor([2.0, 0.5])

        def log_abs_det_jacobian(self, x, y):
            return ag.zeros(x.shape[:-1])  # log 2 + log 0.5

    t = Scale()
    assert (t.domain_event_dim, t.codomain_event_dim) == (1, 1)
    base = D.Independent(D.Normal(ag.zeros(2), ag.ones(2)), 1)
    flow = D.TransformedDistribution(base, [t])
    assert tuple(flow.event_shape) == (2,) and tuple(flow.batch_shape) == ()
    y = ag.tensor([[2.0, 0.5], [0.0, 1.0], [-4.0, 0.0]])
    x = [[1.0, 1.0], [0.0, 2.0], [-2.0, 0.0]]
    expected = [-math.log(2 * math.pi) - 0.5 * (a * a + b * b) for a, b in x]
    assert ag.allclose(flow.log_prob(y), ag.tensor(expected))


def test_load_state_dict_complex_parameter():
    """p09 FNO-1d (neuraloperator fourier_1d.py): SpectralConv1d's ``weights1`` is a cfloat
    Parameter; load_state_dict refused it ("expected a numeric array, got dtype complex64")."""
    import numpy as np
    from autograd_core import nn

    class Spectral(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(ag.zeros(2, 3, dtype=ag.cfloat))

    m = Spectral()
    value = (np.arange(6).reshape(2, 3) + 1j * np.arange(6, 12).reshape(2, 3)).astype(np.complex64)
    m.load_state_dict({"w": ag.tensor(value)})
    assert m.w.dtype == ag.cfloat
    assert m.w.real.tolist() == value.real.tolist() and m.w.imag.tolist() == value.imag.tolist()
    m2 = Spectral()
    m2.load_state_dict(m.state_dict())
    assert m2.w.imag.tolist() == value.imag.tolist()


def test_gamma_cdf_and_incomplete_gamma_closed_forms():
    """p12 robust/count models: ``Gamma(...).cdf`` raised NotImplementedError and
    ``special.gammainc`` / ``gammaincc`` were missing. Closed forms: P(1, x) = 1 - e**-x,
    P(2, x) = 1 - (1 + x) e**-x, P(1/2, x) = erf(sqrt x); dP/dx = x**(a-1) e**-x / Gamma(a)."""
    import math

    x = [0.0, 0.1, 1.0, 3.5, 40.0]
    xt = ag.tensor(x, dtype=ag.float64)
    p1 = ag.special.gammainc(ag.tensor(1.0, dtype=ag.float64), xt)
    p2 = ag.special.gammainc(ag.full((5,), 2.0, dtype=ag.float64), xt)
    ph = ag.special.gammainc(ag.tensor(0.5, dtype=ag.float64), xt)
    assert ag.allclose(p1, ag.tensor([1 - math.exp(-v) for v in x], dtype=ag.float64), atol=1e-15)
    assert ag.allclose(p2, ag.tensor([1 - (1 + v) * math.exp(-v) for v in x], dtype=ag.float64),
                       atol=1e-15)
    assert ag.allclose(ph, ag.tensor([math.erf(math.sqrt(v)) for v in x], dtype=ag.float64),
                       atol=1e-15)
    q = ag.special.gammaincc(ag.tensor([1.0, 2.0], dtype=ag.float64),
                             ag.tensor([50.0, 50.0], dtype=ag.float64))
    assert ag.allclose(q, ag.tensor([math.exp(-50), 51 * math.exp(-50)], dtype=ag.float64),
                       rtol=1e-12, atol=0)  # the upper tail without cancellation
    v = ag.tensor([0.5, 2.0], requires_grad=True)
    g = D.Gamma(ag.tensor([3.0, 3.0]), ag.tensor([2.0, 2.0]))
    c = g.cdf(v)
    c.sum().backward()
    # Gamma(3, rate 2): cdf(v) = P(3, 2v); density 4 v**2 e**(-2v)
    want = [1 - (1 + 2 * t + 2 * t * t) * math.exp(-2 * t) for t in (0.5, 2.0)]
    assert ag.allclose(c, ag.tensor(want), atol=1e-6)
    assert ag.allclose(v.grad, ag.tensor([4 * t * t * math.exp(-2 * t) for t in (0.5, 2.0)]),
                       atol=1e-6)
    a = ag.tensor([2.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="igamma: input"):
        ag.special.gammainc(a, ag.tensor([1.0])).backward()


@pytest.mark.torch_parity
def test_incomplete_gamma_edges_match_torch():
    """gammainc / gammaincc at PyTorch's edge values (zeros, infinities, negatives, NaN)."""
    torch = pytest.importorskip("torch")
    import math

    inf, nan = math.inf, math.nan
    a = [0.0, 0.0, 0.0, 1.0, 1.0, -1.0, 1.0, inf, inf, 2.0, nan, 3.0, 300.0, 0.01]
    x = [0.0, 1.0, inf, 0.0, inf, 1.0, -1.0, 1.0, inf, nan, 1.0, 1e-300, 250.0, 2.0]
    for name in ("gammainc", "gammaincc"):
        want = getattr(torch.special, name)(torch.tensor(a, dtype=torch.float64),
                                            torch.tensor(x, dtype=torch.float64))
        got = getattr(ag.special, name)(ag.tensor(a, dtype=ag.float64),
                                        ag.tensor(x, dtype=ag.float64))
        assert ag.allclose(got, ag.tensor(want.numpy()), rtol=1e-8, atol=1e-15, equal_nan=True)


def test_affine_transform_event_dim():
    """Flow code builds ``AffineTransform(loc, scale, event_dim=1)`` (a vector layer): it raised
    NotImplementedError. log|det| sums log|scale| over the event, as PyTorch's."""
    import math

    scale = ag.tensor([0.5, 2.0, 1.5])
    t = D.AffineTransform(ag.tensor([1.0, 2.0, 3.0]), scale, event_dim=1)
    x = ag.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
    ladj = t.log_abs_det_jacobian(x, t(x))
    assert tuple(ladj.shape) == (2,)
    assert ag.allclose(ladj, ag.full((2,), math.log(0.5 * 2.0 * 1.5)))
    assert repr(t.domain) == "IndependentConstraint(Real(), 1)" and t.event_dim == 1
    d = D.TransformedDistribution(D.Normal(ag.zeros(3), ag.ones(3)), [t])
    assert tuple(d.event_shape) == (3,) and tuple(d.batch_shape) == ()
    z = (x - ag.tensor([1.0, 2.0, 3.0])) / scale
    want = (-0.5 * z * z - 0.5 * math.log(2 * math.pi)).sum(-1) - math.log(1.5)
    assert ag.allclose(d.log_prob(x), want)
    assert tuple(D.AffineTransform(0.0, 2.0, event_dim=2).log_abs_det_jacobian(
        ag.zeros(4, 2, 3), ag.zeros(4, 2, 3)).shape) == (4,)


def test_mvn_and_transformed_expand():
    """p19 (shape-semantics tutorial code): ``MultivariateNormal.expand`` and
    ``TransformedDistribution.expand`` raised NotImplementedError."""
    import math

    L = ag.tensor([[1.0, 0.0], [0.3, 0.8]])
    m = D.MultivariateNormal(ag.tensor([0.5, -1.0]), scale_tril=L).expand((3, 2))
    assert tuple(m.batch_shape) == (3, 2) and tuple(m.event_shape) == (2,)
    assert tuple(m.scale_tril.shape) == (3, 2, 2, 2)
    # log N(x; mu, L L^T) at x = mu: -log(2 pi) - log det L
    lp = m.log_prob(ag.tensor([0.5, -1.0]))
    assert ag.allclose(lp, ag.full((3, 2), -math.log(2 * math.pi) - math.log(0.8)))
    with pytest.raises(RuntimeError):
        D.MultivariateNormal(ag.zeros(4, 2), scale_tril=L).expand((3,))
    t = D.TransformedDistribution(D.Normal(ag.zeros(2), ag.ones(2)), [D.ExpTransform()])
    e = t.expand((3, 2))
    assert tuple(e.batch_shape) == (3, 2) and tuple(e.base_dist.batch_shape) == (3, 2)
    # log-normal density at y = 1: -0.5 log(2 pi)
    assert ag.allclose(e.log_prob(ag.ones(3, 2)), ag.full((3, 2), -0.5 * math.log(2 * math.pi)))


def test_categorical_and_bernoulli_expand():
    """p19: ``Categorical.expand`` / ``Bernoulli.expand`` raised NotImplementedError."""
    import math

    c = D.Categorical(probs=ag.tensor([[0.2, 0.8], [0.5, 0.5]])).expand((4, 2))
    assert tuple(c.batch_shape) == (4, 2) and tuple(c.probs.shape) == (4, 2, 2)
    lp = c.log_prob(ag.zeros(4, 2, dtype=ag.int64))
    assert ag.allclose(lp, ag.tensor([[math.log(0.2), math.log(0.5)]] * 4))
    assert tuple(c.enumerate_support().shape) == (2, 4, 2)
    b = D.Bernoulli(probs=ag.tensor(0.25)).expand((3,))
    assert tuple(b.batch_shape) == (3,)
    assert ag.allclose(b.log_prob(ag.ones(3)), ag.full((3,), math.log(0.25)))
    assert tuple(b.enumerate_support().shape) == (2, 3)


def test_distribution_default_validation_switch_and_utils():
    """RL/VI programs call ``Distribution.set_default_validate_args(False)`` and import
    ``torch.distributions.utils.probs_to_logits`` / ``logits_to_probs``: AttributeError /
    ModuleNotFoundError before."""
    import math

    from autograd_core.distributions.utils import (broadcast_all, clamp_probs,
                                                   logits_to_probs, probs_to_logits)

    try:
        D.Distribution.set_default_validate_args(False)
        assert D.Normal(0.0, -1.0).scale.item() == -1.0  # unchecked
        with pytest.raises(ValueError):
            D.Normal(0.0, -1.0, validate_args=True)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args("no")
    p = ag.tensor([0.2, 0.5])
    assert ag.allclose(probs_to_logits(p), p.log())
    assert ag.allclose(probs_to_logits(p, is_binary=True),
                       ag.tensor([math.log(0.25), 0.0]))
    assert ag.allclose(logits_to_probs(ag.zeros(4)), ag.full((4,), 0.25))
    assert ag.allclose(logits_to_probs(ag.zeros(2), is_binary=True), ag.full((2,), 0.5))
    eps = ag.finfo(ag.float32).eps
    assert clamp_probs(ag.tensor([0.0, 1.0])).tolist() == [eps, 1 - eps]
    assert [tuple(t.shape) for t in broadcast_all(1.0, ag.zeros(2, 3))] == [(2, 3), (2, 3)]


def test_biject_to_transform_to():
    """VI code keeps parameters unconstrained and maps them with
    ``transform_to(constraints.positive)`` / ``biject_to(...)``: both were missing."""
    import math

    C = D.constraints
    x = ag.tensor([0.0, math.log(2.0)])
    assert ag.allclose(D.transform_to(C.positive)(x), ag.tensor([1.0, 2.0]))
    assert ag.allclose(D.biject_to(C.greater_than(3.0))(x), ag.tensor([4.0, 5.0]))
    assert ag.allclose(D.biject_to(C.less_than(1.0))(x), ag.tensor([0.0, -1.0]))
    assert ag.allclose(D.transform_to(C.interval(-1.0, 3.0))(x), ag.tensor([1.0, -1.0 + 4 * 2 / 3]))
    assert isinstance(D.biject_to(C.unit_interval), D.SigmoidTransform)
    t = D.biject_to(C.independent(C.positive, 1))
    y = t(x)
    assert ag.allclose(t.log_abs_det_jacobian(x, y), ag.tensor(math.log(2.0)))
    assert ag.allclose(t.inv(y), x)
    assert D.transform_to(C.real)(x) is x or ag.equal(D.transform_to(C.real)(x), x)
    assert (C.greater_than(2.0).lower_bound, C.real_vector.reinterpreted_batch_ndims) == (2.0, 1)
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        D.biject_to(C.boolean)
    # simplex: stick-breaking (bijective, K-1 free numbers) / softmax; lower-Cholesky
    assert isinstance(D.biject_to(C.simplex), D.StickBreakingTransform)
    assert isinstance(D.transform_to(C.simplex), D.SoftmaxTransform)
    assert ag.allclose(D.biject_to(C.simplex)(ag.zeros(2)), ag.full((3,), 1 / 3))
    assert isinstance(D.transform_to(C.lower_cholesky), D.LowerCholeskyTransform)
    with pytest.raises(NotImplementedError, match="Cannot transform _LowerCholesky"):
        D.biject_to(C.lower_cholesky)
