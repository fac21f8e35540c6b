"""The per-channel normalisation kernels (autograd_core.kernels.norm): each Numba build equals
its numpy twin over shapes and dtypes, the parallel build runs above the threshold, the
TAPEGRAD_KERNELS=numpy switch runs the twin, and bad arguments are refused before any loop."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_core.kernels import norm as K


def _case(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    per = [rng.standard_normal(shape[1]) for _ in range(4)]
    return x, g, per


def _all(x, g, per):
    m, a, b, c = per
    return {
        "stats": (K.channel_stats(x), K.channel_stats_numpy(x)),
        "grad_sums": (K.channel_grad_sums(g, x, m), K.channel_grad_sums_numpy(g, x, m)),
        "scale_shift": ((K.channel_scale_shift(x, m, a, c),),
                        (K.channel_scale_shift_numpy(x, m, a, c),)),
        "backward": ((K.channel_backward(g, x, m, a, b, c),),
                     (K.channel_backward_numpy(g, x, m, a, b, c),)),
    }


def _assert_close(results, dtype):
    # sums are float64 in both (the order differs); elementwise maps round once in dtype
    tol = 1e-12 if dtype == np.float64 else 2e-6
    for name, (got, want) in results.items():
        for a, b in zip(got, want):
            assert a.shape == b.shape, name
            scale = max(1.0, float(np.abs(b).max()))
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale, err_msg=name)


@given(shape=st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 9)),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 100))
def test_serial_build_equals_twin(shape, dtype, seed):
    x, g, per = _case(shape, dtype, seed)
    results = _all(x, g, per)
    _assert_close(results, dtype)
    for name in ("scale_shift", "backward"):
        assert results[name][0][0].dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parallel_build_runs_above_threshold_and_equals_twin(dtype, monkeypatch):
    calls = []
    for name in ("_stats", "_grad_sums", "_scale_shift", "_backward"):
        serial, parallel = K._builds(name)
        spy = (lambda f, n: (lambda *a: calls.append(n) or f(*a)))(parallel, name)
        monkeypatch.setitem(K._BUILDS, name, (serial, spy))
    monkeypatch.setattr(K, "PARALLEL_MIN_SIZE", 64)
    monkeypatch.delenv("TAPEGRAD_PARALLEL", raising=False)
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)  # the loops, on any backend
    x, g, per = _case((3, 4, 20), dtype, 1)
    _assert_close(_all(x, g, per), dtype)
    assert sorted(set(calls)) == ["_backward", "_grad_sums", "_scale_shift", "_stats"]


def test_numpy_backend_runs_the_twin(monkeypatch):
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    seen = []
    monkeypatch.setattr(K, "channel_stats_numpy", lambda x: seen.append(x) or (0, 0))
    x = np.ones((1, 2, 3))
    assert K.channel_stats(x) == (0, 0) and seen[0] is x


def test_bad_arguments_are_refused():
    x = np.zeros((2, 3, 4), np.float32)
    with pytest.raises(ValueError, match="3-D float32/float64"):
        K.channel_stats(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="3-D float32/float64"):
        K.channel_stats(np.zeros((2, 3, 4), np.int64))
    with pytest.raises(ValueError, match="C-contiguous"):
        K.channel_stats(np.zeros((2, 4, 3), np.float32).transpose(0, 2, 1))
    with pytest.raises(ValueError, match=r"channel_grad_sums: g must be .* \(2, 3, 4\)"):
        K.channel_grad_sums(np.zeros((2, 3, 5), np.float32), x, np.zeros(3))
    with pytest.raises(ValueError, match=r"channel_grad_sums: g must be a C-contiguous float32"):
        K.channel_grad_sums(np.zeros((2, 3, 4)), x, np.zeros(3))
    with pytest.raises(ValueError, match=r"channel_scale_shift: a must have shape \(3,\)"):
        K.channel_scale_shift(x, np.zeros(3), np.zeros(4), np.zeros(3))
    with pytest.raises(ValueError, match=r"channel_backward: m must have shape \(3,\)"):
        K.channel_backward(x, x, np.zeros(2), np.zeros(3), np.zeros(3), np.zeros(3))


def test_stats_hand_example():
    x = np.array([[[1.0, 3.0], [0.0, 0.0]], [[5.0, 7.0], [2.0, 2.0]]])  # (A=2, K=2, S=2)
    mean, var = K.channel_stats(x)
    np.testing.assert_allclose(mean, [4.0, 1.0])
    np.testing.assert_allclose(var, [5.0, 1.0])


# ---- row kernels (layer / group norm) -----------------------------------------------------
@given(shape=st.tuples(st.integers(1, 6), st.integers(1, 40)), groups=st.sampled_from([1, 2, 3]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 100),
       form=st.sampled_from([0, 1]))
def test_row_kernels_equal_their_twins(shape, groups, dtype, seed, form):
    rng = np.random.default_rng(seed)
    R, L = shape[0] * groups, shape[1]
    x = (rng.standard_normal((R, L)) * 3 + 2).astype(dtype)
    g = rng.standard_normal((R, L)).astype(dtype)
    w, b = (rng.standard_normal((groups, L)).astype(dtype) for _ in range(2))
    got, want = K.row_forward(x, w, b, 1e-5, form), K.row_forward_numpy(x, w, b, 1e-5, form)
    _assert_close({"row_forward": (got, want)}, dtype)
    assert got[0].dtype == got[3].dtype == got[4].dtype == dtype
    gotb = K.row_backward(g, x, got[1], got[2], w)
    wantb = K.row_backward_numpy(g, x, got[1], got[2], w)
    _assert_close({"row_backward": (gotb, wantb)}, dtype)
    assert gotb[0].dtype == dtype and gotb[1].shape == gotb[2].shape == (groups, L)


def test_row_kernels_closed_form():
    # rows [1, 3] and [0, 10]: mean 2 and 5, var 1 and 25; w = 1, b = 0 -> -+1 (eps = 0)
    x = np.array([[1.0, 3.0], [0.0, 10.0]])
    y, mean, inv, _, _ = K.row_forward(x, np.ones((1, 2)), np.zeros((1, 2)), 0.0)
    np.testing.assert_array_equal(y, [[-1.0, 1.0], [-1.0, 1.0]])
    np.testing.assert_array_equal(mean, [2.0, 5.0])
    np.testing.assert_array_equal(inv, [1.0, 0.2])
    # d/dx of sum(g * y) for g = [1, 0]: (g - mean(g) - y * mean(g * y)) * inv = [0, 0] * inv
    gx, sgw, sgb = K.row_backward(np.array([[1.0, 0.0], [1.0, 0.0]]), x, mean, inv,
                                  np.ones((1, 2)))
    np.testing.assert_allclose(gx, np.zeros((2, 2)), atol=1e-15)
    np.testing.assert_array_equal(sgw, [[-2.0, 0.0]])
    np.testing.assert_array_equal(sgb, [[2.0, 0.0]])


def test_row_kernels_refuse_bad_arguments():
    x = np.ones((4, 3), np.float32)
    w = np.ones((1, 3), np.float32)
    with pytest.raises(ValueError, match="row_forward: x must be a C-contiguous 2-D"):
        K.row_forward(np.ones((4, 6), np.float32)[:, ::2], w, w, 1e-5)
    with pytest.raises(ValueError, match="row_forward: w must be"):
        K.row_forward(x, np.ones((3, 3), np.float32), w, 1e-5)  # 3 groups do not divide 4 rows
    with pytest.raises(ValueError, match="row_forward: b must be"):
        K.row_forward(x, w, np.ones((1, 3)), 1e-5)  # float64 parameters, float32 input
    with pytest.raises(ValueError, match="row_backward: g must be"):
        K.row_backward(np.ones((4, 2), np.float32), x, np.zeros(4), np.ones(4), w)
    with pytest.raises(ValueError, match="row_backward: mean and inv"):
        K.row_backward(x, x, np.zeros(3), np.ones(4), w)


def test_row_kernels_shape_gives_a_new_array_of_that_shape():
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    w, b = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    y, mean, inv, _, _ = K.row_forward(x, w, b, 1e-5)
    y3 = K.row_forward(x, w, b, 1e-5, shape=(2, 3, 5))[0]
    gx = K.row_backward(g, x, mean, inv, w)[0]
    gx3 = K.row_backward(g, x, mean, inv, w, shape=(2, 3, 5))[0]
    for got, want in ((y3, y), (gx3, gx)):
        assert got.shape == (2, 3, 5) and got.base is None
        np.testing.assert_array_equal(got.reshape(6, 5), want)
