"""Odd inputs against PyTorch 2.13: ``expand()`` keeps the parameter a distribution was given
(``probs`` of 0 or 1 have no finite ``logits``, so going through them moved -inf log-probabilities
and infinite means); ``cdf`` at the support's open end."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import distributions as D


def _f64(a):
    return ag.tensor(np.asarray(a, dtype=np.float64))


@pytest.mark.parametrize("name, args", [("Geometric", ()), ("Binomial", (5.0,))])
def test_expand_keeps_probs_zero_and_one(name, args):
    d = getattr(D, name)(*args, probs=_f64([0.0, 1.0, 0.3]), validate_args=False)
    e = d.expand((2, 3))
    for v in (0.0, 2.0, 5.0):
        want = np.broadcast_to(d.log_prob(_f64(v)).numpy(), (2, 3))
        np.testing.assert_array_equal(e.log_prob(_f64(v)).numpy(), want)
    for prop in ("mean", "variance"):
        want = np.broadcast_to(getattr(d, prop).numpy(), (2, 3))
        np.testing.assert_array_equal(getattr(e, prop).numpy(), want)


def test_expand_geometric_hand_values():
    # Geometric(1): all mass at 0; Geometric(0): never succeeds (infinite mean)
    e = D.Geometric(probs=_f64([1.0, 0.0]), validate_args=False).expand((2, 2))
    assert e.log_prob(_f64(2.0)).numpy()[0, 0] == -math.inf
    assert e.log_prob(_f64(0.0)).numpy()[0, 0] == 0.0
    assert e.mean.numpy()[1, 0] == 0.0 and e.mean.numpy()[1, 1] == math.inf


@pytest.mark.torch_parity
def test_expand_probs_as_torch():
    torch = pytest.importorskip("torch")
    p = [0.0, 1.0, 0.3]
    for name, args in [("Geometric", ()), ("Binomial", (5.0,))]:
        t = getattr(torch.distributions, name)(*args, probs=torch.tensor(p, dtype=torch.float64),
                                               validate_args=False).expand((2, 3))
        o = getattr(D, name)(*args, probs=_f64(p), validate_args=False).expand((2, 3))
        for v in (0.0, 2.0):
            np.testing.assert_allclose(o.log_prob(_f64(v)).numpy(),
                                       t.log_prob(torch.tensor(v, dtype=torch.float64)).numpy(),
                                       rtol=1e-12)
        np.testing.assert_allclose(o.mean.numpy(), t.mean.numpy(), rtol=1e-12)


@pytest.mark.parametrize("d", [D.LogNormal(0.0, 1.0), D.Weibull(2.0, 1.5)], ids=["LogNormal", "Weibull"])
def test_cdf_at_zero_is_zero_with_validation(d):
    # PyTorch checks the base's value (log 0 = -inf, an Exponential's 0): cdf(0) is 0, a
    # negative value raises
    assert d.cdf(_f64(0.0)).item() == 0.0
    with pytest.raises(ValueError, match="support"):
        d.cdf(_f64(-1.0))


def test_studentt_variance_gradient_with_small_df_in_the_batch():
    # variance = scale^2 df / (df - 2) for df > 2 (inf for 1 < df <= 2, nan below): the other
    # entries' gradients are the closed form's, not nan; PyTorch's are the same (it assigns
    # by mask)
    df = ag.tensor([0.5, 2.0, 4.0], dtype=ag.float64, requires_grad=True)
    scale = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
    v = D.StudentT(df, 0.0, scale).variance
    vals = v.detach().numpy()
    assert np.isnan(vals[0]) and vals[1] == math.inf and vals[2] == 18.0
    v[2].backward()
    # d/d df of 9 df / (df - 2) = -18 / (df - 2)^2 = -4.5; d/d scale of scale^2 * 2 = 4 scale
    np.testing.assert_array_equal(df.grad.numpy(), [0.0, 0.0, -4.5])
    assert scale.grad.item() == 12.0
