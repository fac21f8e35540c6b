"""``diagonal`` and ``diag_embed`` (PyTorch programs use both; they were missing): by hand,
and against PyTorch over offsets and dimension pairs, values and gradients."""

import numpy as np
import pytest

import autograd_core as ag


def test_by_hand():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.diagonal().tolist() == [0.0, 4.0]
    assert ag.diagonal(x, offset=1).tolist() == [1.0, 5.0]
    assert ag.diagonal(x, offset=-1).tolist() == [3.0]
    assert ag.diagonal(x, offset=5).shape == (0,)
    (x.diagonal(1) * ag.tensor([10.0, 20.0])).sum().backward()
    assert x.grad.tolist() == [[0, 10, 0], [0, 0, 20]]
    assert ag.diag_embed(ag.tensor([[1.0, 2.0]]), offset=1).tolist() == [
        [[0, 1, 0], [0, 0, 2], [0, 0, 0]]]


def test_errors():
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical"):
        ag.diagonal(ag.ones(2, 2), 0, 1, -1)
    with pytest.raises(IndexError, match="dimension out of range"):
        ag.diagonal(ag.ones(2, 2), 0, 0, 2)


@pytest.mark.torch_parity
@pytest.mark.parametrize("args", [(), (1,), (-2,), (0, 2, 0), (1, -1, 1), (-1, 0, 2)])
def test_equal_torch(args):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    v = rng.standard_normal((3, 4, 5))
    x, t = ag.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    a, b = ag.diagonal(x, *args), torch.diagonal(t, *args)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    w = rng.standard_normal(b.shape)
    (a * ag.tensor(w)).sum().backward()
    (b * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    e, f = ag.diag_embed(ag.tensor(v), *args), torch.diag_embed(torch.tensor(v), *args)
    np.testing.assert_array_equal(e.numpy(), f.numpy())
