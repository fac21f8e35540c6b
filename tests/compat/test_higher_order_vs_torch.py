"""Higher-order gradients against PyTorch: which first gradients require grad under
``create_graph`` and what second gradients they give; ``autograd.functional`` and ``func``
on small functions of several ops; the higher-order programs people write (WGAN-GP's
gradient penalty, a MAML inner step, Hessian-vector products, ``grad_outputs`` that require
grad, ``backward(create_graph=True)`` then ``.grad.backward()``), float64, to 1e-10.

The sweep runs the op table's calls (as ``test_op_table_vs_torch`` makes them PyTorch's),
``nn.functional``'s calls of ``test_functional_vs_torch`` and the calls of ``EXTRA`` below
with ``create_graph=True``, and compares, for each first gradient ``g``: None or not, whether
it requires grad, and, when it does, whether ``grad(g.sum(), inputs, allow_unused=True)``
gives None, zeros or other numbers in each input. The differences kept are ``ALLOWED``, held
exact (each listed entry must still differ), and listed in ``autograd_core/DIFFERENCES.md``.
"""

import math
import warnings

import numpy as np
import pytest
import test_functional_vs_torch as fn_calls
import test_op_table_vs_torch as op_table

import autograd_core as ag
import nn
import nn.functional as AF

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")

import compat_programs as cp  # noqa: E402
TF = torch.nn.functional

_NORM_BIAS = ("the bias gradient of PyTorch's fused normalisation backward requires grad "
              "(the node reads x and the weight) but depends on no input: ours does not "
              "require grad; both give no second gradient")
ALLOWED = {
    "functional:layer_norm": _NORM_BIAS,
    "functional:ln_constrow": _NORM_BIAS,
    "functional:batch_norm": _NORM_BIAS,
    "functional:bn_constcol": _NORM_BIAS,
}


def F(L):
    return TF if L is torch else AF


_R = np.random.default_rng(0)
_X4 = _R.standard_normal((2, 3, 4, 4))
_M = _R.standard_normal((3, 4))
_M2 = _M[::-1].copy()
# name: (call of the library L on tensors, input arrays)
EXTRA = {
    "max_pool2d": (lambda L, x: F(L).max_pool2d(x, 2), [_X4]),
    "max_pool2d_indices": (lambda L, x: F(L).max_pool2d(x, 2, return_indices=True)[0], [_X4]),
    "max_pool1d": (lambda L, x: F(L).max_pool1d(x[0], 2), [_X4]),
    "max_pool3d": (lambda L, x: F(L).max_pool3d(x, 2), [_X4]),
    "avg_pool1d": (lambda L, x: F(L).avg_pool1d(x[0], 2), [_X4]),
    "avg_pool2d": (lambda L, x: F(L).avg_pool2d(x, 2, padding=1), [_X4]),
    "avg_pool3d": (lambda L, x: F(L).avg_pool3d(x, 2), [_X4]),
    "adaptive_avg_pool2d": (lambda L, x: F(L).adaptive_avg_pool2d(x, 3), [_X4]),
    "adaptive_avg_pool2d_to_1": (lambda L, x: F(L).adaptive_avg_pool2d(x, 1), [_X4]),
    "adaptive_avg_pool1d_to_1": (lambda L, x: F(L).adaptive_avg_pool1d(x[0], 1), [_X4]),
    "adaptive_max_pool2d": (lambda L, x: F(L).adaptive_max_pool2d(x, 3), [_X4]),
    "interp_area": (lambda L, x: F(L).interpolate(x, size=(3, 2), mode="area"), [_X4]),
    "interp_nearest": (lambda L, x: F(L).interpolate(x, scale_factor=2), [_X4]),
    "pad_circular": (lambda L, x: F(L).pad(x, (1, 1, 1, 1), mode="circular"), [_X4]),
    "pad_reflect1d": (lambda L, x: F(L).pad(x[0], (2, 1), mode="reflect"), [_X4]),
    "pad_replicate3d": (lambda L, x: F(L).pad(x, (1, 1, 1, 1, 1, 1), mode="replicate"), [_X4]),
    "relu": (lambda L, x: F(L).relu(x), [_M]),
    "leaky_relu": (lambda L, x: F(L).leaky_relu(x, 0.2), [_M]),
    "abs": (lambda L, x: x.abs(), [_M]),
    "l1_loss": (lambda L, x, y: F(L).l1_loss(x, y), [_M, _M2]),
    "nll_loss": (lambda L, x: F(L).nll_loss(x, L.tensor([0, 1, 3])), [_M]),
    "cross_entropy": (lambda L, x: F(L).cross_entropy(x, L.tensor([0, 1, 3])), [_M]),
    "norm_1": (lambda L, x: L.linalg.vector_norm(x, 1), [_M]),
    "norm_inf_dim": (lambda L, x: L.linalg.vector_norm(x, math.inf, dim=1), [_M]),
    "norm_0": (lambda L, x: L.linalg.vector_norm(x, 0), [_M]),
    "matrix_norm_1": (lambda L, x: L.linalg.matrix_norm(x, 1), [_M]),
    "dist_inf": (lambda L, x, y: L.dist(x, y, math.inf), [_M, _M2]),
    "copysign": (lambda L, x, y: L.copysign(x, y), [_M, _M2]),
    "clamp": (lambda L, x: x.clamp(-0.5, 0.5), [_M]),
    "clamp_tensor": (lambda L, x, y: x.clamp(min=y), [_M, _M2]),
    "maximum": (lambda L, x, y: L.maximum(x, y), [_M, _M2]),
    "where": (lambda L, x, y: L.where(x > 0, x, y), [_M, _M2]),
    "amax": (lambda L, x: x.amax(1), [_M]),
    "max_dim": (lambda L, x: x.max(1)[0], [_M]),
    "sort": (lambda L, x: x.sort(1).values, [_M]),
    "gather": (lambda L, x: x.gather(1, L.tensor([[0, 1], [2, 2], [3, 0]])), [_M]),
    "masked_fill": (lambda L, x: x.masked_fill(x > 0, 1.0), [_M]),
    "sign_times": (lambda L, x: x.sign() * x, [_M]),
    "floor_plus": (lambda L, x: x.floor() + x, [_M]),
    "smooth_l1": (lambda L, x, y: F(L).smooth_l1_loss(x, y), [_M, _M2]),
    "huber": (lambda L, x, y: F(L).huber_loss(x, y), [_M, _M2]),
    "margin_ranking": (lambda L, x, y: F(L).margin_ranking_loss(x, y, L.ones(3, 4)), [_M, _M2]),
    "hardtanh": (lambda L, x: F(L).hardtanh(x, -0.5, 0.5), [_M]),
    "relu6": (lambda L, x: F(L).relu6(x * 4), [_M]),
    "rrelu_eval": (lambda L, x: F(L).rrelu(x), [_M]),
    "conv2d": (lambda L, x, w: F(L).conv2d(x, w, padding=1), [_X4, _X4[:2, :, :2, :2].copy()]),
    "linear": (lambda L, x, w, b: F(L).linear(x, w, b), [_M, _M2, _M[:, 0].copy()]),
    "embedding": (lambda L, w: F(L).embedding(L.tensor([0, 2]), w), [_M]),
    "group_norm": (lambda L, x: F(L).group_norm(x, 3), [_X4]),
    "softmax": (lambda L, x: F(L).softmax(x, 1), [_M]),
    "logsumexp": (lambda L, x: x.logsumexp(1), [_M]),
    "prod": (lambda L, x: x.prod(1), [_M]),
}


def _kind(t):
    if t is None:
        return "None"
    if isinstance(t, torch.Tensor) and t._is_zerotensor():
        return "zeros"
    a = np.asarray(t.detach().numpy())
    return "zeros" if np.all(np.abs(a) < 1e-10) else "numbers"


def _profile(lib, call, arrays):
    """Per input: None, "no graph", or the second gradients' kinds in every input."""
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = call(xs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
            if hasattr(o, "requires_grad")]
    rng = np.random.default_rng(1)
    pairs = [(o, rng.standard_normal(tuple(o.shape))) for o in outs]
    pairs = [(o, c) for o, c in pairs if o.requires_grad and o.dtype.is_floating_point]
    if not pairs:
        return None
    loss = sum((o * lib.tensor(c)).sum() for o, c in pairs)
    found = []
    for g in lib.autograd.grad(loss, xs, create_graph=True, allow_unused=True):
        if g is None or not g.requires_grad:
            found.append("None" if g is None else "no graph")
            continue
        h = lib.autograd.grad(g.sum(), xs, allow_unused=True, retain_graph=True)
        found.append(tuple(_kind(k) for k in h))
    return found


def _differences(cases):
    """``{name: (ours, PyTorch's)}`` for the cases whose profiles differ (PyTorch raising, as
    it does for the derivatives it does not implement, skips a case)."""
    found = {}
    for name, ours, theirs, arrays in cases:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                t = _profile(torch, theirs, [a.copy() for a in arrays])
            except (RuntimeError, NotImplementedError):
                continue
            o = _profile(ag, ours, [a.copy() for a in arrays])
        if o != t:
            found[name] = (o, t)
    return found


def _op_table_cases():
    for s, theirs in op_table.CASES:
        if s.name in op_table.TORCH_RAISES:
            continue
        yield (f"op:{s.name}", lambda xs, s=s: s.fn(*xs), lambda xs, f=theirs: f(*xs),
               op_table._inputs(s, "plain"))


def _functional_cases():
    for name, (fn, shapes, *_) in fn_calls.CALLS.items():
        yield (f"functional:{name}", lambda xs, fn=fn: fn("a", *xs),
               lambda xs, fn=fn: fn("t", *xs), fn_calls._inputs(shapes, "plain"))


def _extra_cases():
    for name, (fn, arrays) in EXTRA.items():
        yield (f"extra:{name}", lambda xs, fn=fn: fn(ag, *xs), lambda xs, fn=fn: fn(torch, *xs),
               arrays)


@pytest.fixture
def float64():
    with cp.default_dtype("float64", torch, ag):
        yield


@pytest.mark.parametrize("table", ["op", "functional", "extra"])
def test_first_gradients_require_grad_as_pytorch_s(table, float64):
    cases = {"op": _op_table_cases, "functional": _functional_cases,
             "extra": _extra_cases}[table]()
    found = _differences(cases)
    allowed = {k for k in ALLOWED if k.startswith(table + ":")}
    unexpected = {k: v for k, v in found.items() if k not in allowed}
    assert unexpected == {}, "differences from PyTorch (ours, PyTorch's)"
    assert set(found) == allowed, "ALLOWED entries that no longer differ: remove them"


# ---- autograd.functional and func -----------------------------------------------------------
_W1 = _R.standard_normal((5, 4))
_B1 = _R.standard_normal(5)
_W2 = _R.standard_normal((3, 5))
_XS = _R.standard_normal((6, 4))
_Y = np.array([0, 2, 1, 1, 0, 2])


def _functions(L):
    T = L.tensor

    def mlp_loss(w1, w2):  # a tanh MLP's softmax cross-entropy
        return F(L).cross_entropy(L.tanh(T(_XS) @ w1.T + T(_B1)) @ w2.T, T(_Y))

    def relu_net(x):  # piecewise linear in x: its Hessian is zeros
        return (F(L).relu(x @ T(_W1).T) @ T(_W2).T).sum()

    def logsumexp(x):
        return L.logsumexp(x, 1).sum()

    def norms(x, y):  # two outputs
        return L.linalg.vector_norm(x, 3) * x.norm(dim=1).sum(), (x * y).norm()

    def conv1d(x, w):
        return F(L).conv1d(x, w).pow(2)

    def sin_scaled(x):
        return L.sin(x) * x.sum()

    return dict(mlp_loss=mlp_loss, relu_net=relu_net, logsumexp=logsumexp, norms=norms,
                conv1d=conv1d, sin_scaled=sin_scaled)


_ARGS = dict(mlp_loss=(_W1, _W2), relu_net=(_XS[:2],), logsumexp=(_XS[:3],),
             norms=(_XS[:3], _XS[3:]), conv1d=(_R.standard_normal((1, 3, 5)),
                                              _R.standard_normal((2, 3, 3))),
             sin_scaled=(_XS[0],))
_SCALAR = ("mlp_loss", "relu_net", "logsumexp")


def _flat(r):
    """A result as a list of (structure or (shape, requires_grad), values) for comparison."""
    if isinstance(r, (tuple, list)):
        return [("seq", len(r))] + [x for item in r for x in _flat(item)]
    if isinstance(r, str):
        return [("error", r)]
    return [((tuple(r.shape), r.requires_grad), np.array(r.detach().numpy()))]


def _assert_same(ours, theirs, where):
    a, b = _flat(ours), _flat(theirs)
    assert [x[0] for x in a] == [x[0] for x in b], where
    for (_, u), (_, v) in zip(a, b):
        if isinstance(u, np.ndarray):
            np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12, err_msg=where)
        else:
            assert u == v, where


def _functional_call(L, what, name, kw):
    f = _functions(L)[name]
    ins = tuple(L.tensor(a) for a in _ARGS[name])
    Fn = L.autograd.functional
    ones = tuple(L.ones_like(i) for i in ins)
    try:
        if what in ("jacobian", "hessian"):
            return getattr(Fn, what)(f, ins, **kw)
        if what == "vjp":
            out = f(*ins)
            v = tuple(L.ones_like(o) for o in out) if isinstance(out, tuple) else L.ones_like(out)
            return Fn.vjp(f, ins, v, **kw)
        return getattr(Fn, what)(f, ins, ones, **kw)
    except RuntimeError as e:
        return str(e)


FUNCTIONAL = [(what, name, kw) for what in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp")
              for name in _ARGS if what in ("jacobian", "vjp", "jvp") or name in _SCALAR
              for kw in ({}, {"create_graph": True}, {"strict": True},
                         {"strict": True, "create_graph": True}, {"vectorize": True})
              if "vectorize" not in kw or what in ("jacobian", "hessian")]


@pytest.mark.parametrize("what", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_autograd_functional_equals_torch(what, float64):
    for w, name, kw in FUNCTIONAL:
        if w == what:
            _assert_same(_functional_call(ag, what, name, kw),
                         _functional_call(torch, what, name, kw), f"{what} {name} {kw}")


_STRICT = {
    "unused": (lambda L: lambda x, y: (x * 2).sum(), 2),
    "linear": (lambda L: lambda x, y: (x * 3 + y).sum(), 2),
    "linear_vector": (lambda L: lambda x, y: x * 3 + y, 2),
    "constant": (lambda L: lambda x, y: L.ones(3), 2),
    "relu": (lambda L: lambda x: F(L).relu(x).sum(), 1),
    "relu_times": (lambda L: lambda x, y: (F(L).relu(x) * y).sum(), 2),
    "detached": (lambda L: lambda x, y: (x.detach() * y).sum(), 2),
}


@pytest.mark.parametrize("what", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_strict_and_create_graph_edges_equal_torch(what, float64):
    for name, (make, n) in _STRICT.items():
        if what in ("hessian", "hvp", "vhp") and name == "linear_vector":
            continue
        for kw in ({"strict": True}, {"strict": True, "create_graph": True},
                   {"create_graph": True}, {}):
            results = []
            for L in (ag, torch):
                f, Fn = make(L), L.autograd.functional
                ins = tuple(L.tensor([1.0, -2.0, 3.0]) for _ in range(n))
                try:
                    if what in ("jacobian", "hessian"):
                        r = getattr(Fn, what)(f, ins, **kw)
                    elif what == "vjp":
                        r = Fn.vjp(f, ins, L.ones_like(f(*ins)), **kw)
                    else:
                        r = getattr(Fn, what)(f, ins, tuple(L.ones(3) for _ in ins), **kw)
                except RuntimeError as e:
                    r = str(e)
                results.append(r)
            _assert_same(*results, f"{what} {name} {kw}")


def _func_call(L, api, name, kw):
    f = _functions(L)[name]
    args = tuple(L.tensor(a) for a in _ARGS[name])
    fn = L.func
    if api == "vmap_grad":
        return fn.vmap(fn.grad(f, **kw))(*(L.stack([a, a * 2]) for a in args))
    return getattr(fn, api)(f, **kw)(*args)


@pytest.mark.parametrize("api", ["grad", "jacrev", "jacfwd", "hessian", "vmap_grad"])
def test_func_equals_torch(api, float64):
    for name, args in _ARGS.items():
        if api in ("grad", "vmap_grad") and name not in _SCALAR:
            continue
        nums = (0, 1) if len(args) > 1 else (0,)
        for kw in ({}, {"argnums": nums[-1]}, {"argnums": nums}):
            _assert_same(_func_call(ag, api, name, kw), _func_call(torch, api, name, kw),
                         f"{api} {name} {kw}")


def test_functional_call_and_its_gradient_equal_torch(float64):
    params = {"weight": _W1[:3], "bias": _B1[:3]}
    results = []
    for L, layer in ((ag, nn.Linear(4, 3)), (torch, torch.nn.Linear(4, 3))):
        p = {k: L.tensor(v) for k, v in params.items()}

        def loss(p, layer=layer, L=L):
            out = L.func.functional_call(layer, p, (L.tensor(_XS),))
            return F(L).cross_entropy(out, L.tensor(_Y))

        results.append((loss(p), L.func.grad(loss)(p)))
    (lo, go), (lt, gt) = results
    np.testing.assert_allclose(lo.detach().numpy(), lt.detach().numpy(), rtol=1e-12)
    for k in params:
        np.testing.assert_allclose(go[k].numpy(), gt[k].numpy(), rtol=1e-10)


# ---- programs ---------------------------------------------------------------------------------
def _critic(L, seed):
    """A small Conv/Linear critic with the same weights in both libraries."""
    lib_nn = nn if L is ag else torch.nn
    r = np.random.default_rng(seed)
    conv, lin = lib_nn.Conv2d(1, 2, 3, padding=1), lib_nn.Linear(2 * 4 * 4, 1)
    with L.no_grad():
        for p in (conv.weight, conv.bias, lin.weight, lin.bias):
            p.copy_(L.tensor(r.standard_normal(tuple(p.shape)) * 0.5))
    return conv, lin, lambda x: lin(F(L).leaky_relu(F(L).max_pool2d(conv(x), 1), 0.2)
                                    .reshape(x.shape[0], -1))


def _wgan_gp(L):
    conv, lin, critic = _critic(L, 3)
    r = np.random.default_rng(4)
    real = L.tensor(r.standard_normal((3, 1, 4, 4)))
    fake = L.tensor(r.standard_normal((3, 1, 4, 4)))
    eps = L.tensor(r.uniform(size=(3, 1, 1, 1)))
    mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = critic(mix)
    (g,) = L.autograd.grad(out, mix, L.ones_like(out), create_graph=True)
    penalty = ((g.reshape(3, -1).norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + 10 * penalty
    loss.backward()
    return [loss] + [p.grad for p in (conv.weight, conv.bias, lin.weight, lin.bias)]


def _maml(L):
    r = np.random.default_rng(5)
    w1 = L.tensor(r.standard_normal((6, 4)) * 0.5, requires_grad=True)
    w2 = L.tensor(r.standard_normal((3, 6)) * 0.5, requires_grad=True)
    b1, b2 = L.zeros(6, requires_grad=True), L.zeros(3, requires_grad=True)
    params = [w1, b1, w2, b2]
    xs, ys = L.tensor(r.standard_normal((5, 4))), L.tensor([0, 1, 2, 1, 0])
    xq, yq = L.tensor(r.standard_normal((5, 4))), L.tensor([2, 1, 0, 0, 1])

    def net(x, p):
        return F(L).linear(F(L).relu(F(L).linear(x, p[0], p[1])), p[2], p[3])

    fast = params
    for _ in range(2):  # two inner steps, differentiated through
        grads = L.autograd.grad(F(L).cross_entropy(net(xs, fast), ys), fast, create_graph=True)
        fast = [p - 0.4 * g for p, g in zip(fast, grads)]
    meta = F(L).cross_entropy(net(xq, fast), yq)
    meta.backward()
    return [meta] + [p.grad for p in params]


def _hvp_double_backward(L):
    r = np.random.default_rng(6)
    w = L.tensor(r.standard_normal((4, 3)), requires_grad=True)
    v = L.tensor(r.standard_normal((4, 3)))
    x, y = L.tensor(r.standard_normal((7, 3))), L.tensor(r.standard_normal((7, 4)))
    loss = F(L).mse_loss(L.tanh(x @ w.T), y) + F(L).softplus(w).sum()
    (g,) = L.autograd.grad(loss, w, create_graph=True)
    (hv,) = L.autograd.grad((g * v).sum(), w)
    return [loss, g, hv]


def _grad_outputs_requiring_grad(L):
    r = np.random.default_rng(7)
    x = L.tensor(r.standard_normal((3, 4)), requires_grad=True)
    u = L.tensor(r.standard_normal((3, 4)), requires_grad=True)
    y = L.sigmoid(x) * x
    (g,) = L.autograd.grad(y, x, u, create_graph=True)
    gx, gu = L.autograd.grad((g ** 2).sum(), [x, u])
    return [g, gx, gu, L.tensor(float(g.requires_grad))]


def _backward_then_grad_backward(L):
    r = np.random.default_rng(8)
    x = L.tensor(r.standard_normal(5), requires_grad=True)
    (L.exp(x) * x ** 2).sum().backward(create_graph=True)
    first = x.grad.detach().clone()
    x.grad.sum().backward()  # accumulates d(sum grad)/dx into the same .grad
    return [first, x.grad]


# PyTorch's words (it warns once per process, so its own warning cannot be caught here)
CYCLE = ("Using backward() with create_graph=True will create a reference cycle between the "
         "parameter and its gradient which can cause a memory leak. We recommend using "
         "autograd.grad when creating the graph to avoid this. If you have to use this "
         "function, make sure to reset the .grad fields of your parameters to None after use "
         "to break the cycle and avoid the leak.")


def test_backward_with_create_graph_warns_of_the_reference_cycle_once(monkeypatch):
    from autograd_core import autograd as ag_autograd
    monkeypatch.setattr(ag_autograd, "_CYCLE_WARNED", [False])  # as in a fresh process
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x * x).sum().backward(create_graph=True)
        (x * 3).sum().backward(create_graph=True)  # another line: PyTorch warns once
    assert [str(w.message) for w in caught] == [CYCLE]
    assert caught[0].filename == __file__  # the user's line


PROGRAMS = {"wgan_gp": _wgan_gp, "maml": _maml, "hvp_double_backward": _hvp_double_backward,
            "grad_outputs_requiring_grad": _grad_outputs_requiring_grad,
            "backward_then_grad_backward": _backward_then_grad_backward}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_equals_torch(name, float64):
    ours, theirs = PROGRAMS[name](ag), PROGRAMS[name](torch)
    assert len(ours) == len(theirs)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=f"{name}, result {k}")


def _grad_semantics(L):
    """``grad``'s allow_unused / materialize_grads / grad_outputs requiring grad."""
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = L.tensor([3.0, 4.0], requires_grad=True)
    calls = [
        lambda: L.autograd.grad((x * x).sum(), [x, y], materialize_grads=True),
        lambda: L.autograd.grad((x * x).sum(), [x, y], materialize_grads=True,
                                create_graph=True),
        lambda: L.autograd.grad((x * 2).sum(), [x, y], allow_unused=True, create_graph=True),
        lambda: L.autograd.grad((x * x).sum(), [x], L.tensor(2.0, requires_grad=True),
                                create_graph=True),
        lambda: L.autograd.grad((x * 3).sum(), [x], L.tensor(2.0, requires_grad=True)),
        lambda: L.autograd.grad([(x * x).sum(), (x * y).sum()], [x, y], create_graph=True),
    ]
    return [[None if t is None else (t.tolist(), t.requires_grad) for t in call()]
            for call in calls]


def test_grad_options_equal_torch(float64):
    assert _grad_semantics(ag) == _grad_semantics(torch)


def _nested(L):
    """func transforms nested over piecewise-linear ops, and autograd.functional's Hessian
    under create_graph."""
    x = L.tensor([0.5, -1.0, 2.0])

    def f(t):
        return (F(L).relu(t) ** 2).sum() + F(L).hardtanh(t).sum() + t.abs().sum()

    def g(t):
        return F(L).relu(t).sum()

    fn = L.func
    return [fn.grad(lambda t: fn.grad(f)(t).sum())(x),
            fn.grad(lambda t: fn.grad(g)(t).sum())(x),
            fn.hessian(f)(x), fn.vmap(fn.hessian(g))(L.stack([x, -x])),
            fn.jvp(fn.grad(g), (x,), (L.ones(3),))[1],
            L.autograd.functional.hessian(f, x, create_graph=True)]


def test_nested_transforms_equal_torch(float64):
    _assert_same(_nested(ag), _nested(torch), "nested")


THIRD = {
    "relu": (lambda L, x: F(L).relu(x), _M),
    "leaky_relu": (lambda L, x: F(L).leaky_relu(x, 0.1), _M),
    "abs": (lambda L, x: x.abs(), _M), "hardtanh": (lambda L, x: F(L).hardtanh(x), _M),
    "softshrink": (lambda L, x: F(L).softshrink(x), _M),
    "threshold": (lambda L, x: F(L).threshold(x, 0.1, 2.0), _M),
    "rrelu": (lambda L, x: F(L).rrelu(x), _M),
    "norm_1": (lambda L, x: L.linalg.vector_norm(x, 1), _M),
    "max_pool2d": (lambda L, x: F(L).max_pool2d(x, 2), _X4),
    "avg_pool2d": (lambda L, x: F(L).avg_pool2d(x, 2), _X4),
    "adaptive_avg_pool2d": (lambda L, x: F(L).adaptive_avg_pool2d(x, 3), _X4),
    "adaptive_max_pool2d": (lambda L, x: F(L).adaptive_max_pool2d(x, 3), _X4),
    "nll_loss": (lambda L, x: F(L).nll_loss(x, L.tensor([0, 1, 3])), _M),
    "pad_reflect": (lambda L, x: F(L).pad(x, (1, 1, 1, 1), mode="reflect"), _X4),
    "pad_replicate": (lambda L, x: F(L).pad(x, (1, 1, 1, 1), mode="replicate"), _X4),
    "prelu": (lambda L, x: F(L).prelu(x, L.tensor([0.25])), _M),
}


def _third(L, fn, a):
    """Whether jvp(create_graph=True) and a Hessian-vector product by vjp of the gradient
    require grad: the derivative of a first gradient in its incoming gradient reads the input
    for elementwise kernels (threshold_backward), not for pooling, padding or nll_loss."""
    x = L.tensor(a)
    _, jv = L.autograd.functional.jvp(lambda t: fn(L, t), x, L.ones_like(x), create_graph=True)
    _, hv = L.autograd.functional.vjp(
        lambda t: L.autograd.grad(fn(L, t).sum(), t, create_graph=True)[0], x, L.ones_like(x),
        create_graph=True)
    return jv.requires_grad, hv.requires_grad


def test_derivatives_of_first_gradients_require_grad_as_pytorch_s(float64):
    found = {name: (_third(ag, fn, a), _third(torch, fn, a)) for name, (fn, a) in THIRD.items()}
    assert {k: v for k, v in found.items() if v[0] != v[1]} == {}
