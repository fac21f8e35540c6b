"""torch.gradient and cumulative_trapezoid: closed forms, and PyTorch parity of the values
and of the gradients (through the samples and the coordinates)."""

import numpy as np
import pytest

import autograd_core as ag


def test_gradient_closed_forms():
    x = np.linspace(-1.0, 2.0, 7)
    f = ag.tensor(x ** 2)
    # edge_order=2 differentiates a quadratic exactly, ends included: 2x
    (g,) = ag.gradient(f, spacing=0.5, edge_order=2)
    np.testing.assert_allclose(g.numpy(), 2 * x, atol=1e-12)
    (g,) = ag.gradient(f, spacing=(ag.tensor(x),), edge_order=2)
    np.testing.assert_allclose(g.numpy(), 2 * x, atol=1e-12)
    # non-uniform coordinates: central differences of a quadratic are still exact inside
    c = np.array([0.0, 0.5, 2.0, 2.25, 4.0])
    (g,) = ag.gradient(ag.tensor(c ** 2), spacing=(ag.tensor(c),))
    np.testing.assert_allclose(g.numpy()[1:-1], 2 * c[1:-1], atol=1e-12)
    # one-sided first-order ends: the slope of the end segments
    assert g.numpy()[0] == pytest.approx(0.5) and g.numpy()[-1] == pytest.approx(6.25)
    # two dims at once: d/drow and d/dcol of a plane 3 r + 5 c
    r, k = np.meshgrid(np.arange(3.0), np.arange(4.0), indexing="ij")
    gr, gc = ag.gradient(ag.tensor(3 * r + 5 * k))
    np.testing.assert_allclose(gr.numpy(), 3.0)
    np.testing.assert_allclose(gc.numpy(), 5.0)
    with pytest.raises(RuntimeError, match="at least edge_order\\+1"):
        ag.gradient(ag.tensor([1.0, 2.0]), edge_order=2)
    with pytest.raises(RuntimeError, match="edge_order=1 and edge_order=2"):
        ag.gradient(ag.tensor([1.0, 2.0, 3.0]), edge_order=3)


def test_cumulative_trapezoid_closed_form():
    x = np.array([0.0, 0.5, 2.0, 3.0])
    y = 2 * x + 1  # the integral from 0 of 2t + 1 is x^2 + x, exact for the trapezoid rule
    got = ag.cumulative_trapezoid(ag.tensor(y), ag.tensor(x))
    np.testing.assert_allclose(got.numpy(), (x ** 2 + x)[1:], rtol=1e-15)
    assert ag.cumulative_trapezoid(ag.tensor([1, 5, 10])).tolist() == [3.0, 10.5]
    assert ag.cumulative_trapezoid(ag.tensor([1.0, 3.0]), dx=0.5).tolist() == [1.0]


@pytest.mark.torch_parity
def test_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    v = rng.standard_normal((4, 5, 3))
    c1 = np.cumsum(rng.uniform(0.2, 2.0, 5))
    c0 = np.cumsum(rng.uniform(0.2, 2.0, 4))
    cases = [
        (dict(), dict()),
        (dict(spacing=0.7, dim=1), dict(spacing=0.7, dim=1)),
        (dict(spacing=[2.0, 0.5], dim=[0, 2], edge_order=2),
         dict(spacing=[2.0, 0.5], dim=[0, 2], edge_order=2)),
        (dict(dim=-1, edge_order=2), dict(dim=-1, edge_order=2)),
        ("coords", 1), ("coords", 2),
    ]
    g_out = rng.standard_normal(v.shape)
    for kw_a, kw_t in cases:
        a, t = ag.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
        if kw_a == "coords":
            ca0, ca1 = ag.tensor(c0, requires_grad=True), ag.tensor(c1, requires_grad=True)
            ct0, ct1 = torch.tensor(c0, requires_grad=True), torch.tensor(c1, requires_grad=True)
            got = ag.gradient(a, spacing=(ca0, ca1), dim=[0, 1], edge_order=kw_t)
            want = torch.gradient(t, spacing=(ct0, ct1), dim=[0, 1], edge_order=kw_t)
        else:
            got, want = ag.gradient(a, **kw_a), torch.gradient(t, **kw_t)
        assert len(got) == len(want)
        for ga, gt in zip(got, want):
            np.testing.assert_allclose(ga.detach().numpy(), gt.detach().numpy(), rtol=1e-12,
                                       atol=1e-12, err_msg=str(kw_t))
        sum(((x * ag.tensor(g_out)).sum() for x in got), ag.tensor(0.0)).backward()
        sum((x * torch.tensor(g_out)).sum() for x in want).backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
        if kw_a == "coords":
            np.testing.assert_allclose(ca0.grad.numpy(), ct0.grad.numpy(), rtol=1e-10)
            np.testing.assert_allclose(ca1.grad.numpy(), ct1.grad.numpy(), rtol=1e-10)
    i = np.array([1, 4, 9, 16])
    assert ag.gradient(ag.tensor(i))[0].tolist() == torch.gradient(torch.tensor(i))[0].tolist()


@pytest.mark.torch_parity
def test_cumulative_trapezoid_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    y = rng.standard_normal((3, 6))
    xs = np.cumsum(rng.uniform(0.1, 1.0, 6))
    xfull = np.cumsum(rng.uniform(0.1, 1.0, (3, 6)), axis=1)
    for args, kw in (((), {}), ((), dict(dx=0.3)), ((xs,), {}), ((xfull,), {}),
                     ((), dict(dim=0, dx=2.0))):
        a, t = ag.tensor(y, requires_grad=True), torch.tensor(y, requires_grad=True)
        xa = [ag.tensor(x, requires_grad=True) for x in args]
        xt = [torch.tensor(x, requires_grad=True) for x in args]
        ya, yt = ag.cumulative_trapezoid(a, *xa, **kw), torch.cumulative_trapezoid(t, *xt, **kw)
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-14)
        g = rng.standard_normal(tuple(yt.shape))
        ya.backward(ag.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-14)
        for p, q in zip(xa, xt):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-13)


def test_cumulative_trapezoid_refuses_bool_as_pytorch():
    with pytest.raises(RuntimeError, match="received a bool input for `y`"):
        ag.cumulative_trapezoid(ag.tensor([True, False, True]))


def test_gradient_refuses_repeated_dims_and_a_spacing_list_of_the_wrong_length():
    # a repeated dim returned its derivative twice where PyTorch refuses
    x = ag.zeros(3, 4)
    with pytest.raises(RuntimeError, match="^dim 0 appears multiple times in the list of dims$"):
        ag.gradient(x, dim=[0, -2])
    # without dim, PyTorch's words name self.dim()
    with pytest.raises(RuntimeError, match="a list of length equal to 'self.dim\\(\\) = 2', "
                                           "since dim argument was not given, but got a list "
                                           "of length 1$"):
        ag.gradient(x, spacing=[1.0])
    with pytest.raises(RuntimeError, match="spacing argument of length 2 and a dim argument "
                                           "of length 1"):
        ag.gradient(x, spacing=[1.0, 2.0], dim=0)


def test_cumulative_trapezoid_refuses_a_0d_input_as_pytorch():
    with pytest.raises(IndexError, match="^slice\\(\\) cannot be applied to a 0-dim tensor.$"):
        ag.cumulative_trapezoid(ag.tensor(1.0))
