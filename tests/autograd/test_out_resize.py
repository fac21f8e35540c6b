"""``out=`` of another shape than the result is resized to it, as PyTorch resizes it (with its
deprecation warning unless ``out`` was empty); it used to be refused. Only the write of the
result moves ``out``'s version counter, as in PyTorch."""

import warnings

import numpy as np
import pytest

import autograd_core as ag

A = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_empty_out_is_resized_silently():
    out = ag.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ag.add(ag.tensor(A), 1, out=out)
    assert res is out and out.shape == (2, 3) and out.stride() == (3, 1)
    np.testing.assert_array_equal(out.numpy(), np.array(A) + 1)
    assert out._version == 1


def test_nonempty_out_is_resized_with_pytorchs_warning():
    out = ag.zeros(4, 3).t()  # of another shape, non-contiguous: made contiguous
    with pytest.warns(UserWarning, match=r"^An output with one or more elements was resized "
                      r"since it had shape \[3, 4\], which does not match the required output "
                      r"shape \[2\]\. This behavior is deprecated"):
        ag.sum(ag.tensor(A), 1, out=out)
    assert out.shape == (2,) and out.tolist() == [6.0, 15.0] and out._version == 1
    base = ag.zeros(10)
    view = base[:2]
    with pytest.warns(UserWarning, match="was resized"):
        ag.cat([ag.tensor([1.0, 2.0]), ag.tensor([3.0])], out=view)
    assert base.tolist()[:4] == [1.0, 2.0, 3.0, 0.0]  # grown within its base's memory


def test_resize_to_a_0d_shape():
    x = ag.arange(5.0)
    assert x.resize_(()).shape == () and x.stride() == () and x.item() == 0.0  # it raised
    out = ag.zeros(2, 3)
    with pytest.warns(UserWarning, match=r"required output shape \[\]"):
        ag.amax(ag.tensor(A), (0, 1), out=out)
    assert out.shape == () and out.item() == 6.0


def test_refusals_come_before_the_resize():
    out = ag.zeros(5, dtype=ag.int64)
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        ag.mul(ag.tensor(A), 2.5, out=out)
    assert out.shape == (5,) and out._version == 0


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape", [(0,), (5,), (4, 4), (3, 2)])
@pytest.mark.parametrize("op", ["add", "matmul", "cat", "sum", "exp", "where", "clamp",
                                "amax_all"])
def test_out_resize_matches_torch(op, shape):
    torch = pytest.importorskip("torch")
    calls = {
        "add": lambda L, a: L.add(a, a, alpha=2, out=o),
        "matmul": lambda L, a: L.matmul(a, a.t(), out=o),
        "cat": lambda L, a: L.cat([a, a], 1, out=o),
        "sum": lambda L, a: L.sum(a, 0, out=o),
        "exp": lambda L, a: L.exp(a, out=o),
        "where": lambda L, a: L.where(a > 2, a, a * 0, out=o),
        "clamp": lambda L, a: L.clamp(a, 2, 5, out=o),
        "amax_all": lambda L, a: L.amax(a, (0, 1), out=o),  # a 0-d result
    }
    res = []
    for L in (torch, ag):
        a = L.tensor(A)
        o = L.full(shape, 7.0)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = calls[op](L, a)
        res.append((r is o, tuple(o.shape), o.stride(), o._version, o.numpy().copy(),
                    [str(x.message)[:160] for x in w]))
    (ti, ts, tst, tv, tx, tw), (ai, as_, ast, av, ax, aw) = res
    assert (ai, as_, ast, av, aw) == (ti, ts, tst, tv, tw)
    np.testing.assert_allclose(ax, tx, rtol=1e-6)
