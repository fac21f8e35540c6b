"""``affine_grid`` and ``grid_sample``: identity and one-pixel shifts reproduce the image
(closed forms), hand-worked bilinear weights, gradcheck in the input and the grid, errors and
warnings, and PyTorch's values and gradients over every mode, padding and alignment."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

MODES = ["bilinear", "nearest", "bicubic"]
PADDINGS = ["zeros", "border", "reflection"]


def _image(seed=0, shape=(2, 3, 4, 5)):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_the_identity_grid_reproduces_the_image(align, mode):
    img = _image()
    theta = ag.tensor(np.tile(np.eye(2, 3), (2, 1, 1)))
    grid = F.affine_grid(theta, img.shape, align_corners=align)
    out = F.grid_sample(ag.tensor(img), grid, mode=mode, align_corners=align)
    np.testing.assert_allclose(out.numpy(), img, rtol=1e-12, atol=1e-12)


def test_a_one_pixel_shift_and_hand_worked_bilinear_weights():
    img = np.arange(20.0).reshape(1, 1, 4, 5)
    # align_corners=True: a step of 2 / (W - 1) in x is one pixel; the last column reads zeros
    theta = ag.tensor([[[1.0, 0.0, 0.5], [0.0, 1.0, 0.0]]], dtype=ag.float64)
    out = F.grid_sample(ag.tensor(img), F.affine_grid(theta, img.shape, align_corners=True),
                        align_corners=True)
    want = np.concatenate([img[..., 1:], np.zeros((1, 1, 4, 1))], -1)
    np.testing.assert_allclose(out.numpy(), want, atol=1e-12)
    # the point (x, y) = (1.25, 2.5) in pixels: 0.75/0.25 of columns 1 and 2, half rows 2 and 3
    grid = ag.tensor([[[[2 * 1.25 / 4 - 1, 2 * 2.5 / 3 - 1]]]], dtype=ag.float64)
    v = F.grid_sample(ag.tensor(img), grid, align_corners=True).item()
    assert v == pytest.approx(0.5 * (0.75 * 11 + 0.25 * 12) + 0.5 * (0.75 * 16 + 0.25 * 17))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("align", [False, True])
def test_gradcheck(mode, padding, align):
    rng = np.random.default_rng(1)
    img = ag.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    # points inside and outside the image, away from pixel boundaries (kinks)
    pts = rng.uniform(-1.4, 1.4, (1, 2, 3, 2))
    grid = ag.tensor(pts, requires_grad=True)
    assert ag.gradcheck(lambda a, g: F.grid_sample(a, g, mode, padding, align), (img, grid),
                        eps=1e-7, atol=1e-5)


def test_affine_grid_gradient_and_errors():
    theta = ag.tensor(np.random.default_rng(2).standard_normal((2, 2, 3)), requires_grad=True)
    assert ag.gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 4), align_corners=False), (theta,))
    with pytest.raises(NotImplementedError, match="only supports 4D and 5D sizes"):
        F.affine_grid(theta, (2, 1, 3), align_corners=False)
    with pytest.raises(ValueError, match="shape Nx2x3"):
        F.affine_grid(theta[0], (2, 1, 3, 4), align_corners=False)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.affine_grid(theta, (2, 1, 3, 4))
    img, grid = ag.zeros(2, 1, 3, 4), ag.zeros(2, 3, 4, 2)
    with pytest.raises(ValueError, match="expected mode to be 'bilinear', 'nearest' or"):
        F.grid_sample(img, grid, mode="area", align_corners=False)
    with pytest.raises(ValueError, match="expected padding_mode to be 'zeros', 'border', or"):
        F.grid_sample(img, grid, padding_mode="wrap", align_corners=False)
    with pytest.raises(RuntimeError, match="size 2 in last dimension"):
        F.grid_sample(img, grid[..., :1], align_corners=False)
    with pytest.raises(RuntimeError, match="same batch size"):
        F.grid_sample(img[:1], grid, align_corners=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.grid_sample(img, grid, align_corners=True)


@pytest.mark.torch_parity
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("align", [False, True])
def test_matches_torch(mode, padding, align):
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(3)
    img0 = rng.standard_normal((2, 3, 5, 6))
    grid0 = rng.uniform(-1.6, 1.6, (2, 4, 3, 2))
    theta0 = rng.standard_normal((2, 2, 3)) * 0.7
    seed_out = rng.standard_normal((2, 3, 4, 3))
    runs = []
    for lib, fn in ((torch, torch.nn.functional), (ag, F)):
        img = lib.tensor(img0, requires_grad=True)
        grid = lib.tensor(grid0, requires_grad=True)
        out = fn.grid_sample(img, grid, mode=mode, padding_mode=padding, align_corners=align)
        (out * lib.tensor(seed_out)).sum().backward()
        theta = lib.tensor(theta0, requires_grad=True)
        warped = fn.grid_sample(img.detach(), fn.affine_grid(theta, (2, 3, 4, 3),
                                                              align_corners=align),
                                mode=mode, padding_mode=padding, align_corners=align)
        (warped ** 2).sum().backward()
        grads = [out, img.grad, warped] + ([grid.grad, theta.grad] if mode != "nearest" else [])
        runs.append([np.array(t.detach().numpy()) for t in grads])
    for theirs, ours in zip(*runs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("mode,padding,want", [
    ("bilinear", "zeros", [np.nan, 2.0, np.nan, np.nan]),
    ("bilinear", "border", [4.0, 4.0, 1.5, 7.0]), ("bilinear", "reflection", [4.0, 4.0, 1.5, 4.0]),
    ("nearest", "zeros", [0.0, 4.0, 0.0, 0.0]), ("nearest", "border", [4.0, 4.0, 2.0, 7.0]),
    ("nearest", "reflection", [4.0, 4.0, 2.0, 4.0]),
    ("bicubic", "border", [np.nan, 3.90625, np.nan, np.nan])])
def test_non_finite_grid_points_as_pytorch(mode, padding, want):
    # PyTorch 2.13's values: its clipping (border, reflection) maps NaN to 0 and inf to the edge
    img = ag.arange(12.0).reshape(1, 1, 3, 4)
    grid = ag.tensor([[[[np.nan, 0.0], [-1.0, 0.0], [0.0, np.nan], [np.inf, 0.0]]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.grid_sample(img, grid, mode=mode, padding_mode=padding, align_corners=False)
    np.testing.assert_array_equal(out.numpy().reshape(-1), want)
