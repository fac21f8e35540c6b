"""``nn.utils.prune``: masks by hand-worked examples, pruned entries stay zero and get no
gradient through training, iterative pruning among the kept entries, removal, errors, and the
pruning tutorial's flow against PyTorch (deterministic methods; counts for the random ones)."""

import importlib

import numpy as np
import pytest

import autograd_core as ag
import nn
import optimizers
from nn.utils import prune


def _linear(w):
    m = nn.Linear(len(w[0]), len(w), bias=False).double()
    with ag.no_grad():
        m.weight.copy_(ag.tensor(w))
    return m


def test_pruned_entries_stay_zero_and_get_no_gradient():
    m = _linear([[1.0, -5.0, 2.0], [0.5, 3.0, -4.0]])
    prune.l1_unstructured(m, "weight", amount=0.34)  # round(0.34 * 6) = 2 entries
    np.testing.assert_array_equal(m.weight_mask.numpy(), [[0, 1, 1], [0, 1, 1]])
    opt = optimizers.SGD(m.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        m(ag.ones(4, 3, dtype=ag.float64)).pow(2).sum().backward()
        assert m.weight_orig.grad.numpy()[:, 0].tolist() == [0.0, 0.0]
        opt.step()
    assert m.weight.detach().numpy()[:, 0].tolist() == [0.0, 0.0]
    assert m.weight_orig.detach().numpy()[:, 0].tolist() == [1.0, 0.5]  # originals kept
    prune.remove(m, "weight")
    assert sorted(m.state_dict()) == ["weight"] and isinstance(m.weight, nn.Parameter)
    assert m.weight.detach().numpy()[:, 0].tolist() == [0.0, 0.0]
    assert not prune.is_pruned(m)


def test_iterative_pruning_prunes_among_the_kept():
    m = _linear([[4.0, 1.0, 3.0, 2.0], [0.1, 9.0, 8.0, 7.0]])
    prune.l1_unstructured(m, "weight", amount=2)  # 0.1 and 1
    prune.l1_unstructured(m, "weight", amount=2)  # then 2 and 3 among the rest
    np.testing.assert_array_equal(m.weight_mask.numpy(), [[1, 0, 0, 0], [0, 1, 1, 1]])
    # structured on top: the column of smallest 2-norm among those still having entries
    prune.ln_structured(m, "weight", amount=1, n=2, dim=1)
    np.testing.assert_array_equal(m.weight_mask.numpy(), [[0, 0, 0, 0], [0, 1, 1, 1]])
    hooks = [h for h in m._forward_pre_hooks.values() if isinstance(h, prune.BasePruningMethod)]
    assert len(hooks) == 1 and isinstance(hooks[0], prune.PruningContainer)
    assert len(hooks[0]) == 3


def test_structured_random_and_global():
    ag.manual_seed(0)
    conv = nn.Conv2d(3, 8, 3)
    prune.random_structured(conv, "weight", amount=0.5, dim=0)
    per_channel = conv.weight_mask.sum((1, 2, 3)).numpy()
    assert sorted(set(per_channel.tolist())) == [0.0, 27.0] and (per_channel == 0).sum() == 4
    prune.random_unstructured(conv, "bias", amount=3)
    assert int((conv.bias_mask == 0).sum()) == 3
    a, b = _linear([[1.0, 6.0]]), _linear([[5.0, 2.0, 3.0]])
    prune.global_unstructured([(a, "weight"), (b, "weight")],
                              pruning_method=prune.L1Unstructured, amount=0.4)
    assert a.weight_mask.tolist() == [[0.0, 1.0]] and b.weight_mask.tolist() == [[1.0, 0.0, 1.0]]


def test_errors_leave_the_module_as_it_was():
    m = _linear([[1.0, 2.0]])
    with pytest.raises(ValueError, match="should be smaller than the number of parameters"):
        prune.l1_unstructured(m, "weight", amount=3)
    assert sorted(dict(m.named_parameters())) == ["weight"] and not prune.is_pruned(m)
    with pytest.raises(ValueError, match="float in the range"):
        prune.l1_unstructured(m, "weight", amount=1.5)
    with pytest.raises(TypeError, match="Must be int or float"):
        prune.l1_unstructured(m, "weight", amount="half")
    with pytest.raises(ValueError, match="multidimensional"):
        prune.ln_structured(nn.Linear(2, 2), "bias", amount=1, n=1, dim=0)
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        prune.remove(m, "weight")


@pytest.mark.torch_parity
def test_the_tutorials_flow_matches_torch():
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    importlib.import_module("torch.nn.utils.prune")  # (torch does not import it itself)
    rng = np.random.default_rng(4)
    w1 = rng.standard_normal((6, 3, 3, 3))
    w2 = rng.standard_normal((4, 6))
    scores = rng.standard_normal((4, 6))
    x0 = rng.standard_normal((2, 3, 5, 5))
    b1, b2 = rng.standard_normal(6), rng.standard_normal(4)
    runs = []
    for lib, tnn, P in ((torch, torch.nn, torch.nn.utils.prune), (ag, nn, prune)):
        conv = tnn.Conv2d(3, 6, 3).double()
        fc = tnn.Linear(6, 4).double()
        with lib.no_grad():
            conv.weight.copy_(lib.tensor(w1))
            fc.weight.copy_(lib.tensor(w2))
            conv.bias.copy_(lib.tensor(b1))
            fc.bias.copy_(lib.tensor(b2))
        P.l1_unstructured(conv, "weight", amount=0.3)
        P.ln_structured(conv, "weight", amount=0.5, n=2, dim=0)
        P.ln_structured(fc, "weight", amount=1, n=float("inf"), dim=1)
        P.l1_unstructured(fc, "weight", amount=5, importance_scores=lib.tensor(scores))
        P.global_unstructured([(conv, "bias"), (fc, "bias")],
                              pruning_method=P.L1Unstructured, amount=0.5)
        out = fc(conv(lib.tensor(x0)).mean((2, 3)))
        out.pow(2).sum().backward()
        keys = list(conv.state_dict()) + list(fc.state_dict())
        P.remove(conv, "weight")
        runs.append([keys, out.detach().numpy(), conv.weight.detach().numpy(),
                     fc.weight_mask.numpy(),
                     fc.weight_orig.grad.numpy(), conv.bias_mask.numpy()])
    theirs, ours = runs
    assert ours[0] == theirs[0]
    for a, b in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
