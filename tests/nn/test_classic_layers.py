"""LocalResponseNorm, LPPool1d/2d/3d, RReLU and ChannelShuffle: closed forms, gradcheck,
RReLU's slopes in their bounds in training and their mean in evaluation, errors, and PyTorch's
values and gradients."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def test_local_response_norm_closed_form():
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    out = F.local_response_norm(ag.tensor(x), size=3, alpha=0.2, beta=0.5, k=2.0).numpy()
    sq = np.pad(x ** 2, ((0, 0), (1, 1), (0, 0)))
    want = x / (2.0 + 0.2 / 3 * (sq[:, :-2] + sq[:, 1:-1] + sq[:, 2:])) ** 0.5
    np.testing.assert_allclose(out, want, rtol=1e-12)


def test_lp_pool_closed_form_and_gradcheck():
    x = np.abs(np.random.default_rng(1).standard_normal((1, 2, 6))) + 0.1
    out = F.lp_pool1d(ag.tensor(x), 3, 2).numpy()
    want = ((x[..., 0::2] ** 3 + x[..., 1::2] ** 3)) ** (1 / 3)
    np.testing.assert_allclose(out, want, rtol=1e-12)
    t = ag.tensor(np.abs(np.random.default_rng(2).standard_normal((1, 1, 4, 4))) + 0.1,
                  requires_grad=True)
    assert ag.gradcheck(lambda a: F.lp_pool2d(a, 2, 2, stride=1), (t,))


def test_rrelu_slopes():
    ag.manual_seed(0)
    x = -ag.ones(10_000, dtype=ag.float64)
    out = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -out.numpy()
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.005
    x = ag.tensor([-2.0, 3.0], requires_grad=True)
    nn.RReLU(0.1, 0.3).eval()(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.2, 1.0], rtol=1e-6)
    # at 0 the slope's side, as PyTorch's leaky ReLU (eval) and its noise (training)
    for training in (False, True):
        x = ag.tensor([0.0, -0.0], requires_grad=True)
        F.rrelu(x, 0.1, 0.3, training=training).sum().backward()
        assert all(0.1 <= g <= 0.3 for g in x.grad.tolist())


@pytest.mark.parametrize("training", [False, True])
def test_rrelu_inplace_gradient_goes_through_the_slopes(training):
    # inplace=True wrote the result without recording it: the gradient was 1 everywhere
    ag.manual_seed(0)
    x = ag.tensor([-2.0, 3.0, -1.0], dtype=ag.float64, requires_grad=True)
    y = x * 1
    out = nn.RReLU(0.1, 0.3, inplace=True).train(training)(y)
    assert out is y
    out.sum().backward()
    slopes = (out / x).detach().numpy()  # the slopes it drew (0.2 in evaluation)
    assert slopes[1] == 1.0 and all(0.1 <= s <= 0.3 for s in slopes[[0, 2]])
    np.testing.assert_allclose(x.grad.numpy(), slopes, rtol=1e-15)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        F.rrelu(x, inplace=True, training=training)  # refused before writing, as PyTorch's
    assert x.tolist() == [-2.0, 3.0, -1.0]


def test_channel_shuffle_and_errors():
    x = ag.arange(12.0).reshape(1, 6, 2)
    out = nn.ChannelShuffle(3)(x)
    assert out[0, :, 0].tolist() == [0.0, 4.0, 8.0, 2.0, 6.0, 10.0]
    with pytest.raises(RuntimeError, match="divisible by groups. Got 6 channels and 4 groups"):
        F.channel_shuffle(x, 4)
    with pytest.raises(ValueError, match="Expected 3D or higher dimensionality input"):
        F.local_response_norm(ag.ones(2, 3), 2)


@pytest.mark.torch_parity
def test_matches_torch():
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(3)
    x4 = rng.standard_normal((2, 6, 5, 5))
    x5 = np.abs(rng.standard_normal((1, 2, 4, 4, 4))) + 0.1
    x3 = rng.standard_normal((2, 4, 7))
    runs = []
    for lib, tnn in ((torch, torch.nn), (ag, nn)):
        a, b, c = (lib.tensor(v, requires_grad=True) for v in (x4, x5, x3))
        mods = [tnn.LocalResponseNorm(3, alpha=1e-2, beta=0.75, k=2.0),
                tnn.LocalResponseNorm(4), tnn.ChannelShuffle(3)]
        outs = [m(a) for m in mods]
        outs.append(tnn.LPPool2d(2, (2, 3), stride=(1, 2))(a.abs() + 0.1))
        outs.append(tnn.LPPool2d(3, 2, ceil_mode=True)(a.abs() + 0.1))
        outs.append(tnn.LPPool3d(2, 2)(b))
        outs.append(tnn.LPPool1d(1.5, 3, stride=2)(c.abs() + 0.1))
        outs.append(tnn.RReLU(0.05, 0.4).eval()(c))
        outs.append(tnn.LocalResponseNorm(2)(c))
        loss = sum((o * o).sum() for o in outs)
        loss.backward()
        runs.append([o.detach().numpy() for o in outs] +
                    [t.grad.numpy() for t in (a, b, c)] + [[repr(m) for m in mods]])
    for theirs, ours in zip(*runs):
        if isinstance(theirs, list):
            assert ours == theirs
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    assert not math.isnan(float(runs[1][0].sum()))


def test_max_unpool_puts_maxima_back_and_routes_gradients():
    x = ag.tensor([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 6.0]]]], requires_grad=True)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    up = F.max_unpool2d(out, idx, 2)
    assert up.tolist() == [[[[0.0, 5.0, 0.0, 0.0], [0.0, 0.0, 8.0, 0.0]]]]
    (up * ag.arange(8.0).reshape(1, 1, 2, 4)).sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 6.0, 0.0]]]]
    assert nn.MaxUnpool2d(2)(out, idx, output_size=(1, 1, 3, 5)).shape == (1, 1, 3, 5)
    with pytest.raises(ValueError, match=r"dim 0 must be between 0 and 4"):
        F.max_unpool2d(out, idx, 2, output_size=(9, 9))
    with pytest.raises(RuntimeError, match="Found an invalid max index: 10"):
        F.max_unpool2d(out, idx * 10, 2)


@pytest.mark.torch_parity
def test_max_unpool_matches_torch():
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(8)
    cases = [(1, (2, 3, 9), dict(kernel_size=3, stride=2, padding=1)),
             (2, (2, 2, 7, 6), dict(kernel_size=(3, 2), stride=(2, 2), padding=(1, 0))),
             (3, (1, 2, 4, 6, 4), dict(kernel_size=2))]
    for dims, shape, kw in cases:
        x0 = rng.standard_normal(shape)
        runs = []
        for lib, tnn in ((torch, torch.nn), (ag, nn)):
            x = lib.tensor(x0, requires_grad=True)
            pool = getattr(tnn, f"MaxPool{dims}d")(return_indices=True, **kw)
            unpool = getattr(tnn, f"MaxUnpool{dims}d")(**kw)
            out, idx = pool(x)
            up = unpool(out, idx)
            (up * up * 3).sum().backward()
            runs.append([up.detach().numpy(), x.grad.numpy(), repr(unpool)])
        assert runs[0][2] == runs[1][2]
        for a, b in zip(runs[1][:2], runs[0][:2]):
            np.testing.assert_array_equal(a, b)
