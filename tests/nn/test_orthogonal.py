"""parametrizations.orthogonal: the weight stays orthogonal through training for every map
and shape, registration keeps a square orthogonal weight and orthogonalises others (QR with
R's signs), householder_product against numpy's QR, errors, and PyTorch's weights, gradients
and training steps (its random completion of a non-square base copied)."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from nn.utils import parametrizations as P
from nn.utils.parametrizations import _householder_product


def _gram_is_identity(w, atol=1e-10):
    w = w.detach().numpy()
    g = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(g, np.eye(g.shape[0]), atol=atol)


@pytest.mark.parametrize("shape", [(4, 4), (6, 3), (3, 6)])
@pytest.mark.parametrize("orth_map", ["matrix_exp", "cayley", "householder"])
def test_stays_orthogonal_through_training(shape, orth_map):
    ag.manual_seed(0)
    m = nn.Linear(shape[1], shape[0], bias=False).double()
    P.orthogonal(m, orthogonal_map=orth_map)
    _gram_is_identity(m.weight)
    opt = optimizers.Adam(m.parameters(), lr=0.05)
    x = ag.randn(8, shape[1], dtype=ag.float64)
    start = m.weight.detach().numpy().copy()
    for _ in range(5):
        opt.zero_grad()
        (m(x) ** 3).sum().backward()
        opt.step()
    _gram_is_identity(m.weight)
    assert not np.allclose(m.weight.detach().numpy(), start)  # it trained


def test_registration_keeps_or_orthogonalises_the_weight():
    q = np.linalg.qr(np.random.default_rng(1).standard_normal((4, 4)))[0]
    m = nn.Linear(4, 4, bias=False).double()
    with ag.no_grad():
        m.weight.copy_(ag.tensor(q))
    P.orthogonal(m)
    np.testing.assert_allclose(m.weight.detach().numpy(), q, atol=1e-12)
    a = np.random.default_rng(2).standard_normal((3, 3))
    m = nn.Linear(3, 3, bias=False).double()
    with ag.no_grad():
        m.weight.copy_(ag.tensor(a))
    P.orthogonal(m, orthogonal_map="cayley")
    qa, ra = np.linalg.qr(a)
    np.testing.assert_allclose(m.weight.detach().numpy(), qa * np.sign(np.diag(ra)), atol=1e-12)


def test_householder_product_is_qr():
    a = np.random.default_rng(3).standard_normal((5, 3))
    h, tau = np.linalg.qr(a, mode="raw")
    q = _householder_product(ag.tensor(h.T.copy()), ag.tensor(tau)).numpy()
    np.testing.assert_allclose(q, np.linalg.qr(a)[0], atol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices"):
        P.orthogonal(nn.Linear(3, 3), "bias")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp"'):
        P.orthogonal(nn.Linear(3, 3), orthogonal_map="qr")
    # registration takes the original as it is (PyTorch); assigning cannot be inverted
    c = P.orthogonal(nn.Linear(3, 3), orthogonal_map="cayley", use_trivialization=False)
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        c.weight = ag.eye(3)
    m = P.orthogonal(nn.Linear(3, 3).double())
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
        m.weight = ag.zeros(2, 2, dtype=ag.float64)


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape,orth_map,trivial", [
    ((4, 4), None, True), ((4, 4), "cayley", True), ((4, 4), "householder", True),
    ((6, 3), None, True), ((3, 5), "matrix_exp", True), ((5, 3), "householder", False),
    ((3, 5), "householder", False)])
def test_matches_torch(shape, orth_map, trivial):
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(4)
    w0 = rng.standard_normal(shape)
    x0 = rng.standard_normal((7, shape[1]))
    runs, base = [], None
    for lib, tnn, optim in ((torch, torch.nn, torch.optim), (ag, nn, optimizers)):
        m = tnn.Linear(shape[1], shape[0], bias=False).double()
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w0))
        tnn.utils.parametrizations.orthogonal(m, orthogonal_map=orth_map,
                                              use_trivialization=trivial)
        if trivial:
            b = m.parametrizations.weight[0].base
            if base is None:
                base = b.detach().numpy().copy()
            else:  # a non-square base is completed with random columns: torch's
                b.copy_(lib.tensor(base))
        opt = optim.SGD(m.parameters(), lr=0.1)
        record = []
        for _ in range(3):
            opt.zero_grad()
            loss = (m(lib.tensor(x0)) ** 2).sum()
            loss.backward()
            record.append([float(loss.detach()), m.weight.detach().numpy().copy(),
                           m.parametrizations.weight.original.grad.numpy().copy()])
            opt.step()
        runs.append(record)
    for theirs, ours in zip(*runs):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)
