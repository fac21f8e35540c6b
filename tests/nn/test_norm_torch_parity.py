"""Batch, instance, group and layer norm against a live PyTorch over random shapes: forward,
input and parameter gradients and running statistics over several training steps, then eval;
momentum None, track_running_stats False, affine False; float32 and float64."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor

pytestmark = pytest.mark.torch_parity

_TOL = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-9, atol=1e-11)}


def _torch():
    return pytest.importorskip("torch")


def _copy_params(torch, m, tm):
    for name, p in m.named_parameters():
        getattr(tm, name).data = torch.from_numpy(p.detach().numpy().copy())


def assert_matches_torch(torch, m, tm, shape, dtype, rng, steps=3):
    """Outputs, input and parameter gradients and buffers equal torch's over `steps` steps."""
    tol = _TOL[dtype]
    for step in range(steps):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(dtype)
        g = rng.standard_normal(shape).astype(dtype)
        xt, txt = Tensor._wrap(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = m(xt), tm(txt)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol)
        if step < steps - 1 or not m.training:
            y.backward(Tensor._wrap(g))
            ty.backward(torch.from_numpy(g))
            np.testing.assert_allclose(xt.grad.data, txt.grad.numpy(), **tol)
            for name, p in m.named_parameters():
                np.testing.assert_allclose(p.grad.data, getattr(tm, name).grad.numpy(),
                                           rtol=tol["rtol"], atol=tol["atol"] * 10)
                p.grad = None
                getattr(tm, name).grad = None
        for name, b in m.named_buffers():
            np.testing.assert_allclose(b.data, getattr(tm, name).numpy(), **tol)


_common = dict(
    dtype=st.sampled_from([np.float32, np.float64]),
    momentum=st.sampled_from([0.1, 0.5, None]),
    affine=st.booleans(),
    track=st.booleans(),
    seed=st.integers(0, 2**16),
)


@settings(max_examples=10)
@given(n=st.integers(2, 4), c=st.integers(1, 4), spatial=st.lists(st.integers(1, 5), min_size=0,
                                                                   max_size=3), **_common)
def test_batchnorm_matches_torch(n, c, spatial, dtype, momentum, affine, track, seed):
    torch = _torch()
    name = {0: "BatchNorm1d", 1: "BatchNorm1d", 2: "BatchNorm2d", 3: "BatchNorm3d"}[len(spatial)]
    shape = (n, c, *spatial)
    kw = dict(momentum=momentum, affine=affine, track_running_stats=track)
    m = getattr(nn, name)(c, dtype=dtype, **kw)
    tm = getattr(torch.nn, name)(c, dtype=getattr(torch, np.dtype(dtype).name), **kw)
    rng = np.random.default_rng(seed)
    if affine:
        m.weight.data[...] = rng.standard_normal(c)
        m.bias.data[...] = rng.standard_normal(c)
        _copy_params(torch, m, tm)
    assert_matches_torch(torch, m, tm, shape, dtype, rng)
    m.eval()
    tm.eval()
    assert_matches_torch(torch, m, tm, shape, dtype, rng, steps=1)


@settings(max_examples=10)
@given(n=st.integers(1, 3), c=st.integers(1, 4), spatial=st.lists(st.integers(2, 5), min_size=1,
                                                                   max_size=2), **_common)
def test_instancenorm_matches_torch(n, c, spatial, dtype, momentum, affine, track, seed):
    torch = _torch()
    name = {1: "InstanceNorm1d", 2: "InstanceNorm2d"}[len(spatial)]
    kw = dict(momentum=momentum, affine=affine, track_running_stats=track)
    m = getattr(nn, name)(c, dtype=dtype, **kw)
    tm = getattr(torch.nn, name)(c, dtype=getattr(torch, np.dtype(dtype).name), **kw)
    rng = np.random.default_rng(seed)
    if affine:
        m.weight.data[...] = rng.standard_normal(c)
        m.bias.data[...] = rng.standard_normal(c)
        _copy_params(torch, m, tm)
    assert_matches_torch(torch, m, tm, (n, c, *spatial), dtype, rng)
    m.eval()
    tm.eval()
    assert_matches_torch(torch, m, tm, (n, c, *spatial), dtype, rng, steps=1)
    assert_matches_torch(torch, m, tm, (c, *spatial), dtype, rng, steps=1)  # unbatched


@settings(max_examples=8)
@given(n=st.integers(1, 3), groups=st.integers(1, 3), per=st.integers(1, 3),
       spatial=st.lists(st.integers(2, 4), min_size=1, max_size=2),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
def test_group_and_layer_norm_on_feature_maps_match_torch(n, groups, per, spatial, dtype, seed):
    torch = _torch()
    c = groups * per
    shape = (n, c, *spatial)
    rng = np.random.default_rng(seed)
    tdt = getattr(torch, np.dtype(dtype).name)
    gn, tgn = nn.GroupNorm(groups, c, dtype=dtype), torch.nn.GroupNorm(groups, c, dtype=tdt)
    gn.weight.data[...] = rng.standard_normal(c)
    _copy_params(torch, gn, tgn)
    assert_matches_torch(torch, gn, tgn, shape, dtype, rng, steps=1)
    ln = nn.LayerNorm(shape[1:], dtype=dtype)
    tln = torch.nn.LayerNorm(shape[1:], dtype=tdt)
    ln.weight.data[...] = rng.standard_normal(shape[1:])
    _copy_params(torch, ln, tln)
    assert_matches_torch(torch, ln, tln, shape, dtype, rng, steps=1)


def test_functional_forms_match_torch():
    torch = _torch()
    tF = torch.nn.functional
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 5, 2))
    w, b = rng.standard_normal(4), rng.standard_normal(4)
    rm, rv = rng.standard_normal(4), rng.random(4) + 0.5
    T = torch.from_numpy
    for training in (True, False):
        ours_rm, ours_rv = ag.tensor(rm.copy()), ag.tensor(rv.copy())
        t_rm, t_rv = T(rm.copy()), T(rv.copy())
        y = F.batch_norm(Tensor._wrap(x), ours_rm, ours_rv, Tensor._wrap(w), Tensor._wrap(b), training, 0.3, 1e-3)
        ty = tF.batch_norm(T(x), t_rm, t_rv, T(w), T(b), training, 0.3, 1e-3)
        np.testing.assert_allclose(y.data, ty.numpy(), rtol=1e-10)
        np.testing.assert_allclose(ours_rv.data, t_rv.numpy(), rtol=1e-12)
        ours_rm, ours_rv = ag.tensor(rm.copy()), ag.tensor(rv.copy())
        t_rm, t_rv = T(rm.copy()), T(rv.copy())
        y = F.instance_norm(Tensor._wrap(x), ours_rm, ours_rv, Tensor._wrap(w), Tensor._wrap(b), training, 0.3,
                            1e-3)
        ty = tF.instance_norm(T(x), t_rm, t_rv, T(w), T(b), training, 0.3, 1e-3)
        np.testing.assert_allclose(y.data, ty.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours_rm.data, t_rm.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours_rv.data, t_rv.numpy(), rtol=1e-12)
    y = F.group_norm(Tensor._wrap(x), 2, Tensor._wrap(w), Tensor._wrap(b), 1e-3)
    np.testing.assert_allclose(y.data, tF.group_norm(T(x), 2, T(w), T(b), 1e-3).numpy(),
                               rtol=1e-10, atol=1e-12)
    y = F.layer_norm(Tensor._wrap(x), (5, 2), eps=1e-3)
    np.testing.assert_allclose(y.data, tF.layer_norm(T(x), (5, 2), eps=1e-3).numpy(),
                               rtol=1e-10, atol=1e-12)


def test_error_types_and_messages_match_torch():
    torch = _torch()
    cases = [
        (lambda lib: lib.nn.BatchNorm2d(3)(lib_x(lib, (2, 3, 4)))),
        (lambda lib: lib.nn.BatchNorm1d(3)(lib_x(lib, (2, 3, 4, 4)))),
        (lambda lib: lib.nn.InstanceNorm2d(3)(lib_x(lib, (2, 3)))),
        (lambda lib: lib.nn.InstanceNorm2d(2, affine=True)(lib_x(lib, (2, 3, 2, 2)))),
        (lambda lib: lib.nn.functional.instance_norm(lib_x(lib, (2, 3, 1)))),
        (lambda lib: lib.nn.functional.group_norm(lib_x(lib, (1, 2, 1)), 2)),
        (lambda lib: lib.nn.functional.group_norm(lib_x(lib, (2, 3, 4)), 2)),
    ]

    def lib_x(lib, shape):
        return torch.zeros(shape) if lib is torch else ag.zeros(*shape)

    class _Lib:  # tapegrad's nn under torch's attribute names
        pass

    ours = _Lib()
    ours.nn = nn
    for case in cases:
        with pytest.raises(Exception) as theirs:
            case(torch)
        with pytest.raises(Exception) as mine:
            case(ours)
        assert type(mine.value) is type(theirs.value)
        if "torch.Size" not in str(theirs.value):
            assert str(mine.value) == str(theirs.value)
