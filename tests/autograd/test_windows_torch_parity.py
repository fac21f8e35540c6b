"""The window functions: closed forms, the length 0 and 1 cases, dtype and requires_grad,
PyTorch's errors, and PyTorch's own numbers (bit-for-bit but where its vectorised cosine
rounds the other way: then within one float eps of the window, whose peak is 1)."""

import math

import numpy as np
import pytest

import autograd_core as ag

NAMES = ("hann_window", "hamming_window", "blackman_window", "bartlett_window",
         "kaiser_window")


def _closed_form(name, n, periodic):
    size = n + 1 if periodic else n
    k = np.arange(size, dtype=np.float64)
    c1, c2 = np.cos(2 * math.pi * k / (size - 1)), np.cos(4 * math.pi * k / (size - 1))
    w = {"hann_window": 0.5 - 0.5 * c1, "hamming_window": 0.54 - 0.46 * c1,
         "blackman_window": 0.42 - 0.5 * c1 + 0.08 * c2,
         "bartlett_window": 1 - np.abs(2 * k / (size - 1) - 1),
         "kaiser_window": np.i0(12 * np.sqrt(1 - (2 * k / (size - 1) - 1) ** 2)) / np.i0(12.0),
         }[name]
    return w[:n]


@pytest.mark.parametrize("name", NAMES)
def test_closed_forms(name):
    for n in (2, 3, 8, 101):
        for periodic in (True, False):
            got = getattr(ag, name)(n, periodic, dtype=ag.float64)
            np.testing.assert_allclose(got.numpy(), _closed_form(name, n, periodic),
                                       rtol=1e-13, atol=1e-15)


def test_hand_worked():
    assert ag.hann_window(4).tolist() == [0.0, 0.5, 1.0, 0.5]
    assert ag.hann_window(5, periodic=False).tolist() == [0.0, 0.5, 1.0, 0.5, 0.0]
    assert ag.bartlett_window(5, False).tolist() == [0.0, 0.5, 1.0, 0.5, 0.0]
    assert ag.bartlett_window(4).tolist() == [0.0, 0.5, 1.0, 0.5]
    np.testing.assert_allclose(ag.hamming_window(4, dtype=ag.float64).numpy(),
                               [0.08, 0.54, 1.0, 0.54], atol=1e-15)
    # alpha and beta: 0.6 - 0.3 cos(2 pi k / 2), k = 0, 1
    np.testing.assert_allclose(ag.hamming_window(2, True, 0.6, 0.3, dtype=ag.float64).numpy(),
                               [0.3, 0.9], atol=1e-15)
    # beta = 0: I0(0) / I0(0), a rectangle
    assert ag.kaiser_window(6, beta=0.0).tolist() == [1.0] * 6


@pytest.mark.parametrize("name", NAMES)
def test_lengths_dtype_requires_grad(name):
    fn = getattr(ag, name)
    assert fn(0).shape == (0,) and fn(0).dtype == ag.float32
    assert fn(1).tolist() == [1.0] and fn(1, False).tolist() == [1.0]
    w = fn(5, dtype=ag.float64, requires_grad=True)
    assert w.dtype == ag.float64 and w.requires_grad and w.is_leaf and w.shape == (5,)
    assert fn(5, dtype=ag.float16).dtype == ag.float16
    with pytest.raises(RuntimeError, match=f"{name} requires non-negative window_length, got "
                       "window_length=-1"):
        fn(-1)
    with pytest.raises(RuntimeError, match=f"{name} expects floating point dtypes, got: "
                       r"TensorOptions\(dtype=long int"):
        fn(3, dtype=ag.int64)
    with pytest.raises(TypeError, match="argument 'window_length' must be int, not float"):
        fn(3.0)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", NAMES)
def test_against_torch(name):
    torch = pytest.importorskip("torch")
    lengths = [*range(0, 70), 127, 128, 1000, 4097]
    for dt in ("float16", "float32", "float64"):
        differ = total = 0
        for n in lengths:
            for periodic in (True, False):
                ours = getattr(ag, name)(n, periodic, dtype=getattr(ag, dt)).numpy()
                theirs = getattr(torch, name)(n, periodic, dtype=getattr(torch, dt)).numpy()
                assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
                exact = name == "bartlett_window" or (
                    dt == "float16" or (name == "kaiser_window" and dt == "float64"))
                if exact:
                    np.testing.assert_array_equal(ours, theirs, err_msg=f"{name} {dt} {n}")
                elif name == "kaiser_window":  # float32: the C library's expf, 2 ulps
                    np.testing.assert_array_max_ulp(ours, theirs, maxulp=2)
                else:  # a cosine rounded the other way, scaled by at most 1
                    np.testing.assert_allclose(ours, theirs, rtol=0,
                                               atol=np.finfo(ours.dtype).eps)
                differ += int((ours != theirs).sum())
                total += ours.size
        assert differ <= 0.05 * total  # the rest bit-for-bit
