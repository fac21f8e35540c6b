"""``put`` / ``Tensor.put(_)``: flat positions, negative ones, ``accumulate=``, PyTorch's
errors (raised before anything is written) and gradients (an overwritten repeat of the source
still gets its gradient, as PyTorch's ``take`` backward gives it)."""

import numpy as np
import pytest

import autograd_core as ag


def test_values():
    x = ag.zeros(2, 3)
    out = ag.put(x, ag.tensor([0, 5, -2]), ag.tensor([1.0, 2.0, 3.0]))
    assert out.tolist() == [[1.0, 0.0, 0.0], [0.0, 3.0, 2.0]] and x.tolist() == [[0.0] * 3] * 2
    # index and source shapes do not matter, only their sizes
    out = x.put(ag.tensor([[4], [1]]), ag.tensor([[7.0, 8.0]]))
    assert out.tolist() == [[0.0, 8.0, 0.0], [0.0, 7.0, 0.0]]
    # repeats: the last write, or with accumulate the sum (onto the input's value)
    assert ag.tensor([1.0, 1.0]).put(ag.tensor([0, 0]), ag.tensor([2.0, 5.0])).tolist() == [5.0, 1.0]
    out = ag.tensor([1.0, 1.0]).put(ag.tensor([0, -2, 1]), ag.tensor([2.0, 5.0, 3.0]),
                                     accumulate=True)
    assert out.tolist() == [8.0, 4.0]
    assert ag.tensor(3).put(ag.tensor([-1]), ag.tensor([9])).item() == 9
    assert ag.zeros(0).put(ag.zeros(0, dtype=ag.int64), ag.zeros(0)).shape == (0,)


def test_inplace():
    x = ag.zeros(3, dtype=ag.int64)
    assert x.put_(ag.tensor([2, 2]), ag.tensor([1, 2]), accumulate=True) is x
    assert x.tolist() == [0, 0, 3]
    leaf = ag.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.put_(ag.tensor([0]), ag.tensor([1.0]))


@pytest.mark.parametrize("args, err, msg", [
    ((ag.tensor([0, 6]), ag.ones(2)), IndexError,
     "out of range: tried to access index 6 on a tensor of 6 elements."),
    ((ag.tensor([-7]), ag.ones(1)), IndexError, "tried to access index -7 on a tensor of 6"),
    ((ag.tensor([0, 1]), ag.ones(3)), IndexError,
     r"put_\(\): Expected source and index to have the same number of elements, but got "
     r"source.numel\(\) = 3, index.numel\(\) = 2"),
    ((ag.tensor([0]), ag.ones(1, dtype=ag.float64)), RuntimeError,
     "self and source expected to have the same dtype, but got self.dtype = Float and "
     "source.dtype = Double"),
    ((ag.tensor([0], dtype=ag.int32), ag.ones(1)), RuntimeError,
     r"put_\(\): Expected a long tensor for index, but got Int"),
    (([0], ag.ones(1)), TypeError, r"argument 'index' \(position 1\) must be Tensor, not list"),
    ((ag.tensor([0]), 1.0), TypeError, r"argument 'source' \(position 2\) must be Tensor"),
])
def test_errors_before_any_write(args, err, msg):
    x = ag.zeros(2, 3)
    with pytest.raises(err, match=msg):
        x.put_(*args)
    assert x.tolist() == [[0.0] * 3] * 2
    with pytest.raises(IndexError, match="Tried to put elements into an empty tensor"):
        ag.zeros(0).put(ag.tensor([0]), ag.ones(1))


def test_gradients_hand_worked():
    g = ag.arange(6.0, dtype=ag.float64).reshape(2, 3)
    for accumulate, gx in ((False, [[0.0, 0.0, 2.0], [3.0, 4.0, 0.0]]),
                           (True, [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])):
        x = ag.zeros(2, 3, dtype=ag.float64, requires_grad=True)
        s = ag.zeros(3, dtype=ag.float64, requires_grad=True)
        x.put(ag.tensor([1, 1, -1]), s, accumulate=accumulate).backward(g)
        # x: g except where written (kept with accumulate); s: g at its positions, repeats too
        assert x.grad.tolist() == gx
        assert s.grad.tolist() == [1.0, 1.0, 5.0]


def test_gradcheck():
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    s = ag.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    idx = ag.tensor([[0, -1], [4, 2]])
    for acc in (False, True):
        assert ag.gradcheck(lambda a, b: a.put(idx, b, accumulate=acc) ** 2, (x, s))
        assert ag.gradgradcheck(lambda a, b: a.put(idx, b, accumulate=acc) ** 2, (x, s))
    rep = ag.tensor([[1, -5], [1, 2]])  # repeats summed: still smooth
    assert ag.gradcheck(lambda a, b: (a * 1.0).put_(rep, b, accumulate=True) ** 2, (x, s))


@pytest.mark.torch_parity
def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for shape, idx, acc in (((2, 3), [[1, 1], [-1, 0]], False), ((2, 3), [1, 1, -1, 5], True),
                            ((4,), [3, -4], False), ((), [0, -1], True)):
        xv = rng.standard_normal(shape)
        sv = rng.standard_normal(np.shape(idx))
        gv = rng.standard_normal(shape)
        res = []
        for L in (ag, torch):
            x = L.tensor(xv, requires_grad=True)
            s = L.tensor(sv, requires_grad=True)
            y = x.put(L.tensor(idx), s, accumulate=acc)
            y.backward(L.tensor(gv))
            res.append([np.asarray(t.detach().numpy()) for t in (y, x.grad, s.grad)])
        for a, b in zip(*res):
            np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
