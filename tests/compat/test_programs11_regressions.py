"""Regressions found by the eleventh round of public PyTorch programs run on tapegrad with their
imports rewritten (PPO/SAC on toy environments, recommenders with EmbeddingBag, GCN/GAT from
scratch, ResNet-8 with hand augmentation, seq2seq with attention masks, PINNs with LBFGS, Bayes by
backprop, DDPM on 2-D points, lr schedulers, exact GP regression, ...): each test is the line that
broke or gave another number, reduced."""

import re

import pytest

import autograd_core as ag
import nn.functional as agF

# F.linear(input, weight, bias) with mixed dtypes: PyTorch runs addmm(bias, input, weight.T),
# which compares the bias with the weight first ("self and mat2"), then the input with the
# weight ("mat1 and mat2"); only without a bias is it mm's "expected m1 and m2" message.
_LINEAR_MIXED = [
    # (input, weight, bias) dtypes; the PINN program in float64 with a float32 collocation tensor
    (("float32", "float64", "float64"), "mat1 and mat2 must have the same dtype, but got Float and Double"),
    (("float64", "float32", "float32"), "mat1 and mat2 must have the same dtype, but got Double and Float"),
    (("float32", "float64", "float32"), "self and mat2 must have the same dtype, but got Float and Double"),
    (("float32", "float32", "float64"), "self and mat2 must have the same dtype, but got Double and Float"),
    (("float32", "float64", None), "expected m1 and m2 to have the same dtype, but got: float != double"),
]


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)])
@pytest.mark.parametrize("dtypes,message", _LINEAR_MIXED)
def test_linear_mixed_dtypes_refused_in_addmm_words(shape, dtypes, message):
    dx, dw, db = dtypes
    x = ag.ones(*shape, dtype=getattr(ag, dx))
    w = ag.ones(2, 3, dtype=getattr(ag, dw))
    b = None if db is None else ag.ones(2, dtype=getattr(ag, db))
    with pytest.raises(RuntimeError, match="^" + re.escape(message) + "$"):
        agF.linear(x, w, b)


@pytest.mark.torch_parity
@pytest.mark.parametrize("dtypes,message", _LINEAR_MIXED)
def test_linear_mixed_dtypes_messages_are_pytorchs(dtypes, message):
    torch = pytest.importorskip("torch")
    dx, dw, db = dtypes
    b = None if db is None else torch.ones(2, dtype=getattr(torch, db))
    with pytest.raises(RuntimeError, match="^" + re.escape(message) + "$"):
        torch.nn.functional.linear(torch.ones(2, 3, dtype=getattr(torch, dx)),
                                   torch.ones(2, 3, dtype=getattr(torch, dw)), b)


def test_legacy_contiguous_format_is_contiguous_format():
    # the Gumbel-softmax straight-through code copied from PyTorch's F.gumbel_softmax:
    # `torch.zeros_like(logits, memory_format=torch.legacy_contiguous_format).scatter_(-1, index, 1.0)`
    # raised AttributeError; in PyTorch the name is an alias of contiguous_format
    assert ag.legacy_contiguous_format is ag.contiguous_format
    logits = ag.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 0.5]])
    index = logits.max(-1, keepdim=True)[1]
    y_hard = ag.zeros_like(logits, memory_format=ag.legacy_contiguous_format).scatter_(-1, index, 1.0)
    assert y_hard.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


# torch.func results stay connected to the Tensors the function closes over or takes without
# differentiating them (PINN residuals `vmap(hessian(u, argnums=1), in_dims=(None, 0))(params,
# pts)`, Jacobian penalties `jacrev(model)(x)`): ours were detached whenever the differentiated
# arguments did not require grad, so `loss.backward()` silently dropped those terms' gradients
# (the 2-D Poisson PINN trained only on its boundary term: lr 0.005 vs 0.01 after three steps).
_W = [1.0, -2.0, 0.5]
_X = [0.3, 0.7, -1.1]


def _closed_dsum_dw():  # d/dW sum(W cos(W x)) = cos(W x) - W x sin(W x)
    import math
    return [math.cos(w * x) - w * x * math.sin(w * x) for w, x in zip(_W, _X)]


@pytest.mark.parametrize("transform", ["grad", "grad argnums=1", "jacrev", "jacfwd", "vjp", "jvp",
                                       "vmap(grad)"])
def test_func_transform_results_keep_the_graph_to_closed_over_tensors(transform):
    from autograd_core import func
    w = ag.tensor(_W, dtype=ag.float64, requires_grad=True)
    x = ag.tensor(_X, dtype=ag.float64)
    f = (lambda x: (w * x).sin().sum())  # noqa: E731
    if transform == "grad":
        g = func.grad(f)(x)
    elif transform == "grad argnums=1":
        g = func.grad(lambda w, x: (w * x).sin().sum(), argnums=1)(w, x)
    elif transform == "jacrev":
        g = func.jacrev(lambda x: (w * x).sin())(x).sum(0)
    elif transform == "jacfwd":
        g = func.jacfwd(lambda x: (w * x).sin())(x).sum(0)
    elif transform == "vjp":
        g = func.vjp(lambda x: (w * x).sin(), x)[1](ag.ones(3, dtype=ag.float64))[0]
    elif transform == "jvp":
        g = func.jvp(lambda x: (w * x).sin(), (x,), (ag.ones(3, dtype=ag.float64),))[1]
    else:
        g = func.vmap(func.grad(f))(x.unsqueeze(0)).squeeze(0)
    assert g.requires_grad
    (dw,) = ag.autograd.grad(g.sum(), w)
    assert dw.tolist() == pytest.approx(_closed_dsum_dw(), rel=1e-12)


def test_pinn_laplacian_by_vmap_hessian_trains_the_parameters():
    from autograd_core import func
    # u(W, p) = sum((W p)^3) / 6: Hessian in p is diag(W^3 p), its trace summed over the
    # points is sum(W^3 * sum(p)); d/dW = 3 W^2 sum(p)
    w = ag.tensor(_W, dtype=ag.float64, requires_grad=True)
    pts = ag.tensor([_X, [0.2, 0.4, 0.6]], dtype=ag.float64)
    u = (lambda w, p: ((w * p) ** 3).sum() / 6)  # noqa: E731
    lap = func.vmap(func.hessian(u, argnums=1), in_dims=(None, 0))(w, pts)
    lap = lap.diagonal(dim1=-2, dim2=-1).sum()
    lap.backward()
    s = [a + b for a, b in zip(_X, [0.2, 0.4, 0.6])]
    assert w.grad.tolist() == pytest.approx([3 * v * v * t for v, t in zip(_W, s)], rel=1e-12)


def test_func_transforms_still_detached_when_nothing_outside_requires_grad():
    from autograd_core import func
    x = ag.tensor(_X, dtype=ag.float64)
    assert not func.grad(lambda x: x.sin().sum())(x).requires_grad
    assert not func.jacrev(lambda x: x.sin())(x).requires_grad
    assert not func.jvp(lambda x: x.sin(), (x,), (x,))[1].requires_grad
    w = ag.tensor(_W, dtype=ag.float64, requires_grad=True)
    with ag.no_grad():
        assert not func.grad(lambda x: (w * x).sin().sum())(x).requires_grad
    # an enclosing transform's input is outside the inner one, but not outside the outer:
    # d/dW of sum(W^3 * sum(p)) for one point, by jacrev over the Hessian
    u = (lambda w, p: ((w * p) ** 3).sum() / 6)  # noqa: E731
    p = ag.tensor(_X, dtype=ag.float64)
    outer = func.jacrev(lambda w: func.hessian(u, argnums=1)(w, p).diagonal().sum())(w.detach())
    assert not outer.requires_grad
    assert outer.tolist() == pytest.approx([3 * v * v * t for v, t in zip(_W, _X)], rel=1e-12)


def test_grad_is_grads_batched_gives_the_jacobian_rows():
    # PINN/Jacobian code: `torch.autograd.grad(y, x, torch.eye(n), is_grads_batched=True)`
    # raised NotImplementedError; PyTorch gives one gradient per row of the grad_outputs
    import math
    xs = [0.5, -1.0, 2.0]
    x = ag.tensor(xs, dtype=ag.float64, requires_grad=True)
    y = x.sin() * x
    (jac,) = ag.autograd.grad(y, x, ag.eye(3, dtype=ag.float64), is_grads_batched=True,
                              create_graph=True)
    d = [math.sin(v) + v * math.cos(v) for v in xs]
    assert jac.flatten().tolist() == pytest.approx(
        [d[i] if i == j else 0.0 for i in range(3) for j in range(3)], rel=1e-12)
    (h,) = ag.autograd.grad(jac.sum(), x)  # d/dx (sin x + x cos x) = 2 cos x - x sin x
    assert h.tolist() == pytest.approx([2 * math.cos(v) - v * math.sin(v) for v in xs], rel=1e-12)
    y = x.sin() * x
    g = ag.autograd.grad([y, y.sum()], [x], [ag.eye(3, dtype=ag.float64),
                                             ag.ones(3, dtype=ag.float64)], is_grads_batched=True)
    assert g[0].flatten().tolist() == pytest.approx(
        [d[j] * ((i == j) + 1) for i in range(3) for j in range(3)], rel=1e-12)
    with pytest.raises(RuntimeError, match="If `is_grads_batched=True`, we interpret the first"):
        ag.autograd.grad(x * 2, x, ag.ones(2, 2), is_grads_batched=True)
