"""Cases comparing nn layers and losses with PyTorch, written once for both libraries.

Each case is ``fn(B, rng, dtype) -> (output, inputs, extras)``: ``B`` is a backend adapter
(``TorchBackend`` or ``OursBackend``) whose ``nn``/``F``/``tensor`` mirror each other, ``rng`` a
numpy Generator seeded from the case name, so both libraries see identical inputs. The runner
backpropagates a fixed random ``grad_output`` and collects the output, the gradient of every
input and the ``extras`` (e.g. BatchNorm running statistics) as numpy arrays.
"""

from __future__ import annotations

import zlib

import numpy as np

DTYPES = ("float64", "float32")


class OursBackend:
    name = "ours"

    def __init__(self):
        import autograd_core as ag
        import nn
        import nn.functional as F

        self.ag, self.nn, self.F = ag, nn, F

    def tensor(self, a, requires_grad=False):
        return self.ag.tensor(np.asarray(a), requires_grad=requires_grad)

    def dtype(self, name):
        return np.dtype(name)

    def numpy(self, t):
        return np.array(t._data if hasattr(t, "_data") else t, copy=True)

    def grad(self, out, inputs, g):
        return self.ag.grad([out], inputs, grad_outputs=[self.ag.tensor(g)], allow_unused=True)

    def clip_grad_norm_(self, *a, **k):
        return self.nn.utils.clip_grad_norm_(*a, **k)


class TorchBackend:
    name = "torch"

    def __init__(self):
        import torch
        import torch.nn.functional as F

        self.torch, self.nn, self.F = torch, torch.nn, F

    def tensor(self, a, requires_grad=False):
        return self.torch.tensor(np.asarray(a), requires_grad=requires_grad)

    def dtype(self, name):
        return getattr(self.torch, name)

    def numpy(self, t):
        return t.detach().numpy().copy()

    def grad(self, out, inputs, g):
        return self.torch.autograd.grad([out], inputs, grad_outputs=[self.torch.tensor(g)],
                                        allow_unused=True)

    def clip_grad_norm_(self, *a, **k):
        return self.torch.nn.utils.clip_grad_norm_(*a, **k)


def _x(B, rng, shape, dtype, scale=1.0, rg=True):
    return B.tensor((rng.standard_normal(shape) * scale).astype(dtype), requires_grad=rg)


def _load(B, module, arrays):
    module.load_state_dict({k: B.tensor(v) for k, v in arrays.items()})
    return module


CASES = {}


def case(name):
    def deco(fn):
        CASES[name] = fn
        return fn
    return deco


# ---- linear -------------------------------------------------------------------------------
@case("linear")
def _(B, rng, dt):
    m = B.nn.Linear(4, 3, dtype=B.dtype(dt))
    _load(B, m, {"weight": rng.standard_normal((3, 4)).astype(dt),
                 "bias": rng.standard_normal(3).astype(dt)})
    x = _x(B, rng, (5, 4), dt)
    return m(x), {"x": x, "weight": m.weight, "bias": m.bias}, {}


@case("linear_3d_nobias")
def _(B, rng, dt):
    w = _x(B, rng, (3, 4), dt)
    x = _x(B, rng, (2, 5, 4), dt)
    return B.F.linear(x, w), {"x": x, "w": w}, {}


# ---- activations --------------------------------------------------------------------------
def _act_case(name, make):
    @case(name)
    def _(B, rng, dt):
        x = _x(B, rng, (6, 5), dt, scale=3.0)
        return make(B)(x), {"x": x}, {}


_act_case("relu", lambda B: B.nn.ReLU())
_act_case("leaky_relu", lambda B: B.nn.LeakyReLU(0.2))
_act_case("sigmoid", lambda B: B.nn.Sigmoid())
_act_case("tanh", lambda B: B.nn.Tanh())
_act_case("gelu", lambda B: B.nn.GELU())
_act_case("gelu_tanh", lambda B: B.nn.GELU(approximate="tanh"))
_act_case("softplus", lambda B: B.nn.Softplus(beta=2.0, threshold=5.0))
_act_case("softmax", lambda B: B.nn.Softmax(dim=1))
_act_case("log_softmax", lambda B: B.nn.LogSoftmax(dim=0))
_act_case("flatten", lambda B: B.nn.Flatten(0))


# ---- normalisation ------------------------------------------------------------------------
def _bn_case(name, shape, steps=3, **kw):
    @case(name)
    def _(B, rng, dt):
        m = B.nn.BatchNorm1d(shape[1], dtype=B.dtype(dt), **kw)
        if m.weight is not None:
            _load(B, m, {k: v for k, v in {
                "weight": rng.standard_normal(shape[1]).astype(dt) + 1.0,
                "bias": rng.standard_normal(shape[1]).astype(dt),
            }.items()} | ({k: B.numpy(v) for k, v in m.state_dict().items()
                            if "running" in k or "num_batches" in k}))
        for _ in range(steps - 1):  # earlier steps move the running statistics
            m(_x(B, rng, shape, dt, rg=False) * 2.0 + 0.5)
        x = _x(B, rng, shape, dt, scale=2.0)
        out = m(x)
        inputs = {"x": x}
        if m.weight is not None:
            inputs.update(weight=m.weight, bias=m.bias)
        extras = {}
        if m.running_mean is not None:
            extras = {"running_mean": m.running_mean, "running_var": m.running_var,
                      "num_batches_tracked": m.num_batches_tracked}
        return out, inputs, extras


_bn_case("batchnorm_2d", (8, 3))
_bn_case("batchnorm_3d", (4, 3, 5))
_bn_case("batchnorm_cumulative", (6, 2), steps=4, momentum=None)
_bn_case("batchnorm_noaffine", (5, 4), affine=False)
_bn_case("batchnorm_nostats", (5, 4), track_running_stats=False)


@case("batchnorm_eval")
def _(B, rng, dt):
    m = B.nn.BatchNorm1d(3, dtype=B.dtype(dt))
    for _ in range(3):
        m(_x(B, rng, (7, 3), dt, rg=False) * 3.0 - 1.0)
    m.eval()
    x = _x(B, rng, (4, 3), dt)
    return m(x), {"x": x, "weight": m.weight, "bias": m.bias}, {}


@case("layernorm")
def _(B, rng, dt):
    m = B.nn.LayerNorm(5, dtype=B.dtype(dt))
    _load(B, m, {"weight": rng.standard_normal(5).astype(dt),
                 "bias": rng.standard_normal(5).astype(dt)})
    x = _x(B, rng, (3, 4, 5), dt, scale=2.0)
    return m(x), {"x": x, "weight": m.weight, "bias": m.bias}, {}


@case("layernorm_2dims_noaffine")
def _(B, rng, dt):
    m = B.nn.LayerNorm((3, 4), elementwise_affine=False, dtype=B.dtype(dt))
    x = _x(B, rng, (2, 3, 4), dt)
    return m(x), {"x": x}, {}


@case("groupnorm")
def _(B, rng, dt):
    m = B.nn.GroupNorm(2, 6, dtype=B.dtype(dt))
    _load(B, m, {"weight": rng.standard_normal(6).astype(dt),
                 "bias": rng.standard_normal(6).astype(dt)})
    x = _x(B, rng, (3, 6, 4), dt)
    return m(x), {"x": x, "weight": m.weight, "bias": m.bias}, {}


@case("groupnorm_2d")
def _(B, rng, dt):
    m = B.nn.GroupNorm(3, 12, dtype=B.dtype(dt))
    x = _x(B, rng, (4, 12), dt)
    return m(x), {"x": x, "weight": m.weight, "bias": m.bias}, {}


# ---- losses -------------------------------------------------------------------------------
def _two(B, rng, dt, shape, rg_target=True):
    return _x(B, rng, shape, dt), _x(B, rng, shape, dt, rg=rg_target)


for _red in ("mean", "sum", "none"):
    def _mk(red):
        @case(f"mse_{red}")
        def _(B, rng, dt):
            x, y = _two(B, rng, dt, (4, 3))
            return B.nn.MSELoss(reduction=red)(x, y), {"x": x, "y": y}, {}

        @case(f"l1_{red}")
        def _(B, rng, dt):
            x, y = _two(B, rng, dt, (4, 3))
            return B.nn.L1Loss(reduction=red)(x, y), {"x": x, "y": y}, {}

        @case(f"ce_{red}")
        def _(B, rng, dt):
            x = _x(B, rng, (6, 4), dt, scale=2.0)
            t = B.tensor(rng.integers(0, 4, 6))
            return B.nn.CrossEntropyLoss(reduction=red)(x, t), {"x": x}, {}

        @case(f"ce_all_options_{red}")
        def _(B, rng, dt):
            x = _x(B, rng, (7, 5), dt, scale=2.0)
            t = rng.integers(0, 5, 7)
            t[[1, 4]] = 3  # ignored below
            w = B.tensor(rng.uniform(0.5, 2.0, 5).astype(dt))
            loss = B.nn.CrossEntropyLoss(weight=w, ignore_index=3, label_smoothing=0.2,
                                         reduction=red)
            return loss(x, B.tensor(t)), {"x": x}, {}

        @case(f"ce_probs_{red}")
        def _(B, rng, dt):
            x = _x(B, rng, (5, 4), dt)
            p = rng.uniform(0, 1, (5, 4))
            q = B.tensor((p / p.sum(1, keepdims=True)).astype(dt), requires_grad=True)
            w = B.tensor(rng.uniform(0.5, 2.0, 4).astype(dt))
            loss = B.nn.CrossEntropyLoss(weight=w, label_smoothing=0.1, reduction=red)
            return loss(x, q), {"x": x, "q": q}, {}

        @case(f"nll_{red}")
        def _(B, rng, dt):
            x = _x(B, rng, (6, 4), dt)
            t = rng.integers(0, 4, 6)
            t[2] = -100
            w = B.tensor(rng.uniform(0.5, 2.0, 4).astype(dt))
            return B.nn.NLLLoss(weight=w, reduction=red)(x, B.tensor(t)), {"x": x}, {}

        @case(f"bce_{red}")
        def _(B, rng, dt):
            p = rng.uniform(0.02, 0.98, (5, 3)).astype(dt)
            x = B.tensor(p, requires_grad=True)
            y = B.tensor(rng.uniform(0, 1, (5, 3)).astype(dt), requires_grad=True)
            w = B.tensor(rng.uniform(0.5, 2.0, (5, 3)).astype(dt))
            return B.nn.BCELoss(weight=w, reduction=red)(x, y), {"x": x, "y": y}, {}

        @case(f"bce_logits_{red}")
        def _(B, rng, dt):
            x = _x(B, rng, (5, 3), dt, scale=4.0)
            y = B.tensor(rng.uniform(0, 1, (5, 3)).astype(dt), requires_grad=True)
            pw = B.tensor(rng.uniform(0.5, 3.0, 3).astype(dt))
            w = B.tensor(rng.uniform(0.5, 2.0, (5, 3)).astype(dt))
            loss = B.nn.BCEWithLogitsLoss(weight=w, pos_weight=pw, reduction=red)
            return loss(x, y), {"x": x, "y": y}, {}

    _mk(_red)


@case("ce_smoothing_only")
def _(B, rng, dt):
    x = _x(B, rng, (6, 5), dt, scale=3.0)
    t = B.tensor(rng.integers(0, 5, 6))
    return B.F.cross_entropy(x, t, label_smoothing=0.3), {"x": x}, {}


@case("ce_weight_only")
def _(B, rng, dt):
    x = _x(B, rng, (6, 5), dt, scale=3.0)
    t = B.tensor(rng.integers(0, 5, 6))
    w = B.tensor(rng.uniform(0.1, 3.0, 5).astype(dt))
    return B.F.cross_entropy(x, t, weight=w), {"x": x}, {}


@case("ce_ignore_smoothing_noweight")
def _(B, rng, dt):
    x = _x(B, rng, (6, 5), dt, scale=3.0)
    t = rng.integers(0, 5, 6)
    t[0] = -100
    return B.F.cross_entropy(x, B.tensor(t), label_smoothing=0.25), {"x": x}, {}


@case("ce_spatial")
def _(B, rng, dt):
    x = _x(B, rng, (3, 4, 5), dt)
    t = B.tensor(rng.integers(0, 4, (3, 5)))
    return B.F.cross_entropy(x, t, reduction="none"), {"x": x}, {}


@case("ce_unbatched")
def _(B, rng, dt):
    x = _x(B, rng, (5,), dt)
    return B.F.cross_entropy(x, B.tensor(np.array(2))), {"x": x}, {}


@case("ce_large_logits")
def _(B, rng, dt):
    x = _x(B, rng, (4, 3), dt, scale=300.0)
    t = B.tensor(rng.integers(0, 3, 4))
    return B.F.cross_entropy(x, t), {"x": x}, {}


@case("bce_extremes")
def _(B, rng, dt):
    x = B.tensor(np.array([0.0, 1.0, 0.5, 1e-30], dtype=dt), requires_grad=True)
    y = B.tensor(np.array([1.0, 0.0, 0.3, 1.0], dtype=dt))
    return B.F.binary_cross_entropy(x, y, reduction="none"), {"x": x}, {}


@case("bce_logits_plain_extreme")
def _(B, rng, dt):
    x = B.tensor(np.array([-200.0, -30.0, 0.0, 30.0, 200.0], dtype=dt), requires_grad=True)
    y = B.tensor(np.array([1.0, 0.0, 0.5, 1.0, 0.0], dtype=dt))
    return B.F.binary_cross_entropy_with_logits(x, y, reduction="none"), {"x": x}, {}


@case("mlp_sequential")
def _(B, rng, dt):
    m = B.nn.Sequential(B.nn.Linear(4, 6, dtype=B.dtype(dt)), B.nn.Tanh(),
                        B.nn.Linear(6, 6, dtype=B.dtype(dt)), B.nn.ReLU(),
                        B.nn.Linear(6, 3, dtype=B.dtype(dt)))
    _load(B, m, {k: (rng.standard_normal(tuple(v.shape)) * 0.7).astype(dt)
                 for k, v in m.state_dict().items()})
    x = _x(B, rng, (8, 4), dt)
    t = B.tensor(rng.integers(0, 3, 8))
    loss = B.F.cross_entropy(m(x), t)
    return loss, {"x": x, **dict(m.named_parameters())}, {}


def seed_of(name, dt):
    return zlib.crc32(f"{name}/{dt}".encode())


def run_case(B, name, dt):
    """{key: array} of one case in one backend."""
    rng = np.random.default_rng(seed_of(name, dt))
    out, inputs, extras = CASES[name](B, rng, dt)
    result = {"out": B.numpy(out)}
    names = list(inputs)
    g = np.random.default_rng(seed_of(name, dt) + 1).standard_normal(
        tuple(out.shape)).astype(dt)
    grads = B.grad(out, [inputs[k] for k in names], g)
    for k, gr in zip(names, grads):
        if gr is not None:
            result[f"grad_{k}"] = B.numpy(gr)
    for k, v in extras.items():
        result[f"extra_{k}"] = B.numpy(v)
    return result


def run_all(B):
    """{"case/dtype/key": array} over every case and dtype."""
    out = {}
    for name in CASES:
        for dt in DTYPES:
            for k, v in run_case(B, name, dt).items():
                out[f"{name}/{dt}/{k}"] = v
    return out
