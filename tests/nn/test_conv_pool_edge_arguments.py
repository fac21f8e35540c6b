"""Edge arguments of convolution, pooling and where found by differential testing against
PyTorch: a convolution of an empty batch (it raised a numpy reshape error; PyTorch gives an
empty output and zero gradients), numpy integers as pooling sizes (TypeError: no len()), and
where's broadcast error (a ValueError; PyTorch raises a RuntimeError naming the sizes)."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_a_convolution_of_an_empty_batch(nd):
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    x = ag.zeros(0, 2, *([5] * nd), requires_grad=True)
    w = ag.ones(4, 2, *([3] * nd), requires_grad=True)
    b = ag.ones(4, requires_grad=True)
    out = conv(x, w, b, padding=1)
    assert tuple(out.shape) == (0, 4, *([5] * nd)) and out.dtype == np.float32
    out.sum().backward()
    assert tuple(x.grad.shape) == tuple(x.shape)
    assert w.grad.abs().sum().item() == 0 and b.grad.tolist() == [0.0] * 4


@pytest.mark.parametrize("pool", [F.max_pool1d, F.avg_pool1d, F.max_pool2d, F.avg_pool2d])
def test_numpy_integers_as_pooling_sizes(pool):
    x = ag.arange(16.0).reshape(1, 1, 16) if pool.__name__.endswith("1d") else \
        ag.arange(16.0).reshape(1, 1, 4, 4)
    got = pool(x, np.int64(2), stride=np.int64(2))
    want = pool(x, 2, stride=2)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_where_refuses_shapes_that_do_not_broadcast_as_pytorch_does():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size "
                                           r"of tensor b \(3\) at non-singleton dimension 0"):
        ag.where(ag.tensor([True, False]), ag.ones(2), ag.ones(3))


@pytest.mark.torch_parity
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_an_empty_batch_equals_torch(nd):
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    w = np.random.default_rng(nd).standard_normal((4, 2, *([3] * nd)))
    ours = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd](
        ag.zeros(0, 2, *([6] * nd), dtype=ag.float64), ag.tensor(w), stride=2)
    theirs = getattr(torch.nn.functional, f"conv{nd}d")(
        torch.zeros(0, 2, *([6] * nd), dtype=torch.float64), torch.tensor(w), stride=2)
    assert tuple(ours.shape) == tuple(theirs.shape)
