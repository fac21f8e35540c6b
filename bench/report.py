"""Results: rows, readable tables, JSON, comparison with an earlier run, plots, validation.

Every suite returns ``{"rows": [...], "summary": {...}}``. A row is one measured case with its
implementations side by side::

    {"suite": "kernels", "case": "relu_forward", "params": {"size": 1000000, ...},
     "times": {"numba": {"median": s, "min": s, "max": s, "repeats": 5, "number": 10}, ...},
     "ratios": {"numpy/numba": 3.1, ...},      # time(a) / time(b): > 1 means b is faster
     "metrics": {"numba_GBps": 12.0, ...}}     # derived numbers (GB/s, MB, counts)

Times are seconds per call (per step, per op: see the suite). Ratios come from medians measured
in the same run, interleaved, so they hold up better than absolute times on a loaded machine.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

SCHEMA = "tapegrad-bench/1"
ROW_FIELDS = ("suite", "case", "params", "times", "ratios", "metrics")
STATS_FIELDS = ("median", "min", "max", "repeats")

# --------------------------------------------------------------------------------------------
# Rows


def make_row(suite, case, params, times, ratios=None, metrics=None) -> dict:
    """A result row; ``times`` maps implementation names to ``timing.Stats``."""
    return {"suite": suite, "case": case, "params": dict(params),
            "times": {k: v.as_dict() for k, v in times.items()},
            "ratios": dict(ratios or {}),
            "metrics": {k: v for k, v in (metrics or {}).items() if v is not None}}


def time_ratios(times, ref, others=None) -> dict:
    """``{"other/ref": median(other) / median(ref)}`` for each other implementation present."""
    others = [k for k in (others or times) if k != ref and k in times]
    return {f"{o}/{ref}": times[o].median / times[ref].median for o in others}


def row_key(row) -> str:
    return json.dumps([row["suite"], row["case"], row["params"]], sort_keys=True)


# --------------------------------------------------------------------------------------------
# Formatting


def fmt_time(seconds) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{_sig(seconds / scale)}{unit}"
    return f"{_sig(seconds / 1e-9)}ns"


def _sig(x) -> str:
    """Three significant digits, no exponent."""
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_stats(st: dict | None) -> str:
    """``median [min-max]`` in one unit."""
    if not st:
        return "-"
    med = st["median"]
    unit, scale = _unit(med)
    return f"{_sig(med / scale)}{unit} [{_sig(st['min'] / scale)}-{_sig(st['max'] / scale)}]"


def _unit(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return unit, scale
    return "ns", 1e-9


def fmt_ratio(x) -> str:
    if x is None:
        return "-"
    return f"{x:.2f}x" if x >= 0.1 else f"{x:.2g}x"


def fmt_size(n) -> str:
    """1000000 -> 1M, 20000 -> 20K, 131072 -> 2^17, 12345 -> 12,345."""
    if n is None:
        return "-"
    n = int(n)
    if n >= 1024 and n & (n - 1) == 0:
        return f"2^{n.bit_length() - 1}"
    for div, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "K")):
        if n >= div and n % div == 0:
            return f"{n // div}{suffix}"
    return f"{n:,}"


def fmt_num(x, digits=1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def fmt_pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def table(headers, lines, title=None) -> str:
    """Plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(c) for c in line] for line in lines]
    widths = [max(len(str(h)), *(len(c[i]) for c in cells)) if cells else len(str(h))
              for i, h in enumerate(headers)]

    def fmt(row):
        parts = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        return "  ".join(parts).rstrip()

    out = []
    if title:
        out += [title, "-" * len(title)]
    out.append(fmt([str(h) for h in headers]))
    out.append("  ".join("-" * w for w in widths))
    out += [fmt(c) for c in cells]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Per-suite views


def _t(row, impl):
    return row["times"].get(impl)


def _label(row):
    v = row["params"].get("variant")
    return f"{row['case']} ({v})" if v else row["case"]


def _has(rows, impl):
    return any(impl in r["times"] for r in rows)


def _sweep(rows, name):
    return [r for r in rows if r["params"].get("sweep") == name]


def render_limits(result) -> str:
    lines = []
    for r in result["rows"]:
        m = r["metrics"]
        rate = (f"{m['GBps']:.1f} GB/s" if "GBps" in m else f"{m['GFLOPs']:.1f} GFLOP/s")
        size = fmt_size(r["params"].get("size")) if "size" in r["params"] else \
            f"{r['params']['n']}x{r['params']['n']}"
        lines.append([r["case"], size, fmt_stats(_t(r, "time")), rate])
    s = result.get("summary", {})
    foot = (f"measured bandwidth (fastest repeat of any test): {s.get('bandwidth_GBps', 0):.1f} GB/s; "
            f"matmul: {s.get('matmul_GFLOPs', 0):.1f} GFLOP/s")
    return table(["test", "size", "time/call median [min-max]", "rate"], lines,
                 "limits: memory bandwidth and matmul throughput") + "\n" + foot


def render_kernels(result) -> str:
    rows, s = result["rows"], result.get("summary", {})
    out = []
    sweep = _sweep(rows, "size")
    if sweep:
        torch = _has(sweep, "torch")
        headers = ["kernel", "size", "numba", "numpy", *(["torch"] if torch else []),
                   "numpy/numba", *(["torch/numba"] if torch else []), "numba GB/s", "of bw"]
        lines = []
        for r in sweep:
            lines.append([_label(r), fmt_size(r["params"]["size"]), fmt_stats(_t(r, "numba")),
                          fmt_stats(_t(r, "numpy")),
                          *([fmt_stats(_t(r, "torch"))] if torch else []),
                          fmt_ratio(r["ratios"].get("numpy/numba")),
                          *([fmt_ratio(r["ratios"].get("torch/numba"))] if torch else []),
                          fmt_num(r["metrics"].get("numba_GBps")),
                          fmt_pct(r["metrics"].get("numba_bw_frac"))])
        out.append(table(headers, lines, "kernels: time per call, median [min-max]; "
                                         "a/b = time(a)/time(b), > 1: b faster"))
    cross = _sweep(rows, "crossover")
    if cross:
        sizes = sorted({r["params"]["size"] for r in cross})
        by_kernel = {}
        for r in cross:
            by_kernel.setdefault(_label(r), {})[r["params"]["size"]] = \
                r["ratios"].get("serial/parallel")
        found = s.get("crossover", {})
        lines = [[k, *(fmt_ratio(v.get(n)) for n in sizes), fmt_size(found.get(k)) if
                  found.get(k) else "none"] for k, v in by_kernel.items()]
        out.append(table(["kernel", *(fmt_size(n) for n in sizes), "crossover"], lines,
                         "kernels: serial/parallel time (> 1: the parallel build pays)"))
        th = s.get("parallel_threshold") or {}
        out.append("parallel thresholds in the kernels module: "
                   + ", ".join(f"{k.replace('_', '-')} {fmt_size(v)}" for k, v in th.items())
                   + f"; measured crossover (median over kernels): "
                   f"{fmt_size(s.get('crossover_median')) if s.get('crossover_median') else 'none'}")
    cont = _sweep(rows, "contention")
    if cont:
        lines = [[_label(r), fmt_size(r["params"]["size"]), fmt_stats(_t(r, "kernel")),
                  fmt_stats(_t(r, "matmul")), fmt_stats(_t(r, "matmul+kernel")),
                  fmt_ratio(r["ratios"].get("slowdown"))] for r in cont]
        n = cont[0]["params"].get("matmul_n")
        out.append(table(["kernel", "size", "kernel alone", f"matmul {n}x{n}", "matmul+kernel",
                          "slowdown"], lines,
                         "kernels next to BLAS: slowdown = (matmul+kernel) / (matmul alone + "
                         "kernel alone), 1.00x = no interference"))
    if s.get("bandwidth_GBps"):
        out.append(f"bandwidth used for 'of bw': {s['bandwidth_GBps']:.1f} GB/s "
                   f"({s.get('bandwidth_source')}); small sizes run from cache and can exceed it")
    if s.get("torch"):
        out.append(f"torch: {s['torch']}")
    return "\n\n".join(out)


def render_optim(result) -> str:
    rows, s = result["rows"], result.get("summary", {})
    impls = [i for i in ("fused", "numpy", "torch_foreach", "torch_fused") if _has(rows, i)]
    ratios = [f"{i}/fused" for i in impls if i != "fused"]
    headers = ["optimizer", "params", "tensors", *impls, *ratios, "fused GB/s", "of bw"]
    lines = [[r["case"], fmt_size(r["params"]["params"]), str(r["params"]["tensors"]),
              *(fmt_stats(_t(r, i)) for i in impls),
              *(fmt_ratio(r["ratios"].get(k)) for k in ratios),
              fmt_num(r["metrics"].get("fused_GBps")), fmt_pct(r["metrics"].get("fused_bw_frac"))]
             for r in rows]
    out = [table(headers, lines, "optim: one step, median [min-max]; a/b = time(a)/time(b)")]
    if s.get("bandwidth_GBps"):
        out.append(f"GB/s counts the bytes each rule must move: (2 + state) arrays read + "
                   f"(1 + state) written, 4 bytes per float32 parameter; bandwidth "
                   f"{s['bandwidth_GBps']:.1f} GB/s ({s.get('bandwidth_source')}); over 100%: "
                   f"in cache, or the machine was busier while the limit was measured")
    for note in s.get("notes", []):
        out.append(note)
    return "\n".join(out)


def render_train(result) -> str:
    rows, s = result["rows"], result.get("summary", {})
    impls = [i for i in ("tapegrad", "tapegrad-compile", "numpy", "torch") if _has(rows, i)]
    ratios = [f"{i}/tapegrad" for i in impls if i != "tapegrad"]
    compiled = "tapegrad-compile" in impls
    vs_torch = compiled and "torch" in impls  # the targets are against torch eager
    headers = ["model", "batch", *impls, *ratios, *(["compile/torch"] if vs_torch else []),
               *(["compile first call"] if compiled else []),
               *(f"{i} peak MB" for i in impls)]
    lines = [[r["case"], str(r["params"]["batch"]), *(fmt_stats(_t(r, i)) for i in impls),
              *(fmt_ratio(r["ratios"].get(k)) for k in ratios),
              *([fmt_ratio(_t(r, "tapegrad-compile")["median"] / _t(r, "torch")["median"])]
                if vs_torch else []),
              *([fmt_time(r["metrics"].get("tapegrad-compile_first_step_s"))] if compiled
                else []),
              *(_mem(r, i) for i in impls)] for r in rows]
    out = [table(headers, lines, "train: one step (forward, loss, backward, Adam), "
                                 "median [min-max] over worker processes")]
    out.append("peak MB: peak RSS of the worker process while training this model, "
               "(+ growth over its RSS before building the model)")
    if compiled:
        out.append("tapegrad-compile: the tapegrad step captured by ag.compile; first call: "
                   "the eager step that traces it (the second trace and the replay's "
                   "generation follow, untimed)")
    for k in ("tapegrad_model", "threads", "rounds"):
        if k in s:
            out.append(f"{k}: {s[k]}")
    return "\n".join(out)


def _mem(row, impl):
    m = row["metrics"]
    peak, step = m.get(f"{impl}_peak_rss_MB"), m.get(f"{impl}_model_rss_MB")
    if peak is None:
        return "-"
    return f"{peak:.0f} (+{step:.0f})" if step is not None else f"{peak:.0f}"


def render_overhead(result) -> str:
    rows, s = result["rows"], result.get("summary", {})
    out = []
    chain = [r for r in rows if r["params"].get("kind") == "per_op"]
    if chain:
        impls = [i for i in ("tapegrad", "numpy_tape", "torch", "tapegrad-compile")
                 if _has(chain, i)]
        split = [i for i in impls if i != "tapegrad-compile"]  # its step is fwd and bwd
        lines = []
        for r in chain:
            m = r["metrics"]
            lines.append([r["case"], *(fmt_stats(_t(r, i)) for i in impls),
                          *(fmt_ratio(r["ratios"].get(f"{i}/tapegrad")) for i in impls[1:]),
                          *(f"{fmt_time(m.get(i + '_forward'))} + {fmt_time(m.get(i + '_backward'))}"
                            for i in split)])
        out.append(table(["case", *impls, *(f"{i}/tapegrad" for i in impls[1:]),
                          *(f"{i} fwd + bwd" for i in split)], lines,
                         "overhead: per op (forward + backward), median [min-max]"))
    long = [r for r in rows if r["params"].get("kind") == "long_chain"]
    if long:
        impls = [i for i in ("tapegrad", "numpy_tape", "torch") if _has(long, i)]
        lines = [[r["case"], *(fmt_stats(_t(r, i)) for i in impls),
                  *(fmt_time(r["metrics"].get(f"{i}_forward")) for i in impls)] for r in long]
        out.append(table(["case", *(f"{i} backward" for i in impls),
                          *(f"{i} forward" for i in impls)], lines))
    imp = [r for r in rows if r["params"].get("kind") == "import"]
    for r in imp:
        m = r["metrics"]
        out.append(
            f"import autograd_core in a fresh process: {fmt_stats(_t(r, 'import'))} "
            f"(numpy alone before it: {fmt_time(m.get('numpy_import_s'))}; numba imported by "
            f"it: {'yes' if m.get('numba_imported') else 'no'}); first kernel calls there "
            f"(relu and sigmoid forward + backward: numba import and cache load, or compile "
            f"when the cache is cold): {fmt_time(m.get('first_calls_s'))}")
    if s.get("target"):
        out.append(s["target"])
    return "\n\n".join(out)


def render_generic(name, result) -> str:
    lines = []
    for r in result["rows"]:
        params = " ".join(f"{k}={v}" for k, v in r["params"].items())
        times = "  ".join(f"{k}: {fmt_stats(v)}" for k, v in r["times"].items())
        ratios = "  ".join(f"{k}={fmt_ratio(v)}" for k, v in r["ratios"].items())
        lines.append([r["case"], params, times, ratios])
    return table(["case", "params", "times", "ratios"], lines, name)


def render_contention(result) -> str:
    s = result.get("summary", {})
    lines = []
    for r in result["rows"]:
        p = r["params"]
        verdict = next((v for v in s.get("verdicts", []) if v["case"] == r["case"]
                        and v["batch"] == p["batch"] and v["scenario"] == p["scenario"]), {})
        ok = "yes" if p["threads"] in verdict.get("within_1.3x", []) else "no"
        lines.append([r["case"], p["batch"], p["scenario"], p["threads"],
                      fmt_stats(r["times"]["tapegrad"]), fmt_ratio(r["ratios"]["vs_best"]), ok])
    out = [table(["workload", "batch", "scenario", "threads", "time per step", "vs best",
                  "within 1.3x"], lines, "contention: training steps at each thread count, "
                  "quiet and with two busy background processes")]
    for name, note in s.get("scenarios", {}).items():
        out.append(f"{name}: {note.get('background_processes')} background process(es); load "
                   f"average {note.get('load_before')} before, {note.get('load_after')} after")
    if "recommended_default" in s:
        worst = ", ".join(f"{n} thread(s): {fmt_ratio(w)}" for n, w in s["worst_ratio"].items())
        verdict = ("is within 1.3x of the best in every case" if s.get(
            "default_within_1.3x_everywhere") else "is the closest (no setting is within 1.3x "
            "everywhere)")
        out.append(f"worst ratio to the best: {worst}; {s['recommended_default']} thread(s) "
                   f"{verdict}")
    return "\n".join(out)


def render_distributed(result) -> str:
    rows, s = result["rows"], result.get("summary", {})
    sweep = [r for r in rows if r["case"].startswith("allreduce")]
    lines = [[fmt_size(r["params"]["bytes"]) + "B", fmt_stats(_t(r, "tapegrad")),
              fmt_stats(_t(r, "mpi4py")), fmt_ratio(r["ratios"].get("tapegrad/mpi4py")),
              fmt_num(r["metrics"].get("busbw_GBps")),
              fmt_num(r["metrics"].get("mpi4py_busbw_GBps"))] for r in sweep]
    out = [table(["message", "dist.all_reduce", "mpi4py Allreduce", "ratio", "bus GB/s",
                  "mpi4py bus GB/s"], lines,
                 "distributed: allreduce of float32 over 2 ranks, median [min-max]; bus "
                 "bandwidth 2(N-1)/N * bytes / time")]
    lines = []
    for r in rows:
        if r["case"].startswith("allreduce"):
            continue
        t, m = r["times"], r["metrics"]
        lines.append([r["case"], r["params"]["ranks"], r["params"]["batch_per_rank"],
                      fmt_stats(_t(r, "step")),
                      fmt_stats(_t(r, "compute")) if "compute" in t else "-",
                      fmt_stats(_t(r, "comm alone")) if "comm alone" in t else "-",
                      fmt_time(m.get("exposed_s")), fmt_pct(m.get("hidden_frac")),
                      m.get("buckets")])
    out.append(table(["workload", "ranks", "batch/rank", "step", "compute (no_sync)",
                      "comm alone", "comm exposed", "comm hidden", "buckets"], lines,
                     "distributed: training step, rank 0's time per step"))
    if s:
        out.append(f"largest message: {fmt_num(s.get('busbw_GBps_largest'))} GB/s bus "
                   "bandwidth")
    return "\n".join(out)


RENDERERS = {"limits": render_limits, "kernels": render_kernels, "optim": render_optim,
             "train": render_train, "overhead": render_overhead,
             "contention": render_contention, "distributed": render_distributed}


def render_header(doc) -> str:
    m, v, t = doc["machine"], doc["versions"], doc.get("threads", {})
    c = doc["config"]
    lines = [
        f"tapegrad-bench  {doc['created']}  ({'quick smoke run' if c.get('quick') else 'full run'})",
        f"machine: {m['cpu']}, {m['available_cores']} cores available "
        f"({m['logical_cpus']} logical), {m['ram_gib']} GiB RAM, {m['os']}",
        f"load average (1/5/15 min) at start: {m.get('loadavg_1_5_15')}, "
        f"at end: {doc.get('loadavg_end')}",
        "versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val),
        "threads: " + ", ".join(f"{k}={val}" for k, val in t.items() if k not in ("env", "pools"))
        + ("; pools: " + "; ".join(t["pools"]) if t.get("pools") else ""),
        "thread env: " + ", ".join(f"{k}={val}" for k, val in t.get("env", {}).items()),
        f"method: warm-up {c['warmup']} call(s) excluded, {c['repeats']} timed repeats of "
        f">= {c['min_time'] * 1e3:g} ms each, implementations interleaved; median [min-max]; "
        f"torch and every training step measured in worker processes of their own",
    ]
    load = m.get("loadavg_1_5_15")
    if load and m.get("available_cores") and load[0] > 0.5 * m["available_cores"]:
        lines.append(f"WARNING: load average {load[0]} on {m['available_cores']} cores: other "
                     f"processes compete for the CPU; multi-threaded timings (BLAS, parallel "
                     f"kernels, torch) suffer most (try --threads 1, or a quiet machine)")
    return "\n".join(lines)


def render(doc) -> str:
    parts = [render_header(doc)]
    for name, result in doc["suites"].items():
        fn = RENDERERS.get(name)
        parts.append(fn(result) if fn else render_generic(name, result))
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------------------------
# JSON, comparison


def write_json(doc, path) -> None:
    Path(path).write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")


def load_json(path) -> dict:
    doc = json.loads(Path(path).read_text())
    if doc.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a {SCHEMA} file (schema={doc.get('schema')!r})")
    return doc


def compare(old, new) -> str:
    """Each implementation's median now vs in ``old``, for the rows both runs measured."""
    old_rows = {row_key(r): r for s in old["suites"].values() for r in s["rows"]}
    lines, changes = [], []
    for suite in new["suites"].values():
        for r in suite["rows"]:
            o = old_rows.get(row_key(r))
            if o is None:
                continue
            params = " ".join(f"{k}={fmt_size(v) if isinstance(v, int) else v}"
                              for k, v in r["params"].items() if k != "sweep")
            for impl, st in r["times"].items():
                ost = o["times"].get(impl)
                if not ost:
                    continue
                change = st["median"] / ost["median"]
                changes.append(change)
                lines.append([f"{r['suite']}: {_label(r)}", params, impl,
                              fmt_time(ost["median"]), fmt_time(st["median"]),
                              f"{100 * (change - 1):+.0f}%"])
    if not lines:
        return "compare: no rows in common with the earlier run"
    changes.sort()
    head = (f"compared with the run of {old.get('created')} on {old['machine'].get('cpu')}: "
            f"{len(lines)} timings; median change {100 * (changes[len(changes) // 2] - 1):+.0f}%"
            " (negative = faster now)")
    return table(["case", "params", "impl", "before", "now", "change"], lines, head)


# --------------------------------------------------------------------------------------------
# Plot


def plot(doc, path) -> str:
    """Draw every size sweep (time and GB/s vs size, one panel per case); returns a message."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ("--plot needs matplotlib, which is not installed (pip install matplotlib, or "
                "pip install -e '.[plot]'); no plot written")
    groups = {}
    for suite in ("kernels", "optim"):
        for r in doc["suites"].get(suite, {}).get("rows", []):
            if r["params"].get("sweep") != "size":
                continue
            label = _label(r) if suite == "kernels" else \
                f"{r['case']} ({r['params'].get('layout')})"
            groups.setdefault((suite, label), []).append(r)
    groups = {k: v for k, v in groups.items() if len({r["params"].get("size", r["params"].get(
        "params")) for r in v}) > 1}
    if not groups:
        return "--plot: no size sweep in this run (run kernels or optim); no plot written"
    ncols = 4
    nrows = -(-len(groups) // ncols)
    fig = plt.figure(figsize=(4 * ncols, 2 * 2.6 * nrows), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    top.suptitle("time per call vs size")
    bottom.suptitle("achieved GB/s vs size (dashed: measured bandwidth)")
    axes_t = top.subplots(nrows, ncols, squeeze=False).ravel()
    axes_b = bottom.subplots(nrows, ncols, squeeze=False).ravel()
    for (suite, label), rows, at, ab in zip(groups.keys(), groups.values(), axes_t, axes_b):
        bw = doc["suites"][suite].get("summary", {}).get("bandwidth_GBps")
        rows = sorted(rows, key=lambda r: r["params"].get("size", r["params"].get("params")))
        xs = [r["params"].get("size", r["params"].get("params")) for r in rows]
        for impl in rows[0]["times"]:
            ys = [r["times"].get(impl, {}).get("median") for r in rows]
            pts = [(x, y) for x, y in zip(xs, ys) if y]
            if pts:
                at.loglog(*zip(*pts), marker="o", ms=3, label=impl)
            gb = [(x, r["metrics"].get(f"{impl}_GBps")) for x, r in zip(xs, rows)]
            gb = [(x, y) for x, y in gb if y]
            if gb:
                ab.semilogx(*zip(*gb), marker="o", ms=3, label=impl)
        if bw:
            ab.axhline(bw, color="gray", ls="--", lw=1)
        for ax in (at, ab):
            ax.set_title(f"{suite}: {label}", fontsize=8)
            ax.tick_params(labelsize=7)
        at.set_ylabel("s", fontsize=7)
        ab.set_ylabel("GB/s", fontsize=7)
        at.legend(fontsize=6)
    for ax in list(axes_t[len(groups):]) + list(axes_b[len(groups):]):
        ax.set_visible(False)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return f"plot written to {path}"


# --------------------------------------------------------------------------------------------
# Validation (used by the tests)


def _finite_positive(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x > 0


def validate(doc) -> list[str]:
    """Problems found in a result document (empty list: valid)."""
    problems = []
    for key in ("schema", "created", "config", "machine", "versions", "threads", "suites"):
        if key not in doc:
            problems.append(f"missing top-level key {key!r}")
    for name, suite in doc.get("suites", {}).items():
        rows = suite.get("rows")
        if not rows:
            problems.append(f"suite {name}: no rows")
            continue
        for i, r in enumerate(rows):
            where = f"{name} row {i} ({r.get('case')})"
            for f in ROW_FIELDS:
                if f not in r:
                    problems.append(f"{where}: missing {f!r}")
            if r.get("suite") != name:
                problems.append(f"{where}: suite is {r.get('suite')!r}")
            if not r.get("times"):
                problems.append(f"{where}: no times")
            for impl, st in r.get("times", {}).items():
                for f in STATS_FIELDS:
                    if not _finite_positive(st.get(f)):
                        problems.append(f"{where}: times[{impl}].{f} = {st.get(f)!r}")
                if all(_finite_positive(st.get(f)) for f in STATS_FIELDS) and not (
                        st["min"] <= st["median"] <= st["max"]):
                    problems.append(f"{where}: times[{impl}] not min <= median <= max")
            for k, v in r.get("ratios", {}).items():
                if not _finite_positive(v):
                    problems.append(f"{where}: ratio {k} = {v!r}")
            for k, v in r.get("metrics", {}).items():
                if not (isinstance(v, (int, float)) and math.isfinite(v)):
                    problems.append(f"{where}: metric {k} = {v!r}")
    return problems
