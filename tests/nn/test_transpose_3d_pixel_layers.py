"""Transposed convolutions, 3-D convolution and pooling, adaptive max pooling, pixel shuffles
and the bilinear layer: hand-worked values, closed forms (adjointness, a direct-loop 3-D
convolution, ``einsum``), gradcheck of the layers, PyTorch parity over random configurations
(values, indices, every gradient, float32 and float64), reprs, init and error wording.

The generic op-table tests (gradcheck, gradgradcheck, plain vs create_graph, ``ag.compile``
replay) cover the new ops through their samples; this file covers what is particular to them."""

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F


def _t(a, grad=False):
    return ag.tensor(np.asarray(a), requires_grad=grad)


def _tol(dtype):
    return dict(rtol=1e-9, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=3e-5)


# ---- hand-worked values and closed forms ---------------------------------------------------------
def test_conv_transpose1d_by_hand():
    x, w = _t([[[1.0, 2.0]]]), _t([[[1.0, 10.0, 100.0]]])
    # every input element scatters a scaled copy of the kernel, ``stride`` apart
    assert F.conv_transpose1d(x, w).tolist() == [[[1, 12, 120, 200]]]
    assert F.conv_transpose1d(x, w, stride=2).tolist() == [[[1, 10, 102, 20, 200]]]
    assert F.conv_transpose1d(x, w, stride=2, padding=1).tolist() == [[[10, 102, 20]]]
    assert F.conv_transpose1d(x, w, stride=2, output_padding=1).tolist() == \
        [[[1, 10, 102, 20, 200, 0]]]
    # dilation 2: the kernel's taps land two apart
    assert F.conv_transpose1d(x, w, dilation=2).tolist() == [[[1, 2, 10, 20, 100, 200]]]
    # bias, and an unbatched input
    assert F.conv_transpose1d(_t([[1.0, 2.0]]), w, _t([0.5])).tolist() == \
        [[1.5, 12.5, 120.5, 200.5]]


def _adjoint_configs():
    for stride, padding, dilation, groups in [(1, 0, 1, 1), (2, 1, 1, 2), ((2, 3), (1, 0),
                                              (1, 2), 1), (3, 2, 2, 2)]:
        yield stride, padding, dilation, groups


@pytest.mark.parametrize("stride,padding,dilation,groups", list(_adjoint_configs()))
def test_conv_transpose2d_is_the_adjoint_of_conv2d(stride, padding, dilation, groups):
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)>, output_padding chosen so the
    transposed convolution gives back x's size."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 9, 8))
    w = rng.standard_normal((6, 4 // groups, 3, 2))
    y = F.conv2d(_t(x), _t(w), None, stride, padding, dilation, groups)
    s, p, d = (np.broadcast_to(v, 2) for v in (stride, padding, dilation))
    low = [(o - 1) * ss - 2 * pp + dd * (k - 1) + 1
           for o, ss, pp, dd, k in zip(y.shape[2:], s, p, d, w.shape[2:])]
    op = tuple(int(n - lo) for n, lo in zip(x.shape[2:], low))
    v = rng.standard_normal(y.shape)
    back = F.conv_transpose2d(_t(v), _t(w), None, stride, padding, op, groups, dilation)
    assert back.shape == x.shape
    np.testing.assert_allclose(float((y._data * v).sum()), float((x * back._data).sum()),
                               rtol=1e-12)


def _conv3d_direct(x, w, b, stride, padding, dilation, groups):
    """A direct loop over output positions and taps (float64)."""
    N, C, D, H, W = x.shape
    O, Cg, kd, kh, kw = w.shape
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    outs = [(n + 2 * p - d * (k - 1) - 1) // s + 1
            for n, p, d, k, s in zip((D, H, W), padding, dilation, (kd, kh, kw), stride)]
    out = np.zeros((N, O, *outs))
    for o in range(O):
        g = o // (O // groups)
        for i, j, k in itertools.product(range(kd), range(kh), range(kw)):
            a, bb, c = i * dilation[0], j * dilation[1], k * dilation[2]
            patch = xp[:, g * Cg:(g + 1) * Cg,
                       a:a + (outs[0] - 1) * stride[0] + 1:stride[0],
                       bb:bb + (outs[1] - 1) * stride[1] + 1:stride[1],
                       c:c + (outs[2] - 1) * stride[2] + 1:stride[2]]
            out[:, o] += np.einsum("ncdhw,c->ndhw", patch, w[o, :, i, j, k])
    return out + (0 if b is None else b.reshape(1, O, 1, 1, 1))


@pytest.mark.parametrize("stride,padding,dilation,groups", [
    ((1, 1, 1), (0, 0, 0), (1, 1, 1), 1), ((2, 1, 3), (1, 2, 0), (1, 2, 1), 2),
    ((1, 2, 1), (2, 0, 1), (2, 1, 1), 4)])
def test_conv3d_matches_a_direct_loop(stride, padding, dilation, groups):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 6, 5, 7))
    w = rng.standard_normal((8, 4 // groups, 2, 3, 2))
    b = rng.standard_normal(8)
    got = F.conv3d(_t(x), _t(w), _t(b), stride, padding, dilation, groups)
    np.testing.assert_allclose(got._data, _conv3d_direct(x, w, b, stride, padding, dilation,
                                                         groups), rtol=1e-12, atol=1e-12)


def test_max_pool3d_by_hand_ties_and_nans():
    x = ag.arange(27.0).reshape(1, 1, 3, 3, 3)
    out, idx = F.max_pool3d(x, 2, stride=1, return_indices=True)
    assert out[0, 0].tolist() == [[[13, 14], [16, 17]], [[22, 23], [25, 26]]]
    assert idx[0, 0].tolist() == [[[13, 14], [16, 17]], [[22, 23], [25, 26]]]
    # all equal: the first element of the window, in (d, h, w) order
    _, idx = F.max_pool3d(ag.ones(1, 1, 2, 2, 2), 2, return_indices=True)
    assert idx.item() == 0
    # two NaNs: the last one wins (PyTorch's rule), also through padding
    v = np.zeros((1, 1, 2, 2, 2))
    v[0, 0, 0, 1, 1] = v[0, 0, 1, 0, 0] = np.nan
    out, idx = F.max_pool3d(_t(v), 2, return_indices=True)
    assert np.isnan(out.item()) and idx.item() == 4
    # -inf padding never wins; ceil_mode keeps the last partial window
    out = F.max_pool3d(-ag.ones(1, 1, 3, 3, 3), 2, padding=1, ceil_mode=True)
    assert out.shape == (1, 1, 2, 2, 2) and (out._data == -1).all()


def test_max_pool3d_gradient_goes_to_the_maximum_once():
    x = _t(np.arange(8.0).reshape(1, 1, 2, 2, 2), True)
    F.max_pool3d(x, 2, stride=1, padding=1).sum().backward()
    # every one of the 27 windows of the padded 4x4x4 volume holds its largest element once
    counts = np.zeros(8)
    for d, h, w in itertools.product(range(3), repeat=3):
        cells = [(a, b, c) for a in (d - 1, d) for b in (h - 1, h) for c in (w - 1, w)
                 if 0 <= a < 2 and 0 <= b < 2 and 0 <= c < 2]
        counts[max(a * 4 + b * 2 + c for a, b, c in cells)] += 1
    np.testing.assert_array_equal(x.grad._data.reshape(-1), counts)


def test_avg_pool3d_divisors_by_hand():
    x = ag.ones(1, 1, 2, 2, 2)
    # padding 1, kernel 2, stride 2: each window holds one input element of its 8 cells
    assert F.avg_pool3d(x, 2, padding=1).flatten().tolist() == [0.125] * 8
    assert F.avg_pool3d(x, 2, padding=1, count_include_pad=False).flatten().tolist() == [1.0] * 8
    assert F.avg_pool3d(x, 2, padding=1, divisor_override=2).flatten().tolist() == [0.5] * 8
    x = ag.arange(8.0).reshape(1, 2, 2, 2)  # unbatched (C, D, H, W)
    assert F.avg_pool3d(x, (2, 1, 2)).tolist() == [[[[2.5], [4.5]]]]


def test_adaptive_pools_by_hand():
    x = _t([[[1.0, 5.0, 2.0, 4.0, 3.0]]])
    # 5 -> 3 windows [0, 2), [1, 4), [3, 5)
    out, idx = F.adaptive_max_pool1d(x, 3, return_indices=True)
    assert out.tolist() == [[[5, 5, 4]]] and idx.tolist() == [[[1, 1, 3]]]
    x3 = ag.arange(24.0).reshape(1, 1, 2, 3, 4)
    out, idx = F.adaptive_max_pool3d(x3, (1, 2, 1), return_indices=True)
    assert out.flatten().tolist() == [19, 23] and idx.flatten().tolist() == [19, 23]
    assert F.adaptive_avg_pool3d(x3, (1, None, 1)).flatten().tolist() == [7.5, 11.5, 15.5]
    # the gradient of a max goes to its element, once per window holding it
    x = _t([[1.0, 5.0, 2.0, 4.0, 3.0]], True)
    F.adaptive_max_pool1d(x, 3).sum().backward()
    assert x.grad.tolist() == [[0, 2, 0, 1, 0]]


def test_pixel_shuffle_by_hand_and_round_trip():
    x = ag.arange(8.0).reshape(1, 4, 1, 2)
    # channel c = 2*i + j of each group lands at row offset i, column offset j
    assert F.pixel_shuffle(x, 2).tolist() == [[[[0, 2, 1, 3], [4, 6, 5, 7]]]]
    y = ag.arange(2 * 3 * 18 * 2 * 5.0).reshape(2, 3, 18, 2, 5)  # extra batch dims
    shuffled = F.pixel_shuffle(y, 3)
    assert shuffled.shape == (2, 3, 2, 6, 15)
    assert F.pixel_unshuffle(shuffled, 3).tolist() == y.tolist()
    assert nn.PixelShuffle(1)(y).tolist() == y.tolist()


def test_bilinear_matches_einsum():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 5))
    w, c = rng.standard_normal((6, 4, 5)), rng.standard_normal(6)
    want = np.einsum("...i,oij,...j->...o", a, w, b) + c
    np.testing.assert_allclose(F.bilinear(_t(a), _t(b), _t(w), _t(c))._data, want, rtol=1e-12)
    np.testing.assert_allclose(ag.bilinear(_t(a[0, 0]), _t(b[0, 0]), _t(w))._data,
                               want[0, 0] - c, rtol=1e-12)


# ---- layers: gradcheck, init, output_size, fusion --------------------------------------------------
@pytest.mark.parametrize("make,shape", [
    (lambda: nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), padding=1, output_padding=(1, 0),
                                groups=2, dilation=(1, 2), dtype=np.float64), (2, 4, 3, 4)),
    (lambda: nn.ConvTranspose1d(3, 2, 3, stride=3, output_padding=2, bias=False,
                                dtype=np.float64), (3, 4)),
    (lambda: nn.Conv3d(2, 4, (2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1),
                       groups=2, padding_mode="reflect", dtype=np.float64), (1, 2, 4, 5, 3)),
    (lambda: nn.Conv3d(2, 2, 3, padding="same", dtype=np.float64), (2, 3, 4, 3)),
])
def test_conv_layers_gradcheck(make, shape):
    """The layers' input gradients and second derivatives (their weights' are the op table's
    and the parity tests')."""
    ag.manual_seed(0)
    layer = make()
    x = _t(np.random.default_rng(3).standard_normal(shape), True)
    assert ag.gradcheck(layer, (x,))
    assert ag.gradgradcheck(layer, (x,))


def test_conv_transpose_output_size_and_init():
    ag.manual_seed(0)
    up = nn.ConvTranspose2d(8, 6, 3, stride=3, padding=1, groups=2)
    assert up.weight.shape == (8, 3, 3, 3) and up.bias.shape == (6,)
    bound = 1 / math.sqrt(3 * 9)  # fan_in = weight.size(1) * k*k, as PyTorch
    assert np.abs(up.weight._data).max() <= bound and np.abs(up.bias._data).max() <= bound
    assert np.abs(up.weight._data).max() > 0.8 * bound
    x = ag.randn(2, 8, 4, 5)
    assert up(x).shape == (2, 6, 10, 13)
    for size, want in [((12, 15), (2, 6, 12, 15)), ([2, 6, 11, 13], (2, 6, 11, 13))]:
        assert up(x, output_size=size).shape == want
    assert up(x[0], output_size=(6, 12, 13)).shape == (6, 12, 13)
    with pytest.raises(ValueError, match=r"requested an output size of \(13, 13\), but valid "
                                         r"sizes range from \[10, 13\] to \[12, 15\]"):
        up(x, output_size=(13, 13))
    with pytest.raises(ValueError, match="ConvTranspose2D: for 4D input, output_size must have "
                                         r"2 or 4 elements \(got 3\)"):
        up(x, output_size=(1, 2, 3))
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for '
                                         "ConvTranspose1d"):
        nn.ConvTranspose1d(2, 2, 3, padding_mode="reflect")
    bil = nn.Bilinear(4, 3, 5, dtype=np.float64)
    assert bil.weight.shape == (5, 4, 3) and list(bil.state_dict()) == ["weight", "bias"]
    assert np.abs(bil.weight._data).max() <= 0.5 and np.abs(bil.bias._data).max() <= 0.5


def test_conv_transpose_batch_norm_fusion_gives_the_same_outputs():
    ag.manual_seed(1)
    up, bn = nn.ConvTranspose2d(3, 4, 3, stride=2, groups=1), nn.BatchNorm2d(4)
    for _ in range(3):
        bn(up(ag.randn(4, 3, 5, 5)))
    up.eval(), bn.eval()
    fused = nn.utils.fusion.fuse_conv_bn_eval(up, bn, transpose=True)
    x = ag.randn(2, 3, 5, 5)
    np.testing.assert_allclose(fused(x)._data, bn(up(x))._data, rtol=1e-5, atol=1e-5)


# ---- PyTorch parity --------------------------------------------------------------------------------
@st.composite
def transpose_configs(draw):
    nd = draw(st.sampled_from([1, 2]))
    groups = draw(st.sampled_from([1, 2, 3]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    op = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dil))
    size = tuple(draw(st.integers(1, 5)) for _ in range(nd))
    # padding no larger than the output can lose
    pad = tuple(draw(st.integers(0, ((n - 1) * s + d * (kk - 1) + o) // 2))
                for n, s, d, kk, o in zip(size, stride, dil, k, op))
    batch = draw(st.sampled_from([None, 1, 2]))
    return dict(nd=nd, shape=((batch,) if batch else ()) + (cin,) + size,
                weight=(cin, cout // groups) + k, bias=draw(st.booleans()), stride=stride,
                padding=pad, output_padding=op, groups=groups, dilation=dil,
                dtype=draw(st.sampled_from(["float32", "float64"])),
                seed=draw(st.integers(0, 2**16)))


def _assert_parity(torch, ours_fn, theirs_fn, arrays, dtype, seed, **kw):
    """Values and every input's gradient of ``ours_fn`` and ``theirs_fn`` on ``arrays``."""
    rng = np.random.default_rng(seed)
    ours = [None if a is None else _t(a, True) for a in arrays]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    y = ours_fn(*ours, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on 'same' with even kernels
        ty = theirs_fn(*theirs, **kw)
    assert tuple(y.shape) == tuple(ty.shape) and y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y._data, ty.detach().numpy(), **_tol(dtype))
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(_t(g))
    ty.backward(torch.tensor(g))
    for a, ta in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a.grad._data, ta.grad.numpy(), **_tol(dtype))


@pytest.mark.torch_parity
@given(c=transpose_configs())
def test_conv_transpose_matches_torch(c):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(c["seed"])
    x, w = (rng.standard_normal(s).astype(c["dtype"]) for s in (c["shape"], c["weight"]))
    b = rng.standard_normal(c["weight"][1] * c["groups"]).astype(c["dtype"]) if c["bias"] \
        else None
    name = f"conv_transpose{c['nd']}d"
    _assert_parity(torch, getattr(F, name), getattr(torch.nn.functional, name), [x, w, b], c["dtype"],
            c["seed"], stride=c["stride"], padding=c["padding"],
            output_padding=c["output_padding"], groups=c["groups"], dilation=c["dilation"])


@st.composite
def conv3d_configs(draw):
    groups = draw(st.sampled_from([1, 2]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(3))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(3))
    kind = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    stride = 1 if kind == "same" else tuple(draw(st.integers(1, 3)) for _ in range(3))
    padding = {"same": "same", "valid": "valid", "int": draw(st.integers(0, 2)),
               "tuple": tuple(draw(st.integers(0, 2)) for _ in range(3))}[kind]
    size = tuple(draw(st.integers(d * (kk - 1) + 1, 6)) for d, kk in zip(dil, k))
    batch = draw(st.sampled_from([None, 2]))
    return dict(shape=((batch,) if batch else ()) + (cin,) + size,
                weight=(cout, cin // groups) + k, bias=draw(st.booleans()), stride=stride,
                padding=padding, dilation=dil, groups=groups,
                dtype=draw(st.sampled_from(["float32", "float64"])),
                seed=draw(st.integers(0, 2**16)))


@pytest.mark.torch_parity
@given(c=conv3d_configs())
def test_conv3d_matches_torch(c):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(c["seed"])
    x, w = (rng.standard_normal(s).astype(c["dtype"]) for s in (c["shape"], c["weight"]))
    b = rng.standard_normal(c["weight"][0]).astype(c["dtype"]) if c["bias"] else None
    _assert_parity(torch, F.conv3d, torch.nn.functional.conv3d, [x, w, b], c["dtype"], c["seed"],
            stride=c["stride"], padding=c["padding"], dilation=c["dilation"],
            groups=c["groups"])


@st.composite
def pool3d_configs(draw):
    kind = draw(st.sampled_from(["max", "avg"]))
    k = tuple(draw(st.integers(1, 3)) for _ in range(3))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(3)) if kind == "max" else (1, 1, 1)
    pad = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    stride = draw(st.sampled_from([None, tuple(draw(st.integers(1, 3)) for _ in range(3))]))
    size = tuple(draw(st.integers(d * (kk - 1) + 1, 6)) for d, kk in zip(dil, k))
    kw = dict(kernel_size=k, padding=pad, ceil_mode=draw(st.booleans()))
    if stride is not None:
        kw.update(stride=stride)
    if kind == "max":
        kw.update(dilation=dil, return_indices=True)
    else:
        kw.update(count_include_pad=draw(st.booleans()),
                  divisor_override=draw(st.sampled_from([None, 3])))
    batch = draw(st.sampled_from([None, 2]))
    return dict(fn=f"{kind}_pool3d", shape=((batch,) if batch else ()) + (3,) + size, kw=kw,
                values=draw(st.sampled_from(["normal", "ties", "nan"])),
                dtype=draw(st.sampled_from(["float32", "float64"])),
                seed=draw(st.integers(0, 2**16)))


def _pool_values(rng, shape, values, dtype):
    x = rng.standard_normal(shape)
    if values == "ties":
        x = np.round(x * 2)
    elif values == "nan":
        x.flat[rng.integers(0, x.size, 2)] = np.nan
    return x.astype(dtype)


def _assert_pool_parity(torch, fn, x, kw, dtype, seed):
    rng = np.random.default_rng(seed)
    ours, theirs = _t(x, True), torch.tensor(x, requires_grad=True)
    out = getattr(F, fn)(ours, **kw)
    tout = getattr(torch.nn.functional, fn)(theirs, **kw)
    if isinstance(tout, tuple):
        (out, idx), (tout, tidx) = out, tout
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
        assert idx.dtype == np.int64
    np.testing.assert_allclose(out._data, tout.detach().numpy(), equal_nan=True, **_tol(dtype))
    g = rng.standard_normal(out.shape).astype(dtype)
    out.backward(_t(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), **_tol(dtype))


@pytest.mark.torch_parity
@given(c=pool3d_configs())
def test_pool3d_matches_torch(c):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(c["seed"])
    values = "normal" if c["fn"] == "avg_pool3d" and c["values"] == "nan" else c["values"]
    x = _pool_values(rng, c["shape"], values, c["dtype"])
    _assert_pool_parity(torch, c["fn"], x, c["kw"], c["dtype"], c["seed"])


@st.composite
def adaptive_configs(draw):
    nd = draw(st.integers(1, 3))
    size = tuple(draw(st.integers(1, 7)) for _ in range(nd))
    out = tuple(draw(st.one_of(st.integers(1, 5), st.none() if nd > 1 else st.integers(1, 5)))
                for _ in range(nd))
    kind = draw(st.sampled_from(["max", "avg"]))
    batch = draw(st.sampled_from([None, 2]))
    return dict(nd=nd, kind=kind, shape=((batch,) if batch else ()) + (3,) + size,
                out=out[0] if nd == 1 or draw(st.booleans()) and None not in out else out,
                values=draw(st.sampled_from(["normal", "ties", "nan"] if kind == "max" else
                                            ["normal", "ties"])),
                dtype=draw(st.sampled_from(["float32", "float64"])),
                seed=draw(st.integers(0, 2**16)))


@pytest.mark.torch_parity
@given(c=adaptive_configs())
def test_adaptive_pools_match_torch(c):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(c["seed"])
    x = _pool_values(rng, c["shape"], c["values"], c["dtype"])
    fn = f"adaptive_{c['kind']}_pool{c['nd']}d"
    kw = dict(output_size=c["out"])
    if c["kind"] == "max":
        kw.update(return_indices=True)
    _assert_pool_parity(torch, fn, x, kw, c["dtype"], c["seed"])


@pytest.mark.torch_parity
@given(lead=st.lists(st.integers(1, 2), max_size=2), r=st.integers(1, 3),
       c=st.integers(1, 2), h=st.integers(1, 3), w=st.integers(1, 3),
       dtype=st.sampled_from(["float32", "float64"]), seed=st.integers(0, 2**16))
def test_pixel_shuffles_and_bilinear_match_torch(lead, r, c, h, w, dtype, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((*lead, c * r * r, h, w)).astype(dtype)
    _assert_parity(torch, F.pixel_shuffle, torch.nn.functional.pixel_shuffle, [x], dtype, seed,
            upscale_factor=r)
    x = rng.standard_normal((*lead, c, h * r, w * r)).astype(dtype)
    _assert_parity(torch, F.pixel_unshuffle, torch.nn.functional.pixel_unshuffle, [x], dtype, seed,
            downscale_factor=r)
    a, b = (rng.standard_normal((*lead, n)).astype(dtype) for n in (h, w))
    wt, bias = rng.standard_normal((c, h, w)).astype(dtype), rng.standard_normal(c).astype(dtype)
    _assert_parity(torch, F.bilinear, torch.nn.functional.bilinear, [a, b, wt, bias if r > 1 else None],
            dtype, seed)


@pytest.mark.torch_parity
def test_layers_match_torch_with_the_same_weights():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    cases = [
        ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2,
                                           dilation=2, bias=False), [(2, 4, 5, 4)]),
        ("ConvTranspose2d", (3, 2, (2, 3)), dict(stride=(2, 1)), [(3, 4, 4)]),
        ("ConvTranspose1d", (2, 4, 3), dict(stride=3, padding=2), [(2, 2, 6)]),
        ("Conv3d", (2, 4, 3), dict(padding=1, padding_mode="circular"), [(2, 2, 4, 4, 5)]),
        ("Conv3d", (4, 2, (1, 2, 3)), dict(stride=(2, 1, 1), groups=2, padding=(0, 1, 1)),
         [(4, 5, 4, 6)]),
        ("Conv3d", (2, 2, (2, 3, 2)), dict(padding="same", dilation=(1, 2, 1), bias=False),
         [(1, 2, 4, 5, 3)]),
        ("MaxPool3d", (2,), dict(stride=1, padding=1, return_indices=True), [(2, 3, 3, 4, 3)]),
        ("AvgPool3d", ((2, 1, 3),), dict(stride=2, padding=(1, 0, 1), ceil_mode=True,
                                         count_include_pad=False), [(2, 3, 5, 4, 6)]),
        ("AdaptiveAvgPool3d", ((2, None, 3),), {}, [(2, 3, 5, 4, 7)]),
        ("AdaptiveMaxPool1d", (3,), dict(return_indices=True), [(2, 3, 7)]),
        ("AdaptiveMaxPool2d", ((2, None),), {}, [(3, 5, 4)]),
        ("AdaptiveMaxPool3d", (2,), dict(return_indices=True), [(1, 2, 3, 5, 4)]),
        ("PixelShuffle", (2,), {}, [(2, 8, 3, 2)]),
        ("PixelUnshuffle", (3,), {}, [(2, 1, 6, 3)]),
        ("Bilinear", (3, 4, 5), {}, [(2, 3), (2, 4)]),
        ("Bilinear", (3, 4, 5), dict(bias=False), [(2, 6, 3), (2, 6, 4)]),
    ]
    for name, args, kw, shapes in cases:
        ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
        assert repr(ours) == repr(theirs)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
        theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in
                                ours.state_dict().items()})
        xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's note on 'same' with even kernels
            out, tout = ours(*map(_t, xs)), theirs(*map(torch.tensor, xs))
        if isinstance(out, tuple):
            np.testing.assert_array_equal(out[1].numpy(), tout[1].numpy())
            out, tout = out[0], tout[0]
        np.testing.assert_allclose(out._data, tout.detach().numpy(), rtol=1e-5, atol=1e-5)
    x = rng.standard_normal((1, 4, 5, 4)).astype(np.float32)
    up, tup = nn.ConvTranspose2d(4, 2, 3, stride=2), torch.nn.ConvTranspose2d(4, 2, 3, stride=2)
    tup.load_state_dict({k: torch.tensor(v.numpy()) for k, v in up.state_dict().items()})
    np.testing.assert_allclose(up(_t(x), output_size=(12, 10))._data,
                               tup(torch.tensor(x), output_size=(12, 10)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


BAD_CALLS = [
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), stride=2, output_padding=2)",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), output_padding=(0, 1))",
    "F.conv_transpose1d(ones(1, 2, 3), ones(2, 1, 3), output_padding=1)",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), padding=3)",
    "F.conv_transpose1d(ones(1, 2, 3), ones(2, 1, 3), padding=3)",
    "F.conv_transpose2d(ones(1, 3, 3, 3), ones(2, 1, 3, 3))",
    "F.conv_transpose2d(ones(1, 3, 3, 3), ones(3, 1, 3, 3), groups=2)",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), ones(2))",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), stride=0)",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), padding=-1)",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), output_padding=-1)",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), dilation=0)",
    "F.conv_transpose1d(ones(1, 2, 3), ones(2, 1, 3), dilation=0)",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), groups=0)",
    "F.conv_transpose2d(ones(3, 3), ones(2, 1, 3, 3))",
    "F.conv_transpose2d(ones(1, 2, 3, 3), ones(2, 1, 3, 3), padding='same')",
    "F.conv_transpose1d(ones(1, 2, 3), ones(2, 1, 3), stride=(1, 1))",
    "F.conv_transpose2d(ones(1, 2, 3, 3).double(), ones(2, 1, 3, 3))",
    "F.conv3d(ones(1, 2, 3, 3, 3), ones(2, 2, 4, 3, 3))",
    "F.conv3d(ones(1, 2, 3, 3, 3), ones(2, 1, 3, 3, 3))",
    "F.conv3d(ones(2, 1, 2, 3, 3, 3), ones(2, 1, 3, 3, 3))",
    "F.conv3d(ones(1, 2, 5, 5, 5), ones(2, 2, 3, 3, 3), stride=2, padding='same')",
    "F.max_pool3d(ones(2, 3, 3), 2)",
    "F.max_pool3d(ones(1, 1, 1, 2, 2), 2)",
    "F.max_pool3d(ones(1, 1, 4, 4, 4), 2, padding=2)",
    "F.max_pool3d(ones(1, 1, 4, 4, 4), 2, stride=0)",
    "F.max_pool3d(ones(1, 1, 4, 4, 4), 2, dilation=(0, 1, 1))",
    "F.max_pool3d(ones(1, 1, 4, 4, 4), (2, 2))",
    "F.max_pool3d(ones(1, 1, 4, 4, 4), 2, stride=(1, 1))",
    "F.max_pool3d(ones(1, 1, 4, 4, 4), 2, padding=(1, 1))",
    "F.max_pool3d(ones(1, 1, 4, 4, 4), 2, dilation=(1, 1))",
    "F.avg_pool3d(ones(1, 1, 1, 2, 2), 2)",
    "F.avg_pool3d(ones(2, 3, 3), 2)",
    "F.avg_pool3d(ones(1, 1, 4, 4, 4), 2, padding=2)",
    "F.avg_pool3d(ones(1, 1, 4, 4, 4), 2, divisor_override=0)",
    "F.avg_pool3d(ones(1, 1, 4, 4, 4), (2, 2))",
    "F.avg_pool3d(ones(1, 1, 4, 4, 4), 2, stride=(1, 1))",
    "F.max_pool2d(ones(1, 1, 4, 4), (2, 2, 2))",
    "F.max_pool2d(ones(1, 1, 4, 4), 2, stride=(1, 1, 1))",
    "F.avg_pool2d(ones(1, 1, 4, 4), 2, padding=(1, 1, 1))",
    "F.adaptive_avg_pool3d(ones(2, 3), 2)",
    "F.adaptive_avg_pool3d(ones(1, 1, 0, 3, 3), 2)",
    "F.adaptive_max_pool2d(ones(5), 2)",
    "F.adaptive_max_pool1d(ones(5), 2)",
    "F.adaptive_max_pool3d(ones(2, 2), 2)",
    "F.adaptive_max_pool2d(ones(1, 1, 0, 3), 2)",
    "F.adaptive_max_pool1d(ones(1, 1, 0), 2)",
    "F.adaptive_max_pool3d(ones(1, 1, 0, 3, 3), 2)",
    "F.pixel_shuffle(ones(2, 3), 2)",
    "F.pixel_shuffle(ones(1, 5, 2, 2), 2)",
    "F.pixel_shuffle(ones(1, 4, 2, 2), 0)",
    "F.pixel_unshuffle(ones(1, 1, 3, 4), 2)",
    "F.pixel_unshuffle(ones(1, 1, 4, 3), 2)",
    "F.pixel_unshuffle(ones(4, 4), 2)",
    "F.pixel_unshuffle(ones(1, 1, 4, 4), 0)",
    "F.bilinear(ones(2, 3), ones(2, 4), ones(5, 3, 3))",
    "F.bilinear(ones(2, 3), ones(3, 4), ones(5, 3, 4))",
    "F.bilinear(ones(2, 3), ones(2, 4), ones(5, 3, 4), ones(4))",
    "F.bilinear(ones(2, 3), ones(2, 4), ones(5, 4, 4))",
    "F.bilinear(ones(2, 3), ones(4), ones(5, 3, 4))",
    "F.bilinear(ones(2, 3), ones(2, 4).double(), ones(5, 3, 4))",
]


@pytest.mark.torch_parity
def test_errors_have_torch_types_and_wording():
    torch = pytest.importorskip("torch")
    for call in BAD_CALLS:
        with pytest.raises(Exception) as theirs:
            eval(call, {"F": torch.nn.functional, "ones": torch.ones})
        with pytest.raises(Exception) as ours:
            eval(call, {"F": F, "ones": ag.ones})
        assert type(ours.value) is type(theirs.value), call
        assert str(ours.value) == str(theirs.value).splitlines()[0], call


def test_errors_are_raised_before_any_work():
    """Checks run on shapes alone: a refused call records nothing on its inputs."""
    x = ag.ones(1, 2, 3, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose2d(x, ag.ones(2, 1, 3, 3), output_padding=1)
    with pytest.raises(RuntimeError, match="non-empty 4D or 5D"):
        F.max_pool3d(x[0, 0], 2)
    assert x.grad is None and x.grad_fn is None


def test_compile_replays_new_maxima_and_refuses_baked_indices():
    """A captured step re-finds the maxima of adaptive/3-D max pooling on each call's data;
    the ``return_indices`` forms find their indices in Python, so the step runs eagerly."""
    rng = np.random.default_rng(6)

    def step(x):
        x.grad = None
        y = F.adaptive_max_pool2d(x, (2, 1)).sum() + F.max_pool3d(x.unsqueeze(0), 2).sum()
        y.backward()
        return y

    compiled = ag.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback: the step is captured
        for _ in range(3):
            x = _t(rng.standard_normal((2, 4, 4)), True)
            got, grad = compiled(x), x.grad._data
    x = _t(x._data, True)
    want = step(x)
    assert got.item() == want.item() and np.array_equal(grad, x.grad._data)
    assert compiled.traces == 1

    for fn in (lambda x: F.max_pool3d(x.unsqueeze(0), 2, return_indices=True)[0],
               lambda x: F.adaptive_max_pool1d(x, 2, return_indices=True)[0]):
        with pytest.warns(RuntimeWarning, match="return_indices=True\\) reads its inputs"):
            ag.compile(fn)(_t(rng.standard_normal((2, 4, 4))))


@pytest.mark.parametrize("call,shape", [
    (lambda x: F.conv_transpose2d(x, ag.ones(2, 3, 2, 2), stride=2), (0, 2, 3, 3)),
    (lambda x: F.max_pool3d(x, 2), (0, 2, 3, 3, 3)),
    (lambda x: F.max_pool3d(x, 2, return_indices=True)[0], (0, 2, 3, 3, 3)),
    (lambda x: F.max_pool2d(x, 2), (0, 2, 3, 3)),
    (lambda x: F.avg_pool3d(x, 2), (0, 2, 3, 3, 3)),
    (lambda x: F.adaptive_max_pool2d(x, 2), (0, 2, 3, 3)),
    (lambda x: F.adaptive_max_pool1d(x, 2, return_indices=True)[0], (0, 2, 3)),
    (lambda x: F.adaptive_max_pool2d(x, 0), (1, 2, 3, 3)),
])
def test_empty_batches_and_outputs(call, shape):
    """PyTorch accepts an empty batch: an empty result, and an all-zero gradient."""
    x = ag.ones(*shape, requires_grad=True)
    y = call(x)
    assert y.numel() == 0
    y.sum().backward()
    assert x.grad.shape == x.shape and not x.grad._data.any()


# ---- float32 transposed convolutions with vector-filling input channels (direct backward) ---
_DIRECT_T = [  # (nd, x shape, weight shape, kwargs): 16+ input channels take ConvTranspose2dOp
    (2, (3, 16, 6, 5), (16, 16, 4, 4), dict(stride=2, padding=1)),  # DCGAN's layer
    (2, (2, 32, 5, 4), (32, 24, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    (2, (2, 16, 5, 5), (16, 8, 3, 2), dict(stride=(1, 2), padding=(2, 0), dilation=(2, 1))),
    (1, (2, 32, 7), (32, 32, 4), dict(stride=2, padding=1)),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("nd, xs, ws, kw", _DIRECT_T)
def test_conv_transpose_float32_direct_backward_matches_torch(nd, xs, ws, kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(sum(xs))
    x, w = rng.standard_normal(xs).astype("float32"), rng.standard_normal(ws).astype("float32")
    b = rng.standard_normal(ws[1]).astype("float32")
    name = f"conv_transpose{nd}d"
    _assert_parity(torch, getattr(F, name), getattr(torch.nn.functional, name), [x, w, b],
                   "float32", 0, **kw)
    if nd == 2:  # one node, as PyTorch's
        y = F.conv_transpose2d(_t(x, True), _t(w, True), _t(b, True), **kw)
        assert y.grad_fn.name() == "ConvolutionBackward0"


@pytest.mark.parametrize("nd, xs, ws, kw", _DIRECT_T)
def test_conv_transpose_float32_direct_backward_twice_matches_float64(nd, xs, ws, kw):
    """First and second derivatives of the float32 node (its recorded composite under
    create_graph) against the float64 route's, to float32 accuracy."""
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws) * 0.3,
              rng.standard_normal(ws[1])]
    results = []
    for dtype in ("float32", "float64"):
        x, w, b = (_t(a.astype(dtype), True) for a in arrays)
        y = getattr(F, f"conv_transpose{nd}d")(x, w, b, **kw)
        gy = _t(np.random.default_rng(2).standard_normal(y.shape).astype(dtype))
        gx, gw, gb = ag.autograd.grad((y * gy).sum(), [x, w, b], create_graph=True)
        second = ag.autograd.grad((gx * gx).sum() + (gw * gw).sum(), [x, w])
        results.append([t._data.astype(np.float64) for t in (y, gx, gw, gb) + tuple(second)])
    for a32, a64 in zip(*results):
        np.testing.assert_allclose(a32, a64, rtol=2e-4, atol=2e-4 * np.abs(a64).max())
