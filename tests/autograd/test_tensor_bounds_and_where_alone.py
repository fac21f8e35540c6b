"""Two PyTorch call forms found by a sweep of every function torch also has: ``arange`` with
0-d tensor bounds (``arange(lengths.max())``, a sequence mask's idiom: the dtype follows the
numbers, int64 for integers, where a float32 range came out) and ``where(condition)`` alone
(the indices of the nonzero elements, which raised TypeError); and sign of a bool tensor."""

import numpy as np
import pytest

import autograd_core as ag


def test_arange_of_a_0d_integer_tensor_is_int64():
    lengths = ag.tensor([2, 4, 3])
    r = ag.arange(lengths.max())
    assert r.dtype == np.int64 and r.tolist() == [0, 1, 2, 3]
    mask = ag.arange(lengths.max())[None, :] < lengths[:, None]
    assert mask.tolist() == [[True, True, False, False], [True, True, True, True],
                             [True, True, True, False]]


@pytest.mark.parametrize("args, want, dtype", [
    ((ag.tensor(2.5),), [0.0, 1.0, 2.0], np.float32),
    ((ag.tensor(2), 5.0), [2.0, 3.0, 4.0], np.float32),
    ((1, ag.tensor(7), ag.tensor(2)), [1, 3, 5], np.int64),
])
def test_arange_with_tensor_bounds(args, want, dtype):
    r = ag.arange(*args)
    assert r.dtype == dtype and r.tolist() == want


def test_where_alone_gives_the_indices_of_nonzero_elements():
    rows, cols = ag.where(ag.tensor([[True, False], [False, True]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
    (idx,) = ag.where(ag.tensor([1.0, 0.0, 2.0]))
    assert idx.tolist() == [0, 2] and idx.dtype == np.int64


def test_where_with_one_of_input_and_other_is_refused():
    with pytest.raises(TypeError, match="where"):
        ag.where(ag.tensor([True]), 1.0)


@pytest.mark.torch_parity
def test_arange_and_where_alone_equal_torch():
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    for bounds in [(3,), (2.5,), (2, 5.0), (1, 7, 2), (True,)]:
        ours = ag.arange(*(ag.tensor(b) for b in bounds))
        theirs = torch.arange(*(torch.tensor(b) for b in bounds))
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], bounds
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    c = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    for a, b in zip(ag.where(ag.tensor(c)), torch.where(torch.tensor(c))):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_the_sign_of_a_bool_tensor_is_itself():
    """np.sign refuses bools (UFuncTypeError); PyTorch's sign/sgn return the tensor's values."""
    x = ag.tensor([True, False, True])
    for got in (ag.sign(x), x.sgn(), x.clone().sign_()):
        assert got.dtype == np.bool_ and got.tolist() == [True, False, True]


# int8/16/32 and uint8 size arange in float64, ceil((end - start) / step), and step from the
# truncated start by the truncated step (PyTorch's; only int64 sizes in truncated integers).
# Ours truncated first for all of them: one value more, one less, or "step must be nonzero".
@pytest.mark.parametrize("dtype", [ag.int32, ag.int16, ag.int8, ag.uint8])
@pytest.mark.parametrize("args, want", [
    ((0.5, 9.7, 1.3), list(range(8))),  # ceil(9.2 / 1.3) = 8 values, 0 + i * 1
    ((-0.9, 3, 1), [0, 1, 2, 3]),  # ceil(3.9) = 4
    ((0, 0.1, 1), [0]),
    ((2.5, 0, -0.7), [2, 2, 2, 2]),  # ceil(2.5 / 0.7) = 4, step truncated to 0
    ((0, 5, 0.5), [0] * 10),
])
def test_arange_small_integer_dtypes_size_in_float64(dtype, args, want):
    r = ag.arange(*args, dtype=dtype)
    assert r.dtype == dtype and r.tolist() == want


def test_arange_small_integer_dtypes_wrap_and_refuse_bool():
    assert ag.arange(3, -3.5, -1.5, dtype=ag.uint8).tolist() == [3, 2, 1, 0, 255]
    assert ag.arange(3, -3.5, -1.5, dtype=ag.int8).tolist() == [3, 2, 1, 0, -1]
    assert ag.arange(0, 1e10, 1e9, dtype=ag.int32).tolist()[3] == 3 * 10 ** 9 - 2 ** 32
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ag.arange(0, 5, 0.0, dtype=ag.int32)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        ag.arange(0.5, 0.2, 1, dtype=ag.int32)
    with pytest.raises(NotImplementedError, match="\"arange_cpu\" not implemented for 'Bool'"):
        ag.arange(0, 3, dtype=ag.bool)


@pytest.mark.torch_parity
def test_arange_integer_dtypes_equal_torch():
    torch = pytest.importorskip("torch", reason="optional live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(0)
    for _ in range(400):
        dt = ["int64", "int32", "int16", "int8", "uint8"][rng.integers(5)]
        start, end = (float(np.round(rng.uniform(-20, 40), rng.integers(3))) for _ in range(2))
        step = float(rng.choice([0.5, -0.5, 0.3, -1.3, 1.0, -1.0, 2.7, -3.0]))
        try:
            theirs = torch.arange(start, end, step, dtype=getattr(torch, dt)).numpy()
        except (RuntimeError, ValueError) as e:
            with pytest.raises(type(e), match=str(e)):
                ag.arange(start, end, step, dtype=getattr(ag, dt))
            continue
        ours = ag.arange(start, end, step, dtype=getattr(ag, dt)).numpy()
        assert ours.dtype == theirs.dtype and ours.tolist() == theirs.tolist(), (start, end, step)
