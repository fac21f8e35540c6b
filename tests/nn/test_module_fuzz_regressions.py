"""Differences from PyTorch 2.13 in nn modules, functional calls, losses, optimizers and LR
schedulers, found by differential fuzzing (the same module built in both libraries with unusual
but valid arguments) and minimized. Expected values are worked by hand; the torch_parity tests
recompute them with live torch."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F


def _interp(x, **kw):
    return F.interpolate(ag.tensor(np.array(x, dtype=np.float64)), **kw).numpy()


# F.interpolate with a scale_factor whose output size equals (or doubles) the input's. ATen's
# 2-d nearest kernel copies such a dim (or halves the index), its 1-d and 3-d nearest kernels
# still index with floor(dst / scale_factor), and the linear kernels copy a dim whose size is
# unchanged. Ours took the shortcut in every nearest kernel and never in the linear ones.
def test_interpolate_nearest_1d_uses_the_scale_factor_at_an_unchanged_size():
    # floor(2 * 1.3) = 2 outputs; sources floor(0 / 1.3) = 0 and floor(1 / 1.3) = 0
    np.testing.assert_array_equal(_interp([[[5.0, 7.0]]], scale_factor=1.3), [[[5.0, 5.0]]])


def test_interpolate_nearest_1d_uses_the_scale_factor_at_a_doubled_size():
    # floor(5 * 2.1) = 10 outputs; floor(dst / 2.1) = 0 0 0 1 1 2 2 3 3 4
    got = _interp([[[0.0, 1.0, 2.0, 3.0, 4.0]]], scale_factor=2.1)
    np.testing.assert_array_equal(got, [[[0, 0, 0, 1, 1, 2, 2, 3, 3, 4]]])


def test_interpolate_nearest_3d_uses_the_scale_factor_at_an_unchanged_size():
    x = np.arange(2.0).reshape(1, 1, 1, 1, 2)
    got = _interp(x, scale_factor=(1.0, 1.0, 1.3))
    np.testing.assert_array_equal(got, [[[[[0.0, 0.0]]]]])


def test_interpolate_nearest_2d_keeps_the_exact_shortcuts():
    x = np.arange(5.0).reshape(1, 1, 1, 5)
    # the width keeps its size (5 * 1.1 -> 5): copied; then doubled (5 * 2.1 -> 10): dst // 2
    np.testing.assert_array_equal(_interp(x, scale_factor=(1.0, 1.1)), x)
    got = _interp(x, scale_factor=(1.0, 2.1))
    np.testing.assert_array_equal(got[0, 0, 0], [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])


@pytest.mark.parametrize("mode,x,scale", [
    ("linear", [[[5.0, 7.0]]], 1.3),
    ("linear", [[[0.0, 1.0, 2.0, 3.0, 4.0]]], 1.1),
    ("bilinear", [[[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]]], (1.0, 1.3)),
])
def test_interpolate_linear_copies_a_dim_whose_size_is_unchanged(mode, x, scale):
    np.testing.assert_array_equal(_interp(x, scale_factor=scale, mode=mode), x)


def test_interpolate_bilinear_copies_the_unchanged_dim_only():
    # height 2 -> 3 at scale 1.5 (sources (dst + 0.5) / 1.5 - 0.5 = 0, 0.5, 1), width kept
    x = [[[[0.0, 1.0], [2.0, 3.0]]]]
    got = _interp(x, scale_factor=(1.5, 1.3), mode="bilinear")
    np.testing.assert_allclose(got, [[[[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]]]], rtol=1e-15)


def test_interpolate_unchanged_size_gradient_is_the_identity():
    x = ag.tensor([[[1.0, 2.0, 3.0]]], dtype=ag.float64, requires_grad=True)
    F.interpolate(x, scale_factor=1.2, mode="linear").backward(
        ag.tensor([[[1.0, 10.0, 100.0]]], dtype=ag.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [[[1.0, 10.0, 100.0]]])


def test_interpolate_unchanged_size_returns_a_new_tensor():
    x = ag.tensor([[[1.0, 2.0]]])
    y = F.interpolate(x, scale_factor=1.3, mode="linear")
    y.add_(1.0)
    np.testing.assert_array_equal(x.numpy(), [[[1.0, 2.0]]])


_MODES = {1: ["nearest", "linear"], 2: ["nearest", "bilinear"], 3: ["nearest"]}


@pytest.mark.torch_parity
@given(dims=st.integers(1, 3), data=st.data())
def test_interpolate_scale_factor_matches_torch(dims, data):
    torch = pytest.importorskip("torch")
    mode = data.draw(st.sampled_from(_MODES[dims]))
    sizes = data.draw(st.lists(st.integers(1, 6), min_size=dims, max_size=dims))
    scales = data.draw(st.lists(st.sampled_from([0.6, 1.0, 1.1, 1.3, 1.7, 2.0, 2.1, 3.0]),
                                min_size=dims, max_size=dims))
    recompute = data.draw(st.sampled_from([None, False, True]))
    if any(math.floor(n * s) == 0 for n, s in zip(sizes, scales)):
        return  # an empty output: both refuse it
    rng = np.random.default_rng(0)
    x = rng.standard_normal([2, 3] + sizes)
    kw = dict(scale_factor=scales, mode=mode, recompute_scale_factor=recompute)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.interpolate(tx, **kw)
    g = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    ox = ag.tensor(x, requires_grad=True)
    oy = F.interpolate(ox, **kw)
    oy.backward(ag.tensor(g))
    np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)
