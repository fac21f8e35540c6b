"""tapegrad-bench distributed --quick: the MPI jobs run, every row has its timings, the
derived figures are consistent with them, and the table renders (no timing is asserted)."""

from bench import cli, distributed, report


def test_quick_suite_rows_and_table():
    args = cli.build_parser().parse_args(["distributed", "--quick", "--threads", "1", "-q"])
    cfg = cli.make_config(args)
    result = distributed.run(cfg, {})
    sweep = [r for r in result["rows"] if r["case"] == "allreduce float32"]
    assert [r["params"]["bytes"] for r in sweep] == [4 << 12, 4 << 16, 4 << 20]
    for r in sweep:
        t = r["times"]
        assert r["ratios"]["tapegrad/mpi4py"] == t["tapegrad"]["median"] / t["mpi4py"]["median"]
        # 2 ranks: bus bandwidth = 2 (N-1)/N * bytes / time = bytes / time
        assert abs(r["metrics"]["busbw_GBps"] * t["tapegrad"]["median"] * 1e9
                   - r["params"]["bytes"]) < 1e-6 * r["params"]["bytes"]
    steps = {r["params"]["ranks"]: r for r in result["rows"] if r["case"].startswith("train")}
    assert set(steps) == {1, 2}
    two = steps[2]
    assert two["metrics"]["grad_bytes"] == 4 * (784 * 500 + 500 + 500 * 300 + 300 + 300 * 10
                                                + 10)
    exposed = max(0.0, two["times"]["step"]["median"] - two["times"]["compute"]["median"])
    assert two["metrics"]["exposed_s"] == exposed
    assert 0.0 <= two["metrics"]["hidden_frac"] <= 1.0
    text = report.render_distributed(result)
    assert "dist.all_reduce" in text and "comm hidden" in text
