"""The erf/erfc Numba loops (autograd_core/kernels/special.py) against their numpy twins, bit
for bit, and the ops that use them (erf, erfc, erfinv) unchanged from the twins' numbers."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd_core as ag
from autograd_core.kernels import special as S
from autograd_core.ops import mathfns as M

EDGES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, 1e-300, -1e-20, 0.5, 26.0, 27.5,
                  -6.0, 1e300])


@settings(max_examples=10)
@given(shape=st.lists(st.integers(0, 7), min_size=0, max_size=3), scale=st.sampled_from(
    [0.1, 3.0, 30.0]), seed=st.integers(0, 2 ** 16), parallel=st.booleans())
def test_loops_equal_their_twins_bit_for_bit(shape, scale, seed, parallel):
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(S, "PARALLEL_MIN_SIZE", 0 if parallel else 1 << 30)
        for kernel, twin in ((S.erf, S.erf_numpy), (S.erfc, S.erfc_numpy)):
            got = kernel(x)
            assert got.shape == x.shape and got.dtype == np.float64
            np.testing.assert_array_equal(got, twin(x))
            np.testing.assert_array_equal(kernel(EDGES), twin(EDGES))
    # a non-contiguous view, and the closed forms erf(0) = 0, erfc(0) = 1, erf(-x) = -erf(x)
    m = np.random.default_rng(seed).standard_normal((4, 6))[:, ::2]
    np.testing.assert_array_equal(S.erf(m), np.vectorize(math.erf)(m))
    assert S.erf(np.zeros(1))[0] == 0.0 and S.erfc(np.zeros(1))[0] == 1.0
    np.testing.assert_array_equal(S.erf(-x), -S.erf(x))


def test_loops_refuse_other_dtypes():
    with pytest.raises(ValueError, match="erf: x must be a float64 array, got float32"):
        S.erf(np.zeros(3, np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ops_keep_the_twins_numbers(dtype, monkeypatch):
    rng = np.random.default_rng(5)
    with np.errstate(over="ignore"):  # 1e300 is inf in float32
        x = np.concatenate([rng.standard_normal(5000) * 3, EDGES]).astype(dtype)
    y = np.concatenate([rng.uniform(-1, 1, 5000), [-1.0, 1.0, 0.0, 1 - 1e-12, 2.0]]).astype(dtype)
    fast = [ag.erf(ag.tensor(x)).numpy(), ag.erfc(ag.tensor(x)).numpy(),
            ag.erfinv(ag.tensor(y)).numpy()]
    monkeypatch.setattr(M, "_erf", S.erf_numpy)
    monkeypatch.setattr(M, "_erfc", S.erfc_numpy)
    slow = [ag.erf(ag.tensor(x)).numpy(), ag.erfc(ag.tensor(x)).numpy(),
            ag.erfinv(ag.tensor(y)).numpy()]
    for a, b in zip(fast, slow):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)


def test_erfinv_is_accurate_in_the_tails():
    # erf(x) - y has no digits left for y near +-1: Newton on erf stopped at erfinv(1 - 2**-52)
    # = 5.41 (true 5.805, PyTorch's), so Normal.icdf(1 - 1e-16) was 7.7 sigma instead of 8.2.
    # The closed form: erfc(erfinv(y)) = 1 - y, 1 - y exact in float64 for y >= 0.5.
    y = 1.0 - np.logspace(-16, np.log10(0.5), 400)
    q = 1.0 - y
    for sign in (1.0, -1.0):
        x = ag.erfinv(ag.tensor(sign * y)).numpy()
        back = np.array([math.erfc(v) for v in sign * x])
        np.testing.assert_allclose(back, q, rtol=1e-13)
    y52 = ag.tensor(1.0 - 2.0 ** -52, dtype=ag.float64)
    assert abs(ag.erfinv(y52).item() - 5.805018683193454) < 1e-12


def _erfinv_every_step(y):
    """erfinv's specification: Giles' guess, then four Newton steps on every element, both
    branches computed everywhere (what ``_erfinv64`` did before it stopped each element once
    a step left it unchanged and ran only the branch each element takes)."""
    w = -np.log(np.maximum((1.0 - y) * (1.0 + y), 1e-300))
    ws, wl = w - 2.5, np.sqrt(np.maximum(w, 5.0)) - 3.0
    ps, pl = 2.81022636e-08, -0.000200214257
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        ps = c + ps * ws
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        pl = c + pl * wl
    x = np.where(w < 5.0, ps, pl) * y
    tail = np.abs(y) > 0.5
    q = np.where(tail, 1.0 - np.abs(y), 1.0)
    with np.errstate(all="ignore"):
        for _ in range(4):
            xf = np.where(np.isfinite(x), x, 0.0)
            d = 2.0 / math.sqrt(math.pi) * np.exp(-xf * xf)
            c = S.erfc(np.abs(xf))
            step_tail = np.sign(y) * (np.log(c) - np.log(q)) * c / d
            x = np.where(tail, xf + step_tail, xf - (S.erf(xf) - y) / d)
    x = np.where(np.abs(y) == 1.0, np.copysign(np.inf, y), x)
    return np.where(np.abs(y) > 1.0, np.nan, x)


@pytest.mark.parametrize("y", [
    np.random.default_rng(3).uniform(-1, 1, 20000),
    np.concatenate([1 - np.logspace(-17, 0, 2000), np.logspace(-17, 0, 2000) - 1]),
    np.random.default_rng(4).uniform(-1, 1, 3000).astype(np.float32).astype(np.float64),
    np.array([np.nan, 1.0, -1.0, 0.0, -0.0, 2.0, -2.0, np.inf, -np.inf, 5e-324, 0.5, -0.5,
              1 - 2.0 ** -53]),
    np.array(0.3), np.array(-0.999), np.zeros((0, 3)),
    np.random.default_rng(5).uniform(-1, 1, (30, 40))[:, ::3]], ids=str)
def test_erfinv_stopping_early_keeps_every_steps_numbers(y):
    got, want = M._erfinv64(y), _erfinv_every_step(y)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
