"""limits suite: what this machine allows, so the other suites can say how close they get.

* Memory bandwidth, STREAM-style, on arrays far larger than the caches (default 100M float32 =
  400 MB each): ``copy`` (b = a; 2 arrays moved) with numpy and with Numba on 1 thread and on
  all pinned threads, and ``triad`` (a = b + s*c; 3 arrays moved) with Numba. Bytes counted are
  the bytes the loop reads plus writes (write-allocate traffic is not counted, as in STREAM),
  and the in-place update ``a += s*b`` (3 arrays moved, no write-allocate: the access pattern of
  an optimizer step).
  The fastest repeat is the machine's *measured bandwidth*: kernel and optimizer rows report their
  achieved GB/s as a fraction of it.
* Matrix multiply GFLOP/s (numpy's BLAS, float32 and float64, 2 n^3 flops).
"""

from __future__ import annotations

import numba
import numpy as np

from bench import timing
from bench.report import make_row

SUITE = "limits"

_OPTS = dict(cache=True, nogil=True, error_model="numpy", boundscheck=False)


# Serial and parallel loops are separate functions: Numba's cache ignores compile options.
@numba.njit(**_OPTS)
def copy_serial(a, b):
    for i in range(a.shape[0]):
        b[i] = a[i]


@numba.njit(parallel=True, **_OPTS)
def copy_parallel(a, b):
    for i in numba.prange(a.shape[0]):
        b[i] = a[i]


# In place, as optimizer steps update their arrays: no write-allocate traffic, so the bytes
# counted are the bytes moved (copy and triad move ~1.3-1.5x what STREAM counts, because writing
# a line of b or a first reads it).
@numba.njit(**_OPTS)
def axpy_serial(a, b, s):
    for i in range(a.shape[0]):
        a[i] += s * b[i]


@numba.njit(parallel=True, **_OPTS)
def axpy_parallel(a, b, s):
    for i in numba.prange(a.shape[0]):
        a[i] += s * b[i]


@numba.njit(**_OPTS)
def triad_serial(a, b, c, s):
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


@numba.njit(parallel=True, **_OPTS)
def triad_parallel(a, b, c, s):
    for i in numba.prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


def bandwidth(n: int, cfg) -> list[dict]:
    """Rows for copy and triad on ``n`` float32 elements per array."""
    a = np.ones(n, np.float32)  # ones, not empty: pages touched before timing
    b = np.full(n, 2.0, np.float32)
    c = np.full(n, 0.5, np.float32)
    s = np.float32(3.0)
    tests = {  # name -> (callable, arrays moved)
        "copy numpy": (lambda: np.copyto(b, a), 2),
        "copy numba 1 thread": (lambda: copy_serial(a, b), 2),
        "copy numba parallel": (lambda: copy_parallel(a, b), 2),
        "triad numba 1 thread": (lambda: triad_serial(a, b, c, s), 3),
        "triad numba parallel": (lambda: triad_parallel(a, b, c, s), 3),
        "a += s*b numba 1 thread": (lambda: axpy_serial(a, b, np.float32(0.0)), 3),
        "a += s*b numba parallel": (lambda: axpy_parallel(a, b, np.float32(0.0)), 3),
    }
    rows = []
    for name, (fn, arrays) in tests.items():
        cfg.progress(SUITE, f"{name}, {n:,} float32")
        st = timing.measure({name: fn}, repeats=max(3, cfg.repeats), warmup=1,
                            min_time=cfg.min_time)[name]
        nbytes = arrays * n * 4
        rows.append(make_row(SUITE, name, {"size": n, "bytes": nbytes}, {"time": st},
                             metrics={"GBps": nbytes / st.median / 1e9,
                                      "GBps_best": nbytes / st.min / 1e9}))
    return rows


def matmul(n: int, cfg) -> list[dict]:
    rows = []
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        name = f"matmul {np.dtype(dtype).name}"
        cfg.progress(SUITE, f"{name} {n}x{n}")
        x = rng.standard_normal((n, n)).astype(dtype)
        y = rng.standard_normal((n, n)).astype(dtype)
        out = np.empty((n, n), dtype)
        st = timing.measure({name: lambda x=x, y=y, out=out: np.matmul(x, y, out=out)},
                            **cfg.timing)[name]
        flops = 2 * n**3
        rows.append(make_row(SUITE, name, {"n": n}, {"time": st},
                             metrics={"GFLOPs": flops / st.median / 1e9,
                                      "GFLOPs_best": flops / st.min / 1e9}))
    return rows


def best_bandwidth(rows) -> float:
    """The measured bandwidth limit in GB/s: the fastest repeat of any bandwidth test (a limit
    is what the machine can reach, so the best repeat rather than the median)."""
    return max(r["metrics"]["GBps_best"] for r in rows if "GBps_best" in r["metrics"])


def probe_bandwidth(cfg) -> float:
    """A short bandwidth measurement for suites run without ``limits``."""
    return best_bandwidth(bandwidth(cfg.probe_bw_elements, cfg))


def run(cfg, context=None) -> dict:
    rows = bandwidth(cfg.bw_elements, cfg) + matmul(cfg.matmul_gflops_n, cfg)
    bw = best_bandwidth(rows)
    gflops = max(r["metrics"]["GFLOPs"] for r in rows if "GFLOPs" in r["metrics"])
    return {"rows": rows, "summary": {"bandwidth_GBps": bw, "matmul_GFLOPs": gflops,
                                      "bandwidth_elements": cfg.bw_elements}}
