"""The gated linear unit's kernels (autograd_core.kernels.gates): their twins' numbers bit for
bit (the twins run the sigmoid kernel and numpy's products), the loops in the common case and
the twins everywhere else."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import gates as GK
from kernel_cases import assert_same_bits, special_or_finite

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

SPECIAL = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 3e38, -3e38, 88.5,
           -104.0, 17.0, -17.0]


def _values(dtype, shape):
    return special_or_finite(dtype, shape, SPECIAL, 60)


def _check(x, dim, g):
    out, s = GK.glu(x, dim)
    want_out, want_s = GK.glu_numpy(x, dim)
    assert_same_bits(out, want_out)
    assert_same_bits(s, want_s)
    assert_same_bits(GK.glu_backward(x, s, g, dim), GK.glu_backward_numpy(x, s, g, dim))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), shape=st.lists(st.integers(1, 5), min_size=1, max_size=4).map(tuple),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_loops_give_the_twins_bits(data, shape, dtype):
    dim = data.draw(st.integers(0, len(shape) - 1))
    shape = shape[:dim] + (2 * shape[dim],) + shape[dim + 1:]
    x = data.draw(_values(dtype, shape))
    half = shape[:dim] + (shape[dim] // 2,) + shape[dim + 1:]
    _check(x, dim, data.draw(_values(dtype, half)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, dim", [((20000, 2), 0), ((2, 20000), 1), ((100, 400), 0),
                                        ((40, 50, 20), 1), ((1, 1 << 20), 1)])
def test_random_values(dtype, shape, dim):
    # ((1, 2**20) along 1: float32's contiguous halves past _CONTIGUOUS_HALVES, the twin)
    rng = np.random.default_rng(24)
    x = (rng.standard_normal(shape) * 6).astype(dtype)
    half = shape[:dim] + (shape[dim] // 2,) + shape[dim + 1:]
    _check(x, dim, rng.standard_normal(half).astype(dtype))
    _check(x, dim, np.asfortranarray(rng.standard_normal(half).astype(dtype)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hand_worked_values(dtype):
    x = np.array([[2.0, 4.0, 0.0, np.log(3)]], dtype)  # a = (2, 4), b = (0, log 3)
    out, s = GK.glu(x, 1)
    np.testing.assert_allclose(s, [[0.5, 0.75]], rtol=1e-6)
    np.testing.assert_allclose(out, [[1.0, 3.0]], rtol=1e-6)
    # d/da = s g; d/db = (1 - s) s a g, g = (1, 2)
    got = GK.glu_backward(x, s, np.array([[1.0, 2.0]], dtype), 1)
    np.testing.assert_allclose(got, [[0.5, 1.5, 0.5, 0.75 * 0.25 * 4 * 2]], rtol=1e-6)


def _spy(monkeypatch):
    ran = []
    for name in ("_glu", "_glu_backward"):
        real = GK._loop(name)
        monkeypatch.setitem(GK._loop.table, name,
                            (lambda f, n: lambda *a: ran.append(n) or f(*a))(real, name))
    return ran


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_loops_run_in_the_common_case(dtype, monkeypatch):
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)
    ran = _spy(monkeypatch)
    x = np.ones((4, 6), dtype)
    for dim in (0, 1):
        out, s = GK.glu(x, dim)
        GK.glu_backward(x, s, np.ones_like(out), dim)
    assert ran == ["_glu", "_glu_backward"] * 2


def test_everything_else_runs_the_twin(monkeypatch):
    ran = _spy(monkeypatch)
    x32 = np.ones((4, 6), np.float32)
    s32, g32 = np.ones((4, 3), np.float32), np.ones((4, 3), np.float32)
    cases = [
        lambda: GK.glu(x32.T, 0),  # not C-contiguous
        lambda: GK.glu(np.ones((4, 0)), 0),  # empty
        lambda: GK.glu(np.ones((4, 6), np.float16), 1),
        lambda: GK.glu(np.ones((1, 1 << 20), np.float32), 1),  # long contiguous halves
        lambda: GK.glu_backward(x32, s32, g32.astype(np.float64), 1),  # g of another dtype
        lambda: GK.glu_backward(x32, s32.astype(np.float64), g32, 1),  # s of another dtype
        lambda: GK.glu_backward(x32, s32, np.float32(1.0), 1),  # a scalar g
        lambda: GK.glu_backward(x32.T.copy().T, s32, g32, 1),  # x not C-contiguous
    ]
    for k, case in enumerate(cases):
        case()
        assert ran == [], k
    for dim in (0, 1, 2, -1):  # an odd size, or no such dimension: the twin's refusal
        with pytest.raises((ValueError, IndexError)):
            GK.glu(np.ones((3, 5), np.float32), dim)
        with pytest.raises((ValueError, IndexError)):
            GK.glu_backward(np.ones((3, 5), np.float32), s32, g32, dim)
    assert ran == []


def test_numpy_backend_runs_the_twins(monkeypatch):
    ran = _spy(monkeypatch)
    monkeypatch.setenv("TAPEGRAD_KERNELS", "numpy")
    x = np.array([[2.0, 0.0]])
    out, s = GK.glu(x, 1)
    np.testing.assert_array_equal(GK.glu_backward(x, s, np.ones((1, 1)), 1), [[0.5, 0.5]])
    assert out.tolist() == [[1.0]] and ran == []


# ---- the recurrent cells' gradients --------------------------------------------------------
def _cell_arrays(data, dtype, rows, k, n_wide):
    """Arrays of (rows, w * k) for each w in n_wide, values with the special ones."""
    return [data.draw(_values(dtype, (rows, w * k))) for w in n_wide]


@settings(max_examples=100, deadline=None)
@given(data=st.data(), rows=st.integers(1, 4), k=st.integers(1, 5),
       dtype=st.sampled_from([np.float32, np.float64]), into=st.booleans())
def test_lstm_cell_grad_gives_the_twins_bits(data, rows, k, dtype, into):
    s, g, tc, c, gh, gc = _cell_arrays(data, dtype, rows, k, (4, 1, 1, 1, 1, 1))
    want = GK.lstm_cell_grad_numpy(s, g, tc, c, gh, gc)
    out = np.full(s.shape, 7, dtype) if into else None
    got = GK.lstm_cell_grad(s, g, tc, c, gh, gc, out=out)
    assert got[0] is out or not into
    for a, b in zip(got, want):
        assert_same_bits(a, b)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), rows=st.integers(1, 4), k=st.integers(1, 5),
       dtype=st.sampled_from([np.float32, np.float64]), into=st.booleans())
def test_gru_cell_grad_gives_the_twins_bits(data, rows, k, dtype, into):
    rz, n, gh, h, g = _cell_arrays(data, dtype, rows, k, (2, 1, 3, 1, 1))
    want = GK.gru_cell_grad_numpy(rz, n, gh, h, g)
    outs = (np.full(gh.shape, 7, dtype), np.full(gh.shape, 7, dtype)) if into else (None, None)
    got = GK.gru_cell_grad(rz, n, gh, h, g, *outs)
    for a, b in zip(got, want):
        assert_same_bits(a, b)


def test_cell_grads_hand_worked():
    # LSTM at s = 1/2, g = tanh(0) = 0, tc = 0, c = 1, gh = gc = 1: dc = 1 + 1/2,
    # d_i = 0, d_f = dc c f (1 - f), d_g = dc i, d_o = 0; d_c = dc f
    one = np.ones((1, 1))
    d_gates, d_c = GK.lstm_cell_grad(np.full((1, 4), 0.5), 0 * one, 0 * one, one, one, one)
    np.testing.assert_allclose(d_gates, [[0.0, 1.5 * 0.25, 1.5 * 0.5, 0.0]])
    np.testing.assert_allclose(d_c, [[0.75]])
    # GRU at r = z = 1/2, n = 0, hn = 1, h = 1, g = 1: d_n = 1/2, d_r = d_n hn r (1 - r),
    # d_z = g (h - n) z (1 - z); d_gh's n part d_n r; d_h = g z
    d_gi, d_gh, d_h = GK.gru_cell_grad(np.full((1, 2), 0.5), 0 * one, np.ones((1, 3)), one, one)
    np.testing.assert_allclose(d_gi, [[0.125, 0.25, 0.5]])
    np.testing.assert_allclose(d_gh, [[0.125, 0.25, 0.25]])
    np.testing.assert_allclose(d_h, [[0.5]])


def test_cell_grads_run_the_loops_or_the_twins(monkeypatch):
    monkeypatch.delenv("TAPEGRAD_KERNELS", raising=False)
    ran = []
    for name in ("_lstm_cell_grad", "_gru_cell_grad"):
        real = GK._loop(name)
        monkeypatch.setitem(GK._loop.table, name,
                            (lambda f, n: lambda *a: ran.append(n) or f(*a))(real, name))
    h = np.ones((2, 3), np.float32)
    GK.lstm_cell_grad(np.ones((2, 12), np.float32), h, h, h, h.T.copy().T, h)  # (g copied)
    GK.gru_cell_grad(np.ones((2, 6), np.float32), h, np.ones((2, 9), np.float32), h, h)
    assert ran == ["_lstm_cell_grad", "_gru_cell_grad"]
    GK.lstm_cell_grad(np.ones((2, 12), np.float32), h, h, h, h.astype(np.float64), h)
    GK.lstm_cell_grad(np.ones((2, 12)), h, h, h, h, h)  # s of another dtype
    GK.lstm_cell_grad(np.ones((2, 8), np.float32), h[:, :2], h[:, :2], h[:, :2], h[:, :2],
                      h[:, :2])  # strided
    GK.gru_cell_grad(np.ones((2, 6), np.float32), h, np.ones((2, 9), np.float32), h,
                     np.ones((2, 3)))  # g of another dtype
    d_gi = np.zeros((2, 9))  # (an out of another dtype: the twin's numbers cast into it)
    assert GK.gru_cell_grad(np.ones((2, 6), np.float32), h, np.ones((2, 9), np.float32), h, h,
                            d_gi)[0] is d_gi
    assert ran == ["_lstm_cell_grad", "_gru_cell_grad"]
