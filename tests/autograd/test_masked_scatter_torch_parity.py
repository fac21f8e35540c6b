"""``masked_scatter`` / ``Tensor.masked_scatter_``: values, the mask's broadcasting, PyTorch's
errors, gradients of both inputs (hand-worked, finite differences, PyTorch)."""

import numpy as np
import pytest

import autograd_core as ag

MASK = [[True, False, True], [False, True, False]]


def test_values_in_row_major_order():
    out = ag.masked_scatter(ag.zeros(2, 3), ag.tensor(MASK), ag.arange(1.0, 7.0).reshape(2, 3))
    assert out.tolist() == [[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]
    # the mask broadcasts over the rows: four places, source's first four entries
    out = ag.zeros(2, 3).masked_scatter(ag.tensor([True, False, True]), ag.arange(1.0, 7.0))
    assert out.tolist() == [[1.0, 0.0, 2.0], [3.0, 0.0, 4.0]]
    # the input broadcasts to the mask's shape out of place
    out = ag.full((3,), 9, dtype=ag.int64).masked_scatter(ag.tensor(MASK), ag.tensor([1, 2, 3]))
    assert out.tolist() == [[1, 9, 2], [9, 3, 9]] and out.dtype == ag.int64
    assert ag.tensor(1.0).masked_scatter(ag.tensor(True), ag.tensor([5.0, 6.0])).item() == 5.0
    assert ag.zeros(0).masked_scatter(ag.zeros(0, dtype=ag.bool), ag.ones(0)).shape == (0,)


def test_inplace():
    x = ag.zeros(2, 3)
    assert x.masked_scatter_(ag.tensor([False, True, True]), ag.tensor([7.0, 8.0, 9.0, 10.0])) is x
    assert x.tolist() == [[0.0, 7.0, 8.0], [0.0, 9.0, 10.0]]
    with pytest.raises(RuntimeError, match="expand"):  # the mask must broadcast to x's shape
        ag.zeros(3).masked_scatter_(ag.tensor(MASK), ag.ones(6))


def test_errors_before_anything_is_written():
    x = ag.zeros(2, 3)
    m = ag.tensor(MASK)
    with pytest.raises(RuntimeError, match="Number of elements of source < number of ones"):
        x.masked_scatter_(m, ag.ones(2))
    with pytest.raises(RuntimeError, match="only supports boolean masks, but got mask with "
                       "dtype Long"):
        x.masked_scatter_(ag.tensor([[1, 0, 1], [0, 1, 0]]), ag.ones(6))
    with pytest.raises(RuntimeError, match="expected self and source to have same dtypes but "
                       "gotFloat and Double"):
        x.masked_scatter_(m, ag.ones(6, dtype=ag.float64))
    with pytest.raises(TypeError, match=r"argument 'source' \(position 2\) must be Tensor"):
        x.masked_scatter_(m, 1.0)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "
                       r"tensor b \(2\) at non-singleton dimension 0"):
        x.masked_scatter(ag.ones(3, 3, dtype=ag.bool), ag.ones(9))
    assert x.tolist() == [[0.0] * 3] * 2


def test_gradients_hand_worked():
    x = ag.zeros(2, 3, dtype=ag.float64, requires_grad=True)
    s = ag.zeros(2, 4, dtype=ag.float64, requires_grad=True)
    g = ag.arange(6.0, dtype=ag.float64).reshape(2, 3)
    x.masked_scatter(ag.tensor(MASK), s).backward(g)
    # x: g where not overwritten; s: its first three entries get g at the three True places
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [3.0, 0.0, 5.0]]
    assert s.grad.tolist() == [[0.0, 2.0, 4.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    # a broadcast input sums its gradient over the broadcast rows: [0+3, 1+0, 0+5]
    xb = ag.zeros(3, dtype=ag.float64, requires_grad=True)
    xb.masked_scatter(ag.tensor(MASK), s).backward(g)
    assert xb.grad.tolist() == [3.0, 1.0, 5.0]


def test_gradcheck_both_inputs_and_inplace():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    s = ag.tensor(rng.standard_normal(5), requires_grad=True)
    m = ag.tensor([[True, True, False], [False, False, True]])
    assert ag.gradcheck(lambda a, b: a.masked_scatter(m, b) ** 2, (x, s))
    assert ag.gradgradcheck(lambda a, b: a.masked_scatter(m, b) ** 2, (x, s))
    assert ag.gradcheck(lambda a, b: (a * 1.0).masked_scatter_(m[0], b) ** 2, (x, s))


@pytest.mark.torch_parity
def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    cases = [((2, 3), (2, 3), (7,)), ((3,), (2, 3), (2, 4)), ((2, 3), (3,), (6,)),
             ((4, 1, 3), (2, 1), (30,)), ((), (), (2,))]
    for xs, ms, ss in cases:
        xv, sv = rng.standard_normal(xs), rng.standard_normal(ss)
        mv, gv = rng.random(ms) > 0.5, rng.standard_normal(np.broadcast_shapes(xs, ms))
        res = []
        for L in (ag, torch):
            x = L.tensor(xv, requires_grad=True)
            s = L.tensor(sv, requires_grad=True)
            y = L.masked_scatter(x, L.tensor(mv), s)
            y.backward(L.tensor(gv))
            res.append([np.asarray(t.detach().numpy()) for t in (y, x.grad, s.grad)])
        for a, b in zip(*res):
            np.testing.assert_array_equal(a, b)
    for dt in ("float32", "int64"):
        x, t = ag.zeros(2, 3, dtype=getattr(ag, dt)), torch.zeros(2, 3, dtype=getattr(torch, dt))
        m = rng.random(3) > 0.3
        src = np.arange(1, 7)
        x.masked_scatter_(ag.tensor(m), ag.tensor(src).to(x.dtype))
        t.masked_scatter_(torch.tensor(m), torch.tensor(src).to(t.dtype))
        np.testing.assert_array_equal(x.numpy(), t.numpy())
