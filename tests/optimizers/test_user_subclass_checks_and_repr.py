"""A user's optimizer written as for PyTorch (a subclass with its own ``step()``) gets no
hyperparameter checks from the base class, as PyTorch's base makes none: Adan's three betas
and Adafactor-from-scratch's pair of eps values were refused at construction and at
``load_state_dict``. And ``repr`` of several groups as PyTorch's (a blank line between)."""

import pytest

import nn
import optimizers as optim


def _adan(base):
    class Adan(base):
        def __init__(self, params, lr=1e-3, betas=(0.02, 0.08, 0.01), eps=(1e-30, 1e-3),
                     weight_decay=-1.0):
            super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

        def step(self, closure=None):
            return None

    return Adan


def test_a_user_subclass_takes_any_hyperparameters():
    m = nn.Linear(2, 1)
    opt = _adan(optim.Optimizer)(m.parameters())
    assert opt.param_groups[0]["betas"] == (0.02, 0.08, 0.01)
    opt.load_state_dict(opt.state_dict())
    opt.add_param_group({"params": [nn.Parameter(m.weight.detach().clone())], "eps": (1, 2)})
    assert opt.param_groups[1]["eps"] == (1, 2)
    with pytest.raises(ValueError, match="Invalid learning rate"):  # the built-ins still check
        optim.Adam(m.parameters(), lr=-1.0)


@pytest.mark.torch_parity
def test_as_torchs():
    torch = pytest.importorskip("torch")
    ours = _adan(optim.Optimizer)(nn.Linear(2, 1).parameters())
    theirs = _adan(torch.optim.Optimizer)(torch.nn.Linear(2, 1).parameters())
    assert ours.param_groups[0]["eps"] == theirs.param_groups[0]["eps"]
    m, tm = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    a = optim.SGD([{"params": [m.weight]}, {"params": [m.bias], "lr": 0.1}], lr=0.01)
    t = torch.optim.SGD([{"params": [tm.weight]}, {"params": [tm.bias], "lr": 0.1}], lr=0.01)
    assert repr(a) == repr(t)
