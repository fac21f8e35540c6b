"""Products of two dtypes are refused before any work, as PyTorch refuses them (no silent
promotion), with the message of the kernel PyTorch runs for those ranks. The torch_parity
test checks that torch 2.13 says the same."""

import re

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as agF

CASES = {
    "mm": (lambda mod, F: mod.ones(2, 3).mm(mod.ones(3, 2, dtype=mod.float64)),
           "expected m1 and m2 to have the same dtype, but got: float != double"),
    "mm double float": (lambda mod, F: mod.mm(mod.ones(2, 3, dtype=mod.float64), mod.ones(3, 2)),
                        "expected m1 and m2 to have the same dtype, but got: double != float"),
    "mm long": (lambda mod, F: mod.ones(2, 3).mm(mod.ones(3, 2, dtype=mod.int64)),
                "expected m1 and m2 to have the same dtype, but got: float != long int"),
    "mm complex": (lambda mod, F: mod.ones(2, 3).mm(mod.ones(3, 2, dtype=mod.complex64)),
                   "expected m1 and m2 to have the same dtype, but got: float != "
                   "c10::complex<float>"),
    "@ 2-d": (lambda mod, F: mod.ones(2, 3) @ mod.ones(3, 2, dtype=mod.float64),
              "expected m1 and m2 to have the same dtype, but got: float != double"),
    "matmul 3-d @ 2-d": (lambda mod, F: mod.matmul(mod.ones(4, 2, 3), mod.ones(3, 2, dtype=mod.float64)),
                         "expected m1 and m2 to have the same dtype, but got: float != double"),
    "matmul vec @ mat": (lambda mod, F: mod.ones(3) @ mod.ones(3, 2, dtype=mod.float64),
                         "expected m1 and m2 to have the same dtype, but got: float != double"),
    "matmul vec @ vec": (lambda mod, F: mod.ones(3) @ mod.ones(3, dtype=mod.float64),
                         "dot : expected both vectors to have same dtype, but found Float and "
                         "Double"),
    "matmul mat @ vec": (lambda mod, F: mod.ones(2, 3) @ mod.ones(3, dtype=mod.float64),
                         "addmv input tensors must have the same dtype, but got Double, Float, "
                         "and Double"),
    "matmul batched @ vec": (lambda mod, F: mod.ones(4, 2, 3, dtype=mod.float64) @ mod.ones(3),
                             "addmv input tensors must have the same dtype, but got Float, "
                             "Double, and Float"),
    "matmul batched": (lambda mod, F: mod.ones(4, 2, 3) @ mod.ones(4, 3, 2, dtype=mod.float64),
                       "expected scalar type Float but found Double"),
    "matmul mat @ batched": (lambda mod, F: mod.ones(2, 3, dtype=mod.float64) @ mod.ones(4, 3, 2),
                             "expected scalar type Double but found Float"),
    "bmm": (lambda mod, F: mod.ones(1, 2, 3).bmm(mod.ones(1, 3, 2, dtype=mod.float64)),
            "expected scalar type Float but found Double"),
    "linear": (lambda mod, F: F.linear(mod.ones(2, 3), mod.ones(4, 3, dtype=mod.float64)),
               "expected m1 and m2 to have the same dtype, but got: float != double"),
    "linear 3-d input": (lambda mod, F: F.linear(mod.ones(5, 2, 3, dtype=mod.float64), mod.ones(4, 3)),
                         "expected m1 and m2 to have the same dtype, but got: double != float"),
    "linear bias": (lambda mod, F: F.linear(mod.ones(2, 3), mod.ones(4, 3), mod.ones(4, dtype=mod.float64)),
                    "self and mat2 must have the same dtype, but got Double and Float"),
}


@pytest.mark.parametrize("name", CASES)
def test_refused_with_pytorch_wording(name):
    fn, message = CASES[name]
    with pytest.raises(RuntimeError, match="^" + re.escape(message) + "$"):
        fn(ag, agF)


def test_refused_not_promoted_for_a_leaf_that_needs_grad():
    a = ag.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="m1 and m2"):
        a @ ag.ones(3, 2, dtype=ag.float64)
    assert a.grad is None


def test_same_dtype_products_unchanged():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(6.0).reshape(3, 2)
    for dt in (ag.float32, ag.float64, ag.int64):
        out = ag.tensor(a, dtype=dt) @ ag.tensor(b, dtype=dt)
        assert out.dtype == dt
        assert out.tolist() == [[10, 13], [28, 40]]  # by hand: rows of a times columns of b


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", CASES)
def test_pytorch_says_the_same(name):
    torch = pytest.importorskip("torch")
    fn, message = CASES[name]
    with pytest.raises(RuntimeError, match="^" + re.escape(message) + "$"):
        fn(torch, torch.nn.functional)
