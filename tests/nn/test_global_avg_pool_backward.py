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
