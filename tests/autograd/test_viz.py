"""viz.to_dot: the tape as Graphviz DOT text, checked on a graph worked by hand."""

import re

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.viz import render, to_dot


def _edges(dot):
    return re.findall(r"(\w+) -> (\w+)", dot)


def test_dot_of_a_small_graph():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor(0.5, requires_grad=True)
    loss = ((w * w).sum() + b).tanh()
    dot = to_dot(loss)
    assert dot.startswith("digraph tape {") and dot.rstrip().endswith("}")
    for name in ("MulBackward0", "SumBackward0", "AddBackward0", "TanhBackward0"):
        assert dot.count(name) == 1
    # w -> Mul twice (both operands), Mul -> Sum, Sum -> Add, b -> Add, Add -> Tanh, Tanh -> out
    assert len(_edges(dot)) == 7
    assert dot.count("leaf (2)") == 1 and dot.count("leaf ()") == 1
    assert "|grad|" not in dot
    loss.backward()
    after = to_dot(loss, show_grads=True)
    g = float(np.linalg.norm(w.grad.numpy()))
    assert f"|grad| = {g:.4g}" in after


def test_dot_of_a_leaf_and_refusals():
    x = ag.tensor([1.0], requires_grad=True)
    assert _edges(to_dot(x)) == []
    with pytest.raises(TypeError, match="expects a Tensor"):
        to_dot(np.ones(2))


def test_render_needs_graphviz_or_says_so(tmp_path, monkeypatch):
    import shutil

    x = ag.tensor([1.0], requires_grad=True)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="Graphviz"):
        render(x * 2, tmp_path / "t.svg")
