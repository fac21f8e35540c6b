"""PyTorch's type promotion for elementwise ops: dimensioned tensors outrank 0-d tensors, which
outrank Python numbers; a lower rank matters only when its category (bool < integer < floating)
is higher. Python floats bring the default dtype (float32); true division of integers gives it."""

import itertools

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.binary import result_type

CASES = [  # (a, b, expected dtype of a * b), worked by hand from the rules above
    (ag.ones(2), ag.tensor(2.0, dtype=ag.float64), np.float32),
    (ag.ones(2), np.float64(2.0), np.float32),
    (ag.ones(2, dtype=ag.float16), ag.tensor(2.0), np.float16),
    (ag.ones(2, dtype=ag.int64), 1.5, np.float32),
    (ag.ones(2, dtype=ag.int32), 3, np.int32),
    (ag.ones(2, dtype=ag.int64), ag.tensor(1.5), np.float32),
    (ag.ones(2, dtype=ag.bool), 3, np.int64),
    (ag.ones(2, dtype=ag.int32), ag.ones(2, dtype=ag.int64), np.int64),
    (ag.ones(2), ag.ones(2, dtype=ag.int64), np.float32),
    (ag.ones(2), ag.ones(2, dtype=ag.float64), np.float64),
]


@pytest.mark.parametrize("a,b,want", CASES)
def test_promotion_by_hand(a, b, want):
    assert (a * b).dtype == want
    assert (b * a).dtype == want


def test_true_division_of_integers_gives_the_default_float():
    q = ag.tensor([1, 2]) / ag.tensor([2, 2])
    assert q.dtype == np.float32
    np.testing.assert_array_equal(q.numpy(), [0.5, 1.0])


def test_float32_to_an_integer_tensor_power_stays_float32_and_trains():
    import nn

    x = ag.tensor([[2.0, 3.0]]) ** ag.tensor([2])
    assert x.dtype == np.float32
    assert nn.Linear(2, 1)(x).dtype == np.float32  # the next layer accepts it


def test_gradient_keeps_each_input_dtype():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    s = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
    (a * s).sum().backward()
    assert a.grad.dtype == np.float32 and s.grad.dtype == np.float64
    assert s.grad.item() == 3.0


DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.torch_parity
def test_result_type_equals_torch_for_every_pair():
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")

    def make(dt, zero):
        v = np.array(True if dt == "bool" else 1, dtype=dt)
        return v if zero else np.stack([v, v])

    for a, b, za, zb in itertools.product(DTYPES, DTYPES, (0, 1), (0, 1)):
        want = torch.result_type(torch.from_numpy(make(a, za)), torch.from_numpy(make(b, zb)))
        assert str(result_type(make(a, za), make(b, zb))) == str(want).replace("torch.", ""), (
            a, za, b, zb)
    for a, s in itertools.product(DTYPES, (True, 2, 2.5)):
        want = torch.result_type(torch.from_numpy(make(a, 0)), s)
        assert str(result_type(make(a, 0), s)) == str(want).replace("torch.", ""), (a, s)
