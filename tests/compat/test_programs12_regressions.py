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
