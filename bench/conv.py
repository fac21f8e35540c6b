"""conv suite: convolution and pooling, layer by layer and in two training steps, vs PyTorch.

Layers (float32, the shapes of the two models below): ``conv fwd`` (the forward, recorded for
backward), ``conv bwd-input`` and ``conv bwd-weight`` (a retained graph's backward to the input
alone, to the weight and bias alone), ``pool fwd``/``pool bwd`` (``max_pool2d(2)``).

Steps (float32, synthetic data, forward + cross-entropy + backward + optimizer step):

* ``lenet5 b64``: 1x28x28, Conv2d(1, 6, 5, padding=2), ReLU, MaxPool2d(2), Conv2d(6, 16, 5),
  ReLU, MaxPool2d(2), Linear(400, 120), ReLU, Linear(120, 84), ReLU, Linear(84, 10); SGD
  (lr 0.01, momentum 0.9).
* ``resnet8 b32``: 3x32x32, a 3x3 stem to 16 channels, three basic blocks (16, 32, 64 channels,
  the last two with stride 2 and a 1x1 projection shortcut), no normalisation, global average
  pooling, Linear(64, 10); Adam (lr 1e-3).

Each library runs in worker processes of its own (``bench.worker``), ``rounds`` times,
alternating which goes first; a row's time is the median of the workers' medians, and the
ratio is tapegrad / torch (below 1: tapegrad is faster).
"""

from __future__ import annotations


SUITE = "conv"
IMPLS = ("tapegrad", "torch")

#: (case, input shape, out_channels, kernel, stride, padding)
CONV_LAYERS = [
    ("lenet conv1 1->6 5x5", (64, 1, 28, 28), 6, 5, 1, 2),
    ("lenet conv2 6->16 5x5", (64, 6, 14, 14), 16, 5, 1, 0),
    ("resnet 16->16 3x3", (32, 16, 32, 32), 16, 3, 1, 1),
    ("resnet 32->64 3x3 s2", (32, 32, 16, 16), 64, 3, 2, 1),
]
POOL_LAYERS = [("lenet pool 6x28x28", (64, 6, 28, 28)), ("lenet pool 16x10x10", (64, 16, 10, 10))]
STEPS = ["lenet5 b64", "resnet8 b32"]


class _Lib:
    """The few calls the measurements need, for one library (``ag`` + ``nn`` or torch)."""

    def __init__(self, impl):
        self.impl = impl
        if impl == "torch":
            import torch

            self.t, self.nn, self.F, self.optim = torch, torch.nn, torch.nn.functional, torch.optim
            self.grad = torch.autograd.grad
        else:
            import autograd_core as ag
            import nn
            import nn.functional as F
            import optimizers

            self.t, self.nn, self.F, self.optim, self.grad = ag, nn, F, optimizers, ag.grad

    def tensor(self, a, requires_grad=False):
        out = self.t.from_numpy(a.copy())
        return out.requires_grad_() if requires_grad else out


def _rand(shape, seed):
    import numpy as np

    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _layer_fns(lib, quick):
    """``{(case, what): fn}`` for every layer measurement."""
    F, fns = lib.F, {}
    layers = CONV_LAYERS[:2] if quick else CONV_LAYERS
    for case, shape, out_c, k, s, p in layers:
        xa, wa, ba = _rand(shape, 1), _rand((out_c, shape[1], k, k), 2), _rand((out_c,), 3)
        x, w, b = lib.tensor(xa), lib.tensor(wa, True), lib.tensor(ba, True)
        fns[(case, "conv fwd")] = (lambda x=x, w=w, b=b, s=s, p=p: F.conv2d(x, w, b, s, p))
        xg = lib.tensor(xa, True)
        y_in = F.conv2d(xg, lib.tensor(wa), lib.tensor(ba), s, p)
        g = lib.tensor(_rand(tuple(y_in.shape), 4))
        fns[(case, "conv bwd-input")] = (
            lambda y=y_in, xg=xg, g=g: lib.grad(y, [xg], [g], retain_graph=True))
        y_w = F.conv2d(x, w, b, s, p)
        fns[(case, "conv bwd-weight")] = (
            lambda y=y_w, w=w, b=b, g=g: lib.grad(y, [w, b], [g], retain_graph=True))
    for case, shape in (POOL_LAYERS[:1] if quick else POOL_LAYERS):
        xg = lib.tensor(_rand(shape, 5), True)
        fns[(case, "pool fwd")] = (lambda xg=xg: F.max_pool2d(xg, 2))
        y = F.max_pool2d(xg, 2)
        g = lib.tensor(_rand(tuple(y.shape), 6))
        fns[(case, "pool bwd")] = (lambda y=y, xg=xg, g=g: lib.grad(y, [xg], [g],
                                                                    retain_graph=True))
    return fns


def _lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _resnet8(lib):
    nn, F = lib.nn, lib.F

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
            self.short = nn.Conv2d(cin, cout, 1, stride) if stride != 1 or cin != cout else None

        def forward(self, x):
            y = self.conv2(F.relu(self.conv1(x)))
            return F.relu(y + (x if self.short is None else self.short(x)))

    return nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.ReLU(), Block(16, 16, 1),
                         Block(16, 32, 2), Block(32, 64, 2), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(64, 10))


def _step(lib, case, quick):
    import numpy as np

    lib.t.manual_seed(0)
    if case.startswith("lenet5"):
        model, shape = _lenet(lib), (64, 1, 28, 28)
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        model, shape = _resnet8(lib), (32, 3, 32, 32)
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    if quick:
        shape = (4,) + shape[1:]
    x = lib.tensor(_rand(shape, 7))
    y = lib.t.from_numpy(np.random.default_rng(8).integers(0, 10, shape[0]))
    crit = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def worker(payload) -> dict:
    """In a worker process: time every layer and step for one library."""
    from bench import worker as workers

    workers.pin_library(payload)
    lib = _Lib(payload["impl"])
    fns = {f"{case}|{what}": fn for (case, what), fn in _layer_fns(lib, payload["quick"]).items()}
    for case in STEPS:
        fns[f"{case}|step"] = _step(lib, case, payload["quick"])
    return workers.measure_each(fns, payload)


def worker_payloads(cfg):
    from bench import worker as workers

    return workers.library_payloads(cfg, SUITE)


def run(cfg, context) -> dict:
    from bench import worker as workers

    summary = {
        "layers": "float32; conv fwd records the graph; bwd-input / bwd-weight: the backward "
                  "of a retained graph to that input alone; pool: max_pool2d(2)",
        "steps": "lenet5 (SGD momentum) batch 64 and resnet8 (no normalisation, Adam) batch 32"
                 + (" (--quick: batch 4)" if cfg.quick else ""),
    }
    return workers.library_result(cfg, SUITE, summary)
