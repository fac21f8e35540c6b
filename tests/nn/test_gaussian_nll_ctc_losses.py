"""GaussianNLLLoss and CTCLoss (issue 12): hand-worked values, gradients (float64 gradcheck,
closed forms), PyTorch's error wording, the CTC kernels against their numpy twins, and parity
with PyTorch's values and gradients."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.kernels import ctc as K


def _t(values, requires_grad=False, dtype=np.float64):
    return ag.tensor(np.asarray(values, dtype=dtype), requires_grad=requires_grad)


# ---- GaussianNLLLoss ------------------------------------------------------------------------

def test_gaussian_nll_by_hand():
    x, y = _t([0.0, 1.0, 2.0]), _t([1.0, 1.0, 0.0])
    v = _t([1.0, 4.0, 2.0])
    # 0.5 (log v + d^2 / v): d^2 = 1, 0, 4
    want = 0.5 * (np.log([1.0, 4.0, 2.0]) + np.array([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(F.gaussian_nll_loss(x, y, v, reduction="none").numpy(), want,
                               rtol=1e-15)
    np.testing.assert_allclose(F.gaussian_nll_loss(x, y, v).item(), want.mean(), rtol=1e-15)
    full = nn.GaussianNLLLoss(full=True, reduction="sum")(x, y, v)
    np.testing.assert_allclose(full.item(), want.sum() + 1.5 * math.log(2 * math.pi),
                               rtol=1e-15)
    # a number: the same variance everywhere; eps floors it
    np.testing.assert_allclose(F.gaussian_nll_loss(x, y, 1.0, reduction="sum").item(), 2.5)
    np.testing.assert_allclose(
        F.gaussian_nll_loss(x, y, 0.0, eps=0.5, reduction="none").numpy(),
        0.5 * (math.log(0.5) + np.array([1.0, 0.0, 4.0]) / 0.5), rtol=1e-15)
    assert "full" not in repr(nn.GaussianNLLLoss())


def test_gaussian_nll_var_shapes():
    rng = np.random.default_rng(0)
    x, y = _t(rng.standard_normal((4, 3))), _t(rng.standard_normal((4, 3)))
    v_row = rng.uniform(0.5, 2.0, 4)
    per = F.gaussian_nll_loss(x, y, _t(v_row[:, None] * np.ones((4, 3))), reduction="none")
    # one variance per row: var of shape (4,) (input's shape less the last) or (4, 1)
    for v in (_t(v_row), _t(v_row[:, None])):
        np.testing.assert_allclose(F.gaussian_nll_loss(x, y, v, reduction="none").numpy(),
                                   per.numpy(), rtol=1e-15)
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, y, _t(np.ones(3)))  # (3,) is not (4,) and has fewer dims
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, y, _t(np.ones((2, 3))))
    with pytest.raises(ValueError, match="var has negative entry/entries"):
        F.gaussian_nll_loss(x, y, _t(-np.ones((4, 3))))
    with pytest.raises(ValueError, match="var has negative entry/entries"):
        F.gaussian_nll_loss(x, y, -1.0)
    with pytest.raises(ValueError, match="avg is not valid"):
        F.gaussian_nll_loss(x, y, 1.0, reduction="avg")


def test_gaussian_nll_gradients():
    rng = np.random.default_rng(1)
    x, y = _t(rng.standard_normal((3, 2)), True), _t(rng.standard_normal((3, 2)), True)
    v = _t(rng.uniform(0.5, 2.0, (3, 1)), True)
    assert ag.gradcheck(lambda a, b, c: F.gaussian_nll_loss(a, b, c, full=True), (x, y, v))
    assert ag.gradgradcheck(lambda a, b, c: F.gaussian_nll_loss(a, b, c), (x, y, v))
    # below eps the value is clamped but the gradient reaches var as if it were not
    # (PyTorch clamps under no_grad): d/dv 0.5 (log v + d^2 / v) at the clamped v
    w = _t([1e-9], True)
    loss = F.gaussian_nll_loss(_t([0.0]), _t([1.0]), w, eps=0.5, reduction="sum")
    loss.backward()
    np.testing.assert_allclose(w.grad.numpy(), [0.5 * (1 / 0.5 - 1 / 0.25)], rtol=1e-15)


@pytest.mark.torch_parity
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3), "number"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_matches_torch(var_shape, reduction, full):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = 0.7 if var_shape == "number" else rng.uniform(0.0, 2.0, var_shape)
    ours_in = [ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)]
    ref_in = [torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)]
    if var_shape != "number":
        ours_in.append(ag.tensor(var, requires_grad=True))
        ref_in.append(torch.tensor(var, requires_grad=True))
    ov = ours_in[2] if len(ours_in) == 3 else var
    rv = ref_in[2] if len(ref_in) == 3 else var
    ours = F.gaussian_nll_loss(ours_in[0], ours_in[1], ov, full=full, eps=0.05,
                               reduction=reduction)
    ref = torch.nn.functional.gaussian_nll_loss(ref_in[0], ref_in[1], rv, full=full, eps=0.05,
                                                reduction=reduction)
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=1e-13)
    w = rng.standard_normal(tuple(ref.shape))
    (ours * ag.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    for a, b in zip(ours_in, ref_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-14)


# ---- CTC: the algorithm against brute force ------------------------------------------------

def _collapse(path, blank):
    out = [c for c, _ in itertools.groupby(path)]
    return [c for c in out if c != blank]


def _brute_nll(probs, target, blank):
    """-log of the summed probability of every frame labelling that collapses to target."""
    T, C = probs.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        if _collapse(path, blank) == list(target):
            total += math.prod(probs[t, c] for t, c in enumerate(path))
    return -math.log(total) if total > 0 else math.inf


def test_ctc_matches_brute_force_enumeration():
    rng = np.random.default_rng(0)
    for T, target, blank in [(4, [1, 2], 0), (4, [1, 1], 0), (3, [2], 1), (5, [0, 2, 0], 1),
                             (3, [], 0), (2, [1, 1], 0)]:  # the last: impossible, +inf
        probs = rng.dirichlet(np.ones(3), T)
        lp = _t(np.log(probs)[:, None, :])
        got = F.ctc_loss(lp, _t([target], dtype=np.int64).reshape(1, -1), [T], [len(target)],
                         blank=blank, reduction="none")
        want = _brute_nll(probs, target, blank)
        if math.isinf(want):
            assert got.item() == math.inf
        else:
            np.testing.assert_allclose(got.item(), want, rtol=1e-12)


def test_ctc_gradient_through_log_softmax_and_pytorchs_convention():
    rng = np.random.default_rng(1)
    x = _t(rng.standard_normal((5, 2, 4)), True)
    tg, il, tl = ag.tensor([[1, 2, 2], [3, 1, 0]]), [5, 4], [3, 2]

    def loss(a):
        return F.ctc_loss(a.log_softmax(2), tg, il, tl, reduction="sum")

    assert ag.gradcheck(loss, (x,))
    # with respect to log_probs PyTorch's gradient is exp(lp) minus the state occupation
    # gamma (each frame's gamma sums to 1): so each frame's gradient sums to sum(p) - 1 = 0
    lp = x.detach().log_softmax(2).requires_grad_()
    F.ctc_loss(lp, tg, il, tl, reduction="sum").backward()
    sums = lp.grad.numpy().sum(-1)
    np.testing.assert_allclose(sums[:4], 0.0, atol=1e-12)
    np.testing.assert_allclose(sums[4], [0.0, 0.0], atol=1e-12)  # frame 5, sample 2: unused
    assert np.all(lp.grad.numpy()[4, 1] == 0.0)
    gamma = np.exp(lp.detach().numpy()) - lp.grad.numpy()
    assert np.all(gamma[:, 0] > -1e-12) and np.all(gamma[:, 0, 1:].sum(-1) <= 1 + 1e-12)


def test_ctc_formats_reductions_and_zero_infinity():
    rng = np.random.default_rng(2)
    lp = ag.tensor(rng.standard_normal((6, 3, 5))).log_softmax(2)
    padded = ag.tensor([[1, 2, 3], [4, 4, 0], [2, 0, 0]])
    il, tl = ag.tensor([6, 6, 4]), ag.tensor([3, 2, 1])
    per = F.ctc_loss(lp, padded, il, tl, reduction="none")
    concat = F.ctc_loss(lp, ag.tensor([1, 2, 3, 4, 4, 2]), il, tl, reduction="none")
    np.testing.assert_array_equal(per.numpy(), concat.numpy())
    np.testing.assert_allclose(F.ctc_loss(lp, padded, il, tl).item(),
                               (per.numpy() / [3, 2, 1]).mean(), rtol=1e-6)
    np.testing.assert_allclose(nn.CTCLoss(reduction="sum")(lp, padded, (6, 6, 4), (3, 2, 1))
                               .item(), per.numpy().sum(), rtol=1e-6)
    # unbatched: (T, C) and a 1-d target
    one = F.ctc_loss(lp[:, 0], ag.tensor([1, 2, 3]), ag.tensor(6), ag.tensor(3),
                     reduction="none")
    assert one.shape == () and one.item() == per[0].item()
    # a target longer than its frames allow: +inf, or 0 (with a zero gradient) by request
    x = ag.tensor(rng.standard_normal((2, 1, 3)), requires_grad=True)
    assert F.ctc_loss(x.log_softmax(2), ag.tensor([[1, 1]]), [2], [2]).item() == math.inf
    z = F.ctc_loss(x.log_softmax(2), ag.tensor([[1, 1]]), [2], [2], zero_infinity=True)
    z.backward()
    assert z.item() == 0.0 and np.all(x.grad.numpy() == 0.0)
    assert repr(nn.CTCLoss(blank=2)) == "CTCLoss()"


def test_ctc_errors():
    lp = ag.zeros(6, 2, 4)
    tg, il, tl = ag.tensor([[1, 2, 2], [3, 1, 0]]), ag.tensor([6, 5]), ag.tensor([3, 2])
    with pytest.raises(RuntimeError, match="Expected input_lengths to have value at most 6, "
                       "but got value 7"):
        F.ctc_loss(lp, tg, ag.tensor([7, 5]), tl)
    with pytest.raises(RuntimeError, match="Expected input_lengths to have value at least 0"):
        F.ctc_loss(lp, tg, ag.tensor([-1, 5]), tl)
    with pytest.raises(RuntimeError, match="Expected tensor to have size at least 4 at "
                       "dimension 1, but got size 3 for argument #2 'targets'"):
        F.ctc_loss(lp, tg, il, ag.tensor([4, 2]))
    with pytest.raises(RuntimeError, match="Expected tensor to have size 2 at dimension 0, "
                       "but got size 1 for argument #2 'targets'"):
        F.ctc_loss(lp, tg[:1], il, tl)
    with pytest.raises(RuntimeError, match="Expected tensor to have size 5 at dimension 0, "
                       "but got size 4"):
        F.ctc_loss(lp, ag.tensor([1, 2, 2, 3]), il, tl)
    with pytest.raises(RuntimeError, match="blank must be in label range"):
        F.ctc_loss(lp, tg, il, tl, blank=4)
    with pytest.raises(RuntimeError, match="input_lengths must be of size batch_size"):
        F.ctc_loss(lp, tg, il[:1], tl)
    with pytest.raises(RuntimeError, match="target_lengths must be of size batch_size"):
        F.ctc_loss(lp, tg, il, tl[:1])
    with pytest.raises(RuntimeError, match="input_lengths must be integral"):
        F.ctc_loss(lp, tg, il.float(), tl)
    with pytest.raises(RuntimeError, match="Expected 3-dimensional tensor, but got "
                       "5-dimensional tensor for argument #1 'log_probs'"):
        F.ctc_loss(lp.unsqueeze(0), tg, il, tl)
    with pytest.raises(RuntimeError, match=r"target labels must be classes in \[0, 4\)"):
        F.ctc_loss(lp, ag.tensor([[1, 9, 2], [3, 1, 0]]), il, tl)
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.ctc_loss(lp, tg, il, tl, reduction="avg")
    # unbatched (T, C): a 1-d target is the concatenated form, so its size must be the target
    # length (PyTorch's check; a padded reading would score other labels), and the lengths
    # must be of one sample (they were cut to their first entry)
    with pytest.raises(RuntimeError, match="Expected tensor to have size 2 at dimension 0, "
                       "but got size 3 for argument #2 'targets'"):
        F.ctc_loss(lp[:, 0], ag.tensor([1, 2, 3]), ag.tensor([6]), ag.tensor([2]))
    with pytest.raises(RuntimeError, match="input_lengths must be of size batch_size"):
        F.ctc_loss(lp[:, 0], ag.tensor([1, 2, 3]), ag.tensor([6, 4]), ag.tensor([3, 1]))


# ---- CTC: the Numba kernels against their numpy twins --------------------------------------

@settings(max_examples=10)
@given(T=st.integers(1, 7), N=st.integers(1, 3), C=st.integers(2, 5), S=st.integers(1, 4),
       dtype=st.sampled_from([np.float32, np.float64]), zero_inf=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_ctc_kernels_equal_their_numpy_twins(T, N, C, S, dtype, zero_inf, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, N, C))
    lp = np.ascontiguousarray((x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(dtype))
    blank = int(rng.integers(0, C))
    targets = rng.integers(0, C, (N, S)).astype(np.int64)
    il = rng.integers(0, T + 1, N).astype(np.int64)
    tl = rng.integers(0, S + 1, N).astype(np.int64)
    g = rng.standard_normal(N)
    nll, alpha = K.ctc_forward(lp, targets, il, tl, blank)
    grad = K.ctc_backward(g, lp, targets, il, tl, nll, alpha, blank, zero_inf)
    nll0, alpha0 = K.ctc_forward_numpy(lp, targets, il, tl, blank)
    grad0 = K.ctc_backward_numpy(g, lp, targets, il, tl, nll0, alpha0, blank, zero_inf)
    np.testing.assert_allclose(nll, nll0, rtol=1e-13)
    np.testing.assert_allclose(alpha, alpha0, rtol=1e-13)
    assert grad.dtype == grad0.dtype == dtype
    np.testing.assert_allclose(grad, grad0, rtol=1e-12 if dtype == np.float64 else 1e-6,
                               atol=1e-13)
    # the parallel build too
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(K, "PARALLEL_MIN_SIZE", 0)
        nll2, alpha2 = K.ctc_forward(lp, targets, il, tl, blank)
        np.testing.assert_array_equal(nll2, nll)
        np.testing.assert_array_equal(
            K.ctc_backward(g, lp, targets, il, tl, nll2, alpha2, blank, zero_inf), grad)


def test_ctc_kernels_check_their_arguments():
    lp = np.zeros((3, 2, 4))
    tg, il, tl = np.zeros((2, 2), np.int64), np.array([3, 3]), np.array([2, 2])
    with pytest.raises(ValueError, match="ctc_forward: lengths out of range"):
        K.ctc_forward(lp, tg, np.array([4, 3]), tl, 0)
    with pytest.raises(ValueError, match="ctc_forward: targets must be"):
        K.ctc_forward(lp, tg.astype(np.int32), il, tl, 0)
    with pytest.raises(ValueError, match="ctc_forward: log_probs must be"):
        K.ctc_forward(lp.astype(np.int64), tg, il, tl, 0)
    with pytest.raises(ValueError, match="a target label is not a class"):
        K.ctc_forward(lp, tg + 7, il, tl, 0)
    with pytest.raises(ValueError, match="blank 4 is not a class"):
        K.ctc_forward(lp, tg, il, tl, 4)
    nll, alpha = K.ctc_forward(lp, tg, il, tl, 0)
    with pytest.raises(ValueError, match="ctc_backward: grad_out and nll"):
        K.ctc_backward(np.ones(3), lp, tg, il, tl, nll, alpha, 0, False)


# ---- CTC against PyTorch --------------------------------------------------------------------

@pytest.mark.torch_parity
@settings(max_examples=12)
@given(T=st.integers(1, 12), N=st.integers(1, 4), C=st.integers(2, 6), S=st.integers(1, 5),
       reduction=st.sampled_from(["none", "mean", "sum"]), zero_inf=st.booleans(),
       concat=st.booleans(), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2 ** 16))
def test_ctc_matches_torch(T, N, C, S, reduction, zero_inf, concat, dtype, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, N, C)).astype(dtype)
    blank = int(rng.integers(0, C))
    labels = [c for c in range(C) if c != blank]
    tg = rng.choice(labels, (N, S)).astype(np.int64)
    il = rng.integers(0, T + 1, N)
    tl = rng.integers(0, S + 1, N)
    tg_in = np.concatenate([tg[n, :tl[n]] for n in range(N)]) if concat else tg
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours = F.ctc_loss(a.log_softmax(2), ag.tensor(tg_in), ag.tensor(il), ag.tensor(tl),
                      blank=blank, reduction=reduction, zero_infinity=zero_inf)
    ref = torch.nn.functional.ctc_loss(t.log_softmax(2), torch.tensor(tg_in), torch.tensor(il),
                                       torch.tensor(tl), blank=blank, reduction=reduction,
                                       zero_infinity=zero_inf)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), **tol)
    w = rng.standard_normal(tuple(ref.shape)).astype(dtype)
    (ours * ag.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    if np.all(np.isfinite(t.grad.numpy())):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **tol)
    # with respect to log_probs directly (PyTorch's gradient convention)
    lp = ag.tensor(x).log_softmax(2).detach().requires_grad_()
    tlp = torch.tensor(x).log_softmax(2).detach().requires_grad_()
    F.ctc_loss(lp, ag.tensor(tg_in), ag.tensor(il), ag.tensor(tl), blank=blank,
               reduction="sum", zero_infinity=True).backward()
    torch.nn.functional.ctc_loss(tlp, torch.tensor(tg_in), torch.tensor(il), torch.tensor(tl),
                                 blank=blank, reduction="sum", zero_infinity=True).backward()
    np.testing.assert_allclose(lp.grad.numpy(), tlp.grad.numpy(), **tol)


@pytest.mark.torch_parity
@pytest.mark.parametrize("path", [
    "nn.functional.gaussian_nll_loss", "nn.functional.ctc_loss", "nn.GaussianNLLLoss.__init__",
    "nn.GaussianNLLLoss.forward", "nn.CTCLoss.__init__", "nn.CTCLoss.forward",
    "set_printoptions"])
def test_signatures_equal_pytorchs(path):
    import inspect

    torch = pytest.importorskip("torch")

    def resolve(obj):
        for part in path.split("."):
            obj = getattr(obj, part)
        return inspect.signature(obj).parameters

    ours, theirs = resolve(ag), resolve(torch)
    assert list(ours) == list(theirs)
    for name in ours:
        assert ours[name].default == theirs[name].default, name
        assert ours[name].kind == theirs[name].kind, name
