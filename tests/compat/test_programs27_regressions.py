"""Regressions found running seeded PyTorch programs of kinds not yet covered on tapegrad with
only their imports rewritten (round 27: a DDPM training step and sampler, an energy-based model
with Langevin sampling, a Gumbel-softmax VAE, Bayes-by-backprop, FGSM/PGD adversarial
examples, a ViT, a CLIP-style contrastive loss, a BERT-style masked LM with tied embeddings,
PointNet, a top-k mixture of experts, LoRA by hand and by parametrization, a hypernetwork,
focal/Dice/pinball losses, a linear-chain CRF with Viterbi, beam search, SAC/TD3, weighted
sampling with a curriculum, and 94 common mistakes in these programs).

Harness and results: /work/progs_runs/progs27/ (RESULTS27.md).
"""
import pytest

import autograd_core as ag
import nn
import nn.functional as F


def test_register_buffer_under_a_parameters_name_is_refused():
    """r06 (mistakes probe: a frozen LoRA base written as ``self.register_buffer("weight", w)``
    in an ``nn.Linear`` subclass): PyTorch raises ``KeyError: "attribute 'weight' already
    exists"``; tapegrad silently turned the parameter into a buffer, so it left
    ``parameters()`` (and the optimizer) without a word. The reverse
    (``register_parameter`` under a buffer's name) is refused too; plain assignment still
    replaces, as in PyTorch."""
    m = nn.Linear(3, 2)
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        m.register_buffer("weight", ag.zeros(2, 3))
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert list(m.state_dict()) == ["weight", "bias"]
    bn = nn.BatchNorm1d(2)
    with pytest.raises(KeyError, match="attribute 'running_mean' already exists"):
        bn.register_parameter("running_mean", nn.Parameter(ag.zeros(2)))
    assert "running_mean" in dict(bn.named_buffers())
    bn.register_buffer("running_mean", ag.ones(2))  # same kind: replaced
    assert bn.running_mean.tolist() == [1.0, 1.0]
    m.register_buffer("extra", ag.zeros(1))
    m.extra = nn.Parameter(ag.ones(1))  # assignment moves it, as PyTorch's __setattr__
    assert "extra" in dict(m.named_parameters()) and "extra" not in dict(m.named_buffers())


@pytest.mark.parametrize("x_shape,rows", [((7, 6), 7), ((6,), 1), ((2, 3, 6), 6)])
def test_linear_bias_of_the_wrong_length_raises_pytorchs_runtime_error(x_shape, rows):
    """r06 (a hypernetwork slicing its generated bias one element too long): ``F.linear``
    leaked numpy's ``ValueError: operands could not be broadcast together``; PyTorch's
    ``addmm`` raises a RuntimeError naming the expansion."""
    with pytest.raises(RuntimeError) as info:
        F.linear(ag.ones(x_shape), ag.ones(5, 6), ag.ones(6))
    assert str(info.value) == (
        "The expanded size of the tensor (5) must match the existing size (6) at "
        f"non-singleton dimension 1.  Target sizes: [{rows}, 5].  Tensor sizes: [6]")


def test_linear_2d_input_with_a_3d_bias_is_refused_not_broadcast():
    """r06: a (7, 1, 5) bias with a (7, 6) input gave a (7, 7, 5) result (the bias broadcast
    the output up); PyTorch's ``addmm`` cannot expand a 3-d bias to (7, 5) and raises."""
    with pytest.raises(RuntimeError, match=r"the number of sizes provided \(2\) must be "
                                           r"greater or equal to the number of dimensions"):
        F.linear(ag.ones(7, 6), ag.ones(5, 6), ag.ones(7, 1, 5))
    with pytest.raises(RuntimeError, match=r"output with shape \[5\] doesn't match the "
                                           r"broadcast shape \[2, 5\]"):
        F.linear(ag.ones(6), ag.ones(5, 6), ag.ones(2, 5))


def test_linear_1d_input_with_a_row_bias_keeps_the_1d_result():
    """r06: a 1-d input with a (1, out) bias raised numpy's ValueError; PyTorch returns the
    (out,) result (the bias's gradient keeps its (1, out) shape)."""
    b = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    w = ag.arange(6.0).reshape(3, 2)
    y = F.linear(ag.tensor([1.0, -1.0]), w, b)
    assert y.shape == (3,)
    assert y.tolist() == [0.0, 1.0, 2.0]
    (y * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert b.grad.tolist() == [[1.0, 2.0, 3.0]]


def test_cross_entropy_with_one_hot_int64_labels_names_the_probability_target_dtype():
    """r06 (a classifier given ``F.one_hot(y)`` as its target, left int64): PyTorch reads a
    target of the input's shape as class probabilities and says it must be floating point;
    tapegrad treated it as class indices: "Expected target size [4], got [4, 3]"."""
    with pytest.raises(RuntimeError, match="^Expected floating point type for target with class "
                                           "probabilities, got Long$"):
        F.cross_entropy(ag.zeros(4, 3), F.one_hot(ag.tensor([0, 2, 1, 0]), 3))


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
@pytest.mark.parametrize("x_shape,t_shape,kind,words", [
    ((4, 3), (4, 4), RuntimeError, "0D or 1D target tensor expected, multi-target not supported"),
    ((4, 3), (3,), ValueError, r"Expected input batch_size \(4\) to match target batch_size \(3\)"),
    ((4, 3), (), ValueError, r"Expected input batch_size \(4\) to match target batch_size \(0\)"),
    ((4, 3, 5), (4, 3), RuntimeError, r"Expected target size \[4, 5\], got \[4, 3\]"),
    ((3,), (2, 3), RuntimeError, "0D or 1D target tensor expected, multi-target not supported"),
])
def test_a_float_target_of_another_shape_gets_pytorchs_shape_error_first(
        fn, x_shape, t_shape, kind, words):
    """r06 (soft labels of the wrong width, ``(N, C')``, and other mistaken targets): PyTorch
    takes a target that is not of the input's shape as class indices and checks its shape
    before its dtype; tapegrad named the dtype first ("expected target dtype to be Long or
    Byte, but got Float"), and an int64 2-d target of an (N, C) input "Expected target size"."""
    with pytest.raises(kind, match=words):
        fn(ag.zeros(x_shape), ag.zeros(t_shape))
    with pytest.raises(kind, match=words):
        fn(ag.zeros(x_shape), ag.zeros(t_shape, dtype=ag.int64) + 1)


@pytest.mark.parametrize("shape,sizes,words", [
    ((1, 2, 4), (3, 3, -1), "The expanded size of the tensor (3) must match the existing size (2)"
     " at non-singleton dimension 1.  Target sizes: [3, 3, -1].  Tensor sizes: [1, 2, 4]"),
    ((2, 4), (3,), "expand(torch.FloatTensor{[2, 4]}, size=[3]): the number of sizes provided (1)"
     " must be greater or equal to the number of dimensions in the tensor (2)"),
    ((3,), (-1, 3), "The expanded size of the tensor (-1) isn't allowed in a leading, "
     "non-existing dimension 0"),
])
def test_expand_refusals_use_pytorchs_words(shape, sizes, words):
    """r06 (a ViT's ``cls_token.expand(B, -1, -1)`` on a token of the wrong shape): tapegrad's
    own "expand: a tensor of shape (1, 2, 4) cannot be expanded to shape (3, 3, 4)"; PyTorch's
    message names the dimension and both sizes. Legal expansions are unchanged."""
    with pytest.raises(RuntimeError) as info:
        ag.zeros(shape).expand(*sizes)
    assert str(info.value) == words
    assert ag.zeros(1, 1, 4).expand(-1, 2, 4).shape == (1, 2, 4)
    assert ag.zeros(1, 4).expand(2, -1, -1).shape == (2, 1, 4)
