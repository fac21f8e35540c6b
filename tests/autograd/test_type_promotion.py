"""PyTorch's type promotion for elementwise ops: dimensioned tensors outrank 0-d tensors, which
outrank Python numbers; a lower rank matters only when its category (bool < integer < floating)
is higher. Python floats bring the default dtype (float32 unless ag.set_default_dtype changed
it); true division of integers and float functions of integers give it."""

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


# ---- the default dtype (ag.set_default_dtype) --------------------------------------------------

@pytest.fixture
def default_float64():
    ag.set_default_dtype(ag.float64)
    yield
    ag.set_default_dtype(ag.float32)


INTEGER_TO_FLOAT = {  # ops that compute an integer tensor in the default floating dtype
    "sigmoid": lambda x: ag.sigmoid(x), "tanh": lambda x: ag.tanh(x),
    "exp": lambda x: ag.exp(x), "sqrt": lambda x: ag.sqrt(x), "erf": lambda x: ag.erf(x),
    "true division": lambda x: x / x, "a float power": lambda x: x ** 0.5,
    "times a float": lambda x: x * 2.5, "a float clamp": lambda x: ag.clamp(x, 0.5, 3.0),
    "logsumexp": lambda x: ag.logsumexp(x, 0), "xlogy": lambda x: ag.xlogy(x, x),
    "where of two floats": lambda x: ag.where(x > 1, 1.0, 0.0),
    "where of an int and a float": lambda x: ag.where(x > 1, x, 3.5),
}


@pytest.mark.parametrize("name", sorted(INTEGER_TO_FLOAT))
def test_integers_compute_in_the_default_dtype(name, default_float64):
    """A float64 default gave float32 here (the promotion named float32 instead of the default),
    and where(cond, 1.0, 0.0) gave float64 under a float32 default."""
    x = ag.tensor([1, 2, 3])
    assert INTEGER_TO_FLOAT[name](x).dtype == np.float64
    ag.set_default_dtype(ag.float32)
    assert INTEGER_TO_FLOAT[name](x).dtype == np.float32


def test_where_of_two_numbers_has_the_default_dtype():
    m = ag.tensor([True, False])
    assert ag.where(m, 1.0, 0.0).dtype == np.float32
    assert ag.where(m, 1, 2.5).tolist() == [1.0, 2.5] and ag.where(m, 1, 2.5).dtype == np.float32
    assert ag.where(m, 1, 2).dtype == np.int64 and ag.where(m, True, False).dtype == np.bool_
    assert ag.where(m, 1j, 0.5).dtype == np.complex64


def test_a_complex_number_follows_the_default_dtype(default_float64):
    assert (ag.tensor([1, 2]) * 2j).dtype == np.complex128


@pytest.mark.torch_parity
@pytest.mark.parametrize("default", ["float32", "float64"])
def test_integer_promotion_under_the_default_dtype_equals_torch(default):
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    previous = torch.get_default_dtype()
    ag.set_default_dtype(getattr(ag, default))
    torch.set_default_dtype(getattr(torch, default))
    try:
        for name, fn in INTEGER_TO_FLOAT.items():
            ours = fn(ag.tensor([1, 2, 3]))
            theirs = _torch_twin(torch, name)(torch.tensor([1, 2, 3]))
            assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], name
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    finally:
        ag.set_default_dtype(ag.float32)
        torch.set_default_dtype(previous)


def _torch_twin(torch, name):
    """INTEGER_TO_FLOAT[name] written with torch."""
    return {
        "sigmoid": torch.sigmoid, "tanh": torch.tanh, "exp": torch.exp, "sqrt": torch.sqrt,
        "erf": torch.erf, "true division": lambda x: x / x,
        "a float power": lambda x: x ** 0.5, "times a float": lambda x: x * 2.5,
        "a float clamp": lambda x: torch.clamp(x, 0.5, 3.0),
        "logsumexp": lambda x: torch.logsumexp(x, 0), "xlogy": lambda x: torch.xlogy(x, x),
        "where of two floats": lambda x: torch.where(x > 1, 1.0, 0.0),
        "where of an int and a float": lambda x: torch.where(x > 1, x, 3.5),
    }[name]
