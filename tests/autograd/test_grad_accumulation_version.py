"""Accumulating into an existing ``.grad`` is an in-place write: it bumps the version of the
``.grad`` tensor, as PyTorch's, so a graph that saved that tensor refuses to backward instead of
silently using the accumulated values (progs16 p25, "learning to learn by gradient descent":
``w.grad`` came out 8 where PyTorch raises)."""

import pytest

import autograd_core as ag


def test_graph_that_saved_grad_refuses_after_accumulation():
    w = ag.tensor([1.0], requires_grad=True)
    (w * 2).sum().backward()
    gg = w.grad
    v0 = gg._version
    h = (gg * w).sum()  # saves gg (its values 2) for w's gradient
    (w * 3).sum().backward()  # accumulates into gg in place: 2 + 3
    assert w.grad is gg and gg.tolist() == [5.0] and gg._version == v0 + 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        h.backward()


def test_fresh_grad_and_plain_accumulation_unchanged():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]
    (w * 3).sum().backward()
    assert w.grad.tolist() == [5.0, 7.0]


@pytest.mark.torch_parity
def test_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        w = lib.tensor([1.0], requires_grad=True)
        (w * 2).sum().backward()
        gg = w.grad
        h = (gg * w).sum()
        v = gg._version
        (w * 3).sum().backward()
        assert gg._version == v + 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            h.backward()
