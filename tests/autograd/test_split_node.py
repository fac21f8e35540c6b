"""``split``/``chunk``/``unbind`` (and ``iter``) return their pieces as outputs of one node, as
PyTorch's ``SplitBackward0``/``SplitWithSizesBackward0``/``UnbindBackward0``: one backward
joins the pieces' gradients (its cost the input's size, where a node per piece cost pieces
times it: 1000 rows of 1000 took a second). The gradients are checked against closed forms,
finite differences and PyTorch."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.gradcheck import gradcheck, gradgradcheck

CASES = {
    "split": (lambda x: x.split(2, dim=1), "SplitBackward0"),
    "split_sizes": (lambda x: x.split([1, 3, 1], dim=1), "SplitWithSizesBackward0"),
    "chunk": (lambda x: x.chunk(3, dim=1), "SplitBackward0"),
    "unbind": (lambda x: x.unbind(1), "UnbindBackward0"),
    "unbind0": (lambda x: x.unbind(0), "UnbindBackward0"),
    "iter": (lambda x: tuple(iter(x)), "UnbindBackward0"),
}


@pytest.mark.parametrize("name", CASES)
def test_pieces_are_outputs_of_one_node(name):
    fn, grad_name = CASES[name]
    x = ag.randn(4, 5, dtype=ag.float64, requires_grad=True)
    pieces = fn(x)
    assert len({id(p.grad_fn) for p in pieces}) == 1
    assert pieces[0].grad_fn.name() == grad_name
    assert [p._out_idx for p in pieces] == list(range(len(pieces)))
    assert all(p._base is x for p in pieces)  # views, sharing the version counter
    x.data[0, 0] = 7.0
    assert pieces[0].reshape(-1)[0].item() == 7.0


@pytest.mark.parametrize("name", CASES)
def test_some_pieces_unused_weighted_gradient(name):
    fn, _ = CASES[name]
    x = ag.randn(4, 5, dtype=ag.float64, requires_grad=True)
    pieces = fn(x)
    # piece k (k = 0, 2, ...) weighted by k + 1; the odd pieces unused: their rows/columns 0
    loss = sum((p * float(k + 1)).sum() for k, p in enumerate(pieces) if k % 2 == 0)
    loss.backward()
    ones = np.ones((4, 5))
    expect = np.zeros((4, 5))
    marks = fn(ag.tensor(np.arange(20.0).reshape(4, 5)))
    for k, m in enumerate(marks):
        if k % 2 == 0:
            expect[np.isin(np.arange(20.0).reshape(4, 5), m.numpy())] = k + 1
    np.testing.assert_array_equal(x.grad.numpy(), expect * ones)


@pytest.mark.parametrize("name", CASES)
def test_gradcheck_and_gradgradcheck(name):
    fn, _ = CASES[name]
    x = ag.randn(4, 5, dtype=ag.float64, requires_grad=True)

    def f(x):
        ps = fn(x)
        return sum((p * p * float(k + 1)).sum() for k, p in enumerate(ps) if k != 1)

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_hooks_and_retain_grad_on_a_piece():
    x = ag.randn(3, 4, requires_grad=True)
    a, b = x.chunk(2, dim=1)
    seen = []
    b.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 10.0)
    a.retain_grad()
    (a.sum() + (b * 2.0).sum()).backward()
    np.testing.assert_array_equal(seen[0], np.full((3, 2), 2.0, np.float32))
    np.testing.assert_array_equal(a.grad.numpy(), np.ones((3, 2), np.float32))
    np.testing.assert_array_equal(x.grad.numpy()[:, 2:], np.full((3, 2), 20.0, np.float32))
    np.testing.assert_array_equal(x.grad.numpy()[:, :2], np.ones((3, 2), np.float32))


def test_write_into_the_base_after_splitting_refused_as_pytorch():
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1.0
    a, b = y.split(2)
    y.mul_(x)  # PyTorch refuses to use a multi-output view after its base changed
    with pytest.raises(RuntimeError, match="of Split is a view and its base or another view "
                                           "of its base has been modified inplace"):
        (a * 3.0 + b).sum().backward()
    np.testing.assert_array_equal(a.detach().numpy(), [1.0, 4.0])  # views: the new values


def test_inplace_on_a_piece_refused_while_recording():
    x = ag.randn(4, requires_grad=True)
    a, _ = (x * 1.0).split(2)
    with pytest.raises(RuntimeError, match="Output 0 of Split is a view and is being "
                                           "modified inplace"):
        a.mul_(2.0)
    with ag.no_grad():
        y = x * 1.0
        y.unbind()[1].fill_(5.0)
        assert y[1].item() == 5.0


def test_complex_pieces_gradient():
    z = ag.tensor([1 + 2j, 3 - 1j, 0.5j], requires_grad=True)
    a, b = z.split([1, 2])
    (a.abs().sum() + (b * b.conj()).real.sum()).backward()
    expect = np.array([(1 + 2j) / abs(1 + 2j), 2 * (3 - 1j), 2 * 0.5j])
    np.testing.assert_allclose(z.grad.numpy(), expect, rtol=1e-6)


def test_empty_and_zero_size_pieces():
    x = ag.zeros(0, 3, requires_grad=True)
    assert x.unbind(0) == ()
    assert [p.shape for p in x.chunk(2, dim=0)] == [(0, 3), (0, 3)]
    pieces = ag.zeros(2, 3, requires_grad=True).split([0, 3, 0], dim=1)
    assert [tuple(p.shape) for p in pieces] == [(2, 0), (2, 3), (2, 0)]
    y = ag.ones(2, 3, requires_grad=True)
    sum(p.sum() for p in y.split([0, 3, 0], dim=1)).backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.ones((2, 3), np.float32))


def test_split_of_a_0d_tensor_refused_in_pytorchs_words():
    with pytest.raises(RuntimeError, match="split expects at least a 1-dimensional tensor"):
        ag.split(ag.tensor(3.0), 1)


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["split", "split_sizes", "chunk", "unbind", "iter"])
def test_gradient_bits_and_graph_as_torch(name):
    torch = pytest.importorskip("torch")
    fn, _ = CASES[name]
    rng = np.random.default_rng(3)
    data = rng.standard_normal((4, 5)).astype(np.float32)
    data[1, 1] = -0.0
    out = {}
    for lib in (ag, torch):
        x = lib.tensor(data, requires_grad=True)
        pieces = fn(x)
        # a -0.0 gradient kept as -0.0 (the pieces' gradients copied, not added to zeros)
        loss = sum((p * (p.detach() * 0.0 - 1.5)).sum() for k, p in enumerate(pieces)
                   if k != 1)
        loss.backward()
        out[lib] = (x.grad.numpy().copy(), pieces[0].grad_fn.name(),
                    [(f.name(), i) for f, i in pieces[-1].grad_fn.next_functions])
    ours, theirs = out[ag], out[torch]
    np.testing.assert_array_equal(np.signbit(ours[0]), np.signbit(theirs[0]))
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert ours[1:] == theirs[1:]
