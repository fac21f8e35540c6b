"""``History`` and ``plot_history``: keep a training loop's metrics, write them as JSON lines as
training goes, read them back, and draw them.

    history = nn.utils.History("runs/history.jsonl")    # or History() to keep them in memory
    for epoch in range(1, epochs + 1):
        ...
        history.append({"epoch": epoch, "loss": loss, "val_loss": val_loss, "val_acc": acc})
    history.close()
    nn.utils.plot_history(nn.utils.History.read("runs/history.jsonl"), "runs/curves.png")

One JSON object per line (JSON Lines) is what ``pandas.read_json(path, lines=True)``, ``jq`` and
a spreadsheet import read, and a file cut short by a crash still holds every finished epoch.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator, Mapping

__all__ = ["History", "plot_history"]


def _plain(value):
    """A JSON-ready copy of ``value``: numpy scalars and 0-d arrays/tensors become numbers."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return item()
        except (TypeError, ValueError, RuntimeError):  # more than one element
            pass
    raise TypeError(f"History.append: value {value!r} of type {type(value).__name__} is not a "
                    "number, string, bool or None")


class History:
    r"""A list of metric dicts (one per epoch or step), optionally written to ``path`` as JSON
    lines the moment each is appended.

    Args:
        path (str, optional): a file to write one JSON line per :meth:`append` to (flushed
            at once). ``None`` (default) keeps the records in memory only.
        append (bool): add to an existing ``path`` (e.g. when resuming) instead of replacing
            it. Default: ``False``.

    Records are plain dicts; values must be numbers, strings, bools or ``None`` (numpy scalars
    and one-element tensors are converted with ``.item()``). ``history.column(key)`` gives
    one metric across the records, ``History.read(path)`` loads a written file back.

    Example::

        >>> import nn
        >>> h = nn.utils.History()
        >>> h.append({"epoch": 1, "loss": 0.9})
        >>> h.append({"epoch": 2, "loss": 0.5, "val_loss": 0.7})
        >>> len(h), h.column("loss"), h.column("val_loss")
        (2, [0.9, 0.5], [None, 0.7])
    """

    def __init__(self, path: str | os.PathLike | None = None, append: bool = False) -> None:
        self.records: list[dict] = []
        self.path = None if path is None else os.fspath(path)
        self._file = None
        if self.path is not None:
            self._file = open(self.path, "a" if append else "w", encoding="utf-8")  # noqa: SIM115

    def append(self, record: Mapping) -> None:
        """Add one record (a mapping of metric names to values) and write it to ``path``."""
        if not isinstance(record, Mapping):
            raise TypeError(f"History.append expects a dict of metrics, got "
                            f"{type(record).__name__}")
        clean = {str(k): _plain(v) for k, v in record.items()}
        line = json.dumps(clean, allow_nan=True)  # NaN/inf: a diverged run is still recorded
        if self._file is not None:
            if self._file.closed:
                raise ValueError(f"History.append: {self.path!r} is closed")
            self._file.write(line + "\n")
            self._file.flush()
        self.records.append(clean)

    def column(self, key: str) -> list:
        """The values of ``key`` across the records (``None`` where a record lacks it)."""
        return [r.get(key) for r in self.records]

    def keys(self) -> list[str]:
        """Every metric name that appears, in order of first appearance."""
        return _keys(self.records)

    def close(self) -> None:
        """Close ``path`` (records stay readable in memory)."""
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.records)

    def __getitem__(self, index):
        return self.records[index]

    def __repr__(self) -> str:
        where = f", path={self.path!r}" if self.path else ""
        return f"History({len(self)} records, keys={self.keys()}{where})"

    @classmethod
    def read(cls, path: str | os.PathLike) -> History:
        """The records of a JSON-lines file (blank lines skipped), as an in-memory History.

        A line that is not a JSON object raises ``ValueError`` naming the file and line.
        """
        history = cls()
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"History.read: {os.fspath(path)!r} line {number} is not "
                                     f"JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise ValueError(f"History.read: {os.fspath(path)!r} line {number} is not "
                                     "a JSON object")
                history.records.append(record)
        return history


def _keys(records) -> list[str]:
    seen: dict[str, None] = {}
    for r in records:
        seen.update(dict.fromkeys(r))
    return list(seen)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def plot_history(history: History | Iterable[Mapping], path: str | os.PathLike | None = None,
                 x: str = "epoch"):
    r"""Draw the losses and the accuracies of ``history`` against ``x``, side by side.

    Every numeric metric whose name contains ``loss`` goes on the left panel (log scale when all
    values are positive), every one containing ``acc`` on the right (in %, when the values are
    fractions in [0, 1]). Records without ``x`` are numbered from 1.

    Args:
        history (History or iterable of dicts): the records.
        path (str, optional): save the figure there (png, pdf, svg, ...) and close it; with
            ``None`` (default) the figure is returned open (e.g. for a notebook).
        x (str): the metric on the horizontal axis. Default: ``"epoch"``.

    Returns:
        the matplotlib ``Figure``.

    Needs matplotlib (``pip install tapegrad[plot]``): without it an ``ImportError`` says so.

    Example::

        >>> import nn
        >>> fig = nn.utils.plot_history([{"epoch": 1, "loss": 0.9, "val_acc": 0.8},
        ...                              {"epoch": 2, "loss": 0.5, "val_acc": 0.9}])
        >>> [ax.get_title() for ax in fig.axes]
        ['loss', 'accuracy']
    """
    try:
        import matplotlib

        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plot_history needs matplotlib, which is not installed: "
                          'pip install "tapegrad[plot]"  (or: pip install matplotlib)') from None
    records = list(history)
    if not records:
        raise ValueError("plot_history: the history is empty, nothing to plot")
    xs = [r.get(x, i + 1) for i, r in enumerate(records)]
    names = _keys(records)
    losses = [k for k in names if "loss" in k and k != x]
    accs = [k for k in names if "acc" in k and k != x]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for ax, keys, title in ((ax_loss, losses, "loss"), (ax_acc, accs, "accuracy")):
        values_all = []
        for key in keys:
            pts = [(xv, r[key]) for xv, r in zip(xs, records) if _is_number(r.get(key))]
            if not pts:
                continue
            values_all += [v for _, v in pts]
            ax.plot(*zip(*pts), marker="o", ms=3, label=key)
        percent = title == "accuracy" and values_all and all(0 <= v <= 1 for v in values_all)
        if percent:
            for line in ax.get_lines():
                line.set_ydata([100 * v for v in line.get_ydata()])
            ax.relim()
            ax.autoscale_view()
        if title == "loss" and values_all and min(values_all) > 0:
            ax.set_yscale("log")
        ax.set(xlabel=x, title=title,
               ylabel="accuracy (%)" if percent else title)
        ax.grid(alpha=0.3)
        if ax.get_lines():
            ax.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
        plt.close(fig)
    return fig
