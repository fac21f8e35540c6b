"""nn.LazyConvTranspose1d/2d/3d and nn.LazyInstanceNorm1d/2d/3d: shapes from the first
input, the plain class afterwards, PyTorch's defaults (lazy instance norms are affine and
track running statistics), uninitialized entries in the state dict before the first forward."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim


@pytest.mark.parametrize("cls, plain, x_shape, w_shape", [
    (nn.LazyConvTranspose1d, nn.ConvTranspose1d, (2, 6, 5), (6, 2, 3)),
    (nn.LazyConvTranspose2d, nn.ConvTranspose2d, (1, 6, 4, 4), (6, 2, 3, 3)),
    (nn.LazyConvTranspose3d, nn.ConvTranspose3d, (1, 6, 2, 3, 3), (6, 2, 3, 3, 3)),
])
def test_lazy_conv_transpose_shapes_init_and_class(cls, plain, x_shape, w_shape):
    ag.manual_seed(0)
    m = cls(4, 3, stride=2, groups=2)
    assert isinstance(m.weight, nn.UninitializedParameter)
    assert list(m.state_dict()) == ["weight", "bias"]
    w = m.weight
    y = m(ag.randn(*x_shape))
    assert type(m) is plain and m.in_channels == 6 and m.weight is w
    assert tuple(m.weight.shape) == w_shape
    # (n - 1) * stride + kernel along each spatial dim
    assert tuple(y.shape) == x_shape[:1] + (4,) + tuple((n - 1) * 2 + 3 for n in x_shape[2:])
    bound = 1 / math.sqrt(2 * 3 ** (len(x_shape) - 2))  # fan_in = (out / groups) * prod(k)
    assert np.abs(m.weight.detach().numpy()).max() <= bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    assert not m._forward_pre_hooks


def test_lazy_conv_transpose_unbatched_and_groups_error():
    m = nn.LazyConvTranspose1d(3, 2)
    assert tuple(m(ag.randn(5, 4)).shape) == (3, 5) and m.in_channels == 5
    with pytest.raises(ValueError, match="^in_channels must be divisible by groups$"):
        nn.LazyConvTranspose2d(4, 3, groups=2)(ag.randn(1, 3, 5, 5))


def test_lazy_conv_transpose_trains_through_an_optimizer_made_before():
    m = nn.LazyConvTranspose1d(1, 1, bias=False)
    opt = optim.SGD(m.parameters(), lr=0.5)
    x = ag.tensor([[[1.0, 2.0]]])
    m(x).sum().backward()  # d/dw sum(w * x) = sum(x) = 3
    w0 = m.weight.detach().numpy().copy()
    opt.step()
    np.testing.assert_allclose(m.weight.detach().numpy(), w0 - 0.5 * 3.0, rtol=1e-6)


@pytest.mark.parametrize("cls, plain, x_shape", [
    (nn.LazyInstanceNorm1d, nn.InstanceNorm1d, (2, 3, 5)),
    (nn.LazyInstanceNorm2d, nn.InstanceNorm2d, (2, 3, 4, 4)),
    (nn.LazyInstanceNorm3d, nn.InstanceNorm3d, (2, 3, 2, 2, 2)),
])
def test_lazy_instance_norm_defaults_and_statistics(cls, plain, x_shape):
    m = cls(dtype=ag.float64)  # (float32 parameters on a float64 input: PyTorch refuses)
    assert m.affine and m.track_running_stats
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                    "num_batches_tracked"]
    x = np.random.default_rng(1).standard_normal(x_shape) * 3 + 1
    y = m(ag.tensor(x, dtype=ag.float64))
    assert type(m) is plain and m.num_features == 3
    axes = tuple(range(2, len(x_shape)))
    want = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-6, atol=1e-6)
    n = math.prod(x_shape[2:])  # running stats: 0.1 * the batch mean of the per-instance ones
    np.testing.assert_allclose(m.running_mean.numpy(), 0.1 * x.mean(axes).mean(0), rtol=1e-6)
    np.testing.assert_allclose(m.running_var.numpy(),
                               0.9 + 0.1 * (x.var(axes) * n / (n - 1)).mean(0), rtol=1e-6)


def test_lazy_instance_norm_without_lazy_state_keeps_zero_features():
    m = nn.LazyInstanceNorm2d(affine=False, track_running_stats=False)
    with pytest.warns(UserWarning, match="does not match num_features"):
        m(ag.randn(1, 3, 2, 2))
    assert type(m) is nn.InstanceNorm2d and m.num_features == 0


@pytest.mark.torch_parity
def test_lazy_modules_match_torch():
    torch = pytest.importorskip("torch")

    def build(lib):
        n = lib.nn
        return n.Sequential(
            n.LazyConvTranspose2d(4, 3, stride=2, groups=2, output_padding=1, dilation=2),
            n.LazyInstanceNorm2d(), n.ReLU(),
            n.LazyConvTranspose2d(2, 2, bias=False), n.LazyInstanceNorm2d(affine=False))

    ours, theirs = build(ag), build(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((2, 6, 3, 3))
    ours(ag.tensor(x, dtype=ag.float32))
    theirs(torch.tensor(x, dtype=torch.float32))
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    xa = ag.tensor(x, dtype=ag.float32, requires_grad=True)
    xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    a, b = ours(xa), theirs(xt)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-4, atol=1e-5)
    (a * a).sum().backward()
    (b * b).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(ours[0].weight.grad.numpy(), theirs[0].weight.grad.numpy(),
                               rtol=1e-3, atol=1e-4)
    for k, v in theirs.state_dict().items():  # the running statistics after two forwards
        np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-4,
                                   atol=1e-5)
