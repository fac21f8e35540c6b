"""Regressions found running public PyTorch programs on tapegrad (round 16: higher-order and
functional autograd — PINNs, Lagrangian NNs, neural ODE adjoints, score matching, MAML,
influence functions, torch.func — and the research toolbox: parametrizations, pruning,
clipping, checkpointing, classic lecture notebooks).

Harness and results: /work/progs_runs/progs16/ (RESULTS16.md).
"""
import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.utils import parametrizations as P
from nn.utils import parametrize


class _Upper(nn.Module):
    def forward(self, x):
        return x.triu()

    def right_inverse(self, x):
        raise NotImplementedError("no inverse")


def test_register_parametrization_right_inverse_not_implemented_is_identity():
    """p09 (SN-GAN + orthogonal maps sweep): ``P.orthogonal(lin, orthogonal_map="cayley",
    use_trivialization=False)`` raised NotImplementedError at registration. PyTorch treats a
    right_inverse raising NotImplementedError as the identity when it registers (the original
    keeps its values); assigning to the parametrized tensor still raises."""
    lin = nn.Linear(3, 3, bias=False)
    w0 = lin.weight.detach().clone()
    parametrize.register_parametrization(lin, "weight", _Upper())
    np.testing.assert_array_equal(lin.parametrizations.weight.original.detach().numpy(), w0.numpy())
    np.testing.assert_array_equal(lin.weight.detach().numpy(), np.triu(w0.numpy()))
    with pytest.raises(NotImplementedError, match="no inverse"):
        lin.weight = ag.zeros(3, 3)


@pytest.mark.torch_parity
@pytest.mark.parametrize("orth_map", ["matrix_exp", "cayley"])
def test_orthogonal_without_trivialization_matches_torch(orth_map):
    torch = pytest.importorskip("torch")
    w = np.random.RandomState(0).randn(4, 4).astype(np.float32)
    ours = nn.Linear(4, 4, bias=False)
    theirs = torch.nn.Linear(4, 4, bias=False)
    with ag.no_grad():
        ours.weight.copy_(ag.tensor(w))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w))
    P.orthogonal(ours, orthogonal_map=orth_map, use_trivialization=False)
    torch.nn.utils.parametrizations.orthogonal(theirs, orthogonal_map=orth_map, use_trivialization=False)
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    q = ours.weight.detach().numpy()
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)
