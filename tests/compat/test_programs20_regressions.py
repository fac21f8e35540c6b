"""Regressions found running seeded PyTorch programs of kinds not yet covered on tapegrad with
only their imports rewritten (round 20: a nanoGPT-style character model with hand, SDPA and
MultiheadAttention blocks, a conditional VAE, GANs with a gradient penalty, a GRU seq2seq with
attention and teacher forcing, skip-gram word2vec with negative sampling, REINFORCE, RealNVP,
a small U-Net with ConvTranspose2d, custom autograd Functions with einsum-heavy code and
per-example gradients, checkpoint save/load round trips, ...).

Harness and results: /work/progs_runs/progs20/ (RESULTS20.md).
"""
import numpy as np
import pytest

import autograd_core as ag


def test_einsum_sublist_form():
    """p09 (einsum-heavy attention code): ``torch.einsum(q, [0, 1], k, [2, 1], [0, 2])``, the
    sublist form, raised a TypeError saying it needs "at least one operand and its subscripts
    list" while being given exactly that. Subscripts 0-25 are A-Z and 26-51 a-z (the implicit
    output is then sorted as the letters), ``Ellipsis`` is ``...``."""
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(12.0).reshape(4, 3) - 5
    ta, tb = ag.tensor(a), ag.tensor(b)
    assert np.array_equal(ag.einsum(ta, [0, 1], tb, [2, 1], [0, 2]).numpy(), a @ b.T)
    # no output list: the implicit output, A (0) before c (28)
    assert np.array_equal(ag.einsum(ta, [28, 1], tb, [0, 1]).numpy(), b @ a.T)
    x = np.arange(24.0).reshape(2, 3, 4)
    assert np.array_equal(ag.einsum(ag.tensor(x), [Ellipsis, 1], [1, Ellipsis]).numpy(),
                          np.moveaxis(x, 2, 0))
    w = ag.tensor(a, requires_grad=True)
    ag.einsum(w, [0, 1], tb, [2, 1]).sum().backward()
    assert np.array_equal(w.grad.numpy(), np.tile(b.sum(0), (2, 1)))


@pytest.mark.parametrize("args", [(ag.ones(2), [52]), (ag.ones(2), [-1]), (), (ag.ones(2),)])
def test_einsum_bad_sublists_and_missing_operands_raise_valueerror(args):
    """PyTorch's einsum raises ValueError for a subscript outside [0, 52) and for no operand;
    ours raised TypeError."""
    with pytest.raises(ValueError, match="einsum"):
        ag.einsum(*args)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "NAdam"])
def test_tensor_lr_of_several_elements_refused_as_pytorch(name):
    """p18 (optimizer options): a Tensor ``lr`` of more than one element raised "Boolean value of
    Tensor with more than one value is ambiguous" from the range check; PyTorch's optimizers
    say ``ValueError: Tensor lr must be 1-element``. A 1-element Tensor lr still works."""
    import optimizers
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="^Tensor lr must be 1-element$"):
        getattr(optimizers, name)([w], lr=ag.tensor([0.1, 0.2]))
    opt = getattr(optimizers, name)([w], lr=ag.tensor(0.5))
    assert opt.param_groups[0]["lr"].item() == 0.5



def _conv_function():
    """A custom Function that recomputes conv2d's backward with ``nn.grad``, as programs that
    save memory by writing their own convolution backward do (p09's style)."""
    import nn

    class Conv2dFn(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return nn.functional.conv2d(x, w, None, 2, 1, 1, 2)

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return (nn.grad.conv2d_input(x.shape, w, g, 2, 1, 1, 2),
                    nn.grad.conv2d_weight(x, w.shape, g, 2, 1, 1, 2))
    return Conv2dFn


def test_nn_grad_conv_input_and_weight():
    """p09 (custom autograd Functions): ``torch.nn.grad.conv2d_input`` / ``conv2d_weight`` were
    missing (``AttributeError: module 'nn' has no attribute 'grad'``). A Function built on them
    gives the gradients autograd gives conv2d, and the 1-D forms give hand-worked values."""
    import nn
    rng = np.random.default_rng(0)
    xv, wv = rng.normal(size=(2, 4, 7, 6)), rng.normal(size=(6, 2, 3, 3))
    x1, w1 = ag.tensor(xv, requires_grad=True), ag.tensor(wv, requires_grad=True)
    x2, w2 = ag.tensor(xv, requires_grad=True), ag.tensor(wv, requires_grad=True)
    (_conv_function().apply(x1, w1) ** 2).sum().backward()
    (nn.functional.conv2d(x2, w2, None, 2, 1, 1, 2) ** 2).sum().backward()
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w1.grad.numpy(), w2.grad.numpy(), rtol=1e-12, atol=1e-12)
    # y_j = x_j w_0 + x_{j+1} w_1 with x = (1, 2, 3), w = (10, 1), dy = (1, -1)
    x, w, g = ag.tensor([[[1.0, 2.0, 3.0]]]), ag.tensor([[[10.0, 1.0]]]), ag.tensor([[[1.0, -1.0]]])
    assert nn.grad.conv1d_input(x.shape, w, g).tolist() == [[[10.0, -9.0, -1.0]]]
    assert nn.grad.conv1d_weight(x, w.shape, g).tolist() == [[[-1.0, -1.0]]]
    assert ag.nn.grad is nn.grad


def test_nn_grad_keeps_a_graph_for_double_backward():
    """With a grad_output that requires grad (create_graph=True backward), the result is
    differentiable: d/dg of sum(conv1d_input(g)) is the transposed convolution of ones."""
    import nn
    w = ag.tensor([[[10.0, 1.0]]])
    g = ag.tensor([[[1.0, -1.0]]], requires_grad=True)
    gi = nn.grad.conv1d_input((1, 1, 3), w, g)
    assert gi.requires_grad
    gi.sum().backward()
    assert g.grad.tolist() == [[[11.0, 11.0]]]


@pytest.mark.torch_parity
@pytest.mark.parametrize("n,xs,ws,kw", [
    (1, (2, 4, 9), (6, 2, 3), dict(stride=2, padding=1, dilation=2, groups=2)),
    (2, (2, 3, 7, 6), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 0))),
    (3, (1, 2, 5, 4, 6), (2, 1, 2, 3, 2), dict(padding=1, dilation=(1, 1, 2), groups=2))])
def test_nn_grad_matches_torch(n, xs, ws, kw):
    torch = pytest.importorskip("torch")
    import nn
    rng = np.random.default_rng(n)
    x, w = rng.normal(size=xs), rng.normal(size=ws)
    go = rng.normal(size=getattr(torch.nn.functional, f"conv{n}d")(
        torch.tensor(x), torch.tensor(w), None, **kw).shape)
    for ours, theirs in [((xs, ag.tensor(w)), (xs, torch.tensor(w))),
                         ((ag.tensor(x), ws), (torch.tensor(x), ws))]:
        kind = "input" if isinstance(ours[0], tuple) else "weight"
        got = getattr(nn.grad, f"conv{n}d_{kind}")(*ours, ag.tensor(go), **kw).numpy()
        want = getattr(torch.nn.grad, f"conv{n}d_{kind}")(*theirs, torch.tensor(go), **kw).numpy()
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


def test_vmap_default_randomness_refuses_a_random_op():
    """p24 (the model-ensembling tutorial with dropout in the model): under ``vmap``'s default
    ``randomness="error"`` PyTorch raises at the first random op; here dropout ran with
    independent masks, so the program printed numbers PyTorch never gives and, having drawn,
    every later draw of the program differed from PyTorch's. Now PyTorch's RuntimeError, and
    the generator is put back to where it was (the next draw is PyTorch's next draw)."""
    import nn
    x = ag.ones(3, 4)
    ag.manual_seed(3)
    want = ag.rand(2).tolist()
    ag.manual_seed(3)
    with pytest.raises(RuntimeError, match="vmap: called random operation while in "
                                           "randomness error mode"):
        ag.func.vmap(lambda t: nn.functional.dropout(t, 0.5, training=True))(x)
    assert ag.rand(2).tolist() == want
    # without a draw nothing changes; "same" and "different" still draw
    assert ag.func.vmap(lambda t: t * 2)(x).tolist() == (x * 2).tolist()
    same = ag.func.vmap(lambda t: t + ag.rand(4), randomness="same")(x)
    assert (same == same[0]).all().item()
    diff = ag.func.vmap(lambda t: t + ag.rand(4), randomness="different")(x)
    assert not (diff == diff[0]).all().item()
