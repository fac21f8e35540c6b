"""``affine_grid`` and ``grid_sample`` (spatial transformer networks, image warping), PyTorch's
``torch.nn.functional`` forms, composed of differentiable tensor ops: the gradient reaches the
input and the sampling grid (and ``theta``), and higher derivatives work.

``grid[n, h, w] = (x, y)`` in ``[-1, 1]`` names the point of ``input[n]`` that output pixel
``(h, w)`` reads: ``x = -1`` is the left edge of the image (``align_corners=False``: of its
first pixel; ``True``: the first pixel's centre). Sampling is bilinear (PyTorch's four weights
and bounds checks), nearest (round half to even) or bicubic (cubic convolution, ``A = -0.75``);
points outside read zeros, the border pixels, or the image reflected.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.creation import _fma, _linspace_values
from autograd_core.ops.registry import refuse_capture

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.")


def _align(align_corners):
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _base(n, align, dtype):
    """The ``n`` coordinates of one axis in ``[-1, 1]``."""
    if n <= 1:
        return np.zeros(max(n, 0), dtype)
    v = _linspace_values(-1.0, 1.0, n, dtype)  # PyTorch's values, times (n - 1), over n
    return v if align else v * dtype.type(n - 1) / dtype.type(n)


def affine_grid(theta: Tensor, size: tuple | list, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of the affine maps ``theta`` (``(N, 2, 3)`` for 2-D images, ``(N, 3,
    4)`` for volumes) over an output of ``size`` ``(N, C, H, W)`` (or ``(N, C, D, H, W)``):
    ``grid[n, h, w] = theta[n] @ (x_w, y_h, 1)``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> theta = ag.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        >>> F.affine_grid(theta, (1, 1, 1, 2), align_corners=True).tolist()
        [[[[-1.0, 0.0], [1.0, 0.0]]]]
    """
    align = _align(align_corners)
    if not isinstance(theta, Tensor):
        raise TypeError(f"affine_grid(): theta must be a Tensor, got {type(theta).__name__}")
    if theta.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    k = len(size) - 2  # spatial dimensions
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (k, k + 1):
        raise ValueError(f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for "
                         f"size {size}. Got {theta.shape}.")
    if theta.shape[0] != size[0]:  # PyTorch's base-grid bmm refuses it
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {k + 1}] but got: [{theta.shape[0]}, {k + 1}].")
    if min(size[2:]) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dt = np.dtype(theta.dtype)
    axes = [_base(n, align, dt) for n in reversed(size[2:])]  # x (W), y (H), [z (D)]
    mesh = np.meshgrid(*axes, indexing="ij")  # indexed [x, y, (z)]
    base = np.stack([m.transpose(tuple(range(k))[::-1]) for m in mesh]
                    + [np.ones(size[2:], dt)], -1)  # (.., H, W, k + 1) of (x, y, (z), 1)
    flat = ag.tensor(base.reshape(1, -1, 1, k + 1))
    # theta's rows times (x, y, (z), 1), summed in order (x t0 + y t1 (+ z t2)) + t_k as
    # PyTorch's kernel sums them: a BLAS matmul rounds otherwise, and a point of the grid an
    # ulp off moves nearest sampling's ties and the bilinear gradient's side
    grid = (flat * theta.unsqueeze(1)).sum(-1)  # (N, prod(spatial), k)
    return grid.reshape(size[0], *size[2:], k)


def _unnormalize(coord, size, align):
    """Pixel coordinates as PyTorch's CPU kernel computes them: ``(coord + 1) * ((size - 1) /
    2)``, or ``(coord + 1) * (size / 2) - 0.5`` as one fused multiply-add. The identity grid
    lands within an ulp of pixel centres, so another rounding moves ``floor`` and the bilinear
    gradient to the grid (a spatial transformer initialised at the identity) to the other side."""
    if align:
        return (coord + 1) * ((size - 1) / 2)
    shifted = coord + 1
    out = shifted * (size / 2) - 0.5
    a = shifted._data.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # inf/NaN points stay as they are
        fused = _fma(a, np.full_like(a, size / 2), np.full_like(a, -0.5)).astype(out._data.dtype)
        fix = np.where(np.isfinite(fused), fused - out._data, 0).astype(out._data.dtype)
    return out + ag.tensor(fix)  # the fused value; the gradient stays size / 2


def _reflect(coord, twice_low, twice_high, lib):
    if twice_low == twice_high:
        return coord * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    coord = abs(coord - low)
    if lib is np:
        extra, flips = np.fmod(coord, span), np.floor(coord / span)
        return np.where(flips % 2 == 0, extra + low, span - extra + low)
    extra = coord.fmod(span)
    flips = np.floor(coord._data / span)  # a step function: no gradient
    sign = ag.tensor(np.where(flips % 2 == 0, 1.0, -1.0).astype(coord._data.dtype))
    shift = ag.tensor(np.where(flips % 2 == 0, low, span + low).astype(coord._data.dtype))
    return extra * sign + shift


def _padded(coord, size, padding, align, lib):
    """A coordinate mapped as ``padding_mode`` says: clipped into the image (``border``),
    reflected then clipped (``reflection``), or left (``zeros``)."""
    if padding == "zeros":
        return coord
    with np.errstate(invalid="ignore"):
        if padding == "reflection":
            coord = (_reflect(coord, 0, 2 * (size - 1), lib) if align
                     else _reflect(coord, -1, 2 * size - 1, lib))
        values = coord if lib is np else coord._data
        clipped = np.nan_to_num(np.clip(values, 0, size - 1), nan=0.0)  # PyTorch's: NaN to 0
        if lib is np:
            return clipped
        # the gradient passes strictly inside only: PyTorch's clip counts a point exactly on the
        # first or last pixel as clipped (an identity grid with align_corners=True has them)
        inside = (values > 0) & (values < size - 1)
        return ag.where(ag.tensor(inside), coord, ag.tensor(clipped.astype(values.dtype)))


class _ZeroGradTo(ag.autograd.Function):
    """``out`` itself, with ``other`` among its inputs, whose gradient is zero."""

    @staticmethod
    def forward(ctx, out, other):
        ctx.shape, ctx.dtype = other.shape, other.dtype
        return out.clone()

    @staticmethod
    def backward(ctx, g):
        return g, ag.zeros(ctx.shape, dtype=ctx.dtype)


class _Reader:
    """Reads ``input`` (N, C, *spatial) at integer positions, one (N, P) array per spatial
    dimension (outermost first), for every channel: (N, C, P), zeros outside."""

    def __init__(self, input):
        n, c, *self.sizes = input.shape
        # positions as rows (N, prod(spatial), C): one index per point serves every channel
        self.rows = input.reshape(n, c, math.prod(self.sizes)).transpose(1, 2)
        self.batch = np.arange(n).reshape(n, 1)
        self.n, self.c = n, c

    def __call__(self, *positions):
        inside = np.ones(positions[0].shape, dtype=bool)
        flat = np.zeros(positions[0].shape, dtype=np.int64)
        for i, size in zip(positions, self.sizes):
            inside &= (i >= 0) & (i <= size - 1)
            flat = flat * size + np.clip(i, 0, size - 1).astype(np.int64)
        values = self.rows[self.batch, flat.reshape(self.n, -1)].transpose(1, 2)  # (N, C, P)
        if inside.all():
            return values
        return values * ag.tensor(inside.reshape(self.n, 1, -1).astype(self.rows._data.dtype))


def _cubic_weights(t):
    """Cubic convolution weights (Keys, A = -0.75) of the four taps around a point at offset
    ``t`` in [0, 1) from the second."""
    a = -0.75

    def near(x):  # |x| <= 1
        return ((x * (a + 2) - (a + 3)) * x) * x + 1

    def far(x):  # 1 < |x| < 2
        return ((x * a - 5 * a) * x + 8 * a) * x - 4 * a

    return far(t + 1), near(t), near(1 - t), far(2 - t)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` ``(N, C, H, W)`` at the points of ``grid`` ``(N, H_out, W_out, 2)``
    (``(x, y)`` in ``[-1, 1]``, see the module): ``(N, C, H_out, W_out)``; or a volume
    ``(N, C, D, H, W)`` at the points of ``grid`` ``(N, D_out, H_out, W_out, 3)`` (``(x, y,
    z)``): ``(N, C, D_out, H_out, W_out)``. ``mode``: ``'bilinear'`` (trilinear for volumes),
    ``'nearest'`` or ``'bicubic'`` (images only); ``padding_mode``: ``'zeros'``,
    ``'border'`` or ``'reflection'``. Differentiable in ``input`` and ``grid``.

    Example::

        >>> import autograd_core as ag
        >>> import nn.functional as F
        >>> img = ag.tensor([[[[0.0, 10.0]]]])                    # 1 x 2 pixels
        >>> grid = ag.tensor([[[[0.0, 0.0]]]])                    # the centre of the image
        >>> F.grid_sample(img, grid, align_corners=True)
        tensor([[[[5.]]]])
        >>> vol = ag.tensor([[[[[0.0]], [[8.0]]]]])               # 2 x 1 x 1 voxels
        >>> F.grid_sample(vol, ag.tensor([[[[[0.0, 0.0, 0.5]]]]]), align_corners=True)
        tensor([[[[[6.]]]]])
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align = _align(align_corners)
    for name, t in (("input", input), ("grid", grid)):
        if not isinstance(t, Tensor):
            raise TypeError(f"grid_sample(): {name} must be a Tensor, got {type(t).__name__}")
    # PyTorch's checks, in its order
    if input.ndim and grid.ndim and input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if not grid.ndim or grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in "
                           f"last dimension, but got grid with sizes {list(grid.shape)}")
    for d in range(2, input.ndim):
        if input.shape[d] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")
    k = 2 if input.ndim == 4 else 3
    if input.ndim != k + 2 or grid.ndim != input.ndim:
        raise RuntimeError(f"grid_sampler(): expected {k + 2}D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if k == 3 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    refuse_capture("grid_sample()")  # the taps are found in numpy from the grid's values
    with np.errstate(invalid="ignore"):  # a non-finite grid point: no warning, PyTorch's values
        return _sample(input, grid, mode, padding_mode, align)


def _sample(input, grid, mode, padding_mode, align):
    n, c, *sizes = input.shape
    out_shape = (n, c, *grid.shape[1:-1])
    read = _Reader(input)
    # one (N, P) coordinate per spatial dimension, outermost first: grid's last axis is
    # (x, y[, z]), innermost first
    coords = [_unnormalize(grid[..., len(sizes) - 1 - d].reshape(n, -1), size, align)
              for d, size in enumerate(sizes)]
    if mode == "bicubic":  # (images only)
        x, y = coords[1], coords[0]
        h, w = sizes
        x0, y0 = np.floor(x._data), np.floor(y._data)
        wx, wy = _cubic_weights(x - x0), _cubic_weights(y - y0)
        rows = []
        for j in range(4):
            tap_y = _padded(y0 - 1 + j, h, padding_mode, align, np)
            row = None
            for i in range(4):
                tap_x = _padded(x0 - 1 + i, w, padding_mode, align, np)
                term = read(tap_y.astype(np.int64), tap_x.astype(np.int64)) * \
                    wx[i].reshape(n, 1, -1)
                row = term if row is None else row + term
            rows.append(row)
        out = rows[0] * wy[0].reshape(n, 1, -1)
        for j in range(1, 4):
            out = out + rows[j] * wy[j].reshape(n, 1, -1)
        return out.reshape(out_shape)
    coords = [_padded(v, size, padding_mode, align, ag) for v, size in zip(coords, sizes)]
    if mode == "nearest":
        out = read(*(np.rint(v._data).astype(np.int64) for v in coords)).reshape(out_shape)
        # the grid gets a zero gradient, as in PyTorch (the output depends on it stepwise)
        return _ZeroGradTo.apply(out, grid) if grid.requires_grad else out
    # (bi/tri)linear: at each corner, the product of one weight per dimension (x's first, as
    # PyTorch multiplies them), the corners in PyTorch's order (outermost dimension slowest)
    lows = [np.floor(v._data) for v in coords]
    weights = [(ag.tensor(lo + 1) - v, v - ag.tensor(lo)) for v, lo in zip(coords, lows)]
    out = None
    for corner in itertools.product((0, 1), repeat=len(sizes)):
        weight = None
        for d in reversed(range(len(sizes))):
            w = weights[d][corner[d]]
            weight = w if weight is None else weight * w
        term = read(*((lo + o).astype(np.int64) for lo, o in zip(lows, corner))) * \
            weight.reshape(n, 1, -1)
        out = term if out is None else out + term
    return out.reshape(out_shape)
