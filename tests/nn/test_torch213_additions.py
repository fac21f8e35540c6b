"""Parameters PyTorch 2.13 has that the signature sweep (tests/compat/test_signature_sweep.py)
found missing: the weighted MSE/L1 losses, the norm layers' ``bias`` switch, Hardtanh's
deprecated ``min_value``/``max_value``, ``norm``'s ``'fro'`` default and ``dtype``, and
``inplace`` on the activations nn.functional takes from the op table. Hand-worked values here,
PyTorch's numbers in the parity tests."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss"])
def test_weighted_losses_by_hand(loss):
    x = ag.tensor([1.0, 2.0, 4.0], requires_grad=True)
    y = ag.tensor([0.0, 0.0, 1.0])
    w = ag.tensor([1.0, 0.5, 2.0])
    err = np.array([1.0, 2.0, 3.0])
    per = err ** 2 if loss == "mse_loss" else err
    fn = getattr(F, loss)
    assert np.allclose(fn(x, y, weight=w, reduction="none").detach().numpy(), per * w.numpy())
    assert np.isclose(fn(x, y, weight=w, reduction="sum").item(), (per * w.numpy()).sum())
    mean = fn(x, y, weight=w)
    assert np.isclose(mean.item(), (per * w.numpy()).sum() / 3.5)
    mean.backward()
    d = 2 * err if loss == "mse_loss" else np.sign(err)
    assert np.allclose(x.grad.numpy(), d * w.numpy() / 3.5)


def test_weighted_loss_wants_the_inputs_size():
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.mse_loss(ag.ones(3), ag.zeros(3), weight=ag.ones(2))


@pytest.mark.parametrize("make", [lambda b: nn.BatchNorm2d(3, bias=b),
                                  lambda b: nn.InstanceNorm2d(3, affine=True, bias=b),
                                  lambda b: nn.GroupNorm(1, 3, bias=b)])
def test_norm_layers_without_bias(make):
    m = make(False)
    assert m.bias is None and "bias" not in m.state_dict()
    assert "bias=False" in repr(m)
    with_bias = make(True)
    with_bias.weight.data.copy_(ag.tensor([1.0, 2.0, 3.0]))
    m.weight.data.copy_(ag.tensor([1.0, 2.0, 3.0]))
    x = ag.randn(2, 3, 4, 4)
    # the bias is zero at initialisation, so both give the same output
    assert np.array_equal(m(x).detach().numpy(), with_bias(x).detach().numpy())
    m.reset_parameters()
    assert np.array_equal(m.weight.detach().numpy(), np.ones(3, np.float32))


def test_sync_batchnorm_conversion_keeps_a_missing_bias():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3, bias=False))
    sync = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert type(sync[1]).__name__ == "SyncBatchNorm" and sync[1].bias is None


def test_sync_batchnorm_conversion_takes_every_batch_norm():
    # PyTorch's converts every _BatchNorm; BatchNorm2d/3d were left as they were (each rank
    # then normalised by its own batch's statistics under DDP)
    bn2 = nn.BatchNorm2d(3, momentum=0.3)
    net = nn.Sequential(nn.Conv2d(2, 3, 1), bn2, nn.Conv3d(3, 3, 1), nn.BatchNorm3d(3, affine=False))
    sync = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert [type(m).__name__ for m in sync] == ["Conv2d", "SyncBatchNorm", "Conv3d", "SyncBatchNorm"]
    assert sync[1].weight is bn2.weight and sync[1].momentum == 0.3 and sync[3].weight is None
    # not an nn.BatchNorm1d (PyTorch's derives from _BatchNorm only)
    assert not isinstance(sync[1], nn.BatchNorm1d)
    assert isinstance(sync[1], nn.modules.batchnorm._BatchNorm)


def test_hardtanh_deprecated_names():
    with pytest.warns(FutureWarning, match="min_value` is deprecated"):
        m = nn.Hardtanh(min_value=-2.0)
    assert m.min_val == -2.0
    with pytest.warns(FutureWarning, match="max_value` is deprecated"):
        m = nn.Hardtanh(max_value=3.0)
    assert np.array_equal(m(ag.tensor([-5.0, 5.0])).numpy(), [-1.0, 3.0])
    with pytest.raises(AssertionError, match=r"max_val \(0.0\) must be greater than min_val"):
        nn.Hardtanh(0.0, 0.0)


def test_norm_fro_default_and_dtype():
    a = ag.tensor([[3.0, 0.0], [0.0, 4.0]], dtype=ag.float32)
    assert ag.norm(a).item() == 5.0
    assert a.norm(dim=1).tolist() == [3.0, 4.0]
    d = ag.norm(a, dtype=ag.float64)
    assert d.dtype == ag.float64 and d.item() == 5.0
    out = ag.zeros(())  # out= (refused before fix22) takes the norm, as PyTorch's
    assert ag.norm(a, out=out) is out and out.item() == 5.0


def test_table_activations_take_inplace():
    x = ag.tensor([-1.0, 2.0])
    want = ag.silu(x).numpy()
    for y in (F.silu(x), F.silu(x, inplace=False), F.silu(input=x)):
        assert np.array_equal(y.numpy(), want)
    z = x.clone()  # inplace=True writes into its input, as PyTorch's
    assert F.silu(z, True) is z and np.array_equal(z.numpy(), want)


@pytest.mark.torch_parity
@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_weighted_losses_equal_torch(loss, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    w = rng.random((2, 5))
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    a = getattr(F, loss)(ours, ag.tensor(y), weight=ag.tensor(w), reduction=reduction)
    b = getattr(torch.nn.functional, loss)(theirs, torch.tensor(y), weight=torch.tensor(w),
                                           reduction=reduction)
    assert np.allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=0)
    a.sum().backward()
    b.sum().backward()
    assert np.allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=0)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,args", [("BatchNorm2d", (3,)), ("InstanceNorm2d", (3,)),
                                       ("GroupNorm", (1, 3)), ("BatchNorm1d", (3,))])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_norm_bias_switch_equals_torch(name, args, affine, bias):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, name)(*args, affine=affine, bias=bias)
    theirs = getattr(torch.nn, name)(*args, affine=affine, bias=bias)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    shape = (4, 3) if name == "BatchNorm1d" else (2, 3, 4, 4)
    x = np.random.default_rng(0).standard_normal(shape)
    a = ours.double()(ag.tensor(x)).detach().numpy()
    b = theirs.double()(torch.tensor(x)).detach().numpy()
    assert np.allclose(a, b, atol=1e-12)


@pytest.mark.torch_parity
def test_norm_default_equals_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((3, 4))
    for kw in ({}, {"dim": 1}, {"dim": (0, 1), "keepdim": True}, {"p": 1, "dim": 0}):
        assert np.allclose(ag.norm(ag.tensor(x), **kw).numpy(),
                           torch.norm(torch.tensor(x), **kw).numpy(), rtol=1e-12)
