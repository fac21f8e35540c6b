"""``tapegrad-bench train --compile``: the option reaches the config, the compiled builder
trains exactly as the eager one, and the report shows the column, its ratio to torch and the
first call's time. No timing is asserted."""

from __future__ import annotations

from bench import report, timing, train
from bench.cli import build_parser, make_config


def test_compile_option_adds_the_implementation():
    args = build_parser().parse_args(["train", "--compile", "--no-torch", "--threads", "1"])
    cfg = make_config(args)
    assert cfg.compile and train._impls(cfg) == ["tapegrad", "tapegrad-compile", "numpy"]
    cfg = make_config(build_parser().parse_args(["train", "--no-torch", "--threads", "1"]))
    assert not cfg.compile and "tapegrad-compile" not in train._impls(cfg)


def test_compiled_builder_trains_like_the_eager_one():
    eager, eager_loss = train.build_tapegrad([2, 16, 16, 1], 8, "bce")
    compiled, compiled_loss = train.build_tapegrad_compiled([2, 16, 16, 1], 8, "bce")
    for _ in range(5):  # two traces, then replays
        assert eager_loss() == compiled_loss()


def test_report_shows_the_compile_column():
    def stats(ms):
        return timing.Stats(ms / 1e3, ms / 1e3, ms / 1e3, 1, 1)

    times = {"tapegrad": stats(2.0), "tapegrad-compile": stats(1.0), "torch": stats(4.0)}
    row = report.make_row("train", "tiny 2-16-16-1", {"batch": 64}, times,
                          report.time_ratios(times, "tapegrad"),
                          {"tapegrad-compile_first_step_s": 0.25})
    text = report.render_train({"rows": [row], "summary": {}})
    header, line = text.splitlines()[2], text.splitlines()[4]
    assert "tapegrad-compile" in header and "compile/torch" in header
    assert "compile first call" in header
    assert "0.50x" in line and "0.25x" in line and "250ms" in line


def test_overhead_compile_chain_gives_the_eager_chains_gradients():
    """``tapegrad-bench overhead --compile``: the option is accepted, and the compiled chain
    (fused into generated kernels) computes what the eager chain computes."""
    from bench import overhead

    args = build_parser().parse_args(["overhead", "--compile", "--no-torch", "--threads", "1"])
    assert make_config(args).compile
    step, reset = overhead._chain_tapegrad_compiled(7, 5)
    forward, backward = overhead._chain_tapegrad(7, 5)
    assert step().item() == forward().item()
    assert "fused_shape_error" in next(iter(step._cache.values()))[0].source


def test_report_shows_the_overhead_compile_column():
    def stats(us):
        return timing.Stats(us / 1e6, us / 1e6, us / 1e6, 1, 1)

    times = {"tapegrad": stats(5.0), "numpy_tape": stats(2.0), "tapegrad-compile": stats(1.0)}
    row = report.make_row("overhead", "z = z*c + d, 1 element",
                          {"kind": "per_op", "size": 1}, times,
                          report.time_ratios(times, "tapegrad"),
                          {"tapegrad_forward": 2e-6, "tapegrad_backward": 3e-6,
                           "numpy_tape_forward": 1e-6, "numpy_tape_backward": 1e-6})
    text = report.render_overhead({"rows": [row], "summary": {}})
    header, line = text.splitlines()[2], text.splitlines()[4]
    assert "tapegrad-compile/tapegrad" in header and "tapegrad-compile fwd" not in header
    assert "0.20x" in line and "1.00us" in line
