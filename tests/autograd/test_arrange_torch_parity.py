"""ops/arrange.py against PyTorch 2.13: values, dtypes, shapes and gradients of the shape,
indexing and construction ops of issue 12, called with PyTorch's keyword names; hand-worked
examples that run without torch; and the errors on bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag

L = np.int64

# (name, ours/theirs(m, *inputs) with m the module, input shapes, domain)
GRAD_CASES = [
    ("t", lambda m, a: m.t(a), [(2, 3)], "real"),
    ("t_1d", lambda m, a: m.t(a), [(3,)], "real"),
    ("flip", lambda m, a: m.flip(a, dims=[0, 2]), [(2, 3, 4)], "real"),
    ("flip_method", lambda m, a: a.flip(-1), [(2, 3)], "real"),
    ("fliplr", lambda m, a: m.fliplr(a), [(2, 3, 2)], "real"),
    ("flipud", lambda m, a: a.flipud(), [(3, 2)], "real"),
    ("roll", lambda m, a: m.roll(a, shifts=(1, -5), dims=(0, 1)), [(3, 4)], "real"),
    ("roll_flat", lambda m, a: m.roll(a, 5), [(3, 4)], "real"),
    ("rot90", lambda m, a: m.rot90(a), [(2, 3, 4)], "real"),
    ("rot90_k", lambda m, a: m.rot90(a, k=-3, dims=[2, 0]), [(2, 3, 4)], "real"),
    ("rot90_2", lambda m, a: a.rot90(2, [0, 1]), [(2, 3)], "real"),
    ("movedim", lambda m, a: m.movedim(a, source=(0, 1), destination=(2, 0)),
     [(2, 3, 4)], "real"),
    ("moveaxis", lambda m, a: a.moveaxis(-1, 0), [(2, 3, 4)], "real"),
    ("swapdims", lambda m, a: m.swapdims(a, 0, 2), [(2, 3, 4)], "real"),
    ("narrow", lambda m, a: m.narrow(a, dim=1, start=-3, length=2), [(2, 4)], "real"),
    ("narrow_method", lambda m, a: a.narrow(0, 1, 1), [(2, 4)], "real"),
    ("unflatten", lambda m, a: m.unflatten(a, dim=1, sizes=(2, -1)), [(3, 6)], "real"),
    ("tensor_split", lambda m, a: m.tensor_split(a, 3, dim=1), [(2, 7)], "real"),
    ("tensor_split_idx", lambda m, a: a.tensor_split([1, -1, 9]), [(5, 2)], "real"),
    ("dstack", lambda m, a, b: m.dstack([a, b]), [(3,), (3,)], "real"),
    ("dstack_2d", lambda m, a, b: m.dstack((a, b)), [(2, 3), (2, 3)], "real"),
    ("column_stack", lambda m, a, b: m.column_stack([a, b]), [(3,), (3, 2)], "real"),
    ("take", lambda m, a: m.take(a, m.tensor([[0, -1], [4, 4]])), [(2, 3)], "real"),
    ("take_along_dim", lambda m, a: m.take_along_dim(a, m.tensor([[1], [0]]), dim=1),
     [(2, 3)], "real"),
    ("take_along_dim_bcast", lambda m, a: m.take_along_dim(a, m.tensor([[2, 0, 1]]), dim=1),
     [(2, 3)], "real"),
    ("take_along_dim_flat", lambda m, a: m.take_along_dim(a, m.tensor([5, 0])), [(2, 3)],
     "real"),
    ("masked_select", lambda m, a: m.masked_select(a, m.tensor([True, False, True])),
     [(2, 3)], "real"),
    ("diff", lambda m, a: m.diff(a), [(2, 5)], "real"),
    ("diff_n_dim", lambda m, a, b, c: m.diff(a, n=2, dim=0, prepend=b, append=c),
     [(3, 2), (1, 2), (2, 2)], "real"),
    ("trace", lambda m, a: m.trace(a), [(3, 4)], "real"),
    ("tensordot", lambda m, a, b: m.tensordot(a, b, dims=2), [(2, 3, 4), (3, 4, 5)], "real"),
    ("tensordot_pairs", lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [2, 1])),
     [(2, 3, 4), (5, 4, 2)], "real"),
    ("tensordot_0", lambda m, a, b: m.tensordot(a, b, 0), [(2,), (3,)], "real"),
    ("kron", lambda m, a, b: m.kron(a, b), [(2, 3), (3, 1, 2)], "real"),
    ("mv", lambda m, a, b: m.mv(a, b), [(2, 3), (3,)], "real"),
    ("addmv", lambda m, c, a, b: m.addmv(c, a, b, beta=0.5, alpha=-2.0),
     [(2,), (2, 3), (3,)], "real"),
    ("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b, beta=2.0, alpha=0.5),
     [(1, 3), (2, 2, 4), (2, 4, 3)], "real"),
    ("baddbmm_beta0", lambda m, c, a, b: c.baddbmm(a, b, beta=0),
     [(2, 2, 3), (2, 2, 4), (2, 4, 3)], "real"),
    ("repeat_interleave", lambda m, a: m.repeat_interleave(a, 2), [(2, 3)], "real"),
    ("repeat_interleave_dim", lambda m, a: a.repeat_interleave(m.tensor([1, 0, 3]), dim=1),
     [(2, 3)], "real"),
    ("meshgrid_ij", lambda m, a, b: m.meshgrid(a, b, indexing="ij"), [(2,), (3,)], "real"),
    ("meshgrid_xy", lambda m, a, b, c: m.meshgrid([a, b, c], indexing="xy"),
     [(2,), (3,), (4,)], "real"),
    ("cartesian_prod", lambda m, a, b, c: m.cartesian_prod(a, b, c), [(2,), (3,), (2,)],
     "real"),
    ("block_diag", lambda m, a, b, c: m.block_diag(a, b, c), [(2, 3), (2,), ()], "real"),
    ("cdist", lambda m, a, b: m.cdist(a, b), [(2, 3, 4), (2, 5, 4)], "real"),
    ("cdist_p1", lambda m, a, b: m.cdist(a, b, p=1), [(3, 4), (5, 4)], "real"),
    ("cdist_p3", lambda m, a, b: m.cdist(a, b, p=3.0), [(3, 4), (5, 4)], "real"),
    ("cdist_inf", lambda m, a, b: m.cdist(a, b, p=float("inf")), [(3, 4), (5, 4)], "real"),
]

# (name, fn(m)) for results that are not differentiable (ints, bools, counts)
VALUE_CASES = [
    ("nonzero", lambda m: m.nonzero(m.tensor([[0, 1, 0], [2, 0, 3]]))),
    ("nonzero_tuple", lambda m: m.nonzero(m.tensor([[0, 1], [2, 0]]), as_tuple=True)),
    ("nonzero_0d", lambda m: m.tensor(5.0).nonzero(as_tuple=True)),
    ("nonzero_0d_rows", lambda m: m.nonzero(m.tensor(5.0))),
    ("argwhere", lambda m: m.argwhere(m.tensor([[True, False], [False, True]]))),
    ("unique", lambda m: m.unique(m.tensor([3, 1, 2, 3, 1]))),
    ("unique_all", lambda m: m.unique(m.tensor([[3, 1], [1, 2]]), sorted=True,
                                      return_inverse=True, return_counts=True)),
    ("unique_dim", lambda m: m.unique(m.tensor([[1, 2], [0, 5], [1, 2]]), dim=0,
                                      return_inverse=True, return_counts=True)),
    ("unique_dim1", lambda m: m.tensor([[1, 1, 0], [2, 2, 3]]).unique(dim=1,
                                                                       return_counts=True)),
    ("diff_bool", lambda m: m.diff(m.tensor([True, True, False, False]))),
    ("diff_int", lambda m: m.tensor([[1, 4, 9]]).diff(append=m.tensor([[20]]))),
    ("trace_int", lambda m: m.trace(m.tensor([[1, 2], [3, 4]], dtype=m.int32))),
    ("triu_indices", lambda m: m.triu_indices(3, 4, offset=1)),
    ("triu_indices_neg", lambda m: m.triu_indices(4, 3, -1)),
    ("tril_indices", lambda m: m.tril_indices(row=3, col=5, offset=2)),
    ("tril_indices_dtype", lambda m: m.tril_indices(3, 3, dtype=m.int32)),
    ("repeat_interleave_counts", lambda m: m.repeat_interleave(m.tensor([2, 0, 3]))),
    ("histc", lambda m: m.histc(m.tensor([0.5, 1.0, 2.0, 2.5, 9.0]), bins=4, min=0, max=3)),
    ("histc_auto", lambda m: m.tensor([1.0, 2.0, 2.0, 4.0]).histc(bins=3)),
    ("histc_f64", lambda m: m.histc(m.tensor([1.0, 1.0], dtype=m.float64), bins=2)),
    ("bucketize", lambda m: m.bucketize(m.tensor([[1, 4], [5, 9]]), m.tensor([1, 3, 5, 7]))),
    ("bucketize_right", lambda m: m.bucketize(m.tensor([1, 5, 9]), m.tensor([1, 3, 5, 7]),
                                              right=True, out_int32=True)),
    ("searchsorted", lambda m: m.searchsorted(m.tensor([1.0, 2.0, 2.0, 3.0]),
                                              m.tensor([2.0, 0.0, 4.0]))),
    ("searchsorted_side", lambda m: m.searchsorted(m.tensor([1.0, 2.0, 2.0, 3.0]),
                                                   m.tensor([2.0]), side="right")),
    ("searchsorted_batched", lambda m: m.searchsorted(m.tensor([[1, 3, 5], [2, 4, 6]]),
                                                      m.tensor([[3, 6], [1, 7]]), right=True)),
    ("searchsorted_sorter", lambda m: m.searchsorted(m.tensor([5, 1, 3]), m.tensor([2, 4]),
                                                     sorter=m.tensor([1, 2, 0]))),
    ("masked_select_bcast", lambda m: m.masked_select(m.tensor([1, 2, 3]),
                                                      m.tensor([[True], [False]]))),
    ("roll_int", lambda m: m.roll(m.tensor([[1, 2, 3], [4, 5, 6]]), -1, 1)),
    ("kron_int", lambda m: m.kron(m.tensor([1, 2]), m.tensor([[1, 10]]))),
]


def _values(shape, rng):
    return rng.standard_normal(shape)


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: c[0])
def test_forward_and_gradients_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, fn, shapes, _ = case
    rng = np.random.default_rng(11)
    arrays = [_values(s, rng) for s in shapes]
    mine = [ag.tensor(a, requires_grad=True) for a in arrays]
    ref = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs, routs = _flat(fn(ag, *mine)), _flat(fn(torch, *ref))
    assert len(outs) == len(routs), name
    loss, rloss = 0.0, 0.0
    for o, r in zip(outs, routs):
        assert o.shape == tuple(r.shape), name
        np.testing.assert_allclose(o._data, r.detach().numpy(), rtol=1e-12, atol=1e-12,
                                   err_msg=name)
        w = rng.standard_normal(tuple(r.shape))
        loss = loss + (o * ag.tensor(w)).sum()
        rloss = rloss + (r * torch.tensor(w)).sum()
    loss.backward()
    rloss.backward()
    for t, r in zip(mine, ref):
        want = np.zeros(r.shape) if r.grad is None else r.grad.numpy()
        got = np.zeros(t.shape) if t.grad is None else t.grad._data
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.torch_parity
@pytest.mark.parametrize("case", VALUE_CASES, ids=lambda c: c[0])
def test_values_and_dtypes_equal_torch(case):
    torch = pytest.importorskip("torch")
    name, fn = case
    outs, routs = _flat(fn(ag)), _flat(fn(torch))
    assert len(outs) == len(routs), name
    for o, r in zip(outs, routs):
        want = r.numpy()
        assert o._data.dtype == want.dtype, name
        assert o.shape == want.shape, name
        np.testing.assert_array_equal(o._data, want, err_msg=name)
        assert not o.requires_grad


@pytest.mark.torch_parity
def test_float32_results_keep_float32():
    torch = pytest.importorskip("torch")
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    for fn in (lambda m, x: m.cdist(x, x[:2]), lambda m, x: m.tensordot(x, x, ([1], [1])),
               lambda m, x: m.kron(x, x[:1]), lambda m, x: m.diff(x, dim=0)):
        mine, theirs = fn(ag, ag.tensor(a)), fn(torch, torch.tensor(a))
        assert mine._data.dtype == np.float32
        np.testing.assert_allclose(mine._data, theirs.numpy(), rtol=1e-5, atol=1e-5)


# (call, exception type, a piece of PyTorch's message) on bad input
ERRORS = [
    (lambda m: m.flip(m.zeros(2, 3), [0, 0]), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda m: m.t(m.zeros(2, 3, 4)), RuntimeError, "expects a tensor with <= 2 dimensions"),
    (lambda m: m.narrow(m.zeros(2, 3), 1, 2, 2), RuntimeError, "exceeds dimension size"),
    (lambda m: m.roll(m.zeros(2, 3), (1, 2), 0), RuntimeError,
     "shifts and dimensions must align"),
    (lambda m: m.rot90(m.zeros(2, 3), 1, [0, 0]), RuntimeError,
     "expected rotation dims to be different"),
    (lambda m: m.tensor_split(m.zeros(3), 0), RuntimeError,
     "number of sections must be larger than 0"),
    (lambda m: m.diff(m.tensor(1.0)), RuntimeError, "diff expects input to be at least one"),
    (lambda m: m.mv(m.zeros(2, 3), m.zeros(2)), RuntimeError, "size mismatch"),
    (lambda m: m.cdist(m.zeros(2, 3), m.zeros(2, 4)), RuntimeError,
     "X1 and X2 must have the same number of columns"),
    (lambda m: m.cdist(m.zeros(3), m.zeros(2, 3)), RuntimeError,
     "cdist only supports at least 2D tensors"),
    (lambda m: m.take(m.zeros(2, 3), m.tensor([6])), IndexError, "out of range"),
    (lambda m: m.repeat_interleave(m.zeros(3), m.tensor([1, 2])), RuntimeError,
     "repeats must have the same size as input along dim"),
    (lambda m: m.histc(m.tensor([1, 2]), bins=2), RuntimeError, "not implemented for"),
    (lambda m: m.block_diag(m.zeros(1, 1, 1)), RuntimeError,
     "Input tensors must have 2 or fewer dimensions"),
    (lambda m: m.cartesian_prod(m.zeros(2, 2)), RuntimeError, "Expect a 1D vector"),
    (lambda m: m.tensordot(m.zeros(2, 3), m.zeros(4, 3), ([0], [0])), RuntimeError,
     "contracted dimensions need to match"),
    (lambda m: m.movedim(m.zeros(2, 3), (0, 0), (0, 1)), RuntimeError, "repeated dim"),
    (lambda m: m.searchsorted(m.tensor([1, 2]), m.tensor([1]), side="middle"), RuntimeError,
     "side can only be 'left' or 'right'"),
]


@pytest.mark.parametrize("call,exc,text", ERRORS, ids=lambda v: getattr(v, "__name__", None))
def test_bad_input_is_refused_with_torch_wording(call, exc, text):
    with pytest.raises(exc, match=text):
        call(ag)


@pytest.mark.torch_parity
@pytest.mark.parametrize("call,exc,text", ERRORS)
def test_torch_refuses_the_same_inputs(call, exc, text):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception, match=text):
        call(torch)


def test_hand_worked_examples():
    x = ag.tensor([[1, 2, 3], [4, 5, 6]])
    assert ag.rot90(x).tolist() == [[3, 6], [2, 5], [1, 4]]
    assert ag.roll(x, 1).tolist() == [[6, 1, 2], [3, 4, 5]]
    assert ag.diff(x, dim=0).tolist() == [[3, 3, 3]]
    assert [p.tolist() for p in ag.tensor_split(ag.arange(5), 2)] == [[0, 1, 2], [3, 4]]
    assert ag.kron(ag.eye(2, dtype=ag.int64), ag.tensor([[1, 2]])).tolist() == [
        [1, 2, 0, 0], [0, 0, 1, 2]]
    assert ag.cdist(ag.tensor([[0.0, 0.0]]), ag.tensor([[3.0, 4.0]]), p=1).item() == 7.0
    assert ag.searchsorted(ag.tensor([1, 3]), 3).item() == 1
    # a flip is a copy: writing into it leaves the input alone (as PyTorch's)
    y = ag.tensor([1.0, 2.0])
    f = ag.flip(y, [0])
    f[0] = 9.0
    assert y.tolist() == [1.0, 2.0]


def test_meshgrid_without_indexing_warns_as_torch_and_is_ij():
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        a, b = ag.meshgrid(ag.tensor([1, 2]), ag.tensor([3, 4, 5]))
    assert a.shape == (2, 3) and b.tolist() == [[3, 4, 5], [3, 4, 5]]


def test_unique_is_not_differentiable_and_keeps_shape_of_inverse():
    x = ag.tensor([[2.0, 1.0], [2.0, 3.0]], requires_grad=True)
    values, inverse = ag.unique(x, return_inverse=True)
    # PyTorch's values require grad (Unique2Backward0) and their backward raises
    assert values.requires_grad and not inverse.requires_grad
    with pytest.raises(NotImplementedError, match="the derivative for '_unique2' is not"):
        values.sum().backward()
    assert values.tolist() == [1.0, 2.0, 3.0] and inverse.tolist() == [[1, 0], [1, 2]]


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4),
                  elements=st.floats(-5, 5)),
       st.integers(-7, 7), st.data())
def test_flip_roll_movedim_agree_with_numpy(a, shift, data):
    d = data.draw(st.integers(0, a.ndim - 1))
    dest = data.draw(st.integers(-a.ndim, a.ndim - 1))
    x = ag.tensor(a)
    np.testing.assert_array_equal(ag.flip(x, [d])._data, np.flip(a, d))
    np.testing.assert_array_equal(ag.roll(x, shift, d)._data, np.roll(a, shift, d))
    np.testing.assert_array_equal(ag.roll(x, shift)._data, np.roll(a, shift))
    np.testing.assert_array_equal(ag.movedim(x, d, dest)._data, np.moveaxis(a, d, dest))
    np.testing.assert_array_equal(ag.diff(x, dim=d)._data, np.diff(a, axis=d))
    parts = ag.tensor_split(x, 3, dim=d)
    for p, q in zip(parts, np.array_split(a, 3, axis=d)):
        np.testing.assert_array_equal(p._data, q)
