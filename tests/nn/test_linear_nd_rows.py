"""A linear layer on an N-d input is one (rows, in) product, as PyTorch's (which flattens the
leading dimensions): the same numbers as on the flattened input, whatever the batch shape."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


@pytest.mark.parametrize("shape", [(32, 64, 256), (2, 3, 5, 7), (0, 4, 6), (3, 0, 6)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bias", [True, False])
def test_nd_input_equals_its_rows(shape, dtype, bias):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((9, shape[-1])).astype(dtype)
    b = ag.from_numpy(rng.standard_normal(9).astype(dtype)) if bias else None
    got = F.linear(ag.from_numpy(x), ag.from_numpy(w), b).numpy()
    rows = F.linear(ag.from_numpy(x.reshape(-1, shape[-1])), ag.from_numpy(w), b).numpy()
    assert got.shape == shape[:-1] + (9,)
    assert np.array_equal(got, rows.reshape(got.shape))  # bit for bit


@pytest.mark.torch_parity
def test_nd_input_close_to_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 16, 64))
    w = rng.standard_normal((32, 64))
    b = rng.standard_normal(32)
    got = F.linear(ag.from_numpy(x), ag.from_numpy(w), ag.from_numpy(b)).numpy()
    want = torch.nn.functional.linear(*(torch.from_numpy(a) for a in (x, w, b))).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.torch_parity
@pytest.mark.parametrize("xs, bs", [((2, 5, 3), (5, 4)), ((5, 3), (5, 4)), ((2, 5, 3), (2, 1, 4))])
def test_bias_of_several_dimensions_broadcasts_as_pytorch(xs, bs):
    # PyTorch broadcasts the bias against the output (values and gradients of its shape);
    # the rows product raised numpy's broadcast error, and a 2-d input's backward refused
    # the bias gradient of one row
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    arrays = (rng.standard_normal(xs), rng.standard_normal((4, 3)), rng.standard_normal(bs))
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, want = F.linear(*ours), torch.nn.functional.linear(*theirs)
    (y * y).sum().backward()
    (want * want).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    for a, t in zip(ours, theirs):
        assert a.grad.shape == tuple(t.grad.shape)
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
