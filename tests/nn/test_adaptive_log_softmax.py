"""nn.AdaptiveLogSoftmaxWithLoss: forward's (output, loss), log_prob and predict against PyTorch
with PyTorch's weights copied (the generic module sweep in tests/compat/test_modules_vs_torch.py
also runs it), float64 gradcheck, a hand-worked two-cluster case, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn

# a cluster of hidden size in_features // div_value**k = 0: both libraries warn alike
pytestmark = pytest.mark.filterwarnings("ignore:Initializing zero-element tensors:UserWarning")


def _pair(torch, *args, **kw):
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(*args, **kw).double()
    ours = nn.AdaptiveLogSoftmaxWithLoss(*args, **kw).double()
    ours.load_state_dict({k: ag.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    return ours, theirs


def _close(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.torch_parity
def test_forward_log_prob_predict_and_gradients_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch, 6, 20, [4, 9, 15], div_value=2.0, head_bias=True)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((9, 6))
    target = np.array([0, 3, 4, 8, 9, 14, 15, 19, 2])
    xo, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    o, t = ours(xo, ag.tensor(target)), theirs(xt, torch.tensor(target))
    assert type(o).__name__ == "_ASMoutput" and o._fields == ("output", "loss")
    _close(o.output, t.output)
    _close(o.loss, t.loss)
    (o.loss + (o.output * ag.tensor(np.arange(9.0))).sum()).backward()
    (t.loss + (t.output * torch.arange(9.0, dtype=torch.float64)).sum()).backward()
    _close(xo.grad, xt.grad)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, tparams[name].grad)
    _close(ours.log_prob(ag.tensor(x)), theirs.log_prob(torch.tensor(x)))
    # predict when the head picks the shortlist for every row, a cluster for every row, or
    # a cluster for some rows: head row 0 (a class) follows feature 0, row 5 (a cluster)
    # feature 1, the others are negative; the rows of x are positive
    xs = np.abs(x) + 0.1
    for favour, regime in ((0, "none"), (1, "all"), (None, "some")):
        w = np.full((ours.head_size, 6), -1.0)
        w[0, 0] = w[5, 1] = 5.0
        if favour is not None:
            xs[:, favour] += 10.0
        for m in (ours, theirs):
            m.head.weight.data[...] = (ag if m is ours else torch).tensor(w)
        picks = ours.head(ag.tensor(xs)).argmax(1).numpy() >= ours.shortlist_size
        assert {"none": not picks.any(), "all": picks.all(),
                "some": picks.any() and not picks.all()}[regime]
        po, pt = ours.predict(ag.tensor(xs)), theirs.predict(torch.tensor(xs))
        assert po.dtype == ag.int64
        np.testing.assert_array_equal(po.numpy(), pt.numpy())
        np.testing.assert_array_equal(po.numpy(),
                                      ours.log_prob(ag.tensor(xs)).argmax(1).numpy())
        xs = np.abs(x) + 0.1


@pytest.mark.torch_parity
def test_unbatched_input_and_one_row_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch, 5, 8, [2, 5])
    x = np.linspace(-1, 1, 5)
    for xs, target in ((x, 6), (x[None], [3])):
        o, t = ours(ag.tensor(xs), ag.tensor(target)), theirs(torch.tensor(xs), torch.tensor(target))
        assert tuple(o.output.shape) == tuple(t.output.shape)
        _close(o.output, t.output)
        _close(o.loss, t.loss)


def test_two_clusters_by_hand():
    # one row per cluster; the head and tail weights zero: every softmax is uniform, so the
    # log-probability of a class in cluster i is log(1/head_size) + log(1/cluster size)
    m = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3, 7], div_value=1.0).double()
    for p in m.parameters():
        p.data[...] = 0.0
    out = m(ag.zeros(3, 4, dtype=ag.float64), ag.tensor([1, 5, 9]))
    head = np.log(1 / 5)
    expected = [head, head + np.log(1 / 4), head + np.log(1 / 3)]
    np.testing.assert_allclose(out.output.detach().numpy(), expected, rtol=1e-15)
    np.testing.assert_allclose(out.loss.item(), -np.mean(expected), rtol=1e-15)
    full = m.log_prob(ag.zeros(2, 4, dtype=ag.float64)).detach().numpy()
    np.testing.assert_allclose(full[0], [head] * 3 + [expected[1]] * 4 + [expected[2]] * 3,
                               rtol=1e-15)


def test_gradcheck_float64():
    m = nn.AdaptiveLogSoftmaxWithLoss(4, 9, [2, 5], div_value=2.0, head_bias=True).double()
    target = ag.tensor([0, 3, 8, 6, 1])
    x = ag.tensor(np.random.default_rng(1).standard_normal((5, 4)), requires_grad=True)
    assert ag.autograd.gradcheck(lambda v: m(v, target).output, (x,))
    assert ag.autograd.gradcheck(lambda v: m.log_prob(v), (x,))
    w = m.tail[1][0].weight
    assert ag.autograd.gradcheck(lambda v: nn.utils.stateless.functional_call(
        m, {"tail.1.0.weight": v}, (x, target)).loss, (w.detach().requires_grad_(),))


@pytest.mark.parametrize("cutoffs", [[], [3, 2], [0, 3], [3, 10], [3, 3], [2.5]])
def test_bad_cutoffs_are_refused_with_torchs_words(cutoffs):
    match = "length larger than 0" if not cutoffs else "unique, positive integers sorted"
    with pytest.raises(ValueError, match=match):
        nn.AdaptiveLogSoftmaxWithLoss(4, 10, cutoffs)


def test_bad_targets_and_inputs_are_refused_with_torchs_words():
    m = nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])
    x = ag.zeros(2, 4)
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 9\], but values in "
                                           r"range \[-1, 10\] were found"):
        m(x, ag.tensor([-1, 10]))
    with pytest.raises(RuntimeError, match="same size in the batch dimension"):
        m(x, ag.tensor([1, 2, 3]))
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input tensors"):
        m(ag.zeros(2, 4, 1), ag.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="0D target tensor expects 1D input tensors"):
        m(x, ag.tensor(1))
    with pytest.raises(RuntimeError, match="multi-target not supported"):
        m(x, ag.tensor([[1], [2]]))
    with pytest.raises(RuntimeError, match="Expected dtype int32/int64 for index"):
        m(x, ag.tensor([1.0, 2.0]))
