"""``F.interpolate(..., antialias=True)`` (bilinear, bicubic, lanczos), as PyTorch's
``_upsample_*2d_aa``: hand-worked weights, properties (upscaling equals plain bilinear, the
separable passes compose), gradcheck, and PyTorch's numbers and gradients."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
from autograd_core.gradcheck import gradcheck


def test_shrink_weights_hand_worked():
    # 4 -> 2, bilinear: output 0 is centred at 1.0 in the input, the triangle widened to
    # half-width 2: inputs 0, 1, 2 at distances 0.25, 0.25, 0.75 (in units of 2) weigh
    # 0.75, 0.75, 0.25, normalised: 3/7, 3/7, 1/7
    x = ag.tensor(np.eye(4)[None, None])  # row k: the k-th basis vector along the width
    y = F.interpolate(x, size=(4, 2), mode="bilinear", antialias=True).numpy()[0, 0]
    np.testing.assert_allclose(y[:, 0], [3 / 7, 3 / 7, 1 / 7, 0.0], rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(y[:, 1], [0.0, 1 / 7, 3 / 7, 3 / 7], rtol=1e-15, atol=1e-15)
    # 4 -> 1: centre 2.0, half-width 4: weights 1 - |j + 0.5 - 2| / 4 = 5/8, 7/8, 7/8, 5/8
    y1 = F.interpolate(x, size=(4, 1), mode="bilinear", antialias=True).numpy()[0, 0, :, 0]
    np.testing.assert_allclose(y1, np.array([5, 7, 7, 5]) / 24, rtol=1e-15)


def test_upscaling_bilinear_is_plain_bilinear():
    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 7)))
    a = F.interpolate(x, size=(9, 13), mode="bilinear", antialias=True)
    b = F.interpolate(x, size=(9, 13), mode="bilinear")
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0, atol=1e-14)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
def test_one_call_is_width_pass_then_height_pass(mode):
    # includes an output width of 1 (PyTorch 2.13 gives every output row the first's there)
    x = ag.tensor(np.random.default_rng(1).standard_normal((1, 2, 11, 4)))
    for size in [(6, 1), (6, 3), (3, 9)]:
        one = F.interpolate(x, size=size, mode=mode, antialias=True)
        two = F.interpolate(F.interpolate(x, size=(11, size[1]), mode=mode, antialias=True),
                            size=size, mode=mode, antialias=True)
        np.testing.assert_allclose(one.numpy(), two.numpy(), rtol=1e-13, atol=1e-14)
    rows = F.interpolate(x, size=(6, 1), mode=mode, antialias=True).numpy()[0, 0, :, 0]
    assert np.ptp(rows) > 0.1  # the rows differ: each averages its own part of the input


@pytest.mark.parametrize("mode,corners", [("bilinear", False), ("bilinear", True),
                                          ("bicubic", False), ("lanczos", False)])
def test_gradcheck(mode, corners):
    x = ag.tensor(np.random.default_rng(2).standard_normal((1, 2, 6, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.interpolate(t, size=(3, 4), mode=mode, align_corners=corners,
                                             antialias=True), (x,))


def test_refusals_as_pytorch():
    x3, x4 = ag.zeros(1, 1, 4), ag.zeros(1, 1, 4, 4)
    with pytest.raises(ValueError, match="restricted to bilinear, bicubic, and lanczos"):
        F.interpolate(x4, size=(2, 2), mode="nearest", antialias=True)
    with pytest.raises(ValueError, match="requires a 4-D tensor"):
        F.interpolate(x3, size=2, mode="linear", antialias=True)
    with pytest.raises(ValueError, match="Lanczos mode requires antialias=True"):
        F.interpolate(x4, size=(2, 2), mode="lanczos")
    with pytest.raises(ValueError, match="does not support align_corners=True"):
        F.interpolate(x4, size=(2, 2), mode="lanczos", align_corners=True, antialias=True)


@pytest.mark.torch_parity
def test_as_torch_values_and_gradients():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(3)
    for _ in range(150):
        h, w = (int(v) for v in rng.integers(1, 12, 2))
        mode = str(rng.choice(["bilinear", "bicubic", "lanczos"]))
        kw = {"mode": mode, "antialias": True,
              "align_corners": False if mode == "lanczos" else bool(rng.integers(0, 2))}
        if rng.integers(0, 2):
            sf = (float(rng.choice([0.3, 0.5, 0.7, 1.5, 2.5])),
                  float(rng.choice([0.3, 0.5, 1.0, 2.0])))
            if int(h * sf[0]) < 1 or int(w * sf[1]) < 1:
                continue
            kw.update(scale_factor=sf, recompute_scale_factor=bool(rng.integers(0, 2)))
        else:
            kw.update(size=tuple(int(v) for v in rng.integers(1, 12, 2)))
        x = rng.standard_normal((2, 2, h, w))
        t, a = torch.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
        yt, ya = tf.interpolate(t, **kw), F.interpolate(a, **kw)
        if yt.shape[-1] == 1 and yt.shape[-2] > 1:
            continue  # torch 2.13's width-1 output (see test_one_call_is_width_pass_...)
        g = rng.standard_normal(tuple(yt.shape))
        yt.backward(torch.tensor(g))
        ya.backward(ag.tensor(g))
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-12,
                                   atol=1e-13, err_msg=str((h, w, kw)))
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-13)
    x = rng.standard_normal((1, 3, 37, 29)).astype(np.float32)
    for mode in ("bilinear", "bicubic", "lanczos"):
        yt = tf.interpolate(torch.tensor(x), size=(11, 8), mode=mode, antialias=True)
        ya = F.interpolate(ag.tensor(x), size=(11, 8), mode=mode, antialias=True)
        assert ya.dtype == ag.float32
        np.testing.assert_allclose(ya.numpy(), yt.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.torch_parity
def test_width_one_output_is_torch_two_pass():
    # torch 2.13's result at an output width of 1 repeats its first row: its width pass,
    # then its height pass done as a width pass of the transpose, give what ours gives
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = np.random.default_rng(4).standard_normal((1, 1, 11, 4))
    mid = tf.interpolate(torch.tensor(x), size=(11, 1), mode="bilinear", antialias=True)
    ref = tf.interpolate(mid.transpose(2, 3), size=(1, 6), mode="bilinear",
                         antialias=True).transpose(2, 3).numpy()
    bug = tf.interpolate(torch.tensor(x), size=(6, 1), mode="bilinear", antialias=True)
    assert np.ptp(bug.numpy()) == 0 and np.ptp(ref) > 0.1  # the bug this test works around
    ours = F.interpolate(ag.tensor(x), size=(6, 1), mode="bilinear", antialias=True).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-14)
