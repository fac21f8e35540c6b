"""A numpy scalar (``np.float64(0.1)``, ``np.float32``, ``np.int64``: what ``np.sqrt(d)``,
``arr.mean()`` or ``arr[i]`` give) meets a tensor as the Python number it holds, as PyTorch's
argument parser reads it. numpy's scalars are not weak, so before: ``x16 * np.float64(0.1)``
computed in float64 and differed from PyTorch's in about a third of the elements,
``np.float64(0.1) / x`` went through numpy's ``__array_ufunc__`` as a true division (PyTorch:
``reciprocal(x) * 0.1``; a quarter of float32 elements differed), ``x ** np.float64(2.0)`` and
``x ** np.int32(2)`` gave float64 tensors, and ``x16 // np.float64(0.1)`` differed. Found by a
sweep of 16 operators x 7 numpy scalar types x 5 dtypes against torch 2.13."""

import operator

import numpy as np
import pytest

import autograd_core as ag

OPS = {
    "mul": operator.mul, "div": operator.truediv, "add": operator.add, "sub": operator.sub,
    "rmul": lambda t, s: s * t, "rdiv": lambda t, s: s / t, "radd": lambda t, s: s + t,
    "rsub": lambda t, s: s - t, "pow": lambda t, s: t.abs() ** s,
    "rpow": lambda t, s: s ** (t / 10), "floordiv": operator.floordiv,
    "rfloordiv": lambda t, s: s // t, "mod": operator.mod, "lt": operator.lt,
    "pow_fn": lambda t, s: ag.pow(t.abs(), s) if isinstance(t, ag.Tensor) else None,
}
SCALARS = [np.float64(0.1), np.float32(0.3), np.float16(0.1), np.int64(3), np.int32(2),
           np.float64(3.1005859375000004)]  # (a float64 just above a float16 tie)
DTYPES = [np.float16, np.float32, np.float64]


def _x(dtype):
    x = (np.random.default_rng(0).standard_normal(500) * 10).astype(dtype)
    x[x == 0] = 1
    return x


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: f"{type(s).__name__}({s})")
@pytest.mark.parametrize("op", sorted(OPS))
def test_a_numpy_scalar_is_its_python_number(op, scalar, dtype):
    x = ag.tensor(_x(dtype))
    got = OPS[op](x, scalar)
    want = OPS[op](x, scalar.item())
    assert got.dtype == want.dtype
    assert _same(got.numpy(), want.numpy())


def test_the_python_number_path_is_pytorchs():
    """The Python-number results the test above holds numpy scalars to are PyTorch's
    (the ops whose numbers PyTorch's libm decides, pow's, are left to the op-table tests)."""
    torch = pytest.importorskip("torch")
    for dtype in DTYPES:
        x = _x(dtype)
        for name in ("mul", "div", "add", "sub", "rmul", "rdiv", "rsub", "floordiv", "lt"):
            for s in SCALARS:
                ours = OPS[name](ag.tensor(x), s)
                theirs = OPS[name](torch.tensor(x), s)
                assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
                assert _same(ours.numpy(), theirs.numpy()), (name, s, dtype)


test_the_python_number_path_is_pytorchs = pytest.mark.torch_parity(
    test_the_python_number_path_is_pytorchs)


def test_numpy_scalar_gradients_match_the_numbers():
    x = ag.tensor(_x(np.float32), requires_grad=True)
    (np.float64(0.5) / x + x ** np.float64(2.0) * np.float32(3.0)).sum().backward()
    g = x.grad.numpy().copy()
    x.grad = None
    (0.5 / x + x ** 2.0 * float(np.float32(3.0))).sum().backward()
    assert x.grad.dtype == ag.float32 and _same(g, x.grad.numpy())
