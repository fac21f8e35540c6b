"""Volumetric ``grid_sample`` (``(N, C, D, H, W)`` input, ``(N, D', H', W', 3)`` grid) and
5-D ``affine_grid``: the identity grid, hand-worked trilinear weights, gradcheck in the volume,
the grid and ``theta``, PyTorch's errors, and PyTorch's values and gradients."""

import itertools

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

PADDINGS = ["zeros", "border", "reflection"]


def _volume(seed=0, shape=(2, 2, 3, 4, 5)):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_the_identity_grid_reproduces_the_volume(align, mode):
    vol = _volume()
    theta = ag.tensor(np.tile(np.eye(3, 4), (2, 1, 1)))
    grid = F.affine_grid(theta, vol.shape, align_corners=align)
    assert tuple(grid.shape) == (2, 3, 4, 5, 3)
    out = F.grid_sample(ag.tensor(vol), grid, mode=mode, align_corners=align)
    np.testing.assert_allclose(out.numpy(), vol, rtol=1e-12, atol=1e-12)


def test_hand_worked_trilinear_weights_and_nearest():
    vol = np.arange(24.0).reshape(1, 1, 2, 3, 4)  # value = 12 z + 4 y + x
    # the point (x, y, z) = (1.25, 0.5, 0.75) in voxels (align_corners=True): trilinear
    # interpolation of a linear function gives the function itself
    pt = [2 * 1.25 / 3 - 1, 2 * 0.5 / 2 - 1, 2 * 0.75 / 1 - 1]
    grid = ag.tensor([[[[pt]]]], dtype=ag.float64)
    v = F.grid_sample(ag.tensor(vol), grid, align_corners=True).item()
    assert v == pytest.approx(12 * 0.75 + 4 * 0.5 + 1.25, abs=1e-12)
    near = F.grid_sample(ag.tensor(vol), grid, mode="nearest", align_corners=True).item()
    assert near == 12 * 1 + 4 * 0 + 1  # round half to even: y 0.5 -> 0
    # outside, zeros padding: the far corner at (x, y, z) = (3.5, 2, 1) keeps half of 23
    far = ag.tensor([[[[[2 * 3.5 / 3 - 1, 1.0, 1.0]]]]], dtype=ag.float64)
    assert F.grid_sample(ag.tensor(vol), far, align_corners=True).item() == pytest.approx(11.5)


@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("align", [False, True])
def test_gradcheck(padding, align):
    rng = np.random.default_rng(1)
    vol = ag.tensor(rng.standard_normal((1, 2, 2, 3, 3)), requires_grad=True)
    grid = ag.tensor(rng.uniform(-1.4, 1.4, (1, 2, 1, 2, 3)), requires_grad=True)
    assert ag.gradcheck(lambda a, g: F.grid_sample(a, g, "bilinear", padding, align),
                        (vol, grid), eps=1e-7, atol=1e-5)
    theta = ag.tensor(rng.standard_normal((1, 3, 4)) * 0.5, requires_grad=True)
    assert ag.gradcheck(lambda t: F.grid_sample(vol.detach(), F.affine_grid(
        t, (1, 2, 2, 2, 3), align_corners=align), "bilinear", padding, align), (theta,),
        eps=1e-7, atol=1e-5)


def test_nearest_gives_the_grid_a_zero_gradient():
    vol = ag.tensor(_volume(), requires_grad=True)
    grid = ag.tensor(np.random.default_rng(2).uniform(-1, 1, (2, 1, 2, 2, 3)),
                     requires_grad=True)
    F.grid_sample(vol, grid, mode="nearest", align_corners=False).sum().backward()
    assert np.all(grid.grad.numpy() == 0) and vol.grad.numpy().sum() == 2 * 2 * 1 * 2 * 2


def test_errors_in_pytorchs_words_and_order():
    vol, grid = ag.zeros(1, 2, 3, 4, 5), ag.zeros(1, 2, 2, 2, 3)
    with pytest.raises(RuntimeError, match=r"^grid_sampler\(\): bicubic interpolation only "
                                           r"supports 4D input$"):
        F.grid_sample(vol, grid, mode="bicubic", align_corners=False)
    with pytest.raises(RuntimeError, match=r"expected grid to have size 3 in last dimension, "
                                           r"but got grid with sizes \[1, 2, 2, 2\]"):
        F.grid_sample(vol, grid[..., 0], align_corners=False)
    with pytest.raises(RuntimeError, match=r"expected grid to have size 2 in last dimension"):
        F.grid_sample(ag.zeros(1, 2, 3, 4), grid, align_corners=False)
    with pytest.raises(RuntimeError, match=r"non-empty spatial dimensions, but input has sizes "
                                           r"\[1, 2, 0, 4, 5\] with dimension 2 being empty"):
        F.grid_sample(ag.zeros(1, 2, 0, 4, 5), grid, align_corners=False)
    with pytest.raises(RuntimeError, match=r"expected 5D input and grid with same number"):
        F.grid_sample(ag.zeros(1, 2, 3, 3, 3, 3), ag.zeros(1, 2, 2, 2, 2, 4),
                      align_corners=False)
    with pytest.raises(RuntimeError, match="same batch size"):
        F.grid_sample(ag.zeros(2, 2, 3, 4, 5), grid, align_corners=False)
    with pytest.raises(ValueError, match="shape Nx3x4"):
        F.affine_grid(ag.zeros(1, 2, 3), (1, 2, 3, 4, 5), align_corners=False)


@pytest.mark.torch_parity
def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    vol0 = rng.standard_normal((2, 3, 4, 5, 6))
    grid0 = rng.uniform(-1.6, 1.6, (2, 3, 2, 4, 3))
    theta0 = rng.standard_normal((2, 3, 4)) * 0.7
    seed_out = rng.standard_normal((2, 3, 3, 2, 4))
    for mode, padding, align in itertools.product(["bilinear", "nearest"], PADDINGS,
                                                  [False, True]):
        runs = []
        for lib, fn in ((torch, torch.nn.functional), (ag, F)):
            vol = lib.tensor(vol0, requires_grad=True)
            grid = lib.tensor(grid0, requires_grad=True)
            out = fn.grid_sample(vol, grid, mode=mode, padding_mode=padding,
                                 align_corners=align)
            (out * lib.tensor(seed_out)).sum().backward()
            theta = lib.tensor(theta0, requires_grad=True)
            g2 = fn.affine_grid(theta, (2, 3, 3, 2, 4), align_corners=align)
            warped = fn.grid_sample(vol.detach(), g2, mode=mode, padding_mode=padding,
                                    align_corners=align)
            (warped ** 2).sum().backward()
            got = [out, vol.grad, warped, g2, grid.grad]
            got += [theta.grad] if mode != "nearest" else []
            runs.append([np.array(t.detach().numpy()) for t in got])
        for theirs, ours in zip(*runs):
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-10,
                                       err_msg=f"{mode} {padding} {align}")
