"""load_state_dict(assign=True): the checkpoint's tensors become the parameters (PyTorch's
rule: dtype and memory from the checkpoint, requires_grad from the module's parameter) and
buffers; everything is still checked before anything is set. It raised NotImplementedError."""

import numpy as np
import pytest

import autograd_core as ag
import nn


def test_values_become_the_parameters_with_the_modules_requires_grad():
    m = nn.Linear(2, 3)
    m.bias.requires_grad_(False)
    w = ag.ones(3, 2, dtype=ag.float64)
    b = ag.zeros(3, dtype=ag.float64, requires_grad=True)
    assert repr(m.load_state_dict({"weight": w, "bias": b}, assign=True)) == \
        "<All keys matched successfully>"
    assert isinstance(m.weight, nn.Parameter) and m.weight.dtype == ag.float64
    assert m.weight.requires_grad and not m.bias.requires_grad  # the module's flags
    assert b.requires_grad  # the checkpoint's tensor is not changed
    w[0, 0] = 5.0  # memory shared with the checkpoint, as PyTorch's
    assert m.weight[0, 0].item() == 5.0
    assert [p is m.weight or p is m.bias for p in m.parameters()] == [True, True]
    out = m(ag.ones(1, 2, dtype=ag.float64))
    out.sum().backward()
    np.testing.assert_array_equal(m.weight.grad.numpy(), np.ones((3, 2)))


def test_a_parameter_value_is_kept_as_is_and_buffers_are_the_values():
    p = nn.Parameter(ag.ones(3, 2))
    p.requires_grad_(False)
    m = nn.Linear(2, 3)
    m.load_state_dict({"weight": p, "bias": ag.zeros(3)}, assign=True)
    assert m.weight is p and p.requires_grad
    bn = nn.BatchNorm1d(3)
    rm, count = ag.arange(3.0), ag.tensor(5)
    bn.load_state_dict({"weight": ag.ones(3), "bias": ag.zeros(3), "running_mean": rm,
                        "running_var": ag.ones(3), "num_batches_tracked": count}, assign=True)
    assert bn.running_mean is rm and bn.num_batches_tracked is count
    assert dict(bn.named_buffers())["running_mean"] is rm


def test_errors_leave_the_module_unchanged_and_strict_false_keeps_the_rest():
    m = nn.Linear(2, 3)
    w0, b0 = m.weight, m.bias
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: copying a param with "
                                           r"shape autograd_core.Size\(\[2, 2\]\)"):
        m.load_state_dict({"weight": ag.ones(2, 2), "bias": ag.zeros(3)}, assign=True)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        m.load_state_dict({"weight": ag.ones(3, 2)}, assign=True)
    assert m.weight is w0 and m.bias is b0
    res = m.load_state_dict({"weight": ag.ones(3, 2)}, strict=False, assign=True)
    assert res.missing_keys == ["bias"] and m.weight is not w0 and m.bias is b0


def test_lazy_module_takes_the_checkpoints_tensors():
    lz = nn.LazyLinear(3)
    lz.load_state_dict({"weight": ag.ones(3, 2), "bias": ag.zeros(3)}, assign=True)
    assert lz.weight.shape == (3, 2)
    np.testing.assert_array_equal(lz(ag.ones(1, 2)).detach().numpy(), [[2.0, 2.0, 2.0]])


@pytest.mark.torch_parity
def test_matches_torch_on_a_nested_model():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    ours[0].bias.requires_grad_(False)
    theirs[0].bias.requires_grad_(False)
    rng = np.random.default_rng(0)
    sd = {k: rng.standard_normal(v.shape) for k, v in theirs.state_dict().items()
          if k != "1.num_batches_tracked"}
    ours.load_state_dict({**{k: ag.tensor(v) for k, v in sd.items()},
                          "1.num_batches_tracked": ag.tensor(0)}, assign=True)
    theirs.load_state_dict({**{k: torch.tensor(v) for k, v in sd.items()},
                            "1.num_batches_tracked": torch.tensor(0)}, assign=True)
    for (ka, a), (kb, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert ka == kb and a.dtype.itemsize == b.dtype.itemsize == 8
        assert a.requires_grad == b.requires_grad
    x = rng.standard_normal((4, 2))
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)
