"""Result dtypes of integer, bool, half and complex inputs as PyTorch 2.13's: the regressions
of the dtype sweep (``test_dtypes_vs_torch.py``), each against the dtype and values PyTorch
gives."""

import re

import numpy as np
import pytest

import autograd_core as ag

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")


def _assert_same(ours, theirs):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "gcd"])
@pytest.mark.parametrize("dt, zero_dt", [("uint8", "int8"), ("int8", "int64"),
                                         ("int16", "int32"), ("int32", "uint8")])
def test_integer_ops_keep_the_nd_dtype_against_a_0d_integer_tensor(name, dt, zero_dt):
    # a 0-d tensor of the same category does not widen an n-d one (numpy's promotion did:
    # uint8 & 0-d int8 gave int16)
    vals, other = [3, 12, 6], 5
    ours = getattr(ag, name)(ag.tensor(vals, dtype=getattr(ag, dt)),
                             ag.tensor(other, dtype=getattr(ag, zero_dt)))
    theirs = getattr(torch, name)(torch.tensor(vals, dtype=getattr(torch, dt)),
                                  torch.tensor(other, dtype=getattr(torch, zero_dt)))
    _assert_same(ours, theirs)


def test_integer_ops_promote_bool_with_an_integer_and_wrap_python_ints():
    _assert_same(ag.gcd(ag.tensor([True, False]), ag.tensor([4, 6], dtype=ag.uint8)),
          torch.gcd(torch.tensor([True, False]), torch.tensor([4, 6], dtype=torch.uint8)))
    _assert_same(ag.tensor([3, 200], dtype=ag.uint8) & -2,
          torch.tensor([3, 200], dtype=torch.uint8) & -2)
    with pytest.raises(NotImplementedError, match="\"bitwise_and_cpu\" not implemented for "
                                                  "'Float'"):
        ag.tensor([True]) & 2.5  # the promoted dtype (the default float), as ATen names it


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_take_complex_tensors(name):
    a, b = [1 + 1j, 0j, 2j], [0, 1, 3]
    _assert_same(getattr(ag, name)(ag.tensor(a), ag.tensor(b)),
          getattr(torch, name)(torch.tensor(a), torch.tensor(b)))


@pytest.mark.parametrize("reduction", [
    lambda lib, x, dt: x.prod(dtype=dt), lambda lib, x, dt: x.prod(0, dtype=dt),
    lambda lib, x, dt: x.cumsum(0, dtype=dt), lambda lib, x, dt: x.cumprod(1, dtype=dt),
    lambda lib, x, dt: x.sum(0, dtype=dt)])
@pytest.mark.parametrize("dt", ["uint8", "int8", "int16", "int32"])
def test_reductions_give_the_dtype_asked_for_and_wrap_in_it(reduction, dt):
    # numpy's prod/cumsum/cumprod widened small integers to int64 (prod(dtype=int16) was int64)
    vals = [[100, 3, -7], [90, 5, 11]]
    ours = reduction(ag, ag.tensor(vals), getattr(ag, dt))
    theirs = reduction(torch, torch.tensor(vals), getattr(torch, dt))
    _assert_same(ours, theirs)


@pytest.mark.parametrize("dt", ["int64", "int16", "bool"])
def test_sum_with_an_integer_dtype_sums_the_cast_values(dt):
    # PyTorch casts first: sum([1.5, 2.5, -0.5], dtype=int64) is 1 + 2 + 0 = 3, not int(3.5)
    vals = [[1.5, 2.5, -0.5], [0.25, 0.0, 0.0]]
    _assert_same(ag.tensor(vals).sum(dtype=getattr(ag, dt)), torch.tensor(vals).sum(dtype=getattr(torch, dt)))
    _assert_same(ag.tensor(vals).sum(0, dtype=getattr(ag, dt)),
          torch.tensor(vals).sum(0, dtype=getattr(torch, dt)))


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_running_reductions_refuse_bool_as_pytorch(name):
    with pytest.raises(NotImplementedError, match=f'"{name}_out_cpu" not implemented for '
                                                  "'Bool'"):
        getattr(ag, name)(ag.tensor([1, 2]), 0, dtype=ag.bool)


@pytest.mark.parametrize("dt, factor_dt", [("int8", "bool"), ("uint8", "bool"),
                                           ("int32", "int8"), ("float16", "bool")])
def test_addcmul_value_does_not_take_part_in_the_promotion(dt, factor_dt):
    # value (a Python int) is cast to the tensors' dtype: int8 + 1 * bool * bool is int8 (was
    # int64, the int value promoting the bool product)
    a, b = [1, 2, 3], [1, 0, 1]

    def run(lib):
        return lib.addcmul(lib.tensor(a, dtype=getattr(lib, dt)),
                           lib.tensor(b, dtype=getattr(lib, factor_dt)),
                           lib.tensor(b, dtype=getattr(lib, factor_dt)), value=2)
    _assert_same(run(ag), run(torch))


def test_addcmul_refuses_bool_tensors_and_a_complex_value_for_real_ones():
    t = ag.tensor([True, False])
    with pytest.raises(NotImplementedError, match="\"addcmul_cpu_out\" not implemented for "
                                                  "'Bool'"):
        ag.addcmul(t, t, t)
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="value cannot be converted to type float without "
                                           "overflow"):
        ag.addcmul(x, x, x, value=1j)


def test_any_and_all_of_uint8_give_uint8():
    vals = [[1, 0], [2, 3]]
    for name in ("any", "all"):
        _assert_same(getattr(ag, name)(ag.tensor(vals, dtype=ag.uint8)),
              getattr(torch, name)(torch.tensor(vals, dtype=torch.uint8)))
        _assert_same(getattr(ag, name)(ag.tensor(vals, dtype=ag.uint8), 1),
              getattr(torch, name)(torch.tensor(vals, dtype=torch.uint8), 1))


def test_pow_of_bools_is_refused_and_a_bool_base_takes_negative_integer_exponents():
    t = ag.tensor([True, False])
    with pytest.raises(NotImplementedError, match="\"pow\" not implemented for 'Bool'"):
        t ** t  # numpy's gave int8
    # True ** int8 with a negative exponent: was a broadcast error (numpy's ValueError)
    _assert_same(True ** ag.tensor([-3, 0, 2], dtype=ag.int8),
          True ** torch.tensor([-3, 0, 2], dtype=torch.int8))


@pytest.mark.parametrize("fn", [lambda x: x + -2, lambda x: -2 + x, lambda x: x * 300,
                                lambda x: x - 256, lambda x: x // -3, lambda x: x % 1000])
def test_a_python_int_outside_a_small_integer_dtype_wraps_into_it(fn):
    # ATen casts the scalar to the tensor's dtype; numpy raised OverflowError
    vals = [3, 0, 200]
    _assert_same(fn(ag.tensor(vals, dtype=ag.uint8)), fn(torch.tensor(vals, dtype=torch.uint8)))
    _assert_same(fn(ag.tensor(vals, dtype=ag.int16)), fn(torch.tensor(vals, dtype=torch.int16)))


@pytest.mark.parametrize("fn", [lambda x, s: x > s, lambda x, s: x == s, lambda x, s: s < x,
                                lambda x, s: x.le(s), lambda x, s: x != s])
@pytest.mark.parametrize("scalar", [-1, 256, -129])
def test_comparisons_cast_an_out_of_range_int_into_the_tensors_dtype(fn, scalar):
    # PyTorch compares in the promoted dtype: uint8 > -1 is uint8 > 255 (all False)
    vals = [0, 1, 255]
    _assert_same(fn(ag.tensor(vals, dtype=ag.uint8), scalar),
          fn(torch.tensor(vals, dtype=torch.uint8), scalar))
    _assert_same(fn(ag.tensor(vals, dtype=ag.uint8), ag.tensor(scalar)),
          fn(torch.tensor(vals, dtype=torch.uint8), torch.tensor(scalar)))


@pytest.mark.parametrize("dt, other_dt", [("uint8", "int8"), ("uint8", "int64"),
                                          ("int8", "uint8"), ("int16", "int64")])
@pytest.mark.parametrize("method", ["add_", "sub_", "mul_", "bitwise_and_", "__iadd__"])
def test_in_place_ops_write_any_integer_result_into_an_integer_tensor(dt, other_dt, method):
    # signed and unsigned integers are one category for PyTorch's canCast (uint8 += int64
    # wraps); numpy's same_kind refused it with "can't be cast"
    a, b = [3, 100, 17], [-5, 100, 2]

    def run(lib):
        x = lib.tensor(a, dtype=getattr(lib, dt))
        getattr(x, method)(lib.tensor(b, dtype=getattr(lib, other_dt)))
        return x
    _assert_same(run(ag), run(torch))


def test_in_place_float_into_int_is_still_refused():
    x = ag.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                           "output type Long"):
        x += 1.5
    with pytest.raises(RuntimeError, match="result type Long can't be cast to the desired "
                                           "output type Bool"):
        ag.tensor([True]).add_(ag.tensor([2]))


def test_fill_refuses_a_value_tensor_with_dimensions():
    x = ag.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor but "
                                           "got tensor with 1 dimensions."):
        x.fill_(ag.tensor([4.0, 5.0, 6.0]))
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(x.fill_(ag.tensor(4.0)).numpy(), [4.0, 4.0, 4.0])


@pytest.mark.parametrize("value", [-1, -200, 300, 1e10, -1.5, 255.9, 2.7])
@pytest.mark.parametrize("dt", ["uint8", "int8", "int32"])
def test_tensor_and_full_convert_python_numbers_into_integers_as_pytorch(value, dt):
    # a negative int wraps into uint8 (numpy raised OverflowError); out of range is refused
    # (numpy wrapped 1e10 into int32 silently); floats go toward zero
    for make in (lambda lib: lib.tensor([value, 1], dtype=getattr(lib, dt)),
                 lambda lib: lib.full((2,), value, dtype=getattr(lib, dt))):
        try:
            theirs = make(torch)
        except RuntimeError as exc:
            with pytest.raises(RuntimeError, match=str(exc)):
                make(ag)
            continue
        _assert_same(make(ag), theirs)


@pytest.mark.parametrize("fn", [lambda lib, x: lib.mean(x, dtype=lib.float64),
                                lambda lib, x: x.mean(1, dtype=lib.float16),
                                lambda lib, x: lib.softmax(x, 1, dtype=lib.float64),
                                lambda lib, x: x.log_softmax(0, lib.float64)])
def test_mean_and_softmax_take_a_dtype(fn):
    vals = [[1, 2, 4], [3, 5, 8]]
    ours, theirs = fn(ag, ag.tensor(vals)), fn(torch, torch.tensor(vals))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-3)
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point or "
                                           "complex dtype. Got: Int"):
        ag.tensor(vals).mean(dtype=ag.int32)


@pytest.mark.parametrize("like_dt, value", [("float32", 1j), ("uint8", -1), ("int8", 300),
                                            ("float32", 1 + 0j)])
def test_full_like_converts_its_value_as_full(like_dt, value):
    # full_like dropped 1j's imaginary part silently and raised OverflowError on uint8 -1
    def run(lib):
        return lib.full_like(lib.zeros(2, dtype=getattr(lib, like_dt)), value)
    try:
        theirs = run(torch)
    except RuntimeError as exc:
        with pytest.raises(RuntimeError, match=str(exc)):
            run(ag)
        return
    _assert_same(run(ag), theirs)


@pytest.mark.parametrize("call", [
    lambda lib: lib.heaviside(lib.tensor([1.0]), lib.tensor([1], dtype=lib.int64)),
    lambda lib: lib.heaviside(lib.tensor([1.0]), lib.tensor([1j])),
    lambda lib: lib.floor_divide(lib.tensor([1]), lib.tensor([1j])),
    lambda lib: lib.tensor([1j]) // 2,
    lambda lib: lib.tensor([2], dtype=lib.uint8) ** -2])
def test_refusals_in_pytorchs_words(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(theirs.type) as ours:
        call(ag)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kw", [{"min": -2}, {"max": -2}, {"min": 1, "max": 300}])
def test_clamp_casts_an_int_bound_into_the_integer_dtype(kw):
    # ATen converts the bound (clamp(uint8, min=-2) is 254 there, 300 is refused); numpy
    # raised OverflowError for max=-2 and 300
    vals = [3, 0, 200]
    try:
        theirs = torch.clamp(torch.tensor(vals, dtype=torch.uint8), **kw)
    except RuntimeError as exc:
        with pytest.raises(RuntimeError, match=str(exc)):
            ag.clamp(ag.tensor(vals, dtype=ag.uint8), **kw)
        return
    _assert_same(ag.clamp(ag.tensor(vals, dtype=ag.uint8), **kw), theirs)


@pytest.mark.parametrize("call", [
    lambda lib: lib.signbit(lib.tensor([1j])),
    lambda lib: lib.nanmean(lib.tensor([1, 2], dtype=lib.int16)),
    lambda lib: lib.logcumsumexp(lib.tensor([1, 2], dtype=lib.int32), 0),
    lambda lib: lib.lerp(lib.tensor([True]), lib.tensor([1]), 0.5),
    lambda lib: lib.lerp(lib.tensor([1], dtype=lib.uint8), lib.tensor([1.0]), 0.5),
    lambda lib: lib.tensor([1, 2], dtype=lib.int8) ** 256,
    lambda lib: lib.tensor([1, 2], dtype=lib.int32) ** 2 ** 40])
def test_more_refusals_in_pytorchs_words(call):
    # nanmean/logcumsumexp named every integer dtype Long; lerp refused the kernel before
    # the dtypes; int8 ** 256 was numpy's OverflowError
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(theirs.type) as ours:
        call(ag)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("exp_dt", ["float32", "float64"])
def test_pow_exponent_gradient_of_a_half_base_takes_its_log_in_the_result_dtype(exp_dt):
    # d(a ** b)/db = a ** b * log(a) with log(a) rounded to half: 2e-4 off PyTorch's
    a_vals, b_vals = [2.5, 0.5, 2.5], [-2.5, 0.5, 2.5]

    def grad(lib):
        a = lib.tensor(a_vals, dtype=lib.float16)
        b = lib.tensor(b_vals, dtype=getattr(lib, exp_dt), requires_grad=True)
        (a ** b).sum().backward()
        return b.grad
    ours, theirs = grad(ag), grad(torch)
    assert str(ours.dtype).split(".")[-1] == exp_dt
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-6)


def test_a_uint8_index_tensor_is_a_mask_as_pytorchs_legacy_rule():
    # it indexed elements 1, 0, 1 (silently other values); PyTorch selects where non-zero
    x = [1.0, 2.0, 3.0]
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
        ours = ag.tensor(x)[ag.tensor([1, 0, 1], dtype=ag.uint8)]
    with pytest.warns(UserWarning):
        theirs = torch.tensor(x)[torch.tensor([1, 0, 1], dtype=torch.uint8)]
    _assert_same(ours, theirs)


@pytest.mark.parametrize("call", [
    lambda lib, x, i: x.gather(0, i), lambda lib, x, i: x.scatter(0, i, 1.0),
    lambda lib, x, i: x.scatter_add(0, i, x), lambda lib, x, i: x.scatter_reduce(0, i, x, "amax")])
def test_gather_and_scatter_take_int32_indices(call):
    # "Expected dtype int64 for index" before; PyTorch 2.13 takes int32 too
    def run(lib):
        return call(lib, lib.tensor([[1.0, 2.0], [3.0, 4.0]]),
                    lib.tensor([[0, 1], [1, 0]], dtype=lib.int32))
    _assert_same(run(ag), run(torch))


def test_repeat_interleave_of_int32_counts_gives_int32():
    _assert_same(ag.repeat_interleave(ag.tensor([1, 2], dtype=ag.int32)),
          torch.repeat_interleave(torch.tensor([1, 2], dtype=torch.int32)))
    with pytest.raises(NotImplementedError, match="\"repeat_interleave_cpu\" not implemented "
                                                  "for 'Short'"):
        ag.repeat_interleave(ag.tensor([1, 2], dtype=ag.int16))


@pytest.mark.parametrize("write", [
    lambda lib, x, v: x.__setitem__(0, v), lambda lib, x, v: x.masked_fill_(x == 0, v),
    lambda lib, x, v: x.fill_(v), lambda lib, x, v: x.index_fill_(0, lib.tensor([1]), v)])
@pytest.mark.parametrize("dt, value", [("uint8", 300), ("uint8", -1.5), ("int32", 2 ** 40),
                                       ("int8", 1e10), ("uint8", -1), ("int16", 2.7)])
def test_numbers_written_into_integer_tensors_convert_as_pytorch(write, dt, value):
    # x[0] = 300 on uint8 wrote 44, 1e10 into int8 wrote 0 (numpy's silent wrap); PyTorch refuses
    def run(lib):
        x = lib.zeros(3, dtype=getattr(lib, dt))
        write(lib, x, value)
        return x
    try:
        theirs = run(torch)
    except RuntimeError as exc:
        with pytest.raises(RuntimeError, match=re.escape(str(exc))):
            run(ag)
        return
    _assert_same(run(ag), theirs)


@pytest.mark.parametrize("make", [
    lambda L: L.tensor([1.0, float("nan")], dtype=L.int64),
    lambda L: L.full((2,), float("nan"), dtype=L.int32),
    lambda L: L.tensor(float("nan"), dtype=L.uint8)])
def test_nan_into_an_integer_dtype_is_refused(make):
    # numpy's cast gave INT_MIN (or 0) silently; PyTorch refuses with its overflow words
    with pytest.raises(RuntimeError) as theirs:
        make(torch)
    with pytest.raises(RuntimeError) as ours:
        make(ag)
    assert str(ours.value) == str(theirs.value)
