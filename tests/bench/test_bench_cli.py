"""The benchmark tool end to end: ``python -m bench all --quick`` and its JSON, --compare, --plot,
--help; and the pieces whose correctness the numbers rest on (the hand-written numpy baseline,
the crossover rule, the JSON validator). No test asserts a timing.

The quick runs use ``--threads 1``: results are not the point here, and single-threaded pools
cannot fight over the CPU with whatever else the machine runs.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench import report

ROOT = Path(__file__).resolve().parents[2]
HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_MPL = importlib.util.find_spec("matplotlib") is not None
SUITES = ("limits", "kernels", "optim", "train", "conv", "layers", "overhead")


def bench(*args, timeout=600):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "bench", *args], check=False, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n" \
                                 f"{proc.stderr[-5000:]}"
    return proc


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "quick.json"
    proc = bench("all", "--quick", "--threads", "1", "--json", str(path))
    return proc, json.loads(path.read_text()), path


def test_help():
    out = bench("--help").stdout
    for suite in SUITES + ("all",):
        assert suite in out
    from bench.cli import build_parser

    parser = build_parser()
    for suite in SUITES + ("all",):
        with pytest.raises(SystemExit) as exc:
            parser.parse_args([suite, "--help"])
        assert exc.value.code == 0


def test_quick_all_writes_valid_json(quick_run):
    proc, doc, _ = quick_run
    assert report.validate(doc) == []
    assert list(doc["suites"]) == list(SUITES)
    for suite in SUITES:
        assert "error" not in doc["suites"][suite], doc["suites"][suite].get("error")
    # pinned threads and the machine are recorded and printed
    assert doc["threads"]["numba"] == 1
    assert doc["versions"]["numpy"] and doc["machine"]["cpu"]
    assert "threads:" in proc.stdout and "versions:" in proc.stdout
    # progress goes to stderr, tables to stdout
    assert "kernels: starting" in proc.stderr
    for title in ("limits:", "kernels:", "optim:", "train:", "overhead:"):
        assert title in proc.stdout


def test_every_row_has_its_fields(quick_run):
    _, doc, _ = quick_run
    for suite in doc["suites"].values():
        for row in suite["rows"]:
            assert set(report.ROW_FIELDS) <= set(row)
            for st in row["times"].values():
                assert st["min"] <= st["median"] <= st["max"]
            for value in row["ratios"].values():
                assert math.isfinite(value) and value > 0


def test_kernels_cover_every_kernel(quick_run):
    from autograd_core.kernels import KERNELS

    _, doc, _ = quick_run
    rows = [r for r in doc["suites"]["kernels"]["rows"] if r["params"]["sweep"] == "size"]
    assert {r["case"] for r in rows} == set(KERNELS)
    for r in rows:
        assert {"numba", "numpy"} <= set(r["times"])
        assert r["ratios"]["numpy/numba"] > 0 and r["metrics"]["numba_GBps"] > 0
        if HAS_TORCH:
            assert "torch" in r["times"]
    assert any(r["params"]["sweep"] == "crossover" for r in doc["suites"]["kernels"]["rows"])
    assert "crossover" in doc["suites"]["kernels"]["summary"]


def test_optim_covers_every_algorithm(quick_run):
    from optimizers.registry import ALGORITHMS

    _, doc, _ = quick_run
    rows = doc["suites"]["optim"]["rows"]
    assert {r["case"] for r in rows} == set(ALGORITHMS)
    assert {r["params"]["layout"] for r in rows} == {"one", "many"}
    for r in rows:
        assert r["metrics"]["fused_bw_frac"] > 0
        if HAS_TORCH:
            assert "torch_foreach" in r["times"]
    if HAS_TORCH:
        assert "torch_fused" in next(r for r in rows if r["case"] == "adam")["times"]


def test_layers_rows(quick_run):
    from bench import layers

    _, doc, _ = quick_run
    rows = doc["suites"]["layers"]["rows"]
    got = {(r["case"], r["params"]["what"]) for r in rows}
    assert got == {(case, what) for case in layers.CASES for what in ("fwd", "fwd+bwd")}
    for r in rows:
        assert "tapegrad" in r["times"]
        if HAS_TORCH:
            assert r["ratios"]["tapegrad/torch"] > 0


@pytest.mark.torch_parity
def test_layers_cases_compute_the_same_in_both_libraries():
    """The suite times the same computation in both libraries: each case's forward (same
    seeds, the same inputs, the modules' weights PyTorch's for the seed) gives PyTorch's
    values, and its backward PyTorch's input gradients."""
    pytest.importorskip("torch")
    from bench import layers

    ours, theirs = layers._cases(layers._Lib("tapegrad"), True), \
        layers._cases(layers._Lib("torch"), True)
    assert tuple(ours) == layers.CASES
    for case in layers.CASES:
        (f_a, ts_a), (f_b, ts_b) = ours[case], theirs[case]
        a, b = f_a(), f_b()
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=2e-5,
                                   atol=2e-6, err_msg=case)
        a.sum().backward()
        b.sum().backward()
        np.testing.assert_allclose(ts_a[0].grad.numpy(), ts_b[0].grad.numpy(), rtol=2e-4,
                                   atol=2e-5, err_msg=case)


def test_conv_rows(quick_run):
    from bench import conv

    _, doc, _ = quick_run
    rows = doc["suites"]["conv"]["rows"]
    got = {(r["case"], r["params"]["what"]) for r in rows}
    for case, *_ in conv.CONV_LAYERS[:2]:  # --quick: LeNet's two layers
        assert {(case, w) for w in ("conv fwd", "conv bwd-input", "conv bwd-weight")} <= got
    assert (conv.POOL_LAYERS[0][0], "pool fwd") in got
    assert {(s, "step") for s in conv.STEPS} <= got
    for r in rows:
        assert "tapegrad" in r["times"]
        if HAS_TORCH:
            assert r["ratios"]["tapegrad/torch"] > 0


def test_train_rows(quick_run):
    _, doc, _ = quick_run
    rows = doc["suites"]["train"]["rows"]
    assert [(r["case"], r["params"]["batch"]) for r in rows] == [
        ("tiny 2-16-16-1", 64), ("mlp 784-500-300-10", 32), ("mlp 784-500-300-10", 128)]
    impls = ["tapegrad", "numpy"] + (["torch"] if HAS_TORCH else [])
    for r in rows:
        assert set(r["times"]) == set(impls)
        for impl in impls:
            assert r["metrics"][f"{impl}_peak_rss_MB"] > 0
            assert math.isfinite(r["metrics"][f"{impl}_loss_last"])


def test_overhead_rows(quick_run):
    _, doc, _ = quick_run
    kinds = [r["params"]["kind"] for r in doc["suites"]["overhead"]["rows"]]
    assert kinds == ["per_op", "long_chain", "import"]


def test_compare_against_an_earlier_run(quick_run, tmp_path):
    _, doc, path = quick_run
    out = bench("limits", "--quick", "--threads", "1", "-q", "--compare", str(path)).stdout
    assert "compared with the run of" in out and "copy numpy" in out
    # the function itself, on the same document twice: every change is 0%
    text = report.compare(doc, doc)
    assert "+0%" in text and "median change +0%" in text
    with pytest.raises(ValueError):
        bad = tmp_path / "bad.json"
        bad.write_text("{}")
        report.load_json(bad)


def test_plot(tmp_path):
    if not HAS_MPL and not os.environ.get("CI"):
        pytest.skip("matplotlib not installed")
    png = tmp_path / "sweep.png"
    proc = bench("kernels", "--quick", "--threads", "1", "--no-torch", "--kernels",
                 "relu_forward", "--plot", str(png))
    assert png.stat().st_size > 1000, proc.stderr
    assert "plot written" in proc.stderr


def test_plot_without_matplotlib_says_so(quick_run, tmp_path, monkeypatch):
    _, doc, _ = quick_run
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import raises ImportError
    msg = report.plot(doc, tmp_path / "x.png")
    assert "needs matplotlib" in msg and not (tmp_path / "x.png").exists()


def test_validate_catches_bad_rows(quick_run):
    _, doc, _ = quick_run
    bad = json.loads(json.dumps(doc))
    row = bad["suites"]["kernels"]["rows"][0]
    row["ratios"]["numpy/numba"] = float("nan")
    row["times"]["numba"]["median"] = -1.0
    del row["metrics"]
    problems = report.validate(bad)
    assert len(problems) >= 3


def test_crossover_rule():
    from bench.kernels import crossover

    assert crossover({1: 0.5, 2: 0.9, 4: 1.2, 8: 1.5}) == 4
    assert crossover({1: 1.5, 2: 0.9, 4: 1.2}) == 4  # must pay at every larger size
    assert crossover({1: 0.5, 2: 0.9}) is None


def test_many_tensor_layout_sums_to_the_count():
    from bench.optim import tensor_sizes

    for n in (40, 1000, 12345, 10**7):
        sizes = tensor_sizes(n, "many")
        assert sum(sizes) == n and len(sizes) == 20 and min(sizes) >= 1
    assert tensor_sizes(10, "many") == [10]


@pytest.mark.parametrize("sizes,loss", [([784, 50, 30, 10], "ce"), ([2, 16, 16, 1], "bce")])
def test_numpy_baseline_trains_like_tapegrad(sizes, loss):
    """The hand-written baseline computes what nn + optimizers.Adam compute."""
    import autograd_core as ag
    import nn
    import optimizers
    from bench.numpy_mlp import NumpyMLP
    from bench.train import make_data

    rng = np.random.default_rng(3)
    base = NumpyMLP.random(sizes, rng, loss=loss, lr=1e-2)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(a, b)
        lin.weight._data[...] = base.params[2 * i]
        lin.bias._data[...] = base.params[2 * i + 1]
        layers += [lin] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
    model = nn.Sequential(*layers)
    crit = nn.CrossEntropyLoss() if loss == "ce" else nn.BCEWithLogitsLoss()
    opt = optimizers.Adam(model.parameters(), lr=1e-2)
    x, y = make_data(sizes, 16, loss, seed=1)
    for _ in range(3):
        opt.zero_grad()
        out = crit(model(ag.tensor(x)), ag.tensor(y))
        out.backward()
        opt.step()
        assert base.step(x, y) == pytest.approx(out.item(), rel=1e-5)
    # atol: a tenth of one Adam step (lr): where a gradient is ~0, m/sqrt(v) turns float32
    # rounding into differences of that order
    for p, q in zip(model.parameters(), base.params):
        np.testing.assert_allclose(p._data, q, rtol=1e-4, atol=1e-3)
