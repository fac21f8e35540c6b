"""``nn.functional`` against PyTorch at ordinary points and where rules branch.

About ninety calls (activations, normalisations, losses with their options, interpolation,
padding, pooling, attention) on float64 inputs as drawn, then with a third of the elements
set to 0, to -0.0, to one value (ties) or to large magnitudes: values, first gradients
(plain, and with ``create_graph``, which must agree), and second derivatives where both
libraries have them. Entries where PyTorch's gradient is NaN or inf are not compared (its
NaN at singular points; DIFFERENCES.md lists tapegrad's values there). Found by it and fixed:
``poisson_nll_loss(full=True)``'s target gradient, ``logsigmoid``'s second derivative at 0,
``rrelu``'s gradient at 0.
"""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as AF

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")

import compat_programs as cp  # noqa: E402
TF = torch.nn.functional
MODES = ("plain", "zeros", "negzero", "ties", "big")


@pytest.fixture(autouse=True)
def _float64_by_default():
    # the calls' literal weights (``tensor([1., 2., .5, 3.])``) in the inputs' dtype
    with cp.default_dtype("float64", torch, ag):
        yield


def _lib(tag):
    return torch if tag == "t" else ag


def _fn(tag):
    return TF if tag == "t" else AF


_rng = np.random.default_rng


def tgt_cls(L):
    return _lib(L).tensor([1, 0, 3])


def tgt_cls_ign(L):
    return _lib(L).tensor([1, -100, 3])


def tgt01(L):
    return _lib(L).tensor(_rng(5).integers(0, 2, (3, 4)).astype(np.float64))


def tgt_pm(L):
    return _lib(L).tensor(np.sign(_rng(6).standard_normal(3)))


CALLS = {
 "elu": (lambda L, x: _fn(L).elu(x, 0.7), [(3, 4)]),
 "selu": (lambda L, x: _fn(L).selu(x), [(3, 4)]),
 "celu": (lambda L, x: _fn(L).celu(x, 1.3), [(3, 4)]),
 "hardtanh": (lambda L, x: _fn(L).hardtanh(x, -0.5, 0.5), [(3, 4)]),
 "relu6": (lambda L, x: _fn(L).relu6(x * 4), [(3, 4)]),
 "hardsigmoid": (lambda L, x: _fn(L).hardsigmoid(x * 4), [(3, 4)], False),
 "hardswish": (lambda L, x: _fn(L).hardswish(x * 4), [(3, 4)]),
 "mish": (lambda L, x: _fn(L).mish(x), [(3, 4)]),
 "logsigmoid": (lambda L, x: _fn(L).logsigmoid(x), [(3, 4)]),
 "softsign": (lambda L, x: _fn(L).softsign(x), [(3, 4)]),
 "tanhshrink": (lambda L, x: _fn(L).tanhshrink(x), [(3, 4)]),
 "softshrink": (lambda L, x: _fn(L).softshrink(x, 0.5), [(3, 4)]),
 "hardshrink": (lambda L, x: _fn(L).hardshrink(x, 0.5), [(3, 4)]),
 "threshold": (lambda L, x: _fn(L).threshold(x, 0.1, -2.0), [(3, 4)]),
 "glu": (lambda L, x: _fn(L).glu(x, -1), [(3, 4)]),
 "softmin": (lambda L, x: _fn(L).softmin(x, 1), [(3, 4)]),
 "prelu": (lambda L, x, w: _fn(L).prelu(x, w), [(3, 4), (4,)]),
 "normalize": (lambda L, x: _fn(L).normalize(x, dim=1), [(3, 4)]),
 "cosine_similarity": (lambda L, x, y: _fn(L).cosine_similarity(x, y), [(3, 4), (3, 4)]),
 "pairwise_distance": (lambda L, x, y: _fn(L).pairwise_distance(x, y), [(3, 4), (3, 4)]),
 "pdist": (lambda L, x: _fn(L).pdist(x), [(3, 4)], False),
 "layer_norm": (lambda L, x, w, b: _fn(L).layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)]),
 "group_norm": (lambda L, x, w, b: _fn(L).group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
 "instance_norm": (lambda L, x: _fn(L).instance_norm(x), [(2, 3, 5)]),
 "batch_norm": (lambda L, x, w, b: _fn(L).batch_norm(x, None, None, w, b, training=True), [(5, 3), (3,), (3,)]),
 "rms_norm": (lambda L, x, w: _fn(L).rms_norm(x, (4,), w), [(3, 4), (4,)]),
 "local_response_norm": (lambda L, x: _fn(L).local_response_norm(x, 2), [(2, 4, 3)]),
 "mse": (lambda L, x, y: _fn(L).mse_loss(x, y), [(3, 4), (3, 4)]),
 "l1": (lambda L, x, y: _fn(L).l1_loss(x, y), [(3, 4), (3, 4)]),
 "smooth_l1": (lambda L, x, y: _fn(L).smooth_l1_loss(x, y, beta=0.5), [(3, 4), (3, 4)]),
 "huber": (lambda L, x, y: _fn(L).huber_loss(x, y, delta=0.5), [(3, 4), (3, 4)]),
 "bce": (lambda L, x: _fn(L).binary_cross_entropy(_lib(L).sigmoid(x), tgt01(L)), [(3, 4)]),
 "bce_logits": (lambda L, x: _fn(L).binary_cross_entropy_with_logits(x, tgt01(L), pos_weight=_lib(L).tensor([1., 2., .5, 3.])), [(3, 4)]),
 "ce": (lambda L, x: _fn(L).cross_entropy(x, tgt_cls(L)), [(3, 4)]),
 "ce_ls": (lambda L, x: _fn(L).cross_entropy(x, tgt_cls_ign(L), label_smoothing=0.1, weight=_lib(L).tensor([1., 2., .5, 3.])), [(3, 4)]),
 "ce_prob": (lambda L, x, p: _fn(L).cross_entropy(x, _lib(L).softmax(p, 1), label_smoothing=0.2), [(3, 4), (3, 4)]),
 "nll": (lambda L, x: _fn(L).nll_loss(_lib(L).log_softmax(x, 1), tgt_cls_ign(L), weight=_lib(L).tensor([1., 2., .5, 3.])), [(3, 4)]),
 "kl": (lambda L, x, y: _fn(L).kl_div(_lib(L).log_softmax(x, 1), _lib(L).softmax(y, 1), reduction="batchmean"), [(3, 4), (3, 4)]),
 "kl_log": (lambda L, x, y: _fn(L).kl_div(_lib(L).log_softmax(x, 1), _lib(L).log_softmax(y, 1), reduction="sum", log_target=True), [(3, 4), (3, 4)]),
 "poisson": (lambda L, x, y: _fn(L).poisson_nll_loss(x, y.abs()), [(3, 4), (3, 4)]),
 "poisson_full": (lambda L, x, y: _fn(L).poisson_nll_loss(x.abs() + 0.1, y.abs() * 3, log_input=False, full=True), [(3, 4), (3, 4)]),
 "gaussian_nll": (lambda L, x, y, v: _fn(L).gaussian_nll_loss(x, y, v.abs() + 0.1, full=True), [(3, 4), (3, 4), (3, 4)]),
 "margin_ranking": (lambda L, x, y: _fn(L).margin_ranking_loss(x[:, 0], y[:, 0], tgt_pm(L), margin=0.1), [(3, 4), (3, 4)]),
 "hinge": (lambda L, x: _fn(L).hinge_embedding_loss(x, _lib(L).tensor(np.sign(_rng(7).standard_normal((3, 4))))), [(3, 4)]),
 "soft_margin": (lambda L, x: _fn(L).soft_margin_loss(x, _lib(L).tensor(np.sign(_rng(7).standard_normal((3, 4))))), [(3, 4)]),
 "multilabel_soft_margin": (lambda L, x: _fn(L).multilabel_soft_margin_loss(x, tgt01(L)), [(3, 4)]),
 "multi_margin": (lambda L, x: _fn(L).multi_margin_loss(x, tgt_cls(L), p=2, margin=0.5), [(3, 4)], False),
 "cosine_embedding": (lambda L, x, y: _fn(L).cosine_embedding_loss(x, y, tgt_pm(L), margin=0.2), [(3, 4), (3, 4)]),
 "triplet": (lambda L, a, p, n: _fn(L).triplet_margin_loss(a, p, n, swap=True), [(3, 4), (3, 4), (3, 4)]),
 "interp_bilinear": (lambda L, x: _fn(L).interpolate(x, scale_factor=2, mode="bilinear", align_corners=False), [(1, 2, 3, 3)]),
 "interp_bicubic": (lambda L, x: _fn(L).interpolate(x, size=(5, 4), mode="bicubic", align_corners=True), [(1, 2, 3, 3)]),
 "interp_nearest": (lambda L, x: _fn(L).interpolate(x, size=(5, 7), mode="nearest"), [(1, 2, 3, 3)]),
 "interp_linear": (lambda L, x: _fn(L).interpolate(x, size=7, mode="linear"), [(1, 2, 3)]),
 "interp_area": (lambda L, x: _fn(L).interpolate(x, size=(2, 2), mode="area"), [(1, 2, 5, 5)]),
 "pad_reflect": (lambda L, x: _fn(L).pad(x, (2, 1, 1, 2), mode="reflect"), [(1, 2, 3, 4)]),
 "pad_replicate": (lambda L, x: _fn(L).pad(x, (2, 1, 1, 2), mode="replicate"), [(1, 2, 3, 4)]),
 "pad_circular": (lambda L, x: _fn(L).pad(x, (2, 1, 1, 2), mode="circular"), [(1, 2, 3, 4)]),
 "lp_pool": (lambda L, x: _fn(L).lp_pool2d(x.abs() + 0.1, 2, 2), [(1, 2, 4, 4)]),
 "sdpa": (lambda L, q, k, v: _fn(L).scaled_dot_product_attention(q, k, v, is_causal=True), [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
 "grid_sample": (lambda L, x, g: _fn(L).grid_sample(x, _lib(L).tanh(g), align_corners=False), [(1, 2, 3, 4), (1, 2, 2, 2)]),
 "embedding": (lambda L, w: _fn(L).embedding(_lib(L).tensor([[0, 2], [2, 1]]), w, max_norm=None), [(3, 4)]),
 "unfold": (lambda L, x: _fn(L).unfold(x, 2, stride=1, padding=1), [(1, 2, 3, 3)]),
 "fold": (lambda L, x: _fn(L).fold(x, (3, 3), 2), [(1, 8, 4)]),
 "logsoftmax": (lambda L, x: _fn(L).log_softmax(x, 1), [(3, 4)]),
 "softplus_beta": (lambda L, x: _fn(L).softplus(x, beta=2, threshold=5), [(3, 4)]),
 "gelu_tanh": (lambda L, x: _fn(L).gelu(x, approximate="tanh"), [(3, 4)]),
 "silu": (lambda L, x: _fn(L).silu(x), [(3, 4)]),
 "ctc": (lambda L, x: _fn(L).ctc_loss(_lib(L).log_softmax(x, 2), _lib(L).tensor([[1, 2]]), _lib(L).tensor([5]), _lib(L).tensor([2])), [(5, 1, 4)], False),
 "ln_constrow": (lambda L, x, w, b: _fn(L).layer_norm(x * _lib(L).tensor([[0.], [1.], [1.]]) + 1.0, (4,), w, b), [(3, 4), (4,), (4,)]),
 "gn_constgroup": (lambda L, x, w, b: _fn(L).group_norm(x * _lib(L).tensor([[[0.], [0.], [1.], [1.]], [[1.], [1.], [1.], [1.]]]), 2, w, b), [(2, 4, 3), (4,), (4,)]),
 "bn_constcol": (lambda L, x, w, b: _fn(L).batch_norm(x * _lib(L).tensor([[0., 1., 1.]]) + 2.0, None, None, w, b, training=True), [(5, 3), (3,), (3,)]),
 "in_const": (lambda L, x: _fn(L).instance_norm(x * _lib(L).tensor([[[0.], [1.], [1.]], [[1.], [1.], [1.]]])), [(2, 3, 5)]),
 "cos_zero_row": (lambda L, x, y: _fn(L).cosine_similarity(x * _lib(L).tensor([[0.], [1.], [1.]]), y), [(3, 4), (3, 4)]),
 "pdist_equal": (lambda L, x: _fn(L).pairwise_distance(x, x * _lib(L).tensor([[1.], [1.], [0.5]])), [(3, 4)]),
 "normalize_zero_row": (lambda L, x: _fn(L).normalize(x * _lib(L).tensor([[0.], [1.], [1.]]), dim=1), [(3, 4)]),
 "normalize_p1": (lambda L, x: _fn(L).normalize(x, p=1.0, dim=0), [(3, 4)]),
 "multilabel_margin": (lambda L, x: _fn(L).multilabel_margin_loss(x, _lib(L).tensor([[3, 0, -1, 1], [1, 2, 3, -1], [0, -1, 2, 2]])), [(3, 4)], False),
 "triplet_dist": (lambda L, a, p, n: _fn(L).triplet_margin_with_distance_loss(a, p, n, distance_function=lambda u, v: (u - v).abs().sum(-1), margin=0.5, swap=True), [(3, 4), (3, 4), (3, 4)]),
 "max_unpool": (lambda L, x: _fn(L).max_unpool2d(*_fn(L).max_pool2d(x, 2, return_indices=True), 2), [(1, 2, 4, 4)]),
 "lp_pool1d": (lambda L, x: _fn(L).lp_pool1d(x.abs() + 0.1, 3.0, 2), [(1, 2, 6)]),
 "rrelu_eval": (lambda L, x: _fn(L).rrelu(x, training=False), [(3, 4)]),
 "channel_shuffle": (lambda L, x: _fn(L).channel_shuffle(x, 2), [(1, 4, 2, 2)]),
 "cross_entropy_3d": (lambda L, x: _fn(L).cross_entropy(x, _lib(L).tensor([[1, 0], [2, -100], [0, 1]]).t(), reduction="sum"), [(2, 3, 3)]),
 "nll_2d": (lambda L, x: _fn(L).nll_loss(_lib(L).log_softmax(x, 1), _lib(L).tensor([[[0, 1], [2, 1]]]), reduction="mean"), [(1, 3, 2, 2)]),
 "bce_weight": (lambda L, x: _fn(L).binary_cross_entropy(_lib(L).sigmoid(x), tgt01(L), weight=_lib(L).tensor([1., 2., 0.5, 3.])), [(3, 4)]),
 "l1_sum": (lambda L, x, y: _fn(L).l1_loss(x, y, reduction="sum"), [(3, 4), (3, 4)]),
 "mse_bcast": (lambda L, x, y: _fn(L).mse_loss(x, y.expand(3, 4)), [(3, 4), (1, 4)]),
 "huber_none": (lambda L, x, y: _fn(L).huber_loss(x, y, reduction="none", delta=2.0), [(3, 4), (3, 4)]),
 "softmax_dim0": (lambda L, x: _fn(L).softmax(x, 0), [(3, 4)]),
 "glu0": (lambda L, x: _fn(L).glu(x, 0), [(4, 3)]),
 "hardtanh_edge": (lambda L, x: _fn(L).hardtanh(x.round(), -1.0, 1.0), [(3, 4)]),
 "mha": (lambda L, q, w, b: _fn(L).multi_head_attention_forward(q, q, q, 4, 2, w, b, None, None, False, 0.0, _lib(L).eye(4), _lib(L).zeros(4), training=False, need_weights=False)[0], [(3, 1, 4), (12, 4), (12,)], False),
}


def _inputs(shapes, mode):
    rng = _rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    for a in arrays:
        flat = a.reshape(-1)
        if flat.size < 2 or mode == "plain":
            continue
        idx = rng.choice(flat.size, max(1, flat.size // 3), replace=False)
        sign = rng.choice([-1.0, 1.0], idx.size)
        flat[idx] = {"zeros": 0.0, "negzero": -0.0, "ties": flat[idx[0]],
                     "big": sign * rng.choice([30.0, 90.0, 800.0], idx.size)}[mode]
    return arrays


def _numpy(t):
    if t is None:
        return None
    if isinstance(t, torch.Tensor) and t._is_zerotensor():
        return np.zeros(tuple(t.shape))
    return np.array(t.detach().numpy())


def _run(tag, fn, arrays, create_graph, twice):
    lib = _lib(tag)
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(tag, *xs)
    cot = lib.tensor(_rng(1).standard_normal(tuple(out.shape)))
    grads = lib.autograd.grad((out * cot).sum(), xs, create_graph=create_graph or twice,
                              allow_unused=True)
    second = None
    if twice:
        terms = [(g * lib.tensor(_rng(2 + k).standard_normal(a.shape))).sum()
                 for k, (g, a) in enumerate(zip(grads, arrays))
                 if g is not None and g.requires_grad]
        if terms:
            second = [_numpy(h) for h in lib.autograd.grad(sum(terms), xs, allow_unused=True)]
    return _numpy(out), [_numpy(g) for g in grads], second


def _close(ours, theirs, where, rtol=1e-7):
    if ours is None and theirs is None:
        return
    ours = np.zeros_like(theirs) if ours is None else ours
    theirs = np.zeros_like(ours) if theirs is None else theirs
    assert ours.shape == theirs.shape, where
    keep = np.isfinite(theirs)  # PyTorch's NaN/inf at singular points: not compared
    np.testing.assert_allclose(ours[keep], theirs[keep], rtol=rtol, atol=1e-9, err_msg=where)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_functional_equals_torch(name):
    fn, shapes, *rest = CALLS[name]
    twice = rest[0] if rest else True
    for mode in MODES:
        arrays = _inputs(shapes, mode)
        with np.errstate(all="ignore"):
            theirs = _run("t", fn, arrays, False, False)
            ours = _run("a", fn, arrays, False, False)
            ours_connected = _run("a", fn, arrays, True, twice)
            theirs_second = _run("t", fn, arrays, True, twice)[2] if twice else None
        where = f"{name}, {mode} inputs"
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-7, atol=1e-9, err_msg=where)
        for k, (a, b, c) in enumerate(zip(ours[1], theirs[1], ours_connected[1])):
            _close(a, b, f"{where}, gradient of input {k}")
            _close(c, a, f"{where}, create_graph gradient of input {k}", rtol=1e-9)
        if twice:
            n = len(arrays)
            for k, (a, b) in enumerate(zip(ours_connected[2] or [None] * n,
                                           theirs_second or [None] * n)):
                _close(a, b, f"{where}, second derivative in input {k}")
