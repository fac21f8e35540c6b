"""``x[:1] += v`` writes a view back into itself: PyTorch's full overlap (allowed), which the
overlap test called partial when a dimension of size 1 had another stride (``broadcast_to``
gives it stride 0), so the commonest augmented assignment raised "some elements of the input
tensor and the written-to tensor refer to a single memory location"."""

import numpy as np
import pytest

import autograd_core as ag

CASES = [
    ("x[:1] += 1", [1.0, 0.0, 0.0, 0.0]),
    ("x[:1] += ag.ones(1)", [1.0, 0.0, 0.0, 0.0]),
    ("x[3:] *= 0; x[3:] -= 2", [0.0, 0.0, 0.0, -2.0]),
    ("x.view(2, 2)[:, :1] += 1", [1.0, 0.0, 1.0, 0.0]),
    ("x.view(4, 1)[1:3] += 1", [0.0, 1.0, 1.0, 0.0]),
]


@pytest.mark.parametrize("code, want", CASES)
def test_augmented_assignment_of_a_size1_slice(code, want):
    x = ag.zeros(4)
    exec(code, {"ag": ag, "x": x})
    np.testing.assert_array_equal(x.numpy(), want)


def test_gradient_through_it_and_a_partial_overlap_still_refused():
    w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = w * 2
    x[:1] += w[1:2] * 3  # x = [2 + 6, 4, 6]: d/dw of sum(x * [1, 2, 3]) = [2, 4 + 3, 6]
    (x * ag.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.detach().numpy(), [8.0, 4.0, 6.0])
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 7.0, 6.0])
    y = ag.zeros(3)
    with pytest.raises(RuntimeError, match="single memory location"):  # PyTorch refuses too
        y[1:] = y[:2]


@pytest.mark.torch_parity
@pytest.mark.parametrize("code, want", CASES)
def test_as_pytorch(code, want):
    torch = pytest.importorskip("torch")
    x = torch.zeros(4)
    exec(code.replace("ag.", "torch."), {"torch": torch, "x": x})
    assert x.tolist() == want
