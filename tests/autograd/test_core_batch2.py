"""Issue 12, second batch: hand-worked values, closed-form gradients and error cases of the new
functions and Tensor methods (the op table's generic tests run gradcheck, gradgradcheck, the
out= forms and ag.compile replay on their samples)."""

import math

import numpy as np
import pytest

import autograd_core as ag


def _t(values, **kw):
    return ag.tensor(np.asarray(values, dtype=np.float64), **kw)


def test_tan_values_gradient_and_inplace():
    x = _t([0.0, math.pi / 4, -math.pi / 3], requires_grad=True)
    y = ag.tan(x)
    np.testing.assert_allclose(y.data, [0.0, 1.0, -math.sqrt(3.0)], rtol=1e-12, atol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 2.0, 4.0], rtol=1e-12)  # 1 / cos^2
    z = _t([math.pi / 4])
    assert z.tan_() is z and z.item() == pytest.approx(1.0)
    assert ag.tan(ag.tensor([0, 1])).dtype == ag.float32


def test_logical_ops_truth_tables():
    a = ag.tensor([0.0, 0.0, 2.0, -1.0])
    b = ag.tensor([0, 3, 0, 5])
    assert ag.logical_and(a, b).tolist() == [False, False, False, True]
    assert a.logical_or(b).tolist() == [False, True, True, True]
    assert ag.logical_xor(a, b).tolist() == [False, True, True, False]
    assert a.logical_not().tolist() == [True, True, False, False]
    assert ag.logical_and(a, b).dtype == ag.bool


def test_broadcast_helpers():
    assert ag.broadcast_shapes((3, 1), (4,), 1) == (3, 4)
    assert ag.broadcast_shapes() == ()
    with pytest.raises(RuntimeError, match="Attempting to broadcast a dimension of length 3"):
        ag.broadcast_shapes((2,), (3,))
    a, b = ag.broadcast_tensors(ag.tensor([[1.0], [2.0]]), ag.tensor([10.0, 20.0, 30.0]))
    assert a.tolist() == [[1.0] * 3, [2.0] * 3] and b.tolist() == [[10.0, 20.0, 30.0]] * 2
    x = _t([1.0, 2.0], requires_grad=True)
    y = x.broadcast_to((3, 2))
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_tile_and_ravel():
    x = ag.tensor([[1, 2], [3, 4]])
    assert ag.tile(x, (1, 2)).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4]]
    assert x.tile((2,)).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4]]
    assert ag.tile(ag.tensor([5]), (2, 2)).tolist() == [[5, 5], [5, 5]]
    assert x.t().ravel().tolist() == [1, 3, 2, 4]


def test_xlogy_zero_convention_and_gradient():
    x = _t([0.0, 2.0, 0.0, 0.0], requires_grad=True)
    y = _t([0.0, math.e, float("nan"), 2.0], requires_grad=True)
    out = ag.xlogy(x, y)
    assert out[0].item() == 0.0 and out[1].item() == pytest.approx(2.0)
    assert math.isnan(out[2].item()) and out[3].item() == 0.0
    out.sum().backward()
    # PyTorch's rules: d/dx = log(y), 0 where y == 0; d/dy = x / y (0 / 0 is NaN)
    np.testing.assert_allclose(x.grad.data[[0, 1, 3]], [0.0, 1.0, math.log(2.0)])
    np.testing.assert_allclose(y.grad.data[[1, 3]], [2.0 / math.e, 0.0])
    assert math.isnan(y.grad.data[0])
    assert ag.xlogy(ag.tensor([1, 2]), 3).dtype == ag.float32


def test_logit_closed_form_and_eps_clamp():
    p = _t([0.25, 0.5, 0.999], requires_grad=True)
    out = ag.logit(p)
    np.testing.assert_allclose(out.data, np.log(p.data / (1 - p.data)), rtol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(p.grad.data, 1 / (p.data * (1 - p.data)), rtol=1e-12)
    q = _t([0.0, 1.0, 0.5], requires_grad=True)
    r = q.logit(eps=0.1)
    np.testing.assert_allclose(r.data, [math.log(1 / 9), math.log(9), 0.0], rtol=1e-12)
    r.sum().backward()
    assert q.grad.tolist() == [0.0, 0.0, 4.0]  # clamped places get no gradient


def test_angle_conversions_and_sign_functions():
    assert ag.deg2rad(_t([180.0])).item() == pytest.approx(math.pi)
    assert ag.rad2deg(_t([math.pi / 2])).item() == pytest.approx(90.0)
    assert ag.deg2rad(ag.tensor([90])).dtype == ag.float32
    x = _t([-0.0, 0.0, -2.0, 3.0])
    assert ag.signbit(x).tolist() == [True, False, True, False]
    assert ag.negative(x).tolist() == [0.0, -0.0, 2.0, -3.0]
    assert ag.positive(x) is x
    with pytest.raises(RuntimeError, match="bool tensor is not supported"):
        ag.positive(ag.tensor([True]))
    inf = _t([-math.inf, math.inf, 1.0])
    assert ag.isneginf(inf).tolist() == [True, False, False]
    assert inf.isposinf().tolist() == [False, True, False]


def test_value_predicates():
    assert ag.equal(ag.tensor([1, 2]), ag.tensor([1, 2])) is True
    assert ag.tensor([1, 2]).equal(ag.tensor([1, 3])) is False
    assert ag.equal(ag.tensor([1, 1]), ag.tensor([[1, 1]])) is False  # shapes differ
    assert ag.is_floating_point(_t([1.0])) and not ag.is_floating_point(ag.tensor([1]))
    assert ag.is_complex(_t([1.0])) is False and _t([1.0]).is_complex() is False
    assert ag.is_nonzero(ag.tensor([[3]])) is True and ag.is_nonzero(ag.tensor(0.0)) is False
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        ag.is_nonzero(ag.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="no values is ambiguous"):
        ag.is_nonzero(ag.tensor([]))


def test_isin():
    e = ag.tensor([[1, 5], [3, 7]])
    assert ag.isin(e, ag.tensor([3, 5])).tolist() == [[False, True], [True, False]]
    assert ag.isin(e, 7, invert=True).tolist() == [[True, True], [True, False]]
    assert ag.isin(3, ag.tensor([1, 3])).item() is True


def test_floor_divide_rounds_down():
    assert ag.floor_divide(ag.tensor([7, -7, 6]), ag.tensor([2, 2, -4])).tolist() == [3, -4, -2]
    out = ag.tensor([7.5, -7.5]).floor_divide(2)
    assert out.tolist() == [3.0, -4.0] and out.dtype == ag.float32
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        ag.floor_divide(ag.tensor([1]), 0)


def test_fmax_fmin_ignore_nan_and_route_ties_to_input():
    nan = float("nan")
    a = _t([1.0, nan, 3.0, 2.0], requires_grad=True)
    b = _t([2.0, 5.0, nan, 2.0], requires_grad=True)
    assert ag.fmax(a, b).tolist() == [2.0, 5.0, 3.0, 2.0]
    assert ag.fmin(a, b).tolist() == [1.0, 5.0, 3.0, 2.0]
    ag.fmax(a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0, 1.0, 1.0] and b.grad.tolist() == [1.0, 1.0, 0.0, 0.0]


def test_copysign_values_and_gradients():
    x = _t([1.0, -2.0, 3.0, 0.0], requires_grad=True)
    s = _t([-1.0, 1.0, -0.0, -1.0], requires_grad=True)
    out = ag.copysign(x, s)
    assert out.tolist() == [-1.0, 2.0, -3.0, -0.0] and math.copysign(1, out[3].item()) < 0
    out.sum().backward()
    assert x.grad.tolist() == [-1.0, -1.0, -1.0, 0.0] and s.grad.tolist() == [0.0] * 4
    assert ag.copysign(ag.tensor([1, 2]), -1).tolist() == [-1.0, -2.0]


def test_sinc_value_and_gradient_at_zero():
    x = _t([0.0, 0.5, 1.5], requires_grad=True)
    y = ag.sinc(x)
    np.testing.assert_allclose(y.data, [1.0, 2 / math.pi, -2 / (3 * math.pi)], rtol=1e-12)
    y.sum().backward()
    want = [(math.cos(math.pi * v) - math.sin(math.pi * v) / (math.pi * v)) / v
            for v in (0.5, 1.5)]
    np.testing.assert_allclose(x.grad.data, [0.0] + want, rtol=1e-12)


def test_heaviside():
    out = ag.heaviside(_t([-2.0, 0.0, 0.0, 4.0]), _t([0.5, 0.5, 7.0, 0.5]))
    assert out.tolist() == [0.0, 0.5, 7.0, 1.0]
    with pytest.raises(RuntimeError, match="different dtypes"):
        ag.heaviside(_t([1.0]), ag.tensor([1]))


def test_logaddexp2_closed_form():
    a, b = _t([1.0, 1000.0], requires_grad=True), _t([3.0, 1000.0], requires_grad=True)
    out = ag.logaddexp2(a, b)
    np.testing.assert_allclose(out.data, [math.log2(10.0), 1001.0], rtol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(a.grad.data, [0.2, 0.5], rtol=1e-12)  # 2^a / (2^a + 2^b)
    np.testing.assert_allclose(b.grad.data, [0.8, 0.5], rtol=1e-12)


def test_float_power_is_float64_with_gradients():
    out = ag.float_power(ag.tensor([2, 3], dtype=ag.float32), 2)
    assert out.dtype == ag.float64 and out.tolist() == [4.0, 9.0]
    a, b = _t([1.5, 2.0], requires_grad=True), _t([0.5, 3.0], requires_grad=True)
    assert ag.gradcheck(ag.float_power, (a, b))
    assert ag.gradgradcheck(ag.float_power, (a, b))
    x = ag.tensor([2.0], requires_grad=True)  # float32 in, its gradient float32
    ag.float_power(x, 3).sum().backward()
    assert x.grad.dtype == ag.float32 and x.grad.item() == 12.0


def test_atleast_nd_shapes():
    s, v, m = ag.tensor(1.0), ag.tensor([1.0, 2.0]), ag.ones(2, 3)
    assert ag.atleast_1d(s).shape == (1,)
    assert [t.shape for t in ag.atleast_2d(s, v, m)] == [(1, 1), (1, 2), (2, 3)]
    assert [t.shape for t in ag.atleast_3d([s, v, m])] == [(1, 1, 1), (1, 2, 1), (2, 3, 1)]
    assert ag.atleast_1d(v) is v


def test_layout_methods():
    x = ag.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1) and x.stride(-1) == 1
    assert x.transpose(0, 2).stride() == (1, 4, 12)
    assert x.ndimension() == 3
    assert x.is_contiguous() and not x.transpose(0, 1).is_contiguous()
    assert ag.tensor([1, 2]).type_as(_t([0.0])).dtype == ag.float64
    y = ag.tensor([1.7, -2.0, 300.0])
    assert y.byte().dtype == ag.uint8 and y.short().dtype == ag.int16
    assert y.char().dtype == ag.int8 and y.short().tolist() == [1, -2, 300]


def test_select():
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert ag.select(x, 0, 1).tolist() == [4.0, 5.0, 6.0]
    col = x.select(1, -1)
    assert col.tolist() == [3.0, 6.0]
    col.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    with pytest.raises(IndexError, match=r"select\(\): index 5 out of range for tensor of size "
                                         r"\[2, 3\] at dimension 1"):
        x.select(1, 5)


def test_unfold_windows_and_gradient():
    x = _t(np.arange(7.0), requires_grad=True)
    w = x.unfold(0, 3, 2)
    assert w.tolist() == [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0], [4.0, 5.0, 6.0]]
    w.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 2.0, 1.0, 2.0, 1.0, 1.0]  # overlaps count twice
    m = ag.arange(12.0).reshape(3, 4)
    assert m.unfold(1, 2, 1).shape == (3, 3, 2) and m.unfold(0, 2, 1).shape == (2, 4, 2)
    assert m.unfold(0, 2, 1)[1, 2].tolist() == [6.0, 10.0]
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 0 is 7 but "
                                           "size is 8"):
        x.unfold(0, 8, 1)
    with pytest.raises(RuntimeError, match="step is 0 but must be > 0"):
        x.unfold(0, 2, 0)


def test_fill_diagonal_():
    assert ag.zeros(3, 2).fill_diagonal_(1.0).tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    wrapped = ag.zeros(5, 2).fill_diagonal_(1.0, wrap=True)
    assert wrapped.tolist() == [[1, 0], [0, 1], [0, 0], [1, 0], [0, 1]]
    cube = ag.zeros(2, 2, 2).fill_diagonal_(4.0)
    assert cube[0, 0, 0].item() == 4.0 and cube[1, 1, 1].item() == 4.0 and cube.sum().item() == 8
    with pytest.raises(RuntimeError, match="dimensions must larger than 1"):
        ag.zeros(3).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError, match="all dimensions of input must be of equal length"):
        ag.zeros(2, 2, 3).fill_diagonal_(1.0)


def test_index_add_copy_fill_values_and_gradients():
    x = ag.zeros(3, 2, requires_grad=True)
    src = _t([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]).float().requires_grad_()
    out = ag.index_add(x, 0, ag.tensor([2, 0, 2]), src, alpha=2)
    assert out.tolist() == [[6.0, 8.0], [0.0, 0.0], [12.0, 16.0]]
    (out * ag.tensor([[1.0], [10.0], [100.0]])).sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0], [10.0, 10.0], [100.0, 100.0]]
    assert src.grad.tolist() == [[200.0, 200.0], [2.0, 2.0], [200.0, 200.0]]

    y = ag.ones(2, 3, requires_grad=True)
    s = ag.tensor([[7.0], [8.0]], requires_grad=True)
    c = y.index_copy(1, ag.tensor([1]), s)
    assert c.tolist() == [[1.0, 7.0, 1.0], [1.0, 8.0, 1.0]]
    c.sum().backward()
    assert y.grad.tolist() == [[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]] and s.grad.tolist() == [[1.0],
                                                                                          [1.0]]
    v = ag.tensor(2.5, requires_grad=True)
    f = ag.index_fill(ag.zeros(2, 3), 1, ag.tensor([0, 2]), v)
    assert f.tolist() == [[2.5, 0.0, 2.5], [2.5, 0.0, 2.5]]
    f.sum().backward()
    assert v.grad.item() == 4.0

    z = ag.zeros(4)
    assert z.index_fill_(0, ag.tensor([1, 3]), -1.0) is z and z.tolist() == [0, -1, 0, -1]
    z.index_add_(0, ag.tensor([0]), ag.tensor([5.0]))
    z.index_copy_(0, ag.tensor([3]), ag.tensor([9.0]))
    assert z.tolist() == [5.0, -1.0, 0.0, 9.0]


def test_index_ops_errors():
    x = ag.zeros(3, 2)
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x.index_add(0, ag.tensor([0, 5]), ag.ones(2, 2))
    with pytest.raises(IndexError, match=r"Number of indices \(3\) should be equal to"):
        x.index_copy(0, ag.tensor([0, 1, 2]), ag.ones(2, 2))
    with pytest.raises(RuntimeError, match=r"self \(Float\) and source \(Double\) must have the "
                                           "same scalar type"):
        x.index_add(0, ag.tensor([0]), ag.ones(1, 2, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="Expected dtype int32/int64 for index but got: Float"):
        x.index_fill(0, ag.tensor([0.0]), 1.0)
    with pytest.raises(RuntimeError, match="Index has to be a vector/scalar"):
        x.index_fill(0, ag.tensor([[0]]), 1.0)
    before = x.tolist()
    with pytest.raises(IndexError):
        x.index_fill_(0, ag.tensor([7]), 1.0)
    assert x.tolist() == before  # refused before any change


# ---- third part: splits, products, statistics, integer functions -------------------------------

def test_hsplit_vsplit_dsplit():
    x = ag.arange(12).reshape(2, 3, 2)
    assert [p.shape for p in ag.hsplit(x, 3)] == [(2, 1, 2)] * 3
    assert [p.shape for p in x.vsplit([1])] == [(1, 3, 2), (1, 3, 2)]
    assert [p.tolist() for p in ag.dsplit(x, 2)][1] == [[[1], [3], [5]], [[7], [9], [11]]]
    assert [p.tolist() for p in ag.hsplit(ag.arange(4), 2)] == [[0, 1], [2, 3]]
    with pytest.raises(RuntimeError, match="not divisible by the split_size 2"):
        ag.hsplit(ag.zeros(2, 3), 2)
    with pytest.raises(RuntimeError, match="at least 3 dimension, but got a tensor with 2"):
        ag.dsplit(ag.zeros(2, 3), 1)


def test_diagflat_vdot_inner():
    assert ag.diagflat(ag.tensor([[1, 2], [3, 4]])).tolist() == [
        [1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [0, 0, 0, 4]]
    assert ag.diagflat(ag.tensor([5]), -1).tolist() == [[0, 0], [5, 0]]
    assert ag.vdot(_t([1.0, 2.0, 3.0]), _t([4.0, 5.0, 6.0])).item() == 32.0
    a = _t([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = _t([[1.0, 0.0], [1.0, 1.0]])
    assert ag.inner(a, b).tolist() == [[1.0, 3.0], [3.0, 7.0], [5.0, 11.0]]
    assert ag.inner(_t(2.0), b).tolist() == [[2.0, 0.0], [2.0, 2.0]]
    with pytest.raises(RuntimeError, match="the last dimension must match"):
        ag.inner(a, _t([1.0, 2.0, 3.0]))


def test_cov_and_corrcoef_hand_worked():
    x = _t([[1.0, 2.0, 4.0], [3.0, 3.0, 0.0]])
    # means 7/3 and 2; deviations (-4/3, -1/3, 5/3) and (1, 1, -2)
    c = ag.cov(x)
    np.testing.assert_allclose(c.data, [[7 / 3, -5 / 2], [-5 / 2, 3.0]], rtol=1e-12)
    np.testing.assert_allclose(ag.cov(x, correction=0).data, c.data * 2 / 3, rtol=1e-12)
    assert ag.cov(_t([1.0, 2.0, 4.0])).shape == ()
    fw = ag.tensor([1, 2, 1])  # the middle observation counted twice
    np.testing.assert_allclose(ag.cov(x, fweights=fw).data,
                               ag.cov(_t([[1.0, 2.0, 2.0, 4.0], [3.0, 3.0, 3.0, 0.0]])).data,
                               rtol=1e-12)
    r = ag.corrcoef(x)
    np.testing.assert_allclose(r.data, [[1.0, -2.5 / math.sqrt(7.0)],
                                        [-2.5 / math.sqrt(7.0), 1.0]], rtol=1e-12)
    with pytest.raises(RuntimeError, match="fweights to have integral dtype"):
        ag.cov(x, fweights=_t([1.0, 1.0, 1.0]))
    with pytest.raises(RuntimeError, match="two or fewer dimensions"):
        ag.cov(ag.zeros(2, 2, 2))


def test_trapezoid_and_trapz():
    y = _t([1.0, 4.0, 9.0], requires_grad=True)
    assert ag.trapezoid(y).item() == 9.0
    assert ag.trapezoid(y, dx=0.5).item() == 4.5
    assert ag.trapezoid(y, _t([0.0, 1.0, 3.0])).item() == 2.5 + 13.0
    assert ag.trapz(y, _t([0.0, 1.0, 3.0])).item() == 15.5
    ag.trapezoid(y, _t([0.0, 1.0, 3.0])).backward()
    assert y.grad.tolist() == [0.5, 1.5, 1.0]  # half of each neighbouring step
    m = _t([[0.0, 2.0], [1.0, 3.0]])
    assert ag.trapezoid(m, dim=0).tolist() == [0.5, 2.5]


def test_vander_and_msort():
    x = _t([0.0, 2.0, -1.0], requires_grad=True)
    v = ag.vander(x, 4)
    assert v.tolist() == [[0, 0, 0, 1], [8, 4, 2, 1], [-1, 1, -1, 1]]
    assert ag.vander(x, increasing=True).tolist() == [[1, 0, 0], [1, 2, 4], [1, -1, 1]]
    v.sum().backward()
    assert x.grad.tolist() == [1.0, 12 + 4 + 1, 3 - 2 + 1]  # 3x^2 + 2x + 1, finite at 0
    assert ag.vander(ag.tensor([2, 3]), 3).dtype == ag.int64
    assert ag.msort(ag.tensor([[3, 1], [2, 4], [0, 0]])).tolist() == [[0, 0], [2, 1], [3, 4]]


def test_integer_functions():
    a, b = ag.tensor([12, -18, 0, 7]), ag.tensor([8, 12, 5, 0])
    assert ag.gcd(a, b).tolist() == [4, 6, 5, 7]
    assert a.lcm(b).tolist() == [24, 36, 0, 0]
    assert ag.bitwise_and(ag.tensor([12]), 10).tolist() == [8]
    assert ag.bitwise_or(ag.tensor([12]), ag.tensor([10])).tolist() == [14]
    assert ag.tensor([12]).bitwise_xor(ag.tensor([10])).tolist() == [6]
    assert ag.bitwise_not(ag.tensor([True, False])).tolist() == [False, True]
    with pytest.raises(NotImplementedError, match="\"gcd_cpu\" not implemented for 'Float'"):
        ag.gcd(_t([1.0]).float(), ag.tensor([2]))
    with pytest.raises(NotImplementedError, match="bitwise_and_cpu"):
        ag.bitwise_and(_t([1.0]), ag.tensor([1]))


def test_bincount_unique_consecutive_unravel_index():
    x = ag.tensor([1, 1, 3, 0])
    assert ag.bincount(x).tolist() == [1, 2, 0, 1] and ag.bincount(x).dtype == ag.int64
    assert ag.bincount(x, minlength=6).tolist() == [1, 2, 0, 1, 0, 0]
    w = ag.bincount(x, weights=_t([0.5, 0.25, 2.0, 1.0]))
    assert w.tolist() == [1.0, 0.75, 0.0, 2.0] and w.dtype == ag.float64
    with pytest.raises(RuntimeError, match="1-d non-negative integral inputs"):
        ag.bincount(ag.tensor([-1, 2]))
    vals, inv, counts = ag.unique_consecutive(ag.tensor([[2, 2], [1, 2]]), return_inverse=True,
                                              return_counts=True)
    assert vals.tolist() == [2, 1, 2] and inv.tolist() == [[0, 0], [1, 2]]
    assert counts.tolist() == [2, 1, 1]
    rows = ag.unique_consecutive(ag.tensor([[1, 2], [1, 2], [3, 4], [1, 2]]), dim=0)
    assert rows.tolist() == [[1, 2], [3, 4], [1, 2]]
    r, c = ag.unravel_index(ag.tensor([0, 5, 3]), (2, 3))
    assert r.tolist() == [0, 1, 1] and c.tolist() == [0, 2, 0]
    with pytest.raises(TypeError, match="expected 'indices' to be integer dtype"):
        ag.unravel_index(_t([1.0]), (2, 3))


def test_old_cholesky_api():
    a = _t([[4.0, 2.0], [2.0, 5.0]])
    lower = ag.cholesky(a)
    assert lower.tolist() == [[2.0, 0.0], [1.0, 2.0]]
    assert a.cholesky(upper=True).tolist() == [[2.0, 1.0], [0.0, 2.0]]


def test_matrix_exp_closed_forms():
    # a nilpotent matrix: exp(N) = I + N; a rotation generator: exp = [[cos, -sin], [sin, cos]]
    assert ag.matrix_exp(_t([[0.0, 2.0], [0.0, 0.0]])).tolist() == [[1.0, 2.0], [0.0, 1.0]]
    r = ag.matrix_exp(_t([[0.0, -3.0], [3.0, 0.0]]))
    c, s = math.cos(3.0), math.sin(3.0)
    np.testing.assert_allclose(r.data, [[c, -s], [s, c]], rtol=1e-12, atol=1e-14)
    d = ag.matrix_exp(_t([[[40.0, 0.0], [0.0, -1.0]]]))  # large norm: many squarings
    np.testing.assert_allclose(d.data, [[[math.exp(40.0), 0.0], [0.0, math.exp(-1.0)]]],
                               rtol=1e-12)
    # d/da trace(exp(a I)) = n exp(a) for a diagonal input
    x = _t([[0.5, 0.0], [0.0, 0.5]], requires_grad=True)
    ag.matrix_exp(x).diagonal().sum().backward()
    np.testing.assert_allclose(x.grad.data, np.eye(2) * math.exp(0.5), rtol=1e-12)
    with pytest.raises(RuntimeError, match="A must be batches of square matrices"):
        ag.matrix_exp(ag.zeros(2, 3))


def test_old_svd_api():
    a = _t([[3.0, 0.0], [0.0, -2.0], [0.0, 0.0]])
    u, s, v = ag.svd(a)
    assert s.tolist() == [3.0, 2.0] and u.shape == (3, 2) and v.shape == (2, 2)
    np.testing.assert_allclose((u @ ag.diag(s) @ v.mT).data, a.data, atol=1e-14)
    u0, s0, v0 = a.svd(compute_uv=False)
    assert u0.shape == (3, 3) and v0.shape == (2, 2) and u0.abs().sum().item() == 0.0
    uf, _, vf = ag.svd(a, some=False)
    assert uf.shape == (3, 3) and vf.shape == (2, 2)
    with pytest.raises(RuntimeError, match="some=False"):
        ag.svd(a.clone().requires_grad_(), some=False)
    # sign-free functions of U and V against finite differences
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert ag.gradcheck(lambda m: (ag.svd(m).U ** 2)[:, 0].sum() + ag.svd(m).V.abs().sum(), (x,))


def test_nanmedian_skips_nan():
    nan = float("nan")
    x = _t([[4.0, nan, 1.0], [nan, nan, nan], [2.0, 8.0, 6.0]])
    values, indices = ag.nanmedian(x, 1)
    assert values[0].item() == 1.0 and math.isnan(values[1].item()) and values[2].item() == 6.0
    assert indices[0].item() == 2 and indices[2].item() == 2
    assert ag.nanmedian(_t([nan, 3.0, 1.0, 2.0])).item() == 2.0
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        ag.nanmedian(ag.zeros(0, 2), 0)


def test_compile_runs_index_add_with_an_index_tensor_eagerly():
    # the positions come from a tensor's values: a replay must not reuse the first call's
    step = ag.compile(lambda x, idx: ag.index_add(x, 0, idx, ag.ones(1)) * 2.0)
    x = ag.zeros(3, requires_grad=True)
    with pytest.warns(RuntimeWarning, match="index_add\\(\\) with an index tensor"):
        step(x, ag.tensor([0]))
    for i in (0, 2, 1):
        assert step(x, ag.tensor([i])).tolist() == [2.0 if j == i else 0.0 for j in range(3)]


def test_fmax_fmin_at_a_tie_of_signed_zeros_return_input():
    # PyTorch returns ``input`` where the two are equal (where its gradient goes): fmax(-0., 0.)
    # is -0. and fmax(0., -0.) is 0. (numpy's fmax returned ``other``).
    a = ag.tensor([-0.0, 0.0, 1.0, float("nan")], requires_grad=True)
    b = ag.tensor([0.0, -0.0, 1.0, 2.0], requires_grad=True)
    for fn in (ag.fmax, ag.fmin):
        y = fn(a, b)
        np.testing.assert_array_equal(np.signbit(y.detach().numpy()[:2]), [True, False])
        assert y.detach().numpy()[3] == 2.0
        a.grad = b.grad = None
        y.sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0, 1.0, 0.0])
        np.testing.assert_array_equal(b.grad.numpy(), [0.0, 0.0, 0.0, 1.0])
