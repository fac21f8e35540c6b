"""Lazy modules (d2l.ai's chapters build every model with nn.LazyLinear / LazyConv2d /
LazyBatchNorm2d): shapes read from the first input, the module becomes its plain class, the
parameters stay the objects an optimizer was given before the first forward."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers as optim


def test_lazy_linear_infers_in_features_and_becomes_linear():
    ag.manual_seed(0)
    m = nn.LazyLinear(3)
    assert repr(m) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    assert isinstance(m.weight, nn.UninitializedParameter) and m.has_uninitialized_params()
    w = m.weight
    y = m(ag.ones(2, 5))
    assert type(m) is nn.Linear and m.in_features == 5
    assert m.weight is w and type(w) is nn.Parameter and w.shape == (3, 5)
    bound = 1 / np.sqrt(5)  # Linear's default initialisation
    assert np.all(np.abs(w.detach().numpy()) <= bound) and np.all(np.abs(m.bias.detach().numpy()) <= bound)
    np.testing.assert_allclose(y.detach().numpy(), np.ones((2, 5)) @ w.detach().numpy().T + m.bias.detach().numpy(),
                               rtol=1e-6)
    assert not m._forward_pre_hooks  # the hook is gone once the shapes are known


def test_optimizer_made_before_the_first_forward_trains_the_lazy_parameters():
    m = nn.Sequential(nn.LazyLinear(1, bias=False))
    opt = optim.SGD(m.parameters(), lr=0.5)
    x = ag.tensor([[1.0, 2.0]])
    loss = m(x).sum()
    w0 = m[0].weight.detach().numpy().copy()
    loss.backward()
    opt.step()
    np.testing.assert_allclose(m[0].weight.detach().numpy(), w0 - 0.5 * np.array([[1.0, 2.0]]), rtol=1e-6)


def test_lazy_conv_and_batchnorm_shapes():
    conv = nn.LazyConv2d(4, kernel_size=3, padding=1, groups=2)
    bn = nn.LazyBatchNorm2d()
    y = bn(conv(ag.randn(2, 6, 5, 5)))
    assert type(conv) is nn.Conv2d and conv.weight.shape == (4, 3, 3, 3)
    assert type(bn) is nn.BatchNorm2d and bn.num_features == 4
    assert bn.running_mean.shape == (4,) and int(bn.num_batches_tracked) == 1
    np.testing.assert_allclose(bn.weight.detach().numpy(), np.ones(4))
    assert y.shape == (2, 4, 5, 5)
    c1 = nn.LazyConv1d(2, 3)
    assert c1(ag.randn(5, 7)).shape == (2, 5) and c1.in_channels == 5  # unbatched input
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(ag.randn(1, 3, 5, 5))


@pytest.mark.torch_parity
def test_lazy_models_match_torch_after_the_first_forward():
    torch = pytest.importorskip("torch")

    def build(lib):
        n = lib.nn
        return n.Sequential(n.LazyConv2d(3, kernel_size=3, padding=1), n.LazyBatchNorm2d(),
                            n.ReLU(), n.Flatten(), n.LazyLinear(2))

    ours, theirs = build(ag), build(torch)
    x = np.random.default_rng(0).standard_normal((4, 2, 4, 4))
    ours(ag.tensor(x, dtype=ag.float32))
    theirs(torch.tensor(x, dtype=torch.float32))
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    a, b = ours(ag.tensor(x, dtype=ag.float32)), theirs(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_lazy_module_is_copied_only_once_initialized():
    # PyTorch refuses to deepcopy an uninitialized parameter; a copy would lose the pending
    # shape (before: the copy ran into "expected weight to be 4-dimensional" at its forward)
    import copy

    m = nn.Sequential(nn.LazyConv2d(2, 1), nn.LazyBatchNorm2d())
    with pytest.raises(ValueError, match="uninitialized parameter in deepcopy"):
        copy.deepcopy(m)
    m(ag.ones(1, 3, 2, 2))
    c = copy.deepcopy(m)
    assert type(c[0]) is nn.Conv2d and c[0].weight.shape == (2, 3, 1, 1)
    assert c[0].weight is not m[0].weight
