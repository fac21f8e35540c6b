"""Losses against numpy closed forms for every reduction, stable forms at extreme inputs, and
gradients against finite differences (float64)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor

REDUCTIONS = ["mean", "sum", "none"]


def _rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _t(a, rg=True):
    return Tensor._wrap(np.array(a, dtype=np.float64), requires_grad=rg)


def _reduce(per, reduction, divisor=None):
    if reduction == "none":
        return per
    if reduction == "sum":
        return per.sum()
    return per.sum() / (per.size if divisor is None else divisor)


def _log_softmax(x):
    m = x.max(1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(1, keepdims=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1(reduction):
    x, y = _rand((4, 3), 1), _rand((4, 3), 2)
    out = nn.MSELoss(reduction=reduction)(_t(x), _t(y, False))
    np.testing.assert_allclose(out.data, _reduce((x - y) ** 2, reduction), rtol=1e-12)
    out = nn.L1Loss(reduction=reduction)(_t(x), _t(y, False))
    np.testing.assert_allclose(out.data, _reduce(np.abs(x - y), reduction), rtol=1e-12)
    for Loss in (nn.MSELoss, nn.L1Loss):
        assert ag.gradcheck(lambda a, b: Loss(reduction=reduction)(a, b) * 1.0,
                            (_t(x), _t(y)))


@given(n=st.integers(1, 6), c=st.integers(2, 5), smoothing=st.sampled_from([0.0, 0.1]),
       weighted=st.booleans(), reduction=st.sampled_from(REDUCTIONS))
def test_cross_entropy_closed_form(n, c, smoothing, weighted, reduction):
    rng = np.random.default_rng(n * 10 + c)
    x = rng.standard_normal((n, c)) * 3
    y = rng.integers(0, c, n)
    w = rng.uniform(0.5, 2.0, c) if weighted else np.ones(c)
    logp = _log_softmax(x)
    nll = -logp[np.arange(n), y] * w[y]
    smooth = -(logp * w).sum(1)
    per = (1 - smoothing) * nll + smoothing / c * smooth
    expected = _reduce(per, reduction, divisor=w[y].sum())
    loss = nn.CrossEntropyLoss(weight=w if weighted else None, reduction=reduction,
                               label_smoothing=smoothing)
    np.testing.assert_allclose(loss(_t(x), Tensor._wrap(y)).data, expected, rtol=1e-10, atol=1e-12)
    fn = (lambda a: loss(a, Tensor._wrap(y))) if reduction != "none" else \
        (lambda a: loss(a, Tensor._wrap(y)) * Tensor._wrap(np.arange(1.0, n + 1)))
    assert ag.gradcheck(fn, (_t(x),))


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    x = _rand((5, 4), 3)
    y = np.array([0, 3, 1, 1, 2])
    xt = _t(x)
    nn.CrossEntropyLoss()(xt, Tensor._wrap(y)).backward()
    p = np.exp(_log_softmax(x))
    onehot = np.eye(4)[y]
    np.testing.assert_allclose(xt.grad.data, (p - onehot) / 5, rtol=1e-10, atol=1e-14)


def test_cross_entropy_ignore_index_and_probability_targets():
    x = _rand((4, 3), 4)
    y = np.array([2, -100, 0, 1])
    logp = _log_softmax(x)
    keep = y != -100
    expected = -logp[np.arange(4)[keep], y[keep]].mean()
    np.testing.assert_allclose(nn.CrossEntropyLoss()(_t(x), Tensor._wrap(y)).data, expected,
                               rtol=1e-12)
    q = np.exp(_log_softmax(_rand((4, 3), 5)))
    np.testing.assert_allclose(nn.CrossEntropyLoss()(_t(x), _t(q, False)).data,
                               -(q * logp).sum(1).mean(), rtol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    x = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]])
    y = np.array([0, 2])
    xt = _t(x)
    out = nn.CrossEntropyLoss(reduction="none")(xt, Tensor._wrap(y))
    np.testing.assert_allclose(out.data, [0.0, 1e4], rtol=1e-12)
    out.sum().backward()
    assert np.all(np.isfinite(xt.grad.data))
    np.testing.assert_allclose(xt.grad.data, [[0, 0, 0], [0, 1, -1]], atol=1e-12)


def test_cross_entropy_target_errors_say_what_is_wrong():
    with pytest.raises(IndexError, match="out of bounds"):
        nn.CrossEntropyLoss()(_t(_rand((2, 3))), Tensor._wrap(np.array([0, 3])))
    # PyTorch's type and wording (nll_loss's batch-size check is a ValueError)
    with pytest.raises(ValueError, match=r"input batch_size \(2\) to match target batch_size \(3\)"):
        nn.CrossEntropyLoss()(_t(_rand((2, 3))), Tensor._wrap(np.array([0, 1, 2])))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_with_log_softmax(reduction):
    x = _rand((5, 4), 6)
    y = np.array([3, 0, 0, 2, 1])
    w = np.array([1.0, 2.0, 0.5, 1.5])
    logp = _log_softmax(x)
    per = -logp[np.arange(5), y] * w[y]
    expected = _reduce(per, reduction, divisor=w[y].sum())
    model = nn.Sequential(nn.LogSoftmax(dim=1))
    out = nn.NLLLoss(weight=w, reduction=reduction)(model(_t(x)), Tensor._wrap(y))
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_and_bce_with_logits(reduction):
    z = _rand((3, 4), 7) * 2
    p = 1 / (1 + np.exp(-z))
    y = (np.random.default_rng(8).uniform(size=(3, 4)) > 0.5) * 1.0
    per = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(nn.BCELoss(reduction=reduction)(_t(p), _t(y, False)).data,
                               _reduce(per, reduction), rtol=1e-10)
    np.testing.assert_allclose(
        nn.BCEWithLogitsLoss(reduction=reduction)(_t(z), _t(y, False)).data,
        _reduce(per, reduction), rtol=1e-10)
    pw = np.array([1.0, 2.0, 3.0, 0.5])
    per_pw = -(pw * y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(
        nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=pw)(_t(z), _t(y, False)).data,
        _reduce(per_pw, reduction), rtol=1e-10)
    k = (lambda v: v) if reduction != "none" else (lambda v: v.sum())
    assert ag.gradcheck(lambda a: k(nn.BCEWithLogitsLoss(reduction=reduction,
                                                         pos_weight=pw)(a, _t(y, False))),
                        (_t(z),))
    assert ag.gradcheck(lambda a: k(nn.BCELoss(reduction=reduction)(a, _t(y, False))), (_t(p),))


def test_bce_forms_are_stable_at_extremes():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    y = np.array([1.0, 1.0, 0.0, 0.0, 0.0])
    zt = _t(z)
    out = nn.BCEWithLogitsLoss(reduction="none")(zt, _t(y, False))
    # (1 - y) z + softplus(-z): exact values, no overflow
    np.testing.assert_allclose(out.data, [1000.0, 50.0, np.log(2), 50.0, 1000.0], rtol=1e-12)
    out.sum().backward()
    with np.errstate(over="ignore"):
        sig = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(zt.grad.data, sig - y, atol=1e-12)
    # BCELoss clamps its logs at -100 (PyTorch), so probabilities of exactly 0 or 1 are finite
    bce = nn.BCELoss(reduction="none")(_t([0.0, 1.0]), _t([1.0, 0.0], False))
    np.testing.assert_allclose(bce.data, [100.0, 100.0])
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        nn.BCELoss()(_t([1.5]), _t([1.0], False))


def test_invalid_reduction_is_rejected():
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")


def test_mse_loss_refuses_integer_tensors():
    import autograd_core as ag
    import nn.functional as F

    with pytest.raises(RuntimeError, match="mse_cpu.*not implemented"):
        F.mse_loss(ag.tensor([1, 2]), ag.tensor([2, 2]))
    assert F.mse_loss(ag.tensor([1.0, 2.0]), ag.tensor([2.0, 2.0])).item() == 0.5


@pytest.mark.parametrize("fn, kw, message", [
    (F.binary_cross_entropy_with_logits, {"pos_weight": (6,)},
     r"size of tensor a \(6\) must match the size of tensor b \(8\) at non-singleton dimension 1"),
    (F.binary_cross_entropy_with_logits, {"weight": (6,)},
     r"size of tensor a \(8\) must match the size of tensor b \(6\) at non-singleton dimension 1"),
    # a weight of more dimensions than the input would broadcast the loss itself (a mean over
    # 144 terms): PyTorch refuses, and so does this
    (F.binary_cross_entropy_with_logits, {"weight": (3, 6, 8)},
     r"output with shape \[6, 8\] doesn't match the broadcast shape \[3, 6, 8\]"),
    (F.binary_cross_entropy, {"weight": (6,)}, r"size of tensor a \(8\) must match"),
    (F.binary_cross_entropy, {"weight": (2, 6, 8)}, r"doesn't match the broadcast shape"),
])
def test_bce_weights_that_do_not_broadcast_to_the_input_are_refused(fn, kw, message):
    x = ag.rand(6, 8)
    kw = {k: ag.ones(*v) for k, v in kw.items()}
    with pytest.raises(RuntimeError, match=message):
        fn(x, ag.rand(6, 8), **kw)
    # the shapes PyTorch broadcasts still work: a weight per column, or per row as (6, 1)
    for shape in ((8,), (6, 1), (1, 8), ()):
        arg = next(iter(kw))
        out = fn(x, ag.rand(6, 8), **{arg: ag.ones(*shape)})
        assert out.shape == ()


def test_bce_second_derivatives_are_pytorchs_where_the_input_saturates():
    # ATen's double backward of binary_cross_entropy: d2/dp2 = (p^2 - 2 p y + y) /
    # ((p + 1e-12)^2 (1 - p + 1e-12)^2), not the derivative of the clamped first gradient
    # (x - y) / max(p (1 - p), eps) (ours gave 1/eps where p (1 - p) < eps); the target
    # gradient's derivative in p is that of -logit(p), -1 / (p (1 - p)): -inf at p = 0 and 1
    # (ours: NaN through the clamped logs). Hand values, mean over 3.
    p0, y0 = np.array([1e-20, 0.3, 1.0]), np.array([1.0, 0.5, 0.0])
    p = ag.tensor(p0, requires_grad=True)
    y = ag.tensor(y0, requires_grad=True)
    gp, gy = ag.autograd.grad(F.binary_cross_entropy(p, y), (p, y), create_graph=True)
    (hpp,) = ag.autograd.grad(gp.sum(), p)
    (hyp,) = ag.autograd.grad(gy.sum(), p)
    eps = 1e-12
    want = (p0 * p0 - 2 * p0 * y0 + y0) / ((p0 + eps) ** 2 * (1 - p0 + eps) ** 2) / 3
    np.testing.assert_allclose(hpp.numpy(), want, rtol=1e-14)
    assert hpp.numpy()[0] > 1e23  # 1/3e-24 (it was 1/(3 eps))
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(hyp.numpy(), -1 / (p0 * (1 - p0)) / 3, rtol=1e-14)
    assert hyp.numpy()[2] == -np.inf


@pytest.mark.parametrize("fn", [F.nll_loss, F.cross_entropy])
def test_class_targets_take_pytorchs_dtypes(fn):
    # int64 and (for (N, C) or (C,) inputs) uint8 class indices; int32 and others were accepted
    # here, PyTorch refuses them with these words
    x = ag.tensor([[0.1, -0.3, 0.2], [0.5, 0.0, -1.0]])
    want = fn(x, ag.tensor([2, 0])).item()
    assert fn(x, ag.tensor([2, 0], dtype=ag.uint8)).item() == want
    for dt, name in ((ag.int32, "Int"), (ag.int16, "Short"), (ag.int8, "Char"),
                     (ag.bool, "Bool"), (ag.float64, "Double")):
        with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, "
                                               f"but got {name}"):
            fn(x, ag.tensor([1, 0], dtype=dt))
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Byte"):
        fn(ag.zeros(2, 3, 4), ag.zeros(2, 4, dtype=ag.uint8))


@pytest.mark.parametrize("fn", [F.nll_loss, F.cross_entropy])
def test_an_unbatched_input_takes_a_one_element_target(fn):
    # PyTorch takes a 1-D target of size 1 for a (C,) input, as a 0-d one; it was refused
    x = ag.tensor([0.1, 0.5, 0.2], requires_grad=True)
    for reduction in ("mean", "sum", "none"):
        a = fn(x, ag.tensor([1]), reduction=reduction)
        b = fn(x, ag.tensor(1), reduction=reduction)
        assert a.shape == b.shape == ()
        assert a.item() == b.item()
    fn(x, ag.tensor([1])).backward()
    g = x.grad.numpy().copy()
    x.grad = None
    fn(x, ag.tensor(1)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), g)
    with pytest.raises(ValueError, match="1D target must have size 1, but got target size: 2"):  # PyTorch's type
        fn(x, ag.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected"):
        fn(x, ag.tensor([[1]]))
