"""select_scatter / slice_scatter / diagonal_scatter, index_reduce(_), frexp, ldexp(_),
nextafter(_): hand-worked values and PyTorch parity (values and both inputs' gradients)."""

import numpy as np
import pytest

import autograd_core as ag


def test_view_scatters_by_hand():
    x = ag.arange(9.0).view(3, 3).requires_grad_()
    s = ag.tensor([10.0, 20.0, 30.0], requires_grad=True)
    y = ag.select_scatter(x, s, 1, 0)
    assert y.tolist() == [[10.0, 1.0, 2.0], [20.0, 4.0, 5.0], [30.0, 7.0, 8.0]]
    (y * ag.arange(9.0).view(3, 3)).sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 2.0], [0.0, 4.0, 5.0], [0.0, 7.0, 8.0]]
    assert s.grad.tolist() == [0.0, 3.0, 6.0]
    assert x.tolist()[0] == [0.0, 1.0, 2.0]  # the input is not changed
    assert ag.diagonal_scatter(ag.zeros(3, 3), ag.ones(2), -1).tolist() == \
        [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert ag.zeros(5).slice_scatter(ag.ones(2), 0, 1, None, 3).tolist() == [0, 1, 0, 0, 1]
    with pytest.raises(RuntimeError, match=r"src size = \[2\], slice size = \[3\]"):
        ag.select_scatter(ag.zeros(3, 3), ag.ones(2), 0, 0)


def test_index_reduce_by_hand():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    src = ag.tensor([[2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])
    idx = ag.tensor([0, 2, 0])
    assert x.index_reduce(0, idx, src, "prod").tolist() == [[12.0, 42.0], [3.0, 4.0], [20.0, 30.0]]
    assert x.index_reduce(0, idx, src, "mean").tolist() == [[3.0, 4.0], [3.0, 4.0], [4.5, 5.5]]
    assert x.index_reduce(0, idx, src, "amax", include_self=False).tolist() == \
        [[6.0, 7.0], [3.0, 4.0], [4.0, 5.0]]
    y = x.clone()
    assert y.index_reduce_(1, ag.tensor([1, 1]), -x, "amin") is y
    assert y.tolist() == [[1.0, -2.0], [3.0, -4.0], [5.0, -6.0]]
    with pytest.raises(RuntimeError, match="prod, mean, amax or amin but got sum"):
        x.index_reduce(0, idx, src, "sum")
    with pytest.raises(RuntimeError, match=r"Number of indices \(2\) should be equal"):
        x.index_reduce(0, ag.tensor([0, 1]), src, "prod")


def test_frexp_ldexp_nextafter_by_hand():
    m, e = ag.frexp(ag.tensor([8.0, -3.0, 0.25, 0.0]))
    assert m.tolist() == [0.5, -0.75, 0.5, 0.0] and e.tolist() == [4, 2, -1, 0]
    assert e.dtype == ag.int32
    m, e = ag.frexp(ag.tensor([1e-40]))  # a float32 subnormal: 2 ** -132 * 0.544...
    assert e.item() == -132 and 0.5 <= m.item() < 1
    assert ag.ldexp(ag.tensor([1.0, 3.0]), ag.tensor([3, -1])).tolist() == [8.0, 1.5]
    one = ag.tensor([1.0], dtype=ag.float64)
    assert ag.nextafter(one, ag.tensor([2.0], dtype=ag.float64)).item() == 1 + 2.0 ** -52
    assert ag.nextafter(one, ag.tensor([0.0], dtype=ag.float64)).item() == 1 - 2.0 ** -53
    with pytest.raises(RuntimeError, match="only supports floating-point"):
        ag.frexp(ag.tensor([1, 2]))


@pytest.mark.torch_parity
def test_view_scatters_and_index_reduce_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5))
    cases = [
        ("select_scatter", lambda m, a, s: m.select_scatter(a, s, 1, -2), (3, 5)),
        ("slice_scatter", lambda m, a, s: m.slice_scatter(a, s, 2, 1, 5, 2), (3, 4, 2)),
        ("slice_scatter", lambda m, a, s: m.slice_scatter(a, s), (3, 4, 5)),
        ("diagonal_scatter", lambda m, a, s: m.diagonal_scatter(a, s, 1, 1, 2), (3, 4)),
        ("diagonal_scatter", lambda m, a, s: m.diagonal_scatter(a, s, -1, 0, 2), (4, 2)),
    ]
    for name, f, shape in cases:
        s = rng.standard_normal(shape)
        g = rng.standard_normal(x.shape)
        a, sa = ag.tensor(x, requires_grad=True), ag.tensor(s, requires_grad=True)
        t, st = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
        ya, yt = f(ag, a, sa), f(torch, t, st)
        np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy(), err_msg=name)
        ya.backward(ag.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy(), err_msg=name)
        np.testing.assert_array_equal(sa.grad.numpy(), st.grad.numpy(), err_msg=name)
    base = rng.standard_normal((4, 3))
    base[1, 2] = 0.0  # a zero in prod's gradient
    src = rng.standard_normal((5, 3))
    src[3] = src[0]  # ties for amax/amin
    idx = np.array([0, 2, 0, 0, 3])
    g = rng.standard_normal(base.shape)
    import warnings
    for reduce in ("prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            a, sa = ag.tensor(base, requires_grad=True), ag.tensor(src, requires_grad=True)
            t, st = torch.tensor(base, requires_grad=True), torch.tensor(src, requires_grad=True)
            ya = a.index_reduce(0, ag.tensor(idx), sa, reduce, include_self=include_self)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PyTorch's "index_reduce() is in beta"
                yt = t.index_reduce(0, torch.tensor(idx), st, reduce, include_self=include_self)
            np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
            ya.backward(ag.tensor(g))
            yt.backward(torch.tensor(g))
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-15,
                                       err_msg=(reduce, include_self))
            np.testing.assert_allclose(sa.grad.numpy(), st.grad.numpy(), rtol=1e-12,
                                       atol=1e-15, err_msg=(reduce, include_self))


@pytest.mark.torch_parity
def test_frexp_ldexp_nextafter_match_torch():
    torch = pytest.importorskip("torch")
    special = [0.0, -0.0, float("inf"), -float("inf"), float("nan"), 1e-40, 3e38, -7.25, 1.0]
    for dtype in ("float32", "float64", "float16"):
        v = np.array(special, dtype=dtype)
        ma, ea = ag.frexp(ag.tensor(v))
        mt, et = torch.frexp(torch.tensor(v))
        np.testing.assert_array_equal(ma.numpy(), mt.numpy(), err_msg=dtype)
        np.testing.assert_array_equal(ea.numpy(), et.numpy(), err_msg=dtype)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(6), rng.standard_normal(6)
    k = rng.integers(-4, 5, 6)
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ma, mt = ag.frexp(a * 3.0).mantissa, torch.frexp(t * 3.0).mantissa
    ma.sum().backward()
    mt.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())
    for other_a, other_t in ((ag.tensor(k), torch.tensor(k)),
                             (ag.tensor(y, requires_grad=True), torch.tensor(y, requires_grad=True))):
        a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ya, yt = ag.ldexp(a, other_a), torch.ldexp(t, other_t)
        np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-15)
        ya.sum().backward()
        yt.sum().backward()
        if not other_a.requires_grad:  # PyTorch 2.13 gives 0 where an integer k < 0
            np.testing.assert_array_equal(a.grad.numpy(), 2.0 ** k)  # (DIFFERENCES.md)
        else:
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-15)
        if other_a.requires_grad:
            np.testing.assert_allclose(other_a.grad.numpy(), other_t.grad.numpy(), rtol=1e-15)
    for dtype in ("float32", "float64"):
        xs = np.array([1.0, -2.0, 0.0, 0.0, float("inf"), 5.0], dtype=dtype)
        ys = np.array([2.0, -3.0, 1.0, -1.0, 0.0, 5.0], dtype=dtype)
        a, t = ag.tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
        oa, ot = ag.tensor(ys, requires_grad=True), torch.tensor(ys, requires_grad=True)
        ya, yt = ag.nextafter(a, oa), torch.nextafter(t, ot)
        np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy())
        ya.sum().backward()
        yt.sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())
        np.testing.assert_array_equal(oa.grad.numpy(), ot.grad.numpy())
        ca, ct = ag.tensor(xs), torch.tensor(xs)
        ca.nextafter_(ag.tensor(ys))
        ct.nextafter_(torch.tensor(ys))
        np.testing.assert_array_equal(ca.numpy(), ct.numpy())
    ca, ct = ag.tensor(x), torch.tensor(x)
    ca.ldexp_(ag.tensor(k))
    ct.ldexp_(torch.tensor(k))
    np.testing.assert_allclose(ca.numpy(), ct.numpy(), rtol=1e-15)


def test_ldexp_integer_exponents_scale_exactly_in_the_promoted_dtype():
    # was mul(input, pow(2.0, other)): 2 ** 200 and 2 ** -1030 in float32 (inf / 0) gave a
    # float64 input inf (inf * 0 = NaN at an infinite input), and float16 became float32
    x = ag.tensor([1.0, -3.0, np.inf], dtype=ag.float64, requires_grad=True)
    y = ag.ldexp(x, ag.tensor([200, -1030, -1030]))
    assert y.dtype == ag.float64
    assert y.tolist() == [2.0 ** 200, -3 * 2.0 ** -1030, np.inf]
    y.sum().backward()
    assert x.grad.tolist() == [2.0 ** 200, 2.0 ** -1030, 2.0 ** -1030]
    h = ag.ldexp(ag.tensor([65504.0, 2.0 ** -20], dtype=ag.float16), ag.tensor([3, 20]))
    assert h.dtype == ag.float16 and h.tolist() == [np.inf, 1.0]
    # two integer tensors: the default dtype; a float exponent: pow(2, other) in its dtype
    assert ag.ldexp(ag.tensor([3]), ag.tensor([-140])).tolist() == [np.float32(3 * 2.0 ** -140)]
    assert ag.ldexp(ag.tensor([1], dtype=ag.int32),
                    ag.tensor(200.0, dtype=ag.float64)).tolist() == [2.0 ** 200]


def test_ldexp_second_derivative_of_an_integer_exponent_product():
    x = ag.tensor([0.5, 2.0], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad((ag.ldexp(x, ag.tensor([3, -2])) * x).sum(), x, create_graph=True)
    assert g.tolist() == [2 * 8 * 0.5, 2 * 0.25 * 2.0]  # d/dx (2^n x^2) = 2^(n+1) x
    (h,) = ag.autograd.grad(g.sum(), x)
    assert h.tolist() == [16.0, 0.5]


@pytest.mark.parametrize("index", [[-1, 0], [5], [1, 7]])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_refuses_positions_out_of_range_with_an_index_error(index, include_self):
    # PyTorch raises IndexError (negative positions too); scatter_reduce's RuntimeError leaked
    x = ag.zeros(5, 3)
    with pytest.raises(IndexError, match="index out of range in self|out of bounds"):
        x.index_reduce(0, ag.tensor(index), ag.ones(len(index), 3), "prod",
                       include_self=include_self)
    with pytest.raises(IndexError):
        x.index_reduce_(0, ag.tensor(index), ag.ones(len(index), 3), "amax")
    assert x.tolist() == [[0.0] * 3] * 5
