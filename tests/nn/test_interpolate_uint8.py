"""``F.interpolate`` of integer images as PyTorch's CPU kernels: uint8 bilinear, bicubic
(plain and antialiased) and lanczos resample in int16 fixed point, one rounded and clamped
pass per dim; other integer dtypes and the linear/trilinear modes are refused in PyTorch's
words. The weights were cast to uint8 before (all zeros for bilinear), so every output was 0
or garbage. Complex inputs and float16 antialias, which PyTorch's kernels have no loop for,
are refused likewise (they were computed)."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


def test_uint8_antialias_hand_worked():
    # 4 -> 2 along the width, bilinear antialias: weights 3/7, 3/7, 1/7 (and mirrored); the
    # largest, 3/7, keeps 16 fraction bits below 2^15: 28087, 28087, 9362; sums rounded by
    # + 2^15 and shifted: (28087 * 30 + 9362 * 30 + 32768) >> 16 = 17, likewise 33
    x = ag.tensor(np.array([[[[10, 20, 30, 40]]]], dtype=np.uint8))
    y = F.interpolate(x, size=(1, 2), mode="bilinear", antialias=True)
    assert y.dtype == ag.uint8
    assert y.tolist() == [[[[17, 33]]]]


def test_uint8_bilinear_hand_worked():
    # 2 -> 4, align_corners=True: sources 0, 1/3, 2/3, 1 -> weights (1, 0), (2/3, 1/3),
    # (1/3, 2/3), (0, 1); 2/3 keeps 15 bits: 21845 and 10923; (21845 * 0 + 10923 * 255
    # + 16384) >> 15 = 85, (10923 * 0 + 21845 * 255 + 16384) >> 15 = 170
    x = ag.tensor(np.array([[[[0, 255]]]], dtype=np.uint8))
    y = F.interpolate(x, size=(1, 4), mode="bilinear", align_corners=True)
    assert y.tolist() == [[[[0, 85, 170, 255]]]]


def test_uint8_bicubic_overshoot_clamps():
    # Keys' cubic overshoots a step: the float path goes below 0 and above 255, the uint8
    # kernel clamps each pass to 0..255 (no wrap-around)
    x = ag.tensor(np.array([[[[0, 0, 255, 255]]]], dtype=np.uint8))
    xf = F.interpolate(x.double(), size=(1, 8), mode="bicubic").numpy()
    assert xf.min() < 0 and xf.max() > 255
    y = F.interpolate(x, size=(1, 8), mode="bicubic").numpy().astype(int)
    assert y.min() == 0 and y.max() == 255
    np.testing.assert_array_less(np.abs(y - np.clip(xf, 0, 255)), 1.0 + 1e-9)


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.bool_])
@pytest.mark.parametrize("mode,antialias,kernel", [
    ("bilinear", False, "upsample_bilinear2d_channels_last"),
    ("bicubic", False, "compute_indices_weights_cubic"),
    ("bilinear", True, "compute_index_ranges_weights"),
    ("lanczos", True, "compute_index_ranges_weights")])
def test_other_integers_refused(dtype, mode, antialias, kernel):
    x = ag.tensor(np.ones((1, 1, 4, 4), dtype))
    with pytest.raises(NotImplementedError, match=f'"{kernel}" not implemented for'):
        F.interpolate(x, size=(2, 3), mode=mode, antialias=antialias)


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_linear_and_trilinear_integers_refused(dtype):
    with pytest.raises(NotImplementedError, match="compute_indices_weights_linear"):
        F.interpolate(ag.tensor(np.ones((1, 1, 4), dtype)), size=2, mode="linear")
    with pytest.raises(NotImplementedError, match="compute_indices_weights_linear"):
        F.interpolate(ag.tensor(np.ones((1, 1, 2, 2, 2), dtype)), size=3, mode="trilinear")


@pytest.mark.torch_parity
def test_uint8_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for trial in range(120):
        shape = (int(rng.integers(1, 3)), int(rng.integers(1, 5)), int(rng.integers(1, 14)),
                 int(rng.integers(1, 14)))
        mode = ("bilinear", "bicubic", "lanczos")[trial % 3]
        antialias = mode == "lanczos" or bool(rng.integers(0, 2))
        corners = None if mode == "lanczos" else (None, False, True)[int(rng.integers(0, 3))]
        if rng.integers(0, 2):
            kw = {"size": (int(rng.integers(1, 17)), int(rng.integers(1, 17)))}
        else:
            kw = {"scale_factor": (float(rng.uniform(0.2, 2.5)), float(rng.uniform(0.2, 2.5))),
                  "recompute_scale_factor": (None, True, False)[trial % 3]}
            shape = shape[:2] + tuple(n + 5 for n in shape[2:])  # no empty output
        x = rng.integers(0, 256, shape).astype(np.uint8)
        kw.update(mode=mode, antialias=antialias, align_corners=corners)
        ref = torch.nn.functional.interpolate(torch.tensor(x), **kw).numpy()
        ours = F.interpolate(ag.tensor(x), **kw).numpy()
        assert ours.dtype == np.uint8
        np.testing.assert_array_equal(ours, ref, err_msg=str((shape, kw)))


@pytest.mark.parametrize("dtype,name", [(np.complex64, "ComplexFloat"),
                                        (np.complex128, "ComplexDouble")])
@pytest.mark.parametrize("mode,antialias,kernel,ndim", [
    ("bilinear", False, "upsample_bilinear2d_channels_last", 4),
    ("bicubic", False, "compute_indices_weights_cubic", 4),
    ("bicubic", True, "compute_index_ranges_weights", 4),
    ("linear", False, "compute_indices_weights_linear", 3),
    ("trilinear", False, "compute_indices_weights_linear", 5)])
def test_complex_refused(dtype, name, mode, antialias, kernel, ndim):
    x = ag.tensor(np.ones((1, 1) + (4,) * (ndim - 2), dtype))
    with pytest.raises(NotImplementedError, match=f'"{kernel}" not implemented for \'{name}\''):
        F.interpolate(x, size=(2,) * (ndim - 2), mode=mode, antialias=antialias)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
def test_float16_antialias_refused(mode):
    x = ag.ones((1, 1, 4, 4), dtype=ag.float16)
    with pytest.raises(NotImplementedError,
                       match="\"compute_index_ranges_weights\" not implemented for 'Half'"):
        F.interpolate(x, size=(2, 3), mode=mode, antialias=True)
    assert F.interpolate(x, size=(2, 3), mode="bilinear").dtype == ag.float16  # plain: computed
