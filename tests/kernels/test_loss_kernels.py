"""The loss kernels (autograd_core.kernels.losses): the pairwise sum is numpy's bit for bit; each
loop agrees with its numpy twin to a few ulp (they evaluate exp/log1p with libm where numpy
uses its own SIMD code) over values with infinities, NaN and signed zeros; the loops run in the
common case and the twins everywhere else; BCEWithLogits gives the closed forms with them."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
import nn.functional as F
from autograd_core.kernels import losses as LK
from kernel_cases import spy_loss_loops

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 3e38, -3e38, 88.0,
           -104.0, 0.5, 17.0, -17.0]
dtypes = st.sampled_from([np.float32, np.float64])


def _values(dtype, shape, special=True):
    finite = st.floats(-60, 60, width=32).map(dtype)
    return hnp.arrays(dtype, shape, elements=st.one_of(
        st.sampled_from(SPECIAL).map(dtype), finite) if special else finite)


def assert_same_float(a, b):
    """Equal floats, NaN equal to NaN, the sign of zero included."""
    if math.isnan(a) or math.isnan(b):
        assert math.isnan(a) and math.isnan(b), (a, b)
    else:
        assert a == b and math.copysign(1, a) == math.copysign(1, b), (a, b)


@settings(max_examples=200, deadline=None)
@given(a=hnp.arrays(np.float64, st.integers(1, 700), elements=st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([-0.0, 0.0]))))
def test_pairwise_sum_is_numpys(a):
    assert_same_float(LK.pairwise_sum(a), float(np.add.reduce(a)))


@pytest.mark.parametrize("n", [129, 255, 256, 1000, 8191, 8192, 8193, 100_003, 1 << 20])
def test_pairwise_sum_is_numpys_on_long_arrays(n):
    # past one block of 128 the halves are summed apart: the order must be numpy's exactly
    a = np.random.default_rng(n).standard_normal(n) * 10.0 ** np.arange(n % 7)[n % 7 - 1]
    assert_same_float(LK.pairwise_sum(a), float(np.add.reduce(a)))


def _sum_tolerance(x, y, dtype):
    """A loop's elements are within a few ulp of the twin's: the sums differ by at most that
    times the sum of the magnitudes."""
    with np.errstate(all="ignore"):
        mags = np.abs(np.maximum(x, 0)) + np.abs(x * y) + 1.0
        total = float(np.sum(mags, dtype=np.float64))
    return 4 * np.finfo(dtype).eps * total


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(1, 300), dtype=dtypes, special=st.booleans())
def test_bce_logits_sum_agrees_with_twin(data, n, dtype, special):
    x = data.draw(_values(dtype, (n, 1) if n % 2 else (n,), special))
    y = data.draw(_values(dtype, x.shape, special))
    got, want = LK.bce_logits_sum(x, y), LK.bce_logits_sum_numpy(x, y)
    assert type(got) is float and type(want) is float
    if math.isnan(want) or math.isinf(want):
        assert_same_float(got, want)
    else:
        assert abs(got - want) <= _sum_tolerance(x, y, dtype), (got, want)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), shape=st.tuples(st.integers(1, 9), st.integers(1, 9)), dtype=dtypes)
def test_bce_logits_dx_agrees_with_twin(data, shape, dtype):
    x, y = (data.draw(_values(dtype, shape)) for _ in range(2))
    s = dtype(data.draw(st.sampled_from([1 / 64, 1.0, -0.0, 3e-39, 2.5])))
    d = dtype(data.draw(st.sampled_from([1.0, 3.0, 64.0, 1000.0])))  # a mean's count
    got, want = LK.bce_logits_dx(x, y, s, d), LK.bce_logits_dx_numpy(x, y, s, d)
    assert got.shape == want.shape and got.dtype == want.dtype == dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps,
                               atol=4 * np.finfo(dtype).eps * abs(float(s)) / float(d))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hand_worked_values(dtype):
    x = np.array([[2.0], [-1.0], [0.0]], dtype)
    y = np.array([[1.0], [0.0], [1.0]], dtype)
    # max(x,0) - x y + log1p(exp(-|x|)): log1p(e^-2), log1p(e^-1), log 2
    want = math.log1p(math.exp(-2)) + math.log1p(math.exp(-1)) + math.log(2)
    assert LK.bce_logits_sum(x, y) == pytest.approx(want, rel=4 * float(np.finfo(dtype).eps))
    # s (sigmoid(x) - y): sigmoid(2) - 1, sigmoid(-1), 1/2 - 1
    s = dtype(0.5)
    got = LK.bce_logits_dx(x, y, s)
    want = 0.5 * np.array([[1 / (1 + math.exp(-2)) - 1], [1 / (1 + math.e)], [-0.5]])
    np.testing.assert_allclose(got, want, rtol=4 * float(np.finfo(dtype).eps))


def test_float32_loss_is_summed_in_float64():
    # 2**17 - 1 terms of 1e4 (x = 1e4, y = 0) and one of log 2 (x = y = 0): in float32 the sum
    # passes 1.3e9, where one ulp is 128 and log 2 would be lost; in float64 it is kept
    n = 1 << 17
    x = np.full(n, 1e4, np.float32)
    x[0] = 0.0
    total = LK.bce_logits_sum(x, np.zeros_like(x))
    assert abs(total - (1e4 * (n - 1) + math.log(2))) < 1e-6


def _spy(monkeypatch):
    return spy_loss_loops(monkeypatch, ("_bce_logits_sum", "_bce_logits_dx", "_pairwise_sum"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_loops_run_in_the_common_case(dtype, monkeypatch):
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)  # the loops, on any backend
    ran = _spy(monkeypatch)
    a = np.ones((3, 4), dtype)
    LK.bce_logits_sum(a, a)
    LK.bce_logits_dx(a, a, dtype(0.5))
    LK.pairwise_sum(np.ones(3))
    assert ran == ["_bce_logits_sum", "_bce_logits_dx", "_pairwise_sum"]


def test_everything_else_runs_the_twin(monkeypatch):
    ran = _spy(monkeypatch)
    f32, f64 = np.ones((3, 4), np.float32), np.ones((3, 4))
    cases = [
        lambda: LK.bce_logits_sum(f64, f32),  # mixed dtypes
        lambda: LK.bce_logits_sum(f64, np.ones(4)),  # broadcasting
        lambda: LK.bce_logits_sum(np.ones((0, 2)), np.ones((0, 2))),  # empty
        lambda: LK.bce_logits_sum(np.ones(3, np.float16), np.ones(3, np.float16)),
        lambda: LK.bce_logits_dx(f32, f32, 0.5),  # a Python float scale
        lambda: LK.bce_logits_dx(f32, f32, np.float64(0.5)),  # a scale of another dtype
        lambda: LK.bce_logits_dx(f32, f32, np.full((3, 4), 0.5, np.float32)),  # array scale
        lambda: LK.pairwise_sum(f32.reshape(-1)),  # not float64
        lambda: LK.pairwise_sum(f64),  # 2-D
        lambda: LK.pairwise_sum(np.ones(0)),  # empty
    ]
    for k, case in enumerate(cases):
        case()
        assert ran == [], k


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_layout_does_not_change_the_numbers(dtype):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((40, 6)) * 8).astype(dtype)
    y = rng.random((40, 6)).astype(dtype)
    s = dtype(0.25)
    for xv, yv in ((np.asfortranarray(x), y), (x, np.asfortranarray(y)),
                   (x[:, ::-1][:, ::-1], y), (np.asfortranarray(x), np.asfortranarray(y))):
        assert LK.bce_logits_sum(xv, yv) == LK.bce_logits_sum(x, y)
        np.testing.assert_array_equal(LK.bce_logits_dx(xv, yv, s), LK.bce_logits_dx(x, y, s))
    strided = np.zeros((40, 12), dtype)
    strided[:, ::2] = x
    assert LK.bce_logits_sum(strided[:, ::2], y) == LK.bce_logits_sum(x, y)


def test_numpy_backend_runs_the_twins(monkeypatch):
    ran = _spy(monkeypatch)
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    a = np.ones((2, 2))
    assert LK.bce_logits_sum(a, a) == pytest.approx(4 * math.log1p(math.exp(-1)))
    LK.bce_logits_dx(a, a, 1.0)
    assert LK.pairwise_sum(np.ones(5)) == 5.0
    assert ran == []


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_bce_with_logits_op(backend, dtype, reduction, monkeypatch):
    """The op's value and gradient against float64 closed forms (and its dtype), under both
    backends."""
    monkeypatch.setenv("TAPEGRAD_KERNELS", backend)
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((32, 3)) * 5).astype(dtype)
    y = rng.random((32, 3)).astype(dtype)
    z = ag.tensor(x, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(z, ag.tensor(y), reduction=reduction)
    loss.backward()
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    terms = np.maximum(x64, 0) - x64 * y64 + np.log1p(np.exp(-np.abs(x64)))
    scale = 1 / x.size if reduction == "mean" else 1.0
    assert loss.dtype == z.dtype and loss.shape == ()
    tol = 8 * float(np.finfo(dtype).eps)
    assert float(loss) == pytest.approx(terms.sum() * scale, rel=tol)
    np.testing.assert_allclose(z.grad._data, scale * (1 / (1 + np.exp(-x64)) - y64),
                               rtol=tol, atol=tol * scale)


def test_bce_with_logits_of_nothing():
    # PyTorch: the mean over no element is nan, the sum 0
    z = ag.zeros(0, 1, requires_grad=True)
    assert math.isnan(float(F.binary_cross_entropy_with_logits(z, ag.zeros(0, 1))))
    s = F.binary_cross_entropy_with_logits(z, ag.zeros(0, 1), reduction="sum")
    assert float(s) == 0.0
    s.backward()
    assert z.grad.shape == (0, 1)


def _aten_nll_sum(v, valid):
    """ATen's nll_loss reduction loop, written out term by term with numpy scalars: an
    independent reference for the kernel and its twin."""
    dt = v.dtype.type
    levels = [dt(0)] * 8
    for b in range(v.size):
        if valid is not None and not valid[b]:
            continue
        levels[0] = dt(levels[0] + v[b])
        for j in range(7):
            if b % (16 ** (j + 1)):
                break
            levels[j + 1] = dt(levels[j + 1] + levels[j])
            levels[j] = dt(0)
    total = levels[0]
    for part in levels[1:]:
        total = dt(total + part)
    return total


@settings(max_examples=200, deadline=None)
@given(data=st.data(), dtype=dtypes,
       n=st.sampled_from([0, 1, 2, 15, 16, 17, 32, 255, 256, 257, 300, 4097]),
       masked=st.booleans())
def test_nll_cascade_sum_kernel_twin_and_atens_loop(data, dtype, n, masked):
    # the kernel (one loop) and its numpy twin (the vectorised levels) equal ATen's loop bit
    # for bit, ignored terms at flush indices (0, 16, 256, ...) included
    seed = data.draw(st.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    v = (rng.standard_normal(n) * rng.choice([1e-3, 1.0, 1e4])).astype(dtype)
    valid = None
    if masked:
        valid = rng.random(n) < 0.7
        if n:
            valid[::16] = rng.random(valid[::16].size) < 0.5
    want = _aten_nll_sum(v, valid)
    for got in (LK.nll_cascade_sum(v, valid), LK.nll_cascade_sum_numpy(v, valid)):
        assert type(got) is type(want) and got.tobytes() == want.tobytes()
