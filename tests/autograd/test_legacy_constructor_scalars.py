"""``torch.Tensor(n)`` with one integer is PyTorch's legacy "uninitialized tensor of size n"
(a Bayes-by-backprop program's ``torch.Tensor(out_features)`` got a 0-d tensor holding n);
a bool or float is refused as PyTorch's; ``float(t)`` of a tensor that requires grad warns,
once per process, as PyTorch's."""

import subprocess
import sys

import numpy as np
import pytest

import autograd_core as ag

SIZES = [3, 0, np.int64(4), np.array(2)]
REFUSED = [2.5, True, np.float32(2.0), 1j]


@pytest.mark.parametrize("n", SIZES, ids=repr)
def test_one_integer_is_a_size(n):
    t = ag.Tensor(n)
    assert t.shape == (int(n),) and t.dtype == ag.float32 and not t.requires_grad


def test_sizes_and_values_unchanged():
    assert ag.Tensor(2, 3).shape == (2, 3)
    assert ag.Tensor([3]).tolist() == [3.0]
    assert ag.Tensor(np.array(2.5)).shape == ()  # a 0-d float array is a value
    with pytest.raises(RuntimeError, match=r"negative dimension -1: \[-1\]"):
        ag.Tensor(-1)


@pytest.mark.parametrize("v", REFUSED, ids=repr)
def test_a_number_is_refused(v):
    name = ("numpy." if isinstance(v, np.generic) else "") + type(v).__name__
    with pytest.raises(TypeError, match=rf"new\(\): data must be a sequence \(got {name}\)"):
        ag.Tensor(v)


@pytest.mark.torch_parity
def test_as_torch():
    torch = pytest.importorskip("torch")
    for n in SIZES:
        assert tuple(ag.Tensor(n).shape) == tuple(torch.Tensor(n).shape)
    for v in REFUSED[:3]:
        with pytest.raises(TypeError) as ours:
            ag.Tensor(v)
        with pytest.raises(TypeError) as theirs:
            torch.Tensor(v)
        assert str(ours.value) == str(theirs.value)


CHECK = """
import warnings, autograd_core as ag
t = ag.tensor(2.0, requires_grad=True)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    float(ag.tensor(3.0)); int(t); t.item()
    with ag.no_grad():  # PyTorch is silent there
        float(t)
    quiet = len(w)
    a = float(t); b = float(t * 2)
print(quiet, len(w), a, b, str(w[0].message).splitlines()[0] if w else "")
"""


def test_float_of_a_tensor_requiring_grad_warns_once():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         check=True).stdout.split(" ", 4)
    assert out[:4] == ["0", "1", "2.0", "4.0"]
    assert out[4].strip() == ("Converting a tensor with requires_grad=True to a scalar may "
                              "lead to unexpected behavior.")
