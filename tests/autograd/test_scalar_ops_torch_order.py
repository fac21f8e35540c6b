"""A tensor and a Python number as PyTorch computes them: ``number / x`` is PyTorch's
``Tensor.__rdiv__``, ``reciprocal(x) * number`` (its values, and the reciprocal saves its
output, so an in-place change of ``x`` afterwards does not stop backward); a float16 tensor
times or over a number computes in float32 with the number in float32 (ATen's opmath),
rounded once (numpy rounded the number to float16 first)."""

import numpy as np
import pytest

import autograd_core as ag


def test_number_over_tensor_survives_an_in_place_change_of_the_tensor():
    leaf = ag.tensor([1.0, 2.0, 4.0], dtype=ag.float64, requires_grad=True)
    x = leaf * 1.0
    y = 2.0 / x
    with ag.no_grad():
        x.mul_(3)  # x was saved by the division: "modified by an inplace operation" before
    y.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), [-2.0, -0.5, -0.125])  # -2 / x^2
    assert y.grad_fn.name() == "MulBackward0"  # PyTorch's too


def test_float16_times_and_over_a_number_in_float32():
    tiny = 2.0 ** -24  # float16's smallest subnormal
    x = ag.tensor([0.0, tiny, 1.0], dtype=ag.float16)
    # 1e5 is inf in float16: 0 * inf was NaN, tiny * inf inf
    want = (np.array([0.0, tiny, 1.0], np.float32) * np.float32(1e5)).astype(np.float16)
    np.testing.assert_array_equal((x * 1e5).numpy(), want)
    assert (x * 1e5).numpy()[0] == 0.0 and (x * 1e5).numpy()[1] == np.float16(0.00596)
    # 1e-8 is 0 in float16: tiny / 1e-8 was inf
    assert (x / 1e-8).numpy()[1] == np.float16(np.float32(tiny) / np.float32(1e-8))
    np.testing.assert_array_equal(x.mul(1e5).numpy(), (1e5 * x).numpy())


@pytest.mark.torch_parity
def test_every_float16_value_with_numbers_equals_torch():
    torch = pytest.importorskip("torch")
    v = np.arange(2 ** 16, dtype=np.uint16).view(np.float16)
    v = v[np.isfinite(v)]
    ours, theirs = ag.tensor(v), torch.tensor(v)
    for c in (0.1, 1 / 3, 3.7, 1e-3, 2.0, 1e5, 7, -0.3, 1e-8):
        for f in (lambda a: a * c, lambda a: c * a, lambda a: a / c, lambda a: c / a,
                  lambda a: a + c, lambda a: c - a):
            with np.errstate(all="ignore"):
                np.testing.assert_array_equal(f(ours).numpy(), f(theirs).numpy())


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_number_over_tensor_equals_torch_bitwise(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, g = (rng.standard_normal(2000).astype(dtype) for _ in range(2))
    for c in (3.0, 0.1, 7):
        a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yt = c / a, c / t
        ya.backward(ag.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy())
        np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())
