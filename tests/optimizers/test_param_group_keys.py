"""Each optimizer's ``param_groups``, ``defaults`` and ``state_dict()["param_groups"]`` hold
PyTorch's keys, in its order, with its default values (fast.ai's notebook 12 prints
``opt.param_groups``); tapegrad's own options (the lectures' forms) appear only when set, and
then survive ``state_dict()``/``load_state_dict()``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import optimizers

NAMES = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop",
         "Rprop", "ASGD", "LBFGS", "SparseAdam", "Adafactor", "Muon"]
LR = {"SGD": 0.1}  # torch's SGD has a default lr too; the same value both sides
SHAPE = {"Muon": (1, 2)}  # Muon takes matrices only

#: tapegrad's own options: a value other than the default, and what ``step`` then needs
OPTIONS = [("SGD", {"lr_in_velocity": True, "momentum": 0.9}),
           ("SGD", {"momentum_init": "zero", "momentum": 0.9, "dampening": 0.9}),
           ("Adam", {"eps_inside_sqrt": True}), ("AdamW", {"eps_inside_sqrt": True}),
           ("NAdam", {"eps_inside_sqrt": True}), ("Adagrad", {"eps_inside_sqrt": True}),
           ("Adagrad", {"decoupled_weight_decay": True, "weight_decay": 0.1}),
           ("RMSprop", {"eps_inside_sqrt": True}), ("Adamax", {"decoupled_weight_decay": True}),
           ("Adadelta", {"decoupled_weight_decay": True, "weight_decay": 0.1}),
           ("Rprop", {"variant": "rprop+"})]


def _groups(opt):
    group = opt.param_groups[0]
    saved = opt.state_dict()["param_groups"][0]
    return ([(k, group[k]) for k in group if k != "params"], list(saved),
            list(opt.defaults.items()))


def _grad(values, opt):
    """A gradient of the (float64) parameter's dtype: another is refused, as PyTorch's."""
    return ag.tensor(values, dtype=opt.param_groups[0]["params"][0].dtype)


def _ours(name, **kw):
    p = ag.tensor(np.ones(SHAPE.get(name, 2)), requires_grad=True)
    return getattr(optimizers, name)([p], **{**({"lr": LR[name]} if name in LR else {}), **kw})


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", NAMES)
def test_keys_order_and_defaults_are_torchs(name):
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.ones(SHAPE.get(name, 2), dtype=torch.float64))
    theirs = getattr(torch.optim, name)([p], **({"lr": LR[name]} if name in LR else {}))
    ours = _ours(name)
    for a, b in zip(_groups(ours), _groups(theirs)):
        assert a == b


@pytest.mark.parametrize("name,kw", OPTIONS, ids=lambda v: v if isinstance(v, str) else
                         next(iter(v)))
def test_an_option_set_is_in_the_groups_and_survives_a_state_dict(name, kw):
    option = next(iter(kw))
    opt = _ours(name, **kw)
    assert opt.param_groups[0][option] == kw[option] and opt.defaults[option] == kw[option]
    plain = _ours(name, **{k: v for k, v in kw.items() if k != option})
    assert option not in plain.param_groups[0] and option not in plain.defaults
    for o in (opt, plain):
        o.param_groups[0]["params"][0].grad = _grad([0.5, -1.0], o)
        o.step()
    # the option changes the step: loaded into a plain optimizer, the next steps follow it
    loaded = _ours(name, **{k: v for k, v in kw.items() if k != option})
    loaded.param_groups[0]["params"][0]._data[...] = opt.param_groups[0]["params"][0]._data
    loaded.load_state_dict(opt.state_dict())
    assert loaded.param_groups[0][option] == kw[option]
    for o in (opt, loaded):
        for _ in range(2):
            o.param_groups[0]["params"][0].grad = _grad([0.25, 2.0], o)
            o.step()
    np.testing.assert_array_equal(loaded.param_groups[0]["params"][0]._data,
                                  opt.param_groups[0]["params"][0]._data)


def test_an_option_set_on_a_group_after_steps_changes_the_next_step():
    """The coefficients memo reads the options a group does not hold with their defaults."""
    runs = []
    for late in (False, True):
        opt = _ours("Adam", lr=0.1)
        p = opt.param_groups[0]["params"][0]
        for i in range(3):
            if late and i == 2:
                opt.param_groups[0]["eps_inside_sqrt"] = True
            p.grad = ag.tensor([1e-5, 1.0], dtype=p.dtype)
            opt.step()
        runs.append(p._data.copy())
    assert not np.array_equal(runs[0], runs[1])


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["SGD", "Adam", "Rprop", "RMSprop", "Adagrad"])
def test_a_torch_state_dict_loads(name):
    torch = pytest.importorskip("torch")
    tp = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    theirs = getattr(torch.optim, name)([tp], **({"lr": LR[name]} if name in LR else {}))
    tp.grad = torch.tensor([0.5, -1.0], dtype=torch.float64)
    theirs.step()
    sd = theirs.state_dict()
    sd = {"param_groups": sd["param_groups"],
          "state": {i: {k: (v.numpy() if v.dim() else float(v)) if torch.is_tensor(v) else v
                        for k, v in st.items()} for i, st in sd["state"].items()}}
    ours = _ours(name)
    ours.param_groups[0]["params"][0]._data[...] = tp.detach().numpy()
    ours.load_state_dict(sd)
    assert _groups(ours)[0] == _groups(theirs)[0]
    tp.grad = torch.tensor([0.25, 2.0], dtype=torch.float64)
    theirs.step()
    ours.param_groups[0]["params"][0].grad = ag.tensor([0.25, 2.0], dtype=ag.float64)
    ours.step()
    np.testing.assert_allclose(ours.param_groups[0]["params"][0]._data, tp.detach().numpy(),
                               rtol=1e-12)
