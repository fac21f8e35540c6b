"""``x[mask] = value`` with a bool mask of x's shape and one value (the fill kernel's path):
values and gradients against PyTorch, and against the general path's rule."""

import numpy as np
import pytest

import autograd_core as ag


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("value", [0.0, -2.5, "tensor", "tensor1"])
def test_setitem_full_mask_values_and_gradients_match_torch(dtype, value):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 30)).astype(dtype)
    m = rng.random((40, 30)) > 0.5
    w = rng.standard_normal((40, 30)).astype(dtype)
    outs = []
    for lib, T in (("tg", ag), ("torch", torch)):
        xt = T.tensor(x, requires_grad=True)
        v = value
        if isinstance(value, str):
            v = T.tensor(1.5 if value == "tensor" else [1.5], dtype=xt.dtype, requires_grad=True)
        y = xt * 1.0
        y[T.tensor(m)] = v
        (y * T.tensor(w)).sum().backward()
        outs.append((y.detach().numpy(), xt.grad.numpy(),
                     None if not isinstance(v, (ag.Tensor, torch.Tensor)) else v.grad.numpy()))
    (y1, g1, v1), (y2, g2, v2) = outs
    assert np.array_equal(y1, y2) and np.array_equal(g1, g2)
    if v1 is not None:
        np.testing.assert_allclose(v1, v2, rtol=1e-6)


def test_setitem_full_mask_on_a_non_contiguous_view_base():
    x = ag.arange(12.0).reshape(3, 4).t()  # (4, 3), Fortran-ordered
    y = x * 1.0
    y[y > 5] = -1.0
    assert np.array_equal(y.numpy(), np.where(x.numpy() > 5, -1.0, x.numpy()))
