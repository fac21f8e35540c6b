"""Regressions found by review3 (silent wrong values or gradients on unusual but legal inputs),
each reduced to the inputs that showed it, compared with a hand-worked value and with torch."""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

# ---- grid_sample: a point exactly on the first or last pixel under border/reflection --------
# PyTorch clips such a point (the grid's gradient there is 0); ours let the gradient through
# the clamp's closed bounds, and the bilinear slope there reads the zero beyond the image, so
# an identity grid with align_corners=True (the corners are exactly +-1) got
# d out / d x = 0 - img[..., -1] at the right edge: neither one-sided derivative.

_IMG = (np.arange(20.0).reshape(1, 1, 4, 5) ** 1.5)
_EDGES = [[-1.0, 0.1], [1.0, 0.1], [0.1, -1.0], [0.1, 1.0], [-3.0, 0.1], [3.0, 0.1]]


def _grid_grad(lib, padding_mode):
    grid = lib.tensor(np.array(_EDGES)[None, None], requires_grad=True)
    sample = F.grid_sample if lib is ag else lib.nn.functional.grid_sample
    sample(lib.tensor(_IMG), grid, padding_mode=padding_mode, align_corners=True).sum().backward()
    return grid.grad.numpy()[0, 0]


@pytest.mark.parametrize("padding_mode", ["border", "reflection"])
def test_grid_sample_grid_grad_is_zero_on_the_clipped_edge(padding_mode):
    g = _grid_grad(ag, padding_mode)
    # every point sits on an edge of the clipped axis: that component's gradient is 0; the
    # other axis (0.1 -> pixel 1.65 of 4 rows, 2.2 of 5 columns) keeps its bilinear slope
    np.testing.assert_array_equal(g[:, 0][[0, 1, 4, 5]], 0.0)
    np.testing.assert_array_equal(g[[2, 3], 1], 0.0)
    # column 1.65's slope along y at x = -1 (column 0): rows 2 and 1 of column 0 (2 / 2 * 3)
    rows = _IMG[0, 0, :, 0]
    y_slope = (rows[2] - rows[1]) * (4 - 1) / 2
    assert g[0, 1] == pytest.approx(y_slope)


@pytest.mark.torch_parity
@pytest.mark.parametrize("padding_mode", ["border", "reflection"])
def test_grid_sample_edge_grid_grad_matches_torch(padding_mode):
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(_grid_grad(ag, padding_mode), _grid_grad(torch, padding_mode),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.torch_parity
def test_grid_sample_identity_affine_grid_grad_matches_torch():
    torch = pytest.importorskip("torch")
    theta = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    out = {}
    for lib, fn in ((ag, F), (torch, torch.nn.functional)):
        t = lib.tensor(theta, requires_grad=True)  # a spatial transformer at the identity
        grid = fn.affine_grid(t, (1, 1, 4, 5), align_corners=True)
        fn.grid_sample(lib.tensor(_IMG), grid, padding_mode="border",
                       align_corners=True).pow(2).sum().backward()
        out[lib] = t.grad.numpy()
    np.testing.assert_allclose(out[ag], out[torch], rtol=1e-12, atol=1e-10)


# ---- MaxUnpool: an index outside the output, in PyTorch's words ------------------------------
@pytest.mark.parametrize("d, size", [(1, "4x1"), (2, "4x4"), (3, "4x4x4")])
def test_max_unpool_invalid_index_message_is_pytorchs(d, size):
    x = ag.ones((1, 1) + (2,) * d)
    index = ag.full(tuple(x.shape), 100, dtype=ag.int64)
    unpool = getattr(F, f"max_unpool{d}d")
    with pytest.raises(RuntimeError, match=rf"^Found an invalid max index: 100 \(output volumes "
                                           rf"are of size {size}\)$"):
        unpool(x, index, 2)
