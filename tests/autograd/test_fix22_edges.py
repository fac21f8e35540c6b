"""Edge values where tapegrad differed from PyTorch 2.13 (brief fix22): signed zeros of running
sums, numbers beyond a floating dtype written into it, ..."""

import math

import numpy as np
import pytest

import autograd_core as ag


def _signs(t):
    return np.signbit(np.asarray(t.detach().numpy())).tolist()


@pytest.mark.parametrize("dtype", [ag.float16, ag.float32, ag.float64])
def test_cumsum_starts_from_positive_zero(dtype):
    # ATen's running sum starts from +0: 0 + -0.0 is +0.0 (numpy's starts from the first
    # element, so the first value was -0.0); the gradient, a reverse running sum, too
    x = ag.tensor([-0.0, -0.0, 1.0], dtype=dtype, requires_grad=True)
    y = ag.cumsum(x, 0)
    assert y.tolist() == [0.0, 0.0, 1.0] and _signs(y) == [False, False, False]
    y.backward(ag.tensor([-0.0, -0.0, -0.0], dtype=dtype))
    assert _signs(x.grad) == [False, False, False]
    z = ag.tensor([[-0.0 + 0j, complex(-0.0, -0.0)]], dtype=ag.complex128).cumsum(1).numpy()
    assert np.signbit(z.real).tolist() == [[False, False]]
    assert np.signbit(z.imag).tolist() == [[False, False]]


def test_logcumsumexp_of_negative_zero_and_its_zero_gradient():
    # logaddexp(-inf, -0.0) = -0.0 + log1p(0) = +0.0; the gradient where it is 0 is 0 - 0 = +0
    x = ag.tensor([-0.0, -0.0], dtype=ag.float64, requires_grad=True)
    y = ag.logcumsumexp(x, 0)
    assert y.tolist() == [0.0, math.log(2.0)] and _signs(y) == [False, False]
    x = ag.tensor([math.inf, -math.inf, 2.0], dtype=ag.float64, requires_grad=True)
    ag.logcumsumexp(x, 0).sum().backward()
    g = x.grad.numpy()
    assert math.isnan(g[0]) and g[1:].tolist() == [0.0, 0.0] and not np.signbit(g[1:]).any()


def _mask(n=2):
    return ag.tensor([True] + [False] * (n - 1))


FILLS = {  # PyTorch 2.13 refuses a finite number beyond the dtype at each of these
    "fill_": lambda x, v: x.fill_(v),
    "masked_fill_": lambda x, v: x.masked_fill_(_mask(), v),
    "masked_fill": lambda x, v: x.masked_fill(_mask(), v),
    "index_fill_": lambda x, v: x.index_fill_(0, ag.tensor([0]), v),
    "index_fill": lambda x, v: x.index_fill(0, ag.tensor([0]), v),
    "full": lambda x, v: ag.full((2,), v, dtype=x.dtype),
    "new_full": lambda x, v: x.new_full((2,), v),
}
SETITEMS = {
    "mask": lambda x, v: x.__setitem__(_mask(), v),
    "index": lambda x, v: x.__setitem__(ag.tensor([0]), v),
    "int": lambda x, v: x.__setitem__(0, v),
    "slice": lambda x, v: x.__setitem__(slice(0, 1), v),
}


@pytest.mark.parametrize("how", list(FILLS) + list(SETITEMS))
@pytest.mark.parametrize("dtype, value, name", [
    (ag.float32, 1e40, "float"), (ag.float32, -3.5e38, "float"),
    (ag.float16, 70000.0, "c10::Half"), (ag.float16, 1e40, "c10::Half"),
    (ag.complex64, 1e40, "c10::complex<float>"),
    (ag.complex64, complex(0.0, -1e40), "c10::complex<float>")])
def test_a_number_beyond_a_floating_dtype_is_refused(how, dtype, value, name):
    x = ag.zeros(2, dtype=dtype)
    if how in SETITEMS and dtype == ag.float16:  # PyTorch's x[i] = v of float16 writes inf
        SETITEMS[how](x, value)
        assert x.tolist() == [math.inf, 0.0]
        return
    with pytest.raises(RuntimeError, match=f"^value cannot be converted to type {name} "
                                           "without overflow$"):
        {**FILLS, **SETITEMS}[how](x, value)
    assert x.tolist() == [0.0, 0.0]  # nothing written


@pytest.mark.parametrize("how", list(FILLS) + list(SETITEMS))
def test_inf_nan_and_the_largest_float_still_written(how):
    for value, want in ((math.inf, math.inf), (-math.inf, -math.inf),
                        (float(np.finfo(np.float32).max), float(np.finfo(np.float32).max))):
        x = ag.zeros(2, dtype=ag.float32)
        out = {**FILLS, **SETITEMS}[how](x, value)
        got = (x if out is None else out).tolist()[0]
        assert got == want
    x = ag.zeros(2, dtype=ag.float16)
    out = {**FILLS, **SETITEMS}[how](x, math.nan)
    assert math.isnan((x if out is None else out).tolist()[0])


def test_a_0d_value_tensor_is_range_checked_after_its_own_rounding():
    # masked_fill/index_fill check the value tensor's number: a float64 1e40 is refused in
    # float32; a float32 1e40 is already inf, and is written
    with pytest.raises(RuntimeError, match="to type float without overflow"):
        ag.zeros(2).masked_fill(_mask(), ag.tensor(1e40, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="to type float without overflow"):
        ag.zeros(2).index_fill(0, ag.tensor([0]), ag.tensor(1e40, dtype=ag.float64))
    assert ag.zeros(2, dtype=ag.float16).masked_fill(_mask(), ag.tensor(1e40)).tolist() == \
        [math.inf, 0.0]


def test_lerp_and_addcmul_check_a_float16_number_in_float32():
    h = ag.zeros(2, dtype=ag.float16)
    with pytest.raises(RuntimeError, match="to type float without overflow"):
        ag.zeros(2).lerp(ag.ones(2), 1e40)
    with pytest.raises(RuntimeError, match="to type float without overflow"):
        ag.zeros(2).addcmul(ag.ones(2), ag.ones(2), value=1e40)
    # 70000 fits float32, their float16 opmath: no error, the float16 result is inf
    assert h.addcmul(h + 1, h + 1, value=70000).tolist() == [math.inf, math.inf]
    assert h.lerp(h + 1, 70000.0).tolist() == [math.inf, math.inf]
