"""Reductions whose rounding depends on the order of the operations: the same bits as
PyTorch 2.13's CPU kernels (its vectorised inner reduction on AVX2 CPUs)."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(200, 1000), (3, 4, 129), (7, 32), (2, 31), (1000,),
                                   (0, 64), (5, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_prod_over_the_last_dim_has_torchs_bits(dtype, shape, keepdim):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = (np.abs(rng.standard_normal(shape)) * 0.3 + 0.85).astype(dtype)  # no overflow
    x[rng.random(shape) < 0.02] *= -1
    want = torch.from_numpy(x).prod(-1, keepdim=keepdim).numpy()
    got = ag.from_numpy(x).prod(-1, keepdim=keepdim).numpy()
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got, want)


@pytest.mark.torch_parity
def test_prod_over_a_strided_or_outer_dim_has_torchs_bits():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).uniform(0.7, 1.3, (300, 200)).astype(np.float32)
    for f in (lambda m: m.T.prod(-1), lambda m: m.prod(0), lambda m: m[:, ::2].prod(1)):
        assert np.array_equal(f(ag.from_numpy(x)).numpy(), f(torch.from_numpy(x)).numpy())


def test_prod_over_the_last_dim_gradient_is_the_product_of_the_others():
    x = np.random.default_rng(5).uniform(0.5, 1.5, (3, 70))
    t = ag.tensor(x, requires_grad=True)
    t.prod(1).sum().backward()
    want = np.array([[np.prod(np.delete(r, j)) for j in range(70)] for r in x])
    np.testing.assert_allclose(t.grad.numpy(), want, rtol=1e-13)
