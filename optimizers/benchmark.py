"""Optimizer update-step benchmark: our fused kernels vs the memory-traffic bound and vs torch.

    python -m optimizers.benchmark                 # 10M float32, Adam/SGD-momentum/RMSprop/Adagrad
    python -m optimizers.benchmark --numel 1000000 --algos adam --no-torch

Measures one ``optimizer.step()`` over ``numel`` float32 parameters laid out as one tensor and
as ~20 tensors of mixed sizes, reports the median over repeats (warm-up excluded), the
memory-traffic bound (bytes read + written per step / measured bandwidth), and, when torch is
installed, torch.optim in its default, ``foreach=True`` and ``fused=True`` modes, each measured
in its own subprocess (torch's and Numba's worker threads fight when they share a process).

The functions are importable for a ``bench`` CLI: ``measure_ours``, ``measure_torch``,
``measure_bandwidth``, ``traffic_bytes``, ``mixed_sizes``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

# (registry name, torch class, torch kwargs, arrays read, arrays written)
ALGOS = {
    "adam": ("adam", "Adam", dict(lr=1e-3), 4, 3),
    "sgd_momentum": ("sgd_momentum", "SGD", dict(lr=1e-3, momentum=0.9), 3, 2),
    "rmsprop": ("rmsprop", "RMSprop", dict(lr=1e-2), 3, 2),
    "adagrad": ("adagrad", "Adagrad", dict(lr=1e-2), 3, 2),
}


def mixed_sizes(numel, count=20, seed=0):
    """``count`` sizes summing to ``numel``, spread over ~3 orders of magnitude (like a model's
    weight matrices and biases)."""
    rng = np.random.default_rng(seed)
    w = np.exp(rng.uniform(0, np.log(1000.0), count))
    sizes = np.maximum(1, (w / w.sum() * numel).astype(np.int64))
    sizes[-1] += numel - sizes.sum()
    return [int(s) for s in sizes]


def traffic_bytes(algo, numel, itemsize=4):
    _, _, _, reads, writes = ALGOS[algo]
    return (reads + writes) * numel * itemsize


def _median_time(fn, repeats, warmup=2):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def measure_bandwidth(numel, reads=4, writes=3, repeats=15):
    """Bytes/s of a parallel Numba pass that reads ``reads`` float32 arrays and writes
    ``writes`` of them with trivial arithmetic: the best this machine does for that traffic
    pattern, so ``traffic / bandwidth`` is the step-time floor."""
    import numba

    from autograd_core.kernels._jit import BASE_OPTIONS

    @numba.njit(parallel=True, cache=False, **BASE_OPTIONS)
    def touch(a, b, c, d, s):  # a, c, d read+written; b read: Adam's 4 reads / 3 writes
        for i in numba.prange(a.shape[0]):
            x = b[i]
            a[i] = a[i] + s * x
            c[i] = c[i] + s * x
            d[i] = d[i] + s * x

    @numba.njit(parallel=True, cache=False, **BASE_OPTIONS)
    def touch2(a, b, c, s):  # 3 reads / 2 writes
        for i in numba.prange(a.shape[0]):
            x = b[i]
            a[i] = a[i] + s * x
            c[i] = c[i] + s * x

    arrs = [np.ones(numel, np.float32) for _ in range(4)]
    s = np.float32(1e-7)
    if (reads, writes) == (4, 3):
        t = _median_time(lambda: touch(*arrs, s), repeats)
    else:
        t = _median_time(lambda: touch2(arrs[0], arrs[1], arrs[2], s), repeats)
    return (reads + writes) * numel * 4 / t


def measure_ours(algo, sizes, repeats=15, backend=None):
    """Median seconds of one ``step()`` of our optimizer over float32 arrays of ``sizes``."""
    import os

    from optimizers.registry import build

    if backend:
        os.environ["TAPEGRAD_KERNELS"] = backend
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(n).astype(np.float32) * 0.01 for n in sizes]
    grads = [rng.standard_normal(n).astype(np.float32) * 0.01 for n in sizes]
    opt, _ = build(ALGOS[algo][0], arrays, grads)
    return _median_time(opt.step, repeats)


_TORCH_SNIPPET = r"""
import json, sys, time, numpy as np, torch
algo, kwargs, sizes, mode, repeats = json.loads(sys.argv[1])
torch.manual_seed(0)
ps = [torch.randn(n) * 0.01 for n in sizes]
for p in ps:
    p.requires_grad_(True)
    p.grad = torch.randn_like(p) * 0.01
if mode != "default":
    kwargs[mode] = True
opt = getattr(torch.optim, algo)(ps, **kwargs)
for _ in range(2):
    opt.step()
ts = []
for _ in range(repeats):
    t0 = time.perf_counter(); opt.step(); ts.append(time.perf_counter() - t0)
print(json.dumps(float(np.median(ts))))
"""


def measure_torch(algo, sizes, mode="default", repeats=15):
    """Median seconds of torch.optim's step in a fresh process; ``mode`` is ``default``,
    ``foreach`` or ``fused``. None if torch (or that mode) is unavailable."""
    _, cls, kwargs, _, _ = ALGOS[algo]
    arg = json.dumps([cls, dict(kwargs), sizes, mode, repeats])
    r = subprocess.run([sys.executable, "-c", _TORCH_SNIPPET, arg], capture_output=True,
                       text=True)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--numel", type=int, default=10_000_000)
    ap.add_argument("--algos", nargs="*", default=list(ALGOS))
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--numpy", action="store_true", help="also time TAPEGRAD_KERNELS=numpy")
    args = ap.parse_args(argv)
    layouts = {"1 tensor": [args.numel], "20 mixed": mixed_sizes(args.numel)}
    bw = {(4, 3): measure_bandwidth(args.numel, 4, 3), (3, 2): measure_bandwidth(args.numel, 3, 2)}
    print(f"numel {args.numel:,} float32; bandwidth (parallel touch kernel): "
          f"4r/3w {bw[(4, 3)] / 1e9:.1f} GB/s, 3r/2w {bw[(3, 2)] / 1e9:.1f} GB/s")
    cols = ["ours", "bound", "%bound"] + ([] if args.no_torch else
                                          ["torch", "foreach", "fused"]) + (
        ["numpy twin"] if args.numpy else [])
    print(f"{'algo':14s} {'layout':9s} " + " ".join(f"{c:>10s}" for c in cols) + "   (ms)")
    for algo in args.algos:
        _, _, _, r, w = ALGOS[algo]
        bound = traffic_bytes(algo, args.numel) / bw[(r, w)]
        for lname, sizes in layouts.items():
            ours = measure_ours(algo, sizes, args.repeats, backend="numba")
            row = [ours * 1e3, bound * 1e3, 100 * bound / ours]
            if not args.no_torch:
                for mode in ("default", "foreach", "fused"):
                    t = measure_torch(algo, sizes, mode, args.repeats)
                    row.append(float("nan") if t is None else t * 1e3)
            if args.numpy:
                row.append(measure_ours(algo, sizes, max(3, args.repeats // 3), "numpy") * 1e3)
                import os

                os.environ["TAPEGRAD_KERNELS"] = "numba"
            print(f"{algo:14s} {lname:9s} " + " ".join(f"{v:10.2f}" for v in row))


if __name__ == "__main__":
    main()
