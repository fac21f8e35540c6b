"""Layer and group norm run the row kernels (statistics in float64, PyTorch's forms
``fma(fma(x, r, -m*r), w, b)`` and ``dx = r * g * w + b * x + c``): PyTorch's numbers to an
ulp, gradients checked in float64 (double backward through the composite), the fallbacks
(float16, empty, mixed dtypes) unchanged."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

LN = lambda f, x, w, b: f.layer_norm(x, (16, 8), w, b)  # noqa: E731
GN = lambda f, x, w, b: f.group_norm(x, 4, w, b)  # noqa: E731


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn,xs,ps", [(LN, (6, 5, 16, 8), (16, 8)), (GN, (6, 8, 5, 7), (8,))])
def test_row_norms_match_torch(fn, xs, ps, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(xs) * 4 + 3).astype(dtype)
    w, b = (rng.standard_normal(ps).astype(dtype) for _ in range(2))
    g = rng.standard_normal(xs).astype(dtype)
    tt = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    ty = fn(torch.nn.functional, *tt)
    ty.backward(torch.from_numpy(g))
    at = [ag.tensor(a, requires_grad=True) for a in (x, w, b)]
    ay = fn(F, *at)
    ay.backward(ag.from_numpy(g))
    eps = np.finfo(dtype).eps
    for got, want, ulps in [(ay, ty, 4), *[(a.grad, t.grad, 64) for a, t in zip(at, tt)]]:
        got, want = got.detach().numpy(), want.detach().numpy()
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=0, atol=ulps * eps * np.abs(want).max())


@pytest.mark.parametrize("fn,xs,ps", [(LN, (2, 3, 16, 8), (16, 8)), (GN, (2, 8, 3), (8,))])
def test_row_norms_gradcheck(fn, xs, ps):
    rng = np.random.default_rng(8)
    args = [ag.tensor(rng.standard_normal(s), requires_grad=True) for s in (xs, ps, ps)]
    f = lambda x, w, b: fn(F, x, w, b)  # noqa: E731
    assert ag.gradcheck(f, args)
    assert ag.gradgradcheck(f, args)


def test_layer_norm_closed_form_and_non_contiguous():
    x = ag.tensor([[1.0, 0.0], [3.0, 10.0]], dtype=ag.float32).t()  # rows [1, 3], [0, 10]
    np.testing.assert_allclose(F.layer_norm(x, 2, eps=0.0).numpy(), [[-1, 1], [-1, 1]],
                               rtol=0, atol=1e-7)


def test_layer_norm_fallbacks_still_work():
    # float32 weight with a float16 input (a float64 one with float32 is refused, as
    # PyTorch's "mixed dtype"), empty batch, float16: the numpy path
    x = ag.tensor(np.arange(6.0).reshape(2, 3), dtype=ag.float32)
    y = F.layer_norm(x.to(ag.float16), 3, ag.ones(3))
    np.testing.assert_allclose(y.float().numpy(), [[-1.2247, 0, 1.2247]] * 2, atol=2e-3)
    assert F.layer_norm(ag.zeros(0, 3), 3).shape == (0, 3)
    h = nn.LayerNorm(3).to(ag.float16)(x.to(ag.float16))
    assert h.dtype == ag.float16
    np.testing.assert_allclose(h.detach().float().numpy(), [[-1.2247, 0, 1.2247]] * 2,
                               atol=2e-3)
