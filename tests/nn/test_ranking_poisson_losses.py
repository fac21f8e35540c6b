"""MarginRankingLoss, TripletMarginLoss, PoissonNLLLoss: hand-worked values and PyTorch parity
of values and gradients over their options."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def test_hand_worked_values():
    # margin ranking: max(0, -y (x1 - x2) + m) = [max(0, -0.5 + 0.2), max(0, 0.5 + 0.2)]
    got = F.margin_ranking_loss(ag.tensor([1.0, 0.0]), ag.tensor([0.5, 0.5]),
                                ag.tensor([1.0, 1.0]), margin=0.2, reduction="none")
    np.testing.assert_allclose(got.numpy(), [0.0, 0.7], atol=1e-7)
    # triplet: d(a,p) = 5, d(a,n) = 10 -> max(5 - 10 + 1, 0) = 0; swapped roles -> 6
    a, p5, n10 = ag.zeros(1, 2), ag.tensor([[3.0, 4.0]]), ag.tensor([[6.0, 8.0]])
    assert F.triplet_margin_loss(a, p5, n10, eps=0.0).item() == 0.0
    assert F.triplet_margin_loss(a, n10, p5, eps=0.0).item() == pytest.approx(6.0)
    # swap: d(p, n) = 5 < d(a, n) = 10 is used -> max(5 - 5 + 1, 0) = 1
    assert F.triplet_margin_loss(a, p5, n10, eps=0.0, swap=True).item() == pytest.approx(1.0)
    # Poisson, log input: exp(x) - y x = [1 - 0, e - 2]
    got = F.poisson_nll_loss(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 2.0]), reduction="none")
    np.testing.assert_allclose(got.numpy(), [1.0, np.e - 2.0], rtol=1e-6)
    with pytest.raises(ValueError, match="margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)


@pytest.mark.torch_parity
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_values_and_gradients_match_torch(reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x1, x2 = rng.standard_normal(6), rng.standard_normal(6)
    y = np.sign(rng.standard_normal(6))
    A, P, N = (rng.standard_normal((4, 3)) for _ in range(3))
    rates = rng.random(5) + 0.1
    counts = rng.integers(0, 6, 5).astype(np.float64)
    cases = [
        (lambda L, *t: L.nn.functional.margin_ranking_loss(*t, margin=0.3, reduction=reduction),
         [x1, x2], [y]),
        (lambda L, *t: L.nn.functional.triplet_margin_loss(*t, margin=0.7, p=1.5,
                                                            reduction=reduction),
         [A, P, N], []),
        (lambda L, *t: L.nn.functional.triplet_margin_loss(*t, swap=True, reduction=reduction),
         [A, P, N], []),
        (lambda L, *t: L.nn.functional.poisson_nll_loss(*t, reduction=reduction),
         [np.log(rates)], [counts]),
        (lambda L, *t: L.nn.functional.poisson_nll_loss(*t, log_input=False, full=True,
                                                         reduction=reduction),
         [rates], [counts]),
    ]
    import autograd_core
    ours_lib = type("lib", (), {"nn": nn})
    for fn, diff, const in cases:
        ours = [autograd_core.tensor(a, requires_grad=True) for a in diff]
        theirs = [torch.tensor(a, requires_grad=True) for a in diff]
        got = fn(ours_lib, *ours, *[autograd_core.tensor(c) for c in const])
        want = fn(torch, *theirs, *[torch.tensor(c) for c in const])
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10)
        w = rng.standard_normal(tuple(want.shape))
        (got * autograd_core.tensor(w)).sum().backward()
        (want * torch.tensor(w)).sum().backward()
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.torch_parity
def test_modules_repr_and_defaults_match_torch():
    torch = pytest.importorskip("torch")
    import inspect
    for name in ("MarginRankingLoss", "TripletMarginLoss", "PoissonNLLLoss"):
        ours = inspect.signature(getattr(nn, name).__init__)
        theirs = inspect.signature(getattr(torch.nn, name).__init__)
        assert [(p.name, p.default) for p in ours.parameters.values()] == \
            [(p.name, p.default) for p in theirs.parameters.values()], name
