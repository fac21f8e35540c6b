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
