"""PyTorch's gamma / Dirichlet reparameterization gradients (autograd_core/kernels/gamma_grad.py):
the Numba loops against their twins bit for bit (edges included), the argument checks, and
``TAPEGRAD_KERNELS=numpy`` running the twins."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograd_core.kernels import gamma_grad as K

EDGE_X = [0.0, 5e-324, 1e-300, 1e-30, 0.5, 0.8, 1.0, 7.5, 1e3, 1e30, np.inf, np.nan]
EDGE_A = [1e-30, 1e-3, 0.5, 1.0, 6.0, 8.0, 8.5, 1e6, 1e30, np.inf, np.nan]


@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(0, 6), min_size=0, max_size=3),
       seed=st.integers(0, 2 ** 16), dtype=st.sampled_from([np.float32, np.float64]))
def test_loops_equal_their_twins_bit_for_bit(shape, seed, dtype):
    rng = np.random.default_rng(seed)
    a = np.exp(rng.uniform(-7, 14, shape)).astype(dtype)
    x = np.asarray(rng.standard_gamma(np.minimum(a, 1e6)) + 1e-30).astype(dtype)
    got = K.standard_gamma_grad(a, x)
    assert got.shape == a.shape and got.dtype == dtype
    np.testing.assert_array_equal(got, K.standard_gamma_grad_numpy(a, x))
    b = np.exp(rng.uniform(-7, 7, shape)).astype(dtype)
    total = (a + b).astype(dtype)
    u = rng.uniform(0, 1, shape).astype(dtype)
    got = K.dirichlet_grad(u, a, total)
    assert got.shape == a.shape and got.dtype == dtype
    np.testing.assert_array_equal(got, K.dirichlet_grad_numpy(u, a, total))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_edges_equal_the_twins(dtype):
    with np.errstate(over="ignore"):
        a, x = (np.array(v, dtype) for v in np.meshgrid(EDGE_A, EDGE_X))
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(K.standard_gamma_grad(a, x),
                                      K.standard_gamma_grad_numpy(a, x))
        u = np.array([0.0, 1e-30, 0.25, 0.5, 0.75, 1 - 1e-7, 1.0, np.nan], dtype)
        uu, aa = (np.array(v, dtype) for v in np.meshgrid(u, a[0]))
        for extra in (0.0, 1.0, 1e3):
            total = (aa + dtype(extra)).astype(dtype)
            np.testing.assert_array_equal(K.dirichlet_grad(uu, aa, total),
                                          K.dirichlet_grad_numpy(uu, aa, total))


def test_broadcast_and_non_contiguous_inputs():
    a = np.linspace(0.5, 20.0, 12).reshape(3, 4)[:, ::2]
    x = np.array([0.3, 9.0])
    want = K.standard_gamma_grad(np.ascontiguousarray(a), np.broadcast_to(x, a.shape).copy())
    np.testing.assert_array_equal(K.standard_gamma_grad(a, x), want)


def test_arguments_are_checked():
    with pytest.raises(TypeError, match="standard_gamma_grad: expected float32 or float64 "
                                        "arrays of one dtype, got float32, float64"):
        K.standard_gamma_grad(np.ones(2, np.float32), np.ones(2))
    with pytest.raises(TypeError, match="dirichlet_grad: .* got int64"):
        K.dirichlet_grad(np.ones(2, np.int64), np.ones(2, np.int64), np.ones(2, np.int64))
    with pytest.raises(ValueError, match=r"dirichlet_grad: shapes \(2,\), \(3,\), \(2,\) do "
                                         "not broadcast"):
        K.dirichlet_grad(np.ones(2), np.ones(3), np.ones(2))


def test_numpy_backend_runs_the_twins(monkeypatch):
    a, x = np.array([0.5, 3.0, 20.0]), np.array([0.3, 2.0, 21.0])
    fast = K.standard_gamma_grad(a, x)
    calls = []
    twin = K._gamma_twin
    monkeypatch.setattr(K, "_gamma_twin", lambda *args: calls.append(1) or twin(*args))
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    np.testing.assert_array_equal(K.standard_gamma_grad(a, x), fast)
    assert calls == [1]
