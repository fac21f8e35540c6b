"""The Module contract: registration, iteration, modes, gradients, apply, buffers,
state_dict / load_state_dict (PyTorch key names, all-or-nothing loading) and repr."""

from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import Tensor


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.bn = nn.BatchNorm1d(4)
        self.head = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2))
        self.scale = nn.Parameter(np.ones(1, np.float32))
        self.register_buffer("counter", Tensor._wrap(np.zeros(2, np.float32)))
        self.register_buffer("scratch", Tensor._wrap(np.zeros(3, np.float32)), persistent=False)

    def forward(self, x):
        return self.head(self.bn(self.act(self.fc1(x)))) * self.scale


NET_PARAM_NAMES = ["scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias",
                   "head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias"]
NET_STATE_KEYS = ["scale", "counter", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias",
                  "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
                  "head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias"]


def _x(n=6, d=3, seed=0, dtype=np.float32):
    return Tensor._wrap(np.random.default_rng(seed).standard_normal((n, d)).astype(dtype))


def _snapshot(model):
    return {k: v._data.copy() for k, v in model.state_dict(keep_vars=True).items()}


def _assert_same(a, b):
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


# ---- registration and iteration ---------------------------------------------------------------
def test_registration_by_attribute_assignment_and_pytorch_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == NET_PARAM_NAMES
    assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "bn", "head"]
    assert list(net.children()) == [net.fc1, net.act, net.bn, net.head]
    mods = [n for n, _ in net.named_modules()]
    assert mods == ["", "fc1", "act", "bn", "head", "head.0", "head.1", "head.2"]
    assert [n for n, _ in net.named_buffers()] == [
        "counter", "scratch", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert len(list(net.buffers())) == 5
    # plain attributes and non-Parameter tensors are not registered
    net.note = "hello"
    net.t = Tensor._wrap(np.zeros(2))
    assert [n for n, _ in net.named_parameters()] == NET_PARAM_NAMES


def test_reassignment_and_deletion_update_the_registry():
    net = Net()
    n0 = len(list(net.parameters()))
    net.extra = nn.Linear(2, 2)
    assert len(list(net.parameters())) == n0 + 2  # the cached list follows the change
    net.extra = nn.Parameter(np.zeros(3))  # a module replaced by a parameter
    assert "extra" not in dict(net.named_children())
    assert [n for n, _ in net.named_parameters()][:2] == ["scale", "extra"]  # own ones first
    del net.extra
    assert len(list(net.parameters())) == n0
    assert not hasattr(net, "extra")
    net.fc1.bias = None  # a parameter can be set to None and disappears from the iteration
    assert "fc1.bias" not in dict(net.named_parameters())
    assert "fc1.bias" not in net.state_dict()
    with pytest.raises(TypeError, match="fc1|bias|Parameter"):
        net.fc1.weight = Tensor._wrap(np.zeros((4, 3)))


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.modules())) == 3  # Sequential, Linear, ReLU


def test_register_buffer_rules():
    m = nn.Module()
    m.register_buffer("a", np.arange(3.0))
    assert isinstance(m.a, Tensor) and not m.a.requires_grad
    assert "a" in m.state_dict()
    m.register_buffer("b", Tensor._wrap(np.ones(2)), persistent=False)
    assert "b" not in m.state_dict() and "b" in dict(m.named_buffers())
    with pytest.raises(KeyError):
        m.register_buffer("x.y", Tensor._wrap(np.ones(1)))
    with pytest.raises(TypeError):
        m.register_buffer("c", "not a tensor")
    assert list(m.parameters()) == []


def test_train_eval_propagate_and_return_self():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    assert net.train() is net
    assert all(m.training for m in net.modules())
    net.head.eval()
    assert net.training and not net.head[0].training


def test_zero_grad_set_to_none_and_to_zero():
    net = Net()
    net(_x()).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    for p in net.parameters():
        assert p.grad is not None and not np.any(p.grad._data)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_apply_visits_children_first_then_self():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "BatchNorm1d", "Linear", "Tanh", "Linear", "Sequential",
                    "Net"]

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    net.apply(init)
    assert np.all(net.head[2].weight._data == 0.5) and np.all(net.fc1.bias._data == 0)


# ---- state_dict --------------------------------------------------------------------------------
def test_state_dict_keys_are_pytorchs():
    net = Net()
    assert list(net.state_dict()) == NET_STATE_KEYS
    seq = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias",
                                      "1.running_mean", "1.running_var",
                                      "1.num_batches_tracked"]
    sd = seq.state_dict()
    assert sd["1.num_batches_tracked"].dtype == np.int64
    assert sd["1.num_batches_tracked"].shape == ()


def test_state_dict_values_are_detached_and_share_memory_as_pytorch():
    net = Net()
    sd = net.state_dict()
    sd["fc1.weight"]._data[...] = 123.0  # PyTorch's entries alias the parameters
    assert np.all(net.fc1.weight._data == 123.0)
    assert not sd["fc1.weight"].requires_grad


def test_state_dict_round_trip_is_exact():
    ag.manual_seed(1)
    a, b = Net(), Net()
    a.train()
    for s in range(3):  # move the running statistics away from their initial values
        a(_x(seed=s))
    b.load_state_dict(a.state_dict())
    _assert_same(_snapshot(a), _snapshot(b))
    a.eval(), b.eval()
    x = _x(seed=9)
    np.testing.assert_array_equal(a(x)._data, b(x)._data)
    # numpy arrays are accepted too
    c = Net()
    c.load_state_dict({k: v._data for k, v in a.state_dict().items()})
    _assert_same(_snapshot(a), _snapshot(c))


def test_load_state_dict_copies_in_place():
    net = Net()
    w = net.fc1.weight
    arr = w._data
    net.load_state_dict(Net().state_dict())
    assert net.fc1.weight is w and net.fc1.weight._data is arr


def test_load_state_dict_lists_every_bad_key_and_changes_nothing():
    ag.manual_seed(2)
    net = Net()
    net(_x())  # non-trivial running stats
    before = _snapshot(net)
    donor = Net()
    sd = donor.state_dict()
    del sd["fc1.bias"], sd["bn.running_var"]  # missing
    sd["fc9.weight"] = np.zeros(3)  # unexpected
    sd["head.extra"] = np.zeros(1)  # unexpected
    sd["head.2.weight"] = np.zeros((5, 4), np.float32)  # wrong shape
    sd["bn.weight"] = np.zeros(7, np.float32)  # wrong shape
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    msg = str(info.value)
    for key in ("fc1.bias", "bn.running_var", "fc9.weight", "head.extra", "head.2.weight",
                "bn.weight"):
        assert key in msg, f"{key} not named in: {msg}"
    assert "Size([5, 4])" in msg and "Size([2, 4])" in msg  # both shapes of the mismatch
    assert "Net" in msg
    _assert_same(before, _snapshot(net))  # nothing written, not even the good keys


def test_load_state_dict_non_strict_reports_keys_but_refuses_bad_shapes():
    net = Net()
    sd = Net().state_dict()
    del sd["scale"]
    sd["bogus"] = np.zeros(1)
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["scale"] and res.unexpected_keys == ["bogus"]
    np.testing.assert_array_equal(net.fc1.weight._data, sd["fc1.weight"]._data)
    before = _snapshot(net)
    sd2 = Net().state_dict()
    sd2["fc1.weight"] = np.zeros((3, 3), np.float32)
    with pytest.raises(RuntimeError, match="fc1.weight"):
        net.load_state_dict(sd2, strict=False)
    _assert_same(before, _snapshot(net))


def test_load_state_dict_rejects_non_numeric_values():
    net = nn.Linear(2, 2)
    before = _snapshot(net)
    with pytest.raises(RuntimeError, match="weight"):
        net.load_state_dict({"weight": np.array([["a", "b"], ["c", "d"]]),
                             "bias": np.zeros(2)})
    _assert_same(before, _snapshot(net))


# ---- repr --------------------------------------------------------------------------------------
def test_repr_matches_pytorch_layout():
    model = nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.BatchNorm1d(128),
        nn.Linear(128, 10, bias=False),
    )
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.2, inplace=False)\n"
        "  (3): BatchNorm1d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)\n"
        "  (4): Linear(in_features=128, out_features=10, bias=False)\n"
        ")"
    )
    nested = nn.Sequential(OrderedDict(enc=nn.Sequential(nn.Linear(2, 2), nn.Tanh())))
    assert repr(nested) == (
        "Sequential(\n"
        "  (enc): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=2, bias=True)\n"
        "    (1): Tanh()\n"
        "  )\n"
        ")"
    )
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU()])) == "ModuleList(\n  (0-1): 2 x ReLU()\n)"


def test_missing_forward_and_bad_attribute_errors_name_the_module():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="NoForward"):
        NoForward()(Tensor._wrap(np.zeros(1)))
    with pytest.raises(AttributeError, match="Linear.*nope"):
        nn.Linear(2, 2).nope
