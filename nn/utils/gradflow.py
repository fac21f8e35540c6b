"""``GradFlow``: watch gradients flow (or vanish) through a model, layer by layer.

    monitor = nn.utils.GradFlow(model)
    for step in ...:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad(); loss.backward()
        monitor.record()          # after backward; before or after optimizer.step()
        optimizer.step()
    print(monitor.table())
    monitor.plot()                # matplotlib figure (pip install tapegrad[plot])

Per *parameter layer* (a module that owns parameters directly: Linear, BatchNorm1d, ...),
``record()`` stores

* ``grad_norm``: L2 norm of the layer's parameter gradients (weight and bias together);
* ``weight_norm``: L2 norm of the weight (of all its parameters when it has no ``weight``);
* ``grad_to_weight``: their ratio;
* ``update_to_weight``: ``||W_now - W_prev|| / ||W_prev||`` where ``W_prev`` is the snapshot
  taken at the previous ``record()`` call (or when the monitor was attached): the relative size
  of the updates applied in between (a common rule of thumb wants ~1e-3).

Per *activation module* (``Sigmoid``, ``Tanh``, ``ReLU``; a forward hook sees each output)
it stores the fraction of saturated units of the last forward pass:

* Sigmoid: outputs < 0.01 or > 0.99 (derivative < 0.0099);
* Tanh: ``|output| > 0.99`` (derivative < 0.02);
* ReLU: units (features) that output 0 for *every* sample of the batch ("dead" on it).

Only activation *modules* are seen; activations called functionally inside ``forward``
(``F.relu``) are not.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from nn.module import Module

__all__ = ["GradFlow"]


def _norm(arrays):
    total = 0.0
    for a in arrays:
        f = a.reshape(-1).astype(np.float64, copy=False)
        total += float(np.dot(f, f))
    return math.sqrt(total)


def _saturation(kind, y, sigmoid_eps, tanh_threshold):
    if kind == "Sigmoid":
        return float(np.mean((y < sigmoid_eps) | (y > 1.0 - sigmoid_eps)))
    if kind == "Tanh":
        return float(np.mean(np.abs(y) > tanh_threshold))
    # ReLU: a unit is dead on this batch if it is zero for every sample
    if y.ndim == 0:
        return float(y <= 0)
    alive = (y > 0).any(axis=0) if y.ndim > 1 else y > 0
    return float(1.0 - np.mean(alive))


class GradFlow:
    """Records per-layer gradient norms, weight norms, update/weight ratios and activation
    saturation of ``model`` (see the module docstring). Not in PyTorch.

    ``history`` holds one list of row dicts per ``record()``; ``remove()`` detaches the hooks
    (also on ``with`` exit).

    Args:
        model (Module): the model to watch.
        sigmoid_eps (float): a Sigmoid output below ``eps`` or above ``1 - eps`` counts as
            saturated. Default: ``0.01``.
        tanh_threshold (float): a Tanh output with ``|y| >`` this counts as saturated.
            Default: ``0.99``.

    Example::

        >>> import autograd_core as ag
        >>> import nn
        >>> _ = ag.manual_seed(0)
        >>> model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
        >>> with nn.utils.GradFlow(model) as monitor:
        ...     model(ag.ones(8, 4)).sum().backward()
        ...     rows = monitor.record()
        >>> list(monitor.grad_norms()), monitor.saturation()
        (['0', '2'], {'1': 0.0})
        >>> print(monitor.table().splitlines()[0])
        layer            type          grad norm weight norm grad/weight update/weight saturated
    """

    def __init__(self, model: Module, sigmoid_eps: float = 0.01,
                 tanh_threshold: float = 0.99) -> None:
        from nn.layers.activation import ReLU, Sigmoid, Tanh

        self.model = model
        self.sigmoid_eps = sigmoid_eps
        self.tanh_threshold = tanh_threshold
        self.history: list[list[dict[str, Any]]] = []
        self._act_stats: dict[str, dict[str, float]] = {}
        self._handles: list[Any] = []
        self._entries: list[tuple[str, Module, str]] = []  # (name, module, kind), module order
        for name, m in model.named_modules():
            if isinstance(m, (Sigmoid, Tanh, ReLU)):
                kind = "Sigmoid" if isinstance(m, Sigmoid) else "Tanh" if isinstance(m, Tanh) \
                    else "ReLU"
                self._entries.append((name, m, kind))
                self._handles.append(m.register_forward_hook(self._make_hook(name, kind)))
            elif any(p is not None for p in m._parameters.values()):
                self._entries.append((name, m, "params"))
        self._prev = self._snapshot()

    # ---- hooks and snapshots ---------------------------------------------------------------
    def _make_hook(self, name, kind):
        def hook(module, args, output):
            y = output._data
            self._act_stats[name] = {
                "saturation": _saturation(kind, y, self.sigmoid_eps, self.tanh_threshold),
                "act_mean": float(y.mean()) if y.size else float("nan"),
                "act_std": float(y.std()) if y.size else float("nan"),
            }

        return hook

    @staticmethod
    def _weights(m):
        w = m._parameters.get("weight")
        if w is not None:
            return [w._data]
        return [p._data for p in m._parameters.values() if p is not None]

    def _snapshot(self):
        return {name: [a.copy() for a in self._weights(m)]
                for name, m, kind in self._entries if kind == "params"}

    def remove(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    # ---- recording -------------------------------------------------------------------------
    def record(self) -> list[dict[str, Any]]:
        """Read the gradients now on the model (call after ``backward``) and the activation
        statistics of the last forward pass; returns (and appends to ``history``) one dict per
        layer."""
        rows = []
        for name, m, kind in self._entries:
            row: dict[str, Any] = {"name": name or type(m).__name__, "type": type(m).__name__,
                                   "kind": kind}
            if kind == "params":
                params = [p for p in m._parameters.values() if p is not None]
                grads = [p.grad._data for p in params if p.grad is not None]
                weights = self._weights(m)
                wn = _norm(weights)
                gn = _norm(grads) if grads else float("nan")
                prev = self._prev.get(name)
                if prev is not None and all(a.shape == b.shape for a, b in zip(prev, weights)):
                    pn = _norm(prev)
                    dn = _norm([a - b for a, b in zip(weights, prev)])
                    upd = dn / pn if pn > 0 else float("nan")
                else:
                    upd = float("nan")
                row.update(grad_norm=gn, weight_norm=wn,
                           grad_to_weight=gn / wn if wn > 0 else float("nan"),
                           update_to_weight=upd)
            else:
                stats = self._act_stats.get(name)
                row.update(stats if stats is not None else
                           {"saturation": float("nan"), "act_mean": float("nan"),
                            "act_std": float("nan")})
            rows.append(row)
        self._prev = self._snapshot()
        self.history.append(rows)
        return rows

    # ---- views -----------------------------------------------------------------------------
    def _rows(self, step):
        if not self.history:
            raise RuntimeError("GradFlow: nothing recorded yet (call record() after backward)")
        return self.history[step]

    def grad_norms(self, step: int = -1) -> dict[str, float]:
        """``{layer name: gradient norm}`` of the parameter layers, in model order."""
        return {r["name"]: r["grad_norm"] for r in self._rows(step) if r["kind"] == "params"}

    def update_ratios(self, step: int = -1) -> dict[str, float]:
        """``{layer name: ||W_now - W_prev|| / ||W_prev||}`` of the parameter layers."""
        return {r["name"]: r["update_to_weight"] for r in self._rows(step)
                if r["kind"] == "params"}

    def saturation(self, step: int = -1) -> dict[str, float]:
        """``{activation name: saturated fraction}`` in model order."""
        return {r["name"]: r["saturation"] for r in self._rows(step) if r["kind"] != "params"}

    def first_to_last_ratio(self, step: int = -1) -> float:
        """Gradient norm of the first parameter layer over that of the last: << 1 means
        vanishing gradients, >> 1 exploding ones."""
        g = list(self.grad_norms(step).values())
        return g[0] / g[-1] if g and g[-1] > 0 else float("nan")

    def table(self, step: int = -1) -> str:
        """The record at ``step`` as a fixed-width text table."""
        rows = self._rows(step)
        head = (f"{'layer':<16} {'type':<12} {'grad norm':>10} {'weight norm':>11} "
                f"{'grad/weight':>11} {'update/weight':>13} {'saturated':>9}")
        lines = [head, "-" * len(head)]

        def f(v, width, spec=".3e"):
            return f"{'':>{width}}" if v is None else f"{format(v, spec):>{width}}"

        for r in rows:
            if r["kind"] == "params":
                lines.append(f"{r['name'][:16]:<16} {r['type'][:12]:<12} "
                             f"{f(r['grad_norm'], 10)} {f(r['weight_norm'], 11)} "
                             f"{f(r['grad_to_weight'], 11)} {f(r['update_to_weight'], 13)} "
                             f"{f(None, 9)}")
            else:
                lines.append(f"{r['name'][:16]:<16} {r['type'][:12]:<12} {f(None, 10)} "
                             f"{f(None, 11)} {f(None, 11)} {f(None, 13)} "
                             f"{f(r['saturation'], 9, '.1%')}")
        return "\n".join(lines)

    def __str__(self):
        return self.table() if self.history else "GradFlow(no records yet)"

    def plot(self, step: int = -1, fig: Any = None) -> Any:
        """A matplotlib figure: gradient norm and update/weight ratio per parameter layer
        (log scale) and the saturated fraction per activation module."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:
            raise ImportError("GradFlow.plot needs matplotlib: pip install tapegrad[plot]") \
                from exc
        rows = self._rows(step)
        prow = [r for r in rows if r["kind"] == "params"]
        arow = [r for r in rows if r["kind"] != "params"]
        if fig is None:
            fig = plt.figure(figsize=(10, 7))
        axes = fig.subplots(3, 1)
        x = np.arange(len(prow))
        axes[0].bar(x, [r["grad_norm"] for r in prow], color="tab:blue")
        axes[0].set_yscale("log")
        axes[0].set_ylabel("grad norm")
        axes[0].set_xticks(x, [r["name"] for r in prow], rotation=45, fontsize=7)
        axes[0].set_title("gradient flow (first layer on the left)")
        axes[1].bar(x, [r["update_to_weight"] for r in prow], color="tab:orange")
        axes[1].axhline(1e-3, color="gray", linestyle="--", linewidth=1)
        axes[1].set_yscale("log")
        axes[1].set_ylabel("update / weight")
        axes[1].set_xticks(x, [r["name"] for r in prow], rotation=45, fontsize=7)
        xa = np.arange(len(arow))
        axes[2].bar(xa, [r["saturation"] for r in arow], color="tab:red")
        axes[2].set_ylim(0, 1)
        axes[2].set_ylabel("saturated fraction")
        axes[2].set_xticks(xa, [f"{r['name']} ({r['type']})" for r in arow], rotation=45,
                           fontsize=7)
        fig.tight_layout()
        return fig
