"""polygamma / Tensor.polygamma, mvlgamma, combinations and set_printoptions (issue 12): closed
forms, float64 gradchecks, error wording, and PyTorch parity of values and of repr."""

import itertools
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd_core as ag

ZETA3 = 1.2020569031595942854  # Apery's constant
EULER = 0.57721566490153286061


def _t(values):
    return ag.tensor(np.asarray(values, dtype=np.float64))


# ---- polygamma ------------------------------------------------------------------------------

def test_polygamma_closed_forms():
    got = lambda n, x: ag.polygamma(n, _t(x)).numpy()  # noqa: E731
    np.testing.assert_allclose(got(0, [1.0, 0.5]), [-EULER, -EULER - 2 * math.log(2)],
                               rtol=1e-14)
    np.testing.assert_allclose(got(1, [1.0, 0.5, 2.0]),
                               [math.pi ** 2 / 6, math.pi ** 2 / 2, math.pi ** 2 / 6 - 1],
                               rtol=1e-12)
    # psi''(1) = -2 zeta(3), psi''(2) = psi''(1) + 2, psi'''(1) = 6 zeta(4) = pi^4 / 15
    np.testing.assert_allclose(got(2, [1.0, 2.0]), [-2 * ZETA3, -2 * ZETA3 + 2], rtol=1e-14)
    np.testing.assert_allclose(got(3, [1.0, 0.5]), [math.pi ** 4 / 15, math.pi ** 4],
                               rtol=1e-14)
    # large x: psi^(n)(x) ~ (-1)^(n+1) (n-1)! / x^n
    np.testing.assert_allclose(got(4, [1e4]), [-6e-16], rtol=1e-3)
    # poles and non-finite inputs, as PyTorch
    assert got(2, [0.0, -2.0]).tolist() == [-math.inf, -math.inf]
    assert got(3, [0.0, -3.0]).tolist() == [math.inf, math.inf]
    assert np.isnan(got(2, [math.nan, math.inf])).all()
    # the reflection-free negative branch: psi''(-0.5) = psi''(0.5) + 2 / 0.5^3 ... by recurrence
    # psi''(x + 1) = psi''(x) + 2 / x^3
    x = -0.5
    np.testing.assert_allclose(got(2, [x + 1])[0] - got(2, [x])[0], 2 / x ** 3, rtol=1e-12)


def test_polygamma_dtypes_method_and_errors():
    assert ag.polygamma(1, ag.tensor([1, 2])).dtype == ag.float32
    x = ag.tensor([1.5, 2.5], dtype=ag.float64)
    assert x.polygamma(2).dtype == ag.float64
    np.testing.assert_array_equal(x.polygamma(2).numpy(), ag.polygamma(2, x).numpy())
    np.testing.assert_array_equal(ag.polygamma(0, x).numpy(), ag.digamma(x).numpy())
    with pytest.raises(RuntimeError, match=r"polygamma\(n, x\) does not support negative n\."):
        ag.polygamma(-1, x)
    with pytest.raises(TypeError, match="argument 'n' .* must be int, not float"):
        ag.polygamma(1.5, x)


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma_gradients(n):
    x = ag.tensor([0.7, 1.3, 2.9, -0.4], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda a: ag.polygamma(n, a), (x,))
    assert ag.gradgradcheck(lambda a: ag.polygamma(n, a), (x,))
    (g,) = ag.autograd.grad(ag.polygamma(n, x).sum(), x)
    np.testing.assert_allclose(g.numpy(), ag.polygamma(n + 1, x.detach()).numpy(), rtol=1e-13)


def test_digamma_is_twice_differentiable():
    x = ag.tensor([0.6, 1.7, 4.0], dtype=ag.float64, requires_grad=True)
    assert ag.gradgradcheck(ag.digamma, (x,))


@pytest.mark.torch_parity
@settings(max_examples=10)
@given(n=st.integers(0, 6), shape=st.lists(st.integers(1, 4), min_size=0, max_size=3),
       seed=st.integers(0, 2 ** 16))
def test_polygamma_matches_torch(n, shape, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    # away from the poles (PyTorch's trigamma loses digits next to them)
    x = rng.uniform(0.05, 30.0, shape) * rng.choice([-1.0, 1.0], shape)
    x = np.where(np.abs(x - np.round(x)) < 0.05, x + 0.3, x)
    a = ag.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ours, ref = ag.polygamma(n, a), torch.polygamma(n, t)
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=1e-8)
    ours.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-8)
    f32 = ag.polygamma(n, ag.tensor(x.astype(np.float32)))
    assert f32.dtype == ag.float32
    np.testing.assert_allclose(f32.numpy(), torch.polygamma(n, torch.tensor(
        x.astype(np.float32))).numpy(), rtol=2e-4)


# ---- mvlgamma -------------------------------------------------------------------------------

def test_polygamma_far_below_zero_by_reflection():
    # the series from x = -1e6 + 0.5 summed a million terms of size up to 8 for a result near
    # 1e-12 (relative error 1.5e-3, PyTorch's too, and seconds to run). Reflection,
    # psi_n(x) = (-1)^n psi_n(1 - x) - pi^(n+1) cot^(n)(pi x), by hand at a half-integer
    # (cot = 0 there, so cot'' = 2 cot (1 + cot^2) = 0 and cot''' = -2): psi''(x) = psi''(z),
    # psi'''(x) = 2 pi^4 - psi'''(z), z = 1 - x, with the asymptotic psi''(z) = -1/z^2 -
    # 1/z^3 - 1/(2 z^4) and psi'''(z) = 2/z^3 + 3/z^4
    x = -1e6 + 0.5
    z = 1.0 - x
    got = [ag.polygamma(n, _t([x])).item() for n in (2, 3)]
    np.testing.assert_allclose(got[0], -1 / z ** 2 - 1 / z ** 3 - 0.5 / z ** 4, rtol=1e-14)
    np.testing.assert_allclose(got[1], 2 * math.pi ** 4 - 2 / z ** 3 - 3 / z ** 4, rtol=1e-15)
    # away from half-integers, the same function as the series where both are exact: the
    # recurrence psi_n(x + 1) = psi_n(x) + (-1)^n n! / x^(n+1) across the switch at -100
    for n in (2, 3, 5):
        a, b = ag.polygamma(n, _t([-100.3, -101.3])).numpy()
        np.testing.assert_allclose(a, b + (-1) ** n * math.factorial(n) / (-101.3) ** (n + 1),
                                   rtol=1e-13)
    assert np.isinf(ag.polygamma(2, _t([-2e6, -np.inf])).numpy()).all()  # poles


@pytest.mark.torch_parity
def test_polygamma_far_below_zero_matches_torch_where_its_series_is_exact():
    torch = pytest.importorskip("torch")
    x = np.array([-9999.75, -1000.3, -101.25, -150.9, -999999.99, -123.456])
    for n in (2, 3, 4, 7):
        ours = ag.polygamma(n, _t(x)).numpy()
        theirs = torch.polygamma(n, torch.tensor(x)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_mvlgamma_closed_forms_and_errors():
    x = _t([1.5, 2.0, 7.25])
    lg = np.array([math.lgamma(v) for v in (1.5, 2.0, 7.25)])
    np.testing.assert_allclose(ag.mvlgamma(x, 1).numpy(), lg, rtol=1e-14)
    # p = 2: lgamma(x) + lgamma(x - 1/2) + log(pi) / 2
    want = lg + np.array([math.lgamma(v - 0.5) for v in (1.5, 2.0, 7.25)]) + math.log(math.pi) / 2
    np.testing.assert_allclose(x.mvlgamma(p=2).numpy(), want, rtol=1e-14)
    assert ag.mvlgamma(ag.tensor([2, 3]), 1).dtype == ag.float32
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        ag.mvlgamma(x, 0)
    x.requires_grad_()
    assert ag.gradcheck(lambda a: ag.mvlgamma(a, 3), (x,))
    assert ag.gradgradcheck(lambda a: ag.mvlgamma(a, 3), (x,))


@pytest.mark.torch_parity
@pytest.mark.parametrize("p", [1, 2, 5])
def test_mvlgamma_matches_torch(p):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(p).uniform((p - 1) / 2 + 0.1, 9.0, (3, 4))
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, ref = ag.mvlgamma(a, p), torch.mvlgamma(t, p)
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    ours.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10)


# ---- combinations ---------------------------------------------------------------------------

def test_combinations_rows_and_gradient():
    x = ag.tensor([10.0, 20.0, 30.0, 40.0], dtype=ag.float64, requires_grad=True)
    for r in range(6):
        for wr in (False, True):
            pick = itertools.combinations_with_replacement if wr else itertools.combinations
            want = [[10.0 * (i + 1) for i in c] for c in pick(range(4), r)]
            got = ag.combinations(x, r, with_replacement=wr)
            if r == 0:
                assert got.shape == (0,) and not got.requires_grad
                continue
            assert got.shape == (len(want), r) and got.tolist() == want
    # every element is in C(3, 1) = 3 of the pairs, so d(sum)/dx = 3
    ag.combinations(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0, 3.0]
    assert ag.gradcheck(lambda a: ag.combinations(a, 3, True), (x,))
    assert ag.combinations(ag.tensor([1, 2, 3])).dtype == ag.int64
    assert ag.combinations(ag.zeros(0), 2).shape == (0, 2)


def test_combinations_errors():
    with pytest.raises(RuntimeError, match=r"Expect a 1D vector, but got shape \[2, 2\]"):
        ag.combinations(ag.zeros(2, 2))
    with pytest.raises(RuntimeError, match=r"Expect a 1D vector, but got shape \[\]"):
        ag.combinations(ag.tensor(1.0))
    with pytest.raises(RuntimeError, match="Expect a non-negative number, but got -1"):
        ag.combinations(ag.zeros(3), -1)


@pytest.mark.torch_parity
@settings(max_examples=12)
@given(n=st.integers(0, 6), r=st.integers(0, 4), wr=st.booleans())
def test_combinations_match_torch(n, r, wr):
    torch = pytest.importorskip("torch")
    x = np.arange(1.0, n + 1.0) ** 2
    ours = ag.combinations(ag.tensor(x), r=r, with_replacement=wr)
    ref = torch.combinations(torch.tensor(x), r=r, with_replacement=wr)
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


# ---- set_printoptions -----------------------------------------------------------------------

@pytest.fixture
def default_printoptions():
    ag.set_printoptions(profile="default")
    yield
    ag.set_printoptions(profile="default")


def test_printoptions_by_hand(default_printoptions):
    ag.set_printoptions(precision=2)
    assert repr(ag.tensor([1.12345, 10.0])) == "tensor([ 1.12, 10.00])"
    ag.set_printoptions(threshold=5)  # precision stays 2; sci_mode back to None
    assert repr(ag.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    assert repr(ag.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    ag.set_printoptions(profile="default", edgeitems=1, threshold=3)
    assert repr(ag.arange(12).reshape(3, 4)) == "tensor([[ 0,  ...,  3],\n        ...,\n        [ 8,  ..., 11]])"
    ag.set_printoptions(profile="default", sci_mode=True)
    assert repr(ag.tensor([1.0, 0.5])) == "tensor([1.0000e+00, 5.0000e-01])"
    ag.set_printoptions(profile="default", sci_mode=False)
    assert repr(ag.tensor([1e-5, 1.0])) == "tensor([0.0000, 1.0000])"
    ag.set_printoptions(profile="default", linewidth=30)
    assert repr(ag.arange(8.0)) == "tensor([0., 1., 2., 3., 4.,\n        5., 6., 7.])"
    # a suffix that would pass linewidth goes to its own line
    assert repr(ag.tensor([0.5, 0.25], requires_grad=True)) == \
        "tensor([0.5000, 0.2500],\n       requires_grad=True)"
    ag.set_printoptions(profile="short")
    assert repr(ag.tensor([3.14159])) == "tensor([3.14])"
    ag.set_printoptions(profile="full")
    assert "..." not in repr(ag.arange(2000))
    ag.set_printoptions(profile="default")
    assert repr(ag.arange(2000)).startswith("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])")


def _reprs_of_cases():
    rng = np.random.default_rng(0)
    return [np.arange(30.0), rng.standard_normal(30), rng.standard_normal((4, 12)),
            np.arange(2000.0), rng.standard_normal((50, 50)), np.array([1e-5, 1.0]),
            np.array([1e9, 1.0]), np.array([np.nan, 1.5, np.inf]),
            np.array([np.nan, 1.0, -np.inf]), np.arange(1500).reshape(3, 500),
            rng.standard_normal((3, 4, 5)) * 100, np.array([0.0, 0.0]),
            np.array([1e-3, 123.0]), np.array(-0.5), rng.integers(-100, 100, (40,)),
            np.array([True, False] * 30), np.zeros((2, 0)), np.zeros(0, dtype=np.int64),
            rng.standard_normal((12, 12, 12)), np.array([1e20, -1e-20]),
            rng.integers(0, 5, (2, 3, 4)).astype(np.int32), np.float16([1.5, 2.25])]


@pytest.mark.torch_parity
@pytest.mark.parametrize("options", [
    {}, dict(precision=2), dict(threshold=5), dict(edgeitems=1, threshold=10),
    dict(linewidth=40), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
    dict(profile="full"), dict(edgeitems=0, threshold=3), dict(linewidth=120, precision=6)])
def test_repr_matches_torch_under_printoptions(options, default_printoptions, monkeypatch):
    torch = pytest.importorskip("torch")
    # PyTorch's dtype names are shorter ("torch.float64"): print ours the same way, so the
    # line breaks before the suffixes compare too
    monkeypatch.setattr(sys.modules["autograd_core.tensor"], "dtype_name",
                        lambda d: f"torch.{np.dtype(d).name}")
    torch.set_printoptions(profile="default")
    try:
        ag.set_printoptions(**options)
        torch.set_printoptions(**options)
        for arr in _reprs_of_cases():
            for a in (arr, arr.astype(np.float32) if arr.dtype == np.float64 else arr):
                for rg in ((False, True) if a.dtype.kind == "f" else (False,)):
                    ours = repr(ag.tensor(a, requires_grad=rg))
                    assert ours == repr(torch.tensor(a, requires_grad=rg)), ours
    finally:
        torch.set_printoptions(profile="default")
