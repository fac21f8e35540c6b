"""train suite: a full training step (forward, loss, backward, Adam) of MLPs.

Models (float32, synthetic data, the same batch every step):

* ``mlp 784-500-300-10``: ``nn.Sequential(Linear(784, 500), ReLU(), Linear(500, 300), ReLU(),
  Linear(300, 10))`` with ``nn.CrossEntropyLoss()``, at batch 32 and 128: matrix-heavy.
* ``tiny 2-16-16-1``: the same shape of network with ``nn.BCEWithLogitsLoss()`` (binary
  cross-entropy), batch 64: a few microseconds of arithmetic per op, so per-op overhead dominates.

Implementations: ``tapegrad`` (nn + optimizers.Adam), ``numpy`` (the same network written by
hand, ``bench.numpy_mlp``), ``torch`` (PyTorch eager + torch.optim.Adam, when importable) and,
with ``--compile``, ``tapegrad-compile`` (the tapegrad step captured by ``ag.compile``; its
first two calls trace, and ``first step`` reports the first one's time).
Each implementation runs in worker processes of its own (numpy's BLAS, Numba's and torch's
thread pools slow each other ~10x when they alternate in one process), ``rounds`` times,
alternating the order of implementations between rounds so that load from other processes
spreads over all of them. A worker times every model with warm-up excluded; the row's median
is the median of the workers' medians, min and max the extremes over all repeats.

Peak memory: the worker's peak resident set while training that model (Linux: the peak is
reset before each model is built) and its growth over the RSS before building it.
"""

from __future__ import annotations

import gc
import time

from bench import machine, timing
from bench.report import make_row, time_ratios

SUITE = "train"
IMPLS = ("tapegrad", "tapegrad-compile", "numpy", "torch")
MLP = [784, 500, 300, 10]
TINY = [2, 16, 16, 1]


def configs(cfg) -> list[dict]:
    """The models measured: ``{"case", "sizes", "batch", "loss"}``."""
    mlp = "mlp " + "-".join(map(str, MLP))
    tiny = "tiny " + "-".join(map(str, TINY))
    return [dict(case=tiny, sizes=TINY, batch=64, loss="bce"),
            dict(case=mlp, sizes=MLP, batch=32, loss="ce"),
            dict(case=mlp, sizes=MLP, batch=128, loss="ce")]


def make_data(sizes, batch, loss, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    if loss == "ce":
        y = rng.integers(0, sizes[-1], batch)
    else:
        y = (rng.random((batch, sizes[-1])) < 0.5).astype(np.float32)
    return x, y


# --------------------------------------------------------------------------------------------
# One step per implementation: build(model config) -> step() returning nothing


def tapegrad_parts(sizes, batch, loss, seed=0):
    """``(model, criterion, optimizer, x, y)`` of the tapegrad step."""
    import autograd_core as ag
    import nn
    import optimizers

    ag.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    model = nn.Sequential(*layers)
    crit = nn.CrossEntropyLoss() if loss == "ce" else nn.BCEWithLogitsLoss()
    opt = optimizers.Adam(model.parameters(), lr=1e-3)
    xn, yn = make_data(sizes, batch, loss, seed)
    return model, crit, opt, ag.tensor(xn), ag.tensor(yn)


def build_tapegrad(sizes, batch, loss, seed=0):
    model, crit, opt, x, y = tapegrad_parts(sizes, batch, loss, seed)

    def step():
        opt.zero_grad()
        out = crit(model(x), y)
        out.backward()
        opt.step()
        return out

    return step, lambda: float(step().item())


def build_tapegrad_compiled(sizes, batch, loss, seed=0):
    """The tapegrad step captured by ``ag.compile`` (the same model, data and optimizer)."""
    import autograd_core as ag

    step, _ = build_tapegrad(sizes, batch, loss, seed)
    compiled = ag.compile(step)
    return compiled, lambda: float(compiled()._data)


def build_numpy(sizes, batch, loss, seed=0):
    import numpy as np

    from bench.numpy_mlp import NumpyMLP

    model = NumpyMLP.random(sizes, np.random.default_rng(seed), loss=loss, lr=1e-3)
    x, y = make_data(sizes, batch, loss, seed)
    return (lambda: model.step(x, y)), (lambda: model.step(x, y))


def build_torch(sizes, batch, loss, seed=0):
    import torch

    torch.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [torch.nn.Linear(a, b)] + ([torch.nn.ReLU()] if i < len(sizes) - 2 else [])
    model = torch.nn.Sequential(*layers)
    crit = torch.nn.CrossEntropyLoss() if loss == "ce" else torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)  # torch's default: foreach on CPU
    xn, yn = make_data(sizes, batch, loss, seed)
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)

    def step():
        opt.zero_grad()
        out = crit(model(x), y)
        out.backward()
        opt.step()
        return out

    return step, lambda: float(step().item())


BUILDERS = {"tapegrad": build_tapegrad, "tapegrad-compile": build_tapegrad_compiled,
            "numpy": build_numpy, "torch": build_torch}


def worker(payload) -> dict:
    """In a worker process: time every model of ``payload["configs"]`` for one implementation."""
    impl, threads = payload["impl"], payload["threads"]
    if impl == "torch":
        machine.import_torch(threads)
    elif impl.startswith("tapegrad"):
        import numba  # noqa: F401  (imported first, so that its pool is pinned too)
    import numpy  # noqa: F401

    machine.pin_runtime(threads)
    # a throwaway step first, so that loading the library's lazy parts (Numba kernels, torch's
    # dispatch tables) does not count as the first model's memory
    warm, _ = BUILDERS[impl](TINY, 4, "bce")
    warm()
    del warm
    out = {}
    for c in payload["configs"]:
        gc.collect()
        rss0 = machine.rss_bytes()
        exact = machine.reset_peak_rss()
        step, loss_of_step = BUILDERS[impl](c["sizes"], c["batch"], c["loss"])
        t0 = time.perf_counter()
        first = loss_of_step()
        first_s = time.perf_counter() - t0
        if impl == "tapegrad-compile":
            # the second trace and the call that generates the replay, untimed: the timing's
            # one warm-up call would leave the generation to its calibration, which then
            # loops a few calls per repeat (noisy medians)
            for _ in range(2):
                step()
        st = timing.measure({impl: step}, **payload["timing"])[impl]
        last = loss_of_step()
        peak = machine.peak_rss_bytes()
        out[f"{c['case']}|{c['batch']}"] = {
            "stats": st.as_dict(), "loss_first": first, "loss_last": last,
            "first_step_s": first_s,
            "peak_rss_MB": peak / 2**20 if peak else None,
            "model_rss_MB": (peak - rss0) / 2**20 if exact and peak and rss0 else None}
        del step, loss_of_step
    return {"results": out, "threads": machine.threads_report()}


def _impls(cfg):
    impls = ["tapegrad"] + (["tapegrad-compile"] if getattr(cfg, "compile", False) else []) + [
        "numpy"]
    if cfg.use_torch and machine.torch_available():
        impls.append("torch")
    return impls


def worker_payloads(cfg):
    """``[(task, payload)]`` of the worker processes ``run(cfg, ...)`` will start (one per
    implementation and round; identical rounds share one prefetched process)."""
    return [("train", {"impl": impl, "configs": configs(cfg), "timing": cfg.timing})
            for impl in _impls(cfg)]


def run(cfg, context) -> dict:
    from bench import worker as workers

    cases = configs(cfg)
    impls = _impls(cfg)
    torch_note = ("PyTorch eager, in worker processes" if "torch" in impls else
                  "torch " + ("disabled (--no-torch)" if not cfg.use_torch else "not importable"))
    results = {impl: [] for impl in impls}
    rounds = max(1, cfg.rounds)
    thread_info = {}
    for r in range(rounds):
        order = impls[r % len(impls):] + impls[:r % len(impls)]
        for impl in order:
            cfg.progress(SUITE, f"round {r + 1}/{rounds}: {impl} worker "
                                f"({', '.join(c['case'] + ' b' + str(c['batch']) for c in cases)})")
            res = workers.run("train", {"impl": impl, "configs": cases, "timing": cfg.timing},
                              cfg.threads)
            results[impl].append(res["results"])
            thread_info[impl] = {k: v for k, v in res["threads"].items() if k != "env"}
    rows = []
    for c in cases:
        key = f"{c['case']}|{c['batch']}"
        times, metrics = {}, {}
        for impl in impls:
            parts = [run_[key] for run_ in results[impl]]
            times[impl] = timing.Stats.combine(timing.Stats.from_dict(p["stats"]) for p in parts)
            peaks = [p["peak_rss_MB"] for p in parts if p["peak_rss_MB"] is not None]
            growth = [p["model_rss_MB"] for p in parts if p["model_rss_MB"] is not None]
            metrics[f"{impl}_peak_rss_MB"] = max(peaks) if peaks else None
            metrics[f"{impl}_model_rss_MB"] = max(growth) if growth else None
            metrics[f"{impl}_loss_first"] = parts[0]["loss_first"]
            metrics[f"{impl}_loss_last"] = parts[-1]["loss_last"]
            metrics[f"{impl}_first_step_s"] = parts[0].get("first_step_s")
        n_params = sum(a * b + b for a, b in zip(c["sizes"][:-1], c["sizes"][1:]))
        rows.append(make_row(SUITE, c["case"], {"batch": c["batch"], "params": n_params,
                                                "loss": c["loss"]},
                             times, time_ratios(times, "tapegrad"), metrics))
    summary = {
        "tapegrad_model": "nn.Sequential(Linear, ReLU, ..., Linear) + nn.CrossEntropyLoss "
                          "(tiny: nn.BCEWithLogitsLoss) + optimizers.Adam(lr=1e-3), float32",
        "baselines": "numpy: bench/numpy_mlp.py (hand-written forward, backward and Adam); "
                     + torch_note,
        "rounds": f"{rounds} worker process(es) per implementation, order alternated",
        "threads": thread_info,
    }
    return {"rows": rows, "summary": summary}
