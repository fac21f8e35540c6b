"""tapegrad-bench's options: every bad value is an argparse error naming the option (exit 2,
before anything is measured, never a traceback), --version, and the contention suite's
verdict logic and background processes. No test asserts a timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import checks, contention, report
from bench.cli import build_parser, check_args

ROOT = Path(__file__).resolve().parents[2]


def bench(*args, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "bench", *args], check=False,
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


def parse_error(capsys, argv):
    """The argparse error for ``argv`` (parsing and the pre-run checks), or fail."""
    parser = build_parser()
    with pytest.raises(SystemExit) as exc:
        args = parser.parse_args(argv)
        check_args(parser, args)
    assert exc.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["kernels", "--repeats", "0"], "argument --repeats: must be a positive integer, got 0"),
    (["kernels", "--repeats", "x"], "argument --repeats: expected an integer, got 'x'"),
    (["kernels", "--warmup", "-1"], "argument --warmup: must be an integer >= 0, got -1"),
    (["kernels", "--min-time", "0"], "argument --min-time: must be a finite number > 0, got 0"),
    (["kernels", "--min-time", "nan"], "argument --min-time: must be a finite number > 0"),
    (["kernels", "--threads", "0"], "argument --threads: must be a positive integer, got 0"),
    (["kernels", "--threads", "-2"], "argument --threads: must be a positive integer, got -2"),
    (["kernels", "--sizes", "100,-5"], "argument --sizes: sizes must be positive, got '-5'"),
    (["kernels", "--sizes", "1e3,abc"], "argument --sizes: expected comma-separated positive"),
    (["kernels", "--sizes", "1.5"], "argument --sizes: expected comma-separated positive"),
    (["kernels", "--sizes", ","], "argument --sizes: expected at least one size"),
    (["kernels", "--crossover-sizes", "0"], "argument --crossover-sizes: sizes must be positive"),
    (["kernels", "--matmul-n", "0"], "argument --matmul-n: must be a positive integer"),
    (["kernels", "--kernels", "relu_forward,nosuchkernel"],
     "--kernels: unknown kernel name(s) 'nosuchkernel'; choose from: sigmoid_forward"),
    (["kernels", "--kernels", ","], "--kernels: expected comma-separated kernel names"),
    (["optim", "--param-counts", "0"], "argument --param-counts: sizes must be positive"),
    (["optim", "--optimizers", "adamx"], "--optimizers: unknown optimizer name(s) 'adamx'"),
    (["train", "--rounds", "0"], "argument --rounds: must be a positive integer, got 0"),
    (["contention", "--rounds", "-1"], "argument --rounds: must be a positive integer"),
    (["layers", "--rounds", "0"], "argument --rounds: must be a positive integer, got 0"),
    (["conv", "--rounds", "x"], "argument --rounds: expected an integer, got 'x'"),
    (["overhead", "--chain-links", "0"], "argument --chain-links: must be a positive integer"),
    (["overhead", "--long-chain-ops", "-3"], "argument --long-chain-ops: must be a positive"),
    (["limits", "--bw-elements", "1e3,1e4"], "--bw-elements takes one size, got 2"),
    (["nosuite"], "argument SUITE: invalid choice: 'nosuite'"),
])
def test_every_option_is_validated(capsys, argv, message):
    err = parse_error(capsys, argv)
    assert "error: " + message in err, err


@pytest.mark.parametrize("option", ["--json", "--plot"])
@pytest.mark.parametrize("case", ["folder", "missing parent", "parent is a file", "read-only"])
def test_output_paths_are_checked_before_any_work(capsys, tmp_path, option, case):
    (tmp_path / "a_file").write_text("x")
    path, message = {
        "folder": (str(tmp_path), "is a folder; give a file name"),
        "missing parent": (str(tmp_path / "no" / "x.out"), "does not exist"),
        "parent is a file": (str(tmp_path / "a_file" / "x.out"), "is a file, not a folder"),
        # /proc refuses new files even to root (permission bits do not stop root)
        "read-only": ("/proc/tapegrad-test.out", "cannot write in folder '/proc'"),
    }[case]
    err = parse_error(capsys, ["limits", option, path])
    assert f"error: {option} " in err and message in err, err


def test_a_bad_output_path_fails_in_the_first_second_from_the_command_line(tmp_path):
    start = time.perf_counter()
    proc = bench("all", "--json", str(tmp_path / "missing" / "run.json"))
    elapsed = time.perf_counter() - start
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "error: --json" in proc.stderr and "does not exist" in proc.stderr
    assert "starting" not in proc.stderr  # no suite started
    assert elapsed < 30  # generous: a Python start-up, not a benchmark run


def test_plot_without_matplotlib_is_refused_up_front(capsys, monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    err = parse_error(capsys, ["limits", "--plot", str(tmp_path / "x.png")])
    assert "--plot needs matplotlib" in err and 'pip install -e ".[plot]"' in err


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("not json {", "not JSON (Expecting value at line 1)"),
    ("[1, 2]", "not a tapegrad-bench/1 results file (schema='list')"),
    ('{"schema": "other/2"}', "not a tapegrad-bench/1 results file (schema='other/2')"),
    ('{"schema": "tapegrad-bench/1", "suites": [], "machine": {}}', "its 'suites' are not"),
    ('{"schema": "tapegrad-bench/1", "suites": {}}', "no 'machine' description"),
    (('{"schema": "tapegrad-bench/1", "machine": {}, "suites": {"k": {"rows": [{"suite": "k", '
     '"case": "c", "params": {}, "times": {"numba": {"median": -1}}}]}}}'), "a row of its"),
])
def test_compare_file_is_checked_up_front(capsys, tmp_path, content, message):
    path = tmp_path / "old.json"
    if content is not None:
        path.write_text(content)
    err = parse_error(capsys, ["limits", "--compare", str(path)])
    assert f"error: --compare {str(path)!r}" in err and message in err, err


def test_compare_file_that_is_binary_or_a_folder(capsys, tmp_path):
    binary = tmp_path / "x.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    assert "not a text file" in parse_error(capsys, ["limits", "--compare", str(binary)])
    assert "is a folder" in parse_error(capsys, ["limits", "--compare", str(tmp_path)])


def test_a_valid_compare_file_is_accepted(tmp_path):
    doc = {"schema": report.SCHEMA, "machine": {"cpu": "x"}, "suites": {"limits": {"rows": [
        {"suite": "limits", "case": "copy", "params": {}, "times": {"numpy": {"median": 1e-3}}}
    ]}}}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    loaded, problem = checks.compare_file(str(path), report.SCHEMA)
    assert problem is None and loaded == doc


def test_version():
    import autograd_core as ag

    proc = bench("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"tapegrad-bench {ag.__version__}"


def test_no_traceback_for_any_bad_option_from_the_command_line():
    proc = bench("kernels", "--threads", "0", "--sizes", "abc")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "error:" in proc.stderr


# ---- contention --------------------------------------------------------------------------------
def test_contention_verdicts_and_default():
    by_case = {("example", 64, "quiet"): {1: 10.0, 2: 8.0},     # 2 best, 1 within 1.25x
               ("example", 64, "busy"): {1: 10.0, 2: 40.0},     # 1 best, 2 at 4x
               ("train", 128, "quiet"): {1: 12.0, 2: 10.0}}     # 1 at 1.2x
    s = contention.summarise(by_case)
    quiet = next(v for v in s["verdicts"] if v["case"] == "example" and v["scenario"] == "quiet")
    assert quiet["best"] == 2 and quiet["within_1.3x"] == [1, 2]
    busy = next(v for v in s["verdicts"] if v["scenario"] == "busy")
    assert busy["best"] == 1 and busy["within_1.3x"] == [1]
    assert s["worst_ratio"] == {"1": 1.25, "2": 4.0}
    assert s["recommended_default"] == 1 and s["default_within_1.3x_everywhere"]
    # no setting within 1.3x everywhere: the smallest worst case, flagged
    s = contention.summarise({("a", 1, "quiet"): {1: 10.0, 2: 5.0},
                              ("a", 1, "busy"): {1: 5.0, 2: 20.0}})
    assert s["recommended_default"] == 1 and not s["default_within_1.3x_everywhere"]


def test_busy_processes_are_bounded_and_killed():
    with contention.Busy(2, deadline=30) as busy:
        assert busy.alive() == 2
        pids = [p.pid for p in busy.procs]
    assert busy.alive() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with contention.Busy(1, deadline=0.1) as busy:  # the deadline alone ends them
        busy.procs[0].wait(timeout=30)
        assert busy.alive() == 0


def test_thread_counts_cover_one_every_core_and_the_default():
    from autograd_core.threads import default_num_threads

    counts = contention.thread_counts()
    cores = len(os.sched_getaffinity(0))
    assert counts == sorted(set(counts)) and {1, cores, min(default_num_threads(), cores)} == \
        set(counts)


def test_contention_quick_run(tmp_path):
    path = tmp_path / "c.json"
    proc = bench("contention", "--quick", "--json", str(path), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(path.read_text())
    assert report.validate(doc) == []
    result = doc["suites"]["contention"]
    keys = {(r["case"], r["params"]["batch"], r["params"]["scenario"], r["params"]["threads"])
            for r in result["rows"]}
    counts = result["summary"]["thread_counts"]
    assert len(keys) == 3 * 2 * len(counts)
    assert result["summary"]["recommended_default"] in counts
    assert result["summary"]["scenarios"]["busy"]["background_processes"] == 2
    assert result["summary"]["scenarios"]["busy"]["background_alive_at_end"] == 2
    assert "within 1.3x" in proc.stdout and "thread(s)" in proc.stdout


def test_bench_threads_go_through_ag_set_num_threads():
    import autograd_core as ag
    from bench import machine
    from threadpoolctl import threadpool_limits

    # pin_runtime sets process-wide pools (OpenMP, BLAS, torch's when loaded): all are put
    # back, or a later test runs torch with one thread (its float16 softmax then rounds
    # otherwise, and a PyTorch-parity test saw that)
    before, parallel = ag.get_num_threads(), os.environ.get("TAPEGRAD_PARALLEL")
    pools = threadpool_limits(limits=None)  # records the pools' limits, changes nothing
    torch = sys.modules.get("torch")
    torch_threads = torch.get_num_threads() if torch is not None else None
    try:
        machine.pin_runtime(2)
        assert ag.get_num_threads() == 2
        machine.pin_runtime(1)
        assert ag.get_num_threads() == 1 and os.environ.get("TAPEGRAD_PARALLEL") == "0"
    finally:
        ag.set_num_threads(before)
        pools.restore_original_limits()
        if torch is not None:
            torch.set_num_threads(torch_threads)
        if parallel is None:
            os.environ.pop("TAPEGRAD_PARALLEL", None)
        else:
            os.environ["TAPEGRAD_PARALLEL"] = parallel
