"""Regressions found by differential fuzzing of views and in-place writes against PyTorch
(2026-12-05): each was a silent wrong answer (a write through a view that did not reach its
base, or a copy that shared memory with its input). Expected values are worked by hand."""

import numpy as np
import pytest

import autograd_core as ag


def test_diagonal_is_a_view_writes_reach_the_base():
    x = ag.zeros(3, 3, dtype=ag.float64)
    x.diagonal().fill_(1.0)  # the identity, as in PyTorch
    assert x.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    x.diagonal(1).add_(5.0)
    assert x.tolist() == [[1, 5, 0], [0, 1, 5], [0, 0, 1]]
    d = x.diagonal(-1)
    x[2, 1] = 7.0  # a write to the base is seen by the view
    assert d.tolist() == [0.0, 7.0]


def test_diagonal_of_other_planes_and_version_counter():
    x = ag.zeros(2, 3, 2, dtype=ag.float64)
    x.diagonal(0, 0, 2).copy_(ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=ag.float64))
    # diagonal over dims (0, 2) is x[i, :, i], laid out as (3, 2)
    assert x[0, :, 0].tolist() == [1.0, 3.0, 5.0] and x[1, :, 1].tolist() == [2.0, 4.0, 6.0]
    assert x[0, :, 1].tolist() == [0.0, 0.0, 0.0]
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    a = w * 1
    z = a * a  # saves a
    a.detach().diagonal().zero_()  # detach and the diagonal view share a's version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_diagonal_gradients():
    x = ag.tensor(np.arange(12.0).reshape(3, 4) / 7, dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda t: t.diagonal(1) ** 2, (x,))
    assert ag.gradgradcheck(lambda t: t.diagonal(-1, 1, 0) ** 3, (x,))


def test_diagonal_of_expand_stays_read_only():
    x = ag.zeros(3).expand(3, 3)
    with pytest.raises(RuntimeError, match="read-only"):
        x.diagonal().add_(1.0)


def test_unfold_is_a_view_writes_reach_the_base():
    x = ag.arange(6.0, dtype=ag.float64)
    u = x.unfold(0, 2, 2)  # windows [0, 1], [2, 3], [4, 5]
    u[:, 1].mul_(10)
    assert x.tolist() == [0.0, 10.0, 2.0, 30.0, 4.0, 50.0]
    x[0] = -1.0
    assert u[0].tolist() == [-1.0, 10.0]
    m = ag.zeros(2, 5, dtype=ag.float64)
    m.unfold(1, 2, 3).fill_(1.0)  # windows at columns 0-1 and 3-4
    assert m.tolist() == [[1, 1, 0, 1, 1], [1, 1, 0, 1, 1]]


def test_unfold_overlapping_windows_refuse_writes():
    # PyTorch writes element by element into overlapping windows (an order-dependent result);
    # here the write is refused rather than answered differently
    x = ag.arange(5.0)
    with pytest.raises(RuntimeError, match="read-only"):
        x.unfold(0, 2, 1).add_(1.0)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_unfold_gradients():
    x = ag.tensor(np.arange(10.0).reshape(2, 5) / 7, dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda t: t.unfold(1, 2, 1) ** 2, (x,))  # overlapping: grads add
    assert ag.gradgradcheck(lambda t: t.unfold(1, 3, 2) ** 3, (x,))
    assert ag.gradcheck(lambda t: t.unfold(0, 1, 3) * 2, (x,))
    w = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    w.unfold(0, 2, 1).sum().backward()  # the middle element is in both windows
    assert w.grad.tolist() == [1.0, 2.0, 1.0]


def test_contiguous_of_a_non_contiguous_tensor_is_a_copy():
    x = ag.zeros(2, 3, dtype=ag.float64)
    y = x.t().contiguous()
    y.add_(1.0)  # PyTorch: y is a new tensor, x stays zero
    assert x.tolist() == [[0.0] * 3] * 2
    assert y.is_contiguous() and y.tolist() == [[1.0, 1.0]] * 3
    assert x.contiguous() is x  # already contiguous: the tensor itself, as PyTorch
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    (w.t().contiguous() * ag.tensor([[1.0, 10.0], [100.0, 1000.0]], dtype=ag.float64)).sum() \
        .backward()
    assert w.grad.tolist() == [[1.0, 100.0], [10.0, 1000.0]]


def test_flip_result_is_contiguous_so_its_views_share_memory():
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=ag.float64)
    f = x.flip((0, 1))
    v = f.reshape(-1)  # a view in PyTorch (flip returns a contiguous copy)
    f.mul_(2)
    assert v.tolist() == [12.0, 10.0, 8.0, 6.0, 4.0, 2.0]
    assert x.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


@pytest.mark.torch_parity
def test_view_writes_match_torch():
    torch = pytest.importorskip("torch")
    programs = [
        lambda m, x: x.diagonal(1, 1, 0).mul_(3),
        lambda m, x: x.diagonal().copy_(m.tensor([7.0, 8.0, 9.0], dtype=m.float64)),
        lambda m, x: x.unfold(1, 2, 2).zero_(),
        lambda m, x: x.unfold(0, 1, 2).add_(1).mT,
        lambda m, x: x.t().contiguous().fill_(0),
        lambda m, x: x.flip(1).reshape(-1).neg_(),
        lambda m, x: x.T.diagonal().unfold(0, 1, 1).sub_(4),
    ]
    base = np.arange(12.0).reshape(3, 4) / 3
    for prog in programs:
        xa = ag.tensor(base, dtype=ag.float64)
        xt = torch.tensor(base, dtype=torch.float64)
        prog(ag, xa)
        prog(torch, xt)
        np.testing.assert_array_equal(xa.numpy(), xt.numpy())


# ---- in-place changes of views while recording (PyTorch rebases the base's history) ---------

def test_inplace_on_a_view_while_recording_reaches_the_base_gradient():
    w = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=ag.float64, requires_grad=True)
    a = w * 1
    a[:, 1:].mul_(ag.tensor([10.0, 100.0], dtype=ag.float64))
    (a * a).sum().backward()
    # a = w * [1, 10, 100] per row, so d sum(a^2) / dw = 2 w [1, 100, 10000]
    assert w.grad.tolist() == [[2.0, 400.0, 60000.0], [8.0, 1000.0, 120000.0]]


def test_other_views_follow_the_rebased_base():
    w = ag.tensor([1.0, 2.0, 3.0, 4.0], dtype=ag.float64, requires_grad=True)
    a = w * 1
    m = a.view(2, 2)
    col = m[:, 0]  # a[0], a[2]
    a[2:].zero_()  # through another view
    assert col.tolist() == [1.0, 0.0]
    (col * ag.tensor([5.0, 7.0], dtype=ag.float64)).sum().backward()
    assert w.grad.tolist() == [5.0, 0.0, 0.0, 0.0]  # a[2] is now a constant


def test_value_written_into_a_view_gets_its_gradient():
    x = ag.zeros(2, 3, dtype=ag.float64)  # does not require grad
    v = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    x[:, 2].copy_(v * 3)
    assert x.requires_grad and not x.is_leaf
    (x * x).sum().backward()
    assert v.grad.tolist() == [18.0, 36.0]  # d sum((3 v)^2) / dv = 18 v


def test_inplace_on_a_view_of_a_leaf_that_requires_grad_is_refused():
    w = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0:1].mul_(2)
    with ag.no_grad():
        w[0:1].mul_(2)  # allowed, as in PyTorch
    assert w.tolist() == [2.0, 2.0]


def test_saved_base_then_view_written_refuses_backward():
    w = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    a = w * 1
    b = a * a  # saves a
    a[1:].mul_(a[:1].detach())
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()
    a2 = w * 1
    v = a2[1:]
    # a2[:2] overlaps v: PyTorch refuses the write itself (computed element by element, it
    # would read values it has already written)
    with pytest.raises(RuntimeError, match="some elements of the input tensor and the "
                                           "written-to tensor refer to a single memory"):
        v.mul_(a2[:2])


@pytest.mark.torch_parity
def test_inplace_on_views_while_recording_matches_torch():
    torch = pytest.importorskip("torch")

    def programs(m):
        def p1(a, w):
            a.t()[1].add_(w[0] * 2)
            return (a.exp() * a).sum()

        def p2(a, w):
            a.diagonal().mul_(w.diagonal())
            return (a * a).sum()

        def p3(a, w):
            v = a.unfold(1, 1, 2)
            v.clamp_(min=1.0)
            return (a ** 3).sum() + v.sum()

        def p4(a, w):
            u = a.reshape(-1)
            a[0] = w[1] * 5
            return (u * u).sum()

        def p5(a, w):
            a.narrow(0, 1, 1).mul_(3)
            a.select(1, 0).copy_(w[:, 1])
            return (a * w).sum()

        return [p1, p2, p3, p4, p5]

    base = np.array([[0.5, 1.5], [-0.7, 2.0]])
    for pa, pt in zip(programs(ag), programs(torch)):
        wa = ag.tensor(base, dtype=ag.float64, requires_grad=True)
        wt = torch.tensor(base, dtype=torch.float64, requires_grad=True)
        pa(wa * 1, wa).backward()
        pt(wt * 1, wt).backward()
        np.testing.assert_allclose(wa.grad.numpy(), wt.grad.numpy(), rtol=1e-12)


def test_empty_views_share_the_version_counter_and_accept_writes():
    x = ag.zeros(0).expand(2, 0)  # read-only memory, but no element to write: PyTorch allows
    x.add_(1.0)
    x[...] = 2.0
    assert x.shape == (2, 0)
    w = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    a = w.exp()  # saves its output a
    a[2:].zero_()  # an empty view of a: still a change of a (PyTorch's version counter moves)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        a.sum().backward()


def test_copies_are_laid_out_as_pytorch_lays_them_out():
    # PyTorch's index_select, advanced indexing and cat give row-major results, and flip keeps
    # the input's memory order: a view of the result is then a view, not a copy
    x = ag.tensor(np.arange(12.0).reshape(3, 4), dtype=ag.float64).t()  # (4, 3), not contiguous
    for y in (x.index_select(1, ag.tensor([0, 2])), x[:, [2, 0]], ag.cat([x, x], 1),
              ag.stack([x, x], 1)):
        assert y.is_contiguous()
        y.view(-1).zero_()
        assert float(y.abs().sum()) == 0.0
    assert x.flip(0).stride() == (1, 4) and x.flip(1).stride() == (1, 4)
    assert x.flip((0, 1)).tolist() == [[11.0, 7.0, 3.0], [10.0, 6.0, 2.0], [9.0, 5.0, 1.0],
                                       [8.0, 4.0, 0.0]]
    assert ag.zeros(2, 0, 3).unflatten(2, (3, -1)).shape == (2, 0, 3, 1)


def test_single_operand_einsum_view_is_tracked():
    # numpy's (and PyTorch's) einsum('ij->ji') and ('ii->i') are views of the operand: a write
    # through them changes the operand, so autograd must know (it did not: a silent gradient)
    w = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    a = w * 1
    y = ag.einsum("ij->ji", a)
    y.mul_(10)  # a is now 10 w
    (a * a).sum().backward()
    assert w.grad.tolist() == [[200.0, 400.0], [600.0, 800.0]]  # d sum(100 w^2) / dw
    x = ag.zeros(3, 3, dtype=ag.float64)
    ag.einsum("ii->i", x).fill_(1.0)
    assert x.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    v = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    assert ag.gradgradcheck(lambda t: ag.einsum("i->i", t) ** 3, (v,))


def test_clone_of_an_expanded_tensor_is_laid_out_as_pytorch_lays_it_out():
    x = ag.tensor([[1.0], [2.0], [3.0]], dtype=ag.float64)
    c = x.expand(2, 3, 1).clone()
    assert c.stride() == (3, 1, 1) and c.contiguous() is c  # PyTorch: contiguous
    c.contiguous()[0].zero_()  # so a write through contiguous() reaches it
    assert c.tolist() == [[[0.0], [0.0], [0.0]], [[1.0], [2.0], [3.0]]]
    t = ag.zeros(3, 4).t().unsqueeze(0).expand(2, 4, 3).clone()
    assert t.stride() == (12, 1, 4)  # the transposed order kept, the broadcast dim outermost
    assert ag.zeros(4, 1).expand(4, 3).clone().stride() == (3, 1)


def test_einsum_identity_of_a_0d_tensor_and_empty_list_index():
    x = ag.tensor(2.0, dtype=ag.float64)
    ag.einsum("...->...", x).add_(1.0)  # a view, as PyTorch's
    assert x.item() == 3.0
    y = ag.zeros(2, 3)
    assert y[[]].shape == (0, 3) and y[:, []].shape == (2, 0)
    y[[]] = 1.0  # nothing written (an empty index was read as a float array and refused)
    assert y.sum().item() == 0.0
