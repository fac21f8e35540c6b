"""``Tensor.data`` as PyTorch has it: a Tensor sharing memory, outside autograd."""
import numpy as np
import pytest

import autograd_core as ag
import nn


def test_data_is_a_tensor_sharing_memory_that_does_not_require_grad():
    w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = w.data
    assert isinstance(d, ag.Tensor) and not d.requires_grad and d.is_leaf
    assert d.dtype == w.dtype and d.shape == w.shape
    d[0] = 7.0
    d.mul_(2)
    assert w.tolist() == [14.0, 4.0, 6.0]
    assert w.requires_grad and w.is_leaf


def test_parameter_data_is_a_plain_tensor():
    p = nn.Linear(2, 3).weight
    assert type(p.data) is ag.Tensor
    p.data.zero_()
    assert np.all(p.detach().numpy() == 0)


def test_writes_through_data_are_invisible_to_autograd_but_detach_writes_are_caught():
    # PyTorch: x.data has its own version counter; x.detach() shares x's.
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data.add_(1.0)  # not noticed: the gradient uses the new values (2x with x = [2, 3])
    y.backward()
    assert x.grad.tolist() == [4.0, 6.0]

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.detach().add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_sgd_by_hand_through_data_as_tutorials_write_it():
    w = ag.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        w.data -= 0.25 * w.grad.data
        w.grad.zero_()
    # each step halves w: w <- w - 0.25 * 2w
    np.testing.assert_allclose(w.detach().numpy(), [0.125, -0.25])


def test_assigning_data_rebinds_the_storage():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    w.data = ag.tensor([[5.0, 6.0, 7.0]])
    assert w.shape == (1, 3) and w.requires_grad
    w.data = np.zeros(2)
    assert w.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="floating point"):
        w.data = ag.tensor([1, 2])


@pytest.mark.torch_parity
def test_data_semantics_match_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * x).sum()
        x.data.mul_(3)
        y.backward()
        d = x.data
        return (x.grad.tolist(), d.requires_grad, d.is_leaf, x.requires_grad,
                type(d).__name__)

    assert run(ag) == run(torch)


def test_update_ratio_statistic_uses_tensor_std_with_bessel_correction():
    # the makemore-style line: (lr * p.grad).std() / p.data.std(), with PyTorch's ddof=1 std
    p = ag.tensor([1.0, 2.0, 4.0], requires_grad=True)
    (p * p).sum().backward()  # grad = 2p
    ratio = ((0.1 * p.grad).std() / p.data.std()).log10().item()
    # both stds carry the same ddof=1 factor, so the ratio is 0.2 exactly; check ddof itself too
    assert ratio == pytest.approx(np.log10(0.2), rel=1e-6)
    assert p.data.std().item() == pytest.approx(np.std([1.0, 2.0, 4.0], ddof=1), rel=1e-6)


# A leaf's array replaced by one of another shape or dtype between forward and backward: the
# gradient it gets has the shape and dtype it had when the graph was recorded (PyTorch's
# metadata of the edge; the values below are what torch 2.13 gives).


def test_gradient_keeps_the_recorded_shape_after_data_changes_shape():
    x = ag.ones(3, requires_grad=True)
    y = (x * 2).sum()
    x.data = ag.ones(5)
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_broadcast_gradient_is_reduced_to_the_recorded_shape():
    x = ag.ones(1, requires_grad=True)
    y = (x * ag.ones(3) * 3).sum()
    x.data = ag.ones(3)  # now the gradient's shape, but not the shape x was used with
    y.backward()
    assert x.grad.tolist() == [9.0]


def test_gradient_keeps_the_recorded_dtype_after_model_double():
    m = nn.Linear(2, 1)
    y = m(ag.ones(1, 2)).sum()
    m.double()
    y.backward()
    assert m.weight.dtype == ag.float64
    assert m.weight.grad.dtype == ag.float32 and m.weight.grad.tolist() == [[1.0, 1.0]]


def test_a_graph_recorded_after_the_change_uses_the_new_shape():
    x = ag.ones(1, requires_grad=True)
    (x * ag.ones(3)).sum().backward()  # recorded before
    x.data = ag.ones(2)
    x.grad = None
    y1 = (x * 2).sum()  # recorded after
    x.data = ag.ones(4)
    y1.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_a_leaf_resized_in_a_loop_keeps_a_bounded_log_and_refuses_a_too_old_graph():
    x = ag.ones(1, requires_grad=True)
    old = (x * ag.ones(3)).sum()
    for n in range(2, 40):
        x.data = ag.ones(n)
        y = (x * 2).sum()
        y.backward()  # each step's own graph works
        assert x.grad.shape == (n,)
        x.grad = None
    assert len(x._meta_log) <= 16
    with pytest.raises(RuntimeError, match="no longer known"):
        old.backward()


def test_a_saved_input_given_a_data_of_another_shape_refuses_in_backward():
    # the rule would have multiplied the gradient by the new (5,) array: numpy's broadcasting
    # error (ValueError), or, for (3, 1) -> (1, 3), a silently broadcast (3, 3) product
    w = ag.ones(3, requires_grad=True)
    c = ag.full((3,), 2.0, requires_grad=True)
    y = (w * c).sum()
    w.data = ag.zeros(5)
    with pytest.raises(RuntimeError, match=r"MulBackward0.*\[5\].*\[3\]"):
        y.backward()
    w = ag.ones(3, 1, requires_grad=True)
    c = ag.full((3, 1), 2.0, requires_grad=True)
    y = (w * c).sum()
    w.data = ag.zeros(1, 3)
    with pytest.raises(RuntimeError, match="another shape"):
        y.backward()


def test_a_saved_input_given_a_data_of_the_same_shape_is_read_in_backward():
    w = ag.ones(3, requires_grad=True)
    c = ag.full((3,), 2.0, requires_grad=True)
    y = (w * c).sum()
    w.data = ag.tensor([1.0, 2.0, 3.0])
    y.backward()
    assert c.grad.tolist() == [1.0, 2.0, 3.0] and w.grad.tolist() == [2.0, 2.0, 2.0]
