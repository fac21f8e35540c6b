"""asinh / acosh / atanh (and arcsinh / arccosh / arctanh, the methods and in-place forms):
PyTorch has them; tapegrad had none (``x.atanh()`` was an AttributeError)."""

import math

import numpy as np
import pytest

import autograd_core as ag


def test_values_and_gradients_by_hand():
    x = ag.tensor([0.5, 2.0], dtype=ag.float64, requires_grad=True)
    y = ag.asinh(x)
    np.testing.assert_allclose(y.detach().numpy(),
                               [math.log(v + math.sqrt(v * v + 1)) for v in (0.5, 2.0)],
                               rtol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1 / math.sqrt(v * v + 1) for v in (0.5, 2.0)],
                               rtol=1e-15)
    z = ag.tensor([2.0, 3.0], dtype=ag.float64, requires_grad=True)
    ag.acosh(z).sum().backward()
    np.testing.assert_allclose(ag.acosh(z).detach().numpy(),
                               [math.log(v + math.sqrt(v * v - 1)) for v in (2.0, 3.0)],
                               rtol=1e-15)
    np.testing.assert_allclose(z.grad.numpy(), [1 / math.sqrt(v * v - 1) for v in (2.0, 3.0)],
                               rtol=1e-15)
    t = ag.tensor([0.5, -0.25], dtype=ag.float64, requires_grad=True)
    ag.atanh(t).sum().backward()
    np.testing.assert_allclose(ag.atanh(t).detach().numpy(),
                               [0.5 * math.log(3.0), 0.5 * math.log(0.75 / 1.25)], rtol=1e-15)
    np.testing.assert_allclose(t.grad.numpy(), [1 / 0.75, 1 / (1 - 0.0625)], rtol=1e-15)


def test_aliases_methods_in_place_and_integer_inputs():
    x = ag.tensor([0.5, 0.25])
    for name, alias in (("asinh", "arcsinh"), ("acosh", "arccosh"), ("atanh", "arctanh")):
        v = x + 1.0 if name == "acosh" else x
        want = getattr(np, alias)(v.numpy())
        for got in (getattr(ag, name)(v), getattr(ag, alias)(v), getattr(v, name)(),
                    getattr(v, alias)(), getattr(v.clone(), name + "_")(),
                    getattr(v.clone(), alias + "_")()):
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    r = ag.acosh(ag.tensor([1, 2]))  # integers compute in the default dtype, as PyTorch
    assert r.dtype == ag.float32 and r.tolist()[0] == 0.0
    assert np.isnan(ag.atanh(ag.tensor([2.0])).item()) and ag.atanh(ag.tensor([1.0])).item() == math.inf


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128"])
def test_match_torch(dtype):
    torch = pytest.importorskip("torch")
    x = np.array([-3.0, -0.5, 0.0, 0.3, 0.99, 1.5, 7.0])
    x = x + 0.5j if dtype == "complex128" else x.astype(dtype)
    w = np.random.default_rng(0).standard_normal(x.shape).astype(x.real.dtype)
    for name in ("asinh", "acosh", "atanh"):
        res = []
        for lib in (ag, torch):
            t = lib.tensor(x, requires_grad=True)
            y = getattr(lib, name)(t)
            loss = (y * lib.tensor(w)).sum()
            (loss.abs() if dtype == "complex128" else loss).backward()
            res.append((y.detach().numpy(), t.grad.numpy()))
        for a, b in zip(*res):
            np.testing.assert_allclose(a, b, rtol=2e-6 if dtype == "float32" else 1e-13,
                                       atol=1e-7 if dtype == "float32" else 1e-14)
