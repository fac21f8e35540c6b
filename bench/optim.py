"""optim suite: one optimizer step, for every algorithm in ``optimizers.registry.ALGORITHMS``.

Each algorithm runs at several parameter counts, laid out as one tensor and as ~20 mixed-size
tensors (the weights and biases of a small network), float32:

* ``fused``: the public class (``optimizers.Adam(params, ...)``) over ``autograd_core.Tensor``
  parameters, with the Numba kernels (``TAPEGRAD_KERNELS=numba``);
* ``numpy``: the same class with the numpy twins of the kernels (``TAPEGRAD_KERNELS=numpy``);
* ``torch_foreach`` and ``torch_fused``: ``torch.optim`` with ``foreach=True`` / ``fused=True``
  (when torch is importable; algorithms without a fused CPU implementation have no such column),
  measured in one worker process of its own with the same pinned threads: in this process,
  torch's OpenMP pool and Numba's slowed each other 10-1000x on 2 cores. The torch modes are
  interleaved with each other there; the ratios against ``fused`` cross processes.

Each implementation has its own copy of the parameters and its own state; every repeat calls
``step()`` again (the state evolves, as in training). GB/s counts the bytes the update rule must
move: the parameter, the gradient and each state array read, the parameter and each state array
written, i.e. (3 + 2 * state arrays) * 4 bytes per float32 parameter (Adam: 7 arrays).
"""

from __future__ import annotations

import os

import numpy as np

from bench import machine, timing
from bench.config import matches
from bench.report import make_row, time_ratios

SUITE = "optim"
DTYPE = np.float32
BACKEND_ENV = "TAPEGRAD_KERNELS"


def tensor_sizes(n: int, layout: str, count: int = 20) -> list[int]:
    """``[n]`` for ``"one"``; for ``"many"``, ``count`` sizes summing to ``n``: half of them
    "biases" (0.1% of ``n`` each, at least 1), half "weights" of mixed sizes sharing the rest."""
    if layout == "one" or n < 2 * count:
        return [n]
    biases = [max(1, n // 1000)] * (count // 2)
    shares = [1, 2, 4, 8, 16, 16, 8, 4, 2, 1][: count - len(biases)]
    rest = n - sum(biases)
    spare = rest - len(shares)  # every weight gets at least 1 element
    weights = [1 + spare * s // sum(shares) for s in shares]
    weights[-1] += rest - sum(weights)
    sizes = [x for pair in zip(weights, biases) for x in pair]
    return sizes + weights[len(biases):]


def bytes_per_step(state_arrays: int, numel: int) -> int:
    return (3 + 2 * state_arrays) * numel * np.dtype(DTYPE).itemsize


def _tapegrad_step(spec, data, grads, backend):
    import autograd_core as ag

    params = []
    for d, g in zip(data, grads):
        p = ag.Tensor._wrap(d.copy(), requires_grad=True)
        p.grad = ag.Tensor._wrap(g.copy())
        params.append(p)
    opt = spec.cls(params, **spec.kwargs)
    env = os.environ

    def step():
        # the backend is read at every step; both tapegrad columns pay this same switch
        old = env.get(BACKEND_ENV)
        env[BACKEND_ENV] = backend
        try:
            opt.step()
        finally:
            if old is None:
                del env[BACKEND_ENV]
            else:
                env[BACKEND_ENV] = old

    return step


def _torch_step(torch, spec, data, grads, mode):
    """A torch.optim step function, or a string saying why this mode is unavailable."""
    params = []
    for d, g in zip(data, grads):
        p = torch.tensor(d, requires_grad=True)
        p.grad = torch.tensor(g)
        params.append(p)
    try:
        opt = getattr(torch.optim, spec.torch_name)(params, **spec.kwargs, **{mode: True})
        opt.step()
    except (RuntimeError, TypeError, ValueError) as exc:
        return f"{spec.torch_name}({mode}=True): {str(exc).splitlines()[0]}"
    return opt.step


def _data(n, layout, count, seed):
    sizes = tensor_sizes(n, layout, count)
    rng = np.random.default_rng(seed)
    data = [rng.standard_normal(s).astype(DTYPE) for s in sizes]
    grads = [rng.standard_normal(s).astype(DTYPE) * 1e-2 for s in sizes]
    return sizes, data, grads


def _cases(cfg):
    """``[(algorithm, params, layout, seed)]`` in the order measured."""
    from optimizers.registry import ALGORITHMS

    out = []
    for name in ALGORITHMS:
        if not matches(name, cfg.optim_filter):
            continue
        for n in cfg.param_counts:
            for layout in ("one", "many"):
                if layout == "many" and len(tensor_sizes(n, layout, cfg.many_tensors)) == 1:
                    continue
                out.append((name, n, layout, len(out)))
    return out


def torch_worker(payload) -> dict:
    """In a worker process: torch.optim foreach and fused steps for every case."""
    from optimizers.registry import ALGORITHMS

    torch = machine.import_torch(payload["threads"])
    machine.pin_runtime(payload["threads"])
    times, unavailable = {}, {}
    for name, n, layout, seed in payload["cases"]:
        spec = ALGORITHMS[name]
        _, data, grads = _data(n, layout, payload["many_tensors"], seed)
        fns = {}
        for mode in ("foreach", "fused"):
            fn = _torch_step(torch, spec, data, grads, mode)
            if isinstance(fn, str):
                unavailable[f"{spec.torch_name} {mode}"] = fn
            else:
                fns[f"torch_{mode}"] = fn
        if fns:
            st = timing.measure(fns, **payload["timing"])
            times[f"{name}|{n}|{layout}"] = {k: v.as_dict() for k, v in st.items()}
        del fns, data, grads
    return {"times": times, "unavailable": unavailable,
            "torch": f"torch {torch.__version__} in a worker process, "
                     f"{torch.get_num_threads()} threads"}


def _torch_payload(cfg, cases):
    return {"cases": cases, "many_tensors": cfg.many_tensors, "timing": cfg.timing}


def worker_payloads(cfg):
    """``[(task, payload)]`` of the worker processes ``run(cfg, ...)`` will start."""
    if not (cfg.use_torch and machine.torch_available()):
        return []
    return [("optim_torch", _torch_payload(cfg, _cases(cfg)))]


def torch_times(cfg, cases):
    if not cfg.use_torch:
        return {}, {}, "disabled (--no-torch)"
    if not machine.torch_available():
        return {}, {}, "not importable"
    from bench import worker

    cfg.progress(SUITE, f"torch.optim in a worker process ({len(cases)} cases)")
    res = worker.run("optim_torch", _torch_payload(cfg, cases), cfg.threads)
    times = {k: {i: timing.Stats.from_dict(s) for i, s in v.items()}
             for k, v in res["times"].items()}
    return times, res["unavailable"], res["torch"]


def run(cfg, context) -> dict:
    from optimizers.registry import ALGORITHMS

    bw = context.get("bandwidth_GBps")
    source = "limits suite, this run"
    if not bw:
        from bench import limits

        bw = context["bandwidth_GBps"] = limits.probe_bandwidth(cfg)
        source = f"quick probe, {cfg.probe_bw_elements:,} float32 per array"
    rows = []
    cases = _cases(cfg)
    measured = []
    for name, n, layout, seed in cases:
        spec = ALGORITHMS[name]
        sizes, data, grads = _data(n, layout, cfg.many_tensors, seed)
        cfg.progress(SUITE, f"{name} {n:,} params as {len(sizes)} tensor(s)")
        fns = {"fused": _tapegrad_step(spec, data, grads, "numba"),
               "numpy": _tapegrad_step(spec, data, grads, "numpy")}
        measured.append((name, n, layout, len(sizes), timing.measure(fns, **cfg.timing)))
        del fns, data, grads
    # torch after tapegrad, so that a prefetched worker (--quick) runs while tapegrad is timed
    torch_stats, unavailable, torch_note = torch_times(cfg, cases)
    for name, n, layout, n_tensors, times in measured:
        spec = ALGORITHMS[name]
        times.update(torch_stats.get(f"{name}|{n}|{layout}", {}))
        nbytes = bytes_per_step(spec.state_arrays, n)
        metrics = {"bytes_per_step": nbytes}
        for impl, st in times.items():
            metrics[f"{impl}_GBps"] = nbytes / st.median / 1e9
            metrics[f"{impl}_bw_frac"] = metrics[f"{impl}_GBps"] / bw
        rows.append(make_row(SUITE, name, {"params": n, "layout": layout,
                                           "tensors": n_tensors, "sweep": "size"},
                             times, time_ratios(times, "fused"), metrics))
    notes = [f"no {k}: {v}" for k, v in sorted(unavailable.items())]
    summary = {
        "bandwidth_GBps": bw,
        "bandwidth_source": source,
        "torch": torch_note,
        "notes": notes,
    }
    return {"rows": rows, "summary": summary}
