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

