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
