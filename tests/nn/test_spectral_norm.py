"""Spectral normalisation, both forms: the normalised weight's largest singular value is 1 once
power iteration has converged (numpy's SVD as the reference), the stored vectors follow the
iteration's closed form, evaluation does not iterate, and numbers, vectors and gradients equal
PyTorch's step for step (the random starting vectors copied from torch)."""

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers


def _svd_sigma(w, dim=0):
    w = np.moveaxis(np.asarray(w), dim, 0)
    return np.linalg.svd(w.reshape(w.shape[0], -1), compute_uv=False)[0]


@pytest.mark.parametrize("form", ["legacy", "parametrization"])
def test_the_normalised_weight_has_unit_spectral_norm(form):
    ag.manual_seed(0)
    layer = nn.Linear(6, 5).double()
    w0 = layer.weight.detach().numpy().copy()
    sn = (nn.utils.spectral_norm if form == "legacy" else
          nn.utils.parametrizations.spectral_norm)(layer, n_power_iterations=50)
    sn(ag.zeros(1, 6, dtype=ag.float64))  # a training forward: 50 iterations
    np.testing.assert_allclose(sn.weight.detach().numpy(), w0 / _svd_sigma(w0), rtol=1e-9)
    assert _svd_sigma(sn.weight.detach().numpy()) == pytest.approx(1.0, rel=1e-9)


def test_power_iteration_closed_form_and_eval_mode():
    ag.manual_seed(1)
    conv = nn.Conv2d(2, 3, 2).double()
    sn = nn.utils.spectral_norm(conv)
    mat = conv.weight_orig.detach().numpy().reshape(3, -1)
    u0 = conv.weight_u.numpy().copy()
    sn(ag.zeros(1, 2, 3, 3, dtype=ag.float64))
    v = mat.T @ u0
    v /= np.linalg.norm(v)
    u = mat @ v
    u /= np.linalg.norm(u)
    np.testing.assert_allclose(conv.weight_v.numpy(), v, rtol=1e-12)
    np.testing.assert_allclose(conv.weight_u.numpy(), u, rtol=1e-12)
    np.testing.assert_allclose(conv.weight.detach().numpy(),
                               conv.weight_orig.detach().numpy() / (u @ mat @ v), rtol=1e-12)
    sn.eval()
    sn(ag.zeros(1, 2, 3, 3, dtype=ag.float64))
    np.testing.assert_array_equal(conv.weight_u.numpy(), u)  # no iteration in evaluation
    nn.utils.remove_spectral_norm(conv)
    assert sorted(conv.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(conv.weight.detach().numpy(), mat.reshape(3, 2, 2, 2)
                               / (u @ mat @ v), rtol=1e-12)


def test_errors():
    m = nn.utils.spectral_norm(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match="n_power_iterations to be positive"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="no parameter or buffer with name 'w'"):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), "w")
    with pytest.raises(IndexError, match="Dimension out of range"):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), dim=2)


def _layers(lib, tnn, kind):
    lib.manual_seed(0)
    if kind == "linear":
        return tnn.Linear(4, 3).double()
    if kind == "conv":
        return tnn.Conv2d(2, 3, 2).double()
    return tnn.ConvTranspose2d(2, 3, 2).double()  # dim 1


@pytest.mark.torch_parity
@pytest.mark.parametrize("form", ["legacy", "parametrization"])
@pytest.mark.parametrize("kind", ["linear", "conv", "transposed"])
def test_training_matches_torch(form, kind):
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((5, 4) if kind == "linear" else (2, 2, 4, 4))
    weights = None
    runs = []
    for lib, tnn, opt_mod in ((torch, torch.nn, torch.optim), (ag, nn, optimizers)):
        layer = _layers(lib, tnn, kind)
        if weights is None:
            weights = [p.detach().numpy().copy() for p in layer.parameters()]
        with lib.no_grad():
            for p, w in zip(layer.parameters(), weights):
                p.copy_(lib.tensor(w))
        util = tnn.utils if form == "legacy" else tnn.utils.parametrizations
        layer = util.spectral_norm(layer, n_power_iterations=2)
        if form == "legacy":
            vecs = [layer.weight_u, layer.weight_v]
        else:
            vecs = [layer.parametrizations.weight[0]._u, layer.parametrizations.weight[0]._v]
        if lib is torch:
            start = [v.detach().numpy().copy() for v in vecs]
        else:  # the random starting vectors: torch's
            with ag.no_grad():
                for v, s in zip(vecs, start):
                    v.copy_(ag.tensor(s))
        opt = opt_mod.SGD(layer.parameters(), lr=0.1)
        record = []
        for step in range(4):
            opt.zero_grad()
            out = layer(lib.tensor(x0))
            loss = (out ** 2).sum()
            loss.backward()
            opt.step()
            record.append([float(loss.detach())] + [v.detach().numpy().copy() for v in vecs]
                          + [p.grad.detach().numpy().copy() for p in layer.parameters()])
        layer.eval()
        record.append([layer(lib.tensor(x0)).detach().numpy()])
        runs.append(record)
    for theirs, ours in zip(*runs):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
