"""review22: edge inputs of this session's changes (clamp's numpy-scalar bounds, det of a
matrix with NaN or inf), against PyTorch or hand-worked values."""

import numpy as np
import pytest

import autograd_core as ag

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("bounds", [dict(max=np.float64(0.5)), dict(min=np.float64(0.5)),
                                    dict(min=np.float32(0.1), max=np.float64(0.5))])
def test_clamp_numpy_scalar_bound_keeps_dtype(dtype, bounds):
    # an np.float64 bound is a number (PyTorch's Scalar): numpy's clip made float64
    x = ag.tensor([0.0, 0.3, 1.0], dtype=getattr(ag, dtype), requires_grad=True)
    y = x.clamp(**bounds)
    assert y.dtype == x.dtype
    lo, hi = bounds.get("min", -np.inf), bounds.get("max", np.inf)
    np.testing.assert_array_equal(y._data, np.clip(np.array([0.0, 0.3, 1.0], dtype),
                                                    float(lo), float(hi)).astype(dtype))
    y.sum().backward()
    assert x.grad.dtype == x.dtype


def test_clamp_numpy_scalar_bound_on_integers_and_range():
    y = ag.tensor([1, 5]).clamp(max=np.float64(2.5))  # integers, a float bound: float32
    assert y.dtype == ag.float32
    np.testing.assert_array_equal(y._data, np.array([1.0, 2.5], np.float32))
    assert ag.tensor([1, 5]).clamp(max=np.int64(3)).dtype == ag.int64
    with pytest.raises(RuntimeError, match="cannot be converted to type float without overflow"):
        ag.ones(2).clamp(max=np.float64(1e40))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("a", [[[NAN, 1.0], [1.0, 1.0]], [[0.0, 0.0], [NAN, 0.0]],
                               [[NAN, 0.0], [0.0, 0.0]], [[INF, 0.0], [0.0, 0.0]]])
def test_det_undefined_is_nan_with_nan_gradient(dtype, a):
    # numpy's det is 0 there (a zero pivot, no product formed); PyTorch's (the pivots'
    # product) and the value: NaN; its gradient NaN throughout (inverting raised)
    x = ag.tensor(a, dtype=getattr(ag, dtype), requires_grad=True)
    y = x.det()
    assert y.dtype == x.dtype and np.isnan(y._data)
    y.backward()
    assert x.grad.dtype == x.dtype and np.isnan(x.grad._data).all()


def test_det_batch_with_a_nan_matrix_keeps_the_others():
    b = np.array([[[NAN, 1.0], [1.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [2.0, 4.0]]])
    x = ag.tensor(b, requires_grad=True)
    y = x.det()
    assert np.isnan(y._data[0]) and y._data[1] == pytest.approx(-2.0) and y._data[2] == 0.0
    (g,) = ag.autograd.grad(y.sum(), x)
    assert np.isnan(g._data[0]).all()
    # the cofactor matrices [[d, -c], [-b, a]] of the other two
    np.testing.assert_allclose(g._data[1], [[4.0, -3.0], [-2.0, 1.0]], rtol=1e-14)
    np.testing.assert_allclose(g._data[2], [[4.0, -2.0], [-2.0, 1.0]], rtol=1e-14)


def test_det_nan_matrix_create_graph():
    b = np.array([[[NAN, 1.0], [1.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]]])
    x = ag.tensor(b, requires_grad=True)
    (g,) = ag.autograd.grad(x.det().sum(), x, create_graph=True)
    (h,) = ag.autograd.grad(g.sum(), x)
    assert np.isnan(g._data[0]).all() and np.isnan(h._data[0]).all()
    # d/dA of sum(cofactors) for 2x2 [[a, b], [c, d]]: sum = d - c - b + a
    np.testing.assert_allclose(h._data[1], [[1.0, -1.0], [-1.0, 1.0]])


@pytest.mark.torch_parity
def test_det_non_finite_vs_torch():
    torch = pytest.importorskip("torch")
    for a in ([[NAN, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, NAN]], [[INF, 1.0], [1.0, 1.0]],
              [[INF, INF], [1.0, 1.0]], [[INF, 0.0], [0.0, 0.0]], [[-INF, 1.0], [1.0, 1.0]]):
        x = ag.tensor(a, requires_grad=True)
        t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        y, yt = x.det(), t.det()
        np.testing.assert_array_equal(y._data, yt.detach().numpy())
        y.backward()
        yt.backward()
        np.testing.assert_array_equal(x.grad._data, t.grad.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("a", [[[NAN, 1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, NAN]],
                               [[INF, INF], [1.0, 1.0]], [[INF, 0.0], [0.0, 0.0]]])
def test_slogdet_undefined_is_zero_sign_nan_log(dtype, a):
    # PyTorch's (0, NaN) where the pivots' product is NaN; numpy's was (0, -inf) or (1, NaN),
    # and the gradient raised from inverting
    x = ag.tensor(a, dtype=getattr(ag, dtype), requires_grad=True)
    sign, logabs = ag.linalg.slogdet(x)
    assert sign.dtype == logabs.dtype == x.dtype
    assert sign._data == 0 and not np.signbit(sign._data) and np.isnan(logabs._data)
    logabs.backward()
    assert np.isnan(x.grad._data).all()


def test_slogdet_batch_with_a_nan_matrix_create_graph():
    b = np.array([[[NAN, 1.0], [1.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]]])
    x = ag.tensor(b, requires_grad=True)
    sign, logabs = ag.linalg.slogdet(x)
    np.testing.assert_array_equal(sign._data, [0.0, -1.0])
    assert np.isnan(logabs._data[0]) and logabs._data[1] == pytest.approx(np.log(2.0))
    (g,) = ag.autograd.grad(logabs.sum(), x, create_graph=True)
    (h,) = ag.autograd.grad(g.sum(), x)
    assert np.isnan(g._data[0]).all() and np.isnan(h._data[0]).all()
    # A^-T of [[1, 2], [3, 4]] (det -2), and d/dA of its elements' sum: -A^-T (1 1^T) A^-T
    inv_t = np.array([[-2.0, 1.5], [1.0, -0.5]])
    np.testing.assert_allclose(g._data[1], inv_t, rtol=1e-14)
    np.testing.assert_allclose(h._data[1], -inv_t @ np.ones((2, 2)) @ inv_t, rtol=1e-14)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clamp_at_a_zero_bound_keeps_the_inputs_zero(dtype):
    # ATen's max/min keep the input at a tie: clamp_min(-0.0, 0) is -0.0 (relu's value);
    # numpy's clip gave +0.0. min > max: max everywhere
    x = ag.tensor([-0.0, 0.0, -1.0, 2.0], dtype=getattr(ag, dtype))
    for kw, want in [(dict(min=0.0), [-0.0, 0.0, 0.0, 2.0]), (dict(min=-0.0), [-0.0, 0.0, -0.0, 2.0]),
                     (dict(max=0.0), [-0.0, 0.0, -1.0, 0.0]), (dict(max=-0.0), [-0.0, 0.0, -1.0, -0.0]),
                     (dict(min=0, max=0), [-0.0, 0.0, 0.0, 0.0]),
                     (dict(min=1.0, max=0.0), [0.0, 0.0, 0.0, 0.0])]:
        y = x.clamp(**kw)._data
        np.testing.assert_array_equal(y, want)
        np.testing.assert_array_equal(np.signbit(y), np.signbit(want), err_msg=str(kw))
    np.testing.assert_array_equal(np.signbit(x.clamp_min(0)._data), [True, False, False, False])


@pytest.mark.torch_parity
def test_clamp_zero_bounds_vs_torch():
    torch = pytest.importorskip("torch")
    v = [-0.0, 0.0, 1.0, -1.0, NAN, -2.0, 2.0] * 300
    for kw in (dict(min=0.0), dict(max=-0.0), dict(min=-0.0, max=0.0), dict(min=0.0, max=-0.0),
               dict(min=1.0, max=0.0), dict(min=NAN), dict(min=0.0, max=NAN)):
        for dt in ("float16", "float32", "float64"):
            a = ag.tensor(v, dtype=getattr(ag, dt)).clamp(**kw)._data
            b = torch.tensor(v, dtype=getattr(torch, dt)).clamp(**kw).numpy()
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(np.signbit(a[~np.isnan(a)]), np.signbit(b[~np.isnan(b)]))


def test_logdet_negative_determinant_has_no_gradient():
    # PyTorch's logdet is where(sign == -1, nan, logabsdet): a zero gradient there; adding a
    # NaN constant passed logabsdet's gradient (-A^-T here) through
    a = np.array([[[-1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [0.0, 4.0]]])
    x = ag.tensor(a, requires_grad=True)
    y = ag.logdet(x)
    assert np.isnan(y._data[0]) and y._data[1] == pytest.approx(np.log(8.0))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data[0], np.zeros((2, 2)))
    np.testing.assert_allclose(x.grad._data[1], [[0.5, 0.0], [0.0, 0.25]], rtol=1e-15)


def test_cat_takes_one_dimensional_empty_inputs_beside_nd_ones():
    # PyTorch's legacy rule (out = cat([torch.tensor([]), x]) in a loop): a (0,) input joins
    # n-d ones, its dtype promoted with theirs; its gradient is empty
    e = ag.zeros(0, requires_grad=True)
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = ag.cat([x, e, x * 2.0])
    np.testing.assert_array_equal(y._data, [[1, 2], [3, 4], [2, 4], [6, 8]])
    (y * ag.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])).sum().backward()
    assert e.grad.shape == (0,)
    np.testing.assert_array_equal(x.grad._data, [[3.0, 2.0], [0.0, 1.0]])
    z = ag.cat([ag.tensor([]), ag.tensor([[1, 2]])], 1)  # int64 with float32's empty: float32
    assert z.dtype == ag.float32 and z.shape == (1, 2)
    with pytest.raises(IndexError):  # the dim is the n-d inputs'
        ag.cat([ag.tensor([]), ag.ones(2, 3)], 2)
    with pytest.raises(RuntimeError, match="same shape"):
        ag.cat([ag.tensor([]), ag.ones(2, 3), ag.ones(2, 4)])


@pytest.mark.torch_parity
def test_cat_empty_legacy_vs_torch():
    torch = pytest.importorskip("torch")
    for make in (lambda m: m.cat([m.tensor([]), m.ones(2, 3, dtype=m.int64)]),
                 lambda m: m.cat([m.ones(2, 3), m.tensor([]), m.ones(1, 3)]),
                 lambda m: m.cat([m.tensor([]), m.ones(2, 3)], -1),
                 lambda m: m.cat([m.tensor([], dtype=m.float64), m.ones(2, 3)])):
        a, b = make(ag), make(torch)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_array_equal(a._data, b.numpy())
