"""BatchNorm2d/3d, InstanceNorm1d/2d/3d, F.instance_norm and GroupNorm/LayerNorm on (N, C, H, W):
closed forms written here in numpy, running statistics by hand, float64 gradcheck and
gradgradcheck, the Numba path's backward against the composite (create_graph) backward, and
PyTorch's error wording."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor


def _rand(shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _t(arr, rg=True):
    return Tensor._wrap(np.array(arr), requires_grad=rg)


def _bn_closed_form(x, w, b, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mu, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w.reshape(shape) + b.reshape(shape)


@pytest.mark.parametrize("cls,shape", [(nn.BatchNorm2d, (4, 3, 5, 6)),
                                       (nn.BatchNorm3d, (2, 3, 2, 3, 4)),
                                       (nn.BatchNorm1d, (5, 3, 7))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm_nd_forward_and_running_stats_by_hand(cls, shape, dtype):
    bn = cls(3, momentum=0.3, dtype=dtype)
    bn.weight._data[...] = [1.5, -0.5, 2.0]
    bn.bias._data[...] = [0.1, 0.2, -0.3]
    axes = (0,) + tuple(range(2, len(shape)))
    n = np.prod([shape[a] for a in axes])
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(3):
        x = _rand(shape, step, dtype) * (step + 1) + step
        y = bn(Tensor._wrap(x))._data
        x64 = x.astype(np.float64)
        want = _bn_closed_form(x64, bn.weight._data.astype(np.float64),
                               bn.bias._data.astype(np.float64))
        tol = 1e-11 if dtype == np.float64 else 2e-5
        np.testing.assert_allclose(y, want, rtol=tol, atol=tol)
        assert y.dtype == dtype
        rm = 0.7 * rm + 0.3 * x64.mean(axis=axes)
        rv = 0.7 * rv + 0.3 * x64.var(axis=axes) * n / (n - 1)
        np.testing.assert_allclose(bn.running_mean._data, rm, rtol=tol)
        np.testing.assert_allclose(bn.running_var._data, rv, rtol=tol)
    assert int(bn.num_batches_tracked._data) == 3
    bn.eval()
    x = _rand(shape, 9, dtype)
    shape_c = (1, -1) + (1,) * (len(shape) - 2)
    want = ((x - rm.reshape(shape_c)) / np.sqrt(rv.reshape(shape_c) + 1e-5)
            * bn.weight._data.reshape(shape_c) + bn.bias._data.reshape(shape_c))
    np.testing.assert_allclose(bn(Tensor._wrap(x))._data, want, rtol=tol, atol=tol)


def test_batchnorm2d_momentum_none_is_cumulative_average():
    bn = nn.BatchNorm2d(2, momentum=None, dtype=np.float64)
    xs = [_rand((3, 2, 4, 4), s) + s for s in range(4)]
    for x in xs:
        bn(Tensor._wrap(x))
    np.testing.assert_allclose(bn.running_mean._data,
                               np.mean([x.mean(axis=(0, 2, 3)) for x in xs], axis=0),
                               rtol=1e-12)
    np.testing.assert_allclose(bn.running_var._data,
                               np.mean([x.var(axis=(0, 2, 3), ddof=1) for x in xs], axis=0),
                               rtol=1e-12)


def test_batchnorm2d_without_tracking_and_without_affine():
    bn = nn.BatchNorm2d(3, affine=False, track_running_stats=False, dtype=np.float64)
    assert list(bn.state_dict()) == [] and list(bn.parameters()) == []
    x = _rand((2, 3, 4, 4), 3) * 3 + 1
    bn.eval()  # no running statistics: batch statistics in eval mode too
    np.testing.assert_allclose(bn(Tensor._wrap(x))._data, _bn_closed_form(x, np.ones(3), np.zeros(3)),
                               rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm2d_gradcheck_and_gradgradcheck(train, affine):
    bn = nn.BatchNorm2d(3, affine=affine, dtype=np.float64)
    bn.running_mean._data[...] = [0.5, -1.0, 0.2]
    bn.running_var._data[...] = [2.0, 0.5, 1.5]
    bn.train(train)
    bn.momentum = 0.0  # repeated calls leave the running statistics where they are
    x = _t(_rand((3, 3, 2, 3), 4) * 2 + 1)
    scale = Tensor._wrap(_rand((3, 3, 2, 3), 5))
    params = (bn.weight, bn.bias) if affine else ()
    if affine:
        bn.weight._data[...] = [1.5, -0.5, 2.0]
    fn = lambda a, *p: bn(a) * scale  # noqa: E731
    assert ag.gradcheck(fn, (x, *params))
    assert ag.gradgradcheck(fn, (x, *params))


@pytest.mark.parametrize("cls,shape,kw", [
    (nn.BatchNorm2d, (4, 3, 5, 6), {}),
    (nn.InstanceNorm2d, (4, 3, 5, 6), dict(affine=True)),
    (nn.InstanceNorm1d, (3, 3, 7), dict(affine=True)),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_backward_equals_composite_backward(cls, shape, kw, dtype):
    """Plain backward runs the Numba kernels; create_graph=True runs the composite rule."""
    m = cls(3, dtype=dtype, **kw)
    m.weight._data[...] = [1.5, -0.5, 2.0]
    x = _t(_rand(shape, 6, dtype) * 2 + 1)
    g = Tensor._wrap(_rand(shape, 7, dtype))
    fused = ag.grad(m(x), (x, m.weight, m.bias), g)
    composite = ag.grad(m(x), (x, m.weight, m.bias), g, create_graph=True)
    tol = 1e-10 if dtype == np.float64 else 1e-4
    for a, b in zip(fused, composite):
        np.testing.assert_allclose(a._data, b._data, rtol=tol, atol=tol)


# ---- instance norm ------------------------------------------------------------------------
def _in_closed_form(x, w=None, b=None, eps=1e-5):
    axes = tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    if w is not None:
        y = y * w.reshape(shape) + b.reshape(shape)
    return y


@given(n=st.integers(1, 3), c=st.integers(1, 3), spatial=st.lists(st.integers(1, 4),
                                                                   min_size=1, max_size=2))
def test_instance_norm_closed_form_and_gradcheck(n, c, spatial):
    shape = (n, c, *spatial)
    if np.prod(spatial) < 2:
        spatial = [2, *spatial[1:]]
        shape = (n, c, *spatial)
    x = _rand(shape, 8) * 2 + 1
    w, b = _rand(c, 9), _rand(c, 10)
    y = F.instance_norm(Tensor._wrap(x), weight=Tensor._wrap(w), bias=Tensor._wrap(b))
    np.testing.assert_allclose(y._data, _in_closed_form(x, w, b), rtol=1e-10, atol=1e-12)
    scale = Tensor._wrap(_rand(shape, 11))
    fn = lambda a, ww, bb: F.instance_norm(a, weight=ww, bias=bb) * scale  # noqa: E731
    assert ag.gradcheck(fn, (_t(x), _t(w), _t(b)))


def test_instance_norm_gradgradcheck():
    fn = lambda a, ww, bb: F.instance_norm(a, weight=ww, bias=bb) ** 2  # noqa: E731
    assert ag.gradgradcheck(fn, (_t(_rand((2, 2, 3, 2), 12)), _t(_rand(2, 13)),
                                 _t(_rand(2, 14))))


def test_instance_norm_running_stats_by_hand_and_eval():
    m = nn.InstanceNorm2d(2, momentum=0.25, track_running_stats=True, dtype=np.float64)
    assert sorted(m.state_dict()) == ["num_batches_tracked", "running_mean", "running_var"]
    rm, rv = np.zeros(2), np.ones(2)
    for s in range(3):
        x = _rand((3, 2, 4, 5), s) * (s + 1) + s
        np.testing.assert_allclose(m(Tensor._wrap(x))._data, _in_closed_form(x), rtol=1e-10,
                                   atol=1e-12)
        # the batch mean of the per-instance mean and unbiased variance
        rm = 0.75 * rm + 0.25 * x.mean(axis=(2, 3)).mean(0)
        rv = 0.75 * rv + 0.25 * x.var(axis=(2, 3), ddof=1).mean(0)
        np.testing.assert_allclose(m.running_mean._data, rm, rtol=1e-12)
        np.testing.assert_allclose(m.running_var._data, rv, rtol=1e-12)
    assert int(m.num_batches_tracked._data) == 0  # PyTorch's instance norm does not count
    m.eval()
    x = _rand((2, 2, 3, 3), 7)
    want = (x - rm.reshape(1, 2, 1, 1)) / np.sqrt(rv.reshape(1, 2, 1, 1) + 1e-5)
    np.testing.assert_allclose(m(Tensor._wrap(x))._data, want, rtol=1e-11, atol=1e-12)
    # without tracking: instance statistics in eval mode too; momentum=None: buffers frozen
    m2 = nn.InstanceNorm2d(2, dtype=np.float64).eval()
    np.testing.assert_allclose(m2(Tensor._wrap(x))._data, _in_closed_form(x), rtol=1e-10, atol=1e-12)
    m3 = nn.InstanceNorm1d(2, momentum=None, track_running_stats=True, dtype=np.float64)
    m3(Tensor._wrap(_rand((2, 2, 5), 1) + 3))
    np.testing.assert_array_equal(m3.running_mean._data, [0.0, 0.0])


def test_instance_norm_unbatched_input():
    x = _rand((3, 4, 5), 15)
    y = nn.InstanceNorm2d(3, dtype=np.float64)(Tensor._wrap(x))
    np.testing.assert_allclose(y._data, _in_closed_form(x[None])[0], rtol=1e-10, atol=1e-12)
    y1 = nn.InstanceNorm1d(4, dtype=np.float64)(Tensor._wrap(x[0]))
    np.testing.assert_allclose(y1._data, _in_closed_form(x[0][None])[0], rtol=1e-10, atol=1e-12)


# ---- group / layer norm on feature maps ---------------------------------------------------
def test_groupnorm_and_layernorm_on_feature_maps():
    x = _rand((2, 6, 3, 4), 16) * 2 + 1
    gn = nn.GroupNorm(3, 6, dtype=np.float64)
    gn.weight._data[...] = _rand(6, 17)
    gn.bias._data[...] = _rand(6, 18)
    xg = x.reshape(2, 3, -1)
    want = ((xg - xg.mean(-1, keepdims=True)) / np.sqrt(xg.var(-1, keepdims=True) + 1e-5))
    want = (want.reshape(x.shape) * gn.weight._data.reshape(1, 6, 1, 1)
            + gn.bias._data.reshape(1, 6, 1, 1))
    np.testing.assert_allclose(gn(Tensor._wrap(x))._data, want, rtol=1e-10, atol=1e-12)
    ln = nn.LayerNorm((6, 3, 4), dtype=np.float64)
    ln.weight._data[...] = _rand((6, 3, 4), 19)
    xl = x.reshape(2, -1)
    want = ((xl - xl.mean(-1, keepdims=True)) / np.sqrt(xl.var(-1, keepdims=True) + 1e-5))
    want = want.reshape(x.shape) * ln.weight._data
    np.testing.assert_allclose(ln(Tensor._wrap(x))._data, want, rtol=1e-10, atol=1e-12)
    small = _t(_rand((2, 4, 2, 3), 20))
    w, b = _t(_rand(4, 21)), _t(_rand(4, 22))
    fn = lambda a, ww, bb: F.group_norm(a, 2, ww, bb) ** 2  # noqa: E731
    assert ag.gradcheck(fn, (small, w, b)) and ag.gradgradcheck(fn, (small, w, b))
    lw, lb = _t(_rand((2, 3), 23)), _t(_rand((2, 3), 24))
    fn = lambda a, ww, bb: F.layer_norm(a, (2, 3), ww, bb) ** 2  # noqa: E731
    assert ag.gradcheck(fn, (small, lw, lb)) and ag.gradgradcheck(fn, (small, lw, lb))


# ---- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("make,shape,msg", [
    (lambda: nn.BatchNorm2d(3), (2, 3, 4), "expected 4D input (got 3D input)"),
    (lambda: nn.BatchNorm3d(3), (2, 3, 4, 4), "expected 5D input (got 4D input)"),
    (lambda: nn.BatchNorm1d(3), (2, 3, 4, 4), "expected 2D or 3D input (got 4D input)"),
    (lambda: nn.InstanceNorm2d(3), (2, 3), "expected 3D or 4D input (got 2D input)"),
    (lambda: nn.InstanceNorm1d(3), (3,), "expected 2D or 3D input (got 1D input)"),
    (lambda: nn.InstanceNorm3d(3), (3, 2, 2), "expected 4D or 5D input (got 3D input)"),
])
def test_input_dim_errors_are_pytorchs(make, shape, msg):
    m = make()
    with pytest.raises(ValueError) as info:
        m(Tensor._wrap(np.zeros(shape, np.float32)))
    assert str(info.value) == msg


def test_errors_before_any_state_change():
    bn = nn.BatchNorm2d(2)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(Tensor._wrap(np.ones((1, 2, 1, 1), np.float32)))
    assert int(bn.num_batches_tracked._data) == 0
    with pytest.raises(RuntimeError, match="BatchNorm2d.*features/channels"):
        bn(Tensor._wrap(np.ones((2, 3, 2, 2), np.float32)))
    assert int(bn.num_batches_tracked._data) == 0
    with pytest.raises(ValueError, match=r"expected input's size at dim=1 to match "
                                         r"num_features \(2\), but got: 3\."):
        nn.InstanceNorm2d(2, affine=True)(Tensor._wrap(np.ones((2, 3, 2, 2), np.float32)))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm2d(2)(Tensor._wrap(_rand((2, 3, 2, 2), 1)))
    with pytest.raises(ValueError, match="Expected more than 1 spatial element when training"):
        F.instance_norm(Tensor._wrap(np.ones((2, 3, 1), np.float32)))
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.instance_norm(Tensor._wrap(np.ones((2, 3, 4), np.float32)), ag.zeros(4), ag.ones(4))
    with pytest.raises(RuntimeError, match="Expected running_mean and running_var to be defined"):
        F.instance_norm(Tensor._wrap(np.ones((2, 3, 4), np.float32)), use_input_stats=False)
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        F.batch_norm(Tensor._wrap(np.ones((2, 3, 4), np.float32)), None, None)
    with pytest.raises(RuntimeError, match="weight should contain 3 elements not 4"):
        F.batch_norm(Tensor._wrap(np.ones((2, 3, 4), np.float32)), None, None, ag.ones(4),
                     training=True)


def test_repr_and_state_dict_like_pytorch():
    # PyTorch 2.13's reprs (bias= came with the bias switch)
    assert repr(nn.BatchNorm2d(4)) == ("BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, "
                                       "bias=True, track_running_stats=True)")
    assert repr(nn.InstanceNorm2d(4)) == ("InstanceNorm2d(4, eps=1e-05, momentum=0.1, "
                                          "affine=False, bias=False, track_running_stats=False)")
    assert repr(nn.GroupNorm(1, 3, bias=False)) == ("GroupNorm(1, 3, eps=1e-05, affine=True, "
                                                    "bias=False)")
    assert list(nn.BatchNorm1d(2, bias=False).state_dict()) == [
        "weight", "running_mean", "running_var", "num_batches_tracked"]
    assert list(nn.BatchNorm2d(2).state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert list(nn.InstanceNorm1d(2).state_dict()) == []


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_kernel_backend_gives_the_same_layer_results(dtype, monkeypatch):
    """TAPEGRAD_KERNELS=numpy runs the twins of the per-channel kernels inside NormOp."""
    x = _rand((4, 3, 5, 5), 30, dtype) * 2 + 1
    g = _rand((4, 3, 5, 5), 31, dtype)

    def run():
        bn = nn.BatchNorm2d(3, dtype=dtype)
        bn.weight._data[...] = [1.5, -0.5, 2.0]
        xt = _t(x)
        bn(xt).backward(Tensor._wrap(g))
        return bn(Tensor._wrap(x))._data, xt.grad._data, bn.weight.grad._data, bn.running_var._data

    numba_results = run()
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for a, b in zip(numba_results, run()):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
