"""CONTRIBUTING.md's "Add an optimizer" recipe, executed: its file becomes a module, its table
line an ``AlgorithmSpec``, and the generic optimizer checks run on the result."""

from __future__ import annotations

import importlib.util
import os
import re
import sys

import generic_checks as G
import pytest

from optimizers.registry import AlgorithmSpec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _recipe():
    with open(os.path.join(ROOT, "CONTRIBUTING.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Add an optimizer", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, "the recipe has the optimizer's file and the table line"
    return blocks


@pytest.fixture(scope="module")
def recipe(tmp_path_factory):
    source, table = _recipe()
    path = tmp_path_factory.mktemp("recipe") / "recipe_asgd.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("recipe_asgd", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["recipe_asgd"] = module
    spec.loader.exec_module(module)
    (line,) = [ln for ln in table.splitlines() if "AlgorithmSpec(" in ln]
    entries = eval("{" + line + "}", {"AlgorithmSpec": AlgorithmSpec, "ASGD": module.ASGD})
    yield source, entries
    del sys.modules["recipe_asgd"]


def test_the_recipe_file_is_short(recipe):
    source, entries = recipe
    assert len(source.splitlines()) <= 60
    assert list(entries) == ["asgd"]


def test_generic_checks_pass_on_the_recipe(recipe, monkeypatch):
    spec = recipe[1]["asgd"]
    G.check_declaration(spec)
    G.check_kernel_matches_twin(spec, monkeypatch)
    averaging = AlgorithmSpec(spec.cls, dict(lr=0.05, t0=0, weight_decay=0.1, maximize=True), 1)
    G.check_kernel_matches_twin(averaging, monkeypatch)  # the default t0 never averages
    G.check_state_round_trip(spec)
    G.check_memory(spec)
    G.check_rebinding_is_refused(spec)


@pytest.mark.torch_parity
@pytest.mark.parametrize("kwargs", [dict(lr=0.05),
                                    dict(lr=0.05, t0=3, lambd=0.01, weight_decay=0.1),
                                    dict(lr=0.05, t0=0, alpha=0.5, maximize=True)])
def test_the_recipe_matches_torch(recipe, kwargs):
    G.check_torch_parity(recipe[1]["asgd"], kwargs)
