"""The per-call settings (TAPEGRAD_KERNELS, TAPEGRAD_PARALLEL) follow the environment at run
time, through the cheap reader in ``_jit``; and the driver's fast path (contiguous arrays of one
float dtype) gives what the general path gives."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core.kernels as K
from autograd_core.kernels import _jit


def test_backend_follows_environment_changes(monkeypatch):
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)
    assert _jit.backend() == "numba" and _jit.use_numba()
    monkeypatch.setenv("TAPEGRAD_KERNELS", " NumPy ")
    assert _jit.backend() == "numpy" and not _jit.use_numba()
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numba")
    assert _jit.use_numba()
    monkeypatch.setenv("TAPEGRAD_KERNELS", "cuda")
    with pytest.raises(ValueError, match="TAPEGRAD_KERNELS must be 'numba' or 'numpy'"):
        _jit.use_numba()


@pytest.mark.parametrize("value,expected", [(None, True), ("1", True), ("0", False),
                                            ("off", False), ("False", False)])
def test_parallel_switch_follows_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("TAPEGRAD_PARALLEL", raising=False)
    else:
        monkeypatch.setenv("TAPEGRAD_PARALLEL", value)
    assert _jit.parallel_enabled() is expected


def test_numpy_backend_is_used_when_selected(monkeypatch):
    """With TAPEGRAD_KERNELS=numpy the twin runs: a float16 input stays float16 either way, so
    check by replacing the twin and seeing the call arrive."""
    calls = []
    monkeypatch.setattr(K._ref, "relu_forward", lambda x: calls.append(x) or np.maximum(x, 0))
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    K.relu_forward(np.ones(3, np.float32))
    assert len(calls) == 1
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numba")
    K.relu_forward(np.ones(3, np.float32))
    assert len(calls) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_path_matches_general_path(dtype):
    """C-contiguous same-dtype inputs take the fast path; the same values as a Fortran-ordered
    and a strided layout (general path) must give identical results."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5)).astype(dtype)
    g = rng.standard_normal((6, 5)).astype(dtype)
    for fwd, bwd, first in [(K.sigmoid_forward, K.sigmoid_backward, "y"),
                            (K.relu_forward, K.relu_backward, "x")]:
        fast_y = fwd(x)
        slow_y = fwd(np.asfortranarray(x))
        strided = np.zeros((6, 10), dtype)[:, ::2]
        strided[...] = x
        np.testing.assert_array_equal(fast_y, slow_y)
        np.testing.assert_array_equal(fast_y, fwd(strided))
        a = fast_y if first == "y" else x
        np.testing.assert_array_equal(bwd(a, g), bwd(np.asfortranarray(a), np.asfortranarray(g)))
    with pytest.raises(ValueError, match="relu_backward: x and g must have the same shape"):
        K.relu_backward(x, g[:, :4].copy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_permuted_dense_layouts_are_kept(dtype):
    """Arrays of one dense layout with permuted axes (conv2d's channels-last outputs) run as
    flat views and give a result in that layout; mixed layouts give C order; the values are
    the contiguous path's either way."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4, 5)).astype(dtype)
    g = rng.standard_normal((2, 3, 4, 5)).astype(dtype)

    def last(a):  # (N, C, H, W) values in (N, H, W, C) memory
        return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)

    y = K.relu_forward(last(x))
    assert y.transpose(0, 2, 3, 1).flags.c_contiguous
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    gx = K.relu_backward(last(x), last(g))
    assert gx.transpose(0, 2, 3, 1).flags.c_contiguous
    np.testing.assert_array_equal(gx, np.where(x > 0, g, 0))
    mixed = K.relu_backward(last(x), g)
    assert mixed.flags.c_contiguous
    np.testing.assert_array_equal(mixed, np.where(x > 0, g, 0))


@pytest.mark.parametrize("name", ["relu_forward", "sigmoid_forward", "tanh_forward",
                                  "relu_backward", "sigmoid_backward", "tanh_backward"])
def test_unusual_inputs_leave_the_fast_path_with_the_twins_results(name):
    """What the short fast path of array-only kernels must not take: other dtypes (float16,
    byte-swapped float32, ints), mixed dtypes, 0-d and empty arrays, lists. Each gives the
    twin's values in the twin's dtype and shape (for float16, the twin's in float32, rounded
    once, as ATen's opmath, but for the kernels ATen runs in float16)."""
    rng = np.random.default_rng(2)
    kernel, twin = getattr(K, name), getattr(K._ref, name)
    two = name.endswith("_backward")
    base = rng.standard_normal((3, 4))
    cases = [base.astype(np.float16), base.astype(">f4"), (base * 3).astype(np.int64),
             np.float32(0.5) * np.ones((), np.float32), np.empty((0, 4), np.float32),
             base.astype(np.float32).tolist()]
    for x in cases:
        kind = np.asarray(x).dtype
        args = (x, np.ones(np.shape(x), kind if kind.kind == "f" else np.float64)) if two else (x,)
        got = kernel(*args)
        if kind == np.float16 and name not in K._ref.IN_FLOAT16:  # ATen's opmath: float32
            want = K._ref.in_float32(twin, args)
        else:
            want = twin(*args)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6 if got.dtype != np.float16 else 1e-3)
    if two:  # mixed float32 / float64: the result in the common dtype, as the twin's
        x, g = base.astype(np.float32), base.astype(np.float64)
        assert kernel(x, g).dtype == twin(x, g).dtype == np.float64
        with pytest.raises(ValueError, match=f"{name}: . and g must have the same shape"):
            kernel(x, g[:2])
