"""autograd_core.func (torch.func): the transforms on closed forms and hand-worked numbers,
the per-sample-gradient and ensembling tutorials' patterns against ordinary backward loops,
and (torch_parity) against torch.func itself."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.func import (functional_call, grad, grad_and_value, hessian, jacfwd, jacrev,
                                jvp, stack_module_state, vjp, vmap)

RNG = np.random.default_rng(0)


def t64(*shape):
    return ag.tensor(RNG.standard_normal(shape))


def _np(a):
    return a.detach().numpy() if isinstance(a, ag.Tensor) else np.asarray(a)


def assert_close(a, b, tol=1e-10):
    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


def mlp():
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()


# ---- grad --------------------------------------------------------------------------------
def test_lazy_import_paths():
    import autograd_core.func as func_module
    from nn.utils import stateless

    assert ag.func is func_module
    assert callable(stateless.functional_call)


def test_grad_closed_form_and_nesting():
    x = ag.tensor([0.3, -1.2, 2.0], dtype=ag.float64)
    f = lambda t: (t.sin() * t).sum()  # noqa: E731
    xs = x.numpy()
    assert_close(grad(f)(x), np.cos(xs) * xs + np.sin(xs))
    # d/dx of sum(grad) = sum of the second derivatives 2cos x - x sin x
    g2 = grad(lambda t: grad(f)(t).sum())(x)
    assert_close(g2, 2 * np.cos(xs) - xs * np.sin(xs))
    # scalar third derivative of x**4 at 1.5: 24 x
    s = ag.tensor(1.5, dtype=ag.float64)
    assert grad(grad(grad(lambda t: t ** 4)))(s).item() == pytest.approx(36.0, abs=1e-12)
    assert not x.requires_grad and x.grad is None


def test_grad_argnums_pytree_and_aux():
    w, b, x = t64(2, 3), t64(2), t64(3)

    def f(params, x):
        y = params["w"] @ x + params["b"][0]
        return (y ** 2).sum(), y

    (g, aux) = grad(lambda p, x: f(p, x), has_aux=True)({"w": w, "b": (b,)}, x)
    y = w.numpy() @ x.numpy() + b.numpy()
    assert_close(aux, y)
    assert_close(g["w"], 2 * np.outer(y, x.numpy()))
    assert_close(g["b"][0], 2 * y)
    assert isinstance(g["b"], tuple)
    gw, gx = grad(lambda w, x: (w @ x).sum(), argnums=(0, 1))(w, x)
    assert_close(gw, np.tile(x.numpy(), (2, 1)))
    assert_close(gx, w.numpy().sum(0))
    gv, val = grad_and_value(lambda x: (x ** 2).sum())(x)
    assert_close(gv, 2 * x.numpy())
    assert_close(val, (x.numpy() ** 2).sum())
    # an argument the output does not use: zeros, as PyTorch
    assert_close(grad(lambda a, c: (a * 2).sum(), argnums=1)(x, x), np.zeros(3))


def test_grad_errors():
    x = ag.ones(3)
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor, "
                       "got tensor with 1 dims"):
        grad(lambda t: t * 2)(x)
    with pytest.raises(RuntimeError, match="to return a Tensor, got <class 'float'>"):
        grad(lambda t: 1.0)(x)
    with pytest.raises(RuntimeError, match="Got argnum=2, but only 1 positional inputs"):
        grad(lambda t: t.sum(), argnums=2)(x)
    with pytest.raises(RuntimeError, match="argnums elements must be unique"):
        grad(lambda t, u: t.sum(), argnums=(0, 0))(x, x)
    with pytest.raises(RuntimeError, match="should be a tuple: \\(output, aux\\)"):
        grad(lambda t: t.sum(), has_aux=True)(x)


# ---- vjp / jvp ---------------------------------------------------------------------------
def test_vjp_jvp_closed_forms():
    x, y = t64(3), t64(3)
    out, vjp_fn = vjp(lambda a, b: (a * b, a.exp()), x, y)
    u, v = t64(3), t64(3)
    gx, gy = vjp_fn((u, v))
    assert_close(out[0], x.numpy() * y.numpy())
    assert_close(gx, u.numpy() * y.numpy() + v.numpy() * np.exp(x.numpy()))
    assert_close(gy, u.numpy() * x.numpy())
    out, jv = jvp(lambda a, b: a * b.sin(), (x, y), (u, v))
    assert_close(out, x.numpy() * np.sin(y.numpy()))
    assert_close(jv, u.numpy() * np.sin(y.numpy()) + x.numpy() * np.cos(y.numpy()) * v.numpy())
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        jvp(lambda a: a, x, (u,))
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        vjp(lambda a: a * 2, x)[1](ag.ones(2))


# ---- Jacobians and Hessians --------------------------------------------------------------
def test_jacobians_and_hessian_closed_forms():
    A, x = t64(2, 3), t64(3)
    for jac in (jacrev, jacfwd):
        assert_close(jac(lambda a, t: a @ t, argnums=1)(A, x), A.numpy())
        ja, jx = jac(lambda a, t: (a @ t).tanh(), argnums=(0, 1))(A, x)
        d = 1 - np.tanh(A.numpy() @ x.numpy()) ** 2
        assert_close(jx, d[:, None] * A.numpy())
        assert_close(ja, np.einsum("i,ij,k->ijk", d, np.eye(2), x.numpy()))
    # hessian of x^T A x / 2 + sum(x^3): sym(A) + diag(6x)
    S = t64(3, 3)
    H = hessian(lambda t: 0.5 * t @ S @ t + (t ** 3).sum())(x)
    assert_close(H, 0.5 * (S.numpy() + S.numpy().T) + np.diag(6 * x.numpy()))
    (j, aux) = jacrev(lambda t: (t * 2, t.sum()), has_aux=True)(x)
    assert_close(j, 2 * np.eye(3))
    assert_close(aux, x.numpy().sum())


# ---- vmap --------------------------------------------------------------------------------
def test_vmap_in_dims_out_dims():
    x, y = t64(4, 3), t64(3, 4)
    assert_close(vmap(lambda a, b: a * b, in_dims=(0, 1))(x, y), x.numpy() * y.numpy().T)
    assert_close(vmap(lambda a, b: a * b, in_dims=(0, None))(x, y[:, 0]),
          x.numpy() * y.numpy()[:, 0])
    assert_close(vmap(lambda a: a * 2, out_dims=1)(x), 2 * x.numpy().T)
    s, p = vmap(lambda a: (a.sum(), a * 3), out_dims=(0, 1))(x)
    assert_close(s, x.numpy().sum(1))
    assert_close(p, 3 * x.numpy().T)
    # nested in_dims on a dict argument, a mapped kwarg-free call
    d = {"a": x, "b": y}
    out = vmap(lambda d: d["a"] + d["b"], in_dims=({"a": 0, "b": 1},))(d)
    assert_close(out, x.numpy() + y.numpy().T)
    # nested vmap is an outer product
    assert_close(vmap(vmap(lambda a, b: a * b, in_dims=(None, 0)), in_dims=(0, None))(x[:, 0], y[0]),
          np.outer(x.numpy()[:, 0], y.numpy()[0]))


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(0, 1))
def test_vmap_matches_a_loop(n, m, dim):
    x = ag.tensor(RNG.standard_normal((n, m) if dim == 0 else (m, n)))
    got = vmap(lambda t: (t.exp() * t.sum()), in_dims=dim)(x)
    xs = x.numpy() if dim == 0 else x.numpy().T
    assert_close(got, np.stack([np.exp(r) * r.sum() for r in xs]))


def test_vmap_errors_and_randomness():
    x = ag.ones(3, 2)
    with pytest.raises(ValueError, match="same size in the mapped dimension"):
        vmap(lambda a, b: a + b)(x, ag.ones(2, 2))
    with pytest.raises(ValueError, match="at least one argument must be batched"):
        vmap(lambda a: a, in_dims=None)(x)
    with pytest.raises(ValueError, match="We cannot vmap over non-Tensor arguments"):
        vmap(lambda a, b: a * b)(x, 2.0)
    with pytest.raises(ValueError, match="in_dims is not compatible"):
        vmap(lambda a: a, in_dims=(0, 0))(x)
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        vmap(lambda a: a, randomness="sometimes")
    ag.manual_seed(0)
    same = vmap(lambda a: a + ag.randn(2), randomness="same")(x).numpy()
    assert np.array_equal(same[0], same[1]) and np.array_equal(same[1], same[2])
    diff = vmap(lambda a: a + ag.randn(2), randomness="different")(x).numpy()
    assert not np.array_equal(diff[0], diff[1])


# ---- modules: the tutorials' patterns ----------------------------------------------------
def test_functional_call_replaces_and_restores():
    model = mlp()
    before = {k: v for k, v in model.named_parameters()}
    new = {k: ag.zeros(v.shape, dtype=ag.float64) for k, v in before.items()}
    x = t64(2, 3)
    assert_close(functional_call(model, new, (x,)), np.zeros((2, 2)))
    assert_close(functional_call(model, new, x), np.zeros((2, 2)))  # a non-tuple is one argument
    assert {k: v for k, v in model.named_parameters()} == before
    assert all(a is b for a, b in zip(model.parameters(), before.values()))

    class Boom(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x):
            raise ValueError("boom")

    b = Boom()
    w = b.lin.weight
    with pytest.raises(ValueError, match="boom"):
        functional_call(b, {"lin.weight": ag.zeros(2, 2)}, (x,))
    assert b.lin.weight is w and b.lin._parameters["weight"] is w
    with pytest.raises(RuntimeError, match="Missing key\\(s\\): 'lin.bias'"):
        functional_call(b, {"lin.weight": ag.zeros(2, 2)}, (x,), strict=True)
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        functional_call(b, ({"lin.bias": ag.zeros(2)}, {"lin.bias": ag.zeros(2)}), (x,))


def test_functional_call_tie_weights():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, bias=False)
            self.b = nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied().double()
    x = ag.tensor([[1.0, 2.0]], dtype=ag.float64)
    W = ag.tensor([[2.0, 0.0], [0.0, 3.0]], dtype=ag.float64)
    assert_close(functional_call(m, {"a.weight": W}, (x,)), [[4.0, 18.0]])
    untied = functional_call(m, {"a.weight": W}, (x,), tie_weights=False).detach().numpy()
    assert_close(untied, (x.numpy() @ W.numpy().T) @ m.a.weight.detach().numpy().T)
    with pytest.raises(ValueError, match="which are tied"):
        functional_call(m, {"a.weight": W, "b.weight": W * 2}, (x,))


def _per_sample_grads(model, data, targets):
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def compute_loss(params, buffers, sample, target):
        batch, targets = sample.unsqueeze(0), target.unsqueeze(0)
        predictions = functional_call(model, (params, buffers), (batch,))
        return F.cross_entropy(predictions, targets)

    return vmap(grad(compute_loss), in_dims=(None, None, 0, 0))(params, buffers, data, targets)


def test_per_sample_gradients_match_a_backward_loop():
    model = mlp()
    data, targets = t64(5, 3), ag.tensor([0, 1, 1, 0, 1])
    got = _per_sample_grads(model, data, targets)
    for i in range(5):
        model.zero_grad()
        F.cross_entropy(model(data[i:i + 1]), targets[i:i + 1]).backward()
        for k, p in model.named_parameters():
            assert_close(got[k][i], p.grad)
    assert all(p.requires_grad for p in model.parameters())


def test_ensembling_matches_each_model():
    models = [mlp() for _ in range(3)]
    params, buffers = stack_module_state(models)
    assert params["0.weight"].shape == (3, 5, 3) and params["0.weight"].requires_grad
    x = t64(4, 3)
    base = models[0]

    def fmodel(params, buffers, x):
        return functional_call(base, (params, buffers), (x,))

    out = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x)
    for i, m in enumerate(models):
        assert_close(out[i], m(x).detach())
    out.sum().backward()  # gradients reach the stacked leaves
    assert params["2.bias"].grad.shape == (3, 2)
    with pytest.raises(RuntimeError, match="Expected at least one model"):
        stack_module_state([])
    with pytest.raises(RuntimeError, match="same class"):
        stack_module_state([mlp(), nn.Linear(2, 2)])


# ---- against torch.func ------------------------------------------------------------------
@pytest.mark.torch_parity
def test_transforms_match_torch_func():
    torch = pytest.importorskip("torch")
    tf = torch.func
    xn, An = RNG.standard_normal(4), RNG.standard_normal((3, 4))
    x, A = ag.tensor(xn), ag.tensor(An)
    tx, tA = torch.tensor(xn), torch.tensor(An)

    def f(m, a, t):
        return (m.tanh(a @ t) * t[:3]).sum() + (t ** 3).sum()

    ours = {
        "grad": grad(lambda a, t: f(ag, a, t), argnums=(0, 1))(A, x),
        "hessian": hessian(lambda t: f(ag, A, t))(x),
        "jacrev": jacrev(lambda a, t: ag.tanh(a @ t), argnums=(0, 1))(A, x),
        "jacfwd": jacfwd(lambda t: ag.sin(t) * t)(x),
        "gradgrad": grad(lambda t: grad(lambda u: f(ag, A, u))(t).sum())(x),
        "jvp": jvp(lambda t: ag.tanh(A @ t), (x,), (x * 0.5,))[1],
        "vjp": vjp(lambda t: ag.tanh(A @ t), x)[1](ag.ones(3, dtype=ag.float64))[0],
        "vmap": vmap(lambda r, t: r.dot(t).exp(), in_dims=(0, None))(A, x),
        "vmap_out1": vmap(lambda r: ag.outer(r, r[:2]), out_dims=1)(A),
    }
    theirs = {
        "grad": tf.grad(lambda a, t: f(torch, a, t), argnums=(0, 1))(tA, tx),
        "hessian": tf.hessian(lambda t: f(torch, tA, t))(tx),
        "jacrev": tf.jacrev(lambda a, t: torch.tanh(a @ t), argnums=(0, 1))(tA, tx),
        "jacfwd": tf.jacfwd(lambda t: torch.sin(t) * t)(tx),
        "gradgrad": tf.grad(lambda t: tf.grad(lambda u: f(torch, tA, u))(t).sum())(tx),
        "jvp": tf.jvp(lambda t: torch.tanh(tA @ t), (tx,), (tx * 0.5,))[1],
        "vjp": tf.vjp(lambda t: torch.tanh(tA @ t), tx)[1](
            torch.ones(3, dtype=torch.float64))[0],
        "vmap": tf.vmap(lambda r, t: r.dot(t).exp(), in_dims=(0, None))(tA, tx),
        "vmap_out1": tf.vmap(lambda r: torch.outer(r, r[:2]), out_dims=1)(tA),
    }
    for k in ours:
        a, b = ours[k], theirs[k]
        a, b = (a, b) if isinstance(a, tuple) else ((a,), (b,))
        for ai, bi in zip(a, b):
            assert tuple(ai.shape) == tuple(bi.shape), k
            assert_close(ai.numpy(), bi.numpy())


def _torch_mlp(torch, model):
    """torch's twin of ``mlp()``, holding ``model``'s parameters."""
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(),
                                 torch.nn.Linear(5, 2)).double()
    with torch.no_grad():
        for (_, p), (_, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
            tp.copy_(torch.tensor(p.detach().numpy()))
    return tmodel


@pytest.mark.torch_parity
def test_per_sample_gradients_and_ensembling_match_torch_func():
    torch = pytest.importorskip("torch")
    model = mlp()
    tmodel = _torch_mlp(torch, model)
    dn, tn = RNG.standard_normal((6, 3)), np.array([0, 1, 0, 0, 1, 1])
    got = _per_sample_grads(model, ag.tensor(dn), ag.tensor(tn))

    tparams = {k: v.detach() for k, v in tmodel.named_parameters()}

    def tloss(params, sample, target):
        pred = torch.func.functional_call(tmodel, params, (sample.unsqueeze(0),))
        return torch.nn.functional.cross_entropy(pred, target.unsqueeze(0))

    want = torch.func.vmap(torch.func.grad(tloss), in_dims=(None, 0, 0))(
        tparams, torch.tensor(dn), torch.tensor(tn))
    assert got.keys() == want.keys()
    for k in got:
        assert_close(got[k].numpy(), want[k].numpy())
    # ensembling: the same stacked weights in both libraries give the same outputs
    params, _ = stack_module_state([model, model])
    tp, _ = torch.func.stack_module_state([tmodel, tmodel])
    x = RNG.standard_normal((4, 3))
    ours = vmap(lambda p, x: functional_call(model, p, (x,)), in_dims=(0, None))(
        params, ag.tensor(x))
    theirs = torch.func.vmap(lambda p, x: torch.func.functional_call(tmodel, p, (x,)),
                             in_dims=(0, None))(tp, torch.tensor(x))
    assert_close(ours.detach().numpy(), theirs.detach().numpy())


@pytest.mark.torch_parity
def test_jacobians_tutorial_patterns_match_torch_func():
    torch = pytest.importorskip("torch")
    wn, bn, xn = RNG.standard_normal((3, 4)), RNG.standard_normal(3), RNG.standard_normal((5, 4))

    def predict(m, F_, weight, bias, x):
        return F_.linear(x, weight, bias).tanh()

    w, b, x = ag.tensor(wn), ag.tensor(bn), ag.tensor(xn)
    tw, tb, tx = torch.tensor(wn), torch.tensor(bn), torch.tensor(xn)
    ours = [
        vmap(jacrev(lambda *a: predict(ag, F, *a), argnums=2), in_dims=(None, None, 0))(w, b, x),
        hessian(lambda *a: predict(ag, F, *a), argnums=2)(w, b, x[0]),
        *hessian(lambda a, c: predict(ag, F, a, c, x[0]).sum(), argnums=(0, 1))(w, b)[1],
        jacfwd(jacrev(lambda a: predict(ag, F, w, b, a)))(x[1]),
    ]
    tF = torch.nn.functional
    theirs = [
        torch.func.vmap(torch.func.jacrev(lambda *a: predict(torch, tF, *a), argnums=2),
                        in_dims=(None, None, 0))(tw, tb, tx),
        torch.func.hessian(lambda *a: predict(torch, tF, *a), argnums=2)(tw, tb, tx[0]),
        *torch.func.hessian(lambda a, c: predict(torch, tF, a, c, tx[0]).sum(),
                            argnums=(0, 1))(tw, tb)[1],
        torch.func.jacfwd(torch.func.jacrev(lambda a: predict(torch, tF, tw, tb, a)))(tx[1]),
    ]
    for a, t in zip(ours, theirs):
        assert tuple(a.shape) == tuple(t.shape)
        assert_close(a, t.numpy())


def test_jacrev_of_a_dict_of_parameters():
    model = mlp()
    params = {k: v.detach() for k, v in model.named_parameters()}
    x = t64(3)
    jac = jacrev(lambda p, x: functional_call(model, p, (x,)))(params, x)
    assert list(jac) == list(params)
    # the last layer's bias enters the output as the identity
    assert_close(jac["2.bias"], np.eye(2))
    # its weight: d out_i / d W_jk = [i == j] * hidden_k
    hidden = np.tanh(params["0.weight"].numpy() @ x.numpy() + params["0.bias"].numpy())
    assert_close(jac["2.weight"], np.einsum("ij,k->ijk", np.eye(2), hidden))


@pytest.mark.torch_parity
def test_ntk_pattern_matches_torch_func():
    torch = pytest.importorskip("torch")
    model = mlp()
    tmodel = _torch_mlp(torch, model)
    params = {k: v.detach() for k, v in model.named_parameters()}
    tparams = {k: torch.tensor(v.numpy()) for k, v in params.items()}
    xn = RNG.standard_normal((4, 3))
    ours = vmap(jacrev(lambda p, x: functional_call(model, p, (x.unsqueeze(0),)).squeeze(0)),
                (None, 0))(params, ag.tensor(xn))
    theirs = torch.func.vmap(torch.func.jacrev(
        lambda p, x: torch.func.functional_call(tmodel, p, (x.unsqueeze(0),)).squeeze(0)),
        (None, 0))(tparams, torch.tensor(xn))
    assert list(ours) == list(theirs)
    for k in ours:
        assert tuple(ours[k].shape) == tuple(theirs[k].shape)
        assert_close(ours[k], theirs[k].numpy())


# ---- integer outputs, tangents and primals; aux that is not Tensors (PyTorch's answers) ------
_XF = ag.tensor([1.0, -2.0, 3.0], dtype=ag.float64)
_XI = ag.tensor([1, 2, 3])
_VJP_INT = ("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
            "Tensor with dtype autograd_core.")


@pytest.mark.parametrize("call, error, message", [
    (lambda: vjp(lambda x: (x > 0).int(), _XF), RuntimeError, _VJP_INT + "int32"),
    (lambda: vjp(lambda x: (x * 2, x > 0), _XF), RuntimeError, _VJP_INT + "bool"),
    (lambda: jacrev(lambda x: (x > 0).int())(_XF), RuntimeError, _VJP_INT + "int32"),
    (lambda: hessian(lambda x: (x > 0).sum())(_XF), RuntimeError, _VJP_INT + "int64"),
    (lambda: jvp(lambda x: x * 2, (_XF,), (ag.ones(3, dtype=ag.int64),)), ValueError,
     "Expected tangent to be floating point or complex, but got: autograd_core.int64"),
    (lambda: jvp(lambda x: x * 2, (_XI,), (_XF,)), ValueError,
     "Expected primal to be floating point or complex, but got: autograd_core.int64"),
    (lambda: jacfwd(lambda x: x * 2)(_XI), ValueError,
     "Expected primal to be floating point or complex, but got: autograd_core.int64"),
    (lambda: grad(lambda x: ((x ** 2).sum(), 3), has_aux=True)(_XF), RuntimeError,
     "Expected tensors, got unsupported type <class 'int'>"),
    (lambda: grad(lambda x: ((x ** 2).sum(), None), has_aux=True)(_XF), RuntimeError,
     "Expected tensors, got unsupported type <class 'NoneType'>"),
    (lambda: jacfwd(lambda x: (x ** 2, "a"), has_aux=True)(_XF), RuntimeError,
     "Expected tensors, got unsupported type <class 'str'>"),
    (lambda: jacrev(lambda x: (x ** 2, [x, 1.5]), has_aux=True)(_XF), RuntimeError,
     "Expected tensors, got unsupported type <class 'float'>"),
    (lambda: vjp(lambda x: (x ** 2, 1), _XF, has_aux=True), RuntimeError,
     "Expected tensors, got unsupported type <class 'int'>"),
    (lambda: jvp(lambda x: (x ** 2, 1), (_XF,), (_XF,), has_aux=True), RuntimeError,
     "Expected tensors, got unsupported type <class 'int'>"),
])
def test_transforms_refuse_what_pytorch_refuses(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_jacfwd_of_an_integer_or_bool_output_is_zeros_of_its_dtype():
    jf, ji, jb = jacfwd(lambda x: (x * 2, (x > 0).int(), x > 0))(_XF)
    assert jf.dtype == ag.float64 and np.array_equal(jf.numpy(), 2 * np.eye(3))
    assert ji.dtype == ag.int32 and np.array_equal(ji.numpy(), np.zeros((3, 3)))
    assert jb.dtype == ag.bool and not jb.numpy().any() and jb.shape == (3, 3)
    # an aux of Tensors in a pytree is passed through
    g, aux = grad(lambda x: ((x ** 2).sum(), {"a": x, "b": [x]}), has_aux=True)(_XF)
    assert np.array_equal(g.numpy(), [2.0, -4.0, 6.0]) and aux["b"][0] is not None
