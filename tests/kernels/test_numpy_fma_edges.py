"""The numpy twin of the optimizers' fused multiply-add (``numpy_fma``, float64 by Dekker's
product) rounds ``a * b + c`` once also where Dekker's split underflows or overflows: subnormal
parameters or gradients, and factors near float64's top (reference: the exact rational value,
rounded once by Python's correctly rounded division)."""

from fractions import Fraction

import numpy as np
import pytest

from autograd_core.kernels.optim import numpy_fma

TINY = np.finfo(np.float64).smallest_subnormal


def _exact(a, b, c):
    v = Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
    try:
        return float(v)
    except OverflowError:
        return np.inf if v > 0 else -np.inf


@pytest.mark.parametrize("a, b, c", [
    (0.1, 3 * TINY, 5 * TINY),          # SGD's weight decay of a subnormal parameter
    (1.364e-321, 2.54265216e+299, -4.78101679e-151),  # a subnormal factor, a normal product
    (0.9, 7 * TINY, -2 * TINY),
    (0.3, 2.0 ** -1000, 2.0 ** -1040),
    (0.52279, -5.01432623e+300, -1.52339201),         # the split overflowed: NaN before
    (2.0 ** 600, 2.0 ** 430, -1.0e300),                 # product beyond float64, sum within
])
def test_rounded_once_at_underflow_and_overflow(a, b, c):
    got = numpy_fma(a, np.array([b]), np.array([c]))[0]
    want = _exact(a, b, c)
    assert got == want and np.signbit(got) == np.signbit(want)


def test_random_edges_and_the_users_error_state():
    rng = np.random.default_rng(0)
    n = 200
    scale = rng.choice([1.0, 2.0 ** -1000, 2.0 ** -1060, 2.0 ** 990], size=(3, n))
    a, b, c = rng.standard_normal((3, n)) * scale
    with np.errstate(all="raise"):  # the user's: the twin must neither raise nor leak it
        got = np.concatenate([numpy_fma(x, np.array([y]), np.array([z]))
                              for x, y, z in zip(a, b, c)])
    want = np.array([_exact(x, y, z) for x, y, z in zip(a, b, c)])
    np.testing.assert_array_equal(got, want)
