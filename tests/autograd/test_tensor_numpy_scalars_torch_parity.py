"""``tensor([np.float64(x), ...])`` keeps double precision, as PyTorch's type inference does
(numpy's float64/complex128 numbers and arrays inside a list); Python floats alone still give
the default dtype. It gave float32 (``tensor([np.mean(a), np.std(a)])`` lost precision)."""

import numpy as np
import pytest

import autograd_core as ag

CASES = {
    "f64": ([np.float64(0.1)], "float64"),
    "float and f64": ([1.0, np.float64(0.1)], "float64"),
    "nested": ([[1.0], [np.float64(0.1)]], "float64"),
    "int and f64": ([1, np.float64(2.5)], "float64"),
    "bool and f64": ([True, np.float64(2.5)], "float64"),
    "tuple": ((np.float64(0.1),), "float64"),
    "array inside": ([np.array([0.1, 0.2])], "float64"),
    "f64 and complex": ([np.float64(0.1), 1j], "complex128"),
    "c128": ([np.complex128(0.1)], "complex128"),
    "f32": ([np.float32(0.1)], "float32"),
    "float and f32": ([1.0, np.float32(0.1)], "float32"),
    "floats": ([0.1, 0.2], "float32"),
    "complex": ([1j], "complex64"),
    "i32": ([np.int32(1)], "int32"),
}


@pytest.mark.parametrize("name", CASES)
def test_inferred_dtype(name):
    data, dt = CASES[name]
    for make in (ag.tensor, ag.as_tensor, ag.asarray):
        t = make(data)
        assert t.dtype == getattr(ag, dt), (make.__name__, name)
    if dt == "float64":  # the value itself, not a float32 rounding of it
        assert ag.tensor([np.float64(0.1)]).item() == 0.1


@pytest.mark.torch_parity
def test_same_as_torch():
    torch = pytest.importorskip("torch")
    for name, (data, _) in CASES.items():
        if name == "array inside":
            continue  # PyTorch warns that a list of arrays is slow; the dtype is checked above
        assert str(ag.tensor(data).dtype).split(".")[-1] == \
            str(torch.tensor(data).dtype).split(".")[-1], name
