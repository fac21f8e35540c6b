"""mse / smooth L1 / Huber with ATen's kernels' rounding: their mean gradients were
``g / n`` first (a quarter of float32 and most float64 mse gradients an ulp off PyTorch's),
and smooth L1's terms for beta != 1 ``d * d * (0.5 / beta)`` (up to 28% an ulp off)."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

RNG = np.random.default_rng(0)


def _pair(dtype, n=4096):
    a = (RNG.standard_normal(n) * 1.5).astype(dtype)
    b = RNG.standard_normal(n).astype(dtype)
    return a, b


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mse_mean_gradient_is_norm_times_difference_times_g(dtype):
    a, b = _pair(dtype)
    x = ag.tensor(a, requires_grad=True)
    F.mse_loss(x, ag.tensor(b)).backward(ag.tensor(0.7, dtype=x.dtype))
    expected = dtype(2.0 / a.size) * (a - b) * dtype(0.7)  # ATen's order, one rounding each
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("beta", [0.3, 1.0, 2.5])
def test_smooth_l1_terms_and_gradient_in_atens_order(dtype, beta):
    a, b = _pair(dtype)
    x = ag.tensor(a, requires_grad=True)
    terms = F.smooth_l1_loss(x, ag.tensor(b), beta=beta, reduction="none")
    z, k = np.abs(a - b), dtype(beta)
    np.testing.assert_array_equal(terms.detach().numpy(),
                                  np.where(z < k, 0.5 * z * z / k, z - 0.5 * k))
    F.smooth_l1_loss(x, ag.tensor(b), beta=beta).backward()
    d = a - b
    slope = np.where(np.abs(d) >= k, np.where(d > 0, dtype(1), dtype(-1)), d / k)
    np.testing.assert_array_equal(x.grad.numpy(), dtype(1.0 / a.size) * slope * dtype(1))


@pytest.mark.parametrize("name, k", [("smooth_l1_loss", "beta"), ("huber_loss", "delta")])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_piecewise_losses_gradcheck_twice(name, k, reduction):
    a = np.array([-2.0, -0.4, 0.1, 0.5, 1.7, 3.0])
    b = np.array([0.3, 0.2, -0.5, 0.45, -0.2, 1.1])  # (no difference at the kink, 0.7)
    x = ag.tensor(a, requires_grad=True)
    y = ag.tensor(b, requires_grad=True)
    f = lambda u, v: getattr(F, name)(u, v, reduction=reduction, **{k: 0.7})  # noqa: E731
    assert ag.gradcheck(f, (x, y)) and ag.gradgradcheck(f, (x, y))


@pytest.mark.torch_parity
@pytest.mark.parametrize("name, k", [("mse_loss", None), ("smooth_l1_loss", "beta"),
                                     ("huber_loss", "delta")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_bit_equal_torch(name, k, dtype):
    torch = pytest.importorskip("torch")
    a, b = _pair(dtype)
    kw = {} if k is None else {k: 0.3}
    for reduction in ("mean", "sum", "none"):
        xa, ya = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
        xt, yt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        la = getattr(F, name)(xa, ya, reduction=reduction, **kw)
        lt = getattr(torch.nn.functional, name)(xt, yt, reduction=reduction, **kw)
        g = RNG.standard_normal(tuple(lt.shape)).astype(dtype)
        la.backward(ag.tensor(g))
        lt.backward(torch.tensor(g))
        np.testing.assert_array_equal(xa.grad.numpy(), xt.grad.numpy())
        np.testing.assert_array_equal(ya.grad.numpy(), yt.grad.numpy())
        if reduction == "none":
            np.testing.assert_array_equal(la.detach().numpy(), lt.detach().numpy())
