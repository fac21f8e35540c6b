"""Regressions found by review5 (silent wrong values in the last session's additions: forward-mode
AD, complex gradients and optimizers, sparse embedding gradients, optimizer hooks, the
operators' one-frame path), each reduced to the inputs that showed it, against a hand-worked
value and (torch_parity) against torch."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import forward_ad as fwAD


# ---- forward AD: tangents are computed lazily, at unpack_dual --------------------------------
def test_forward_ad_tangent_modified_in_place_after_use_is_refused():
    # PyTorch's tangent of d * 3 is 3 * v as v was when d * 3 ran; tapegrad computes it at
    # unpack_dual, from v's values then: 30 * v_old here, silently. Now it refuses.
    v = ag.tensor([1.0, 1.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(ag.tensor([1.0, 2.0]), v)
        y = d * 3
        v.mul_(10)
        assert fwAD.unpack_dual(d).tangent is v  # the dual's own tangent: as given, as PyTorch
        with pytest.raises(RuntimeError, match="tangent given to make_dual was modified by an "
                                               "inplace operation"):
            fwAD.unpack_dual(y)


def test_forward_ad_tangent_ignores_gradient_hooks():
    # forward-mode tangents do not go through backward hooks (PyTorch never calls them); the
    # tangents here are computed by reverse passes, which ran a hook registered on an
    # intermediate tensor (a gradient-reversal hook negated the tangent) and wrote .grad of
    # a tensor that retains its gradient
    x, v = ag.tensor([0.5, 2.0]), ag.tensor([1.0, -1.0])
    calls = []
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        h = d * 2
        h.register_hook(lambda g: (calls.append(1), -g)[1])
        k = d.exp()
        k.retain_grad()
        d.register_hook(lambda g: g * 0)
        y = h.sin() + k
        tangent = fwAD.unpack_dual(y).tangent
    expected = np.cos(2 * x.numpy()) * 2 * v.numpy() + np.exp(x.numpy()) * v.numpy()
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-6)
    assert calls == [] and k.grad is None


# ---- clip_grad_value_ of a complex gradient -----------------------------------------------------
def test_clip_grad_value_refuses_complex_gradients_before_clipping():
    # np.clip on complex numbers kept [0.5+0j, 0.5+0j] of the gradient [2+2j, 4-2j]: the
    # imaginary parts dropped silently. PyTorch refuses (clamp has no complex form).
    import nn

    w = ag.tensor([1 + 1j, 2 - 1j], dtype=ag.complex128, requires_grad=True)
    r = ag.tensor([3.0], requires_grad=True)
    ((w.abs() ** 2).sum() + (r * 4).sum()).backward()
    with pytest.raises(NotImplementedError, match="^clamp is not supported for complex types$"):
        nn.utils.clip_grad_value_([r, w], 0.5)
    assert w.grad.tolist() == [2 + 2j, 4 - 2j] and r.grad.tolist() == [4.0]  # nothing clipped


@pytest.mark.torch_parity
def test_clip_grad_value_complex_error_matches_torch():
    torch = pytest.importorskip("torch")
    w = torch.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    (w.abs() ** 2).sum().backward()
    for foreach in (None, False):
        with pytest.raises(NotImplementedError, match="^clamp is not supported for complex types$"):
            torch.nn.utils.clip_grad_value_([w], 0.5, foreach=foreach)


# ---- Embedding(sparse=True): hooks on the weight -----------------------------------------------
def _hooked_embedding_grad(lib, nn_mod, tied):
    w = np.arange(18.0, dtype=np.float32).reshape(6, 3) / 10
    emb = nn_mod.Embedding(6, 3, sparse=True)
    with lib.no_grad():
        emb.weight.copy_(lib.tensor(w))
    emb.weight.register_hook(lambda g: g * 0.5)
    post = []
    emb.weight.register_post_accumulate_grad_hook(lambda p: post.append(1))
    h = emb(lib.tensor([0, 2, 2]))
    loss = h.sum()
    if tied:  # the weight used densely too (an output projection tied to the embedding)
        loss = loss + (h @ emb.weight.T).sum()
    loss.backward()
    g = emb.weight.grad
    return (g.to_dense() if g.is_sparse else g).numpy(), post


@pytest.mark.parametrize("tied", [False, True])
def test_sparse_embedding_weight_hooks_see_the_gradient(tied):
    # the sparse gradient was written to .grad past the engine: a hook on the weight did not
    # scale it (tied: scaled only the dense part) and post-accumulate-grad hooks never ran
    import nn

    g, post = _hooked_embedding_grad(ag, nn, tied)
    w = np.arange(18.0).reshape(6, 3) / 10
    counts = np.bincount([0, 2, 2], minlength=6)[:, None]
    expected = counts * np.ones(3)  # d sum(h) / dW: each lookup adds a row of ones
    if tied:  # sum(h @ W.T): each lookup adds W's column sums; W gets sum of the h rows
        expected = expected + counts * w.sum(0) + w[[0, 2, 2]].sum(0)
    np.testing.assert_allclose(g, 0.5 * expected, rtol=1e-6)
    assert post == [1]


@pytest.mark.torch_parity
@pytest.mark.parametrize("tied", [False, True])
def test_sparse_embedding_weight_hooks_match_torch(tied):
    torch = pytest.importorskip("torch")
    import nn

    got, want = _hooked_embedding_grad(ag, nn, tied), _hooked_embedding_grad(torch, torch.nn, tied)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    assert got[1] == want[1]


# ---- a numpy scalar in an elementwise op is a Python number to PyTorch ---------------------------
NUMPY_SCALAR_CASES = [  # (tensor, numpy scalar, PyTorch's dtype of both products), by hand
    (ag.tensor(2.0), np.float64(0.1), np.float32),  # 0-d float32 * np.sqrt(d): float32
    (ag.tensor([1, 2]), np.float64(0.5), np.float32),  # an integer tensor: the default float
    (ag.tensor([1, 2], dtype=ag.int32), np.float16(0.5), np.float32),
    (ag.tensor(3, dtype=ag.int32), np.int64(2), np.int32),
    (ag.tensor(2.0, dtype=ag.float16), np.float32(0.5), np.float16),
    (ag.tensor([True, False]), np.float64(0.5), np.float32),
    (ag.tensor([1.0, 2.0]), np.float64(0.5), np.float32),
]


@pytest.mark.parametrize("t, s, want", NUMPY_SCALAR_CASES)
def test_numpy_scalar_promotes_as_a_python_number(t, s, want):
    # numpy scalars ranked as 0-d tensors: 0-d float32 * np.float64 gave float64, an integer
    # tensor * np.float64 float64, int32 * np.int64 int64 (PyTorch's are weak, as 0.5 is)
    for r in (t * s, s * t, t + s, s + t):
        assert r.dtype == want
    np.testing.assert_allclose((t * s).numpy(), t.numpy() * float(s), rtol=1e-3)


@pytest.mark.torch_parity
@pytest.mark.parametrize("t, s, want", NUMPY_SCALAR_CASES)
def test_numpy_scalar_promotion_matches_torch(t, s, want):
    torch = pytest.importorskip("torch")
    tt = torch.tensor(t.numpy())
    for ours, theirs in ((t * s, tt * s), (s + t, s + tt), (ag.where(t > 1, t, s),
                                                           torch.where(tt > 1, tt, s))):
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def _sparse_double_backward(lib, nn_mod):
    w = np.arange(18.0, dtype=np.float32).reshape(6, 3) / 10
    emb = nn_mod.Embedding(6, 3, sparse=True, padding_idx=5)
    with lib.no_grad():
        emb.weight.copy_(lib.tensor(w))
    h = emb(lib.tensor([0, 2, 2, 5]))
    (h * h).sum().backward(create_graph=True)
    first = emb.weight.grad
    assert first.is_sparse and first.requires_grad
    dense = first.to_dense()
    (dense ** 2).sum().backward()
    return dense.detach().numpy(), emb.weight.grad.to_dense().detach().numpy()


def test_sparse_embedding_backward_with_create_graph():
    # the saved indices come back as a Tensor under create_graph: the sparse write failed on
    # them (TypeError: '<=' not supported between 'method' and 'int')
    import nn

    first, second = _sparse_double_backward(ag, nn)
    w = np.arange(18.0).reshape(6, 3) / 10
    counts = np.bincount([0, 2, 2], minlength=6)[:, None]  # padding row 5 left out
    np.testing.assert_allclose(first, 2 * counts * w, rtol=1e-6)
    # the first gradient's rows are 2 w per lookup, as rows of the sparse tensor (row 2 twice);
    # d/dw of sum(dense(first)^2) = sum over lookups of 2 * dense(first)[row] * 2
    np.testing.assert_allclose(second, 2 * counts * w + 4 * counts * (2 * counts * w),
                               rtol=1e-6)


@pytest.mark.torch_parity
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_sparse_embedding_create_graph_matches_torch():
    torch = pytest.importorskip("torch")
    import nn

    for ours, theirs in zip(_sparse_double_backward(ag, nn),
                            _sparse_double_backward(torch, torch.nn)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


class NumpySquare(ag.autograd.Function):
    """x ** 2 with a numpy backward (PyTorch's numpy-extension tutorial's kind): it leaves the
    graph, so the double-vjp trick cannot differentiate it."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ag.tensor(x.detach().numpy() ** 2)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ag.tensor(2 * x.detach().numpy() * g.detach().numpy())


def test_forward_ad_refuses_a_custom_function_whose_backward_leaves_the_graph():
    # a backward computed with numpy (PyTorch's numpy-extension tutorial) gave a zero tangent
    # silently (d + f(d) gave v, not v + 2 x v); PyTorch refuses a Function without a jvp
    class ScaledSquare(ag.autograd.Function):  # numpy on x only: linear in g, a true tangent
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * ag.tensor(2 * x.detach().numpy())

    x, v = ag.tensor([1.0, 3.0]), ag.tensor([1.0, -1.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        for y in (NumpySquare.apply(d), NumpySquare.apply(d) + d):
            with pytest.raises(NotImplementedError, match="forward AD with NumpySquare"):
                fwAD.unpack_dual(y)
        t = fwAD.unpack_dual(ScaledSquare.apply(d) + d).tangent
    assert t.tolist() == [1.0 + 2.0, -1.0 - 6.0]
    # the checked rule is gone with the level: a plain backward still works
    x2 = ag.tensor([2.0], requires_grad=True)
    NumpySquare.apply(x2).sum().backward()
    assert x2.grad.tolist() == [4.0]


# ---- cdist with 0 < p < 1 where a coordinate coincides ------------------------------------------
def _cdist_grads(lib, p):
    x = lib.tensor([[0.0, 1.0], [2.0, 3.0]], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([[0.0, 3.0], [1.0, 3.0]], dtype=lib.float64, requires_grad=True)
    lib.cdist(x, y, p=p).sum().backward()
    return x.grad.numpy(), y.grad.numpy()


def test_cdist_fractional_p_gradient_where_a_coordinate_coincides():
    # |d| ** p has an infinite slope at d = 0 for p < 1: one coinciding coordinate made the
    # whole row's gradient NaN; PyTorch's is 0 for that coordinate (as for p >= 1)
    gx, gy = _cdist_grads(ag, 0.5)
    # x0 = (0, 1): to y0 = (0, 3) only the second coordinate moves, d(dist)/dx01 = -1;
    # to y1 = (1, 3): dist = (1 + sqrt 2) ** 2, d/dx00 = -(1 + sqrt 2), d/dx01 = -(1 + sqrt 2)/sqrt 2
    r = 1 + np.sqrt(2)
    np.testing.assert_allclose(gx[0], [-r, -1 - r / np.sqrt(2)], rtol=1e-12)
    assert np.isfinite(gx).all() and np.isfinite(gy).all()


@pytest.mark.torch_parity
@pytest.mark.parametrize("p", [0.3, 0.5, 0.8, 1.5, 3.0])
def test_cdist_coinciding_coordinates_match_torch(p):
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(_cdist_grads(ag, p), _cdist_grads(torch, p)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ---- linspace of an integer dtype ---------------------------------------------------------------
def test_linspace_integer_values_truncate_toward_zero():
    # numpy's integer linspace floors: linspace(0, -1, 5) gave [0, -1, -1, -1, -1]; PyTorch
    # computes each value in float64 and converts it toward zero
    assert ag.linspace(0, -1, 5, dtype=ag.int64).tolist() == [0, 0, 0, 0, -1]
    assert ag.linspace(0, -10, 4, dtype=ag.int32).tolist() == [0, -3, -6, -10]
    assert ag.linspace(0, 10, 4, dtype=ag.int64).tolist() == [0, 3, 6, 10]
    assert ag.linspace(-2.5, 2.9, 3, dtype=ag.int64).tolist() == [-2, 0, 2]  # ends: -2, 2
    assert ag.linspace(7.9, 0, 1, dtype=ag.int8).tolist() == [7]
    with pytest.raises(RuntimeError, match="^value cannot be converted to type uint8_t without "
                                           "overflow$"):
        ag.linspace(0, -1.0, 3, dtype=ag.uint8)


@pytest.mark.torch_parity
def test_linspace_integer_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    for start, end, steps in [(0.0, -1.0, 5), (-1.0, 10.0, 100), (3.0, -1.0, 7), (0.1, 10000.0, 33),
                              (-7, 2.9, 16), (-10, 255, 17), (0.9, -3.9, 1000)]:
        for name in ("int64", "int32", "int16", "int8", "uint8"):
            try:
                want = torch.linspace(start, end, steps, dtype=getattr(torch, name)).numpy()
            except RuntimeError as exc:
                with pytest.raises(RuntimeError, match=str(exc)):
                    ag.linspace(start, end, steps, dtype=getattr(ag, name))
                continue
            got = ag.linspace(start, end, steps, dtype=getattr(ag, name)).numpy()
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)


def test_func_jvp_refuses_a_custom_function_whose_backward_leaves_the_graph():
    # func.jvp's double-vjp gave v for d + f(d) with a numpy backward (the f part silently 0);
    # PyTorch's forward-mode func.jvp refuses such a Function
    x, v = ag.tensor([1.0, 3.0]), ag.tensor([1.0, 1.0])
    with pytest.raises(NotImplementedError, match="jvp with NumpySquare"):
        ag.func.jvp(lambda t: NumpySquare.apply(t) + t, (x,), (v,))
    # reverse mode is unaffected, and a tensor-op backward still gives the product
    assert ag.func.jacrev(lambda t: NumpySquare.apply(t))(x).diagonal().tolist() == [2.0, 6.0]
    assert ag.func.jvp(lambda t: t * t + t, (x,), (v,))[1].tolist() == [3.0, 7.0]


# ---- closures' losses read by optimizers --------------------------------------------------------
@pytest.mark.parametrize("name", ["LBFGS", "Rprop"])
def test_step_with_closure_does_not_warn_about_float_of_a_tensor(name, monkeypatch):
    # float(loss) of the closure's loss raised PyTorch's "Converting a tensor with
    # requires_grad=True to a scalar" warning at the first LBFGS/Rprop step of a process;
    # PyTorch's steps run without grad mode and do not warn
    import sys
    import warnings

    import optimizers

    # (the module, not ag.tensor the function: the package's attribute hides it)
    monkeypatch.setattr(sys.modules["autograd_core.tensor"], "_WARNED_FLOAT", [])
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    opt = getattr(optimizers, name)([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = opt.step(closure)
    assert loss.item() == 5.0 and w.tolist() != [1.0, 2.0]
