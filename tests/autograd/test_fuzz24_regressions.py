"""Differences from PyTorch found by fuzz24, a differential fuzzer of op compositions (views,
in-place writes, `.data` writes, `requires_grad_`/`detach_` mid-graph) against torch 2.13.
Each is checked by hand here, and against a live torch in the ``torch_parity`` tests."""

import numpy as np
import pytest

import autograd_core as ag

VERSION_ERROR = "modified by an inplace operation"


# ---- transpose of a tensor under 2-d is a new view, as PyTorch's -------------------------------

@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("dims", [(0, 0), (0, -1), (-1, -1)])
def test_transpose_under_2d_is_a_view_not_the_input(shape, dims):
    x = ag.ones(shape, requires_grad=True)
    y = x.transpose(*dims)
    assert y is not x and not y.is_leaf and y.grad_fn is not None and y._base is x
    (y * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(shape, 3.0))
    z = ag.ones(shape)
    w = z.swapaxes(*dims)
    w.requires_grad_()  # the view requires grad, its base does not (it was z itself before)
    assert w.requires_grad and not z.requires_grad


def test_transpose_under_2d_view_of_a_leaf_refuses_in_place():
    x = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x.transpose(0, 0).mul_(2)


# ---- the same programs against a live torch ----------------------------------------------------

def _run(lib, program):
    """``program(lib)``'s results as numpy arrays or an error's (type, gist)."""
    try:
        out = program(lib)
    except RuntimeError as exc:
        return ("RuntimeError", VERSION_ERROR in str(exc))
    return [None if t is None else np.asarray(t.detach().numpy()) for t in out]


def _prog_transpose(lib):
    x = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
    y = x.transpose(0, 0)
    (y * 3).backward()
    z = lib.ones(3, dtype=lib.float64)
    w = z.t()
    w.requires_grad_()
    return [x.grad, lib.tensor([y.is_leaf, z.requires_grad, w.requires_grad])]


@pytest.mark.torch_parity
@pytest.mark.parametrize("program", [_prog_transpose])
def test_against_torch(program):
    torch = pytest.importorskip("torch")
    ours, theirs = _run(ag, program), _run(torch, program)
    assert type(ours) is type(theirs)
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        for o, t in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(o, t)
