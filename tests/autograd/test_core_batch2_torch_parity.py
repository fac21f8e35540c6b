"""Issue 12, second batch, against PyTorch 2.13: values, dtypes and gradients of the new
functions and Tensor methods over a few shapes (hypothesis draws the broadcast shapes)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag

# (name, ours(ag, *inputs), theirs(torch, *inputs), input domain)
BINARY = [
    ("xlogy", lambda m, a, b: m.xlogy(a, b), lambda t, a, b: t.xlogy(a, b), "positive"),
    ("fmax", lambda m, a, b: m.fmax(a, b), lambda t, a, b: t.fmax(a, b), "real"),
    ("fmin", lambda m, a, b: a.fmin(b), lambda t, a, b: a.fmin(b), "real"),
    ("copysign", lambda m, a, b: m.copysign(a, b), lambda t, a, b: t.copysign(a, b), "real"),
    ("logaddexp2", lambda m, a, b: a.logaddexp2(b), lambda t, a, b: a.logaddexp2(b), "real"),
    ("float_power", lambda m, a, b: m.float_power(a, b), lambda t, a, b: t.float_power(a, b),
     "positive"),
    ("broadcast_tensors", lambda m, a, b: m.broadcast_tensors(a, b),
     lambda t, a, b: t.broadcast_tensors(a, b), "real"),
]

UNARY = [
    ("tan", lambda m, a: m.tan(a), lambda t, a: t.tan(a)),
    ("sinc", lambda m, a: a.sinc(), lambda t, a: a.sinc()),
    ("logit", lambda m, a: m.logit(a.sigmoid()), lambda t, a: t.logit(a.sigmoid())),
    ("logit_eps", lambda m, a: a.logit(eps=0.3), lambda t, a: a.logit(eps=0.3)),
    ("deg2rad", lambda m, a: m.deg2rad(a), lambda t, a: t.deg2rad(a)),
    ("rad2deg", lambda m, a: a.rad2deg(), lambda t, a: a.rad2deg()),
    ("negative", lambda m, a: m.negative(a), lambda t, a: t.negative(a)),
    ("tile", lambda m, a: m.tile(a, (2, 1, 3)), lambda t, a: t.tile(a, (2, 1, 3))),
    ("ravel", lambda m, a: a.t().ravel(), lambda t, a: a.t().ravel()),
    ("broadcast_to", lambda m, a: a.broadcast_to((2, 3, 4)),
     lambda t, a: a.broadcast_to((2, 3, 4))),
    ("atleast_3d", lambda m, a: m.atleast_3d(a[0]), lambda t, a: t.atleast_3d(a[0])),
    ("select", lambda m, a: m.select(a, 1, -2), lambda t, a: t.select(a, 1, -2)),
    ("unfold", lambda m, a: a.unfold(1, 2, 1), lambda t, a: a.unfold(1, 2, 1)),
    ("unfold_last", lambda m, a: a.unfold(-1, 3, 2), lambda t, a: a.unfold(-1, 3, 2)),
    ("index_add", lambda m, a: m.index_add(a, 1, m.tensor([2, 0, 2]), a[:, :3] * 2, alpha=3),
     lambda t, a: t.index_add(a, 1, t.tensor([2, 0, 2]), a[:, :3] * 2, alpha=3)),
    ("index_copy", lambda m, a: a.index_copy(0, m.tensor([1, 0]), a[:2].flip(0) * 2),
     lambda t, a: a.index_copy(0, t.tensor([1, 0]), a[:2].flip(0) * 2)),
    ("index_fill", lambda m, a: a.index_fill(1, m.tensor([3, 1]), -2.0),
     lambda t, a: a.index_fill(1, t.tensor([3, 1]), -2.0)),
    ("index_fill_tensor", lambda m, a: a.index_fill(1, m.tensor([0]), a[0, 0] * 3),
     lambda t, a: a.index_fill(1, t.tensor([0]), a[0, 0] * 3)),
]


def _draw(shape, domain, rng):
    if domain == "positive":
        return rng.uniform(0.2, 2.0, shape)
    return rng.standard_normal(shape)


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _assert_equal_torch(torch, ours, theirs, arrays, name, rng):
    mine = [ag.tensor(a, requires_grad=True) for a in arrays]
    ref = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs, routs = _flat(ours(ag, *mine)), _flat(theirs(torch, *ref))
    assert len(outs) == len(routs), name
    loss, rloss = 0.0, 0.0
    for o, r in zip(outs, routs):
        np.testing.assert_allclose(o.data, r.detach().numpy(), rtol=1e-12, atol=1e-12,
                                   err_msg=name)
        assert o.shape == tuple(r.shape) and o.data.dtype == r.detach().numpy().dtype, name
        w = rng.standard_normal(tuple(r.shape))
        loss = loss + (o * ag.tensor(w)).sum()
        rloss = rloss + (r * torch.tensor(w)).sum()
    loss.backward()
    rloss.backward()
    for t, r in zip(mine, ref):
        want = np.zeros(r.shape) if r.grad is None else r.grad.numpy()
        got = np.zeros(t.shape) if t.grad is None else t.grad.data
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", BINARY, ids=lambda c: c[0])
@settings(max_examples=8, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                 max_side=3), seed=st.integers(0, 2**16))
def test_binary_values_and_gradients_equal_torch(case, shapes, seed):
    torch = pytest.importorskip("torch")
    name, ours, theirs, domain = case
    rng = np.random.default_rng(seed)
    arrays = [_draw(s, domain, rng) for s in shapes.input_shapes]
    _assert_equal_torch(torch, ours, theirs, arrays, name, rng)


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", UNARY, ids=lambda c: c[0])
def test_unary_values_and_gradients_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, ours, theirs = case
    rng = np.random.default_rng(5)
    _assert_equal_torch(torch, ours, theirs, [rng.standard_normal((3, 4))], name, rng)


# never differentiable, or Python values: (name, ours, theirs), on fixed values
VALUE_CASES = [
    ("logical_and", lambda m, a: m.logical_and(a, a > 1), lambda t, a: t.logical_and(a, a > 1)),
    ("logical_or", lambda m, a: a.logical_or(a - 3), lambda t, a: a.logical_or(a - 3)),
    ("logical_xor", lambda m, a: m.logical_xor(a, a * 0), lambda t, a: t.logical_xor(a, a * 0)),
    ("logical_not", lambda m, a: a.logical_not(), lambda t, a: a.logical_not()),
    ("isin", lambda m, a: m.isin(a, m.tensor([3.0, -4.0])), lambda t, a: t.isin(a, t.tensor(
        [3.0, -4.0], dtype=t.float64))),
    ("isin_invert", lambda m, a: m.isin(a, 2.0, invert=True),
     lambda t, a: t.isin(a, 2.0, invert=True)),
    ("isneginf", lambda m, a: m.isneginf(a / 0.0), lambda t, a: t.isneginf(a / 0.0)),
    ("isposinf", lambda m, a: (a / 0.0).isposinf(), lambda t, a: (a / 0.0).isposinf()),
    ("signbit", lambda m, a: m.signbit(-a), lambda t, a: t.signbit(-a)),
    ("floor_divide", lambda m, a: m.floor_divide(a, 1.5), lambda t, a: t.floor_divide(a, 1.5)),
    ("floor_divide_int", lambda m, a: m.floor_divide(a.long(), -3),
     lambda t, a: t.floor_divide(a.long(), -3)),
    ("heaviside", lambda m, a: m.heaviside(a, a * 0 + 0.25),
     lambda t, a: t.heaviside(a, a * 0 + 0.25)),
    ("equal", lambda m, a: m.equal(a, a.clone()), lambda t, a: t.equal(a, a.clone())),
    ("is_nonzero", lambda m, a: m.is_nonzero(a[1, 1]), lambda t, a: t.is_nonzero(a[1, 1])),
    ("is_floating_point", lambda m, a: m.is_floating_point(a.long()),
     lambda t, a: t.is_floating_point(a.long())),
    ("stride", lambda m, a: a.t().stride(), lambda t, a: a.t().stride()),
    ("stride_expand", lambda m, a: a[0].expand(3, 4).stride(0),
     lambda t, a: a[0].expand(3, 4).stride(0)),
    ("is_contiguous", lambda m, a: a.t().is_contiguous(), lambda t, a: a.t().is_contiguous()),
    ("type_as", lambda m, a: a.long().type_as(a), lambda t, a: a.long().type_as(a)),
    ("byte", lambda m, a: a.abs().byte(), lambda t, a: a.abs().byte()),
    ("short", lambda m, a: a.short(), lambda t, a: a.short()),
    ("char", lambda m, a: a.char(), lambda t, a: a.char()),
    ("tan_int", lambda m, a: m.tan(a.long()), lambda t, a: t.tan(a.long())),
    ("deg2rad_int", lambda m, a: m.deg2rad(a.long()), lambda t, a: t.deg2rad(a.long())),
    ("float_power_int", lambda m, a: m.float_power(a.long(), 2),
     lambda t, a: t.float_power(a.long(), 2)),
    ("fill_diagonal_wrap", lambda m, a: m.zeros(7, 3).fill_diagonal_(2.0, wrap=True),
     lambda t, a: t.zeros(7, 3).fill_diagonal_(2.0, wrap=True)),
    ("broadcast_shapes", lambda m, a: tuple(m.broadcast_shapes((2, 1), (1, 3), 3)),
     lambda t, a: tuple(t.broadcast_shapes((2, 1), (1, 3), 3))),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", VALUE_CASES, ids=lambda c: c[0])
def test_values_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, ours, theirs = case
    a = np.array([[3.0, -1.0, 3.0, 0.0], [2.0, 2.5, -4.0, 1.0]])
    got, want = ours(ag, ag.tensor(a)), theirs(torch, torch.tensor(a))
    if isinstance(want, torch.Tensor):  # float32 results to float32 rounding (libm's tan)
        np.testing.assert_allclose(got.data, want.numpy(), rtol=2e-7, atol=0, err_msg=name)
        assert got.data.dtype == want.numpy().dtype, name
    else:
        assert got == want and type(got) is type(want), name


ERRORS = [
    ("select", lambda m: m.zeros(2, 3).select(0, 2)),
    ("unfold_size", lambda m: m.zeros(3).unfold(0, 4, 1)),
    ("unfold_step", lambda m: m.zeros(3).unfold(0, 2, 0)),
    ("fill_diagonal_1d", lambda m: m.zeros(3).fill_diagonal_(1.0)),
    ("index_add_out_of_range", lambda m: m.zeros(3).index_add(0, m.tensor([5]), m.ones(1))),
    ("index_copy_out_of_range", lambda m: m.zeros(3).index_copy(0, m.tensor([-4]), m.ones(1))),
    ("index_fill_out_of_range", lambda m: m.zeros(3).index_fill(0, m.tensor([3]), 1.0)),
    ("index_add_shape", lambda m: m.zeros(3, 2).index_add(0, m.tensor([0, 1]), m.ones(2, 3))),
    ("index_copy_rank", lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0, 1]),
                                                           m.ones(2, 2, 2))),
    ("index_copy_count", lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0]), m.ones(2, 2))),
    ("index_copy_slice", lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0, 1]), m.ones(2, 3))),
    ("index_copy_dtype", lambda m: m.zeros(3, 2).index_copy(0, m.tensor([0]),
                                                            m.ones(1, 2, dtype=m.float64))),
    ("index_add_count", lambda m: m.zeros(3, 2).index_add(0, m.tensor([0, 1, 2]), m.ones(2, 2))),
    ("index_add_dtype", lambda m: m.zeros(3, 2).index_add(0, m.tensor([0]),
                                                          m.ones(1, 2, dtype=m.float64))),
    ("index_fill_2d_index", lambda m: m.zeros(3, 2).index_fill(0, m.tensor([[0]]), 1.0)),
    ("positive_bool", lambda m: m.positive(m.tensor([True]))),
    ("is_nonzero", lambda m: m.is_nonzero(m.tensor([1.0, 2.0]))),
    ("broadcast_shapes", lambda m: m.broadcast_shapes((2,), (3,))),
    ("broadcast_shapes_inner", lambda m: m.broadcast_shapes((3, 1), (1, 2), (4,))),
    ("broadcast_shapes_int", lambda m: m.broadcast_shapes((2, 3), 5)),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c[0])
def test_errors_match_torch(case):
    torch = pytest.importorskip("torch")
    name, call = case
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(ag)
    assert isinstance(ours.value, type(theirs.value)), (name, ours.value, theirs.value)
    assert str(ours.value) == str(theirs.value), name


# third part: (name, ours(ag, a), theirs(torch, a)) on a (3, 4) float64 input with gradients
MORE = [
    ("hsplit", lambda m, a: m.hsplit(a, [1, 3]), lambda t, a: t.hsplit(a, [1, 3])),
    ("vsplit", lambda m, a: a.vsplit(3), lambda t, a: a.vsplit(3)),
    ("dsplit", lambda m, a: m.dsplit(a.reshape(1, 3, 4), 2),
     lambda t, a: t.dsplit(a.reshape(1, 3, 4), 2)),
    ("diagflat", lambda m, a: m.diagflat(a[:2, :2], -2), lambda t, a: t.diagflat(a[:2, :2], -2)),
    ("vdot", lambda m, a: m.vdot(a[0], a[1]), lambda t, a: t.vdot(a[0], a[1])),
    ("inner", lambda m, a: m.inner(a, a[:2] * 2), lambda t, a: t.inner(a, a[:2] * 2)),
    ("inner_3d", lambda m, a: a.reshape(3, 2, 2).inner(a[0].reshape(2, 2)),
     lambda t, a: a.reshape(3, 2, 2).inner(a[0].reshape(2, 2))),
    ("cov", lambda m, a: m.cov(a), lambda t, a: t.cov(a)),
    ("cov_1d", lambda m, a: a[0].cov(correction=0), lambda t, a: a[0].cov(correction=0)),
    ("cov_weights", lambda m, a: m.cov(a, fweights=m.tensor([1, 2, 0, 3]),
                                       aweights=a[0].abs() + 0.5, correction=2),
     lambda t, a: t.cov(a, fweights=t.tensor([1, 2, 0, 3]), aweights=a[0].abs() + 0.5,
                        correction=2)),
    ("corrcoef", lambda m, a: m.corrcoef(a), lambda t, a: t.corrcoef(a)),
    ("trapezoid", lambda m, a: m.trapezoid(a), lambda t, a: t.trapezoid(a)),
    ("trapezoid_x", lambda m, a: m.trapezoid(a, a[0].cumsum(0), dim=1),
     lambda t, a: t.trapezoid(a, a[0].cumsum(0), dim=1)),
    ("trapezoid_xnd", lambda m, a: m.trapezoid(a, a.exp().cumsum(0), dim=0),
     lambda t, a: t.trapezoid(a, a.exp().cumsum(0), dim=0)),
    ("trapezoid_dx", lambda m, a: m.trapezoid(a, dx=0.3, dim=0),
     lambda t, a: t.trapezoid(a, dx=0.3, dim=0)),
    ("trapz", lambda m, a: m.trapz(a, a[1].cumsum(0)), lambda t, a: t.trapz(a, a[1].cumsum(0))),
    ("msort", lambda m, a: m.msort(a), lambda t, a: t.msort(a)),
    ("cholesky", lambda m, a: m.cholesky(a @ a.mT + m.eye(3, dtype=m.float64)),
     lambda t, a: t.cholesky(a @ a.mT + t.eye(3, dtype=t.float64))),
    ("cholesky_upper", lambda m, a: (a @ a.mT + m.eye(3, dtype=m.float64)).cholesky(upper=True),
     lambda t, a: (a @ a.mT + t.eye(3, dtype=t.float64)).cholesky(upper=True)),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", MORE, ids=lambda c: c[0])
def test_more_values_and_gradients_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, ours, theirs = case
    rng = np.random.default_rng(7)
    _assert_equal_torch(torch, ours, theirs, [rng.standard_normal((3, 4))], name, rng)


INTEGER_CASES = [
    ("gcd", lambda m, a, b: m.gcd(a, b), lambda t, a, b: t.gcd(a, b)),
    ("lcm", lambda m, a, b: a.lcm(b), lambda t, a, b: a.lcm(b)),
    ("bitwise_and", lambda m, a, b: m.bitwise_and(a, b), lambda t, a, b: t.bitwise_and(a, b)),
    ("bitwise_or", lambda m, a, b: a.bitwise_or(b), lambda t, a, b: a.bitwise_or(b)),
    ("bitwise_xor", lambda m, a, b: m.bitwise_xor(a, 6), lambda t, a, b: t.bitwise_xor(a, 6)),
    ("bitwise_not", lambda m, a, b: m.bitwise_not(a), lambda t, a, b: t.bitwise_not(a)),
    ("bitwise_bool", lambda m, a, b: m.bitwise_and(a > 0, b > 1),
     lambda t, a, b: t.bitwise_and(a > 0, b > 1)),
    ("bincount", lambda m, a, b: m.bincount(b), lambda t, a, b: t.bincount(b)),
    ("bincount_weights", lambda m, a, b: b.bincount(a.float(), minlength=12),
     lambda t, a, b: b.bincount(a.float(), minlength=12)),
    ("bincount_int_weights", lambda m, a, b: m.bincount(b, a), lambda t, a, b: t.bincount(b, a)),
    ("unique_consecutive", lambda m, a, b: m.unique_consecutive(
        b.sort().values, return_inverse=True, return_counts=True),
     lambda t, a, b: t.unique_consecutive(b.sort().values, return_inverse=True,
                                          return_counts=True)),
    ("unique_consecutive_dim", lambda m, a, b: m.unique_consecutive(
        m.stack([b, b, a, b]), dim=0, return_inverse=True),
     lambda t, a, b: t.unique_consecutive(t.stack([b, b, a, b]), dim=0, return_inverse=True)),
    ("unravel_index", lambda m, a, b: m.unravel_index(b, (2, 5)),
     lambda t, a, b: t.unravel_index(b, (2, 5))),
    ("unravel_index_int", lambda m, a, b: m.unravel_index(7, (3, 4)),
     lambda t, a, b: t.unravel_index(t.tensor(7), (3, 4))),
]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", INTEGER_CASES, ids=lambda c: c[0])
def test_integer_functions_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, ours, theirs = case
    a = np.array([12, -18, 0, 7, 5, 9])
    b = np.array([8, 3, 5, 0, 3, 3])
    got = _flat(ours(ag, ag.tensor(a), ag.tensor(b)))
    want = _flat(theirs(torch, torch.tensor(a), torch.tensor(b)))
    assert len(got) == len(want), name
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.data, w.numpy(), err_msg=name)
        assert g.data.dtype == w.numpy().dtype, name


@pytest.mark.torch_parity
@pytest.mark.parametrize("n, increasing", [(None, False), (3, True), (1, False), (0, True)])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_vander_values_equal_torch(n, increasing, dtype):
    # values only: PyTorch 2.13's own vander backward fails (an in-place cumprod), so its
    # gradient is checked by hand in test_core_batch2.py and by gradcheck in the op table
    torch = pytest.importorskip("torch")
    x = np.array([0.5, -2.0, 3.0, 0.0]).astype(dtype)
    got = ag.vander(ag.tensor(x), n, increasing=increasing)
    want = torch.vander(torch.tensor(x), n, increasing=increasing)
    np.testing.assert_array_equal(got.data, want.numpy())
    assert got.data.dtype == want.numpy().dtype


def _svd_loss(m, x):
    """A function of torch.svd's factors that does not depend on the singular vectors' signs."""
    u, s, v = m.svd(x)
    return (u[..., :1, :] * u[..., -1:, :]).sum() + (v * v * v.sum(-2, keepdim=True) ** 2).sum() \
        + (s * s).sum()


@pytest.mark.torch_parity
@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 5), (2, 3, 3)])
def test_matrix_exp_and_svd_equal_torch(shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    a = rng.standard_normal(shape)
    if shape[-1] == shape[-2]:
        _assert_equal_torch(torch, lambda m, x: m.matrix_exp(x), lambda t, x: t.matrix_exp(x), [a],
                 "matrix_exp", rng)
        _assert_equal_torch(torch, lambda m, x: x.matrix_exp(), lambda t, x: x.matrix_exp(), [a * 3],
                 "matrix_exp_scaled", rng)
    mine, ref = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    got, want = _svd_loss(ag, mine), _svd_loss(torch, ref)
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-10)
    got.backward()
    want.backward()
    np.testing.assert_allclose(mine.grad.data, ref.grad.numpy(), rtol=1e-8, atol=1e-10)
    u, s, v = ag.svd(ag.tensor(a), some=False)
    tu, ts, tv = torch.svd(torch.tensor(a), some=False)
    assert u.shape == tuple(tu.shape) and v.shape == tuple(tv.shape)
    np.testing.assert_allclose(s.data, ts.numpy(), rtol=1e-12)
    z = ag.svd(ag.tensor(a), compute_uv=False)
    tz = torch.svd(torch.tensor(a), compute_uv=False)
    assert [t.shape for t in z] == [tuple(t.shape) for t in tz]


@pytest.mark.torch_parity
@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_nanmedian_values_indices_and_gradients_equal_torch(dim, keepdim):
    torch = pytest.importorskip("torch")
    nan = float("nan")
    a = np.array([[1.0, nan, 3.0, 2.0], [5.0, 1.5, nan, nan], [0.5, -1.0, 4.0, 7.0]])
    mine, ref = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    if dim is None:
        got, want = mine.nanmedian(), ref.nanmedian()
    else:
        got, want = ag.nanmedian(mine, dim, keepdim), torch.nanmedian(ref, dim, keepdim)
        np.testing.assert_array_equal(got.indices.data, want.indices.numpy())
        got, want = got.values, want.values
    np.testing.assert_array_equal(got.data, want.detach().numpy())
    w = np.arange(1.0, 1.0 + got.numel()).reshape(got.shape)
    (got * ag.tensor(w)).sum().backward()
    (want * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(mine.grad.data, ref.grad.numpy())
