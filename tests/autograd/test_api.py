"""Public API behaviour against PyTorch's rules, closed forms and clear errors."""

import pathlib

import numpy as np
import pytest

import autograd_core as ag

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_imported_packages_are_this_repository():
    # nn, optimizers and bench are also names of unrelated PyPI distributions
    import bench
    import nn
    import optimizers

    for mod in (ag, nn, optimizers, bench):
        assert pathlib.Path(mod.__file__).resolve().is_relative_to(REPO), mod.__file__


def test_dtype_rules_follow_pytorch():
    assert ag.tensor([1.0, 2.0]).dtype == np.float32
    assert ag.tensor(3.5).dtype == np.float32
    assert ag.tensor([1, 2]).dtype == np.int64
    assert ag.tensor([True]).dtype == np.bool_
    assert ag.tensor(np.array([1.0])).dtype == np.float64  # numpy arrays keep their dtype
    assert ag.zeros(2, 3).dtype == np.float32 and ag.zeros((2, 3)).shape == (2, 3)
    assert ag.arange(3).dtype == np.int64 and ag.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert ag.full((2,), 7).dtype == np.int64 and ag.full((2,), 7.0).dtype == np.float32
    assert ag.randn(2, 2).dtype == np.float32
    assert (ag.tensor([1.0]) * 2.5).dtype == np.float32  # Python scalars don't promote


def test_tensor_copies_but_from_numpy_shares():
    arr = np.array([1.0, 2.0])
    t = ag.tensor(arr)
    arr[0] = 9
    assert t._data[0] == 1.0
    s = ag.from_numpy(arr)
    arr[1] = 7
    assert s._data[1] == 7


def test_manual_seed_reproduces_draws():
    ag.manual_seed(3)
    a = ag.randn(5)._data.copy()
    ag.manual_seed(3)
    b = ag.randn(5)._data
    np.testing.assert_array_equal(a, b)


def test_repr_like_pytorch():
    assert repr(ag.tensor([1.0, 2.0, 3.0])) == "tensor([1., 2., 3.])"
    assert repr(ag.tensor([0.5, 0.25])) == "tensor([0.5000, 0.2500])"
    assert repr(ag.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    x = ag.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward0>)"
    assert repr(ag.tensor(np.array([1.0]))) == "tensor([1.], dtype=autograd_core.float64)"


def test_attributes():
    x = ag.tensor(np.zeros((2, 3, 4)))
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.size() == (2, 3, 4) and x.size(1) == 3
    assert x.numel() == 24 and x.is_leaf and x.tolist()[0][0] == [0.0] * 4
    assert np.shares_memory(np.asarray(x), x._data)  # an array object of its own: (progs9)
    y = ag.tensor([1.0], requires_grad=True)
    assert np.asarray(y).shape == (1,)
    with pytest.raises(RuntimeError, match="detach\\(\\).numpy\\(\\)"):
        y.numpy()


def test_item_requires_one_element():
    assert ag.tensor([[2.5]]).item() == 2.5
    with pytest.raises(RuntimeError, match="3 elements .*shape \\(3,\\)"):
        ag.tensor([1.0, 2.0, 3.0]).item()


def test_shape_errors_name_the_op_and_both_shapes():
    a, b = ag.ones(2, 3), ag.ones(4)
    for fn, name in [(lambda: a + b, "add"), (lambda: a * b, "mul"), (lambda: a - b, "sub"),
                     (lambda: a / b, "div")]:
        with pytest.raises(ValueError, match=f"{name}: shapes \\(2, 3\\) and \\(4,\\)"):
            fn()
    with pytest.raises(RuntimeError, match="matmul: shapes \\(2, 3\\) and \\(4, 5\\)"):
        a @ ag.ones(4, 5)
    with pytest.raises(RuntimeError, match="reshape/view: shape \\(4,\\) is invalid .*\\(2, 3\\)"):
        a.reshape(4)
    with pytest.raises(RuntimeError, match="cat: .*shapes \\[\\(2, 3\\), \\(2, 4\\)\\]"):
        ag.cat([a, ag.ones(2, 4)], dim=0)
    with pytest.raises(IndexError, match="dimension out of range"):
        a.sum(dim=2)


def test_index_out_of_range_is_clear():
    x = ag.tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x[5]  # PyTorch's words
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[[0, 3]]
    with pytest.raises(IndexError, match="long, int or bool"):
        x[ag.tensor([0.0])]


def test_reductions_match_numpy_and_torch_conventions():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 4, 5))
    t = ag.tensor(a)
    np.testing.assert_allclose(t.sum(dim=(0, 2))._data, a.sum(axis=(0, 2)))
    np.testing.assert_allclose(t.mean(1, keepdim=True)._data, a.mean(1, keepdims=True))
    np.testing.assert_allclose(t.var()._data, a.var(ddof=1))  # unbiased by default
    np.testing.assert_allclose(t.var(0, unbiased=False)._data, a.var(0))
    np.testing.assert_allclose(t.std(dim=2, correction=0)._data, a.std(2))
    r = t.max(dim=1)
    np.testing.assert_array_equal(r.values._data, a.max(1))
    np.testing.assert_array_equal(r.indices._data, a.argmax(1))
    assert r.indices.dtype == np.int64
    assert t.argmax().item() == a.argmax()


def test_max_gradient_splits_ties_evenly_and_dim_max_picks_one():
    x = ag.tensor(np.array([1.0, 3.0, 3.0, 2.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad._data, [0, 0.5, 0.5, 0])
    y = ag.tensor(np.array([[1.0, 3.0, 3.0]]), requires_grad=True)
    y.max(dim=1).values.sum().backward()
    assert y.grad._data.sum() == 1.0


def test_maximum_ties_split_and_kinks_follow_pytorch():
    a = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ag.tensor(np.array([1.0, 1.0]), requires_grad=True)
    ag.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad._data, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad._data, [0.5, 0.0])
    z = ag.tensor(np.array([0.0, -1.0, 2.0]), requires_grad=True)
    z.abs().sum().backward()
    np.testing.assert_array_equal(z.grad._data, [0.0, -1.0, 1.0])  # sign, 0 at 0
    c = ag.tensor(np.array([-1.0, -0.5, 0.5, 1.0]), requires_grad=True)
    c.clamp(-0.5, 0.5).sum().backward()
    np.testing.assert_array_equal(c.grad._data, [0, 1, 1, 0])  # inclusive bounds
    base = ag.tensor(np.array([0.0, 2.0]), requires_grad=True)
    e = ag.tensor(np.array([2.0, 3.0]), requires_grad=True)
    (base ** e).sum().backward()
    np.testing.assert_allclose(e.grad._data, [0.0, 8 * np.log(2)])  # 0 at zero base


def test_logsumexp_and_softmax_are_stable_and_match_closed_forms():
    big = ag.tensor(np.array([1000.0, 1000.0, -1000.0]), requires_grad=True)
    lse = big.logsumexp(0)
    np.testing.assert_allclose(lse._data, 1000 + np.log(2))
    lse.backward()
    np.testing.assert_allclose(big.grad._data, [0.5, 0.5, 0.0])
    x = np.array([[1.0, 2.0, 3.0], [-500.0, 0.0, 500.0]])
    sm = ag.tensor(x).softmax(dim=1)._data
    e = np.exp(x[0] - x[0].max())
    np.testing.assert_allclose(sm[0], e / e.sum())
    np.testing.assert_allclose(sm[1], [0, 0, 1], atol=1e-200)
    ls = ag.tensor(x).log_softmax(dim=1)._data
    assert np.all(np.isfinite(ls))
    np.testing.assert_allclose(ls[1], [-1000.0, -500.0, 0.0])
    ninf = ag.tensor(np.array([-np.inf, -np.inf]))
    assert ninf.logsumexp(0).item() == -np.inf


def test_softmax_jacobian_closed_form():
    x = ag.tensor(np.array([0.2, -1.0, 0.7]), requires_grad=True)
    s = x.softmax(0)
    jac = np.stack([ag.grad(s[i], x, retain_graph=True)[0]._data for i in range(3)])
    p = s._data
    np.testing.assert_allclose(jac, np.diag(p) - np.outer(p, p), rtol=1e-12)


def test_shape_ops_and_views():
    x = ag.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.T.shape == (4, 3, 2)
    assert x.flatten(1).shape == (2, 12)
    assert x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert ag.ones(1, 3, 1).squeeze().shape == (3,)
    assert ag.ones(1, 3, 1).squeeze(0).shape == (3, 1)
    assert ag.ones(3, 1).expand(-1, 4).shape == (3, 4)
    assert ag.stack([x, x], dim=1).shape == (2, 2, 3, 4)
    assert ag.cat([x, x], dim=-1).shape == (2, 3, 8)
    np.testing.assert_array_equal(x.view(6, 4)._data, x._data.reshape(6, 4))


def test_comparisons_return_bool_tensors_and_tensors_stay_hashable():
    a = ag.tensor([1.0, 2.0])
    assert (a > 1.5).dtype == np.bool_ and not (a > 1.5).requires_grad
    d = {a: 1}
    assert d[a] == 1


def test_detect_anomaly_names_the_forward_op():
    x = ag.tensor(np.array([1.0, -1.0]), requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError, match="'Log' produced nan"):
            x.log()
    x.log()  # outside: no check, numpy just warns
    

def test_detect_anomaly_names_the_backward_op_and_where_it_was_recorded():
    x = ag.tensor(np.array([0.0, 1.0]), requires_grad=True)
    with ag.detect_anomaly():
        y = x.sqrt()  # finite forward (0, 1), infinite derivative at 0
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    msg = str(info.value)
    assert "SqrtBackward0" in msg and "inf" in msg and "test_api.py" in msg
