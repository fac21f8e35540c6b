"""The tape and the engine: ordering, accumulation, freeing, hooks, grad modes, errors."""

import gc
import re

import numpy as np
import pytest

import autograd_core as ag


def t64(values, requires_grad=True):
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def test_hand_worked_example():
    # f = (a*b + a)^2 at a=2, b=3: f = 64; df/da = 2(ab+a)(b+1) = 64; df/db = 2(ab+a)a = 32
    a, b = t64(2.0), t64(3.0)
    f = (a * b + a) ** 2
    f.backward()
    assert f.item() == 64.0
    assert a.grad.item() == 64.0 and b.grad.item() == 32.0


def test_diamond_graph_accumulates_both_paths():
    x = t64(1.5)
    y = x.exp()
    z = y * y + y.sin()  # y used twice
    z.backward()
    e = np.exp(1.5)
    assert np.isclose(x.grad.item(), (2 * e + np.cos(e)) * e, rtol=1e-12)


def test_deep_chain_of_100k_ops_backprops_without_recursion():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad.item() == 1.0
    del y
    gc.collect()  # tearing down a 200k-node graph must not overflow the C stack either


def test_grads_accumulate_across_backward_calls():
    x = t64([1.0, 2.0])
    (x * 3).sum().backward()
    (x * 4).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [7.0, 7.0])


def test_second_backward_through_freed_graph_raises_and_retain_graph_allows_it():
    x = t64([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad._data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad._data, 2 * first)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_non_scalar_backward_needs_gradient():
    x = t64([1.0, 2.0])
    y = x * 2
    with pytest.raises(RuntimeError, match="only for scalar outputs.*shape \\(2,\\)"):
        y.backward()
    y.backward(gradient=np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad._data, [2.0, 20.0])
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of autograd_core.Size\(\[3\]\)"):
        (x * 2).backward(gradient=np.ones(3))


def test_backward_of_tensor_without_grad_raises():
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.sum().backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point.*int64"):
        ag.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([True, False]).requires_grad_()


def test_leaf_gradients_are_owned_exclusively():
    # a + b hands the same gradient array to both leaves; scaling one in place (as gradient
    # clipping does) must not change the other
    a, b = t64([1.0, 2.0]), t64([3.0, 4.0])
    (a + b).sum().backward()
    a.grad._data *= 10
    np.testing.assert_array_equal(b.grad._data, [1.0, 1.0])
    # and a user-given gradient array is not aliased either
    c = t64([1.0, 2.0])
    g = np.array([5.0, 6.0])
    (c * 1.0).backward(gradient=g)
    c.grad._data[0] = 0
    assert g[0] == 5.0


def test_grad_returns_without_touching_dot_grad():
    x = t64([1.0, 2.0, 3.0])
    (gx,) = ag.grad((x ** 2).sum(), x)
    np.testing.assert_allclose(gx._data, 2 * x._data)
    assert x.grad is None


def test_grad_wrt_intermediate_and_unused_inputs():
    x = t64([1.0, 2.0])
    h = x * 3
    u = t64([0.0])
    y = (h ** 2).sum()
    gh, gu = ag.grad(y, [h, u], allow_unused=True)
    np.testing.assert_allclose(gh._data, 2 * h._data)
    assert gu is None
    with pytest.raises(RuntimeError, match="Tensor at index 1 appears to not have been used in the graph"):
        ag.grad((x * 3).sum(), [x, u])


def test_no_grad_and_enable_grad():
    x = t64([1.0])
    with ag.no_grad():
        y = x * 2
        with ag.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @ag.no_grad()
    def f(a):
        return a * 2

    @ag.no_grad
    def g(a):
        return a * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    assert ag.is_grad_enabled()


def test_detach_shares_data_but_cuts_the_graph():
    x = t64([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = (x * d).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad._data, [2.0, 4.0])  # d treated as a constant


def test_leaf_hook_sees_total_gradient_and_can_replace_it():
    x = t64([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g._data.copy()))
    handle = x.register_hook(lambda g: g * 10)
    (x * 2 + x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [5.0, 5.0])  # once, with the summed gradient
    np.testing.assert_array_equal(x.grad._data, [50.0, 50.0])
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [2.0, 2.0])


def test_non_leaf_hook_and_retain_grad():
    x = t64([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    h.register_hook(lambda g: g * 2)  # doubles what flows on to x
    (h ** 2).sum().backward()
    # retain_grad stores the gradient after every hook of h, even one registered after it
    # (PyTorch >= 2.0: h.grad is [12, 24] here, checked with torch 2.13), so the doubled one
    np.testing.assert_allclose(h.grad._data, 2 * 2 * h._data)
    np.testing.assert_allclose(x.grad._data, 2 * 2 * h._data * 3)


def test_inplace_change_of_a_saved_tensor_is_detected():
    x = t64([1.0, 2.0])
    h = x * 1.0
    y = (h * h).sum()  # saves h
    h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_change_through_a_view_is_detected():
    x = t64([[1.0, 2.0], [3.0, 4.0]])
    h = x * 1.0
    y = h.exp().sum() + (h * h).sum()
    v = h[0]  # a view of h shares its version counter
    with ag.no_grad():
        v.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_on_leaf_requiring_grad_raises_but_works_under_no_grad():
    w = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1.0)
    np.testing.assert_array_equal(w._data, [1.0, 2.0])  # unchanged
    with ag.no_grad():
        w.sub_(1.0)
    np.testing.assert_array_equal(w._data, [0.0, 1.0])


def test_inplace_add_on_non_leaf_records_correct_gradient():
    x = t64([1.0, 2.0])
    h = x * 2
    h += x  # h = 3x, recorded
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad._data, 18 * x._data)


def test_failed_inplace_op_leaves_tensor_unchanged():
    x = ag.tensor([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="add: shapes \\(3,\\) and \\(2,\\)"):
        x.add_(ag.tensor([1.0, 1.0]))
    np.testing.assert_array_equal(x._data, [1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=re.escape("output with shape [3] doesn't match the "
                                                     "broadcast shape [2, 3]")):
        x.add_(ag.ones(2, 3))
    np.testing.assert_array_equal(x._data, [1.0, 2.0, 3.0])


def test_setitem_records_gradients_for_target_and_value():
    x = t64([1.0, 2.0, 3.0])
    v = t64([10.0])
    h = x * 1.0
    h[1] = v * 2
    (h * ag.tensor(np.array([1.0, 2.0, 3.0]))).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(v.grad._data, [4.0])


def test_advanced_index_backward_accumulates_repeats():
    x = t64([1.0, 2.0, 3.0])
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad._data, [3.0, 0.0, 1.0])
    y = t64(np.arange(6.0).reshape(2, 3))
    y[y._data > 2].sum().backward()
    np.testing.assert_array_equal(y.grad._data, [[0, 0, 0], [1, 1, 1]])
    z = t64(np.arange(6.0).reshape(2, 3))
    z[ag.tensor([1, 1]), ag.tensor([0, 2])].sum().backward()
    np.testing.assert_array_equal(z.grad._data, [[0, 0, 0], [1, 0, 1]])


def test_create_graph_second_derivative_closed_form():
    x = t64([0.3, -1.2, 2.0])
    y = (x.sin() * x ** 2).sum()
    (g,) = ag.grad(y, x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)
    xs = x._data
    expected = -np.sin(xs) * xs**2 + 4 * xs * np.cos(xs) + 2 * np.sin(xs)
    np.testing.assert_allclose(h._data, expected, rtol=1e-12)


def _mlp_loss(params, X, Y):
    w1, b1, w2, b2 = params
    h = (X @ w1 + b1).tanh()
    out = h @ w2 + b2
    return ((out - Y) ** 2).mean()


def test_hessian_vector_product_of_an_mlp_loss_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = ag.tensor(rng.standard_normal((5, 3)))
    Y = ag.tensor(rng.standard_normal((5, 2)))
    X, Y = X.double(), Y.double()
    params = [ag.tensor(rng.standard_normal(s) * 0.7, dtype=np.float64, requires_grad=True)
              for s in [(3, 4), (4,), (4, 2), (2,)]]
    vs = [rng.standard_normal(p.shape) for p in params]

    loss = _mlp_loss(params, X, Y)
    grads = ag.grad(loss, params, create_graph=True)
    dot = sum((g * ag.tensor(v)).sum() for g, v in zip(grads, vs))
    hvp = ag.grad(dot, params)

    def flat_grad(eps):
        ps = [ag.tensor(p._data + eps * v, requires_grad=True) for p, v in zip(params, vs)]
        gs = ag.grad(_mlp_loss(ps, X, Y), ps)
        return np.concatenate([g._data.ravel() for g in gs])

    eps = 1e-5
    numeric = (flat_grad(eps) - flat_grad(-eps)) / (2 * eps)
    analytic = np.concatenate([h._data.ravel() for h in hvp])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_backward_create_graph_makes_grad_differentiable():
    x = t64([2.0])
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (gg,) = ag.grad(x.grad.sum(), x)
    np.testing.assert_allclose(gg._data, [12.0])


def test_custom_function_forward_backward_and_double_backward():
    class Cube(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = t64([0.5, -2.0])
    assert ag.gradcheck(Cube.apply, (x,))
    assert ag.gradgradcheck(Cube.apply, (x,))
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"


def test_custom_function_with_two_outputs_and_non_tensor_arg():
    class SplitScale(ag.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k, x + 1

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * ctx.k + gb, None

    x = t64([1.0, 2.0])
    a, b = SplitScale.apply(x, 3.0)
    (a.sum() + 2 * b.sum()).backward()
    np.testing.assert_array_equal(x.grad._data, [5.0, 5.0])
    x.grad = None
    a, b = SplitScale.apply(x, 3.0)
    a.sum().backward()  # b unused: its gradient is filled with zeros
    np.testing.assert_array_equal(x.grad._data, [3.0, 3.0])


def test_saved_arrays_are_freed_after_backward():
    x = t64(np.ones(4))
    y = x.exp()
    node = y.grad_fn
    assert node._saved
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        node.saved


def _memory_freed_after_backward(make_loss):
    """Weak reference to an intermediate array that only the graph keeps alive: alive before
    backward, gone after it (while the loss, and with it the graph's nodes, is still held)."""
    import gc

    x = t64(np.ones(1000))
    loss, ref = make_loss(x)
    gc.collect()
    assert ref() is not None
    loss.backward()
    gc.collect()
    return ref() is None


def test_saved_memory_is_released_after_backward_while_graph_is_held():
    import weakref

    def ops(x):
        h = x.exp()
        return (h * h).sum(), weakref.ref(h._data)  # Mul saves both operands' arrays

    assert _memory_freed_after_backward(ops)


def test_function_saved_tensors_are_released_after_backward():
    import weakref

    class Square(ag.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 2 * a * g

    def fn(x):
        h = x.exp()
        return Square.apply(h).sum(), weakref.ref(h._data)

    assert _memory_freed_after_backward(fn)


def test_dtype_of_gradient_matches_leaf():
    x = ag.tensor([1.0, 2.0], requires_grad=True)  # float32
    y = (x * ag.tensor(np.array([1.0, 2.0]))).sum()  # float64 operand promotes the product
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float32


def test_grad_assignment_is_checked():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="assign a gradient of size '\\[3\\]' to a tensor "
                                           "of size '\\[2\\]'"):  # PyTorch's words
        x.grad = ag.zeros(3)
    with pytest.raises(TypeError):
        x.grad = np.zeros(2)
    x.grad = ag.zeros(2)
    assert x.grad.shape == (2,)
