"""The pointwise kernels (autograd_core.kernels.pointwise): each loop equals its numpy twin bit
for bit (NaN positions, infinities, signed zeros, denormals) over shapes, strides and dtypes;
the loop is what runs in the common case and the twin everywhere else (other ranks,
broadcasting, mixed dtypes, aliasing, read-only arrays, TAPEGRAD_KERNELS=numpy); and the ops
that call them (Linear, BCEWithLogits) keep their numbers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
import nn.functional as F
from autograd_core.kernels import _jit
from autograd_core.kernels import pointwise as P

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 3e38, -3e38, 88.0,
           -104.0, 0.5]


def _values(dtype, shape):
    return hnp.arrays(dtype, shape, elements=st.one_of(
        st.sampled_from(SPECIAL).map(dtype),
        st.floats(-50, 50, width=32).map(dtype)))


def _assert_same_bits(a, b):
    """Equal arrays: same shape and dtype, NaN where the other has NaN, equal values elsewhere
    including the sign of zeros."""
    assert a.shape == b.shape and a.dtype == b.dtype
    nan = np.isnan(a)
    np.testing.assert_array_equal(nan, np.isnan(b))
    np.testing.assert_array_equal(a[~nan], b[~nan])
    np.testing.assert_array_equal(np.signbit(a[~nan]), np.signbit(b[~nan]))


def _strided(a, transpose):
    """``a`` itself, or the same values in a transposed (Fortran-ordered) layout."""
    return np.asfortranarray(a) if transpose else a


shapes = st.tuples(st.integers(0, 5), st.integers(0, 6))
dtypes = st.sampled_from([np.float32, np.float64])


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=shapes, dtype=dtypes, transpose=st.booleans())
def test_bias_add_equals_twin(data, shape, dtype, transpose):
    out = data.draw(_values(dtype, shape))
    bias = _strided(data.draw(_values(dtype, (shape[1],))), False)
    got, want = _strided(out.copy(), transpose), out.copy()
    assert P.bias_add_(got, bias) is got
    P.bias_add_numpy(want, bias)
    _assert_same_bits(np.ascontiguousarray(got), want)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=shapes, dtype=dtypes, transpose=st.booleans())
def test_bce_logits_tail_equals_twin(data, shape, dtype, transpose):
    x, y = (_strided(data.draw(_values(dtype, shape)), transpose) for _ in range(2))
    loss = data.draw(_values(dtype, shape))
    got, want = loss.copy(), loss.copy()
    assert P.bce_logits_tail_(got, x, y) is got
    P.bce_logits_tail_numpy(want, x, y)
    _assert_same_bits(got, want)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(1, 6), m=st.integers(0, 12), width=st.integers(0, 5),
       dtype=dtypes, transpose=st.booleans())
def test_rows_add_equals_twin(data, n, m, width, dtype, transpose):
    """np.add.at's order: repeated rows accumulate with its rounding, bit for bit."""
    out = data.draw(_values(dtype, (n, width)))
    rows = _strided(data.draw(_values(dtype, (m, width))), transpose)
    index = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)),
                     np.intp)
    got, want = out.copy(), out.copy()
    with np.errstate(all="ignore"):
        assert P.rows_add_(got, index, rows) is got
        P.rows_add_numpy(want, index, rows)
    _assert_same_bits(got, want)


def test_rows_add_refuses_out_of_range_rows():
    # the range is checked before the loop runs: numpy's IndexError, nothing written
    out = np.zeros((3, 2))
    with pytest.raises(IndexError):
        P.rows_add_(out, np.array([0, 3], np.intp), np.ones((2, 2)))
    with pytest.raises(IndexError):
        P.rows_add_(out, np.array([-4], np.intp), np.ones((1, 2)))
    assert not out.any()


@settings(max_examples=60, deadline=None)
@given(data=st.data(), a=st.integers(0, 3), n=st.integers(1, 6), k=st.integers(0, 12),
       b=st.integers(0, 4), dtype=dtypes, transpose=st.booleans())
def test_along_add_equals_twin(data, a, n, k, b, dtype, transpose):
    """np.add.at's order along the middle axis: repeated (and negative) positions accumulate
    with its rounding, bit for bit, for any layout of g."""
    out = data.draw(_values(dtype, (a, n, b)))
    g = data.draw(_values(dtype, (a, k, b)))
    g = np.asfortranarray(g) if transpose else g
    index = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=k, max_size=k)),
                     np.intp)
    got, want = out.copy(), out.copy()
    with np.errstate(all="ignore"):
        assert P.along_add_(got, index, g) is got
        P.along_add_numpy(want, index, g)
    _assert_same_bits(got, want)


def test_along_add_refuses_out_of_range_positions():
    out = np.zeros((2, 3, 2))
    with pytest.raises(IndexError):
        P.along_add_(out, np.array([0, 3], np.intp), np.ones((2, 2, 2)))
    with pytest.raises(IndexError):
        P.along_add_(out, np.array([-4], np.intp), np.ones((2, 1, 2)))
    assert not out.any()


@settings(max_examples=60, deadline=None)
@given(data=st.data(), a=st.integers(0, 3), n=st.integers(1, 6), k=st.integers(0, 12),
       b=st.integers(0, 4), dtype=dtypes, transpose=st.booleans())
def test_linear_along_equals_twin(data, a, n, k, b, dtype, transpose):
    """Two products and a sum per element, numpy's rounding (no fused multiply-add), for any
    layout of x; the loop is what runs."""
    x = data.draw(_values(dtype, (a, n, b)))
    x = np.asfortranarray(x) if transpose else x
    i0, i1 = (np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)),
                       np.intp) for _ in range(2))
    w0, w1 = (data.draw(_values(dtype, (k,))) for _ in range(2))
    with np.errstate(all="ignore"):
        got, want = P.linear_along(x, i0, i1, w0, w1), P.linear_along_numpy(x, i0, i1, w0, w1)
    _assert_same_bits(got, want)


def test_linear_along_hand_worked_and_refusals(monkeypatch):
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)  # the loop, on any backend
    ran = _spy_loops(monkeypatch)
    x = np.array([[[1.0], [3.0], [-2.0]]], np.float32)  # (1, 3, 1)
    out = P.linear_along(x, np.array([0, 1], np.intp), np.array([1, 2], np.intp),
                         np.array([0.25, 0.5], np.float32), np.array([0.75, 0.5], np.float32))
    assert ran == ["_linear_along"] and out.dtype == np.float32
    np.testing.assert_array_equal(out[0, :, 0], [2.5, 0.5])  # 0.25 + 2.25; 1.5 - 1
    with pytest.raises(IndexError):  # the loop refuses, numpy raises
        P.linear_along(x, np.array([3], np.intp), np.array([0], np.intp),
                       np.ones(1, np.float32), np.ones(1, np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_logits_tail_signed_zeros(dtype):
    # max(-0.0, 0) is +0 in numpy: with loss -0.0 and x * y = +0 the sign of the result's zero
    # depends on it (-0 - +0 = -0, +0 - +0 = +0)
    x = np.array([[-0.0, -0.0, 0.0, -0.0]], dtype)
    y = np.array([[-1.0, 1.0, -1.0, -0.0]], dtype)
    got, want = np.full((1, 4), -0.0, dtype), np.full((1, 4), -0.0, dtype)
    P.bce_logits_tail_(got, x, y)
    P.bce_logits_tail_numpy(want, x, y)
    _assert_same_bits(got, want)


def _spy_loops(monkeypatch):
    """Record which loops run (the real dispatchers behind a spy)."""
    ran = []
    for name in ("_bias_add", "_bce_logits_tail", "_rows_add", "_linear_along", "_row_means"):
        real = P._loop(name)
        monkeypatch.setitem(P._DISPATCHERS, name,
                            (lambda f, n: lambda *a: ran.append(n) or f(*a))(real, name))
    return ran


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_loops_run_in_the_common_case(dtype, monkeypatch):
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)  # the loops, on any backend
    ran = _spy_loops(monkeypatch)
    a = np.ones((3, 4), dtype)
    P.bias_add_(a, np.arange(4, dtype=dtype))
    P.bce_logits_tail_(np.ones((3, 4), dtype), a, a)
    P.rows_add_(np.zeros((3, 4), dtype), np.array([2, 0], np.intp), a[:2])
    assert ran == ["_bias_add", "_bce_logits_tail", "_rows_add"]
    np.testing.assert_array_equal(a[2], [1, 2, 3, 4])


def test_everything_else_runs_the_twin(monkeypatch):
    ran = _spy_loops(monkeypatch)
    f32, f64 = np.ones((3, 4), np.float32), np.ones((3, 4))
    view = np.ones((4, 4))
    cases = [
        lambda: P.bias_add_(np.ones((2, 3, 4)), np.ones(4)),  # rank 3
        lambda: P.bias_add_(f64.copy(), np.ones(1)),  # broadcast bias
        lambda: P.bias_add_(f64.copy(), np.ones(4, np.float32)),  # mixed dtypes
        lambda: P.bias_add_(np.ones((3, 4), np.int64), np.ones(4, np.int64)),  # integers
        lambda: P.bias_add_(view[:3], view[3]),  # out does not own its memory
        lambda: P.bce_logits_tail_(view, view[:, ::-1], view.T),  # y views loss
        lambda: P.bce_logits_tail_(np.ones(4), np.ones(4), np.ones(4)),  # rank 1
        lambda: P.bce_logits_tail_(f64.copy(), f32, f32),  # mixed dtypes
        lambda: P.rows_add_(f64.copy(), np.array([0, 1, 2]), f32),  # mixed dtypes
        lambda: P.rows_add_(f64.copy(), np.array([0, 1, 2], np.int32), f64),  # int32 index
        lambda: P.rows_add_(view[:3], np.array([0, 1, 2]), f64),  # out does not own memory
        lambda: P.rows_add_(f64.copy(), np.array([0, 1]), f64[:1]),  # one row broadcast
    ]
    for k, case in enumerate(cases):
        case()
        assert ran == [], k


def test_aliased_and_read_only_arguments_get_numpy_semantics():
    # out's own row as the bias: numpy reads the row before writing it (it copies overlapping
    # inputs); a loop writing row 0 first would add the doubled row to the rows below
    a = np.arange(12.0).reshape(3, 4)
    want = a + a[0]
    P.bias_add_(a, a[0])
    np.testing.assert_array_equal(a, want)
    loss = np.full((2, 2), 1.0)
    want = loss + np.maximum(loss, 0)
    want = want - want * 2.0  # numpy's twin: loss is x, so the second step reads the first
    P.bce_logits_tail_(loss, loss, np.full((2, 2), 2.0))
    np.testing.assert_array_equal(loss, want)
    ro = np.ones((2, 2))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        P.bias_add_(ro, np.ones(2))


def test_numpy_backend_runs_the_twins(monkeypatch):
    ran = _spy_loops(monkeypatch)
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    a = np.ones((2, 2))
    P.bias_add_(a, np.ones(2))
    P.bce_logits_tail_(np.ones((2, 2)), a, a)
    assert ran == []
    np.testing.assert_array_equal(a, 2.0)


def _bce_reference(x, y):
    """BCE with logits without reduction: the numpy sequence the op runs for it, written out
    here."""
    loss = np.abs(x)
    np.negative(loss, out=loss)
    np.exp(loss, out=loss)
    np.log1p(loss, out=loss)
    loss += np.maximum(x, 0)
    loss -= x * y
    return loss


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_and_bce_keep_their_numbers(dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 5)).astype(dtype)
    w = rng.standard_normal((3, 5)).astype(dtype)
    b = rng.standard_normal(3).astype(dtype)
    out = F.linear(ag.tensor(x), ag.tensor(w), ag.tensor(b))
    _assert_same_bits(out._data, x.dot(w.T) + b)
    logits = (rng.standard_normal((16, 3)) * 40).astype(dtype)
    logits[0, :3] = [np.nan, np.inf, -np.inf]
    target = (rng.random((16, 3)) < 0.5).astype(dtype)
    # (the reduced losses and their gradient run kernels.losses: tests/kernels/test_loss_kernels)
    loss = F.binary_cross_entropy_with_logits(ag.tensor(logits), ag.tensor(target),
                                              reduction="none")
    _assert_same_bits(loss._data, _bce_reference(logits, target))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3 * P.SWAPS_MIN_SIZE), st.integers(0, 2 ** 32 - 1))
def test_swaps_loop_equals_twin_and_is_a_permutation(n, seed):
    rng = np.random.default_rng(seed)
    picks = (rng.integers(0, 2 ** 32, max(n - 1, 0)) % np.arange(n, 1, -1)).astype(np.int64)
    looped = P.swaps_(np.arange(n, dtype=np.int64), picks.copy())
    twin = P.swaps_numpy(np.arange(n, dtype=np.int64), picks.copy())
    np.testing.assert_array_equal(looped, twin)
    assert sorted(looped.tolist()) == list(range(n))


def test_swaps_hand_worked_and_refusals():
    # 0 1 2 3: swap 0<->2 -> 2 1 0 3; swap 1<->1; swap 2<->3 -> 2 1 3 0
    assert P.swaps_(np.arange(4), np.array([2, 0, 1])).tolist() == [2, 1, 3, 0]
    perm = np.arange(5)
    with pytest.raises(ValueError, match=r"picks\[i\] must be in"):
        P.swaps_(perm, np.array([0, 0, 3, 0]))  # 2 + 3 is past the end
    assert perm.tolist() == [0, 1, 2, 3, 4]  # nothing written
    with pytest.raises(ValueError, match="1-d int64"):
        P.swaps_(np.arange(5, dtype=np.int32), np.array([0]))
    with pytest.raises(ValueError, match="1-d int64"):
        P.swaps_(np.arange(3), np.array([0, 0, 0]))  # more picks than len(perm) - 1


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3 * P.SWAPS_MIN_SIZE), st.integers(0, 2 ** 32 - 1))
def test_swaps_back_loop_equals_twin_and_is_a_permutation(n, seed):
    rng = np.random.default_rng(seed)
    picks = (rng.integers(0, 2 ** 62, n) % np.arange(1, n + 1)).astype(np.int64)
    looped = P.swaps_back_(np.arange(n, dtype=np.int64), picks.copy())
    twin = P.swaps_back_numpy(np.arange(n, dtype=np.int64), picks.copy())
    np.testing.assert_array_equal(looped, twin)
    assert sorted(looped.tolist()) == list(range(n))


def test_swaps_back_hand_worked_and_refusals():
    # 0 1 2 3: swap 0<->0; 1<->0 -> 1 0 2 3; 2<->1 -> 1 2 0 3; 3<->3
    assert P.swaps_back_(np.arange(4), np.array([0, 0, 1, 3])).tolist() == [1, 2, 0, 3]
    perm = np.arange(5)
    with pytest.raises(ValueError, match=r"picks\[i\] must be in \[0, i\]"):
        P.swaps_back_(perm, np.array([1, 0, 0]))  # index 0 picks 1 > 0
    with pytest.raises(ValueError, match=r"picks\[i\] must be in \[0, i\]"):
        P.swaps_back_(perm, np.array([0, 0, -1]))
    assert perm.tolist() == [0, 1, 2, 3, 4]  # nothing written
    with pytest.raises(ValueError, match="1-d int64"):
        P.swaps_back_(np.arange(2), np.array([0, 0, 0]))  # more picks than len(perm)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=shapes, dtype=dtypes, transpose=st.booleans(),
       value=st.sampled_from([0.0, -0.0, 2.5, np.nan, -np.inf, 1e-40, 7]))
def test_fill_where_equals_twin(data, shape, dtype, transpose, value):
    x = _strided(data.draw(_values(dtype, shape)), transpose)
    mask = data.draw(hnp.arrays(np.bool_, shape))
    _assert_same_bits(P.fill_where(x, mask, value), P.fill_where_numpy(x, mask, value))


def test_fill_where_runs_the_loop_on_large_arrays_and_writes_a_new_array():
    x = np.random.default_rng(0).standard_normal((300, 400)).astype(np.float32)
    mask = np.random.default_rng(1).random((300, 400)) > 0.5
    got = P.fill_where(x[:, ::2], mask[:, ::2], -1.0)  # non-contiguous: copied first
    assert np.array_equal(got, np.where(mask[:, ::2], np.float32(-1), x[:, ::2]))
    assert got.dtype == np.float32 and not np.shares_memory(got, x)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=shapes, dtype=dtypes, transpose=st.booleans())
def test_select_equals_twin(data, shape, dtype, transpose):
    a = _strided(data.draw(_values(dtype, shape)), transpose)
    b = data.draw(_values(dtype, shape))
    mask = data.draw(hnp.arrays(np.bool_, shape))
    _assert_same_bits(P.select(mask, a, b), P.select_numpy(mask, a, b))


def test_select_runs_the_loop_on_large_arrays():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 500, 300))
    mask = rng.random((500, 300)) > 0.5
    assert np.array_equal(P.select(mask, a, b), np.where(mask, a, b))
    assert np.array_equal(P.select(mask.T, a.T, b.T), np.where(mask.T, a.T, b.T))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=st.tuples(st.integers(0, 9), st.integers(0, 6), st.integers(1, 3)),
       transpose=st.booleans(), reverse=st.booleans(), axis=st.integers(-3, 2))
def test_cumsum32_equals_twin(data, shape, transpose, reverse, axis):
    x = data.draw(_values(np.float32, shape))
    x = np.asfortranarray(x) if transpose else x
    _assert_same_bits(P.cumsum32(x, axis, reverse), P.cumsum32_numpy(x, axis, reverse))


def test_cumsum32_accumulates_in_float64():
    # 2**24 + 1 + 1 in float32 steps would stay at 2**24; in float64 the sum reaches 2**24 + 2
    x = np.float32([2.0 ** 24, 1.0, 1.0] * 3).reshape(3, 3)
    want = np.float32([2.0 ** 24, 2.0 ** 24, 2.0 ** 24 + 2])
    for row in P.cumsum32(x, 1):
        assert np.array_equal(row, want)
    assert np.array_equal(P.cumsum32(x.T.copy(), 0)[:, 1], want)


def _along(index, dim):
    return tuple(index if d == dim else np.arange(index.shape[d]).reshape(
        [-1 if e == d else 1 for e in range(index.ndim)]) for d in range(index.ndim))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 4)),
       dim=st.integers(0, 2), k=st.integers(1, 8), dtype=dtypes)
def test_gather_and_scatter_along_equal_numpys_fancy_indexing(data, shape, dim, k, dtype):
    ishape = tuple(k if d == dim else s for d, s in enumerate(shape))
    index = data.draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[dim] - 1)))
    x = data.draw(_values(dtype, shape))
    src = data.draw(_values(dtype, ishape))
    if not _jit.use_numba():  # TAPEGRAD_KERNELS=numpy: no loops; the callers' numpy paths run
        assert P.gather_along(x, index, dim) is None
        assert not P.scatter_along_(x.copy(), index, dim, src, add=True)
        return
    _assert_same_bits(P.gather_along(x, index, dim), x[_along(index, dim)])
    out, mask = x.copy(), np.zeros(shape, np.bool_)
    assert P.scatter_along_(out, index, dim, src, mask)
    want, want_mask = x.copy(), np.zeros(shape, np.bool_)
    want[_along(index, dim)] = src  # a repeated place: the last value, as numpy's
    want_mask[_along(index, dim)] = True
    _assert_same_bits(out, want)
    assert np.array_equal(mask, want_mask)
    out = x.copy()
    assert P.scatter_along_(out, index, dim, src, add=True)
    want = x.copy()
    np.add.at(want, _along(index, dim), src)  # repeats summed in numpy's order
    _assert_same_bits(out, want)


def test_along_kernels_refuse_what_they_do_not_cover():
    x = np.zeros((3, 4))
    good = np.zeros((3, 2), np.int64)
    assert P.gather_along(x, good - 1, 1) is None  # out of range: numpy's path and errors
    assert P.gather_along(x, np.zeros((2, 2), np.int64), 1) is None  # smaller on another dim
    assert P.gather_along(x, good.astype(np.int32), 1) is None
    out = x.copy()
    assert not P.scatter_along_(out, good + 4, 1, np.ones((3, 2)), add=True)
    assert not P.scatter_along_(out, good, 1, np.ones((3, 2)))  # no mask given
    assert not P.scatter_along_(out, good, 1, out[:, :2], add=True)  # src views out
    assert not P.scatter_along_(out, good, 1, np.ones((3, 2), np.float32), add=True)
    assert np.array_equal(out, x)  # nothing written by a refusal


@settings(max_examples=60, deadline=None)
@given(data=st.data(), shape=st.tuples(st.integers(0, 9), st.integers(1, 140)), dtype=dtypes,
       transpose=st.booleans())
def test_row_means_equals_twin(data, shape, dtype, transpose):
    x = _strided(data.draw(_values(dtype, shape)), transpose)
    _assert_same_bits(P.row_means(x), P.row_means_numpy(x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_means_keeps_numpys_summation_order(dtype, monkeypatch):
    # numpy's pairwise block sum rounds differently from a left-to-right or float64 sum on
    # large values; the loop must give numpy's bits for every length it takes (8 to 128)
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)
    ran = _spy_loops(monkeypatch)
    rng = np.random.default_rng(0)
    for n in range(1, 140):
        x = (rng.standard_normal((300, n)) * 1e3).astype(dtype)
        _assert_same_bits(P.row_means(x), np.add.reduce(x, axis=1) / dtype(n))
    assert ran.count("_row_means") == 121
    assert np.array_equal(P.row_means(np.arange(18.0).reshape(2, 9)), [4.0, 13.0])
