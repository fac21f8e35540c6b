"""Issue 12 item 5: the everyday ops, on hand-worked values and closed-form gradients, and
their refusals in PyTorch's words (gradcheck/gradgradcheck come from the op table)."""

import numpy as np
import pytest

import autograd_core as ag

T = ag.tensor


def _leaf(values, dtype=np.float64):
    return ag.tensor(np.array(values, dtype=dtype), requires_grad=True)


# ---- linear algebra ----------------------------------------------------------------------

def test_mm_bmm_addmm_hand_worked():
    a = _leaf([[1.0, 2.0], [3.0, 4.0]])
    b = _leaf([[5.0, 6.0], [7.0, 8.0]])
    np.testing.assert_array_equal(ag.mm(a, b).data, [[19, 22], [43, 50]])
    # d sum(a @ b) / da = ones @ b.T: row sums of b
    ag.mm(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[11, 15], [11, 15]])
    np.testing.assert_array_equal(b.grad.data, [[4, 4], [6, 6]])
    np.testing.assert_array_equal(a.data[None].shape, (1, 2, 2))
    out = ag.bmm(a.reshape(1, 2, 2), b.reshape(1, 2, 2))
    np.testing.assert_array_equal(out.data[0], [[19, 22], [43, 50]])
    c = T([1.0, -1.0], dtype=ag.float64)  # addmm does not promote (PyTorch refuses Float + Double)
    np.testing.assert_array_equal(ag.addmm(c, a, b, beta=2, alpha=0.5).data,
                                  [[11.5, 9.0], [23.5, 23.0]])


def test_addmm_with_beta_zero_ignores_nan_in_input():
    a = T(np.eye(2))
    out = ag.addmm(T(np.array([[np.nan, np.inf], [1.0, 1.0]])), a, a, beta=0)
    np.testing.assert_array_equal(out.data, np.eye(2))


def test_mm_and_bmm_refuse_wrong_shapes_with_pytorchs_words():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x3 and 4x5\)"):
        ag.mm(ag.ones(2, 3), ag.ones(4, 5))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        ag.mm(ag.ones(3), ag.ones(3, 2))
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        ag.bmm(ag.ones(2, 3), ag.ones(1, 3, 2))
    with pytest.raises(RuntimeError, match=r"Expected size for first two dimensions of batch2 "
                                           r"tensor to be: \[2, 3\] but got: \[1, 3\]"):
        ag.bmm(ag.ones(2, 2, 3), ag.ones(1, 3, 2))


def test_einsum_common_subscripts_match_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    m = rng.standard_normal((3, 3))
    for eq, ops in [("bij,bjk->bik", (a, b)), ("...ij,...jk", (a, b)), ("ii", (m,)),
                    ("ii->i", (m,)), ("ij->ji", (m,)), ("ij,ij->", (m, m)), ("i,j", (m[0], m[1])),
                    ("bij->b", (a,)), ("ij", (m,)), ("ba", (m,))]:
        got = ag.einsum(eq, *[T(o) for o in ops])
        np.testing.assert_allclose(got.data, np.einsum(eq, *ops), rtol=1e-12, err_msg=eq)


def test_einsum_gradients_closed_forms():
    m = _leaf(np.arange(9.0).reshape(3, 3))
    ag.einsum("ii", m).backward()  # d trace / dM = I
    np.testing.assert_array_equal(m.grad.data, np.eye(3))
    x, y = _leaf([1.0, 2.0]), _leaf([3.0, 4.0, 5.0])
    ag.einsum("i,j->", x, y).backward()  # sum_ij x_i y_j: dx = sum(y), dy = sum(x)
    np.testing.assert_array_equal(x.grad.data, [12.0, 12.0])
    np.testing.assert_array_equal(y.grad.data, [3.0, 3.0, 3.0])


def test_einsum_refusals():
    with pytest.raises(RuntimeError, match="more operands were provided"):
        ag.einsum("ij", ag.ones(2, 2), ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="number of subscripts"):
        ag.einsum("ijk", ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Float"):
        ag.einsum("i,i", T(np.ones(2)), T(np.ones(2, np.float32)))


def test_log10_log2_exp2_values_gradients_and_integer_inputs():
    x = _leaf([100.0, 8.0])
    np.testing.assert_allclose(ag.log10(x).data, [2.0, np.log10(8.0)])
    ag.log10(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 1 / (np.array([100.0, 8.0]) * np.log(10)))
    np.testing.assert_allclose(x.log2().data, [np.log2(100.0), 3.0])
    e = _leaf([3.0, -1.0])
    np.testing.assert_allclose(e.exp2().data, [8.0, 0.5])
    e.exp2().sum().backward()
    np.testing.assert_allclose(e.grad.data, [8.0 * np.log(2), 0.5 * np.log(2)])
    assert ag.log10(T([10, 100])).dtype == np.float32  # PyTorch: integer input -> float32


# ---- pieces ------------------------------------------------------------------------------

def test_split_chunk_unbind_pieces_are_views_with_gradients():
    x = _leaf(np.arange(10.0))
    assert [p.shape for p in x.split(4)] == [(4,), (4,), (2,)]
    assert [p.shape for p in ag.split(x, [3, 7])] == [(3,), (7,)]
    assert [p.shape for p in ag.chunk(x, 3)] == [(4,), (4,), (2,)]
    assert [p.shape for p in ag.chunk(ag.ones(5), 3)] == [(2,), (2,), (1,)]
    pieces = ag.chunk(x, 2)
    (pieces[0] * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0] * 5 + [0.0] * 5)
    m = T(np.arange(6.0).reshape(2, 3))
    rows = m.unbind()
    assert len(rows) == 2 and np.shares_memory(rows[0].data, m.data)
    np.testing.assert_array_equal([c.data for c in ag.unbind(m, 1)], [[0, 3], [1, 4], [2, 5]])


def test_split_chunk_refusals():
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly "
                                           "to 5"):
        ag.split(ag.ones(5), [2, 2])
    with pytest.raises(RuntimeError, match="split_size be non-negative"):
        ag.split(ag.ones(5), -1)
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0, got: 0"):
        ag.chunk(ag.ones(2), 0)
    with pytest.raises(IndexError, match="Dimension out of range|dimension out of range"):
        ag.unbind(ag.ones(2, 2), 2)


def test_tril_triu_hand_worked_and_gradient_is_the_mask():
    m = _leaf(np.arange(1.0, 10.0).reshape(3, 3))
    np.testing.assert_array_equal(ag.tril(m).data, [[1, 0, 0], [4, 5, 0], [7, 8, 9]])
    np.testing.assert_array_equal(m.triu(1).data, [[0, 2, 3], [0, 0, 6], [0, 0, 0]])
    np.testing.assert_array_equal(m.tril(-1).data, [[0, 0, 0], [4, 0, 0], [7, 8, 0]])
    m.tril().sum().backward()
    np.testing.assert_array_equal(m.grad.data, np.tril(np.ones((3, 3))))
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        ag.tril(ag.ones(3))


def test_cumsum_values_gradient_and_integer_dtype():
    x = _leaf([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(ag.cumsum(x, 0).data, [1, 3, 6])
    x.cumsum(0).sum().backward()  # x_i appears in n - i partial sums
    np.testing.assert_array_equal(x.grad.data, [3, 2, 1])
    assert ag.cumsum(T(np.array([1, 2], np.int32)), 0).dtype == np.int64
    assert ag.cumsum(T([1.0, 2.0]), 0, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(T([[1, 2], [3, 4]]).cumsum(-1).data, [[1, 3], [3, 7]])


def test_constant_pad_nd_pads_and_crops_and_routes_gradients():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    out = ag.constant_pad_nd(x, (1, 0, 0, 1), 9.0)
    np.testing.assert_array_equal(out.data, [[9, 1, 2], [9, 3, 4], [9, 9, 9]])
    (out * T(np.arange(9.0).reshape(3, 3))).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(ag.constant_pad_nd(x, (-1, 0)).data, [[2], [4]])
    with pytest.raises(RuntimeError, match="narrow"):
        ag.constant_pad_nd(x, (-2, -1))
    # regression: on an empty dim, (-1, 1) must not pass as "size 0 - 1 + 1 = 0" and pad anyway
    with pytest.raises(RuntimeError, match="narrow"):
        ag.constant_pad_nd(ag.ones(2, 0), (-1, 1))
    # crop first, then pad (PyTorch's order): (4, -2) on [0, 1, 2] keeps [0] then adds 4 zeros
    np.testing.assert_array_equal(ag.constant_pad_nd(T([[5.0, 1.0, 2.0]]), (4, -2)).data,
                                  [[0, 0, 0, 0, 5]])
    np.testing.assert_array_equal(ag.constant_pad_nd(T([[5.0, 1.0, 2.0]]), (-3, 1)).data, [[0]])


# ---- ordering ----------------------------------------------------------------------------

def test_sort_argsort_named_results_stable_and_nan_largest():
    x = T([3.0, 1.0, np.nan, 1.0, 2.0])
    values, indices = ag.sort(x)
    np.testing.assert_array_equal(indices.data, [1, 3, 4, 0, 2])
    np.testing.assert_array_equal(values.data[:4], [1, 1, 2, 3])
    assert np.isnan(values.data[4])
    res = x.sort(descending=True)
    np.testing.assert_array_equal(res.indices.data, [2, 0, 4, 1, 3])  # ties keep their order
    assert res.indices.dtype == np.int64
    np.testing.assert_array_equal(T([[2, 1], [0, 5]]).argsort(dim=0).data, [[1, 0], [0, 1]])


def test_sort_and_topk_gradients_reach_the_chosen_elements():
    x = _leaf([0.5, 3.0, -1.0, 2.0])
    top = x.topk(2)
    np.testing.assert_array_equal(top.values.data, [3.0, 2.0])
    np.testing.assert_array_equal(top.indices.data, [1, 3])
    (top.values * T([10.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 10, 0, 1])
    low = ag.topk(T([[4.0, 1.0, 3.0]]), 2, largest=False)
    np.testing.assert_array_equal(low.values.data, [[1.0, 3.0]])
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        ag.topk(ag.ones(3), 4)


# ---- index-driven ops --------------------------------------------------------------------

def test_gather_hand_worked_and_repeated_indices_accumulate():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    out = ag.gather(x, 1, T(np.array([[0, 0], [1, 0]])))
    np.testing.assert_array_equal(out.data, [[1, 1], [4, 3]])
    out.sum().backward()
    # regression: x[0, 0] is read twice, so its gradient is 2 (an overwriting scatter gives 1)
    np.testing.assert_array_equal(x.grad.data, [[2, 0], [1, 1]])
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
        ag.gather(ag.ones(3), 0, T(np.array([5])))
    with pytest.raises(RuntimeError, match="Expected dtype int32/int64 for index"):
        ag.gather(ag.ones(3), 0, T(np.array([0], np.int16)))  # (int32 is taken, as PyTorch)


def test_scatter_and_scatter_add_hand_worked():
    src = _leaf([[1.0, 2.0, 3.0]])
    base = _leaf(np.zeros((2, 3)))
    idx = T(np.array([[1, 0, 1]]))
    out = ag.scatter(base, 0, idx, src)
    np.testing.assert_array_equal(out.data, [[0, 2, 0], [1, 0, 3]])
    (out * T([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(src.grad.data, [[4, 2, 6]])
    np.testing.assert_array_equal(base.grad.data, [[1, 0, 3], [0, 5, 0]])
    summed = ag.scatter_add(ag.zeros(3), 0, T(np.array([0, 0, 2])), T([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(summed.data, [3, 0, 3])
    np.testing.assert_array_equal(ag.zeros(2).scatter(0, T(np.array([1])), 7.0).data, [0, 7])
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        ag.scatter_add(T(np.zeros(3)), 0, T(np.array([0])), T(np.array([1.0], np.float32)))


def test_index_select_and_masked_fill():
    x = _leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out = x.index_select(1, T(np.array([2, 2, 0])))
    np.testing.assert_array_equal(out.data, [[3, 3, 1], [6, 6, 4]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 0, 2], [1, 0, 2]])
    with pytest.raises(IndexError, match="index out of range in self"):
        ag.index_select(x, 0, T(np.array([2])))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        ag.index_select(x, 0, T(np.array([[0]])))

    v = _leaf(9.0)
    y = _leaf([1.0, 2.0, 3.0])
    filled = y.masked_fill(T([True, False, True]), v)
    np.testing.assert_array_equal(filled.data, [9, 2, 9])
    filled.sum().backward()
    np.testing.assert_array_equal(y.grad.data, [0, 1, 0])
    assert v.grad.item() == 2.0
    assert ag.masked_fill(T(np.array([1, 2], np.int32)), T([True, False]), 7).dtype == np.int32
    with pytest.raises(RuntimeError, match="only supports boolean masks, but got mask with dtype "
                                           "double"):
        y.masked_fill(T(np.array([1.0, 0.0, 1.0])), 0.0)


def test_in_place_forms_follow_autograd_rules():
    x = T([1.0, 2.0, 3.0])
    assert x.masked_fill_(T([False, True, False]), 0.0) is x
    np.testing.assert_array_equal(x.data, [1, 0, 3])
    x.index_put_((T(np.array([0, 0])),), T([5.0, 5.0]), accumulate=True)
    np.testing.assert_array_equal(x.data, [11, 0, 3])
    x.scatter_add_(0, T(np.array([2])), T([1.0]))
    np.testing.assert_array_equal(x.data, [11, 0, 4])
    leaf = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.masked_fill_(T([True, False]), 0.0)
    # a node that saved the tensor refuses to backward after the in-place change
    y = _leaf([1.0, 2.0]) * 1.0
    z = y * y
    y.index_put_((T(np.array([0])),), T(np.array([3.0])))
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_index_put_writes_or_accumulates():
    x = _leaf([1.0, 2.0, 3.0])
    vals = _leaf([10.0, 20.0])
    out = ag.index_put(x, (T(np.array([0, 2])),), vals)
    np.testing.assert_array_equal(out.data, [10, 2, 20])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 1, 0])
    np.testing.assert_array_equal(vals.grad.data, [1, 1])
    acc = x.index_put((T(np.array([1, 1])),), T(np.array([5.0, 6.0])), accumulate=True)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination "
                                           "dtypes match"):
        x.index_put((T(np.array([1])),), T(np.array([5.0], np.float32)))
    np.testing.assert_array_equal(acc.data, [1, 13, 3])


# ---- predicates --------------------------------------------------------------------------

def test_all_any_isclose_allclose():
    m = T([[1.0, 0.0], [2.0, 3.0]])
    assert ag.all(m).item() is False and ag.any(m).item() is True
    np.testing.assert_array_equal(m.all(dim=1).data, [False, True])
    np.testing.assert_array_equal(ag.any(m == 0, 0, keepdim=True).data, [[False, True]])
    # PyTorch's defaults: |a - b| <= 1e-8 + 1e-5 |b|
    a = T([1.0, 1e-9, 100.0])
    b = T([1.0 + 0.9e-5, 0.0, 100.0 + 2e-3])
    np.testing.assert_array_equal(ag.isclose(a, b).data, [True, True, False])
    assert ag.allclose(a[:2], b[:2]) is True and a.allclose(b) is False
    assert ag.isclose(T([np.nan]), T([np.nan]), equal_nan=True).item() is True


def test_nelement_is_numel():
    assert ag.ones(2, 3).nelement() == 6 == ag.ones(2, 3).numel()
