"""A saved param group that lacks an option (a checkpoint older than the option) gets the value
PyTorch's ``__setstate__`` fills in, whatever the receiving optimizer was constructed with; an
optimizer pickles after it has stepped (its step caches are left out and rebuilt)."""

import pickle

import numpy as np
import pytest

import autograd_core as ag
import optimizers as optim


def _stepped(cls, **kw):
    p = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    opt = cls([p], lr=0.1, **kw)
    p.grad = ag.tensor(np.array([1.0, -1.0]))
    opt.step()
    return p, opt


@pytest.mark.parametrize("cls, missing, constructed, filled", [
    (optim.Adam, "maximize", {"maximize": True}, False),
    (optim.Adam, "amsgrad", {"amsgrad": True}, False),
    (optim.Adam, "decoupled_weight_decay", {"decoupled_weight_decay": True}, False),
    (optim.AdamW, "decoupled_weight_decay", {}, True),
    (optim.NAdam, "decoupled_weight_decay", {"decoupled_weight_decay": True}, False),
    (optim.RAdam, "maximize", {"maximize": True}, False),
    (optim.SGD, "nesterov", {"momentum": 0.9, "nesterov": True}, False),
    (optim.SGD, "maximize", {"maximize": True}, False),
    (optim.RMSprop, "centered", {"centered": True}, False),
    (optim.RMSprop, "momentum", {"momentum": 0.5}, 0),
    (optim.Adagrad, "maximize", {"maximize": True}, False),
])
def test_a_missing_option_is_filled_as_pytorch_fills_it(cls, missing, constructed, filled):
    _, opt = _stepped(cls)
    saved = opt.state_dict()
    del saved["param_groups"][0][missing]
    _, fresh = _stepped(cls, **constructed)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0][missing] == filled


def test_adam_after_loading_an_old_checkpoint_descends():
    # Adam's first two steps on a constant gradient g move each entry by lr * sign(g) (the
    # bias-corrected ratio is 1): with maximize filled as False, 1 -> 0.9 -> 0.8
    p, opt = _stepped(optim.Adam)
    saved = opt.state_dict()
    del saved["param_groups"][0]["maximize"]
    q = ag.tensor(p.detach().numpy().copy(), requires_grad=True)
    other = optim.Adam([q], lr=0.1, maximize=True)
    other.load_state_dict(saved)
    q.grad = ag.tensor(np.array([1.0, -1.0]))
    other.step()
    assert np.allclose(q.detach().numpy(), [0.8, 2.2], rtol=0, atol=1e-8)


@pytest.mark.parametrize("cls, kw", [(optim.SGD, {"momentum": 0.9}), (optim.Adam, {}),
                                     (optim.RMSprop, {"centered": True})])
def test_an_optimizer_pickles_after_stepping_and_continues_alike(cls, kw):
    p, opt = _stepped(cls, **kw)
    copy = pickle.loads(pickle.dumps(opt))
    q = copy.param_groups[0]["params"][0]
    for o, t in ((opt, p), (copy, q)):
        for _ in range(3):
            t.grad = ag.tensor(np.array([0.5, -2.0]))
            o.step()
    assert np.array_equal(p.detach().numpy(), q.detach().numpy()) and not np.array_equal(p.detach().numpy(), [1.0, 2.0])
