"""Every differentiable op, with what tests and the benchmark need to exercise it: how many
tensor inputs, which input domain (so finite differences stay away from kinks and poles), and
whether inputs broadcast against each other. Tests run gradcheck and gradgradcheck over this
table; a test checks that every op named in the public contract is in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import autograd_core as ag


@dataclass(frozen=True)
class OpInfo:
    name: str
    fn: Callable
    n_inputs: int = 1
    #: "real", "positive" (> 0.1), "away_from_zero" (|x| > 0.1), "unit" (0.1 < x < 0.9)
    domain: str = "real"
    broadcasts: bool = False  # binary ops: inputs may have broadcastable, different shapes
    min_ndim: int = 0
    #: smooth enough for gradgradcheck (second derivative exists where we sample)
    twice: bool = True
    aliases: tuple = field(default=())


def _dim_last(x):
    return -1 if x.ndim else 0


def _matmul_pair(a, b):
    return a @ b


OPS = [
    OpInfo("add", lambda a, b: a + b, 2, broadcasts=True, aliases=("+",)),
    OpInfo("sub", lambda a, b: a - b, 2, broadcasts=True, aliases=("-",)),
    OpInfo("mul", lambda a, b: a * b, 2, broadcasts=True, aliases=("*",)),
    OpInfo("div", lambda a, b: a / b, 2, domain="away_from_zero", broadcasts=True,
           aliases=("/",)),
    OpInfo("pow", lambda a, b: a ** b, 2, domain="positive", broadcasts=True, aliases=("**",)),
    OpInfo("pow_scalar", lambda a: a ** 3.0, 1),
    OpInfo("neg", lambda a: -a, 1, aliases=("unary -",)),
    OpInfo("exp", lambda a: a.exp()),
    OpInfo("log", lambda a: a.log(), domain="positive"),
    OpInfo("log1p", lambda a: a.log1p(), domain="positive"),
    OpInfo("sqrt", lambda a: a.sqrt(), domain="positive"),
    OpInfo("abs", lambda a: a.abs(), domain="away_from_zero"),
    OpInfo("sin", lambda a: a.sin()),
    OpInfo("cos", lambda a: a.cos()),
    OpInfo("tanh", lambda a: a.tanh()),
    OpInfo("sigmoid", lambda a: a.sigmoid()),
    OpInfo("relu", lambda a: a.relu(), domain="away_from_zero", twice=True),
    OpInfo("leaky_relu", lambda a: ag.leaky_relu(a, 0.1), domain="away_from_zero"),
    OpInfo("gelu", lambda a: ag.gelu(a)),
    OpInfo("gelu_tanh", lambda a: ag.gelu(a, approximate="tanh")),
    OpInfo("softplus", lambda a: ag.softplus(a, beta=2.0, threshold=3.0)),
    OpInfo("clamp", lambda a: a.clamp(-0.5, 0.5), domain="away_from_clamp"),
    OpInfo("maximum", lambda a, b: ag.maximum(a, b), 2, broadcasts=True, domain="distinct"),
    OpInfo("minimum", lambda a, b: ag.minimum(a, b), 2, broadcasts=True, domain="distinct"),
    OpInfo("where", lambda a, b: ag.where(a.data > 0, a, b), 2, broadcasts=True),
    OpInfo("sum", lambda a: a.sum()),
    OpInfo("sum_dim", lambda a: a.sum(dim=_dim_last(a), keepdim=True)),
    OpInfo("mean", lambda a: a.mean()),
    OpInfo("mean_dims", lambda a: a.mean(dim=tuple(range(a.ndim))[:2])),
    OpInfo("var", lambda a: a.var(dim=_dim_last(a)), min_ndim=1, domain="min2"),
    OpInfo("std", lambda a: a.std(), min_ndim=1, domain="min2"),
    OpInfo("max", lambda a: a.max(), domain="distinct"),
    OpInfo("max_dim", lambda a: a.max(dim=-1).values, min_ndim=1, domain="distinct"),
    OpInfo("min", lambda a: a.min(), domain="distinct"),
    OpInfo("min_dim", lambda a: a.min(dim=0, keepdim=True).values, min_ndim=1,
           domain="distinct"),
    OpInfo("logsumexp", lambda a: a.logsumexp(dim=_dim_last(a)), min_ndim=1),
    OpInfo("softmax", lambda a: a.softmax(dim=-1), min_ndim=1),
    OpInfo("log_softmax", lambda a: a.log_softmax(dim=0), min_ndim=1),
    OpInfo("reshape", lambda a: a.reshape(-1)),
    OpInfo("view", lambda a: a.view(a.numel(), 1)),
    OpInfo("flatten", lambda a: a.flatten()),
    OpInfo("transpose", lambda a: a.transpose(0, -1), min_ndim=1),
    OpInfo("permute", lambda a: a.permute(*reversed(range(a.ndim)))),
    OpInfo("T", lambda a: a.T),
    OpInfo("unsqueeze", lambda a: a.unsqueeze(0)),
    OpInfo("squeeze", lambda a: a.squeeze()),
    OpInfo("expand", lambda a: a.expand(2, *a.shape)),
    OpInfo("cat", lambda a, b: ag.cat([a, b * 2.0], dim=0), 2, min_ndim=1),
    OpInfo("stack", lambda a, b: ag.stack([a, b], dim=0), 2),
    OpInfo("getitem_slice", lambda a: a[..., ::2], min_ndim=1),
    OpInfo("getitem_int_array", lambda a: a[[0, 0, -1]], min_ndim=1),
    OpInfo("getitem_mask", lambda a: a[a.data > 0]),
    OpInfo("matmul", _matmul_pair, 2, min_ndim=1, aliases=("@",)),
    OpInfo("clone", lambda a: a.clone()),
    OpInfo("repeat", lambda a: a.repeat(*([2] * max(a.ndim, 1)))),
]

BY_NAME = {op.name: op for op in OPS}
