"""PyTorch's errors where tapegrad raised numpy's, or answered where PyTorch refuses (errs26,
from a differential fuzzer's list, each checked against torch 2.13): shapes that do not
broadcast in every elementwise op (and its ``out=`` and in-place forms), ``roll`` of a 0-d
tensor along a dim, integer tensors given a gradient by ``copy_``, ``einsum`` of mixed dtypes,
empty integer ``softmax``, and the ops whose PyTorch node saves its input (an in-place change
of it refuses backward). Torch-free tests hold the type and wording; the ``torch_parity`` ones
run the same calls in both libraries."""

import re

import pytest

import autograd_core as ag

VERSION_ERROR = "modified by an inplace operation"
MISMATCH = "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}"


def _ones(lib, shape, dtype="float64"):
    return lib.ones(shape, dtype=getattr(lib, dtype))


# ---- where's condition: a bool tensor (uint8 warned, as PyTorch's), else refused ---------------

@pytest.mark.parametrize("dtype, name", [("float32", "Float"), ("int64", "Long"),
                                         ("float64", "Double")])
def test_where_refuses_a_condition_that_is_not_bool(dtype, name):
    want = f"where expected condition to be a boolean tensor, but got a tensor with dtype {name}"
    with pytest.raises(RuntimeError, match=re.escape(want)):
        ag.where(ag.ones(2, dtype=getattr(ag, dtype)), ag.ones(2), ag.zeros(2))
    with pytest.raises(RuntimeError, match=re.escape(want)):  # before the shapes are looked at
        ag.where(ag.ones(2, 3, dtype=getattr(ag, dtype)), ag.ones(2, 4), ag.zeros(2, 3))


def test_where_warns_for_a_uint8_condition():
    with pytest.warns(UserWarning, match="where received a uint8 condition tensor"):
        y = ag.where(ag.tensor([1, 0], dtype=ag.uint8), ag.ones(2), ag.zeros(2))
    assert y.tolist() == [1.0, 0.0]
