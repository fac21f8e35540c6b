"""Writing a module's registries directly, as PyTorch programs do (meta-learning loops put
updated weights into ``module._parameters[name]``; converters replace ``module._modules[name]``):
``forward``, attribute reads, ``parameters()`` and copies see the write, as in PyTorch. Before,
the registries were plain dicts beside the attributes and such a write was silently ignored by
``forward``."""

import copy
import pickle

import numpy as np
import pytest

import autograd_core as ag
import nn


def _linear(w, b):
    m = nn.Linear(2, 1)
    with ag.no_grad():
        m.weight.copy_(ag.tensor(w))
        m.bias.copy_(ag.tensor(b))
    return m


def test_a_tensor_written_into_parameters_is_what_forward_reads():
    m = _linear([[1.0, 2.0]], [0.5])
    x = ag.tensor([[1.0, 1.0]])
    new = ag.tensor([[3.0, -1.0]])
    m._parameters["weight"] = new
    assert m.weight is new
    assert float(m(x)) == 3.0 - 1.0 + 0.5
    assert [p is new for p in m.parameters()] == [True, False]  # parameters() follows
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]


def test_maml_inner_step_through_the_registry():
    """One MAML inner step written as learn2learn does: fast weights = w - a * dL/dw (with
    create_graph), put in ``_parameters``; the outer loss's gradient reaches the original w
    through them. Closed form: L_in = (w . x)^2 / 2 with w . x = s, dL_in/dw = s x; w' = w -
    a s x; L_out = w' . x = s - a s |x|^2, dL_out/dw = x (1 - a |x|^2)."""
    m = nn.Linear(2, 1, bias=False)
    with ag.no_grad():
        m.weight.copy_(ag.tensor([[0.5, -1.0]]))
    w = m.weight
    x = ag.tensor([[2.0, 1.0]])
    a = 0.1
    inner = (m(x) ** 2).sum() / 2
    (g,) = ag.autograd.grad(inner, [w], create_graph=True)
    m._parameters["weight"] = w - a * g
    outer = m(x).sum()
    outer.backward()
    xs = np.array([2.0, 1.0])
    np.testing.assert_allclose(w.grad.numpy(), [xs * (1 - a * xs @ xs)], rtol=1e-6)
    np.testing.assert_allclose(float(outer), (1 - a * 5.0) * 0.0, atol=1e-6)  # s = 0


def test_modules_written_and_deleted_through_the_registry():
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    tanh = nn.Tanh()
    seq._modules["1"] = tanh
    assert seq[1] is tanh and getattr(seq, "1") is tanh
    x = ag.tensor([[-5.0, 5.0]])
    np.testing.assert_allclose(seq(x).detach().numpy(), np.tanh(seq[0](x).detach().numpy()),
                               rtol=1e-6)
    del seq._modules["1"]
    assert len(seq) == 1 and not hasattr(seq, "1")
    popped = seq._modules.pop("0")
    assert isinstance(popped, nn.Linear) and len(seq) == 0 and not hasattr(seq, "0")
    seq._modules.update({"a": nn.ReLU()})
    assert isinstance(seq.a, nn.ReLU)
    seq._buffers["scale"] = ag.tensor(2.0)
    assert float(seq.scale) == 2.0 and "scale" in seq.state_dict()
    seq._buffers.clear()
    assert not hasattr(seq, "scale")


@pytest.mark.parametrize("how", ["deepcopy", "pickle", "copy"])
def test_copies_have_registries_of_their_own(how):
    m = nn.Sequential(nn.Linear(2, 2))
    c = {"deepcopy": copy.deepcopy, "copy": copy.copy,
         "pickle": lambda o: pickle.loads(pickle.dumps(o))}[how](m)
    lin = nn.Linear(2, 2)
    c._modules["0"] = lin
    assert c[0] is lin
    assert m[0] is not lin  # the original keeps its layer
    new = nn.Parameter(ag.zeros(2, 2))
    c[0]._parameters["weight"] = new  # (c[0] is lin now: its own registry)
    assert lin.weight is new
    if how != "copy":  # a deep copy's layers are copies too
        c = copy.deepcopy(m) if how == "deepcopy" else pickle.loads(pickle.dumps(m))
        c[0]._parameters["weight"] = new
        assert c[0].weight is new and m[0].weight is not new and c[0] is not m[0]


@pytest.mark.torch_parity
def test_registry_write_matches_torch():
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(0)
    w0, x0 = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    results = []
    for lib, tnn, tensor in ((ag, nn, ag.tensor), (torch, torch.nn, torch.tensor)):
        m = tnn.Linear(4, 3, bias=False).double()
        with lib.no_grad():
            m.weight.copy_(tensor(w0))
        x = tensor(x0)
        inner = (m(x) ** 2).mean()
        (g,) = lib.autograd.grad(inner, [m.weight], create_graph=True)
        w = m.weight
        m._parameters["weight"] = w - 0.3 * g
        out = m(x).tanh().sum()
        out.backward()
        results.append((float(out.detach()), np.array(w.grad.detach().numpy())))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)
