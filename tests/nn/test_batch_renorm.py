"""Batch Renormalization (Ioffe, 2017) against a direct numpy transcription of the paper's
Algorithm 1 and its backpropagation formulas (r and d held constant), float64 gradcheck where r
and d are clipped (so constant under perturbation, as the paper's stop_gradient makes them),
warm-up = batch norm, eval mode, and the rmax/dmax schedule."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import Tensor


def _algorithm1(x, gamma, beta, mu, sigma, rmax, dmax, alpha, eps):
    """Ioffe (2017), Algorithm 1, for x of shape (m, C): returns y, the updated (mu, sigma) and
    what backpropagation needs."""
    m = x.shape[0]
    mu_b = x.sum(0) / m
    sigma_b = np.sqrt(((x - mu_b) ** 2).sum(0) / m + eps)
    r = np.clip(sigma_b / sigma, 1 / rmax, rmax)           # stop_gradient
    d = np.clip((mu_b - mu) / sigma, -dmax, dmax)           # stop_gradient
    x_hat = (x - mu_b) / sigma_b * r + d
    y = gamma * x_hat + beta
    mu_new = mu + alpha * (mu_b - mu)
    sigma_new = sigma + alpha * (sigma_b - sigma)
    return y, mu_new, sigma_new, (mu_b, sigma_b, r, x_hat)


def _algorithm1_backward(dy, x, gamma, cache):
    """The paper's gradient formulas (section 3), r and d treated as constants."""
    mu_b, sigma_b, r, x_hat = cache
    m = x.shape[0]
    dx_hat = dy * gamma
    dsigma_b = (dx_hat * (x - mu_b) * (-r / sigma_b**2)).sum(0)
    dmu_b = (dx_hat * (-r / sigma_b)).sum(0)
    dx = dx_hat * r / sigma_b + dsigma_b * (x - mu_b) / (m * sigma_b) + dmu_b / m
    return dx, (dy * x_hat).sum(0), dy.sum(0)


def _as_rows(x):
    """(N, C, *) -> (m, C): the paper's mini-batch of m values per channel."""
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


@pytest.mark.parametrize("cls,shape", [(nn.BatchRenorm1d, (16, 3)),
                                       (nn.BatchRenorm1d, (4, 3, 5)),
                                       (nn.BatchRenorm2d, (4, 3, 3, 2))])
@pytest.mark.parametrize("rmax,dmax", [(1.0, 0.0), (1.5, 0.5), (3.0, 5.0)])
def test_matches_algorithm_1_forward_backward_and_running_stats(cls, shape, rmax, dmax):
    rng = np.random.default_rng(0)
    C = shape[1]
    m = cls(C, momentum=0.2, rmax=rmax, dmax=dmax, dtype=np.float64)
    gamma, beta = rng.standard_normal(C), rng.standard_normal(C)
    m.weight._data[...], m.bias._data[...] = gamma, beta
    mu, sigma = np.zeros(C), np.ones(C)
    for step in range(4):
        x = rng.standard_normal(shape) * (1 + step) + 2 * step - 1
        dy = rng.standard_normal(shape)
        xt = Tensor._wrap(x, requires_grad=True)
        y = m(xt)
        y.backward(Tensor._wrap(dy))
        rows = _as_rows(x)
        y_ref, mu, sigma, cache = _algorithm1(rows, gamma, beta, mu, sigma, rmax, dmax, 0.2,
                                              1e-5)
        np.testing.assert_allclose(_as_rows(y._data), y_ref, rtol=1e-10, atol=1e-12)
        dx, dgamma, dbeta = _algorithm1_backward(_as_rows(dy), rows, gamma, cache)
        np.testing.assert_allclose(_as_rows(xt.grad._data), dx, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(m.weight.grad._data, dgamma, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(m.bias.grad._data, dbeta, rtol=1e-9, atol=1e-11)
        m.weight.grad = m.bias.grad = None
        np.testing.assert_allclose(m.running_mean._data, mu, rtol=1e-12)
        np.testing.assert_allclose(m.running_std._data, sigma, rtol=1e-12)
    assert int(m.num_batches_tracked._data) == 4
    m.eval()  # inference: the running statistics
    x = rng.standard_normal(shape)
    want = gamma * (_as_rows(x) - mu) / sigma + beta
    np.testing.assert_allclose(_as_rows(m(Tensor._wrap(x))._data), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("affine", [True, False])
def test_gradcheck_where_r_and_d_are_clipped(affine):
    """Running sigma tiny and mu far away: r = rmax and d = -dmax for every perturbation, so
    finite differences see the function the paper differentiates; momentum 0 keeps the running
    statistics fixed across the calls."""
    m = nn.BatchRenorm2d(2, momentum=0.0, affine=affine, rmax=2.0, dmax=0.5, dtype=np.float64)
    m.running_std._data[...] = 1e-3
    m.running_mean._data[...] = 1e3
    if affine:
        m.weight._data[...] = [1.5, -0.7]
        m.bias._data[...] = [0.2, 0.1]
    rng = np.random.default_rng(1)
    x = Tensor._wrap(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    scale = Tensor._wrap(rng.standard_normal((3, 2, 2, 2)))
    params = (m.weight, m.bias) if affine else ()
    fn = lambda a, *p: m(a) * scale  # noqa: E731
    assert ag.gradcheck(fn, (x, *params))
    assert ag.gradgradcheck(fn, (x, *params))


def test_warm_up_is_batch_norm():
    rng = np.random.default_rng(2)
    brn = nn.BatchRenorm2d(3, dtype=np.float64)  # rmax=1, dmax=0
    bn = nn.BatchNorm2d(3, dtype=np.float64)
    brn.running_std._data[...] = [0.5, 2.0, 3.0]
    brn.running_mean._data[...] = [1.0, -1.0, 4.0]
    x = rng.standard_normal((4, 3, 2, 3))
    xa, xb = Tensor._wrap(x, requires_grad=True), Tensor._wrap(x, requires_grad=True)
    g = Tensor._wrap(rng.standard_normal(x.shape))
    brn(xa).backward(g)
    y = bn(xb)
    y.backward(g)
    np.testing.assert_allclose(brn(Tensor._wrap(x))._data, y._data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(xa.grad._data, xb.grad._data, rtol=1e-10, atol=1e-12)


def test_momentum_none_is_cumulative_average():
    m = nn.BatchRenorm1d(2, momentum=None, dtype=np.float64)
    xs = [np.random.default_rng(s).standard_normal((5, 2)) + s for s in range(3)]
    for x in xs:
        m(Tensor._wrap(x))
    np.testing.assert_allclose(m.running_mean._data, np.mean([x.mean(0) for x in xs], 0))
    np.testing.assert_allclose(m.running_std._data,
                               np.mean([np.sqrt(x.var(0) + 1e-5) for x in xs], 0))


def test_schedule_and_limits():
    assert nn.utils.batch_renorm_limits(0) == (1.0, 0.0)
    assert nn.utils.batch_renorm_limits(5000) == (1.0, 0.0)
    # halfway through each ramp (5k..40k for rmax, 5k..25k for dmax)
    assert nn.utils.batch_renorm_limits(22500) == pytest.approx((2.0, 4.375))
    assert nn.utils.batch_renorm_limits(15000)[1] == pytest.approx(2.5)
    assert nn.utils.batch_renorm_limits(10**6) == (3.0, 5.0)
    assert nn.utils.batch_renorm_limits(10, warmup_steps=0, rmax=2.0, rmax_step=20,
                                        dmax=1.0, dmax_step=40) == pytest.approx((1.5, 0.25))
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchRenorm1d(3), nn.Linear(3, 3),
                          nn.BatchRenorm1d(3))
    nn.utils.batch_renorm_limits(40000, model)
    assert [(m.rmax, m.dmax) for m in model if isinstance(m, nn.BatchRenorm1d)] == [(3.0, 5.0)] * 2
    with pytest.raises(ValueError, match="rmax must be >= 1"):
        nn.BatchRenorm1d(2, rmax=0.5)
    with pytest.raises(ValueError, match="dmax"):
        model[1].dmax = -1.0
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchRenorm2d(2)(ag.zeros(2, 2))
    brn = nn.BatchRenorm1d(2)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        brn(ag.zeros(1, 2))
    assert int(brn.num_batches_tracked._data) == 0
