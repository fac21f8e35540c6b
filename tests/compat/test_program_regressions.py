"""Regressions found by running public PyTorch programs (tutorials, pytorch/examples,
course notebooks) on tapegrad with their imports rewritten: each test is the line of the
program that broke or gave a different number, reduced to its essence."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def test_mse_loss_against_an_integer_target_keeps_float32():
    # the 60-minute blitz: criterion(net(input), torch.arange(1, 11).view(1, -1)) is float32
    x = ag.tensor([[0.5, -1.0, 2.0]], requires_grad=True)
    target = ag.arange(1, 4).view(1, -1)
    loss = nn.MSELoss()(x, target)
    assert loss.dtype == ag.float32
    assert loss.item() == pytest.approx((0.5 ** 2 + 3.0 ** 2 + 1.0 ** 2) / 3)
    loss.backward()
    assert x.grad.dtype == ag.float32
    np.testing.assert_allclose(x.grad.numpy(), [[2 * -0.5 / 3, 2 * -3.0 / 3, 2 * -1.0 / 3]],
                               rtol=1e-6)
    # a float64 operand still wins, as in PyTorch
    assert F.mse_loss(x, target.double()).dtype == ag.float64


@pytest.mark.torch_parity
@pytest.mark.parametrize("tdt", ["int64", "int32", "float64", "float32"])
def test_mse_loss_dtype_matches_torch(tdt):
    torch = pytest.importorskip("torch")
    x = np.array([[0.25, -1.5], [2.0, 0.0]], dtype=np.float32)
    t = np.array([[1, 0], [2, 3]], dtype=tdt)
    ours = F.mse_loss(ag.tensor(x), ag.tensor(t))
    theirs = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(t))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-6)
