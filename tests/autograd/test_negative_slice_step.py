"""A zero or negative slice step is refused as PyTorch refuses it (numpy would reverse), in
reads and writes, before anything is recorded or written; ``flip`` still reverses."""

import numpy as np
import pytest

import autograd_core as ag

NEGATIVE = [
    lambda x: x[::-1],
    lambda x: x[5:0:-2],
    lambda x: x[None, ::-1],
    lambda x: x[..., ::-1],
    lambda x: x[[0, 1]][::-1],
    lambda x: x[::np.int64(-3)],
    lambda x: x[::ag.tensor(-1)],
]


@pytest.mark.parametrize("read", NEGATIVE)
def test_negative_step_read_raises(read):
    x = ag.arange(6.0, requires_grad=True)
    with pytest.raises(ValueError, match="^step must be greater than zero$"):
        read(x)


def test_zero_step_read_and_write_raise():
    x = ag.arange(6.0)
    with pytest.raises(ValueError, match="^slice step cannot be zero$"):
        x[::0]
    with pytest.raises(ValueError, match="^slice step cannot be zero$"):
        x[::0] = 1.0


@pytest.mark.parametrize("grad", [False, True])
def test_negative_step_write_raises_and_writes_nothing(grad):
    base = ag.arange(6.0, requires_grad=grad)
    x = base * 1 if grad else base
    version = x._version
    with pytest.raises(ValueError, match="^step must be greater than zero$"):
        x[::-2] = ag.tensor([9.0, 9.0, 9.0])
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert x._version == version
    assert x.grad_fn is None or type(x.grad_fn).__name__ != "IndexPutBackward"


def test_positive_steps_and_flip_still_work():
    x = ag.arange(6.0, dtype=ag.float64, requires_grad=True)
    assert x[1::2].tolist() == [1.0, 3.0, 5.0]
    assert x[5:0:2].tolist() == []
    y = ag.flip(x, [0])
    assert y.tolist() == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    (y * ag.arange(6.0, dtype=ag.float64)).sum().backward()
    assert x.grad.tolist() == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]


@pytest.mark.torch_parity
@pytest.mark.parametrize("k", range(len(NEGATIVE) - 1))
def test_same_error_as_torch(k):
    torch = pytest.importorskip("torch")
    read = NEGATIVE[k]
    with pytest.raises(ValueError) as ours:
        read(ag.arange(6.0))
    with pytest.raises(ValueError) as theirs:
        read(torch.arange(6.0))
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError) as theirs_zero:
        torch.arange(6.0)[::0]
    with pytest.raises(ValueError) as ours_zero:
        ag.arange(6.0)[::0]
    assert str(ours_zero.value) == str(theirs_zero.value)
