"""Issue 12's second batch of torch.nn names (normalize, glu, softmin, the shrinks, threshold,
rms_norm, pdist, and the margin/embedding losses): hand-worked values, float64 gradchecks of
the compositions, errors in PyTorch's words, and values + gradients against PyTorch 2.13."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 6))
X3 = RNG.standard_normal((2, 3, 4))
Y = RNG.standard_normal((4, 6))
SIGN = np.array([1.0, -1.0, -1.0, 1.0])

# (name, fn(F, *inputs), inputs, differentiable input indices)
CASES = [
    ("normalize", lambda f, x: f.normalize(x), [X]),
    ("normalize_p1_dim0", lambda f, x: f.normalize(x, p=1, dim=0), [X]),
    ("normalize_3d", lambda f, x: f.normalize(x, p=3.0, dim=-1), [X3]),
    ("glu", lambda f, x: f.glu(x), [X]),
    ("glu_dim0", lambda f, x: f.glu(x, dim=0), [X]),
    ("softmin", lambda f, x: f.softmin(x, dim=1), [X]),
    ("softmin_dim0", lambda f, x: f.softmin(x, 0), [X3]),
    ("hardshrink", lambda f, x: f.hardshrink(x, 0.7), [X]),
    ("softshrink", lambda f, x: f.softshrink(x, 0.3), [X]),
    ("threshold", lambda f, x: f.threshold(x, 0.1, -2.0), [X]),
    ("rms_norm", lambda f, x: f.rms_norm(x, [6]), [X]),
    ("rms_norm_w", lambda f, x, w: f.rms_norm(x, (3, 4), w, eps=1e-3), [X3, X[:3, :4]]),
    ("pdist", lambda f, x: f.pdist(x), [X]),
    ("pdist_p1", lambda f, x: f.pdist(x, p=1), [X]),
    ("pdist_p3", lambda f, x: f.pdist(x, p=3.5), [X]),
    ("pdist_inf", lambda f, x: f.pdist(x, p=float("inf")), [X]),
]
for _red in ("none", "mean", "sum"):
    CASES += [
        (f"soft_margin_{_red}", lambda f, x, r=_red: f.soft_margin_loss(
            x, ag_or_torch(f, np.sign(Y)), reduction=r), [X]),
        (f"hinge_embedding_{_red}", lambda f, x, r=_red: f.hinge_embedding_loss(
            x, ag_or_torch(f, np.sign(Y)), margin=0.5, reduction=r), [X]),
        (f"multilabel_soft_margin_{_red}", lambda f, x, r=_red: f.multilabel_soft_margin_loss(
            x, ag_or_torch(f, (Y > 0).astype(float)), reduction=r), [X]),
        (f"multilabel_soft_margin_w_{_red}", lambda f, x, r=_red: f.multilabel_soft_margin_loss(
            x, ag_or_torch(f, (Y > 0).astype(float)), weight=ag_or_torch(f, np.arange(6.0)),
            reduction=r), [X]),
        (f"cosine_embedding_{_red}", lambda f, a, b, r=_red: f.cosine_embedding_loss(
            a, b, ag_or_torch(f, SIGN), margin=0.2, reduction=r), [X, Y]),
        (f"multi_margin_{_red}", lambda f, x, r=_red: f.multi_margin_loss(
            x, ag_or_torch(f, np.array([0, 5, 2, 2])), reduction=r), [X]),
        (f"multi_margin_p2w_{_red}", lambda f, x, r=_red: f.multi_margin_loss(
            x, ag_or_torch(f, np.array([1, 3, 0, 2])), p=2, margin=0.7,
            weight=ag_or_torch(f, np.linspace(0.5, 2, 6)), reduction=r), [X]),
        (f"multilabel_margin_{_red}", lambda f, x, r=_red: f.multilabel_margin_loss(
            x, ag_or_torch(f, np.array([[3, 0, -1, 1, 0, 0], [1, 2, 5, 4, 0, 3],
                                        [-1, 0, 0, 0, 0, 0], [2, -1, 4, 0, 0, 0]])),
            reduction=r), [X]),
        (f"triplet_distance_{_red}", lambda f, a, p, n, r=_red:
         f.triplet_margin_with_distance_loss(a, p, n, reduction=r), [X, Y, X[::-1] * 0.5]),
        (f"triplet_distance_cos_swap_{_red}", lambda f, a, p, n, r=_red:
         f.triplet_margin_with_distance_loss(
             a, p, n, distance_function=lambda u, v: 1.0 - f.cosine_similarity(u, v),
             margin=0.5, swap=True, reduction=r), [X, Y, X[::-1] * 0.5]),
    ]
CASES += [
    ("soft_margin_1d", lambda f, x: f.soft_margin_loss(x, ag_or_torch(f, SIGN)), [X[:, 0]]),
    ("multi_margin_1d", lambda f, x: f.multi_margin_loss(x, ag_or_torch(f, np.array(3))),
     [X[0]]),
    ("multilabel_margin_1d", lambda f, x: f.multilabel_margin_loss(
        x, ag_or_torch(f, np.array([2, 0, -1, 1, 1, 1]))), [X[0]]),
    ("cosine_embedding_1d", lambda f, a, b: f.cosine_embedding_loss(
        a, b, ag_or_torch(f, np.array(-1.0))), [X[0], Y[0]]),
]


def ag_or_torch(f, arr):
    """``arr`` as a tensor of the library ``f`` belongs to (ours or torch's)."""
    if f is F:
        return ag.tensor(arr)
    import torch
    return torch.tensor(arr)


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_values_and_gradients_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, fn, arrays = case
    mine = [ag.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    ref = [torch.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays]
    out, rout = fn(F, *mine), fn(torch.nn.functional, *ref)
    assert tuple(out.shape) == tuple(rout.shape), name
    np.testing.assert_allclose(out._data, rout.detach().numpy(), rtol=1e-11, atol=1e-12,
                               err_msg=name)
    w = np.random.default_rng(2).standard_normal(tuple(rout.shape))
    (out * ag.tensor(w)).sum().backward()
    (rout * torch.tensor(w)).sum().backward()
    for t, r in zip(mine, ref):
        np.testing.assert_allclose(t.grad._data, r.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


# the kinks (|x| = lambd, x = threshold, a hinge at 0) are away from these inputs
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_gradcheck(case):
    _, fn, arrays = case
    xs = tuple(ag.tensor(np.ascontiguousarray(a), requires_grad=True) for a in arrays)
    assert ag.gradcheck(lambda *t: fn(F, *t), xs)


def test_hand_worked_values():
    v = ag.tensor([[3.0, 4.0], [0.0, 0.0]], dtype=ag.float64)
    np.testing.assert_allclose(F.normalize(v)._data, [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(F.normalize(v, p=1, dim=1)._data, [[3 / 7, 4 / 7], [0, 0]])
    # a * sigmoid(b): sigmoid(0) = 1/2
    assert F.glu(ag.tensor([4.0, 0.0])).tolist() == [2.0]
    np.testing.assert_allclose(F.softmin(ag.tensor([0.0, np.log(3.0)]), 0)._data, [0.75, 0.25])
    x = ag.tensor([-2.0, -0.5, 0.25, 0.5, 1.0])
    assert F.hardshrink(x).tolist() == [-2.0, 0.0, 0.0, 0.0, 1.0]
    assert F.softshrink(x).tolist() == [-1.5, 0.0, 0.0, 0.0, 0.5]
    assert F.threshold(x, 0.25, 9.0).tolist() == [9.0, 9.0, 9.0, 0.5, 1.0]
    # rms of (3, 4) is sqrt(12.5)
    np.testing.assert_allclose(F.rms_norm(ag.tensor([3.0, 4.0]), 2, eps=0.0)._data,
                               np.array([3.0, 4.0]) / np.sqrt(12.5))
    # eps=None is the dtype's machine epsilon
    tiny = ag.tensor([0.0, 0.0, 1e-9], dtype=ag.float32)
    np.testing.assert_allclose(F.rms_norm(tiny, [3])._data,
                               [0, 0, 1e-9 / np.sqrt(1e-18 / 3 + np.finfo(np.float32).eps)],
                               rtol=1e-6)
    rows = ag.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    np.testing.assert_allclose(F.pdist(rows)._data, [5.0, 1.0, np.sqrt(18.0)])
    np.testing.assert_allclose(F.pdist(rows, p=1)._data, [7.0, 1.0, 6.0])
    np.testing.assert_allclose(F.pdist(rows, p=0)._data, [2.0, 1.0, 2.0])
    assert F.pdist(ag.ones(1, 3)).shape == (0,)


def test_preserve_dtype_and_shapes():
    x = ag.randn(2, 4, dtype=ag.float32)
    for y in (F.normalize(x), F.glu(x), F.softmin(x, 1), F.hardshrink(x), F.softshrink(x),
              F.threshold(x, 0.0, 1.0), F.rms_norm(x, [4]), F.pdist(x)):
        assert y.dtype == ag.float32
    assert F.glu(ag.zeros(3, 4, 2), dim=1).shape == (3, 2, 2)


def test_gradient_at_zero_vectors_is_finite():
    x = ag.zeros(2, 3, dtype=ag.float64, requires_grad=True)
    F.normalize(x).sum().backward()
    assert np.isfinite(x.grad._data).all()
    y = ag.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 0.0]], requires_grad=True)
    F.pdist(y).sum().backward()
    assert np.isfinite(y.grad._data).all()


def test_errors_in_pytorch_words():
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 "
                                           "is size 3"):
        F.glu(ag.zeros(2, 3))
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        F.glu(ag.tensor(1.0))
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0, but found "
                                           "to be -1.0."):
        F.softshrink(ag.zeros(2), -1.0)
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[3\], expected input with "
                                           r"shape \[\*, 3\], but got input of size \[2, 4\]"):
        F.rms_norm(ag.zeros(2, 4), [3])
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        F.pdist(ag.zeros(2, 2, 2))
    with pytest.raises(RuntimeError, match="pdist only supports non-negative p values"):
        F.pdist(ag.zeros(2, 2), p=-1)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        F.softmin(ag.zeros(2, 2))


def test_modules_and_reprs():
    assert repr(nn.GLU()) == "GLU(dim=-1)"
    assert repr(nn.Softmin(dim=1)) == "Softmin(dim=1)"
    assert repr(nn.Hardshrink()) == "Hardshrink(0.5)"
    assert repr(nn.Softshrink(0.25)) == "Softshrink(0.25)"
    assert repr(nn.Threshold(0.1, 20)) == "Threshold(threshold=0.1, value=20)"
    assert repr(nn.Threshold(0.1, 20, inplace=True)) == \
        "Threshold(threshold=0.1, value=20, inplace=True)"
    assert repr(nn.RMSNorm([2, 3], eps=1e-5, elementwise_affine=False)) == \
        "RMSNorm((2, 3), eps=1e-05, elementwise_affine=False)"
    m = nn.RMSNorm(4, dtype=ag.float64)
    assert m.weight.shape == (4,) and m.weight.dtype == ag.float64
    assert m.weight.tolist() == [1.0] * 4
    assert [n for n, _ in nn.RMSNorm(4, elementwise_affine=False).named_parameters()] == []
    x = ag.tensor(X)
    for mod, fn in [(nn.GLU(0), lambda t: F.glu(t, 0)), (nn.Softmin(1), lambda t: F.softmin(t, 1)),
                    (nn.Hardshrink(0.2), lambda t: F.hardshrink(t, 0.2)),
                    (nn.Softshrink(0.2), lambda t: F.softshrink(t, 0.2)),
                    (nn.Threshold(0.0, 3.0), lambda t: F.threshold(t, 0.0, 3.0)),
                    (nn.RMSNorm(6, dtype=ag.float64), lambda t: F.rms_norm(t, [6]))]:
        np.testing.assert_array_equal(mod(x)._data, fn(x)._data)


@pytest.mark.torch_parity
def test_rms_norm_module_equals_torch_in_float32():
    torch = pytest.importorskip("torch")
    m, tm = nn.RMSNorm((3, 4)), torch.nn.RMSNorm((3, 4))
    assert repr(m) == repr(tm)
    x = X3.astype(np.float32)
    mine, ref = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    m(mine).sum().backward()
    tm(ref).sum().backward()
    np.testing.assert_allclose(m(mine)._data, tm(ref).detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine.grad._data, ref.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(m.weight.grad._data, tm.weight.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_losses_hand_worked():
    # log(1 + e^0) = log 2; log(1 + e^2)
    np.testing.assert_allclose(
        F.soft_margin_loss(ag.tensor([0.0, 2.0]), ag.tensor([1.0, -1.0]), reduction="none")._data,
        [np.log(2), np.log1p(np.exp(2))], rtol=1e-6)
    # target 1 keeps the distance, -1 hinges it at the margin
    assert F.hinge_embedding_loss(ag.tensor([0.5, 0.5, 3.0]), ag.tensor([1.0, -1.0, -1.0]),
                                  margin=2.0, reduction="sum").item() == 0.5 + 1.5 + 0.0
    # logistic loss at 0 is log 2 for every label, averaged over the labels
    np.testing.assert_allclose(F.multilabel_soft_margin_loss(
        ag.zeros(2, 3), ag.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]), reduction="none")._data,
        [np.log(2)] * 2, rtol=1e-6)
    # weights scale each label's term before the mean over labels
    np.testing.assert_allclose(F.multilabel_soft_margin_loss(
        ag.zeros(1, 2), ag.ones(1, 2), weight=ag.tensor([1.0, 3.0]))._data, 2 * np.log(2),
        rtol=1e-6)
    # cos 45 degrees; target 1: 1 - cos, target -1: max(0, cos - margin)
    a, b = ag.tensor([[1.0, 0.0], [1.0, 0.0]]), ag.tensor([[1.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(F.cosine_embedding_loss(
        a, b, ag.tensor([1.0, -1.0]), margin=0.5, reduction="none")._data,
        [1 - np.sqrt(0.5), np.sqrt(0.5) - 0.5], rtol=1e-6)
    # class 3 scores 0.8: hinges 1 - 0.8 + {0.1, 0.2, 0.4} = {0.3, 0.4, 0.6}, over C = 4
    x = ag.tensor([[0.1, 0.2, 0.4, 0.8]], dtype=ag.float64)
    np.testing.assert_allclose(F.multi_margin_loss(x, ag.tensor([3]))._data, 1.3 / 4)
    np.testing.assert_allclose(F.multi_margin_loss(x, ag.tensor([3]), p=2)._data,
                               (0.09 + 0.16 + 0.36) / 4)
    np.testing.assert_allclose(F.multi_margin_loss(x, ag.tensor([3]),
                                                   weight=ag.tensor([1.0, 1, 1, 2]))._data,
                               2 * 1.3 / 4)
    # targets {3, 0} against {1, 2}: (1-0.8+0.2) + (1-0.8+0.4) + (1-0.1+0.2) + (1-0.1+0.4)
    np.testing.assert_allclose(F.multilabel_margin_loss(x, ag.tensor([[3, 0, -1, 1]]))._data,
                               (0.4 + 0.6 + 1.1 + 1.3) / 4)
    # nothing listed: no loss
    assert F.multilabel_margin_loss(x, ag.tensor([[-1, 3, 0, 1]])).item() == 0.0
    a, pos, neg = ag.zeros(1, 2), ag.tensor([[3.0, 4.0]]), ag.tensor([[6.0, 8.0]])
    l1 = lambda u, v: (u - v).abs().sum(-1)  # noqa: E731
    assert F.triplet_margin_with_distance_loss(a, neg, pos, distance_function=l1).item() == 8.0
    assert F.triplet_margin_with_distance_loss(a, pos, neg, distance_function=l1).item() == 0.0
    # swap: d(p, n) = 5 < d(a, n) = 10
    assert F.triplet_margin_with_distance_loss(a, pos, neg, distance_function=l1, swap=True,
                                               margin=2.0).item() == 0.0 + 2.0 + 7.0 - 7.0


def test_loss_errors_in_pytorch_words():
    x = ag.zeros(2, 5)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(x, ag.tensor([1, 2]), p=3)
    with pytest.raises(RuntimeError, match="target out of range"):
        F.multi_margin_loss(x, ag.tensor([1, 5]))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2\], but got \[3\]"):
        F.multi_margin_loss(x, ag.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="weight must be one-dimensional"):
        F.multi_margin_loss(x, ag.tensor([1, 2]), weight=ag.ones(1, 5))
    with pytest.raises(RuntimeError, match=r"inconsistent target size: \[2, 4\] for input of "
                                           r"size: \[2, 5\]"):
        F.multilabel_margin_loss(x, ag.zeros(2, 4, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="'target' is out of range"):
        F.multilabel_margin_loss(x, ag.tensor([[7, -1, 0, 0, 0], [0, -1, 0, 0, 0]]))
    with pytest.raises(RuntimeError, match=r"0D target tensor expects 1D input tensors, but "
                                           r"found inputs with sizes \[2, 5\] and \[2, 5\]."):
        F.cosine_embedding_loss(x, x, ag.tensor(1.0))
    with pytest.raises(ValueError, match="margin must be greater than 0, got 0"):
        F.triplet_margin_with_distance_loss(x, x, x, margin=0)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_with_distance_loss(x, x, ag.zeros(5))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.soft_margin_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="expected margin to be greater than 0, got -1 instead"):
        nn.TripletMarginWithDistanceLoss(margin=-1)
    with pytest.raises(ValueError, match="expected weight to be None or 1D tensor, got 2D"):
        nn.MultiMarginLoss(weight=ag.ones(2, 2))
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)


def test_legacy_reduction_arguments():
    x, y = ag.tensor(X), ag.tensor(np.sign(Y))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        summed = F.soft_margin_loss(x, y, size_average=False)
    np.testing.assert_allclose(summed._data, F.soft_margin_loss(x, y, reduction="sum")._data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = nn.HingeEmbeddingLoss(reduce=False)
    assert m.reduction == "none"


# (module, functional twin, inputs)
LOSS_MODULES = [
    (lambda m: m.SoftMarginLoss(reduction="sum"),
     lambda x, y: F.soft_margin_loss(x, y, reduction="sum"), [X, np.sign(Y)]),
    (lambda m: m.HingeEmbeddingLoss(margin=0.3), lambda x, y: F.hinge_embedding_loss(x, y, 0.3),
     [X, np.sign(Y)]),
    (lambda m: m.MultiLabelSoftMarginLoss(weight=ag.tensor(np.arange(6.0))),
     lambda x, y: F.multilabel_soft_margin_loss(x, y, weight=ag.tensor(np.arange(6.0))),
     [X, (Y > 0) * 1.0]),
    (lambda m: m.CosineEmbeddingLoss(margin=0.1, reduction="none"),
     lambda a, b, y: F.cosine_embedding_loss(a, b, y, 0.1, reduction="none"), [X, Y, SIGN]),
    (lambda m: m.MultiMarginLoss(p=2, margin=0.5, weight=ag.tensor(np.ones(6) * 2)),
     lambda x, y: F.multi_margin_loss(x, y, 2, 0.5, ag.tensor(np.ones(6) * 2)),
     [X, np.array([0, 1, 2, 3])]),
    (lambda m: m.MultiLabelMarginLoss(), F.multilabel_margin_loss,
     [X, np.array([[1, -1, 0, 0, 0, 0]] * 4)]),
    (lambda m: m.TripletMarginWithDistanceLoss(swap=True),
     lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, swap=True), [X, Y, -X]),
]


@pytest.mark.parametrize("case", LOSS_MODULES, ids=lambda c: type(c[0](nn)).__name__)
def test_loss_modules_call_their_functions(case):
    build, fn, arrays = case
    xs = [ag.tensor(a) for a in arrays]
    np.testing.assert_array_equal(build(nn)(*xs)._data, fn(*xs)._data)


@pytest.mark.torch_parity
def test_loss_module_reprs_and_buffers_equal_torch():
    torch = pytest.importorskip("torch")
    for name, kw in [("SoftMarginLoss", {}), ("HingeEmbeddingLoss", {"margin": 0.5}),
                     ("MultiLabelSoftMarginLoss", {}), ("CosineEmbeddingLoss", {}),
                     ("MultiMarginLoss", {"p": 2}), ("MultiLabelMarginLoss", {}),
                     ("TripletMarginWithDistanceLoss", {"swap": True})]:
        assert repr(getattr(nn, name)(**kw)) == repr(getattr(torch.nn, name)(**kw))
    for name in ("MultiMarginLoss", "MultiLabelSoftMarginLoss"):
        mine = getattr(nn, name)(weight=ag.ones(3))
        ref = getattr(torch.nn, name)(weight=torch.ones(3))
        assert list(mine.state_dict()) == list(ref.state_dict())


def test_compiled_step_recomputes_masks_and_falls_back_on_target_indices():
    def step(x, y):
        return (F.hardshrink(x).sum() + F.threshold(x, 0.0, 5.0).sum()
                + F.hinge_embedding_loss(x, y) + F.multi_margin_loss(x.reshape(1, 2),
                                                                     ag.tensor([1])))
    compiled = ag.compile(step)
    with pytest.warns(RuntimeWarning, match="multi_margin_loss reads its inputs' values"):
        compiled(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))
    for xs, ys in [([1.0, -0.2], [1.0, -1.0]), ([0.1, -2.0], [-1.0, 1.0]),
                   ([0.7, 0.3], [-1.0, -1.0])]:
        x, y = ag.tensor(xs), ag.tensor(ys)
        np.testing.assert_allclose(compiled(x, y)._data, step(x, y)._data, rtol=1e-6)


# ---- dropout3d, alpha dropout, gumbel_softmax ---------------------------------------------
SELU_NEG = 1.7580993408473766  # selu's alpha * scale


def _alpha_values(p):
    """The two values alpha dropout gives a zero input: kept a * alpha * p, dropped
    a * alpha * (p - 1), with a = 1 / sqrt((alpha^2 p + 1)(1 - p)) (Klambauer et al.)."""
    a = 1 / np.sqrt((SELU_NEG ** 2 * p + 1) * (1 - p))
    return sorted([a * SELU_NEG * (p - 1), a * SELU_NEG * p])


def test_dropout3d_drops_whole_channels():
    ag.manual_seed(0)
    x = ag.ones(2, 16, 2, 3, 2, dtype=ag.float64, requires_grad=True)
    y = F.dropout3d(x, p=0.25)
    per_channel = y._data.reshape(2, 16, -1)
    assert (per_channel == per_channel[:, :, :1]).all()
    assert set(np.unique(per_channel)) <= {0.0, 1 / 0.75}
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, y._data)  # d(x * m)/dx = m, here y = m
    # unbatched (C, D, H, W)
    z = F.dropout3d(ag.ones(16, 2, 2, 2), p=0.5)._data.reshape(16, -1)
    assert (z == z[:, :1]).all()
    assert F.dropout3d(x, training=False) is x
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(ag.ones(2, 3, 4))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but "
                                         "got 1.5"):
        F.dropout3d(x, p=1.5)


def test_alpha_dropout_values_moments_and_gradient():
    ag.manual_seed(1)
    p = 0.3
    y = F.alpha_dropout(ag.zeros(4000, dtype=ag.float64), p, training=True)
    np.testing.assert_allclose(np.unique(y._data), _alpha_values(p), rtol=1e-12)
    # zero mean, unit variance are kept for a standard normal input
    big = F.alpha_dropout(ag.randn(200000, dtype=ag.float64), p, training=True)
    assert abs(big.mean().item()) < 0.02 and abs(big.std().item() - 1) < 0.02
    x = ag.tensor(X, requires_grad=True)
    out = F.alpha_dropout(x, 0.5, training=True)
    out.sum().backward()
    a = 1 / np.sqrt((SELU_NEG ** 2 * 0.5 + 1) * 0.5)
    kept = x.grad._data != 0
    np.testing.assert_allclose(x.grad._data[kept], a)
    np.testing.assert_allclose(out._data[kept], a * X[kept] + a * SELU_NEG * 0.5)
    np.testing.assert_allclose(out._data[~kept], a * SELU_NEG * -0.5)
    assert F.alpha_dropout(x, 0.5) is x  # training=False by default, as PyTorch's
    assert F.alpha_dropout(x, 1.0, training=True).tolist() == [[0.0] * 6] * 4
    assert ag.gradcheck(lambda t: F.alpha_dropout(t, 0.0, training=True), (x,))


def test_feature_alpha_dropout_one_draw_per_channel():
    ag.manual_seed(2)
    y = F.feature_alpha_dropout(ag.zeros(3, 20, 5, dtype=ag.float64), 0.4, training=True)
    assert (y._data == y._data[:, :, :1]).all()
    np.testing.assert_allclose(np.unique(y._data), _alpha_values(0.4), rtol=1e-12)
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
        F.feature_alpha_dropout(ag.zeros(3), 0.4, training=True)


def test_dropout_modules_follow_train_and_eval():
    x = ag.zeros(2, 8, 2, 2, 2, dtype=ag.float64)
    for m in (nn.Dropout3d(0.5), nn.AlphaDropout(0.5), nn.FeatureAlphaDropout(0.5)):
        assert repr(m) == f"{type(m).__name__}(p=0.5, inplace=False)"
        ag.manual_seed(3)
        assert not np.array_equal(m(x + 1.0)._data, (x + 1.0)._data)
        np.testing.assert_array_equal(m.eval()(x + 1.0)._data, (x + 1.0)._data)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # captured, not run eagerly
def test_random_draws_replay_fresh_under_compile():
    step = ag.compile(lambda x: F.alpha_dropout(x, 0.5, training=True).sum()
                      + F.gumbel_softmax(x, hard=True)[0, 0])
    ag.manual_seed(4)
    x = ag.zeros(1, 64, dtype=ag.float64)
    assert len({step(x).item() for _ in range(6)}) > 1


def test_gumbel_softmax_samples_and_straight_through_gradient():
    ag.manual_seed(5)
    logits = ag.tensor(np.log([[0.7, 0.2, 0.1]]).repeat(20000, 0), requires_grad=True)
    y = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert set(np.unique(y._data)) == {0.0, 1.0}
    np.testing.assert_array_equal(y._data.sum(1), 1.0)
    # the Gumbel-max trick: argmax(logits + G) follows softmax(logits)
    np.testing.assert_allclose(y._data.mean(0), [0.7, 0.2, 0.1], atol=0.015)
    soft = F.gumbel_softmax(logits[:5], tau=2.0, dim=1)
    np.testing.assert_allclose(soft._data.sum(1), 1.0)
    assert (soft._data > 0).all() and (soft._data < 1).all()
    # hard: forward one-hot, backward the soft sample's gradient (straight through)
    x = ag.tensor([[0.1, 2.0, -1.0]], dtype=ag.float64, requires_grad=True)
    ag.manual_seed(6)
    h = F.gumbel_softmax(x, hard=True)
    w = ag.tensor([[1.0, -2.0, 0.5]], dtype=ag.float64)
    (h * w).sum().backward()
    ag.manual_seed(6)
    x2 = ag.tensor(x._data, requires_grad=True)
    (F.gumbel_softmax(x2) * w).sum().backward()
    np.testing.assert_allclose(x.grad._data, x2.grad._data)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F.gumbel_softmax(x, eps=1e-3)


@pytest.mark.torch_parity
def test_alpha_dropout_values_equal_torch():
    torch = pytest.importorskip("torch")
    for p in (0.2, 0.5):
        ref = torch.nn.functional.alpha_dropout(torch.zeros(4000, dtype=torch.float64), p,
                                                training=True)
        ag.manual_seed(0)
        mine = F.alpha_dropout(ag.zeros(4000, dtype=ag.float64), p, training=True)
        np.testing.assert_allclose(np.unique(mine._data), np.unique(ref.numpy()), rtol=1e-12)
        ref_x = torch.tensor(X, requires_grad=True)
        out = torch.nn.functional.alpha_dropout(ref_x, p, training=True)
        out.sum().backward()
        kept = ref_x.grad.numpy() != 0
        mask = ag.tensor(kept.astype(float))
        # the same mask through our formula: a * (x k + alpha' (1 - k)) + b
        a = 1 / np.sqrt((SELU_NEG ** 2 * p + 1) * (1 - p))
        ours = ag.tensor(X) * mask * a + (mask - 1 + p) * (SELU_NEG * a)
        np.testing.assert_allclose(ours._data, out.detach().numpy(), rtol=1e-12, atol=1e-12)


# ---- 3-D and circular padding, the upsampling aliases -------------------------------------
V5 = RNG.standard_normal((1, 2, 3, 4, 3))
PAD_MODULES = [
    ("ZeroPad3d", lambda m: m.ZeroPad3d((1, 0, 2, 1, 0, 1)), V5),
    ("ConstantPad3d", lambda m: m.ConstantPad3d(1, 2.5), V5[0]),
    ("ReflectionPad3d", lambda m: m.ReflectionPad3d((2, 1, 1, 2, 1, 0)), V5),
    ("ReplicationPad3d", lambda m: m.ReplicationPad3d((0, 3, 1, 0, 2, 2)), V5[0]),
    ("CircularPad1d", lambda m: m.CircularPad1d((2, 3)), V5[0, 0, 0]),
    ("CircularPad2d", lambda m: m.CircularPad2d((1, 2, 3, 0)), V5[0, 0]),
    ("CircularPad3d", lambda m: m.CircularPad3d(1), V5),
    ("UpsamplingNearest2d", lambda m: m.UpsamplingNearest2d(scale_factor=2), V5[0]),
    ("UpsamplingNearest2d_size", lambda m: m.UpsamplingNearest2d(size=(5, 7)), V5[0]),
    ("UpsamplingBilinear2d", lambda m: m.UpsamplingBilinear2d(scale_factor=(2, 1.5)), V5[0]),
    ("UpsamplingBilinear2d_size", lambda m: m.UpsamplingBilinear2d(size=4), V5[0]),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", PAD_MODULES, ids=lambda c: c[0])
def test_pad_and_upsampling_modules_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, build, arr = case
    mine, ref = build(nn), build(torch.nn)
    assert repr(mine) == repr(ref)
    x, rx = ag.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    out, rout = mine(x), ref(rx)
    np.testing.assert_allclose(out._data, rout.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = np.random.default_rng(3).standard_normal(tuple(rout.shape))
    (out * ag.tensor(w)).sum().backward()
    (rout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad._data, rx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.torch_parity
def test_upsample_functions_equal_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = V5[0, :, :2]
    for fn in (lambda f, t: f.upsample(t, scale_factor=2, mode="bilinear"),
               lambda f, t: f.upsample(t, size=(3, 5)),
               lambda f, t: f.upsample_nearest(t, scale_factor=3),
               lambda f, t: f.upsample_bilinear(t, size=(3, 7))):
        with pytest.warns(UserWarning, match="is deprecated. Use `nn.functional.interpolate`"):
            out = fn(F, ag.tensor(x))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = fn(tf, torch.tensor(x))
        np.testing.assert_allclose(out._data, ref.numpy(), rtol=1e-12, atol=1e-12)


def test_padding_hand_worked_and_errors():
    row = ag.tensor([[1.0, 2.0, 3.0]])
    assert nn.CircularPad1d((1, 2))(row).tolist() == [[3.0, 1.0, 2.0, 3.0, 1.0, 2.0]]
    cube = ag.tensor(np.arange(8.0).reshape(1, 2, 2, 2))
    out = nn.ReplicationPad3d((0, 0, 0, 0, 1, 0))(cube)
    assert out.shape == (1, 3, 2, 2)
    np.testing.assert_array_equal(out._data[0, 0], out._data[0, 1])
    assert nn.ZeroPad3d(1)(cube).sum().item() == 28.0
    assert nn.ConstantPad3d((0, 1, 0, 0, 0, 0), -1.0)(cube).sum().item() == 28.0 - 4
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 1D input\)"):
        nn.CircularPad1d(1)(ag.ones(4))
    with pytest.raises(ValueError, match=r"expected 4D or 5D input \(got 3D input\)"):
        nn.CircularPad3d(1)(ag.ones(2, 2, 2))
    with pytest.raises(ValueError, match="padding must be an int or a tuple of 6 ints"):
        nn.ZeroPad3d((1, 1))
    # bilinear upsampling is align_corners=True: the corners are kept
    up = nn.UpsamplingBilinear2d(size=(3, 3))(ag.tensor([[[[0.0, 2.0], [4.0, 6.0]]]]))
    assert up.tolist() == [[[[0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [4.0, 5.0, 6.0]]]]


# ---- in-place activations -----------------------------------------------------------------
INPLACE = [
    ("relu_", lambda f, x: f.relu_(x), lambda f, x: f.relu(x)),
    ("elu_", lambda f, x: f.elu_(x, 0.7), lambda f, x: f.elu(x, 0.7)),
    ("leaky_relu_", lambda f, x: f.leaky_relu_(x, 0.2), lambda f, x: f.leaky_relu(x, 0.2)),
    ("hardtanh_", lambda f, x: f.hardtanh_(x, -0.5, 0.8), lambda f, x: f.hardtanh(x, -0.5, 0.8)),
    ("selu_", lambda f, x: f.selu_(x), lambda f, x: f.selu(x)),
    ("celu_", lambda f, x: f.celu_(x, 1.5), lambda f, x: f.celu(x, 1.5)),
    ("threshold_", lambda f, x: f.threshold_(x, 0.1, -3.0), lambda f, x: f.threshold(x, 0.1, -3.0)),
]


@pytest.mark.parametrize("case", INPLACE, ids=lambda c: c[0])
def test_inplace_activation_writes_into_input_with_autograd_rules(case):
    _, fn_, fn = case
    x = ag.tensor(X, requires_grad=True)
    y = x * 2.0
    v = y._counter()[0]
    out = fn_(F, y)
    assert out is y and y._counter()[0] > v
    np.testing.assert_allclose(y._data, fn(F, ag.tensor(X * 2.0))._data)
    w = ag.tensor(RNG.standard_normal(X.shape))
    (y * w).sum().backward()
    x2 = ag.tensor(X, requires_grad=True)
    (fn(F, x2 * 2.0) * w).sum().backward()
    np.testing.assert_allclose(x.grad._data, x2.grad._data)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        fn_(F, ag.tensor(X, requires_grad=True))
    with ag.no_grad():
        leaf = ag.tensor(X, requires_grad=True)
        assert fn_(F, leaf) is leaf


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", INPLACE, ids=lambda c: c[0])
def test_inplace_activation_equals_torch(case):
    torch = pytest.importorskip("torch")
    _, fn_, _ = case
    x, rx = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    y, ry = x * 2.0, rx * 2.0
    fn_(F, y)
    fn_(torch.nn.functional, ry)
    np.testing.assert_allclose(y._data, ry.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = RNG.standard_normal(X.shape)
    (y * ag.tensor(w)).sum().backward()
    (ry * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad._data, rx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_inplace_activation_invalidates_nodes_that_saved_the_old_values():
    x = ag.tensor(X, requires_grad=True)
    y = x * 2.0
    z = y * y  # saves y
    F.relu_(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_normalize_out_argument():
    out = ag.empty(2, 2)
    res = F.normalize(ag.tensor([[3.0, 4.0], [2.0, 0.0]]), out=out)
    assert res is out
    np.testing.assert_allclose(out._data, [[0.6, 0.8], [1.0, 0.0]], rtol=1e-6)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        F.normalize(ag.ones(2, 2, requires_grad=True), out=ag.empty(2, 2))
    other = ag.zeros(3)
    with pytest.warns(UserWarning, match=r"had shape \[3\], which does not match the required "
                      r"output shape \[2, 2\]"):  # resized, as PyTorch's
        assert F.normalize(ag.ones(2, 2), out=other) is other
    np.testing.assert_allclose(other.numpy(), np.full((2, 2), 0.5 ** 0.5), rtol=1e-6)



@pytest.mark.torch_parity
@settings(max_examples=12, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16),
       k=st.integers(1, 2), p=st.sampled_from([1.0, 2.0, 3.0]))
def test_shapes_and_dtypes_equal_torch(shape, dtype, seed, k, p):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    arr = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    even = np.concatenate([arr, arr[..., ::-1] * 0.5], axis=-1)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-11, atol=1e-12)
    norm_shape = list(shape[-k:])
    for fn, x in [(lambda f, t: f.normalize(t, p=p, dim=-1), arr),
                  (lambda f, t: f.glu(t, -1), even),
                  (lambda f, t: f.rms_norm(t, norm_shape), arr),
                  (lambda f, t: f.softmin(t, 0), arr),
                  (lambda f, t: f.pdist(t.reshape(t.shape[0], -1), p=p), arr)]:
        mine, ref = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, rout = fn(F, mine), fn(tf, ref)
        assert tuple(out.shape) == tuple(rout.shape) and out._data.dtype == dtype
        np.testing.assert_allclose(out._data, rout.detach().numpy(), **tol)
        out.sum().backward()
        rout.sum().backward()
        np.testing.assert_allclose(mine.grad._data, ref.grad.numpy(), **tol)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # captured, not run eagerly
def test_value_independent_compositions_are_captured_by_compile():
    def step(x, y):
        return (F.hardshrink(x).sum() + F.softshrink(x).sum() + F.threshold(x, 0.0, 5.0).sum()
                + F.glu(x).sum() + F.normalize(x).sum() + F.rms_norm(x, [4]).sum()
                + F.pdist(x).sum() + F.soft_margin_loss(x, y) + F.hinge_embedding_loss(x, y)
                + F.cosine_embedding_loss(x, -x, y[:, 0])
                + F.multilabel_soft_margin_loss(x, (y + 1) / 2))
    compiled = ag.compile(step)
    rng = np.random.default_rng(11)
    for _ in range(4):
        x = ag.tensor(rng.standard_normal((3, 4)))
        y = ag.tensor(np.sign(rng.standard_normal((3, 4))))
        np.testing.assert_allclose(compiled(x, y)._data, step(x, y)._data, rtol=1e-12)


@pytest.mark.torch_parity
@pytest.mark.parametrize("x_dtype,w_dtype", [("float16", "float32"), ("float16", "float16"),
                                             ("float16", None), ("float32", "float64"),
                                             ("float64", "float32")])
def test_rms_norm_dtypes_match_torch(x_dtype, w_dtype):
    # PyTorch normalises float16 in float32 (with float32's eps), multiplies by the weight in
    # the promoted dtype and returns the input's dtype; ours computed in float16 with
    # float16's eps and returned the promoted dtype (float32 for a float32 weight)
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(3)
    x = r.standard_normal((8, 6)).astype(x_dtype)
    w = None if w_dtype is None else r.uniform(0.5, 3.0, 6).astype(w_dtype)
    g = r.standard_normal((8, 6)).astype(x_dtype)
    tx = torch.tensor(x, requires_grad=True)
    tw = None if w is None else torch.tensor(w, requires_grad=True)
    ax = ag.tensor(x, requires_grad=True)
    aw = None if w is None else ag.tensor(w, requires_grad=True)
    ay = nn.RMSNorm(6, dtype=getattr(ag, w_dtype or x_dtype), elementwise_affine=w is not None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's: no fused kernel for mixed dtypes
        ty = torch.nn.functional.rms_norm(tx, (6,), tw)
        out = F.rms_norm(ax, (6,), aw)
    ty.backward(torch.tensor(g))
    out.backward(ag.tensor(g))
    assert str(out.dtype).endswith(x_dtype) and str(ay(ax).dtype).endswith(x_dtype)
    tol = 1e-3 if "float16" in (x_dtype, w_dtype) else 1e-6
    np.testing.assert_allclose(out.detach().numpy().astype(float), ty.detach().numpy().astype(float),
                               rtol=tol, atol=tol)
    np.testing.assert_allclose(ax.grad.numpy().astype(float), tx.grad.numpy().astype(float),
                               rtol=tol, atol=tol)
    assert ax.grad.dtype == ax.dtype
    if w is not None:
        assert aw.grad.dtype == aw.dtype
        np.testing.assert_allclose(aw.grad.numpy().astype(float), tw.grad.numpy().astype(float),
                                   rtol=tol, atol=tol)


def test_cosine_similarity_shape_mismatch_in_pytorch_words():
    # numpy's "shape mismatch: objects cannot be broadcast to a single shape" (a ValueError)
    # came through; PyTorch raises a RuntimeError naming the dimension
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(5\) must match the size of "
                                           r"tensor b \(4\) at non-singleton dimension 1"):
        nn.CosineSimilarity()(ag.zeros(3, 5), ag.zeros(3, 4))


@pytest.mark.torch_parity
@pytest.mark.parametrize("kind", ["layer", "group"])
@pytest.mark.parametrize("w_dtype", ["float16", "float32"])
def test_float16_layer_and_group_norm_match_torch(kind, w_dtype):
    # PyTorch normalises float16 in float32 and rounds the result once: equal bit for bit;
    # ours normalised in float16 (errors several times PyTorch's)
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(5)
    x = (r.standard_normal((8, 6, 5)) * 3 + 1).astype(np.float16)
    n = 5 if kind == "layer" else 6
    w = r.uniform(0.5, 2.0, n).astype(w_dtype)
    b = r.standard_normal(n).astype(w_dtype)
    g = r.standard_normal(x.shape).astype(np.float16)

    def run(lib, fn):
        xs, ws, bs = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        y = fn.layer_norm(xs, (5,), ws, bs) if kind == "layer" else fn.group_norm(xs, 2, ws, bs)
        y.backward(lib.tensor(g))
        return [t.detach().numpy() for t in (y, xs.grad, ws.grad, bs.grad)]

    theirs, ours = run(torch, torch.nn.functional), run(ag, F)
    assert [a.dtype for a in ours] == [a.dtype for a in theirs]
    assert np.array_equal(ours[0], theirs[0])
    for o, t in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(o.astype(float), t.astype(float), rtol=1e-2, atol=2e-2)
