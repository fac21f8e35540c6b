"""``sampling.libm_loop`` (the float64 samplers' libm calls in Numba) equals its twin, the
Python ``math`` map, bit for bit, and the draws made through it equal the twin's."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import random as R
from autograd_core.kernels import sampling

_RNG = np.random.default_rng(19)
_U = _RNG.random(1_000_000)
_WIDE = _RNG.standard_normal(1_000_000) * 1e3


@pytest.mark.parametrize("fn, x", [
    (math.log, 1.0 - _U), (math.log, np.exp(_RNG.standard_normal(200_000) * 50)),
    (math.log1p, -_U), (math.sin, 2.0 * np.pi * _U), (math.cos, 2.0 * np.pi * _U),
    (math.sin, _WIDE), (math.cos, _WIDE), (math.tan, np.pi * (_U - 0.5)),
    (math.exp, _WIDE / 1e3 * 20)], ids=lambda v: getattr(v, "__name__", ""))
def test_libm_loop_equals_math_bit_for_bit(fn, x):
    out = np.empty_like(x)
    sampling.libm_loop(R._LIBM_CODES[fn], x, out)
    want = R._libm_python(fn, x)
    assert np.array_equal(out.view(np.uint64), want.view(np.uint64))


@pytest.mark.parametrize("draw", [
    lambda: ag.randn(50_001, dtype=ag.float64), lambda: ag.randn(3, 40_000, dtype=ag.float64),
    lambda: ag.empty(20_000, dtype=ag.float64).exponential_(2.0),
    lambda: ag.empty(20_000, dtype=ag.float64).cauchy_(),
    lambda: ag.empty(20_000, dtype=ag.float64).log_normal_(),
    lambda: ag.empty(20_000, dtype=ag.float64).geometric_(0.3),
    lambda: ag.empty(20_000, dtype=ag.float64).normal_(1.0, 2.0)])
def test_draws_through_the_loop_equal_the_twins(draw, monkeypatch):
    fast, slow = _through_loop_and_twin(draw, monkeypatch)
    assert np.array_equal(fast.view(np.uint64), slow.view(np.uint64))


def _through_loop_and_twin(draw, monkeypatch):
    """The same seeded draw through the Numba loop and, below a raised size, the twin."""
    ag.manual_seed(5)
    fast = draw().numpy().copy()
    monkeypatch.setattr(R, "LIBM_MIN_SIZE", 1 << 62)
    ag.manual_seed(5)
    return fast, draw().numpy()


@pytest.mark.parametrize("b, c", [(1.0, 0.0), (2.5, -1.0), (1e-300, 1e300), (-3.0, 0.1),
                                  (0.1, 0.7), (1e308, -1e308)])
def test_fma64_loop_equals_its_twin_bit_for_bit(b, c):
    a = np.concatenate([_U, _WIDE, -_U, [0.0, -0.0, np.inf, -np.inf, np.nan, 1e308, 5e-324]])
    out = np.empty_like(a)
    with np.errstate(all="ignore"):
        sampling.fma64_loop(a, b, c, out)
        want = R._fma64_numpy(a, b, c)
    assert np.array_equal(out.view(np.uint64), want.view(np.uint64))


@pytest.mark.parametrize("draw", [
    lambda: ag.rand(30_000, dtype=ag.float64),
    lambda: ag.empty(30_000, dtype=ag.float64).uniform_(-2.0, 3.0)])
def test_uniform_draws_through_the_loop_equal_the_twins(draw, monkeypatch):
    fast, slow = _through_loop_and_twin(draw, monkeypatch)
    assert np.array_equal(fast.view(np.uint64), slow.view(np.uint64))


@pytest.mark.parametrize("mean, std", [(0.0, 1.0), (1.5, 0.3), (-2.0, 1e-3), (1e30, 7.0)])
def test_box_muller16_f32_equals_its_twin_bit_for_bit(mean, std):
    # every float32 uniform PyTorch can draw has 24 bits: a sample of them, both ends included
    u = (_RNG.integers(0, 1 << 24, (62_500, 16)) * 2.0 ** -24).astype(np.float32)
    u[0], u[1] = 0.0, np.float32(1 - 2.0 ** -24)
    u[2] = np.arange(16) * 2.0 ** -24
    out = np.empty_like(u)
    sampling.box_muller16_f32(u, np.float32(mean), np.float32(std), out)
    want = R._box_muller16_numpy(u, mean, std, np.float32)
    assert np.array_equal(out.view(np.uint32), want.view(np.uint32))


@pytest.mark.parametrize("draw", [
    lambda: ag.randn(50_003), lambda: ag.randn(7, 3000),
    lambda: ag.empty(20_000).normal_(0.5, 2.0), lambda: ag.randn(9000, dtype=ag.float16),
    lambda: ag.randn(9000, dtype=ag.complex64)])
def test_float32_normals_through_the_loop_equal_the_twins(draw, monkeypatch):
    ag.manual_seed(11)
    fast = draw().numpy().copy()
    monkeypatch.setattr(R, "LIBM_MIN_SIZE", 1 << 62)
    ag.manual_seed(11)
    slow = draw().numpy()
    assert np.array_equal(fast.view(np.uint8), slow.view(np.uint8))
