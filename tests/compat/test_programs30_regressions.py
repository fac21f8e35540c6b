"""Regressions found running seeded PyTorch programs of kinds not yet covered on tapegrad with
only their imports rewritten (round 30: Mamba-style selective scans, Kolmogorov-Arnold
networks, Swin, ConvNeXt, EfficientNet MBConv, MLP-Mixer and Perceiver blocks, neural ODEs
with an adjoint, Gaussian processes, Sinkhorn transport, Bayes-by-backprop, a Gumbel-softmax
VAE, mixture density networks, WaveNet, LoRA, pruning, quantisation-aware training, SAM,
Lookahead, a neural tangent kernel, SWA, and the less used losses and layers).

Harness and results: /work/progs_runs/progs30/ (RESULTS30.md).
"""
import warnings
from collections import defaultdict

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as F
import optimizers as optim


class _Lookahead(optim.Optimizer):
    """timm's Lookahead shape: an Optimizer subclass that never runs ``Optimizer.__init__``
    (it shares the base optimizer's ``param_groups``) and steps every ``k`` calls."""

    def __init__(self, base, alpha=0.5, k=2):
        self.base = base
        self.param_groups = base.param_groups
        self.defaults = base.defaults
        self.state = defaultdict(dict)
        self.slow = [p.detach().clone() for p in base.param_groups[0]["params"]]
        self.alpha, self.k, self.calls = alpha, k, 0

    def step(self, closure=None):
        loss = self.base.step(closure)
        self.calls += 1
        if self.calls % self.k == 0:
            with ag.no_grad():
                for p, s in zip(self.param_groups[0]["params"], self.slow):
                    s.add_(p - s, alpha=self.alpha)
                    p.copy_(s)
        return loss


def test_optimizer_subclass_without_base_init_steps():
    """Lookahead (timm's and lonePatient's wrappers skip ``Optimizer.__init__``): its
    ``step`` failed with AttributeError '_optimizer_step_pre_hooks', since every subclass's
    step is wrapped with the hook runner when the class is made; PyTorch wraps ``step`` in
    ``Optimizer.__init__``, so such a class's step runs bare. Hand-worked: SGD lr 0.5 on
    ``w = 1`` with gradient 1 gives 0.5, then 0; the second call pulls ``w`` halfway back to
    the slow weight 1: 0.5. The base optimizer's own hooks still run."""
    w = ag.tensor([1.0], requires_grad=True)
    base = optim.SGD([w], lr=0.5)
    seen = []
    base.register_step_post_hook(lambda o, a, k: seen.append(w.item()))
    la = _Lookahead(base)
    w.grad = ag.tensor([1.0])
    assert la.step(lambda: 7.0) == 7.0
    la.step()
    assert seen == [0.5, 0.0]
    np.testing.assert_array_equal(w.detach().numpy(), [0.5])


@pytest.mark.parametrize("kwargs, message", [
    (dict(kernel_size=2, stride=0), "stride should be greater than zero, but got stride_height: "
                                    "0 stride_width: 0"),
    (dict(kernel_size=2, padding=-1), "padding should be non-negative, but got pad_height: -1 "
                                      "pad_width: -1"),
    (dict(kernel_size=2, dilation=0, stride=0), "stride should be greater"),  # PyTorch's order
])
def test_fold_checks_window_sizes(kwargs, message):
    """The edge probe of this round's layers (``F.fold``/``F.unfold`` as the ViT patch
    programs use them, s08_edges, probes/fold_checks.py): a zero
    stride raised ZeroDivisionError and a negative padding a ValueError about an internal
    window; PyTorch's RuntimeErrors and wording (fold checks stride before dilation, unfold
    dilation before stride)."""
    with pytest.raises(RuntimeError, match=message):
        F.fold(ag.ones(1, 4, 4), (3, 3), **kwargs)
    with pytest.raises(RuntimeError, match="dilation should be greater"):
        F.unfold(ag.ones(1, 1, 3, 3), 2, dilation=0, stride=0)


def test_fold_names_the_bad_dimension():
    """Same probe (a fold given the wrong column count): channels not divisible by the kernel's size and a column count that is
    not the number of sliding blocks gave one message of its own; PyTorch's two (and its
    non-positive blocks message)."""
    with pytest.raises(RuntimeError, match=r"divisible by the product of kernel_size, but got "
                                           r"input.size\(1\)=13 and kernel_size=\(2, 2\)\."):
        F.fold(ag.ones(1, 13, 24), (5, 7), 2)
    with pytest.raises(RuntimeError, match=r"number of sliding blocks 4 \* 6 = 24, but got "
                                           r"input.size\(2\)=5\."):
        F.fold(ag.ones(1, 12, 5), (5, 7), 2)
    with pytest.raises(RuntimeError, match=r"sliding blocks as \(-2, -2\), which is too small"):
        F.fold(ag.ones(1, 25, 4), (2, 2), 5)


def test_lp_pool_infinite_norm_is_max_pooling_of_abs():
    """The pooling-layer program (``LPPool`` with ``norm_type=float('inf')``, the max-pooling
    limit): tapegrad computed ``(sum x**inf)**(1/inf)``, which is 1 for every window of
    values below 1 in magnitude (a silently wrong output); PyTorch max-pools ``|x|`` for inf
    and takes ``-max_pool(-|x|)`` (the smallest magnitude) for -inf. Hand-worked on
    [3, -4, 0.5, 0.25] with windows of 2: [4, 0.5] and [3, 0.25]; the gradient of the inf
    pool is sign(x) at each window's largest magnitude."""
    x = ag.tensor([[[3.0, -4.0, 0.5, 0.25]]], requires_grad=True)
    y = F.lp_pool1d(x, float("inf"), 2)
    np.testing.assert_array_equal(y.detach().numpy(), [[[4.0, 0.5]]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[0.0, -1.0, 1.0, 0.0]]])
    low = F.lp_pool2d(x.detach().view(1, 1, 2, 2), -float("inf"), (1, 2))
    np.testing.assert_array_equal(low.numpy(), [[[[3.0], [0.25]]]])
    assert F.lp_pool3d(ag.full((1, 1, 2, 2, 2), -0.5), float("inf"), 2).item() == 0.5


def test_max_unpool_takes_int64_indices_only():
    """The mistakes probe of this round's programs (s09_mistakes; the SegNet-style decoder
    keeps pool indices for ``MaxUnpool``): int32 or float indices (a cast on the way) were
    taken; PyTorch refuses every
    dtype but int64, with its messages (the 3-D one names no dtype)."""
    x = ag.tensor([[[1.0, 3.0, 4.0, 2.0]]])
    out, idx = F.max_pool1d(x, 2, return_indices=True)
    with pytest.raises(RuntimeError, match="^elements in indices should be type int64 but got: "
                                           "Int$"):
        F.max_unpool1d(out, idx.int(), 2)
    with pytest.raises(RuntimeError, match="but got: Float$"):
        F.max_unpool2d(out.unsqueeze(0), idx.unsqueeze(0).float(), 2)
    with pytest.raises(RuntimeError, match="^elements in indices should be type int64$"):
        F.max_unpool3d(ag.ones(1, 1, 1, 1, 2), ag.zeros(1, 1, 1, 1, 2, dtype=ag.int32), 2)
    np.testing.assert_array_equal(F.max_unpool1d(out, idx, 2).numpy(), [[[0.0, 3.0, 4.0, 0.0]]])


def test_gumbel_softmax_refuses_non_float_logits():
    """Same probe, of the Gumbel-softmax VAE (logits built from integer counts): int logits
    gave all-NaN samples; PyTorch's noise draw (``exponential_`` on ``empty_like(logits)``)
    refuses non-float dtypes, as ``exponential_`` here already did."""
    with pytest.raises(RuntimeError, match="dtype must be a floating point but you specified "
                                           "Long"):
        F.gumbel_softmax(ag.ones(2, 3, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="you specified Bool"):
        F.gumbel_softmax(ag.ones(2, 3, dtype=ag.bool), hard=True)
    assert F.gumbel_softmax(ag.ones(2, 3, dtype=ag.float16)).dtype == ag.float16


def test_margin_losses_take_int64_class_targets_only():
    """The mistakes probe of the less used losses (s09_mistakes): ``multi_margin_loss`` and
    ``multilabel_margin_loss`` took int32/uint8 targets (PyTorch's kernels take int64 class
    indices only) and worded the float-target refusal their own way."""
    x = ag.zeros(3, 4)
    with pytest.raises(RuntimeError, match="^expected scalar type Long but found Int$"):
        F.multi_margin_loss(x, ag.tensor([0, 1, 2], dtype=ag.int32))
    with pytest.raises(RuntimeError, match="^expected scalar type Long but found Double$"):
        F.multi_margin_loss(x, ag.tensor([0.0, 1.0, 2.0], dtype=ag.float64))
    with pytest.raises(RuntimeError, match="^expected scalar type Long but found Byte$"):
        F.multilabel_margin_loss(x, ag.zeros(3, 4, dtype=ag.uint8))
    # hand-worked: zero scores, margin 1, three wrong classes each: 3 / 4
    assert F.multi_margin_loss(x, ag.tensor([0, 1, 2])).item() == 0.75


def test_loss_and_layer_messages_name_types_as_pytorch():
    """Same probe: ``gaussian_nll_loss`` with an integer ``var`` named float32 as the result
    type under a float64 default dtype; ``nn.Bilinear``'s dtype refusal named numpy types and
    left the bias out; ``channel_shuffle`` and ``margin_ranking_loss`` had their own wording."""
    old = ag.get_default_dtype()
    ag.set_default_dtype(ag.float64)
    try:
        with pytest.raises(RuntimeError, match="^result type Double can't be cast to the "
                                               "desired output type long int$"):
            F.gaussian_nll_loss(ag.zeros(2), ag.zeros(2), ag.ones(2, dtype=ag.int64))
    finally:
        ag.set_default_dtype(old)
    with pytest.raises(RuntimeError, match=r"got input1: long int, input2: float, weight: "
                                           r"float, bias: c10::Half$"):
        F.bilinear(ag.ones(2, 3, dtype=ag.int64), ag.ones(2, 2), ag.ones(4, 3, 2),
                   ag.ones(4, dtype=ag.float16))
    with pytest.raises(RuntimeError, match=r"^channel_shuffle expects input with > 2 dims, "
                                           r"but got input with sizes \[4, 2\]$"):
        F.channel_shuffle(ag.zeros(4, 2), 2)
    with pytest.raises(RuntimeError, match=r"input1: autograd_core.Size\(\[4, 1\]\), input2: "
                                           r"autograd_core.Size\(\[4\]\)"):
        F.margin_ranking_loss(ag.zeros(4, 1), ag.zeros(4), ag.ones(4))


def test_einsum_names_the_letter_whose_sizes_differ():
    """The mistakes probe (a Perceiver's ``einsum("bhid,bhjd->bhij")`` given heads split
    another way): mismatched sizes gave numpy's message about remapped shapes; PyTorch names
    the subscript and both sizes (sizes of 1 broadcast), and a letter repeated in one operand
    with two sizes gets its own message."""
    with pytest.raises(RuntimeError, match="^einsum\\(\\): subscript j has size 4 for operand 1 "
                                           "which does not broadcast with previously seen size "
                                           "3$"):
        ag.einsum("ij,jk->ik", ag.ones(2, 3), ag.ones(4, 5))
    with pytest.raises(RuntimeError, match="subscript i is repeated for operand 0 but the sizes "
                                           "don't match, 3 != 2$"):
        ag.einsum("ii->i", ag.ones(2, 3))
    assert ag.einsum("ij,jk->ik", ag.ones(2, 1), ag.ones(4, 5)).tolist() == [[4.0] * 5] * 2


@pytest.mark.torch_parity
def test_non_leaf_grad_warning_is_pytorchs_text():
    """A training loop that read ``loss.grad`` by mistake (progs30) warned with PyTorch's text
    but one word off ("more informations"); PyTorch 2.13's text, up to its "(Triggered
    internally at ...)" suffix, is ours."""
    torch = pytest.importorskip("torch")

    def message(lib):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert y.grad is None
        return str(caught[0].message).split(" (Triggered internally")[0]

    assert message(ag) == message(torch)
