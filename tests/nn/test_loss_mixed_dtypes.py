"""Losses of an input and a target of different dtypes (float32/float64 mixes, integer and bool
targets, integer inputs) give PyTorch's result dtype, numbers and gradient dtype, or PyTorch's
refusal (error type and message), checked against live torch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F

rng = np.random.default_rng(0)
X = rng.uniform(0.1, 0.9, (3, 4))
Y = rng.uniform(0.1, 0.9, (3, 4))
SIGNS = np.sign(rng.standard_normal((3, 4)))
NUMPY = {"f32": np.float32, "f64": np.float64, "i64": np.int64, "bool": np.bool_}

LOSSES = {
    "mse_loss": lambda f, a, b: f.mse_loss(a, b),
    "l1_loss": lambda f, a, b: f.l1_loss(a, b),
    "smooth_l1_loss": lambda f, a, b: f.smooth_l1_loss(a, b, reduction="sum"),
    "huber_loss": lambda f, a, b: f.huber_loss(a, b, delta=0.3),
    "binary_cross_entropy": lambda f, a, b: f.binary_cross_entropy(a, b),
    "bce_with_logits": lambda f, a, b: f.binary_cross_entropy_with_logits(a, b),
    "bce_with_logits_none": lambda f, a, b: f.binary_cross_entropy_with_logits(
        a, b, reduction="none"),
    "kl_div": lambda f, a, b: f.kl_div(a, b, reduction="batchmean"),
    "kl_div_log_target": lambda f, a, b: f.kl_div(a, b, reduction="sum", log_target=True),
    "soft_margin_loss": lambda f, a, b: f.soft_margin_loss(a, b),
    "poisson_nll_loss": lambda f, a, b: f.poisson_nll_loss(a, b),
    "gaussian_nll_loss": lambda f, a, b: f.gaussian_nll_loss(a, b, a.detach() * 0 + 0.7),
    "multilabel_soft_margin_loss": lambda f, a, b: f.multilabel_soft_margin_loss(a, b),
    "margin_ranking_loss": lambda f, a, b: f.margin_ranking_loss(a, a * 0.5, b),
    "cosine_embedding_loss": lambda f, a, b: f.cosine_embedding_loss(a, a * 0.3 + 1, b[:, 0]),
}
SIGNED = {"soft_margin_loss", "margin_ranking_loss", "cosine_embedding_loss"}
MIXES = [("f32", "f64"), ("f64", "f32"), ("f32", "i64"), ("f64", "i64"), ("f32", "bool"),
         ("i64", "f32")]


def _array(values, kind):
    if kind == "i64":
        values = np.round(values * 3)
    elif kind == "bool":
        values = values > 0.5
    return np.asarray(values).astype(NUMPY[kind])


def _run(lib, name, kind_in, kind_target):
    """('ok', dtype name, value, input grad or None) or ('error', type, message)."""
    import torch

    f = F if lib == "ours" else torch.nn.functional
    a = _array(X, kind_in)
    b = _array(SIGNS if name in SIGNED else Y, kind_target)
    grad = kind_in in ("f32", "f64")
    if lib == "ours":
        a, b = ag.tensor(a, requires_grad=grad), ag.tensor(b)
    else:
        a, b = torch.tensor(a, requires_grad=grad), torch.tensor(b)
    try:
        out = LOSSES[name](f, a, b)
    except Exception as exc:  # noqa: BLE001 - the comparison is the point
        return ("error", type(exc).__name__, str(exc))
    g = None
    if grad:
        try:
            out.sum().backward()
            g = a.grad.detach().numpy()
        except RuntimeError as exc:
            g = str(exc)
    return ("ok", str(out.detach().numpy().dtype), out.detach().numpy(), g)


CASES = [(n, a, b) for n in LOSSES for a, b in MIXES]


@pytest.mark.torch_parity
@pytest.mark.parametrize("name,kind_in,kind_target", CASES,
                         ids=[f"{n}-{a}-{b}" for n, a, b in CASES])
def test_mixed_dtypes_as_torch(name, kind_in, kind_target):
    pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    theirs = _run("torch", name, kind_in, kind_target)
    ours = _run("ours", name, kind_in, kind_target)
    assert ours[:2] == theirs[:2], (ours, theirs)
    if theirs[0] == "error":
        assert ours[2] == theirs[2]
        return
    # float32 intermediates round differently (PyTorch's and numpy's exp/log differ by ulps)
    tol = 1e-6 if "f32" in (kind_in, kind_target) else 1e-12
    np.testing.assert_allclose(ours[2], theirs[2], rtol=tol, atol=tol)
    if isinstance(theirs[3], str):
        # PyTorch's backward refuses a target of another dtype that its forward took (Huber,
        # soft margin); ours differentiates (DIFFERENCES.md)
        assert name in ("huber_loss", "soft_margin_loss"), theirs[3]
        assert ours[3].dtype == NUMPY[kind_in]
        return
    assert (ours[3] is None) == (theirs[3] is None)
    if theirs[3] is not None:
        assert ours[3].dtype == theirs[3].dtype
        np.testing.assert_allclose(ours[3], theirs[3], rtol=10 * tol, atol=10 * tol)


def test_bce_with_logits_result_has_the_targets_dtype():
    """Worked by hand: logit 0, target 1 gives log 2 in the target's dtype (float64 here, as
    PyTorch's ``(1 - target) * input - logsigmoid(input)`` is), the gradient the input's."""
    x = ag.zeros(2, dtype=ag.float32, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, ag.tensor([1.0, 0.0], dtype=ag.float64))
    assert loss.dtype == ag.float64 and abs(loss.item() - np.log(2)) < 1e-7
    loss.backward()
    assert x.grad.dtype == ag.float32
    np.testing.assert_allclose(x.grad.numpy(), [-0.25, 0.25])


I64 = np.ones((3, 4), np.int64)
F32 = X.astype(np.float32)
EXTRA = {  # name: (call, arrays)
    "gaussian_nll_int_var": (lambda f, a, b, v: f.gaussian_nll_loss(a, b, v), (F32, F32, I64)),
    "gaussian_nll_int32_var": (lambda f, a, b, v: f.gaussian_nll_loss(a, b, v),
                               (F32, F32, I64.astype(np.int32))),
    "cosine_similarity_ints": (lambda f, a, b: f.cosine_similarity(a, b), (I64, I64)),
    "cosine_similarity_f32_int": (lambda f, a, b: f.cosine_similarity(a, b), (F32, I64)),
    "cosine_similarity_f32_f64": (lambda f, a, b: f.cosine_similarity(a, b),
                                  (F32, X.astype(np.float64))),
    "smooth_l1_ints": (lambda f, a, b: f.smooth_l1_loss(a, b), (I64, I64)),
    "huber_ints": (lambda f, a, b: f.huber_loss(a, b), (I64, I64)),
    "soft_margin_ints": (lambda f, a, b: f.soft_margin_loss(a, b), (I64, I64)),
    "bce_ints": (lambda f, a, b: f.binary_cross_entropy(a, b), (I64, I64)),
    "bce_weight_f64": (lambda f, a, b: f.binary_cross_entropy(a, a.detach(), weight=b),
                       (F32, X.astype(np.float64))),
    "bce_logits_pos_weight_mixed": (
        lambda f, a, b, w: f.binary_cross_entropy_with_logits(a, b, weight=w, pos_weight=w[0]),
        (F32, Y.astype(np.float64), Y.astype(np.float32))),
    "logsigmoid_ints": (lambda f, a: f.logsigmoid(a), (I64,)),
}


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(EXTRA))
def test_integer_and_mixed_arguments_as_torch(name):
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    call, arrays = EXTRA[name]
    out = []
    for f, make in ((F, ag.tensor), (torch.nn.functional, torch.tensor)):
        try:
            r = call(f, *[make(a) for a in arrays])
            out.append(("ok", str(r.detach().numpy().dtype), r.detach().numpy()))
        except Exception as exc:  # noqa: BLE001 - the comparison is the point
            out.append(("error", type(exc).__name__, str(exc)))
    ours, theirs = out
    assert ours[:2] == theirs[:2], (ours, theirs)
    if theirs[0] == "error":
        assert ours[2] == theirs[2]
    else:
        np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6, atol=1e-6)
