"""Command line: ``python -m bench SUITE [options]`` or ``tapegrad-bench SUITE [options]``.

Tables go to stdout, progress to stderr. Every option is checked before anything is measured
(``bench.checks``). Thread counts: ``--threads N`` (default ``ag.get_num_threads()``) is applied
with ``ag.set_num_threads`` (Numba's kernels and the BLAS, as users set it) and to torch, and
pinned in the environment of every worker process before it imports numpy.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.metadata
import importlib.util
import os
import sys
import traceback

from bench import checks

SUITES = {
    "limits": "the machine's measured memory bandwidth (copy, triad) and matmul GFLOP/s",
    "kernels": "fused elementwise kernels (forward, backward): Numba vs numpy vs PyTorch across "
               "sizes, the serial/parallel crossover, and speed next to a BLAS matmul",
    "optim": "one optimizer step at several parameter counts, as one tensor and as many: "
             "fused vs numpy vs torch.optim (foreach, fused), with GB/s",
    "train": "full training steps of MLPs: tapegrad vs hand-written numpy vs PyTorch eager, "
             "each in its own worker process, with peak memory",
    "conv": "convolution and pooling layers (forward, backward to input, to weight) and LeNet-5 "
            "/ ResNet-8 training steps vs PyTorch, each library in its own worker process",
    "layers": "transformer, recurrent and modern-CNN layers (norms, softmax, attention, LSTM/GRU, "
              "embedding, depthwise conv, padding, upsampling) forward and forward+backward vs "
              "PyTorch, each library in its own worker process",
    "overhead": "per-op record+backward cost on tiny tensors, backward of a 100,000-op chain, "
                "import time and Numba cache behaviour",
    "contention": "training steps (the example's and the train suite's) at 1 thread and every "
                  "core, on the machine as it is and with two busy background processes: which "
                  "thread count is within 1.3x of the best",
    "distributed": "data parallel over MPI (the mpi extra): allreduce bandwidth vs mpi4py on "
                   "raw buffers across message sizes, and the MLP training step at 1 and 2 "
                   "ranks split into compute and communication, with how much backward hides",
}
ORDER = ("limits", "kernels", "optim", "train", "conv", "layers", "overhead")  # limits first: others use its GB/s
EXTRA = ("contention", "distributed")  # not in "all": contention loads the machine on
# purpose; distributed needs the mpi extra


def _common_options():
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("run options")
    g.add_argument("--quick", action="store_true",
                   help="seconds-long smoke run: tiny sizes, 1-2 repeats (used by the tests)")
    g.add_argument("--repeats", type=checks.positive_int,
                   help="timed repeats per measurement (default 5)")
    g.add_argument("--warmup", type=checks.non_negative_int,
                   help="untimed warm-up calls (default 1)")
    g.add_argument("--min-time", type=checks.positive_float,
                   help="seconds per timed repeat; fast calls are looped (default 0.01)")
    g.add_argument("--threads", type=checks.positive_int,
                   help="threads for Numba, BLAS and torch alike, set with ag.set_num_threads "
                        "(default: ag.get_num_threads(): TAPEGRAD_NUM_THREADS or "
                        "OMP_NUM_THREADS if set, else tapegrad's default)")
    g.add_argument("--no-torch", action="store_true", help="skip PyTorch even if importable")
    g.add_argument("--json", metavar="PATH", help="also write every result to PATH as JSON")
    g.add_argument("--compare", metavar="OLD.json",
                   help="show the change of every timing against an earlier --json run")
    g.add_argument("--plot", metavar="PATH",
                   help="draw the size sweeps (time and GB/s vs size) to PATH (matplotlib)")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return p


def _suite_options(parser, suites):
    g = parser.add_argument_group("suite options")
    if "kernels" in suites:
        g.add_argument("--sizes", type=checks.sizes, help="kernels: element counts (default "
                       "1e2,1e3,1e4,1e5,1e6,1e7)")
        g.add_argument("--crossover-sizes", type=checks.sizes,
                       help="kernels: serial/parallel sweep (default 2**10 .. 2**22)")
        g.add_argument("--kernels", dest="kernel_filter", metavar="NAMES",
                       help="kernels: only kernels whose name contains one of NAMES "
                            "(comma-separated)")
        g.add_argument("--matmul-n", type=checks.positive_int,
                       help="kernels: contention matmul size (512)")
    if "optim" in suites:
        g.add_argument("--param-counts", type=checks.sizes,
                       help="optim: parameter counts (default 1e4,1e5,1e6,1e7)")
        g.add_argument("--optimizers", dest="optim_filter", metavar="NAMES",
                       help="optim: only algorithms whose name contains one of NAMES")
    if {"train", "contention", "distributed", "conv", "layers"} & set(suites):
        g.add_argument("--rounds", type=checks.positive_int,
                       help="train, conv, layers, contention, distributed: worker processes (or "
                            "MPI jobs) per implementation or thread count, alternated (3)")
    if "train" in suites or "overhead" in suites:
        g.add_argument("--compile", action="store_true", default=None,
                       help="train, overhead: also time the step captured by ag.compile "
                            "(column tapegrad-compile)")
    if "overhead" in suites:
        g.add_argument("--chain-links", type=checks.positive_int,
                       help="overhead: links of z = z*c + d for the per-op cost (1000)")
        g.add_argument("--long-chain-ops", type=checks.positive_int,
                       help="overhead: long chain ops (100000)")
    if "limits" in suites:
        g.add_argument("--bw-elements", type=checks.sizes,
                       help="limits: float32 elements per bandwidth array (1e8 = 400 MB)")


def build_parser():
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="tapegrad-bench",
        description="Benchmarks for tapegrad: kernels, optimizer steps, training steps and "
                    "per-op overhead against plain numpy and PyTorch, on this machine.",
        epilog="Example: tapegrad-bench all --json run.json --plot sweep.png")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="SUITE")
    for name in ORDER + EXTRA:
        sp = sub.add_parser(name, parents=[common], help=SUITES[name], description=SUITES[name])
        _suite_options(sp, (name,))
    sp = sub.add_parser("all", parents=[common], help="every suite, in the order " +
                        ", ".join(ORDER), description="Run every suite: " + ", ".join(ORDER))
    _suite_options(sp, ORDER)
    return parser


def _version() -> str:
    """tapegrad's version, read from the source next to this package without importing it
    (nothing heavy before --help), else from the installed metadata."""
    import re
    from pathlib import Path

    init = Path(__file__).resolve().parent.parent / "autograd_core" / "__init__.py"
    try:
        found = re.search(r'^__version__ = "([^"]+)"', init.read_text(), re.MULTILINE)
    except OSError:
        found = None
    if found:
        return found.group(1)
    try:
        return importlib.metadata.version("tapegrad")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def check_args(parser, args) -> dict | None:
    """Every check that can be made before measuring (``parser.error`` on the first problem);
    returns the ``--compare`` document, if any."""
    for option, path in (("--json", args.json), ("--plot", args.plot)):
        if path is not None:
            problem = checks.output_path(path, option)
            if problem:
                parser.error(problem)
    if args.json and args.plot and os.path.realpath(args.json) == os.path.realpath(args.plot):
        parser.error(f"--json and --plot are the same file {args.json!r}")
    if args.plot and importlib.util.find_spec("matplotlib") is None:
        parser.error('--plot needs matplotlib, which is not installed: pip install -e ".[plot]" '
                     "(or: pip install matplotlib)")
    if getattr(args, "bw_elements", None) and len(args.bw_elements) != 1:
        parser.error(f"--bw-elements takes one size, got {len(args.bw_elements)}")
    if getattr(args, "kernel_filter", None) is not None:
        from autograd_core.kernels import KERNELS

        problem = checks.name_filter(args.kernel_filter, KERNELS, "--kernels", "kernel")
        if problem:
            parser.error(problem)
    if getattr(args, "optim_filter", None) is not None:
        from optimizers.registry import ALGORITHMS

        problem = checks.name_filter(args.optim_filter, ALGORITHMS, "--optimizers", "optimizer")
        if problem:
            parser.error(problem)
    if args.compare is not None:
        from bench import report

        doc, problem = checks.compare_file(args.compare, report.SCHEMA)
        if problem:
            parser.error(problem)
        return doc
    return None


def make_config(args):
    from bench.config import Config

    explicit = {k: v for k, v in vars(args).items() if v is not None and k in Config.__annotations__}
    if isinstance(explicit.get("bw_elements"), list):
        explicit["bw_elements"] = explicit["bw_elements"][0]
    explicit["threads"] = args.threads
    explicit["use_torch"] = not args.no_torch
    explicit["verbose"] = not args.quiet
    explicit.pop("quick", None)
    return Config.quick_defaults(**explicit) if args.quick else Config(**explicit)


def main(argv=None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    from bench import machine

    if args.threads is not None:
        machine.pin_env(args.threads)  # before numpy is imported
    old = check_args(parser, args)
    import autograd_core as ag

    if args.threads is None:
        args.threads = ag.get_num_threads()
        machine.pin_env(args.threads)  # for worker processes
    cfg = make_config(args)
    import numba  # noqa: F401  (imported now so its pool is pinned with the others)

    machine.pin_runtime(cfg.threads)
    from bench import report

    if cfg.quick:
        from bench import worker

        worker.prefetch_suites(cfg, ORDER if args.command == "all" else (args.command,))
    suites = ORDER if args.command == "all" else (args.command,)
    doc = {"schema": report.SCHEMA,
           "created": datetime.datetime.now().isoformat(timespec="seconds"),
           "command": "tapegrad-bench " + " ".join(argv),
           "config": cfg.as_dict(), "machine": machine.describe(),
           "versions": machine.versions(), "suites": {}}
    context, failed = {}, []
    for name in suites:
        cfg.progress(name, "starting")
        try:
            result = importlib.import_module(f"bench.{name}").run(cfg, context)
        except Exception:  # report and go on with the other suites
            traceback.print_exc()
            failed.append(name)
            result = {"rows": [], "summary": {}, "error": traceback.format_exc(limit=3)}
        if name == "limits" and result["rows"]:
            context["bandwidth_GBps"] = result["summary"]["bandwidth_GBps"]
        doc["suites"][name] = result
    doc["threads"] = machine.threads_report()
    try:
        doc["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        doc["loadavg_end"] = None

    sys.stdout.write(report.render(doc))
    if old is not None:
        sys.stdout.write("\n" + report.compare(old, doc) + "\n")
    if args.json:
        report.write_json(doc, args.json)
        cfg.progress("bench", f"results written to {args.json}")
    if args.plot:
        print(f"bench: {report.plot(doc, args.plot)}", file=sys.stderr)
    if failed:
        print(f"bench: suite(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
