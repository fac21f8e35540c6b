"""``autograd.Function`` in PyTorch's two styles and its ctx methods, ``once_differentiable``,
and ``autograd.grad``/``backward``'s PyTorch arguments (issue 12 item 8). Each behaviour is
written once against a module namespace: the tapegrad side checks hand-worked values, the
torch_parity side runs the same code with torch 2.13 and compares."""

import inspect

import numpy as np
import pytest

import autograd_core as ag


def _x(mod):
    return mod.tensor([0.5, -1.0, 2.0], dtype=mod.float64, requires_grad=True)


def _classes(mod):
    Function = mod.autograd.Function
    once = mod.autograd.function.once_differentiable

    class Cube(Function):  # ctx style
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * g

    class Scale(Function):  # setup_context style, a non-tensor argument
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]
            ctx.needs = ctx.needs_input_grad

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class SortValues(Function):  # an index output marked non-differentiable
        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x.detach().numpy() if hasattr(x, "numpy") else x.data)
            idx = mod.tensor(order.copy(), dtype=mod.int64)
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x[idx], idx

        @staticmethod
        def backward(ctx, gv, gi):
            (idx,) = ctx.saved_tensors
            ctx.gi_sum = float(gi.sum())  # materialized zeros
            out = mod.zeros_like(gv)
            out[idx] = gv
            return out

    class TwoOut(Function):  # set_materialize_grads(False): None for the unused output
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.seen = (g1 is None, g2 is None)
            total = 0
            if g1 is not None:
                total = total + g1 * 2
            if g2 is not None:
                total = total + g2 * 3
            return total

    class DoubleInPlace(Function):  # mark_dirty
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class OnceSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    return Cube, Scale, SortValues, TwoOut, DoubleInPlace, OnceSquare


def _program(mod):
    """Runs every class; returns named results (Tensors or plain values)."""
    Cube, Scale, SortValues, TwoOut, DoubleInPlace, OnceSquare = _classes(mod)
    r = {}
    x = _x(mod)
    Cube.apply(x).sum().backward()
    r["cube_grad"] = x.grad

    x = _x(mod)
    y = Scale.apply(x, 4.0)
    y.sum().backward()
    r["scale_grad"] = x.grad
    r["scale_name"] = type(y.grad_fn).__name__ if mod is not ag else y.grad_fn.name()

    x = _x(mod)
    v, i = SortValues.apply(x)
    r["sort_idx_requires_grad"] = i.requires_grad
    (v * mod.tensor([1.0, 10.0, 100.0], dtype=mod.float64)).sum().backward()
    r["sort_grad"] = x.grad

    x = _x(mod)
    a, _b = TwoOut.apply(x)
    a.sum().backward()
    r["twoout_grad"] = x.grad
    r["twoout_seen"] = a.grad_fn.ctx.seen if mod is ag else a.grad_fn.seen

    x = _x(mod)
    h = x * 1
    out = DoubleInPlace.apply(h)
    r["dirty_same_object"] = out is h
    (out * out).sum().backward()
    r["dirty_grad"] = x.grad  # d/dx (2x)^2 = 8x

    x = _x(mod)
    (g,) = mod.autograd.grad(OnceSquare.apply(x).sum(), x, create_graph=True)
    r["once_grad"] = g
    return r


def test_function_program_values():
    r = _program(ag)
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(r["cube_grad"].data, 3 * x ** 2)
    np.testing.assert_allclose(r["scale_grad"].data, [4.0, 4.0, 4.0])
    assert r["sort_idx_requires_grad"] is False
    np.testing.assert_allclose(r["sort_grad"].data, [10.0, 1.0, 100.0])  # order: -1, 0.5, 2
    np.testing.assert_allclose(r["twoout_grad"].data, [2.0, 2.0, 2.0])
    assert r["twoout_seen"] == (False, True)
    assert r["dirty_same_object"] is True
    np.testing.assert_allclose(r["dirty_grad"].data, 8 * x)
    np.testing.assert_allclose(r["once_grad"].data, 2 * x)


@pytest.mark.torch_parity
def test_function_program_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _program(ag), _program(torch)
    for k, v in ours.items():
        t = theirs[k]
        if isinstance(v, ag.Tensor):
            np.testing.assert_allclose(v.data, t.detach().numpy(), rtol=1e-12, err_msg=k)
        elif k != "scale_name":
            assert v == t, k
    assert ours["scale_name"] == theirs["scale_name"] == "ScaleBackward"


def test_setup_context_sees_needs_input_grad_and_keyword_arguments():
    _, Scale, *_ = _classes(ag)
    x = _x(ag)
    y = Scale.apply(x, k=2.0)
    assert y.grad_fn.ctx.needs == (True, False)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0, 2.0])


def test_mark_dirty_on_a_leaf_that_requires_grad_is_refused():
    *_, DoubleInPlace, _ = _classes(ag)
    x = _x(ag)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used in "
                                           "an in-place operation"):
        DoubleInPlace.apply(x)


def test_mark_dirty_bumps_the_version_so_earlier_saves_refuse():
    *_, DoubleInPlace, _ = _classes(ag)
    x = _x(ag)
    h = x * 1
    s = (h * h).sum()  # saved h
    DoubleInPlace.apply(h)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.backward()


def test_once_differentiable_is_reachable_under_torch_path():
    from autograd_core.autograd.function import once_differentiable

    assert once_differentiable is ag.autograd.function.once_differentiable


def test_once_differentiable_refuses_a_second_derivative():
    *_, OnceSquare = _classes(ag)
    x, w = _x(ag), _x(ag)
    y = (OnceSquare.apply(x) * w).sum()  # the gradient reaching backward requires grad
    (g,) = ag.autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.data, 2 * x.data * w.data)
    with pytest.raises(RuntimeError, match="marked with @once_differentiable"):
        g.sum().backward()


def test_function_that_saved_nothing_runs_backward_twice_and_saved_one_refuses():
    class Double(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = _x(ag)
    y = Double.apply(x).sum()
    y.backward()
    y.backward()  # PyTorch allows it: nothing was saved
    np.testing.assert_allclose(x.grad.data, [4.0, 4.0, 4.0])
    Cube = _classes(ag)[0]
    y = Cube.apply(_x(ag)).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_backward_returning_too_many_gradients_is_refused_with_torch_wording():
    class Bad(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match=r"function BadBackward returned an incorrect number "
                                           r"of gradients \(expected 1, got 2\)"):
        Bad.apply(_x(ag)).sum().backward()


def test_grad_materialize_grads_and_unused_message():
    x, u = _x(ag), _x(ag)
    gx, gu = ag.autograd.grad((x * 3).sum(), [x, u], materialize_grads=True)
    np.testing.assert_allclose(gu.data, np.zeros(3))
    np.testing.assert_allclose(gx.data, [3.0, 3.0, 3.0])
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to "
                                           "not have been used in the graph"):
        ag.autograd.grad((x * 3).sum(), [x, u])
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require "
                                           "grad"):
        ag.autograd.grad((x * 3).sum(), ag.ones(3))


def test_backward_accepts_grad_variables_and_inputs():
    x, w = _x(ag), _x(ag)
    y = x * w
    ag.autograd.backward([y], grad_variables=[ag.ones(3, dtype=ag.float64)], inputs=[x])
    np.testing.assert_allclose(x.grad.data, w.data)
    assert w.grad is None


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["grad", "backward"])
def test_grad_and_backward_signatures_match_torch(name):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(ag.autograd, name)).parameters
    theirs = inspect.signature(getattr(torch.autograd, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()]


def test_torch_autograd_namespace_names():
    assert ag.autograd.gradcheck is ag.gradcheck and ag.autograd.gradgradcheck is ag.gradgradcheck
    assert ag.autograd.no_grad is ag.no_grad and ag.autograd.enable_grad is ag.enable_grad
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    assert ag.autograd.gradcheck(lambda t: (t ** 3).sum(), (x,))


def test_set_detect_anomaly_as_a_call_and_as_a_block():
    assert not ag.is_anomaly_enabled()
    with ag.autograd.set_detect_anomaly(True):
        assert ag.is_anomaly_enabled()
        x = ag.tensor([0.0], dtype=ag.float64, requires_grad=True)
        with np.errstate(divide="ignore"), pytest.raises(
                RuntimeError, match="detect_anomaly: function 'Log' produced inf"):
            x.log()
    assert not ag.is_anomaly_enabled()
    ag.autograd.set_detect_anomaly(True)
    try:
        assert ag.is_anomaly_enabled()
    finally:
        ag.autograd.set_detect_anomaly(False)
    assert not ag.is_anomaly_enabled()


def test_mark_dirty_must_return_the_dirty_input_and_takes_a_view():
    class NotReturned(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Dirty(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = _x(ag)
    with pytest.raises(RuntimeError, match="Some elements marked as dirty during the forward "
                                           "method were not returned as output"):
        NotReturned.apply(x * 1)
    # a view: PyTorch records its base's new value (this test expected a refusal before)
    y = x * 1
    Dirty.apply(y[:2]).sum().backward()
    assert y.tolist() == [2.0 * v for v in x.tolist()[:2]] + x.tolist()[2:]
    assert x.grad.tolist() == [2.0, 2.0] + [0.0] * (len(x.tolist()) - 2)


def test_custom_function_twice_differentiable_under_create_graph():
    Cube, Scale = _classes(ag)[:2]
    x = _x(ag)
    assert ag.gradcheck(lambda t: Cube.apply(t), (x,))
    assert ag.gradgradcheck(lambda t: Cube.apply(t), (x,))
    assert ag.gradgradcheck(lambda t: Scale.apply(t * t, 3.0), (x,))


@pytest.mark.torch_parity
@pytest.mark.parametrize("name", ["save_for_backward", "mark_dirty", "mark_non_differentiable",
                                  "set_materialize_grads"])
def test_ctx_method_signatures_match_torch(name):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(ag.autograd.function.FunctionCtx, name)).parameters
    theirs = inspect.signature(getattr(torch.autograd.function.FunctionCtx, name)).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()]


def test_non_tensor_output_gets_none_in_backward():
    seen = []

    class WithCount(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, 3

        @staticmethod
        def backward(ctx, g, g_count):
            seen.append(g_count)
            return g * 2

    x = _x(ag)
    y, k = WithCount.apply(x)
    assert k == 3
    y.sum().backward()
    assert seen == [None]
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0, 2.0])
