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


def _cx():
    return ag.tensor(np.array([1j, 2 + 1j, 3]))


def test_complex_values_through_an_advanced_index_into_a_real_tensor_are_refused():
    # PyTorch's index_put refuses the dtype mismatch; numpy dropped the imaginary parts
    for index in (ag.tensor([True, False, True]), ag.tensor([0, 2]), [0, 2]):
        x = ag.zeros(3, dtype=ag.float64)
        with pytest.raises(RuntimeError, match="Index put requires the source and destination "
                                               "dtypes match, got Double for the destination "
                                               "and ComplexDouble for the source"):
            x[index] = _cx()[:2]
        assert not x.numpy().any()


def test_a_complex_0d_tensor_fill_value_into_a_real_tensor_is_refused():
    x = ag.zeros(3, dtype=ag.float64)
    for call in (lambda: x.masked_fill(ag.tensor([True, False, True]), _cx()[1]),
                 lambda: x.index_fill(0, ag.tensor([0, 2]), _cx()[1])):
        with pytest.raises(RuntimeError, match="cannot be converted to type double"):
            call()
    out = x.masked_fill(ag.tensor([True, False, True]), _cx()[2])  # 3+0j: its real part
    np.testing.assert_array_equal(out.numpy(), [3.0, 0.0, 3.0])
    assert out.dtype == ag.float64


def test_a_basic_index_copies_the_real_parts_as_pytorch():
    # PyTorch's copy_ semantics (with its warning): the real parts, gradient to the source
    z = ag.tensor(np.array([1 + 1j, 2 - 1j]), requires_grad=True)
    x = ag.zeros(3, dtype=ag.float64)
    with pytest.warns(Warning):
        x[:2] = z
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0, 0.0])
