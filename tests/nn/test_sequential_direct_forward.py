"""``Sequential`` runs a child's ``forward`` directly when nothing would make
``Module.__call__`` do more (no hook on the child, no global hook, no ``__call__`` of the
child's own class): every hook or override added between calls must still be honoured."""

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.module import (register_module_forward_hook, register_module_forward_pre_hook,
                       register_module_full_backward_hook)


def _model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))


X = ag.tensor(np.array([[1.0, -2.0], [0.5, 3.0]], np.float32))


def test_results_are_the_calls_ones():
    m = _model()
    want = X
    for layer in m:
        want = layer(want)
    assert np.array_equal(m(X).detach().numpy(), want.detach().numpy())


@pytest.mark.parametrize("kind", ["forward", "forward_pre", "full_backward", "backward",
                                  "full_backward_pre"])
def test_a_hook_added_after_a_call_runs(kind):
    m = _model()
    m(X).sum().backward()
    seen = []
    register = getattr(m[0], f"register_{kind}_hook")
    register(lambda *a: seen.append(kind))
    m(X).sum().backward()
    assert seen == [kind]


def test_a_hook_written_into_the_dict_runs():
    m = _model()
    m(X)
    m[2]._forward_hooks[12345] = lambda mod, args, out: out * 0
    assert np.array_equal(m(X).detach().numpy(), np.zeros((2, 1), np.float32))
    del m[2]._forward_hooks[12345]
    assert m(X).detach().numpy().any()


@pytest.mark.parametrize("register", [register_module_forward_hook,
                                      register_module_forward_pre_hook,
                                      register_module_full_backward_hook])
def test_a_global_hook_runs_on_every_child(register):
    m = _model()
    m(X)
    seen = []
    with register(lambda mod, *a: seen.append(type(mod).__name__)):
        m(X).sum().backward()
    assert sorted(set(seen)) == ["Linear", "ReLU", "Sequential"]
    seen.clear()
    m(X).sum().backward()
    assert seen == []


def test_a_class_with_its_own_call_is_called():
    class Doubling(nn.Identity):
        def __call__(self, *args, **kwargs):
            return super().__call__(*args, **kwargs) * 2

    m = nn.Sequential(nn.Identity(), Doubling())
    assert np.array_equal(m(X).detach().numpy(), 2 * X.numpy())


def test_a_patched_module_call_is_used():
    m = _model()
    calls = []
    original = nn.Module.__call__

    def counting(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return original(self, *args, **kwargs)

    nn.Module.__call__ = counting
    try:
        m(X)
    finally:
        nn.Module.__call__ = original
    assert calls == ["Sequential", "Linear", "ReLU", "Linear"]


def test_a_none_child_fails_as_a_call_of_none():
    m = nn.Sequential(nn.Identity(), nn.Identity())
    m._modules["1"] = None
    with pytest.raises(TypeError, match="'NoneType' object is not callable"):
        m(X)


def test_a_module_lacking_its_backward_hook_dicts_is_called_and_hooked():
    # Module.__call__ reads them as attributes: the class's empty defaults stand in
    lin = nn.Linear(2, 1)
    for name in ("_backward_hooks", "_backward_pre_hooks"):
        del lin.__dict__[name]
    m = nn.Sequential(lin)
    want = X.detach().numpy() @ lin.weight.detach().numpy().T + lin.bias.detach().numpy()
    assert np.allclose(m(X).detach().numpy(), want) and np.allclose(lin(X).detach().numpy(), want)
    seen = []
    lin.register_full_backward_hook(lambda *a: seen.append("full"))
    lin.register_full_backward_pre_hook(lambda *a: seen.append("pre"))
    m(X).sum().backward()
    assert seen == ["pre", "full"]
