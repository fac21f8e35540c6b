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


def _lib(t):
    return type(t).__module__.split(".")[0] == "torch" and __import__("torch") or ag


#: the method, functional and in-place forms, which call the ops' functions rather than the
#: operators: before, ``x16.mul(np.float64(0.1))``, ``ag.div``, ``mul_``, ``lerp`` differed as
#: the operators did, and ``add``/``sub``/``add_`` with ``alpha=np.float64(0.1)`` and
#: ``addcmul``/``addcdiv`` with ``value=`` a numpy scalar were rounded twice, in float32 and
#: float64 too (a third of the elements an ulp off PyTorch's fused result; ``p.add_(g,
#: alpha=-lr)`` with an ``lr`` from numpy is a hand-written SGD step), and ``full`` took
#: ``np.float64``'s dtype where PyTorch makes the default float dtype
FORMS = {
    "mul": lambda t, u, s: t.mul(s), "div": lambda t, u, s: t.div(s),
    "true_divide": lambda t, u, s: t.true_divide(s),
    "div_floor": lambda t, u, s: t.div(s, rounding_mode="floor"),
    "div_trunc": lambda t, u, s: t.div(s, rounding_mode="trunc"),
    "floor_divide": lambda t, u, s: t.floor_divide(s),
    "fn_mul": lambda t, u, s: _lib(t).mul(t, s), "fn_div": lambda t, u, s: _lib(t).div(t, s),
    "mul_": lambda t, u, s: t.clone().mul_(s), "div_": lambda t, u, s: t.clone().div_(s),
    "lerp": lambda t, u, s: t.lerp(u, s),
    "add_alpha": lambda t, u, s: t.add(u, alpha=s), "sub_alpha": lambda t, u, s: t.sub(u, alpha=s),
    "add_alpha_": lambda t, u, s: t.clone().add_(u, alpha=s),
    "addcmul": lambda t, u, s: t.addcmul(u, t, value=s),
    "addcdiv": lambda t, u, s: t.addcdiv(u, t.abs() + 1, value=s),
    "full": lambda t, u, s: _lib(t).full((3,), s),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("scalar", SCALARS, ids=lambda s: f"{type(s).__name__}({s})")
@pytest.mark.parametrize("form", sorted(FORMS))
def test_method_functional_and_inplace_forms_read_the_python_number(form, scalar, dtype):
    x, u = ag.tensor(_x(dtype)), ag.tensor(_x(dtype)[::-1].copy())
    got = FORMS[form](x, u, scalar)
    want = FORMS[form](x, u, scalar.item())
    assert got.dtype == want.dtype
    assert _same(got.numpy(), want.numpy())


@pytest.mark.torch_parity
def test_method_functional_and_inplace_forms_are_pytorchs():
    torch = pytest.importorskip("torch")
    for dtype in DTYPES:
        x, u = _x(dtype), _x(dtype)[::-1].copy()
        for name, form in FORMS.items():
            for s in SCALARS:
                ours = form(ag.tensor(x), ag.tensor(u), s)
                theirs = form(torch.tensor(x), torch.tensor(u), s)
                assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], \
                    (name, s, dtype)
                assert _same(ours.numpy(), theirs.numpy()), (name, s, dtype)


def test_boolean_alpha_of_sub_is_refused_as_add_refuses_it():
    """``sub(x, y, alpha=True)`` of floats negated the bool into the int -1 and computed;
    PyTorch refuses a bool ``alpha`` unless the result is bool, as ``add`` here did."""
    x = ag.tensor([1.0, 2.0])
    for fn in (ag.add, ag.sub):
        with pytest.raises(RuntimeError, match="Boolean alpha only supported for Boolean"):
            fn(x, x, alpha=True)


@pytest.mark.parametrize("name", ["mul", "div", "true_divide"])
def test_a_number_given_first_is_cast_to_the_tensors_dtype(name):
    """``torch.mul(0.1, x16)`` makes 0.1 a 0-d tensor of x's dtype, rounded to float16 before
    the product is taken in float32 (the operator ``0.1 * x16`` reads it in float32); the
    functional form here took the operator's path: 670 of 2000 elements differed."""
    x = _x(np.float16)
    s16 = np.float32(np.float16(np.float32(0.1)))
    fn = np.multiply if name == "mul" else np.true_divide
    want = fn(s16, x.astype(np.float32)).astype(np.float16)
    for s in (0.1, np.float64(0.1)):
        got = getattr(ag, name)(s, ag.tensor(x))
        assert got.dtype == ag.float16 and _same(got.numpy(), want)
    assert _same(getattr(ag, name)(0.1, ag.tensor(x.astype(np.float32))).numpy(),
                 fn(np.float32(0.1), x.astype(np.float32)))  # float32: as it is


@pytest.mark.torch_parity
def test_a_number_given_first_is_pytorchs():
    torch = pytest.importorskip("torch")
    for dtype in DTYPES:
        x = _x(dtype)
        for name in ("mul", "div", "true_divide", "add", "sub"):
            for s in (0.1, 3.1005859375000004, 2, np.float64(0.1)):
                ours = getattr(ag, name)(s, ag.tensor(x))
                theirs = getattr(torch, name)(s, torch.tensor(x))
                assert _same(ours.numpy(), theirs.numpy()), (name, s, dtype)
        for mode in ("floor", "trunc"):
            ours = ag.div(0.1, ag.tensor(x), rounding_mode=mode)
            theirs = torch.div(0.1, torch.tensor(x), rounding_mode=mode)
            assert _same(ours.numpy(), theirs.numpy()), (mode, dtype)
