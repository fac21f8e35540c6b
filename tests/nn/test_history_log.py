"""nn.utils.History (records, JSON lines written as they come, read back) and
nn.utils.plot_history."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.utils import History, plot_history


def test_records_are_written_as_they_come_and_read_back(tmp_path):
    path = tmp_path / "h.jsonl"
    h = History(path)
    h.append({"epoch": 1, "loss": np.float32(0.5), "acc": ag.tensor(0.25), "note": "warm"})
    # flushed at once: a crash after this line would leave it on disk
    assert json.loads(path.read_text()) == {"epoch": 1, "loss": 0.5, "acc": 0.25, "note": "warm"}
    h.append({"epoch": 2, "loss": float("nan"), "val_loss": 1.5})
    h.close()
    back = History.read(path)
    assert len(back) == 2 and back[0] == h[0]
    assert math.isnan(back[1]["loss"]) and back[1]["val_loss"] == 1.5
    assert back.keys() == ["epoch", "loss", "acc", "note", "val_loss"]
    assert back.column("val_loss") == [None, 1.5]
    assert [r["epoch"] for r in back] == [1, 2]


def test_append_mode_continues_a_file(tmp_path):
    path = tmp_path / "h.jsonl"
    with History(path) as h:
        h.append({"epoch": 1})
    with History(path, append=True) as h:
        h.append({"epoch": 2})
    with History(path) as h:  # default: a fresh file
        pass
    assert path.read_text() == ""


def test_bad_values_and_lines_are_refused(tmp_path):
    h = History()
    with pytest.raises(TypeError, match="History.append expects a dict"):
        h.append([1, 2])
    with pytest.raises(TypeError, match="is not a number, string, bool or None"):
        h.append({"w": ag.zeros(3)})
    assert len(h) == 0  # nothing half-recorded
    path = tmp_path / "bad.jsonl"
    path.write_text('{"epoch": 1}\n\n[1, 2]\n')
    with pytest.raises(ValueError, match="line 3 is not a JSON object"):
        History.read(path)
    path.write_text('{"epoch": 1}\n{oops\n')
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        History.read(path)


def test_plot_history_draws_losses_and_accuracies(tmp_path):
    pytest.importorskip("matplotlib")
    records = [{"epoch": e, "loss": 1 / e, "val_loss": 1.2 / e, "train_acc": 0.5 + e / 10,
                "val_acc": 0.4 + e / 10, "lr": 1e-3} for e in (1, 2, 3)]
    fig = plot_history(records)
    ax_loss, ax_acc = fig.axes
    assert [line.get_label() for line in ax_loss.get_lines()] == ["loss", "val_loss"]
    assert [line.get_label() for line in ax_acc.get_lines()] == ["train_acc", "val_acc"]
    np.testing.assert_allclose(ax_acc.get_lines()[1].get_ydata(), [50, 60, 70])  # percent
    assert ax_loss.get_yscale() == "log"
    np.testing.assert_array_equal(ax_loss.get_lines()[0].get_xdata(), [1, 2, 3])
    png = tmp_path / "c.png"
    plot_history(History.read(_write(tmp_path, records)), png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="empty"):
        plot_history(History())


def _write(tmp_path, records):
    path = tmp_path / "r.jsonl"
    with History(path) as h:
        for r in records:
            h.append(r)
    return path


def test_plot_history_without_matplotlib_says_how_to_get_it(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_mpl(name, *a, **k):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    with pytest.raises(ImportError, match=r'pip install "tapegrad\[plot\]"'):
        nn.utils.plot_history([{"loss": 1.0}])
