"""``sign`` is an op with a zero gradient, as PyTorch's (its result requires grad when the
input does; before, it was a constant made from the input's values, so ``x.sign()`` inside a
compiled step made the step run eagerly)."""

import warnings

import numpy as np
import pytest

import autograd_core as ag


def test_sign_requires_grad_and_has_zero_gradient():
    x = ag.tensor([-2.0, 0.0, 0.5], requires_grad=True)
    y = x.sign()
    assert y.requires_grad and y.grad_fn.name() == "SignBackward0"
    (y * 3.0 + x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    assert ag.sign(ag.tensor([-3, 0, 2])).tolist() == [-1, 0, 1]  # integers stay integers


def test_sign_in_a_compiled_step_is_captured():
    w = ag.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)

    def step(x):
        w.grad = None
        loss = (w * x).sum() + 0.1 * (w.sign() * w).sum()  # an L1 penalty written with sign
        loss.backward()
        with ag.no_grad():
            w.sub_(0.1 * w.grad)
        return loss

    compiled = ag.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = [compiled(ag.tensor([1.0, 2.0, -1.0])).item() for _ in range(5)]
    assert compiled.traces == 1
    w2 = ag.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    want = []
    for _ in range(5):
        w2.grad = None
        loss = (w2 * ag.tensor([1.0, 2.0, -1.0])).sum() + 0.1 * (w2.sign() * w2).sum()
        loss.backward()
        with ag.no_grad():
            w2.sub_(0.1 * w2.grad)
        want.append(loss.item())
    assert got == want and w.tolist() == w2.tolist()


@pytest.mark.torch_parity
def test_sign_equals_torch():
    torch = pytest.importorskip("torch")
    v = np.array([-1.5, 0.0, 2.0, np.nan, -0.0])
    x, t = ag.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    y, u = x.sign(), t.sign()
    assert y.requires_grad == u.requires_grad
    np.testing.assert_array_equal(y.detach().numpy(), u.detach().numpy())
    y.sum().backward()
    u.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
