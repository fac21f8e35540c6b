"""autograd_core.fft at the edges: half precision refused as PyTorch's CPU transforms (numpy
computed it in complex64), non-contiguous and expanded inputs, float32 results and their
gradients against PyTorch 2.13."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "fft2", "rfftn", "irfft"])
def test_half_is_refused(name):
    x = ag.tensor(np.arange(8.0).reshape(2, 4), dtype=ag.float16)
    with pytest.raises(RuntimeError, match="Unsupported dtype Half"):
        getattr(ag.fft, name)(x)


VIEWS = [
    ("transposed", lambda m, x: m.fft.fft(x.T, norm="ortho")),
    ("strided", lambda m, x: m.fft.rfft(x[:, ::2], n=5)),
    ("expanded", lambda m, x: m.fft.fft2(x[:1].expand(3, 6))),
    ("irfftn_reordered", lambda m, x: m.fft.irfftn(x.T * (1 + 1j), dim=(1, 0), s=(4, 5))),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_values_dtypes_and_vjps_equal_torch(name, fn, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arr = rng.standard_normal((4, 6)).astype(dtype)
    x, t = ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    out, tout = fn(ag, x), fn(torch, t)
    assert out.dtype.name == str(tout.dtype).removeprefix("torch.")
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), **tol)
    v = rng.standard_normal(out.shape) + (1j * rng.standard_normal(out.shape)
                                          if out.dtype.is_complex else 0)
    v = v.astype(out.detach().numpy().dtype)
    out.backward(ag.tensor(v))
    tout.backward(torch.tensor(v))
    assert x.grad.dtype == x.dtype
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **tol)
