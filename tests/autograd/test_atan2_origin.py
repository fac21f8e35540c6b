"""atan2's gradient where x^2 + y^2 is 0: PyTorch's 0, not NaN (an angle taken at the origin,
e.g. of a zero vector, must not poison a training step), and no numpy warning."""

import warnings

import numpy as np
import pytest

import autograd_core as ag

Y = [0.0, 0.0, -0.0, 1e-200, 0.0, 3.0, 1.0]
X = [0.0, -0.0, 0.0, 1e-200, 2.0, 0.0, 1.0]
G = [1.0, -2.0, 3.0, 1.0, -1.0, 2.0, 4.0]


def test_zero_where_the_denominator_is_zero_by_hand():
    y = ag.tensor(Y, dtype=ag.float64, requires_grad=True)
    x = ag.tensor(X, dtype=ag.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.atan2(y, x).backward(ag.tensor(G, dtype=ag.float64))
    # d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2), 0 where x^2 + y^2 is 0 (1e-200 squared
    # underflows to 0 too)
    assert y.grad.tolist() == [0.0, 0.0, 0.0, 0.0, -1.0 / 2.0, 0.0, 4.0 * 1.0 / 2.0]
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, -2.0 * 3.0 / 9.0, -4.0 * 1.0 / 2.0]


def test_double_backward_at_the_origin_is_finite():
    y = ag.tensor([0.0, 1.0], dtype=ag.float64, requires_grad=True)
    x = ag.tensor([0.0, 2.0], dtype=ag.float64, requires_grad=True)
    gy, gx = ag.autograd.grad(ag.atan2(y, x).sum(), (y, x), create_graph=True)
    hy, hx = ag.autograd.grad((gy + gx).sum(), (y, x))
    assert np.isfinite(hy.numpy()).all() and np.isfinite(hx.numpy()).all()
    # away from the origin, by hand: d/dy (x - y) / r2 = (-r2 - 2y (x - y)) / r2^2 at (1, 2)
    r2 = 5.0
    assert hy.numpy()[1] == pytest.approx((-r2 - 2 * 1.0 * (2.0 - 1.0)) / r2 ** 2)
    assert hx.numpy()[1] == pytest.approx((r2 - 2 * 2.0 * (2.0 - 1.0)) / r2 ** 2)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradients_equal_torch_bit_for_bit(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    yv, xv, gv = (rng.standard_normal(500).astype(dtype) for _ in range(3))
    tiny = 1e-30 if dtype == "float32" else 1e-200
    yv[:7] = [v if v != 1e-200 else tiny for v in Y]
    xv[:7] = [v if v != 1e-200 else tiny for v in X]
    grads = []
    for lib in (ag, torch):
        y, x = lib.tensor(yv, requires_grad=True), lib.tensor(xv, requires_grad=True)
        lib.atan2(y, x).backward(lib.tensor(gv))
        grads.append((y.grad.numpy(), x.grad.numpy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))
