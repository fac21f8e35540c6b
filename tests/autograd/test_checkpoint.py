"""``utils.checkpoint``: the same values and gradients as the function run as usual (inputs,
parameters, kwargs, several outputs, dropout re-drawn identically), nothing recorded inside the
checkpointed function, PyTorch's warnings and errors, and torch parity."""

import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.utils import checkpoint as C


def _block(seed=0, p=0.0):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Dropout(p), nn.Linear(5, 2)).double()


def _grads(model, x):
    return [x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("p", [0.0, 0.5])
def test_values_and_gradients_equal_the_plain_run(reentrant, p):
    x0 = np.random.default_rng(0).standard_normal((6, 4))
    results = []
    for use in (False, True):
        model = _block(p=p)
        x = ag.tensor(x0, requires_grad=True)
        ag.manual_seed(5)  # dropout's draws
        out = C.checkpoint(model, x, use_reentrant=reentrant) if use else model(x)
        ((out ** 2).sum() + out.sum()).backward()
        results.append((out.detach().numpy(), _grads(model, x)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("reentrant", [True, False])
def test_nothing_inside_is_recorded(reentrant):
    model = _block()
    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    out = C.checkpoint(model, x, use_reentrant=reentrant)
    # one node: the layers' ops are not in the graph. Its inputs with a gradient: x (the
    # reentrant variant), x and the parameters the function read (the non-reentrant one)
    fns = [f for f, _ in out.grad_fn.next_functions if f is not None]
    want = [x] + ([] if reentrant else list(model.parameters()))
    assert sorted(id(f.variable) for f in fns) == sorted(id(t) for t in want)
    assert all(p.grad is None for p in model.parameters())


def test_keyword_arguments_several_outputs_and_no_grad_inputs():
    model = _block()

    def f(a, scale=1.0):
        y = model(a)
        return y * scale, y.sum()

    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    out, total = C.checkpoint(f, x, use_reentrant=False, scale=3.0)
    (out.sum() + total).backward()
    g = model[0].weight.grad.numpy().copy()
    model.zero_grad()
    y = model(x.detach().requires_grad_())
    (y * 3.0).sum().backward()
    y2 = model(x.detach())
    y2.sum().backward()
    np.testing.assert_allclose(g, model[0].weight.grad.numpy(), rtol=1e-13)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        C.checkpoint(f, x, use_reentrant=True, scale=3.0)
    # non-reentrant, no input requiring grad: runs as usual, the parameters get gradients
    model.zero_grad()
    C.checkpoint(model, ag.randn(3, 4, dtype=ag.float64), use_reentrant=False).sum().backward()
    assert model[0].weight.grad is not None
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = C.checkpoint(model, ag.randn(3, 4, dtype=ag.float64), use_reentrant=True)
    assert not out.requires_grad


def test_warnings_and_errors():
    model = _block()
    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        C.checkpoint(model, x)
    out = C.checkpoint(model, x, use_reentrant=True)
    with pytest.raises(RuntimeError, match="When use_reentrant=True, torch.utils.checkpoint "
                                           "is incompatible with .grad()"):
        ag.autograd.grad(out.sum(), [x])
    out = C.checkpoint(model, x, use_reentrant=True)
    with pytest.raises(RuntimeError, match="higher-order gradients"):
        out.sum().backward(create_graph=True)
    with pytest.raises(ValueError, match="context_fn"):
        C.checkpoint(model, x, use_reentrant=True, debug=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seq = nn.Sequential(*[nn.Linear(4, 4).double() for _ in range(5)])
        out = C.checkpoint_sequential(seq, 3, x, use_reentrant=False)
    np.testing.assert_allclose(out.detach().numpy(), seq(x).detach().numpy(), rtol=1e-14)


@pytest.mark.torch_parity
@pytest.mark.parametrize("reentrant", [True, False])
def test_matches_torch(reentrant):
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    rng = np.random.default_rng(2)
    x0 = rng.standard_normal((5, 4))
    runs = []
    for lib, tnn, ck in ((torch, torch.nn, torch.utils.checkpoint), (ag, nn, C)):
        lib.manual_seed(0)
        model = tnn.Sequential(tnn.Linear(4, 6), tnn.GELU(), tnn.Linear(6, 6), tnn.Tanh(),
                               tnn.Linear(6, 1)).double()
        draws = np.random.default_rng(9)
        with lib.no_grad():
            for p in model.parameters():
                p.copy_(lib.tensor(draws.standard_normal(tuple(p.shape))))
        x = lib.tensor(x0, requires_grad=True)
        h = ck.checkpoint(model[:2], x, use_reentrant=reentrant)
        out = ck.checkpoint_sequential(model[2:], 2, h, use_reentrant=reentrant)
        (out ** 3).sum().backward()
        runs.append([out.detach().numpy(), x.grad.numpy()] +
                    [p.grad.numpy() for p in model.parameters()])
    for a, b in zip(*runs):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


def _run(lib, ck, reentrant=False):
    """Second derivatives through a checkpoint, grad() with respect to some inputs only,
    backward(inputs=...), and a retained graph run twice: what use_reentrant=False allows."""
    x = lib.tensor([1.0, 2.0, -0.5], dtype=lib.float64, requires_grad=True)
    w = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)

    def call():
        z, v = x * 3, (x * 2).unbind(0)[1]  # tensors from outside, read by f

        def f(a):
            return (lib.sin(a * z) + w * v).sum(), a * 2, 7

        y, a2, seven = ck(f, x * 1, use_reentrant=reentrant)
        assert seven == 7
        return y, a2

    y, a2 = call()
    gx, gw = lib.autograd.grad(y + a2.sum(), [x, w], create_graph=True)
    (hx,) = lib.autograd.grad((gx * gx).sum() + gw.sum(), [x])
    (only_w,) = lib.autograd.grad(call()[0], [w])
    (call()[0] * 2).backward(inputs=[w])
    partial = (w.grad.clone(), x.grad)
    w.grad = None
    y, _ = call()
    y.backward(retain_graph=True)
    y.backward()
    return [t.detach().numpy().copy() for t in (gx, gw, hx, only_w, partial[0], x.grad,
                                                   w.grad)] + [partial[1]]


def test_non_reentrant_supports_grad_inputs_and_higher_order():
    ours = _run(ag, C.checkpoint)
    # the same program without checkpoint
    plain = _run(ag, lambda f, *a, use_reentrant: f(*a))
    for a, b in zip(ours[:-1], plain[:-1]):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)
    assert ours[-1] is None  # backward(inputs=[w]) leaves x.grad alone
    # hand-checked: d/dx of sum(sin(3 x * x)) is 6 x cos(3 x**2) (here x enters as a and z)
    x = np.array([1.0, 2.0, -0.5])
    want_gx = 6 * x * np.cos(3 * x * x) + 2
    want_gx[1] += 2 * np.array([0.5, -1.0, 2.0]).sum()  # w * v, v = 2 x[1]
    np.testing.assert_allclose(ours[0], want_gx, rtol=1e-13)


@pytest.mark.torch_parity
def test_non_reentrant_higher_order_matches_torch():
    torch = pytest.importorskip("torch", reason="live parity: pip install torch==2.13.0")
    ours = _run(ag, C.checkpoint)
    theirs = _run(torch, torch.utils.checkpoint.checkpoint)
    for a, b in zip(ours[:-1], theirs[:-1]):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    assert ours[-1] is None and theirs[-1] is None
