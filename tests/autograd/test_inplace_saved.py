"""In-place changes to anything a node saved are caught (PyTorch's rule), whether the node saved
its input or its output; and an in-place op that overwrites its own input keeps the gradient
right instead of raising."""

import numpy as np
import pytest

import autograd_core as ag

SAVES_OUTPUT = {
    "exp": lambda x: x.exp(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "sqrt": lambda x: x.sqrt(),
    "relu": lambda x: x.relu(),
    "softmax": lambda x: x.softmax(dim=0),
    "log_softmax": lambda x: x.log_softmax(dim=0),
}

MODIFY = {
    "iadd": lambda h: h.__iadd__(1.0),
    "add_": lambda h: h.add_(1.0),
    "mul_": lambda h: h.mul_(2.0),
    "setitem": lambda h: h.__setitem__(0, 5.0),
    "fill_": lambda h: h.fill_(0.25),
}


@pytest.mark.parametrize("op", SAVES_OUTPUT, ids=str)
@pytest.mark.parametrize("modify", MODIFY, ids=str)
def test_modified_saved_output_raises(op, modify):
    x = ag.tensor([0.5, 1.5, 2.0], requires_grad=True)
    h = SAVES_OUTPUT[op](x)
    MODIFY[modify](h)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (h * h).sum().backward()


def test_modified_saved_input_raises_even_under_no_grad():
    x = ag.tensor([0.5, 1.5], requires_grad=True)
    h = x * 1.0
    y = h.log()  # saves its input h
    with ag.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_op_that_reads_its_own_input_keeps_gradients_right():
    # y = x * 1; y.mul_(w): the new node needs y's *old* values; PyTorch computes this
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    w = ag.tensor([3.0, 4.0], requires_grad=True)
    y = x * 1
    y.mul_(w)
    (y * ag.tensor([1.0, 10.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 40.0])  # d/dx (x w) = w
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 20.0])  # d/dw (x w) = x (old y)


def test_unmodified_saved_output_still_backpropagates():
    x = ag.tensor([0.5, -1.0], requires_grad=True)
    h = x.sigmoid()
    z = h * 2.0  # reading h is not a modification
    z.sum().backward()
    s = 1 / (1 + np.exp(-np.array([0.5, -1.0], dtype=np.float32)))
    np.testing.assert_allclose(x.grad.numpy(), 2 * s * (1 - s), rtol=1e-6)


def test_load_state_dict_after_forward_makes_backward_refuse():
    import nn

    # the second layer's weight is saved (its input requires grad), as in any MLP
    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    sd = {k: v.detach().numpy() * 2 for k, v in m.state_dict().items()}
    loss = m(ag.ones(4, 3)).sum()
    m.load_state_dict(sd)  # the weights the graph saved are gone
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_init_after_forward_makes_backward_refuse():
    import nn

    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    loss = (m(ag.ones(4, 3)) ** 2).sum()
    nn.init.normal_(m[2].weight)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# Second order through an in-place op that overwrote a saved input: the node that overwrote it
# kept a copy of its old values as a constant, so a gradient taken with create_graph lost the
# old values' own dependence on the inputs (w.grad [10, 40] for the closed form's [12, 48]).


def test_second_order_through_an_input_overwritten_by_its_own_op_closed_form():
    w = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    a = w * 1
    a.mul_(w)  # a = w**2, the mul saved a's old values (w)
    (g,) = ag.autograd.grad((a * a).sum(), w, create_graph=True)  # d/dw w**4 = 4 w**3
    np.testing.assert_allclose(g.detach().numpy(), [4.0, 32.0])
    g.sum().backward()  # d/dw 4 w**3 = 12 w**2
    np.testing.assert_allclose(w.grad.numpy(), [12.0, 48.0])


@pytest.mark.parametrize("name, fn", [
    ("mul_ by the input", lambda w: (w * 1).mul_(w).pow(2).sum()),
    ("mul_ of a sin", lambda w: w.sin().mul_(w).sum()),
    ("div_ by a sin", lambda w: (w * 3).div_(w.sin() + 2).pow(2).sum()),
    ("twice in a row", lambda w: (w + 1).mul_(w).mul_(w.cos()).sum()),
])
def test_second_order_through_inputs_overwritten_in_place_matches_finite_differences(name, fn):
    w = ag.tensor([0.3, -0.7, 1.1], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(fn, (w,))
    assert ag.gradgradcheck(fn, (w,))
