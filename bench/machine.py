"""The machine and the thread pools: what the numbers were measured on, and with how many threads.

Thread counts are pinned identically for every library (Numba, the BLAS behind numpy, PyTorch),
in this process and in every worker process, and printed with the results. Environment
variables are set before numpy is imported (``pin_env``); the running pools are then limited
with ``ag.set_num_threads`` (the user's knob: Numba and the BLAS), threadpoolctl (any other
pool) and ``torch.set_num_threads``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import sys
from pathlib import Path

THREAD_ENV = ("TAPEGRAD_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
# Variables that change how idle threads wait, which matters when pools share cores.
WAIT_ENV = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OPENBLAS_THREAD_TIMEOUT", "KMP_BLOCKTIME",
            "NUMBA_THREADING_LAYER", "TAPEGRAD_KERNELS", "TAPEGRAD_PARALLEL",
            "TAPEGRAD_PARALLEL_THRESHOLD")

REPO_ROOT = Path(__file__).resolve().parent.parent

_limits = None  # threadpoolctl limiter, kept alive for the life of the process
_torch = None


def available_cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def pin_env(threads: int, env=None):
    """Set every thread-count variable to ``threads`` in ``env`` (default: this process, which
    must not have imported numpy yet for it to take effect). Returns ``env``.

    Also ``OMP_WAIT_POLICY=passive`` unless the user chose a wait policy (``OMP_WAIT_POLICY`` or
    ``GOMP_SPINCOUNT`` set): with libgomp's default, a torch.optim Adam step on 1,000 floats
    took 12 ms instead of 0.15 ms on 2 busy cores (its pool waited for descheduled threads),
    which measures the machine's load, not the library. tapegrad starts Numba's pool passive
    anyway (``autograd_core.kernels._jit``); every process of a run gets the same policy, and
    the header prints it."""
    env = os.environ if env is None else env
    for var in THREAD_ENV:
        env[var] = str(threads)
    if "OMP_WAIT_POLICY" not in env and "GOMP_SPINCOUNT" not in env:
        env["OMP_WAIT_POLICY"] = "passive"
    return env


def worker_env(threads: int) -> dict:
    """Environment for a worker process: pinned threads, and this checkout importable."""
    env = pin_env(threads, dict(os.environ))
    path = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + path if path else "")
    return env


def pin_runtime(threads: int) -> None:
    """Set ``threads`` the way users do, ``ag.set_num_threads`` (Numba's pool and kernels'
    serial/parallel choice, the BLAS), and limit the other pools already loaded (an OpenMP
    runtime, torch's intra-op pool) to the same count."""
    global _limits
    import autograd_core as ag

    ag.set_num_threads(threads)
    from threadpoolctl import threadpool_limits

    _limits = threadpool_limits(limits=threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def import_torch(threads: int):
    """``torch`` with its intra-op pool pinned to ``threads``, or None when not installed."""
    global _torch
    if _torch is None and torch_available():
        import torch

        torch.set_num_threads(threads)
        _torch = torch
    return _torch


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions() -> dict:
    """Versions of Python and of every library the benchmarks use (without importing them)."""
    out = {"python": platform.python_version()}
    for dist in ("numpy", "numba", "llvmlite", "torch", "threadpoolctl", "matplotlib"):
        out[dist] = _version(dist)
    try:
        import autograd_core

        out["tapegrad"] = getattr(autograd_core, "__version__", None)
    except ImportError:  # pragma: no cover - the benchmarks need it anyway
        out["tapegrad"] = None
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_bytes():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def describe() -> dict:
    """CPU model, cores, RAM, OS and the load average (other processes competing for the CPU)."""
    ram = _ram_bytes()
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "available_cores": available_cores(),
        "ram_gib": round(ram / 2**30, 1) if ram else None,
        "os": platform.platform(),
        "loadavg_1_5_15": load,
    }


def threads_report() -> dict:
    """Thread counts actually in force, per library (call after the work, so every pool
    the run used has started)."""
    out = {"env": {v: os.environ.get(v) for v in THREAD_ENV + WAIT_ENV if os.environ.get(v)}}
    if "numba" in sys.modules:
        import numba

        out["numba"] = numba.get_num_threads()
        try:
            out["numba_threading_layer"] = numba.threading_layer()
        except ValueError:  # no parallel kernel has run yet
            out["numba_threading_layer"] = None
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        out["blas"] = "threadpoolctl not installed: pinned by environment variables only"
    else:
        out["pools"] = [f"{i.get('internal_api')} ({i.get('prefix')}): {i.get('num_threads')}"
                        for i in threadpool_info()]
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        out["torch"] = torch.get_num_threads()
        out["torch_interop"] = torch.get_num_interop_threads()
    return out


def rss_bytes() -> int | None:
    """Resident set size of this process now (Linux), else None."""
    return _status_field("VmRSS")


def peak_rss_bytes() -> int | None:
    """Peak resident set size of this process (since start or the last ``reset_peak_rss``)."""
    value = _status_field("VmHWM")
    if value is None:
        try:
            import resource

            kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            value = kib * (1 if sys.platform == "darwin" else 1024)
        except ImportError:  # pragma: no cover - Windows
            return None
    return value


def reset_peak_rss() -> bool:
    """Reset the peak RSS to the current RSS (Linux >= 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _status_field(name):
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
