"""Measurement script for the activation kernels (not a test: pytest collects test_*.py only).

The crossover result is recorded where the threshold lives (``activations.THRESHOLDS``).

    python tests/kernels/measure_activations.py crossover          # serial vs parallel loops
    python tests/kernels/measure_activations.py speed [--torch]    # fwd+bwd vs numpy (and torch)
    python tests/kernels/measure_activations.py torch              # torch only (own process)
    python tests/kernels/measure_activations.py contention         # kernels interleaved w/ matmul

Timings: median of repeats after a warm-up call; the machine is shared and noisy, so compare
figures taken side by side in one run. Each torch measurement runs in its own process (numpy's
OpenBLAS and torch's OpenMP pools fight when both are live).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)


def median_ms(fn, repeats=9, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1e3 * times[len(times) // 2]


# ---------------------------------------------------------------------------------------------
CROSSOVER_KERNELS = ("relu_forward", "sigmoid_forward", "gelu_forward", "tanh_backward")
CROSSOVER_SIZES = tuple(int(2 ** (k / 2)) for k in range(24, 43))  # 4096 .. 2**21, sqrt(2) steps


def _batch_us(fn, calls):
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return 1e6 * (time.perf_counter() - t0) / calls


def crossover(kernels=CROSSOVER_KERNELS, sizes=CROSSOVER_SIZES, rounds=15, dtype=np.float32):
    """Serial vs parallel build through the public entry point (``parallel=False/True``: fresh
    output allocation, layout handling and dispatch included, as in real use; the fixed costs
    are the same for both builds, so they do not move the crossover).

    Per size: ``rounds`` rounds, each timing a batch of calls of the serial build and then of
    the parallel build back to back (so both see the same background load); per-call time of a
    batch. Reported: min over rounds (the least disturbed run) and median, and the ratio
    serial/parallel of each (> 1: parallel wins). The crossover is the first size from which
    the min-ratio stays above 1.
    """
    from autograd_core import kernels as K
    from autograd_core.kernels import activations as A

    print(
        f"os.cpu_count()={os.cpu_count()} loadavg={os.getloadavg()} dtype={np.dtype(dtype)} "
        f"TAPEGRAD_THREADING={os.environ.get('TAPEGRAD_THREADING', '(unset: passive)')}"
    )
    rng = np.random.default_rng(0)
    results = {}
    for name in kernels:
        print(
            f"\n{name}: {'n':>8s} {'ser min':>8s} {'par min':>8s} {'ratio':>6s} | "
            f"{'ser med':>8s} {'par med':>8s} {'ratio':>6s}   (us per call)"
        )
        fn = getattr(A, name)
        rows = []
        for n in sizes:
            args = K.example_args(name, (n,), dtype, rng)
            calls = max(3, min(2000, 4_000_000 // n))
            for par in (False, True):  # warm-up: compile / load, touch the pool
                fn(*args, parallel=par)
            ser, par = [], []
            for _ in range(rounds):
                ser.append(_batch_us(lambda: fn(*args, parallel=False), calls))
                par.append(_batch_us(lambda: fn(*args, parallel=True), calls))
            s_min, p_min = min(ser), min(par)
            s_med, p_med = float(np.median(ser)), float(np.median(par))
            rows.append((n, s_min, p_min, s_med, p_med))
            print(
                f"{'':{len(name) + 1}s} {n:8d} {s_min:8.1f} {p_min:8.1f} {s_min / p_min:6.2f} | "
                f"{s_med:8.1f} {p_med:8.1f} {s_med / p_med:6.2f}"
            )
        results[name] = rows
    print(f"\nloadavg after: {os.getloadavg()}")
    return results


# ---------------------------------------------------------------------------------------------
PAIRS = {  # name: (forward kernel, backward kernel, params, backward takes the output)
    "sigmoid": ("sigmoid_forward", "sigmoid_backward", (), True),
    "tanh": ("tanh_forward", "tanh_backward", (), True),
    "relu": ("relu_forward", "relu_backward", (), False),
    "leaky_relu": ("leaky_relu_forward", "leaky_relu_backward", (0.01,), False),
    "gelu": ("gelu_forward", "gelu_backward", ("none",), False),
    "gelu_tanh": ("gelu_forward", "gelu_backward", ("tanh",), False),
    "softplus": ("softplus_forward", "softplus_backward", (1.0, 20.0), False),
}


def _plain_numpy(name):
    """The straightforward numpy expressions a user would write (scipy's erf for GELU)."""
    try:
        from scipy.special import erf
    except ImportError:  # pragma: no cover
        erf = None
    f32 = np.float32

    def sig(x):
        y = 1 / (1 + np.exp(-x))
        return y

    table = {
        "sigmoid": (sig, lambda y, g: g * (1 - y) * y),
        "tanh": (np.tanh, lambda y, g: g * (1 - y * y)),
        "relu": (lambda x: np.maximum(x, 0), lambda x, g: g * (x > 0)),
        "leaky_relu": (
            lambda x: np.where(x > 0, x, x * f32(0.01)),
            lambda x, g: np.where(x > 0, g, g * f32(0.01)),
        ),
        "softplus": (
            lambda x: np.where(x > 20, x, np.log1p(np.exp(x))),
            lambda x, g: np.where(x > 20, g, g * sig(x)),
        ),
        "gelu_tanh": (
            lambda x: 0.5 * x * (1 + np.tanh(f32(0.7978845608) * (x + f32(0.044715) * x**3))),
            None,
        ),
    }
    if erf is not None:
        table["gelu"] = (
            lambda x: x * 0.5 * (1 + erf(x * f32(0.70710678))),
            lambda x, g: (
                g
                * (
                    0.5 * (1 + erf(x * f32(0.70710678)))
                    + x * f32(0.39894228) * np.exp(-0.5 * x * x)
                )
            ),
        )
    return table.get(name)


def speed(sizes=(1_000_000, 10_000_000), with_torch=False):
    import autograd_core.kernels as K
    from autograd_core.kernels import activations_ref as R

    rng = np.random.default_rng(0)
    torch_ms = {}
    if with_torch:
        out = subprocess.run(
            [sys.executable, __file__, "torch"], capture_output=True, text=True, check=True
        )
        torch_ms = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{'fwd+bwd float32':12s} {'n':>9s} {'numba ms':>9s} {'twin ms':>9s} {'numpy ms':>9s}"
        f" {'torch ms':>9s} {'x numpy':>8s} {'x torch':>8s}"
    )
    for n in sizes:
        x = rng.standard_normal(n).astype(np.float32)
        g = rng.standard_normal(n).astype(np.float32)
        for name, (fw, bw, params, uses_y) in PAIRS.items():
            fwd_nb, bwd_nb = getattr(K, fw), getattr(K, bw)
            fwd_ref, bwd_ref = getattr(R, fw), getattr(R, bw)

            def run(f, b):
                y = f(x, *params)
                return b(y if uses_y else x, g, *params)

            reps = 7 if n <= 1_000_000 else 5
            nb = median_ms(lambda: run(fwd_nb, bwd_nb), reps)
            twin = (
                median_ms(lambda: run(fwd_ref, bwd_ref), 3, 1)
                if name != "gelu" or n <= 1_000_000
                else float("nan")
            )
            plain = _plain_numpy(name)
            if plain is not None and plain[1] is not None:
                pf, pb = plain
                npy = median_ms(lambda: pb(pf(x) if uses_y else x, g), reps)
            else:
                npy = float("nan")
            base = npy if npy == npy else twin
            t = torch_ms.get(f"{name}/{n}", float("nan"))
            print(
                f"{name:12s} {n:9d} {nb:9.2f} {twin:9.2f} {npy:9.2f} {t:9.2f} "
                f"{base / nb:8.1f} {t / nb:8.2f}"
            )


def torch_speed(sizes=(1_000_000, 10_000_000)):
    import torch

    A = torch.ops.aten
    res = {}
    for n in sizes:
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(n, generator=gen)
        g = torch.randn(n, generator=gen)
        runs = {
            "sigmoid": lambda: A.sigmoid_backward(g, torch.sigmoid(x)),
            "tanh": lambda: A.tanh_backward(g, torch.tanh(x)),
            "relu": lambda: A.threshold_backward(g, torch.relu(x), 0),
            "leaky_relu": lambda: (
                torch.nn.functional.leaky_relu(x, 0.01),
                A.leaky_relu_backward(g, x, 0.01, False),
            ),
            "gelu": lambda: (torch.nn.functional.gelu(x), A.gelu_backward(g, x)),
            "gelu_tanh": lambda: (
                torch.nn.functional.gelu(x, approximate="tanh"),
                A.gelu_backward(g, x, approximate="tanh"),
            ),
            "softplus": lambda: (
                torch.nn.functional.softplus(x),
                A.softplus_backward(g, x, 1.0, 20.0),
            ),
        }
        for name, fn in runs.items():
            res[f"{name}/{n}"] = median_ms(fn, 7 if n <= 1_000_000 else 5)
    print(json.dumps(res))


# ---------------------------------------------------------------------------------------------
CONTENTION_CODE = r"""
import os, sys, time, json
import numpy as np
sys.path.insert(0, {root!r})
from autograd_core.kernels import activations as A
rng = np.random.default_rng(0)
a = rng.standard_normal((256, 512)).astype(np.float32)
w = rng.standard_normal((512, 512)).astype(np.float32)
x = rng.standard_normal({n_act}).astype(np.float32)
kern = getattr(A, {kernel!r})
def med(fn, reps={reps}):
    for _ in range(20): fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    ts.sort(); return 1e3 * ts[len(ts) // 2]
res = dict(matmul=med(lambda: a @ w))
for par in (False, True):
    k = med(lambda: kern(x, parallel=par))
    both = med(lambda: (a @ w, kern(x, parallel=par)))
    res["par" if par else "ser"] = (k, both)
import numba
res["layer"] = numba.threading_layer()
print(json.dumps(res))
"""

CONTENTION_SETTINGS = [
    ("default (omp, libgomp spins)", {}),
    ("NUMBA_THREADING_LAYER=workqueue", {"NUMBA_THREADING_LAYER": "workqueue"}),
    ("OMP_WAIT_POLICY=passive", {"OMP_WAIT_POLICY": "passive"}),
    ("GOMP_SPINCOUNT=10000", {"GOMP_SPINCOUNT": "10000"}),
    ("OPENBLAS_NUM_THREADS=1", {"OPENBLAS_NUM_THREADS": "1"}),
    (
        "OMP_WAIT_POLICY=passive OPENBLAS_NUM_THREADS=1",
        {"OMP_WAIT_POLICY": "passive", "OPENBLAS_NUM_THREADS": "1"},
    ),
    ("tapegrad default (TAPEGRAD_THREADING unset)", {"TAPEGRAD_THREADING": None}),
]
CLEAN_ENV = (
    "OMP_WAIT_POLICY",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_THREADING_LAYER",
    "GOMP_SPINCOUNT",
    "TAPEGRAD_THREADING",
)


def contention(n_act=256 * 512, kernel="relu_forward", reps=200):
    """Matmul (OpenBLAS) alternating with a kernel, each setting in its own process.

    Settings are applied raw (TAPEGRAD_THREADING=off keeps the package from changing them),
    except the last line, which shows what the package does by default.
    """
    print(f"\n{kernel} on {n_act} float32 after (256x512)@(512x512) float32; medians in ms")
    print(
        f"{'setting':48s} {'matmul':>7s} | {'ser k':>6s} {'ser mm+k':>8s} {'ratio':>6s} | "
        f"{'par k':>6s} {'par mm+k':>8s} {'ratio':>6s}"
    )
    for label, env in CONTENTION_SETTINGS:
        e = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
        e["TAPEGRAD_THREADING"] = "off"
        for k, v in env.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        code = CONTENTION_CODE.format(root=ROOT, n_act=n_act, kernel=kernel, reps=reps)
        out = subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True)
        if out.returncode:
            print(label, "FAILED", out.stderr[-500:])
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        mm = r["matmul"]
        (sk, sb), (pk, pb) = r["ser"], r["par"]
        print(
            f"{label:48s} {mm:7.3f} | {sk:6.3f} {sb:8.3f} {sb / (mm + sk):6.2f} | "
            f"{pk:6.3f} {pb:8.3f} {pb / (mm + pk):6.2f}  [{r['layer']}]"
        )


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "speed"
    if what == "crossover":
        crossover()
    elif what == "speed":
        speed(with_torch="--torch" in sys.argv)
    elif what == "torch":
        torch_speed()
    elif what == "contention":
        for n, kernel in (
            (256 * 512, "relu_forward"),
            (256 * 512, "gelu_forward"),
            (1_000_000, "relu_forward"),
            (1_000_000, "gelu_forward"),
        ):
            contention(n, kernel)
    else:
        raise SystemExit(__doc__)
