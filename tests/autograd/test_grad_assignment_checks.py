"""What PyTorch refuses when a gradient is assigned or accumulated (found by the capture19
review): a `.grad` of another dtype, and a backward that sums into an expanded `.grad`."""

import numpy as np
import pytest

import autograd_core as ag
import optimizers


@pytest.mark.parametrize("dtype, cpp", [(ag.float64, "double"), (ag.int64, "long int"),
                                        (ag.float16, "c10::Half")])
def test_a_grad_of_another_dtype_is_refused_with_pytorchs_words(dtype, cpp):
    p = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=f"^attempting to assign a gradient with dtype '{cpp}'"
                       " to a tensor with grad_dtype 'Float'"):
        p.grad = ag.ones(3, dtype=dtype)
    assert p.grad is None  # nothing assigned


def test_before_the_check_an_optimizer_stepped_with_the_wrong_dtype():
    """The accepted float64 grad made Adam's moments float64 for a float32 weight."""
    p = ag.ones(2, requires_grad=True)
    opt = optimizers.SGD([p], lr=0.5)
    p.grad = ag.full((2,), 2.0)  # the same dtype: fine
    opt.step()
    np.testing.assert_array_equal(p.detach().numpy(), [0.0, 0.0])
    with pytest.raises(RuntimeError, match="grad_dtype"):
        p.grad = ag.full((2,), 2.0, dtype=ag.float64)


def test_accumulating_into_an_expanded_grad_is_refused_as_pytorch():
    q = ag.ones(3, requires_grad=True)
    q.grad = ag.zeros(1).expand(3)
    with pytest.raises(RuntimeError, match="^unsupported operation: more than one element of "
                       "the written-to tensor refers to a single memory location"):
        (q * 2).sum().backward()
    q.grad = ag.zeros(3)  # an ordinary one accumulates
    (q * 2).sum().backward()
    np.testing.assert_array_equal(q.grad.numpy(), [2.0, 2.0, 2.0])


@pytest.mark.parametrize("make", [lambda: (ag.ones(3, requires_grad=True) * 2)[1:],
                                  lambda: ag.ones(3)[1:], lambda: ag.ones(2, 2).t()])
def test_detach_in_place_of_a_view_is_refused_as_pytorch(make):
    """It detached the view, and a later write into its base reconnected it (views19)."""
    v = make()
    with pytest.raises(RuntimeError, match=r"^Can.t detach views in-place\. Use detach\(\) instead"):
        v.detach_()
    assert (ag.ones(3, requires_grad=True) * 2).detach_().is_leaf  # not a view: fine
