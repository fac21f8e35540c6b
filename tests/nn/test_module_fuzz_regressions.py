"""Differences from PyTorch 2.13 in nn modules, functional calls, losses, optimizers and LR
schedulers, found by differential fuzzing (the same module built in both libraries with unusual
but valid arguments) and minimized. Expected values are worked by hand; the torch_parity tests
recompute them with live torch."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd_core as ag
import nn
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


def _torch_backward_takes_the_shortcut(mode, sizes, scales, recompute):
    """PyTorch 2.13's 1-d and 3-d nearest backward kernels copy (or halve the index of) a dim
    whose size is kept (or doubled) even where its forward indexed with floor(dst / scale): its
    gradient is then not the forward's. Ours is."""
    return mode == "nearest" and len(sizes) != 2 and not recompute and any(
        math.floor(n * s) in (n, 2 * n) and s not in (1.0, 2.0) for n, s in zip(sizes, scales))


@pytest.mark.torch_parity
@given(dims=st.integers(1, 3), data=st.data())
def test_interpolate_scale_factor_matches_torch(dims, data):
    torch = pytest.importorskip("torch")
    mode = data.draw(st.sampled_from(_MODES[dims]))
    sizes = data.draw(st.lists(st.integers(1, 6), min_size=dims, max_size=dims))
    scales = data.draw(st.lists(st.sampled_from([0.6, 1.0, 1.1, 1.3, 1.7, 2.0, 2.1, 3.0]),
                                min_size=dims, max_size=dims))
    recompute = data.draw(st.sampled_from([None, False, True]))
    assume(all(math.floor(n * s) > 0 for n, s in zip(sizes, scales)))  # both refuse empty
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
    if not _torch_backward_takes_the_shortcut(mode, sizes, scales, recompute):
        np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)
    # the gradient is the adjoint of the forward (a linear map): <A x2, g> = <x2, A^T g>
    x2 = rng.standard_normal(x.shape)
    lhs = float((F.interpolate(ag.tensor(x2), **kw).numpy() * g).sum())
    np.testing.assert_allclose(lhs, float((x2 * ox.grad.numpy()).sum()), rtol=1e-10)


def test_interpolate_nearest_1d_gradient_follows_its_forward():
    # forward: sources floor(0 / 1.3) = floor(1 / 1.3) = 0, so x[0] gets both gradients
    # (PyTorch 2.13's backward copies instead, its gradient [1, 10] not its forward's)
    x = ag.tensor([[[5.0, 7.0]]], dtype=ag.float64, requires_grad=True)
    F.interpolate(x, scale_factor=1.3).backward(ag.tensor([[[1.0, 10.0]]], dtype=ag.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [[[11.0, 0.0]]])


# Errors for invalid arguments: PyTorch's exception types and wording (found by running the
# same invalid call in both libraries).
_OURS = SimpleNamespace(ag=ag, F=F, nn=nn)


def _x(L, *shape):
    return L.ag.tensor(np.random.default_rng(0).standard_normal(shape))


def _idx(L, *vals):
    return L.ag.tensor(np.array(vals, dtype=np.int64))


ERRORS = [
    ("ce_batch_size", lambda L: L.F.cross_entropy(_x(L, 2, 3), _idx(L, 0, 1, 2)),
     ValueError, r"^Expected input batch_size \(2\) to match target batch_size \(3\)\.$"),
    ("nll_batch_size", lambda L: L.F.nll_loss(_x(L, 2, 3, 4), _idx(L, 0, 1, 2)),
     ValueError, r"^Expected input batch_size \(2\) to match target batch_size \(3\)\.$"),
    ("ce_target_size",
     lambda L: L.F.cross_entropy(_x(L, 2, 3, 4), L.ag.zeros(2, 5, dtype=L.ag.int64)),
     RuntimeError, r"^Expected target size \[2, 4\], got \[2, 5\]$"),
    ("ce_label_smoothing_above_1",
     lambda L: L.F.cross_entropy(_x(L, 2, 3), _idx(L, 0, 1), label_smoothing=1.5),
     RuntimeError, r"^label_smoothing must be between 0\.0 and 1\.0\. Got: 1\.5$"),
    ("triplet_margin_zero",
     lambda L: L.F.triplet_margin_loss(_x(L, 2, 3), _x(L, 2, 3), _x(L, 2, 3), margin=0.0),
     ValueError, r"^margin must be greater than 0, got 0\.0$"),
    ("group_norm_weight_size", lambda L: L.F.group_norm(_x(L, 2, 6, 3), 2, L.ag.ones(4)),
     RuntimeError,
     r"^Expected weight to be a vector of size equal to the number of channels in input, but "
     r"got weight of shape \[4\] and input of shape \[2, 6, 3\]$"),
    ("group_norm_bias_size", lambda L: L.F.group_norm(_x(L, 2, 6, 3), 2, None, L.ag.ones(3)),
     RuntimeError, r"^Expected bias to be a vector of size equal to the number of channels"),
    ("interpolate_2d_input", lambda L: L.F.interpolate(_x(L, 1, 4), size=3),
     NotImplementedError, r"^Input Error: Only 3D, 4D and 5D input Tensors supported \(got 2D\)"),
    ("interpolate_6d_input", lambda L: L.F.interpolate(_x(L, 1, 1, 1, 1, 1, 4), size=3),
     NotImplementedError, r"\(got 6D\)"),
    ("interpolate_empty_1d", lambda L: L.F.interpolate(_x(L, 1, 1, 4), size=0),
     RuntimeError, r"^Input and output sizes should be greater than 0, but got input \(W: 4\) "
                   r"and output \(W: 0\)$"),
    ("interpolate_empty_2d",
     lambda L: L.F.interpolate(_x(L, 1, 1, 4, 4), size=(2, 0), mode="bilinear"),
     RuntimeError, r"got input \(H: 4, W: 4\) output \(H: 2, W: 0\)$"),
    ("interpolate_empty_scale", lambda L: L.F.interpolate(_x(L, 1, 1, 4), scale_factor=0.1),
     RuntimeError, r"output \(W: 0\)$"),
    ("ce_probabilities_ignore_index",
     lambda L: L.F.cross_entropy(_x(L, 2, 3), L.ag.ones(2, 3, dtype=L.ag.float64) / 3,
                                 ignore_index=0),
     RuntimeError, r"^ignore_index is not supported for floating point target$"),
    ("prelu_1d_input_many_slopes",
     lambda L: L.F.prelu(_x(L, 3), L.ag.ones(3, dtype=L.ag.float64)),
     RuntimeError, r"^Mismatch of parameter numbers and input channel size\. Found parameter "
                   r"numbers = 3 and channel size = 1\.$"),
    ("layer_norm_weight_shape", lambda L: L.F.layer_norm(_x(L, 2, 3), (3,), _x(L, 1, 3)),
     RuntimeError, r"^Expected weight to be of same shape as normalized_shape, but got weight "
                   r"of shape \[1, 3\] and normalized_shape = \[3\]$"),
    ("layer_norm_bias_shape", lambda L: L.F.layer_norm(_x(L, 2, 3), (3,), None, _x(L, 2)),
     RuntimeError, r"^Expected bias to be of same shape as normalized_shape, but got bias of "
                   r"shape \[2\]"),
    ("embedding_1d_weight", lambda L: L.F.embedding(_idx(L, 0), L.ag.ones(3)),
     RuntimeError, r"^'weight' must be 2-D$"),
    ("lstm_cell_hx_not_a_tuple", lambda L: L.nn.LSTMCell(3, 4)(_x(L, 2, 3), _x(L, 2, 4)),
     TypeError, r"^lstm_cell\(\): argument 'hx' \(position 2\) must be tuple of Tensors, "
                r"not Tensor$"),
    ("mse_loss_integers", lambda L: L.F.mse_loss(_idx(L, 1, 2), _idx(L, 1, 3)),
     NotImplementedError, r"^\"mse_cpu\" not implemented for"),
]


@pytest.mark.parametrize("name,call,exc,match", ERRORS, ids=[e[0] for e in ERRORS])
def test_invalid_arguments_raise_pytorchs_error(name, call, exc, match):
    with pytest.raises(exc, match=match):
        call(_OURS)


def test_cross_entropy_negative_label_smoothing_smooths_nothing():
    # PyTorch checks only label_smoothing > 1; a negative value is no smoothing at all
    x = ag.tensor([[0.0, math.log(3.0)], [0.0, 0.0]], dtype=ag.float64)
    t = _idx(_OURS, 1, 0)
    got = F.cross_entropy(x, t, label_smoothing=-0.5, reduction="none").numpy()
    np.testing.assert_allclose(got, [math.log(4 / 3), math.log(2.0)], rtol=1e-14)
    probs = ag.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=ag.float64)
    got = F.cross_entropy(x, probs, label_smoothing=-0.5, reduction="none").numpy()
    np.testing.assert_allclose(got, [math.log(4 / 3), math.log(2.0)], rtol=1e-14)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,call,exc,match", ERRORS, ids=[e[0] for e in ERRORS])
def test_invalid_arguments_raise_what_torch_raises(name, call, exc, match):
    torch = pytest.importorskip("torch")
    with pytest.raises(exc, match=match):
        call(SimpleNamespace(ag=torch, F=torch.nn.functional, nn=torch.nn))


# Gradients at a zero vector. PyTorch clamps cosine_similarity's norms at eps without
# differentiating the clamp, and differentiates pairwise_distance's norm as 0 at a zero distance;
# ours composed sqrt(sum(x * x)) and gave NaN there.
def test_cosine_similarity_gradient_at_a_zero_vector():
    a = ag.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([[1.0, 1.0], [0.0, 0.0]], dtype=ag.float64, requires_grad=True)
    F.cosine_similarity(a, b, eps=1e-8).sum().backward()
    # d/da (a / eps) . (b / |b|) at a = 0: (b / |b|) / eps; the other row's b is 0: its a-gradient
    # is 0 and its b-gradient (a / |a|) / eps
    r = 1 / math.sqrt(2) / 1e-8
    np.testing.assert_allclose(a.grad.numpy(), [[r, r], [0.0, 0.0]], rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), [[0.0, 0.0], [0.6e8, 0.8e8]], rtol=1e-12)


def test_cosine_similarity_gradient_below_eps_is_the_unclamped_norms():
    # |a| = 5e-9 < eps: value a . b / (eps |b|); the gradient goes through a / n with n's value
    # eps and n's gradient a / |a| (not through the clamp): (b/|b|) / eps - a (a.b/|b|) / (eps^2 |a|)
    av, bv, eps = np.array([3e-9, -4e-9]), np.array([1.0, 2.0]), 1e-8
    a = ag.tensor(av[None], requires_grad=True)
    F.cosine_similarity(a, ag.tensor(bv[None]), eps=eps).sum().backward()
    nb, na = np.linalg.norm(bv), np.linalg.norm(av)
    expected = bv / nb / eps - av * (av @ bv / nb) / (eps**2 * na)
    np.testing.assert_allclose(a.grad.numpy()[0], expected, rtol=1e-9)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, math.inf])
def test_pairwise_distance_gradient_at_zero_distance_is_zero(p):
    a = ag.tensor([[1.0, 2.0], [0.0, 1.0]], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([[1.0, 2.0], [3.0, 5.0]], dtype=ag.float64)
    d = F.pairwise_distance(a, b, p=p, eps=0.0)
    d.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy()[0], [0.0, 0.0])
    # the other row: |(-3, -4)|_p and its gradient sign(d) |d|^(p-1) / |d|_p^(p-1)
    dv = np.array([-3.0, -4.0])
    if p == math.inf:
        norm, grad = 4.0, np.array([0.0, -1.0])
    else:
        norm = (np.abs(dv) ** p).sum() ** (1 / p)
        grad = np.sign(dv) * np.abs(dv) ** (p - 1) / norm ** (p - 1)
    np.testing.assert_allclose(d.detach().numpy(), [0.0, norm], rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy()[1], grad, rtol=1e-12)


def test_triplet_margin_loss_with_swap_and_zero_eps_is_finite():
    a = ag.tensor([[1.0, 2.0]], dtype=ag.float64, requires_grad=True)
    pos = ag.tensor([[1.0, 2.0]], dtype=ag.float64)
    neg = ag.tensor([[0.0, 2.0]], dtype=ag.float64)
    F.triplet_margin_loss(a, pos, neg, swap=True, eps=0.0).backward()
    # d(a, p) = 0 (gradient 0); d_neg = min(d(a, n), d(p, n)) = 1, the tie going to d(a, n)
    # half-and-half: -0.5 * (a - n) / |a - n| = (-0.5, 0)
    np.testing.assert_allclose(a.grad.numpy(), [[-0.5, 0.0]], rtol=1e-12)


def test_prelu_one_slope_on_a_1d_input_still_works():
    got = F.prelu(ag.tensor([-2.0, 3.0]), ag.tensor([0.25]))
    np.testing.assert_allclose(got.numpy(), [-0.5, 3.0])


@pytest.mark.torch_parity
@pytest.mark.parametrize("zero", [True, False])
def test_distance_gradients_match_torch(zero):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3))
    y = x.copy() if zero else rng.standard_normal((4, 3))
    y[1] = rng.standard_normal(3)
    x[2] = 0.0
    for fn in ("cosine_similarity", "pairwise_distance"):
        for p in ([2.0, 1.0, 3.0, math.inf] if fn == "pairwise_distance" else [None]):
            kw = {} if p is None else dict(p=p, eps=0.0)
            tx, ty = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
            getattr(torch.nn.functional, fn)(tx, ty, **kw).sum().backward()
            ox, oy = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
            getattr(F, fn)(ox, oy, **kw).sum().backward()
            np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(oy.grad.numpy(), ty.grad.numpy(), rtol=1e-9, atol=1e-12)


# An empty batch: multi_head_attention_forward reshaped with -1, which a tensor of 0 elements
# cannot resolve; PyTorch's modules return empty outputs (and gradients).
@pytest.mark.parametrize("make,shape", [
    (lambda: nn.MultiheadAttention(4, 2), (3, 0, 4)),
    (lambda: nn.MultiheadAttention(4, 2, batch_first=True), (0, 3, 4)),
    (lambda: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), (3, 0, 4)),
])
def test_attention_on_an_empty_batch(make, shape):
    m = make()
    x = ag.zeros(*shape, requires_grad=True)
    out = m(x, x, x) if isinstance(m, nn.MultiheadAttention) else m(x)
    out = out[0] if isinstance(out, tuple) else out
    assert tuple(out.shape) == shape
    out.sum().backward()
    assert tuple(x.grad.shape) == shape


# A state_dict without num_batches_tracked (a checkpoint from before PyTorch had it, a dict
# built by hand or converted from another framework): PyTorch's norm layers keep the current
# count and report nothing missing; ours refused it under strict=True.
def test_norm_layers_load_a_state_dict_without_num_batches_tracked():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2),
                          nn.InstanceNorm1d(2, track_running_stats=True))
    model[1](ag.randn(4, 2))  # one training step: num_batches_tracked is 1
    state = {k: v for k, v in model.state_dict().items() if "num_batches_tracked" not in k}
    state["1.running_mean"] = np.array([0.5, -0.5])
    result = model.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(model[1].running_mean.numpy(), [0.5, -0.5])
    assert int(model[1].num_batches_tracked) == 1 and int(model[2].num_batches_tracked) == 0
    # any other missing key is still reported
    del state["1.running_mean"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "1\.running_mean"'):
        model.load_state_dict(state)


# Re-assigning a registered name (a parameter, a buffer, a child module) keeps its place in the
# order, as in PyTorch; ours removed it and appended it, so `seq[0] = layer` moved the layer to
# the end (the Sequential then ran in another order) and state_dict/parameters() orders, which
# optimizers and checkpoints index by, changed.
def test_sequential_setitem_keeps_the_position():
    seq = nn.Sequential(nn.ReLU(), nn.Sigmoid())
    seq[0] = nn.Tanh()
    assert [type(m).__name__ for m in seq] == ["Tanh", "Sigmoid"]
    x = ag.tensor([-1.0, 2.0], dtype=ag.float64)
    # sigmoid(tanh(x)) (the other order, tanh(sigmoid(x)), gives 0.2645 and 0.7050)
    np.testing.assert_allclose(seq(x).numpy(), 1 / (1 + np.exp(-np.tanh([-1.0, 2.0]))),
                               rtol=1e-15)
    seq.add_module("0", nn.ReLU())  # re-registering a name keeps its place too
    assert [type(m).__name__ for m in seq] == ["ReLU", "Sigmoid"]


def test_reassigned_parameters_buffers_and_children_keep_their_order():
    lin = nn.Linear(2, 3)
    lin.weight = nn.Parameter(ag.ones(3, 2))
    assert list(lin.state_dict()) == ["weight", "bias"]
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    lin.weight = None
    lin.weight = nn.Parameter(ag.ones(3, 2))
    assert list(lin.state_dict()) == ["weight", "bias"]
    bn = nn.BatchNorm1d(2)
    bn.register_buffer("running_mean", ag.ones(2))
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    blocks = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()})
    blocks["a"] = nn.Sigmoid()
    assert list(blocks.keys()) == ["a", "b"]
    params = nn.ParameterDict({"a": nn.Parameter(ag.ones(1)), "b": nn.Parameter(ag.ones(1))})
    params["a"] = nn.Parameter(ag.zeros(1))
    assert list(params.keys()) == ["a", "b"]
    # deleting first and assigning again appends, as in PyTorch
    del lin.weight
    lin.weight = nn.Parameter(ag.ones(3, 2))
    assert list(lin.state_dict()) == ["bias", "weight"]


# torch.nn.Sequential's pop and repetition, which ported programs call (they were missing).
def test_sequential_pop_and_repeat():
    relu, tanh, sig = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    seq = nn.Sequential(relu, tanh, sig)
    assert seq.pop(1) is tanh
    assert list(seq._modules.items()) == [("0", relu), ("1", sig)]
    popped = seq.pop(slice(0, 2))
    assert isinstance(popped, nn.Sequential) and list(popped) == [relu, sig] and len(seq) == 0
    seq = nn.Sequential(relu, tanh)
    assert list(seq * 2) == [relu, tanh, relu, tanh] and list(2 * seq) == list(seq * 2)
    seq *= 3
    assert list(seq._modules) == ["0", "1", "2", "3", "4", "5"] and seq[4] is relu
    with pytest.raises(ValueError, match="Non-positive multiplication factor 0"):
        seq * 0
    with pytest.raises(TypeError, match="unsupported operand"):
        seq * 1.5


# Forward hooks with PyTorch's keywords (prepend, with_kwargs, always_call), which ported
# programs pass; ours took the hook only (TypeError).
class _Scale(nn.Module):
    def forward(self, x, factor=1.0):
        if factor == 0:
            raise ValueError("factor 0")
        return x * factor


def test_forward_pre_hook_with_kwargs_and_prepend():
    m, order = _Scale(), []
    m.register_forward_pre_hook(lambda mod, args: order.append("first"))
    h = m.register_forward_pre_hook(
        lambda mod, args, kwargs: (order.append("prepended"), (args, {"factor": 3.0}))[1],
        with_kwargs=True, prepend=True)
    out = m(ag.tensor([2.0]), factor=5.0)
    assert order == ["prepended", "first"] and out.numpy().tolist() == [6.0]
    h.remove()
    assert m(ag.tensor([2.0]), factor=5.0).numpy().tolist() == [10.0]
    assert not m._forward_pre_hooks_with_kwargs  # the flag goes with the hook
    m.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, "):
        m(ag.tensor([2.0]))


def test_forward_hook_with_kwargs_prepend_and_always_call():
    m, seen = _Scale(), []
    m.register_forward_hook(lambda mod, args, out: out + 1)
    m.register_forward_hook(lambda mod, args, kwargs, out: seen.append((kwargs, out.tolist())),
                            with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: out * 10, prepend=True)
    # (2 * 4) * 10 + 1: the prepended hook runs first, the kwargs hook sees the final output
    assert m(ag.tensor([2.0]), factor=4.0).numpy().tolist() == [81.0]
    assert seen == [({"factor": 4.0}, [81.0])]
    calls = []
    m.register_forward_hook(lambda mod, args, out: calls.append(out), always_call=True)
    with pytest.raises(ValueError, match="factor 0"):
        m(ag.tensor([2.0]), factor=0)
    assert calls == [None]  # run with output None, then the error propagates
