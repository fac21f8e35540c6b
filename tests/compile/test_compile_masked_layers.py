"""Layers and losses that choose values by a mask (ELU family, PReLU, smooth L1, Huber,
kl_div) build it with a tensor comparison, an op: a compiled step through them replays
(they ran eagerly when the mask came from ``._data`` in numpy) and equals eager on new data."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F

CASES = {
    "elu": lambda h, y: F.elu(h).sum(),
    "selu": lambda h, y: F.selu(h).sum(),
    "celu": lambda h, y: F.celu(h, 0.5).sum(),
    "prelu": lambda h, y: F.prelu(h, ag.tensor([0.2])).sum(),
    "smooth_l1": lambda h, y: F.smooth_l1_loss(h, y, beta=0.5),
    "huber": lambda h, y: F.huber_loss(h, y, delta=0.5),
    "kl_div": lambda h, y: F.kl_div(h.log_softmax(1), y.softmax(1).masked_fill(y > 1, 0.0),
                                    reduction="batchmean"),
}


def _run(name, use_compile):
    ag.manual_seed(0)
    lin = nn.Linear(3, 4).double()

    def step(x, y):
        lin.zero_grad()
        loss = CASES[name](lin(x), y)
        loss.backward()
        return loss

    fn = ag.compile(step) if use_compile else step
    rng = np.random.default_rng(1)
    losses = [fn(ag.tensor(rng.standard_normal((5, 3))), ag.tensor(rng.standard_normal((5, 4)))
                 ).item() for _ in range(5)]
    return losses, lin.weight.grad._data.tobytes(), fn


@pytest.mark.parametrize("name", sorted(CASES))
def test_replays_as_eager(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, grad, fn = _run(name, True)
    want, want_grad, _ = _run(name, False)
    assert fn.traces == 1 and got == want and grad == want_grad
