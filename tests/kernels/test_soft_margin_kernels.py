"""The soft margin loss's kernels (autograd_core.kernels.losses.soft_margin, soft_margin_dx):
their twins' numbers bit for bit (the sign of zero and overflows included; the gradient's exp
is numpy's, whose float32 results LLVM's exp rounds otherwise in ~40% of elements), the loops
in the common case and the twins everywhere else."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_core.kernels import losses as LK
from kernel_cases import assert_same_bits, special_or_finite, spy_loss_loops

SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 3e38, -3e38, 20.0,
           -20.0, 88.5, -88.5, 710.0, -710.0]
dtypes = st.sampled_from([np.float32, np.float64])


def _values(dtype, shape):
    return special_or_finite(dtype, shape, SPECIAL, 100)


def _targets(dtype, shape):
    return hnp.arrays(dtype, shape, elements=st.sampled_from([1.0, -1.0, 0.5, 0.0]).map(dtype))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), shape=st.lists(st.integers(1, 7), max_size=3).map(tuple), dtype=dtypes,
       norm=st.sampled_from([1.0, 1 / 3, 1 / 64, 1 / 1000]), scalar_g=st.booleans())
def test_loops_give_the_twins_bits(data, shape, dtype, norm, scalar_g):
    x = data.draw(_values(dtype, shape))
    y = data.draw(_targets(dtype, shape))
    g = data.draw(_values(dtype, () if scalar_g else shape))
    with np.errstate(all="ignore"):
        assert_same_bits(LK.soft_margin(x, y), LK.soft_margin_numpy(x, y))
        assert_same_bits(LK.soft_margin_dx(x, y, g, norm), LK.soft_margin_dx_numpy(x, y, g, norm))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_twenty_thousand_random_values(dtype):
    rng = np.random.default_rng(24)
    x = (rng.standard_normal(20000) * 30).astype(dtype)
    y = np.sign(rng.standard_normal(20000)).astype(dtype)
    g = rng.standard_normal(20000).astype(dtype)
    with np.errstate(over="ignore"):
        assert_same_bits(LK.soft_margin(x, y), LK.soft_margin_numpy(x, y))
        for gv, norm in ((g, 1.0), (np.array(1.5, dtype), 1 / 20000)):
            assert_same_bits(LK.soft_margin_dx(x, y, gv, norm),
                             LK.soft_margin_dx_numpy(x, y, gv, norm))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hand_worked_values(dtype):
    x, y = np.array([0.0, 2.0, 800.0], dtype), np.array([1.0, -1.0, -1.0], dtype)
    # log 2, log(1 + e^2), 800 (linear above 20); slopes -y e^(-yx) / (1 + e^(-yx)) / 2
    np.testing.assert_allclose(LK.soft_margin(x, y), [np.log(2), np.log1p(np.exp(2)), 800],
                               rtol=1e-6)
    with np.errstate(over="ignore"):
        got = LK.soft_margin_dx(x, y, np.array(1.0, dtype), 0.5)
    np.testing.assert_allclose(got, [-0.25, 0.5 / (1 + np.exp(-2)), 0.5], rtol=1e-6)


def _spy(monkeypatch):
    return spy_loss_loops(monkeypatch, ("_soft_margin", "_negated_product", "_soft_margin_dx",
                                        "_soft_margin_dx_scalar"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_loops_run_in_the_common_case(dtype, monkeypatch):
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)
    ran = _spy(monkeypatch)
    a = np.ones((3, 4), dtype)
    LK.soft_margin(a, a)
    LK.soft_margin_dx(a, a, a, 1.0)
    LK.soft_margin_dx(a, a, np.array(2.0, dtype), 0.25)
    assert ran == ["_soft_margin", "_negated_product", "_soft_margin_dx", "_negated_product",
                   "_soft_margin_dx_scalar"]


def test_everything_else_runs_the_twin(monkeypatch):
    ran = _spy(monkeypatch)
    f32, f64 = np.ones((3, 4), np.float32), np.ones((3, 4))
    cases = [
        lambda: LK.soft_margin(f64, f32),  # mixed dtypes
        lambda: LK.soft_margin(f64.T, f64.T),  # not C-contiguous (the result keeps F order)
        lambda: LK.soft_margin(np.ones((0, 2)), np.ones((0, 2))),  # empty
        lambda: LK.soft_margin(np.ones(3, np.float16), np.ones(3, np.float16)),
        lambda: LK.soft_margin_dx(f32, f32, f64, 1.0),  # g of another dtype
        lambda: LK.soft_margin_dx(f32, f32, np.float32(1.0), 1.0),  # a numpy scalar g
        lambda: LK.soft_margin_dx(f32, f32, np.ones(4, np.float32), 1.0),  # broadcast g
        lambda: LK.soft_margin_dx(f32, f32, f32.T.copy().T, 1.0),  # g not C-contiguous
        lambda: LK.soft_margin_dx(f64[:, ::2], f64[:, ::2], f64[:, ::2], 1.0),  # strided
    ]
    for k, case in enumerate(cases):
        case()
        assert ran == [], k
    assert LK.soft_margin(f64.T, f64.T).flags.f_contiguous


def test_numpy_backend_runs_the_twins(monkeypatch):
    ran = _spy(monkeypatch)
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    a = np.zeros((2, 2))
    np.testing.assert_allclose(LK.soft_margin(a, a + 1), np.log(2))
    np.testing.assert_allclose(LK.soft_margin_dx(a, a + 1, a + 1, 1.0), -0.5)
    assert ran == []
