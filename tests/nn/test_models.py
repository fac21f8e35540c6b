"""nn.models: BasicBlock and ResNet, by hand (shapes, what the skip flag changes, the shortcut's
closed form, parameter counts) and against the same network written directly in PyTorch."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def _conv_params(cin, cout, k):
    return cin * cout * k * k


def test_resnet8_parameter_count_by_hand():
    # stem 1->16 + BN; block 16->16 (2 convs + 2 BN); block 16->32 s2 (2 convs + 2 BN + 1x1 +
    # BN); block 32->64 s2 (same); fc 64->10
    bn = lambda c: 2 * c  # noqa: E731
    expected = (_conv_params(1, 16, 3) + bn(16)
                + 2 * _conv_params(16, 16, 3) + 2 * bn(16)
                + _conv_params(16, 32, 3) + _conv_params(32, 32, 3) + 2 * bn(32)
                + _conv_params(16, 32, 1) + bn(32)
                + _conv_params(32, 64, 3) + _conv_params(64, 64, 3) + 2 * bn(64)
                + _conv_params(32, 64, 1) + bn(64)
                + 64 * 10 + 10)
    net = nn.models.ResNet()
    assert sum(p.numel() for p in net.parameters()) == expected
    plain = nn.models.ResNet(skip=False)
    shortcuts = _conv_params(16, 32, 1) + bn(32) + _conv_params(32, 64, 1) + bn(64)
    assert sum(p.numel() for p in plain.parameters()) == expected - shortcuts


@pytest.mark.parametrize("blocks,channels,size,out", [
    ((1, 1, 1), (16, 32, 64), 28, 7), ((2, 2), (8, 16), 32, 16), ((1,), (4,), 9, 9)])
def test_resnet_shapes(blocks, channels, size, out):
    ag.manual_seed(0)
    net = nn.models.ResNet(blocks, channels, in_channels=3, num_classes=5)
    x = ag.randn(2, 3, size, size)
    feats = net.layers(net.stem(x))
    assert tuple(feats.shape) == (2, channels[-1], out, out)
    y = net(x)
    assert tuple(y.shape) == (2, 5)
    y.sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in net.parameters())
    assert len(net.layers) == sum(blocks)


def test_identity_shortcut_closed_form():
    # with conv2's weights at zero the residual branch is bn2(0) = bn2's bias (eval mode,
    # fresh running stats: (0 - 0) / sqrt(1 + eps) * 1 + bias), so the block is relu(x + bias)
    ag.manual_seed(0)
    block = nn.models.BasicBlock(3, 3).eval()
    with ag.no_grad():
        block.conv2.weight.zero_()
        block.bn2.bias.copy_(ag.tensor([0.5, -1.0, 0.0]))
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32)
    want = np.maximum(x + np.array([0.5, -1.0, 0.0], np.float32)[:, None, None], 0)
    np.testing.assert_allclose(block(ag.tensor(x)).detach().numpy(), want, rtol=1e-6, atol=1e-6)
    plain = nn.models.BasicBlock(3, 3, skip=False).eval()
    plain.load_state_dict(block.state_dict())
    want_plain = np.maximum(np.zeros_like(x) + np.array([0.5, -1.0, 0.0], np.float32)[:, None,
                                                                                         None], 0)
    np.testing.assert_allclose(plain(ag.tensor(x)).detach().numpy(), want_plain, atol=1e-6)


def test_skip_flag_only_removes_the_shortcut():
    ag.manual_seed(0)
    res = nn.models.ResNet(skip=True)
    plain = nn.models.ResNet(skip=False)
    res_keys = set(res.state_dict())
    plain_keys = set(plain.state_dict())
    assert plain_keys < res_keys
    assert all(".shortcut." in k for k in res_keys - plain_keys)
    # same weights elsewhere: the two differ exactly by the added shortcut
    plain.load_state_dict({k: v for k, v in res.state_dict().items() if k in plain_keys})
    res.eval()
    plain.eval()
    x = ag.randn(2, 1, 12, 12)
    assert not np.allclose(res(x).detach().numpy(), plain(x).detach().numpy())


def test_no_norm_layer_gives_biased_convolutions():
    net = nn.models.ResNet(norm_layer=None)
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert convs and all(m.bias is not None for m in convs)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in net.modules())
    group = nn.models.ResNet(norm_layer=lambda c: nn.GroupNorm(4, c))
    assert sum(isinstance(m, nn.GroupNorm) for m in group.modules()) == 9
    assert all(m.bias is None for m in group.modules() if isinstance(m, nn.Conv2d))


def test_init_is_kaiming_fan_out():
    ag.manual_seed(0)
    net = nn.models.ResNet(blocks=(1,), channels=(64,))
    w = net.layers[0].conv1.weight.detach().numpy()
    # He normal, fan_out = 64 * 3 * 3: std sqrt(2 / 576)
    assert abs(w.std() - np.sqrt(2 / 576)) < 0.05 * np.sqrt(2 / 576)
    assert abs(w.mean()) < 0.01


@pytest.mark.parametrize("kwargs,message", [
    (dict(blocks=(1, 1), channels=(16,)), "same length"),
    (dict(blocks=(), channels=()), "same length"),
    (dict(blocks=(1, 0), channels=(8, 16)), "positive integers"),
])
def test_resnet_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.models.ResNet(**kwargs)


def test_block_bad_arguments():
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        nn.models.BasicBlock(3, 3, stride=0)
    with pytest.raises(ValueError, match="out_channels"):
        nn.models.BasicBlock(3, 2.5)


@pytest.mark.torch_parity
@pytest.mark.parametrize("skip", [True, False])
def test_resnet_matches_torch(skip):
    torch = pytest.importorskip("torch")
    tnn = torch.nn

    class TBlock(tnn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(cout)
            self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(cout)
            if not skip:
                self.shortcut = None
            elif stride != 1 or cin != cout:
                self.shortcut = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False),
                                               tnn.BatchNorm2d(cout))
            else:
                self.shortcut = tnn.Identity()

        def forward(self, x):
            out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            if self.shortcut is not None:
                out = out + self.shortcut(x)
            return torch.relu(out)

    class TNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.stem = tnn.Sequential(tnn.Conv2d(2, 4, 3, 1, 1, bias=False),
                                       tnn.BatchNorm2d(4), tnn.ReLU())
            self.layers = tnn.Sequential(TBlock(4, 4, 1), TBlock(4, 8, 2))
            self.pool = tnn.AdaptiveAvgPool2d(1)
            self.flatten = tnn.Flatten()
            self.fc = tnn.Linear(8, 3)

        def forward(self, x):
            return self.fc(self.flatten(self.pool(self.layers(self.stem(x)))))

    ag.manual_seed(0)
    net = nn.models.ResNet((1, 1), (4, 8), in_channels=2, num_classes=3, skip=skip).double()
    tnet = TNet().double()
    state = net.state_dict()
    assert set(state) == set(tnet.state_dict())
    tnet.load_state_dict({k: torch.from_numpy(np.array(v.detach().numpy())) for k, v in
                          state.items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 9, 9))
    y = rng.integers(0, 3, 3)
    for _ in range(2):  # train mode: batch statistics and running stats updated
        loss = F.cross_entropy(net(ag.tensor(x)), ag.tensor(y))
        tloss = torch.nn.functional.cross_entropy(tnet(torch.from_numpy(x)), torch.from_numpy(y))
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-10)
        net.zero_grad()
        tnet.zero_grad()
        loss.backward()
        tloss.backward()
        tparams = dict(tnet.named_parameters())
        for name, p in net.named_parameters():
            np.testing.assert_allclose(p.grad.numpy(), tparams[name].grad.numpy(),
                                       rtol=1e-8, atol=1e-12, err_msg=name)
    tbuffers = dict(tnet.named_buffers())
    for name, b in net.named_buffers():
        np.testing.assert_allclose(b.numpy(), tbuffers[name].numpy(), rtol=1e-10, err_msg=name)
    net.eval()
    tnet.eval()
    np.testing.assert_allclose(net(ag.tensor(x)).detach().numpy(),
                               tnet(torch.from_numpy(x)).detach().numpy(), rtol=1e-9, atol=1e-12)


def test_without_norm_it_is_the_bench_resnet8():
    # bench/conv.py builds its ResNet-8 step (no normalisation) by hand so that torch can run
    # the same network; nn.models.ResNet(norm_layer=None) is that architecture, parameter by
    # parameter and output by output
    from types import SimpleNamespace

    from bench.conv import _resnet8

    ag.manual_seed(0)
    bench_net = _resnet8(SimpleNamespace(nn=nn, F=F))
    ours = nn.models.ResNet(in_channels=3, norm_layer=None)
    a, b = list(bench_net.parameters()), list(ours.parameters())
    assert [tuple(p.shape) for p in a] == [tuple(p.shape) for p in b]
    with ag.no_grad():
        for p, q in zip(b, a):
            p.copy_(q)
    x = ag.randn(2, 3, 32, 32)
    np.testing.assert_allclose(ours(x).detach().numpy(), bench_net(x).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
