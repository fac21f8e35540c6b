"""A complex number with an imaginary part written into a real tensor is refused with
PyTorch's error (numpy's cast dropped the imaginary part, with only a ComplexWarning); one
whose imaginary part is 0 is written, as in PyTorch."""

import numpy as np
import pytest

import autograd_core as ag


def _setitem(x, v):
    x[0] = v
    return x


WRITES = [
    ("setitem", lambda v, dt: _setitem(ag.zeros(2, dtype=dt), v)),
    ("setitem_recorded", lambda v, dt: _setitem(ag.zeros(2, dtype=dt, requires_grad=True).clone(),
                                                v)),
    ("masked_fill", lambda v, dt: ag.zeros(2, dtype=dt).masked_fill(ag.tensor([True, False]), v)),
    ("fill_", lambda v, dt: ag.zeros(2, dtype=dt).fill_(v)),
    ("full", lambda v, dt: ag.full((2,), v, dtype=dt)),
    ("new_full", lambda v, dt: ag.zeros(1, dtype=dt).new_full((2,), v)),
]


@pytest.mark.parametrize("name,write", WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("dtype,ctype", [(ag.float32, "float"), (ag.float64, "double")])
def test_complex_value_into_a_real_tensor_is_refused(name, write, dtype, ctype):
    with pytest.raises(RuntimeError,
                       match=f"value cannot be converted to type {ctype} without overflow"):
        write(1 + 2j, dtype)


def test_into_an_integer_tensor_names_its_type():
    with pytest.raises(RuntimeError, match="type int64_t without overflow"):
        _setitem(ag.zeros(2, dtype=ag.int64), 2j)


@pytest.mark.parametrize("name,write", WRITES, ids=[w[0] for w in WRITES])
def test_a_zero_imaginary_part_is_written(name, write):
    out = write(np.complex128(3 + 0j), ag.float64)
    assert out.dtype == ag.float64 and out.detach().numpy()[0] == 3.0


def test_complex_values_into_a_complex_tensor_are_kept():
    x = ag.zeros(2, dtype=ag.complex128)
    x[0] = 1 + 2j
    assert complex(x[0].item()) == 1 + 2j
