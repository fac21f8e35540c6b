"""In-place writes through the views between complex and real (``.real``, ``.imag``,
``view_as_real``, ``view_as_complex``) and writes to their base: recorded as for any other
view (PyTorch's CopySlices), so gradients see them. They used to bypass the base's graph: the
base's gradient ignored the write (a silent wrong gradient), and a leaf was written."""

import numpy as np
import pytest

import autograd_core as ag

W = np.array([[0.5, -1.0], [2.0, 3.0]])


def leaf_c():
    return ag.tensor([1 + 2j, 3 - 1j], requires_grad=True)


def leaf_pairs():
    return ag.tensor([[1.0, 2.0], [3.0, -1.0]], dtype=ag.float64, requires_grad=True)


def test_write_through_real_reaches_the_base_gradient():
    x = leaf_c()
    y = x * 1
    y.real.mul_(2)  # y = 2 Re x + i Im x
    (ag.view_as_real(y) * ag.tensor(W)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * W[:, 0] + 1j * W[:, 1])


def test_write_through_a_slice_of_imag_reaches_the_base_gradient():
    x = leaf_c()
    y = x * 1
    y.imag[1:].mul_(3)
    (ag.view_as_real(y) * ag.tensor(W)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), W[:, 0] + 1j * W[:, 1] * [1, 3])


def test_write_through_view_as_complex_reaches_the_base_gradient():
    x = leaf_pairs()
    y = x * 1
    ag.view_as_complex(y).mul_(1j)  # (a, b) -> (-b, a)
    np.testing.assert_allclose(y.detach().numpy(), [[-2.0, 1.0], [1.0, 3.0]])
    (y * ag.tensor(W)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.stack([W[:, 1], -W[:, 0]], axis=1))


def test_write_through_view_as_real_reaches_the_base_gradient():
    x = leaf_c()
    y = x * 1
    ag.view_as_real(y)[:, 1].mul_(3)  # the imaginary parts
    (ag.view_as_real(y) * ag.tensor(W)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), W[:, 0] + 3j * W[:, 1])


def test_views_taken_before_a_write_to_the_base_follow_it():
    x = leaf_c()
    y = x * 1
    r, im = ag.view_as_real(y), y.imag
    y.mul_(1j)  # r = (-Im x, Re x), im = Re x
    (r * ag.tensor(W)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), W[:, 1] - 1j * W[:, 0])
    x.grad = None
    y = x * 1
    im = y.imag
    y.mul_(1j)
    (im * ag.tensor(W[:, 0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), W[:, 0])
    x2 = leaf_pairs()
    y2 = x2 * 1
    z = ag.view_as_complex(y2)
    y2.mul_(3)
    (ag.view_as_real(z * 1j) * ag.tensor(W)).sum().backward()  # z*1j = (-3b, 3a)
    np.testing.assert_allclose(x2.grad.numpy(), 3 * np.stack([W[:, 1], -W[:, 0]], axis=1))


def test_write_through_a_view_of_a_leaf_is_refused_and_views_know_their_base():
    x = leaf_pairs()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is "
                                           "being used in an in-place operation."):
        ag.view_as_complex(x).mul_(1j)
    np.testing.assert_array_equal(x.detach().numpy(), [[1.0, 2.0], [3.0, -1.0]])
    xc = leaf_c()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        xc.real.zero_()
    y = xc * 1
    assert ag.view_as_real(y)._base is y and y.real._base is y and y.imag._base is y
    assert ag.view_as_real(y)[0]._base is y and ag.view_as_complex(x)._base is x


CASES = {
    "real": lambda L, y: y.real.mul_(2),
    "imag_slice": lambda L, y: y.imag[0:2].add_(y.real[1:].detach()),
    "var_slice": lambda L, y: L.view_as_real(y)[1:].mul_(2),
    "var_column": lambda L, y: L.view_as_real(y)[:, 1].sin_(),
    "var_transposed": lambda L, y: L.view_as_real(y).t()[0].mul_(3),
    "base_mul_after_real": lambda L, y: (y.real, y.mul_(2 + 1j)),
    "base_slice_after_var": lambda L, y: (L.view_as_real(y), y[1:].mul_(1j)),
    "copy_into_real": lambda L, y: y.real.copy_(y.imag * 2),
}


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_view_writes_match_torch(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    data = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    w = rng.standard_normal((3, 2))
    res = []
    for L in (torch, ag):
        x = L.tensor(data, requires_grad=True)
        y = x * 1
        views = (L.view_as_real(y), y.real, y.imag)  # taken before: must follow the write
        CASES[name](L, y)
        loss = (L.view_as_real(y) * L.tensor(w)).sum() + (views[0] * 0.5).sum() \
            + views[1].sum() * 0.25 + views[2].sum()
        loss.backward()
        res.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-12)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-12)


@pytest.mark.torch_parity
def test_view_as_complex_writes_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    data, w = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    res = []
    for L in (torch, ag):
        x = L.tensor(data, requires_grad=True)
        y = x * 1
        c = L.view_as_complex(y)
        c[1:].mul_(1j)
        y[0].mul_(3)
        loss = (y * L.tensor(w)).sum() + L.view_as_real(c * (1 + 2j)).sum()
        loss.backward()
        res.append(x.grad.numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-12)


def test_copy_zero_and_fill_of_complex_tensors_have_gradients():
    # copy_/fill_/zero_ of a complex tensor while recording raised NotImplementedError at
    # backward (CopyFromBackward0 had no complex rule); its gradient only moves values
    z = leaf_c()
    r = ag.tensor([0.5, -2.0], dtype=ag.float64, requires_grad=True)
    y = z * 1
    y.copy_(r * 3)  # real into complex: r's gradient is the real part
    (ag.view_as_real(y) * ag.tensor(W)).sum().backward()
    np.testing.assert_allclose(r.grad.numpy(), 3 * W[:, 0])
    np.testing.assert_array_equal(z.grad.numpy(), [0, 0])
    z = leaf_c()
    y = ag.zeros(2, dtype=ag.float64) * 1
    with pytest.warns(Warning, match="discards the imaginary part"):
        y.copy_(z * (2 - 1j))  # y = Re((2 - i) z)
    (y * ag.tensor(W[:, 0])).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), W[:, 0] * (2 + 1j))
    z = leaf_c()
    y = z * 1
    y[0].zero_()
    (ag.view_as_real(y) * ag.tensor(W)).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0, W[1, 0] + 1j * W[1, 1]])


def test_view_of_a_complex_multi_output_view_raises_pytorchs_error_after_a_base_write():
    # it raised NotImplementedError (no complex rule of the invalid view's node) and named
    # the view "_InvalidView"; PyTorch's error names the view op (.real: a Select)
    z = ag.tensor([1 + 2j, 3 - 1j, 2j, 1], requires_grad=True)
    y = z * 1
    r = y.split(2)[0].real
    q = r[0:1]
    y.mul_(2)
    for t, name in ((q, "Slice"), (r, "Select")):
        with pytest.raises(RuntimeError, match=f"^Output 0 of {name} is a view and its base or "
                                               "another view of its base has been modified"):
            (t * 1).sum().backward()
