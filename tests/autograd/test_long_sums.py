"""Sums over many rows of an outer axis are as accurate as PyTorch's.

numpy adds the rows of an outer axis (``x.sum(0)`` of a matrix) one after another in the
input's dtype, so a float32 sum's error grew with the number of rows: MNIST's 60,000 images of
784 pixels, ``X.mean(0)``, was 6e-4 off where every pixel is 0.1 (PyTorch: 1.5e-7). The same
sum undoes broadcasting in backward (a bias gradient over a full batch) and gives Linear's and
LayerNorm's parameter gradients. Expected values here are float64 sums of the same float32
values; float16 cases use values whose float32 sum is exact.
"""

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core._sums import CASCADE_ROWS, fsum

TENTH = float(np.float32(0.1))  # the float32 value of 0.1, exactly, as a float64
N = 100_000


def _rel(value, exact):
    return abs(float(value) / exact - 1.0)


def test_sum_and_mean_of_many_rows():
    x = ag.full((N, 3), 0.1)
    exact = N * TENTH
    assert _rel(x.sum(0)[1], exact) < 1e-6  # 1.4e-4 before
    assert _rel(x.sum(dim=0, keepdim=True)[0, 2], exact) < 1e-6
    assert x.sum(dim=0, keepdim=True).shape == (1, 3)
    assert _rel(x.mean(0)[0], TENTH) < 1e-6
    y = ag.full((400, 300, 2), 0.1)  # two leading axes: 120,000 rows
    assert _rel(y.sum(dim=(0, 1))[0], 120_000 * TENTH) < 1e-6
    assert _rel(y.sum(dim=(1, 0))[1], 120_000 * TENTH) < 1e-6
    assert _rel(y.mean(dim=(0, 1), keepdim=True)[0, 0, 1], TENTH) < 1e-6


def test_sums_of_transposed_and_strided_rows():
    # a transpose's rows along its last axis lie one row apart in memory: numpy adds them one
    # after another as well (5.8e-4 off at 60,000)
    x = ag.full((60_000, 5), 0.1)
    assert _rel(x.T.sum(1)[3], 60_000 * TENTH) < 1e-6
    assert _rel(x.t().mean(dim=1)[0], TENTH) < 1e-6
    assert _rel(x[::2].sum(0)[4], 30_000 * TENTH) < 1e-6
    assert _rel(x.sum(), 300_000 * TENTH) < 1e-6


def test_norms_and_softmax_over_many_rows():
    x = ag.full((N, 3), 0.1)
    assert _rel(x.norm(dim=0)[0], TENTH * N ** 0.5) < 1e-6
    assert _rel(x.norm(p=1, dim=0)[1], TENTH * N) < 1e-6
    assert _rel(x.norm(p=3, dim=0)[2], TENTH * N ** (1 / 3)) < 1e-6
    assert abs(float(ag.logsumexp(x, 0)[0]) - (TENTH + np.log(N))) < 1e-5
    assert _rel(ag.softmax(x, 0)[7, 1], 1 / N) < 1e-6
    assert abs(float(ag.log_softmax(x, 0)[7, 2]) + np.log(N)) < 1e-5


def test_gradients_summed_over_many_rows():
    x = ag.zeros(N, 3)
    c = ag.full((N, 3), 0.1)
    b = ag.zeros(3, requires_grad=True)  # broadcast over the rows: backward sums them
    ((x + b) * c).sum().backward()
    assert _rel(b.grad[0], N * TENTH) < 1e-6

    lin = nn.Linear(3, 3)
    (lin(x) * c).sum().backward()
    assert _rel(lin.bias.grad[2], N * TENTH) < 1e-6

    ln = nn.LayerNorm(3)
    (ln(ag.randn(N, 3)) * c).sum().backward()
    assert _rel(ln.bias.grad[1], N * TENTH) < 1e-6


def test_conv_bias_gradient_in_channels_last_memory():
    # the direct convolution loops leave g channels-last; its bias gradient summed 6,272 rows
    # of 512 one after another (1e-5 off)
    from autograd_core.ops.conv import _bias_grad

    g = np.full((256, 28, 28, 16), 0.1, np.float32).transpose(0, 3, 1, 2)
    assert _rel(_bias_grad(g)[5], 256 * 28 * 28 * TENTH) < 1e-6


def test_half_rows_are_added_in_float32():
    # 1000 rows of 1.125: the float32 sum is exact (1125, a float16 value); added in float16
    # the partial sums past 256 lose 1.125's last bits
    h = ag.full((1000, 4), 1.125, dtype=ag.float16)
    assert h.sum(0).dtype == ag.float16
    assert h.sum(0).tolist() == [1125.0] * 4
    assert h.mean(0).tolist() == [1.125] * 4


def test_short_sums_are_numpys_bit_for_bit():
    # a batch's bias gradient keeps its numbers: at most CASCADE_ROWS rows, numpy's own sum
    rng = np.random.default_rng(0)
    a = rng.standard_normal((CASCADE_ROWS, 7)).astype(np.float32)
    assert np.array_equal(fsum(a, 0), a.sum(0))
    assert np.array_equal(fsum(a, (0,), True), a.sum(0, keepdims=True))
    b = rng.standard_normal((4, 3000)).astype(np.float32)  # inner axis: numpy's pairwise sum
    assert np.array_equal(fsum(b, 1), b.sum(1))
    assert np.array_equal(fsum(b), b.sum())


@pytest.mark.torch_parity
def test_long_sums_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a = rng.random((5000, 30)).astype(np.float32)
    ours, theirs = ag.tensor(a).sum(0).numpy(), torch.from_numpy(a).sum(0).numpy()
    ulp = np.spacing(np.abs(theirs))
    assert np.all(np.abs(ours - theirs) <= 4 * ulp)  # numpy's row-by-row sum: ~40 ulp
    ours, theirs = ag.tensor(a).mean(0).numpy(), torch.from_numpy(a).mean(0).numpy()
    assert np.all(np.abs(ours - theirs) <= 4 * np.spacing(np.abs(theirs)))
    h = rng.random((3000, 5)).astype(np.float16)
    assert np.array_equal(ag.tensor(h).sum(0).numpy(), torch.from_numpy(h).sum(0).numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_means_over_trailing_axes_are_numpys_bit_for_bit(dtype):
    # a global average pool x.mean((2, 3)) runs one loop in numpy's summation order
    rng = np.random.default_rng(0)
    for shape, dims, keep in [((32, 64, 7, 7), (2, 3), False), ((32, 64, 7, 7), (-1, -2), True),
                              ((50, 128), -1, False), ((50, 129), 1, False), ((4, 3, 2, 2, 2),
                              (2, 3, 4), True), ((0, 3, 3, 3), (2, 3), False)]:
        x = (rng.standard_normal(shape) * 1e3).astype(dtype)
        axes = tuple(d % x.ndim for d in ((dims,) if isinstance(dims, int) else dims))
        got = ag.from_numpy(x).mean(dims, keepdim=keep).numpy()
        want = np.mean(x, axis=axes, keepdims=keep)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8))
