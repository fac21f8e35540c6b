"""nn.init: PyTorch's formulas and gains, checked statistically on large tensors with
tolerances from sampling theory (5 standard errors), and reproducibility under
``ag.manual_seed``."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import Tensor

Z = 5.0  # standard errors allowed: a false alarm has probability ~6e-7 per check


def _empty(shape, dtype=np.float64):
    return Tensor._wrap(np.zeros(shape, dtype))


def _check_uniform(w, bound):
    """Samples of U(-bound, bound): support, mean, variance and that the interval is used."""
    w = np.asarray(w, np.float64).ravel()
    n = w.size
    assert np.all(np.abs(w) <= bound * (1 + 1e-6))
    var = bound ** 2 / 3
    assert abs(w.mean()) < Z * math.sqrt(var / n)
    mu4 = bound ** 4 / 5
    assert abs(w.var() - var) < Z * math.sqrt((mu4 - var ** 2) / n)
    assert w.max() > bound * (1 - 20 / n) and w.min() < -bound * (1 - 20 / n)


def _check_normal(w, std):
    w = np.asarray(w, np.float64).ravel()
    n = w.size
    assert abs(w.mean()) < Z * std / math.sqrt(n)
    # Var(sample variance) = 2 sigma^4 / (n - 1) for a Gaussian
    assert abs(w.var() - std ** 2) < Z * std ** 2 * math.sqrt(2 / (n - 1))
    # the fourth standardised moment is 3 for a Gaussian (not for a uniform of the same var)
    kurt = np.mean(w ** 4) / w.var() ** 2
    assert abs(kurt - 3) < Z * math.sqrt(96 / n)


def test_calculate_gain_table():
    assert nn.init.calculate_gain("linear") == 1
    assert nn.init.calculate_gain("conv2d") == 1
    assert nn.init.calculate_gain("sigmoid") == 1
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert nn.init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert nn.init.calculate_gain("selu") == pytest.approx(0.75)
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.init.calculate_gain("swish")


def test_fans_follow_pytorchs_convention():
    fan = nn.init._calculate_fan_in_and_fan_out
    assert fan(_empty((30, 20))) == (20, 30)
    assert fan(_empty((8, 3, 5, 5))) == (3 * 25, 8 * 25)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        fan(_empty(5))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a,gain", [
    ("relu", 0, math.sqrt(2)), ("leaky_relu", 0.1, math.sqrt(2 / 1.01)),
    ("tanh", 0, 5 / 3), ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
])
def test_kaiming_uniform_bound_is_gain_sqrt3_over_fan(mode, nonlinearity, a, gain):
    ag.manual_seed(0)
    w = _empty((300, 700))
    nn.init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nonlinearity)
    fan = 700 if mode == "fan_in" else 300
    _check_uniform(w._data, gain * math.sqrt(3 / fan))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_normal_std_is_gain_over_sqrt_fan(mode):
    ag.manual_seed(1)
    w = _empty((200, 30, 5))  # fan_in = 150, fan_out = 1000
    nn.init.kaiming_normal_(w, mode=mode, nonlinearity="relu")
    fan = 150 if mode == "fan_in" else 1000
    _check_normal(w._data, math.sqrt(2) / math.sqrt(fan))


@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_uniform_and_normal(gain):
    ag.manual_seed(2)
    fi, fo = 400, 600
    w = _empty((fo, fi))
    nn.init.xavier_uniform_(w, gain=gain)
    _check_uniform(w._data, gain * math.sqrt(6 / (fi + fo)))
    nn.init.xavier_normal_(w, gain=gain)
    _check_normal(w._data, gain * math.sqrt(2 / (fi + fo)))


def test_uniform_normal_constant_and_friends():
    ag.manual_seed(3)
    w = _empty((500, 400))
    nn.init.uniform_(w, -2.0, 3.0)
    assert w._data.min() >= -2.0 and w._data.max() <= 3.0
    n = w._data.size
    assert abs(w._data.mean() - 0.5) < Z * math.sqrt(25 / 12 / n)
    nn.init.normal_(w, mean=1.5, std=0.3)
    assert abs(w._data.mean() - 1.5) < Z * 0.3 / math.sqrt(n)
    _check_normal(w._data - 1.5, 0.3)
    nn.init.trunc_normal_(w, std=1.0, a=-0.5, b=1.0)
    assert w._data.min() >= -0.5 and w._data.max() <= 1.0
    nn.init.constant_(w, 0.25)
    assert np.all(w._data == 0.25)
    nn.init.ones_(w)
    assert np.all(w._data == 1)
    nn.init.zeros_(w)
    assert not np.any(w._data)
    e = _empty((3, 4))
    nn.init.eye_(e)
    np.testing.assert_array_equal(e._data, np.eye(3, 4))


def test_orthogonal_is_orthogonal_times_gain():
    ag.manual_seed(4)
    for shape in [(6, 10), (10, 6)]:
        w = _empty(shape)
        nn.init.orthogonal_(w, gain=2.0)
        q = w._data / 2.0
        small = min(shape)
        prod = q @ q.T if shape[0] < shape[1] else q.T @ q
        np.testing.assert_allclose(prod, np.eye(small), atol=1e-12)


def test_init_writes_in_place_keeps_dtype_and_returns_tensor():
    p = nn.Parameter(np.zeros((50, 40), np.float32))
    arr = p._data
    assert nn.init.kaiming_uniform_(p) is p
    assert p._data is arr and p.dtype == np.float32 and np.any(arr)
    assert p.grad is None and p.grad_fn is None


def test_manual_seed_makes_draws_reproducible():
    def draw():
        w = _empty((20, 30))
        nn.init.xavier_normal_(w)
        lin = nn.Linear(30, 20)
        return w._data.copy(), lin.weight._data.copy(), lin.bias._data.copy()

    ag.manual_seed(42)
    a = draw()
    ag.manual_seed(42)
    b = draw()
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    ag.manual_seed(43)
    c = draw()
    assert not np.array_equal(a[0], c[0])
    # an explicit numpy generator is honoured and leaves the global stream alone
    w1, w2 = _empty((5, 5)), _empty((5, 5))
    nn.init.normal_(w1, generator=np.random.default_rng(7))
    nn.init.normal_(w2, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(w1._data, w2._data)
