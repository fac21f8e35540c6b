"""Silent differences from PyTorch found by the differential hunts of 2026-12-07 (second
session), each fixed toward PyTorch; expected values are hand-worked (IEEE rules for infinities
and NaN, closed forms), and each test failed before its fix."""

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.creation import _fma
from autograd_core.kernels.optim import numpy_fma

INF = math.inf


@pytest.mark.parametrize("a, b, c, want", [
    (2.0, 3.0, INF, INF), (2.0, 3.0, -INF, -INF), (INF, 2.0, 1.0, INF), (-INF, 2.0, 1.0, -INF),
    (INF, 0.0, 1.0, math.nan), (INF, 1.0, -INF, math.nan), (math.nan, 1.0, 1.0, math.nan),
    (1e300, 1e300, -INF, -INF),  # the exact product is finite: c wins (a*b + c would be NaN)
    (2.0, 3.0, 1.0, 7.0),
])
def test_the_float64_fused_multiply_add_twin_follows_ieee_at_infinities(a, b, c, want):
    got = _fma(np.array([a]), np.array([b]), np.array([c]))[0]
    assert (math.isnan(got) and math.isnan(want)) or got == want
    got = numpy_fma(a, np.array([b]), np.array([c]))[0]
    assert (math.isnan(got) and math.isnan(want)) or got == want


def test_add_with_alpha_keeps_infinities_of_broadcast_float64_operands():
    x = ag.tensor([-INF, INF, 1e308, 1.0], dtype=ag.float64)
    assert ag.add(x, 2.0, alpha=3).tolist() == [-INF, INF, 1e308, 7.0]
    assert ag.sub(x, ag.tensor(1), alpha=2).tolist() == [-INF, INF, 1e308, -1.0]
    y = ag.tensor([[-INF, 1.0], [1e300, 2.0]], dtype=ag.float64)
    assert ag.add(y.t(), y, alpha=2).tolist() == [[-INF, 1e300], [2e300, 6.0]]
    # lerp with weight >= 0.5 is end - (end - start) * (1 - weight): -inf stays -inf
    got = ag.lerp(ag.tensor([1.0, -INF, 2.0], dtype=ag.float64), ag.tensor(5.0, dtype=ag.float64),
                  0.7).tolist()
    assert got[1] == -INF and got[0] == pytest.approx(3.8) and got[2] == pytest.approx(4.1)
