"""Silent wrong answers found by differential programs against PyTorch (views, in-place
writes, hooks, saved tensors): each test fails on the code before its fix. Numbers are worked
by hand; PyTorch 2.13 gives the same."""

from __future__ import annotations

import warnings

import pytest

import autograd_core as ag


def _x():
    return ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)


def test_backward_inputs_with_a_retained_non_leaf_accumulates_once():
    # d/dy sum(y^2) = 2y = [6, 12, 18]; it was stored twice ([12, 24, 36]): once by the
    # pass (retain_grad) and once more by backward(inputs=...)
    x = _x()
    y = x * 3
    y.retain_grad()
    loss = (y * y).sum()
    loss.backward(inputs=[y], retain_graph=True)
    assert y.grad.tolist() == [6.0, 12.0, 18.0] and x.grad is None
    loss.backward(inputs=[x])  # the pass reaches y again: its retained grad adds up
    assert y.grad.tolist() == [12.0, 24.0, 36.0] and x.grad.tolist() == [18.0, 36.0, 54.0]
    z = _x() * 3  # without retain_grad: accumulated once, and no non-leaf .grad warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (z * z).sum().backward(inputs=[z])
        assert z._grad.tolist() == [6.0, 12.0, 18.0]


@pytest.mark.parametrize("how", ["eigh", "eigh_U", "eig_vectors", "eig_values"])
def test_an_eigen_decomposition_changed_in_place_makes_backward_raise(how):
    """The nodes kept their output arrays for backward: changed in place, the gradient was
    computed from the changed eigenvectors (all zeros for eigh's exp_), without a word."""
    x = ag.tensor([[2.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 1.0]], dtype=ag.float64,
                  requires_grad=True)
    if how.startswith("eigh"):
        out = ag.linalg.eigh(x, UPLO="U" if how == "eigh_U" else "L").eigenvectors
    else:
        w, v = ag.linalg.eig(x)
        out = v if how == "eig_vectors" else w
    loss = out.real.sum() if out.is_complex() else out.sum()
    with ag.no_grad():
        out.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


class _Double(ag.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        a.mul_(2)
        ctx.mark_dirty(a)
        return a

    @staticmethod
    def backward(ctx, g):
        return 2 * g


def test_views_of_a_tensor_a_function_marks_dirty_see_its_backward():
    """A view taken before a custom Function changed its base in place (mark_dirty) kept its
    old grad_fn: its gradient skipped the Function's backward (x.grad [1, 1, 0], not
    [2, 2, 0]), and so did the base's after a write through the view."""
    x = _x()
    y = x * 1.0
    v = y[:2]
    _Double.apply(y)
    assert v.tolist() == [2.0, 4.0]
    v.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 0.0]
    x = _x()
    y = x * 1.0
    v = y.reshape(3, 1)[1:][:, 0]  # a view of a view
    _Double.apply(y)
    v.add_(1.0)
    y.sum().backward()
    assert y.tolist() == [2.0, 5.0, 7.0] and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_a_saved_value_changed_in_place_refuses_to_be_read():
    """``grad_fn._saved_self`` returned the changed tensor ([2, 4, 6], not the [1, 2, 3] sin
    saved) where PyTorch raises, as backward does."""
    y = _x() * 1.0
    z = y.sin()
    assert z.grad_fn._saved_self.tolist() == [1.0, 2.0, 3.0]
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.grad_fn._saved_self
    e = _x().exp()  # a saved output too
    e.grad_fn._saved_result
    with ag.no_grad():
        e.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.grad_fn._saved_result


@pytest.mark.parametrize("loss_of", ["view", "base"])
def test_a_hook_on_a_view_changed_in_place_does_not_run(loss_of):
    """PyTorch computes an in-place change of a view from the base (CopySlices), not through
    the view's own node, so a hook registered on the view before the change never runs; here
    it ran, and its x10 reached x.grad ([30, 30, ...] for PyTorch's [3, 3, ...])."""
    x = _x()
    y = x * 1.0
    v = y[:2]
    seen = []
    v.register_hook(lambda g: seen.append(g) or g * 10)
    v.mul_(3)
    (v if loss_of == "view" else y).sum().backward()
    assert seen == []
    assert x.grad.tolist() == ([3.0, 3.0, 0.0] if loss_of == "view" else [3.0, 3.0, 1.0])
    w = _x() * 1.0  # a hook registered after the change runs, with the new value's gradient
    u = w[:2]
    u.mul_(3)
    u.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    u.sum().backward()
    assert seen == [[1.0, 1.0]]


class _First(ag.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a[0]

    @staticmethod
    def backward(ctx, g):
        r = g.new_zeros(3)
        r[0] = g
        return r


def test_a_functions_view_output_refuses_a_gradient_once_its_base_changed():
    """A custom Function's output that is a view of its input: after the base is changed in
    place, its value is the new one (2.0) but its gradient was still the Function's
    backward's, [1, 0, 0]; PyTorch raises when the gradient goes through it."""
    x = _x()
    y = x * 1.0
    r = _First.apply(y)
    y.mul_(2)
    assert r.item() == 2.0
    with pytest.raises(RuntimeError, match="Output 0 of _First is a view and its base"):
        r.backward()
    x = _x()
    r = _First.apply(x * 1.0)  # the base unchanged: the Function's backward
    r.backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0]


def test_an_expand_that_repeats_nothing_is_writable():
    """``y.expand(1, 3, 4)`` of a (3, 4) tensor repeats no element: PyTorch writes through it
    (it raised 'read-only' here), with the gradient of the write reaching y's input."""
    x = ag.ones(3, 4, dtype=ag.float64, requires_grad=True)
    y = x * 1.0
    e = y.expand(1, 3, 4)
    assert e.stride() == (12, 4, 1)  # PyTorch's (numpy's broadcast gave 0)
    e[0, 1].mul_(3.0)
    ag.broadcast_to(y, (1, 1, 3, 4)).add_(1.0)
    assert y[1].tolist() == [4.0] * 4 and y[0].tolist() == [2.0] * 4
    y.sum().backward()
    assert x.grad[1].tolist() == [3.0] * 4 and x.grad[0].tolist() == [1.0] * 4
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        y[:1].expand(2, 4).add_(1.0)  # this one repeats a row


@pytest.mark.parametrize("how", ["unsafe_split", "unsafe_chunk", "unsafe_split_with_sizes"])
def test_unsafe_split_pieces_may_be_changed_in_place(how):
    """PyTorch's unsafe_ forms make pieces that are not views (UnsafeSplitBackward0): a piece
    may be changed in place; here they were split's multi-output views and refused it."""
    x = ag.arange(6.0, dtype=ag.float64, requires_grad=True)
    y = x * 1.0
    arg = [3, 3] if how == "unsafe_split_with_sizes" else (3 if how == "unsafe_split" else 2)
    a, b = getattr(y, how)(arg)
    assert a.grad_fn.name() == ("UnsafeSplitWithSizesBackward0" if "sizes" in how
                                else "UnsafeSplitBackward0") and a._base is None
    a.mul_(3.0)
    assert y.tolist() == [0.0, 3.0, 6.0, 3.0, 4.0, 5.0]  # the memory is shared
    (a.sum() + b.sum()).backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0, 1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="multiple views"):
        ag.split(x * 1.0, 3)[0].mul_(3.0)  # split's pieces still refuse it


def test_values_packed_by_saved_tensor_hooks_are_not_version_checked():
    """PyTorch does not check the version of what saved-tensor hooks packed: a copy made by
    pack gives the gradient at the saved values; the identity hooks read the changed ones.
    Backward raised 'modified by an inplace operation' here."""
    import numpy as np

    for pack, want in ((lambda t: t.clone(), np.cos([1.0, 2.0, 3.0])),
                       (lambda t: t, np.cos([2.0, 4.0, 6.0]))):
        x = _x()
        y = x * 1.0
        with ag.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            z = y.sin()
        y.mul_(2)
        z.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-15)
    x = _x()
    y = x * 1.0
    with ag.autograd.graph.save_on_cpu():  # (on the CPU its pack keeps the tensor itself)
        z = y.sin()
    y.mul_(2)
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos([2.0, 4.0, 6.0]), rtol=1e-15)


class _SquareInPlace(ag.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a.clone())
        a.mul_(a)
        ctx.mark_dirty(a)
        return a

    @staticmethod
    def backward(ctx, g):
        (a0,) = ctx.saved_tensors
        return 2 * a0 * g


def test_mark_dirty_on_a_view_records_the_change_of_its_base():
    """PyTorch lets a custom Function change a view in place (mark_dirty): the base's new
    value is recorded as after any in-place change of a view. It was refused here."""
    x = _x()
    y = x * 1.0
    w = y[:2]  # another view of the base, taken before
    out = _SquareInPlace.apply(y[1:])
    assert out._base is y and y.tolist() == [1.0, 4.0, 9.0] and w.tolist() == [1.0, 4.0]
    (y * ag.tensor([1.0, 10.0, 100.0], dtype=ag.float64)).sum().backward(retain_graph=True)
    assert x.grad.tolist() == [1.0, 40.0, 600.0]  # d(x_i^2)/dx_i = 2 x_i for i >= 1
    x.grad = None
    (out.sum() + w.sum()).backward()
    assert x.grad.tolist() == [1.0, 8.0, 6.0]
    leaf = _x()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        _SquareInPlace.apply(leaf[1:])


def test_vmap_refuses_a_batched_output_for_out_dims_none():
    """out_dims=None promises an output that is not batched; one that varies over the batch
    came back as sample 0's, silently. PyTorch raises this ValueError."""
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="can not return a BatchedTensor when out_dim is None"):
        ag.func.vmap(lambda a: a * 2, out_dims=None)(x)
    with pytest.raises(ValueError, match="can not return a BatchedTensor when out_dim is None"):
        ag.func.vmap(lambda a: (a, a.sum()), out_dims=(0, None))(x)
    c = ag.ones(2)
    a, same = ag.func.vmap(lambda a: (a, c), out_dims=(0, None))(x)  # truly not batched
    assert same is c and a.tolist() == x.tolist()


def test_second_derivative_of_remainder_by_a_number():
    """``a % 0.7`` under create_graph: the rule's gradient is recorded as reading its inputs,
    and the number divisor was passed along as one (AttributeError: 'float' object has no
    attribute 'shape'); so hessian and jvp of it failed too."""
    a = _x()
    (g,) = ag.autograd.grad((a % 0.7).sum(), a, create_graph=True)
    assert g.tolist() == [1.0, 1.0, 1.0] and not g.requires_grad  # (PyTorch's: no graph)
    h = ag.func.hessian(lambda u: (ag.remainder(u, 0.7) ** 2).sum())(
        ag.tensor([0.3, -1.2], dtype=ag.float64))
    assert h.tolist() == [[2.0, 0.0], [0.0, 2.0]]
    _, t = ag.func.jvp(lambda u: u % 0.7, (ag.tensor([0.3, -1.2], dtype=ag.float64),),
                       (ag.ones(2, dtype=ag.float64),))
    assert t.tolist() == [1.0, 1.0]
