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
import nn.functional as F
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


@pytest.mark.torch_parity
def test_inplace_activation_writes_into_stored_feature():
    """p13 (CS231n StyleTransfer-PyTorch ``extract_features``): each layer's output is kept in a
    list and the next layer is ``ReLU(inplace=True)``, so in PyTorch the kept conv output IS the
    ReLU's output; ``inplace`` was ignored, the kept tensor stayed pre-ReLU and the content loss
    read 0.101 where PyTorch's is 0.0616 (every later number moved)."""
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(0)
    w = rng.randn(4, 3, 3, 3).astype(np.float32)
    x = rng.randn(1, 3, 5, 5).astype(np.float32)
    kept = {}
    for lib, tnn in ((ag, nn), (torch, torch.nn)):
        cnn = tnn.Sequential(tnn.Conv2d(3, 4, 3, padding=1, bias=False), tnn.ReLU(inplace=True))
        with lib.no_grad():
            cnn[0].weight.copy_(lib.tensor(w))
        feats, prev = [], lib.tensor(x)
        for module in cnn:
            prev = module(prev)
            feats.append(prev)
        assert feats[0] is feats[1]
        kept[lib.__name__] = feats[0].detach().numpy()
    assert kept["autograd_core"].min() == 0.0
    np.testing.assert_allclose(kept["autograd_core"], kept["torch"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: nn.ReLU(inplace=True), lambda: nn.LeakyReLU(0.1, inplace=True),
    lambda: nn.ELU(inplace=True), lambda: nn.Hardtanh(inplace=True), lambda: nn.ReLU6(True),
    lambda: nn.SiLU(inplace=True), lambda: nn.Threshold(0.1, 20.0, True)])
def test_inplace_activation_modules_write_their_input(make):
    x = ag.tensor([-1.5, -0.2, 0.05, 0.3, 2.0], requires_grad=True)
    y = x * 1.0
    want = make().__class__.__name__
    out = make()(y)
    assert out is y, want
    fresh = ag.tensor([-1.5, -0.2, 0.05, 0.3, 2.0])
    m = make()
    m.inplace = False
    np.testing.assert_array_equal(y.detach().numpy(), m(fresh).numpy())
    out.sum().backward()  # the gradient goes through the in-place node to x
    assert x.grad is not None
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        make()(x)


def test_inplace_relu_after_sigmoid_refuses_backward_as_pytorch():
    """sigmoid saves its output; ReLU(inplace=True) overwriting it makes backward refuse (PyTorch's
    'modified by an inplace operation') instead of silently using the new values."""
    x = ag.tensor([-1.0, 0.5], requires_grad=True)
    s = x.sigmoid()
    F.relu(s, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.sum().backward()


@pytest.mark.parametrize("make,shape", [
    (lambda: nn.Dropout(0.5, inplace=True), (4, 6)), (lambda: nn.Dropout1d(0.5, inplace=True), (2, 3, 5)),
    (lambda: nn.Dropout2d(0.5, inplace=True), (2, 3, 4, 4)), (lambda: nn.Dropout3d(0.5, inplace=True), (2, 3, 2, 2, 2))])
def test_inplace_dropout_writes_its_input(make, shape):
    """Found with fix 2's sweep: the dropouts' ``inplace=True`` was ignored too (PyTorch writes
    the masked, rescaled values into the input and returns it; the identity cases return the
    input untouched)."""
    ag.manual_seed(0)
    x = ag.ones(*shape, requires_grad=True)
    y = x * 1.0
    m = make()
    out = m(y)
    assert out is y
    vals = set(np.unique(y.detach().numpy()).tolist())
    assert vals <= {0.0, 2.0} and 0.0 in vals
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # d(mask*2*x)/dx
    m.eval()
    z = x * 1.0
    assert m(z) is z and z._version == 0
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        make()(x)
