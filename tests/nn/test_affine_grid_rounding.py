"""``affine_grid`` sums each grid coordinate in PyTorch's order, ``(x t0 + y t1 (+ z t2)) + t_k``.
A BLAS matmul rounded a few hundred points of a rotated 28x28 grid otherwise (an ulp), which
moved ``grid_sample(mode="nearest")``'s ties at .5 to the other pixel and the bilinear
gradient's side at pixel centres."""

import math

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F


def test_each_point_is_the_ordered_sum_by_hand():
    a = 0.3
    theta = np.array([[[math.cos(a), -math.sin(a), 0.1], [math.sin(a), math.cos(a), -0.05]]])
    grid = F.affine_grid(ag.tensor(theta), [1, 1, 28, 28], align_corners=False).numpy()
    # pixel centres: PyTorch's base grid, linspace(-1, 1, n) * (n - 1) / n, its linspace from
    # both ends (start + i * step for the first half, end - (n - 1 - i) * step after)
    step = 2.0 / 27
    lin = [-1.0 + i * step if i < 14 else 1.0 - (27 - i) * step for i in range(28)]
    xs = [v * 27 / 28 for v in lin]
    for i, y in enumerate(xs):
        for j, x in enumerate(xs):
            for r in range(2):
                want = (x * theta[0, r, 0] + y * theta[0, r, 1]) + theta[0, r, 2]
                assert grid[0, i, j, r] == want


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_rotated_grid_and_nearest_sampling_equal_torch(dtype, align_corners):
    """The grids to an ulp or two of PyTorch's (PyTorch's own rounding follows its BLAS: on
    some CPUs its batched matmul fuses the multiply-add, on others not, so its last bit moves
    between machines; the ordered sum above is the exact check); sampling on one grid, bit for
    bit."""
    torch = pytest.importorskip("torch")
    a = 0.3
    theta = np.array([[[math.cos(a), -math.sin(a), 0.1], [math.sin(a), math.cos(a), -0.05]]] * 2,
                     dtype=dtype)
    image = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(dtype)
    theta3 = np.random.default_rng(1).standard_normal((2, 3, 4)).astype(dtype)
    grids = []
    for lib, fn in ((ag, F), (torch, torch.nn.functional)):
        grid = fn.affine_grid(lib.tensor(theta), [2, 1, 28, 28], align_corners=align_corners)
        grid3 = fn.affine_grid(lib.tensor(theta3), [2, 1, 5, 6, 7], align_corners=align_corners)
        grids.append((grid.numpy(), grid3.numpy()))
    ulp = np.finfo(dtype).eps
    for ours, theirs in zip(*grids):
        np.testing.assert_allclose(ours, theirs, rtol=4 * ulp, atol=4 * ulp)
    grid = grids[0][0]
    ours = F.grid_sample(ag.tensor(image), ag.tensor(grid), mode="nearest",
                         align_corners=align_corners).numpy()
    theirs = torch.nn.functional.grid_sample(torch.tensor(image), torch.tensor(grid),
                                             mode="nearest", align_corners=align_corners).numpy()
    np.testing.assert_array_equal(ours, theirs)
