"""The gradient of a global adaptive average pool (output size 1: every ResNet's head) is the
incoming gradient spread evenly, ``(g * (1/W)) * (1/H)`` as the averaging matrices' one-term
products round it, a C-contiguous array of the input's shape; infinities stay in their plane."""
import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn,shape,nd", [(F.adaptive_avg_pool2d, (4, 3, 7, 5), 2),
                                         (F.adaptive_avg_pool2d, (3, 7, 5), 2),
                                         (F.adaptive_avg_pool1d, (4, 3, 9), 1),
                                         (F.adaptive_avg_pool3d, (2, 3, 4, 5, 6), 3)])
def test_global_pool_gradient(fn, shape, nd, dtype):
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
    y = fn(x, 1)
    g = rng.standard_normal(tuple(y.shape)).astype(dtype)
    g.reshape(-1)[0] = np.inf
    y.backward(ag.from_numpy(g))
    want = g
    for n in shape[-nd:][::-1]:  # the width's factor first
        want = want * (np.asarray(1, dtype) / np.asarray(n, dtype))
    want = np.broadcast_to(want, shape)
    got = x.grad.numpy()
    assert got.dtype == want.dtype and got.flags.c_contiguous
    np.testing.assert_array_equal(got, want)


def test_global_pool_gradcheck():
    x = ag.tensor(np.random.default_rng(1).standard_normal((2, 3, 4, 5)), requires_grad=True)
    assert ag.gradcheck(lambda t: F.adaptive_avg_pool2d(t, 1), (x,))
    assert ag.gradgradcheck(lambda t: F.adaptive_avg_pool2d(t, 1), (x,))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_global_pool_forward_is_pytorchs_mean(dtype):
    """Pooling to one output per plane is the plane's sum over its count, as PyTorch's mean:
    every value within a few eps of torch's and at least a quarter bit-equal (the two averaging
    products rounded otherwise: 17% of float32 values equal), infinities and NaN in their own
    planes."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((16, 64, 7, 7)).astype(dtype)
    x[0, 0, 3, 3], x[1, 2, 0, 0] = np.inf, np.nan
    ours = F.adaptive_avg_pool2d(ag.tensor(x), 1).numpy()
    theirs = torch.nn.functional.adaptive_avg_pool2d(torch.from_numpy(x), 1).numpy()
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(theirs))
    fin = np.isfinite(theirs)
    # (inputs of size ~1: a sum's rounding is absolute, ~eps, whatever the mean's size)
    np.testing.assert_allclose(ours[fin], theirs[fin], rtol=0, atol=4 * np.finfo(dtype).eps)
    assert (ours[fin] == theirs[fin]).mean() > 0.25
