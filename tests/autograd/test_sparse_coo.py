"""Sparse COO tensors (autograd_core/sparse.py): hand-worked examples, products and sums
against dense numpy references built element by element (hypothesis over shapes and nnz, with
empty tensors and duplicate coordinates), float64 gradcheck of the values and the dense
operand, a sparse leaf's gradient in closed form, the errors, the refusals of every other op,
and ag.compile's fallback."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import optimizers as optim
from autograd_core import CompileFallback


def _dense_ref(ind, vals, shape):
    """The dense array a COO tensor stands for, one coordinate at a time (duplicates add)."""
    out = np.zeros(shape, dtype=np.float64)
    for k in range(ind.shape[1]):
        out[tuple(ind[:, k])] += vals[k]
    return out


@st.composite
def coo(draw, ndim=2, max_side=4, max_nnz=8):
    shape = tuple(draw(st.integers(0 if ndim == 2 else 1, max_side)) for _ in range(ndim))
    nnz = draw(st.integers(0, max_nnz)) if all(shape) else 0
    if nnz:  # few distinct coordinates, so duplicates are common
        pool = draw(st.lists(st.tuples(*(st.integers(0, s - 1) for s in shape)),
                             min_size=1, max_size=3))
        coords = draw(st.lists(st.sampled_from(pool), min_size=nnz, max_size=nnz))
        ind = np.array(coords, dtype=np.int64).T.reshape(ndim, nnz)
    else:
        ind = np.zeros((ndim, 0), dtype=np.int64)
    vals = np.asarray(draw(st.lists(st.integers(-5, 5), min_size=nnz, max_size=nnz)),
                      dtype=np.float64) / 2
    return ind, vals, shape


# ---- hand-worked examples ------------------------------------------------------------------
def test_construction_duplicates_and_coalesce_by_hand():
    a = ag.sparse_coo_tensor([[1, 0, 1], [2, 0, 2]], [1.0, 2.0, 3.0], (2, 3))
    assert a.is_sparse and a.layout is ag.sparse_coo and ag.zeros(1).layout is ag.strided
    assert a.shape == (2, 3) and a.dtype == ag.float32 and a._nnz() == 3
    assert not a.is_coalesced() and a.numel() == 6 and len(a) == 2 and a.dim() == 2
    assert a.to_dense().tolist() == [[2.0, 0.0, 0.0], [0.0, 0.0, 4.0]]
    c = a.coalesce()
    assert c.is_coalesced() and c._nnz() == 2
    assert c.indices().tolist() == [[0, 1], [0, 2]] and c.values().tolist() == [2.0, 4.0]
    assert c.coalesce() is c
    assert a._indices().tolist() == [[1, 0, 1], [2, 0, 2]]
    assert a._values().tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match="Cannot get indices on an uncoalesced tensor"):
        a.indices()
    with pytest.raises(RuntimeError, match="Cannot get values on an uncoalesced tensor"):
        a.values()


def test_size_inferred_dtype_cast_and_legacy_spelling():
    a = ag.sparse_coo_tensor(np.array([[0, 3], [1, 1]], dtype=np.int32), ag.ones(2),
                             dtype=ag.int64)
    assert a.shape == (4, 2) and a.dtype == ag.int64
    assert a.to_dense().tolist() == [[0, 1], [0, 0], [0, 0], [0, 1]]
    b = ag.sparse.FloatTensor(ag.tensor([[0], [1]]), ag.tensor([2.0]), ag.Size([2, 2]))
    assert b.dtype == ag.float32 and b.to_dense().tolist() == [[0.0, 2.0], [0.0, 0.0]]
    e = ag.sparse_coo_tensor(np.zeros((2, 0), dtype=np.int64), ag.zeros(0), (2, 3))
    assert e._nnz() == 0 and e.to_dense().tolist() == [[0.0] * 3] * 2
    assert ag.sparse.mm(e, ag.ones(3, 4)).tolist() == [[0.0] * 4] * 2


def test_to_sparse_roundtrip_and_gradient_at_the_nonzeros():
    x = ag.tensor([[0.0, 1.5, 0.0], [-2.0, 0.0, 3.0]], requires_grad=True)
    s = x.to_sparse()
    assert s.is_coalesced() and s.indices().tolist() == [[0, 1, 1], [1, 0, 2]]
    assert s.values().tolist() == [1.5, -2.0, 3.0]
    assert s.to_sparse() is s and x.to_dense() is x and x.to_sparse_coo().is_sparse
    (s * 2.0).to_dense().sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 0.0], [2.0, 0.0, 2.0]]


def test_products_by_hand_every_spelling():
    a = ag.sparse_coo_tensor([[0, 1, 1], [1, 0, 1]], [2.0, 3.0, 4.0], (2, 2))
    d = ag.tensor([[1.0, 10.0], [2.0, 20.0]])
    expected = [[4.0, 40.0], [11.0, 110.0]]  # [[0, 2], [3, 4]] @ d
    for y in (ag.sparse.mm(a, d), ag.spmm(a, d), ag.mm(a, d), ag.matmul(a, d), a @ d,
              a.mm(d), a.matmul(d)):
        assert not y.is_sparse and y.tolist() == expected
    left = [[6.0, 10.0], [60.0, 100.0]]  # d.T @ [[0, 2], [3, 4]]
    dt = d.T.contiguous()
    assert (dt @ a).tolist() == left == ag.mm(dt, a).tolist() == ag.sparse.mm(dt, a).tolist()
    assert (a @ ag.tensor([1.0, 1.0])).tolist() == [2.0, 7.0]


def test_sum_scale_and_dense_plus_sparse_by_hand():
    a = ag.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], [1.0, 2.0, 3.0], (2, 3))
    assert ag.sparse.sum(a).item() == 6.0 and a.sum().item() == 6.0
    rows = ag.sparse.sum(a, 1)
    assert rows.is_sparse and rows.to_dense().tolist() == [1.0, 5.0]
    assert ag.sparse.sum(a, (0, 1)).item() == 6.0
    assert (a * 2).to_dense().tolist() == (2 * a).to_dense().tolist() == [[0, 0, 2], [4, 0, 6]]
    assert (a / 2).to_dense().tolist() == [[0, 0, 0.5], [1, 0, 1.5]]
    assert (-a).to_dense().tolist() == [[0, 0, -1], [-2, 0, -3]]
    y = ag.eye(2, 3) + a
    assert not y.is_sparse and y.tolist() == [[1, 0, 1], [2, 1, 3]]
    assert (ag.ones(2, 3) - a).tolist() == [[1, 1, 0], [-1, 1, -2]]
    assert a.t().to_dense().tolist() == [[0, 2], [0, 0], [1, 3]]


# ---- against dense references ---------------------------------------------------------------
@given(coo(), st.integers(0, 3))
def test_mm_both_sides_and_coalesce_match_the_dense_reference(case, m):
    ind, vals, (n, k) = case
    a = ag.sparse_coo_tensor(ind, ag.tensor(vals), (n, k))
    ref = _dense_ref(ind, vals, (n, k))
    np.testing.assert_allclose(a.to_dense().numpy(), ref, rtol=0, atol=1e-12)
    d = np.arange(k * m, dtype=np.float64).reshape(k, m) - 1.5
    np.testing.assert_allclose(ag.sparse.mm(a, ag.tensor(d)).numpy(), ref @ d, atol=1e-12)
    e = np.arange(m * n, dtype=np.float64).reshape(m, n) + 0.5
    np.testing.assert_allclose((ag.tensor(e) @ a).numpy(), e @ ref, atol=1e-12)
    c = a.coalesce()
    rows, cols = c.indices().numpy()
    lin = list(rows * k + cols)
    assert lin == sorted(set(lin))  # sorted row-major, unique
    np.testing.assert_allclose(c.to_dense().numpy(), ref, atol=1e-12)


@given(coo(ndim=3, max_side=3), st.sampled_from([None, 0, 1, 2, (0, 2), (1, 2), -1]))
def test_sparse_sum_matches_the_dense_reference(case, dim):
    ind, vals, shape = case
    a = ag.sparse_coo_tensor(ind, ag.tensor(vals), shape)
    ref = _dense_ref(ind, vals, shape)
    out = ag.sparse.sum(a, dim)
    got = out.to_dense().numpy() if out.is_sparse else out.numpy()
    np.testing.assert_allclose(got, ref.sum(axis=dim), atol=1e-12)


@given(coo(ndim=3, max_side=3), st.sampled_from([0, 1, 2, -1]), st.booleans())
def test_sparse_softmax_matches_a_masked_dense_reference(case, dim, log):
    """Each slice along ``dim`` normalised over its stored entries (after coalescing)."""
    ind, vals, shape = case
    a = ag.sparse_coo_tensor(ind, ag.tensor(vals), shape)
    out = (ag.sparse.log_softmax if log else ag.sparse.softmax)(a, dim)
    c = a.coalesce()
    assert out.is_coalesced() and out._indices().tolist() == c.indices().tolist()
    dense = _dense_ref(ind, vals, shape)
    stored = _dense_ref(c.indices().numpy(), np.ones(c._nnz()), shape) > 0
    for pos, v in zip(c.indices().numpy().T, out._values().numpy()):
        sl = list(pos)
        sl[dim] = slice(None)
        xs, mask = dense[tuple(sl)], stored[tuple(sl)]
        ref = np.exp(dense[tuple(pos)]) / np.exp(xs[mask]).sum()
        np.testing.assert_allclose(v, np.log(ref) if log else ref, rtol=1e-12)


# ---- gradients --------------------------------------------------------------------------------
IND = np.array([[0, 2, 1, 2, 0], [1, 0, 2, 0, 1]])  # duplicates at (2, 0) and (0, 1)


def _values(seed=0, n=5):
    return ag.tensor(np.random.default_rng(seed).standard_normal(n), requires_grad=True)


def test_gradcheck_values_and_dense_operand():
    v, d = _values(), ag.tensor(np.random.default_rng(1).standard_normal((3, 2)),
                                requires_grad=True)
    e = ag.tensor(np.random.default_rng(2).standard_normal((4, 3)), requires_grad=True)

    def right(v, d):
        return ag.sparse.mm(ag.sparse_coo_tensor(IND, v, (3, 3)), d)

    def left(v, e):
        return e @ ag.sparse_coo_tensor(IND, v, (3, 3))

    def dense_of(v):
        a = ag.sparse_coo_tensor(IND, v, (3, 3))
        return a.to_dense() + ag.sparse.sum(a * 3.0, 0).to_dense() + a.coalesce().values().sum()

    assert ag.gradcheck(right, (v, d)) and ag.gradcheck(left, (v, e))
    assert ag.gradcheck(dense_of, (v,))
    for f in (ag.sparse.softmax, ag.sparse.log_softmax):
        assert ag.gradcheck(lambda v: f(ag.sparse_coo_tensor(IND, v, (3, 3)), 1)._values(),
                            (v,))
    assert ag.gradgradcheck(right, (v, d)) and ag.gradgradcheck(left, (v, e))


@given(coo(max_side=3, max_nnz=5), st.integers(1, 2))
def test_gradcheck_over_shapes_and_duplicates(case, m):
    ind, vals, (n, k) = case
    v = ag.tensor(vals + 0.25, requires_grad=True)
    d = ag.tensor(np.linspace(-1, 1, k * m).reshape(k, m), requires_grad=True)
    e = ag.tensor(np.linspace(-1, 2, m * n).reshape(m, n), requires_grad=True)
    assert ag.gradcheck(lambda v, d: ag.sparse_coo_tensor(ind, v, (n, k)) @ d, (v, d))
    assert ag.gradcheck(lambda v, e: e @ ag.sparse_coo_tensor(ind, v, (n, k)), (v, e))


def test_sparse_leaf_gradient_in_closed_form():
    """d(sum(w * (A @ D)))/dA at A's coordinates is (w @ D^T)[r, c]; duplicates share it."""
    a = ag.sparse_coo_tensor(IND, np.ones(5), (3, 3), requires_grad=True)
    assert a.is_leaf and a.requires_grad and a.grad is None
    d = np.arange(6.0).reshape(3, 2)
    w = np.array([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]])
    (ag.sparse.mm(a, ag.tensor(d)) * ag.tensor(w)).sum().backward()
    g = a.grad
    full = w @ d.T
    assert g.is_sparse and g.shape == (3, 3)
    assert g._indices().tolist() == [[0, 1, 2], [1, 2, 0]]  # unique, row-major
    assert g._values().tolist() == [full[0, 1], full[1, 2], full[2, 0]]
    a.grad = None
    assert a.grad is None


def test_nonleaf_sparse_passes_the_gradient_to_its_values():
    v = _values()
    a = ag.sparse_coo_tensor(IND, v, (3, 3))
    assert not a.is_leaf and a.grad_fn.name() == "SparseCooTensorWithDimsAndTensorsBackward0"
    (a @ ag.ones(3, 1, dtype=ag.float64)).sum().backward()
    assert v.grad.tolist() == [1.0] * 5
    w = ag.tensor([1.0, 2.0])
    b = ag.sparse_coo_tensor([[0, 1]], w, (2,))
    b.requires_grad_()
    assert b.requires_grad and not w.requires_grad  # the caller's values are left alone


# ---- errors and refusals ----------------------------------------------------------------------
@pytest.mark.parametrize("args, kwargs, exc, match", [
    (([[0, 1]], [1.0, 2.0], (1,)), {}, RuntimeError,
     "size is inconsistent with indices: for dim 0, size is 1 but found index 1"),
    (([[0, -1]], [1.0, 2.0], (3,)), {}, RuntimeError, "found negative index -1 for dim 0"),
    (([[0, 1]], [1.0], (3,)), {}, RuntimeError,
     "indices and values must have same nnz, but got nnz from indices: 2, nnz from values: 1"),
    (([[0, 1]], [1.0, 2.0], (3, 3)), {}, RuntimeError,
     r"'len\(size\) == sparse_dim \+ dense_dim' is not satisfied: len\(size\) = 2"),
    (([0, 1], [1.0, 2.0], (3,)), {}, RuntimeError, r"indices must be sparse_dim x nnz"),
    (([[0.5, 1]], [1.0, 2.0], (3,)), {}, RuntimeError, "indices must be an int64 tensor"),
    (([[0, 1]], [[1.0], [2.0]], (3,)), {}, NotImplementedError, "only 1-d values"),
    (([[1, 0]], [1.0, 2.0], (3,)), {"is_coalesced": True}, RuntimeError, "not sorted"),
    (([[0]], [1.0], (3,)), {"device": "cuda"}, AssertionError, "only the CPU"),
])
def test_construction_errors(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ag.sparse_coo_tensor(*args, **kwargs)


def test_product_errors():
    a = ag.sparse_coo_tensor([[0], [1]], [1.0], (2, 3))
    with pytest.raises(RuntimeError, match=r"shapes cannot be multiplied \(2x3 and 2x2\)"):
        ag.sparse.mm(a, ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="same dtype"):
        a @ ag.ones(3, 2, dtype=ag.float64)
    with pytest.raises(NotImplementedError, match="sparse @ sparse"):
        ag.sparse.mm(a, a.t())
    with pytest.raises(RuntimeError, match=r"add\(sparse, dense\) is not supported. Use "
                                           r"add\(dense, sparse\) instead."):
        a + ag.ones(2, 3)
    with pytest.raises(NotImplementedError, match="layout"):
        ag.ones(2, 2).to_sparse(layout="sparse_csr")
    with pytest.raises(NotImplementedError, match="dense dimensions"):
        ag.ones(2, 2).to_sparse(1)


@pytest.mark.parametrize("op, name", [
    (lambda a: a.exp(), "exp"), (lambda a: ag.exp(a), "exp"), (lambda a: a.reshape(6), "reshape"),
    (lambda a: a[0], "getitem"), (lambda a: a.mean(), "mean"), (lambda a: ag.sum(a), "sum"),
    (lambda a: a.tolist(), "tolist"), (lambda a: ag.tensor(a), "tensor"),
    (lambda a: a * ag.ones(2, 3), "__mul__"), (lambda a: a - a, "sub"),
    (lambda a: ag.nn.functional.relu(a), "relu"), (lambda a: a.contiguous(), "contiguous"),
])
def test_every_other_op_refuses_naming_the_op_and_layout(op, name):
    a = ag.sparse_coo_tensor([[0, 1], [2, 0]], [1.0, 2.0], (2, 3))
    with pytest.raises(NotImplementedError,
                       match=f"Could not run '{name}' with arguments from the 'SparseCPU' "
                             "backend: .*sparse_coo"):
        op(a)


def test_numpy_conversion_and_optimizers_refuse():
    a = ag.sparse_coo_tensor([[0, 1]], [1.0, 2.0], (2,), requires_grad=True)
    for convert in (a.numpy, lambda: np.asarray(a)):
        with pytest.raises(TypeError, match="can't convert Sparse layout tensor to numpy"):
            convert()
    for opt in (optim.SGD, optim.Adam):
        with pytest.raises(RuntimeError, match=f"{opt.__name__} does not support sparse "
                                               "gradients"):
            opt([a], lr=0.1)


def test_compile_falls_back_to_eager():
    a = ag.sparse_coo_tensor([[0, 1], [1, 0]], [1.0, 2.0], (2, 2))
    w = ag.tensor([[1.0], [2.0]], requires_grad=True)

    def step(x):
        return (ag.sparse.mm(a, w * x)).sum()

    with pytest.raises(CompileFallback, match="cannot capture"):
        compiled = ag.compile(step, strict=True)
        for _ in range(3):
            compiled(ag.tensor(2.0))
    with pytest.warns(RuntimeWarning, match="sparse.mm"):
        lenient = ag.compile(step)
        assert [lenient(ag.tensor(float(s))).item() for s in range(3)] == [0.0, 4.0, 8.0]
