"""autograd_core.testing.assert_close: PyTorch's default tolerances by dtype, its messages,
and containers compared item by item."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.testing import assert_close


def _t(values, dtype):
    return ag.tensor(np.array(values, dtype=dtype))


@pytest.mark.parametrize("dtype,inside,outside", [
    # allowed |a - e| at e = 1: atol + rtol = 1.13e-5 (float32), 2e-7 (float64) and
    # 1.01e-3 (float16, whose spacing at 1 is 9.8e-4: one step inside, two steps outside)
    (np.float32, 1.0 + 1.0e-5, 1.0 + 1.3e-5),
    (np.float64, 1.0 + 1.9e-7, 1.0 + 2.1e-7),
    (np.float16, 1.0 + 2.0 ** -10, 1.0 + 2.0 ** -9),
])
def test_default_tolerances_by_dtype(dtype, inside, outside):
    """PyTorch's defaults: float32 (1.3e-6, 1e-5), float64 (1e-7, 1e-7), float16 (1e-3, 1e-5)."""
    assert_close(_t([inside], dtype), _t([1.0], dtype))
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        assert_close(_t([outside], dtype), _t([1.0], dtype))


def test_integers_and_bools_compare_exactly():
    with pytest.raises(AssertionError, match="Tensor-likes are not equal!"):
        assert_close(_t([1, 2], np.int64), _t([1, 3], np.int64))
    assert_close(_t([True], np.bool_), _t([True], np.bool_))


def test_message_names_the_worst_elements_as_pytorch():
    with pytest.raises(AssertionError) as info:
        assert_close(_t([1.0, 2.0, 3.0], np.float32), _t([1.0, 2.5, 3.0], np.float32))
    assert str(info.value) == (
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)")


def test_shape_and_dtype_are_checked_and_dtype_can_be_waived():
    with pytest.raises(AssertionError, match="attribute 'shape' do not match"):
        assert_close(_t([1.0], np.float64), _t([1.0, 1.0], np.float64))
    with pytest.raises(AssertionError, match="attribute 'dtype' do not match"):
        assert_close(_t([1.0], np.float32), _t([1.0], np.float64))
    assert_close(_t([1.0], np.float32), _t([1.0], np.float64), check_dtype=False)


def test_explicit_tolerances_nan_and_msg():
    assert_close(_t([1.0], np.float64), _t([1.1], np.float64), rtol=0.0, atol=0.2)
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol' must be either specified or "
                                         "omitted, but got no atol"):
        assert_close(1.0, 1.0, rtol=1e-3)
    nan = _t([np.nan], np.float64)
    with pytest.raises(AssertionError):
        assert_close(nan, nan)
    assert_close(nan, nan, equal_nan=True)
    with pytest.raises(AssertionError, match="^custom$"):
        assert_close(1.0, 2.0, msg="custom")
    with pytest.raises(AssertionError, match="^PREFIX Scalars"):
        assert_close(1.0, 2.0, msg=lambda m: "PREFIX " + m)


def test_containers_numbers_and_type_mismatches():
    assert_close({"w": [_t([1.0], np.float32), 2]}, {"w": [_t([1.0], np.float32), 2]})
    with pytest.raises(AssertionError, match=r"The failure occurred for item \['w'\]\[1\]"):
        assert_close({"w": [1.0, 2.0]}, {"w": [1.0, 3.0]})
    with pytest.raises(AssertionError, match="The length of the sequences mismatch: 1 != 2"):
        assert_close([1.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="keys of the mappings do not match"):
        assert_close({"a": 1}, {"b": 1})
    with pytest.raises(TypeError, match="No comparison pair"):
        assert_close(_t([1.0], np.float64), 1.0)
    with pytest.raises(AssertionError, match="Scalars are not equal!\n\nExpected 2 but got 1."):
        assert_close(1, 2)
