"""The common mistakes raise PyTorch's exception type with PyTorch's wording first, so that a
user who searches the message finds the PyTorch answer (issue 12 item 11). Each case is a
small program run against a module namespace; the torch_parity test runs it with torch 2.13 and
checks that PyTorch's message is the same sentence."""

import re

import pytest

import autograd_core as ag


def _cases(mod):
    def x():
        return mod.ones(3, requires_grad=True)

    def backward_twice():
        t = x()
        y = (t * t).sum()
        y.backward()
        y.backward()

    def inplace_leaf():
        x().add_(1)

    return {
        "matmul 2-D": (lambda: mod.ones(2, 3) @ mod.ones(4, 5),
                       "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
        "matmul batched @ 2-D": (lambda: mod.ones(2, 2, 3) @ mod.ones(4, 5),
                                 "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)"),
        "matmul vec @ mat": (lambda: mod.ones(3) @ mod.ones(4, 5),
                             "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"),
        "matmul mat @ vec": (lambda: mod.ones(2, 3) @ mod.ones(4),
                             "size mismatch, got input (2), mat (2x3), vec (4)"),
        "matmul vec @ vec": (lambda: mod.ones(3) @ mod.ones(4),
                             ("inconsistent tensor size, expected tensor [3] and src [4] to have "
                             "the same number of elements, but got 3 and 4 elements "
                             "respectively")),
        "broadcast dim 0": (lambda: mod.ones(3) + mod.ones(4),
                            ("The size of tensor a (3) must match the size of tensor b (4) at "
                            "non-singleton dimension 0")),
        "broadcast from the right": (lambda: mod.ones(2, 3) * mod.ones(4, 5),
                                     ("The size of tensor a (3) must match the size of tensor b "
                                     "(5) at non-singleton dimension 1")),
        "broadcast result dims": (lambda: mod.ones(4, 1, 3) - mod.ones(2, 5),
                                  ("The size of tensor a (3) must match the size of tensor b (5) "
                                  "at non-singleton dimension 2")),
        "non-scalar backward": (lambda: (x() * 2).backward(),
                                "grad can be implicitly created only for scalar outputs"),
        "backward twice": (backward_twice,
                           ("Trying to backward through the graph a second time (or directly "
                           "access saved tensors after they have already been freed)")),
        "in-place on a leaf": (inplace_leaf,
                               ("a leaf Variable that requires grad is being used in an in-place "
                               "operation")),
        "no grad_fn": (lambda: mod.ones(3).sum().backward(),
                       "element 0 of tensors does not require grad and does not have a grad_fn"),
        "grad of a constant": (lambda: mod.autograd.grad(mod.ones(3).sum(), x()),
                               ("element 0 of tensors does not require grad and does not have a "
                               "grad_fn")),
    }


@pytest.mark.parametrize("name", list(_cases(ag)))
def test_message_starts_with_pytorch_wording(name):
    fn, message = _cases(ag)[name]
    with pytest.raises(RuntimeError) as info:
        fn()
    assert str(info.value).startswith(message), str(info.value)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", list(_cases(ag)))
def test_pytorch_says_the_same(name):
    torch = pytest.importorskip("torch")
    fn, message = _cases(torch)[name]
    with pytest.raises(RuntimeError, match=re.escape(message)):
        fn()


def test_broadcast_error_is_still_a_value_error():
    with pytest.raises(ValueError, match=r"add: shapes \(3,\) and \(4,\)"):
        ag.ones(3) + ag.ones(4)
