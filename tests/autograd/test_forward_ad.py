"""autograd.forward_ad (torch.autograd.forward_ad): dual tensors' tangents on closed forms,
against central finite differences and func.jvp for every op of the table (float64), the
levels' rules and errors, forward-over-reverse, and (torch_parity) the PyTorch tutorial's
examples against torch itself."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core.autograd import forward_ad as fwAD
from autograd_core.func import jvp
from autograd_core.ops.registry import OPS


def _tangent_of(fn, xs, vs):
    with fwAD.dual_level():
        out = fn(*[fwAD.make_dual(x, v) for x, v in zip(xs, vs)])
        outs = out if isinstance(out, tuple) else (out,)
        return [fwAD.unpack_dual(o).tangent for o in outs]


# ---- closed forms ------------------------------------------------------------------------------
def test_closed_forms():
    x = ag.tensor([0.3, -1.2, 2.0], dtype=ag.float64)
    v = ag.tensor([1.0, 0.5, -2.0], dtype=ag.float64)
    xn, vn = x.numpy(), v.numpy()
    (t,) = _tangent_of(ag.sin, [x], [v])
    np.testing.assert_allclose(t.numpy(), np.cos(xn) * vn, rtol=1e-12)
    (t,) = _tangent_of(ag.exp, [x], [v])
    np.testing.assert_allclose(t.numpy(), np.exp(xn) * vn, rtol=1e-12)
    # softmax: J v = s * (v - <s, v>)
    (t,) = _tangent_of(lambda a: a.softmax(0), [x], [v])
    s = np.exp(xn) / np.exp(xn).sum()
    np.testing.assert_allclose(t.numpy(), s * (vn - (s * vn).sum()), rtol=1e-12)
    # matmul, both operands dual: product rule
    A = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64)
    B = ag.tensor([[0.5, -1.0], [2.0, 1.0]], dtype=ag.float64)
    dA = ag.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=ag.float64)
    dB = ag.tensor([[1.0, 0.0], [0.0, -1.0]], dtype=ag.float64)
    (t,) = _tangent_of(ag.matmul, [A, B], [dA, dB])
    np.testing.assert_allclose(t.numpy(), dA.numpy() @ B.numpy() + A.numpy() @ dB.numpy())
    # a hand-worked one: d/dt (x^2 + 3x) at x = 2, v = 1 is 7
    (t,) = _tangent_of(lambda a: a * a + 3 * a, [ag.tensor(2.0)], [ag.tensor(1.0)])
    assert t.item() == 7.0


def test_tangent_of_a_dual_is_its_tangent_and_primal_has_none():
    x, v = ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        primal, tangent = fwAD.unpack_dual(d)
        assert tangent is v  # as given, as PyTorch
        assert primal.tolist() == [1.0, 2.0] and not primal.requires_grad
        assert fwAD.unpack_dual(primal).tangent is None
        assert fwAD.unpack_dual(primal * 2).tangent is None
        y = d * 2
        p, t = fwAD.unpack_dual(y)
        assert t.tolist() == [6.0, 8.0] and fwAD.unpack_dual(p).tangent is None
        # shares memory with the tensor made dual
        x.add_(1.0)
        assert d.tolist() == [2.0, 3.0]


def test_tensors_without_tangent():
    x = ag.tensor([0.4, 1.6])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, ag.ones(2))
        plain = ag.tensor([1.0, 2.0])
        r = fwAD.unpack_dual(plain)
        assert r.primal is plain and r.tangent is None
        assert fwAD.unpack_dual(d > 1).tangent is None  # not differentiable
        assert fwAD.unpack_dual(d.detach()).tangent is None
        assert fwAD.unpack_dual(d.round()).tangent.tolist() == [0.0, 0.0]  # a zero tangent
        assert fwAD.unpack_dual(plain * 3).tangent is None
        # a tensor computed from a dual and a plain tensor: only the dual moves
        assert fwAD.unpack_dual(d * plain).tangent.tolist() == [1.0, 2.0]


def test_leaving_the_level_drops_tangents():
    with fwAD.dual_level() as level:
        assert level == 0
        d = fwAD.make_dual(ag.tensor([1.0]), ag.tensor([5.0]))
        y = d * 3
        assert fwAD.unpack_dual(y).tangent.tolist() == [15.0]
    assert fwAD.unpack_dual(y).tangent is None
    assert fwAD.unpack_dual(d).tangent is None
    # a new level knows nothing of the old one's duals
    with fwAD.dual_level():
        assert fwAD.unpack_dual(y).tangent is None


def test_decorator_and_enter_exit():
    @fwAD.dual_level()
    def f(x):
        return fwAD.unpack_dual(fwAD.make_dual(x, ag.ones_like(x)).exp()).tangent

    assert f(ag.tensor([0.0])).tolist() == [1.0]
    assert fwAD.enter_dual_level() == 0
    fwAD.exit_dual_level(level=0)
    with pytest.raises(RuntimeError, match="Dual level must be a positive number"):
        fwAD.exit_dual_level()


# ---- errors: PyTorch's wording --------------------------------------------------------------
def test_errors():
    x = ag.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="no level exists, make sure to enter_dual_level"):
        fwAD.make_dual(x, x)
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            with fwAD.dual_level():
                pass
        with pytest.raises(RuntimeError, match=r"Tensor is of size \[3\] while the given "
                                               r"forward gradient is of size \[4\]"):
            fwAD.make_dual(x, ag.ones(4))
        with pytest.raises(ValueError, match="Expected primal to be floating point or complex"):
            fwAD.make_dual(ag.tensor([1, 2]), ag.ones(2))
        with pytest.raises(ValueError, match="Expected tangent to be floating point or complex"):
            fwAD.make_dual(x, ag.tensor([1, 2, 3]))
        with pytest.raises(RuntimeError, match="Invalid level given to _make_dual"):
            fwAD.make_dual(x, x, level=5)
        with pytest.raises(RuntimeError, match="Invalid level given to _fw_primal"):
            fwAD.unpack_dual(x, level=3)
        with pytest.raises(TypeError, match="must be Tensor, not list"):
            fwAD.make_dual([1.0], x)
        d = fwAD.make_dual(x, x)
        for again in (d, d * 2):
            with pytest.raises(RuntimeError, match="already has a forward gradient at the "
                                                   "same level 0"):
                fwAD.make_dual(again, x)
        with pytest.raises(RuntimeError, match="Trying to exit a forward AD level that was "
                                               "not the last one"):
            fwAD.exit_dual_level(level=1)
        with pytest.raises(NotImplementedError, match="complex"):
            fwAD.make_dual(x.to(ag.complex128), x.to(ag.complex128))
    # outside a level: no tangent, the tensor itself
    assert fwAD.unpack_dual(x) == (x, None)


def test_custom_function_refused_unless_its_backward_is_differentiable():
    class Cube(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * g

    class OnceCube(Cube):
        @staticmethod
        @ag.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * g

    class JvpOnly(ag.Function):  # the tutorial's: a jvp and no backward
        @staticmethod
        def forward(ctx, x):
            ctx.result = x.exp()
            return ctx.result

        @staticmethod
        def jvp(ctx, g):
            return g * ctx.result

    x, v = ag.tensor([2.0]), ag.tensor([1.0])
    assert _tangent_of(Cube.apply, [x], [v])[0].tolist() == [12.0]
    for fn, name in ((OnceCube, "OnceCube"), (JvpOnly, "JvpOnly")):
        with pytest.raises(NotImplementedError, match=f"Trying to use forward AD with {name}"):
            _tangent_of(fn.apply, [x], [v])
    # off the path from the duals (its input has no tangent), such a Function is fine
    w = ag.tensor([3.0], requires_grad=True)
    assert _tangent_of(lambda a: a * OnceCube.apply(w), [x], [v])[0].tolist() == [27.0]


# ---- every op of the table: finite differences and func.jvp ---------------------------------
@pytest.mark.parametrize("op", OPS, ids=lambda o: o.name)
def test_every_op_matches_finite_differences_and_func_jvp(op):
    shapes = list(op.shapes) if op.shapes else [(3, 4)] * op.n_inputs
    rng = np.random.default_rng(3)
    xs = [ag.tensor(op.draw(shape, rng, k), dtype=ag.float64) for k, shape in enumerate(shapes)]
    vs = [ag.tensor(rng.standard_normal(s), dtype=ag.float64) for s in shapes]
    tangents = _tangent_of(op.fn, xs, vs)
    eps = 1e-6
    with ag.no_grad():
        plus = op.fn(*[ag.tensor(x.numpy() + eps * v.numpy()) for x, v in zip(xs, vs)])
        minus = op.fn(*[ag.tensor(x.numpy() - eps * v.numpy()) for x, v in zip(xs, vs)])
    plus = plus if isinstance(plus, tuple) else (plus,)
    minus = minus if isinstance(minus, tuple) else (minus,)
    ref = jvp(op.fn, tuple(xs), tuple(vs))[1]
    ref = ref if isinstance(ref, tuple) else (ref,)
    assert len(tangents) == len(plus)
    for t, p, m, r in zip(tangents, plus, minus, ref):
        assert t is not None and t.shape == p.shape and t.dtype == p.dtype
        fd = (p.numpy() - m.numpy()) / (2 * eps)
        np.testing.assert_allclose(t.numpy(), fd, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(t.numpy(), r.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=10)
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_composite_function_against_func_jvp(shape, seed, dtype):
    rng = np.random.default_rng(seed)
    x = ag.tensor(rng.standard_normal(shape).astype(dtype))
    w = ag.tensor(rng.standard_normal(shape).astype(dtype))
    v = ag.tensor(rng.standard_normal(shape).astype(dtype))

    def f(a):
        return (a.tanh() * w + a.exp().sum()).sigmoid()

    (t,) = _tangent_of(f, [x], [v])
    ref = jvp(f, (x,), (v,))[1]
    assert t.dtype == x.dtype and t.shape == x.shape
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(t.numpy(), ref.numpy(), rtol=tol, atol=tol)


def test_func_jvp_at_a_rule_that_treats_zero_gradients_specially():
    # xlogy's rule gives 0 where the gradient is 0: the double-vjp trick must not probe there
    x = ag.tensor([0.5, 1.5], dtype=ag.float64)
    y = ag.tensor([0.7, 2.0], dtype=ag.float64)
    _, t = jvp(ag.xlogy, (x, y), (ag.ones_like(x), ag.zeros_like(y)))
    np.testing.assert_allclose(t.numpy(), np.log([0.7, 2.0]), rtol=1e-12)
    (t,) = _tangent_of(ag.xlogy, [x, y], [ag.ones_like(x), ag.zeros_like(y)])
    np.testing.assert_allclose(t.numpy(), np.log([0.7, 2.0]), rtol=1e-12)


# ---- interplay with reverse mode ---------------------------------------------------------
def test_forward_over_reverse_hessian_vector_product():
    x = ag.tensor([0.3, -0.7, 1.1], dtype=ag.float64, requires_grad=True)
    v = ag.tensor([1.0, 2.0, -1.0], dtype=ag.float64)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        loss = (d.sin() ** 2).sum() + d.prod()
        (g,) = ag.grad(loss, x, create_graph=True)
        hvp = fwAD.unpack_dual(g).tangent
    xn, vn = x.detach().numpy(), v.numpy()
    # Hessian: diag(2 cos 2x) + (the product's: d2/dxi dxj prod = prod / (xi xj), i != j)
    H = np.diag(2 * np.cos(2 * xn))
    for i in range(3):
        for j in range(3):
            if i != j:
                H[i, j] += np.prod(xn) / (xn[i] * xn[j])
    np.testing.assert_allclose(hvp.detach().numpy(), H @ vn, rtol=1e-12)


def test_gradients_flow_through_a_dual_and_its_tangent():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    v = ag.tensor([1.0, -1.0], dtype=ag.float64)
    with fwAD.dual_level():
        y = fwAD.make_dual(x, v) ** 3
        primal, tangent = fwAD.unpack_dual(y)
        assert tangent.tolist() == [3.0, -12.0]  # 3 x^2 v
        # reverse over forward: d/dx sum(3 x^2 v) = 6 x v
        (g,) = ag.grad(tangent.sum(), x)
        assert g.tolist() == [6.0, -12.0]
        # the primal stays connected to x for reverse mode, without a tangent
        assert fwAD.unpack_dual(primal).tangent is None
        primal.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_module_parameters_made_dual():
    ag.manual_seed(0)
    model = nn.Linear(3, 2)
    inp = ag.randn(4, 3)
    tw, tb = ag.randn(2, 3), ag.randn(2)
    with fwAD.dual_level():
        out = ag.func.functional_call(model, {"weight": fwAD.make_dual(model.weight, tw),
                                              "bias": fwAD.make_dual(model.bias, tb)}, (inp,))
        t = fwAD.unpack_dual(out).tangent
    expected = inp.numpy() @ tw.numpy().T + tb.numpy()
    np.testing.assert_allclose(t.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_compile_runs_eagerly_with_a_warning_under_a_dual_level():
    @ag.compile
    def step(x):
        return (x * x).sum()

    x = ag.tensor([1.0, 2.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, ag.tensor([1.0, 1.0]))
        with pytest.warns(RuntimeWarning, match="forward-mode AD dual level is active"):
            y = step(d)
        assert fwAD.unpack_dual(y).tangent.item() == 6.0
    strict = ag.compile(step.eager, strict=True)
    with fwAD.dual_level():
        with pytest.raises(ag.CompileFallback, match="dual level"):
            strict(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert step(x).item() == 5.0  # and captures again once the level is left


# ---- against torch (the forward-mode AD tutorial's examples) -----------------------------
@pytest.mark.torch_parity
def test_tutorial_examples_match_torch():
    torch = pytest.importorskip("torch")
    tfw = torch.autograd.forward_ad
    rng = np.random.default_rng(0)
    pn, tn = rng.standard_normal((10, 10)), rng.standard_normal((10, 10))

    def fn(lib, x, y):
        return x ** 2 + y ** 2

    # basic usage
    with tfw.dual_level():
        jvp_t = tfw.unpack_dual(fn(torch, tfw.make_dual(torch.tensor(pn), torch.tensor(tn)),
                                   torch.tensor(pn))).tangent
    with fwAD.dual_level():
        out = fn(ag, fwAD.make_dual(ag.tensor(pn), ag.tensor(tn)), ag.tensor(pn))
        jvp_a = fwAD.unpack_dual(out).tangent
    np.testing.assert_allclose(jvp_a.numpy(), jvp_t.numpy(), rtol=1e-12)

    # usage with modules: every parameter made dual
    wn, bn, xn = rng.standard_normal((5, 5)), rng.standard_normal(5), rng.standard_normal((16, 5))
    twn, tbn = rng.standard_normal((5, 5)), rng.standard_normal(5)
    results = []
    for lib, fw, mod in ((torch, tfw, torch.nn), (ag, fwAD, nn)):
        model = mod.Linear(5, 5).double()
        with lib.no_grad():
            model.weight.copy_(lib.tensor(wn))
            model.bias.copy_(lib.tensor(bn))
        with fw.dual_level():
            dual = {"weight": fw.make_dual(model.weight, lib.tensor(twn)),
                    "bias": fw.make_dual(model.bias, lib.tensor(tbn))}
            out = lib.func.functional_call(model, dual, (lib.tensor(xn),))
            primal, tangent = fw.unpack_dual(out)
            results.append((primal.detach().numpy(), tangent.detach().numpy()))
    for a, t in zip(results[1], results[0]):
        np.testing.assert_allclose(a, t, rtol=1e-12)

    # Hessian-vector product, forward over reverse
    hx, hv = rng.standard_normal(4), rng.standard_normal(4)
    got = []
    for lib, fw in ((torch, tfw), (ag, fwAD)):
        x = lib.tensor(hx, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor(hv))
            (g,) = lib.autograd.grad((d.tanh() * d.exp()).sum(), x, create_graph=True)
            got.append(fw.unpack_dual(g).tangent.detach().numpy())
    np.testing.assert_allclose(got[1], got[0], rtol=1e-12)
