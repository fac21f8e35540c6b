"""scaled_dot_product_attention, MultiheadAttention and the Transformer modules: hand-worked
values, float64 gradchecks, masks, error wording, PyTorch parity with copied weights, and a
step through a TransformerEncoderLayer captured by ag.compile."""

import inspect
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
import optimizers as optim
from nn.ops.attention import MaskBiasOp, SafeSoftmaxOp

inf = math.inf


def _t(a, requires_grad=False):
    return ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# ---- scaled_dot_product_attention: hand-worked values ---------------------------------------

def test_sdpa_one_query_two_keys_by_hand():
    q = _t([[1.0, 0.0]])
    k = _t([[1.0, 0.0], [0.0, 1.0]])
    v = _t([[10.0], [20.0]])
    out = F.scaled_dot_product_attention(q, k, v)
    # scores 1/sqrt(2) and 0: weights sigmoid(1/sqrt(2)) and 1 - that
    w0 = 1 / (1 + math.exp(-1 / math.sqrt(2)))
    assert out.item() == pytest.approx(10 * w0 + 20 * (1 - w0), rel=1e-14)
    # scale=0 gives uniform weights whatever the scores
    assert F.scaled_dot_product_attention(q, k, v, scale=0.0).item() == pytest.approx(15.0)


def test_sdpa_causal_is_top_left_aligned():
    # L=3 queries, S=2 keys, all scores equal: row i averages the values of keys 0..min(i, 1)
    q, k = _t(np.zeros((3, 2))), _t(np.zeros((2, 2)))
    v = _t([[1.0], [3.0]])
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    np.testing.assert_allclose(out.detach().numpy().ravel(), [1.0, 2.0, 2.0])


def test_sdpa_bool_mask_keeps_true_and_float_mask_is_added():
    q, k = _t(np.zeros((2, 1))), _t(np.zeros((3, 1)))
    v = _t([[1.0], [2.0], [6.0]])
    keep = ag.tensor([[True, False, True], [False, True, False]])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    np.testing.assert_allclose(out.detach().numpy().ravel(), [3.5, 2.0])
    bias = _t([[0.0, math.log(2.0), -inf], [0.0, 0.0, 0.0]])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    np.testing.assert_allclose(out.detach().numpy().ravel(), [(1 + 2 * 2) / 3, 3.0])


def test_sdpa_fully_masked_query_gives_zeros_and_zero_gradient():
    q, k, v = (_t(np.ones(s), requires_grad=True) for s in ((2, 2), (3, 2), (3, 2)))
    keep = ag.tensor([[True, True, False], [False, False, False]])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    np.testing.assert_array_equal(out.detach().numpy()[1], [0.0, 0.0])
    np.testing.assert_allclose(out.detach().numpy()[0], [1.0, 1.0])
    out.sum().backward()
    np.testing.assert_array_equal(q.grad.numpy()[1], [0.0, 0.0])
    np.testing.assert_array_equal(v.grad.numpy()[2], [0.0, 0.0])  # masked for every query
    assert np.isfinite(k.grad.numpy()).all()


def test_sdpa_dropout_zeroes_or_rescales_each_weight():
    rng = np.random.default_rng(0)
    q, k = _t(rng.standard_normal((6, 4))), _t(rng.standard_normal((5, 4)))
    eye = _t(np.eye(5))  # value = identity: the output is the attention weights themselves
    weights = F.scaled_dot_product_attention(q, k, eye).detach().numpy()
    ag.manual_seed(0)
    dropped = F.scaled_dot_product_attention(q, k, eye, dropout_p=0.5).detach().numpy()
    kept = dropped != 0
    assert 0 < kept.sum() < kept.size
    np.testing.assert_allclose(dropped[kept], 2 * weights[kept], rtol=1e-14)
    assert not F.scaled_dot_product_attention(q, k, eye, dropout_p=1.0).detach().numpy().any()


def test_sdpa_grouped_query_attention_repeats_key_value_heads():
    rng = np.random.default_rng(1)
    q = _t(rng.standard_normal((1, 4, 3, 2)))
    k, v = _t(rng.standard_normal((1, 2, 5, 2))), _t(rng.standard_normal((1, 2, 5, 2)))
    out = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    # query heads 0, 1 use key/value head 0; heads 2, 3 use head 1
    for h in range(4):
        ref = F.scaled_dot_product_attention(q[:, h], k[:, h // 2], v[:, h // 2])
        np.testing.assert_allclose(out[:, h].detach().numpy(), ref.detach().numpy(), rtol=1e-14)


@pytest.mark.parametrize("case", ["plain", "bool", "float", "causal", "gqa", "broadcast"])
def test_sdpa_gradcheck_float64(case):
    rng = np.random.default_rng(2)
    shapes = {"gqa": ((2, 4, 3, 3), (2, 2, 4, 3), (2, 2, 4, 2)),
              "broadcast": ((2, 1, 3, 3), (1, 2, 4, 3), (2, 2, 4, 2))}.get(
        case, ((2, 3, 3), (2, 4, 3), (2, 4, 2)))
    inputs = [_t(rng.standard_normal(s), requires_grad=True) for s in shapes]
    kw = {}
    if case == "bool":
        keep = rng.random((3, 4)) > 0.4
        keep[:, 0] = True
        kw["attn_mask"] = ag.tensor(keep)
    elif case == "float":
        inputs.append(_t(rng.standard_normal((3, 4)), requires_grad=True))
    elif case == "causal":
        kw["is_causal"] = True
    elif case == "gqa":
        kw["enable_gqa"] = True

    def fn(*xs):
        mask = {"attn_mask": xs[3]} if len(xs) == 4 else {}
        return F.scaled_dot_product_attention(*xs[:3], **mask, **kw, scale=0.7)

    assert ag.gradcheck(fn, inputs)
    if case in ("plain", "bool"):
        assert ag.gradgradcheck(fn, inputs)


def test_safe_softmax_node_equals_softmax_off_the_masked_rows_and_gradchecks():
    x = _t(np.random.default_rng(3).standard_normal((3, 4)), requires_grad=True)
    np.testing.assert_allclose(SafeSoftmaxOp.apply(x).detach().numpy(),
                               x.softmax(-1).detach().numpy(), rtol=1e-15)
    assert ag.gradcheck(lambda a: SafeSoftmaxOp.apply(a), [x])
    assert ag.gradgradcheck(lambda a: SafeSoftmaxOp.apply(a), [x])
    bias = MaskBiasOp.apply(ag.tensor([[False, True, False, False]] * 3),
                            MaskBiasOp.fill(np.float64), masked=True)
    y = SafeSoftmaxOp.apply(x + bias).detach().numpy()
    assert (y[:, 1] == 0).all()
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-15)


def _raises(exc, match, fn):
    with pytest.raises(exc, match=match):
        fn()


def test_sdpa_bad_arguments():
    q, k, v = ag.ones(2, 3, 4), ag.ones(2, 5, 4), ag.ones(2, 5, 6)
    sdpa = F.scaled_dot_product_attention
    _raises(RuntimeError, "all be  at least 2 dimensional", lambda: sdpa(ag.ones(3), k, v))
    _raises(RuntimeError, r"same dtype.*value.dtype: double", lambda: sdpa(q, k, v.double()))
    _raises(RuntimeError, r"attn_mask.dtype: long int and  query.dtype: float",
            lambda: sdpa(q, k, v, attn_mask=ag.ones(3, 5, dtype=ag.int64)))
    _raises(RuntimeError, "Explicit attn_mask should not be set when is_causal=True",
            lambda: sdpa(q, k, v, attn_mask=ag.ones(3, 5, dtype=ag.bool), is_causal=True))
    _raises(RuntimeError, r"query's last dimension \(4\) must equal key's \(3\)",
            lambda: sdpa(q, ag.ones(2, 5, 3), v))
    _raises(RuntimeError, "same sequence length", lambda: sdpa(q, k, ag.ones(2, 4, 6)))
    _raises(RuntimeError, "dropout probability has to be between 0 and 1, but got 1.5",
            lambda: sdpa(q, k, v, dropout_p=1.5))
    _raises(RuntimeError, "Number of heads in key and value must divide",
            lambda: sdpa(ag.ones(1, 4, 3, 8), ag.ones(1, 3, 5, 8), ag.ones(1, 3, 5, 8),
                         enable_gqa=True))
    _raises(RuntimeError, "floating point", lambda: sdpa(*(ag.ones(2, 2, dtype=ag.int64),) * 3))


# ---- MultiheadAttention ----------------------------------------------------------------------

def test_mha_parameters_names_shapes_and_init():
    ag.manual_seed(0)
    m = nn.MultiheadAttention(16, 4, add_bias_kv=True)
    shapes = {n: tuple(p.shape) for n, p in m.named_parameters()}
    assert shapes == {"in_proj_weight": (48, 16), "in_proj_bias": (48,), "bias_k": (1, 1, 16),
                      "bias_v": (1, 1, 16), "out_proj.weight": (16, 16),
                      "out_proj.bias": (16,)}
    bound = math.sqrt(6 / (16 + 48))  # xavier_uniform_: fan_in 16, fan_out 48
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not m.in_proj_bias.detach().numpy().any()
    assert not m.out_proj.bias.detach().numpy().any()
    m = nn.MultiheadAttention(6, 2, kdim=3, vdim=5, bias=False)
    assert m.in_proj_weight is None and m.in_proj_bias is None and m.out_proj.bias is None
    assert [n for n, _ in m.named_parameters()] == [
        "q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"]
    assert tuple(m.k_proj_weight.shape) == (6, 3) and tuple(m.v_proj_weight.shape) == (6, 5)


def test_mha_one_head_by_hand():
    # identity projections, no bias: the output is sdpa of the inputs themselves
    m = nn.MultiheadAttention(2, 1, bias=False, dtype=np.float64)
    with ag.no_grad():
        m.in_proj_weight.copy_(_t(np.vstack([np.eye(2)] * 3)))
        m.out_proj.weight.copy_(_t(np.eye(2)))
    x = _t([[[1.0, 0.0]], [[0.0, 1.0]]])  # (L=2, N=1, E=2)
    out, w = m(x, x, x)
    a = 1 / (1 + math.exp(-1 / math.sqrt(2)))  # weight of the matching key
    np.testing.assert_allclose(w.detach().numpy()[0], [[a, 1 - a], [1 - a, a]], rtol=1e-14)
    np.testing.assert_allclose(out.detach().numpy()[:, 0], [[a, 1 - a], [1 - a, a]], rtol=1e-14)


def test_mha_masks_bool_true_is_masked_and_need_weights_paths_agree():
    rng = np.random.default_rng(4)
    m = nn.MultiheadAttention(4, 2, dtype=np.float64)
    x = _t(rng.standard_normal((3, 2, 4)))
    kpm = ag.tensor([[False, False, True], [False, True, True]])
    out, w = m(x, x, x, key_padding_mask=kpm, average_attn_weights=False)
    assert tuple(w.shape) == (2, 2, 3, 3)
    wn = w.detach().numpy()
    assert (wn[0, :, :, 2] == 0).all() and (wn[1, :, :, 1:] == 0).all()
    np.testing.assert_allclose(wn[1, :, :, 0], 1.0)
    out2, none = m(x, x, x, key_padding_mask=kpm, need_weights=False)
    assert none is None
    np.testing.assert_allclose(out.detach().numpy(), out2.detach().numpy(), rtol=1e-13)
    # the same mask as floats gives the same output
    fkpm = _t(np.where(kpm.numpy(), -inf, 0.0))
    out3, _ = m(x, x, x, key_padding_mask=fkpm)
    np.testing.assert_allclose(out.detach().numpy(), out3.detach().numpy(), rtol=1e-13)


def test_mha_is_causal_needs_a_mask_and_uses_it():
    m = nn.MultiheadAttention(4, 2, dtype=np.float64)
    x = _t(np.random.default_rng(5).standard_normal((3, 1, 4)))
    _raises(RuntimeError, "Need attn_mask if specifying the is_causal hint",
            lambda: m(x, x, x, is_causal=True))
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=np.float64)
    a, _ = m(x, x, x, attn_mask=mask, is_causal=True, need_weights=False)
    b, _ = m(x, x, x, attn_mask=mask)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-13)
    # the first position only sees itself: changing later positions leaves it alone
    y = x.detach().numpy().copy()
    y[1:] += 5.0
    c, _ = m(_t(y), _t(y), _t(y), attn_mask=mask)
    np.testing.assert_allclose(c.detach().numpy()[0], b.detach().numpy()[0], rtol=1e-13)


def test_mha_gradcheck_float64():
    rng = np.random.default_rng(6)
    m = nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True, dtype=np.float64)
    q = _t(rng.standard_normal((3, 2, 4)), requires_grad=True)
    kv = _t(rng.standard_normal((5, 2, 4)), requires_grad=True)
    kpm = ag.tensor(rng.random((2, 5)) > 0.6)
    assert ag.gradcheck(lambda a, b: m(a, b, b, key_padding_mask=kpm)[0], [q, kv])
    assert ag.gradcheck(lambda a, b: m(a, b, b, need_weights=False)[0], [q, kv])


def test_mha_bad_arguments():
    _raises(AssertionError, "embed_dim must be divisible by num_heads",
            lambda: nn.MultiheadAttention(10, 3))
    _raises(ValueError, "embed_dim and num_heads must be greater than 0",
            lambda: nn.MultiheadAttention(0, 2))
    _raises(ValueError, r"got embed_dim=4 and num_heads=-2 instead",
            lambda: nn.MultiheadAttention(4, -2))
    _raises(TypeError, "embed_dim must be an int", lambda: nn.MultiheadAttention(4.0, 2))
    _raises(ValueError, "dropout probability", lambda: nn.MultiheadAttention(4, 2, dropout=2.0))
    m = nn.MultiheadAttention(4, 2)
    x = ag.ones(3, 2, 4)
    _raises(AssertionError, "query should be unbatched 2D or batched 3D tensor",
            lambda: m(ag.ones(4), x, x))
    _raises(AssertionError, "expected `key` and `value` to be 3-D", lambda: m(x, ag.ones(3, 4), x))
    _raises(AssertionError, "was expecting embedding dimension of 4, but got 5",
            lambda: m(ag.ones(3, 2, 5), ag.ones(3, 2, 5), ag.ones(3, 2, 5)))
    _raises(RuntimeError, r"The shape of the 2D attn_mask is \(3, 2\), but should be \(3, 3\)",
            lambda: m(x, x, x, attn_mask=ag.zeros(3, 2)))
    _raises(RuntimeError, r"The shape of the 3D attn_mask is \(2, 3, 3\), but should be "
            r"\(4, 3, 3\)", lambda: m(x, x, x, attn_mask=ag.zeros(2, 3, 3)))
    _raises(AssertionError, r"Expected key_padded_mask.shape\[1\] to be 3, but got 4",
            lambda: m(x, x, x, key_padding_mask=ag.zeros(2, 4, dtype=ag.bool)))
    _raises(AssertionError, "only bool and floating types of key_padding_mask",
            lambda: m(x, x, x, key_padding_mask=ag.zeros(2, 3, dtype=ag.int64)))
    _raises(AssertionError, "key shape", lambda: m(x, x, ag.ones(4, 2, 4)))


# ---- Transformer modules -----------------------------------------------------------------------

def test_square_subsequent_mask():
    m = nn.Transformer.generate_square_subsequent_mask(3)
    assert m.dtype == ag.float32 and not m.requires_grad
    expected = [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]
    np.testing.assert_array_equal(m.numpy(), np.array(expected, dtype=np.float32))
    assert nn.Transformer.generate_square_subsequent_mask(2, dtype=ag.float64).dtype == ag.float64


def test_encoder_layer_by_hand_with_zero_attention_and_feedforward():
    # zero out_proj and linear2 weights and biases: each block adds 0, so the layer is
    # norm2(norm1(x)) = layer norm of x (unit weight, zero bias)
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, dtype=np.float64)
    with ag.no_grad():
        for p in (layer.self_attn.out_proj.weight, layer.linear2.weight, layer.linear2.bias):
            p.zero_()
    x = np.random.default_rng(7).standard_normal((3, 2, 4))
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    once = (x - mu) / np.sqrt(var + 1e-5)
    twice = (once - once.mean(-1, keepdims=True)) / np.sqrt(once.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(layer(_t(x)).detach().numpy(), twice, rtol=1e-12)


def test_encoder_stack_layers_are_independent_copies():
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    enc = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(4), enable_nested_tensor=False)
    params = [p for mod in enc.layers for p in mod.parameters()]
    assert len({id(p) for p in params}) == len(params) == 3 * len(list(layer.parameters()))
    np.testing.assert_array_equal(enc.layers[2].linear1.weight.detach().numpy(),
                                  layer.linear1.weight.detach().numpy())
    assert "layers.2.self_attn.in_proj_weight" in enc.state_dict()
    assert "norm.weight" in enc.state_dict()


def test_transformer_bad_arguments():
    _raises(RuntimeError, "activation should be relu/gelu, not tanh",
            lambda: nn.TransformerEncoderLayer(4, 2, activation="tanh"))
    _raises(AssertionError, "embed_dim must be divisible by num_heads",
            lambda: nn.TransformerDecoderLayer(6, 4))
    model = nn.Transformer(4, 2, 1, 1, 8)
    _raises(RuntimeError, "the batch number of src and tgt must be equal",
            lambda: model(ag.ones(3, 2, 4), ag.ones(3, 5, 4)))
    _raises(RuntimeError, "the feature number of src and tgt must be equal to d_model",
            lambda: model(ag.ones(3, 2, 4), ag.ones(3, 2, 6)))


def test_masked_layers_run_under_detect_anomaly():
    # the -inf of a mask comes in as an input: anomaly mode does not take it for a bug
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0)
    x = ag.randn(3, 2, 4, requires_grad=True)
    kpm = ag.tensor([[False, False, True], [False, True, True]])
    with ag.detect_anomaly():
        layer(x, src_key_padding_mask=kpm).sum().backward()
        F.scaled_dot_product_attention(x, x, x, attn_mask=ag.ones(2, 2, dtype=ag.bool))
    assert np.isfinite(x.grad.numpy()).all()


def test_activation_callable_and_gelu():
    x = _t(np.random.default_rng(8).standard_normal((2, 1, 4)))
    ag.manual_seed(0)
    a = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation="gelu", dtype=np.float64)
    ag.manual_seed(0)
    b = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation=nn.GELU(),
                                   dtype=np.float64)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


def test_compiled_encoder_layer_step_equals_eager():
    def run(compiled):
        ag.manual_seed(0)
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True,
                                           dtype=np.float64)
        opt = optim.Adam(layer.parameters(), lr=1e-2)

        def step(x, kpm):
            opt.zero_grad()
            mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1], dtype=np.float64)
            y = layer(x, src_mask=mask, src_key_padding_mask=kpm, is_causal=True)
            loss = (y * y).mean()
            loss.backward()
            opt.step()
            return loss

        if compiled:
            step = ag.compile(step, strict=True)  # raises rather than fall back
        rng = np.random.default_rng(1)
        losses = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # mismatched mask types (as PyTorch)
            for _ in range(4):
                kpm = rng.random((3, 5)) > 0.6
                kpm[:, 0] = False
                losses.append(step(_t(rng.standard_normal((3, 5, 8))), ag.tensor(kpm)).item())
        return losses, [p.detach().numpy().copy() for p in layer.parameters()], step

    eager, eager_params, _ = run(False)
    replayed, replayed_params, step = run(True)
    assert step.traces == 1
    assert eager == replayed
    for a, b in zip(eager_params, replayed_params):
        np.testing.assert_array_equal(a, b)


# ---- PyTorch parity ----------------------------------------------------------------------------

def _copy_from_torch(module, tmodule):
    state = {n: t.detach().numpy() for n, t in tmodule.state_dict().items()}
    assert list(state) == list(module.state_dict())
    module.load_state_dict(state)


def _tol(dtype):
    return dict(rtol=1e-9, atol=1e-11) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)


def _assert_close(ours, theirs, dtype, what):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), err_msg=what,
                               **_tol(dtype))


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sdpa_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    cases = [
        ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {}),
        ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"is_causal": True}),
        ((2, 3, 7, 5), (2, 3, 4, 5), (2, 3, 4, 3), {"is_causal": True}),
        ((4, 5), (6, 5), (6, 2), {"scale": 0.3}),
        ((2, 1, 4, 5), (1, 3, 6, 5), (1, 3, 6, 2), {"mask": "bool"}),
        ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"mask": "float"}),
        ((1, 4, 3, 8), (1, 2, 5, 8), (1, 2, 5, 8), {"enable_gqa": True}),
    ]
    for qs, ks, vs, kw in cases:
        arrays = [rng.standard_normal(s).astype(dtype) for s in (qs, ks, vs)]
        ours = [ag.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        kind = kw.pop("mask", None)
        if kind == "bool":
            keep = rng.random((qs[-2], ks[-2])) > 0.4
            keep[1] = False  # a query that attends to nothing
            kw_ours = dict(kw, attn_mask=ag.tensor(keep))
            kw_theirs = dict(kw, attn_mask=torch.tensor(keep))
        elif kind == "float":
            bias = rng.standard_normal((qs[-2], ks[-2])).astype(dtype)
            bias[0, :2] = -inf
            ours.append(ag.tensor(bias, requires_grad=True))
            theirs.append(torch.tensor(bias, requires_grad=True))
            kw_ours = dict(kw, attn_mask=ours[3])
            kw_theirs = dict(kw, attn_mask=theirs[3])
        else:
            kw_ours = kw_theirs = kw
        out = F.scaled_dot_product_attention(*ours[:3], **kw_ours)
        tout = torch.nn.functional.scaled_dot_product_attention(*theirs[:3], **kw_theirs)
        what = f"{qs} {ks} {vs} {kw} {kind}"
        _assert_close(out, tout, dtype, what)
        g = rng.standard_normal(tuple(out.shape)).astype(dtype)
        (out * ag.tensor(g)).sum().backward()
        (tout * torch.tensor(g)).sum().backward()
        for name, a, b in zip(("query", "key", "value", "mask"), ours, theirs):
            _assert_close(a.grad, b.grad, dtype, f"{what} {name}.grad")


@pytest.mark.torch_parity
@given(batch=st.lists(st.integers(1, 3), max_size=2), L=st.integers(1, 5),
       S=st.integers(1, 5), E=st.integers(1, 4), Ev=st.integers(1, 4),
       mask=st.sampled_from(["none", "causal", "bool", "float"]), seed=st.integers(0, 99))
def test_sdpa_shapes_and_masks_match_torch(batch, L, S, E, Ev, mask, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((*batch, n, d)) for n, d in ((L, E), (S, E), (S, Ev))]
    kw, tkw = {}, {}
    if mask == "causal":
        kw = tkw = {"is_causal": True}
    elif mask == "bool":
        keep = rng.random((L, S)) > 0.5
        kw, tkw = {"attn_mask": ag.tensor(keep)}, {"attn_mask": torch.tensor(keep)}
    elif mask == "float":
        bias = np.where(rng.random((L, S)) > 0.3, rng.standard_normal((L, S)), -inf)
        kw, tkw = {"attn_mask": ag.tensor(bias)}, {"attn_mask": torch.tensor(bias)}
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.scaled_dot_product_attention(*ours, **kw)
    tout = torch.nn.functional.scaled_dot_product_attention(*theirs, **tkw)
    _assert_close(out, tout, np.float64, "output")
    out.sum().backward()
    tout.sum().backward()
    for a, b in zip(ours, theirs):
        _assert_close(a.grad, b.grad, np.float64, "grad")


def _mha_inputs(rng, bf, batched, L, S, E, kdim, vdim, dtype):
    def shape(n, d):
        if not batched:
            return (n, d)
        return (2, n, d) if bf else (n, 2, d)
    return [rng.standard_normal(shape(n, d)).astype(dtype)
            for n, d in ((L, E), (S, kdim), (S, vdim))]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mha_matches_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    configs = [{}, {"add_bias_kv": True}, {"add_zero_attn": True}, {"kdim": 3, "vdim": 5},
               {"bias": False}, {"add_bias_kv": True, "add_zero_attn": True}]
    L, S, E = 4, 5, 6
    for kw, bf, batched, need_weights, average, masks in itertools.product(
            configs, (False, True), (True, False), (True, False), (True, False),
            ("none", "kpm", "bool", "float", "both")):
        if not need_weights and not average:
            continue
        m = nn.MultiheadAttention(E, 2, batch_first=bf, dtype=dtype, **kw)
        tm = torch.nn.MultiheadAttention(E, 2, batch_first=bf,
                                         dtype=getattr(torch, np.dtype(dtype).name), **kw)
        _copy_from_torch(m, tm)
        same = "kdim" not in kw and masks == "none"  # self-attention: one tensor
        arrays = _mha_inputs(rng, bf, batched, L, S, E, kw.get("kdim", E), kw.get("vdim", E),
                             dtype)
        if same:
            arrays = [arrays[0]]
        ours = [ag.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        if same:
            ours, theirs = ours * 3, theirs * 3
            S_ = L
        else:
            S_ = S
        kpm = rng.random((2, S_) if batched else (S_,)) > 0.6
        kpm[..., 0] = False
        amask = rng.random((L, S_)) > 0.7
        amask[:, 1] = False
        fmask = rng.standard_normal((L, S_)).astype(dtype)
        margs = {"none": {}, "kpm": {"key_padding_mask": kpm}, "bool": {"attn_mask": amask},
                 "float": {"attn_mask": fmask},
                 "both": {"key_padding_mask": kpm, "attn_mask": amask}}[masks]
        out, w = m(*ours, need_weights=need_weights, average_attn_weights=average,
                   **{n: ag.tensor(a) for n, a in margs.items()})
        tout, tw = tm(*theirs, need_weights=need_weights, average_attn_weights=average,
                      **{n: torch.tensor(a) for n, a in margs.items()})
        what = f"{kw} bf={bf} batched={batched} need_weights={need_weights} {masks}"
        _assert_close(out, tout, dtype, what)
        if need_weights:
            _assert_close(w, tw, dtype, what + " weights")
        else:
            assert w is None and tw is None
        g = rng.standard_normal(tuple(out.shape)).astype(dtype)
        (out * ag.tensor(g)).sum().backward()
        (tout * torch.tensor(g)).sum().backward()
        for i, (a, b) in enumerate(zip(ours[:len(arrays)], theirs[:len(arrays)])):
            _assert_close(a.grad, b.grad, dtype, f"{what} input {i} grad")
        for (n, p), (tn, tp) in zip(m.named_parameters(), tm.named_parameters()):
            assert n == tn
            _assert_close(p.grad, tp.grad, dtype, f"{what} {n}.grad")


def _torch_dtype(torch, dtype):
    return getattr(torch, np.dtype(dtype).name)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_encoder_decoder_layers_match_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    for cls, norm_first, bf, act, mode in itertools.product(
            ("TransformerEncoderLayer", "TransformerDecoderLayer"), (False, True),
            (False, True), ("relu", "gelu"), ("train", "eval")):
        # train mode with dropout 0, eval mode with dropout 0.3 (ignored in eval)
        p = 0.0 if mode == "train" else 0.3
        kw = dict(dim_feedforward=12, dropout=p, activation=act, batch_first=bf,
                  norm_first=norm_first)
        m = getattr(nn, cls)(6, 2, **kw, dtype=dtype)
        tm = getattr(torch.nn, cls)(6, 2, **kw, dtype=_torch_dtype(torch, dtype))
        _copy_from_torch(m, tm)
        if mode == "eval":
            m.eval()
            tm.eval()
        shape = (2, 4, 6) if bf else (4, 2, 6)
        mshape = (2, 5, 6) if bf else (5, 2, 6)
        arrays = [rng.standard_normal(shape).astype(dtype)]
        if cls == "TransformerDecoderLayer":
            arrays.append(rng.standard_normal(mshape).astype(dtype))
        ours = [ag.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        causal = np.triu(np.full((4, 4), -inf, dtype), 1)
        kpm = rng.random((2, 4)) > 0.6
        kpm[:, 0] = False
        if cls == "TransformerEncoderLayer":
            margs = {"src_mask": causal, "src_key_padding_mask": kpm}
        else:
            mkpm = rng.random((2, 5)) > 0.6
            mkpm[:, 0] = False
            margs = {"tgt_mask": causal, "tgt_key_padding_mask": kpm,
                     "memory_key_padding_mask": mkpm}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = m(*ours, **{n: ag.tensor(a) for n, a in margs.items()})
            tout = tm(*theirs, **{n: torch.tensor(a) for n, a in margs.items()})
        what = f"{cls} norm_first={norm_first} bf={bf} {act} {mode}"
        _assert_close(out, tout, dtype, what)
        g = rng.standard_normal(tuple(out.shape)).astype(dtype)
        (out * ag.tensor(g)).sum().backward()
        (tout * torch.tensor(g)).sum().backward()
        for a, b in zip(ours, theirs):
            _assert_close(a.grad, b.grad, dtype, what + " input grad")
        for (n, p_), (tn, tp) in zip(m.named_parameters(), tm.named_parameters()):
            assert n == tn
            _assert_close(p_.grad, tp.grad, dtype, f"{what} {n}.grad")


@pytest.mark.torch_parity
def test_transformer_matches_torch_with_its_state_dict():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(13)
    for bf in (False, True):
        kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2,
                  dim_feedforward=16, dropout=0.0, batch_first=bf)
        m = nn.Transformer(**kw, dtype=np.float64)
        tm = torch.nn.Transformer(**kw, dtype=torch.float64)
        assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
        _copy_from_torch(m, tm)
        src = rng.standard_normal((3, 6, 8) if bf else (6, 3, 8))
        tgt = rng.standard_normal((3, 5, 8) if bf else (5, 3, 8))
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=np.float64)
        ttgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
        np.testing.assert_array_equal(tgt_mask.numpy(), ttgt_mask.numpy())
        skpm = np.zeros((3, 6), bool)
        skpm[1, 4:] = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = m(_t(src), _t(tgt), tgt_mask=tgt_mask, src_key_padding_mask=ag.tensor(skpm),
                    memory_key_padding_mask=ag.tensor(skpm), tgt_is_causal=True)
            tout = tm(torch.tensor(src), torch.tensor(tgt), tgt_mask=ttgt_mask,
                      src_key_padding_mask=torch.tensor(skpm),
                      memory_key_padding_mask=torch.tensor(skpm), tgt_is_causal=True)
        _assert_close(out, tout, np.float64, f"Transformer bf={bf}")
        (out ** 2).sum().backward()
        (tout ** 2).sum().backward()
        for (n, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
            _assert_close(p.grad, tp.grad, np.float64, f"bf={bf} {n}.grad")


@pytest.mark.torch_parity
def test_error_wording_matches_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda lib: lib.nn.MultiheadAttention(10, 3), AssertionError),
        (lambda lib: lib.nn.MultiheadAttention(0, 3), ValueError),
        (lambda lib: lib.nn.MultiheadAttention(4, -2), ValueError),
        (lambda lib: lib.nn.TransformerEncoderLayer(4, 2, activation="tanh"), RuntimeError),
    ]
    for make, exc in cases:
        with pytest.raises(exc) as ours:
            make(type("lib", (), {"nn": nn}))
        with pytest.raises(exc) as theirs:
            make(torch)
        assert str(ours.value) == str(theirs.value)
    sdpa, tsdpa = F.scaled_dot_product_attention, torch.nn.functional.scaled_dot_product_attention
    q, k, v = (np.ones(s, np.float32) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6)))
    m = np.ones((3, 5), np.int64)
    for args, kw in [((np.ones(3, np.float32), k, v), {}), ((q, k, v.astype(np.float64)), {}),
                     ((q, k, v), {"attn_mask": m}),
                     ((q, k, v), {"attn_mask": m.astype(bool), "is_causal": True})]:
        with pytest.raises(RuntimeError) as ours:
            sdpa(*map(ag.tensor, args), **{n: ag.tensor(a) if isinstance(a, np.ndarray) else a
                                           for n, a in kw.items()})
        with pytest.raises(RuntimeError) as theirs:
            tsdpa(*map(torch.tensor, args), **{n: torch.tensor(a) if isinstance(a, np.ndarray)
                                               else a for n, a in kw.items()})
        assert str(ours.value) == str(theirs.value)


def _params(fn):
    return [(p.name, p.default) for p in inspect.signature(fn).parameters.values()
            if p.name != "self" and p.name != "activation"]


@pytest.mark.torch_parity
def test_signatures_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder",
                 "TransformerDecoderLayer", "TransformerDecoder", "Transformer"):
        ours, theirs = getattr(nn, name), getattr(torch.nn, name)
        assert _params(ours.__init__) == _params(theirs.__init__), name
        assert _params(ours.forward) == _params(theirs.forward), name
    for name in ("scaled_dot_product_attention", "multi_head_attention_forward"):
        theirs = getattr(torch.nn.functional, name)
        try:
            expected = _params(theirs)
        except ValueError:  # a builtin without a signature: its documented one
            expected = [("query", inspect.Parameter.empty), ("key", inspect.Parameter.empty),
                        ("value", inspect.Parameter.empty), ("attn_mask", None),
                        ("dropout_p", 0.0), ("is_causal", False), ("scale", None),
                        ("enable_gqa", False)]
        assert _params(getattr(F, name)) == expected, name
    assert inspect.signature(nn.TransformerEncoderLayer).parameters["activation"].default \
        is F.relu


def _tiny_gpt_losses(torch_like, nn_mod, optim_mod, weights=None, steps=3):
    """A minGPT-style language model written once against PyTorch's API: token and position
    embeddings, a causal TransformerEncoder (pre-norm, GELU), a tied-free head; Adam steps."""

    class TinyGPT(nn_mod.Module):
        def __init__(self, vocab=11, d=8, block=6):
            super().__init__()
            self.tok = nn_mod.Embedding(vocab, d, dtype=torch_like.float64)
            self.pos = nn_mod.Embedding(block, d, dtype=torch_like.float64)
            layer = nn_mod.TransformerEncoderLayer(d, 2, 4 * d, dropout=0.0, activation="gelu",
                                                   batch_first=True, norm_first=True,
                                                   dtype=torch_like.float64)
            self.blocks = nn_mod.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn_mod.Linear(d, vocab, dtype=torch_like.float64)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.tok(idx) + self.pos(torch_like.arange(T))
            mask = nn_mod.Transformer.generate_square_subsequent_mask(T, dtype=torch_like.float64)
            return self.head(self.blocks(x, mask=mask, is_causal=True))

    model = TinyGPT()
    if weights is not None:
        model.load_state_dict(weights)
    opt = optim_mod.Adam(model.parameters(), lr=1e-2)
    data = np.random.default_rng(14).integers(0, 11, (4, 7))
    idx, targets = torch_like.tensor(data[:, :-1]), torch_like.tensor(data[:, 1:])
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        logits = model(idx)
        loss = nn_mod.functional.cross_entropy(logits.reshape(-1, 11), targets.reshape(-1))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, model


@pytest.mark.torch_parity
def test_a_tiny_gpt_program_trains_as_on_torch():
    torch = pytest.importorskip("torch")
    theirs, tmodel = _tiny_gpt_losses(torch, torch.nn, torch.optim, steps=0)
    start = {n: t.detach().numpy().copy() for n, t in tmodel.state_dict().items()}
    theirs, _ = _tiny_gpt_losses(torch, torch.nn, torch.optim, weights={
        n: torch.tensor(a) for n, a in start.items()})
    ours, _ = _tiny_gpt_losses(ag, nn, optim, weights=start)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    assert ours[-1] < ours[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("L, S", [(7, 7), (5, 9), (9, 4)])
@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa_is_causal_equals_the_added_mask_bit_for_bit(dtype, L, S, causal, scale):
    """``is_causal`` and the scale (folded into the softmax kernel) give the numbers and
    gradients of the scaled scores with the explicit top-left ``-inf`` mask (or zeros) added
    (a mask takes the unfolded route: its own multiply and add nodes)."""
    rng = np.random.default_rng(L * S)
    q, k, v = (ag.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
               for s in ((2, 3, L, 8), (2, 3, S, 8), (2, 3, S, 8)))
    bias = np.where(np.tri(L, S, dtype=bool), 0.0, -np.inf) if causal else np.zeros((L, S))
    mask = ag.tensor(bias.astype(dtype))
    g = ag.tensor(rng.standard_normal((2, 3, L, 8)).astype(dtype))
    outs = []
    for kw in (dict(is_causal=causal, scale=scale), dict(attn_mask=mask, scale=scale)):
        y = F.scaled_dot_product_attention(q, k, v, **kw)
        outs.append([y._data] + [t._data for t in ag.autograd.grad(y, [q, k, v], g)])
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)
