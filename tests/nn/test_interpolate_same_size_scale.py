"""``F.interpolate`` with a ``scale_factor`` that leaves a dim's size unchanged (5 * 1.1 -> 5),
as PyTorch's forward: its cubic kernel still resamples that dim with the scale (ours copied
it), its antialiased kernels copy it (ours resampled it). Values differed by up to 2.8."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from autograd_core.gradcheck import gradcheck


def test_bicubic_resamples_an_unchanged_dim():
    # a ramp along H (5 -> 5 at scale 1.1): the source of output 2 is 2.5 / 1.1 - 0.5 =
    # 1 + t, the taps 0..3 all inside, weighed by Keys' cubic (A = -0.75) at t + 1, t, 1 - t,
    # 2 - t: the value is sum k w_k (not 2, the copy's)
    x = ag.tensor(np.broadcast_to(np.arange(5.0)[:, None], (5, 3))[None, None].copy())
    y = F.interpolate(x, scale_factor=(1.1, 1.0), mode="bicubic").numpy()[0, 0]
    assert y.shape == (5, 3)
    a, t = -0.75, 2.5 / 1.1 - 1.5
    u = 1 - t
    w = [((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
         ((a + 2) * t - (a + 3)) * t * t + 1, ((a + 2) * u - (a + 3)) * u * u + 1,
         ((a * (u + 1) - 5 * a) * (u + 1) + 8 * a) * (u + 1) - 4 * a]
    np.testing.assert_allclose(y[2], sum(k * wk for k, wk in enumerate(w)), rtol=1e-14)
    # without a scale_factor the dim is copied
    same = F.interpolate(x, size=(5, 3), mode="bicubic").numpy()[0, 0]
    np.testing.assert_array_equal(same, x.numpy()[0, 0])
    # the gradient is this resampling's (PyTorch's backward copies when no size changes)
    t = ag.tensor(np.random.default_rng(2).standard_normal((1, 1, 6, 3)), requires_grad=True)
    assert gradcheck(lambda u: F.interpolate(u, scale_factor=(1.1, 1.19), mode="bicubic"), (t,))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
def test_antialias_copies_an_unchanged_dim(mode):
    x = ag.tensor(np.random.default_rng(0).standard_normal((1, 2, 5, 8)), requires_grad=True)
    a = F.interpolate(x, scale_factor=(1.1, 0.5), mode=mode, antialias=True)
    b = F.interpolate(x, size=(5, 4), mode=mode, antialias=True)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    c = F.interpolate(x, scale_factor=(1.19, 1.1), mode=mode, antialias=True)
    np.testing.assert_array_equal(c.detach().numpy(), x.detach().numpy())
    assert c is not x
    assert gradcheck(lambda t: F.interpolate(t, scale_factor=(1.1, 0.5), mode=mode,
                                             antialias=True), (x,))


@pytest.mark.torch_parity
def test_values_as_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal((1, 2, 5, 8))
    cases = [dict(mode="bicubic", scale_factor=(1.1, 0.5)),
             dict(mode="bicubic", scale_factor=(1.19, 1.1)),
             dict(mode="bicubic", scale_factor=(1.05, 1.7), align_corners=True),
             dict(mode="bilinear", scale_factor=(1.1, 0.5), antialias=True),
             dict(mode="bicubic", scale_factor=(0.5, 1.05), antialias=True),
             dict(mode="lanczos", scale_factor=(1.19, 1.1), antialias=True)]
    for kw in cases:
        ours = F.interpolate(ag.tensor(a), **kw).numpy()
        ref = torch.nn.functional.interpolate(torch.tensor(a), **kw).numpy()
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12, err_msg=str(kw))
