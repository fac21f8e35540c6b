"""Layers against closed forms written here in numpy, gradients against finite differences
(``ag.gradcheck``, float64), BatchNorm running statistics against a hand computation, dropout
statistics against the binomial distribution, and errors that name the layer and the shapes."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor


def _rand(shape, seed=0, dtype=np.float64, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype) * scale


def _t(arr, rg=True):
    return Tensor._wrap(np.array(arr), requires_grad=rg)


def _grads(out, upstream, *tensors):
    out.backward(Tensor._wrap(upstream))
    return [t.grad._data for t in tensors]


# ---- Linear ------------------------------------------------------------------------------------
@given(batch=st.lists(st.integers(1, 4), min_size=0, max_size=2), fin=st.integers(1, 5),
       fout=st.integers(1, 5), bias=st.booleans())
def test_linear_closed_form_and_gradients(batch, fin, fout, bias):
    lin = nn.Linear(fin, fout, bias=bias, dtype=np.float64)
    shape = tuple(batch) + (fin,)
    x = _t(_rand(shape, 1))
    y = lin(x)
    W = lin.weight._data
    b = lin.bias._data if bias else 0.0
    np.testing.assert_allclose(y._data, x._data @ W.T + b, rtol=1e-12, atol=1e-12)
    g = _rand(y.shape, 2)
    y.backward(Tensor._wrap(g))
    g2, x2 = g.reshape(-1, fout), x._data.reshape(-1, fin)
    np.testing.assert_allclose(x.grad._data, g @ W, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lin.weight.grad._data, g2.T @ x2, rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(lin.bias.grad._data, g2.sum(0), rtol=1e-12, atol=1e-12)
    else:
        assert lin.bias is None
    ps = (lin.weight, lin.bias) if bias else (lin.weight,)
    assert ag.gradcheck(lambda xx, *p: F.linear(xx, *p), (_t(x._data),) + ps)


def test_linear_default_init_is_pytorchs_uniform_bound():
    ag.manual_seed(0)
    fin = 400
    lin = nn.Linear(fin, 500)
    bound = 1 / math.sqrt(fin)  # kaiming_uniform(a=sqrt(5)): sqrt(6 / (1 + 5)) / sqrt(fan_in)
    w = lin.weight._data.astype(np.float64)
    assert lin.weight.dtype == np.float32 and lin.weight.shape == (500, fin)
    assert np.all(np.abs(w) <= bound) and np.all(np.abs(lin.bias._data) <= bound)
    n = w.size
    # U(-b, b): mean 0, var b^2/3; the sample mean's std is b/sqrt(3n)
    assert abs(w.mean()) < 5 * bound / math.sqrt(3 * n)
    var = bound ** 2 / 3
    # var of the sample variance of U: (mu4 - var^2)/n with mu4 = b^4/5
    assert abs(w.var() - var) < 5 * math.sqrt((bound ** 4 / 5 - var ** 2) / n)
    assert w.max() > 0.99 * bound and w.min() < -0.99 * bound  # the whole interval is used


# ---- activations -------------------------------------------------------------------------------
def _gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


ACTIVATIONS = [
    ("ReLU", lambda: nn.ReLU(), lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x),
     lambda x: np.where(x > 0, 1.0, 0.2)),
    ("Sigmoid", lambda: nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x)),
     lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    ("Tanh", lambda: nn.Tanh(), np.tanh, lambda x: 1 / np.cosh(x) ** 2),
    ("GELU", lambda: nn.GELU(), _gelu,
     lambda x: 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
     + x * np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)),
    ("GELU-tanh", lambda: nn.GELU("tanh"), _gelu_tanh, None),
    ("Softplus", lambda: nn.Softplus(beta=2.0, threshold=3.0),
     lambda x: _softplus(x, 2.0, 3.0),
     lambda x: np.where(2 * x > 3, 1.0, 1 / (1 + np.exp(-2 * x)))),
    ("Identity", lambda: nn.Identity(), lambda x: x, lambda x: np.ones_like(x)),
]


@pytest.mark.parametrize("name,make,f,df", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_closed_forms_and_gradcheck(name, make, f, df):
    # keep away from the kinks of ReLU/LeakyReLU/Softplus-threshold, where FD is meaningless
    x = _rand((4, 5), 3) * 3
    x[np.abs(x) < 1e-2] = 0.5
    x[np.abs(2 * x - 3) < 1e-2] = 0.2
    layer = make()
    xt = _t(x)
    y = layer(xt)
    np.testing.assert_allclose(y._data, f(x), rtol=1e-10, atol=1e-12)
    if df is not None:
        g = _rand(x.shape, 4)
        (gx,) = _grads(y, g, xt)
        np.testing.assert_allclose(gx, g * df(x), rtol=1e-9, atol=1e-12)
    assert ag.gradcheck(lambda a: layer(a), (_t(x),))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax_closed_form(dim):
    x = _rand((3, 4), 5) * 4
    s = nn.Softmax(dim)(_t(x))
    np.testing.assert_allclose(s._data, _softmax(x, dim), rtol=1e-12)
    ls = nn.LogSoftmax(dim)(_t(x))
    np.testing.assert_allclose(ls._data, np.log(_softmax(x, dim)), rtol=1e-12)
    # Jacobian-vector product of softmax: s * (g - sum(g * s))
    xt = _t(x)
    g = _rand(x.shape, 6)
    (gx,) = _grads(nn.Softmax(dim)(xt), g, xt)
    sm = _softmax(x, dim)
    np.testing.assert_allclose(gx, sm * (g - (g * sm).sum(dim, keepdims=True)), rtol=1e-10,
                               atol=1e-14)
    assert ag.gradcheck(lambda a: nn.LogSoftmax(dim)(a), (_t(x),))


def test_log_softmax_is_stable_for_huge_logits():
    x = np.array([[1000.0, 0.0, -1000.0]])
    out = nn.LogSoftmax(1)(_t(x))._data
    np.testing.assert_allclose(out, [[0.0, -1000.0, -2000.0]], rtol=1e-12)


def test_flatten():
    x = _t(_rand((2, 3, 4), 7))
    y = nn.Flatten()(x)
    assert y.shape == (2, 12)
    np.testing.assert_array_equal(y._data, x._data.reshape(2, 12))


# ---- BatchNorm1d -------------------------------------------------------------------------------
def _bn_reference(batches, momentum, eps, axes):
    """Running mean / var after the batches, by hand: r = (1 - m) r + m * stat with the
    unbiased batch variance (momentum None: cumulative average)."""
    C = batches[0].shape[1]
    rm, rv = np.zeros(C), np.ones(C)
    for k, xb in enumerate(batches, start=1):
        n = np.prod([xb.shape[a] for a in axes])
        mean = xb.mean(axis=axes)
        var_unbiased = ((xb - np.expand_dims(mean, axes)) ** 2).sum(axis=axes) / (n - 1)
        m = 1.0 / k if momentum is None else momentum
        rm = (1 - m) * rm + m * mean
        rv = (1 - m) * rv + m * var_unbiased
    return rm, rv


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("shape", [(8, 3), (5, 3, 4)])
def test_batchnorm_running_stats_match_hand_computation(momentum, shape):
    axes = (0,) if len(shape) == 2 else (0, 2)
    bn = nn.BatchNorm1d(3, momentum=momentum, dtype=np.float64)
    rng = np.random.default_rng(11)
    batches = [rng.normal(loc=[1.0, -2.0, 0.5][i % 3], scale=2.0, size=shape)
               for i in range(5)]
    batches = [b + np.array([1.0, -2.0, 0.5]).reshape((1, 3) + (1,) * (len(shape) - 2))
               for b in batches]
    for b in batches:
        y = bn(_t(b))
        # training output uses the *batch* statistics with the biased variance
        mean = b.mean(axis=axes, keepdims=True)
        var = b.var(axis=axes, keepdims=True)
        np.testing.assert_allclose(y._data, (b - mean) / np.sqrt(var + 1e-5), rtol=1e-10,
                                   atol=1e-12)
    rm, rv = _bn_reference(batches, momentum, 1e-5, axes)
    np.testing.assert_allclose(bn.running_mean._data, rm, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var._data, rv, rtol=1e-12)
    assert int(bn.num_batches_tracked._data) == 5
    # eval: the running estimates replace the batch statistics, and nothing moves
    bn.eval()
    bn.weight._data[...] = [2.0, 0.5, -1.0]
    bn.bias._data[...] = [0.1, 0.2, 0.3]
    x = rng.standard_normal(shape)
    y = bn(_t(x))._data
    pshape = (1, 3) + (1,) * (len(shape) - 2)
    expected = ((x - rm.reshape(pshape)) / np.sqrt(rv.reshape(pshape) + 1e-5)
                * bn.weight._data.reshape(pshape) + bn.bias._data.reshape(pshape))
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean._data, rm, rtol=1e-12)
    assert int(bn.num_batches_tracked._data) == 5


def test_batchnorm_gradients():
    x = _rand((6, 3), 12) * 2 + 1
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    bn.weight._data[...] = [1.5, -0.5, 2.0]
    assert ag.gradcheck(lambda a, w, b: bn(a) * Tensor._wrap(np.arange(1.0, 4.0)),
                        (_t(x), bn.weight, bn.bias))
    bn.eval()
    assert ag.gradcheck(lambda a, w, b: bn(a) ** 2, (_t(x), bn.weight, bn.bias))
    # closed form of the training-mode input gradient
    bn.train()
    bn2 = nn.BatchNorm1d(3, affine=False, dtype=np.float64)
    xt = _t(x)
    g = _rand(x.shape, 13)
    (gx,) = _grads(bn2(xt), g, xt)
    mu, var = x.mean(0), x.var(0)
    xhat = (x - mu) / np.sqrt(var + 1e-5)
    expected = (g - g.mean(0) - xhat * (g * xhat).mean(0)) / np.sqrt(var + 1e-5)
    np.testing.assert_allclose(gx, expected, rtol=1e-9, atol=1e-12)


def test_batchnorm_without_running_stats_and_single_sample_error():
    bn = nn.BatchNorm1d(2, track_running_stats=False, dtype=np.float64)
    assert list(bn.state_dict()) == ["weight", "bias"]
    x = _rand((4, 2), 14)
    bn.eval()
    np.testing.assert_allclose(bn(_t(x))._data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5),
                               rtol=1e-10)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(2)(Tensor._wrap(np.ones((1, 2), np.float32)))


# ---- LayerNorm / GroupNorm ---------------------------------------------------------------------
@given(lead=st.lists(st.integers(1, 3), min_size=1, max_size=2),
       norm=st.lists(st.integers(2, 4), min_size=1, max_size=2))
def test_layernorm_closed_form_and_gradcheck(lead, norm):
    shape = tuple(lead) + tuple(norm)
    x = _rand(shape, 15) * 3 + 1
    ln = nn.LayerNorm(tuple(norm), dtype=np.float64)
    ln.weight._data[...] = _rand(tuple(norm), 16)
    ln.bias._data[...] = _rand(tuple(norm), 17)
    axes = tuple(range(len(lead), len(shape)))
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    expected = (x - mu) / np.sqrt(var + 1e-5) * ln.weight._data + ln.bias._data
    np.testing.assert_allclose(ln(_t(x))._data, expected, rtol=1e-10, atol=1e-12)
    assert ag.gradcheck(lambda a, w, b: ln(a) * Tensor._wrap(_rand(shape, 18)),
                        (_t(x), ln.weight, ln.bias))


def test_groupnorm_closed_form_and_gradcheck():
    x = _rand((3, 6, 2), 19) * 2
    gn = nn.GroupNorm(3, 6, dtype=np.float64)
    gn.weight._data[...] = _rand(6, 20)
    gn.bias._data[...] = _rand(6, 21)
    xs = x.reshape(3, 3, -1)
    xhat = ((xs - xs.mean(-1, keepdims=True)) / np.sqrt(xs.var(-1, keepdims=True) + 1e-5))
    expected = xhat.reshape(x.shape) * gn.weight._data[:, None] + gn.bias._data[:, None]
    np.testing.assert_allclose(gn(_t(x))._data, expected, rtol=1e-10, atol=1e-12)
    assert ag.gradcheck(lambda a, w, b: gn(a) * Tensor._wrap(_rand(x.shape, 22)),
                        (_t(x), gn.weight, gn.bias))


# ---- Dropout -----------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_mask_statistics_and_scaling(p):
    ag.manual_seed(123)
    n = 200_000
    x = np.full(n, 3.0)
    xt = _t(x)
    y = nn.Dropout(p)(xt)
    kept = y._data != 0
    # kept fraction ~ Binomial(n, 1 - p) / n: 5 standard deviations
    sd = math.sqrt(p * (1 - p) / n)
    assert abs(kept.mean() - (1 - p)) < 5 * sd
    # kept elements scaled by exactly 1/(1-p) (inverted dropout), so E[y] = x
    np.testing.assert_allclose(y._data[kept], 3.0 / (1 - p), rtol=1e-12)
    assert abs(y._data.mean() - 3.0) < 5 * 3.0 * math.sqrt(p / ((1 - p) * n))
    # gradient: the same mask and scale
    g = np.ones(n)
    (gx,) = _grads(y, g, xt)
    np.testing.assert_array_equal(gx, np.where(kept, 1 / (1 - p), 0.0))


def test_dropout_eval_identity_edge_probabilities_and_seed():
    x = _rand((50, 40), 24)
    d = nn.Dropout(0.5)
    d.eval()
    np.testing.assert_array_equal(d(_t(x))._data, x)
    d.train()
    np.testing.assert_array_equal(nn.Dropout(0.0)(_t(x))._data, x)
    assert not np.any(nn.Dropout(1.0)(_t(x))._data)
    ag.manual_seed(5)
    a = d(_t(x))._data
    ag.manual_seed(5)
    b = d(_t(x))._data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, d(_t(x))._data)  # next draw differs
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_float32_keeps_dtype():
    y = nn.Dropout(0.3)(Tensor._wrap(np.ones((10, 10), np.float32)))
    assert y.dtype == np.float32
    assert set(np.unique(y._data)) <= {np.float32(0), np.float32(1 / 0.7)}


# ---- errors in the user's terms ----------------------------------------------------------------
def test_linear_shape_error_names_layer_and_shapes():
    lin = nn.Linear(3, 4)
    with pytest.raises(RuntimeError) as info:
        lin(Tensor._wrap(np.zeros((5, 7), np.float32)))
    msg = str(info.value)
    assert "Linear(in_features=3, out_features=4" in msg and "(5, 7)" in msg


def test_sequential_error_says_which_layer():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(5, 2))
    with pytest.raises(RuntimeError) as info:
        model(Tensor._wrap(np.zeros((2, 3), np.float32)))
    text = str(info.value) + "\n".join(getattr(info.value, "__notes__", []))
    assert "(2)" in text and "in_features=5" in text and "(2, 4)" in text


def test_batchnorm_channel_mismatch_names_layer_and_shapes():
    with pytest.raises((RuntimeError, ValueError)) as info:
        nn.BatchNorm1d(4)(Tensor._wrap(np.zeros((5, 3), np.float32)))
    msg = str(info.value)
    assert "BatchNorm1d(4" in msg and "(5, 3)" in msg
    with pytest.raises(ValueError, match="2D or 3D"):
        nn.BatchNorm1d(4)(Tensor._wrap(np.zeros(4, np.float32)))


def test_dtype_mismatch_error_says_how_to_fix():
    with pytest.raises(RuntimeError, match="dtype"):
        nn.Linear(2, 2)(Tensor._wrap(np.zeros((1, 2), np.float64)))
