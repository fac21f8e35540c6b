"""overhead suite: what the tape costs per op when the arithmetic costs nothing.

* per op: a chain of ``chain_links`` links ``z = z * c + d`` (two recorded ops each) on tiny
  float32 tensors (1 and 1,000 elements; ``x``, ``c`` and ``d`` require grad), then
  ``z.sum().backward()``. Forward (recording) and backward are timed separately, in the same
  repeat, and divided by the number of ops. Implementations: ``tapegrad``; ``numpy_tape``, the
  smallest tape one can write over numpy (a list of closures, below), a reference for what
  a tape in Python costs at least; ``torch`` (eager autograd, in a worker process of its own).
* long chain: ``long_chain_ops`` ops (``z * c`` and ``z + d`` alternating) on a 1-element
  tensor, then backward: the engine's topological sort and accumulation at depth (a recursive
  sort dies past ~1000 nodes). The row's times are the backward pass; forward is a metric.
* with ``--compile``, ``tapegrad-compile``: the per-op chain as a step captured by
  ``ag.compile``, whose fused kernels run the chain and its backward.
* import: ``import autograd_core`` in a fresh process (and numpy alone before it), and the
  first kernel calls there (relu and sigmoid, forward and backward: Numba import plus loading
  the cached machine code, or compiling it when the cache is cold).
"""

from __future__ import annotations

import json
import subprocess
import sys

from bench import machine, timing
from bench.report import make_row, time_ratios

SUITE = "overhead"
SIZES = (1, 1000)


# --------------------------------------------------------------------------------------------
# The smallest useful tape: a list of (output, backward closure); backward walks it in reverse.


class TapeVar:
    __slots__ = ("_data", "grad")

    def __init__(self, data):
        self._data = data
        self.grad = None

    def _acc(self, g):
        self.grad = g if self.grad is None else self.grad + g


class NumpyTape:
    def __init__(self):
        self.tape = []

    def mul(self, a, b):
        out = TapeVar(a._data * b._data)

        def back(g):
            a._acc(g * b._data)
            b._acc(g * a._data)

        self.tape.append((out, back))
        return out

    def add(self, a, b):
        out = TapeVar(a._data + b._data)

        def back(g):
            a._acc(g)
            b._acc(g)

        self.tape.append((out, back))
        return out

    def sum(self, a):
        import numpy as np

        out = TapeVar(a._data.sum())

        def back(g):
            a._acc(np.broadcast_to(g, a._data.shape))

        self.tape.append((out, back))
        return out

    def backward(self, out):
        import numpy as np

        out.grad = np.ones_like(out._data)
        for var, back in reversed(self.tape):
            if var.grad is not None:
                back(var.grad)
                var.grad = None if var is not out else var.grad


# --------------------------------------------------------------------------------------------
# Chains per implementation: chain(size, links) -> (prepare, run) for timing.measure_pairs


def _chain_tapegrad(size, links, long=False):
    import numpy as np

    import autograd_core as ag

    x = ag.tensor(np.full(size, 0.5, np.float32), requires_grad=True)
    c = ag.tensor(np.full(size, 1.0, np.float32), requires_grad=True)
    d = ag.tensor(np.full(size, 1e-3, np.float32), requires_grad=True)

    def forward():
        z = x
        for _ in range(links):
            z = z * c
            z = z + d
        return z.sum()

    def backward(loss):
        loss.backward()
        x.grad = c.grad = d.grad = None

    return forward, backward


def _chain_numpy_tape(size, links, long=False):
    import numpy as np

    def forward():
        t = NumpyTape()
        x = TapeVar(np.full(size, 0.5, np.float32))
        c = TapeVar(np.full(size, 1.0, np.float32))
        d = TapeVar(np.full(size, 1e-3, np.float32))
        z = x
        for _ in range(links):
            z = t.mul(z, c)
            z = t.add(z, d)
        return t, t.sum(z)

    def backward(state):
        t, loss = state
        t.backward(loss)

    return forward, backward


def _chain_torch(size, links, long=False):
    import torch

    x = torch.full((size,), 0.5, requires_grad=True)
    c = torch.full((size,), 1.0, requires_grad=True)
    d = torch.full((size,), 1e-3, requires_grad=True)

    def forward():
        z = x
        for _ in range(links):
            z = z * c
            z = z + d
        return z.sum()

    def backward(loss):
        loss.backward()
        x.grad = c.grad = d.grad = None

    return forward, backward


def _chain_tapegrad_compiled(size, links, long=False):
    """The same chain, forward and backward as one step captured by ``ag.compile`` (its
    elementwise runs become two generated kernels); timed as the forward, traced and
    compiled before timing."""
    import numpy as np

    import autograd_core as ag

    x = ag.tensor(np.full(size, 0.5, np.float32), requires_grad=True)
    c = ag.tensor(np.full(size, 1.0, np.float32), requires_grad=True)
    d = ag.tensor(np.full(size, 1e-3, np.float32), requires_grad=True)

    @ag.compile(strict=True)
    def step():
        z = x
        for _ in range(links):
            z = z * c
            z = z + d
        loss = z.sum()
        loss.backward()
        return loss

    def backward(loss):
        x.grad = c.grad = d.grad = None

    for _ in range(3):  # two traces, then the first replay compiles its kernels
        backward(step())
    return step, backward


CHAINS = {"tapegrad": _chain_tapegrad, "numpy_tape": _chain_numpy_tape, "torch": _chain_torch,
          "tapegrad-compile": _chain_tapegrad_compiled}


def _measure(impls, sizes, links, long_ops, repeats, long_repeats, gc_generation=2):
    """``{case_key: {impl: {"prepare"|"run"|"total": Stats}}}`` for the chains of ``impls``,
    interleaved with each other."""
    out = {}
    for size in sizes:
        cases = {impl: CHAINS[impl](size, links) for impl in impls}
        out[f"per_op|{size}"] = timing.measure_pairs(cases, repeats=repeats,
                                                     gc_generation=gc_generation)
    cases = {impl: CHAINS[impl](1, long_ops // 2, long=True) for impl in impls
             if impl != "tapegrad-compile"}  # a 10,000-op kernel: not what it is for
    out["long_chain|1"] = timing.measure_pairs(cases, repeats=long_repeats,
                                               gc_generation=gc_generation)
    return out


def worker(payload) -> dict:
    """In a worker process: the chains of ``payload["impls"]`` (torch)."""
    if "torch" in payload["impls"]:
        machine.import_torch(payload["threads"])
    machine.pin_runtime(payload["threads"])
    res = _measure(payload["impls"], payload["sizes"], payload["links"], payload["long_ops"],
                   payload["repeats"], payload["long_repeats"],
                   payload.get("gc_generation", 2))
    return {k: {i: {p: st.as_dict() for p, st in v.items()} for i, v in per.items()}
            for k, per in res.items()}


# --------------------------------------------------------------------------------------------
# Import time and first calls, in fresh processes

_IMPORT_PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import autograd_core as ag
t2 = time.perf_counter()
numba_at_import = "numba" in sys.modules
x = ag.tensor(np.linspace(-1, 1, 1000, dtype=np.float32), requires_grad=True)
x.relu().sigmoid().sum().backward()
t3 = time.perf_counter()
print(json.dumps({"numpy": t1 - t0, "autograd_core": t2 - t1, "first_calls": t3 - t2,
                  "numba_imported": numba_at_import}))
"""


def import_times(cfg, count):
    samples = []
    for i in range(count):
        cfg.progress(SUITE, f"import autograd_core in a fresh process ({i + 1}/{count})")
        proc = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], check=False, capture_output=True,
                              text=True, env=machine.worker_env(cfg.threads),
                              cwd=str(machine.REPO_ROOT), timeout=600)
        if proc.returncode:
            raise RuntimeError(f"import probe failed:\n{proc.stderr[-2000:]}")
        samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return samples


# --------------------------------------------------------------------------------------------


def _torch_payload(cfg):
    sizes = SIZES[:1] if cfg.quick else SIZES
    return {"impls": ["torch"], "sizes": list(sizes), "links": cfg.chain_links,
            "long_ops": cfg.long_chain_ops, "repeats": cfg.repeats,
            "long_repeats": max(1, min(3, cfg.repeats)), "gc_generation": cfg.gc_generation}


def worker_payloads(cfg):
    """``[(task, payload)]`` of the worker processes ``run(cfg, ...)`` will start."""
    if not (cfg.use_torch and machine.torch_available()):
        return []
    return [("overhead", _torch_payload(cfg))]


def run(cfg, context) -> dict:
    from bench import worker as workers

    sizes = SIZES[:1] if cfg.quick else SIZES
    links, long_ops = cfg.chain_links, cfg.long_chain_ops
    repeats, long_repeats = cfg.repeats, max(1, min(3, cfg.repeats))
    impls = ["tapegrad", "numpy_tape"] + (["tapegrad-compile"] if cfg.compile else [])
    cfg.progress(SUITE, f"{', '.join(impls)} chains ({links} links, {long_ops:,}-op chain)")
    local = _measure(impls, sizes, links, long_ops, repeats, long_repeats, cfg.gc_generation)
    torch_note = "torch " + ("disabled (--no-torch)" if not cfg.use_torch else "not importable")
    if cfg.use_torch and machine.torch_available():
        cfg.progress(SUITE, "torch chains in a worker process")
        res = workers.run("overhead", _torch_payload(cfg), cfg.threads)
        for k, per in res.items():
            for impl, parts in per.items():
                local[k][impl] = {p: timing.Stats.from_dict(st) for p, st in parts.items()}
        torch_note = "torch eager autograd, in a worker process"

    rows = []
    for key, per in local.items():
        kind, size = key.split("|")
        size = int(size)
        if kind == "per_op":
            ops = 2 * links + 1
            times = {impl: parts["total"].scaled(ops) for impl, parts in per.items()}
            metrics = {}
            for impl, parts in per.items():
                metrics[f"{impl}_forward"] = parts["prepare"].median / ops
                metrics[f"{impl}_backward"] = parts["run"].median / ops
            case = f"z = z*c + d, {size:,} element{'s' if size > 1 else ''}"
            params = {"kind": kind, "size": size, "links": links, "ops": ops}
        else:
            ops = 2 * (long_ops // 2) + 1
            times = {impl: parts["run"] for impl, parts in per.items()}
            metrics = {f"{impl}_forward": parts["prepare"].median for impl, parts in per.items()}
            case = f"backward of a {ops:,}-op chain"
            params = {"kind": kind, "size": size, "ops": ops}
        rows.append(make_row(SUITE, case, params, times, time_ratios(times, "tapegrad"),
                             metrics))

    probes = import_times(cfg, max(1, min(3, cfg.rounds)))
    imp = timing.Stats.from_samples([p["autograd_core"] for p in probes])
    first = sorted(p["first_calls"] for p in probes)
    rows.append(make_row(SUITE, "import autograd_core", {"kind": "import"}, {"import": imp},
                         metrics={"numpy_import_s": min(p["numpy"] for p in probes),
                                  "numba_imported": float(any(p["numba_imported"]
                                                              for p in probes)),
                                  "first_calls_s": first[len(first) // 2]}))
    summary = {
        "target": (f"per op = (forward + backward of {links} links of z = z*c + d, then sum) / "
                   f"(2*{links} + 1) ops; numpy_tape: a minimal tape over numpy (a list of "
                   f"closures); {torch_note}"
                   + ("; tapegrad-compile: the chain and its backward as one step captured by "
                      "ag.compile (forward and backward each one generated kernel; its "
                      "forward/backward metrics are the step and resetting .grad)"
                      if cfg.compile else "")),
    }
    return {"rows": rows, "summary": summary}
