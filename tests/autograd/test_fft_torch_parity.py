"""autograd_core.fft against torch.fft 2.13: values and vector-Jacobian products with random
(complex) cotangents for every transform, ``n``/``s``, ``dim`` and ``norm``; complex
gradcheck and gradgradcheck (finite differences, no torch); the helpers; the errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag

NORMS = [None, "backward", "ortho", "forward"]

# (name, kwargs, input shape, real input?)
CASES = [
    ("fft", {}, (5,), False),
    ("fft", dict(n=8), (2, 5), False),
    ("fft", dict(n=3, dim=0), (5, 2), True),
    ("ifft", {}, (2, 6), False),
    ("ifft", dict(n=4, dim=0), (3, 2), False),
    ("rfft", {}, (7,), True),
    ("rfft", dict(n=6), (2, 4), True),
    ("rfft", dict(n=3, dim=0), (5, 3), True),
    ("irfft", {}, (2, 4), False),
    ("irfft", dict(n=7), (4,), False),
    ("irfft", dict(n=4, dim=0), (5, 2), False),
    ("fft2", {}, (3, 4), False),
    ("fft2", dict(s=(2, 6)), (2, 3, 4), True),
    ("ifft2", dict(dim=(0, 2)), (3, 2, 4), False),
    ("rfft2", {}, (4, 6), True),
    ("rfft2", dict(s=(3, 5)), (2, 4, 4), True),
    ("irfft2", {}, (3, 4), False),
    ("irfft2", dict(s=(4, 5)), (3, 3), False),
    ("fftn", {}, (2, 3, 4), False),
    ("fftn", dict(s=(3, -1)), (2, 4), False),
    ("fftn", dict(dim=(2, 0)), (2, 3, 4), True),
    ("ifftn", dict(s=(5,), dim=(1,)), (2, 3), False),
    ("rfftn", {}, (2, 3, 4), True),
    ("rfftn", dict(dim=(0, 1)), (4, 3, 2), True),
    ("irfftn", {}, (2, 3, 3), False),
    ("irfftn", dict(s=(2, 6), dim=(0, 2)), (3, 2, 4), False),
]
IDS = [f"{c[0]}-{'-'.join(f'{k}{v}' for k, v in c[1].items()) or 'default'}" for c in CASES]


def _input(rng, shape, real, dtype):
    x = rng.standard_normal(shape)
    if not real:
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype if not real else (np.float64 if dtype == np.complex128
                                                   else np.float32))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name,kw,shape,real", CASES, ids=IDS)
def test_values_and_vjps_equal_torch(name, kw, shape, real, norm, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arr = _input(rng, shape, real, dtype)
    x = ag.tensor(arr, requires_grad=True)
    t = torch.tensor(arr, requires_grad=True)
    y = getattr(ag.fft, name)(x, norm=norm, **kw)
    u = getattr(torch.fft, name)(t, norm=norm, **kw)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.complex64 else dict(rtol=1e-10, atol=1e-10)
    assert y.shape == tuple(u.shape) and y.dtype.name == str(u.dtype)[6:]
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), **tol)
    v = rng.standard_normal(y.shape) + (1j * rng.standard_normal(y.shape)
                                        if y.dtype.is_complex else 0)
    v = v.astype(y.dtype)
    y.backward(ag.tensor(v))
    u.backward(torch.tensor(v))
    assert x.grad.dtype.name == str(t.grad.dtype)[6:]
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **tol)


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("name,kw,shape,real", CASES, ids=IDS)
def test_gradcheck_and_gradgradcheck(name, kw, shape, real, norm):
    rng = np.random.default_rng(1)
    x = ag.tensor(_input(rng, shape, real, np.complex128), requires_grad=True)

    def fn(a):
        return getattr(ag.fft, name)(a, norm=norm, **kw)

    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))


@pytest.mark.torch_parity
@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 9), d=st.sampled_from([1.0, 0.5, 3.0]),
       shape=st.lists(st.integers(1, 5), min_size=1, max_size=3))
def test_helpers_equal_torch(n, d, shape):
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(ag.fft.fftfreq(n, d).numpy(), torch.fft.fftfreq(n, d).numpy())
    np.testing.assert_allclose(ag.fft.rfftfreq(n, d=d, dtype=ag.float64).numpy(),
                               torch.fft.rfftfreq(n, d=d, dtype=torch.float64).numpy())
    assert ag.fft.fftfreq(n).dtype == ag.float32
    arr = np.arange(int(np.prod(shape))).reshape(shape)
    for dim in (None, 0, tuple(range(len(shape)))):
        np.testing.assert_array_equal(ag.fft.fftshift(ag.tensor(arr), dim=dim).numpy(),
                                      torch.fft.fftshift(torch.tensor(arr), dim=dim).numpy())
        np.testing.assert_array_equal(ag.fft.ifftshift(ag.tensor(arr), dim=dim).numpy(),
                                      torch.fft.ifftshift(torch.tensor(arr), dim=dim).numpy())


def test_hand_worked_transforms():
    # the DFT of a unit impulse at t = 1 is exp(-2 pi i k / n); of a constant, n at k = 0
    n = 6
    x = ag.tensor(np.eye(n)[1])
    np.testing.assert_allclose(ag.fft.fft(x).numpy(), np.exp(-2j * np.pi * np.arange(n) / n),
                               atol=1e-7)
    np.testing.assert_allclose(ag.fft.rfft(ag.ones(4), norm="ortho").numpy(), [2, 0, 0],
                               atol=1e-7)
    # Parseval: with norm="ortho" the transform is unitary, so |fft(x)|^2 sums to |x|^2,
    # and the gradient of sum |fft(x)|^2 over real x is 2x
    r = ag.tensor([0.5, -1.0, 2.0, 0.25], dtype=ag.float64, requires_grad=True)
    (ag.fft.fft(r, norm="ortho").abs() ** 2).sum().backward()
    np.testing.assert_allclose(r.grad.numpy(), 2 * r.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn,err,message", [
    (lambda: ag.fft.fft(ag.ones(4), norm="bad"), RuntimeError,
     'Invalid normalization mode: "bad"'),
    (lambda: ag.fft.fft(ag.ones(4), n=0), RuntimeError,
     r"Invalid number of data points \(0\) specified"),
    (lambda: ag.fft.fft(ag.ones(4), dim=2), IndexError,
     r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 2\)"),
    (lambda: ag.fft.rfft(ag.ones(4) * 1j), RuntimeError,
     "rfft expects a real input tensor, but got ComplexFloat"),
    (lambda: ag.fft.fftn(ag.ones(2, 3), dim=(0, 0)), RuntimeError, "FFT dims must be unique"),
    (lambda: ag.fft.fftn(ag.ones(2, 3), s=(2, 3), dim=(0,)), RuntimeError,
     "dim and shape arguments must have the same length"),
    (lambda: ag.fft.irfft(ag.ones(1)), RuntimeError,
     r"Invalid number of data points \(0\) specified"),
])
def test_bad_arguments_in_pytorchs_words(fn, err, message):
    with pytest.raises(err, match=message):
        fn()


def test_integer_and_float32_inputs_give_complex64():
    assert ag.fft.fft(ag.tensor([1, 2, 3])).dtype == ag.complex64
    assert ag.fft.rfft(ag.ones(4)).dtype == ag.complex64
    assert ag.fft.irfft(ag.ones(3, dtype=ag.complex64)).dtype == ag.float32
    assert ag.fft.fft(ag.ones(3, dtype=ag.float64)).dtype == ag.complex128


def _doc_params(doc):
    """``[(name, default text)]`` from a torch.fft docstring's signature line (``out``
    left out: no op here takes it)."""
    import re

    line = next(ln for ln in doc.strip().splitlines() if "(" in ln)
    inner = re.match(r"\s*\w+\((.*)\)", line.split(" -> ")[0]).group(1)
    parts, depth, cur = [], 0, ""
    for ch in inner + ",":
        if ch == "," and not depth:
            parts.append(cur.strip())
            cur = ""
            continue
        depth += (ch in "([") - (ch in ")]")
        cur += ch
    out = []
    for part in parts:
        if part in ("*", "") or part.startswith("out"):
            continue
        name, _, default = part.partition("=")
        out.append((name.strip(), default.strip() or None))
    return out


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ag.fft.__all__)
def test_signatures_equal_torch(name):
    import inspect

    torch = pytest.importorskip("torch")
    want = _doc_params(getattr(torch.fft, name).__doc__)
    ours = inspect.signature(getattr(ag.fft, name)).parameters.values()
    got = [(p.name, None if p.default is p.empty else repr(p.default).replace("'", "")
            .replace(" ", "")) for p in ours]
    want = [(n, None if d is None else d.replace(" ", "")) for n, d in want]
    # torch.strided (layout) is accepted and ignored here: compare its name only
    assert [n for n, _ in got] == [n for n, _ in want]
    assert [g for g in got if g[0] != "layout"] == [w for w in want if w[0] != "layout"]
