"""``div(input, other, *, rounding_mode=...)``, its method, in-place and ``divide`` forms, and
``floor_divide`` / ``//`` (PyTorch's ``div(..., rounding_mode="floor")``): values against
Python's own integer and float division, signed zeros and infinities worked by hand, dtypes,
errors, zero gradients, ``ag.compile``; then the same against torch 2.13."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag

FLOATS = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64)
DIVISORS = FLOATS.filter(lambda v: abs(v) >= 1e-3)  # finite quotients
INTS = st.integers(-(2 ** 40), 2 ** 40)


def _bits(t):
    return t._data.tobytes()


def _trunc_int(a, b):
    """Integer division rounded toward zero, in exact integer arithmetic."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


# ---- values ------------------------------------------------------------------------------------

def test_hand_worked_quotients():
    a = ag.tensor([7.0, -7.0, 7.5, -7.5])
    b = ag.tensor([2.0, 2.0, -2.0, -2.0])
    assert ag.div(a, b, rounding_mode="trunc").tolist() == [3.0, -3.0, -3.0, 3.0]
    assert ag.div(a, b, rounding_mode="floor").tolist() == [3.0, -4.0, -4.0, 3.0]
    ai, bi = ag.tensor([7, -7, 7, -7]), ag.tensor([2, 2, -2, -2])
    assert ag.div(ai, bi, rounding_mode="trunc").tolist() == [3, -3, -3, 3]
    assert ag.div(ai, bi, rounding_mode="floor").tolist() == [3, -4, -4, 3]
    assert ag.div(a, b).tolist() == [3.5, -3.5, -3.75, 3.75]  # None: true division
    # 1 / 0.1 rounds to 10, but 0.1 is stored a little above a tenth: the floor is 9 (Python's
    # 1.0 // 0.1 too), in float32 and float64, and -10 below zero
    for dt in (ag.float32, ag.float64):
        one = ag.tensor([1.0, -1.0], dtype=dt)
        assert ag.div(one, 0.1, rounding_mode="floor").tolist() == [9.0, -10.0]
        assert ag.div(one, 0.1, rounding_mode="trunc").tolist() == [10.0, -10.0]
    assert 1.0 // 0.1 == 9.0


def test_signed_zeros_infinities_and_nan_of_float_quotients():
    # trunc keeps the sign of the true quotient; floor's zero is +0 (or -1 below zero)
    x = ag.tensor([0.5, -0.5, 0.5, -0.5], dtype=ag.float64)
    d = ag.tensor([2.0, 2.0, -2.0, -2.0], dtype=ag.float64)
    t = ag.div(x, d, rounding_mode="trunc").numpy()
    assert t.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert np.signbit(t).tolist() == [False, True, True, False]
    f = ag.div(x, d, rounding_mode="floor").numpy()
    assert f.tolist() == [0.0, -1.0, -1.0, 0.0]
    assert not np.signbit(f[[0, 3]]).any()
    # a zero divisor gives IEEE's true quotient in both modes
    num = ag.tensor([7.0, -7.0, 0.0, 7.0])
    den = ag.tensor([0.0, 0.0, 0.0, -0.0])
    for mode in ("trunc", "floor"):
        r = ag.div(num, den, rounding_mode=mode).numpy()
        assert r[0] == np.inf and r[1] == -np.inf and np.isnan(r[2]) and r[3] == -np.inf
    # an infinite divisor: trunc gives a signed zero, floor Python's -1 for a negative quotient
    inf = ag.tensor([np.inf, np.inf, -np.inf, -np.inf], dtype=ag.float64)
    five = ag.tensor([5.0, -5.0, 5.0, -5.0], dtype=ag.float64)
    assert ag.div(five, inf, rounding_mode="floor").tolist() == [
        5.0 // math.inf, -5.0 // math.inf, 5.0 // -math.inf, -5.0 // -math.inf]
    assert np.signbit(ag.div(five, inf, rounding_mode="trunc").numpy()).tolist() == [
        False, True, True, False]
    # an infinite or NaN dividend stays NaN under floor (fmod is NaN), inf under trunc
    r = ag.div(ag.tensor([np.inf, np.nan]), 2.0, rounding_mode="floor").numpy()
    assert np.isnan(r).all()
    assert ag.div(ag.tensor([np.inf]), 2.0, rounding_mode="trunc").tolist() == [np.inf]


@given(st.lists(st.tuples(FLOATS, DIVISORS), min_size=1, max_size=8))
def test_float64_quotients_equal_pythons(pairs):
    a = ag.tensor([p[0] for p in pairs], dtype=ag.float64)
    b = ag.tensor([p[1] for p in pairs], dtype=ag.float64)
    floor = ag.div(a, b, rounding_mode="floor").tolist()
    trunc = ag.div(a, b, rounding_mode="trunc").tolist()
    assert floor == [x // y for x, y in pairs]  # Python's float floor division: fmod-based
    assert trunc == [float(math.trunc(x / y)) for x, y in pairs]


@given(st.lists(st.tuples(INTS, INTS.filter(lambda v: v != 0)), min_size=1, max_size=8))
def test_int64_quotients_equal_exact_integer_division(pairs):
    a = ag.tensor([p[0] for p in pairs])
    b = ag.tensor([p[1] for p in pairs])
    assert ag.div(a, b, rounding_mode="floor").tolist() == [x // y for x, y in pairs]
    assert ag.div(a, b, rounding_mode="trunc").tolist() == [_trunc_int(x, y) for x, y in pairs]
    assert (a // b).tolist() == [x // y for x, y in pairs]


def test_result_dtypes_follow_type_promotion():
    i32 = ag.tensor([7, -7], dtype=ag.int32)
    assert ag.div(i32, 2, rounding_mode="floor").dtype == ag.int32
    assert ag.div(i32, ag.tensor([2, 2]), rounding_mode="floor").dtype == ag.int64
    r = ag.div(i32, 2.5, rounding_mode="floor")
    assert r.dtype == ag.float32 and r.tolist() == [2.0, -3.0]
    assert ag.div(7, ag.tensor([2, -2]), rounding_mode="floor").tolist() == [3, -4]
    r = ag.div(7.5, ag.tensor([2, -2]), rounding_mode="floor")
    assert r.dtype == ag.float32 and r.tolist() == [3.0, -4.0]
    r = ag.div(ag.tensor([7.5], dtype=ag.float16), ag.tensor([2.0], dtype=ag.float64),
               rounding_mode="trunc")
    assert r.dtype == ag.float64 and r.tolist() == [3.0]
    u8 = ag.tensor([7, 249], dtype=ag.uint8)  # unsigned: both modes are the same
    assert ag.div(u8, 2, rounding_mode="trunc").tolist() == [3, 124]
    assert ag.div(u8, 2, rounding_mode="floor").tolist() == [3, 124]
    assert ag.div(ag.tensor([True, False]), 2, rounding_mode="floor").dtype == ag.int64
    assert ag.div(ag.tensor(7), 2, rounding_mode="floor").shape == ()


def test_floor_divide_and_floordiv_operator_are_div_floor():
    a = ag.tensor([7.0, -7.0, 0.5, -0.5, 5.0, -5.0, 7.0, 0.0, np.nan])
    b = ag.tensor([2.0, 2.0, -2.0, 2.0, np.inf, np.inf, 0.0, 0.0, 1.0])
    want = _bits(ag.div(a, b, rounding_mode="floor"))
    assert _bits(ag.floor_divide(a, b)) == want and _bits(a // b) == want
    ai = ag.tensor([7, -7, 0, -1])
    assert (ai // 2).tolist() == ag.div(ai, 2, rounding_mode="floor").tolist() == [3, -4, 0, -1]
    assert (-7 // ag.tensor([2])).tolist() == [-4]
    y = ai
    ai //= 2  # in place, as torch's __ifloordiv__
    assert ai is y and y.tolist() == [3, -4, 0, -1]


# ---- errors ------------------------------------------------------------------------------------

def test_integer_division_by_zero_raises_before_writing():
    for mode in ("trunc", "floor"):
        with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
            ag.div(ag.tensor([7, 0]), ag.tensor([1, 0]), rounding_mode=mode)
        x = ag.tensor([4, 6])
        v = x._version
        with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
            x.div_(0, rounding_mode=mode)
        assert x.tolist() == [4, 6] and x._version == v
    with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
        ag.tensor([1]) // 0


def test_invalid_rounding_mode_is_refused_before_any_work():
    msg = ("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
           "'round'")
    a = ag.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError) as e:
        ag.div(a, ag.ones(3), rounding_mode="round")  # the mode before the shapes, as torch
    assert str(e.value) == msg
    x = ag.tensor([4.0, 6.0])
    v = x._version
    with pytest.raises(RuntimeError, match="found 'round'"):
        x.div_(2, rounding_mode="round")
    assert x.tolist() == [4.0, 6.0] and x._version == v
    with pytest.raises(RuntimeError, match="found ''"):
        a.divide(2, rounding_mode="")
    with pytest.raises(TypeError, match="rounding_mode"):
        ag.div(a, 2, rounding_mode=3)


def test_bool_and_complex_operands_are_not_implemented():
    t = ag.tensor([True, False])
    with pytest.raises(NotImplementedError, match="\"div_trunc_cpu\" not implemented for 'Bool'"):
        ag.div(t, t, rounding_mode="trunc")
    with pytest.raises(NotImplementedError, match="\"div_floor_cpu\" not implemented for 'Bool'"):
        ag.floor_divide(t, t)
    c = ag.tensor([1 + 1j], dtype=ag.complex64)
    with pytest.raises(NotImplementedError, match="not implemented for 'ComplexFloat'"):
        ag.div(c, 2, rounding_mode="floor")


def test_broadcast_error_names_div():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\).*\(3\).*div"):
        ag.div(ag.ones(2), ag.ones(3), rounding_mode="floor")


def test_in_place_forms():
    x = ag.tensor([7, -7])
    with pytest.raises(RuntimeError) as e:
        x.div_(2)  # true division's float result cannot go into an integer tensor
    assert str(e.value) == "result type Float can't be cast to the desired output type Long"
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        x.divide_(2.5, rounding_mode="floor")  # a float quotient, even rounded
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        x.true_divide_(2)
    assert x.tolist() == [7, -7]
    assert x.div_(2, rounding_mode="floor") is x and x.tolist() == [3, -4]
    assert x.divide_(-2, rounding_mode="trunc") is x and x.tolist() == [-1, 2]
    y = ag.tensor([7.5, -7.5])
    assert y.div_(2, rounding_mode="trunc").tolist() == [3.0, -3.0]
    assert y.true_divide_(2).tolist() == [1.5, -1.5]


def test_true_divide_has_no_rounding_mode():
    a = ag.tensor([1.0, 3.0])
    assert ag.true_divide(a, 2).tolist() == a.true_divide(2).tolist() == [0.5, 1.5]
    assert ag.true_divide(ag.tensor([1, 3]), 2).dtype == ag.float32
    for call in (lambda: ag.true_divide(a, 2, rounding_mode="floor"),
                 lambda: a.true_divide(2, rounding_mode="floor"),
                 lambda: a.true_divide_(2, rounding_mode="floor")):
        with pytest.raises(TypeError, match="rounding_mode"):
            call()
    assert ag.divide(a, 2, rounding_mode="floor").tolist() == [0.0, 1.0]


# ---- autograd ----------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_gradient_is_zero_for_both_operands(mode):
    a = ag.tensor([7.3, -3.3, 0.4], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([2.0, 2.0, -0.7], dtype=ag.float64, requires_grad=True)
    r = a.div(b, rounding_mode=mode)
    assert r.requires_grad and r.grad_fn is not None
    r.backward(ag.tensor([np.inf, 1.0, np.nan], dtype=ag.float64))  # zeros, not g * 0
    assert a.grad.tolist() == [0.0, 0.0, 0.0] and b.grad.tolist() == [0.0, 0.0, 0.0]
    s = ag.tensor([1.5], dtype=ag.float64, requires_grad=True)  # broadcast, summed back
    ag.div(a.detach(), s, rounding_mode=mode).sum().backward()
    assert s.grad.tolist() == [0.0]
    assert ag.gradcheck(lambda x, y: x.div(y, rounding_mode=mode), (a, b))
    assert ag.gradgradcheck(lambda x, y: x.div(y, rounding_mode=mode), (a, b))
    (g,) = ag.autograd.grad(a.div(b, rounding_mode=mode).sum(), a, create_graph=True)
    assert g.tolist() == [0.0, 0.0, 0.0]


def test_integer_division_records_nothing():
    r = ag.div(ag.tensor([7]), 2, rounding_mode="floor")
    assert not r.requires_grad and r.grad_fn is None


# ---- ag.compile ----------------------------------------------------------------------------------

def test_compiled_step_replays_rounded_division_bit_for_bit():
    w = ag.tensor([1.5, -2.5, 0.75], requires_grad=True)

    def step(x):
        w.grad = None
        q = ag.div(x, 0.3, rounding_mode="floor") + x.div(w, rounding_mode="trunc")
        loss = (q * w).sum()
        loss.backward()
        return q

    compiled = ag.compile(step, strict=True)
    rng = np.random.default_rng(0)
    for _ in range(4):
        x = rng.standard_normal(3).astype(np.float32) * 10
        got = compiled(ag.tensor(x))
        grad = w.grad.numpy().copy()
        want = step(ag.tensor(x))
        assert _bits(got) == _bits(want) and grad.tobytes() == w.grad.numpy().tobytes()


def test_compiled_integer_division_checks_each_calls_divisor():
    def step(a, b):
        return ag.div(a, b, rounding_mode="trunc")

    compiled = ag.compile(step, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for a, b in (([7, -7], [2, 2]), ([9, -9], [4, 4]), ([5, -5], [-3, 3])):
            assert compiled(ag.tensor(a), ag.tensor(b)).tolist() == [
                _trunc_int(x, y) for x, y in zip(a, b)]
        with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
            compiled(ag.tensor([1, 2]), ag.tensor([1, 0]))  # a replay checks it too


# ---- torch parity --------------------------------------------------------------------------------

_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 7.5, -7.5, np.inf, -np.inf, np.nan, 1e-30, 0.1,
          3.0, -3.0, 1e20, 65504.0]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_float_quotients_equal_torchs_bit_for_bit(dtype, mode):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    with np.errstate(over="ignore"):
        b = np.concatenate([np.tile(_EDGES, len(_EDGES)),
                            rng.standard_normal(6000) * rng.choice([1e-3, 1, 100], 6000)])
        # quotients near integers (where a rounding of a / b may reach one), and large ones
        near = rng.integers(-50, 50, 2000) * b[-2000:] * (1 + rng.choice([-1, 0, 1], 2000)
                                                           * np.finfo(dtype).eps)
        a = np.concatenate([np.repeat(_EDGES, len(_EDGES)),
                            rng.standard_normal(2000) * rng.choice([1, 100, 1e4], 2000),
                            rng.standard_normal(2000) * 1e7, near])
        a, b = a.astype(dtype), b.astype(dtype)
    got = ag.div(ag.tensor(a), ag.tensor(b), rounding_mode=mode).numpy()
    want = torch.div(torch.from_numpy(a), torch.from_numpy(b), rounding_mode=mode).numpy()
    assert got.dtype == want.dtype
    same = (got.tobytes() == want.tobytes()) or bool(np.all(
        (got.view(f"u{got.itemsize}") == want.view(f"u{got.itemsize}"))
        | (np.isnan(got) & np.isnan(want))))
    assert same
    if dtype != "float16":  # a Python-number divisor (float16's is computed in float32 by torch)
        got = ag.div(ag.tensor(a), 0.3, rounding_mode=mode).numpy()
        want = torch.div(torch.from_numpy(a), 0.3, rounding_mode=mode).numpy()
        np.testing.assert_array_equal(got, want)
        got = ag.div(-2.5, ag.tensor(b), rounding_mode=mode).numpy()
        want = torch.div(-2.5, torch.from_numpy(b), rounding_mode=mode).numpy()
        np.testing.assert_array_equal(got, want)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_integer_quotients_equal_torchs(dtype, mode):
    torch = pytest.importorskip("torch")
    info = np.iinfo(dtype)
    rng = np.random.default_rng(4)
    a = rng.integers(info.min, info.max, 3000, dtype=dtype, endpoint=True)
    b = np.concatenate([rng.integers(info.min, info.max, 1500, dtype=dtype, endpoint=True),
                        rng.integers(-9, 9, 1500).astype(dtype)])
    b[b == 0] = 1
    if info.min < 0:  # INT_MIN / -1 traps in torch's trunc (SIGFPE): leave it out
        b[(a == info.min) & (b == -1)] = 1
    got = ag.div(ag.tensor(a), ag.tensor(b), rounding_mode=mode).numpy()
    want = torch.div(torch.from_numpy(a), torch.from_numpy(b), rounding_mode=mode).numpy()
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    got = ag.div(ag.tensor(a), 3, rounding_mode=mode).numpy()
    np.testing.assert_array_equal(
        got, torch.div(torch.from_numpy(a), 3, rounding_mode=mode).numpy())


@pytest.mark.torch_parity
@given(st.sampled_from(["int32", "int64", "float32", "float64"]),
       st.sampled_from(["int64", "float32", "float64", "int", "float"]),
       st.sampled_from(["trunc", "floor"]))
def test_mixed_operand_dtypes_promote_as_torch(left, right, mode):
    torch = pytest.importorskip("torch")
    a = np.array([7, -7, 9], dtype=left)
    ours_b = {"int": 2, "float": 2.5}.get(right)
    theirs_b = ours_b
    if ours_b is None:
        b = np.array([2, -4, 5], dtype=right)
        ours_b, theirs_b = ag.tensor(b), torch.from_numpy(b)
    got = ag.div(ag.tensor(a), ours_b, rounding_mode=mode)
    want = torch.div(torch.from_numpy(a), theirs_b, rounding_mode=mode)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    assert got.tolist() == want.tolist()


@pytest.mark.torch_parity
def test_errors_and_gradients_match_torchs():
    torch = pytest.importorskip("torch")

    def message(fn, lib):
        with pytest.raises(Exception) as e:
            fn(lib)
        return type(e.value).__name__ if type(e.value).__name__ != "BroadcastError" \
            else "RuntimeError", str(e.value)

    cases = [
        lambda m: m.div(m.tensor([1.0]), m.tensor([2.0]), rounding_mode="round"),
        lambda m: m.div(m.tensor([7, 0]), 0, rounding_mode="trunc"),
        lambda m: m.floor_divide(m.tensor([7]), m.tensor([0])),
        lambda m: m.tensor([1, 2]).div_(2),
        lambda m: m.tensor([1, 2]).div_(2.5, rounding_mode="floor"),
        lambda m: m.div(m.tensor([True]), m.tensor([True]), rounding_mode="trunc"),
    ]
    for fn in cases:
        assert message(fn, ag) == message(fn, torch)
    for mode in ("trunc", "floor"):
        grads = []
        for m in (ag, torch):
            a = m.tensor([7.0, -3.0], requires_grad=True)
            b = m.tensor([2.0, 2.0], requires_grad=True)
            r = a.div(b, rounding_mode=mode)
            assert r.requires_grad
            r.sum().backward()
            grads.append((a.grad.tolist(), b.grad.tolist(), r.tolist()))
        assert grads[0] == grads[1]
