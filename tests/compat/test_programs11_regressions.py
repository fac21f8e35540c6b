"""Regressions found by the eleventh round of public PyTorch programs run on tapegrad with their
imports rewritten (PPO/SAC on toy environments, recommenders with EmbeddingBag, GCN/GAT from
scratch, ResNet-8 with hand augmentation, seq2seq with attention masks, PINNs with LBFGS, Bayes by
backprop, DDPM on 2-D points, lr schedulers, exact GP regression, ...): each test is the line that
broke or gave another number, reduced."""

import re

import pytest

import autograd_core as ag
import nn.functional as agF

# F.linear(input, weight, bias) with mixed dtypes: PyTorch runs addmm(bias, input, weight.T),
# which compares the bias with the weight first ("self and mat2"), then the input with the
# weight ("mat1 and mat2"); only without a bias is it mm's "expected m1 and m2" message.
_LINEAR_MIXED = [
    # (input, weight, bias) dtypes; the PINN program in float64 with a float32 collocation tensor
    (("float32", "float64", "float64"), "mat1 and mat2 must have the same dtype, but got Float and Double"),
    (("float64", "float32", "float32"), "mat1 and mat2 must have the same dtype, but got Double and Float"),
    (("float32", "float64", "float32"), "self and mat2 must have the same dtype, but got Float and Double"),
    (("float32", "float32", "float64"), "self and mat2 must have the same dtype, but got Double and Float"),
    (("float32", "float64", None), "expected m1 and m2 to have the same dtype, but got: float != double"),
]


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)])
@pytest.mark.parametrize("dtypes,message", _LINEAR_MIXED)
def test_linear_mixed_dtypes_refused_in_addmm_words(shape, dtypes, message):
    dx, dw, db = dtypes
    x = ag.ones(*shape, dtype=getattr(ag, dx))
    w = ag.ones(2, 3, dtype=getattr(ag, dw))
    b = None if db is None else ag.ones(2, dtype=getattr(ag, db))
    with pytest.raises(RuntimeError, match="^" + re.escape(message) + "$"):
        agF.linear(x, w, b)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtypes,message", _LINEAR_MIXED)
def test_linear_mixed_dtypes_messages_are_pytorchs(dtypes, message):
    torch = pytest.importorskip("torch")
    dx, dw, db = dtypes
    b = None if db is None else torch.ones(2, dtype=getattr(torch, db))
    with pytest.raises(RuntimeError, match="^" + re.escape(message) + "$"):
        torch.nn.functional.linear(torch.ones(2, 3, dtype=getattr(torch, dx)),
                                   torch.ones(2, 3, dtype=getattr(torch, dw)), b)


def test_legacy_contiguous_format_is_contiguous_format():
    # the Gumbel-softmax straight-through code copied from PyTorch's F.gumbel_softmax:
    # `torch.zeros_like(logits, memory_format=torch.legacy_contiguous_format).scatter_(-1, index, 1.0)`
    # raised AttributeError; in PyTorch the name is an alias of contiguous_format
    assert ag.legacy_contiguous_format is ag.contiguous_format
    logits = ag.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 0.5]])
    index = logits.max(-1, keepdim=True)[1]
    y_hard = ag.zeros_like(logits, memory_format=ag.legacy_contiguous_format).scatter_(-1, index, 1.0)
    assert y_hard.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
