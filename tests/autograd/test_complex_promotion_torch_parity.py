"""Type promotion of real and complex tensors, as ATen's: float64 with complex64 is
complex128 (it was complex64: the float64 operand silently lost precision)."""

import numpy as np
import pytest

import autograd_core as ag

PAIRS = [("float64", "complex64"), ("complex64", "float64"), ("float32", "complex64"),
         ("int64", "complex64"), ("bool", "complex64"), ("float32", "complex128"),
         ("float64", "complex128")]
OPS = [("add", lambda m, x, y: x + y), ("mul", lambda m, x, y: x * y),
       ("div", lambda m, x, y: x / y), ("cat", lambda m, x, y: m.cat([x, y])),
       ("stack", lambda m, x, y: m.stack([x, y])),
       ("where", lambda m, x, y: m.where(m.tensor([True, False]), x, y))]


@pytest.mark.torch_parity
@pytest.mark.parametrize("a,b", PAIRS)
@pytest.mark.parametrize("name,fn", OPS, ids=[o[0] for o in OPS])
def test_real_complex_promotion_equals_torch(name, fn, a, b):
    torch = pytest.importorskip("torch")
    x = (np.array([1 / 3, 2.0]) + (0.25j if a.startswith("complex") else 0)).astype(a)
    y = (np.array([1.0, 1 / 7]) + (1j / 3 if b.startswith("complex") else 0)).astype(b)
    out = fn(ag, ag.tensor(x), ag.tensor(y))
    tout = fn(torch, torch.tensor(x), torch.tensor(y))
    assert out.dtype.name == str(tout.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(out.numpy(), tout.numpy())


def test_float64_keeps_its_precision_with_complex64():
    x = ag.tensor([1 / 3], dtype=ag.float64)
    out = x + ag.tensor([0j], dtype=ag.complex64)
    assert out.dtype == ag.complex128 and out.numpy()[0].real == 1 / 3
