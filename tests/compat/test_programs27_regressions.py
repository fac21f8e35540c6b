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
