"""Convolution, pooling and their layers: gradcheck over a grid of options, hand-worked values,
PyTorch parity (forward, input / weight / bias gradients, float32 and float64, random
configurations), PyTorch's error messages, init, repr and state_dict keys."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.kernels import _conv_direct as conv_direct
from autograd_core.ops import conv as conv_ops

#: Conv2dOp's three forward/backward paths: im2col (groups > 1 or columns below a size), the
#: shifted products (groups == 1, big columns) and the direct loops (groups == 1, channel counts
#: that fill a vector), here forced each way on tiny sizes; "blocks" also splits the shifted
#: products into 3-row blocks; "direct" shrinks the vectors to 8 bytes (one float64, two
#: float32), so that tiny channel counts take the direct loops (odd float32 ones do not).
#: Values: (SHIFTED_MIN_COLS, _BLOCK, DIRECT_MIN_DEPTH, VECTOR_BYTES)
PATHS = {"im2col": (10**18, 2048, 10**18, 64), "shifted": (1, 2048, 10**18, 64),
         "blocks": (1, 3, 10**18, 64), "direct": (10**18, 2048, 0, 8)}
_SETTINGS = [(conv_ops.Conv2dOp, "SHIFTED_MIN_COLS"), (conv_ops, "_BLOCK"),
             (conv_ops.Conv2dOp, "DIRECT_MIN_DEPTH"), (conv_direct, "VECTOR_BYTES")]


@pytest.fixture(params=sorted(PATHS))
def conv_path(request, monkeypatch):
    for (owner, name), value in zip(_SETTINGS, PATHS[request.param]):
        monkeypatch.setattr(owner, name, value)
    return request.param


class _Path:
    """The same, for hypothesis tests (no function-scoped fixtures there)."""

    def __init__(self, name):
        self.values = PATHS[name]

    def __enter__(self):
        self.saved = [getattr(owner, name) for owner, name in _SETTINGS]
        for (owner, name), value in zip(_SETTINGS, self.values):
            setattr(owner, name, value)

    def __exit__(self, *exc):
        for (owner, name), value in zip(_SETTINGS, self.saved):
            setattr(owner, name, value)


def _t(a, grad=False):
    return ag.tensor(np.asarray(a), requires_grad=grad)


# ---- gradcheck over a grid (float64, tiny sizes) ------------------------------------------------
@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 0, 1, 1), (2, 1, 1, 2), ((1, 2), (1, 2), (2, 1), 1), (1, "same", (1, 2), 2),
    (1, "valid", 1, 1)])
def test_conv2d_layer_gradcheck_grid(padding_mode, stride, padding, dilation, groups,
                                     conv_path):
    ag.manual_seed(0)
    conv = nn.Conv2d(2, 4, (3, 2), stride, padding, dilation, groups, padding_mode=padding_mode,
                     dtype=np.float64)
    x = _t(np.random.default_rng(1).standard_normal((2, 2, 5, 6)), True)

    def f(x, w, b):
        conv.weight._data, conv.bias._data = w._data, b._data  # the same values, for the shapes
        return F.conv2d(F.pad(x, conv._reversed_padding_repeated_twice, mode=padding_mode)
                        if padding_mode != "zeros" else x, w, b, conv.stride,
                        0 if padding_mode != "zeros" else conv.padding, conv.dilation,
                        conv.groups)

    w = _t(conv.weight._data.copy(), True)
    b = _t(conv.bias._data.copy(), True)
    assert ag.gradcheck(f, (x, w, b))
    # the module gives the same output as the functional composition checked above
    np.testing.assert_allclose(conv(x)._data, f(x, w, b)._data, rtol=1e-12)


@pytest.mark.parametrize("stride,padding,dilation,groups", [(1, 0, 1, 1), (2, 2, 2, 3),
                                                            (1, "same", 2, 1)])
def test_conv1d_gradcheck_and_gradgradcheck(stride, padding, dilation, groups, conv_path):
    rng = np.random.default_rng(2)
    x = _t(rng.standard_normal((2, 3, 9)), True)
    w = _t(rng.standard_normal((6, 3 // groups, 3)), True)
    b = _t(rng.standard_normal(6), True)

    def f(x, w, b):
        return F.conv1d(x, w, b, stride, padding, dilation, groups)

    assert ag.gradcheck(f, (x, w, b))
    assert ag.gradgradcheck(f, (x, w, b))


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
    lambda x: F.max_pool2d(x, (2, 3), (1, 2), (1, 0), (2, 1)),
    lambda x: F.max_pool1d(x.flatten(2), 3, 2, 1, 2, ceil_mode=True),
    lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda x: F.avg_pool2d(x, (2, 3), 1, (1, 0), divisor_override=5),
    lambda x: F.avg_pool1d(x.flatten(2), 4, 3, 2, ceil_mode=True),
    lambda x: F.adaptive_avg_pool2d(x, (4, None)),
    lambda x: F.adaptive_avg_pool1d(x.flatten(2), 4),
    lambda x: F.unfold(x, (2, 3), 1, 1, (2, 1)),
    lambda x: F.fold(x.reshape(2, 6, 15), (5, 6), (1, 3), padding=(0, 1), stride=(1, 2)),
])
def test_pool_gradcheck(fn):
    # distinct values: max pooling is differentiable there
    v = np.random.default_rng(3).permutation(2 * 3 * 5 * 6) * 0.37 - 20.0
    x = _t(v.reshape(2, 3, 5, 6), True)
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))


# ---- by hand ------------------------------------------------------------------------------------
def test_conv_and_pool_by_hand(conv_path):
    x = _t(np.arange(1.0, 10.0).reshape(1, 1, 3, 3), True)
    w = _t([[[[1.0, 0.0], [0.0, -1.0]]]], True)
    y = F.conv2d(x, w, _t([0.5], True))
    np.testing.assert_array_equal(y._data, [[[[1 - 5 + 0.5, 2 - 6 + 0.5],
                                              [4 - 8 + 0.5, 5 - 9 + 0.5]]]])
    y.sum().backward()
    # each x is used with weight +1 where it is a window's top-left, -1 where bottom-right
    np.testing.assert_array_equal(x.grad._data[0, 0], [[1, 1, 0], [1, 0, -1], [0, -1, -1]])
    # dw[i, j] = sum of the x values the tap (i, j) touched
    np.testing.assert_array_equal(w.grad._data[0, 0], [[1 + 2 + 4 + 5, 2 + 3 + 5 + 6],
                                                      [4 + 5 + 7 + 8, 5 + 6 + 8 + 9]])
    # max pooling: ties go to the first maximum, so the gradient lands there alone
    z = _t([[[[1.0, 3.0], [3.0, 2.0]]]], True)
    out, idx = F.max_pool2d(z, 2, return_indices=True)
    assert out.item() == 3.0 and idx.item() == 1
    out.sum().backward()
    np.testing.assert_array_equal(z.grad._data[0, 0], [[0, 1], [0, 0]])
    # ceil_mode keeps the last partial window
    assert F.max_pool1d(_t([[1.0, 2.0, 5.0]]), 2, ceil_mode=True).tolist() == [[2.0, 5.0]]
    assert F.max_pool1d(_t([[1.0, 2.0, 5.0]]), 2).tolist() == [[2.0]]


def test_padding_same_even_kernel_pads_the_far_side():
    x = _t([[[1.0, 2.0, 3.0, 4.0]]])
    # total padding 1: none before, one zero after (PyTorch's choice)
    assert F.conv1d(x, _t([[[1.0, 10.0]]]), padding="same").tolist() == [[[21.0, 32.0, 43.0,
                                                                           4.0]]]


def test_pad_modes_by_hand():
    x = _t([[[1.0, 2.0, 3.0]]])
    assert F.pad(x, (2, 1), mode="reflect").tolist() == [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    assert F.pad(x, (2, 1), mode="replicate").tolist() == [[[1.0, 1.0, 1.0, 2.0, 3.0, 3.0]]]
    assert F.pad(x, (2, 1), mode="circular").tolist() == [[[2.0, 3.0, 1.0, 2.0, 3.0, 1.0]]]


# ---- layers -------------------------------------------------------------------------------------
def test_conv_layer_init_bounds_shapes_and_keys():
    ag.manual_seed(0)
    conv = nn.Conv2d(8, 32, 3, groups=2)
    assert conv.weight.shape == (32, 4, 3, 3) and conv.bias.shape == (32,)
    bound = 1 / math.sqrt(4 * 9)  # kaiming_uniform(a=sqrt(5)): U(-1/sqrt(fan_in), ...)
    w = conv.weight._data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound
    assert np.abs(conv.bias._data).max() <= bound
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert conv.weight.dtype == np.float32
    assert nn.Conv1d(2, 3, 4, bias=False, dtype=np.float64).weight.dtype == np.float64
    ag.manual_seed(0)
    a = nn.Conv2d(1, 2, 3).weight._data.copy()
    ag.manual_seed(0)
    np.testing.assert_array_equal(nn.Conv2d(1, 2, 3).weight._data, a)


def test_layer_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(4, 6, 3, groups=0)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(4, 6, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string 'foo'"):
        nn.Conv2d(4, 6, 3, padding="foo")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 6, 3, padding_mode="foo")
    with pytest.raises(RuntimeError, match="don't multiply up to the size of dim 1 \\(5\\)"):
        nn.Unflatten(1, (2, 3))(ag.zeros(2, 5))


def test_unflatten_and_flatten():
    x = ag.zeros(2, 12, 3)
    assert nn.Unflatten(1, (3, -1))(x).shape == (2, 3, 4, 3)
    assert nn.Unflatten(-1, (1, 3))(x).shape == (2, 12, 1, 3)
    assert nn.Flatten()(nn.Unflatten(1, (2, 6))(x)).shape == (2, 36)
    assert repr(nn.Unflatten(1, (2, 6))) == "Unflatten(dim=1, unflattened_size=(2, 6))"


def test_dropout2d_is_channelwise_reproducible_and_identity_in_eval():
    x = ag.ones(8, 16, 3, 3, requires_grad=True)
    ag.manual_seed(5)
    y = F.dropout2d(x, 0.25)
    per_channel = y._data.reshape(8, 16, -1)
    # every channel is all zeros or all 1/(1-p)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))
    assert set(np.unique(per_channel)) <= {0.0, np.float32(1 / 0.75)}
    assert 0 < (per_channel[..., 0] == 0).mean() < 0.6
    ag.manual_seed(5)
    np.testing.assert_array_equal(F.dropout2d(x, 0.25)._data, y._data)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, y._data)  # gradient: the same scaled mask
    layer = nn.Dropout2d(0.25).eval()
    assert layer(x) is x
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(ag.ones(2, 3, 4))
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        F.dropout1d(ag.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout2d(x, 1.5)


# ---- PyTorch parity -----------------------------------------------------------------------------
@st.composite
def conv_configs(draw):
    nd = draw(st.sampled_from([1, 2]))
    groups = draw(st.sampled_from([1, 2, 3]))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    kind = draw(st.sampled_from(["int", "tuple", "same", "valid"]))
    stride = 1 if kind == "same" else tuple(draw(st.integers(1, 3)) for _ in range(nd))
    padding = {"same": "same", "valid": "valid", "int": draw(st.integers(0, 2)),
               "tuple": tuple(draw(st.integers(0, 2)) for _ in range(nd))}[kind]
    size = tuple(draw(st.integers(d * (kk - 1) + 1, 7)) for d, kk in zip(dil, k))
    batch = draw(st.sampled_from([None, 1, 2]))
    shape = ((batch,) if batch else ()) + (cin,) + size
    return dict(nd=nd, shape=shape, weight=(cout, cin // groups) + k,
                bias=draw(st.booleans()), stride=stride, padding=padding, dilation=dil,
                groups=groups, dtype=draw(st.sampled_from(["float32", "float64"])),
                seed=draw(st.integers(0, 2**16)), path=draw(st.sampled_from(sorted(PATHS))))


def _tol(dtype):
    return dict(rtol=1e-9, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=2e-5)


@pytest.mark.torch_parity
@given(c=conv_configs())
def test_conv_matches_torch(c):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(c["seed"])
    x, w = (rng.standard_normal(s).astype(c["dtype"]) for s in (c["shape"], c["weight"]))
    b = rng.standard_normal(c["weight"][0]).astype(c["dtype"]) if c["bias"] else None
    kw = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"],
              groups=c["groups"])
    ours = [_t(a, True) if a is not None else None for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) if a is not None else None for a in (x, w, b)]
    with _Path(c["path"]):
        y = (F.conv1d if c["nd"] == 1 else F.conv2d)(*ours, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on 'same' with even kernels
        ty = getattr(torch.nn.functional, f"conv{c['nd']}d")(*theirs, **kw)
    assert y.shape == tuple(ty.shape) and y.dtype == np.dtype(c["dtype"])
    np.testing.assert_allclose(y._data, ty.detach().numpy(), **_tol(c["dtype"]))
    g = rng.standard_normal(y.shape).astype(c["dtype"])
    with _Path(c["path"]):
        y.backward(_t(g))
    ty.backward(torch.tensor(g))
    for a, ta in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a.grad._data, ta.grad.numpy(), **_tol(c["dtype"]))


@st.composite
def pool_configs(draw):
    nd = draw(st.sampled_from([1, 2]))
    kind = draw(st.sampled_from(["max", "avg"]))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(nd)) if kind == "max" else (1,) * nd
    pad = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    stride = draw(st.sampled_from([None, tuple(draw(st.integers(1, 3)) for _ in range(nd))]))
    size = tuple(draw(st.integers(d * (kk - 1) + 1, 7)) for d, kk in zip(dil, k))
    kw = dict(kernel_size=k, stride=stride, padding=pad, ceil_mode=draw(st.booleans()))
    if kind == "max":
        kw.update(dilation=dil, return_indices=True)
    else:
        kw.update(count_include_pad=draw(st.booleans()))
        if nd == 2:
            kw.update(divisor_override=draw(st.sampled_from([None, 3])))
    return dict(fn=f"{kind}_pool{nd}d", shape=(2, 3) + size, kw=kw,
                ties=draw(st.booleans()), dtype=draw(st.sampled_from(["float32", "float64"])),
                seed=draw(st.integers(0, 2**16)))


@pytest.mark.torch_parity
@given(c=pool_configs())
def test_pooling_matches_torch(c):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(c["seed"])
    x = rng.standard_normal(c["shape"])
    x = (np.round(x * 2) if c["ties"] else x).astype(c["dtype"])
    ours, theirs = _t(x, True), torch.tensor(x, requires_grad=True)
    kw = dict(c["kw"])
    if kw["stride"] is None:
        kw.pop("stride")
    out = getattr(F, c["fn"])(ours, **kw)
    tout = getattr(torch.nn.functional, c["fn"])(theirs, **kw)
    if c["fn"].startswith("max"):
        (out, idx), (tout, tidx) = out, tout
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
        assert idx.dtype == np.int64
    assert out.grad_fn.name() == tout.grad_fn.name()  # (max_pool3d's was ViewBackward0)
    np.testing.assert_allclose(out._data, tout.detach().numpy(), **_tol(c["dtype"]))
    g = rng.standard_normal(out.shape).astype(c["dtype"])
    out.backward(_t(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), **_tol(c["dtype"]))


@pytest.mark.torch_parity
@pytest.mark.parametrize("return_indices", [False, True])
def test_max_pool3d_is_one_node_as_torchs(return_indices):
    """max_pool3d's result came from a reshape (ViewBackward0) of two 2-D poolings: now one
    node with PyTorch's name, and its gradient's (create_graph) node PyTorch's too."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5, 4))
    ours, theirs = _t(x, True), torch.tensor(x, requires_grad=True)
    kw = dict(kernel_size=2, stride=1, padding=1, return_indices=return_indices)
    out, tout = F.max_pool3d(ours, **kw), torch.nn.functional.max_pool3d(theirs, **kw)
    if return_indices:
        (out, _), (tout, _) = out, tout
    assert out.grad_fn.name() == tout.grad_fn.name() == "MaxPool3DWithIndicesBackward0"
    g = np.random.default_rng(1).standard_normal(tuple(out.shape))
    (gx,) = ag.autograd.grad(out, ours, _t(g, True), create_graph=True)
    (tgx,) = torch.autograd.grad(tout, theirs, torch.tensor(g, requires_grad=True),
                                 create_graph=True)
    np.testing.assert_array_equal(gx.detach().numpy(), tgx.detach().numpy())
    node = gx.grad_fn
    while node.name() == "ReadsInputsBackward0":  # (ours: marks that it reads x)
        node = node.next_functions[0][0]
    assert node.name() == tgx.grad_fn.name() == "MaxPool3DWithIndicesBackwardBackward0"


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adaptive_pool_unfold_fold_pad_match_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 7, 5)).astype(dtype)
    calls = [
        ("adaptive_avg_pool2d", ((3, 4),)), ("adaptive_avg_pool2d", ((None, 2),)),
        ("adaptive_avg_pool2d", (1,)), ("unfold", ((2, 3), (2, 1), 1, (1, 2))),
        ("pad", ((1, 2, 3, 0), "reflect")), ("pad", ((2, 1, 0, 3), "replicate")),
        ("pad", ((3, 1, 2, 2), "circular")), ("pad", ((1, -1, 2, 0), "constant")),
    ]
    for name, args in calls:
        ours, theirs = _t(x, True), torch.tensor(x, requires_grad=True)
        out = getattr(F, name)(ours, *args)
        tout = getattr(torch.nn.functional, name)(theirs, *args)
        np.testing.assert_allclose(out._data, tout.detach().numpy(), **_tol(dtype))
        g = rng.standard_normal(out.shape).astype(dtype)
        out.backward(_t(g))
        tout.backward(torch.tensor(g))
        np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), **_tol(dtype))
    x1 = x.reshape(2, 3, 35)
    np.testing.assert_allclose(F.adaptive_avg_pool1d(_t(x1), 6)._data,
                               torch.nn.functional.adaptive_avg_pool1d(torch.tensor(x1), 6),
                               **_tol(dtype))
    cols = rng.standard_normal((2, 12, 15)).astype(dtype)
    np.testing.assert_allclose(
        F.fold(_t(cols), (5, 4), (2, 2), padding=1, stride=(2, 1))._data,
        torch.nn.functional.fold(torch.tensor(cols), (5, 4), (2, 2), padding=1, stride=(2, 1)),
        **_tol(dtype))


@pytest.mark.torch_parity
def test_layers_match_torch_with_the_same_weights():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    cases = [
        ("Conv2d", (3, 4, 3), dict(padding=1, padding_mode="reflect"), (2, 3, 6, 5)),
        ("Conv2d", (4, 4, (2, 3)), dict(padding="same", groups=2, padding_mode="circular"),
         (2, 4, 5, 6)),
        ("Conv2d", (3, 2, 3), dict(stride=2, dilation=2, padding=2, padding_mode="replicate",
                                   bias=False), (1, 3, 7, 7)),
        ("Conv1d", (2, 4, 3), dict(padding="same", padding_mode="reflect"), (2, 2, 9)),
        ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 7, 6)),
        ("MaxPool1d", (3,), dict(return_indices=True), (2, 3, 7)),
        ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 7, 6)),
        ("AvgPool1d", (2,), dict(ceil_mode=True), (2, 3, 7)),
        ("AdaptiveAvgPool2d", ((2, None),), {}, (2, 3, 7, 6)),
        ("AdaptiveAvgPool1d", (3,), {}, (3, 7)),
        ("Unflatten", (1, (2, -1)), {}, (2, 6, 3)),
        ("Dropout2d", (0.3,), {}, (2, 3, 4, 4)),
        ("Dropout1d", (0.3,), {}, (2, 3, 4)),
    ]
    for name, args, kw, shape in cases:
        ours, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in
                                ours.state_dict().items()})
        ours.eval(), theirs.eval()
        x = rng.standard_normal(shape).astype(np.float32)
        out, tout = ours(_t(x)), theirs(torch.tensor(x))
        if isinstance(out, tuple):
            np.testing.assert_array_equal(out[1].numpy(), tout[1].numpy())
            out, tout = out[0], tout[0]
        np.testing.assert_allclose(out._data, tout.detach().numpy(), rtol=1e-5, atol=1e-5)
    for kw in (dict(), dict(stride=2, padding=1, dilation=2, groups=2, bias=False),
               dict(padding="valid"), dict(padding=(1, 0), padding_mode="zeros")):
        assert repr(nn.Conv2d(4, 6, 3, **kw)) == repr(torch.nn.Conv2d(4, 6, 3, **kw))


BAD_CALLS = [
    "F.conv2d(ones(2, 5, 5, 5, 5), ones(4, 2, 3, 3))",
    "F.conv1d(ones(5), ones(4, 1, 3))",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 3, 3, 3))",
    "F.conv2d(ones(2, 2, 5, 5), ones(3, 1, 3, 3), groups=2)",
    "F.conv2d(ones(2, 3, 5, 5), ones(4, 1, 3, 3), groups=2)",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 7, 7))",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), ones(3))",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), stride=0)",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), padding=-1)",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), dilation=0)",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), groups=0)",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), stride=2, padding='same')",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), padding='foo')",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), stride=(1, 1, 1))",
    "F.conv2d(ones(2, 2, 5, 5).double(), ones(4, 2, 3, 3))",
    "F.conv2d(ones(2, 2, 5, 5), ones(4, 2, 3, 3), ones(4).double())",
    "F.max_pool2d(ones(2, 2, 5, 5), 2, padding=2)",
    "F.max_pool2d(ones(5, 5), 2)",
    "F.max_pool2d(ones(1, 1, 2, 2), 3)",
    "F.max_pool2d(ones(2, 2, 5, 5), 2, stride=0)",
    "F.max_pool2d(ones(2, 2, 5, 5), 2, dilation=0)",
    "F.max_pool1d(ones(5), 2)",
    "F.avg_pool2d(ones(2, 2, 5, 5), 2, padding=2)",
    "F.avg_pool2d(ones(1, 1, 2, 2), 3)",
    "F.avg_pool2d(ones(2, 2, 5, 5), 2, divisor_override=0)",
    "F.avg_pool1d(ones(1, 2, 5), 2, padding=2)",
    "F.adaptive_avg_pool2d(ones(5), 2)",
    "F.adaptive_avg_pool2d(ones(1, 1, 0, 3), 2)",
    "F.pad(ones(2, 2, 5, 5), (5, 5, 0, 0), mode='reflect')",
    "F.pad(ones(2, 2, 5, 5), (6, 6, 0, 0), mode='circular')",
    "F.pad(ones(2, 2, 5, 5), (1, 1), mode='foo')",
    "F.pad(ones(5), (1, 1), mode='reflect')",
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
        assert str(ours.value) == str(theirs.value), call


@pytest.mark.torch_parity
def test_lenet_step_matches_torch(conv_path):
    """A whole LeNet-5 forward and backward with torch's weights: loss and every gradient."""
    torch = pytest.importorskip("torch")

    def lenet(m):
        return m.Sequential(m.Conv2d(1, 6, 5, padding=2), m.ReLU(), m.MaxPool2d(2),
                            m.Conv2d(6, 16, 5), m.ReLU(), m.AvgPool2d(2), m.Flatten(),
                            m.Linear(400, 120), m.ReLU(), m.Linear(120, 10))

    torch.manual_seed(0)
    theirs = lenet(torch.nn).double()
    ours = lenet(nn).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((8, 1, 28, 28)), rng.integers(0, 10, 8)
    loss = F.cross_entropy(ours(_t(x)), _t(y))
    tloss = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
    loss.backward()
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-12)
    tgrads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad._data, tgrads[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-12)


@pytest.mark.torch_parity
def test_calls_of_one_shape_keep_their_own_saved_values(conv_path):
    """Work arrays are reused between calls of one shape: two convolutions recorded before
    either backward still get their own gradients."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    xs = [rng.standard_normal((2, 3, 6, 5)) for _ in range(2)]
    w = rng.standard_normal((4, 3, 3, 3))
    gs = [rng.standard_normal((2, 4, 6, 5)) for _ in range(2)]
    ow, tw = _t(w, True), torch.tensor(w, requires_grad=True)
    ox = [_t(x, True) for x in xs]
    tx = [torch.tensor(x, requires_grad=True) for x in xs]
    ys = [F.conv2d(x, ow, padding=1) for x in ox]
    sum((y * _t(g)).sum() for y, g in zip(ys, gs)).backward()
    tys = [torch.nn.functional.conv2d(x, tw, padding=1) for x in tx]
    sum((y * torch.tensor(g)).sum() for y, g in zip(tys, gs)).backward()
    np.testing.assert_allclose(ow.grad._data, tw.grad.numpy(), rtol=1e-10)
    for a, b in zip(ox, tx):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_input_gradient_is_not_a_reused_work_array(conv_path):
    """One channel, a 1x1 kernel, no padding: the gradient's layout equals the work array's,
    and it must still be a copy (a later call would overwrite it otherwise)."""
    w = _t(np.full((2, 1, 1, 1), 0.5), True)
    x1, x2 = _t(np.ones((2, 1, 4, 4)), True), _t(np.ones((2, 1, 4, 4)), True)
    F.conv2d(x1, w).sum().backward()
    (F.conv2d(x2, w) * 3.0).sum().backward()
    np.testing.assert_array_equal(x1.grad._data, np.full((2, 1, 4, 4), 1.0))
    np.testing.assert_array_equal(x2.grad._data, np.full((2, 1, 4, 4), 3.0))


def test_kept_columns_are_given_back_and_reused_safely(conv_path):
    """The im2col path keeps its columns until backward and then gives them back: a graph
    retained meanwhile keeps its own, and a later call of the same shape reusing the returned
    ones gets its own gradient (d sum(conv(x, w)) / dw = each tap's window sums of x)."""
    rng = np.random.default_rng(11)
    xs = [rng.standard_normal((2, 2, 5, 4)) for _ in range(3)]
    w = _t(rng.standard_normal((3, 2, 3, 2)), True)

    def expected(x):  # padding 1: tap (i, j) sees padded rows i..i+4, columns j..j+4
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        taps = [[xp[:, :, i:i + 5, j:j + 5].sum(axis=(0, 2, 3)) for j in range(2)]
                for i in range(3)]
        return np.broadcast_to(np.moveaxis(np.array(taps), 2, 0), (3, 2, 3, 2))

    y1 = F.conv2d(_t(xs[0]), w, padding=1)
    (g1,) = ag.grad(y1.sum(), [w], retain_graph=True)
    F.conv2d(_t(xs[1]), w, padding=1).sum().backward()  # frees (gives back) its columns
    (g3,) = ag.grad(F.conv2d(_t(xs[2]), w, padding=1).sum(), [w])
    (g1_again,) = ag.grad(y1.sum(), [w])
    np.testing.assert_allclose(g1._data, expected(xs[0]), rtol=1e-12)
    np.testing.assert_allclose(g1_again._data, expected(xs[0]), rtol=1e-12)
    np.testing.assert_allclose(w.grad._data, expected(xs[1]), rtol=1e-12)
    np.testing.assert_allclose(g3._data, expected(xs[2]), rtol=1e-12)
