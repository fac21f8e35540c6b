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
