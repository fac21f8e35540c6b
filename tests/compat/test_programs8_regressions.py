"""Regressions found by the eighth round of public PyTorch programs run on tapegrad with their
imports rewritten (pytorch/tutorials' beginner basics, karpathy's makemore parts 4-5, d2l.ai's
RNN, optimisation and attention chapters, UvA tutorials, ...): each test is the line that broke
or gave another number, reduced."""

import numpy as np
import pytest

import autograd_core as ag


def test_functional_forms_write_into_out():
    # pytorch/tutorials tensorqs_tutorial.py: `torch.matmul(tensor, tensor.T, out=y3)` and
    # `torch.mul(tensor, tensor, out=z3)` raised "matmul() got an unexpected keyword argument"
    t = ag.ones(4, 4)
    t[:, 1] = 0
    y3 = ag.rand_like(t)
    assert ag.matmul(t, t.T, out=y3) is y3
    np.testing.assert_array_equal(y3.numpy(), np.full((4, 4), 3.0))  # each row: three ones
    z3 = ag.rand_like(t)
    assert ag.mul(t, t, out=z3) is z3
    np.testing.assert_array_equal(z3.numpy(), t.numpy())
    v = ag.tensor([1.0, 5.0])  # labml's AMSGrad: torch.maximum(v_max, v, out=v_max)
    ag.maximum(v, ag.tensor([3.0, 2.0]), out=v)
    assert v.tolist() == [3.0, 5.0]
    o = ag.zeros(2, dtype=ag.float64)  # an integer result casts into a float64 out
    ag.add(ag.tensor([1, 2]), 1, out=o)
    assert o.tolist() == [2.0, 3.0] and o.dtype == ag.float64
    o = ag.zeros(2)  # exp's out= used to reach its node's numpy buffer and return another tensor
    assert ag.exp(ag.zeros(2), out=o) is o and o.tolist() == [1.0, 1.0]
    assert ag.cat([ag.ones(1), ag.zeros(1)], out=ag.empty(2)).tolist() == [1.0, 0.0]


def test_out_is_refused_where_pytorch_refuses_it():
    a = ag.ones(2, requires_grad=True)
    o = ag.zeros(2)
    with pytest.raises(RuntimeError, match=r"^mul\(\): functions with out=\.\.\. arguments don't "
                       r"support automatic differentiation, but one of the arguments requires "
                       r"grad\.$"):
        ag.mul(a, a, out=o)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ag.cat([a, a], out=ag.zeros(4))  # an input inside the sequence
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ag.mul(ag.ones(2), 2, out=ag.zeros(2, requires_grad=True))
    with pytest.raises(RuntimeError, match=r"^result type Float can't be cast to the desired "
                       r"output type Long$"):
        ag.mul(ag.ones(2), 2.5, out=ag.zeros(2, dtype=ag.int64))
    with pytest.raises(RuntimeError, match=r"out= has shape \[3\], the result has shape \[2\]"):
        ag.mul(ag.ones(2), 2, out=ag.zeros(3))
    assert o.tolist() == [0.0, 0.0]  # nothing written by a refused call
    with ag.no_grad():  # outside grad mode PyTorch writes, and out does not require grad
        assert ag.mul(a, 3, out=o).tolist() == [3.0, 3.0] and not o.requires_grad


@pytest.mark.torch_parity
def test_out_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    for name, args in [("matmul", (x, x.T)), ("mul", (x, x)), ("exp", (x,)), ("add", (x, 1.5)),
                       ("clamp", (x, 0.3, 1.0))]:
        t_args = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        theirs = torch.zeros(getattr(torch, name)(*t_args).shape)
        getattr(torch, name)(*t_args, out=theirs)
        ours = ag.zeros(*theirs.shape)
        getattr(ag, name)(*[ag.tensor(a) if isinstance(a, np.ndarray) else a for a in args],
                          out=ours)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, err_msg=name)
    with pytest.raises(RuntimeError) as t_err:
        torch.mul(torch.ones(2), 2.5, out=torch.zeros(2, dtype=torch.int64))
    with pytest.raises(RuntimeError) as a_err:
        ag.mul(ag.ones(2), 2.5, out=ag.zeros(2, dtype=ag.int64))
    assert str(a_err.value) == str(t_err.value)
