"""kernels suite: every fused elementwise kernel, forward and backward, across sizes.

Discovered from ``autograd_core.kernels.KERNELS`` (name -> (numba, numpy twin)) and ``ARGS``
(arguments; ``choices`` such as GELU's ``approximate`` are benchmarked as separate variants).

* size sweep: the Numba kernel as users get it (serial or parallel build chosen by size) vs the
  numpy twin (interleaved in this process) vs PyTorch's CPU kernel (measured in a worker process
  of its own with the same pinned threads: torch's OpenMP pool, spinning after each op, slowed
  Numba's parallel loops and the BLAS more than 100x when they shared a process on 2 cores),
  float32. GB/s counts the arrays read plus the one written.
* crossover: the serial and the parallel build forced, on a finer (power-of-two) sweep; the
  crossover is the smallest size from which the parallel build is faster at every larger size.
* contention: each kernel interleaved with a numpy matmul vs each alone; the slowdown ratio
  (matmul+kernel) / (matmul alone + kernel alone) is 1 when the thread pools do not fight.
"""

from __future__ import annotations

import itertools

import numpy as np

from bench import machine, timing
from bench.config import matches
from bench.report import make_row, time_ratios

SUITE = "kernels"
DTYPE = np.float32


def _torch_ops(torch):
    """PyTorch's CPU kernel for each kernel name: ``f(a, p)`` with ``a`` the arrays by role
    (``x``, ``y``, ``g``) as tensors and ``p`` the scalar parameters. Backward kernels are the
    ATen ops autograd itself calls."""
    F, aten = torch.nn.functional, torch.ops.aten
    return {
        "sigmoid_forward": lambda a, p: torch.sigmoid(a["x"]),
        "sigmoid_backward": lambda a, p: aten.sigmoid_backward(a["g"], a["y"]),
        "tanh_forward": lambda a, p: torch.tanh(a["x"]),
        "tanh_backward": lambda a, p: aten.tanh_backward(a["g"], a["y"]),
        "relu_forward": lambda a, p: torch.relu(a["x"]),
        "relu_backward": lambda a, p: aten.threshold_backward(a["g"], a["x"], 0),
        "leaky_relu_forward": lambda a, p: F.leaky_relu(a["x"], p["negative_slope"]),
        "leaky_relu_backward": lambda a, p: aten.leaky_relu_backward(
            a["g"], a["x"], p["negative_slope"], False),
        "gelu_forward": lambda a, p: F.gelu(a["x"], approximate=p["approximate"]),
        "gelu_backward": lambda a, p: aten.gelu_backward(a["g"], a["x"],
                                                         approximate=p["approximate"]),
        "softplus_forward": lambda a, p: F.softplus(a["x"], p["beta"], p["threshold"]),
        "softplus_backward": lambda a, p: aten.softplus_backward(a["g"], a["x"], p["beta"],
                                                                 p["threshold"]),
        # neg = alpha * scale, pos = scale, inner = input_scale (kernels.elu_backward)
        "elu_backward": lambda a, p: aten.elu_backward(
            a["g"], p["neg"] / p["pos"], p["pos"], p["inner"], False, a["x"]),
        "logsigmoid_backward": lambda a, p: aten.log_sigmoid_backward(
            a["g"], a["x"], _log_sigmoid_buffer(aten, a["x"])),
    }


def _log_sigmoid_buffer(aten, x, _memo={}):  # noqa: B006 - one buffer per input, made once
    """The buffer ATen's ``log_sigmoid_backward`` takes (what ``log_sigmoid_forward`` saved for
    autograd), made outside the timed call after the first for the same input."""
    key = id(x)
    if key not in _memo or _memo[key][0] is not x:
        _memo.clear()
        _memo[key] = (x, aten.log_sigmoid_forward(x)[1])
    return _memo[key][1]


def _torch_by_name(torch, name, spec):
    """PyTorch's counterpart by the naming convention, for kernels not in the table above:
    ``<op>_forward`` is ``torch.nn.functional.<op>``, ``<op>_backward`` ATen's
    ``<op>_backward(grad, x or y, *params)``."""
    stem, _, direction = name.rpartition("_")
    first = spec.arrays[0]
    if direction == "forward":
        fn = getattr(torch.nn.functional, stem, None)
        return None if fn is None else (lambda a, p: fn(a["x"], *p.values()))
    fn = getattr(torch.ops.aten, f"{stem}_backward", None)
    return None if fn is None else (lambda a, p: fn(a["g"], a[first], *p.values()))


def discover(pattern=""):
    """``[(name, variant_label, params)]`` for every kernel (and variant) in the table."""
    from autograd_core import kernels as K

    table = getattr(K, "KERNELS", None)
    if not table:
        return []
    args = getattr(K, "ARGS", {})
    out = []
    for name in table:
        if not matches(name, pattern):
            continue
        spec = args.get(name)
        choices = (spec.choices or {}) if spec else {}
        keys = list(choices)
        for combo in itertools.product(*(choices[k] for k in keys)):
            params = dict(zip(keys, combo))
            label = ", ".join(f"{k}={v}" for k, v in params.items())
            out.append((name, label, params))
    return out


class Case:
    """One kernel variant at one size: its arguments and callables."""

    def __init__(self, name, params, size):
        from autograd_core import kernels as K

        self.name = name
        self.numba, self.numpy = K.KERNELS[name]
        spec = K.ARGS[name]
        self.args = K.example_args(name, (size,), DTYPE, np.random.default_rng(size), **params)
        self.arrays = self.args[:len(spec.arrays)]
        # bytes moved per call: every array argument read, one array of the same size written
        self.nbytes = (len(spec.arrays) + 1) * size * np.dtype(DTYPE).itemsize
        self.spec = spec

    def fns(self):
        return {"numba": lambda: self.numba(*self.args), "numpy": lambda: self.numpy(*self.args)}

    def torch_fn(self, torch):
        """PyTorch's kernel on the same arrays, or None when it has no counterpart."""
        op = _torch_ops(torch).get(self.name) or _torch_by_name(torch, self.name, self.spec)
        if op is None:
            return None
        roles = {role: torch.from_numpy(a) for role, a in zip(self.spec.arrays, self.arrays)}
        scalars = dict(zip(self.spec.params, self.args[len(self.spec.arrays):]))
        return lambda: op(roles, scalars)

    def forced(self, parallel):
        return lambda: self.numba(*self.args, parallel=parallel)


def _bandwidth(cfg, context):
    if context.get("bandwidth_GBps"):
        return context["bandwidth_GBps"], "limits suite, this run"
    from bench import limits

    bw = context["bandwidth_GBps"] = limits.probe_bandwidth(cfg)
    return bw, f"quick probe, {cfg.probe_bw_elements:,} float32 per array"


def _key(name, label, n):
    return f"{name}|{label}|{n}"


def torch_worker(payload) -> dict:
    """In a worker process: PyTorch's time for every ``[name, label, params]`` x size."""
    torch = machine.import_torch(payload["threads"])
    machine.pin_runtime(payload["threads"])
    out = {}
    for name, label, params in payload["kernels"]:
        for n in payload["sizes"]:
            fn = Case(name, params, n).torch_fn(torch)
            if fn is not None:
                st = timing.measure({"torch": fn}, **payload["timing"])["torch"]
                out[_key(name, label, n)] = st.as_dict()
    return {"times": out, "torch": f"torch {torch.__version__} in a worker process, "
                                    f"{torch.get_num_threads()} threads"}


def _torch_payload(cfg, kernels):
    return {"kernels": kernels, "sizes": cfg.sizes, "timing": cfg.timing}


def worker_payloads(cfg):
    """``[(task, payload)]`` of the worker processes ``run(cfg, ...)`` will start."""
    kernels = discover(cfg.kernel_filter)
    if not (kernels and cfg.use_torch and machine.torch_available()):
        return []
    return [("kernels_torch", _torch_payload(cfg, kernels))]


def torch_times(cfg, kernels):
    """``({key: Stats}, description)`` from a torch worker process, or ``({}, why not)``."""
    if not cfg.use_torch:
        return {}, "disabled (--no-torch)"
    if not machine.torch_available():
        return {}, "not importable"
    from bench import worker

    cfg.progress(SUITE, "PyTorch kernels in a worker process")
    res = worker.run("kernels_torch", _torch_payload(cfg, kernels), cfg.threads)
    return {k: timing.Stats.from_dict(v) for k, v in res["times"].items()}, res["torch"]


def size_sweep(cfg, kernels, torch_stats, bw):
    """The size-sweep rows; ``torch_stats`` is called once, after the Numba and numpy timings
    (so that a prefetched torch worker, ``--quick``, runs while they are measured)."""
    measured = []
    for name, label, params in kernels:
        for n in cfg.sizes:
            cfg.progress(SUITE, f"{name} {label} size {n:,}")
            case = Case(name, params, n)
            measured.append((name, label, n, case.nbytes,
                             timing.measure(case.fns(), **cfg.timing)))
    torch_stats = torch_stats()
    rows = []
    for name, label, n, nbytes, times in measured:
        if _key(name, label, n) in torch_stats:
            times["torch"] = torch_stats[_key(name, label, n)]
        metrics = {"bytes": nbytes}
        for impl, st in times.items():
            metrics[f"{impl}_GBps"] = nbytes / st.median / 1e9
        metrics["numba_bw_frac"] = metrics["numba_GBps"] / bw
        rows.append(make_row(SUITE, name, {"variant": label, "size": n, "dtype": "float32",
                                           "sweep": "size"},
                             times, time_ratios(times, "numba"), metrics))
    return rows


def crossover_sweep(cfg, kernels):
    rows, found = [], {}
    for name, label, params in kernels:
        cfg.progress(SUITE, f"crossover {name} {label}")
        ratios = {}
        for n in cfg.crossover_sizes:
            case = Case(name, params, n)
            try:
                case.forced(False)()
            except TypeError:  # this kernel cannot be forced to a build: no crossover rows
                break
            times = timing.measure({"serial": case.forced(False),
                                    "parallel": case.forced(True)}, **cfg.timing)
            r = time_ratios(times, "parallel")
            ratios[n] = r["serial/parallel"]
            rows.append(make_row(SUITE, name, {"variant": label, "size": n, "sweep": "crossover"},
                                 times, r))
        key = f"{name} ({label})" if label else name
        found[key] = crossover(ratios)
    return rows, found


def crossover(ratios: dict):
    """Smallest size from which serial/parallel > 1 at that and every larger size (None if
    the parallel build never pays in the sweep)."""
    best = None
    for n in sorted(ratios, reverse=True):
        if ratios[n] > 1:
            best = n
        else:
            break
    return best


def contention(cfg, kernels):
    rows = []
    m = cfg.matmul_n
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, m)).astype(DTYPE)
    b = rng.standard_normal((m, m)).astype(DTYPE)
    out = np.empty((m, m), DTYPE)

    def matmul():
        np.matmul(a, b, out=out)

    for n in cfg.contention_sizes:
        for name, label, params in kernels:
            cfg.progress(SUITE, f"contention {name} {label} size {n:,}")
            case = Case(name, params, n)
            kernel = case.fns()["numba"]

            def pair(kernel=kernel):
                matmul()
                kernel()

            times = timing.measure({"kernel": kernel, "matmul": matmul, "matmul+kernel": pair},
                                   **cfg.timing)
            alone = times["kernel"].median + times["matmul"].median
            rows.append(make_row(SUITE, name, {"variant": label, "size": n, "matmul_n": m,
                                               "sweep": "contention"}, times,
                                 {"slowdown": times["matmul+kernel"].median / alone}))
    return rows


def parallel_threshold():
    """The kernels module's thresholds: ``{"transcendental": n, "memory_bound": n}``."""
    from autograd_core.kernels import activations_numba as A

    return {"transcendental": int(A.PARALLEL_THRESHOLD),
            "memory_bound": int(A.PARALLEL_THRESHOLD_MEMORY_BOUND)}


def run(cfg, context) -> dict:
    kernels = discover(cfg.kernel_filter)
    if not kernels:
        raise RuntimeError("autograd_core.kernels has no KERNELS table (or none matches "
                           f"--kernels {cfg.kernel_filter!r})")
    bw, source = _bandwidth(cfg, context)
    side = kernels[:cfg.side_kernels] if cfg.side_kernels else kernels
    cross_rows, found = crossover_sweep(cfg, side)
    side_rows = cross_rows + contention(cfg, side)
    torch_result = {}

    def torch_stats():
        torch_result["stats"], torch_result["note"] = torch_times(cfg, kernels)
        return torch_result["stats"]

    rows = size_sweep(cfg, kernels, torch_stats, bw) + side_rows
    torch_note = torch_result["note"]
    measured = sorted(v for v in found.values() if v)
    summary = {
        "kernels": [f"{n} ({lab})" if lab else n for n, lab, _ in kernels],
        "parallel_threshold": parallel_threshold(),
        "crossover": found,
        "crossover_median": measured[len(measured) // 2] if measured else None,
        "bandwidth_GBps": bw,
        "bandwidth_source": source,
        "torch": torch_note,
    }
    return {"rows": rows, "summary": summary}
